-- Health: what the audit of issue 7 found untested.  The alert items of the
-- issue each raise an alert with a severity and are gone once fixed; the
-- findings that rest on cumulative statistics say since when; no health
-- view keeps a lock on a user relation; memory reserved for other software
-- lowers config_advice's memory settings; unindexed foreign keys of large
-- tables come first in schema_advice.
SET client_min_messages = warning;
CREATE SCHEMA health_audit;
SET search_path = health_audit, public;

-- Alerts, one item of the issue at a time: the situation, then the fix.
-- Connections above the share of max_connections.
SET pg_architect.connections_warning_pct = 0.5;
SELECT severity, "check", object, source FROM architect.alerts WHERE source = 'connections';
RESET pg_architect.connections_warning_pct;
SELECT count(*) AS connection_alerts FROM architect.alerts WHERE source = 'connections';

-- Transaction ID wraparound: 600 transactions against 0.5 % of 100000.
CREATE TABLE aging (a int) WITH (autovacuum_freeze_max_age = 100000, autovacuum_enabled = off);
INSERT INTO aging VALUES (1);
DO $$ BEGIN FOR i IN 1..600 LOOP PERFORM pg_current_xact_id(); COMMIT; END LOOP; END $$;
SET pg_architect.wraparound_warning_pct = 0.5;
SELECT severity, "check", object, source FROM architect.alerts
 WHERE source = 'wraparound' AND object LIKE 'health\_audit.%';
VACUUM (FREEZE) aging;
SELECT count(*) AS wraparound_alerts FROM architect.alerts
 WHERE source = 'wraparound' AND object LIKE 'health\_audit.%';
RESET pg_architect.wraparound_warning_pct;

-- An invalid index left by a failed CREATE INDEX CONCURRENTLY.
CREATE TABLE dups (k int);
INSERT INTO dups VALUES (1), (1);
CREATE UNIQUE INDEX CONCURRENTLY dups_k ON dups (k);
SELECT severity, "check", object, source FROM architect.alerts WHERE object LIKE 'health\_audit.%';
DROP INDEX dups_k;
SELECT count(*) AS invalid_index_alerts FROM architect.alerts WHERE object LIKE 'health\_audit.%';

-- A query whose mean time is above the threshold.
CREATE TABLE slowish (id int);
INSERT INTO slowish VALUES (1);
SELECT pg_sleep(0.03) AS audit_slow FROM slowish;
SET pg_architect.slow_query_warning = '20ms';
SET pg_architect.slow_query_min_calls = 1;
SELECT a.severity, a.check, a.source FROM architect.alerts a
  JOIN architect.slow_queries s USING ("check", object) WHERE s.query LIKE '%audit_slow%';
SELECT pg_stat_statements_reset(0, 0, queryid) FROM architect.top_queries WHERE query LIKE '%audit_slow%';
SELECT count(*) AS slow_query_alerts FROM architect.alerts a
  JOIN architect.slow_queries s USING ("check", object) WHERE s.query LIKE '%audit_slow%';
RESET pg_architect.slow_query_warning;
RESET pg_architect.slow_query_min_calls;

-- A low cache hit ratio (no ratio reaches 100 %).
SET pg_architect.cache_hit_min_blocks = 0;
SET pg_architect.cache_hit_warning_pct = 100;
SET pg_architect.cache_hit_critical_pct = 0;
SELECT severity, "check", object, source FROM architect.alerts WHERE source = 'cache_hit' AND object = 'database';
RESET pg_architect.cache_hit_min_blocks;
RESET pg_architect.cache_hit_warning_pct;
RESET pg_architect.cache_hit_critical_pct;
SELECT count(*) AS cache_hit_alerts FROM architect.alerts WHERE source = 'cache_hit';

-- A high rollback rate: the failed statements of the tests before this one
-- rolled back their transactions; judged from the first transaction on and
-- against a tiny share, this database is a warning.
BEGIN; ROLLBACK;
SELECT pg_stat_force_next_flush();
SET pg_architect.rollback_min_xacts = 0;
SET pg_architect.rollback_warning_pct = 0.0001;
SELECT severity, "check", source FROM architect.alerts
 WHERE "check" = 'rollback_rate' AND object LIKE '%contrib\_regression%';
RESET pg_architect.rollback_min_xacts;
RESET pg_architect.rollback_warning_pct;
SELECT count(*) AS rollback_alerts FROM architect.alerts
 WHERE "check" = 'rollback_rate' AND object LIKE '%contrib\_regression%';

