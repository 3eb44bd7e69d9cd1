-- The misestimate guard (pg_architect.misestimate_guard): a what-if plan
-- that probes a new index once per row of an input whose rows capture saw
-- underestimated is re-costed with the probes that really happen.
--
-- part and supp are the same number in every row of both tables, so the
-- join on (part, supp) returns 100 times what the planner estimates from
-- the two columns' selectivities multiplied (10 rows, really 2,000): the
-- shape of TPC-H's partsupp/lineitem join.  An index on me_orders (id)
-- looks like 10 cheap probes and is really 2,000.

CREATE TABLE me_stock (part int, supp int, qty int);
CREATE TABLE me_lines (part int, supp int, order_id int, amount int);
CREATE TABLE me_orders (id int, placed date, note text);
INSERT INTO me_stock SELECT g, g, g FROM generate_series(1, 200) g;
INSERT INTO me_lines SELECT g % 200 + 1, g % 200 + 1, g, g % 7 FROM generate_series(1, 20000) g;
INSERT INTO me_orders SELECT g, date '2024-01-01' + g % 365, repeat('n', 40) FROM generate_series(1, 20000) g;
VACUUM ANALYZE me_stock, me_lines, me_orders;

SELECT pg_stat_statements_reset() IS NOT NULL AS pgss_reset;
SELECT architect.reset();

-- Before capture has measured anything, the guard has no evidence: the
-- planner's estimate stands.
SELECT table_name, columns
  FROM architect.recommend_indexes_for(ARRAY[
    'SELECT count(*), sum(o.placed - date ''2024-01-01'') FROM me_stock s JOIN me_lines l ON l.part = s.part AND l.supp = s.supp JOIN me_orders o ON o.id = l.order_id WHERE s.qty <= 20'])
 ORDER BY 1, 2;
SELECT misestimated_queries, risk_adjusted_plans FROM architect.advisor_stats();

-- The application runs the report; capture measures every execution.
SET pg_architect.sample_rate = 1;
SELECT count(*), sum(o.placed - date '2024-01-01') FROM me_stock s JOIN me_lines l ON l.part = s.part AND l.supp = s.supp JOIN me_orders o ON o.id = l.order_id WHERE s.qty <= 20;
SELECT count(*), sum(o.placed - date '2024-01-01') FROM me_stock s JOIN me_lines l ON l.part = s.part AND l.supp = s.supp JOIN me_orders o ON o.id = l.order_id WHERE s.qty <= 21;
RESET pg_architect.sample_rate;

-- What capture saw: both joins return 200 times their estimate (the upper
-- one inherits the lower one's error); the filter on qty is right.
SELECT table_name, column_name, kind, round(est_rows) AS est, round(actual_rows) AS actual
  FROM architect.predicates
 WHERE table_name LIKE 'me\_%' AND kind IN ('join', 'filter')
 ORDER BY 1, 2, 3;

-- Guard off: the planner's estimate alone.  The join lookup into
-- me_orders looks like the best index of all.
SET pg_architect.misestimate_guard = off;
SELECT table_name, columns, include_columns, improvement_pct >= 20 AS gain_ok
  FROM architect.recommend_indexes()
 ORDER BY 1, 2;
SELECT source, misestimated_queries, risk_adjusted_plans FROM architect.advisor_stats();

-- Guard on (the default): the plan with me_orders (id) probes it once per
-- row of the misestimated join, 200 times more often than planned, which
-- is worse than today's hash join; the index is not recommended.  The
-- lookup into me_lines, probed once per me_stock row (estimated right),
-- stays.
RESET pg_architect.misestimate_guard;
SHOW pg_architect.misestimate_guard;
SELECT table_name, columns, include_columns, improvement_pct >= 20 AS gain_ok
  FROM architect.recommend_indexes()
 ORDER BY 1, 2;
SELECT misestimated_queries, risk_adjusted_plans > 0 AS re_costed,
       workload_cost_after < workload_cost_before AS still_cheaper
  FROM architect.advisor_stats();

-- The same statement given as text (other constants, same query id) gets
-- the same evidence.  With 5 parts instead of 20 the corrected plan, about
-- 500 probes of me_orders, is still cheaper than the hash join over all of
-- it, and the index is recommended: the guard corrects the cost of the
-- probes, it does not forbid nested loops.
SELECT table_name, columns
  FROM architect.recommend_indexes_for(ARRAY[
    'SELECT count(*), sum(o.placed - date ''2024-01-01'') FROM me_stock s JOIN me_lines l ON l.part = s.part AND l.supp = s.supp JOIN me_orders o ON o.id = l.order_id WHERE s.qty <= 5'])
 ORDER BY 1, 2;
SELECT misestimated_queries FROM architect.advisor_stats();

-- A misestimate below pg_architect.misestimate_factor is no evidence: with
-- the threshold above the measured 200x, the guard leaves the plan alone.
SET pg_architect.misestimate_factor = 1000;
SELECT table_name, columns
  FROM architect.recommend_indexes()
 ORDER BY 1, 2;
SELECT misestimated_queries, risk_adjusted_plans FROM architect.advisor_stats();
RESET pg_architect.misestimate_factor;

-- The guard was right: with the index built, the plan probes me_orders
-- 2,000 times where it planned 10 (loops counted by EXPLAIN ANALYZE).
CREATE INDEX me_orders_id_idx ON me_orders (id);
CREATE FUNCTION me_plan() RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE j json;
BEGIN
  EXECUTE 'EXPLAIN (ANALYZE, TIMING OFF, SUMMARY OFF, FORMAT JSON) SELECT count(*), sum(o.placed - date ''2024-01-01'') FROM me_stock s JOIN me_lines l ON l.part = s.part AND l.supp = s.supp JOIN me_orders o ON o.id = l.order_id WHERE s.qty <= 20' INTO j;
  RETURN j::jsonb;
END $$;
SELECT n -> 'Plans' -> 0 ->> 'Plan Rows' AS outer_rows_planned,
       n -> 'Plans' -> 0 ->> 'Actual Rows' AS outer_rows_actual,
       n -> 'Plans' -> 1 ->> 'Relation Name' AS probed,
       n -> 'Plans' -> 1 ->> 'Actual Loops' AS probes
  FROM me_plan() j,
       jsonb_path_query(j, 'strict $.**?(@."Node Type" == "Nested Loop")') n
 WHERE n -> 'Plans' -> 1 ->> 'Relation Name' = 'me_orders';
DROP FUNCTION me_plan();
DROP INDEX me_orders_id_idx;

DROP TABLE me_stock, me_lines, me_orders;
SELECT pg_stat_statements_reset() IS NOT NULL AS pgss_reset;
SELECT architect.reset();
