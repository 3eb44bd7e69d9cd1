/*-------------------------------------------------------------------------
 *
 * planfind.c
 *	  Plan findings: what is wrong at one node of a plan, judged from its
 *	  instrumentation (measured executions, EXPLAIN ANALYZE) or, for
 *	  architect.explain() without analyze, from the planner's estimates.
 *
 * planwalk.c visits every node and calls pga_node_findings; this file
 * decides, with the thresholds of the pg_architect.* settings, and adds
 * each finding with a severity and a one-line detail.  Names and hints
 * are fixed per finding code (planwalk.h): codes are stored in the
 * workload store, so they are never renumbered.
 *
 * Misestimates are traced to where they start: nodes that pass their
 * child's rows through answer for the child, and a node is reported only
 * when none of its children shows the same misestimate.  Over-estimates
 * are not reported where nodes may stop early (ctx->early: below a Limit,
 * a merge join, a semi or anti join's inner side, in a sub plan).
 *
 * Nothing here takes locks or touches the catalogs.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/hashjoin.h"
#include "executor/instrument.h"
#include "miscadmin.h"
#include "nodes/execnodes.h"
#include "utils/tuplesort.h"

#include "guc.h"
#include "planwalk.h"
#include "planwalk_int.h"

static const char *const pga_finding_names[PGA_FINDING_MAX + 1] = {
	NULL,
	"seq_scan_large",
	"row_misestimate",
	"sort_spill",
	"hash_batches",
	"hashagg_spill",
	"nested_loop_many_loops",
	"bitmap_lossy",
	"workers_not_launched",
	"index_only_heap_fetches",
	"n_plus_one",
};

static const char *const pga_finding_hints[PGA_FINDING_MAX + 1] = {
	NULL,
	"An index on the filtered columns (see architect.predicates for this query) lets the planner read only the matching rows.",
	"Run ANALYZE on the tables involved; for correlated columns use CREATE STATISTICS, for skewed ones raise the column's statistics target.",
	"Raise work_mem for this query (SET LOCAL work_mem), or add an index that returns the rows already in this order.",
	"Raise work_mem or hash_mem_multiplier for this query so the hash table fits in memory, and check the row estimate of the hashed side.",
	"Raise work_mem or hash_mem_multiplier for this query so the groups fit in memory.",
	"Check the row estimate of the outer side (ANALYZE); with an index on the inner join column or a hash join the loop is avoided.",
	"Raise work_mem so the bitmap can keep one bit per row instead of one per page.",
	"Raise max_parallel_workers and max_worker_processes, or run fewer parallel queries at once.",
	"VACUUM the table so its visibility map is current, and check that autovacuum keeps up with it.",
	"Fetch the rows in one query (a join, or WHERE key = ANY($1)) instead of one query per row.",
};

const char *
pga_finding_name(int code)
{
	if (code < 1 || code > PGA_FINDING_MAX)
		return "unknown";
	return pga_finding_names[code];
}

const char *
pga_finding_hint(int code)
{
	if (code < 1 || code > PGA_FINDING_MAX)
		return NULL;
	return pga_finding_hints[code];
}

const char *
pga_severity_name(int severity)
{
	switch (severity)
	{
		case PGA_SEV_INFO:
			return "info";
		case PGA_SEV_WARNING:
			return "warning";
		case PGA_SEV_CRITICAL:
			return "critical";
	}
	return "unknown";
}

static void
pga_add_finding(PgaWalkCtx *ctx, int code, int severity, Oid relid,
				const char *label, double value, char *detail)
{
	PgaWalkFinding *f = palloc(sizeof(PgaWalkFinding));

	f->code = code;
	f->severity = severity;
	f->relid = relid;
	f->node = label;
	f->value = value;
	f->detail = detail;
	ctx->findings = lappend(ctx->findings, f);
}

/*
 * Ratio between actual and estimated rows of a node (> 1), with under set
 * when the node produced more than estimated; 0 when not measurable or
 * too small to matter.  Nodes that pass their child's rows through
 * (Hash, Materialize, Memoize, Sort, Gather) answer for their child, so
 * that a misestimate is traced to where it starts.
 */
