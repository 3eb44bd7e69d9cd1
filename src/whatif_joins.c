/*-------------------------------------------------------------------------
 *
 * whatif_joins.c
 *	  Faster what-if costing of multi-way joins: re-use the join orders of
 *	  a query's earlier full plans.
 *
 * Design.  Most of a what-if planner call on a query joining many tables
 * goes into PostgreSQL's dynamic-programming join search
 * (standard_join_search): every pair of joinable relation sets at every
 * level, each costed with every join method.  The advisor plans the same
 * query again and again under index sets that differ by one or two
 * hypothetical indexes, and the best join order rarely changes.  So,
 * through join_search_hook, during the advisor's what-if calls:
 *
 *	- record: a query (with a join search over four or more relations) is
 *	  first planned in full a few times -- under the first index set the
 *	  advisor asks, with no new index (its baseline) and with all its
 *	  candidates at once.  After each full join search the join trees of
 *	  the final relation's paths are walked (join paths and the wrappers
 *	  around them: sort, material, memoize, unique, gather, projection) and
 *	  kept as pairs of relid sets, per join search: the n-th join search
 *	  of the planner call (sub-queries have their own) over a given set of
 *	  relations.
 *
 *	- restrict: later costings of that query search only the join
 *	  relations of the recorded trees.  They are built level by level in
 *	  order of size with make_join_rel, which still considers every join
 *	  method and every parameterized index path for each recorded pair, so
 *	  a hypothetical index can still change how two relations are joined
 *	  and which side is scanned by index; then, as standard_join_search
 *	  does, partitionwise and gather paths and set_cheapest per relation.
 *	  Only the order of joins is taken from the recorded plans.
 *
 * A restricted search explores a subset of the full search space, so its
 * cost is never below the full search's optimum, and equal to it when the
 * optimal join tree under the new index set is one of the recorded ones.
 * The advisor uses such costs only to search for a selection; the figures
 * it reports (costs, benefits, improvements) and the guard rails on its
 * final selection are computed again with full planning
 * (pga_cost_cache_exact_only).  pg_architect.whatif_reuse_join_orders =
 * off turns the whole mechanism off.
 *
 * Fallback to the full join search: outside a what-if call of the advisor,
 * in a nested planner call, for fewer than PGA_REUSE_MIN_RELS relations,
 * when GEQO would run, when an input relation is itself a join (a nested
 * join list), when nothing was recorded for this join search, and when a
 * recorded pair cannot be joined or leaves a relation without paths (then
 * the relations built so far are forgotten before the full search runs).
 *
 * This is not the "Extend" index selection algorithm: nothing here grows
 * or chooses index candidates; it only narrows the planner's join search.
 *
 * Locking: none.  The state is per backend and lives in the advisor run's
 * memory context (the cost cache, whatif.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/pathnodes.h"
#include "optimizer/geqo.h"
#include "optimizer/pathnode.h"
#include "optimizer/paths.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "advisor.h"
#include "guc.h"
#include "hypo.h"
#include "pg_architect.h"
#include "whatif.h"

PG_FUNCTION_INFO_V1(pga_whatif_join_reuse);
PG_FUNCTION_INFO_V1(pga_whatif_join_reuse_stats);

/* Smallest join search (number of relations) worth restricting. */
#define PGA_REUSE_MIN_RELS	4

/* One recorded join: two relid sets joined into their union. */
typedef struct PgaJoinPair
{
	Relids		outer;			/* one side */
	Relids		inner;			/* the other side */
	Relids		joined;			/* their union */
	int			level;			/* number of relations in joined */
} PgaJoinPair;

/* The recorded joins of one join search of a query. */
typedef struct PgaJoinSearch
{
	int			invocation;		/* n-th join search of the planner call */
	Relids		relids;			/* all relations of this join search */
	List	   *pairs;			/* PgaJoinPair *, each once */
} PgaJoinSearch;

/* A query's recorded join orders (one per query of an advisor run). */
struct PgaJoinMemo
{
	MemoryContext cxt;			/* where recorded joins are copied */
	bool		trained;		/* its full plans have been recorded */
	List	   *searches;		/* PgaJoinSearch * */
};

typedef enum PgaJoinMode
{
	PGA_JOINS_OFF = 0,			/* not in a what-if call: do not act */
	PGA_JOINS_RECORD,			/* full search, record its join trees */
	PGA_JOINS_RESTRICT			/* search the recorded joins only */
} PgaJoinMode;

