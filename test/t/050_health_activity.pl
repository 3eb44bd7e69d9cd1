# Health checks that need several sessions or a server-level change: long
# queries and transactions, prepared transactions, idle in transaction,
# locks and blocking, deadlocks, rollback rate, connection churn and idle
# connections, cache hit after a restart, obsolete settings in
# postgresql.conf, pg_hba.conf methods, ssl, archiving failing then fixed.
# Each finding appears with the real situation and is gone once it is fixed.
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;
use PgArchitect::Test;

# Thresholds low enough for a test, for every session of this cluster.
my $node = new_node('health_activity', conf => "max_prepared_transactions = 5\n"
	  . "deadlock_timeout = '200ms'\n"
	  . "pg_architect.long_running_warning = '2s'\n"
	  . "pg_architect.idle_in_transaction_warning = '500ms'\n"
	  . "pg_architect.lock_wait_warning = '500ms'\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION pg_stat_statements; CREATE EXTENSION pg_architect');
$node->safe_psql('postgres', 'CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t SELECT g, 0 FROM generate_series(1, 10) g');

# safe_psql runs psql quietly, so SET commands print nothing
sub observe
{
	my ($sql) = @_;
	return $node->safe_psql('postgres', $sql);
}

# --- a long query, cancelled -------------------------------------------------
my $long = $node->background_psql('postgres', on_error_stop => 0);
$long->query_until(qr/started/, "\\echo started\nSELECT pg_sleep(300) /* long one */;\n");
ok($node->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM architect.long_running WHERE \"check\" = 'long_running_query' AND query LIKE '%long one%'"),
	'a long query is reported');
my ($sev, $action) = split /\|/, observe(
	"SELECT severity, action FROM architect.long_running WHERE query LIKE '%long one%'");
is($sev, 'warning', 'long query is a warning');
like($action, qr/^SELECT pg_cancel_backend\(\d+\);$/, 'action cancels it');
is(observe("SET pg_architect.long_running_critical = '2s'; "
	  . "SELECT severity FROM architect.long_running WHERE query LIKE '%long one%'"),
	'critical', 'critical past the critical threshold');
ok(observe("SELECT count(*) FROM architect.alerts WHERE \"check\" = 'long_running_query'") >= 1,
	'long query is an alert');
$node->safe_psql('postgres', $action);
ok($node->poll_query_until('postgres',
	"SELECT count(*) = 0 FROM architect.long_running WHERE query LIKE '%long one%'"),
	'gone once cancelled');
eval { $long->quit };

# --- a long transaction running short queries ------------------------------------
my $xact = $node->background_psql('postgres');
$xact->query_safe('BEGIN');
$xact->query_safe('SELECT pg_current_xact_id()');
sleep 3;
$xact->query_until(qr/again/, "\\echo again\nSELECT pg_sleep(60) /* in old xact */;\n");
my $row = observe("SELECT \"check\" FROM architect.long_running WHERE query LIKE '%in old xact%'");
is($row, 'long_transaction', 'a transaction open for long while its query is young');
$node->safe_psql('postgres',
	"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%in old xact%' AND pid <> pg_backend_pid()");
ok($node->poll_query_until('postgres',
	"SELECT count(*) = 0 FROM architect.long_running WHERE query LIKE '%in old xact%'"),
	'gone once terminated');
eval { $xact->quit };

# --- a prepared transaction left behind --------------------------------------------
$node->safe_psql('postgres', "BEGIN; UPDATE t SET v = 1 WHERE id = 10; PREPARE TRANSACTION 'forgotten'");
is(observe("SET pg_architect.long_running_warning = 0; SELECT \"check\" || ' ' || object || ' ' || action "
	  . "FROM architect.long_running WHERE \"check\" = 'prepared_transaction'"),
	"prepared_transaction prepared transaction 'forgotten' COMMIT PREPARED 'forgotten'; -- or ROLLBACK PREPARED 'forgotten';",
	'a prepared transaction is reported with what ends it');
