/*-------------------------------------------------------------------------
 *
 * hypo.c
 *	  Hypothetical indexes seen by the planner through get_relation_info_hook.
 *
 * A hypothetical index (PgaHypoIndex) is an index definition held in this
 * backend's memory: table, access method, key columns or expressions with
 * their operator classes, collations and sort directions, INCLUDE columns
 * and a predicate.  Nothing is written to a catalog, so the advisor works on
 * a hot standby and leaves nothing behind when it stops, whichever way it
 * stops.
 *
 * The advisor makes a set of them "active" (pga_hypo_activate) just around
 * its own call of the planner.  While a set is active, the
 * get_relation_info_hook below appends an IndexOptInfo for each active
 * index of the relation being planned, marked hypothetical (which makes
 * the index AMs' cost estimators skip opening the index).  Two guards keep
 * every other planning blind to them:
 *
 *	- the set is active only between pga_hypo_activate() and
 *	  pga_hypo_deactivate(), which callers pair with PG_FINALLY;
 *	- a planner_hook counts planner nesting: the indexes are added only at
 *	  the depth directly below the one that activated them, so a query that
 *	  a function runs while the planner evaluates it (a stable function
 *	  folded for selectivity estimation) never sees, and never tries to
 *	  execute, a hypothetical index.
 *
 * Other backends are never affected: the state is process-local.
 *
 * Index OIDs.  The planner identifies an index by OID in its plan nodes and
 * looks up statistics of expression columns by that OID.  Each active index
 * gets, on activation, an OID from the range reserved for objects created
 * by initdb (FirstUnpinnedObjectId .. FirstNormalObjectId) that no pg_class
 * row uses: such an OID is never assigned later, so it can neither clash
 * with a real index nor find statistics that are not its own.  OIDs only
 * need to be unique within the active set.
 *
 * Locking: none.  The state is private to the backend; the tables planned
 * are locked by the planner as usual.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/amapi.h"
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/nbtree.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/transam.h"
#include "catalog/index.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_opclass.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "commands/defrem.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "optimizer/plancat.h"
#include "optimizer/planner.h"
#include "parser/parse_coerce.h"
#include "parser/parser.h"
#include "rewrite/rewriteManip.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/selfuncs.h"
#include "utils/syscache.h"

#include "advisor.h"
#include "hypo.h"
#include "pg_architect.h"
#include "whatif.h"

/* See hypo.h. */
amcostestimate_function pga_hypo_costestimate = NULL;

/* Saved hooks. */
static get_relation_info_hook_type prev_get_relation_info_hook = NULL;
static get_index_stats_hook_type prev_get_index_stats_hook = NULL;
static planner_hook_type prev_planner_hook = NULL;

/* Planner nesting depth in this backend (maintained by pga_planner). */
static int	pga_plan_depth = 0;

/* The active set, and the planner depth of whoever activated it. */
static List *pga_active = NIL;
static int	pga_active_depth = -1;

/* Free OIDs for active hypothetical indexes, found on demand. */
static Oid *pga_oid_pool = NULL;
static int	pga_oid_pool_len = 0;
static Oid	pga_oid_pool_next = FirstUnpinnedObjectId;

static void pga_get_relation_info(PlannerInfo *root, Oid relationObjectId,
								  bool inhparent, RelOptInfo *rel);
static PlannedStmt *pga_planner(Query *parse, const char *query_string,
								int cursorOptions, ParamListInfo boundParams);
static IndexOptInfo *pga_hypo_index_info(PlannerInfo *root, RelOptInfo *rel,
										 PgaHypoIndex *h);
static bool pga_get_index_stats(PlannerInfo *root, Oid indexOid,
								AttrNumber indexattnum,
								VariableStatData *vardata);

/*
 * pga_hypo_init
 *		Install the hooks.  Called from _PG_init whether or not the library
 *		is preloaded: the hooks are per backend and cost nothing when no set
 *		is active.
 */
void
pga_hypo_init(void)
{
	prev_get_relation_info_hook = get_relation_info_hook;
	get_relation_info_hook = pga_get_relation_info;
	prev_planner_hook = planner_hook;
	planner_hook = pga_planner;
	prev_get_index_stats_hook = get_index_stats_hook;
	get_index_stats_hook = pga_get_index_stats;

	/* The advisor's candidate collector is a planner hook too. */
	pga_candidates_init();
	/* And so is the join order re-use of what-if calls (whatif_joins.c). */
	pga_whatif_joins_init();
}

