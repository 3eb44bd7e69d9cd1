/*-------------------------------------------------------------------------
 *
 * indexer_create.c
 *	  architect.create_index(): a CREATE INDEX statement or an advisor's
 *	  recommendation, checked and handed to a job.
 *
 * The input is a single CREATE INDEX statement, or the index_name or ddl of
 * a row of architect.recommend_indexes() (indexer_recs.c): a bare name can
 * only be a recommendation; a text that looks like the advisor's ddl is
 * looked up so that the job knows which queries to verify the index with.
 * The statement is checked and rebuilt (indexer_stmt.c); an index of that
 * name already there is skipped (IF NOT EXISTS) or refused, an invalid one
 * left by an earlier failure is refused with a hint to drop it.  Then the
 * job is queued (indexer.c) and, with wait, waited for (indexer_wait.c).
 *
 * Locking: the table is locked AccessShareLock while the statement is
 * checked, waiting at most pg_architect.index_lock_timeout (indexer_lock.c),
 * and unlocked before the job is queued; the recommendation lookup runs in
 * a rolled-back subtransaction.  Slots: see indexer.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "access/htup_details.h"
#include "catalog/pg_index.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "indexer.h"
#include "pg_architect.h"

PG_FUNCTION_INFO_V1(pga_create_index);

/*
 * pga_find_recommendation
 *		Look the input up among the advisor's recommendations
 *		(indexer_recs.c): by index_name when by_name, else by ddl.  Returns
 *		the recommendation's ddl and fills its query ids, or returns NULL
 *		when there is no such recommendation or no advisor.  An error is
 *		raised for a lookup by name (the user asked for a recommendation);
 *		for a lookup by ddl (a mere convenience) it means "none".
 */
static char *
pga_find_recommendation(const char *input, bool by_name,
						int64 **queryids, int *nqueryids)
{
	List	   *recs;
	PgaRecommendation *r;
	bool		advisor_missing;

	*queryids = NULL;
	*nqueryids = 0;
	recs = pga_read_recommendations((Datum) 0, true, 100,
									by_name ? input : NULL,
									by_name ? NULL : input,
									!by_name, "architect.create_index()",
									&advisor_missing);
	if (recs == NIL)
		return NULL;
	r = (PgaRecommendation *) linitial(recs);
	*queryids = r->queryids;
	*nqueryids = r->nqueryids;
	return r->ddl;
}

/*
 * pga_looks_like_name
 *		True when the input is a bare name (no blank, no parenthesis): then
 *		it can only mean a recommendation's index_name.
 */
static bool
pga_looks_like_name(const char *input)
{
	const char *p;

	if (*input == '\0')
		return false;
	for (p = input; *p; p++)
		if (isspace((unsigned char) *p) || *p == '(' || *p == ';')
			return false;
	return true;
}

/*
 * pga_looks_like_advisor_ddl
 *		The advisor writes its ddl as CREATE INDEX CONCURRENTLY "name" ...
 *		(every identifier quoted).  Only such a text is looked up among the
 *		recommendations, so that a hand-written statement never waits for
 *		the advisor.
 */
static bool
pga_looks_like_advisor_ddl(const char *input)
{
	static const char prefix[] = "CREATE INDEX CONCURRENTLY \"";

	while (isspace((unsigned char) *input))
		input++;
	return strncmp(input, prefix, sizeof(prefix) - 1) == 0;
}

/*
 * pga_queue_create
 *		Check a CREATE INDEX statement and queue (or join) the job that
 *		builds it; with wait, wait for it (pga_wait_for_job).  Returns the
 *		job id, or 0 when IF NOT EXISTS found the index there already.
 *		"source" says where the statement came from, queryids which
 *		queries to verify the index with.
 */
