/*-------------------------------------------------------------------------
 *
 * audit_admin.c
 *	  Installing and removing the audit guard, and keeping the audit log:
 *	  architect.enable_audit(), architect.disable_audit(),
 *	  architect.audit_maintain(), architect.audit_purge() and the
 *	  append-only guard of the log, architect.audit_log_guard().
 *
 * The log, architect.audit_log, is range partitioned on logged_at.  Its
 * partitions are not created by the install script: they are created at
 * run time (by the first enable_audit() and then by audit_maintain() or
 * audit_purge(), which pg_cron can run), so they are not members of the
 * extension and pg_dump saves their rows.  Partitions cover one period
 * each (pg_architect.audit_partition_period, in UTC) and are kept
 * pg_architect.audit_partitions_ahead periods ahead of now; a DEFAULT
 * partition catches any row that finds no partition, so an insert never
 * fails for want of one.  A new partition never overlaps rows already in
 * the default partition: it starts after the newest of them.
 *
 * Retention drops whole partitions (cheap, no VACUUM), plus the rows of the
 * default partition older than the cut-off.
 *
 * Tamper resistance: nobody holds INSERT, UPDATE, DELETE or TRUNCATE on the
 * log or its partitions (revoked from PUBLIC and from the owner), and a
 * statement trigger on the log and on every partition refuses INSERT,
 * UPDATE, DELETE and TRUNCATE even to superusers, except while
 * audit_purge() runs
 * (a backend-local flag set by C code, never a setting).  The audit trigger
 * writes the log below the privilege system (audit.c).  A superuser can
 * still drop the triggers or the partitions: an audit log kept inside the
 * database cannot be protected from its superuser.
 *
 * audit_maintain() and audit_purge() are SECURITY DEFINER with a fixed
 * search_path: they run as the extension's owner, who owns the log.  Both
 * are revoked from PUBLIC: only superusers, the extension's owner and the
 * roles they grant EXECUTE to may run them (a pg_cron job runs them as
 * its superuser).  enable_audit() runs as its caller, who must own the
 * audited table; it creates the partitions due as the log's owner,
 * switching user and search_path the way SECURITY DEFINER does, without
 * going through audit_maintain().
 *
 * Locking: the upkeep of the partitions (audit_maintain(), audit_purge(),
 * the first enable_audit()) first takes ShareUpdateExclusiveLock on the
 * log, which conflicts with itself and not with the audit trigger's
 * writes: two upkeeps (say pg_cron running the purge and the maintenance
 * jobs in the same minute) run one after the other instead of deadlocking
 * on each other's partition and log locks.  audit_purge() then locks the
 * log in AccessExclusiveLock before it drops a partition (the log before
 * the partition, the order CREATE TABLE ... PARTITION OF also follows).
 * Creating or dropping a partition takes AccessExclusiveLock on the log,
 * which waits for transactions that are writing audit rows (and makes new
 * ones wait); every one of these waits lasts at most
 * pg_architect.guard_lock_timeout.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "partitioning/partbounds.h"
#include "partitioning/partdesc.h"
#include "storage/lmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/guc.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/timestamp.h"
#include "utils/syscache.h"

#include "guc.h"
#include "guards.h"
#include "pg_architect.h"

PG_FUNCTION_INFO_V1(pga_enable_audit);
PG_FUNCTION_INFO_V1(pga_disable_audit);
PG_FUNCTION_INFO_V1(pga_audit_maintain);
PG_FUNCTION_INFO_V1(pga_audit_purge);
PG_FUNCTION_INFO_V1(pga_audit_log_guard);

#define PGA_AUDIT_DEFAULT_PART "audit_log_default"

/* One partition of the log and the times it accepts, [lo, hi). */
typedef struct PgaLogRange
{
	Oid			relid;
	TimestampTz lo;				/* DT_NOBEGIN for MINVALUE */
	TimestampTz hi;				/* DT_NOEND for MAXVALUE */
} PgaLogRange;

static const char *const pga_period_units[] = {"day", "week", "month"};

/*
 * The log's OID (error if the extension's schema or log is missing).
 */
