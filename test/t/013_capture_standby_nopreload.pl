# Capture without preload (views refuse with SQLSTATE 55000 and a hint,
# explain() works) and on a hot standby (read-only statements are captured
# in the standby's own store; explain() with analyze of a write fails as
# any write does there).
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;
use PgArchitect::Test;

# --- not preloaded ---------------------------------------------------------
my $plain = new_node('capture_nopreload', preload => 0);
$plain->start;
$plain->safe_psql('postgres', q{
	CREATE EXTENSION pg_architect;
	CREATE TABLE t (id int PRIMARY KEY, v int);
	INSERT INTO t SELECT g, g FROM generate_series(1, 100) g;
});
for my $view ('query_patterns', 'predicates', 'plan_findings', 'query_errors')
{
	my ($ret, $out, $err) = $plain->psql('postgres',
		"\\set VERBOSITY verbose\nSELECT * FROM architect.$view", on_error_stop => 1);
	isnt($ret, 0, "$view fails without preload");
	like($err, qr/ERROR:\s+55000: architect\.$view requires pg_architect to be loaded via shared_preload_libraries/,
		"$view: SQLSTATE 55000");
	like($err, qr/HINT:\s+Add pg_architect to shared_preload_libraries/, "$view: hint");
}
is($plain->safe_psql('postgres', q{SELECT detail FROM architect.explain(
	'SELECT v FROM t WHERE v = 5') WHERE kind = 'predicate'}),
	'public.t.v = 5', 'explain() works without preload');
is($plain->safe_psql('postgres', q{SELECT value FROM architect.explain(
	'SELECT v FROM t WHERE v < 5', true) WHERE item = 'actual_rows'}),
	'4', 'explain() with analyze works without preload');
is($plain->safe_psql('postgres', q{SELECT count(*) FROM t}), '100',
	'queries run normally');
$plain->stop;

# --- hot standby ------------------------------------------------------------
my $primary = new_node('capture_primary', init => { allows_streaming => 1 });
$primary->start;
$primary->safe_psql('postgres', q{
	CREATE EXTENSION pg_architect;
	CREATE TABLE t (id int PRIMARY KEY, v int);
	INSERT INTO t SELECT g, g % 10 FROM generate_series(1, 1000) g;
	ANALYZE t;
});
$primary->backup('bk');
my $standby = PostgreSQL::Test::Cluster->new('capture_standby');
$standby->init_from_backup($primary, 'bk', has_streaming => 1);
$standby->start;
$primary->wait_for_catchup($standby);

is($standby->safe_psql('postgres', 'SELECT pg_is_in_recovery()'), 't', 'standby in recovery');
$standby->safe_psql('postgres',
	join("\n", map { "SELECT count(*) FROM t WHERE v = $_;" } 1 .. 4));
is($standby->safe_psql('postgres', q{SELECT calls FROM architect.query_patterns
	WHERE example_query LIKE 'SELECT count(*) FROM t WHERE v =%'}), '4',
	'statements on the standby are captured');
is($standby->safe_psql('postgres', q{SELECT kind || ' ' || executions FROM architect.predicates
	WHERE table_name = 't' AND column_name = 'v'}), 'filter 4',
	'with their predicates');
is($primary->safe_psql('postgres', q{SELECT count(*) FROM architect.query_patterns
	WHERE example_query LIKE 'SELECT count(*) FROM t WHERE v =%'}), '0',
	'each server has its own store');
is($standby->safe_psql('postgres', q{SELECT count(*) > 0 FROM architect.explain(
	'SELECT * FROM t WHERE id = 3', true)}), 't', 'explain() with analyze of a read works');
my ($ret, $out, $err) = $standby->psql('postgres',
	q{\set VERBOSITY verbose
SELECT * FROM architect.explain('DELETE FROM t WHERE id = 3', true)});
like($err, qr/ERROR:\s+25006:/, 'explain() with analyze of a write fails with 25006');
is($standby->safe_psql('postgres', 'SELECT count(*) FROM t'), '1000', 'nothing changed');
my ($ret2, $out2, $err2) = $standby->psql('postgres', 'SELECT architect.reset()');
is($ret2, 0, 'reset() works on a standby (the store is the server\'s own)');

$standby->stop;
$primary->stop;
done_testing();
