/*-------------------------------------------------------------------------
 *
 * advisor_fetch_runs.c
 *	  For the random-fetch guard (advisor_fetch.c): how many times the key
 *	  of a repeated index probe changes, as opposed to how many probes run.
 *
 * Why.  The random-fetch guard charges each probe of a nested loop's inner
 * index scan for reading its own heap pages.  That is what happens when
 * the outer rows come in no useful order (a hash join's output over a
 * sequential scan): TPC-H's Q9 probing lineitem by l_partkey 46,056 times
 * read 404,011 pages outside shared buffers and ran 1.65x slower than the
 * hash join without the index.  But when the outer rows come from a probe
 * by the same key (part, then partsupp by ps_partkey = p_partkey, then
 * lineitem by l_partkey = ps_partkey), the four partsupp rows of one part
 * arrive one after another with the same key: the second to fourth probes
 * of lineitem read the pages the first has just brought into shared
 * buffers.  The same 46,056 probes then read 114,933 pages and the query
 * ran faster than without the index (2.7-2.9 s against 3.3 s, scale 1).
 * Charging all 46,056 probes as uncached refused that plan, and with it
 * the index set that wins this workload at that budget.
 *
 * What it does.  While the guard walks a plan, each nested loop's
 * parameters are followed down its outer side to the scan that produces
 * the column, counting how often the value can change from one row to
 * the next (pga_runs_of_output): at most once per run of a scan that
 * holds the column equal to a Param or a Const (an equality in its index
 * or filter quals), else once per row; a join emits each outer row with
 * all its matches one after another, so a column from its outer side
 * changes no more often than in that side's rows, and a nested loop runs
 * its inner side once per outer row.  A hash or merge join's inner side,
 * and any other node in between (Material, Memoize, Sort, aggregation,
 * Append), give no bound but one change per row.  For a probe whose every
 * key is such a parameter, the guard charges
 *
 *		min(probes, sum over its keys of their bounds)
 *
 * probes as reading their own pages (the rest find their pages in shared
 * buffers, read by the probe before); a probe with another key (a
 * sub-plan's parameter, an expression) is charged for every probe.  In
 * the example, ps_partkey is held to p_partkey by the partsupp probe,
 * which runs once per part row: 4,040 changes estimated for 15,780
 * lineitem probes; with partsupp read by a sequential scan under a hash
 * join, ps_partkey may change on every row, and all 15,780 are charged.
 *
 * Locking: none; everything is read from the finished plan.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "nodes/plannodes.h"
#include "optimizer/clauses.h"
#include "parser/parsetree.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"

#include "advisor.h"
#include "pg_architect.h"

/* One nested-loop parameter whose value changes at most runs times. */
typedef struct PgaKeyRuns
{
	int			paramno;
	double		runs;
} PgaKeyRuns;

/*
 * pga_runs_index_var
 *		In an index-only scan, expressions refer to the index's columns
 *		(INDEX_VAR): the table column behind one, or NULL.
 */
static Var *
pga_runs_index_var(IndexOnlyScan *ios, Var *var)
{
	TargetEntry *tle;

	if (var->varno != INDEX_VAR)
		return var;
	tle = get_tle_by_resno(ios->indextlist, var->varattno);
	if (tle == NULL || !IsA(tle->expr, Var))
		return NULL;
	return (Var *) tle->expr;
}

/*
 * pga_runs_pinned_in
 *		Whether one of quals (an implicitly AND-ed list) is
 *		"column attno of range-table entry scanrelid = Param or Const".
 */
static bool
pga_runs_pinned_in(List *quals, Plan *scan, Index scanrelid,
				   AttrNumber attno)
{
	ListCell   *lc;

	foreach(lc, quals)
	{
		OpExpr	   *op = (OpExpr *) lfirst(lc);
		int			side;

		if (!IsA(op, OpExpr) || list_length(op->args) != 2 ||
			get_oprrest(op->opno) != F_EQSEL)
			continue;
		for (side = 0; side < 2; side++)
		{
			Node	   *col = pga_strip_relabel(list_nth(op->args, side));
			Node	   *other = pga_strip_relabel(list_nth(op->args, 1 - side));
			Var		   *var;

			if (col == NULL || !IsA(col, Var))
				continue;
			var = (Var *) col;
			if (IsA(scan, IndexOnlyScan))
				var = pga_runs_index_var((IndexOnlyScan *) scan, var);
			if (var == NULL || var->varno != scanrelid ||
				var->varattno != attno)
				continue;
			if ((IsA(other, Param) &&
				 ((Param *) other)->paramkind == PARAM_EXEC) ||
				(IsA(other, Const) && !((Const *) other)->constisnull))
				return true;
		}
	}
	return false;
}

/*
 * pga_runs_scan_pins
 *		Whether scan holds column attno of its relation to one value for
 *		the whole of each of its runs.
 */