static Oid
pga_log_oid(void)
{
	Oid			nsp = get_namespace_oid(PGA_SCHEMA, false);
	Oid			relid = get_relname_relid(PGA_AUDIT_LOG, nsp);

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("audit log architect.audit_log does not exist"),
				 errhint("Recreate the extension pg_architect.")));
	return relid;
}

/*
 * The range partitions of the log, sorted by time, and the default
 * partition's OID (InvalidOid if none).
 */
static PgaLogRange *
pga_log_ranges(int *nranges, Oid *default_relid)
{
	Relation	log = table_open(pga_log_oid(), AccessShareLock);
	PartitionDesc pd = RelationGetPartitionDesc(log, true);
	PartitionBoundInfo bi = pd->boundinfo;
	PgaLogRange *ranges = palloc(sizeof(PgaLogRange) * Max(pd->nparts, 1));
	int			n = 0;
	int			i;

	*default_relid = InvalidOid;
	if (pd->nparts > 0)
	{
		if (bi->default_index >= 0)
			*default_relid = pd->oids[bi->default_index];
		for (i = 0; i < bi->ndatums; i++)
		{
			int			idx = bi->indexes[i + 1];
			PgaLogRange *r;

			if (idx < 0)
				continue;
			r = &ranges[n++];
			r->relid = pd->oids[idx];
			r->lo = (bi->kind[i][0] == PARTITION_RANGE_DATUM_VALUE) ?
				DatumGetTimestampTz(bi->datums[i][0]) : DT_NOBEGIN;
			if (i + 1 < bi->ndatums &&
				bi->kind[i + 1][0] == PARTITION_RANGE_DATUM_VALUE)
				r->hi = DatumGetTimestampTz(bi->datums[i + 1][0]);
			else
				r->hi = DT_NOEND;
		}
	}
	table_close(log, AccessShareLock);
	*nranges = n;
	return ranges;
}

/*
 * A timestamp as an ISO 8601 literal in UTC, whatever DateStyle says.
 */
static char *
pga_ts_literal(TimestampTz ts)
{
	int			utc = 0;

	return quote_literal_cstr(JsonEncodeDateTime(NULL, TimestampTzGetDatum(ts),
												 TIMESTAMPTZOID, &utc));
}

/*
 * Privileges and the append-only trigger of a new partition of the log.
 */
static void
pga_log_secure_partition(const char *qname)
{
	pga_guard_exec(psprintf("REVOKE ALL ON %s FROM PUBLIC", qname));
	pga_guard_exec(psprintf("REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON %s FROM CURRENT_USER",
							qname));
	pga_guard_exec(psprintf("GRANT SELECT ON %s TO architect_auditor", qname));
	pga_guard_exec(psprintf("CREATE TRIGGER audit_log_append_only "
							"BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON %s "
							"FOR EACH STATEMENT EXECUTE FUNCTION %s.audit_log_guard()",
							qname, PGA_SCHEMA));
}

/*
 * A free table name in schema architect: base, or base_2, base_3 ...
 */
static char *
pga_free_name(const char *base)
{
	Oid			nsp = get_namespace_oid(PGA_SCHEMA, false);
	char	   *name = pstrdup(base);
	int			i = 2;

	while (OidIsValid(get_relname_relid(name, nsp)))
		name = psprintf("%s_%d", base, i++);
	return name;
}

/*
 * One partition upkeep at a time (see Locking in the header).
 */
static Oid
pga_log_lock_for_upkeep(void)
{
	Oid			relid = pga_log_oid();

	LockRelationOid(relid, ShareUpdateExclusiveLock);
	return relid;
}

/*
 * Create the partitions due: the default one and those covering the
 * current period and the pg_architect.audit_partitions_ahead next ones.
 * Runs inside SPI.  Returns the number of partitions created.
 */
