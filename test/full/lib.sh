# lib.sh: shell helpers shared by the reliability suites (sourced, not run).
#
# The suites (postgres-regress.sh, sqlsmith.sh, ...) run against throwaway
# clusters that they start themselves, from the private installation that
# make test prepares (PGA_BINDIR).  What is expensive and never changes
# between runs is kept in a cache directory shared by every checkout on the
# machine (PGA_CACHE_DIR, default /var/tmp/pg_architect-cache):
#
#   src/postgresql-15-X.Y/    PostgreSQL's source, from Debian's source
#                             package (apt-get source postgresql-15)
#   build-X.Y/                regress.so built from it with PGXS, plus links
#                             to the installed autoinc.so and refint.so
#   baseline/<key>/           PostgreSQL's regression suite run WITHOUT
#                             pg_architect on this machine (which tests
#                             already differ here, and their output)
#
# Everything in the cache is made under an exclusive lock (flock), so that
# concurrent make test runs neither race nor rebuild.
#
# Environment:
#   PGA_BINDIR      PostgreSQL bin directory (make test's private copy)
#   PG_CONFIG       pg_config of the installed server (for PGXS)
#   PGA_CACHE_DIR   the cache directory

PGA_CACHE_DIR=${PGA_CACHE_DIR:-/var/tmp/pg_architect-cache}
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
PGA_BINDIR=${PGA_BINDIR:-$("$PG_CONFIG" --bindir)}

# Settings every reliability cluster gets, the ones pg_regress gives its
# temporary instances (so that PostgreSQL's expected output applies), plus
# compute_query_id = regress: pg_stat_statements turns query identifiers on,
# and "auto" would print them in EXPLAIN VERBOSE, which the suite does not
# expect (the buildfarm runs pg_stat_statements the same way).
PGA_BASE_CONF="
fsync = off
log_autovacuum_min_duration = 0
log_checkpoints = on
log_line_prefix = '%m %b[%p] %q%a '
log_lock_waits = on
log_temp_files = 128kB
max_prepared_transactions = 2
compute_query_id = regress
listen_addresses = ''
"

# The preload under test.
PGA_PRELOAD_CONF="
shared_preload_libraries = 'pg_stat_statements,pg_architect'
pg_architect.capture = on
pg_architect.sample_rate = 1
"

pga_log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# pga_locked CMD...: run CMD holding the cache lock.
pga_locked() {
    mkdir -p "$PGA_CACHE_DIR" || return 1
    (
        flock -x 9 || exit 1
        "$@"
    ) 9>"$PGA_CACHE_DIR/.lock"
}

# pga_server_version: "15.20" for the server under test.
pga_server_version() {
    "$PGA_BINDIR/postgres" --version | sed -E 's/.* ([0-9]+\.[0-9]+).*/\1/'
}

# _pga_fetch_source: unpack PostgreSQL 15's source in $PGA_CACHE_DIR/src.
# Tries the installed server's own version first, then every version the
# archive's deb-src entries offer, newest first (a security archive may list
# a version whose files it no longer serves).
_pga_fetch_source() {
    local d=$PGA_CACHE_DIR/src v versions
    if ls -d "$d"/postgresql-15-*/src/test/regress/parallel_schedule >/dev/null 2>&1; then
        return 0
    fi
    mkdir -p "$d" || return 1
    versions=$(apt-cache showsrc postgresql-15 2>/dev/null |
        sed -n 's/^Version: //p' | sort -rV | uniq)
    if [ -z "$versions" ]; then
        echo "no deb-src entry serves postgresql-15: run test/install-deps.sh as root" >&2
        return 1
    fi
    local installed
    installed=$(dpkg-query -W -f='${Version}' postgresql-15 2>/dev/null || true)
    for v in $(printf '%s\n' $installed $versions | awk '!seen[$0]++'); do
        [ -n "$v" ] || continue
        pga_log "fetching PostgreSQL source: apt-get source postgresql-15=$v"
        rm -rf "$d.tmp" && mkdir -p "$d.tmp"
        if (cd "$d.tmp" && apt-get source -qq --only-source "postgresql-15=$v" \
                >fetch.log 2>&1) &&
            ls -d "$d.tmp"/postgresql-15-*/src/test/regress >/dev/null 2>&1; then
            mv "$d.tmp"/postgresql-15-* "$d"/ && rm -rf "$d.tmp"
            return 0
        fi
        tail -n 3 "$d.tmp/fetch.log" >&2
    done
    rm -rf "$d.tmp"
    echo "could not fetch the source of postgresql-15" >&2
    return 1
}

# pga_pg_source: print the source directory, fetching it if needed.
pga_pg_source() {
    pga_locked _pga_fetch_source || return 1
    ls -d "$PGA_CACHE_DIR"/src/postgresql-15-* | sort -V | tail -n 1
}

