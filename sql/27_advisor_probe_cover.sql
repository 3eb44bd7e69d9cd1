-- Join probes on several columns, read index-only (candidates.c's
-- pga_join_probe_candidates; advisor.c's extension pruning and net gain).
--
-- The shape of TPC-H's Q9 and Q17 on small tables.  pc_line has 8 rows per
-- (pk, sk) pair of pc_ps, spread over the whole table.  The probe query
-- joins the 100 "green" parts to their 400 pc_ps rows and those to pc_line
-- on both pk and sk, reading six pc_line columns.  The other query is a
-- correlated sub-plan over pc_line by pk, which any index led by pk turns
-- from a scan of the table per outer row into a lookup.
--
-- With the plain pc_line (pk) index the probe query becomes a nested loop
-- that fetches 32 random heap rows per green part: 3,200 fetches from a
-- table of about 1,100 pages, which the random-fetch guard charges
-- (sql/27_advisor_random_fetch.sql), more than max_regression over today's
-- hash join; the guard rail refuses it.  An index on (pk, sk) with the
-- other four columns as INCLUDE serves both queries and the probe reads it
-- index-only (the table is all-visible after VACUUM): nothing to charge.
-- Before this, that candidate was not generated (the join columns were only
-- proposed one at a time, and pk alone with five INCLUDE columns is more
-- than max_index_columns), and the selection ended with no index at all.

CREATE TABLE pc_part (pk int, name text, brand int);
CREATE TABLE pc_ps (pk int, sk int, cost int);
CREATE TABLE pc_line (pk int, sk int, ok int, qty int, price int, disc int, pad text)
  WITH (autovacuum_enabled = off);
INSERT INTO pc_part
  SELECT g, CASE WHEN g % 20 = 0 THEN 'dark green' ELSE 'blue' END, g % 25
    FROM generate_series(1, 2000) g;
INSERT INTO pc_ps
  SELECT p, (p * 7 + i * 13) % 100 + 1, (p + i) % 90
    FROM generate_series(1, 2000) p, generate_series(0, 3) i;
INSERT INTO pc_line
  SELECT ps.pk, ps.sk, j * 8000 + ps.pk * 4, (j + ps.pk) % 50 + 1, ps.pk + j,
         j % 10, repeat('x', 80)
    FROM generate_series(0, 7) j, pc_ps ps
   ORDER BY md5(j || '/' || ps.pk || '/' || ps.sk);
VACUUM ANALYZE pc_part, pc_ps, pc_line;
SELECT relpages BETWEEN 900 AND 1300 AS about_1100_pages,
       relallvisible = relpages AS all_visible
  FROM pg_class WHERE relname = 'pc_line';
SELECT attname, abs(correlation) < 0.1 AS uncorrelated
  FROM pg_stats WHERE tablename = 'pc_line' AND attname IN ('pk', 'sk')
 ORDER BY attname;

SET random_page_cost = 1.1;
CREATE TABLE pc_queries (name text, query text);
INSERT INTO pc_queries VALUES
  ('probe', 'SELECT p.brand, sum(l.price * (10 - l.disc) - ps.cost * l.qty), count(DISTINCT l.ok) FROM pc_part p JOIN pc_ps ps ON ps.pk = p.pk JOIN pc_line l ON l.pk = ps.pk AND l.sk = ps.sk WHERE p.name LIKE ''%green%'' GROUP BY p.brand'),
  ('sub-plan', 'SELECT sum(l.price) FROM pc_line l JOIN pc_part p ON p.pk = l.pk WHERE p.brand = 3 AND l.qty < (SELECT 0.2 * avg(l2.qty) FROM pc_line l2 WHERE l2.pk = p.pk)');

-- The plain join-column index: the planner likes it for both queries, the
-- guard-corrected cost of the probe query is more than max_regression
-- (10 %) above today's.
SELECT q.name, w.used_indexes,
       w.cost_with < w.cost_without AS planner_cheaper,
       w.guarded_cost_with > 1.1 * w.cost_without AS guarded_regression
  FROM architect.workload_whatif(ARRAY['CREATE INDEX ON pc_line (pk)'],
                                 (SELECT array_agg(query ORDER BY name) FROM pc_queries)) w
  JOIN pc_queries q ON q.query = w.query
 ORDER BY q.name;

-- The covering probe index: cheaper for both, on both yardsticks (nothing
-- charged: the probes read no heap page).
SELECT q.name, w.used_indexes,
       w.cost_with < w.cost_without AS planner_cheaper,
       w.guarded_cost_with = w.cost_with AS not_charged
  FROM architect.workload_whatif(ARRAY['CREATE INDEX ON pc_line (pk, sk) INCLUDE (ok, qty, price, disc)'],
                                 (SELECT array_agg(query ORDER BY name) FROM pc_queries)) w
  JOIN pc_queries q ON q.query = w.query
 ORDER BY q.name;

-- The advisor proposes and picks it (it was empty-handed before).
SELECT table_name, columns, include_columns, improvement_pct >= 20 AS gain_ok,
       cardinality(queryids) AS queries, reason
  FROM architect.recommend_indexes_for((SELECT array_agg(query ORDER BY name) FROM pc_queries));

-- The probe query alone gets the covering index too (its probes read
-- nothing from the heap), not the plain pk one the guard charges.
SELECT table_name, columns, include_columns, improvement_pct >= 20 AS gain_ok
  FROM architect.recommend_indexes_for((SELECT array_agg(query) FROM pc_queries WHERE name = 'probe'));

RESET random_page_cost;
DROP TABLE pc_queries, pc_part, pc_ps, pc_line;
