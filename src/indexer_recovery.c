/*-------------------------------------------------------------------------
 *
 * indexer_recovery.c
 *	  Finishing what interrupted index jobs left: the cleanup worker of a
 *	  database and the recovery worker that starts them at server start.
 *
 * A job worker that stops normally, or on SIGTERM, cleans up after itself
 * (indexer_worker.c).  When it dies in a way that skips that (a FATAL
 * error), its exit callback starts a cleanup worker for its database.  When
 * the whole server goes (kill -9 of any process, pg_ctl stop -m
 * immediate), shared memory goes too, and with it every trace of the jobs
 * but their rows; the recovery worker, registered at preload with a restart
 * time so that the postmaster starts it again after crash recovery, then
 * starts a cleanup worker for each database, one after the other, and
 * sleeps until shutdown (pg_cron launcher style).
 *
 * Cleanup worker.  Logs in to one database as the bootstrap superuser,
 * checks that pg_architect is installed there, and looks for jobs that are
 * queued or running without a live slot, or still have a cleanup pending.
 * A build found valid is recorded as done; an invalid index with the job's
 * name on the job's table (the only thing a failed concurrent build leaves,
 * and never a valid index) is dropped concurrently as the table's owner; an
 * interrupted concurrent drop is finished; the job row says what happened.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <signal.h>

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_database.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/wait_event.h"

#include "guc.h"
#include "indexer.h"
#include "pg_architect.h"

/* ---------------------------------------------------------------------
 * Cleanup and recovery
 * ---------------------------------------------------------------------
 */

/* A job row the cleanup pass looks at. */
typedef struct PgaOrphan
{
	int64		job_id;
	bool		is_create;
	bool		concurrently;
	bool		cleanup_pending;
	char	   *status;
	Oid			relid;
	Oid			indexoid;
	char	   *schema_name;
	char	   *index_name;
} PgaOrphan;

/*
 * pga_read_orphans
 *		Job rows that are queued or running, or have a cleanup pending, and
 *		whose job no live worker holds.  Returns NIL when pg_architect is
 *		not installed in this database.
 */
static List *
pga_read_orphans(void)
{
	List	   *volatile result = NIL;
	uint64		i;
	int			ret;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	ret = SPI_execute("SELECT 1 FROM pg_catalog.pg_extension "
					  "WHERE extname OPERATOR(pg_catalog.=) 'pg_architect'", true, 1);
	if (ret == SPI_OK_SELECT && SPI_processed == 1)
		pga_bookkeeper = pga_find_bookkeeper();

	if (OidIsValid(pga_bookkeeper))
	{
		ret = SPI_execute("SELECT job_id, kind OPERATOR(pg_catalog.=) 'create', "
						  " concurrent, cleanup_pending, status, relid, index_oid, "
						  " schema_name::text, index_name::text "
						  "FROM architect.index_jobs_log "
						  "WHERE status OPERATOR(pg_catalog.=) ANY ('{queued,running}') "
						  "   OR cleanup_pending ORDER BY job_id",
						  true, 0);
		if (ret != SPI_OK_SELECT)
			elog(ERROR, "could not read architect.index_jobs_log");

		for (i = 0; i < SPI_processed; i++)
		{
			HeapTuple	tup = SPI_tuptable->vals[i];
			TupleDesc	desc = SPI_tuptable->tupdesc;
			MemoryContext oldcxt = MemoryContextSwitchTo(pga_job_cxt);
			PgaOrphan  *o = palloc0(sizeof(PgaOrphan));
			bool		isnull;
			bool		live;
			int			slotno;

			o->job_id = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
			o->is_create = DatumGetBool(SPI_getbinval(tup, desc, 2, &isnull));
			o->concurrently = DatumGetBool(SPI_getbinval(tup, desc, 3, &isnull));
			o->cleanup_pending = DatumGetBool(SPI_getbinval(tup, desc, 4, &isnull));
			o->status = SPI_getvalue(tup, desc, 5);
			o->relid = DatumGetObjectId(SPI_getbinval(tup, desc, 6, &isnull));
			o->indexoid = DatumGetObjectId(SPI_getbinval(tup, desc, 7, &isnull));
			if (isnull)
				o->indexoid = InvalidOid;
			o->schema_name = SPI_getvalue(tup, desc, 8);
			o->index_name = SPI_getvalue(tup, desc, 9);

			LWLockAcquire(pga_indexer->lock, LW_SHARED);
			slotno = pga_slot_index_for_job(o->job_id, MyDatabaseId);
			live = slotno >= 0 &&
				PGA_SLOT_IS_ACTIVE(pga_indexer->slots[slotno].state);
			LWLockRelease(pga_indexer->lock);
			if (!live)
				result = lappend(result, o);	/* in pga_job_cxt */
			MemoryContextSwitchTo(oldcxt);
		}
	}

	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	return result;
}

