# Audit retention and partitions ahead scheduled with the real pg_cron, as
# the README shows: the jobs run in the database of the audited tables
# (cron.schedule_in_database), one as the superuser, one as a login role
# that was only granted EXECUTE on architect.audit_purge().  The purge job
# drops the partition older than its cut-off and keeps the recent one with
# its rows; the future partitions a superuser dropped are back (both
# functions create the partitions due); audited writes go on meanwhile.
#
# make test: beside the others (run-tests.sh): it waits for pg_cron's next
# minute, idle.
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;
use PgArchitect::Test;

# cron.database_name is 'postgres' in the TAP clusters (PgArchitect::Test).
my $node = new_node('guards_cron', conf => "cron.use_background_workers = on\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION pg_cron');
$node->safe_psql('postgres', 'CREATE DATABASE shop');
$node->safe_psql('shop', q{
	CREATE EXTENSION pg_architect;
	CREATE TABLE account (id int PRIMARY KEY, v text);
	SELECT architect.enable_audit('account');
	INSERT INTO account VALUES (1, 'a');
	-- A partition of long ago (empty: the log cannot be written but by
	-- the trigger, at the current time).
	CREATE TABLE architect.audit_log_y2000 PARTITION OF architect.audit_log
	    FOR VALUES FROM ('2000-01-01 00:00+00') TO ('2000-02-01 00:00+00');
	CREATE ROLE retention LOGIN;
	GRANT USAGE ON SCHEMA architect TO retention;
	GRANT EXECUTE ON FUNCTION architect.audit_purge(interval) TO retention;
});

# The partitions of the log: past (before the current one), current, future.
my $parts = q{
	SELECT count(*) FILTER (WHERE hi <= now()) || '|' ||
	       count(*) FILTER (WHERE lo <= now() AND now() < hi) || '|' ||
	       count(*) FILTER (WHERE lo > now())
	  FROM (SELECT (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']*)''\)'))[1]::timestamptz AS lo,
	               (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \(''([^'']*)''\)'))[1]::timestamptz AS hi
	          FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
	         WHERE i.inhparent = 'architect.audit_log'::regclass) p
	 WHERE lo IS NOT NULL};
is($node->safe_psql('shop', $parts), '1|1|2', 'before: one old, the current and two future partitions');

# A superuser drops the future partitions (nothing in the database stops
# that); the jobs are to put them back.
$node->safe_psql('shop', q{
	DO $$
	DECLARE p record;
	BEGIN
	    FOR p IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
	              WHERE i.inhparent = 'architect.audit_log'::regclass
	                AND (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']*)''\)'))[1]::timestamptz > now()
	    LOOP
	        EXECUTE format('DROP TABLE architect.%I', p.relname);
	    END LOOP;
	END $$;
});
is($node->safe_psql('shop', $parts), '1|1|0', 'future partitions dropped');

# The jobs, as the README schedules them (every minute here).
$node->safe_psql('postgres', q{
	SELECT cron.schedule_in_database('audit-retention', '* * * * *',
	    $$SELECT architect.audit_purge(interval '180 days')$$, 'shop', 'retention');
	SELECT cron.schedule_in_database('audit-partitions', '* * * * *',
	    $$SELECT architect.audit_maintain()$$, 'shop');
});

# pg_cron runs them at the next minute.
next_minute();
ok($node->poll_query_until('postgres', q{
	SELECT count(DISTINCT j.jobname) = 2
	  FROM cron.job_run_details d JOIN cron.job j USING (jobid)
	 WHERE d.status IN ('succeeded', 'failed')}),
	'both jobs ran');
is($node->safe_psql('postgres', q{
	SELECT string_agg(j.jobname || ' ' || j.username || ' ' || d.status, ', ' ORDER BY j.jobname)
	  FROM (SELECT DISTINCT ON (jobid) * FROM cron.job_run_details
	         WHERE status IN ('succeeded', 'failed') ORDER BY jobid, runid) d
	  JOIN cron.job j USING (jobid)}),
	'audit-partitions postgres succeeded, audit-retention retention succeeded',
	'both succeeded, the purge as the role granted EXECUTE');
ok($node->poll_query_until('shop', "SELECT ($parts) = '0|1|2'"),
	'the old partition is dropped, the two future ones are back');
is($node->safe_psql('shop', q{SELECT to_regclass('architect.audit_log_y2000') IS NULL}),
	't', 'the partition of 2000 is gone');
is($node->safe_psql('shop', q{SELECT count(*) FROM architect.audit_log WHERE table_name = 'account'}),
	'1', 'the recent rows stay');
$node->safe_psql('shop', q{UPDATE account SET v = 'b' WHERE id = 1});
is($node->safe_psql('shop', q{
	SELECT count(*) FROM architect.audit_log WHERE table_name = 'account' AND operation = 'UPDATE'}),
	'1', 'audited writes go on');

# (By id: unscheduling by name finds only the caller's own jobs.)
is($node->safe_psql('postgres', q{
	SELECT count(*) FILTER (WHERE cron.unschedule(jobid)) FROM cron.job
	 WHERE jobname IN ('audit-retention', 'audit-partitions')}),
	'2', 'jobs unscheduled');
$node->stop;
done_testing();
