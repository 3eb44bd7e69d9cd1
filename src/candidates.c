/*-------------------------------------------------------------------------
 *
 * candidates.c
 *	  Candidate indexes, read from the planner's view of each table scan of
 *	  the workload's queries.
 *
 * While workload.c plans a statement for its baseline cost, a
 * set_rel_pathlist_hook (active only for that planner call) copies, for
 * every table scanned, what the planner has worked out about it:
 *
 *	- restriction clauses (baserestrictinfo, which already holds the
 *	  constant equalities derived from equivalence classes): equality and
 *	  range conditions whose operator belongs to the B-tree family of the
 *	  column's type, IN lists, IS NULL, boolean columns; operators a GIN
 *	  operator class supports (@>, &&, @@, LIKE with pg_trgm's
 *	  gin_trgm_ops); LIKE 'prefix%' (a B-tree with text_pattern_ops unless
 *	  the collation is C); each arm of an OR;
 *	- join columns, from the equivalence classes that join this table to
 *	  another and from the other join clauses;
 *	- the ORDER BY and GROUP BY / DISTINCT keys that this table alone can
 *	  provide, with their directions;
 *	- the columns the query reads from it (for covering indexes);
 *	- selective constant predicates (status = 'pending', processed_at IS
 *	  NULL, a boolean flag) that could be an index's predicate.
 *
 * Keys may be expressions (lower(email), to_tsvector('english', body))
 * when they are immutable.  Everything is renumbered to varno 1, the way a
 * catalog stores index expressions.
 *
 * pga_candidates_build() then turns each scan into B-tree candidates, the
 * way a DBA reasons: equality columns first (most selective first), then one
 * range column; the same with the ORDER BY or GROUP BY keys after the
 * equality columns; each join column, alone and after the equality columns;
 * the join columns to one other table together, covering (a probe by
 * several columns read index-only: pga_join_probe_candidates); each column
 * alone (so that one index can serve several queries); with
 * INCLUDE columns when that makes the scan index-only; partial versions on
 * the selective constant predicates and on the predicates the query's
 * shape fixes (candidates_shape.c); and one GIN candidate per GIN-able
 * key.  When capture is installed and preloaded, the same shapes are also
 * built from architect.predicates for the workload's query ids.
 * Candidates are deduplicated across the workload, and one that an
 * existing valid index duplicates or extends (pga_hypo_is_covered_by) is
 * never proposed.  A candidate may serve the queries that read its table
 * and refer to its leading key.
 *
 * Locking: none beyond the planner's.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_opclass.h"
#include "catalog/pg_statistic.h"
#include "catalog/pg_type.h"
#include "access/xact.h"
#include "commands/defrem.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "common/hashfn.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/clauses.h"
#include "optimizer/optimizer.h"
#include "optimizer/paths.h"
#include "parser/parse_coerce.h"
#include "rewrite/rewriteManip.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/pg_locale.h"
#include "utils/rel.h"
#include "utils/selfuncs.h"
#include "utils/resowner.h"

#include "advisor.h"
#include "candidates_shape.h"
#include "pg_architect.h"
#include "guc.h"

/* A key the planner's view of a scan suggests. */
typedef struct PgaKey
{
	Node	   *expr;			/* over varno 1, relabelling stripped */
	int			kind;			/* PGA_KIND_* */
	Oid			opclass;		/* InvalidOid: the type's default class */
	bool		desc;			/* sort keys: descending */
	bool		nulls_first;	/* sort keys: nulls first */
	double		sel;			/* selectivity of its clause, 1 if unknown;
								 * join keys: of an equality on it */
	Relids		other;			/* join keys: the tables it joins to */
} PgaKey;

/* A constant predicate that could make a partial index. */
typedef struct PgaPartial
{
	Expr	   *clause;			/* over varno 1 */
	Node	   *col;			/* the column or expression it tests */
	double		sel;
} PgaPartial;

/* What one table scan of one query says about indexes. */
typedef struct PgaScan
{
	PgaQuery   *q;
	Oid			relid;
	List	   *eq;				/* PgaKey * */
	List	   *range;
	List	   *sort;
	List	   *group;
	List	   *join;
	List	   *gin;
	List	   *pattern;
	List	   *orarms;
	List	   *partial;		/* PgaPartial * */
	List	   *shape;			/* PgaShapePartial *, candidates_shape.c */
	Bitmapset  *needed;			/* attnums read */
	bool		no_cover;		/* a whole-row or system column is read */
	List	   *refs;			/* every key expression, for relevance */
} PgaScan;

/* A GIN operator class. */
typedef struct PgaGinClass
{
	Oid			opclass;
	Oid			opfamily;
	Oid			opcintype;
	bool		isdefault;
	bool		trgm;			/* supports LIKE (~~) */
} PgaGinClass;

static set_rel_pathlist_hook_type prev_set_rel_pathlist_hook = NULL;

/* The collector: on only while workload.c plans a query's baseline. */
static PgaRun *pga_collect_run = NULL;
static PgaQuery *pga_collect_query = NULL;
static int	pga_collect_depth = -1;

static void pga_set_rel_pathlist(PlannerInfo *root, RelOptInfo *rel,
								 Index rti, RangeTblEntry *rte);

void
pga_candidates_init(void)
{
	prev_set_rel_pathlist_hook = set_rel_pathlist_hook;
	set_rel_pathlist_hook = pga_set_rel_pathlist;
}

void
pga_collect_begin(PgaRun *run, PgaQuery *q)
{
	pga_collect_run = run;
	pga_collect_query = q;
	pga_collect_depth = pga_planner_depth();
}

void
pga_collect_end(void)
{
	pga_collect_run = NULL;
	pga_collect_query = NULL;
	pga_collect_depth = -1;
}

/*
 * pga_load_gin_classes
 *		Every GIN operator class, read once per run.
 */
static void
pga_load_gin_classes(PgaRun *run)
{
	Relation	rel;
	SysScanDesc scan;
	HeapTuple	tup;
	MemoryContext old;

	if (run->gin_loaded)
		return;
	old = MemoryContextSwitchTo(run->cxt);
	rel = table_open(OperatorClassRelationId, AccessShareLock);
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_opclass oc = (Form_pg_opclass) GETSTRUCT(tup);
		PgaGinClass *g;
		Oid			likeop;

		if (oc->opcmethod != GIN_AM_OID)
			continue;
		g = palloc0(sizeof(PgaGinClass));
		g->opclass = oc->oid;
		g->opfamily = oc->opcfamily;
		g->opcintype = oc->opcintype;
		g->isdefault = oc->opcdefault;
		likeop = OpernameGetOprid(list_make1(makeString("~~")), TEXTOID, TEXTOID);
		g->trgm = OidIsValid(likeop) && op_in_opfamily(likeop, g->opfamily);
		run->gin_opclasses = lappend(run->gin_opclasses, g);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	run->gin_loaded = true;
	MemoryContextSwitchTo(old);
}

