-- The random-fetch guard (pg_architect.random_fetch_guard): a what-if
-- nested loop whose probes of a new index fetch, in all, more heap pages
-- than the table has is re-costed with each probe's fetches as its own
-- random reads, instead of the planner's "cached after the first read".
--
-- rf_fact has 100 rows per key k, spread over the whole table (correlation
-- about 0), so a probe by k reads about 100 random heap pages.  A join from
-- 24 rows of rf_dim probes it 24 times: 2,400 page reads, about three times
-- the table, which the planner charges (effective_cache_size exceeding the
-- table) as reading each page once.  The row estimates are right; only the
-- price of the fetches is not.  No VACUUM: pages are not all-visible, so an
-- index-only scan still fetches from the heap.

CREATE TABLE rf_dim (id int, grp int, label text);
CREATE TABLE rf_fact (k int, amount int, pad text) WITH (autovacuum_enabled = off);
INSERT INTO rf_dim SELECT g, g % 50, 'd' || g FROM generate_series(1, 600) g;
INSERT INTO rf_fact SELECT (g * 7919) % 600 + 1, g % 97, repeat('x', 60)
  FROM generate_series(1, 60000) g;
ANALYZE rf_dim, rf_fact;
SELECT relpages BETWEEN 600 AND 900 AS about_740_pages, relallvisible
  FROM pg_class WHERE relname = 'rf_fact';
SELECT abs(correlation) < 0.1 AS uncorrelated
  FROM pg_stats WHERE tablename = 'rf_fact' AND attname = 'k';

-- random_page_cost 1.1 (data in memory or on SSD): the setting at which
-- the planner likes such probes best.
SET random_page_cost = 1.1;

-- Guard off: the planner's price alone.  The probe looks 40 % cheaper than
-- the hash join over a sequential scan of rf_fact.
SET pg_architect.random_fetch_guard = off;
SELECT table_name, columns, include_columns, improvement_pct >= 20 AS gain_ok
  FROM architect.recommend_indexes_for(ARRAY[
    'SELECT d.label, sum(f.amount) FROM rf_dim d JOIN rf_fact f ON f.k = d.id WHERE d.grp < 2 GROUP BY d.label']);
SELECT risk_adjusted_plans FROM architect.advisor_stats();

-- Guard on (the default): the 24 probes read 2,400 heap pages, more than
-- the table's 741; charged as random reads the plan loses to today's hash
-- join, and rf_fact (k) is not recommended (nor the covering variant,
-- whose index-only scan still fetches every tuple from the heap here).
RESET pg_architect.random_fetch_guard;
SHOW pg_architect.random_fetch_guard;
SHOW pg_architect.random_fetch_table_fraction;
SELECT table_name, columns, include_columns
  FROM architect.recommend_indexes_for(ARRAY[
    'SELECT d.label, sum(f.amount) FROM rf_dim d JOIN rf_fact f ON f.k = d.id WHERE d.grp < 2 GROUP BY d.label'])
 WHERE table_name = 'rf_fact';
SELECT risk_adjusted_plans > 0 AS re_costed, misestimated_queries
  FROM architect.advisor_stats();

-- It is not a ban on nested loops: 5 probes read 500 pages, less than the
-- table, and the index stays.
SELECT table_name, columns, include_columns, improvement_pct >= 20 AS gain_ok
  FROM architect.recommend_indexes_for(ARRAY[
    'SELECT d.label, sum(f.amount) FROM rf_dim d JOIN rf_fact f ON f.k = d.id WHERE d.id <= 5 GROUP BY d.label'])
 WHERE table_name = 'rf_fact';

