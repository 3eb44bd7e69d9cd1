/*-------------------------------------------------------------------------
 *
 * planwalk.c
 *	  Walking a plan state tree: predicates, join/sort/group keys and plan
 *	  findings, for the workload capture and for architect.explain().
 *
 * The walk visits every node with planstate_tree_walker (init plans, sub
 * plans and the children of every node type) and looks at the node's
 * expressions with expression_tree_walker.  Nothing here touches shared
 * memory: the caller stores what the walk returns.
 *
 * Predicates.  A scan's quals are an implicit AND; each clause of the
 * form "column op value", "value op column" (commuted), "column op
 * ANY/ALL (array)" or "column IS [NOT] NULL" becomes one predicate of the
 * scanned table, of kind index_cond (index scans' conditions, bitmap
 * index scans under their heap scan) or filter.  The column side may be
 * an expression over one table (lower(email)); it is found through
 * OUTER_VAR/INNER_VAR/INDEX_VAR references down the child target lists,
 * so an index-only scan's conditions, a sort above a join or a join
 * clause all name the base table column.  The value side must contain no
 * column of the current query level: a constant, a parameter, or an
 * expression of those (a nested loop's parameter counts as a join).
 * Joins' hash, merge and join clauses comparing two tables' columns give
 * one join predicate per side.  Sort and Agg/Group nodes give sort and
 * group keys with their position.
 *
 * scan_group.  Predicates AND-ed in one scan, for one table, share a
 * group id; each arm of an OR (in a qual or a BitmapOr) opens a group of
 * its own.  The id is a hash of the group's members (sorted), so the
 * same plan shape gives the same ids execution after execution.
 *
 * Measurements.  With instrumentation (sampled executions, EXPLAIN
 * ANALYZE), each predicate gets its node's rows: scanned, removed by the
 * qual, estimated and actual, and the bases of the selectivities (table
 * rows for scans, the cross product for joins, input rows for groups).
 *
 * Findings.  At every node the walk calls pga_node_findings (planfind.c),
 * which judges the node from its instrumentation or its estimates.
 *
 * The walk reads nodes before ExecutorEnd frees them; the caller must
 * call it first.  It never takes locks and does catalog lookups only for
 * expression deparsing, commutators and example values, which are not
 * needed on the per-execution fast path of capture.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/transam.h"
#include "catalog/pg_proc.h"
#include "common/hashfn.h"
#include "executor/executor.h"
#include "executor/hashjoin.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteManip.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
#include "utils/tuplesort.h"

#include "guc.h"
#include "pg_architect.h"
#include "planwalk.h"
#include "planwalk_int.h"

/* A column, or an expression over one table's columns. */
typedef struct PgaColumn
{
	Oid			relid;
	AttrNumber	attnum;			/* 0 for an expression */
	Index		varno;			/* range table index of its Vars */
	Node	   *expr;			/* the expression, NULL for a column */
} PgaColumn;

/* One side of a comparison. */
typedef struct PgaSide
{
	bool		is_column;
	bool		is_value;
	PgaColumn	col;
	Node	   *expr;
} PgaSide;

/* Rows of one node, as its predicates see them. */
typedef struct PgaMeasure
{
	bool		valid;
	double		rows_scanned;
	double		rows_removed;
	double		est_rows;
	double		actual_rows;
	double		est_base;
	double		actual_base;
} PgaMeasure;

/* A nested loop parameter and the outer column it carries. */
typedef struct PgaNestParam
{
	int			paramno;
	PgaColumn	col;
} PgaNestParam;


static bool pga_walk_node(PlanState *ps, PgaWalkCtx *ctx);
static bool pga_walk_child(PlanState *child, PgaWalkCtx *ctx);

/* ---------------------------------------------------------------------
 * Names
 * ---------------------------------------------------------------------
 */

const char *
pga_kind_name(int kind)
{
	switch (kind)
	{
		case PGA_KIND_INDEX_COND:
			return "index_cond";
		case PGA_KIND_FILTER:
			return "filter";
		case PGA_KIND_JOIN:
			return "join";
		case PGA_KIND_SORT:
			return "sort";
		case PGA_KIND_GROUP:
			return "group";
	}
	return "unknown";
}

/*
 * pga_value_clip
 *		A copy of s cut to fit maxlen bytes (with its NUL), at a character
 *		boundary, marked with "..." when cut.
 */
char *
pga_value_clip(const char *s, int maxlen)
{
	int			len = strlen(s);
	int			keep;
	char	   *out;

	if (len < maxlen)
		return pstrdup(s);
	keep = pg_mbcliplen(s, len, maxlen - 4);
	out = palloc(keep + 4);
	memcpy(out, s, keep);
	memcpy(out + keep, "...", 4);
	return out;
}

/*
 * pga_node_label
 *		The name EXPLAIN gives a plan node.
 */