/*
 * pga_norm_key
 *		A clause side as an index key over varno 1, or NULL when it cannot be
 *		one: a plain column of this table, or an immutable expression over
 *		its columns only.
 */
static Node *
pga_norm_key(PlannerInfo *root, Node *side, Index relid)
{
	Relids		varnos;
	Node	   *e;

	side = pga_strip_relabel(side);
	varnos = pull_varnos(root, side);
	if (bms_membership(varnos) != BMS_SINGLETON ||
		bms_singleton_member(varnos) != (int) relid)
		return NULL;
	if (IsA(side, Var))
	{
		if (((Var *) side)->varattno <= 0 || ((Var *) side)->varlevelsup != 0)
			return NULL;
	}
	else if (contain_mutable_functions(side) || contain_subplans(side) ||
			 contain_agg_clause(side) || contain_window_function(side) ||
			 expression_returns_set(side) ||
			 pull_var_clause(side, PVC_INCLUDE_PLACEHOLDERS) == NIL)
		return NULL;
	else
	{
		List	   *vars = pull_var_clause(side, PVC_INCLUDE_PLACEHOLDERS);
		ListCell   *lc;

		foreach(lc, vars)
			if (!IsA(lfirst(lc), Var) || ((Var *) lfirst(lc))->varattno <= 0)
				return NULL;
	}
	e = copyObject(side);
	if (relid != 1)
		ChangeVarNodes(e, relid, 1, 0);
	return e;
}

/*
 * pga_is_comparand
 *		Can this side be compared with an index key: no Vars of the query
 *		level, no volatile function.
 */
static bool
pga_is_comparand(PlannerInfo *root, Node *side)
{
	return bms_is_empty(pull_varnos(root, side)) &&
		!contain_volatile_functions(side);
}

static PgaKey *
pga_make_key(Node *expr, int kind, Oid opclass, double sel)
{
	PgaKey	   *k = palloc0(sizeof(PgaKey));

	k->expr = expr;
	k->kind = kind;
	k->opclass = opclass;
	k->sel = sel;
	if (!IsA(expr, Var))
		k->kind |= PGA_KIND_EXPR;
	return k;
}

/*
 * pga_btree_strategy
 *		The strategy of opno in the B-tree family of the key's type's default
 *		operator class, or 0.
 */
static int
pga_btree_strategy(Oid opno, Node *key)
{
	Oid			opclass = GetDefaultOpClass(exprType(key), BTREE_AM_OID);
	Oid			family;
	List	   *interps;
	ListCell   *lc;

	if (!OidIsValid(opclass))
		return 0;
	family = get_opclass_family(opclass);
	interps = get_op_btree_interpretation(opno);
	foreach(lc, interps)
	{
		OpBtreeInterpretation *bi = (OpBtreeInterpretation *) lfirst(lc);

		if (bi->opfamily_id == family &&
			bi->strategy >= BTLessStrategyNumber &&
			bi->strategy <= BTGreaterStrategyNumber)
			return bi->strategy;
	}
	return 0;
}

/*
 * pga_add_partial
 *		Remember a constant, immutable, selective clause as a possible index
 *		predicate.  A clause comparing a column with a value must ask for a
 *		rare value of a skewed column (a status = 'pending' among mostly
 *		'delivered'): such constants are states an application names, the
 *		same in every execution, while a value of an evenly spread column
 *		(a customer id, a category) is only one sample of many.  Tests for
 *		NULL and boolean columns carry no value and always qualify.
 */
static void
pga_add_partial(PlannerInfo *root, PgaScan *scan, Expr *clause, Node *col,
				Node *orig_col, double sel, Index relid)
{
	PgaPartial *p;

	if (sel < 0 || sel > pga_partial_selectivity || sel >= 1.0 ||
		contain_mutable_functions((Node *) clause))
		return;

	if (IsA(clause, OpExpr))
	{
		VariableStatData vardata;
		bool		isdefault;
		double		nd;
		double		nullfrac = 0.0;

		examine_variable(root, orig_col, relid, &vardata);
		nd = get_variable_numdistinct(&vardata, &isdefault);
		if (HeapTupleIsValid(vardata.statsTuple))
			nullfrac = ((Form_pg_statistic) GETSTRUCT(vardata.statsTuple))->stanullfrac;
		ReleaseVariableStats(vardata);
		if (isdefault || nd < 2 || sel > 0.5 * (1.0 - nullfrac) / nd)
			return;
	}

	p = palloc0(sizeof(PgaPartial));
	p->clause = copyObject(clause);
	if (relid != 1)
		ChangeVarNodes((Node *) p->clause, relid, 1, 0);
	p->col = col;
	p->sel = sel;
	scan->partial = lappend(scan->partial, p);
}

/*
 * pga_like_prefix
 *		Does a LIKE pattern constant start with a literal prefix?
 */
static bool
pga_like_prefix(Node *pattern)
{
	Const	   *c;
	char	   *s;

	if (!IsA(pattern, Const) || ((Const *) pattern)->constisnull)
		return false;
	c = (Const *) pattern;
	if (c->consttype != TEXTOID && c->consttype != VARCHAROID)
		return false;
	s = TextDatumGetCString(c->constvalue);
	return s[0] != '\0' && s[0] != '%' && s[0] != '_' && s[0] != '\\';
}

/*
 * pga_classify_opexpr
 *		A binary operator clause: which kind of key it suggests.
 */
