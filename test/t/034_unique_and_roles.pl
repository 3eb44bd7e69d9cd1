# A unique index on duplicate data fails cleanly, concurrently or not; a
# role that does not own the table is refused; the worker runs as the
# calling role (never as a superuser on its behalf), including through
# SET ROLE to a NOLOGIN owner role.
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;
use PgArchitect::Test;
use PgArchitect::Indexer;

my $node = new_node('unique_roles');
$node->start;
my $db = 'postgres';
$node->safe_psql($db, q{
	CREATE EXTENSION pg_architect;
	CREATE TABLE dup (a int);
	INSERT INTO dup SELECT g % 10 FROM generate_series(1, 1000) g;
	CREATE ROLE app_owner NOLOGIN;
	CREATE ROLE alice LOGIN IN ROLE app_owner;
	CREATE ROLE mallory LOGIN;
	GRANT CREATE ON SCHEMA public TO app_owner;
});

for my $concurrently ('true', 'false')
{
	my ($ret, $out, $err) = $node->psql($db,
		"SELECT architect.create_index('CREATE UNIQUE INDEX dup_a ON dup (a)', $concurrently)");
	isnt($ret, 0, "unique build fails (concurrently $concurrently)");
	like($err, qr/ERROR:  index job \d+ failed: could not create unique index "dup_a"/,
		'error names the index');
	like($err, qr/DETAIL:  Key \(a\)=\(\d\) is duplicated\./, 'error says which key');
	my $job = job_id($node, $db, 'dup_a');
	is(job_row($node, $db, $job, 'status, sqlstate, cleanup_pending'), 'failed|23505|f',
		'job failed with 23505');
	is($node->safe_psql($db, "SELECT count(*) FROM pg_class WHERE relname = 'dup_a'"), '0',
		'no index left');
}

# mallory owns nothing
$node->safe_psql($db, 'GRANT SELECT ON dup TO mallory');
my ($ret, $out, $err) = $node->psql($db,
	"SELECT architect.create_index('CREATE INDEX ON dup (a)')",
	extra_params => [ '-U', 'mallory' ]);
like($err, qr/ERROR:  must be owner of table dup/, 'non-owner refused');
($ret, $out, $err) = $node->psql($db,
	"SELECT architect.drop_index('pg_class_oid_index')",
	extra_params => [ '-U', 'mallory' ]);
like($err, qr/ERROR:  permission denied: "pg_class" is a system catalog/,
	'system catalog refused');

# alice builds on app_owner's table through SET ROLE; watch the worker.
slow_table($node, $db, 'slow', 3000);
$node->safe_psql($db, 'ALTER TABLE slow OWNER TO app_owner');
my $bg = $node->background_psql($db, extra_params => [ '-U', 'alice' ]);
$bg->query_until(qr/go/,
	"SET ROLE app_owner;\n\\echo go\nSELECT architect.create_index('CREATE INDEX slow_key_idx ON slow (slow_key(v))');\n");
wait_phase($node, $db, 'slow_key_idx', 'building index');
is($node->safe_psql($db,
	"SELECT usename FROM pg_stat_activity WHERE backend_type = 'pg_architect index job'"),
	'alice', 'the worker logged in as the calling session user');
my $job = job_id($node, $db, 'slow_key_idx');
is(job_row($node, $db, $job, 'role_name'), 'app_owner', 'and runs as its current role');
wait_job($node, $db, $job, "status = 'done'");
$bg->quit;
unlike($bg->{stderr}, qr/ERROR/, 'no error for alice');

$node->stop;
done_testing();
