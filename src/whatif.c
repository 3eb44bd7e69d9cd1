/*-------------------------------------------------------------------------
 *
 * whatif.c
 *	  What-if costing: the planner's estimated cost of a query under a set
 *	  of hypothetical indexes, and architect.whatif().
 *
 * A what-if call is a direct call of the planner in this backend: the
 * query is parsed, analysed and rewritten once (pga_prepare_query), and
 * each costing plans a fresh copy of the Query with a set of hypothetical
 * indexes active (hypo.c), reads the plan's total cost and walks the plan
 * for the index scans that use one of them.  No EXPLAIN, no SPI, no round
 * trip: a call costs what planning the query costs.
 *
 * Queries with parameters ($1, as pg_stat_statements normalises them) are
 * analysed with their types inferred from context and planned generically,
 * as a prepared statement's generic plan would be.  A parameter whose type
 * cannot be inferred makes the query unplannable.
 *
 * PostgreSQL 15 has no walker over Plan trees (planstate_tree_walker walks
 * executor state, which we never build), so pga_collect_index_oids follows
 * the child links of the node types that have them.
 *
 * Locking: planning takes the usual AccessShareLocks on the tables, held to
 * transaction end.  No shared state.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "nodes/plannodes.h"
#include "optimizer/optimizer.h"
#include "parser/parser.h"
#include "portability/instr_time.h"
#include "tcop/tcopprot.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "hypo.h"
#include "pg_architect.h"
#include "whatif.h"

PG_FUNCTION_INFO_V1(pga_whatif);

int64		pga_whatif_calls = 0;
double		pga_whatif_ms = 0.0;

/*
 * pga_prepare_query
 *		Parse, analyse and rewrite one statement for planning.  Returns NULL
 *		and sets *status when it is not a single SELECT, INSERT, UPDATE or
 *		DELETE, or has a parameter of unknown type; parse and analysis
 *		errors (syntax, unknown table...) are raised.
 */
Query *
pga_prepare_query(const char *text, PgaPrepareStatus *status)
{
	List	   *raw;
	RawStmt    *rs;
	Node	   *stmt;
	Oid		   *ptypes = NULL;
	int			nparams = 0;
	List	   *queries;
	Query	   *query;
	int			i;

	*status = PGA_PREPARE_OK;
	raw = raw_parser(text, RAW_PARSE_DEFAULT);
	if (list_length(raw) != 1)
	{
		*status = PGA_PREPARE_MULTI;
		return NULL;
	}
	rs = linitial_node(RawStmt, raw);
	stmt = rs->stmt;
	if (!IsA(stmt, SelectStmt) && !IsA(stmt, InsertStmt) &&
		!IsA(stmt, UpdateStmt) && !IsA(stmt, DeleteStmt) &&
		!IsA(stmt, MergeStmt))
	{
		*status = PGA_PREPARE_NOT_DML;
		return NULL;
	}
	/* SELECT ... INTO creates a table: not a query to cost. */
	if (IsA(stmt, SelectStmt) && ((SelectStmt *) stmt)->intoClause != NULL)
	{
		*status = PGA_PREPARE_NOT_DML;
		return NULL;
	}

	queries = pg_analyze_and_rewrite_varparams(rs, text, &ptypes, &nparams,
											   NULL);
	for (i = 0; i < nparams; i++)
	{
		if (ptypes[i] == InvalidOid || ptypes[i] == UNKNOWNOID)
		{
			*status = PGA_PREPARE_PARAM_TYPES;
			return NULL;
		}
	}
	if (list_length(queries) != 1)
	{
		*status = PGA_PREPARE_MULTI;
		return NULL;
	}
	query = linitial_node(Query, queries);
	if (query->commandType == CMD_UTILITY)
	{
		*status = PGA_PREPARE_NOT_DML;
		return NULL;
	}
	return query;
}

/*
 * pga_collect_index_oids
 *		Append the OIDs of the indexes scanned anywhere in a plan tree.
 */
