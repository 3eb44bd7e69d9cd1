#!/usr/bin/env bash
# demo.sh start|stop: what `make demo` and `make demo-stop` run.
#
# start: installs what is missing, builds and installs pg_architect, starts
# a throwaway cluster in ./tmp_demo on a free port (as the postgres OS user
# when run as root, since PostgreSQL refuses to run as root), preloaded with
# pg_stat_statements, pg_cron and pg_architect; creates the sample shop
# (test/workload), runs its query mix with pgbench and prints what
# pg_architect has to say (test/workload/advice.sql).  Running it again
# replaces the previous demo cluster.
#
# stop: stops the cluster and removes ./tmp_demo.
#
# Environment (make test runs the demo in quick mode with these):
#   DEMO_DIR         where the cluster lives (default ./tmp_demo)
#   DEMO_SCALE       data size; 1 = 100,000 orders (default 1)
#   DEMO_NO_INSTALL  set: neither install packages nor the extension
#   PGA_BINDIR       PostgreSQL bin directory to use (default pg_config's)
#   DEMO_PORT_BASE   first port to try (default 5433)
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEMO_DIR=${DEMO_DIR:-$SRC/tmp_demo}
SCALE=${DEMO_SCALE:-1}
action=${1:-start}

if [ "$(id -u)" -eq 0 ]; then
    as_pg=(runuser -u postgres --)
else
    as_pg=()
fi

bindir() {
    if [ -n "${PGA_BINDIR:-}" ]; then
        echo "$PGA_BINDIR"
    else
        /usr/lib/postgresql/15/bin/pg_config --bindir
    fi
}

stop_demo() {
    if [ -f "$DEMO_DIR/data/postmaster.pid" ]; then
        "${as_pg[@]}" "$(bindir)/pg_ctl" -D "$DEMO_DIR/data" -m fast -w stop >/dev/null || true
    fi
    if [ -L "$DEMO_DIR" ]; then
        rm -rf "$(readlink -f "$DEMO_DIR")"
    fi
    rm -rf "$DEMO_DIR"
}

if [ "$action" = stop ]; then
    stop_demo
    echo "demo cluster stopped and $DEMO_DIR removed"
    exit 0
elif [ "$action" != start ]; then
    echo "usage: demo.sh start|stop" >&2
    exit 2
fi

# --- install and build -------------------------------------------------------
if [ -z "${DEMO_NO_INSTALL:-}" ]; then
    bash "$SRC/test/install-deps.sh"
    sudo=()
    [ "$(id -u)" -ne 0 ] && sudo=(sudo)
    make -C "$SRC" -s PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
    "${sudo[@]}" make -C "$SRC" -s PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config install
fi
BIN=$(bindir)

# --- a fresh cluster -------------------------------------------------------------
stop_demo
mkdir -p "$DEMO_DIR"
if [ ${#as_pg[@]} -gt 0 ]; then
    chown postgres: "$DEMO_DIR"
    # The postgres user must reach the directory; when a parent (say /root)
    # is closed to it, the cluster lives in /var/tmp behind a symlink.
    if ! "${as_pg[@]}" test -w "$DEMO_DIR"; then
        rmdir "$DEMO_DIR"
        real=$(mktemp -d /var/tmp/pg_architect_demo.XXXXXX)
        chown postgres: "$real"
        ln -s "$real" "$DEMO_DIR"
    fi
fi
DIR=$(readlink -f "$DEMO_DIR")
cp -r "$SRC/test/workload" "$DIR/workload"
[ ${#as_pg[@]} -gt 0 ] && chown -R postgres: "$DIR/workload"

port=${DEMO_PORT_BASE:-5433}
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || [ -e "/tmp/.s.PGSQL.$port" ]; do
    port=$((port + 1))
done

"${as_pg[@]}" "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 \
    --locale=C >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log"; exit 1; }
mkdir -p "$DIR/sock"
[ ${#as_pg[@]} -gt 0 ] && chown postgres: "$DIR/sock"
cat >>"$DIR/data/postgresql.conf" <<EOF

# pg_architect demo
port = $port
listen_addresses = 'localhost'
unix_socket_directories = '$DIR/sock'
shared_preload_libraries = 'pg_stat_statements,pg_cron,pg_architect'
cron.database_name = 'shop'
compute_query_id = on
pg_stat_statements.track = all
max_worker_processes = 16
EOF
"${as_pg[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w start >/dev/null

export PGHOST="$DIR/sock" PGPORT="$port" PGUSER=postgres
psql_shop() { "${as_pg[@]}" env PGHOST="$PGHOST" PGPORT="$PGPORT" PGUSER=postgres \
    "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -d shop "$@"; }

"${as_pg[@]}" env PGHOST="$PGHOST" PGPORT="$PGPORT" "$BIN/createdb" -U postgres shop
psql_shop -c 'CREATE EXTENSION pg_stat_statements' -c 'CREATE EXTENSION pg_cron' \
    -c 'CREATE EXTENSION pg_architect'

# --- the sample shop ---------------------------------------------------------------
echo "loading the sample shop (scale $SCALE)..."
psql_shop <"$DIR/workload/schema.sql"
psql_shop -v scale="$SCALE" <"$DIR/workload/data.sql"
psql_shop -c 'SELECT pg_stat_statements_reset()' -c 'SELECT architect.reset()' >/dev/null

# --- the application's query mix ----------------------------------------------------
transactions=$(awk -v s="$SCALE" 'BEGIN { t = int(3000 * s); if (t < 300) t = 300; print t }')
echo "running the workload ($transactions transactions per client, 2 clients)..."
scripts=()
for spec in customer_login@10 customer_login_ci@5 customer_orders@15 \
    customer_addresses@10 order_detail@15 category_browse@10 pending_orders@2 \
    sales_report@2 product_search@5 checkout@10 cart_nplus1@2; do
    scripts+=(-f "$DIR/workload/${spec%@*}.pgbench@${spec#*@}")
done
"${as_pg[@]}" env PGHOST="$PGHOST" PGPORT="$PGPORT" "$BIN/pgbench" -n -U postgres \
    -c 2 -j 2 -t "$transactions" -D scale="$SCALE" "${scripts[@]}" shop \
    >"$DIR/pgbench.log" 2>&1 || { cat "$DIR/pgbench.log"; exit 1; }
grep -E 'number of transactions actually processed|tps' "$DIR/pgbench.log" | head -2

# --- what pg_architect has to say -----------------------------------------------------
psql_shop <"$DIR/workload/advice.sql"

cat <<EOF

The demo cluster is running on port $port.
  connect: ${as_pg[*]:+${as_pg[*]} }psql -h $DIR/sock -p $port -U postgres shop
           (or psql -h localhost -p $port -U postgres shop)
  stop:    make demo-stop
EOF
