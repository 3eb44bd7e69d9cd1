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

#endif							/* PGA_GUC_H */
