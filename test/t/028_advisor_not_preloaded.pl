# The index advisor in a cluster that does not preload pg_architect (nor
# pg_stat_statements): hypothetical indexes need no shared memory, so
# whatif() and recommend_indexes_for() work in a fresh session where the
# library is loaded by the first call, leave nothing behind, and an ordinary
# query in the same session never sees the hypothetical index.
# recommend_indexes() has no workload to read without capture or
# pg_stat_statements: it says so with a hint instead of advising on nothing.
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;
use PgArchitect::Test;

my $node = new_node('adv_not_preloaded', preload => 0);
$node->start;

is($node->safe_psql('postgres', 'SHOW shared_preload_libraries'), '',
	'nothing preloaded');
$node->safe_psql('postgres', q{
	CREATE EXTENSION pg_architect;
	CREATE TABLE np_orders (id int PRIMARY KEY, customer_id int NOT NULL, total numeric NOT NULL);
	INSERT INTO np_orders SELECT g, g % 2000, g % 100 FROM generate_series(1, 30000) g;
	VACUUM ANALYZE np_orders;
});
my $relations_before = $node->safe_psql('postgres', 'SELECT count(*) FROM pg_class');

# Each psql call is a new session: the library is loaded by the call itself.
is($node->safe_psql('postgres', q{
	SELECT index_name || ' ' || used || ' ' || (cost_with < cost_without)
	  FROM architect.whatif('SELECT total FROM np_orders WHERE customer_id = 42',
	                        ARRAY['CREATE INDEX ON np_orders (customer_id)'])}),
	'np_orders_customer_id_idx true true',
	'whatif() plans with a hypothetical index without preload');

is($node->safe_psql('postgres', q{
	SELECT string_agg(ddl, '; ')
	  FROM architect.recommend_indexes_for(ARRAY['SELECT total FROM np_orders WHERE customer_id = 42'])}),
	'CREATE INDEX CONCURRENTLY "np_orders_customer_id_idx" ON "public"."np_orders" USING btree ("customer_id")',
	'recommend_indexes_for() without preload');

# The same session plans the query again after whatif(): a sequential scan.
like($node->safe_psql('postgres', q{
	SELECT count(*) FROM architect.whatif('SELECT total FROM np_orders WHERE customer_id = 42',
	                                      ARRAY['CREATE INDEX ON np_orders (customer_id)']);
	EXPLAIN (COSTS OFF) SELECT total FROM np_orders WHERE customer_id = 42}),
	qr/^1\nSeq Scan on np_orders/, 'the hypothetical index is gone after the call');

my ($ret, $out, $err) = $node->psql('postgres',
	"\\set VERBOSITY verbose\nSELECT * FROM architect.recommend_indexes()");
note("recommend_indexes() without a workload source: ret $ret, out '$out', err '$err'");
isnt($ret, 0, 'recommend_indexes() without capture or pg_stat_statements fails');
like($err, qr/ERROR:\s+55000: no workload to advise on/, 'with SQLSTATE 55000');
like($err, qr/HINT:\s+Run CREATE EXTENSION pg_stat_statements, or pass the queries to architect\.recommend_indexes_for\(\)/,
	'and a hint that says what to do');

is($node->safe_psql('postgres', 'SELECT count(*) FROM pg_class'), $relations_before,
	'nothing was created');

$node->stop;
done_testing();
