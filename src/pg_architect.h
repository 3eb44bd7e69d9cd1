/*-------------------------------------------------------------------------
 *
 * pg_architect.h
 *	  Declarations shared by pg_architect's modules: each module's init
 *	  function and the few helpers every module uses.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PG_ARCHITECT_H
#define PG_ARCHITECT_H

#include "postgres.h"

#include "nodes/primnodes.h"

#include "compat.h"

/* Name of the library, as written in shared_preload_libraries. */
#define PGA_LIBRARY_NAME "pg_architect"

/* Module initialisation, called by _PG_init in this order. */
extern void pga_guc_init(void);		/* guc.c: every GUC, always */
extern void pga_hypo_init(void);	/* hypo.c: planner hooks, always */
extern void pga_store_init(void);	/* store.c: shared memory, preload only */
extern void pga_capture_init(void);	/* capture.c: executor hooks, preload only */
extern void pga_indexer_init(void);	/* indexer.c: job slots and workers, preload only */

/*
 * True when _PG_init ran while shared_preload_libraries was being
 * processed, i.e. shared memory and hooks are in place.
 */
extern bool pga_loaded_at_startup;

/*
 * Raise SQLSTATE 55000 with a hint unless the library was preloaded.
 * "what" names the feature for the message (e.g. "architect.reset()").
 */
extern void pga_require_preload(const char *what);

/* Raise SQLSTATE 25006 when the server is a hot standby. */
extern void pga_require_primary(const char *what);
extern ErrorData *pga_subxact_run(void (*fn) (void *arg), void *arg,
								  bool release);

/*
 * An expression under any binary-compatible relabelling (varchar read as
 * text): what an index column, a join key or a clause operand really is.
 */
static inline Node *
pga_strip_relabel(Node *node)
{
	while (node != NULL && IsA(node, RelabelType))
		node = (Node *) ((RelabelType *) node)->arg;
	return node;
}

/* Child plans besides lefttree/righttree (Append, BitmapOr, ...). */
struct Plan;
extern List *pga_plan_children(struct Plan *plan);

#endif							/* PG_ARCHITECT_H */