const char *
pga_node_label(Plan *plan)
{
	bool		par = plan->parallel_aware;

	switch (nodeTag(plan))
	{
		case T_SeqScan:
			return par ? "Parallel Seq Scan" : "Seq Scan";
		case T_SampleScan:
			return "Sample Scan";
		case T_IndexScan:
			return par ? "Parallel Index Scan" : "Index Scan";
		case T_IndexOnlyScan:
			return par ? "Parallel Index Only Scan" : "Index Only Scan";
		case T_BitmapIndexScan:
			return "Bitmap Index Scan";
		case T_BitmapHeapScan:
			return par ? "Parallel Bitmap Heap Scan" : "Bitmap Heap Scan";
		case T_BitmapAnd:
			return "BitmapAnd";
		case T_BitmapOr:
			return "BitmapOr";
		case T_TidScan:
			return "Tid Scan";
		case T_TidRangeScan:
			return "Tid Range Scan";
		case T_SubqueryScan:
			return "Subquery Scan";
		case T_FunctionScan:
			return "Function Scan";
		case T_TableFuncScan:
			return "Table Function Scan";
		case T_ValuesScan:
			return "Values Scan";
		case T_CteScan:
			return "CTE Scan";
		case T_NamedTuplestoreScan:
			return "Named Tuplestore Scan";
		case T_WorkTableScan:
			return "WorkTable Scan";
		case T_ForeignScan:
			return "Foreign Scan";
		case T_CustomScan:
			return "Custom Scan";
		case T_NestLoop:
			return "Nested Loop";
		case T_MergeJoin:
			return "Merge Join";
		case T_HashJoin:
			return par ? "Parallel Hash Join" : "Hash Join";
		case T_Hash:
			return par ? "Parallel Hash" : "Hash";
		case T_Material:
			return "Materialize";
		case T_Memoize:
			return "Memoize";
		case T_Sort:
			return "Sort";
		case T_IncrementalSort:
			return "Incremental Sort";
		case T_Group:
			return "Group";
		case T_Agg:
			switch (((Agg *) plan)->aggstrategy)
			{
				case AGG_PLAIN:
					return "Aggregate";
				case AGG_SORTED:
					return "GroupAggregate";
				case AGG_HASHED:
					return "HashAggregate";
				case AGG_MIXED:
					return "MixedAggregate";
			}
			return "Aggregate";
		case T_WindowAgg:
			return "WindowAgg";
		case T_Unique:
			return "Unique";
		case T_SetOp:
			return "SetOp";
		case T_LockRows:
			return "LockRows";
		case T_Limit:
			return "Limit";
		case T_Gather:
			return "Gather";
		case T_GatherMerge:
			return "Gather Merge";
		case T_Append:
			return par ? "Parallel Append" : "Append";
		case T_MergeAppend:
			return "Merge Append";
		case T_RecursiveUnion:
			return "Recursive Union";
		case T_Result:
			return "Result";
		case T_ProjectSet:
			return "ProjectSet";
		case T_ModifyTable:
			switch (((ModifyTable *) plan)->operation)
			{
				case CMD_INSERT:
					return "Insert";
				case CMD_UPDATE:
					return "Update";
				case CMD_DELETE:
					return "Delete";
				case CMD_MERGE:
					return "Merge";
				default:
					return "ModifyTable";
			}
		default:
			return "Plan Node";
	}
}

/* ---------------------------------------------------------------------
 * Fingerprint
 * ---------------------------------------------------------------------
 */

typedef struct PgaFpCtx
{
	EState	   *estate;
	uint64		hash;
} PgaFpCtx;

static inline void
pga_fp_add(PgaFpCtx *fp, uint64 v)
{
	fp->hash = hash_combine64(fp->hash, v * UINT64CONST(0x9E3779B97F4A7C15) + 1);
}

/* Relation OID of a scan node's range table entry, or InvalidOid. */
static Oid
pga_scan_relid(EState *estate, Plan *plan)
{
	Index		scanrelid = ((Scan *) plan)->scanrelid;
	RangeTblEntry *rte;

	if (scanrelid == 0 || scanrelid > estate->es_range_table_size)
		return InvalidOid;
	rte = exec_rt_fetch(scanrelid, estate);
	return rte->rtekind == RTE_RELATION ? rte->relid : InvalidOid;
}

static bool
pga_is_scan(Plan *plan)
{
	switch (nodeTag(plan))
	{
		case T_SeqScan:
		case T_SampleScan:
		case T_IndexScan:
		case T_IndexOnlyScan:
		case T_BitmapIndexScan:
		case T_BitmapHeapScan:
		case T_TidScan:
		case T_TidRangeScan:
		case T_SubqueryScan:
		case T_FunctionScan:
		case T_TableFuncScan:
		case T_ValuesScan:
		case T_CteScan:
		case T_NamedTuplestoreScan:
		case T_WorkTableScan:
		case T_ForeignScan:
		case T_CustomScan:
			return true;
		default:
			return false;
	}
}

static bool
pga_fp_node(PlanState *ps, PgaFpCtx *fp)
{
	Plan	   *plan = ps->plan;

	pga_fp_add(fp, (uint64) nodeTag(plan));
	pga_fp_add(fp, (uint64) list_length(plan->qual));
	if (pga_is_scan(plan))
		pga_fp_add(fp, (uint64) pga_scan_relid(fp->estate, plan));
	switch (nodeTag(plan))
	{
		case T_IndexScan:
			pga_fp_add(fp, ((IndexScan *) plan)->indexid);
			pga_fp_add(fp, list_length(((IndexScan *) plan)->indexqualorig));
			break;
		case T_IndexOnlyScan:
			pga_fp_add(fp, ((IndexOnlyScan *) plan)->indexid);
			pga_fp_add(fp, list_length(((IndexOnlyScan *) plan)->indexqual));
			break;
		case T_BitmapIndexScan:
			pga_fp_add(fp, ((BitmapIndexScan *) plan)->indexid);
			pga_fp_add(fp, list_length(((BitmapIndexScan *) plan)->indexqualorig));
			break;
		case T_NestLoop:
		case T_MergeJoin:
		case T_HashJoin:
			pga_fp_add(fp, ((Join *) plan)->jointype);
			pga_fp_add(fp, list_length(((Join *) plan)->joinqual));
			break;
		case T_Sort:
			pga_fp_add(fp, ((Sort *) plan)->numCols);
			break;
		case T_Agg:
			pga_fp_add(fp, ((Agg *) plan)->aggstrategy);
			pga_fp_add(fp, ((Agg *) plan)->numCols);
			break;
		default:
			break;
	}
	return planstate_tree_walker(ps, pga_fp_node, fp);
}

/*
 * pga_plan_fingerprint
 *		A hash of the plan's shape: node types, tables, indexes and the
 *		number of quals at each node.  Two executions of one query id with
 *		the same fingerprint have the same predicate set, so capture.c
 *		works the set out once per fingerprint.
 */
uint64
pga_plan_fingerprint(QueryDesc *queryDesc)
{
	PgaFpCtx	fp;

	fp.estate = queryDesc->estate;
	fp.hash = UINT64CONST(0x5047415243484954);
	if (queryDesc->planstate != NULL)
		pga_fp_node(queryDesc->planstate, &fp);
	return fp.hash;
}

/* ---------------------------------------------------------------------
 * Resolving columns
 * ---------------------------------------------------------------------
 */

