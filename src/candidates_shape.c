/*-------------------------------------------------------------------------
 *
 * candidates_shape.c
 *	  Partial-index predicates that the shape of a query fixes, rather than
 *	  one selective constant.
 *
 * candidates.c makes a partial candidate from one selective constant
 * clause (status = 'pending', deleted_at IS NULL).  Two other kinds of
 * predicate are just as fixed by the query text and are looked for here,
 * in the restriction clauses the planner holds for one table scan
 * (baserestrictinfo):
 *
 *	- constant conditions that are not selective alone but are together:
 *	  equalities with a constant and IN lists of constants (a
 *	  ScalarArrayOpExpr over a constant array) whose operator is a B-tree
 *	  equality.  A condition that every arm of an OR repeats is one of
 *	  them: the planner factors it out of the OR (prepqual.c,
 *	  process_duplicate_ors) before it distributes the restriction clauses,
 *	  so "(x = 1 AND mode IN (...) AND ...) OR (x = 1 AND mode IN (...) AND
 *	  ...)" reaches baserestrictinfo as x = 1, mode IN (...) and the rest
 *	  of the OR.  A condition that is selective alone is left to the
 *	  ordinary candidates (an index on its column, or the single-clause
 *	  partial index): a selective constant is usually one sample of many
 *	  (an id), which a predicate must not fix;
 *	- comparisons of two columns of the same row (commitdate < receiptdate)
 *	  with an immutable B-tree operator: no ordinary index serves them, and
 *	  they do not depend on any value of the query.
 *
 * Each set becomes one predicate (an implicit-AND list, renumbered to
 * varno 1) when the planner's selectivity of the whole set
 * (clauselist_selectivity) is at most pg_architect.partial_index_selectivity.
 * Every clause must be free of mutable functions (now(), random(), a
 * stable cross-type comparison such as timestamp < timestamptz) and test
 * plain columns of the scanned table.  candidates.c puts each predicate
 * under the scan's join columns and range columns (pga_scan_candidates),
 * where the usual checks (no duplicate, nothing an existing valid index
 * covers) apply; deparsing for names and DDL is hypo.c's.
 *
 * Locking: none beyond the planner's.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/stratnum.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/clauses.h"
#include "optimizer/optimizer.h"
#include "rewrite/rewriteManip.h"
#include "utils/lsyscache.h"

#include "candidates_shape.h"
#include "guc.h"

/*
 * pga_shape_column
 *		The user column of the scanned table that a clause operand is
 *		(relabelling aside), or NULL.
 */
static Var *
pga_shape_column(Node *n, Index relid)
{
	while (n && IsA(n, RelabelType))
		n = (Node *) ((RelabelType *) n)->arg;
	if (n && IsA(n, Var) && ((Var *) n)->varno == relid &&
		((Var *) n)->varlevelsup == 0 && ((Var *) n)->varattno > 0)
		return (Var *) n;
	return NULL;
}

/*
 * pga_shape_const
 *		Is a clause operand a non-null constant (relabelling aside)?
 */
static bool
pga_shape_const(Node *n)
{
	while (n && IsA(n, RelabelType))
		n = (Node *) ((RelabelType *) n)->arg;
	return n && IsA(n, Const) && !((Const *) n)->constisnull;
}

/*
 * pga_shape_btree_op
 *		Is the operator in a B-tree family, and (want_eq) as its equality?
 */
static bool
pga_shape_btree_op(Oid opno, bool want_eq)
{
	List	   *interp = get_op_btree_interpretation(opno);
	ListCell   *lc;

	foreach(lc, interp)
	{
		OpBtreeInterpretation *bi = (OpBtreeInterpretation *) lfirst(lc);

		if (!want_eq || bi->strategy == BTEqualStrategyNumber)
			return true;
	}
	return false;
}

/*
 * pga_shape_clause_sel
 *		The selectivity the planner gave a restriction clause.
 */
static double
pga_shape_clause_sel(PlannerInfo *root, RestrictInfo *ri)
{
	if (ri->norm_selec >= 0 && ri->norm_selec <= 1)
		return ri->norm_selec;
	return clause_selectivity(root, (Node *) ri, 0, JOIN_INNER, NULL);
}

