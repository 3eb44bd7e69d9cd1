-- Bad-input matrix: every function of schema architect, called with bad
-- arguments one at a time (the others good), must either raise a clear
-- error with a specific SQLSTATE (never XX000) or return a correct result,
-- and change nothing it should not.
--
-- The list of functions comes from the catalog; each argument is varied
-- through the bad values of its class (relations of every kind, query and
-- DDL text, SQL fragments, quoted/unicode identifiers, NULLs, out-of-range
-- numbers).  A function whose required argument has no good value below
-- shows "NO GOOD VALUE" in the output: a new function needs an entry here.
--
-- Every call runs in its own subtransaction, rolled back afterwards, and
-- the whole matrix in a transaction that is rolled back too (index jobs
-- queued by create_index() with wait => false are cancelled then).  For
-- each call the output shows what it changed in a fingerprint of the test
-- schema (relations, columns, triggers, policies, row-level security, the
-- rows of the test table) and of the extension's own tables.

-- The objects the bad values point at.
CREATE EXTENSION IF NOT EXISTS file_fdw;
-- What some functions need, so that their checks go past that.
CREATE EXTENSION IF NOT EXISTS pgstattuple;
CREATE EXTENSION IF NOT EXISTS pg_cron;
CREATE SERVER pga_bad_files FOREIGN DATA WRAPPER file_fdw;
CREATE SCHEMA pga_bad;
CREATE TABLE pga_bad.t (id int PRIMARY KEY, a int, b text, tenant int,
    owner_name name, updated_at timestamptz, deleted_at timestamptz);
INSERT INTO pga_bad.t
    SELECT g, g % 10, 'b' || g, g % 3, 'nobody', '2024-01-01', NULL
      FROM generate_series(1, 200) g;
CREATE INDEX t_a_idx ON pga_bad.t (a);
ANALYZE pga_bad.t;
CREATE VIEW pga_bad.v AS SELECT * FROM pga_bad.t;
CREATE MATERIALIZED VIEW pga_bad.mv AS SELECT * FROM pga_bad.t;
CREATE TABLE pga_bad.p (id int, a int, tenant int, updated_at timestamptz,
    deleted_at timestamptz) PARTITION BY RANGE (id);
CREATE TABLE pga_bad.p1 PARTITION OF pga_bad.p FOR VALUES FROM (0) TO (1000);
CREATE INDEX p_a_idx ON pga_bad.p (a);
CREATE SEQUENCE pga_bad.s;
CREATE FOREIGN TABLE pga_bad.f (id int, a int)
    SERVER pga_bad_files OPTIONS (filename '/dev/null', format 'csv');
CREATE TEMP TABLE pga_tmp (id int, a int, tenant int, updated_at timestamptz,
    deleted_at timestamptz);
CREATE TABLE pga_bad."Weird ""Name"" ü; DROP TABLE t; --" (
    id int PRIMARY KEY, "Col ""x"" ü" int, "Tenant Id" int,
    updated_at timestamptz, deleted_at timestamptz);
CREATE TABLE pga_bad.dropped (id int);
CREATE TEMP TABLE pga_dropped AS SELECT 'pga_bad.dropped'::regclass::oid AS oid;
DROP TABLE pga_bad.dropped;

-- Bad values by class: (class, label, SQL expression).
CREATE TEMP TABLE pga_bad_values (ord int GENERATED ALWAYS AS IDENTITY,
    class text, label text, expr text);
