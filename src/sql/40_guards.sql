-- Guards: audit trail, updated_at, row-level security and soft delete, one
-- call each (src/audit.c, audit_admin.c, touch.c, softdelete.c, rls.c,
-- guards.c).

-- ---------------------------------------------------------------------------
-- Audit
-- ---------------------------------------------------------------------------

-- The role that may read the audit log.  Roles belong to the cluster, not to
-- the extension: it is created once and survives DROP EXTENSION.  (It cannot
-- be called pg_architect_auditor: PostgreSQL reserves role names starting
-- with pg_ for its own roles, CREATE ROLE refuses them and pg_dumpall skips
-- them.)
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'architect_auditor') THEN
        CREATE ROLE architect_auditor NOLOGIN;
        COMMENT ON ROLE architect_auditor IS 'may read architect.audit_log (pg_architect)';
    END IF;
END
$$;

CREATE SEQUENCE architect.audit_log_id_seq CACHE 100;
COMMENT ON SEQUENCE architect.audit_log_id_seq IS 'ids of architect.audit_log rows (cached per backend: ids grow but interleave between sessions)';

-- Partitioned by time; the partitions are created at run time by
-- audit_maintain() (see src/audit_admin.c), not here, so that their rows
-- are dumped by pg_dump.  No index: the trigger writes with heap_insert,
-- and an index would cost every audited row; the trigger maintains any
-- index someone adds.
CREATE TABLE architect.audit_log (
    id               bigint      NOT NULL DEFAULT nextval('architect.audit_log_id_seq'),
    logged_at        timestamptz NOT NULL,
    txid             xid8        NOT NULL,
    relid            oid         NOT NULL,
    schema_name      text        NOT NULL,
    table_name       text        NOT NULL,
    partition_name   text,
    operation        text        NOT NULL,
    session_role     text        NOT NULL,
    acting_role      text        NOT NULL,
    app_user         text,
    client_addr      inet,
    application_name text,
    old_data         jsonb,
    new_data         jsonb,
    statement        text
) PARTITION BY RANGE (logged_at);
ALTER SEQUENCE architect.audit_log_id_seq OWNED BY architect.audit_log.id;
COMMENT ON TABLE architect.audit_log IS 'append-only audit trail written by architect.audit_trigger(); read it as architect_auditor';
COMMENT ON COLUMN architect.audit_log.id IS 'row id from architect.audit_log_id_seq';
COMMENT ON COLUMN architect.audit_log.logged_at IS 'start time of the statement that made the change';
COMMENT ON COLUMN architect.audit_log.txid IS 'top-level transaction id (compare with pg_current_xact_id())';
COMMENT ON COLUMN architect.audit_log.relid IS 'OID of the audited table (the partitioned table for rows of its partitions)';
COMMENT ON COLUMN architect.audit_log.schema_name IS 'schema of the audited table at the time of the change';
COMMENT ON COLUMN architect.audit_log.table_name IS 'name of the audited table at the time of the change';
COMMENT ON COLUMN architect.audit_log.partition_name IS 'partition the row lives in, when the audited table is partitioned';
COMMENT ON COLUMN architect.audit_log.operation IS 'INSERT, UPDATE, DELETE or TRUNCATE';
COMMENT ON COLUMN architect.audit_log.session_role IS 'session_user';
COMMENT ON COLUMN architect.audit_log.acting_role IS 'current_user when the change was made (differs inside SECURITY DEFINER functions and after SET ROLE)';
COMMENT ON COLUMN architect.audit_log.app_user IS 'application user, from the setting named by pg_architect.audit_user_setting';
COMMENT ON COLUMN architect.audit_log.client_addr IS 'client address (NULL over a Unix socket)';
COMMENT ON COLUMN architect.audit_log.application_name IS 'application_name of the session';
COMMENT ON COLUMN architect.audit_log.old_data IS 'DELETE: the old row; UPDATE: old values of the changed columns plus the primary key';
COMMENT ON COLUMN architect.audit_log.new_data IS 'INSERT: the new row; UPDATE: new values of the changed columns';
COMMENT ON COLUMN architect.audit_log.statement IS 'the top-level statement text, when enable_audit(log_statement => true)';

