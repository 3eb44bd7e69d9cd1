-- The advisor's what-if cost cache, statements it cannot plan (skipped and
-- counted), and tables it cannot advise on.

CREATE TABLE ar_orders (
    id          int PRIMARY KEY,
    customer_id int NOT NULL,
    status      text NOT NULL,
    created_at  timestamptz NOT NULL,
    total       numeric(12,2) NOT NULL
);
INSERT INTO ar_orders
SELECT g, 1 + g % 3000, (ARRAY['new','paid','shipped','done'])[1 + g % 4],
       '2024-01-01'::timestamptz + g * interval '3 minutes', g % 500
FROM generate_series(1, 30000) g;
CREATE TABLE ar_customers (id int PRIMARY KEY, email text NOT NULL, country text NOT NULL);
INSERT INTO ar_customers
SELECT g, 'user' || g || '@example.com', (ARRAY['fr','de','us','jp','br'])[1 + g % 5]
FROM generate_series(1, 3000) g;
VACUUM ANALYZE ar_orders, ar_customers;

-- Cost cache: a cost under a smaller set is derived from a plan under a
-- larger one that used only indexes the smaller set keeps; the workload's
-- cost after the recommendation is the same as planning it afresh with the
-- recommended indexes.
CREATE TEMP TABLE ar_workload (q text);
INSERT INTO ar_workload VALUES
  ($$SELECT id FROM ar_orders WHERE customer_id = 42$$),
  ($$SELECT id, total FROM ar_orders WHERE customer_id = 43 ORDER BY created_at DESC LIMIT 5$$),
  ($$SELECT count(*) FROM ar_orders WHERE created_at > '2024-02-01' AND created_at < '2024-02-02'$$),
  ($$SELECT o.id FROM ar_orders o JOIN ar_customers c ON c.id = o.customer_id WHERE c.email = 'user7@example.com'$$),
  ($$SELECT c.country, sum(o.total) FROM ar_orders o JOIN ar_customers c ON c.id = o.customer_id WHERE o.created_at > '2024-03-01' GROUP BY 1$$),
  ($$SELECT id FROM ar_orders WHERE status = 'new' AND customer_id = 9$$);
CREATE TEMP TABLE ar_rec AS
  SELECT * FROM architect.recommend_indexes_for((SELECT array_agg(q) FROM ar_workload));
SELECT count(*) > 0 AS recommended FROM ar_rec;
SELECT whatif_calls > 0 AS planned, derived_costs > 0 AS derived, cache_hits > 0 AS repeated
  FROM architect.advisor_stats();
SELECT abs(s.workload_cost_after - w.total) < 0.001 * s.workload_cost_after AS consistent
  FROM architect.advisor_stats() s,
       (SELECT sum((SELECT min(cost_with)
                      FROM architect.whatif(q, (SELECT array_agg(replace(ddl, 'CONCURRENTLY ', '')) FROM ar_rec))))
                AS total
          FROM ar_workload) w;

-- Leave nothing behind for the suites that follow.
DROP TABLE ar_orders, ar_customers;
