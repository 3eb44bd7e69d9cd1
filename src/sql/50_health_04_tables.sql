-- Health, part 4: tables.  Bloat (estimated from statistics; measured by
-- architect.exact_bloat() when pgstattuple is installed), sequential scans,
-- vacuum, transaction ID and multixact wraparound, sequences.

-- Estimated table bloat.  From the column statistics (pg_stats: average
-- width and null share of each column) a tuple's size on the page is
-- MAXALIGN(23-byte header + null bitmap) + MAXALIGN(data) + 4-byte line
-- pointer; pages hold (block size - 24) * fillfactor of them.  Bloat is
-- what relpages holds beyond the pages reltuples needs.  Tables whose every
-- column has statistics the caller may read are estimated; others show
-- NULL.  Tables smaller than pg_architect.bloat_min_size are left out (they
-- are never bloat findings).  Out-of-line (TOAST) data is not counted, as the statistics measure
-- the in-line width.  architect.column_stats() reads pg_statistic by the
-- rules of pg_stats, at a fraction of its cost.
CREATE VIEW architect.table_bloat WITH (security_invoker = true) AS
WITH s AS (SELECT * FROM architect.health_settings()),
bs AS (SELECT pg_catalog.current_setting('block_size')::numeric AS block_size),
big AS MATERIALIZED (
    -- smaller tables are never bloat findings: left out
    SELECT c.oid, n.nspname, c.relname, c.relpages, c.reltuples, c.relnatts, c.reloptions
      FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'm')
       AND architect.is_user_schema(n.nspname)
       AND c.relpersistence <> 't'
       -- the limit in pages, once (the block size is a power of two, so
       -- the division is exact): not a numeric product per relation
       AND c.relpages >= (SELECT pg_catalog.ceil(s.bloat_min_size / pg_catalog.current_setting('block_size')::float8) FROM s)
),
cols AS (
    SELECT cs.relid, count(*) AS stat_cols,
           sum((1 - cs.null_frac) * cs.avg_width)::numeric AS data_width,
           max(cs.null_frac) > 0 AS has_nulls
      FROM architect.column_stats() cs
     WHERE NOT cs.inherited AND cs.attnum > 0
       -- no statistics read at all when no table is large enough
       AND EXISTS (SELECT 1 FROM big)
     GROUP BY cs.relid
),
t AS (
    SELECT c.oid, c.nspname, c.relname, c.relpages::numeric AS relpages, c.reltuples::numeric AS reltuples,
           c.relnatts AS natts,
           CASE WHEN c.reloptions IS NULL THEN 100 ELSE coalesce((SELECT o.option_value::numeric FROM pg_catalog.pg_options_to_table(c.reloptions) o WHERE o.option_name = 'fillfactor'), 100) END AS fillfactor,
           -- every live column has statistics (dropped columns are counted
           -- in relnatts, so only then are the live ones counted)
           cols.stat_cols = c.relnatts
             OR cols.stat_cols = (SELECT count(*) FROM pg_catalog.pg_attribute a
                                   WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS complete,
           cols.data_width, cols.has_nulls
      FROM big c
      LEFT JOIN cols ON cols.relid = c.oid
),
est AS (
    SELECT t.*, bs.block_size,
           CASE WHEN t.complete AND t.reltuples > 0 AND t.relpages > 0 THEN
                -- tuples per page, then the pages they need
                pg_catalog.ceil(t.reltuples / greatest(pg_catalog.floor(
                    ((bs.block_size - 24) * t.fillfactor / 100)
                    / ( (pg_catalog.ceil((23 + CASE WHEN t.has_nulls THEN pg_catalog.ceil(t.natts / 8.0) ELSE 0 END) / 8) * 8)
                      + pg_catalog.ceil(t.data_width / 8) * 8 + 4)), 1))
           END AS expected_pages
      FROM t CROSS JOIN bs
),
b AS (
    SELECT est.*,
           est.relpages * est.block_size AS size_bytes,
           greatest(est.relpages - est.expected_pages, 0) * est.block_size AS bloat_bytes,
           round(100 * greatest(est.relpages - est.expected_pages, 0) / nullif(est.relpages, 0), 1) AS bloat_pct
      FROM est
)
SELECT 'table_bloat'::text AS check,
       pg_catalog.format('%I.%I', b.nspname, b.relname) AS object,
       CASE WHEN b.bloat_pct IS NULL OR b.size_bytes < s.bloat_min_size THEN 'info'
            WHEN b.bloat_pct >= s.bloat_critical_pct THEN 'critical'
            WHEN b.bloat_pct >= s.bloat_warning_pct THEN 'warning'
            ELSE 'info' END AS severity,
       CASE WHEN b.bloat_pct IS NULL THEN 'no estimate'
            ELSE b.bloat_pct || ' % (' || pg_catalog.pg_size_pretty(b.bloat_bytes) || ' of ' || pg_catalog.pg_size_pretty(b.size_bytes) || ')' END AS value,
       s.bloat_warning_pct || ' % for tables of ' || pg_catalog.pg_size_pretty(s.bloat_min_size::bigint) || ' or more' AS threshold,
       CASE WHEN b.bloat_pct IS NULL
            THEN 'not estimated: the table was not analyzed, is empty, or some columns are not readable by this role'
            ELSE 'estimated from column statistics: space held by dead tuples and free space that VACUUM cannot give back to the operating system'
       END AS detail,
       CASE WHEN b.bloat_pct >= s.bloat_warning_pct AND b.size_bytes >= s.bloat_min_size
            THEN pg_catalog.format('SELECT * FROM architect.exact_bloat(%L); -- to measure, then: VACUUM (FULL) %I.%I; or pg_repack, which does not lock out writes',
                        pg_catalog.format('%I.%I', b.nspname, b.relname), b.nspname, b.relname)
       END AS action,
       NULL::timestamptz AS evidence_since,
       b.nspname AS schema_name,
       b.relname AS table_name,
       'estimate'::text AS method,
       b.size_bytes::bigint AS size_bytes,
       b.bloat_bytes::bigint AS bloat_bytes,
       b.bloat_pct::float8 AS bloat_pct,
       b.reltuples::bigint AS rows_estimate
  FROM b CROSS JOIN s
 ORDER BY b.bloat_bytes DESC NULLS LAST, b.nspname, b.relname;
COMMENT ON VIEW architect.table_bloat IS 'estimated table bloat from column statistics (no table is read or locked); architect.exact_bloat() measures it with pgstattuple';

-- Estimated btree index bloat, the same way: an index tuple is an 8-byte
-- header plus its key and INCLUDE columns (widths from pg_stats of the
-- table, or of the index for expressions), MAXALIGNed, plus a 4-byte line
-- pointer; leaf pages hold (block size - 24 - 16) * fillfactor (90) of them.
-- Indexes smaller than pg_architect.bloat_min_size are left out.
CREATE VIEW architect.index_bloat WITH (security_invoker = true) AS
WITH s AS (SELECT * FROM architect.health_settings()),
bs AS (SELECT pg_catalog.current_setting('block_size')::numeric AS block_size),
i AS (
    SELECT x.indexrelid, x.indrelid, n.nspname, t.relname AS table_name, ic.relname AS index_name,
           ic.relpages::numeric AS relpages, ic.reltuples::numeric AS reltuples, x.indnatts,
           CASE WHEN ic.reloptions IS NULL THEN 90 ELSE coalesce((SELECT o.option_value::numeric FROM pg_catalog.pg_options_to_table(ic.reloptions) o WHERE o.option_name = 'fillfactor'), 90) END AS fillfactor,
           x.indkey
      FROM pg_catalog.pg_index x
      JOIN pg_catalog.pg_class ic ON ic.oid = x.indexrelid
      JOIN pg_catalog.pg_class t ON t.oid = x.indrelid
      JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
     WHERE ic.relam = 403 AND ic.relkind = 'i' AND x.indisvalid
       AND architect.is_user_schema(n.nspname)
       AND t.relpersistence <> 't'
       -- smaller indexes are never bloat findings: left out (the limit in
       -- pages as an init plan, so that the scan of pg_class filters on it
       -- with one comparison; the block size is a power of two, so the
       -- division is exact)
       AND ic.relpages >= (SELECT pg_catalog.ceil(s.bloat_min_size / pg_catalog.current_setting('block_size')::float8) FROM s)
),
cs AS (
    SELECT c.relid, c.attnum, c.null_frac, c.avg_width
      FROM architect.column_stats() c
     WHERE NOT c.inherited
       -- no statistics read at all when no index is large enough
       AND EXISTS (SELECT 1 FROM i)
),
w AS (
    -- width of each index column, from the table's statistics for plain
    -- columns and from the index's own statistics for expressions
    SELECT i.indexrelid, count(cs.avg_width) AS stat_cols,
           sum((1 - cs.null_frac) * cs.avg_width)::numeric AS data_width,
           max(cs.null_frac) > 0 AS has_nulls
      FROM i
      CROSS JOIN LATERAL pg_catalog.unnest(pg_catalog.string_to_array(i.indkey::text, ' ')::int2[])
                 WITH ORDINALITY k(attnum, ord)
      LEFT JOIN cs
             ON cs.relid = CASE WHEN k.attnum > 0 THEN i.indrelid ELSE i.indexrelid END
            AND cs.attnum = CASE WHEN k.attnum > 0 THEN k.attnum ELSE k.ord::int2 END
     GROUP BY i.indexrelid
),
est AS (
    SELECT i.*, w.stat_cols, bs.block_size,
           CASE WHEN w.stat_cols = i.indnatts AND i.reltuples > 0 AND i.relpages > 1 THEN
                -- leaf pages, one page in a hundred for the upper levels, the metapage
                pg_catalog.ceil(pg_catalog.ceil(i.reltuples / greatest(pg_catalog.floor(
                    ((bs.block_size - 40) * i.fillfactor / 100)
                    / (pg_catalog.ceil((8 + CASE WHEN w.has_nulls THEN 4 ELSE 0 END + w.data_width) / 8) * 8 + 4)), 1)) * 1.01) + 1
           END AS expected_pages
      FROM i JOIN w ON w.indexrelid = i.indexrelid CROSS JOIN bs
),
b AS (
    SELECT est.*,
           est.relpages * est.block_size AS size_bytes,
           greatest(est.relpages - est.expected_pages, 0) * est.block_size AS bloat_bytes,
           round(100 * greatest(est.relpages - est.expected_pages, 0) / nullif(est.relpages, 0), 1) AS bloat_pct
      FROM est
)
SELECT 'index_bloat'::text AS check,
       pg_catalog.format('%I.%I', b.nspname, b.index_name) AS object,
       CASE WHEN b.bloat_pct IS NULL OR b.size_bytes < s.bloat_min_size THEN 'info'
            WHEN b.bloat_pct >= s.bloat_critical_pct THEN 'critical'
            WHEN b.bloat_pct >= s.bloat_warning_pct THEN 'warning'
            ELSE 'info' END AS severity,
       CASE WHEN b.bloat_pct IS NULL THEN 'no estimate'
            ELSE b.bloat_pct || ' % (' || pg_catalog.pg_size_pretty(b.bloat_bytes) || ' of ' || pg_catalog.pg_size_pretty(b.size_bytes) || ')' END AS value,
       s.bloat_warning_pct || ' % for indexes of ' || pg_catalog.pg_size_pretty(s.bloat_min_size::bigint) || ' or more' AS threshold,
       CASE WHEN b.bloat_pct IS NULL
            THEN 'not estimated: the table was not analyzed, the index is empty, or some columns are not readable by this role'
            ELSE 'estimated from column statistics: leaf pages emptied by deletes and page splits, which only a rebuild compacts'
       END AS detail,
       CASE WHEN b.bloat_pct >= s.bloat_warning_pct AND b.size_bytes >= s.bloat_min_size
            THEN pg_catalog.format('REINDEX INDEX CONCURRENTLY %I.%I;', b.nspname, b.index_name)
       END AS action,
       NULL::timestamptz AS evidence_since,
       b.nspname AS schema_name,
       b.table_name,
       b.index_name,
       'estimate'::text AS method,
       b.size_bytes::bigint AS size_bytes,
       b.bloat_bytes::bigint AS bloat_bytes,
       b.bloat_pct::float8 AS bloat_pct
  FROM b CROSS JOIN s
 ORDER BY b.bloat_bytes DESC NULLS LAST, b.nspname, b.index_name;
COMMENT ON VIEW architect.index_bloat IS 'estimated btree index bloat from column statistics (no index is read or locked); architect.exact_bloat() measures it with pgstatindex';

CREATE FUNCTION architect.exact_bloat(
    rel regclass,
    OUT schema_name text,
    OUT relation_name text,
    OUT kind text,
    OUT method text,
    OUT size_bytes bigint,
    OUT bloat_bytes bigint,
    OUT bloat_pct float8,
    OUT detail text)
RETURNS SETOF record
LANGUAGE C VOLATILE PARALLEL RESTRICTED STRICT
AS 'MODULE_PATHNAME', 'pga_exact_bloat';
COMMENT ON FUNCTION architect.exact_bloat(regclass) IS 'measured bloat of a table and its btree indexes (or of one btree index) with pgstattuple; reads every page';

-- Tables read mostly by sequential scans that each read many rows: the
-- place to look for a missing index.
CREATE VIEW architect.seq_scan_tables WITH (security_invoker = true) AS
WITH s AS (SELECT h.*, architect.stats_since() AS since FROM architect.health_settings() h)
SELECT 'seq_scans'::text AS check,
       pg_catalog.format('%I.%I', t.schemaname, t.relname) AS object,
       CASE WHEN t.seq_scan >= s.seq_scan_min_count
                 AND t.seq_tup_read / greatest(t.seq_scan, 1) >= s.seq_scan_min_rows
                 AND t.seq_scan >= coalesce(t.idx_scan, 0)
            THEN 'warning' ELSE 'info' END AS severity,
       t.seq_scan || ' scans reading ' || (t.seq_tup_read / greatest(t.seq_scan, 1)) || ' rows each' AS value,
       pg_catalog.format('%s scans of %s rows or more', s.seq_scan_min_count, s.seq_scan_min_rows) AS threshold,
       pg_catalog.format('%s%% of the scans of this table read it whole (%s index scans)',
              round(100.0 * t.seq_scan / greatest(t.seq_scan + coalesce(t.idx_scan, 0), 1), 1),
              coalesce(t.idx_scan, 0)) AS detail,
       'SELECT * FROM architect.recommend_indexes(); -- or look for this table in architect.top_queries' AS action,
       s.since AS evidence_since,
       t.schemaname::text AS schema_name,
       t.relname::text AS table_name,
       t.seq_scan AS seq_scans,
       t.seq_tup_read AS seq_rows_read,
       t.seq_tup_read / greatest(t.seq_scan, 1) AS rows_per_seq_scan,
       coalesce(t.idx_scan, 0) AS index_scans,
       t.n_live_tup AS live_rows
  FROM (
    -- what pg_stat_user_tables shows, without its join with pg_index and
    -- GROUP BY over every table: the index scans are summed only for the
    -- tables with a sequential scan (filtered here, below OFFSET 0, so the
    -- other counters are not read for the tables left out)
    SELECT c.oid AS relid, n.nspname AS schemaname, c.relname,
           pg_catalog.pg_stat_get_numscans(c.oid) AS seq_scan,
           pg_catalog.pg_stat_get_tuples_returned(c.oid) AS seq_tup_read,
           (SELECT sum(pg_catalog.pg_stat_get_numscans(x.indexrelid))::bigint
              FROM pg_catalog.pg_index x WHERE x.indrelid = c.oid) AS idx_scan,
           pg_catalog.pg_stat_get_live_tuples(c.oid) AS n_live_tup
      FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'm', 'p')
       AND architect.is_user_schema(n.nspname)
       AND pg_catalog.pg_stat_get_numscans(c.oid) > 0
    OFFSET 0) t
 CROSS JOIN s
 ORDER BY t.seq_tup_read DESC, t.schemaname, t.relname;
