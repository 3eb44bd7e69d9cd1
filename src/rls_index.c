/*-------------------------------------------------------------------------
 *
 * rls_index.c
 *	  The index on the tenant (or owner) column that architect.enable_rls()
 *	  and enable_owner_rls() add, and its removal by architect.disable_rls().
 *
 * Building.  The index is built the way architect.create_index() builds
 * one: enable_rls() queues an index job (indexer_create.c,
 * pga_queue_create) that a background worker runs as CREATE INDEX
 * CONCURRENTLY once the calling transaction has committed, so writers of
 * a big table are not blocked for the length of a build.  The job carries
 * source 'enable_rls' (or 'enable_owner_rls'); its id is reported in a
 * NOTICE and recorded in the JSON comment of the architect_*_select policy
 * ("index_jobs": [...]), where disable_rls() and architect.guards find it.
 * The job waits for the calling (sub)transaction: when that rolls back, the
 * worker records the job as cancelled and builds nothing.
 *
 * When no worker can build it, the index is built at once, inside the
 * caller's transaction, with a plain CREATE INDEX, and a NOTICE says so and
 * why: pg_architect is not in shared_preload_libraries (no job slots, no
 * worker), the table is partitioned (PostgreSQL 15 cannot build an index on
 * a partitioned table concurrently), or the worker could not take the
 * calling role (it logs in as the session user; a SECURITY DEFINER caller,
 * say).  Such an index carries the marker comment PGA_RLS_INDEX_MARKER.
 *
 * Removing.  disable_rls() removes exactly what enable_rls() made:
 *	 - a job that has not finished is cancelled (before the table is locked,
 *	   so that a running build, which holds a SHARE UPDATE EXCLUSIVE lock on
 *	   the table, is interrupted and cleans up its invalid index first);
 *	 - an index a job built is dropped when the job log
 *	   (architect.index_jobs_log, read with its owner's rights) says that
 *	   job finished with status done, the index it records still exists
 *	   under that OID and belongs to the table: an index the user made, or
 *	   one the user made after dropping ours, is never touched;
 *	 - an index built in the transaction is dropped by its marker comment.
 * The drops are plain DROP INDEX inside disable_rls()'s transaction: it
 * already holds ACCESS EXCLUSIVE on the table (for DROP POLICY and ALTER
 * TABLE), so DROP INDEX CONCURRENTLY would gain nothing, and a rollback
 * then restores policies and index together.  A cancellation is not
 * transactional: when disable_rls() rolls back after cancelling a job, the
 * index is not built; run enable_rls() again to queue it again.
 *
 * Locking: the caller holds ACCESS EXCLUSIVE on the table while it builds
 * or drops (the job itself runs after the caller commits).
 * pga_indexer->lock is taken exclusively only to read or flag a job's slot,
 * never across a wait.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "commands/comment.h"
#include "commands/defrem.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "guards.h"
#include "guc.h"
#include "indexer.h"
#include "pg_architect.h"

#define PGA_RLS_INDEX_MARKER PGA_COMMENT_MARKER " created by architect.enable_rls"

/*
 * pga_rls_no_worker
 *		Why the index job worker cannot build an index on rel, or NULL when
 *		it can.
 */
static const char *
pga_rls_no_worker(Relation rel)
{
	Oid			roleid = GetUserId();
	Oid			session = GetSessionUserId();

	if (pga_indexer == NULL)
		return "pg_architect is not in shared_preload_libraries, so there is no background worker to build it concurrently.";
	if (rel->rd_rel->relkind == RELKIND_PARTITIONED_TABLE)
		return "PostgreSQL 15 cannot build an index on a partitioned table concurrently.";
	if (roleid != session && !is_member_of_role(session, roleid))
		return "The index build worker logs in as the session user, which cannot take the current role (a SECURITY DEFINER caller?).";
	return NULL;
}

/*
 * pga_rls_job_state
 *		State of a job's slot in this database, or PGA_SLOT_FREE when it has
 *		none (not preloaded, or the slot was reused).  With cancelled, an
 *		unfinished job is asked to stop, and *cancelled says whether this
 *		call did it (false when it had been asked already).
 */
static PgaJobState
pga_rls_job_state(int64 job_id, bool *cancelled)
{
	PgaJobState state = PGA_SLOT_FREE;
	int			slotno;

	if (cancelled)
		*cancelled = false;
	if (pga_indexer == NULL)
		return PGA_SLOT_FREE;
	LWLockAcquire(pga_indexer->lock, LW_EXCLUSIVE);
	slotno = pga_slot_index_for_job(job_id, MyDatabaseId);
	if (slotno >= 0)
	{
		PgaJobSlot *slot = &pga_indexer->slots[slotno];

		state = slot->state;
		if (cancelled && PGA_SLOT_IS_ACTIVE(state))
		{
			*cancelled = !slot->cancel_requested;
			pga_request_cancel(slot);
		}
	}
	LWLockRelease(pga_indexer->lock);
	return state;
}

