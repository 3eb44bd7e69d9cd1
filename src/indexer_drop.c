/*-------------------------------------------------------------------------
 *
 * indexer_drop.c
 *	  architect.drop_index(): DROP INDEX [CONCURRENTLY] through the job
 *	  queue, refusing indexes that something needs.
 *
 * Refused always: partitioned indexes (PostgreSQL 15 cannot drop them
 * concurrently), anything but an index, indexes of tables the caller does
 * not own, and an index that backs a constraint (dropping it would drop the
 * constraint).  Refused unless forced: an index in use, that is unique, the
 * replica identity, scanned since statistics were reset, or with index
 * conditions on its leading column in captured plans (architect.predicates,
 * the capture module's contract).
 *
 * Locking: the table is locked AccessShareLock while the index is looked
 * at, waiting at most pg_architect.index_lock_timeout (indexer_lock.c), and
 * unlocked before the job is queued.  Slots: see indexer.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/dependency.h"
#include "catalog/index.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "pgstat.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "indexer.h"
#include "pg_architect.h"

PG_FUNCTION_INFO_V1(pga_drop_index);

/*
 * pga_captured_index_uses
 *		Number of captured queries (architect.predicates, the capture
 *		module's contract) with an index condition on the given column of
 *		the table; 0 when capture is not installed.
 */
static int64
pga_captured_index_uses(Oid relid, AttrNumber attnum)
{
	Oid			argtypes[2] = {OIDOID, INT2OID};
	Datum		values[2];
	int64		result = 0;
	bool		isnull;
	int			ret;

	if (attnum <= 0)
		return 0;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute("SELECT pg_catalog.to_regclass('architect.predicates') IS NOT NULL",
					  true, 1);
	if (ret == SPI_OK_SELECT && SPI_processed == 1 &&
		DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
								   1, &isnull)))
	{
		values[0] = ObjectIdGetDatum(relid);
		values[1] = Int16GetDatum(attnum);
		ret = SPI_execute_with_args("SELECT pg_catalog.count(DISTINCT p.queryid) "
									"FROM architect.predicates p "
									"WHERE p.relid OPERATOR(pg_catalog.=) $1 "
									"AND p.attnum OPERATOR(pg_catalog.=) $2 "
									"AND p.kind OPERATOR(pg_catalog.=) 'index_cond'",
									2, argtypes, values, NULL, true, 1);
		if (ret == SPI_OK_SELECT && SPI_processed == 1)
		{
			Datum		d = SPI_getbinval(SPI_tuptable->vals[0],
										  SPI_tuptable->tupdesc, 1, &isnull);

			if (!isnull)
				result = DatumGetInt64(d);
		}
	}
	SPI_finish();
	return result;
}

/*
 * architect.drop_index(index regclass, concurrently boolean, force boolean,
 *						wait boolean) returns bigint
 */
