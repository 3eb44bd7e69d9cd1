-- Soft-delete guard: DELETE marks rows, the _active view shows live ones,
-- the owner can still delete for real, partial index advice, and how it
-- plays with the other guards.
CREATE SCHEMA guards_soft;
SET search_path = guards_soft, public;

CREATE FUNCTION try(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

CREATE ROLE guards_soft_owner;
CREATE ROLE guards_soft_clerk;
CREATE ROLE guards_soft_reader;
GRANT USAGE, CREATE ON SCHEMA guards_soft TO guards_soft_owner;
GRANT USAGE ON SCHEMA guards_soft TO guards_soft_clerk, guards_soft_reader;

SET ROLE guards_soft_owner;
CREATE TABLE customer (id int PRIMARY KEY, email text NOT NULL, name text);
CREATE UNIQUE INDEX customer_email ON customer (email);
CREATE INDEX customer_name ON customer (name);
INSERT INTO customer SELECT g, 'c' || g || '@example.com', 'name ' || g FROM generate_series(1, 5) g;
GRANT SELECT ON customer TO guards_soft_reader;
SELECT architect.enable_soft_delete('customer');
GRANT SELECT, DELETE, UPDATE (deleted_at) ON customer TO guards_soft_clerk;
RESET ROLE;
-- The column was added (nullable timestamptz), the trigger and the view
-- created, and the table's readers may read the view.
SELECT format_type(atttypid, atttypmod), attnotnull FROM pg_attribute
 WHERE attrelid = 'customer'::regclass AND attname = 'deleted_at';
SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = 'customer'::regclass;
SELECT pg_get_viewdef('customer_active'::regclass),
       obj_description('customer_active'::regclass, 'pg_class'),
       (SELECT reloptions FROM pg_class WHERE oid = 'customer_active'::regclass);
SELECT grantee, privilege_type FROM information_schema.role_table_grants
 WHERE table_schema = 'guards_soft' AND table_name = 'customer_active'
 ORDER BY 1, 2;

-- DELETE marks the rows instead; deleting again changes nothing.
SET ROLE guards_soft_clerk;
BEGIN;
DELETE FROM customer WHERE id IN (1, 2) RETURNING id;
SELECT id, deleted_at = now() AS marked_now FROM customer ORDER BY id;
COMMIT;
CREATE TEMP TABLE first_mark AS SELECT deleted_at FROM guards_soft.customer WHERE id = 1;
DELETE FROM customer WHERE id = 1;
SELECT c.deleted_at = f.deleted_at AS unchanged FROM customer c, first_mark f WHERE c.id = 1;
RESET ROLE;
SELECT id FROM customer_active ORDER BY id;
-- The view got the SELECT grants the table had when the guard was enabled.
SET ROLE guards_soft_reader;
SELECT count(*) AS live_rows FROM customer_active;
RESET ROLE;

-- The table owner deletes for real with pg_architect.hard_delete; for
-- anyone else that setting is an error, not a silent soft delete.
SET ROLE guards_soft_clerk;
SET pg_architect.hard_delete = on;
DELETE FROM customer WHERE id = 3;
RESET pg_architect.hard_delete;
SET ROLE guards_soft_owner;
SET pg_architect.hard_delete = on;
DELETE FROM customer WHERE id = 2;
RESET pg_architect.hard_delete;
RESET ROLE;
SELECT id, deleted_at IS NOT NULL AS deleted FROM customer ORDER BY id;

-- A role that may delete but not update the column gets a clear error.
CREATE ROLE guards_soft_deleter;
GRANT USAGE ON SCHEMA guards_soft TO guards_soft_deleter;
GRANT SELECT, DELETE ON customer TO guards_soft_deleter;
SET ROLE guards_soft_deleter;
DELETE FROM customer WHERE id = 4;
RESET ROLE;

-- Partial index advice: each full index as a partial one on live rows.
SELECT table_name, index_name, is_unique, ddl FROM architect.soft_delete_index_advice
 WHERE schema_name = 'guards_soft' ORDER BY index_name;

-- With the audit and updated_at guards: the soft delete is logged and
-- timed as the UPDATE it is.
ALTER TABLE customer ADD COLUMN updated_at timestamptz;
SELECT architect.enable_audit('customer');
SELECT architect.enable_updated_at('customer');
BEGIN;
DELETE FROM customer WHERE id = 5;
SELECT updated_at = now() AND deleted_at = now() AS both_set FROM customer WHERE id = 5;
SELECT operation, old_data, new_data ? 'deleted_at' AS logs_deleted_at
  FROM architect.audit_log WHERE schema_name = 'guards_soft' ORDER BY id DESC LIMIT 1;
COMMIT;
SELECT architect.disable_audit('customer');
SELECT architect.disable_updated_at('customer');

-- Row-level security applies to the soft delete like to the DELETE.
CREATE TABLE shared (id int PRIMARY KEY, tenant int);
INSERT INTO shared VALUES (1, 1), (2, 2);
ALTER TABLE shared OWNER TO guards_soft_owner;
GRANT SELECT, DELETE, UPDATE ON shared TO guards_soft_clerk;
SELECT setval('architect.index_jobs_job_id_seq', 4400) > 0 AS job_ids_set;
SET ROLE guards_soft_owner;
SELECT architect.enable_soft_delete('shared', 'removed_at', view_name => 'shared_live');
SELECT architect.enable_rls('shared', 'tenant');
CALL architect.wait_index_job(4401);
SET ROLE guards_soft_clerk;
SET app.current_tenant = '1';
DELETE FROM shared;
RESET app.current_tenant;
RESET ROLE;
SELECT id, removed_at IS NOT NULL AS deleted FROM shared ORDER BY id;
SELECT relname FROM pg_class WHERE relname LIKE 'shared%' AND relkind = 'v';

-- Partitioned table: once on the parent; the row is marked through it.
CREATE TABLE visit (id int, day date, deleted_at timestamp) PARTITION BY RANGE (day);
CREATE TABLE visit_2024 PARTITION OF visit FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE visit_2025 PARTITION OF visit FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
INSERT INTO visit VALUES (1, '2024-06-01', NULL), (2, '2025-06-01', NULL), (3, '2025-07-01', NULL);
SELECT architect.enable_soft_delete('visit');
DELETE FROM visit WHERE id IN (1, 3);
SELECT tableoid::regclass, id, deleted_at IS NOT NULL AS deleted FROM visit ORDER BY id;
SELECT id FROM visit_active ORDER BY id;

-- Identifiers with quotes, spaces and capitals.
CREATE TABLE "Odd ""Soft"" Table" ("Id" int PRIMARY KEY);
INSERT INTO "Odd ""Soft"" Table" VALUES (1), (2);
SELECT architect.enable_soft_delete('"Odd ""Soft"" Table"', 'Gone At');
DELETE FROM "Odd ""Soft"" Table" WHERE "Id" = 1;
SELECT * FROM "Odd ""Soft"" Table_active";
SELECT "Id", "Gone At" IS NOT NULL AS gone FROM "Odd ""Soft"" Table" ORDER BY 1;

-- Refused inputs; nothing is left behind.
CREATE TABLE wrong (id int PRIMARY KEY, flag boolean, must timestamptz NOT NULL DEFAULT now());
CREATE VIEW wrong_active AS SELECT 1;
CREATE TABLE "a_table_name_that_is_quite_long_already_and_then_some_more_xyz" (id int);
SELECT t AS call, try(t) AS result FROM unnest(ARRAY[
    $$SELECT architect.enable_soft_delete('guards_soft.wrong', 'flag')$$,
    $$SELECT architect.enable_soft_delete('guards_soft.wrong', 'must')$$,
    $$SELECT architect.enable_soft_delete('guards_soft.wrong')$$,
    $$SELECT architect.enable_soft_delete('guards_soft.wrong', view_name => 'customer')$$,
    $$SELECT architect.enable_soft_delete('guards_soft.a_table_name_that_is_quite_long_already_and_then_some_more_xyz')$$,
    $$SELECT architect.enable_soft_delete('guards_soft.wrong', NULL)$$,
    $$SELECT architect.enable_soft_delete('guards_soft.wrong', view_name => '')$$,
    $$SELECT architect.enable_soft_delete('guards_soft.customer_active')$$,
    $$SELECT architect.enable_soft_delete('guards_soft.visit_2024')$$,
    $$SELECT architect.disable_soft_delete('guards_soft.wrong', NULL)$$
]) AS t;
SELECT (SELECT count(*) FROM pg_trigger WHERE tgrelid = 'wrong'::regclass) AS triggers,
       (SELECT count(*) FROM pg_attribute WHERE attrelid = 'wrong'::regclass
           AND attname = 'deleted_at') AS columns;
SET ROLE guards_soft_clerk;
SELECT architect.enable_soft_delete('customer');
RESET ROLE;

-- disable removes the trigger and the view, keeps the column (which rows
-- were deleted) unless drop_column; then DELETE deletes again.
SELECT architect.disable_soft_delete('customer');
SELECT to_regclass('guards_soft.customer_active') AS view_left,
       (SELECT count(*) FROM pg_trigger WHERE tgrelid = 'customer'::regclass) AS triggers,
       (SELECT count(*) FROM customer WHERE deleted_at IS NOT NULL) AS marked_rows;
DELETE FROM customer WHERE id = 4;
SELECT count(*) AS rows_left FROM customer;
SELECT architect.disable_soft_delete('customer');
SELECT architect.disable_soft_delete('visit', drop_column => true);
SELECT count(*) AS deleted_at_columns FROM pg_attribute
 WHERE attrelid = 'visit'::regclass AND attname = 'deleted_at' AND NOT attisdropped;
-- A view of that name that the guard did not create is left alone.
SELECT architect.enable_soft_delete('wrong', 'gone', view_name => 'kept_view');
DROP VIEW kept_view;
CREATE VIEW kept_view AS SELECT 1 AS x;
SELECT architect.disable_soft_delete('wrong');
SELECT to_regclass('guards_soft.kept_view') IS NOT NULL AS kept;


-- The trigger function checks how it is fired.
CREATE TABLE fired (id int, deleted_at timestamptz);
INSERT INTO fired VALUES (1, NULL);
CREATE TRIGGER wrong_way AFTER DELETE ON fired FOR EACH ROW
    EXECUTE FUNCTION architect.soft_delete_trigger('v1', 'column:2:deleted_at');
DELETE FROM fired;
DROP TRIGGER wrong_way ON fired;
CREATE TRIGGER wrong_way BEFORE UPDATE ON fired FOR EACH ROW
    EXECUTE FUNCTION architect.soft_delete_trigger('v1', 'column:2:deleted_at');
UPDATE fired SET id = 2;
DROP TRIGGER wrong_way ON fired;
SELECT id, deleted_at FROM fired;
SELECT architect.soft_delete_trigger();

RESET ROLE;
DROP TABLE first_mark;
DROP SCHEMA guards_soft CASCADE;
DROP ROLE guards_soft_owner, guards_soft_clerk, guards_soft_reader, guards_soft_deleter;
RESET search_path;
