# A primary and a streaming hot standby, both preloaded:
#   * the extension (created on the primary) replays to the standby;
#   * capture works on the standby (its own shared memory) as on the primary;
#   * every architect view reads on both (listed from the catalog);
#   * the advisor works on the standby (hypothetical indexes need no write)
#     and, given the same workload, recommends what the primary recommends;
#   * explain()/whatif() work on the standby;
#   * every function of schema architect is classified below as working on
#     a standby or refusing there; those that must write refuse with
#     SQLSTATE 25006 and a clear message.  A new function without an entry
#     here makes this test fail, on purpose.
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;
use PgArchitect::Test;
use PgArchitect::Reliability;

# How each public function is called on the standby, and whether it must
# work there ('works') or refuse ('refuses', SQLSTATE 25006).  Keyed by
# regprocedure text.
my %standby = (
	'architect.version()' => [ 'SELECT architect.version()', 'works' ],
	'architect.capture_stats()' => [ 'SELECT * FROM architect.capture_stats()', 'works' ],
	# Empties this server's own shared memory: no WAL, fine on a standby.
	'architect.reset()' => [ 'SELECT architect.reset()', 'works' ],
	'architect.explain(text,boolean)' =>
	  [ q{SELECT count(*) FROM architect.explain('SELECT * FROM items WHERE cat = 3', false)}, 'works' ],
	'architect.whatif(text,text[])' => [
		q{SELECT count(*) FROM architect.whatif('SELECT * FROM items WHERE cat = 3',
		    ARRAY['CREATE INDEX ON items (cat)'])}, 'works'
	],
	'architect.recommend_indexes(double precision,integer)' =>
	  [ 'SELECT count(*) FROM architect.recommend_indexes()', 'works' ],
	'architect.create_index(text,boolean,boolean)' =>
	  [ q{SELECT architect.create_index('CREATE INDEX ON items (price)')}, 'refuses' ],
	'architect.snapshot()' => [ 'SELECT architect.snapshot()', 'refuses' ],
	'architect.enable_audit(regclass)' => [ q{SELECT architect.enable_audit('items')}, 'refuses' ],
	'architect.disable_audit(regclass)' => [ q{SELECT architect.disable_audit('items')}, 'refuses' ],
	'architect.audit_purge(interval)' => [ q{SELECT architect.audit_purge('1 day')}, 'refuses' ],
	'architect.enable_updated_at(regclass,name)' =>
	  [ q{SELECT architect.enable_updated_at('items')}, 'refuses' ],
	'architect.disable_updated_at(regclass)' =>
	  [ q{SELECT architect.disable_updated_at('items')}, 'refuses' ],
	'architect.enable_rls(regclass,name,text)' =>
	  [ q{SELECT architect.enable_rls('items', 'cat')}, 'refuses' ],
	'architect.disable_rls(regclass)' => [ q{SELECT architect.disable_rls('items')}, 'refuses' ],
	'architect.enable_soft_delete(regclass,name)' =>
	  [ q{SELECT architect.enable_soft_delete('items')}, 'refuses' ],
	'architect.disable_soft_delete(regclass)' =>
	  [ q{SELECT architect.disable_soft_delete('items')}, 'refuses' ],
	'architect.unschedule()' => [ 'SELECT architect.unschedule()', 'refuses' ],
);

my $primary = new_node('primary', init => { allows_streaming => 1 },
	conf => "pg_architect.sample_rate = 1\n");
$primary->start;
$primary->safe_psql('postgres', q{
	CREATE EXTENSION pg_stat_statements;
	CREATE EXTENSION pg_architect;
	CREATE TABLE items (id int PRIMARY KEY, cat int, price numeric, note text);
	INSERT INTO items SELECT g, g % 500, g % 997, md5(g::text) FROM generate_series(1, 50000) g;
	ANALYZE items;
});
$primary->backup('base');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'base', has_streaming => 1);
$standby->start;
$primary->wait_for_catchup($standby);

is($standby->safe_psql('postgres', 'SELECT pg_is_in_recovery()'), 't', 'standby is in recovery');
is($standby->safe_psql('postgres', 'SELECT architect.version()'), '0.1.0',
	'the extension replayed to the standby');
is($standby->safe_psql('postgres', 'SELECT max_entries FROM architect.capture_stats'), '5000',
	'the standby has its own store');

