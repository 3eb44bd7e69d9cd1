# sqlsmith.sh: random queries against the regression database with capture
# on (sourced by reliability.sh, after lib.sh; the cluster of the suite step
# is running and holds PostgreSQL's regression database).
#
# 1. sqlsmith sends N random queries (fixed seed, so a failure can be
#    replayed) as pga_fuzz, a role that may read and write every table
#    (pg_read_all_data, pg_write_all_data) but is not superuser, so that a
#    random call cannot write files or signal other sessions on this shared
#    machine.  Capture is at 100 %: every query goes through the hooks.
# 2. The server must not have crashed or restarted: pg_postmaster_start_time()
#    unchanged, no "terminated by signal" (or any crash report) in the log.
#    The fuzz cluster runs with track_activity_query_size = 128kB, so that the
#    log's "Failed process was running:" holds the whole statement; each
#    crashed statement is saved (crash-N.sql) and run again on the same
#    database with nothing preloaded (shared_preload_libraries = ''), then
#    with pg_architect preloaded.  Each crash leaves a core file (the
#    postmaster runs with an unlimited core size, lib.sh), and its backtrace
#    is printed (pga_backtraces).  Verdict rules: see pga_sqlsmith_attribute
#    (every crash fails the step unless it is the same crash with nothing
#    preloaded and PGA_ALLOW_POSTGRES_CRASHES=1).
# 3. CREATE EXTENSION in the regression database, then every architect
#    view and the advisor over what the fuzz and the whole regression suite
#    left in the store; then sqlsmith-oracle.sql runs architect.explain()
#    and architect.whatif() (those that exist) on sqlsmith queries and
#    compares with plain EXPLAIN (see that file).

# pga_crashed_statements LOG PREFIX: write the statement of each crashed
# backend ("Failed process was running:", continued on the lines the log
# indents with one tab) to PREFIX-N.sql; print N.
pga_crashed_statements() {
    awk -v pre="$2" '
        /DETAIL:  Failed process was running: / {
            if (f != "") close(f)
            n++; f = pre "-" n ".sql"; cont = 1
            sub(/.*DETAIL:  Failed process was running: /, "")
            print > f; next
        }
        cont && /^\t/ { sub(/^\t/, ""); print > f; next }
        { cont = 0 }
        END { if (f != "") close(f); print n + 0 }' "$1"
}

# _pga_restart_bare: restart the cluster of PGA_DIR with nothing preloaded
# (on the command line, which overrides postgresql.conf; ALTER SYSTEM would
# write the empty list as one empty name).  pga_cluster_stop and
# pga_cluster_start bring the preload back.
_pga_restart_bare() {
    pga_cluster_stop &&
        pga_cluster_start "-c shared_preload_libraries=" &&
        [ -z "$(pga_psql postgres 'SHOW shared_preload_libraries')" ]
}

# _pga_crashes_again FILE LABEL: run the statement as the fuzz role
# (bounded); true when the server crashed under it.  Waits for the crash
# restart, then prints the crash's backtrace (pga_backtraces: sets
# PGA_BT_LAST and PGA_BT_OURS).
_pga_crashes_again() {
    local file=$1 label=$2 pos
    PGA_BT_LAST= PGA_BT_OURS=0
    pos=$(stat -c %s "$PGA_DIR/server.log")
    { cat "$file"; printf '\n;\n'; } >"$file.run"
    timeout --kill-after=5 60 "$PGA_BINDIR/psql" -X -q -U pga_fuzz -d regression \
        -f "$file.run" >/dev/null 2>&1
    pga_crash_wait "$pos" || return 1
    pga_backtraces "$label"
    return 0
}

