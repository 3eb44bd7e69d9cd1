# Replication health on a primary and its streaming standby: the standby's
# lag seen from both sides while its replay is paused, gone once it catches
# up; the slot the standby uses; every health view answering on the
# standby (read-only), and the writing functions refusing clearly there.
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;
use PgArchitect::Test;

my $primary = new_node('health_primary', init => { allows_streaming => 1 });
$primary->start;
$primary->safe_psql('postgres', 'CREATE EXTENSION pg_stat_statements; CREATE EXTENSION pg_architect');
$primary->safe_psql('postgres', "SELECT pg_create_physical_replication_slot('standby_slot')");
$primary->backup('base');

my $standby = PostgreSQL::Test::Cluster->new('health_standby');
$standby->init_from_backup($primary, 'base', has_streaming => 1);
$standby->append_conf('postgresql.conf', "primary_slot_name = 'standby_slot'\n");
$standby->start;
$primary->wait_for_catchup($standby);

# --- in sync ------------------------------------------------------------------
is($primary->safe_psql('postgres',
	"SELECT \"check\" || ' ' || severity || ' ' || state FROM architect.replication WHERE \"check\" = 'replica_lag'"),
	'replica_lag info streaming', 'the primary sees its standby streaming, no lag');
is($primary->safe_psql('postgres',
	"SELECT severity || ' ' || slot_active FROM architect.replication WHERE \"check\" = 'replication_slot'"),
	'info true', 'the slot is in use');
is($primary->safe_psql('postgres', "SELECT count(*) FROM architect.replication WHERE \"check\" = 'replication'"),
	'0', 'no "no standby" row when there is one');
is($standby->safe_psql('postgres',
	"SELECT \"check\" || ' ' || severity || ' ' || role || ' ' || state FROM architect.replication WHERE \"check\" = 'standby_lag'"),
	'standby_lag info standby streaming', 'the standby sees itself streaming');

# --- replay paused: WAL arrives but is not applied ------------------------------
$standby->safe_psql('postgres', 'SELECT pg_wal_replay_pause()');
$primary->safe_psql('postgres',
	"CREATE TABLE filler AS SELECT g, repeat('x', 500) AS pad FROM generate_series(1, 20000) g");
$primary->wait_for_catchup($standby, 'flush');
my $lag = "SET pg_architect.replication_lag_warning = '1MB'; ";
is($primary->safe_psql('postgres', $lag
	  . "SELECT severity FROM architect.replication WHERE \"check\" = 'replica_lag'"),
	'warning', 'the primary reports the standby lagging in replay');
like($primary->safe_psql('postgres', $lag
	  . "SELECT value FROM architect.replication WHERE \"check\" = 'replica_lag'"),
	qr/^\d+ (MB|kB) behind in replay/, 'with how far behind');
is($primary->safe_psql('postgres', $lag
	  . "SELECT count(*) FROM architect.alerts WHERE \"check\" = 'replica_lag'"), '1', 'an alert on the primary');
my ($sev, $action) = split /\|/, $standby->safe_psql('postgres', $lag
	  . "SELECT severity || '|' || action FROM architect.replication WHERE \"check\" = 'standby_lag'");
is($sev, 'warning', 'the standby reports its own lag');
is($action, 'SELECT pg_wal_replay_resume();', 'and that replay is paused');
is($standby->safe_psql('postgres', $lag
	  . "SELECT count(*) FROM architect.alerts WHERE \"check\" = 'standby_lag'"), '1', 'an alert on the standby');

# --- every view answers on the standby; writing is refused clearly ------------------
my @views = qw(index_usage unused_indexes duplicate_indexes invalid_indexes missing_fk_indexes
  index_drop_candidates table_bloat index_bloat seq_scan_tables vacuum_health wraparound sequences
  connections long_running idle_in_transaction locks blocking cache_hit temp_files checkpoints
  connection_churn databases top_queries slow_queries replication archiving config_advice
  security_advice schema_advice findings alerts thresholds table_growth index_growth database_trends);
for my $v (@views)
{
	my ($ret, $out, $err) = $standby->psql('postgres', "SELECT count(*) >= 0 FROM architect.$v");
	is("$ret $out", '0 t', "architect.$v answers on the standby");
}
ok($standby->safe_psql('postgres', 'SELECT count(*) FROM architect.report()') > 3, 'report() on the standby');
like($standby->safe_psql('postgres', "SELECT detail FROM architect.archiving"),
	qr/this standby archives nothing|WAL is not archived/, 'archiving seen from the standby');
my ($ret, $out, $err) = $standby->psql('postgres', "\\set VERBOSITY verbose\nSELECT architect.snapshot()");
isnt($ret, 0, 'snapshot() fails on a standby');
like($err, qr/ERROR:\s+25006: architect\.snapshot\(\) cannot run on a hot standby/, 'with SQLSTATE 25006');
like($err, qr/HINT:\s+Run it on the primary server\./, 'and a hint');
for my $call ('SELECT * FROM architect.schedule()', 'SELECT architect.unschedule()',
	"SELECT architect.purge_history('1 day')")
{
	($ret, $out, $err) = $standby->psql('postgres', "\\set VERBOSITY verbose\n$call");
	like($err, qr/ERROR:\s+25006: architect\.\w+\(\) cannot run on a hot standby/, "$call refuses on a standby");
}

# --- replay resumed: caught up, the findings are gone -----------------------------------
$standby->safe_psql('postgres', 'SELECT pg_wal_replay_resume()');
$primary->wait_for_catchup($standby, 'replay');
is($primary->safe_psql('postgres', $lag
	  . "SELECT severity FROM architect.replication WHERE \"check\" = 'replica_lag'"),
	'info', 'caught up: no lag on the primary');
is($standby->safe_psql('postgres', $lag
	  . "SELECT severity FROM architect.replication WHERE \"check\" = 'standby_lag'"),
	'info', 'nor on the standby');

# --- the standby goes away: its slot is inactive and retains WAL ------------------------
$standby->stop;
ok($primary->poll_query_until('postgres',
	"SELECT count(*) = 0 FROM pg_stat_replication"), 'standby disconnected');
is($primary->safe_psql('postgres',
	"SELECT severity || ' ' || slot_active FROM architect.replication WHERE \"check\" = 'replication_slot'"),
	'warning false', 'an abandoned slot is a warning');
is($primary->safe_psql('postgres',
	"SELECT count(*) FROM architect.alerts WHERE \"check\" = 'replication_slot'"), '1', 'and an alert');
is($primary->safe_psql('postgres',
	"SELECT \"check\" FROM architect.replication WHERE \"check\" = 'replication'"),
	'replication', 'and the primary says it has no standby');
$primary->safe_psql('postgres', "SELECT pg_drop_replication_slot('standby_slot')");
is($primary->safe_psql('postgres',
	"SELECT count(*) FROM architect.replication WHERE \"check\" = 'replication_slot'"), '0', 'gone once dropped');

$primary->stop;
done_testing();
