/*-------------------------------------------------------------------------
 *
 * indexer_verify.c
 *	  Did the index help?  Planning the workload's queries before and after
 *	  a build, and the pg_stat_statements counters for the measured change.
 *
 * The queries an index is for are the query ids of the recommendation it
 * came from, or, for a statement typed by hand, the captured queries that
 * have predicates on its table (architect.predicates).  Their texts come
 * from the capture store (architect.query_patterns.example_query, a real
 * execution with its constants) or else from pg_stat_statements (whose
 * normalized texts carry $n parameters; those are planned as generic plans
 * with parameter types inferred, and skipped when a type cannot be).
 * Both sources are optional; what is missing is reported, not invented.
 *
 * The job worker plans each query before the build and again after it, as
 * the job's role, inside a transaction that is rolled back (planning may
 * evaluate immutable functions; nothing of it is kept), each query in a
 * subtransaction of its own so that one bad text does not hide the
 * others.  After the build it walks the plan for scans of the new index.
 *
 * The measured change is not a guess either: the worker records the
 * pg_stat_statements calls and total time of each query when the build
 * finished, and architect.index_job_effects compares the mean time of the
 * calls since then with the mean before.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/plannodes.h"
#include "optimizer/optimizer.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"
#include "utils/tuplestore.h"

#include "indexer.h"
#include "pg_architect.h"

PG_FUNCTION_INFO_V1(pga_statement_counters);

/*
 * pga_spi_exists
 *		Does a relation or function named in "regtext" exist (to_regclass or
 *		to_regprocedure, as given)?  Caller is connected to SPI.
 */
static bool
pga_spi_true(const char *query)
{
	bool		isnull;

	if (SPI_execute(query, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		return false;
	return DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0],
									  SPI_tuptable->tupdesc, 1, &isnull)) &&
		!isnull;
}

/*
 * pga_pgss_relation
 *		Quoted, qualified name of the pg_stat_statements view in this
 *		database, or NULL when the extension is not installed.  Caller is
 *		connected to SPI; the result is in the caller's context "cxt".
 */