static double
pga_misestimate(PgaWalkCtx *ctx, PlanState *ps, bool *under, int depth)
{
	Instrumentation *instr = pga_instr(ctx, ps);
	double		est,
				actual,
				hi,
				lo;

	if (instr == NULL || instr->nloops <= 0 || depth > 8)
		return 0;
	switch (nodeTag(ps))
	{
		case T_HashState:
		case T_MaterialState:
		case T_MemoizeState:
		case T_SortState:
		case T_IncrementalSortState:
		case T_GatherState:
		case T_GatherMergeState:
			return pga_misestimate(ctx, outerPlanState(ps), under, depth + 1);
		case T_BitmapAndState:
		case T_BitmapOrState:
		case T_ModifyTableState:
		case T_LimitState:
			return 0;
		default:
			break;
	}
	est = ps->plan->plan_rows;
	actual = instr->ntuples / instr->nloops;
	hi = Max(est, actual);
	lo = Max(Min(est, actual), 1.0);
	if (hi < pga_misestimate_min_rows)
		return 0;
	*under = actual > est;
	return hi / lo;
}

static void
pga_check_misestimate(PgaWalkCtx *ctx, PlanState *ps, const char *label,
					  Oid relid)
{
	bool		under = false;
	double		ratio;
	int			severity;
	PlanState  *children[2];

	/* Set-returning functions and the like have fixed guesses. */
	switch (nodeTag(ps))
	{
		case T_FunctionScanState:
		case T_TableFuncScanState:
		case T_ValuesScanState:
		case T_CteScanState:
		case T_WorkTableScanState:
		case T_NamedTuplestoreScanState:
		case T_HashState:
		case T_MaterialState:
		case T_MemoizeState:
		case T_SortState:
		case T_IncrementalSortState:
		case T_GatherState:
		case T_GatherMergeState:
			return;
		default:
			break;
	}
	ratio = pga_misestimate(ctx, ps, &under, 0);
	if (ratio < pga_misestimate_factor)
		return;
	if (!under && ctx->early)
		return;

	/* Report only where it starts: not when a child shows it already. */
	children[0] = pga_outer_child(ps);
	children[1] = innerPlanState(ps);
	for (int i = 0; i < 2; i++)
	{
		bool		child_under = false;

		if (children[i] != NULL &&
			pga_misestimate(ctx, children[i], &child_under, 0) >= pga_misestimate_factor &&
			child_under == under)
			return;
	}

	if (ratio >= pga_misestimate_factor * pga_misestimate_factor * pga_misestimate_factor)
		severity = PGA_SEV_CRITICAL;
	else if (ratio >= pga_misestimate_factor * pga_misestimate_factor)
		severity = PGA_SEV_WARNING;
	else
		severity = PGA_SEV_INFO;
	pga_add_finding(ctx, PGA_FINDING_MISESTIMATE, severity, relid, label, ratio,
					psprintf("estimated %.0f rows, actual %.0f per loop (%.0fx %s)",
							 ps->plan->plan_rows,
							 ps->instrument->ntuples / ps->instrument->nloops,
							 ratio, under ? "under-estimated" : "over-estimated"));
}

static void
pga_check_seqscan(PgaWalkCtx *ctx, PlanState *ps, const char *label, Oid relid)
{
	Instrumentation *instr = pga_instr(ctx, ps);
	double		read,
				kept,
				loops;

	if (ps->plan->qual == NIL)
		return;
	if (instr != NULL && (ctx->flags & PGA_WALK_FINDINGS))
	{
		if (instr->nloops <= 0)
			return;
		/* a parallel scan is shared by its participants: one loop */
		loops = ps->plan->parallel_aware ? 1 : instr->nloops;
		read = (instr->ntuples + instr->nfiltered1) / loops;
		kept = instr->ntuples / loops;
		if (read >= Max(pga_seqscan_min_rows, 1) && kept < read * pga_seqscan_max_kept)
			pga_add_finding(ctx, PGA_FINDING_SEQSCAN, PGA_SEV_WARNING, relid,
							label, read,
							psprintf("read %.0f rows to keep %.0f (%.2f %%)",
									 read, kept, 100.0 * kept / read));
	}
	else if (ctx->flags & PGA_WALK_ESTIMATES)
	{
		read = pga_reltuples(ctx, ps->plan);
		kept = ps->plan->plan_rows;
		if (read >= Max(pga_seqscan_min_rows, 1) && kept < read * pga_seqscan_max_kept)
			pga_add_finding(ctx, PGA_FINDING_SEQSCAN, PGA_SEV_INFO, relid,
							label, read,
							psprintf("estimated to read %.0f rows to keep %.0f",
									 read, kept));
	}
}

