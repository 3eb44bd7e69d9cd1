/*-------------------------------------------------------------------------
 *
 * softdelete.c
 *	  The soft-delete guard: architect.enable_soft_delete(),
 *	  architect.disable_soft_delete() and the BEFORE DELETE trigger
 *	  architect.soft_delete_trigger().
 *
 * enable_soft_delete() adds the column (timestamptz, NULL for live rows) if
 * the table lacks it, installs the trigger and creates the view
 * <table>_active of the live rows (security_invoker, so the reader's
 * privileges and row-level security apply; it gets the SELECT grants of
 * the table).  architect.soft_delete_index_advice lists, for each such
 * table, the partial indexes WHERE <column> IS NULL worth having.
 *
 * The trigger turns a DELETE of a live row into
 *		UPDATE <table> SET <column> = now() WHERE ctid = $1
 * (with tableoid = $2 when the table is partitioned), run through SPI as
 * the deleting role with a plan kept per trigger, and cancels the DELETE by
 * returning NULL.  Deleting a row that is already soft-deleted does
 * nothing.  Because the change is an UPDATE, the audit and updated_at
 * guards see it as one, and the caller needs UPDATE privilege on the
 * column.  The DELETE reports the row as not deleted ("DELETE 0"), as any
 * trigger that cancels a DELETE does.
 *
 * Hard delete: with SET pg_architect.hard_delete = on, the owner of the
 * table (or a member of the owning role) deletes rows for real; anyone
 * else gets an error rather than a silent soft delete.
 *
 * Arguments of the trigger: "v1", "column:attnum:name", "view:<name>".
 *
 * Locking: enable/disable take AccessExclusiveLock when they add or drop
 * the column, ShareRowExclusiveLock otherwise.  The trigger's UPDATE takes
 * the usual row lock; the row is already locked by the DELETE.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/comment.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "guc.h"
#include "guards.h"

PG_FUNCTION_INFO_V1(pga_enable_soft_delete);
PG_FUNCTION_INFO_V1(pga_disable_soft_delete);
PG_FUNCTION_INFO_V1(pga_soft_delete_trigger);

/* What the trigger needs about one (trigger, table), per backend. */
typedef struct PgaSoftDelRel
{
	PgaGuardCacheEntry hdr;		/* trigger, validity, table (guards.h) */
	AttrNumber	attnum;			/* the column */
	bool		partitioned;	/* UPDATE goes through the partitioned root */
	SPIPlanPtr	plan;			/* the UPDATE, kept */
} PgaSoftDelRel;

/* The plan of an entry is freed when the entry is rebuilt. */
static PgaGuardCache pga_softdel_cache = {"pg_architect soft-delete tables",
	sizeof(PgaSoftDelRel), NULL};

/*
 * The cache entry of the trigger being fired (inside SPI).
 */
static PgaSoftDelRel *
pga_softdel_lookup(TriggerData *trigdata)
{
	Trigger    *trigger = trigdata->tg_trigger;
	Relation	rel = trigdata->tg_relation;
	PgaSoftDelRel *entry;
	bool		rebuild;
	int			i;
	Oid			target;
	Oid			argtypes[2] = {TIDOID, OIDOID};
	Form_pg_attribute att;
	char	   *sql;
	SPIPlanPtr	plan;

	entry = (PgaSoftDelRel *) pga_guard_cache_lookup(&pga_softdel_cache,
													 trigdata, &rebuild);
	if (!rebuild)
		return entry;

	if (entry->plan)
	{
		SPI_freeplan(entry->plan);
		entry->plan = NULL;
	}
	entry->attnum = InvalidAttrNumber;
	for (i = 0; i < trigger->tgnargs; i++)
	{
		AttrNumber	num;
		const char *name;

		if (pga_guard_parse_column_arg(trigger->tgargs[i], "column", &num, &name))
			entry->attnum = pga_guard_resolve_column(RelationGetDescr(rel),
													 num, name);
	}
	if (entry->attnum == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("the soft-delete column of table \"%s\" no longer exists",
						RelationGetRelationName(rel)),
				 errhint("Run architect.disable_soft_delete() or enable it again.")));
	att = TupleDescAttr(RelationGetDescr(rel), entry->attnum - 1);

	/*
	 * A partition's row is updated through the partitioned table the guard
	 * was installed on: the caller's privileges and policies are there.
	 */
	target = rel->rd_rel->relispartition ?
		pga_guard_trigger_root(trigger->tgoid, entry->hdr.relid) : entry->hdr.relid;
	entry->partitioned = (target != entry->hdr.relid);
	if (entry->partitioned)
		sql = psprintf("UPDATE %s SET %s = now() WHERE ctid = $1 AND tableoid = $2",
					   quote_qualified_identifier(get_namespace_name(get_rel_namespace(target)),
												  get_rel_name(target)),
					   quote_identifier(NameStr(att->attname)));
	else
		sql = psprintf("UPDATE ONLY %s SET %s = now() WHERE ctid = $1",
					   pga_guard_table_name(rel),
					   quote_identifier(NameStr(att->attname)));
	plan = SPI_prepare(sql, entry->partitioned ? 2 : 1, argtypes);
	if (plan == NULL)
		elog(ERROR, "could not prepare the soft delete of \"%s\": %s",
			 RelationGetRelationName(rel), SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "SPI_keepplan failed");
	entry->plan = plan;
	entry->hdr.valid = true;
	return entry;
}