static void
pga_classify_opexpr(PgaRun *run, PlannerInfo *root, PgaScan *scan,
					OpExpr *op, Index relid, double sel, bool in_or)
{
	Node	   *l;
	Node	   *r;
	Node	   *key;
	Node	   *other;
	Oid			opno = op->opno;
	int			strategy;
	char	   *opname;
	ListCell   *lc;

	if (list_length(op->args) != 2)
		return;
	l = linitial(op->args);
	r = lsecond(op->args);

	if ((key = pga_norm_key(root, l, relid)) != NULL && pga_is_comparand(root, r))
		other = r;
	else if ((key = pga_norm_key(root, r, relid)) != NULL &&
			 pga_is_comparand(root, l))
	{
		other = l;
		opno = get_commutator(opno);
		if (!OidIsValid(opno))
			return;
	}
	else
		return;

	strategy = pga_btree_strategy(opno, key);
	if (strategy == BTEqualStrategyNumber)
	{
		PgaKey	   *k = pga_make_key(key, in_or ? PGA_KIND_OR : PGA_KIND_EQ,
									 InvalidOid, sel);

		if (in_or)
			scan->orarms = lappend(scan->orarms, k);
		else
		{
			scan->eq = lappend(scan->eq, k);
			if (IsA(other, Const))
				pga_add_partial(root, scan, (Expr *) op, key,
								other == r ? l : r, sel, relid);
		}
		return;
	}
	if (strategy != 0)
	{
		PgaKey	   *k = pga_make_key(key, in_or ? PGA_KIND_OR : PGA_KIND_RANGE,
									 InvalidOid, sel);

		if (in_or)
			scan->orarms = lappend(scan->orarms, k);
		else
			scan->range = lappend(scan->range, k);
		return;
	}
	if (in_or)
		return;

	/* LIKE 'prefix%': a B-tree in pattern order (or C collation). */
	opname = get_opname(opno);
	if (opname && strcmp(opname, "~~") == 0 && pga_like_prefix(other) &&
		(exprType(key) == TEXTOID || exprType(key) == VARCHAROID))
	{
		Oid			coll = exprCollation(key);
		Oid			opclass = InvalidOid;

		if (!OidIsValid(coll) || !lc_collate_is_c(coll))
			opclass = get_opclass_oid(BTREE_AM_OID,
									  list_make1(makeString("text_pattern_ops")),
									  true);
		scan->pattern = lappend(scan->pattern,
								pga_make_key(key, PGA_KIND_PATTERN, opclass, sel));
	}

	/* GIN: an operator class of the key's type that has the operator. */
	pga_load_gin_classes(run);
	{
		Oid			keytype = exprType(key);
		PgaGinClass *best = NULL;

		foreach(lc, run->gin_opclasses)
		{
			PgaGinClass *g = (PgaGinClass *) lfirst(lc);
			bool		typeok = IsBinaryCoercible(keytype, g->opcintype) ||
				(g->opcintype == ANYARRAYOID && type_is_array(keytype));

			if (!typeok || !op_in_opfamily(opno, g->opfamily))
				continue;
			/* Every matching class competes; the selection keeps the best. */
			scan->gin = lappend(scan->gin,
								pga_make_key(key, g->trgm ? PGA_KIND_TRGM : PGA_KIND_GIN,
											 g->opclass, sel));
			best = g;
		}
		(void) best;
	}
}

/*
 * pga_classify_clause
 *		One restriction clause of the scan.
 */
static void
pga_classify_clause(PgaRun *run, PlannerInfo *root, PgaScan *scan,
					Node *clause, Index relid, double sel, bool in_or)
{
	Node	   *key;

	if (IsA(clause, RestrictInfo))
		clause = (Node *) ((RestrictInfo *) clause)->clause;

	if (IsA(clause, OpExpr))
		pga_classify_opexpr(run, root, scan, (OpExpr *) clause, relid, sel,
							in_or);
	else if (IsA(clause, ScalarArrayOpExpr))
	{
		ScalarArrayOpExpr *sa = (ScalarArrayOpExpr *) clause;

		if (sa->useOr && list_length(sa->args) == 2 &&
			(key = pga_norm_key(root, linitial(sa->args), relid)) != NULL &&
			pga_is_comparand(root, lsecond(sa->args)) &&
			pga_btree_strategy(sa->opno, key) == BTEqualStrategyNumber)
		{
			PgaKey	   *k = pga_make_key(key, in_or ? PGA_KIND_OR : PGA_KIND_EQ,
										 InvalidOid, sel);

			if (in_or)
				scan->orarms = lappend(scan->orarms, k);
			else
				scan->eq = lappend(scan->eq, k);
		}
	}
	else if (IsA(clause, NullTest))
	{
		NullTest   *nt = (NullTest *) clause;

		if (nt->argisrow ||
			(key = pga_norm_key(root, (Node *) nt->arg, relid)) == NULL)
			return;
		if (!in_or)
		{
			if (nt->nulltesttype == IS_NULL)
				scan->eq = lappend(scan->eq,
								   pga_make_key(key, PGA_KIND_EQ, InvalidOid, sel));
			pga_add_partial(root, scan, (Expr *) nt, key, (Node *) nt->arg,
							sel, relid);
		}
	}
	else if (IsA(clause, Var) && ((Var *) clause)->vartype == BOOLOID)
	{
		if ((key = pga_norm_key(root, clause, relid)) != NULL && !in_or)
		{
			scan->eq = lappend(scan->eq,
							   pga_make_key(key, PGA_KIND_EQ, InvalidOid, sel));
			pga_add_partial(root, scan, (Expr *) clause, key, clause, sel,
							relid);
		}
	}
	else if (is_notclause(clause))
	{
		Node	   *arg = (Node *) get_notclausearg((Expr *) clause);

		if (IsA(arg, Var) && ((Var *) arg)->vartype == BOOLOID &&
			(key = pga_norm_key(root, arg, relid)) != NULL && !in_or)
		{
			scan->eq = lappend(scan->eq,
							   pga_make_key(key, PGA_KIND_EQ, InvalidOid, sel));
			pga_add_partial(root, scan, (Expr *) clause, key, arg, sel, relid);
		}
	}
	else if (is_orclause(clause) && !in_or)
	{
		ListCell   *lc;

		foreach(lc, ((BoolExpr *) clause)->args)
		{
			Node	   *arm = (Node *) lfirst(lc);

			/* AND arms: each conjunct may match. */
			if (is_andclause(arm))
			{
				ListCell   *lc2;

				foreach(lc2, ((BoolExpr *) arm)->args)
					pga_classify_clause(run, root, scan, lfirst(lc2), relid,
										sel, true);
			}
			else
				pga_classify_clause(run, root, scan, arm, relid, sel, true);
		}
	}
}

/*
 * pga_pathkey_keys
 *		The leading pathkeys this table alone provides, as keys.
 */
static List *
pga_pathkey_keys(PlannerInfo *root, List *pathkeys, Index relid, int kind)
{
	List	   *out = NIL;
	ListCell   *lc;

	foreach(lc, pathkeys)
	{
		PathKey    *pk = (PathKey *) lfirst(lc);
		EquivalenceClass *ec = pk->pk_eclass;
		ListCell   *lc2;
		Node	   *key = NULL;

		while (ec->ec_merged)
			ec = ec->ec_merged;
		if (EC_MUST_BE_REDUNDANT(ec))
			continue;
		foreach(lc2, ec->ec_members)
		{
			EquivalenceMember *em = (EquivalenceMember *) lfirst(lc2);

			if (em->em_is_child || em->em_is_const)
				continue;
			if (bms_membership(em->em_relids) == BMS_SINGLETON &&
				bms_singleton_member(em->em_relids) == (int) relid)
			{
				key = pga_norm_key(root, (Node *) em->em_expr, relid);
				if (key)
					break;
			}
		}
		if (key == NULL)
			break;				/* a key from elsewhere: the prefix ends */
		{
			Oid			opclass = GetDefaultOpClass(exprType(key), BTREE_AM_OID);
			PgaKey	   *k;

			if (!OidIsValid(opclass) ||
				get_opclass_family(opclass) != pk->pk_opfamily)
				break;
			k = pga_make_key(key, kind, InvalidOid, 1.0);
			k->desc = (pk->pk_strategy == BTGreaterStrategyNumber);
			k->nulls_first = pk->pk_nulls_first;
			out = lappend(out, k);
		}
	}
	return out;
}

