/*-------------------------------------------------------------------------
 *
 * indexer.c
 *	  Index build jobs: architect.create_index(), drop_index(),
 *	  cancel_index_job() and the shared-memory job slots behind them.
 *
 * CREATE INDEX CONCURRENTLY cannot run inside a function or a transaction
 * block, so create_index() does not build anything itself.  It checks the
 * statement (indexer_stmt.c), takes a job slot in shared memory, and
 * starts a dynamic background worker (indexer_worker.c) that connects to
 * the same database as the calling role and runs the statement at top
 * level, the way exec_simple_query() would.  The worker records the job in
 * architect.index_jobs_log; the slot is how the caller, the worker and
 * cancel_index_job() talk to each other while the job lives.
 *
 * Waiting.  With wait => true the caller sleeps on its latch and polls the
 * slot until the job has finished, then returns the job id or raises the
 * job's error with its SQLSTATE.  There is one thing it cannot wait for:
 * the last phase of CREATE INDEX CONCURRENTLY waits for every transaction
 * whose snapshot is older than the build's reference snapshot, and the
 * calling statement is one of them.  So while it waits the caller asks the
 * lock manager whether the worker is waiting for this very transaction
 * (pg_blocking_pids); when it is, the build and its validation are over
 * and the caller returns with a NOTICE saying the index becomes valid when
 * this transaction ends.  The same test stops a wait that would otherwise
 * deadlock in any other way (a queued job behind a job that waits for us).
 * For the same reason wait => true is refused inside a transaction block,
 * and the checks on the table release their lock before the wait.
 *
 * Without wait, the job id comes back at once, and the worker first waits
 * for the calling transaction to end: the job starts when it commits and
 * is cancelled if it rolls back.
 *
 * One build at a time per database: a worker whose turn has not come
 * waits (slot state READY) until no other job of its database runs and no
 * earlier job is ready.  Two requests for the same statement in the same
 * database share one job: the second caller gets the first job's id.
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

PG_FUNCTION_INFO_V1(pga_create_index);
PG_FUNCTION_INFO_V1(pga_drop_index);
PG_FUNCTION_INFO_V1(pga_cancel_index_job);
PG_FUNCTION_INFO_V1(pga_index_job_slots);

/* What a backend asks for when it queues a job. */
typedef struct PgaJobRequest
{
	PgaJobKind	kind;
	Oid			relid;
	Oid			indexoid;
	bool		concurrently;
	bool		if_not_exists;
	bool		wait;
	const char *schema_name;
	const char *table_name;
	const char *index_name;
	const char *statement;
	const char *source;
	int			nqueryids;
	int64	   *queryids;
} PgaJobRequest;

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
 * Queuing and waiting
 * ---------------------------------------------------------------------
 */

/*
 * pga_check_session_role
 *		The worker logs in as the session user and takes the current role
 *		with SET ROLE, exactly as the caller is; refuse up front when the
 *		session user could not (a SECURITY DEFINER function's owner, say).
 */
static void
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
 * pga_submit_job
 *		Queue a job, or join an identical one of the same database that is
 *		still queued or running.  Returns the job id; *slotno, *attached and
 *		*handle (NULL when attached) say what happened.
 */
static int64
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
 * pga_blocked_by_me
 *		Does the backend with this pid wait for a lock this transaction
 *		holds (including our virtual transaction id, which CREATE INDEX
 *		CONCURRENTLY waits on)?
 */
static bool
pga_blocked_by_me(pid_t pid)
{
	ArrayType  *arr;
	int32	   *pids;
	int			n;
	int			i;

	if (pid == 0)
		return false;
	arr = DatumGetArrayTypeP(DirectFunctionCall1(pg_blocking_pids,
												 Int32GetDatum(pid)));
	n = ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));
	pids = (int32 *) ARR_DATA_PTR(arr);
	for (i = 0; i < n; i++)
		if (pids[i] == MyProcPid)
			return true;
	return false;
}

/*
 * pga_build_phase
 *		The CREATE INDEX progress phase a backend reports, or -1.
 */
static int64
pga_build_phase(pid_t pid)
{
	int			n;
	int			i;

	pgstat_clear_backend_activity_snapshot();
	n = pgstat_fetch_stat_numbackends();
	for (i = 1; i <= n; i++)
	{
		LocalPgBackendStatus *local = pgstat_fetch_stat_local_beentry(i);

		if (local && local->backendStatus.st_procpid == pid &&
			local->backendStatus.st_progress_command == PROGRESS_COMMAND_CREATE_INDEX)
			return local->backendStatus.st_progress_param[PROGRESS_CREATEIDX_PHASE];
	}
	return -1;
}

