-- Privileges matrix: every function and every view of schema architect,
-- as four roles:
--   nobody    a login role without any grant
--   owner     owns the test table pga_priv.t (and its sequence, index)
--   monitor   a member of pg_monitor (so of pg_read_all_stats too)
--   superuser the test's own role
-- Each cell is "ok" (with what the call returned, when it tells what the
-- role could see) or the SQLSTATE it failed with; the messages follow.
-- The functions and views are listed from the catalog: one without an
-- entry below shows "NO MATRIX ENTRY".  Then the leak probes: constants,
-- query texts, error messages and sequence positions of the superuser's
-- work must not show to the roles that may not see them.
--
-- Every call runs in a subtransaction that is rolled back, the whole
-- matrix in a transaction that is rolled back (index jobs are cancelled).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgstattuple;
CREATE EXTENSION IF NOT EXISTS pg_cron;
CREATE ROLE pga_priv_nobody LOGIN;
-- A role with an MD5 password, for password_roles().
SET password_encryption = 'md5';
CREATE ROLE pga_priv_md5 LOGIN PASSWORD 'pga_priv_md5_password';
RESET password_encryption;
CREATE ROLE pga_priv_owner LOGIN;
CREATE ROLE pga_priv_monitor LOGIN IN ROLE pg_monitor;
CREATE SCHEMA pga_priv AUTHORIZATION pga_priv_owner;
SET ROLE pga_priv_owner;
CREATE TABLE pga_priv.t (id int PRIMARY KEY, a int, b text, tenant int,
    owner_name name, updated_at timestamptz, deleted_at timestamptz);
INSERT INTO pga_priv.t SELECT g, g % 10, 'b' || g, g % 3, 'pga_priv_owner', '2024-01-01', NULL
  FROM generate_series(1, 200) g;
CREATE INDEX t_a_idx ON pga_priv.t (a);
CREATE SEQUENCE pga_priv.s;
SELECT setval('pga_priv.s', 4242);
ANALYZE pga_priv.t;
RESET ROLE;
GRANT USAGE ON SCHEMA pga_priv TO pga_priv_nobody, pga_priv_monitor;

-- The superuser's workload, with secrets in its constants and errors, all
-- measured (sample_rate 1) so that examples are kept.
SET pg_architect.sample_rate = 1;
SELECT count(*) FROM pga_priv.t WHERE b = 'pga_priv_secret_1';
SELECT count(*) FROM pga_priv.t WHERE b = 'pga_priv_secret_1';
SELECT 'pga_priv_secret_2'::int;
SELECT count(*) /* pga_priv_secret_3 */ FROM pga_priv.t WHERE a = 3;
RESET pg_architect.sample_rate;

