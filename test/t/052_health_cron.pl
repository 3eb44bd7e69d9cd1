# History scheduled with the real pg_cron: architect.schedule() creates the
# jobs, pg_cron runs them (background workers), they write history, in the
# pg_cron database and, through cron.schedule_in_database, in another one;
# architect.unschedule() removes exactly those jobs.  Then a cluster without
# pg_cron and pg_stat_statements: clear errors, and the rest still works.
#
# make test: beside the others (run-tests.sh): it waits for two of
# pg_cron's minutes, idle.
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;
use PgArchitect::Test;

# cron.database_name is 'postgres' in the TAP clusters (PgArchitect::Test)
my $node = new_node('health_cron', conf => "cron.use_background_workers = on\n");
$node->start;
$node->safe_psql('postgres',
	'CREATE EXTENSION pg_cron; CREATE EXTENSION pg_stat_statements; CREATE EXTENSION pg_architect');
$node->safe_psql('postgres', 'CREATE DATABASE shop');
$node->safe_psql('shop', 'CREATE EXTENSION pg_stat_statements; CREATE EXTENSION pg_architect');

# someone's own job, which must survive unschedule()
$node->safe_psql('postgres', "SELECT cron.schedule('keep-me', '0 4 * * *', 'SELECT 1')");

# --- scheduling from a database that is not pg_cron's ------------------------------
my ($ret, $out, $err) = $node->psql('shop', "\\set VERBOSITY verbose\nSELECT * FROM architect.schedule()");
isnt($ret, 0, 'schedule() fails outside the pg_cron database');
like($err, qr/ERROR:\s+55000: pg_cron keeps its jobs in database "postgres", not in "shop"/, 'says where pg_cron is');
like($err, qr/HINT:\s+Connect to database "postgres".*architect\.schedule\(database => 'shop'\)/,
	'and what to run there');

# --- scheduling every minute, here and for shop ------------------------------------------
is($node->safe_psql('postgres',
	"SELECT string_agg(jobname || ' ' || schedule, ', ' ORDER BY jobname) FROM architect.schedule('1 minute')"),
	'pg_architect_purge_postgres 17 3 * * *, pg_architect_snapshot_postgres * * * * *', 'jobs for this database');
is($node->safe_psql('postgres',
	"SELECT string_agg(jobname || ' ' || database, ', ' ORDER BY jobname) FROM architect.schedule('1 minute', database => 'shop')"),
	'pg_architect_purge_shop shop, pg_architect_snapshot_shop shop', 'jobs for shop, run in shop');

# pg_cron runs the snapshot job at the next minute: the first snapshot
# records the state, the second the deltas since.
next_minute();
ok($node->poll_query_until('shop', 'SELECT count(*) >= 1 FROM architect.snapshots'), 'the job ran in shop');
$node->safe_psql('shop', 'CREATE TABLE orders (id int); INSERT INTO orders SELECT generate_series(1, 100)');
$node->safe_psql('shop', 'SELECT pg_stat_force_next_flush()');
next_minute();
ok($node->poll_query_until('shop', 'SELECT count(*) >= 2 FROM architect.snapshots'), 'and ran again a minute later');
is($node->safe_psql('shop', "SELECT sum(n_tup_ins) FROM architect.table_history WHERE table_name = 'orders'"),
	'100', 'the job wrote the rows inserted between its runs');
ok($node->poll_query_until('postgres', 'SELECT count(*) >= 2 FROM architect.snapshots'),
	'the job of the pg_cron database ran too');
ok($node->safe_psql('postgres', 'SELECT count(*) FROM architect.database_history') > 0,
	'and wrote database history');
is($node->safe_psql('postgres',
	"SELECT count(*) FROM cron.job_run_details d JOIN cron.job j USING (jobid) "
	  . "WHERE j.jobname LIKE 'pg_architect_snapshot_%' AND d.status <> 'succeeded' AND d.status <> 'running'"),
	'0', 'no run failed');
ok($node->safe_psql('postgres',
	"SELECT count(DISTINCT j.database) FROM cron.job_run_details d JOIN cron.job j USING (jobid) "
	  . "WHERE j.jobname LIKE 'pg_architect_snapshot_%' AND d.status = 'succeeded'") == 2,
	'pg_cron recorded successful runs in both databases');

# --- unscheduling ------------------------------------------------------------------------------
is($node->safe_psql('postgres', "SELECT architect.unschedule('shop')"), '2', 'shop jobs removed');
is($node->safe_psql('postgres', 'SELECT architect.unschedule()'), '2', 'jobs of this database removed');
is($node->safe_psql('postgres', 'SELECT string_agg(jobname, \',\') FROM cron.job'), 'keep-me',
	'only the other job is left');

$node->stop;

# --- a cluster without pg_cron nor pg_stat_statements ---------------------------------------
my $bare = new_node('health_bare', preload => 0);
$bare->start;
$bare->safe_psql('postgres', 'CREATE EXTENSION pg_architect');
($ret, $out, $err) = $bare->psql('postgres', "\\set VERBOSITY verbose\nSELECT * FROM architect.schedule()");
like($err, qr/ERROR:\s+55000: architect\.schedule\(\) needs pg_cron, which is not loaded/, 'no pg_cron: clear error');
like($err, qr/HINT:\s+Add pg_cron to shared_preload_libraries/, 'with what to do');
($ret, $out, $err) = $bare->psql('postgres', "\\set VERBOSITY verbose\nSELECT architect.unschedule()");
like($err, qr/ERROR:\s+55000: architect\.unschedule\(\) needs pg_cron, which is not loaded/, 'unschedule() too');
is($bare->safe_psql('postgres', 'SELECT count(*) FROM architect.statements(true)'), '0',
	'no pg_stat_statements: no statements, no error');
is($bare->safe_psql('postgres',
	"SELECT severity || ' ' || value FROM architect.slow_queries WHERE object = 'pg_stat_statements'"),
	'info not available', 'and the query checks say they are off');
is($bare->safe_psql('postgres', 'SELECT count(*) FROM architect.top_queries'), '0', 'top_queries is empty');
is($bare->safe_psql('postgres', 'SELECT architect.snapshot()'), '1', 'snapshot() works without them');
is($bare->safe_psql('postgres', 'SELECT architect.snapshot()'), '2', 'and again');
is($bare->safe_psql('postgres', 'SELECT queries FROM architect.snapshots WHERE snapshot_id = 2'), '0',
	'with no query history');
ok($bare->safe_psql('postgres', 'SELECT count(*) FROM architect.report()') > 3, 'report() works');
$bare->stop;

done_testing();
