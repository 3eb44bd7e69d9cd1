-- Health: machine facts, thresholds and configuration advice.
SET client_min_messages = warning;

-- The machine as the operating system and the cgroups tell it...
SELECT memory_bytes > 0 AS has_memory, cpus >= 1 AS has_cpus,
       memory_source IN ('operating system', 'cgroup v2 memory.max', 'cgroup v1 memory.limit_in_bytes') AS detected,
       usable_memory_bytes = memory_bytes AS nothing_reserved,
       disk_type, workload_type
  FROM architect.system_info();
-- ...or as the settings state it.
SET pg_architect.system_memory = '8GB';
SET pg_architect.system_cpus = 4;
SET pg_architect.reserved_memory = '1GB';
SELECT memory_bytes, memory_source, reserved_memory_bytes, usable_memory_bytes, cpus, cpu_source
  FROM architect.system_info();
RESET pg_architect.reserved_memory;
-- bad values are refused
SET pg_architect.system_memory = -1;
SET pg_architect.disk_type = 'floppy';
SET pg_architect.workload_type = 'batch';

-- The thresholds, with their units, and in the units the views use.
SELECT name, setting, unit FROM architect.thresholds
 WHERE name IN ('unused_index_min_age', 'bloat_min_size', 'long_running_warning', 'disk_type') ORDER BY name;
SELECT unused_index_min_age, bloat_min_size, long_running_warning, temp_file_warning, disk_type
  FROM architect.health_settings();
SET pg_architect.long_running_warning = '2min';
SELECT long_running_warning FROM architect.health_settings();
RESET pg_architect.long_running_warning;

-- On an 8GB, 4-CPU machine with SSDs the defaults of a fresh cluster are
-- too small in places, and the findings say what to set.
SELECT object, severity, value, threshold, status, action
  FROM architect.config_advice WHERE "check" = 'config' ORDER BY object;

-- A bad setting: random_page_cost for spinning disks on SSD storage, JIT
-- for a web workload.
SET random_page_cost = 4;
SET pg_architect.workload_type = 'web';
SELECT object, severity, value, threshold, detail FROM architect.config_advice
 WHERE object IN ('random_page_cost', 'jit', 'max_wal_size') ORDER BY object;
-- fixed: the right values (or the disks they are right for)
SET random_page_cost = 1.1;
SET jit = off;
SELECT object, severity, status FROM architect.config_advice
 WHERE object IN ('random_page_cost', 'jit') ORDER BY object;
SET random_page_cost = 4;
SET pg_architect.disk_type = 'hdd';
SELECT object, severity, status, threshold FROM architect.config_advice
 WHERE object IN ('random_page_cost', 'effective_io_concurrency') ORDER BY object;
RESET random_page_cost;
RESET jit;
RESET pg_architect.disk_type;
RESET pg_architect.workload_type;

-- A small machine: 512MB make 128MB of shared_buffers right.
SET pg_architect.system_memory = '512MB';
SELECT object, severity, value, threshold, status FROM architect.config_advice
 WHERE object IN ('shared_buffers', 'maintenance_work_mem') ORDER BY object;
-- analytics wants bigger statistics targets and more memory per sort
SET pg_architect.workload_type = 'analytics';
SET pg_architect.system_memory = '64GB';
SELECT object, threshold FROM architect.config_advice
 WHERE object IN ('default_statistics_target', 'max_wal_size', 'work_mem', 'max_parallel_workers_per_gather') ORDER BY object;
RESET pg_architect.workload_type;
RESET pg_architect.system_memory;
RESET pg_architect.system_cpus;

-- Obsolete settings: pg_architect knows what was removed and what replaced it.
SELECT name, removed_in, replacement FROM architect.obsolete_settings()
 WHERE name IN ('checkpoint_segments', 'wal_keep_segments', 'stats_temp_directory') ORDER BY name;
-- nothing obsolete is configured in this cluster
SELECT count(*) AS obsolete FROM architect.config_advice WHERE "check" IN ('obsolete_setting', 'config_file_error');
-- the configuration files are read only by those who may
CREATE ROLE health_cfg_user;
SET ROLE health_cfg_user;
SELECT count(*) AS visible_file_settings FROM architect.file_settings();
SELECT count(*) > 10 AS advice_rows FROM architect.config_advice;
RESET ROLE;
SELECT count(*) > 0 AS superuser_sees_files FROM architect.file_settings();
DROP ROLE health_cfg_user;

-- Helpers.
SELECT architect.memory_setting(4294967296), architect.memory_setting(1610612736),
       architect.memory_setting(1048576), architect.memory_setting(100);
SELECT architect.age_text(interval '3 days 4 hours'), architect.age_text(interval '5 hours'),
       architect.age_text(interval '90 seconds'), architect.age_text(interval '61 seconds'),
       architect.age_text(interval '2.5 seconds'), architect.age_text(interval '15 ms'),
       architect.age_text(interval '0'), architect.age_text(NULL);
SELECT architect.severity_rank('critical'), architect.severity_rank('warning'),
       architect.severity_rank('info'), architect.severity_rank('bogus');
-- NULL stays NULL (as when the function was STRICT)
SELECT architect.severity_rank(NULL) IS NULL AS null_rank;
-- findings, alerts and report() order tens of thousands of rows by it: the
-- planner must inline it (a CASE in the plan) rather than call a SQL
-- function per row
CREATE FUNCTION pg_temp.plan_lines(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE 'EXPLAIN (COSTS OFF, VERBOSE) ' || q;
END $$;
SELECT bool_or(l LIKE '%CASE WHEN%') AS inlined, NOT bool_or(l LIKE '%severity_rank%') AS no_function_call
  FROM pg_temp.plan_lines($$SELECT architect.severity_rank(v.s) FROM (VALUES ('warning'), ('info')) v(s)$$) l;
