-- updated_at guard: the column follows real changes only, respects an
-- explicit assignment, three clocks, three column types, and the inputs
-- it refuses.
CREATE SCHEMA guards_touch;
SET search_path = guards_touch, public;

CREATE FUNCTION try(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

CREATE TABLE item (
    id         int PRIMARY KEY,
    name       text,
    qty        int,
    updated_at timestamptz NOT NULL DEFAULT '2000-01-01 00:00+00'
);
INSERT INTO item (id, name, qty) VALUES (1, 'bolt', 10), (2, 'nut', 20), (3, 'screw', 30);
SELECT architect.enable_updated_at('item');
SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = 'item'::regclass;

-- A real change sets the transaction time; a no-op UPDATE leaves the row
-- alone; an explicit assignment wins.
BEGIN;
UPDATE item SET qty = qty + 1 WHERE id = 1;
UPDATE item SET name = name WHERE id = 2;
UPDATE item SET updated_at = '2011-11-11 11:11+00' WHERE id = 3;
SELECT id, CASE WHEN updated_at = now() THEN 'now()' ELSE updated_at::text END AS updated_at
  FROM item ORDER BY id;
COMMIT;
-- Assigning the column along with a change also wins.
UPDATE item SET qty = 0, updated_at = '2012-12-12 12:12+00' WHERE id = 3;
SELECT updated_at FROM item WHERE id = 3;

-- respect_explicit => false: the trigger sets the column even when the
-- UPDATE assigns it (a no-op otherwise still leaves it alone).
SELECT architect.enable_updated_at('item', respect_explicit => false);
BEGIN;
UPDATE item SET qty = 5, updated_at = '1999-01-01 00:00+00' WHERE id = 3;
UPDATE item SET updated_at = '1999-01-01 00:00+00' WHERE id = 2;
SELECT id, CASE WHEN updated_at = now() THEN 'now()' ELSE updated_at::text END AS updated_at
  FROM item WHERE id IN (2, 3) ORDER BY id;
COMMIT;

-- skip_unchanged => false: every UPDATE sets it, as moddatetime does.
SELECT architect.enable_updated_at('item', skip_unchanged => false);
BEGIN;
UPDATE item SET name = name WHERE id = 1;
SELECT updated_at = now() AS touched_by_noop FROM item WHERE id = 1;
COMMIT;

-- The three clocks.
SELECT architect.enable_updated_at('item', clock => 'statement');
BEGIN;
SELECT pg_sleep(0.01);
UPDATE item SET qty = qty + 1 WHERE id = 1;
SELECT updated_at > now() AS after_transaction_start,
       updated_at < statement_timestamp() AS before_this_statement
  FROM item WHERE id = 1;
COMMIT;
SELECT architect.enable_updated_at('item', clock => 'clock');
INSERT INTO item (id, name, qty) SELECT g, 'x', 0 FROM generate_series(10, 60) g;
UPDATE item SET qty = 1 WHERE id >= 10;
SELECT count(DISTINCT updated_at) > 1 AS distinct_times FROM item WHERE id >= 10;
SELECT architect.enable_updated_at('item');
SELECT guard, options FROM architect.guards WHERE schema_name = 'guards_touch';

-- timestamp and date columns; a domain over timestamptz.
CREATE DOMAIN stamp AS timestamptz CHECK (VALUE > '1990-01-01');
CREATE TABLE typed (id int PRIMARY KEY, v int, ts timestamp, d date, s stamp);
INSERT INTO typed VALUES (1, 0, '2000-01-01', '2000-01-01', '2000-01-01');
SELECT architect.enable_updated_at('typed', 'ts');
BEGIN;
UPDATE typed SET v = 1;
SELECT ts = now()::timestamp AS ts_now FROM typed;
COMMIT;
SELECT architect.enable_updated_at('typed', 'd');
UPDATE typed SET v = 2;
SELECT d = current_date AS d_today FROM typed;
SELECT architect.enable_updated_at('typed', 's');
BEGIN;
UPDATE typed SET v = 3;
SELECT s = now() AS s_now FROM typed;
COMMIT;

-- add_column => true adds timestamptz NOT NULL DEFAULT now().
CREATE TABLE fresh (id int PRIMARY KEY, v int);
INSERT INTO fresh VALUES (1, 1);
SELECT architect.enable_updated_at('fresh', 'changed_at', add_column => true);
SELECT attname, format_type(atttypid, atttypmod), attnotnull,
       pg_get_expr(adbin, adrelid) AS default
  FROM pg_attribute LEFT JOIN pg_attrdef ON adrelid = attrelid AND adnum = attnum
 WHERE attrelid = 'fresh'::regclass AND attname = 'changed_at';
SELECT architect.enable_updated_at('fresh', 'changed_at', add_column => true);

-- Refused: unknown column, wrong types (named), generated columns, bad
-- options, nulls.  Nothing is left behind.
CREATE TABLE wrong (id int PRIMARY KEY, note text, n int, stamps timestamptz[],
                    g timestamptz GENERATED ALWAYS AS ('2000-01-01'::timestamptz) STORED);
SELECT t AS call, try(t) AS result FROM unnest(ARRAY[
    $$SELECT architect.enable_updated_at('guards_touch.wrong')$$,
    $$SELECT architect.enable_updated_at('guards_touch.wrong', 'note')$$,
    $$SELECT architect.enable_updated_at('guards_touch.wrong', 'n')$$,
    $$SELECT architect.enable_updated_at('guards_touch.wrong', 'stamps')$$,
    $$SELECT architect.enable_updated_at('guards_touch.wrong', 'g')$$,
    $$SELECT architect.enable_updated_at('guards_touch.wrong', 'note', add_column => true)$$,
    $$SELECT architect.enable_updated_at('guards_touch.item', clock => 'wall')$$,
    $$SELECT architect.enable_updated_at('guards_touch.item', NULL)$$,
    $$SELECT architect.enable_updated_at('guards_touch.item', clock => NULL)$$,
    $$SELECT architect.enable_updated_at('guards_touch.item', '')$$,
    $$SELECT architect.enable_updated_at('pg_catalog.pg_proc')$$,
    $$SELECT architect.disable_updated_at(NULL)$$
]) AS t;
SELECT architect.enable_updated_at('wrong', 'note');
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 'wrong'::regclass;

-- Renaming the column keeps the guard on it; changing its type or dropping
-- it makes the trigger say so at the next UPDATE.
ALTER TABLE item RENAME COLUMN updated_at TO "Modified At";
BEGIN;
UPDATE item SET qty = 99 WHERE id = 2;
SELECT "Modified At" = now() AS followed_rename FROM item WHERE id = 2;
COMMIT;
SELECT options FROM architect.guards WHERE table_name = 'item';
ALTER TABLE item ALTER COLUMN "Modified At" TYPE text;
UPDATE item SET qty = 100 WHERE id = 2;
ALTER TABLE item DROP COLUMN "Modified At";
UPDATE item SET qty = 101 WHERE id = 2;
SELECT architect.disable_updated_at('item');
UPDATE item SET qty = 102 WHERE id = 2;

-- Identifiers with quotes, spaces and capitals.
CREATE TABLE "Odd ""Touch"" Table" ("Id" int PRIMARY KEY, "V" int, "Last Change" timestamptz);
INSERT INTO "Odd ""Touch"" Table" VALUES (1, 1, NULL);
SELECT architect.enable_updated_at('"Odd ""Touch"" Table"', 'Last Change');
UPDATE "Odd ""Touch"" Table" SET "V" = 2;
SELECT "Last Change" IS NOT NULL AS set FROM "Odd ""Touch"" Table";

-- Partitioned tables: once on the parent, working in every partition, new
-- ones included; a partition cannot get its own.
CREATE TABLE event (id int, kind text, note text, updated_at timestamptz)
    PARTITION BY LIST (kind);
CREATE TABLE event_a PARTITION OF event FOR VALUES IN ('a');
SELECT architect.enable_updated_at('event');
CREATE TABLE event_b PARTITION OF event FOR VALUES IN ('b');
INSERT INTO event VALUES (1, 'a', 'x', NULL), (2, 'b', 'y', NULL);
UPDATE event SET note = note || '!';
SELECT tableoid::regclass, updated_at IS NOT NULL AS set FROM event ORDER BY id;
SELECT architect.enable_updated_at('event_a');

-- Only the owner installs it.
CREATE ROLE guards_touch_owner;
CREATE ROLE guards_touch_user;
ALTER TABLE fresh OWNER TO guards_touch_owner;
GRANT USAGE ON SCHEMA guards_touch TO guards_touch_user;
GRANT ALL ON fresh TO guards_touch_user;
SET ROLE guards_touch_user;
SELECT architect.enable_updated_at('fresh', 'changed_at');
SELECT architect.disable_updated_at('fresh');
-- ... but anyone who may update the table is covered by it.
BEGIN;
UPDATE fresh SET v = 2;
SELECT changed_at = now() AS touched FROM fresh;
COMMIT;
RESET ROLE;

-- The trigger function checks how it is fired.
CREATE TRIGGER wrong_way AFTER UPDATE ON fresh FOR EACH ROW
    EXECUTE FUNCTION architect.updated_at_trigger('v1', 'column:3:changed_at');
UPDATE fresh SET v = 3;
DROP TRIGGER wrong_way ON fresh;

-- disable keeps the column; twice is a notice.
SELECT architect.disable_updated_at('fresh');
SELECT architect.disable_updated_at('fresh');
SELECT count(*) AS columns_kept FROM pg_attribute
 WHERE attrelid = 'fresh'::regclass AND attname = 'changed_at';

DROP SCHEMA guards_touch CASCADE;
DROP OWNED BY guards_touch_user;
DROP ROLE guards_touch_user, guards_touch_owner;
RESET search_path;
