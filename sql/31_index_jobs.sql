-- Index jobs: queuing without waiting, cancelling, dropping indexes, who
-- may do what, and who sees which job.
SET pg_architect.verify_queries = 0;

CREATE TABLE orders (id int PRIMARY KEY, customer int, placed date, note text);
INSERT INTO orders SELECT g, g % 300, date '2024-01-01' + g % 365, 'n' || g
  FROM generate_series(1, 3000) g;

CREATE FUNCTION job31(id bigint)
RETURNS TABLE (status text, kind text, statement text, sqlstate text, error text,
               cleanup text)
LANGUAGE sql AS $$
  SELECT j.status, j.kind, j.statement, j.sqlstate, j.error, j.cleanup
    FROM architect.index_jobs j WHERE j.job_id = id
$$;

-- ===== wait => false: the job starts when the transaction commits =====
BEGIN;
SELECT architect.create_index('CREATE INDEX orders_customer ON orders (customer)', wait => false) AS job \gset
SELECT status FROM architect.index_jobs WHERE job_id = :job;
-- the same request again joins the queued job instead of building twice
SELECT architect.create_index('CREATE INDEX orders_customer ON orders (customer)', wait => false) = :job AS same_job;
-- another index with the same name is refused while the job is queued
SAVEPOINT before_conflict;
SELECT architect.create_index('CREATE INDEX orders_customer ON orders (placed)', wait => false);
ROLLBACK TO before_conflict;
COMMIT;
CALL architect.wait_index_job(:job);
SELECT * FROM job31(:job);

-- ... and is cancelled when it rolls back
BEGIN;
SELECT architect.create_index('CREATE INDEX orders_placed ON orders (placed)', wait => false) AS job \gset
ROLLBACK;
CALL architect.wait_index_job(:job);
SELECT * FROM job31(:job);
SELECT count(*) AS orders_placed_exists FROM pg_class WHERE relname = 'orders_placed';
-- ... and so is a job queued in a savepoint that rolls back
BEGIN;
SAVEPOINT s;
SELECT architect.create_index('CREATE INDEX orders_placed ON orders (placed)', wait => false) AS job \gset
ROLLBACK TO SAVEPOINT s;
COMMIT;
CALL architect.wait_index_job(:job);
SELECT * FROM job31(:job);
SELECT count(*) AS orders_placed_exists FROM pg_class WHERE relname = 'orders_placed';

-- ===== cancel_index_job =====
SELECT architect.cancel_index_job(NULL);
SELECT architect.cancel_index_job(999999);
BEGIN;
SELECT architect.create_index('CREATE INDEX orders_note ON orders (note)', wait => false) AS job \gset
SELECT architect.cancel_index_job(:job);
COMMIT;
CALL architect.wait_index_job(:job);
SELECT * FROM job31(:job);
SELECT count(*) AS orders_note_exists FROM pg_class WHERE relname = 'orders_note';
-- a finished job
SELECT architect.cancel_index_job(:job);

-- ===== wait_index_job =====
CALL architect.wait_index_job(NULL);
CALL architect.wait_index_job(999999);
-- it commits while it waits, so not inside a transaction block
BEGIN;
SELECT architect.create_index('CREATE INDEX orders_id_note ON orders (id, note)', wait => false) AS job \gset
CALL architect.wait_index_job(:job);
ROLLBACK;
CALL architect.wait_index_job(:job);
SELECT status FROM architect.index_jobs WHERE job_id = :job;

-- ===== drop_index =====
SELECT architect.drop_index(NULL);
SELECT architect.drop_index('orders_customer', NULL);
SELECT architect.drop_index('no_such_index');
SELECT architect.drop_index('orders');
SELECT architect.drop_index('orders_pkey');
SELECT architect.drop_index('pg_class_oid_index');
CREATE TABLE parted31 (a int) PARTITION BY RANGE (a);
CREATE INDEX parted31_a ON parted31 (a);
SELECT architect.drop_index('parted31_a');
CREATE TEMP TABLE scratch31 (a int);
CREATE INDEX scratch31_a ON scratch31 (a);
SELECT architect.drop_index('scratch31_a');
BEGIN;
SELECT architect.drop_index('orders_customer');
ROLLBACK;
-- a unique index is refused unless forced
CREATE UNIQUE INDEX orders_note_u ON orders (note);
SELECT architect.drop_index('orders_note_u');
SELECT architect.drop_index('orders_note_u', force => true) AS job \gset
SELECT * FROM job31(:job);
SELECT count(*) AS orders_note_u_exists FROM pg_class WHERE relname = 'orders_note_u';
-- an index the planner has used is refused unless forced
SET enable_seqscan = off;
SELECT count(*) FROM orders WHERE customer = 7;
RESET enable_seqscan;
SELECT pg_stat_force_next_flush();
SELECT architect.drop_index('orders_customer');
SELECT architect.drop_index('orders_customer', concurrently => false, force => true) AS job \gset
SELECT * FROM job31(:job);
-- an invalid index left by a failed build elsewhere
INSERT INTO orders VALUES (3001, 1, NULL, 'n1');
CREATE UNIQUE INDEX CONCURRENTLY orders_note_bad ON orders (note);
SELECT architect.drop_index('orders_note_bad') AS job \gset
SELECT * FROM job31(:job);

