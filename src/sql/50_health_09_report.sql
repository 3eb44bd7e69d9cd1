-- Health, part 9: every finding in one view, the alerts that need attention
-- now, and the report for psql.

-- Every finding of every health view (the data views contribute their
-- warnings and critical rows only), with the view it comes from.
-- The query runs in a function so that it can switch JIT compilation off
-- (over a large catalog its estimated cost passes jit_above_cost, and
-- compiling it would take far longer than running it) and give its sorts
-- the memory to stay off disk.
CREATE FUNCTION architect.findings_rows()
RETURNS TABLE ("check" text, object text, severity text, value text, threshold text, detail text, action text, evidence_since timestamptz, source text)
LANGUAGE sql STABLE PARALLEL RESTRICTED
SET jit = off
SET work_mem = '64MB'
AS $body$
SELECT f.check, f.object, f.severity, f.value, f.threshold, f.detail, f.action, f.evidence_since, f.source
  FROM (
    SELECT "check", object, severity, value, threshold, detail, action, evidence_since, 'unused_indexes'::text AS source
      FROM architect.unused_indexes
    UNION ALL
    SELECT "check", object, severity, value, threshold, detail, action, evidence_since, 'duplicate_indexes'
      FROM architect.duplicate_indexes
    UNION ALL
    SELECT "check", object, severity, value, threshold, detail, action, evidence_since, 'invalid_indexes'
      FROM architect.invalid_indexes
    UNION ALL
    SELECT "check", object, severity, value, threshold, detail, action, evidence_since, 'table_bloat'
      FROM architect.table_bloat WHERE severity <> 'info'
    UNION ALL
    SELECT "check", object, severity, value, threshold, detail, action, evidence_since, 'index_bloat'
      FROM architect.index_bloat WHERE severity <> 'info'
    UNION ALL
    SELECT "check", object, severity, value, threshold, detail, action, evidence_since, 'seq_scan_tables'
      FROM architect.seq_scan_tables WHERE severity <> 'info'
    UNION ALL
    SELECT "check", object, severity, value, threshold, detail, action, evidence_since, 'vacuum_health'
      FROM architect.vacuum_health WHERE severity <> 'info'
    UNION ALL
    SELECT "check", object, severity, value, threshold, detail, action, evidence_since, 'wraparound'
      FROM architect.wraparound WHERE severity <> 'info'
    UNION ALL
    SELECT "check", object, severity, value, threshold, detail, action, evidence_since, 'sequences'
      FROM architect.sequences WHERE severity <> 'info'
    UNION ALL
    SELECT "check", object, severity, value, threshold, detail, action, evidence_since, 'connections'
      FROM architect.connections WHERE severity <> 'info'
    UNION ALL
    SELECT "check", object, severity, value, threshold, detail, action, evidence_since, 'long_running'
      FROM architect.long_running
    UNION ALL
    SELECT "check", object, severity, value, threshold, detail, action, evidence_since, 'idle_in_transaction'
      FROM architect.idle_in_transaction
    UNION ALL
    SELECT "check", object, severity, value, threshold, detail, action, evidence_since, 'blocking'
      FROM architect.blocking
    UNION ALL
    SELECT "check", object, severity, value, threshold, detail, action, evidence_since, 'cache_hit'
      FROM architect.cache_hit WHERE severity <> 'info'
    UNION ALL
    SELECT "check", object, severity, value, threshold, detail, action, evidence_since, 'temp_files'
      FROM architect.temp_files WHERE severity <> 'info'
    UNION ALL
    SELECT "check", object, severity, value, threshold, detail, action, evidence_since, 'checkpoints'
      FROM architect.checkpoints WHERE severity <> 'info'
    UNION ALL
    SELECT "check", object, severity, value, threshold, detail, action, evidence_since, 'slow_queries'
      FROM architect.slow_queries
    UNION ALL
    SELECT "check", object, severity, value, threshold, detail, action, evidence_since, 'replication'
      FROM architect.replication WHERE severity <> 'info' OR "check" = 'replication'
    UNION ALL
    SELECT "check", object, severity, value, threshold, detail, action, evidence_since, 'archiving'
      FROM architect.archiving
    UNION ALL
    SELECT "check", object, severity, value, threshold, detail, action, evidence_since, 'connection_churn'
      FROM architect.connection_churn WHERE severity <> 'info'
    UNION ALL
    SELECT "check", object, severity, value, threshold, detail, action, evidence_since, 'databases'
      FROM architect.databases WHERE severity <> 'info'
    UNION ALL
    SELECT "check", object, severity, value, threshold, detail, action, evidence_since, 'config_advice'
      FROM architect.config_advice WHERE status = 'change'
    UNION ALL
    SELECT "check", object, severity, value, threshold, detail, action, evidence_since, 'security_advice'
      FROM architect.security_advice
    UNION ALL
    SELECT "check", object, severity, value, threshold, detail, action, evidence_since, 'schema_advice'
      FROM architect.schema_advice
  ) f
 ORDER BY architect.severity_rank(f.severity) DESC, f.check, f.object
