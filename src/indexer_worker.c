/*-------------------------------------------------------------------------
 *
 * indexer_worker.c
 *	  The job worker: one background worker per index job, which runs its
 *	  CREATE INDEX or DROP INDEX at top level, cleans up after a failure,
 *	  verifies the index and records the job.  Running statements and the
 *	  bookkeeping are in indexer_exec.c; the cleanup and recovery workers,
 *	  for what an interrupted job leaves, in indexer_recovery.c.
 *
 * Job worker.  Started by create_index()/drop_index() with its slot number
 * as argument and the job id in bgw_extra.  It logs in as the caller's
 * session user and takes the caller's current role with SET ROLE, so that
 * the build runs with exactly the caller's rights and PostgreSQL's own
 * ownership checks apply; it never acts as a superuser on another role's
 * behalf.  Its own bookkeeping (the rows of architect.index_jobs_log, which
 * ordinary roles may not write) is done with the user id switched to the
 * owner of that table for the duration of one SPI statement, with
 * search_path pinned to pg_catalog.
 *
 * Its life:
 *	1. record the job (status queued);
 *	2. with wait => false, wait until the transaction that queued the job
 *	   has ended; cancel the job if it rolled back;
 *	3. wait for its turn: one job at a time per database, in submission
 *	   (job id) order among the jobs whose callers have committed;
 *	4. check that the table is still the one the caller named and the
 *	   index name still free (status running);
 *	5. plan the queries the index is for (indexer_verify.c);
 *	6. run the statement at top level, the way exec_simple_query() does,
 *	   with lock_timeout = pg_architect.index_lock_timeout; after a lock
 *	   timeout or a deadlock, wait pg_architect.index_retry_delay (doubling)
 *	   and try again, up to pg_architect.index_retries more times;
 *	7. after a failed concurrent build, drop the invalid index it left
 *	   (DROP INDEX CONCURRENTLY, lock_timeout =
 *	   pg_architect.index_cleanup_timeout);
 *	8. after a build, plan the queries again and record size, whether the
 *	   planner uses the index and the cost change, and the
 *	   pg_stat_statements counters the measured change will start from;
 *	9. record the outcome in the job row, then in the slot, and wake the
 *	   waiting caller and the next job of the database.
 *
 * Signals follow pg_cron's launcher: SIGHUP sets a flag for the latch loops
 * to reload the configuration; SIGTERM (pg_terminate_backend, or a fast
 * shutdown) sets a flag and raises a query cancel, so that a running build
 * stops at its next interrupt check, the worker drops the invalid index it
 * leaves and records "terminated" before exiting; SIGINT (cancel_index_job)
 * is the standard statement cancel.  Every latch wait has
 * WL_EXIT_ON_PM_DEATH.
 *
 * When the worker dies in a way that skips all this (a FATAL error), its
 * exit callback marks the slot failed and starts a cleanup worker.  When
 * the whole server goes (kill -9, pg_ctl stop -m immediate), shared memory
 * goes too; the recovery worker, registered at preload with a restart time
 * so that the postmaster starts it again after crash recovery, then starts
 * a cleanup worker for each database.
 *
 * Locking: see indexer.c; slot fields are read and written under
 * pga_indexer->lock, never across an error or a wait.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <signal.h>

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/transam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_database.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lmgr.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "parser/analyze.h"
#include "tcop/pquery.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/array.h"
#include "utils/backend_status.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/portal.h"
#include "utils/ps_status.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "guc.h"
#include "indexer.h"
#include "pg_architect.h"

/* This worker's job. */
static volatile sig_atomic_t pga_got_sigterm = false;
static int	pga_my_slot = -1;
static int64 pga_my_job = 0;
static PgaJobSlot *pga_job = NULL;	/* copy of the slot taken at start */
static bool pga_row_inserted = false;
static char *pga_role_name = NULL;	/* name of pga_job->roleid */

/* Last error this process logged, for the exit callback. */
static char pga_last_error[PGA_MAX_MESSAGE];
static char pga_last_sqlstate[6];
static emit_log_hook_type prev_emit_log_hook = NULL;

/* ---------------------------------------------------------------------
 * Process set-up
 * ---------------------------------------------------------------------
 */

/*
 * pga_worker_sigterm
 *		SIGTERM: remember it and cancel the running statement, so that the
 *		worker can clean up and record the job before exiting.
 */
static void
pga_worker_sigterm(SIGNAL_ARGS)
{
	int			save_errno = errno;

	pga_got_sigterm = true;
	if (!proc_exit_inprogress)
	{
		InterruptPending = true;
		QueryCancelPending = true;
	}
	SetLatch(MyLatch);
	errno = save_errno;
}

