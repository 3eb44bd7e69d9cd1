-- Index builds: jobs run by a background worker (src/indexer*.c).
--
-- The job log is written only by the workers (as the owner of these
-- tables); roles read their own jobs through architect.index_jobs.

CREATE SEQUENCE architect.index_jobs_job_id_seq;
COMMENT ON SEQUENCE architect.index_jobs_job_id_seq IS 'job ids of index builds and drops';

CREATE TABLE architect.index_jobs_log (
    job_id              bigint PRIMARY KEY,
    kind                text NOT NULL CHECK (kind IN ('create', 'drop')),
    source              text NOT NULL,
    roleid              oid NOT NULL,
    role_name           name NOT NULL,
    relid               oid NOT NULL,
    schema_name         name NOT NULL,
    table_name          name NOT NULL,
    index_name          name NOT NULL,
    index_oid           oid,
    statement           text NOT NULL,
    concurrent          boolean NOT NULL,
    queryids            bigint[],
    status              text NOT NULL
                        CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
    queued_at           timestamptz NOT NULL,
    started_at          timestamptz,
    finished_at         timestamptz,
    worker_pid          integer,
    attempts            integer NOT NULL DEFAULT 0,
    size_bytes          bigint,
    sqlstate            text,
    error               text,
    error_detail        text,
    cleanup             text,
    cleanup_pending     boolean NOT NULL DEFAULT false,
    notes               text,
    verification        text,
    queries_verified    integer,
    queries_using_index integer,
    cost_before         float8,
    cost_after          float8
);
COMMENT ON TABLE architect.index_jobs_log IS 'every index build and drop run through pg_architect, written by its worker';
REVOKE ALL ON architect.index_jobs_log FROM PUBLIC;
REVOKE ALL ON SEQUENCE architect.index_jobs_job_id_seq FROM PUBLIC;

CREATE TABLE architect.index_job_queries (
    job_id                 bigint NOT NULL
                           REFERENCES architect.index_jobs_log ON DELETE CASCADE,
    queryid                bigint NOT NULL,
    query                  text,
    cost_before            float8,
    cost_after             float8,
    uses_index             boolean,
    note                   text,
    calls_at_build         bigint,
    total_exec_ms_at_build float8,
    PRIMARY KEY (job_id, queryid)
);
COMMENT ON TABLE architect.index_job_queries IS 'queries each build was verified with: planned cost before and after, index use, pg_stat_statements counters when the build finished';
REVOKE ALL ON architect.index_job_queries FROM PUBLIC;

-- pg_dump keeps the job history.
SELECT pg_catalog.pg_extension_config_dump('architect.index_jobs_log', '');
SELECT pg_catalog.pg_extension_config_dump('architect.index_job_queries', '');
SELECT pg_catalog.pg_extension_config_dump('architect.index_jobs_job_id_seq', '');

CREATE FUNCTION architect.create_index(
    ddl_or_recommendation text,
    concurrently boolean DEFAULT true,
    wait boolean DEFAULT true)
RETURNS bigint
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'pga_create_index';
COMMENT ON FUNCTION architect.create_index(text, boolean, boolean) IS 'builds an index from a CREATE INDEX statement or a recommendation in a background worker; returns the job id (needs shared_preload_libraries)';

CREATE FUNCTION architect.drop_index(
    index regclass,
    concurrently boolean DEFAULT true,
    force boolean DEFAULT false,
    wait boolean DEFAULT true)
RETURNS bigint
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'pga_drop_index';
COMMENT ON FUNCTION architect.drop_index(regclass, boolean, boolean, boolean) IS 'drops an index in a background worker, refusing constraint indexes and, unless forced, indexes in use; returns the job id (needs shared_preload_libraries)';

CREATE FUNCTION architect.cancel_index_job(job_id bigint)
RETURNS boolean
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'pga_cancel_index_job';
COMMENT ON FUNCTION architect.cancel_index_job(bigint) IS 'cancels a queued or running index job; false when it has already finished (needs shared_preload_libraries)';

CREATE FUNCTION architect.apply_recommendations(
    budget_mb float8 DEFAULT NULL,
    max_indexes int DEFAULT 10,
    dry_run boolean DEFAULT true,
    OUT rank int,
    OUT schema_name text,
    OUT table_name text,
    OUT index_name text,
    OUT ddl text,
    OUT estimated_size_bytes bigint,
    OUT improvement_pct float8,
    OUT action text,
    OUT job_id bigint)
