# PgArchitect::Test: helpers shared by pg_architect's TAP tests.
#
# new_node(NAME, preload => 1|0, conf => "extra settings") returns an
# initialised, not yet started PostgreSQL::Test::Cluster whose settings are
# those of make test's throwaway clusters (test/pg_architect.conf) when
# preloaded, or the same without shared_preload_libraries otherwise.
package PgArchitect::Test;

use strict;
use warnings;
use Exporter 'import';
use PostgreSQL::Test::Cluster;

our @EXPORT = qw(new_node test_conf);

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

1;