static bool
pga_runs_scan_pins(Plan *scan, AttrNumber attno)
{
	Index		scanrelid = ((Scan *) scan)->scanrelid;

	if (pga_runs_pinned_in(scan->qual, scan, scanrelid, attno))
		return true;
	switch (nodeTag(scan))
	{
		case T_IndexScan:
			return pga_runs_pinned_in(((IndexScan *) scan)->indexqualorig,
									  scan, scanrelid, attno);
		case T_IndexOnlyScan:
			return pga_runs_pinned_in(((IndexOnlyScan *) scan)->indexqual,
									  scan, scanrelid, attno);
		case T_BitmapHeapScan:
			return pga_runs_pinned_in(((BitmapHeapScan *) scan)->bitmapqualorig,
									  scan, scanrelid, attno);
		default:
			return false;
	}
}

/*
 * pga_runs_of_output
 *		An upper bound on how many times output column resno of plan, which
 *		runs loops times, changes value from one row to the next: a scan
 *		that holds the column to one value changes it at most once per
 *		run, any other scan at most once per row; a join passes on each
 *		row of its outer side with all its matches one after another, so
 *		an outer column changes no more often than it does in the outer
 *		side's rows (and a nested loop's inner side runs once per outer
 *		row).  Anything else: once per row.
 */
static double
pga_runs_of_output(Plan *plan, AttrNumber resno, double loops)
{
	double		per_row = loops * Max(plan->plan_rows, 1.0);
	TargetEntry *tle;
	Var		   *var;

	check_stack_depth();
	tle = get_tle_by_resno(plan->targetlist, resno);
	if (tle == NULL)
		return per_row;
	var = (Var *) pga_strip_relabel((Node *) tle->expr);
	if (var == NULL || !IsA(var, Var))
		return per_row;

	switch (nodeTag(plan))
	{
		case T_SeqScan:
		case T_IndexScan:
		case T_BitmapHeapScan:
			break;
		case T_IndexOnlyScan:
			var = pga_runs_index_var((IndexOnlyScan *) plan, var);
			if (var == NULL)
				return per_row;
			break;
		case T_NestLoop:
			if (var->varno == OUTER_VAR)
				return pga_runs_of_output(plan->lefttree, var->varattno,
										  loops);
			if (var->varno == INNER_VAR)
				return Min(per_row,
						   pga_runs_of_output(plan->righttree, var->varattno,
											  loops * Max(plan->lefttree->plan_rows, 1.0)));
			return per_row;
		case T_HashJoin:
		case T_MergeJoin:
			/* The inner side's rows come in the hash table's order. */
			if (var->varno == OUTER_VAR)
				return pga_runs_of_output(plan->lefttree, var->varattno,
										  loops);
			return per_row;
		case T_Result:
			if (var->varno == OUTER_VAR && plan->lefttree != NULL)
				return pga_runs_of_output(plan->lefttree, var->varattno,
										  loops);
			return per_row;
		default:
			return per_row;
	}

	if (var->varno == ((Scan *) plan)->scanrelid && var->varattno > 0 &&
		pga_runs_scan_pins(plan, var->varattno))
		return Min(loops, per_row);
	return per_row;
}

/*
 * pga_fetch_runs_push
 *		ctx (a list of PgaKeyRuns) with the parameters of nested loop nl,
 *		which runs loops times, and how often each changes value.  Returns
 *		a new list, or ctx itself when nl passes no parameter; ctx is never
 *		changed.
 */
List *
pga_fetch_runs_push(List *ctx, NestLoop *nl, double loops)
{
	List	   *result;
	ListCell   *lc;

	if (nl->nestParams == NIL)
		return ctx;
	result = list_copy(ctx);

	foreach(lc, nl->nestParams)
	{
		NestLoopParam *nlp = (NestLoopParam *) lfirst(lc);
		PgaKeyRuns *kr;

		if (nlp->paramval == NULL || !IsA(nlp->paramval, Var) ||
			nlp->paramval->varno != OUTER_VAR)
			continue;
		kr = palloc(sizeof(PgaKeyRuns));
		kr->paramno = nlp->paramno;
		kr->runs = pga_runs_of_output(nl->join.plan.lefttree,
									  nlp->paramval->varattno, loops);
		result = lappend(result, kr);
	}
	return result;
}

/*
 * pga_fetch_runs_charged
 *		How many of the loops probes of index scan plan start from a new
 *		key: loops unless every parameter of its index quals is in ctx.
 */
double
pga_fetch_runs_charged(List *ctx, Plan *plan, double loops)
{
	Bitmapset  *params = NULL;
	double		changes = 0.0;
	int			paramno = -1;

	if (IsA(plan, IndexScan))
		params = pull_paramids((Expr *) ((IndexScan *) plan)->indexqual);
	else if (IsA(plan, IndexOnlyScan))
		params = pull_paramids((Expr *) ((IndexOnlyScan *) plan)->indexqual);
	if (params == NULL)
		return loops;

	while ((paramno = bms_next_member(params, paramno)) >= 0)
	{
		ListCell   *lc;
		bool		found = false;

		foreach(lc, ctx)
		{
			PgaKeyRuns *kr = (PgaKeyRuns *) lfirst(lc);

			if (kr->paramno == paramno)
			{
				changes += kr->runs;
				found = true;
				break;
			}
		}
		if (!found)
			return loops;
	}
	return Min(loops, Max(changes, 1.0));
}