typedef struct PgaVarScan
{
	Index		varno;
	bool		bad;
} PgaVarScan;

/* Do all Vars of the expression belong to one real range table entry? */
static bool
pga_scan_vars(Node *node, PgaVarScan *vs)
{
	if (node == NULL)
		return false;
	if (IsA(node, Var))
	{
		Var		   *var = (Var *) node;

		if (var->varlevelsup != 0 || IS_SPECIAL_VARNO(var->varno) ||
			var->varattno <= 0)
			vs->bad = true;
		else if (vs->varno == 0)
			vs->varno = var->varno;
		else if (vs->varno != var->varno)
			vs->bad = true;
		return vs->bad;
	}
	if (IsA(node, Param) || IsA(node, SubPlan) ||
		IsA(node, AlternativeSubPlan) || IsA(node, Aggref) ||
		IsA(node, WindowFunc) || IsA(node, GroupingFunc) ||
		IsA(node, PlaceHolderVar))
	{
		vs->bad = true;
		return true;
	}
	return expression_tree_walker(node, pga_scan_vars, vs);
}

/* The child an OUTER_VAR of this node refers to. */
PlanState *
pga_outer_child(PlanState *ps)
{
	switch (nodeTag(ps))
	{
		case T_AppendState:
			{
				AppendState *as = (AppendState *) ps;

				return as->as_nplans > 0 ? as->appendplans[0] : NULL;
			}
		case T_MergeAppendState:
			{
				MergeAppendState *ms = (MergeAppendState *) ps;

				return ms->ms_nplans > 0 ? ms->mergeplans[0] : NULL;
			}
		case T_CustomScanState:
			{
				CustomScanState *cs = (CustomScanState *) ps;

				return cs->custom_ps != NIL ? linitial(cs->custom_ps) : NULL;
			}
		default:
			return outerPlanState(ps);
	}
}

/* The target list INDEX_VAR refers to at this node. */
static List *
pga_index_tlist(PlanState *ps)
{
	switch (nodeTag(ps->plan))
	{
		case T_IndexOnlyScan:
			return ((IndexOnlyScan *) ps->plan)->indextlist;
		case T_ForeignScan:
			return ((ForeignScan *) ps->plan)->fdw_scan_tlist;
		case T_CustomScan:
			return ((CustomScan *) ps->plan)->custom_scan_tlist;
		default:
			return NIL;
	}
}

static bool pga_resolve(PgaWalkCtx *ctx, PlanState *ps, Node *expr,
						PgaColumn *col, int depth);

static bool
pga_resolve_tle(PgaWalkCtx *ctx, PlanState *ps, List *tlist, AttrNumber attno,
				PgaColumn *col, int depth)
{
	TargetEntry *tle;

	if (ps == NULL || attno <= 0 || attno > list_length(tlist))
		return false;
	tle = list_nth_node(TargetEntry, tlist, attno - 1);
	return pga_resolve(ctx, ps, (Node *) tle->expr, col, depth + 1);
}

/*
 * pga_resolve
 *		Find the base table column (or single-table expression) that expr,
 *		as seen at node ps, stands for.
 */
static bool
pga_resolve(PgaWalkCtx *ctx, PlanState *ps, Node *expr, PgaColumn *col,
			int depth)
{
	PgaVarScan	vs;

	if (depth > 64)
		return false;
	expr = pga_strip_relabel(expr);
	if (expr == NULL)
		return false;

	if (IsA(expr, Var))
	{
		Var		   *var = (Var *) expr;
		RangeTblEntry *rte;

		if (var->varlevelsup != 0)
			return false;
		switch (var->varno)
		{
			case OUTER_VAR:
				{
					PlanState  *child = pga_outer_child(ps);

					return child != NULL &&
						pga_resolve_tle(ctx, child, child->plan->targetlist,
										var->varattno, col, depth);
				}
			case INNER_VAR:
				{
					PlanState  *child = innerPlanState(ps);

					return child != NULL &&
						pga_resolve_tle(ctx, child, child->plan->targetlist,
										var->varattno, col, depth);
				}
			case INDEX_VAR:
				return pga_resolve_tle(ctx, ps, pga_index_tlist(ps),
									   var->varattno, col, depth);
			case ROWID_VAR:
				return false;
			default:
				break;
		}
		if (var->varno <= 0 || var->varno > ctx->estate->es_range_table_size)
			return false;
		rte = exec_rt_fetch(var->varno, ctx->estate);
		if (rte->rtekind == RTE_RELATION)
		{
			if (var->varattno <= 0)
				return false;	/* whole row or system column */
			col->relid = rte->relid;
			col->attnum = var->varattno;
			col->varno = var->varno;
			col->expr = NULL;
			return true;
		}
		if (rte->rtekind == RTE_SUBQUERY && IsA(ps, SubqueryScanState) &&
			((Scan *) ps->plan)->scanrelid == var->varno)
		{
			PlanState  *sub = ((SubqueryScanState *) ps)->subplan;

			return pga_resolve_tle(ctx, sub, sub->plan->targetlist,
								   var->varattno, col, depth);
		}
		return false;
	}

	/* An expression: all of its Vars must be of one table. */
	vs.varno = 0;
	vs.bad = false;
	(void) pga_scan_vars(expr, &vs);
	if (vs.bad || vs.varno == 0 || vs.varno > ctx->estate->es_range_table_size)
		return false;
	{
		RangeTblEntry *rte = exec_rt_fetch(vs.varno, ctx->estate);

		if (rte->rtekind != RTE_RELATION)
			return false;
		col->relid = rte->relid;
		col->attnum = 0;
		col->varno = vs.varno;
		col->expr = expr;
	}
	return true;
}

/* Does the expression refer to no column at all (a value)? */
static bool
pga_is_value(Node *node)
{
	return node != NULL && !contain_var_clause(node);
}

static void
pga_classify(PgaWalkCtx *ctx, PlanState *ps, Node *node, PgaSide *side)
{
	memset(side, 0, sizeof(PgaSide));
	side->expr = node;
	if (pga_is_value(node))
		side->is_value = true;
	else if (pga_resolve(ctx, ps, node, &side->col, 0))
		side->is_column = true;
}

