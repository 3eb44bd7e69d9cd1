/*-------------------------------------------------------------------------
 *
 * indexer_exec.c
 *	  What the index job workers do in a database: run a statement at top
 *	  level, write the job tables as their owner, look at and drop the
 *	  invalid index a failed build leaves.
 *
 * Top-level statements.  CREATE INDEX CONCURRENTLY and DROP INDEX
 * CONCURRENTLY commit and start transactions of their own and refuse to run
 * inside a function or a transaction block, so pga_exec_toplevel() runs a
 * statement the way exec_simple_query() does: parse, analyze, plan, and run
 * it through an unnamed portal with isTopLevel set, in a transaction of its
 * own, with the parse and plan trees in a memory context that outlives the
 * statement's transactions.
 *
 * Bookkeeping.  Ordinary roles may not write architect.index_jobs_log, so
 * pga_book() runs each bookkeeping statement with the user id switched to
 * the owner of that table (SECURITY_LOCAL_USERID_CHANGE and
 * SECURITY_RESTRICTED_OPERATION, for one SPI statement, fully qualified,
 * with search_path pinned to pg_catalog by pga_session_settings()), and
 * with interrupts held, so that a cancel cannot leave a row half written.
 *
 * Cleanup.  A failed concurrent build leaves an invalid index with the
 * job's name on the job's table; pga_drop_invalid() drops it (never a valid
 * index) with DROP INDEX CONCURRENTLY, as the current user.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_index.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "parser/analyze.h"
#include "pgstat.h"
#include "tcop/pquery.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/backend_status.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/portal.h"
#include "utils/ps_status.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "indexer.h"
#include "pg_architect.h"

/* State of a worker process (job, cleanup) of pg_architect. */
MemoryContext pga_job_cxt = NULL;	/* the job's memory */
Oid			pga_bookkeeper = InvalidOid;	/* owner of index_jobs_log */

/*
 * pga_session_settings
 *		Settings every worker session runs with: pg_catalog-only
 *		search_path (the statements are fully qualified), no statement
 *		timeout inherited from the role, a recognisable application_name.
 */
void
pga_session_settings(const char *appname)
{
	SetConfigOption("search_path", "pg_catalog, pg_temp",
					PGC_USERSET, PGC_S_SESSION);
	SetConfigOption("statement_timeout", "0", PGC_USERSET, PGC_S_SESSION);
	SetConfigOption("idle_in_transaction_session_timeout", "0",
					PGC_USERSET, PGC_S_SESSION);
	SetConfigOption("application_name", appname, PGC_USERSET, PGC_S_SESSION);
}

/*
 * pga_find_bookkeeper
 *		Owner of architect.index_jobs_log, or InvalidOid when pg_architect
 *		is not installed in this database.  Caller is in a transaction.
 */
Oid
pga_find_bookkeeper(void)
{
	Oid			nsp = get_namespace_oid("architect", true);
	Oid			tab;

	if (!OidIsValid(nsp))
		return InvalidOid;
	tab = get_relname_relid("index_jobs_log", nsp);
	if (!OidIsValid(tab))
		return InvalidOid;
	return pga_rel_owner(tab);
}

/*
 * pga_exec_toplevel
 *		Run one SQL statement as a top-level command in its own
 *		transaction, as exec_simple_query() would, so that CREATE INDEX
 *		CONCURRENTLY and DROP INDEX CONCURRENTLY may commit and start
 *		transactions of their own.  Parse and plan trees live in a memory
 *		context outside the transaction for that reason.  Must be called
 *		outside a transaction; errors propagate.
 */
void
pga_exec_toplevel(const char *sql)
{
	MemoryContext execcxt;
	MemoryContext oldcxt;
	List	   *parsetrees;
	ListCell   *lc;

	Assert(!IsTransactionState());

	execcxt = AllocSetContextCreate(TopMemoryContext,
									"pg_architect top-level statement",
									ALLOCSET_DEFAULT_SIZES);

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	debug_query_string = sql;
	pgstat_report_activity(STATE_RUNNING, sql);

	oldcxt = MemoryContextSwitchTo(execcxt);
	parsetrees = pg_parse_query(sql);
	if (list_length(parsetrees) != 1)
		elog(ERROR, "expected one statement, got %d", list_length(parsetrees));

	foreach(lc, parsetrees)
	{
		RawStmt    *parsetree = lfirst_node(RawStmt, lc);
		CommandTag	tag = CreateCommandTag(parsetree->stmt);
		bool		snapshot_set = false;
		List	   *querytrees;
		List	   *plantrees;
		Portal		portal;
		DestReceiver *receiver;
		QueryCompletion qc;

		set_ps_display(GetCommandTagName(tag));

		if (analyze_requires_snapshot(parsetree))
		{
			PushActiveSnapshot(GetTransactionSnapshot());
			snapshot_set = true;
		}
		querytrees = pg_analyze_and_rewrite_fixedparams(parsetree, sql,
														NULL, 0, NULL);
		plantrees = pg_plan_queries(querytrees, sql, CURSOR_OPT_PARALLEL_OK,
									NULL);
		if (snapshot_set)
			PopActiveSnapshot();

		portal = CreatePortal("", true, true);
		portal->visible = false;
		PortalDefineQuery(portal, NULL, sql, tag, plantrees, NULL);
		PortalStart(portal, NULL, 0, InvalidSnapshot);

		receiver = CreateDestReceiver(DestNone);
		MemoryContextSwitchTo(execcxt);
		(void) PortalRun(portal, FETCH_ALL, true, true, receiver, receiver,
						 &qc);
		receiver->rDestroy(receiver);
		PortalDrop(portal, false);
	}

	MemoryContextSwitchTo(oldcxt);
	CommitTransactionCommand();
	MemoryContextDelete(execcxt);

	debug_query_string = NULL;
	pgstat_report_activity(STATE_IDLE, NULL);
	set_ps_display("idle");
}