-- One call per function: SQL that returns NULL (shown as "ok") or a
-- stable value worth showing (what the role could see).
CREATE TEMP TABLE pga_priv_calls (fn text PRIMARY KEY, sql text);
INSERT INTO pga_priv_calls VALUES
  ('apply_recommendations(double precision,integer,boolean)',
   $$SELECT NULL FROM architect.apply_recommendations(NULL, 1) LIMIT 1$$),
  ('advisor_stats()', $$SELECT NULL FROM architect.advisor_stats() LIMIT 1$$),
  ('age_text(interval)', $$SELECT architect.age_text('1 day')$$),
  ('audit_log_guard()', $$SELECT architect.audit_log_guard()$$),
  ('audit_maintain()', $$SELECT architect.audit_maintain()$$),
  ('audit_purge(interval)', $$SELECT NULL FROM architect.audit_purge('30 days')$$),
  ('audit_trigger()', $$SELECT architect.audit_trigger()$$),
  ('cancel_index_job(bigint)', $$SELECT architect.cancel_index_job(:job)::text$$),
  ('capture_stats()', $$SELECT NULL FROM architect.capture_stats()$$),
  ('column_stats()', $$SELECT NULL FROM architect.column_stats() LIMIT 1$$),
  ('create_index(text,boolean,boolean)',
   $$SELECT NULL FROM architect.cancel_index_job(architect.create_index('CREATE INDEX pga_priv_t_b ON pga_priv.t (b)', wait => false))$$),
  ('disable_audit(regclass)', $$SELECT architect.disable_audit('pga_priv.t')$$),
  ('disable_rls(regclass)', $$SELECT architect.disable_rls('pga_priv.t')$$),
  ('disable_soft_delete(regclass,boolean)', $$SELECT architect.disable_soft_delete('pga_priv.t')$$),
  ('disable_updated_at(regclass)', $$SELECT architect.disable_updated_at('pga_priv.t')$$),
  ('drop_index(regclass,boolean,boolean,boolean)',
   $$SELECT NULL FROM architect.cancel_index_job(architect.drop_index('pga_priv.t_a_idx', wait => false))$$),
  ('enable_audit(regclass,name[],name[],boolean)', $$SELECT architect.enable_audit('pga_priv.t')$$),
  ('enable_owner_rls(regclass,name,text,name[],boolean)',
   $$SELECT architect.enable_owner_rls('pga_priv.t', 'owner_name', create_index => false)$$),
  ('enable_rls(regclass,name,text,name[],boolean)',
   $$SELECT architect.enable_rls('pga_priv.t', 'tenant', create_index => false)$$),
  ('enable_soft_delete(regclass,name,name)', $$SELECT architect.enable_soft_delete('pga_priv.t')$$),
  ('enable_updated_at(regclass,name,boolean,text,boolean,boolean)',
   $$SELECT architect.enable_updated_at('pga_priv.t')$$),
  ('exact_bloat(regclass)', $$SELECT NULL FROM architect.exact_bloat('pga_priv.t')$$),
  ('explain(text,boolean)',
   $$SELECT NULL FROM architect.explain('SELECT * FROM pga_priv.t WHERE a = 1') LIMIT 1$$),
  ('extension_members(regclass)', $$SELECT NULL FROM architect.extension_members('pg_class') LIMIT 1$$),
  ('file_settings()',
   $$SELECT CASE WHEN count(*) > 0 THEN 'rows' ELSE 'no rows' END FROM architect.file_settings()$$),
  ('findings_rows()', $$SELECT NULL FROM architect.findings_rows() LIMIT 1$$),
  ('guard_ddl()', $$SELECT architect.guard_ddl()$$),
  ('guard_current_user()', $$SELECT NULL FROM architect.guard_current_user()$$),
  ('guard_options(oid)', $$SELECT architect.guard_options(0)$$),
  ('guard_setting(text)', $$SELECT architect.guard_setting('app.current_tenant')$$),
  ('hba_rules()',
   $$SELECT CASE WHEN count(*) > 0 THEN 'rows' ELSE 'no rows' END FROM architect.hba_rules()$$),
  ('health_settings()', $$SELECT NULL FROM architect.health_settings() LIMIT 1$$),
  ('index_facts()', $$SELECT NULL FROM architect.index_facts() LIMIT 1$$),
  ('index_job_slots()', $$SELECT NULL FROM architect.index_job_slots() LIMIT 1$$),
  ('is_user_schema(name)', $$SELECT architect.is_user_schema('pga_priv')::text$$),
  ('memory_setting(numeric)', $$SELECT architect.memory_setting(1048576)$$),
  ('obsolete_settings()', $$SELECT NULL FROM architect.obsolete_settings() LIMIT 1$$),
  ('password_roles()',
   $$SELECT CASE WHEN count(*) > 0 THEN 'rows' ELSE 'no rows' END FROM architect.password_roles()$$),
  ('plan_findings()', $$SELECT NULL FROM architect.plan_findings() LIMIT 1$$),
  ('plan_findings_summary()', $$SELECT NULL FROM architect.plan_findings_summary() LIMIT 1$$),
  ('predicates()', $$SELECT NULL FROM architect.predicates() LIMIT 1$$),
  ('purge_history(interval)', $$SELECT NULL FROM architect.purge_history('14 days')$$),
  ('query_errors()', $$SELECT NULL FROM architect.query_errors() LIMIT 1$$),
  ('query_patterns()', $$SELECT NULL FROM architect.query_patterns() LIMIT 1$$),
  ('recommend_indexes(double precision,integer)',
   $$SELECT NULL FROM architect.recommend_indexes() LIMIT 1$$),
  ('recommend_indexes_for(text[],double precision,integer,double precision[],double precision[])',
   $$SELECT NULL FROM architect.recommend_indexes_for(ARRAY['SELECT * FROM pga_priv.t WHERE b = ''x''']) LIMIT 1$$),
  ('report(architect.severity,integer)', $$SELECT NULL FROM architect.report()$$),
  ('require_primary(text)', $$SELECT architect.require_primary('this check')$$),
  ('reset()', $$SELECT architect.reset()$$),
  ('schedule(interval,interval,boolean,name)', $$SELECT NULL FROM architect.schedule()$$),
  ('schema_advice_rows()', $$SELECT NULL FROM architect.schema_advice_rows() LIMIT 1$$),
  ('security_advice_rows()', $$SELECT NULL FROM architect.security_advice_rows() LIMIT 1$$),
  ('sequence_last_value(regclass)',
   $$SELECT coalesce(architect.sequence_last_value('pga_priv.s')::text, 'NULL')$$),
  ('severity_rank(text)', $$SELECT architect.severity_rank('warning')::text$$),
  ('snapshot()', $$SELECT NULL FROM architect.snapshot()$$),
  ('snapshot_recommendations()', $$SELECT NULL FROM architect.snapshot_recommendations()$$),
  ('soft_delete_trigger()', $$SELECT architect.soft_delete_trigger()$$),
  ('statement_counters()', $$SELECT NULL FROM architect.statement_counters() LIMIT 1$$),
  ('statements(boolean)', $$SELECT NULL FROM architect.statements() LIMIT 1$$),
  ('statements_reset()', $$SELECT NULL FROM architect.statements_reset()$$),
  ('stats_since()', $$SELECT NULL FROM architect.stats_since()$$),
  ('system_info()', $$SELECT NULL FROM architect.system_info() LIMIT 1$$),
  ('unschedule(name)', $$SELECT NULL FROM architect.unschedule()$$),
  ('updated_at_trigger()', $$SELECT architect.updated_at_trigger()$$),
  ('user_columns()', $$SELECT NULL FROM architect.user_columns() LIMIT 1$$),
  ('version()', $$SELECT NULL FROM architect.version()$$),
  -- A procedure that commits: it cannot run in the matrix's transaction.
  ('wait_index_job(bigint,interval)', '-- see below'),
  ('whatif(text,text[])',
   $$SELECT NULL FROM architect.whatif('SELECT * FROM pga_priv.t WHERE b = ''x''', ARRAY['CREATE INDEX ON pga_priv.t (b)']) LIMIT 1$$),
  ('whatif_join_reuse(text,text[],text[])',
   $$SELECT NULL FROM architect.whatif_join_reuse('SELECT * FROM pga_priv.t WHERE b = ''x''', ARRAY['CREATE INDEX ON pga_priv.t (b)'])$$),
  ('whatif_join_reuse_stats()', $$SELECT NULL FROM architect.whatif_join_reuse_stats()$$),
  ('workload_whatif(text[],text[])',
   $$SELECT NULL FROM architect.workload_whatif(ARRAY['CREATE INDEX ON pga_priv.t (b)']) LIMIT 1$$);

