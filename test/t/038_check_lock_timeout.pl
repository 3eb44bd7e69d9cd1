# The caller's own checks never wait for a table lock without end.  Before
# a job exists, create_index() locks the table while it checks the
# statement, drop_index() while it looks at the index, and a recommendation
# lookup (create_index() by name, apply_recommendations()) has the advisor
# plan the captured queries, which locks their tables.  With another
# session holding ACCESS EXCLUSIVE on the table, create_index() and
# drop_index() fail after pg_architect.index_lock_timeout with SQLSTATE
# 55P03 and a hint and leave no job (no slot, no row); the recommendation
# lookups give up on the queries they cannot plan in that time (so there is
# nothing to build) instead of waiting.  With SHARE held (a plain CREATE
# INDEX), the advisor's planning of a captured UPDATE is bounded the same
# way.  Every call runs under a psql timeout, so that a hang fails the test
# instead of holding up CI; without the bounds, these calls wait forever.
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);
use PgArchitect::Test;
use PgArchitect::Indexer;

my $node = new_node('check_lock_timeout');
$node->start;
my $db = 'postgres';
$node->safe_psql($db, q{
	CREATE EXTENSION pg_stat_statements;
	CREATE EXTENSION pg_architect;
	CREATE TABLE t (id int PRIMARY KEY, a int, b int);
	INSERT INTO t SELECT g, g % 5000, g FROM generate_series(1, 50000) g;
	CREATE INDEX t_b ON t (b);
	VACUUM ANALYZE t;
	SELECT architect.reset();
});

# A captured workload, so that the advisor has something to recommend on t,
# an UPDATE among it (the advisor's planning of it takes RowExclusiveLock).
my $sql = '';
for my $i (1 .. 20)
{
	$sql .= "SELECT count(*) FROM t WHERE a = $i;\n";
	$sql .= "UPDATE t SET b = b WHERE a = $i;\n";
}
$node->safe_psql($db, $sql);
my $rec = $node->safe_psql($db,
	"SELECT index_name FROM architect.recommend_indexes() WHERE table_name = 't' ORDER BY rank LIMIT 1");
isnt($rec, '', "the advisor recommends an index on t ($rec)");

my $settings = 'SET pg_architect.index_lock_timeout = 500; SET pg_architect.verify_queries = 0;';

# bounded($label, $sql): runs $sql under a 60 s psql timeout, checks that
# it returned well before that, and returns (exit code, stdout, stderr).
sub bounded
{
	my ($label, $call) = @_;
	my ($out, $err, $timed_out) = ('', '', 0);
	my $t0 = time;
	my $ret = $node->psql($db, "$settings\n\\set VERBOSITY verbose\n$call",
		stdout => \$out, stderr => \$err, timeout => 60, timed_out => \$timed_out);
	my $secs = time - $t0;
	ok(!$timed_out, "$label: does not hang");
	cmp_ok($secs, '<', 30, sprintf("$label: returns after the lock timeout (%.1f s)", $secs));
	return ($ret, $out, $err);
}

sub no_job
{
	my ($label) = @_;
	is($node->safe_psql($db,
		'SELECT (SELECT count(*) FROM architect.index_jobs_log) + (SELECT count(*) FROM architect.index_jobs)'),
		'0', "$label: no job, nothing half made");
	return;
}

# lock_error($label, $sql, $what): the call fails with 55P03 and the hint,
# and leaves no job.
sub lock_error
{
	my ($label, $call, $what) = @_;
	my ($ret, $out, $err) = bounded($label, $call);
	isnt($ret, 0, "$label: fails");
	like($err, qr/ERROR:  55P03: \Q$what\E could not lock table t within pg_architect\.index_lock_timeout \(500 ms\)/,
		"$label: 55P03, says which table");
	like($err, qr/HINT:  Try again when that session has finished .*or raise pg_architect\.index_lock_timeout\./,
		"$label: with a hint");
	no_job($label);
	return;
}

# --- ACCESS EXCLUSIVE: even the AccessShareLock of the checks conflicts ---
my $holder = $node->background_psql($db);
$holder->query_safe('BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE;');

lock_error('create_index, ACCESS EXCLUSIVE held',
	"SELECT architect.create_index('CREATE INDEX t_a ON t (a)');",
	'architect.create_index()');
lock_error('create_index without wait, ACCESS EXCLUSIVE held',
	"SELECT architect.create_index('CREATE INDEX t_a ON t (a)', wait => false);",
	'architect.create_index()');
lock_error('drop_index, ACCESS EXCLUSIVE held',
	"SELECT architect.drop_index('t_b', force => true);",
	'architect.drop_index()');

# The advisor cannot plan the queries on t within the lock timeout: asked
# for a recommendation by name, that is a lock error, not "no such
# recommendation"; apply_recommendations() skips the table for this run.
my ($ret, $out, $err) = bounded('create_index of a recommendation, ACCESS EXCLUSIVE held',
	"SELECT architect.create_index('$rec');");
isnt($ret, 0, 'create_index of a recommendation, ACCESS EXCLUSIVE held: fails');
like($err, qr/ERROR:  55P03: architect\.create_index\(\) could not lock the tables of the captured queries/,
	'create_index of a recommendation, ACCESS EXCLUSIVE held: 55P03, not "no such recommendation"');
no_job('create_index of a recommendation, ACCESS EXCLUSIVE held');
($ret, $out, $err) = bounded('apply_recommendations, ACCESS EXCLUSIVE held',
	"SELECT action FROM architect.apply_recommendations(NULL, 5, dry_run => false);");
is($ret, 0, 'apply_recommendations, ACCESS EXCLUSIVE held: returns');
unlike($out, qr/queued/, 'apply_recommendations, ACCESS EXCLUSIVE held: queues nothing');
no_job('apply_recommendations, ACCESS EXCLUSIVE held');
$holder->query_safe('COMMIT;');

# --- SHARE (what a plain CREATE INDEX holds) conflicts with the advisor's
# planning of the captured UPDATE (RowExclusiveLock) and with the build ---
$holder->query_safe('BEGIN; LOCK TABLE t IN SHARE MODE;');
($ret, $out, $err) = bounded('apply_recommendations, SHARE held',
	"SELECT action FROM architect.apply_recommendations(NULL, 5, dry_run => false);");
is($ret, 0, 'apply_recommendations, SHARE held: returns');
$holder->query_safe('COMMIT;');
$holder->quit;
# Whatever it queued ends (done, or failed after its retries).
$node->poll_query_until($db,
	"SELECT count(*) = 0 FROM architect.index_jobs WHERE status IN ('queued', 'running')");
is($node->safe_psql($db,
	"SELECT count(*) FROM pg_index WHERE indrelid = 't'::regclass AND NOT indisvalid"),
	'0', 'no invalid index on t');

# Once the lock is gone, the calls work.
my $job = $node->safe_psql($db,
	"$settings SELECT architect.create_index('CREATE INDEX t_a ON t (a)')");
like($job, qr/^\d+$/, 'with the lock gone, create_index builds');
is($node->safe_psql($db, "SELECT status FROM architect.index_jobs WHERE job_id = $job"),
	'done', 'and its job is done');
$job = $node->safe_psql($db, "$settings SELECT architect.drop_index('t_b', force => true)");
is($node->safe_psql($db, "SELECT status FROM architect.index_jobs WHERE job_id = $job"),
	'done', 'drop_index works again');

$node->stop;
done_testing();
