# Crashes in the middle of capture: a backend is killed with SIGKILL while
# its queries go through pg_architect's hooks (a long query, a pgbench
# workload at random moments, a loop of architect.reset()); each time the
# postmaster reinitialises shared memory, and then
#   * the server accepts connections again and nothing else crashed;
#   * the store was discarded: what was captured before the crash is gone
#     (it is persisted on clean shutdown only), and it captures again;
#   * every architect view and the advisor work;
#   * a clean restart afterwards works (no half-written state file).
# pgbench rounds: 12 in make test (CI), 25 in make test-full (PGA_TEST_FULL).
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;
use PgArchitect::Test;
use PgArchitect::Reliability;

my $node = new_node('crash_capture', conf => "
pg_architect.sample_rate = 1
pg_architect.capture = on
restart_after_crash = on
");
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION pg_stat_statements;
	CREATE EXTENSION pg_architect;
	CREATE TABLE items (id int PRIMARY KEY, cat int, price numeric, note text);
	INSERT INTO items SELECT g, g % 50, g % 997, md5(g::text) FROM generate_series(1, 20000) g;
	ANALYZE items;
});

my $has_patterns = has_object($node, 'postgres', 'architect.query_patterns');
my $has_advisor = has_object($node, 'postgres', 'architect.recommend_indexes(float8,integer)');

# Every architect view can be read (the list comes from the catalog, so a
# new view is covered as soon as it exists), and the advisor runs.
sub views_work
{
	my ($label) = @_;
	my $views = $node->safe_psql('postgres', q{
		SELECT string_agg(format('SELECT count(*) FROM %I.%I', schemaname, viewname), ';')
		  FROM pg_views WHERE schemaname = 'architect'});
	my ($ret, $out, $err) = $node->psql('postgres', $views);
	is($ret, 0, "$label: every architect view reads") or diag $err;
	SKIP:
	{
		skip 'advisor not installed yet', 1 unless $has_advisor;
		($ret, $out, $err) = $node->psql('postgres',
			'SELECT count(*) FROM architect.recommend_indexes()');
		is($ret, 0, "$label: recommend_indexes() works") or diag $err;
	}
}

# How often the store has a marker query (the tag is split in two so that
# this query, captured too, does not contain it).
sub marker_count
{
	my ($suffix) = @_;
	my $tag = "'crash_marker' || '_$suffix'";
	return $node->safe_psql('postgres', qq{
		SELECT coalesce(sum(calls), 0) FROM architect.query_patterns
		 WHERE example_query LIKE '%' || $tag || '%' OR queryid IN (
		       SELECT queryid FROM pg_stat_statements WHERE query LIKE '%' || $tag || '%')});
}

sub no_invalid_index
{
	my ($label) = @_;
	is($node->safe_psql('postgres', 'SELECT count(*) FROM pg_index WHERE NOT indisvalid'),
		'0', "$label: no invalid index");
}

my $kills = 0;

# --- 1. a long captured query, killed mid-execution ------------------------
SKIP:
{
	skip 'capture (query_patterns) not installed yet', 2 unless $has_patterns;
	$node->safe_psql('postgres',
		'SELECT count(*) FROM items WHERE cat = 7 /* crash_marker_before */') for 1 .. 3;
	cmp_ok(marker_count('before'), '>=', 1, 'marker captured before the crash');
}
my $bg = $node->background_psql('postgres', on_error_stop => 0);
my $pid = $bg->query_safe('SELECT pg_backend_pid()');
$bg->query_until(qr/started/, q{\echo started
SELECT count(*) FROM items a CROSS JOIN generate_series(1, 1000000) g WHERE a.price + g < 0;
});
ok($node->poll_query_until('postgres',
	"SELECT state = 'active' FROM pg_stat_activity WHERE pid = $pid"),
	'long query is running');
ok(kill_backend($node, $pid), 'server back after SIGKILL of a backend mid-query');
$kills++;
eval { $bg->quit };
SKIP:
{
	skip 'capture (query_patterns) not installed yet', 1 unless $has_patterns;
	is(marker_count('before'), '0',
		'the store was discarded: the marker from before the crash is gone');
}
views_work('after a mid-query crash');

SKIP:
{
	skip 'capture (query_patterns) not installed yet', 1 unless $has_patterns;
	$node->safe_psql('postgres',
		'SELECT count(*) FROM items WHERE cat = 8 /* crash_marker_after */') for 1 .. 2;
	cmp_ok(marker_count('after'), '>=', 1, 'capture works again after the crash');
}

# --- 2. pgbench through the hooks, backends killed at random moments -------
my $rounds = full_run() ? 25 : 12;
my $script = q{
\set id random(1, 20000)
\set c random(0, 49)
SELECT * FROM items WHERE id = :id;
SELECT count(*) FROM items WHERE cat = :c AND price > 500;
UPDATE items SET note = md5(note) WHERE id = :id;
SELECT cat, avg(price) FROM items WHERE cat < :c GROUP BY cat ORDER BY 2 DESC LIMIT 3;
};
for my $round (1 .. $rounds)
{
	my $h = start_pgbench($node, 'postgres', $script, clients => 6, seconds => 60);
	# Wait until the pgbench clients are connected, then a random moment
	# more; kill one that is running a query if there is one (then it is
	# inside the executor, where the hooks are), else any.
	$node->poll_query_until('postgres',
		"SELECT count(*) >= 6 FROM pg_stat_activity WHERE application_name = 'pgbench'");
	Time::HiRes::usleep(200_000 + int(rand(800_000)));
	my $victim = $node->safe_psql('postgres', q{
		SELECT pid FROM pg_stat_activity
		 WHERE application_name = 'pgbench'
		 ORDER BY state = 'active' DESC, random() LIMIT 1});
	ok($victim ne '' && kill_backend($node, $victim),
		"round $round: server back after SIGKILL of a busy pgbench backend");
	$kills++;
	stop_pgbench($h);
}
views_work('after pgbench crashes');
no_invalid_index('after pgbench crashes');

# --- 3. a loop of architect.reset(), killed while it runs ------------------
$bg = $node->background_psql('postgres', on_error_stop => 0);
$pid = $bg->query_safe('SELECT pg_backend_pid()');
$bg->query_until(qr/started/, q{\echo started
DO $$ BEGIN FOR i IN 1 .. 10000000 LOOP PERFORM architect.reset(); PERFORM count(*) FROM architect.capture_stats; END LOOP; END $$;
});
ok($node->poll_query_until('postgres',
	"SELECT state = 'active' FROM pg_stat_activity WHERE pid = $pid"), 'reset loop is running');
Time::HiRes::usleep(200_000);
ok(kill_backend($node, $pid), 'server back after SIGKILL during architect.reset()');
$kills++;
eval { $bg->quit };
views_work('after a crash during reset()');

# --- 4. nothing but our kills, and a clean restart works -------------------
my ($killed, @other) = crash_reports($node);
is($killed, $kills, "the log shows exactly the $kills backends we killed");
is(scalar(@other), 0, 'no other crash report in the log') or diag join("\n", @other);

$node->restart;
is($node->safe_psql('postgres', 'SELECT max_entries FROM architect.capture_stats'),
	'5000', 'clean restart after the crashes: the store is attached');
views_work('after a clean restart');
like(slurp_file($node->logfile), qr/database system is ready to accept connections/,
	'server started');

$node->stop;
done_testing();
