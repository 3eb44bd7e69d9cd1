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

/*
 * pg_architect.findings_scope: on while findings_rows() or report() runs;
 * facts read once per call are cached meanwhile (health.c).
 */
extern bool pga_findings_scope;
extern void pga_findings_scope_assign(bool newval, void *extra);

#endif							/* PGA_HEALTH_H */
