/*-------------------------------------------------------------------------
 *
 * whatif.h
 *	  Costing a query under a set of hypothetical indexes with an in-process
 *	  planner call.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGA_WHATIF_H
#define PGA_WHATIF_H

#include "postgres.h"

#include "nodes/bitmapset.h"
#include "nodes/parsenodes.h"
#include "nodes/plannodes.h"
#include "utils/hsearch.h"
#include "utils/palloc.h"

/* Why a statement cannot be costed (see pga_prepare_query). */
typedef enum PgaPrepareStatus
{
	PGA_PREPARE_OK = 0,
	PGA_PREPARE_NOT_DML,		/* utility or other statement kind */
	PGA_PREPARE_PARAM_TYPES,	/* a $n whose type cannot be inferred */
	PGA_PREPARE_MULTI,			/* several statements */
	PGA_PREPARE_RULES			/* rules rewrite it into several statements */
} PgaPrepareStatus;

/* One planner call's result. */
typedef struct PgaPlanResult
{
	double		total_cost;		/* the plan's estimated total cost */
	double		rows;			/* estimated rows returned, or written */
	Bitmapset  *used;			/* positions (in the list given) of the
								 * hypothetical indexes the plan scans */
	List	   *relids;			/* OIDs of the relations the plan reads */
	List	   *rtable;			/* the plan's flattened range table */
	bool		restricted;		/* a join search was restricted to recorded
								 * join orders (whatif_joins.c): the cost is
								 * an upper bound of the planner's optimum */
} PgaPlanResult;

/*
 * A cache of what-if costs of the queries of one advisor run (whatif.c):
 * exact (query, index set) answers, and answers derived from a plan that
 * used only part of a larger set.
 */
typedef struct PgaCostCache PgaCostCache;

extern PgaCostCache *pga_cost_cache_create(MemoryContext cxt);
extern bool pga_cost_cache_lookup(PgaCostCache *cc, int qidx, Bitmapset *set,
								  double *cost, Bitmapset **used);
extern void pga_cost_cache_store(PgaCostCache *cc, int qidx, Bitmapset *set,
								 double cost, Bitmapset *used,
								 bool restricted);
extern bool pga_cost_cache_exact_only(PgaCostCache *cc);
extern bool pga_cost_cache_is_exact_only(PgaCostCache *cc);
extern struct PgaJoinMemo *pga_cost_cache_join_memo(PgaCostCache *cc,
													int qidx);
extern void pga_cost_cache_counts(PgaCostCache *cc, int64 *exact,
								  int64 *derived);

extern Query *pga_prepare_query(const char *text, PgaPrepareStatus *status);
extern Query *pga_prepare_query_or_error(const char *text, const char *caller);
extern void pga_plan_query(Query *query, const char *text, List *hypos,
						   PgaPlanResult *result, bool want_rtable);

/* Join order re-use (whatif_joins.c). */
typedef struct PgaJoinMemo PgaJoinMemo;
struct PgaRun;
struct PgaQuery;

extern void pga_whatif_joins_init(void);
extern PgaJoinMemo *pga_join_memo_create(MemoryContext cxt);
extern void pga_whatif_cost_plan(struct PgaRun *run, struct PgaQuery *q,
								 List *hypos, PgaPlanResult *res);
/*
 * Called by pga_plan_query with each plan made under a non-empty set of
 * hypothetical indexes, in a scratch memory context, before the plan is
 * freed.  It returns a cost to add to the plan's (0 for none): each plan
 * is judged on its own, also when one costing makes several planner calls
 * (whatif_joins.c's training plans).  NULL when nobody looks (the advisor's risk model sets it around
 * its own planner calls: advisor_risk.c).
 */
typedef double (*PgaPlanInspectHook) (PlannedStmt *pstmt, List *hypos,
									  void *arg);
extern PgaPlanInspectHook pga_plan_inspect_hook;
extern void *pga_plan_inspect_arg;

/* Statistics of planner calls made by pga_plan_query in this backend. */
extern int64 pga_whatif_calls;
extern double pga_whatif_ms;
extern int64 pga_whatif_restricted;	/* of which restricted join searches */

#endif							/* PGA_WHATIF_H */