/* The planner call in progress (set around one pga_plan_query). */
static PgaJoinMode pga_mode = PGA_JOINS_OFF;
static PgaJoinMemo *pga_memo = NULL;
static int	pga_depth = -1;		/* planner depth of the what-if call */
static int	pga_invocation = 0; /* join searches seen in this call */
static bool pga_restricted_used = false;	/* a search was restricted */

static join_search_hook_type prev_join_search_hook = NULL;

static RelOptInfo *pga_join_search(PlannerInfo *root, int levels_needed,
								   List *initial_rels);

/*
 * pga_whatif_joins_init
 *		Install the join search hook (from pga_hypo_init, in every backend).
 *		It costs one test per join search when no what-if call is running.
 */
void
pga_whatif_joins_init(void)
{
	prev_join_search_hook = join_search_hook;
	join_search_hook = pga_join_search;
}

PgaJoinMemo *
pga_join_memo_create(MemoryContext cxt)
{
	PgaJoinMemo *m = MemoryContextAllocZero(cxt, sizeof(PgaJoinMemo));

	m->cxt = cxt;
	return m;
}

/*
 * pga_default_join_search
 *		What make_rel_from_joinlist would have done without our hook.
 */
static RelOptInfo *
pga_default_join_search(PlannerInfo *root, int levels_needed,
						List *initial_rels)
{
	if (prev_join_search_hook)
		return prev_join_search_hook(root, levels_needed, initial_rels);
	if (enable_geqo && levels_needed >= geqo_threshold)
		return geqo(root, levels_needed, initial_rels);
	return standard_join_search(root, levels_needed, initial_rels);
}

static PgaJoinSearch *
pga_memo_find(PgaJoinMemo *m, int invocation, Relids relids)
{
	ListCell   *lc;

	foreach(lc, m->searches)
	{
		PgaJoinSearch *s = (PgaJoinSearch *) lfirst(lc);

		if (s->invocation == invocation && bms_equal(s->relids, relids))
			return s;
	}
	return NULL;
}

/*
 * pga_walk_path
 *		Append to *pairs the joins of the tree under path (planner memory).
 *		Returns false when the tree holds a path we cannot see through (an
 *		Append of a partitionwise join or of a relation proven empty...):
 *		such a tree is not recorded.
 */
static bool
pga_walk_path(Path *path, List **pairs)
{
	check_stack_depth();

	if (path == NULL || path->parent == NULL)
		return false;
	/* A base relation: the tree ends here. */
	if (bms_membership(path->parent->relids) != BMS_MULTIPLE)
		return true;

	switch (nodeTag(path))
	{
		case T_NestPath:
		case T_MergePath:
		case T_HashPath:
			{
				JoinPath   *jp = (JoinPath *) path;
				PgaJoinPair *p = palloc(sizeof(PgaJoinPair));

				p->outer = jp->outerjoinpath->parent->relids;
				p->inner = jp->innerjoinpath->parent->relids;
				p->joined = bms_union(p->outer, p->inner);
				p->level = bms_num_members(p->joined);
				if (bms_overlap(p->outer, p->inner) ||
					!bms_equal(p->joined, path->parent->relids))
					return false;
				*pairs = lappend(*pairs, p);
				return pga_walk_path(jp->outerjoinpath, pairs) &&
					pga_walk_path(jp->innerjoinpath, pairs);
			}
		case T_MaterialPath:
			return pga_walk_path(((MaterialPath *) path)->subpath, pairs);
		case T_MemoizePath:
			return pga_walk_path(((MemoizePath *) path)->subpath, pairs);
		case T_SortPath:
			return pga_walk_path(((SortPath *) path)->subpath, pairs);
		case T_IncrementalSortPath:
			return pga_walk_path(((IncrementalSortPath *) path)->spath.subpath,
								 pairs);
		case T_UniquePath:
			return pga_walk_path(((UniquePath *) path)->subpath, pairs);
		case T_GatherPath:
			return pga_walk_path(((GatherPath *) path)->subpath, pairs);
		case T_GatherMergePath:
			return pga_walk_path(((GatherMergePath *) path)->subpath, pairs);
		case T_ProjectionPath:
			return pga_walk_path(((ProjectionPath *) path)->subpath, pairs);
		default:
			return false;
	}
}

/*
 * pga_record
 *		Keep the join trees of rel's paths in the memo, for this join
 *		search, each distinct pair once.
 */
