/*-------------------------------------------------------------------------
 *
 * rls.c
 *	  The row-level-security guards: architect.enable_rls() (one tenant per
 *	  session, from a setting), architect.enable_owner_rls() (rows owned by
 *	  a role or an application user) and architect.disable_rls().
 *
 * What enable_rls() creates on the table:
 *	 - ENABLE and FORCE ROW LEVEL SECURITY (the table owner is subject to
 *	   the policies too; superusers and BYPASSRLS roles never are);
 *	 - four permissive policies, architect_tenant_select / _insert /
 *	   _update / _delete, comparing the tenant column with
 *			(SELECT architect.guard_setting('<setting>')::<column type>)
 *	   The sub-select is evaluated once per statement (an InitPlan), and its
 *	   result is a parameter of the column's type, so the comparison is an
 *	   index condition.  guard_setting() returns NULL when the setting is
 *	   unset or empty: "column = NULL" holds for no row, so such a session
 *	   sees nothing and can write nothing (fail closed, without errors);
 *	 - for bypass roles, one more permissive policy architect_tenant_bypass
 *	   FOR ALL TO those roles USING (true): permissive policies are OR-ed
 *	   only for the roles they apply to, so other roles' plans keep the
 *	   plain, indexable tenant condition;
 *	 - an index on the tenant column if no valid, non-partial index has it
 *	   as its first key: an index job that the background worker builds
 *	   CONCURRENTLY after the caller commits, or, when no worker can, a plain
 *	   CREATE INDEX inside the caller's transaction (rls_index.c).
 *
 * The policies call architect.guard_setting(), so they depend on the
 * extension: DROP EXTENSION refuses while they exist and DROP EXTENSION
 * ... CASCADE drops them (the table then stays under row-level security
 * with no policy, i.e. closed to all but superusers and the BYPASSRLS
 * roles).
 *
 * What was there before (RLS enabled, forced), the index name and the ids
 * of the index jobs queued are recorded in the comment of the
 * architect_*_select policy, as JSON after the marker "pg_architect:";
 * disable_rls() reads it to remove exactly what was added (rls_index.c)
 * and restore the two flags.  An index built inside the transaction
 * carries a marker comment instead of a job.
 *
 * enable_owner_rls() is the same with policies architect_owner_*: the
 * column is compared with current_user (guard_current_user()) or, when a
 * setting is given, with that setting.  A table has either kind, not
 * both (two sets of permissive policies would be OR-ed).
 *
 * Locking: AccessExclusiveLock on the table (ALTER TABLE ... ROW LEVEL
 * SECURITY and CREATE POLICY need it), waited for at most
 * pg_architect.guard_lock_timeout.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "catalog/index.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "commands/comment.h"
#include "commands/defrem.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "guards.h"
#include "pg_architect.h"

PG_FUNCTION_INFO_V1(pga_enable_rls);
PG_FUNCTION_INFO_V1(pga_enable_owner_rls);
PG_FUNCTION_INFO_V1(pga_disable_rls);

static const char *const pga_rls_commands[] = {"select", "insert", "update", "delete"};

/* The guard's policies found on a table. */
typedef struct PgaRlsState
{
	const char *kind;			/* "tenant", "owner" or NULL (none) */
	List	   *policies;		/* names of architect_<kind>_* policies */
	bool		was_enabled;	/* RLS enabled before the guard */
	bool		was_forced;		/* RLS forced before the guard */
	bool		have_record;	/* the two above come from the comment */
	char	   *index_name;		/* index recorded, or NULL */
	List	   *jobs;			/* index job ids recorded (int64 *) */
} PgaRlsState;

/*
 * Add the job ids of a bigint[] to st->jobs (inside SPI, like the rest of
 * the state).
 */
static void
pga_rls_read_jobs(Datum arrd, PgaRlsState *st)
{
	ArrayType  *arr = DatumGetArrayTypeP(arrd);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;

	deconstruct_array(arr, INT8OID, sizeof(int64), FLOAT8PASSBYVAL,
					  TYPALIGN_DOUBLE, &elems, &nulls, &n);
	for (i = 0; i < n; i++)
	{
		int64	   *id;

		if (nulls[i])
			continue;
		id = palloc(sizeof(int64));
		*id = DatumGetInt64(elems[i]);
		st->jobs = lappend(st->jobs, id);
	}
}

