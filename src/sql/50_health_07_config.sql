-- Health, part 7: configuration advice.  For each setting that matters,
-- the value in force (for this session: SET overrides show), the value
-- recommended for this machine (architect.system_info(): memory less
-- pg_architect.reserved_memory, CPUs) and the kind of disk and workload
-- (pg_architect.disk_type, pg_architect.workload_type), and why; then the
-- settings the configuration files or ALTER DATABASE/ROLE still carry that
-- this PostgreSQL no longer knows.

CREATE FUNCTION architect.file_settings(
    OUT sourcefile text,
    OUT sourceline integer,
    OUT seqno integer,
    OUT name text,
    OUT setting text,
    OUT applied boolean,
    OUT error text)
RETURNS SETOF record
LANGUAGE C VOLATILE PARALLEL RESTRICTED STRICT
AS 'MODULE_PATHNAME', 'pga_file_settings';
COMMENT ON FUNCTION architect.file_settings() IS 'pg_file_settings when the caller may read it (superusers by default), otherwise no rows';

-- A byte count as a setting value ALTER SYSTEM accepts: 4GB, 512MB, 64kB.
CREATE FUNCTION architect.memory_setting(bytes numeric)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$
    SELECT CASE WHEN bytes >= 1073741824 AND bytes % 1073741824 = 0 THEN (bytes / 1073741824)::bigint || 'GB'
                WHEN bytes >= 1048576 THEN round(bytes / 1048576)::bigint || 'MB'
                WHEN bytes >= 1024 THEN round(bytes / 1024)::bigint || 'kB'
                ELSE round(bytes)::bigint || 'B' END
$$;
COMMENT ON FUNCTION architect.memory_setting(numeric) IS 'a size in bytes written as a setting value (GB, MB or kB)';

-- Settings PostgreSQL no longer has, with the version that removed them and
-- what replaced them.
CREATE FUNCTION architect.obsolete_settings(
    OUT name text,
    OUT removed_in text,
    OUT replacement text)
RETURNS SETOF record
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    VALUES ('checkpoint_segments', '9.5', 'max_wal_size and min_wal_size'),
           ('wal_keep_segments', '13', 'wal_keep_size'),
           ('stats_temp_directory', '15', 'nothing: statistics are kept in shared memory'),
           ('operator_precedence_warning', '14', 'nothing'),
           ('vacuum_cleanup_index_scale_factor', '14', 'nothing'),
           ('replacement_sort_tuples', '11', 'nothing'),
           ('min_parallel_relation_size', '10', 'min_parallel_table_scan_size'),
           ('sql_inheritance', '10', 'nothing: inheritance is always on'),
           ('default_with_oids', '12', 'nothing: tables no longer have OIDs'),
           ('standby_mode', '12', 'a standby.signal file in the data directory'),
           ('trigger_file', '12', 'promote_trigger_file'),
           ('max_fsm_pages', '8.4', 'nothing: the free space map is automatic'),
           ('max_fsm_relations', '8.4', 'nothing: the free space map is automatic'),
           ('add_missing_from', '9.0', 'nothing'),
           ('custom_variable_classes', '9.2', 'nothing: any prefix.name is accepted'),
           ('silent_mode', '9.2', 'pg_ctl start or your service manager'),
           ('unix_socket_directory', '9.3', 'unix_socket_directories'),
           ('ssl_renegotiation_limit', '9.5', 'nothing'),
           ('wal_sender_delay', '9.1', 'nothing'),
           ('autocommit', '7.4', 'nothing: the client decides')
$$;
COMMENT ON FUNCTION architect.obsolete_settings() IS 'settings removed from PostgreSQL, with the release that removed them and what replaces them';