/*
 * pga_worker_log_hook
 *		Keep the last error this process reports, so that a worker that
 *		dies of a FATAL error can still say why.
 */
static void
pga_worker_log_hook(ErrorData *edata)
{
	if (edata->elevel >= ERROR && edata->message)
	{
		strlcpy(pga_last_error, edata->message, sizeof(pga_last_error));
		memcpy(pga_last_sqlstate, unpack_sql_state(edata->sqlerrcode), 6);
	}
	if (prev_emit_log_hook)
		prev_emit_log_hook(edata);
}

/*
 * pga_worker_exit
 *		Exit callback of a job worker: a job still active in its slot did
 *		not finish normally.  Mark it failed, wake whoever waits, and start
 *		a cleanup worker when the job may have left something behind.
 */
static void
pga_worker_exit(int code, Datum arg)
{
	PgaJobSlot *slot;
	bool		launch = false;
	Oid			dboid;

	if (pga_indexer == NULL || pga_my_slot < 0)
		return;

	LWLockAcquire(pga_indexer->lock, LW_EXCLUSIVE);
	slot = &pga_indexer->slots[pga_my_slot];
	if (slot->job_id != pga_my_job)
	{
		LWLockRelease(pga_indexer->lock);
		return;
	}
	if (!PGA_SLOT_IS_FINAL(slot->state))
	{
		launch = (slot->state == PGA_SLOT_RUNNING || slot->needs_cleanup ||
				  pga_row_inserted);
		slot->state = PGA_SLOT_FAILED;
		snprintf(slot->message, PGA_MAX_MESSAGE,
				 "the index job worker exited before finishing%s%s",
				 pga_last_error[0] ? ": " : "", pga_last_error);
		if (pga_last_sqlstate[0])
			memcpy(slot->sqlstate, pga_last_sqlstate, 6);
		if (launch)
			strlcpy(slot->note,
					"A cleanup worker checks the job and drops whatever it left.",
					PGA_MAX_MESSAGE);
	}
	else if (slot->needs_cleanup)
		launch = true;
	slot->worker_pid = 0;
	dboid = slot->dboid;
	pga_wake_database(dboid);
	LWLockRelease(pga_indexer->lock);

	if (launch && !pga_got_sigterm)
		(void) pga_launch_cleanup_worker(dboid, false);
}

/* ---------------------------------------------------------------------
 * Recording the job (as the owner of the job tables, see pga_book)
 * ---------------------------------------------------------------------
 */

/*
 * pga_job_insert
 *		Record the job (status queued).
 */
static void
pga_job_insert(void)
{
	Oid			argtypes[15] = {INT8OID, TEXTOID, TEXTOID, OIDOID, NAMEOID,
								OIDOID, NAMEOID, NAMEOID, NAMEOID, OIDOID,
								TEXTOID, BOOLOID, INT8ARRAYOID, TIMESTAMPTZOID,
	INT4OID};
	Datum		values[15];
	char		nulls[15];
	Datum	   *ids;
	int			i;

	memset(nulls, ' ', sizeof(nulls));
	values[0] = Int64GetDatum(pga_job->job_id);
	values[1] = CStringGetTextDatum(pga_job->kind == PGA_JOB_CREATE ? "create" : "drop");
	values[2] = CStringGetTextDatum(pga_job->source);
	values[3] = ObjectIdGetDatum(pga_job->roleid);
	values[4] = pga_name_datum(pga_role_name);
	values[5] = ObjectIdGetDatum(pga_job->relid);
	values[6] = pga_name_datum(pga_job->schema_name);
	values[7] = pga_name_datum(pga_job->table_name);
	values[8] = pga_name_datum(pga_job->index_name);
	values[9] = ObjectIdGetDatum(pga_job->indexoid);
	nulls[9] = OidIsValid(pga_job->indexoid) ? ' ' : 'n';
	values[10] = CStringGetTextDatum(pga_job->statement);
	values[11] = BoolGetDatum(pga_job->concurrently);
	if (pga_job->nqueryids > 0)
	{
		ids = palloc(sizeof(Datum) * pga_job->nqueryids);
		for (i = 0; i < pga_job->nqueryids; i++)
			ids[i] = Int64GetDatum(pga_job->queryids[i]);
		values[12] = PointerGetDatum(construct_array(ids, pga_job->nqueryids,
													 INT8OID, sizeof(int64),
													 FLOAT8PASSBYVAL,
													 TYPALIGN_DOUBLE));
	}
	else
		nulls[12] = 'n';
	values[13] = TimestampTzGetDatum(pga_job->queued_at);
	values[14] = Int32GetDatum(MyProcPid);

	pga_book("INSERT INTO architect.index_jobs_log "
			 "(job_id, kind, source, roleid, role_name, relid, schema_name, "
			 " table_name, index_name, index_oid, statement, concurrent, "
			 " queryids, status, queued_at, worker_pid) "
			 "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
			 " 'queued', $14, $15)",
			 15, argtypes, values, nulls);
	pga_row_inserted = true;
}