/* ---------------------------------------------------------------------
 * Example values
 * ---------------------------------------------------------------------
 */

/* Can the value side be evaluated here without side effects? */
static bool
pga_evaluable_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	switch (nodeTag(node))
	{
		case T_Const:
		case T_RelabelType:
		case T_CoerceViaIO:
		case T_ArrayExpr:
		case T_List:
			break;
		case T_Param:
			if (((Param *) node)->paramkind != PARAM_EXTERN)
				return true;
			break;
		case T_FuncExpr:
			{
				Oid			f = ((FuncExpr *) node)->funcid;

				if (f >= FirstNormalObjectId ||
					func_volatile(f) == PROVOLATILE_VOLATILE)
					return true;
			}
			break;
		case T_OpExpr:
			{
				Oid			f = ((OpExpr *) node)->opfuncid;

				if (!OidIsValid(f) || f >= FirstNormalObjectId ||
					func_volatile(f) == PROVOLATILE_VOLATILE)
					return true;
			}
			break;
		default:
			return true;
	}
	return expression_tree_walker(node, pga_evaluable_walker, context);
}

static char *
pga_datum_text(Datum value, bool isnull, Oid type)
{
	Oid			typoutput;
	bool		typisvarlena;
	char	   *s;
	char	   *clipped;

	if (isnull)
		return pstrdup("NULL");
	getTypeOutputInfo(type, &typoutput, &typisvarlena);
	s = OidOutputFunctionCall(typoutput, value);
	clipped = pga_value_clip(s, PGA_VALUE_LEN);
	pfree(s);
	return clipped;
}

/*
 * pga_value_text
 *		The text of the value side of a predicate in this execution: a
 *		constant, a bound parameter, or an expression of those using only
 *		built-in non-volatile functions.  NULL when it is none of these (a
 *		join parameter, a sub plan's result).
 */
static char *
pga_value_text(PgaWalkCtx *ctx, Node *expr)
{
	ExprContext *econtext;
	ExprState  *state;
	Datum		value;
	bool		isnull;
	char	   *result;

	while (expr != NULL && IsA(expr, RelabelType))
		expr = (Node *) ((RelabelType *) expr)->arg;
	if (expr == NULL)
		return NULL;
	if (IsA(expr, Const))
	{
		Const	   *c = (Const *) expr;

		return pga_datum_text(c->constvalue, c->constisnull, c->consttype);
	}
	if (pga_evaluable_walker(expr, NULL))
		return NULL;

	econtext = CreateStandaloneExprContext();
	econtext->ecxt_param_list_info = ctx->estate->es_param_list_info;
	state = ExecInitExpr((Expr *) expr, NULL);
	value = ExecEvalExprSwitchContext(state, econtext, &isnull);
	result = pga_datum_text(value, isnull, exprType(expr));
	FreeExprContext(econtext, true);
	return result;
}

/* ---------------------------------------------------------------------
 * Collecting predicates
 * ---------------------------------------------------------------------
 */

static char *
pga_deparse_column(PgaColumn *col)
{
	char	   *relname = get_rel_name(col->relid);
	Node	   *copy;
	List	   *dpcontext;

	if (relname == NULL)
		return NULL;
	copy = copyObject(col->expr);
	if (col->varno != 1)
		ChangeVarNodes(copy, col->varno, 1, 0);
	dpcontext = deparse_context_for(relname, col->relid);
	return deparse_expression(copy, dpcontext, false, false);
}

static void
pga_add_pred(PgaWalkCtx *ctx, PgaColumn *col, Oid opno, int kind, int form,
			 int position, int bucket, const char *label, PgaMeasure *m,
			 Node *value)
{
	PgaWalkPred *p;

	/* System catalogs have the indexes they need; no advice there. */
	if (!OidIsValid(col->relid) || col->relid < FirstNormalObjectId)
		return;
	if (ctx->npreds >= ctx->maxpreds)
	{
		ctx->maxpreds = ctx->maxpreds * 2;
		ctx->preds = repalloc(ctx->preds, sizeof(PgaWalkPred) * ctx->maxpreds);
	}
	p = &ctx->preds[ctx->npreds];
	memset(p, 0, sizeof(PgaWalkPred));
	p->key.queryid = ctx->queryid;
	p->key.dbid = ctx->dbid;
	p->key.relid = col->relid;
	p->key.opno = opno;
	p->key.attnum = col->attnum;
	p->key.position = position;
	p->key.kind = kind;
	p->key.form = form;
	if (col->expr != NULL)
	{
		char	   *text = pga_deparse_column(col);

		if (text == NULL)
			return;
		p->key.exprhash = hash_bytes((const unsigned char *) text, strlen(text));
		if (p->key.exprhash == 0)
			p->key.exprhash = 1;
		p->expr = pga_value_clip(text, PGA_EXPR_LEN);
	}
	p->node = label;
	p->bucket = bucket;
	if (m != NULL)
		p->est_rows = m->est_rows;
	if (m != NULL && m->valid)
	{
		p->measured = true;
		p->rows_scanned = m->rows_scanned;
		p->rows_removed = m->rows_removed;
		p->est_rows = m->est_rows;
		p->actual_rows = m->actual_rows;
		p->est_base = m->est_base;
		p->actual_base = m->actual_base;
	}
	if (value != NULL && (ctx->flags & PGA_WALK_VALUES))
		p->example = pga_value_text(ctx, value);
	ctx->npreds++;
}

/* The outer column a nested loop parameter carries, if it is one. */
static PgaColumn *
pga_nestparam_column(PgaWalkCtx *ctx, Node *value)
{
	ListCell   *lc;

	while (value != NULL && IsA(value, RelabelType))
		value = (Node *) ((RelabelType *) value)->arg;
	if (value == NULL || !IsA(value, Param) ||
		((Param *) value)->paramkind != PARAM_EXEC)
		return NULL;
	foreach(lc, ctx->nestparams)
	{
		PgaNestParam *np = lfirst(lc);

		if (np->paramno == ((Param *) value)->paramid)
			return &np->col;
	}
	return NULL;
}

