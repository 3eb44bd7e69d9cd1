#!/usr/bin/env bash
# bench_guards.sh: cost of the guard triggers in CPU instructions.
#
# What it measures (callgrind instruction counts, one single-user backend
# per run, all runs from the same data directory and binaries):
#   - INSERT of 20,000 rows into a 6-column table: without trigger, with the
#     audit guard, with a PL/pgSQL audit trigger writing to_jsonb(NEW);
#   - UPDATE of those 20,000 rows (one column changes): without trigger,
#     audit guard, PL/pgSQL audit (to_jsonb of OLD and NEW), the updated_at
#     guard, contrib's moddatetime;
#   - a no-op UPDATE of the 20,000 rows: without trigger, updated_at guard
#     with and without the skip, audit guard (which writes nothing).
#
# How: the tables are created once in a template data directory.  Each
# figure is the difference of two runs of `postgres --single -j` on a fresh
# copy of it: warm-up statements + the measured statement, minus the
# warm-up statements alone (start-up, catalog caches, loading the library
# and the first trigger call are in both and cancel out).  The shutdown
# checkpoint writing what the statement dirtied is part of the figure.
#
# Usage: test/bench/bench_guards.sh          (make bench runs it)
# Environment: PG_CONFIG, BENCH_DIR (work directory, default
# /tmp/pg_architect_bench_guards), BENCH_ROWS (default 20000).
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
W=${BENCH_DIR:-/tmp/pg_architect_bench_guards}
ROWS=${BENCH_ROWS:-20000}

command -v valgrind >/dev/null || { echo "bench_guards: valgrind is needed (apt-get install valgrind)" >&2; exit 1; }

# shellcheck source=bench_lib.sh
. "$SRC/test/bench/bench_lib.sh"
bench_as_pg

