-- architect.index_facts(): the per-index facts unused_indexes,
-- duplicate_indexes and missing_fk_indexes read (once per findings call
-- while pg_architect.findings_scope is on).  Checks that the facts say
-- what the catalogs say, that findings (cached facts) and the same
-- sources read on their own (facts read afresh) give the same rows, and
-- that a findings call never sees the facts of an earlier one: an index
-- created or dropped in the same transaction, or within the same
-- statement, shows in the very next call.
CREATE SCHEMA health_f;
SET search_path = health_f, public;
CREATE TABLE parent (id int PRIMARY KEY, code text UNIQUE);
CREATE TABLE child (
    id int PRIMARY KEY,
    parent_id int REFERENCES parent (id),
    hashed_id int REFERENCES parent (id),
    a int, b int, c text);
CREATE INDEX child_a ON child (a);                          -- prefix of child_ab
CREATE INDEX child_ab ON child (a, b);
CREATE INDEX child_a_again ON child (a);                    -- exact duplicate of child_a
CREATE INDEX child_lower_c ON child (lower(c));
CREATE INDEX child_lower_c2 ON child (lower(c));            -- duplicate expression index
CREATE INDEX child_b_part ON child (b) WHERE b > 0;
CREATE INDEX child_b_part2 ON child (b) WHERE b > 0;        -- duplicate partial index
CREATE INDEX child_b_incl ON child (b DESC) INCLUDE (c);
CREATE INDEX child_hashed ON child USING hash (hashed_id);  -- serves its foreign key
CREATE TABLE parted (id int, k int REFERENCES parent (id)) PARTITION BY RANGE (id);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (10);
CREATE INDEX parted_id ON parted (id);

-- The facts against the catalogs, column by column, for this schema.
SELECT f.index_name, f.table_name, f.table_relkind, f.index_relkind, am.amname,
       f.indisunique AS uniq, f.indisprimary AS pk, f.indnatts, f.indnkeyatts,
       f.keys, f.opts, f.has_exprs AS exprs, f.has_pred AS pred,
       f.backs_constraint AS constr, f.is_partition AS part
  FROM architect.index_facts() f JOIN pg_am am ON am.oid = f.relam
 WHERE f.relnamespace = 'health_f'::regnamespace
 ORDER BY 1;
SELECT count(*) AS facts_differing_from_catalogs FROM (
    SELECT x.indexrelid, x.indrelid, t.relnamespace, t.relname, ic.relname, t.relkind, t.relpersistence,
           ic.relkind, ic.relam, ic.relpages::bigint * current_setting('block_size')::bigint,
           x.indisunique, x.indisprimary, x.indisexclusion, x.indisvalid, x.indisready, x.indisreplident,
           x.indnatts, x.indnkeyatts, x.indkey[0:x.indnatts - 1]::int2[], x.indclass[0:x.indnkeyatts - 1]::oid[],
           x.indcollation[0:x.indnkeyatts - 1]::oid[], x.indoption[0:x.indnkeyatts - 1]::int2[],
           x.indexprs IS NOT NULL, x.indpred IS NOT NULL,
           x.indexrelid IN (SELECT conindid FROM pg_constraint WHERE contype IN ('p', 'u', 'x')),
           x.indexrelid IN (SELECT inhrelid FROM pg_inherits)
      FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
     WHERE t.relnamespace <> 'pg_toast'::regnamespace
    EXCEPT ALL
    SELECT * FROM architect.index_facts()
) d;
SELECT (SELECT count(*) FROM architect.index_facts())
     = (SELECT count(*) FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid
         WHERE t.relnamespace <> 'pg_toast'::regnamespace) AS one_row_per_index;

-- What the views make of them.
SELECT object, kind, covered_by FROM architect.duplicate_indexes WHERE schema_name = 'health_f' ORDER BY 1;
SELECT object FROM architect.unused_indexes WHERE schema_name = 'health_f' ORDER BY 1;
SELECT object FROM architect.missing_fk_indexes WHERE schema_name = 'health_f' ORDER BY 1;

-- The cached path gives the same rows as the uncached one: findings (the
-- facts read once for unused_indexes, duplicate_indexes and
-- schema_advice) against the same sources read through finding_sources
-- with the scope off (each view reads the facts itself), in one snapshot.
BEGIN ISOLATION LEVEL REPEATABLE READ;
SET LOCAL stats_fetch_consistency = snapshot;
CREATE TEMP TABLE cached ON COMMIT DROP AS
SELECT "check", object, severity, value, threshold, detail, action, evidence_since, source
  FROM architect.findings WHERE source IN ('unused_indexes', 'duplicate_indexes', 'schema_advice');
SHOW pg_architect.findings_scope;
CREATE TEMP TABLE uncached ON COMMIT DROP AS
SELECT "check", object, severity, value, threshold, detail, action, evidence_since, source
  FROM architect.finding_sources
 WHERE in_findings AND source IN ('unused_indexes', 'duplicate_indexes', 'schema_advice');
SELECT (SELECT count(*) FROM cached WHERE object LIKE 'health\_f.%') AS health_f_rows,
       (SELECT count(*) FROM (TABLE cached EXCEPT ALL TABLE uncached) a) AS only_cached,
       (SELECT count(*) FROM (TABLE uncached EXCEPT ALL TABLE cached) b) AS only_uncached;
COMMIT;

-- No stale facts: an index dropped and one created in the same
-- transaction show in the next findings call and in report().
BEGIN;
SELECT "check", object FROM architect.findings
 WHERE object LIKE 'health\_f.child%' AND "check" IN ('duplicate_index', 'missing_fk_index') ORDER BY 1, 2;
SELECT split_part(line, ':', 1) AS report_line FROM architect.report(rows_per_check => 1000) AS x(line)
 WHERE line LIKE '  [duplicate\_index] health\_f.child\_a%' OR line LIKE '  [missing\_fk\_index] health\_f.child(%'
 ORDER BY 1;
DROP INDEX child_a_again;
CREATE INDEX child_parent ON child (parent_id);
SELECT "check", object FROM architect.findings
 WHERE object LIKE 'health\_f.child%' AND "check" IN ('duplicate_index', 'missing_fk_index') ORDER BY 1, 2;
SELECT split_part(line, ':', 1) AS report_line FROM architect.report(rows_per_check => 1000) AS x(line)
 WHERE line LIKE '  [duplicate\_index] health\_f.child\_a%' OR line LIKE '  [missing\_fk\_index] health\_f.child(%'
 ORDER BY 1;
ROLLBACK;
-- twice within one statement, with the DDL in between
CREATE TEMP TABLE facts_seen (call int, "check" text, object text);
DO $$
BEGIN
    INSERT INTO facts_seen SELECT 1, f.check, f.object FROM architect.findings f
     WHERE f.object LIKE 'health\_f.child%' AND f.check IN ('duplicate_index', 'missing_fk_index');
    DROP INDEX health_f.child_a_again;
    CREATE INDEX child_parent ON health_f.child (parent_id);
    INSERT INTO facts_seen SELECT 2, f.check, f.object FROM architect.findings f
     WHERE f.object LIKE 'health\_f.child%' AND f.check IN ('duplicate_index', 'missing_fk_index');
    INSERT INTO facts_seen SELECT 3, 'index_facts', f.index_name FROM architect.index_facts() f
     WHERE f.index_name IN ('child_a_again', 'child_parent');
END
$$;
SELECT * FROM facts_seen ORDER BY 1, 2, 3;
DROP TABLE facts_seen;

RESET search_path;
DROP SCHEMA health_f CASCADE;
