#!/bin/bash
# bench_advisor_enumerate.sh: is there a better index set than the advisor's
# under its own rules, at one budget?  (TPC-H-like, the 19 queries.)
#
# Runs on the cluster and data that bench_advisor.sh left in BENCH_DIR (run
# it first with BENCH_PARTS=G: that also gives capture the evidence of one
# run of the 19 queries, which the misestimate guard reads).  Reinstalls the
# extension built from this tree, starts the server, and:
#
#   1. takes the advisor's own candidates at the budget (the DEBUG1 lines of
#      recommend_indexes_for(); dropped ones left out, duplicates merged);
#   2. costs index sets with architect.workload_whatif(ddls, queries), the
#      guard-corrected cost (guarded_cost_with) being the advisor's: every
#      single candidate, every pair that fits, every triple that fits and
#      contains the advisor's largest recommended index, and every triple
#      that fits among the BENCH_ENUM_TOP (40) candidates of largest gain
#      alone;
#   3. keeps the sets that obey the advisor's rules as pga_guard_rails()
#      judges them: no query more than 10 % dearer than with no new index
#      (max_regression), and every index saving at least 20 %
#      (min_improvement) of the cost of the queries whose plans use it,
#      together or for one of them (min_improvement_per_query), that cost
#      without it taken from the same set less that index;
#   4. prints the advisor's recommendation, the best rule-abiding set and
#      the best sets overall, with the rule figures of each index.
#
# Settings: BENCH_DIR, BENCH_PORT, BENCH_ENUM_MB (10.24), BENCH_ENUM_TOP
# (40).  The tables e_* it leaves in the tpch database are its working data.
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DIR=${BENCH_DIR:?set BENCH_DIR to the directory of an earlier bench_advisor.sh run}
PORT=${BENCH_PORT:-55499}
MB=${BENCH_ENUM_MB:-10.24}
TOP=${BENCH_ENUM_TOP:-40}
RPC=${BENCH_RPC:-1.1}
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}

# shellcheck source=bench_lib.sh
. "$SRC/test/bench/bench_lib.sh"
bench_as_pg
if [ ! -d "$DIR/data" ] || [ ! -d "$DIR/install" ]; then
    echo "no cluster in $DIR: run bench_advisor.sh with BENCH_PARTS=G and BENCH_DIR=$DIR first" >&2
    exit 1
