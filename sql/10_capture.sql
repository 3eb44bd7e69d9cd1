-- Workload capture: what the executor hooks record for a known workload.
-- Deterministic data and plans; only the first sample_first executions of
-- each query id are measured (sample_rate = 0), so every count is exact.
SET pg_architect.sample_rate = 0;
SET pg_architect.sample_first = 3;

CREATE TABLE cap_customers (
    id int PRIMARY KEY,
    email text NOT NULL,
    country text NOT NULL,
    status text NOT NULL);
CREATE TABLE cap_orders (
    id int PRIMARY KEY,
    customer_id int NOT NULL REFERENCES cap_customers (id),
    status text NOT NULL,
    total numeric NOT NULL,
    created date NOT NULL);
INSERT INTO cap_customers
SELECT g, 'user' || g || '@example.com', (ARRAY['DE','FR','US','NL'])[1 + g % 4],
       CASE WHEN g % 10 = 0 THEN 'blocked' ELSE 'active' END
  FROM generate_series(1, 1000) g;
INSERT INTO cap_orders
SELECT g, 1 + (g * 7) % 1000,
       CASE WHEN g % 20 = 0 THEN 'pending' ELSE 'shipped' END,
       g % 100, date '2024-01-01' + g % 365
  FROM generate_series(1, 5000) g;
ANALYZE cap_customers, cap_orders;
SELECT pg_stat_statements_reset() IS NOT NULL AS pgss_reset;
SELECT architect.reset();

-- The store starts empty after reset(); the reset() call itself is the one
-- statement recorded so far.
SELECT queries, predicates, findings, errors, evictions, dropped
  FROM architect.capture_stats;

-- A point query, five times with different constants.
SELECT email FROM cap_customers WHERE id = 1;
SELECT email FROM cap_customers WHERE id = 2;
SELECT email FROM cap_customers WHERE id = 3;
SELECT email FROM cap_customers WHERE id = 4;
SELECT email FROM cap_customers WHERE id = 5;
-- Two AND-ed filters on a table without a fitting index, four times.
SELECT count(*) FROM cap_orders WHERE status = 'pending' AND customer_id = 21;
SELECT count(*) FROM cap_orders WHERE status = 'pending' AND customer_id = 41;
SELECT count(*) FROM cap_orders WHERE status = 'pending' AND customer_id = 61;
SELECT count(*) FROM cap_orders WHERE status = 'pending' AND customer_id = 81;
-- A join with a filter, grouped and sorted, twice.
SET enable_nestloop = off;
SET enable_mergejoin = off;
SELECT c.country, count(*)
  FROM cap_orders o JOIN cap_customers c ON c.id = o.customer_id
 WHERE o.status = 'pending'
 GROUP BY c.country ORDER BY c.country;
SELECT c.country, count(*)
  FROM cap_orders o JOIN cap_customers c ON c.id = o.customer_id
 WHERE o.status = 'pending'
 GROUP BY c.country ORDER BY c.country;
RESET enable_nestloop;
RESET enable_mergejoin;
-- OR arms, an expression, a LIKE and an IN list.
SELECT count(*) FROM cap_customers WHERE country = 'DE' OR status = 'blocked';
SELECT count(*) FROM cap_customers WHERE lower(email) = 'user3@example.com';
SELECT count(*) FROM cap_customers WHERE email LIKE 'user1%' AND id IN (10, 11, 12);

-- Query patterns: every execution counted, the first three measured, the
-- text of the slowest execution kept with its constants.
SELECT calls, measured_calls, rows,
       example_query ~ '^SELECT email FROM cap_customers WHERE id = [1-5]$' AS text_ok,
       mean_exec_ms >= 0 AS timed, datname = current_database() AS here
  FROM architect.query_patterns
 WHERE example_query LIKE 'SELECT email FROM cap_customers%';
SELECT calls, measured_calls, rows
  FROM architect.query_patterns
 WHERE example_query LIKE 'SELECT count(*) FROM cap_orders WHERE status%';
