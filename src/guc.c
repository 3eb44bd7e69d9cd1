/*-------------------------------------------------------------------------
 *
 * guc.c
 *	  Every configuration parameter of pg_architect.
 *
 * All parameters carry the prefix "pg_architect.", which is reserved with
 * MarkGUCPrefixReserved so that a misspelt pg_architect.* setting is
 * reported instead of silently becoming a placeholder.  Parameters are
 * defined in every backend that loads the library; those that size shared
 * memory are PGC_POSTMASTER and only take effect when preloaded.
 *
 * Each module's parameters are defined by its own function below, called
 * from pga_guc_init() in module order; README.md documents every one.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "miscadmin.h"
#include "utils/guc.h"

#include "guc.h"
#include "health.h"
#include "pg_architect.h"

/* guards */
char	   *pga_audit_user_setting = NULL;
int			pga_audit_partition_period = PGA_AUDIT_PERIOD_MONTH;
int			pga_audit_partitions_ahead = 2;
bool		pga_hard_delete = false;
int			pga_guard_lock_timeout = 5000;

/* capture */
bool		pga_capture_enabled = true;
int			pga_max_entries = 5000;
double		pga_sample_rate = 0.01;
int			pga_sample_first = 3;
double		pga_slow_query_ms = 100.0;
bool		pga_sample_timing = false;
bool		pga_save = true;
int			pga_seqscan_min_rows = 10000;
double		pga_seqscan_max_kept = 0.10;
double		pga_misestimate_factor = 10.0;
int			pga_misestimate_min_rows = 100;
int			pga_nestloop_max_loops = 10000;
double		pga_heap_fetch_ratio = 0.10;
int			pga_nplus1_threshold = 50;
int			pga_nplus1_max_rows = 10;

/* advisor */
double		pga_min_improvement = 20.0;
double		pga_max_regression = 10.0;
int			pga_max_whatif_calls = 20000;
int			pga_max_workload_queries = 1000;
int			pga_max_index_columns = 4;
double		pga_partial_selectivity = 0.2;
double		pga_write_cost_factor = 1.0;
double		pga_time_weight = 0.5;
bool		pga_min_improvement_per_query = true;
int			pga_advisor_strategy = PGA_STRATEGY_WORKLOAD;
bool		pga_misestimate_guard = true;
bool		pga_random_fetch_guard = true;
double		pga_random_fetch_table_fraction = 1.0;
char	   *pga_debug_whatif_error_table = NULL;

static const struct config_enum_entry pga_strategy_options[] = {
	{"workload", PGA_STRATEGY_WORKLOAD, false},
	{"single_query", PGA_STRATEGY_SINGLE_QUERY, false},
	{NULL, 0, false}
};

/* what-if speed */
bool		pga_whatif_reuse_join_orders = true;

/* indexer */
int			pga_max_index_jobs = 8;
int			pga_index_lock_timeout = 5000;
int			pga_index_retries = 3;
int			pga_index_retry_delay = 1000;
int			pga_index_cleanup_timeout = 60000;
int			pga_verify_queries = 20;
int			pga_max_builds_per_run = 1;

/*
 * Workload capture (capture.c, store.c, planwalk.c).
 */