/*
 * pga_job_set_running
 */
static void
pga_job_set_running(void)
{
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(pga_job->job_id)};

	pga_book("UPDATE architect.index_jobs_log "
			 "SET status = 'running', started_at = pg_catalog.clock_timestamp() "
			 "WHERE job_id OPERATOR(pg_catalog.=) $1",
			 1, argtypes, values, NULL);
}

/*
 * pga_job_set_attempts
 */
static void
pga_job_set_attempts(int attempts)
{
	Oid			argtypes[2] = {INT8OID, INT4OID};
	Datum		values[2] = {Int64GetDatum(pga_job->job_id), Int32GetDatum(attempts)};

	LWLockAcquire(pga_indexer->lock, LW_EXCLUSIVE);
	pga_indexer->slots[pga_my_slot].attempts = attempts;
	LWLockRelease(pga_indexer->lock);

	pga_book("UPDATE architect.index_jobs_log SET attempts = $2 "
			 "WHERE job_id OPERATOR(pg_catalog.=) $1",
			 2, argtypes, values, NULL);
}

/*
 * pga_job_finish_row
 *		Record the outcome in the job row.  indexoid is the built index
 *		(create jobs that succeeded), whose size is recorded too.
 */
static void
pga_job_finish_row(PgaOutcome *out, int attempts, Oid indexoid)
{
	Oid			argtypes[11] = {INT8OID, TEXTOID, TEXTOID, TEXTOID, TEXTOID,
								TEXTOID, BOOLOID, INT4OID, TEXTOID, OIDOID,
	REGCLASSOID};
	Datum		values[11];
	char		nulls[11];
	const char *status;

	memset(nulls, ' ', sizeof(nulls));
	switch (out->state)
	{
		case PGA_SLOT_DONE:
			status = "done";
			break;
		case PGA_SLOT_CANCELLED:
			status = "cancelled";
			break;
		default:
			status = "failed";
			break;
	}
	values[0] = Int64GetDatum(pga_job->job_id);
	values[1] = CStringGetTextDatum(status);
	values[2] = pga_text_or_null(out->sqlstate, &nulls[2]);
	values[3] = pga_text_or_null(out->message, &nulls[3]);
	values[4] = pga_text_or_null(out->detail, &nulls[4]);
	values[5] = pga_text_or_null(out->cleanup.data, &nulls[5]);
	values[6] = BoolGetDatum(out->cleanup_pending);
	values[7] = Int32GetDatum(attempts);
	values[8] = pga_text_or_null(out->notes.data, &nulls[8]);
	values[9] = ObjectIdGetDatum(indexoid);
	nulls[9] = OidIsValid(indexoid) ? ' ' : 'n';
	values[10] = ObjectIdGetDatum(indexoid);
	nulls[10] = nulls[9];

	pga_book("UPDATE architect.index_jobs_log SET "
			 "status = $2, finished_at = pg_catalog.clock_timestamp(), "
			 "sqlstate = $3, error = $4, error_detail = $5, cleanup = $6, "
			 "cleanup_pending = $7, attempts = $8, notes = $9, "
			 "index_oid = COALESCE($10, index_oid), "
			 "size_bytes = CASE WHEN $11 IS NOT NULL "
			 "  THEN pg_catalog.pg_relation_size($11) END "
			 "WHERE job_id OPERATOR(pg_catalog.=) $1",
			 11, argtypes, values, nulls);
}

/* ---------------------------------------------------------------------
 * Waiting
 * ---------------------------------------------------------------------
 */

/*
 * pga_cancel_requested
 */
static bool
pga_cancel_requested(void)
{
	bool		result;

	LWLockAcquire(pga_indexer->lock, LW_SHARED);
	result = pga_indexer->slots[pga_my_slot].cancel_requested;
	LWLockRelease(pga_indexer->lock);
	return result;
}

/*
 * pga_check_stop
 *		Raise a cancel error when the job was cancelled or the worker told
 *		to stop while it was not running a statement.
 */
static void
pga_check_stop(void)
{
	if (pga_got_sigterm || pga_cancel_requested())
		ereport(ERROR,
				(errcode(ERRCODE_QUERY_CANCELED),
				 errmsg("canceling the index job before it started")));
	CHECK_FOR_INTERRUPTS();
}

