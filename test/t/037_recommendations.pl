# Recommendations into builds.  create_index() takes the index_name (or the
# ddl) of a row of architect.recommend_indexes(); after the build the job
# has planned the recommendation's queries again and records that the
# planner uses the new index and the cost change; once the workload has run
# again, architect.index_job_effects shows the measured change in mean
# execution time.  apply_recommendations() lists what it would build in a
# dry run, queues at most pg_architect.max_builds_per_run builds, and the
# queue never runs two builds of a database at once.
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;
use PgArchitect::Test;
use PgArchitect::Indexer;

my $node = new_node('recommendations');
$node->start;
my $db = 'postgres';
$node->safe_psql($db, q{
	CREATE EXTENSION pg_stat_statements;
	CREATE EXTENSION pg_architect;
	CREATE TABLE customers (id int PRIMARY KEY, email text, region int, signed_up date);
	INSERT INTO customers
	  SELECT g, 'user' || g || '@example.org', g % 50, date '2024-01-01' + g % 500
	    FROM generate_series(1, 60000) g;
	CREATE TABLE orders (id int PRIMARY KEY, customer int, total numeric);
	INSERT INTO orders SELECT g, g % 60000, g % 700 FROM generate_series(1, 60000) g;
	CREATE TABLE events (id int PRIMARY KEY, kind int, payload text);
	INSERT INTO events SELECT g, g % 5000, 'p' || g FROM generate_series(1, 60000) g;
	CREATE TABLE tickets (id int PRIMARY KEY, owner int, body text);
	INSERT INTO tickets SELECT g, g % 6000, 'b' || g FROM generate_series(1, 60000) g;
	VACUUM ANALYZE customers, orders, events, tickets;
	SELECT architect.reset();
	SELECT pg_stat_statements_reset();
});

# The application's workload.
sub workload
{
	my ($n) = @_;
	my $sql = '';
	for my $i (1 .. $n)
	{
		$sql .= "SELECT id FROM customers WHERE email = 'user$i\@example.org';\n";
		$sql .= "SELECT sum(total) FROM orders WHERE customer = $i;\n";
		$sql .= "SELECT count(*) FROM events WHERE kind = $i;\n";
		$sql .= "SELECT max(id) FROM tickets WHERE owner = $i;\n";
	}
	$node->safe_psql($db, $sql);
	return;
}
workload(20);

my $recs = $node->safe_psql($db,
	'SELECT index_name FROM architect.recommend_indexes() ORDER BY rank');
like($recs, qr/customers_email_idx/, 'the advisor recommends an index on customers.email');
like($recs, qr/orders_customer_idx/, 'one on orders.customer');
like($recs, qr/events_kind_idx/, 'one on events.kind');
like($recs, qr/tickets_owner_id_idx/, 'and a covering one on tickets.owner, including id');

# A dry run lists, builds nothing.
is($node->safe_psql($db, q{
	SELECT count(*) FILTER (WHERE action = 'would build' AND rank = 1),
	       count(*) FILTER (WHERE action = 'skipped: pg_architect.max_builds_per_run (1) reached'),
	       count(*) FILTER (WHERE job_id IS NOT NULL)
	  FROM architect.apply_recommendations(NULL, 10)}),
	'1|3|0', 'dry run: the top one would be built, one build per run by default');
is($node->safe_psql($db, 'SELECT count(*) FROM architect.index_jobs'), '0',
	'dry run queued nothing');

# Build the top recommendation by its name.
my ($ret, $out, $err) = $node->psql($db,
	"SELECT architect.create_index('customers_email_idx')");
is($ret, 0, 'create_index(index_name) succeeds');
my $job = $out;
wait_job($node, $db, $job, "status = 'done'");
is(job_row($node, $db, $job, 'source, statement'),
	'recommendation|CREATE INDEX CONCURRENTLY customers_email_idx ON public.customers USING btree (email)',
	'the job came from the recommendation');
