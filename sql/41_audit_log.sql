-- The audit log: refused inputs, who may install the guard and read the
-- log, tamper attempts, partitions and retention.
CREATE SCHEMA guards_log;
SET search_path = guards_log, public;

CREATE FUNCTION try(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- Partitions of the log and the times they accept.
CREATE VIEW parts AS
SELECT c.relname,
       (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']*)''\)'))[1]::timestamptz AS lo,
       (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \(''([^'']*)''\)'))[1]::timestamptz AS hi
  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
 WHERE i.inhparent = 'architect.audit_log'::regclass;

CREATE TABLE plain (id int PRIMARY KEY, v text, secret text);
-- The log's partitions exist once audit_maintain() ran (enable_audit runs it).
SELECT architect.audit_maintain() IS NOT NULL AS maintained;

-- What the guard refuses, each with its SQLSTATE.
CREATE VIEW plain_view AS SELECT * FROM plain;
CREATE MATERIALIZED VIEW plain_mv AS SELECT * FROM plain;
CREATE FOREIGN DATA WRAPPER guards_fdw;
CREATE SERVER guards_server FOREIGN DATA WRAPPER guards_fdw;
CREATE FOREIGN TABLE plain_foreign (id int) SERVER guards_server;
CREATE TEMP TABLE plain_temp (id int);
CREATE SEQUENCE plain_seq;
CREATE TYPE plain_type AS (a int);
CREATE TABLE dropped (id int);
SELECT 'dropped'::regclass::oid AS dropped_oid \gset
DROP TABLE dropped;
SELECT t AS call, try(t) AS result FROM unnest(ARRAY[
    $$SELECT architect.enable_audit('guards_log.plain_view')$$,
    $$SELECT architect.enable_audit('guards_log.plain_mv')$$,
    $$SELECT architect.enable_audit('guards_log.plain_foreign')$$,
    $$SELECT architect.enable_audit('plain_temp')$$,
    $$SELECT architect.enable_audit('guards_log.plain_seq')$$,
    $$SELECT architect.enable_audit('guards_log.plain_pkey')$$,
    $$SELECT architect.enable_audit('guards_log.plain_type')$$,
    $$SELECT architect.enable_audit('pg_class')$$,
    $$SELECT architect.enable_audit('information_schema.sql_features')$$,
    $$SELECT architect.enable_audit('architect.audit_log')$$,
    $$SELECT architect.enable_audit('architect.audit_log_default')$$,
    $$SELECT architect.enable_updated_at('architect.audit_log')$$,
    $$SELECT architect.enable_audit(NULL)$$,
    $$SELECT architect.enable_audit(0)$$,
    $$SELECT architect.enable_audit('guards_log.no_such_table')$$,
    $$SELECT architect.enable_audit('guards_log.plain', exclude_columns => '{nope}')$$,
    $$SELECT architect.enable_audit('guards_log.plain', mask_columns => '{"V"}')$$,
    $$SELECT architect.enable_audit('guards_log.plain', exclude_columns => '{v}', mask_columns => '{v}')$$,
    $$SELECT architect.enable_audit('guards_log.plain', exclude_columns => '{v,NULL}')$$,
    $$SELECT architect.enable_audit('guards_log.plain', exclude_columns => NULL)$$,
    $$SELECT architect.enable_audit('guards_log.plain', log_statement => NULL)$$,
    $$SELECT architect.disable_audit('guards_log.plain_view')$$
]) AS t;
-- A table dropped since its OID was taken (the OID is masked here).
SELECT regexp_replace(try('SELECT architect.enable_audit(' || :dropped_oid || ')'),
                      'OID \d+', 'OID N') AS dropped_table;
-- The messages come with a hint.
SELECT architect.enable_audit('architect.audit_log');
SELECT architect.enable_audit('plain_view');
SELECT architect.enable_audit('plain_temp');
-- Nothing was left half-done by the failed calls.
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 'plain'::regclass;

-- A trigger of the same name that is not the guard's is not replaced.
CREATE FUNCTION user_trigger() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER architect_audit AFTER INSERT ON plain FOR EACH ROW EXECUTE FUNCTION user_trigger();
SELECT architect.enable_audit('plain');
SELECT architect.disable_audit('plain');
DROP TRIGGER architect_audit ON plain;

-- The trigger function checks how it is fired.
CREATE TRIGGER wrong_way BEFORE INSERT ON plain FOR EACH ROW EXECUTE FUNCTION architect.audit_trigger();
INSERT INTO plain VALUES (1, 'a', 'b');
DROP TRIGGER wrong_way ON plain;
CREATE TRIGGER wrong_way AFTER INSERT ON plain FOR EACH STATEMENT EXECUTE FUNCTION architect.audit_trigger();
INSERT INTO plain VALUES (1, 'a', 'b');
DROP TRIGGER wrong_way ON plain;
SELECT architect.audit_trigger();

-- Only the table owner installs or removes the guard.  A non-superuser
-- owner can: the log's partitions are created with the extension's rights.
CREATE ROLE guards_owner;
CREATE ROLE guards_other;
GRANT USAGE, CREATE ON SCHEMA guards_log TO guards_owner, guards_other;
ALTER TABLE plain OWNER TO guards_owner;
GRANT ALL ON plain TO guards_other;
SET ROLE guards_other;
SELECT architect.enable_audit('plain');
SELECT architect.disable_audit('plain');
SET ROLE guards_owner;
SELECT architect.enable_audit('plain', mask_columns => '{secret}');
INSERT INTO plain VALUES (1, 'a', 'b');
-- ... but neither reads the log nor writes it: no INSERT, UPDATE, DELETE
-- or TRUNCATE, on the log or on a partition of it.
SELECT t AS call, try(t) AS result FROM unnest(ARRAY[
    'SELECT count(*) FROM architect.audit_log',
    $$INSERT INTO architect.audit_log (logged_at, txid, relid, schema_name, table_name, operation, session_role, acting_role) VALUES (now(), '1', 0, 'x', 'y', 'INSERT', 'me', 'me')$$,
    $$UPDATE architect.audit_log SET new_data = '{}'$$,
    'DELETE FROM architect.audit_log',
    'TRUNCATE architect.audit_log',
    $$UPDATE architect.audit_log_default SET new_data = '{}'$$,
    'DELETE FROM architect.audit_log_default',
    'TRUNCATE architect.audit_log_default',
    'SELECT architect.audit_purge(interval ''1 day'')',
    'SELECT architect.audit_maintain()',
    'DROP TABLE architect.audit_log_default'
]) AS t;
RESET ROLE;

-- enable_audit creates the log's partitions as the log's owner, with a
-- fixed search_path: a function a table owner puts ahead of pg_catalog does
-- not run with the extension's rights.  (In the caller's own queries it
-- does run, which shows the trap is armed.)
CREATE SCHEMA guards_trap AUTHORIZATION guards_owner;
CREATE TABLE guards_trap.victim (id int PRIMARY KEY);
ALTER TABLE guards_trap.victim OWNER TO guards_owner;
SET ROLE guards_owner;
CREATE FUNCTION guards_trap.date_trunc(text, timestamptz, text) RETURNS timestamptz
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'trap ran as %', current_user;
END $$;
SET search_path = guards_trap, pg_catalog;
SELECT guards_log.try($$SELECT date_trunc('month', now(), 'UTC')$$) AS in_own_query;
SELECT guards_log.try($$SELECT architect.enable_audit('guards_trap.victim')$$) AS enable_audit;
SELECT architect.disable_audit('guards_trap.victim');
RESET search_path;
SET search_path = guards_log, public;
RESET ROLE;
DROP SCHEMA guards_trap CASCADE;

