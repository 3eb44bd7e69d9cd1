#!/usr/bin/env bash
# run-tests.sh: what `make test` runs.
#
# 1. Installs what is missing (test/install-deps.sh).
# 2. PostgreSQL refuses to run as root: when started as root, the tree is
#    copied to a directory owned by an unprivileged user (postgres, or
#    $PGA_TEST_USER) and this script runs again there as that user; the logs
#    and diffs are copied back to ./tmp_check afterwards.
# 3. Builds warning-free (-Wall -Wextra -Werror).
# 4. Makes a private, relocated copy of the PostgreSQL installation in
#    tmp_check/install and installs pg_architect into it (DESTDIR), so that
#    tests never touch the system installation and several checkouts can be
#    tested at once.
# 5. Runs every suite against throwaway clusters: META.json check,
#    pg_regress (sql/, expected/), isolation (test/specs/), TAP (test/t/),
#    the reliability steps (test/full/reliability.sh, the memory check
#    included), and the demo in quick mode.  With PGA_TEST_FULL=1
#    (make test-full) the reliability steps and the crash TAP tests run at
#    their long counts.
#
# Ends with "make test: N passed, N failed" and exits non-zero on any failure.
set -uo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
export PG_CONFIG

if [ "${1:-}" != "--as-test-user" ]; then
    bash "$SRC/test/install-deps.sh" || exit 1
    if [ "$(id -u)" -eq 0 ]; then
        user=${PGA_TEST_USER:-postgres}
        work=$(mktemp -d /tmp/pg_architect-test.XXXXXX)
        (cd "$SRC" && tar --exclude=./tmp_check --exclude=./tmp_demo \
            --exclude=./.git --exclude='*.o' --exclude='*.so' -cf - .) |
            tar -C "$work" -xf -
        chown -R "$user": "$work"
        echo "make test: running as $user in $work"
        # Every PGA_* knob goes along (seeds, counts, steps, time limits).
        mapfile -t knobs < <(env | grep -E '^PGA_[A-Z0-9_]*=' || true)
        runuser -u "$user" -- env PG_CONFIG="$PG_CONFIG" "${knobs[@]}" \
            HOME="$work" bash "$work/test/run-tests.sh" --as-test-user
        rc=$?
        # Keep logs and diffs where the user looks for them; drop the
        # copied installation and data directories.
        rm -rf "$SRC/tmp_check"
        mkdir -p "$SRC/tmp_check"
        (cd "$work/tmp_check" 2>/dev/null &&
            tar --exclude=./install --exclude='*/instance' --exclude='*/pgdata' \
                --exclude='*/data' -cf - . 2>/dev/null) |
            tar -C "$SRC/tmp_check" -xf - 2>/dev/null
        rm -rf "$work"
        exit $rc
    fi
fi

cd "$SRC" || exit 1
TC=$SRC/tmp_check
make -s clean >/dev/null 2>&1
rm -rf "$TC"
mkdir -p "$TC"

passed=0
failed=0
failed_names=()

pass() { passed=$((passed + 1)); echo "ok     $1"; }
fail() { failed=$((failed + 1)); failed_names+=("$1"); echo "FAILED $1"; }

finish() {
    echo
    if [ $failed -gt 0 ]; then
        echo "failed: ${failed_names[*]}"
        echo "logs: $SRC/tmp_check"
    fi
    echo "make test: $passed passed, $failed failed"
    [ $failed -eq 0 ]
    exit $?
}

# --- build -----------------------------------------------------------------
WERROR="-Wall -Wextra -Werror -Wno-unused-parameter -Wno-sign-compare -Wno-missing-field-initializers"
if make -s PG_CONFIG="$PG_CONFIG" COPT="$WERROR" >"$TC/build.log" 2>&1; then
    pass "build (-Wall -Wextra -Werror)"
else
    cat "$TC/build.log"
    fail "build"
    finish
fi

# --- private installation ----------------------------------------------------
INST=$TC/install
bindir=$("$PG_CONFIG" --bindir)
pkglibdir=$("$PG_CONFIG" --pkglibdir)
sharedir=$("$PG_CONFIG" --sharedir)
pgxs_dir=$(dirname "$("$PG_CONFIG" --pgxs)")/../..
for d in "$(dirname "$bindir")" "$sharedir"; do
    mkdir -p "$INST$(dirname "$d")"
    cp -a "$d" "$INST$(dirname "$d")/"