INSERT INTO pga_bad_values (class, label, expr) VALUES
  ('rel', 'NULL', 'NULL'),
  ('rel', 'view', $$'pga_bad.v'$$),
  ('rel', 'materialized view', $$'pga_bad.mv'$$),
  ('rel', 'partitioned table', $$'pga_bad.p'$$),
  ('rel', 'partition', $$'pga_bad.p1'$$),
  ('rel', 'temp table', $$'pg_temp.pga_tmp'$$),
  ('rel', 'foreign table', $$'pga_bad.f'$$),
  ('rel', 'sequence', $$'pga_bad.s'$$),
  ('rel', 'index', $$'pga_bad.t_a_idx'$$),
  ('rel', 'system catalog', $$'pg_catalog.pg_class'$$),
  ('rel', 'dropped table', '(SELECT oid FROM pga_dropped)'),
  ('rel', 'quoted/unicode name', $$'pga_bad."Weird ""Name"" ü; DROP TABLE t; --"'$$),
  ('seq', 'NULL', 'NULL'),
  ('seq', 'table', $$'pga_bad.t'$$),
  ('seq', 'view', $$'pga_bad.v'$$),
  ('seq', 'system catalog', $$'pg_catalog.pg_class'$$),
  ('seq', 'dropped table', '(SELECT oid FROM pga_dropped)'),
  ('index', 'NULL', 'NULL'),
  ('index', 'table', $$'pga_bad.t'$$),
  ('index', 'view', $$'pga_bad.v'$$),
  ('index', 'primary key index', $$'pga_bad.t_pkey'$$),
  ('index', 'partitioned index', $$'pga_bad.p_a_idx'$$),
  ('index', 'system catalog index', $$'pg_catalog.pg_class_oid_index'$$),
  ('index', 'dropped table', '(SELECT oid FROM pga_dropped)'),
  ('query', 'NULL', 'NULL'),
  ('query', 'empty', $$''$$),
  ('query', 'blank', $$'   '$$),
  ('query', 'SQL fragment', $$'x"; DROP TABLE pga_bad.t; --'$$),
  ('query', 'two statements', $$'SELECT 1; DROP TABLE pga_bad.t'$$),
  ('query', 'DDL', $$'DROP TABLE pga_bad.t'$$),
  ('query', 'utility', $$'VACUUM pga_bad.t'$$),
  ('query', 'EXPLAIN', $$'EXPLAIN SELECT 1'$$),
  ('query', 'unknown table', $$'SELECT * FROM pga_bad.nope'$$),
  ('query', 'parameter', $$'SELECT * FROM pga_bad.t WHERE a = $1'$$),
  ('query', 'unicode, quoted names', $$'SELECT "Col ""x"" ü", ''ü€😀'' FROM pga_bad."Weird ""Name"" ü; DROP TABLE t; --" WHERE "Col ""x"" ü" = 1'$$),
  ('query', 'view', $$'SELECT * FROM pga_bad.v WHERE a = 1'$$),
  ('query', 'system catalog', $$'SELECT * FROM pg_class WHERE relname = ''x'''$$),
  ('ddl', 'NULL', 'NULL'),
  ('ddl', 'empty', $$''$$),
  ('ddl', 'SQL fragment', $$'x"; DROP TABLE pga_bad.t; --'$$),
  ('ddl', 'DROP TABLE', $$'DROP TABLE pga_bad.t'$$),
  ('ddl', 'two statements', $$'CREATE INDEX ON pga_bad.t (b); DROP TABLE pga_bad.t'$$),
  ('ddl', 'index on a view', $$'CREATE INDEX ON pga_bad.v (a)'$$),
  ('ddl', 'index on a foreign table', $$'CREATE INDEX ON pga_bad.f (a)'$$),
  ('ddl', 'index on a temp table', $$'CREATE INDEX ON pg_temp.pga_tmp (a)'$$),
  ('ddl', 'index on a catalog', $$'CREATE INDEX ON pg_catalog.pg_class (relname)'$$),
  ('ddl', 'unknown table', $$'CREATE INDEX ON pga_bad.nope (a)'$$),
  ('ddl', 'unknown column', $$'CREATE INDEX ON pga_bad.t (nope)'$$),
  ('ddl', 'no operator class', $$'CREATE INDEX ON pga_bad.t USING gin (a)'$$),
  ('ddl', 'existing name', $$'CREATE INDEX t_a_idx ON pga_bad.t (b)'$$),
  ('ddl', 'quoted/unicode names', $$'CREATE INDEX ON pga_bad."Weird ""Name"" ü; DROP TABLE t; --" ("Col ""x"" ü")'$$),
  ('indexes', 'NULL', 'NULL'),
  ('indexes', 'empty array', $$'{}'::text[]$$),
  ('indexes', 'NULL element', 'ARRAY[NULL]::text[]'),
  ('indexes', 'SQL fragment', $$ARRAY['x"; DROP TABLE pga_bad.t; --']$$),
  ('indexes', 'DROP TABLE', $$ARRAY['DROP TABLE pga_bad.t']$$),
  ('indexes', 'two statements', $$ARRAY['CREATE INDEX ON pga_bad.t (b); DROP TABLE pga_bad.t']$$),
  ('indexes', 'index on a view', $$ARRAY['CREATE INDEX ON pga_bad.v (a)']$$),
  ('indexes', 'index on a foreign table', $$ARRAY['CREATE INDEX ON pga_bad.f (a)']$$),
  ('indexes', 'index on a catalog', $$ARRAY['CREATE INDEX ON pg_catalog.pg_class (relname)']$$),
  ('indexes', 'unknown column', $$ARRAY['CREATE INDEX ON pga_bad.t (nope)']$$),
  ('indexes', 'no operator class', $$ARRAY['CREATE INDEX ON pga_bad.t USING gin (a)']$$),
  ('indexes', 'quoted/unicode names', $$ARRAY['CREATE INDEX ON pga_bad."Weird ""Name"" ü; DROP TABLE t; --" ("Col ""x"" ü")']$$),
  ('queries', 'NULL', 'NULL'),
  ('queries', 'empty array', $$'{}'::text[]$$),
  ('queries', 'NULL element', 'ARRAY[NULL]::text[]'),
  ('queries', 'SQL fragment', $$ARRAY['x"; DROP TABLE pga_bad.t; --']$$),
  ('queries', 'two statements', $$ARRAY['SELECT 1; DROP TABLE pga_bad.t']$$),
  ('queries', 'DDL', $$ARRAY['DROP TABLE pga_bad.t']$$),
  ('queries', 'unknown table', $$ARRAY['SELECT * FROM pga_bad.nope']$$),
  ('column', 'NULL', 'NULL'),
  ('column', 'empty', $$''$$),
  ('column', 'unknown column', $$'nope'$$),
  ('column', 'column of the wrong type', $$'b'$$),
  ('column', 'system column', $$'ctid'$$),
  ('column', 'SQL fragment', $$'x"; DROP TABLE pga_bad.t; --'$$),
  ('column', 'quoted/unicode name', $$'Col "x" ü'$$),
  ('name', 'NULL', 'NULL'),
  ('name', 'empty', $$''$$),
  ('name', 'unknown', $$'nope'$$),
  ('name', 'SQL fragment', $$'x"; DROP TABLE pga_bad.t; --'$$),
  ('names', 'NULL', 'NULL'),
  ('names', 'unknown', $$'{nope}'::name[]$$),
  ('names', 'NULL element', 'ARRAY[NULL]::name[]'),
  ('names', 'SQL fragment', $$ARRAY['x"; DROP TABLE pga_bad.t; --']::name[]$$),
  ('text', 'NULL', 'NULL'),
  ('text', 'empty', $$''$$),
  ('text', 'unknown', $$'nope'$$),
  ('text', 'SQL fragment', $$'x"; DROP TABLE pga_bad.t; --'$$),
  ('float8', 'NULL', 'NULL'),
  ('float8', 'negative', '-1'),
  ('float8', 'zero', '0'),
  ('float8', 'NaN', $$'NaN'::float8$$),
  ('float8', 'Infinity', $$'Infinity'::float8$$),
  ('float8', '-Infinity', $$'-Infinity'::float8$$),
  ('float8', 'huge', '1e308'),
  ('float8s', 'negative weight', $$'{-1}'::float8[]$$),
  ('float8s', 'NaN weight', $$'{NaN}'::float8[]$$),
  ('float8s', 'NULL weight', 'ARRAY[NULL]::float8[]'),
  ('float8s', 'more weights than queries', $$'{1,2,3}'::float8[]$$),
  ('int', 'NULL', 'NULL'),
  ('int', 'negative', '-1'),
  ('int', 'zero', '0'),
  ('int', 'max', '2147483647'),
  ('bigint', 'NULL', 'NULL'),
  ('bigint', 'negative', '-1'),
  ('bigint', 'zero', '0'),
  ('bigint', 'max', '9223372036854775807'),
  ('interval', 'NULL', 'NULL'),
  ('interval', 'negative', $$'-1 day'::interval$$),
  ('interval', 'zero', $$'0'::interval$$),
  ('interval', 'huge', $$'100000 years'::interval$$),
  ('bool', 'NULL', 'NULL'),
  ('oid', 'NULL', 'NULL'),
  ('oid', 'zero', '0'),
  ('oid', 'max', '4294967295'),
  ('numeric', 'NULL', 'NULL'),
  ('numeric', 'negative', '-1'),
  ('numeric', 'NaN', $$'NaN'::numeric$$),
  ('numeric', 'huge', '1e100'),
  ('severity', 'NULL', 'NULL');

