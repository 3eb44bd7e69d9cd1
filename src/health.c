/*-------------------------------------------------------------------------
 *
 * health.c
 *	  The C side of the health views: thresholds, sequence positions read
 *	  without holding locks, and the sources the views may only read when
 *	  they exist or when the caller may read them.
 *
 * The health views are plain SQL over the catalogs and the cumulative
 * statistics.  A few things SQL cannot do well live here:
 *
 *	health_settings()	every health threshold in one row, memory in bytes
 *						and time in milliseconds, read by name from the GUCs
 *						so that the SQL and the C cannot disagree on units;
 *	sequence_last_value()  a sequence's position, read the way
 *						pg_sequence_last_value() reads it but without waiting
 *						for or keeping a lock (see below);
 *	statements()		pg_stat_statements rows, wherever that extension is
 *						installed, and none when it is not;
 *	plan_findings_summary()  capture's plan findings per query when the
 *						capture module (architect.plan_findings) is present;
 *	hba_rules(), password_roles(), file_settings()  pg_hba_file_rules,
 *						the password kind of each role and pg_file_settings,
 *						only when the caller may read them;
 *	exact_bloat()		pgstattuple / pgstatindex measurements of a table and
 *						its btree indexes, when pgstattuple is installed;
 *	column_stats()		the null share and average width of every column the
 *						caller may see statistics of, for the bloat estimates:
 *						what pg_stats shows, without the cost of pg_stats
 *						(which decodes every histogram for every row);
 *	user_columns()		the columns of the user's tables, for security_advice,
 *						schema_advice and the key names of missing_fk_indexes.
 *
 * sequence_last_value(), column_stats() and user_columns() keep what they
 * read for the rest of one architect.findings or architect.report() call
 * (the findings scope, see pga_facts_cache_usable()), never longer; so
 * does index_facts() (health_index_facts.c), through the same cache.
 *
 * Everything runs with the caller's privileges: these functions are not
 * SECURITY DEFINER, so the views show each role what PostgreSQL itself
 * would show it (pg_monitor and pg_read_all_stats rules).
 *
 * Locking: sequence_last_value() takes AccessShareLock on the sequence
 * conditionally (it never waits, it returns NULL instead) and releases it
 * as soon as the page is read, so that a view over thousands of sequences
 * neither fills the lock table nor holds up ALTER or DROP SEQUENCE until
 * the end of the caller's transaction.  The page itself is read under a
 * share buffer lock.  column_stats() reads pg_statistic under
 * AccessShareLock, like any catalog scan.  No other shared state is
 * touched here.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/relation.h"
#include "access/xlog.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_statistic.h"
#include "access/genam.h"
#include "access/table.h"
#include "utils/rls.h"
#include "catalog/pg_class.h"
#include "commands/sequence.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/smgr.h"
#include "storage/lmgr.h"
#include "storage/proc.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "access/xact.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "health.h"
#include "pg_architect.h"

PG_FUNCTION_INFO_V1(pga_health_settings);
PG_FUNCTION_INFO_V1(pga_sequence_last_value);
PG_FUNCTION_INFO_V1(pga_statements);
PG_FUNCTION_INFO_V1(pga_statements_reset);
PG_FUNCTION_INFO_V1(pga_plan_findings_summary);
PG_FUNCTION_INFO_V1(pga_hba_rules);
PG_FUNCTION_INFO_V1(pga_password_roles);
PG_FUNCTION_INFO_V1(pga_file_settings);
PG_FUNCTION_INFO_V1(pga_exact_bloat);
PG_FUNCTION_INFO_V1(pga_column_stats);
PG_FUNCTION_INFO_V1(pga_user_columns);

/*
 * Magic number in the special space of a sequence's only page (sequence.c
 * keeps its own definition private; the on-disk format is fixed).
 */
#define PGA_SEQ_MAGIC 0x1717

/*
 * architect.health_settings()
 *		One row whose columns are named after the health GUCs (without the
 *		"pg_architect." prefix).  Memory settings are returned in bytes, time
 *		settings in milliseconds, whatever unit the GUC is declared in.
 *
 * Calling this also guarantees the library, hence the GUCs, is loaded in
 * sessions where it was not preloaded.
 */
