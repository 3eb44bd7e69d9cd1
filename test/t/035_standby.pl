# On a hot standby every index job function refuses with SQLSTATE 25006 and
# a hint; the job history replicated from the primary can still be read,
# and the recovery worker only runs on the primary.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PgArchitect::Test;

my $primary = new_node('primary', init => { allows_streaming => 1 });
$primary->start;
my $db = 'postgres';
$primary->safe_psql($db, q{
	CREATE EXTENSION pg_architect;
	CREATE TABLE t (a int);
	INSERT INTO t SELECT generate_series(1, 100);
	SET pg_architect.verify_queries = 0;
	SELECT architect.create_index('CREATE INDEX t_a ON t (a)', false);
});
$primary->backup('backup');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'backup', has_streaming => 1);
$standby->start;
$primary->wait_for_catchup($standby);

is($standby->safe_psql($db, 'SELECT pg_is_in_recovery()'), 't', 'standby is in recovery');
for my $call (
	"SELECT architect.create_index('CREATE INDEX ON t (a)')",
	"SELECT architect.create_index('CREATE INDEX ON t (a)', wait => false)",
	"SELECT architect.drop_index('t_a')",
	"SELECT architect.cancel_index_job(1)")
{
	my ($ret, $out, $err) = $standby->psql($db, "\\set VERBOSITY verbose\n$call");
	isnt($ret, 0, "$call fails on the standby");
	like($err, qr/ERROR:  25006: architect\.\w+\(\) cannot run on a hot standby/,
		"$call: SQLSTATE 25006");
	like($err, qr/HINT:  Run it on the primary server\./, "$call: hint");
}
is($standby->safe_psql($db, 'SELECT status FROM architect.index_jobs WHERE index_name = \'t_a\''),
	'done', 'job history is readable on the standby');
is($standby->safe_psql($db,
	"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_architect index job recovery'"),
	'0', 'no recovery worker on the standby');
is($primary->safe_psql($db,
	"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_architect index job recovery'"),
	'1', 'the recovery worker runs on the primary');

$standby->stop;
$primary->stop;
done_testing();
