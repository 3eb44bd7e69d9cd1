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
 * A cost cache (PgaCostCache, below) answers the advisor's repeated and
 * derivable questions without a planner call.
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
int64		pga_whatif_restricted = 0;
PgaPlanInspectHook pga_plan_inspect_hook = NULL;
void	   *pga_plan_inspect_arg = NULL;

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
		*status = PGA_PREPARE_RULES;
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
 * pga_prepare_query_or_error
 *		pga_prepare_query for a function that costs one statement given by
 *		its caller (whatif, whatif_join_reuse): what cannot be costed is an
 *		error, with the SQLSTATE that says why.  A statement that rules
 *		rewrite into several is a feature we lack (0A000, as explain()
 *		says), not a bad argument: EXPLAIN accepts it.
 */
Query *
pga_prepare_query_or_error(const char *text, const char *caller)
{
	PgaPrepareStatus status;
	Query	   *query = pga_prepare_query(text, &status);

	if (query != NULL)
		return query;
	if (status == PGA_PREPARE_PARAM_TYPES)
		ereport(ERROR,
				(errcode(ERRCODE_INDETERMINATE_DATATYPE),
				 errmsg("could not determine the data type of a parameter of the query"),
				 errhint("Add a cast to the parameter, for example $1::integer.")));
	if (status == PGA_PREPARE_RULES)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s cannot cost a statement that rules rewrite into several statements",
						caller),
				 errhint("Cost the statements the rules produce one by one.")));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("query must be one SELECT, INSERT, UPDATE, DELETE or MERGE statement"),
			 errhint("Other statements have no plan to cost.")));
	return NULL;				/* keep compiler quiet */
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
	double		extra_cost;

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
	extra_cost = 0.0;
	if (pga_plan_inspect_hook != NULL && hypos != NIL)
		extra_cost = pga_plan_inspect_hook(pstmt, hypos, pga_plan_inspect_arg);
	MemoryContextSwitchTo(caller);

	result->total_cost = pstmt->planTree->total_cost + extra_cost;
	if (IsA(pstmt->planTree, ModifyTable) && pstmt->planTree->lefttree)
		result->rows = pstmt->planTree->lefttree->plan_rows;
	else
		result->rows = pstmt->planTree->plan_rows;
	result->used = NULL;
	result->restricted = false;
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
 * The cost cache.
 *
 * An advisor run asks for the cost of the same query under many index
 * sets, most of them asked before or close to one asked before.  Two kinds
 * of answer come without a planner call:
 *
 *	- exact: the same query under the same set (a hash table on the query
 *	  and the set's hash, the set compared on a hit);
 *	- derived: the query was planned under a larger set S whose plan used
 *	  only the indexes U; under any set T with U <= T <= S the plan is the
 *	  same.  Taking indexes away from S only removes paths the chosen plan
 *	  does not contain, and every path available under T was available under
 *	  S, so the planner's choice under S is still its choice under T (the
 *	  "atomic configuration" argument of Chaudhuri and Narasayya's AutoAdmin
 *	  what-if work).  Greedy steps that drop an unused index, local search
 *	  swaps and guard rails ask for such subsets all the time.
 * Derivations are looked for only after an exact miss, among the entries of
 * the same query, newest first.
 *
 * An entry may come from a restricted join search (whatif_joins.c), an
 * upper bound of the planner's optimum.  pga_cost_cache_exact_only() turns
 * the cache to full planning for the rest of the run: such entries are no
 * longer answered, so that the figures the advisor reports are exact.  The
 * cache also holds each query's recorded join orders (PgaJoinMemo).
 */
typedef struct PgaCostKey
{
	int			qidx;
	uint32		sethash;
} PgaCostKey;

typedef struct PgaCostItem
{
	Bitmapset  *set;			/* the index set planned with */
	double		cost;
	Bitmapset  *used;			/* the members the plan uses */
	bool		restricted;		/* from a restricted join search */
} PgaCostItem;

typedef struct PgaCostHashEntry
{
	PgaCostKey	key;
	PgaCostItem *item;
} PgaCostHashEntry;

struct PgaCostCache
{
	MemoryContext cxt;
	HTAB	   *exact;
	List	  **byquery;		/* per query index: PgaCostItem *, newest last */
	int			nqueries;		/* allocated length of byquery */
	int64		exact_hits;
	int64		derived_hits;
	bool		exact_only;		/* answer only from full plans, plan in full */
	int64		restricted;		/* entries stored from restricted searches */
	PgaJoinMemo **memos;		/* per query index, or NULL */
	int			nmemos;			/* allocated length of memos */
};