static void
pga_record(PgaJoinMemo *m, int invocation, Relids relids, RelOptInfo *rel)
{
	List	   *paths = list_concat_copy(rel->pathlist, rel->partial_pathlist);
	PgaJoinSearch *s;
	ListCell   *lc;
	MemoryContext old;

	old = MemoryContextSwitchTo(m->cxt);
	s = pga_memo_find(m, invocation, relids);
	if (s == NULL)
	{
		s = palloc0(sizeof(PgaJoinSearch));
		s->invocation = invocation;
		s->relids = bms_copy(relids);
		m->searches = lappend(m->searches, s);
	}
	MemoryContextSwitchTo(old);

	foreach(lc, paths)
	{
		List	   *pairs = NIL;
		ListCell   *pc;

		if (!pga_walk_path((Path *) lfirst(lc), &pairs))
			continue;
		foreach(pc, pairs)
		{
			PgaJoinPair *p = (PgaJoinPair *) lfirst(pc);
			ListCell   *sc;
			bool		known = false;

			foreach(sc, s->pairs)
			{
				PgaJoinPair *q = (PgaJoinPair *) lfirst(sc);

				if (bms_equal(q->joined, p->joined) &&
					(bms_equal(q->outer, p->outer) ||
					 bms_equal(q->outer, p->inner)))
				{
					known = true;
					break;
				}
			}
			if (!known)
			{
				PgaJoinPair *c;

				old = MemoryContextSwitchTo(m->cxt);
				c = palloc(sizeof(PgaJoinPair));
				c->outer = bms_copy(p->outer);
				c->inner = bms_copy(p->inner);
				c->joined = bms_copy(p->joined);
				c->level = p->level;
				s->pairs = lappend(s->pairs, c);
				MemoryContextSwitchTo(old);
			}
		}
	}
}

/*
 * pga_side_rel
 *		The relation for one side of a recorded pair: a base relation, or a
 *		join relation built at a lower level of this search.
 */
static RelOptInfo *
pga_side_rel(PlannerInfo *root, Relids relids)
{
	int			relid;

	if (bms_get_singleton_member(relids, &relid))
		return find_base_rel(root, relid);
	return find_join_rel(root, relids);
}

/*
 * pga_restricted_search
 *		standard_join_search over the recorded joins only.  Returns NULL,
 *		with the join relations it built forgotten, when a recorded pair
 *		cannot be joined or a relation ends without paths; the caller then
 *		runs the full search.
 */
static RelOptInfo *
pga_restricted_search(PlannerInfo *root, int levels_needed,
					  List *initial_rels, PgaJoinSearch *s)
{
	int			saved_len = list_length(root->join_rel_list);
	RelOptInfo *top = NULL;
	int			lev;
	ListCell   *lc;

	Assert(root->join_rel_level == NULL);
	root->join_rel_level = (List **) palloc0((levels_needed + 1) * sizeof(List *));
	root->join_rel_level[1] = initial_rels;

	for (lev = 2; lev <= levels_needed; lev++)
	{
		root->join_cur_level = lev;
		foreach(lc, s->pairs)
		{
			PgaJoinPair *p = (PgaJoinPair *) lfirst(lc);
			RelOptInfo *r1;
			RelOptInfo *r2;

			if (p->level != lev)
				continue;
			r1 = pga_side_rel(root, p->outer);
			r2 = pga_side_rel(root, p->inner);
			if (r1 == NULL || r2 == NULL ||
				r1->cheapest_total_path == NULL ||
				r2->cheapest_total_path == NULL ||
				make_join_rel(root, r1, r2) == NULL)
				goto fail;
		}

		/* As standard_join_search does once a level is complete. */
		foreach(lc, root->join_rel_level[lev])
		{
			RelOptInfo *rel = (RelOptInfo *) lfirst(lc);

			generate_partitionwise_join_paths(root, rel);
			if (!bms_equal(rel->relids, root->all_baserels))
				generate_useful_gather_paths(root, rel, false);
			if (rel->pathlist == NIL)
				goto fail;
			set_cheapest(rel);
		}
	}

	if (list_length(root->join_rel_level[levels_needed]) == 1)
		top = (RelOptInfo *) linitial(root->join_rel_level[levels_needed]);
	if (top == NULL || !bms_equal(top->relids, s->relids))
		goto fail;
	root->join_rel_level = NULL;
	return top;

fail:

	/*
	 * Forget the join relations built here: the full search must build
	 * every one itself (it lists them per level as it creates them).  The
	 * hash over join_rel_list, if any, is dropped; find_join_rel rebuilds
	 * it from the list when needed.
	 */
	root->join_rel_level = NULL;
	root->join_rel_list = list_truncate(root->join_rel_list, saved_len);
	root->join_rel_hash = NULL;
	return NULL;
}