/*
 * pga_planner
 *		Count planner nesting, then plan as usual.
 */
static PlannedStmt *
pga_planner(Query *parse, const char *query_string, int cursorOptions,
			ParamListInfo boundParams)
{
	PlannedStmt *result;

	pga_plan_depth++;
	PG_TRY();
	{
		if (prev_planner_hook)
			result = prev_planner_hook(parse, query_string, cursorOptions,
									   boundParams);
		else
			result = standard_planner(parse, query_string, cursorOptions,
									  boundParams);
	}
	PG_FINALLY();
	{
		pga_plan_depth--;
	}
	PG_END_TRY();

	return result;
}

int
pga_planner_depth(void)
{
	return pga_plan_depth;
}

/*
 * pga_oid_for_slot
 *		The n-th OID of the pool of OIDs that no relation uses.
 */
static Oid
pga_oid_for_slot(int n)
{
	while (n >= pga_oid_pool_len)
	{
		Oid			candidate = InvalidOid;

		while (pga_oid_pool_next < FirstNormalObjectId)
		{
			Oid			o = pga_oid_pool_next++;

			if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(o)))
			{
				candidate = o;
				break;
			}
		}
		if (!OidIsValid(candidate))
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many hypothetical indexes planned at once"),
					 errdetail("At most %d hypothetical indexes can be active together.",
							   pga_oid_pool_len),
					 errhint("Pass fewer index definitions.")));
		if (pga_oid_pool == NULL)
			pga_oid_pool = MemoryContextAlloc(TopMemoryContext, sizeof(Oid) * 64);
		else if ((pga_oid_pool_len % 64) == 0)
			pga_oid_pool = repalloc(pga_oid_pool,
									sizeof(Oid) * (pga_oid_pool_len + 64));
		pga_oid_pool[pga_oid_pool_len++] = candidate;
	}
	return pga_oid_pool[n];
}

/*
 * pga_hypo_activate
 *		Make the given hypothetical indexes visible to the next planner call
 *		made by the caller.  The caller must call pga_hypo_deactivate(), in
 *		a PG_FINALLY block, once the planner returns.
 */
void
pga_hypo_activate(List *hypos)
{
	ListCell   *lc;
	int			n = 0;

	if (pga_active_depth >= 0)
		elog(ERROR, "hypothetical index set is already active");

	foreach(lc, hypos)
	{
		PgaHypoIndex *h = (PgaHypoIndex *) lfirst(lc);

		h->indexoid = pga_oid_for_slot(n++);
	}
	pga_active = hypos;
	pga_active_depth = pga_plan_depth;
}

void
pga_hypo_deactivate(void)
{
	pga_active = NIL;
	pga_active_depth = -1;
}


/*
 * pga_get_relation_info
 *		Append the active hypothetical indexes of this relation, when the
 *		planner running is the one the advisor called.
 */
static void
pga_get_relation_info(PlannerInfo *root, Oid relationObjectId,
					  bool inhparent, RelOptInfo *rel)
{
	ListCell   *lc;

	if (prev_get_relation_info_hook)
		prev_get_relation_info_hook(root, relationObjectId, inhparent, rel);

	if (pga_active == NIL || pga_active_depth < 0 ||
		pga_plan_depth != pga_active_depth + 1 || inhparent)
		return;

	foreach(lc, pga_active)
	{
		PgaHypoIndex *h = (PgaHypoIndex *) lfirst(lc);

		if (h->relid == relationObjectId)
			rel->indexlist = lcons(pga_hypo_index_info(root, rel, h),
								   rel->indexlist);
	}
}

/*
 * pga_get_index_stats
 *		Statistics for an expression column of a hypothetical index.  A real
 *		expression index gets its own statistics from ANALYZE; a hypothetical
 *		one has none, and the planner would fall back to default
 *		selectivities.  For an expression over one column that keeps the
 *		column's string type (lower(email), upper(code), btrim(name)), the
 *		column's statistics are a fair stand-in: same nulls, about the same
 *		number of distinct values.  Other expressions keep the defaults.
 */