/*
 * pga_phase_name
 *		pg_stat_progress_create_index's words for a phase.
 */
static const char *
pga_phase_name(int64 phase)
{
	switch (phase)
	{
		case 0:
			return "initializing";
		case PROGRESS_CREATEIDX_PHASE_WAIT_1:
			return "waiting for writers before build";
		case PROGRESS_CREATEIDX_PHASE_BUILD:
			return "building index";
		case PROGRESS_CREATEIDX_PHASE_WAIT_2:
			return "waiting for writers before validation";
		case PROGRESS_CREATEIDX_PHASE_VALIDATE_IDXSCAN:
			return "index validation: scanning index";
		case PROGRESS_CREATEIDX_PHASE_VALIDATE_SORT:
			return "index validation: sorting tuples";
		case PROGRESS_CREATEIDX_PHASE_VALIDATE_TABLESCAN:
			return "index validation: scanning table";
		case PROGRESS_CREATEIDX_PHASE_WAIT_3:
			return "waiting for old snapshots";
		case PROGRESS_CREATEIDX_PHASE_WAIT_4:
			return "waiting for readers before marking dead";
		case PROGRESS_CREATEIDX_PHASE_WAIT_5:
			return "waiting for readers before dropping";
	}
	return "not building";
}

/* Outcome of a wait, copied out of the slot. */
typedef struct PgaWaitResult
{
	bool		finished;		/* the job reached a final state */
	PgaJobState state;
	int64		blocker_job;	/* job waiting for us, when not finished */
	int64		blocker_phase;	/* its CREATE INDEX phase */
	char		sqlstate[6];
	char		message[PGA_MAX_MESSAGE];
	char		detail[PGA_MAX_MESSAGE];
	char		note[PGA_MAX_MESSAGE];
} PgaWaitResult;

/*
 * pga_wait_step
 *		One look at the job: finished, or waiting for this transaction
 *		(directly, or behind a job of the database that does), or neither.
 *		Fills "res" and returns true when the wait is over.
 */
static bool
pga_wait_step(int slotno, int64 job_id, BackgroundWorkerHandle *handle,
			  PgaWaitResult *res)
{
	PgaJobSlot *slot = &pga_indexer->slots[slotno];
	pid_t		pids[64];
	int64		jobs[64];
	int			npids = 0;
	int			i;
	bool		worker_gone = false;
	pid_t		pid;

	if (handle != NULL &&
		GetBackgroundWorkerPid(handle, &pid) == BGWH_STOPPED)
		worker_gone = true;

	LWLockAcquire(pga_indexer->lock, LW_EXCLUSIVE);
	if (slot->job_id != job_id)
	{
		/* Cannot happen while we count as a waiter; be safe anyway. */
		LWLockRelease(pga_indexer->lock);
		res->finished = true;
		res->state = PGA_SLOT_FAILED;
		strlcpy(res->message, "the job's slot was reused before its outcome was read",
				PGA_MAX_MESSAGE);
		return true;
	}
	if (!PGA_SLOT_IS_FINAL(slot->state) && worker_gone)
	{
		/* The worker stopped without saying so: it never really started. */
		slot->state = PGA_SLOT_FAILED;
		strlcpy(slot->message, "the index job worker stopped before taking the job",
				PGA_MAX_MESSAGE);
	}
	if (PGA_SLOT_IS_FINAL(slot->state))
	{
		res->finished = true;
		res->state = slot->state;
		memcpy(res->sqlstate, slot->sqlstate, 6);
		strlcpy(res->message, slot->message, PGA_MAX_MESSAGE);
		strlcpy(res->detail, slot->detail, PGA_MAX_MESSAGE);
		strlcpy(res->note, slot->note, PGA_MAX_MESSAGE);
		LWLockRelease(pga_indexer->lock);
		return true;
	}

	/*
	 * Who might wait for us: every running job of the database, and any job
	 * of the database that waits for this transaction to commit.
	 */
	for (i = 0; i < pga_indexer->nslots && npids < 64; i++)
	{
		PgaJobSlot *s = &pga_indexer->slots[i];

		if (s->dboid != MyDatabaseId)
			continue;
		if (s->state == PGA_SLOT_QUEUED &&
			TransactionIdIsValid(s->caller_xid) &&
			TransactionIdIsCurrentTransactionId(s->caller_xid))
		{
			LWLockRelease(pga_indexer->lock);
			res->finished = false;
			res->blocker_job = s->job_id;
			res->blocker_phase = -1;
			return true;
		}
		if (s->state == PGA_SLOT_RUNNING && s->worker_pid != 0)
		{
			pids[npids] = s->worker_pid;
			jobs[npids++] = s->job_id;
		}
	}
	LWLockRelease(pga_indexer->lock);

	for (i = 0; i < npids; i++)
	{
		if (pga_blocked_by_me(pids[i]))
		{
			res->finished = false;
			res->blocker_job = jobs[i];
			res->blocker_phase = pga_build_phase(pids[i]);
			return true;
		}
	}
	return false;
}

