# PgArchitect::Reliability: helpers of the crash, replica and concurrency
# TAP tests (test/t/080-099).
#
#   has_object($node, $db, $signature)   true when a relation (to_regclass)
#       or a function (to_regprocedure, "name(argtypes)") exists
#   kill_backend($node, $pid)            SIGKILL one backend, wait until the
#       postmaster has reinitialised and accepts connections again
#   crash_reports($node)                 the server log lines that tell of a
#       crash, and how many backends died of SIGKILL vs anything else
#   start_pgbench($node, $db, $script, %opts) / stop_pgbench($h)
#       pgbench in the background (an IPC::Run harness)
package PgArchitect::Reliability;

use strict;
use warnings;
use Exporter 'import';
use IPC::Run;
use File::Temp ();
use Time::HiRes qw(usleep);
use Test::More;
use PostgreSQL::Test::Utils;

our @EXPORT = qw(has_object kill_backend crash_reports start_pgbench
  stop_pgbench wait_ready full_run);

# True under make test-full (longer loops).
sub full_run { return $ENV{PGA_TEST_FULL} ? 1 : 0 }

sub has_object
{
	my ($node, $db, $sig) = @_;
	my $fn = $sig =~ /\(/ ? 'to_regprocedure' : 'to_regclass';
	my ($ret, $out) = $node->psql($db, "SELECT $fn('$sig') IS NOT NULL");
	return $ret == 0 && $out eq 't';
}

# wait_ready($node): the server accepts connections and is not in recovery
# from the crash any more.
sub wait_ready
{
	my ($node) = @_;
	my $ok = $node->poll_query_until('postgres', 'SELECT 1', '1');
	# The pid file changes when the postmaster reinitialises.
	$node->_update_pid(1);
	return $ok;
}

sub kill_backend
{
	my ($node, $pid) = @_;
	kill 'KILL', $pid or die "could not kill $pid: $!";
	# The postmaster notices the death, terminates everyone, reinitialises;
	# until it has, connections fail or are refused.
	my $deadline = time + $PostgreSQL::Test::Utils::timeout_default;
	while (time < $deadline)
	{
		last if slurp_file($node->logfile) =~
		  /server process \(PID $pid\) was terminated by signal 9/;
		usleep(50_000);
	}
	return wait_ready($node);
}

# crash_reports($node): (number of backends killed by SIGKILL, list of other
# crash lines: another signal, PANIC, an abnormal exit code).
sub crash_reports
{
	my ($node) = @_;
	my $log = slurp_file($node->logfile);
	my $kills = () = $log =~ /was terminated by signal 9: Killed/g;
	my @other = grep {
		/terminated by signal (?!9:)|terminated by exception|exited with exit code [^01]|PANIC:/
	} split /\n/, $log;
	return ($kills, @other);
}

# start_pgbench($node, $db, $script_text, clients => 4, seconds => 60):
# pgbench in the background; its output goes to a file named in the
# harness's {pga_out}.
sub start_pgbench
{
	my ($node, $db, $script, %opts) = @_;
	my $dir = PostgreSQL::Test::Utils::tempdir();
	my $file = "$dir/script.sql";
	open my $fh, '>', $file or die $!;
	print $fh $script;
	close $fh;
	my $out = "$dir/pgbench.out";
	local %ENV = $node->_get_env();
	# The TAP framework sets PGAPPNAME to the test's name; the tests find
	# pgbench's sessions by application_name.
	$ENV{PGAPPNAME} = 'pgbench';
	my $h = IPC::Run::start(
		[
			$node->installed_command('pgbench'), '-n',
			'-c', $opts{clients} // 4,
			'-j', 2,
			'-T', $opts{seconds} // 60,
			'-f', $file,
			'-d', $node->connstr($db)
		],
		'>', $out, '2>&1');
	return $h;
}

sub stop_pgbench
{
	my ($h) = @_;
	$h->kill_kill;
	$h->finish;
	return;
}

1;