/*
 * pga_clean_orphan
 *		Finish one interrupted job: drop what a build left, finish an
 *		interrupted drop, and record what happened.  Drops run as the owner
 *		of the table.
 */
static void
pga_clean_orphan(PgaOrphan *o)
{
	PgaOutcome	out;
	bool		was_active = (strcmp(o->status, "queued") == 0 ||
							  strcmp(o->status, "running") == 0);
	bool		valid;
	Oid			idx;
	Oid			owner;
	Oid			save_userid;
	int			save_sec;
	Oid			argtypes[7] = {INT8OID, TEXTOID, TEXTOID, TEXTOID, BOOLOID,
	TEXTOID, TEXTOID};
	Datum		values[7];
	char		nulls[7];

	memset(&out, 0, sizeof(out));
	initStringInfo(&out.cleanup);
	initStringInfo(&out.notes);

	idx = pga_index_state(o->schema_name, o->index_name, o->relid, &valid);

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	owner = pga_rel_owner(o->relid);
	CommitTransactionCommand();

	if (was_active && o->is_create && OidIsValid(idx) && valid &&
		strcmp(o->status, "running") == 0)
	{
		out.state = PGA_SLOT_DONE;
		appendStringInfoString(&out.notes,
							   "The worker stopped after the build had finished; the cleanup pass found the index valid.");
	}
	else
	{
		out.state = PGA_SLOT_FAILED;
		if (OidIsValid(idx) && !valid && OidIsValid(owner) &&
			(o->is_create || o->concurrently))
		{
			GetUserIdAndSecContext(&save_userid, &save_sec);
			SetUserIdAndSecContext(owner, save_sec | SECURITY_LOCAL_USERID_CHANGE);
			(void) pga_drop_invalid(o->schema_name, o->index_name, o->relid,
									pga_index_cleanup_timeout, &out);
			SetUserIdAndSecContext(save_userid, save_sec);
			if (!o->is_create && !out.cleanup_pending)
			{
				/* the drop the job was for is complete after all */
				out.state = PGA_SLOT_DONE;
				resetStringInfo(&out.cleanup);
				appendStringInfoString(&out.cleanup,
									   "The cleanup pass finished the interrupted drop.");
			}
		}
		else if (was_active)
			appendStringInfoString(&out.cleanup, "Nothing was left behind.");
	}

	memset(nulls, ' ', sizeof(nulls));
	values[0] = Int64GetDatum(o->job_id);
	values[1] = CStringGetTextDatum(was_active ?
									(out.state == PGA_SLOT_DONE ? "done" : "failed") :
									o->status);
	values[2] = pga_text_or_null(was_active && out.state != PGA_SLOT_DONE ?
								 "the job was interrupted (its worker or the server stopped) before it finished" :
								 NULL, &nulls[2]);
	values[3] = pga_text_or_null(out.cleanup.data, &nulls[3]);
	values[4] = BoolGetDatum(out.cleanup_pending);
	values[5] = pga_text_or_null(out.notes.data, &nulls[5]);
	values[6] = pga_text_or_null(was_active && out.state != PGA_SLOT_DONE ? "57P01" : NULL,
								 &nulls[6]);

	pga_book("UPDATE architect.index_jobs_log SET "
			 "status = $2, finished_at = COALESCE(finished_at, pg_catalog.clock_timestamp()), "
			 "error = COALESCE($3, error), sqlstate = COALESCE($7, sqlstate), "
			 "cleanup = pg_catalog.concat_ws(E'\\n', cleanup, $4), "
			 "cleanup_pending = $5, "
			 "notes = pg_catalog.concat_ws(E'\\n', notes, $6) "
			 "WHERE job_id OPERATOR(pg_catalog.=) $1",
			 7, argtypes, values, nulls);
}