is(job_row($node, $db, $job, 'queries_verified, queries_using_index'), '1|1',
	'the recommendation\'s query was planned again and uses the index');
like(job_row($node, $db, $job, 'verification'),
	qr/^the planner uses the index for the one query planned; estimated cost [\d.]+ -> [\d.]+ \(-\d+\.\d%\)$/,
	'verification summary');
is($node->safe_psql($db, "SELECT cost_after < cost_before / 10 FROM architect.index_jobs WHERE job_id = $job"),
	't', 'estimated cost fell more than tenfold');
is($node->safe_psql($db,
	"SELECT uses_index AND calls_before = 20 AND calls_after = 0 FROM architect.index_job_effects WHERE job_id = $job"),
	't', 'effects: planned with the index, 20 calls before the build, none since');

# The workload runs again; the measured mean time falls.
workload(20);
is($node->safe_psql($db,
	"SELECT calls_after = 20 AND mean_ms_after < mean_ms_before AND mean_change_pct < 0 FROM architect.index_job_effects WHERE job_id = $job"),
	't', 'effects: the measured mean time of the 20 calls since the build fell');

# Another recommendation, by its ddl.
my $ddl = $node->safe_psql($db, q{SELECT ddl FROM architect.recommend_indexes() WHERE index_name = 'orders_customer_idx'});
like($ddl, qr/^CREATE INDEX CONCURRENTLY "orders_customer_idx"/, 'ddl of a recommendation');
$job = $node->safe_psql($db, "SELECT architect.create_index('$ddl', wait => false)");
wait_job($node, $db, $job, "status = 'done'");
is(job_row($node, $db, $job, 'source, queries_using_index, cardinality(queryids)'),
	'recommendation|1|1', 'by ddl: the recommendation and its query');

# apply_recommendations for real, two per run.
is($node->safe_psql($db, q{
	SET pg_architect.max_builds_per_run = 2;
	SELECT string_agg(action, ',' ORDER BY rank)
	  FROM architect.apply_recommendations(NULL, 10, dry_run => false)}),
	'queued,queued', 'two builds queued');
$node->poll_query_until($db,
	"SELECT count(*) = 2 FROM architect.index_jobs WHERE source = 'apply_recommendations' AND status = 'done'")
  or die 'the queued builds did not finish';
is($node->safe_psql($db, 'SELECT count(*) FROM architect.recommend_indexes()'), '0',
	'nothing left to recommend');

# Slow builds queued together: the queue runs one at a time per database.
slow_table($node, $db, 'slow1', 1500);
slow_table($node, $db, 'slow2', 1500);
$node->safe_psql($db, q{
	BEGIN;
	SELECT architect.create_index('CREATE INDEX slow1_k ON slow1 (slow_key(v))', wait => false);
	SELECT architect.create_index('CREATE INDEX slow2_k ON slow2 (slow_key(v))', wait => false);
	COMMIT;
});
my ($max_running, $samples) = (0, 0);
while ($node->safe_psql($db,
	"SELECT count(*) FROM architect.index_jobs WHERE index_name IN ('slow1_k', 'slow2_k') AND status <> 'done'") > 0)
{
	my $running = $node->safe_psql($db,
		"SELECT count(*) FROM architect.index_jobs WHERE status = 'running'");
	$max_running = $running if $running > $max_running;
	$samples++;
	select(undef, undef, undef, 0.05);
}
cmp_ok($samples, '>', 10, "sampled the queue $samples times");
is($max_running, 1, 'never two builds at once in the database');
is($node->safe_psql($db, q{
	SELECT bool_and(a.finished_at <= b.started_at OR b.finished_at <= a.started_at)
	  FROM architect.index_jobs a, architect.index_jobs b
	 WHERE a.index_name = 'slow1_k' AND b.index_name = 'slow2_k'}),
	't', 'one build started after the other finished');

$node->stop;
done_testing();
