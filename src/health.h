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

/*
 * The findings facts cache (health.c): pga_facts_cache_usable() says
 * whether it may be used now (emptying it first when it belongs to another
 * call); what is kept goes in pga_facts_context(), and pga_facts_epoch
 * changes each time the context is emptied, so that a module keeping its
 * own pointers into it (health_index_facts.c) knows they are gone.
 */
extern bool pga_facts_cache_usable(void);
extern MemoryContext pga_facts_context(void);
extern uint64 pga_facts_epoch;

#endif							/* PGA_HEALTH_H */
