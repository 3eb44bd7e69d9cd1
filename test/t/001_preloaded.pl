# The extension in a preloaded cluster: it loads, its shared memory works,
# it survives a restart, and DROP EXTENSION leaves nothing behind.
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;
use PgArchitect::Test;

my $node = new_node('preloaded');
$node->start;

is($node->safe_psql('postgres',
	"SELECT setting FROM pg_settings WHERE name = 'shared_preload_libraries'"),
	'pg_stat_statements,pg_cron,pg_architect', 'library is preloaded');

$node->safe_psql('postgres', 'CREATE EXTENSION pg_architect');
is($node->safe_psql('postgres', 'SELECT architect.version()'), '0.1.0', 'version');
is($node->safe_psql('postgres', 'SELECT max_entries FROM architect.capture_stats'),
	'5000', 'shared memory store is attached');

my $reset_before = $node->safe_psql('postgres', 'SELECT stats_reset FROM architect.capture_stats');
$node->safe_psql('postgres', 'SELECT architect.reset()');
my $reset_after = $node->safe_psql('postgres', 'SELECT stats_reset FROM architect.capture_stats');
isnt($reset_after, $reset_before, 'reset() moves stats_reset');

$node->restart;
is($node->safe_psql('postgres', 'SELECT architect.version()'), '0.1.0',
	'extension works after a restart');
is($node->safe_psql('postgres', 'SELECT count(*) FROM architect.capture_stats'),
	'1', 'store is attached after a restart');

# What the extension created, counted through pg_depend, before and after.
my $ext_objects = q{
	SELECT count(*) FROM pg_depend d JOIN pg_extension e ON d.refobjid = e.oid
	WHERE d.refclassid = 'pg_extension'::regclass AND e.extname = 'pg_architect'};
cmp_ok($node->safe_psql('postgres', $ext_objects), '>', 0, 'extension owns objects');

$node->safe_psql('postgres', 'DROP EXTENSION pg_architect');
is($node->safe_psql('postgres',
	"SELECT count(*) FROM pg_namespace WHERE nspname = 'architect'"), '0',
	'schema architect is gone');
is($node->safe_psql('postgres',
	"SELECT count(*) FROM pg_proc WHERE probin LIKE '%pg_architect%'"), '0',
	'no C function is left');
is($node->safe_psql('postgres',
	"SELECT count(*) FROM pg_depend WHERE refclassid = 'pg_extension'::regclass
	   AND refobjid NOT IN (SELECT oid FROM pg_extension)"), '0',
	'no dangling extension dependency');

# CREATE again after DROP works (idempotent install).
$node->safe_psql('postgres', 'CREATE EXTENSION pg_architect');
is($node->safe_psql('postgres', 'SELECT architect.version()'), '0.1.0', 'recreated');

$node->stop;
done_testing();
