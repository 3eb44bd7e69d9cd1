# Guards outside what pg_regress can show: they work in a cluster that does
# not preload pg_architect, the client address is logged over TCP, the audit
# log and the guards survive pg_dump and restore (columns renumbered by a
# dropped column keep their masking), and concurrent sessions write the log.
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use PgArchitect::Test;

my $node = new_node('guards', preload => 0, init => { allows_streaming => 1 },
	conf => "listen_addresses = '127.0.0.1'\n");
$node->start;

is($node->safe_psql('postgres', 'SHOW shared_preload_libraries'), '',
	'nothing preloaded');

$node->safe_psql('postgres', q{
	CREATE DATABASE shop;
});
$node->safe_psql('shop', q{
	CREATE EXTENSION pg_architect;
	CREATE TABLE account (id int PRIMARY KEY, gone text, name text,
	                      secret text, updated_at timestamptz);
	ALTER TABLE account DROP COLUMN gone;
	SELECT architect.enable_audit('account', mask_columns => '{secret}');
	SELECT architect.enable_updated_at('account');
	SELECT architect.enable_soft_delete('account');
});

# Over TCP the client address is logged.
my $tcp = $node->connstr('shop') . ' host=127.0.0.1';
$node->safe_psql('shop', q{
	SET application_name = 'tap client';
	INSERT INTO account (id, name, secret) VALUES (1, 'ann', 's3cret');
}, connstr => $tcp);
is($node->safe_psql('shop',
	"SELECT client_addr, application_name, new_data->>'secret' FROM architect.audit_log"),
	'127.0.0.1|tap client|***', 'client address, application name, mask over TCP');

# Row-level security without preload: no worker can build the tenant
# column's index concurrently, so enable_rls() builds it inside its
# transaction, says so and why, and marks it; disable_rls() drops exactly
# that index and keeps the user's.
$node->safe_psql('shop', q{
	CREATE TABLE tenant_t (id int PRIMARY KEY, tenant int);
	CREATE INDEX user_idx ON tenant_t (id, tenant);
});
my ($rls_ret, $rls_out, $rls_err) = $node->psql('shop',
	"SELECT architect.enable_rls('tenant_t', 'tenant')");
is($rls_ret, 0, 'enable_rls works without preload');
like($rls_err,
	qr/NOTICE:\s+building index tenant_t_tenant_idx on table public\.tenant_t inside this transaction\nDETAIL:\s+pg_architect is not in shared_preload_libraries/,
	'NOTICE: the index is built in the transaction, because nothing is preloaded');
is($node->safe_psql('shop', q{
	SELECT x.indisvalid, obj_description(x.indexrelid, 'pg_class') LIKE 'pg_architect: created by architect.enable_rls%',
	       (SELECT options -> 'index_jobs' FROM architect.guards WHERE table_name = 'tenant_t')
	  FROM pg_index x WHERE x.indexrelid = 'tenant_t_tenant_idx'::regclass}),
	't|t|[]', 'the index is there, valid and marked, no job recorded');
is($node->safe_psql('shop', q{
	SELECT architect.disable_rls('tenant_t');
	SELECT string_agg(indexrelid::regclass::text, ',' ORDER BY indexrelid::regclass::text)
	  FROM pg_index WHERE indrelid = 'tenant_t'::regclass}),
	"\ntenant_t_pkey,user_idx", 'disable_rls drops the marked index and keeps the user index');

# Several sessions at once: every change is logged once, ids are unique.
my $sessions = 4;
my $per = 50;
# The sessions run as parallel psql processes.
my @procs;
for my $s (1 .. $sessions)
{
	push @procs, IPC::Run::start(
		[ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('shop'), '-c',
		  "INSERT INTO account (id, name) SELECT $s * 1000 + g, 'x' FROM generate_series(1, $per) g" ]);
}
$_->finish for @procs;
is($node->safe_psql('shop',
	"SELECT count(*), count(DISTINCT id), count(DISTINCT txid) FROM architect.audit_log WHERE operation = 'INSERT' AND (new_data->>'id')::int > 1000"),
	($sessions * $per) . "|" . ($sessions * $per) . "|$sessions",
	'concurrent sessions: one log row per row, unique ids, one txid per session');

# Dump and restore into a fresh database: the guards come back with the
# tables, the log keeps its rows, and the masked column is still masked
# although the restored table has no dropped column (attribute numbers
# shifted by one).
$node->safe_psql('shop', "UPDATE account SET secret = 'changed' WHERE id = 1");
my $dump = $node->basedir . '/shop.dump';
command_ok([ 'pg_dump', '-Fc', '-f', $dump, '-d', $node->connstr('shop') ],
	'pg_dump of a database with guards');
$node->safe_psql('postgres', 'CREATE DATABASE shop2');
command_ok([ 'pg_restore', '--exit-on-error', '-d', $node->connstr('shop2'), $dump ],
	'pg_restore of it');
is($node->safe_psql('shop2',
	"SELECT attnum FROM pg_attribute WHERE attrelid = 'account'::regclass AND attname = 'secret'"),
	'3', 'secret is column 3 after restore (was 4)');
is($node->safe_psql('shop2',
	"SELECT count(*) FROM architect.audit_log"),
	$node->safe_psql('shop', "SELECT count(*) FROM architect.audit_log"),
	'the audit log rows are restored');
is($node->safe_psql('shop2',
	"SELECT string_agg(guard, ',' ORDER BY guard) FROM architect.guards WHERE table_name = 'account' AND status = 'enabled'"),
	'audit,soft_delete,updated_at', 'the guards are restored');
$node->safe_psql('shop2', "UPDATE account SET secret = 'after restore', name = 'bee' WHERE id = 1");
is($node->safe_psql('shop2',
	"SELECT new_data->>'secret' FROM architect.audit_log ORDER BY id DESC LIMIT 1"),
	'***', 'the masked column is still masked after restore');
is($node->safe_psql('shop2',
	"SELECT updated_at > now() - interval '1 minute' FROM account WHERE id = 1"),
	't', 'updated_at follows its column after restore');
$node->safe_psql('shop2', "DELETE FROM account WHERE id = 1");
is($node->safe_psql('shop2',
	"SELECT deleted_at IS NOT NULL FROM account WHERE id = 1"),
	't', 'soft delete works after restore');
# The restored log is still append-only.
my ($ret, $out, $err) = $node->psql('shop2', 'DELETE FROM architect.audit_log');
like($err, qr/the audit log is append-only/, 'restored log is append-only');

# On a hot standby the guards can be read but not changed (SQLSTATE 25006
# from the functions that write; the triggers never fire there).
$node->backup('guards_backup');
my $standby = PostgreSQL::Test::Cluster->new('guards_standby');
$standby->init_from_backup($node, 'guards_backup', has_streaming => 1);
$standby->start;
$node->wait_for_catchup($standby);
is($standby->safe_psql('shop2',
	"SELECT count(*) FROM architect.guards WHERE table_name = 'account' AND status = 'enabled'"),
	'3', 'architect.guards reads on a standby');
for my $call ("SELECT architect.enable_audit('account')",
	"SELECT architect.enable_rls('account', 'name')",
	"SELECT architect.enable_updated_at('account')",
	"SELECT architect.disable_soft_delete('account')",
	"SELECT architect.audit_maintain()",
	"SELECT architect.audit_purge(interval '1 day')")
{
	($ret, $out, $err) = $standby->psql('shop2', "\\set VERBOSITY verbose\n$call");
	like($err, qr/ERROR:\s+25006:/, "$call refused on a standby (25006)");
}
$standby->stop;

$node->stop;
done_testing();
