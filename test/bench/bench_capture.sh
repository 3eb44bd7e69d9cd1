#!/usr/bin/env bash
# bench_capture.sh: instruction cost of workload capture per query.
#
# Runs a single-user backend (postgres --single -j) under valgrind's
# callgrind on two scripts, each in five configurations, all in one run:
#
#   pgss           pg_stat_statements alone (the baseline)
#   arch_default   + pg_architect with its defaults
#   arch_sample1   + pg_architect, pg_architect.sample_rate = 1
#   arch_off       + pg_architect, pg_architect.capture = off
#   qualstats1     + pg_qualstats, pg_qualstats.sample_rate = 1
#
# Scripts (generated with a fixed seed):
#   point  N pgbench-style point queries (SELECT abalance FROM
#          pgbench_accounts WHERE aid = ...), pgbench scale 1
#   mix    M analytic multi-join queries over the sample shop of
#          test/workload (orders, order lines, products, categories,
#          customers), several query ids each run many times
#
# For each script and configuration, the instructions of a run of the
# script's first statement alone (start-up, shutdown, first-statement
# warm-up) are subtracted from the full run and divided by the remaining
# statements: instructions per query.  Callgrind counts instructions
# exactly, so the figures repeat on this shared machine, unlike time.
#
# Environment: BENCH_POINT (5000), BENCH_MIX_REPEAT (40 per query id),
# BENCH_SHOP_SCALE (0.1), BENCH_DIR (scratch directory, removed at the end
# unless BENCH_KEEP is set).  Needs valgrind and postgresql-15-pg-qualstats
# (installed here when missing).  The extension is installed into a private
# copy of the PostgreSQL installation, never into the system one.
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
POINT=${BENCH_POINT:-5000}
MIX_REPEAT=${BENCH_MIX_REPEAT:-40}
SHOP_SCALE=${BENCH_SHOP_SCALE:-0.1}

if [ "${1:-}" != "--as-bench-user" ]; then
    bash "$SRC/test/install-deps.sh" valgrind postgresql-15-pg-qualstats
    if [ "$(id -u)" -eq 0 ]; then
        # PostgreSQL refuses to run as root: work as postgres in a copy.
        work=$(mktemp -d /tmp/pga_bench.XXXXXX)
        (cd "$SRC" && tar --exclude=./tmp_check --exclude=./tmp_demo --exclude=./.git \
            --exclude='*.o' --exclude='*.so' -cf - .) | tar -C "$work" -xf -
        chown -R postgres: "$work"
        runuser -u postgres -- env PG_CONFIG="$PG_CONFIG" BENCH_POINT="$POINT" \
            BENCH_MIX_REPEAT="$MIX_REPEAT" BENCH_SHOP_SCALE="$SHOP_SCALE" \
            BENCH_KEEP="${BENCH_KEEP:-}" HOME="$work" \
            bash "$work/test/bench/bench_capture.sh" --as-bench-user
        rc=$?
        [ -n "${BENCH_KEEP:-}" ] || rm -rf "$work"
        exit $rc
    fi
fi

W=${BENCH_DIR:-$(mktemp -d /tmp/pga_bench_run.XXXXXX)}
mkdir -p "$W"
cleanup() { [ -n "${BENCH_KEEP:-}" ] || rm -rf "$W"; }
trap cleanup EXIT

# --- build, private installation -------------------------------------------
cd "$SRC"
make -s clean >/dev/null 2>&1 || true
# shellcheck source=bench_lib.sh
. "$SRC/test/bench/bench_lib.sh"
INST=$W/install
bench_private_install "$SRC" "$INST"
[ -f "$INST$("$PG_CONFIG" --pkglibdir)/pg_qualstats.so" ] ||
    { echo "bench: pg_qualstats.so not found" >&2; exit 1; }

# --- data ----------------------------------------------------------------------
DATA=$W/data
"$BIN/initdb" -D "$DATA" -A trust -E UTF8 --locale=C >"$W/initdb.log"
port=$((30000 + RANDOM % 20000))
"$BIN/pg_ctl" -D "$DATA" -o "-p $port -k $W -c listen_addresses=''" -l "$W/setup.log" -w start >/dev/null
"$BIN/pgbench" -h "$W" -p "$port" -i -s 1 -q postgres >"$W/pgbench-init.log" 2>&1
"$BIN/psql" -X -q -h "$W" -p "$port" -d postgres -v ON_ERROR_STOP=1 \
    -f "$SRC/test/workload/schema.sql" >/dev/null
"$BIN/psql" -X -q -h "$W" -p "$port" -d postgres -v ON_ERROR_STOP=1 \
    -v scale="$SHOP_SCALE" -f "$SRC/test/workload/data.sql" >/dev/null
"$BIN/psql" -X -q -h "$W" -p "$port" -d postgres -c 'VACUUM ANALYZE' >/dev/null
"$BIN/pg_ctl" -D "$DATA" -w stop >/dev/null

# --- scripts ---------------------------------------------------------------------
# -j mode: a statement ends at a semicolon followed by an empty line.
awk -v n="$POINT" 'BEGIN { srand(42);
    for (i = 0; i < n; i++)
        printf "SELECT abalance FROM pgbench_accounts WHERE aid = %d;\n\n", 1 + int(rand() * 100000) }' \
    >"$W/point.sql"
