-- Plan findings: each one is triggered by a query built to show it, and
-- absent for a healthy counterpart.  Every execution is measured.
SET pg_architect.sample_rate = 1;
CREATE TABLE cap_f (id int PRIMARY KEY, a int, b int, c int, d int, pad text);
INSERT INTO cap_f
SELECT g, g % 10, g % 10, g % 10, g % 10, md5(g::text)
  FROM generate_series(1, 20000) g;
CREATE INDEX cap_f_a ON cap_f (a);
CREATE TABLE cap_small (id int PRIMARY KEY, v int);
INSERT INTO cap_small SELECT g, g FROM generate_series(1, 5000) g;
ANALYZE cap_f, cap_small;
SELECT architect.reset();

-- Which findings did the statements starting like this show?
CREATE FUNCTION cap_findings(prefix text)
RETURNS TABLE (node text, finding text, severity text, occurrences bigint)
LANGUAGE sql STABLE AS $$
  SELECT f.node, f.finding, f.severity, f.occurrences
    FROM architect.plan_findings f
    JOIN architect.query_patterns q USING (dbid, queryid)
   WHERE q.example_query LIKE prefix || '%'
   ORDER BY 2, 1
$$;

-- seq_scan_large: 20,000 rows read to keep 1.
SELECT pad FROM cap_f WHERE d = 3 AND pad = md5('3');
SELECT * FROM cap_findings('SELECT pad FROM cap_f WHERE d = 3');
SELECT detail, hint FROM architect.plan_findings WHERE finding = 'seq_scan_large';
-- healthy: an index scan, a seq scan that keeps half the rows, a small table
SELECT pad FROM cap_f WHERE id = 3;
SELECT count(*) FROM cap_f WHERE id % 2 = 0;
SELECT v FROM cap_small WHERE v = 7;
SELECT * FROM cap_findings('SELECT pad FROM cap_f WHERE id = 3');
SELECT * FROM cap_findings('SELECT count(*) FROM cap_f WHERE id % 2')
 WHERE finding = 'seq_scan_large';
SELECT * FROM cap_findings('SELECT v FROM cap_small');
-- the thresholds are settings
SET pg_architect.seqscan_min_rows = 1000;
SELECT v FROM cap_small WHERE v = 8 AND id > 0;
RESET pg_architect.seqscan_min_rows;
SELECT * FROM cap_findings('SELECT v FROM cap_small WHERE v = 8');

-- row_misestimate at three severities: correlated columns, estimated as
-- independent (10x info, 100x warning, 1000x critical).
SET enable_indexscan = off;
SET enable_bitmapscan = off;
SELECT count(*) FROM cap_f WHERE b = 1 AND c = 1;
SELECT count(*) FROM cap_f WHERE b = 1 AND c = 1 AND d = 1;
SELECT count(*) FROM cap_f WHERE a = 1 AND b = 1 AND c = 1 AND d = 1;
SELECT left(q.example_query, 60) AS query, f.node, f.severity, f.detail
  FROM architect.plan_findings f
  JOIN architect.query_patterns q USING (dbid, queryid)
 WHERE f.finding = 'row_misestimate' AND q.example_query LIKE 'SELECT count(*) FROM cap_f WHERE % = 1%'
 ORDER BY f.worst_value;
-- healthy: extended statistics fix the estimate
CREATE STATISTICS cap_f_stats (dependencies, mcv) ON a, b, c, d FROM cap_f;
ANALYZE cap_f;
SELECT count(*) FROM cap_f WHERE b = 2 AND c = 2 AND d = 2 AND a = 2;
SELECT * FROM cap_findings('SELECT count(*) FROM cap_f WHERE b = 2')
 WHERE finding = 'row_misestimate';
-- over-estimates below a LIMIT are not reported
SELECT id FROM cap_f WHERE b = 5 LIMIT 1;
SELECT * FROM cap_findings('SELECT id FROM cap_f WHERE b = 5 LIMIT 1')
 WHERE finding = 'row_misestimate';
RESET enable_indexscan;
RESET enable_bitmapscan;

-- sort_spill: a sort larger than work_mem.
SET work_mem = '64kB';
SELECT count(*) FROM (SELECT pad FROM cap_f ORDER BY pad OFFSET 0) s;
RESET work_mem;
SELECT count(*) FROM (SELECT pad FROM cap_f ORDER BY pad OFFSET 1) s;
SELECT * FROM cap_findings('SELECT count(*) FROM (SELECT pad FROM cap_f ORDER BY pad OFFSET');
SELECT detail ~ '^sorted on disk: \d+ kB \(work_mem is 64 kB\)$' AS detail_ok
  FROM architect.plan_findings WHERE finding = 'sort_spill';

