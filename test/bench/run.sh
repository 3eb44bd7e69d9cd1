#!/usr/bin/env bash
# run.sh: what `make bench` runs: every test/bench/*.sh benchmark in turn.
set -euo pipefail
dir=$(cd "$(dirname "$0")" && pwd)
found=0
for b in "$dir"/bench_*.sh; do
    [ -e "$b" ] || continue
    found=1
    echo "== $(basename "$b")"
    bash "$b"
done
[ $found -eq 1 ] || echo "no benchmark yet"
