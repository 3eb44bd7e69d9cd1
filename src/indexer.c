/*-------------------------------------------------------------------------
 *
 * indexer.c
 *	  Index build jobs: the shared-memory job slots, the queue, and
 *	  starting the workers.
 *
 * CREATE INDEX CONCURRENTLY cannot run inside a function or a transaction
 * block, so create_index() does not build anything itself.  It checks the
 * statement (indexer_stmt.c), takes a job slot in shared memory here, and
 * starts a dynamic background worker (indexer_worker.c) that connects to
 * the same database as the calling role and runs the statement at top
 * level, the way exec_simple_query() would.  The worker records the job in
 * architect.index_jobs_log; the slot is how the caller, the worker and
 * cancel_index_job() talk to each other while the job lives.
 *
 * The files of the module, one concern each:
 *	indexer.c          job slots in shared memory, queuing, starting workers
 *	indexer_create.c   architect.create_index()
 *	indexer_drop.c     architect.drop_index()
 *	indexer_jobs.c     architect.cancel_index_job(), the slots behind the
 *					   architect.index_jobs view
 *	indexer_wait.c     a caller waiting for its job (wait => true)
 *	indexer_apply.c    architect.apply_recommendations()
 *	indexer_recs.c     reading the advisor's recommendations
 *	indexer_lock.c     bounded lock waits of the caller's own checks
 *	indexer_stmt.c     checking and rebuilding a CREATE INDEX statement
 *	indexer_worker.c   the job worker
 *	indexer_exec.c     running statements and bookkeeping in the workers
 *	indexer_verify.c   planning the index's queries again after a build
 *	indexer_recovery.c cleanup after interrupted jobs, and after a crash
 *
 * Queuing.  Two requests for the same statement in the same database share
 * one job: the second caller gets the first job's id.  Without wait, the
 * worker first waits for the calling (sub)transaction to end: the job
 * starts when it commits and is cancelled if it rolls back.
 *
 * One build at a time per database: a worker whose turn has not come
 * waits (slot state READY) until no other job of its database runs, and
 * jobs run in submission (job id) order among those whose callers have
 * committed (indexer_worker.c, pga_wait_for_turn).
 *
 * Locking:
 *	pga_indexer->lock (LWLock, tranche "pg_architect_indexer") protects every
 *	field of every slot.  It is held only to copy or update slot fields,
 *	never across an ereport(ERROR), a wait or a catalog access.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <signal.h>
#include <unistd.h>

#include "access/htup_details.h"
#include "access/xact.h"
#include "utils/resowner.h"
#include "catalog/dependency.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "commands/progress.h"
#include "commands/sequence.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lmgr.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/backend_status.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
#include "utils/wait_event.h"

#include "guc.h"
#include "indexer.h"
#include "pg_architect.h"

PgaIndexerShared *pga_indexer = NULL;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

/* ---------------------------------------------------------------------
 * Shared memory
 * ---------------------------------------------------------------------
 */

static Size
pga_indexer_shmem_size(void)
{
	return add_size(offsetof(PgaIndexerShared, slots),
					mul_size(pga_max_index_jobs, sizeof(PgaJobSlot)));
}

static void
pga_indexer_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();

	RequestAddinShmemSpace(pga_indexer_shmem_size());
	RequestNamedLWLockTranche("pg_architect_indexer", 1);
}

static void
pga_indexer_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	pga_indexer = ShmemInitStruct("pg_architect_indexer",
								  pga_indexer_shmem_size(), &found);
	if (!found)
	{
		memset(pga_indexer, 0, pga_indexer_shmem_size());
		pga_indexer->lock = &(GetNamedLWLockTranche("pg_architect_indexer"))->lock;
		pga_indexer->nslots = pga_max_index_jobs;
	}
	LWLockRelease(AddinShmemInitLock);
}

/*
 * pga_indexer_init
 *		Install the shared memory hooks and register the recovery worker.
 *		Called from _PG_init when preloaded.
 */
void
pga_indexer_init(void)
{
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = pga_indexer_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = pga_indexer_shmem_startup;

	pga_register_recovery_worker();
}

/*
 * pga_indexer_required
 *		The job slots, or an error with a hint when not preloaded.
 */
PgaIndexerShared *
pga_indexer_required(const char *what)
{
	pga_require_preload(what);
	if (pga_indexer == NULL)
		elog(ERROR, "pg_architect indexer shared memory is not attached");
	return pga_indexer;
}

/*
 * pga_slot_index_for_job
 *		Slot number holding a job of a database, or -1.  Caller holds the
 *		lock.
 */
