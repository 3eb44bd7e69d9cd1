# concurrency.sh: pgbench with 16 clients against a tiny store while another
# session keeps reading it (sourced by reliability.sh, after lib.sh).
#
# The cluster preloads pg_stat_statements,pg_architect with capture at
# 100 % and pg_architect.max_entries at its minimum, 100, while the
# workload has several hundred distinct query shapes (generated scripts,
# each statement a different query tree: different columns, operators,
# tables, joins), so that the store evicts all the time.  Two pgbench runs
# (simple and prepared protocol), 16 clients, a fixed count of
# transactions each; meanwhile a watcher session calls, in a loop, every
# architect view, the advisor, architect.snapshot() (when they exist) and
# now and then architect.reset() (during the first run).  Then:
#   * pgbench: no failed transaction, every transaction done, in time
#     (a deadlock would hang it: each run is bounded by `timeout`);
#   * the watcher: no error;
#   * the server: no crash, no restart, no "deadlock detected";
#   * counters consistent (concurrency-invariants.sql).

# _pga_bench_scripts DIR: write the pgbench scripts, print the -f options.
_pga_bench_scripts() {
    local d=$1 i k cols
    mkdir -p "$d"
    for i in $(seq 1 100); do
        cols=""
        for k in $(seq 1 $((i % 25 + 1))); do cols="$cols, a.abalance + $k"; done
        case $((i % 5)) in
        0) # equality on the key, a different select list each time
            printf '%s\n' '\set aid random(1, 100000 * :scale)' \
                "SELECT a.aid$cols FROM pgbench_accounts a WHERE a.aid = :aid;" ;;
        1) # filter on a column without an index, on a join
            printf '%s\n' '\set bal random(-5000, 5000)' '\set bid random(1, :scale)' \
                "SELECT count(*)$cols FROM pgbench_accounts a JOIN pgbench_branches b USING (bid) WHERE b.bid = :bid AND a.abalance > :bal GROUP BY a.abalance LIMIT 5;" ;;
        2) # range on the history, sort
            printf '%s\n' '\set tid random(1, 10 * :scale)' \
                "SELECT h.tid, h.delta$cols FROM pgbench_history h, pgbench_accounts a WHERE a.aid = h.aid AND h.tid = :tid ORDER BY h.mtime DESC LIMIT 3;" ;;
        3) # a write with a predicate
            printf '%s\n' '\set tid random(1, 10 * :scale)' '\set delta random(-50, 50)' \
                "UPDATE pgbench_tellers SET tbalance = tbalance + :delta WHERE tid = :tid AND tbalance > -$i * 100000;" ;;
        4) # IN list and LIKE on the filler
            printf '%s\n' '\set aid random(1, 100000 * :scale)' \
                "SELECT a.aid$cols FROM pgbench_accounts a WHERE a.aid IN (:aid, :aid + 1, :aid + $i) AND a.filler LIKE '%$i%';" ;;
        esac >"$d/s$i.sql"
        echo "-f $d/s$i.sql@1"
    done
}