-- Evidence age: every row of a view resting on cumulative statistics says
-- since when they were collected (and every such view has rows here).
CREATE INDEX aging_a ON aging (a);
SELECT pg_stat_force_next_flush();
SELECT v AS view_name,
       (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM architect.%I', v), false, true, '')))[1]::text::int > 0 AS has_rows,
       (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM architect.%I WHERE evidence_since IS NULL OR evidence_since > now()', v), false, true, '')))[1]::text::int AS undated
  FROM unnest(ARRAY['index_usage', 'unused_indexes', 'vacuum_health', 'cache_hit', 'temp_files', 'checkpoints',
                    'databases', 'top_queries', 'archiving']) AS v
 ORDER BY 1;
-- seq_scan_tables and slow_queries list nothing in a quiet database:
-- forced, they are dated too
SET pg_architect.seq_scan_min_count = 0;
SET pg_architect.seq_scan_min_rows = 0;
SET pg_architect.slow_query_min_calls = 0;
SET pg_architect.slow_query_warning = 0;
SELECT count(*) > 0 AS has_rows, count(*) FILTER (WHERE evidence_since IS NULL) AS undated
  FROM architect.seq_scan_tables;
SELECT count(*) > 0 AS has_rows, count(*) FILTER (WHERE evidence_since IS NULL) AS undated
  FROM architect.slow_queries;
RESET pg_architect.seq_scan_min_count;
RESET pg_architect.seq_scan_min_rows;
RESET pg_architect.slow_query_min_calls;
RESET pg_architect.slow_query_warning;

-- No health view keeps a lock on a user relation: read every view and the
-- report in one transaction, then look at this session's locks.
CREATE SEQUENCE counter;
SELECT nextval('counter');
CREATE TABLE aging_pk (id int PRIMARY KEY);
CREATE TABLE "Locked Out" (id int PRIMARY KEY, parent int REFERENCES aging_pk(id));
-- each view is read in a subtransaction that is rolled back afterwards, so
-- that its locks are its own
CREATE FUNCTION pg_temp.locks_kept(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE held text;
BEGIN
    BEGIN
        EXECUTE q;
        SELECT string_agg(format('%s %s', l.relation::regclass, l.mode), ', ' ORDER BY 1)
          INTO held
          FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND architect.is_user_schema(n.nspname)
           AND c.oid NOT IN (SELECT architect.extension_members('pg_class'));
        RAISE EXCEPTION USING ERRCODE = 'P0099', MESSAGE = coalesce(held, '');
    EXCEPTION WHEN SQLSTATE 'P0099' THEN
        RETURN nullif(SQLERRM, '');
    END;
END $$;
-- (the views finding_sources reads, from its rewrite rule's dependencies,
-- and the views that are not finding sources)
CREATE TEMP VIEW source_views AS
SELECT DISTINCT v.relname::text AS v
  FROM pg_rewrite r
  JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid AND d.refclassid = 'pg_class'::regclass
  JOIN pg_class v ON v.oid = d.refobjid AND v.relkind = 'v' AND v.oid <> r.ev_class
 WHERE r.ev_class = 'architect.finding_sources'::regclass;
SELECT count(*) AS source_views FROM source_views;
SELECT v AS view_name, pg_temp.locks_kept(format('SELECT count(*) FROM architect.%I', v)) AS locks_kept
  FROM (SELECT v FROM source_views
        UNION SELECT unnest(ARRAY['index_usage', 'index_drop_candidates', 'findings', 'alerts', 'thresholds',
                                  'table_growth', 'index_growth', 'database_trends', 'query_trends'])) AS x(v)
 WHERE pg_temp.locks_kept(format('SELECT count(*) FROM architect.%I', v)) IS NOT NULL
 ORDER BY 1;
SELECT pg_temp.locks_kept('SELECT count(*) FROM architect.report()') AS report_locks_kept;
-- and all of them in one transaction; the only relations locked (ACCESS
-- SHARE, until the transaction ends) are pg_stat_statements' own views,
-- read through SPI by architect.statements(): that holds up DROP or ALTER
-- EXTENSION pg_stat_statements, no user table's DDL or DML
BEGIN;
SELECT count(*) >= 0 AS read FROM architect.findings;
SELECT count(*) > 0 AS read FROM architect.report();
SELECT count(*) > 0 AS read FROM architect.sequences;
SELECT count(*) > 0 AS read FROM architect.index_usage;
SELECT c.relname, l.mode, c.oid IN (SELECT architect.extension_members('pg_class')) AS extension_member
  FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE l.pid = pg_backend_pid() AND architect.is_user_schema(n.nspname)
 ORDER BY 1;
COMMIT;

-- connection_churn dates every rate it measured; the idle connections are
-- counted now, and a rate with no window is not measured at all
SELECT count(*) FILTER (WHERE sessions_per_sec IS NOT NULL) > 0 AS has_rates,
       count(*) FILTER (WHERE sessions_per_sec IS NOT NULL AND evidence_since IS NULL) AS undated_rates,
       count(*) FILTER (WHERE sessions_per_sec IS NULL AND object LIKE 'database %' AND value !~ '^sessions/s unknown(, [0-9]+ ms mean life)?$') AS rates_without_window
  FROM architect.connection_churn;

-- Vacuum: autovacuum is on but has not kept up (more than twice the dead
-- tuples that trigger it).  The test holds the lock autovacuum would need,
-- so that it cannot catch up while the view is read; autovacuum is only
-- enabled once that lock is held, so it cannot vacuum the table between the
-- DELETE and the LOCK either.
CREATE TABLE behind (id int, v text) WITH (autovacuum_enabled = off);
INSERT INTO behind SELECT g, 'x' FROM generate_series(1, 1000) g;
DELETE FROM behind WHERE id > 200;
SELECT pg_stat_force_next_flush();
BEGIN;
LOCK TABLE behind IN SHARE UPDATE EXCLUSIVE MODE;
ALTER TABLE behind RESET (autovacuum_enabled);
SET LOCAL pg_architect.dead_tuples_min = 100;
SELECT object, severity, detail LIKE '%autovacuum is not keeping up%' AS not_keeping_up, autovacuum_enabled, action
  FROM architect.vacuum_health WHERE schema_name = 'health_audit' AND table_name = 'behind';
COMMIT;
-- fixed: vacuumed
VACUUM (ANALYZE) behind;
SELECT pg_stat_force_next_flush();
SET pg_architect.dead_tuples_min = 100;
SELECT object, severity, action IS NULL AS nothing_to_do
  FROM architect.vacuum_health WHERE schema_name = 'health_audit' AND table_name = 'behind';
RESET pg_architect.dead_tuples_min;

-- Memory reserved for other software comes off what config_advice plans
-- with: on 8GB with 4GB reserved, shared_buffers and effective_cache_size
-- are planned for 4GB.
SET pg_architect.system_memory = '8GB';
SET pg_architect.system_cpus = 4;
SELECT object, threshold FROM architect.config_advice
 WHERE object IN ('shared_buffers', 'effective_cache_size', 'maintenance_work_mem') ORDER BY object;
SET pg_architect.reserved_memory = '4GB';
SELECT object, threshold FROM architect.config_advice
 WHERE object IN ('shared_buffers', 'effective_cache_size', 'maintenance_work_mem') ORDER BY object;
RESET pg_architect.reserved_memory;
RESET pg_architect.system_memory;
RESET pg_architect.system_cpus;

-- schema_advice: unindexed foreign keys of large tables first (the
-- smaller table's name sorts first, the larger one is listed first).
CREATE TABLE "a small" (id int, parent int REFERENCES aging_pk(id));
CREATE TABLE "z large" (id int, parent int REFERENCES aging_pk(id), pad text);
INSERT INTO aging_pk VALUES (1);
INSERT INTO "a small" VALUES (1, 1);
INSERT INTO "z large" SELECT g, 1, repeat('x', 200) FROM generate_series(1, 3000) g;
VACUUM ANALYZE "a small", "z large";
SET pg_architect.fk_index_min_rows = 1000000;
SELECT "check", object, severity FROM architect.schema_advice
 WHERE "check" = 'missing_fk_index' AND object LIKE 'health\_audit.%';
RESET pg_architect.fk_index_min_rows;

-- CREATE on the schema public for PUBLIC (revoked by default since
-- PostgreSQL 15, granted on older clusters upgraded in place)
GRANT CREATE ON SCHEMA public TO PUBLIC;
SELECT "check", object, severity, action FROM architect.security_advice
 WHERE "check" = 'public_create' AND object = 'schema public';
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SELECT count(*) AS public_create_left FROM architect.security_advice
 WHERE "check" = 'public_create' AND object = 'schema public';

RESET search_path;
DROP SCHEMA health_audit CASCADE;
