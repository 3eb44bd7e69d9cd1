-- Health: table and index bloat (estimated; measured with pgstattuple),
-- sequential scans, vacuum, transaction ID and multixact wraparound,
-- sequences running out.  Each finding appears with a real situation and
-- is gone once it is fixed.
SET client_min_messages = warning;
CREATE SCHEMA health_tab;
SET search_path = health_tab, public;

-- Bloat: two thirds of the rows deleted, the pages still there.
CREATE TABLE bloated (id int PRIMARY KEY, payload text) WITH (autovacuum_enabled = off);
INSERT INTO bloated SELECT g, repeat('x', 60) FROM generate_series(1, 30000) g;
DELETE FROM bloated WHERE id % 3 <> 0;
ANALYZE bloated;
-- below the size floor (pg_architect.bloat_min_size, 10MB) tables are
-- never bloat findings and are left out
SELECT count(*) AS small_tables_listed FROM architect.table_bloat WHERE schema_name = 'health_tab';
SET pg_architect.bloat_min_size = 0;
SELECT object, severity, method, bloat_pct > 55 AS mostly_bloat, action
  FROM architect.table_bloat WHERE schema_name = 'health_tab';
SELECT object, severity, bloat_pct > 30 AS bloated_index, action
  FROM architect.index_bloat WHERE schema_name = 'health_tab';
-- tables without statistics get no estimate rather than a wrong one
CREATE TABLE never_analyzed (a int);
INSERT INTO never_analyzed VALUES (1);
SELECT object, severity, value FROM architect.table_bloat WHERE table_name = 'never_analyzed';

-- the exact figures need pgstattuple
SELECT * FROM architect.exact_bloat('bloated');
\echo :LAST_ERROR_SQLSTATE
CREATE EXTENSION pgstattuple;
SELECT relation_name, kind, method, bloat_pct > 55 AS mostly_bloat
  FROM architect.exact_bloat('bloated') ORDER BY kind DESC;
SELECT relation_name, kind FROM architect.exact_bloat('bloated_pkey');
-- bad input: a view, a partitioned table, a hash index, no such relation
CREATE VIEW bloated_view AS SELECT * FROM bloated;
CREATE TABLE parted (a int) PARTITION BY RANGE (a);
CREATE INDEX bloated_hash ON bloated USING hash (id);
SELECT * FROM architect.exact_bloat('bloated_view');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM architect.exact_bloat('parted');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM architect.exact_bloat('bloated_hash');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM architect.exact_bloat('no_such_table');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM architect.exact_bloat(0);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM architect.exact_bloat(NULL);
DROP EXTENSION pgstattuple;

-- fixed: rewritten, the bloat is gone
VACUUM FULL bloated;
ANALYZE bloated;
SELECT object, severity, bloat_pct < 10 AS compact FROM architect.table_bloat WHERE table_name = 'bloated';
SELECT object, severity FROM architect.index_bloat WHERE table_name = 'bloated' AND index_name = 'bloated_pkey';
RESET pg_architect.bloat_min_size;

-- Vacuum: dead tuples piling up on a table whose autovacuum is off.
CREATE TABLE churn (id int, v int) WITH (autovacuum_enabled = off);
INSERT INTO churn SELECT g, g FROM generate_series(1, 5000) g;
DELETE FROM churn WHERE id > 1000;
SELECT pg_stat_force_next_flush();
SELECT object, severity, value, detail, action, autovacuum_enabled
  FROM architect.vacuum_health WHERE schema_name = 'health_tab' AND table_name = 'churn';
-- fixed: vacuumed, analyzed, autovacuum back on
ALTER TABLE churn RESET (autovacuum_enabled);
VACUUM (ANALYZE) churn;
SELECT pg_stat_force_next_flush();
SELECT object, severity, value, action IS NULL AS nothing_to_do
  FROM architect.vacuum_health WHERE schema_name = 'health_tab' AND table_name = 'churn';

-- Sequential scans: many scans reading the whole table.
CREATE TABLE scanned (id int, k int);
INSERT INTO scanned SELECT g, g % 100 FROM generate_series(1, 3000) g;
SELECT count(*) FROM scanned WHERE k = 1;
SELECT count(*) FROM scanned WHERE k = 2;
SELECT count(*) FROM scanned WHERE k = 3;
SELECT pg_stat_force_next_flush();
SET pg_architect.seq_scan_min_count = 3;
SET pg_architect.seq_scan_min_rows = 1000;
SELECT object, severity, value, seq_scans, rows_per_seq_scan
  FROM architect.seq_scan_tables WHERE schema_name = 'health_tab' AND table_name = 'scanned';
-- fixed: an index takes over the lookups
CREATE INDEX scanned_k ON scanned (k);
ANALYZE scanned;
SELECT count(*) FROM scanned WHERE k = 4;
SELECT count(*) FROM scanned WHERE k = 5;
SELECT count(*) FROM scanned WHERE k = 6;
SELECT count(*) FROM scanned WHERE k = 7;
SELECT count(*) FROM scanned WHERE k = 8;
SELECT count(*) FROM scanned WHERE k = 9;
SELECT pg_stat_force_next_flush();
SELECT object, severity, index_scans > seq_scans AS indexed
  FROM architect.seq_scan_tables WHERE schema_name = 'health_tab' AND table_name = 'scanned';
RESET pg_architect.seq_scan_min_count;
RESET pg_architect.seq_scan_min_rows;