Datum
pga_health_settings(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum	   *values;
	bool	   *nulls;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	values = palloc0(sizeof(Datum) * tupdesc->natts);
	nulls = palloc0(sizeof(bool) * tupdesc->natts);

	for (int i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);
		char	   *name = psprintf("pg_architect.%s", NameStr(att->attname));
		const char *raw = GetConfigOption(name, false, false);
		int			flags = GetConfigOptionFlags(name, false);
		double		factor = 1.0;

		switch (flags & GUC_UNIT_MEMORY)
		{
			case GUC_UNIT_BYTE:
				factor = 1.0;
				break;
			case GUC_UNIT_KB:
				factor = 1024.0;
				break;
			case GUC_UNIT_MB:
				factor = 1024.0 * 1024.0;
				break;
			case GUC_UNIT_BLOCKS:
				factor = BLCKSZ;
				break;
		}
		switch (flags & GUC_UNIT_TIME)
		{
			case GUC_UNIT_S:
				factor = 1000.0;
				break;
			case GUC_UNIT_MIN:
				factor = 60.0 * 1000.0;
				break;
		}

		if (raw == NULL)
			nulls[i] = true;
		else if (att->atttypid == FLOAT8OID)
			values[i] = Float8GetDatum(strtod(raw, NULL) * factor);
		else if (att->atttypid == TEXTOID)
			values[i] = CStringGetTextDatum(raw);
		else
			elog(ERROR, "column \"%s\" of architect.health_settings() has an unsupported type",
				 NameStr(att->attname));
	}

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc),
													  values, nulls)));
}

/*
 * The findings scope: facts read once per architect.findings or
 * architect.report() call.
 *
 * architect.findings and architect.report() read two dozen views, and some
 * of those read the same fact: the sequences and schema_advice views both
 * read every sequence's position.  findings_rows() and report() run with
 * pg_architect.findings_scope = on (a SET clause of the function, undone
 * when it returns or fails); while it is on, sequence_last_value() keeps
 * what it read in a cache, so that the second view reads the first one's
 * value instead of locking and reading the page again; and column_stats()
 * keeps its rows, that table_bloat and index_bloat both read; and
 * user_columns() keeps the columns of the user's tables, that
 * security_advice and schema_advice both read (one pass over pg_attribute
 * instead of two).
 *
 * The cache never outlives one call: it is valid only while
 * pg_architect.findings_scope is on, for the generation of that setting
 * (bumped by every assignment, so each entry into findings_rows() or
 * report() starts empty, even twice within one statement), in the same
 * local transaction, top-level statement and user.  The standalone views
 * run with the setting off and read every fact afresh.  Within the one
 * query that the cache serves, the views see one position per sequence
 * (without it, a nextval() committing between the two reads could show
 * them two different ones).
 */
bool		pga_findings_scope = false;
static uint64 facts_generation = 0;

typedef struct FactsStamp
{
	uint64		generation;
	LocalTransactionId lxid;
	TimestampTz stmt_start;
	Oid			userid;
} FactsStamp;

typedef struct SeqFact
{
	Oid			relid;			/* hash key */
	bool		isnull;
	int64		last_value;
} SeqFact;

typedef struct ColStatFact
{
	Oid			relid;
	int16		attnum;
	bool		inherited;
	float4		null_frac;
	int32		avg_width;
} ColStatFact;

static MemoryContext facts_cxt = NULL;
static FactsStamp facts_stamp;
uint64		pga_facts_epoch = 0;	/* bumped each time the cache is emptied */
static HTAB *seq_facts = NULL;	/* sequence_last_value() */
static ColStatFact *colstat_facts = NULL;	/* column_stats(), NULL: not read yet */
static int	colstat_nfacts = 0;
static HeapTuple *usercol_facts = NULL; /* user_columns(), NULL: not read yet */
static uint64 usercol_nfacts = 0;

void
pga_findings_scope_assign(bool newval, void *extra)
{
	/* every assignment (function entry and exit) starts a new generation */
	facts_generation++;
}

/*
 * pga_facts_cache_usable
 *		Whether the findings scope is on; when it is, drop whatever was
 *		cached under another generation, transaction, statement or user.
 */