/*
 * Read the guard's policies on relid and what the select policy's comment
 * recorded (inside SPI).
 */
static void
pga_rls_state(Oid relid, PgaRlsState *st)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		args[1];
	int			rc;
	uint64		i;

	memset(st, 0, sizeof(*st));
	args[0] = ObjectIdGetDatum(relid);
	rc = SPI_execute_with_args("SELECT p.polname::text, "
							   "substring(p.polname from '^architect_(tenant|owner)_'), "
							   "(r.rec ->> 'rls_was_enabled')::boolean, "
							   "(r.rec ->> 'rls_was_forced')::boolean, "
							   "r.rec ->> 'index', "
							   "ARRAY(SELECT e::bigint FROM jsonb_array_elements_text("
							   "CASE WHEN jsonb_typeof(r.rec -> 'index_jobs') = 'array' "
							   "THEN r.rec -> 'index_jobs' ELSE '[]' END) e) "
							   "FROM pg_policy p "
							   "LEFT JOIN pg_description d ON d.objoid = p.oid "
							   "AND d.classoid = 'pg_policy'::regclass AND d.objsubid = 0 "
							   "LEFT JOIN LATERAL (SELECT CASE WHEN d.description LIKE 'pg_architect:%' "
							   "THEN substr(d.description, 14)::jsonb END AS rec) r ON true "
							   "WHERE p.polrelid = $1 "
							   "AND p.polname ~ '^architect_(tenant|owner)_(select|insert|update|delete|bypass)$' "
							   "ORDER BY 1",
							   1, argtypes, args, NULL, true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not read the policies of table %u", relid);
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	td = SPI_tuptable->tupdesc;
		char	   *name = SPI_getvalue(tup, td, 1);
		char	   *kind = SPI_getvalue(tup, td, 2);
		bool		isnull;
		Datum		en;
		Datum		fo;

		st->policies = lappend(st->policies, name);
		if (st->kind == NULL)
			st->kind = kind;
		else if (strcmp(st->kind, kind) != 0)
			st->kind = "mixed";
		en = SPI_getbinval(tup, td, 3, &isnull);
		if (!isnull)
		{
			st->was_enabled = DatumGetBool(en);
			fo = SPI_getbinval(tup, td, 4, &isnull);
			st->was_forced = !isnull && DatumGetBool(fo);
			st->have_record = true;
			st->index_name = SPI_getvalue(tup, td, 5);
			pga_rls_read_jobs(SPI_getbinval(tup, td, 6, &isnull), st);
		}
	}
}

/*
 * True when a valid, non-partial index of rel has attnum as first key.
 */
static bool
pga_rls_has_leading_index(Relation rel, AttrNumber attnum)
{
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;

	foreach(lc, indexes)
	{
		HeapTuple	tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(lfirst_oid(lc)));
		Form_pg_index idx;
		bool		ok;

		if (!HeapTupleIsValid(tup))
			continue;
		idx = (Form_pg_index) GETSTRUCT(tup);
		ok = idx->indisvalid && idx->indnkeyatts > 0 &&
			idx->indkey.values[0] == attnum &&
			heap_attisnull(tup, Anum_pg_index_indpred, NULL);
		ReleaseSysCache(tup);
		if (ok)
			return true;
	}
	return false;
}

/*
 * A custom setting name the application can SET: "prefix.name", letters,
 * digits, underscores and dots, not under the reserved pg_architect.
 */
static void
pga_rls_check_setting(const char *setting)
{
	const char *p;
	bool		ok = setting[0] != '\0' && strchr(setting, '.') != NULL &&
		setting[0] != '.' && setting[strlen(setting) - 1] != '.';

	for (p = setting; ok && *p; p++)
		if (!(isalnum((unsigned char) *p) || *p == '_' || *p == '.'))
			ok = false;
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid setting name \"%s\"", setting),
				 errdetail("The tenant is read from a custom setting the application sets, named like prefix.name."),
				 errhint("Use a name such as 'app.current_tenant'.")));
	if (strncmp(setting, "pg_architect.", 13) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("setting name \"%s\" uses the reserved prefix pg_architect", setting),
				 errhint("Use a name such as 'app.current_tenant'.")));
}

