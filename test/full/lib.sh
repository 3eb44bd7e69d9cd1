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
PGA_FULL_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
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

# pga_cluster_start [OPTIONS]: start the cluster of PGA_DIR (OPTIONS: server
# options for pg_ctl -o, which override postgresql.conf).
# PGA_SERVER_ENV: "NAME=value ..." given to pg_ctl and the server it starts
# (the memory check sets LD_PRELOAD and ASAN_OPTIONS there).
# The core file size limit is raised for the postmaster, whose children
# inherit it: a backend killed by a signal leaves a core file in the data
# directory (kernel.core_pattern is "core" on the CI machine), from which
# pga_backtraces prints the backtrace.  A hard limit below "unlimited" is
# used as it is; none at all (0) leaves crashes without a backtrace, which
# pga_backtraces then says.
pga_cluster_start() {
    (
        ulimit -c unlimited 2>/dev/null || ulimit -c "$(ulimit -Hc)"
        exec env ${PGA_SERVER_ENV:-} "$PGA_BINDIR/pg_ctl" -D "$PGA_DIR/data" \
            -l "$PGA_DIR/server.log" ${1:+-o "$1"} -w -t 120 start
    ) >/dev/null || { tail -n 20 "$PGA_DIR/server.log" >&2; return 1; }
}

# pga_backtraces [LABEL]: for each core file a crash left in the data
# directory of PGA_DIR, print its backtrace (gdb in batch mode on the server
# binary and the core, test/full/backtrace.gdb) to stderr, append it to the
# server log and to PGA_DIR/backtraces.txt, and move the core out of the
# data directory (to PGA_DIR/N.core, with N.backtrace beside it), so that
# the next crash cannot overwrite it and removing the cluster keeps it.
# Each backtrace ends with "pg_architect frames: K of T, on the crash path:
# C" (frames whose code is in pg_architect.so, by address, and those of them
# that did more than pass a hook call on to PostgreSQL, see backtrace.gdb).
# Sets PGA_BT_CORES (cores found), PGA_BT_OURS (those with pg_architect on
# the crash path, C > 0) and
# PGA_BT_LAST (the last backtrace file written, if any); returns
# non-zero when a core could not be read.
pga_backtraces() {
    local label=${1:-} core n rc=0 bt
    PGA_BT_CORES=0 PGA_BT_OURS=0 PGA_BT_LAST=
    [ -n "${PGA_DIR:-}" ] && [ -d "$PGA_DIR/data" ] || return 0
    for core in "$PGA_DIR"/data/core "$PGA_DIR"/data/core.[0-9]*; do
        [ -f "$core" ] || continue
        # A core still being written (the kernel writes it before the
        # postmaster hears of the death, but be safe): wait for its size to
        # settle.
        local s0=-1 s1
        while s1=$(stat -c %s "$core") && [ "$s1" != "$s0" ]; do s0=$s1; sleep 1; done
        n=$(($(ls "$PGA_DIR"/[0-9]*.backtrace 2>/dev/null | wc -l) + 1))
        mv "$core" "$PGA_DIR/$n.core" || { rc=1; continue; }
        bt=$(timeout 300 gdb -batch -nx -q -x "$PGA_FULL_DIR/backtrace.gdb" \
            "$PGA_BINDIR/postgres" "$PGA_DIR/$n.core" 2>&1)
        if ! grep -q '^#0 ' <<<"$bt" || ! grep -q '^pg_architect frames: ' <<<"$bt"; then
            rc=1
            bt="$bt
(gdb could not read the core: no backtrace)"
        fi
        PGA_BT_CORES=$((PGA_BT_CORES + 1)) PGA_BT_LAST=$PGA_DIR/$n.backtrace
        grep -qE '^pg_architect frames: .*on the crash path: [1-9]' <<<"$bt" &&
            PGA_BT_OURS=$((PGA_BT_OURS + 1))
        bt="==== backtrace of $PGA_DIR/$n.core${label:+ ($label)}, $("$PGA_BINDIR/postgres" --version) ====
$(grep -m1 '^Core was generated by' <<<"$bt")
$(grep -m1 '^Program terminated with' <<<"$bt")
$(sed -n '/^---- bt ----$/,$p' <<<"$bt" | grep -E '^#[0-9]+ |^pg_architect frames: |^\(gdb could not')
==== end of backtrace ===="
        printf '%s\n' "$bt" >"$PGA_DIR/$n.backtrace"
        printf '%s\n' "$bt" | tee -a "$PGA_DIR/backtraces.txt" >>"$PGA_DIR/server.log"
        printf '%s\n' "$bt" >&2
    done
    return $rc
}

pga_cluster_stop() {
    [ -n "${PGA_DIR:-}" ] && [ -f "$PGA_DIR/data/postmaster.pid" ] || return 0
    "$PGA_BINDIR/pg_ctl" -D "$PGA_DIR/data" -m fast -w -t 120 stop >/dev/null
}

# pga_cluster_remove: stop and delete the data directory (the logs stay).
pga_cluster_remove() {
    [ -n "${PGA_DIR:-}" ] || return 0
    pga_cluster_stop
    # A core nobody looked at yet: its backtrace, and keep it.
    pga_backtraces "found when removing the cluster"
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

# pga_bt_signature FILE: what identifies a crash in a backtrace file: the
# signal, and the names of the five innermost functions outside
# pg_architect.so and the hook frames of pg_stat_statements (so that the
# same crash with and without the preload gives the same signature).
pga_bt_signature() {
    printf '%s: %s\n' \
        "$(grep -m1 '^Program terminated with' "$1" | sed -E 's/.*with signal //; s/,.*//')" \
        "$(grep -E '^#[0-9]+ ' "$1" | sed -E 's/^#[0-9]+ +(0x[0-9a-f]+ in )?([^ (]+).*/\2/' |
            grep -vE '^(pga_|pgss_)' | head -n 5 | paste -sd' ')"
}

# pga_crash_wait POS [SECONDS]: after a statement that may have crashed a
# backend, wait until the server log (from byte POS) tells of a crash, for
# at most SECONDS (3); psql sees the connection drop before the postmaster
# reaps the backend, and pg_isready may still answer before the crash
# restart begins.  When a crash shows up, waits (up to 2 min) for the
# restart to finish.  True when there was a crash.
pga_crash_wait() {
    local pos=$1 secs=${2:-3} i
    for i in $(seq 1 $((secs * 10))); do
        tail -c +"$((pos + 1))" "$PGA_DIR/server.log" | pga_crashes /dev/stdin >/dev/null && break
        sleep 0.1
    done
    tail -c +"$((pos + 1))" "$PGA_DIR/server.log" | pga_crashes /dev/stdin >/dev/null || return 1
    for i in $(seq 1 1200); do
        tail -c +"$((pos + 1))" "$PGA_DIR/server.log" |
            sed -n '/all server processes terminated; reinitializing/,$p' |
            grep -q 'database system is ready to accept connections' && break
        sleep 0.1
    done
    for i in $(seq 1 60); do
        "$PGA_BINDIR/pg_isready" -q -d postgres && break
        sleep 1
    done
    return 0
}
