-- The selection refills past the guard rails: when the rails drop an index
-- that the greedy keeps taking again, the budget or the index slot it held
-- goes to the next candidate instead of staying unused.
--
-- Query A (weight 20) looks up pr_fact by k and tag.  Every index led by k
-- makes it cheapest (pr_fact (k, tag) most), but with one the join B is
-- planned as 24 nested-loop probes of pr_fact by k whose heap fetches the
-- random-fetch guard charges as random reads: B gets dearer than today by
-- more than max_regression (10 %), and the guard rails drop the index.
-- pr_fact (tag) serves A almost as well and leaves B alone.
--
-- With room for one index (max_indexes 1, or a budget of 0.5 MB) every
-- greedy start took an index led by k, the rails dropped it, each refill
-- took it (or another led by k) again, and nothing was recommended.  The
-- refill past the rails keeps what the rails dropped out of the next
-- refill, and reaches pr_fact (tag).

CREATE TABLE pr_dim (id int, grp int, label text);
CREATE TABLE pr_fact (k int, tag int, amount int, pad text) WITH (autovacuum_enabled = off);
INSERT INTO pr_dim SELECT g, g % 50, 'd' || g FROM generate_series(1, 600) g;
INSERT INTO pr_fact SELECT (g * 7919) % 600 + 1, ((g::bigint * 104729) % 300)::int,
                           g % 97, repeat('x', 60)
  FROM generate_series(1, 60000) g;
ANALYZE pr_dim, pr_fact;
SET random_page_cost = 1.1;

CREATE TEMP TABLE pr_q (q text[], w float8[]);
INSERT INTO pr_q VALUES (ARRAY[
  'SELECT sum(amount) FROM pr_fact WHERE k = 7 AND tag = 3',
  'SELECT d.label, sum(f.amount) FROM pr_dim d JOIN pr_fact f ON f.k = d.id WHERE d.grp < 2 GROUP BY d.label',
  'SELECT sum(k) FROM pr_fact WHERE amount = 5'], ARRAY[20, 1, 1]);

-- The premises, on the guarded estimate (the advisor's): pr_fact (k, tag)
-- and pr_fact (k) make A cheaper than pr_fact (tag) does, and B more than
-- 10 % dearer; pr_fact (tag) makes A much cheaper and leaves B as today.
CREATE TEMP TABLE pr_w AS
SELECT d.n AS ddl_n, w.query, w.used_indexes, w.cost_without, w.guarded_cost_with
  FROM pr_q,
       (VALUES (1, 'CREATE INDEX ON pr_fact (k, tag)'), (2, 'CREATE INDEX ON pr_fact (k)'),
               (3, 'CREATE INDEX ON pr_fact (tag)')) d(n, ddl),
       architect.workload_whatif(ARRAY[d.ddl], q) w;
SELECT ddl_n, left(query, 30) AS query, cardinality(used_indexes) AS uses,
       guarded_cost_with < 0.2 * cost_without AS a_much_cheaper,
       guarded_cost_with > 1.1 * cost_without AS regresses
  FROM pr_w WHERE query NOT LIKE '%amount = 5%' ORDER BY ddl_n, query;
SELECT (SELECT guarded_cost_with FROM pr_w WHERE ddl_n = 1 AND query LIKE '%k = 7%')
         < (SELECT guarded_cost_with FROM pr_w WHERE ddl_n = 3 AND query LIKE '%k = 7%')
       AS k_tag_serves_a_better,
       (SELECT guarded_cost_with FROM pr_w WHERE ddl_n = 2 AND query LIKE '%k = 7%')
         < (SELECT guarded_cost_with FROM pr_w WHERE ddl_n = 3 AND query LIKE '%k = 7%')
       AS k_serves_a_better;
SELECT sum(estimated_size_bytes) > 0.5 * 1048576 AS two_exceed_half_mb,
       max(estimated_size_bytes) <= 0.5 * 1048576 AS each_fits
  FROM architect.whatif('SELECT 1', ARRAY['CREATE INDEX ON pr_fact (tag)',
                                          'CREATE INDEX ON pr_fact (k)']);

-- One index allowed: pr_fact (tag) (before: no row), and the workload is
-- cheaper than today.
SELECT r.table_name, r.columns, r.include_columns
  FROM pr_q, architect.recommend_indexes_for(q, NULL, 1, w) r ORDER BY rank;
SELECT workload_cost_after < 0.3 * workload_cost_before AS much_cheaper
  FROM architect.advisor_stats();

-- 0.5 MB: room for one of them; the same.
SELECT r.table_name, r.columns, r.include_columns,
       r.estimated_size_bytes <= 0.5 * 1048576 AS within_budget
  FROM pr_q, architect.recommend_indexes_for(q, 0.5, 10, w) r ORDER BY rank;

-- Room for more: pr_fact (tag) and pr_fact (amount) (as before), never an
-- index led by k.
SELECT r.table_name, r.columns, r.include_columns
  FROM pr_q, architect.recommend_indexes_for(q, NULL, 10, w) r ORDER BY rank;

-- max_regression still holds for every query of the recommendation.
SELECT bool_and(ww.guarded_cost_with <= 1.1 * ww.cost_without) AS no_regression
  FROM pr_q,
       LATERAL (SELECT coalesce(array_agg(replace(ddl, 'CONCURRENTLY ', '')), '{}') AS d
                  FROM architect.recommend_indexes_for(q, NULL, 1, w)) r,
       architect.workload_whatif(r.d, q) ww;

RESET random_page_cost;
DROP TABLE pr_dim, pr_fact;