-- Good values: (function, argument, SQL expression).  Every argument
-- without a default needs one; some with a default get one too, so that a
-- call does not wait or build (create_index(wait => false) is cancelled
-- with the transaction).
CREATE TEMP TABLE pga_good (fn text, arg text, expr text);
INSERT INTO pga_good VALUES
  ('age_text', 'age', $$'1 day'::interval$$),
  ('audit_purge', 'older_than', $$'30 days'::interval$$),
  ('cancel_index_job', 'job_id', '999999'),
  ('create_index', 'ddl_or_recommendation', $$'CREATE INDEX pga_bad_t_b_idx ON pga_bad.t (b)'$$),
  ('create_index', 'wait', 'false'),
  ('disable_audit', 'tbl', $$'pga_bad.t'$$),
  ('disable_rls', 'tbl', $$'pga_bad.t'$$),
  ('disable_soft_delete', 'tbl', $$'pga_bad.t'$$),
  ('disable_updated_at', 'tbl', $$'pga_bad.t'$$),
  ('drop_index', 'index', $$'pga_bad.t_a_idx'$$),
  ('drop_index', 'wait', 'false'),
  ('enable_audit', 'tbl', $$'pga_bad.t'$$),
  ('enable_owner_rls', 'tbl', $$'pga_bad.t'$$),
  ('enable_owner_rls', 'owner_column', $$'owner_name'$$),
  ('enable_owner_rls', 'create_index', 'false'),
  ('enable_rls', 'tbl', $$'pga_bad.t'$$),
  ('enable_rls', 'tenant_column', $$'tenant'$$),
  ('enable_rls', 'create_index', 'false'),
  ('enable_soft_delete', 'tbl', $$'pga_bad.t'$$),
  ('enable_updated_at', 'tbl', $$'pga_bad.t'$$),
  ('exact_bloat', 'rel', $$'pga_bad.t'$$),
  ('extension_members', 'classid', $$'pg_catalog.pg_class'$$),
  ('explain', 'query', $$'SELECT * FROM pga_bad.t WHERE a = 1'$$),
  ('guard_options', 'trigger', '0'),
  ('guard_setting', 'name', $$'app.current_tenant'$$),
  ('is_user_schema', 'nspname', $$'pga_bad'$$),
  ('memory_setting', 'bytes', '1048576'),
  ('recommend_indexes_for', 'queries', $$ARRAY['SELECT * FROM pga_bad.t WHERE b = ''b1''']$$),
  ('require_primary', 'what', $$'this check'$$),
  ('sequence_last_value', 'seq', $$'pga_bad.s'$$),
  ('severity_rank', 'severity', $$'warning'$$),
  ('wait_index_job', 'job_id', '999999'),
  ('wait_index_job', 'timeout', $$'1 second'::interval$$),
  ('whatif', 'query', $$'SELECT * FROM pga_bad.t WHERE b = ''b1'''$$),
  ('whatif', 'indexes', $$ARRAY['CREATE INDEX ON pga_bad.t (b)']$$),
  ('whatif_join_reuse', 'query', $$'SELECT * FROM pga_bad.t WHERE b = ''b1'''$$),
  ('whatif_join_reuse', 'indexes', $$ARRAY['CREATE INDEX ON pga_bad.t (b)']$$),
  ('whatif_join_reuse', 'trained_with', $$ARRAY['CREATE INDEX ON pga_bad.t (b)']$$),
  ('workload_whatif', 'indexes', $$ARRAY['CREATE INDEX ON pga_bad.t (b)']$$);

