# Findings that need a real fault or a full server: a data page that fails
# its checksum (a cluster with data checksums, a page corrupted on disk), a
# query on a standby cancelled by a recovery conflict (architect.databases),
# and connections using up max_connections (architect.connections).  Each
# finding appears with the real situation, as a warning or critical finding
# and as an alert, and is gone once it is dealt with (the damaged table
# restored and the counters reset, the sessions closed).
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;
use PgArchitect::Test;

my $primary = new_node('health_db_primary',
	init => { allows_streaming => 1, extra => ['--data-checksums'] },
	conf => "max_connections = 10\n");
$primary->start;
$primary->safe_psql('postgres', 'CREATE EXTENSION pg_stat_statements; CREATE EXTENSION pg_architect');

sub finding
{
	my ($node, $check) = @_;
	return $node->safe_psql('postgres',
		"SELECT coalesce(string_agg(severity || ' ' || value, ', '), 'none') FROM architect.databases "
		  . "WHERE \"check\" = '$check' AND database = 'postgres'");
}

# --- connections using up max_connections -----------------------------------------
my $total = "SELECT severity || ' ' || value FROM architect.connections WHERE object = 'total'";
like($primary->safe_psql('postgres', $total), qr/^info 1 of 10 /, 'one connection of ten is fine');
my @sessions;
for my $i (1 .. 7)
{
	my $session = $primary->background_psql('postgres');
	$session->query_safe('SELECT 1');
	push @sessions, $session;
}
like($primary->safe_psql('postgres', $total), qr/^warning 8 of 10 \(80\.0 %\)$/,
	'eight of ten connections is a warning');
like($primary->safe_psql('postgres', "SELECT action FROM architect.connections WHERE object = 'total'"),
	qr/^put a connection pooler in front/, 'with what to do');
is($primary->safe_psql('postgres',
	"SELECT count(*) FROM architect.alerts WHERE \"check\" = 'connections' AND object = 'total'"),
	'1', 'and an alert');
for my $i (1 .. 2)
{
	push @sessions, $primary->background_psql('postgres');
	$sessions[-1]->query_safe('SELECT 1');
}
like($primary->safe_psql('postgres', $total), qr/^critical 10 of 10 /, 'all ten is critical (95 % and more)');
$_->quit for @sessions;
ok($primary->poll_query_until('postgres',
	"SELECT severity = 'info' FROM architect.connections WHERE object = 'total'"),
	'gone once the sessions are closed');

# --- a page that fails its checksum ----------------------------------------------
is($primary->safe_psql('postgres', 'SHOW data_checksums'), 'on', 'the cluster has data checksums');
is(finding($primary, 'checksum_failures'), 'none', 'no checksum finding while the data is sound');
$primary->safe_psql('postgres',
	"CREATE TABLE damaged AS SELECT g AS id, repeat('x', 100) AS pad FROM generate_series(1, 50) g; CHECKPOINT");
my $file = $primary->data_dir . '/'
  . $primary->safe_psql('postgres', "SELECT pg_relation_filepath('damaged')");
$primary->stop;
# overwrite bytes near the end of the first page, where the tuples are
open my $fh, '+<', $file or die "cannot open $file: $!";
binmode $fh;
seek($fh, 8000, 0) or die "seek: $!";
print $fh ('Z' x 64) or die "write: $!";
close $fh or die "close: $!";
$primary->start;

my ($ret, $out, $err) = $primary->psql('postgres', 'SELECT count(*) FROM damaged');
isnt($ret, 0, 'reading the damaged page fails');
like($err, qr/invalid page in block 0/, 'with a checksum error');
ok($primary->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM architect.databases WHERE \"check\" = 'checksum_failures' AND database = 'postgres'"),
	'the failure is reported');
like(finding($primary, 'checksum_failures'), qr/^critical \d+ failures$/, 'as a critical finding');
is($primary->safe_psql('postgres',
	"SELECT count(*) FROM architect.alerts WHERE \"check\" = 'checksum_failures' AND object = 'database postgres'"),
	'1', 'and an alert');
like($primary->safe_psql('postgres',
	"SELECT detail FROM architect.databases WHERE \"check\" = 'checksum_failures' AND database = 'postgres'"),
	qr/^data pages failed their checksum: storage or memory corrupted them, the last at \d{4}-/,
	'saying when the last one happened');

# dealt with: the damaged table restored (here: dropped and loaded again),
# the counters reset
$primary->safe_psql('postgres',
	"DROP TABLE damaged; CREATE TABLE damaged AS SELECT g AS id FROM generate_series(1, 50) g; SELECT pg_stat_reset()");
ok($primary->poll_query_until('postgres',
	"SELECT count(*) = 0 FROM architect.databases WHERE \"check\" = 'checksum_failures'"),
	'gone once restored and the counters reset');
is($primary->safe_psql('postgres', "SELECT count(*) FROM architect.alerts WHERE \"check\" = 'checksum_failures'"),
	'0', 'no alert left');

# --- a query on a standby cancelled by a recovery conflict ---------------------------
$primary->safe_psql('postgres', 'CREATE TABLE shared_t (id int); INSERT INTO shared_t VALUES (1)');
$primary->backup('base');
my $standby = PostgreSQL::Test::Cluster->new('health_db_standby');
$standby->init_from_backup($primary, 'base', has_streaming => 1);
# replay never waits for standby queries: a conflicting one is cancelled at once
$standby->append_conf('postgresql.conf', "max_standby_streaming_delay = 0\nhot_standby_feedback = off\n");
$standby->start;
$primary->wait_for_catchup($standby);
is(finding($standby, 'recovery_conflicts'), 'none', 'no conflict finding on a quiet standby');

# a standby session holds a lock on the table in an open transaction; the
# primary drops the table: replaying the drop needs that lock
my $reader = $standby->background_psql('postgres', on_error_stop => 0);
$reader->query_safe('BEGIN; SELECT count(*) FROM shared_t;');
$primary->safe_psql('postgres', 'DROP TABLE shared_t');
$primary->wait_for_catchup($standby);
ok($standby->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM architect.databases WHERE \"check\" = 'recovery_conflicts' AND database = 'postgres'"),
	'the cancelled standby session is reported');
like(finding($standby, 'recovery_conflicts'), qr/^warning \d+ queries cancelled$/, 'as a warning');
is($standby->safe_psql('postgres',
	"SELECT count(*) FROM architect.alerts WHERE \"check\" = 'recovery_conflicts' AND object = 'database postgres'"),
	'1', 'and an alert on the standby');
eval { $reader->quit };

# dealt with (hot_standby_feedback or a longer delay would prevent the next
# one); the counters reset on the standby
$standby->safe_psql('postgres', 'SELECT pg_stat_reset()');
ok($standby->poll_query_until('postgres',
	"SELECT count(*) = 0 FROM architect.databases WHERE \"check\" = 'recovery_conflicts'"),
	'gone once the counters are reset');

$standby->stop;
$primary->stop;
done_testing();
