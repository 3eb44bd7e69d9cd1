-- sqlsmith-oracle.sql: architect.explain() and architect.whatif() on random
-- queries, judged against plain EXPLAIN of the same query (run by
-- sqlsmith.sh in the regression database, as superuser, after the queries
-- were loaded into pga_fuzz_queries).
--
-- The oracle: both functions plan the query the way EXPLAIN does, so
--   * when EXPLAIN succeeds they must succeed (a deliberate refusal would
--     have SQLSTATE 0A000 and is counted, not hidden);
--   * whatif()'s cost without the hypothetical index is EXPLAIN's total
--     cost, and its cost with the index is not higher (beyond the planner's
--     1 % fuzz), unless the planner does the same with a real index: the
--     planner is not monotone (a new path can win at one level and lose
--     more at the next, LIMIT plans are chosen on fractional cost, paths
--     within 1 % are pruned), so when whatif() says the index makes the
--     plan costlier, the same index is built for real in a subtransaction
--     that is rolled back, and EXPLAIN is run with it valid and marked
--     invalid (building an index updates the table's statistics, so the
--     baseline is planned there too); when the real index raises the cost
--     as well, the row counts as "planner" (PostgreSQL's own behaviour);
--     when the real index cannot tell (it cannot be built, e.g. "index row
--     requires 8392 bytes", or the new statistics change the plan) and the
--     query has a LIMIT, the row counts as "limit": under a LIMIT the
--     planner keeps base and join paths by total cost without weighing
--     their start-up cost (consider_startup), so an index path with a lower
--     total cost can displace the path with the cheap start that the LIMIT
--     plan needed, and the final plan costs more (seen on 2 of 4,184
--     queries on 2026-11-21, both with LIMIT); these rows are listed with
--     their costs, not failed;
--   * when EXPLAIN fails they must fail with the same SQLSTATE (the user's
--     error, passed through, not wrapped or replaced), with one exception:
--     EXPLAIN of INSERT/UPDATE/DELETE/MERGE starts the executor, whose
--     result-relation checks (CheckValidResultRel) refuse what planning
--     accepts: a table that publishes deletes without a usable replica
--     identity (42P10, 55000), a relation kind that cannot be written
--     (42809); whatif() only plans, so its success there is counted as
--     "executor" and listed, not failed (seen on 2 of 4,157 queries on
--     2026-11-21, DELETE and MERGE on pubme.t0); the same for a row lock
--     (SELECT ... FOR UPDATE/SHARE) on a relation whose rows cannot be
--     locked, e.g. a materialized view (CheckValidRowMarkRel, 42809
--     "cannot lock rows in ...", also at executor start);
--   * never an internal error (class XX) of their own, never a crash (sqlsmith.sh checks
--     the server's start time and log);
--   * a cancel (SQLSTATE 57014, statement_timeout) is not an answer: each
--     part (plain EXPLAIN, explain(), whatif() with the oracle's own checks)
--     runs as its own statement under :pga_timeout (10 s); a query with a
--     cancel on either side is run again, all its parts, alone, under
--     :pga_retry_timeout (60 s), and only that second run is judged.  A
--     cancel there too is "timeout": inconclusive, counted and listed, not
--     failed, with one exception that stays "wrong": the function was
--     cancelled although plain EXPLAIN of the query finished in less than a
--     twentieth of the time the function ran (minus 1 s), i.e. the function
--     hangs or loops where the planner does not.  A cancel decides nothing
--     else: an internal error of the function is wrong even when plain
--     EXPLAIN was cancelled.
-- Nothing is executed: explain() without analyze and whatif() only plan.
--
-- sqlsmith.sh first runs this file on made-up queries and stub functions
-- (oracle-selftest.sql) and checks that each kind of wrong answer fails and
-- each kind of cancel lands where the rules above say.
\set ON_ERROR_STOP 1
\if :{?pga_timeout}
\else
\set pga_timeout 10s
\endif
\if :{?pga_retry_timeout}
\else
\set pga_retry_timeout 60s
\endif
\if :{?pga_retry_max}
\else
\set pga_retry_max 30
\endif
SET client_min_messages = warning;

-- What plain EXPLAIN did with each query (ms: how long it took).
CREATE TABLE pga_fuzz_plain (
    id          int,
    attempt     int,
    state       text,
    message     text,
    ms          float8
);

CREATE TABLE pga_fuzz_oracle (
    id          int,
    fn          text,
    plain_state text,
    fn_state    text,
    fn_message  text,
    plain_message text,
    plain_ms    float8,
    fn_ms       float8,
    attempt     int
);

-- Each part's handlers name assert_failure and query_canceled too: WHEN
-- OTHERS catches neither, and planning alone can fail an ASSERT (constant
-- folding of an immutable PL/pgSQL function of the regression database,
-- sro_ifun).  Each part is its own statement (its own statement_timeout).

-- pga_fuzz_plain(id, attempt): plain EXPLAIN.
CREATE FUNCTION pga_fuzz_plain(qid int, attempt int) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
    q       text;
    st      text := 'ok';
    msg     text;
    t0      timestamptz;
BEGIN
    SELECT query INTO q FROM pga_fuzz_queries WHERE id = qid;
    t0 := clock_timestamp();
    BEGIN
        EXECUTE 'EXPLAIN ' || q;
    EXCEPTION WHEN OTHERS OR query_canceled OR assert_failure THEN
        GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
    END;
    INSERT INTO pga_fuzz_plain
    VALUES (qid, attempt, st, msg,
            1000 * extract(epoch FROM clock_timestamp() - t0));
END
$fn$;

-- pga_fuzz_explain(id, attempt): architect.explain(), when it exists.
CREATE FUNCTION pga_fuzz_explain(qid int, attempt int) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
    q       text;
    p       pga_fuzz_plain;
    st      text := 'ok';
    msg     text;
    t0      timestamptz;
BEGIN
    IF to_regprocedure('architect.explain(text, boolean)') IS NULL THEN
        RETURN;
    END IF;
    SELECT query INTO q FROM pga_fuzz_queries WHERE id = qid;
    SELECT * INTO p FROM pga_fuzz_plain WHERE id = qid;
    t0 := clock_timestamp();
    BEGIN
        PERFORM count(*) FROM architect.explain(q, false);
    EXCEPTION WHEN OTHERS OR query_canceled OR assert_failure THEN
        GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
    END;
    INSERT INTO pga_fuzz_oracle
    VALUES (qid, 'explain', p.state, st, msg, p.message, p.ms,
            1000 * extract(epoch FROM clock_timestamp() - t0), attempt);
END
$fn$;

-- pga_fuzz_whatif_check(id, attempt): architect.whatif(), when it exists,
-- and the cost checks.
CREATE FUNCTION pga_fuzz_whatif_check(qid int, attempt int) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
    q       text;
    p       pga_fuzz_plain;
    plain   text;
    st      text;
    msg     text;
    rel     text;
    plan    json;
    t0      timestamptz;
    fn_ms   float8;
    plain_cost float8;
    c_min   float8;
    c_max   float8;
    c_with  float8;
    real_with float8;
    real_without float8;
BEGIN
    IF to_regprocedure('architect.whatif(text, text[])') IS NULL THEN
        RETURN;
    END IF;
    SELECT query INTO q FROM pga_fuzz_queries WHERE id = qid;
    SELECT * INTO p FROM pga_fuzz_plain WHERE id = qid;
    plain := p.state;
    -- A hypothetical index on the first column of the first ordinary
    -- table the query names, when there is one.
    SELECT format('CREATE INDEX ON %s (%I)', c.oid::regclass, a.attname)
      INTO rel
      FROM regexp_matches(q, '([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*) as (?:ref|sample)_', 'g') AS m
      JOIN pg_namespace n ON n.nspname = m[1]
      JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = m[2] AND c.relkind = 'r'
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = 1 AND NOT a.attisdropped
      JOIN pg_type t ON t.oid = a.atttypid
      JOIN pg_opclass oc ON oc.opcintype = t.oid AND oc.opcdefault
      JOIN pg_am am ON am.oid = oc.opcmethod AND am.amname = 'btree'
     WHERE n.nspname <> 'pg_catalog'
     LIMIT 1;
    -- whatif() needs at least one index: without a table, no call.
    IF rel IS NOT NULL THEN
        st := 'ok'; msg := NULL;
        t0 := clock_timestamp();
        BEGIN
            SELECT min(cost_without), max(cost_without), min(cost_with)
              INTO c_min, c_max, c_with
              FROM architect.whatif(q, ARRAY[rel]);
        EXCEPTION WHEN OTHERS OR query_canceled OR assert_failure THEN
            GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
        END;
        fn_ms := 1000 * extract(epoch FROM clock_timestamp() - t0);
        -- The cost without the hypothetical index is the cost plain
        -- EXPLAIN shows; with it, the planner can only do as well or
        -- better (it adds paths, removes none).
        -- (Planned twice in a row, and again once on a difference, in
        -- case a statistics update slipped in between.)
        IF st = 'ok' AND plain = 'ok' THEN
            EXECUTE 'EXPLAIN (FORMAT JSON) ' || q INTO plan;
            plain_cost := (plan -> 0 -> 'Plan' ->> 'Total Cost')::float8;
            IF abs(c_min - plain_cost) > 0.01 + 1e-9 * abs(plain_cost) THEN
                SELECT min(cost_without), max(cost_without), min(cost_with)
                  INTO c_min, c_max, c_with
                  FROM architect.whatif(q, ARRAY[rel]);
                EXECUTE 'EXPLAIN (FORMAT JSON) ' || q INTO plan;
                plain_cost := (plan -> 0 -> 'Plan' ->> 'Total Cost')::float8;
            END IF;
            IF c_min IS DISTINCT FROM c_max
               OR abs(c_min - plain_cost) > 0.01 + 1e-9 * abs(plain_cost) THEN
                st := 'cost';
                msg := format('cost_without %s, EXPLAIN total cost %s', c_min, plain_cost);
            -- (The planner keeps paths within 1 % of each other on
            -- cost when they differ otherwise, STD_FUZZ_FACTOR, so the
            -- plan it ends with may cost up to that much more.)
            ELSIF c_with > c_min * 1.01 + 0.01 THEN
                st := 'cost';
                msg := format('cost_with %s > cost_without %s', c_with, c_min);
                real_with := NULL;
                real_without := NULL;
                BEGIN
                    EXECUTE replace(rel, 'CREATE INDEX ON ', 'CREATE INDEX pga_fuzz_real_idx ON ');
                    EXECUTE 'EXPLAIN (FORMAT JSON) ' || q INTO plan;
                    real_with := (plan -> 0 -> 'Plan' ->> 'Total Cost')::float8;
                    UPDATE pg_index SET indisvalid = false
                     WHERE indexrelid = (SELECT oid FROM pg_class
                                          WHERE relname = 'pga_fuzz_real_idx');
                    EXECUTE 'EXPLAIN (FORMAT JSON) ' || q INTO plan;
                    real_without := (plan -> 0 -> 'Plan' ->> 'Total Cost')::float8;
                    RAISE EXCEPTION 'roll back' USING ERRCODE = 'PGA01';
                EXCEPTION WHEN SQLSTATE 'PGA01' THEN
                    NULL;
                WHEN OTHERS OR query_canceled OR assert_failure THEN
                    real_with := NULL;
                END;
                IF real_with > real_without * 1.01 + 0.01 THEN
                    st := 'planner';
                    msg := msg || format('; a real index does the same: %s > %s',
                                         real_with, real_without);
                ELSIF q ~* '\mlimit\M' THEN
                    st := 'limit';
                    msg := msg || format('; the query has a LIMIT; with a real index: %s, without: %s',
                                         coalesce(real_with::text, 'not built'),
                                         coalesce(real_without::text, '-'));
                ELSE
                    msg := msg || format('; with a real index: %s, without: %s',
                                         real_with, real_without);
                END IF;
            END IF;
        END IF;
        INSERT INTO pga_fuzz_oracle
        VALUES (qid, 'whatif', plain, st, msg, p.message, p.ms, fn_ms, attempt);
    END IF;
END
$fn$;

-- pga_fuzz_whatif(id, attempt): a cancel in the oracle's own checks (its
-- second plain EXPLAIN, the real index) is recorded as a cancel of the
-- whatif() row (fn_ms NULL: whatif() itself finished), not an abort.
CREATE FUNCTION pga_fuzz_whatif(qid int, attempt int) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
    p       pga_fuzz_plain;
BEGIN
    PERFORM pga_fuzz_whatif_check(qid, attempt);
EXCEPTION WHEN query_canceled THEN
    SELECT * INTO p FROM pga_fuzz_plain WHERE id = qid;
    INSERT INTO pga_fuzz_oracle
    VALUES (qid, 'whatif', p.state, '57014',
            'the oracle''s own cost check (re-planning, the real index) was cancelled',
            p.message, p.ms, NULL, attempt);
END
$fn$;

\o /dev/null
SET statement_timeout = :'pga_timeout';
SELECT format('SELECT pga_fuzz_plain(%s, 1)', id),
       format('SELECT pga_fuzz_explain(%s, 1)', id),
       format('SELECT pga_fuzz_whatif(%s, 1)', id)
  FROM pga_fuzz_queries ORDER BY id
\gexec
RESET statement_timeout;

-- A cancel on either side: every part of that query again, alone, with the
-- longer limit; only this second run is judged.  At most :pga_retry_max
-- queries (each retry may take 3 x 60 s); any further one is judged on its
-- first run, by the same rules, and counted.
CREATE TABLE pga_fuzz_cancelled AS
SELECT id FROM pga_fuzz_plain WHERE state = '57014'
UNION
SELECT id FROM pga_fuzz_oracle WHERE fn_state = '57014';
CREATE TABLE pga_fuzz_retried AS
SELECT id FROM pga_fuzz_cancelled ORDER BY id LIMIT :pga_retry_max;
DELETE FROM pga_fuzz_plain WHERE id IN (SELECT id FROM pga_fuzz_retried);
DELETE FROM pga_fuzz_oracle WHERE id IN (SELECT id FROM pga_fuzz_retried);
SET statement_timeout = :'pga_retry_timeout';
SELECT format('SELECT pga_fuzz_plain(%s, 2)', id),
       format('SELECT pga_fuzz_explain(%s, 2)', id),
       format('SELECT pga_fuzz_whatif(%s, 2)', id)
  FROM pga_fuzz_retried ORDER BY id
\gexec
RESET statement_timeout;
\o

-- Verdicts.  A refusal is SQLSTATE 0A000 (feature not supported), or for
-- MERGE (new in PostgreSQL 15, which whatif() does not cost) 22023 too.
-- An internal error (class XX) is wrong unless plain EXPLAIN raises the same
-- one, same SQLSTATE and same message: then it is PostgreSQL's own (the
-- planner's, on a query sqlsmith made up), passed through unchanged, and
-- counted apart as "PostgreSQL's".  A cancel (57014) left after the retry
-- is "timeout" (inconclusive), unless the function ran more than 20 times
-- as long as plain EXPLAIN plus 1 s ("hang": wrong), and never when the
-- function's own answer is wrong whatever EXPLAIN did (an internal error).
CREATE VIEW pga_fuzz_verdict AS
SELECT o.*,
       CASE WHEN fn_state = '57014' AND fn_ms IS NOT NULL AND plain_ms IS NOT NULL
                 AND plain_state IS DISTINCT FROM '57014'
                 AND fn_ms > 20 * plain_ms + 1000 THEN 'wrong'
            WHEN fn_state = '57014'
              OR (plain_state = '57014' AND fn_state NOT LIKE 'XX%') THEN 'timeout'
            WHEN fn_state LIKE 'XX%' AND fn_state = plain_state
                 AND fn_message = plain_message THEN 'postgres'
            WHEN fn_state IN ('planner', 'limit') THEN fn_state
            WHEN fn_state LIKE 'XX%' OR fn_state = 'cost' THEN 'wrong'
            WHEN fn_state = '0A000'
              OR (fn_state = '22023' AND q.query ~* '^\s*merge\s') THEN 'refused'
            WHEN fn_state = plain_state THEN 'agree'
            WHEN fn = 'whatif' AND fn_state = 'ok' AND plain_state IN ('42P10', '55000', '42809')
              AND q.query ~* '^\s*(insert|update|delete|merge)\s' THEN 'executor'
            WHEN fn = 'whatif' AND fn_state = 'ok' AND plain_state = '42809'
              AND plain_message LIKE 'cannot lock rows in %'
              AND q.query ~* '\mfor\s+(update|share|no\s+key\s+update|key\s+share)\M' THEN 'executor'
            ELSE 'wrong' END AS verdict
  FROM pga_fuzz_oracle o JOIN pga_fuzz_queries q USING (id);

SELECT 'mismatch: ' || fn || ' query ' || id || ': EXPLAIN ' || coalesce(plain_state, '(none)') ||
       coalesce(' (' || plain_message || ')', '') ||
       ', architect.' || fn || ' ' || coalesce(fn_state, '(none)') || coalesce(' (' || fn_message || ')', '') ||
       CASE WHEN fn_state = '57014'
            THEN format(' after %s ms where plain EXPLAIN took %s ms: it hangs', round(fn_ms), round(plain_ms))
            ELSE '' END
  FROM pga_fuzz_verdict WHERE verdict = 'wrong'
 ORDER BY id, fn;

SELECT format('timeout: %s query %s: %s: EXPLAIN %s in %s ms, architect.%s %s in %s ms',
              fn, id,
              CASE WHEN attempt = 2
                   THEN format('cancelled in both runs (%s, then alone %s)', :'pga_timeout', :'pga_retry_timeout')
                   ELSE format('cancelled (%s), not run again (more than %s cancelled)', :'pga_timeout', :'pga_retry_max') END,
              plain_state, round(plain_ms), fn, fn_state, coalesce(round(fn_ms)::text, '?'))
  FROM pga_fuzz_verdict WHERE verdict = 'timeout'
 ORDER BY id, fn;

SELECT 'refused: ' || fn || ' query ' || id || ': ' || fn_state || ' ' || fn_message
  FROM pga_fuzz_verdict WHERE verdict = 'refused'
 ORDER BY id, fn;

SELECT verdict || ': ' || fn || ' query ' || id || ': ' || fn_message
  FROM pga_fuzz_verdict WHERE verdict IN ('planner', 'limit')
 ORDER BY id, fn;

SELECT 'executor: ' || fn || ' query ' || id || ': planned; EXPLAIN fails at executor start: '
       || plain_state || ' ' || plain_message
  FROM pga_fuzz_verdict WHERE verdict = 'executor'
 ORDER BY id, fn;

SELECT 'PostgreSQL''s internal error: ' || fn || ' query ' || id || ': ' || fn_state
       || ' ' || fn_message || ' (plain EXPLAIN raises the same)'
  FROM pga_fuzz_verdict WHERE verdict = 'postgres'
 ORDER BY id, fn;

SELECT 'verdict: ' ||
       CASE WHEN count(*) = 0
            THEN 'explain()/whatif() not installed yet, oracle skipped on '
                 || (SELECT count(*) FROM pga_fuzz_queries) || ' queries'
            ELSE string_agg(fn || '() on ' || n || ' queries: ' || agree
                            || ' agree with EXPLAIN (errors: same SQLSTATE; whatif: same cost), '
                            || refused || ' refused, ' || postgres
                            || ' PostgreSQL''s own internal error passed through, '
                            || CASE WHEN fn = 'whatif' THEN planner
                                    || ' costlier with the index as with a real one (the planner''s), '
                                    || lim || ' costlier with the index under a LIMIT (listed), '
                                    || executor || ' writes or row locks planned that the executor refuses at start (listed), '
                                    ELSE '' END
                            || timedout || ' cancelled (inconclusive, listed), '
                            || bad || ' wrong', '; ' ORDER BY fn)
                 || format('; %s of %s queries run again alone after a cancel (%s, then %s)',
                           (SELECT count(*) FROM pga_fuzz_retried),
                           (SELECT count(*) FROM pga_fuzz_queries),
                           :'pga_timeout', :'pga_retry_timeout')
                 || coalesce((SELECT format(', %s more cancelled but not run again (limit %s), judged on their first run',
                                            count(*), :'pga_retry_max')
                                FROM pga_fuzz_cancelled WHERE id NOT IN (SELECT id FROM pga_fuzz_retried)
                              HAVING count(*) > 0), '')
       END
  FROM (SELECT fn, count(*) AS n,
               count(*) FILTER (WHERE verdict = 'timeout') AS timedout,
               count(*) FILTER (WHERE verdict = 'agree') AS agree,
               count(*) FILTER (WHERE verdict = 'refused') AS refused,
               count(*) FILTER (WHERE verdict = 'postgres') AS postgres,
               count(*) FILTER (WHERE verdict = 'planner') AS planner,
               count(*) FILTER (WHERE verdict = 'limit') AS lim,
               count(*) FILTER (WHERE verdict = 'executor') AS executor,
               count(*) FILTER (WHERE verdict = 'wrong') AS bad
          FROM pga_fuzz_verdict GROUP BY fn) s;

-- Fail the script (psql exits non-zero) when any verdict is wrong.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pga_fuzz_verdict WHERE verdict = 'wrong') THEN
        RAISE EXCEPTION 'architect functions disagree with EXPLAIN on sqlsmith queries'
            USING ERRCODE = 'P0001';
    END IF;
END
$$;
