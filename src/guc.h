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

/* guards */
#define PGA_AUDIT_PERIOD_DAY	0
#define PGA_AUDIT_PERIOD_WEEK	1
#define PGA_AUDIT_PERIOD_MONTH	2
extern char *pga_audit_user_setting;	/* pg_architect.audit_user_setting */
extern int	pga_audit_partition_period; /* pg_architect.audit_partition_period */
extern int	pga_audit_partitions_ahead; /* pg_architect.audit_partitions_ahead */
extern bool pga_hard_delete;		/* pg_architect.hard_delete */
extern int	pga_guard_lock_timeout; /* pg_architect.guard_lock_timeout */

#endif							/* PGA_GUC_H */
