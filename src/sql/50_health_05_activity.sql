-- Health, part 5: activity.  Connections, long-running queries and
-- transactions, sessions idle in a transaction, locks and who blocks whom,
-- cache hit ratios, temporary files, checkpoints, connection churn (pooler
-- advice), and per-database counters (rollbacks, deadlocks, checksum
-- failures).  Other roles' sessions show their state and queries only to
-- roles with pg_read_all_stats (pg_monitor), as pg_stat_activity does.

CREATE VIEW architect.connections WITH (security_invoker = true) AS
WITH s AS (SELECT * FROM architect.health_settings()),
m AS (SELECT pg_catalog.current_setting('max_connections')::int AS max_connections,
             pg_catalog.current_setting('superuser_reserved_connections')::int AS reserved),
a AS (
    SELECT coalesce(x.state, 'not visible to this role') AS state, x.state_change, x.backend_start
      FROM pg_catalog.pg_stat_activity x
     WHERE x.backend_type = 'client backend'
),
by_state AS (
    SELECT a.state, count(*) AS n, greatest(max(pg_catalog.now() - a.state_change), interval '0') AS longest
      FROM a GROUP BY a.state
    UNION ALL
    SELECT 'total', count(*), max(pg_catalog.now() - a.backend_start) FROM a
)
SELECT 'connections'::text AS check,
       b.state AS object,
       CASE WHEN b.state <> 'total' THEN 'info'
            WHEN 100.0 * b.n / m.max_connections >= s.connections_critical_pct THEN 'critical'
            WHEN 100.0 * b.n / m.max_connections >= s.connections_warning_pct THEN 'warning'
            ELSE 'info' END AS severity,
       b.n || ' of ' || m.max_connections || ' (' || round(100.0 * b.n / m.max_connections, 1) || ' %)' AS value,
       CASE WHEN b.state = 'total' THEN s.connections_warning_pct || ' % of max_connections' END AS threshold,
       CASE WHEN b.state = 'total'
            THEN pg_catalog.format('%s client connections of max_connections %s (%s reserved for superusers); the oldest is %s old',
                        b.n, m.max_connections, m.reserved, coalesce(architect.age_text(b.longest), '-'))
            ELSE pg_catalog.format('%s sessions %s, the longest for %s', b.n, b.state, coalesce(architect.age_text(b.longest), '-'))
       END AS detail,
       CASE WHEN b.state = 'total' AND 100.0 * b.n / m.max_connections >= s.connections_warning_pct
            THEN 'put a connection pooler in front (see architect.connection_churn), or raise max_connections (restart)'
       END AS action,
       NULL::timestamptz AS evidence_since,
       b.state,
       b.n AS connections,
       round(100.0 * b.n / m.max_connections, 1)::float8 AS pct_of_max_connections,
       b.longest AS longest_in_state,
       m.max_connections
  FROM by_state b CROSS JOIN m CROSS JOIN s
 ORDER BY b.state = 'total' DESC, b.n DESC, b.state;
COMMENT ON VIEW architect.connections IS 'client connections by state with the longest time in that state, and the total against max_connections';

