-- Size estimates of hypothetical indexes against the indexes once built.
-- B-tree estimates must be within 15% of the built index; GIN ones within a
-- factor of two.  Tables are no larger than ANALYZE's sample (30,000 rows),
-- so the statistics, and the estimates, are the same on every run.

CREATE TABLE sz (
    id      int NOT NULL,
    grp     int NOT NULL,
    code    text NOT NULL,
    email   text NOT NULL,
    price   numeric(10,2) NOT NULL,
    ts      timestamptz NOT NULL,
    flag    boolean NOT NULL,
    maybe   int,
    big     bigint NOT NULL,
    uid     uuid NOT NULL,
    attrs   jsonb NOT NULL,
    tags    text[] NOT NULL,
    title   text NOT NULL
);
INSERT INTO sz
SELECT g, g % 50, 'SKU-' || lpad((g % 5000)::text, 6, '0'),
       'user' || g || '@example.com', (g % 997) * 1.25,
       '2024-01-01'::timestamptz + g * interval '1 minute', g % 3 = 0,
       CASE WHEN g % 4 = 0 THEN NULL ELSE g END, g::bigint * 1000,
       md5(g::text)::uuid,
       jsonb_build_object('color', (ARRAY['red','blue','green','black'])[1 + g % 4],
                          'size', (ARRAY['S','M','L','XL'])[1 + (g / 4) % 4]),
       ARRAY['t' || (g % 50), 't' || (g % 7), 't' || (g % 13)],
       'Product ' || md5(g::text)
FROM generate_series(1, 30000) g;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
ANALYZE sz;

-- Estimate, build, measure, drop.
CREATE FUNCTION pga_size_check(ddl text)
RETURNS TABLE (definition text, ratio numeric)
LANGUAGE plpgsql AS $$
DECLARE est bigint; built bigint;
BEGIN
    SELECT w.estimated_size_bytes INTO est
      FROM architect.whatif('SELECT 1', ARRAY[ddl]) w;
    EXECUTE replace(ddl, 'INDEX ON', 'INDEX pga_size_check_idx ON');
    built := pg_relation_size('pga_size_check_idx');
    DROP INDEX pga_size_check_idx;
    RETURN QUERY SELECT ddl, round(est::numeric / built, 3);
END $$;

-- Each estimate within [lo, hi] times the built index?
CREATE FUNCTION pga_sizes_within(ddls text[], lo numeric, hi numeric)
RETURNS TABLE (definition text, within boolean)
LANGUAGE sql AS $$
    SELECT c.definition, c.ratio BETWEEN lo AND hi
      FROM unnest(ddls) WITH ORDINALITY d(ddl, n), LATERAL pga_size_check(d.ddl) c
     ORDER BY d.n
$$;

CREATE TEMP TABLE btree_sizes AS
SELECT (pga_size_check(d)).* FROM unnest(ARRAY[
    'CREATE INDEX ON sz (id)',
    'CREATE UNIQUE INDEX ON sz (id)',
    'CREATE INDEX ON sz (grp)',
    'CREATE INDEX ON sz (code)',
    'CREATE INDEX ON sz (email)',
    'CREATE INDEX ON sz (price)',
    'CREATE INDEX ON sz (ts DESC)',
    'CREATE INDEX ON sz (flag)',
    'CREATE INDEX ON sz (maybe)',
    'CREATE INDEX ON sz (big)',
    'CREATE INDEX ON sz (uid)',
    'CREATE INDEX ON sz (grp, id)',
    'CREATE INDEX ON sz (grp, code)',
    'CREATE INDEX ON sz (id, grp, code)',
    'CREATE INDEX ON sz (grp) INCLUDE (email)',
    'CREATE INDEX ON sz (lower(email))',
    'CREATE INDEX ON sz (id) WHERE flag',
    'CREATE INDEX ON sz (ts) WHERE grp < 10',
    'CREATE INDEX ON sz (grp) WITH (fillfactor = 70)',
    'CREATE INDEX ON sz (code) WITH (deduplicate_items = off)']) d;
