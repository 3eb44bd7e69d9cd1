-- DROP EXTENSION while tables are guarded: refused with the list of what
-- depends on it; with CASCADE the triggers and policies go, the tables and
-- their data stay.  The extension is created again for the suites after.
CREATE SCHEMA guards_drop;
SET search_path = guards_drop, public;
CREATE ROLE guards_drop_app;
GRANT USAGE ON SCHEMA guards_drop TO guards_drop_app;

CREATE TABLE guarded (id int PRIMARY KEY, tenant int, updated_at timestamptz);
INSERT INTO guarded VALUES (1, 1, NULL), (2, 2, NULL);
GRANT SELECT, UPDATE, DELETE ON guarded TO guards_drop_app;
SELECT architect.enable_audit('guarded');
SELECT architect.enable_updated_at('guarded');
SELECT architect.enable_soft_delete('guarded');
SELECT architect.enable_rls('guarded', 'tenant');
SELECT count(*) AS guards FROM architect.guards WHERE schema_name = 'guards_drop';

-- Refused.  The error lists every dependent object in the database (its
-- DETAIL is left out here, as other suites' objects may be listed); those
-- on this table are its triggers and policies, through their functions.
\set VERBOSITY terse
DROP EXTENSION pg_architect;
\set VERBOSITY default
SELECT count(*) AS extension_still_there FROM pg_extension WHERE extname = 'pg_architect';
SELECT DISTINCT pg_describe_object(d.classid, d.objid, 0) AS dependent,
       pg_describe_object(d.refclassid, d.refobjid, 0) AS on_member
  FROM pg_depend d
  JOIN pg_depend m ON m.classid = d.refclassid AND m.objid = d.refobjid AND m.deptype = 'e'
 WHERE d.deptype = 'n'
   AND ((d.classid = 'pg_trigger'::regclass
         AND d.objid IN (SELECT oid FROM pg_trigger WHERE tgrelid = 'guarded'::regclass))
     OR (d.classid = 'pg_policy'::regclass
         AND d.objid IN (SELECT oid FROM pg_policy WHERE polrelid = 'guarded'::regclass)))
 ORDER BY 1;

-- With CASCADE: triggers and policies are dropped with it.
SET client_min_messages = warning;
DROP EXTENSION pg_architect CASCADE;
RESET client_min_messages;
SELECT (SELECT count(*) FROM pg_trigger WHERE tgrelid = 'guarded'::regclass) AS triggers,
       (SELECT count(*) FROM pg_policy WHERE polrelid = 'guarded'::regclass) AS policies,
       (SELECT count(*) FROM guarded) AS rows_kept;
-- Row-level security stays enabled and forced with no policy left: closed
-- to everyone but superusers and BYPASSRLS roles, rather than open.
SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = 'guarded'::regclass;
SET ROLE guards_drop_app;
SELECT count(*) AS app_sees FROM guarded;
RESET ROLE;
-- The rows are plain again: DELETE deletes, UPDATE leaves updated_at.
UPDATE guarded SET tenant = 3 WHERE id = 1;
DELETE FROM guarded WHERE id = 2;
SELECT id, tenant, updated_at FROM guarded;

-- The auditor role belongs to the cluster and survives; CREATE EXTENSION
-- finds it.  (search_path reset first: the extension lives in the first
-- schema of the path, which must not be this test's.)
SELECT count(*) AS auditor_role FROM pg_roles WHERE rolname = 'architect_auditor';
RESET search_path;
CREATE EXTENSION pg_architect;
SELECT extnamespace::regnamespace FROM pg_extension WHERE extname = 'pg_architect';
SELECT has_table_privilege('architect_auditor', 'architect.audit_log', 'SELECT') AS auditor_reads;

DROP SCHEMA guards_drop CASCADE;
DROP ROLE guards_drop_app;