static int
pga_log_maintain(void)
{
	const char *unit = pga_period_units[pga_audit_partition_period];
	TimestampTz *starts;
	int			nstarts;
	int			created = 0;
	Oid			default_relid;
	PgaLogRange *ranges;
	int			nranges;
	int			k;
	int			rc;
	char	   *sql;

	(void) pga_log_lock_for_upkeep();
	ranges = pga_log_ranges(&nranges, &default_relid);
	if (!OidIsValid(default_relid))
	{
		char	   *q = quote_qualified_identifier(PGA_SCHEMA, PGA_AUDIT_DEFAULT_PART);

		pga_guard_exec(psprintf("CREATE TABLE %s PARTITION OF %s.%s DEFAULT",
								q, PGA_SCHEMA, PGA_AUDIT_LOG));
		pga_log_secure_partition(q);
		pga_guard_exec(psprintf("COMMENT ON TABLE %s IS %s", q,
								quote_literal_cstr("pg_architect: audit log rows that found no partition for their time")));
		CommandCounterIncrement();
		created++;
	}

	/* Period boundaries, in UTC: the current period's start and the next. */
	sql = psprintf("SELECT date_trunc(%s, now(), 'UTC') + i * interval %s "
				   "FROM generate_series(0, %d) i ORDER BY i",
				   quote_literal_cstr(unit),
				   quote_literal_cstr(psprintf("1 %s", unit)),
				   pga_audit_partitions_ahead + 1);
	rc = SPI_execute(sql, true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not compute audit log periods");
	nstarts = SPI_processed;
	starts = palloc(sizeof(TimestampTz) * nstarts);
	for (k = 0; k < nstarts; k++)
	{
		bool		isnull;

		starts[k] = DatumGetTimestampTz(SPI_getbinval(SPI_tuptable->vals[k],
													  SPI_tuptable->tupdesc,
													  1, &isnull));
	}

	for (k = 0; k + 1 < nstarts; k++)
	{
		TimestampTz s = starts[k];
		TimestampTz e = starts[k + 1];

		while (s < e)
		{
			TimestampTz gap_end = e;
			TimestampTz from = s;
			bool		covered = false;
			int			i;

			ranges = pga_log_ranges(&nranges, &default_relid);
			for (i = 0; i < nranges; i++)
			{
				if (ranges[i].lo <= s && s < ranges[i].hi)
				{
					covered = true;
					s = ranges[i].hi;
					break;
				}
				if (ranges[i].lo > s && ranges[i].lo < gap_end)
					gap_end = ranges[i].lo;
			}
			if (covered)
				continue;

			/* Rows of the gap already in the default partition stay there. */
			if (OidIsValid(default_relid))
			{
				bool		isnull;
				Datum		d;

				sql = psprintf("SELECT max(logged_at) FROM %s.%s "
							   "WHERE logged_at >= %s AND logged_at < %s",
							   PGA_SCHEMA, PGA_AUDIT_DEFAULT_PART,
							   pga_ts_literal(s), pga_ts_literal(gap_end));
				if (SPI_execute(sql, true, 0) != SPI_OK_SELECT)
					elog(ERROR, "could not read the default audit log partition");
				d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
								  1, &isnull);
				if (!isnull)
					from = DatumGetTimestampTz(d) + 1;
			}

			if (from < gap_end)
			{
				struct pg_tm tm;
				fsec_t		fsec;
				char	   *name;
				char	   *q;

				if (timestamp2tm(from, NULL, &tm, &fsec, NULL, NULL) != 0)
					elog(ERROR, "timestamp out of range");
				name = pga_free_name(psprintf("%s_p%04d%02d%02d", PGA_AUDIT_LOG,
											  tm.tm_year, tm.tm_mon, tm.tm_mday));
				q = quote_qualified_identifier(PGA_SCHEMA, name);
				pga_guard_exec(psprintf("CREATE TABLE %s PARTITION OF %s.%s "
										"FOR VALUES FROM (%s) TO (%s)",
										q, PGA_SCHEMA, PGA_AUDIT_LOG,
										pga_ts_literal(from),
										pga_ts_literal(gap_end)));
				pga_log_secure_partition(q);
				pga_guard_exec(psprintf("COMMENT ON TABLE %s IS %s", q,
										quote_literal_cstr(psprintf("pg_architect: audit log rows of one %s", unit))));
				CommandCounterIncrement();
				created++;
			}
			s = gap_end;
		}
	}
	return created;
}

