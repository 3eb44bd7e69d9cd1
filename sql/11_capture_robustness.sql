-- Capture must never break a query: every statement shape below runs
-- normally with capture on, and is counted exactly once per execution.
-- Every execution is measured here (sample_rate = 1) so that the plan walk
-- runs on each of them.
SET pg_architect.capture = on;
SET pg_architect.sample_rate = 1;
SET pg_architect.sample_first = 3;

CREATE TABLE cap_r (id int PRIMARY KEY, grp int NOT NULL, name text, val numeric);
INSERT INTO cap_r SELECT g, g % 10, 'n' || g, g * 1.5 FROM generate_series(1, 2000) g;
CREATE INDEX cap_r_grp ON cap_r (grp);
CREATE TABLE cap_r2 (id int PRIMARY KEY, r_id int REFERENCES cap_r (id), tag text);
INSERT INTO cap_r2 SELECT g, 1 + g % 2000, 't' || (g % 3) FROM generate_series(1, 4000) g;
ANALYZE cap_r, cap_r2;
SELECT architect.reset();

-- How many executions of statements whose text starts like this?
CREATE FUNCTION cap_calls(prefix text) RETURNS bigint
LANGUAGE sql STABLE AS $$
  SELECT COALESCE(sum(calls), 0)::bigint FROM architect.query_patterns
   WHERE example_query LIKE prefix || '%' AND datname = current_database()
$$;

-- Prepared statements, custom and generic plans.
PREPARE cap_p1(int) AS SELECT name FROM cap_r WHERE id = $1;
EXECUTE cap_p1(1);
EXECUTE cap_p1(2);
SET plan_cache_mode = force_generic_plan;
EXECUTE cap_p1(3);
EXECUTE cap_p1(4);
RESET plan_cache_mode;
SELECT cap_calls('PREPARE cap_p1') AS prepared_calls;
SELECT column_name, operator, kind, executions, measured_executions, example_value IS NOT NULL AS has_example
  FROM architect.predicates WHERE table_name = 'cap_r' ORDER BY 1, 3;
DEALLOCATE cap_p1;

-- Cursors: fetched in pieces, closed explicitly and at commit.
BEGIN;
DECLARE cap_c1 CURSOR FOR SELECT id FROM cap_r WHERE grp = 3 ORDER BY id;
FETCH 2 FROM cap_c1;
FETCH 2 FROM cap_c1;
CLOSE cap_c1;
DECLARE cap_c2 CURSOR FOR SELECT id FROM cap_r WHERE grp = 4;
FETCH 1 FROM cap_c2;
COMMIT;
SELECT cap_calls('DECLARE cap_c1') AS cursor1_calls, cap_calls('DECLARE cap_c2') AS cursor2_calls;
-- A cursor left open by a failed transaction is dropped without harm.
BEGIN;
DECLARE cap_c3 CURSOR FOR SELECT id FROM cap_r WHERE grp = 5;
FETCH 1 FROM cap_c3;
SELECT 1 / 0;
ROLLBACK;
SELECT cap_calls('DECLARE cap_c3') AS failed_cursor_calls;

-- PL/pgSQL functions running SQL: the inner statements are counted.
CREATE FUNCTION cap_f(n int) RETURNS int LANGUAGE plpgsql AS $$
DECLARE s int := 0; r record;
BEGIN
  FOR i IN 1..n LOOP
    SELECT grp INTO r FROM cap_r WHERE id = i;
    s := s + r.grp;
  END LOOP;
  RETURN s;
END $$;
SELECT cap_f(5);
SELECT cap_calls('SELECT grp') AS plpgsql_inner_calls, cap_calls('SELECT cap_f(5)') AS outer_calls;
DO $$ BEGIN PERFORM cap_f(2); END $$;
SELECT cap_calls('SELECT grp') AS plpgsql_inner_calls_after_do;

-- EXPLAIN ANALYZE runs the statement (counted); plain EXPLAIN does not.
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT count(*) FROM cap_r WHERE val > 2990;
EXPLAIN (COSTS OFF) SELECT count(*) FROM cap_r WHERE val > 2991;
SELECT count(*) AS explained_seen FROM architect.predicates
 WHERE table_name = 'cap_r' AND column_name = 'val' AND kind = 'filter';