# --- build and a private installation (the system one is not touched) ------
rm -rf "$W"
mkdir -p "$W"
INST=$W/install
bench_private_install "$SRC" "$INST"
[ ${#as_pg[@]} -gt 0 ] && chown -R postgres: "$W"

run() { "${as_pg[@]}" "$@"; }

# --- template data directory ---------------------------------------------------
run "$BIN/initdb" -D "$W/template" -U postgres --auth=trust -E UTF8 --locale=C >"$W/initdb.log"
cat >>"$W/template/postgresql.conf" <<EOF
fsync = off
synchronous_commit = off
full_page_writes = off
autovacuum = off
max_wal_size = 4GB
checkpoint_timeout = 1h
EOF

# One statement per paragraph: in -j mode a statement ends at a semicolon
# followed by an empty line.
cat >"$W/setup.sql" <<EOF
CREATE EXTENSION pg_architect;

CREATE EXTENSION moddatetime;

CREATE TABLE plain_log (id bigserial, logged_at timestamptz, table_name text, operation text, old_data jsonb, new_data jsonb);

CREATE FUNCTION plpgsql_audit() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO plain_log (logged_at, table_name, operation, new_data)
        VALUES (statement_timestamp(), TG_TABLE_NAME, TG_OP, to_jsonb(NEW));
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO plain_log (logged_at, table_name, operation, old_data, new_data)
        VALUES (statement_timestamp(), TG_TABLE_NAME, TG_OP, to_jsonb(OLD), to_jsonb(NEW));
    ELSE
        INSERT INTO plain_log (logged_at, table_name, operation, old_data)
        VALUES (statement_timestamp(), TG_TABLE_NAME, TG_OP, to_jsonb(OLD));
    END IF;
    RETURN NULL;
END \$\$;

EOF
for t in plain audit plpgsql touch touch_noskip moddatetime; do
    for kind in i u; do
        cat >>"$W/setup.sql" <<EOF
CREATE TABLE ${kind}_$t (id int PRIMARY KEY, a int, b text, updated_at timestamptz, d numeric, e boolean);

EOF
    done
done
cat >>"$W/setup.sql" <<EOF
SELECT architect.enable_audit('i_audit');

SELECT architect.enable_audit('u_audit');

CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON i_plpgsql FOR EACH ROW EXECUTE FUNCTION plpgsql_audit();

CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON u_plpgsql FOR EACH ROW EXECUTE FUNCTION plpgsql_audit();

SELECT architect.enable_updated_at('u_touch');

SELECT architect.enable_updated_at('u_touch_noskip', skip_unchanged => false);

CREATE TRIGGER mdt BEFORE UPDATE ON u_moddatetime FOR EACH ROW EXECUTE FUNCTION moddatetime(updated_at);

EOF
for t in plain audit plpgsql touch touch_noskip moddatetime; do
    cat >>"$W/setup.sql" <<EOF
INSERT INTO u_$t SELECT g, g, 'row ' || g, '2024-01-01'::timestamptz + g * interval '1 second', g * 1.5, g % 2 = 0 FROM generate_series(1, $ROWS) g;

EOF
done
cat >>"$W/setup.sql" <<EOF
TRUNCATE plain_log;

VACUUM ANALYZE;

CHECKPOINT;

EOF
run "$BIN/postgres" --single -D "$W/template" -j postgres <"$W/setup.sql" >"$W/setup.log" 2>&1
if grep -q ERROR "$W/setup.log"; then cat "$W/setup.log"; exit 1; fi
# The audit rows written by the setup are not kept by TRUNCATE plain_log;
# the guard's log is emptied by dropping and recreating its partitions.
cat >"$W/reset.sql" <<EOF
DO \$\$ DECLARE p record; BEGIN FOR p IN SELECT inhrelid::regclass AS r FROM pg_inherits WHERE inhparent = 'architect.audit_log'::regclass LOOP EXECUTE 'DROP TABLE ' || p.r; END LOOP; END \$\$;

SELECT architect.audit_maintain();

CHECKPOINT;

EOF
run "$BIN/postgres" --single -D "$W/template" -j postgres <"$W/reset.sql" >>"$W/setup.log" 2>&1
if grep -q ERROR "$W/setup.log"; then cat "$W/setup.log"; exit 1; fi

# --- one measurement ---------------------------------------------------------------
# measure NAME TABLE STATEMENT: instructions of STATEMENT on TABLE, warm-up
# (one row through the same path) subtracted.
VALUES_ROW="SELECT g, g, 'row ' || g, '2024-01-01'::timestamptz + g * interval '1 second', g * 1.5, g % 2 = 0 FROM generate_series"
callgrind() {
    local name=$1 script=$2 data=$W/run_$1
    rm -rf "$data"
    run cp -a "$W/template" "$data"
    run valgrind --tool=callgrind --callgrind-out-file="$W/$name.callgrind" \
        "$BIN/postgres" --single -D "$data" -j postgres <"$script" >"$W/$name.log" 2>&1
    if grep -q ERROR "$W/$name.log"; then cat "$W/$name.log" >&2; exit 1; fi
    rm -rf "$data"
    sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$W/$name.callgrind"
}

declare -A RESULT
measure() {
    local name=$1 warm=$2 stmt=$3 base full
    printf '%s\n\n' "$warm" >"$W/$name.base.sql"
    printf '%s\n\n%s\n\n' "$warm" "$stmt" >"$W/$name.full.sql"
    base=$(callgrind "$name.base" "$W/$name.base.sql")
    full=$(callgrind "$name.full" "$W/$name.full.sql")
    RESULT[$name]=$((full - base))
    printf '%-22s %14d instructions  %8d per row   %s\n' "$name" "${RESULT[$name]}" \
        $((RESULT[$name] / ROWS)) "$stmt"
}

echo "rows per statement: $ROWS"
for t in plain audit plpgsql; do
    measure "insert_$t" "INSERT INTO i_$t $VALUES_ROW(-1, -1) g;" \
        "INSERT INTO i_$t $VALUES_ROW(1, $ROWS) g;"
done
for t in plain audit plpgsql touch moddatetime; do
    measure "update_$t" "UPDATE u_$t SET a = a + 1 WHERE id = 1;" "UPDATE u_$t SET a = a + 1;"
done
for t in plain touch touch_noskip audit; do
    measure "noop_update_$t" "UPDATE u_$t SET a = a WHERE id = 1;" "UPDATE u_$t SET a = a;"
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo
echo "ratios (same run):"
echo "  audited INSERT / untriggered INSERT          $(ratio "${RESULT[insert_audit]}" "${RESULT[insert_plain]}")  (target <= 2.3)"
echo "  PL/pgSQL audit INSERT / untriggered INSERT   $(ratio "${RESULT[insert_plpgsql]}" "${RESULT[insert_plain]}")"
echo "  audited UPDATE / untriggered UPDATE          $(ratio "${RESULT[update_audit]}" "${RESULT[update_plain]}")  (target <= 2.5)"
echo "  PL/pgSQL audit UPDATE / untriggered UPDATE   $(ratio "${RESULT[update_plpgsql]}" "${RESULT[update_plain]}")"
echo "  updated_at UPDATE / untriggered UPDATE       $(ratio "${RESULT[update_touch]}" "${RESULT[update_plain]}")"
echo "  moddatetime UPDATE / untriggered UPDATE      $(ratio "${RESULT[update_moddatetime]}" "${RESULT[update_plain]}")"
echo "  updated_at UPDATE / moddatetime UPDATE       $(ratio "${RESULT[update_touch]}" "${RESULT[update_moddatetime]}")  (target <= 1.00)"
echo "  no-op UPDATE, updated_at with / without skip $(ratio "${RESULT[noop_update_touch]}" "${RESULT[noop_update_touch_noskip]}")  (target < 1.00)"
echo "  no-op UPDATE, audited / untriggered          $(ratio "${RESULT[noop_update_audit]}" "${RESULT[noop_update_plain]}")"
echo
echo "command: test/bench/bench_guards.sh (BENCH_ROWS=$ROWS); PostgreSQL $("$BIN/postgres" --version | awk '{print $3}'); valgrind $(valgrind --version)"
# Keep the callgrind profiles (callgrind_annotate), drop the rest.
rm -rf "$W"/run_* "$W/template" "$W/install"