static bool
pga_get_index_stats(PlannerInfo *root, Oid indexOid, AttrNumber indexattnum,
					VariableStatData *vardata)
{
	ListCell   *lc;

	if (prev_get_index_stats_hook &&
		prev_get_index_stats_hook(root, indexOid, indexattnum, vardata))
		return true;
	if (pga_active == NIL || pga_plan_depth != pga_active_depth + 1)
		return false;

	foreach(lc, pga_active)
	{
		PgaHypoIndex *h = (PgaHypoIndex *) lfirst(lc);
		int			col = indexattnum - 1;
		int			e = 0;
		int			i;
		Node	   *expr;
		List	   *vars;
		Var		   *v;
		HeapTuple	tup;

		if (h->indexoid != indexOid)
			continue;
		if (col < 0 || col >= h->ncolumns || h->indexkeys[col] != 0)
			return false;
		for (i = 0; i < col; i++)
			if (h->indexkeys[i] == 0)
				e++;
		expr = (Node *) list_nth(h->indexprs, e);
		vars = pull_var_clause(expr, 0);
		if (list_length(vars) != 1)
			return false;
		v = (Var *) linitial(vars);
		if (v->varattno <= 0 || exprType(expr) != v->vartype ||
			TypeCategory(v->vartype) != TYPCATEGORY_STRING)
			return false;
		tup = SearchSysCache3(STATRELATTINH, ObjectIdGetDatum(h->relid),
							  Int16GetDatum(v->varattno), BoolGetDatum(false));
		if (!HeapTupleIsValid(tup))
			return false;
		vardata->statsTuple = tup;
		vardata->freefunc = ReleaseSysCache;
		vardata->acl_ok =
			pg_class_aclcheck(h->relid, GetUserId(), ACL_SELECT) == ACLCHECK_OK ||
			pg_attribute_aclcheck(h->relid, v->varattno, GetUserId(),
								  ACL_SELECT) == ACLCHECK_OK;
		return true;
	}
	return false;
}

/*
 * pga_hypo_index_info
 *		Build the planner's description of a hypothetical index, the way
 *		get_relation_info() describes a real one.
 */
