# A primary and a streaming hot standby, both preloaded:
#   * the extension (created on the primary) replays to the standby;
#   * capture works on the standby (its own shared memory) as on the primary;
#   * every architect view reads on both (listed from the catalog);
#   * the advisor works on the standby (hypothetical indexes need no write)
#     and, given the same workload, recommends what the primary recommends;
#   * explain()/whatif() work on the standby;
#   * every function of schema architect is classified below as working on
#     a standby or refusing there; those that must write refuse with
#     SQLSTATE 25006 and a clear message.  A new function without an entry
#     here makes this test fail, on purpose.
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;
use PgArchitect::Test;
use PgArchitect::Reliability;

# How each public function is called on the standby, and whether it must
# work there ('works') or refuse ('refuses', SQLSTATE 25006).  Keyed by
# regprocedure text.
my $q = q{'SELECT * FROM items WHERE cat = 3'};
my $ix = q{ARRAY['CREATE INDEX ON items (cat)']};
my %standby = (
	# capture
	'architect.version()' => [ 'SELECT architect.version()', 'works' ],
	'architect.capture_stats()' => [ 'SELECT * FROM architect.capture_stats()', 'works' ],
	# Empties this server's own shared memory: no WAL, fine on a standby.
	'architect.reset()' => [ 'SELECT architect.reset()', 'works' ],
	'architect.query_patterns()' => [ 'SELECT count(*) FROM architect.query_patterns()', 'works' ],
	'architect.predicates()' => [ 'SELECT count(*) FROM architect.predicates()', 'works' ],
	'architect.plan_findings()' => [ 'SELECT count(*) FROM architect.plan_findings()', 'works' ],
	'architect.query_errors()' => [ 'SELECT count(*) FROM architect.query_errors()', 'works' ],
	'architect.explain(text,boolean)' =>
	  [ "SELECT count(*) FROM architect.explain($q, false)", 'works' ],
	# advisor: hypothetical indexes need no write
	'architect.whatif(text,text[])' => [ "SELECT count(*) FROM architect.whatif($q, $ix)", 'works' ],
	'architect.recommend_indexes(double precision,integer)' =>
	  [ 'SELECT count(*) FROM architect.recommend_indexes()', 'works' ],
	'architect.recommend_indexes_for(text[],double precision,integer,double precision[],double precision[])' =>
	  [ "SELECT count(*) FROM architect.recommend_indexes_for(ARRAY[$q])", 'works' ],
	'architect.advisor_stats()' => [ 'SELECT count(*) FROM architect.advisor_stats()', 'works' ],
	'architect.workload_whatif(text[],text[])' =>
	  [ "SELECT count(*) FROM architect.workload_whatif($ix)", 'works' ],
	'architect.whatif_join_reuse(text,text[],text[])' =>
	  [ "SELECT count(*) FROM architect.whatif_join_reuse($q, $ix)", 'works' ],
	'architect.whatif_join_reuse_stats()' =>
	  [ 'SELECT count(*) FROM architect.whatif_join_reuse_stats()', 'works' ],
	# index builds
	'architect.create_index(text,boolean,boolean)' =>
	  [ q{SELECT architect.create_index('CREATE INDEX ON items (price)')}, 'refuses' ],
	'architect.drop_index(regclass,boolean,boolean,boolean)' =>
	  [ q{SELECT architect.drop_index('items_pkey')}, 'refuses' ],
	'architect.cancel_index_job(bigint)' => [ 'SELECT architect.cancel_index_job(1)', 'refuses' ],
	'architect.apply_recommendations(double precision,integer,boolean)' =>
	  [ 'SELECT count(*) FROM architect.apply_recommendations(NULL, 5)', 'refuses' ],
	# Only reads the job: on a standby there is none to wait for.
	'architect.wait_index_job(bigint,interval)' => [ q{CALL architect.wait_index_job(1, '1s')}, 'no_job' ],
	'architect.index_job_slots()' => [ 'SELECT count(*) FROM architect.index_job_slots()', 'works' ],
	'architect.statement_counters()' => [ 'SELECT count(*) FROM architect.statement_counters()', 'works' ],
	# guards: they change tables, so refuse; trigger functions cannot be called
	'architect.audit_log_guard()' => [ 'SELECT architect.audit_log_guard()', 'trigger' ],
	'architect.audit_trigger()' => [ 'SELECT architect.audit_trigger()', 'trigger' ],
	'architect.updated_at_trigger()' => [ 'SELECT architect.updated_at_trigger()', 'trigger' ],
	'architect.guard_ddl()' => [ 'SELECT architect.guard_ddl()', 'trigger' ],
	'architect.soft_delete_trigger()' => [ 'SELECT architect.soft_delete_trigger()', 'trigger' ],
	'architect.audit_maintain()' => [ 'SELECT architect.audit_maintain()', 'refuses' ],
	'architect.audit_purge(interval)' => [ q{SELECT architect.audit_purge('1 day')}, 'refuses' ],
	'architect.enable_audit(regclass,name[],name[],boolean)' =>
	  [ q{SELECT architect.enable_audit('items')}, 'refuses' ],
	'architect.disable_audit(regclass)' => [ q{SELECT architect.disable_audit('items')}, 'refuses' ],
	'architect.enable_updated_at(regclass,name,boolean,text,boolean,boolean)' =>
	  [ q{SELECT architect.enable_updated_at('items', 'note', true)}, 'refuses' ],
	'architect.disable_updated_at(regclass)' =>
	  [ q{SELECT architect.disable_updated_at('items')}, 'refuses' ],
	'architect.enable_rls(regclass,name,text,name[],boolean)' =>
	  [ q{SELECT architect.enable_rls('items', 'cat')}, 'refuses' ],
	'architect.enable_owner_rls(regclass,name,text,name[],boolean)' =>
	  [ q{SELECT architect.enable_owner_rls('items', 'note')}, 'refuses' ],
	'architect.disable_rls(regclass)' => [ q{SELECT architect.disable_rls('items')}, 'refuses' ],
	'architect.enable_soft_delete(regclass,name,name)' =>
	  [ q{SELECT architect.enable_soft_delete('items')}, 'refuses' ],
	'architect.disable_soft_delete(regclass,boolean)' =>
	  [ q{SELECT architect.disable_soft_delete('items')}, 'refuses' ],
	'architect.guard_setting(text)' => [ q{SELECT architect.guard_setting('app.current_tenant')}, 'works' ],
	'architect.guard_current_user()' => [ 'SELECT architect.guard_current_user()', 'works' ],
	'architect.guard_options(oid)' => [ 'SELECT architect.guard_options(0)', 'works' ],
	# health: reads; snapshot and scheduling write
	'architect.severity_rank(text)' => [ q{SELECT architect.severity_rank('warning')}, 'works' ],
	'architect.health_settings()' => [ 'SELECT count(*) FROM architect.health_settings()', 'works' ],
	'architect.system_info()' => [ 'SELECT count(*) FROM architect.system_info()', 'works' ],
	'architect.index_facts()' => [ 'SELECT count(*) FROM architect.index_facts()', 'works' ],
	'architect.user_columns()' => [ 'SELECT count(*) FROM architect.user_columns()', 'works' ],
	'architect.stats_since()' => [ 'SELECT architect.stats_since()', 'works' ],
	'architect.age_text(interval)' => [ q{SELECT architect.age_text('1 day')}, 'works' ],
	'architect.sequence_last_value(regclass)' =>
	  [ q{SELECT architect.sequence_last_value('items_seq')}, 'works' ],
	'architect.statements(boolean)' => [ 'SELECT count(*) FROM architect.statements()', 'works' ],
	'architect.statements_reset()' => [ 'SELECT architect.statements_reset()', 'works' ],
	'architect.plan_findings_summary()' =>
	  [ 'SELECT count(*) FROM architect.plan_findings_summary()', 'works' ],
	'architect.hba_rules()' => [ 'SELECT count(*) FROM architect.hba_rules()', 'works' ],
	'architect.password_roles()' => [ 'SELECT count(*) FROM architect.password_roles()', 'works' ],
	'architect.is_user_schema(name)' => [ q{SELECT architect.is_user_schema('public')}, 'works' ],
	'architect.require_primary(text)' => [ q{SELECT architect.require_primary('this check')}, 'refuses' ],
	'architect.snapshot()' => [ 'SELECT architect.snapshot()', 'refuses' ],
	'architect.purge_history(interval)' => [ q{SELECT architect.purge_history('1 day')}, 'refuses' ],
	'architect.snapshot_recommendations()' => [ 'SELECT architect.snapshot_recommendations()', 'refuses' ],
	'architect.schedule(interval,interval,boolean,name)' => [ 'SELECT architect.schedule()', 'refuses' ],
	'architect.unschedule(name)' => [ 'SELECT architect.unschedule()', 'refuses' ],
	'architect.exact_bloat(regclass)' => [ q{SELECT count(*) FROM architect.exact_bloat('items')}, 'works' ],
	'architect.file_settings()' => [ 'SELECT count(*) FROM architect.file_settings()', 'works' ],
	'architect.memory_setting(numeric)' => [ 'SELECT architect.memory_setting(1048576)', 'works' ],
	'architect.obsolete_settings()' => [ 'SELECT count(*) FROM architect.obsolete_settings()', 'works' ],
	'architect.report(architect.severity,integer)' => [ 'SELECT length(architect.report()) > 0', 'works' ],
	'architect.column_stats()' => [ 'SELECT count(*) FROM architect.column_stats()', 'works' ],
	'architect.extension_members(regclass)' =>
	  [ q{SELECT count(*) FROM architect.extension_members('pg_class')}, 'works' ],
	'architect.security_advice_rows()' => [ 'SELECT count(*) FROM architect.security_advice_rows()', 'works' ],
	'architect.schema_advice_rows()' => [ 'SELECT count(*) FROM architect.schema_advice_rows()', 'works' ],
	'architect.findings_rows()' => [ 'SELECT count(*) FROM architect.findings_rows()', 'works' ],
);


