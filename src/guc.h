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

/* advisor */
typedef enum PgaAdvisorStrategy
{
	PGA_STRATEGY_WORKLOAD,		/* whole-workload selection (the default) */
	PGA_STRATEGY_SINGLE_QUERY	/* each query's best index, for comparison */
} PgaAdvisorStrategy;

extern double pga_min_improvement;	/* pg_architect.min_improvement */
extern double pga_max_regression;	/* pg_architect.max_regression */
extern int	pga_max_whatif_calls;	/* pg_architect.max_whatif_calls */
extern int	pga_max_workload_queries;	/* pg_architect.max_workload_queries */
extern int	pga_max_index_columns;	/* pg_architect.max_index_columns */
extern double pga_partial_selectivity;	/* pg_architect.partial_index_selectivity */
extern double pga_write_cost_factor;	/* pg_architect.write_cost_factor */
extern int	pga_advisor_strategy;	/* pg_architect.advisor_strategy */

#endif							/* PGA_GUC_H */