$node->safe_psql('postgres', "ROLLBACK PREPARED 'forgotten'");
is(observe("SET pg_architect.long_running_warning = 0; SELECT count(*) FROM architect.long_running WHERE \"check\" = 'prepared_transaction'"),
	'0', 'gone once rolled back');

# --- idle in transaction, holding a lock that blocks another session -------------
my $holder = $node->background_psql('postgres');
$holder->query_safe('BEGIN');
$holder->query_safe('LOCK TABLE t IN ACCESS EXCLUSIVE MODE');
my $holder_pid = $holder->query_safe('SELECT pg_backend_pid()');
my $waiter = $node->background_psql('postgres');
my $waiter_pid = $waiter->query_safe('SELECT pg_backend_pid()');
$waiter->query_until(qr/waiting/, "\\echo waiting\nSELECT count(*) /* blocked read */ FROM t;\n");
ok($node->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM architect.blocking WHERE blocked_pid = $waiter_pid AND blocking_pid = $holder_pid"),
	'the blocked session and its blocker are paired');
my $b = observe("SELECT object || '|' || blocking_state || '|' || action || '|' || blocked_query || '|' || blocked_wants "
	  . "FROM architect.blocking WHERE blocked_pid = $waiter_pid");
my @b = split /\|/, $b;
is($b[0], "pid $waiter_pid blocked by pid $holder_pid", 'blocking object names both pids');
is($b[1], 'idle in transaction', 'the blocker sits idle in its transaction');
like($b[2], qr/^SELECT pg_terminate_backend\($holder_pid\);/, 'action terminates the idle blocker');
like($b[3], qr/blocked read/, 'the blocked query is shown');
like($b[4], qr/AccessShareLock on public\.t/, 'what the blocked session wants');
sleep 1;
is(observe("SELECT severity FROM architect.blocking WHERE blocked_pid = $waiter_pid"), 'warning',
	'a wait past lock_wait_warning is a warning');
like(observe("SELECT \"check\" || ' ' || severity || ' ' || value FROM architect.locks "
	  . "WHERE relation_name = 't' AND mode = 'AccessShareLock'"),
	qr/^locks warning 0 granted, 1 waiting$/, 'locks shows the waiting lock by relation and mode');
like(observe("SELECT value FROM architect.locks WHERE relation_name = 't' AND mode = 'AccessExclusiveLock'"),
	qr/^1 granted, 0 waiting$/, 'and the granted one');
is(observe("SELECT count(*) FROM architect.idle_in_transaction WHERE pid = $holder_pid"), '1',
	'the holder is idle in transaction');
like(observe("SELECT action FROM architect.idle_in_transaction WHERE pid = $holder_pid"),
	qr/pg_terminate_backend\($holder_pid\).*idle_in_transaction_session_timeout/,
	'idle in transaction: terminate, and set a timeout');
ok(observe("SELECT count(*) FROM architect.alerts WHERE \"check\" IN ('blocking', 'idle_in_transaction')") >= 2,
	'blocking and idle in transaction are alerts');
# views read pg_locks and pg_stat_activity only: they are not blocked
# themselves by the exclusive lock on t
is(observe("SELECT count(*) > 0 FROM architect.findings"), 't', 'findings answer while t is locked');
$holder->query_safe('COMMIT');
$waiter->query_safe('SELECT 1');
is(observe("SELECT count(*) FROM architect.blocking"), '0', 'no blocking once the blocker commits');
is(observe("SELECT count(*) FROM architect.idle_in_transaction WHERE pid = $holder_pid"), '0',
	'no longer idle in transaction');
is(observe("SELECT count(*) FROM architect.locks WHERE relation_name = 't'"), '0', 'no lock left on t');
$holder->quit;
$waiter->quit;

# --- a deadlock, counted per database ------------------------------------------------
$node->safe_psql('postgres', 'SELECT pg_stat_reset()');
is(observe("SELECT count(*) FROM architect.databases WHERE \"check\" = 'deadlocks' AND database = 'postgres'"),
	'0', 'no deadlock yet');
