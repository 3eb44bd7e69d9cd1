/*-------------------------------------------------------------------------
 *
 * hypoddl.c
 *	  Hypothetical indexes to and from CREATE INDEX statements.
 *
 * pga_hypo_from_ddl() reads a CREATE INDEX statement the way DefineIndex
 * would, without creating anything: the core parser and
 * transformIndexStmt() resolve the table, columns, expressions and
 * predicate, ResolveOpClass() the operator classes; the checks DefineIndex
 * makes (immutable expressions and predicate, known options, what the
 * access method supports) are repeated here with the same SQLSTATEs.  The
 * caller also needs SELECT on the table (or on every column the index
 * reads): planning with an index reveals statistics of its columns.
 *
 * pga_hypo_ddl() writes the statement back, for recommendations:
 * identifiers always quoted, expressions and the predicate deparsed by
 * ruleutils, and CREATE INDEX CONCURRENTLY so that building it does not
 * block writes.  pga_hypo_choose_name() picks `<table>_<columns>_idx`.
 *
 * Locking: the table is locked AccessShareLock while the statement is
 * read, as a query on it would be; the lock is kept to transaction end.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/amapi.h"
#include "access/htup_details.h"
#include "catalog/catalog.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_opclass.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_utilcmd.h"
#include "parser/parser.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"

#include "hypo.h"

/*
 * pga_deparse
 *		Deparse an index expression or predicate the same whatever the
 *		session's DateStyle, IntervalStyle and extra_float_digits: constants
 *		are printed as pg_dump prints them (ISO dates, postgres intervals,
 *		exact floats), so that the statement means the same in the session
 *		that runs it ('03-01-2024'::date is 3 January under DMY).
 */
static char *
pga_deparse(Node *expr, List *ctx)
{
	int			nest = NewGUCNestLevel();
	char	   *out;

	(void) set_config_option("datestyle", "ISO", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("intervalstyle", "postgres", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("extra_float_digits", "3", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	out = deparse_expression(expr, ctx, false, false);
	AtEOXact_GUC(true, nest);
	return out;
}

/*
 * pga_quote_ident_always
 *		Double-quote an identifier even when it would not need it, doubling
 *		embedded quotes: DDL we print never depends on keyword lists.
 */
char *
pga_quote_ident_always(const char *ident)
{
	StringInfoData s;
	const char *p;

	initStringInfo(&s);
	appendStringInfoChar(&s, '"');
	for (p = ident; *p; p++)
	{
		if (*p == '"')
			appendStringInfoChar(&s, '"');
		appendStringInfoChar(&s, *p);
	}
	appendStringInfoChar(&s, '"');
	return s.data;
}

/*
 * pga_hypo_check_table
 *		Refuse tables a hypothetical index cannot be planned on, with the
 *		SQLSTATE CREATE INDEX would use where there is one.
 */
void
pga_hypo_check_table(Oid relid)
{
	HeapTuple	tup;
	Form_pg_class cls;
	char	   *name;

	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tup))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table with OID %u does not exist", relid)));
	cls = (Form_pg_class) GETSTRUCT(tup);
	name = pstrdup(NameStr(cls->relname));

	if (cls->relkind == RELKIND_PARTITIONED_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot plan a hypothetical index on partitioned table \"%s\"",
						name),
				 errdetail("The planner uses the indexes of the partitions, not those of the partitioned table."),
				 errhint("Name one of its partitions instead.")));
	if (cls->relkind != RELKIND_RELATION && cls->relkind != RELKIND_MATVIEW)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a table or materialized view", name),
				 errhint("Hypothetical indexes can only be planned on tables and materialized views.")));
	if (cls->relpersistence == RELPERSISTENCE_TEMP)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot plan a hypothetical index on temporary table \"%s\"",
						name),
				 errdetail("Index advice is for permanent tables."),
				 errhint("Create the index on the temporary table directly.")));
	if (IsCatalogRelationOid(relid) || IsToastNamespace(cls->relnamespace))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot plan a hypothetical index on system catalog \"%s\"",
						name),
				 errhint("Index advice is for user tables.")));
	ReleaseSysCache(tup);
}

