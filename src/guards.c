/*-------------------------------------------------------------------------
 *
 * guards.c
 *	  Helpers shared by the guard modules (audit, updated_at, soft delete,
 *	  row-level security): validating the table a guard is installed on,
 *	  running the guard's DDL under a bounded lock wait, reading and writing
 *	  the column arguments of guard triggers, and architect.guard_options(),
 *	  which the architect.guards view uses to show a trigger's options.
 *
 * Every enable_* / disable_* function follows the same pattern:
 *
 *		pga_guard_begin(&ddl);			  -- lock_timeout, SPI
 *		rel = pga_guard_open_table(...);  -- exists, kind, not a catalog,
 *										  -- not temporary, caller owns it
 *		... checks, then pga_guard_exec() of quoted DDL ...
 *		pga_guard_end(&ddl);
 *
 * The DDL runs as the caller (the table owner), in the caller's
 * transaction: an error anywhere rolls back everything the call did.
 *
 * Column arguments.  A guard trigger names the columns it works on in its
 * arguments as "key:attnum:name".  The attribute number keeps the guard on
 * the same column across ALTER TABLE ... RENAME COLUMN; the name keeps it on
 * the right column after a dump and restore, which renumbers columns when
 * some were dropped.  pga_guard_resolve_column() applies both: a column that
 * still carries the stored name wins, otherwise the column still at the
 * stored number (renamed since).
 *
 * Locking: the table is locked by pga_guard_open_table() in the mode the
 * caller asks for (the mode its DDL needs, so the checks and the DDL see
 * the same table), and held to the end of the transaction.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/catalog.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/parse_func.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "guc.h"
#include "guards.h"
#include "pg_architect.h"

PG_FUNCTION_INFO_V1(pga_guard_options);

static bool pga_callbacks_registered = false;

/* The guard caches in use in this backend (see pga_guard_cache_lookup). */
#define PGA_MAX_GUARD_CACHES 4
static PgaGuardCache *pga_guard_caches[PGA_MAX_GUARD_CACHES];
static int	pga_nguard_caches = 0;

/*
 * Relcache invalidation: a table was altered, renamed, got or lost a
 * trigger (InvalidOid: everything may have changed).  Each guard forgets
 * what it cached about it.
 */
static void
pga_guard_relcache_cb(Datum arg, Oid relid)
{
	int			i;

	pga_audit_invalidate(relid);
	for (i = 0; i < pga_nguard_caches; i++)
	{
		HASH_SEQ_STATUS status;
		PgaGuardCacheEntry *entry;

		hash_seq_init(&status, pga_guard_caches[i]->htab);
		while ((entry = hash_seq_search(&status)) != NULL)
			if (!OidIsValid(relid) || entry->relid == relid)
				entry->valid = false;
	}
}

/*
 * pga_guard_cache_lookup
 *		The cache entry of the trigger being fired, created zeroed on first
 *		sight.  *rebuild is false when the entry is valid for the table the
 *		trigger fires on; otherwise the caller fills in its fields and sets
 *		valid (an error on the way leaves it invalid, to be rebuilt).
 */
PgaGuardCacheEntry *
pga_guard_cache_lookup(PgaGuardCache *cache, TriggerData *trigdata,
					   bool *rebuild)
{
	Oid			relid = RelationGetRelid(trigdata->tg_relation);
	PgaGuardCacheEntry *entry;
	bool		found;

	if (cache->htab == NULL)
	{
		HASHCTL		ctl;

		if (pga_nguard_caches >= PGA_MAX_GUARD_CACHES)
			elog(ERROR, "too many guard caches");
		pga_guard_register_callbacks();
		ctl.keysize = sizeof(Oid);
		ctl.entrysize = cache->entrysize;
		cache->htab = hash_create(cache->name, 32, &ctl,
								  HASH_ELEM | HASH_BLOBS);
		pga_guard_caches[pga_nguard_caches++] = cache;
	}
	entry = hash_search(cache->htab, &trigdata->tg_trigger->tgoid,
						HASH_ENTER, &found);
	if (!found)
		memset((char *) entry + sizeof(Oid), 0, cache->entrysize - sizeof(Oid));
	*rebuild = !(found && entry->valid && entry->relid == relid);
	if (*rebuild)
	{
		entry->valid = false;
		entry->relid = relid;
	}
	return entry;
}