-- Every SECURITY DEFINER function of the extension has a fixed search_path
-- and is not executable by PUBLIC (nor by a role granted nothing).
SELECT p.oid::regprocedure AS function, p.proconfig,
       has_function_privilege('guards_other', p.oid, 'EXECUTE') AS others_may_run,
       has_function_privilege(e.extowner, p.oid, 'EXECUTE') AS owner_may_run
  FROM pg_proc p
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_architect'
 WHERE p.prosecdef
 ORDER BY 1::text;

-- The reader role is architect_auditor: PostgreSQL refuses role names
-- starting with pg_ to everyone, superusers with allow_system_table_mods
-- included, under CREATE ROLE and ALTER ROLE ... RENAME alike.
SELECT rolname, rolcanlogin, rolsuper, rolinherit FROM pg_roles WHERE rolname = 'architect_auditor';
SET allow_system_table_mods = on;
SELECT t AS call, try(t) AS result FROM unnest(ARRAY[
    'CREATE ROLE pg_architect_auditor NOLOGIN',
    'ALTER ROLE architect_auditor RENAME TO pg_architect_auditor'
]) AS t;
RESET allow_system_table_mods;
-- The auditor role reads it.
GRANT architect_auditor TO guards_owner;
SET ROLE guards_owner;
SELECT operation, table_name, new_data FROM architect.audit_log WHERE schema_name = 'guards_log';
RESET ROLE;
REVOKE architect_auditor FROM guards_owner;