/*
 * Shared body of enable_rls() and enable_owner_rls().
 *
 * setting NULL (owner kind only) compares with current_user.
 */
static void
pga_rls_enable(FunctionCallInfo fcinfo, const char *kind)
{
	PgaGuardDDL ddl;
	Relation	rel;
	const char *colname;
	const char *setting;
	AttrNumber	attnum;
	Form_pg_attribute att;
	Oid			basetype;
	List	   *bypass = NIL;
	bool		create_index;
	PgaRlsState st;
	bool		was_enabled;
	bool		was_forced;
	char	   *qtable;
	char	   *qcol;
	char	   *value;
	char	   *cond;
	char	   *index_name = NULL;
	List	   *jobs;
	StringInfoData rec;
	ListCell   *lc;
	int			i;
	const char *fname = strcmp(kind, "tenant") == 0 ?
		"architect.enable_rls()" : "architect.enable_owner_rls()";

	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the %s column must not be null", kind),
				 errhint("Pass the name of the column that holds the %s.", kind)));
	if ((strcmp(kind, "tenant") == 0 && PG_ARGISNULL(2)) ||
		PG_ARGISNULL(3) || PG_ARGISNULL(4))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("arguments of %s must not be null", fname),
				 errhint("Leave an option out to get its default.")));
	colname = NameStr(*PG_GETARG_NAME(1));
	setting = PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2));
	create_index = PG_GETARG_BOOL(4);
	if (setting)
		pga_rls_check_setting(setting);

	{
		ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(3);
		Datum	   *elems;
		bool	   *nulls;
		int			n;

		deconstruct_array(arr, NAMEOID, NAMEDATALEN, false, TYPALIGN_CHAR,
						  &elems, &nulls, &n);
		for (i = 0; i < n; i++)
		{
			const char *role;

			if (nulls[i])
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("bypass_roles must not contain nulls")));
			role = NameStr(*DatumGetName(elems[i]));
			if (pg_strcasecmp(role, "public") == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("PUBLIC cannot be a bypass role"),
						 errdetail("Every role would see every row."),
						 errhint("Name the roles that must see all rows.")));
			if (!OidIsValid(get_role_oid(role, true)))
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_OBJECT),
						 errmsg("role \"%s\" does not exist", role),
						 errhint("Create the role first, or leave it out of bypass_roles.")));
			bypass = lappend(bypass, pstrdup(role));
		}
	}

	pga_require_primary(fname);
	pga_guard_begin(&ddl);
	rel = pga_guard_open_table(PG_GETARG_DATUM(0), PG_ARGISNULL(0),
							   strcmp(kind, "tenant") == 0 ? "rls" : "owner_rls",
							   AccessExclusiveLock);
	qtable = pga_guard_table_name(rel);
	attnum = pga_guard_column(rel, colname, kind, false);
	att = TupleDescAttr(RelationGetDescr(rel), attnum - 1);
	basetype = getBaseType(att->atttypid);
	qcol = pstrdup(quote_identifier(colname));

	if (setting == NULL &&
		basetype != TEXTOID && basetype != VARCHAROID && basetype != NAMEOID &&
		basetype != REGROLEOID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("owner column \"%s\" of table %s has type %s",
						colname, qtable, format_type_be(att->atttypid)),
				 errdetail("Without a setting the column is compared with current_user, a role name."),
				 errhint("Use a text, varchar, name or regrole column, or pass the setting that holds the application user.")));

	pga_rls_state(RelationGetRelid(rel), &st);
	if (st.kind && strcmp(st.kind, kind) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table %s already has the %s row-level security guard",
						qtable, strcmp(st.kind, "tenant") == 0 ? "tenant" : "owner"),
				 errdetail("Two sets of permissive policies would be OR-ed, which would weaken both."),
				 errhint("Run architect.disable_rls() first.")));

	/* Enabling again: start from what was there before the first time. */
	if (st.have_record)
	{
		was_enabled = st.was_enabled;
		was_forced = st.was_forced;
	}
	else
	{
		was_enabled = rel->rd_rel->relrowsecurity;
		was_forced = rel->rd_rel->relforcerowsecurity;
	}
	foreach(lc, st.policies)
		pga_guard_exec(psprintf("DROP POLICY %s ON %s",
								quote_identifier(lfirst(lc)), qtable));

	/* Other permissive policies would be OR-ed with ours. */
	{
		Oid			argtypes[1] = {OIDOID};
		Datum		args[1];
		int			rc;

		args[0] = ObjectIdGetDatum(RelationGetRelid(rel));
		rc = SPI_execute_with_args("SELECT string_agg(quote_ident(polname), ', ' ORDER BY polname) "
								   "FROM pg_policy WHERE polrelid = $1 AND polpermissive "
								   "AND polname !~ '^architect_(tenant|owner)_'",
								   1, argtypes, args, NULL, true, 0);
		if (rc == SPI_OK_SELECT && SPI_processed == 1)
		{
			char	   *others = SPI_getvalue(SPI_tuptable->vals[0],
											  SPI_tuptable->tupdesc, 1);

			if (others)
				ereport(WARNING,
						(errmsg("table %s has other permissive policies: %s",
								qtable, others),
						 errdetail("Permissive policies are OR-ed: a row any of them allows is visible."),
						 errhint("Make those policies RESTRICTIVE or drop them, so that the %s policies isolate the rows.", kind)));
		}
	}

	if (!rel->rd_rel->relrowsecurity)
		pga_guard_alter(&rel, psprintf("ALTER TABLE %s ENABLE ROW LEVEL SECURITY", qtable));
	if (!rel->rd_rel->relforcerowsecurity)
		pga_guard_alter(&rel, psprintf("ALTER TABLE %s FORCE ROW LEVEL SECURITY", qtable));

	if (setting)
		value = psprintf("(SELECT %s.guard_setting(%s)::%s)", PGA_SCHEMA,
						 quote_literal_cstr(setting),
						 format_type_be_qualified(att->atttypid));
	else
		value = psprintf("(SELECT %s.guard_current_user()::%s)", PGA_SCHEMA,
						 format_type_be_qualified(att->atttypid));
	cond = psprintf("%s = %s", qcol, value);

	for (i = 0; i < lengthof(pga_rls_commands); i++)
	{
		const char *cmd = pga_rls_commands[i];
		char	   *pol = psprintf("architect_%s_%s", kind, cmd);
		char	   *clause;

		if (strcmp(cmd, "insert") == 0)
			clause = psprintf("WITH CHECK (%s)", cond);
		else if (strcmp(cmd, "update") == 0)
			clause = psprintf("USING (%s) WITH CHECK (%s)", cond, cond);
		else
			clause = psprintf("USING (%s)", cond);
		pga_guard_exec(psprintf("CREATE POLICY %s ON %s AS PERMISSIVE FOR %s TO PUBLIC %s",
								quote_identifier(pol), qtable, cmd, clause));
	}
	if (bypass != NIL)
	{
		StringInfoData roles;

		initStringInfo(&roles);
		foreach(lc, bypass)
		{
			if (roles.len > 0)
				appendStringInfoString(&roles, ", ");
			appendStringInfoString(&roles, quote_identifier(lfirst(lc)));
		}
		pga_guard_exec(psprintf("CREATE POLICY %s ON %s AS PERMISSIVE FOR ALL TO %s "
								"USING (true) WITH CHECK (true)",
								quote_identifier(psprintf("architect_%s_bypass", kind)),
								qtable, roles.data));
	}

	/*
	 * An index for the tenant condition, unless one leads with the column,
	 * or a job queued earlier is still building it (rls_index.c).
	 */
	jobs = st.jobs;
	index_name = st.index_name;
	if (create_index && !pga_rls_has_leading_index(rel, attnum) &&
		!pga_rls_jobs_active(jobs))
	{
		int64		job_id = pga_rls_build_index(&rel, attnum, kind, &index_name);

		if (job_id != 0)
		{
			int64	   *id = palloc(sizeof(int64));

			*id = job_id;
			jobs = lappend(jobs, id);
		}
	}

	/* What disable_rls() needs to undo exactly this. */
	initStringInfo(&rec);
	appendStringInfoString(&rec, PGA_COMMENT_MARKER " {\"kind\": ");
	escape_json(&rec, kind);
	appendStringInfoString(&rec, ", \"setting\": ");
	if (setting)
		escape_json(&rec, setting);
	else
		appendStringInfoString(&rec, "null");
	appendStringInfo(&rec, ", \"rls_was_enabled\": %s, \"rls_was_forced\": %s",
					 was_enabled ? "true" : "false",
					 was_forced ? "true" : "false");
	appendStringInfoString(&rec, ", \"index\": ");
	if (index_name)
		escape_json(&rec, index_name);
	else
		appendStringInfoString(&rec, "null");
	appendStringInfoString(&rec, ", \"index_jobs\": [");
	foreach(lc, jobs)
		appendStringInfo(&rec, "%s" INT64_FORMAT,
						 foreach_current_index(lc) > 0 ? ", " : "",
						 *(int64 *) lfirst(lc));
	appendStringInfoChar(&rec, ']');
	appendStringInfoChar(&rec, '}');
	pga_guard_exec(psprintf("COMMENT ON POLICY %s ON %s IS %s",
							quote_identifier(psprintf("architect_%s_select", kind)),
							qtable, quote_literal_cstr(rec.data)));

	table_close(rel, NoLock);
	pga_guard_end(&ddl);
}

