# A concurrent build under write load: pgbench keeps updating and inserting
# into the table while architect.create_index() builds an index on it.  The
# writers are never blocked (no pgbench backend ever waits for a relation
# lock, every one-second progress report shows transactions), the build
# completes, and amcheck finds every heap tuple in the new index.
#
# The writers are held to 200 transactions a second (pgbench --rate): each
# row they insert costs the build's validation scan and amcheck a call of
# slow_key() (a millisecond); unthrottled they inserted some 30,000 rows and
# the test took two and a half minutes for the same assertions.
use strict;
use warnings;
use IPC::Run;
use Time::HiRes qw(usleep);
use PostgreSQL::Test::Utils;
use Test::More;
use PgArchitect::Test;
use PgArchitect::Indexer;

my $node = new_node('build_load');
$node->start;
my $db = 'postgres';
$node->safe_psql($db, 'CREATE EXTENSION pg_architect; CREATE EXTENSION amcheck;');
slow_table($node, $db, 'load', 4000);

# Writers: update an indexed value, insert new rows.
my $script = $node->basedir . '/writes.sql';
open my $fh, '>', $script or die $!;
print $fh <<'SQL';
\set id random(1, 4000)
UPDATE load SET v = v + 1 WHERE id = :id;
INSERT INTO load (id, v) SELECT max(id) + 1, 7 FROM load;
SQL
close $fh;

my ($out, $err) = ('', '');
local $ENV{PGAPPNAME} = 'pgbench';
my $pgbench = IPC::Run::start(
	[ 'pgbench', '-n', '-c', '2', '-R', '200', '-T', '14', '-P', '1', '-f', $script,
	  $node->connstr($db) ],
	'>', \$out, '2>', \$err);

# Let the writers get going, then build.
$node->poll_query_until($db,
	"SELECT count(*) >= 2 FROM pg_stat_activity WHERE application_name = 'pgbench'");
my $rows_before = $node->safe_psql($db, 'SELECT count(*) FROM load');
my $job = $node->safe_psql($db,
	"SELECT architect.create_index('CREATE INDEX load_key ON load (slow_key(v))', wait => false)");
ok($job > 0, 'build queued without waiting');

# While it runs, no writer waits for a relation lock.
my ($samples, $blocked, $running) = (0, 0, 0);
while (1)
{
	my ($status, $waits) = split /\|/, $node->safe_psql($db, qq{
		SELECT (SELECT status FROM architect.index_jobs_log WHERE job_id = $job),
		       (SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
		         WHERE NOT l.granted AND l.locktype = 'relation'
		           AND a.application_name = 'pgbench')});
	last if $status =~ /^(done|failed|cancelled)$/;
	$running++ if $status eq 'running';
	$samples++;
	$blocked += $waits;
	usleep(100_000);
}
cmp_ok($running, '>', 5, "the build ran for a while ($running samples)");
is($blocked, 0, 'no writer waited for a relation lock during the build');
my $rows_after = $node->safe_psql($db, 'SELECT count(*) FROM load');
cmp_ok($rows_after, '>', $rows_before, 'writers inserted rows during the build');

$pgbench->finish;
my @progress = ($err =~ /progress: [\d.]+ s, ([\d.]+) tps/g);
cmp_ok(scalar(@progress), '>=', 10, 'pgbench reported progress every second');
is(scalar(grep { $_ == 0 } @progress), 0,
	'every second of the run committed transactions: ' . join(' ', @progress));

is(job_row($node, $db, $job, 'status, attempts, error IS NULL'), 'done|1|t',
	'job done in one attempt');
is($node->safe_psql($db,
	"SELECT indisvalid FROM pg_index WHERE indexrelid = 'load_key'::regclass"),
	't', 'index is valid');
is($node->safe_psql($db, "SELECT bt_index_check('load_key', true)"), '',
	'amcheck: every heap tuple is in the index');
is($node->safe_psql($db,
	"SET enable_seqscan = off; SELECT count(*) FROM load WHERE slow_key(v) = 7"),
	$node->safe_psql($db,
	"SET enable_indexscan = off; SET enable_bitmapscan = off; SELECT count(*) FROM load WHERE v = 7"),
	'the index finds the rows inserted during the build');

$node->stop;
done_testing();
