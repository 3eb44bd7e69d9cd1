# DROP EXTENSION pg_architect while tables are guarded (in its own cluster:
# dropping the extension in the shared regression database would break the
# suites after it).  Without CASCADE it is refused with SQLSTATE 2BP01 and
# the guarded tables named; with CASCADE every trigger, policy and view the
# guards made goes, row-level security is back as it was before the guard,
# and the tables keep their rows and are usable by their other roles.
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;
use PgArchitect::Test;

my $node = new_node('guards_drop', preload => 0);
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE shop');

my $setup = q{
	CREATE EXTENSION pg_architect;
	CREATE ROLE app;
	CREATE SCHEMA "Shop Floor";
	GRANT USAGE ON SCHEMA public, "Shop Floor" TO app;
	CREATE TABLE guarded (id int PRIMARY KEY, tenant int, updated_at timestamptz);
	INSERT INTO guarded VALUES (1, 1, NULL), (2, 2, NULL);
	GRANT SELECT, INSERT, UPDATE, DELETE ON guarded TO app;
	SELECT architect.enable_audit('guarded');
	SELECT architect.enable_updated_at('guarded');
	SELECT architect.enable_soft_delete('guarded');
	SELECT architect.enable_rls('guarded', 'tenant', bypass_roles => '{app}');
	-- A view of the user's on the guard's view of live rows.
	CREATE VIEW guarded_report AS SELECT count(*) AS n FROM guarded_active;
	-- Row-level security that was on before the guard stays on.
	CREATE TABLE "Shop Floor"."Own ""RLS""" (id int, owner_name text);
	ALTER TABLE "Shop Floor"."Own ""RLS""" ENABLE ROW LEVEL SECURITY;
	CREATE POLICY mine ON "Shop Floor"."Own ""RLS""" USING (owner_name = current_user);
	SELECT architect.enable_owner_rls('"Shop Floor"."Own ""RLS"""', 'owner_name');
	-- A partitioned table, its partitions covered by the audit guard.
	CREATE TABLE sale (id int, region text) PARTITION BY LIST (region);
	CREATE TABLE sale_eu PARTITION OF sale FOR VALUES IN ('eu');
	SELECT architect.enable_audit('sale');
	CREATE TABLE sale_us PARTITION OF sale FOR VALUES IN ('us');
	INSERT INTO sale VALUES (1, 'eu'), (2, 'us');
	GRANT SELECT ON sale TO app;
	-- Not guarded: untouched.
	CREATE TABLE plain (id int);
	CREATE TRIGGER architect_audit AFTER INSERT ON plain
	    FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();
};
$node->safe_psql('shop', $setup);

# Refused, naming every guarded table and its guards, with a hint.
my ($ret, $out, $err) = $node->psql('shop',
	"\\set VERBOSITY verbose\nDROP EXTENSION pg_architect");
isnt($ret, 0, 'DROP EXTENSION refused');
like($err, qr/ERROR:\s+2BP01: cannot drop extension pg_architect because tables are guarded by it/,
	'SQLSTATE 2BP01 and a clear message');
like($err,
	qr/DETAIL:\s+Guarded tables: "Shop Floor"\."Own ""RLS""" \(rls\), public\.guarded \(soft_delete, rls, updated_at, audit\), public\.sale \(audit\)\./,
	'the detail names each guarded table and its guards');
like($err, qr/HINT:\s+Remove the guards first with architect\.disable_audit\(\).*DROP EXTENSION pg_architect CASCADE/,
	'the hint says how to proceed');
is($node->safe_psql('shop', "SELECT count(*) FROM pg_extension WHERE extname = 'pg_architect'"),
	'1', 'the extension is still there');

# Another extension is dropped as usual.
($ret, $out, $err) = $node->psql('shop', 'CREATE EXTENSION pg_stat_statements; DROP EXTENSION pg_stat_statements');
is($ret, 0, 'other extensions drop as usual');

# CASCADE: everything the guards made goes, nothing else.
($ret, $out, $err) = $node->psql('shop', 'DROP EXTENSION pg_architect CASCADE');
is($ret, 0, 'DROP EXTENSION CASCADE succeeds') or diag($err);
like($err, qr/NOTICE:\s+removing the soft_delete guard of table public\.guarded/,
	'CASCADE says which guards it removes');
is($node->safe_psql('shop', q{
	SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE 'architect%'
	   AND tgrelid <> 'plain'::regclass}),
	'0', 'no guard trigger left, partitions included');
is($node->safe_psql('shop', q{
	SELECT string_agg(tgname, ',') FROM pg_trigger WHERE tgrelid = 'plain'::regclass}),
	'architect_audit', 'a user trigger that only shares the name stays');
is($node->safe_psql('shop', q{SELECT string_agg(polname, ',' ORDER BY polname) FROM pg_policy}),
	'mine', 'only the user\'s own policy is left');
is($node->safe_psql('shop', q{
	SELECT count(*) FROM pg_class WHERE relname IN ('guarded_active', 'guarded_report')}),
	'0', 'the view of live rows is gone, with the view on it');
is($node->safe_psql('shop', q{
	SELECT string_agg(format('%s:%s/%s', relname, relrowsecurity, relforcerowsecurity), ' ' ORDER BY relname)
	  FROM pg_class WHERE relname IN ('guarded', 'Own "RLS"')}),
	'Own "RLS":t/f guarded:f/f',
	'row-level security is back as it was before each guard');
is($node->safe_psql('shop', q{
	SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	 WHERE n.nspname = 'architect'}),
	'0', 'schema architect is gone with the extension');

# The tables are plain again, and the other role sees every row.
is($node->safe_psql('shop', q{SET ROLE app; SELECT count(*) FROM guarded}),
	'2', 'the application role is not locked out');
$node->safe_psql('shop', q{
	UPDATE guarded SET tenant = 3 WHERE id = 1;
	DELETE FROM guarded WHERE id = 2;
	TRUNCATE sale_eu;
});
is($node->safe_psql('shop', 'SELECT id, tenant, updated_at IS NULL FROM guarded'),
	'1|3|t', 'DELETE deletes and UPDATE leaves updated_at alone');
is($node->safe_psql('shop', 'SELECT count(*) FROM sale'), '1', 'partitions work');

# Without guards, DROP EXTENSION needs no CASCADE; the auditor role stays.
$node->safe_psql('shop', 'CREATE EXTENSION pg_architect');
($ret, $out, $err) = $node->psql('shop', 'DROP EXTENSION pg_architect');
is($ret, 0, 'DROP EXTENSION without guarded tables') or diag($err);
is($node->safe_psql('shop', q{SELECT count(*) FROM pg_roles WHERE rolname = 'architect_auditor'}),
	'1', 'the auditor role survives (roles belong to the cluster)');

$node->stop;
done_testing();