-- Queries running and transactions open longer than the threshold (this
-- session excluded), and prepared transactions left behind.
CREATE VIEW architect.long_running WITH (security_invoker = true) AS
WITH s AS (SELECT * FROM architect.health_settings()),
a AS (
    SELECT x.*,
           CASE WHEN x.state = 'active' THEN pg_catalog.now() - x.query_start END AS query_age,
           pg_catalog.now() - x.xact_start AS xact_age
      FROM pg_catalog.pg_stat_activity x
     WHERE x.pid <> pg_catalog.pg_backend_pid()
       AND x.backend_type = 'client backend'
),
f AS (
    SELECT 'long_running_query'::text AS check, a.pid, a.datname, a.usename, a.application_name, a.state,
           a.query_age AS age, a.xact_age, a.query_age, a.query,
           pg_catalog.format('SELECT pg_cancel_backend(%s);', a.pid) AS action,
           NULL::text AS gid
      FROM a CROSS JOIN s
     WHERE a.query_age >= s.long_running_warning * interval '1 ms'
    UNION ALL
    SELECT 'long_transaction', a.pid, a.datname, a.usename, a.application_name, a.state,
           a.xact_age, a.xact_age, a.query_age, a.query,
           pg_catalog.format('SELECT pg_terminate_backend(%s); -- ends the session and rolls its transaction back', a.pid),
           NULL
      FROM a CROSS JOIN s
     WHERE a.xact_age >= s.long_running_warning * interval '1 ms'
       AND a.state NOT IN ('idle in transaction', 'idle in transaction (aborted)')
       AND (a.query_age IS NULL OR a.query_age < s.long_running_warning * interval '1 ms')
    UNION ALL
    SELECT 'prepared_transaction', NULL, p.database, p.owner, NULL, 'prepared',
           pg_catalog.now() - p.prepared, pg_catalog.now() - p.prepared, NULL, NULL,
           pg_catalog.format('COMMIT PREPARED %L; -- or ROLLBACK PREPARED %L;', p.gid, p.gid),
           p.gid
      FROM pg_catalog.pg_prepared_xacts p CROSS JOIN s
     WHERE pg_catalog.now() - p.prepared >= s.long_running_warning * interval '1 ms'
)
SELECT f.check,
       coalesce('pid ' || f.pid, pg_catalog.format('prepared transaction %L', f.gid)) AS object,
       CASE WHEN f.age >= s.long_running_critical * interval '1 ms' THEN 'critical' ELSE 'warning' END AS severity,
       architect.age_text(f.age) AS value,
       architect.age_text(s.long_running_warning * interval '1 ms') AS threshold,
       pg_catalog.format('%s in database %s as %s%s: %s',
              CASE f.check WHEN 'long_running_query' THEN 'query running'
                           WHEN 'long_transaction' THEN 'transaction open'
                           ELSE 'transaction prepared' END,
              coalesce(pg_catalog.quote_ident(f.datname), '?'), coalesce(pg_catalog.quote_ident(f.usename), '?'),
              coalesce(' (' || nullif(f.application_name, '') || ')', ''),
              coalesce(left(pg_catalog.regexp_replace(f.query, '\s+', ' ', 'g'), 200), 'query not visible'))
         || '; it holds back vacuum everywhere and may hold locks' AS detail,
       f.action,
       NULL::timestamptz AS evidence_since,
       f.pid,
       f.datname::text AS database,
       f.usename::text AS username,
       f.application_name,
       f.state,
       f.xact_age AS transaction_age,
       f.query_age,
       f.query
  FROM f CROSS JOIN s
 ORDER BY f.age DESC;
COMMENT ON VIEW architect.long_running IS 'queries running and transactions open longer than pg_architect.long_running_warning, and old prepared transactions';

CREATE VIEW architect.idle_in_transaction WITH (security_invoker = true) AS
WITH s AS (SELECT * FROM architect.health_settings())
SELECT 'idle_in_transaction'::text AS check,
       'pid ' || a.pid AS object,
       CASE WHEN pg_catalog.now() - a.state_change >= s.idle_in_transaction_critical * interval '1 ms' THEN 'critical'
            ELSE 'warning' END AS severity,
       architect.age_text(pg_catalog.now() - a.state_change) AS value,
       architect.age_text(s.idle_in_transaction_warning * interval '1 ms') AS threshold,
       pg_catalog.format('session of %s in database %s%s has sat %s in an open transaction (%s old); last query: %s',
              pg_catalog.quote_ident(a.usename), pg_catalog.quote_ident(a.datname),
              coalesce(' (' || nullif(a.application_name, '') || ')', ''),
              architect.age_text(pg_catalog.now() - a.state_change), architect.age_text(pg_catalog.now() - a.xact_start),
              left(pg_catalog.regexp_replace(a.query, '\s+', ' ', 'g'), 200))
         || '; it holds its locks and holds back vacuum' AS detail,
       pg_catalog.format('SELECT pg_terminate_backend(%s); -- and set idle_in_transaction_session_timeout, e.g. ALTER ROLE %I SET idle_in_transaction_session_timeout = ''5min'';',
              a.pid, a.usename) AS action,
       NULL::timestamptz AS evidence_since,
       a.pid,
       a.datname::text AS database,
       a.usename::text AS username,
       a.application_name,
       a.state,
       pg_catalog.now() - a.state_change AS idle_for,
       pg_catalog.now() - a.xact_start AS transaction_age,
       a.query AS last_query
  FROM pg_catalog.pg_stat_activity a CROSS JOIN s
 WHERE a.state IN ('idle in transaction', 'idle in transaction (aborted)')
   AND a.pid <> pg_catalog.pg_backend_pid()
   AND pg_catalog.now() - a.state_change >= s.idle_in_transaction_warning * interval '1 ms'
 ORDER BY a.state_change;