-- ===== apply_recommendations: arguments =====
SELECT * FROM architect.apply_recommendations(NULL, NULL);
SELECT * FROM architect.apply_recommendations(NULL, 5, NULL);
SELECT * FROM architect.apply_recommendations(NULL, 0);
SELECT * FROM architect.apply_recommendations(-1, 5);
SELECT * FROM architect.apply_recommendations('NaN', 5);

-- ===== who may build and drop =====
CREATE ROLE pga_owner NOLOGIN;
CREATE ROLE pga_member LOGIN IN ROLE pga_owner;
CREATE ROLE pga_stranger LOGIN;
GRANT USAGE, CREATE ON SCHEMA public TO pga_owner;
GRANT SELECT ON orders TO pga_stranger;
CREATE TABLE owned (a int, b int);
ALTER TABLE owned OWNER TO pga_owner;
INSERT INTO owned SELECT g, g FROM generate_series(1, 100) g;

-- a role that does not own the table is refused
SET SESSION AUTHORIZATION pga_stranger;
SET pg_architect.verify_queries = 0;
SELECT architect.create_index('CREATE INDEX ON owned (a)');
SELECT architect.create_index('CREATE INDEX ON orders (placed)');
SELECT architect.drop_index('orders_pkey');
-- other roles' jobs are not shown, and cannot be cancelled
SELECT count(*) AS jobs_visible_to_stranger FROM architect.index_jobs;
RESET SESSION AUTHORIZATION;

-- a member of the owning role may, and the job runs as that member
SET SESSION AUTHORIZATION pga_member;
SET pg_architect.verify_queries = 0;
SELECT architect.create_index('CREATE INDEX owned_a ON owned (a)', false) AS job \gset
SELECT role, status, statement FROM architect.index_jobs WHERE job_id = :job;
-- through SET ROLE to the (NOLOGIN) owner too: the worker logs in as the
-- session user and sets the same role
SET ROLE pga_owner;
SELECT architect.create_index('CREATE INDEX owned_b ON owned (b)', false) AS job \gset
SELECT role, status FROM architect.index_jobs WHERE job_id = :job;
SELECT architect.drop_index('owned_b') AS job \gset
SELECT role, kind, status FROM architect.index_jobs WHERE job_id = :job;
RESET ROLE;
RESET SESSION AUTHORIZATION;

-- a job queued by one role cannot be cancelled by another
SET SESSION AUTHORIZATION pga_member;
BEGIN;
SELECT architect.create_index('CREATE INDEX owned_ab ON owned (a, b)', wait => false) AS job \gset
COMMIT;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION pga_stranger;
SELECT architect.cancel_index_job(:job);
RESET SESSION AUTHORIZATION;
CALL architect.wait_index_job(:job);
SELECT role, status FROM architect.index_jobs WHERE job_id = :job;

-- a SECURITY DEFINER function cannot make the worker take its owner's role
CREATE FUNCTION build_as_owner() RETURNS bigint SECURITY DEFINER
  LANGUAGE sql AS $$ SELECT architect.create_index('CREATE INDEX ON owned (b, a)') $$;
ALTER FUNCTION build_as_owner() OWNER TO pga_owner;
GRANT EXECUTE ON FUNCTION build_as_owner() TO pga_stranger;
SET SESSION AUTHORIZATION pga_stranger;
SELECT build_as_owner();
RESET SESSION AUTHORIZATION;

DROP TABLE owned;
DROP FUNCTION build_as_owner();
REVOKE ALL ON SCHEMA public FROM pga_owner;
REVOKE ALL ON orders FROM pga_stranger;
DROP ROLE pga_member, pga_stranger, pga_owner;

-- ===== jobs run in submission order =====
-- Four jobs queued in one transaction: their workers all wake when it
-- commits, and still run one at a time in job id order (names chosen so
-- that alphabetical order is the reverse).
CREATE TABLE order31 (a int, b int, c int, d int);
INSERT INTO order31 SELECT g, g, g, g FROM generate_series(1, 2000) g;
BEGIN;
SELECT architect.create_index('CREATE INDEX order31_z ON order31 (a)', wait => false) AS j1 \gset
SELECT architect.create_index('CREATE INDEX order31_y ON order31 (b)', wait => false) AS j2 \gset
SELECT architect.create_index('CREATE INDEX order31_x ON order31 (c)', wait => false) AS j3 \gset
SELECT architect.create_index('CREATE INDEX order31_w ON order31 (d)', wait => false) AS j4 \gset
COMMIT;
CALL architect.wait_index_job(:j1);
CALL architect.wait_index_job(:j2);
CALL architect.wait_index_job(:j3);
CALL architect.wait_index_job(:j4);
SELECT array_agg(index_name ORDER BY started_at) AS started,
       array_agg(index_name ORDER BY job_id) AS submitted,
       bool_and(status = 'done') AS all_done
  FROM architect.index_jobs WHERE job_id IN (:j1, :j2, :j3, :j4);
-- one at a time: each started after the previous one finished
SELECT bool_and(started_at >= prev_finished) AS one_at_a_time
  FROM (SELECT started_at, lag(finished_at) OVER (ORDER BY job_id) AS prev_finished
          FROM architect.index_jobs WHERE job_id IN (:j1, :j2, :j3, :j4)) s
 WHERE prev_finished IS NOT NULL;
DROP TABLE order31;

DROP TABLE orders, parted31;
DROP FUNCTION job31(bigint);
