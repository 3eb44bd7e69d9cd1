#!/usr/bin/env bash
# bench_advisor_sets.sh: the real runtime of the TPC-H-like queries under
# given index sets, on a cluster that bench_advisor.sh loaded (BENCH_REUSE).
#
#   BENCH_DIR=/tmp/adv_s3 BENCH_PORT=55483 bash test/bench/bench_advisor_sets.sh \
#       SETFILE... 
#
# Each SETFILE holds one CREATE INDEX per line (test/bench/sets/).  For each
# round (BENCH_REPEAT, default 2) and each set in turn (even rounds in
# reverse order): build the set, VACUUM
# ANALYZE the four tables it may touch (BENCH_SETS_ANALYZE=0 to skip; note
# that ANALYZE re-samples the statistics every later estimate depends on),
# run every query of bench_queries once with EXPLAIN (ANALYZE, TIMING OFF)
# under a statement_timeout of BENCH_TIMEOUT s (default 300), print
# "set qno ms" ("timeout" when cancelled), drop the set.  The server must be
# running.
set -uo pipefail
DIR=${BENCH_DIR:?BENCH_DIR}
PORT=${BENCH_PORT:?BENCH_PORT}
REPEAT=${BENCH_REPEAT:-2}
TIMEOUT=${BENCH_TIMEOUT:-300}
BIN=$DIR/install/usr/lib/postgresql/15/bin
if [ "$(id -u)" -eq 0 ]; then as_pg=(runuser -u postgres --); else as_pg=(); fi
psql_db() { "${as_pg[@]}" "$BIN/psql" -X -q -At -h "$DIR/sock" -p "$PORT" -U postgres -d tpch "$@"; }

drop_set() {
    psql_db -c "SELECT 'DROP INDEX ' || indexrelid::regclass || ';' FROM pg_index i
                  JOIN pg_class c ON c.oid = i.indrelid
                 WHERE c.relnamespace = 'public'::regnamespace AND c.relname <> 'bench_queries'" |
        psql_db >/dev/null
}

sets=("$@")
for round in $(seq 1 "$REPEAT"); do
    # Even rounds take the sets in reverse order, so that no set always
    # runs first (after a build, the caches and the load differ).
    order=("${sets[@]}")
    if [ $((round % 2)) -eq 0 ]; then
        order=()
        for ((i = ${#sets[@]} - 1; i >= 0; i--)); do order+=("${sets[i]}"); done
    fi
    for set in "${order[@]}"; do
        name=$(basename "$set" .sql)
        drop_set
        while IFS= read -r ddl; do
            [ -n "$ddl" ] && { psql_db -c "$ddl" || exit 1; }
        done <"$set"
        [ "${BENCH_SETS_ANALYZE:-1}" = 1 ] &&
            psql_db -c "VACUUM ANALYZE lineitem, partsupp, supplier, part"
        for qno in $(psql_db -c "SELECT qno FROM bench_queries ORDER BY qno"); do
            ms=$(psql_db -c "SET statement_timeout = '${TIMEOUT}s'" \
                -c "EXPLAIN (ANALYZE, TIMING OFF) $(psql_db -c "SELECT query FROM bench_queries WHERE qno = $qno")" 2>/dev/null |
                sed -n 's/^Execution Time: \([0-9.]*\) ms$/\1/p')
            echo "$name Q$qno ${ms:-timeout} round=$round load=$(cut -d' ' -f1 /proc/loadavg)"
        done
        drop_set
    done
done