static void
define_capture_gucs(void)
{
	DefineCustomBoolVariable("pg_architect.capture",
							 "Captures predicates and plan findings of executed queries.",
							 NULL,
							 &pga_capture_enabled,
							 true,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	/*
	 * Sizes shared memory, so it exists only when preloaded: a
	 * PGC_POSTMASTER parameter cannot be defined after startup.
	 */
	if (process_shared_preload_libraries_in_progress)
		DefineCustomIntVariable("pg_architect.max_entries",
							"Maximum number of entries in the shared-memory workload store.",
							"Least useful entries are evicted when the store is full.",
							&pga_max_entries,
							5000,
							100,
							INT_MAX / 8,
							PGC_POSTMASTER,
							0,
							NULL, NULL, NULL);

	DefineCustomRealVariable("pg_architect.sample_rate",
							 "Share of executions whose plan nodes are instrumented and measured.",
							 "Every execution is counted; this sets how many are also measured row by row.",
							 &pga_sample_rate,
							 0.01,
							 0.0,
							 1.0,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("pg_architect.sample_first",
							"Executions of a new query id, or of a new plan, that are always measured.",
							NULL,
							&pga_sample_first,
							3,
							0,
							1000000,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);

	DefineCustomRealVariable("pg_architect.slow_query_ms",
							 "Mean execution time from which a query id is measured ten times as often.",
							 "Zero disables the boost.",
							 &pga_slow_query_ms,
							 100.0,
							 0.0,
							 1e9,
							 PGC_SUSET,
							 GUC_UNIT_MS,
							 NULL, NULL, NULL);

	DefineCustomBoolVariable("pg_architect.sample_timing",
							 "Times plan nodes of measured executions (costs a clock read per row).",
							 NULL,
							 &pga_sample_timing,
							 false,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomBoolVariable("pg_architect.save",
							 "Saves the workload store across clean server restarts.",
							 NULL,
							 &pga_save,
							 true,
							 PGC_SIGHUP,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("pg_architect.seqscan_min_rows",
							"Rows a sequential scan must read to be reported as large.",
							NULL,
							&pga_seqscan_min_rows,
							10000,
							0,
							INT_MAX,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);

	DefineCustomRealVariable("pg_architect.seqscan_max_kept",
							 "Share of the rows read that a large sequential scan keeps, below which it is reported.",
							 NULL,
							 &pga_seqscan_max_kept,
							 0.10,
							 0.0,
							 1.0,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomRealVariable("pg_architect.misestimate_factor",
							 "Ratio between actual and estimated rows reported as a misestimate.",
							 "The factor gives severity info, its square warning, its cube critical.",
							 &pga_misestimate_factor,
							 10.0,
							 2.0,
							 1e6,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("pg_architect.misestimate_min_rows",
							"Rows (actual or estimated, per loop) below which misestimates are not reported.",
							NULL,
							&pga_misestimate_min_rows,
							100,
							0,
							INT_MAX,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pg_architect.nestloop_max_loops",
							"Inner loops of a nested loop join from which it is reported.",
							NULL,
							&pga_nestloop_max_loops,
							10000,
							1,
							INT_MAX,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);

	DefineCustomRealVariable("pg_architect.heap_fetch_ratio",
							 "Heap fetches per row returned from which an index-only scan is reported.",
							 NULL,
							 &pga_heap_fetch_ratio,
							 0.10,
							 0.0,
							 1e6,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("pg_architect.nplus1_threshold",
							"Executions of one query id in one transaction reported as an N+1 pattern.",
							NULL,
							&pga_nplus1_threshold,
							50,
							2,
							INT_MAX,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pg_architect.nplus1_max_rows",
							"Mean rows per execution up to which repeated executions count as N+1.",
							NULL,
							&pga_nplus1_max_rows,
							10,
							0,
							INT_MAX,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);
}

/*
 * Index advisor (hypo.c, whatif.c, candidates.c, advisor.c).
 */
static void
define_advisor_gucs(void)
{
	DefineCustomRealVariable("pg_architect.min_improvement",
							 "Smallest estimated gain, in percent, on the queries an index serves for it to be recommended.",
							 "The gain is the drop in the planner's estimated cost of the queries whose plans use the index, each weighted by its executions and measured time.",
							 &pga_min_improvement,
							 20.0,
							 0.0,
							 100.0,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomRealVariable("pg_architect.time_weight",
							 "How far measured execution time corrects the planner's cost in the index advisor's query weights, from 0 to 1.",
							 "A query's weight is its executions times (measured mean time / estimated cost, relative to the workload's) to this power: 0 weighs by executions and estimated cost alone, 1 makes each query's share of the workload cost its share of measured total time, 0.5 (the default) takes the geometric mean of the two.",
							 &pga_time_weight,
							 0.5,
							 0.0,
							 1.0,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomBoolVariable("pg_architect.min_improvement_per_query",
							 "Lets an index pass pg_architect.min_improvement by its gain on one query it serves, not only on all of them together.",
							 "Off, an index must save min_improvement percent of the estimated cost of the queries whose plans use it, together; on, saving that much of one of them is enough too.",
							 &pga_min_improvement_per_query,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomRealVariable("pg_architect.max_regression",
							 "Largest estimated cost increase, in percent, that a recommendation may cause to any workload query.",
							 NULL,
							 &pga_max_regression,
							 10.0,
							 0.0,
							 1000.0,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("pg_architect.max_whatif_calls",
							"Most planner calls one index recommendation may make.",
							"When the cap is reached, the best selection found so far is returned.",
							&pga_max_whatif_calls,
							20000,
							1,
							INT_MAX,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pg_architect.max_workload_queries",
							"Most workload queries an index recommendation considers, by total execution time.",
							NULL,
							&pga_max_workload_queries,
							1000,
							1,
							100000,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pg_architect.max_index_columns",
							"Most key columns of a recommended index.",
							NULL,
							&pga_max_index_columns,
							4,
							1,
							INDEX_MAX_KEYS,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

	DefineCustomRealVariable("pg_architect.partial_index_selectivity",
							 "Largest fraction of a table's rows a constant predicate may select to be proposed as a partial index predicate.",
							 NULL,
							 &pga_partial_selectivity,
							 0.2,
							 0.0,
							 1.0,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomRealVariable("pg_architect.write_cost_factor",
							 "Weight of the estimated index maintenance cost of inserts, updates and deletes.",
							 "0 ignores write costs; 1 charges each index entry written about one sequential page access.",
							 &pga_write_cost_factor,
							 1.0,
							 0.0,
							 1000.0,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomEnumVariable("pg_architect.advisor_strategy",
							 "How indexes are chosen: for the whole workload, or one query at a time (for comparison).",
							 NULL,
							 &pga_advisor_strategy,
							 PGA_STRATEGY_WORKLOAD,
							 pga_strategy_options,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomBoolVariable("pg_architect.misestimate_guard",
							 "Re-costs what-if plans that would probe a new index once per row of an input whose row count capture saw underestimated.",
							 "The probes are multiplied by the underestimate measured in the workload's own executions (architect.predicates, at least pg_architect.misestimate_factor and pg_architect.misestimate_min_rows), so that an index whose plan is only cheap because of a misestimate is not recommended.",
							 &pga_misestimate_guard,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);
}

/*
 * Index builds (indexer.c).
 */
/*
 * What-if costing speed (whatif_joins.c).
 */
static void
define_whatif_gucs(void)
{
	DefineCustomBoolVariable("pg_architect.whatif_reuse_join_orders",
							 "Lets the index advisor re-use the join orders of its earlier full plans of a query.",
							 "For a query joining four or more tables, once it has been planned in full without new indexes, under all its candidates and under the first index set asked, later what-if costings search only the join relations of those plans' join trees.  Such a cost is never below the full search's; the figures the advisor reports are re-costed with full planning.",
							 &pga_whatif_reuse_join_orders,
							 true,
							 PGC_USERSET, 0, NULL, NULL, NULL);
}

/*
 * The advisor's random-fetch guard (advisor_fetch.c).
 */
static void
define_advisor_fetch_gucs(void)
{
	DefineCustomBoolVariable("pg_architect.random_fetch_guard",
							 "Re-costs what-if nested loops whose probes of a new index fetch more heap pages than the table has, as uncached random reads.",
							 "The planner counts the heap pages of repeated index probes as cached from one probe to the next when effective_cache_size exceeds the table; with this guard, once the probes would read more than pg_architect.random_fetch_table_fraction times the table's pages, each probe that starts from a new key (not the key of the probe before it) is charged for its fetches as its own random reads, and the index is only recommended for that query if the plan still wins.",
							 &pga_random_fetch_guard,
							 true,
							 PGC_USERSET, 0, NULL, NULL, NULL);

	DefineCustomRealVariable("pg_architect.random_fetch_table_fraction",
							 "Heap pages, as a fraction of the table's, that repeated probes of a new index may read before the random-fetch guard re-costs them.",
							 NULL,
							 &pga_random_fetch_table_fraction,
							 1.0,
							 0.0,
							 1000.0,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	/*
	 * Fault injection for the tests: PostgreSQL's planner failing under an
	 * index set (advisor.c's pga_plan_or_refuse) has no reproducer that
	 * stays one from release to release.  Superuser only, not in SHOW ALL.
	 */
	DefineCustomStringVariable("pg_architect.debug_whatif_error_table",
							   "For testing: the advisor's what-if plannings under an index set with an index on this table fail with an internal error.",
							   "The table's name as stored, without its schema (a table of that name in any schema); empty (the default) turns it off.",
							   &pga_debug_whatif_error_table,
							   "",
							   PGC_SUSET,
							   GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE,
							   NULL, NULL, NULL);
}

static void
define_indexer_gucs(void)
{
	/* Sizes the job slots in shared memory. */
	if (process_shared_preload_libraries_in_progress)
		DefineCustomIntVariable("pg_architect.max_index_jobs",
								"Maximum number of index jobs queued or running at once, all databases together.",
								"Each queued or running job also takes one of max_worker_processes.",
								&pga_max_index_jobs,
								8,
								1,
								1000,
								PGC_POSTMASTER,
								0,
								NULL, NULL, NULL);

	DefineCustomIntVariable("pg_architect.index_lock_timeout",
							"lock_timeout of the statements an index job runs.",
							"A build that waits longer for a lock fails and is retried; 0 waits forever.",
							&pga_index_lock_timeout,
							5000,
							0,
							INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pg_architect.index_retries",
							"How many times an index job retries after a lock timeout or a deadlock.",
							NULL,
							&pga_index_retries,
							3,
							0,
							100,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pg_architect.index_retry_delay",
							"Wait before an index job's first retry; it doubles at each retry, up to one minute.",
							NULL,
							&pga_index_retry_delay,
							1000,
							1,
							60000,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pg_architect.index_cleanup_timeout",
							"lock_timeout of the DROP INDEX CONCURRENTLY that removes what a failed build left.",
							"0 waits forever.",
							&pga_index_cleanup_timeout,
							60000,
							0,
							INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pg_architect.verify_queries",
							"How many captured queries an index job plans again to verify the new index.",
							"0 turns verification off.",
							&pga_verify_queries,
							20,
							0,
							1000,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pg_architect.max_builds_per_run",
							"Most indexes one call of architect.apply_recommendations() builds.",
							NULL,
							&pga_max_builds_per_run,
							1,
							1,
							100,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);
}

/*
 * Guards (audit.c, audit_admin.c, touch.c, softdelete.c, rls.c).
 */
static const struct config_enum_entry pga_audit_period_options[] = {
	{"day", PGA_AUDIT_PERIOD_DAY, false},
	{"week", PGA_AUDIT_PERIOD_WEEK, false},
	{"month", PGA_AUDIT_PERIOD_MONTH, false},
	{NULL, 0, false}
};

static void
define_guard_gucs(void)
{
	DefineCustomStringVariable("pg_architect.audit_user_setting",
							   "Setting from which the audit trigger reads the application user.",
							   "The application sets it per transaction, e.g. SET LOCAL app.current_user_id = '42'; empty or unset records NULL.",
							   &pga_audit_user_setting,
							   "app.current_user_id",
							   PGC_SUSET,
							   0,
							   NULL, NULL, NULL);

	DefineCustomEnumVariable("pg_architect.audit_partition_period",
							 "Time span of each partition of architect.audit_log created from now on.",
							 "Retention (architect.audit_purge) drops whole partitions.",
							 &pga_audit_partition_period,
							 PGA_AUDIT_PERIOD_MONTH,
							 pga_audit_period_options,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("pg_architect.audit_partitions_ahead",
							"Number of future partitions of architect.audit_log kept ready.",
							"architect.audit_maintain() and architect.audit_purge() create them.",
							&pga_audit_partitions_ahead,
							2,
							1,
							120,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);

	DefineCustomBoolVariable("pg_architect.hard_delete",
							 "Lets the owner of a soft-delete table delete rows for real.",
							 "Honoured only for the table owner (or a member of the owning role); others get an error.",
							 &pga_hard_delete,
							 false,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("pg_architect.guard_lock_timeout",
							"Longest wait for a table lock when a guard is enabled or disabled.",
							"0 uses the session's lock_timeout.",
							&pga_guard_lock_timeout,
							5000,
							0,
							INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);
}

/* health: machine facts used by config_advice */
int			pga_system_memory_mb = 0;
int			pga_system_cpus = 0;
int			pga_reserved_memory_mb = 0;
int			pga_disk_type = PGA_DISK_SSD;
int			pga_workload_type = PGA_WORKLOAD_MIXED;

/*
 * health: thresholds.  Views read them through architect.health_settings(),
 * which converts memory to bytes and time to milliseconds.
 */
static int	pga_unused_index_min_age = 7 * 24 * 60;
static int	pga_index_low_usage_scans = 100;
static int	pga_fk_index_min_rows = 1000;
static double pga_bloat_warning_pct = 30.0;
static double pga_bloat_critical_pct = 60.0;
static int	pga_bloat_min_size = 10;
static int	pga_seq_scan_min_count = 100;
static int	pga_seq_scan_min_rows = 10000;
static double pga_dead_tuples_warning_pct = 20.0;
static int	pga_dead_tuples_min = 1000;
static double pga_wraparound_warning_pct = 100.0;
static double pga_wraparound_critical_pct = 500.0;
static double pga_sequence_warning_pct = 75.0;
static double pga_sequence_critical_pct = 90.0;
static double pga_int4_pk_warning_pct = 50.0;
static double pga_connections_warning_pct = 80.0;
static double pga_connections_critical_pct = 95.0;
static int	pga_long_running_warning = 5 * 60 * 1000;
static int	pga_long_running_critical = 60 * 60 * 1000;
static int	pga_idle_in_transaction_warning = 60 * 1000;
static int	pga_idle_in_transaction_critical = 10 * 60 * 1000;
static int	pga_lock_wait_warning = 10 * 1000;
static int	pga_lock_wait_critical = 5 * 60 * 1000;
static double pga_cache_hit_warning_pct = 99.0;
static double pga_cache_hit_critical_pct = 90.0;
static int	pga_cache_hit_min_blocks = 10000;
static int	pga_temp_file_warning = 10 * 1024;
static double pga_checkpoint_req_warning_pct = 50.0;
static int	pga_checkpoint_min_count = 10;
static double pga_rollback_warning_pct = 5.0;
static int	pga_rollback_min_xacts = 1000;
static int	pga_deadlocks_warning = 1;
static int	pga_replication_lag_warning = 256;
static int	pga_replication_delay_warning = 60 * 1000;
static int	pga_slot_retained_warning = 1024;
static int	pga_archive_pending_warning = 10;
static int	pga_slow_query_warning = 100;
static int	pga_slow_query_critical = 1000;
static int	pga_slow_query_min_calls = 10;
static double pga_connection_churn_per_sec = 5.0;
static double pga_pooler_idle_pct = 50.0;
static int	pga_pooler_min_connections = 20;
static int	pga_password_max_age = 0;
static char *pga_tenant_column_pattern = NULL;
static char *pga_secret_column_pattern = NULL;

static const struct config_enum_entry pga_disk_type_options[] = {
	{"ssd", PGA_DISK_SSD, false},
	{"hdd", PGA_DISK_HDD, false},
	{"san", PGA_DISK_SAN, false},
	{NULL, 0, false}
};

static const struct config_enum_entry pga_workload_type_options[] = {
	{"web", PGA_WORKLOAD_WEB, false},
	{"oltp", PGA_WORKLOAD_OLTP, false},
	{"mixed", PGA_WORKLOAD_MIXED, false},
	{"analytics", PGA_WORKLOAD_ANALYTICS, false},
	{NULL, 0, false}
};

/*
 * Small helpers for the many health thresholds: every one is PGC_USERSET
 * (a threshold only changes what the caller's own query reports) and has no
 * hooks.
 */
static void
pga_define_int(const char *name, const char *desc, int *addr, int boot,
			   int min, int max, int flags)
{
	DefineCustomIntVariable(name, desc, NULL, addr, boot, min, max,
							PGC_USERSET, flags, NULL, NULL, NULL);
}

static void
pga_define_pct(const char *name, const char *desc, double *addr, double boot)
{
	DefineCustomRealVariable(name, desc, NULL, addr, boot, 0.0, 100.0,
							 PGC_USERSET, 0, NULL, NULL, NULL);
}

/*
 * Health checks (sysinfo.c, health.c, history.c and the health views).
 *
 * The first group describes the machine for config_advice; the rest are
 * the thresholds of the findings.  README.md (Configuration) documents
 * each one; architect.health_settings() hands them to the views in bytes
 * and milliseconds.
 */
static void
define_health_gucs(void)
{
	/*
	 * Internal: set by findings_rows() and report() for their own duration
	 * (a SET clause), so that facts several views read are read once per
	 * call; every assignment empties the cache (health.c).
	 */
	DefineCustomBoolVariable("pg_architect.findings_scope",
							 "Internal: on while architect.findings or architect.report() runs, to read shared facts once.",
							 "Set by those functions for their own duration; setting it elsewhere only caches within one statement.",
							 &pga_findings_scope, false,
							 PGC_USERSET, GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE | GUC_DISALLOW_IN_FILE,
							 NULL, pga_findings_scope_assign, NULL);
	/* machine facts */
	DefineCustomIntVariable("pg_architect.system_memory",
							"Memory of the machine that config_advice plans for; 0 detects it.",
							"Detected from the operating system and the cgroup memory limit.",
							&pga_system_memory_mb, 0, 0, INT_MAX,
							PGC_USERSET, GUC_UNIT_MB, NULL, NULL, NULL);
	DefineCustomIntVariable("pg_architect.system_cpus",
							"CPUs that config_advice plans for; 0 detects them.",
							"Detected from the online CPUs, the CPU affinity mask and the cgroup CPU quota.",
							&pga_system_cpus, 0, 0, 65536,
							PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("pg_architect.reserved_memory",
							"Memory of the machine used by other software, left out of config_advice's plan.",
							NULL,
							&pga_reserved_memory_mb, 0, 0, INT_MAX,
							PGC_USERSET, GUC_UNIT_MB, NULL, NULL, NULL);
	DefineCustomEnumVariable("pg_architect.disk_type",
							 "Storage the data directory is on (ssd, hdd, san), for config_advice.",
							 NULL,
							 &pga_disk_type, PGA_DISK_SSD, pga_disk_type_options,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomEnumVariable("pg_architect.workload_type",
							 "Kind of workload (web, oltp, mixed, analytics), for config_advice.",
							 NULL,
							 &pga_workload_type, PGA_WORKLOAD_MIXED,
							 pga_workload_type_options,
							 PGC_USERSET, 0, NULL, NULL, NULL);

	/* indexes */
	pga_define_int("pg_architect.unused_index_min_age",
				   "Statistics must cover at least this long before an unused index is a warning.",
				   &pga_unused_index_min_age, 7 * 24 * 60, 0, INT_MAX, GUC_UNIT_MIN);
	pga_define_int("pg_architect.index_low_usage_scans",
				   "Indexes scanned fewer times than this are reported as low usage.",
				   &pga_index_low_usage_scans, 100, 0, INT_MAX, 0);
	pga_define_int("pg_architect.fk_index_min_rows",
				   "Unindexed foreign keys on tables with at least this many rows are warnings.",
				   &pga_fk_index_min_rows, 1000, 0, INT_MAX, 0);

	/* tables */
	pga_define_pct("pg_architect.bloat_warning_pct",
				   "Estimated bloat share of a table or index that is a warning.",
				   &pga_bloat_warning_pct, 30.0);
	pga_define_pct("pg_architect.bloat_critical_pct",
				   "Estimated bloat share of a table or index that is critical.",
				   &pga_bloat_critical_pct, 60.0);
	pga_define_int("pg_architect.bloat_min_size",
				   "Tables and indexes smaller than this are never reported as bloated.",
				   &pga_bloat_min_size, 10, 0, INT_MAX, GUC_UNIT_MB);
	pga_define_int("pg_architect.seq_scan_min_count",
				   "Sequential scans a table must have had before they are reported.",
				   &pga_seq_scan_min_count, 100, 0, INT_MAX, 0);
	pga_define_int("pg_architect.seq_scan_min_rows",
				   "Mean rows read per sequential scan above which the scans are reported.",
				   &pga_seq_scan_min_rows, 10000, 0, INT_MAX, 0);
	pga_define_pct("pg_architect.dead_tuples_warning_pct",
				   "Share of dead tuples in a table that is a warning.",
				   &pga_dead_tuples_warning_pct, 20.0);
	pga_define_int("pg_architect.dead_tuples_min",
				   "Tables with fewer dead tuples than this are never reported.",
				   &pga_dead_tuples_min, 1000, 0, INT_MAX, 0);
	DefineCustomRealVariable("pg_architect.wraparound_warning_pct",
							 "Transaction ID or multixact age, in percent of its autovacuum freeze max age, that is a warning.",
							 NULL,
							 &pga_wraparound_warning_pct, 100.0, 0.0, 100000.0,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomRealVariable("pg_architect.wraparound_critical_pct",
							 "Transaction ID or multixact age, in percent of its autovacuum freeze max age, that is critical.",
							 NULL,
							 &pga_wraparound_critical_pct, 500.0, 0.0, 100000.0,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	pga_define_pct("pg_architect.sequence_warning_pct",
				   "Share of a sequence's range (or of its column type) used that is a warning.",
				   &pga_sequence_warning_pct, 75.0);
	pga_define_pct("pg_architect.sequence_critical_pct",
				   "Share of a sequence's range (or of its column type) used that is critical.",
				   &pga_sequence_critical_pct, 90.0);
	pga_define_pct("pg_architect.int4_pk_warning_pct",
				   "Share of the integer range used by an integer primary key that schema_advice reports.",
				   &pga_int4_pk_warning_pct, 50.0);

	/* activity */
	pga_define_pct("pg_architect.connections_warning_pct",
				   "Share of max_connections in use that is a warning.",
				   &pga_connections_warning_pct, 80.0);
	pga_define_pct("pg_architect.connections_critical_pct",
				   "Share of max_connections in use that is critical.",
				   &pga_connections_critical_pct, 95.0);
	pga_define_int("pg_architect.long_running_warning",
				   "Age of a running query or open transaction that is a warning.",
				   &pga_long_running_warning, 5 * 60 * 1000, 0, INT_MAX, GUC_UNIT_MS);
	pga_define_int("pg_architect.long_running_critical",
				   "Age of a running query or open transaction that is critical.",
				   &pga_long_running_critical, 60 * 60 * 1000, 0, INT_MAX, GUC_UNIT_MS);
	pga_define_int("pg_architect.idle_in_transaction_warning",
				   "Time a session may sit idle in a transaction before it is a warning.",
				   &pga_idle_in_transaction_warning, 60 * 1000, 0, INT_MAX, GUC_UNIT_MS);
	pga_define_int("pg_architect.idle_in_transaction_critical",
				   "Time a session may sit idle in a transaction before it is critical.",
				   &pga_idle_in_transaction_critical, 10 * 60 * 1000, 0, INT_MAX, GUC_UNIT_MS);
	pga_define_int("pg_architect.lock_wait_warning",
				   "Time a session may wait for a lock before it is a warning.",
				   &pga_lock_wait_warning, 10 * 1000, 0, INT_MAX, GUC_UNIT_MS);
	pga_define_int("pg_architect.lock_wait_critical",
				   "Time a session may wait for a lock before it is critical.",
				   &pga_lock_wait_critical, 5 * 60 * 1000, 0, INT_MAX, GUC_UNIT_MS);
	pga_define_pct("pg_architect.cache_hit_warning_pct",
				   "Buffer cache hit ratio below which it is a warning.",
				   &pga_cache_hit_warning_pct, 99.0);
	pga_define_pct("pg_architect.cache_hit_critical_pct",
				   "Buffer cache hit ratio below which it is critical.",
				   &pga_cache_hit_critical_pct, 90.0);
	pga_define_int("pg_architect.cache_hit_min_blocks",
				   "Blocks that must have been accessed before a hit ratio is judged.",
				   &pga_cache_hit_min_blocks, 10000, 0, INT_MAX, 0);
	pga_define_int("pg_architect.temp_file_warning",
				   "Temporary file data written per call of a query that is a warning.",
				   &pga_temp_file_warning, 10 * 1024, 0, INT_MAX, GUC_UNIT_KB);
	pga_define_pct("pg_architect.checkpoint_req_warning_pct",
				   "Share of checkpoints requested (not timed) that is a warning.",
				   &pga_checkpoint_req_warning_pct, 50.0);
	pga_define_int("pg_architect.checkpoint_min_count",
				   "Checkpoints that must have happened before their share is judged.",
				   &pga_checkpoint_min_count, 10, 0, INT_MAX, 0);
	pga_define_pct("pg_architect.rollback_warning_pct",
				   "Share of transactions rolled back in a database that is a warning.",
				   &pga_rollback_warning_pct, 5.0);
	pga_define_int("pg_architect.rollback_min_xacts",
				   "Transactions a database must have had before its rollback share is judged.",
				   &pga_rollback_min_xacts, 1000, 0, INT_MAX, 0);
	pga_define_int("pg_architect.deadlocks_warning",
				   "Deadlocks in a database since its statistics were reset that are a warning.",
				   &pga_deadlocks_warning, 1, 1, INT_MAX, 0);
	pga_define_int("pg_architect.replication_lag_warning",
				   "WAL a standby may lag behind (replay) before it is a warning.",
				   &pga_replication_lag_warning, 256, 0, INT_MAX, GUC_UNIT_MB);
	pga_define_int("pg_architect.replication_delay_warning",
				   "Time a standby may lag behind (replay) before it is a warning.",
				   &pga_replication_delay_warning, 60 * 1000, 0, INT_MAX, GUC_UNIT_MS);
	pga_define_int("pg_architect.slot_retained_warning",
				   "WAL a replication slot may retain before it is a warning.",
				   &pga_slot_retained_warning, 1024, 0, INT_MAX, GUC_UNIT_MB);
	pga_define_int("pg_architect.archive_pending_warning",
				   "WAL segments waiting to be archived that are a warning.",
				   &pga_archive_pending_warning, 10, 0, INT_MAX, 0);
	pga_define_int("pg_architect.slow_query_warning",
				   "Mean execution time of a query that is a warning.",
				   &pga_slow_query_warning, 100, 0, INT_MAX, GUC_UNIT_MS);
	pga_define_int("pg_architect.slow_query_critical",
				   "Mean execution time of a query that is critical.",
				   &pga_slow_query_critical, 1000, 0, INT_MAX, GUC_UNIT_MS);
	pga_define_int("pg_architect.slow_query_min_calls",
				   "Calls a query must have had before its mean time is judged.",
				   &pga_slow_query_min_calls, 10, 0, INT_MAX, 0);
	DefineCustomRealVariable("pg_architect.connection_churn_per_sec",
							 "New sessions per second above which a connection pooler is advised.",
							 NULL,
							 &pga_connection_churn_per_sec, 5.0, 0.0, 1000000.0,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	pga_define_pct("pg_architect.pooler_idle_pct",
				   "Share of idle connections above which a connection pooler is advised.",
				   &pga_pooler_idle_pct, 50.0);
	pga_define_int("pg_architect.pooler_min_connections",
				   "Connections there must be before their idle share is judged.",
				   &pga_pooler_min_connections, 20, 0, INT_MAX, 0);

	/* security */
	pga_define_int("pg_architect.password_max_age",
				   "Password expiry policy for login roles; 0 means no policy.",
				   &pga_password_max_age, 0, 0, INT_MAX, GUC_UNIT_MIN);
	DefineCustomStringVariable("pg_architect.tenant_column_pattern",
							   "Regular expression for column names that look like a tenant key.",
							   "Tables with such a column and no row-level security are reported by security_advice.",
							   &pga_tenant_column_pattern,
							   "^(tenant|tenant_id|org_id|organization_id|organisation_id|account_id|workspace_id)$",
							   PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("pg_architect.secret_column_pattern",
							   "Regular expression for column names that look like secrets.",
							   "Such columns stored as plain text are reported by security_advice.",
							   &pga_secret_column_pattern,
							   "(password|passwd|secret|token|api_?key|ssn|social_security)",
							   PGC_USERSET, 0, NULL, NULL, NULL);
}

/*
 * pga_guc_init
 *		Define every parameter and reserve the prefix.
 */
void
pga_guc_init(void)
{
	define_capture_gucs();
	define_advisor_gucs();
	define_whatif_gucs();
	define_advisor_fetch_gucs();
	define_indexer_gucs();
	define_guard_gucs();
	define_health_gucs();

	pga_reserve_guc_prefix("pg_architect");
}