/*
 * pga_clause
 *		Collect the predicates of one qual clause at node ps.  kind is
 *		PGA_KIND_INDEX_COND or PGA_KIND_FILTER for scans (column op value)
 *		and PGA_KIND_JOIN for joins (column op column of two tables).
 */
static void
pga_clause(PgaWalkCtx *ctx, PlanState *ps, Node *clause, int kind, int bucket,
		   const char *label, PgaMeasure *m)
{
	if (clause == NULL)
		return;
	check_stack_depth();

	if (IsA(clause, List))
	{
		ListCell   *lc;

		foreach(lc, (List *) clause)
			pga_clause(ctx, ps, lfirst(lc), kind, bucket, label, m);
		return;
	}
	if (IsA(clause, BoolExpr))
	{
		BoolExpr   *b = (BoolExpr *) clause;
		ListCell   *lc;

		if (b->boolop == AND_EXPR)
		{
			foreach(lc, b->args)
				pga_clause(ctx, ps, lfirst(lc), kind, bucket, label, m);
		}
		else if (b->boolop == OR_EXPR)
		{
			foreach(lc, b->args)
				pga_clause(ctx, ps, lfirst(lc), kind, ++ctx->bucket_seq,
						   label, m);
		}
		/* NOT: no index serves it; skip. */
		return;
	}
	if (IsA(clause, OpExpr) && list_length(((OpExpr *) clause)->args) == 2)
	{
		OpExpr	   *op = (OpExpr *) clause;
		PgaSide		l,
					r;

		pga_classify(ctx, ps, linitial(op->args), &l);
		pga_classify(ctx, ps, lsecond(op->args), &r);
		if (kind == PGA_KIND_JOIN)
		{
			if (l.is_column && r.is_column &&
				(l.col.relid != r.col.relid || l.col.varno != r.col.varno))
			{
				Oid			commuted = get_commutator(op->opno);

				pga_add_pred(ctx, &l.col, op->opno, kind, PGA_FORM_OP, 0,
							 bucket, label, m, NULL);
				pga_add_pred(ctx, &r.col,
							 OidIsValid(commuted) ? commuted : op->opno,
							 kind, PGA_FORM_OP, 0, bucket, label, m, NULL);
			}
			return;
		}
		if (l.is_column && r.is_value)
		{
			PgaColumn  *outer;

			pga_add_pred(ctx, &l.col, op->opno, kind, PGA_FORM_OP, 0, bucket,
						 label, m, r.expr);
			outer = pga_nestparam_column(ctx, r.expr);
			if (outer != NULL)
			{
				Oid			commuted = get_commutator(op->opno);

				pga_add_pred(ctx, &l.col, op->opno, PGA_KIND_JOIN,
							 PGA_FORM_OP, 0, bucket, label, m, NULL);
				pga_add_pred(ctx, outer,
							 OidIsValid(commuted) ? commuted : op->opno,
							 PGA_KIND_JOIN, PGA_FORM_OP, 0, bucket, label, m,
							 NULL);
			}
		}
		else if (r.is_column && l.is_value)
		{
			Oid			commuted = get_commutator(op->opno);

			if (OidIsValid(commuted))
				pga_add_pred(ctx, &r.col, commuted, kind, PGA_FORM_OP, 0,
							 bucket, label, m, l.expr);
		}
		return;
	}
	if (kind == PGA_KIND_JOIN)
		return;
	if (IsA(clause, ScalarArrayOpExpr))
	{
		ScalarArrayOpExpr *saop = (ScalarArrayOpExpr *) clause;
		PgaSide		l,
					r;

		if (list_length(saop->args) != 2)
			return;
		pga_classify(ctx, ps, linitial(saop->args), &l);
		pga_classify(ctx, ps, lsecond(saop->args), &r);
		if (l.is_column && r.is_value)
			pga_add_pred(ctx, &l.col, saop->opno, kind,
						 saop->useOr ? PGA_FORM_ANY : PGA_FORM_ALL, 0, bucket,
						 label, m, r.expr);
		return;
	}
	if (IsA(clause, NullTest))
	{
		NullTest   *nt = (NullTest *) clause;
		PgaSide		s;

		if (nt->argisrow)
			return;
		pga_classify(ctx, ps, (Node *) nt->arg, &s);
		if (s.is_column)
			pga_add_pred(ctx, &s.col, InvalidOid, kind,
						 nt->nulltesttype == IS_NULL ? PGA_FORM_IS_NULL : PGA_FORM_IS_NOT_NULL,
						 0, bucket, label, m, NULL);
		return;
	}
	/* Anything else (a bare boolean column, a function call) is skipped. */
}

static int
pga_member_cmp(const void *a, const void *b)
{
	const PgaWalkPred *pa = *(PgaWalkPred *const *) a;
	const PgaWalkPred *pb = *(PgaWalkPred *const *) b;

	return memcmp(&pa->key, &pb->key, sizeof(PgaPredKey));
}

/*
 * pga_finish_groups
 *		Give the predicates collected since index start their scan_group:
 *		one id per (bucket, table), a hash of the group's sorted members.
 */
static void
pga_finish_groups(PgaWalkCtx *ctx, int start)
{
	PgaWalkPred *local[16];

	for (int i = start; i < ctx->npreds; i++)
	{
		PgaWalkPred *first = &ctx->preds[i];
		PgaWalkPred **members;
		int			nmembers = 0;
		int			room = ctx->npreds - i;
		uint32		h;

		if (first->grouped)
			continue;
		members = room <= lengthof(local) ? local :
			palloc(sizeof(PgaWalkPred *) * room);
		for (int j = i; j < ctx->npreds; j++)
		{
			PgaWalkPred *p = &ctx->preds[j];

			if (!p->grouped && p->bucket == first->bucket &&
				p->key.relid == first->key.relid)
				members[nmembers++] = p;
		}
		if (nmembers > 1)
			qsort(members, nmembers, sizeof(PgaWalkPred *), pga_member_cmp);
		h = hash_bytes_uint32(first->key.relid);
		for (int j = 0; j < nmembers; j++)
		{
			PgaPredKey	k = members[j]->key;

			/* the group is about the columns, not the measurements */
			k.scan_group = 0;
			h = hash_combine(h, hash_bytes((const unsigned char *) &k, sizeof(k)));
		}
		if (h == 0)
			h = 1;
		for (int j = 0; j < nmembers; j++)
		{
			members[j]->key.scan_group = h;
			members[j]->grouped = true;
		}
		if (members != local)
			pfree(members);
	}
}