/*
 * architect.soft_delete_trigger()
 */
Datum
pga_soft_delete_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Relation	rel;
	PgaSoftDelRel *entry;
	HeapTuple	oldtup;
	bool		isnull;
	Datum		args[2];
	int			rc;

	pga_guard_check_before_row(fcinfo, "soft_delete_trigger",
							   "enable_soft_delete", "DELETE");

	rel = trigdata->tg_relation;
	oldtup = trigdata->tg_trigtuple;

	if (pga_hard_delete)
	{
		if (has_privs_of_role(GetUserId(), rel->rd_rel->relowner))
			return PointerGetDatum(oldtup);
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("only the owner of table \"%s\" may hard delete its rows",
						RelationGetRelationName(rel)),
				 errdetail("pg_architect.hard_delete is on, and role \"%s\" does not own the table.",
						   GetUserNameFromId(GetUserId(), false)),
				 errhint("RESET pg_architect.hard_delete to soft delete the rows instead.")));
	}

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	entry = pga_softdel_lookup(trigdata);

	(void) heap_getattr(oldtup, entry->attnum, RelationGetDescr(rel), &isnull);
	if (isnull)
	{
		args[0] = PointerGetDatum(&oldtup->t_self);
		args[1] = ObjectIdGetDatum(RelationGetRelid(rel));
		rc = SPI_execute_plan(entry->plan, args, NULL, false, 0);
		if (rc != SPI_OK_UPDATE)
			elog(ERROR, "soft delete of a row of \"%s\" failed: %s",
				 RelationGetRelationName(rel), SPI_result_code_string(rc));
		if (SPI_processed != 1)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("could not soft delete a row of \"%s\"",
							RelationGetRelationName(rel)),
					 errdetail("The UPDATE that marks the row deleted did not reach it, which happens when a row-level security policy lets the role delete the row but not update it."),
					 errhint("Let the role update the rows it may delete.")));
	}
	SPI_finish();

	/* Cancel the DELETE. */
	return PointerGetDatum(NULL);
}

/*
 * The view named by a soft-delete trigger of rel, from its arguments.
 */
static char *
pga_softdel_trigger_view(Relation rel)
{
	TriggerDesc *td = rel->trigdesc;
	int			i;
	int			a;

	if (td == NULL)
		return NULL;
	for (i = 0; i < td->numtriggers; i++)
	{
		Trigger    *t = &td->triggers[i];

		if (strcmp(t->tgname, PGA_SOFTDEL_TRIGGER) != 0)
			continue;
		for (a = 0; a < t->tgnargs; a++)
			if (strncmp(t->tgargs[a], "view:", 5) == 0)
				return pstrdup(t->tgargs[a] + 5);
	}
	return NULL;
}

/*
 * The column of the soft-delete trigger of rel, or InvalidAttrNumber.
 */
static AttrNumber
pga_softdel_trigger_column(Relation rel)
{
	TriggerDesc *td = rel->trigdesc;
	int			i;
	int			a;

	if (td == NULL)
		return InvalidAttrNumber;
	for (i = 0; i < td->numtriggers; i++)
	{
		Trigger    *t = &td->triggers[i];

		if (strcmp(t->tgname, PGA_SOFTDEL_TRIGGER) != 0)
			continue;
		for (a = 0; a < t->tgnargs; a++)
		{
			AttrNumber	num;
			const char *name;

			if (pga_guard_parse_column_arg(t->tgargs[a], "column", &num, &name))
				return pga_guard_resolve_column(RelationGetDescr(rel), num, name);
		}
	}
	return InvalidAttrNumber;
}

