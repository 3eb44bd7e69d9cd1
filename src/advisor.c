/*-------------------------------------------------------------------------
 *
 * advisor.c
 *	  Index selection for a whole workload under a storage budget, and the
 *	  SQL functions architect.recommend_indexes(),
 *	  architect.recommend_indexes_for(), architect.workload_whatif() and
 *	  architect.advisor_stats().
 *
 * The problem: choose the set S of candidate indexes (candidates.c) that
 * minimises
 *
 *		sum over queries q of  w(q) * cost(q, S)   +   sum over s in S of  m(s)
 *
 * with the total estimated size of S within budget_mb and at most
 * max_indexes indexes, where w(q) is q's number of executions corrected by
 * its measured time (workload.c, pga_time_weights), cost(q, S)
 * the planner's estimated cost of q with the indexes of S as hypothetical
 * indexes (whatif.c), and m(s) the estimated cost of maintaining s under
 * the measured writes (below).  Index interactions are real: an index
 * chosen for one query changes what another is worth (two indexes on the
 * same table compete; a join index makes a nested loop possible only with
 * the right index on the other side), so costs are always taken with the
 * whole relevant set active, never added up per index.
 *
 * The method is a greedy search with lazy re-evaluation followed by a
 * local search, in eight steps (2 to 5 are run from five starting points,
 * the best result is kept, and 6 and 7 refine it):
 *
 *	1. Each candidate alone: cost(q, {c}) for the queries that read c's
 *	   leading key.  Candidates that help no query, cost more to maintain
 *	   than they save, or exceed the budget by themselves are dropped.
 *	2. Greedy: repeatedly take the candidate with the best gain (or, under
 *	   a budget, gain per byte), where the gain of the top candidate is
 *	   re-evaluated against the current selection before it is accepted
 *	   (lazy evaluation: gains computed in an earlier round are upper
 *	   guesses, refreshed only for the candidate about to be taken).  Under
 *	   a budget both orders matter (the usual guard of ratio-greedy knapsack
 *	   heuristics).  Each order is run twice: with gains over the queries
 *	   an index helps alone, and with gains net of the queries it makes
 *	   dearer (pga_gain_if_added says why both); a fifth start is each
 *	   query's own best one- or two-column B-tree, taken greedily, so that
 *	   the result is never worse than advice given one query at a time.
 *	3. Local search: drop any chosen index that no longer pays for itself
 *	   given the others, then try swapping each chosen index for one of the
 *	   best unchosen candidates of its table when that lowers the objective
 *	   within the budget; then add what the budget still allows.
 *	4. Guard rails: an index whose served queries (those whose plans use
 *	   it) gain less than pg_architect.min_improvement percent, together
 *	   and (with pg_architect.min_improvement_per_query) each, is dropped,
 *	   and so are indexes that make a query's estimated cost more than
 *	   pg_architect.max_regression percent worse than today (of those its
 *	   plan uses, the one whose absence helps it most, until it is within
 *	   the limit).  Costs here and everywhere include the misestimate
 *	   guard's corrections (advisor_risk.c).
 *	5. Drop and refill: each chosen index in turn is taken out, the bytes
 *	   it frees are refilled greedily from the other candidates (any table)
 *	   and the guard rails applied again; the change is kept when the
 *	   objective drops.  This trades one big index for several small ones,
 *	   or the reverse, which the same-table swaps of step 3 cannot.
 *	6. Refill past the rails, once, on the best result of the five starts:
 *	   refill greedily and apply the guard rails, keeping what the rails
 *	   drop out of the next refill, a few rounds, so that the budget and
 *	   the index count go to candidates past an index the greedy keeps
 *	   taking and the rails keep dropping (pga_refill_past_rails).
 *	7. Exchange, on that result: each chosen index for one of the best
 *	   unchosen candidates that compete for its queries, any table, the
 *	   rest refilled and the guard rails applied; kept when the objective
 *	   drops (pga_exchange).
 *	8. Join pairs: a join probe that helped no query alone is tried with
 *	   a join candidate of another table for the same query, the two added
 *	   together and the guard rails applied; kept when the objective drops
 *	   (pga_join_pairs: probes that the random-fetch guard charges less
 *	   once the outer side is a probe by the same key).
 *
 * This is not the "Extend" algorithm (which grows indexes column by column
 * and is patented): candidates are complete definitions derived from the
 * queries, and the search only adds, removes and swaps whole indexes.
 *
 * Costs are cached by (query, set of relevant candidates in S): the same
 * combination is never planned twice, and pg_architect.max_whatif_calls
 * caps the planner calls of a run (the best selection found so far is then
 * returned, and advisor_stats() says the cap was reached).
 *
 * Write cost m(s): the rows the workload's own INSERT, UPDATE and DELETE
 * statements write (workload.c: measured by pg_stat_statements or capture,
 * over the same window as the reads), each new index entry costing about
 * one page access plus the CPU of descending the tree (times
 * pg_architect.write_cost_factor; GIN four times that, for its several
 * entries per row).  Every inserted row adds an entry; an updated row adds
 * one unless the update is HOT (the table's HOT share, from
 * pg_stat_user_tables); and an index on a column an UPDATE statement sets
 * makes that statement's HOT updates non-HOT, each then adding an entry to
 * every index of the table.  Deleted rows cost their index entries'
 * clean-up.
 *
 * Locking: none of its own; see workload.c and whatif.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "commands/defrem.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "portability/instr_time.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/syscache.h"

#include "advisor.h"
#include "guc.h"
#include "pg_architect.h"
#include "whatif.h"

PG_FUNCTION_INFO_V1(pga_recommend_indexes);
PG_FUNCTION_INFO_V1(pga_recommend_indexes_for);
PG_FUNCTION_INFO_V1(pga_advisor_stats);
PG_FUNCTION_INFO_V1(pga_workload_whatif);

static void pga_put_row(ReturnSetInfo *rsinfo, Datum *values, bool *nulls);

PgaRunStats pga_last_stats;

/*
 * How much more an index must save, alone, than a candidate it extends
 * (with more key or INCLUDE columns) to stay in the running.
 */
#define PGA_EXTENSION_GAIN 0.10

/* Gains within this fraction of each other are a tie; the smaller wins. */
#define PGA_TIE 0.05

/*
 * An index whose gain, given those already chosen, is below this fraction
 * of its gain alone is redundant with them.
 */
#define PGA_REDUNDANT 0.10

/* Refill rounds of pga_refill_past_rails. */
#define PGA_PAST_RAILS_ROUNDS 8

/*
 * The exchange step (pga_exchange): how many unchosen candidates it tries in
 * place of each chosen index, and how many passes over the selection.
 */
#define PGA_EXCHANGE_TRIES 4
#define PGA_EXCHANGE_PASSES 2
#define PGA_PAIR_TRIES 64		/* join pairs tried in full, per run */
static bool pga_have_stats = false;

/* A selection in progress. */
typedef struct PgaSel
{
	Bitmapset  *set;			/* chosen candidate ids */
	double		bytes;			/* their estimated size */
	double	   *cost;			/* per query: cost under set */
	Bitmapset **used;			/* per query: chosen candidates it uses */
} PgaSel;

/*
 * pga_regression_limit
 *		The cost above which q fails the max_regression guard rail.
 */
static inline double
pga_regression_limit(PgaQuery *q)
{
	return q->base_cost * (1.0 + pga_max_regression / 100.0);
}

/* Arguments of one pga_risk_plan(), for pga_subxact_run(). */
typedef struct PgaRiskPlanCall
{
	PgaRun	   *run;
	PgaQuery   *q;
	List	   *hypos;
	PgaPlanResult *res;
} PgaRiskPlanCall;

/*
 * pga_debug_whatif_error
 *		pg_architect.debug_whatif_error_table (tests only): fail like
 *		PostgreSQL's planner failing, with an internal error, when one of
 *		hypos is on a table of that name (any schema).
 */
static void
pga_debug_whatif_error(List *hypos)
{
	ListCell   *lc;

	if (pga_debug_whatif_error_table == NULL ||
		pga_debug_whatif_error_table[0] == '\0')
		return;
	foreach(lc, hypos)
	{
		char	   *relname = get_rel_name(((PgaHypoIndex *) lfirst(lc))->relid);

		if (relname != NULL &&
			strcmp(relname, pga_debug_whatif_error_table) == 0)
			elog(ERROR, "what-if planning failed as pg_architect.debug_whatif_error_table asks");
	}
}

static void
pga_risk_plan_subxact(void *arg)
{
	PgaRiskPlanCall *c = (PgaRiskPlanCall *) arg;

	pga_debug_whatif_error(c->hypos);
	pga_risk_plan(c->run, c->q, c->hypos, c->res);	/* advisor_risk.c */
}

/*
 * pga_plan_or_refuse
 *		One what-if planning of q under hypos (pga_risk_plan) in a
 *		subtransaction.  The workload may hold any statement an application
 *		ran, and an index set can open a path on which PostgreSQL's own
 *		planner fails with an internal error (sqlsmith found "plan should
 *		not reference subplan's variable" this way); such a set is costed as
 *		unplannable (infinite), so that no selection keeps it, and the run
 *		goes on (pga_subxact_run; pga_risk_plan's result is written in
 *		res, which lives outside the subtransaction).  Any other error (a
 *		cancel, out of memory) is raised again.  Returns false when the set
 *		was refused.
 */