-- Every function and view, with its call.
CREATE TEMP VIEW pga_priv_objects AS
SELECT 'function' AS kind, regexp_replace(p.oid::regprocedure::text, '^architect\.', '') AS object,
       c.sql
  FROM pg_proc p
  LEFT JOIN pga_priv_calls c ON c.fn = regexp_replace(p.oid::regprocedure::text, '^architect\.', '')
 WHERE p.pronamespace = 'architect'::regnamespace
UNION ALL
SELECT 'view', v.viewname, format('SELECT NULL FROM architect.%I LIMIT 1', v.viewname)
  FROM pg_views v WHERE v.schemaname = 'architect';

CREATE TEMP TABLE pga_priv_results (kind text, object text, role text, result text, message text);
GRANT SELECT ON pga_priv_results TO PUBLIC;

-- pga_priv_try(role, sql): run sql as role in a subtransaction that is
-- rolled back; 'ok[: value]' or the SQLSTATE, and the error message.
CREATE FUNCTION pg_temp.pga_priv_try(r text, q text, OUT result text, OUT message text)
LANGUAGE plpgsql AS $$
DECLARE
    val text;
BEGIN
    IF q LIKE '--%' THEN
        result := substr(q, 4);     -- not run here (see the comment)
        RETURN;
    END IF;
    BEGIN
        -- :job is the superuser's index job (pga_priv_job), when there is one.
        IF q LIKE '%:job%' THEN
            q := replace(q, ':job', (SELECT job::text FROM pga_priv_job));
        END IF;
        IF r <> 'superuser' THEN
            EXECUTE format('SET LOCAL ROLE %I', 'pga_priv_' || r);
        END IF;
        IF q LIKE 'CALL %' THEN
            EXECUTE q;
        ELSE
            EXECUTE q INTO val;
        END IF;
        result := 'ok' || coalesce(': ' || nullif(val, ''), '');
        RAISE EXCEPTION USING ERRCODE = 'ZX999';
    EXCEPTION
        WHEN SQLSTATE 'ZX999' THEN
            NULL;
        WHEN OTHERS OR query_canceled THEN
            GET STACKED DIAGNOSTICS result = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
            message := regexp_replace(regexp_replace(message, 'job \d+', 'job N', 'g'),
                                      '\d{3,}', 'N', 'g');
    END;