# pga_sqlsmith_attribute DIR LOG FUZZ_OURS: judge the crashes of LOG (the
# server log of the fuzz; FUZZ_OURS: how many of the fuzz's cores had
# pg_architect on the crash path).  Each crashed statement (at most 5) is replayed with
# nothing preloaded, then with pg_architect preloaded, each crash giving its
# backtrace.  The verdict rules (README, Reliability):
#   * a backtrace with pg_architect on the crash path (a frame of
#     pg_architect.so that is more than a hook passing the call on to
#     PostgreSQL, see backtrace.gdb): pg_architect's crash;
#   * a statement that does not crash without pg_architect: pg_architect's
#     (it cannot be told apart from a crash of ours);
#   * a statement that crashes without pg_architect AND with it, with the
#     same signal and the same innermost functions (pga_bt_signature):
#     PostgreSQL's own crash, reported with its statement and backtrace;
#     it fails the step too unless PGA_ALLOW_POSTGRES_CRASHES=1;
#   * anything else (the crash is not the same with pg_architect): fails.
# Prints the verdict in one line; returns non-zero when the step must fail.
pga_sqlsmith_attribute() {
    local dir=$1 log=$2 fuzz_ours=$3 n i without with ours=0 pgs=0 sig0 sig1
    n=$(pga_crashed_statements "$log" "$dir/crash")
    if [ "$n" -eq 0 ]; then
        echo "a crash without a failed statement in the log" >&2
        echo "a crash that names no statement"
        return 1
    fi
    [ "$fuzz_ours" -gt 0 ] && ours=$((ours + 1))
    [ "$n" -gt 5 ] && { echo "$n crashed statements, only 5 replayed" >&2; ours=$((ours + 1)); n=5; }
    _pga_restart_bare || { echo "restart without pg_architect failed"; return 1; }
    for i in $(seq 1 "$n"); do
        if _pga_crashes_again "$dir/crash-$i.sql" "crash-$i.sql replayed without pg_architect" &&
            [ -n "$PGA_BT_LAST" ]; then
            cp "$PGA_BT_LAST" "$dir/crash-$i.without.backtrace"
            echo yes
        else
            echo no
        fi >"$dir/crash-$i.without"
    done
    pga_cluster_stop && pga_cluster_start ||
        { echo "restart with pg_architect failed"; return 1; }
    for i in $(seq 1 "$n"); do
        without=$(cat "$dir/crash-$i.without")
        with=no
        if _pga_crashes_again "$dir/crash-$i.sql" "crash-$i.sql replayed with pg_architect"; then
            with=yes
            [ -n "$PGA_BT_LAST" ] && cp "$PGA_BT_LAST" "$dir/crash-$i.with.backtrace"
        fi
        echo "======== crash-$i.sql ($(wc -c <"$dir/crash-$i.sql") bytes): crashes without pg_architect: $without; with pg_architect preloaded: $with" >&2
        head -c 4000 "$dir/crash-$i.sql" >&2
        echo >&2
        if [ "$without" = yes ] && [ "$with" = yes ] && [ -f "$dir/crash-$i.with.backtrace" ]; then
            sig0=$(pga_bt_signature "$dir/crash-$i.without.backtrace")
            sig1=$(pga_bt_signature "$dir/crash-$i.with.backtrace")
            if [ "$PGA_BT_OURS" -eq 0 ] && [ "$sig0" = "$sig1" ]; then
                pgs=$((pgs + 1))
                echo "crash-$i.sql: POSTGRESQL'S OWN CRASH: the same crash with nothing preloaded ($sig0)" >&2
                continue
            fi
            echo "crash-$i.sql: not the same crash with pg_architect (without: $sig0; with: $sig1; pg_architect on the crash path: $PGA_BT_OURS)" >&2
        elif [ "$without" = no ]; then
            echo "crash-$i.sql: no crash without pg_architect: counted as pg_architect's" >&2
        else
            echo "crash-$i.sql: crashes without pg_architect but not (or without a backtrace) with it" >&2
        fi
        ours=$((ours + 1))
    done
    echo "$ours crash(es) of pg_architect or not attributable, $pgs of PostgreSQL's own (the same crash with nothing preloaded); fuzz cores with pg_architect on the crash path: $fuzz_ours"
    [ "$ours" -eq 0 ] || return 1
    [ "$pgs" -eq 0 ] || [ -n "${PGA_ALLOW_POSTGRES_CRASHES:-}" ]
}

