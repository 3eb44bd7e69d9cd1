-- Health: every finding in one view, the alerts, and the report, worst
-- first.
SET client_min_messages = warning;
CREATE SCHEMA health_r;
SET search_path = health_r, public;

-- a critical finding (an exhausted sequence), warnings (two redundant
-- indexes), an info (a timestamp without time zone)
CREATE SEQUENCE exhausted MAXVALUE 10;
SELECT setval('exhausted', 10);
CREATE TABLE t (id int PRIMARY KEY, a int, b int, at timestamp);
CREATE INDEX t_a ON t (a);
CREATE INDEX t_a_copy ON t (a);
CREATE INDEX t_ab ON t (a, b);

SELECT "check", object, severity, source FROM architect.findings
 WHERE object LIKE 'health_r.%' ORDER BY architect.severity_rank(severity) DESC, "check", object;
-- alerts: what needs attention now; redundant indexes can wait
SELECT severity, "check", object, source FROM architect.alerts WHERE object LIKE 'health_r.%';
-- findings and alerts both read architect.finding_sources, the one list
-- of sources: findings shows the rows flagged in_findings, alerts the
-- warnings and critical rows of the sources flagged in_alerts
SELECT (SELECT count(*) FROM architect.findings WHERE object LIKE 'health_r.%')
     = (SELECT count(*) FROM architect.finding_sources WHERE in_findings AND object LIKE 'health_r.%') AS findings_agree,
       (SELECT count(*) FROM architect.alerts WHERE object LIKE 'health_r.%')
     = (SELECT count(*) FROM architect.finding_sources
         WHERE in_alerts AND severity IN ('warning', 'critical') AND object LIKE 'health_r.%') AS alerts_agree;
-- (seq_scan_tables left out: whether it lists t depends on when the
-- statistics of the index builds above reach the shared statistics)
SELECT source, bool_or(in_findings) AS in_findings, bool_or(in_alerts) AS in_alerts
  FROM architect.finding_sources WHERE object LIKE 'health_r.%' AND source <> 'seq_scan_tables'
 GROUP BY source ORDER BY source;
-- the sources alerts does not poll are not even planned (the catalog-wide
-- schema and security checks), while findings plans them
CREATE FUNCTION pg_temp.plan_of(q text) RETURNS SETOF text LANGUAGE plpgsql AS
$$ BEGIN RETURN QUERY EXECUTE 'EXPLAIN (COSTS OFF) ' || q; END $$;
SELECT count(*) AS non_alert_sources_in_alerts_plan
  FROM pg_temp.plan_of('SELECT * FROM architect.alerts') p WHERE p ~ '(schema|security)_advice_rows|pg_inherits|pg_trigger';
SELECT count(*) > 0 AS in_findings_plan
  FROM pg_temp.plan_of('SELECT * FROM architect.finding_sources WHERE in_findings') p WHERE p ~ '(schema|security)_advice_rows';

-- The report, worst first: the header, then critical, warning and info,
-- each finding with why and what to do.  Times, sizes and versions vary,
-- so this shows the report's lines about this schema and the headings.
CREATE TEMP TABLE r AS SELECT line, n FROM architect.report() WITH ORDINALITY AS x(line, n);
SELECT line LIKE 'pg\_architect health report for database contrib\_regression (PostgreSQL %) at %' AS title,
       (SELECT line FROM r WHERE n = 2) LIKE 'statistics collected since % (%)' AS since,
       (SELECT line FROM r WHERE n = 3) ~ '^\d+ critical, \d+ warning, \d+ info$' AS counts
  FROM r WHERE n = 1;
SELECT regexp_replace(regexp_replace(line, '\d+ (bytes|kB|MB|GB)', '<size>', 'g'),
                      'in the .* the statistics cover \(since [^)]*\)', 'in the <age> the statistics cover') AS line
  FROM r WHERE line LIKE '%health\_r.%' ORDER BY n;
-- the sections come worst first
SELECT string_agg(regexp_replace(line, '^(\w+) \(\d+\)$', '\1'), ' > ' ORDER BY n) AS sections
  FROM r WHERE line ~ '^(CRITICAL|WARNING|INFO) \(\d+\)$';
-- each section opens after an empty line
SELECT bool_and((SELECT r2.line FROM r r2 WHERE r2.n = r.n - 1) = '') AS blank_before_sections
  FROM r WHERE line ~ '^(CRITICAL|WARNING|INFO|TOP QUERIES)';