/*
 * pga_wait_for_job
 *		Wait for a job (see the file header) and report its outcome:
 *		return normally when done or when the job now waits for this
 *		transaction (with a NOTICE), raise its error otherwise.  "creator"
 *		is true for the backend that queued it: if its wait is interrupted
 *		(query cancel, statement_timeout), the job is cancelled too.
 */
static void
pga_wait_for_job(int slotno, int64 job_id, BackgroundWorkerHandle *handle,
				 bool creator, const char *index_name)
{
	PgaWaitResult res;
	PgaJobSlot *slot = &pga_indexer->slots[slotno];

	memset(&res, 0, sizeof(res));

	PG_TRY();
	{
		for (;;)
		{
			if (pga_wait_step(slotno, job_id, handle, &res))
				break;
			(void) WaitLatch(MyLatch,
							 WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 100L, PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
			CHECK_FOR_INTERRUPTS();
		}
	}
	PG_CATCH();
	{
		LWLockAcquire(pga_indexer->lock, LW_EXCLUSIVE);
		if (slot->job_id == job_id)
		{
			slot->nwaiters--;
			if (creator && !PGA_SLOT_IS_FINAL(slot->state))
			{
				slot->cancel_requested = true;
				if (slot->worker_pid != 0)
				{
					SetLatch(&ProcGlobal->allProcs[slot->worker_procno].procLatch);
					if (slot->state == PGA_SLOT_RUNNING)
						kill(slot->worker_pid, SIGINT);
				}
			}
		}
		LWLockRelease(pga_indexer->lock);
		PG_RE_THROW();
	}
	PG_END_TRY();

	LWLockAcquire(pga_indexer->lock, LW_EXCLUSIVE);
	if (slot->job_id == job_id)
		slot->nwaiters--;
	LWLockRelease(pga_indexer->lock);

	if (!res.finished)
	{
		if (res.blocker_job == job_id &&
			res.blocker_phase == PROGRESS_CREATEIDX_PHASE_WAIT_3)
			ereport(NOTICE,
					(errmsg("index job " INT64_FORMAT " has built and validated index \"%s\"",
							job_id, index_name),
					 errdetail("CREATE INDEX CONCURRENTLY now waits for the transactions older than the build, this one included; the index becomes valid when this transaction ends."),
					 errhint("Follow the job in architect.index_jobs, or wait for it with CALL architect.wait_index_job(" INT64_FORMAT ").",
							 job_id)));
		else if (res.blocker_job == job_id)
			ereport(NOTICE,
					(errmsg("index job " INT64_FORMAT " waits for this transaction to end", job_id),
					 errdetail("Its phase is \"%s\"; it goes on when this transaction ends.",
							   pga_phase_name(res.blocker_phase)),
					 errhint("Follow the job in architect.index_jobs, or wait for it with CALL architect.wait_index_job(" INT64_FORMAT ").",
							 job_id)));
		else
			ereport(NOTICE,
					(errmsg("index job " INT64_FORMAT " is queued behind job " INT64_FORMAT ", which waits for this transaction to end",
							job_id, res.blocker_job),
					 errdetail("Both go on when this transaction ends."),
					 errhint("Follow the jobs in architect.index_jobs, or wait with CALL architect.wait_index_job(" INT64_FORMAT ").",
							 job_id)));
		return;
	}

	if (res.state == PGA_SLOT_DONE)
		return;

	if (res.state == PGA_SLOT_CANCELLED)
		ereport(ERROR,
				(errcode(ERRCODE_QUERY_CANCELED),
				 errmsg("index job " INT64_FORMAT " was cancelled", job_id),
				 res.message[0] ? errdetail("%s", res.message) : 0,
				 res.note[0] ? errhint("%s", res.note) : 0));

	ereport(ERROR,
			(errcode(res.sqlstate[0] ?
					 MAKE_SQLSTATE(res.sqlstate[0], res.sqlstate[1], res.sqlstate[2],
								   res.sqlstate[3], res.sqlstate[4]) :
					 ERRCODE_INTERNAL_ERROR),
			 errmsg("index job " INT64_FORMAT " failed: %s", job_id,
					res.message[0] ? res.message : "unknown error"),
			 res.detail[0] ? errdetail("%s", res.detail) : 0,
			 errhint("%s", res.note[0] ? res.note :
					 "See architect.index_jobs for what happened.")));
}

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
 * pga_refuse_in_block
 *		wait => true cannot work inside a transaction block: the build waits
 *		for this transaction, which waits for the build.
 */
static void
pga_refuse_in_block(const char *what, bool wait)
{
	if (wait && IsTransactionBlock())
		ereport(ERROR,
				(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
				 errmsg("%s with wait => true cannot run inside a transaction block", what),
				 errdetail("The build waits for every transaction older than it to end, this one included."),
				 errhint("Call it outside a transaction block, or pass wait => false: the job then starts when this transaction commits.")));
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

	/* An index of that name already there: skip or refuse. */
	existing = get_relname_relid(req.index_name, req.namespaceid);
	if (OidIsValid(existing))
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

/*
 * architect.cancel_index_job(job_id bigint) returns boolean
 *
 * Asks a queued or running job to stop: a queued job is cancelled before
 * it starts, a running build is interrupted (SIGINT, as pg_cancel_backend)
 * and its invalid index dropped.  Returns false, with a NOTICE, when the
 * job has already finished.
 */
Datum
pga_cancel_index_job(PG_FUNCTION_ARGS)
{
	const char *what = "architect.cancel_index_job()";
	int64		job_id;
	int			slotno;
	PgaJobSlot *slot;
	Oid			roleid;
	Oid			relid;
	PgaJobState state;
	bool		allowed;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("job_id must not be NULL"),
				 errhint("Pass a job_id from architect.index_jobs.")));
	job_id = PG_GETARG_INT64(0);

	pga_require_primary(what);
	pga_indexer_required(what);

	LWLockAcquire(pga_indexer->lock, LW_SHARED);
	slotno = pga_slot_index_for_job(job_id, MyDatabaseId);
	if (slotno >= 0)
	{
		slot = &pga_indexer->slots[slotno];
		roleid = slot->roleid;
		relid = slot->relid;
		state = slot->state;
	}
	LWLockRelease(pga_indexer->lock);

	if (slotno < 0)
	{
		char	   *status = NULL;
		Oid			argtypes[1] = {INT8OID};
		Datum		values[1] = {Int64GetDatum(job_id)};

		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		if (SPI_execute_with_args("SELECT status FROM architect.index_jobs WHERE job_id OPERATOR(pg_catalog.=) $1",
								  1, argtypes, values, NULL, true, 1) == SPI_OK_SELECT &&
			SPI_processed == 1)
			status = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		if (status)
			status = MemoryContextStrdup(TopTransactionContext, status);
		SPI_finish();

		if (status == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("index job " INT64_FORMAT " does not exist", job_id),
					 errhint("architect.index_jobs lists the jobs you may see.")));
		ereport(NOTICE,
				(errmsg("index job " INT64_FORMAT " is not running (status %s)",
						job_id, status)));
		PG_RETURN_BOOL(false);
	}

	allowed = has_privs_of_role(GetUserId(), roleid) ||
		(OidIsValid(relid) && pg_class_ownercheck(relid, GetUserId()));
	if (!allowed)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to cancel index job " INT64_FORMAT, job_id),
				 errdetail("Only the role that queued the job, or the owner of its table, may cancel it."),
				 errhint("Ask role \"%s\" to cancel it.",
						 GetUserNameFromId(roleid, true) ? GetUserNameFromId(roleid, true) : "?")));

	if (PGA_SLOT_IS_FINAL(state))
	{
		ereport(NOTICE,
				(errmsg("index job " INT64_FORMAT " has already finished", job_id)));
		PG_RETURN_BOOL(false);
	}

	LWLockAcquire(pga_indexer->lock, LW_EXCLUSIVE);
	slot = &pga_indexer->slots[slotno];
	if (slot->job_id == job_id && PGA_SLOT_IS_ACTIVE(slot->state))
	{
		slot->cancel_requested = true;
		if (slot->worker_pid != 0)
		{
			SetLatch(&ProcGlobal->allProcs[slot->worker_procno].procLatch);
			if (slot->state == PGA_SLOT_RUNNING)
				kill(slot->worker_pid, SIGINT);
		}
		LWLockRelease(pga_indexer->lock);
		PG_RETURN_BOOL(true);
	}
	LWLockRelease(pga_indexer->lock);
	ereport(NOTICE,
			(errmsg("index job " INT64_FORMAT " has already finished", job_id)));
	PG_RETURN_BOOL(false);
}

