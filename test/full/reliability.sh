#!/usr/bin/env bash
# reliability.sh: pg_architect under PostgreSQL's own regression suite,
# random queries (sqlsmith) and concurrent load.  make test runs every step
# but valgrind at counts that keep make test near 12 minutes on 2 cores
# (what CI runs); make test-full at the long counts (PGA_TEST_FULL=1).
# The count of each is also its own knob: PGA_SQLSMITH_QUERIES,
# PGA_PGBENCH_TX, PGA_ASAN_QUERIES, PGA_VALGRIND_QUERIES.
#
#   bash test/full/reliability.sh OUTDIR [STEP...]
#
# Steps (all by default, in this order):
#   cores      a backend crashed on purpose (kill -SEGV), preloaded and not:
#              the core file and its gdb backtrace must appear, with and
#              without pg_architect frames (cores.sh); every other step
#              prints the backtrace of any crash it sees (lib.sh)
#   suite      PostgreSQL's standard schedule, cluster preloaded with
#              pg_stat_statements,pg_architect, capture at 100 %; the results
#              must be those of the same suite without pg_architect
#   sqlsmith   random queries against that suite's regression database;
#              the server must neither crash nor restart; then the views, the
#              advisor and explain()/whatif() over what was captured
#   advisor    the suite again, with a parallel session calling the advisor
#              and every architect view every few seconds
#   pgbench    16 clients, a fixed count of transactions, a tiny store
#              (max_entries) so that eviction runs all the time, and a
#              session calling the advisor, the views and snapshot()
#   asan       the memory check: pg_architect built with
#              AddressSanitizer, the server started with libasan preloaded;
#              pg_architect's regression suite, PostgreSQL's suite and
#              sqlsmith queries on it; no ASan report with a frame in
#              pg_architect (asan.sh says what it can and cannot catch)
#   valgrind   (only when named) pg_architect's own regression suite and
#              some sqlsmith queries with the server under valgrind; slow
#              (see valgrind.sh), so not in the default steps
#
# PGA_KEEP_CLUSTER=1 leaves the clusters running (to debug a failure; stop
# them with pg_ctl -D OUTDIR/<step>/data stop).
#
# Prints one "ok     reliability: ..." or "FAILED reliability: ..." line per
# step (run-tests.sh counts them) and exits non-zero on any failure.  Needs
# PGA_BINDIR (the private installation of make test); see lib.sh for the
# cache of the PostgreSQL source.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/lib.sh"
. "$HERE/postgres-regress.sh"

OUT=${1:?usage: reliability.sh OUTDIR [STEP...]}
shift
PGA_SRC=${PGA_SRC:-$(cd "$HERE/../.." && pwd)}
STEPS=${*:-cores suite sqlsmith advisor pgbench asan}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

if [ -n "${PGA_TEST_FULL:-}" ]; then
    SQLSMITH_QUERIES=${PGA_SQLSMITH_QUERIES:-20000}
    PGBENCH_TX=${PGA_PGBENCH_TX:-10000}
    VALGRIND_QUERIES=${PGA_VALGRIND_QUERIES:-500}
    ASAN_QUERIES=${PGA_ASAN_QUERIES:-5000}
else
    SQLSMITH_QUERIES=${PGA_SQLSMITH_QUERIES:-10000}
    PGBENCH_TX=${PGA_PGBENCH_TX:-2000}
    VALGRIND_QUERIES=${PGA_VALGRIND_QUERIES:-100}
    ASAN_QUERIES=${PGA_ASAN_QUERIES:-2000}
fi

failures=0
step_ok() { echo "ok     reliability: $*"; }
step_failed() { failures=$((failures + 1)); echo "FAILED reliability: $*"; }
want() { [[ " $STEPS " == *" $1 "* ]]; }
elapsed() { echo "$(($(date +%s) - $1)) s"; }
done_with_cluster() { [ -n "${PGA_KEEP_CLUSTER:-}" ] || pga_cluster_remove; }

# pga_probe_sql DB: the read-only calls a watching session makes, built
# from the catalog so that each feature is covered as soon as it lands:
# every view of schema architect, and the advisor when it exists.
pga_probe_sql() {
    pga_psql "$1" "
        SELECT format('SELECT count(*) FROM %I.%I;', schemaname, viewname)
          FROM pg_views WHERE schemaname = 'architect'
        UNION ALL
        SELECT 'SELECT count(*) FROM architect.recommend_indexes();'
         WHERE to_regprocedure('architect.recommend_indexes(float8, integer)') IS NOT NULL"
}

# The session that runs beside the suite: every 3 s, the probe calls.
# Stops when OUTDIR/loop.stop appears; fails on the first error.
pga_advisor_loop() {
    local out=$1 n=0 sql
    pga_psql postgres 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
                       CREATE EXTENSION IF NOT EXISTS pg_architect' || exit 1
    sql=$(pga_probe_sql postgres) || exit 1
    echo "probe calls:"
    echo "$sql"
    while [ ! -e "$out/loop.stop" ]; do
        "$PGA_BINDIR/psql" -X -q -At -v ON_ERROR_STOP=1 -d postgres -c "$sql" >/dev/null || {
            echo "probe failed after $n rounds"
            exit 1
        }
        n=$((n + 1))
        sleep 3
    done
    echo "rounds: $n"
}

t0=$(date +%s)
if ! pga_suite_prepare >"$OUT/prepare.log" 2>&1; then
    cat "$OUT/prepare.log"
    step_failed "prepare PostgreSQL's regression suite ($(elapsed $t0))"
    echo "reliability: $failures failed"
    exit 1