/*
 * pga_collect_attnums
 *		Columns of the table that an index reads: key and INCLUDE columns
 *		and the Vars of its expressions and predicate.
 */
static Bitmapset *
pga_collect_attnums(PgaHypoIndex *h)
{
	Bitmapset  *cols = NULL;
	Bitmapset  *vars = NULL;
	int			i;
	int			k;

	for (i = 0; i < h->ncolumns; i++)
		if (h->indexkeys[i] > 0)
			cols = bms_add_member(cols, h->indexkeys[i]);
	pull_varattnos((Node *) h->indexprs, 1, &vars);
	pull_varattnos((Node *) h->indpred, 1, &vars);
	k = -1;
	while ((k = bms_next_member(vars, k)) >= 0)
	{
		AttrNumber	att = k + FirstLowInvalidHeapAttributeNumber;

		if (att > 0)
			cols = bms_add_member(cols, att);
	}
	return cols;
}

/*
 * pga_hypo_check_privileges
 *		SELECT on the table, or on every column the index reads.
 */
static void
pga_hypo_check_privileges(PgaHypoIndex *h)
{
	Oid			user = GetUserId();
	Bitmapset  *cols;
	int			k;

	if (pg_class_aclcheck(h->relid, user, ACL_SELECT) == ACLCHECK_OK)
		return;
	cols = pga_collect_attnums(h);
	k = -1;
	while ((k = bms_next_member(cols, k)) >= 0)
	{
		if (pg_attribute_aclcheck(h->relid, (AttrNumber) k, user,
								  ACL_SELECT) != ACLCHECK_OK)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("permission denied for table %s",
							get_rel_name(h->relid)),
					 errdetail("Planning with an index on column \"%s\" reads that column's statistics.",
							   get_attname(h->relid, (AttrNumber) k, false)),
					 errhint("Ask for SELECT privilege on the table or its columns.")));
	}
}

/*
 * pga_check_immutable
 *		Index expressions and predicates must be immutable, as DefineIndex
 *		requires.
 */
static void
pga_check_immutable(Node *expr, const char *what)
{
	if (contain_mutable_functions(expr))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("functions in index %s must be marked IMMUTABLE", what),
				 errhint("An index can only be built on expressions whose value never changes for the same row.")));
}

/*
 * pga_hypo_apply_options
 *		WITH (...) storage parameters: those that change the index's size
 *		are kept, the others the access method knows are accepted, anything
 *		else is refused as CREATE INDEX would.
 */
static void
pga_hypo_apply_options(PgaHypoIndex *h, List *options)
{
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		if (def->defnamespace != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unrecognized parameter \"%s.%s\"",
							def->defnamespace, def->defname)));
		if (h->amoid == BTREE_AM_OID && strcmp(def->defname, "fillfactor") == 0)
		{
			int			ff = defGetInt32(def);

			if (ff < 10 || ff > 100)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("value %d out of bounds for option \"fillfactor\"", ff),
						 errdetail("Valid values are between \"10\" and \"100\".")));
			h->fillfactor = ff;
		}
		else if (h->amoid == BTREE_AM_OID &&
				 strcmp(def->defname, "deduplicate_items") == 0)
			h->deduplicate = defGetBoolean(def);
		else if (h->amoid == GIN_AM_OID &&
				 (strcmp(def->defname, "fastupdate") == 0 ||
				  strcmp(def->defname, "gin_pending_list_limit") == 0))
			 /* accepted; no effect on planning */ ;
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unrecognized parameter \"%s\"", def->defname)));
	}
}

/*
 * pga_hypo_from_ddl
 *		A hypothetical index from the text of one CREATE INDEX statement.
 */