/* ---------------------------------------------------------------------
 * Measurements and findings
 * ---------------------------------------------------------------------
 */

double
pga_reltuples(PgaWalkCtx *ctx, Plan *plan)
{
	Index		scanrelid = ((Scan *) plan)->scanrelid;
	Relation	rel;

	if (scanrelid == 0 || scanrelid > ctx->estate->es_range_table_size ||
		ctx->estate->es_relations == NULL)
		return 0;
	rel = ctx->estate->es_relations[scanrelid - 1];
	if (rel == NULL || rel->rd_rel->reltuples < 0)
		return 0;
	return rel->rd_rel->reltuples;
}

/* Instrumentation of a node with its loops ended, or NULL. */
Instrumentation *
pga_instr(PgaWalkCtx *ctx, PlanState *ps)
{
	if (!(ctx->flags & PGA_WALK_MEASURE) || ps == NULL || ps->instrument == NULL)
		return NULL;
	InstrEndLoop(ps->instrument);
	return ps->instrument;
}

/*
 * pga_scan_measure
 *		Rows of a scan node for its predicates of one kind.
 */
static void
pga_scan_measure(PgaWalkCtx *ctx, PlanState *ps, int kind, PgaMeasure *m)
{
	Instrumentation *instr = pga_instr(ctx, ps);
	double		loops;
	double		tuples;

	memset(m, 0, sizeof(PgaMeasure));
	m->est_rows = ps->plan->plan_rows;
	m->est_base = pga_reltuples(ctx, ps->plan);
	if (instr == NULL)
		return;
	loops = Max(instr->nloops, 1);
	tuples = pga_reltuples(ctx, ps->plan) * loops;
	m->valid = true;
	m->est_rows = ps->plan->plan_rows * loops;
	m->est_base = tuples;
	m->actual_base = tuples;
	switch (nodeTag(ps))
	{
		case T_SeqScanState:
			/* every row of the table goes through the filter */
			m->rows_scanned = instr->ntuples + instr->nfiltered1;
			m->rows_removed = instr->nfiltered1;
			m->actual_rows = instr->ntuples;
			m->actual_base = m->rows_scanned;
			break;
		case T_IndexScanState:
		case T_IndexOnlyScanState:
			m->rows_scanned = instr->ntuples + instr->nfiltered1 + instr->nfiltered2;
			if (kind == PGA_KIND_INDEX_COND)
			{
				m->rows_removed = instr->nfiltered2;
				m->actual_rows = instr->ntuples + instr->nfiltered1;
			}
			else
			{
				m->rows_removed = instr->nfiltered1;
				m->actual_rows = instr->ntuples;
			}
			break;
		case T_BitmapIndexScanState:
			m->rows_scanned = instr->ntuples;
			m->rows_removed = 0;
			m->actual_rows = instr->ntuples;
			break;
		case T_BitmapHeapScanState:
			m->rows_scanned = instr->ntuples + instr->nfiltered1 + instr->nfiltered2;
			m->rows_removed = instr->nfiltered1;
			m->actual_rows = instr->ntuples;
			break;
		default:
			m->rows_scanned = instr->ntuples + instr->nfiltered1;
			m->rows_removed = instr->nfiltered1;
			m->actual_rows = instr->ntuples;
			break;
	}
}

/* Rows of a join node for its join predicates. */
static void
pga_join_measure(PgaWalkCtx *ctx, PlanState *ps, PgaMeasure *m)
{
	Instrumentation *instr = pga_instr(ctx, ps);
	Instrumentation *oi = pga_instr(ctx, outerPlanState(ps));
	Instrumentation *ii = pga_instr(ctx, innerPlanState(ps));
	Plan	   *op = outerPlan(ps->plan);
	Plan	   *ip = innerPlan(ps->plan);
	double		loops;

	memset(m, 0, sizeof(PgaMeasure));
	m->est_rows = ps->plan->plan_rows;
	if (instr == NULL)
		return;
	loops = Max(instr->nloops, 1);
	m->valid = true;
	m->est_rows = ps->plan->plan_rows * loops;
	m->actual_rows = instr->ntuples;
	m->rows_removed = instr->nfiltered1 + instr->nfiltered2;
	if (op != NULL && ip != NULL)
		m->est_base = op->plan_rows * ip->plan_rows * loops;
	if (oi != NULL && ii != NULL)
	{
		m->rows_scanned = oi->ntuples + ii->ntuples;
		m->actual_base = oi->ntuples * (ii->ntuples / Max(ii->nloops, 1));
	}
}

/* Rows of a sort or group node for its keys. */
static void
pga_keys_measure(PgaWalkCtx *ctx, PlanState *ps, bool group, PgaMeasure *m)
{
	Instrumentation *instr = pga_instr(ctx, ps);
	PlanState  *child = outerPlanState(ps);
	Instrumentation *ci = pga_instr(ctx, child);
	double		loops;

	memset(m, 0, sizeof(PgaMeasure));
	m->est_rows = ps->plan->plan_rows;
	if (instr == NULL)
		return;
	loops = Max(instr->nloops, 1);
	m->valid = true;
	m->est_rows = ps->plan->plan_rows * loops;
	m->actual_rows = instr->ntuples;
	m->rows_scanned = ci != NULL ? ci->ntuples : instr->ntuples;
	if (group && child != NULL)
	{
		m->est_base = child->plan->plan_rows * loops;
		m->actual_base = m->rows_scanned;
	}
}

/* ---------------------------------------------------------------------
 * The walk
 * ---------------------------------------------------------------------
 */

