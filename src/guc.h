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

/* indexer */
extern int	pga_max_index_jobs;		/* pg_architect.max_index_jobs */
extern int	pga_index_lock_timeout; /* pg_architect.index_lock_timeout */
extern int	pga_index_retries;		/* pg_architect.index_retries */
extern int	pga_index_retry_delay;	/* pg_architect.index_retry_delay */
extern int	pga_index_cleanup_timeout;	/* pg_architect.index_cleanup_timeout */
extern int	pga_verify_queries;		/* pg_architect.verify_queries */
extern int	pga_max_builds_per_run; /* pg_architect.max_builds_per_run */

#endif							/* PGA_GUC_H */
