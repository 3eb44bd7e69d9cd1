/*-------------------------------------------------------------------------
 *
 * guards_ddl.c
 *	  Event triggers of the guards.
 *
 * architect.guard_ddl() is the function of both event triggers.
 *
 * At ddl_command_start of DROP EXTENSION (event trigger
 * architect_guard_drop_extension), when pg_architect is dropped while
 * tables have guards:
 *	 - without CASCADE it refuses (SQLSTATE 2BP01, as PostgreSQL does for
 *	   dependent objects), naming the guarded tables;
 *	 - with CASCADE it first removes every guard with its disable function,
 *	   as the role dropping the extension: the triggers, the policies and
 *	   their index, the <table>_active views (with what depends on them),
 *	   and it puts back the tables' row-level security flags as they were
 *	   before the guard.  PostgreSQL's own CASCADE would drop the triggers
 *	   and policies but leave the views, and leave row-level security
 *	   enabled and forced with no policy, which locks every other role out
 *	   of the table.  If anything fails, the DROP EXTENSION fails whole.
 *
 * At ddl_command_end of CREATE TABLE and ALTER TABLE (event trigger
 * architect_guard_ddl_end), when a partition is created (CREATE TABLE ...
 * PARTITION OF) or attached (ALTER TABLE ... ATTACH PARTITION) under a
 * table with the audit guard, it gives the partition, and the partitions below it,
 * the copy of the guard's TRUNCATE trigger (see audit.c): PostgreSQL
 * clones row triggers to new partitions but not statement triggers.  It
 * returns at once for any other statement.
 *
 * Event triggers run as the role that ran the statement, which owns the
 * new partition; an error aborts the statement, so a partition never
 * joins an audited table without its TRUNCATE trigger.  With event
 * triggers disabled (session_replication_role = replica, single-user
 * mode), run architect.enable_audit() on the partitioned table again;
 * and DROP EXTENSION then gets neither the refusal nor the clean-up.
 *
 * Locking: the statement already holds the locks on the tables; the
 * CREATE TRIGGER takes ShareRowExclusiveLock on the partition.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "commands/event_trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "nodes/parsenodes.h"
#include "utils/lsyscache.h"

#include "guards.h"

PG_FUNCTION_INFO_V1(pga_guard_ddl);

/* Set while DROP EXTENSION ... CASCADE removes the guards. */
bool		pga_guard_cascading = false;

/*
 * The tables that have a guard, one row per (table, guard): a guard's
 * trigger installed on the table itself (not a partition's clone or copy),
 * or the policies of a row-level security guard.
 */
#define PGA_GUARDED_TABLES_SQL \
	"SELECT g.relid, pg_catalog.format('%s.%s', pg_catalog.quote_ident(n.nspname), " \
	"                                  pg_catalog.quote_ident(c.relname)) AS tbl, g.guard " \
	"  FROM (SELECT t.tgrelid AS relid, " \
	"               CASE p.proname WHEN 'audit_trigger' THEN 'audit' " \
	"                              WHEN 'updated_at_trigger' THEN 'updated_at' " \
	"                              ELSE 'soft_delete' END AS guard " \
	"          FROM pg_catalog.pg_trigger t " \
	"          JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid " \
	"         WHERE p.pronamespace = 'architect'::pg_catalog.regnamespace " \
	"           AND p.proname IN ('audit_trigger', 'updated_at_trigger', 'soft_delete_trigger') " \
	"           AND t.tgname IN ('" PGA_AUDIT_TRIGGER "', '" PGA_TOUCH_TRIGGER "', '" PGA_SOFTDEL_TRIGGER "') " \
	"           AND t.tgparentid = 0 " \
	"        UNION " \
	"        SELECT pol.polrelid, 'rls' " \
	"          FROM pg_catalog.pg_policy pol " \
	"         WHERE pol.polname IN ('architect_tenant_select', 'architect_owner_select')) g " \
	"  JOIN pg_catalog.pg_class c ON c.oid = g.relid " \
	"  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace " \
	" ORDER BY n.nspname, c.relname, " \
	"          pg_catalog.array_position(ARRAY['soft_delete', 'rls', 'updated_at', 'audit'], g.guard)"

/*
 * A partition created or attached by the statement, or InvalidOid.
 */
static Oid
pga_ddl_new_partition(Node *parsetree)
{
	if (IsA(parsetree, CreateStmt))
	{
		CreateStmt *stmt = (CreateStmt *) parsetree;

		if (stmt->partbound != NULL)
			return RangeVarGetRelid(stmt->relation, NoLock, true);
	}
	else if (IsA(parsetree, AlterTableStmt))
	{
		AlterTableStmt *stmt = (AlterTableStmt *) parsetree;
		ListCell   *lc;

		if (stmt->objtype != OBJECT_TABLE)
			return InvalidOid;
		foreach(lc, stmt->cmds)
		{
			AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

			if (cmd->subtype == AT_AttachPartition)
				return RangeVarGetRelid(((PartitionCmd *) cmd->def)->name,
										NoLock, true);
		}
	}
	return InvalidOid;
}