/* Sort or group keys: numbers into tlist (of node keyps) and operators. */
static void
pga_keys(PgaWalkCtx *ctx, PlanState *keyps, int ncols, AttrNumber *colidx,
		 Oid *ops, int kind, const char *label, PgaMeasure *m)
{
	int			bucket = ++ctx->bucket_seq;

	if (keyps == NULL)
		return;
	for (int i = 0; i < ncols; i++)
	{
		PgaColumn	col;

		memset(&col, 0, sizeof(col));
		if (pga_resolve_tle(ctx, keyps, keyps->plan->targetlist, colidx[i],
							&col, 0))
			pga_add_pred(ctx, &col, ops[i], kind, PGA_FORM_OP, i + 1, bucket,
						 label, m, NULL);
	}
}

static void
pga_scan_node(PgaWalkCtx *ctx, PlanState *ps, const char *label)
{
	Plan	   *plan = ps->plan;
	int			bucket;
	PgaMeasure	mi,
				mf;
	bool		want = (ctx->flags & PGA_WALK_PREDICATES) != 0;

	if (!OidIsValid(pga_scan_relid(ctx->estate, plan)))
		return;

	if (IsA(plan, BitmapIndexScan) && ctx->bitmap_bucket != 0)
		bucket = ctx->bitmap_bucket;
	else
		bucket = ++ctx->bucket_seq;

	if (!want)
		return;
	pga_scan_measure(ctx, ps, PGA_KIND_INDEX_COND, &mi);
	pga_scan_measure(ctx, ps, PGA_KIND_FILTER, &mf);

	switch (nodeTag(plan))
	{
		case T_IndexScan:
			pga_clause(ctx, ps, (Node *) ((IndexScan *) plan)->indexqualorig,
					   PGA_KIND_INDEX_COND, bucket, label, &mi);
			break;
		case T_IndexOnlyScan:
			pga_clause(ctx, ps, (Node *) ((IndexOnlyScan *) plan)->indexqual,
					   PGA_KIND_INDEX_COND, bucket, label, &mi);
			break;
		case T_BitmapIndexScan:
			pga_clause(ctx, ps, (Node *) ((BitmapIndexScan *) plan)->indexqualorig,
					   PGA_KIND_INDEX_COND, bucket,
					   ctx->bitmap_label ? ctx->bitmap_label : label, &mi);
			break;
		default:
			break;
	}
	/* bitmapqualorig of a bitmap heap scan repeats its index conditions */
	pga_clause(ctx, ps, (Node *) plan->qual, PGA_KIND_FILTER, bucket, label, &mf);

	if (IsA(plan, BitmapHeapScan))
		ctx->bitmap_bucket = bucket;
}

static void
pga_join_node(PgaWalkCtx *ctx, PlanState *ps, const char *label)
{
	Plan	   *plan = ps->plan;
	int			bucket = ++ctx->bucket_seq;
	PgaMeasure	m;

	if (!(ctx->flags & PGA_WALK_PREDICATES))
		return;
	pga_join_measure(ctx, ps, &m);
	switch (nodeTag(plan))
	{
		case T_HashJoin:
			pga_clause(ctx, ps, (Node *) ((HashJoin *) plan)->hashclauses,
					   PGA_KIND_JOIN, bucket, label, &m);
			break;
		case T_MergeJoin:
			pga_clause(ctx, ps, (Node *) ((MergeJoin *) plan)->mergeclauses,
					   PGA_KIND_JOIN, bucket, label, &m);
			break;
		default:
			break;
	}
	pga_clause(ctx, ps, (Node *) ((Join *) plan)->joinqual, PGA_KIND_JOIN,
			   bucket, label, &m);
	pga_clause(ctx, ps, (Node *) plan->qual, PGA_KIND_JOIN, bucket, label, &m);
}

/*
 * pga_walk_node
 *		Visit one node, then its children (planstate_tree_walker).
 */
static bool
pga_walk_node(PlanState *ps, PgaWalkCtx *ctx)
{
	Plan	   *plan = ps->plan;
	const char *label = pga_node_label(plan);
	int			start = ctx->npreds;
	bool		saved_early = ctx->early;
	int			saved_bitmap_bucket = ctx->bitmap_bucket;
	const char *saved_bitmap_label = ctx->bitmap_label;
	List	   *saved_nestparams = ctx->nestparams;
	Oid			relid = pga_is_scan(plan) ? pga_scan_relid(ctx->estate, plan) : InvalidOid;

	check_stack_depth();

	if (pga_is_scan(plan))
		pga_scan_node(ctx, ps, label);

	switch (nodeTag(ps))
	{
		case T_NestLoopState:
		case T_MergeJoinState:
		case T_HashJoinState:
			pga_join_node(ctx, ps, label);
			break;
		case T_SortState:
			if (ctx->flags & PGA_WALK_PREDICATES)
			{
				Sort	   *sort = (Sort *) plan;
				PgaMeasure	m;

				pga_keys_measure(ctx, ps, false, &m);
				pga_keys(ctx, ps, sort->numCols, sort->sortColIdx,
						 sort->sortOperators, PGA_KIND_SORT, label, &m);
			}
			break;
		case T_IncrementalSortState:
			if (ctx->flags & PGA_WALK_PREDICATES)
			{
				Sort	   *sort = &((IncrementalSort *) plan)->sort;
				PgaMeasure	m;

				pga_keys_measure(ctx, ps, false, &m);
				pga_keys(ctx, ps, sort->numCols, sort->sortColIdx,
						 sort->sortOperators, PGA_KIND_SORT, label, &m);
			}
			break;
		case T_AggState:
			{
				Agg		   *agg = (Agg *) plan;

				if ((ctx->flags & PGA_WALK_PREDICATES) &&
					agg->aggstrategy != AGG_PLAIN && agg->numCols > 0)
				{
					PgaMeasure	m;

					pga_keys_measure(ctx, ps, true, &m);
					pga_keys(ctx, outerPlanState(ps), agg->numCols,
							 agg->grpColIdx, agg->grpOperators,
							 PGA_KIND_GROUP, label, &m);
				}
			}
			break;
		case T_GroupState:
			if (ctx->flags & PGA_WALK_PREDICATES)
			{
				Group	   *grp = (Group *) plan;
				PgaMeasure	m;

				pga_keys_measure(ctx, ps, true, &m);
				pga_keys(ctx, outerPlanState(ps), grp->numCols, grp->grpColIdx,
						 grp->grpOperators, PGA_KIND_GROUP, label, &m);
			}
			break;
		case T_BitmapHeapScanState:
			ctx->bitmap_label = label;
			break;
		default:
			break;
	}

	if (ctx->flags & (PGA_WALK_FINDINGS | PGA_WALK_ESTIMATES))
		pga_node_findings(ctx, ps, label, relid);

	/* Settle the groups of this node, unless a bitmap heap scan above
	 * still collects its index conditions. */
	if (!(IsA(ps, BitmapIndexScanState) && saved_bitmap_bucket != 0) &&
		!IsA(ps, BitmapHeapScanState))
		pga_finish_groups(ctx, start);

	/* The children, each with what it may assume (pga_walk_child). */
	ctx->parent = ps;
	planstate_tree_walker(ps, pga_walk_child, ctx);

	if (IsA(ps, BitmapHeapScanState))
		pga_finish_groups(ctx, start);

	ctx->early = saved_early;
	ctx->bitmap_bucket = saved_bitmap_bucket;
	ctx->bitmap_label = saved_bitmap_label;
	ctx->nestparams = saved_nestparams;
	return false;
}