done
rm -rf "$INST$pkglibdir/bitcode"
if make -s PG_CONFIG="$PG_CONFIG" install DESTDIR="$INST" >"$TC/install.log" 2>&1; then
    pass "install into private copy"
else
    cat "$TC/install.log"
    fail "install"
    finish
fi
export PATH="$INST$bindir:$PATH"
export PGA_BINDIR="$INST$bindir"
export PGA_SRC="$SRC"
export PG_REGRESS="$pgxs_dir/src/test/regress/pg_regress"
# The TAP modules that ship with postgresql-server-dev-15, and ours.
export PERL5LIB="$pgxs_dir/src/test/perl:$SRC/test/perl${PERL5LIB:+:$PERL5LIB}"
unset PGHOST PGPORT PGDATABASE PGUSER PGDATA

selected() { [ -z "${PGA_TESTS:-}" ] || [[ " $PGA_TESTS " == *" $1 "* ]]; }

# --- metadata ------------------------------------------------------------------
if selected meta; then
    if perl test/check-meta.pl >"$TC/meta.log" 2>&1; then
        pass "META.json agrees with the control file"
    else
        cat "$TC/meta.log"
        fail "META.json"
    fi
    if perl test/check-docs.pl >"$TC/docs.log" 2>&1; then
        pass "every object has a COMMENT and every object and GUC is in README.md"
    else
        cat "$TC/docs.log"
        fail "documentation of objects and GUCs"
    fi
fi

# --- pg_regress ----------------------------------------------------------------
# Each pg_regress line reads "test NAME ... ok" or "... FAILED".  A test that
# has neither line (pg_regress gave up before it, e.g. on a missing expected
# file) counts as failed, so a suite cut short can never read as green.
count_regress() {
    local log=$1 label=$2 n
    shift 2
    local seen
    seen=$(sed -nE 's/^(test|     )? *([A-Za-z0-9_]+) +\.\.\. (ok|FAILED|failed).*/\2/p' "$log")
    while read -r n; do pass "$label $n"; done < <(sed -nE 's/^(test|     )? *([A-Za-z0-9_]+) +\.\.\. ok.*/\2/p' "$log")
    while read -r n; do fail "$label $n"; done < <(sed -nE 's/^(test|     )? *([A-Za-z0-9_]+) +\.\.\. (FAILED|failed).*/\2/p' "$log")
    for n in "$@"; do
        grep -qxF "$n" <<<"$seen" || fail "$label $n: no result (the run stopped before it)"
    done
}

