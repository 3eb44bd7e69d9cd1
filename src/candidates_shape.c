/*-------------------------------------------------------------------------
 *
 * candidates_shape.c
 *	  Partial-index predicates that the shape of a query fixes, rather than
 *	  one selective constant.
 *
 * candidates.c makes a partial candidate from one selective constant
 * clause that asks for a rare value of a skewed column (status =
 * 'pending', deleted_at IS NULL).  Two other kinds of predicate are just
 * as fixed by the query text and are looked for here, in the restriction
 * clauses the planner holds for one table scan (baserestrictinfo):
 *
 *	- constant conditions that every arm of an OR of the query repeats:
 *	  a column compared with a constant by a B-tree operator, or a column
 *	  IN (constants) (a ScalarArrayOpExpr over a constant array) with a
 *	  B-tree equality.  Whatever values the arms ask for, these filter
 *	  every row the query reads, so they belong to its shape, not to one
 *	  execution's parameters.  The planner factors them out of the OR
 *	  (prepqual.c, process_duplicate_ors) before it distributes the
 *	  restriction clauses, so "(p = 1 AND mode IN (...) AND q < 5) OR (p = 2
 *	  AND mode IN (...) AND q > 9)" reaches baserestrictinfo as mode IN
 *	  (...) and an OR of the rest, and nothing there says where mode IN
 *	  (...) came from: the ORs of the parse tree the advisor planned (the
 *	  query before planning, subqueries and sublinks included) are read
 *	  for the conjuncts all their arms share, constants folded as the
 *	  planner folds them, and a restriction clause qualifies when it is one
 *	  of them (Vars compared without their range-table numbers, which
 *	  pulling up subqueries changes: a condition on another table's column
 *	  of the same number, type and constant would pass for one, a rare
 *	  miss that only lets a clause the scan really has into a predicate).  Constant conditions that are not in
 *	  an OR's every arm may be one execution's values and are left to the
 *	  single-clause rule;
 *	- comparisons of two columns of the same row (commitdate < receiptdate)
 *	  with an immutable B-tree operator: no ordinary index serves them, and
 *	  they depend on no value of the query.
 *
 * Each of the two sets becomes one predicate (an implicit-AND list,
 * renumbered to varno 1) when the planner's selectivity of the whole set
 * (clauselist_selectivity) is at most pg_architect.partial_index_selectivity.
 * Every clause must be free of mutable functions (now(), random(), a
 * stable cross-type comparison such as date < timestamptz) and test
 * plain columns of the scanned table.  candidates.c puts each predicate
 * under the scan's join columns and range columns, one candidate each
 * (pga_scan_candidates), where the usual checks apply (no duplicate,
 * nothing an existing valid index covers); names and DDL, with the
 * predicate deparsed and identifiers quoted, are hypo.c's.
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
#include "pg_architect.h"

/*
 * pga_shape_column
 *		The user column of the scanned table that a clause operand is
 *		(relabelling aside), or NULL.
 */
static Var *
pga_shape_column(Node *n, Index relid)
{
	n = pga_strip_relabel(n);
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
	n = pga_strip_relabel(n);
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
 * pga_shape_is_const_cond
 *		column op constant with a B-tree comparison operator, or column IN
 *		(constants) with a B-tree equality.
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
			pga_shape_btree_op(op->opno, false);
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
 * pga_shape_novarno
 *		A copy of an expression with every Var of the current level
 *		renumbered to 1 and its syntactic origin cleared, so that a clause of
 *		the parse tree and the same clause after the planner has flattened
 *		the range table compare equal.
 */
static Node *
pga_shape_novarno_mutator(Node *node, void *context)
{
	if (node == NULL)
		return NULL;
	if (IsA(node, Var))
	{
		Var		   *v = (Var *) copyObject(node);

		v->varno = 1;
		v->varnosyn = 0;
		v->varattnosyn = 0;
		return (Node *) v;
	}
	if (IsA(node, Query))		/* a sublink's query: never a constant test */
		return (Node *) copyObject(node);
	return expression_tree_mutator(node, pga_shape_novarno_mutator, context);
}

static Node *
pga_shape_novarno(Node *node)
{
	return pga_shape_novarno_mutator(node, NULL);
}

/*
 * pga_shape_or_walker
 *		Collect, for every OR of the parse tree (subqueries and sublinks
 *		included), the conjuncts that every one of its arms has, constants
 *		folded the way the planner folds them, Vars renumbered.
 */
static bool
pga_shape_or_walker(Node *node, List **common)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, pga_shape_or_walker,
								 (void *) common, 0);
	if (is_orclause(node))
	{
		List	   *shared = NIL;
		ListCell   *lc;
		bool		first = true;

		foreach(lc, ((BoolExpr *) node)->args)
		{
			Node	   *arm = (Node *) lfirst(lc);
			List	   *conj = is_andclause(arm) ? ((BoolExpr *) arm)->args :
				list_make1(arm);
			List	   *keep = NIL;
			ListCell   *lc2;

			foreach(lc2, conj)
			{
				Node	   *c = eval_const_expressions(NULL, (Node *) lfirst(lc2));

				c = pga_shape_novarno(c);
				if (first || list_member(shared, c))
					keep = lappend(keep, c);
			}
			shared = keep;
			first = false;
		}
		*common = list_concat(*common, shared);
	}
	return expression_tree_walker(node, pga_shape_or_walker, (void *) common);
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
pga_shape_partials(PlannerInfo *root, RelOptInfo *rel, Query *parsed)
{
	List	   *consts = NIL;
	List	   *cmps = NIL;
	List	   *out = NIL;
	List	   *or_common = NIL;
	ListCell   *lc;

	if (parsed)
		(void) pga_shape_or_walker((Node *) parsed, &or_common);

	foreach(lc, rel->baserestrictinfo)
	{
		RestrictInfo *ri = (RestrictInfo *) lfirst(lc);
		Node	   *clause = (Node *) ri->clause;

		if (ri->pseudoconstant || contain_mutable_functions(clause))
			continue;
		if (pga_shape_is_const_cond(clause, rel->relid))
		{
			/* Only a condition every arm of an OR of the query repeats. */
			if (list_member(or_common, pga_shape_novarno(clause)))
				consts = lappend(consts, ri);
		}
		else if (pga_shape_is_column_cmp(clause, rel->relid))
			cmps = lappend(cmps, ri);
	}

	out = pga_shape_make(out, root, consts, rel->relid);
	out = pga_shape_make(out, root, cmps, rel->relid);
	return out;
}
