/*-------------------------------------------------------------------------
 *
 * indexer_jobs.c
 *	  architect.cancel_index_job() and architect.index_job_slots(), the
 *	  live part of the architect.index_jobs view.
 *
 * The job history is in architect.index_jobs_log, written by the workers;
 * what shared memory knows (queued jobs without a row yet, the live state
 * of running ones) comes from the slots.  Cancelling sets a flag in the
 * slot and, for a running job, sends SIGINT to its worker (as
 * pg_cancel_backend would), which drops the invalid index it leaves.
 *
 * Locking: pga_indexer->lock, shared to copy slots out, exclusive to set
 * the cancel flag; signals are sent while holding it so that the worker's
 * pid cannot be reused meanwhile.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "indexer.h"
#include "pg_architect.h"

PG_FUNCTION_INFO_V1(pga_cancel_index_job);
PG_FUNCTION_INFO_V1(pga_index_job_slots);

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
		pga_request_cancel(slot);
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