PgaHypoIndex *
pga_hypo_from_ddl(const char *ddl)
{
	List	   *raw;
	RawStmt    *rs;
	IndexStmt  *stmt;
	Oid			relid;
	Oid			amoid;
	const char *amname;
	IndexAmRoutine *am;
	PgaHypoIndex *h;
	ListCell   *lc;

	raw = raw_parser(ddl, RAW_PARSE_DEFAULT);
	if (list_length(raw) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("index definition must be exactly one CREATE INDEX statement"),
				 errdetail("Found %d statements in \"%s\".", list_length(raw), ddl),
				 errhint("Pass each index as its own array element.")));
	rs = linitial_node(RawStmt, raw);
	if (!IsA(rs->stmt, IndexStmt))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("index definition is not a CREATE INDEX statement: \"%s\"",
						ddl),
				 errhint("Write it as CREATE INDEX ON table (columns).")));
	stmt = (IndexStmt *) rs->stmt;

	relid = RangeVarGetRelidExtended(stmt->relation, AccessShareLock, 0,
									 NULL, NULL);
	pga_hypo_check_table(relid);

	amname = stmt->accessMethod ? stmt->accessMethod : DEFAULT_INDEX_TYPE;
	amoid = get_index_am_oid(amname, false);
	if (amoid != BTREE_AM_OID && amoid != GIN_AM_OID)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("hypothetical indexes using access method \"%s\" are not supported",
						amname),
				 errhint("Use btree or gin.")));
	am = GetIndexAmRoutineByAmId(amoid, false);

	if (stmt->unique && !am->amcanunique)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("access method \"%s\" does not support unique indexes",
						amname)));
	if (stmt->indexIncludingParams != NIL && !am->amcaninclude)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("access method \"%s\" does not support included columns",
						amname)));
	if (list_length(stmt->indexParams) + list_length(stmt->indexIncludingParams) >
		INDEX_MAX_KEYS)
		ereport(ERROR,
				(errcode(ERRCODE_TOO_MANY_COLUMNS),
				 errmsg("cannot use more than %d columns in an index",
						INDEX_MAX_KEYS)));
	if (list_length(stmt->indexParams) > 1 && !am->amcanmulticol &&
		amoid != GIN_AM_OID)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("access method \"%s\" does not support multicolumn indexes",
						amname)));

	/* Resolve column names, expressions and the predicate. */
	stmt = transformIndexStmt(relid, stmt, ddl);

	h = pga_hypo_create(relid, amoid);
	h->unique = stmt->unique;
	if (stmt->idxname)
		h->name = pstrdup(stmt->idxname);

	foreach(lc, stmt->indexParams)
	{
		IndexElem  *elem = (IndexElem *) lfirst(lc);
		Node	   *expr;
		Oid			type;
		Oid			collation;
		Oid			opclass;
		bool		desc;
		bool		nulls_first;

		if (elem->name)
		{
			HeapTuple	atttup = SearchSysCacheAttName(relid, elem->name);
			Form_pg_attribute att;

			if (!HeapTupleIsValid(atttup))
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_COLUMN),
						 errmsg("column \"%s\" does not exist", elem->name)));
			att = (Form_pg_attribute) GETSTRUCT(atttup);
			if (att->attnum <= 0)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("index creation on system columns is not supported")));
			expr = (Node *) makeVar(1, att->attnum, att->atttypid,
									att->atttypmod, att->attcollation, 0);
			ReleaseSysCache(atttup);
		}
		else
		{
			expr = eval_const_expressions(NULL, elem->expr);
			fix_opfuncids(expr);
			if (IsA(expr, Var) && ((Var *) expr)->varattno <= 0)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("index creation on system columns is not supported")));
			if (!IsA(expr, Var))
				pga_check_immutable(expr, "expression");
		}
		type = exprType(expr);

		if (elem->collation)
		{
			if (!type_is_collatable(type))
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("collations are not supported by type %s",
								format_type_be(type))));
			collation = get_collation_oid(elem->collation, false);
		}
		else
			collation = type_is_collatable(type) ? exprCollation(expr) : InvalidOid;
		if (type_is_collatable(type) && !OidIsValid(collation))
			ereport(ERROR,
					(errcode(ERRCODE_INDETERMINATE_COLLATION),
					 errmsg("could not determine which collation to use for index expression"),
					 errhint("Use the COLLATE clause to set the collation explicitly.")));

		if (elem->opclassopts != NIL)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("operator class parameters are not supported in hypothetical indexes")));
		opclass = ResolveOpClass(elem->opclass, type, amname, amoid);

		desc = (elem->ordering == SORTBY_DESC);
		if (elem->nulls_ordering == SORTBY_NULLS_DEFAULT)
			nulls_first = desc;
		else
			nulls_first = (elem->nulls_ordering == SORTBY_NULLS_FIRST);
		if (!am->amcanorder &&
			(elem->ordering != SORTBY_DEFAULT ||
			 elem->nulls_ordering != SORTBY_NULLS_DEFAULT))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("access method \"%s\" does not support ASC/DESC/NULLS FIRST/NULLS LAST options",
							amname)));

		if (!pga_hypo_add_key(h, expr, opclass, collation, desc, nulls_first))
			elog(ERROR, "could not add a key column to a hypothetical index");
	}

	foreach(lc, stmt->indexIncludingParams)
	{
		IndexElem  *elem = (IndexElem *) lfirst(lc);
		AttrNumber	attnum;

		if (elem->name == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("expressions are not supported in included columns")));
		attnum = get_attnum(relid, elem->name);
		if (attnum == InvalidAttrNumber)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" does not exist", elem->name)));
		if (attnum < 0)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("index creation on system columns is not supported")));
		if (!pga_hypo_add_include(h, attnum))
			elog(ERROR, "could not add an included column to a hypothetical index");
	}

	if (stmt->whereClause)
	{
		Node	   *pred = eval_const_expressions(NULL, stmt->whereClause);

		pga_check_immutable(pred, "predicate");
		pred = (Node *) canonicalize_qual((Expr *) pred, true);
		fix_opfuncids(pred);
		pga_hypo_set_predicate(h, make_ands_implicit((Expr *) pred));
	}

	pga_hypo_apply_options(h, stmt->options);
	pga_hypo_check_privileges(h);
	return h;
}