bool
pga_facts_cache_usable(void)
{
	FactsStamp	now;

	if (!pga_findings_scope)
		return false;
	memset(&now, 0, sizeof(now));
	now.generation = facts_generation;
	now.lxid = MyProc->lxid;
	now.stmt_start = GetCurrentStatementStartTimestamp();
	now.userid = GetUserId();
	if (facts_cxt == NULL)
		facts_cxt = AllocSetContextCreate(TopMemoryContext, "pg_architect findings facts",
										  ALLOCSET_SMALL_SIZES);
	if (seq_facts == NULL || memcmp(&now, &facts_stamp, sizeof(now)) != 0)
	{
		HASHCTL		ctl;

		MemoryContextReset(facts_cxt);
		pga_facts_epoch++;
		colstat_facts = NULL;
		colstat_nfacts = 0;
		usercol_facts = NULL;
		usercol_nfacts = 0;
		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(SeqFact);
		ctl.hcxt = facts_cxt;
		seq_facts = hash_create("pg_architect sequence facts", 1024, &ctl,
								HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		facts_stamp = now;
	}
	return true;
}

/*
 * pga_facts_context
 *		Where facts kept for the current findings call live; only valid
 *		right after pga_facts_cache_usable() returned true.
 */
MemoryContext
pga_facts_context(void)
{
	return facts_cxt;
}

static Datum read_sequence_last_value(FunctionCallInfo fcinfo, Oid relid);

/*
 * architect.sequence_last_value(seq regclass) returns bigint
 *		The last value a sequence handed out, NULL when it was never used,
 *		when the caller has neither SELECT nor USAGE on it, when it is
 *		temporary, when it is being altered or dropped right now (or the OID
 *		names no relation: dropped between the caller's catalog read and
 *		this call), or when it is an unlogged sequence on a standby (which
 *		has no data).  A relation that is not a sequence is an error
 *		(42809): that is a caller's mistake, not missing data.
 *
 * pg_sequence_last_value() opens the sequence through the relation cache
 * and keeps a RowExclusiveLock on it until the end of the transaction; over
 * thousands of sequences that builds thousands of relcache entries and
 * exhausts the lock table.  Here the lock is taken without waiting and
 * released right after the page is read, and the page is read by its
 * relfilenode (from pg_class, current once the lock is held, since taking
 * it processes pending invalidations) without building a relcache entry.
 */
Datum
pga_sequence_last_value(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	SeqFact    *fact;
	bool		found;
	Datum		result;

	if (!pga_facts_cache_usable())
		return read_sequence_last_value(fcinfo, relid);

	fact = (SeqFact *) hash_search(seq_facts, &relid, HASH_FIND, NULL);
	if (fact == NULL)
	{
		/* read it (errors leave nothing behind), then remember it */
		fcinfo->isnull = false;
		result = read_sequence_last_value(fcinfo, relid);
		fact = (SeqFact *) hash_search(seq_facts, &relid, HASH_ENTER, &found);
		fact->isnull = fcinfo->isnull;
		fact->last_value = fcinfo->isnull ? 0 : DatumGetInt64(result);
	}
	if (fact->isnull)
		PG_RETURN_NULL();
	PG_RETURN_INT64(fact->last_value);
}

static Datum
read_sequence_last_value(FunctionCallInfo fcinfo, Oid relid)
{
	HeapTuple	classtup;
	Form_pg_class classform;
	RelFileNode rnode;
	char		persistence;
	Buffer		buf;
	Page		page;
	ItemId		lp;
	HeapTupleHeader tuphdr;
	Form_pg_sequence_data seq;
	bool		is_called;
	int64		last_value;
	bool		ok;
	char		relkind;

	relkind = get_rel_relkind(relid);
	if (relkind == '\0')
		PG_RETURN_NULL();		/* dropped meanwhile, or never existed */
	if (relkind != RELKIND_SEQUENCE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a sequence", get_rel_name(relid)),
				 errdetail("architect.sequence_last_value() reads sequences only."),
				 errhint("Pass a sequence, for example pg_get_serial_sequence('table', 'column').")));
	if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT | ACL_USAGE) != ACLCHECK_OK)
		PG_RETURN_NULL();
	if (!ConditionalLockRelationOid(relid, AccessShareLock))
		PG_RETURN_NULL();

	classtup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(classtup))
	{
		UnlockRelationOid(relid, AccessShareLock);	/* dropped meanwhile */
		PG_RETURN_NULL();
	}
	classform = (Form_pg_class) GETSTRUCT(classtup);
	persistence = classform->relpersistence;
	rnode.spcNode = OidIsValid(classform->reltablespace) ? classform->reltablespace : MyDatabaseTableSpace;
	rnode.dbNode = MyDatabaseId;
	rnode.relNode = classform->relfilenode;
	ReleaseSysCache(classtup);

	if (persistence == RELPERSISTENCE_TEMP ||
		(persistence == RELPERSISTENCE_UNLOGGED && RecoveryInProgress()) ||
		!OidIsValid(rnode.relNode))
	{
		UnlockRelationOid(relid, AccessShareLock);
		PG_RETURN_NULL();
	}

	/*
	 * No smgrexists()/smgrnblocks() first: mdexists() closes and reopens the
	 * file, so each call cost several system calls per sequence (over 10,000
	 * sequences, most of the view's time), while the page is nearly always
	 * in shared buffers.  The relfilenode was read after the lock was taken,
	 * which processes pending invalidations, so it is the committed one and
	 * its file holds the page.  (An ALTER SEQUENCE ... RESTART committing
	 * between that read and this one could still leave it empty: the read
	 * then fails with an I/O error, a window the checks only narrowed.)
	 */
	buf = ReadBufferWithoutRelcache(rnode, MAIN_FORKNUM, 0, RBM_NORMAL, NULL,
									persistence == RELPERSISTENCE_PERMANENT);
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	page = BufferGetPage(buf);
	ok = PageGetSpecialSize(page) >= sizeof(uint32) &&
		*(uint32 *) PageGetSpecialPointer(page) == PGA_SEQ_MAGIC &&
		PageGetMaxOffsetNumber(page) >= FirstOffsetNumber;
	if (ok)
	{
		lp = PageGetItemId(page, FirstOffsetNumber);
		tuphdr = (HeapTupleHeader) PageGetItem(page, lp);
		seq = (Form_pg_sequence_data) ((char *) tuphdr + tuphdr->t_hoff);
		last_value = seq->last_value;
		is_called = seq->is_called;
	}
	UnlockReleaseBuffer(buf);
	UnlockRelationOid(relid, AccessShareLock);

	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("sequence \"%s\" has an unexpected page layout", get_rel_name(relid))));
	if (!is_called)
		PG_RETURN_NULL();
	PG_RETURN_INT64(last_value);
}

