# asan.sh: the memory check of make test-full (sourced by reliability.sh,
# after lib.sh and postgres-regress.sh).
#
# pg_architect is rebuilt with AddressSanitizer (-fsanitize=address, and
# -fsanitize-recover=address so that a report does not end the backend) into
# a copy of the private installation (hard links, only pg_architect.so
# differs), and the server is started with LD_PRELOAD of the compiler's
# libasan (the ASan runtime must be loaded first; the installed postgres is
# not instrumented) and asan-shim.so (see there why).  Then, on that server:
#
#   1. pg_architect's own regression suite (sql/, expected/), on a cluster
#      with make test's settings (test/pg_architect.conf); it must pass;
#   2. PostgreSQL's regression suite (the standard schedule, as in the suite
#      step) on a cluster preloaded with pg_stat_statements,pg_architect and
#      capture at 100 %; it must give the same results as without
#      pg_architect (pga_suite_compare);
#   3. sqlsmith queries against that regression database (capture on).
#
# A positive control proves that reports are written and found:
# asan-canary.c, LOADed once, reads one byte past a malloc'd buffer, and
# exactly one report must name it.
#
# Every ASan report (one "ERROR: AddressSanitizer" block in the log files
# the runtime writes per process) is counted; a report is pg_architect's when
# any frame of its stack is in pg_architect.so (in its sources, once
# symbolized).  The step fails on any report of pg_architect's, on a crash,
# on a suite failure, and when the runtime did not load (checked through
# /proc/PID/maps of the postmaster).
#
# What it catches: out-of-bounds and use-after-free accesses made by
# pg_architect's own code (every load and store is instrumented) to stack,
# global and malloc'd memory; bad accesses by any code through the libc
# functions the runtime intercepts (memcpy, strlen, ...); double and invalid
# free().  What it cannot catch: reads of uninitialised memory (valgrind's
# domain); accesses inside a palloc'd block that stay within the block that
# the memory context got from malloc (PostgreSQL's allocator is not
# instrumented, so overrunning one palloc chunk into the next, or using a
# chunk after pfree() or after its context is reset, is invisible unless the
# block itself went back to malloc); bad accesses made by PostgreSQL's
# uninstrumented code with a pointer pg_architect gave it, except through
# the intercepted libc functions.

# _pga_asan_build DIR: the instrumented pg_architect.so in DIR/build, and a
# copy of make test's installation in DIR/install that loads it.
_pga_asan_build() {
    local dir=$1 root pkglibdir
    rm -rf "$dir/build" "$dir/install"
    mkdir -p "$dir/build" || return 1
    (cd "$PGA_SRC" && tar --exclude=./tmp_check --exclude=./tmp_demo --exclude=./.git \
        --exclude='*.o' --exclude='*.so' --exclude='*.bc' -cf - .) | tar -C "$dir/build" -xf - ||
        return 1
    make -s -C "$dir/build" PG_CONFIG="$PG_CONFIG" with_llvm=no \
        COPT="-fsanitize=address -fsanitize-recover=address -fno-omit-frame-pointer" \
        >"$dir/build.log" 2>&1 || { cat "$dir/build.log" >&2; return 1; }
    # make test's private installation: PGA_BINDIR is its bin directory.
    root=${PGA_BINDIR%"$("$PG_CONFIG" --bindir)"}
    [ -n "$root" ] && [ "$root" != "$PGA_BINDIR" ] ||
        { echo "cannot find the private installation from $PGA_BINDIR" >&2; return 1; }
    cp -al "$root" "$dir/install" || return 1
    pkglibdir=$dir/install$("$PG_CONFIG" --pkglibdir)
    # A new file, not a write through the hard link.
    rm -f "$pkglibdir/pg_architect.so"
    cp "$dir/build/pg_architect.so" "$pkglibdir/pg_architect.so" || return 1
    PGA_ASAN_SO=$pkglibdir/pg_architect.so
    PGA_ASAN_BINDIR=$dir/install$("$PG_CONFIG" --bindir)
}

# _pga_asan_loaded: the running postmaster has the ASan runtime and the
# instrumented pg_architect.so mapped.
_pga_asan_loaded() {
    local pid
    pid=$(head -n 1 "$PGA_DIR/data/postmaster.pid") || return 1
    grep -q libasan "/proc/$pid/maps" && grep -qF "$PGA_ASAN_SO" "/proc/$pid/maps"
}

