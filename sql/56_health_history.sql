-- Health: history.  snapshot() stores deltas without resetting anyone's
-- statistics; purge_history() ages them out; schedule() / unschedule()
-- manage the pg_cron jobs (cron.database_name is contrib_regression in this
-- cluster; the jobs really running is test/t/052_health_cron.pl).
SET client_min_messages = warning;
CREATE SCHEMA health_h;
SET search_path = health_h, public;

-- The first snapshot records the state (and the sizes) only.
SELECT architect.snapshot() = 1 AS first_snapshot;
SELECT seconds IS NULL AS first, queries, databases > 0 AS has_databases
  FROM architect.snapshots;
SELECT count(*) AS query_rows FROM architect.query_history;

-- Activity between two snapshots becomes deltas.
CREATE TABLE growing (id int PRIMARY KEY, v text);
INSERT INTO growing SELECT g, repeat('x', 100) FROM generate_series(1, 500) g;
UPDATE growing SET v = 'y' WHERE id <= 50;
DELETE FROM growing WHERE id > 450;
SELECT count(*) FROM growing WHERE id = 7;
ANALYZE growing;
SELECT pg_stat_force_next_flush();
SELECT calls AS calls_before FROM pg_stat_statements
 WHERE query LIKE 'SELECT count(*) FROM growing WHERE id = $1' \gset
SELECT architect.snapshot() = 2 AS second_snapshot;
SELECT seconds > 0 AS timed, queries > 0 AS has_queries FROM architect.snapshots WHERE snapshot_id = 2;
SELECT schema_name, table_name, n_tup_ins, n_tup_upd, n_tup_del, idx_scan >= 1 AS scanned,
       size_bytes > 0 AS sized, live_tuples
  FROM architect.table_history WHERE snapshot_id = 2 AND table_name = 'growing';
SELECT index_name, size_bytes > 0 AS sized FROM architect.index_history
 WHERE snapshot_id = 2 AND table_name = 'growing';
SELECT h.calls, h.total_exec_ms > 0 AS timed FROM architect.query_history h
  JOIN pg_stat_statements s USING (dbid, userid, queryid, toplevel)
 WHERE h.snapshot_id = 2 AND s.query = 'SELECT count(*) FROM growing WHERE id = $1';
SELECT datname, xact_commit > 0 AS committed, size_bytes > 0 AS sized FROM architect.database_history
 WHERE snapshot_id = 2 AND datname = current_database();
-- nobody's statistics were reset
SELECT calls = :calls_before AS pg_stat_statements_untouched FROM pg_stat_statements
 WHERE query LIKE 'SELECT count(*) FROM growing WHERE id = $1';
SELECT n_tup_ins >= 500 AS table_stats_untouched FROM pg_stat_user_tables WHERE relname = 'growing';

-- Nothing happened to the table since: no row for it in the next snapshot;
-- the counters of a query run again count only the new calls.
SELECT count(*) FROM growing WHERE id = 8;
SELECT count(*) FROM growing WHERE id = 9;
SELECT pg_stat_force_next_flush();
SELECT architect.snapshot() = 3 AS third_snapshot;
SELECT count(*) AS growing_rows FROM architect.table_history WHERE snapshot_id = 3 AND table_name = 'growing'
   AND n_tup_ins + n_tup_upd + n_tup_del > 0;
SELECT h.calls FROM architect.query_history h JOIN pg_stat_statements s USING (dbid, userid, queryid, toplevel)
 WHERE h.snapshot_id = 3 AND s.query = 'SELECT count(*) FROM growing WHERE id = $1';

-- A counter reset between snapshots: the delta is the new count, never
-- negative.
SELECT pg_stat_reset_single_table_counters('growing'::regclass);
INSERT INTO growing VALUES (1000, 'z');
SELECT pg_stat_force_next_flush();
SELECT architect.snapshot() = 4 AS fourth_snapshot;
SELECT n_tup_ins, n_tup_del FROM architect.table_history WHERE snapshot_id = 4 AND table_name = 'growing';
SELECT count(*) AS negative_deltas FROM architect.table_history
 WHERE least(seq_scan, idx_scan, n_tup_ins, n_tup_upd, n_tup_del) < 0;
SELECT count(*) AS negative_deltas FROM architect.query_history WHERE least(calls, rows) < 0 OR total_exec_ms < 0;

-- Trends per day.
SELECT table_name, inserts, updates, deletes, size_bytes > 0 AS sized FROM architect.table_growth
 WHERE schema_name = 'health_h';
SELECT count(*) > 0 AS has_index_rows FROM architect.index_growth WHERE schema_name = 'health_h';
SELECT calls >= 3 AS counted, mean_exec_ms >= 0 AS has_mean, query FROM architect.query_trends
 WHERE query = 'SELECT count(*) FROM growing WHERE id = $1';
SELECT database, commits > 0 AS committed FROM architect.database_trends WHERE database = current_database();