PgaCostCache *
pga_cost_cache_create(MemoryContext cxt)
{
	PgaCostCache *cc = MemoryContextAllocZero(cxt, sizeof(PgaCostCache));
	HASHCTL		ctl;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(PgaCostKey);
	ctl.entrysize = sizeof(PgaCostHashEntry);
	ctl.hcxt = cxt;
	cc->cxt = cxt;
	cc->exact = hash_create("pg_architect what-if costs", 1024, &ctl,
							HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	return cc;
}

/*
 * pga_cost_cache_lookup
 *		The cost of query qidx under set, if known or derivable; *used gets
 *		the members of set its plan uses (cache memory: do not modify).
 */
bool
pga_cost_cache_lookup(PgaCostCache *cc, int qidx, Bitmapset *set,
					  double *cost, Bitmapset **used)
{
	PgaCostKey	key;
	PgaCostHashEntry *e;
	ListCell   *lc;

	memset(&key, 0, sizeof(key));
	key.qidx = qidx;
	key.sethash = bms_hash_value(set);
	e = hash_search(cc->exact, &key, HASH_FIND, NULL);
	if (e != NULL && bms_equal(e->item->set, set) &&
		!(cc->exact_only && e->item->restricted))
	{
		cc->exact_hits++;
		*cost = e->item->cost;
		*used = e->item->used;
		return true;
	}
	if (qidx >= cc->nqueries)
		return false;
	foreach(lc, cc->byquery[qidx])
	{
		PgaCostItem *it = (PgaCostItem *) lfirst(lc);

		if (cc->exact_only && it->restricted)
			continue;
		if (bms_is_subset(it->used, set) && bms_is_subset(set, it->set))
		{
			cc->derived_hits++;
			*cost = it->cost;
			*used = it->used;
			return true;
		}
	}
	return false;
}

/*
 * pga_cost_cache_store
 *		Remember the planner's answer for query qidx under set (copied).
 */
void
pga_cost_cache_store(PgaCostCache *cc, int qidx, Bitmapset *set, double cost,
					 Bitmapset *used, bool restricted)
{
	MemoryContext old = MemoryContextSwitchTo(cc->cxt);
	PgaCostItem *it = palloc(sizeof(PgaCostItem));
	PgaCostKey	key;
	PgaCostHashEntry *e;
	bool		found;

	it->set = bms_copy(set);
	it->cost = cost;
	it->used = bms_copy(used);
	it->restricted = restricted;
	if (restricted)
		cc->restricted++;

	memset(&key, 0, sizeof(key));
	key.qidx = qidx;
	key.sethash = bms_hash_value(set);
	e = hash_search(cc->exact, &key, HASH_ENTER, &found);
	e->item = it;

	if (qidx >= cc->nqueries)
	{
		int			n = Max(qidx + 1, cc->nqueries * 2);

		if (cc->byquery == NULL)
			cc->byquery = palloc0(sizeof(List *) * n);
		else
		{
			cc->byquery = repalloc(cc->byquery, sizeof(List *) * n);
			memset(cc->byquery + cc->nqueries, 0,
				   sizeof(List *) * (n - cc->nqueries));
		}
		cc->nqueries = n;
	}
	/* Newest first: the sets asked next are most often near the last ones. */
	cc->byquery[qidx] = lcons(it, cc->byquery[qidx]);
	MemoryContextSwitchTo(old);
}

/*
 * pga_cost_cache_exact_only
 *		From now on, answer only from full plans and plan in full.  Returns
 *		whether any stored cost came from a restricted join search, that is
 *		whether costs the caller holds may be upper bounds to re-cost.
 */
bool
pga_cost_cache_exact_only(PgaCostCache *cc)
{
	cc->exact_only = true;
	elog(DEBUG1, "what-if join order re-use: %lld restricted costings in this run",
		 (long long) cc->restricted);
	return cc->restricted > 0;
}

bool
pga_cost_cache_is_exact_only(PgaCostCache *cc)
{
	return cc->exact_only;
}

/*
 * pga_cost_cache_join_memo
 *		The recorded join orders of query qidx, created empty on first use.
 */
PgaJoinMemo *
pga_cost_cache_join_memo(PgaCostCache *cc, int qidx)
{
	if (qidx >= cc->nmemos)
	{
		int			n = Max(qidx + 1, cc->nmemos * 2);

		if (cc->memos == NULL)
			cc->memos = MemoryContextAllocZero(cc->cxt, sizeof(PgaJoinMemo *) * n);
		else
		{
			cc->memos = repalloc(cc->memos, sizeof(PgaJoinMemo *) * n);
			memset(cc->memos + cc->nmemos, 0,
				   sizeof(PgaJoinMemo *) * (n - cc->nmemos));
		}
		cc->nmemos = n;
	}
	if (cc->memos[qidx] == NULL)
		cc->memos[qidx] = pga_join_memo_create(cc->cxt);
	return cc->memos[qidx];
}

void
pga_cost_cache_counts(PgaCostCache *cc, int64 *exact, int64 *derived)
{
	*exact = cc->exact_hits;
	*derived = cc->derived_hits;
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
	List	   *hypos;
	Query	   *query;
	PgaPlanResult without;
	PgaPlanResult with;
	ListCell   *lc;
	int			pos;

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

	hypos = pga_hypo_list_from_array(arr);

	query = pga_prepare_query_or_error(query_string, "architect.whatif()");

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
