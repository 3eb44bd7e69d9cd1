-- Health, part 6: queries (pg_stat_statements, joined with capture's plan
-- findings when the capture module is installed), replication on primary
-- and standby, archiving and point-in-time recovery.

-- Queries by total time, all databases, top-level statements only.  Other
-- users' query texts show only to roles with pg_read_all_stats.
CREATE VIEW architect.top_queries WITH (security_invoker = true) AS
WITH since AS (
    -- once per query, not once per row: statements_reset() queries
    -- pg_stat_statements_info (being volatile, the CTE is not inlined)
    SELECT coalesce(architect.statements_reset(), pg_catalog.pg_postmaster_start_time()) AS since
),
q AS (
    SELECT q.*, d.datname, r.rolname,
           sum(q.total_exec_ms) OVER () AS all_ms
      FROM architect.statements(true) q
      LEFT JOIN pg_catalog.pg_database d ON d.oid = q.dbid
      LEFT JOIN pg_catalog.pg_roles r ON r.oid = q.userid
     WHERE q.toplevel
)
SELECT 'top_query'::text AS check,
       'query ' || coalesce(q.queryid::text, '?') AS object,
       coalesce(f.worst_severity, 'info') AS severity,
       round(q.total_exec_ms::numeric) || ' ms total, ' || q.calls || ' calls, '
         || round(q.mean_exec_ms::numeric, 2) || ' ms mean' AS value,
       NULL::text AS threshold,
       left(pg_catalog.regexp_replace(q.query, '\s+', ' ', 'g'), 200)
         || coalesce(' -- plan findings: ' || f.findings, '') AS detail,
       CASE WHEN f.findings IS NOT NULL
            THEN pg_catalog.format('SELECT * FROM architect.plan_findings WHERE queryid = %s;', q.queryid) END AS action,
       since.since AS evidence_since,
       q.datname::text AS database,
       q.rolname::text AS username,
       q.queryid,
       q.calls,
       q.total_exec_ms,
       q.mean_exec_ms,
       q.rows,
       round((100 * q.shared_blks_hit / nullif(q.shared_blks_hit + q.shared_blks_read, 0))::numeric, 2)::float8 AS cache_hit_pct,
       q.temp_blks_written,
       q.io_ms,
       round((100 * q.total_exec_ms / nullif(q.all_ms, 0))::numeric, 2)::float8 AS pct_of_total_time,
       q.query,
       coalesce(f.finding_count, 0) AS finding_count,
       f.findings
  FROM q
 CROSS JOIN since
  LEFT JOIN architect.plan_findings_summary() f ON f.dbid = q.dbid AND f.queryid = q.queryid
 ORDER BY q.total_exec_ms DESC;
COMMENT ON VIEW architect.top_queries IS 'pg_stat_statements by total time (all databases, top-level statements), with cache hit per query and capture''s plan findings';

-- Queries whose mean time is above pg_architect.slow_query_warning once
-- they ran pg_architect.slow_query_min_calls times; one info row when
-- pg_stat_statements is not available, so that the gap shows.
CREATE VIEW architect.slow_queries WITH (security_invoker = true) AS
WITH s AS (SELECT h.*, architect.stats_since() AS since FROM architect.health_settings() h)
SELECT 'slow_query'::text AS check,
       t.object,
       CASE WHEN t.mean_exec_ms >= s.slow_query_critical THEN 'critical' ELSE 'warning' END AS severity,
       round(t.mean_exec_ms::numeric, 1) || ' ms mean over ' || t.calls || ' calls' AS value,
       s.slow_query_warning || ' ms mean' AS threshold,
       t.detail,
       coalesce(t.action, 'SELECT * FROM architect.recommend_indexes(); -- and EXPLAIN (ANALYZE, BUFFERS) the query') AS action,
       t.evidence_since,
       t.database, t.username, t.queryid, t.calls, t.total_exec_ms, t.mean_exec_ms, t.query, t.findings
  FROM architect.top_queries t CROSS JOIN s
 WHERE t.mean_exec_ms >= s.slow_query_warning AND t.calls >= s.slow_query_min_calls