/*
 * pga_state_name
 *		The status words of architect.index_jobs.
 */
static const char *
pga_state_name(PgaJobState state)
{
	switch (state)
	{
		case PGA_SLOT_FREE:
			return "free";
		case PGA_SLOT_QUEUED:
		case PGA_SLOT_READY:
			return "queued";
		case PGA_SLOT_RUNNING:
			return "running";
		case PGA_SLOT_DONE:
			return "done";
		case PGA_SLOT_FAILED:
			return "failed";
		case PGA_SLOT_CANCELLED:
			return "cancelled";
	}
	return "unknown";
}

/*
 * architect.index_job_slots(): the jobs of this database that shared
 * memory knows about, for the architect.index_jobs view.  Empty when not
 * preloaded, so that the view still shows the job history.
 */
Datum
pga_index_job_slots(PG_FUNCTION_ARGS)
{
#define PGA_SLOT_COLS 15
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	PgaJobSlot *copy;
	int			n = 0;
	int			i;
	bool		see_all;

	pga_init_materialized_srf(fcinfo, 0);
	if (pga_indexer == NULL)
		PG_RETURN_VOID();

	copy = palloc(sizeof(PgaJobSlot) * pga_indexer->nslots);
	LWLockAcquire(pga_indexer->lock, LW_SHARED);
	for (i = 0; i < pga_indexer->nslots; i++)
	{
		PgaJobSlot *slot = &pga_indexer->slots[i];

		if (slot->state != PGA_SLOT_FREE && slot->dboid == MyDatabaseId &&
			slot->kind != PGA_JOB_CLEANUP)
			memcpy(&copy[n++], slot, sizeof(PgaJobSlot));
	}
	LWLockRelease(pga_indexer->lock);

	see_all = has_privs_of_role(GetUserId(), ROLE_PG_READ_ALL_STATS);
	for (i = 0; i < n; i++)
	{
		PgaJobSlot *slot = &copy[i];
		Datum		values[PGA_SLOT_COLS];
		bool		nulls[PGA_SLOT_COLS];

		if (!see_all && !has_privs_of_role(GetUserId(), slot->roleid))
			continue;
		memset(nulls, 0, sizeof(nulls));
		values[0] = Int64GetDatum(slot->job_id);
		values[1] = CStringGetTextDatum(slot->kind == PGA_JOB_CREATE ? "create" : "drop");
		values[2] = CStringGetTextDatum(pga_state_name(slot->state));
		values[3] = Int32GetDatum(slot->worker_pid);
		nulls[3] = (slot->worker_pid == 0);
		values[4] = ObjectIdGetDatum(slot->roleid);
		values[5] = CStringGetTextDatum(slot->source);
		values[6] = CStringGetTextDatum(slot->schema_name);
		values[7] = CStringGetTextDatum(slot->table_name);
		values[8] = CStringGetTextDatum(slot->index_name);
		values[9] = CStringGetTextDatum(slot->statement);
		values[10] = TimestampTzGetDatum(slot->queued_at);
		values[11] = Int32GetDatum(slot->attempts);
		values[12] = BoolGetDatum(slot->cancel_requested);
		values[13] = CStringGetTextDatum(slot->message);
		nulls[13] = (slot->message[0] == '\0');
		values[14] = CStringGetTextDatum(slot->sqlstate);
		nulls[14] = (slot->sqlstate[0] == '\0');
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	PG_RETURN_VOID();
}