static char *
pga_pgss_relation(MemoryContext cxt)
{
	char	   *nsp;

	if (SPI_execute("SELECT n.nspname FROM pg_catalog.pg_extension e "
					"JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace "
					"WHERE e.extname OPERATOR(pg_catalog.=) 'pg_stat_statements'",
					true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		return NULL;
	nsp = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	return MemoryContextStrdup(cxt, quote_qualified_identifier(nsp, "pg_stat_statements"));
}

/*
 * pga_verify_collect
 *		The queries to verify an index on "relid" with: the given query ids,
 *		or up to "limit" captured queries on the table, with their texts.
 *		Runs in its own transaction as the current user; never fails (a
 *		query whose text cannot be found is kept with a note).
 */
List *
pga_verify_collect(Oid relid, int64 *queryids, int nqueryids, int limit)
{
	MemoryContext cxt = CurrentMemoryContext;
	List	   *volatile result = NIL;
	List	   *volatile ids = NIL;
	ListCell   *lc;
	int			i;

	if (limit <= 0)
		return NIL;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PG_TRY();
	{
		bool		have_patterns;
		char	   *pgss;
		Oid			argtypes[2] = {INT8OID, OIDOID};
		Datum		values[2];

		PushActiveSnapshot(GetTransactionSnapshot());
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");

		for (i = 0; i < nqueryids && i < limit; i++)
			ids = lappend(ids, MemoryContextAllocZero(cxt, sizeof(int64)));
		i = 0;
		foreach(lc, ids)
			*(int64 *) lfirst(lc) = queryids[i++];

		if (ids == NIL &&
			pga_spi_true("SELECT pg_catalog.to_regclass('architect.predicates') IS NOT NULL"))
		{
			Oid			rtypes[2] = {OIDOID, INT4OID};
			Datum		rvalues[2] = {ObjectIdGetDatum(relid), Int32GetDatum(limit)};
			uint64		n;

			if (SPI_execute_with_args("SELECT p.queryid FROM architect.predicates p "
									  "WHERE p.relid OPERATOR(pg_catalog.=) $1 "
									  "AND p.dbid OPERATOR(pg_catalog.=) "
									  "  (SELECT oid FROM pg_catalog.pg_database "
									  "   WHERE datname OPERATOR(pg_catalog.=) pg_catalog.current_database()) "
									  "GROUP BY p.queryid ORDER BY pg_catalog.sum(p.executions) DESC, p.queryid "
									  "LIMIT $2",
									  2, rtypes, rvalues, NULL, true, 0) == SPI_OK_SELECT)
			{
				for (n = 0; n < SPI_processed; n++)
				{
					bool		isnull;
					Datum		d = SPI_getbinval(SPI_tuptable->vals[n],
												  SPI_tuptable->tupdesc, 1, &isnull);
					int64	   *id = MemoryContextAlloc(cxt, sizeof(int64));

					if (isnull)
						continue;
					*id = DatumGetInt64(d);
					ids = lappend(ids, id);
				}
			}
		}

		have_patterns = pga_spi_true("SELECT pg_catalog.to_regclass('architect.query_patterns') IS NOT NULL");
		pgss = pga_pgss_relation(CurrentMemoryContext);

		foreach(lc, ids)
		{
			PgaVerifyQuery *q = MemoryContextAllocZero(cxt, sizeof(PgaVerifyQuery));
			char	   *text = NULL;
			MemoryContext oldcxt;

			q->queryid = *(int64 *) lfirst(lc);
			q->cost_before = q->cost_after = -1;
			values[0] = Int64GetDatum(q->queryid);
			values[1] = ObjectIdGetDatum(MyDatabaseId);

			if (have_patterns &&
				SPI_execute_with_args("SELECT example_query FROM architect.query_patterns "
									  "WHERE queryid OPERATOR(pg_catalog.=) $1 "
									  "AND dbid OPERATOR(pg_catalog.=) $2 "
									  "AND example_query IS NOT NULL "
									  "ORDER BY calls DESC LIMIT 1",
									  2, argtypes, values, NULL, true, 1) == SPI_OK_SELECT &&
				SPI_processed == 1)
				text = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

			if (text == NULL && pgss != NULL &&
				SPI_execute_with_args(psprintf("SELECT query FROM %s "
											   "WHERE queryid OPERATOR(pg_catalog.=) $1 "
											   "AND dbid OPERATOR(pg_catalog.=) $2 "
											   "AND query IS NOT NULL "
											   "AND query OPERATOR(pg_catalog.!~~) '<%%' "
											   "ORDER BY calls DESC LIMIT 1", pgss),
									  2, argtypes, values, NULL, true, 1) == SPI_OK_SELECT &&
				SPI_processed == 1)
				text = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

			if (text)
				q->query = MemoryContextStrdup(cxt, text);
			else
				q->note = MemoryContextStrdup(cxt, "no query text visible to the job's role");
			oldcxt = MemoryContextSwitchTo(cxt);
			result = lappend(result, q);
			MemoryContextSwitchTo(oldcxt);
		}

		SPI_finish();
		PopActiveSnapshot();
		CommitTransactionCommand();
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		EmitErrorReport();
		FlushErrorState();
		AbortCurrentTransaction();
		result = NIL;
	}
	PG_END_TRY();

	MemoryContextSwitchTo(cxt);
	return result;
}

/*
 * pga_plan_uses_index
 *		Does a plan tree scan the index?  Visits the same child fields that
 *		EXPLAIN does for PostgreSQL 15 plans: lefttree/righttree, the lists
 *		of Append, MergeAppend, BitmapAnd, BitmapOr and CustomScan, and the
 *		subplan of SubqueryScan (subplans of expressions are in the
 *		PlannedStmt and visited by the caller).
 */
static bool
pga_plan_uses_index(Plan *plan, Oid indexoid)
{
	ListCell   *lc;

	if (plan == NULL)
		return false;

	switch (nodeTag(plan))
	{
		case T_IndexScan:
			if (((IndexScan *) plan)->indexid == indexoid)
				return true;
			break;
		case T_IndexOnlyScan:
			if (((IndexOnlyScan *) plan)->indexid == indexoid)
				return true;
			break;
		case T_BitmapIndexScan:
			if (((BitmapIndexScan *) plan)->indexid == indexoid)
				return true;
			break;
		default:
			break;
	}
	foreach(lc, pga_plan_children(plan))
		if (pga_plan_uses_index((Plan *) lfirst(lc), indexoid))
			return true;
	return pga_plan_uses_index(plan->lefttree, indexoid) ||
		pga_plan_uses_index(plan->righttree, indexoid);
}

/*
 * pga_plan_one
 *		Plan one query text; return its total cost and whether the plan
 *		scans indexoid.  Errors propagate.
 */
static double
pga_plan_one(const char *text, Oid indexoid, bool *uses)
{
	List	   *raw = pg_parse_query(text);
	List	   *queries;
	Query	   *query;
	PlannedStmt *stmt;
	Oid		   *paramtypes = NULL;
	int			nparams = 0;
	ListCell   *lc;

	if (list_length(raw) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("query text holds %d statements", list_length(raw))));
	queries = pg_analyze_and_rewrite_varparams(linitial_node(RawStmt, raw), text,
											   &paramtypes, &nparams, NULL);
	if (list_length(queries) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("query rewrites to %d statements", list_length(queries))));
	query = linitial_node(Query, queries);
	if (query->commandType == CMD_UTILITY)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("utility statements are not planned")));

	stmt = pg_plan_query(query, text, 0, NULL);
	*uses = false;
	if (OidIsValid(indexoid))
	{
		*uses = pga_plan_uses_index(stmt->planTree, indexoid);
		foreach(lc, stmt->subplans)
			if (pga_plan_uses_index((Plan *) lfirst(lc), indexoid))
				*uses = true;
	}
	return stmt->planTree->total_cost;
}