static bool
pga_plan_or_refuse(PgaRun *run, PgaQuery *q, List *hypos, PgaPlanResult *res)
{
	PgaRiskPlanCall call = {run, q, hypos, res};
	ErrorData  *edata = pga_subxact_run(pga_risk_plan_subxact, &call, true);

	if (edata == NULL)
		return true;
	if (edata->sqlerrcode != ERRCODE_INTERNAL_ERROR)
		ReThrowError(edata);
	if (message_level_is_interesting(DEBUG1))
	{
		StringInfoData ddls;
		ListCell   *lc;

		/* What it takes to try the same with real indexes. */
		initStringInfo(&ddls);
		foreach(lc, hypos)
			appendStringInfo(&ddls, "%s; ",
							 pga_hypo_ddl((PgaHypoIndex *) lfirst(lc), false));
		ereport(DEBUG1,
				(errmsg("what-if planning of query " INT64_FORMAT " failed under %d hypothetical indexes: %s",
						q->queryid, list_length(hypos), edata->message),
				 errdetail("The index set is costed as unplannable for that query. Indexes: %sStatement: %s",
						   ddls.data, q->text)));
		pfree(ddls.data);
	}
	FreeErrorData(edata);
	run->stats.unplannable_plans++;
	memset(res, 0, sizeof(*res));
	res->total_cost = get_float8_infinity();
	return false;
}

/*
 * pga_cost
 *		The cost of q with the candidates of S that may serve it, from the
 *		cache or from one planner call.  When the call cap is reached the
 *		answer is q's cost under no new index and run->stats.capped is set.
 */
static double
pga_cost(PgaRun *run, PgaQuery *q, Bitmapset *S, Bitmapset **used)
{
	Bitmapset  *rel = bms_intersect(S, q->cands);
	PgaPlanResult res;
	List	   *hypos = NIL;
	Bitmapset  *cused = NULL;
	double		cost;
	int			k;
	int			pos;

	/*
	 * rel is freed on every way out: this is called millions of times in a
	 * run over thousands of candidates (bench_advisor_scale.sh), and the
	 * cache keeps its own copy.
	 */
	if (used)
		*used = NULL;
	if (bms_is_empty(rel))
	{
		bms_free(rel);
		return q->base_cost;
	}

	/* Asked before, or derivable from a plan under a larger set (whatif.c). */
	if (pga_cost_cache_lookup(run->cost_cache, q->idx, rel, &cost, &cused))
	{
		bms_free(rel);
		if (used)
			*used = cused;
		return cost;
	}
	if (run->stats.whatif_calls >= pga_max_whatif_calls)
	{
		bms_free(rel);
		run->stats.capped = true;
		return q->base_cost;
	}

	CHECK_FOR_INTERRUPTS();
	k = -1;
	while ((k = bms_next_member(rel, k)) >= 0)
		hypos = lappend(hypos, run->cands[k]->hypo);
	if (!pga_plan_or_refuse(run, q, hypos, &res))
	{
		/* Every index of the set counts as used: nothing derives from it. */
		res.used = bms_add_range(NULL, 0, list_length(hypos) - 1);
	}
	run->stats.whatif_calls++;

	pos = 0;
	k = -1;
	while ((k = bms_next_member(rel, k)) >= 0)
	{
		if (bms_is_member(pos, res.used))
			cused = bms_add_member(cused, k);
		pos++;
	}
	pga_cost_cache_store(run->cost_cache, q->idx, rel, res.total_cost, cused,
						 res.restricted);
	bms_free(rel);
	if (used)
		*used = cused;
	return res.total_cost;
}

/*
 * pga_index_attrs
 *		Columns an index reads (keys, INCLUDE, expressions, predicate).
 */
static Bitmapset *
pga_index_attrs(PgaHypoIndex *h)
{
	Bitmapset  *cols = NULL;
	Bitmapset  *vars = NULL;
	int			i;
	int			k;

	for (i = 0; i < h->ncolumns; i++)
		if (h->indexkeys[i] > 0)
			cols = bms_add_member(cols, h->indexkeys[i]);
	pull_varattnos((Node *) h->indexprs, 1, &vars);
	pull_varattnos((Node *) h->indpred, 1, &vars);
	k = -1;
	while ((k = bms_next_member(vars, k)) >= 0)
		if (k + FirstLowInvalidHeapAttributeNumber > 0)
			cols = bms_add_member(cols, k + FirstLowInvalidHeapAttributeNumber);
	return cols;
}

/*
 * pga_reltuples
 *		pg_class.reltuples of a table (0 when unknown).
 */
static double
pga_reltuples(Oid relid)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	double		n = 0;

	if (HeapTupleIsValid(tup))
	{
		n = Max(((Form_pg_class) GETSTRUCT(tup))->reltuples, 0);
		ReleaseSysCache(tup);
	}
	return n;
}

/*
 * pga_write_cost
 *		Estimated cost of maintaining candidate c under the workload's writes
 *		(see the file header).  *hot_rows is set to the updated rows that
 *		would lose HOT.
 */
static double
pga_write_cost(PgaCand *c, double *hot_rows)
{
	PgaTable   *t = c->table;
	PgaHypoIndex *h = c->hypo;
	Bitmapset  *attrs = pga_index_attrs(h);
	double		per_entry;
	double		frac = 1.0;
	double		reltuples;
	double		cost;
	ListCell   *lc;

	per_entry = seq_page_cost + cpu_index_tuple_cost +
		Max(h->tree_height, 0) * cpu_operator_cost;
	if (h->amoid == GIN_AM_OID)
		per_entry *= 4.0;		/* several entries per row */
	reltuples = pga_reltuples(h->relid);
	if (h->indpred != NIL && reltuples > 0)
		frac = Min(1.0, h->tuples / reltuples);

	*hot_rows = 0;
	cost = t->ins_rows * per_entry * frac;
	foreach(lc, t->updates)
	{
		PgaUpdate  *u = (PgaUpdate *) lfirst(lc);

		if (bms_overlap(u->attrs, attrs))
		{
			/* A new entry here, and HOT updates now touch every index. */
			cost += u->rows * per_entry * frac +
				u->rows * t->hot_ratio * t->n_indexes * per_entry;
			*hot_rows += u->rows * t->hot_ratio;
		}
		else
			cost += u->rows * (1.0 - t->hot_ratio) * per_entry * frac;
	}
	cost += t->del_rows * cpu_index_tuple_cost;
	return cost * pga_write_cost_factor;
}

static void
pga_sel_init(PgaRun *run, PgaSel *sel)
{
	int			i;

	sel->set = NULL;
	sel->bytes = 0;
	sel->cost = palloc(sizeof(double) * Max(run->nqueries, 1));
	sel->used = palloc0(sizeof(Bitmapset *) * Max(run->nqueries, 1));
	for (i = 0; i < run->nqueries; i++)
		sel->cost[i] = run->qarr[i]->base_cost;
}

static void
pga_sel_copy(PgaRun *run, PgaSel *dst, PgaSel *src)
{
	dst->set = bms_copy(src->set);
	dst->bytes = src->bytes;
	memcpy(dst->cost, src->cost, sizeof(double) * run->nqueries);
	memcpy(dst->used, src->used, sizeof(Bitmapset *) * run->nqueries);
}

/*
 * pga_sel_objective
 *		Weighted workload cost plus maintenance cost of a selection.
 */
static double
pga_sel_objective(PgaRun *run, PgaSel *sel)
{
	double		total = 0.0;
	int			i;
	int			k;

	for (i = 0; i < run->nqueries; i++)
		total += run->qarr[i]->weight * sel->cost[i];
	k = -1;
	while ((k = bms_next_member(sel->set, k)) >= 0)
		total += run->cands[k]->write_cost;
	return total;
}

/*
 * pga_sel_set
 *		Change the selection to S and refresh the costs of the queries the
 *		change affects.
 */
static void
pga_sel_set(PgaRun *run, PgaSel *sel, Bitmapset *S)
{
	Bitmapset  *added = bms_difference(S, sel->set);
	Bitmapset  *removed = bms_difference(sel->set, S);
	Bitmapset  *changed = bms_union(added, removed);
	Bitmapset  *affected = NULL;
	int			i;
	int			k;

	/*
	 * The queries whose candidates overlap the change, in query order: the
	 * union of the changed candidates' entries of the inverse of
	 * q->cands, built once per run (a pass over every query's candidates
	 * for each change was a tenth of a run over 1,000 queries).
	 */
	if (run->cand_queries == NULL)
	{
		run->cand_queries = MemoryContextAllocZero(run->cxt, sizeof(Bitmapset *) *
												   Max(run->ncands, 1));
		for (i = 0; i < run->nqueries; i++)
		{
			k = -1;
			while ((k = bms_next_member(run->qarr[i]->cands, k)) >= 0)
				run->cand_queries[k] = bms_add_member(run->cand_queries[k], i);
		}
	}
	k = -1;
	while ((k = bms_next_member(changed, k)) >= 0)
		affected = bms_add_members(affected, run->cand_queries[k]);

	sel->set = S;
	sel->bytes = 0;
	k = -1;
	while ((k = bms_next_member(S, k)) >= 0)
		sel->bytes += run->cands[k]->size;
	i = -1;
	while ((i = bms_next_member(affected, i)) >= 0)
		sel->cost[i] = pga_cost(run, run->qarr[i], S, &sel->used[i]);
	bms_free(affected);
	bms_free(changed);
	bms_free(added);
	bms_free(removed);
}