-- Append-only: nobody may write it through SQL, not even its owner
-- (superusers pass privilege checks, the trigger below stops them too; the
-- audit trigger inserts with heap_insert, which fires no trigger).
REVOKE ALL ON architect.audit_log FROM PUBLIC;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON architect.audit_log FROM CURRENT_USER;
GRANT SELECT ON architect.audit_log TO architect_auditor;
REVOKE ALL ON SEQUENCE architect.audit_log_id_seq FROM PUBLIC;

CREATE FUNCTION architect.audit_log_guard()
RETURNS trigger
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'pga_audit_log_guard';
COMMENT ON FUNCTION architect.audit_log_guard() IS 'refuses INSERT, UPDATE, DELETE and TRUNCATE of architect.audit_log through SQL (append-only; the audit trigger writes below the executor)';

CREATE TRIGGER audit_log_append_only
    BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON architect.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION architect.audit_log_guard();

CREATE FUNCTION architect.audit_trigger()
RETURNS trigger
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'pga_audit_trigger';
COMMENT ON FUNCTION architect.audit_trigger() IS 'AFTER trigger of the audit guard: writes architect.audit_log (install with architect.enable_audit)';

CREATE FUNCTION architect.audit_maintain()
RETURNS integer
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'pga_audit_maintain';
COMMENT ON FUNCTION architect.audit_maintain() IS 'creates the partitions of architect.audit_log that are due (current period and pg_architect.audit_partitions_ahead more); returns how many';
-- SECURITY DEFINER as the extension's owner: nobody else may run it unless
-- granted (enable_audit creates the partitions it needs without it).
REVOKE ALL ON FUNCTION architect.audit_maintain() FROM PUBLIC;

CREATE FUNCTION architect.audit_purge(older_than interval)
RETURNS integer
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'pga_audit_purge';
COMMENT ON FUNCTION architect.audit_purge(interval) IS 'drops the audit log partitions older than now() - older_than, deletes such rows from the default partition, creates the partitions due; returns the number of partitions dropped';
REVOKE ALL ON FUNCTION architect.audit_purge(interval) FROM PUBLIC;

CREATE FUNCTION architect.enable_audit(
    tbl regclass,
    exclude_columns name[] DEFAULT '{}',
    mask_columns name[] DEFAULT '{}',
    log_statement boolean DEFAULT false)
RETURNS void
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'pga_enable_audit';
COMMENT ON FUNCTION architect.enable_audit(regclass, name[], name[], boolean) IS 'installs the audit guard on a table (owner only); calling it again replaces the options';

CREATE FUNCTION architect.disable_audit(tbl regclass)
RETURNS void
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'pga_disable_audit';
COMMENT ON FUNCTION architect.disable_audit(regclass) IS 'removes the audit guard from a table (owner only); logged rows stay';

-- The event triggers of the guards (one function, src/guards_ddl.c):
-- PostgreSQL clones row triggers to new partitions, not statement triggers,
-- so at the end of CREATE TABLE / ALTER TABLE a partition created or
-- attached under an audited table gets the copy of the audit guard's
-- TRUNCATE trigger; DROP EXTENSION pg_architect refuses while tables are
-- guarded, and with CASCADE removes every guard first (views, policies,
-- RLS flags too).
CREATE FUNCTION architect.guard_ddl()
RETURNS event_trigger
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'pga_guard_ddl';
COMMENT ON FUNCTION architect.guard_ddl() IS 'event trigger of the guards: audit TRUNCATE trigger on new partitions of audited tables; DROP EXTENSION refused while tables are guarded, CASCADE removes the guards cleanly';

CREATE EVENT TRIGGER architect_guard_ddl_end ON ddl_command_end
    WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE')
    EXECUTE FUNCTION architect.guard_ddl();
COMMENT ON EVENT TRIGGER architect_guard_ddl_end IS 'pg_architect: audit TRUNCATE trigger on partitions created or attached under an audited table';

CREATE EVENT TRIGGER architect_guard_drop_extension ON ddl_command_start
    WHEN TAG IN ('DROP EXTENSION')
    EXECUTE FUNCTION architect.guard_ddl();