-- The query ids are the core ones, as pg_stat_statements shows them.
SELECT s.calls AS pgss_calls, q.calls AS capture_calls
  FROM architect.query_patterns q
  JOIN pg_stat_statements s ON s.queryid = q.queryid AND s.dbid = q.dbid AND s.userid = q.userid
 WHERE q.example_query LIKE 'SELECT email FROM cap_customers%';

-- Predicates of these queries.
SELECT left(regexp_replace(q.example_query, '\s+', ' ', 'g'), 30) AS query,
       p.table_name, p.column_name, p.attnum, p.operator, p.kind, p.form,
       p.key_position AS pos, p.executions AS execs,
       p.measured_executions AS measured, p.rows_scanned, p.rows_removed,
       round(p.est_rows) AS est_rows, round(p.actual_rows) AS actual_rows,
       f.opfname AS opfamily
  FROM architect.predicates p
  JOIN architect.query_patterns q USING (dbid, queryid)
  LEFT JOIN pg_opfamily f ON f.oid = p.opfamily
 WHERE p.table_name LIKE 'cap\_%'
 ORDER BY 1, 2, 6, 3, 5;

-- Selectivities: estimated and measured fractions of the table.
SELECT p.column_name, p.kind,
       round(p.est_selectivity::numeric, 3) AS est_sel,
       round(p.actual_selectivity::numeric, 3) AS actual_sel
  FROM architect.predicates p
 WHERE p.table_name = 'cap_orders' AND p.kind = 'filter' AND p.column_name = 'customer_id';

-- The example constant is the one of the slowest execution.
SELECT p.column_name, p.example_value IN ('21', '41', '61', '81', '101', '121', '141', '161') AS example_ok
  FROM architect.predicates p
 WHERE p.table_name = 'cap_orders' AND p.column_name = 'customer_id';
SELECT p.example_value
  FROM architect.predicates p
 WHERE p.table_name = 'cap_customers' AND p.column_name = 'lower(email)';
SELECT p.example_value
  FROM architect.predicates p
 WHERE p.table_name = 'cap_customers' AND p.form = 'any';

-- AND-ed predicates of one scan share a scan group; OR arms do not.
SELECT left(regexp_replace(q.example_query, '\s+', ' ', 'g'), 40) AS query, p.table_name,
       count(*) AS predicates, count(DISTINCT p.scan_group) AS groups
  FROM architect.predicates p
  JOIN architect.query_patterns q USING (dbid, queryid)
 WHERE p.table_name LIKE 'cap\_%' AND p.kind IN ('filter', 'index_cond')
 GROUP BY 1, 2 ORDER BY 1, 2;

-- The same plan shape gives the same scan groups, execution after
-- execution: one row per predicate, not one per execution.
SELECT p.column_name, count(*) AS rows_for_predicate, min(p.executions) AS executions
  FROM architect.predicates p
  JOIN architect.query_patterns q USING (dbid, queryid)
 WHERE q.example_query LIKE 'SELECT count(*) FROM cap_orders WHERE status%'
 GROUP BY 1 ORDER BY 1;

-- A new plan for a query id is measured again: with an index the filter
-- on customer_id becomes an index condition.
CREATE INDEX cap_orders_customer ON cap_orders (customer_id);
SELECT count(*) FROM cap_orders WHERE status = 'pending' AND customer_id = 101;
SELECT count(*) FROM cap_orders WHERE status = 'pending' AND customer_id = 121;
SELECT count(*) FROM cap_orders WHERE status = 'pending' AND customer_id = 141;
SELECT count(*) FROM cap_orders WHERE status = 'pending' AND customer_id = 161;
SELECT calls, measured_calls
  FROM architect.query_patterns
 WHERE example_query LIKE 'SELECT count(*) FROM cap_orders WHERE status%';
SELECT column_name, kind, executions, measured_executions
  FROM architect.predicates
 WHERE table_name = 'cap_orders' AND column_name IN ('status', 'customer_id')
   AND kind IN ('filter', 'index_cond')
 ORDER BY kind, column_name, executions;
DROP INDEX cap_orders_customer;

