# The server stopped with -m immediate in the middle of a build: at the next
# start the recovery worker runs a cleanup pass in every database, which
# drops the invalid index and records the job as failed.  Until it has, the
# view already reports the job as failed, not running.  A build that had
# finished when the server stopped is recorded as done.
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;
use PgArchitect::Test;
use PgArchitect::Indexer;

my $node = new_node('server_crash');
$node->start;
my $db = 'postgres';
$node->safe_psql($db, 'CREATE DATABASE shop; ');
$node->safe_psql('shop', 'CREATE EXTENSION pg_architect');
slow_table($node, 'shop', 'slow', 20000);

my $job = $node->safe_psql('shop',
	"SELECT architect.create_index('CREATE INDEX slow_idx ON slow (slow_key(v))', wait => false)");
wait_phase($node, 'shop', 'slow_idx', 'building index');
is($node->safe_psql('shop',
	"SELECT count(*) FROM pg_class WHERE relname = 'slow_idx'"), '1',
	'mid-build: the index exists');

$node->stop('immediate');
$node->start;

wait_job($node, 'shop', $job, "status = 'failed' AND cleanup IS NOT NULL");
is(job_row($node, 'shop', $job, 'sqlstate, cleanup_pending'), '57P01|f',
	'job failed, nothing pending');
like(job_row($node, 'shop', $job, 'error'),
	qr/the job was interrupted \(its worker or the server stopped\) before it finished/,
	'the error says what happened');
like(job_row($node, 'shop', $job, 'cleanup'),
	qr/Dropped the invalid index "slow_idx" left behind by the job\./, 'cleanup recorded');
is($node->safe_psql('shop', "SELECT count(*) FROM pg_class WHERE relname = 'slow_idx'"),
	'0', 'no index left');
is($node->safe_psql('shop', "SELECT status FROM architect.index_jobs WHERE job_id = $job"),
	'failed', 'the view agrees');
is($node->safe_psql($db,
	"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_architect index job recovery'"),
	'1', 'the recovery worker runs');

# A row left "running" whose build had in fact finished: recorded as done.
$node->safe_psql('shop', q{
	CREATE INDEX done_idx ON slow (id);
	INSERT INTO architect.index_jobs_log (job_id, kind, source, roleid, role_name, relid,
	  schema_name, table_name, index_name, statement, concurrent, status, queued_at)
	SELECT 1000, 'create', 'statement', 10, 'x', 'slow'::regclass, 'public', 'slow',
	       'done_idx', 'CREATE INDEX CONCURRENTLY done_idx ON public.slow (id)', true,
	       'running', now();
});
is($node->safe_psql('shop', 'SELECT status FROM architect.index_jobs WHERE job_id = 1000'),
	'failed', 'the view reports a running row without a worker as failed');
$node->stop('immediate');
$node->start;
wait_job($node, 'shop', 1000, "status <> 'running'");
is(job_row($node, 'shop', 1000, 'status'), 'done', 'a finished build is recorded as done');
like(job_row($node, 'shop', 1000, 'notes'), qr/found the index valid/, 'with a note');
is($node->safe_psql('shop', "SELECT indisvalid FROM pg_index WHERE indexrelid = 'done_idx'::regclass"),
	't', 'the valid index is kept');

$node->stop;
done_testing();