/*
 * pga_sleep
 *		Wait on the latch for up to ms milliseconds (pg_cron launcher
 *		style), reloading the configuration on SIGHUP and stopping on a
 *		cancel.
 */
static void
pga_sleep(long ms)
{
	(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
					 ms, PG_WAIT_EXTENSION);
	ResetLatch(MyLatch);
	if (ConfigReloadPending)
	{
		ConfigReloadPending = false;
		ProcessConfigFile(PGC_SIGHUP);
	}
	pga_check_stop();
}

/*
 * pga_wait_for_caller
 *		Wait until the (sub)transaction that queued the job has ended.
 *		XactLockTableWait() follows a committed subtransaction to its
 *		parent, so this returns when the whole transaction has ended; it
 *		returns false when the job's subtransaction or the transaction
 *		rolled back.
 */
static bool
pga_wait_for_caller(void)
{
	bool		committed;

	if (!TransactionIdIsValid(pga_job->caller_xid))
		return true;

	pgstat_report_activity(STATE_RUNNING,
						   "waiting for the transaction that queued the job");
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	XactLockTableWait(pga_job->caller_xid, NULL, NULL, XLTW_None);
	committed = TransactionIdDidCommit(pga_job->caller_xid);
	CommitTransactionCommand();
	pgstat_report_activity(STATE_IDLE, NULL);
	return committed;
}

/*
 * pga_earlier_committed
 *		Is one of the database's jobs queued before this one (smaller job
 *		id) still on its way to the queue, although its caller has
 *		committed?  Its worker may simply not have reached
 *		pga_wait_for_turn() yet (the workers of the jobs a transaction
 *		queued all wake when it commits); this job must let it go first.
 *		A job whose caller is still in progress does not count: jobs queued
 *		in a transaction take their place when it commits.  Nor does a slot
 *		whose worker never started (given up after five minutes, as
 *		pga_slot_alloc() does).  Transaction status is looked up outside
 *		the lock.
 */
static bool
pga_earlier_committed(void)
{
	TransactionId xids[64];
	int			nxids = 0;
	bool		result = false;
	TimestampTz now = GetCurrentTimestamp();
	int			i;

	LWLockAcquire(pga_indexer->lock, LW_SHARED);
	for (i = 0; i < pga_indexer->nslots && nxids < lengthof(xids); i++)
	{
		PgaJobSlot *s = &pga_indexer->slots[i];

		if (i == pga_my_slot || s->dboid != pga_job->dboid ||
			s->state != PGA_SLOT_QUEUED || s->job_id >= pga_my_job ||
			s->kind == PGA_JOB_CLEANUP)
			continue;
		if (s->worker_pid == 0 &&
			TimestampDifferenceExceeds(s->queued_at, now, 300 * 1000))
			continue;
		if (!TransactionIdIsValid(s->caller_xid))
			result = true;		/* wait => true: queued already */
		else
			xids[nxids++] = s->caller_xid;
	}
	LWLockRelease(pga_indexer->lock);

	for (i = 0; i < nxids && !result; i++)
		if (!TransactionIdIsInProgress(xids[i]) &&
			TransactionIdDidCommit(xids[i]))
			result = true;
	return result;
}

/*
 * pga_wait_for_turn
 *		One job at a time per database, in submission (job id) order among
 *		the jobs whose callers have committed: wait while a job of the
 *		database runs, or an earlier one waits (READY) or is on its way
 *		(pga_earlier_committed).
 */
static void
pga_wait_for_turn(void)
{
	for (;;)
	{
		bool		can_run = !pga_earlier_committed();
		int			i;

		pga_check_stop();

		LWLockAcquire(pga_indexer->lock, LW_EXCLUSIVE);
		for (i = 0; i < pga_indexer->nslots && can_run; i++)
		{
			PgaJobSlot *s = &pga_indexer->slots[i];

			if (i == pga_my_slot || s->dboid != pga_job->dboid)
				continue;
			if (s->state == PGA_SLOT_RUNNING ||
				(s->state == PGA_SLOT_READY && s->job_id < pga_my_job))
				can_run = false;
		}
		pga_indexer->slots[pga_my_slot].state =
			can_run ? PGA_SLOT_RUNNING : PGA_SLOT_READY;
		LWLockRelease(pga_indexer->lock);

		if (can_run)
			return;

		pgstat_report_activity(STATE_RUNNING,
							   "waiting for the database's other index jobs");
		pga_sleep(200L);
	}
}

/* ---------------------------------------------------------------------
 * The job
 * ---------------------------------------------------------------------
 */