/*
 * pga_cleanup_worker_main
 *		Entry point of a cleanup worker (main_arg: database OID).
 */
void
pga_cleanup_worker_main(Datum main_arg)
{
	Oid			dboid = DatumGetObjectId(main_arg);
	List	   *orphans;
	ListCell   *lc;

	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	BackgroundWorkerInitializeConnectionByOid(dboid, InvalidOid, 0);
	pga_session_settings("pg_architect index job cleanup");

	pga_job_cxt = AllocSetContextCreate(TopMemoryContext,
										"pg_architect index job cleanup",
										ALLOCSET_DEFAULT_SIZES);
	orphans = pga_read_orphans();
	foreach(lc, orphans)
	{
		PgaOrphan  *o = (PgaOrphan *) lfirst(lc);

		PG_TRY();
		{
			pga_clean_orphan(o);
			ereport(LOG,
					(errmsg("pg_architect: cleaned up after interrupted index job " INT64_FORMAT,
							o->job_id)));
		}
		PG_CATCH();
		{
			(void) pga_catch_error();
		}
		PG_END_TRY();
	}
	proc_exit(0);
}

/*
 * pga_register_recovery_worker
 *		Register the recovery worker; called from _PG_init when preloaded.
 *		It has a restart time so that the postmaster starts it again after
 *		crash recovery, which is when it is needed most.
 */
void
pga_register_recovery_worker(void)
{
	BackgroundWorker worker;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS |
		BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 10;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, PGA_LIBRARY_NAME);
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "pga_recovery_worker_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "pg_architect index job recovery");
	snprintf(worker.bgw_type, BGW_MAXLEN, "pg_architect index job recovery");
	RegisterBackgroundWorker(&worker);
}

/*
 * pga_recovery_worker_main
 *		At server start: start a cleanup worker for every database that
 *		accepts connections, one after the other; then sleep until shutdown
 *		(so that the postmaster runs it again after a crash).
 */
void
pga_recovery_worker_main(Datum main_arg)
{
	List	   *dbs = NIL;
	ListCell   *lc;
	Relation	rel;
	TableScanDesc scan;
	HeapTuple	tup;

	pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	BackgroundWorkerUnblockSignals();

	BackgroundWorkerInitializeConnection(NULL, NULL, 0);

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	(void) GetTransactionSnapshot();
	rel = table_open(DatabaseRelationId, AccessShareLock);
	scan = table_beginscan_catalog(rel, 0, NULL);
	while ((tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		Form_pg_database db = (Form_pg_database) GETSTRUCT(tup);

		if (db->datallowconn && !db->datistemplate)
			dbs = lappend_oid(dbs, db->oid);
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);
	CommitTransactionCommand();

	foreach(lc, dbs)
	{
		if (ShutdownRequestPending)
			break;
		if (!pga_launch_cleanup_worker(lfirst_oid(lc), true))
			ereport(LOG,
					(errmsg("pg_architect: could not start the index job cleanup worker for database %u",
							lfirst_oid(lc)),
					 errhint("Raise max_worker_processes.")));
	}

	while (!ShutdownRequestPending)
	{
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, -1L,
						 PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
	}
	proc_exit(0);
}