/*
 * pga_meaningful
 *		The minimum-gain rule (pg_architect.min_improvement): an index must
 *		save that percentage of the estimated cost of the queries whose
 *		plans use it, together, or, with
 *		pg_architect.min_improvement_per_query on, of at least one of them.
 *		The second reading matters for an index that serves a cheap query
 *		well and also a much dearer one a little: together the dearer one's
 *		small gain dilutes the other's (e.g. 39 % for one query, 4 % for the
 *		other, 8 % together), yet the first query's gain is meaningful.
 */
static bool
pga_meaningful(double together_pct, double best_query_pct)
{
	if (together_pct >= pga_min_improvement)
		return true;
	return pga_min_improvement_per_query &&
		best_query_pct >= pga_min_improvement;
}

/*
 * pga_gain_compute
 *		Weighted cost saved by adding c to the selection, less c's
 *		maintenance cost: over the queries c helps on its own (c->helps),
 *		or, when run->net_gain, over every query whose plan c may change.
 *
 *		With c in the set the planner may pick, for a query c does not
 *		help alone, a plan it costs lower but that the misestimate or
 *		random-fetch guard costs higher (a nested loop probing c, its
 *		fetches charged as random reads).  Counting only c->helps ignores
 *		that loss: on TPC-H at 10 MB the greedy took an index whose gain
 *		of about 12,000 hid a loss of about 98,000 elsewhere; it used up
 *		the budget, the guard rails dropped it, and each refill took it
 *		again, so the freed bytes never went to another index
 *		(sql/27_advisor_net_gain.sql).  The net gain is not always the
 *		better guide either: an index that hurts a query until a second
 *		index gives that query a better plan pays off only as a pair, which
 *		the net gain, one index at a time, never takes.  The selection
 *		therefore runs its greedy starts both ways (pga_recommend_run).
 */
static double
pga_gain_compute(PgaRun *run, PgaSel *sel, PgaCand *c)
{
	Bitmapset  *S = bms_add_member(bms_copy(sel->set), c->id);
	double		gain = 0.0;
	double		served_before = 0.0;
	double		served_after = 0.0;
	double		best_pct = 0.0;
	int			i = -1;

	while ((i = bms_next_member(run->net_gain ? c->queries : c->helps, i)) >= 0)
	{
		PgaQuery   *q = run->qarr[i];
		Bitmapset  *used;
		double		after = pga_cost(run, q, S, &used);
		double		limit = pga_regression_limit(q);

		/*
		 * Nor, net of what it changes, one with which a query would fail
		 * the max_regression rail: each refill would take it again.
		 */
		if (run->net_gain && after > limit && sel->cost[i] <= limit)
		{
			bms_free(S);
			return 0.0;
		}
		gain += q->weight * (sel->cost[i] - after);
		if (bms_is_member(c->id, used))
		{
			served_before += q->weight * sel->cost[i];
			served_after += q->weight * after;
			if (sel->cost[i] > 0)
				best_pct = Max(best_pct,
							   100.0 * (sel->cost[i] - after) / sel->cost[i]);
		}
	}

	bms_free(S);

	/*
	 * The guard rail of step 4, applied here already so that the budget
	 * goes to indexes that will pass it: too small a gain on the queries
	 * it would serve, and the index is not worth adding.
	 */
	if (served_before <= 0 ||
		!pga_meaningful(100.0 * (served_before - served_after) / served_before,
						best_pct))
		return 0.0;
	return gain - c->write_cost;
}

/*
 * Gains remembered (pga_gain_if_added).  The gain of c given the selection
 * S depends only on S's members among the candidates of the queries it
 * sums over: each term is a cost of one of those queries under S or S + c,
 * and a cost depends only on the members of the set among the query's own
 * candidates (pga_cost; the cache answers the same question the same way).
 * So a gain computed under S is still the gain under any S' that has the
 * same members there, and is not computed again.  The greedy asks for the
 * same gains over and over: each drop-and-refill round starts from the
 * single-index gains and re-evaluates most candidates, while the selection
 * differs from the last round in one or two indexes of one table.
 */
typedef struct PgaGainMemo
{
	Bitmapset  *near;			/* candidates of the queries summed over */
	Bitmapset  *seen;			/* S & near when gain was computed */
	bool		have;
	double		gain;
} PgaGainMemo;

/*
 * pga_meet_equals
 *		Is a & b equal to m?  Without building a & b: word by word.
 */
static bool
pga_meet_equals(const Bitmapset *a, const Bitmapset *b, const Bitmapset *m)
{
	int			na = a ? a->nwords : 0;
	int			nb = b ? b->nwords : 0;
	int			nm = m ? m->nwords : 0;
	int			n = Max(Min(na, nb), nm);
	int			w;

	for (w = 0; w < n; w++)
	{
		bitmapword x = (w < na && w < nb) ? (a->words[w] & b->words[w]) : 0;
		bitmapword y = w < nm ? m->words[w] : 0;

		if (x != y)
			return false;
	}
	return true;
}

/*
 * pga_gain_if_added
 *		pga_gain_compute(), remembered per candidate and per kind of gain
 *		(run->net_gain) for the members of the selection it depends on.
 */
static double
pga_gain_if_added(PgaRun *run, PgaSel *sel, PgaCand *c)
{
	PgaGainMemo *m;

	if (run->gain_memo == NULL)
		run->gain_memo = MemoryContextAllocZero(run->cxt,
												sizeof(PgaGainMemo) * 2 *
												Max(run->ncands, 1));
	m = &run->gain_memo[(run->net_gain ? run->ncands : 0) + c->id];
	if (!m->have)
	{
		int			i = -1;

		while ((i = bms_next_member(run->net_gain ? c->queries : c->helps, i)) >= 0)
			m->near = bms_add_members(m->near, run->qarr[i]->cands);
	}
	else if (pga_meet_equals(sel->set, m->near, m->seen))
		return m->gain;
	m->gain = pga_gain_compute(run, sel, c);
	bms_free(m->seen);
	m->seen = bms_intersect(sel->set, m->near);
	m->have = true;
	return m->gain;
}

/*
 * pga_fits_budget
 *		Do c's bytes fit in the budget, with freed_bytes of the selection
 *		given back?
 */
static bool
pga_fits_budget(PgaRun *run, PgaSel *sel, PgaCand *c, double freed_bytes)
{
	return run->budget < 0 || sel->bytes - freed_bytes + c->size <= run->budget;
}

/*
 * pga_fits
 *		May c join the selection within the budget and the index count?
 */
static bool
pga_fits(PgaRun *run, PgaSel *sel, PgaCand *c, double freed_bytes,
		 int freed_count)
{
	if (bms_num_members(sel->set) - freed_count >= run->max_indexes)
		return false;
	return pga_fits_budget(run, sel, c, freed_bytes);
}

/*
 * pga_greedy
 *		Step 2: greedy selection with lazy re-evaluation, by gain or by gain
 *		per byte.
 */
static void
pga_greedy(PgaRun *run, PgaSel *sel, bool by_ratio)
{
	int			n = Max(run->ncands, 1);
	double	   *prio = palloc(sizeof(double) * n);
	double	   *size = palloc(sizeof(double) * n);
	int		   *stamp = palloc0(sizeof(int) * n);
	int		   *active = palloc(sizeof(int) * n);
	int		   *held = palloc(sizeof(int) * n);	/* successive bests of a scan */
	int		   *held_pos = palloc(sizeof(int) * n);	/* their positions */
	int			nheld = 0;
	int			nactive = 0;
	int			nsel = bms_num_members(sel->set);
	int			round = 1;
	int			resume = 0;		/* scan from this position of active */
	int			i;

	for (i = 0; i < run->ncands; i++)
	{
		PgaCand    *c = run->cands[i];

		prio[i] = by_ratio ? c->benefit1 / Max(c->size, 1.0) : c->benefit1;
		size[i] = c->size;
		if (!c->dead && prio[i] > 0 && !bms_is_member(i, sel->set))
			active[nactive++] = i;
	}

	for (;;)
	{
		int			best = nheld > 0 ? held[nheld - 1] : -1;
		double		best_prio = best >= 0 ? prio[best] : 0;
		double		best_size = best >= 0 ? size[best] : 0;
		int			a;
		int			kept = resume;

		/*
		 * The scan keeps, in candidate order, only those that may still be
		 * taken: within this call the selection and its bytes only grow,
		 * and a priority only changes when its candidate is the best, so a
		 * candidate that is chosen, does not fit or has no gain left never
		 * comes back.  The count of the selection does not change during
		 * the scan either.  A chosen candidate gets priority 0.
		 *
		 * After a re-evaluation (no candidate taken), only the best's
		 * priority changed: the scan up to its position would find and
		 * keep the same, so it resumes there, with the successive bests
		 * found before that position (held, a stack).  (Scanning every
		 * candidate after each re-evaluation, with function calls for
		 * each, was half of a run over 3,000 candidates:
		 * bench_advisor_scale.sh.)
		 */
		if (nsel >= run->max_indexes)
			break;
		for (a = resume; a < nactive; a++)
		{
			double		p;

			i = active[a];
			p = prio[i];
			/* pga_fits_budget(), with the same arithmetic */
			if (p <= 0 ||
				(run->budget >= 0 && !(sel->bytes - 0 + size[i] <= run->budget)))
				continue;
			/* Near ties (within PGA_TIE) go to the smaller index. */
			if (best < 0 || p > best_prio * (1.0 + PGA_TIE) ||
				(p >= best_prio * (1.0 - PGA_TIE) && size[i] < best_size))
			{
				best = i;
				best_prio = p;
				best_size = size[i];
				held[nheld] = i;
				held_pos[nheld] = kept;
				nheld++;
			}
			active[kept++] = i;
		}
		nactive = kept;
		if (best < 0 || run->stats.capped)
			break;

		if (stamp[best] == round)
		{
			/* Its gain is up to date and still the best: take it. */
			pga_sel_set(run, sel, bms_add_member(bms_copy(sel->set), best));
			prio[best] = 0;
			nsel++;
			round++;
			resume = 0;
			nheld = 0;
			continue;
		}
		{
			PgaCand    *c = run->cands[best];
			double		gain = pga_gain_if_added(run, sel, c);

			/* Mostly redundant with what is chosen: not this time. */
			if (gain < PGA_REDUNDANT * c->benefit1)
				gain = 0;
			prio[best] = by_ratio ? gain / Max(c->size, 1.0) : gain;
			stamp[best] = round;
		}
		/* The best is the top of held: resume at it, with those before. */
		nheld--;
		resume = held_pos[nheld];
	}
	pfree(prio);
	pfree(size);
	pfree(stamp);
	pfree(active);
	pfree(held);
	pfree(held_pos);
}

