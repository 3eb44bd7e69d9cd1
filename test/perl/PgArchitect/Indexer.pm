# PgArchitect::Indexer: helpers for the index build TAP tests (test/t/03*).
#
# slow_table($node, $db, $table, $rows) creates $table (id, v) with $rows
# rows and slow_key(int), an IMMUTABLE function that sleeps a millisecond:
# an index on slow_key(v) takes at least $rows milliseconds to build, long
# enough to act on it mid-build deterministically.
#
# job_id($node, $db, $index_name) is the latest job for an index name;
# wait_job($node, $db, $job, $sql_condition) polls the job log (as the
# superuser, so that the raw row is seen, not the view's reading of it)
# until the condition holds; wait_phase() polls architect.index_jobs until
# the build reports a pg_stat_progress_create_index phase (a prefix: the
# access method adds a sub-phase, as in "building index: scanning table").
package PgArchitect::Indexer;

use strict;
use warnings;
use Exporter 'import';
use Test::More;

our @EXPORT = qw(slow_table job_id wait_job wait_phase job_row);

sub slow_table
{
	my ($node, $db, $table, $rows) = @_;
	$node->safe_psql($db, qq{
		CREATE OR REPLACE FUNCTION slow_key(int) RETURNS int
		  IMMUTABLE LANGUAGE plpgsql
		  AS \$\$ BEGIN PERFORM pg_sleep(0.001); RETURN \$1; END \$\$;
		CREATE TABLE $table (id int PRIMARY KEY, v int);
		INSERT INTO $table SELECT g, g FROM generate_series(1, $rows) g;
		ANALYZE $table;
	});
	return;
}

sub job_id
{
	my ($node, $db, $index) = @_;
	return $node->safe_psql($db,
		"SELECT max(job_id) FROM architect.index_jobs_log WHERE index_name = '$index'");
}

sub wait_job
{
	my ($node, $db, $job, $cond) = @_;
	$node->poll_query_until($db,
		"SELECT count(*) = 1 FROM architect.index_jobs_log WHERE job_id = $job AND ($cond)")
	  or die "job $job never satisfied: $cond";
	return;
}

sub wait_phase
{
	my ($node, $db, $index, $phase) = @_;
	$node->poll_query_until($db,
		"SELECT count(*) = 1 FROM architect.index_jobs WHERE index_name = '$index' AND phase LIKE '$phase%'")
	  or die "index build $index never reached phase $phase";
	return;
}

sub job_row
{
	my ($node, $db, $job, $cols) = @_;
	return $node->safe_psql($db,
		"SELECT $cols FROM architect.index_jobs_log WHERE job_id = $job");
}

1;
