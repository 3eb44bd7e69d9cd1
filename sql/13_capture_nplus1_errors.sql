-- N+1 detection and error counting.  The statements of the N+1 loops are
-- generated with \gexec; their output is not shown.
SET pg_architect.sample_rate = 0;
CREATE TABLE cap_n (id int PRIMARY KEY, name text);
INSERT INTO cap_n SELECT g, 'p' || g FROM generate_series(1, 200) g;
ANALYZE cap_n;
SELECT architect.reset();

-- N+1: the same query id run 50 times (the default threshold) in one
-- transaction, one row each.
BEGIN;
\set ECHO none
\o /dev/null
SELECT format('SELECT name FROM cap_n WHERE id = %s', g) FROM generate_series(1, 60) g \gexec
\o
\set ECHO all
COMMIT;
SELECT node, finding, severity, detail, occurrences,
       example_query LIKE 'SELECT name FROM cap_n WHERE id = %' AS pattern_shown
  FROM architect.plan_findings WHERE finding = 'n_plus_one';
SELECT hint FROM architect.plan_findings WHERE finding = 'n_plus_one';
-- A second such transaction is a second occurrence; the worst count is kept.
BEGIN;
\set ECHO none
\o /dev/null
SELECT format('SELECT name FROM cap_n WHERE id = %s', g) FROM generate_series(1, 70) g \gexec
\o
\set ECHO all
ROLLBACK;
SELECT detail, occurrences, worst_value FROM architect.plan_findings WHERE finding = 'n_plus_one';

-- Healthy: below the threshold, many rows each (an update of 140 to 199
-- rows), or outside a transaction
-- block (each statement its own transaction) are no N+1.
SELECT architect.reset();
BEGIN;
\set ECHO none
\o /dev/null
SELECT format('SELECT name FROM cap_n WHERE id = %s', g) FROM generate_series(1, 49) g \gexec
\o
\set ECHO all
COMMIT;
BEGIN;
\set ECHO none
\o /dev/null
SELECT format('UPDATE cap_n SET name = name WHERE id > %s', g) FROM generate_series(1, 60) g \gexec
\o
\set ECHO all
COMMIT;
\set ECHO none
\o /dev/null
SELECT format('SELECT name FROM cap_n WHERE id = %s', g) FROM generate_series(1, 60) g \gexec
\o
\set ECHO all
SELECT count(*) AS n_plus_one FROM architect.plan_findings WHERE finding = 'n_plus_one';
-- the threshold and the row limit are settings
SET pg_architect.nplus1_threshold = 5;
BEGIN;
\set ECHO none
\o /dev/null
SELECT format('SELECT name FROM cap_n WHERE id = %s', g) FROM generate_series(1, 6) g \gexec
\o
\set ECHO all
COMMIT;
SET pg_architect.nplus1_max_rows = 200;
BEGIN;
\set ECHO none
\o /dev/null
SELECT format('UPDATE cap_n SET name = name WHERE id > %s', g) FROM generate_series(1, 6) g \gexec
\o
\set ECHO all
COMMIT;
RESET pg_architect.nplus1_threshold;
RESET pg_architect.nplus1_max_rows;
SELECT left(example_query, 30) AS query, detail FROM architect.plan_findings
 WHERE finding = 'n_plus_one' ORDER BY 1;
-- Every execution was counted all the same.
SELECT left(example_query, 30) AS query, calls FROM architect.query_patterns
 WHERE example_query LIKE 'SELECT name FROM cap_n WHERE id =%'
    OR example_query LIKE 'UPDATE cap_n SET name%' ORDER BY 1;
-- Prepared statements run with EXECUTE are the client's statements too.
SELECT architect.reset();
PREPARE cap_get(int) AS SELECT name FROM cap_n WHERE id = $1;
BEGIN;
\set ECHO none
\o /dev/null
SELECT format('EXECUTE cap_get(%s)', g) FROM generate_series(1, 55) g \gexec
\o
\set ECHO all
COMMIT;
DEALLOCATE cap_get;
SELECT left(example_query, 40) AS query, detail FROM architect.plan_findings
 WHERE finding = 'n_plus_one';
-- Statements nested in a function are not client round trips.
SELECT architect.reset();
CREATE FUNCTION cap_loop() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  FOR i IN 1..60 LOOP PERFORM name FROM cap_n WHERE id = i; END LOOP;
END $$;
BEGIN;
SELECT cap_loop();
COMMIT;
SELECT count(*) AS n_plus_one_nested FROM architect.plan_findings WHERE finding = 'n_plus_one';

-- Errors by SQLSTATE and query id.
SELECT architect.reset();
SELECT 1 / (id - 1) FROM cap_n WHERE id = 1;
SELECT 1 / (id - 1) FROM cap_n WHERE id = 1;
INSERT INTO cap_n VALUES (1, 'again');
SELECT * FROM cap_missing_table;
SELECT 'abc'::int;
SELECT sqlstate, message, count, queryid <> 0 AS has_queryid,
       datname = current_database() AS here
  FROM architect.query_errors ORDER BY sqlstate, message;
-- The failing statement's query id is the one of its pattern: the same
-- statement with another constant succeeds and is counted under it.
SELECT 1 / (id - 1) FROM cap_n WHERE id = 2;
SELECT count(*) AS errors_matching_pattern
  FROM architect.query_errors e
  JOIN architect.query_patterns q USING (dbid, queryid)
 WHERE e.sqlstate = '22012'
   AND q.example_query = 'SELECT 1 / (id - 1) FROM cap_n WHERE id = 2';
-- Errors caught by a PL/pgSQL exception block are not raised, so not counted.
DO $$ BEGIN PERFORM 1 / 0; EXCEPTION WHEN division_by_zero THEN NULL; END $$;
SELECT count FROM architect.query_errors WHERE sqlstate = '22012';
-- An error ends the transaction; it is counted once.
BEGIN;
SELECT 1 / 0;
SELECT 1;
ROLLBACK;
SELECT sqlstate, count FROM architect.query_errors WHERE sqlstate IN ('22012', '25P02') ORDER BY 1, 2;
-- Messages are shown to the role that raised them and to pg_read_all_stats.
CREATE ROLE cap_err_plain;
SET ROLE cap_err_plain;
SELECT 1 / 0;
SELECT sqlstate, message, count FROM architect.query_errors
 WHERE sqlstate = '22012' ORDER BY count, message NULLS LAST;
RESET ROLE;
DROP ROLE cap_err_plain;
-- Nothing is counted with capture off.
SET pg_architect.capture = off;
SELECT 1 / 0;
RESET pg_architect.capture;
SELECT sum(count) AS division_errors FROM architect.query_errors WHERE sqlstate = '22012';

RESET pg_architect.sample_rate;

-- Leave nothing behind for the suites that follow: objects and the
-- workload they produced.
DROP TABLE cap_n;
DROP FUNCTION cap_loop();
SELECT architect.reset();