-- The class of an argument: by function and name where the type says too
-- little, else by type.
CREATE TEMP TABLE pga_arg_class (fn text, arg text, class text);
INSERT INTO pga_arg_class VALUES
  ('explain', 'query', 'query'),
  ('whatif', 'query', 'query'),
  ('whatif', 'indexes', 'indexes'),
  ('workload_whatif', 'indexes', 'indexes'),
  ('workload_whatif', 'queries', 'queries'),
  ('whatif_join_reuse', 'query', 'query'),
  ('whatif_join_reuse', 'indexes', 'indexes'),
  ('whatif_join_reuse', 'trained_with', 'indexes'),
  ('recommend_indexes_for', 'queries', 'queries'),
  ('create_index', 'ddl_or_recommendation', 'ddl'),
  ('sequence_last_value', 'seq', 'seq'),
  ('drop_index', 'index', 'index'),
  ('enable_updated_at', 'col', 'column'),
  ('enable_soft_delete', 'col', 'column'),
  ('enable_rls', 'tenant_column', 'column'),
  ('enable_owner_rls', 'owner_column', 'column');

-- The arguments of every function, from the catalog.
CREATE TEMP VIEW pga_args AS
SELECT p.oid AS fn_oid, p.proname::text AS fn, p.prokind, a.pos, a.name AS arg,
       a.typ::regtype::text AS typ, a.pos > p.pronargs - p.pronargdefaults AS has_default,
       coalesce(c.class,
                CASE a.typ::regtype::text
                    WHEN 'regclass' THEN 'rel'
                    WHEN 'text' THEN 'text'
                    WHEN 'name' THEN 'name'
                    WHEN 'name[]' THEN 'names'
                    WHEN 'double precision' THEN 'float8'
                    WHEN 'double precision[]' THEN 'float8s'
                    WHEN 'integer' THEN 'int'
                    WHEN 'bigint' THEN 'bigint'
                    WHEN 'interval' THEN 'interval'
                    WHEN 'boolean' THEN 'bool'
                    WHEN 'oid' THEN 'oid'
                    WHEN 'numeric' THEN 'numeric'
                    WHEN 'architect.severity' THEN 'severity'
                END) AS class,
       g.expr AS good
  FROM pg_proc p
 CROSS JOIN LATERAL unnest(p.proargtypes::oid[], p.proargnames[1:p.pronargs])
       WITH ORDINALITY AS a(typ, name, pos)
  LEFT JOIN pga_arg_class c ON c.fn = p.proname AND c.arg = a.name
  LEFT JOIN pga_good g ON g.fn = p.proname AND g.arg = a.name
 WHERE p.pronamespace = 'architect'::regnamespace;