/*
 * pga_fail
 *		Fill an outcome from an error.
 */
static void
pga_fail(PgaOutcome *out, ErrorData *edata)
{
	if (pga_got_sigterm)
	{
		out->state = PGA_SLOT_FAILED;
		memcpy(out->sqlstate, "57P01", 6);
		out->message = pstrdup("the index job worker was terminated");
		out->detail = pstrdup("It received SIGTERM (pg_terminate_backend() or a server shutdown) and stopped the job.");
	}
	else if (pga_cancel_requested())
	{
		out->state = PGA_SLOT_CANCELLED;
		memcpy(out->sqlstate, "57014", 6);
		out->message = pstrdup("cancelled by architect.cancel_index_job()");
		out->detail = NULL;
	}
	else
	{
		out->state = PGA_SLOT_FAILED;
		memcpy(out->sqlstate, unpack_sql_state(edata->sqlerrcode), 6);
		out->message = pstrdup(edata->message ? edata->message : "unknown error");
		out->detail = edata->detail ? pstrdup(edata->detail) : NULL;
	}
}

/*
 * pga_recheck
 *		Before running: the table must still be the one the caller named,
 *		and the index name free (create) or still the same index (drop).
 *		Returns false with the outcome filled when the job cannot run.
 */
static bool
pga_recheck(PgaOutcome *out)
{
	Oid			nsp;
	Oid			relid = InvalidOid;
	bool		valid;
	Oid			idx;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	nsp = get_namespace_oid(pga_job->schema_name, true);
	if (OidIsValid(nsp))
		relid = get_relname_relid(pga_job->table_name, nsp);
	CommitTransactionCommand();

	if (relid != pga_job->relid)
	{
		out->state = PGA_SLOT_FAILED;
		memcpy(out->sqlstate, OidIsValid(relid) ? "55000" : "42P01", 6);
		out->message = psprintf("table %s is no longer the table the job was queued for",
								quote_qualified_identifier(pga_job->schema_name,
														   pga_job->table_name));
		out->detail = pstrdup(OidIsValid(relid) ?
							  "It was dropped and created again, or renamed." :
							  "It was dropped or renamed.");
		return false;
	}

	idx = pga_index_state(pga_job->schema_name, pga_job->index_name,
						  pga_job->relid, &valid);
	if (pga_job->kind == PGA_JOB_CREATE && OidIsValid(idx))
	{
		if (valid && pga_job->if_not_exists)
		{
			out->state = PGA_SLOT_DONE;
			appendStringInfo(&out->notes, "Index \"%s\" already existed; nothing was built.",
							 pga_job->index_name);
			return false;
		}
		out->state = PGA_SLOT_FAILED;
		memcpy(out->sqlstate, "42P07", 6);
		out->message = psprintf("relation \"%s\" already exists", pga_job->index_name);
		out->detail = pstrdup("An index of that name appeared after the job was queued.");
		return false;
	}
	if (pga_job->kind == PGA_JOB_DROP && idx != pga_job->indexoid)
	{
		out->state = PGA_SLOT_FAILED;
		memcpy(out->sqlstate, "42704", 6);
		out->message = psprintf("index \"%s\" is no longer the index the job was queued for",
								pga_job->index_name);
		out->detail = pstrdup("It was dropped, or dropped and created again.");
		return false;
	}
	return true;
}

/*
 * pga_run_statement
 *		Steps 6 and 7 of the file header: run the statement with lock
 *		timeout and retries, clean up after failed attempts.  Returns the
 *		number of attempts made; fills "out" on failure.
 */
