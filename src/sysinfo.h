/*-------------------------------------------------------------------------
 *
 * sysinfo.h
 *	  Machine facts (memory, CPUs) for configuration advice.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGA_SYSINFO_H
#define PGA_SYSINFO_H

typedef struct PgaSysInfo
{
	int64		memory;			/* bytes to plan with (override or detected) */
	const char *memory_source;	/* where "memory" comes from */
	int64		reserved_memory;	/* pg_architect.reserved_memory, bytes */
	int64		usable_memory;	/* memory - reserved_memory */
	int			cpus;			/* CPUs to plan with */
	const char *cpu_source;		/* where "cpus" comes from */
	int64		physical_memory;	/* RAM the OS reports, 0 if unknown */
	int64		cgroup_memory_limit;	/* cgroup limit, 0 if none */
	int			online_cpus;	/* sysconf(_SC_NPROCESSORS_ONLN) */
	int			affinity_cpus;	/* CPUs in the affinity mask, 0 if unknown */
	double		cgroup_cpu_limit;	/* cgroup quota in CPUs, 0 if none */
} PgaSysInfo;

extern void pga_sysinfo_get(PgaSysInfo *info);

#endif							/* PGA_SYSINFO_H */