/*
 * pga_spi_select
 *		SPI_connect() and run a read-only query whose columns must have the
 *		types of "want", column for column; the rows are in SPI_tuptable.
 *		The caller calls SPI_finish().
 */
static void
pga_spi_select(const char *query, int nargs, Oid *argtypes, Datum *args,
			   TupleDesc want)
{
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args(query, nargs, argtypes, args, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed: %s", query);

	if (SPI_tuptable->tupdesc->natts != want->natts)
		elog(ERROR, "query returns %d columns, function declares %d",
			 SPI_tuptable->tupdesc->natts, want->natts);
	for (int c = 0; c < want->natts; c++)
	{
		if (SPI_gettypeid(SPI_tuptable->tupdesc, c + 1) != TupleDescAttr(want, c)->atttypid)
			elog(ERROR, "column %d of the query has type %u, function declares %u",
				 c + 1, SPI_gettypeid(SPI_tuptable->tupdesc, c + 1),
				 TupleDescAttr(want, c)->atttypid);
	}
}

/*
 * pga_spi_materialize
 *		Run a read-only query through SPI and return its rows as the result
 *		of the set-returning function being called.  The query's columns
 *		must match the function's declared result, column for column.
 *
 * A NULL query returns no rows.  Runs with the caller's privileges.
 */
static void
pga_spi_materialize(FunctionCallInfo fcinfo, const char *query,
					int nargs, Oid *argtypes, Datum *args)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TupleDesc	want;
	Datum	   *values;
	bool	   *nulls;

	pga_init_materialized_srf(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	if (query == NULL)
		return;

	want = rsinfo->setDesc;
	values = palloc(sizeof(Datum) * want->natts);
	nulls = palloc(sizeof(bool) * want->natts);

	pga_spi_select(query, nargs, argtypes, args, want);

	for (uint64 r = 0; r < SPI_processed; r++)
	{
		HeapTuple	tup = SPI_tuptable->vals[r];

		for (int c = 0; c < want->natts; c++)
			values[c] = SPI_getbinval(tup, SPI_tuptable->tupdesc, c + 1, &nulls[c]);
		tuplestore_putvalues(rsinfo->setResult, want, values, nulls);
	}

	SPI_finish();
}

/*
 * pga_extension_info
 *		Schema (quoted for SQL) and version of an installed extension; false
 *		when the extension is not installed in this database.  The strings
 *		are allocated in the caller's memory context.
 */
static bool
pga_extension_info(const char *extname, char **schema, char **version)
{
	MemoryContext callercxt = CurrentMemoryContext;
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];
	bool		found = false;

	args[0] = CStringGetTextDatum(extname);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args("SELECT quote_ident(n.nspname), e.extversion "
							  "FROM pg_catalog.pg_extension e "
							  "JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace "
							  "WHERE e.extname = $1",
							  1, argtypes, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed");
	if (SPI_processed == 1)
	{
		char	   *s = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		char	   *v = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);

		*schema = MemoryContextStrdup(callercxt, s);
		if (version != NULL)
			*version = v ? MemoryContextStrdup(callercxt, v) : NULL;
		found = true;
	}
	SPI_finish();
	return found;
}

/*
 * pga_relam
 *		Access method of a relation, InvalidOid when it does not exist.
 */
static Oid
pga_relam(Oid relid)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			relam;

	if (!HeapTupleIsValid(tup))
		return InvalidOid;
	relam = ((Form_pg_class) GETSTRUCT(tup))->relam;
	ReleaseSysCache(tup);
	return relam;
}

/*
 * pga_guc_defined
 *		True when a parameter is really defined (its library is loaded), not
 *		merely a placeholder set by someone.
 */
static bool
pga_guc_defined(const char *name)
{
	if (GetConfigOption(name, true, false) == NULL)
		return false;
	return (GetConfigOptionFlags(name, true) & GUC_CUSTOM_PLACEHOLDER) == 0;
}

/*
 * architect.statements(all_databases boolean)
 *		pg_stat_statements' rows (of this database, or of all databases),
 *		or no rows when pg_stat_statements is not installed here or not
 *		loaded.  Reads the view of the installed extension version, so an
 *		extension left at an older version still works.
 */
