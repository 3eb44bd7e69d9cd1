# The index advisor on a hot standby: hypothetical indexes are never written
# to a catalog, so whatif(), recommend_indexes_for() and recommend_indexes()
# (over the standby's own pg_stat_statements) all work in recovery, and
# leave nothing behind on either server.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PgArchitect::Test;

my $primary = new_node('adv_primary', init => { allows_streaming => 1 });
$primary->start;
$primary->safe_psql('postgres', q{
	CREATE EXTENSION pg_stat_statements;
	CREATE EXTENSION pg_architect;
	CREATE TABLE sb_orders (id int PRIMARY KEY, customer_id int NOT NULL, total numeric NOT NULL);
	INSERT INTO sb_orders SELECT g, g % 2000, g % 100 FROM generate_series(1, 30000) g;
	VACUUM ANALYZE sb_orders;
	-- Order lines filed under their order, in a table bigger than the 300
	-- blocks ANALYZE reads at statistics target 1: the size estimate reads
	-- its own block sample (indexsize_distinct.c).
	CREATE TABLE sb_lines (order_id int NOT NULL, line int NOT NULL);
	INSERT INTO sb_lines SELECT o, l
	  FROM generate_series(1, 60000) o, generate_series(1, 4 + o % 9) l;
	ALTER TABLE sb_lines ALTER order_id SET STATISTICS 1, ALTER line SET STATISTICS 1;
	VACUUM ANALYZE sb_lines;
});
$primary->backup('adv_backup');

my $standby = PostgreSQL::Test::Cluster->new('adv_standby');
$standby->init_from_backup($primary, 'adv_backup', has_streaming => 1);
$standby->start;
$primary->wait_for_catchup($standby);

is($standby->safe_psql('postgres', 'SELECT pg_is_in_recovery()'), 't',
	'standby is in recovery');

my $relations_before = $standby->safe_psql('postgres', 'SELECT count(*) FROM pg_class');

is($standby->safe_psql('postgres', q{
	SELECT index_name || ' ' || used || ' ' || (cost_with < cost_without)
	  FROM architect.whatif('SELECT total FROM sb_orders WHERE customer_id = 42',
	                        ARRAY['CREATE INDEX ON sb_orders (customer_id)'])}),
	'sb_orders_customer_id_idx true true', 'whatif() plans with a hypothetical index on the standby');

is($standby->safe_psql('postgres', q{
	SELECT string_agg(ddl, '; ')
	  FROM architect.recommend_indexes_for(ARRAY['SELECT total FROM sb_orders WHERE customer_id = 42'])}),
	'CREATE INDEX CONCURRENTLY "sb_orders_customer_id_idx" ON "public"."sb_orders" USING btree ("customer_id")',
	'recommend_indexes_for() on the standby');

# The clustered key's size, sampled on the standby: the same estimate as on
# the primary, and within 15% of the index once the primary builds it.
my $size_sql = q{SELECT estimated_size_bytes FROM architect.whatif('SELECT 1',
	ARRAY['CREATE INDEX ON sb_lines (order_id)'])};
my $size_standby = $standby->safe_psql('postgres', $size_sql);
is($size_standby, $primary->safe_psql('postgres', $size_sql),
	'clustered key: the standby estimates the size the primary does');
$primary->safe_psql('postgres', 'CREATE INDEX sb_lines_built ON sb_lines (order_id)');
my $built = $primary->safe_psql('postgres', "SELECT pg_relation_size('sb_lines_built')");
$primary->safe_psql('postgres', 'DROP INDEX sb_lines_built');
$primary->wait_for_catchup($standby);
ok($size_standby > 0.85 * $built && $size_standby < 1.15 * $built,
	"clustered key: estimated on the standby within 15% of the built index ($size_standby / $built bytes)");

# The standby's own workload, as its capture store (preloaded) saw it.
$standby->safe_psql('postgres', 'SELECT pg_stat_statements_reset()');
$standby->safe_psql('postgres', 'SELECT architect.reset()');
$standby->safe_psql('postgres', "SELECT sum(total) FROM sb_orders WHERE customer_id = $_")
  for (1 .. 5);
# advisor_stats() describes this session's last run: one connection.
my $rec = $standby->safe_psql('postgres', q{
	SELECT table_name || ' ' || array_to_string(columns, ',') || ' ' || cardinality(queryids)
	  FROM architect.recommend_indexes();
	SELECT source FROM architect.advisor_stats();});
is($rec, "sb_orders customer_id 1\ncapture",
	'recommend_indexes() over the standby workload, from capture');

is($standby->safe_psql('postgres', 'SELECT count(*) FROM pg_class'), $relations_before,
	'nothing was created on the standby');
is($primary->safe_psql('postgres',
	"SELECT count(*) FROM pg_class WHERE relname LIKE 'sb_orders%idx%'"), '0',
	'nothing was created on the primary');

# Still a standby, still streaming.
$primary->safe_psql('postgres', 'INSERT INTO sb_orders VALUES (30001, 1, 1)');
$primary->wait_for_catchup($standby);
is($standby->safe_psql('postgres', 'SELECT count(*) FROM sb_orders WHERE id = 30001'), '1',
	'replication continues');

$standby->stop;
$primary->stop;
done_testing();
