-- The row-level security guard's index on the tenant column: built by the
-- index job worker (CREATE INDEX CONCURRENTLY after enable_rls() commits),
-- recorded so that disable_rls() cancels or drops exactly it, never an
-- index the user made; rolled-back enable_rls() builds nothing; built in
-- the transaction where no worker can (partitioned table).
CREATE SCHEMA guards_rlsidx;
SET search_path = guards_rlsidx, public;
CREATE ROLE guards_rlsidx_owner;
CREATE ROLE guards_rlsidx_app;
GRANT USAGE, CREATE ON SCHEMA guards_rlsidx TO guards_rlsidx_owner;
GRANT USAGE ON SCHEMA guards_rlsidx TO guards_rlsidx_app;

-- Index jobs get predictable ids in this file.
SELECT setval('architect.index_jobs_job_id_seq', 4600);

-- The indexes of a table, with validity and comment.
CREATE FUNCTION indexes_of(t regclass)
RETURNS TABLE (index regclass, valid boolean, def text, comment text)
LANGUAGE sql AS $$
    SELECT indexrelid::regclass, indisvalid, pg_get_indexdef(indexrelid),
           obj_description(indexrelid, 'pg_class')
      FROM pg_index WHERE indrelid = t ORDER BY indexrelid::regclass::text
$$;
-- The index job ids the guard recorded for a table.
CREATE FUNCTION recorded_jobs(t text) RETURNS jsonb LANGUAGE sql AS $$
    SELECT options -> 'index_jobs' FROM architect.guards
     WHERE schema_name = 'guards_rlsidx' AND table_name = t AND guard IN ('rls', 'owner_rls')
$$;

SET ROLE guards_rlsidx_owner;
CREATE TABLE orders (id int PRIMARY KEY, tenant_id int NOT NULL, total int);
INSERT INTO orders SELECT g, g % 50, g FROM generate_series(1, 5000) g;
GRANT SELECT ON orders TO guards_rlsidx_app;
ANALYZE orders;

-- 1. enable_rls() queues a job (NOTICE with its id), records it, and builds
-- nothing inside the transaction.
SELECT architect.enable_rls('orders', 'tenant_id');
SELECT recorded_jobs('orders');
RESET ROLE;
SELECT job_id, source, role, table_name, index_name, statement,
       status IN ('queued', 'running', 'done') AS not_failed
  FROM architect.index_jobs WHERE job_id = 4601;

-- The worker builds it: valid, without the in-transaction marker comment,
-- and a tenant query uses it.
CALL architect.wait_index_job(4601);
SELECT source, status, error FROM architect.index_jobs WHERE job_id = 4601;
SELECT * FROM indexes_of('orders');
SET ROLE guards_rlsidx_app;
SET app.current_tenant = '7';
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT * FROM orders;
RESET enable_seqscan;
SELECT count(*) AS tenant_7_rows FROM orders;
RESET app.current_tenant;
RESET ROLE;

-- 2. Enabling again queues nothing (the index is there) and keeps the
-- record of the job.
SET ROLE guards_rlsidx_owner;
SELECT architect.enable_rls('orders', 'tenant_id', setting => 'app.other');
SELECT recorded_jobs('orders');
SELECT count(*) AS jobs FROM architect.index_jobs WHERE table_name = 'orders';

-- 3. disable_rls() after the build drops the index the job built and
-- keeps the user's index on the same column.
CREATE INDEX orders_tenant_total ON orders (tenant_id, total);
SELECT architect.disable_rls('orders');
SELECT * FROM indexes_of('orders');

-- 4. An index already leading with the column: no job, and disable_rls()
-- keeps the user's index.
CREATE TABLE items (id int PRIMARY KEY, tenant_id int);
CREATE INDEX items_by_tenant ON items (tenant_id, id);
SELECT architect.enable_rls('items', 'tenant_id');
SELECT recorded_jobs('items');
SELECT architect.disable_rls('items');
SELECT * FROM indexes_of('items');

-- 5. disable_rls() before the job ran (same transaction): the job is
-- cancelled and no index appears later.
CREATE TABLE notes (id int PRIMARY KEY, tenant_id int);
BEGIN;
SELECT architect.enable_rls('notes', 'tenant_id');
SELECT recorded_jobs('notes');
SELECT architect.disable_rls('notes');
COMMIT;
CALL architect.wait_index_job(4602);
SELECT source, status, error FROM architect.index_jobs WHERE job_id = 4602;
SELECT * FROM indexes_of('notes');

-- 6. Rollback of enable_rls() leaves no job that would still build the
-- index: the job is recorded as cancelled, nothing is built, no policy
-- stays; the same for a savepoint rolled back.
BEGIN;
SELECT architect.enable_rls('notes', 'tenant_id');
ROLLBACK;
CALL architect.wait_index_job(4603);
SELECT source, status, error FROM architect.index_jobs WHERE job_id = 4603;
BEGIN;
SAVEPOINT s;
SELECT architect.enable_owner_rls('notes', 'tenant_id', setting => 'app.user_id');
ROLLBACK TO SAVEPOINT s;
COMMIT;
CALL architect.wait_index_job(4604);
SELECT source, status, error FROM architect.index_jobs WHERE job_id = 4604;
SELECT * FROM indexes_of('notes');
SELECT count(*) AS policies FROM pg_policy WHERE polrelid = 'notes'::regclass;

-- 7. The user drops the guard's index and makes one of the same name:
-- disable_rls() leaves it alone (it is not the index the job built).
SELECT architect.enable_owner_rls('notes', 'tenant_id', setting => 'app.user_id');
CALL architect.wait_index_job(4605);
SELECT source, status FROM architect.index_jobs WHERE job_id = 4605;
DROP INDEX notes_tenant_id_idx;
CREATE INDEX notes_tenant_id_idx ON notes (tenant_id);
SELECT architect.disable_rls('notes');
SELECT * FROM indexes_of('notes');

-- 8. A partitioned table cannot be indexed concurrently: the index is
-- built inside the transaction (NOTICE), marked, and dropped by
-- disable_rls().
CREATE TABLE ledger (id int, tenant_id int, region text) PARTITION BY LIST (region);
CREATE TABLE ledger_eu PARTITION OF ledger FOR VALUES IN ('eu');
SELECT architect.enable_rls('ledger', 'tenant_id');
SELECT recorded_jobs('ledger');
SELECT * FROM indexes_of('ledger');
SELECT count(*) AS ledger_eu_indexes FROM pg_index WHERE indrelid = 'ledger_eu'::regclass;
SELECT architect.disable_rls('ledger');
SELECT * FROM indexes_of('ledger');
SELECT count(*) AS ledger_eu_indexes FROM pg_index WHERE indrelid = 'ledger_eu'::regclass;
RESET ROLE;

-- No job id was used but those above.
SELECT job_id, source, table_name, status FROM architect.index_jobs
 WHERE job_id > 4600 ORDER BY job_id;

DROP SCHEMA guards_rlsidx CASCADE;
DROP ROLE guards_rlsidx_owner, guards_rlsidx_app;
RESET search_path;