int
pga_slot_index_for_job(int64 job_id, Oid dboid)
{
	int			i;

	for (i = 0; i < pga_indexer->nslots; i++)
	{
		PgaJobSlot *slot = &pga_indexer->slots[i];

		if (slot->state != PGA_SLOT_FREE && slot->job_id == job_id &&
			slot->dboid == dboid)
			return i;
	}
	return -1;
}

/*
 * pga_wake_database
 *		Set the latch of every worker waiting for its turn in a database,
 *		and of every backend that queued a job there.  Caller holds the
 *		lock.
 */
void
pga_wake_database(Oid dboid)
{
	int			i;

	for (i = 0; i < pga_indexer->nslots; i++)
	{
		PgaJobSlot *slot = &pga_indexer->slots[i];

		if (slot->state == PGA_SLOT_FREE || slot->dboid != dboid)
			continue;
		if (slot->worker_pid != 0)
			SetLatch(&ProcGlobal->allProcs[slot->worker_procno].procLatch);
		if (slot->caller_procno >= 0)
			SetLatch(&ProcGlobal->allProcs[slot->caller_procno].procLatch);
	}
}

/*
 * pga_request_cancel
 *		Ask the job of a slot to stop: a queued job is cancelled before it
 *		starts (its worker sees the flag), a running statement is
 *		interrupted with SIGINT, as pg_cancel_backend() would.  Caller holds
 *		the lock exclusively, so that the worker's pid is still its own.
 */
void
pga_request_cancel(PgaJobSlot *slot)
{
	slot->cancel_requested = true;
	if (slot->worker_pid != 0)
	{
		SetLatch(&ProcGlobal->allProcs[slot->worker_procno].procLatch);
		if (slot->state == PGA_SLOT_RUNNING)
			kill(slot->worker_pid, SIGINT);
	}
}

/*
 * pga_slot_alloc
 *		A free slot, else the longest-finished one nobody waits for, else
 *		-1.  Slots whose worker never started within five minutes are given
 *		up as failed first.  Caller holds the lock exclusively.
 */
static int
pga_slot_alloc(void)
{
	int			i;
	int			best = -1;
	TimestampTz now = GetCurrentTimestamp();

	for (i = 0; i < pga_indexer->nslots; i++)
	{
		PgaJobSlot *slot = &pga_indexer->slots[i];

		if (slot->state == PGA_SLOT_FREE)
			return i;
		if (slot->state == PGA_SLOT_QUEUED && slot->worker_pid == 0 &&
			TimestampDifferenceExceeds(slot->queued_at, now, 300 * 1000))
		{
			slot->state = PGA_SLOT_FAILED;
			strlcpy(slot->message, "the index build worker did not start",
					PGA_MAX_MESSAGE);
		}
	}
	for (i = 0; i < pga_indexer->nslots; i++)
	{
		PgaJobSlot *slot = &pga_indexer->slots[i];

		if (PGA_SLOT_IS_FINAL(slot->state) && slot->nwaiters == 0 &&
			(best < 0 || slot->queued_at < pga_indexer->slots[best].queued_at))
			best = i;
	}
	return best;
}

/*
 * pga_jobs_sequence
 *		OID of architect.index_jobs_job_id_seq.
 */
static Oid
pga_jobs_sequence(void)
{
	Oid			nsp = get_namespace_oid("architect", false);
	Oid			seq = get_relname_relid("index_jobs_job_id_seq", nsp);

	if (!OidIsValid(seq))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("sequence architect.index_jobs_job_id_seq does not exist"),
				 errhint("Reinstall the extension: DROP EXTENSION pg_architect; CREATE EXTENSION pg_architect;")));
	return seq;
}

/*
 * pga_register_job_worker
 *		Start the worker of a slot.  Returns false when no background
 *		worker slot is free.
 */
static bool
pga_register_job_worker(int slotno, int64 job_id,
						BackgroundWorkerHandle **handle)
{
	BackgroundWorker worker;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS |
		BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, PGA_LIBRARY_NAME);
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "pga_index_worker_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "pg_architect index job " INT64_FORMAT,
			 job_id);
	snprintf(worker.bgw_type, BGW_MAXLEN, "pg_architect index job");
	worker.bgw_main_arg = Int32GetDatum(slotno);
	memcpy(worker.bgw_extra, &job_id, sizeof(int64));
	worker.bgw_notify_pid = MyProcPid;

	return RegisterDynamicBackgroundWorker(&worker, handle);
}