static void
pga_collect_index_oids(Plan *plan, List **oids)
{
	ListCell   *lc;

	if (plan == NULL)
		return;
	check_stack_depth();

	switch (nodeTag(plan))
	{
		case T_IndexScan:
			*oids = lappend_oid(*oids, ((IndexScan *) plan)->indexid);
			break;
		case T_IndexOnlyScan:
			*oids = lappend_oid(*oids, ((IndexOnlyScan *) plan)->indexid);
			break;
		case T_BitmapIndexScan:
			*oids = lappend_oid(*oids, ((BitmapIndexScan *) plan)->indexid);
			break;
		case T_Append:
			foreach(lc, ((Append *) plan)->appendplans)
				pga_collect_index_oids((Plan *) lfirst(lc), oids);
			break;
		case T_MergeAppend:
			foreach(lc, ((MergeAppend *) plan)->mergeplans)
				pga_collect_index_oids((Plan *) lfirst(lc), oids);
			break;
		case T_BitmapAnd:
			foreach(lc, ((BitmapAnd *) plan)->bitmapplans)
				pga_collect_index_oids((Plan *) lfirst(lc), oids);
			break;
		case T_BitmapOr:
			foreach(lc, ((BitmapOr *) plan)->bitmapplans)
				pga_collect_index_oids((Plan *) lfirst(lc), oids);
			break;
		case T_SubqueryScan:
			pga_collect_index_oids(((SubqueryScan *) plan)->subplan, oids);
			break;
		case T_CustomScan:
			foreach(lc, ((CustomScan *) plan)->custom_plans)
				pga_collect_index_oids((Plan *) lfirst(lc), oids);
			break;
		default:
			break;
	}
	pga_collect_index_oids(plan->lefttree, oids);
	pga_collect_index_oids(plan->righttree, oids);
}

/*
 * pga_plan_query
 *		Plan a copy of query with the hypothetical indexes hypos active and
 *		fill result (allocated in the caller's memory context).  The planner
 *		itself runs in a scratch context that is deleted before returning.
 */
