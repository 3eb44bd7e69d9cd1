-- Health, part 9: every finding in one view, the alerts that need attention
-- now, and the report for psql.

-- Every finding row of every health view, in the shape all of them share
-- (see part 1), with the view it comes from and two flags: in_findings
-- (what architect.findings shows: the data views contribute their
-- warnings and critical rows only) and in_alerts (the views
-- architect.alerts polls).  The view is generated from the list below, one
-- line per source, so that the column list is written once.  Filtering on
-- a flag costs nothing: a source whose flag is the constant false is left
-- out of the plan, and the other filters are pushed down into each view
-- before its text columns are computed.  sequences.may_warn is a bound
-- read from the sequence alone, that spares following every sequence to
-- the columns it feeds.
DO $generate$
DECLARE
    branches text;
BEGIN
    SELECT string_agg(pg_catalog.format(
               'SELECT "check", object, severity, value, threshold, detail, action, evidence_since, '
               '%L::text AS source, (%s) AS in_findings, (%s) AS in_alerts FROM architect.%I',
               v.source, v.in_findings, v.in_alerts,
               -- the views with a large sort of their own are read without it
               CASE WHEN v.source IN ('unused_indexes', 'duplicate_indexes', 'schema_advice')
                    THEN v.source || '_unordered' ELSE v.source END),
           E'\nUNION ALL\n' ORDER BY v.ord)
      INTO branches
      FROM (VALUES
        -- source                   in findings                           in alerts
        ( 1, 'unused_indexes',      'true',                               'false'),
        ( 2, 'duplicate_indexes',   'true',                               'false'),
        ( 3, 'invalid_indexes',     'true',                               'true'),
        ( 4, 'table_bloat',         $$severity <> 'info'$$,               'false'),
        ( 5, 'index_bloat',         $$severity <> 'info'$$,               'false'),
        ( 6, 'seq_scan_tables',     $$severity <> 'info'$$,               'false'),
        ( 7, 'vacuum_health',       $$severity <> 'info'$$,               'false'),
        ( 8, 'wraparound',          $$severity <> 'info'$$,               'true'),
        ( 9, 'sequences',           $$may_warn AND severity <> 'info'$$,  'may_warn'),
        (10, 'connections',         $$severity <> 'info'$$,               'true'),
        (11, 'long_running',        'true',                               'true'),
        (12, 'idle_in_transaction', 'true',                               'true'),
        (13, 'blocking',            'true',                               'true'),
        (14, 'cache_hit',           $$severity <> 'info'$$,               'true'),
        (15, 'temp_files',          $$severity <> 'info'$$,               'false'),
        (16, 'checkpoints',         $$severity <> 'info'$$,               'false'),
        (17, 'slow_queries',        'true',                               'true'),
        (18, 'replication',         $$severity <> 'info' OR "check" = 'replication'$$, 'true'),
        (19, 'archiving',           'true',                               'true'),
        (20, 'connection_churn',    $$severity <> 'info'$$,               'false'),
        (21, 'databases',           $$severity <> 'info'$$,               'true'),
        (22, 'config_advice',       $$status = 'change'$$,                'false'),
        (23, 'security_advice',     'true',                               'false'),
        (24, 'schema_advice',       'true',                               'false')
      ) v(ord, source, in_findings, in_alerts);
    EXECUTE 'CREATE VIEW architect.finding_sources WITH (security_invoker = true) AS ' || branches;
END
$generate$;
COMMENT ON VIEW architect.finding_sources IS 'every finding row of every health view, with its source view and whether architect.findings and architect.alerts show it';

-- Every finding of every health view, worst first.  The query runs in a
-- function so that it can switch JIT compilation off (over a large catalog
-- its estimated cost passes jit_above_cost, and compiling it would take far
-- longer than running it) and give its sorts the memory to stay off disk.
-- In PL/pgSQL rather than SQL so that its plan is kept for the session:
-- planning the two dozen views behind it takes about 60 ms, which a SQL
-- function would spend again on every call.
CREATE FUNCTION architect.findings_rows()
RETURNS TABLE ("check" text, object text, severity text, value text, threshold text, detail text, action text, evidence_since timestamptz, source text)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET jit = off
SET work_mem = '64MB'
SET pg_architect.findings_scope = on
AS $body$
#variable_conflict use_column
BEGIN
RETURN QUERY
SELECT f.check, f.object, f.severity, f.value, f.threshold, f.detail, f.action, f.evidence_since, f.source
  FROM architect.finding_sources f
 WHERE f.in_findings
 ORDER BY architect.severity_rank(f.severity) DESC, f.check, f.object;
END
$body$;
COMMENT ON FUNCTION architect.findings_rows() IS 'the rows of architect.findings (run without JIT)';

CREATE VIEW architect.findings WITH (security_invoker = true) AS
    SELECT * FROM architect.findings_rows();
COMMENT ON VIEW architect.findings IS 'every finding of every health view, worst first, with the view it comes from';

-- What needs attention now: connections near the limit, wraparound, long
-- and idle transactions, lock waits, replication lag and slots retaining
-- WAL, invalid indexes, slow queries, low cache hit, high rollback rate,
-- deadlocks, checksum failures, failing archiving, sequences running out.
-- Only the sources flagged in_alerts are planned, so that it stays cheap
-- to poll.
CREATE VIEW architect.alerts WITH (security_invoker = true) AS
SELECT a.severity, a.check, a.object, a.value, a.threshold, a.detail, a.action, a.evidence_since, a.source
  FROM architect.finding_sources a
 WHERE a.in_alerts AND a.severity IN ('warning', 'critical')
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
SET pg_architect.findings_scope = on
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
    -- the rows of architect.findings, read from their sources directly:
    -- the report orders them itself, so findings' own sort is skipped
    SELECT x.*, architect.severity_rank(x.severity) AS sev_rank
      FROM architect.finding_sources x
     WHERE x.in_findings
       AND architect.severity_rank(x.severity) >= architect.severity_rank(min_severity::text)
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
GRANT SELECT ON architect.finding_sources, architect.findings, architect.alerts TO PUBLIC;
