-- bench_advisor_vs_single.sql: pg_architect against single-query advice at
-- each budget, with the full estimated workload costs (bench_advisor.sh's
-- tables round them to three significant digits, which can hide a
-- difference).  Run against the tpch database that bench_advisor.sh loaded
-- (its helper functions bench_cost() and table bench_queries), e.g.
--   psql -h $BENCH_DIR/sock -p $BENCH_PORT -U postgres -d tpch -q -f test/bench/bench_advisor_vs_single.sql
-- Budgets are scale 0.1's (0.25-4 GB x SF and 1-15 GB @SF10).
\set Q19 '(SELECT array_agg(query ORDER BY qno) FROM bench_queries WHERE qno NOT IN (2, 17, 20))'
\set Q22 '(SELECT array_agg(query ORDER BY qno) FROM bench_queries)'
CREATE TEMP TABLE cmp (wl text, budget float8, strategy text, n int, cost float8);
CREATE FUNCTION pg_temp.one(wl text, qs text[], budget float8, strategy text) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE d text[]; n int;
BEGIN
  PERFORM set_config('pg_architect.advisor_strategy', strategy, false);
  SELECT coalesce(array_agg(replace(ddl, 'CONCURRENTLY ', '')), '{}'), count(*) INTO d, n
    FROM architect.recommend_indexes_for(qs, budget, 1000);
  INSERT INTO cmp VALUES (wl, budget, strategy, n, bench_cost(qs, d));
  RETURN n;
END $$;
SELECT count(pg_temp.one(w, q, b, s)) AS runs
  FROM (VALUES ('19', :Q19), ('22', :Q22)) v(w, q),
       unnest(ARRAY[10.24, 20.48, 25.6, 30.72, 43.52, 51.2, 66.56, 102.4, 153.6, 204.8, 409.6]) b,
       unnest(ARRAY['workload', 'single_query']) s;
RESET pg_architect.advisor_strategy;
SELECT a.wl AS queries, a.budget AS budget_mb, a.n AS indexes, round(a.cost::numeric, 1) AS cost,
       b.n AS single_indexes, round(b.cost::numeric, 1) AS single_cost,
       round((100 * (a.cost / b.cost - 1))::numeric, 3) AS vs_single_pct
  FROM cmp a JOIN cmp b USING (wl, budget)
 WHERE a.strategy = 'workload' AND b.strategy = 'single_query'
 ORDER BY a.wl, a.budget;
