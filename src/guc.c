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
#include "pg_architect.h"

/* capture */
bool		pga_capture_enabled = true;
int			pga_max_entries = 5000;
double		pga_sample_rate = 0.01;

/* indexer */
int			pga_max_index_jobs = 8;
int			pga_index_lock_timeout = 5000;
int			pga_index_retries = 3;
int			pga_index_retry_delay = 1000;
int			pga_index_cleanup_timeout = 60000;
int			pga_verify_queries = 20;
int			pga_max_builds_per_run = 1;

/*
 * Workload capture (capture.c, store.c).
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
							INT_MAX / 2,
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
}

/*
 * Index advisor (whatif.c, advisor.c).
 */
static void
define_advisor_gucs(void)
{
}

/*
 * Index builds (indexer.c).
 */
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
 * Guards (audit.c, touch.c).
 */
static void
define_guard_gucs(void)
{
}

/*
 * Health checks (sysinfo.c and the health views).
 */
static void
define_health_gucs(void)
{
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
	define_indexer_gucs();
	define_guard_gucs();
	define_health_gucs();

	pga_reserve_guc_prefix("pg_architect");
}
