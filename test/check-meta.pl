#!/usr/bin/perl
# check-meta.pl: META.json is valid PGXN metadata and its versions agree with
# pg_architect.control, the one place the version is written.
use strict;
use warnings;
use JSON::PP;

open my $fh, '<', 'META.json' or die "META.json: $!\n";
my $meta = decode_json(do { local $/; <$fh> });

open my $ctl, '<', 'pg_architect.control' or die "pg_architect.control: $!\n";
my ($version) = map { /^default_version\s*=\s*'([^']+)'/ ? $1 : () } <$ctl>;
die "no default_version in pg_architect.control\n" unless $version;

my @errors;
for my $key (qw(name abstract version maintainer license provides meta-spec)) {
    push @errors, "META.json lacks required key '$key'" unless exists $meta->{$key};
}
push @errors, "META.json version $meta->{version} differs from control file $version"
    if ($meta->{version} // '') ne $version;
my $p = $meta->{provides}{pg_architect} // {};
push @errors, "provides.pg_architect.version differs from control file $version"
    if ($p->{version} // '') ne $version;
push @errors, "provides.pg_architect.file is not pg_architect--$version.sql"
    if ($p->{file} // '') ne "pg_architect--$version.sql";
push @errors, "version $version is not semantic (X.Y.Z)"
    unless $version =~ /^\d+\.\d+\.\d+$/;
push @errors, "meta-spec version is not 1.0.0"
    if ($meta->{'meta-spec'}{version} // '') ne '1.0.0';

if (@errors) { print "$_\n" for @errors; exit 1; }
print "META.json ok, version $version\n";