RETURNS SETOF record
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'pga_apply_recommendations';
COMMENT ON FUNCTION architect.apply_recommendations(float8, int, boolean) IS 'queues builds of the top recommend_indexes() rows, at most pg_architect.max_builds_per_run, one at a time per database; with dry_run (the default) only says what it would do; for pg_cron';

CREATE FUNCTION architect.index_job_slots(
    OUT job_id bigint,
    OUT kind text,
    OUT state text,
    OUT worker_pid integer,
    OUT roleid oid,
    OUT source text,
    OUT schema_name text,
    OUT table_name text,
    OUT index_name text,
    OUT statement text,
    OUT queued_at timestamptz,
    OUT attempts integer,
    OUT cancel_requested boolean,
    OUT error text,
    OUT sqlstate text)
RETURNS SETOF record
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'pga_index_job_slots';
COMMENT ON FUNCTION architect.index_job_slots() IS 'index jobs of this database in shared memory that the current role may see (empty when not preloaded); read through architect.index_jobs';

CREATE FUNCTION architect.statement_counters(
    OUT queryid bigint,
    OUT calls bigint,
    OUT total_exec_ms float8)
RETURNS SETOF record
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'pga_statement_counters';
COMMENT ON FUNCTION architect.statement_counters() IS 'pg_stat_statements calls and total time per query id in this database (none without pg_stat_statements)';

CREATE VIEW architect.index_jobs AS
WITH slots AS (
    SELECT * FROM architect.index_job_slots()
)
SELECT j.job_id,
       pg_catalog.current_database() AS datname,
       j.role_name AS role,
       j.kind,
       j.source,
       j.schema_name,
       j.table_name,
       j.index_name,
       j.statement,
       CASE WHEN j.status IN ('queued', 'running')
                 AND (s.job_id IS NULL OR s.state IN ('failed', 'cancelled'))
            THEN COALESCE(s.state, 'failed')
            ELSE j.status END AS status,
       p.phase,
       CASE WHEN p.blocks_total > 0
            THEN round(100.0 * p.blocks_done / p.blocks_total, 1)
            WHEN p.tuples_total > 0
            THEN round(100.0 * p.tuples_done / p.tuples_total, 1) END AS progress_pct,
       j.queued_at,
       j.started_at,
       j.finished_at,
       j.finished_at - j.started_at AS duration,
       j.attempts,
       j.size_bytes,
       j.sqlstate,
       CASE WHEN j.status IN ('queued', 'running') AND s.job_id IS NULL
            THEN 'the job''s worker is gone (server restart or crash); the cleanup pass will record what happened'
            WHEN j.status IN ('queued', 'running') AND s.state IN ('failed', 'cancelled')
            THEN s.error
            ELSE j.error END AS error,
       j.error_detail,
       j.cleanup,
       j.cleanup_pending,
       j.notes,
       j.verification,
       j.queries_verified,
       j.queries_using_index,
       round(j.cost_before::numeric, 2) AS cost_before,
       round(j.cost_after::numeric, 2) AS cost_after,
       round((100 * (j.cost_after - j.cost_before) / NULLIF(j.cost_before, 0))::numeric, 1)
           AS cost_change_pct,
       j.worker_pid
  FROM architect.index_jobs_log j
  LEFT JOIN slots s ON s.job_id = j.job_id
  LEFT JOIN pg_catalog.pg_stat_progress_create_index p
         ON p.pid = j.worker_pid AND j.status = 'running'
 WHERE pg_catalog.pg_has_role(j.roleid, 'MEMBER')
    OR pg_catalog.pg_has_role('pg_read_all_stats', 'MEMBER')
UNION ALL
SELECT s.job_id,
       pg_catalog.current_database(),
       r.rolname,
       s.kind,
       s.source,
       s.schema_name::name,
       s.table_name::name,
       s.index_name::name,
       s.statement,
       s.state,
       NULL, NULL,
       s.queued_at, NULL, NULL, NULL,
       s.attempts,
       NULL,
       s.sqlstate,
       s.error,
       NULL, NULL, false, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       s.worker_pid
  FROM slots s
  LEFT JOIN pg_catalog.pg_roles r ON r.oid = s.roleid
 WHERE NOT EXISTS (SELECT 1 FROM architect.index_jobs_log j WHERE j.job_id = s.job_id)
   AND (pg_catalog.pg_has_role(s.roleid, 'MEMBER')
        OR pg_catalog.pg_has_role('pg_read_all_stats', 'MEMBER'));
