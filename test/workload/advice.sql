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
\echo '-- indexes to create for this workload (architect.recommend_indexes)'
SELECT rank, index_name, pg_size_pretty(estimated_size_bytes) AS size,
       round(improvement_pct) AS gain_pct, cardinality(queryids) AS queries, ddl
  FROM architect.recommend_indexes();

\echo '-- why, for the first three'
SELECT rank, reason FROM architect.recommend_indexes() WHERE rank <= 3;

\echo '-- the same within a 1 MB budget, at most 3 indexes'
SELECT rank, index_name, pg_size_pretty(estimated_size_bytes) AS size
  FROM architect.recommend_indexes(1, 3);

\echo '-- how the advisor got there (architect.advisor_stats)'
SELECT source, queries, ignored,
       skipped_unparsable + skipped_missing_relation + skipped_param_types
         + skipped_not_permitted + skipped_other AS skipped,
       candidates, whatif_calls, round(runtime_ms::numeric, 1) AS runtime_ms,
       round(mean_whatif_ms::numeric, 3) AS mean_whatif_ms,
       round((100 * workload_cost_after / nullif(workload_cost_before, 0))::numeric, 1)
         AS pct_of_cost_left
  FROM architect.advisor_stats();

-- ==== index builds ====

-- ==== guards ====
\echo '-- guards: audit (email masked) and updated_at on customers, one call each'
\o /dev/null
SELECT architect.enable_audit('customers', mask_columns => '{email}');
SELECT architect.enable_updated_at('customers');
\o
BEGIN;
SET LOCAL app.current_user_id = 'support-agent-7';
UPDATE customers SET status = 'vip', email = 'vip-' || email WHERE id = 1;
UPDATE customers SET status = status WHERE id = 2;
COMMIT;
\echo '-- architect.guards: which table has which guard (status missing: a column no trigger maintains)'
SELECT schema_name, table_name, guard, status, options, action
  FROM architect.guards ORDER BY schema_name, table_name, guard;
\echo '-- the audit row of that UPDATE (the no-op UPDATE of customer 2 wrote none)'
SELECT operation, table_name, app_user, old_data, new_data
  FROM architect.audit_log ORDER BY id DESC LIMIT 2;
\echo '-- updated_at moved for customer 1 only'
SELECT id, status, updated_at > now() - interval '1 minute' AS updated_just_now
  FROM customers WHERE id IN (1, 2) ORDER BY id;


-- ==== health ====
\echo '-- what needs attention now (architect.alerts)'
SELECT severity, "check", object, value FROM architect.alerts;

\echo '-- schema advice, largest tables first (architect.schema_advice)'
SELECT severity, "check", object, value FROM architect.schema_advice LIMIT 12;

\echo '-- foreign keys without an index (architect.missing_fk_indexes)'
SELECT object, severity, table_rows, action FROM architect.missing_fk_indexes;

\echo '-- indexes to drop (architect.index_drop_candidates)'
SELECT index_name, reason, covered_by, ddl FROM architect.index_drop_candidates
 WHERE reason <> 'unused';

\echo '-- configuration for this machine (architect.config_advice, what to change)'
SELECT object, value AS current, threshold AS recommended, severity
  FROM architect.config_advice WHERE status = 'change';

\echo '-- the report, warnings and worse (SELECT * FROM architect.report())'
\pset format unaligned
\pset tuples_only on
SELECT * FROM architect.report('warning', 3);
\pset tuples_only off
\pset format aligned