my $primary = new_node('primary', init => { allows_streaming => 1 },
	conf => "pg_architect.sample_rate = 1\n");
$primary->start;
$primary->safe_psql('postgres', q{
	CREATE EXTENSION pg_stat_statements;
	CREATE EXTENSION pg_cron;
	CREATE EXTENSION pgstattuple;
	CREATE EXTENSION pg_architect;
	CREATE TABLE items (id int PRIMARY KEY, cat int, price numeric, note text);
	CREATE SEQUENCE items_seq;
	INSERT INTO items SELECT g, g % 500, g % 997, md5(g::text) FROM generate_series(1, 50000) g;
	ANALYZE items;
});
# Scheduled jobs exist, so that unschedule() on the standby has something
# it would have to delete.
$primary->safe_psql('postgres', 'SELECT architect.schedule()');
$primary->backup('base');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'base', has_streaming => 1);
$standby->start;
$primary->wait_for_catchup($standby);

is($standby->safe_psql('postgres', 'SELECT pg_is_in_recovery()'), 't', 'standby is in recovery');
is($standby->safe_psql('postgres', 'SELECT architect.version()'), '0.1.0',
	'the extension replayed to the standby');
is($standby->safe_psql('postgres', 'SELECT max_entries FROM architect.capture_stats'), '5000',
	'the standby has its own store');

