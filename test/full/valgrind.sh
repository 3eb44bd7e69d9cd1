# valgrind.sh: pg_architect's own regression suite and some random queries
# with the server under valgrind (sourced by reliability.sh, after lib.sh and
# postgres-regress.sh; make test-full only: valgrind slows the server some
# 20 to 50 times).
#
# Not in the default steps (PGA_RELIABILITY_STEPS=valgrind runs it): on this
# machine pg_architect's suite alone takes well over 20 minutes under
# valgrind (the first 6 of its 33 tests took 203 s), and the Debian server
# is stripped, so PostgreSQL's suppressions, which name static functions
# (XLogWrite, write_relcache_init_file), do not match: their reports show
# "???" frames and stay, and the ones under a pg_architect frame (a
# background worker's InitPostgres writing the relcache init file) count
# as pg_architect's.  The memory check of make test-full is asan.sh.
#
# PostgreSQL's recipe (src/tools/valgrind.supp from the same source package,
# --trace-children=yes, error markers, no leak checking: PostgreSQL frees by
# memory context, not by pointer), with the postmaster started directly
# under valgrind, so every backend and worker it forks is checked.  The
# installed server is not built with USE_VALGRIND, so PostgreSQL's own code
# reports some known false positives (uninitialised padding written to WAL
# and to the relation cache init file); the verdict counts the reports
# whose stack or origin goes through pg_architect's code, and there must be
# none.

# pga_valgrind DIR QUERIES: prints a one-line summary; non-zero on failure.
pga_valgrind() {
    local dir=$1 nq=$2 supp tests rc vgpid i reports ours passed total
    command -v valgrind >/dev/null || { echo "valgrind is not installed"; return 1; }
    supp=$PGA_PG_SRC/src/tools/valgrind.supp
    [ -f "$supp" ] || { echo "no $supp"; return 1; }
    rm -rf "$dir" && mkdir -p "$dir/vglogs" || return 1
    # The settings of make test's regression cluster, so that the expected
    # output applies.
    pga_cluster_init "$dir" "$(cat "$PGA_SRC/test/pg_architect.conf")" || return 1
    valgrind --quiet --trace-children=yes \
        --num-callers=40 --leak-check=no --error-limit=no \
        --suppressions="$supp" --gen-suppressions=all \
        --error-markers=VALGRINDERROR-BEGIN,VALGRINDERROR-END \
        --log-file="$dir/vglogs/%p.log" \
        "$PGA_BINDIR/postgres" -D "$dir/data" >"$dir/server.log" 2>&1 &
    vgpid=$!
    for i in $(seq 1 600); do
        "$PGA_BINDIR/pg_isready" -q && break
        kill -0 $vgpid 2>/dev/null || break
        sleep 1
    done
    if ! "$PGA_BINDIR/pg_isready" -q; then
        tail -n 20 "$dir/server.log" >&2
        echo "the server did not start under valgrind"
        return 1
    fi

    # pg_architect's regression suite, as make test runs it.
    tests=$(cd "$PGA_SRC/sql" && ls *.sql | sed 's/\.sql$//')
    local t1=$(date +%s)
    "$PGA_PG_REGRESS" --bindir="$PGA_BINDIR" --host="$PGHOST" --port="$PGPORT" \
        --user=postgres --inputdir="$PGA_SRC" --outputdir="$dir/regress" \
        --dbname=contrib_regression $tests >"$dir/pg_regress.log" 2>&1
    total=$(grep -cE '^(test |     )? *[A-Za-z0-9_]+ +\.\.\. ' "$dir/pg_regress.log")
    passed=$(grep -cE '^(test |     )? *[A-Za-z0-9_]+ +\.\.\. ok' "$dir/pg_regress.log")

    echo "suite under valgrind: $(($(date +%s) - t1)) s" >&2
    t1=$(date +%s)
    # Random queries through the hooks.
    if command -v sqlsmith >/dev/null; then
        sqlsmith --target="host=$PGHOST port=$PGPORT dbname=contrib_regression user=postgres" \
            --seed=7 --max-queries="$nq" >"$dir/sqlsmith.log" 2>&1
    fi

    echo "sqlsmith under valgrind: $(($(date +%s) - t1)) s" >&2
    "$PGA_BINDIR/pg_ctl" -D "$dir/data" -m fast -w -t 900 stop >/dev/null 2>&1
    wait $vgpid

    reports=$(cat "$dir"/vglogs/*.log 2>/dev/null | grep -c 'VALGRINDERROR-BEGIN')
    # One report per block between the markers; ours if any frame or the
    # origin of the value is in pg_architect.so.
    # One report per block between the markers; pg_architect's when any
    # frame of its stacks is a function of pg_architect.so (by name, from
    # the library's symbol table: with debug information valgrind prints
    # the source file, not the library) or names the library.  Not a match
    # on the text "pg_architect", which the test directory's path contains.
    local so
    so=$("$PG_CONFIG" --pkglibdir)/pg_architect.so
    so=${PGA_BINDIR%"$("$PG_CONFIG" --bindir)"}$so
    nm --defined-only "$so" | awk '$2 ~ /^[TtWw]$/ { print $3 }' >"$dir/pg_architect-functions.txt"
    : >"$dir/pg_architect-reports.txt"
    ours=$(cat "$dir"/vglogs/*.log 2>/dev/null | awk '
        FNR == NR { mine[$1] = 1; next }
        /VALGRINDERROR-BEGIN/ { block = ""; inside = 1; ours = 0 }
        inside { block = block $0 "\n"
                 if (match($0, /(at|by) 0x[0-9A-F]+: [A-Za-z0-9_.]+ /)) {
                     f = substr($0, RSTART, RLENGTH); sub(/.*: /, "", f); sub(/ $/, "", f)
                     if (f in mine) ours = 1 }
                 if (index($0, "/pg_architect.so)")) ours = 1 }
        /VALGRINDERROR-END/ { inside = 0; if (ours) { n++; printf "%s", block >> OUT } }
        END { print n + 0 }' OUT="$dir/pg_architect-reports.txt" "$dir/pg_architect-functions.txt" -)
    summary="pg_architect's regression suite under valgrind ($passed of $total tests as expected), $nq sqlsmith queries; $reports valgrind reports in all, $ours from pg_architect"
    if pga_crashes "$dir/server.log" >&2; then
        echo "$summary; the server crashed"
        return 1
    fi
    if [ "$ours" -ne 0 ]; then
        head -n 80 "$dir/pg_architect-reports.txt" >&2
        echo "$summary"
        return 1
    fi
    echo "$summary"
}
