#!/usr/bin/env bash
# bench_advisor_pairs.sh: a closer look at single TPC-H queries, with and
# without the advisor's indexes (issue 4, "Truth").
#
#   BENCH_DIR=/tmp/pga_bench_tpch1 BENCH_PORT=55497 BENCH_QUERIES="3 7 9" \
#       BENCH_RPCS="1.1 4" BENCH_ROUNDS=3 bash test/bench/bench_advisor_pairs.sh
#
# Runs against the cluster and loaded "tpch" database that bench_advisor.sh
# left in BENCH_DIR (run it with BENCH_REUSE=1 first; its part B drops its
# indexes at the end).  Builds the unlimited-budget recommendation for the 19
# queries (planned at the cluster's random_page_cost), VACUUM ANALYZEs, and
# for each random_page_cost in BENCH_RPCS and each query runs EXPLAIN
# (ANALYZE, BUFFERS, TIMING OFF) BENCH_ROUNDS times, alternately without
# (index scans disabled: the plan it has with no index) and with the
# indexes.  Prints one line per run, keeps every plan in
# $BENCH_DIR/pairs/, and drops the indexes again at the end.
set -euo pipefail

SRC=${BENCH_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
DIR=${BENCH_DIR:-/tmp/pga_bench_advisor}
PORT=${BENCH_PORT:-55499}
QUERIES=${BENCH_QUERIES:-"3 7 9"}
RPCS=${BENCH_RPCS:-"1.1 4"}
ROUNDS=${BENCH_ROUNDS:-3}
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
BIN=$DIR/install$("$PG_CONFIG" --bindir)

if [ "$(id -u)" -eq 0 ]; then as_pg=(runuser -u postgres --); else as_pg=(); fi
[ -d "$DIR/data" ] || { echo "no cluster in $DIR: run bench_advisor.sh first" >&2; exit 1; }
"${as_pg[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w start >/dev/null
trap '"${as_pg[@]}" "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true' EXIT
P() { "${as_pg[@]}" "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$DIR/sock" -p "$PORT" -U postgres -d tpch "$@"; }

drop_indexes() {
    P -At -c "SELECT 'DROP INDEX ' || indexrelid::regclass || ';' FROM pg_index WHERE indrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relname IN ('region', 'nation', 'supplier', 'customer', 'part', 'partsupp', 'orders', 'lineitem'))" | P >/dev/null
}
drop_indexes
P -At -c "SELECT replace(ddl, 'CONCURRENTLY ', '') || ';' FROM architect.recommend_indexes_for((SELECT array_agg(query ORDER BY qno) FROM bench_queries WHERE qno NOT IN (2, 17, 20)), NULL, 1000)" >"$DIR/pairs_ddl.sql"
P -f "$DIR/pairs_ddl.sql" -c "VACUUM ANALYZE" -c "CHECKPOINT"
echo "indexes ($(P -At -c "SHOW random_page_cost") when recommended): $(tr '\n' ' ' <"$DIR/pairs_ddl.sql")"
P -At -c "SELECT relname || ': ' || relallvisible || ' of ' || relpages || ' pages all-visible' FROM pg_class WHERE relname IN ('lineitem', 'orders')"
mkdir -p "$DIR/pairs"
for rpc in $RPCS; do
    for q in $QUERIES; do
        query=$(P -At -c "SELECT query FROM bench_queries WHERE qno = $q")
        for r in $(seq 1 "$ROUNDS"); do
            for mode in without with; do
                off=""
                [ "$mode" = without ] && off="SET enable_indexscan = off; SET enable_bitmapscan = off; SET enable_indexonlyscan = off;"
                plan=$(P -At <<SQL
SET random_page_cost = $rpc; $off
EXPLAIN (ANALYZE, BUFFERS, TIMING OFF) $query;
SQL
)
                echo "$plan" >"$DIR/pairs/q${q}_rpc${rpc}_${mode}_r$r.txt"
                echo "Q$q random_page_cost=$rpc round $r $mode: $(echo "$plan" | sed -n 's/.*Execution Time: \([0-9.]*\) ms/\1/p') ms, estimated cost $(echo "$plan" | head -1 | sed -n 's/.*cost=[0-9.]*\.\.\([0-9.]*\) .*/\1/p'), load $(cut -d' ' -f1 /proc/loadavg)"
            done
        done
    done
done
drop_indexes
P -c "VACUUM ANALYZE" >/dev/null
