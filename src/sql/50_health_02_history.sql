-- Health, part 2: history.  architect.snapshot() stores what changed since
-- the previous snapshot (deltas of the cumulative counters of queries,
-- tables, indexes and databases, and the sizes) without ever resetting
-- anyone's statistics; architect.schedule() runs it with pg_cron, with a
-- daily purge; the trend views read the history per day.
--
-- The *_state tables hold the cumulative counters as of the last snapshot,
-- one row per object, so that the next snapshot can subtract them.  A
-- counter lower than its state means its statistics were reset: the delta
-- is then the counter itself.  History rows are written only for objects
-- whose counters or size changed.  The first snapshot only records the
-- state (and the sizes): there is nothing to subtract yet.
--
-- All of it is dumped by pg_dump (pg_extension_config_dump).  Writing it is
-- for the extension's owner and whoever is granted EXECUTE on snapshot().

CREATE TABLE architect.snapshots (
    snapshot_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    taken_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    seconds float8,                  -- since the previous snapshot (NULL for the first)
    queries integer NOT NULL DEFAULT 0,  -- rows written to each history table
    tables integer NOT NULL DEFAULT 0,
    indexes integer NOT NULL DEFAULT 0,
    databases integer NOT NULL DEFAULT 0
);
COMMENT ON TABLE architect.snapshots IS 'one row per architect.snapshot() call: when, the time since the previous one, the rows it wrote';

CREATE TABLE architect.query_history (
    snapshot_id bigint NOT NULL,
    taken_at timestamptz NOT NULL,
    dbid oid NOT NULL,
    userid oid NOT NULL,
    queryid bigint NOT NULL,
    toplevel boolean NOT NULL,
    calls bigint NOT NULL,
    total_exec_ms float8 NOT NULL,
    rows bigint NOT NULL,
    shared_blks_hit bigint NOT NULL,
    shared_blks_read bigint NOT NULL,
    temp_blks_written bigint NOT NULL
);
CREATE INDEX ON architect.query_history (taken_at);
CREATE INDEX ON architect.query_history (queryid);
COMMENT ON TABLE architect.query_history IS 'per snapshot and query (pg_stat_statements): calls, time, rows and blocks since the previous snapshot';

CREATE TABLE architect.table_history (
    snapshot_id bigint NOT NULL,
    taken_at timestamptz NOT NULL,
    relid oid NOT NULL,
    schema_name name NOT NULL,
    table_name name NOT NULL,
    size_bytes bigint NOT NULL,      -- pg_class.relpages x block size, as of the snapshot
    live_tuples bigint NOT NULL,     -- as of the snapshot
    dead_tuples bigint NOT NULL,     -- as of the snapshot
    seq_scan bigint NOT NULL,        -- the rest: since the previous snapshot
    seq_tup_read bigint NOT NULL,
    idx_scan bigint NOT NULL,
    n_tup_ins bigint NOT NULL,
    n_tup_upd bigint NOT NULL,
    n_tup_del bigint NOT NULL,
    vacuums bigint NOT NULL,
    analyzes bigint NOT NULL
);
CREATE INDEX ON architect.table_history (taken_at);
CREATE INDEX ON architect.table_history (relid, taken_at);
COMMENT ON TABLE architect.table_history IS 'per snapshot and table that changed: size and tuples then, scans and row changes since the previous snapshot';

CREATE TABLE architect.index_history (
    snapshot_id bigint NOT NULL,
    taken_at timestamptz NOT NULL,
    indexrelid oid NOT NULL,
    schema_name name NOT NULL,
    table_name name NOT NULL,
    index_name name NOT NULL,
    size_bytes bigint NOT NULL,      -- as of the snapshot
    idx_scan bigint NOT NULL,        -- since the previous snapshot
    idx_tup_read bigint NOT NULL
);
CREATE INDEX ON architect.index_history (taken_at);
CREATE INDEX ON architect.index_history (indexrelid, taken_at);
COMMENT ON TABLE architect.index_history IS 'per snapshot and index that changed: size then, scans since the previous snapshot';