/*
 * Drop the live-rows view "name" in rel's schema, if it is the one
 * enable_soft_delete() made (it carries the marker comment); with what
 * depends on it when DROP EXTENSION ... CASCADE removes the guard.
 */
static void
pga_softdel_drop_view(Relation rel, const char *name)
{
	Oid			nsp = RelationGetNamespace(rel);
	Oid			viewid = get_relname_relid(name, nsp);
	char	   *desc;

	if (!OidIsValid(viewid) || get_rel_relkind(viewid) != RELKIND_VIEW)
		return;
	desc = GetComment(viewid, RelationRelationId, 0);
	if (desc == NULL || strncmp(desc, PGA_COMMENT_MARKER, strlen(PGA_COMMENT_MARKER)) != 0)
		return;
	pga_guard_exec(psprintf("DROP VIEW %s%s",
							quote_qualified_identifier(get_namespace_name(nsp), name),
							pga_guard_cascading ? " CASCADE" : ""));
}

/*
 * architect.enable_soft_delete(tbl regclass, col name, view_name name)
 */
Datum
pga_enable_soft_delete(PG_FUNCTION_ARGS)
{
	PgaGuardDDL ddl;
	Relation	rel;
	const char *colname;
	const char *viewname;
	char	   *oldview;
	AttrNumber	attnum;
	Form_pg_attribute att;
	Oid			nsp;
	Oid			existing;
	bool		add;
	char	   *qview;
	StringInfoData sql;
	int			rc;
	uint64		i;

	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("column name must not be null"),
				 errhint("Leave it out to use deleted_at.")));
	colname = NameStr(*PG_GETARG_NAME(1));

	/* Adding the column needs the stronger lock; find out first. */
	add = !PG_ARGISNULL(0) &&
		get_attnum(PG_GETARG_OID(0), colname) == InvalidAttrNumber;

	pga_guard_begin(&ddl);
	rel = pga_guard_open_table(PG_GETARG_DATUM(0), PG_ARGISNULL(0), "soft_delete",
							   add ? AccessExclusiveLock : ShareRowExclusiveLock);
	pga_guard_check_partition_tree(rel, PGA_SOFTDEL_TRIGGER, "soft_delete");
	pga_guard_refuse_foreign_trigger(rel, PGA_SOFTDEL_TRIGGER, "soft_delete_trigger");
	nsp = RelationGetNamespace(rel);

	if (PG_ARGISNULL(2))
	{
		if (strlen(RelationGetRelationName(rel)) + strlen("_active") >= NAMEDATALEN)
			ereport(ERROR,
					(errcode(ERRCODE_NAME_TOO_LONG),
					 errmsg("view name \"%s_active\" would be too long",
							RelationGetRelationName(rel)),
					 errhint("Pass a shorter name as view_name.")));
		viewname = psprintf("%s_active", RelationGetRelationName(rel));
	}
	else
		viewname = pstrdup(NameStr(*PG_GETARG_NAME(2)));
	if (viewname[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("view name must not be empty")));

	/* A previous installation is replaced, its view too. */
	oldview = pga_softdel_trigger_view(rel);
	(void) pga_guard_drop_trigger(rel, PGA_SOFTDEL_TRIGGER, "soft_delete_trigger",
								  "soft_delete");
	if (oldview)
		pga_softdel_drop_view(rel, oldview);
	CommandCounterIncrement();

	/* An existing column must be able to mark live rows with NULL. */
	attnum = pga_guard_column(rel, colname, "soft_delete", true);
	if (attnum != InvalidAttrNumber)
	{
		att = TupleDescAttr(RelationGetDescr(rel), attnum - 1);
		if (!pga_guard_is_timestamp_type(att->atttypid))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of table %s has type %s",
							colname, pga_guard_table_name(rel),
							format_type_be(att->atttypid)),
					 errdetail("A soft-delete column must be timestamptz, timestamp or date."),
					 errhint("Pass the name of a new column, which will be added as timestamptz.")));
		if (att->attnotnull || att->attgenerated)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("column \"%s\" of table %s cannot mark live rows with NULL",
							colname, pga_guard_table_name(rel)),
					 errdetail("Live rows have NULL in the soft-delete column; the column is NOT NULL or generated."),
					 errhint("Pass the name of a new column.")));
	}

	existing = get_relname_relid(viewname, nsp);
	if (OidIsValid(existing))
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_TABLE),
				 errmsg("relation \"%s\" already exists in schema \"%s\"",
						viewname, get_namespace_name(nsp)),
				 errhint("Pass another name as view_name.")));

	if (attnum == InvalidAttrNumber)
	{
		pga_guard_alter(&rel, psprintf("ALTER TABLE %s ADD COLUMN %s timestamptz",
									   pga_guard_table_name(rel),
									   quote_identifier(colname)));
		attnum = pga_guard_column(rel, colname, "soft_delete", false);
	}

	initStringInfo(&sql);
	appendStringInfo(&sql,
					 "CREATE TRIGGER %s BEFORE DELETE ON %s FOR EACH ROW "
					 "EXECUTE FUNCTION %s.soft_delete_trigger(%s",
					 quote_identifier(PGA_SOFTDEL_TRIGGER),
					 pga_guard_table_name(rel), PGA_SCHEMA,
					 quote_literal_cstr(PGA_TRIGGER_ARGS_VERSION));
	pga_guard_append_column_arg(&sql, "column", rel, attnum);
	appendStringInfo(&sql, ", %s)",
					 quote_literal_cstr(psprintf("view:%s", viewname)));
	pga_guard_exec(sql.data);

	qview = quote_qualified_identifier(get_namespace_name(nsp), viewname);
	pga_guard_exec(psprintf("CREATE VIEW %s WITH (security_invoker = true) AS "
							"SELECT * FROM %s WHERE %s IS NULL",
							qview, pga_guard_table_name(rel),
							quote_identifier(colname)));
	pga_guard_exec(psprintf("COMMENT ON VIEW %s IS %s", qview,
							quote_literal_cstr(psprintf("%s live rows of %s (soft delete on column %s)",
														PGA_COMMENT_MARKER,
														pga_guard_table_name(rel),
														quote_identifier(colname)))));

	/* Whoever may read the table may read its live rows. */
	rc = SPI_execute(psprintf("SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' "
							  "ELSE quote_ident(r.rolname) END "
							  "FROM pg_class c, aclexplode(c.relacl) a "
							  "LEFT JOIN pg_roles r ON r.oid = a.grantee "
							  "WHERE c.oid = %u AND a.privilege_type = 'SELECT' "
							  "AND a.grantee <> c.relowner",
							  RelationGetRelid(rel)), true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not read the privileges of %s", pga_guard_table_name(rel));
	{
		SPITupleTable *tt = SPI_tuptable;
		uint64		n = SPI_processed;

		for (i = 0; i < n; i++)
			pga_guard_exec(psprintf("GRANT SELECT ON %s TO %s", qview,
									SPI_getvalue(tt->vals[i], tt->tupdesc, 1)));
	}

	table_close(rel, NoLock);
	pga_guard_end(&ddl);
	PG_RETURN_VOID();
}