/*
 * pga_rls_jobs_active
 *		True when one of the jobs is still queued or running.
 */
bool
pga_rls_jobs_active(List *jobs)
{
	ListCell   *lc;

	foreach(lc, jobs)
	{
		int64		job_id = *(int64 *) lfirst(lc);

		if (PGA_SLOT_IS_ACTIVE(pga_rls_job_state(job_id, NULL)))
			return true;
	}
	return false;
}

/*
 * pga_rls_cancel_jobs
 *		Cancel every job of the list that has not finished.  A running one
 *		is interrupted (SIGINT); it is waited for, at most
 *		pg_architect.guard_lock_timeout (or lock_timeout when that is 0;
 *		unbounded but interruptible when both are), so that its worker has
 *		dropped the invalid index and released the table before the caller
 *		locks it.
 *		A queued job stops before it starts, even one waiting for this very
 *		transaction.
 */
void
pga_rls_cancel_jobs(List *jobs)
{
	ListCell   *lc;

	foreach(lc, jobs)
	{
		int64		job_id = *(int64 *) lfirst(lc);
		bool		cancelled;
		PgaJobState state = pga_rls_job_state(job_id, &cancelled);
		TimestampTz start = GetCurrentTimestamp();
		int			limit_ms = pga_guard_lock_timeout > 0 ?
			pga_guard_lock_timeout : LockTimeout;

		if (!PGA_SLOT_IS_ACTIVE(state))
			continue;
		if (cancelled)
			ereport(NOTICE,
					(errmsg("cancelling index job " INT64_FORMAT ", which has not finished building the row-level security guard's index",
							job_id)));
		while (state == PGA_SLOT_RUNNING)
		{
			if (limit_ms > 0 &&
				TimestampDifferenceExceeds(start, GetCurrentTimestamp(), limit_ms))
				break;
			(void) WaitLatch(MyLatch,
							 WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 50L, PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
			CHECK_FOR_INTERRUPTS();
			state = pga_rls_job_state(job_id, NULL);
		}
	}
}

/*
 * pga_rls_job_index
 *		The index a job of the guard built on relid: the job log must say
 *		the job finished (done) building an index of this table.  The log is
 *		readable only by its owner (the extension's owner), so it is read
 *		with the owner's rights through a fixed, parameterised query.
 *		InvalidOid when there is no such index (cancelled, failed, never
 *		run, or the log is not there).
 */
static Oid
pga_rls_job_index(int64 job_id, Oid relid)
{
	Oid			nsp = get_namespace_oid(PGA_SCHEMA, true);
	Oid			logid = OidIsValid(nsp) ? get_relname_relid("index_jobs_log", nsp) : InvalidOid;
	Oid			argtypes[2] = {INT8OID, OIDOID};
	Datum		args[2];
	Oid			save_userid;
	int			save_sec;
	int			rc;
	Oid			indexoid = InvalidOid;

	if (!OidIsValid(logid))
		return InvalidOid;
	args[0] = Int64GetDatum(job_id);
	args[1] = ObjectIdGetDatum(relid);
	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(pga_rel_owner(logid),
						   save_sec | SECURITY_LOCAL_USERID_CHANGE);
	PG_TRY();
	{
		rc = SPI_execute_with_args("SELECT j.index_oid FROM architect.index_jobs_log j "
								   "WHERE j.job_id OPERATOR(pg_catalog.=) $1 "
								   "AND j.relid OPERATOR(pg_catalog.=) $2 "
								   "AND j.kind OPERATOR(pg_catalog.=) 'create' "
								   "AND j.status OPERATOR(pg_catalog.=) 'done' "
								   "AND j.source OPERATOR(pg_catalog.=) ANY ('{enable_rls,enable_owner_rls}')",
								   2, argtypes, args, NULL, true, 1);
		if (rc == SPI_OK_SELECT && SPI_processed == 1)
		{
			bool		isnull;
			Datum		d = SPI_getbinval(SPI_tuptable->vals[0],
										  SPI_tuptable->tupdesc, 1, &isnull);

			if (!isnull)
				indexoid = DatumGetObjectId(d);
		}
	}
	PG_FINALLY();
	{
		SetUserIdAndSecContext(save_userid, save_sec);
	}
	PG_END_TRY();

	/* Still there, and still an index of this table? */
	if (OidIsValid(indexoid))
	{
		HeapTuple	tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexoid));
		bool		ours = false;

		if (HeapTupleIsValid(tup))
		{
			ours = ((Form_pg_index) GETSTRUCT(tup))->indrelid == relid;
			ReleaseSysCache(tup);
		}
		if (!ours)
			indexoid = InvalidOid;
	}
	return indexoid;
}

