/*-------------------------------------------------------------------------
 *
 * store.c
 *	  The shared-memory workload store of pg_architect.
 *
 * The store lives in the main shared memory segment, sized at postmaster
 * start from pg_architect.max_entries, so it exists only when the library
 * is preloaded.  Space and the named LWLock tranche are requested in
 * shmem_request_hook and attached in shmem_startup_hook under
 * AddinShmemInitLock, the pg_stat_statements way.
 *
 * Locking:
 *	pga_shared->lock (LWLock, tranche "pg_architect") protects the header
 *	fields; readers take it shared, reset takes it exclusive.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/shmem.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "pg_architect.h"
#include "guc.h"
#include "store.h"

PgaSharedState *pga_shared = NULL;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

PG_FUNCTION_INFO_V1(pga_reset);
PG_FUNCTION_INFO_V1(pga_capture_stats);

/*
 * pga_store_shmem_size
 *		Bytes of shared memory the store needs.
 */
static Size
pga_store_shmem_size(void)
{
	return MAXALIGN(sizeof(PgaSharedState));
}

/*
 * pga_shmem_request
 *		Ask the postmaster for the store's memory and its lock.
 */
static void
pga_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();

	RequestAddinShmemSpace(pga_store_shmem_size());
	RequestNamedLWLockTranche("pg_architect", 1);
}

/*
 * pga_shmem_startup
 *		Create or attach the store.  Runs in the postmaster and, under
 *		EXEC_BACKEND, in every backend.
 */
static void
pga_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);

	pga_shared = ShmemInitStruct("pg_architect", pga_store_shmem_size(),
								 &found);
	if (!found)
	{
		pga_shared->lock = &(GetNamedLWLockTranche("pg_architect"))->lock;
		pga_shared->stats_reset = GetCurrentTimestamp();
	}

	LWLockRelease(AddinShmemInitLock);
}

/*
 * pga_store_init
 *		Install the shared memory hooks.  Called from _PG_init when
 *		preloaded.
 */
void
pga_store_init(void)
{
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = pga_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = pga_shmem_startup;
}

/*
 * pga_store_required
 *		The attached store, or an error with a hint when not preloaded.
 */
PgaSharedState *
pga_store_required(const char *what)
{
	pga_require_preload(what);
	if (pga_shared == NULL)
		elog(ERROR, "pg_architect shared memory is not attached");
	return pga_shared;
}

/*
 * architect.reset(): empty the workload store.
 */
Datum
pga_reset(PG_FUNCTION_ARGS)
{
	PgaSharedState *shared = pga_store_required("architect.reset()");

	LWLockAcquire(shared->lock, LW_EXCLUSIVE);
	shared->stats_reset = GetCurrentTimestamp();
	LWLockRelease(shared->lock);

	PG_RETURN_VOID();
}

/*
 * architect.capture_stats(): one row describing the store.
 */
Datum
pga_capture_stats(PG_FUNCTION_ARGS)
{
	PgaSharedState *shared = pga_store_required("architect.capture_stats");
	TupleDesc	tupdesc;
	Datum		values[2];
	bool		nulls[2] = {false, false};
	TimestampTz stats_reset;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	LWLockAcquire(shared->lock, LW_SHARED);
	stats_reset = shared->stats_reset;
	LWLockRelease(shared->lock);

	values[0] = Int32GetDatum(pga_max_entries);
	values[1] = TimestampTzGetDatum(stats_reset);

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc),
													  values, nulls)));
}
