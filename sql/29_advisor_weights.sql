-- The workload is weighted by executions and by measured time
-- (pg_architect.time_weight, workload.c pga_time_weights).  Room for one
-- index (max_indexes = 1) and two lookups alike, on tables of which wt_b is
-- half as big again as wt_a: one execution of the lookup on wt_b is
-- estimated dearer.  Costs are never printed; which table gets the index
-- says which query weighs more.
SET pg_architect.capture = off;
SHOW pg_architect.time_weight;
CREATE TABLE wt_a (id int, k int NOT NULL, pad text);
CREATE TABLE wt_b (id int, k int NOT NULL, pad text);
INSERT INTO wt_a SELECT g, g % 1000, 'x' FROM generate_series(1, 20000) g;
INSERT INTO wt_b SELECT g, g % 1000, 'x' FROM generate_series(1, 30000) g;
VACUUM ANALYZE wt_a, wt_b;
CREATE VIEW wt_q(a, b) AS SELECT
  'SELECT id FROM wt_a WHERE k = 7'::text, 'SELECT id FROM wt_b WHERE k = 7'::text;

-- Equal executions, no time known: the estimate alone, wt_b.
SELECT table_name, columns FROM wt_q,
  architect.recommend_indexes_for(ARRAY[a, b], NULL, 1, ARRAY[5, 5]);
-- Equal executions, the lookup on wt_a measured ten times slower in all
-- (e.g. cold cache): wt_a.
SELECT table_name, columns FROM wt_q,
  architect.recommend_indexes_for(ARRAY[a, b], NULL, 1, ARRAY[5, 5], ARRAY[100, 10]);
-- The same measurements with time_weight = 0 (executions only, the
-- weighting before time counted): wt_b again.
SET pg_architect.time_weight = 0;
SELECT table_name, columns FROM wt_q,
  architect.recommend_indexes_for(ARRAY[a, b], NULL, 1, ARRAY[5, 5], ARRAY[100, 10]);
RESET pg_architect.time_weight;
-- Times measured in proportion to the estimates change nothing: wt_b.
SELECT table_name, columns FROM wt_q,
  architect.recommend_indexes_for(ARRAY[a, b], NULL, 1, ARRAY[5, 5], ARRAY[20, 30]);

-- Equal total time, different executions: the query run more often
-- weighs more (each of its runs is estimated about as dear, so the same
-- total time spread over more runs is more believable as a share).  Run
-- ten times on wt_a and once on wt_b: wt_a; the other way round: wt_b.
SELECT table_name, columns FROM wt_q,
  architect.recommend_indexes_for(ARRAY[a, b], NULL, 1, ARRAY[10, 1], ARRAY[50, 50]);
SELECT table_name, columns FROM wt_q,
  architect.recommend_indexes_for(ARRAY[a, b], NULL, 1, ARRAY[1, 10], ARRAY[50, 50]);
-- With time_weight = 1 (measured time only) executions no longer matter
-- when the total time is the same: both give the same table.
SET pg_architect.time_weight = 1;
SELECT table_name, columns FROM wt_q,
  architect.recommend_indexes_for(ARRAY[a, b], NULL, 1, ARRAY[10, 1], ARRAY[50, 50]);
SELECT table_name, columns FROM wt_q,
  architect.recommend_indexes_for(ARRAY[a, b], NULL, 1, ARRAY[1, 10], ARRAY[50, 50]);
RESET pg_architect.time_weight;

