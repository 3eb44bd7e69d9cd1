# The job worker killed mid-build.  (1) pg_terminate_backend(): the worker
# stops the build, drops the invalid index, records the job as failed, and
# the caller waiting for it gets the error.  (2) kill -9: the postmaster
# resets shared memory and restarts; the recovery worker's cleanup pass
# drops the invalid index and records the job as failed.
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;
use PgArchitect::Test;
use PgArchitect::Indexer;

my $node = new_node('worker_killed', conf => "restart_after_crash = on\n");
$node->start;
my $db = 'postgres';
$node->safe_psql($db, 'CREATE EXTENSION pg_architect');
slow_table($node, $db, 'slow', 20000);

# (1) pg_terminate_backend while a caller waits
my $caller = $node->background_psql($db, on_error_stop => 0);
$caller->query_until(qr/go/,
	"\\echo go\nSELECT architect.create_index('CREATE INDEX slow_idx ON slow (slow_key(v))');\n");
wait_phase($node, $db, 'slow_idx', 'building index');
my $job = job_id($node, $db, 'slow_idx');
my $pid = $node->safe_psql($db,
	"SELECT worker_pid FROM architect.index_jobs WHERE job_id = $job");
is($node->safe_psql($db,
	"SELECT backend_type FROM pg_stat_activity WHERE pid = $pid"),
	'pg_architect index job', 'the worker shows in pg_stat_activity');
is($node->safe_psql($db,
	"SELECT count(*) FROM pg_index WHERE indexrelid = 'slow_idx'::regclass AND NOT indisvalid"),
	'1', 'mid-build: the index exists, invalid');
$node->safe_psql($db, "SELECT pg_terminate_backend($pid)");
wait_job($node, $db, $job, "status = 'failed'");
$caller->quit;
like($caller->{stderr},
	qr/ERROR:  index job $job failed: the index job worker was terminated/,
	'the waiting caller gets the error');
is(job_row($node, $db, $job, 'sqlstate, cleanup_pending'), '57P01|f',
	'job failed with 57P01, nothing pending');
like(job_row($node, $db, $job, 'cleanup'),
	qr/Dropped the invalid index "slow_idx" left behind by the job\./, 'cleanup recorded');
is($node->safe_psql($db, "SELECT count(*) FROM pg_class WHERE relname = 'slow_idx'"),
	'0', 'no index left');

# (2) kill -9 of the worker: a crash and restart of every backend
$job = $node->safe_psql($db,
	"SELECT architect.create_index('CREATE INDEX slow_idx2 ON slow (slow_key(v))', wait => false)");
wait_phase($node, $db, 'slow_idx2', 'building index');
$pid = $node->safe_psql($db,
	"SELECT worker_pid FROM architect.index_jobs WHERE job_id = $job");
kill 'KILL', $pid;
$node->poll_query_until($db, 'SELECT true') or die 'server did not come back';
wait_job($node, $db, $job, "status = 'failed' AND NOT cleanup_pending AND cleanup IS NOT NULL");
like(job_row($node, $db, $job, 'error'), qr/the job was interrupted/,
	'job recorded as interrupted');
like(job_row($node, $db, $job, 'cleanup'),
	qr/Dropped the invalid index "slow_idx2" left behind by the job\./,
	'cleanup pass dropped the invalid index');
is($node->safe_psql($db, 'SELECT count(*) FROM pg_index WHERE NOT indisvalid'), '0',
	'no invalid index anywhere');
ok($node->log_contains("cleaned up after interrupted index job $job"),
	'the cleanup is logged');

$node->stop;
done_testing();