/*
 * Syscache invalidation of pg_authid or pg_namespace: a role or a schema
 * was renamed, so cached names may be stale.
 */
static void
pga_guard_syscache_cb(Datum arg, int cacheid, uint32 hashvalue)
{
	pga_audit_invalidate_names();
}

/*
 * pga_guard_register_callbacks
 *		Register the invalidation callbacks of the guard caches, once per
 *		backend, the first time a guard trigger fires.  (A backend can only
 *		register a few relcache callbacks, so the guards share one.)
 */
void
pga_guard_register_callbacks(void)
{
	if (pga_callbacks_registered)
		return;
	CacheRegisterRelcacheCallback(pga_guard_relcache_cb, (Datum) 0);
	CacheRegisterSyscacheCallback(AUTHOID, pga_guard_syscache_cb, (Datum) 0);
	CacheRegisterSyscacheCallback(NAMESPACEOID, pga_guard_syscache_cb, (Datum) 0);
	pga_callbacks_registered = true;
}

/*
 * pga_guard_check_before_row
 *		Refuse a call of a guard's BEFORE ROW trigger function (named fname,
 *		installed by architect.<enable_fn>()) that is not a trigger firing
 *		BEFORE <what> FOR EACH ROW; "what" is "UPDATE" or "DELETE".
 */
void
pga_guard_check_before_row(FunctionCallInfo fcinfo, const char *fname,
						   const char *enable_fn, const char *what)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	bool		by_update = (strcmp(what, "UPDATE") == 0);

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("architect.%s() must be called as a trigger", fname),
				 errhint("Install it with architect.%s().", enable_fn)));
	if (!TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		!(by_update ? TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) :
		  TRIGGER_FIRED_BY_DELETE(trigdata->tg_event)))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("architect.%s() must be fired BEFORE %s FOR EACH ROW",
						fname, what),
				 errhint("Install it with architect.%s().", enable_fn)));
}

/*
 * pga_guard_begin
 *		Start a guard DDL section: bound lock waits by
 *		pg_architect.guard_lock_timeout for the rest of the call, and
 *		connect to SPI.
 */
