/*-------------------------------------------------------------------------
 *
 * health.h
 *	  Helpers of the health module shared by health.c and history.c.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGA_HEALTH_H
#define PGA_HEALTH_H

/*
 * OID of the function with this signature ("schema.name(argtypes)"), or
 * InvalidOid when there is none; never raises an error for a missing one.
 */
extern Oid	pga_regprocedure(const char *signature);

#endif							/* PGA_HEALTH_H */