/*
 * pga_local_search
 *		Step 3: drop indexes that do not pay for themselves given the
 *		others; swap a chosen index for a better unchosen one of the same
 *		table.
 */
static void
pga_local_search(PgaRun *run, PgaSel *sel)
{
	Bitmapset  *chosen = bms_copy(sel->set);
	int			k;
	double		obj = pga_sel_objective(run, sel);
	PgaSel		trial;

	pga_sel_init(run, &trial);

	/* Drop what no longer pays. */
	k = -1;
	while ((k = bms_next_member(chosen, k)) >= 0 && !run->stats.capped)
	{
		double		o;

		pga_sel_copy(run, &trial, sel);
		pga_sel_set(run, &trial, bms_del_member(bms_copy(sel->set), k));
		o = pga_sel_objective(run, &trial);
		if (o <= obj)
		{
			pga_sel_copy(run, sel, &trial);
			obj = o;
		}
	}

	/* Swap with the best unchosen candidates of the same table. */
	chosen = bms_copy(sel->set);
	k = -1;
	while ((k = bms_next_member(chosen, k)) >= 0 && !run->stats.capped)
	{
		PgaCand    *s = run->cands[k];
		int			tried = 0;
		int			i;
		bool	   *seen = palloc0(sizeof(bool) * run->ncands);

		while (tried < 4 && !run->stats.capped)
		{
			int			best = -1;
			double		o;

			for (i = 0; i < run->ncands; i++)
			{
				PgaCand    *c = run->cands[i];

				if (seen[i] || c->dead || c->table != s->table ||
					bms_is_member(i, sel->set) || c->benefit1 <= 0)
					continue;
				if (best < 0 || c->benefit1 > run->cands[best]->benefit1)
					best = i;
			}
			if (best < 0)
				break;
			seen[best] = true;
			tried++;
			if (!pga_fits(run, sel, run->cands[best], s->size, 1))
				continue;
			pga_sel_copy(run, &trial, sel);
			pga_sel_set(run, &trial,
						bms_add_member(bms_del_member(bms_copy(sel->set), k), best));
			o = pga_sel_objective(run, &trial);

			/*
			 * A bigger index must win clearly (a near tie keeps the leaner
			 * one); a smaller one only has to be no worse.
			 */
			if (run->cands[best]->size > s->size ?
				o < obj - PGA_TIE * Max(s->benefit1, 0.0) :
				o <= obj)
			{
				pga_sel_copy(run, sel, &trial);
				obj = o;
				break;
			}
		}
		pfree(seen);
	}
}

/*
 * pga_drop_refill
 *		Step 5: for each chosen index, try the selection
 *		without it, refilled greedily from the other candidates with the
 *		bytes it frees and put through the guard rails again; keep it when
 *		that lowers the objective.  This
 *		trades one big index for several smaller ones (or the reverse),
 *		across tables, which the same-table swaps cannot.
 */
static void pga_guard_rails(PgaRun *run, PgaSel *sel);

static void
pga_drop_refill(PgaRun *run, PgaSel *sel, bool by_ratio)
{
	Bitmapset  *chosen = bms_copy(sel->set);
	double		obj = pga_sel_objective(run, sel);
	PgaSel		trial;
	int			k = -1;

	pga_sel_init(run, &trial);
	while ((k = bms_next_member(chosen, k)) >= 0 && !run->stats.capped)
	{
		PgaCand    *c = run->cands[k];
		bool		was_dead = c->dead;
		double		o;

		if (!bms_is_member(k, sel->set))
			continue;
		pga_sel_copy(run, &trial, sel);
		pga_sel_set(run, &trial, bms_del_member(bms_copy(sel->set), k));
		c->dead = true;			/* not back in the same round */
		pga_greedy(run, &trial, by_ratio);
		pga_guard_rails(run, &trial);
		c->dead = was_dead;
		o = pga_sel_objective(run, &trial);
		if (o < obj * (1.0 - 1e-6))
		{
			elog(DEBUG1, "drop %d and refill: objective %.1f -> %.1f", k, obj, o);
			pga_sel_copy(run, sel, &trial);
			obj = o;
		}
	}
}

/*
 * pga_refill_past_rails
 *		Step 6, on the best selection of the five starts: when the guard
 *		rails drop an index (a query it serves would regress more than
 *		max_regression), the refill that follows may take it again (its
 *		gain is still the best), and the rails drop it again: the bytes or
 *		the slot it held never go to the next candidate.  Here each refill
 *		is followed by the rails, and what the rails drop is kept out of the
 *		next refill, round after round (at most PGA_PAST_RAILS_ROUNDS), so
 *		that the refill reaches the candidates past the ones the rails
 *		refuse (e.g. a lookup index on another column of the same query,
 *		which does not make the join regress).  The best selection seen
 *		that lowers the objective is kept.  sql/28_advisor_past_rails.sql.
 */
static void
pga_refill_past_rails(PgaRun *run, PgaSel *sel, bool by_ratio)
{
	bool	   *was_dead = palloc(sizeof(bool) * Max(run->ncands, 1));
	double		obj = pga_sel_objective(run, sel);
	PgaSel		trial;
	int			round;
	int			i;

	for (i = 0; i < run->ncands; i++)
		was_dead[i] = run->cands[i]->dead;
	pga_sel_init(run, &trial);
	pga_sel_copy(run, &trial, sel);
	for (round = 0; round < PGA_PAST_RAILS_ROUNDS && !run->stats.capped; round++)
	{
		Bitmapset  *before = bms_copy(trial.set);
		Bitmapset  *taken;
		Bitmapset  *dropped;
		double		o;

		pga_greedy(run, &trial, by_ratio);
		if (bms_equal(before, trial.set))
			break;				/* nothing left to take */
		taken = bms_difference(trial.set, before);
		pga_guard_rails(run, &trial);
		dropped = bms_difference(bms_union(before, taken), trial.set);
		o = pga_sel_objective(run, &trial);
		if (o < obj * (1.0 - 1e-6))
		{
			elog(DEBUG1, "refill past the rails, round %d: objective %.1f -> %.1f",
				 round, obj, o);
			pga_sel_copy(run, sel, &trial);
			obj = o;
		}
		if (bms_is_empty(dropped))
			break;				/* the rails kept everything taken */
		i = -1;
		while ((i = bms_next_member(dropped, i)) >= 0)
			run->cands[i]->dead = true;
	}
	for (i = 0; i < run->ncands; i++)
		run->cands[i]->dead = was_dead[i];
	pfree(was_dead);
}

/*
 * pga_take_if_lower
 *		The end of a trial move (steps 7 and 8): the guard rails applied to
 *		trial, which becomes the selection when its objective is then lower
 *		than *obj (updated); what and a, b name the move in the DEBUG1
 *		message.
 */
static bool
pga_take_if_lower(PgaRun *run, PgaSel *sel, PgaSel *trial, double *obj,
				  const char *what, int a, int b)
{
	double		o;

	pga_guard_rails(run, trial);
	o = pga_sel_objective(run, trial);
	if (o >= *obj * (1.0 - 1e-6))
		return false;
	elog(DEBUG1, "%s %d, %d: objective %.1f -> %.1f", what, a, b, *obj, o);
	pga_sel_copy(run, sel, trial);
	*obj = o;
	return true;
}

/*
 * pga_exchange_next
 *		The unchosen candidate with the best gain alone that competes with
 *		chosen index out (may serve one of its queries), fits the budget and
 *		the index count in its place, and is not in tried; -1 if none.
 */
static int
pga_exchange_next(PgaRun *run, PgaSel *sel, PgaCand *out, bool *tried)
{
	int			best = -1;
	int			i;

	for (i = 0; i < run->ncands; i++)
	{
		PgaCand    *c = run->cands[i];

		if (tried[i] || c->dead || c->benefit1 <= 0 ||
			bms_is_member(i, sel->set) ||
			!bms_overlap(c->queries, out->queries) ||
			!pga_fits(run, sel, c, out->size, 1))
			continue;
		if (best < 0 || c->benefit1 > run->cands[best]->benefit1)
			best = i;
	}
	return best;
}

/*
 * pga_exchange
 *		Step 7, after step 6: each chosen index in turn is exchanged for one
 *		of the best unchosen candidates that compete for its queries (any
 *		table; at most PGA_EXCHANGE_TRIES of them); when that alone lowers
 *		the objective, what the budget leaves is refilled greedily (without
 *		the index taken out) and the guard rails applied, and the exchange
 *		is kept when the objective is still lower.  After a pass that kept
 *		one, a last greedy fill and the rails (the index taken out may fit
 *		again beside the one that replaced it).
 *
 *		It reaches what the refills cannot: an index that only fits once a
 *		chosen one leaves.  When the greedy keeps taking an index that the
 *		rails drop, the bytes it held may meanwhile have gone to a lesser
 *		index, which then holds them (sql/28_advisor_exchange.sql).  Step
 *		3's swaps stay within a table and come before the rails.
 */
