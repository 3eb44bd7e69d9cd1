-- Join order re-use in what-if costing (whatif_joins.c,
-- pg_architect.whatif_reuse_join_orders).  A costing whose join search is
-- restricted to the join trees of earlier full plans is never cheaper than
-- the full search, equal when the recorded trees hold the best join order;
-- the advisor's reported figures come from full plans either way.  Costs
-- are compared, never printed.

SHOW pg_architect.whatif_reuse_join_orders;
-- Costs as in the benchmarks (data in memory), so that the join orders
-- below are the ones described.
SET random_page_cost = 1.1;
SET effective_cache_size = '8GB';
SET max_parallel_workers_per_gather = 0;

-- A star: one fact table without indexes on its keys, four dimensions.
CREATE TABLE jr_fact (id int, b_id int, c_id int, d_id int, e_id int, amount int);
CREATE TABLE jr_b (id int PRIMARY KEY, kind int, label text);
CREATE TABLE jr_c (id int PRIMARY KEY, region int, label text);
CREATE TABLE jr_d (id int PRIMARY KEY, year int, label text);
CREATE TABLE jr_e (id int PRIMARY KEY, code text, label text);
INSERT INTO jr_b SELECT g, g % 10, 'b' || g FROM generate_series(1, 2000) g;
INSERT INTO jr_c SELECT g, g % 20, 'c' || g FROM generate_series(1, 500) g;
INSERT INTO jr_d SELECT g, 2000 + g % 25, 'd' || g FROM generate_series(1, 300) g;
INSERT INTO jr_e SELECT g, 'E' || g, 'e' || g FROM generate_series(1, 100) g;
INSERT INTO jr_fact
SELECT g, 1 + g % 2000, 1 + g % 500, 1 + g % 300, 1 + g % 100, g % 1000
  FROM generate_series(1, 30000) g;
ANALYZE jr_fact, jr_b, jr_c, jr_d, jr_e;

CREATE TEMP TABLE jr_q AS SELECT
 'SELECT sum(f.amount) FROM jr_fact f JOIN jr_b b ON b.id = f.b_id
    JOIN jr_c c ON c.id = f.c_id JOIN jr_d d ON d.id = f.d_id
    JOIN jr_e e ON e.id = f.e_id
   WHERE e.code = ''E7'' AND b.kind = 3 AND d.year = 2010'::text AS q;

-- Trained with no new index, costed with no new index: the recorded tree
-- is the best one, so the restricted search finds the same cost.
SELECT reused, reused_cost = full_cost AS same_cost, recorded_joins > 0 AS recorded
  FROM jr_q, architect.whatif_join_reuse(q, '{}');

-- Trained with the index set it is costed under: the same.
SELECT reused, reused_cost = full_cost AS same_cost
  FROM jr_q, architect.whatif_join_reuse(q,
         ARRAY['CREATE INDEX ON jr_fact (e_id)', 'CREATE INDEX ON jr_fact (b_id)'],
         ARRAY['CREATE INDEX ON jr_fact (e_id)', 'CREATE INDEX ON jr_fact (b_id)']);

-- Never below the full search, whatever the index set and the training;
-- an index that changes the best join order (the nested loop from the one
-- selected jr_e row into jr_fact by e_id) can make the restricted search
-- dearer when it was not trained with it.
CREATE TEMP TABLE jr_sets (n int, idx text[], trained text[]);
INSERT INTO jr_sets VALUES
 (1, ARRAY['CREATE INDEX ON jr_fact (e_id)'], '{}'),
 (2, ARRAY['CREATE INDEX ON jr_fact (b_id)'], '{}'),
 (3, ARRAY['CREATE INDEX ON jr_fact (d_id)'], ARRAY['CREATE INDEX ON jr_fact (e_id)']),
 (4, ARRAY['CREATE INDEX ON jr_fact (e_id)', 'CREATE INDEX ON jr_fact (d_id)'],
     ARRAY['CREATE INDEX ON jr_fact (b_id)']),
 (5, ARRAY['CREATE INDEX ON jr_fact (e_id, b_id)'], ARRAY['CREATE INDEX ON jr_fact (e_id)']),
 (6, ARRAY['CREATE INDEX ON jr_fact (c_id)', 'CREATE INDEX ON jr_b (kind)'], '{}'),
 (7, '{}', ARRAY['CREATE INDEX ON jr_fact (e_id)']);
SELECT s.n, r.reused, r.reused_cost >= r.full_cost AS never_below,
       r.reused_cost = r.full_cost AS same_cost
  FROM jr_q, jr_sets s, architect.whatif_join_reuse(q, s.idx, s.trained) r
 ORDER BY s.n;

