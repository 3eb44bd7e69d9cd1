/*-------------------------------------------------------------------------
 *
 * advisor.h
 *	  The index advisor's run: the workload, the candidates and the
 *	  selection, shared by workload.c, candidates.c and advisor.c.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGA_ADVISOR_H
#define PGA_ADVISOR_H

#include "postgres.h"

#include "nodes/bitmapset.h"
#include "nodes/parsenodes.h"
#include "utils/hsearch.h"

#include "hypo.h"
#include "whatif.h"

/* What a candidate does for the queries that proposed it (bit flags). */
#define PGA_KIND_EQ			0x0001	/* equality columns */
#define PGA_KIND_RANGE		0x0002	/* a range column */
#define PGA_KIND_SORT		0x0004	/* ORDER BY */
#define PGA_KIND_GROUP		0x0008	/* GROUP BY / DISTINCT */
#define PGA_KIND_JOIN		0x0010	/* join column (parameterized nested loop) */
#define PGA_KIND_COVER		0x0020	/* INCLUDE columns for an index-only scan */
#define PGA_KIND_PARTIAL	0x0040	/* partial index on a repeated constant */
#define PGA_KIND_EXPR		0x0080	/* expression key */
#define PGA_KIND_GIN		0x0100	/* GIN: containment, overlap, full text */
#define PGA_KIND_TRGM		0x0200	/* GIN trigram for LIKE '%x%' */
#define PGA_KIND_PATTERN	0x0400	/* B-tree for LIKE 'prefix%' */
#define PGA_KIND_OR			0x0800	/* one arm of an OR (bitmap OR) */

/* Where the workload came from. */
typedef enum PgaSource
{
	PGA_SOURCE_EXPLICIT,		/* recommend_indexes_for(queries) */
	PGA_SOURCE_CAPTURE,			/* architect.query_patterns (+ pgss) */
	PGA_SOURCE_PGSS				/* pg_stat_statements only */
} PgaSource;

/* Rows one UPDATE statement of the workload writes, and the columns set. */
typedef struct PgaUpdate
{
	Bitmapset  *attrs;			/* columns it sets */
	double		rows;			/* rows updated over the workload's window */
} PgaUpdate;

/* A table the workload reads or writes. */
typedef struct PgaTable
{
	Oid			relid;
	double		ins_rows;		/* rows the workload inserts */
	double		del_rows;		/* rows it deletes */
	List	   *updates;		/* PgaUpdate *, one per UPDATE statement */
	double		upd_rows;		/* sum of their rows */
	double		hot_ratio;		/* HOT share of updates (pg_stat_user_tables) */
	int			n_indexes;		/* existing indexes */
	List	   *indexes;		/* their OIDs */
} PgaTable;

/* One workload query. */
typedef struct PgaQuery
{
	int			idx;			/* position in run->queries */
	int64		queryid;
	char	   *text;
	double		calls;			/* executions */
	double		weight;			/* calls, corrected by measured time */
	double		total_ms;		/* total execution time, or 0 if unknown */
	double		rows;			/* rows returned or written, over all calls */
	Query	   *query;			/* analysed and rewritten, to be copied */
	double		base_cost;		/* estimated cost with no new index */
	double		cur_cost;		/* under the current selection */
	Bitmapset  *cur_used;		/* candidates its current plan uses */
	Bitmapset  *cands;			/* candidates that may serve it */
	List	   *tables;			/* PgaTable * it reads */
	List	   *risks;			/* PgaRisk *: underestimates capture saw */
	int64		risk_plans;		/* plans re-costed by the risk model */
} PgaQuery;

/* One candidate index. */
typedef struct PgaCand
{
	int			id;				/* position in run->cands */
	PgaHypoIndex *hypo;
	char	   *signature;
	PgaTable   *table;
	int			kinds;			/* PGA_KIND_* */
	Bitmapset  *proposers;		/* queries whose predicates proposed it */
	Bitmapset  *queries;		/* queries it may serve */
	double		size;			/* estimated bytes */
	double		write_cost;		/* estimated maintenance cost */
	double		benefit1;		/* workload gain alone (phase 1) */
	Bitmapset  *helps;			/* queries it improves alone */
	bool		regresses;		/* alone, makes a query more than
								 * max_regression worse */
	bool		dead;			/* dropped from consideration */
} PgaCand;