/*
 * architect.enable_rls(tbl regclass, tenant_column name, setting text,
 *		bypass_roles name[], create_index boolean)
 */
Datum
pga_enable_rls(PG_FUNCTION_ARGS)
{
	pga_rls_enable(fcinfo, "tenant");
	PG_RETURN_VOID();
}

/*
 * architect.enable_owner_rls(tbl regclass, owner_column name, setting text,
 *		bypass_roles name[], create_index boolean)
 */
Datum
pga_enable_owner_rls(PG_FUNCTION_ARGS)
{
	pga_rls_enable(fcinfo, "owner");
	PG_RETURN_VOID();
}

/*
 * architect.disable_rls(tbl regclass)
 *		Drop the guard's policies and index, and put the table's row-level
 *		security flags back as they were.
 */
Datum
pga_disable_rls(PG_FUNCTION_ARGS)
{
	PgaGuardDDL ddl;
	Relation	rel;
	PgaRlsState st;
	char	   *qtable;
	ListCell   *lc;

	pga_guard_begin(&ddl);

	/*
	 * Cancel the guard's unfinished index jobs before locking the table: a
	 * running build holds a lock that conflicts with ours until it has
	 * stopped and cleaned up (rls_index.c).  Only for the table's owner, as
	 * pga_guard_open_table() checks next.
	 */
	if (!PG_ARGISNULL(0) &&
		SearchSysCacheExists1(RELOID, PG_GETARG_DATUM(0)) &&
		pg_class_ownercheck(PG_GETARG_OID(0), GetUserId()))
	{
		pga_rls_state(PG_GETARG_OID(0), &st);
		pga_rls_cancel_jobs(st.jobs);
	}

	rel = pga_guard_open_table(PG_GETARG_DATUM(0), PG_ARGISNULL(0), "rls",
							   AccessExclusiveLock);
	qtable = pga_guard_table_name(rel);
	pga_rls_state(RelationGetRelid(rel), &st);
	if (st.policies == NIL)
	{
		ereport(NOTICE,
				(errmsg("table %s has no row-level security guard, nothing to do",
						qtable)));
		table_close(rel, NoLock);
		pga_guard_end(&ddl);
		PG_RETURN_VOID();
	}

	foreach(lc, st.policies)
		pga_guard_exec(psprintf("DROP POLICY %s ON %s",
								quote_identifier(lfirst(lc)), qtable));
	(void) pga_rls_drop_indexes(&rel, st.jobs);

	if (!st.have_record)
		ereport(WARNING,
				(errmsg("the record of table %s's previous row-level security state is missing",
						qtable),
				 errdetail("The comment on its architect_*_select policy was removed or changed."),
				 errhint("Row-level security stays enabled and forced; check ALTER TABLE ... NO FORCE / DISABLE ROW LEVEL SECURITY yourself.")));
	else
	{
		if (!st.was_forced && rel->rd_rel->relforcerowsecurity)
			pga_guard_alter(&rel, psprintf("ALTER TABLE %s NO FORCE ROW LEVEL SECURITY", qtable));
		if (!st.was_enabled && rel->rd_rel->relrowsecurity)
			pga_guard_alter(&rel, psprintf("ALTER TABLE %s DISABLE ROW LEVEL SECURITY", qtable));
	}

	table_close(rel, NoLock);
	pga_guard_end(&ddl);
	PG_RETURN_VOID();
}