-- An index that changes the best join order: with jr_fact (d_id) the
-- planner starts from the jr_d rows of one year (index nested loop into
-- jr_fact) instead of joining jr_fact to the one selected jr_b row first.
-- Trained without it, the restricted search keeps the old order: dearer,
-- never cheaper.  Trained with it, the new order is found.
CREATE TEMP TABLE jr_q2 AS SELECT
 'SELECT sum(f.amount) FROM jr_fact f JOIN jr_b b ON b.id = f.b_id
    JOIN jr_c c ON c.id = f.c_id JOIN jr_d d ON d.id = f.d_id
    JOIN jr_e e ON e.id = f.e_id
   WHERE b.label = ''b42'' AND d.year = 2010'::text AS q;
SELECT reused, reused_cost > full_cost AS dearer
  FROM jr_q2, architect.whatif_join_reuse(q, ARRAY['CREATE INDEX ON jr_fact (d_id)']);
SELECT reused, reused_cost = full_cost AS same_cost
  FROM jr_q2, architect.whatif_join_reuse(q, ARRAY['CREATE INDEX ON jr_fact (d_id)'],
                                          ARRAY['CREATE INDEX ON jr_fact (d_id)']);
SELECT s.n, r.reused, r.reused_cost >= r.full_cost AS never_below
  FROM jr_q2, jr_sets s, architect.whatif_join_reuse(q, s.idx, s.trained) r
 ORDER BY s.n;

-- Fewer than four relations: the full search, nothing recorded.
SELECT reused, reused_cost = full_cost AS same_cost, recorded_joins
  FROM architect.whatif_join_reuse(
    'SELECT count(*) FROM jr_fact f JOIN jr_b b ON b.id = f.b_id JOIN jr_e e ON e.id = f.e_id
      WHERE e.code = ''E7''', ARRAY['CREATE INDEX ON jr_fact (e_id)']);

-- Two join searches in one planner call (a sub-query that is not pulled
-- up, and the outer query): each has its own recorded joins.
SELECT reused, reused_cost = full_cost AS same_cost, recorded_joins > 6 AS both_recorded
  FROM architect.whatif_join_reuse(
    'SELECT count(*) FROM jr_c c2 JOIN jr_d d2 ON d2.id = c2.id JOIN jr_e e2 ON e2.id = c2.id
       JOIN (SELECT f.b_id, e.code FROM jr_fact f JOIN jr_b b ON b.id = f.b_id
               JOIN jr_c c ON c.id = f.c_id JOIN jr_e e ON e.id = f.e_id
              WHERE b.kind = 3 LIMIT 100) s ON s.b_id = c2.id',
    ARRAY['CREATE INDEX ON jr_fact (b_id)'], ARRAY['CREATE INDEX ON jr_fact (b_id)']);

-- The join order re-use is a what-if matter only: an ordinary query plans
-- as before (the hook acts during what-if calls alone).
EXPLAIN (COSTS OFF)
SELECT count(*) FROM jr_fact f JOIN jr_b b ON b.id = f.b_id
  JOIN jr_c c ON c.id = f.c_id JOIN jr_d d ON d.id = f.d_id JOIN jr_e e ON e.id = f.e_id
 WHERE e.code = 'E7';

-- Bad input.
CREATE FUNCTION jr_err(sql text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE st text; msg text; hint text;
BEGIN
    EXECUTE sql;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
    RETURN st || ': ' || msg || CASE WHEN hint <> '' THEN ' (hint: ' || hint || ')' ELSE '' END;
END $$;
SELECT jr_err($$SELECT * FROM architect.whatif_join_reuse(NULL, '{}')$$);
SELECT jr_err($$SELECT * FROM architect.whatif_join_reuse('SELECT 1', NULL)$$);
SELECT jr_err($$SELECT * FROM architect.whatif_join_reuse('VACUUM jr_fact', '{}')$$);
CREATE TABLE jr_rule_log (id int);
CREATE TABLE jr_rule_gone (id int);
CREATE RULE jr_rule_also AS ON DELETE TO jr_rule_log DO ALSO INSERT INTO jr_rule_gone VALUES (old.id);
SELECT jr_err($$SELECT * FROM architect.whatif_join_reuse('DELETE FROM jr_rule_log WHERE id = 3', '{}')$$);
DROP TABLE jr_rule_log, jr_rule_gone;
SELECT jr_err($$SELECT * FROM architect.whatif_join_reuse('SELECT * FROM jr_fact WHERE $1 IS NULL', '{}')$$);
SELECT jr_err($$SELECT * FROM architect.whatif_join_reuse('SELECT * FROM jr_fact', '{}', NULL)$$);
SELECT jr_err($$SELECT * FROM architect.whatif_join_reuse('SELECT * FROM jr_fact', ARRAY['DROP TABLE jr_fact'])$$);
SELECT jr_err($$SELECT * FROM architect.whatif_join_reuse('SELECT * FROM jr_nowhere', '{}')$$);
SELECT jr_err($$SELECT * FROM architect.whatif_join_reuse((SELECT q FROM jr_q), ARRAY['CREATE INDEX ON jr_nowhere (id)'])$$);
CREATE ROLE jr_reader;
SET ROLE jr_reader;
SELECT jr_err($$SELECT * FROM architect.whatif_join_reuse('SELECT * FROM jr_fact f JOIN jr_b b ON b.id = f.b_id', '{}')$$);
RESET ROLE;
DROP ROLE jr_reader;
DROP FUNCTION jr_err(text);

-- The advisor on a small workload, with the re-use on and off: the same
-- recommendation and the same figures (they come from full plans in both
-- runs), and the run with it on did restrict some costings.
-- The random-fetch guard is off here: its re-costing of the probes into
-- this small star schema (sql/27_advisor_random_fetch.sql) would leave one
-- index, and this test compares the join search's re-use on a richer
-- recommendation.
SET pg_architect.random_fetch_guard = off;
CREATE TEMP TABLE jr_work AS SELECT ARRAY[
 (SELECT q FROM jr_q),
 'SELECT count(*) FROM jr_fact f JOIN jr_b b ON b.id = f.b_id JOIN jr_c c ON c.id = f.c_id
    JOIN jr_d d ON d.id = f.d_id WHERE b.kind = 4 AND c.region = 5 AND d.year = 2003',
 'SELECT f.id, e.label FROM jr_fact f JOIN jr_e e ON e.id = f.e_id JOIN jr_b b ON b.id = f.b_id
    JOIN jr_c c ON c.id = f.c_id JOIN jr_d d ON d.id = f.d_id WHERE f.d_id = 17 AND b.label = ''b42''',
 'SELECT * FROM jr_fact WHERE amount = 5'] AS queries;