CREATE TABLE architect.database_history (
    snapshot_id bigint NOT NULL,
    taken_at timestamptz NOT NULL,
    datid oid NOT NULL,
    datname name NOT NULL,
    size_bytes bigint,               -- this database only, as of the snapshot
    numbackends integer NOT NULL,    -- as of the snapshot
    xact_commit bigint NOT NULL,     -- the rest: since the previous snapshot
    xact_rollback bigint NOT NULL,
    blks_read bigint NOT NULL,
    blks_hit bigint NOT NULL,
    tup_inserted bigint NOT NULL,
    tup_updated bigint NOT NULL,
    tup_deleted bigint NOT NULL,
    temp_files bigint NOT NULL,
    temp_bytes bigint NOT NULL,
    deadlocks bigint NOT NULL,
    sessions bigint NOT NULL,
    session_time_ms float8 NOT NULL
);
CREATE INDEX ON architect.database_history (taken_at);
COMMENT ON TABLE architect.database_history IS 'per snapshot and database: size and backends then, transactions, blocks, temp files, deadlocks and sessions since the previous snapshot';

CREATE TABLE architect.query_state (
    dbid oid NOT NULL,
    userid oid NOT NULL,
    queryid bigint NOT NULL,
    toplevel boolean NOT NULL,
    calls bigint NOT NULL,
    total_exec_ms float8 NOT NULL,
    rows bigint NOT NULL,
    shared_blks_hit bigint NOT NULL,
    shared_blks_read bigint NOT NULL,
    temp_blks_written bigint NOT NULL,
    PRIMARY KEY (dbid, userid, queryid, toplevel)
);
COMMENT ON TABLE architect.query_state IS 'pg_stat_statements counters as of the last snapshot, to compute the next deltas';

CREATE TABLE architect.table_state (
    relid oid PRIMARY KEY,
    size_bytes bigint NOT NULL,
    seq_scan bigint NOT NULL,
    seq_tup_read bigint NOT NULL,
    idx_scan bigint NOT NULL,
    n_tup_ins bigint NOT NULL,
    n_tup_upd bigint NOT NULL,
    n_tup_del bigint NOT NULL,
    vacuums bigint NOT NULL,
    analyzes bigint NOT NULL
);
COMMENT ON TABLE architect.table_state IS 'table counters as of the last snapshot, to compute the next deltas';

CREATE TABLE architect.index_state (
    indexrelid oid PRIMARY KEY,
    size_bytes bigint NOT NULL,
    idx_scan bigint NOT NULL,
    idx_tup_read bigint NOT NULL
);
COMMENT ON TABLE architect.index_state IS 'index counters as of the last snapshot, to compute the next deltas';

CREATE TABLE architect.database_state (
    datid oid PRIMARY KEY,
    xact_commit bigint NOT NULL,
    xact_rollback bigint NOT NULL,
    blks_read bigint NOT NULL,
    blks_hit bigint NOT NULL,
    tup_inserted bigint NOT NULL,
    tup_updated bigint NOT NULL,
    tup_deleted bigint NOT NULL,
    temp_files bigint NOT NULL,
    temp_bytes bigint NOT NULL,
    deadlocks bigint NOT NULL,
    sessions bigint NOT NULL,
    session_time_ms float8 NOT NULL
);
COMMENT ON TABLE architect.database_state IS 'database counters as of the last snapshot, to compute the next deltas';

-- What the nightly advisor job (architect.schedule(nightly_advisor => true))
-- records: the index recommendations of each night.
CREATE TABLE architect.recommendation_history (
    taken_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    rank integer,
    schema_name text,
    table_name text,
    index_name text,
    ddl text,
    estimated_size_bytes bigint,
    benefit float8,
    improvement_pct float8,
    reason text
);
CREATE INDEX ON architect.recommendation_history (taken_at);
COMMENT ON TABLE architect.recommendation_history IS 'index recommendations recorded by the nightly advisor job';