my $s1 = $node->background_psql('postgres', on_error_stop => 0);
my $s2 = $node->background_psql('postgres', on_error_stop => 0);
$s1->query_safe('BEGIN; UPDATE t SET v = 1 WHERE id = 1');
$s2->query_safe('BEGIN; UPDATE t SET v = 2 WHERE id = 2');
$s1->query_until(qr/go/, "\\echo go\nUPDATE t SET v = 1 WHERE id = 2;\n");
$s2->query('UPDATE t SET v = 2 WHERE id = 1');
$s2->query('ROLLBACK');
$s1->query('COMMIT');
$s1->quit;
$s2->quit;
$node->safe_psql('postgres', 'SELECT pg_stat_force_next_flush()');
ok($node->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM architect.databases WHERE \"check\" = 'deadlocks' AND database = 'postgres'"),
	'the deadlock is reported');
is(observe("SELECT severity FROM architect.alerts WHERE \"check\" = 'deadlocks'"), 'warning', 'and alerted');

# --- rollback rate ----------------------------------------------------------------------
$node->safe_psql('postgres', 'SELECT pg_stat_reset()');
$node->safe_psql('postgres', join('', map { "BEGIN; ROLLBACK;\n" } 1 .. 60));
$node->safe_psql('postgres', 'SELECT pg_stat_force_next_flush()');
my $rb = "SET pg_architect.rollback_min_xacts = 50; SET pg_architect.rollback_warning_pct = 30; "
  . "SELECT severity FROM architect.databases WHERE \"check\" = 'rollback_rate' AND database = 'postgres'";
is(observe($rb), 'warning', 'a high rollback share is a warning');
$node->safe_psql('postgres', 'SELECT pg_stat_reset()');
$node->safe_psql('postgres', join('', map { "SELECT $_;\n" } 1 .. 60));
$node->safe_psql('postgres', 'SELECT pg_stat_force_next_flush()');
is(observe($rb), 'info', 'gone once the application stops failing');
is(observe("SELECT count(*) FROM architect.databases WHERE \"check\" = 'deadlocks' AND database = 'postgres'"),
	'0', 'the deadlock count was reset too');

# --- connection churn and idle connections ---------------------------------------------
$node->safe_psql('postgres', 'SELECT pg_stat_reset()');
$node->safe_psql('postgres', 'SELECT 1') for 1 .. 20;
my $churn = "SET pg_architect.connection_churn_per_sec = 2; "
  . "SELECT severity || '|' || coalesce(action, '') FROM architect.connection_churn WHERE object = 'database postgres'";
my ($csev, $caction) = split /\|/, observe($churn);
is($csev, 'warning', 'twenty connections in a few seconds are churn');
like($caction, qr/pool_mode = transaction, default_pool_size = \d+/, 'pooler advice with a pool size');
sleep 1;
$node->safe_psql('postgres', 'SELECT pg_stat_reset()');
sleep 2;
is((split /\|/, observe($churn))[0], 'info', 'quiet afterwards');
# idle connections
my @idle = map { $node->background_psql('postgres') } 1 .. 3;
my $idle_q = "SET pg_architect.pooler_min_connections = 3; SET pg_architect.pooler_idle_pct = 50; "
  . "SELECT severity FROM architect.connection_churn WHERE object = 'idle connections'";
is(observe($idle_q), 'warning', 'mostly idle connections: pooler advised');
$_->quit for @idle;
ok($node->poll_query_until('postgres', "SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'client backend'"),
	'idle sessions closed');
is(observe($idle_q), 'info', 'no idle crowd, no advice');

# --- cache hit after a restart ------------------------------------------------------------
$node->safe_psql('postgres',
	"CREATE TABLE big AS SELECT g AS id, repeat('x', 200) AS pad FROM generate_series(1, 20000) g");
$node->restart;
$node->safe_psql('postgres', 'SELECT pg_stat_reset()');
$node->safe_psql('postgres', 'SELECT count(*) FROM big');
$node->safe_psql('postgres', 'SELECT pg_stat_force_next_flush()');
my $hit = "SET pg_architect.cache_hit_min_blocks = 100; "
  . "SELECT severity FROM architect.cache_hit WHERE object = 'tables'";