static void
pga_exchange(PgaRun *run, PgaSel *sel, bool by_ratio)
{
	double		obj = pga_sel_objective(run, sel);
	bool		improved = true;
	PgaSel		trial;
	int			pass;

	pga_sel_init(run, &trial);
	for (pass = 0; pass < PGA_EXCHANGE_PASSES && improved; pass++)
	{
		Bitmapset  *chosen = bms_copy(sel->set);
		int			k = -1;

		improved = false;
		while ((k = bms_next_member(chosen, k)) >= 0 && !run->stats.capped)
		{
			PgaCand    *out = run->cands[k];
			bool	   *tried;
			int			n;

			if (!bms_is_member(k, sel->set))
				continue;
			tried = palloc0(sizeof(bool) * Max(run->ncands, 1));
			for (n = 0; n < PGA_EXCHANGE_TRIES && !run->stats.capped; n++)
			{
				int			in = pga_exchange_next(run, sel, out, tried);
				bool		was_dead = out->dead;

				if (in < 0)
					break;
				tried[in] = true;
				pga_sel_copy(run, &trial, sel);
				pga_sel_set(run, &trial,
							bms_add_member(bms_del_member(bms_copy(sel->set), k), in));
				if (pga_sel_objective(run, &trial) >= obj)
					continue;
				out->dead = true;	/* the refill must not take it back */
				pga_greedy(run, &trial, by_ratio);
				out->dead = was_dead;
				if (pga_take_if_lower(run, sel, &trial, &obj, "exchange", k, in))
				{
					improved = true;
					break;
				}
			}
			pfree(tried);
		}
		if (!improved || run->stats.capped)
			continue;
		pga_sel_copy(run, &trial, sel);
		pga_greedy(run, &trial, by_ratio);
		pga_guard_rails(run, &trial);
		if (pga_sel_objective(run, &trial) < obj * (1.0 - 1e-6))
		{
			pga_sel_copy(run, sel, &trial);
			obj = pga_sel_objective(run, sel);
		}
	}
}

/*
 * pga_join_pairs
 *		Step 8: join probes that pay off only in pairs.  A probe index whose
 *		outer rows would come after a hash join in no useful order is
 *		charged by the random-fetch guard for every probe; with an index
 *		that makes the outer side a probe by the same key, only for each
 *		new key (advisor_fetch_runs.c).  Then neither may help alone, step
 *		1 drops both, and no greedy step, which adds one index at a time,
 *		finds the pair.  Here each join candidate that helped no query
 *		alone is tried, for each query it may serve, with each join
 *		candidate of another table for that query (chosen or not; plain
 *		probes only, without INCLUDE columns: a covering variant that step
 *		1 or the pruning of extensions dropped stays dropped): when the
 *		query is cheaper with both than under the selection, the pair joins
 *		the selection, the guard rails are applied, and it is kept when the
 *		objective drops (at most PGA_PAIR_TRIES such trials per run).
 */
static void
pga_join_pairs(PgaRun *run, PgaSel *sel)
{
	double		obj = pga_sel_objective(run, sel);
	PgaSel		trial;
	int			tries = 0;
	int			i;

	pga_sel_init(run, &trial);
	for (i = 0; i < run->ncands; i++)
	{
		PgaCand    *c = run->cands[i];
		int			j = -1;
		bool		taken = false;

		if (!c->dead || !(c->kinds & PGA_KIND_JOIN) ||
			(c->kinds & PGA_KIND_COVER) ||
			!bms_is_empty(c->helps) || bms_is_member(i, sel->set))
			continue;
		while (!taken && (j = bms_next_member(c->queries, j)) >= 0)
		{
			PgaQuery   *q = run->qarr[j];
			int			k = -1;

			while (!taken && (k = bms_next_member(q->cands, k)) >= 0)
			{
				PgaCand    *d = run->cands[k];
				bool		d_chosen;
				Bitmapset  *S;

				if (run->stats.capped || tries >= PGA_PAIR_TRIES)
					return;
				if (d->table == c->table || !(d->kinds & PGA_KIND_JOIN) ||
					(d->kinds & PGA_KIND_COVER))
					continue;
				d_chosen = bms_is_member(k, sel->set);
				if (bms_num_members(sel->set) + (d_chosen ? 1 : 2) > run->max_indexes ||
					(run->budget >= 0 &&
					 sel->bytes + c->size + (d_chosen ? 0 : d->size) > run->budget))
					continue;
				S = bms_add_member(bms_add_member(bms_copy(sel->set), i), k);
				if (pga_cost(run, q, S, NULL) >= sel->cost[j] * (1.0 - 1e-9))
				{
					bms_free(S);
					continue;
				}
				tries++;
				pga_sel_copy(run, &trial, sel);
				pga_sel_set(run, &trial, S);
				taken = pga_take_if_lower(run, sel, &trial, &obj, "join pair",
										  i, k);
			}
		}
	}
}

/*
 * pga_served
 *		Queries whose plan under the selection uses candidate k.
 */
static Bitmapset *
pga_served(PgaRun *run, PgaSel *sel, int k)
{
	Bitmapset  *served = NULL;
	int			i;

	for (i = 0; i < run->nqueries; i++)
		if (bms_is_member(k, sel->used[i]))
			served = bms_add_member(served, i);
	return served;
}

/*
 * pga_served_all
 *		pga_served() for every chosen index at once, indexed by candidate id:
 *		one pass over the queries' plans instead of one per chosen index
 *		(the guard rails ask for all of them after every change, and a
 *		selection may hold hundreds of indexes).
 */
static Bitmapset **
pga_served_all(PgaRun *run, PgaSel *sel)
{
	Bitmapset **served = palloc0(sizeof(Bitmapset *) * Max(run->ncands, 1));
	int			i;
	int			k;

	for (i = 0; i < run->nqueries; i++)
	{
		k = -1;
		while ((k = bms_next_member(sel->used[i], k)) >= 0)
			served[k] = bms_add_member(served[k], i);
	}
	return served;
}

/*
 * pga_served_gain
 *		For chosen index k: weighted cost of its served queries without it
 *		(*before) and with it (*after).  When pct is not NULL, also each
 *		served query's own gain, in percent of its cost without k (the rest
 *		of the selection in place), in the order of served.
 */
static void
pga_served_gain(PgaRun *run, PgaSel *sel, int k, Bitmapset *served,
				double *before, double *after, double *pct)
{
	Bitmapset  *without = bms_del_member(bms_copy(sel->set), k);
	int			i = -1;
	int			n = 0;

	*before = 0;
	*after = 0;
	while ((i = bms_next_member(served, i)) >= 0)
	{
		PgaQuery   *q = run->qarr[i];
		double		b = pga_cost(run, q, without, NULL);

		*before += q->weight * b;
		*after += q->weight * sel->cost[i];
		if (pct)
			pct[n++] = b > 0 ? 100.0 * (b - sel->cost[i]) / b : 0.0;
	}
	bms_free(without);
}

/*
 * pga_guard_rails
 *		Step 4: every index must gain min_improvement percent on the queries
 *		it serves, and no query may get more than max_regression percent
 *		worse than with no new index.
 */
static void
pga_guard_rails(PgaRun *run, PgaSel *sel)
{
	bool		changed = true;

	while (changed && !bms_is_empty(sel->set))
	{
		int			worst = -1;
		double		worst_pct = 0;
		Bitmapset **served_all;
		int			k;
		int			i;

		changed = false;

		/*
		 * A query made worse: drop, of the chosen indexes its plan uses, the
		 * one whose absence makes it cheapest (the loop comes back while it
		 * is still too expensive), so that an index other queries need is
		 * not dropped with the one that hurts (e.g. a join lookup the
		 * misestimate guard re-costed).
		 */
		for (i = 0; i < run->nqueries && !changed; i++)
		{
			PgaQuery   *q = run->qarr[i];

			if (sel->cost[i] > pga_regression_limit(q))
			{
				Bitmapset  *drop = bms_intersect(sel->set,
												 sel->used[i] ? sel->used[i] : q->cands);
				int			best = -1;
				double		best_cost = 0;

				k = -1;
				while (bms_num_members(drop) > 1 &&
					   (k = bms_next_member(drop, k)) >= 0)
				{
					Bitmapset  *without = bms_del_member(bms_copy(sel->set), k);
					double		c = pga_cost(run, q, without, NULL);

					bms_free(without);

					if (best < 0 || c < best_cost)
					{
						best = k;
						best_cost = c;
					}
				}
				if (best >= 0)
					drop = bms_make_singleton(best);
				pga_sel_set(run, sel, bms_difference(sel->set, drop));
				changed = true;
			}
		}
		if (changed)
			continue;

		/* The index with the smallest gain on its queries, if too small. */
		served_all = pga_served_all(run, sel);
		k = -1;
		while ((k = bms_next_member(sel->set, k)) >= 0)
		{
			Bitmapset  *served = served_all[k];
			double		before;
			double		after;
			double		pct;
			double		best = 0;

			if (bms_is_empty(served))
				pct = 0;
			else
			{
				double	   *each = palloc(sizeof(double) * bms_num_members(served));
				int			j;

				pga_served_gain(run, sel, k, served, &before, &after, each);
				pct = before > 0 ? 100.0 * (before - after) / before : 0;
				for (j = 0; j < bms_num_members(served); j++)
					best = Max(best, each[j]);
				pfree(each);
			}
			if (!pga_meaningful(pct, best) && (worst < 0 || pct < worst_pct))
			{
				worst = k;
				worst_pct = pct;
			}
		}
		for (k = 0; k < run->ncands; k++)
			bms_free(served_all[k]);
		pfree(served_all);
		if (worst >= 0)
		{
			pga_sel_set(run, sel, bms_del_member(bms_copy(sel->set), worst));
			changed = true;
		}
	}
}