/*
 * pga_join_search
 *		join_search_hook: record or restrict during what-if calls, as set
 *		by pga_plan_with_joins; otherwise the usual search.
 */
static RelOptInfo *
pga_join_search(PlannerInfo *root, int levels_needed, List *initial_rels)
{
	Relids		relids = NULL;
	int			invocation;
	ListCell   *lc;
	RelOptInfo *rel;

	if (pga_mode == PGA_JOINS_OFF || pga_memo == NULL ||
		pga_planner_depth() != pga_depth + 1)
		return pga_default_join_search(root, levels_needed, initial_rels);

	invocation = pga_invocation++;
	if (levels_needed < PGA_REUSE_MIN_RELS ||
		(enable_geqo && levels_needed >= geqo_threshold) ||
		prev_join_search_hook != NULL)
		return pga_default_join_search(root, levels_needed, initial_rels);
	foreach(lc, initial_rels)
	{
		RelOptInfo *r = (RelOptInfo *) lfirst(lc);

		if (bms_membership(r->relids) != BMS_SINGLETON)
			return pga_default_join_search(root, levels_needed, initial_rels);
		relids = bms_add_members(relids, r->relids);
	}

	if (pga_mode == PGA_JOINS_RESTRICT)
	{
		PgaJoinSearch *s = pga_memo_find(pga_memo, invocation, relids);

		if (s != NULL &&
			(rel = pga_restricted_search(root, levels_needed, initial_rels,
										 s)) != NULL)
		{
			pga_restricted_used = true;
			return rel;
		}
		return standard_join_search(root, levels_needed, initial_rels);
	}

	rel = standard_join_search(root, levels_needed, initial_rels);
	pga_record(pga_memo, invocation, relids, rel);
	return rel;
}

/*
 * pga_plan_with_joins
 *		pga_plan_query with the join search in the given mode for memo.
 */
static void
pga_plan_with_joins(Query *query, const char *text, List *hypos,
					PgaPlanResult *res, PgaJoinMemo *memo, PgaJoinMode mode)
{
	Assert(pga_mode == PGA_JOINS_OFF);
	pga_mode = mode;
	pga_memo = memo;
	pga_depth = pga_planner_depth();
	pga_invocation = 0;
	pga_restricted_used = false;
	PG_TRY();
	{
		pga_plan_query(query, text, hypos, res, false);
	}
	PG_FINALLY();
	{
		pga_mode = PGA_JOINS_OFF;
		pga_memo = NULL;
		pga_depth = -1;
	}
	PG_END_TRY();
	res->restricted = pga_restricted_used;
	if (pga_restricted_used)
		pga_whatif_restricted++;
}

/*
 * pga_whatif_cost_plan
 *		The advisor's planner call for q under hypos (candidates of the run,
 *		in id order).  With pg_architect.whatif_reuse_join_orders on and the
 *		cache not yet turned to exact answers: the first call of a query
 *		plans in full and records; when that showed a join search worth
 *		restricting, the query is also planned in full, recorded, with no
 *		new index and with all its candidates (that cost is cached as well;
 *		both calls count as what-if calls); later calls restrict their join
 *		searches to the recorded joins.  res->restricted says whether the
 *		answer may be an upper bound.  The single_query strategy, a baseline
 *		to compare with, always plans in full: restricted costs would steer
 *		its per-query choices and weaken the comparison.
 */
