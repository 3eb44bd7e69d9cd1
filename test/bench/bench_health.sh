#!/usr/bin/env bash
# bench_health.sh: how fast the health views answer on a big catalog.
#
# What it measures: the wall-clock time of SELECT count(*) FROM each health
# view, and of architect.report(), in a database with BENCH_TABLES tables
# (default 10,000) of three indexes each (30,000 indexes: a primary key, an
# index on (a) and one on (a, b)), a serial sequence each (10,000
# sequences), an unindexed foreign key each, a timestamp column each, three
# analyzed rows each.  That is also a worst case for the findings: every
# table has a prefix-redundant index, an unindexed foreign key and a
# timestamp without time zone column, so duplicate_indexes,
# missing_fk_indexes, schema_advice, findings and report() each handle
# 10,000 or more rows.  The target is under 1 s per view and under 3 s for
# report().
#
# The cluster keeps the default max_locks_per_transaction (64): a view that
# locked each relation it reports on would fail here with "out of shared
# memory", so the run also shows that the views take no relation locks.
#
# Each figure is the median of BENCH_RUNS runs (default 3) after one warm-up
# run, timed inside the server with clock_timestamp() (no client transfer),
# with the CPU time of the backend beside it (from /proc/self/schedstat,
# read with pg_read_file): on a shared, loaded machine the wall-clock time
# also counts the time other jobs held the CPUs, the CPU time does not.
# Every column of every row is computed (the query reads the whole row), as
# SELECT * would: counting rows alone would let the planner skip the
# columns nobody reads.
# Wall-clock time on a shared machine varies; the figures recorded in
# test/bench/README.md give the date, the machine and its load.
#
# Usage: test/bench/bench_health.sh          (make bench runs it)
# Environment: PG_CONFIG, BENCH_DIR (default /tmp/pg_architect_bench_health),
# BENCH_TABLES (default 10000), BENCH_RUNS (default 3), BENCH_PORT (default 5497),
# BENCH_REUSE=1 (keep the catalog of the previous run in BENCH_DIR: rebuild and
# reinstall the extension only, then time again), BENCH_BASE=<git revision>
# (time findings, alerts and report() with that revision too, on the same
# catalog, for a before/after comparison).
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
W=${BENCH_DIR:-/tmp/pg_architect_bench_health}
TABLES=${BENCH_TABLES:-10000}
RUNS=${BENCH_RUNS:-3}
PORT=${BENCH_PORT:-5497}

if [ "$(id -u)" -eq 0 ]; then
    as_pg=(runuser -u postgres --)
else
    as_pg=()
fi
run() { "${as_pg[@]}" "$@"; }

# --- build and a private installation (the system one is not touched) ------
if [ -f "$W/data/postmaster.pid" ]; then
    run "$W/install$("$PG_CONFIG" --bindir)/pg_ctl" -D "$W/data" -m immediate stop >/dev/null 2>&1 || true
fi
INST=$W/install
bindir=$("$PG_CONFIG" --bindir)
sharedir=$("$PG_CONFIG" --sharedir)
REUSE=${BENCH_REUSE:-0}
if [ "$REUSE" = 1 ] && [ -f "$W/catalog.done" ]; then
    make -C "$SRC" -s PG_CONFIG="$PG_CONFIG" >/dev/null
    make -C "$SRC" -s PG_CONFIG="$PG_CONFIG" install DESTDIR="$INST" >/dev/null
else
REUSE=0
rm -rf "$W"
mkdir -p "$W"
make -C "$SRC" -s PG_CONFIG="$PG_CONFIG" >/dev/null
for d in "$(dirname "$bindir")" "$sharedir"; do
    mkdir -p "$INST$(dirname "$d")"
    cp -a "$d" "$INST$(dirname "$d")/"
