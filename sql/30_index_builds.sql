-- Index builds through architect.create_index(): what is accepted, what is
-- refused and why, and what a job records.  Verification is switched off
-- here (its queries depend on what capture saw); 31_index_jobs.sql and the
-- TAP tests cover it.
SET pg_architect.verify_queries = 0;

CREATE TABLE items (id int PRIMARY KEY, code int, label text, price numeric);
INSERT INTO items SELECT g, g % 50, 'item ' || g, g * 1.5 FROM generate_series(1, 2000) g;

-- A helper to show a job without its timings.
CREATE FUNCTION job(id bigint)
RETURNS TABLE (status text, kind text, statement text, attempts int,
               sqlstate text, error text, cleanup text, index_valid boolean)
LANGUAGE sql AS $$
  SELECT j.status, j.kind, j.statement, j.attempts, j.sqlstate, j.error, j.cleanup,
         (SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
           JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relname = j.index_name AND n.nspname = j.schema_name)
    FROM architect.index_jobs j WHERE j.job_id = id
$$;

-- ===== NULLs and arguments =====
SELECT architect.create_index(NULL);
SELECT architect.create_index('CREATE INDEX ON items (code)', NULL);
SELECT architect.create_index('CREATE INDEX ON items (code)', true, NULL);

-- ===== anything but one CREATE INDEX statement =====
SELECT architect.create_index('');
SELECT architect.create_index('   ;  ');
SELECT architect.create_index('DROP TABLE items');
SELECT architect.create_index('SELECT 1');
SELECT architect.create_index('CREATE TABLE x (a int)');
SELECT architect.create_index('REINDEX INDEX items_pkey');
SELECT architect.create_index('CREATE INDEX ON items (code); DROP TABLE items');
-- (empty statements around it do not count: this one builds)
SELECT architect.create_index('CREATE INDEX ON items (code);; ');
-- fragments and injection attempts are syntax errors, shown within the text
SELECT architect.create_index('CREATE INDEX ON items (code)); DROP TABLE items; --');
SELECT architect.create_index('CREATE INDEX ON items (code) WHERE');
SELECT architect.create_index('items (code)');
-- a bare word can only name a recommendation
SELECT architect.create_index('items_code_idx');
SELECT count(*) AS items_still_there FROM items;

-- ===== the table and its columns =====
SELECT architect.create_index('CREATE INDEX ON no_such_table (code)');
SELECT architect.create_index('CREATE INDEX ON no_such_schema.items (code)');
SELECT architect.create_index('CREATE INDEX ON items (no_such_column)');
SELECT architect.create_index('CREATE INDEX ON items ("Code")');
SELECT architect.create_index('CREATE INDEX ON items (ctid)');
SELECT architect.create_index('CREATE INDEX ON items (code) INCLUDE ((price * 2))');
SELECT architect.create_index('CREATE INDEX ON items USING no_such_am (code)');
SELECT architect.create_index('CREATE INDEX ON items (code no_such_ops)');
SELECT architect.create_index('CREATE INDEX ON items (label COLLATE "no such collation")');
SELECT architect.create_index('CREATE INDEX ON items (code) TABLESPACE no_such_space');
SELECT architect.create_index('CREATE INDEX ON items (code) WITH (toast.fillfactor = 50)');
-- expressions and predicates are checked as CREATE INDEX would
SELECT architect.create_index('CREATE INDEX ON items ((random()))');
SELECT architect.create_index('CREATE INDEX ON items (code) WHERE price > random()');
SELECT architect.create_index('CREATE INDEX ON items (code) WHERE code IN (SELECT 1)');
SELECT architect.create_index('CREATE INDEX ON items ((count(*)))');
SELECT architect.create_index('CREATE INDEX ON items (code) WHERE other.x = 1');

-- ===== relations whose indexes pg_architect does not build =====
SELECT architect.create_index('CREATE INDEX ON pg_class (relname)');
SELECT architect.create_index('CREATE INDEX ON pg_catalog.pg_proc (proname)');
CREATE VIEW items_view AS SELECT * FROM items;
SELECT architect.create_index('CREATE INDEX ON items_view (code)');
CREATE SEQUENCE items_seq;
SELECT architect.create_index('CREATE INDEX ON items_seq (last_value)');
CREATE TEMP TABLE scratch (a int);
SELECT architect.create_index('CREATE INDEX ON scratch (a)');
SELECT architect.create_index('CREATE INDEX ON pg_temp.scratch (a)');
CREATE TABLE parted (a int, b int) PARTITION BY RANGE (a);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (100);
SELECT architect.create_index('CREATE INDEX ON parted (b)');
CREATE EXTENSION file_fdw;
CREATE SERVER files FOREIGN DATA WRAPPER file_fdw;
CREATE FOREIGN TABLE remote_items (a int) SERVER files OPTIONS (filename '/dev/null');
SELECT architect.create_index('CREATE INDEX ON remote_items (a)');