/* Counters of the last run, shown by architect.advisor_stats(). */
typedef struct PgaRunStats
{
	PgaSource	source;
	int			queries;		/* workload queries costed */
	int			ignored;		/* statements with no user table */
	int			skip_unparsable;	/* syntax error, truncated text */
	int			skip_missing;	/* a table or column is gone */
	int			skip_param_types;	/* $n of unknown type */
	int			skip_not_permitted; /* no privilege, or text hidden */
	int			skip_other;		/* other statements, other errors */
	int			skip_utility;	/* DDL and other utility statements */
	int			skip_internal_error;	/* XX000 from PostgreSQL's parse/plan */
	int			candidates;
	int64		whatif_calls;
	int64		cache_hits;		/* costs asked again */
	int64		derived_costs;	/* costs derived from a larger set's plan */
	bool		capped;			/* max_whatif_calls reached */
	double		runtime_ms;
	double		whatif_ms;		/* time spent in what-if planning */
	double		cost_before;	/* weighted workload cost, no new index */
	double		cost_after;		/* with the recommendation */
	double		write_cost;		/* estimated maintenance of the new ones */
	int			risky_queries;	/* queries with a measured underestimate */
	int64		risk_plans;		/* plans re-costed by the risk model */
	int64		unplannable_plans;	/* what-if plannings the planner failed */
} PgaRunStats;

/* The state of one recommendation run. */
typedef struct PgaRun
{
	MemoryContext cxt;
	List	   *queries;		/* PgaQuery * */
	PgaQuery  **qarr;
	int			nqueries;
	List	   *tables;			/* PgaTable * */
	PgaCand   **cands;
	int			ncands;
	HTAB	   *cand_by_sig;	/* signature -> candidate id */
	struct PgaCostCache *cost_cache;	/* whatif.c */
	double		budget;			/* bytes, or a negative value for none */
	int			max_indexes;
	bool		net_gain;		/* greedy gains net of the queries made dearer */
	PgaRunStats stats;
	List	   *scans;			/* PgaScan * collected while planning */
	List	   *gin_opclasses;	/* cached (see candidates.c) */
	bool		gin_loaded;
	struct PgaGainMemo *gain_memo;	/* advisor.c: last gains, by candidate */
	Bitmapset **cand_queries;	/* advisor.c: by candidate, the queries
								 * whose cands hold it */
} PgaRun;

/* workload.c */
extern void pga_workload_load(PgaRun *run, ArrayType *queries,
							  ArrayType *weights, ArrayType *times);
extern PgaTable *pga_table_get(PgaRun *run, Oid relid);

/* candidates.c */
extern void pga_collect_begin(PgaRun *run, PgaQuery *q);
extern void pga_collect_end(void);
extern void pga_candidates_init(void);
extern void pga_candidates_build(PgaRun *run);

/* advisor_fetch.c */
extern void pga_fetch_begin(void);
extern void pga_fetch_reset(bool end);
extern double pga_fetch_plan_extra(PlannedStmt *pstmt, List *hypos);

/* advisor_fetch_runs.c */
extern List *pga_fetch_runs_push(List *ctx, NestLoop *nl, double loops);
extern double pga_fetch_runs_charged(List *ctx, Plan *plan, double loops);

/* advisor_risk.c */
extern void pga_risk_load(PgaRun *run);
extern void pga_risk_plan(PgaRun *run, PgaQuery *q, List *hypos,
						  PgaPlanResult *res);

/* advisor.c */
extern PgaRunStats pga_last_stats;

/*
 * When true, a workload statement whose table cannot be locked within the
 * lock timeout fails the whole run with 55P03 instead of being skipped and
 * counted.  Set only around a lookup that must not mistake a locked table
 * for "no recommendation" (create_index() of a recommendation by name).
 */
extern bool pga_workload_locks_fatal;

#endif							/* PGA_ADVISOR_H */