SELECT definition, ratio BETWEEN 0.85 AND 1.15 AS within_15pct
  FROM btree_sizes;

-- The bound means something: an estimate that ignored deduplication (the
-- same index with deduplicate_items off) is far from the deduplicated one.
CREATE INDEX pga_dedup_idx ON sz (grp);
SELECT round(w.estimated_size_bytes::numeric / pg_relation_size('pga_dedup_idx')) AS times_too_big
  FROM architect.whatif('SELECT 1', ARRAY['CREATE INDEX ON sz (grp) WITH (deduplicate_items = off)']) w;
DROP INDEX pga_dedup_idx;

-- GIN: within a factor of two.
SELECT * FROM pga_sizes_within(ARRAY[
    'CREATE INDEX ON sz USING gin (attrs)',
    'CREATE INDEX ON sz USING gin (attrs jsonb_path_ops)',
    'CREATE INDEX ON sz USING gin (tags)',
    'CREATE INDEX ON sz USING gin (title gin_trgm_ops)'], 0.5, 2.0);

-- The planner sees the estimate: the same scan of a bigger hypothetical
-- index costs more.
SELECT a.used AND b.used AS both_used, a.cost_with < b.cost_with AS smaller_is_cheaper
  FROM architect.whatif('SELECT id FROM sz WHERE grp = 5', ARRAY['CREATE INDEX ON sz (grp)']) a,
       architect.whatif('SELECT id FROM sz WHERE grp = 5', ARRAY['CREATE INDEX ON sz (grp) WITH (fillfactor = 10, deduplicate_items = off)']) b;

-- A clustered key in a table larger than ANALYZE's block sample: order
-- lines filed under their order, 4 to 12 per order, about 40 rows a block.
-- With every column's statistics target at 1, ANALYZE reads 300 of the
-- table's blocks and keeps 300 rows; lines of one order that share a block
-- turn up together in its sample (about 25 such pairs, where a uniform
-- sample would hold 5) and pg_statistic's distinct count runs far below the
-- truth.  The estimate must follow the real index, not that count.
-- order_ref is clustered the same way without being sorted (correlation
-- near zero); line is not clustered at all; (order_id, line) is unique.
CREATE TABLE sz_lines (order_id int NOT NULL, order_ref int NOT NULL,
                       line int NOT NULL, note text NOT NULL);
INSERT INTO sz_lines
SELECT o, (o * 7919) % 100003, l, repeat('x', 150)
  FROM generate_series(1, 7500) o, generate_series(1, 4 + o % 9) l;
ALTER TABLE sz_lines ALTER order_id SET STATISTICS 1,
                     ALTER order_ref SET STATISTICS 1,
                     ALTER line SET STATISTICS 1,
                     ALTER note SET STATISTICS 1;
ANALYZE sz_lines;
SELECT pg_relation_size('sz_lines') / current_setting('block_size')::int > 3 * 300
       AS more_blocks_than_analyze_reads;
SELECT s.attname,
       CASE WHEN s.n_distinct < 0 THEN -s.n_distinct * c.reltuples
            ELSE s.n_distinct END < 0.5 * 7500 AS analyze_count_below_half
  FROM pg_stats s JOIN pg_class c ON c.relname = s.tablename
 WHERE s.tablename = 'sz_lines' AND s.attname IN ('order_id', 'order_ref')
 ORDER BY 1;
SELECT * FROM pga_sizes_within(ARRAY[
    'CREATE INDEX ON sz_lines (order_id)',
    'CREATE INDEX ON sz_lines (order_ref)',
    'CREATE INDEX ON sz_lines (line)',
    'CREATE INDEX ON sz_lines (order_id, line)'], 0.85, 1.15);
DROP TABLE sz_lines;

-- Leave nothing behind for the suites that follow.
DROP TABLE sz;
DROP FUNCTION pga_sizes_within(text[], numeric, numeric);
DROP FUNCTION pga_size_check(text);
DROP EXTENSION pg_trgm;
