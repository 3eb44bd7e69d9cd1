/*-------------------------------------------------------------------------
 *
 * indexer_wait.c
 *	  A caller of create_index() or drop_index() waiting for its job
 *	  (wait => true), and reporting its outcome.
 *
 * The caller sleeps on its latch and polls the job's slot until the job
 * has finished, then returns the job id or raises the job's error with its
 * SQLSTATE.  There is one thing it cannot wait for: the last phase of
 * CREATE INDEX CONCURRENTLY waits for every transaction whose snapshot is
 * older than the build's reference snapshot, and the calling statement is
 * one of them.  So while it waits the caller asks the lock manager whether
 * the worker is waiting for this very transaction (pg_blocking_pids); when
 * it is, the build and its validation are over and the caller returns with
 * a NOTICE saying the index becomes valid when this transaction ends.  The
 * same test stops a wait that would otherwise deadlock in any other way (a
 * queued job behind a job that waits for us).  For the same reason
 * wait => true is refused inside a transaction block, and the checks on
 * the table release their lock before the wait.
 *
 * A creator whose wait is interrupted (query cancel, statement_timeout)
 * cancels its job too; a caller that joined another's job does not.
 *
 * Locking: pga_indexer->lock, shared or exclusive, only to copy the slot or
 * count waiters; pg_blocking_pids() and the progress snapshot are read
 * without it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "commands/progress.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "utils/array.h"
#include "utils/backend_status.h"
#include "utils/fmgrprotos.h"
#include "utils/wait_event.h"

#include "indexer.h"

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
void
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
				pga_request_cancel(slot);
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
