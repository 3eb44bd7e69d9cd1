/*-------------------------------------------------------------------------
 *
 * pg_architect.c
 *	  Entry point of the pg_architect extension.
 *
 * This file holds PG_MODULE_MAGIC, _PG_init and the few helpers every
 * module uses (pga_require_preload, pga_require_primary, pga_subxact_run,
 * pga_plan_children).
 * _PG_init calls each module's init function in a fixed order: GUCs first
 * (they are defined in every backend that loads the library, preloaded or
 * not, so that SET and SHOW work and the prefix is reserved), then the
 * modules that need shared memory or hooks, which only make sense when the
 * library is loaded at postmaster start through shared_preload_libraries.
 *
 * When the library is loaded later (by CREATE EXTENSION or the first call
 * of one of its functions), everything that can work without shared memory
 * still works; functions that need it call pga_require_preload(), which
 * raises SQLSTATE 55000 with a hint.
 *
 * Nothing is done during pg_upgrade's binary-upgrade mode: the hooks and
 * shared memory would only get in its way.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "access/xlog.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/plannodes.h"
#include "utils/resowner.h"

#include "pg_architect.h"

PG_MODULE_MAGIC;

bool		pga_loaded_at_startup = false;

void		_PG_init(void);

/*
 * Module load callback.
 */
void
_PG_init(void)
{
	if (IsBinaryUpgrade)
		return;

	pga_guc_init();
	pga_hypo_init();

	if (!process_shared_preload_libraries_in_progress)
		return;

	pga_loaded_at_startup = true;

	pga_store_init();
	pga_capture_init();
	pga_indexer_init();
}

/*
 * pga_require_preload
 *		Refuse a feature that needs shared memory or hooks when the library
 *		was not preloaded.
 */
void
pga_require_preload(const char *what)
{
	if (!pga_loaded_at_startup)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("%s requires pg_architect to be loaded via shared_preload_libraries",
						what),
				 errhint("Add pg_architect to shared_preload_libraries in postgresql.conf and restart the server.")));
}

/*
 * pga_require_primary
 *		Refuse a feature that writes when the server is in recovery.
 */
void
pga_require_primary(const char *what)
{
	if (RecoveryInProgress())
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("%s cannot run on a hot standby", what),
				 errhint("Run it on the primary server.")));
}

/*
 * pga_subxact_run
 *		Run fn(arg) in an internal subtransaction, committed (release) or
 *		always rolled back (so that the locks it took go too).  Returns
 *		NULL, or the error it raised, copied into the caller's memory
 *		context after the subtransaction was rolled back.
 */
ErrorData *
pga_subxact_run(void (*fn) (void *arg), void *arg, bool release)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	ErrorData  *volatile edata = NULL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcxt);
	PG_TRY();
	{
		fn(arg);
		if (release)
			ReleaseCurrentSubTransaction();
		else
			RollbackAndReleaseCurrentSubTransaction();
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
	}
	PG_END_TRY();
	MemoryContextSwitchTo(oldcxt);
	CurrentResourceOwner = oldowner;
	return edata;
}

/*
 * pga_plan_children
 *		The child plans of a Plan node other than lefttree and righttree:
 *		an Append's or MergeAppend's members, a BitmapAnd's or BitmapOr's
 *		arms, a SubqueryScan's subplan, a CustomScan's plans.  PostgreSQL
 *		15 has no walker over Plan trees (planstate_tree_walker walks
 *		executor state), so this is the one list of such node types for
 *		the plan walks of pg_architect.  Sub-plans of expressions are in
 *		PlannedStmt.subplans, for the caller to visit.  The list may be
 *		the node's own: do not modify it.
 */
List *
pga_plan_children(Plan *plan)
{
	switch (nodeTag(plan))
	{
		case T_Append:
			return ((Append *) plan)->appendplans;
		case T_MergeAppend:
			return ((MergeAppend *) plan)->mergeplans;
		case T_BitmapAnd:
			return ((BitmapAnd *) plan)->bitmapplans;
		case T_BitmapOr:
			return ((BitmapOr *) plan)->bitmapplans;
		case T_SubqueryScan:
			return list_make1(((SubqueryScan *) plan)->subplan);
		case T_CustomScan:
			return ((CustomScan *) plan)->custom_plans;
		default:
			return NIL;
	}
}
