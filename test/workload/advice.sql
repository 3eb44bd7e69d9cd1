-- What the demo prints once the workload has run: everything pg_architect
-- has to say about the shop.  Each feature adds its section here.
\pset footer off
\echo
\echo '================ pg_architect says ================'
\echo
-- ==== capture ====
\echo '-- capture store (architect.capture_stats)'
SELECT queries, predicates, findings, errors, executions, measured, evictions, dropped
  FROM architect.capture_stats;

\echo '-- the workload as pg_architect captured it (top 10 by total time)'
SELECT calls, measured_calls AS measured, round(mean_exec_ms::numeric, 2) AS mean_ms,
       left(regexp_replace(example_query, '\s+', ' ', 'g'), 70) AS slowest_example
  FROM architect.query_patterns
 WHERE datname = current_database()
   AND example_query !~* 'architect\.|pg_stat_statements'
 ORDER BY total_exec_ms DESC LIMIT 10;

\echo '-- plan findings (architect.plan_findings)'
SELECT severity, finding, node, occurrences AS seen, detail,
       left(regexp_replace(example_query, '\s+', ' ', 'g'), 50) AS query
  FROM architect.plan_findings
 WHERE datname = current_database()
   AND coalesce(example_query, '') !~* 'architect\.|pg_stat_statements'
 ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END,
          occurrences DESC
 LIMIT 15;

\echo '-- where the rows go: filtered columns by rows removed (architect.predicates)'
SELECT table_name, column_name, operator, kind, executions,
       rows_scanned, rows_removed,
       round(actual_selectivity::numeric, 4) AS selectivity, example_value
  FROM architect.predicates
 WHERE datname = current_database() AND schema_name = 'public'
   AND kind IN ('filter', 'index_cond', 'join')
 ORDER BY rows_removed DESC, executions DESC LIMIT 12;

\echo '-- errors by SQLSTATE (architect.query_errors)'
SELECT sqlstate, count, left(message, 60) AS message
  FROM architect.query_errors
 WHERE datname = current_database()
 ORDER BY count DESC LIMIT 5;

\echo '-- architect.explain() of the slowest login lookup'
SELECT kind, node, item, severity, left(detail, 70) AS detail
  FROM architect.explain(
         (SELECT example_query FROM architect.query_patterns
           WHERE example_query LIKE 'SELECT id, full_name, status FROM customers%'
           ORDER BY total_exec_ms DESC LIMIT 1))
 WHERE kind IN ('finding', 'predicate');

\echo '-- the workload as pg_stat_statements saw it (top 5 by total time)'
SELECT calls, round(mean_exec_time::numeric, 2) AS mean_ms,
       left(regexp_replace(query, '\s+', ' ', 'g'), 70) AS query
  FROM pg_stat_statements
 WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
   AND query ~* '^\s*(select|insert|update)'
   AND query !~* 'pg_stat_statements|architect\.'
 ORDER BY total_exec_time DESC LIMIT 5;

-- ==== indexes ====

-- ==== index builds ====

-- ==== guards ====

-- ==== health ====