void
pga_whatif_cost_plan(PgaRun *run, PgaQuery *q, List *hypos,
					 PgaPlanResult *res)
{
	PgaJoinMemo *memo;

	if (!pga_whatif_reuse_join_orders ||
		pga_advisor_strategy == PGA_STRATEGY_SINGLE_QUERY ||
		run->cost_cache == NULL ||
		pga_cost_cache_is_exact_only(run->cost_cache))
	{
		pga_plan_query(q->query, q->text, hypos, res, false);
		return;
	}

	memo = pga_cost_cache_join_memo(run->cost_cache, q->idx);
	if (memo->trained)
	{
		if (memo->searches == NIL)
			pga_plan_query(q->query, q->text, hypos, res, false);
		else
			pga_plan_with_joins(q->query, q->text, hypos, res, memo,
								PGA_JOINS_RESTRICT);
		return;
	}

	pga_plan_with_joins(q->query, q->text, hypos, res, memo, PGA_JOINS_RECORD);
	memo->trained = true;
	if (memo->searches != NIL)
	{
		PgaPlanResult other;
		List	   *all = NIL;
		Bitmapset  *used = NULL;
		int			k = -1;
		int			pos = 0;

		pga_plan_with_joins(q->query, q->text, NIL, &other, memo,
							PGA_JOINS_RECORD);
		while ((k = bms_next_member(q->cands, k)) >= 0)
			all = lappend(all, run->cands[k]->hypo);
		pga_plan_with_joins(q->query, q->text, all, &other, memo,
							PGA_JOINS_RECORD);
		k = -1;
		while ((k = bms_next_member(q->cands, k)) >= 0)
		{
			if (bms_is_member(pos, other.used))
				used = bms_add_member(used, k);
			pos++;
		}
		pga_cost_cache_store(run->cost_cache, q->idx, q->cands,
							 other.total_cost, used, false);
		run->stats.whatif_calls += 2;
	}
}

/*
 * architect.whatif_join_reuse(query text, indexes text[], trained_with text[])
 *		Shows what re-using join orders does to one costing: the query is
 *		planned in full (recording its join trees) with no new index and
 *		with the trained_with indexes, then under indexes both in full and
 *		with its join searches restricted to the recorded joins.  One row:
 *		full_cost, reused_cost, reused (whether a join search was
 *		restricted), recorded_joins (pairs recorded over all join searches).
 */
Datum
pga_whatif_join_reuse(PG_FUNCTION_ARGS)
{
	char	   *query_string;
	List	   *hypos;
	List	   *trained;
	Query	   *query;
	PgaPlanResult res;
	PgaPlanResult full;
	PgaJoinMemo *memo;
	MemoryContext cxt;
	ListCell   *lc;
	int			pairs = 0;
	TupleDesc	tupdesc;
	Datum		values[4];
	bool		isnull[4] = {0};

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("query, indexes and trained_with must not be NULL"),
				 errhint("Pass the query text and two arrays of CREATE INDEX statements, possibly empty.")));
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	query_string = text_to_cstring(PG_GETARG_TEXT_PP(0));
	hypos = pga_hypo_list_from_array(PG_GETARG_ARRAYTYPE_P(1));
	trained = pga_hypo_list_from_array(PG_GETARG_ARRAYTYPE_P(2));
	query = pga_prepare_query_or_error(query_string, "architect.whatif_join_reuse()");

	cxt = AllocSetContextCreate(CurrentMemoryContext,
								"pg_architect join order re-use",
								ALLOCSET_DEFAULT_SIZES);
	memo = pga_join_memo_create(cxt);

	pga_plan_query(query, query_string, NIL, &full, true);
	/* What EXPLAIN would refuse, we refuse: the caller must be able to run it. */
	(void) ExecCheckRTPerms(full.rtable, true);

	pga_plan_with_joins(query, query_string, NIL, &res, memo, PGA_JOINS_RECORD);
	pga_plan_with_joins(query, query_string, trained, &res, memo,
						PGA_JOINS_RECORD);
	pga_plan_query(query, query_string, hypos, &full, false);
	pga_plan_with_joins(query, query_string, hypos, &res, memo,
						PGA_JOINS_RESTRICT);
	foreach(lc, memo->searches)
		pairs += list_length(((PgaJoinSearch *) lfirst(lc))->pairs);
	MemoryContextDelete(cxt);

	values[0] = Float8GetDatum(full.total_cost);
	values[1] = Float8GetDatum(res.total_cost);
	values[2] = BoolGetDatum(res.restricted);
	values[3] = Int32GetDatum(pairs);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc),
													  values, isnull)));
}

/*
 * architect.whatif_join_reuse_stats()
 *		What-if planner calls of this backend whose join search was
 *		restricted to recorded join orders, of all its what-if calls.
 */
Datum
pga_whatif_join_reuse_stats(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[2];
	bool		isnull[2] = {0};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	values[0] = Int64GetDatum(pga_whatif_restricted);
	values[1] = Int64GetDatum(pga_whatif_calls);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc),
													  values, isnull)));
}
