#!/usr/bin/env bash
# install-deps.sh: install, on Debian 12, what building, testing and the demo
# of pg_architect need, and only what is missing.  Runs apt-get as root, or
# through sudo for a user who has it.  Extra package names may be passed as
# arguments (the benchmarks and the reliability suite add theirs).
set -euo pipefail

packages=(build-essential postgresql-15 postgresql-server-dev-15
          postgresql-15-cron libipc-run-perl "$@")
# The reliability suite (test/full): apt-get source needs dpkg-dev and the
# archive's deb-src entries; sqlsmith fuzzes; libasan8 (gcc's AddressSanitizer
# runtime) for the memory check of make test-full; valgrind for its opt-in step.
packages+=(dpkg-dev sqlsmith libasan8 valgrind)
bash "$(dirname "${BASH_SOURCE[0]}")/full/deb-src.sh" || true

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
else
    echo "install-deps: missing packages: ${missing[*]}; install them as root" >&2
    exit 1
fi

echo "install-deps: installing ${missing[*]}"
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