-- Purging: everything older than the retention goes.
SELECT architect.purge_history('1 day');
SELECT count(*) AS snapshots FROM architect.snapshots;
-- a negative age is refused (22023, with a hint) and deletes nothing; an
-- age beyond any timestamp deletes nothing either (it was 22008 before)
SELECT architect.purge_history('-1 day');
\echo :LAST_ERROR_SQLSTATE
SELECT architect.purge_history('-1 day 2 hours');
\echo :LAST_ERROR_SQLSTATE
SELECT architect.purge_history('100000 years');
SELECT count(*) AS snapshots FROM architect.snapshots;
SELECT architect.purge_history('0');
SELECT count(*) AS snapshots, (SELECT count(*) FROM architect.table_history) AS table_rows
  FROM architect.snapshots;
-- with no snapshot left the next one starts afresh: it only records the
-- state, whatever the time since the last one
SELECT count(*) > 0 AS state_kept FROM architect.table_state;
SELECT architect.snapshot() > 4 AS fifth_snapshot;
SELECT seconds IS NULL AS baseline, queries FROM architect.snapshots;

-- Scheduling needs the pg_cron extension in the database pg_cron serves.
SELECT * FROM architect.schedule();
\echo :LAST_ERROR_SQLSTATE
SELECT architect.unschedule();
\echo :LAST_ERROR_SQLSTATE
CREATE EXTENSION pg_cron;
-- somebody's own job, which unschedule() must leave alone
SELECT cron.schedule('nightly-report', '0 4 * * *', 'SELECT 1') > 0 AS scheduled;
SELECT jobname, schedule, command, database FROM architect.schedule();
SELECT jobname, schedule, command FROM cron.job ORDER BY jobname;
-- again, with other settings: the same jobs, updated
SELECT jobname, schedule, command FROM architect.schedule('1 hour', '30 days');
SELECT count(*) AS jobs FROM cron.job;
SELECT jobname, schedule FROM architect.schedule('1 minute');
SELECT jobname, schedule FROM architect.schedule('15 minutes');
SELECT jobname, schedule FROM architect.schedule('6 hours');
SELECT jobname, schedule FROM architect.schedule('1 day');
-- intervals pg_cron cannot keep evenly, bad retention, NULLs
SELECT * FROM architect.schedule('7 minutes');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM architect.schedule('30 seconds');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM architect.schedule('90 seconds');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM architect.schedule('5 hours');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM architect.schedule('1 month');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM architect.schedule('-5 minutes');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM architect.schedule('5 minutes', '-1 day');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM architect.schedule(NULL);
\echo :LAST_ERROR_SQLSTATE
-- the failed calls changed nothing
SELECT jobname, schedule FROM cron.job ORDER BY jobname;
-- the nightly advisor job records the index advisor's recommendations
SELECT jobname, schedule, command FROM architect.schedule(nightly_advisor => true) ORDER BY jobname;
-- (what this call adds, counted apart from what the cron job may add when
-- its minute comes during the test)
SELECT count(*) AS history_before FROM architect.recommendation_history \gset
SELECT architect.snapshot_recommendations() AS recorded_now \gset
SELECT (SELECT count(*) FROM architect.recommendation_history) - :history_before = :recorded_now AS recorded;
-- asked again without it, the advisor job goes
SELECT jobname FROM architect.schedule(nightly_advisor => false);
-- jobs for another database are made here, with cron.schedule_in_database
SELECT jobname, database FROM architect.schedule(database => 'postgres');
SELECT * FROM architect.schedule(database => 'no_such_db');
\echo :LAST_ERROR_SQLSTATE
-- unschedule() removes exactly pg_architect's jobs of one database
SELECT architect.unschedule(database => 'postgres');
SELECT architect.unschedule();
SELECT architect.unschedule();
SELECT jobname FROM cron.job ORDER BY jobname;
SELECT cron.unschedule('nightly-report');

-- Writing history and scheduling are for privileged roles; the history of
-- tables, indexes and databases is readable by all, query history by
-- pg_monitor.
CREATE ROLE health_h_user;
CREATE ROLE health_h_monitor IN ROLE pg_monitor;
SET ROLE health_h_user;
SELECT architect.snapshot();
SELECT * FROM architect.schedule();
SELECT architect.unschedule();
SELECT architect.purge_history('1 day');
SELECT count(*) >= 0 AS readable FROM architect.table_growth;
SELECT count(*) >= 0 AS readable FROM architect.database_trends;
SELECT count(*) FROM architect.query_trends;
SELECT count(*) FROM architect.query_state;
SET ROLE health_h_monitor;
SELECT count(*) >= 0 AS readable FROM architect.query_trends;
RESET ROLE;
DROP ROLE health_h_user;
DROP ROLE health_h_monitor;

DROP EXTENSION pg_cron;
SELECT architect.purge_history('0') >= 0 AS purged;
RESET search_path;
DROP SCHEMA health_h CASCADE;
