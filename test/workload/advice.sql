-- What the demo prints once the workload has run: everything pg_architect
-- has to say about the shop.  Each feature adds its section here.
\pset footer off
\echo
\echo '================ pg_architect says ================'
\echo
-- ==== capture ====
\echo '-- capture store (architect.capture_stats)'
SELECT * FROM architect.capture_stats;

\echo '-- the workload as pg_stat_statements saw it (top 10 by total time)'
SELECT calls, round(mean_exec_time::numeric, 2) AS mean_ms,
       left(regexp_replace(query, '\s+', ' ', 'g'), 70) AS query
  FROM pg_stat_statements
 WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
   AND query ~* '^\s*(select|insert|update)'
   AND query !~* 'pg_stat_statements|architect\.'
 ORDER BY total_exec_time DESC LIMIT 10;

-- ==== indexes ====

-- ==== index builds ====

-- ==== guards ====

-- ==== health ====