Datum
pga_statements(PG_FUNCTION_ARGS)
{
	bool		all_databases = PG_GETARG_BOOL(0);
	char	   *schema;
	char	   *version;
	const char *query = NULL;
	Oid			argtypes[2] = {BOOLOID, OIDOID};
	Datum		args[2];

	if (pga_extension_info("pg_stat_statements", &schema, &version) &&
		pga_guc_defined("pg_stat_statements.max"))
	{
		bool		has_toplevel = false;
		bool		has_exec_time = true;

		/* toplevel appeared in 1.9, total_exec_time replaced total_time in 1.8 */
		if (version != NULL)
		{
			int			major = 0,
						minor = 0;

			if (sscanf(version, "%d.%d", &major, &minor) == 2)
			{
				has_toplevel = (major > 1 || (major == 1 && minor >= 9));
				has_exec_time = (major > 1 || (major == 1 && minor >= 8));
			}
		}
		query = psprintf("SELECT userid, dbid, %s, queryid, query, calls, "
						 "%s, %s, rows, shared_blks_hit, shared_blks_read, "
						 "temp_blks_written, blk_read_time + blk_write_time "
						 "FROM %s.pg_stat_statements "
						 "WHERE $1 OR dbid = $2",
						 has_toplevel ? "toplevel" : "true",
						 has_exec_time ? "total_exec_time" : "total_time",
						 has_exec_time ? "mean_exec_time" : "mean_time",
						 schema);
	}
	args[0] = BoolGetDatum(all_databases);
	args[1] = ObjectIdGetDatum(MyDatabaseId);
	pga_spi_materialize(fcinfo, query, 2, argtypes, args);
	return (Datum) 0;
}

/*
 * architect.statements_reset()
 *		When pg_stat_statements was last reset, from pg_stat_statements_info
 *		(version 1.9 and later); NULL when unknown.
 */
Datum
pga_statements_reset(PG_FUNCTION_ARGS)
{
	char	   *schema;
	char	   *version;
	int			major = 0,
				minor = 0;
	bool		isnull = true;
	Datum		result = (Datum) 0;

	if (!pga_extension_info("pg_stat_statements", &schema, &version) ||
		!pga_guc_defined("pg_stat_statements.max") || version == NULL ||
		sscanf(version, "%d.%d", &major, &minor) != 2 ||
		(major == 1 && minor < 9))
		PG_RETURN_NULL();

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute(psprintf("SELECT stats_reset FROM %s.pg_stat_statements_info", schema),
					true, 1) != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute failed");
	if (SPI_processed == 1)
		result = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	SPI_finish();				/* timestamptz is passed by value */

	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(result);
}

/*
 * architect.plan_findings_summary()
 *		Per database and query id: how many plan findings capture recorded,
 *		the findings as one line, the worst severity.  No rows when the
 *		capture module's architect.plan_findings view does not exist in this
 *		installation.
 */
Datum
pga_plan_findings_summary(PG_FUNCTION_ARGS)
{
	const char *query = NULL;
	Oid			nspid = get_namespace_oid("architect", true);

	if (OidIsValid(nspid) && OidIsValid(get_relname_relid("plan_findings", nspid)))
		query =
			"SELECT f.dbid::oid, f.queryid::bigint, count(*)::bigint, "
			"       string_agg(f.finding::text || ' (' || f.node::text || ')', '; ' "
			"                  ORDER BY architect.severity_rank(f.severity::text) DESC, "
			"                           f.occurrences DESC), "
			"       (array_agg(f.severity::text ORDER BY "
			"                  architect.severity_rank(f.severity::text) DESC))[1] "
			"  FROM architect.plan_findings f "
			" GROUP BY f.dbid, f.queryid";
	pga_spi_materialize(fcinfo, query, 0, NULL, NULL);
	return (Datum) 0;
}

/*
 * pga_regprocedure
 *		to_regprocedure() from C: InvalidOid when no such function exists.
 */
Oid
pga_regprocedure(const char *signature)
{
	LOCAL_FCINFO(fcinfo, 1);
	Datum		result;

	InitFunctionCallInfoData(*fcinfo, NULL, 1, InvalidOid, NULL, NULL);
	fcinfo->args[0].value = CStringGetTextDatum(signature);
	fcinfo->args[0].isnull = false;
	result = to_regprocedure(fcinfo);
	if (fcinfo->isnull)
		return InvalidOid;
	return DatumGetObjectId(result);
}

/*
 * pga_may_read
 *		True when the caller may SELECT the catalog relation "relname" and
 *		EXECUTE the function "funcsig" behind it (NULL: no function).
 */
