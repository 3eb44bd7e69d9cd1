-- Audit guard: what a log row holds for each operation, exclusions, masks,
-- no-op updates, settings, identifiers that need quoting, partitioned
-- tables, renames and added/dropped columns.
CREATE SCHEMA guards_audit;
SET search_path = guards_audit, public;

-- Shows the SQLSTATE and message of a statement that fails, "ok" otherwise.
CREATE FUNCTION try(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- The log rows of the last test step, without what changes from run to run.
CREATE VIEW log AS
SELECT row_number() OVER (ORDER BY id) AS n, operation, schema_name, table_name,
       partition_name, old_data, new_data
  FROM architect.audit_log
 WHERE schema_name LIKE 'guards_audit%' OR schema_name = 'Guards Audit'
 ORDER BY id;

CREATE TABLE account (
    id       integer PRIMARY KEY,
    name     text NOT NULL,
    password text,
    note     text,
    balance  numeric(12,2),
    active   boolean DEFAULT true
);
SELECT architect.enable_audit('account', exclude_columns => '{note}',
                              mask_columns => '{password}');

-- The triggers: one row trigger and one TRUNCATE trigger, options in arguments.
SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger
 WHERE tgrelid = 'account'::regclass ORDER BY tgname;

-- INSERT logs the new row; the excluded column never appears, the masked
-- one as "***" (and NULL stays NULL).
INSERT INTO account VALUES (1, 'ann', 'secret1', 'a note', 10.50, true),
                           (2, 'bob', NULL, 'b note', 0, false);
SELECT n, operation, table_name, old_data, new_data FROM log;

-- UPDATE logs the old values of the changed columns plus the primary key,
-- and the new values of the changed columns.
UPDATE account SET balance = balance + 1, password = 'secret2' WHERE id = 1;
SELECT n, operation, old_data, new_data FROM log WHERE operation = 'UPDATE';

-- No log row for an UPDATE that changes nothing, or only excluded columns.
SELECT count(*) AS rows_before FROM architect.audit_log WHERE schema_name = 'guards_audit';
UPDATE account SET name = name;
UPDATE account SET note = 'changed note';
SELECT count(*) AS rows_after FROM architect.audit_log WHERE schema_name = 'guards_audit';

-- DELETE logs the old row.
DELETE FROM account WHERE id = 2;
SELECT n, operation, old_data, new_data FROM log WHERE operation = 'DELETE';

-- TRUNCATE logs one row for the statement.
TRUNCATE account;
SELECT n, operation, old_data IS NULL AND new_data IS NULL AS no_data FROM log
 WHERE operation = 'TRUNCATE';

-- Who and when: transaction id, roles, application name, application user.
-- (client_addr is NULL over the Unix socket pg_regress uses; TAP test
-- 040_guards.pl checks it over TCP.)
CREATE ROLE guards_audit_clerk;
GRANT USAGE ON SCHEMA guards_audit TO guards_audit_clerk;
GRANT INSERT, UPDATE ON account TO guards_audit_clerk;
BEGIN;
SET LOCAL application_name = 'billing app';
SET LOCAL app.current_user_id = 'user-42';
SET LOCAL ROLE guards_audit_clerk;
INSERT INTO account VALUES (3, 'cy', 'pw', NULL, 1, true);
RESET ROLE;
SELECT txid = pg_current_xact_id() AS same_txid,
       logged_at BETWEEN now() AND statement_timestamp() AS logged_in_this_xact,
       session_role = session_user AS session_role_ok,
       acting_role, app_user, client_addr, application_name,
       relid = 'account'::regclass AS relid_ok, statement
  FROM architect.audit_log WHERE schema_name = 'guards_audit'
 ORDER BY id DESC LIMIT 1;
COMMIT;

-- The application user is read from the setting named by
-- pg_architect.audit_user_setting; empty means NULL.
SET pg_architect.audit_user_setting = 'myapp.uid';
BEGIN;
SET LOCAL myapp.uid = 'alice';
UPDATE account SET balance = 2 WHERE id = 3;
SET LOCAL myapp.uid = '';
UPDATE account SET balance = 3 WHERE id = 3;
COMMIT;
RESET pg_architect.audit_user_setting;
SELECT app_user FROM architect.audit_log WHERE schema_name = 'guards_audit'
 ORDER BY id DESC LIMIT 2;

-- Nothing is logged for a rolled-back change, or a rolled-back savepoint.
SELECT count(*) AS rows_before FROM architect.audit_log WHERE schema_name = 'guards_audit';
BEGIN;
INSERT INTO account VALUES (10, 'gone', NULL, NULL, 0, true);
ROLLBACK;
BEGIN;
SAVEPOINT s;
INSERT INTO account VALUES (11, 'gone too', NULL, NULL, 0, true);
ROLLBACK TO SAVEPOINT s;
INSERT INTO account VALUES (12, 'kept', NULL, NULL, 0, true);
COMMIT;
SELECT count(*) AS rows_after, max(new_data ->> 'name') AS last_name
  FROM architect.audit_log WHERE schema_name = 'guards_audit';

-- The audit keeps no state in settings.  pg_settings cannot show that:
-- PostgreSQL hides the placeholder settings set_config('x.y', ...) creates
-- from pg_settings and SHOW ALL, so test/t/043_guards_settings.pl checks
-- every setting the guards' code writes.  Here: reading the application
-- user's setting does not create it either; a name never set is still
-- unknown (NULL, where a placeholder would give '') after 31 audited
-- transactions that read it.
SET pg_architect.audit_user_setting = 'guards_probe.uid';
SELECT current_setting('guards_probe.uid', true) IS NULL AS unset_before;
DO $$
BEGIN
    FOR i IN 100..130 LOOP
        INSERT INTO guards_audit.account VALUES (i, 'x' || i, NULL, NULL, 0, true);
        COMMIT;
    END LOOP;
END $$;
UPDATE account SET balance = 9 WHERE id >= 100;
SELECT current_setting('guards_probe.uid', true) IS NULL AS still_unset;
RESET pg_architect.audit_user_setting;

-- log_statement: the top-level statement text; enabling again replaces the
-- options (here: nothing excluded or masked any more).
SELECT architect.enable_audit('account', log_statement => true);
SELECT count(*) AS audit_triggers FROM pg_trigger WHERE tgrelid = 'account'::regclass;
UPDATE account SET note = 'now logged', password = 'visible' WHERE id = 3;
SELECT new_data, statement FROM architect.audit_log WHERE schema_name = 'guards_audit'
 ORDER BY id DESC LIMIT 1;

-- How each type is written: numbers as numbers, timestamps in ISO 8601,
-- jsonb nested, arrays and composites through to_jsonb, NaN and Infinity
-- as strings, everything else as its text.
CREATE TYPE mood AS ENUM ('sad', 'happy');
CREATE TYPE pair AS (a int, b text);
CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
CREATE TABLE typed (
    id      bigint PRIMARY KEY,
    i2      smallint,
    n       numeric,
    nn      numeric,
    f8      float8,
    f4      float4,
    inf     float8,
    v       varchar(10),
    c       char(4),
    d       date,
    ts      timestamp,
    tstz    timestamptz,
    t       time,
    jb      jsonb,
    js      json,
    arr     text[],
    p       pair,
    m       mood,
    u       uuid,
    ip      inet,
    dom     posint,
    by      bytea,
    iv      interval
);
SELECT architect.enable_audit('typed');
SET TimeZone = 'Europe/Paris';
INSERT INTO typed VALUES (
    1, -2, 12345678901234567890.123, 'NaN', 0.1, 1.5, '-Infinity', 'vc', 'ab',
    '2024-02-29', '2024-02-29 12:34:56.789', '2024-02-29 12:34:56+00', '23:59:59',
    '{"k": [1, {"z": null}], "a": "b"}', '{"j": 1, "j": 2}', '{"x","y z"}', ROW(1, 'one'),
    'happy', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '10.0.0.1/8', 7, '\xdeadbeef', '1 day 2 hours');
RESET TimeZone;
SELECT jsonb_pretty(new_data) FROM architect.audit_log WHERE table_name = 'typed';
-- The object is valid jsonb: its keys can be looked up.
SELECT new_data -> 'jb' -> 'k' -> 1 AS nested, new_data ->> 'm' AS enum_value,
       jsonb_typeof(new_data -> 'n') AS n_type, jsonb_typeof(new_data -> 'nn') AS nan_type
  FROM architect.audit_log WHERE table_name = 'typed';

-- A big value that is not changed is neither compared byte by byte nor
-- logged; a big value that changes is.
CREATE TABLE doc (id int PRIMARY KEY, title text, body text);
ALTER TABLE doc ALTER COLUMN body SET STORAGE EXTERNAL;
SELECT architect.enable_audit('doc');
INSERT INTO doc VALUES (1, 'first', repeat('lorem ipsum ', 20000));
UPDATE doc SET title = 'renamed';
UPDATE doc SET body = body || '!';
SELECT operation, jsonb_object_keys(new_data) AS new_keys,
       length(new_data ->> 'body') AS new_body_length
  FROM architect.audit_log WHERE table_name = 'doc' AND operation = 'UPDATE'
 ORDER BY id;

-- Identifiers with quotes, spaces, capitals and SQL fragments.
CREATE SCHEMA "Guards Audit";
CREATE TABLE "Guards Audit"."Odd ""Table""; DROP TABLE account; --" (
    "Id" int PRIMARY KEY,
    "Pass Word" text,
    "x'); DROP TABLE account; --" text,
    "Note" text
);
SELECT architect.enable_audit('"Guards Audit"."Odd ""Table""; DROP TABLE account; --"',
                              exclude_columns => ARRAY['x''); DROP TABLE account; --']::name[],
                              mask_columns => '{"Pass Word"}');
INSERT INTO "Guards Audit"."Odd ""Table""; DROP TABLE account; --" VALUES (1, 'pw', 'hidden', 'shown');
SELECT schema_name, table_name, new_data FROM architect.audit_log
 WHERE schema_name = 'Guards Audit';
SELECT to_regclass('guards_audit.account') IS NOT NULL AS account_still_there;

-- Renames: the log shows the table's name at the time of the change; a
-- renamed masked column stays masked; an added column is logged, a dropped
-- one no longer is.
ALTER TABLE account RENAME TO client;
SELECT architect.enable_audit('client', mask_columns => '{password}');
ALTER TABLE client RENAME COLUMN password TO pass_phrase;
ALTER TABLE client ADD COLUMN email text;
ALTER TABLE client DROP COLUMN active;
INSERT INTO client (id, name, pass_phrase, email) VALUES (20, 'dee', 'hunter2', 'd@example.com');
SELECT table_name, new_data FROM architect.audit_log WHERE schema_name = 'guards_audit'
 ORDER BY id DESC LIMIT 1;
ALTER SCHEMA guards_audit RENAME TO guards_audit_renamed;
UPDATE guards_audit_renamed.client SET email = 'dee@example.com' WHERE id = 20;
SELECT schema_name, table_name, old_data, new_data FROM architect.audit_log
 WHERE schema_name LIKE 'guards_audit%' ORDER BY id DESC LIMIT 1;
ALTER SCHEMA guards_audit_renamed RENAME TO guards_audit;

-- Partitioned tables: installed once on the parent; rows of the partitions
-- are logged under the parent, with the partition named.
CREATE TABLE sale (id int, region text, amount int, PRIMARY KEY (id, region))
    PARTITION BY LIST (region);
CREATE TABLE sale_eu PARTITION OF sale FOR VALUES IN ('eu');
SELECT architect.enable_audit('sale');
CREATE TABLE sale_us PARTITION OF sale FOR VALUES IN ('us');
INSERT INTO sale VALUES (1, 'eu', 10), (2, 'us', 20);
UPDATE sale SET amount = amount * 2;
TRUNCATE sale;
SELECT operation, table_name, partition_name, old_data, new_data FROM architect.audit_log
 WHERE table_name = 'sale' ORDER BY id;
SELECT c.relname, t.tgname, t.tgparentid <> 0 AS cloned
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
 WHERE c.relname LIKE 'sale%' ORDER BY 1, 2;
-- TRUNCATE of one partition by its own name is logged too (PostgreSQL does
-- not clone statement triggers, so the guard copies its TRUNCATE trigger
-- onto each partition): a partition there at enable time, one created
-- later, one attached later, and a sub-partitioned partition with its own
-- partitions (it and each partition it empties).
CREATE TABLE sale_asia PARTITION OF sale FOR VALUES IN ('jp', 'cn')
    PARTITION BY LIST (region);
CREATE TABLE sale_jp PARTITION OF sale_asia FOR VALUES IN ('jp');
CREATE TABLE sale_cn (id int, region text, amount int, PRIMARY KEY (id, region));
ALTER TABLE sale_asia ATTACH PARTITION sale_cn FOR VALUES IN ('cn');
INSERT INTO sale VALUES (5, 'eu', 1), (6, 'us', 1), (7, 'jp', 1), (8, 'cn', 1);
SELECT architect.enable_audit('sale', log_statement => true);
TRUNCATE sale_eu;
TRUNCATE sale_us;
TRUNCATE ONLY sale_cn;
TRUNCATE sale_asia;
SELECT table_name, partition_name, statement FROM architect.audit_log
 WHERE table_name = 'sale' AND operation = 'TRUNCATE' AND statement IS NOT NULL ORDER BY id;
SELECT count(*) AS rows_left FROM sale;
-- The copies carry the guard's options and are listed nowhere as guards
-- of their own.
SELECT c.relname, t.tgname, pg_catalog.encode(t.tgargs, 'escape') AS args
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
 WHERE c.relname LIKE 'sale%' AND t.tgname = 'architect_audit_truncate' ORDER BY 1;
SELECT table_name, guard FROM architect.guards WHERE table_name LIKE 'sale%';
-- A partition detached since is no longer audited, its copy logs nothing;
-- attached again, it is covered again.
ALTER TABLE sale DETACH PARTITION sale_us;
INSERT INTO sale_us VALUES (9, 'us', 1);
TRUNCATE sale_us;
ALTER TABLE sale ATTACH PARTITION sale_us FOR VALUES IN ('us');
INSERT INTO sale VALUES (10, 'us', 1);
TRUNCATE sale_us;
SELECT partition_name, statement FROM architect.audit_log
 WHERE table_name = 'sale' AND operation = 'TRUNCATE' AND partition_name = 'sale_us'
   AND statement IS NOT NULL ORDER BY id;
SELECT architect.enable_audit('sale');
-- A partition of an audited table cannot get its own audit guard.
SELECT architect.enable_audit('sale_eu');
SELECT architect.disable_audit('sale_eu');

-- disable_audit removes the triggers, keeps the log rows; again is a no-op.
SELECT architect.disable_audit('sale');
SELECT count(*) AS triggers_left FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
 WHERE c.relname LIKE 'sale%';
INSERT INTO sale VALUES (3, 'eu', 30);
SELECT count(*) AS sale_rows_logged FROM architect.audit_log WHERE table_name = 'sale';
SELECT architect.disable_audit('sale');

-- The log keeps the rows of dropped tables.
DROP SCHEMA guards_audit CASCADE;
DROP SCHEMA "Guards Audit" CASCADE;
DROP ROLE guards_audit_clerk;
SELECT count(*) > 0 AS rows_kept FROM architect.audit_log WHERE schema_name = 'guards_audit';
RESET search_path;
