/*-------------------------------------------------------------------------
 *
 * advisor_fetch.c
 *	  The advisor's random-fetch guard: nested-loop probes of a new index
 *	  whose heap fetches the planner prices as cached from one probe to the
 *	  next, re-costed as the random reads they are.
 *
 * Why.  When the planner costs an index scan that is repeated (the inner
 * side of a nested loop, loop_count > 1), cost_index() counts the heap
 * pages of all the probes together with the Mackert-Lohman formula: with
 * effective_cache_size larger than the table, every page after its first
 * read is taken as cached, so a plan that fetches 1.3 million heap tuples
 * from random pages of a 700 MB table is charged for reading the table at
 * most once.  The row estimates can be perfectly right (TPC-H's Q7 probing
 * lineitem by l_suppkey 893 times, 580 rows each; Q9 probing it by
 * l_partkey 46,056 times, 29 rows each) and the plan still runs slower than
 * the hash join over sequential scans it replaces.  Capture has no evidence
 * of this (the rows are right), so the misestimate guard (advisor_risk.c)
 * cannot see it.  Database engines guard against it with a "tipping point":
 * past a share of the table, key lookups are not worth it.
 *
 * What it does.  While the advisor plans with hypothetical indexes, their
 * amcostestimate is this file's wrapper (hypo.c's pga_hypo_costestimate):
 * it calls the access method's own estimator, and for a repeated scan
 * (loop_count > 1) that is not an index-only scan of all-visible pages it
 * records, for that IndexPath, the random part of the heap I/O per probe
 * (cost_index()'s max_IO, one page per tuple fetched, which it weights by
 * 1 - correlation squared) as cost_index() charges it (Mackert-Lohman over
 * loop_count probes) and as it costs when each probe reads its own pages.
 * The correlated part (min_IO: an index in table order reads neighbouring
 * pages, which later probes do find cached) is left as planned, so probes
 * of such an index (an order's lines by order key) are not charged.
 * Nothing in the path's cost changes: the plan is the one the server
 * itself would choose with the index built.
 *
 * Then the finished plan is walked (advisor_risk.c's inspect hook calls
 * pga_fetch_plan_extra).  Every scan of a hypothetical index that runs
 * L > 1 times (L = the product of the outer rows of the nested loops above
 * it; Material, Memoize, Hash and Sort above it keep their input, so the
 * count restarts there) is matched with its recorded path (same index,
 * total cost and rows: the plan node copies them from the path).  Of its
 * L probes, only the K that start from a new key read their own pages; a
 * probe with the key of the one before finds its pages in shared buffers
 * (K, at most L, from advisor_fetch_runs.c: how often the key can change
 * in the rows the nested loop's outer side emits).  When those K probes
 * read more random heap pages in all (weighted as above) than
 * pg_architect.random_fetch_table_fraction times the table's pages (1: more
 * than a sequential scan of the whole table reads), the plan is charged
 *
 *		extra = (1 - corr^2) x (K x uncached I/O per probe - L x planned I/O)
 *
 * The corrected cost goes, like the misestimate guard's, into the cost
 * cache: the selection, the gains, min_improvement and the max_regression
 * guard rail all see it.  A probe plan that still wins with its fetches
 * uncached keeps its index; one that does not loses its gain, and if the
 * query would be more than max_regression worse than today, the guard rail
 * drops the index the plan probes.
 *
 * Index-only probes are charged like the others for the rows they fetch
 * from the heap: those on pages that are not all-visible, the share
 * 1 - relallvisible / relpages of the table (the planner's allvisfrac, as
 * cost_index() counts them); on an all-visible table nothing
 * (sql/27_advisor_fetch_allvisible.sql).
 *
 * What it does not cover.  Bitmap heap scans (their pages are read in
 * order), correlated sub-plans (planned with loop_count 1, already priced
 * per execution), index pages (the upper levels stay in shared buffers;
 * index-only probes that read many leaf pages are not charged either),
 * rows per probe the planner underestimates (a probe by two join columns
 * taken as independent: the guard works from the planner's rows),
 * and parallel plans are taken per worker as the planner's rows are.  A
 * small table probed very often is charged as well; a hash join over such
 * a table is as fast in practice, so little is lost.
 *
 * Locking: none.  The records live in the planner's scratch memory context
 * and are dropped after each plan (pga_fetch_reset).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/amapi.h"
#include "catalog/pg_am_d.h"
#include "miscadmin.h"
#include "nodes/pathnodes.h"
#include "nodes/plannodes.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "utils/index_selfuncs.h"
#include "utils/spccache.h"

#include "advisor.h"
#include "guc.h"
#include "hypo.h"
#include "pg_architect.h"

/* One repeated scan of a hypothetical index, as the planner costed it. */
typedef struct PgaFetchRec
{
	IndexPath  *path;			/* the path (IndexPaths are never freed) */
	double		table_pages;	/* heap pages of the table */
	double		uncorrelated;	/* 1 - squared correlation: cost_index's
								 * weight of the random-fetch part */
	double		iso_pages;		/* heap pages one probe reads on its own
								 * (uncorrelated part) */
	double		iso_cost;		/* their I/O cost, uncached */
	double		planned_cost;	/* the same part's I/O cost per probe as
								 * cost_index charges it */
} PgaFetchRec;