fi
bench_private_install "$SRC" "$DIR/install" reuse
[ ${#as_pg[@]} -gt 0 ] && chown -R postgres: "$DIR"
"${as_pg[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -o "-c random_page_cost=$RPC" start >/dev/null
trap '"${as_pg[@]}" "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true' EXIT
psql_db() {
    "${as_pg[@]}" "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$DIR/sock" -p "$PORT" -U postgres -d tpch "$@"
}
Q19="(SELECT array_agg(query ORDER BY qno) FROM bench_queries WHERE qno NOT IN (2, 17, 20))"

# 1. The advisor's candidates and its recommendation at this budget.
psql_db -c "DROP EXTENSION pg_architect CASCADE" -c "CREATE EXTENSION pg_architect" >/dev/null
psql_db -At -c "SET client_min_messages = debug1" \
    -c "CREATE TABLE IF NOT EXISTS e_rec (mb float8, d text[])" \
    -c "DELETE FROM e_rec" \
    -c "INSERT INTO e_rec SELECT $MB, array_agg(replace(ddl, 'CONCURRENTLY ', '')) FROM architect.recommend_indexes_for($Q19, $MB, 1000)" \
    2>"$DIR/enum_debug.log" >/dev/null
perl -ne '
    next unless /candidate (\d+) (CREATE INDEX "[^"]*" (ON .*)): may serve \d+, helps \d+ queries, gain ([\d.]+), write cost [\d.]+, (\d+) bytes(, dropped)?$/;
    next if $6 || $seen{$3}++;
    print join("\t", $1, $4, $5 / 1048576, "CREATE INDEX c$1 $3"), "\n";' \
    "$DIR/enum_debug.log" >"$DIR/enum_pool.tsv"
[ ${#as_pg[@]} -gt 0 ] && chown postgres: "$DIR/enum_pool.tsv"
echo "candidates (distinct, not dropped): $(wc -l <"$DIR/enum_pool.tsv")"

# 2. Sets, costed with workload_whatif.
psql_db <<EOF
DROP TABLE IF EXISTS e_pool, e_sets, e_res CASCADE;
CREATE TABLE e_pool (id int PRIMARY KEY, gain1 float8, mb float8, ddl text);
CREATE TABLE e_sets (members int[] PRIMARY KEY, done bool DEFAULT false);
CREATE TABLE e_res (members int[], queryid bigint, cost_without float8, cost_with float8,
                    guarded float8, used int[]);
CREATE INDEX ON e_res (members);
\copy e_pool FROM '$DIR/enum_pool.tsv'
CREATE OR REPLACE FUNCTION e_mb(a int[]) RETURNS float8 LANGUAGE sql STABLE
  AS 'SELECT sum(mb) FROM e_pool WHERE id = ANY (a)';
CREATE OR REPLACE FUNCTION e_run() RETURNS int LANGUAGE plpgsql AS \$\$
DECLARE s int[]; n int := 0; q text[];
BEGIN
  q := $Q19;
  FOR s IN SELECT members FROM e_sets WHERE NOT done ORDER BY cardinality(members), members LOOP
    INSERT INTO e_res SELECT s, w.queryid, w.cost_without, w.cost_with, w.guarded_cost_with,
        coalesce((SELECT array_agg(substr(u, 2)::int ORDER BY 1) FROM unnest(w.used_indexes) u), '{}')
      FROM architect.workload_whatif((SELECT array_agg(ddl ORDER BY id) FROM e_pool WHERE id = ANY (s)), q) w;
    UPDATE e_sets SET done = true WHERE members = s;
    n := n + 1;
  END LOOP;
  RETURN n;
END \$\$;
-- The advisor's largest recommended index, among the candidates.
CREATE TEMP TABLE e_big AS
  SELECT p.id FROM e_pool p, e_rec r, unnest(r.d) u(ddl)
   WHERE substring(p.ddl FROM ' ON .*') = substring(u.ddl FROM ' ON .*')
   ORDER BY p.mb DESC LIMIT 1;
CREATE TEMP TABLE e_top AS SELECT * FROM e_pool ORDER BY gain1 DESC LIMIT $TOP;
INSERT INTO e_sets SELECT ARRAY[id] FROM e_pool WHERE mb <= $MB;
INSERT INTO e_sets SELECT ARRAY[a.id, b.id] FROM e_pool a JOIN e_pool b ON a.id < b.id
 WHERE a.mb + b.mb <= $MB;
INSERT INTO e_sets SELECT (SELECT array_agg(x ORDER BY x) FROM unnest(ARRAY[g.id, a.id, b.id]) x)
  FROM e_big g, e_pool a JOIN e_pool b ON a.id < b.id
 WHERE g.id NOT IN (a.id, b.id) AND g.id IS NOT NULL AND e_mb(ARRAY[g.id, a.id, b.id]) <= $MB
ON CONFLICT DO NOTHING;
INSERT INTO e_sets SELECT ARRAY[a.id, b.id, c.id]
  FROM e_top a JOIN e_top b ON a.id < b.id JOIN e_top c ON b.id < c.id
 WHERE a.mb + b.mb + c.mb <= $MB ON CONFLICT DO NOTHING;
EOF
t0=$(date +%s)
n=$(psql_db -At -c "SELECT e_run()")
echo "index sets costed: $n in $(( $(date +%s) - t0 )) s"

# 3 and 4. The rules, and the best sets.
psql_db <<'EOF'
CREATE VIEW e_obj AS
  SELECT members, sum(guarded) AS guarded, sum(cost_with) AS planner, sum(cost_without) AS base,
         bool_or(guarded > cost_without * 1.10) AS regresses
    FROM e_res GROUP BY members;
-- Each index k of a set: its served queries' cost without k (the set less
-- k; no new index for a single) and with the set.
CREATE VIEW e_rule AS
  SELECT r.members, k, sum(b.before) AS before, sum(r.guarded) AS after,
         max(100 * (b.before - r.guarded) / nullif(b.before, 0)) AS best_pct,
         count(*) AS nserved
    FROM e_res r CROSS JOIN LATERAL unnest(r.members) k
    LEFT JOIN e_res w ON w.members = array_remove(r.members, k) AND w.queryid = r.queryid
    CROSS JOIN LATERAL (SELECT CASE WHEN cardinality(r.members) = 1 THEN r.cost_without
                                    ELSE w.guarded END AS before) b
   WHERE k = ANY (r.used)
   GROUP BY r.members, k;
CREATE VIEW e_verdict AS
  SELECT o.members, round((100 * o.guarded / o.base)::numeric, 2) AS guarded_pct,
         round((100 * o.planner / o.base)::numeric, 2) AS planner_pct,
         round(e_mb(o.members)::numeric, 2) AS mb,
         NOT o.regresses AND NOT EXISTS (
           SELECT 1 FROM unnest(o.members) k
            WHERE NOT EXISTS (SELECT 1 FROM e_rule r
                               WHERE r.members = o.members AND r.k = k.k AND r.before IS NOT NULL
                                 AND (100 * (r.before - r.after) / nullif(r.before, 0) >= 20
                                      OR r.best_pct >= 20))) AS obeys_rules,
         o.regresses,
         (SELECT string_agg(r.k || ': ' || r.nserved || ' q, '
                            || round((100 * (r.before - r.after) / nullif(r.before, 0))::numeric, 1)
                            || ' % / best ' || round(r.best_pct::numeric, 1) || ' %', '; ' ORDER BY r.k)
            FROM e_rule r WHERE r.members = o.members) AS gain_of_each
    FROM e_obj o;
\pset footer off
\echo 'The advisor''s recommendation (workload_whatif):'
SELECT r.mb AS budget_mb, cardinality(r.d) AS indexes,
       round((100 * sum(w.guarded_cost_with) / sum(w.cost_without))::numeric, 2) AS guarded_pct,
       round((100 * sum(w.cost_with) / sum(w.cost_without))::numeric, 2) AS planner_pct
  FROM e_rec r, architect.workload_whatif(r.d, (SELECT array_agg(query ORDER BY qno) FROM bench_queries WHERE qno NOT IN (2, 17, 20))) w
 GROUP BY r.mb, r.d;
\echo 'Best sets that obey the rules:'
SELECT members, guarded_pct, planner_pct, mb, gain_of_each FROM e_verdict WHERE obeys_rules
 ORDER BY guarded_pct LIMIT 5;
\echo 'Best sets overall (guarded estimate), with why they break a rule:'
SELECT members, guarded_pct, planner_pct, mb, obeys_rules, regresses, gain_of_each FROM e_verdict
 ORDER BY guarded_pct LIMIT 8;
\echo 'Candidates (id: DDL):'
SELECT id, round(mb::numeric, 2) AS mb, round(gain1) AS gain_alone, ddl FROM e_pool
 WHERE id IN (SELECT unnest(members) FROM (SELECT members FROM e_verdict ORDER BY guarded_pct LIMIT 8) s)
 ORDER BY id;
EOF
