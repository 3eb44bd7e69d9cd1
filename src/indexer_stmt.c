/*-------------------------------------------------------------------------
 *
 * indexer_stmt.c
 *	  Checking a CREATE INDEX statement given to architect.create_index()
 *	  and rebuilding it from its parse tree.
 *
 * The text a user (or the advisor) hands to create_index() is not trusted
 * as text: a background worker runs it later, in another session, with
 * another search_path, possibly as another kind of statement if the text
 * were pasted together from pieces.  So the text goes through the raw
 * parser; exactly one statement must come out, and it must be an
 * IndexStmt.  The table is resolved here, in the caller's session and
 * search_path, checked (a plain table or materialized view, not temporary,
 * not a system catalog, owned by the caller), and the index definition is
 * transformed the way CREATE INDEX itself would (transformIndexStmt), which
 * checks columns, expressions and predicate.  Then the statement the worker
 * runs is written anew from the parse tree:
 *
 *	- every identifier goes through quote_identifier();
 *	- the table is schema-qualified with the schema it resolved to;
 *	- operator classes and collations are schema-qualified with the objects
 *	  they resolved to;
 *	- expressions and the predicate are deparsed by ruleutils with
 *	  search_path set to pg_catalog alone, so that every function, operator
 *	  and type outside pg_catalog comes out schema-qualified and the text
 *	  means the same thing in the worker's session;
 *	- reloptions values are written as string literals;
 *	- an index without a name gets one here (ChooseRelationName, the way
 *	  CREATE INDEX names it), so that jobs, cleanup and de-duplication can
 *	  refer to it.
 *
 * CONCURRENTLY follows the function's argument, not the text: a
 * recommendation always says CONCURRENTLY, and concurrently => false must
 * still be able to override it.
 *
 * Nothing here takes a lock that outlives the check: the table is locked
 * AccessShareLock while it is looked at (waiting at most
 * pg_architect.index_lock_timeout, indexer_lock.c) and unlocked before
 * returning,
 * since a caller that waits for the build must not hold a lock that the
 * build (or the cleanup of a failed build) waits for.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/catalog.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_opclass.h"
#include "commands/defrem.h"
#include "commands/tablespace.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_utilcmd.h"
#include "parser/parser.h"
#include "storage/lmgr.h"
#include "tcop/cmdtag.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"

#include "indexer.h"
#include "pg_architect.h"

/*
 * pga_stmt_error_callback
 *		Point syntax errors into the statement text rather than into the
 *		query that called create_index(), and say where the text came from.
 */
static void
pga_stmt_error_callback(void *arg)
{
	const char *sql = (const char *) arg;
	int			pos = geterrposition();

	if (pos > 0)
	{
		errposition(0);
		internalerrposition(pos);
		internalerrquery(sql);
	}
	else
		errcontext("statement given to architect.create_index(): %s", sql);
}

/*
 * pga_relation_kind_name
 *		"view", "sequence", ... for messages about a relation of the wrong
 *		kind.
 */
char *
pga_relation_kind_name(char relkind)
{
	switch (relkind)
	{
		case RELKIND_RELATION:
			return "table";
		case RELKIND_INDEX:
			return "index";
		case RELKIND_SEQUENCE:
			return "sequence";
		case RELKIND_TOASTVALUE:
			return "TOAST table";
		case RELKIND_VIEW:
			return "view";
		case RELKIND_MATVIEW:
			return "materialized view";
		case RELKIND_COMPOSITE_TYPE:
			return "composite type";
		case RELKIND_FOREIGN_TABLE:
			return "foreign table";
		case RELKIND_PARTITIONED_TABLE:
			return "partitioned table";
		case RELKIND_PARTITIONED_INDEX:
			return "partitioned index";
	}
	return "relation";
}

/*
 * pga_check_table
 *		Refuse a relation whose indexes pg_architect does not build: system
 *		catalogs, anything but plain tables and materialized views,
 *		partitioned tables and temporary tables.  "what" names the calling
 *		function for messages.
 */
