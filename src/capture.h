/*-------------------------------------------------------------------------
 *
 * capture.h
 *	  Workload capture through the executor hooks.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGA_CAPTURE_H
#define PGA_CAPTURE_H

/*
 * While true, executions in this backend are not captured (set by
 * architect.explain() around the statement it explains).
 */
extern bool pga_capture_suspended;

#endif							/* PGA_CAPTURE_H */