/*
 * architect.disable_soft_delete(tbl regclass, drop_column boolean)
 *		Remove the trigger and the live-rows view; the column (and so which
 *		rows were deleted) stays unless drop_column.
 */
Datum
pga_disable_soft_delete(PG_FUNCTION_ARGS)
{
	PgaGuardDDL ddl;
	Relation	rel;
	bool		drop_column;
	char	   *view;
	AttrNumber	attnum;

	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("drop_column must not be null")));
	drop_column = PG_GETARG_BOOL(1);

	pga_guard_begin(&ddl);
	rel = pga_guard_open_table(PG_GETARG_DATUM(0), PG_ARGISNULL(0), "soft_delete",
							   drop_column ? AccessExclusiveLock : ShareRowExclusiveLock);
	view = pga_softdel_trigger_view(rel);
	attnum = pga_softdel_trigger_column(rel);
	if (!pga_guard_drop_trigger(rel, PGA_SOFTDEL_TRIGGER, "soft_delete_trigger",
								"soft_delete"))
	{
		ereport(NOTICE,
				(errmsg("table %s has no soft_delete guard, nothing to do",
						pga_guard_table_name(rel))));
	}
	else
	{
		if (view)
			pga_softdel_drop_view(rel, view);
		if (drop_column && attnum != InvalidAttrNumber)
			pga_guard_alter(&rel, psprintf("ALTER TABLE %s DROP COLUMN %s",
										   pga_guard_table_name(rel),
										   quote_identifier(NameStr(TupleDescAttr(RelationGetDescr(rel), attnum - 1)->attname))));
	}
	table_close(rel, NoLock);
	pga_guard_end(&ddl);
	PG_RETURN_VOID();
}
