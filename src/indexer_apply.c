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
#include "utils/tuplestore.h"

#include "guc.h"
#include "indexer.h"
#include "pg_architect.h"

PG_FUNCTION_INFO_V1(pga_apply_recommendations);

/* One recommendation to queue, for pga_subxact_run(). */
typedef struct PgaTryQueue
{
	PgaRecommendation *rec;
	int64		job;
} PgaTryQueue;

static void
pga_try_queue_subxact(void *arg)
{
	PgaTryQueue *t = (PgaTryQueue *) arg;

	t->job = pga_queue_create(t->rec->ddl, true, false, "apply_recommendations",
							  t->rec->queryids, t->rec->nqueryids);
}

/*
 * pga_try_queue
 *		Queue one recommendation in a subtransaction; on error, roll the
 *		subtransaction back and return the error message in *why.
 */
static int64
pga_try_queue(PgaRecommendation *r, char **why)
{
	PgaTryQueue t;
	ErrorData  *edata;

	t.rec = r;
	t.job = 0;
	edata = pga_subxact_run(pga_try_queue_subxact, &t, true);
	*why = edata ? pstrdup(edata->message) : NULL;
	return edata ? 0 : t.job;
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
	bool		advisor_missing;

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
									max_indexes, NULL, NULL, false, what,
									&advisor_missing);
	if (advisor_missing)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the index advisor is not installed"),
				 errdetail("architect.recommend_indexes() does not exist in this database."),
				 errhint("Update pg_architect: ALTER EXTENSION pg_architect UPDATE.")));
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