void
pga_check_table(Oid relid, const char *what)
{
	HeapTuple	tup;
	Form_pg_class cls;
	char	   *relname;

	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tup))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid),
				 errhint("The table may have been dropped; check its name.")));
	cls = (Form_pg_class) GETSTRUCT(tup);
	relname = pstrdup(NameStr(cls->relname));

	if (IsSystemClass(relid, cls))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied: \"%s\" is a system catalog", relname),
				 errdetail("%s does not build or drop indexes on system catalogs.", what)));

	if (cls->relkind == RELKIND_PARTITIONED_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s does not handle partitioned tables", what),
				 errdetail("\"%s\" is a partitioned table; PostgreSQL 15 cannot build or drop its indexes concurrently.", relname),
				 errhint("Build the index on each partition with architect.create_index(), then create the parent index with CREATE INDEX ... ON ONLY and attach the partitions' indexes.")));

	if (cls->relkind != RELKIND_RELATION && cls->relkind != RELKIND_MATVIEW)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a table or materialized view", relname),
				 errdetail("\"%s\" is a %s.", relname,
						   pga_relation_kind_name(cls->relkind)),
				 errhint("Indexes can only be built on tables and materialized views.")));

	if (cls->relpersistence == RELPERSISTENCE_TEMP)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s does not handle temporary tables", what),
				 errdetail("\"%s\" is a temporary table, which the background worker cannot see.", relname),
				 errhint("Run CREATE INDEX or DROP INDEX in your own session.")));

	ReleaseSysCache(tup);
}

/*
 * pga_rel_owner
 *		Owner of a relation, or InvalidOid when it does not exist.
 */
Oid
pga_rel_owner(Oid relid)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			owner;

	if (!HeapTupleIsValid(tup))
		return InvalidOid;
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	return owner;
}

/*
 * pga_check_owner
 *		Only the table's owner, or a member of its owning role, may build or
 *		drop its indexes through pg_architect.
 */
void
pga_check_owner(Oid relid, const char *what)
{
	Oid			owner;

	if (pg_class_ownercheck(relid, GetUserId()))
		return;

	owner = pga_rel_owner(relid);
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("must be owner of table %s", get_rel_name(relid)),
			 errdetail("%s builds and drops indexes only for the owner of the table or a member of its owning role \"%s\".",
					   what, GetUserNameFromId(owner, false)),
			 errhint("Run it as a role that owns the table.")));
}

/*
 * pga_qualified_catalog_name
 *		"schema"."name" of an operator class or collation.
 */
static char *
pga_qualified_opclass(Oid opclass)
{
	HeapTuple	tup;
	Form_pg_opclass form;
	char	   *result;

	tup = SearchSysCache1(CLAOID, ObjectIdGetDatum(opclass));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for operator class %u", opclass);
	form = (Form_pg_opclass) GETSTRUCT(tup);
	result = quote_qualified_identifier(get_namespace_name(form->opcnamespace),
										NameStr(form->opcname));
	ReleaseSysCache(tup);
	return result;
}

static char *
pga_qualified_collation(Oid collid)
{
	HeapTuple	tup;
	Form_pg_collation form;
	char	   *result;

	tup = SearchSysCache1(COLLOID, ObjectIdGetDatum(collid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for collation %u", collid);
	form = (Form_pg_collation) GETSTRUCT(tup);
	result = quote_qualified_identifier(get_namespace_name(form->collnamespace),
										NameStr(form->collname));
	ReleaseSysCache(tup);
	return result;
}

/*
 * pga_append_options
 *		Append "(name = 'value', ...)" for a list of DefElem, every name
 *		quoted and every value a string literal.
 */
static void
pga_append_options(StringInfo buf, List *options)
{
	ListCell   *lc;
	bool		first = true;

	appendStringInfoChar(buf, '(');
	foreach(lc, options)
	{
		DefElem    *def = lfirst_node(DefElem, lc);
		const char *value;

		if (def->defnamespace != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unrecognized parameter namespace \"%s\"",
							def->defnamespace),
					 errhint("Index storage parameters take no namespace.")));
		value = def->arg ? defGetString(def) : "true";
		appendStringInfo(buf, "%s%s = %s", first ? "" : ", ",
						 quote_identifier(def->defname),
						 quote_literal_cstr(value));
		first = false;
	}
	appendStringInfoChar(buf, ')');
}

/*
 * pga_check_immutable
 *		CREATE INDEX refuses mutable functions in expressions and predicate;
 *		say so now rather than from the worker.
 */
static void
pga_check_immutable(Node *expr, const char *what)
{
	Expr	   *planned = expression_planner((Expr *) copyObject(expr));

	if (contain_mutable_functions((Node *) planned))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("functions in index %s must be marked IMMUTABLE", what),
				 errhint("Index only on immutable expressions, or mark the function IMMUTABLE if it truly is.")));
}

/*
 * pga_choose_index_name
 *		The name CREATE INDEX would give an index without one: table name,
 *		column names (or the expressions' names) and "idx", made unique in
 *		the schema.
 */