COMMENT ON VIEW architect.seq_scan_tables IS 'tables by rows read through sequential scans; a warning for many scans of many rows each';

-- Vacuum and analyze, per table: dead tuples, autovacuum falling behind
-- (more than twice the dead tuples that should have triggered it),
-- autovacuum switched off, tables never analyzed.
CREATE VIEW architect.vacuum_health WITH (security_invoker = true) AS
WITH s AS (SELECT h.*, architect.stats_since() AS since FROM architect.health_settings() h),
g AS (
    SELECT pg_catalog.current_setting('autovacuum')::boolean AS autovacuum,
           pg_catalog.current_setting('autovacuum_vacuum_threshold')::numeric AS vac_base,
           pg_catalog.current_setting('autovacuum_vacuum_scale_factor')::numeric AS vac_scale,
           pg_catalog.current_setting('autovacuum_analyze_threshold')::numeric AS ana_base,
           pg_catalog.current_setting('autovacuum_analyze_scale_factor')::numeric AS ana_scale
),
t AS (
    SELECT st.relid, st.schemaname, st.relname, st.n_live_tup, st.n_dead_tup, st.n_mod_since_analyze,
           st.last_vacuum, st.last_autovacuum, st.last_analyze, st.last_autoanalyze,
           st.autovacuum_count, st.autoanalyze_count,
           greatest(c.reltuples, 0) AS reltuples, c.reltuples < 0 AS never_vacuumed_or_analyzed,
           CASE WHEN c.reloptions IS NULL THEN true ELSE coalesce((SELECT o.option_value::boolean FROM pg_catalog.pg_options_to_table(c.reloptions) o WHERE o.option_name = 'autovacuum_enabled'), true) END AS table_autovacuum,
           CASE WHEN c.reloptions IS NULL THEN g.vac_base ELSE coalesce((SELECT o.option_value::numeric FROM pg_catalog.pg_options_to_table(c.reloptions) o WHERE o.option_name = 'autovacuum_vacuum_threshold'), g.vac_base) END
             + CASE WHEN c.reloptions IS NULL THEN g.vac_scale ELSE coalesce((SELECT o.option_value::numeric FROM pg_catalog.pg_options_to_table(c.reloptions) o WHERE o.option_name = 'autovacuum_vacuum_scale_factor'), g.vac_scale) END
               * greatest(c.reltuples, 0)::numeric AS vacuum_trigger,
           CASE WHEN c.reloptions IS NULL THEN g.ana_base ELSE coalesce((SELECT o.option_value::numeric FROM pg_catalog.pg_options_to_table(c.reloptions) o WHERE o.option_name = 'autovacuum_analyze_threshold'), g.ana_base) END
             + CASE WHEN c.reloptions IS NULL THEN g.ana_scale ELSE coalesce((SELECT o.option_value::numeric FROM pg_catalog.pg_options_to_table(c.reloptions) o WHERE o.option_name = 'autovacuum_analyze_scale_factor'), g.ana_scale) END
               * greatest(c.reltuples, 0)::numeric AS analyze_trigger,
           g.autovacuum
      FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      -- the columns of pg_stat_user_tables used here, without that view's
      -- join with pg_index and GROUP BY over every table
     CROSS JOIN LATERAL (
            SELECT c.oid AS relid, n.nspname AS schemaname, c.relname,
                   pg_catalog.pg_stat_get_live_tuples(c.oid) AS n_live_tup,
                   pg_catalog.pg_stat_get_dead_tuples(c.oid) AS n_dead_tup,
                   pg_catalog.pg_stat_get_mod_since_analyze(c.oid) AS n_mod_since_analyze,
                   pg_catalog.pg_stat_get_last_vacuum_time(c.oid) AS last_vacuum,
                   pg_catalog.pg_stat_get_last_autovacuum_time(c.oid) AS last_autovacuum,
                   pg_catalog.pg_stat_get_last_analyze_time(c.oid) AS last_analyze,
                   pg_catalog.pg_stat_get_last_autoanalyze_time(c.oid) AS last_autoanalyze,
                   pg_catalog.pg_stat_get_autovacuum_count(c.oid) AS autovacuum_count,
                   pg_catalog.pg_stat_get_autoanalyze_count(c.oid) AS autoanalyze_count) st
     CROSS JOIN g
     WHERE c.relkind IN ('r', 'm')
       AND architect.is_user_schema(n.nspname)
),
p AS (
    SELECT t.*,
           round(100.0 * t.n_dead_tup / greatest(t.n_live_tup + t.n_dead_tup, 1), 1) AS dead_pct,
           t.n_dead_tup >= s.dead_tuples_min
             AND 100.0 * t.n_dead_tup / greatest(t.n_live_tup + t.n_dead_tup, 1) >= s.dead_tuples_warning_pct AS many_dead,
           t.autovacuum AND t.table_autovacuum AND t.n_dead_tup >= s.dead_tuples_min
             AND t.n_dead_tup > 2 * t.vacuum_trigger AS behind,
           -- autovacuum switched off for the whole server is one finding of
           -- config_advice, not one per table
           t.autovacuum AND NOT t.table_autovacuum AS autovacuum_off,
           t.last_analyze IS NULL AND t.last_autoanalyze IS NULL
             AND t.n_live_tup + t.n_dead_tup >= s.dead_tuples_min AS never_analyzed,
           t.autovacuum AND t.table_autovacuum
             AND (t.last_analyze IS NOT NULL OR t.last_autoanalyze IS NOT NULL)
             AND t.n_mod_since_analyze >= s.dead_tuples_min
             AND t.n_mod_since_analyze > 2 * t.analyze_trigger AS analyze_behind
      FROM t CROSS JOIN s
)
SELECT 'vacuum'::text AS check,
       pg_catalog.format('%I.%I', p.schemaname, p.relname) AS object,
       CASE WHEN p.many_dead OR p.behind OR p.never_analyzed OR p.analyze_behind
                 OR (p.autovacuum_off AND p.n_live_tup + p.n_dead_tup > 0)
            THEN 'warning' ELSE 'info' END AS severity,
       p.n_dead_tup || ' dead tuples (' || p.dead_pct || ' %)' AS value,
       pg_catalog.format('%s %% dead and %s dead tuples; autovacuum due at %s', s.dead_tuples_warning_pct,
              s.dead_tuples_min, round(p.vacuum_trigger)) AS threshold,
       coalesce(nullif(pg_catalog.concat_ws('; ',
           CASE WHEN p.many_dead THEN p.dead_pct || ' % of the tuples are dead' END,
           CASE WHEN p.behind THEN 'autovacuum is not keeping up: ' || p.n_dead_tup
                || ' dead tuples, more than twice the ' || round(p.vacuum_trigger) || ' that trigger it' END,
           CASE WHEN p.autovacuum_off AND p.n_live_tup + p.n_dead_tup > 0
                THEN 'autovacuum is disabled on this table' END,
           CASE WHEN NOT p.autovacuum THEN 'autovacuum is off for the whole server (see architect.config_advice)' END,
           CASE WHEN p.never_analyzed THEN 'never analyzed: the planner has no statistics for it' END,
           CASE WHEN p.analyze_behind THEN p.n_mod_since_analyze || ' rows changed since the last analyze' END
       ), ''), 'vacuumed ' || coalesce(architect.age_text(pg_catalog.now() - greatest(p.last_vacuum, p.last_autovacuum)) || ' ago', 'never')
              || ', analyzed ' || coalesce(architect.age_text(pg_catalog.now() - greatest(p.last_analyze, p.last_autoanalyze)) || ' ago', 'never')) AS detail,
       nullif(pg_catalog.concat_ws(' ',
           CASE WHEN p.autovacuum_off AND p.n_live_tup + p.n_dead_tup > 0
                THEN pg_catalog.format('ALTER TABLE %I.%I RESET (autovacuum_enabled);', p.schemaname, p.relname) END,
           CASE WHEN p.many_dead OR p.behind OR p.never_analyzed OR p.analyze_behind
                THEN pg_catalog.format('VACUUM (ANALYZE) %I.%I;', p.schemaname, p.relname) END,
           CASE WHEN p.behind
                THEN pg_catalog.format('ALTER TABLE %I.%I SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_cost_limit = 2000);',
                            p.schemaname, p.relname) END
       ), '') AS action,
       s.since AS evidence_since,
       p.schemaname::text AS schema_name,
       p.relname::text AS table_name,
       p.n_live_tup AS live_tuples,
       p.n_dead_tup AS dead_tuples,
       p.dead_pct::float8 AS dead_pct,
       round(p.vacuum_trigger)::bigint AS autovacuum_trigger,
       p.n_mod_since_analyze AS changed_since_analyze,
       greatest(p.last_vacuum, p.last_autovacuum) AS last_vacuum,
       greatest(p.last_analyze, p.last_autoanalyze) AS last_analyze,
       p.autovacuum_count,
       p.autoanalyze_count,
       p.autovacuum AND NOT p.autovacuum_off AS autovacuum_enabled
  FROM p CROSS JOIN s
 ORDER BY architect.severity_rank(CASE WHEN p.many_dead OR p.behind OR p.never_analyzed OR p.analyze_behind
                 OR (p.autovacuum_off AND p.n_live_tup + p.n_dead_tup > 0) THEN 'warning' ELSE 'info' END) DESC,
          p.n_dead_tup DESC, p.schemaname, p.relname;