# pga_oracle_selftest DIR: the positive control of sqlsmith-oracle.sql
# (oracle-selftest.sql: stub functions that answer wrong, hang or are slow
# on purpose, in a database of their own).  The oracle must fail, and list
# exactly the expected wrong answers and the expected timeouts (fn, query);
# prints a one-line summary; non-zero when the oracle does not judge as
# its rules say.
pga_oracle_selftest() {
    local dir=$1 rc got want
    "$PGA_BINDIR/psql" -X -q -d postgres -c 'DROP DATABASE IF EXISTS pga_oracle_selftest' \
        -c 'CREATE DATABASE pga_oracle_selftest' >&2 &&
        "$PGA_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -d pga_oracle_selftest \
            -f "$HERE/oracle-selftest.sql" >&2 ||
        { echo "oracle self-test: setup failed"; return 1; }
    "$PGA_BINDIR/psql" -X -At -v ON_ERROR_STOP=1 -v pga_timeout=1s -v pga_retry_timeout=3s \
        -d pga_oracle_selftest -f "$HERE/sqlsmith-oracle.sql" \
        >"$dir/oracle-selftest.out" 2>"$dir/oracle-selftest.err"
    rc=$?
    "$PGA_BINDIR/psql" -X -q -d postgres -c 'DROP DATABASE pga_oracle_selftest' >&2
    cat "$dir/oracle-selftest.out" "$dir/oracle-selftest.err" >&2
    if [ $rc -eq 0 ]; then
        echo "oracle self-test: the oracle passed stub functions that answer wrong"
        return 1
    fi
    grep -q 'architect functions disagree with EXPLAIN' "$dir/oracle-selftest.err" ||
        { echo "oracle self-test: the oracle stopped before its verdict (exit $rc)"; return 1; }
    got=$(sed -n 's/^\(mismatch\|timeout\|executor\): \([a-z]*\) query \([0-9]*\):.*/\1 \2 \3/p' \
        "$dir/oracle-selftest.out" | sort | tr '\n' ',')
    want=$(printf '%s\n' "mismatch whatif 2" "mismatch whatif 3" "mismatch whatif 4" \
        "mismatch whatif 5" "mismatch whatif 8" "mismatch whatif 12" "mismatch explain 6" \
        "timeout explain 7" "timeout whatif 7" "timeout explain 8" \
        "executor whatif 11" | sort | tr '\n' ',')
    if [ "$got" != "$want" ]; then
        echo "oracle self-test: listed [$got], expected [$want]"
        return 1
    fi
    grep -q '; 4 of 12 queries run again alone after a cancel' "$dir/oracle-selftest.out" ||
        { echo "oracle self-test: not 4 queries of 12 run again after a cancel"; return 1; }
    echo "oracle self-test: 7 wrong answers of stub functions (cost with and without the index, internal errors, a hang, success where EXPLAIN fails) fail, 3 cancels in both runs inconclusive, 1 row lock refused at executor start listed, 4 of 12 queries retried"
}

# pga_wait_setting NAME VALUE: wait (up to 10 s) until a new session sees
# the reloaded setting.
pga_wait_setting() {
    local i
    for i in $(seq 1 20); do
        [ "$(pga_psql postgres "SHOW $1")" = "$2" ] && return 0
        sleep 0.5
    done
    return 1
}