UNION ALL
SELECT 'slow_query', 'pg_stat_statements', 'info', 'not available', NULL,
       'pg_stat_statements is not installed in this database or not loaded: query checks are off',
       'add pg_stat_statements to shared_preload_libraries (restart), then CREATE EXTENSION pg_stat_statements;',
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
 WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_stat_statements')
    OR pg_catalog.current_setting('pg_stat_statements.max', true) IS NULL;
COMMENT ON VIEW architect.slow_queries IS 'queries whose mean execution time is above pg_architect.slow_query_warning';

-- Replication, on a primary: each standby's lag, each slot's retained WAL;
-- on a standby: its own receive and replay lag.
CREATE VIEW architect.replication WITH (security_invoker = true) AS
WITH s AS (SELECT * FROM architect.health_settings()),
me AS (
    SELECT pg_catalog.pg_is_in_recovery() AS standby,
           CASE WHEN pg_catalog.pg_is_in_recovery() THEN pg_catalog.pg_last_wal_receive_lsn()
                ELSE pg_catalog.pg_current_wal_lsn() END AS lsn
),
replicas AS (
    SELECT r.pid, r.application_name, r.client_addr, r.state, r.sync_state,
           pg_catalog.pg_wal_lsn_diff(me.lsn, r.sent_lsn)::bigint AS sent_lag,
           pg_catalog.pg_wal_lsn_diff(me.lsn, r.flush_lsn)::bigint AS flush_lag,
           pg_catalog.pg_wal_lsn_diff(me.lsn, r.replay_lsn)::bigint AS replay_lag,
           r.replay_lag AS replay_delay
      FROM pg_catalog.pg_stat_replication r CROSS JOIN me
),
slots AS (
    SELECT sl.slot_name, sl.slot_type, sl.active, sl.wal_status, sl.database,
           pg_catalog.pg_wal_lsn_diff(me.lsn, sl.restart_lsn)::bigint AS retained
      FROM pg_catalog.pg_replication_slots sl CROSS JOIN me
),
standby AS (
    SELECT pg_catalog.pg_last_wal_receive_lsn() AS received, pg_catalog.pg_last_wal_replay_lsn() AS replayed,
           pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_last_wal_receive_lsn(), pg_catalog.pg_last_wal_replay_lsn())::bigint AS replay_lag,
           CASE WHEN pg_catalog.pg_last_wal_receive_lsn() = pg_catalog.pg_last_wal_replay_lsn() THEN interval '0'
                ELSE pg_catalog.now() - pg_catalog.pg_last_xact_replay_timestamp() END AS replay_delay,
           pg_catalog.pg_get_wal_replay_pause_state() AS pause_state,
           (SELECT w.status FROM pg_catalog.pg_stat_wal_receiver w) AS receiver_status,
           (SELECT w.sender_host FROM pg_catalog.pg_stat_wal_receiver w) AS sender_host
      FROM me WHERE me.standby
),
f AS (
    SELECT 'replica_lag'::text AS check,
           pg_catalog.format('standby %s', coalesce(nullif(r.application_name, ''), r.client_addr::text, 'pid ' || r.pid)) AS object,
           CASE WHEN r.replay_lag >= s.replication_lag_warning
                  OR r.replay_delay >= s.replication_delay_warning * interval '1 ms'
                  OR r.state <> 'streaming' THEN 'warning' ELSE 'info' END AS severity,
           pg_catalog.pg_size_pretty(r.replay_lag) || ' behind in replay' || coalesce(' (' || architect.age_text(r.replay_delay) || ')', '') AS value,
           pg_catalog.pg_size_pretty(s.replication_lag_warning::bigint) || ' or ' || architect.age_text(s.replication_delay_warning * interval '1 ms') AS threshold,
           pg_catalog.format('%s, %s; sent %s behind, flushed %s behind', r.state, r.sync_state,
                  pg_catalog.pg_size_pretty(r.sent_lag), pg_catalog.pg_size_pretty(r.flush_lag)) AS detail,
           CASE WHEN r.replay_lag >= s.replication_lag_warning OR r.replay_delay >= s.replication_delay_warning * interval '1 ms'
                THEN 'on the standby: look for long queries delaying replay (max_standby_streaming_delay), a paused replay, or a saturated disk or network' END AS action,
           'primary'::text AS role, r.application_name, r.client_addr::text AS client_addr, r.state, r.sync_state,
           NULL::text AS slot_name, NULL::boolean AS slot_active, r.replay_lag AS lag_bytes, r.replay_delay AS lag_time,
           NULL::bigint AS retained_bytes
      FROM replicas r CROSS JOIN s
    UNION ALL
    SELECT 'replication_slot',
           pg_catalog.format('slot %I', sl.slot_name),
           CASE WHEN sl.wal_status = 'lost' THEN 'critical'
                WHEN NOT sl.active OR sl.retained >= s.slot_retained_warning OR sl.wal_status = 'unreserved' THEN 'warning'
                ELSE 'info' END,
           coalesce(pg_catalog.pg_size_pretty(sl.retained) || ' of WAL retained', 'no WAL retained')
             || CASE WHEN sl.active THEN ', active' ELSE ', inactive' END,
           pg_catalog.pg_size_pretty(s.slot_retained_warning::bigint),
           CASE WHEN sl.wal_status = 'lost' THEN 'the WAL this slot needs was removed: its consumer cannot resume'
                WHEN NOT sl.active THEN pg_catalog.format('%s slot with no consumer: it keeps WAL%s until pg_wal fills the disk',
                        sl.slot_type, CASE WHEN sl.slot_type = 'logical' THEN ' and catalog rows' ELSE '' END)
                ELSE pg_catalog.format('%s slot in use', sl.slot_type) END
             || coalesce(', wal_status ' || sl.wal_status, ''),
           CASE WHEN NOT sl.active OR sl.wal_status = 'lost'
                THEN pg_catalog.format('SELECT pg_drop_replication_slot(%L); -- if its consumer is gone for good', sl.slot_name)
                WHEN sl.retained >= s.slot_retained_warning
                THEN 'find why its consumer is behind, or set max_slot_wal_keep_size' END,
           CASE WHEN me.standby THEN 'standby' ELSE 'primary' END, NULL, NULL, NULL, NULL,
           sl.slot_name::text, sl.active, NULL, NULL, sl.retained
      FROM slots sl CROSS JOIN s CROSS JOIN me
    UNION ALL
    SELECT 'standby_lag', 'this standby',
           CASE WHEN sb.pause_state <> 'not paused' OR sb.replay_lag >= s.replication_lag_warning
                  OR sb.replay_delay >= s.replication_delay_warning * interval '1 ms'
                  OR sb.receiver_status IS DISTINCT FROM 'streaming' THEN 'warning' ELSE 'info' END,
           coalesce(pg_catalog.pg_size_pretty(sb.replay_lag), '?') || ' received but not replayed'
             || coalesce(' (' || architect.age_text(sb.replay_delay) || ')', ''),
           pg_catalog.pg_size_pretty(s.replication_lag_warning::bigint) || ' or ' || architect.age_text(s.replication_delay_warning * interval '1 ms'),
           pg_catalog.format('WAL receiver %s%s; replay %s', coalesce(sb.receiver_status, 'not running'),
                  coalesce(' from ' || sb.sender_host, ''), sb.pause_state),
           CASE WHEN sb.pause_state <> 'not paused' THEN 'SELECT pg_wal_replay_resume();'
                WHEN sb.receiver_status IS DISTINCT FROM 'streaming' THEN 'check primary_conninfo and the server log: the standby is not streaming'
                WHEN sb.replay_lag >= s.replication_lag_warning OR sb.replay_delay >= s.replication_delay_warning * interval '1 ms'
                THEN 'look for queries on this standby delaying replay (max_standby_streaming_delay) or a saturated disk' END,
           'standby', NULL, sb.sender_host, sb.receiver_status, NULL, NULL, NULL, sb.replay_lag, sb.replay_delay, NULL
      FROM standby sb CROSS JOIN s
    UNION ALL
    SELECT 'replication', 'this primary', 'info', 'no standby connected', NULL,
           'no streaming standby: a failure of this server means restoring from backup', NULL,
           'primary', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
      FROM me
     WHERE NOT me.standby AND NOT EXISTS (SELECT 1 FROM replicas)
)
SELECT f.check, f.object, f.severity, f.value, f.threshold, f.detail, f.action,
       NULL::timestamptz AS evidence_since,
       f.role, f.application_name, f.client_addr, f.state, f.sync_state, f.slot_name, f.slot_active,
       f.lag_bytes, f.lag_time, f.retained_bytes
  FROM f
 ORDER BY architect.severity_rank(f.severity) DESC, f.check, f.object;
