-- architect.guards: per table, the guards installed with their options, and
-- the updated_at / deleted_at columns that no trigger maintains.
CREATE SCHEMA guards_view;
SET search_path = guards_view, public;

CREATE TABLE shop_order (id int PRIMARY KEY, tenant_id int, secret text, note text,
                         updated_at timestamptz, deleted_at timestamptz);
SELECT architect.enable_audit('shop_order', exclude_columns => '{note}', mask_columns => '{secret}',
                              log_statement => true);
SELECT architect.enable_updated_at('shop_order');
SELECT architect.enable_soft_delete('shop_order');
SELECT setval('architect.index_jobs_job_id_seq', 4500) > 0 AS job_ids_set;
SELECT architect.enable_rls('shop_order', 'tenant_id', setting => 'app.tenant');
CALL architect.wait_index_job(4501);

-- A table with the columns but no trigger maintaining them, and one whose
-- own trigger maintains updated_at (not reported).
CREATE TABLE legacy (id int PRIMARY KEY, updated_at timestamptz, deleted_at timestamptz);
CREATE TABLE handmade (id int PRIMARY KEY, updated_at timestamptz);
CREATE FUNCTION handmade_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
CREATE TRIGGER touch BEFORE UPDATE ON handmade FOR EACH ROW EXECUTE FUNCTION handmade_touch();

-- A partitioned table appears once, not once per partition.
CREATE TABLE part (id int, k int, updated_at timestamptz) PARTITION BY LIST (k);
CREATE TABLE part_1 PARTITION OF part FOR VALUES IN (1);
CREATE TABLE part_2 PARTITION OF part FOR VALUES IN (2);
SELECT architect.enable_updated_at('part');

SELECT table_name, guard, status, options, action
  FROM architect.guards WHERE schema_name = 'guards_view' ORDER BY table_name, guard;

-- Options follow renames; a disabled trigger shows as disabled.
ALTER TABLE shop_order RENAME COLUMN secret TO "Secret Sauce";
ALTER TABLE shop_order RENAME COLUMN tenant_id TO "Tenant";
ALTER TABLE shop_order RENAME TO "Shop Order";
ALTER TABLE "Shop Order" DISABLE TRIGGER architect_updated_at;
SELECT table_name, tbl, guard, status, options FROM architect.guards
 WHERE schema_name = 'guards_view' AND table_name = 'Shop Order' ORDER BY guard;

-- Everyone may read the view.
CREATE ROLE guards_view_reader;
SET ROLE guards_view_reader;
SELECT count(*) > 0 AS readable FROM architect.guards WHERE schema_name = 'guards_view';
RESET ROLE;
DROP ROLE guards_view_reader;

-- guard_options() of something that is not a guard trigger is NULL.
SELECT architect.guard_options(oid) FROM pg_trigger WHERE tgname = 'touch';
SELECT architect.guard_options(0);

-- Cleaning up: disable each guard.
SELECT architect.disable_rls('"Shop Order"');
SELECT architect.disable_soft_delete('"Shop Order"');
SELECT architect.disable_updated_at('"Shop Order"');
SELECT architect.disable_audit('"Shop Order"');
SELECT architect.disable_updated_at('part');
SELECT table_name, guard, status FROM architect.guards
 WHERE schema_name = 'guards_view' ORDER BY table_name, guard;
DROP SCHEMA guards_view CASCADE;
RESET search_path;