/*
 * pga_join_key
 *		A join key: the selectivity of an equality on it (1 / its distinct
 *		values, from the table's statistics; 1 if unknown), which orders the
 *		columns of a multi-column join probe, and the tables it joins to.
 */
static PgaKey *
pga_join_key(PlannerInfo *root, Node *key, Node *side, Relids other)
{
	VariableStatData vardata;
	bool		isdefault;
	double		nd;
	PgaKey	   *k;

	examine_variable(root, side, 0, &vardata);
	nd = get_variable_numdistinct(&vardata, &isdefault);
	ReleaseVariableStats(vardata);
	k = pga_make_key(key, PGA_KIND_JOIN, InvalidOid,
					 (isdefault || nd < 1) ? 1.0 : 1.0 / nd);
	k->other = other;
	return k;
}

/*
 * pga_join_keys
 *		Columns of this table that join it to another one.
 */
static List *
pga_join_keys(PlannerInfo *root, RelOptInfo *rel)
{
	Index		relid = rel->relid;
	List	   *out = NIL;
	ListCell   *lc;

	foreach(lc, root->eq_classes)
	{
		EquivalenceClass *ec = (EquivalenceClass *) lfirst(lc);
		ListCell   *lc2;

		if (ec->ec_merged || ec->ec_has_const || ec->ec_has_volatile ||
			bms_num_members(ec->ec_relids) < 2 ||
			!bms_is_member(relid, ec->ec_relids))
			continue;
		foreach(lc2, ec->ec_members)
		{
			EquivalenceMember *em = (EquivalenceMember *) lfirst(lc2);
			Node	   *key;

			if (em->em_is_child || em->em_is_const ||
				bms_membership(em->em_relids) != BMS_SINGLETON ||
				bms_singleton_member(em->em_relids) != (int) relid)
				continue;
			key = pga_norm_key(root, (Node *) em->em_expr, relid);
			if (key)
			{
				out = lappend(out, pga_join_key(root, key, (Node *) em->em_expr,
												bms_del_member(bms_copy(ec->ec_relids),
															   relid)));
				break;
			}
		}
	}

	/* Other join clauses: a B-tree operator between us and another table. */
	foreach(lc, rel->joininfo)
	{
		RestrictInfo *ri = (RestrictInfo *) lfirst(lc);
		OpExpr	   *op;
		Node	   *key = NULL;
		Node	   *side = NULL;
		Relids		other = NULL;
		Oid			opno;

		if (!IsA(ri->clause, OpExpr) ||
			list_length(((OpExpr *) ri->clause)->args) != 2)
			continue;
		op = (OpExpr *) ri->clause;
		opno = op->opno;
		if (bms_is_subset(ri->left_relids, rel->relids) &&
			!bms_overlap(ri->right_relids, rel->relids))
		{
			side = linitial(op->args);
			other = ri->right_relids;
		}
		else if (bms_is_subset(ri->right_relids, rel->relids) &&
				 !bms_overlap(ri->left_relids, rel->relids))
		{
			side = lsecond(op->args);
			other = ri->left_relids;
			opno = get_commutator(opno);
		}
		if (side)
			key = pga_norm_key(root, side, relid);
		if (key && OidIsValid(opno) && pga_btree_strategy(opno, key) != 0)
			out = lappend(out, pga_join_key(root, key, side, bms_copy(other)));
	}
	return out;
}

/*
 * pga_set_rel_pathlist
 *		The collector: record what the planner knows about a table scan of
 *		the statement being planned for its baseline.
 */
static void
pga_set_rel_pathlist(PlannerInfo *root, RelOptInfo *rel, Index rti,
					 RangeTblEntry *rte)
{
	MemoryContext old;
	PgaScan    *scan;
	ListCell   *lc;
	List	   *vars;

	if (prev_set_rel_pathlist_hook)
		prev_set_rel_pathlist_hook(root, rel, rti, rte);

	if (pga_collect_run == NULL ||
		pga_planner_depth() != pga_collect_depth + 1 ||
		rel->reloptkind != RELOPT_BASEREL || rte->rtekind != RTE_RELATION ||
		(rte->relkind != RELKIND_RELATION && rte->relkind != RELKIND_MATVIEW))
		return;

	old = MemoryContextSwitchTo(pga_collect_run->cxt);
	scan = palloc0(sizeof(PgaScan));
	scan->q = pga_collect_query;
	scan->relid = rte->relid;

	foreach(lc, rel->baserestrictinfo)
	{
		RestrictInfo *ri = (RestrictInfo *) lfirst(lc);
		double		sel;

		if (ri->pseudoconstant)
			continue;
		sel = ri->norm_selec;
		if (sel < 0 || sel > 1)
			sel = clause_selectivity(root, (Node *) ri, 0, JOIN_INNER, NULL);
		pga_classify_clause(pga_collect_run, root, scan, (Node *) ri,
							rel->relid, sel, false);
	}
	scan->shape = pga_shape_partials(root, rel, pga_collect_query->query);
	scan->join = pga_join_keys(root, rel);
	scan->sort = pga_pathkey_keys(root, root->sort_pathkeys, rel->relid,
								  PGA_KIND_SORT);
	scan->group = pga_pathkey_keys(root, root->group_pathkeys, rel->relid,
								   PGA_KIND_GROUP);
	if (scan->group == NIL)
		scan->group = pga_pathkey_keys(root, root->distinct_pathkeys,
									   rel->relid, PGA_KIND_GROUP);

	/* Columns read: the scan's output and its own clauses. */
	vars = pull_var_clause((Node *) rel->reltarget->exprs,
						   PVC_RECURSE_PLACEHOLDERS);
	foreach(lc, rel->baserestrictinfo)
		vars = list_concat(vars,
						   pull_var_clause((Node *) ((RestrictInfo *) lfirst(lc))->clause,
										   PVC_RECURSE_PLACEHOLDERS));
	foreach(lc, vars)
	{
		Var		   *v = (Var *) lfirst(lc);

		if (!IsA(v, Var) || v->varno != rel->relid)
			continue;
		if (v->varattno <= 0)
			scan->no_cover = true;
		else
			scan->needed = bms_add_member(scan->needed, v->varattno);
	}

	pga_collect_run->scans = lappend(pga_collect_run->scans, scan);
	MemoryContextSwitchTo(old);
}