COMMENT ON VIEW architect.idle_in_transaction IS 'sessions idle inside an open transaction for longer than pg_architect.idle_in_transaction_warning';

-- Locks held and awaited, by relation (or lock type) and mode; this
-- session's own locks are left out.
CREATE VIEW architect.locks WITH (security_invoker = true) AS
WITH l AS (
    SELECT l.locktype, l.mode, l.granted, l.pid, l.waitstart,
           CASE WHEN l.locktype IN ('relation', 'extend', 'page', 'tuple') THEN d.datname END AS database,
           CASE WHEN l.locktype IN ('relation', 'extend', 'page', 'tuple') THEN
                coalesce(CASE WHEN n.nspname IS NOT NULL THEN pg_catalog.format('%I.%I', n.nspname, c.relname) END,
                         'relation ' || l.relation || ' of another database')
                ELSE l.locktype END AS target,
           n.nspname, c.relname
      FROM pg_catalog.pg_locks l
      LEFT JOIN pg_catalog.pg_database d ON d.oid = l.database
      LEFT JOIN pg_catalog.pg_class c ON c.oid = l.relation AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database())
      LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE l.pid IS DISTINCT FROM pg_catalog.pg_backend_pid()
)
SELECT 'locks'::text AS check,
       l.target || ' ' || l.mode AS object,
       CASE WHEN count(*) FILTER (WHERE NOT l.granted) > 0 THEN 'warning' ELSE 'info' END AS severity,
       count(*) FILTER (WHERE l.granted) || ' granted, ' || count(*) FILTER (WHERE NOT l.granted) || ' waiting' AS value,
       NULL::text AS threshold,
       CASE WHEN count(*) FILTER (WHERE NOT l.granted) > 0
            THEN pg_catalog.format('%s sessions waiting for %s on %s, the longest for %s', count(*) FILTER (WHERE NOT l.granted),
                        l.mode, l.target, coalesce(architect.age_text(pg_catalog.now() - min(l.waitstart)), '?'))
            ELSE pg_catalog.format('%s held by %s sessions', l.mode, count(DISTINCT l.pid)) END AS detail,
       CASE WHEN count(*) FILTER (WHERE NOT l.granted) > 0 THEN 'SELECT * FROM architect.blocking;' END AS action,
       NULL::timestamptz AS evidence_since,
       l.locktype,
       l.database::text AS database,
       l.nspname::text AS schema_name,
       l.relname::text AS relation_name,
       l.mode,
       count(*) FILTER (WHERE l.granted) AS granted,
       count(*) FILTER (WHERE NOT l.granted) AS waiting,
       pg_catalog.array_agg(DISTINCT l.pid) FILTER (WHERE l.pid IS NOT NULL) AS pids,
       pg_catalog.now() - min(l.waitstart) AS longest_wait
  FROM l
 GROUP BY l.locktype, l.database, l.target, l.nspname, l.relname, l.mode
 ORDER BY count(*) FILTER (WHERE NOT l.granted) DESC, count(*) DESC, l.target, l.mode;
COMMENT ON VIEW architect.locks IS 'locks held and awaited by relation (or lock type) and mode, this session''s own left out';