-- ===== wait => true inside a transaction block =====
BEGIN;
SELECT architect.create_index('CREATE INDEX ON items (code)');
ROLLBACK;

-- ===== builds =====
-- The concurrent build runs to its last phase, which waits for this very
-- statement's snapshot: the call says so and returns; the procedure waits.
SELECT architect.create_index('CREATE INDEX ON items (code)') AS job \gset
CALL architect.wait_index_job(:job);
SELECT * FROM job(:job);
-- partition of a partitioned table: a plain table
SELECT architect.create_index('CREATE INDEX ON parted_1 (b)') AS job \gset
CALL architect.wait_index_job(:job);
SELECT * FROM job(:job);
-- non-concurrent builds finish before the call returns
SELECT architect.create_index('CREATE INDEX items_label ON items (label)', concurrently => false) AS job \gset
SELECT * FROM job(:job);
-- the argument decides CONCURRENTLY, not the text
SELECT architect.create_index('CREATE INDEX CONCURRENTLY items_price ON items (price)', false) AS job \gset
SELECT * FROM job(:job);
-- a materialized view
CREATE MATERIALIZED VIEW items_mv AS SELECT code, count(*) AS n FROM items GROUP BY code;
SELECT architect.create_index('create unique index on items_mv (code)', false) AS job \gset
SELECT * FROM job(:job);

-- Quotes, spaces and capitals in every identifier; the statement is rebuilt
-- from the parse tree with quoted, schema-qualified names.
CREATE SCHEMA "Shop Floor";
CREATE TABLE "Shop Floor"."Odd ""Items""" ("Item Code" int, "label;drop" text, "Price" numeric);
INSERT INTO "Shop Floor"."Odd ""Items""" SELECT g, 'L' || g, g FROM generate_series(1, 100) g;
SET search_path = "Shop Floor", public;
SELECT architect.create_index($$CREATE INDEX "Odd Index; DROP TABLE items" ON "Odd ""Items""" ("Item Code" DESC NULLS LAST, lower("label;drop") text_pattern_ops) INCLUDE ("Price") WITH (fillfactor = 70) WHERE "Price" > 10$$, false) AS job \gset
RESET search_path;
SELECT * FROM job(:job);
SELECT pg_get_indexdef('"Shop Floor"."Odd Index; DROP TABLE items"'::regclass);
-- an expression on a function outside pg_catalog is written schema-qualified
CREATE FUNCTION public.half(numeric) RETURNS numeric IMMUTABLE LANGUAGE sql AS 'SELECT $1 / 2';
SELECT architect.create_index('CREATE INDEX items_half ON items (half(price))', false) AS job \gset
SELECT statement FROM architect.index_jobs WHERE job_id = :job;
-- unnamed indexes get the name CREATE INDEX would give them
SELECT architect.create_index('CREATE INDEX ON items (lower(label), code)', false) AS job \gset
SELECT index_name, statement FROM architect.index_jobs WHERE job_id = :job;

-- ===== names already taken =====
SELECT architect.create_index('CREATE INDEX items_label ON items (code)');
SELECT architect.create_index('CREATE INDEX IF NOT EXISTS items_label ON items (code)');
SELECT architect.create_index('CREATE INDEX items ON items (code)');
-- an invalid index left by a build done elsewhere must be dropped first
CREATE TABLE dups (a int);
INSERT INTO dups VALUES (1), (1), (2);
CREATE UNIQUE INDEX CONCURRENTLY dups_left ON dups (a);
SELECT architect.create_index('CREATE INDEX dups_left ON dups (a)');

-- ===== a unique index on duplicate data =====
SELECT architect.create_index('CREATE UNIQUE INDEX dups_a ON dups (a)');
SELECT job_id AS job FROM architect.index_jobs WHERE index_name = 'dups_a' \gset
SELECT * FROM job(:job);
SELECT error_detail, cleanup_pending FROM architect.index_jobs WHERE job_id = :job;
SELECT count(*) AS indexes_named_dups_a FROM pg_class WHERE relname = 'dups_a';
-- the same, not concurrently: nothing to clean up
SELECT architect.create_index('CREATE UNIQUE INDEX dups_b ON dups (a)', false);
SELECT count(*) AS indexes_named_dups_b FROM pg_class WHERE relname = 'dups_b';

DROP MATERIALIZED VIEW items_mv;
DROP VIEW items_view;
DROP TABLE items, dups, parted, "Shop Floor"."Odd ""Items""";
DROP SEQUENCE items_seq;
DROP FOREIGN TABLE remote_items;
DROP SERVER files;
DROP EXTENSION file_fdw;
DROP SCHEMA "Shop Floor";
DROP FUNCTION job(bigint), public.half(numeric);