# run_suite LABEL DRIVER INPUTDIR NAMES...: one pg_regress-style run on a
# throwaway preloaded cluster, counted test by test; diffs printed on failure.
run_suite() {
    local label=$1 driver=$2 inputdir=$3 rc
    shift 3
    [ $# -gt 0 ] || return 0
    "$driver" \
        --bindir="$INST$bindir" --inputdir="$inputdir" --outputdir="$TC/$label" \
        --temp-instance="$TC/$label/instance" \
        --temp-config="$SRC/test/pg_architect.conf" \
        --dbname=contrib_regression --encoding=UTF8 --no-locale \
        "$@" >"$TC/$label.log" 2>&1
    rc=$?
    cat "$TC/$label.log"
    count_regress "$TC/$label.log" "$label" "$@"
    if [ $rc -ne 0 ]; then
        if [ -s "$TC/$label/regression.diffs" ]; then
            echo "---- $label regression.diffs (first 400 lines) ----"
            head -n 400 "$TC/$label/regression.diffs"
        else
            fail "$label: $(basename "$driver") did not run (exit $rc)"
        fi
    fi
}

if selected regress; then
    run_suite regress "$pgxs_dir/src/test/regress/pg_regress" "$SRC" \
        $(ls sql/*.sql 2>/dev/null | xargs -rn1 basename | sed 's/\.sql$//')
fi

# --- isolation -------------------------------------------------------------------
if selected isolation; then
    run_suite isolation "$pgxs_dir/src/test/isolation/pg_isolation_regress" "$SRC/test" \
        $(ls test/specs/*.spec 2>/dev/null | xargs -rn1 basename | sed 's/\.spec$//')
fi

# --- TAP -------------------------------------------------------------------------
# A TAP file that hangs must not hang make test (or CI): each gets
# PGA_TAP_TIMEOUT seconds, then its clusters are stopped.  A file that says
# "# make test: beside the others" spends its time waiting for the clock
# (pg_cron starts jobs at the minute; Debian 12's pg_cron 1.4 has no finer
# schedule), not on the CPU: it runs in the background while the others run
# one after the other, and is counted after them.
tap_start() {
    local name
    name=$(basename "$1" .pl)
    mkdir -p "$TC/tap/$name"
    TESTDIR="$TC/tap/$name" timeout --kill-after=10 "${PGA_TAP_TIMEOUT:-600}" \
        prove "$1" >"$TC/tap/$name.log" 2>&1
}
tap_count() {
    local name l
    name=$(basename "$1" .pl)
    if [ "$2" -eq 0 ]; then
        pass "tap $name"
        return
    fi
    cat "$TC/tap/$name.log"
    for l in "$TC/tap/$name"/tmp_check/log/*.log; do
        [ -e "$l" ] || continue
        echo "---- tail of $l ----"
        tail -n 60 "$l"
    done
    pkill -KILL -f -- "-D $TC/tap/$name/" 2>/dev/null
    fail "tap $name"
}
run_tap_dir() {
    local t i
    local -a fg=() bg=() pids=()
    for t in "$1"/*.pl; do
        [ -e "$t" ] || continue
        selected "$(basename "$t" .pl)" || selected tap || continue
        if grep -q '^# make test: beside the others' "$t"; then bg+=("$t"); else fg+=("$t"); fi
    done
    for t in "${bg[@]}"; do
        tap_start "$t" &
        pids+=($!)
    done
    for t in "${fg[@]}"; do
        tap_start "$t"
        tap_count "$t" $?
    done
    for i in "${!bg[@]}"; do
        wait "${pids[$i]}"
        tap_count "${bg[$i]}" $?
    done
}
run_tap_dir test/t
if [ -n "${PGA_TEST_FULL:-}" ]; then
    run_tap_dir test/full
fi

# --- reliability: PostgreSQL's own suite, sqlsmith, pgbench -----------------------
# test/full/reliability.sh prints one "ok     reliability: ..." or
# "FAILED reliability: ..." line per step; make test's counts here, the long
# ones in make test-full.  PGA_RELIABILITY_STEPS picks steps (see the script).
if selected reliability; then
    # Each step bounds its own parts; this bounds the whole, and stops the
    # clusters a killed run leaves behind.
    timeout --kill-after=30 "${PGA_RELIABILITY_TIMEOUT:-3000}" \
        bash test/full/reliability.sh "$TC/reliability" ${PGA_RELIABILITY_STEPS:-} \
        >"$TC/reliability.log" 2>&1
    for pidfile in "$TC"/reliability/*/data/postmaster.pid "$TC"/reliability/*/*/data/postmaster.pid; do
        [ -e "$pidfile" ] && [ -z "${PGA_KEEP_CLUSTER:-}" ] &&
            pg_ctl -D "$(dirname "$pidfile")" -m immediate stop >/dev/null 2>&1
    done
    grep -vE '^(ok     |FAILED )reliability: ' "$TC/reliability.log"
    while read -r n; do pass "$n"; done < <(sed -n 's/^ok     \(reliability: .*\)/\1/p' "$TC/reliability.log")
    while read -r n; do fail "$n"; done < <(sed -n 's/^FAILED \(reliability: .*\)/\1/p' "$TC/reliability.log")
    grep -qE '^reliability: [0-9]+ failed$' "$TC/reliability.log" ||
        fail "reliability: test/full/reliability.sh did not finish"
fi

# --- demo (quick mode) ------------------------------------------------------------
if selected demo; then
    if DEMO_NO_INSTALL=1 DEMO_DIR="$TC/demo" DEMO_SCALE=0.05 \
        DEMO_PORT_BASE=$((20000 + RANDOM % 20000)) \
        bash test/demo.sh start >"$TC/demo.log" 2>&1 &&
        grep -q "pg_architect says" "$TC/demo.log" &&
        grep -qE "the planner uses the index (in [1-9]|for the one)" "$TC/demo.log" &&
        grep -q "make demo-stop" "$TC/demo.log" &&
        DEMO_DIR="$TC/demo" bash test/demo.sh stop >>"$TC/demo.log" 2>&1; then
        pass "demo (quick mode)"
    else
        cat "$TC/demo.log"
        DEMO_DIR="$TC/demo" bash test/demo.sh stop >/dev/null 2>&1
        fail "demo (quick mode)"
    fi
fi

finish