COMMENT ON EVENT TRIGGER architect_guard_drop_extension IS 'pg_architect: DROP EXTENSION pg_architect refuses while tables are guarded, CASCADE removes the guards cleanly';

-- ---------------------------------------------------------------------------
-- updated_at
-- ---------------------------------------------------------------------------

CREATE FUNCTION architect.updated_at_trigger()
RETURNS trigger
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'pga_updated_at_trigger';
COMMENT ON FUNCTION architect.updated_at_trigger() IS 'BEFORE UPDATE trigger of the updated_at guard (install with architect.enable_updated_at)';

CREATE FUNCTION architect.enable_updated_at(
    tbl regclass,
    col name DEFAULT 'updated_at',
    add_column boolean DEFAULT false,
    clock text DEFAULT 'transaction',
    respect_explicit boolean DEFAULT true,
    skip_unchanged boolean DEFAULT true)
RETURNS void
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'pga_enable_updated_at';
COMMENT ON FUNCTION architect.enable_updated_at(regclass, name, boolean, text, boolean, boolean) IS 'installs the updated_at guard (owner only): clock transaction|statement|clock, respect_explicit keeps a value the UPDATE assigns, skip_unchanged leaves no-op UPDATEs alone';

CREATE FUNCTION architect.disable_updated_at(tbl regclass)
RETURNS void
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'pga_disable_updated_at';
COMMENT ON FUNCTION architect.disable_updated_at(regclass) IS 'removes the updated_at guard (owner only); the column stays';

-- ---------------------------------------------------------------------------
-- Row-level security
-- ---------------------------------------------------------------------------

-- Used by the generated policies, inside a sub-select so that the planner
-- evaluates it once per statement.  Referencing them makes the policies
-- depend on the extension (DROP EXTENSION ... CASCADE drops them).
CREATE FUNCTION architect.guard_setting(name text)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE STRICT
AS $$ SELECT NULLIF(pg_catalog.current_setting(name, true), '') $$;
COMMENT ON FUNCTION architect.guard_setting(text) IS 'value of a setting, NULL when unset or empty (row-level security guards fail closed on NULL)';

CREATE FUNCTION architect.guard_current_user()
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT current_user::text $$;
COMMENT ON FUNCTION architect.guard_current_user() IS 'current_user as text, for the owner row-level security guard';

CREATE FUNCTION architect.enable_rls(
    tbl regclass,
    tenant_column name,
    setting text DEFAULT 'app.current_tenant',
    bypass_roles name[] DEFAULT '{}',
    create_index boolean DEFAULT true)
RETURNS void
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'pga_enable_rls';
COMMENT ON FUNCTION architect.enable_rls(regclass, name, text, name[], boolean) IS 'tenant isolation (owner only): enables and forces row-level security with policies comparing the tenant column with the setting; unset setting sees nothing';

CREATE FUNCTION architect.enable_owner_rls(
    tbl regclass,
    owner_column name,
    setting text DEFAULT NULL,
    bypass_roles name[] DEFAULT '{}',
    create_index boolean DEFAULT true)
RETURNS void
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'pga_enable_owner_rls';
COMMENT ON FUNCTION architect.enable_owner_rls(regclass, name, text, name[], boolean) IS 'per-user rows (owner only): policies comparing the owner column with current_user, or with a setting when one is given';

CREATE FUNCTION architect.disable_rls(tbl regclass)
RETURNS void
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'pga_disable_rls';
COMMENT ON FUNCTION architect.disable_rls(regclass) IS 'removes the row-level security guard (owner only): its policies and index, and restores the table''s previous RLS flags';

-- ---------------------------------------------------------------------------
-- Soft delete
-- ---------------------------------------------------------------------------

CREATE FUNCTION architect.soft_delete_trigger()
RETURNS trigger
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'pga_soft_delete_trigger';
COMMENT ON FUNCTION architect.soft_delete_trigger() IS 'BEFORE DELETE trigger of the soft-delete guard (install with architect.enable_soft_delete)';