-- Who blocks whom: one row per waiting session and each session it waits
-- for, with both queries.
CREATE VIEW architect.blocking WITH (security_invoker = true) AS
WITH s AS (SELECT * FROM architect.health_settings()),
w AS (
    SELECT a.pid, a.usename, a.datname, a.query, a.state, a.wait_event_type, a.wait_event,
           (SELECT min(l.waitstart) FROM pg_catalog.pg_locks l WHERE l.pid = a.pid AND NOT l.granted) AS waitstart,
           (SELECT pg_catalog.string_agg(DISTINCT l.mode || CASE WHEN c.relname IS NOT NULL
                        THEN ' on ' || pg_catalog.format('%I.%I', n.nspname, c.relname) ELSE ' on ' || l.locktype END, ', ')
              FROM pg_catalog.pg_locks l
              LEFT JOIN pg_catalog.pg_class c ON c.oid = l.relation
              LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE l.pid = a.pid AND NOT l.granted) AS wanted
      FROM pg_catalog.pg_stat_activity a
     WHERE a.wait_event_type = 'Lock'
),
pairs AS (
    SELECT w.*, b.blocker
      FROM w CROSS JOIN LATERAL pg_catalog.unnest(pg_catalog.pg_blocking_pids(w.pid)) b(blocker)
)
SELECT 'blocking'::text AS check,
       pg_catalog.format('pid %s blocked by pid %s', p.pid, p.blocker) AS object,
       CASE WHEN pg_catalog.now() - p.waitstart >= s.lock_wait_critical * interval '1 ms' THEN 'critical'
            WHEN pg_catalog.now() - p.waitstart >= s.lock_wait_warning * interval '1 ms' THEN 'warning'
            ELSE 'info' END AS severity,
       'waiting ' || coalesce(architect.age_text(pg_catalog.now() - p.waitstart), '?') AS value,
       architect.age_text(s.lock_wait_warning * interval '1 ms') AS threshold,
       pg_catalog.format('%s wants %s for: %s; pid %s (%s, %s%s) holds it: %s',
              coalesce(pg_catalog.quote_ident(p.usename), '?'), coalesce(p.wanted, 'a lock'),
              coalesce(left(pg_catalog.regexp_replace(p.query, '\s+', ' ', 'g'), 150), 'query not visible'),
              p.blocker, coalesce(pg_catalog.quote_ident(b.usename), '?'), coalesce(b.state, 'state not visible'),
              coalesce(', transaction open ' || architect.age_text(pg_catalog.now() - b.xact_start), ''),
              coalesce(left(pg_catalog.regexp_replace(b.query, '\s+', ' ', 'g'), 150), 'query not visible')) AS detail,
       CASE WHEN b.state LIKE 'idle in transaction%'
            THEN pg_catalog.format('SELECT pg_terminate_backend(%s); -- the blocker is idle in its transaction', p.blocker)
            ELSE pg_catalog.format('SELECT pg_cancel_backend(%s); -- or wait; pg_terminate_backend(%s) if it does not stop', p.blocker, p.blocker)
       END AS action,
       NULL::timestamptz AS evidence_since,
       p.pid AS blocked_pid,
       p.usename::text AS blocked_user,
       p.query AS blocked_query,
       p.wanted AS blocked_wants,
       pg_catalog.now() - p.waitstart AS blocked_for,
       p.blocker AS blocking_pid,
       b.usename::text AS blocking_user,
       b.state AS blocking_state,
       b.query AS blocking_query,
       pg_catalog.now() - b.xact_start AS blocking_transaction_age
  FROM pairs p
  LEFT JOIN pg_catalog.pg_stat_activity b ON b.pid = p.blocker
 CROSS JOIN s
 ORDER BY p.waitstart, p.pid, p.blocker;
COMMENT ON VIEW architect.blocking IS 'who blocks whom: each waiting session, the session holding the lock it wants, and both queries';