static bool
pga_may_read(const char *relname, const char *funcsig)
{
	Oid			relid = get_relname_relid(relname, PG_CATALOG_NAMESPACE);

	if (!OidIsValid(relid) ||
		pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		return false;
	if (funcsig != NULL)
	{
		Oid			funcid = pga_regprocedure(funcsig);

		if (!OidIsValid(funcid) ||
			pg_proc_aclcheck(funcid, GetUserId(), ACL_EXECUTE) != ACLCHECK_OK)
			return false;
	}
	return true;
}

/*
 * architect.hba_rules()
 *		pg_hba_file_rules, or no rows when the caller may not read it (by
 *		default only superusers may).
 */
Datum
pga_hba_rules(PG_FUNCTION_ARGS)
{
	const char *query = NULL;

	if (pga_may_read("pg_hba_file_rules", "pg_catalog.pg_hba_file_rules()"))
		query = "SELECT line_number, type, database, user_name, address, "
			"netmask, auth_method, error FROM pg_catalog.pg_hba_file_rules";
	pga_spi_materialize(fcinfo, query, 0, NULL, NULL);
	return (Datum) 0;
}

/*
 * architect.file_settings()
 *		pg_file_settings (the configuration files as they read now), or no
 *		rows when the caller may not read it (by default only superusers
 *		may).
 */
Datum
pga_file_settings(PG_FUNCTION_ARGS)
{
	const char *query = NULL;

	if (pga_may_read("pg_file_settings", "pg_catalog.pg_show_all_file_settings()"))
		query = "SELECT sourcefile, sourceline, seqno, name, setting, applied, error "
			"FROM pg_catalog.pg_file_settings";
	pga_spi_materialize(fcinfo, query, 0, NULL, NULL);
	return (Datum) 0;
}

/*
 * architect.password_roles()
 *		Each role with a password and how it is stored (scram-sha-256, md5,
 *		or plain), or no rows when the caller may not read pg_authid.
 */
Datum
pga_password_roles(PG_FUNCTION_ARGS)
{
	const char *query = NULL;

	if (pga_may_read("pg_authid", NULL))
		query = "SELECT rolname, rolcanlogin, rolvaliduntil, "
			"CASE WHEN rolpassword LIKE 'SCRAM-SHA-256$%' THEN 'scram-sha-256' "
			"     WHEN rolpassword ~ '^md5[0-9a-f]{32}$' THEN 'md5' "
			"     ELSE 'plain' END "
			"FROM pg_catalog.pg_authid WHERE rolpassword IS NOT NULL";
	pga_spi_materialize(fcinfo, query, 0, NULL, NULL);
	return (Datum) 0;
}

/*
 * architect.exact_bloat(rel regclass)
 *		Measured bloat of a table and its valid btree indexes (or of one
 *		btree index), with pgstattuple and pgstatindex.  They read every page,
 *		so this is a function to call for one relation, not a view.
 */
Datum
pga_exact_bloat(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	char	   *schema = NULL;
	char		relkind = get_rel_relkind(relid);
	char	   *query;
	Oid			argtypes[1] = {OIDOID};
	Datum		args[1];

	if (relkind == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid),
				 errhint("Pass an existing table or index.")));
	if (!pga_extension_info("pgstattuple", &schema, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("extension \"pgstattuple\" is not installed in this database"),
				 errdetail("architect.exact_bloat() measures bloat with pgstattuple; the table_bloat and index_bloat views estimate it from statistics instead."),
				 errhint("Run CREATE EXTENSION pgstattuple, or use architect.table_bloat and architect.index_bloat.")));
	if (relkind == RELKIND_PARTITIONED_TABLE || relkind == RELKIND_PARTITIONED_INDEX)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is partitioned and has no storage of its own",
						get_rel_name(relid)),
				 errhint("Call architect.exact_bloat() on each partition.")));
	if (relkind != RELKIND_RELATION && relkind != RELKIND_MATVIEW &&
		relkind != RELKIND_TOASTVALUE && relkind != RELKIND_INDEX)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a table, materialized view or index",
						get_rel_name(relid)),
				 errhint("Pass a table, a materialized view or a btree index.")));
	if (relkind == RELKIND_INDEX && pga_relam(relid) != BTREE_AM_OID)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("\"%s\" is not a btree index", get_rel_name(relid)),
				 errhint("pgstatindex measures btree indexes only.")));

	/*
	 * Tables: wasted space is dead tuples plus free space beyond what the
	 * fillfactor leaves free on purpose.  Btree indexes: leaf pages are
	 * filled to avg_leaf_density where a fresh index is filled to its
	 * fillfactor (90 by default).
	 */
	query = psprintf(
					 "WITH t AS ( "
					 "  SELECT c.oid, n.nspname, c.relname, "
					 "         coalesce((SELECT option_value::float8 FROM pg_options_to_table(c.reloptions) "
					 "                    WHERE option_name = 'fillfactor'), 100) AS ff "
					 "    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
					 "   WHERE c.oid = $1 AND c.relkind IN ('r', 'm', 't')), "
					 "i AS ( "
					 "  SELECT ic.oid, n.nspname, ic.relname, "
					 "         coalesce((SELECT option_value::float8 FROM pg_options_to_table(ic.reloptions) "
					 "                    WHERE option_name = 'fillfactor'), 90) AS ff "
					 "    FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid "
					 "    JOIN pg_namespace n ON n.oid = ic.relnamespace "
					 "   WHERE (x.indrelid = $1 OR x.indexrelid = $1) AND x.indisvalid "
					 "     AND ic.relam = %u AND ic.relkind = 'i') "
					 "SELECT t.nspname::text, t.relname::text, 'table'::text, 'pgstattuple'::text, "
					 "       s.table_len::bigint, "
					 "       greatest(s.dead_tuple_len + s.free_space "
					 "                - s.table_len * (100 - t.ff) / 100, 0)::bigint, "
					 "       round((100.0 * greatest(s.dead_tuple_len + s.free_space "
					 "                - s.table_len * (100 - t.ff) / 100, 0) "
					 "              / nullif(s.table_len, 0))::numeric, 1)::float8, "
					 "       format('%%s live tuples, %%s dead tuples, %%s free', "
					 "              s.tuple_count, s.dead_tuple_count, pg_size_pretty(s.free_space::bigint)) "
					 "  FROM t, LATERAL %s.pgstattuple(t.oid) s "
					 "UNION ALL "
					 "SELECT i.nspname::text, i.relname::text, 'index'::text, 'pgstatindex'::text, "
					 "       s.index_size::bigint, "
					 "       CASE WHEN s.leaf_pages > 0 THEN greatest((s.leaf_pages * %d) * "
					 "            (1 - s.avg_leaf_density / i.ff), 0) ELSE 0 END::bigint, "
					 "       CASE WHEN s.leaf_pages > 0 THEN round((100 * greatest(1 - s.avg_leaf_density / i.ff, 0) "
					 "            * s.leaf_pages / nullif(s.leaf_pages + s.internal_pages + s.empty_pages + s.deleted_pages, 0))::numeric, 1) "
					 "            ELSE 0 END::float8, "
					 "       format('leaf density %%s%%%% (fillfactor %%s), fragmentation %%s%%%%, %%s deleted pages', "
					 "              s.avg_leaf_density, i.ff, s.leaf_fragmentation, s.deleted_pages) "
					 "  FROM i, LATERAL %s.pgstatindex(i.oid::regclass) s",
					 BTREE_AM_OID, schema, BLCKSZ, schema);

	args[0] = ObjectIdGetDatum(relid);
	pga_spi_materialize(fcinfo, query, 1, argtypes, args);
	return (Datum) 0;
}