is(observe($hit), 'critical', 'a cold cache: tables read from disk');
$node->safe_psql('postgres', 'SELECT count(*) FROM big') for 1 .. 120;
$node->safe_psql('postgres', 'SELECT pg_stat_force_next_flush()');
is(observe($hit), 'info', 'warm again: the hit ratio is above 99 %');

# --- an obsolete setting in postgresql.conf --------------------------------------------
$node->append_conf('postgresql.conf', "checkpoint_segments = 10\n");
$node->reload;
like(observe("SELECT \"check\" || '|' || severity || '|' || detail FROM architect.config_advice WHERE object = 'checkpoint_segments'"),
	qr/^obsolete_setting\|warning\|.*postgresql\.conf line \d+ sets checkpoint_segments, removed in PostgreSQL 9\.5; use max_wal_size and min_wal_size$/,
	'an obsolete setting is named with its file, line and replacement');
my $conf = slurp_file($node->data_dir . '/postgresql.conf');
$conf =~ s/^checkpoint_segments = 10\n//m;
open my $fh, '>', $node->data_dir . '/postgresql.conf' or die $!;
print $fh $conf;
close $fh;
$node->reload;
ok($node->poll_query_until('postgres',
	"SELECT count(*) = 0 FROM architect.config_advice WHERE object = 'checkpoint_segments'"),
	'gone once removed');

# --- pg_hba.conf: trust, then scram-sha-256 / peer ------------------------------------------
ok(observe("SELECT count(*) FROM architect.security_advice WHERE \"check\" = 'hba_trust'") > 0,
	'the test cluster trusts connections');
open $fh, '>', $node->data_dir . '/pg_hba.conf' or die $!;
print $fh "local all all peer\nhost all all 127.0.0.1/32 scram-sha-256\n";
close $fh;
$node->reload;
ok($node->poll_query_until('postgres',
	"SELECT count(*) = 0 FROM architect.security_advice WHERE \"check\" LIKE 'hba\\_%'"),
	'no pg_hba.conf finding with peer and scram-sha-256');

# --- ssl, when openssl can make a certificate ------------------------------------------------
SKIP:
{
	my $dir = $node->data_dir;
	skip 'openssl not available', 2
	  unless system("openssl req -new -x509 -days 1 -nodes -subj /CN=localhost "
		  . "-keyout $dir/server.key -out $dir/server.crt >/dev/null 2>&1") == 0;
	chmod 0600, "$dir/server.key";
	is(observe("SELECT count(*) FROM architect.security_advice WHERE \"check\" = 'ssl'"), '1', 'ssl off is reported');
	$node->append_conf('postgresql.conf', "ssl = on\n");
	$node->reload;
	ok($node->poll_query_until('postgres',
		"SELECT count(*) = 0 FROM architect.security_advice WHERE \"check\" = 'ssl'"), 'gone with ssl on');
}

# --- archiving: off, failing, working ----------------------------------------------------------
is(observe("SELECT severity || ' ' || value FROM architect.archiving"), 'warning archive_mode = off',
	'no archiving: no point-in-time recovery');
$node->append_conf('postgresql.conf', "wal_level = replica\narchive_mode = on\narchive_command = 'false'\n");
$node->restart;
$node->safe_psql('postgres', 'CREATE TABLE w AS SELECT generate_series(1, 1000) g; SELECT pg_switch_wal()');
ok($node->poll_query_until('postgres', 'SELECT failed_count > 0 FROM pg_stat_archiver'), 'archiving fails');
like(observe("SELECT severity || ' ' || value FROM architect.archiving"), qr/^critical failing: \d+ failures/,
	'failing archiving is critical');
is(observe("SELECT count(*) FROM architect.alerts WHERE \"check\" = 'archiving'"), '1', 'and an alert');
$node->safe_psql('postgres', "ALTER SYSTEM SET archive_command = 'true'; SELECT pg_reload_conf()");
ok($node->poll_query_until('postgres',
	"SELECT severity = 'info' FROM architect.archiving"), 'archiving works again: info');
like(observe("SELECT detail FROM architect.archiving"), qr/^archive_mode = on, archiving works/, 'and says so');

$node->stop;
done_testing();
