# bench_advisor_speed_common.sh: sourced by bench_advisor_speed.sh and
# bench_advisor_scale.sh.  Builds pg_architect into a private copy of the
# PostgreSQL installation under $DIR, makes and starts a throwaway cluster
# with the settings given in $EXTRA_CONF, and defines psql_db, out and
# stop_server.  Expects SRC, DIR, PORT and EXTRA_CONF to be set.
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}

# shellcheck source=bench_lib.sh
. "$SRC/test/bench/bench_lib.sh"
bench_as_pg

rm -rf "$DIR"
mkdir -p "$DIR"
INST=$DIR/install
bench_private_install "$SRC" "$INST" copy keep-bitcode
mkdir -p "$DIR/sock"
[ ${#as_pg[@]} -gt 0 ] && chown -R postgres: "$DIR"
"${as_pg[@]}" "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
cat >>"$DIR/data/postgresql.conf" <<CONF
port = $PORT
listen_addresses = ''
unix_socket_directories = '$DIR/sock'
compute_query_id = on
max_parallel_workers_per_gather = 0
random_page_cost = 1.1
effective_cache_size = 8GB
jit = off
$EXTRA_CONF
CONF
"${as_pg[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w start >/dev/null
stop_server() { "${as_pg[@]}" "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true; }
trap stop_server EXIT

psql_db() {
    local db=$1
    shift
    "${as_pg[@]}" "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$DIR/sock" -p "$PORT" -U postgres -d "$db" "$@"
}
out() { echo "$*" | tee -a "$DIR/results.md"; }