/*
 * pga_launch_cleanup_worker
 *		Start a worker that looks for jobs of a database left unfinished
 *		(queued or running without a live worker, or with a cleanup still
 *		pending) and cleans up after them.  With wait, waits until it has
 *		finished.  Returns false when it could not be started.
 */
bool
pga_launch_cleanup_worker(Oid dboid, bool wait)
{
	BackgroundWorker worker;
	BackgroundWorkerHandle *handle;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS |
		BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, PGA_LIBRARY_NAME);
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "pga_cleanup_worker_main");
	snprintf(worker.bgw_name, BGW_MAXLEN,
			 "pg_architect index job cleanup for database %u", dboid);
	snprintf(worker.bgw_type, BGW_MAXLEN, "pg_architect index job cleanup");
	worker.bgw_main_arg = ObjectIdGetDatum(dboid);
	worker.bgw_notify_pid = wait ? MyProcPid : 0;

	if (!RegisterDynamicBackgroundWorker(&worker, wait ? &handle : NULL))
		return false;
	if (wait)
		(void) WaitForBackgroundWorkerShutdown(handle);
	return true;
}

/* ---------------------------------------------------------------------
 * Queuing
 * ---------------------------------------------------------------------
 */

/*
 * pga_check_session_role
 *		The worker logs in as the session user and takes the current role
 *		with SET ROLE, exactly as the caller is; refuse up front when the
 *		session user could not (a SECURITY DEFINER function's owner, say).
 */
void
pga_check_session_role(const char *what)
{
	Oid			roleid = GetUserId();
	Oid			session = GetSessionUserId();

	if (roleid != session && !is_member_of_role(session, roleid))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("%s runs jobs as the calling role \"%s\", which session user \"%s\" cannot take",
						what, GetUserNameFromId(roleid, false),
						GetUserNameFromId(session, false)),
				 errdetail("The worker logs in as the session user and sets the role, as SET ROLE would."),
				 errhint("Call it directly as a role that owns the table, not through a SECURITY DEFINER function.")));
}

/*
 * pga_job_active_for_index
 *		Whether a job of this kind in this database is queued or running for
 *		the index of that schema and name.  A concurrent build creates the
 *		index in the catalogs (invalid) long before it is done, so a second
 *		request for the same index finds it there: it must go on to
 *		pga_submit_job and join the job, not be refused as a left-over.
 *		Shared lock: only reads the slots.
 */
bool
pga_job_active_for_index(PgaJobKind kind, const char *schema_name,
						 const char *index_name)
{
	bool		active = false;
	int			i;

	LWLockAcquire(pga_indexer->lock, LW_SHARED);
	for (i = 0; i < pga_indexer->nslots && !active; i++)
	{
		PgaJobSlot *s = &pga_indexer->slots[i];

		active = PGA_SLOT_IS_ACTIVE(s->state) && s->dboid == MyDatabaseId &&
			s->kind == kind && strcmp(s->schema_name, schema_name) == 0 &&
			strcmp(s->index_name, index_name) == 0;
	}
	LWLockRelease(pga_indexer->lock);
	return active;
}

/*
 * pga_submit_job
 *		Queue a job, or join an identical one of the same database that is
 *		still queued or running.  Returns the job id; *slotno, *attached and
 *		*handle (NULL when attached) say what happened.
 */
