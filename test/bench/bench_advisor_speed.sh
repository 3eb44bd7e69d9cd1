#!/usr/bin/env bash
# bench_advisor_speed.sh: the cost of one what-if costing (one query planned
# under one set of hypothetical indexes), issue 4's "well under 0.5 ms".
#
#   bash test/bench/bench_advisor_speed.sh
#
# Builds pg_architect into a private copy of the PostgreSQL installation,
# makes a throwaway cluster with the TPC-H-like database of test/bench/tpch
# at scale BENCH_SF (default 0.01: the planner's work does not depend on the
# data size, only on the statistics) and measures the advisor's what-if
# calls on three workloads: the 22 TPC-H shapes, the 19 without Q2, Q17, Q20,
# and the 22 TPC-H shapes each alone (the sum of 22 single-query runs).
#
#  1. Timing: recommend_indexes_for(workload, NULL, 1000) BENCH_REPEAT times
#     (default 5) in one session of a normal server; from
#     architect.advisor_stats(), the number of planner calls and the mean
#     time of one (whatif_ms / whatif_calls; baseline plans included).  The
#     minimum over the repetitions is reported (the machine is shared).
#  2. Instructions: the same recommend_indexes_for() call of the 22 queries
#     in a single-user backend (postgres --single -j) under valgrind
#     --tool=callgrind, minus a run of one trivial statement (start-up,
#     shutdown, loading the library); divided by the planner calls of the
#     run.  Instruction counts repeat exactly for the same build and input.
#
# Both parts run once per value of pg_architect.whatif_reuse_join_orders in
# BENCH_REUSE_SETTINGS (default "off on"), in the same cluster, so that the
# join order re-use of whatif_joins.c is compared with full planning in one
# run; the estimated workload cost after the recommendation
# (advisor_stats().workload_cost_after, from full plans in both cases) shows
# whether the recommendation changed.
#
# Environment: BENCH_SF (0.01), BENCH_REPEAT (5), BENCH_DIR
# (/tmp/pga_bench_advisor_speed), BENCH_PORT (55498), BENCH_CALLGRIND (1; 0
# skips part 2), BENCH_REUSE_SETTINGS ("off on").  Results are printed as markdown and kept in
# $BENCH_DIR/results.md.
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SF=${BENCH_SF:-0.01}
REPEAT=${BENCH_REPEAT:-5}
DIR=${BENCH_DIR:-/tmp/pga_bench_advisor_speed}
PORT=${BENCH_PORT:-55498}
CALLGRIND=${BENCH_CALLGRIND:-1}
REUSE_SETTINGS=${BENCH_REUSE_SETTINGS:-off on}

EXTRA_CONF="shared_preload_libraries = 'pg_stat_statements,pg_architect'"
# shellcheck source=bench_advisor_speed_common.sh
. "$SRC/test/bench/bench_advisor_speed_common.sh"

"${as_pg[@]}" "$BIN/createdb" -h "$DIR/sock" -p "$PORT" -U postgres tpch
psql_db tpch -c "CREATE EXTENSION pg_stat_statements; CREATE EXTENSION pg_architect;" >/dev/null
psql_db tpch -f "$SRC/test/bench/tpch/schema.sql" >/dev/null
psql_db tpch -v sf="$SF" -f "$SRC/test/bench/tpch/data.sql" >/dev/null
psql_db tpch -f "$SRC/test/bench/tpch/queries.sql" >/dev/null
psql_db tpch -c "VACUUM ANALYZE" >/dev/null

Q22="(SELECT array_agg(query ORDER BY qno) FROM bench_queries)"
Q19="(SELECT array_agg(query ORDER BY qno) FROM bench_queries WHERE qno NOT IN (2, 17, 20))"

out "# bench_advisor_speed results"
out ""
out "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $(cd "$SRC" && git rev-parse --short HEAD 2>/dev/null || echo unknown); machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
out "- command: BENCH_SF=$SF BENCH_REPEAT=$REPEAT BENCH_REUSE_SETTINGS=\"$REUSE_SETTINGS\" bash test/bench/bench_advisor_speed.sh"
out ""
out "| reuse join orders | workload | planner calls per run | derived costs | repeated (exact hits) | min mean ms per planner call | median | min ms per distinct costing | min advisor runtime ms | indexes | cost after % of no index |"
out "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"

# One workload, REPEAT runs in one session:
# calls|derived|hits|min mean|median mean|min per costing|min runtime|indexes|cost %
time_workload() {
    local queries=$1 reuse=$2
    psql_db tpch -At -F'|' <<EOF
SET pg_architect.whatif_reuse_join_orders = $reuse;
CREATE TEMP TABLE runs (calls bigint, derived bigint, hits bigint, mean float8, per_costing float8, runtime float8, n int, pct float8);
DO \$\$
DECLARE n int;
BEGIN
  FOR i IN 1..$REPEAT LOOP
    SELECT count(*) INTO n FROM architect.recommend_indexes_for($queries, NULL, 1000);
    INSERT INTO runs SELECT whatif_calls, derived_costs, cache_hits, mean_whatif_ms,
                            whatif_ms / (whatif_calls + derived_costs), runtime_ms, n,
                            100 * workload_cost_after / workload_cost_before
                       FROM architect.advisor_stats();
  END LOOP;
END \$\$;
SELECT max(calls), max(derived), max(hits), round(min(mean)::numeric, 3),
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY mean))::numeric, 3),
       round(min(per_costing)::numeric, 3), round(min(runtime)::numeric),
       max(n), round(max(pct)::numeric, 3)
  FROM runs;