static int
pga_run_statement(PgaOutcome *out, bool *ok)
{
	volatile int attempt;
	volatile long delay = Max(pga_job->retry_delay_ms, 1);
	char		buf[32];

	*ok = false;
	for (attempt = 1;; attempt++)
	{
		ErrorData  *volatile edata = NULL;
		bool		retry;

		pga_job_set_attempts(attempt);
		snprintf(buf, sizeof(buf), "%d", pga_job->lock_timeout_ms);
		SetConfigOption("lock_timeout", buf, PGC_USERSET, PGC_S_SESSION);
		PG_TRY();
		{
			pga_check_stop();
			pga_exec_toplevel(pga_job->statement);
		}
		PG_CATCH();
		{
			edata = pga_catch_error();
		}
		PG_END_TRY();
		SetConfigOption("lock_timeout", "0", PGC_USERSET, PGC_S_SESSION);

		if (edata == NULL)
		{
			*ok = true;
			return attempt;
		}

		/*
		 * A failed concurrent build leaves an invalid index; a failed
		 * concurrent drop may leave the index invalid.  A build that failed
		 * because the name was taken did not create the index it finds.
		 */
		if (pga_job->concurrently && pga_job->kind == PGA_JOB_CREATE &&
			edata->sqlerrcode != ERRCODE_DUPLICATE_TABLE)
			(void) pga_drop_invalid(pga_job->schema_name, pga_job->index_name,
									pga_job->relid, pga_job->cleanup_timeout_ms,
									out);

		retry = (edata->sqlerrcode == ERRCODE_LOCK_NOT_AVAILABLE ||
				 edata->sqlerrcode == ERRCODE_T_R_DEADLOCK_DETECTED) &&
			attempt <= pga_job->retries && !pga_got_sigterm &&
			!pga_cancel_requested() && !out->cleanup_pending;
		if (!retry)
		{
			pga_fail(out, edata);
			if (pga_job->kind == PGA_JOB_DROP && pga_job->concurrently)
			{
				bool		valid;

				if (OidIsValid(pga_index_state(pga_job->schema_name,
											   pga_job->index_name,
											   pga_job->relid, &valid)) &&
					!valid)
					appendStringInfo(&out->cleanup,
									 "The interrupted drop left index \"%s\" invalid; drop it again with architect.drop_index().",
									 pga_job->index_name);
			}
			return attempt;
		}

		if (out->notes.len > 0)
			appendStringInfoChar(&out->notes, '\n');
		appendStringInfo(&out->notes, "Attempt %d failed (%s); retried after %ld ms.",
						 attempt, edata->message, (long) delay);
		PG_TRY();
		{
			TimestampTz until = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
															delay);

			for (;;)
			{
				long		left = TimestampDifferenceMilliseconds(GetCurrentTimestamp(),
																   until);

				if (left <= 0)
					break;
				pga_sleep(left);
			}
		}
		PG_CATCH();
		{
			edata = pga_catch_error();
			pga_fail(out, edata);
			return attempt;
		}
		PG_END_TRY();
		delay = Min(delay * 2, 60000L);
	}
}

/*
 * pga_record_verification
 *		Step 8: store each query's costs and plan, the summary on the job
 *		row, and the pg_stat_statements counters at the end of the build
 *		(read as the bookkeeper, who sees every role's counters).  A failure
 *		here is noted, not fatal: the index is built.
 */