$body$;
COMMENT ON FUNCTION architect.findings_rows() IS 'the rows of architect.findings (run without JIT)';

CREATE VIEW architect.findings WITH (security_invoker = true) AS
    SELECT * FROM architect.findings_rows();
COMMENT ON VIEW architect.findings IS 'every finding of every health view, worst first, with the view it comes from';

-- What needs attention now: connections near the limit, wraparound, long
-- and idle transactions, lock waits, replication lag and slots retaining
-- WAL, invalid indexes, slow queries, low cache hit, high rollback rate,
-- deadlocks, checksum failures, failing archiving, sequences running out.
-- Built from the views it needs only, so that it stays cheap to poll.
CREATE VIEW architect.alerts WITH (security_invoker = true) AS
SELECT a.severity, a.check, a.object, a.value, a.threshold, a.detail, a.action, a.evidence_since, a.source
  FROM (
    SELECT "check", object, severity, value, threshold, detail, action, evidence_since, 'connections'::text AS source
      FROM architect.connections
    UNION ALL
    SELECT "check", object, severity, value, threshold, detail, action, evidence_since, 'wraparound'
      FROM architect.wraparound
    UNION ALL
    SELECT "check", object, severity, value, threshold, detail, action, evidence_since, 'long_running'
      FROM architect.long_running
    UNION ALL
    SELECT "check", object, severity, value, threshold, detail, action, evidence_since, 'idle_in_transaction'
      FROM architect.idle_in_transaction
    UNION ALL
    SELECT "check", object, severity, value, threshold, detail, action, evidence_since, 'blocking'
      FROM architect.blocking
    UNION ALL
    SELECT "check", object, severity, value, threshold, detail, action, evidence_since, 'replication'
      FROM architect.replication
    UNION ALL
    SELECT "check", object, severity, value, threshold, detail, action, evidence_since, 'invalid_indexes'
      FROM architect.invalid_indexes
    UNION ALL
    SELECT "check", object, severity, value, threshold, detail, action, evidence_since, 'slow_queries'
      FROM architect.slow_queries
    UNION ALL
    SELECT "check", object, severity, value, threshold, detail, action, evidence_since, 'cache_hit'
      FROM architect.cache_hit
    UNION ALL
    SELECT "check", object, severity, value, threshold, detail, action, evidence_since, 'databases'
      FROM architect.databases
    UNION ALL
    SELECT "check", object, severity, value, threshold, detail, action, evidence_since, 'archiving'
      FROM architect.archiving
    UNION ALL
    SELECT "check", object, severity, value, threshold, detail, action, evidence_since, 'sequences'
      FROM architect.sequences
  ) a
 WHERE a.severity IN ('warning', 'critical')
 ORDER BY architect.severity_rank(a.severity) DESC, a.check, a.object;
COMMENT ON VIEW architect.alerts IS 'the warnings and critical findings that need attention now, worst first';

-- The whole picture as text for psql, worst first: a header, then each
-- severity with its findings grouped by check (at most rows_per_check per
-- check, then how to see the rest), then the top queries.
CREATE TYPE architect.severity AS ENUM ('info', 'warning', 'critical');
COMMENT ON TYPE architect.severity IS 'severities of the health findings, in increasing order';

CREATE FUNCTION architect.report(min_severity architect.severity DEFAULT 'info', rows_per_check integer DEFAULT 10)
RETURNS SETOF text
LANGUAGE plpgsql VOLATILE PARALLEL RESTRICTED STRICT
SET search_path = pg_catalog, pg_temp
SET jit = off
SET work_mem = '64MB'
AS $$
DECLARE
    -- in bigint, so that "every row" (rows_per_check => 2147483647) plus one
    -- does not overflow
    per_check bigint := rows_per_check;
BEGIN
IF per_check < 0 THEN
    RAISE EXCEPTION 'rows_per_check must not be negative'
          USING ERRCODE = 'invalid_parameter_value',
                DETAIL = format('rows_per_check is %s.', rows_per_check),
                HINT = 'Pass how many findings to print per check: 0 prints only how many there are, 2147483647 prints them all.';
