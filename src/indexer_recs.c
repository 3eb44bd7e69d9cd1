/*-------------------------------------------------------------------------
 *
 * indexer_recs.c
 *	  Reading the advisor's recommendations for create_index() (one
 *	  recommendation, by name or ddl) and apply_recommendations() (the top
 *	  ones): one reader for both.
 *
 * The advisor's contract is architect.recommend_indexes(budget_mb,
 * max_indexes), read here with SPI; when it does not exist (an advisor-less
 * installation) the reader says so instead of failing.
 *
 * Calling the advisor plans the workload's captured statements, which
 * locks their tables (RowExclusiveLock for INSERT, UPDATE, DELETE) until
 * the end of the transaction; a caller that then waits for a build must
 * not hold locks the build waits for.  So the read runs in a subtransaction
 * that is always rolled back, after the rows have been copied out, and its
 * lock waits are bounded by pg_architect.index_lock_timeout
 * (indexer_lock.c): a session holding a conflicting lock on a workload
 * table makes the read fail with 55P03 and a hint instead of hanging.
 * The advisor itself skips (and counts) a statement whose table it cannot
 * lock in time; for a lookup by name that would read as "no such
 * recommendation", so there pga_workload_locks_fatal makes the advisor
 * fail with 55P03 instead.  apply_recommendations() keeps the skipping:
 * one locked table must not stop the builds for the others.
 *
 * Locking: no lock outlives the read (the subtransaction releases them).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "advisor.h"
#include "pg_architect.h"
#include "indexer.h"

/*
 * pga_read_recommendations_spi
 *		The SPI part of pga_read_recommendations(); rows are copied into
 *		"cxt".
 */
static List *
pga_read_recommendations_spi(MemoryContext cxt, Datum budget, bool budget_null,
							 int32 max_indexes, const char *by_name,
							 const char *by_ddl, bool *advisor_missing)
{
	Oid			argtypes[4] = {FLOAT8OID, INT4OID, TEXTOID, TEXTOID};
	Datum		values[4];
	char		nulls[4] = {budget_null ? 'n' : ' ', ' ', 'n', 'n'};
	List	   *result = NIL;
	bool		isnull;
	uint64		i;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	if (SPI_execute("SELECT pg_catalog.to_regprocedure("
					"'architect.recommend_indexes(double precision, integer)') IS NOT NULL",
					true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not look for architect.recommend_indexes()");
	*advisor_missing = !DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0],
												   SPI_tuptable->tupdesc, 1,
												   &isnull));
	if (*advisor_missing)
	{
		SPI_finish();
		return NIL;
	}

	values[0] = budget;
	values[1] = Int32GetDatum(max_indexes);
	if (by_name)
	{
		values[2] = CStringGetTextDatum(by_name);
		nulls[2] = ' ';
	}
	if (by_ddl)
	{
		values[3] = CStringGetTextDatum(by_ddl);
		nulls[3] = ' ';
	}
	if (SPI_execute_with_args("SELECT r.rank, r.schema_name, r.table_name, r.index_name, "
							  "r.ddl, r.estimated_size_bytes, r.improvement_pct, r.queryids "
							  "FROM architect.recommend_indexes($1, $2) r "
							  "WHERE ($3 IS NULL OR r.index_name OPERATOR(pg_catalog.=) $3) "
							  "AND ($4 IS NULL OR pg_catalog.btrim(r.ddl, E' \\n\\t;') "
							  "     OPERATOR(pg_catalog.=) pg_catalog.btrim($4, E' \\n\\t;')) "
							  "ORDER BY r.rank",
							  4, argtypes, values, nulls, true, 0) != SPI_OK_SELECT)
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
		r->improvement = DatumGetFloat8(SPI_getbinval(tup, desc, 7,
													  &r->improvement_null));
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

/* Arguments and result of one read, for pga_subxact_run(). */
typedef struct PgaRecsRead
{
	MemoryContext cxt;
	Datum		budget;
	bool		budget_null;
	int32		max_indexes;
	const char *by_name;
	const char *by_ddl;
	bool		advisor_missing;
	List	   *result;
} PgaRecsRead;

static void
pga_read_recommendations_subxact(void *arg)
{
	PgaRecsRead *r = (PgaRecsRead *) arg;

	(void) pga_bound_lock_waits();	/* unwound by the rollback */
	/* A lookup by name must not take a locked table for "no such index". */
	pga_workload_locks_fatal = (r->by_name != NULL);
	r->result = pga_read_recommendations_spi(r->cxt, r->budget, r->budget_null,
											 r->max_indexes, r->by_name,
											 r->by_ddl, &r->advisor_missing);
}

/*
 * pga_read_recommendations
 *		architect.recommend_indexes(budget_mb, max_indexes) in rank order,
 *		restricted to the index_name "by_name" and/or the ddl "by_ddl"
 *		when given, as a List of PgaRecommendation in the current memory
 *		context.  *advisor_missing tells an empty list from "no advisor".
 *		Runs in a rolled-back subtransaction with bounded lock waits (see
 *		the file header).  With "quiet", an error means "none" (NIL);
 *		otherwise it is raised again, a lock timeout as 55P03 with a hint.
 */
List *
pga_read_recommendations(Datum budget, bool budget_null, int32 max_indexes,
						 const char *by_name, const char *by_ddl, bool quiet,
						 const char *what, bool *advisor_missing)
{
	PgaRecsRead r;
	ErrorData  *edata;

	memset(&r, 0, sizeof(r));
	r.cxt = CurrentMemoryContext;
	r.budget = budget;
	r.budget_null = budget_null;
	r.max_indexes = max_indexes;
	r.by_name = by_name;
	r.by_ddl = by_ddl;
	edata = pga_subxact_run(pga_read_recommendations_subxact, &r, false);
	pga_workload_locks_fatal = false;
	*advisor_missing = r.advisor_missing;
	if (edata == NULL)
		return r.result;
	if (!quiet)
		pga_raise_lock_error(edata, what,
							 "the tables of the captured queries to read the recommendations");
	*advisor_missing = false;
	return NIL;
}