/* ---- building candidates ---- */

/* Candidates by signature: keys are pointers to the signature strings. */
typedef struct PgaSigEntry
{
	char	   *sig;
	int			id;
} PgaSigEntry;

static uint32
pga_sig_hash(const void *key, Size keysize)
{
	const char *s = *(char *const *) key;

	return hash_bytes((const unsigned char *) s, strlen(s));
}

static int
pga_sig_match(const void *key1, const void *key2, Size keysize)
{
	return strcmp(*(char *const *) key1, *(char *const *) key2);
}

/*
 * pga_cand_add
 *		Add a candidate unless an equal one exists (then merge what it is
 *		for) or an existing index covers it (then drop it).
 */
static void
pga_cand_add(PgaRun *run, PgaTable *t, PgaHypoIndex *h, int kinds,
			 PgaQuery *q)
{
	char	   *sig;
	bool		found;
	PgaSigEntry *entry;
	PgaCand    *c;
	ListCell   *lc;

	if (h == NULL || h->nkeycolumns == 0)
		return;
	sig = pga_hypo_signature(h);
	entry = hash_search(run->cand_by_sig, &sig, HASH_FIND, &found);
	if (found)
	{
		c = run->cands[entry->id];
		c->kinds |= kinds;
		c->proposers = bms_add_member(c->proposers, q->idx);
		return;
	}

	foreach(lc, t->indexes)
		if (pga_hypo_is_covered_by(h, lfirst_oid(lc)))
			return;

	c = palloc0(sizeof(PgaCand));
	c->id = run->ncands;
	c->hypo = h;
	h->id = c->id;
	c->signature = sig;
	c->table = t;
	c->kinds = kinds;
	c->proposers = bms_make_singleton(q->idx);
	if ((run->ncands % 64) == 0)
		run->cands = run->cands == NULL ?
			palloc(sizeof(PgaCand *) * 64) :
			repalloc(run->cands, sizeof(PgaCand *) * (run->ncands + 64));
	run->cands[run->ncands++] = c;
	entry = hash_search(run->cand_by_sig, &sig, HASH_ENTER, &found);
	entry->id = c->id;
}

/*
 * pga_key_in
 *		Is a key with this expression in the list?
 */
static bool
pga_key_in(List *keys, Node *expr)
{
	ListCell   *lc;

	foreach(lc, keys)
		if (equal(((PgaKey *) lfirst(lc))->expr, expr))
			return true;
	return false;
}

/*
 * pga_btree
 *		A B-tree over the keys of the given lists, in order, skipping
 *		repeated expressions, at most max_index_columns.  NULL if no key
 *		could be used.
 */
static PgaHypoIndex *
pga_btree(Oid relid, List *keys, int *kinds)
{
	PgaHypoIndex *h = pga_hypo_create(relid, BTREE_AM_OID);
	List	   *done = NIL;
	ListCell   *lc;

	*kinds = 0;
	foreach(lc, keys)
	{
		PgaKey	   *k = (PgaKey *) lfirst(lc);

		if (h->nkeycolumns >= pga_max_index_columns)
			break;
		if (pga_key_in(done, k->expr))
			continue;
		if (!pga_hypo_add_key(h, k->expr, k->opclass, InvalidOid, k->desc,
							  k->nulls_first))
			continue;
		done = lappend(done, k);
		*kinds |= k->kind;
	}
	return h->nkeycolumns > 0 ? h : NULL;
}

/*
 * pga_cover
 *		The same index with INCLUDE columns for the rest of what the scan
 *		reads, when that is few columns; NULL otherwise.
 */
static PgaHypoIndex *
pga_cover(PgaHypoIndex *base, PgaScan *scan, PgaTable *t)
{
	PgaHypoIndex *h;
	Bitmapset  *rest = bms_copy(scan->needed);
	int			i;
	int			k;
	ListCell   *lc;

	if (base == NULL || scan->no_cover || bms_is_empty(rest))
		return NULL;
	/* Not a copy of an existing index just to add columns to it. */
	foreach(lc, t->indexes)
		if (pga_hypo_is_covered_by(base, lfirst_oid(lc)))
			return NULL;
	for (i = 0; i < base->nkeycolumns; i++)
		if (base->indexkeys[i] > 0)
			rest = bms_del_member(rest, base->indexkeys[i]);
	if (bms_is_empty(rest) || bms_num_members(rest) > pga_max_index_columns)
		return NULL;
	h = palloc(sizeof(PgaHypoIndex));
	memcpy(h, base, sizeof(PgaHypoIndex));
	h->indexprs = copyObject(base->indexprs);
	h->indpred = copyObject(base->indpred);
	k = -1;
	while ((k = bms_next_member(rest, k)) >= 0)
		if (!pga_hypo_add_include(h, (AttrNumber) k))
			return NULL;
	return h;
}

static int
pga_key_sel_cmp(const ListCell *a, const ListCell *b)
{
	double		x = ((PgaKey *) lfirst(a))->sel;
	double		y = ((PgaKey *) lfirst(b))->sel;

	return (x < y) ? -1 : (x > y) ? 1 : 0;
}

/*
 * pga_flip_sort
 *		Sort keys as an index would hold them: an index scanned backwards
 *		gives the reverse order, so the first sort key is made ascending.
 */
static List *
pga_flip_sort(List *sort)
{
	ListCell   *lc;

	if (sort == NIL || !((PgaKey *) linitial(sort))->desc)
		return sort;
	foreach(lc, sort)
	{
		PgaKey	   *k = (PgaKey *) lfirst(lc);
		PgaKey	   *f = palloc(sizeof(PgaKey));

		memcpy(f, k, sizeof(PgaKey));
		f->desc = !k->desc;
		f->nulls_first = !k->nulls_first;
		lfirst(lc) = f;
	}
	return sort;
}

/*
 * pga_join_probe_candidates
 *		For each table this scan joins to on two or more columns (lineitem
 *		to partsupp on part and supplier keys), those join columns
 *		together, most distinct first, with INCLUDE columns for the rest of
 *		what the scan reads: a parameterized nested loop can then probe it
 *		by all of them and read it index-only.
 *
 *		Only the covering form is proposed.  The plain multi-column key is
 *		where the planner's independence assumption takes the rows per
 *		probe for one when they are many (TPC-H's Q9: 1 estimated, about 7
 *		real), so its heap fetches are priced far too low, and the
 *		random-fetch guard, which works from the planner's rows, does not
 *		see them either.  The covering index fetches from the heap only for
 *		pages that are not all-visible (which the guard charges).
 */