/*
 * Create the partitions due as the owner of the log, with a safe
 * search_path: what SECURITY DEFINER and SET search_path do for
 * audit_maintain(), for enable_audit(), whose caller (any table owner) may
 * not execute audit_maintain().  An error on the way restores the user and
 * the settings with the transaction's abort.
 */
static void
pga_log_maintain_as_owner(void)
{
	Oid			owner;
	Oid			save_userid;
	int			save_sec;
	int			nest;
	HeapTuple	tup;

	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(pga_log_oid()));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for architect.audit_log");
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);

	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(owner, save_sec | SECURITY_LOCAL_USERID_CHANGE);
	nest = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	(void) pga_log_maintain();
	AtEOXact_GUC(true, nest);
	SetUserIdAndSecContext(save_userid, save_sec);
}

/*
 * architect.audit_maintain() returns integer
 *		Create the audit log partitions that are due; returns how many were
 *		created.  SECURITY DEFINER.
 */
Datum
pga_audit_maintain(PG_FUNCTION_ARGS)
{
	PgaGuardDDL ddl;
	int			created;

	pga_require_primary("architect.audit_maintain()");
	pga_guard_begin(&ddl);
	created = pga_log_maintain();
	pga_guard_end(&ddl);
	PG_RETURN_INT32(created);
}

/*
 * architect.audit_purge(older_than interval) returns integer
 *		Drop the partitions of the log whose rows are all older than
 *		now() - older_than, delete such rows from the default partition,
 *		and create the partitions due.  Returns the number of partitions
 *		dropped.  SECURITY DEFINER, not executable by PUBLIC.
 */
Datum
pga_audit_purge(PG_FUNCTION_ARGS)
{
	PgaGuardDDL ddl;
	Interval   *older_than;
	Interval	zero;
	TimestampTz cutoff;
	PgaLogRange *ranges;
	int			nranges;
	Oid			default_relid;
	volatile int dropped = 0;
	Oid			log_relid;
	int			i;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("older_than must not be null"),
				 errhint("Pass how old rows must be to go, e.g. interval '90 days'.")));
	older_than = PG_GETARG_INTERVAL_P(0);
	memset(&zero, 0, sizeof(zero));
	if (DatumGetInt32(DirectFunctionCall2(interval_cmp,
										  IntervalPGetDatum(older_than),
										  IntervalPGetDatum(&zero))) <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("older_than must be a positive interval"),
				 errhint("Pass how old rows must be to go, e.g. interval '90 days'.")));

	pga_require_primary("architect.audit_purge()");
	cutoff = DatumGetTimestampTz(DirectFunctionCall2(timestamptz_mi_interval,
													 TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()),
													 IntervalPGetDatum(older_than)));

	pga_guard_begin(&ddl);
	log_relid = pga_log_lock_for_upkeep();
	ranges = pga_log_ranges(&nranges, &default_relid);
	for (i = 0; i < nranges; i++)
	{
		if (ranges[i].hi <= cutoff)
		{
			LockRelationOid(log_relid, AccessExclusiveLock);
			pga_guard_exec(psprintf("DROP TABLE %s",
									quote_qualified_identifier(PGA_SCHEMA,
															   get_rel_name(ranges[i].relid))));
			dropped++;
		}
	}
	if (OidIsValid(default_relid))
	{
		pga_audit_purge_in_progress = true;
		PG_TRY();
		{
			pga_guard_exec(psprintf("DELETE FROM %s.%s WHERE logged_at < %s",
									PGA_SCHEMA, PGA_AUDIT_DEFAULT_PART,
									pga_ts_literal(cutoff)));
		}
		PG_FINALLY();
		{
			pga_audit_purge_in_progress = false;
		}
		PG_END_TRY();
	}
	CommandCounterIncrement();
	(void) pga_log_maintain();
	pga_guard_end(&ddl);
	PG_RETURN_INT32(dropped);
}

/*
 * architect.audit_log_guard()
 *		BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE statement trigger of
 *		the log and its partitions: the log is written by the audit trigger
 *		only (heap_insert fires no trigger), and never changed.
 */