-- Nothing is missing from the matrix: every required argument has a good
-- value and every argument a class (a new function shows up here).
SELECT fn, arg, typ,
       CASE WHEN class IS NULL THEN 'NO CLASS FOR THIS TYPE' ELSE 'NO GOOD VALUE' END AS missing
  FROM pga_args
 WHERE class IS NULL OR (good IS NULL AND NOT has_default)
 ORDER BY fn, pos;

-- What the test schema and the extension's tables hold, as a set of lines.
CREATE FUNCTION pg_temp.pga_fingerprint() RETURNS text[]
LANGUAGE plpgsql AS $$
DECLARE
    lines text[];
    r record;
    n bigint;
BEGIN
    SELECT array_agg(x) INTO lines FROM (
        SELECT 'relation ' || c.oid::regclass || ' (' || c.relkind::text || ')'
               || CASE WHEN c.relrowsecurity THEN ' row security' ELSE '' END
               || CASE WHEN c.relforcerowsecurity THEN ' forced' ELSE '' END
          FROM pg_class c
         WHERE c.relnamespace IN ('pga_bad'::regnamespace, pg_my_temp_schema())
        UNION ALL
        SELECT 'index ' || i.indexrelid::regclass || CASE WHEN i.indisvalid THEN '' ELSE ' INVALID' END
          FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
         WHERE c.relnamespace = 'pga_bad'::regnamespace
        UNION ALL
        SELECT 'column ' || a.attrelid::regclass || '.' || quote_ident(a.attname) || ' '
               || format_type(a.atttypid, a.atttypmod)
               || CASE WHEN a.atthasdef THEN ' default' ELSE '' END
          FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
         WHERE c.relnamespace = 'pga_bad'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'f')
           AND a.attnum > 0 AND NOT a.attisdropped
        UNION ALL
        SELECT 'trigger ' || t.tgrelid::regclass || ' ' || quote_ident(t.tgname)
          FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
         WHERE c.relnamespace = 'pga_bad'::regnamespace AND NOT t.tgisinternal
        UNION ALL
        SELECT 'policy ' || p.polrelid::regclass || ' ' || quote_ident(p.polname)
          FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
         WHERE c.relnamespace = 'pga_bad'::regnamespace
        UNION ALL
        SELECT 'rows of pga_bad.t: ' || count(*) || ', '
               || left(md5(string_agg(t::text, ',' ORDER BY t.id)), 8)
          FROM pga_bad.t t
    ) s(x);
    -- The extension's own tables (their partitions included) and
    -- pg_cron's jobs: how many rows each holds, as "rows:N" lines that
    -- pga_call() turns into "rows added to/removed from" (the counts
    -- themselves depend on the tests before this one).
    -- (Not architect.index_jobs_log: the index worker writes it in its
    -- own transactions, at its own pace.)
    FOR r IN SELECT c.oid::regclass AS rel FROM pg_class c
              WHERE (c.relnamespace = 'architect'::regnamespace AND c.relkind IN ('r', 'p')
                     AND c.relname <> 'index_jobs_log')
                 OR c.oid = to_regclass('cron.job')
              ORDER BY 1
    LOOP
        EXECUTE format('SELECT count(*) FROM %s', r.rel) INTO n;
        lines := lines || ('rows:' || n || ' ' || r.rel);
    END LOOP;
    RETURN lines;
