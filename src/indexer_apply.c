/*-------------------------------------------------------------------------
 *
 * indexer_apply.c
 *	  architect.apply_recommendations(): build the advisor's top
 *	  recommendations, for scheduling with pg_cron.
 *
 * It reads architect.recommend_indexes(budget_mb, max_indexes) and queues
 * a build job (create_index(..., wait => false)) for each recommendation in
 * rank order, at most pg_architect.max_builds_per_run of them; with
 * dry_run (the default) it only says what it would do.  Every row says
 * what happened to its recommendation.  A recommendation that cannot be
 * queued (its name taken meanwhile, say) is reported and skipped; it does
 * not stop the others.
 *
 * The jobs start when the calling transaction commits, and the job queue
 * runs them one at a time per database (indexer.c), so a nightly run never
 * has two builds competing for the same tables' I/O and locks.
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
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/tuplestore.h"

#include "guc.h"
#include "indexer.h"
#include "pg_architect.h"

PG_FUNCTION_INFO_V1(pga_apply_recommendations);

/* One recommendation, copied out of SPI. */
typedef struct PgaRecommendation
{
	int32		rank;
	char	   *schema_name;
	char	   *table_name;
	char	   *index_name;
	char	   *ddl;
	int64		size;
	bool		size_null;
	double		improvement;
	bool		improvement_null;
	int			nqueryids;
	int64	   *queryids;
} PgaRecommendation;

/*
 * pga_read_recommendations
 *		architect.recommend_indexes(budget_mb, max_indexes), in rank order,
 *		copied into the current memory context.
 */
static List *
pga_read_recommendations(Datum budget, bool budget_null, int32 max_indexes)
{
	MemoryContext cxt = CurrentMemoryContext;
	Oid			argtypes[2] = {FLOAT8OID, INT4OID};
	Datum		values[2] = {budget, Int32GetDatum(max_indexes)};
	char		nulls[2] = {budget_null ? 'n' : ' ', ' '};
	List	   *result = NIL;
	bool		isnull;
	uint64		i;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	if (SPI_execute("SELECT pg_catalog.to_regprocedure("
					"'architect.recommend_indexes(double precision, integer)') IS NOT NULL",
					true, 1) != SPI_OK_SELECT || SPI_processed != 1 ||
		!DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
									1, &isnull)))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the index advisor is not installed"),
				 errdetail("architect.recommend_indexes() does not exist in this database."),
				 errhint("Update pg_architect: ALTER EXTENSION pg_architect UPDATE.")));

	if (SPI_execute_with_args("SELECT rank, schema_name, table_name, index_name, ddl, "
							  "estimated_size_bytes, improvement_pct, queryids "
							  "FROM architect.recommend_indexes($1, $2) ORDER BY rank",
							  2, argtypes, values, nulls, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read architect.recommend_indexes()");

	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		MemoryContext oldcxt = MemoryContextSwitchTo(cxt);
		PgaRecommendation *r = palloc0(sizeof(PgaRecommendation));
		Datum		d;

		r->rank = DatumGetInt32(SPI_getbinval(tup, desc, 1, &isnull));
		r->schema_name = SPI_getvalue(tup, desc, 2);
		r->table_name = SPI_getvalue(tup, desc, 3);
		r->index_name = SPI_getvalue(tup, desc, 4);
		r->ddl = SPI_getvalue(tup, desc, 5);
		if (r->ddl == NULL || r->index_name == NULL)
		{
			MemoryContextSwitchTo(oldcxt);
			continue;
		}
		r->size = DatumGetInt64(SPI_getbinval(tup, desc, 6, &r->size_null));
		r->improvement = DatumGetFloat8(SPI_getbinval(tup, desc, 7, &r->improvement_null));
		d = SPI_getbinval(tup, desc, 8, &isnull);
		if (!isnull)
		{
			ArrayType  *arr = DatumGetArrayTypePCopy(d);
			Datum	   *elems;
			bool	   *elemnulls;
			int			n;
			int			k;

			deconstruct_array(arr, INT8OID, sizeof(int64), FLOAT8PASSBYVAL,
							  TYPALIGN_DOUBLE, &elems, &elemnulls, &n);
			r->queryids = palloc(sizeof(int64) * Max(n, 1));
			for (k = 0; k < n; k++)
				if (!elemnulls[k])
					r->queryids[r->nqueryids++] = DatumGetInt64(elems[k]);
		}
		result = lappend(result, r);
		MemoryContextSwitchTo(oldcxt);
	}
	SPI_finish();
	return result;
}

