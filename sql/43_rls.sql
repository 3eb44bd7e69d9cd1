-- Row-level security guards: tenant isolation (also for the table owner),
-- fail-closed when the setting is missing, bypass roles, index scans on the
-- tenant column, owner rows, and removing exactly what was added.
CREATE SCHEMA guards_rls;
SET search_path = guards_rls, public;

CREATE FUNCTION try(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- Roles: the table owner (not a superuser, which would bypass RLS), the
-- application, an administrator who must see all tenants.
CREATE ROLE guards_rls_owner;
CREATE ROLE guards_rls_app;
CREATE ROLE guards_rls_admin;
GRANT USAGE, CREATE ON SCHEMA guards_rls TO guards_rls_owner;
GRANT USAGE ON SCHEMA guards_rls TO guards_rls_app, guards_rls_admin;

-- Index jobs get predictable ids in this file.
SELECT setval('architect.index_jobs_job_id_seq', 4300);

SET ROLE guards_rls_owner;
CREATE TABLE invoice (id int PRIMARY KEY, tenant_id int NOT NULL, amount int);
INSERT INTO invoice SELECT g, g % 100, g FROM generate_series(1, 10000) g;
GRANT SELECT, INSERT, UPDATE, DELETE ON invoice TO guards_rls_app, guards_rls_admin;
SELECT architect.enable_rls('invoice', 'tenant_id', bypass_roles => '{guards_rls_admin}');
ANALYZE invoice;
RESET ROLE;
-- The index is built by the background worker once enable_rls() commits.
CALL architect.wait_index_job(4301);
SELECT source, status, index_name, statement FROM architect.index_jobs WHERE job_id = 4301;

-- What was created: RLS enabled and forced, four policies comparing with a
-- sub-select of the setting, a separate bypass policy, an index.
SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = 'invoice'::regclass;
SELECT polname, polcmd, polpermissive,
       ARRAY(SELECT rolname FROM pg_roles WHERE oid = ANY (polroles) ORDER BY 1) AS roles,
       pg_get_expr(polqual, polrelid) AS using, pg_get_expr(polwithcheck, polrelid) AS check
  FROM pg_policy WHERE polrelid = 'invoice'::regclass ORDER BY polname;
SELECT indexrelid::regclass AS index, pg_get_indexdef(indexrelid),
       obj_description(indexrelid, 'pg_class') AS comment
  FROM pg_index WHERE indrelid = 'invoice'::regclass ORDER BY 1;

-- Without the setting (or with it empty) the application sees nothing and
-- writes nothing, without error for reads.
SET ROLE guards_rls_app;
SELECT count(*) AS visible_unset FROM invoice;
SET app.current_tenant = '';
SELECT count(*) AS visible_empty FROM invoice;
UPDATE invoice SET amount = 0;
DELETE FROM invoice;
INSERT INTO invoice VALUES (20001, 7, 1);

-- Tenant 7 sees, changes and deletes only its rows, cannot write another
-- tenant's row, nor move a row to another tenant.
SET app.current_tenant = '7';
SELECT count(*) AS visible, min(tenant_id), max(tenant_id) FROM invoice;
SELECT count(*) AS tenant_8_rows FROM invoice WHERE tenant_id = 8;
UPDATE invoice SET amount = -1 WHERE id = 8;
UPDATE invoice SET amount = -1 WHERE id = 7;
DELETE FROM invoice WHERE id = 108;
DELETE FROM invoice WHERE id = 107;
INSERT INTO invoice VALUES (20002, 8, 1);
INSERT INTO invoice VALUES (20003, 7, 1);
UPDATE invoice SET tenant_id = 8 WHERE id = 207;

-- The setting is read once per statement (InitPlan) and the comparison is
-- an index condition on the tenant column.
EXPLAIN (COSTS OFF) SELECT * FROM invoice;
EXPLAIN (COSTS OFF) UPDATE invoice SET amount = 0 WHERE amount = 5;
EXPLAIN (COSTS OFF) DELETE FROM invoice WHERE amount = 5;
RESET app.current_tenant;
RESET ROLE;

-- The table owner is subject to the policies too (FORCE).
SET ROLE guards_rls_owner;
SELECT count(*) AS owner_unset FROM invoice;
SET app.current_tenant = '8';
SELECT count(*) AS owner_tenant_8, bool_and(tenant_id = 8) AS only_8 FROM invoice;
RESET app.current_tenant;
RESET ROLE;

-- A bypass role sees and writes every tenant, with or without the setting.
SET ROLE guards_rls_admin;
SELECT count(*) AS admin_all FROM invoice;
SET app.current_tenant = '7';
SELECT count(*) AS admin_with_setting FROM invoice;
UPDATE invoice SET amount = amount WHERE id = 8;
RESET app.current_tenant;
RESET ROLE;

-- Rows as they are now (superusers bypass row-level security).
SELECT id, tenant_id, amount FROM invoice WHERE id IN (7, 8, 107, 108, 207, 20001, 20002, 20003)
 ORDER BY id;

-- The guards view.
SELECT guard, status, options FROM architect.guards WHERE schema_name = 'guards_rls';

-- Refused inputs.
SELECT t AS call, try(t) AS result FROM unnest(ARRAY[
    $$SELECT architect.enable_rls('guards_rls.invoice', 'nope')$$,
    $$SELECT architect.enable_rls('guards_rls.invoice', NULL)$$,
    $$SELECT architect.enable_rls('guards_rls.invoice', 'tenant_id', NULL)$$,
    $$SELECT architect.enable_rls('guards_rls.invoice', 'tenant_id', 'nodot')$$,
    $$SELECT architect.enable_rls('guards_rls.invoice', 'tenant_id', 'app.x; DROP TABLE invoice')$$,
    $$SELECT architect.enable_rls('guards_rls.invoice', 'tenant_id', 'pg_architect.tenant')$$,
    $$SELECT architect.enable_rls('guards_rls.invoice', 'tenant_id', bypass_roles => '{public}')$$,
    $$SELECT architect.enable_rls('guards_rls.invoice', 'tenant_id', bypass_roles => '{no_such_role}')$$,
    $$SELECT architect.enable_rls('guards_rls.invoice', 'tenant_id', bypass_roles => '{NULL}')$$,
    $$SELECT architect.enable_owner_rls('guards_rls.invoice', 'tenant_id')$$,
    $$SELECT architect.enable_rls('pg_catalog.pg_class', 'oid')$$,
    $$SELECT architect.disable_rls('guards_rls.try')$$
]) AS t;
SET ROLE guards_rls_app;
SELECT architect.enable_rls('invoice', 'tenant_id');
SELECT architect.disable_rls('invoice');
RESET ROLE;

-- Enabling again replaces the policies (here without bypass role and with
-- another setting) but remembers the state before the first time.
SET ROLE guards_rls_owner;
SELECT architect.enable_rls('invoice', 'tenant_id', setting => 'myapp.tenant');
SELECT polname FROM pg_policy WHERE polrelid = 'invoice'::regclass ORDER BY 1;
RESET ROLE;
SET ROLE guards_rls_admin;
SELECT count(*) AS admin_no_longer_bypasses FROM invoice;
RESET ROLE;

-- disable_rls removes exactly what was added: policies, index, flags.
SET ROLE guards_rls_owner;
SELECT architect.disable_rls('invoice');
SELECT architect.disable_rls('invoice');
RESET ROLE;
SELECT relrowsecurity, relforcerowsecurity,
       (SELECT count(*) FROM pg_policy WHERE polrelid = c.oid) AS policies,
       (SELECT count(*) FROM pg_index WHERE indrelid = c.oid) AS indexes
  FROM pg_class c WHERE oid = 'invoice'::regclass;

-- A table that already had row-level security and its own policy keeps
-- both; the existing index leading with the column is used; other
-- permissive policies are warned about.
CREATE TABLE note (id int PRIMARY KEY, "Tenant Id" text, body text);
CREATE INDEX note_tenant ON note ("Tenant Id", id);
ALTER TABLE note ENABLE ROW LEVEL SECURITY;
CREATE POLICY everyone_reads ON note FOR SELECT USING (true);
SELECT architect.enable_rls('note', 'Tenant Id');
SELECT count(*) AS indexes FROM pg_index WHERE indrelid = 'note'::regclass;
SELECT polname FROM pg_policy WHERE polrelid = 'note'::regclass ORDER BY 1;
SELECT architect.disable_rls('note');
SELECT relrowsecurity, relforcerowsecurity,
       ARRAY(SELECT polname FROM pg_policy WHERE polrelid = c.oid) AS policies,
       (SELECT count(*) FROM pg_index WHERE indrelid = c.oid) AS indexes
  FROM pg_class c WHERE oid = 'note'::regclass;
DROP POLICY everyone_reads ON note;
ALTER TABLE note DISABLE ROW LEVEL SECURITY;

-- A text tenant column, identifiers needing quotes, create_index => false.
CREATE TABLE "Odd ""RLS"" Table" ("Tenant Id" text, v int);
INSERT INTO "Odd ""RLS"" Table" VALUES ('a''b', 1), ('c', 2);
GRANT SELECT ON "Odd ""RLS"" Table" TO guards_rls_app;
SELECT architect.enable_rls('"Odd ""RLS"" Table"', 'Tenant Id', setting => 'app.Tenant_Key',
                            create_index => false);
SET ROLE guards_rls_app;
SET app.tenant_key = 'a''b';
SELECT * FROM "Odd ""RLS"" Table";
RESET app.tenant_key;
RESET ROLE;
SELECT count(*) AS indexes FROM pg_index WHERE indrelid = '"Odd ""RLS"" Table"'::regclass;

-- Partitioned table: installed on the parent, isolating through it.
CREATE TABLE ledger (id int, tenant_id int, region text) PARTITION BY LIST (region);
CREATE TABLE ledger_eu PARTITION OF ledger FOR VALUES IN ('eu');
CREATE TABLE ledger_us PARTITION OF ledger FOR VALUES IN ('us');
INSERT INTO ledger VALUES (1, 1, 'eu'), (2, 2, 'eu'), (3, 1, 'us');
GRANT SELECT ON ledger TO guards_rls_app;
SELECT architect.enable_rls('ledger', 'tenant_id');
SET ROLE guards_rls_app;
SET app.current_tenant = '1';
SELECT id, tenant_id, region FROM ledger ORDER BY id;
RESET app.current_tenant;
RESET ROLE;
SELECT c.relname, i.relname AS index
  FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid
 WHERE c.relname LIKE 'ledger%' ORDER BY 1;

-- Owner rows: compared with current_user, or with a setting.
CREATE TABLE todo (id int PRIMARY KEY, owner name NOT NULL DEFAULT current_user, what text);
GRANT SELECT, INSERT, UPDATE, DELETE ON todo TO guards_rls_app, guards_rls_admin;
INSERT INTO todo VALUES (1, 'guards_rls_app', 'mine'), (2, 'guards_rls_admin', 'theirs');
SELECT architect.enable_owner_rls('todo', 'owner');
SELECT architect.enable_rls('todo', 'owner');
CALL architect.wait_index_job(4302);
SET ROLE guards_rls_app;
SELECT id, owner, what FROM todo;
INSERT INTO todo (id, what) VALUES (3, 'new');
INSERT INTO todo VALUES (4, 'guards_rls_admin', 'forged');
RESET ROLE;
SELECT guard, options FROM architect.guards WHERE table_name = 'todo';
CREATE TABLE doc (id int PRIMARY KEY, author_id int);
INSERT INTO doc VALUES (1, 10), (2, 20);
GRANT SELECT ON doc TO guards_rls_app;
SELECT architect.enable_owner_rls('doc', 'author_id');
SELECT architect.enable_owner_rls('doc', 'author_id', setting => 'app.user_id');
CALL architect.wait_index_job(4303);
SET ROLE guards_rls_app;
SET app.user_id = '20';
SELECT * FROM doc;
RESET app.user_id;
RESET ROLE;
SELECT architect.disable_rls('doc');
SELECT count(*) AS policies FROM pg_policy WHERE polrelid = 'doc'::regclass;

RESET ROLE;
DROP SCHEMA guards_rls CASCADE;
DROP ROLE guards_rls_owner, guards_rls_app, guards_rls_admin;
RESET search_path;