static void
pga_check_sort(PgaWalkCtx *ctx, SortState *ss, const char *label)
{
	long		disk_kb = 0;

	if (!(ctx->flags & PGA_WALK_FINDINGS))
	{
		if (ctx->flags & PGA_WALK_ESTIMATES)
		{
			Plan	   *plan = ss->ss.ps.plan;
			double		kb = plan->plan_rows * (plan->plan_width + 24) / 1024.0;

			if (kb > work_mem)
				pga_add_finding(ctx, PGA_FINDING_SORT_SPILL, PGA_SEV_INFO,
								InvalidOid, label, kb,
								psprintf("estimated to sort %.0f kB, more than work_mem (%d kB)",
										 kb, work_mem));
		}
		return;
	}
	if (ss->sort_Done && ss->tuplesortstate != NULL)
	{
		TuplesortInstrumentation stats;

		tuplesort_get_stats((Tuplesortstate *) ss->tuplesortstate, &stats);
		if (stats.spaceType == SORT_SPACE_TYPE_DISK)
			disk_kb = Max(disk_kb, stats.spaceUsed);
	}
	if (ss->shared_info != NULL)
	{
		for (int i = 0; i < ss->shared_info->num_workers; i++)
		{
			TuplesortInstrumentation *w = &ss->shared_info->sinstrument[i];

			if (w->sortMethod != SORT_TYPE_STILL_IN_PROGRESS &&
				w->spaceType == SORT_SPACE_TYPE_DISK)
				disk_kb = Max(disk_kb, w->spaceUsed);
		}
	}
	if (disk_kb > 0)
		pga_add_finding(ctx, PGA_FINDING_SORT_SPILL, PGA_SEV_WARNING,
						InvalidOid, label, (double) disk_kb,
						psprintf("sorted on disk: %ld kB (work_mem is %d kB)",
								 disk_kb, work_mem));
}

static void
pga_check_hash(PgaWalkCtx *ctx, HashState *hs, const char *label)
{
	int			nbatch = 0;
	int			nbatch_original = 0;
	Size		peak = 0;

	if (hs->hinstrument != NULL)
	{
		nbatch = hs->hinstrument->nbatch;
		nbatch_original = hs->hinstrument->nbatch_original;
		peak = hs->hinstrument->space_peak;
	}
	else if (hs->hashtable != NULL)
	{
		nbatch = hs->hashtable->nbatch;
		nbatch_original = hs->hashtable->nbatch_original;
		peak = hs->hashtable->spacePeak;
	}
	if (hs->shared_info != NULL)
	{
		for (int i = 0; i < hs->shared_info->num_workers; i++)
		{
			HashInstrumentation *w = &hs->shared_info->hinstrument[i];

			nbatch = Max(nbatch, w->nbatch);
			nbatch_original = Max(nbatch_original, w->nbatch_original);
			peak = Max(peak, w->space_peak);
		}
	}
	if (nbatch > 1)
		pga_add_finding(ctx, PGA_FINDING_HASH_BATCHES, PGA_SEV_WARNING,
						InvalidOid, label, (double) nbatch,
						psprintf("hash table split into %d batches (planned %d), peak memory %zu kB",
								 nbatch, nbatch_original, (peak + 1023) / 1024));
}

static void
pga_check_hashagg(PgaWalkCtx *ctx, AggState *as, const char *label)
{
	uint64		disk_kb = as->hash_disk_used;
	int			batches = as->hash_batches_used;
	Agg		   *agg = (Agg *) as->ss.ps.plan;

	if (agg->aggstrategy != AGG_HASHED && agg->aggstrategy != AGG_MIXED)
		return;
	if (as->shared_info != NULL)
	{
		for (int i = 0; i < as->shared_info->num_workers; i++)
		{
			AggregateInstrumentation *w = &as->shared_info->sinstrument[i];

			disk_kb = Max(disk_kb, w->hash_disk_used);
			batches = Max(batches, w->hash_batches_used);
		}
	}
	if (disk_kb > 0 || batches > 1)
		pga_add_finding(ctx, PGA_FINDING_HASHAGG_SPILL, PGA_SEV_WARNING,
						InvalidOid, label, (double) disk_kb,
						psprintf("hash aggregate spilled %llu kB to disk in %d batches (work_mem is %d kB)",
								 (unsigned long long) disk_kb, batches, work_mem));
}

