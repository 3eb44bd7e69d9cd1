-- Health, part 3: indexes.  Usage, unused, duplicate and prefix-redundant,
-- invalid, the drop candidates that follow from those, and foreign keys
-- without an index.  Sizes are pg_class.relpages (as of the last VACUUM,
-- ANALYZE or build) times the block size, so no index is locked.

CREATE VIEW architect.index_usage WITH (security_invoker = true) AS
WITH s AS (SELECT h.*, architect.stats_since() AS since FROM architect.health_settings() h),
ns AS MATERIALIZED (
    SELECT n.oid, n.nspname FROM pg_catalog.pg_namespace n WHERE architect.is_user_schema(n.nspname)
),
idx AS MATERIALIZED (
    SELECT x.indexrelid, x.indrelid, ns.nspname, t.relname AS table_name, ic.relname AS index_name,
           x.indisunique, x.indisprimary, x.indisexclusion, x.indisvalid, x.indisready,
           x.indisreplident, ic.relkind,
           ic.relpages::bigint * pg_catalog.current_setting('block_size')::bigint AS size_bytes,
           con.conname AS constraint_name
      FROM pg_catalog.pg_index x
      JOIN pg_catalog.pg_class ic ON ic.oid = x.indexrelid
      JOIN pg_catalog.pg_class t ON t.oid = x.indrelid
      JOIN ns ON ns.oid = t.relnamespace
      LEFT JOIN pg_catalog.pg_constraint con ON con.conindid = x.indexrelid AND con.conrelid = x.indrelid
                                             AND con.contype IN ('p', 'u', 'x')
     WHERE t.relpersistence <> 't'
       AND x.indrelid NOT IN (SELECT architect.extension_members('pg_catalog.pg_class'))
)
SELECT 'index_usage'::text AS check,
       pg_catalog.format('%I.%I', idx.nspname, idx.index_name) AS object,
       'info'::text AS severity,
       pg_catalog.pg_stat_get_numscans(idx.indexrelid) || ' scans' AS value,
       'low usage below ' || s.index_low_usage_scans::bigint || ' scans' AS threshold,
       CASE WHEN pg_catalog.pg_stat_get_numscans(idx.indexrelid) = 0
            THEN 'Unused: no scan since ' || pg_catalog.to_char(s.since, 'YYYY-MM-DD HH24:MI')
            WHEN pg_catalog.pg_stat_get_numscans(idx.indexrelid) < s.index_low_usage_scans THEN 'Low usage'
            ELSE 'Active' END AS detail,
       NULL::text AS action,
       s.since AS evidence_since,
       idx.nspname AS schema_name,
       idx.table_name,
       idx.index_name,
       pg_catalog.pg_stat_get_numscans(idx.indexrelid) AS index_scans,
       pg_catalog.pg_stat_get_tuples_returned(idx.indexrelid) AS tuples_read,
       pg_catalog.pg_stat_get_tuples_fetched(idx.indexrelid) AS tuples_fetched,
       idx.size_bytes,
       CASE WHEN pg_catalog.pg_stat_get_numscans(idx.indexrelid) = 0 THEN 'Unused'
            WHEN pg_catalog.pg_stat_get_numscans(idx.indexrelid) < s.index_low_usage_scans THEN 'Low usage'
            ELSE 'Active' END AS status,
       idx.indisunique AS is_unique,
       idx.indisprimary AS is_primary,
       idx.constraint_name,
       idx.indisvalid AS is_valid,
       idx.indexrelid::regclass AS index_oid
  FROM idx CROSS JOIN s
 ORDER BY pg_catalog.pg_stat_get_numscans(idx.indexrelid), idx.size_bytes DESC;
COMMENT ON VIEW architect.index_usage IS 'every user index: scans, tuples, size (pg_class.relpages), and status Unused / Low usage / Active';