COMMENT ON VIEW architect.index_jobs IS 'index builds and drops: status, progress while running, outcome, cleanup and verification (each role sees its own jobs)';
GRANT SELECT ON architect.index_jobs TO PUBLIC;

CREATE VIEW architect.index_job_effects AS
SELECT q.job_id,
       j.schema_name,
       j.index_name,
       q.queryid,
       q.query,
       round(q.cost_before::numeric, 2) AS cost_before,
       round(q.cost_after::numeric, 2) AS cost_after,
       round((100 * (q.cost_after - q.cost_before) / NULLIF(q.cost_before, 0))::numeric, 1)
           AS cost_change_pct,
       q.uses_index,
       q.calls_at_build AS calls_before,
       round((q.total_exec_ms_at_build / NULLIF(q.calls_at_build, 0))::numeric, 3)
           AS mean_ms_before,
       CASE WHEN c.calls >= q.calls_at_build THEN c.calls - q.calls_at_build
            ELSE c.calls END AS calls_after,
       round((CASE WHEN c.calls > q.calls_at_build
                   THEN (c.total_exec_ms - q.total_exec_ms_at_build) / (c.calls - q.calls_at_build)
                   WHEN c.calls < q.calls_at_build AND c.calls > 0
                   THEN c.total_exec_ms / c.calls END)::numeric, 3) AS mean_ms_after,
       round((100 * ((CASE WHEN c.calls > q.calls_at_build
                           THEN (c.total_exec_ms - q.total_exec_ms_at_build) / (c.calls - q.calls_at_build)
                           WHEN c.calls < q.calls_at_build AND c.calls > 0
                           THEN c.total_exec_ms / c.calls END)
                     / NULLIF(q.total_exec_ms_at_build / NULLIF(q.calls_at_build, 0), 0) - 1))::numeric, 1)
           AS mean_change_pct,
       q.note
  FROM architect.index_job_queries q
  JOIN architect.index_jobs_log j ON j.job_id = q.job_id
  LEFT JOIN architect.statement_counters() c ON c.queryid = q.queryid
 WHERE pg_catalog.pg_has_role(j.roleid, 'MEMBER')
    OR pg_catalog.pg_has_role('pg_read_all_stats', 'MEMBER');
COMMENT ON VIEW architect.index_job_effects IS 'per build and query: planned cost before and after, whether the plan uses the index, and the measured mean execution time before and since the build (pg_stat_statements)';
GRANT SELECT ON architect.index_job_effects TO PUBLIC;

CREATE PROCEDURE architect.wait_index_job(job_id bigint, timeout interval DEFAULT '1 hour')
LANGUAGE plpgsql
AS $$
DECLARE
    deadline timestamptz := pg_catalog.clock_timestamp() OPERATOR(pg_catalog.+) timeout;
    st text;
BEGIN
    IF job_id IS NULL OR timeout IS NULL THEN
        RAISE EXCEPTION 'job_id and timeout must not be NULL'
              USING ERRCODE = 'null_value_not_allowed',
                    HINT = 'Pass a job_id from architect.index_jobs.';
    END IF;
    LOOP
        SELECT j.status INTO st FROM architect.index_jobs j
         WHERE j.job_id OPERATOR(pg_catalog.=) wait_index_job.job_id;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'index job % does not exist', job_id
                  USING ERRCODE = 'undefined_object',
                        HINT = 'architect.index_jobs lists the jobs you may see.';
        END IF;
        EXIT WHEN st IN ('done', 'failed', 'cancelled');
        IF pg_catalog.clock_timestamp() OPERATOR(pg_catalog.>) deadline THEN
            RAISE EXCEPTION 'index job % is still % after %', job_id, st, timeout
                  USING ERRCODE = 'query_canceled',
                        HINT = 'Call it again to keep waiting, or cancel the job with architect.cancel_index_job().';
        END IF;
        -- End the transaction, so that this wait never holds a snapshot
        -- the build itself waits for.
        COMMIT;
        PERFORM pg_catalog.pg_sleep(0.1);
    END LOOP;
END
$$;
COMMENT ON PROCEDURE architect.wait_index_job(bigint, interval) IS 'waits until an index job has finished (CALL it outside a transaction block; it commits while waiting)';