int64
pga_submit_job(PgaJobRequest *jr, int *slotno, bool *attached,
			   BackgroundWorkerHandle **handle)
{
	int64		job_id;
	TransactionId caller_xid = InvalidTransactionId;
	int			i;
	int			found = -1;
	int64		conflict_job = 0;
	PgaJobSlot *slot;

	if (strlen(jr->statement) >= PGA_MAX_STATEMENT)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("index statement is too long (%zu bytes)",
						strlen(jr->statement)),
				 errdetail("A job carries at most %d bytes of statement.",
						   PGA_MAX_STATEMENT - 1),
				 errhint("Simplify the index expressions or predicate.")));

	/*
	 * Before taking the lock: both may do I/O or fail.  The job waits for
	 * the xid of the (sub)transaction that queues it: it runs only if that
	 * one commits, so a job queued in a savepoint that is rolled back does
	 * not run even when the transaction commits.
	 */
	job_id = nextval_internal(pga_jobs_sequence(), false);
	if (!jr->wait)
		caller_xid = GetCurrentTransactionId();

	*attached = false;
	*handle = NULL;

	LWLockAcquire(pga_indexer->lock, LW_EXCLUSIVE);

	for (i = 0; i < pga_indexer->nslots; i++)
	{
		PgaJobSlot *s = &pga_indexer->slots[i];

		if (!PGA_SLOT_IS_ACTIVE(s->state) || s->dboid != MyDatabaseId ||
			s->kind != jr->kind)
			continue;
		if (strcmp(s->statement, jr->statement) == 0)
		{
			found = i;
			break;
		}
		if (strcmp(s->schema_name, jr->schema_name) == 0 &&
			strcmp(s->index_name, jr->index_name) == 0)
			conflict_job = s->job_id;
	}

	if (found >= 0)
	{
		slot = &pga_indexer->slots[found];
		job_id = slot->job_id;
		*slotno = found;
		*attached = true;
		if (jr->wait)
			slot->nwaiters++;
		LWLockRelease(pga_indexer->lock);
		ereport(NOTICE,
				(errmsg("index job " INT64_FORMAT " is already doing this; joining it",
						job_id)));
		return job_id;
	}

	if (conflict_job != 0)
	{
		LWLockRelease(pga_indexer->lock);
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_TABLE),
				 errmsg("index job " INT64_FORMAT " is already working on an index named \"%s\"",
						conflict_job, jr->index_name),
				 errdetail("Its statement differs from this one."),
				 errhint("Choose another index name, or wait for job " INT64_FORMAT " to finish.",
						 conflict_job)));
	}

	*slotno = pga_slot_alloc();
	if (*slotno < 0)
	{
		LWLockRelease(pga_indexer->lock);
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("too many index jobs queued or running"),
				 errdetail("All %d job slots are in use.", pga_max_index_jobs),
				 errhint("Wait for a job to finish, or raise pg_architect.max_index_jobs (needs a restart).")));
	}

	slot = &pga_indexer->slots[*slotno];
	memset(slot, 0, sizeof(PgaJobSlot));
	slot->state = PGA_SLOT_QUEUED;
	slot->kind = jr->kind;
	slot->job_id = job_id;
	slot->dboid = MyDatabaseId;
	slot->roleid = GetUserId();
	slot->session_userid = GetSessionUserId();
	slot->relid = jr->relid;
	slot->indexoid = jr->indexoid;
	slot->concurrently = jr->concurrently;
	slot->if_not_exists = jr->if_not_exists;
	slot->caller_xid = caller_xid;
	slot->caller_procno = MyProc->pgprocno;
	slot->nwaiters = jr->wait ? 1 : 0;
	slot->lock_timeout_ms = pga_index_lock_timeout;
	slot->retries = pga_index_retries;
	slot->retry_delay_ms = pga_index_retry_delay;
	slot->cleanup_timeout_ms = pga_index_cleanup_timeout;
	slot->verify_queries = pga_verify_queries;
	slot->queued_at = GetCurrentTimestamp();
	slot->nqueryids = Min(jr->nqueryids, PGA_MAX_QUERYIDS);
	for (i = 0; i < slot->nqueryids; i++)
		slot->queryids[i] = jr->queryids[i];
	strlcpy(slot->source, jr->source, NAMEDATALEN);
	strlcpy(slot->search_path, namespace_search_path ? namespace_search_path : "",
			PGA_MAX_MESSAGE);
	strlcpy(slot->schema_name, jr->schema_name, NAMEDATALEN);
	strlcpy(slot->table_name, jr->table_name, NAMEDATALEN);
	strlcpy(slot->index_name, jr->index_name, NAMEDATALEN);
	strlcpy(slot->statement, jr->statement, PGA_MAX_STATEMENT);

	LWLockRelease(pga_indexer->lock);

	if (!pga_register_job_worker(*slotno, job_id, handle))
	{
		LWLockAcquire(pga_indexer->lock, LW_EXCLUSIVE);
		slot->state = PGA_SLOT_FREE;
		LWLockRelease(pga_indexer->lock);
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_RESOURCES),
				 errmsg("could not start a background worker for the index job"),
				 errdetail("All background worker slots are in use."),
				 errhint("Raise max_worker_processes, or try again when other workers have finished.")));
	}
	return job_id;
}

/*
 * pga_refuse_in_block
 *		wait => true cannot work inside a transaction block: the build waits
 *		for this transaction, which waits for the build.
 */
void
pga_refuse_in_block(const char *what, bool wait)
{
	if (wait && IsTransactionBlock())
		ereport(ERROR,
				(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
				 errmsg("%s with wait => true cannot run inside a transaction block", what),
				 errdetail("The build waits for every transaction older than it to end, this one included."),
				 errhint("Call it outside a transaction block, or pass wait => false: the job then starts when this transaction commits.")));
}
