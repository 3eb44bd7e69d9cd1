/*-------------------------------------------------------------------------
 *
 * candidates_shape.h
 *	  Partial-index predicates fixed by a query's shape (candidates_shape.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGA_CANDIDATES_SHAPE_H
#define PGA_CANDIDATES_SHAPE_H

#include "nodes/pathnodes.h"

/* A predicate for partial candidates on one table scan. */
typedef struct PgaShapePartial
{
	List	   *pred;			/* implicit-AND clauses over varno 1 */
	double		sel;			/* the planner's selectivity of them all */
} PgaShapePartial;

extern List *pga_shape_partials(PlannerInfo *root, RelOptInfo *rel,
								Query *parsed);

#endif							/* PGA_CANDIDATES_SHAPE_H */