END $$;

CREATE TEMP TABLE pga_bad_results (fn text, pos int, arg text, ord int,
    label text, result text);

-- One call: named notation, the varied argument with its bad value, the
-- others with their good value or their default.
CREATE FUNCTION pg_temp.pga_call(fn_oid oid, vary int, val text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    p record;
    a record;
    args text := '';
    sql text;
    before text[];
    after text[];
    changes text;
    result text;
    job bigint;
    st text;
    msg text;
BEGIN
    SELECT proname, prokind, proretset INTO p FROM pg_proc WHERE oid = fn_oid;
    FOR a IN SELECT * FROM pga_args WHERE pga_args.fn_oid = pga_call.fn_oid ORDER BY pos LOOP
        IF a.pos = vary THEN
            args := args || CASE WHEN args = '' THEN '' ELSE ', ' END
                    || quote_ident(a.arg) || ' => ' || val;
        ELSIF a.good IS NOT NULL THEN
            args := args || CASE WHEN args = '' THEN '' ELSE ', ' END
                    || quote_ident(a.arg) || ' => ' || a.good;
        END IF;
    END LOOP;
    sql := CASE WHEN p.prokind = 'p'
                THEN format('CALL architect.%I(%s)', p.proname, args)
                ELSE format('SELECT architect.%I(%s)', p.proname, args) END;
    BEGIN
        before := pg_temp.pga_fingerprint();
        IF p.prokind = 'p' THEN
            EXECUTE sql;
        ELSIF p.proname IN ('create_index', 'drop_index') THEN
            -- A job id: cancel the job at once.
            EXECUTE sql INTO job;
            IF job IS NOT NULL THEN
                PERFORM architect.cancel_index_job(job);
            END IF;
        ELSIF p.proretset THEN
            EXECUTE format('SELECT count(*) FROM (%s) s', sql);
        ELSE
            EXECUTE sql;
        END IF;
        after := pg_temp.pga_fingerprint();
        SELECT string_agg(DISTINCT regexp_replace(d, '\d{3,}', 'N', 'g'), '; ') INTO changes FROM (
            SELECT '+' || x AS d FROM unnest(after) x
             WHERE x <> ALL (before) AND x NOT LIKE 'rows:%'
            UNION ALL
            SELECT '-' || x FROM unnest(before) x
             WHERE x <> ALL (after) AND x NOT LIKE 'rows:%'
            UNION ALL
            SELECT CASE WHEN nb.n IS NULL THEN 'new table '
                        WHEN na.n IS NULL THEN 'dropped table '
                        WHEN na.n > nb.n THEN 'rows added to '
                        ELSE 'rows removed from ' END || rel
              FROM (SELECT split_part(x, ' ', 2) AS rel, substr(split_part(x, ' ', 1), 6)::bigint AS n
                      FROM unnest(after) x WHERE x LIKE 'rows:%') na
              FULL JOIN (SELECT split_part(x, ' ', 2) AS rel, substr(split_part(x, ' ', 1), 6)::bigint AS n
                           FROM unnest(before) x WHERE x LIKE 'rows:%') nb USING (rel)
             WHERE na.n IS DISTINCT FROM nb.n) s(d);
        result := 'ok' || coalesce(', changed: ' || changes, '');
        RAISE EXCEPTION USING ERRCODE = 'ZX999';    -- undo the call
    EXCEPTION
        WHEN SQLSTATE 'ZX999' THEN
            NULL;
        WHEN OTHERS OR query_canceled THEN
            GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
            -- Numbers of three digits or more (OIDs, job ids, limits) vary.
            result := 'ERROR ' || st || ': ' || regexp_replace(msg, '\d{3,}', 'N', 'g');
    END;
    RETURN result;
END $$;

-- The advisor's functions read the captured workload, which by now holds
-- every statement of the tests before this one: the matrix is about their
-- arguments, so they see the 10 heaviest statements only (the advisor over
-- whole workloads: sql/20-29, and sqlsmith's and the advisor step of
-- test/full/reliability.sh).  Over 1,000 this file took 20 s, 55 s under
-- AddressSanitizer.
SET pg_architect.max_workload_queries = 10;
SET statement_timeout = '10min';
BEGIN;
-- Each argument through its bad values; functions without arguments once.
INSERT INTO pga_bad_results
SELECT a.fn, a.pos, a.arg, v.ord, v.label, pg_temp.pga_call(a.fn_oid, a.pos::int, v.expr)
  FROM pga_args a JOIN pga_bad_values v ON v.class = a.class
 ORDER BY a.fn, a.pos, v.ord;
INSERT INTO pga_bad_results
SELECT p.proname, 0, '', 0, '(no arguments)', pg_temp.pga_call(p.oid, 0, NULL)
  FROM pg_proc p
 WHERE p.pronamespace = 'architect'::regnamespace AND p.pronargs = 0
 ORDER BY p.proname;

-- The matrix.  Read it: every line is an assertion.
SELECT fn, arg, label, result FROM pga_bad_results ORDER BY fn, pos, ord;

-- Never an internal error.
SELECT fn, arg, label, result FROM pga_bad_results
 WHERE result ~ '^ERROR XX' ORDER BY fn, pos, ord;

-- The SQL fragments never dropped anything.
SELECT fn, arg, label, result FROM pga_bad_results
 WHERE result LIKE '%-relation pga_bad.t %' ORDER BY fn, pos, ord;
ROLLBACK;
RESET statement_timeout;
RESET pg_architect.max_workload_queries;

-- The jobs create_index() queued were cancelled: give a worker a moment,
-- then the test tables have the indexes they had, all valid.
SELECT pg_sleep(1);
SELECT i.indexrelid::regclass AS index, i.indisvalid AS valid
  FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
 WHERE c.relnamespace = 'pga_bad'::regnamespace
 ORDER BY i.indexrelid::regclass::text;
SELECT count(*) AS invalid_indexes FROM pg_index WHERE NOT indisvalid;