END IF;
RETURN QUERY
WITH f AS MATERIALIZED (
    SELECT x.*, architect.severity_rank(x.severity) AS sev_rank
      FROM architect.findings x
     WHERE architect.severity_rank(x.severity) >= architect.severity_rank(min_severity::text)
),
g AS (
    SELECT f.*,
           row_number() OVER (PARTITION BY f.sev_rank, f.check ORDER BY f.object) AS rn,
           count(*) OVER (PARTITION BY f.sev_rank, f.check) AS n_in_check,
           count(*) OVER (PARTITION BY f.sev_rank) AS n_in_severity
      FROM f
),
counts AS (
    SELECT count(*) FILTER (WHERE severity = 'critical') AS critical,
           count(*) FILTER (WHERE severity = 'warning') AS warning,
           count(*) FILTER (WHERE severity = 'info') AS info
      FROM f
),
lines AS (
    -- header
    SELECT 0 AS sect, 0 AS sev, ''::text AS chk, 0::bigint AS rn, 1 AS k,
           format('pg_architect health report for database %s (PostgreSQL %s) at %s',
                  quote_ident(current_database()), current_setting('server_version'),
                  to_char(now(), 'YYYY-MM-DD HH24:MI TZ')) AS line
    UNION ALL
    SELECT 0, 0, '', 0, 2,
           format('statistics collected since %s (%s)', to_char(architect.stats_since(), 'YYYY-MM-DD HH24:MI TZ'),
                  architect.age_text(now() - architect.stats_since()))
    UNION ALL
    SELECT 0, 0, '', 0, 3,
           format('%s critical, %s warning, %s info', c.critical, c.warning, c.info) || CASE
               WHEN min_severity > 'info' THEN format(' (findings below %s not shown)', min_severity) ELSE '' END
      FROM counts c
    UNION ALL
    SELECT 0, 0, '', 0, 4,
           'no finding: nothing to report' FROM counts c WHERE c.critical + c.warning + c.info = 0
    -- a title per severity, after an empty line
    UNION ALL
    SELECT DISTINCT 1, g.sev_rank, '', 0, -1, '' FROM g
    UNION ALL
    SELECT DISTINCT 1, g.sev_rank, '', 0, 0,
           upper(g.severity) || ' (' || g.n_in_severity || ')'
      FROM g
    -- each finding: what, why, what to do
    UNION ALL
    SELECT 1, g.sev_rank, g.check, g.rn, 1,
           format('  [%s] %s: %s', g.check, g.object, g.value)
             || coalesce(' (threshold ' || g.threshold || ')', '')
      FROM g WHERE g.rn <= per_check
    UNION ALL
    SELECT 1, g.sev_rank, g.check, g.rn, 2, '      ' || g.detail
      FROM g WHERE g.rn <= per_check AND g.detail IS NOT NULL
    UNION ALL
    SELECT 1, g.sev_rank, g.check, g.rn, 3, '      -> ' || g.action
      FROM g WHERE g.rn <= per_check AND g.action IS NOT NULL
    UNION ALL
    SELECT 1, g.sev_rank, g.check, g.rn, 4,
           format('  ... and %s more %s findings: SELECT * FROM architect.findings WHERE "check" = %L AND severity = %L;',
                  g.n_in_check - per_check, g.check, g.check, g.severity)
      FROM g WHERE g.rn = per_check + 1
    -- the top queries
    UNION ALL
    SELECT 2, 0, '', 0, k.k, k.line
      FROM (VALUES (-1, ''), (0, 'TOP QUERIES (by total time)')) k(k, line)
     WHERE EXISTS (SELECT 1 FROM architect.top_queries)
    UNION ALL
    SELECT 2, 0, '', t.n, 1,
           format('  %s. %s %% of the time, %s: %s', t.n, coalesce(t.pct_of_total_time, 0), t.value,
                  left(regexp_replace(t.query, '\s+', ' ', 'g'), 100))
      FROM (SELECT q.*, row_number() OVER (ORDER BY q.total_exec_ms DESC) AS n
              FROM architect.top_queries q) t
     WHERE t.n <= 5
    UNION ALL
    SELECT 2, 0, '', t.n, 2, '      plan findings: ' || t.findings
      FROM (SELECT q.*, row_number() OVER (ORDER BY q.total_exec_ms DESC) AS n
              FROM architect.top_queries q) t
     WHERE t.n <= 5 AND t.findings IS NOT NULL
)
SELECT l.line
  FROM lines l
 ORDER BY l.sect, l.sev DESC, l.chk, l.rn, l.k;
END
$$;
COMMENT ON FUNCTION architect.report(architect.severity, integer) IS 'the whole health picture as text for psql, worst first: SELECT * FROM architect.report();';

-- The views filter what each role may see themselves (security_invoker).
GRANT SELECT ON architect.findings, architect.alerts TO PUBLIC;
