-- architect.whatif(): hypothetical indexes planned in-process.  Costs are
-- never printed (they depend on the cost settings); tests compare them.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Errors as text: SQLSTATE, message and hint.
CREATE FUNCTION pga_err(sql text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE st text; msg text; hint text;
BEGIN
    EXECUTE sql;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
    RETURN st || ': ' || msg || CASE WHEN hint <> '' THEN ' (hint: ' || hint || ')' ELSE '' END;
END $$;

CREATE TABLE wi_items (
    id       int PRIMARY KEY,
    grp      int NOT NULL,
    code     text NOT NULL,
    email    text NOT NULL,
    price    numeric(10,2) NOT NULL,
    flagged  boolean NOT NULL,
    done_at  timestamptz,
    attrs    jsonb NOT NULL,
    tags     text[] NOT NULL,
    body     text NOT NULL
);
INSERT INTO wi_items
SELECT g, g % 100, 'C-' || lpad((g % 5000)::text, 5, '0'),
       'User' || g || '@Example.com', (g % 997) * 1.5, g % 50 = 0,
       CASE WHEN g % 40 = 0 THEN NULL ELSE '2024-01-01'::timestamptz + g * interval '1 minute' END,
       jsonb_build_object('color', (ARRAY['red','blue','green','black'])[1 + g % 4],
                          'size', (ARRAY['S','M','L','XL'])[1 + (g / 4) % 4]),
       ARRAY['t' || (g % 50), 't' || (g % 7)],
       'order number ' || g || ' shipped with ' || (ARRAY['care','speed','love'])[1 + g % 3]
FROM generate_series(1, 20000) g;
-- Vacuumed, so that index-only scans see an all-visible table.
VACUUM ANALYZE wi_items;

-- A plain B-tree that the plan uses; nothing is created.
SELECT index_name, ddl, used, cost_with < cost_without AS cheaper,
       improvement_pct > 50 AS big_gain, estimated_size_bytes > 0 AS sized
  FROM architect.whatif('SELECT * FROM wi_items WHERE grp = 7 AND price < 20',
                        ARRAY['CREATE INDEX ON wi_items (grp, price)']);
SELECT count(*) AS created_relations FROM pg_class WHERE relname LIKE 'wi_items_grp%';
EXPLAIN (COSTS OFF) SELECT * FROM wi_items WHERE grp = 7 AND price < 20;

-- Several at once: the plan picks the better one.
SELECT index_name, used
  FROM architect.whatif('SELECT id FROM wi_items WHERE code = ''C-00042''',
                        ARRAY['CREATE INDEX ON wi_items (grp)',
                              'CREATE INDEX ON wi_items (code)']);

-- Sort direction: (grp, price DESC) gives ORDER BY grp, price DESC without
-- a sort; (grp, price) needs an incremental sort on top and costs more.
SELECT d.index_name, d.ddl, d.used, d.cost_with < a.cost_with AS desc_cheaper
  FROM architect.whatif('SELECT id FROM wi_items ORDER BY grp, price DESC LIMIT 5',
                        ARRAY['CREATE INDEX ON wi_items (grp, price DESC)']) d,
       architect.whatif('SELECT id FROM wi_items ORDER BY grp, price DESC LIMIT 5',
                        ARRAY['CREATE INDEX ON wi_items (grp, price)']) a;

-- INCLUDE: the covering index is cheaper than the same key without it.
SELECT a.cost_with < b.cost_with AS covering_cheaper, a.used, b.used
  FROM architect.whatif('SELECT grp, price, code FROM wi_items WHERE grp = 3',
                        ARRAY['CREATE INDEX ON wi_items (grp) INCLUDE (price, code)']) a,
       architect.whatif('SELECT grp, price, code FROM wi_items WHERE grp = 3',
                        ARRAY['CREATE INDEX ON wi_items (grp)']) b;

-- Partial: used when the query implies the predicate, not otherwise.
SELECT index_name, ddl, used
  FROM architect.whatif('SELECT id FROM wi_items WHERE done_at IS NULL ORDER BY id LIMIT 5',
                        ARRAY['CREATE INDEX ON wi_items (id) WHERE done_at IS NULL']);
SELECT used
  FROM architect.whatif('SELECT id FROM wi_items WHERE done_at IS NOT NULL AND grp = 1',
                        ARRAY['CREATE INDEX ON wi_items (grp) WHERE done_at IS NULL']);

-- Expression: lower(email).
SELECT index_name, ddl, used
  FROM architect.whatif('SELECT id FROM wi_items WHERE lower(email) = ''user42@example.com''',
                        ARRAY['CREATE INDEX ON wi_items (lower(email))']);

-- An expression of another type than its column (int to text).
SELECT index_name, used, estimated_size_bytes > 0 AS sized
  FROM architect.whatif('SELECT id FROM wi_items WHERE grp::text = ''42''',
                        ARRAY['CREATE INDEX ON wi_items ((grp::text))']);

-- GIN: jsonb containment, array overlap, full text, and trigrams for LIKE.
SELECT index_name, used
  FROM architect.whatif('SELECT id FROM wi_items WHERE attrs @> ''{"color": "red", "size": "M"}''',
                        ARRAY['CREATE INDEX ON wi_items USING gin (attrs jsonb_path_ops)']);
SELECT index_name, used
  FROM architect.whatif('SELECT id FROM wi_items WHERE tags && ARRAY[''t3'']',
                        ARRAY['CREATE INDEX ON wi_items USING gin (tags)']);
SELECT index_name, used
  FROM architect.whatif('SELECT id FROM wi_items WHERE to_tsvector(''english'', body) @@ to_tsquery(''english'', ''number & 4242'')',
                        ARRAY['CREATE INDEX ON wi_items USING gin (to_tsvector(''english'', body))']);
SELECT index_name, ddl, used
  FROM architect.whatif('SELECT id FROM wi_items WHERE email LIKE ''%r4242@%''',
                        ARRAY['CREATE INDEX ON wi_items USING gin (email gin_trgm_ops)']);

-- Parameters are planned generically, with their types inferred.
SELECT used FROM architect.whatif('SELECT * FROM wi_items WHERE code = $1',
                                  ARRAY['CREATE INDEX ON wi_items (code)']);
-- Data-modifying statements are planned, never run.
SELECT used FROM architect.whatif('UPDATE wi_items SET price = 0 WHERE code = ''C-00001''',
                                  ARRAY['CREATE INDEX ON wi_items (code)']);
SELECT count(*) AS still_priced FROM wi_items WHERE code = 'C-00001' AND price > 0;

-- An index on a table the query does not read is not used.
CREATE TABLE wi_other (x int);
SELECT used FROM architect.whatif('SELECT * FROM wi_items WHERE grp = 1',
                                  ARRAY['CREATE INDEX ON wi_other (x)']);

-- Names: given names are kept; generated ones follow <table>_<cols>_idx and
-- are made unique; identifiers are always quoted.
CREATE TABLE "Odd ""Name"" T" ("Mixed Col" int, "select" int);
INSERT INTO "Odd ""Name"" T" SELECT g, g FROM generate_series(1, 100) g;
ANALYZE "Odd ""Name"" T";
SELECT index_name, ddl
  FROM architect.whatif('SELECT 1',
                        ARRAY['CREATE INDEX my_name ON wi_items (grp)',
                              'CREATE INDEX ON wi_items (grp)',
                              'CREATE INDEX ON wi_items (grp)',
                              'CREATE INDEX ON "Odd ""Name"" T" ("Mixed Col", "select" DESC NULLS LAST)',
                              'CREATE UNIQUE INDEX ON wi_items (id, grp) WITH (fillfactor = 70)']);

-- What whatif() leaves behind: nothing, in this session or any other.
SELECT count(*) AS hypothetical_left FROM pg_class WHERE oid < 16384 AND relname LIKE 'wi_items%';
EXPLAIN (COSTS OFF) SELECT id FROM wi_items WHERE lower(email) = 'user42@example.com';

-- Bad input.
SELECT pga_err($$SELECT * FROM architect.whatif(NULL, ARRAY['CREATE INDEX ON wi_items (grp)'])$$);
SELECT pga_err($$SELECT * FROM architect.whatif('SELECT 1', NULL)$$);
-- No index: one row with the plain cost, as EXPLAIN would give it.
SELECT index_name, used, cost_with = cost_without AS same_cost
  FROM architect.whatif('SELECT * FROM wi_items WHERE grp = 1', ARRAY[]::text[]);
-- MERGE is planned like the other data-modifying statements.
SELECT used FROM architect.whatif(
  'MERGE INTO wi_items t USING (SELECT 1 AS k) s ON t.code = ''C-00001'' WHEN MATCHED THEN UPDATE SET price = 1',
  ARRAY['CREATE INDEX ON wi_items (code)']);
SELECT pga_err($$SELECT * FROM architect.whatif('SELECT 1', ARRAY[NULL])$$);
SELECT pga_err($$SELECT * FROM architect.whatif('SELECT 1', ARRAY['DROP TABLE wi_items'])$$);
SELECT pga_err($$SELECT * FROM architect.whatif('SELECT 1', ARRAY['CREATE INDEX ON wi_items (grp); DROP TABLE wi_items'])$$);
SELECT count(*) > 0 AS wi_items_still_there FROM wi_items;
SELECT pga_err($$SELECT * FROM architect.whatif('SELECT 1', ARRAY['CREATE INDEX ON wi_items (grp'])$$);
SELECT pga_err($$SELECT * FROM architect.whatif('SELECT 1', ARRAY['CREATE INDEX ON no_such_table (a)'])$$);
SELECT pga_err($$SELECT * FROM architect.whatif('SELECT 1', ARRAY['CREATE INDEX ON wi_items (no_such_column)'])$$);
SELECT pga_err($$SELECT * FROM architect.whatif('SELECT 1', ARRAY['CREATE INDEX ON wi_items (grp) INCLUDE (nope)'])$$);
SELECT pga_err($$SELECT * FROM architect.whatif('SELECT 1', ARRAY['CREATE INDEX ON wi_items ("Grp")'])$$);
CREATE VIEW wi_view AS SELECT * FROM wi_items;
SELECT pga_err($$SELECT * FROM architect.whatif('SELECT 1', ARRAY['CREATE INDEX ON wi_view (grp)'])$$);
CREATE TABLE wi_parted (a int) PARTITION BY RANGE (a);
SELECT pga_err($$SELECT * FROM architect.whatif('SELECT 1', ARRAY['CREATE INDEX ON wi_parted (a)'])$$);
CREATE TEMP TABLE wi_temp (a int);
SELECT pga_err($$SELECT * FROM architect.whatif('SELECT 1', ARRAY['CREATE INDEX ON wi_temp (a)'])$$);
SELECT pga_err($$SELECT * FROM architect.whatif('SELECT 1', ARRAY['CREATE INDEX ON pg_class (relname)'])$$);
SELECT pga_err($$SELECT * FROM architect.whatif('SELECT 1', ARRAY['CREATE INDEX ON wi_items USING hash (grp)'])$$);
SELECT pga_err($$SELECT * FROM architect.whatif('SELECT 1', ARRAY['CREATE INDEX ON wi_items USING nonsense (grp)'])$$);
SELECT pga_err($$SELECT * FROM architect.whatif('SELECT 1', ARRAY['CREATE INDEX ON wi_items USING gin (grp)'])$$);
SELECT pga_err($$SELECT * FROM architect.whatif('SELECT 1', ARRAY['CREATE INDEX ON wi_items USING gin (tags DESC)'])$$);
SELECT pga_err($$SELECT * FROM architect.whatif('SELECT 1', ARRAY['CREATE INDEX ON wi_items (grp) WHERE done_at < now()'])$$);
SELECT pga_err($$SELECT * FROM architect.whatif('SELECT 1', ARRAY['CREATE INDEX ON wi_items ((random() * grp))'])$$);
SELECT pga_err($$SELECT * FROM architect.whatif('SELECT 1', ARRAY['CREATE INDEX ON wi_items (grp) WITH (fillfactor = 5)'])$$);
SELECT pga_err($$SELECT * FROM architect.whatif('SELECT 1', ARRAY['CREATE INDEX ON wi_items (grp) WITH (colour = 1)'])$$);
SELECT pga_err($$SELECT * FROM architect.whatif('SELECT 1', ARRAY['CREATE INDEX ON wi_items ((point(grp, grp)))'])$$);
SELECT pga_err($$SELECT * FROM architect.whatif('SELECT 1', ARRAY['CREATE INDEX ON wi_items (ctid)'])$$);
SELECT pga_err($$SELECT * FROM architect.whatif('VACUUM wi_items', ARRAY['CREATE INDEX ON wi_items (grp)'])$$);
SELECT pga_err($$SELECT * FROM architect.whatif('SELECT 1; SELECT 2', ARRAY['CREATE INDEX ON wi_items (grp)'])$$);
-- A statement that a rule rewrites into several: EXPLAIN takes it, whatif()
-- cannot cost it as one plan and says so as a missing feature (0A000, as
-- explain() does), not as a bad argument (sqlsmith found the mismatch).
CREATE TABLE wi_rule_log (grp int);
CREATE TABLE wi_rule_gone (grp int);
CREATE RULE wi_rule_also AS ON DELETE TO wi_rule_log DO ALSO INSERT INTO wi_rule_gone VALUES (old.grp);
SELECT pga_err($$SELECT * FROM architect.whatif('DELETE FROM wi_rule_log WHERE grp = 3', ARRAY['CREATE INDEX ON wi_rule_log (grp)'])$$);
SELECT pga_err($$SELECT * FROM architect.explain('DELETE FROM wi_rule_log WHERE grp = 3')$$);
DROP TABLE wi_rule_log, wi_rule_gone;
SELECT pga_err($$SELECT * FROM architect.whatif('SELEC 1', ARRAY['CREATE INDEX ON wi_items (grp)'])$$);
SELECT pga_err($$SELECT * FROM architect.whatif('SELECT 1 WHERE $1 IS NULL', ARRAY['CREATE INDEX ON wi_items (grp)'])$$);
SELECT pga_err($$SELECT * FROM architect.whatif('SELECT $1 + $2', ARRAY['CREATE INDEX ON wi_items (grp)'])$$);
SELECT pga_err($$SELECT * FROM architect.whatif('SELECT * FROM no_such_table', ARRAY['CREATE INDEX ON wi_items (grp)'])$$);

-- Privileges: a role that may not read the table may not plan on it.
CREATE ROLE pga_wi_reader;
GRANT SELECT (grp, price) ON wi_items TO pga_wi_reader;
SET ROLE pga_wi_reader;
SELECT used FROM architect.whatif('SELECT grp, price FROM wi_items WHERE grp = 3',
                                  ARRAY['CREATE INDEX ON wi_items (grp, price)']);
SELECT pga_err($$SELECT * FROM architect.whatif('SELECT grp FROM wi_items WHERE grp = 3', ARRAY['CREATE INDEX ON wi_items (code)'])$$);
SELECT pga_err($$SELECT * FROM architect.whatif('SELECT code FROM wi_items WHERE grp = 3', ARRAY['CREATE INDEX ON wi_items (grp)'])$$);
RESET ROLE;
REVOKE ALL ON wi_items FROM pga_wi_reader;
DROP ROLE pga_wi_reader;

-- Leave nothing behind for the suites that follow.
DROP VIEW wi_view;
DROP TABLE wi_items, wi_other, "Odd ""Name"" T", wi_parted;
DROP FUNCTION pga_err(text);