# --- every view on both ---------------------------------------------------------
my $views = $primary->safe_psql('postgres', q{
	SELECT string_agg(format('%I.%I', schemaname, viewname), ' ' ORDER BY viewname)
	  FROM pg_views WHERE schemaname = 'architect'});
for my $node ($primary, $standby)
{
	for my $v (split / /, $views)
	{
		my ($ret, $out, $err) = $node->psql('postgres', "SELECT count(*) FROM $v");
		is($ret, 0, $node->name . ": $v reads") or diag $err;
	}
}

# --- capture on the standby -------------------------------------------------------
my $has_patterns = has_object($standby, 'postgres', 'architect.query_patterns');
my $workload = join('', map { "SELECT count(*) FROM items WHERE cat = $_ AND price > 10;\n" } 1 .. 30);
SKIP:
{
	skip 'capture (query_patterns) not installed yet', 2 unless $has_patterns;
	$standby->safe_psql('postgres', 'SELECT architect.reset()');
	$standby->safe_psql('postgres', $workload . "SELECT 1 /* standby_only_marker */;");
	cmp_ok($standby->safe_psql('postgres', q{
		SELECT coalesce(sum(calls), 0) FROM architect.query_patterns q
		  JOIN pg_stat_statements s USING (queryid)
		 WHERE s.query LIKE '%items WHERE cat = $1%'}), '>=', 30,
		'capture on the standby counts the standby workload');
	is($primary->safe_psql('postgres', q{
		SELECT count(*) FROM architect.query_patterns
		 WHERE example_query LIKE '%standby' || '_only_marker%'}), '0',
		'the primary does not see the standby workload (separate stores)');
}

# --- the advisor: same workload, same advice ----------------------------------------
my $has_advisor = has_object($standby, 'postgres', 'architect.recommend_indexes(float8,integer)');
SKIP:
{
	skip 'advisor not installed yet', 2 unless $has_advisor && $has_patterns;
	for my $node ($primary, $standby)
	{
		$node->safe_psql('postgres', 'SELECT architect.reset()');
		$node->safe_psql('postgres', $workload);
	}
	my $advice = q{SELECT string_agg(ddl, E'\n' ORDER BY ddl) FROM architect.recommend_indexes()};
	my $on_primary = $primary->safe_psql('postgres', $advice);
	my $on_standby = $standby->safe_psql('postgres', $advice);
	like($on_standby, qr/CREATE INDEX CONCURRENTLY .*items.*cat/,
		'the advisor on the standby recommends the missing index');
	is($on_standby, $on_primary, 'the standby recommends what the primary recommends');
}

# --- every function: works, or refuses with 25006 -----------------------------------
my @functions = split /\n/, $standby->safe_psql('postgres', q{
	SELECT p.oid::regprocedure FROM pg_proc p
	 WHERE p.pronamespace = 'architect'::regnamespace ORDER BY 1});
cmp_ok(scalar(@functions), '>=', 3, 'functions listed from the catalog');
for my $fn (@functions)
{
	my $entry = $standby{$fn};
	ok(defined $entry, "$fn has an entry in this test's table")
	  or next;
	my ($sql, $expect) = @$entry;
	my ($ret, $out, $err) = $standby->psql('postgres', "\\set VERBOSITY verbose\n$sql");
	if ($expect eq 'works')
	{
		is($ret, 0, "$fn works on the standby") or diag $err;
	}
	else
	{
		isnt($ret, 0, "$fn refuses on the standby");
		like($err, qr/ERROR:\s+25006: .*(hot standby|read-only transaction)/,
			"$fn: SQLSTATE 25006 with a clear message") or diag $err;
	}
}

# What refused on the standby changed nothing there (nothing to change: it
# is read-only) and the primary still works after all this.
$primary->safe_psql('postgres', 'INSERT INTO items VALUES (50001, 1, 1, NULL)');
$primary->wait_for_catchup($standby);
is($standby->safe_psql('postgres', 'SELECT count(*) FROM items'), '50001', 'replication continues');
is($standby->safe_psql('postgres',
	q{SELECT count(*) FROM pg_index WHERE indrelid = 'items'::regclass}), '1',
	'no index appeared on the table');

$standby->stop;
$primary->stop;
done_testing();