/*
 * pga_rls_drop_index
 *		DROP INDEX inside the caller's transaction (the table is closed
 *		around it, see pga_guard_alter).
 */
static void
pga_rls_drop_index(Relation *relp, Oid indexoid)
{
	pga_guard_alter(relp,
					psprintf("DROP INDEX %s",
							 quote_qualified_identifier(get_namespace_name(get_rel_namespace(indexoid)),
														get_rel_name(indexoid))));
}

/*
 * pga_rls_drop_indexes
 *		Drop what the guard's index builds left on the table: the indexes
 *		the jobs of the list built, and those built in the transaction
 *		(marker comment).  Jobs still unfinished are cancelled first.
 *		Returns the number of indexes dropped.
 */
int
pga_rls_drop_indexes(Relation *relp, List *jobs)
{
	Oid			relid = RelationGetRelid(*relp);
	List	   *indexes = RelationGetIndexList(*relp);
	List	   *drops = NIL;
	ListCell   *lc;

	/* Normally done before the table was locked; now for the rest. */
	pga_rls_cancel_jobs(jobs);

	foreach(lc, jobs)
	{
		Oid			indexoid = pga_rls_job_index(*(int64 *) lfirst(lc), relid);

		if (OidIsValid(indexoid))
			drops = list_append_unique_oid(drops, indexoid);
	}
	foreach(lc, indexes)
	{
		Oid			indexoid = lfirst_oid(lc);
		char	   *desc = GetComment(indexoid, RelationRelationId, 0);

		if (desc && strncmp(desc, PGA_RLS_INDEX_MARKER, strlen(PGA_RLS_INDEX_MARKER)) == 0)
			drops = list_append_unique_oid(drops, indexoid);
	}
	foreach(lc, drops)
		pga_rls_drop_index(relp, lfirst_oid(lc));
	return list_length(drops);
}

/*
 * pga_rls_build_index
 *		Have an index on column attnum of the table built: queue an index
 *		job (returns its id and sets *index_name), or, when no worker can
 *		build it, build it now with a marker comment (returns 0).
 */
int64
pga_rls_build_index(Relation *relp, AttrNumber attnum, const char *kind,
					char **index_name)
{
	Relation	rel = *relp;
	const char *colname = NameStr(TupleDescAttr(RelationGetDescr(rel), attnum - 1)->attname);
	char	   *qtable = pga_guard_table_name(rel);
	char	   *schema = get_namespace_name(RelationGetNamespace(rel));
	const char *no_worker = pga_rls_no_worker(rel);
	const char *source = strcmp(kind, "tenant") == 0 ? "enable_rls" : "enable_owner_rls";
	char	   *name;
	char	   *sql;
	int64		job_id;

	name = ChooseRelationName(RelationGetRelationName(rel), colname, "idx",
							  RelationGetNamespace(rel), false);
	*index_name = name;

	if (no_worker)
	{
		ereport(NOTICE,
				(errmsg("building index %s on table %s inside this transaction",
						quote_identifier(name), qtable),
				 errdetail("%s", no_worker),
				 errhint("The table is locked against writes until the transaction ends.")));
		pga_guard_alter(relp, psprintf("CREATE INDEX %s ON %s (%s)",
									   quote_identifier(name), qtable,
									   quote_identifier(colname)));
		pga_guard_exec(psprintf("COMMENT ON INDEX %s IS %s",
								quote_qualified_identifier(schema, name),
								quote_literal_cstr(psprintf("%s for the %s column %s",
															PGA_RLS_INDEX_MARKER, kind,
															quote_identifier(colname)))));
		return 0;
	}

	sql = psprintf("CREATE INDEX CONCURRENTLY %s ON %s (%s)",
				   quote_identifier(name), qtable, quote_identifier(colname));
	job_id = pga_queue_create(sql, true, false, source, NULL, 0);
	ereport(NOTICE,
			(errmsg("index job " INT64_FORMAT " queued: it builds index %s on table %s concurrently once this transaction commits",
					job_id, quote_identifier(name), qtable),
			 errdetail("architect.index_jobs shows its progress; architect.disable_rls() cancels it or drops the index it built.")));
	return job_id;
}
