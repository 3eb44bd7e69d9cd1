-- architect.recommend_indexes() and architect.index_recommendations: the
-- workload as pg_stat_statements (or capture) saw it, with statements that
-- can no longer be planned skipped and counted.

CREATE TABLE wl_orders (
    id          int PRIMARY KEY,
    customer_id int NOT NULL,
    created_at  timestamptz NOT NULL,
    total       numeric(12,2) NOT NULL
);
INSERT INTO wl_orders
SELECT g, 1 + g % 2000, '2024-01-01'::timestamptz + g * interval '5 minutes', g % 300
FROM generate_series(1, 25000) g;
CREATE TABLE wl_gone (a int);
INSERT INTO wl_gone SELECT generate_series(1, 100);
VACUUM ANALYZE wl_orders, wl_gone;

-- Capture off: the statements come from pg_stat_statements' normalised
-- text (with capture on, its examples would carry the constants).
SET pg_architect.capture = off;
SELECT pg_stat_statements_reset() IS NOT NULL AS reset;
SELECT architect.reset();

-- The application's queries (interval '2 hours' is normalised to
-- interval $n, which the advisor reads back as $n::interval).
SELECT sum(total) FROM wl_orders WHERE customer_id = 17 \gset
SELECT sum(total) FROM wl_orders WHERE customer_id = 18 \gset
SELECT sum(total) FROM wl_orders WHERE customer_id = 19 \gset
SELECT count(*) FROM wl_orders WHERE created_at > '2024-02-01'::timestamptz - interval '2 hours' AND created_at < '2024-02-01' \gset
SELECT count(*) FROM wl_orders WHERE id = 5 \gset
-- One whose table is then dropped, one whose parameters cannot be typed.
SELECT count(*) FROM wl_gone WHERE a = 5 \gset
DROP TABLE wl_gone;
SELECT 1 + 2 AS three \gset

SELECT rank, table_name, index_name, columns, method, ddl,
       improvement_pct >= 20 AS gain_ok, cardinality(queryids) AS nqueries,
       reason ~ '^for .*; used by [0-9]+ quer' AS reason_ok
  FROM architect.recommend_indexes()
 ORDER BY rank;
SELECT source IN ('pg_stat_statements', 'capture') AS source_ok,
       skipped_missing_relation, skipped_param_types,
       whatif_calls > 0 AS planned, capped
  FROM architect.advisor_stats();

-- The view is the call with its defaults.
SELECT index_name, ddl FROM architect.index_recommendations ORDER BY rank;

-- A budget too small for any index.
SELECT count(*) AS recommended FROM architect.recommend_indexes(0.001);

-- Once the index exists, nothing more is recommended for those queries.
CREATE INDEX wl_orders_customer_id_idx ON wl_orders (customer_id);
CREATE INDEX wl_orders_created_at_idx ON wl_orders (created_at);
SELECT count(*) AS recommended FROM architect.recommend_indexes();

-- The single-query strategy (for comparison) is a setting.
DROP INDEX wl_orders_customer_id_idx, wl_orders_created_at_idx;
SET pg_architect.advisor_strategy = single_query;
SELECT index_name FROM architect.recommend_indexes() ORDER BY rank;
RESET pg_architect.advisor_strategy;

-- A call cap stops the search; the answer says so.
SET pg_architect.max_whatif_calls = 1;
SELECT count(*) <= 10 AS bounded FROM architect.recommend_indexes();
SELECT capped FROM architect.advisor_stats();
RESET pg_architect.max_whatif_calls;
RESET pg_architect.capture;

-- Leave nothing behind for the suites that follow.
DROP TABLE wl_orders;