/* Records of the plan being made (planner's memory context). */
static List *pga_fetch_recs = NIL;

/* Whether the wrapper records (the advisor's own planner calls only). */
static bool pga_fetch_active = false;

/*
 * pga_fetch_heap_io
 *		cost_index()'s I/O cost of one probe of path for an uncorrelated
 *		index (max_IO: one heap page per tuple), as the planner charges it
 *		for loop_count probes (loop_count > 1: pages shared between probes
 *		through index_pages_fetched()), or with each probe reading its own
 *		pages (loop_count 0: nothing cached); *pages is the page count.
 *		The correlated part (min_IO) is left as the planner has it.
 */
static double
pga_fetch_heap_io(PlannerInfo *root, IndexPath *path, double loop_count,
				  double sel, double *pages)
{
	IndexOptInfo *index = path->indexinfo;
	RelOptInfo *rel = index->rel;
	double		tuples = clamp_row_est(sel * rel->tuples);
	double		visible = 1.0;
	double		rpc;
	double		spc;

	get_tablespace_page_costs(rel->reltablespace, &rpc, &spc);
	if (path->path.pathtype == T_IndexOnlyScan)
		visible = 1.0 - rel->allvisfrac;

	if (loop_count > 1)
	{
		*pages = ceil(index_pages_fetched(tuples * loop_count, rel->pages,
										  (double) index->pages, root) *
					  visible);
		*pages /= loop_count;
	}
	else
		*pages = ceil(Min(tuples, (double) rel->pages) * visible);
	return *pages * rpc;
}

/*
 * pga_fetch_costestimate
 *		amcostestimate of hypothetical indexes: the access method's own, and
 *		while the advisor costs, a record of repeated scans (file header).
 */
static void
pga_fetch_costestimate(PlannerInfo *root, IndexPath *path, double loop_count,
					   Cost *startup, Cost *total, Selectivity *sel,
					   double *corr, double *pages)
{
	IndexOptInfo *index = path->indexinfo;

	switch (index->relam)
	{
		case BTREE_AM_OID:
			btcostestimate(root, path, loop_count, startup, total, sel,
						   corr, pages);
			break;
		case GIN_AM_OID:
			gincostestimate(root, path, loop_count, startup, total, sel,
							corr, pages);
			break;
		default:
			GetIndexAmRoutineByAmId(index->relam, false)->amcostestimate(root, path, loop_count, startup, total, sel, corr, pages);
			break;
	}

	if (pga_fetch_active && loop_count > 1 && index->rel->pages > 0 &&
		index->rel->tuples > 0)
	{
		PgaFetchRec *rec = palloc(sizeof(PgaFetchRec));
		double		unused;

		rec->path = path;
		rec->table_pages = (double) index->rel->pages;
		rec->uncorrelated = 1.0 - (*corr) * (*corr);
		rec->planned_cost = pga_fetch_heap_io(root, path, loop_count, *sel,
											  &unused);
		rec->iso_cost = pga_fetch_heap_io(root, path, 0, *sel,
										  &rec->iso_pages);
		pga_fetch_recs = lappend(pga_fetch_recs, rec);
	}
}

/*
 * pga_fetch_begin / pga_fetch_reset
 *		Start recording for the advisor's planner calls; forget the records
 *		(after each plan, and on the way out, also after an error).
 */
void
pga_fetch_begin(void)
{
	pga_fetch_recs = NIL;
	pga_fetch_active = true;
	pga_hypo_costestimate = pga_fetch_costestimate;
}

void
pga_fetch_reset(bool end)
{
	pga_fetch_recs = NIL;
	if (end)
	{
		pga_fetch_active = false;
		pga_hypo_costestimate = NULL;
	}
}