-- Indexes never scanned since the statistics were collected, that back no
-- constraint, enforce no uniqueness and are not the replica identity.  A
-- warning once the statistics cover pg_architect.unused_index_min_age.
CREATE VIEW architect.unused_indexes_unordered WITH (security_invoker = true) AS
WITH s AS MATERIALIZED (
    SELECT h.*, x.since,
           pg_catalog.now() - x.since >= h.unused_index_min_age * interval '1 ms' AS old_enough,
           'no scan in ' || architect.age_text(h.unused_index_min_age * interval '1 ms') AS threshold,
           pg_catalog.format('never scanned in the %s the statistics cover (since %s)',
                  architect.age_text(pg_catalog.now() - x.since), pg_catalog.to_char(x.since, 'YYYY-MM-DD HH24:MI')) AS evidence
      FROM architect.health_settings() h CROSS JOIN (SELECT architect.stats_since() AS since) x
),
ns AS MATERIALIZED (
    SELECT n.oid, n.nspname FROM pg_catalog.pg_namespace n WHERE architect.is_user_schema(n.nspname)
),
u AS MATERIALIZED (
    -- indexes that enforce nothing: not unique, not an exclusion constraint,
    -- not the replica identity, not a partition of a partitioned index
    -- (from architect.index_facts(), read once per findings call)
    SELECT x.indexrelid, ns.nspname AS schema_name, x.table_name, x.index_name, x.size_bytes
      FROM architect.index_facts() x
      JOIN ns ON ns.oid = x.relnamespace
     WHERE x.indisvalid AND NOT x.indisunique AND NOT x.indisprimary AND NOT x.indisexclusion
       AND NOT x.indisreplident
       AND x.index_relkind = 'i'
       AND x.table_persistence <> 't'
       AND x.indrelid NOT IN (SELECT architect.extension_members('pg_catalog.pg_class'))
       AND NOT x.is_partition
)
SELECT 'unused_index'::text AS check,
       pg_catalog.format('%I.%I', u.schema_name, u.index_name) AS object,
       CASE WHEN s.old_enough THEN 'warning' ELSE 'info' END AS severity,
       '0 scans' AS value,
       s.threshold,
       pg_catalog.format('%s; it slows every write to %I.%I and takes %s',
              s.evidence, u.schema_name, u.table_name, pg_catalog.pg_size_pretty(u.size_bytes))
         || CASE WHEN NOT s.old_enough THEN '; the statistics are too recent to be sure' ELSE '' END AS detail,
       pg_catalog.format('DROP INDEX CONCURRENTLY %I.%I;', u.schema_name, u.index_name) AS action,
       s.since AS evidence_since,
       u.schema_name, u.table_name, u.index_name, u.size_bytes, u.indexrelid::regclass AS index_oid
  FROM u CROSS JOIN s
 WHERE pg_catalog.pg_stat_get_numscans(u.indexrelid) = 0
;
COMMENT ON VIEW architect.unused_indexes_unordered IS 'the rows of architect.unused_indexes, in no particular order (what architect.findings and architect.index_drop_candidates read, to skip a sort)';

CREATE VIEW architect.unused_indexes WITH (security_invoker = true) AS
    SELECT * FROM architect.unused_indexes_unordered
     ORDER BY size_bytes DESC, schema_name, index_name;
COMMENT ON VIEW architect.unused_indexes IS 'indexes never scanned since the statistics were collected, that enforce nothing: candidates to drop';