orders=$(awk -v s="$SHOP_SCALE" 'BEGIN { print int(100000 * s) }')
customers=$(awk -v s="$SHOP_SCALE" 'BEGIN { print int(20000 * s) }')
awk -v r="$MIX_REPEAT" -v orders="$orders" -v customers="$customers" 'BEGIN { srand(7);
    for (i = 0; i < r; i++) {
        d = 1 + int(rand() * 20); c = 11 + int(rand() * 40); k = 1 + int(rand() * customers);
        o = 1 + int(rand() * (orders - 500)); n = 1 + int(rand() * 8);
        printf "SELECT cat.name, count(*), sum(i.quantity * i.unit_price) FROM orders o JOIN order_items i ON i.order_id = o.id JOIN products p ON p.id = i.product_id JOIN categories cat ON cat.id = p.category_id WHERE o.created_at >= now() - interval \x27%d days\x27 GROUP BY cat.name ORDER BY 2 DESC LIMIT 10;\n\n", d;
        printf "SELECT c.country, count(DISTINCT o.customer_id), sum(o.total) FROM customers c JOIN orders o ON o.customer_id = c.id WHERE o.status = \x27delivered\x27 AND o.id BETWEEN %d AND %d GROUP BY c.country ORDER BY 3 DESC;\n\n", o, o + 400;
        printf "SELECT p.name, sum(i.quantity) AS sold FROM order_items i JOIN products p ON p.id = i.product_id WHERE p.category_id = %d GROUP BY p.name ORDER BY sold DESC LIMIT 5;\n\n", c;
        printf "SELECT o.id, o.total, count(i.line_no) FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.customer_id = %d GROUP BY o.id, o.total ORDER BY o.id;\n\n", k;
        printf "SELECT a.city, count(*) FROM addresses a JOIN customers c ON c.id = a.customer_id JOIN orders o ON o.customer_id = c.id WHERE o.status = \x27pending\x27 AND a.kind = \x27shipping\x27 AND c.country = \x27%s\x27 GROUP BY a.city ORDER BY 2 DESC LIMIT %d;\n\n", substr("DEFRUSGBNLESITPL", 1 + 2 * int(rand() * 8), 2), n;
    } }' >"$W/mix.sql"
npoint=$(grep -c ';' "$W/point.sql")
nmix=$(grep -c ';' "$W/mix.sql")
head -n 2 "$W/point.sql" >"$W/point_one.sql"
head -n 2 "$W/mix.sql" >"$W/mix_one.sql"

# --- configurations ----------------------------------------------------------------
common=(-c compute_query_id=on -c jit=off -c max_parallel_workers_per_gather=0
        -c pg_stat_statements.max=5000 -c pg_stat_statements.track=top)
declare -A conf
conf[pgss]="-c shared_preload_libraries=pg_stat_statements"
conf[arch_default]="-c shared_preload_libraries=pg_stat_statements,pg_architect -c pg_architect.save=off"
conf[arch_sample1]="-c shared_preload_libraries=pg_stat_statements,pg_architect -c pg_architect.save=off -c pg_architect.sample_rate=1"
conf[arch_off]="-c shared_preload_libraries=pg_stat_statements,pg_architect -c pg_architect.save=off -c pg_architect.capture=off"
conf[qualstats1]="-c shared_preload_libraries=pg_stat_statements,pg_qualstats -c pg_qualstats.sample_rate=1"
order=(pgss arch_default arch_sample1 arch_off qualstats1)

# instructions SCRIPT CONFIG: callgrind's instruction count of one run.
instructions() {
    local script=$1 name=$2 out
    # shellcheck disable=SC2086
    valgrind --tool=callgrind --callgrind-out-file="$W/cg.out" \
        "$BIN/postgres" --single -D "$DATA" -j "${common[@]}" ${conf[$name]} postgres \
        <"$script" >"$W/run.out" 2>"$W/run.err" ||
        { tail -20 "$W/run.err" >&2; tail -5 "$W/run.out" >&2; exit 1; }
    if grep -q 'ERROR' "$W/run.out"; then
        echo "bench: a statement failed under $name:" >&2
        grep -m3 'ERROR' "$W/run.out" >&2
        exit 1
    fi
    out=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$W/run.err")
    rm -f "$W/cg.out"
    echo "$out"
}

declare -A per
for script in point mix; do
    n=$([ $script = point ] && echo "$npoint" || echo "$nmix")
    for name in "${order[@]}"; do
        full=$(instructions "$W/$script.sql" "$name")
        one=$(instructions "$W/${script}_one.sql" "$name")
        per[$script,$name]=$(( (full - one) / (n - 1) ))
        echo "bench: $script $name: full=$full one=$one statements=$n per_query=${per[$script,$name]}" >&2
    done
done

# --- report ------------------------------------------------------------------------
printf '\nInstructions per query (callgrind, single-user backend), %s\n' "$(date -u '+%Y-%m-%d')"
printf 'point: %d x "SELECT abalance FROM pgbench_accounts WHERE aid = ?" (pgbench scale 1)\n' "$npoint"
printf 'mix:   %d analytic multi-join queries, 5 query ids (shop scale %s)\n\n' "$nmix" "$SHOP_SCALE"
printf '| configuration | point: instructions/query | vs pgss | mix: instructions/query | vs pgss |\n'
printf '|---|---:|---:|---:|---:|\n'
for name in "${order[@]}"; do
    printf '| %s | %d | %s | %d | %s |\n' "$name" \
        "${per[point,$name]}" \
        "$(awk -v a="${per[point,$name]}" -v b="${per[point,pgss]}" 'BEGIN { printf "%+.2f %%", 100 * (a - b) / b }')" \
        "${per[mix,$name]}" \
        "$(awk -v a="${per[mix,$name]}" -v b="${per[mix,pgss]}" 'BEGIN { printf "%+.2f %%", 100 * (a - b) / b }')"
done
