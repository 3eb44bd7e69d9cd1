# Crashes in the middle of index builds, seen from outside the indexer:
# the backend that waits for a build (create_index(wait => true)) or an
# unrelated backend running captured queries is killed with SIGKILL while a
# CREATE INDEX CONCURRENTLY runs in the job worker, at a random moment of
# the build; the postmaster restarts everything.  Each time:
#   * the server is back and nothing else crashed;
#   * the capture store was discarded, the advisor and every view work;
#   * the cleanup pass leaves no invalid index and no job stuck as queued
#     or running;
#   * the same index can then be built.
# Then transactions: a job queued with wait => false is cancelled when its
# transaction rolls back, and so is one queued in a SAVEPOINT that rolls
# back while the transaction commits.
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);
use PgArchitect::Test;
use PgArchitect::Reliability;

my $node = new_node('crash_index_build', conf => "
pg_architect.sample_rate = 1
restart_after_crash = on
");
$node->start;
my $db = 'postgres';
$node->safe_psql($db, q{
	CREATE EXTENSION pg_stat_statements;
	CREATE EXTENSION pg_architect;
	-- An index on slow_key(v) takes at least a millisecond per row to build.
	CREATE FUNCTION slow_key(int) RETURNS int IMMUTABLE LANGUAGE plpgsql
	    AS $$ BEGIN PERFORM pg_sleep(0.001); RETURN $1; END $$;
	CREATE TABLE items (id int PRIMARY KEY, v int, note text);
	INSERT INTO items SELECT g, g, md5(g::text) FROM generate_series(1, 3000) g;
	ANALYZE items;
});

sub poll_or_fail
{
	my ($sql, $what) = @_;
	ok($node->poll_query_until($db, $sql), $what);
}

# The state after a crash, whatever was killed.
sub after_crash
{
	my ($label, $job) = @_;
	# The cleanup pass runs in the background after the restart.
	poll_or_fail(qq{SELECT count(*) = 0 FROM architect.index_jobs_log
	                 WHERE job_id = $job AND (status IN ('queued', 'running') OR cleanup_pending)},
		"$label: the job is not left queued or running");
	poll_or_fail('SELECT count(*) = 0 FROM pg_index WHERE NOT indisvalid',
		"$label: no invalid index remains");
	is($node->safe_psql($db, q{SELECT count(*) FROM architect.index_jobs
	                            WHERE status IN ('queued', 'running')}), '0',
		"$label: index_jobs shows nothing running");
	my $views = $node->safe_psql($db, q{
		SELECT string_agg(format('SELECT count(*) FROM %I.%I', schemaname, viewname), ';')
		  FROM pg_views WHERE schemaname = 'architect'});
	my ($ret, $out, $err) = $node->psql($db, $views);
	is($ret, 0, "$label: every architect view reads") or diag $err;
	($ret, $out, $err) = $node->psql($db, 'SELECT count(*) FROM architect.recommend_indexes()');
	is($ret, 0, "$label: the advisor works") or diag $err;
	is($node->safe_psql($db, q{SELECT count(*) FROM architect.query_patterns
	                            WHERE example_query LIKE '%' || 'before' || '_crash_marker%'}),
		'0', "$label: the store was discarded");
}

# Wait until the job's build is under way, then a random moment more.
sub mid_build
{
	my ($index) = @_;
	poll_or_fail(qq{SELECT count(*) = 1 FROM architect.index_jobs
	                 WHERE index_name = '$index' AND phase LIKE 'building%'},
		"$index: the build is running");
	usleep(int(rand(1_500_000)));
}

my $kills = 0;
my $rounds = full_run() ? 6 : 3;    # make test (CI): 3, make test-full: 6

for my $round (1 .. $rounds)
{
	my $index = "items_slow_$round";
	$node->safe_psql($db, 'SELECT count(*) FROM items WHERE v = 7 /* before_crash_marker */');

	# (a) the caller waiting for the build is killed
	my $caller = $node->background_psql($db, on_error_stop => 0);
	my $caller_pid = $caller->query_safe('SELECT pg_backend_pid()');
	$caller->query_until(qr/go/,
		"\\echo go\nSELECT architect.create_index('CREATE INDEX $index ON items (slow_key(v))');\n");
	mid_build($index);
	my $job = $node->safe_psql($db,
		"SELECT max(job_id) FROM architect.index_jobs_log WHERE index_name = '$index'");
	ok(kill_backend($node, $caller_pid), "round $round: server back after SIGKILL of the waiting caller");
	$kills++;
	eval { $caller->quit };
	after_crash("round $round, caller killed", $job);

	# (b) an unrelated backend running captured queries is killed
	$index = "items_slow_${round}b";
	$job = $node->safe_psql($db,
		"SELECT architect.create_index('CREATE INDEX $index ON items (slow_key(v))', wait => false)");
	my $h = start_pgbench($node, $db, "\\set id random(1, 3000)\nSELECT * FROM items WHERE id = :id;\n",
		clients => 2, seconds => 60);
	mid_build($index);
	my $victim = '';
	$node->poll_query_until($db,
		"SELECT count(*) > 0 FROM pg_stat_activity WHERE application_name = 'pgbench'");
	$victim = $node->safe_psql($db,
		"SELECT pid FROM pg_stat_activity WHERE application_name = 'pgbench' LIMIT 1");
	ok($victim ne '' && kill_backend($node, $victim),
		"round $round: server back after SIGKILL of a capturing backend during a build");
	$kills++;
	stop_pgbench($h);
	after_crash("round $round, bystander killed", $job);
}

# The index can be built after all this, and is used.
my $final = $node->safe_psql($db,
	q{SELECT architect.create_index('CREATE INDEX items_slow_final ON items (slow_key(v))')});
is($node->safe_psql($db, "SELECT status FROM architect.index_jobs WHERE job_id = $final"),
	'done', 'the same index builds after the crashes');
is($node->safe_psql($db, q{SELECT indisvalid FROM pg_index WHERE indexrelid = 'items_slow_final'::regclass}),
	't', 'and it is valid');

# --- transactions ------------------------------------------------------------
# A job queued with wait => false waits for its transaction: rolled back,
# no build.
$node->safe_psql($db, q{
	BEGIN;
	SELECT architect.create_index('CREATE INDEX items_rolled_back ON items (note)', wait => false);
	ROLLBACK;
});
sleep 2;
is($node->safe_psql($db, "SELECT count(*) FROM pg_class WHERE relname = 'items_rolled_back'"),
	'0', 'a job queued in a transaction that rolls back builds nothing');

# Queued in a savepoint that rolls back, inside a transaction that commits:
# the request was undone, so should be the job.
my $sp_job = $node->safe_psql($db, q{
	BEGIN;
	SAVEPOINT s;
	SELECT architect.create_index('CREATE INDEX items_sp_rolled_back ON items (note)', wait => false);
	ROLLBACK TO SAVEPOINT s;
	COMMIT;
});
poll_or_fail("SELECT count(*) = 0 FROM architect.index_jobs WHERE job_id = $sp_job AND status IN ('queued', 'running')",
	'the savepoint job has finished one way or the other');
# (Was a TODO test until the indexer made the job wait for the xid of the
# subtransaction that queued it; it passes now and must keep passing.)
is($node->safe_psql($db, "SELECT count(*) FROM pg_class WHERE relname = 'items_sp_rolled_back'"),
	'0', 'a job queued in a savepoint that rolls back builds nothing');
is($node->safe_psql($db, "SELECT status FROM architect.index_jobs WHERE job_id = $sp_job"),
	'cancelled', 'the savepoint job is cancelled');

my ($killed, @other) = crash_reports($node);
is($killed, $kills, "the log shows exactly the $kills backends we killed");
is(scalar(@other), 0, 'no other crash report in the log') or diag join("\n", @other);

$node->stop;
done_testing();