-- Pairs of indexes on the same table where one makes the other useless:
-- "exact" (same method, columns, operator classes, collations, options,
-- expressions and predicate) or "prefix" (btree, no INCLUDE, not unique,
-- its key columns a leading prefix of the other's, same predicate).
CREATE VIEW architect.duplicate_indexes_unordered WITH (security_invoker = true) AS
WITH ns AS MATERIALIZED (
    SELECT n.oid, n.nspname FROM pg_catalog.pg_namespace n WHERE architect.is_user_schema(n.nspname)
),
i AS MATERIALIZED (
    -- every valid index, from architect.index_facts() (read once per
    -- findings call).  Neither joined to the schemas nor narrowed to the
    -- indexes sharing a first key column with another here: the
    -- estimates of such joins over a function's rows come out at one row
    -- and plan the pairing below as a nested loop over 20,000 x 20,000
    -- indexes; the schema is looked up for the result rows instead
    SELECT x.indexrelid, x.indrelid, x.indnkeyatts, x.indnatts, x.relam,
           x.indisunique, x.indisprimary, x.indisexclusion, x.indisreplident, x.indisvalid,
           x.index_relkind AS relkind, x.keys, x.classes, x.colls, x.opts,
           -- the expressions and predicate as text, for the few indexes that have them
           CASE WHEN x.has_exprs THEN (SELECT pg_catalog.pg_get_expr(p.indexprs, p.indrelid)
                                         FROM pg_catalog.pg_index p WHERE p.indexrelid = x.indexrelid) END AS exprs,
           CASE WHEN x.has_pred THEN (SELECT pg_catalog.pg_get_expr(p.indpred, p.indrelid)
                                        FROM pg_catalog.pg_index p WHERE p.indexrelid = x.indexrelid) END AS pred,
           x.backs_constraint, x.is_partition, x.relnamespace,
           x.index_name, x.table_name, x.size_bytes
      FROM architect.index_facts() x
     WHERE x.table_persistence <> 't'
       AND x.indisvalid
       AND x.indrelid NOT IN (SELECT architect.extension_members('pg_catalog.pg_class'))
),
pairs AS (
    SELECT r.*, k.indexrelid AS k_oid, k.index_name AS k_name,
           CASE WHEN r.keys = k.keys AND r.classes = k.classes AND r.colls = k.colls
                     AND r.opts = k.opts AND r.relam = k.relam AND r.indnkeyatts = k.indnkeyatts
                     AND r.exprs IS NOT DISTINCT FROM k.exprs
                THEN 'exact' ELSE 'prefix' END AS kind
      FROM i r
      -- both kinds share the first key column (0 for an expression): a
      -- hash join on the table and that column pairs few indexes
      JOIN i k ON k.indrelid = r.indrelid AND k.keys[1] = r.keys[1] AND k.indexrelid <> r.indexrelid
     WHERE r.pred IS NOT DISTINCT FROM k.pred
       -- the redundant index must be droppable without losing a constraint
       -- or a uniqueness guarantee the other index does not give
       AND NOT r.backs_constraint AND NOT r.indisprimary AND NOT r.indisexclusion
       AND NOT r.indisreplident AND r.relkind = 'i'
       AND NOT r.is_partition
       AND (
            -- exact duplicates: keep the one that backs a constraint or
            -- enforces uniqueness, otherwise the older one
            (r.keys = k.keys AND r.classes = k.classes AND r.colls = k.colls
             AND r.opts = k.opts AND r.relam = k.relam AND r.indnkeyatts = k.indnkeyatts
             AND r.exprs IS NOT DISTINCT FROM k.exprs
             AND (NOT r.indisunique OR k.indisunique)
             AND (k.backs_constraint OR (k.indisunique AND NOT r.indisunique)
                  OR k.indexrelid < r.indexrelid))
         OR
            -- prefix: btree, plain columns, no INCLUDE, not unique
            (r.relam = 403 AND k.relam = 403 AND NOT r.indisunique
             AND r.exprs IS NULL AND k.exprs IS NULL
             AND r.indnatts = r.indnkeyatts
             AND r.indnkeyatts < k.indnkeyatts
             AND r.keys = k.keys[1:r.indnkeyatts]
             AND r.classes = k.classes[1:r.indnkeyatts]
             AND r.colls = k.colls[1:r.indnkeyatts]
             AND r.opts = k.opts[1:r.indnkeyatts])
       )
),
best AS (
    SELECT b.*, ns.nspname
      FROM (SELECT DISTINCT ON (p.indexrelid) p.*
              FROM pairs p
             ORDER BY p.indexrelid, p.kind = 'exact' DESC, p.k_oid) b
      -- an index lives in its table's schema
      JOIN ns ON ns.oid = b.relnamespace
)
SELECT 'duplicate_index'::text AS check,
       pg_catalog.format('%I.%I', b.nspname, b.index_name) AS object,
       'warning'::text AS severity,
       pg_catalog.pg_size_pretty(b.size_bytes) AS value,
       NULL::text AS threshold,
       CASE b.kind
            WHEN 'exact' THEN pg_catalog.format('same definition as %I.%I', b.nspname, b.k_name)
            ELSE pg_catalog.format('its columns are a leading prefix of %I.%I, which serves the same lookups', b.nspname, b.k_name)
       END || pg_catalog.format('; it slows every write to %I.%I for nothing', b.nspname, b.table_name) AS detail,
       pg_catalog.format('DROP INDEX CONCURRENTLY %I.%I;', b.nspname, b.index_name) AS action,
       NULL::timestamptz AS evidence_since,
       b.nspname AS schema_name,
       b.table_name,
       b.index_name,
       b.kind,
       pg_catalog.pg_get_indexdef(b.indexrelid) AS index_definition,
       b.k_name AS covered_by,
       b.size_bytes,
       pg_catalog.pg_stat_get_numscans(b.indexrelid) AS index_scans,
       b.indexrelid::regclass AS index_oid
  FROM best b
;
COMMENT ON VIEW architect.duplicate_indexes_unordered IS 'the rows of architect.duplicate_indexes, in no particular order (what architect.findings and architect.index_drop_candidates read, to skip a sort)';

CREATE VIEW architect.duplicate_indexes WITH (security_invoker = true) AS
    SELECT * FROM architect.duplicate_indexes_unordered
     ORDER BY size_bytes DESC, schema_name, index_name;
COMMENT ON VIEW architect.duplicate_indexes IS 'indexes made useless by another index on the same table: exact duplicates, or btree indexes whose columns lead another';

CREATE VIEW architect.invalid_indexes WITH (security_invoker = true) AS
SELECT 'invalid_index'::text AS check,
       pg_catalog.format('%I.%I', n.nspname, ic.relname) AS object,
       CASE WHEN p.pid IS NOT NULL THEN 'info' ELSE 'warning' END AS severity,
       CASE WHEN x.indisready THEN 'invalid, maintained on writes' ELSE 'invalid, not ready' END AS value,
       NULL::text AS threshold,
       CASE WHEN p.pid IS NOT NULL
            THEN pg_catalog.format('being built by process %s (%s)', p.pid, p.phase)
            WHEN ic.relkind = 'I'
            THEN 'a partitioned index is invalid until every partition has a matching index attached'
            ELSE 'left behind by a failed CREATE INDEX CONCURRENTLY or REINDEX CONCURRENTLY: '
                 || 'the planner never uses it'
                 || CASE WHEN x.indisready THEN ', yet every write still maintains it' ELSE '' END
       END AS detail,
       CASE WHEN p.pid IS NOT NULL THEN NULL
            WHEN ic.relkind = 'I'
            THEN pg_catalog.format('ALTER INDEX %I.%I ATTACH PARTITION <index of each partition>;', n.nspname, ic.relname)
            ELSE pg_catalog.format('DROP INDEX CONCURRENTLY %I.%I; -- then create it again, or: REINDEX INDEX CONCURRENTLY %I.%I;',
                        n.nspname, ic.relname, n.nspname, ic.relname)
       END AS action,
       NULL::timestamptz AS evidence_since,
       n.nspname AS schema_name,
       t.relname AS table_name,
       ic.relname AS index_name,
       pg_catalog.pg_get_indexdef(x.indexrelid) AS index_definition,
       p.pid AS building_pid,
       ic.relpages::bigint * pg_catalog.current_setting('block_size')::bigint AS size_bytes,
       x.indexrelid::regclass AS index_oid
  FROM pg_catalog.pg_index x
  JOIN pg_catalog.pg_class ic ON ic.oid = x.indexrelid
  JOIN pg_catalog.pg_class t ON t.oid = x.indrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
  LEFT JOIN pg_catalog.pg_stat_progress_create_index p
         ON p.relid = x.indrelid AND (p.index_relid = x.indexrelid OR p.index_relid = 0)
 WHERE NOT x.indisvalid
   AND t.relpersistence <> 't'
 ORDER BY n.nspname, ic.relname;
COMMENT ON VIEW architect.invalid_indexes IS 'indexes marked invalid (a failed concurrent build, or a partitioned index missing partitions), and those being built right now';

-- Foreign keys whose referencing columns lead no valid, non-partial index:
-- every DELETE or key UPDATE on the referenced table then scans the whole
-- referencing table, and joins along the key cannot use an index.  Largest
-- referencing tables first.
CREATE VIEW architect.missing_fk_indexes_unordered WITH (security_invoker = true) AS
WITH ns AS MATERIALIZED (
    SELECT n.oid, n.nspname FROM pg_catalog.pg_namespace n WHERE architect.is_user_schema(n.nspname)
),
fk AS (
    SELECT c.oid AS conoid, c.conname, c.conrelid, c.confrelid, c.conkey,
           n.nspname, t.relname, t.relkind,
           CASE WHEN t.reltuples >= 0 THEN t.reltuples
                ELSE pg_catalog.pg_stat_get_live_tuples(t.oid) END::bigint AS table_rows,
           t.relpages::bigint * pg_catalog.current_setting('block_size')::bigint AS table_bytes,
           pg_catalog.format('%I.%I', rn.nspname, r.relname) AS referenced,
           kc.cols, kc.col_names
      FROM pg_catalog.pg_constraint c
      JOIN pg_catalog.pg_class t ON t.oid = c.conrelid
      JOIN ns n ON n.oid = t.relnamespace
      JOIN pg_catalog.pg_class r ON r.oid = c.confrelid
      JOIN pg_catalog.pg_namespace rn ON rn.oid = r.relnamespace
      LEFT JOIN architect.user_columns() uc
             ON uc.attrelid = c.conrelid AND uc.attnum = c.conkey[1] AND pg_catalog.cardinality(c.conkey) = 1
      CROSS JOIN LATERAL (
            -- the key's column names, in its order.  A single-column key
            -- (the usual case) is one index probe for one row, without the
            -- sort an ordered aggregate starts for every key.
            -- The name comes from architect.user_columns() (read once per
            -- findings call, and by security_advice and schema_advice too)
            -- when it has the column; it leaves out partitions, whose keys
            -- are looked up in pg_attribute.
            SELECT CASE WHEN pg_catalog.cardinality(c.conkey) = 1
                        THEN ARRAY[coalesce(uc.attname::text,
                                            (SELECT a.attname::text FROM pg_catalog.pg_attribute a
                                              WHERE a.attrelid = c.conrelid AND a.attnum = c.conkey[1]))]
                        ELSE (SELECT pg_catalog.array_agg(a.attname::text ORDER BY pg_catalog.array_position(c.conkey, a.attnum))
                                FROM pg_catalog.pg_attribute a
                               WHERE a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)) END AS col_names
            OFFSET 0) kn
      CROSS JOIN LATERAL (
            SELECT CASE WHEN pg_catalog.cardinality(kn.col_names) = 1
                        THEN pg_catalog.quote_ident(kn.col_names[1])
                        ELSE (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(u.n), ', ' ORDER BY u.o)
                                FROM pg_catalog.unnest(kn.col_names) WITH ORDINALITY u(n, o)) END AS cols,
                   kn.col_names
            OFFSET 0) kc
     WHERE c.contype = 'f'
       AND c.conparentid = 0
       AND t.relpersistence <> 't'
       AND c.conrelid NOT IN (SELECT architect.extension_members('pg_catalog.pg_class'))
       AND NOT EXISTS (
            -- a hash anti-join on the table against the valid, non-partial
            -- btree and hash indexes of architect.index_facts()
            SELECT 1
              FROM architect.index_facts() x
             WHERE x.indrelid = c.conrelid
               AND x.indisvalid AND NOT x.has_pred
               AND x.indnkeyatts >= pg_catalog.cardinality(c.conkey)
               AND (x.relam = 403 OR (x.relam = 405 AND pg_catalog.cardinality(c.conkey) = 1))
               AND x.keys[1:pg_catalog.cardinality(c.conkey)] @> c.conkey
               AND x.keys[1:pg_catalog.cardinality(c.conkey)] <@ c.conkey)
)
SELECT 'missing_fk_index'::text AS check,
       pg_catalog.format('%I.%I(%s)', fk.nspname, fk.relname, fk.cols) AS object,
       CASE WHEN fk.table_rows >= s.fk_index_min_rows THEN 'warning' ELSE 'info' END AS severity,
       fk.table_rows || ' rows' AS value,
       'warning from ' || s.fk_index_min_rows::bigint || ' rows' AS threshold,
       pg_catalog.format('foreign key %I references %s; no index leads with (%s), so each DELETE or key UPDATE on %s scans %I.%I',
              fk.conname, fk.referenced, fk.cols, fk.referenced, fk.nspname, fk.relname) AS detail,
       CASE WHEN fk.relkind = 'p'
            THEN pg_catalog.format('CREATE INDEX ON %I.%I (%s);', fk.nspname, fk.relname, fk.cols)
            ELSE pg_catalog.format('CREATE INDEX CONCURRENTLY ON %I.%I (%s);', fk.nspname, fk.relname, fk.cols)
       END AS action,
       NULL::timestamptz AS evidence_since,
       fk.nspname AS schema_name,
       fk.relname AS table_name,
       fk.conname AS constraint_name,
       fk.col_names AS columns,
       fk.referenced AS referenced_table,
       fk.table_rows,
       fk.table_bytes AS table_size_bytes
  FROM fk CROSS JOIN architect.health_settings() s