# --- every view on both ---------------------------------------------------------
my $views = $primary->safe_psql('postgres', q{
	SELECT string_agg(format('%I.%I', schemaname, viewname), ' ' ORDER BY viewname)
	  FROM pg_views WHERE schemaname = 'architect'});
for my $node ($primary, $standby)
{
	for my $v (split / /, $views)
	{
		my ($ret, $out, $err) = $node->psql('postgres', "SELECT count(*) FROM $v");
		is($ret, 0, $node->name . ": $v reads") or diag $err;
	}
}

# --- capture on the standby -------------------------------------------------------
my $has_patterns = has_object($standby, 'postgres', 'architect.query_patterns');
my $workload = join('', map { "SELECT count(*) FROM items WHERE cat = $_ AND price > 10;\n" } 1 .. 30);
SKIP:
{
	skip 'capture (query_patterns) not installed yet', 2 unless $has_patterns;
	$standby->safe_psql('postgres', 'SELECT architect.reset()');
	$standby->safe_psql('postgres', $workload . "SELECT 1 /* standby_only_marker */;");
	cmp_ok($standby->safe_psql('postgres', q{
		SELECT coalesce(sum(q.calls), 0) FROM architect.query_patterns q
		  JOIN pg_stat_statements s USING (queryid)
		 WHERE s.query LIKE '%items WHERE cat = $1%'}), '>=', 30,
		'capture on the standby counts the standby workload');
	is($primary->safe_psql('postgres', q{
		SELECT count(*) FROM architect.query_patterns
		 WHERE example_query LIKE '%standby' || '_only_marker%'}), '0',
		'the primary does not see the standby workload (separate stores)');
}

