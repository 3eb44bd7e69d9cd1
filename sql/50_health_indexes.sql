-- Health: index usage, unused, duplicate and prefix-redundant, invalid
-- indexes, drop candidates and foreign keys without an index.  Each finding
-- appears with a real situation and is gone once it is fixed.
SET client_min_messages = warning;
CREATE SCHEMA "Health Idx";
SET search_path = "Health Idx", public;

CREATE TABLE "Parent" (id int PRIMARY KEY, code text UNIQUE);
CREATE TABLE "Child Table" (
    id int PRIMARY KEY,
    "Parent Id" int REFERENCES "Parent"(id),
    a int, b int, c text);
INSERT INTO "Parent" SELECT g, 'p' || g FROM generate_series(1, 50) g;
INSERT INTO "Child Table" SELECT g, g % 50 + 1, g % 7, g % 11, 'x' FROM generate_series(1, 2000) g;

-- an exact duplicate, a prefix-redundant index, a unique index that only
-- looks redundant, an index whose quoted name needs care
CREATE INDEX "idx a" ON "Child Table" (a);
CREATE INDEX "idx a again" ON "Child Table" (a);
CREATE INDEX "idx a,b" ON "Child Table" (a, b);
CREATE UNIQUE INDEX "uniq id a" ON "Child Table" (id, a);
CREATE INDEX "Idx;DROP TABLE x" ON "Child Table" (c);
-- same columns, different predicate or method: not duplicates
CREATE INDEX idx_a_partial ON "Child Table" (a) WHERE b > 5;
CREATE INDEX idx_a_hash ON "Child Table" USING hash (a);
-- a duplicate of the UNIQUE constraint's index: the constraint keeps its
-- index, the copy goes
CREATE INDEX parent_code_copy ON "Parent" (code);
ANALYZE "Parent", "Child Table";

SELECT object, severity, kind, covered_by, action
  FROM architect.duplicate_indexes WHERE schema_name = 'Health Idx' ORDER BY object;

-- a scan of "idx a,b" makes it used; the others stay unused
SET enable_seqscan = off;
SELECT count(*) FROM "Child Table" WHERE a = 3 AND b = 4;
RESET enable_seqscan;
SELECT pg_stat_force_next_flush();
SELECT index_name, status, index_scans > 0 AS scanned, is_unique, constraint_name
  FROM architect.index_usage WHERE schema_name = 'Health Idx' ORDER BY index_name;

-- unused: never scanned, enforcing nothing.  The statistics are younger
-- than pg_architect.unused_index_min_age, so these are only info...
SELECT object, severity, action FROM architect.unused_indexes
 WHERE schema_name = 'Health Idx' ORDER BY object;
-- ...and warnings once the evidence is old enough
SET pg_architect.unused_index_min_age = 0;
SELECT object, severity, threshold FROM architect.unused_indexes
 WHERE schema_name = 'Health Idx' ORDER BY object;
RESET pg_architect.unused_index_min_age;
SELECT count(*) AS unused_with_evidence_age FROM architect.unused_indexes
 WHERE schema_name = 'Health Idx' AND evidence_since <= now() AND detail LIKE 'never scanned in the % the statistics cover%';

-- an invalid index, left behind by a failed CREATE INDEX CONCURRENTLY
CREATE TABLE dup_keys (k int);
INSERT INTO dup_keys VALUES (1), (1);
CREATE UNIQUE INDEX CONCURRENTLY dup_keys_k ON dup_keys (k);
SELECT object, severity, value, action FROM architect.invalid_indexes WHERE schema_name = 'Health Idx';

-- the drop candidates: one row per index, the strongest reason first, each
-- with its DROP INDEX CONCURRENTLY statement, identifiers quoted
SELECT index_name, reason, reasons, ddl, covered_by
  FROM architect.index_drop_candidates WHERE schema_name = 'Health Idx' ORDER BY index_name;
-- the statements run as given (outside a transaction block)
SELECT ddl FROM architect.index_drop_candidates
 WHERE schema_name = 'Health Idx' AND reason <> 'unused' ORDER BY index_name \gexec
-- fixed: no duplicate, no invalid index is left
SELECT count(*) AS duplicates_left FROM architect.duplicate_indexes WHERE schema_name = 'Health Idx';
SELECT count(*) AS invalid_left FROM architect.invalid_indexes WHERE schema_name = 'Health Idx';
SELECT index_name, reason FROM architect.index_drop_candidates WHERE schema_name = 'Health Idx' ORDER BY index_name;

-- foreign keys without an index: the referencing table is large enough for
-- a warning, and the action creates the index
SELECT object, severity, constraint_name, columns, referenced_table, action
  FROM architect.missing_fk_indexes WHERE schema_name = 'Health Idx';
SET pg_architect.fk_index_min_rows = 1000000;
SELECT object, severity FROM architect.missing_fk_indexes WHERE schema_name = 'Health Idx';
RESET pg_architect.fk_index_min_rows;
-- an index that leads with the key, in any column order, covers it; a
-- partial one does not
CREATE TABLE fk_multi (x int, y int, z int, FOREIGN KEY (x, y) REFERENCES "Child Table"(id, a));
CREATE INDEX fk_multi_partial ON fk_multi (x, y) WHERE z > 0;
SELECT object FROM architect.missing_fk_indexes WHERE schema_name = 'Health Idx' ORDER BY object;
CREATE INDEX fk_multi_yx ON fk_multi (y, x, z);
SELECT action FROM architect.missing_fk_indexes WHERE schema_name = 'Health Idx' ORDER BY object \gexec
SELECT count(*) AS unindexed_fks_left FROM architect.missing_fk_indexes WHERE schema_name = 'Health Idx';

-- partitioned tables: the foreign key is reported once, on the parent, and
-- the index is created on the parent (no CONCURRENTLY there)
CREATE TABLE events (id int, parent_id int REFERENCES "Parent"(id), at date) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
SELECT object, action FROM architect.missing_fk_indexes WHERE schema_name = 'Health Idx';
SELECT action FROM architect.missing_fk_indexes WHERE schema_name = 'Health Idx' \gexec
SELECT count(*) AS unindexed_fks_left FROM architect.missing_fk_indexes WHERE schema_name = 'Health Idx';
-- partition indexes attached to a parent index are never drop candidates
SELECT count(*) AS partition_index_candidates FROM architect.index_drop_candidates
 WHERE schema_name = 'Health Idx' AND table_name LIKE 'events_%';

-- temporary tables, system catalogs and pg_architect's own tables are left out
CREATE TEMP TABLE tmp_dups (a int);
CREATE INDEX tmp_dups_1 ON tmp_dups (a);
CREATE INDEX tmp_dups_2 ON tmp_dups (a);
SELECT count(*) AS temp_or_system FROM architect.index_usage
 WHERE schema_name LIKE 'pg\_%' OR schema_name IN ('information_schema', 'architect');
SELECT count(*) AS temp_duplicates FROM architect.duplicate_indexes WHERE table_name = 'tmp_dups';

-- the views take no lock on the tables and indexes they report on
BEGIN;
SELECT count(*) >= 0 AS ok FROM architect.index_drop_candidates;
SELECT count(*) >= 0 AS ok FROM architect.missing_fk_indexes;
SELECT count(*) >= 0 AS ok FROM architect.index_usage;
SELECT count(*) AS locks_on_user_relations
  FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE l.pid = pg_backend_pid() AND n.nspname = 'Health Idx';
COMMIT;

RESET search_path;
DROP SCHEMA "Health Idx" CASCADE;