/*
 * pga_walk_child
 *		planstate_tree_walker callback: visit one child of ctx->parent with
 *		the context that child sees.  Sub plans (EXISTS, IN, scalar sub
 *		queries), the children of a Limit or a merge join, and the inner
 *		side of a semi or anti join may stop before their end; each arm of
 *		a BitmapOr is a group of its own; the inner side of a nested loop
 *		knows the loop's parameters.
 */
static bool
pga_walk_child(PlanState *child, PgaWalkCtx *ctx)
{
	PlanState  *parent = ctx->parent;
	bool		saved_early = ctx->early;
	int			saved_bucket = ctx->bitmap_bucket;
	List	   *saved_nestparams = ctx->nestparams;
	ListCell   *lc;

	switch (nodeTag(parent))
	{
		case T_LimitState:
		case T_MergeJoinState:
			ctx->early = true;
			break;
		case T_NestLoopState:
		case T_HashJoinState:
			{
				JoinType	jt = ((Join *) parent->plan)->jointype;

				if ((jt == JOIN_SEMI || jt == JOIN_ANTI) &&
					child == innerPlanState(parent))
					ctx->early = true;
			}
			if (IsA(parent, NestLoopState) && child == innerPlanState(parent))
			{
				foreach(lc, ((NestLoop *) parent->plan)->nestParams)
				{
					NestLoopParam *nlp = lfirst(lc);
					PgaNestParam *np = palloc0(sizeof(PgaNestParam));

					if (pga_resolve(ctx, parent, (Node *) nlp->paramval,
									&np->col, 0))
					{
						np->paramno = nlp->paramno;
						ctx->nestparams = lappend(list_copy(ctx->nestparams), np);
					}
				}
			}
			break;
		case T_BitmapOrState:
			if (ctx->bitmap_bucket != 0)
				ctx->bitmap_bucket = ++ctx->bucket_seq;
			break;
		default:
			break;
	}
	foreach(lc, parent->initPlan)
	{
		if (((SubPlanState *) lfirst(lc))->planstate == child)
			ctx->early = true;
	}
	foreach(lc, parent->subPlan)
	{
		if (((SubPlanState *) lfirst(lc))->planstate == child)
			ctx->early = true;
	}

	pga_walk_node(child, ctx);

	ctx->parent = parent;
	ctx->early = saved_early;
	ctx->bitmap_bucket = saved_bucket;
	ctx->nestparams = saved_nestparams;
	return false;
}

static int
pga_pred_cmp(const void *a, const void *b)
{
	return memcmp(&((const PgaWalkPred *) a)->key,
				  &((const PgaWalkPred *) b)->key, sizeof(PgaPredKey));
}

/*
 * pga_plan_walk
 *		Walk the plan state of queryDesc (after ExecutorRun/Finish, before
 *		ExecutorEnd) and fill result with its predicates (deduplicated,
 *		measurements of duplicates summed, hash codes computed) and
 *		findings, as flags ask.  Allocates in CurrentMemoryContext.
 */
void
pga_plan_walk(QueryDesc *queryDesc, Oid dbid, uint64 queryid, int flags,
			  PgaWalkResult *result)
{
	PgaWalkCtx	ctx;
	int			n = 0;

	memset(&ctx, 0, sizeof(ctx));
	ctx.queryDesc = queryDesc;
	ctx.estate = queryDesc->estate;
	ctx.dbid = dbid;
	ctx.queryid = queryid;
	ctx.flags = flags;
	ctx.maxpreds = 16;
	ctx.preds = palloc(sizeof(PgaWalkPred) * ctx.maxpreds);

	if (queryDesc->planstate != NULL)
		pga_walk_node(queryDesc->planstate, &ctx);
	pga_finish_groups(&ctx, 0);

	/* One row per key: sort and merge duplicates. */
	if (ctx.npreds > 1)
		qsort(ctx.preds, ctx.npreds, sizeof(PgaWalkPred), pga_pred_cmp);
	for (int i = 0; i < ctx.npreds; i++)
	{
		PgaWalkPred *p = &ctx.preds[i];

		if (n > 0 && memcmp(&ctx.preds[n - 1].key, &p->key, sizeof(PgaPredKey)) == 0)
		{
			PgaWalkPred *q = &ctx.preds[n - 1];

			if (p->measured)
			{
				q->measured = true;
				q->rows_scanned += p->rows_scanned;
				q->rows_removed += p->rows_removed;
				q->est_rows += p->est_rows;
				q->actual_rows += p->actual_rows;
				q->est_base += p->est_base;
				q->actual_base += p->actual_base;
			}
			if (q->example == NULL)
				q->example = p->example;
			continue;
		}
		if (n != i)
			ctx.preds[n] = *p;
		ctx.preds[n].hashcode = hash_bytes((const unsigned char *) &p->key,
										   sizeof(PgaPredKey));
		n++;
	}
	result->npreds = n;
	result->preds = ctx.preds;
	result->findings = ctx.findings;
}