static void
pga_join_probe_candidates(PgaRun *run, PgaScan *scan, PgaTable *t)
{
	Relids		others = NULL;
	int			r = -1;
	ListCell   *lc;

	foreach(lc, scan->join)
		others = bms_add_members(others, ((PgaKey *) lfirst(lc))->other);
	while ((r = bms_next_member(others, r)) >= 0)
	{
		List	   *keys = NIL;
		PgaHypoIndex *h;
		int			kinds;

		foreach(lc, scan->join)
			if (bms_is_member(r, ((PgaKey *) lfirst(lc))->other))
				keys = lappend(keys, lfirst(lc));
		if (list_length(keys) >= 2)
		{
			list_sort(keys, pga_key_sel_cmp);
			h = pga_btree(scan->relid, keys, &kinds);
			if (h && h->nkeycolumns >= 2)
				pga_cand_add(run, t, pga_cover(h, scan, t),
							 kinds | PGA_KIND_COVER, scan->q);
		}
		list_free(keys);
	}
	bms_free(others);
}

/*
 * pga_scan_candidates
 *		The candidates one scan suggests.
 */
static void
pga_scan_candidates(PgaRun *run, PgaScan *scan, PgaTable *t)
{
	Oid			relid = scan->relid;
	PgaQuery   *q = scan->q;
	List	   *eq = list_copy(scan->eq);
	List	   *range = list_copy(scan->range);
	List	   *sort = NIL;
	List	   *group = NIL;
	List	   *eqr;
	PgaHypoIndex *h;
	int			kinds;
	ListCell   *lc;

	list_sort(eq, pga_key_sel_cmp);
	list_sort(range, pga_key_sel_cmp);

	/* Sort and group keys add nothing when equality pins them. */
	foreach(lc, scan->sort)
		if (!pga_key_in(eq, ((PgaKey *) lfirst(lc))->expr))
			sort = lappend(sort, lfirst(lc));
	sort = pga_flip_sort(sort);
	foreach(lc, scan->group)
		if (!pga_key_in(eq, ((PgaKey *) lfirst(lc))->expr))
			group = lappend(group, lfirst(lc));
	group = pga_flip_sort(group);

	/* Equality columns, then the most selective range column. */
	eqr = list_copy(eq);
	if (range)
		eqr = lappend(eqr, linitial(range));
	if (eqr)
	{
		h = pga_btree(relid, eqr, &kinds);
		pga_cand_add(run, t, h, kinds, q);
		pga_cand_add(run, t, pga_cover(h, scan, t), kinds | PGA_KIND_COVER, q);
	}

	/* Equality columns, then ORDER BY. */
	if (sort)
	{
		h = pga_btree(relid, list_concat(list_copy(eq), sort), &kinds);
		pga_cand_add(run, t, h, kinds, q);
		pga_cand_add(run, t, pga_cover(h, scan, t), kinds | PGA_KIND_COVER, q);
	}

	/* Equality columns, then GROUP BY / DISTINCT. */
	if (group)
	{
		h = pga_btree(relid, list_concat(list_copy(eq), group), &kinds);
		pga_cand_add(run, t, h, kinds, q);
		pga_cand_add(run, t, pga_cover(h, scan, t), kinds | PGA_KIND_COVER, q);
	}

	/* Join columns: alone, and after the equality columns. */
	foreach(lc, scan->join)
	{
		List	   *one = list_make1(lfirst(lc));

		h = pga_btree(relid, one, &kinds);
		pga_cand_add(run, t, h, kinds, q);
		pga_cand_add(run, t, pga_cover(h, scan, t), kinds | PGA_KIND_COVER, q);
		if (eq)
		{
			h = pga_btree(relid, list_concat(list_copy(eq), one), &kinds);
			pga_cand_add(run, t, h, kinds, q);
			pga_cand_add(run, t, pga_cover(h, scan, t), kinds | PGA_KIND_COVER, q);
		}
	}

	pga_join_probe_candidates(run, scan, t);

	/* Each column alone, so that one index may serve several queries. */
	foreach(lc, eq)
	{
		h = pga_btree(relid, list_make1(lfirst(lc)), &kinds);
		pga_cand_add(run, t, h, kinds, q);
	}
	foreach(lc, range)
	{
		h = pga_btree(relid, list_make1(lfirst(lc)), &kinds);
		pga_cand_add(run, t, h, kinds, q);
	}
	if (sort)
	{
		h = pga_btree(relid, list_make1(linitial(sort)), &kinds);
		pga_cand_add(run, t, h, kinds, q);
	}
	foreach(lc, scan->orarms)
	{
		h = pga_btree(relid, list_make1(lfirst(lc)), &kinds);
		pga_cand_add(run, t, h, kinds, q);
	}

	/* LIKE 'prefix%'. */
	foreach(lc, scan->pattern)
	{
		h = pga_btree(relid, list_concat(list_copy(eq), list_make1(lfirst(lc))),
					  &kinds);
		pga_cand_add(run, t, h, kinds, q);
	}

	/* Partial indexes on selective constant predicates. */
	foreach(lc, scan->partial)
	{
		PgaPartial *p = (PgaPartial *) lfirst(lc);
		List	   *keys = NIL;
		ListCell   *lc2;

		foreach(lc2, eqr)
			if (!equal(((PgaKey *) lfirst(lc2))->expr, p->col))
				keys = lappend(keys, lfirst(lc2));
		keys = list_concat(keys, sort);
		if (keys == NIL)
			keys = list_make1(pga_make_key(p->col, PGA_KIND_EQ, InvalidOid, p->sel));
		h = pga_btree(relid, keys, &kinds);
		if (h)
		{
			pga_hypo_set_predicate(h, list_make1(p->clause));
			pga_cand_add(run, t, h, kinds | PGA_KIND_PARTIAL, q);
		}
	}

	/* Partial indexes whose predicate the query's shape fixes. */
	foreach(lc, scan->shape)
	{
		List	   *pred = ((PgaShapePartial *) lfirst(lc))->pred;
		ListCell   *lc2;

		foreach(lc2, list_concat(list_copy(scan->join), range))
			if ((h = pga_btree(relid, list_make1(lfirst(lc2)), &kinds)) != NULL)
			{
				pga_hypo_set_predicate(h, pred);
				pga_cand_add(run, t, h, kinds | PGA_KIND_PARTIAL, q);
			}
	}

	/* GIN. */
	foreach(lc, scan->gin)
	{
		PgaKey	   *k = (PgaKey *) lfirst(lc);

		h = pga_hypo_create(relid, GIN_AM_OID);
		if (pga_hypo_add_key(h, k->expr, k->opclass, InvalidOid, false, false))
			pga_cand_add(run, t, h, k->kind, q);
	}
}