void
pga_guard_begin(PgaGuardDDL *ddl)
{
	ddl->guc_nest = NewGUCNestLevel();
	if (pga_guard_lock_timeout > 0)
	{
		char		buf[32];

		snprintf(buf, sizeof(buf), "%dms", pga_guard_lock_timeout);
		(void) set_config_option("lock_timeout", buf,
								 PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
	}
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ddl->spi_connected = true;
}

/*
 * pga_guard_end
 *		End a guard DDL section successfully: disconnect from SPI and restore
 *		lock_timeout.  On error the transaction abort does both.
 */
void
pga_guard_end(PgaGuardDDL *ddl)
{
	if (ddl->spi_connected)
		SPI_finish();
	ddl->spi_connected = false;
	AtEOXact_GUC(true, ddl->guc_nest);
}

/*
 * pga_guard_exec
 *		Run one SQL statement through SPI (inside a guard DDL section).
 *		Errors propagate: the caller's transaction is rolled back.
 */
void
pga_guard_exec(const char *sql)
{
	int			rc;

	rc = SPI_execute(sql, false, 0);
	if (rc < 0)
		elog(ERROR, "SPI_execute failed (%d): %s", rc, sql);
}

/*
 * pga_guard_alter
 *		Run an ALTER TABLE on the guarded table.  ALTER TABLE refuses a
 *		table this backend holds open, so the relation is closed around it
 *		(the lock stays) and reopened with the new descriptor.
 */
void
pga_guard_alter(Relation *relp, const char *sql)
{
	Oid			relid = RelationGetRelid(*relp);

	table_close(*relp, NoLock);
	*relp = NULL;
	pga_guard_exec(sql);
	CommandCounterIncrement();
	*relp = table_open(relid, NoLock);
}

/*
 * pga_guard_open_table
 *		Open and lock the table a guard is to be installed on or removed
 *		from, refusing everything a guard cannot or must not work on.
 *
 * "guard" names the guard for messages ("audit", "updated_at", ...).  The
 * caller closes the relation with table_close(rel, NoLock).
 */
Relation
pga_guard_open_table(Datum relid_datum, bool isnull, const char *guard,
					 LOCKMODE lockmode)
{
	Oid			relid;
	Relation	rel;
	Oid			nspid;
	char	   *relname;

	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("table must not be null"),
				 errhint("Pass the table as 'schema.table' (a regclass).")));

	relid = DatumGetObjectId(relid_datum);
	pga_require_primary(psprintf("changing the %s guard", guard));

	/*
	 * Refuse a caller who does not own the table before locking it, so that
	 * nobody can hold up another role's table by asking for a guard on it.
	 */
	if (SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid)) &&
		!pg_class_ownercheck(relid, GetUserId()))
	{
		char	   *name = get_rel_name(relid);
		Oid			owner = InvalidOid;
		HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));

		if (HeapTupleIsValid(tup))
		{
			owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
			ReleaseSysCache(tup);
		}
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be owner of table %s to change its %s guard",
						name ? name : "?", guard),
				 errdetail("Table %s is owned by role %s.",
						   name ? quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), name) : "?",
						   OidIsValid(owner) ? GetUserNameFromId(owner, false) : "?"),
				 errhint("Ask the owner of the table, or a superuser, to run it.")));
	}

	rel = try_relation_open(relid, lockmode);
	if (rel == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid),
				 errdetail("It may have been dropped since the statement was planned."),
				 errhint("Pass an existing table as 'schema.table'.")));

	relname = RelationGetRelationName(rel);
	nspid = RelationGetNamespace(rel);

	switch (rel->rd_rel->relkind)
	{
		case RELKIND_RELATION:
		case RELKIND_PARTITIONED_TABLE:
			break;
		case RELKIND_VIEW:
			ereport(ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("cannot use the %s guard on view \"%s\"", guard, relname),
					 errdetail("Guards work on tables: a view holds no rows of its own."),
					 errhint("Enable the guard on the table the view reads.")));
			break;
		case RELKIND_MATVIEW:
			ereport(ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("cannot use the %s guard on materialized view \"%s\"",
							guard, relname),
					 errdetail("A materialized view is rewritten by REFRESH, not changed row by row."),
					 errhint("Enable the guard on the tables the view reads.")));
			break;
		case RELKIND_FOREIGN_TABLE:
			ereport(ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("cannot use the %s guard on foreign table \"%s\"",
							guard, relname),
					 errdetail("The rows of a foreign table live on another server, which this guard cannot see."),
					 errhint("Install the guard on the server that holds the table.")));
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("cannot use the %s guard on \"%s\"", guard, relname),
					 errdetail("\"%s\" is not a table.", relname),
					 errhint("Pass a table as 'schema.table'.")));
	}

	if (IsSystemRelation(rel) || IsCatalogNamespace(nspid) ||
		IsToastNamespace(nspid) ||
		strcmp(get_namespace_name(nspid), "information_schema") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied: \"%s\" is a system catalog",
						relname),
				 errdetail("Guards cannot be installed on system catalogs."),
				 errhint("Enable the guard on a user table.")));

	if (strcmp(get_namespace_name(nspid), PGA_SCHEMA) == 0)
	{
		if (strncmp(relname, PGA_AUDIT_LOG, strlen(PGA_AUDIT_LOG)) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot use the %s guard on the audit log \"%s\"",
							guard, relname),
					 errdetail("Auditing the audit log would recurse, and it is append-only."),
					 errhint("Read the audit log through role architect_auditor.")));
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot use the %s guard on \"%s.%s\"", guard, PGA_SCHEMA,
						relname),
				 errdetail("The objects of schema architect belong to pg_architect."),
				 errhint("Enable the guard on a user table.")));
	}

	if (rel->rd_rel->relpersistence == RELPERSISTENCE_TEMP)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot use the %s guard on temporary table \"%s\"",
						guard, relname),
				 errdetail("A temporary table and its rows vanish at the end of the session."),
				 errhint("Enable the guard on a permanent table.")));

	if (!pg_class_ownercheck(relid, GetUserId()))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be owner of table %s to change its %s guard",
						relname, guard),
				 errdetail("Table %s is owned by role %s.",
						   pga_guard_table_name(rel),
						   GetUserNameFromId(rel->rd_rel->relowner, false)),
				 errhint("Ask the owner of the table, or a superuser, to run it.")));

	return rel;
}

/*
 * pga_guard_table_name
 *		Schema-qualified, quoted name of a relation, for DDL and messages.
 */
