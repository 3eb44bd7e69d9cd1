-- The random-fetch guard counts key changes, not probes
-- (src/advisor_fetch_runs.c).  A probe whose key is the same as the probe
-- before it reads the pages that probe has just brought into shared
-- buffers; only a probe with a new key reads its own.
--
-- rk_fact has 40 rows per key k, spread over the whole table (correlation
-- about 0), so a probe by k reads about 40 heap pages.  rk_mid has 4 rows
-- per key.  The query takes 24 rk_dim rows, their 96 rk_mid rows, and the
-- rk_fact rows of each: 96 probes of rk_fact, by 24 different keys.

CREATE TABLE rk_dim (id int, grp int, label text) WITH (autovacuum_enabled = off);
CREATE TABLE rk_mid (k int, sup int, cost int) WITH (autovacuum_enabled = off);
CREATE TABLE rk_fact (k int, sup int, amount int, pad text) WITH (autovacuum_enabled = off);
INSERT INTO rk_dim SELECT g, g % 125, 'd' || g FROM generate_series(1, 1500) g;
INSERT INTO rk_mid SELECT (g * 263) % 1500 + 1, g % 4, g % 13 FROM generate_series(1, 6000) g;
INSERT INTO rk_fact SELECT (g * 7919) % 1500 + 1, g % 4, g % 97, repeat('x', 60)
  FROM generate_series(1, 60000) g;
-- Statistics from every row (rk_fact's 60,000 are more than a default
-- sample), and no autovacuum changing them or the visibility map.
SET default_statistics_target = 200;
ANALYZE rk_dim, rk_mid, rk_fact;
RESET default_statistics_target;
SELECT abs(correlation) < 0.1 AS uncorrelated
  FROM pg_stats WHERE tablename = 'rk_fact' AND attname = 'k';
SET random_page_cost = 1.1;

-- Two index sets on both yardsticks.  rk_fact (k) alone: rk_dim and rk_mid
-- are hash-joined, rk_mid read by a sequential scan, and the hash join
-- passes rk_mid's rows on in table order: the key may change on each of
-- the 96 probes, all 96 are charged (3,840 pages) and the plan is dearer
-- than today's.  With rk_mid (k) too, rk_mid is probed by d.id, so its 4
-- rows of one key come one after another: 24 key changes are charged
-- (960 pages, still more than the table's 800, so charged at all), and the
-- plan stays cheaper than today's.
SELECT s, used_indexes, cost_with < cost_without AS planner_cheaper,
       guarded_cost_with > cost_with AS charged,
       guarded_cost_with < cost_without AS guarded_cheaper
  FROM (VALUES ('fact', ARRAY['CREATE INDEX ON rk_fact (k)']),
               ('mid+fact', ARRAY['CREATE INDEX ON rk_mid (k)', 'CREATE INDEX ON rk_fact (k)'])) v(s, d),
       LATERAL architect.workload_whatif(d, ARRAY[
         'SELECT d.label, sum(f.amount) FROM rk_dim d JOIN rk_mid m ON m.k = d.id JOIN rk_fact f ON f.k = m.k WHERE d.grp < 2 GROUP BY d.label']) w
 ORDER BY s;

-- Charged for 24 key changes rather than 96 probes: the extra cost over the
-- planner's is about a quarter of the all-probes one (0.3: the planner's
-- own price of the probes, which the charge replaces, differs a little
-- between the two plans).
SELECT round(((m.guarded_cost_with - m.cost_with) /
              (f.guarded_cost_with - f.cost_with))::numeric, 1) AS ratio
  FROM architect.workload_whatif(ARRAY['CREATE INDEX ON rk_fact (k)'], ARRAY[
         'SELECT d.label, sum(f.amount) FROM rk_dim d JOIN rk_mid m ON m.k = d.id JOIN rk_fact f ON f.k = m.k WHERE d.grp < 2 GROUP BY d.label']) f,
       architect.workload_whatif(ARRAY['CREATE INDEX ON rk_mid (k)', 'CREATE INDEX ON rk_fact (k)'], ARRAY[
         'SELECT d.label, sum(f.amount) FROM rk_dim d JOIN rk_mid m ON m.k = d.id JOIN rk_fact f ON f.k = m.k WHERE d.grp < 2 GROUP BY d.label']) m;

-- When rk_mid (k) exists, rk_fact (k) is recommended, guard on.
CREATE INDEX rk_mid_k_real ON rk_mid (k);
SELECT table_name, columns, include_columns, improvement_pct >= 20 AS gain_ok
  FROM architect.recommend_indexes_for(ARRAY[
    'SELECT d.label, sum(f.amount) FROM rk_dim d JOIN rk_mid m ON m.k = d.id JOIN rk_fact f ON f.k = m.k WHERE d.grp < 2 GROUP BY d.label']);
SELECT risk_adjusted_plans > 0 AS re_costed FROM architect.advisor_stats();

-- And it is the plan the server itself makes with both indexes: rk_fact
-- probed by the key of the rk_mid probe.
CREATE INDEX rk_fact_k_real ON rk_fact (k);
EXPLAIN (COSTS OFF)
SELECT d.label, sum(f.amount) FROM rk_dim d JOIN rk_mid m ON m.k = d.id
  JOIN rk_fact f ON f.k = m.k WHERE d.grp < 2 GROUP BY d.label;
DROP INDEX rk_fact_k_real;

-- With neither index, neither helps alone (rk_mid (k) saves too little;
-- rk_fact (k) alone is charged for all its probes), so step 1 drops both;
-- step 8 (join pairs) tries them together and recommends both.
DROP INDEX rk_mid_k_real;
SELECT table_name, columns, include_columns, improvement_pct > 0 AS gain
  FROM architect.recommend_indexes_for(ARRAY[
    'SELECT d.label, sum(f.amount) FROM rk_dim d JOIN rk_mid m ON m.k = d.id JOIN rk_fact f ON f.k = m.k WHERE d.grp < 2 GROUP BY d.label'])
 ORDER BY table_name;
SELECT workload_cost_after < 0.8 * workload_cost_before AS saves_20_pct
  FROM architect.advisor_stats();
-- The same with the random-fetch guard off: the planner alone takes
-- rk_fact (k) without the pair's help, which shows that the pair is the
-- guard's doing.
SET pg_architect.random_fetch_guard = off;
SELECT table_name, columns, include_columns
  FROM architect.recommend_indexes_for(ARRAY[
    'SELECT d.label, sum(f.amount) FROM rk_dim d JOIN rk_mid m ON m.k = d.id JOIN rk_fact f ON f.k = m.k WHERE d.grp < 2 GROUP BY d.label'])
 ORDER BY table_name;
RESET pg_architect.random_fetch_guard;

RESET random_page_cost;
DROP TABLE rk_dim, rk_mid, rk_fact;