END $$;

-- Leak probes (before the matrix, whose reset() calls empty the stores):
-- what of the superuser's work each role sees.  "hidden" means the call
-- answers without the secret; an error shows its SQLSTATE.  The superuser
-- column is the control: there the secret must be VISIBLE.
CREATE TEMP TABLE pga_priv_probes (probe text, sql text);
INSERT INTO pga_priv_probes VALUES
  ('query_patterns.example_query',
   $$SELECT CASE WHEN count(*) > 0 THEN 'VISIBLE' ELSE 'hidden' END FROM architect.query_patterns
      WHERE example_query LIKE '%' || 'pga_priv_secret' || '_1%'$$),
  ('predicates.example_value',
   $$SELECT CASE WHEN count(*) > 0 THEN 'VISIBLE' ELSE 'hidden' END FROM architect.predicates
      WHERE example_value LIKE '%' || 'pga_priv_secret' || '_1%'$$),
  ('query_errors.message',
   $$SELECT CASE WHEN count(*) > 0 THEN 'VISIBLE' ELSE 'hidden' END FROM architect.query_errors
      WHERE message LIKE '%' || 'pga_priv_secret' || '_2%'$$),
  ('statements().query',
   $$SELECT CASE WHEN count(*) > 0 THEN 'VISIBLE' ELSE 'hidden' END FROM architect.statements()
      WHERE query LIKE '%' || 'pga_priv_secret' || '_3%'$$),
  ('top_queries',
   $$SELECT CASE WHEN count(*) > 0 THEN 'VISIBLE' ELSE 'hidden' END FROM architect.top_queries t
      WHERE t::text LIKE '%' || 'pga_priv_secret' || '_3%'$$),
  ('sequence_last_value()',
   $$SELECT CASE WHEN architect.sequence_last_value('pga_priv.s') = 4242 THEN 'VISIBLE' ELSE 'hidden' END$$),
  ('sequences view',
   $$SELECT CASE WHEN count(*) > 0 THEN 'VISIBLE' ELSE 'hidden' END FROM architect.sequences t
      WHERE t::text LIKE '%4242%'$$),
  ('hba_rules()',
   $$SELECT CASE WHEN count(*) > 0 THEN 'VISIBLE' ELSE 'hidden' END FROM architect.hba_rules()$$),
  ('password_roles()',
   $$SELECT CASE WHEN count(*) > 0 THEN 'VISIBLE' ELSE 'hidden' END FROM architect.password_roles()$$),
  ('file_settings()',
   $$SELECT CASE WHEN count(*) > 0 THEN 'VISIBLE' ELSE 'hidden' END FROM architect.file_settings()$$),
  ('explain() of a table the role may not read',
   $$SELECT CASE WHEN count(*) > 0 THEN 'VISIBLE' ELSE 'hidden' END
       FROM architect.explain('SELECT * FROM pga_priv.t WHERE a = 1')$$),
  ('whatif() of a table the role may not read',
   $$SELECT CASE WHEN count(*) > 0 THEN 'VISIBLE' ELSE 'hidden' END
       FROM architect.whatif('SELECT * FROM pga_priv.t WHERE a = 1', ARRAY['CREATE INDEX ON pga_priv.t (b)'])$$),
  ('whatif_join_reuse() of a table the role may not read',
   $$SELECT CASE WHEN count(*) > 0 THEN 'VISIBLE' ELSE 'hidden' END
       FROM architect.whatif_join_reuse('SELECT * FROM pga_priv.t WHERE a = 1', ARRAY['CREATE INDEX ON pga_priv.t (b)'])$$),
  ('exact_bloat() of a table the role may not read',
   $$SELECT CASE WHEN count(*) > 0 THEN 'VISIBLE' ELSE 'hidden' END
       FROM architect.exact_bloat('pga_priv.t')$$);