-- and the critical sequence comes before the warning about the indexes
SELECT (SELECT min(n) FROM r WHERE line LIKE '  [sequence] health\_r.exhausted%')
     < (SELECT min(n) FROM r WHERE line LIKE '  [duplicate\_index] health\_r.%') AS worst_first;

-- only warnings and worse, at most one finding per check: the rest is
-- counted, with the query that lists it
SELECT regexp_replace(line, '\d+ (bytes|kB|MB|GB)', '<size>', 'g') AS line
  FROM architect.report('warning', 1) WITH ORDINALITY AS x(line, n)
 WHERE line LIKE '%duplicate\_index%' ORDER BY n;
SELECT count(*) AS info_lines FROM architect.report('critical') AS x(line) WHERE line LIKE 'INFO%';
SELECT * FROM architect.report('bogus');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS lines FROM architect.report(NULL);
-- a negative count is refused (22023, with a hint); 0 prints only how many
-- findings each check has; the largest integer prints every finding
-- (it overflowed with 22003 before)
SELECT count(*) FROM architect.report('info', -1);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FILTER (WHERE line LIKE '  [duplicate\_index] health\_r.%') AS shown,
       count(*) FILTER (WHERE line LIKE '  ... and % more duplicate\_index findings:%') AS more_lines
  FROM architect.report('warning', 0) AS x(line);
SELECT count(*) FILTER (WHERE line LIKE '  [duplicate\_index] health\_r.%') AS shown,
       count(*) FILTER (WHERE line LIKE '  ... and % more %') AS more_lines
  FROM architect.report('info', 2147483647) AS x(line);

-- fixed: only the index nothing has used yet is left
ALTER SEQUENCE exhausted MAXVALUE 1000;
DROP INDEX t_a;
DROP INDEX t_a_copy;
ALTER TABLE t ALTER COLUMN at TYPE timestamptz;
SELECT "check", object FROM architect.findings WHERE object LIKE 'health_r.%';
SELECT count(*) AS report_lines_left FROM architect.report() AS x(line)
 WHERE line LIKE '  [%] health\_r.%' AND line NOT LIKE '  [unused\_index] health\_r.t\_ab:%';

-- Facts read once per call (the findings scope: sequence positions, the
-- user's columns, column statistics) are never reused by a later call:
-- not by the next statement of the same transaction, not by a second call
-- within one statement.  Each change below must show in the very next call.
CREATE SEQUENCE scope_seq AS smallint MAXVALUE 100;
CREATE TABLE scope_t (id int PRIMARY KEY, at timestamptz);
BEGIN;
SELECT setval('scope_seq', 10);
SELECT "check", object, severity FROM architect.findings WHERE object LIKE 'health_r.scope%' ORDER BY 1, 2;
-- the sequence advanced and a column added in the same transaction
SELECT setval('scope_seq', 95);
ALTER TABLE scope_t ADD COLUMN made timestamp;
SELECT "check", object, severity FROM architect.findings WHERE object LIKE 'health_r.scope%' ORDER BY 1, 2;
SELECT count(*) AS report_lines FROM architect.report() AS x(line)
 WHERE line LIKE '  [%] health\_r.scope%';
ROLLBACK;
-- twice within one statement, with changes in between (setval() is not
-- undone by ROLLBACK: back to 10 first)
SELECT setval('scope_seq', 10);
CREATE TEMP TABLE scope_seen (call int, "check" text, object text);
DO $$
BEGIN
    INSERT INTO scope_seen SELECT 1, f.check, f.object FROM architect.findings f WHERE f.object LIKE 'health_r.scope%';
    PERFORM setval('health_r.scope_seq', 95);
    ALTER TABLE health_r.scope_t ADD COLUMN made timestamp;
    INSERT INTO scope_seen SELECT 2, f.check, f.object FROM architect.findings f WHERE f.object LIKE 'health_r.scope%';
    INSERT INTO scope_seen SELECT 3, 'report', x.line FROM architect.report() AS x(line)
     WHERE x.line LIKE '  [%] health\_r.scope%';
END
$$;
SELECT * FROM scope_seen ORDER BY 1, 2, 3;
-- the scope is the functions' own: off again after them, and the views
-- read on their own see every change at once
SHOW pg_architect.findings_scope;
SELECT setval('scope_seq', 1);
SELECT count(*) AS scope_seq_rows FROM architect.findings WHERE object = 'health_r.scope_seq';
DROP TABLE scope_seen;
DROP TABLE scope_t;
DROP SEQUENCE scope_seq;

RESET search_path;
DROP SCHEMA health_r CASCADE;