fi
echo "reliability: PostgreSQL source $(basename "$PGA_PG_SRC"), server $(pga_server_version), prepared in $(elapsed $t0)"

# --- a deliberate crash must give a backtrace -----------------------------------
if want cores; then
    . "$HERE/cores.sh"
    t0=$(date +%s)
    pga_core_check "$OUT/cores" >"$OUT/cores-summary.txt" 2>"$OUT/cores-errors.log"
    rc=$?
    summary=$(cat "$OUT/cores-summary.txt")
    # The backtraces are the point: show them.
    cat "$OUT/cores-errors.log"
    if [ $rc -eq 0 ]; then
        step_ok "crash backtraces: $summary ($(elapsed $t0))"
    else
        step_failed "crash backtraces: ${summary:-did not complete} ($(elapsed $t0))"
    fi
    done_with_cluster
fi

# --- PostgreSQL's suite, preloaded ---------------------------------------------
if want suite || want sqlsmith; then
    t0=$(date +%s)
    if _pga_suite_run "$OUT/suite" "$PGA_PRELOAD_CONF" 2>"$OUT/suite-errors.log" &&
        summary=$(pga_suite_compare "$OUT/suite"); then
        step_ok "PostgreSQL regression suite, preloaded, capture at 100 %: $summary ($(elapsed $t0))"
    else
        cat "$OUT/suite-errors.log" "$OUT/suite/verdict.txt" 2>/dev/null
        [ -f "$OUT/suite/regression.diffs" ] && head -n 200 "$OUT/suite/regression.diffs"
        [ -f "$OUT/suite/baseline.diffs" ] && head -n 200 "$OUT/suite/baseline.diffs"
        step_failed "PostgreSQL regression suite, preloaded: ${summary:-did not complete} ($(elapsed $t0))"
    fi
    if want sqlsmith; then
        . "$HERE/sqlsmith.sh"
        t0=$(date +%s)
        if summary=$(pga_sqlsmith "$OUT/suite" "$SQLSMITH_QUERIES" 2>"$OUT/suite/sqlsmith.err"); then
            step_ok "sqlsmith: $summary ($(elapsed $t0))"
        else
            cat "$OUT/suite/sqlsmith.err"
            step_failed "sqlsmith: $summary ($(elapsed $t0))"
        fi
    fi
    done_with_cluster
fi

# --- PostgreSQL's suite with the advisor called beside it ----------------------
if want advisor; then
    t0=$(date +%s)
    mkdir -p "$OUT/advisor"
    summary=
    if _pga_suite_run "$OUT/advisor" "$PGA_PRELOAD_CONF" pga_advisor_loop 2>"$OUT/advisor-errors.log" &&
        summary=$(pga_suite_compare "$OUT/advisor"); then
        step_ok "PostgreSQL regression suite with the advisor and views called every 3 s ($(tail -n 1 "$OUT/advisor/loop.log")): $summary ($(elapsed $t0))"
    else
        cat "$OUT/advisor-errors.log" "$OUT/advisor/verdict.txt" "$OUT/advisor/loop.log" 2>/dev/null
        [ -f "$OUT/advisor/regression.diffs" ] && head -n 200 "$OUT/advisor/regression.diffs"
        step_failed "PostgreSQL regression suite with the advisor: ${summary:-did not complete} ($(elapsed $t0))"
    fi
    done_with_cluster
fi

# --- pgbench, 16 clients, tiny store ----------------------------------------------
if want pgbench; then
    . "$HERE/concurrency.sh"
    t0=$(date +%s)
    # Not in a $(...) subshell: the cluster it starts must be removed here.
    pga_concurrency "$OUT/pgbench" "$PGBENCH_TX" >"$OUT/pgbench-summary.txt" 2>"$OUT/pgbench-errors.log"
    rc=$?
    summary=$(cat "$OUT/pgbench-summary.txt")
    if [ $rc -eq 0 ]; then
        step_ok "pgbench: $summary ($(elapsed $t0))"
    else
        cat "$OUT/pgbench-errors.log"
        step_failed "pgbench: ${summary:-did not complete} ($(elapsed $t0))"
    fi
    done_with_cluster
fi

# --- AddressSanitizer -----------------------------------------------------------------
if want asan; then
    . "$HERE/asan.sh"
    t0=$(date +%s)
    pga_asan "$OUT/asan" "$ASAN_QUERIES" >"$OUT/asan-summary.txt" 2>"$OUT/asan-errors.log"
    rc=$?
    summary=$(cat "$OUT/asan-summary.txt")
    if [ $rc -eq 0 ]; then
        step_ok "memory: $summary ($(elapsed $t0))"
    else
        cat "$OUT/asan-errors.log"
        step_failed "memory: ${summary:-did not complete} ($(elapsed $t0))"
    fi
    done_with_cluster
fi

# --- valgrind (only when named) --------------------------------------------------------
if want valgrind; then
    . "$HERE/valgrind.sh"
    t0=$(date +%s)
    pga_valgrind "$OUT/valgrind" "$VALGRIND_QUERIES" >"$OUT/valgrind-summary.txt" 2>"$OUT/valgrind-errors.log"
    rc=$?
    summary=$(cat "$OUT/valgrind-summary.txt")
    if [ $rc -eq 0 ]; then
        step_ok "valgrind: $summary ($(elapsed $t0))"
    else
        cat "$OUT/valgrind-errors.log"
        step_failed "valgrind: ${summary:-did not complete} ($(elapsed $t0))"
    fi
    done_with_cluster
fi

echo "reliability: $failures failed"
[ $failures -eq 0 ]