static IndexOptInfo *
pga_hypo_index_info(PlannerInfo *root, RelOptInfo *rel, PgaHypoIndex *h)
{
	IndexOptInfo *info = makeNode(IndexOptInfo);
	IndexAmRoutine *am = GetIndexAmRoutineByAmId(h->amoid, false);
	int			ncol = h->ncolumns;
	int			nkey = h->nkeycolumns;
	ListCell   *exprs;
	int			i;

	info->indexoid = h->indexoid;
	info->reltablespace = rel->reltablespace;
	info->rel = rel;
	info->ncolumns = ncol;
	info->nkeycolumns = nkey;

	info->indexkeys = (int *) palloc(sizeof(int) * ncol);
	info->indexcollations = (Oid *) palloc(sizeof(Oid) * nkey);
	info->opfamily = (Oid *) palloc(sizeof(Oid) * nkey);
	info->opcintype = (Oid *) palloc(sizeof(Oid) * nkey);
	info->canreturn = (bool *) palloc(sizeof(bool) * ncol);
	info->opclassoptions = (bytea **) palloc0(sizeof(bytea *) * ncol);

	for (i = 0; i < ncol; i++)
	{
		info->indexkeys[i] = h->indexkeys[i];
		/* B-tree returns every column (btcanreturn); GIN none. */
		info->canreturn[i] = (h->amoid == BTREE_AM_OID);
	}
	for (i = 0; i < nkey; i++)
	{
		info->opfamily[i] = h->opfamily[i];
		info->opcintype[i] = h->opcintype[i];
		info->indexcollations[i] = h->collation[i];
	}

	info->relam = h->amoid;
	info->amcanorderbyop = am->amcanorderbyop;
	info->amoptionalkey = am->amoptionalkey;
	info->amsearcharray = am->amsearcharray;
	info->amsearchnulls = am->amsearchnulls;
	info->amcanparallel = am->amcanparallel;
	info->amhasgettuple = (am->amgettuple != NULL);
	info->amhasgetbitmap = (am->amgetbitmap != NULL);
	info->amcanmarkpos = (am->ammarkpos != NULL && am->amrestrpos != NULL);
	/* The advisor's random-fetch guard may wrap it (advisor_fetch.c). */
	if (pga_hypo_costestimate != NULL)
		info->amcostestimate = pga_hypo_costestimate;
	else
		info->amcostestimate = am->amcostestimate;

	if (h->amoid == BTREE_AM_OID)
	{
		info->sortopfamily = info->opfamily;
		info->reverse_sort = (bool *) palloc(sizeof(bool) * nkey);
		info->nulls_first = (bool *) palloc(sizeof(bool) * nkey);
		for (i = 0; i < nkey; i++)
		{
			info->reverse_sort[i] = h->reverse_sort[i];
			info->nulls_first[i] = h->nulls_first[i];
		}
	}
	else
	{
		info->sortopfamily = NULL;
		info->reverse_sort = NULL;
		info->nulls_first = NULL;
	}

	/* Expressions and predicate, renumbered to this relation's varno. */
	info->indexprs = copyObject(h->indexprs);
	info->indpred = copyObject(h->indpred);
	if (rel->relid != 1)
	{
		if (info->indexprs)
			ChangeVarNodes((Node *) info->indexprs, 1, rel->relid, 0);
		if (info->indpred)
			ChangeVarNodes((Node *) info->indpred, 1, rel->relid, 0);
	}

	/* The index's target list: one entry per column. */
	exprs = list_head(info->indexprs);
	info->indextlist = NIL;
	for (i = 0; i < ncol; i++)
	{
		Expr	   *e;

		if (h->indexkeys[i] != 0)
		{
			Oid			typid;
			int32		typmod;
			Oid			collid;

			get_atttypetypmodcoll(h->relid, h->indexkeys[i],
								  &typid, &typmod, &collid);
			e = (Expr *) makeVar(rel->relid, h->indexkeys[i], typid, typmod,
								 collid, 0);
		}
		else
		{
			if (exprs == NULL)
				elog(ERROR, "too few entries in hypothetical index expressions");
			e = (Expr *) lfirst(exprs);
			exprs = lnext(info->indexprs, exprs);
		}
		info->indextlist = lappend(info->indextlist,
								   makeTargetEntry(e, i + 1, NULL, false));
	}

	info->indrestrictinfo = NIL;	/* set later, in indxpath.c */
	info->predOK = false;		/* set later, in indxpath.c */
	info->unique = h->unique;
	info->immediate = true;
	info->hypothetical = true;

	/* Size: estimated once from the table's statistics. */
	if (!h->size_known)
		pga_index_size_estimate(root, rel, h);
	info->pages = h->pages;
	info->tuples = Min(h->tuples, rel->tuples);
	info->tree_height = h->tree_height;

	return info;
}

/*
 * pga_hypo_create
 *		A new, empty hypothetical index on relid, to be filled with
 *		pga_hypo_add_key() and friends.  The caller has checked the table.
 */
PgaHypoIndex *
pga_hypo_create(Oid relid, Oid amoid)
{
	PgaHypoIndex *h = palloc0(sizeof(PgaHypoIndex));

	h->id = -1;
	h->relid = relid;
	h->amoid = amoid;
	h->deduplicate = true;
	h->tree_height = -1;
	return h;
}

/*
 * pga_hypo_add_key
 *		Append a key column (a Var of varno 1 becomes a plain column, any
 *		other expression an expression column).  opclass InvalidOid means the
 *		default class of the expression's type for the index's access method.
 *		Returns false, adding nothing, when the type has no such class or
 *		the index already has INDEX_MAX_KEYS columns.  Key columns must all
 *		be added before INCLUDE columns.
 */
bool
pga_hypo_add_key(PgaHypoIndex *h, Node *expr, Oid opclass, Oid collation,
				 bool desc, bool nulls_first)
{
	int			i = h->ncolumns;
	Oid			type;

	Assert(h->ncolumns == h->nkeycolumns);
	if (i >= INDEX_MAX_KEYS)
		return false;

	/* A binary-compatible relabelling (varchar as text) indexes the column. */
	expr = pga_strip_relabel(expr);

	type = exprType(expr);
	if (!OidIsValid(opclass))
		opclass = GetDefaultOpClass(type, h->amoid);
	if (!OidIsValid(opclass))
		return false;

	if (IsA(expr, Var) && ((Var *) expr)->varattno > 0)
		h->indexkeys[i] = ((Var *) expr)->varattno;
	else
	{
		h->indexkeys[i] = 0;
		h->indexprs = lappend(h->indexprs, copyObject(expr));
	}
	h->opclass[i] = opclass;
	h->opfamily[i] = get_opclass_family(opclass);
	h->opcintype[i] = get_opclass_input_type(opclass);
	h->collation[i] = OidIsValid(collation) ? collation :
		(type_is_collatable(type) ? exprCollation(expr) : InvalidOid);
	h->reverse_sort[i] = desc;
	h->nulls_first[i] = nulls_first;
	h->ncolumns++;
	h->nkeycolumns++;
	h->size_known = false;
	return true;
}

