-- Workload capture (capture.c, store.c, planwalk.c, capture_views.c):
-- the store's state and reset, and the views over what the executor hooks
-- recorded.  The C functions return raw rows (OIDs, numbers); the views add
-- names from the catalogs of the current database.  Texts (queries, example
-- constants, error messages) are hidden by the C functions from roles that
-- may not see them (the pg_stat_statements rule).

CREATE FUNCTION architect.reset()
RETURNS void
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'pga_reset';
COMMENT ON FUNCTION architect.reset() IS 'empties the workload capture store (needs shared_preload_libraries)';
REVOKE ALL ON FUNCTION architect.reset() FROM PUBLIC;

CREATE FUNCTION architect.capture_stats(
    OUT max_entries integer,
    OUT stats_reset timestamptz,
    OUT queries integer,
    OUT predicates integer,
    OUT findings integer,
    OUT errors integer,
    OUT evictions bigint,
    OUT dropped bigint,
    OUT executions bigint,
    OUT measured bigint,
    OUT restored bigint)
RETURNS record
LANGUAGE C STRICT VOLATILE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pga_capture_stats';
COMMENT ON FUNCTION architect.capture_stats() IS 'state of the workload capture store (needs shared_preload_libraries)';

CREATE VIEW architect.capture_stats AS
    SELECT * FROM architect.capture_stats();
COMMENT ON VIEW architect.capture_stats IS 'state of the workload capture store: entries per table, evictions, drops, executions counted and measured';
GRANT SELECT ON architect.capture_stats TO PUBLIC;

CREATE FUNCTION architect.query_patterns(
    OUT dbid oid,
    OUT userid oid,
    OUT queryid bigint,
    OUT calls bigint,
    OUT measured_calls bigint,
    OUT total_exec_ms float8,
    OUT min_exec_ms float8,
    OUT max_exec_ms float8,
    OUT rows bigint,
    OUT shared_blks_hit bigint,
    OUT shared_blks_read bigint,
    OUT temp_blks_written bigint,
    OUT example_query text,
    OUT example_query_truncated boolean,
    OUT example_exec_ms float8,
    OUT first_seen timestamptz,
    OUT last_seen timestamptz)
RETURNS SETOF record
LANGUAGE C STRICT VOLATILE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pga_query_patterns';
COMMENT ON FUNCTION architect.query_patterns() IS 'raw query patterns of the workload store (needs shared_preload_libraries)';

CREATE VIEW architect.query_patterns AS
SELECT q.dbid, d.datname, q.userid, q.queryid, q.calls, q.total_exec_ms,
       q.total_exec_ms / NULLIF(q.calls, 0) AS mean_exec_ms,
       q.rows, q.example_query, q.last_seen,
       q.measured_calls, q.min_exec_ms, q.max_exec_ms,
       q.shared_blks_hit, q.shared_blks_read, q.temp_blks_written,
       q.example_query_truncated, q.example_exec_ms, q.first_seen
  FROM architect.query_patterns() q
  LEFT JOIN pg_database d ON d.oid = q.dbid;
COMMENT ON VIEW architect.query_patterns IS 'executed statements by database, user and query id: calls, time, rows, and the text of the slowest execution';
GRANT SELECT ON architect.query_patterns TO PUBLIC;

CREATE FUNCTION architect.predicates(
    OUT dbid oid,
    OUT queryid bigint,
    OUT relid oid,
    OUT attnum smallint,
    OUT expression text,
    OUT opno oid,
    OUT kind text,
    OUT form text,
    OUT key_position smallint,
    OUT scan_group bigint,
    OUT executions bigint,
    OUT measured_executions bigint,
    OUT rows_scanned bigint,
    OUT rows_removed bigint,
    OUT est_rows float8,
    OUT actual_rows float8,
    OUT est_selectivity float8,
    OUT actual_selectivity float8,
    OUT example_value text,
    OUT example_exec_ms float8,
    OUT first_seen timestamptz,
    OUT last_seen timestamptz)
RETURNS SETOF record
LANGUAGE C STRICT VOLATILE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pga_predicates';
COMMENT ON FUNCTION architect.predicates() IS 'raw predicates of the workload store (needs shared_preload_libraries)';

