# The guards keep no per-transaction state in settings (issue 6: a new
# setting name per transaction slows a session down over time).  SQL cannot
# show it: PostgreSQL hides the placeholder settings that set_config('x.y')
# creates from pg_settings and SHOW ALL.  So this reads the guards' source:
# every setting their C code writes must be one of PostgreSQL's own,
# named by a string literal and saved in a GUC nest level (undone at the end
# of the call), and neither their C code nor their SQL calls set_config() or
# SET LOCAL/SESSION.  sql/40_audit.sql checks the behaviour that SQL can
# see: reading the application-user setting does not create it.
use strict;
use warnings;
use Test::More;

my $src = $ENV{PGA_SRC} or die "PGA_SRC is not set (run through make test)\n";

# The guards' files (ARCHITECTURE.md module map, BRIEF.md ownership).
my @c_files = map { "$src/src/$_" }
  qw(audit.c audit_admin.c touch.c softdelete.c guards.c guards_ddl.c rls.c rls_index.c);
my @sql_files = glob("$src/src/sql/40_*.sql");
ok(@sql_files > 0, 'the guards\' SQL fragments are found');

# Settings of PostgreSQL's own that the guards may set for the length of a
# call: the fixed search_path of code run as the log's owner, and the lock
# wait of guard DDL.
my %allowed = map { $_ => 1 } qw(search_path lock_timeout);

sub slurp
{
	my ($f) = @_;
	open my $fh, '<', $f or die "$f: $!";
	local $/;
	my $text = <$fh>;
	# Comments say what the code does not do; only code counts.
	$text =~ s{/\*.*?\*/}{}gs if $f =~ /\.c$/;
	$text =~ s{--[^\n]*}{}g if $f =~ /\.sql$/;
	return $text;
}

my $writes = 0;
for my $f (@c_files)
{
	ok(-f $f, "$f exists") or next;
	my $code = slurp($f);
	my $name = $f =~ s{.*/}{}r;

	# Every C-level write of a setting: PostgreSQL's own, by literal name,
	# with GUC_ACTION_SAVE (restored by AtEOXact_GUC at the nest level).
	while ($code =~ /\b(set_config_option(?:_ext)?|SetConfigOption|set_config_by_name)\s*\(\s*([^,]*),(.*?)\)\s*;/gs)
	{
		my ($fn, $arg, $rest) = ($1, $2, $3);
		$writes++;
		like($arg, qr/^"[a-z_]+"$/, "$name: $fn() names its setting literally ($arg)");
		my ($setting) = $arg =~ /^"([a-z_]+)"$/;
		ok(defined $setting && $allowed{$setting},
			"$name: $fn($arg) writes one of PostgreSQL's own settings");
		like($rest, qr/GUC_ACTION_SAVE/, "$name: $fn($arg) is undone at the end of the call");
	}
	unlike($code, qr/\bDefineCustom\w+Variable\s*\(/, "$name: defines no setting (guc.c does)");
	unlike($code, qr/set_config\s*\(/i, "$name: runs no set_config()");
	unlike($code, qr/\bSET\s+(LOCAL|SESSION)\b/i, "$name: runs no SET LOCAL/SESSION");
}
is($writes, 2, 'the guards write settings in exactly two places (search_path, lock_timeout)');

for my $f (@sql_files)
{
	my $sql = slurp($f);
	my $name = $f =~ s{.*/}{}r;
	unlike($sql, qr/set_config\s*\(/i, "$name: no set_config()");
	unlike($sql, qr/\bSET\s+(LOCAL|SESSION)\b/i, "$name: no SET LOCAL/SESSION");
}

done_testing();