/*
 * pga_scan_refs
 *		Every expression a scan refers to, for deciding which candidates may
 *		serve its query.
 */
static List *
pga_scan_refs(PgaScan *scan)
{
	List	   *refs = NIL;
	List	   *lists[] = {scan->eq, scan->range, scan->sort, scan->group,
		scan->join, scan->gin, scan->pattern, scan->orarms};
	int			i;
	int			k;
	ListCell   *lc;

	for (i = 0; i < (int) lengthof(lists); i++)
		foreach(lc, lists[i])
			refs = lappend(refs, ((PgaKey *) lfirst(lc))->expr);
	k = -1;
	while ((k = bms_next_member(scan->needed, k)) >= 0)
	{
		Oid			typid;
		int32		typmod;
		Oid			collid;

		get_atttypetypmodcoll(scan->relid, (AttrNumber) k, &typid, &typmod,
							  &collid);
		refs = lappend(refs, makeVar(1, (AttrNumber) k, typid, typmod, collid, 0));
	}
	return refs;
}

/*
 * pga_lead_expr
 *		A candidate's first key column as an expression over varno 1.
 */
static Node *
pga_lead_expr(PgaHypoIndex *h)
{
	Oid			typid;
	int32		typmod;
	Oid			collid;

	if (h->indexkeys[0] == 0)
		return (Node *) linitial(h->indexprs);
	get_atttypetypmodcoll(h->relid, h->indexkeys[0], &typid, &typmod, &collid);
	return (Node *) makeVar(1, h->indexkeys[0], typid, typmod, collid, 0);
}

/* One row of architect.predicates. */
typedef struct PgaPredRow
{
	int64		queryid;
	Oid			relid;
	int			attnum;
	char	   *column;			/* attribute name or deparsed expression */
	char	   *kind;			/* index_cond, filter, join, sort, group */
	char	   *op;				/* =, <, IS NULL, ... */
	int64		scan_group;
} PgaPredRow;

/* Arguments of one pga_try_ddl_subxact() call, for pga_subxact_run(). */
typedef struct PgaTryDdl
{
	PgaRun	   *run;
	PgaTable   *t;
	PgaQuery   *q;
	const char *ddl;
	int			kinds;
} PgaTryDdl;

static void
pga_try_ddl_subxact(void *arg)
{
	PgaTryDdl  *a = (PgaTryDdl *) arg;

	pga_cand_add(a->run, a->t, pga_hypo_from_ddl(a->ddl), a->kinds, a->q);
}

/*
 * pga_try_ddl
 *		Add the candidate a CREATE INDEX statement describes, in a
 *		subtransaction: a definition that does not hold (an expression that
 *		is not immutable, a column dropped since) is skipped.
 */
static void
pga_try_ddl(PgaRun *run, PgaTable *t, PgaQuery *q, const char *ddl, int kinds)
{
	MemoryContext oldcxt = MemoryContextSwitchTo(run->cxt);
	PgaTryDdl	a = {run, t, q, ddl, kinds};
	ErrorData  *edata = pga_subxact_run(pga_try_ddl_subxact, &a, true);

	MemoryContextSwitchTo(oldcxt);
	if (edata != NULL)
	{
		int			cat = ERRCODE_TO_CATEGORY(edata->sqlerrcode);

		if (cat == ERRCODE_OPERATOR_INTERVENTION ||
			cat == ERRCODE_INSUFFICIENT_RESOURCES ||
			cat == ERRCODE_SYSTEM_ERROR || cat == ERRCODE_INTERNAL_ERROR)
			ReThrowError(edata);
		elog(DEBUG1, "captured predicate candidate skipped (%s): %s",
			 edata->message ? edata->message : "error", ddl);
	}
}

/*
 * pga_pred_ddl
 *		CREATE INDEX over the given key texts, in order.
 */
static char *
pga_pred_ddl(Oid relid, List *keys)
{
	StringInfoData s;
	ListCell   *lc;
	List	   *seen = NIL;
	int			n = 0;

	initStringInfo(&s);
	appendStringInfo(&s, "CREATE INDEX ON %s.%s (",
					 quote_identifier(get_namespace_name(get_rel_namespace(relid))),
					 quote_identifier(get_rel_name(relid)));
	foreach(lc, keys)
	{
		char	   *k = (char *) lfirst(lc);
		ListCell   *lc2;
		bool		dup = false;

		foreach(lc2, seen)
			if (strcmp((char *) lfirst(lc2), k) == 0)
				dup = true;
		if (dup || n >= pga_max_index_columns)
			continue;
		appendStringInfo(&s, "%s%s", n > 0 ? ", " : "", k);
		seen = lappend(seen, k);
		n++;
	}
	appendStringInfoChar(&s, ')');
	return s.data;
}

/*
 * pga_pred_group
 *		Candidates for one scan as capture saw it (rows of one query, table
 *		and scan group): the same shapes the planner's view gives.
 */
static void
pga_pred_group(PgaRun *run, PgaPredRow *rows, int n, PgaQuery *q, PgaTable *t)
{
	List	   *eq = NIL;
	List	   *range = NIL;
	List	   *sort = NIL;
	List	   *group = NIL;
	List	   *join = NIL;
	ListCell   *lc;
	int			i;

	for (i = 0; i < n; i++)
	{
		PgaPredRow *r = &rows[i];
		char	   *key;

		if (r->column == NULL || r->kind == NULL)
			continue;
		key = r->attnum > 0 ? (char *) quote_identifier(r->column) :
			psprintf("(%s)", r->column);
		if (strcmp(r->kind, "sort") == 0)
			sort = lappend(sort, key);
		else if (strcmp(r->kind, "group") == 0)
			group = lappend(group, key);
		else if (strcmp(r->kind, "join") == 0)
			join = lappend(join, key);
		else if (r->op && (strcmp(r->op, "=") == 0 || strcmp(r->op, "IS NULL") == 0))
			eq = lappend(eq, key);
		else if (r->op && (strcmp(r->op, "<") == 0 || strcmp(r->op, ">") == 0 ||
						   strcmp(r->op, "<=") == 0 || strcmp(r->op, ">=") == 0))
			range = lappend(range, key);
	}

	if (eq || range)
		pga_try_ddl(run, t, q,
					pga_pred_ddl(t->relid, range ?
								 lappend(list_copy(eq), linitial(range)) : eq),
					(eq ? PGA_KIND_EQ : 0) | (range ? PGA_KIND_RANGE : 0));
	if (sort)
		pga_try_ddl(run, t, q, pga_pred_ddl(t->relid, list_concat(list_copy(eq), sort)),
					PGA_KIND_SORT | (eq ? PGA_KIND_EQ : 0));
	if (group)
		pga_try_ddl(run, t, q, pga_pred_ddl(t->relid, list_concat(list_copy(eq), group)),
					PGA_KIND_GROUP | (eq ? PGA_KIND_EQ : 0));
	foreach(lc, join)
		pga_try_ddl(run, t, q, pga_pred_ddl(t->relid, list_make1(lfirst(lc))),
					PGA_KIND_JOIN);
	foreach(lc, eq)
		pga_try_ddl(run, t, q, pga_pred_ddl(t->relid, list_make1(lfirst(lc))),
					PGA_KIND_EQ);
	foreach(lc, range)
		pga_try_ddl(run, t, q, pga_pred_ddl(t->relid, list_make1(lfirst(lc))),
					PGA_KIND_RANGE);
}