CREATE VIEW architect.predicates AS
SELECT p.dbid, d.datname, p.queryid, p.relid,
       n.nspname::text AS schema_name,
       c.relname::text AS table_name,
       COALESCE(a.attname::text, p.expression) AS column_name,
       p.attnum,
       CASE p.form
            WHEN 'is_null' THEN 'IS NULL'
            WHEN 'is_not_null' THEN 'IS NOT NULL'
            ELSE o.oprname::text
       END AS operator,
       p.opno,
       (SELECT amop.amopfamily
          FROM pg_amop amop
          JOIN pg_am am ON am.oid = amop.amopmethod
         WHERE amop.amopopr = p.opno AND amop.amoppurpose = 's'
         ORDER BY am.amname = 'btree' DESC,
                  EXISTS (SELECT 1 FROM pg_opclass oc
                           WHERE oc.opcfamily = amop.amopfamily AND oc.opcdefault) DESC,
                  amop.amopfamily
         LIMIT 1) AS opfamily,
       p.kind, p.scan_group, p.executions, p.rows_scanned, p.rows_removed,
       p.est_rows, p.actual_rows, p.est_selectivity, p.actual_selectivity,
       p.example_value, p.last_seen,
       p.form, p.key_position, p.measured_executions, p.example_exec_ms,
       p.first_seen,
       CASE WHEN c.relispartition THEN pg_partition_root(c.oid) END AS partition_root
  FROM architect.predicates() p
  LEFT JOIN pg_database d ON d.oid = p.dbid
  LEFT JOIN pg_class c
         ON c.oid = p.relid
        AND p.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
  LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_attribute a
         ON a.attrelid = c.oid AND a.attnum = p.attnum AND p.attnum > 0
        AND NOT a.attisdropped
  LEFT JOIN pg_operator o ON o.oid = p.opno;
COMMENT ON VIEW architect.predicates IS 'columns and expressions filtered, joined, sorted and grouped by each query id, with rows, selectivities and an example constant';
GRANT SELECT ON architect.predicates TO PUBLIC;

CREATE FUNCTION architect.plan_findings(
    OUT dbid oid,
    OUT queryid bigint,
    OUT relid oid,
    OUT node text,
    OUT finding text,
    OUT severity text,
    OUT detail text,
    OUT hint text,
    OUT occurrences bigint,
    OUT worst_value float8,
    OUT userid oid,
    OUT first_seen timestamptz,
    OUT last_seen timestamptz)
RETURNS SETOF record
LANGUAGE C STRICT VOLATILE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pga_plan_findings';
COMMENT ON FUNCTION architect.plan_findings() IS 'raw plan findings of the workload store (needs shared_preload_libraries)';

CREATE VIEW architect.plan_findings AS
SELECT f.dbid, d.datname, f.queryid,
       f.node || COALESCE(' on ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname), '') AS node,
       f.finding, f.severity, f.detail, f.hint, f.occurrences, f.last_seen,
       f.relid, n.nspname::text AS schema_name, c.relname::text AS table_name,
       f.worst_value, f.first_seen, q.example_query
  FROM architect.plan_findings() f
  LEFT JOIN pg_database d ON d.oid = f.dbid
  LEFT JOIN pg_class c
         ON c.oid = f.relid
        AND f.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
  LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN (SELECT DISTINCT ON (qp.dbid, qp.queryid) qp.dbid, qp.queryid, qp.example_query
               FROM architect.query_patterns() qp
              WHERE qp.example_query IS NOT NULL
              ORDER BY qp.dbid, qp.queryid, qp.calls DESC) q
         ON q.dbid = f.dbid AND q.queryid = f.queryid;
COMMENT ON VIEW architect.plan_findings IS 'plan problems seen in measured executions (and N+1 patterns), by query id and plan node, with severity and a hint';
GRANT SELECT ON architect.plan_findings TO PUBLIC;

CREATE FUNCTION architect.query_errors(
    OUT dbid oid,
    OUT queryid bigint,
    OUT sqlstate text,
    OUT message text,
    OUT count bigint,
    OUT userid oid,
    OUT first_seen timestamptz,
    OUT last_seen timestamptz)
RETURNS SETOF record
LANGUAGE C STRICT VOLATILE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pga_query_errors';
COMMENT ON FUNCTION architect.query_errors() IS 'raw error counts of the workload store (needs shared_preload_libraries)';

CREATE VIEW architect.query_errors AS
SELECT e.dbid, d.datname, e.queryid, e.sqlstate, e.message, e.count,
       e.last_seen, e.first_seen, e.userid
  FROM architect.query_errors() e
  LEFT JOIN pg_database d ON d.oid = e.dbid;
COMMENT ON VIEW architect.query_errors IS 'errors raised by statements, by database, query id and SQLSTATE';
GRANT SELECT ON architect.query_errors TO PUBLIC;

-- "analyze" is a reserved word: the parameter is quoted (name it as
-- "analyze" => true, or pass it by position).
CREATE FUNCTION architect.explain(query text, "analyze" boolean DEFAULT false)
RETURNS TABLE (kind text, node text, item text, severity text, value float8,
               detail text, hint text)
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'pga_explain';
COMMENT ON FUNCTION architect.explain(text, boolean) IS 'plan, findings and predicates of one statement; with analyze it runs in a subtransaction that is rolled back';
