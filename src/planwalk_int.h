/*-------------------------------------------------------------------------
 *
 * planwalk_int.h
 *	  What planwalk.c (the walk, predicates) and planfind.c (findings)
 *	  share: the walk's context and a few helpers.  Not for other modules.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGA_PLANWALK_INT_H
#define PGA_PLANWALK_INT_H

#include "nodes/execnodes.h"

#include "planwalk.h"

typedef struct PgaWalkCtx
{
	QueryDesc  *queryDesc;
	EState	   *estate;
	Oid			dbid;
	uint64		queryid;
	int			flags;
	PgaWalkPred *preds;
	int			npreds;
	int			maxpreds;
	List	   *findings;
	int			bucket_seq;		/* last bucket number handed out */
	int			bitmap_bucket;	/* bucket of the bitmap heap scan above, or 0 */
	Index		bitmap_scanrelid;
	const char *bitmap_label;
	PlanState  *parent;			/* node whose children are being visited */
	bool		early;			/* nodes here may stop before their end */
	List	   *nestparams;		/* PgaNestParam * of the enclosing nested loops */
} PgaWalkCtx;

/* planwalk.c */
extern const char *pga_node_label(Plan *plan);
extern PlanState *pga_outer_child(PlanState *ps);
extern double pga_reltuples(PgaWalkCtx *ctx, Plan *plan);
extern Instrumentation *pga_instr(PgaWalkCtx *ctx, PlanState *ps);

/* planfind.c */
extern void pga_node_findings(PgaWalkCtx *ctx, PlanState *ps, const char *label,
							  Oid relid);

#endif							/* PGA_PLANWALK_INT_H */