-- Bad input: times_ms of the wrong length, negative, NaN, NULL element,
-- two dimensions; the GUC out of range.
SELECT count(*) FROM wt_q, architect.recommend_indexes_for(ARRAY[a, b], NULL, 1, NULL, ARRAY[1]);
SELECT count(*) FROM wt_q, architect.recommend_indexes_for(ARRAY[a, b], NULL, 1, NULL, ARRAY[1, -1]);
SELECT count(*) FROM wt_q, architect.recommend_indexes_for(ARRAY[a, b], NULL, 1, NULL, ARRAY[1, 'NaN'::float8]);
SELECT count(*) FROM wt_q, architect.recommend_indexes_for(ARRAY[a, b], NULL, 1, NULL, ARRAY[1, NULL]);
SELECT count(*) FROM wt_q, architect.recommend_indexes_for(ARRAY[a, b], NULL, 1, NULL, ARRAY[[1], [2]]);
-- A list of queries in two dimensions is refused the same way by
-- recommend_indexes_for() and workload_whatif() (which used to flatten it
-- and cost both statements); so is an array of arrays of indexes.
SELECT count(*) FROM wt_q, architect.recommend_indexes_for(ARRAY[[a], [b]]);
SELECT count(*) FROM wt_q, architect.workload_whatif(ARRAY[]::text[], ARRAY[[a], [b]]);
SELECT count(*) FROM wt_q, architect.workload_whatif(ARRAY[['CREATE INDEX ON wt_a (k)']], ARRAY[a, b]);
-- Both with the same SQLSTATE (2202E).
\set VERBOSITY sqlstate
SELECT count(*) FROM wt_q, architect.recommend_indexes_for(ARRAY[[a], [b]]);
SELECT count(*) FROM wt_q, architect.workload_whatif(ARRAY[]::text[], ARRAY[[a], [b]]);
\set VERBOSITY default
-- The one-dimensional lists are accepted: two statements costed.
SELECT count(*) FROM wt_q, architect.workload_whatif(ARRAY['CREATE INDEX ON wt_a (k)'], ARRAY[a, b]);
SELECT count(*) FROM wt_q, architect.recommend_indexes_for(ARRAY[a, b], NULL, 1, ARRAY[1, 'Infinity'::float8]);
SET pg_architect.time_weight = 1.5;
-- A time of 0 is "not measured": the query keeps its executions as weight.
SELECT table_name FROM wt_q,
  architect.recommend_indexes_for(ARRAY[a, b], NULL, 1, ARRAY[5, 5], ARRAY[0, 10]);

-- Measured time from pg_stat_statements: the lookup on wt_a filters with a
-- function declared as cheap as the comparison (COST 1) that is in fact
-- slow, so the planner does not see what the clock does; written first, it
-- is evaluated on every row of a sequential scan, and an index on k leaves
-- it only the rows with k = 7.  Both lookups run three times: by
-- executions and estimate the index goes to wt_b, with time to wt_a.
CREATE FUNCTION wt_slow(i int) RETURNS boolean LANGUAGE plpgsql IMMUTABLE COST 1 AS $$
DECLARE s int := 0;
BEGIN
  FOR j IN 1..100 LOOP s := s + j; END LOOP;
  RETURN s > 0 AND i IS NOT NULL;
END $$;
SELECT pg_stat_statements_reset() IS NOT NULL AS reset;
SELECT count(*) FROM wt_a WHERE wt_slow(id) AND k = 7 \gset
SELECT count(*) FROM wt_a WHERE wt_slow(id) AND k = 7 \gset
SELECT count(*) FROM wt_a WHERE wt_slow(id) AND k = 7 \gset
SELECT count(*) FROM wt_b WHERE k = 7 \gset
SELECT count(*) FROM wt_b WHERE k = 7 \gset
SELECT count(*) FROM wt_b WHERE k = 7 \gset
-- The premise: the lookup on wt_a took far longer per execution.
SELECT max(mean_exec_time) FILTER (WHERE query LIKE '%wt_slow%') >
       5 * max(mean_exec_time) FILTER (WHERE query LIKE '%FROM wt_b%') AS a_slower
  FROM pg_stat_statements WHERE query LIKE '%wt\__ WHERE%';
SELECT table_name, columns FROM architect.recommend_indexes(NULL, 1);
SET pg_architect.time_weight = 0;
SELECT table_name, columns FROM architect.recommend_indexes(NULL, 1);
RESET pg_architect.time_weight;
-- workload_whatif() still reports executions, not weights.
SELECT calls, query FROM architect.workload_whatif(ARRAY[]::text[])
  WHERE query LIKE '%wt\__ WHERE%' ORDER BY query;

DROP VIEW wt_q;
DROP FUNCTION wt_slow(int);
DROP TABLE wt_a, wt_b;
RESET pg_architect.capture;
