# The extension in a cluster that does not preload it: CREATE EXTENSION and
# everything that needs no shared memory work; functions that need shared
# memory fail with SQLSTATE 55000 and a hint that says what to do.
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;
use PgArchitect::Test;

my $node = new_node('not_preloaded', preload => 0);
$node->start;

is($node->safe_psql('postgres', "SHOW shared_preload_libraries"), '',
	'nothing preloaded');

$node->safe_psql('postgres', 'CREATE EXTENSION pg_architect');
is($node->safe_psql('postgres', 'SELECT architect.version()'), '0.1.0',
	'plain functions work without preload');

for my $call ('SELECT * FROM architect.capture_stats', 'SELECT architect.reset()')
{
	my ($ret, $out, $err) = $node->psql('postgres',
		"\\set VERBOSITY verbose\n$call", on_error_stop => 1);
	isnt($ret, 0, "$call fails without preload");
	like($err, qr/ERROR:\s+55000: .*requires pg_architect to be loaded via shared_preload_libraries/,
		"$call: SQLSTATE 55000");
	like($err, qr/HINT:\s+Add pg_architect to shared_preload_libraries/,
		"$call: hint");
}

# The GUCs exist once the library is loaded in the session, and the prefix
# is reserved: a misspelt pg_architect.* setting is an error.
is($node->safe_psql('postgres',
	"LOAD 'pg_architect'; SET pg_architect.sample_rate = 0.5; SHOW pg_architect.sample_rate"),
	'0.5', 'GUCs are defined when not preloaded');
my ($ret, $out, $err) = $node->psql('postgres',
	"LOAD 'pg_architect'; SET pg_architect.no_such_setting = 1");
like($err, qr/invalid configuration parameter name "pg_architect.no_such_setting"/,
	'GUC prefix is reserved');

$node->stop;
done_testing();
