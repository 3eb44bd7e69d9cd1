-- oracle-selftest.sql: the positive control of sqlsmith-oracle.sql.
--
-- Run by sqlsmith.sh in a database of its own (pga_oracle_selftest, no
-- pg_architect in it), before the oracle judges the real functions.  It
-- makes stub functions architect.explain(text, boolean) and
-- architect.whatif(text, text[]) that answer right, except where a query's
-- comment asks them to answer wrong or to be slow, and the queries that ask.
-- sqlsmith.sh then runs sqlsmith-oracle.sql here with short limits
-- (-v pga_timeout=1s -v pga_retry_timeout=3s) and checks that the oracle
-- fails (psql exits non-zero), and lists exactly these (fn, query):
--   mismatch (wrong):       whatif 2, 3, 4, 5, 8, 12; explain 6
--   timeout (inconclusive): explain 7, whatif 7, explain 8
--   executor (listed):      whatif 11
-- and that 4 of the 12 queries (5, 7, 8, 9) were run again after a cancel.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

CREATE TABLE public.st (a int, b text);
INSERT INTO public.st SELECT i, md5(i::text) FROM generate_series(1, 2000) AS i;
ANALYZE public.st;

-- Immutable, so the planner runs it while folding constants: EXPLAIN of a
-- query that calls it with a constant takes that long to plan.
CREATE FUNCTION public.pga_slow_plan(seconds float8) RETURNS int
IMMUTABLE LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_sleep(seconds);
    RETURN 1;
END
$$;

CREATE MATERIALIZED VIEW public.stmv AS SELECT a FROM public.st;

CREATE SCHEMA architect;

CREATE FUNCTION architect.explain(query text, do_analyze boolean)
RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
    IF query ~ 'selftest:explain-ok' THEN
        -- wrong: succeeds where plain EXPLAIN fails
        RETURN NEXT 'Result';
        RETURN;
    END IF;
    RETURN QUERY EXECUTE 'EXPLAIN ' || query;
END
$$;

CREATE FUNCTION architect.whatif(query text, indexes text[])
RETURNS TABLE (cost_without float8, cost_with float8) LANGUAGE plpgsql AS $$
DECLARE
    plan json;
    c    float8;
BEGIN
    IF query ~ 'selftest:internal' THEN
        RAISE EXCEPTION 'stub: internal error' USING ERRCODE = 'XX000';
    END IF;
    IF query ~ 'selftest:plan-only' THEN
        -- planning succeeds; EXPLAIN may fail later, at executor start
        cost_without := 1;
        cost_with := 1;
        RETURN NEXT;
        RETURN;
    END IF;
    IF query ~ 'selftest:hang' THEN
        PERFORM pg_sleep(600);
    END IF;
    IF query ~ 'selftest:slow-once' THEN
        -- longer than the first limit, shorter than the retry's
        PERFORM pg_sleep(1.5);
    END IF;
    EXECUTE 'EXPLAIN (FORMAT JSON) ' || query INTO plan;
    c := (plan -> 0 -> 'Plan' ->> 'Total Cost')::float8;
    cost_without := c;
    cost_with := c;
    IF query ~ 'selftest:costlier' THEN
        cost_with := 3 * c + 10;
    ELSIF query ~ 'selftest:baseline' THEN
        cost_without := c + 100;
        cost_with := c + 100;
    END IF;
    RETURN NEXT;
END
$$;

CREATE TABLE pga_fuzz_queries (id int PRIMARY KEY, query text);
INSERT INTO pga_fuzz_queries VALUES
 -- right answers: agree
 (1, $q$select /* selftest:right */ ref_0.a from public.st as ref_0 where ref_0.a = 42$q$),
 -- wrong: cost with the index higher, and a real index does not do that
 (2, $q$select /* selftest:costlier */ ref_0.b from public.st as ref_0 where ref_0.b = 'x'$q$),
 -- wrong: cost without the index is not EXPLAIN's
 (3, $q$select /* selftest:baseline */ ref_0.a from public.st as ref_0 where ref_0.a < 7$q$),
 -- wrong: internal error where EXPLAIN succeeds
 (4, $q$select /* selftest:internal */ ref_0.a from public.st as ref_0$q$),
 -- wrong: whatif() never returns where EXPLAIN takes milliseconds
 (5, $q$select /* selftest:hang */ ref_0.a from public.st as ref_0 where ref_0.a = 3$q$),
 -- explain(): wrong, succeeds where EXPLAIN fails (22012); whatif(): agree
 (6, $q$select /* selftest:explain-ok */ ref_0.a from public.st as ref_0 where ref_0.a = 1 / 0$q$),
 -- planning alone outlasts both limits, on every side: timeout
 (7, $q$select /* selftest:slow-plan */ ref_0.a from public.st as ref_0 where ref_0.a = public.pga_slow_plan(4)$q$),
 -- plain EXPLAIN cancelled, whatif() an internal error: still wrong;
 -- explain(): timeout
 (8, $q$select /* selftest:internal, slow plan */ ref_0.a from public.st as ref_0 where ref_0.a = public.pga_slow_plan(4)$q$),
 -- whatif() slower than the first limit, not the retry's: agree
 (9, $q$select /* selftest:slow-once */ ref_0.a from public.st as ref_0 where ref_0.a = 9$q$),
 -- an error on both sides, the same SQLSTATE: agree
 (10, $q$select /* selftest:error */ ref_0.a from public.st as ref_0 where ref_0.a = 1 / 0$q$),
 -- whatif() plans a row lock that EXPLAIN refuses at executor start
 -- (42809, cannot lock rows in materialized view): executor, listed
 (11, $q$select /* selftest:plan-only */ ref_0.a from public.st as ref_0, public.stmv as ref_1 where ref_0.a = ref_1.a for update$q$),
 -- whatif() succeeds where planning fails (22012): wrong
 (12, $q$select /* selftest:plan-only */ ref_0.a from public.st as ref_0 where ref_0.a = 1 / 0$q$);