CREATE FUNCTION architect.enable_soft_delete(
    tbl regclass,
    col name DEFAULT 'deleted_at',
    view_name name DEFAULT NULL)
RETURNS void
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'pga_enable_soft_delete';
COMMENT ON FUNCTION architect.enable_soft_delete(regclass, name, name) IS 'soft delete (owner only): DELETE sets the column instead, view <table>_active shows live rows; SET pg_architect.hard_delete = on lets the owner delete for real';

CREATE FUNCTION architect.disable_soft_delete(tbl regclass, drop_column boolean DEFAULT false)
RETURNS void
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'pga_disable_soft_delete';
COMMENT ON FUNCTION architect.disable_soft_delete(regclass, boolean) IS 'removes the soft-delete guard and its view (owner only); the column stays unless drop_column';

-- ---------------------------------------------------------------------------
-- Which table has what
-- ---------------------------------------------------------------------------

CREATE FUNCTION architect.guard_options(trigger oid)
RETURNS jsonb
LANGUAGE C STABLE PARALLEL SAFE STRICT
AS 'MODULE_PATHNAME', 'pga_guard_options';
COMMENT ON FUNCTION architect.guard_options(oid) IS 'options of a guard trigger, with its columns under their current names';

CREATE VIEW architect.guards AS
WITH triggers AS (
    SELECT t.tgrelid AS relid,
           CASE p.proname WHEN 'audit_trigger' THEN 'audit'
                          WHEN 'updated_at_trigger' THEN 'updated_at'
                          ELSE 'soft_delete' END AS guard,
           CASE t.tgenabled WHEN 'D' THEN 'disabled' ELSE 'enabled' END AS status,
           architect.guard_options(t.oid) AS options
      FROM pg_catalog.pg_trigger t
      JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid
     WHERE p.pronamespace = 'architect'::regnamespace
       AND p.proname IN ('audit_trigger', 'updated_at_trigger', 'soft_delete_trigger')
       AND t.tgparentid = 0
       AND t.tgname <> 'architect_audit_truncate'
), policies AS (
    SELECT pol.polrelid AS relid,
           CASE WHEN pol.polname LIKE 'architect\_tenant\_%' THEN 'rls' ELSE 'owner_rls' END AS guard,
           CASE WHEN c.relrowsecurity THEN 'enabled' ELSE 'disabled' END AS status,
           jsonb_build_object(
               'column', (SELECT a.attname
                            FROM pg_catalog.pg_depend d
                            JOIN pg_catalog.pg_attribute a
                              ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                           WHERE d.classid = 'pg_catalog.pg_policy'::regclass
                             AND d.objid = pol.oid AND d.refobjsubid > 0
                           LIMIT 1),
               'setting', rec -> 'setting',
               'forced', c.relforcerowsecurity,
               'bypass_roles', COALESCE((SELECT jsonb_agg(r.rolname ORDER BY r.rolname)
                                           FROM pg_catalog.pg_policy b
                                           JOIN pg_catalog.pg_roles r ON r.oid = ANY (b.polroles)
                                          WHERE b.polrelid = pol.polrelid
                                            AND b.polname = replace(pol.polname, '_select', '_bypass')),
                                        '[]'::jsonb),
               'index', rec -> 'index',
               'index_jobs', COALESCE(rec -> 'index_jobs', '[]'::jsonb)) AS options
      FROM pg_catalog.pg_policy pol
      JOIN pg_catalog.pg_class c ON c.oid = pol.polrelid
      LEFT JOIN LATERAL (
          SELECT CASE WHEN d.description LIKE 'pg_architect:%'
                      THEN substr(d.description, 14)::jsonb END AS rec
            FROM pg_catalog.pg_description d
           WHERE d.objoid = pol.oid AND d.classoid = 'pg_catalog.pg_policy'::regclass
             AND d.objsubid = 0) r ON true
     WHERE pol.polname IN ('architect_tenant_select', 'architect_owner_select')
), unguarded AS (
    -- A column named like a guard's, kept by no trigger: no guard of ours
    -- and no other row trigger that could be doing the job.
    SELECT a.attrelid AS relid,
           CASE a.attname WHEN 'updated_at' THEN 'updated_at' ELSE 'soft_delete' END AS guard,
           'missing' AS status,
           jsonb_build_object('column', a.attname) AS options
      FROM pg_catalog.pg_attribute a
     WHERE a.attname IN ('updated_at', 'deleted_at')
       AND a.attnum > 0 AND NOT a.attisdropped
       AND NOT EXISTS (
           SELECT FROM pg_catalog.pg_trigger t
            WHERE t.tgrelid = a.attrelid AND NOT t.tgisinternal
              AND (t.tgtype & 1) = 1                                   -- row
              AND (t.tgtype & 2) = 2                                   -- before
              AND (t.tgtype & CASE a.attname WHEN 'updated_at' THEN 16 ELSE 8 END) <> 0)
)
SELECT n.nspname AS schema_name,
       c.relname AS table_name,
       c.oid::regclass AS tbl,
       g.guard,
       g.status,
       g.options,
       CASE WHEN g.status = 'missing' AND g.guard = 'updated_at'
            THEN format('SELECT architect.enable_updated_at(%L, %L);',
                        c.oid::regclass::text, g.options ->> 'column')
            WHEN g.status = 'missing'
            THEN format('SELECT architect.enable_soft_delete(%L, %L);',
                        c.oid::regclass::text, g.options ->> 'column')
       END AS action
  FROM (SELECT * FROM triggers UNION ALL SELECT * FROM policies
        UNION ALL SELECT * FROM unguarded) g
  JOIN pg_catalog.pg_class c ON c.oid = g.relid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p')
   AND NOT c.relispartition
   AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'architect')
   AND n.nspname NOT LIKE 'pg\_toast%'
   AND n.nspname NOT LIKE 'pg\_temp%';
