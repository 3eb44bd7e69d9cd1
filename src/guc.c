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

/* advisor */
double		pga_min_improvement = 20.0;
double		pga_max_regression = 10.0;
int			pga_max_whatif_calls = 20000;
int			pga_max_workload_queries = 1000;
int			pga_max_index_columns = 4;
double		pga_partial_selectivity = 0.2;
double		pga_write_cost_factor = 1.0;
int			pga_advisor_strategy = PGA_STRATEGY_WORKLOAD;

static const struct config_enum_entry pga_strategy_options[] = {
	{"workload", PGA_STRATEGY_WORKLOAD, false},
	{"single_query", PGA_STRATEGY_SINGLE_QUERY, false},
	{NULL, 0, false}
};

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
 * Index advisor (hypo.c, whatif.c, candidates.c, advisor.c).
 */
static void
define_advisor_gucs(void)
{
	DefineCustomRealVariable("pg_architect.min_improvement",
							 "Smallest estimated gain, in percent, on the queries an index serves for it to be recommended.",
							 "The gain is the drop in the planner's estimated cost of the queries whose plans use the index, weighted by their executions.",
							 &pga_min_improvement,
							 20.0,
							 0.0,
							 100.0,
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
}

/*
 * Index builds (indexer.c).
 */
static void
define_indexer_gucs(void)
{
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