# _pga_build_regress SRCDIR BUILDDIR: regress.so with PGXS.  The Debian
# server-dev package already ships pg_regress, and the installed server has
# autoinc.so and refint.so (contrib/spi), so regress.c is all there is to
# compile (about two seconds).
_pga_build_regress() {
    local src=$1 b=$2 pkglibdir
    [ -f "$b/.done" ] && return 0
    rm -rf "$b" && mkdir -p "$b" || return 1
    cp "$src/src/test/regress/regress.c" "$b/" || return 1
    printf '%s\n' 'MODULES = regress' "PG_CONFIG = $PG_CONFIG" \
        'PGXS := $(shell $(PG_CONFIG) --pgxs)' 'include $(PGXS)' >"$b/Makefile"
    make -s -C "$b" >"$b/build.log" 2>&1 || { cat "$b/build.log" >&2; return 1; }
    pkglibdir=$("$PG_CONFIG" --pkglibdir)
    ln -sf "$pkglibdir/autoinc.so" "$b/autoinc.so"
    ln -sf "$pkglibdir/refint.so" "$b/refint.so"
    touch "$b/.done"
}

# pga_regress_build SRCDIR: print the directory holding regress.so.
pga_regress_build() {
    local src=$1 b
    b=$PGA_CACHE_DIR/build-$(basename "$src" | sed 's/^postgresql-15-//')
    pga_locked _pga_build_regress "$src" "$b" || return 1
    echo "$b"
}

# pga_free_port: a TCP port nobody listens on (the clusters listen on a
# private Unix socket only, but the port names the socket file).
pga_free_port() {
    local p
    while :; do
        p=$((20000 + RANDOM % 30000))
        if ! ls /tmp/.s.PGSQL.$p /var/run/postgresql/.s.PGSQL.$p >/dev/null 2>&1 &&
            ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then
            echo $p
            return
        fi
    done
}

# pga_cluster_init DIR CONF: initdb a cluster in DIR/data with CONF added
# to its postgresql.conf; its socket lives in DIR/sock.  Sets PGA_DIR,
# PGA_PORT, PGHOST, PGPORT for the psql calls that follow.
pga_cluster_init() {
    local dir=$1 conf=$2
    rm -rf "$dir/data" "$dir/sock"
    mkdir -p "$dir/sock" || return 1
    "$PGA_BINDIR/initdb" -D "$dir/data" -U postgres --encoding=UTF8 --no-locale \
        --no-sync -A trust >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; return 1; }
    PGA_DIR=$dir
    PGA_PORT=$(pga_free_port)
    printf '%s\n' "$PGA_BASE_CONF" "port = $PGA_PORT" \
        "unix_socket_directories = '$dir/sock'" "$conf" >>"$dir/data/postgresql.conf"
    export PGHOST=$dir/sock PGPORT=$PGA_PORT PGUSER=postgres
}

# pga_cluster_conf TEXT: add settings (effective at the next start).
pga_cluster_conf() { printf '%s\n' "$1" >>"$PGA_DIR/data/postgresql.conf"; }

# PGA_SERVER_ENV: "NAME=value ..." given to pg_ctl and the server it starts
# (the memory check sets LD_PRELOAD and ASAN_OPTIONS there).
pga_cluster_start() {
    env ${PGA_SERVER_ENV:-} "$PGA_BINDIR/pg_ctl" -D "$PGA_DIR/data" -l "$PGA_DIR/server.log" -w -t 120 start \
        >/dev/null || { tail -n 20 "$PGA_DIR/server.log" >&2; return 1; }
}

pga_cluster_stop() {
    [ -n "${PGA_DIR:-}" ] && [ -f "$PGA_DIR/data/postmaster.pid" ] || return 0
    "$PGA_BINDIR/pg_ctl" -D "$PGA_DIR/data" -m fast -w -t 120 stop >/dev/null
}

# pga_cluster_remove: stop and delete the data directory (the logs stay).
pga_cluster_remove() {
    [ -n "${PGA_DIR:-}" ] || return 0
    pga_cluster_stop
    rm -rf "$PGA_DIR/data" "$PGA_DIR/sock"
}

# pga_psql DB SQL: run SQL, unaligned and quiet, stop on the first error.
pga_psql() {
    "$PGA_BINDIR/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "$2"
}

# pga_fuzz_role DB: the role sqlsmith connects as: it may read and write
# every table but is not superuser (a random call cannot write files or
# signal other sessions), and its statements and lock waits are bounded.
pga_fuzz_role() {
    pga_psql "$1" "
        CREATE ROLE pga_fuzz LOGIN;
        GRANT pg_read_all_data, pg_write_all_data, pg_read_all_stats TO pga_fuzz;
        ALTER ROLE pga_fuzz SET statement_timeout = '2s';
        ALTER ROLE pga_fuzz SET lock_timeout = '1s';"
}

# pga_crashes LOGFILE: print the lines of a server log that tell of a
# backend crash or a crash restart (nothing when there is none).
pga_crashes() {
    grep -E 'terminated by signal|terminated by exception|exited with exit code [^01]|all server processes terminated|terminating any other active server processes|database system was interrupted|PANIC:' \
        "$1" 2>/dev/null
}