/*
 * pga_deparse_context
 *		Deparse context for expressions over the index's table (varno 1).
 */
static List *
pga_deparse_context(PgaHypoIndex *h)
{
	return deparse_context_for(get_rel_name(h->relid), h->relid);
}

/*
 * pga_hypo_expr_of
 *		The n-th expression column's expression (col is a column number).
 */
static Node *
pga_hypo_expr_of(PgaHypoIndex *h, int col)
{
	int			e = 0;
	int			i;

	for (i = 0; i < col; i++)
		if (h->indexkeys[i] == 0)
			e++;
	return (Node *) list_nth(h->indexprs, e);
}

/*
 * pga_qualified_name_of
 *		An operator class or collation name for DDL: quoted, and qualified
 *		unless it lives in pg_catalog.
 */
static char *
pga_qualified_name_of(Oid nsp, const char *name)
{
	if (nsp == PG_CATALOG_NAMESPACE)
		return pga_quote_ident_always(name);
	return psprintf("%s.%s", pga_quote_ident_always(get_namespace_name(nsp)),
					pga_quote_ident_always(name));
}

/*
 * pga_hypo_column_ddl
 *		One key column as CREATE INDEX writes it; quoted selects whether the
 *		column name is quoted (DDL) or not (the columns[] output).
 */
static char *
pga_hypo_column_ddl(PgaHypoIndex *h, int col, bool quoted, List *ctx)
{
	StringInfoData s;
	Node	   *expr;
	Oid			type;
	Oid			defcoll;

	initStringInfo(&s);
	if (h->indexkeys[col] != 0)
	{
		char	   *att = get_attname(h->relid, h->indexkeys[col], false);
		Oid			typid;
		int32		typmod;

		appendStringInfoString(&s, quoted ? pga_quote_ident_always(att) : att);
		get_atttypetypmodcoll(h->relid, h->indexkeys[col], &typid, &typmod,
							  &defcoll);
		type = typid;
	}
	else
	{
		expr = pga_hypo_expr_of(h, col);
		appendStringInfo(&s, quoted ? "(%s)" : "%s", pga_deparse(expr, ctx));
		type = exprType(expr);
		defcoll = exprCollation(expr);
	}

	if (col < h->nkeycolumns)
	{
		if (OidIsValid(h->collation[col]) && h->collation[col] != defcoll)
		{
			HeapTuple	ct = SearchSysCache1(COLLOID,
											 ObjectIdGetDatum(h->collation[col]));

			if (HeapTupleIsValid(ct))
			{
				Form_pg_collation cf = (Form_pg_collation) GETSTRUCT(ct);

				appendStringInfo(&s, " COLLATE %s",
								 pga_qualified_name_of(cf->collnamespace,
													   NameStr(cf->collname)));
				ReleaseSysCache(ct);
			}
		}
		if (h->opclass[col] != GetDefaultOpClass(type, h->amoid))
		{
			HeapTuple	ot = SearchSysCache1(CLAOID,
											 ObjectIdGetDatum(h->opclass[col]));

			if (HeapTupleIsValid(ot))
			{
				Form_pg_opclass of = (Form_pg_opclass) GETSTRUCT(ot);

				appendStringInfo(&s, " %s",
								 quoted ? pga_qualified_name_of(of->opcnamespace,
																NameStr(of->opcname))
								 : NameStr(of->opcname));
				ReleaseSysCache(ot);
			}
		}
		if (h->amoid == BTREE_AM_OID)
		{
			if (h->reverse_sort[col])
				appendStringInfoString(&s, " DESC");
			if (h->reverse_sort[col] && !h->nulls_first[col])
				appendStringInfoString(&s, " NULLS LAST");
			else if (!h->reverse_sort[col] && h->nulls_first[col])
				appendStringInfoString(&s, " NULLS FIRST");
		}
	}
	return s.data;
}