-- sample_rate = 1 measures every execution; sample_first = 0 with
-- sample_rate = 0 none.
SET pg_architect.sample_rate = 1;
SELECT total FROM cap_orders WHERE id = 1;
SELECT total FROM cap_orders WHERE id = 2;
SELECT total FROM cap_orders WHERE id = 3;
SELECT total FROM cap_orders WHERE id = 4;
SET pg_architect.sample_rate = 0;
SET pg_architect.sample_first = 0;
SELECT created FROM cap_orders WHERE id = 1;
SELECT created FROM cap_orders WHERE id = 2;
SELECT calls, measured_calls, left(example_query, 20) AS query
  FROM architect.query_patterns
 WHERE example_query LIKE 'SELECT total FROM cap_orders%'
    OR example_query LIKE 'SELECT created FROM cap_orders%'
 ORDER BY 3;
-- Unmeasured executions are counted but carry no row measurements.
SELECT executions, measured_executions, rows_scanned, est_rows, actual_rows
  FROM architect.predicates p
  JOIN architect.query_patterns q USING (dbid, queryid)
 WHERE q.example_query LIKE 'SELECT created FROM cap_orders%';
SET pg_architect.sample_first = 3;

-- Nothing is recorded while capture is off.
SET pg_architect.capture = off;
SELECT email FROM cap_customers WHERE id = 6;
RESET pg_architect.capture;
SELECT calls FROM architect.query_patterns
 WHERE example_query LIKE 'SELECT email FROM cap_customers%';

-- capture_stats counts executions and entries.
SELECT queries > 0 AS has_queries, predicates > 0 AS has_predicates,
       executions >= 26 AS counted, measured >= 15 AS measured,
       evictions, dropped
  FROM architect.capture_stats;

-- Query texts and example constants are shown to the role that ran them
-- and to pg_read_all_stats, not to others; counts are visible to all.
CREATE ROLE cap_plain;
GRANT SELECT ON cap_customers TO cap_plain;
SET ROLE cap_plain;
SELECT country FROM cap_customers WHERE id = 900;
SELECT left(example_query, 30) AS own_text, calls
  FROM architect.query_patterns
 WHERE queryid IN (SELECT queryid FROM architect.predicates
                    WHERE table_name = 'cap_customers' AND column_name = 'id'
                      AND kind = 'index_cond')
 ORDER BY calls, 1;
SELECT example_value, executions
  FROM architect.predicates
 WHERE table_name = 'cap_customers' AND column_name = 'id' AND kind = 'index_cond'
 ORDER BY executions, 1;
-- reset() is not for everyone.
SELECT architect.reset();
RESET ROLE;
GRANT pg_read_all_stats TO cap_plain;
SET ROLE cap_plain;
SELECT count(*) AS visible_texts
  FROM architect.query_patterns
 WHERE example_query LIKE 'SELECT email FROM cap_customers%'
    OR example_query LIKE 'SELECT country FROM cap_customers%';
RESET ROLE;
REVOKE pg_read_all_stats FROM cap_plain;
REVOKE SELECT ON cap_customers FROM cap_plain;
DROP ROLE cap_plain;

-- reset() empties everything.
SELECT architect.reset();
SELECT count(*) AS predicates_left FROM architect.predicates WHERE table_name LIKE 'cap\_%';
-- Only reset() and the count above were recorded since.
SELECT queries, findings, executions
  FROM architect.capture_stats;

-- Settings refuse values out of range.
SET pg_architect.sample_first = -1;
SET pg_architect.slow_query_ms = -5;
SET pg_architect.seqscan_max_kept = 2;
SET pg_architect.misestimate_factor = 1;
SET pg_architect.nestloop_max_loops = 0;
SET pg_architect.nplus1_threshold = 1;
SET pg_architect.heap_fetch_ratio = -1;
SET pg_architect.max_entries = 200;
-- and only superusers change them.
CREATE ROLE cap_settings;
SET ROLE cap_settings;
SET pg_architect.sample_rate = 1;
SET pg_architect.capture = off;
RESET ROLE;
DROP ROLE cap_settings;

RESET pg_architect.sample_rate;
RESET pg_architect.sample_first;

-- Leave nothing behind for the suites that follow: objects and the
-- workload they produced.
DROP TABLE cap_orders, cap_customers;
SELECT architect.reset();