char *
pga_guard_table_name(Relation rel)
{
	return quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
									  RelationGetRelationName(rel));
}

/*
 * pga_guard_column
 *		Attribute number of a user column of rel, or an error naming the
 *		column (or InvalidAttrNumber when missing_ok and it does not exist).
 */
AttrNumber
pga_guard_column(Relation rel, const char *colname, const char *guard,
				 bool missing_ok)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	int			i;

	if (colname == NULL || colname[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("column name must not be empty")));

	for (i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), colname) == 0)
			return att->attnum;
	}

	if (missing_ok)
		return InvalidAttrNumber;

	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_COLUMN),
			 errmsg("column \"%s\" of table %s does not exist",
					colname, pga_guard_table_name(rel)),
			 errhint("Column names are case sensitive here: pass the name as it is stored, without quotes.")));
	return InvalidAttrNumber;	/* keep compiler quiet */
}

/*
 * pga_guard_is_timestamp_type
 *		True for the types an updated_at or deleted_at column may have.
 */
bool
pga_guard_is_timestamp_type(Oid typid)
{
	typid = getBaseType(typid);
	return typid == TIMESTAMPTZOID || typid == TIMESTAMPOID || typid == DATEOID;
}

/*
 * pga_guard_find_trigger
 *		OID of the trigger named tgname on relid (InvalidOid if none); its
 *		function in *tgfoid when not NULL.
 */
Oid
pga_guard_find_trigger(Oid relid, const char *tgname, Oid *tgfoid)
{
	Relation	tgrel;
	ScanKeyData key[2];
	SysScanDesc scan;
	HeapTuple	tup;
	Oid			result = InvalidOid;

	tgrel = table_open(TriggerRelationId, AccessShareLock);
	ScanKeyInit(&key[0], Anum_pg_trigger_tgrelid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	ScanKeyInit(&key[1], Anum_pg_trigger_tgname, BTEqualStrategyNumber,
				F_NAMEEQ, CStringGetDatum(tgname));
	scan = systable_beginscan(tgrel, TriggerRelidNameIndexId, true, NULL,
							  2, key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
	{
		Form_pg_trigger tg = (Form_pg_trigger) GETSTRUCT(tup);

		result = tg->oid;
		if (tgfoid)
			*tgfoid = tg->tgfoid;
	}
	systable_endscan(scan);
	table_close(tgrel, AccessShareLock);
	return result;
}

/*
 * pga_guard_function_oid
 *		OID of the argument-less function architect.<fname>() (the trigger
 *		functions of the guards).
 */
Oid
pga_guard_function_oid(const char *fname)
{
	List	   *name = list_make2(makeString(PGA_SCHEMA),
								  makeString(pstrdup(fname)));

	return LookupFuncName(name, 0, NULL, false);
}

/*
 * pga_guard_refuse_foreign_trigger
 *		Refuse to touch a trigger that has a guard's name but is not ours.
 */
void
pga_guard_refuse_foreign_trigger(Relation rel, const char *tgname,
								 const char *fname)
{
	Oid			tgfoid = InvalidOid;

	if (OidIsValid(pga_guard_find_trigger(RelationGetRelid(rel), tgname,
										  &tgfoid)) &&
		tgfoid != pga_guard_function_oid(fname))
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("trigger \"%s\" on table %s is not pg_architect's",
						tgname, pga_guard_table_name(rel)),
				 errdetail("A trigger of that name exists and calls another function."),
				 errhint("Rename or drop that trigger first.")));
}

static bool pga_trigger_parent(Oid tgoid, Oid *parent, Oid *relid);

/*
 * pga_guard_drop_trigger
 *		Drop a guard's trigger from rel; false when it has none.  Refuses a
 *		trigger of that name that is not the guard's, and the clone of a
 *		guard installed on a partitioned table above rel.
 */