SELECT p.probe,
       max(coalesce(t.result, '')) FILTER (WHERE r.role = 'nobody') AS nobody,
       max(coalesce(t.result, '')) FILTER (WHERE r.role = 'owner') AS owner,
       max(coalesce(t.result, '')) FILTER (WHERE r.role = 'monitor') AS monitor,
       max(coalesce(t.result, '')) FILTER (WHERE r.role = 'superuser') AS superuser
  FROM pga_priv_probes p
 CROSS JOIN (VALUES (1, 'nobody'), (2, 'owner'), (3, 'monitor'), (4, 'superuser')) r(n, role)
 CROSS JOIN LATERAL pg_temp.pga_priv_try(r.role, p.sql) AS t
 GROUP BY p.probe
 ORDER BY p.probe;

-- The advisor's functions see the 10 heaviest captured statements only
-- (see 80_bad_input.sql: the matrix is about who may call what).
SET pg_architect.max_workload_queries = 10;
SET statement_timeout = '10min';
BEGIN;
-- A job of the superuser's, for cancel_index_job() and wait_index_job().
CREATE TEMP TABLE pga_priv_job AS
SELECT architect.create_index('CREATE INDEX pga_priv_su_job ON pga_priv.t (id, a)', wait => false) AS job;
GRANT SELECT ON pga_priv_job TO PUBLIC;

INSERT INTO pga_priv_results
SELECT o.kind, o.object, r.role, t.result, t.message
  FROM pga_priv_objects o
 CROSS JOIN (VALUES (1, 'nobody'), (2, 'owner'), (3, 'monitor'), (4, 'superuser')) r(n, role)
 CROSS JOIN LATERAL pg_temp.pga_priv_try(r.role, o.sql) AS t
 WHERE o.sql IS NOT NULL
 ORDER BY o.kind, o.object, r.n;

-- Functions without a matrix entry (a new function needs one above).
SELECT kind, object, 'NO MATRIX ENTRY' AS problem FROM pga_priv_objects WHERE sql IS NULL;

-- The matrix.
SELECT kind, object,
       max(result) FILTER (WHERE role = 'nobody') AS nobody,
       max(result) FILTER (WHERE role = 'owner') AS owner,
       max(result) FILTER (WHERE role = 'monitor') AS monitor,
       max(result) FILTER (WHERE role = 'superuser') AS superuser
  FROM pga_priv_results
 GROUP BY kind, object
 ORDER BY kind, object;

-- The messages of the refusals (each distinct one once per object).
SELECT object, string_agg(role, ', ' ORDER BY role) AS roles, result AS sqlstate, message
  FROM pga_priv_results WHERE message IS NOT NULL
 GROUP BY object, result, message
 ORDER BY object, sqlstate, message;

-- Never an internal error.
SELECT kind, object, role, result, message FROM pga_priv_results WHERE result LIKE 'XX%';
ROLLBACK;
RESET statement_timeout;
RESET pg_architect.max_workload_queries;

-- wait_index_job() for a finished job of the superuser's, as each role.
SELECT architect.create_index('CREATE INDEX pga_priv_w ON pga_priv.t (b)') AS wjob \gset
\set VERBOSITY sqlstate
SET ROLE pga_priv_nobody;
CALL architect.wait_index_job(:wjob, '1 s');
SET ROLE pga_priv_owner;
CALL architect.wait_index_job(:wjob, '1 s');
SET ROLE pga_priv_monitor;
CALL architect.wait_index_job(:wjob, '1 s');
RESET ROLE;
CALL architect.wait_index_job(:wjob, '1 s');
\set VERBOSITY default

DROP SCHEMA pga_priv CASCADE;
DROP ROLE pga_priv_nobody, pga_priv_owner, pga_priv_monitor, pga_priv_md5;
