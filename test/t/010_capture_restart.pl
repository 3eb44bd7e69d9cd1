# The workload store across restarts: kept across a clean restart, gone
# after a crash, not saved with pg_architect.save = off, and a store file of
# another format is ignored rather than loaded.
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;
use PgArchitect::Test;

my $node = new_node('capture_restart', conf => "restart_after_crash = on\n");
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION pg_architect;
	CREATE TABLE t (id int PRIMARY KEY, v int);
	INSERT INTO t SELECT g, g % 10 FROM generate_series(1, 1000) g;
	ANALYZE t;
	SELECT architect.reset();
});

sub run_queries
{
	my ($n) = @_;
	$node->safe_psql('postgres',
		join("\n", map { "SELECT count(*) FROM t WHERE v = $_;" } 1 .. $n));
}

my $calls_sql = q{SELECT calls FROM architect.query_patterns
	WHERE example_query LIKE 'SELECT count(*) FROM t WHERE v =%'};
my $pred_sql = q{SELECT executions FROM architect.predicates
	WHERE table_name = 't' AND column_name = 'v' AND kind = 'filter'};

run_queries(5);
is($node->safe_psql('postgres', $calls_sql), '5', 'five executions counted');
is($node->safe_psql('postgres', $pred_sql), '5', 'predicate counted five times');
my $reset_before = $node->safe_psql('postgres',
	'SELECT stats_reset FROM architect.capture_stats');

# A clean restart keeps everything, and says how much it restored.
$node->restart;
is($node->safe_psql('postgres', $calls_sql), '5', 'calls kept across a clean restart');
is($node->safe_psql('postgres', $pred_sql), '5', 'predicates kept across a clean restart');
is($node->safe_psql('postgres', q{SELECT example_query IS NOT NULL FROM architect.query_patterns
	WHERE example_query LIKE 'SELECT count(*) FROM t WHERE v =%'}), 't', 'query text kept');
cmp_ok($node->safe_psql('postgres', 'SELECT restored FROM architect.capture_stats'),
	'>=', 2, 'capture_stats reports the restored entries');
is($node->safe_psql('postgres', 'SELECT stats_reset FROM architect.capture_stats'),
	$reset_before, 'stats_reset kept');
ok(!-e $node->data_dir . '/pg_stat/pg_architect.stat',
	'the store file is removed once loaded');

# Counting carries on from the restored values.
run_queries(2);
is($node->safe_psql('postgres', $calls_sql), '7', 'counting continues after restart');

# An immediate shutdown is a crash: the store starts empty, and the server
# says why.
$node->stop('immediate');
my $log_offset = -s $node->logfile;
$node->start;
ok($node->log_contains(qr/discarding pg_architect store file .*not shut down cleanly/, $log_offset),
	'the store file of a crashed server is discarded');
is($node->safe_psql('postgres', $calls_sql), '', 'nothing kept after a crash');
is($node->safe_psql('postgres', $pred_sql), '', 'no predicate kept after a crash');
is($node->safe_psql('postgres', 'SELECT restored FROM architect.capture_stats'),
	'0', 'nothing restored after a crash');

# A backend killed while running: the postmaster reinitialises shared
# memory, and the store is empty again.
run_queries(3);
is($node->safe_psql('postgres', $calls_sql), '3', 'counting again');
my $victim = $node->background_psql('postgres');
my $pid = $victim->query_safe('SELECT pg_backend_pid()');
kill 'KILL', $pid;
eval { $victim->quit; };
$node->poll_query_until('postgres', 'SELECT true') or die "server did not come back";
is($node->safe_psql('postgres', $calls_sql), '',
	'store empty after a backend crash and reinitialisation');

# pg_architect.save = off: a clean restart does not keep the store (the
# setting the postmaster has at shutdown decides).
run_queries(2);
$node->append_conf('postgresql.conf', "pg_architect.save = off\n");
$node->reload;
$node->restart;
is($node->safe_psql('postgres', $calls_sql), '', 'save = off: nothing kept across a clean restart');
ok(!-e $node->data_dir . '/pg_stat/pg_architect.stat', 'save = off: no file written');

# A file of another format is ignored with a LOG line, and removed.
$node->append_conf('postgresql.conf', "pg_architect.save = on\n");
$node->stop;
my $file = $node->data_dir . '/pg_stat/pg_architect.stat';
open my $fh, '>', $file or die $!;
binmode $fh;
print $fh pack('LLL', 0x50474131, 999, 0), "x" x 64;
close $fh;
$log_offset = -s $node->logfile;
$node->start;
is($node->safe_psql('postgres', 'SELECT restored FROM architect.capture_stats'),
	'0', 'a store file of another format is not loaded');
ok($node->log_contains(qr/ignoring pg_architect store file .* of another format/, $log_offset),
	'and the server says so');
ok(!-e $file, 'the foreign file is removed');

# A truncated file is not loaded half-way.
run_queries(4);
$node->stop;
truncate $file, (-s $file) - 10 or die $!;
$log_offset = -s $node->logfile;
$node->start;
is($node->safe_psql('postgres', $calls_sql), '', 'a truncated store file is not loaded');
is($node->safe_psql('postgres', 'SELECT restored FROM architect.capture_stats'),
	'0', 'nothing counted as restored');
ok($node->log_contains(qr/could not read pg_architect store file/, $log_offset),
	'and the server says so');

$node->stop;
done_testing();