/*
 * pga_catch_error
 *		In a PG_CATCH block: log the error, copy it into the job's memory,
 *		abort the transaction and return the copy.
 */
ErrorData *
pga_catch_error(void)
{
	ErrorData  *edata;

	MemoryContextSwitchTo(pga_job_cxt);
	EmitErrorReport();
	edata = CopyErrorData();
	FlushErrorState();
	AbortCurrentTransaction();
	debug_query_string = NULL;
	pgstat_report_activity(STATE_IDLE, NULL);
	return edata;
}

/*
 * pga_book
 *		Run one bookkeeping statement on the job tables as their owner.
 *		Interrupts are held so that a cancel cannot leave a job row half
 *		written; starts and commits a transaction unless one is open.
 */
void
pga_book(const char *sql, int nargs, Oid *argtypes, Datum *values,
		 const char *nulls)
{
	bool		own_xact = !IsTransactionState();
	Oid			save_userid;
	int			save_sec;
	int			ret;

	HOLD_INTERRUPTS();
	if (own_xact)
	{
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
	}
	PushActiveSnapshot(GetTransactionSnapshot());
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(pga_bookkeeper,
						   save_sec | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	ret = SPI_execute_with_args(sql, nargs, argtypes, values, nulls, false, 0);
	SetUserIdAndSecContext(save_userid, save_sec);
	if (ret < 0)
		elog(ERROR, "bookkeeping statement failed: %s", SPI_result_code_string(ret));

	SPI_finish();
	PopActiveSnapshot();
	if (own_xact)
		CommitTransactionCommand();
	RESUME_INTERRUPTS();
}

/*
 * pga_name_datum
 *		A "name" argument for a bookkeeping statement.  A name Datum points
 *		to NAMEDATALEN bytes, all of which the planner copies (datumCopy)
 *		and the executor stores, so it must never point at a shorter C
 *		string: build a zero-padded NameData in the current context.
 */
Datum
pga_name_datum(const char *s)
{
	Name		name = (Name) palloc0(NAMEDATALEN);

	namestrcpy(name, s ? s : "");
	return NameGetDatum(name);
}

/* Shorthands for bookkeeping arguments. */
Datum
pga_text_or_null(const char *s, char *null)
{
	*null = (s == NULL || *s == '\0') ? 'n' : ' ';
	return (*null == 'n') ? (Datum) 0 : CStringGetTextDatum(s);
}

/*
 * pga_index_state
 *		Does an index of that name exist on the table, and is it valid?
 *		Returns its OID or InvalidOid.  Opens its own transaction.
 */
Oid
pga_index_state(const char *schema, const char *name, Oid relid, bool *valid)
{
	Oid			nsp;
	Oid			idx = InvalidOid;
	HeapTuple	tup;

	*valid = false;
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	nsp = get_namespace_oid(schema, true);
	if (OidIsValid(nsp))
		idx = get_relname_relid(name, nsp);
	if (OidIsValid(idx))
	{
		tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(idx));
		if (HeapTupleIsValid(tup))
		{
			Form_pg_index form = (Form_pg_index) GETSTRUCT(tup);

			if (form->indrelid != relid)
				idx = InvalidOid;
			else
				*valid = form->indisvalid;
			ReleaseSysCache(tup);
		}
		else
			idx = InvalidOid;
	}
	CommitTransactionCommand();
	return idx;
}

/*
 * pga_drop_invalid
 *		Drop the invalid index a failed concurrent build or drop left, if
 *		there is one, with lock_timeout = cleanup timeout; say what happened
 *		in out->cleanup.  Runs as the current user (the job's role, or the
 *		table owner in the cleanup worker).  Returns true when nothing is
 *		left.
 */
bool
pga_drop_invalid(const char *schema, const char *name, Oid relid,
				 int timeout_ms, PgaOutcome *out)
{
	bool		valid;
	Oid			idx = pga_index_state(schema, name, relid, &valid);
	char		buf[32];
	char	   *sql;
	ErrorData  *volatile edata = NULL;

	if (!OidIsValid(idx))
		return true;
	if (valid)
		return true;			/* never drop a valid index */

	sql = psprintf("DROP INDEX CONCURRENTLY IF EXISTS %s",
				   quote_qualified_identifier(schema, name));
	snprintf(buf, sizeof(buf), "%d", timeout_ms);
	SetConfigOption("lock_timeout", buf, PGC_USERSET, PGC_S_SESSION);
	PG_TRY();
	{
		pga_exec_toplevel(sql);
	}
	PG_CATCH();
	{
		edata = pga_catch_error();
	}
	PG_END_TRY();
	SetConfigOption("lock_timeout", "0", PGC_USERSET, PGC_S_SESSION);

	if (out->cleanup.len > 0)
		appendStringInfoChar(&out->cleanup, '\n');
	if (edata == NULL)
	{
		appendStringInfo(&out->cleanup,
						 "Dropped the invalid index \"%s\" left behind by the job.",
						 name);
		return true;
	}
	appendStringInfo(&out->cleanup,
					 "Could not drop the invalid index \"%s\" left behind by the job (%s); the cleanup pass at the next server start tries again, or drop it with architect.drop_index().",
					 name, edata->message);
	out->cleanup_pending = true;
	return false;
}