bool
pga_guard_drop_trigger(Relation rel, const char *tgname, const char *fname,
					   const char *guard)
{
	Oid			tgfoid = InvalidOid;
	Oid			tgoid;
	Oid			parent;
	Oid			tgrelid;

	tgoid = pga_guard_find_trigger(RelationGetRelid(rel), tgname, &tgfoid);
	if (!OidIsValid(tgoid))
		return false;
	pga_guard_refuse_foreign_trigger(rel, tgname, fname);
	if (pga_trigger_parent(tgoid, &parent, &tgrelid) && OidIsValid(parent))
	{
		Oid			root = pga_guard_trigger_root(tgoid, RelationGetRelid(rel));

		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("the %s guard of partition %s comes from %s",
						guard, pga_guard_table_name(rel),
						quote_qualified_identifier(get_namespace_name(get_rel_namespace(root)),
												   get_rel_name(root))),
				 errdetail("A guard installed on a partitioned table covers all of its partitions."),
				 errhint("Change the guard on the partitioned table instead.")));
	}
	pga_guard_exec(psprintf("DROP TRIGGER %s ON %s", quote_identifier(tgname),
							pga_guard_table_name(rel)));
	return true;
}

/*
 * pga_trigger_parent
 *		pg_trigger.tgparentid and tgrelid of a trigger (by OID).
 */
static bool
pga_trigger_parent(Oid tgoid, Oid *parent, Oid *relid)
{
	Relation	tgrel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	bool		found = false;

	tgrel = table_open(TriggerRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_trigger_oid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(tgoid));
	scan = systable_beginscan(tgrel, TriggerOidIndexId, true, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
	{
		Form_pg_trigger tg = (Form_pg_trigger) GETSTRUCT(tup);

		*parent = tg->tgparentid;
		*relid = tg->tgrelid;
		found = true;
	}
	systable_endscan(scan);
	table_close(tgrel, AccessShareLock);
	return found;
}

/*
 * pga_guard_trigger_root
 *		The table a (possibly cloned) trigger was created on: for the clone
 *		of a trigger on a partitioned table, the partitioned table at the
 *		top; otherwise relid itself.
 */
Oid
pga_guard_trigger_root(Oid tgoid, Oid relid)
{
	Oid			parent;
	Oid			tgrelid;
	int			depth = 0;

	while (pga_trigger_parent(tgoid, &parent, &tgrelid))
	{
		relid = tgrelid;
		if (!OidIsValid(parent) || ++depth > 1000)
			break;
		tgoid = parent;
	}
	return relid;
}

/*
 * pga_guard_check_partition_tree
 *		A guard goes on a partitioned table once, and covers its partitions
 *		through the cloned triggers.  Refuse to install it on a partition of
 *		a table that has it, or on a partitioned table one of whose
 *		partitions has its own.
 */
void
pga_guard_check_partition_tree(Relation rel, const char *tgname,
							   const char *guard)
{
	ListCell   *lc;

	if (rel->rd_rel->relispartition)
	{
		List	   *ancestors = get_partition_ancestors(RelationGetRelid(rel));

		foreach(lc, ancestors)
		{
			Oid			anc = lfirst_oid(lc);

			if (OidIsValid(pga_guard_find_trigger(anc, tgname, NULL)))
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_OBJECT),
						 errmsg("table %s is a partition of %s, which already has the %s guard",
								pga_guard_table_name(rel),
								quote_qualified_identifier(get_namespace_name(get_rel_namespace(anc)),
														   get_rel_name(anc)),
								guard),
						 errdetail("A guard installed on a partitioned table covers all of its partitions."),
						 errhint("Change the guard on the partitioned table instead.")));
		}
	}

	if (rel->rd_rel->relkind == RELKIND_PARTITIONED_TABLE)
	{
		List	   *children = find_all_inheritors(RelationGetRelid(rel),
												   NoLock, NULL);

		foreach(lc, children)
		{
			Oid			child = lfirst_oid(lc);
			Oid			tgoid;
			Oid			parent;
			Oid			tgrelid;

			if (child == RelationGetRelid(rel))
				continue;
			tgoid = pga_guard_find_trigger(child, tgname, NULL);
			if (OidIsValid(tgoid) &&
				pga_trigger_parent(tgoid, &parent, &tgrelid) &&
				!OidIsValid(parent))
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_OBJECT),
						 errmsg("partition %s of %s already has its own %s guard",
								quote_qualified_identifier(get_namespace_name(get_rel_namespace(child)),
														   get_rel_name(child)),
								pga_guard_table_name(rel), guard),
						 errdetail("A guard installed on a partitioned table covers all of its partitions."),
						 errhint("Remove the guard from the partition first.")));
		}
	}
}

/*
 * pga_guard_append_column_arg
 *		Append ", 'key:attnum:name'" (a quoted trigger argument naming a
 *		column) to a CREATE TRIGGER statement being built.
 */
