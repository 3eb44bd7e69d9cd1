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
