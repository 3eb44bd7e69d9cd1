/*-------------------------------------------------------------------------
 *
 * sysinfo.c
 *	  Machine facts for configuration advice: memory and CPUs.
 *
 * config_advice recommends settings from the memory and the CPUs the server
 * may really use, which inside a container are often far less than the
 * machine has.  architect.system_info() reports, for each, what the
 * operating system says, what the control group allows, and the value
 * pg_architect plans with:
 *
 *	memory: sysconf(_SC_PHYS_PAGES) * page size (or MemTotal from
 *			/proc/meminfo when sysconf cannot tell), capped by the cgroup v2
 *			memory.max or the cgroup v1 memory.limit_in_bytes of the server's
 *			own control group;
 *	CPUs:	sysconf(_SC_NPROCESSORS_ONLN), capped by the CPU affinity mask
 *			(sched_getaffinity) and by the cgroup v2 cpu.max or v1
 *			cpu.cfs_quota_us / cpu.cfs_period_us quota, rounded up.
 *
 * pg_architect.system_memory and pg_architect.system_cpus override the
 * detected values (0 = detect), pg_architect.reserved_memory is taken off
 * the memory for software that shares the machine.
 *
 * The files are read on each call: they are tiny, and a container's limits
 * can change while the server runs.  Nothing here touches shared state, so
 * there are no locks to take.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>
#include <sched.h>
#include <unistd.h>

#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"

#include "guc.h"
#include "pg_architect.h"
#include "sysinfo.h"

PG_FUNCTION_INFO_V1(pga_system_info);

/*
 * pga_read_line
 *		Read the first line of a small file into buf; false when the file
 *		cannot be read.
 */
static bool
pga_read_line(const char *path, char *buf, size_t len)
{
	FILE	   *f = fopen(path, "r");
	bool		ok;

	if (f == NULL)
		return false;
	ok = (fgets(buf, len, f) != NULL);
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

/*
 * pga_cgroup_path
 *		The server's own control group, from /proc/self/cgroup: the path of
 *		the unified (v2) hierarchy, or that of the v1 controller named by
 *		"controller".  Empty when unknown.
 */
static void
pga_cgroup_path(const char *controller, char *out, size_t len)
{
	FILE	   *f = fopen("/proc/self/cgroup", "r");
	char		line[1024];

	out[0] = '\0';
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL)
	{
		char	   *ctrls = strchr(line, ':');
		char	   *path;

		if (ctrls == NULL)
			continue;
		ctrls++;
		path = strchr(ctrls, ':');
		if (path == NULL)
			continue;
		*path++ = '\0';
		path[strcspn(path, "\n")] = '\0';

		if (controller == NULL ? ctrls[0] == '\0' :
			strstr(ctrls, controller) != NULL)
		{
			strlcpy(out, strcmp(path, "/") == 0 ? "" : path, len);
			break;
		}
	}
	fclose(f);
}

/*
 * pga_read_cgroup_file
 *		Read a control-group file, first under the server's own group, then
 *		at the root of the hierarchy (what a container usually sees).
 */
static bool
pga_read_cgroup_file(const char *root, const char *controller,
					 const char *file, char *buf, size_t len)
{
	char		group[1024];
	char		path[MAXPGPATH];

	pga_cgroup_path(controller, group, sizeof(group));
	if (group[0] != '\0')
	{
		snprintf(path, sizeof(path), "%s%s/%s", root, group, file);
		if (pga_read_line(path, buf, len))
			return true;
	}
	snprintf(path, sizeof(path), "%s/%s", root, file);
	return pga_read_line(path, buf, len);
}

/*
 * pga_physical_memory
 *		Bytes of RAM the operating system reports; 0 when unknown.
 */