# _pga_asan_reports LOGDIR BUILDDIR: prints "ALL OURS CANARY": the number
# of reports, of those with a frame in pg_architect (its library, or its
# sources in BUILDDIR once symbolized), which go to
# LOGDIR/pg_architect-reports.txt, and of those of the positive control
# (asan-canary.c; not pg_architect's even when pg_architect's utility hook
# is on the stack of the LOAD).
_pga_asan_reports() {
    local logs=$1 build=$2
    : >"$logs/pg_architect-reports.txt"
    cat "$logs"/asan.* 2>/dev/null | awk -v build="$build/" -v out="$logs/pg_architect-reports.txt" '
        function done_block() {
            if (canary) canaries++
            else if (mine) { ours++; printf "%s\n", block >> out }
            inside = 0; mine = 0; canary = 0 }
        /ERROR: AddressSanitizer/ { if (inside) done_block(); inside = 1; block = ""; all++ }
        inside { block = block $0 "\n"
                 if ($0 ~ /^ *#[0-9]+ / && (index($0, "pg_architect.so") || index($0, build))) mine = 1
                 if (index($0, "asan-canary.c")) canary = 1 }
        inside && /^SUMMARY: AddressSanitizer/ { done_block() }
        END { if (inside) done_block(); print all + 0, ours + 0, canaries + 0 }'
}

# pga_asan DIR QUERIES: prints a one-line summary; non-zero on failure.
pga_asan() {
    local dir=$1 nq=$2 libasan t0 tests rc passed total failed=0 summary parts=""
    local saved_bindir=$PGA_BINDIR all ours canary
    rm -rf "$dir" && mkdir -p "$dir/asanlogs" || return 1
    dir=$(cd "$dir" && pwd)
    libasan=$(gcc -print-file-name=libasan.so)
    libasan=$(readlink -f "$libasan")
    [ -f "$libasan" ] || { echo "no AddressSanitizer runtime (libasan) for gcc"; return 1; }
    t0=$(date +%s)
    _pga_asan_build "$dir" || { echo "the ASan build failed"; return 1; }
    gcc -shared -fPIC -fsanitize=address -fsanitize-recover=address -g \
        -I"$("$PG_CONFIG" --includedir-server)" -o "$dir/asan-canary.so" \
        "$HERE/asan-canary.c" || { echo "building asan-canary.so failed"; return 1; }
    # See asan-shim.c: without it every PostgreSQL program hangs at start.
    gcc -shared -fPIC -o "$dir/asan-shim.so" "$HERE/asan-shim.c" ||
        { echo "building asan-shim.so failed"; return 1; }
    parts="built in $(($(date +%s) - t0)) s"
    PGA_BINDIR=$PGA_ASAN_BINDIR
    # pg_ctl and the server it starts get the runtime; leak checking is off
    # (PostgreSQL frees by memory context and at exit, not by pointer).
    export PGA_SERVER_ENV="LD_PRELOAD=$libasan:$dir/asan-shim.so ASAN_OPTIONS=detect_leaks=0:halt_on_error=0:log_path=$dir/asanlogs/asan:quarantine_size_mb=32:malloc_context_size=30:symbolize=1:detect_odr_violation=0"

    # 1. pg_architect's regression suite.
    t0=$(date +%s)
    if pga_cluster_init "$dir/own" "$(cat "$PGA_SRC/test/pg_architect.conf")" &&
        pga_cluster_start; then
        if ! _pga_asan_loaded; then
            echo "the server does not have libasan and the instrumented pg_architect.so mapped" >&2
            failed=1
        fi
        tests=$(cd "$PGA_SRC/sql" && ls *.sql | sed 's/\.sql$//')
        timeout --kill-after=10 1800 "$PGA_PG_REGRESS" --bindir="$PGA_BINDIR" \
            --host="$PGHOST" --port="$PGPORT" --user=postgres --inputdir="$PGA_SRC" \
            --outputdir="$dir/own/regress" --dbname=contrib_regression $tests \
            >"$dir/own/pg_regress.log" 2>&1
        rc=$?
        total=$(grep -cE '^(test |     )? *[A-Za-z0-9_]+ +\.\.\. ' "$dir/own/pg_regress.log")
        passed=$(grep -cE '^(test |     )? *[A-Za-z0-9_]+ +\.\.\. ok' "$dir/own/pg_regress.log")
        if [ $rc -ne 0 ] || [ "$total" -eq 0 ] || [ "$passed" -ne "$total" ]; then
            echo "pg_architect's regression suite under ASan: $passed of $total passed (exit $rc)" >&2
            head -n 100 "$dir/own/regress/regression.diffs" >&2 2>/dev/null
            failed=1
        fi
        if pga_crashes "$dir/own/server.log" >&2; then
            echo "the server crashed during pg_architect's suite" >&2
            failed=1
        fi
        parts="$parts; pg_architect's regression suite $passed/$total ok in $(($(date +%s) - t0)) s"
        # The positive control: one deliberate overflow, which must be seen.
        pga_psql postgres "LOAD '$dir/asan-canary.so'" >&2
    else
        echo "the ASan server did not start" >&2
        failed=1
    fi
    pga_cluster_remove

    # 2. PostgreSQL's regression suite, preloaded, capture at 100 %;
    # 3. sqlsmith on its database.
    t0=$(date +%s)
    if _pga_suite_run "$dir/suite" "$PGA_PRELOAD_CONF" _pga_asan_check_loop &&
        summary=$(pga_suite_compare "$dir/suite"); then
        parts="$parts; PostgreSQL's regression suite: $summary, in $(($(date +%s) - t0)) s"
    else
        cat "$dir/suite/verdict.txt" >&2 2>/dev/null
        echo "PostgreSQL's regression suite under ASan: ${summary:-did not complete}" >&2
        failed=1
    fi
    if [ "$nq" -gt 0 ] && [ -f "$dir/suite/data/postmaster.pid" ]; then
        t0=$(date +%s)
        local start0 start1 logpos
        start0=$(pga_psql postgres 'SELECT pg_postmaster_start_time()')
        logpos=$(stat -c %s "$dir/suite/server.log")
        pga_fuzz_role regression >&2
        timeout --kill-after=10 1200 sqlsmith \
            --target="host=$PGHOST port=$PGPORT dbname=regression user=pga_fuzz" \
            --seed="${PGA_SQLSMITH_SEED:-20240601}" --max-queries="$nq" >"$dir/sqlsmith.log" 2>&1
        rc=$?
        start1=$(pga_psql postgres 'SELECT pg_postmaster_start_time()' 2>/dev/null)
        tail -c +"$((logpos + 1))" "$dir/suite/server.log" >"$dir/server.log.sqlsmith"
        if [ $rc -ne 0 ] || [ "$start0" != "$start1" ] || pga_crashes "$dir/server.log.sqlsmith" >&2; then
            echo "sqlsmith under ASan: exit $rc, postmaster start $start0 -> $start1" >&2
            tail -n 5 "$dir/sqlsmith.log" >&2
            failed=1
        fi
        parts="$parts; $nq sqlsmith queries in $(($(date +%s) - t0)) s"
    fi
    pga_cluster_remove
    PGA_BINDIR=$saved_bindir
    unset PGA_SERVER_ENV

    read -r all ours canary < <(_pga_asan_reports "$dir/asanlogs" "$dir/build")
    summary="AddressSanitizer build: $all ASan reports in all, $canary of them the deliberate one of the positive control (asan-canary.c), $ours from pg_architect ($parts)"
    if [ "$canary" -ne 1 ]; then
        echo "the positive control (asan-canary.c) gave $canary reports instead of 1: the check does not work" >&2
        failed=1
    fi
    if [ "$ours" -ne 0 ]; then
        head -n 120 "$dir/asanlogs/pg_architect-reports.txt" >&2
        failed=1
    fi
    echo "$summary"
    [ $failed -eq 0 ]
}

# The background function of the suite run: the runtime must be loaded in
# that server too (otherwise the run proves nothing).
_pga_asan_check_loop() {
    if _pga_asan_loaded; then
        echo "libasan and the instrumented pg_architect.so are mapped"
    else
        echo "the server runs without libasan or without the instrumented pg_architect.so"
        exit 1
    fi
}