static void
pga_check_nestloop(PgaWalkCtx *ctx, PlanState *ps, const char *label)
{
	PlanState  *inner = innerPlanState(ps);
	PlanState  *outer = outerPlanState(ps);
	Instrumentation *instr = pga_instr(ctx, inner);

	if (inner == NULL || outer == NULL)
		return;
	if (instr != NULL && (ctx->flags & PGA_WALK_FINDINGS))
	{
		if (instr->nloops >= pga_nestloop_max_loops)
			pga_add_finding(ctx, PGA_FINDING_NESTLOOP, PGA_SEV_WARNING,
							InvalidOid, label, instr->nloops,
							psprintf("inner side (%s) ran %.0f times; %.0f outer rows were estimated",
									 pga_node_label(inner->plan), instr->nloops,
									 outer->plan->plan_rows));
	}
	else if ((ctx->flags & PGA_WALK_ESTIMATES) &&
			 outer->plan->plan_rows >= pga_nestloop_max_loops)
		pga_add_finding(ctx, PGA_FINDING_NESTLOOP, PGA_SEV_INFO, InvalidOid,
						label, outer->plan->plan_rows,
						psprintf("inner side (%s) estimated to run %.0f times",
								 pga_node_label(inner->plan),
								 outer->plan->plan_rows));
}

static void
pga_check_gather(PgaWalkCtx *ctx, PlanState *ps, const char *label)
{
	int			planned;
	int			launched;
	bool		initialized;

	if (IsA(ps, GatherState))
	{
		planned = ((Gather *) ps->plan)->num_workers;
		launched = ((GatherState *) ps)->nworkers_launched;
		initialized = ((GatherState *) ps)->initialized;
	}
	else
	{
		planned = ((GatherMerge *) ps->plan)->num_workers;
		launched = ((GatherMergeState *) ps)->nworkers_launched;
		initialized = ((GatherMergeState *) ps)->initialized;
	}
	if (initialized && planned > 0 && launched < planned)
		pga_add_finding(ctx, PGA_FINDING_WORKERS,
						launched == 0 ? PGA_SEV_WARNING : PGA_SEV_INFO,
						InvalidOid, label, (double) (planned - launched),
						psprintf("%d of %d planned parallel workers launched",
								 launched, planned));
}

/*
 * pga_node_findings
 *		Every check that applies to this node.
 */
void
pga_node_findings(PgaWalkCtx *ctx, PlanState *ps, const char *label, Oid relid)
{
	bool		measured = (ctx->flags & PGA_WALK_FINDINGS) != 0;

	switch (nodeTag(ps))
	{
		case T_SeqScanState:
			pga_check_seqscan(ctx, ps, label, relid);
			break;
		case T_NestLoopState:
			pga_check_nestloop(ctx, ps, label);
			break;
		case T_SortState:
			pga_check_sort(ctx, (SortState *) ps, label);
			break;
		case T_IncrementalSortState:
			if (measured && ps->instrument != NULL)
			{
				IncrementalSortInfo *info = &((IncrementalSortState *) ps)->incsort_info;
				int64		disk = Max(info->fullsortGroupInfo.maxDiskSpaceUsed,
									   info->prefixsortGroupInfo.maxDiskSpaceUsed);

				if (disk > 0)
					pga_add_finding(ctx, PGA_FINDING_SORT_SPILL, PGA_SEV_WARNING,
									InvalidOid, label, (double) disk,
									psprintf("sorted on disk: %lld kB (work_mem is %d kB)",
											 (long long) disk, work_mem));
			}
			break;
		case T_AggState:
			if (measured)
				pga_check_hashagg(ctx, (AggState *) ps, label);
			break;
		case T_HashState:
			if (measured)
				pga_check_hash(ctx, (HashState *) ps, label);
			break;
		case T_BitmapHeapScanState:
			{
				BitmapHeapScanState *bs = (BitmapHeapScanState *) ps;

				if (measured && bs->lossy_pages > 0)
					pga_add_finding(ctx, PGA_FINDING_BITMAP_LOSSY, PGA_SEV_WARNING,
									relid, label, (double) bs->lossy_pages,
									psprintf("%ld of %ld heap pages were lossy (work_mem is %d kB)",
											 bs->lossy_pages,
											 bs->lossy_pages + bs->exact_pages,
											 work_mem));
			}
			break;
		case T_IndexOnlyScanState:
			{
				Instrumentation *instr = pga_instr(ctx, ps);

				if (instr != NULL && measured &&
					instr->ntuples2 >= 100 &&
					instr->ntuples2 > pga_heap_fetch_ratio * Max(instr->ntuples, 1))
					pga_add_finding(ctx, PGA_FINDING_HEAP_FETCHES, PGA_SEV_WARNING,
									relid, label, instr->ntuples2,
									psprintf("%.0f heap fetches for %.0f rows returned",
											 instr->ntuples2, instr->ntuples));
			}
			break;
		case T_GatherState:
		case T_GatherMergeState:
			if (measured)
				pga_check_gather(ctx, ps, label);
			break;
		default:
			break;
	}
	if (measured)
		pga_check_misestimate(ctx, ps, label, relid);
}
