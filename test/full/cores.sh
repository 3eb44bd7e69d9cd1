# cores.sh: the check that a crash gives a backtrace (sourced by
# reliability.sh, after lib.sh).
#
# Every cluster of the reliability steps starts with an unlimited core size
# (pga_cluster_start) and every crash they detect is followed by
# pga_backtraces, which runs gdb on the core.  That machinery must not fail
# silently (a core limit of 0, a core_pattern that sends cores elsewhere, a
# gdb that cannot read them would all leave a crash without a backtrace), so
# this step crashes a backend on purpose, twice:
#   1. preloaded with pg_stat_statements,pg_architect, capture at 100 %: a
#      session runs SELECT pg_sleep(60), which sits in the executor under
#      pg_architect's ExecutorRun hook; kill -SEGV of that backend must give
#      "terminated by signal 11" in the log and a backtrace through
#      pg_sleep with at least one pg_architect.so frame, printed to the
#      test output and appended to the server log;
#   2. the same with nothing preloaded: a backtrace with no pg_architect
#      frame, and the same crash signature (pga_bt_signature) as in 1: what
#      the sqlsmith step uses to call a crash PostgreSQL's own.

# _pga_segv_sleeper LABEL: crash a backend sleeping in pg_sleep() with
# SIGSEGV; then print its backtrace (pga_backtraces).  Non-zero when the
# crash was not seen in the log.
_pga_segv_sleeper() {
    local label=$1 pos pid="" i psql_pid
    pos=$(stat -c %s "$PGA_DIR/server.log")
    "$PGA_BINDIR/psql" -X -q -d postgres -c 'SELECT pg_sleep(60) /* pga_segv_me */' \
        >/dev/null 2>&1 &
    psql_pid=$!
    for i in $(seq 1 50); do
        pid=$(pga_psql postgres "SELECT pid FROM pg_stat_activity
            WHERE query LIKE 'SELECT pg_sleep(60) /* pga_segv_me */' AND wait_event = 'PgSleep'")
        [ -n "$pid" ] && break
        sleep 0.2
    done
    [ -n "$pid" ] || { echo "$label: the sleeping backend did not show up" >&2; return 1; }
    kill -SEGV "$pid"
    wait "$psql_pid"
    pga_crash_wait "$pos" 30
    if ! tail -c +"$((pos + 1))" "$PGA_DIR/server.log" | grep -q "(PID $pid) was terminated by signal 11"; then
        echo "$label: no \"terminated by signal 11\" for PID $pid in the server log" >&2
        return 1
    fi
    pga_backtraces "$label"
}

# pga_core_check DIR: prints a one-line summary; non-zero on failure.
pga_core_check() {
    local dir=$1 failed=0 bt_pre="" bt_bare="" sig_pre sig_bare frames_pre frames_bare f
    PGA_BT_CORES=0 PGA_BT_LAST=
    rm -rf "$dir" && mkdir -p "$dir" || return 1
    pga_cluster_init "$dir" "$PGA_PRELOAD_CONF" && pga_cluster_start || return 1
    if _pga_segv_sleeper "deliberate SIGSEGV, pg_architect preloaded" && [ "$PGA_BT_CORES" -eq 1 ]; then
        bt_pre=$PGA_BT_LAST
    else
        echo "preloaded: the crash gave $PGA_BT_CORES readable core(s) instead of 1" >&2
        failed=1
    fi
    pga_cluster_stop && pga_cluster_start "-c shared_preload_libraries=" || return 1
    if _pga_segv_sleeper "deliberate SIGSEGV, nothing preloaded" && [ "$PGA_BT_CORES" -eq 1 ]; then
        bt_bare=$PGA_BT_LAST
    else
        echo "nothing preloaded: the crash gave $PGA_BT_CORES readable core(s) instead of 1" >&2
        failed=1
    fi
    pga_cluster_remove
    [ $failed -eq 0 ] || { echo "a deliberate crash left no backtrace"; return 1; }
    frames_pre=$(sed -n 's/^pg_architect frames: //p' "$bt_pre")
    frames_bare=$(sed -n 's/^pg_architect frames: //p' "$bt_bare")
    sig_pre=$(pga_bt_signature "$bt_pre")
    sig_bare=$(pga_bt_signature "$bt_bare")
    for f in "$bt_pre" "$bt_bare"; do
        grep -qE '^#[0-9]+ .*\bpg_sleep\b' "$f" ||
            { echo "$f: no pg_sleep frame in the backtrace" >&2; failed=1; }
        grep -q "==== backtrace of $(dirname "$f")/$(basename "$f" .backtrace).core" "$dir/server.log" ||
            { echo "$f: the backtrace is not in the server log" >&2; failed=1; }
    done
    [[ $frames_pre =~ ^[1-9][0-9]*\ of ]] ||
        { echo "preloaded: pg_architect frames: $frames_pre, expected at least one (its ExecutorRun hook)" >&2; failed=1; }
    [[ $frames_bare =~ ^0\ of ]] ||
        { echo "nothing preloaded: pg_architect frames: $frames_bare, expected 0" >&2; failed=1; }
    [ "$sig_pre" = "$sig_bare" ] ||
        { echo "the crash signatures differ: preloaded '$sig_pre', bare '$sig_bare'" >&2; failed=1; }
    rm -f "$dir"/*.core   # deliberate: the backtraces are kept, not the cores
    echo "deliberate SIGSEGV of a backend in pg_sleep(): core file and gdb backtrace each time, in the log and the output; preloaded: pg_architect frames $frames_pre; nothing preloaded: $frames_bare; same signature ($sig_pre)"
    [ $failed -eq 0 ]
}
