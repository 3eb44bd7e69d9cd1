# cores.sh: the check that a crash gives a backtrace (sourced by
# reliability.sh, after lib.sh).
#
# Every cluster of the reliability steps starts with an unlimited core size
# (pga_cluster_start) and every crash they detect is followed by
# pga_backtraces, which runs gdb on the core.  That machinery must not fail
# silently (a core limit of 0, a core_pattern that sends cores elsewhere, a
# gdb that cannot read them would all leave a crash without a backtrace),
# and its reading of pg_architect's frames decides verdicts, so this step
# crashes a backend on purpose (kill -SEGV while it sleeps in pg_sleep()),
# three times:
#   1. preloaded with pg_stat_statements,pg_architect, capture at 100 %:
#      SELECT pg_sleep(60) runs under pg_architect's ExecutorRun hook, which
#      only passes the call on: the backtrace goes through pg_sleep, has a
#      pg_architect frame, none of them on the crash path;
#   2. nothing preloaded, the same statement: no pg_architect frame, and
#      the same crash signature (pga_bt_signature) as 1, which is what the
#      sqlsmith step needs to call a crash PostgreSQL's own;
#   3. preloaded, the statement run by architect.explain(..., true): now
#      pg_architect's own code (explain, its subtransaction) is on the
#      crash path;
#   4. the sqlsmith step's verdict, end to end, on a staged crash that is
#      PostgreSQL's own by construction (_pga_verdict_check).
# Each time: "terminated by signal 11" in the log, one core, a backtrace in
# the test output and in the server log.