void
pga_guard_append_column_arg(StringInfo buf, const char *key, Relation rel,
							AttrNumber attnum)
{
	Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), attnum - 1);
	char	   *arg;

	arg = psprintf("%s:%d:%s", key, (int) attnum, NameStr(att->attname));
	appendStringInfo(buf, ", %s", quote_literal_cstr(arg));
}

/*
 * pga_guard_parse_column_arg
 *		Parse a "key:attnum:name" trigger argument; false if arg is not of
 *		that key.
 */
bool
pga_guard_parse_column_arg(const char *arg, const char *key,
						   AttrNumber *attnum, const char **name)
{
	size_t		klen = strlen(key);
	char	   *end;
	long		num;

	if (strncmp(arg, key, klen) != 0 || arg[klen] != ':')
		return false;
	num = strtol(arg + klen + 1, &end, 10);
	if (*end != ':' || num < 1 || num > MaxAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("malformed guard trigger argument \"%s\"", arg),
				 errhint("Install the guard again with its enable function.")));
	*attnum = (AttrNumber) num;
	*name = end + 1;
	return true;
}

/*
 * pga_guard_resolve_column
 *		The column a "attnum:name" argument designates today (see the file
 *		header), or InvalidAttrNumber when it is gone.
 */
AttrNumber
pga_guard_resolve_column(TupleDesc tupdesc, AttrNumber attnum,
						 const char *name)
{
	int			i;
	Form_pg_attribute att;

	if (attnum >= 1 && attnum <= tupdesc->natts)
	{
		att = TupleDescAttr(tupdesc, attnum - 1);
		if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0)
			return attnum;
	}
	for (i = 0; i < tupdesc->natts; i++)
	{
		att = TupleDescAttr(tupdesc, i);
		if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0)
			return att->attnum;
	}
	if (attnum >= 1 && attnum <= tupdesc->natts &&
		!TupleDescAttr(tupdesc, attnum - 1)->attisdropped)
		return attnum;
	return InvalidAttrNumber;
}

/*
 * Column name for guard_options() output (NULL when the column is gone).
 */
static const char *
pga_options_column(TupleDesc tupdesc, const char *arg, const char *key)
{
	AttrNumber	attnum;
	const char *name;
	AttrNumber	resolved;

	if (!pga_guard_parse_column_arg(arg, key, &attnum, &name))
		return NULL;
	resolved = pga_guard_resolve_column(tupdesc, attnum, name);
	if (resolved == InvalidAttrNumber)
		return NULL;
	return NameStr(TupleDescAttr(tupdesc, resolved - 1)->attname);
}

/*
 * Append the JSON array of the columns named by arguments of one key.  For
 * the audit's excluded and masked columns, both the column of the stored
 * number and the one of the stored name are covered (see audit.c), so both
 * are listed.
 */
static void
pga_options_column_list(StringInfo buf, TupleDesc tupdesc, char **args,
						int nargs, const char *key)
{
	bool		first = true;
	int			i;
	Bitmapset  *seen = NULL;

	appendStringInfoChar(buf, '[');
	for (i = 0; i < nargs; i++)
	{
		AttrNumber	attnum;
		const char *name;
		int			j;

		if (!pga_guard_parse_column_arg(args[i], key, &attnum, &name))
			continue;
		for (j = 0; j < tupdesc->natts; j++)
		{
			Form_pg_attribute att = TupleDescAttr(tupdesc, j);

			if (att->attisdropped || bms_is_member(j, seen))
				continue;
			if (att->attnum == attnum || strcmp(NameStr(att->attname), name) == 0)
			{
				seen = bms_add_member(seen, j);
				if (!first)
					appendStringInfoString(buf, ", ");
				escape_json(buf, NameStr(att->attname));
				first = false;
			}
		}
	}
	appendStringInfoChar(buf, ']');
}

/*
 * Value of a "key:value" argument, or NULL.
 */
static const char *
pga_options_value(char **args, int nargs, const char *key)
{
	size_t		klen = strlen(key);
	int			i;

	for (i = 0; i < nargs; i++)
		if (strncmp(args[i], key, klen) == 0 && args[i][klen] == ':')
			return args[i] + klen + 1;
	return NULL;
}

/*
 * architect.guard_options(trigger oid) returns jsonb
 *		The options of a guard trigger, decoded from its arguments with the
 *		columns under their current names; NULL for a trigger that is not a
 *		guard's or no longer exists.
 */
