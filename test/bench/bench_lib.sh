# bench_lib.sh: the set-up every benchmark script shares (sourced, not run).
#
# The benchmarks never touch the system installation: each builds
# pg_architect into a private, relocated copy of the PostgreSQL
# installation, and runs its servers as the postgres user when started as
# root (PostgreSQL refuses to run as root).
#
#   bench_as_pg
#       Sets the array as_pg: the command prefix that runs a program as the
#       postgres user ("runuser -u postgres --" as root, empty otherwise).
#   bench_private_install SRC INST [copy|reuse] [keep-bitcode]
#       Copies the installation (the bin directory's parent, e.g.
#       /usr/lib/postgresql/15, and the share directory) into INST, unless
#       "reuse" (INST is kept from an earlier run), removes the copied JIT
#       bitcode unless "keep-bitcode", builds pg_architect in SRC and
#       installs it into INST (DESTDIR).  Sets BIN (the private bin
#       directory).  Needs PG_CONFIG.

bench_as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        as_pg=(runuser -u postgres --)
    else
        as_pg=()
    fi
}

bench_private_install() {
    local src=$1 inst=$2 mode=${3:-copy} bitcode=${4:-} bindir sharedir d
    bindir=$("$PG_CONFIG" --bindir)
    sharedir=$("$PG_CONFIG" --sharedir)
    if [ "$mode" != reuse ]; then
        for d in "$(dirname "$bindir")" "$sharedir"; do
            mkdir -p "$inst$(dirname "$d")" &&
                cp -a "$d" "$inst$(dirname "$d")/" || return 1
        done
        [ "$bitcode" = keep-bitcode ] || rm -rf "$inst$("$PG_CONFIG" --pkglibdir)/bitcode"
    fi
    make -C "$src" -s PG_CONFIG="$PG_CONFIG" >/dev/null &&
        make -C "$src" -s PG_CONFIG="$PG_CONFIG" install DESTDIR="$inst" >/dev/null || return 1
    BIN=$inst$bindir
}