/*
 * pga_try_queue
 *		Queue one recommendation in a subtransaction; on error, roll the
 *		subtransaction back and return the error message in *why.
 */
static int64
pga_try_queue(PgaRecommendation *r, char **why)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	volatile int64 job = 0;

	*why = NULL;
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcxt);
	PG_TRY();
	{
		job = pga_queue_create(r->ddl, true, false, "apply_recommendations",
							   r->queryids, r->nqueryids);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
		*why = pstrdup(edata->message);
		job = 0;
	}
	PG_END_TRY();
	return job;
}

/*
 * architect.apply_recommendations(budget_mb float8, max_indexes int,
 *								   dry_run boolean)
 */
Datum
pga_apply_recommendations(PG_FUNCTION_ARGS)
{
	const char *what = "architect.apply_recommendations()";
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int32		max_indexes;
	bool		dry_run;
	List	   *recs;
	ListCell   *lc;
	int			limit;
	int			queued = 0;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("max_indexes and dry_run must not be NULL"),
				 errhint("budget_mb may be NULL (no storage limit); pass a number of indexes and true or false.")));
	max_indexes = PG_GETARG_INT32(1);
	dry_run = PG_GETARG_BOOL(2);
	if (max_indexes < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_indexes must be at least 1"),
				 errhint("Pass how many recommendations to consider.")));
	if (!PG_ARGISNULL(0) && !(PG_GETARG_FLOAT8(0) >= 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("budget_mb must be a number of megabytes, zero or more"),
				 errhint("Pass a storage budget in megabytes, or NULL for no limit.")));

	pga_require_primary(what);
	if (!dry_run)
	{
		pga_indexer_required(what);
		if (IsTransactionBlock())
			ereport(NOTICE,
					(errmsg("the builds start when this transaction commits")));
	}

	pga_init_materialized_srf(fcinfo, 0);
	recs = pga_read_recommendations(PG_GETARG_DATUM(0), PG_ARGISNULL(0),
									max_indexes);
	limit = Min(max_indexes, pga_max_builds_per_run);

	foreach(lc, recs)
	{
		PgaRecommendation *r = (PgaRecommendation *) lfirst(lc);
		Datum		values[9];
		bool		nulls[9];
		char	   *action;
		int64		job = 0;

		memset(nulls, 0, sizeof(nulls));
		if (queued >= limit)
			action = psprintf("skipped: pg_architect.max_builds_per_run (%d) reached",
							  pga_max_builds_per_run);
		else if (dry_run)
		{
			action = pstrdup("would build");
			queued++;
		}
		else
		{
			char	   *why;

			job = pga_try_queue(r, &why);
			if (job > 0)
			{
				action = pstrdup("queued");
				queued++;
			}
			else if (why)
				action = psprintf("skipped: %s", why);
			else
				action = pstrdup("skipped: the index exists already");
		}

		values[0] = Int32GetDatum(r->rank);
		values[1] = CStringGetTextDatum(r->schema_name ? r->schema_name : "");
		values[2] = CStringGetTextDatum(r->table_name ? r->table_name : "");
		values[3] = CStringGetTextDatum(r->index_name);
		values[4] = CStringGetTextDatum(r->ddl);
		values[5] = Int64GetDatum(r->size);
		nulls[5] = r->size_null;
		values[6] = Float8GetDatum(r->improvement);
		nulls[6] = r->improvement_null;
		values[7] = CStringGetTextDatum(action);
		values[8] = Int64GetDatum(job);
		nulls[8] = (job == 0);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	PG_RETURN_VOID();
}
