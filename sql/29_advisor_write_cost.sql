-- Write cost (advisor.c pga_write_cost): the rows the workload DELETEs, and
-- the share of a table's updates that are HOT today (pg_stat_user_tables),
-- each change a recommendation.  Explicit lists with weights: a statement's
-- rows are the planner's estimate (1 row, by ctid) times its weight
-- (executions), and a statement by ctid has no index candidate of its own.
-- Costs are never printed; whether the index on k is recommended says it.
SET pg_architect.capture = off;

-- DELETE: every index of the table has one entry to clean up per deleted
-- row (cpu_index_tuple_cost each, a two-hundredth of an inserted entry).
-- The lookup by k gets its index next to 1,000 single-row deletes, not
-- next to 200,000 (a purge job deleting row by row): their clean-up in the
-- new index would cost more than the lookup saves.
CREATE TABLE wc_del (id int, k int NOT NULL, pad text);
INSERT INTO wc_del SELECT g, g % 1000, repeat('d', 40) FROM generate_series(1, 20000) g;
VACUUM ANALYZE wc_del;
SELECT columns FROM architect.recommend_indexes_for(ARRAY[
  'SELECT pad FROM wc_del WHERE k = 7',
  $$DELETE FROM wc_del WHERE ctid = '(0,1)'$$], NULL, 10, ARRAY[1, 1000]);
SELECT columns FROM architect.recommend_indexes_for(ARRAY[
  'SELECT pad FROM wc_del WHERE k = 7',
  $$DELETE FROM wc_del WHERE ctid = '(0,1)'$$], NULL, 10, ARRAY[1, 200000]);
-- The same deletes with write costs ignored: the index again.
SET pg_architect.write_cost_factor = 0;
SELECT columns FROM architect.recommend_indexes_for(ARRAY[
  'SELECT pad FROM wc_del WHERE k = 7',
  $$DELETE FROM wc_del WHERE ctid = '(0,1)'$$], NULL, 10, ARRAY[1, 200000]);
RESET pg_architect.write_cost_factor;

-- HOT: two tables alike (primary key, an index on u, room on every page),
-- the same lookup by k and the same 400 UPDATEs setting k.  The updates
-- wc_hot had so far set pad and were all HOT: an index on k makes these
-- lose HOT, each then adding an entry to the two existing indexes too, and
-- the index is not worth it.  Those of wc_cold set the indexed u and were
-- never HOT: an index on k costs them only its own entry, and is
-- recommended.
CREATE TABLE wc_hot (id int PRIMARY KEY, k int NOT NULL, u int NOT NULL, pad text) WITH (fillfactor = 50);
CREATE TABLE wc_cold (id int PRIMARY KEY, k int NOT NULL, u int NOT NULL, pad text) WITH (fillfactor = 50);
INSERT INTO wc_hot SELECT g, g % 1000, g, repeat('h', 40) FROM generate_series(1, 20000) g;
INSERT INTO wc_cold SELECT * FROM wc_hot;
CREATE INDEX wc_hot_u ON wc_hot (u);
CREATE INDEX wc_cold_u ON wc_cold (u);
VACUUM ANALYZE wc_hot, wc_cold;
UPDATE wc_hot SET pad = repeat('H', 40) WHERE id <= 2000;
UPDATE wc_cold SET u = u + 1 WHERE id <= 2000;
SELECT pg_stat_force_next_flush();
SELECT relname, n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables
 WHERE relname IN ('wc_hot', 'wc_cold') ORDER BY 1;
SELECT table_name, columns FROM architect.recommend_indexes_for(ARRAY[
  'SELECT pad FROM wc_hot WHERE k = 7',
  $$UPDATE wc_hot SET k = k + 1 WHERE ctid = '(0,1)'$$], NULL, 10, ARRAY[1, 400]);
SELECT table_name, columns FROM architect.recommend_indexes_for(ARRAY[
  'SELECT pad FROM wc_cold WHERE k = 7',
  $$UPDATE wc_cold SET k = k + 1 WHERE ctid = '(0,1)'$$], NULL, 10, ARRAY[1, 400]);
-- With 1,000 UPDATEs of another column (pad) instead, the HOT share decides
-- the other way: wc_hot's stay HOT and cost an index on k nothing, so it
-- gets the index; wc_cold's are not HOT, each adds an entry to every index,
-- the new one too, and the index is not worth it.
SELECT table_name, columns FROM architect.recommend_indexes_for(ARRAY[
  'SELECT pad FROM wc_hot WHERE k = 7',
  $$UPDATE wc_hot SET pad = 'x' WHERE ctid = '(0,1)'$$], NULL, 10, ARRAY[1, 1000]);
SELECT table_name, columns FROM architect.recommend_indexes_for(ARRAY[
  'SELECT pad FROM wc_cold WHERE k = 7',
  $$UPDATE wc_cold SET pad = 'x' WHERE ctid = '(0,1)'$$], NULL, 10, ARRAY[1, 1000]);

DROP TABLE wc_del, wc_hot, wc_cold;
RESET pg_architect.capture;