-- Not even a superuser (the log's owner here) adds or changes a row: the
-- log is append-only.
SELECT count(*) AS logged FROM architect.audit_log WHERE schema_name = 'guards_log';
SELECT relowner::regrole = current_user::regrole AS i_own_the_log
  FROM pg_class WHERE oid = 'architect.audit_log'::regclass;
INSERT INTO architect.audit_log (logged_at, txid, relid, schema_name, table_name, operation, session_role, acting_role)
    VALUES (now(), '1', 0, 'guards_log', 'forged', 'INSERT', 'me', 'me');
INSERT INTO architect.audit_log_default (logged_at, txid, relid, schema_name, table_name, operation, session_role, acting_role)
    VALUES (now(), '1', 0, 'guards_log', 'forged', 'INSERT', 'me', 'me');
COPY architect.audit_log (logged_at, txid, relid, schema_name, table_name, operation, session_role, acting_role) FROM stdin;
2026-01-01 00:00:00+00	1	0	guards_log	forged	INSERT	me	me
\.
UPDATE architect.audit_log SET new_data = '{}' WHERE schema_name = 'guards_log';
DELETE FROM architect.audit_log WHERE schema_name = 'guards_log';
TRUNCATE architect.audit_log;
-- ... nor through a partition (partition names carry dates, masked here).
SELECT regexp_replace(try(format('%s architect.%I%s', cmd, relname, tail)), '\d{8}', 'YYYYMMDD')
           AS partition_attempt
  FROM (SELECT relname FROM parts WHERE lo IS NOT NULL ORDER BY lo LIMIT 1) p,
       (VALUES (1, 'UPDATE', ' SET new_data = NULL'), (2, 'DELETE FROM', ''),
               (3, 'TRUNCATE', ''),
               (4, 'INSERT INTO', $$ (logged_at, txid, relid, schema_name, table_name, operation, session_role, acting_role) VALUES (now(), '1', 0, 'guards_log', 'forged', 'INSERT', 'me', 'me')$$))
           AS c(n, cmd, tail)
 ORDER BY n;
SELECT count(*) AS still_logged FROM architect.audit_log WHERE schema_name = 'guards_log';

-- Partitions: one per period (a month by default) from the current one,
-- pg_architect.audit_partitions_ahead (2) ahead, and a default partition.
SELECT count(*) FILTER (WHERE lo IS NULL) AS default_parts,
       count(*) FILTER (WHERE lo <= now() AND now() < hi) AS current_parts,
       count(*) FILTER (WHERE lo > now()) AS future_parts,
       bool_and(hi - lo BETWEEN interval '28 days' AND interval '31 days')
           FILTER (WHERE lo IS NOT NULL) AS monthly
  FROM parts;
-- Each new partition is append-only and readable by the auditor.
SELECT p.relname, has_table_privilege('architect_auditor', c.oid, 'SELECT') AS auditor_reads,
       (SELECT count(*) FROM pg_trigger t WHERE t.tgrelid = c.oid
         AND t.tgname = 'audit_log_append_only') AS guard_triggers
  FROM parts p JOIN pg_class c ON c.relname = p.relname
                               AND c.relnamespace = 'architect'::regnamespace
 WHERE lo IS NULL;
-- Maintenance is idempotent; more periods ahead means more partitions.
SELECT architect.audit_maintain() AS created;
SET pg_architect.audit_partitions_ahead = 4;
SELECT architect.audit_maintain() AS created;
RESET pg_architect.audit_partitions_ahead;

-- Retention drops whole partitions older than the cut-off, and nothing
-- else.  Only superusers (or roles granted EXECUTE) may purge.
CREATE TABLE architect.audit_log_y2000 PARTITION OF architect.audit_log
    FOR VALUES FROM ('2000-01-01 00:00+00') TO ('2000-02-01 00:00+00');
SELECT count(*) AS parts_before FROM parts;
SELECT architect.audit_purge(interval '1 year') AS dropped;
SELECT count(*) AS parts_after, count(*) FILTER (WHERE relname = 'audit_log_y2000') AS y2000
  FROM parts;
SELECT count(*) AS still_logged FROM architect.audit_log WHERE schema_name = 'guards_log';
SELECT t AS call, try(t) AS result FROM unnest(ARRAY[
    $$SELECT architect.audit_purge(interval '0')$$,
    $$SELECT architect.audit_purge(interval '-1 day')$$,
    $$SELECT architect.audit_purge(NULL)$$
]) AS t;

-- A row finds no partition when none covers its time: it goes to the
-- default partition and the write succeeds.  A partition created later
-- for that period starts after the rows already in the default partition.
DO $$
DECLARE p record;
BEGIN
    FOR p IN SELECT relname FROM guards_log.parts WHERE lo IS NOT NULL LOOP
        EXECUTE format('DROP TABLE architect.%I', p.relname);
    END LOOP;
END $$;
INSERT INTO plain VALUES (2, 'b', 'c');
SELECT tableoid::regclass AS went_to, new_data FROM architect.audit_log
 WHERE schema_name = 'guards_log' AND new_data ->> 'id' = '2';
SET pg_architect.audit_partition_period = 'day';
SET pg_architect.audit_partitions_ahead = 1;
SELECT architect.audit_maintain() AS created;
SELECT count(*) AS day_parts,
       bool_and(lo > (SELECT max(logged_at) FROM architect.audit_log_default))
           AS after_default_rows,
       count(*) FILTER (WHERE hi - lo = interval '1 day') AS full_days
  FROM parts WHERE lo IS NOT NULL;
INSERT INTO plain VALUES (3, 'c', 'd');
SELECT tableoid::regclass <> 'architect.audit_log_default'::regclass AS in_a_range_partition
  FROM architect.audit_log WHERE schema_name = 'guards_log' AND new_data ->> 'id' = '3';
-- Retention also deletes old rows from the default partition.
SELECT count(*) AS default_rows FROM architect.audit_log_default;
SELECT architect.audit_purge(interval '1 microsecond') AS dropped;
SELECT count(*) AS default_rows FROM architect.audit_log_default;
RESET pg_architect.audit_partition_period;
RESET pg_architect.audit_partitions_ahead;
SELECT architect.audit_maintain() > 0 AS monthly_again;

-- The log has no index of its own, but its owner may add one: the trigger,
-- which writes below the executor, then keeps every partition's index
-- complete (amcheck finds each log row in it; a scan of the index alone
-- counts as many rows as a scan of the table).
CREATE EXTENSION amcheck;
CREATE INDEX audit_log_by_table ON architect.audit_log (table_name, id);
INSERT INTO plain SELECT g, 'i' || g, 's' || g FROM generate_series(100, 139) g;
UPDATE plain SET v = v || '!' WHERE id >= 100;
DELETE FROM plain WHERE id >= 130;
SELECT count(*) > 1 AS several,
       count(*) = (SELECT count(*) FROM pg_inherits
                    WHERE inhparent = 'architect.audit_log'::regclass) AS every_partition,
       count(*) FILTER (WHERE bt_index_check(x.indexrelid, true) IS NOT NULL) = count(*)
           AS all_checked
  FROM pg_inherits i JOIN pg_index x ON x.indrelid = i.inhrelid
 WHERE i.inhparent = 'architect.audit_log'::regclass;
CREATE FUNCTION plan_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    line text;
    plan text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
        plan := plan || line || E'\n';
    END LOOP;
    RETURN plan;
END $$;
SET enable_indexscan = off;
SET enable_indexonlyscan = off;
SET enable_bitmapscan = off;
SELECT position('Seq Scan' IN plan_of($$SELECT count(*) FROM architect.audit_log WHERE table_name = 'plain'$$)) > 0
           AS seq_scan,
       (SELECT count(*) FROM architect.audit_log WHERE table_name = 'plain') AS rows;
RESET enable_indexscan;
RESET enable_indexonlyscan;
SET enable_seqscan = off;
SELECT plan_of($$SELECT count(*) FROM architect.audit_log WHERE table_name = 'plain'$$)
           ~ '^(?!.*Seq Scan).*Index Only Scan' AS index_only_scan,
       (SELECT count(*) FROM architect.audit_log WHERE table_name = 'plain') AS rows;
RESET enable_seqscan;
RESET enable_bitmapscan;
DROP INDEX architect.audit_log_by_table;
DROP EXTENSION amcheck;

-- A standalone check of the privileges the extension sets on the log.
SELECT CASE WHEN grantee = current_user::text THEN 'the owner' ELSE grantee END AS grantee,
       string_agg(privilege_type, ', ' ORDER BY privilege_type) AS privileges
  FROM information_schema.role_table_grants
 WHERE table_schema = 'architect' AND table_name = 'audit_log'
 GROUP BY 1 ORDER BY 1;

-- A foreign table attached as a partition of an audited table gets the
-- cloned row trigger from PostgreSQL but no TRUNCATE trigger copy (its
-- rows live elsewhere); the ATTACH is not refused.
CREATE TABLE part_log (id int, k text) PARTITION BY LIST (k);
CREATE TABLE part_local PARTITION OF part_log FOR VALUES IN ('local');
SELECT architect.enable_audit('part_log');
CREATE FOREIGN TABLE part_remote (id int, k text) SERVER guards_server;
ALTER TABLE part_log ATTACH PARTITION part_remote FOR VALUES IN ('remote');
SELECT c.relname, t.tgname, t.tgparentid <> 0 AS cloned
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
 WHERE c.relname LIKE 'part\_%' ORDER BY 1, 2;
SELECT architect.disable_audit('part_log');
SELECT count(*) AS triggers_left FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
 WHERE c.relname LIKE 'part\_%';

SET ROLE guards_owner;
SELECT architect.disable_audit('plain');
RESET ROLE;
DROP SCHEMA guards_log CASCADE;
DROP SERVER guards_server;
DROP FOREIGN DATA WRAPPER guards_fdw;
DROP OWNED BY guards_owner, guards_other;
DROP ROLE guards_owner, guards_other;
RESET search_path;