int64
pga_queue_create(const char *sql, bool concurrently, bool wait,
				 const char *source, int64 *queryids, int nqueryids)
{
	const char *what = "architect.create_index()";
	PgaIndexRequest req;
	PgaJobRequest jr;
	Oid			existing;
	int64		job_id;
	int			slotno;
	bool		attached;
	BackgroundWorkerHandle *handle;

	pga_check_create_index(sql, concurrently, &req);
	pga_check_session_role(what);

	/*
	 * An index of that name already there: skip or refuse, unless a job is
	 * building it right now (a concurrent build's index is in the catalogs,
	 * invalid, while it runs): then join that job, or be told it builds
	 * another statement under that name (pga_submit_job).
	 */
	existing = get_relname_relid(req.index_name, req.namespaceid);
	if (OidIsValid(existing) &&
		!pga_job_active_for_index(PGA_JOB_CREATE, req.schema_name,
								  req.index_name))
	{
		HeapTuple	tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(existing));
		bool		index_here = false;
		bool		valid = false;

		if (HeapTupleIsValid(tup))
		{
			Form_pg_index idx = (Form_pg_index) GETSTRUCT(tup);

			index_here = (idx->indrelid == req.relid);
			valid = idx->indisvalid;
			ReleaseSysCache(tup);
		}
		if (index_here && !valid)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_TABLE),
					 errmsg("an invalid index \"%s\" already exists on table %s",
							req.index_name, req.table_name),
					 errdetail("It is left over from an earlier build that failed."),
					 errhint("Drop it with architect.drop_index('%s'), then build again.",
							 quote_qualified_identifier(req.schema_name, req.index_name))));
		if (req.if_not_exists)
		{
			ereport(NOTICE,
					(errmsg("relation \"%s\" already exists, skipping",
							req.index_name)));
			return 0;
		}
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_TABLE),
				 errmsg("relation \"%s\" already exists", req.index_name),
				 errhint("Choose another index name, or add IF NOT EXISTS.")));
	}

	memset(&jr, 0, sizeof(jr));
	jr.kind = PGA_JOB_CREATE;
	jr.relid = req.relid;
	jr.concurrently = concurrently;
	jr.if_not_exists = req.if_not_exists;
	jr.wait = wait;
	jr.schema_name = req.schema_name;
	jr.table_name = req.table_name;
	jr.index_name = req.index_name;
	jr.statement = req.statement;
	jr.source = source;
	jr.nqueryids = nqueryids;
	jr.queryids = queryids;

	job_id = pga_submit_job(&jr, &slotno, &attached, &handle);
	if (wait)
		pga_wait_for_job(slotno, job_id, handle, !attached, req.index_name);
	return job_id;
}

/*
 * architect.create_index(ddl_or_recommendation text, concurrently boolean,
 *						  wait boolean) returns bigint
 */
Datum
pga_create_index(PG_FUNCTION_ARGS)
{
	const char *what = "architect.create_index()";
	char	   *input;
	char	   *sql;
	bool		concurrently;
	bool		wait;
	int64	   *queryids = NULL;
	int			nqueryids = 0;
	const char *source = "statement";
	int64		job_id;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("ddl_or_recommendation must not be NULL"),
				 errhint("Pass a CREATE INDEX statement, or the index_name or ddl of a row of architect.recommend_indexes().")));
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("concurrently and wait must not be NULL"),
				 errhint("Pass true or false, or leave them out for the defaults (true).")));
	concurrently = PG_GETARG_BOOL(1);
	wait = PG_GETARG_BOOL(2);

	pga_require_primary(what);
	pga_indexer_required(what);
	pga_refuse_in_block(what, wait);

	input = text_to_cstring(PG_GETARG_TEXT_PP(0));
	sql = input;
	if (pga_looks_like_name(input))
	{
		sql = pga_find_recommendation(input, true, &queryids, &nqueryids);
		if (sql == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("\"%s\" is neither a CREATE INDEX statement nor a recommended index", input),
					 errhint("Pass a CREATE INDEX statement, or the index_name of a row of architect.recommend_indexes().")));
		source = "recommendation";
	}
	else if (pga_looks_like_advisor_ddl(input) &&
			 pga_find_recommendation(input, false, &queryids, &nqueryids) != NULL)
		source = "recommendation";

	job_id = pga_queue_create(sql, concurrently, wait, source, queryids, nqueryids);
	if (job_id == 0)
		PG_RETURN_NULL();
	PG_RETURN_INT64(job_id);
}