-- Parallel query: workers follow the leader, the leader counts once.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT count(*) FROM cap_r2 WHERE tag = 't1';
SELECT count(*) FROM cap_r2 WHERE tag = 't1';
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
SELECT cap_calls('SELECT count(*) FROM cap_r2 WHERE tag') AS parallel_calls;
SELECT column_name, kind, executions, rows_scanned, rows_removed
  FROM architect.predicates WHERE table_name = 'cap_r2' AND column_name = 'tag';

-- Partitioned tables: each scanned partition is a table of its own.
CREATE TABLE cap_part (k int, v text) PARTITION BY RANGE (k);
CREATE TABLE cap_part_1 PARTITION OF cap_part FOR VALUES FROM (0) TO (100);
CREATE TABLE cap_part_2 PARTITION OF cap_part FOR VALUES FROM (100) TO (200);
INSERT INTO cap_part SELECT g, 'v' || g FROM generate_series(0, 199) g;
ANALYZE cap_part;
SELECT count(*) FROM cap_part WHERE v = 'v5';
SELECT count(*) FROM cap_part WHERE k = 150 AND v = 'v150';
SELECT table_name, column_name, kind, executions, partition_root
  FROM architect.predicates WHERE table_name LIKE 'cap_part%' ORDER BY 1, 2;

-- CTEs, sub queries, EXISTS, IN lists, = ANY, OR, expressions, views.
WITH x AS MATERIALIZED (SELECT id FROM cap_r WHERE grp = 7)
SELECT count(*) FROM x;
SELECT count(*) FROM cap_r r WHERE EXISTS (SELECT 1 FROM cap_r2 s WHERE s.r_id = r.id AND s.tag = 't2');
SELECT count(*) FROM cap_r WHERE id IN (SELECT r_id FROM cap_r2 WHERE tag = 't0');
SELECT count(*) FROM cap_r WHERE id IN (1, 2, 3);
SELECT count(*) FROM cap_r WHERE id = ANY ('{4,5}'::int[]);
SELECT count(*) FROM cap_r WHERE grp = 1 OR name = 'n2';
SELECT count(*) FROM cap_r WHERE lower(name) = 'n7';
SELECT count(*) FROM cap_r WHERE (SELECT max(grp) FROM cap_r) = grp;
CREATE VIEW cap_v AS SELECT id, name FROM cap_r WHERE grp = 2;
SELECT count(*) FROM cap_v WHERE name LIKE 'n1%';
SELECT column_name, operator, kind, form, executions
  FROM architect.predicates
 WHERE table_name IN ('cap_r', 'cap_r2') AND kind IN ('filter', 'index_cond', 'join')
 ORDER BY 1, 2, 3, 4, 5;

-- DML with RETURNING, and DML rolled back.
UPDATE cap_r SET val = val + 1 WHERE id = 10 RETURNING id, val;
DELETE FROM cap_r2 WHERE id = 4000 RETURNING id;
INSERT INTO cap_r2 VALUES (4000, 1, 't0') RETURNING id;
BEGIN;
UPDATE cap_r SET val = 0 WHERE grp = 9;
ROLLBACK;
SELECT cap_calls('UPDATE cap_r SET val = val + 1') AS update_calls,
       cap_calls('DELETE FROM cap_r2') AS delete_calls,
       cap_calls('INSERT INTO cap_r2') AS insert_calls,
       cap_calls('UPDATE cap_r SET val = 0') AS rolled_back_update_calls;

-- Statements that error halfway are not counted as executions; the
-- session and capture carry on.
SELECT id / (id - 5) FROM cap_r WHERE id < 10 ORDER BY id;
INSERT INTO cap_r2 SELECT g, 1, 't' FROM generate_series(3999, 4001) g;
SELECT cap_calls('SELECT id / (id - 5)') AS failed_calls,
       cap_calls('INSERT INTO cap_r2 SELECT') AS failed_insert_calls;
SELECT name FROM cap_r WHERE id = 6;
SELECT cap_calls('SELECT name FROM cap_r WHERE id = 6') AS after_error_calls;

-- Nothing is counted with capture off.
SET pg_architect.capture = off;
SELECT name FROM cap_r WHERE id = 6;
RESET pg_architect.capture;
SELECT cap_calls('SELECT name FROM cap_r WHERE id = 6') AS calls_with_capture_off;

RESET pg_architect.sample_rate;
RESET pg_architect.sample_first;

-- Leave nothing behind for the suites that follow: objects and the
-- workload they produced.
DROP VIEW cap_v;
DROP TABLE cap_r2, cap_r, cap_part;
DROP FUNCTION cap_calls(text), cap_f(int);
SELECT architect.reset();