/*
 * pga_phase1
 *		Step 1: each candidate alone.
 */
static void
pga_phase1(PgaRun *run)
{
	int			i;

	for (i = 0; i < run->ncands; i++)
	{
		PgaCand    *c = run->cands[i];
		Bitmapset  *one = bms_make_singleton(i);
		double		gain = 0.0;
		double		hot_rows;
		int			j = -1;

		while ((j = bms_next_member(c->queries, j)) >= 0 && !run->stats.capped)
		{
			PgaQuery   *q = run->qarr[j];
			double		cost = pga_cost(run, q, one, NULL);

			if (cost < q->base_cost * (1.0 - 1e-9))
			{
				c->helps = bms_add_member(c->helps, j);
				gain += q->weight * (q->base_cost - cost);
			}
			else if (cost > pga_regression_limit(q))
				c->regresses = true;
		}
		pga_hypo_ensure_size(c->hypo);
		c->size = (double) c->hypo->pages * BLCKSZ;
		c->write_cost = pga_write_cost(c, &hot_rows);
		c->benefit1 = gain - c->write_cost;
		if (bms_is_empty(c->helps) || c->benefit1 <= 0 ||
			(run->budget >= 0 && c->size > run->budget))
			c->dead = true;
		if (message_level_is_interesting(DEBUG1))
		{
			if (c->hypo->name == NULL)
				pga_hypo_choose_name(c->hypo, NIL);
			elog(DEBUG1, "candidate %d %s: may serve %d, helps %d queries, gain %.1f, write cost %.1f, %.0f bytes%s",
				 i, pga_hypo_ddl(c->hypo, false), bms_num_members(c->queries),
				 bms_num_members(c->helps), gain, c->write_cost, c->size,
				 c->dead ? ", dropped" : "");
		}
	}
}

/*
 * pga_prune_extensions
 *		An index that only extends another candidate (more key columns,
 *		INCLUDE columns) must be worth clearly more on its own: otherwise
 *		the leaner one is as good and the extension is dropped.  A leaner
 *		one that alone makes a query more than max_regression worse is not
 *		as good (the guard rail would refuse it): its extension may be the
 *		form that helps without the regression (a join probe read
 *		index-only instead of with random heap fetches), and stays.
 */
static void
pga_prune_extensions(PgaRun *run)
{
	int			i;
	int			j;

	for (i = 0; i < run->ncands; i++)
	{
		PgaCand    *x = run->cands[i];

		if (x->dead)
			continue;
		for (j = 0; j < run->ncands; j++)
		{
			PgaCand    *y = run->cands[j];

			if (i == j || y->dead || y->regresses || y->table != x->table ||
				!pga_hypo_extends(x->hypo, y->hypo))
				continue;
			if (x->benefit1 < y->benefit1 * (1.0 + PGA_EXTENSION_GAIN))
			{
				x->dead = true;
				break;
			}
		}
	}
}

/*
 * pga_select_single_query
 *		For comparison: each query's best single- or two-column B-tree on
 *		its own, taken greedily by gain.
 */
static void
pga_select_single_query(PgaRun *run, PgaSel *sel)
{
	int		   *best = palloc(sizeof(int) * Max(run->nqueries, 1));
	double	   *gain = palloc0(sizeof(double) * Max(run->nqueries, 1));
	int			i;

	for (i = 0; i < run->nqueries; i++)
	{
		PgaQuery   *q = run->qarr[i];
		int			k = -1;

		best[i] = -1;
		while ((k = bms_next_member(q->cands, k)) >= 0 && !run->stats.capped)
		{
			PgaCand    *c = run->cands[k];
			double		g;

			if (c->hypo->amoid != BTREE_AM_OID || c->hypo->nkeycolumns > 2 ||
				c->hypo->ncolumns != c->hypo->nkeycolumns ||
				c->hypo->indpred != NIL)
				continue;
			g = q->weight * (q->base_cost - pga_cost(run, q, bms_make_singleton(k), NULL));
			if (g > gain[i])
			{
				gain[i] = g;
				best[i] = k;
			}
		}
	}
	for (;;)
	{
		int			top = -1;

		for (i = 0; i < run->nqueries; i++)
			if (best[i] >= 0 && (top < 0 || gain[i] > gain[top]))
				top = i;
		if (top < 0)
			break;
		if (!bms_is_member(best[top], sel->set))
		{
			PgaCand    *c = run->cands[best[top]];
			double		hot_rows;

			pga_hypo_ensure_size(c->hypo);
			c->size = (double) c->hypo->pages * BLCKSZ;
			c->write_cost = pga_write_cost(c, &hot_rows);
			if (pga_fits(run, sel, c, 0, 0))
				pga_sel_set(run, sel, bms_add_member(bms_copy(sel->set), c->id));
		}
		best[top] = -1;
	}
}

/*
 * pga_kind_words
 *		What an index does, in words.
 */
static void
pga_kind_words(StringInfo s, int kinds)
{
	static const struct
	{
		int			kind;
		const char *words;
	}			names[] = {
		{PGA_KIND_EQ, "equality filter"},
		{PGA_KIND_RANGE, "range filter"},
		{PGA_KIND_OR, "OR filter (bitmap OR)"},
		{PGA_KIND_PATTERN, "LIKE 'prefix%' filter"},
		{PGA_KIND_TRGM, "LIKE '%text%' search (pg_trgm)"},
		{PGA_KIND_GIN, "containment, overlap or full-text search (GIN)"},
		{PGA_KIND_JOIN, "join lookups (nested loop)"},
		{PGA_KIND_SORT, "ORDER BY without a sort"},
		{PGA_KIND_GROUP, "GROUP BY/DISTINCT in index order"},
		{PGA_KIND_COVER, "index-only scan (INCLUDE)"},
		{PGA_KIND_EXPR, "on an expression"},
		{PGA_KIND_PARTIAL, "partial: only the rows its queries select"},
	};
	int			i;
	bool		first = true;

	for (i = 0; i < (int) lengthof(names); i++)
	{
		if (!(kinds & names[i].kind))
			continue;
		appendStringInfo(s, "%s%s", first ? "" : ", ", names[i].words);
		first = false;
	}
}

/*
 * pga_emit
 *		One output row per chosen index, ranked by benefit.
 */