# --- the advisor: same workload, same advice ----------------------------------------
my $has_advisor = has_object($standby, 'postgres', 'architect.recommend_indexes(float8,integer)');
SKIP:
{
	skip 'advisor not installed yet', 2 unless $has_advisor && $has_patterns;
	for my $node ($primary, $standby)
	{
		$node->safe_psql('postgres', 'SELECT architect.reset()');
		$node->safe_psql('postgres', $workload);
	}
	my $advice = q{SELECT string_agg(ddl, E'\n' ORDER BY ddl) FROM architect.recommend_indexes()};
	my $on_primary = $primary->safe_psql('postgres', $advice);
	my $on_standby = $standby->safe_psql('postgres', $advice);
	like($on_standby, qr/CREATE INDEX CONCURRENTLY .*items.*cat/,
		'the advisor on the standby recommends the missing index');
	is($on_standby, $on_primary, 'the standby recommends what the primary recommends');
}

# --- every function: works, or refuses with 25006 -----------------------------------
my @functions = split /\n/, $standby->safe_psql('postgres', q{
	SELECT p.oid::regprocedure FROM pg_proc p
	 WHERE p.pronamespace = 'architect'::regnamespace ORDER BY 1});
cmp_ok(scalar(@functions), '>=', 3, 'functions listed from the catalog');
for my $fn (@functions)
{
	my $entry = $standby{$fn};
	ok(defined $entry, "$fn has an entry in this test's table")
	  or next;
	my ($sql, $expect) = @$entry;
	my ($ret, $out, $err) = $standby->psql('postgres', "\\set VERBOSITY verbose\n$sql");
	if ($expect eq 'works')
	{
		is($ret, 0, "$fn works on the standby") or diag $err;
	}
	elsif ($expect eq 'trigger')
	{
		like($err, qr/ERROR:\s+39P01: .*must be called as an? (event )?trigger/,
			"$fn cannot be called directly (39P01)");
	}
	elsif ($expect eq 'no_job')
	{
		like($err, qr/ERROR:\s+42704: index job 1 does not exist/, "$fn: no such job (42704)");
	}
	else
	{
		isnt($ret, 0, "$fn refuses on the standby");
		like($err, qr/ERROR:\s+25006: .*(hot standby|read-only transaction)/,
			"$fn: SQLSTATE 25006 with a clear message") or diag $err;
	}
}

is($primary->safe_psql('postgres', 'SELECT architect.unschedule() > 0'), 't',
	'the primary unschedules its jobs');

# What refused on the standby changed nothing there (nothing to change: it
# is read-only) and the primary still works after all this.
$primary->safe_psql('postgres', 'INSERT INTO items VALUES (50001, 1, 1, NULL)');
$primary->wait_for_catchup($standby);
is($standby->safe_psql('postgres', 'SELECT count(*) FROM items'), '50001', 'replication continues');
is($standby->safe_psql('postgres',
	q{SELECT count(*) FROM pg_index WHERE indrelid = 'items'::regclass}), '1',
	'no index appeared on the table');

$standby->stop;
$primary->stop;
done_testing();