CREATE VIEW architect.config_advice WITH (security_invoker = true) AS
WITH si AS (SELECT * FROM architect.system_info()),
cur AS (
    SELECT st.name, st.setting, st.unit, st.vartype, st.context, st.source,
           CASE WHEN st.vartype IN ('integer', 'real') THEN
                st.setting::numeric * CASE st.unit WHEN 'B' THEN 1 WHEN 'kB' THEN 1024 WHEN '8kB' THEN 8192
                                                   WHEN 'MB' THEN 1048576 WHEN '16MB' THEN 16777216 WHEN 'GB' THEN 1073741824
                                                   ELSE 1 END
           END AS value
      FROM pg_catalog.pg_settings st
),
v AS (
    SELECT (SELECT c.value FROM cur c WHERE c.name = 'max_connections') AS max_connections,
           (SELECT c.value FROM cur c WHERE c.name = 'shared_buffers') AS shared_buffers,
           si.usable_memory_bytes::numeric AS mem, si.cpus, si.disk_type, si.workload_type,
           -- a quarter of the memory, rounded to MB
           pg_catalog.round(si.usable_memory_bytes::numeric * 0.25 / 1048576) * 1048576 AS sb_rec
      FROM si
),
-- name, recommended value (bytes for memory), acceptable range as factors
-- of it (numeric settings) or NULL (exact text), severity when outside, why
rec AS (
    SELECT 'shared_buffers'::text AS name, v.sb_rec AS rec, NULL::text AS rec_text, 0.5 AS lo, 1.6 AS hi, 'warning' AS sev,
           '25 % of the memory available to PostgreSQL; the operating system cache holds the rest' AS reason, true AS memory
      FROM v
    UNION ALL
    SELECT 'effective_cache_size', pg_catalog.round(v.mem * 0.75 / 1048576) * 1048576, NULL, 0.5, 1.34, 'warning',
           '75 % of the memory: what shared buffers and the operating system cache can hold together; the planner prefers indexes when it is large', true
      FROM v
    UNION ALL
    SELECT 'work_mem',
           least(greatest(pg_catalog.round((v.mem - v.sb_rec) / (v.max_connections * 3)
                                           * CASE v.workload_type WHEN 'analytics' THEN 2 ELSE 1 END / 1048576) * 1048576,
                          4194304), 2147483648),
           NULL, 0.25, 4, 'warning',
           pg_catalog.format('(memory - shared_buffers) / (3 x max_connections %s)%s: each sort or hash of each query may use that much',
                  v.max_connections, CASE v.workload_type WHEN 'analytics' THEN ' x 2 for analytics' ELSE '' END), true
      FROM v
    UNION ALL
    SELECT 'maintenance_work_mem', least(pg_catalog.round(v.mem / 16 / 1048576) * 1048576, 2147483648), NULL, 0.25, 4, 'warning',
           'memory / 16, at most 2GB: faster VACUUM, CREATE INDEX and foreign key creation', true
      FROM v
    UNION ALL
    SELECT 'wal_buffers', least(16777216, greatest(65536, v.shared_buffers / 32)), NULL, 0.5, 8, 'info',
           '-1 (automatic: shared_buffers / 32, at most 16MB) suits nearly every server', true
      FROM v
    UNION ALL
    SELECT 'max_wal_size',
           CASE v.workload_type WHEN 'oltp' THEN 8589934592 WHEN 'analytics' THEN 17179869184 ELSE 4294967296 END,
           NULL, 0.5, 4, 'warning',
           'room for WAL between checkpoints, so that they are timed rather than forced by WAL volume (' || v.workload_type || ' workload)', true
      FROM v
    UNION ALL
    SELECT 'min_wal_size',
           CASE v.workload_type WHEN 'oltp' THEN 2147483648 WHEN 'analytics' THEN 4294967296 ELSE 1073741824 END,
           NULL, 0.25, 4, 'info',
           'WAL segments kept for reuse instead of created again (' || v.workload_type || ' workload)', true
      FROM v
    UNION ALL
    SELECT 'checkpoint_completion_target', 0.9, NULL, 0.77, 1.12, 'warning',
           'spread checkpoint writes over 90 % of the interval instead of bursts', false
      FROM v
    UNION ALL
    SELECT 'random_page_cost', CASE v.disk_type WHEN 'hdd' THEN 4.0 ELSE 1.1 END, NULL,
           CASE v.disk_type WHEN 'hdd' THEN 0.5 ELSE 0.5 END, CASE v.disk_type WHEN 'hdd' THEN 1.5 ELSE 1.8 END, 'warning',
           CASE v.disk_type WHEN 'hdd' THEN 'spinning disks: random reads cost about four sequential ones'
                ELSE 'on ' || v.disk_type || ' storage random reads cost about as much as sequential ones; a high value makes the planner avoid indexes' END, false
      FROM v
    UNION ALL
    SELECT 'effective_io_concurrency', CASE v.disk_type WHEN 'hdd' THEN 2 WHEN 'san' THEN 300 ELSE 200 END, NULL,
           0.25, 5, 'info',
           'concurrent reads bitmap heap scans issue (' || v.disk_type || ' storage)', false
      FROM v
    UNION ALL
    SELECT 'max_worker_processes', greatest(8, v.cpus), NULL, 1, 4, 'info',
           pg_catalog.format('at least one per CPU (%s) and 8: parallel queries, logical replication and extensions share them', v.cpus), false
      FROM v
    UNION ALL
    SELECT 'max_parallel_workers', v.cpus, NULL, 0.5, 2, 'info',
           pg_catalog.format('one per CPU (%s)', v.cpus), false
      FROM v
    UNION ALL
    SELECT 'max_parallel_workers_per_gather',
           CASE WHEN v.workload_type = 'analytics' THEN greatest(1, v.cpus / 2) ELSE least(4, greatest(1, v.cpus / 2)) END,
           NULL, 0.5, 2, 'info',
           pg_catalog.format('half the CPUs (%s)%s', v.cpus, CASE WHEN v.workload_type = 'analytics' THEN '' ELSE ', at most 4, so that one query cannot take them all' END), false
      FROM v
    UNION ALL
    SELECT 'max_parallel_maintenance_workers', least(4, greatest(1, v.cpus / 2)), NULL, 0.5, 2, 'info',
           'half the CPUs, at most 4: parallel CREATE INDEX and VACUUM', false
      FROM v
    UNION ALL
    SELECT 'default_statistics_target', CASE v.workload_type WHEN 'analytics' THEN 500 ELSE 100 END, NULL, 0.5, 10, 'info',
           CASE v.workload_type WHEN 'analytics' THEN 'larger samples for the complex predicates of analytic queries'
                ELSE 'the default is right for most tables; raise it per column where estimates are off' END, false
      FROM v
    UNION ALL
    SELECT 'track_io_timing', NULL, 'on', NULL, NULL, 'warning',
           'I/O times in EXPLAIN (ANALYZE, BUFFERS) and pg_stat_statements; cheap on current hardware (check with pg_test_timing)', false
      FROM v
    UNION ALL
    SELECT 'jit', NULL, CASE WHEN v.workload_type IN ('web', 'oltp') THEN 'off' ELSE 'on' END, NULL, NULL, 'info',
           CASE WHEN v.workload_type IN ('web', 'oltp') THEN 'JIT compilation costs more than it saves on short queries'
                ELSE 'JIT compilation pays off on long analytic queries' END, false
      FROM v
    UNION ALL
    SELECT 'autovacuum', NULL, 'on', NULL, NULL, 'critical',
           'without autovacuum dead tuples pile up, statistics go stale and transaction ID wraparound stops the server', false
      FROM v
),
a AS (
    SELECT r.*, c.setting, c.unit, c.value, c.context, c.source,
           CASE WHEN r.rec_text IS NOT NULL THEN c.setting <> r.rec_text
                ELSE c.value < r.rec * r.lo OR c.value > r.rec * r.hi END AS change,
           coalesce(r.rec_text, CASE WHEN r.memory THEN architect.memory_setting(r.rec) ELSE pg_catalog.round(r.rec, 2)::float8::text END) AS rec_setting,
           CASE WHEN r.memory THEN architect.memory_setting(c.value)
                ELSE pg_catalog.current_setting(r.name) END AS cur_setting
      FROM rec r JOIN cur c ON c.name = r.name
)
SELECT 'config'::text AS check,
       a.name AS object,
       CASE WHEN a.change THEN a.sev ELSE 'info' END AS severity,
       a.cur_setting AS value,
       a.rec_setting AS threshold,
       a.reason || CASE WHEN a.source = 'session' THEN ' (the current value was SET in this session)' ELSE '' END AS detail,
       CASE WHEN a.change THEN pg_catalog.format('ALTER SYSTEM SET %s = %L;', a.name, a.rec_setting)
                 || CASE WHEN a.context = 'postmaster' THEN ' -- then restart' ELSE ' SELECT pg_reload_conf();' END
       END AS action,
       NULL::timestamptz AS evidence_since,
       a.name AS setting_name,
       a.cur_setting AS current_value,
       a.rec_setting AS recommended_value,
       CASE WHEN a.change THEN 'change' ELSE 'ok' END AS status,
       a.context = 'postmaster' AS needs_restart,
       a.source
  FROM a