COMMENT ON VIEW architect.vacuum_health IS 'per table: dead tuples, last (auto)vacuum and analyze, autovacuum falling behind or disabled, tables never analyzed';

-- Transaction ID and multixact ages, in percent of the freeze max age that
-- forces an anti-wraparound vacuum: every database, and the tables of this
-- database that reach the warning threshold (plus the oldest one).
CREATE VIEW architect.wraparound WITH (security_invoker = true) AS
WITH s AS (SELECT * FROM architect.health_settings()),
g AS (
    SELECT pg_catalog.current_setting('autovacuum_freeze_max_age')::bigint AS xid_max,
           pg_catalog.current_setting('autovacuum_multixact_freeze_max_age')::bigint AS mxid_max
),
dbs AS (
    SELECT 'database'::text AS scope, d.datname::text AS database, NULL::text AS schema_name, NULL::text AS table_name,
           k.kind, k.age, k.max_age
      FROM pg_catalog.pg_database d CROSS JOIN g
     CROSS JOIN LATERAL (VALUES ('xid', pg_catalog.age(d.datfrozenxid)::bigint, g.xid_max),
                                ('multixact', pg_catalog.mxid_age(d.datminmxid)::bigint, g.mxid_max)) k(kind, age, max_age)
     WHERE d.datallowconn
),
tabs AS MATERIALIZED (
    -- one row per table with both ages: the kinds are split below, on the
    -- few rows that are kept
    SELECT n.nspname::text AS nspname, c.relname::text AS relname,
           pg_catalog.age(c.relfrozenxid)::bigint AS xid_age,
           least(g.xid_max, CASE WHEN c.reloptions IS NULL THEN g.xid_max ELSE coalesce((SELECT o.option_value::bigint FROM pg_catalog.pg_options_to_table(c.reloptions) o WHERE o.option_name = 'autovacuum_freeze_max_age'), g.xid_max) END) AS xid_max,
           pg_catalog.mxid_age(c.relminmxid)::bigint AS mxid_age,
           least(g.mxid_max, CASE WHEN c.reloptions IS NULL THEN g.mxid_max ELSE coalesce((SELECT o.option_value::bigint FROM pg_catalog.pg_options_to_table(c.reloptions) o WHERE o.option_name = 'autovacuum_multixact_freeze_max_age'), g.mxid_max) END) AS mxid_max
      FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     CROSS JOIN g
     WHERE c.relkind IN ('r', 'm', 't')
       AND c.relpersistence <> 't'
       AND c.relfrozenxid <> '0'::xid
),
a AS (
    SELECT * FROM dbs
    UNION ALL
    -- the tables past the warning threshold...
    SELECT 'table'::text, pg_catalog.current_database()::text, t.nspname, t.relname, 'xid', t.xid_age, t.xid_max
      FROM tabs t CROSS JOIN s
     WHERE 100.0 * t.xid_age / t.xid_max >= s.wraparound_warning_pct
    UNION ALL
    SELECT 'table'::text, pg_catalog.current_database()::text, t.nspname, t.relname, 'multixact', t.mxid_age, t.mxid_max
      FROM tabs t CROSS JOIN s
     WHERE 100.0 * t.mxid_age / t.mxid_max >= s.wraparound_warning_pct
    UNION
    -- ...and the oldest table of each kind, whatever its age
    (SELECT 'table'::text, pg_catalog.current_database()::text, t.nspname, t.relname, 'xid', t.xid_age, t.xid_max
       FROM tabs t ORDER BY t.xid_age DESC, t.nspname, t.relname LIMIT 1)
    UNION
    (SELECT 'table'::text, pg_catalog.current_database()::text, t.nspname, t.relname, 'multixact', t.mxid_age, t.mxid_max
       FROM tabs t ORDER BY t.mxid_age DESC, t.nspname, t.relname LIMIT 1)
)
SELECT CASE a.kind WHEN 'xid' THEN 'xid_wraparound' ELSE 'multixact_wraparound' END AS check,
       CASE a.scope WHEN 'database' THEN pg_catalog.format('database %I', a.database)
            ELSE pg_catalog.format('%I.%I', a.schema_name, a.table_name) END AS object,
       CASE WHEN 100.0 * a.age / a.max_age >= s.wraparound_critical_pct THEN 'critical'
            WHEN 100.0 * a.age / a.max_age >= s.wraparound_warning_pct THEN 'warning'
            ELSE 'info' END AS severity,
       round(100.0 * a.age / a.max_age, 1) || ' % of autovacuum_' || CASE a.kind WHEN 'xid' THEN '' ELSE 'multixact_' END
         || 'freeze_max_age (' || a.age || ' of ' || a.max_age || ')' AS value,
       s.wraparound_warning_pct || ' %' AS threshold,
       pg_catalog.format('%s %s IDs left before wraparound forces the server to stop accepting writes%s',
              2147483647 - a.age, CASE a.kind WHEN 'xid' THEN 'transaction' ELSE 'multixact' END,
              CASE WHEN a.scope = 'database' THEN '; an old open transaction, prepared transaction or replication slot holds back vacuum if this keeps growing' ELSE '' END) AS detail,
       CASE WHEN 100.0 * a.age / a.max_age >= s.wraparound_warning_pct THEN
            CASE a.scope WHEN 'table' THEN pg_catalog.format('VACUUM (FREEZE, VERBOSE) %I.%I;', a.schema_name, a.table_name)
                 ELSE pg_catalog.format('-- in database %I: VACUUM (FREEZE, VERBOSE) the oldest tables listed by architect.wraparound', a.database) END
       END AS action,
       NULL::timestamptz AS evidence_since,
       a.scope,
       a.database,
       a.schema_name,
       a.table_name,
       a.age,
       a.max_age AS freeze_max_age,
       round(100.0 * a.age / a.max_age, 1)::float8 AS pct_of_freeze_max_age,
       2147483647 - a.age AS remaining
  FROM a CROSS JOIN s
 ORDER BY 100.0 * a.age / a.max_age DESC, a.scope, a.database, a.schema_name, a.table_name;