/*
 * architect.column_stats()
 *		(relid, attnum, inherited, null_frac, avg_width) of every row of
 *		pg_statistic whose column the caller may see statistics of, by the
 *		rules of the pg_stats view: SELECT on the table or on the column, and
 *		no row-level security in force for the caller on the table.
 *
 * Only the fixed-width head of each pg_statistic row is read, so this costs
 * a fraction of a scan of pg_stats, which the bloat estimates of thousands
 * of tables cannot afford.  pg_statistic is read with AccessShareLock, as
 * any catalog scan; the tables the statistics describe are not locked.
 */
Datum
pga_column_stats(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Relation	statrel;
	SysScanDesc scan;
	HeapTuple	tup;
	Oid			userid = GetUserId();
	Oid			cached_relid = InvalidOid;
	bool		cached_table_ok = false;	/* SELECT on the whole table */
	bool		cached_visible = false; /* exists, no RLS in force */

	bool		cache = pga_facts_cache_usable();
	int			nalloc = 0;
	int			nfacts = 0;
	ColStatFact *facts = NULL;

	pga_init_materialized_srf(fcinfo, MAT_SRF_USE_EXPECTED_DESC);

	if (cache && colstat_facts != NULL)
	{
		/* read once already in this findings call (see facts_cache_usable) */
		for (int i = 0; i < colstat_nfacts; i++)
		{
			Datum		values[5];
			bool		nulls[5] = {false, false, false, false, false};

			values[0] = ObjectIdGetDatum(colstat_facts[i].relid);
			values[1] = Int16GetDatum(colstat_facts[i].attnum);
			values[2] = BoolGetDatum(colstat_facts[i].inherited);
			values[3] = Float4GetDatum(colstat_facts[i].null_frac);
			values[4] = Int32GetDatum(colstat_facts[i].avg_width);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
		return (Datum) 0;
	}

	statrel = table_open(StatisticRelationId, AccessShareLock);
	scan = systable_beginscan(statrel, InvalidOid, false, NULL, 0, NULL);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_statistic st = (Form_pg_statistic) GETSTRUCT(tup);
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};

		CHECK_FOR_INTERRUPTS();

		if (st->starelid != cached_relid)
		{
			cached_relid = st->starelid;
			cached_visible = SearchSysCacheExists1(RELOID, ObjectIdGetDatum(cached_relid)) &&
				check_enable_rls(cached_relid, InvalidOid, true) != RLS_ENABLED;
			cached_table_ok = cached_visible &&
				pg_class_aclcheck(cached_relid, userid, ACL_SELECT) == ACLCHECK_OK;
		}
		if (!cached_visible)
			continue;
		if (!cached_table_ok &&
			pg_attribute_aclcheck(st->starelid, st->staattnum, userid, ACL_SELECT) != ACLCHECK_OK)
			continue;

		values[0] = ObjectIdGetDatum(st->starelid);
		values[1] = Int16GetDatum(st->staattnum);
		values[2] = BoolGetDatum(st->stainherit);
		values[3] = Float4GetDatum(st->stanullfrac);
		values[4] = Int32GetDatum(st->stawidth);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		if (cache)
		{
			if (nfacts == nalloc)
			{
				nalloc = nalloc == 0 ? 1024 : nalloc * 2;
				facts = facts == NULL
					? MemoryContextAlloc(facts_cxt, sizeof(ColStatFact) * nalloc)
					: repalloc(facts, sizeof(ColStatFact) * nalloc);
			}
			facts[nfacts].relid = st->starelid;
			facts[nfacts].attnum = st->staattnum;
			facts[nfacts].inherited = st->stainherit;
			facts[nfacts].null_frac = st->stanullfrac;
			facts[nfacts].avg_width = st->stawidth;
			nfacts++;
		}
	}
	systable_endscan(scan);
	table_close(statrel, AccessShareLock);
	if (cache)
	{
		/* an empty result is remembered too */
		colstat_facts = facts != NULL ? facts : MemoryContextAlloc(facts_cxt, sizeof(ColStatFact));
		colstat_nfacts = nfacts;
	}

	return (Datum) 0;
}

