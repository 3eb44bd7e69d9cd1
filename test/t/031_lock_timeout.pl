# Lock timeouts.  (1) A lock held on the table for longer than the job's
# lock_timeout: each attempt fails, the job retries with a growing delay,
# then fails with SQLSTATE 55P03 and nothing left behind.  (2) A writer
# transaction that stays open while the build waits for writers: the first
# attempt fails mid-build, after the index entry was created; the invalid
# index is dropped, the second attempt succeeds once the writer is gone.
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;
use PgArchitect::Test;
use PgArchitect::Indexer;

my $node = new_node('lock_timeout');
$node->start;
my $db = 'postgres';
$node->safe_psql($db, q{
	CREATE EXTENSION pg_architect;
	CREATE TABLE t (id int PRIMARY KEY, a int);
	INSERT INTO t SELECT g, g FROM generate_series(1, 1000) g;
});
my $settings = 'SET pg_architect.index_lock_timeout = 300; '
  . 'SET pg_architect.index_retries = 2; SET pg_architect.index_retry_delay = 100; '
  . 'SET pg_architect.verify_queries = 0;';

# (1) SHARE MODE conflicts with the build's SHARE UPDATE EXCLUSIVE lock.
my $holder = $node->background_psql($db);
$holder->query_safe('BEGIN; LOCK TABLE t IN SHARE MODE;');
my ($ret, $out, $err) = $node->psql($db,
	"$settings SELECT architect.create_index('CREATE INDEX t_a ON t (a)')");
isnt($ret, 0, 'the build fails');
like($err, qr/ERROR:  index job \d+ failed: canceling statement due to lock timeout/,
	'the caller gets the lock timeout');
my $job = job_id($node, $db, 't_a');
is(job_row($node, $db, $job, 'status, sqlstate, attempts'), 'failed|55P03|3',
	'job failed with 55P03 after 1 + 2 attempts');
like(job_row($node, $db, $job, 'notes'),
	qr/Attempt 1 failed \(canceling statement due to lock timeout\); retried after 100 ms\.\nAttempt 2 failed \(canceling statement due to lock timeout\); retried after 200 ms\./,
	'each retry is noted, with the doubling delay');
is($node->safe_psql($db, "SELECT count(*) FROM pg_class WHERE relname = 't_a'"), '0',
	'no index left');
$holder->query_safe('COMMIT;');

# (2) An open writer: CREATE INDEX CONCURRENTLY creates the (invalid) index,
# then waits for writers and times out.  The cleanup waits for the writer
# too (index_cleanup_timeout), drops the invalid index, and the retry
# succeeds.
$holder->query_safe('BEGIN; INSERT INTO t VALUES (1001, 1001);');
my $bg = $node->background_psql($db);
$bg->query_until(qr/go/, "$settings\n\\echo go\nSELECT architect.create_index('CREATE INDEX t_a2 ON t (a)');\n");
$job = undef;
$node->poll_query_until($db,
	"SELECT count(*) = 1 FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid WHERE c.relname = 't_a2' AND NOT i.indisvalid");
pass('first attempt left an invalid index while it waited for the writer');
$node->poll_query_until($db,
	"SELECT attempts = 1 AND status = 'running' FROM architect.index_jobs_log WHERE index_name = 't_a2'");
sleep 1;    # past the lock timeout: the cleanup now waits for the writer
$holder->query_safe('COMMIT;');
$job = job_id($node, $db, 't_a2');
wait_job($node, $db, $job, "status = 'done'");
$bg->quit;
is(job_row($node, $db, $job, 'attempts'), '2', 'second attempt succeeded');
like(job_row($node, $db, $job, 'notes'),
	qr/^Attempt 1 failed \(canceling statement due to lock timeout\)/, 'the failed attempt is noted');
like(job_row($node, $db, $job, 'cleanup'),
	qr/Dropped the invalid index "t_a2" left behind by the job\./, 'the cleanup is recorded');
is($node->safe_psql($db,
	"SELECT count(*) FROM pg_index WHERE NOT indisvalid"), '0', 'no invalid index anywhere');
is($node->safe_psql($db,
	"SELECT indisvalid FROM pg_index WHERE indexrelid = 't_a2'::regclass"), 't',
	'the index of the second attempt is valid');

$holder->quit;
$node->stop;
done_testing();