static void
pga_emit(PgaRun *run, PgaSel *sel, ReturnSetInfo *rsinfo)
{
	int			n = bms_num_members(sel->set);
	int		   *ids = palloc(sizeof(int) * Max(n, 1));
	double	   *benefit = palloc(sizeof(double) * Max(n, 1));
	List	   *taken = NIL;
	int			i;
	int			j;
	int			k;

	i = 0;
	k = -1;
	while ((k = bms_next_member(sel->set, k)) >= 0)
	{
		Bitmapset  *without = bms_del_member(bms_copy(sel->set), k);
		double		b = 0.0;
		int			q = -1;

		while ((q = bms_next_member(run->cands[k]->queries, q)) >= 0)
			b += run->qarr[q]->weight *
				(pga_cost(run, run->qarr[q], without, NULL) - sel->cost[q]);
		ids[i] = k;
		benefit[i] = b - run->cands[k]->write_cost;
		i++;
	}
	/* Rank by benefit (insertion sort: a handful of rows). */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && benefit[j] > benefit[j - 1]; j--)
		{
			double		tb = benefit[j];
			int			ti = ids[j];

			benefit[j] = benefit[j - 1];
			ids[j] = ids[j - 1];
			benefit[j - 1] = tb;
			ids[j - 1] = ti;
		}

	for (i = 0; i < n; i++)
	{
		PgaCand    *c = run->cands[ids[i]];
		PgaHypoIndex *h = c->hypo;
		Bitmapset  *served = pga_served(run, sel, ids[i]);
		double		before;
		double		after;
		Datum		values[15];
		bool		nulls[15] = {0};
		double	   *pct;
		List	   *keys;
		List	   *incl;
		Datum	   *elems;
		ListCell   *lc;
		int			m;
		char	   *pred;
		StringInfoData reason;
		double		hot_rows;
		int			q;

		pga_hypo_choose_name(h, taken);
		taken = lappend(taken, h->name);
		pct = palloc(sizeof(double) * Max(bms_num_members(served), 1));
		pga_served_gain(run, sel, ids[i], served, &before, &after, pct);
		(void) pga_write_cost(c, &hot_rows);

		values[0] = Int32GetDatum(i + 1);
		values[1] = CStringGetTextDatum(get_namespace_name(get_rel_namespace(h->relid)));
		values[2] = CStringGetTextDatum(get_rel_name(h->relid));
		values[3] = CStringGetTextDatum(h->name);

		keys = pga_hypo_key_names(h);
		elems = palloc(sizeof(Datum) * Max(list_length(keys), 1));
		m = 0;
		foreach(lc, keys)
			elems[m++] = CStringGetTextDatum((char *) lfirst(lc));
		values[4] = PointerGetDatum(construct_array(elems, m, TEXTOID, -1, false,
													TYPALIGN_INT));
		incl = pga_hypo_include_names(h);
		elems = palloc(sizeof(Datum) * Max(list_length(incl), 1));
		m = 0;
		foreach(lc, incl)
			elems[m++] = CStringGetTextDatum((char *) lfirst(lc));
		values[5] = PointerGetDatum(construct_array(elems, m, TEXTOID, -1, false,
													TYPALIGN_INT));
		values[6] = CStringGetTextDatum(get_am_name(h->amoid));
		pred = pga_hypo_predicate_text(h);
		if (pred)
			values[7] = CStringGetTextDatum(pred);
		else
			nulls[7] = true;
		values[8] = CStringGetTextDatum(pga_hypo_ddl(h, true));
		values[9] = Int64GetDatum((int64) c->size);
		values[10] = Float8GetDatum(benefit[i]);
		values[11] = Float8GetDatum(before > 0 ? 100.0 * (before - after) / before : 0.0);

		elems = palloc(sizeof(Datum) * Max(bms_num_members(served), 1));
		m = 0;
		q = -1;
		while ((q = bms_next_member(served, q)) >= 0)
			elems[m++] = Int64GetDatum(run->qarr[q]->queryid);
		values[12] = PointerGetDatum(construct_array(elems, m, INT8OID, 8,
													 FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
		/* Each served query's own gain, parallel to queryids. */
		for (q = 0; q < m; q++)
			elems[q] = Float8GetDatum(pct[q]);
		values[14] = PointerGetDatum(construct_array(elems, m, FLOAT8OID, 8,
													 FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));

		initStringInfo(&reason);
		appendStringInfoString(&reason, "for ");
		pga_kind_words(&reason, c->kinds);
		appendStringInfo(&reason, "; used by %d %s, whose estimated cost drops %.0f%%",
						 bms_num_members(served),
						 bms_num_members(served) == 1 ? "query" : "queries",
						 before > 0 ? 100.0 * (before - after) / before : 0.0);
		if (c->table->ins_rows + c->table->upd_rows + c->table->del_rows <= 0)
			appendStringInfoString(&reason, "; the workload does not write to the table");
		else
		{
			appendStringInfo(&reason,
							 "; maintained for the workload's %.0f inserted, %.0f updated and %.0f deleted rows",
							 c->table->ins_rows, c->table->upd_rows,
							 c->table->del_rows);
			if (hot_rows > 0)
				appendStringInfo(&reason, ", %.0f of the updates losing HOT",
								 hot_rows);
			appendStringInfo(&reason, " (estimated cost %.0f)", c->write_cost);
		}
		values[13] = CStringGetTextDatum(reason.data);

		pga_put_row(rsinfo, values, nulls);
	}
}

/*
 * pga_recommend_run
 *		A whole run: workload, candidates, selection, rows.  Called through
 *		pga_without_locks().
 */
static void
pga_recommend_run(FunctionCallInfo fcinfo, ArrayType *queries, ArrayType *weights,
				  ArrayType *times, int budget_arg, int max_arg)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	PgaRun	   *run;
	MemoryContext cxt;
	MemoryContext old;
	PgaSel		sel;
	instr_time	start;
	instr_time	duration;
	int64		calls0 = pga_whatif_calls;
	double		ms0 = pga_whatif_ms;
	int			i;
	double		budget = -1;
	int			max_indexes;

	if (!PG_ARGISNULL(budget_arg))
	{
		double		mb = PG_GETARG_FLOAT8(budget_arg);

		if (isnan(mb) || !(mb > 0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("budget_mb must be a positive number of megabytes"),
					 errhint("Omit it, or pass NULL, for no storage limit.")));
		budget = isinf(mb) ? -1 : mb * 1024.0 * 1024.0;
	}
	if (PG_ARGISNULL(max_arg))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("max_indexes must not be NULL"),
				 errhint("Pass a positive number, or omit it for the default of 10.")));
	max_indexes = PG_GETARG_INT32(max_arg);
	if (max_indexes <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_indexes must be positive"),
				 errhint("Pass the largest number of indexes to recommend.")));

	INSTR_TIME_SET_CURRENT(start);
	pga_init_materialized_srf(fcinfo, 0);

	cxt = AllocSetContextCreate(CurrentMemoryContext, "pg_architect advisor",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	run = palloc0(sizeof(PgaRun));
	run->cxt = cxt;
	run->budget = budget;
	run->max_indexes = max_indexes;

	run->cost_cache = pga_cost_cache_create(cxt);

	pga_workload_load(run, queries, weights, times);
	pga_risk_load(run);
	pga_candidates_build(run);

	pga_sel_init(run, &sel);
	if (pga_advisor_strategy == PGA_STRATEGY_SINGLE_QUERY)
		pga_select_single_query(run, &sel);
	else
	{
		PgaSel		cur;
		int			variant;
		int			round;
		int			best_variant = 0;
		bool		have = false;

		pga_phase1(run);
		pga_prune_extensions(run);

		/*
		 * Five starting points, each refined the same way; the best result
		 * wins: greedy by gain and by gain per byte, each with gains over
		 * the queries an index helps alone and net of those it makes
		 * dearer, and each query's own best index (so that the result is
		 * never worse than advising one query at a time).
		 */
		pga_sel_init(run, &cur);
		for (variant = 0; variant < 5; variant++)
		{
			bool		by_ratio = (variant % 2 == 1);

			/*
			 * 0, 1: gains net of the queries an index makes dearer; 3, 4:
			 * over the queries it helps alone (see pga_gain_if_added).  An
			 * equal objective keeps the earlier start.
			 */
			run->net_gain = (variant < 2);
			pga_sel_init(run, &cur);
			if (variant == 2)
				pga_select_single_query(run, &cur);
			else
				pga_greedy(run, &cur, by_ratio);
			elog(DEBUG1, "start %d: %d indexes, objective %.1f", variant,
				 bms_num_members(cur.set), pga_sel_objective(run, &cur));
			pga_local_search(run, &cur);
			pga_greedy(run, &cur, by_ratio);
			elog(DEBUG1, "refined %d: %d indexes, objective %.1f", variant,
				 bms_num_members(cur.set), pga_sel_objective(run, &cur));
			/*
			 * Guard rails drop indexes that later choices made marginal;
			 * refill what they free, a few rounds, and end on the rails.
			 */
			for (round = 0; round < 3; round++)
			{
				Bitmapset  *before;

				pga_guard_rails(run, &cur);
				before = bms_copy(cur.set);
				pga_greedy(run, &cur, by_ratio);
				if (bms_equal(before, cur.set))
					break;
			}
			pga_guard_rails(run, &cur);
			pga_drop_refill(run, &cur, by_ratio);
			elog(DEBUG1, "guarded %d: %d indexes, objective %.1f", variant,
				 bms_num_members(cur.set), pga_sel_objective(run, &cur));
			if (!have ||
				pga_sel_objective(run, &cur) < pga_sel_objective(run, &sel))
			{
				pga_sel_copy(run, &sel, &cur);
				have = true;
				best_variant = variant;
			}
		}
		/* Steps 6 and 7 refill the way the winning start did. */
		run->net_gain = (best_variant < 2);
		pga_refill_past_rails(run, &sel, best_variant % 2 == 1);
		pga_exchange(run, &sel, best_variant % 2 == 1);
		elog(DEBUG1, "refilled and exchanged: %d indexes, objective %.1f",
			 bms_num_members(sel.set), pga_sel_objective(run, &sel));
		pga_join_pairs(run, &sel);
	}

	/*
	 * Costs from restricted join searches (whatif_joins.c) are upper bounds;
	 * what the user sees is re-costed with full planning from here on, the
	 * guard rails checked again on those costs.
	 */
	if (pga_cost_cache_exact_only(run->cost_cache))
	{
		for (i = 0; i < run->nqueries; i++)
			if (bms_overlap(run->qarr[i]->cands, sel.set))
				sel.cost[i] = pga_cost(run, run->qarr[i], sel.set, &sel.used[i]);
		pga_guard_rails(run, &sel);
	}
	pga_emit(run, &sel, rsinfo);

	run->stats.cost_before = 0;
	run->stats.cost_after = 0;
	for (i = 0; i < run->nqueries; i++)
	{
		run->stats.cost_before += run->qarr[i]->weight * run->qarr[i]->base_cost;
		run->stats.cost_after += run->qarr[i]->weight * sel.cost[i];
	}
	i = -1;
	while ((i = bms_next_member(sel.set, i)) >= 0)
		run->stats.write_cost += run->cands[i]->write_cost;

	INSTR_TIME_SET_CURRENT(duration);
	INSTR_TIME_SUBTRACT(duration, start);
	run->stats.runtime_ms = INSTR_TIME_GET_MILLISEC(duration);
	run->stats.whatif_ms = pga_whatif_ms - ms0;
	for (i = 0; i < run->nqueries; i++)
		run->stats.risk_plans += run->qarr[i]->risk_plans;
	pga_cost_cache_counts(run->cost_cache, &run->stats.cache_hits,
						  &run->stats.derived_costs);
	/* Baseline plans are planner calls too; count every one. */
	run->stats.whatif_calls = pga_whatif_calls - calls0;
	pga_last_stats = run->stats;
	pga_have_stats = true;

	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
}