COMMENT ON VIEW architect.replication IS 'standbys and their lag (on a primary), slots and the WAL they retain, this standby''s own lag (on a standby)';

-- Archiving and point-in-time recovery: archive_mode and archive_command
-- set or not, failing archiving, WAL segments waiting, the last archived.
CREATE VIEW architect.archiving WITH (security_invoker = true) AS
WITH s AS (SELECT * FROM architect.health_settings()),
c AS (
    SELECT pg_catalog.current_setting('archive_mode') AS archive_mode,
           -- archive_command and archive_library are visible to superusers
           -- and pg_read_all_settings members only
           (SELECT st.setting FROM pg_catalog.pg_settings st WHERE st.name = 'archive_command') AS archive_command,
           (SELECT st.setting FROM pg_catalog.pg_settings st WHERE st.name = 'archive_library') AS archive_library,
           pg_catalog.pg_is_in_recovery() AS standby,
           pg_catalog.pg_size_bytes(pg_catalog.current_setting('wal_segment_size'))::numeric AS seg_size
),
a AS (
    SELECT x.*, c.*,
           CASE WHEN NOT c.standby THEN pg_catalog.pg_walfile_name(pg_catalog.pg_current_wal_lsn()) END AS current_wal
      FROM pg_catalog.pg_stat_archiver x CROSS JOIN c
),
p AS (
    SELECT a.*,
           -- segments between the last archived one and the one being written
           CASE WHEN a.current_wal IS NOT NULL AND a.last_archived_wal ~ '^[0-9A-F]{24}$' THEN
               ( ('x' || substr(a.current_wal, 9, 8))::bit(32)::bigint * (4294967296 / a.seg_size)
                 + ('x' || substr(a.current_wal, 17, 8))::bit(32)::bigint )
             - ( ('x' || substr(a.last_archived_wal, 9, 8))::bit(32)::bigint * (4294967296 / a.seg_size)
                 + ('x' || substr(a.last_archived_wal, 17, 8))::bit(32)::bigint ) - 1
           END AS pending
      FROM a
),
f AS (
    SELECT 'archiving'::text AS check,
           CASE WHEN p.archive_mode = 'off' THEN 'warning'
                WHEN p.archive_command IS NULL THEN 'info'
                WHEN p.archive_command = '' AND coalesce(p.archive_library, '') = '' THEN 'critical'
                WHEN p.failed_count > 0 AND p.last_failed_time > coalesce(p.last_archived_time, '-infinity') THEN 'critical'
                WHEN p.pending >= s.archive_pending_warning THEN 'warning'
                ELSE 'info' END AS severity,
           CASE WHEN p.archive_mode = 'off' THEN 'archive_mode = off'
                WHEN p.failed_count > 0 AND p.last_failed_time > coalesce(p.last_archived_time, '-infinity')
                THEN 'failing: ' || p.failed_count || ' failures, the last ' || architect.age_text(pg_catalog.now() - p.last_failed_time) || ' ago'
                ELSE coalesce(p.archived_count || ' segments archived, the last ' || architect.age_text(pg_catalog.now() - p.last_archived_time) || ' ago',
                              'nothing archived yet') || coalesce(', ' || p.pending || ' waiting', '') END AS value,
           CASE WHEN p.archive_mode <> 'off' THEN s.archive_pending_warning || ' segments waiting' END AS threshold,
           CASE WHEN p.archive_mode = 'off'
                THEN 'WAL is not archived: no point-in-time recovery is possible, only a restore of the last base backup, losing everything since'
                WHEN p.archive_command IS NULL
                THEN 'archive_mode is ' || p.archive_mode || '; archive_command is not visible to this role'
                WHEN p.archive_command = '' AND coalesce(p.archive_library, '') = ''
                THEN 'archive_mode is on but neither archive_command nor archive_library is set: WAL accumulates in pg_wal and nothing is archived'
                WHEN p.failed_count > 0 AND p.last_failed_time > coalesce(p.last_archived_time, '-infinity')
                THEN pg_catalog.format('archiving %s keeps failing: WAL accumulates in pg_wal and point-in-time recovery stops at %s',
                            coalesce(p.last_failed_wal, '?'), coalesce(p.last_archived_wal, 'nothing archived'))
                WHEN p.standby AND p.archive_mode <> 'always'
                THEN 'this standby archives nothing (archive_mode = on archives on the primary only)'
                ELSE pg_catalog.format('archive_mode = %s, archiving works; last archived %s', p.archive_mode, coalesce(p.last_archived_wal, 'nothing yet'))
           END AS detail,
           CASE WHEN p.archive_mode = 'off'
                THEN 'ALTER SYSTEM SET archive_mode = on; ALTER SYSTEM SET archive_command = ''<copy %p to your archive>''; -- restart, then take a base backup (or use pgBackRest / Barman / WAL-G)'
                WHEN p.archive_command = '' AND coalesce(p.archive_library, '') = ''
                THEN 'ALTER SYSTEM SET archive_command = ''<copy %p to your archive>''; SELECT pg_reload_conf();'
                WHEN p.failed_count > 0 AND p.last_failed_time > coalesce(p.last_archived_time, '-infinity')
                THEN 'read the server log for the archive_command error and fix the command or the archive storage'
                WHEN p.pending >= s.archive_pending_warning
                THEN 'archiving is slower than WAL is written: a faster archive_command (parallel, compressed) or storage'
           END AS action,
           coalesce(p.stats_reset, pg_catalog.pg_postmaster_start_time()) AS evidence_since,
           p.archive_mode, p.archived_count, p.last_archived_wal, p.last_archived_time,
           p.failed_count, p.last_failed_wal, p.last_failed_time, p.pending AS pending_segments
      FROM p CROSS JOIN s
)
SELECT f.check,
       'WAL archiving'::text AS object,
       f.severity, f.value, f.threshold, f.detail, f.action, f.evidence_since,
       f.archive_mode, f.archived_count, f.last_archived_wal, f.last_archived_time,
       f.failed_count, f.last_failed_wal, f.last_failed_time, f.pending_segments
  FROM f;
COMMENT ON VIEW architect.archiving IS 'WAL archiving and point-in-time recovery: archive_mode and archive_command, failures, segments waiting, the last archived';

-- The views filter what each role may see themselves (security_invoker).
GRANT SELECT ON architect.top_queries, architect.slow_queries, architect.replication, architect.archiving TO PUBLIC;
