/*-------------------------------------------------------------------------
 *
 * hypo.h
 *	  Hypothetical indexes: index definitions that exist only in this
 *	  backend's memory and that the planner sees, through
 *	  get_relation_info_hook, while the advisor plans a query.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGA_HYPO_H
#define PGA_HYPO_H

#include "postgres.h"

#include "access/amapi.h"
#include "access/attnum.h"
#include "nodes/parsenodes.h"
#include "nodes/pathnodes.h"
#include "nodes/pg_list.h"
#include "storage/block.h"
#include "utils/array.h"

/*
 * One hypothetical index.  Expressions and the predicate are stored as the
 * catalog would store them: Vars with varno 1, constants folded, the
 * predicate as an implicit-AND list.  The struct and everything it points
 * to live in the memory context that was current when it was created.
 */
typedef struct PgaHypoIndex
{
	int			id;				/* caller's number (candidate id), or -1 */
	Oid			indexoid;		/* made-up OID, unique in this backend */
	Oid			relid;			/* the table */
	Oid			amoid;			/* BTREE_AM_OID or GIN_AM_OID */
	char	   *name;			/* index name, NULL until chosen */
	int			ncolumns;		/* key plus INCLUDE columns */
	int			nkeycolumns;	/* key columns */
	AttrNumber	indexkeys[INDEX_MAX_KEYS];	/* attnum, 0 for an expression */
	Oid			opclass[INDEX_MAX_KEYS];	/* key columns only */
	Oid			opfamily[INDEX_MAX_KEYS];
	Oid			opcintype[INDEX_MAX_KEYS];
	Oid			collation[INDEX_MAX_KEYS];
	bool		reverse_sort[INDEX_MAX_KEYS];	/* DESC */
	bool		nulls_first[INDEX_MAX_KEYS];
	List	   *indexprs;		/* expressions of the 0 entries, in order */
	List	   *indpred;		/* implicit-AND predicate, or NIL */
	bool		unique;			/* UNIQUE */
	int			fillfactor;		/* WITH (fillfactor), 0 for the default */
	bool		deduplicate;	/* WITH (deduplicate_items), default true */

	/* Size, estimated the first time the planner sees the index. */
	bool		size_known;
	BlockNumber pages;			/* estimated pages, metapage included */
	double		tuples;			/* estimated index tuples (rows covered) */
	int			tree_height;	/* B-tree levels above the leaves, or -1 */
} PgaHypoIndex;

/* hypo.c */
extern void pga_hypo_init(void);
extern PgaHypoIndex *pga_hypo_create(Oid relid, Oid amoid);
extern bool pga_hypo_add_key(PgaHypoIndex *h, Node *expr, Oid opclass,
							 Oid collation, bool desc, bool nulls_first);
extern bool pga_hypo_add_include(PgaHypoIndex *h, AttrNumber attnum);
extern void pga_hypo_set_predicate(PgaHypoIndex *h, List *pred);
extern PgaHypoIndex *pga_hypo_from_ddl(const char *ddl);
extern List *pga_hypo_list_from_array(ArrayType *arr);
extern void pga_hypo_check_table(Oid relid);
extern char *pga_hypo_signature(PgaHypoIndex *h);
extern char *pga_hypo_ddl(PgaHypoIndex *h, bool concurrently);
extern char *pga_hypo_choose_name(PgaHypoIndex *h, List *taken);
extern List *pga_hypo_key_names(PgaHypoIndex *h);
extern List *pga_hypo_include_names(PgaHypoIndex *h);
extern char *pga_hypo_predicate_text(PgaHypoIndex *h);
extern char *pga_hypo_key_text(PgaHypoIndex *h, int col);
extern bool pga_hypo_is_covered_by(PgaHypoIndex *h, Oid indexoid);
extern bool pga_hypo_extends(PgaHypoIndex *big, PgaHypoIndex *small);
extern char *pga_quote_ident_always(const char *ident);

/*
 * Planning with hypothetical indexes: while a set is active, the planner
 * invoked at the current planner nesting depth sees it.  Nested planner
 * calls (a function evaluated during planning) do not.
 */
extern void pga_hypo_activate(List *hypos);

/* When set, the amcostestimate of hypothetical indexes (advisor_fetch.c). */
extern amcostestimate_function pga_hypo_costestimate;
extern void pga_hypo_deactivate(void);
extern int	pga_planner_depth(void);
extern void pga_hypo_ensure_size(PgaHypoIndex *h);

/* indexsize.c */
extern void pga_index_size_estimate(PlannerInfo *root, RelOptInfo *rel,
									PgaHypoIndex *h);

/* indexsize_distinct.c */
extern double pga_clustered_ndistinct(Oid relid, AttrNumber attnum,
									  double nrows, double stats_ndistinct);
extern double pga_sampled_key_groups(Oid relid, int nkeys,
									 const AttrNumber *attnums, double nrows);

#endif							/* PGA_HYPO_H */