# pga_sqlsmith CLUSTERDIR N: prints a one-line summary; non-zero on failure.
pga_sqlsmith() {
    local dir=$1 n=$2 seed=${PGA_SQLSMITH_SEED:-20240601} start0 start1 q k
    local conn="host=$PGHOST port=$PGPORT dbname=regression user=pga_fuzz"
    local summary=""
    command -v sqlsmith >/dev/null || { echo "sqlsmith is not installed"; return 1; }
    pga_fuzz_role regression >&2 || { echo "setup failed"; return 1; }
    # The whole statement in the crash report: 4 in 5 sqlsmith statements
    # are longer than the default 1kB, the longest about 60kB.  Capture
    # keeps that much text per query entry (shared memory, and each view
    # copies the entries), hence fewer entries: eviction all the time.
    pga_psql postgres "ALTER SYSTEM SET track_activity_query_size = '128kB'" >&2 &&
        pga_psql postgres "ALTER SYSTEM SET pg_architect.max_entries = 1000" >&2 &&
        pga_cluster_stop && pga_cluster_start ||
        { echo "restart with track_activity_query_size = 128kB failed"; return 1; }
    start0=$(pga_psql postgres 'SELECT pg_postmaster_start_time()') || return 1
    local logpos
    logpos=$(stat -c %s "$dir/server.log")

    timeout --kill-after=10 "${PGA_SQLSMITH_TIMEOUT:-1800}" \
        sqlsmith --target="$conn" --seed="$seed" --max-queries="$n" --verbose \
        >"$dir/sqlsmith.log" 2>&1
    local rc=$?
    q=$(sed -n 's/^queries: //p' "$dir/sqlsmith.log" | tail -n 1)
    local erate
    erate=$(sed -n 's/^error rate: //p' "$dir/sqlsmith.log" | tail -n 1)
    summary="$n queries generated (seed $seed; $q reported done, error rate ${erate:-?})"

    start1=$(pga_psql postgres 'SELECT pg_postmaster_start_time()' 2>/dev/null)
    tail -c +"$((logpos + 1))" "$dir/server.log" >"$dir/server.log.sqlsmith"
    if [ "$start0" != "$start1" ] || pga_crashes "$dir/server.log.sqlsmith" >&2; then
        echo "the server crashed or restarted during sqlsmith ($start0 -> $start1)" >&2
        grep -B2 -A8 -E 'terminated by signal|PANIC' "$dir/server.log.sqlsmith" | head -n 60 >&2
        # The core of the last crash of the fuzz (core_pattern "core": one
        # file, each crash overwrites it); the replays give one per statement.
        pga_backtraces "the last crash during the sqlsmith run"
        local verdict fuzz_ours=$PGA_BT_OURS
        if ! verdict=$(pga_sqlsmith_attribute "$dir" "$dir/server.log.sqlsmith" "$fuzz_ours"); then
            echo "$summary: SERVER CRASHED ($verdict; see sqlsmith.err)"
            return 1
        fi
        echo "sqlsmith: the server crashed: $verdict (PGA_ALLOW_POSTGRES_CRASHES is set)" >&2
        summary="$summary, SERVER CRASHED: $verdict"
    fi
    # sqlsmith marks a lost connection with "C" in its progress lines (a
    # random pg_terminate_backend(pg_backend_pid()) does that without any
    # crash); the server checks above are what decide.
    local lost
    lost=$(grep -E '^[.eStC]+$' "$dir/sqlsmith.log" | tr -cd C | wc -c)
    summary="$summary, $lost connections lost"
    if [ $rc -ne 0 ] || [ -z "$q" ]; then
        echo "sqlsmith exited with $rc:" >&2
        tail -n 20 "$dir/sqlsmith.log" >&2
        echo "$summary: sqlsmith failed"
        return 1
    fi

    # What the store holds after the fuzz, seen through every view.
    pga_psql regression 'CREATE EXTENSION pg_stat_statements; CREATE EXTENSION pg_architect' >&2 ||
        { echo "$summary; CREATE EXTENSION failed"; return 1; }
    local probe
    probe=$(pga_probe_sql regression) || return 1
    if ! pga_psql regression "$probe" >"$dir/views-after-sqlsmith.txt" 2>&1; then
        cat "$dir/views-after-sqlsmith.txt" >&2
        echo "$summary; the views or the advisor failed over the captured workload"
        return 1
    fi
    summary="$summary; $(echo "$probe" | grep -c .) view/advisor calls over the captured workload ok"
    # What-if plannings that PostgreSQL's planner failed (XX000) under a
    # candidate index set: the advisor costs that set as unplannable and
    # goes on (advisor_stats().unplannable_plans); each is listed with its
    # indexes and statement (the DEBUG1 message) in advisor-unplannable.txt,
    # so that a run that meets one leaves its reproducer behind.
    local unplannable
    unplannable=$("$PGA_BINDIR/psql" -X -q -At -d regression \
        -c 'SET client_min_messages = debug1' \
        -c 'SELECT count(*) FROM architect.recommend_indexes()' \
        -c 'SELECT unplannable_plans FROM architect.advisor_stats()' \
        2>"$dir/advisor-debug.log" | tail -n 1)
    awk '/what-if planning of query/ { keep = 1 } /^(DEBUG|LOG|NOTICE|WARNING|ERROR):/ && !/what-if planning of query/ { keep = 0 } keep' \
        "$dir/advisor-debug.log" >"$dir/advisor-unplannable.txt"
    rm -f "$dir/advisor-debug.log"
    summary="$summary; what-if plannings PostgreSQL's planner failed, costed as unplannable: ${unplannable:-?}"
    [ "${unplannable:-0}" != 0 ] && summary="$summary (advisor-unplannable.txt)"

    # architect.explain() / whatif() on sqlsmith queries.
    k=${PGA_SQLSMITH_ORACLE_QUERIES:-$((n / 4))}
    sqlsmith --target="$conn" --seed="$((seed + 1))" --max-queries="$k" --dry-run \
        2>/dev/null >"$dir/sqlsmith-queries.sql"
    perl -e '
        local $/; my $all = <STDIN>; my $i = 0;
        print "CREATE TABLE pga_fuzz_queries (id int PRIMARY KEY, query text);\n";
        for my $q (split /;\n/, $all) {
            next unless $q =~ /\S/;
            $i++;
            my $tag = "q"; $tag .= "x" while $q =~ /\$$tag\$/;
            print "INSERT INTO pga_fuzz_queries VALUES ($i, \$$tag\$$q\$$tag\$);\n";
        }' <"$dir/sqlsmith-queries.sql" >"$dir/sqlsmith-queries-load.sql"
    if ! "$PGA_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -d regression \
            -f "$dir/sqlsmith-queries-load.sql" >/dev/null 2>"$dir/oracle.err"; then
        cat "$dir/oracle.err" >&2
        echo "$summary; loading the oracle queries failed"
        return 1
    fi
    # The oracle must be able to fail: its positive control first.
    local selftest
    if ! selftest=$(pga_oracle_selftest "$dir"); then
        echo "$summary; $selftest"
        return 1
    fi
    summary="$summary; $selftest"
    # Statistics must hold still while the oracle compares costs.
    # (Two statements: ALTER SYSTEM refuses to run in the implicit
    # transaction of a multi-statement -c, which left autovacuum on.)
    if ! pga_psql postgres "ALTER SYSTEM SET autovacuum = off" >&2 ||
        ! pga_psql postgres "SELECT pg_reload_conf()" >/dev/null ||
        ! pga_wait_setting autovacuum off; then
        echo "$summary; could not turn autovacuum off for the oracle"
        return 1
    fi
    start0=$(pga_psql postgres 'SELECT pg_postmaster_start_time()')
    logpos=$(stat -c %s "$dir/server.log")
    timeout --kill-after=10 "${PGA_SQLSMITH_TIMEOUT:-1800}" \
        "$PGA_BINDIR/psql" -X -At -v ON_ERROR_STOP=1 -d regression \
        -f "$HERE/sqlsmith-oracle.sql" >"$dir/oracle.out" 2>"$dir/oracle.err"
    rc=$?
    start1=$(pga_psql postgres 'SELECT pg_postmaster_start_time()' 2>/dev/null)
    tail -c +"$((logpos + 1))" "$dir/server.log" >"$dir/server.log.oracle"
    if [ "$start0" != "$start1" ] || pga_crashes "$dir/server.log.oracle" >&2; then
        pga_backtraces "explain()/whatif() on sqlsmith queries"
        echo "$summary; SERVER CRASHED under explain()/whatif() on sqlsmith queries"
        return 1
    fi
    if [ $rc -ne 0 ]; then
        cat "$dir/oracle.err" >&2
        tail -n 30 "$dir/oracle.out" >&2
        echo "$summary; explain()/whatif() oracle failed: $(grep -m1 '^verdict' "$dir/oracle.out")"
        return 1
    fi
    echo "$summary; $(grep -m1 '^verdict' "$dir/oracle.out" | sed 's/^verdict: //')"
}