COMMENT ON VIEW architect.wraparound IS 'transaction ID and multixact age of every database and of this database''s oldest tables, in percent of autovacuum_(multixact_)freeze_max_age';

-- Sequences and how much of their range is used, against the narrower of
-- the sequence's own limit and the type of the columns it feeds (an
-- integer column fed by a bigint sequence fails at 2147483647).
CREATE VIEW architect.sequences WITH (security_invoker = true) AS
WITH s AS (SELECT * FROM architect.health_settings()),
seqs AS MATERIALIZED (
    SELECT c.oid, n.nspname, c.relname, q.seqtypid, q.seqincrement, q.seqmax, q.seqmin, q.seqcycle,
           architect.sequence_last_value(c.oid) AS last_value
      FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_catalog.pg_sequence q ON q.seqrelid = c.oid
     WHERE c.relkind = 'S'
       AND architect.is_user_schema(n.nspname)
       AND c.relpersistence <> 't'
),
u AS (
    SELECT q.*, t.attname, t.atttypid, t.tab_schema, t.tab_name,
           CASE WHEN q.seqincrement > 0 THEN least(q.seqmax, coalesce(t.type_max, q.seqmax)) ELSE q.seqmax END::numeric AS hi,
           CASE WHEN q.seqincrement > 0 THEN q.seqmin ELSE greatest(q.seqmin, coalesce(t.type_min, q.seqmin)) END::numeric AS lo,
           (t.type_max IS NOT NULL AND q.seqincrement > 0 AND t.type_max < q.seqmax)
             OR (t.type_min IS NOT NULL AND q.seqincrement < 0 AND t.type_min > q.seqmin) AS column_limits,
           -- whether the sequence can be a warning at all: past the
           -- threshold of the narrowest range a column could give it
           -- (smallint).  A cheap bound from the sequence alone, that
           -- architect.findings and architect.alerts filter on before the
           -- columns are looked up.
           q.last_value IS NOT NULL AND NOT q.seqcycle
             AND CASE WHEN q.seqincrement > 0
                      THEN 100 * (q.last_value::numeric - q.seqmin)
                           >= least(s.sequence_warning_pct, s.sequence_critical_pct)::numeric
                              * greatest(least(q.seqmax, 32767)::numeric - q.seqmin, 0)
                      ELSE 100 * (q.seqmax::numeric - q.last_value)
                           >= least(s.sequence_warning_pct, s.sequence_critical_pct)::numeric
                              * greatest(q.seqmax::numeric - greatest(q.seqmin, -32768), 0) END AS may_warn
      FROM seqs q
     CROSS JOIN s
      -- the column the sequence feeds (owned by it: serial, identity; or
      -- using it in a default) with the narrowest integer type, looked up
      -- per sequence through the catalogs' indexes
      LEFT JOIN LATERAL (
            SELECT a.attname, a.atttypid, tn.nspname AS tab_schema, t.relname AS tab_name,
                   CASE a.atttypid WHEN 'int2'::regtype THEN 32767 WHEN 'int4'::regtype THEN 2147483647
                        ELSE 9223372036854775807 END::numeric AS type_max,
                   CASE a.atttypid WHEN 'int2'::regtype THEN -32768 WHEN 'int4'::regtype THEN -2147483648
                        ELSE -9223372036854775808 END::numeric AS type_min
              FROM (SELECT d.refobjid AS relid, d.refobjsubid::int2 AS attnum
                      FROM pg_catalog.pg_depend d
                     WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = q.oid
                       AND d.refclassid = 'pg_catalog.pg_class'::regclass
                       AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0
                    UNION
                    SELECT ad.adrelid, ad.adnum
                      FROM pg_catalog.pg_depend d
                      JOIN pg_catalog.pg_attrdef ad ON ad.oid = d.objid
                     WHERE d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid = q.oid
                       AND d.classid = 'pg_catalog.pg_attrdef'::regclass) f
              JOIN pg_catalog.pg_attribute a ON a.attrelid = f.relid AND a.attnum = f.attnum AND NOT a.attisdropped
              JOIN pg_catalog.pg_class t ON t.oid = f.relid
              JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace
             WHERE a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype, 'numeric'::regtype)
             ORDER BY CASE a.atttypid WHEN 'int2'::regtype THEN 1 WHEN 'int4'::regtype THEN 2 ELSE 3 END,
                      tn.nspname, t.relname
             LIMIT 1) t ON true
),
p AS (
    SELECT u.*,
           CASE WHEN u.last_value IS NULL THEN 0
                WHEN u.seqincrement > 0 THEN round(100 * (u.last_value - u.lo) / nullif(u.hi - u.lo, 0), 2)
                ELSE round(100 * (u.hi - u.last_value) / nullif(u.hi - u.lo, 0), 2) END AS used_pct,
           CASE WHEN u.last_value IS NULL THEN NULL
                WHEN u.seqincrement > 0 THEN greatest(pg_catalog.floor((u.hi - u.last_value) / u.seqincrement), 0)
                ELSE greatest(pg_catalog.floor((u.last_value - u.lo) / -u.seqincrement), 0) END AS values_left
      FROM u
)
SELECT 'sequence'::text AS check,
       pg_catalog.format('%I.%I', p.nspname, p.relname) AS object,
       CASE WHEN p.seqcycle OR p.last_value IS NULL THEN 'info'
            WHEN p.used_pct >= s.sequence_critical_pct THEN 'critical'
            WHEN p.used_pct >= s.sequence_warning_pct THEN 'warning'
            ELSE 'info' END AS severity,
       CASE WHEN p.last_value IS NULL THEN 'not used yet (or not readable by this role)'
            ELSE p.used_pct || ' % used (' || p.values_left || ' values left)' END AS value,
       s.sequence_warning_pct || ' %' AS threshold,
       CASE WHEN p.column_limits
            THEN pg_catalog.format('feeds %I.%I.%I of type %s: the column runs out at %s, long before the sequence (%s)',
                        p.tab_schema, p.tab_name, p.attname, pg_catalog.format_type(p.atttypid, NULL),
                        p.hi, pg_catalog.format_type(p.seqtypid, NULL))
            WHEN p.seqcycle THEN 'cycles: at its limit it starts again, so new values may collide with old ones'
            ELSE pg_catalog.format('%s sequence, limit %s', pg_catalog.format_type(p.seqtypid, NULL),
                          CASE WHEN p.seqincrement > 0 THEN p.seqmax ELSE p.seqmin END)
                 || CASE WHEN p.attname IS NOT NULL
                         THEN pg_catalog.format(', feeds %I.%I.%I', p.tab_schema, p.tab_name, p.attname) ELSE '' END
       END AS detail,
       CASE WHEN p.seqcycle OR p.used_pct < s.sequence_warning_pct OR p.last_value IS NULL THEN NULL
            WHEN p.column_limits
            THEN pg_catalog.format('ALTER TABLE %I.%I ALTER COLUMN %I TYPE bigint; -- rewrites the table under an exclusive lock',
                        p.tab_schema, p.tab_name, p.attname)
            WHEN p.seqtypid <> 'int8'::regtype
            THEN pg_catalog.format('ALTER SEQUENCE %I.%I AS bigint;', p.nspname, p.relname)
                 || CASE WHEN p.attname IS NOT NULL
                         THEN pg_catalog.format(' ALTER TABLE %I.%I ALTER COLUMN %I TYPE bigint;', p.tab_schema, p.tab_name, p.attname)
                         ELSE '' END
            ELSE pg_catalog.format('ALTER SEQUENCE %I.%I %s; -- or reconsider what consumes values so fast',
                        p.nspname, p.relname, CASE WHEN p.seqincrement > 0 THEN 'MAXVALUE 9223372036854775807'
                                                   ELSE 'MINVALUE -9223372036854775808' END)
       END AS action,
       NULL::timestamptz AS evidence_since,
       p.nspname::text AS schema_name,
       p.relname::text AS sequence_name,
       pg_catalog.format_type(p.seqtypid, NULL) AS sequence_type,
       p.last_value,
       p.seqincrement AS increment_by,
       p.hi::numeric AS effective_max,
       p.used_pct::float8 AS used_pct,
       p.values_left::numeric AS values_left,
       CASE WHEN p.attname IS NOT NULL THEN pg_catalog.format('%I.%I.%I', p.tab_schema, p.tab_name, p.attname) END AS fed_column,
       pg_catalog.format_type(p.atttypid, NULL) AS column_type,
       p.seqcycle AS cycles,
       p.may_warn
  FROM p CROSS JOIN s
 ORDER BY p.used_pct DESC NULLS LAST, p.nspname, p.relname;
COMMENT ON VIEW architect.sequences IS 'sequences and the share of their range used, against the type of the columns they feed (int4 columns fed by bigint sequences)';

-- The views filter what each role may see themselves (security_invoker).
GRANT SELECT ON architect.table_bloat, architect.index_bloat, architect.seq_scan_tables, architect.vacuum_health, architect.wraparound, architect.sequences TO PUBLIC;