done
rm -rf "$INST$("$PG_CONFIG" --pkglibdir)/bitcode"
make -C "$SRC" -s PG_CONFIG="$PG_CONFIG" install DESTDIR="$INST" >/dev/null
fi
BIN=$INST$bindir
[ ${#as_pg[@]} -gt 0 ] && chown -R postgres: "$W"
psql() { run "$BIN/psql" -X -q -h "$W" -p "$PORT" -U postgres -v ON_ERROR_STOP=1 "$@"; }

if [ "$REUSE" = 1 ]; then
    echo "reusing the catalog in $W (BENCH_REUSE=1): extension reinstalled"
    run "$BIN/pg_ctl" -D "$W/data" -l "$W/server.log" -w start >/dev/null
    trap 'run "$BIN/pg_ctl" -D "$W/data" -m fast -w stop >/dev/null 2>&1 || true' EXIT
    psql -d bench -c 'DROP EXTENSION pg_architect' -c 'CREATE EXTENSION pg_architect'
else
# --- a throwaway cluster ---------------------------------------------------------
run "$BIN/initdb" -D "$W/data" -U postgres --auth=trust -E UTF8 --locale=C >"$W/initdb.log"
cat >>"$W/data/postgresql.conf" <<EOF
port = $PORT
listen_addresses = ''
unix_socket_directories = '$W'
shared_preload_libraries = 'pg_stat_statements,pg_architect'
compute_query_id = on
fsync = off
synchronous_commit = off
full_page_writes = off
autovacuum = off
max_wal_size = 4GB
EOF
run "$BIN/pg_ctl" -D "$W/data" -l "$W/server.log" -w start >/dev/null
trap 'run "$BIN/pg_ctl" -D "$W/data" -m fast -w stop >/dev/null 2>&1 || true' EXIT

psql -d postgres -c 'CREATE DATABASE bench'
psql -d bench -c 'CREATE EXTENSION pg_stat_statements' -c 'CREATE EXTENSION pg_architect'

# --- the catalog: BENCH_TABLES tables, three indexes each --------------------------
echo "creating $TABLES tables with $((3 * TABLES)) indexes..."
start=$(date +%s)
psql -d bench <<EOF
CREATE TABLE parent (id int PRIMARY KEY);
INSERT INTO parent SELECT generate_series(1, 10);
DO \$\$
BEGIN
    FOR i IN 1..$TABLES LOOP
        EXECUTE format('CREATE TABLE t%s (id serial PRIMARY KEY, parent_id int REFERENCES parent(id),
                        a int, b int, note text, created timestamp)', i);
        EXECUTE format('CREATE INDEX t%s_a ON t%s (a)', i, i);
        EXECUTE format('CREATE INDEX t%s_ab ON t%s (a, b)', i, i);
        EXECUTE format('INSERT INTO t%s (parent_id, a, b, note, created)
                        SELECT g %% 10 + 1, g, g, ''note'', now() FROM generate_series(1, 3) g', i);
        IF i % 200 = 0 THEN
            COMMIT;
        END IF;
    END LOOP;
END
\$\$;
EOF
psql -d bench -c 'VACUUM ANALYZE'
echo "catalog built in $(( $(date +%s) - start )) s"
touch "$W/catalog.done"
fi
psql -d bench -At -c "SELECT 'tables: ' || count(*) FILTER (WHERE relkind = 'r') || ', indexes: ' || count(*) FILTER (WHERE relkind = 'i') || ', sequences: ' || count(*) FILTER (WHERE relkind = 'S') FROM pg_class WHERE relnamespace = 'public'::regnamespace"

# --- the timings -------------------------------------------------------------------------
views="index_usage unused_indexes duplicate_indexes invalid_indexes missing_fk_indexes
index_drop_candidates table_bloat index_bloat seq_scan_tables vacuum_health wraparound sequences
connections long_running idle_in_transaction locks blocking cache_hit temp_files checkpoints
connection_churn databases top_queries slow_queries replication archiving config_advice
security_advice schema_advice findings alerts"

cat >"$W/time.sql" <<'EOF'
CREATE FUNCTION pg_temp.cpu_ns() RETURNS bigint LANGUAGE sql AS
$$ SELECT split_part(pg_read_file('/proc/self/schedstat'), ' ', 1)::bigint $$;
CREATE FUNCTION pg_temp.time_ms(q text, runs int, OUT ms float8, OUT n bigint, OUT cpu_ms float8)
LANGUAGE plpgsql AS $$
DECLARE
    t timestamptz;
    c bigint;
    times float8[] := '{}';
    cpus float8[] := '{}';
BEGIN
    EXECUTE q INTO n;                       -- warm-up
    FOR i IN 1..runs LOOP
        t := clock_timestamp();
        c := pg_temp.cpu_ns();
        EXECUTE q INTO n;
        cpus := cpus || (pg_temp.cpu_ns() - c) / 1e6;
        times := times || extract(epoch FROM clock_timestamp() - t) * 1000;
    END LOOP;
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) INTO ms FROM unnest(times) x;
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) INTO cpu_ms FROM unnest(cpus) x;
END $$;
EOF
for v in $views; do
    echo "SELECT rpad('architect.$v', 36) || lpad(round(ms)::text, 7) || ' ms' || lpad(round(cpu_ms)::text, 7) || ' ms cpu' || lpad(n::text, 9) || ' rows' || CASE WHEN ms < 1000 THEN '' ELSE '   OVER 1 s' END FROM pg_temp.time_ms('SELECT count(*) FROM architect.$v v WHERE length(v::text) > 0', $RUNS);" >>"$W/time.sql"
done
# The tables above are small, so the bloat views left them out (smaller than
# pg_architect.bloat_min_size); time the estimate of all of them as well.
echo "SET pg_architect.bloat_min_size = 0;" >>"$W/time.sql"
for v in table_bloat index_bloat; do
    echo "SELECT rpad('architect.$v (bloat_min_size 0)', 36) || lpad(round(ms)::text, 7) || ' ms' || lpad(round(cpu_ms)::text, 7) || ' ms cpu' || lpad(n::text, 9) || ' rows' || CASE WHEN ms < 1000 THEN '' ELSE '   OVER 1 s' END FROM pg_temp.time_ms('SELECT count(*) FROM architect.$v v WHERE length(v::text) > 0', $RUNS);" >>"$W/time.sql"
done
echo "RESET pg_architect.bloat_min_size;" >>"$W/time.sql"
echo "SELECT rpad('architect.report()', 36) || lpad(round(ms)::text, 7) || ' ms' || lpad(round(cpu_ms)::text, 7) || ' ms cpu' || lpad(n::text, 9) || ' lines' || CASE WHEN ms < 3000 THEN '' ELSE '   OVER 3 s' END FROM pg_temp.time_ms('SELECT count(*) FROM architect.report()', $RUNS);" >>"$W/time.sql"
[ ${#as_pg[@]} -gt 0 ] && chown postgres: "$W/time.sql"

echo
echo "bench_health: $TABLES tables, median of $RUNS runs, $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs"
psql -d bench -At -f "$W/time.sql" | grep -v '^SET$\|^RESET$'

# --- the same composite queries with another revision, on the same catalog -----------
# BENCH_BASE=<git revision>: build that revision (git archive, in $W/base),
# install it in place of the current build, time findings, alerts and
# report() again, then put the current build back.
if [ -n "${BENCH_BASE:-}" ]; then
    rm -rf "$W/base" && mkdir -p "$W/base"
    git -C "$SRC" archive "$BENCH_BASE" | tar -x -C "$W/base"
    make -C "$W/base" -s PG_CONFIG="$PG_CONFIG" >/dev/null
    swap() {
        run "$BIN/pg_ctl" -D "$W/data" -m fast -w stop >/dev/null
        make -C "$1" -s PG_CONFIG="$PG_CONFIG" install DESTDIR="$INST" >/dev/null
        run "$BIN/pg_ctl" -D "$W/data" -l "$W/server.log" -w start >/dev/null
        psql -d bench -c 'DROP EXTENSION pg_architect' -c 'CREATE EXTENSION pg_architect'
    }
    grep -E "^CREATE|^[$][$]|^LANGUAGE|^DECLARE|^ |^BEGIN|^END|architect[.](findings|alerts)'|architect[.]report[(][)]" "$W/time.sql" >"$W/time_base.sql"
    [ ${#as_pg[@]} -gt 0 ] && chown -R postgres: "$W/base" "$W/time_base.sql"
    for rev in base current; do
        if [ $rev = base ]; then swap "$W/base"; else swap "$SRC"; fi
        echo
        echo "$rev ($(if [ $rev = base ]; then echo "$BENCH_BASE"; else git -C "$SRC" rev-parse --short HEAD; fi)), $(date -u '+%H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
        psql -d bench -At -f "$W/time_base.sql"
    done
fi
echo
echo "command: test/bench/bench_health.sh (BENCH_TABLES=$TABLES BENCH_RUNS=$RUNS${BENCH_REUSE:+ BENCH_REUSE=$BENCH_REUSE}${BENCH_BASE:+ BENCH_BASE=$BENCH_BASE})"
