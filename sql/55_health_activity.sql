-- Health: connections, cache hit ratios, checkpoints, replication slots,
-- archiving, databases; what a single session can set up.  The situations
-- that need several sessions (long and idle transactions, blocking,
-- deadlocks, churn, a standby with lag) are in test/t/050-052.
SET client_min_messages = warning;

-- Connections: this session is one of them; the total is judged against
-- max_connections.
SELECT object, severity, connections >= 1 AS counted, max_connections
  FROM architect.connections WHERE object IN ('total', 'active') ORDER BY object;
SET pg_architect.connections_warning_pct = 0.5;
SELECT object, severity, action IS NOT NULL AS has_action FROM architect.connections WHERE object = 'total';
SET pg_architect.connections_critical_pct = 0.5;
SELECT object, severity FROM architect.connections WHERE object = 'total';
RESET pg_architect.connections_warning_pct;
RESET pg_architect.connections_critical_pct;
SELECT object, severity FROM architect.connections WHERE object = 'total';
-- this session is never a long-running query, an idle transaction, a lock
-- holder or a blocker in its own report
BEGIN;
LOCK TABLE pg_catalog.pg_class IN ACCESS SHARE MODE;
SET LOCAL pg_architect.long_running_warning = 0;
SELECT count(*) AS own_rows FROM architect.long_running WHERE pid = pg_backend_pid();
SELECT count(*) AS own_locks FROM architect.locks WHERE pg_backend_pid() = ANY (pids);
COMMIT;

-- Cache hit ratios: every scope has a row, healthy when no threshold can be
-- missed (the real ratios depend on what ran before); with a threshold no
-- ratio can reach, the scopes that read blocks are warnings.
SET pg_architect.cache_hit_warning_pct = 0;
SET pg_architect.cache_hit_critical_pct = 0;
SELECT object, severity FROM architect.cache_hit ORDER BY object;
SET pg_architect.cache_hit_min_blocks = 0;
SET pg_architect.cache_hit_warning_pct = 100;
SET pg_architect.cache_hit_critical_pct = 0;
SELECT object, severity, action IS NOT NULL AS has_action FROM architect.cache_hit
 WHERE object = 'database';
RESET pg_architect.cache_hit_min_blocks;
RESET pg_architect.cache_hit_warning_pct;
RESET pg_architect.cache_hit_critical_pct;

-- Checkpoints: requested checkpoints (here by CHECKPOINT) against timed
-- ones.  The checkpointer reports each checkpoint after waking its caller,
-- so of three CHECKPOINTs at least the first two are counted by now.
SELECT pg_stat_reset_shared('bgwriter');
CHECKPOINT;
CHECKPOINT;
CHECKPOINT;
SET pg_architect.checkpoint_min_count = 2;
SELECT object, severity, checkpoints_requested >= 2 AS requested, action LIKE 'ALTER SYSTEM SET max_wal_size = ''%MB''; SELECT pg_reload_conf();' AS advises
  FROM architect.checkpoints;
-- fixed (max_wal_size raised, counters reset to judge afresh)
SELECT pg_stat_reset_shared('bgwriter');
SELECT object, severity FROM architect.checkpoints;
RESET pg_architect.checkpoint_min_count;

-- Replication slots: an inactive slot retains WAL.
SELECT count(*) AS slots FROM architect.replication WHERE "check" = 'replication_slot';
SELECT 1 FROM pg_create_physical_replication_slot('health_idle_slot', true);
SELECT "check", object, severity, slot_active, action FROM architect.replication WHERE "check" = 'replication_slot';
SET pg_architect.slot_retained_warning = 0;
SELECT object, severity FROM architect.replication WHERE "check" = 'replication_slot';
RESET pg_architect.slot_retained_warning;
SELECT pg_drop_replication_slot('health_idle_slot');
SELECT count(*) AS slots FROM architect.replication WHERE "check" = 'replication_slot';
-- a primary without standby says so
SELECT "check", object, severity, role FROM architect.replication WHERE "check" = 'replication';

-- Archiving: off in this cluster, so no point-in-time recovery.
SELECT "check", object, severity, value, archive_mode FROM architect.archiving;
SELECT detail FROM architect.archiving;

-- Databases: no deadlock, no checksum failure, no recovery conflict here;
-- every database has its rollback row.
SELECT DISTINCT "check" FROM architect.databases ORDER BY 1;
SELECT count(*) AS rollback_rows FROM architect.databases WHERE "check" = 'rollback_rate'
   AND database = current_database();

-- Connection churn: the rate is measured over a known window (snapshots or
-- the statistics reset) or not at all; the pooler advice sizes a pool.
SELECT object, severity, sessions_per_sec IS NULL OR evidence_since IS NOT NULL AS rate_has_window
  FROM architect.connection_churn WHERE object = 'database contrib_regression';
SELECT object, severity, suggested_pool_size >= 2 AS pool_sized FROM architect.connection_churn
 WHERE object = 'idle connections';
