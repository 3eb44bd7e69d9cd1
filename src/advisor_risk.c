/*-------------------------------------------------------------------------
 *
 * advisor_risk.c
 *	  The advisor's risk model: what capture measured about the planner's
 *	  row estimates, applied to what-if plans that repeat probes of a new
 *	  index once per row of a misestimated input.
 *
 * Why.  The planner prices a nested loop as (outer rows) x (cost of one
 * inner scan).  When the outer rows are underestimated, a new index that
 * makes a parameterized inner scan possible looks cheap and is not: the
 * probes really happen once per real row.  TPC-H's Q9 is the classic case:
 * partsupp and lineitem joined on (partkey, suppkey), two columns that
 * depend on each other, are estimated at 96 rows and return 333,909, so an
 * index on lineitem or orders turns the hash joins into nested loops that
 * run several times slower.  Without the index the same misestimate is
 * harmless (hash joins do not multiply), so the estimated cost of the
 * indexed plan is the only thing that is wrong, and only capture knows.
 *
 * What capture knows.  architect.predicates holds, per query, each join
 * clause (kind 'join', one row per side) with the rows the planner
 * estimated for the join node and the rows it returned, summed over the
 * instrumented executions.  pga_risk_load reads, for the workload's query
 * ids, the join nodes whose actual rows are at least
 * pg_architect.misestimate_factor times the estimate (and at least
 * pg_architect.misestimate_min_rows), as (tables, factor, actual rows).
 * Only underestimates are kept: an overestimate makes the planner avoid a
 * nested loop, not choose one.
 *
 * Only joins of two different tables on two or more columns each are
 * taken as evidence: that is where the planner's independence assumption
 * multiplies the selectivities of correlated columns (Q9's partkey and
 * suppkey), and where a misestimate starts.  A join node above it returns
 * as many rows too wrong, but its clause names only two of the tables of
 * its input (capture keeps no plan tree), so pinning the factor on those
 * two would charge plans in which they are joined alone, estimated right;
 * the same holds for a single-column join, a self-join, and the rows of a
 * parameterized inner scan, which capture also records.  Scan filters are
 * not used either: one that capture saw misestimated is inside every plan
 * of the query, with or without the new index.
 *
 * How a plan is re-costed.  pga_risk_plan plans the query through
 * pga_plan_query with whatif.c's inspect hook set, and walks the finished
 * plan bottom-up.  Each subtree gets the set of tables it reads, whether it
 * scans one of the hypothetical indexes, and its output's underestimate:
 * the largest factor of a measured group whose tables all lie inside the
 * subtree (largest, not a product, so that one misestimate seen at several
 * nodes of the captured plan is not counted twice; a join's group needs two
 * scans of its tables inside, so that a self-join's misestimate is not
 * pinned on a single scan of the table).  At a nested loop whose inner side
 * scans a hypothetical index and whose outer side carries a factor f of at
 * least misestimate_factor, the inner side runs more often than planned:
 * the outer side's estimate r becomes min(r x f, max(r, a)), where a is the
 * rows capture saw at the misestimated node (this plan may estimate the
 * subtree better than the captured plan did), and
 *
 *		extra += (corrected r - r) x (inner total cost)
 *
 * and the query's cost under that index set is the planner's cost plus the
 * extras of all such nested loops (a misestimated join feeding two nested
 * loops, as in Q9's lineitem then orders probes, is charged at both).  A
 * Material inner side is exempt (its rescans read a tuplestore).  The
 * corrected cost replaces the planner's in the advisor's cost cache, so the
 * greedy search, the gains and the guard rail "no query more than
 * max_regression percent worse" all see it: an index whose plan is only
 * cheap because of a measured misestimate loses its gain on that query, and
 * is dropped by the guard rail if the query ends up worse than today.
 * Plans of queries without such evidence are untouched, and so is every
 * plan when pg_architect.misestimate_guard is off.
 *
 * What it does not cover.  A cost model that is wrong although the rows are
 * right (random heap fetches priced as cached because effective_cache_size
 * exceeds the table: TPC-H Q7 at random_page_cost 1.1) leaves no trace in
 * the row counts capture measures, so no evidence to act on: that is the
 * random-fetch guard's case (advisor_fetch.c), applied by the same inspect
 * hook to every query, with or without evidence.  Correlated
 * sub-plans executed once per outer row are not re-costed either.
 *
 * Locking: none of its own.  pga_risk_load reads architect.predicates
 * through SPI (capture's view takes the store's lock in shared mode).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/plannodes.h"
#include "parser/parsetree.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "advisor.h"
#include "guc.h"
#include "pg_architect.h"
#include "whatif.h"

/* One underestimate capture measured for a query. */
typedef struct PgaRisk
{
	List	   *relids;			/* OIDs of the tables of the join or scan */
	int			nsides;			/* scans it needs: 2 for a join, even a
								 * self-join; 1 for a scan */
	double		factor;			/* actual rows / estimated rows, >= 1 */
	double		actual;			/* actual rows per execution */
} PgaRisk;

