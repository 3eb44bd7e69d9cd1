/*-------------------------------------------------------------------------
 *
 * indexer_lock.c
 *	  Bounded lock waits for the checks that create_index(), drop_index()
 *	  and apply_recommendations() make in the caller's session.
 *
 * The job worker runs its statements with lock_timeout =
 * pg_architect.index_lock_timeout and retries, but before there is a job
 * the caller's own checks need locks too: the table is locked
 * AccessShareLock while the statement is checked, and the advisor plans
 * the workload's queries (which locks their tables) when a recommendation
 * is looked up.  Another session holding ACCESS EXCLUSIVE on the table
 * (ALTER TABLE, LOCK TABLE, VACUUM FULL), or a lock that conflicts with the
 * advisor's planning (SHARE, from a plain CREATE INDEX), would make the
 * caller wait with no end.  So every such wait runs with lock_timeout
 * lowered to pg_architect.index_lock_timeout (never raised above the
 * caller's own lock_timeout), and a timeout becomes one clear error, SQLSTATE
 * 55P03 with a hint, raised before any job slot or row exists: nothing is
 * left half made.
 *
 * Locking: pga_lock_table() takes AccessShareLock on the table, which
 * conflicts only with ACCESS EXCLUSIVE.  The caller releases it
 * (UnlockRelationOid) before it waits for a build: DROP INDEX CONCURRENTLY,
 * which cleans up after a failed build, waits for every transaction that
 * holds a lock on the table.  The lock_timeout set here lives in a GUC nest
 * level that ends with the wait (or with the error).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "guc.h"
#include "indexer.h"

/*
 * pga_bound_lock_waits
 *		Open a GUC nest level in which lock_timeout is at most
 *		pg_architect.index_lock_timeout (0 there means no bound).  Returns
 *		the level for pga_unbound_lock_waits(); an error unwinds it.
 */
int
pga_bound_lock_waits(void)
{
	int			level = NewGUCNestLevel();

	if (pga_index_lock_timeout > 0 &&
		(LockTimeout == 0 || LockTimeout > pga_index_lock_timeout))
	{
		char		buf[32];

		snprintf(buf, sizeof(buf), "%d", pga_index_lock_timeout);
		(void) set_config_option("lock_timeout", buf, PGC_USERSET,
								 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
								 false);
	}
	return level;
}

void
pga_unbound_lock_waits(int level)
{
	AtEOXact_GUC(true, level);
}

/*
 * pga_raise_lock_error
 *		Raise a caught error again; a lock timeout becomes 55P03 with a
 *		hint saying what to do.  "what" names the function, "object" what
 *		it was waiting for.  Does not return.
 */
void
pga_raise_lock_error(ErrorData *edata, const char *what, const char *object)
{
	if (edata->sqlerrcode != ERRCODE_LOCK_NOT_AVAILABLE)
		ReThrowError(edata);
	ereport(ERROR,
			(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
			 errmsg("%s could not lock %s within pg_architect.index_lock_timeout (%d ms)",
					what, object, pga_index_lock_timeout),
			 errdetail("Another session holds a conflicting lock (%s); no job was queued.",
					   edata->message),
			 errhint("Try again when that session has finished (pg_blocking_pids() and pg_locks show which one), or raise pg_architect.index_lock_timeout.")));
}

/*
 * pga_lock_table
 *		Lock a table AccessShareLock, by name (rv) or OID, waiting at most
 *		pg_architect.index_lock_timeout; returns its OID.  The caller
 *		unlocks it before waiting for a build.
 */
Oid
pga_lock_table(RangeVar *rv, Oid relid, const char *what)
{
	MemoryContext cxt = CurrentMemoryContext;
	volatile Oid result = relid;
	int			level = pga_bound_lock_waits();

	PG_TRY();
	{
		if (rv != NULL)
			result = RangeVarGetRelid(rv, AccessShareLock, false);
		else
			LockRelationOid(relid, AccessShareLock);
	}
	PG_CATCH();
	{
		ErrorData  *edata;
		char	   *object;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		if (rv != NULL)
			object = psprintf("table %s", quote_qualified_identifier(rv->schemaname,
																	rv->relname));
		else
			object = psprintf("table %s",
							  get_rel_name(relid) ? quote_identifier(get_rel_name(relid)) :
							  "(dropped)");
		pga_raise_lock_error(edata, what, object);
	}
	PG_END_TRY();
	pga_unbound_lock_waits(level);
	return result;
}