-- hash_batches: a hash join whose table does not fit in work_mem.
SET enable_mergejoin = off;
SET enable_nestloop = off;
SET work_mem = '64kB';
SELECT count(*) FROM cap_f x JOIN cap_f y ON y.pad = x.pad;
RESET work_mem;
SELECT count(*) FROM cap_f x JOIN cap_f y ON y.pad = x.pad WHERE x.id > 0;
RESET enable_mergejoin;
RESET enable_nestloop;
SELECT * FROM cap_findings('SELECT count(*) FROM cap_f x JOIN cap_f y')
 WHERE finding = 'hash_batches';

-- hashagg_spill: a hash aggregate that does not fit in work_mem.
SET enable_sort = off;
SET work_mem = '64kB';
SELECT count(*) FROM (SELECT pad, count(*) FROM cap_f GROUP BY pad) s;
RESET work_mem;
SELECT count(*) FROM (SELECT pad, count(*) FROM cap_f GROUP BY pad HAVING count(*) > 0) s;
RESET enable_sort;
SELECT * FROM cap_findings('SELECT count(*) FROM (SELECT pad, count(*) FROM cap_f GROUP BY pad')
 WHERE finding = 'hashagg_spill';

-- nested_loop_many_loops: 5,000 inner index scans.
SET enable_hashjoin = off;
SET enable_mergejoin = off;
SET pg_architect.nestloop_max_loops = 1000;
SELECT count(*) FROM cap_small s JOIN cap_f f ON f.id = s.v;
SELECT count(*) FROM cap_small s JOIN cap_f f ON f.id = s.v WHERE s.id <= 500;
RESET pg_architect.nestloop_max_loops;
RESET enable_hashjoin;
RESET enable_mergejoin;
SELECT * FROM cap_findings('SELECT count(*) FROM cap_small s JOIN cap_f f')
 WHERE finding = 'nested_loop_many_loops';

-- bitmap_lossy: a bitmap over more pages than work_mem can track exactly.
CREATE TABLE cap_wide (id int, k int) WITH (fillfactor = 10);
INSERT INTO cap_wide SELECT g, g % 2 FROM generate_series(1, 30000) g;
CREATE INDEX cap_wide_k ON cap_wide (k);
ANALYZE cap_wide;
SET enable_seqscan = off;
SET enable_indexscan = off;
SET work_mem = '64kB';
SELECT count(*) FROM cap_wide WHERE k = 1;
RESET work_mem;
SELECT count(*) FROM cap_wide WHERE k = 0;
RESET enable_seqscan;
RESET enable_indexscan;
SELECT * FROM cap_findings('SELECT count(*) FROM cap_wide WHERE k')
 WHERE finding = 'bitmap_lossy';

-- workers_not_launched: a parallel plan with no worker available.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET max_parallel_workers = 0;
SELECT count(*) FROM cap_f WHERE pad > 'f';
RESET max_parallel_workers;
SELECT count(*) FROM cap_f WHERE pad > 'e';
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
SELECT node, finding, severity, occurrences FROM architect.plan_findings
 WHERE finding = 'workers_not_launched';

-- index_only_heap_fetches: an index-only scan on a table never vacuumed.
CREATE TABLE cap_ios (id int PRIMARY KEY, v int) WITH (autovacuum_enabled = off);
INSERT INTO cap_ios SELECT g, g FROM generate_series(1, 5000) g;
ANALYZE cap_ios;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
SELECT count(id) FROM cap_ios WHERE id > 10;
VACUUM cap_ios;
SELECT count(id) FROM cap_ios WHERE id > 20;
RESET enable_seqscan;
RESET enable_bitmapscan;
SELECT node, finding, severity, occurrences, detail FROM architect.plan_findings
 WHERE finding = 'index_only_heap_fetches' AND table_name = 'cap_ios';

-- Every finding carries a hint and a one-line detail.
SELECT finding, count(*) FILTER (WHERE hint IS NULL OR detail IS NULL OR detail = '') AS incomplete
  FROM architect.plan_findings GROUP BY 1 ORDER BY 1;

-- Findings come from measured executions only.
SELECT architect.reset();
SET pg_architect.sample_rate = 0;
SET pg_architect.sample_first = 0;
SELECT pad FROM cap_f WHERE d = 4 AND pad = md5('4');
SELECT count(*) AS findings_unmeasured FROM architect.plan_findings;

RESET pg_architect.sample_rate;
RESET pg_architect.sample_first;

-- Leave nothing behind for the suites that follow: objects and the
-- workload they produced.
DROP TABLE cap_f, cap_small, cap_wide, cap_ios;
DROP FUNCTION cap_findings(text);
SELECT architect.reset();