/* What the walk knows of a subtree. */
typedef struct PgaRiskNode
{
	List	   *relids;			/* OIDs of the tables it scans, one per scan */
	bool		hypo;			/* it scans a hypothetical index */
	double		factor;			/* underestimate of its output rows */
	double		actual;			/* rows capture saw there, per execution */
} PgaRiskNode;

/* One plan's walk. */
typedef struct PgaRiskWalk
{
	PlannedStmt *pstmt;
	List	   *hypos;			/* PgaHypoIndex * active for the plan */
	List	   *risks;			/* the query's PgaRisk * */
	PgaQuery   *q;				/* the query, whose risk_plans we count */
	double		extra;			/* cost added to the plan being walked */
} PgaRiskWalk;

/*
 * pga_risk_load
 *		Read, for every workload query, the underestimates capture measured
 *		(see the file header).  Does nothing when the guard is off, when
 *		pg_architect was not preloaded (no capture), or when capture saw
 *		none of the queries.
 */
void
pga_risk_load(PgaRun *run)
{
	StringInfoData ids;
	StringInfoData sql;
	uint64		r;
	int			i;

	if (!pga_misestimate_guard || !pga_loaded_at_startup || run->nqueries == 0)
		return;

	initStringInfo(&ids);
	for (i = 0; i < run->nqueries; i++)
		appendStringInfo(&ids, "%s" INT64_FORMAT, i > 0 ? "," : "",
						 run->qarr[i]->queryid);

	/*
	 * The view gives per-execution averages; the ratio of the sums is the
	 * same.  The two sides of a join have a scan_group each, but every
	 * predicate of one join node carries that node's measurements
	 * (estimated, actual and input rows, executions), which is how the
	 * sides are put back together.  Only joins of two tables on two or more
	 * columns each (see the file header).
	 */
	initStringInfo(&sql);
	appendStringInfo(&sql,
					 "SELECT queryid, array_agg(DISTINCT relid), "
					 "max(actual_rows / est_rows), "
					 "count(DISTINCT scan_group), max(actual_rows) "
					 "FROM architect.predicates "
					 "WHERE dbid = %u AND queryid IN (%s) AND kind = 'join' "
					 "AND est_rows > 0 AND actual_rows >= %d "
					 "AND actual_rows >= %g * est_rows "
					 "GROUP BY queryid, concat_ws('/', est_rows, actual_rows, "
					 "rows_scanned, executions) "
					 "HAVING count(DISTINCT relid) >= 2 AND "
					 "count(DISTINCT (relid, column_name)) >= "
					 "2 * count(DISTINCT relid)",
					 MyDatabaseId, ids.data, pga_misestimate_min_rows,
					 pga_misestimate_factor);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute(sql.data, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute failed: %s", sql.data);

	for (r = 0; r < SPI_processed; r++)
	{
		HeapTuple	tup = SPI_tuptable->vals[r];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		int64		queryid;
		ArrayType  *arr;
		Datum	   *elems;
		int			nelems;
		PgaRisk    *risk;
		MemoryContext old;
		int			j;

		queryid = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
		old = MemoryContextSwitchTo(run->cxt);
		risk = palloc0(sizeof(PgaRisk));
		risk->factor = DatumGetFloat8(SPI_getbinval(tup, desc, 3, &isnull));
		risk->nsides = (int) DatumGetInt64(SPI_getbinval(tup, desc, 4, &isnull));
		risk->actual = DatumGetFloat8(SPI_getbinval(tup, desc, 5, &isnull));
		arr = DatumGetArrayTypeP(SPI_getbinval(tup, desc, 2, &isnull));
		deconstruct_array(arr, OIDOID, sizeof(Oid), true, TYPALIGN_INT,
						  &elems, NULL, &nelems);
		for (j = 0; j < nelems; j++)
			risk->relids = lappend_oid(risk->relids,
									   DatumGetObjectId(elems[j]));
		/* Every text of the workload with that query id. */
		for (j = 0; j < run->nqueries; j++)
			if (run->qarr[j]->queryid == queryid)
				run->qarr[j]->risks = lappend(run->qarr[j]->risks, risk);
		MemoryContextSwitchTo(old);
	}
	SPI_finish();

	for (i = 0; i < run->nqueries; i++)
		if (run->qarr[i]->risks != NIL)
			run->stats.risky_queries++;
}

/* Merge what a child subtree knows into its parent's. */
static void
pga_risk_merge(PgaRiskNode *into, PgaRiskNode *child)
{
	into->relids = list_concat(into->relids, child->relids);
	into->hypo |= child->hypo;
	if (child->factor > into->factor)
	{
		into->factor = child->factor;
		into->actual = child->actual;
	}
}

/* Whether indexoid is one of the hypothetical indexes of the walk. */
static bool
pga_risk_is_hypo(PgaRiskWalk *w, Oid indexoid)
{
	ListCell   *lc;

	foreach(lc, w->hypos)
		if (((PgaHypoIndex *) lfirst(lc))->indexoid == indexoid)
			return true;
	return false;
}

/*
 * pga_risk_walk
 *		Fill *out for the subtree at plan, adding to w->extra the cost of the
 *		nested loops in it that probe a hypothetical index once per row of
 *		an underestimated outer side.
 */
static void
pga_risk_walk(PgaRiskWalk *w, Plan *plan, PgaRiskNode *out)
{
	PgaRiskNode left = {NIL, false, 1.0, 0.0};
	PgaRiskNode right = {NIL, false, 1.0, 0.0};
	PgaRiskNode child;
	ListCell   *lc;
	Index		scanrelid = 0;

	out->relids = NIL;
	out->hypo = false;
	out->factor = 1.0;
	out->actual = 0.0;
	if (plan == NULL)
		return;
	check_stack_depth();

	switch (nodeTag(plan))
	{
		case T_IndexScan:
			out->hypo = pga_risk_is_hypo(w, ((IndexScan *) plan)->indexid);
			scanrelid = ((Scan *) plan)->scanrelid;
			break;
		case T_IndexOnlyScan:
			out->hypo = pga_risk_is_hypo(w, ((IndexOnlyScan *) plan)->indexid);
			scanrelid = ((Scan *) plan)->scanrelid;
			break;
		case T_BitmapIndexScan:
			out->hypo = pga_risk_is_hypo(w, ((BitmapIndexScan *) plan)->indexid);
			scanrelid = ((Scan *) plan)->scanrelid;
			break;
		case T_SeqScan:
		case T_SampleScan:
		case T_BitmapHeapScan:
		case T_TidScan:
		case T_TidRangeScan:
		case T_ForeignScan:
			scanrelid = ((Scan *) plan)->scanrelid;
			break;
		default:
			break;
	}
	if (scanrelid > 0)
	{
		RangeTblEntry *rte = rt_fetch(scanrelid, w->pstmt->rtable);

		if (rte->rtekind == RTE_RELATION)
			out->relids = list_make1_oid(rte->relid);
	}
	foreach(lc, pga_plan_children(plan))
	{
		pga_risk_walk(w, (Plan *) lfirst(lc), &child);
		pga_risk_merge(out, &child);
	}
	pga_risk_walk(w, plan->lefttree, &left);
	pga_risk_walk(w, plan->righttree, &right);

	/*
	 * The outer side really returns its estimate times the factor measured
	 * inside it, but no more than capture saw there (this plan may already
	 * estimate it better than the captured one did).
	 */
	if (IsA(plan, NestLoop) && right.hypo &&
		left.factor >= pga_misestimate_factor &&
		!IsA(plan->righttree, Material))
	{
		double		rows = plan->lefttree->plan_rows;
		double		real = Min(rows * left.factor, Max(rows, left.actual));

		w->extra += (real - rows) * plan->righttree->total_cost;
	}

	pga_risk_merge(out, &left);
	pga_risk_merge(out, &right);

	/* The largest measured underestimate lying wholly inside. */
	foreach(lc, w->risks)
	{
		PgaRisk    *risk = (PgaRisk *) lfirst(lc);
		ListCell   *rc;
		ListCell   *sc;
		bool		inside = true;
		int			scans = 0;

		if (risk->factor <= out->factor)
			continue;
		foreach(rc, risk->relids)
		{
			int			n = 0;

			foreach(sc, out->relids)
				if (lfirst_oid(sc) == lfirst_oid(rc))
					n++;
			if (n == 0)
			{
				inside = false;
				break;
			}
			scans += n;
		}
		if (inside && scans >= risk->nsides)
		{
			out->factor = risk->factor;
			out->actual = risk->actual;
		}
	}
}

/*
 * whatif.c's inspect hook: walk the plan and its sub-plans, and return the
 * cost to add to this plan (each plan on its own: one costing may make
 * several planner calls, see whatif_joins.c).
 */
static double
pga_risk_inspect(PlannedStmt *pstmt, List *hypos, void *arg)
{
	PgaRiskWalk *w = (PgaRiskWalk *) arg;
	PgaRiskNode node;
	ListCell   *lc;

	w->pstmt = pstmt;
	w->hypos = hypos;
	w->extra = 0.0;
	if (w->risks != NIL && pga_misestimate_guard)
	{
		pga_risk_walk(w, pstmt->planTree, &node);
		foreach(lc, pstmt->subplans)
			pga_risk_walk(w, (Plan *) lfirst(lc), &node);
	}
	/* The random-fetch guard (advisor_fetch.c), on the same plan. */
	w->extra += pga_fetch_plan_extra(pstmt, hypos);
	pga_fetch_reset(false);
	if (w->extra > 0)
		w->q->risk_plans++;
	return w->extra;
}

/*
 * pga_risk_plan
 *		The advisor's costing of q under the hypothetical indexes hypos
 *		(whatif_joins.c: full or join-order-restricted planning), plus the
 *		risk model's corrections of each plan: the misestimate guard when
 *		capture measured an underestimate in q (see the file header), and
 *		the random-fetch guard (advisor_fetch.c).
 */
void
pga_risk_plan(PgaRun *run, PgaQuery *q, List *hypos, PgaPlanResult *res)
{
	PgaRiskWalk w;

	if ((q->risks == NIL || !pga_misestimate_guard) &&
		!pga_random_fetch_guard)
	{
		pga_whatif_cost_plan(run, q, hypos, res);
		return;
	}

	memset(&w, 0, sizeof(w));
	w.risks = q->risks;
	w.q = q;
	pga_plan_inspect_hook = pga_risk_inspect;
	pga_plan_inspect_arg = &w;
	if (pga_random_fetch_guard)
		pga_fetch_begin();
	PG_TRY();
	{
		pga_whatif_cost_plan(run, q, hypos, res);
	}
	PG_FINALLY();
	{
		pga_plan_inspect_hook = NULL;
		pga_plan_inspect_arg = NULL;
		pga_fetch_reset(true);
	}
	PG_END_TRY();
}