-- Buffer cache hit ratios: user tables, user indexes, and this database as
-- a whole.
CREATE VIEW architect.cache_hit WITH (security_invoker = true) AS
WITH s AS (SELECT h.*, architect.stats_since() AS since FROM architect.health_settings() h),
io AS (
    -- the relations pg_statio_user_tables and pg_statio_user_indexes show
    -- (an index lives in its table's schema), summed straight from the
    -- counters in one pass, without those views' joins and GROUP BY over
    -- every table
    SELECT sum(pg_catalog.pg_stat_get_blocks_hit(c.oid)) FILTER (WHERE c.relkind <> 'i')::numeric AS heap_hit,
           sum(pg_catalog.pg_stat_get_blocks_fetched(c.oid) - pg_catalog.pg_stat_get_blocks_hit(c.oid))
               FILTER (WHERE c.relkind <> 'i')::numeric AS heap_read,
           sum(pg_catalog.pg_stat_get_blocks_hit(c.oid)) FILTER (WHERE c.relkind = 'i')::numeric AS idx_hit,
           sum(pg_catalog.pg_stat_get_blocks_fetched(c.oid) - pg_catalog.pg_stat_get_blocks_hit(c.oid))
               FILTER (WHERE c.relkind = 'i')::numeric AS idx_read
      FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 't', 'm', 'p', 'i')
       AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'
),
r AS (
    SELECT 'tables'::text AS scope, io.heap_hit AS hit, io.heap_read AS read FROM io
    UNION ALL
    SELECT 'indexes', io.idx_hit, io.idx_read FROM io
    UNION ALL
    SELECT 'database', d.blks_hit, d.blks_read
      FROM pg_catalog.pg_stat_database d WHERE d.datname = pg_catalog.current_database()
),
p AS (
    SELECT r.scope, coalesce(r.hit, 0) AS hit, coalesce(r.read, 0) AS read,
           round(100 * coalesce(r.hit, 0) / nullif(coalesce(r.hit, 0) + coalesce(r.read, 0), 0), 2) AS ratio
      FROM r
)
SELECT 'cache_hit'::text AS check,
       p.scope AS object,
       CASE WHEN p.hit + p.read < s.cache_hit_min_blocks OR p.ratio IS NULL THEN 'info'
            WHEN p.ratio < s.cache_hit_critical_pct THEN 'critical'
            WHEN p.ratio < s.cache_hit_warning_pct THEN 'warning'
            ELSE 'info' END AS severity,
       coalesce(p.ratio || ' %', 'no reads yet') AS value,
       s.cache_hit_warning_pct || ' % once ' || s.cache_hit_min_blocks || ' blocks were read' AS threshold,
       pg_catalog.format('%s blocks found in shared buffers, %s read from the operating system (its cache or disk)', p.hit, p.read) AS detail,
       CASE WHEN p.hit + p.read >= s.cache_hit_min_blocks AND p.ratio < s.cache_hit_warning_pct
            THEN 'raise shared_buffers if memory allows (see architect.config_advice), and look for queries reading many blocks in architect.top_queries'
       END AS action,
       s.since AS evidence_since,
       p.scope,
       p.hit::bigint AS blocks_hit,
       p.read::bigint AS blocks_read,
       p.ratio::float8 AS hit_pct
  FROM p CROSS JOIN s
 ORDER BY p.scope;
COMMENT ON VIEW architect.cache_hit IS 'buffer cache hit ratios of user tables, user indexes and this database since the statistics were reset';

-- Temporary files: per database since the statistics were reset, and the
-- queries that write the most per call (from pg_stat_statements).
CREATE VIEW architect.temp_files WITH (security_invoker = true) AS
WITH s AS (SELECT h.*, architect.stats_since() AS since FROM architect.health_settings() h),
bs AS (SELECT pg_catalog.current_setting('block_size')::numeric AS block_size)
SELECT 'temp_files'::text AS check,
       pg_catalog.format('database %I', d.datname) AS object,
       'info'::text AS severity,
       d.temp_files || ' files, ' || pg_catalog.pg_size_pretty(d.temp_bytes) AS value,
       NULL::text AS threshold,
       'sorts, hashes and materializations that did not fit in work_mem spilled to disk since the statistics were reset' AS detail,
       NULL::text AS action,
       coalesce(d.stats_reset, pg_catalog.pg_postmaster_start_time()) AS evidence_since,
       d.datname::text AS database,
       NULL::bigint AS queryid,
       NULL::text AS query,
       d.temp_files AS temp_files,
       d.temp_bytes AS temp_bytes,
       NULL::bigint AS temp_bytes_per_call
  FROM pg_catalog.pg_stat_database d CROSS JOIN s
 WHERE d.datname IS NOT NULL AND d.temp_files > 0
UNION ALL
SELECT 'temp_files', 'query ' || q.queryid,
       CASE WHEN q.temp_blks_written * bs.block_size / greatest(q.calls, 1) >= s.temp_file_warning THEN 'warning' ELSE 'info' END,
       pg_catalog.pg_size_pretty((q.temp_blks_written * bs.block_size / greatest(q.calls, 1))::bigint) || ' per call',
       pg_catalog.pg_size_pretty(s.temp_file_warning::bigint) || ' per call',
       pg_catalog.format('writes temporary files on each call: %s', left(pg_catalog.regexp_replace(q.query, '\s+', ' ', 'g'), 200)),
       pg_catalog.format('SET work_mem = ''%sMB''; -- for the sessions that run it (it needs about that much to stay in memory)',
              greatest(4, pg_catalog.ceil(2 * q.temp_blks_written * bs.block_size / greatest(q.calls, 1) / 1048576))),
       s.since,
       pg_catalog.current_database()::text, q.queryid, q.query, NULL, (q.temp_blks_written * bs.block_size)::bigint,
       (q.temp_blks_written * bs.block_size / greatest(q.calls, 1))::bigint
  FROM architect.statements(false) q CROSS JOIN s CROSS JOIN bs
 WHERE q.temp_blks_written > 0 AND q.toplevel;
