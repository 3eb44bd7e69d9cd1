-- Health: top and slow queries from pg_stat_statements, temporary files
-- per query, and capture's plan findings joined to them.
SET client_min_messages = warning;
CREATE SCHEMA health_q;
SET search_path = health_q, public;
CREATE TABLE sorted (id int, v text);
INSERT INTO sorted SELECT g, md5(g::text) FROM generate_series(1, 20000) g;
ANALYZE sorted;

-- A slow query: 5 calls of 30 ms against a threshold of 20 ms.  (It reads
-- a table of its own so that its query id is its own: column aliases do not
-- count, and another test may have run a plain pg_sleep.)
SELECT pg_sleep(0.03) AS slow_one FROM sorted WHERE id = 1;
SELECT pg_sleep(0.03) AS slow_one FROM sorted WHERE id = 2;
SELECT pg_sleep(0.03) AS slow_one FROM sorted WHERE id = 3;
SELECT pg_sleep(0.03) AS slow_one FROM sorted WHERE id = 4;
SELECT pg_sleep(0.03) AS slow_one FROM sorted WHERE id = 5;
SET pg_architect.slow_query_warning = '20ms';
SET pg_architect.slow_query_min_calls = 5;
SELECT "check", severity, threshold, calls, mean_exec_ms >= 20 AS slow, query
  FROM architect.slow_queries WHERE query LIKE '%slow_one%';
SET pg_architect.slow_query_critical = '25ms';
SELECT severity FROM architect.slow_queries WHERE query LIKE '%slow_one%';
-- the same query in top_queries, with its share of the time
SELECT database, calls, total_exec_ms >= 150 AS total_ok, pct_of_total_time > 0 AS has_share,
       cache_hit_pct > 0 AS has_hit_ratio, query
  FROM architect.top_queries WHERE query LIKE '%slow_one%';
SELECT evidence_since <= now() AS evidence_dated FROM architect.top_queries LIMIT 1;
-- fixed (the query was rewritten; its old statistics are reset)
SELECT pg_stat_statements_reset(0, 0, queryid) FROM architect.top_queries WHERE query LIKE '%slow_one%';
SELECT count(*) AS slow_left FROM architect.slow_queries WHERE query LIKE '%slow_one%';
RESET pg_architect.slow_query_warning;
RESET pg_architect.slow_query_critical;
RESET pg_architect.slow_query_min_calls;
-- pg_stat_statements is there: no "not available" row
SELECT count(*) AS not_available FROM architect.slow_queries WHERE object = 'pg_stat_statements';

-- Temporary files: a sort that spills with a tiny work_mem.
SET work_mem = '64kB';
SELECT count(*) FROM (SELECT v FROM sorted ORDER BY v) s;
RESET work_mem;
SELECT pg_stat_force_next_flush();
SET pg_architect.temp_file_warning = '64kB';
SELECT severity, temp_bytes_per_call > 65536 AS spills, action LIKE 'SET work_mem = ''%MB''; %' AS advises_work_mem, query
  FROM architect.temp_files WHERE query LIKE '%ORDER BY v%';
-- the database row counts the temporary files since the statistics reset
SELECT severity, temp_files > 0 AS has_files FROM architect.temp_files WHERE object = 'database contrib_regression';
-- fixed: with enough work_mem the sort stays in memory
SELECT pg_stat_statements_reset(0, 0, queryid) FROM architect.statements() WHERE query LIKE '%ORDER BY v%' AND toplevel;
SET work_mem = '32MB';
SELECT count(*) FROM (SELECT v FROM sorted ORDER BY v) s;
RESET work_mem;
SELECT count(*) AS spilling FROM architect.temp_files WHERE query LIKE '%ORDER BY v%';
RESET pg_architect.temp_file_warning;

-- Plan findings: capture records a spilling sort for that query, and
-- top_queries shows it next to the query, severity and all.
SET work_mem = '64kB';
SELECT count(*) FROM (SELECT v FROM sorted ORDER BY v) s;
RESET work_mem;
SELECT t.severity, t.finding_count, t.findings, t.action LIKE 'SELECT * FROM architect.plan_findings WHERE queryid = %;' AS points_to_findings
  FROM architect.top_queries t
 WHERE t.query = 'SELECT count(*) FROM (SELECT v FROM sorted ORDER BY v) s';
-- every query with findings shows them, and only those
SELECT count(*) AS mismatches
  FROM architect.top_queries t
  LEFT JOIN architect.plan_findings_summary() f
         ON f.queryid = t.queryid AND f.dbid = (SELECT oid FROM pg_database WHERE datname = t.database)
 WHERE t.findings IS DISTINCT FROM f.findings OR t.finding_count <> coalesce(f.finding_count, 0);
SELECT (SELECT count(*) FROM (SELECT DISTINCT dbid, queryid FROM architect.plan_findings) d)
     = (SELECT count(*) FROM architect.plan_findings_summary()) AS one_summary_per_query;

-- A role without pg_read_all_stats sees the statistics of other roles'
-- queries but not their text, as pg_stat_statements shows them.
CREATE ROLE health_q_user;
CREATE ROLE health_q_monitor IN ROLE pg_monitor;
SET ROLE health_q_user;
SELECT count(*) > 0 AS hidden_texts FROM architect.top_queries WHERE query = '<insufficient privilege>';
SET ROLE health_q_monitor;
SELECT count(*) AS hidden_texts FROM architect.top_queries WHERE query = '<insufficient privilege>';
RESET ROLE;
DROP ROLE health_q_user;
DROP ROLE health_q_monitor;

RESET search_path;
DROP SCHEMA health_q CASCADE;