static void
pga_record_verification(List *queries, PgaOutcome *out)
{
	volatile int planned = 0;
	volatile int using_index = 0;
	volatile double before = 0;
	volatile double after = 0;
	StringInfoData summary;
	ListCell   *lc;

	initStringInfo(&summary);
	foreach(lc, queries)
	{
		PgaVerifyQuery *q = (PgaVerifyQuery *) lfirst(lc);

		if (q->cost_before >= 0 && q->cost_after >= 0)
		{
			planned++;
			before += q->cost_before;
			after += q->cost_after;
			if (q->uses_index)
				using_index++;
		}
	}
	if (pga_job->verify_queries == 0)
		appendStringInfoString(&summary,
							   "not verified (pg_architect.verify_queries = 0)");
	else if (queries == NIL)
		appendStringInfoString(&summary,
							   "no captured query to verify the index with");
	else if (planned == 0)
		appendStringInfo(&summary,
						 "%s; see architect.index_job_effects",
						 list_length(queries) == 1 ? "the query could not be planned" :
						 "none of the queries could be planned");
	else
	{
		if (planned == 1)
			appendStringInfoString(&summary, using_index == 1 ?
								   "the planner uses the index for the one query planned" :
								   "the planner does not use the index for the one query planned");
		else
			appendStringInfo(&summary, "the planner uses the index in %d of %d queries",
							 using_index, planned);
		appendStringInfo(&summary, "; estimated cost %.2f -> %.2f (%+.1f%%)",
						 before, after,
						 before > 0 ? 100.0 * (after - before) / before : 0.0);
	}

	PG_TRY();
	{
		Oid			qtypes[7] = {INT8OID, INT8OID, TEXTOID, FLOAT8OID, FLOAT8OID,
		BOOLOID, TEXTOID};
		Oid			jtypes[6] = {INT8OID, TEXTOID, INT4OID, INT4OID, FLOAT8OID,
		FLOAT8OID};
		Datum		values[7];
		char		nulls[7];
		char	   *pgss = NULL;
		bool		isnull;

		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();

		foreach(lc, queries)
		{
			PgaVerifyQuery *q = (PgaVerifyQuery *) lfirst(lc);

			memset(nulls, ' ', sizeof(nulls));
			values[0] = Int64GetDatum(pga_job->job_id);
			values[1] = Int64GetDatum(q->queryid);
			values[2] = pga_text_or_null(q->query, &nulls[2]);
			values[3] = Float8GetDatum(q->cost_before);
			nulls[3] = q->cost_before < 0 ? 'n' : ' ';
			values[4] = Float8GetDatum(q->cost_after);
			nulls[4] = q->cost_after < 0 ? 'n' : ' ';
			values[5] = BoolGetDatum(q->uses_index);
			nulls[5] = q->cost_after < 0 ? 'n' : ' ';
			values[6] = pga_text_or_null(q->note, &nulls[6]);
			pga_book("INSERT INTO architect.index_job_queries "
					 "(job_id, queryid, query, cost_before, cost_after, uses_index, note) "
					 "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
					 7, qtypes, values, nulls);
		}

		memset(nulls, ' ', sizeof(nulls));
		values[0] = Int64GetDatum(pga_job->job_id);
		values[1] = CStringGetTextDatum(summary.data);
		values[2] = Int32GetDatum(planned);
		values[3] = Int32GetDatum(using_index);
		values[4] = Float8GetDatum(before);
		values[5] = Float8GetDatum(after);
		nulls[4] = nulls[5] = planned > 0 ? ' ' : 'n';
		pga_book("UPDATE architect.index_jobs_log SET verification = $2, "
				 "queries_verified = $3, queries_using_index = $4, "
				 "cost_before = $5, cost_after = $6 "
				 "WHERE job_id OPERATOR(pg_catalog.=) $1",
				 6, jtypes, values, nulls);

		/* Where pg_stat_statements lives, if anywhere. */
		PushActiveSnapshot(GetTransactionSnapshot());
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		if (SPI_execute("SELECT pg_catalog.quote_ident(n.nspname) "
						"FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n "
						"  ON n.oid OPERATOR(pg_catalog.=) e.extnamespace "
						"WHERE e.extname OPERATOR(pg_catalog.=) 'pg_stat_statements'",
						true, 1) == SPI_OK_SELECT && SPI_processed == 1)
			pgss = MemoryContextStrdup(pga_job_cxt,
									   SPI_getvalue(SPI_tuptable->vals[0],
													SPI_tuptable->tupdesc, 1));
		(void) isnull;
		SPI_finish();
		PopActiveSnapshot();

		if (pgss && queries != NIL)
		{
			values[1] = ObjectIdGetDatum(MyDatabaseId);
			jtypes[1] = OIDOID;
			pga_book(psprintf("UPDATE architect.index_job_queries q "
							  "SET calls_at_build = s.calls, total_exec_ms_at_build = s.total "
							  "FROM (SELECT queryid, pg_catalog.sum(calls)::bigint AS calls, "
							  "      pg_catalog.sum(total_exec_time)::float8 AS total "
							  "      FROM %s.pg_stat_statements "
							  "      WHERE dbid OPERATOR(pg_catalog.=) $2 GROUP BY queryid) s "
							  "WHERE q.job_id OPERATOR(pg_catalog.=) $1 "
							  "AND q.queryid OPERATOR(pg_catalog.=) s.queryid", pgss),
					 2, jtypes, values, NULL);
		}
		CommitTransactionCommand();
	}
	PG_CATCH();
	{
		ErrorData  *edata = pga_catch_error();

		if (out->notes.len > 0)
			appendStringInfoChar(&out->notes, '\n');
		appendStringInfo(&out->notes, "Could not record the verification: %s.",
						 edata->message);
	}
	PG_END_TRY();
}

/*
 * pga_finish
 *		Step 9: record the outcome in the row (when there is one) and the
 *		slot, and wake the caller and the database's next job.
 */
static void
pga_finish(PgaOutcome *out, int attempts, Oid indexoid)
{
	PgaJobSlot *slot;

	HOLD_INTERRUPTS();
	if (pga_row_inserted)
	{
		PG_TRY();
		{
			pga_job_finish_row(out, attempts, indexoid);
		}
		PG_CATCH();
		{
			(void) pga_catch_error();
			out->cleanup_pending = true;
		}
		PG_END_TRY();
	}

	LWLockAcquire(pga_indexer->lock, LW_EXCLUSIVE);
	slot = &pga_indexer->slots[pga_my_slot];
	if (slot->job_id == pga_my_job)
	{
		slot->state = out->state;
		memcpy(slot->sqlstate, out->sqlstate, 6);
		strlcpy(slot->message, out->message ? out->message : "", PGA_MAX_MESSAGE);
		strlcpy(slot->detail, out->detail ? out->detail : "", PGA_MAX_MESSAGE);
		strlcpy(slot->note, out->cleanup.data, PGA_MAX_MESSAGE);
		slot->needs_cleanup = out->cleanup_pending;
		slot->worker_pid = 0;
		pga_wake_database(slot->dboid);
	}
	LWLockRelease(pga_indexer->lock);
	RESUME_INTERRUPTS();
}

