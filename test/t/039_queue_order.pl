# Jobs of a database run in submission (job id) order, even when an earlier
# job's worker is slow to reach the queue.  A session holds an uncommitted
# row of architect.index_jobs_log with the job id the next job will get, so
# that the worker of that job blocks while recording it.  A later job,
# queued and committed meanwhile, must not overtake it: it stays queued
# until the earlier job has run.  (Before, the later job ran at once.)
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;
use PgArchitect::Test;
use PgArchitect::Indexer;

my $node = new_node('queue_order');
$node->start;
my $db = 'postgres';
$node->safe_psql($db, q{
	CREATE EXTENSION pg_architect;
	CREATE TABLE t (id int PRIMARY KEY, a int, b int);
	INSERT INTO t SELECT g, g, g FROM generate_series(1, 2000) g;
});
my $settings = 'SET pg_architect.verify_queries = 0;';

# The id the next job gets, taken by an uncommitted row.
my $next = $node->safe_psql($db,
	'SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM architect.index_jobs_job_id_seq');
my $blocker = $node->background_psql($db);
$blocker->query_safe(qq{
	BEGIN;
	INSERT INTO architect.index_jobs_log
	  (job_id, kind, source, roleid, role_name, relid, schema_name, table_name,
	   index_name, statement, concurrent, status, queued_at)
	VALUES ($next, 'create', 'test', 10, 'x', 't'::regclass, 'public', 't', 'blocker',
	        'none', true, 'queued', now());
});

my $first = $node->safe_psql($db,
	"$settings SELECT architect.create_index('CREATE INDEX t_z ON t (a)', wait => false)");
is($first, $next, "the first job got id $next");
# Its worker is now blocked recording the job.
$node->poll_query_until($db,
	"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'pg_architect index job' AND wait_event_type = 'Lock'")
  or die 'the first worker did not block';
my $second = $node->safe_psql($db,
	"$settings SELECT architect.create_index('CREATE INDEX t_y ON t (b)', wait => false)");
cmp_ok($second, '>', $first, 'the second job was submitted later');

# Give the second job's worker ample time to (wrongly) start.
sleep 3;
is($node->safe_psql($db, "SELECT status FROM architect.index_jobs WHERE job_id = $second"),
	'queued', 'the second job waits for the first');
is($node->safe_psql($db, "SELECT count(*) FROM pg_class WHERE relname = 't_y'"),
	'0', 'its index is not being built');

$blocker->query_safe('ROLLBACK;');
$blocker->quit;
wait_job($node, $db, $first, "status = 'done'");
wait_job($node, $db, $second, "status = 'done'");
is($node->safe_psql($db,
	"SELECT (SELECT started_at FROM architect.index_jobs WHERE job_id = $second) >= "
	  . "(SELECT finished_at FROM architect.index_jobs WHERE job_id = $first)"),
	't', 'the second job started after the first had finished');

$node->stop;
done_testing();