/*
 * pga_shape_is_const_cond
 *		column = constant, or column IN (constants), with a B-tree equality.
 */
static bool
pga_shape_is_const_cond(Node *clause, Index relid)
{
	if (IsA(clause, OpExpr) && list_length(((OpExpr *) clause)->args) == 2)
	{
		OpExpr	   *op = (OpExpr *) clause;
		Node	   *l = linitial(op->args);
		Node	   *r = lsecond(op->args);

		return ((pga_shape_column(l, relid) && pga_shape_const(r)) ||
				(pga_shape_column(r, relid) && pga_shape_const(l))) &&
			pga_shape_btree_op(op->opno, true);
	}
	if (IsA(clause, ScalarArrayOpExpr))
	{
		ScalarArrayOpExpr *sa = (ScalarArrayOpExpr *) clause;

		return sa->useOr && list_length(sa->args) == 2 &&
			pga_shape_column(linitial(sa->args), relid) &&
			pga_shape_const(lsecond(sa->args)) &&
			pga_shape_btree_op(sa->opno, true);
	}
	return false;
}

/*
 * pga_shape_is_column_cmp
 *		column op column, two different columns of the scanned table, with
 *		a B-tree comparison operator.
 */
static bool
pga_shape_is_column_cmp(Node *clause, Index relid)
{
	OpExpr	   *op;
	Var		   *l;
	Var		   *r;

	if (!IsA(clause, OpExpr) || list_length(((OpExpr *) clause)->args) != 2)
		return false;
	op = (OpExpr *) clause;
	l = pga_shape_column(linitial(op->args), relid);
	r = pga_shape_column(lsecond(op->args), relid);
	return l && r && l->varattno != r->varattno &&
		pga_shape_btree_op(op->opno, false);
}

/*
 * pga_shape_make
 *		A predicate from a set of restriction clauses when the set is
 *		selective; appended to out.
 */
static List *
pga_shape_make(List *out, PlannerInfo *root, List *ris, Index relid)
{
	PgaShapePartial *s;
	double		sel;
	ListCell   *lc;

	if (ris == NIL)
		return out;
	sel = clauselist_selectivity(root, ris, 0, JOIN_INNER, NULL);
	if (sel <= 0 || sel >= 1.0 || sel > pga_partial_selectivity)
		return out;

	s = palloc0(sizeof(PgaShapePartial));
	s->sel = sel;
	foreach(lc, ris)
	{
		Expr	   *c = copyObject(((RestrictInfo *) lfirst(lc))->clause);

		if (relid != 1)
			ChangeVarNodes((Node *) c, relid, 1, 0);
		s->pred = lappend(s->pred, c);
	}
	return lappend(out, s);
}

/*
 * pga_shape_partials
 *		The predicates (PgaShapePartial *) this table scan's shape fixes.
 */
List *
pga_shape_partials(PlannerInfo *root, RelOptInfo *rel)
{
	List	   *consts = NIL;
	List	   *cmps = NIL;
	List	   *out = NIL;
	ListCell   *lc;

	foreach(lc, rel->baserestrictinfo)
	{
		RestrictInfo *ri = (RestrictInfo *) lfirst(lc);
		Node	   *clause = (Node *) ri->clause;

		if (ri->pseudoconstant || contain_mutable_functions(clause))
			continue;
		if (pga_shape_is_const_cond(clause, rel->relid))
		{
			/* Selective alone: left to the ordinary candidates. */
			if (pga_shape_clause_sel(root, ri) > pga_partial_selectivity)
				consts = lappend(consts, ri);
		}
		else if (pga_shape_is_column_cmp(clause, rel->relid))
			cmps = lappend(cmps, ri);
	}

	/* Constant conditions: only worth a predicate when two or more combine. */
	if (list_length(consts) >= 2)
		out = pga_shape_make(out, root, consts, rel->relid);
	out = pga_shape_make(out, root, cmps, rel->relid);
	return out;
}
