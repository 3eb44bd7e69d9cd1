# Without shared_preload_libraries the index job functions refuse with
# SQLSTATE 55000 and a hint; the job views still work.
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;
use PgArchitect::Test;

my $node = new_node('indexer_not_preloaded', preload => 0);
$node->start;
my $db = 'postgres';
$node->safe_psql($db, 'CREATE EXTENSION pg_architect; CREATE TABLE t (a int); CREATE INDEX t_a ON t (a);');

for my $call (
	"SELECT architect.create_index('CREATE INDEX ON t (a)')",
	"SELECT architect.drop_index('t_a')",
	"SELECT architect.cancel_index_job(1)",
	"SELECT * FROM architect.apply_recommendations(NULL, 5, dry_run => false)")
{
	my ($ret, $out, $err) = $node->psql($db, "\\set VERBOSITY verbose\n$call");
	isnt($ret, 0, "$call fails without preload");
	like($err, qr/ERROR:  55000: architect\.\w+\(\) requires pg_architect to be loaded via shared_preload_libraries/,
		"$call: SQLSTATE 55000");
	like($err, qr/HINT:  Add pg_architect to shared_preload_libraries/, "$call: hint");
}
# A dry run needs no worker: what stops it here is the advisor, which has no
# workload to read without the capture store or pg_stat_statements.
my ($ret, $out, $err) = $node->psql($db,
	"\\set VERBOSITY verbose\nSELECT * FROM architect.apply_recommendations(NULL, 5)");
like($err, qr/ERROR:  55000: /, 'a dry run reports what the advisor needs');
unlike($err, qr/apply_recommendations\(\) requires pg_architect/,
	'not the worker: a dry run does not need it');
is($node->safe_psql($db, 'SELECT count(*) FROM architect.index_jobs'), '0',
	'architect.index_jobs works');
is($node->safe_psql($db, 'SELECT count(*) FROM architect.index_job_effects'), '0',
	'architect.index_job_effects works');

$node->stop;
done_testing();