SET pg_architect.whatif_reuse_join_orders = off;
CREATE TEMP TABLE jr_count0 AS SELECT restricted_calls FROM architect.whatif_join_reuse_stats();
CREATE TEMP TABLE jr_off AS
  SELECT r.* FROM jr_work, architect.recommend_indexes_for(queries) r;
CREATE TEMP TABLE jr_off_stats AS SELECT * FROM architect.advisor_stats();
CREATE TEMP TABLE jr_count1 AS SELECT restricted_calls FROM architect.whatif_join_reuse_stats();
SET pg_architect.whatif_reuse_join_orders = on;
CREATE TEMP TABLE jr_on AS
  SELECT r.* FROM jr_work, architect.recommend_indexes_for(queries) r;
CREATE TEMP TABLE jr_on_stats AS SELECT * FROM architect.advisor_stats();
CREATE TEMP TABLE jr_count2 AS SELECT restricted_calls FROM architect.whatif_join_reuse_stats();

SELECT rank, table_name, columns, ddl, benefit > 0 AS gains, improvement_pct > 20 AS big FROM jr_on ORDER BY rank;
SELECT (SELECT count(*) FROM jr_off) AS off_rows, (SELECT count(*) FROM jr_on) AS on_rows,
       (SELECT count(*) FROM (SELECT rank, index_name, ddl, estimated_size_bytes, benefit, improvement_pct, queryids
                                FROM jr_on
                              EXCEPT
                              SELECT rank, index_name, ddl, estimated_size_bytes, benefit, improvement_pct, queryids
                                FROM jr_off) d) AS rows_differing;
SELECT n.workload_cost_before = f.workload_cost_before AS same_before,
       n.workload_cost_after = f.workload_cost_after AS same_after,
       n.workload_cost_after < n.workload_cost_before AS improved
  FROM jr_on_stats n, jr_off_stats f;
SELECT c1.restricted_calls = c0.restricted_calls AS off_restricted_none,
       c2.restricted_calls > c1.restricted_calls AS on_restricted
  FROM jr_count0 c0, jr_count1 c1, jr_count2 c2;

RESET pg_architect.random_fetch_guard;
RESET random_page_cost;
RESET effective_cache_size;
RESET max_parallel_workers_per_gather;
DROP TABLE jr_fact, jr_b, jr_c, jr_d, jr_e;
