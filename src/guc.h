/*-------------------------------------------------------------------------
 *
 * guc.h
 *	  pg_architect's configuration parameters, all prefixed pg_architect.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGA_GUC_H
#define PGA_GUC_H

/* capture */
extern bool pga_capture_enabled;	/* pg_architect.capture */
extern int	pga_max_entries;		/* pg_architect.max_entries */
extern double pga_sample_rate;		/* pg_architect.sample_rate */
extern int	pga_sample_first;		/* pg_architect.sample_first */
extern double pga_slow_query_ms;	/* pg_architect.slow_query_ms */
extern bool pga_sample_timing;		/* pg_architect.sample_timing */
extern bool pga_save;				/* pg_architect.save */
extern int	pga_seqscan_min_rows;	/* pg_architect.seqscan_min_rows */
extern double pga_seqscan_max_kept;	/* pg_architect.seqscan_max_kept */
extern int	pga_misestimate_min_rows;	/* pg_architect.misestimate_min_rows */
extern int	pga_nestloop_max_loops; /* pg_architect.nestloop_max_loops */
extern double pga_heap_fetch_ratio; /* pg_architect.heap_fetch_ratio */
extern int	pga_nplus1_threshold;	/* pg_architect.nplus1_threshold */
extern int	pga_nplus1_max_rows;	/* pg_architect.nplus1_max_rows */

/* guards */
#define PGA_AUDIT_PERIOD_DAY	0
#define PGA_AUDIT_PERIOD_WEEK	1
#define PGA_AUDIT_PERIOD_MONTH	2
extern char *pga_audit_user_setting;	/* pg_architect.audit_user_setting */
extern int	pga_audit_partition_period; /* pg_architect.audit_partition_period */
extern int	pga_audit_partitions_ahead; /* pg_architect.audit_partitions_ahead */
extern bool pga_hard_delete;		/* pg_architect.hard_delete */
extern int	pga_guard_lock_timeout; /* pg_architect.guard_lock_timeout */

/* health: values of pg_architect.disk_type and pg_architect.workload_type */
typedef enum PgaDiskType
{
	PGA_DISK_SSD,
	PGA_DISK_HDD,
	PGA_DISK_SAN
} PgaDiskType;

typedef enum PgaWorkloadType
{
	PGA_WORKLOAD_WEB,
	PGA_WORKLOAD_OLTP,
	PGA_WORKLOAD_MIXED,
	PGA_WORKLOAD_ANALYTICS
} PgaWorkloadType;

/*
 * health: machine facts (the thresholds are read by name through
 * architect.health_settings(), so they need no extern here)
 */
extern int	pga_system_memory_mb;	/* pg_architect.system_memory */
extern int	pga_system_cpus;		/* pg_architect.system_cpus */
extern int	pga_reserved_memory_mb; /* pg_architect.reserved_memory */
extern int	pga_disk_type;			/* pg_architect.disk_type */
extern int	pga_workload_type;		/* pg_architect.workload_type */

/* advisor */
typedef enum PgaAdvisorStrategy
{
	PGA_STRATEGY_WORKLOAD,		/* whole-workload selection (the default) */
	PGA_STRATEGY_SINGLE_QUERY	/* each query's best index, for comparison */
} PgaAdvisorStrategy;

extern double pga_min_improvement;	/* pg_architect.min_improvement */
extern double pga_max_regression;	/* pg_architect.max_regression */
extern bool pga_misestimate_guard;	/* pg_architect.misestimate_guard */
extern bool pga_random_fetch_guard;	/* pg_architect.random_fetch_guard */
extern double pga_random_fetch_table_fraction;	/* pg_architect.random_fetch_table_fraction */
extern char *pga_debug_whatif_error_table;	/* pg_architect.debug_whatif_error_table */
extern double pga_misestimate_factor;	/* pg_architect.misestimate_factor */
extern int	pga_max_whatif_calls;	/* pg_architect.max_whatif_calls */
extern int	pga_max_workload_queries;	/* pg_architect.max_workload_queries */
extern int	pga_max_index_columns;	/* pg_architect.max_index_columns */
extern double pga_partial_selectivity;	/* pg_architect.partial_index_selectivity */
extern double pga_write_cost_factor;	/* pg_architect.write_cost_factor */
extern double pga_time_weight;	/* pg_architect.time_weight */
extern bool pga_min_improvement_per_query;	/* pg_architect.min_improvement_per_query */
extern int	pga_advisor_strategy;	/* pg_architect.advisor_strategy */

/* what-if speed (whatif_joins.c) */
extern bool pga_whatif_reuse_join_orders;	/* pg_architect.whatif_reuse_join_orders */

/* indexer */
extern int	pga_max_index_jobs;		/* pg_architect.max_index_jobs */
extern int	pga_index_lock_timeout; /* pg_architect.index_lock_timeout */
extern int	pga_index_retries;		/* pg_architect.index_retries */
extern int	pga_index_retry_delay;	/* pg_architect.index_retry_delay */
extern int	pga_index_cleanup_timeout;	/* pg_architect.index_cleanup_timeout */
extern int	pga_verify_queries;		/* pg_architect.verify_queries */
extern int	pga_max_builds_per_run; /* pg_architect.max_builds_per_run */

#endif							/* PGA_GUC_H */