;
COMMENT ON VIEW architect.missing_fk_indexes_unordered IS 'the rows of architect.missing_fk_indexes, in no particular order (what architect.schema_advice reads, to skip a sort)';

CREATE VIEW architect.missing_fk_indexes WITH (security_invoker = true) AS
    SELECT * FROM architect.missing_fk_indexes_unordered
     ORDER BY table_size_bytes DESC, table_rows DESC, schema_name, table_name, constraint_name;
COMMENT ON VIEW architect.missing_fk_indexes IS 'foreign keys whose columns lead no index, largest referencing tables first, with the CREATE INDEX statement';

-- What to drop, one row per index, the strongest reason first: invalid,
-- exact duplicate, prefix-redundant, unused.  Every row carries the
-- DROP INDEX CONCURRENTLY statement (identifiers quoted) and why.
CREATE VIEW architect.index_drop_candidates WITH (security_invoker = true) AS
WITH c AS (
    SELECT v.index_oid, v.schema_name, v.table_name, v.index_name,
           'invalid'::text AS reason, 1 AS priority, v.severity, v.detail AS why, v.size_bytes,
           NULL::text AS covered_by, NULL::timestamptz AS evidence_since
      FROM architect.invalid_indexes v
     WHERE v.building_pid IS NULL
       AND (SELECT relkind FROM pg_catalog.pg_class WHERE oid = v.index_oid) = 'i'
    UNION ALL
    SELECT d.index_oid, d.schema_name, d.table_name, d.index_name,
           CASE d.kind WHEN 'exact' THEN 'duplicate' ELSE 'prefix_redundant' END,
           CASE d.kind WHEN 'exact' THEN 2 ELSE 3 END, d.severity, d.detail, d.size_bytes,
           d.covered_by, NULL
      FROM architect.duplicate_indexes_unordered d
    UNION ALL
    SELECT u.index_oid, u.schema_name, u.table_name, u.index_name,
           'unused', 4, u.severity, u.detail, u.size_bytes, NULL, u.evidence_since
      FROM architect.unused_indexes_unordered u
),
ranked AS (
    SELECT c.*,
           pg_catalog.array_agg(c.reason) OVER (PARTITION BY c.index_oid ORDER BY c.priority
                                               ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS reasons,
           pg_catalog.row_number() OVER (PARTITION BY c.index_oid ORDER BY c.priority) AS rn
      FROM c
)
SELECT 'index_drop_candidate'::text AS check,
       pg_catalog.format('%I.%I', r.schema_name, r.index_name) AS object,
       r.severity,
       pg_catalog.pg_size_pretty(r.size_bytes) AS value,
       NULL::text AS threshold,
       r.why AS detail,
       pg_catalog.format('DROP INDEX CONCURRENTLY %I.%I;', r.schema_name, r.index_name) AS action,
       r.evidence_since,
       r.schema_name,
       r.table_name,
       r.index_name,
       r.reason,
       r.reasons,
       r.why,
       pg_catalog.format('DROP INDEX CONCURRENTLY %I.%I;', r.schema_name, r.index_name) AS ddl,
       r.size_bytes,
       pg_catalog.pg_stat_get_numscans(r.index_oid) AS index_scans,
       r.covered_by,
       r.index_oid
  FROM ranked r
 WHERE r.rn = 1
 ORDER BY r.priority, r.size_bytes DESC, r.schema_name, r.index_name;
COMMENT ON VIEW architect.index_drop_candidates IS 'indexes to drop (invalid, duplicate, prefix-redundant, unused), each with its DROP INDEX CONCURRENTLY statement and why';

-- The views filter what each role may see themselves (security_invoker).
GRANT SELECT ON architect.index_usage, architect.unused_indexes, architect.duplicate_indexes,
    architect.unused_indexes_unordered, architect.duplicate_indexes_unordered, architect.missing_fk_indexes_unordered, architect.invalid_indexes, architect.missing_fk_indexes, architect.index_drop_candidates TO PUBLIC;