/*
 * pga_hypo_key_text
 *		A key column for display: name or expression, with its modifiers.
 */
char *
pga_hypo_key_text(PgaHypoIndex *h, int col)
{
	return pga_hypo_column_ddl(h, col, false, pga_deparse_context(h));
}

List *
pga_hypo_key_names(PgaHypoIndex *h)
{
	List	   *ctx = pga_deparse_context(h);
	List	   *out = NIL;
	int			i;

	for (i = 0; i < h->nkeycolumns; i++)
		out = lappend(out, pga_hypo_column_ddl(h, i, false, ctx));
	return out;
}

List *
pga_hypo_include_names(PgaHypoIndex *h)
{
	List	   *out = NIL;
	int			i;

	for (i = h->nkeycolumns; i < h->ncolumns; i++)
		out = lappend(out, get_attname(h->relid, h->indexkeys[i], false));
	return out;
}

char *
pga_hypo_predicate_text(PgaHypoIndex *h)
{
	if (h->indpred == NIL)
		return NULL;
	return pga_deparse((Node *) make_ands_explicit(h->indpred),
					   pga_deparse_context(h));
}

/*
 * pga_hypo_ddl
 *		The index as a CREATE INDEX statement.  The name must be set.
 */
char *
pga_hypo_ddl(PgaHypoIndex *h, bool concurrently)
{
	StringInfoData s;
	List	   *ctx = pga_deparse_context(h);
	int			i;

	initStringInfo(&s);
	appendStringInfo(&s, "CREATE %sINDEX %s%s ON %s.%s USING %s (",
					 h->unique ? "UNIQUE " : "",
					 concurrently ? "CONCURRENTLY " : "",
					 pga_quote_ident_always(h->name ? h->name : "hypothetical"),
					 pga_quote_ident_always(get_namespace_name(get_rel_namespace(h->relid))),
					 pga_quote_ident_always(get_rel_name(h->relid)),
					 get_am_name(h->amoid));
	for (i = 0; i < h->nkeycolumns; i++)
	{
		if (i > 0)
			appendStringInfoString(&s, ", ");
		appendStringInfoString(&s, pga_hypo_column_ddl(h, i, true, ctx));
	}
	appendStringInfoChar(&s, ')');
	if (h->ncolumns > h->nkeycolumns)
	{
		appendStringInfoString(&s, " INCLUDE (");
		for (i = h->nkeycolumns; i < h->ncolumns; i++)
		{
			if (i > h->nkeycolumns)
				appendStringInfoString(&s, ", ");
			appendStringInfoString(&s,
								   pga_quote_ident_always(get_attname(h->relid,
																	  h->indexkeys[i],
																	  false)));
		}
		appendStringInfoChar(&s, ')');
	}
	if (h->fillfactor > 0 || !h->deduplicate)
	{
		appendStringInfoString(&s, " WITH (");
		if (h->fillfactor > 0)
			appendStringInfo(&s, "fillfactor = %d%s", h->fillfactor,
							 h->deduplicate ? "" : ", ");
		if (!h->deduplicate)
			appendStringInfoString(&s, "deduplicate_items = off");
		appendStringInfoChar(&s, ')');
	}
	if (h->indpred)
		appendStringInfo(&s, " WHERE (%s)",
						 pga_deparse((Node *) make_ands_explicit(h->indpred), ctx));
	return s.data;
}

