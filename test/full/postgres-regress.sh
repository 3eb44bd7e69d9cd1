# postgres-regress.sh: PostgreSQL's own regression suite against a cluster
# that preloads pg_architect (sourced by reliability.sh, after lib.sh).
#
# The suite is PostgreSQL 15's standard schedule (src/test/regress/
# parallel_schedule) from Debian's source package, run with pg_regress
# against a cluster of the server under test, the way `make installcheck`
# does.  The rule is PostgreSQL's: the results must match its expected
# output exactly.  The installed server may be a newer minor release than
# the source the archive still serves, and then a few tests already differ
# without pg_architect; the baseline run (cached, since it depends only on
# the server, the source and these settings) records which tests and their
# exact output, and a run with pg_architect must then produce that same
# output, byte for byte.  Every other test must match PostgreSQL's expected
# output.

# _pga_suite_run OUTDIR CONF [LOOP_FUNCTION]: start a cluster in OUTDIR with
# CONF, run the schedule against it (with LOOP_FUNCTION running in the
# background meanwhile when given) and leave the cluster running.  Writes
# OUTDIR/status.txt: one "name ok|FAILED" line per test.  Returns non-zero
# when the suite could not run or the server crashed or restarted.
_pga_suite_run() {
    local out=$1 conf=$2 loop=${3:-} rdir start0 start1 rc loop_pid=
    rdir=$PGA_PG_SRC/src/test/regress
    rm -rf "$out" && mkdir -p "$out" || return 1
    pga_cluster_init "$out" "$conf" || return 1
    pga_cluster_start || return 1
    start0=$(pga_psql postgres 'SELECT pg_postmaster_start_time()') || return 1
    if [ -n "$loop" ]; then
        "$loop" "$out" >"$out/loop.log" 2>&1 &
        loop_pid=$!
    fi
    # Bounded: a hang (a deadlock, a lost wakeup) fails the run, not CI.
    timeout --kill-after=10 "${PGA_SUITE_TIMEOUT:-1800}" \
        "$PGA_PG_REGRESS" --bindir="$PGA_BINDIR" --host="$PGHOST" --port="$PGPORT" \
        --user=postgres --inputdir="$rdir" --outputdir="$out" \
        --dlpath="$PGA_REGRESS_DL" --schedule="$rdir/parallel_schedule" \
        --max-concurrent-tests=20 >"$out/pg_regress.log" 2>&1
    rc=$?
    if [ -n "$loop_pid" ]; then
        touch "$out/loop.stop"
        if ! wait "$loop_pid"; then
            echo "background session failed:" >&2
            tail -n 20 "$out/loop.log" >&2
            rc=99
        fi
    fi
    sed -nE 's/^(test |     )? *([A-Za-z0-9_.]+) +\.\.\. +(ok|FAILED|failed)( .*)?$/\2 \3/p' \
        "$out/pg_regress.log" >"$out/status.txt"
    if [ ! -s "$out/status.txt" ]; then
        echo "pg_regress did not run (exit $rc):" >&2
        tail -n 20 "$out/pg_regress.log" >&2
        return 1
    fi
    start1=$(pga_psql postgres 'SELECT pg_postmaster_start_time()')
    if [ "$start0" != "$start1" ] || pga_crashes "$out/server.log" >&2; then
        echo "the server crashed or restarted during the suite ($start0 -> $start1)" >&2
        pga_backtraces "PostgreSQL's regression suite"
        return 1
    fi
    [ $rc -ne 99 ]
}

# _pga_baseline DIR: the suite without pg_architect, kept in the cache.
_pga_baseline() {
    local dir=$1
    [ -f "$dir/.done" ] && return 0
    pga_log "baseline: PostgreSQL's suite without pg_architect (cached afterwards)"
    if ! _pga_suite_run "$dir/run" ""; then
        pga_cluster_remove
        return 1
    fi
    pga_cluster_remove
    awk '$2 != "ok" { print $1 }' "$dir/run/status.txt" >"$dir/differs.txt"
    touch "$dir/.done"
}

# pga_suite_prepare: the source, regress.so and the baseline.  Sets
# PGA_PG_SRC, PGA_REGRESS_DL, PGA_PG_REGRESS, PGA_BASELINE.
pga_suite_prepare() {
    local key
    PGA_PG_SRC=$(pga_pg_source) || return 1
    PGA_REGRESS_DL=$(pga_regress_build "$PGA_PG_SRC") || return 1
    PGA_PG_REGRESS=$(dirname "$("$PG_CONFIG" --pgxs)")/../test/regress/pg_regress
    [ -x "$PGA_PG_REGRESS" ] || { echo "no pg_regress at $PGA_PG_REGRESS" >&2; return 1; }
    key=$(printf '%s\n' "$(pga_server_version)" "$(basename "$PGA_PG_SRC")" \
        "$PGA_BASE_CONF" | md5sum | cut -c1-12)
    PGA_BASELINE=$PGA_CACHE_DIR/baseline/$(pga_server_version)-$key
    mkdir -p "$PGA_BASELINE" || return 1
    pga_locked _pga_baseline "$PGA_BASELINE"
}

# pga_suite_compare OUTDIR: judge a run against the baseline.  Prints a
# one-line summary; returns non-zero on any difference.
pga_suite_compare() {
    local out=$1 name st total=0 exact=0 same=0 bad=0
    : >"$out/verdict.txt"
    while read -r name st; do
        total=$((total + 1))
        if grep -qx "$name" "$PGA_BASELINE/differs.txt"; then
            # Already differs without pg_architect: the output must be the
            # baseline's, byte for byte.
            if cmp -s "$out/results/$name.out" "$PGA_BASELINE/run/results/$name.out"; then
                same=$((same + 1))
            else
                bad=$((bad + 1))
                echo "$name: output differs from the run without pg_architect" >>"$out/verdict.txt"
                diff -u "$PGA_BASELINE/run/results/$name.out" "$out/results/$name.out" \
                    >>"$out/baseline.diffs"
            fi
        elif [ "$st" = ok ]; then
            exact=$((exact + 1))
        else
            bad=$((bad + 1))
            echo "$name: differs from PostgreSQL's expected output (passes without pg_architect)" \
                >>"$out/verdict.txt"
        fi
    done <"$out/status.txt"
    # A test missing from the run is a failure too.
    local want
    want=$(wc -l <"$PGA_BASELINE/run/status.txt")
    if [ "$total" -ne "$want" ]; then
        bad=$((bad + 1))
        echo "ran $total tests, the baseline ran $want" >>"$out/verdict.txt"
    fi
    echo "$total tests: $exact match PostgreSQL's expected output, $same differ on this machine exactly as without pg_architect, $bad failed"
    [ $bad -eq 0 ]
}
