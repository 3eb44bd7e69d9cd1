# PgArchitect::Test: helpers shared by pg_architect's TAP tests.
#
# new_node(NAME, preload => 1|0, conf => "extra settings") returns an
# initialised, not yet started PostgreSQL::Test::Cluster whose settings are
# those of make test's throwaway clusters (test/pg_architect.conf) when
# preloaded, or the same without shared_preload_libraries otherwise.
#
# next_minute() sleeps until just past the next full minute of the clock,
# when pg_cron (1.4 in Debian 12: minute schedules, no seconds) starts the
# jobs that are due: a poll for their work after it need not spend a minute
# starting psql ten times a second beside the tests running meanwhile.
package PgArchitect::Test;

use strict;
use warnings;
use Exporter 'import';
use PostgreSQL::Test::Cluster;

use Time::HiRes ();

our @EXPORT = qw(new_node test_conf next_minute);

# The settings file of the test clusters.
sub test_conf
{
	my $src = $ENV{PGA_SRC} or die "PGA_SRC is not set (run through make test)\n";
	open my $fh, '<', "$src/test/pg_architect.conf" or die "$!";
	local $/;
	return <$fh>;
}

sub new_node
{
	my ($name, %opts) = @_;
	my $preload = exists $opts{preload} ? $opts{preload} : 1;
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init(%{ $opts{init} // {} });
	my $conf = test_conf();
	$conf =~ s/^shared_preload_libraries.*$//m unless $preload;
	$conf =~ s/^cron\.database_name.*$/cron.database_name = 'postgres'/m;
	$node->append_conf('postgresql.conf', $conf . ($opts{conf} // ''));
	return $node;
}

sub next_minute
{
	my $now = Time::HiRes::time();
	Time::HiRes::sleep(60 - ($now - 60 * int($now / 60)) + 0.5);
	return;
}

1;