/* What pga_verify_step plans, and where it puts the result. */
typedef struct PgaVerifyStep
{
	PgaVerifyQuery *q;			/* the query, and its results */
	Oid			indexoid;		/* the index built, or InvalidOid */
	bool		after;			/* after the build (cost_after, uses_index) */
} PgaVerifyStep;

/*
 * pga_verify_step
 *		pga_subxact_run's callback: plan one query under a fresh snapshot
 *		and store its cost (and after the build whether it uses the index).
 */
static void
pga_verify_step(void *arg)
{
	PgaVerifyStep *step = (PgaVerifyStep *) arg;
	bool		uses;
	double		cost;

	PushActiveSnapshot(GetTransactionSnapshot());
	cost = pga_plan_one(step->q->query, step->indexoid, &uses);
	PopActiveSnapshot();
	if (step->after)
	{
		step->q->cost_after = cost;
		step->q->uses_index = uses;
	}
	else
		step->q->cost_before = cost;
}

/*
 * pga_verify_plan
 *		Plan every query (see the file header) and store the cost in
 *		cost_before or cost_after; after the build also whether the plan
 *		uses "indexoid".  search_path is the one of the role that queued
 *		the job.  Must be called outside a transaction; never fails.
 */
void
pga_verify_plan(List *queries, Oid indexoid, bool after,
				const char *search_path)
{
	MemoryContext cxt = CurrentMemoryContext;
	ListCell   *lc;

	if (queries == NIL)
		return;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();

	/*
	 * The texts name tables as the application does: plan them with the
	 * search_path of the role that queued the job (for this transaction
	 * only, which is rolled back).
	 */
	if (search_path && search_path[0])
		(void) set_config_option("search_path", search_path,
								 PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_LOCAL, true, 0, false);
	foreach(lc, queries)
	{
		PgaVerifyQuery *q = (PgaVerifyQuery *) lfirst(lc);
		PgaVerifyStep step;
		ErrorData  *edata;

		if (q->query == NULL)
			continue;

		step.q = q;
		step.indexoid = indexoid;
		step.after = after;
		edata = pga_subxact_run(pga_verify_step, &step, true);
		if (edata != NULL)
			q->note = MemoryContextStrdup(cxt,
										  psprintf("could not plan it %s the build: %s",
												   after ? "after" : "before",
												   edata->message));
	}
	/* Nothing planning did is kept. */
	AbortCurrentTransaction();
	MemoryContextSwitchTo(cxt);
}

/*
 * architect.statement_counters(): pg_stat_statements calls and total
 * execution time per query id in this database, summed over roles, as the
 * current role may see them; no rows when pg_stat_statements is not
 * installed.  For architect.index_job_effects.
 */
Datum
pga_statement_counters(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext cxt = CurrentMemoryContext;
	char	   *pgss;
	uint64		i;

	pga_init_materialized_srf(fcinfo, 0);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	pgss = pga_pgss_relation(cxt);
	if (pgss != NULL &&
		SPI_execute(psprintf("SELECT queryid, pg_catalog.sum(calls)::bigint, "
							 "pg_catalog.sum(total_exec_time)::float8 FROM %s "
							 "WHERE dbid OPERATOR(pg_catalog.=) "
							 "  (SELECT oid FROM pg_catalog.pg_database "
							 "   WHERE datname OPERATOR(pg_catalog.=) pg_catalog.current_database()) "
							 "AND queryid IS NOT NULL GROUP BY queryid", pgss),
					true, 0) == SPI_OK_SELECT)
	{
		for (i = 0; i < SPI_processed; i++)
		{
			Datum		values[3];
			bool		nulls[3];
			int			c;

			for (c = 0; c < 3; c++)
				values[c] = SPI_getbinval(SPI_tuptable->vals[i],
										  SPI_tuptable->tupdesc, c + 1, &nulls[c]);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	SPI_finish();
	PG_RETURN_VOID();
}
