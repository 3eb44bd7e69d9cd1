-- The random-fetch guard and index-only probes (src/advisor_fetch.c): an
-- index-only scan still fetches the heap tuple of every index entry on a
-- page that is not all-visible, so a repeated index-only probe is charged
-- for that share of its rows (1 - relallvisible / relpages, the planner's
-- allvisfrac), like a plain index probe for all of them; all-visible pages
-- cost nothing.
--
-- Two tables with the same rows as sql/27_advisor_random_fetch.sql's
-- rf_fact (100 rows per key k, uncorrelated, about 740 pages): av_none
-- never vacuumed (no page all-visible), av_half vacuumed after its first
-- half was loaded (about half its pages all-visible).  A join from 24 rows
-- of av_dim probes the covering index (k) INCLUDE (amount) 24 times:
-- av_none's probes fetch 2,400 heap rows, av_half's about 1,200.

CREATE TABLE av_dim (id int, grp int, label text);
CREATE TABLE av_none (k int, amount int, pad text) WITH (autovacuum_enabled = off);
CREATE TABLE av_half (k int, amount int, pad text) WITH (autovacuum_enabled = off);
INSERT INTO av_dim SELECT g, g % 50, 'd' || g FROM generate_series(1, 600) g;
INSERT INTO av_none SELECT (g * 7919) % 600 + 1, g % 97, repeat('x', 60)
  FROM generate_series(1, 60000) g;
INSERT INTO av_half SELECT (g * 7919) % 600 + 1, g % 97, repeat('x', 60)
  FROM generate_series(1, 30000) g;
VACUUM av_half;
INSERT INTO av_half SELECT (g * 7919) % 600 + 1, g % 97, repeat('x', 60)
  FROM generate_series(30001, 60000) g;
ANALYZE av_dim, av_none, av_half;
SELECT relname, relpages BETWEEN 600 AND 900 AS about_740_pages,
       round(relallvisible::numeric / relpages, 1) AS all_visible_share
  FROM pg_class WHERE relname IN ('av_none', 'av_half') ORDER BY relname;

SET random_page_cost = 1.1;
CREATE FUNCTION av_cost(tab text, OUT used text[], OUT planner_cheaper bool,
                        OUT charged bool, OUT guarded_dearer bool,
                        OUT guarded_gain_below_20pct bool)
LANGUAGE sql AS $$
  SELECT used_indexes, cost_with < cost_without, guarded_cost_with > cost_with,
         guarded_cost_with > cost_without, guarded_cost_with > 0.8 * cost_without
    FROM architect.workload_whatif(
      ARRAY[format('CREATE INDEX ON %I (k) INCLUDE (amount)', tab)],
      ARRAY[format('SELECT d.label, sum(f.amount) FROM av_dim d JOIN %I f ON f.k = d.id WHERE d.grp < 2 GROUP BY d.label', tab)])
$$;

-- random_fetch_table_fraction 1 (the default): both are charged, av_none
-- for 2,400 fetches (then dearer than today's hash join), av_half for its
-- 1,200 (more than its 740 pages; then cheaper than today by less than
-- min_improvement, 20 %).  A guard that let index-only probes go free would
-- charge neither.
SELECT 'none' AS visible, * FROM av_cost('av_none')
UNION ALL
SELECT 'half', * FROM av_cost('av_half');

-- random_fetch_table_fraction 2 (1,480 pages): av_half's 1,200 fetches
-- are below it, av_none's 2,400 are not.  A guard that charged index-only
-- probes for every row, all-visible or not, would charge both.
SET pg_architect.random_fetch_table_fraction = 2;
SELECT 'none' AS visible, * FROM av_cost('av_none')
UNION ALL
SELECT 'half', * FROM av_cost('av_half');
RESET pg_architect.random_fetch_table_fraction;

-- The advisor sees the same: at the default fraction it does not recommend
-- the probe index for av_half (gain below min_improvement once charged);
-- once the table is all-visible it does.
SELECT count(*) AS recommended
  FROM architect.recommend_indexes_for(ARRAY[
    'SELECT d.label, sum(f.amount) FROM av_dim d JOIN av_half f ON f.k = d.id WHERE d.grp < 2 GROUP BY d.label'])
 WHERE table_name = 'av_half';
VACUUM av_half;
SELECT relallvisible = relpages AS all_visible FROM pg_class WHERE relname = 'av_half';
SELECT 'all' AS visible, * FROM av_cost('av_half');
SELECT table_name, columns, include_columns
  FROM architect.recommend_indexes_for(ARRAY[
    'SELECT d.label, sum(f.amount) FROM av_dim d JOIN av_half f ON f.k = d.id WHERE d.grp < 2 GROUP BY d.label'])
 WHERE table_name = 'av_half';

RESET random_page_cost;
DROP FUNCTION av_cost(text);
DROP TABLE av_dim, av_none, av_half;
