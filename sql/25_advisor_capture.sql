-- The advisor with capture: the workload comes from architect.query_patterns
-- (a real execution's text, constants included), so a constant that is the
-- same in every execution can make a partial index; pg_stat_statements'
-- normalised text ($1) could not.

CREATE TABLE cp_jobs (
    id         int PRIMARY KEY,
    status     text NOT NULL,
    created_at timestamptz NOT NULL,
    payload    text NOT NULL
);
INSERT INTO cp_jobs
SELECT g, CASE WHEN g % 100 < 2 THEN 'queued' WHEN g % 100 < 3 THEN 'failed' ELSE 'done' END,
       '2024-01-01'::timestamptz + g * interval '1 minute', repeat('p', 30)
FROM generate_series(1, 20000) g;
VACUUM ANALYZE cp_jobs;

SELECT pg_stat_statements_reset() IS NOT NULL AS pgss_reset;
SELECT architect.reset();
SET pg_architect.sample_rate = 1;

-- A queue worker polls for work.
SELECT count(*) FROM (SELECT id FROM cp_jobs WHERE status = 'queued' ORDER BY created_at LIMIT 5) s;
SELECT count(*) FROM (SELECT id FROM cp_jobs WHERE status = 'queued' ORDER BY created_at LIMIT 5) s;
SELECT count(*) FROM (SELECT id FROM cp_jobs WHERE status = 'queued' ORDER BY created_at LIMIT 5) s;
RESET pg_architect.sample_rate;

-- Capture saw the query with its constant.
SELECT count(*) > 0 AS captured
  FROM architect.query_patterns
 WHERE example_query LIKE '%status = ''queued''%';

-- With room for a full index, either shape serves the poll; within 100 kB
-- only the partial one fits.
SELECT table_name, columns, predicate, ddl, improvement_pct >= 20 AS gain_ok
  FROM architect.recommend_indexes(0.1);
SELECT source FROM architect.advisor_stats();

-- The same statement as pg_stat_statements normalises it cannot use a
-- partial index: within the same budget, nothing.
SELECT count(*) AS recommended
  FROM architect.recommend_indexes_for(ARRAY[
    'SELECT count(*) FROM (SELECT id FROM cp_jobs WHERE status = $1 ORDER BY created_at LIMIT 5) s'], 0.1);

-- Leave nothing behind for the suites that follow: no table, and no
-- workload of this file's statements.
DROP TABLE cp_jobs;
SELECT pg_stat_statements_reset() IS NOT NULL AS pgss_reset;
SELECT architect.reset();