# pga_concurrency DIR TX: prints a one-line summary; non-zero on failure.
pga_concurrency() {
    local dir=$1 tx=$2 start0 start1 opts rc mode total=0 failed_tx=0
    rm -rf "$dir" && mkdir -p "$dir" || return 1
    pga_cluster_init "$dir" "$PGA_PRELOAD_CONF
pg_architect.max_entries = 100
max_connections = 40
deadlock_timeout = 100ms
pg_stat_statements.track = all" || return 1
    pga_cluster_start || return 1
    export PGDATABASE=bench
    pga_psql postgres 'CREATE DATABASE bench' >&2 || return 1
    "$PGA_BINDIR/pgbench" -i -q -s 1 bench >"$dir/pgbench-init.log" 2>&1 ||
        { cat "$dir/pgbench-init.log" >&2; return 1; }
    pga_psql bench 'CREATE EXTENSION pg_stat_statements; CREATE EXTENSION pg_architect' >&2 || return 1
    opts=$(_pga_bench_scripts "$dir/scripts")
    start0=$(pga_psql postgres 'SELECT pg_postmaster_start_time()') || return 1

    _pga_watcher "$dir" >"$dir/watcher.log" 2>&1 &
    local watcher=$!

    # The watcher resets the store during the first run only, so that the
    # second one ends with what it captured (eviction counters included).
    touch "$dir/resets.ok"
    for mode in simple prepared; do
        [ $mode = prepared ] && rm -f "$dir/resets.ok"
        # Built-in TPC-B-like transactions too, for writes and row locks.
        timeout 900 "$PGA_BINDIR/pgbench" -n -c 16 -j 2 -t "$((tx / 2))" -M "$mode" \
            -b tpcb-like@20 $opts bench >"$dir/pgbench-$mode.log" 2>&1
        rc=$?
        local done_tx failed
        done_tx=$(sed -nE 's/^number of transactions actually processed: ([0-9]+).*/\1/p' "$dir/pgbench-$mode.log")
        failed=$(sed -nE 's/^number of failed transactions: ([0-9]+).*/\1/p' "$dir/pgbench-$mode.log")
        total=$((total + ${done_tx:-0}))
        failed_tx=$((failed_tx + ${failed:-0}))
        if [ $rc -ne 0 ] || [ "${done_tx:-0}" -ne $((16 * (tx / 2))) ]; then
            echo "pgbench ($mode) exited with $rc (124 = timed out: a deadlock?), $done_tx transactions:" >&2
            grep -v '^progress' "$dir/pgbench-$mode.log" | tail -n 20 >&2
            touch "$dir/loop.stop"; wait "$watcher"
            echo "pgbench $mode failed"
            return 1
        fi
    done
    touch "$dir/loop.stop"
    if ! wait "$watcher"; then
        echo "the watcher session failed:" >&2
        tail -n 20 "$dir/watcher.log" >&2
        echo "$total transactions; the watcher failed"
        return 1
    fi
    start1=$(pga_psql postgres 'SELECT pg_postmaster_start_time()' 2>/dev/null)
    if [ "$start0" != "$start1" ] || pga_crashes "$dir/server.log" >&2; then
        pga_backtraces "pgbench"
        echo "$total transactions; SERVER CRASHED OR RESTARTED"
        return 1
    fi
    if grep -q 'deadlock detected' "$dir/server.log"; then
        grep -B2 -A6 'deadlock detected' "$dir/server.log" | head -n 40 >&2
        echo "$total transactions; deadlock detected"
        return 1
    fi
    if ! "$PGA_BINDIR/psql" -X -q -At -v ON_ERROR_STOP=1 -d bench \
            -f "$HERE/concurrency-invariants.sql" >"$dir/invariants.out" 2>&1; then
        cat "$dir/invariants.out" >&2
        echo "$total transactions; counters inconsistent"
        return 1
    fi
    echo "$total transactions by 16 clients (simple and prepared), $failed_tx failed, 100 query shapes + TPC-B into a 100-entry store; watcher: $(tail -n 1 "$dir/watcher.log"); $(grep 'invariants hold' "$dir/invariants.out")"
}

# _pga_watcher DIR: the session beside pgbench, until DIR/loop.stop.
_pga_watcher() {
    local dir=$1 n=0 resets=0 sql snap=""
    sql=$(pga_probe_sql bench) || exit 1
    if [ "$(pga_psql bench "SELECT to_regproc('architect.snapshot') IS NOT NULL")" = t ]; then
        snap="SELECT architect.snapshot();"
    fi
    echo "calls:"; echo "$sql"; echo "$snap"
    while [ ! -e "$dir/loop.stop" ]; do
        "$PGA_BINDIR/psql" -X -q -At -v ON_ERROR_STOP=1 -d bench -c "$sql" -c "${snap:-SELECT 1}" \
            >/dev/null || { echo "failed after $n rounds"; exit 1; }
        n=$((n + 1))
        if [ $((n % 2)) -eq 0 ] && [ -e "$dir/resets.ok" ]; then
            pga_psql bench 'SELECT architect.reset()' >/dev/null || { echo "reset failed"; exit 1; }
            resets=$((resets + 1))
        fi
    done
    echo "$n rounds of every view${snap:+ and snapshot()}, $resets resets, no error"
}