SELECT pg_catalog.pg_extension_config_dump('architect.snapshots', '');
SELECT pg_catalog.pg_extension_config_dump('architect.snapshots_snapshot_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('architect.query_history', '');
SELECT pg_catalog.pg_extension_config_dump('architect.table_history', '');
SELECT pg_catalog.pg_extension_config_dump('architect.index_history', '');
SELECT pg_catalog.pg_extension_config_dump('architect.database_history', '');
SELECT pg_catalog.pg_extension_config_dump('architect.query_state', '');
SELECT pg_catalog.pg_extension_config_dump('architect.table_state', '');
SELECT pg_catalog.pg_extension_config_dump('architect.index_state', '');
SELECT pg_catalog.pg_extension_config_dump('architect.database_state', '');
SELECT pg_catalog.pg_extension_config_dump('architect.recommendation_history', '');

REVOKE ALL ON architect.snapshots, architect.query_history, architect.table_history, architect.index_history,
              architect.database_history, architect.query_state, architect.table_state, architect.index_state,
              architect.database_state, architect.recommendation_history FROM PUBLIC;
-- Table, index and database history hold what pg_stat_user_tables,
-- pg_stat_user_indexes and pg_stat_database show every role anyway; query
-- history (query ids and their counters) is for pg_monitor.
GRANT SELECT ON architect.snapshots, architect.table_history, architect.index_history,
                architect.database_history TO PUBLIC;
GRANT SELECT ON architect.query_history, architect.recommendation_history TO pg_monitor;

CREATE FUNCTION architect.require_primary(what text)
RETURNS void
LANGUAGE C STRICT VOLATILE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pga_require_primary_sql';
COMMENT ON FUNCTION architect.require_primary(text) IS 'raises SQLSTATE 25006 with a hint when the server is a hot standby';

-- The first snapshot records the state and the sizes only; each later one
-- writes the deltas since the one before.
CREATE FUNCTION architect.snapshot()
RETURNS bigint
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT architect.require_primary('architect.snapshot()');

INSERT INTO architect.snapshots (seconds)
SELECT extract(epoch FROM pg_catalog.now() - max(s.taken_at)) FROM architect.snapshots s;

-- queries
WITH sn AS (SELECT s.snapshot_id, s.taken_at, s.seconds IS NOT NULL AS has_prev
              FROM architect.snapshots s ORDER BY s.snapshot_id DESC LIMIT 1),
cur AS (SELECT q.dbid, q.userid, q.queryid, q.toplevel, q.calls, q.total_exec_ms, q.rows,
               q.shared_blks_hit, q.shared_blks_read, q.temp_blks_written
          FROM architect.statements(true) q WHERE q.queryid IS NOT NULL),
d AS (SELECT c.*, st.calls IS NULL OR c.calls < st.calls AS fresh,
             st.calls AS s_calls, st.total_exec_ms AS s_ms, st.rows AS s_rows, st.shared_blks_hit AS s_hit,
             st.shared_blks_read AS s_read, st.temp_blks_written AS s_temp
        FROM cur c LEFT JOIN architect.query_state st
             ON st.dbid = c.dbid AND st.userid = c.userid AND st.queryid = c.queryid AND st.toplevel = c.toplevel),
ins AS (INSERT INTO architect.query_history
        SELECT sn.snapshot_id, sn.taken_at, d.dbid, d.userid, d.queryid, d.toplevel,
               CASE WHEN d.fresh THEN d.calls ELSE d.calls - d.s_calls END,
               CASE WHEN d.fresh THEN d.total_exec_ms ELSE d.total_exec_ms - d.s_ms END,
               CASE WHEN d.fresh THEN d.rows ELSE d.rows - d.s_rows END,
               CASE WHEN d.fresh THEN d.shared_blks_hit ELSE d.shared_blks_hit - d.s_hit END,
               CASE WHEN d.fresh THEN d.shared_blks_read ELSE d.shared_blks_read - d.s_read END,
               CASE WHEN d.fresh THEN d.temp_blks_written ELSE d.temp_blks_written - d.s_temp END
          FROM d CROSS JOIN sn
         WHERE sn.has_prev AND (d.fresh OR d.calls > d.s_calls)
        RETURNING 1),
gone AS (DELETE FROM architect.query_state st
          WHERE NOT EXISTS (SELECT 1 FROM cur c WHERE c.dbid = st.dbid AND c.userid = st.userid
                               AND c.queryid = st.queryid AND c.toplevel = st.toplevel)),
up AS (INSERT INTO architect.query_state
       SELECT c.dbid, c.userid, c.queryid, c.toplevel, c.calls, c.total_exec_ms, c.rows,
              c.shared_blks_hit, c.shared_blks_read, c.temp_blks_written
         FROM cur c
       ON CONFLICT (dbid, userid, queryid, toplevel) DO UPDATE
          SET calls = EXCLUDED.calls, total_exec_ms = EXCLUDED.total_exec_ms, rows = EXCLUDED.rows,
              shared_blks_hit = EXCLUDED.shared_blks_hit, shared_blks_read = EXCLUDED.shared_blks_read,
              temp_blks_written = EXCLUDED.temp_blks_written)
UPDATE architect.snapshots s SET queries = (SELECT count(*) FROM ins)
  FROM sn WHERE s.snapshot_id = sn.snapshot_id;

-- tables of this database
WITH sn AS (SELECT s.snapshot_id, s.taken_at, s.seconds IS NOT NULL AS has_prev
              FROM architect.snapshots s ORDER BY s.snapshot_id DESC LIMIT 1),
cur AS (SELECT st.relid, st.schemaname, st.relname,
               c.relpages::bigint * current_setting('block_size')::bigint AS size_bytes,
               st.n_live_tup, st.n_dead_tup, st.seq_scan, st.seq_tup_read, coalesce(st.idx_scan, 0) AS idx_scan,
               st.n_tup_ins, st.n_tup_upd, st.n_tup_del,
               st.vacuum_count + st.autovacuum_count AS vacuums, st.analyze_count + st.autoanalyze_count AS analyzes
          FROM pg_stat_user_tables st JOIN pg_class c ON c.oid = st.relid
         WHERE architect.is_user_schema(st.schemaname)),
d AS (SELECT c.*, ts.relid IS NULL AS is_new,
             ts.relid IS NULL OR c.seq_scan < ts.seq_scan OR c.seq_tup_read < ts.seq_tup_read OR c.idx_scan < ts.idx_scan
               OR c.n_tup_ins < ts.n_tup_ins OR c.n_tup_upd < ts.n_tup_upd OR c.n_tup_del < ts.n_tup_del AS fresh,
             ts.size_bytes AS s_size, ts.seq_scan AS s_seq, ts.seq_tup_read AS s_seqrows, ts.idx_scan AS s_idx,
             ts.n_tup_ins AS s_ins, ts.n_tup_upd AS s_upd, ts.n_tup_del AS s_del, ts.vacuums AS s_vac, ts.analyzes AS s_ana
        FROM cur c LEFT JOIN architect.table_state ts ON ts.relid = c.relid),
dd AS (SELECT d.relid, d.schemaname, d.relname, d.size_bytes, d.n_live_tup, d.n_dead_tup, d.is_new, d.s_size,
              CASE WHEN d.fresh THEN d.seq_scan ELSE d.seq_scan - d.s_seq END AS seq_scan,
              CASE WHEN d.fresh THEN d.seq_tup_read ELSE d.seq_tup_read - d.s_seqrows END AS seq_tup_read,
              CASE WHEN d.fresh THEN d.idx_scan ELSE d.idx_scan - d.s_idx END AS idx_scan,
              CASE WHEN d.fresh THEN d.n_tup_ins ELSE d.n_tup_ins - d.s_ins END AS n_tup_ins,
              CASE WHEN d.fresh THEN d.n_tup_upd ELSE d.n_tup_upd - d.s_upd END AS n_tup_upd,
              CASE WHEN d.fresh THEN d.n_tup_del ELSE d.n_tup_del - d.s_del END AS n_tup_del,
              CASE WHEN d.fresh OR d.vacuums < d.s_vac THEN d.vacuums ELSE d.vacuums - d.s_vac END AS vacuums,
              CASE WHEN d.fresh OR d.analyzes < d.s_ana THEN d.analyzes ELSE d.analyzes - d.s_ana END AS analyzes
         FROM d),
ins AS (INSERT INTO architect.table_history
        SELECT sn.snapshot_id, sn.taken_at, dd.relid, dd.schemaname, dd.relname, dd.size_bytes,
               dd.n_live_tup, dd.n_dead_tup,
               CASE WHEN sn.has_prev THEN dd.seq_scan ELSE 0 END, CASE WHEN sn.has_prev THEN dd.seq_tup_read ELSE 0 END,
               CASE WHEN sn.has_prev THEN dd.idx_scan ELSE 0 END, CASE WHEN sn.has_prev THEN dd.n_tup_ins ELSE 0 END,
               CASE WHEN sn.has_prev THEN dd.n_tup_upd ELSE 0 END, CASE WHEN sn.has_prev THEN dd.n_tup_del ELSE 0 END,
               CASE WHEN sn.has_prev THEN dd.vacuums ELSE 0 END, CASE WHEN sn.has_prev THEN dd.analyzes ELSE 0 END
          FROM dd CROSS JOIN sn
         WHERE NOT sn.has_prev OR dd.is_new OR dd.size_bytes <> dd.s_size
            OR dd.seq_scan + dd.idx_scan + dd.n_tup_ins + dd.n_tup_upd + dd.n_tup_del + dd.vacuums + dd.analyzes > 0
        RETURNING 1),
gone AS (DELETE FROM architect.table_state ts WHERE NOT EXISTS (SELECT 1 FROM cur c WHERE c.relid = ts.relid)),
up AS (INSERT INTO architect.table_state
       SELECT c.relid, c.size_bytes, c.seq_scan, c.seq_tup_read, c.idx_scan, c.n_tup_ins, c.n_tup_upd, c.n_tup_del,
              c.vacuums, c.analyzes
         FROM cur c
       ON CONFLICT (relid) DO UPDATE
          SET size_bytes = EXCLUDED.size_bytes, seq_scan = EXCLUDED.seq_scan, seq_tup_read = EXCLUDED.seq_tup_read,
              idx_scan = EXCLUDED.idx_scan, n_tup_ins = EXCLUDED.n_tup_ins, n_tup_upd = EXCLUDED.n_tup_upd,
              n_tup_del = EXCLUDED.n_tup_del, vacuums = EXCLUDED.vacuums, analyzes = EXCLUDED.analyzes)
UPDATE architect.snapshots s SET tables = (SELECT count(*) FROM ins)
  FROM sn WHERE s.snapshot_id = sn.snapshot_id;

-- indexes of this database
WITH sn AS (SELECT s.snapshot_id, s.taken_at, s.seconds IS NOT NULL AS has_prev
              FROM architect.snapshots s ORDER BY s.snapshot_id DESC LIMIT 1),
cur AS (SELECT si.indexrelid, si.schemaname, si.relname, si.indexrelname,
               c.relpages::bigint * current_setting('block_size')::bigint AS size_bytes,
               si.idx_scan, si.idx_tup_read
          FROM pg_stat_user_indexes si JOIN pg_class c ON c.oid = si.indexrelid
         WHERE architect.is_user_schema(si.schemaname)),
d AS (SELECT c.*, xs.indexrelid IS NULL AS is_new,
             xs.indexrelid IS NULL OR c.idx_scan < xs.idx_scan OR c.idx_tup_read < xs.idx_tup_read AS fresh,
             xs.size_bytes AS s_size, xs.idx_scan AS s_scan, xs.idx_tup_read AS s_read
        FROM cur c LEFT JOIN architect.index_state xs ON xs.indexrelid = c.indexrelid),
ins AS (INSERT INTO architect.index_history
        SELECT sn.snapshot_id, sn.taken_at, d.indexrelid, d.schemaname, d.relname, d.indexrelname, d.size_bytes,
               CASE WHEN NOT sn.has_prev THEN 0 WHEN d.fresh THEN d.idx_scan ELSE d.idx_scan - d.s_scan END,
               CASE WHEN NOT sn.has_prev THEN 0 WHEN d.fresh THEN d.idx_tup_read ELSE d.idx_tup_read - d.s_read END
          FROM d CROSS JOIN sn
         WHERE NOT sn.has_prev OR d.is_new OR d.size_bytes <> d.s_size OR d.fresh OR d.idx_scan > d.s_scan
        RETURNING 1),
gone AS (DELETE FROM architect.index_state xs WHERE NOT EXISTS (SELECT 1 FROM cur c WHERE c.indexrelid = xs.indexrelid)),
up AS (INSERT INTO architect.index_state
       SELECT c.indexrelid, c.size_bytes, c.idx_scan, c.idx_tup_read FROM cur c
       ON CONFLICT (indexrelid) DO UPDATE
          SET size_bytes = EXCLUDED.size_bytes, idx_scan = EXCLUDED.idx_scan, idx_tup_read = EXCLUDED.idx_tup_read)
UPDATE architect.snapshots s SET indexes = (SELECT count(*) FROM ins)
  FROM sn WHERE s.snapshot_id = sn.snapshot_id;

-- every database
WITH sn AS (SELECT s.snapshot_id, s.taken_at, s.seconds IS NOT NULL AS has_prev
              FROM architect.snapshots s ORDER BY s.snapshot_id DESC LIMIT 1),
cur AS (SELECT d.datid, d.datname,
               CASE WHEN d.datname = current_database() THEN pg_database_size(d.datid) END AS size_bytes,
               d.numbackends, d.xact_commit, d.xact_rollback, d.blks_read, d.blks_hit, d.tup_inserted,
               d.tup_updated, d.tup_deleted, d.temp_files, d.temp_bytes, d.deadlocks,
               coalesce(d.sessions, 0) AS sessions, coalesce(d.session_time, 0) AS session_time_ms
          FROM pg_stat_database d WHERE d.datname IS NOT NULL),
d AS (SELECT c.*, ds.datid IS NULL OR c.xact_commit < ds.xact_commit OR c.blks_hit < ds.blks_hit
                  OR c.sessions < ds.sessions AS fresh,
             ds.xact_commit AS s_commit, ds.xact_rollback AS s_rollback, ds.blks_read AS s_read, ds.blks_hit AS s_hit,
             ds.tup_inserted AS s_ins, ds.tup_updated AS s_upd, ds.tup_deleted AS s_del, ds.temp_files AS s_tf,
             ds.temp_bytes AS s_tb, ds.deadlocks AS s_dl, ds.sessions AS s_sess, ds.session_time_ms AS s_st
        FROM cur c LEFT JOIN architect.database_state ds ON ds.datid = c.datid),
ins AS (INSERT INTO architect.database_history
        SELECT sn.snapshot_id, sn.taken_at, d.datid, d.datname, d.size_bytes, d.numbackends,
               CASE WHEN NOT sn.has_prev THEN 0 WHEN d.fresh THEN d.xact_commit ELSE d.xact_commit - d.s_commit END,
               CASE WHEN NOT sn.has_prev THEN 0 WHEN d.fresh THEN d.xact_rollback ELSE d.xact_rollback - d.s_rollback END,
               CASE WHEN NOT sn.has_prev THEN 0 WHEN d.fresh THEN d.blks_read ELSE d.blks_read - d.s_read END,
               CASE WHEN NOT sn.has_prev THEN 0 WHEN d.fresh THEN d.blks_hit ELSE d.blks_hit - d.s_hit END,
               CASE WHEN NOT sn.has_prev THEN 0 WHEN d.fresh THEN d.tup_inserted ELSE d.tup_inserted - d.s_ins END,
               CASE WHEN NOT sn.has_prev THEN 0 WHEN d.fresh THEN d.tup_updated ELSE d.tup_updated - d.s_upd END,
               CASE WHEN NOT sn.has_prev THEN 0 WHEN d.fresh THEN d.tup_deleted ELSE d.tup_deleted - d.s_del END,
               CASE WHEN NOT sn.has_prev THEN 0 WHEN d.fresh THEN d.temp_files ELSE d.temp_files - d.s_tf END,
               CASE WHEN NOT sn.has_prev THEN 0 WHEN d.fresh THEN d.temp_bytes ELSE d.temp_bytes - d.s_tb END,
               CASE WHEN NOT sn.has_prev THEN 0 WHEN d.fresh THEN d.deadlocks ELSE d.deadlocks - d.s_dl END,
               CASE WHEN NOT sn.has_prev THEN 0 WHEN d.fresh THEN d.sessions ELSE d.sessions - d.s_sess END,
               CASE WHEN NOT sn.has_prev THEN 0 WHEN d.fresh THEN d.session_time_ms ELSE d.session_time_ms - d.s_st END
          FROM d CROSS JOIN sn
        RETURNING 1),
gone AS (DELETE FROM architect.database_state ds WHERE NOT EXISTS (SELECT 1 FROM cur c WHERE c.datid = ds.datid)),
up AS (INSERT INTO architect.database_state
       SELECT c.datid, c.xact_commit, c.xact_rollback, c.blks_read, c.blks_hit, c.tup_inserted, c.tup_updated,
              c.tup_deleted, c.temp_files, c.temp_bytes, c.deadlocks, c.sessions, c.session_time_ms
         FROM cur c
       ON CONFLICT (datid) DO UPDATE
          SET xact_commit = EXCLUDED.xact_commit, xact_rollback = EXCLUDED.xact_rollback,
              blks_read = EXCLUDED.blks_read, blks_hit = EXCLUDED.blks_hit, tup_inserted = EXCLUDED.tup_inserted,
              tup_updated = EXCLUDED.tup_updated, tup_deleted = EXCLUDED.tup_deleted, temp_files = EXCLUDED.temp_files,
              temp_bytes = EXCLUDED.temp_bytes, deadlocks = EXCLUDED.deadlocks, sessions = EXCLUDED.sessions,
              session_time_ms = EXCLUDED.session_time_ms)
UPDATE architect.snapshots s SET databases = (SELECT count(*) FROM ins)
  FROM sn WHERE s.snapshot_id = sn.snapshot_id;

SELECT max(snapshot_id) FROM architect.snapshots;
$$;
COMMENT ON FUNCTION architect.snapshot() IS 'records what changed since the previous snapshot (queries, tables, indexes, databases) into the history tables; returns the snapshot id';
REVOKE ALL ON FUNCTION architect.snapshot() FROM PUBLIC;

CREATE FUNCTION architect.purge_history(older_than interval DEFAULT '14 days')
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    cutoff timestamptz;
    purged bigint;
BEGIN
    PERFORM architect.require_primary('architect.purge_history()');
    IF older_than < interval '0' THEN
        RAISE EXCEPTION 'older_than must not be negative'
              USING ERRCODE = 'invalid_parameter_value',
                    DETAIL = format('older_than is %s; a negative age would name rows from the future.', older_than),
                    HINT = 'Pass the age of the oldest history to keep, e.g. architect.purge_history(''14 days''); ''0'' deletes all of it.';
    END IF;
    BEGIN
        cutoff := now() - older_than;
    EXCEPTION WHEN datetime_field_overflow THEN
        cutoff := '-infinity';      -- older than any timestamp: nothing to delete
    END;
    DELETE FROM architect.query_history WHERE taken_at < cutoff;
    DELETE FROM architect.table_history WHERE taken_at < cutoff;
    DELETE FROM architect.index_history WHERE taken_at < cutoff;
    DELETE FROM architect.database_history WHERE taken_at < cutoff;
    DELETE FROM architect.recommendation_history WHERE taken_at < cutoff;
    DELETE FROM architect.snapshots WHERE taken_at < cutoff;
    GET DIAGNOSTICS purged = ROW_COUNT;
    RETURN purged;
END
$$;
COMMENT ON FUNCTION architect.purge_history(interval) IS 'deletes the snapshots and history rows older than the given age (not negative: 22023; larger than any timestamp: nothing); returns how many snapshots went';
REVOKE ALL ON FUNCTION architect.purge_history(interval) FROM PUBLIC;

CREATE FUNCTION architect.snapshot_recommendations()
RETURNS bigint
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'pga_snapshot_recommendations';
COMMENT ON FUNCTION architect.snapshot_recommendations() IS 'records the current index recommendations (architect.recommend_indexes()) in architect.recommendation_history';
REVOKE ALL ON FUNCTION architect.snapshot_recommendations() FROM PUBLIC;

CREATE FUNCTION architect.schedule(
    snapshot_every interval DEFAULT '5 minutes',
    retention interval DEFAULT '14 days',
    nightly_advisor boolean DEFAULT false,
    database name DEFAULT NULL)
RETURNS TABLE (jobid bigint, jobname text, schedule text, command text, database text)
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'pga_schedule';
COMMENT ON FUNCTION architect.schedule(interval, interval, boolean, name) IS 'creates or updates the pg_cron jobs of pg_architect for a database: snapshot, daily purge, optional nightly advisor';
REVOKE ALL ON FUNCTION architect.schedule(interval, interval, boolean, name) FROM PUBLIC;

CREATE FUNCTION architect.unschedule(database name DEFAULT NULL)
RETURNS bigint
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'pga_unschedule';
COMMENT ON FUNCTION architect.unschedule(name) IS 'removes the pg_cron jobs architect.schedule() created for a database, and only those; returns how many';
REVOKE ALL ON FUNCTION architect.unschedule(name) FROM PUBLIC;

-- Trends, per day.

CREATE VIEW architect.query_trends WITH (security_invoker = true) AS
SELECT pg_catalog.date_trunc('day', h.taken_at) AS day,
       d.datname::text AS database,
       h.queryid,
       sum(h.calls)::bigint AS calls,
       round(sum(h.total_exec_ms)::numeric, 3)::float8 AS total_exec_ms,
       round((sum(h.total_exec_ms) / nullif(sum(h.calls), 0))::numeric, 3)::float8 AS mean_exec_ms,
       sum(h.rows)::bigint AS rows,
       round((100 * sum(h.shared_blks_hit) / nullif(sum(h.shared_blks_hit + h.shared_blks_read), 0))::numeric, 2)::float8 AS cache_hit_pct,
       sum(h.temp_blks_written)::bigint AS temp_blks_written,
       min(t.query) AS query
  FROM architect.query_history h
  LEFT JOIN pg_catalog.pg_database d ON d.oid = h.dbid
  LEFT JOIN (SELECT DISTINCT ON (q.dbid, q.queryid) q.dbid, q.queryid, left(q.query, 200) AS query
               FROM architect.statements(true) q) t ON t.dbid = h.dbid AND t.queryid = h.queryid
 WHERE h.toplevel
 GROUP BY 1, 2, h.dbid, h.queryid
 ORDER BY 1 DESC, 5 DESC;
COMMENT ON VIEW architect.query_trends IS 'per day and query: calls, total and mean time, rows, cache hit, from the snapshots';

CREATE VIEW architect.table_growth WITH (security_invoker = true) AS
WITH per_day AS (
    SELECT DISTINCT ON (h.relid, pg_catalog.date_trunc('day', h.taken_at))
           pg_catalog.date_trunc('day', h.taken_at) AS day, h.relid, h.schema_name, h.table_name,
           h.size_bytes, h.live_tuples
      FROM architect.table_history h
     ORDER BY h.relid, pg_catalog.date_trunc('day', h.taken_at), h.taken_at DESC
),
activity AS (
    SELECT pg_catalog.date_trunc('day', h.taken_at) AS day, h.relid,
           sum(h.n_tup_ins) AS inserts, sum(h.n_tup_upd) AS updates, sum(h.n_tup_del) AS deletes,
           sum(h.seq_scan) AS seq_scans, sum(h.idx_scan) AS index_scans
      FROM architect.table_history h
     GROUP BY 1, 2
)
SELECT p.day, p.schema_name::text, p.table_name::text, p.size_bytes,
       p.size_bytes - pg_catalog.lag(p.size_bytes) OVER w AS growth_bytes,
       p.live_tuples,
       p.live_tuples - pg_catalog.lag(p.live_tuples) OVER w AS growth_rows,
       a.inserts::bigint, a.updates::bigint, a.deletes::bigint, a.seq_scans::bigint, a.index_scans::bigint
  FROM per_day p JOIN activity a ON a.day = p.day AND a.relid = p.relid
WINDOW w AS (PARTITION BY p.relid ORDER BY p.day)
 ORDER BY p.day DESC, p.size_bytes DESC;
COMMENT ON VIEW architect.table_growth IS 'per day and table: size and rows at the end of the day, growth since the previous day with data, row changes and scans';

CREATE VIEW architect.index_growth WITH (security_invoker = true) AS
WITH per_day AS (
    SELECT DISTINCT ON (h.indexrelid, pg_catalog.date_trunc('day', h.taken_at))
           pg_catalog.date_trunc('day', h.taken_at) AS day, h.indexrelid, h.schema_name, h.table_name, h.index_name,
           h.size_bytes
      FROM architect.index_history h
     ORDER BY h.indexrelid, pg_catalog.date_trunc('day', h.taken_at), h.taken_at DESC
),
activity AS (
    SELECT pg_catalog.date_trunc('day', h.taken_at) AS day, h.indexrelid, sum(h.idx_scan) AS scans
      FROM architect.index_history h
     GROUP BY 1, 2
)
SELECT p.day, p.schema_name::text, p.table_name::text, p.index_name::text, p.size_bytes,
       p.size_bytes - pg_catalog.lag(p.size_bytes) OVER (PARTITION BY p.indexrelid ORDER BY p.day) AS growth_bytes,
       a.scans::bigint AS index_scans
  FROM per_day p JOIN activity a ON a.day = p.day AND a.indexrelid = p.indexrelid
 ORDER BY p.day DESC, p.size_bytes DESC;
COMMENT ON VIEW architect.index_growth IS 'per day and index: size at the end of the day, growth since the previous day with data, scans';

CREATE VIEW architect.database_trends WITH (security_invoker = true) AS
SELECT pg_catalog.date_trunc('day', h.taken_at) AS day,
       h.datname::text AS database,
       max(h.size_bytes) FILTER (WHERE h.size_bytes IS NOT NULL) AS size_bytes,
       sum(h.xact_commit)::bigint AS commits,
       sum(h.xact_rollback)::bigint AS rollbacks,
       round(100.0 * sum(h.xact_rollback) / nullif(sum(h.xact_commit + h.xact_rollback), 0), 2)::float8 AS rollback_pct,
       round(100.0 * sum(h.blks_hit) / nullif(sum(h.blks_hit + h.blks_read), 0), 2)::float8 AS cache_hit_pct,
       sum(h.temp_bytes)::bigint AS temp_bytes,
       sum(h.deadlocks)::bigint AS deadlocks,
       sum(h.sessions)::bigint AS sessions,
       max(h.numbackends) AS max_backends
  FROM architect.database_history h
 GROUP BY 1, 2
 ORDER BY 1 DESC, 2;
COMMENT ON VIEW architect.database_trends IS 'per day and database: size, commits, rollbacks, cache hit, temp bytes, deadlocks, sessions, from the snapshots';

-- The views filter what each role may see themselves (security_invoker).
GRANT SELECT ON architect.table_growth, architect.index_growth, architect.database_trends TO PUBLIC;
-- query history is for pg_monitor, and so are its trends
GRANT SELECT ON architect.query_trends TO pg_monitor;