/* The record of the path the plan node was made from, or NULL. */
static PgaFetchRec *
pga_fetch_find(Oid indexoid, Plan *plan)
{
	ListCell   *lc;

	foreach(lc, pga_fetch_recs)
	{
		PgaFetchRec *rec = (PgaFetchRec *) lfirst(lc);

		if (rec->path->indexinfo->indexoid == indexoid &&
			rec->path->path.total_cost == plan->total_cost &&
			rec->path->path.rows == plan->plan_rows)
			return rec;
	}
	return NULL;
}

/*
 * pga_fetch_walk
 *		The extra cost of the repeated hypothetical-index scans in the
 *		subtree at plan, which runs loops times.
 */
static double
pga_fetch_walk(Plan *plan, double loops, List *hypo_oids, List *key_runs)
{
	double		extra = 0.0;
	double		inner_loops = loops;
	List	   *inner_runs = key_runs;
	Oid			indexoid = InvalidOid;
	ListCell   *lc;

	if (plan == NULL)
		return 0.0;
	check_stack_depth();

	if (IsA(plan, IndexScan))
		indexoid = ((IndexScan *) plan)->indexid;
	else if (IsA(plan, IndexOnlyScan))
		indexoid = ((IndexOnlyScan *) plan)->indexid;

	if (OidIsValid(indexoid) && loops > 1 &&
		list_member_oid(hypo_oids, indexoid))
	{
		PgaFetchRec *rec = pga_fetch_find(indexoid, plan);
		double		charged = pga_fetch_runs_charged(key_runs, plan, loops);

		if (rec != NULL &&
			charged * rec->iso_cost > loops * rec->planned_cost &&
			charged * rec->uncorrelated * rec->iso_pages >
			pga_random_fetch_table_fraction * rec->table_pages)
		{
			extra += rec->uncorrelated *
				(charged * rec->iso_cost - loops * rec->planned_cost);
			elog(DEBUG2, "random-fetch guard: hypothetical index %u probed %.0f times, %.0f of them with a new key, %.1f heap pages per probe (table %.0f pages, uncorrelated share %.2f), I/O per probe %.2f planned, %.2f uncached",
				 indexoid, loops, charged, rec->iso_pages, rec->table_pages,
				 rec->uncorrelated, rec->planned_cost, rec->iso_cost);
		}
		else if (rec != NULL)
			elog(DEBUG2, "random-fetch guard: hypothetical index %u probed %.0f times, %.0f of them with a new key, %.1f heap pages per probe (table %.0f pages, uncorrelated share %.2f): not charged",
				 indexoid, loops, charged, rec->iso_pages, rec->table_pages,
				 rec->uncorrelated);
		else
			elog(DEBUG2, "random-fetch guard: hypothetical index %u probed %.0f times: no record", indexoid, loops);
	}

	switch (nodeTag(plan))
	{
		case T_NestLoop:
			inner_loops = loops * Max(plan->lefttree->plan_rows, 1.0);
			inner_runs = pga_fetch_runs_push(key_runs, (NestLoop *) plan,
											 loops);
			break;
		case T_Material:
		case T_Memoize:
		case T_Hash:
		case T_Sort:
		case T_IncrementalSort:
			/* They keep their input: below them, one run per scan. */
			loops = 1.0;
			inner_loops = 1.0;
			key_runs = inner_runs = NIL;
			break;
		default:
			break;
	}

	foreach(lc, pga_plan_children(plan))
		extra += pga_fetch_walk((Plan *) lfirst(lc), loops, hypo_oids,
								key_runs);
	extra += pga_fetch_walk(plan->lefttree, loops, hypo_oids, key_runs);
	extra += pga_fetch_walk(plan->righttree, inner_loops, hypo_oids,
							inner_runs);
	return extra;
}

/*
 * pga_fetch_plan_extra
 *		The random-fetch guard's extra cost for pstmt, planned under hypos
 *		(0 when the guard is off or nothing in it is a repeated probe that
 *		reads more than its share of the table).
 */
double
pga_fetch_plan_extra(PlannedStmt *pstmt, List *hypos)
{
	List	   *oids = NIL;
	ListCell   *lc;
	double		extra;

	if (!pga_random_fetch_guard || pga_fetch_recs == NIL)
		return 0.0;
	foreach(lc, hypos)
		oids = lappend_oid(oids, ((PgaHypoIndex *) lfirst(lc))->indexoid);
	extra = pga_fetch_walk(pstmt->planTree, 1.0, oids, NIL);
	foreach(lc, pstmt->subplans)
		extra += pga_fetch_walk((Plan *) lfirst(lc), 1.0, oids, NIL);
	list_free(oids);
	return extra;
}