COMMENT ON VIEW architect.temp_files IS 'temporary file use per database, and the queries writing the most temporary data per call';

CREATE VIEW architect.checkpoints WITH (security_invoker = true) AS
WITH s AS (SELECT * FROM architect.health_settings())
SELECT 'checkpoints'::text AS check,
       'checkpointer'::text AS object,
       CASE WHEN b.checkpoints_timed + b.checkpoints_req >= s.checkpoint_min_count
                 AND 100.0 * b.checkpoints_req / (b.checkpoints_timed + b.checkpoints_req) >= s.checkpoint_req_warning_pct
            THEN 'warning' ELSE 'info' END AS severity,
       b.checkpoints_req || ' requested, ' || b.checkpoints_timed || ' timed ('
         || coalesce(round(100.0 * b.checkpoints_req / nullif(b.checkpoints_timed + b.checkpoints_req, 0), 1), 0) || ' % requested)' AS value,
       s.checkpoint_req_warning_pct || ' % requested once ' || s.checkpoint_min_count || ' checkpoints ran' AS threshold,
       'checkpoints requested before checkpoint_timeout are forced by max_wal_size filling up (or by CHECKPOINT commands); '
         || 'frequent checkpoints write more and log more full pages'
         || CASE WHEN b.buffers_backend_fsync > 0 THEN '; backends had to fsync ' || b.buffers_backend_fsync || ' times themselves' ELSE '' END AS detail,
       CASE WHEN b.checkpoints_timed + b.checkpoints_req >= s.checkpoint_min_count
                 AND 100.0 * b.checkpoints_req / (b.checkpoints_timed + b.checkpoints_req) >= s.checkpoint_req_warning_pct
            THEN pg_catalog.format('ALTER SYSTEM SET max_wal_size = ''%sMB''; SELECT pg_reload_conf();',
                        2 * pg_catalog.pg_size_bytes(pg_catalog.current_setting('max_wal_size')) / 1048576)
       END AS action,
       b.stats_reset AS evidence_since,
       b.checkpoints_timed,
       b.checkpoints_req AS checkpoints_requested,
       round(100.0 * b.checkpoints_req / nullif(b.checkpoints_timed + b.checkpoints_req, 0), 1)::float8 AS requested_pct,
       b.buffers_checkpoint,
       b.buffers_backend,
       b.buffers_backend_fsync,
       b.checkpoint_write_time AS write_ms,
       b.checkpoint_sync_time AS sync_ms
  FROM pg_catalog.pg_stat_bgwriter b CROSS JOIN s;
COMMENT ON VIEW architect.checkpoints IS 'checkpoints requested (max_wal_size too small) against timed, since pg_stat_bgwriter was reset';