Datum
pga_guard_options(PG_FUNCTION_ARGS)
{
	Oid			tgoid = PG_GETARG_OID(0);
	Relation	tgrel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	Oid			tgrelid = InvalidOid;
	Oid			tgfoid = InvalidOid;
	int			nargs = 0;
	char	  **args = NULL;
	Relation	rel;
	TupleDesc	tupdesc;
	StringInfoData buf;
	char	   *fname;
	bool		log_statement;
	int			i;

	tgrel = table_open(TriggerRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_trigger_oid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(tgoid));
	scan = systable_beginscan(tgrel, TriggerOidIndexId, true, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
	{
		Form_pg_trigger tg = (Form_pg_trigger) GETSTRUCT(tup);

		tgrelid = tg->tgrelid;
		tgfoid = tg->tgfoid;
		nargs = tg->tgnargs;
		if (nargs > 0)
		{
			bool		isnull;
			Datum		val;
			bytea	   *ba;
			char	   *p;

			val = fastgetattr(tup, Anum_pg_trigger_tgargs,
							  RelationGetDescr(tgrel), &isnull);
			if (isnull)
				nargs = 0;
			else
			{
				ba = DatumGetByteaPP(val);
				p = VARDATA_ANY(ba);
				args = palloc(nargs * sizeof(char *));
				for (i = 0; i < nargs; i++)
				{
					args[i] = pstrdup(p);
					p += strlen(p) + 1;
				}
			}
		}
	}
	systable_endscan(scan);
	table_close(tgrel, AccessShareLock);

	if (!OidIsValid(tgrelid))
		PG_RETURN_NULL();

	fname = get_func_name(tgfoid);
	if (fname == NULL || get_func_namespace(tgfoid) !=
		get_namespace_oid(PGA_SCHEMA, false))
		PG_RETURN_NULL();

	rel = try_relation_open(tgrelid, AccessShareLock);
	if (rel == NULL)
		PG_RETURN_NULL();
	tupdesc = RelationGetDescr(rel);

	initStringInfo(&buf);
	if (strcmp(fname, "audit_trigger") == 0)
	{
		appendStringInfoString(&buf, "{\"exclude_columns\": ");
		pga_options_column_list(&buf, tupdesc, args, nargs, "exclude");
		appendStringInfoString(&buf, ", \"mask_columns\": ");
		pga_options_column_list(&buf, tupdesc, args, nargs, "mask");
		log_statement = false;
		for (i = 0; i < nargs; i++)
			if (strcmp(args[i], "statement") == 0)
				log_statement = true;
		appendStringInfo(&buf, ", \"log_statement\": %s}",
						 log_statement ? "true" : "false");
	}
	else if (strcmp(fname, "updated_at_trigger") == 0 ||
			 strcmp(fname, "soft_delete_trigger") == 0)
	{
		const char *col = NULL;
		const char *v;

		for (i = 0; i < nargs && col == NULL; i++)
			col = pga_options_column(tupdesc, args[i], "column");
		appendStringInfoString(&buf, "{\"column\": ");
		if (col)
			escape_json(&buf, col);
		else
			appendStringInfoString(&buf, "null");
		if (strcmp(fname, "updated_at_trigger") == 0)
		{
			v = pga_options_value(args, nargs, "clock");
			appendStringInfoString(&buf, ", \"clock\": ");
			escape_json(&buf, v ? v : "transaction");
			v = pga_options_value(args, nargs, "explicit");
			appendStringInfo(&buf, ", \"respect_explicit\": %s",
							 (v == NULL || strcmp(v, "respect") == 0) ? "true" : "false");
			v = pga_options_value(args, nargs, "unchanged");
			appendStringInfo(&buf, ", \"skip_unchanged\": %s",
							 (v == NULL || strcmp(v, "skip") == 0) ? "true" : "false");
		}
		else
		{
			v = pga_options_value(args, nargs, "view");
			appendStringInfoString(&buf, ", \"view\": ");
			if (v)
				escape_json(&buf, v);
			else
				appendStringInfoString(&buf, "null");
		}
		appendStringInfoChar(&buf, '}');
	}
	else
	{
		table_close(rel, AccessShareLock);
		PG_RETURN_NULL();
	}
	table_close(rel, AccessShareLock);

	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}