COMMENT ON VIEW architect.guards IS 'per table, the guards installed (audit, updated_at, rls, owner_rls, soft_delete) with their options, and updated_at / deleted_at columns that no trigger maintains (status missing, with the call that fixes it)';
GRANT SELECT ON architect.guards TO PUBLIC;

CREATE VIEW architect.soft_delete_index_advice AS
SELECT n.nspname AS schema_name,
       c.relname AS table_name,
       i.relname AS index_name,
       g.options ->> 'column' AS soft_delete_column,
       x.indisunique AS is_unique,
       format('CREATE %sINDEX %s%s ON %s WHERE %I IS NULL',
              CASE WHEN x.indisunique THEN 'UNIQUE ' ELSE '' END,
              CASE WHEN c.relkind = 'p' THEN '' ELSE 'CONCURRENTLY ' END,
              quote_ident(left(i.relname, 55) || '_live'),
              regexp_replace(substr(pg_catalog.pg_get_indexdef(x.indexrelid),
                                    length(format('CREATE %sINDEX %s ON ',
                                                  CASE WHEN x.indisunique THEN 'UNIQUE ' ELSE '' END,
                                                  quote_ident(i.relname))) + 1),
                             '^ONLY ', ''),
              g.options ->> 'column') AS ddl,
       CASE WHEN x.indisunique
            THEN 'a partial unique index lets a deleted row and a live row share the key; drop the old index once the new one is built'
            ELSE 'queries of live rows can use a smaller index; drop the old index once the new one is built and no query needs deleted rows through it'
       END AS reason
  FROM architect.guards g
  JOIN pg_catalog.pg_class c ON c.oid = g.tbl
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_index x ON x.indrelid = c.oid
  JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
 WHERE g.guard = 'soft_delete' AND g.status <> 'missing'
   AND x.indpred IS NULL
   AND x.indisvalid
   AND NOT x.indisprimary
   AND NOT EXISTS (SELECT FROM pg_catalog.pg_index y
                    WHERE y.indrelid = x.indrelid AND y.indpred IS NOT NULL
                      AND y.indkey::text = x.indkey::text);
COMMENT ON VIEW architect.soft_delete_index_advice IS 'for tables with the soft-delete guard: partial indexes WHERE <column> IS NULL to build in place of full ones';
GRANT SELECT ON architect.soft_delete_index_advice TO PUBLIC;