static int64
pga_physical_memory(void)
{
	long		pages = sysconf(_SC_PHYS_PAGES);
	long		pagesize = sysconf(_SC_PAGESIZE);
	FILE	   *f;
	char		line[256];
	int64		kb = 0;

	if (pages > 0 && pagesize > 0)
		return (int64) pages * pagesize;

	f = fopen("/proc/meminfo", "r");
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
	{
		if (sscanf(line, "MemTotal: " INT64_FORMAT " kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb * 1024;
}

/*
 * pga_cgroup_memory_limit
 *		The control group's memory limit in bytes, 0 when there is none.
 */
static int64
pga_cgroup_memory_limit(const char **source)
{
	char		buf[128];
	int64		limit;

	if (pga_read_cgroup_file("/sys/fs/cgroup", NULL, "memory.max",
							 buf, sizeof(buf)))
	{
		if (strcmp(buf, "max") != 0 &&
			sscanf(buf, INT64_FORMAT, &limit) == 1 && limit > 0)
		{
			*source = "cgroup v2 memory.max";
			return limit;
		}
		return 0;
	}
	if (pga_read_cgroup_file("/sys/fs/cgroup/memory", "memory",
							 "memory.limit_in_bytes", buf, sizeof(buf)) &&
		sscanf(buf, INT64_FORMAT, &limit) == 1 && limit > 0 &&
		limit < (INT64CONST(1) << 60))	/* "unlimited" is a huge number */
	{
		*source = "cgroup v1 memory.limit_in_bytes";
		return limit;
	}
	return 0;
}

/*
 * pga_cgroup_cpu_limit
 *		The control group's CPU quota in CPUs (quota / period), 0 when there
 *		is none.
 */
static double
pga_cgroup_cpu_limit(const char **source)
{
	char		buf[128];
	int64		quota,
				period;

	if (pga_read_cgroup_file("/sys/fs/cgroup", NULL, "cpu.max",
							 buf, sizeof(buf)))
	{
		if (sscanf(buf, INT64_FORMAT " " INT64_FORMAT, &quota, &period) == 2 &&
			quota > 0 && period > 0)
		{
			*source = "cgroup v2 cpu.max";
			return (double) quota / period;
		}
		return 0;
	}
	if (pga_read_cgroup_file("/sys/fs/cgroup/cpu", "cpu", "cpu.cfs_quota_us",
							 buf, sizeof(buf)) &&
		sscanf(buf, INT64_FORMAT, &quota) == 1 && quota > 0 &&
		pga_read_cgroup_file("/sys/fs/cgroup/cpu", "cpu", "cpu.cfs_period_us",
							 buf, sizeof(buf)) &&
		sscanf(buf, INT64_FORMAT, &period) == 1 && period > 0)
	{
		*source = "cgroup v1 cpu.cfs_quota_us";
		return (double) quota / period;
	}
	return 0;
}

/*
 * pga_sysinfo_get
 *		Fill *info with the machine facts and the values to plan with.
 */
void
pga_sysinfo_get(PgaSysInfo *info)
{
	const char *mem_source = "operating system";
	const char *cpu_source = "operating system";
	int64		memory;
	int			cpus;
	long		online;
#ifdef CPU_COUNT
	cpu_set_t	mask;
#endif

	memset(info, 0, sizeof(*info));

	info->physical_memory = pga_physical_memory();
	info->cgroup_memory_limit = pga_cgroup_memory_limit(&mem_source);
	memory = info->physical_memory;
	if (info->cgroup_memory_limit > 0 &&
		(memory == 0 || info->cgroup_memory_limit < memory))
		memory = info->cgroup_memory_limit;
	else
		mem_source = "operating system";

	online = sysconf(_SC_NPROCESSORS_ONLN);
	info->online_cpus = online > 0 ? (int) online : 1;
	cpus = info->online_cpus;
#ifdef CPU_COUNT
	if (sched_getaffinity(0, sizeof(mask), &mask) == 0)
	{
		info->affinity_cpus = CPU_COUNT(&mask);
		if (info->affinity_cpus > 0 && info->affinity_cpus < cpus)
		{
			cpus = info->affinity_cpus;
			cpu_source = "CPU affinity mask";
		}
	}
#endif
	{
		const char *quota_source = NULL;

		info->cgroup_cpu_limit = pga_cgroup_cpu_limit(&quota_source);
		if (info->cgroup_cpu_limit > 0 &&
			(int) ceil(info->cgroup_cpu_limit) < cpus)
		{
			cpus = (int) ceil(info->cgroup_cpu_limit);
			cpu_source = quota_source;
		}
	}

	if (pga_system_memory_mb > 0)
	{
		memory = (int64) pga_system_memory_mb * 1024 * 1024;
		mem_source = "pg_architect.system_memory";
	}
	if (pga_system_cpus > 0)
	{
		cpus = pga_system_cpus;
		cpu_source = "pg_architect.system_cpus";
	}

	info->memory = memory;
	info->memory_source = mem_source;
	info->reserved_memory = (int64) pga_reserved_memory_mb * 1024 * 1024;
	info->usable_memory = Max(memory - info->reserved_memory, 0);
	info->cpus = Max(cpus, 1);
	info->cpu_source = cpu_source;
}

/*
 * architect.system_info()
 *		One row: the machine facts and the values config_advice plans with.
 */
Datum
pga_system_info(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	PgaSysInfo	info;
	Datum		values[12];
	bool		nulls[12];
	static const char *const disk_names[] = {"ssd", "hdd", "san"};
	static const char *const workload_names[] = {"web", "oltp", "mixed", "analytics"};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	if (tupdesc->natts != lengthof(values))
		elog(ERROR, "architect.system_info() returns %d columns, expected %d",
			 tupdesc->natts, (int) lengthof(values));

	pga_sysinfo_get(&info);
	memset(nulls, 0, sizeof(nulls));

	values[0] = Int64GetDatum(info.memory);
	values[1] = CStringGetTextDatum(info.memory_source);
	values[2] = Int64GetDatum(info.reserved_memory);
	values[3] = Int64GetDatum(info.usable_memory);
	values[4] = Int32GetDatum(info.cpus);
	values[5] = CStringGetTextDatum(info.cpu_source);
	values[6] = Int64GetDatum(info.physical_memory);
	nulls[6] = (info.physical_memory == 0);
	values[7] = Int64GetDatum(info.cgroup_memory_limit);
	nulls[7] = (info.cgroup_memory_limit == 0);
	values[8] = Int32GetDatum(info.online_cpus);
	values[9] = Float8GetDatum(info.cgroup_cpu_limit);
	nulls[9] = (info.cgroup_cpu_limit == 0);
	values[10] = CStringGetTextDatum(disk_names[pga_disk_type]);
	values[11] = CStringGetTextDatum(workload_names[pga_workload_type]);

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc),
													  values, nulls)));
}