/*
 * Running without leaving locks behind.
 *
 * Planning the workload takes locks on its tables: AccessShareLock, and
 * RowExclusiveLock on the target of an INSERT, UPDATE or DELETE.  Held until
 * the caller's transaction ends, they would block CREATE INDEX CONCURRENTLY
 * and every other ShareLock taker on those tables, our own index builds
 * among them (architect.create_index() consults the advisor).  A run
 * therefore happens inside an internal subtransaction that is rolled back
 * once its rows are in the tuplestore: that releases every lock the run
 * took, and nothing the run did needs to last.  On error the subtransaction
 * is rolled back before the error is thrown on, as any code that opens an
 * internal subtransaction must do.
 *
 * The result tuplestore belongs to the caller: rows are put into it under
 * the caller's resource owner (pga_outer_owner), so that a tuplestore
 * spilling to a temporary file does not see that file closed when the
 * subtransaction goes.
 */
static ResourceOwner pga_outer_owner = NULL;

typedef struct PgaRecommendArgs
{
	ArrayType  *queries;		/* statements, or NULL for the workload */
	ArrayType  *weights;		/* their weights, or NULL */
	ArrayType  *times;			/* their total times in ms, or NULL */
	int			budget_arg;		/* argument number of budget_mb */
	int			max_arg;		/* argument number of max_indexes */
} PgaRecommendArgs;

typedef void (*PgaRunBody) (FunctionCallInfo fcinfo, void *arg);

static void
pga_put_row(ReturnSetInfo *rsinfo, Datum *values, bool *nulls)
{
	ResourceOwner save = CurrentResourceOwner;

	if (pga_outer_owner != NULL)
		CurrentResourceOwner = pga_outer_owner;
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	CurrentResourceOwner = save;
}

static void
pga_without_locks(PgaRunBody body, FunctionCallInfo fcinfo, void *arg)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	ResourceOwner save_outer = pga_outer_owner;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	pga_outer_owner = owner;
	PG_TRY();
	{
		body(fcinfo, arg);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
		pga_outer_owner = save_outer;
		ReThrowError(edata);
	}
	PG_END_TRY();
	RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(cxt);
	CurrentResourceOwner = owner;
	pga_outer_owner = save_outer;
}

static void
pga_recommend_body(FunctionCallInfo fcinfo, void *arg)
{
	PgaRecommendArgs *a = (PgaRecommendArgs *) arg;

	pga_recommend_run(fcinfo, a->queries, a->weights, a->times, a->budget_arg,
					  a->max_arg);
}

/*
 * pga_recommend
 *		A recommendation run that leaves no lock behind.
 */
static void
pga_recommend(FunctionCallInfo fcinfo, ArrayType *queries, ArrayType *weights,
			  ArrayType *times, int budget_arg, int max_arg)
{
	PgaRecommendArgs args;

	args.queries = queries;
	args.weights = weights;
	args.times = times;
	args.budget_arg = budget_arg;
	args.max_arg = max_arg;
	pga_without_locks(pga_recommend_body, fcinfo, &args);
}

/*
 * architect.recommend_indexes(budget_mb float8, max_indexes int)
 */
Datum
pga_recommend_indexes(PG_FUNCTION_ARGS)
{
	pga_recommend(fcinfo, NULL, NULL, NULL, 0, 1);
	return (Datum) 0;
}

/*
 * pga_list_arg
 *		Argument argno, an array of at most one dimension, or NULL when the
 *		argument is NULL; name is the argument's name for the error.
 */
static ArrayType *
pga_list_arg(FunctionCallInfo fcinfo, int argno, const char *name)
{
	ArrayType  *arr;

	if (PG_ARGISNULL(argno))
		return NULL;
	arr = PG_GETARG_ARRAYTYPE_P(argno);
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", name),
				 errhint("Pass a list such as ARRAY['...', '...'], not an array of arrays.")));
	return arr;
}

/*
 * architect.recommend_indexes_for(queries text[], budget_mb float8,
 *								   max_indexes int, weights float8[],
 *								   times_ms float8[])
 */
Datum
pga_recommend_indexes_for(PG_FUNCTION_ARGS)
{
	ArrayType  *queries;
	ArrayType  *weights;
	ArrayType  *times;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("queries must not be NULL"),
				 errhint("Pass an array of SELECT, INSERT, UPDATE or DELETE statements.")));
	/* checked in argument order, so the first bad one is reported */
	queries = pga_list_arg(fcinfo, 0, "queries");
	weights = pga_list_arg(fcinfo, 3, "weights");
	times = pga_list_arg(fcinfo, 4, "times_ms");
	pga_recommend(fcinfo, queries, weights, times, 1, 2);
	return (Datum) 0;
}

/*
 * architect.advisor_stats()
 *		Counters of this session's last recommendation run.
 */
Datum
pga_advisor_stats(PG_FUNCTION_ARGS)
{
	TupleDesc	desc;
	Datum		values[24];
	bool		nulls[24] = {0};
	PgaRunStats *s = &pga_last_stats;
	static const char *sources[] = {"queries", "capture", "pg_stat_statements"};

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	if (!pga_have_stats)
		PG_RETURN_NULL();

	values[0] = CStringGetTextDatum(sources[s->source]);
	values[1] = Int32GetDatum(s->queries);
	values[2] = Int32GetDatum(s->ignored);
	values[3] = Int32GetDatum(s->skip_unparsable);
	values[4] = Int32GetDatum(s->skip_missing);
	values[5] = Int32GetDatum(s->skip_param_types);
	values[6] = Int32GetDatum(s->skip_not_permitted);
	values[7] = Int32GetDatum(s->skip_other);
	values[8] = Int32GetDatum(s->candidates);
	values[9] = Int64GetDatum(s->whatif_calls);
	values[10] = Int64GetDatum(s->cache_hits);
	values[11] = BoolGetDatum(s->capped);
	values[12] = Float8GetDatum(s->runtime_ms);
	values[13] = Float8GetDatum(s->whatif_ms);
	if (s->whatif_calls > 0)
		values[14] = Float8GetDatum(s->whatif_ms / s->whatif_calls);
	else
		nulls[14] = true;
	values[15] = Float8GetDatum(s->cost_before);
	values[16] = Float8GetDatum(s->cost_after);
	values[17] = Float8GetDatum(s->write_cost);
	values[18] = Int64GetDatum(s->derived_costs);
	values[19] = Int32GetDatum(s->skip_utility);
	values[20] = Int32GetDatum(s->risky_queries);
	values[21] = Int64GetDatum(s->risk_plans);
	values[22] = Int64GetDatum(s->unplannable_plans);
	values[23] = Int32GetDatum(s->skip_internal_error);
	desc = BlessTupleDesc(desc);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

/*
 * architect.workload_whatif(indexes text[])
 *		The captured (or pg_stat_statements) workload, each statement's
 *		estimated cost without and with the given hypothetical indexes, and
 *		which of them its plan uses: what a set of indexes chosen by any
 *		means would do for this workload.
 */
static void
pga_workload_whatif_run(FunctionCallInfo fcinfo, void *arg)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext cxt;
	MemoryContext old;
	PgaRun	   *run;
	ArrayType  *arr;
	ArrayType  *queries = NULL;
	List	   *hypos;
	int			i;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("indexes must not be NULL"),
				 errhint("Pass an array of CREATE INDEX statements, possibly empty.")));
	arr = PG_GETARG_ARRAYTYPE_P(0);

	pga_init_materialized_srf(fcinfo, 0);
	cxt = AllocSetContextCreate(CurrentMemoryContext, "pg_architect workload what-if",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);

	hypos = pga_hypo_list_from_array(arr);
	/* a list, as for recommend_indexes_for(), never a flattened 2-D array */
	if (PG_NARGS() > 1)
		queries = pga_list_arg(fcinfo, 1, "queries");

	run = palloc0(sizeof(PgaRun));
	run->cxt = cxt;
	run->budget = -1;
	pga_workload_load(run, queries, NULL, NULL);
	/* The advisor's risk model, for guarded_cost_with (advisor_risk.c). */
	pga_risk_load(run);

	for (i = 0; i < run->nqueries; i++)
	{
		PgaQuery   *q = run->qarr[i];
		PgaPlanResult res;
		PgaPlanResult guarded;
		Datum		values[7];
		bool		isnull[7] = {0};
		Datum	   *used;
		int			nused = 0;
		int			k = -1;

		pga_plan_query(q->query, q->text, hypos, &res, false);
		used = palloc(sizeof(Datum) * Max(list_length(hypos), 1));
		while ((k = bms_next_member(res.used, k)) >= 0)
			used[nused++] = CStringGetTextDatum(((PgaHypoIndex *) list_nth(hypos, k))->name);
		values[0] = Int64GetDatum(q->queryid);
		values[1] = Float8GetDatum(q->calls);
		values[2] = Float8GetDatum(q->base_cost);
		values[3] = Float8GetDatum(res.total_cost);
		values[4] = PointerGetDatum(construct_array(used, nused, TEXTOID, -1,
													false, TYPALIGN_INT));
		values[5] = CStringGetTextDatum(q->text);

		/*
		 * The same plan costed as the advisor costs it: planned in full
		 * (no cost cache here), plus the misestimate and random-fetch
		 * guards' charges, when they are on.
		 */
		pga_risk_plan(run, q, hypos, &guarded);
		values[6] = Float8GetDatum(guarded.total_cost);
		pga_put_row(rsinfo, values, isnull);
	}
	pga_last_stats = run->stats;
	pga_have_stats = true;
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
}

Datum
pga_workload_whatif(PG_FUNCTION_ARGS)
{
	pga_without_locks(pga_workload_whatif_run, fcinfo, NULL);
	return (Datum) 0;
}