/*
 * pga_run_job
 *		Steps 1 to 9 of the file header.
 */
static void
pga_run_job(void)
{
	PgaOutcome	out;
	volatile int attempts = 0;
	volatile Oid indexoid = InvalidOid;
	bool		ok = false;

	memset(&out, 0, sizeof(out));
	initStringInfo(&out.cleanup);
	initStringInfo(&out.notes);
	out.state = PGA_SLOT_FAILED;

	PG_TRY();
	{
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		pga_role_name = MemoryContextStrdup(pga_job_cxt,
											GetUserNameFromId(pga_job->roleid, false));
		if (pga_job->roleid != pga_job->session_userid)
			SetConfigOption("role", pga_role_name, PGC_USERSET, PGC_S_SESSION);
		pga_bookkeeper = pga_find_bookkeeper();
		CommitTransactionCommand();
		if (!OidIsValid(pga_bookkeeper))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("pg_architect is not installed in this database any more")));

		pga_job_insert();

		if (!pga_wait_for_caller())
		{
			out.state = PGA_SLOT_CANCELLED;
			out.message = pstrdup("the transaction or savepoint that queued the job rolled back");
		}
		else
		{
			pga_check_stop();
			pga_wait_for_turn();
			pga_job_set_running();

			if (pga_recheck(&out))
			{
				List	   *queries = NIL;

				if (pga_job->kind == PGA_JOB_CREATE)
				{
					queries = pga_verify_collect(pga_job->relid, pga_job->queryids,
												 pga_job->nqueryids,
												 pga_job->verify_queries);
					pga_verify_plan(queries, InvalidOid, false, pga_job->search_path);
				}

				attempts = pga_run_statement(&out, &ok);
				if (ok)
				{
					out.state = PGA_SLOT_DONE;
					if (pga_job->kind == PGA_JOB_CREATE)
					{
						bool		valid;

						indexoid = pga_index_state(pga_job->schema_name,
												   pga_job->index_name,
												   pga_job->relid, &valid);
						if (OidIsValid(indexoid))
						{
							pga_verify_plan(queries, indexoid, true, pga_job->search_path);
							pga_record_verification(queries, &out);
						}
					}
				}
			}
		}
	}
	PG_CATCH();
	{
		ErrorData  *edata = pga_catch_error();

		pga_fail(&out, edata);
	}
	PG_END_TRY();

	pga_finish(&out, attempts, indexoid);
}

/*
 * pga_index_worker_main
 *		Entry point of a job worker.
 */
void
pga_index_worker_main(Datum main_arg)
{
	int			slotno = DatumGetInt32(main_arg);
	int64		job_id;
	PgaJobSlot *slot;

	memcpy(&job_id, MyBgworkerEntry->bgw_extra, sizeof(int64));

	pqsignal(SIGTERM, pga_worker_sigterm);
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	BackgroundWorkerUnblockSignals();

	prev_emit_log_hook = emit_log_hook;
	emit_log_hook = pga_worker_log_hook;

	if (pga_indexer == NULL || slotno < 0 || slotno >= pga_indexer->nslots)
		proc_exit(0);

	pga_job_cxt = AllocSetContextCreate(TopMemoryContext,
										"pg_architect index job",
										ALLOCSET_DEFAULT_SIZES);
	pga_job = MemoryContextAlloc(pga_job_cxt, sizeof(PgaJobSlot));

	LWLockAcquire(pga_indexer->lock, LW_EXCLUSIVE);
	slot = &pga_indexer->slots[slotno];
	if (slot->job_id != job_id || !PGA_SLOT_IS_ACTIVE(slot->state))
	{
		/* The job was given up before the worker came. */
		LWLockRelease(pga_indexer->lock);
		proc_exit(0);
	}
	slot->worker_pid = MyProcPid;
	slot->worker_procno = MyProc->pgprocno;
	memcpy(pga_job, slot, sizeof(PgaJobSlot));
	LWLockRelease(pga_indexer->lock);

	pga_my_slot = slotno;
	pga_my_job = job_id;
	before_shmem_exit(pga_worker_exit, (Datum) 0);

	BackgroundWorkerInitializeConnectionByOid(pga_job->dboid,
											  pga_job->session_userid, 0);
	pga_session_settings(psprintf("pg_architect index job " INT64_FORMAT, job_id));

	MemoryContextSwitchTo(pga_job_cxt);
	pga_run_job();

	proc_exit(0);
}