static char *
pga_choose_index_name(const char *relname, Oid namespaceid, List *params)
{
	StringInfoData cols;
	ListCell   *lc;

	initStringInfo(&cols);
	foreach(lc, params)
	{
		IndexElem  *elem = lfirst_node(IndexElem, lc);
		const char *part;

		if (elem->indexcolname)
			part = elem->indexcolname;
		else if (elem->name)
			part = elem->name;
		else
			part = "expr";
		if (cols.len > 0)
			appendStringInfoChar(&cols, '_');
		appendStringInfoString(&cols, part);
		if (cols.len >= NAMEDATALEN)
			break;
	}
	return ChooseRelationName(relname, cols.data, "idx", namespaceid, false);
}

/*
 * pga_check_create_index
 *		Parse "sql", check that it is a single CREATE INDEX statement on a
 *		table the caller owns, and fill "req" with the table and the
 *		statement rebuilt from the parse tree (see the file header).
 */
void
pga_check_create_index(const char *sql, bool concurrently, PgaIndexRequest *req)
{
	ErrorContextCallback errcb;
	List	   *raw;
	RawStmt    *rawstmt;
	IndexStmt  *stmt;
	IndexStmt  *xstmt;
	Oid			relid;
	Oid			amoid;
	char	   *amname;
	List	   *dpcontext;
	StringInfoData buf;
	ListCell   *lc;
	bool		first;
	int			save_nestlevel;
	const char *what = "architect.create_index()";

	errcb.callback = pga_stmt_error_callback;
	errcb.arg = (void *) sql;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;

	raw = raw_parser(sql, RAW_PARSE_DEFAULT);
	if (list_length(raw) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s accepts exactly one CREATE INDEX statement", what),
				 list_length(raw) == 0 ?
				 errdetail("The text holds no statement.") :
				 errdetail("The text holds %d statements.", list_length(raw)),
				 errhint("Pass a single CREATE INDEX statement, or the index_name or ddl of a row of architect.recommend_indexes().")));

	rawstmt = linitial_node(RawStmt, raw);
	if (!IsA(rawstmt->stmt, IndexStmt))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s accepts only CREATE INDEX statements", what),
				 errdetail("The statement given is %s.",
						   GetCommandTagName(CreateCommandTag(rawstmt->stmt))),
				 errhint("Pass a single CREATE INDEX statement, or the index_name or ddl of a row of architect.recommend_indexes().")));
	stmt = (IndexStmt *) rawstmt->stmt;

	/*
	 * Resolve the table in the caller's search_path, and keep it locked
	 * while it is looked at; the lock is released before returning.
	 */
	relid = pga_lock_table(stmt->relation, InvalidOid, what);
	pga_check_table(relid, what);
	pga_check_owner(relid, what);

	memset(req, 0, sizeof(*req));
	req->relid = relid;
	req->namespaceid = get_rel_namespace(relid);
	req->schema_name = get_namespace_name(req->namespaceid);
	req->table_name = get_rel_name(relid);
	req->if_not_exists = stmt->if_not_exists;

	amname = stmt->accessMethod ? stmt->accessMethod : DEFAULT_INDEX_TYPE;
	amoid = get_index_am_oid(amname, false);

	foreach(lc, stmt->indexIncludingParams)
	{
		IndexElem  *elem = lfirst_node(IndexElem, lc);

		if (elem->expr != NULL || elem->name == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("expressions are not supported in included columns"),
					 errhint("List plain column names after INCLUDE.")));
	}

	/*
	 * The transformation CREATE INDEX itself applies: expressions and the
	 * predicate are analyzed against the table (unknown columns, subqueries,
	 * aggregates and references to other tables are errors here).  It works
	 * on its own copy.
	 */
	xstmt = transformIndexStmt(relid, copyObject(stmt), sql);

	/* Plain columns must exist and be user columns. */
	foreach(lc, list_concat_copy(xstmt->indexParams, xstmt->indexIncludingParams))
	{
		IndexElem  *elem = lfirst_node(IndexElem, lc);
		AttrNumber	attnum;

		if (elem->name == NULL)
			continue;
		attnum = get_attnum(relid, elem->name);
		if (attnum == InvalidAttrNumber)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" does not exist", elem->name),
					 errdetail("Table %s has no column of that name.",
							   quote_qualified_identifier(req->schema_name,
														  req->table_name)),
					 errhint("Column names are case sensitive when quoted.")));
		if (attnum < 0)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("index creation on system columns is not supported")));
	}

	req->index_name = xstmt->idxname ? pstrdup(xstmt->idxname) :
		pga_choose_index_name(req->table_name, req->namespaceid,
							  list_concat_copy(xstmt->indexParams,
											   xstmt->indexIncludingParams));

	/*
	 * From here on names are written out.  With search_path = pg_catalog,
	 * ruleutils qualifies every function, operator and type that lives
	 * elsewhere, so the text does not depend on the worker's search_path.
	 * Operator classes and collations are resolved first, in the caller's
	 * search_path, and then written qualified.
	 */
	dpcontext = deparse_context_for(req->table_name, relid);

	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE %sINDEX %s%s%s ON %s%s USING %s (",
					 xstmt->unique ? "UNIQUE " : "",
					 concurrently ? "CONCURRENTLY " : "",
					 xstmt->if_not_exists ? "IF NOT EXISTS " : "",
					 quote_identifier(req->index_name),
					 xstmt->relation->inh ? "" : "ONLY ",
					 quote_qualified_identifier(req->schema_name, req->table_name),
					 quote_identifier(amname));

	first = true;
	foreach(lc, xstmt->indexParams)
	{
		IndexElem  *elem = lfirst_node(IndexElem, lc);
		Oid			keytype;
		char	   *collname = NULL;
		char	   *opcname = NULL;

		if (!first)
			appendStringInfoString(&buf, ", ");
		first = false;

		if (elem->name)
			keytype = get_atttype(relid, get_attnum(relid, elem->name));
		else
		{
			pga_check_immutable(elem->expr, "expression");
			keytype = exprType(elem->expr);
		}
		if (elem->collation)
			collname = pga_qualified_collation(get_collation_oid(elem->collation, false));
		if (elem->opclass)
			opcname = pga_qualified_opclass(ResolveOpClass(elem->opclass, keytype,
														   amname, amoid));

		save_nestlevel = NewGUCNestLevel();
		(void) set_config_option("search_path", "pg_catalog",
								 PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
		if (elem->name)
			appendStringInfoString(&buf, quote_identifier(elem->name));
		else
			appendStringInfo(&buf, "(%s)",
							 deparse_expression(elem->expr, dpcontext, false, false));
		AtEOXact_GUC(false, save_nestlevel);

		if (collname)
			appendStringInfo(&buf, " COLLATE %s", collname);
		if (opcname)
		{
			appendStringInfo(&buf, " %s", opcname);
			if (elem->opclassopts)
				pga_append_options(&buf, elem->opclassopts);
		}
		if (elem->ordering == SORTBY_DESC)
			appendStringInfoString(&buf, " DESC");
		else if (elem->ordering == SORTBY_ASC)
			appendStringInfoString(&buf, " ASC");
		if (elem->nulls_ordering == SORTBY_NULLS_FIRST)
			appendStringInfoString(&buf, " NULLS FIRST");
		else if (elem->nulls_ordering == SORTBY_NULLS_LAST)
			appendStringInfoString(&buf, " NULLS LAST");
	}
	appendStringInfoChar(&buf, ')');

	if (xstmt->indexIncludingParams)
	{
		appendStringInfoString(&buf, " INCLUDE (");
		first = true;
		foreach(lc, xstmt->indexIncludingParams)
		{
			IndexElem  *elem = lfirst_node(IndexElem, lc);

			appendStringInfo(&buf, "%s%s", first ? "" : ", ",
							 quote_identifier(elem->name));
			first = false;
		}
		appendStringInfoChar(&buf, ')');
	}

	if (xstmt->nulls_not_distinct)
		appendStringInfoString(&buf, " NULLS NOT DISTINCT");

	if (xstmt->options)
	{
		appendStringInfoString(&buf, " WITH ");
		pga_append_options(&buf, xstmt->options);
	}

	if (xstmt->tableSpace)
	{
		(void) get_tablespace_oid(xstmt->tableSpace, false);
		appendStringInfo(&buf, " TABLESPACE %s",
						 quote_identifier(xstmt->tableSpace));
	}

	if (xstmt->whereClause)
	{
		pga_check_immutable(xstmt->whereClause, "predicate");
		save_nestlevel = NewGUCNestLevel();
		(void) set_config_option("search_path", "pg_catalog",
								 PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
		appendStringInfo(&buf, " WHERE %s",
						 deparse_expression(xstmt->whereClause, dpcontext,
											false, false));
		AtEOXact_GUC(false, save_nestlevel);
	}

	req->statement = buf.data;

	/*
	 * Release the table: a caller that waits for the build must not hold a
	 * lock the build or its cleanup waits for.  The worker checks again
	 * that the table is the one resolved here.
	 */
	UnlockRelationOid(relid, AccessShareLock);

	error_context_stack = errcb.previous;
}