-- Sessions opened per second and their mean life per database, and the
-- share of idle connections: when connections churn or mostly sit idle, a
-- pooler in transaction mode, with a pool sized from the CPUs and the
-- sessions active right now.
--
-- The rate needs a known time window.  It comes from the snapshots of the
-- last hour when there are some (architect.schedule()), otherwise from the
-- database's statistics reset; the statistics survive restarts, so when
-- they were never reset there is no window and the rate is unknown.
CREATE VIEW architect.connection_churn WITH (security_invoker = true) AS
WITH s AS (SELECT * FROM architect.health_settings()),
m AS (
    SELECT pg_catalog.current_setting('max_connections')::int - pg_catalog.current_setting('superuser_reserved_connections')::int AS usable,
           (SELECT i.cpus FROM architect.system_info() i) AS cpus,
           (SELECT count(*) FROM pg_catalog.pg_stat_activity a WHERE a.backend_type = 'client backend') AS connections,
           (SELECT count(*) FROM pg_catalog.pg_stat_activity a WHERE a.backend_type = 'client backend' AND a.state = 'idle') AS idle,
           (SELECT count(*) FROM pg_catalog.pg_stat_activity a WHERE a.backend_type = 'client backend'
               AND a.state IN ('active', 'fastpath function call')) AS active
),
pool AS (
    SELECT m.*, least(greatest(2 * m.cpus, pg_catalog.ceil(1.25 * m.active)::int), m.usable) AS pool_size
      FROM m
),
hist AS (
    -- sessions and seconds over the snapshots of the last hour
    SELECT h.datid, sum(h.sessions) AS sessions, sum(h.session_time_ms) AS session_time_ms,
           sum(sn.seconds) AS seconds, min(sn.taken_at - sn.seconds * interval '1 s') AS since
      FROM architect.database_history h
      JOIN architect.snapshots sn ON sn.snapshot_id = h.snapshot_id
     WHERE sn.taken_at >= pg_catalog.now() - interval '1 hour' AND sn.seconds IS NOT NULL
     GROUP BY h.datid
),
d AS (
    SELECT d.datname, d.sessions, d.session_time, d.active_time, d.idle_in_transaction_time,
           d.sessions_abandoned, d.sessions_fatal, d.sessions_killed,
           CASE WHEN hist.seconds > 0 THEN 'snapshots of the last hour'
                WHEN d.stats_reset IS NOT NULL THEN 'statistics reset' END AS window_source,
           CASE WHEN hist.seconds > 0 THEN hist.since ELSE d.stats_reset END AS since,
           CASE WHEN hist.seconds > 0 THEN hist.sessions / hist.seconds
                WHEN d.stats_reset IS NOT NULL
                THEN d.sessions / greatest(extract(epoch FROM pg_catalog.now() - d.stats_reset), 1) END AS per_sec,
           CASE WHEN hist.seconds > 0 THEN hist.session_time_ms / nullif(hist.sessions, 0)
                ELSE d.session_time / nullif(d.sessions, 0) END AS mean_ms
      FROM pg_catalog.pg_stat_database d
      LEFT JOIN hist ON hist.datid = d.datid
     WHERE d.datname IS NOT NULL AND d.sessions > 0
)
SELECT 'connection_churn'::text AS check,
       pg_catalog.format('database %I', d.datname) AS object,
       CASE WHEN d.per_sec >= s.connection_churn_per_sec THEN 'warning' ELSE 'info' END AS severity,
       coalesce(round(d.per_sec::numeric, 2) || ' sessions/s', 'sessions/s unknown')
         || coalesce(', ' || round(d.mean_ms::numeric) || ' ms mean life', '') AS value,
       s.connection_churn_per_sec || ' sessions/s' AS threshold,
       CASE WHEN d.per_sec IS NULL
            THEN 'no time window to measure the rate: the statistics of this database were never reset and there are no recent snapshots (SELECT architect.schedule();)'
            ELSE pg_catalog.format('measured over the %s (%s); each new session forks a backend and loads its caches again',
                        d.window_source, architect.age_text(pg_catalog.now() - d.since)) END
         || CASE WHEN d.sessions_abandoned + d.sessions_fatal + d.sessions_killed > 0
                 THEN pg_catalog.format(' (%s sessions abandoned, %s fatal, %s killed since the statistics were reset)',
                             d.sessions_abandoned, d.sessions_fatal, d.sessions_killed)
                 ELSE '' END AS detail,
       CASE WHEN d.per_sec >= s.connection_churn_per_sec
            THEN pg_catalog.format('put a pooler in front in transaction mode, e.g. PgBouncer: pool_mode = transaction, default_pool_size = %s', p.pool_size)
       END AS action,
       d.since AS evidence_since,
       d.datname::text AS database,
       d.sessions,
       round(d.per_sec::numeric, 3)::float8 AS sessions_per_sec,
       round(d.mean_ms::numeric, 1)::float8 AS mean_session_ms,
       round((100 * d.active_time / nullif(d.session_time, 0))::numeric, 1)::float8 AS active_pct,
       round((100 * d.idle_in_transaction_time / nullif(d.session_time, 0))::numeric, 1)::float8 AS idle_in_transaction_pct,
       p.pool_size::int AS suggested_pool_size
  FROM d CROSS JOIN s CROSS JOIN pool p
