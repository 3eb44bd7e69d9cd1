-- architect.explain(): the plan of one statement with the findings and
-- predicates of the capture's plan walk.  Costs and times are masked.
CREATE TABLE cap_x (id int PRIMARY KEY, k int, name text);
INSERT INTO cap_x SELECT g, g % 100, 'x' || g FROM generate_series(1, 20000) g;
CREATE TABLE cap_y (id int PRIMARY KEY, x_id int, v int);
INSERT INTO cap_y SELECT g, 1 + g % 20000, g FROM generate_series(1, 30000) g;
ANALYZE cap_x, cap_y;

CREATE FUNCTION cap_mask(t text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT regexp_replace(regexp_replace(regexp_replace(t,
           'cost=[0-9.]+\.\.[0-9.]+', 'cost=N..N', 'g'),
           'actual time=[0-9.]+\.\.[0-9.]+', 'actual time=N..N', 'g'),
           'Buffers: .*', 'Buffers: N')
$$;

-- Without analyze: nothing runs; findings come from estimates.
SELECT kind, node, item, severity, cap_mask(detail) AS detail
  FROM architect.explain('SELECT name FROM cap_x WHERE k = 7 AND name LIKE ''x1%''')
 WHERE kind <> 'summary';
SELECT item, value > 0 AS positive
  FROM architect.explain('SELECT name FROM cap_x WHERE k = 7')
 WHERE kind = 'summary' ORDER BY item;

-- With analyze: measured findings, actual rows, buffers and times.
SELECT kind, node, item, severity, value, cap_mask(detail) AS detail
  FROM architect.explain('SELECT name FROM cap_x WHERE k = 7 AND name LIKE ''x1%''', true)
 WHERE kind IN ('finding', 'predicate');
SELECT item, value >= 0 AS present
  FROM architect.explain('SELECT name FROM cap_x WHERE k = 7', true)
 WHERE kind = 'summary' ORDER BY item;
SELECT value AS actual_rows
  FROM architect.explain('SELECT name FROM cap_x WHERE k = 7', true)
 WHERE item = 'actual_rows';
SELECT cap_mask(detail) AS plan
  FROM architect.explain('SELECT count(name) FROM cap_x WHERE id < 10', "analyze" => true)
 WHERE kind = 'plan' ORDER BY value;
-- Hints come with every finding.
SELECT item, hint IS NOT NULL AS has_hint
  FROM architect.explain('SELECT name FROM cap_x WHERE k = 7', true)
 WHERE kind = 'finding';

-- Joins, sort and group keys, parameters of a nested loop.
SET pg_architect.nestloop_max_loops = 1000;
SET enable_hashjoin = off;
SET enable_mergejoin = off;
SELECT kind, node, item, severity, cap_mask(detail) AS detail
  FROM architect.explain('SELECT x.k, count(*) FROM cap_y y JOIN cap_x x ON x.id = y.x_id WHERE y.v < 5000 GROUP BY x.k ORDER BY x.k')
 WHERE kind IN ('finding', 'predicate')
 ORDER BY kind, node, item, detail;
RESET enable_hashjoin;
RESET enable_mergejoin;
RESET pg_architect.nestloop_max_loops;

-- DML runs in a subtransaction that is rolled back: nothing changes.
SELECT value AS rows_deleted
  FROM architect.explain('DELETE FROM cap_y WHERE v <= 100', true)
 WHERE item = 'actual_rows';
SELECT value AS rows_updated
  FROM architect.explain('UPDATE cap_x SET name = ''changed'' WHERE k = 1', true)
 WHERE item = 'actual_rows';
SELECT value AS rows_inserted
  FROM architect.explain('INSERT INTO cap_x VALUES (-1, 0, ''new'') RETURNING id', true)
 WHERE item = 'actual_rows';
SELECT count(*) AS y_rows FROM cap_y;
SELECT count(*) AS changed_names FROM cap_x WHERE name = 'changed' OR id = -1;
-- Inside a transaction block too, and the transaction carries on.
BEGIN;
SELECT value AS rows_deleted
  FROM architect.explain('DELETE FROM cap_x WHERE k = 2', true)
 WHERE item = 'actual_rows';
SELECT count(*) AS x_rows FROM cap_x;
COMMIT;

-- An error while running is the statement's error; the subtransaction is
-- gone and the session (or an enclosing exception block) carries on.
SELECT * FROM architect.explain('SELECT 1 / (id - id) FROM cap_x', true);
SELECT count(*) AS x_rows FROM cap_x;
DO $$
BEGIN
  PERFORM * FROM architect.explain('UPDATE cap_x SET k = 1 / (k - k)', true);
EXCEPTION WHEN division_by_zero THEN
  RAISE NOTICE 'caught: %', SQLERRM;
END $$;
SELECT count(*) AS still_usable FROM cap_x WHERE k = 1;

-- Explaining a statement does not count it as workload.
SELECT architect.reset();
SELECT count(*) > 0 AS explained FROM architect.explain('SELECT name FROM cap_x WHERE id = 12345', true);
SELECT count(*) AS captured FROM architect.query_patterns
 WHERE example_query LIKE 'SELECT name FROM cap_x WHERE id = 12345%';

-- Bad input: each with its SQLSTATE and a hint.
CREATE FUNCTION cap_try(q text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  st text; msg text; hint text;
BEGIN
  PERFORM * FROM architect.explain(q);
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
                          hint = PG_EXCEPTION_HINT;
  RETURN st || ': ' || msg || COALESCE(' / HINT: ' || NULLIF(hint, ''), '');
END $$;
SELECT q, cap_try(q) AS result
  FROM (VALUES ('CREATE TABLE cap_never (a int)'),
               ('EXPLAIN SELECT 1'),
               ('VACUUM cap_x'),
               ('SELECT 1; SELECT 2'),
               (''),
               ('SELECT * FROM cap_missing'),
               ('SELECT $1'),
               ('SELEC 1'),
               ('SELECT * INTO cap_never FROM cap_x'),
               ('SELECT 1')) v(q);
-- A syntax error points into the explained text, not the calling query.
SELECT * FROM architect.explain('SELECT 1 +');
SELECT count(*) AS null_query_rows FROM architect.explain(NULL);
SELECT count(*) AS cap_never_exists FROM pg_class WHERE relname = 'cap_never';
-- A table the role may not read.
CREATE ROLE cap_x_plain;
SET ROLE cap_x_plain;
SELECT cap_try('SELECT * FROM cap_x') AS result;
RESET ROLE;
DROP ROLE cap_x_plain;
-- Identifiers needing quotes, a view, a partitioned table.
CREATE TABLE "Cap Odd" ("Weird Col" int, "select" text);
INSERT INTO "Cap Odd" SELECT g, 's' || g FROM generate_series(1, 100) g;
ANALYZE "Cap Odd";
SELECT node, item, detail
  FROM architect.explain('SELECT * FROM "Cap Odd" WHERE "Weird Col" = 3 AND "select" IS NOT NULL')
 WHERE kind = 'predicate';
CREATE VIEW cap_x_view AS SELECT id, name FROM cap_x WHERE k = 3;
SELECT node, item, detail
  FROM architect.explain('SELECT name FROM cap_x_view WHERE id = 103')
 WHERE kind = 'predicate';

-- Leave nothing behind for the suites that follow: objects and the
-- workload they produced.
DROP VIEW cap_x_view;
DROP TABLE cap_x, cap_y, "Cap Odd";
DROP FUNCTION cap_mask(text), cap_try(text);
SELECT architect.reset();