/*
 * architect.user_columns()
 *		The columns (attnum > 0, not dropped) of the user's tables,
 *		partitioned tables and materialized views: not partitions, not
 *		temporary, in a user schema (architect.is_user_schema), not members
 *		of an extension; with their schema, name, kind and whether row-level
 *		security is enabled.  What security_advice (tenant and secret
 *		columns) and schema_advice (timestamp and updated_at columns) look
 *		at.  Read once per findings call when the findings scope is on (see
 *		facts_cache_usable), afresh otherwise.  Runs with the caller's
 *		privileges and reads the catalogs under AccessShareLock only.
 */
static const char *user_columns_query =
	"SELECT c.oid, n.nspname, c.relname, c.relkind, c.relrowsecurity, a.attname, a.atttypid, a.atttypmod, a.attnum"
	"  FROM pg_catalog.pg_class c"
	"  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
	"  JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
	" WHERE c.relkind IN ('r', 'p', 'm') AND NOT c.relispartition"
	"   AND c.relpersistence <> 't'"
	"   AND architect.is_user_schema(n.nspname)"
	"   AND c.oid NOT IN (SELECT architect.extension_members('pg_catalog.pg_class'))";

Datum
pga_user_columns(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TupleDesc	want;
	Datum	   *values;
	bool	   *nulls;
	HeapTuple  *facts;

	if (!pga_facts_cache_usable())
	{
		pga_spi_materialize(fcinfo, user_columns_query, 0, NULL, NULL);
		return (Datum) 0;
	}

	pga_init_materialized_srf(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	if (usercol_facts == NULL)
	{
		want = rsinfo->setDesc;
		values = palloc(sizeof(Datum) * want->natts);
		nulls = palloc(sizeof(bool) * want->natts);
		pga_spi_select(user_columns_query, 0, NULL, NULL, want);
		/* the rows, in the function's row type, kept for the whole call */
		facts = MemoryContextAlloc(facts_cxt, sizeof(HeapTuple) * (SPI_processed + 1));
		for (uint64 r = 0; r < SPI_processed; r++)
		{
			HeapTuple	tup = SPI_tuptable->vals[r];
			MemoryContext old;

			for (int c = 0; c < want->natts; c++)
				values[c] = SPI_getbinval(tup, SPI_tuptable->tupdesc, c + 1, &nulls[c]);
			old = MemoryContextSwitchTo(facts_cxt);
			facts[r] = heap_form_tuple(want, values, nulls);
			MemoryContextSwitchTo(old);
		}
		usercol_nfacts = SPI_processed;
		SPI_finish();
		usercol_facts = facts;
	}
	for (uint64 r = 0; r < usercol_nfacts; r++)
		tuplestore_puttuple(rsinfo->setResult, usercol_facts[r]);
	return (Datum) 0;
}
