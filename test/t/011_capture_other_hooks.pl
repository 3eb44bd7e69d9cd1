# Other extensions' executor hooks keep working with pg_architect loaded
# before or after them: pg_stat_statements counts (with buffers, which need
# the shared total-time instrument), auto_explain logs analysed plans, and
# pg_architect counts and measures.
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;
use PgArchitect::Test;

for my $case (
	[ 'after', 'auto_explain,pg_stat_statements,pg_architect' ],
	[ 'before', 'pg_architect,pg_stat_statements,auto_explain' ])
{
	my ($name, $libs) = @$case;
	my $node = new_node("hooks_$name", conf => qq{
shared_preload_libraries = '$libs'
auto_explain.log_min_duration = 0
auto_explain.log_analyze = on
auto_explain.log_buffers = on
auto_explain.log_nested_statements = on
pg_architect.sample_rate = 0
pg_architect.sample_first = 2
});
	$node->start;
	is($node->safe_psql('postgres', 'SHOW shared_preload_libraries'), $libs,
		"$name: libraries loaded in this order");
	$node->safe_psql('postgres', q{
		CREATE EXTENSION pg_stat_statements;
		CREATE EXTENSION pg_architect;
		CREATE TABLE hk (id int PRIMARY KEY, v int);
		INSERT INTO hk SELECT g, g % 10 FROM generate_series(1, 2000) g;
		ANALYZE hk;
		CREATE FUNCTION hk_f() RETURNS bigint LANGUAGE plpgsql AS
		  $$ BEGIN RETURN (SELECT count(*) FROM hk WHERE v = 3); END $$;
		SELECT pg_stat_statements_reset();
		SELECT architect.reset();
	});
	my $log_offset = -s $node->logfile;
	$node->safe_psql('postgres',
		join("\n", map { "SELECT count(*) FROM hk WHERE v = $_;" } 1 .. 5)
		  . "\nSELECT hk_f();\nSELECT hk_f();");

	is($node->safe_psql('postgres', q{SELECT calls FROM pg_stat_statements
		WHERE query LIKE 'SELECT count(*) FROM hk WHERE v = $1%'}), '5',
		"$name: pg_stat_statements counts");
	cmp_ok($node->safe_psql('postgres', q{SELECT shared_blks_hit + shared_blks_read
		FROM pg_stat_statements WHERE query LIKE 'SELECT count(*) FROM hk WHERE v = $1%'}),
		'>', 0, "$name: pg_stat_statements still sees buffers");
	is($node->safe_psql('postgres', q{SELECT calls FROM architect.query_patterns
		WHERE example_query LIKE 'SELECT count(*) FROM hk WHERE v =%'}), '5',
		"$name: pg_architect counts");
	# auto_explain instruments every statement, so every one is measured.
	is($node->safe_psql('postgres', q{SELECT executions || '/' || measured_executions
		FROM architect.predicates p JOIN architect.query_patterns q USING (dbid, queryid)
		WHERE q.example_query LIKE 'SELECT count(*) FROM hk WHERE v =%'}), '5/5',
		"$name: pg_architect measures with auto_explain's instrumentation");
	is($node->safe_psql('postgres', q{SELECT calls FROM architect.query_patterns
		WHERE example_query = '(SELECT count(*) FROM hk WHERE v = 3)'}), '2',
		"$name: nested statements counted");
	ok($node->log_contains(qr/Query Text: SELECT count\(\*\) FROM hk WHERE v = 5;.*?actual time=.*?Buffers:/s, $log_offset),
		"$name: auto_explain logs the analysed plan");
	ok($node->log_contains(qr/Query Text: \(SELECT count\(\*\) FROM hk WHERE v = 3\)/, $log_offset),
		"$name: auto_explain logs nested statements");

	# EXPLAIN ANALYZE and architect.explain() with everything loaded.  The
	# statement under EXPLAIN ANALYZE runs, so it counts (same query id),
	# but the kept text stays the plain statement.
	like($node->safe_psql('postgres',
		'EXPLAIN (ANALYZE, COSTS OFF, TIMING ON) SELECT count(*) FROM hk WHERE v = 1'),
		qr/actual time=.* rows=200 loops=1/, "$name: EXPLAIN ANALYZE works");
	my $qid = $node->safe_psql('postgres', q{SELECT queryid FROM pg_stat_statements
		WHERE query LIKE 'SELECT count(*) FROM hk WHERE v = $1%'});
	is($node->safe_psql('postgres', qq{SELECT calls || ' ' || example_query
		FROM architect.query_patterns WHERE queryid = $qid}),
		'6 SELECT count(*) FROM hk WHERE v = ' . ($node->safe_psql('postgres', qq{SELECT
		  substring(example_query from '\\d+\$') FROM architect.query_patterns WHERE queryid = $qid})),
		"$name: EXPLAIN ANALYZE counted, plain text kept");
	is($node->safe_psql('postgres', q{SELECT value FROM architect.explain(
		'SELECT id FROM hk WHERE v = 2', true) WHERE item = 'actual_rows'}),
		'200', "$name: architect.explain works");

	# Capture off: the others keep counting, pg_architect does not.
	$node->safe_psql('postgres', q{SET pg_architect.capture = off;
		SELECT count(*) FROM hk WHERE v = 9;});
	is($node->safe_psql('postgres', q{SELECT calls FROM pg_stat_statements
		WHERE query LIKE 'SELECT count(*) FROM hk WHERE v = $1%'}), '6',
		"$name: pg_stat_statements counts with capture off");
	is($node->safe_psql('postgres', qq{SELECT calls FROM architect.query_patterns
		WHERE queryid = $qid}), '6',
		"$name: pg_architect does not count with capture off");
	$node->stop;
}

done_testing();