Datum
pga_audit_log_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	const char *what;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("architect.audit_log_guard() must be called as a trigger")));
	if (pga_audit_purge_in_progress)
		return PointerGetDatum(NULL);

	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		what = "UPDATE";
	else if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		what = "DELETE";
	else if (TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event))
		what = "TRUNCATE";
	else
		what = "INSERT";
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("the audit log is append-only: %s on \"%s\" is refused",
					what, RelationGetRelationName(trigdata->tg_relation)),
			 errdetail("Audit rows are written by the audit trigger only, and never changed."),
			 errhint("Old rows are removed by dropping whole partitions with architect.audit_purge().")));
	return PointerGetDatum(NULL);	/* keep compiler quiet */
}

/*
 * The audit guard's TRUNCATE trigger on rel (from the relcache), or NULL.
 */
static Trigger *
pga_audit_truncate_trigger(Relation rel)
{
	TriggerDesc *td = rel->trigdesc;
	Oid			fn = pga_guard_function_oid("audit_trigger");
	int			i;

	if (td == NULL)
		return NULL;
	for (i = 0; i < td->numtriggers; i++)
		if (td->triggers[i].tgfoid == fn &&
			strcmp(td->triggers[i].tgname, PGA_AUDIT_TRUNC_TRIGGER) == 0)
			return &td->triggers[i];
	return NULL;
}

/*
 * pga_audit_trigger_has_arg
 *		True when one of the trigger's arguments is arg.
 */
bool
pga_audit_trigger_has_arg(Trigger *trigger, const char *arg)
{
	int			i;

	for (i = 0; i < trigger->tgnargs; i++)
		if (strcmp(trigger->tgargs[i], arg) == 0)
			return true;
	return false;
}

/*
 * pga_audit_guard_root
 *		For a partition: the nearest table above it on which the audit guard
 *		was installed (InvalidOid if none), and whether that guard logs the
 *		statement text.  PostgreSQL clones row triggers to partitions but
 *		not statement triggers, so the guard puts a copy of its TRUNCATE
 *		trigger (argument "partition") on each partition; a copy finds the
 *		guard it belongs to here.
 */
Oid
pga_audit_guard_root(Relation rel, bool *log_statement)
{
	List	   *ancestors;
	ListCell   *lc;

	if (!rel->rd_rel->relispartition)
		return InvalidOid;
	ancestors = get_partition_ancestors(RelationGetRelid(rel));
	foreach(lc, ancestors)
	{
		Relation	anc = relation_open(lfirst_oid(lc), AccessShareLock);
		Trigger    *t = pga_audit_truncate_trigger(anc);
		Oid			result = RelationGetRelid(anc);

		if (t != NULL && !pga_audit_trigger_has_arg(t, "partition"))
		{
			*log_statement = pga_audit_trigger_has_arg(t, "statement");
			relation_close(anc, AccessShareLock);
			return result;
		}
		relation_close(anc, AccessShareLock);
	}
	return InvalidOid;
}

/*
 * pga_audit_cover_partitions
 *		Put the copy of the audit guard's TRUNCATE trigger on relid and on
 *		every partition below it that has none, when relid or a table above
 *		it has the audit guard; so that TRUNCATE of a partition by its own
 *		name is logged too.  Runs inside SPI, as the caller: by
 *		enable_audit() and by the event trigger that sees a partition
 *		created or attached.  The CREATE TRIGGER needs the TRIGGER privilege
 *		on the partition, which its creator has.
 */