-- Transaction ID wraparound: a table whose autovacuum_freeze_max_age is
-- 100000 and 1000 transactions since it was frozen, against a warning
-- threshold of 0.5 % of that (500 transactions).
CREATE TABLE aging (a int) WITH (autovacuum_freeze_max_age = 100000, autovacuum_enabled = off);
INSERT INTO aging VALUES (1);
DO $$ BEGIN FOR i IN 1..1000 LOOP PERFORM pg_current_xact_id(); COMMIT; END LOOP; END $$;
SET pg_architect.wraparound_warning_pct = 0.5;
SELECT "check", object, severity, scope, freeze_max_age, age >= 1000 AS old_enough, action
  FROM architect.wraparound WHERE scope = 'table' AND schema_name = 'health_tab' AND severity <> 'info';
-- critical past the critical threshold
SET pg_architect.wraparound_critical_pct = 0.9;
SELECT object, severity FROM architect.wraparound WHERE scope = 'table' AND schema_name = 'health_tab' AND severity <> 'info';
-- fixed: frozen
VACUUM (FREEZE) aging;
SELECT count(*) AS aging_tables FROM architect.wraparound
 WHERE scope = 'table' AND schema_name = 'health_tab' AND "check" = 'xid_wraparound' AND severity <> 'info';
-- every database has its rows, as info at these ages (and the oldest table
-- of this database has one, whatever its age)
SELECT DISTINCT "check", scope, severity FROM architect.wraparound WHERE scope = 'database' ORDER BY 1;

-- Multixact wraparound: 200 multixacts (a row share-locked, then locked
-- for update in a subtransaction) against 1 % of 10000.
CREATE TABLE multi (id int PRIMARY KEY, v int)
  WITH (autovacuum_multixact_freeze_max_age = 10000, autovacuum_enabled = off);
INSERT INTO multi VALUES (1, 0);
DO $$ BEGIN FOR i IN 1..200 LOOP
  PERFORM * FROM multi WHERE id = 1 FOR SHARE;
  BEGIN PERFORM * FROM multi WHERE id = 1 FOR UPDATE; EXCEPTION WHEN others THEN NULL; END;
  COMMIT;
END LOOP; END $$;
SET pg_architect.wraparound_warning_pct = 1;
SET pg_architect.wraparound_critical_pct = 50;
SELECT "check", object, severity, freeze_max_age FROM architect.wraparound
 WHERE scope = 'table' AND schema_name = 'health_tab' AND "check" = 'multixact_wraparound' AND severity <> 'info';
VACUUM (FREEZE) multi;
SELECT count(*) AS multixact_aging FROM architect.wraparound
 WHERE scope = 'table' AND schema_name = 'health_tab' AND "check" = 'multixact_wraparound' AND severity <> 'info';
RESET pg_architect.wraparound_warning_pct;
RESET pg_architect.wraparound_critical_pct;

-- Sequences: one exhausted, one feeding an integer column from a bigint
-- sequence, one healthy serial.
CREATE SEQUENCE exhausted MAXVALUE 100;
SELECT setval('exhausted', 100);
CREATE SEQUENCE big_seq;
CREATE TABLE narrow (id int DEFAULT nextval('big_seq'), note text);
SELECT setval('big_seq', 2000000000);
CREATE TABLE healthy (id serial PRIMARY KEY);
INSERT INTO healthy DEFAULT VALUES;
CREATE SEQUENCE falling INCREMENT -1 MINVALUE -10 MAXVALUE 0 START 0;
SELECT nextval('falling') FROM generate_series(1, 9) ORDER BY 1 LIMIT 1;
CREATE SEQUENCE unused_seq;
SELECT object, severity, value, sequence_type, column_type, fed_column, action
  FROM architect.sequences WHERE schema_name = 'health_tab' ORDER BY object;
-- fixed: a larger range, a wider column
ALTER SEQUENCE exhausted MAXVALUE 1000000;
ALTER TABLE narrow ALTER COLUMN id TYPE bigint;
ALTER SEQUENCE falling MINVALUE -1000;
SELECT object, severity, value FROM architect.sequences WHERE schema_name = 'health_tab' ORDER BY object;
-- a role without privileges on a sequence does not see how far it is
CREATE ROLE health_tab_reader;
GRANT USAGE ON SCHEMA health_tab TO health_tab_reader;
SET ROLE health_tab_reader;
SELECT object, severity, value, last_value FROM architect.sequences WHERE schema_name = 'health_tab' ORDER BY object;
RESET ROLE;
-- reading a sequence takes no lock that outlives the read
BEGIN;
SELECT count(*) > 0 AS ok FROM architect.sequences WHERE schema_name = 'health_tab';
SELECT count(*) AS sequence_locks FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
 WHERE l.pid = pg_backend_pid() AND c.relkind = 'S';
COMMIT;
SELECT architect.sequence_last_value('big_seq');
SELECT architect.sequence_last_value('unused_seq');
-- a relation that is not a sequence (here a table) is an error (42809,
-- with a hint), not a NULL that reads like "never used"
SELECT architect.sequence_last_value('narrow');
\echo :LAST_ERROR_SQLSTATE
SELECT architect.sequence_last_value('pg_catalog.pg_class');
\echo :LAST_ERROR_SQLSTATE
-- an OID that names no relation (dropped between reading pg_class and the
-- call) is NULL: the views read pg_class first
SELECT architect.sequence_last_value(0::regclass) IS NULL AS gone;

RESET search_path;
DROP SCHEMA health_tab CASCADE;
REVOKE ALL ON SCHEMA public FROM health_tab_reader;
DROP ROLE health_tab_reader;