/*
 * pga_name_part
 *		A short name for key column col: the column name, or for an
 *		expression the function or operator name and the columns it reads
 *		(lower(email) gives lower_email).
 */
static char *
pga_name_part(PgaHypoIndex *h, int col)
{
	StringInfoData s;
	Node	   *expr;
	Bitmapset  *vars = NULL;
	int			k;

	if (h->indexkeys[col] != 0)
		return get_attname(h->relid, h->indexkeys[col], false);

	expr = pga_hypo_expr_of(h, col);
	initStringInfo(&s);
	if (IsA(expr, FuncExpr))
		appendStringInfoString(&s, get_func_name(((FuncExpr *) expr)->funcid));
	else
		appendStringInfoString(&s, "expr");
	pull_varattnos(expr, 1, &vars);
	k = -1;
	while ((k = bms_next_member(vars, k)) >= 0)
	{
		AttrNumber	att = k + FirstLowInvalidHeapAttributeNumber;

		if (att > 0)
			appendStringInfo(&s, "_%s", get_attname(h->relid, att, false));
	}
	return s.data;
}

/*
 * pga_hypo_choose_name
 *		Name the index `<table>_<columns>_idx`, truncated to fit NAMEDATALEN
 *		and numbered (`_idx1`, `_idx2`, ...) when a relation of the schema or
 *		a name in taken already has it.  Sets h->name and returns it.
 */
char *
pga_hypo_choose_name(PgaHypoIndex *h, List *taken)
{
	StringInfoData base;
	Oid			nsp = get_rel_namespace(h->relid);
	int			i;
	int			n;

	initStringInfo(&base);
	appendStringInfoString(&base, get_rel_name(h->relid));
	for (i = 0; i < h->nkeycolumns; i++)
		appendStringInfo(&base, "_%s", pga_name_part(h, i));

	for (n = 0;; n++)
	{
		char		suffix[32];
		int			room;
		int			len;
		char	   *name;
		ListCell   *lc;
		bool		clash = false;

		if (n == 0)
			snprintf(suffix, sizeof(suffix), "_idx");
		else
			snprintf(suffix, sizeof(suffix), "_idx%d", n);
		room = NAMEDATALEN - 1 - strlen(suffix);
		len = pg_mbcliplen(base.data, base.len, room);
		name = psprintf("%.*s%s", len, base.data, suffix);

		if (OidIsValid(get_relname_relid(name, nsp)))
			clash = true;
		foreach(lc, taken)
			if (strcmp((char *) lfirst(lc), name) == 0)
				clash = true;
		if (!clash)
		{
			h->name = name;
			return name;
		}
	}
}

/*
 * pga_hypo_list_from_array
 *		The hypothetical indexes of a text[] of CREATE INDEX statements (the
 *		indexes argument of whatif() and workload_whatif()), numbered by
 *		position, unnamed ones named as recommendations are.  NULL elements
 *		and arrays of more than one dimension are refused.
 */
List *
pga_hypo_list_from_array(ArrayType *arr)
{
	Datum	   *elems;
	bool	   *nulls;
	int			nelems;
	List	   *hypos = NIL;
	List	   *names = NIL;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("indexes must be a one-dimensional array"),
				 errhint("Pass a list such as ARRAY['...', '...'], not an array of arrays.")));
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &nelems);
	for (int i = 0; i < nelems; i++)
	{
		PgaHypoIndex *h;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("index definition %d is NULL", i + 1),
					 errhint("Every element of indexes must be a CREATE INDEX statement.")));
		h = pga_hypo_from_ddl(TextDatumGetCString(elems[i]));
		h->id = i;
		if (h->name == NULL)
			pga_hypo_choose_name(h, names);
		names = lappend(names, h->name);
		hypos = lappend(hypos, h);
	}
	return hypos;
}