# _pga_segv_sleeper LABEL DB SQL: run SQL (which must sleep in pg_sleep and
# carry the comment pga_segv_me) in DB, crash its backend with SIGSEGV, then
# print the backtrace (pga_backtraces).  Non-zero when the crash was not
# seen in the log.
_pga_segv_sleeper() {
    local label=$1 db=$2 sql=$3 pos pid="" i psql_pid
    pos=$(stat -c %s "$PGA_DIR/server.log")
    "$PGA_BINDIR/psql" -X -q -d "$db" -c "$sql" >/dev/null 2>&1 &
    psql_pid=$!
    for i in $(seq 1 50); do
        pid=$(pga_psql postgres "SELECT pid FROM pg_stat_activity
            WHERE query LIKE '%pga_segv_me%' AND pid <> pg_backend_pid()
              AND wait_event = 'PgSleep'")
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

# _pga_segv_case LABEL DB SQL: one deliberate crash; prints the backtrace
# file, or nothing (and a reason on stderr) when it did not give exactly one.
_pga_segv_case() {
    PGA_BT_CORES=0 PGA_BT_LAST=
    if _pga_segv_sleeper "$@" && [ "$PGA_BT_CORES" -eq 1 ] && [ -n "$PGA_BT_LAST" ]; then
        echo "$PGA_BT_LAST"
    else
        echo "$1: the crash gave $PGA_BT_CORES readable core(s) instead of 1" >&2
    fi
}

# _pga_verdict_check DIR: the sqlsmith step's verdict machinery, end to end
# (pga_sqlsmith_attribute: replays, crash waits, backtraces, signatures) on
# a crash that is PostgreSQL's own by construction: a server log that says a
# backend running "SELECT pg_sleep(5) /* pga_segv_me */" crashed, while a
# killer session sends SIGSEGV to every backend sleeping in that statement,
# with and without pg_architect.  The verdict must be "PostgreSQL's own",
# and it must fail the step (strict), unless PGA_ALLOW_POSTGRES_CRASHES=1.
# Needs the running preloaded cluster of PGA_DIR; leaves it running.
_pga_verdict_check() {
    local dir=$1 killer verdict rc failed=0
    . "$PGA_FULL_DIR/sqlsmith.sh"
    mkdir -p "$dir" || return 1
    pga_psql postgres 'CREATE DATABASE regression' >&2 && pga_fuzz_role regression >&2 || return 1
    printf '%s\n' \
        "2026-01-01 00:00:00.000 UTC postmaster[1] LOG:  server process (PID 2) was terminated by signal 11: Segmentation fault" \
        "2026-01-01 00:00:00.000 UTC postmaster[1] DETAIL:  Failed process was running: SELECT pg_sleep(5) /* pga_segv_me */" \
        >"$dir/fuzz.log"
    (
        while [ ! -e "$dir/killer.stop" ]; do
            for pid in $(pga_psql postgres "SELECT pid FROM pg_stat_activity
                    WHERE query LIKE '%pga_segv_me%' AND pid <> pg_backend_pid()
                      AND wait_event = 'PgSleep'" 2>/dev/null); do
                kill -SEGV "$pid"
            done
            sleep 0.2
        done
    ) &
    killer=$!
    verdict=$(pga_sqlsmith_attribute "$dir" "$dir/fuzz.log" 0 2>"$dir/attribute.err")
    rc=$?
    touch "$dir/killer.stop"
    wait "$killer"
    cat "$dir/attribute.err" >&2
    echo "verdict of the staged crash: $verdict (exit $rc)" >&2
    if [[ $verdict != "0 crash(es) of pg_architect or not attributable, 1 of PostgreSQL's own"* ]] ||
        ! grep -q "POSTGRESQL'S OWN CRASH" "$dir/attribute.err"; then
        echo "the staged crash was not judged PostgreSQL's own" >&2
        failed=1
    fi
    if [ -z "${PGA_ALLOW_POSTGRES_CRASHES:-}" ] && [ $rc -eq 0 ]; then
        echo "PostgreSQL's own crash did not fail (strict by default)" >&2
        failed=1
    fi
    [ -f "$dir/crash-1.without.backtrace" ] && [ -f "$dir/crash-1.with.backtrace" ] ||
        { echo "the replays left no backtrace" >&2; failed=1; }
    rm -f "$PGA_DIR"/*.core
    [ $failed -eq 0 ]
}

# pga_core_check DIR: prints a one-line summary; non-zero on failure.
pga_core_check() {
    local dir=$1 failed=0 bt_hook bt_bare bt_ours f sig_hook sig_bare
    local sleep_sql='SELECT pg_sleep(60) /* pga_segv_me */'
    rm -rf "$dir" && mkdir -p "$dir" || return 1
    pga_cluster_init "$dir" "$PGA_PRELOAD_CONF" && pga_cluster_start || return 1
    pga_psql postgres 'CREATE EXTENSION pg_architect' >&2 || return 1
    bt_hook=$(_pga_segv_case "preloaded, a query under pg_architect's hooks" postgres "$sleep_sql")
    bt_ours=$(_pga_segv_case "preloaded, the query run by architect.explain()" postgres \
        "SELECT * FROM architect.explain('SELECT pg_sleep(60) /* pga_segv_me */', true)")
    _pga_verdict_check "$dir/verdict" || failed=1
    pga_cluster_stop && pga_cluster_start "-c shared_preload_libraries=" || return 1
    bt_bare=$(_pga_segv_case "nothing preloaded" postgres "$sleep_sql")
    pga_cluster_remove
    [ -n "$bt_hook" ] && [ -n "$bt_ours" ] && [ -n "$bt_bare" ] ||
        { echo "a deliberate crash left no backtrace"; return 1; }
    for f in "$bt_hook" "$bt_ours" "$bt_bare"; do
        grep -qE '^#[0-9]+ .*\bpg_sleep\b' "$f" ||
            { echo "$f: no pg_sleep frame in the backtrace" >&2; failed=1; }
        grep -qF "==== backtrace of ${f%.backtrace}.core" "$dir/server.log" ||
            { echo "$f: the backtrace is not in the server log" >&2; failed=1; }
    done
    grep -qE '^pg_architect frames: [1-9][0-9]* of [0-9]+, on the crash path: 0$' "$bt_hook" ||
        { echo "preloaded: expected pg_architect frames (its hook), none on the crash path: $(grep '^pg_architect frames' "$bt_hook")" >&2; failed=1; }
    grep -qE '^pg_architect frames: [1-9][0-9]* of [0-9]+, on the crash path: [1-9]' "$bt_ours" ||
        { echo "under architect.explain(): expected pg_architect on the crash path: $(grep '^pg_architect frames' "$bt_ours")" >&2; failed=1; }
    grep -qE '^pg_architect frames: 0 of [0-9]+, on the crash path: 0$' "$bt_bare" ||
        { echo "nothing preloaded: expected no pg_architect frame: $(grep '^pg_architect frames' "$bt_bare")" >&2; failed=1; }
    sig_hook=$(pga_bt_signature "$bt_hook")
    sig_bare=$(pga_bt_signature "$bt_bare")
    [ "$sig_hook" = "$sig_bare" ] ||
        { echo "the crash signatures differ: preloaded '$sig_hook', bare '$sig_bare'" >&2; failed=1; }
    rm -f "$dir"/*.core   # deliberate: the backtraces are kept, not the cores
    echo "verdict on a staged crash: PostgreSQL's own, fails the step (strict); 3 deliberate SIGSEGVs of a backend in pg_sleep(), each with its core and gdb backtrace (output and server log): preloaded: $(sed -n 's/^pg_architect frames: //p' "$bt_hook"); under architect.explain(): $(sed -n 's/^pg_architect frames: //p' "$bt_ours"); nothing preloaded: $(sed -n 's/^pg_architect frames: //p' "$bt_bare"), same signature as preloaded ($sig_bare)"
    [ $failed -eq 0 ]
}
