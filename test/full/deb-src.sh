#!/usr/bin/env bash
# deb-src.sh: give apt the deb-src entries of the Debian archive this machine
# already uses, so that the reliability suite can fetch PostgreSQL's source
# with `apt-get source postgresql-15`.  Idempotent: does nothing when apt
# already knows the source package.  Called by test/install-deps.sh; needs
# root (or sudo) only when there is something to add.
set -euo pipefail

if apt-cache showsrc postgresql-15 2>/dev/null | grep -q '^Version:'; then
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
else
    echo "deb-src: apt has no deb-src entry for postgresql-15; run test/install-deps.sh as root" >&2
    exit 0
fi

target=/etc/apt/sources.list.d/pg_architect-deb-src
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    # deb822 format (Debian 12): the same entries, as deb-src.
    sed -E 's/^Types:.*/Types: deb-src/' /etc/apt/sources.list.d/debian.sources |
        "${sudo[@]}" tee "$target.sources" >/dev/null
else
    grep -hE '^deb +' /etc/apt/sources.list 2>/dev/null | grep -i debian |
        sed -E 's/^deb +/deb-src /' | "${sudo[@]}" tee "$target.list" >/dev/null
fi
echo "deb-src: added the archive's deb-src entries ($target.*)"
"${sudo[@]}" apt-get update -qq