Datum
pga_drop_index(PG_FUNCTION_ARGS)
{
	const char *what = "architect.drop_index()";
	Oid			indexoid;
	bool		concurrently;
	bool		force;
	bool		wait;
	HeapTuple	tup;
	Form_pg_class cls;
	char	   *index_name;
	char	   *schema_name;
	char		relkind;
	Oid			heapoid;
	Oid			constraint;
	Form_pg_index idx;
	bool		unique;
	bool		replident;
	bool		valid;
	AttrNumber	leading;
	PgStat_StatTabEntry *stats;
	int64		scans = 0;
	int64		captured;
	StringInfoData reasons;
	StringInfoData sql;
	PgaJobRequest jr;
	int64		job_id;
	int			slotno;
	bool		attached;
	BackgroundWorkerHandle *handle;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("index must not be NULL"),
				 errhint("Pass the index to drop, e.g. 'public.orders_customer_id_idx'.")));
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("concurrently, force and wait must not be NULL"),
				 errhint("Pass true or false, or leave them out for the defaults.")));
	indexoid = PG_GETARG_OID(0);
	concurrently = PG_GETARG_BOOL(1);
	force = PG_GETARG_BOOL(2);
	wait = PG_GETARG_BOOL(3);

	pga_require_primary(what);
	pga_indexer_required(what);
	pga_refuse_in_block(what, wait);

	/* No lock on the index or its table is kept past the checks. */
	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(indexoid));
	if (!HeapTupleIsValid(tup))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("index with OID %u does not exist", indexoid),
				 errhint("The index may have been dropped already.")));
	cls = (Form_pg_class) GETSTRUCT(tup);
	index_name = pstrdup(NameStr(cls->relname));
	schema_name = get_namespace_name(cls->relnamespace);
	relkind = cls->relkind;
	ReleaseSysCache(tup);

	if (relkind == RELKIND_PARTITIONED_INDEX)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s does not handle partitioned indexes", what),
				 errdetail("\"%s\" is a partitioned index; PostgreSQL 15 cannot drop it concurrently.",
						   index_name),
				 errhint("Drop it with DROP INDEX in your own session.")));
	if (relkind != RELKIND_INDEX)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not an index", index_name),
				 errdetail("\"%s\" is a %s.", index_name, pga_relation_kind_name(relkind)),
				 errhint("Pass an index to architect.drop_index().")));

	/*
	 * Lock the table while the index is looked at, waiting at most
	 * pg_architect.index_lock_timeout, and see that the index is still
	 * there; the lock is released before the job is queued.
	 */
	heapoid = IndexGetRelation(indexoid, false);
	(void) pga_lock_table(NULL, heapoid, what);
	if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(indexoid)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("index \"%s\" does not exist any more", index_name),
				 errhint("Another session dropped it meanwhile.")));
	pga_check_table(heapoid, what);
	pga_check_owner(heapoid, what);
	pga_check_session_role(what);

	constraint = get_index_constraint(indexoid);
	if (OidIsValid(constraint))
		ereport(ERROR,
				(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
				 errmsg("index \"%s\" backs constraint \"%s\" of table %s",
						index_name, get_constraint_name(constraint),
						get_rel_name(heapoid)),
				 errdetail("Dropping the index would drop the constraint."),
				 errhint("Drop the constraint with ALTER TABLE ... DROP CONSTRAINT if that is what you want.")));

	tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexoid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for index %u", indexoid);
	idx = (Form_pg_index) GETSTRUCT(tup);
	/* An invalid index is neither used nor enforcing anything. */
	unique = idx->indisunique && idx->indisvalid;
	replident = idx->indisreplident && idx->indisvalid;
	valid = idx->indisvalid;
	leading = idx->indnatts > 0 ? idx->indkey.values[0] : 0;
	ReleaseSysCache(tup);

	stats = pgstat_fetch_stat_tabentry(indexoid);
	if (stats && valid)
		scans = stats->numscans;
	captured = valid ? pga_captured_index_uses(heapoid, leading) : 0;

	initStringInfo(&reasons);
	if (unique)
		appendStringInfoString(&reasons, " It enforces uniqueness.");
	if (replident)
		appendStringInfoString(&reasons, " It is the table's replica identity.");
	if (scans == 1)
		appendStringInfoString(&reasons, " It was scanned once since statistics were last reset.");
	else if (scans > 1)
		appendStringInfo(&reasons, " It was scanned " INT64_FORMAT " times since statistics were last reset.",
						 scans);
	if (captured == 1)
		appendStringInfoString(&reasons, " A captured query has an index condition on its leading column.");
	else if (captured > 1)
		appendStringInfo(&reasons, " " INT64_FORMAT " captured queries have index conditions on its leading column.",
						 captured);
	if (reasons.len > 0 && !force)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_IN_USE),
				 errmsg("index \"%s\" is in use", index_name),
				 errdetail("%s", reasons.data + 1),
				 errhint("Check architect.index_usage and the captured plans; pass force => true to drop it anyway.")));

	initStringInfo(&sql);
	appendStringInfo(&sql, "DROP INDEX %s%s",
					 concurrently ? "CONCURRENTLY " : "",
					 quote_qualified_identifier(schema_name, index_name));

	memset(&jr, 0, sizeof(jr));
	jr.kind = PGA_JOB_DROP;
	jr.relid = heapoid;
	jr.indexoid = indexoid;
	jr.concurrently = concurrently;
	jr.wait = wait;
	jr.schema_name = schema_name;
	jr.table_name = get_rel_name(heapoid);
	jr.index_name = index_name;
	jr.statement = sql.data;
	jr.source = force && reasons.len > 0 ? "drop_index (forced)" : "drop_index";

	UnlockRelationOid(heapoid, AccessShareLock);
	job_id = pga_submit_job(&jr, &slotno, &attached, &handle);
	if (wait)
		pga_wait_for_job(slotno, job_id, handle, !attached, index_name);

	PG_RETURN_INT64(job_id);
}