void
pga_audit_cover_partitions(Oid relid)
{
	Relation	rel = table_open(relid, AccessShareLock);
	Trigger    *own = pga_audit_truncate_trigger(rel);
	bool		log_statement = false;
	Oid			root;
	List	   *tree;
	ListCell   *lc;

	if (own != NULL && !pga_audit_trigger_has_arg(own, "partition"))
	{
		root = relid;
		log_statement = pga_audit_trigger_has_arg(own, "statement");
	}
	else
		root = pga_audit_guard_root(rel, &log_statement);
	table_close(rel, AccessShareLock);
	if (!OidIsValid(root))
		return;

	tree = find_all_inheritors(relid, AccessShareLock, NULL);
	foreach(lc, tree)
	{
		Oid			part = lfirst_oid(lc);
		Relation	prel;
		bool		has;

		if (part == root)
			continue;
		prel = relation_open(part, NoLock);
		if (prel->rd_rel->relkind != RELKIND_RELATION &&
			prel->rd_rel->relkind != RELKIND_PARTITIONED_TABLE)
		{
			/* A foreign partition: its rows are not ours to audit. */
			relation_close(prel, NoLock);
			continue;
		}
		has = (pga_audit_truncate_trigger(prel) != NULL);
		if (!has)
			pga_guard_refuse_foreign_trigger(prel, PGA_AUDIT_TRUNC_TRIGGER,
											 "audit_trigger");
		if (!has)
			pga_guard_exec(psprintf("CREATE TRIGGER %s AFTER TRUNCATE ON %s "
									"FOR EACH STATEMENT EXECUTE FUNCTION %s.audit_trigger(%s, 'partition'%s)",
									quote_identifier(PGA_AUDIT_TRUNC_TRIGGER),
									pga_guard_table_name(prel), PGA_SCHEMA,
									quote_literal_cstr(PGA_TRIGGER_ARGS_VERSION),
									log_statement ? ", 'statement'" : ""));
		relation_close(prel, NoLock);
	}
}

/*
 * Drop the copies of the TRUNCATE trigger from the partitions below relid.
 */
static void
pga_audit_uncover_partitions(Oid relid)
{
	List	   *tree = find_all_inheritors(relid, AccessShareLock, NULL);
	ListCell   *lc;

	foreach(lc, tree)
	{
		Oid			part = lfirst_oid(lc);
		Relation	prel;
		Trigger    *t;

		if (part == relid)
			continue;
		prel = relation_open(part, NoLock);
		t = pga_audit_truncate_trigger(prel);
		if (t != NULL && pga_audit_trigger_has_arg(t, "partition"))
			pga_guard_exec(psprintf("DROP TRIGGER %s ON %s",
									quote_identifier(PGA_AUDIT_TRUNC_TRIGGER),
									pga_guard_table_name(prel)));
		relation_close(prel, NoLock);
	}
}

/*
 * Names of array elements, refusing NULLs.
 */
static List *
pga_name_array(ArrayType *arr, const char *what)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;
	List	   *result = NIL;

	deconstruct_array(arr, NAMEOID, NAMEDATALEN, false, TYPALIGN_CHAR,
					  &elems, &nulls, &n);
	for (i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not contain nulls", what)));
		result = lappend(result, pstrdup(NameStr(*DatumGetName(elems[i]))));
	}
	return result;
}

/*
 * architect.enable_audit(tbl regclass, exclude_columns name[],
 *		mask_columns name[], log_statement boolean)
 */