UNION ALL
SELECT 'connection_churn', 'idle connections',
       CASE WHEN p.connections >= s.pooler_min_connections AND 100.0 * p.idle / p.connections >= s.pooler_idle_pct
            THEN 'warning' ELSE 'info' END,
       p.idle || ' of ' || p.connections || ' connections idle (' || round(100.0 * p.idle / greatest(p.connections, 1), 1) || ' %)',
       s.pooler_idle_pct || ' % idle once there are ' || s.pooler_min_connections || ' connections',
       pg_catalog.format('%s sessions are active right now on %s CPUs; idle connections each hold a backend and its memory', p.active, p.cpus),
       CASE WHEN p.connections >= s.pooler_min_connections AND 100.0 * p.idle / p.connections >= s.pooler_idle_pct
            THEN pg_catalog.format('put a pooler in front in transaction mode, e.g. PgBouncer: pool_mode = transaction, default_pool_size = %s', p.pool_size)
       END,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, p.pool_size::int
  FROM pool p CROSS JOIN s;
COMMENT ON VIEW architect.connection_churn IS 'sessions per second and mean session life per database, idle connection share, and pooler advice with a pool size';

-- Per-database counters: rollback share, deadlocks, checksum failures,
-- recovery conflicts.
CREATE VIEW architect.databases WITH (security_invoker = true) AS
WITH s AS (SELECT * FROM architect.health_settings()),
d AS (
    SELECT d.*, coalesce(d.stats_reset, pg_catalog.pg_postmaster_start_time()) AS since,
           round(100.0 * d.xact_rollback / nullif(d.xact_commit + d.xact_rollback, 0), 2) AS rollback_pct
      FROM pg_catalog.pg_stat_database d
     WHERE d.datname IS NOT NULL
),
f AS (
    SELECT d.datname, 'rollback_rate'::text AS check,
           CASE WHEN d.xact_commit + d.xact_rollback >= s.rollback_min_xacts AND d.rollback_pct >= s.rollback_warning_pct
                THEN 'warning' ELSE 'info' END AS severity,
           coalesce(d.rollback_pct, 0) || ' % of ' || (d.xact_commit + d.xact_rollback) || ' transactions rolled back' AS value,
           s.rollback_warning_pct || ' % once there were ' || s.rollback_min_xacts || ' transactions' AS threshold,
           'rolled-back transactions did work for nothing; a high share usually means application errors (see the server log or architect.query_errors)' AS detail,
           CASE WHEN d.xact_commit + d.xact_rollback >= s.rollback_min_xacts AND d.rollback_pct >= s.rollback_warning_pct
                THEN 'find the failing statements: SELECT * FROM architect.query_errors; or log_min_error_statement = error' END AS action,
           d.since
      FROM d CROSS JOIN s
    UNION ALL
    SELECT d.datname, 'deadlocks', 'warning', d.deadlocks || ' deadlocks', s.deadlocks_warning::bigint || ' deadlocks',
           'transactions locked rows or tables in different orders and one of them was aborted',
           'take locks in the same order in every transaction; log_lock_waits = on shows where', d.since
      FROM d CROSS JOIN s
     WHERE d.deadlocks >= s.deadlocks_warning
    UNION ALL
    SELECT d.datname, 'checksum_failures', 'critical', d.checksum_failures || ' failures', '1 failure',
           'data pages failed their checksum: storage or memory corrupted them'
             || coalesce(', the last at ' || pg_catalog.to_char(d.checksum_last_failure, 'YYYY-MM-DD HH24:MI'), ''),
           'check the storage and the server log now; restore the damaged tables from a backup', d.since
      FROM d
     WHERE d.checksum_failures > 0
    UNION ALL
    SELECT d.datname, 'recovery_conflicts', 'warning', d.conflicts || ' queries cancelled', '1 conflict',
           'queries on this standby were cancelled because replay needed what they were reading',
           'on the primary: hot_standby_feedback = on on this standby, or raise max_standby_streaming_delay here', d.since
      FROM d
     WHERE d.conflicts > 0
)
SELECT f.check,
       pg_catalog.format('database %I', f.datname) AS object,
       f.severity, f.value, f.threshold, f.detail, f.action,
       f.since AS evidence_since,
       f.datname::text AS database
  FROM f
 ORDER BY architect.severity_rank(f.severity) DESC, f.datname, f.check;
COMMENT ON VIEW architect.databases IS 'per database: rollback share, deadlocks, checksum failures and recovery conflicts since the statistics were reset';

-- The views filter what each role may see themselves (security_invoker).
GRANT SELECT ON architect.connections, architect.long_running, architect.idle_in_transaction, architect.locks, architect.blocking, architect.cache_hit, architect.temp_files, architect.checkpoints, architect.connection_churn, architect.databases TO PUBLIC;