UNION ALL
-- settings the configuration files name that this PostgreSQL rejects
SELECT CASE WHEN o.name IS NOT NULL THEN 'obsolete_setting' ELSE 'config_file_error' END,
       f.name,
       'warning',
       pg_catalog.format('%s = %s', f.name, f.setting),
       NULL,
       CASE WHEN o.name IS NOT NULL
            THEN pg_catalog.format('%s line %s sets %s, removed in PostgreSQL %s; use %s', f.sourcefile, f.sourceline,
                        f.name, o.removed_in, o.replacement)
            ELSE pg_catalog.format('%s line %s: %s', f.sourcefile, f.sourceline, f.error) END,
       pg_catalog.format('remove line %s of %s, then SELECT pg_reload_conf();', f.sourceline, f.sourcefile),
       NULL, f.name, f.setting, NULL, 'change', false, 'configuration file'
  FROM architect.file_settings() f
  LEFT JOIN architect.obsolete_settings() o ON o.name = f.name
 WHERE f.error IS NOT NULL OR o.name IS NOT NULL
UNION ALL
-- and those ALTER DATABASE / ALTER ROLE left behind
SELECT 'obsolete_setting', o.name, 'warning',
       pg_catalog.format('%s = %s', o.name, split_part(cfg.item, '=', 2)),
       NULL,
       pg_catalog.format('set by ALTER %s; removed in PostgreSQL %s; use %s',
              CASE WHEN r.rolname IS NULL THEN pg_catalog.format('DATABASE %I', d.datname)
                   WHEN d.datname IS NULL THEN pg_catalog.format('ROLE %I', r.rolname)
                   ELSE pg_catalog.format('ROLE %I IN DATABASE %I', r.rolname, d.datname) END,
              o.removed_in, o.replacement),
       CASE WHEN r.rolname IS NULL THEN pg_catalog.format('ALTER DATABASE %I RESET ALL; -- then set the others again', d.datname)
            WHEN d.datname IS NULL THEN pg_catalog.format('ALTER ROLE %I RESET ALL; -- then set the others again', r.rolname)
            ELSE pg_catalog.format('ALTER ROLE %I IN DATABASE %I RESET ALL;', r.rolname, d.datname) END,
       NULL, o.name, split_part(cfg.item, '=', 2), NULL, 'change', false, 'ALTER DATABASE/ROLE'
  FROM pg_catalog.pg_db_role_setting s
  CROSS JOIN LATERAL pg_catalog.unnest(s.setconfig) cfg(item)
  JOIN architect.obsolete_settings() o ON o.name = split_part(cfg.item, '=', 1)
  LEFT JOIN pg_catalog.pg_database d ON d.oid = s.setdatabase
  LEFT JOIN pg_catalog.pg_roles r ON r.oid = s.setrole;
COMMENT ON VIEW architect.config_advice IS 'each relevant setting: value in force, value recommended for this machine and workload, why; and obsolete settings still configured';

-- The views filter what each role may see themselves (security_invoker).
GRANT SELECT ON architect.config_advice TO PUBLIC;