EOF
}

for reuse in $REUSE_SETTINGS; do
    IFS='|' read -r c d h m med pc rt n pct <<<"$(time_workload "$Q22" "$reuse")"
    out "| $reuse | TPC-H, 22 queries | $c | $d | $h | $m | $med | $pc | $rt | $n | $pct |"
    IFS='|' read -r c d h m med pc rt n pct <<<"$(time_workload "$Q19" "$reuse")"
    out "| $reuse | TPC-H, 19 queries | $c | $d | $h | $m | $med | $pc | $rt | $n | $pct |"
done

# Each query alone: sums over the 22 runs.
singles=""
for reuse in $REUSE_SETTINGS; do
single=$(psql_db tpch -At -F'|' <<EOF
SET pg_architect.whatif_reuse_join_orders = $reuse;
CREATE TEMP TABLE runs (qno int, calls bigint, ms float8);
DO \$\$
DECLARE r record;
BEGIN
  FOR rep IN 1..$REPEAT LOOP
    FOR r IN SELECT qno, query FROM bench_queries ORDER BY qno LOOP
      PERFORM count(*) FROM architect.recommend_indexes_for(ARRAY[r.query], NULL, 1000);
      INSERT INTO runs SELECT r.qno, whatif_calls, whatif_ms FROM architect.advisor_stats();
    END LOOP;
  END LOOP;
END \$\$;
SELECT (sum(calls) / $REPEAT)::bigint, round((sum(ms) / sum(calls))::numeric, 3) FROM runs;
SELECT string_agg(qno || ':' || c || ':' || m, ' ' ORDER BY qno)
  FROM (SELECT qno, max(calls) c, round(min(ms / greatest(calls, 1))::numeric, 3) m
          FROM runs GROUP BY qno) s;
EOF
)
IFS='|' read -r c m <<<"$(echo "$single" | head -1)"
out "| $reuse | TPC-H, each query alone (22 runs) | $c | | | $m (mean of all) | | | | | |"
singles="$singles
Per query alone, reuse $reuse (qno:calls:min mean ms): $(echo "$single" | tail -1)
"
done
out "$singles"

if [ "$CALLGRIND" = 1 ]; then
    stop_server
    cat >"$DIR/cg_base.sql" <<EOF
SELECT 1;

EOF
    for reuse in $REUSE_SETTINGS; do
        cat >"$DIR/cg_run_$reuse.sql" <<EOF
SET pg_architect.whatif_reuse_join_orders = $reuse;

SELECT count(*) FROM architect.recommend_indexes_for($Q22, NULL, 1000);

SELECT 'CALLS', whatif_calls, derived_costs FROM architect.advisor_stats();

EOF
    done
    [ ${#as_pg[@]} -gt 0 ] && chown postgres: "$DIR"/cg_*.sql
    cg() {
        local name=$1
        "${as_pg[@]}" valgrind --tool=callgrind --callgrind-out-file="$DIR/$name.callgrind" \
            "$BIN/postgres" --single -D "$DIR/data" -j tpch <"$DIR/$name.sql" >"$DIR/$name.out" 2>"$DIR/$name.err"
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$DIR/$name.err"
    }
    base=$(cg cg_base)
    out ""
    out "Callgrind, recommend_indexes_for() of the 22 queries in postgres --single, minus a run of SELECT 1 alone ($base instructions):"
    out ""
    out "| reuse join orders | instructions (run - SELECT 1) | planner calls | costs derived | instructions per planner call | per distinct costing |"
    out "|---|---:|---:|---:|---:|---:|"
    for reuse in $REUSE_SETTINGS; do
        run=$(cg "cg_run_$reuse")
        calls=$(grep -A3 'CALLS' "$DIR/cg_run_$reuse.out" | grep -o 'whatif_calls = "[0-9]*"' | grep -o '[0-9]*' || true)
        derived=$(grep -A3 'CALLS' "$DIR/cg_run_$reuse.out" | grep -o 'derived_costs = "[0-9]*"' | grep -o '[0-9]*' || true)
        if [ -n "$calls" ] && [ "$calls" -gt 0 ]; then
            out "| $reuse | $((run - base)) | $calls | ${derived:-?} | $(( (run - base) / calls )) | $(( (run - base) / (calls + ${derived:-0}) )) |"
        else
            out "| $reuse | planner calls not found in $DIR/cg_run_$reuse.out | | | | |"
        fi
    done
fi
echo "results: $DIR/results.md" >&2