Datum
pga_enable_audit(PG_FUNCTION_ARGS)
{
	PgaGuardDDL ddl;
	Relation	rel;
	List	   *exclude;
	List	   *mask;
	bool		log_statement;
	Bitmapset  *excluded = NULL;
	StringInfoData sql;
	ListCell   *lc;
	int			i;

	for (i = 1; i < PG_NARGS(); i++)
		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("arguments of architect.enable_audit() must not be null"),
					 errhint("Leave an option out to get its default.")));
	exclude = pga_name_array(PG_GETARG_ARRAYTYPE_P(1), "exclude_columns");
	mask = pga_name_array(PG_GETARG_ARRAYTYPE_P(2), "mask_columns");
	log_statement = PG_GETARG_BOOL(3);

	pga_require_primary("architect.enable_audit()");
	pga_guard_begin(&ddl);
	rel = pga_guard_open_table(PG_GETARG_DATUM(0), PG_ARGISNULL(0), "audit",
							   ShareRowExclusiveLock);
	pga_guard_check_partition_tree(rel, PGA_AUDIT_TRIGGER, "audit");
	pga_guard_refuse_foreign_trigger(rel, PGA_AUDIT_TRIGGER, "audit_trigger");
	pga_guard_refuse_foreign_trigger(rel, PGA_AUDIT_TRUNC_TRIGGER, "audit_trigger");

	initStringInfo(&sql);
	appendStringInfo(&sql,
					 "CREATE TRIGGER %s AFTER INSERT OR UPDATE OR DELETE ON %s "
					 "FOR EACH ROW EXECUTE FUNCTION %s.audit_trigger(%s",
					 quote_identifier(PGA_AUDIT_TRIGGER),
					 pga_guard_table_name(rel), PGA_SCHEMA,
					 quote_literal_cstr(PGA_TRIGGER_ARGS_VERSION));
	foreach(lc, exclude)
	{
		AttrNumber	attnum = pga_guard_column(rel, lfirst(lc), "audit", false);

		if (bms_is_member(attnum, excluded))
			continue;
		excluded = bms_add_member(excluded, attnum);
		pga_guard_append_column_arg(&sql, "exclude", rel, attnum);
	}
	foreach(lc, mask)
	{
		AttrNumber	attnum = pga_guard_column(rel, lfirst(lc), "audit", false);

		if (bms_is_member(attnum, excluded))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("column \"%s\" is both excluded and masked",
							(char *) lfirst(lc)),
					 errhint("An excluded column never appears in the log; a masked one appears as \"***\". Pick one.")));
		pga_guard_append_column_arg(&sql, "mask", rel, attnum);
	}
	if (log_statement)
		appendStringInfoString(&sql, ", 'statement'");
	appendStringInfoChar(&sql, ')');

	/* Enabling again replaces the options. */
	(void) pga_guard_drop_trigger(rel, PGA_AUDIT_TRIGGER, "audit_trigger", "audit");
	(void) pga_guard_drop_trigger(rel, PGA_AUDIT_TRUNC_TRIGGER, "audit_trigger", "audit");
	pga_audit_uncover_partitions(RelationGetRelid(rel));

	pga_guard_exec(sql.data);
	pga_guard_exec(psprintf("CREATE TRIGGER %s AFTER TRUNCATE ON %s "
							"FOR EACH STATEMENT EXECUTE FUNCTION %s.audit_trigger(%s%s)",
							quote_identifier(PGA_AUDIT_TRUNC_TRIGGER),
							pga_guard_table_name(rel), PGA_SCHEMA,
							quote_literal_cstr(PGA_TRIGGER_ARGS_VERSION),
							log_statement ? ", 'statement'" : ""));
	CommandCounterIncrement();
	pga_audit_cover_partitions(RelationGetRelid(rel));

	/* Partitions for now and ahead, as the log's owner. */
	pga_log_maintain_as_owner();

	table_close(rel, NoLock);
	pga_guard_end(&ddl);
	PG_RETURN_VOID();
}

/*
 * architect.disable_audit(tbl regclass)
 *		Remove the audit triggers; the rows already logged stay.
 */
Datum
pga_disable_audit(PG_FUNCTION_ARGS)
{
	PgaGuardDDL ddl;
	Relation	rel;
	bool		had;

	pga_guard_begin(&ddl);
	rel = pga_guard_open_table(PG_GETARG_DATUM(0), PG_ARGISNULL(0), "audit",
							   ShareRowExclusiveLock);
	had = pga_guard_drop_trigger(rel, PGA_AUDIT_TRIGGER, "audit_trigger", "audit");
	if (!had && rel->rd_rel->relispartition)
	{
		bool		log_statement;
		Oid			root = pga_audit_guard_root(rel, &log_statement);

		if (OidIsValid(root))
			ereport(ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("the audit guard of partition %s comes from %s",
							pga_guard_table_name(rel),
							quote_qualified_identifier(get_namespace_name(get_rel_namespace(root)),
													   get_rel_name(root))),
					 errdetail("A guard installed on a partitioned table covers all of its partitions."),
					 errhint("Change the guard on the partitioned table instead.")));
	}
	had |= pga_guard_drop_trigger(rel, PGA_AUDIT_TRUNC_TRIGGER, "audit_trigger", "audit");
	pga_audit_uncover_partitions(RelationGetRelid(rel));
	if (!had)
		ereport(NOTICE,
				(errmsg("table %s has no audit guard, nothing to do",
						pga_guard_table_name(rel))));
	table_close(rel, NoLock);
	pga_guard_end(&ddl);
	PG_RETURN_VOID();
}