/*
 * pga_hypo_add_include
 *		Append a non-key (INCLUDE) column.  B-tree only.
 */
bool
pga_hypo_add_include(PgaHypoIndex *h, AttrNumber attnum)
{
	if (h->ncolumns >= INDEX_MAX_KEYS || h->amoid != BTREE_AM_OID ||
		attnum <= 0)
		return false;
	h->indexkeys[h->ncolumns++] = attnum;
	h->size_known = false;
	return true;
}

/*
 * pga_hypo_set_predicate
 *		Make the index partial: pred is an implicit-AND list of immutable
 *		clauses over varno 1.
 */
void
pga_hypo_set_predicate(PgaHypoIndex *h, List *pred)
{
	h->indpred = copyObject(pred);
	h->size_known = false;
}

/*
 * pga_hypo_ensure_size
 *		Estimate the index's size now if the planner has not done it yet, by
 *		planning a trivial scan of its table with the index active.
 */
void
pga_hypo_ensure_size(PgaHypoIndex *h)
{
	char	   *relname;
	char	   *nspname;
	StringInfoData sql;
	List	   *raw;
	List	   *queries;

	if (h->size_known)
		return;

	relname = get_rel_name(h->relid);
	nspname = get_namespace_name(get_rel_namespace(h->relid));
	if (relname == NULL || nspname == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table with OID %u does not exist", h->relid)));

	initStringInfo(&sql);
	appendStringInfo(&sql, "SELECT FROM ONLY %s.%s",
					 pga_quote_ident_always(nspname),
					 pga_quote_ident_always(relname));
	raw = raw_parser(sql.data, RAW_PARSE_DEFAULT);
	queries = pg_analyze_and_rewrite_fixedparams(linitial_node(RawStmt, raw),
												 sql.data, NULL, 0, NULL);

	pga_hypo_activate(list_make1(h));
	PG_TRY();
	{
		(void) planner(linitial_node(Query, queries), sql.data, 0, NULL);
	}
	PG_FINALLY();
	{
		pga_hypo_deactivate();
	}
	PG_END_TRY();

	if (!h->size_known)
		elog(ERROR, "size of hypothetical index could not be estimated");
}

/*
 * pga_hypo_signature
 *		A string that identifies the index's definition (not its name): two
 *		hypothetical indexes with equal signatures are the same index.
 */
char *
pga_hypo_signature(PgaHypoIndex *h)
{
	StringInfoData s;
	int			i;

	initStringInfo(&s);
	appendStringInfo(&s, "%u/%u/%d/%d/%d", h->relid, h->amoid,
					 h->nkeycolumns, h->ncolumns, h->unique ? 1 : 0);
	for (i = 0; i < h->ncolumns; i++)
	{
		appendStringInfo(&s, "|%d", h->indexkeys[i]);
		if (i < h->nkeycolumns)
			appendStringInfo(&s, ":%u:%u:%d:%d", h->opclass[i],
							 h->collation[i], h->reverse_sort[i] ? 1 : 0,
							 h->nulls_first[i] ? 1 : 0);
	}
	if (h->indexprs)
		appendStringInfo(&s, "|E%s", nodeToString(h->indexprs));
	if (h->indpred)
		appendStringInfo(&s, "|P%s", nodeToString(h->indpred));
	return s.data;
}

/*
 * pga_hypo_is_covered_by
 *		True when an existing index makes this hypothetical one pointless:
 *		same access method, the hypothetical key columns are the existing
 *		index's first key columns (same expression, operator family,
 *		collation and, for B-tree, the same or the fully reversed sort
 *		order), any INCLUDE column of ours is a column of it, and the
 *		predicates are equal (or neither index has one).  Invalid indexes
 *		never cover anything.
 */
bool
pga_hypo_is_covered_by(PgaHypoIndex *h, Oid indexoid)
{
	Relation	irel;
	Form_pg_index idx;
	List	   *iexprs;
	List	   *ipred;
	bool		covered = true;
	int			i;
	int			reversed = -1;

	irel = index_open(indexoid, AccessShareLock);
	idx = irel->rd_index;

	if (!idx->indisvalid || !idx->indisready || !idx->indislive ||
		irel->rd_rel->relam != h->amoid ||
		idx->indnkeyatts < h->nkeycolumns)
	{
		index_close(irel, AccessShareLock);
		return false;
	}

	iexprs = RelationGetIndexExpressions(irel);
	ipred = RelationGetIndexPredicate(irel);

	if (!equal(ipred, h->indpred))
		covered = false;

	for (i = 0; covered && i < h->nkeycolumns; i++)
	{
		if (h->indexkeys[i] != 0 || idx->indkey.values[i] != 0)
		{
			if (h->indexkeys[i] != idx->indkey.values[i])
				covered = false;
		}
		else
		{
			/* Both are expressions: compare the n-th expression of each. */
			int			mine_e = 0;
			int			theirs_e = 0;
			int			j;

			for (j = 0; j < i; j++)
			{
				if (h->indexkeys[j] == 0)
					mine_e++;
				if (idx->indkey.values[j] == 0)
					theirs_e++;
			}
			if (!equal(list_nth(h->indexprs, mine_e),
					   list_nth(iexprs, theirs_e)))
				covered = false;
		}

		if (covered &&
			(irel->rd_opfamily[i] != h->opfamily[i] ||
			 irel->rd_indcollation[i] != h->collation[i]))
			covered = false;

		if (covered && h->amoid == BTREE_AM_OID)
		{
			int16		opt = irel->rd_indoption[i];
			bool		desc = (opt & INDOPTION_DESC) != 0;
			bool		nf = (opt & INDOPTION_NULLS_FIRST) != 0;
			int			same = (desc == h->reverse_sort[i] &&
								nf == h->nulls_first[i]) ? 0 : 1;

			/* Either every column matches, or every one is reversed. */
			if (same == 1 && (desc == h->reverse_sort[i] ||
							  nf == h->nulls_first[i]))
				covered = false;
			else if (reversed < 0)
				reversed = same;
			else if (reversed != same)
				covered = false;
		}
	}

	/* Our INCLUDE columns must be columns of the existing index. */
	for (i = h->nkeycolumns; covered && i < h->ncolumns; i++)
	{
		bool		found = false;
		int			j;

		for (j = 0; j < idx->indnatts; j++)
			if (idx->indkey.values[j] == h->indexkeys[i])
				found = true;
		if (!found)
			covered = false;
	}

	/* A unique hypothetical index is only covered by a unique one. */
	if (covered && h->unique &&
		!(idx->indisunique && idx->indnkeyatts == h->nkeycolumns))
		covered = false;

	index_close(irel, AccessShareLock);
	return covered;
}

/*
 * pga_hypo_extends
 *		Is big the index small with more columns: same table, method and
 *		predicate, small's key columns the first key columns of big (same
 *		expression, operator class, collation and order), and small's
 *		INCLUDE columns columns of big?  An index extends itself.
 */
bool
pga_hypo_extends(PgaHypoIndex *big, PgaHypoIndex *small)
{
	int			i;
	int			j;
	int			be = 0;
	int			se = 0;

	if (big->relid != small->relid || big->amoid != small->amoid ||
		big->nkeycolumns < small->nkeycolumns ||
		!equal(big->indpred, small->indpred) ||
		(small->unique && !(big->unique && big->nkeycolumns == small->nkeycolumns)))
		return false;
	for (i = 0; i < small->nkeycolumns; i++)
	{
		if (small->indexkeys[i] != big->indexkeys[i] ||
			small->opclass[i] != big->opclass[i] ||
			small->collation[i] != big->collation[i] ||
			small->reverse_sort[i] != big->reverse_sort[i] ||
			small->nulls_first[i] != big->nulls_first[i])
			return false;
		if (small->indexkeys[i] == 0 &&
			!equal(list_nth(small->indexprs, se++), list_nth(big->indexprs, be++)))
			return false;
	}
	for (i = small->nkeycolumns; i < small->ncolumns; i++)
	{
		bool		found = false;

		for (j = 0; j < big->ncolumns && !found; j++)
			found = (big->indexkeys[j] == small->indexkeys[i]);
		if (!found)
			return false;
	}
	return true;
}
