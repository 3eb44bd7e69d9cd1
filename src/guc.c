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
