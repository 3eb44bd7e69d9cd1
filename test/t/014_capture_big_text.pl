# A store whose slots times entry size passes 1 GB: each entry keeps
# track_activity_query_size bytes of query text, so 1MB of text and 1,100
# entries make a 1.1 GB store.  The views and the save at shutdown copy
# only the entries in use; they used to size one palloc for every slot and
# failed with "invalid memory alloc request size" (the views) or lost the
# store at shutdown (FATAL in the postmaster's exit).
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;
use PgArchitect::Test;

my $node = new_node('capture_big_text',
	conf => "track_activity_query_size = '1MB'\npg_architect.max_entries = 1100\n");
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION pg_architect;
	CREATE TABLE t (id int PRIMARY KEY, v int);
	INSERT INTO t SELECT g, g % 10 FROM generate_series(1, 1000) g;
	ANALYZE t;
	SELECT architect.reset();
});
$node->safe_psql('postgres',
	join("\n", map { "SELECT count(*) FROM t WHERE v = $_;" } 1 .. 5));

my $calls_sql = q{SELECT calls FROM architect.query_patterns
	WHERE example_query LIKE 'SELECT count(*) FROM t WHERE v =%'};
my ($ret, $out, $err) = $node->psql('postgres', $calls_sql);
is($ret, 0, 'query_patterns reads a store of more than 1 GB') or diag $err;
is($out, '5', 'five executions counted');
is($node->safe_psql('postgres', q{SELECT count(*) > 0 FROM architect.predicates WHERE table_name = 't'}),
	't', 'predicates reads it too');

# A clean restart saves and restores the entries in use.
$node->restart;
is($node->safe_psql('postgres', $calls_sql), '5', 'entries kept across a clean restart');
my $log = slurp_file($node->logfile);
unlike($log, qr/invalid memory alloc request size/, 'no allocation error in the log');

$node->stop;
done_testing();