/*
 * pga_candidates_from_predicates
 *		Candidates from capture's architect.predicates (columns filtered,
 *		joined, sorted and grouped by each captured query id, as executed),
 *		for the workload's queries, when capture is installed and preloaded.
 *		They mostly agree with what the planner's view of the same query
 *		gives (duplicates merge); they add what capture saw in executions
 *		that the one planned text does not show.
 */
static void
pga_candidates_from_predicates(PgaRun *run)
{
	Oid			nsp = get_namespace_oid("architect", true);
	Oid			view;
	StringInfoData sql;
	PgaPredRow *rows;
	int			nrows;
	int			i;
	int			start;

	if (!pga_loaded_at_startup || !OidIsValid(nsp) || run->nqueries == 0)
		return;
	view = get_relname_relid("predicates", nsp);
	if (!OidIsValid(view))
		return;

	initStringInfo(&sql);
	appendStringInfo(&sql,
					 "SELECT queryid, relid, attnum, column_name, kind, operator, "
					 "coalesce(scan_group, 0) FROM architect.predicates "
					 "WHERE dbid = %u AND relid IS NOT NULL AND queryid IN (",
					 MyDatabaseId);
	for (i = 0; i < run->nqueries; i++)
		appendStringInfo(&sql, "%s" INT64_FORMAT, i > 0 ? ", " : "",
						 run->qarr[i]->queryid);
	appendStringInfo(&sql, ") ORDER BY queryid, relid, 7, kind%s, attnum",
					 get_attnum(view, "key_position") != InvalidAttrNumber ?
					 ", key_position" : "");

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute(sql.data, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read architect.predicates");
	nrows = (int) SPI_processed;
	rows = MemoryContextAllocZero(run->cxt, sizeof(PgaPredRow) * Max(nrows, 1));
	for (i = 0; i < nrows; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		char	   *v;

		rows[i].queryid = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
		rows[i].relid = DatumGetObjectId(SPI_getbinval(tup, desc, 2, &isnull));
		rows[i].attnum = DatumGetInt16(SPI_getbinval(tup, desc, 3, &isnull));
		if (isnull)
			rows[i].attnum = 0;
		if ((v = SPI_getvalue(tup, desc, 4)) != NULL)
			rows[i].column = MemoryContextStrdup(run->cxt, v);
		if ((v = SPI_getvalue(tup, desc, 5)) != NULL)
			rows[i].kind = MemoryContextStrdup(run->cxt, v);
		if ((v = SPI_getvalue(tup, desc, 6)) != NULL)
			rows[i].op = MemoryContextStrdup(run->cxt, v);
		rows[i].scan_group = DatumGetInt64(SPI_getbinval(tup, desc, 7, &isnull));
	}
	SPI_finish();

	for (start = 0; start < nrows; start = i)
	{
		PgaQuery   *q = NULL;
		PgaTable   *t = NULL;
		ListCell   *lc;
		int			k;

		for (i = start; i < nrows &&
			 rows[i].queryid == rows[start].queryid &&
			 rows[i].relid == rows[start].relid &&
			 rows[i].scan_group == rows[start].scan_group; i++)
			;
		for (k = 0; k < run->nqueries && q == NULL; k++)
			if (run->qarr[k]->queryid == rows[start].queryid)
				q = run->qarr[k];
		if (q == NULL)
			continue;
		foreach(lc, q->tables)
			if (((PgaTable *) lfirst(lc))->relid == rows[start].relid)
				t = (PgaTable *) lfirst(lc);
		if (t == NULL)
			continue;			/* not a table we advise on */
		pga_pred_group(run, &rows[start], i - start, q, t);
	}
}

/*
 * pga_candidates_build
 *		Candidates from the collected scans; which queries each may serve.
 */
void
pga_candidates_build(PgaRun *run)
{
	MemoryContext old = MemoryContextSwitchTo(run->cxt);
	HASHCTL		ctl;
	ListCell   *lc;
	int			i;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(char *);
	ctl.entrysize = sizeof(PgaSigEntry);
	ctl.hcxt = run->cxt;
	ctl.hash = pga_sig_hash;
	ctl.match = pga_sig_match;
	run->cand_by_sig = hash_create("pg_architect candidates", 256, &ctl,
								   HASH_ELEM | HASH_CONTEXT | HASH_FUNCTION |
								   HASH_COMPARE);

	foreach(lc, run->scans)
	{
		PgaScan    *scan = (PgaScan *) lfirst(lc);
		PgaTable   *t = NULL;
		ListCell   *lc2;

		foreach(lc2, scan->q->tables)
			if (((PgaTable *) lfirst(lc2))->relid == scan->relid)
				t = (PgaTable *) lfirst(lc2);
		if (t == NULL)
			continue;			/* not a table we advise on */
		scan->refs = pga_scan_refs(scan);
		pga_scan_candidates(run, scan, t);
	}

	/* What capture saw the same queries do. */
	pga_candidates_from_predicates(run);

	/* Which queries each candidate may serve: they read its leading key. */
	for (i = 0; i < run->ncands; i++)
	{
		PgaCand    *c = run->cands[i];
		Node	   *lead = pga_lead_expr(c->hypo);

		foreach(lc, run->scans)
		{
			PgaScan    *scan = (PgaScan *) lfirst(lc);
			ListCell   *lc2;

			if (scan->relid != c->hypo->relid || scan->refs == NIL)
				continue;
			foreach(lc2, scan->refs)
			{
				if (equal(lfirst(lc2), lead))
				{
					c->queries = bms_add_member(c->queries, scan->q->idx);
					scan->q->cands = bms_add_member(scan->q->cands, c->id);
					break;
				}
			}
		}
	}
	run->stats.candidates = run->ncands;
	MemoryContextSwitchTo(old);
}
