-- concurrency-invariants.sql: what must hold in the store after pgbench and
-- the watcher (run by concurrency.sh in database bench).  Each check
-- counts the rows that break an invariant; a check runs when the view and
-- the columns it reads exist (features land one by one) and says so when
-- it does not.  psql exits non-zero when any invariant is broken.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

CREATE TEMP TABLE pga_inv (check_name text, ran boolean, bad bigint, seen bigint);

CREATE FUNCTION pg_temp.pga_check(check_name text, rel text, cols text[], bad_sql text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    b bigint;
    n bigint;
BEGIN
    IF to_regclass(rel) IS NULL OR EXISTS (
        SELECT 1 FROM unnest(cols) c
         WHERE NOT EXISTS (SELECT 1 FROM pg_attribute
                            WHERE attrelid = to_regclass(rel) AND attname = c
                              AND NOT attisdropped)) THEN
        INSERT INTO pga_inv VALUES (check_name, false, 0, 0);
        RETURN;
    END IF;
    EXECUTE 'SELECT count(*) FROM (' || bad_sql || ') s' INTO b;
    EXECUTE 'SELECT count(*) FROM ' || rel INTO n;
    INSERT INTO pga_inv VALUES (check_name, true, b, n);
END $$;

\o /dev/null
-- The store is the size asked for.
SELECT pg_temp.pga_check('max_entries is 100', 'architect.capture_stats', '{max_entries}',
    $$SELECT 1 FROM architect.capture_stats WHERE max_entries <> 100$$);
-- It never holds more than that, and eviction did run.
SELECT pg_temp.pga_check('store tables within their capacity', 'architect.capture_stats',
    '{max_entries,queries,predicates,findings,errors}',
    $$SELECT 1 FROM architect.capture_stats
       WHERE queries NOT BETWEEN 0 AND max_entries
          OR findings NOT BETWEEN 0 AND max_entries
          OR predicates NOT BETWEEN 0 AND 4 * max_entries
          OR errors NOT BETWEEN 0 AND greatest(100, max_entries / 4)$$);
-- Quiescent (pgbench and the watcher are done): the views show what the
-- counters say the store holds.
SELECT pg_temp.pga_check('views agree with capture_stats', 'architect.capture_stats',
    '{queries,predicates,findings,errors}',
    $$SELECT 1 FROM architect.capture_stats s
       WHERE s.queries <> (SELECT count(*) FROM architect.query_patterns)
          OR s.findings <> (SELECT count(*) FROM architect.plan_findings)
          OR s.predicates < (SELECT count(DISTINCT (dbid, queryid, relid, attnum, column_name, opno, kind, scan_group))
                               FROM architect.predicates)$$);
SELECT pg_temp.pga_check('evictions happened', 'architect.capture_stats', '{evictions}',
    $$SELECT 1 FROM architect.capture_stats WHERE NOT evictions > 0$$);
SELECT pg_temp.pga_check('query_patterns rows <= max_entries', 'architect.query_patterns', '{queryid}',
    $$SELECT 1 WHERE (SELECT count(*) FROM architect.query_patterns)
                   > (SELECT max_entries FROM architect.capture_stats)$$);

-- Counters of each query pattern are sane and agree with each other.
SELECT pg_temp.pga_check('query_patterns counters', 'architect.query_patterns',
    '{calls,total_exec_ms,mean_exec_ms,rows,last_seen}',
    $$SELECT 1 FROM architect.query_patterns
       WHERE calls < 1 OR total_exec_ms < 0 OR rows < 0
          OR abs(mean_exec_ms - total_exec_ms / calls) > 1e-6 * total_exec_ms + 1e-3
          OR last_seen > now()$$);
-- Capture never counts more executions than pg_stat_statements saw (it
-- may count fewer: entries are evicted and reset by the watcher; the
-- workload has far fewer shapes than pg_stat_statements.max, which tracks
-- nested statements too in this cluster, as capture does).
SELECT pg_temp.pga_check('calls <= pg_stat_statements calls', 'architect.query_patterns',
    '{dbid,userid,queryid,calls}',
    $$SELECT 1 FROM architect.query_patterns q
       WHERE q.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
         AND q.calls > (SELECT coalesce(sum(s.calls), 0) FROM pg_stat_statements s
                         WHERE s.dbid = q.dbid AND s.userid = q.userid
                           AND s.queryid = q.queryid)$$);
-- One row per query pattern.
SELECT pg_temp.pga_check('query_patterns unique', 'architect.query_patterns', '{dbid,userid,queryid}',
    $$SELECT 1 FROM architect.query_patterns GROUP BY dbid, userid, queryid HAVING count(*) > 1$$);

-- Predicates.
SELECT pg_temp.pga_check('predicates counters', 'architect.predicates',
    '{executions,rows_scanned,rows_removed}',
    $$SELECT 1 FROM architect.predicates
       WHERE executions < 1 OR rows_scanned < 0 OR rows_removed < 0$$);
SELECT pg_temp.pga_check('predicates selectivities in [0,1]', 'architect.predicates',
    '{est_selectivity,actual_selectivity}',
    $$SELECT 1 FROM architect.predicates
       WHERE est_selectivity NOT BETWEEN 0 AND 1 OR actual_selectivity NOT BETWEEN 0 AND 1$$);
SELECT pg_temp.pga_check('predicates name live relations', 'architect.predicates', '{relid,dbid}',
    $$SELECT 1 FROM architect.predicates p
       WHERE p.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
         AND p.relid IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = p.relid)$$);

-- Plan findings.
SELECT pg_temp.pga_check('plan_findings counters', 'architect.plan_findings',
    '{occurrences,severity}',
    $$SELECT 1 FROM architect.plan_findings
       WHERE occurrences < 1 OR severity NOT IN ('info', 'warning', 'critical')$$);

-- Errors by SQLSTATE.
SELECT pg_temp.pga_check('query_errors counters', 'architect.query_errors', '{count,sqlstate}',
    $$SELECT 1 FROM architect.query_errors WHERE count < 1 OR sqlstate !~ '^[0-9A-Z]{5}$'$$);

\o
SELECT CASE WHEN NOT ran THEN 'not yet available: ' || check_name
            WHEN bad = 0 THEN 'ok: ' || check_name || ' (' || seen || ' rows)'
            ELSE 'VIOLATED: ' || check_name || ' (' || bad || ' of ' || seen || ' rows)' END
  FROM pga_inv;

SELECT count(*) FILTER (WHERE ran AND bad = 0) || ' invariants hold, '
       || count(*) FILTER (WHERE NOT ran) || ' wait for their feature'
  FROM pga_inv
HAVING count(*) FILTER (WHERE ran AND bad > 0) = 0;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pga_inv WHERE ran AND bad > 0) THEN
        RAISE EXCEPTION 'store counters are inconsistent after the concurrent run';
    END IF;
END $$;