void
pga_plan_query(Query *query, const char *text, List *hypos,
			   PgaPlanResult *result, bool want_rtable)
{
	MemoryContext caller = CurrentMemoryContext;
	MemoryContext scratch;
	PlannedStmt *volatile pstmt = NULL;
	List	   *oids = NIL;
	ListCell   *lc;
	instr_time	start;
	instr_time	duration;

	scratch = AllocSetContextCreate(caller, "pg_architect what-if",
									ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(scratch);

	INSTR_TIME_SET_CURRENT(start);
	pga_hypo_activate(hypos);
	PG_TRY();
	{
		pstmt = planner(copyObject(query), text, CURSOR_OPT_PARALLEL_OK, NULL);
	}
	PG_FINALLY();
	{
		pga_hypo_deactivate();
		MemoryContextSwitchTo(caller);
	}
	PG_END_TRY();
	INSTR_TIME_SET_CURRENT(duration);
	INSTR_TIME_SUBTRACT(duration, start);
	pga_whatif_calls++;
	pga_whatif_ms += INSTR_TIME_GET_MILLISEC(duration);

	MemoryContextSwitchTo(scratch);
	pga_collect_index_oids(pstmt->planTree, &oids);
	foreach(lc, pstmt->subplans)
		pga_collect_index_oids((Plan *) lfirst(lc), &oids);
	MemoryContextSwitchTo(caller);

	result->total_cost = pstmt->planTree->total_cost;
	if (IsA(pstmt->planTree, ModifyTable) && pstmt->planTree->lefttree)
		result->rows = pstmt->planTree->lefttree->plan_rows;
	else
		result->rows = pstmt->planTree->plan_rows;
	result->used = NULL;
	result->relids = list_copy(pstmt->relationOids);
	result->rtable = want_rtable ? copyObject(pstmt->rtable) : NIL;
	if (oids != NIL && hypos != NIL)
	{
		int			pos = 0;

		foreach(lc, hypos)
		{
			PgaHypoIndex *h = (PgaHypoIndex *) lfirst(lc);

			if (list_member_oid(oids, h->indexoid))
				result->used = bms_add_member(result->used, pos);
			pos++;
		}
	}
	MemoryContextDelete(scratch);
}

/*
 * architect.whatif(query text, indexes text[])
 *		The query's estimated cost without and with the hypothetical indexes
 *		given as CREATE INDEX statements, one row per index, saying whether
 *		the plan uses it and how large it would be.  With no index, one row
 *		with the plain cost.
 */
Datum
pga_whatif(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	text	   *qtext;
	char	   *query_string;
	ArrayType  *arr;
	Datum	   *elems;
	bool	   *nulls;
	int			nelems;
	List	   *hypos = NIL;
	List	   *names = NIL;
	Query	   *query;
	PgaPrepareStatus status;
	PgaPlanResult without;
	PgaPlanResult with;
	ListCell   *lc;
	int			pos;
	int			i;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("query must not be NULL"),
				 errhint("Pass the text of a SELECT, INSERT, UPDATE or DELETE statement.")));
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("indexes must not be NULL"),
				 errhint("Pass an array of CREATE INDEX statements.")));
	qtext = PG_GETARG_TEXT_PP(0);
	arr = PG_GETARG_ARRAYTYPE_P(1);
	query_string = text_to_cstring(qtext);

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("indexes must be a one-dimensional array")));
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &nelems);
	for (i = 0; i < nelems; i++)
	{
		PgaHypoIndex *h;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("index definition %d is NULL", i + 1),
					 errhint("Every element of indexes must be a CREATE INDEX statement.")));
		h = pga_hypo_from_ddl(TextDatumGetCString(elems[i]));
		h->id = i;
		if (h->name == NULL)
			pga_hypo_choose_name(h, names);
		names = lappend(names, h->name);
		hypos = lappend(hypos, h);
	}

	query = pga_prepare_query(query_string, &status);
	if (query == NULL)
	{
		if (status == PGA_PREPARE_PARAM_TYPES)
			ereport(ERROR,
					(errcode(ERRCODE_INDETERMINATE_DATATYPE),
					 errmsg("could not determine the data type of a parameter of the query"),
					 errhint("Add a cast to the parameter, for example $1::integer.")));
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("query must be one SELECT, INSERT, UPDATE, DELETE or MERGE statement"),
				 errhint("Other statements have no plan to cost.")));
	}

	pga_plan_query(query, query_string, NIL, &without, true);
	/* What EXPLAIN would refuse, we refuse: the caller must be able to run it. */
	(void) ExecCheckRTPerms(without.rtable, true);
	pga_plan_query(query, query_string, hypos, &with, false);

	pga_init_materialized_srf(fcinfo, 0);

	/* No index given: one row with the plain cost. */
	if (hypos == NIL)
	{
		Datum		values[7];
		bool		isnull[7] = {true, true, true, true, false, false, false};

		values[4] = Float8GetDatum(without.total_cost);
		values[5] = Float8GetDatum(with.total_cost);
		values[6] = Float8GetDatum(0.0);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, isnull);
		return (Datum) 0;
	}

	pos = 0;
	foreach(lc, hypos)
	{
		PgaHypoIndex *h = (PgaHypoIndex *) lfirst(lc);
		Datum		values[7];
		bool		isnull[7] = {0};

		pga_hypo_ensure_size(h);
		values[0] = CStringGetTextDatum(h->name);
		values[1] = CStringGetTextDatum(pga_hypo_ddl(h, false));
		values[2] = BoolGetDatum(bms_is_member(pos, with.used));
		values[3] = Int64GetDatum((int64) h->pages * BLCKSZ);
		values[4] = Float8GetDatum(without.total_cost);
		values[5] = Float8GetDatum(with.total_cost);
		if (without.total_cost > 0)
			values[6] = Float8GetDatum(100.0 * (without.total_cost - with.total_cost) /
									   without.total_cost);
		else
			isnull[6] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, isnull);
		pos++;
	}
	return (Datum) 0;
}