/*
 * At the end of CREATE TABLE / ALTER TABLE: cover a new partition.
 */
static void
pga_guard_ddl_end(EventTriggerData *trigdata)
{
	Oid			relid = pga_ddl_new_partition(trigdata->parsetree);

	if (!OidIsValid(relid) || !get_rel_relispartition(relid))
		return;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	pga_audit_cover_partitions(relid);
	SPI_finish();
}

/*
 * True when the DROP statement drops extension pg_architect.
 */
static bool
pga_ddl_drops_us(DropStmt *stmt)
{
	ListCell   *lc;

	if (stmt->removeType != OBJECT_EXTENSION)
		return false;
	foreach(lc, stmt->objects)
	{
		Node	   *obj = lfirst(lc);

		if (IsA(obj, String) && strcmp(strVal(obj), "pg_architect") == 0)
			return true;
	}
	return false;
}

/*
 * At the start of DROP EXTENSION pg_architect: refuse, or remove the guards.
 */
static void
pga_guard_drop_extension(EventTriggerData *trigdata)
{
	DropStmt   *stmt;
	int			rc;
	uint64		i;
	uint64		n;
	StringInfoData tables;
	Oid			last = InvalidOid;
	int			ntables = 0;

	if (!IsA(trigdata->parsetree, DropStmt))
		return;
	stmt = (DropStmt *) trigdata->parsetree;
	if (!pga_ddl_drops_us(stmt))
		return;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	rc = SPI_execute(PGA_GUARDED_TABLES_SQL, true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not list the guarded tables: %s",
			 SPI_result_code_string(rc));
	n = SPI_processed;
	if (n == 0)
	{
		SPI_finish();
		return;
	}

	if (stmt->behavior != DROP_CASCADE)
	{
		initStringInfo(&tables);
		for (i = 0; i < n; i++)
		{
			bool		isnull;
			Oid			relid = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i],
															   SPI_tuptable->tupdesc,
															   1, &isnull));

			if (relid != last)
			{
				if (ntables > 0)
					appendStringInfoString(&tables, "), ");
				if (++ntables > 20)
					break;
				appendStringInfo(&tables, "%s (",
								 SPI_getvalue(SPI_tuptable->vals[i],
											  SPI_tuptable->tupdesc, 2));
			}
			else
				appendStringInfoString(&tables, ", ");
			appendStringInfoString(&tables,
								   SPI_getvalue(SPI_tuptable->vals[i],
												SPI_tuptable->tupdesc, 3));
			last = relid;
		}
		if (ntables <= 20)
			appendStringInfoChar(&tables, ')');
		else
			appendStringInfoString(&tables, "...");
		ereport(ERROR,
				(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
				 errmsg("cannot drop extension pg_architect because tables are guarded by it"),
				 errdetail("Guarded tables: %s.", tables.data),
				 errhint("Remove the guards first with architect.disable_audit(), disable_updated_at(), disable_rls() and disable_soft_delete(), "
						 "or use DROP EXTENSION pg_architect CASCADE, which removes them with the extension and keeps the tables and their rows.")));
	}

	/* CASCADE: remove every guard the way its disable function does. */
	pga_guard_cascading = true;
	PG_TRY();
	{
		SPITupleTable *guarded = SPI_tuptable;

		for (i = 0; i < n; i++)
		{
			char	   *tbl = SPI_getvalue(guarded->vals[i], guarded->tupdesc, 2);
			char	   *guard = SPI_getvalue(guarded->vals[i], guarded->tupdesc, 3);
			char	   *relid = SPI_getvalue(guarded->vals[i], guarded->tupdesc, 1);

			ereport(NOTICE,
					(errmsg("removing the %s guard of table %s", guard, tbl)));
			rc = SPI_execute(psprintf("SELECT architect.disable_%s(%s::pg_catalog.oid)",
									  guard, relid), false, 0);
			if (rc != SPI_OK_SELECT)
				elog(ERROR, "could not remove the %s guard of table %s: %s",
					 guard, tbl, SPI_result_code_string(rc));
		}
	}
	PG_FINALLY();
	{
		pga_guard_cascading = false;
	}
	PG_END_TRY();
	SPI_finish();
}

/*
 * architect.guard_ddl() returns event_trigger
 */
Datum
pga_guard_ddl(PG_FUNCTION_ARGS)
{
	EventTriggerData *trigdata;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("architect.guard_ddl() must be called as an event trigger")));
	trigdata = (EventTriggerData *) fcinfo->context;
	if (strcmp(trigdata->event, "ddl_command_start") == 0)
		pga_guard_drop_extension(trigdata);
	else if (strcmp(trigdata->event, "ddl_command_end") == 0)
		pga_guard_ddl_end(trigdata);
	PG_RETURN_NULL();
}
