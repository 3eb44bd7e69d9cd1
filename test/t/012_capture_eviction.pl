# A tiny store under concurrent load: four clients keep creating new query
# ids (400 of them, for 100 slots) while running one hot query.  Every
# client makes progress, entries are evicted, and the counters of what
# stays are exact.
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;
use PgArchitect::Test;

# Without pg_cron: nothing but the clients runs statements here.
my $node = new_node('capture_eviction', conf => q{
shared_preload_libraries = 'pg_stat_statements,pg_architect'
pg_architect.max_entries = 100
pg_architect.sample_rate = 0.1
});
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION pg_architect;
	CREATE TABLE hot (id int PRIMARY KEY, v int);
	INSERT INTO hot SELECT g, g FROM generate_series(1, 100) g;
	-- A statement of k terms: each k is a query id of its own.
	CREATE FUNCTION churn(k int) RETURNS bigint LANGUAGE plpgsql AS $$
	DECLARE r bigint;
	BEGIN
	  EXECUTE 'SELECT ' || (SELECT string_agg('1', '+') FROM generate_series(1, k))
	    INTO r;
	  RETURN r;
	END $$;
});
is($node->safe_psql('postgres', 'SELECT max_entries FROM architect.capture_stats'),
	'100', 'store of 100 entries');
$node->safe_psql('postgres', 'SELECT architect.reset()');

my $clients = 4;
my $per_client = 250;
my $script = $node->basedir . '/churn.sql';
open my $fh, '>', $script or die $!;
print $fh "\\set k random(1, 400)\nSELECT churn(:k);\nSELECT v FROM hot WHERE id = 7;\n";
close $fh;

my $bindir = $ENV{PGA_BINDIR} or die "PGA_BINDIR is not set";
my $out = '';
my $err = '';
my $ok = IPC::Run::run(
	[ "$bindir/pgbench", '-n', '-c', $clients, '-j', 2, '-t', $per_client,
	  '-f', $script, '-h', $node->host, '-p', $node->port, 'postgres' ],
	'>', \$out, '2>', \$err,
	IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default));
ok($ok, 'pgbench finished') or diag($err);
my $total = $clients * $per_client;
like($out, qr/number of transactions actually processed: $total\/$total/,
	'every client made progress');

# What the store says.  Each transaction ran four statements with a query
# id (the churn call, the query building the text, the statement it
# executes, the hot query); reset() itself was one more.
my ($queries, $evictions, $dropped, $executions) = split /\|/,
  $node->safe_psql('postgres',
	'SELECT queries, evictions, dropped, executions FROM architect.capture_stats');
cmp_ok($queries, '<=', 100, 'the store never holds more than its capacity');
cmp_ok($evictions, '>', 0, 'entries were evicted');
cmp_ok($dropped, '>=', 0, 'drops are counted');
is($executions, 4 * $total + 1, 'every execution counted');

# The hot entries stay, with exact counts.
is($node->safe_psql('postgres', q{SELECT calls FROM architect.query_patterns
	WHERE example_query LIKE 'SELECT v FROM hot WHERE id = 7'}), $total,
	'the hot query kept its exact count');
is($node->safe_psql('postgres', q{SELECT calls FROM architect.query_patterns
	WHERE example_query LIKE 'SELECT churn(%'}), $total,
	'the churn call kept its exact count');
is($node->safe_psql('postgres', q{SELECT executions FROM architect.predicates
	WHERE table_name = 'hot' AND column_name = 'id'}), $total,
	'the hot predicate kept its exact count');
# Entries of the churned statements never count more than they ran.
cmp_ok($node->safe_psql('postgres', q{SELECT coalesce(sum(calls), 0) FROM architect.query_patterns
	WHERE example_query LIKE 'SELECT 1%'}), '<=', $total,
	'evicted and re-created entries never over-count');

# reset() while clients run: they carry on.
my $bg = IPC::Run::start(
	[ "$bindir/pgbench", '-n', '-c', 2, '-j', 2, '-t', 200,
	  '-f', $script, '-h', $node->host, '-p', $node->port, 'postgres' ],
	'>', \$out, '2>', \$err,
	IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default));
$node->safe_psql('postgres', 'SELECT architect.reset()') for 1 .. 5;
ok($bg->finish, 'clients finished while the store was being reset');
like($out, qr/number of transactions actually processed: 400\/400/,
	'and all of their transactions ran');
cmp_ok($node->safe_psql('postgres', 'SELECT queries FROM architect.capture_stats'),
	'<=', 100, 'capacity still respected');

$node->stop;
done_testing();
