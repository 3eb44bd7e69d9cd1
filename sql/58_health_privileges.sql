-- Health: what a role without privileges gets from every view: no error,
-- and only what pg_monitor rules let it see.
SET client_min_messages = warning;
CREATE ROLE health_nobody;
CREATE ROLE health_watcher IN ROLE pg_monitor;
CREATE SCHEMA health_p;
CREATE TABLE health_p.secret_stuff (id int, tenant_id int, password text);
CREATE INDEX secret_a ON health_p.secret_stuff (id);
CREATE INDEX secret_b ON health_p.secret_stuff (id);
CREATE SEQUENCE health_p.counter;
SELECT nextval('health_p.counter');

-- every view answers for a role without any privilege
SET ROLE health_nobody;
SELECT v AS view_name,
       (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM architect.%I', v), false, true, '')))[1]::text::int >= 0 AS answers
  FROM unnest(ARRAY['index_usage', 'unused_indexes', 'duplicate_indexes', 'invalid_indexes', 'missing_fk_indexes',
                    'index_drop_candidates', 'table_bloat', 'index_bloat', 'seq_scan_tables', 'vacuum_health',
                    'wraparound', 'sequences', 'connections', 'long_running', 'idle_in_transaction', 'locks',
                    'blocking', 'cache_hit', 'temp_files', 'checkpoints', 'connection_churn', 'databases',
                    'top_queries', 'slow_queries', 'replication', 'archiving', 'config_advice', 'security_advice',
                    'schema_advice', 'findings', 'alerts', 'thresholds', 'table_growth', 'index_growth',
                    'database_trends']) AS v
 ORDER BY 1;
SELECT count(*) AS lines FROM architect.report() WHERE false;
SELECT count(*) FROM architect.query_trends;
-- the catalogs are public, so the schema findings show the table...
SELECT "check", object FROM architect.findings WHERE object LIKE 'health_p.%' ORDER BY 1, 2;
-- ...but not the sequence's position, nor the configuration files, nor
-- pg_hba.conf, nor the password of any role
SELECT value FROM architect.sequences WHERE object = 'health_p.counter';
SELECT count(*) AS hba, (SELECT count(*) FROM architect.password_roles()) AS passwords,
       (SELECT count(*) FROM architect.file_settings()) AS files
  FROM architect.hba_rules();
RESET ROLE;

-- pg_monitor members see statistics and settings as PostgreSQL shows them
-- to pg_monitor; query history too
SET ROLE health_watcher;
SELECT count(*) >= 0 AS answers FROM architect.query_trends;
SELECT count(*) >= 0 AS answers FROM architect.report();
SELECT count(*) > 0 AS sees_archive_setting FROM architect.archiving WHERE detail NOT LIKE '%not visible%';
RESET ROLE;

DROP SCHEMA health_p CASCADE;
DROP ROLE health_nobody;
DROP ROLE health_watcher;
