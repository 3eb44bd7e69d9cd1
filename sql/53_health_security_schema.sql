-- Health: security advice and schema advice.  Each finding appears with a
-- real situation and is gone once it is fixed.
SET client_min_messages = warning;
CREATE SCHEMA health_sec;
SET search_path = health_sec, public;

-- This test cluster trusts local connections and has no ssl: as superuser
-- the pg_hba.conf lines show up.
SELECT DISTINCT "check", severity FROM architect.security_advice
 WHERE "check" IN ('ssl', 'hba_trust') ORDER BY 1, 2;
SELECT count(*) > 0 AS trust_lines_listed FROM architect.security_advice
 WHERE "check" = 'hba_trust' AND object LIKE 'pg\_hba.conf line %' AND value LIKE '% trust';

-- A multi-tenant table without row-level security, secrets in plain text,
-- a SECURITY DEFINER function with no search_path, CREATE on a schema for
-- everyone, a superuser that can log in.
CREATE TABLE accounts (
    id bigint PRIMARY KEY,
    tenant_id int NOT NULL,
    email text,
    password text,
    "API_Key" varchar(64),
    password_hash text,
    token_expires_at timestamptz,
    reset_token_id bigint);
CREATE FUNCTION elevated() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'SELECT 1';
CREATE FUNCTION elevated_fixed() RETURNS int LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog AS 'SELECT 1';
GRANT CREATE ON SCHEMA health_sec TO PUBLIC;
CREATE ROLE health_root SUPERUSER LOGIN;
SELECT "check", object, severity, value, action FROM architect.security_advice
 WHERE "check" IN ('tenant_without_rls', 'secret_in_plain_text', 'security_definer_search_path', 'public_create', 'superuser')
   AND (object LIKE '%health\_sec%' OR object LIKE '%health\_root%' OR object LIKE '%elevated%')
 ORDER BY "check", object;
-- fixed
ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE accounts RENAME COLUMN password TO password_digest;
ALTER TABLE accounts DROP COLUMN "API_Key";
ALTER FUNCTION elevated() SET search_path = pg_catalog, pg_temp;
REVOKE CREATE ON SCHEMA health_sec FROM PUBLIC;
ALTER ROLE health_root NOSUPERUSER;
SELECT "check", object FROM architect.security_advice
 WHERE "check" IN ('tenant_without_rls', 'secret_in_plain_text', 'security_definer_search_path', 'public_create', 'superuser')
   AND (object LIKE '%health\_sec%' OR object LIKE '%health\_root%' OR object LIKE '%elevated%');
-- the patterns are settings
SET pg_architect.secret_column_pattern = 'email';
SELECT "check", object FROM architect.security_advice
 WHERE "check" = 'secret_in_plain_text' AND object LIKE 'health\_sec.%';
RESET pg_architect.secret_column_pattern;

-- Passwords: md5 storage, a password policy.
SET password_encryption = 'md5';
ALTER ROLE health_root PASSWORD 'not-a-real-password';
SELECT "check", object, severity, value FROM architect.security_advice
 WHERE "check" IN ('password_md5', 'password_encryption') ORDER BY 1;
RESET password_encryption;
ALTER ROLE health_root PASSWORD 'not-a-real-password';
SELECT count(*) AS md5_left FROM architect.security_advice WHERE "check" IN ('password_md5', 'password_encryption');
SET pg_architect.password_max_age = '90d';
SELECT "check", object, value FROM architect.security_advice WHERE "check" = 'password_expiry';
ALTER ROLE health_root VALID UNTIL '2000-01-01';
SELECT count(*) AS expiry_left FROM architect.security_advice WHERE "check" = 'password_expiry';
RESET pg_architect.password_max_age;

-- A role that may not read pg_hba.conf or pg_authid is told those checks
-- were skipped, and sees no line of them.
CREATE ROLE health_sec_user;
SET ROLE health_sec_user;
SELECT "check", object, severity, value FROM architect.security_advice
 WHERE "check" LIKE 'hba%' OR "check" LIKE 'password%';
SELECT count(*) AS hba_rules, (SELECT count(*) FROM architect.password_roles()) AS password_roles
  FROM architect.hba_rules();
RESET ROLE;

-- Schema: no primary key, foreign key without an index, timestamp without
-- time zone, updated_at without a trigger, an integer key running out.
CREATE TABLE orders (
    id serial PRIMARY KEY,
    account_id bigint REFERENCES accounts(id),
    placed timestamp,
    updated_at timestamptz);
CREATE TABLE log_lines (at timestamptz, line text);
CREATE TABLE keyed (code text NOT NULL, note text);
CREATE UNIQUE INDEX keyed_code ON keyed (code);
CREATE TABLE with_id (id int, note text);
SELECT setval('orders_id_seq', 1500000000);
SELECT "check", object, severity, value, action FROM architect.schema_advice
 WHERE object LIKE 'health_sec.%' ORDER BY "check", object;
-- fixed
ALTER TABLE log_lines ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;
ALTER TABLE keyed ADD PRIMARY KEY USING INDEX keyed_code;
ALTER TABLE with_id ADD PRIMARY KEY (id);
CREATE INDEX ON orders (account_id);
ALTER TABLE orders ALTER COLUMN placed TYPE timestamptz USING placed AT TIME ZONE 'UTC';
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch();
ALTER TABLE orders ALTER COLUMN id TYPE bigint;
SELECT "check", object FROM architect.schema_advice WHERE object LIKE 'health_sec.%';
-- a disabled trigger maintains nothing
ALTER TABLE orders DISABLE TRIGGER orders_touch;
SELECT "check", object FROM architect.schema_advice WHERE object LIKE 'health_sec.%';

RESET search_path;
DROP SCHEMA health_sec CASCADE;
DROP ROLE health_root;
DROP ROLE health_sec_user;