-- The threshold is pg_architect.random_fetch_table_fraction (times the
-- table's pages): at 10 the 2,400 pages are allowed.
SET pg_architect.random_fetch_table_fraction = 10;
SELECT table_name, columns, include_columns
  FROM architect.recommend_indexes_for(ARRAY[
    'SELECT d.label, sum(f.amount) FROM rf_dim d JOIN rf_fact f ON f.k = d.id WHERE d.grp < 2 GROUP BY d.label'])
 WHERE table_name = 'rf_fact';
RESET pg_architect.random_fetch_table_fraction;
SET pg_architect.random_fetch_table_fraction = -1;
SET pg_architect.random_fetch_guard = 'maybe';

-- workload_whatif() with a list of statements gives, next to the planner's
-- cost_with, guarded_cost_with: the same plan costed as the advisor costs it.
-- Any index set can be compared on both yardsticks this way (the benchmark
-- does so for single-query advice and pg_qualstats' advice).  Guard on: the
-- 24 probes cost more than today's hash join once charged; the 5 probes
-- are not charged.
SELECT left(query, 60) AS query, used_indexes,
       cost_with < cost_without AS planner_cheaper,
       guarded_cost_with > cost_without AS guarded_dearer,
       guarded_cost_with = cost_with AS same
  FROM architect.workload_whatif(ARRAY['CREATE INDEX ON rf_fact (k)'], ARRAY[
    'SELECT d.label, sum(f.amount) FROM rf_dim d JOIN rf_fact f ON f.k = d.id WHERE d.grp < 2 GROUP BY d.label',
    'SELECT d.label, sum(f.amount) FROM rf_dim d JOIN rf_fact f ON f.k = d.id WHERE d.id <= 5 GROUP BY d.label',
    'SELECT * FROM rf_no_such_table'])
 ORDER BY query;
-- Guard off: the two costs are the same.
SET pg_architect.random_fetch_guard = off;
SELECT bool_and(guarded_cost_with = cost_with) AS same, count(*)
  FROM architect.workload_whatif(ARRAY['CREATE INDEX ON rf_fact (k)'], ARRAY[
    'SELECT d.label, sum(f.amount) FROM rf_dim d JOIN rf_fact f ON f.k = d.id WHERE d.grp < 2 GROUP BY d.label']);
RESET pg_architect.random_fetch_guard;

-- What the guard-off recommendation really runs: with the index built,
-- the server's own planner (same settings) probes it once per rf_dim row,
-- with the rows estimated right: 24 probes planned and made, about 100 rows
-- each planned and fetched.
CREATE INDEX rf_fact_k_idx ON rf_fact (k);
CREATE FUNCTION rf_probe(query text) RETURNS TABLE (node text, loops_planned float8,
    loops_actual float8, rows_planned float8, rows_actual float8)
LANGUAGE plpgsql AS $$
DECLARE
  plan json;
  nl json;
BEGIN
  EXECUTE 'EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ' || query INTO plan;
  nl := plan -> 0 -> 'Plan';
  WHILE nl ->> 'Node Type' <> 'Nested Loop' LOOP
    nl := nl -> 'Plans' -> 0;
  END LOOP;
  node := (nl -> 'Plans' -> 1 ->> 'Node Type') || ' on ' || (nl -> 'Plans' -> 1 ->> 'Relation Name');
  loops_planned := (nl -> 'Plans' -> 0 ->> 'Plan Rows')::float8;
  loops_actual := (nl -> 'Plans' -> 1 ->> 'Actual Loops')::float8;
  rows_planned := (nl -> 'Plans' -> 1 ->> 'Plan Rows')::float8;
  rows_actual := (nl -> 'Plans' -> 1 ->> 'Actual Rows')::float8;
  RETURN NEXT;
END $$;
SELECT node, loops_planned BETWEEN 20 AND 30 AS loops_planned_24,
       loops_actual, rows_planned BETWEEN 80 AND 120 AS rows_planned_100,
       rows_actual
  FROM rf_probe('SELECT d.label, sum(f.amount) FROM rf_dim d JOIN rf_fact f ON f.k = d.id WHERE d.grp < 2 GROUP BY d.label');
DROP INDEX rf_fact_k_idx;

-- Index-only probes of all-visible pages fetch nothing from the heap: after
-- VACUUM the covering index's probes are not charged and it is recommended
-- with the guard on.
VACUUM rf_fact;
SELECT table_name, columns, include_columns
  FROM architect.recommend_indexes_for(ARRAY[
    'SELECT d.label, sum(f.amount) FROM rf_dim d JOIN rf_fact f ON f.k = d.id WHERE d.grp < 2 GROUP BY d.label'])
 WHERE table_name = 'rf_fact';

RESET random_page_cost;
DROP FUNCTION rf_probe(text);
DROP TABLE rf_dim, rf_fact;
