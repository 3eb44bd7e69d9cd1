# Health checks the audit of issue 7 found untested that need a server-level
# change or several sessions: pg_hba.conf lines with md5, clear-text
# password and network trust authentication are security findings (warning,
# critical, critical), each gone once the line uses scram-sha-256 (the local
# trust line this test connects through stays, a warning); a blocked update
# is shown with both queries, the blocked one and the blocker's.
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;
use PgArchitect::Test;

my $node = new_node('health_audit', preload => 0);
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION pg_architect');

sub hba_findings
{
	return $node->safe_psql('postgres',
		"SELECT string_agg(\"check\" || ' ' || severity || ' ' || value, E'\\n' ORDER BY object) "
		  . "FROM architect.security_advice WHERE \"check\" LIKE 'hba\\_%'");
}

sub write_hba
{
	my ($lines) = @_;
	open my $fh, '>', $node->data_dir . '/pg_hba.conf' or die $!;
	print $fh $lines;
	close $fh;
	$node->reload;
	# the reload is asynchronous: wait until pg_hba_file_rules shows the file
	my $n = () = $lines =~ /\n/g;
	$node->poll_query_until('postgres', "SELECT count(*) = $n FROM pg_hba_file_rules")
	  or die 'pg_hba.conf not reloaded';
}

write_hba("local all all trust\n"
	  . "host all all 127.0.0.1/32 md5\n"
	  . "host all all 10.0.0.0/8 password\n"
	  . "host all all 192.168.0.0/16 trust\n");
is(hba_findings(),
	"hba_trust warning local all all  trust\n"
	  . "hba_md5 warning host all all 127.0.0.1 md5\n"
	  . "hba_password critical host all all 10.0.0.0 password\n"
	  . "hba_trust critical host all all 192.168.0.0 trust",
	'md5 is a warning, clear-text password and network trust are critical, local trust a warning');
like($node->safe_psql('postgres',
	"SELECT action FROM architect.security_advice WHERE \"check\" = 'hba_md5'"),
	qr/^use scram-sha-256/, 'the action says what to use instead');
is($node->safe_psql('postgres',
	"SELECT count(*) FROM architect.alerts WHERE \"check\" LIKE 'hba\\_%'"), '0',
	'configuration findings are not alerts');
like($node->safe_psql('postgres',
	"SELECT string_agg(line, E'\\n') FROM architect.report() AS r(line) WHERE line LIKE '%hba\\_password%'"),
	qr/\[hba_password\] pg_hba\.conf line 3/, 'the report shows the clear-text password line');

# fixed: scram-sha-256 over the network
write_hba("local all all trust\n"
	  . "host all all 127.0.0.1/32 scram-sha-256\n"
	  . "host all all 10.0.0.0/8 scram-sha-256\n"
	  . "host all all 192.168.0.0/16 scram-sha-256\n");
is(hba_findings(), 'hba_trust warning local all all  trust', 'only the local trust line is left');

# --- blocking: both queries, the blocker's and the blocked one's ---------------
$node->safe_psql('postgres', 'CREATE TABLE b (id int PRIMARY KEY, v int); INSERT INTO b VALUES (1, 0)');
my $holder = $node->background_psql('postgres');
my $holder_pid = $holder->query_safe('SELECT pg_backend_pid()');
$holder->query_safe('BEGIN');
$holder->query_safe('UPDATE b SET v = 1 /* the blocker */ WHERE id = 1');
my $waiter = $node->background_psql('postgres');
$waiter->query_until(qr/waiting/, "\\echo waiting\nUPDATE b SET v = 2 /* the blocked */ WHERE id = 1;\n");
ok($node->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM architect.blocking WHERE blocking_pid = $holder_pid"), 'the wait is seen');
my ($blocked_q, $blocking_q) = split /\|/, $node->safe_psql('postgres',
	"SELECT blocked_query || '|' || blocking_query FROM architect.blocking WHERE blocking_pid = $holder_pid");
like($blocked_q, qr{/\* the blocked \*/}, 'the blocked session\'s query');
like($blocking_q, qr{/\* the blocker \*/}, 'the blocking session\'s (last) query');
$holder->query_safe('COMMIT');
$waiter->query_safe('SELECT 1');
is($node->safe_psql('postgres', 'SELECT count(*) FROM architect.blocking'), '0', 'gone once the blocker commits');
$holder->quit;
$waiter->quit;

$node->stop;
done_testing();
