#!/usr/bin/perl
# check-docs.pl: every object the install script creates in schema architect
# carries a COMMENT and is named in README.md, and every GUC defined in
# src/guc.c is named in README.md by its full name.  Run from the source
# tree by test/run-tests.sh (step "meta"); exits 1 and lists what is missing.
use strict;
use warnings;

sub slurp { my ($f) = @_; open my $fh, '<', $f or die "$f: $!\n"; local $/; return <$fh>; }

my $sql = join "\n", map { slurp($_) } sort glob 'src/sql/*.sql';
my $readme = slurp('README.md');
my $gucsrc = slurp('src/guc.c');

# Strip SQL comments so commented-out examples do not count.
$sql =~ s/--[^\n]*//g;

my $kinds = qr/FUNCTION|PROCEDURE|VIEW|MATERIALIZED\s+VIEW|TABLE|TYPE|EVENT\s+TRIGGER/i;
my (%created, %commented);
while ($sql =~ /CREATE\s+(?:OR\s+REPLACE\s+)?(?:UNLOGGED\s+)?($kinds)\s+(?:IF\s+NOT\s+EXISTS\s+)?(architect\.\w+|\w+)/g) {
    my ($kind, $name) = (uc $1, $2);
    $kind =~ s/\s+/ /g;
    next if $kind eq 'EVENT TRIGGER' ? 0 : $name !~ /^architect\./;
    $created{"$kind $name"} = $name;
}
while ($sql =~ /COMMENT\s+ON\s+($kinds)\s+(architect\.\w+|\w+)/g) {
    my ($kind, $name) = (uc $1, $2);
    $kind =~ s/\s+/ /g;
    $commented{"$kind $name"} = 1;
}

my @errors;
for my $key (sort keys %created) {
    my $name = $created{$key};
    (my $short = $name) =~ s/^architect\.//;
    push @errors, "$key has no COMMENT ON" unless $commented{$key};
    push @errors, "$key is not named in README.md" unless $readme =~ /\b\Q$short\E\b/;
}

my @gucs = $gucsrc =~ /DefineCustom\w+Variable\(\s*"(pg_architect\.\w+)"/g;
push @errors, "no GUCs found in src/guc.c" unless @gucs;
for my $guc (@gucs) {
    push @errors, "GUC $guc is not named in README.md" unless $readme =~ /\Q$guc\E\b/;
}

printf "%d objects, %d GUCs checked\n", scalar(keys %created), scalar(@gucs);
if (@errors) { print "$_\n" for @errors; exit 1; }
exit 0;
