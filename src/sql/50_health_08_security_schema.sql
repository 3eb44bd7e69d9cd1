-- Health, part 8: security advice and schema advice.

-- Security: ssl, pg_hba.conf authentication methods, password storage,
-- superuser login roles, password expiry (when pg_architect.password_max_age
-- sets a policy), CREATE on schemas for PUBLIC, SECURITY DEFINER functions
-- without a fixed search_path, tables with a tenant-looking column but no
-- row-level security, secret-looking columns stored as plain text.
-- pg_hba.conf and pg_authid are read only when the caller may read them; a
-- role that may not gets one info row saying those checks were skipped.
-- The query runs in a function so that it can switch JIT compilation off
-- (over a large catalog its estimated cost passes jit_above_cost, and
-- compiling it would take far longer than running it) and give its sorts
-- the memory to stay off disk; a PL/pgSQL one, so that its plan is kept for
-- the session instead of being made again on every call.
CREATE FUNCTION architect.security_advice_rows()
RETURNS TABLE ("check" text, object text, severity text, value text, threshold text, detail text, action text, evidence_since timestamptz)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET jit = off
SET work_mem = '64MB'
AS $body$
#variable_conflict use_column
BEGIN
RETURN QUERY
WITH s AS (SELECT * FROM architect.health_settings()),
ucols AS MATERIALIZED (
    -- read once per findings call (shared with schema_advice)
    SELECT u.nspname, u.relname, u.relkind, u.relrowsecurity, u.attname, u.atttypid, u.atttypmod
      FROM architect.user_columns() u
),
names AS MATERIALIZED (
    -- the column names that look like a tenant or a secret: each distinct
    -- name is matched once (schemas repeat the same names in many tables)
    SELECT m.* FROM (
        SELECT u.attname,
               u.attname ~* s.tenant_column_pattern AS tenant_like,
               u.attname ~* s.secret_column_pattern AS secret_like
          FROM (SELECT DISTINCT ucols.attname FROM ucols) u CROSS JOIN s
        OFFSET 0) m
     WHERE m.tenant_like OR m.secret_like
),
named_cols AS (
    SELECT u.*, nm.tenant_like, nm.secret_like
      FROM ucols u JOIN names nm ON nm.attname = u.attname
),
hba_visible AS (
    SELECT pg_catalog.has_table_privilege('pg_catalog.pg_hba_file_rules', 'SELECT')
       AND pg_catalog.has_function_privilege('pg_catalog.pg_hba_file_rules()', 'EXECUTE') AS ok
),
f AS (
    SELECT 'ssl'::text AS check, 'ssl'::text AS object,
           CASE WHEN pg_catalog.current_setting('listen_addresses') IN ('', 'localhost', '127.0.0.1', '::1')
                THEN 'info' ELSE 'warning' END AS severity,
           'off'::text AS value,
           'on'::text AS threshold,
           'connections over the network travel unencrypted: passwords (md5) and data can be read or altered on the way'
             || CASE WHEN pg_catalog.current_setting('listen_addresses') IN ('', 'localhost', '127.0.0.1', '::1')
                     THEN ' (the server listens only locally now)' ELSE '' END AS detail,
           'install a certificate (ssl_cert_file, ssl_key_file), ALTER SYSTEM SET ssl = on; SELECT pg_reload_conf(); then hostssl lines in pg_hba.conf'::text AS action
     WHERE pg_catalog.current_setting('ssl') = 'off'
    UNION ALL
    SELECT 'hba_' || h.auth_method,
           pg_catalog.format('pg_hba.conf line %s', h.line_number),
           CASE WHEN h.auth_method = 'password' THEN 'critical'
                WHEN h.auth_method = 'trust' AND h.type <> 'local' THEN 'critical'
                ELSE 'warning' END,
           pg_catalog.format('%s %s %s %s %s', h.type, pg_catalog.array_to_string(h.database, ','),
                  pg_catalog.array_to_string(h.user_name, ','), coalesce(h.address, ''), h.auth_method),
           'scram-sha-256',
           CASE h.auth_method
                WHEN 'trust' THEN CASE WHEN h.type = 'local'
                                       THEN 'any operating-system user of this machine can connect as any of these roles without a password'
                                       ELSE 'anyone who reaches this address can connect as any of these roles without a password' END
                WHEN 'password' THEN 'the password travels in clear text'
                ELSE 'md5 is a weak hash: a captured hash is as good as the password (pass-the-hash)' END,
           'use scram-sha-256 (after every role has a SCRAM password, see password_md5), or peer for local connections; then SELECT pg_reload_conf();'
      FROM architect.hba_rules() h
     WHERE h.auth_method IN ('trust', 'password', 'md5')
    UNION ALL
    SELECT 'hba_not_visible', 'pg_hba.conf', 'info', 'not checked', NULL,
           'this role may not read pg_hba_file_rules, so the authentication methods were not checked',
           'run architect.security_advice as a superuser'
      FROM hba_visible WHERE NOT hba_visible.ok
    UNION ALL
    SELECT 'password_encryption', 'password_encryption', 'warning', pg_catalog.current_setting('password_encryption'),
           'scram-sha-256', 'new passwords are stored as md5 hashes',
           'ALTER SYSTEM SET password_encryption = ''scram-sha-256''; SELECT pg_reload_conf(); -- then set the passwords again'
     WHERE pg_catalog.current_setting('password_encryption') <> 'scram-sha-256'
    UNION ALL
    SELECT 'password_' || p.password_kind, pg_catalog.format('role %I', p.rolname),
           CASE p.password_kind WHEN 'plain' THEN 'critical' ELSE 'warning' END,
           p.password_kind, 'scram-sha-256',
           CASE p.password_kind WHEN 'plain' THEN 'the password is stored in clear text'
                ELSE 'the password is stored as an md5 hash, which scram-sha-256 authentication cannot use' END,
           pg_catalog.format('SET password_encryption = ''scram-sha-256''; ALTER ROLE %I PASSWORD ''...''; -- or \password %s in psql', p.rolname, p.rolname)
      FROM architect.password_roles() p
     WHERE p.password_kind <> 'scram-sha-256'
    UNION ALL
    SELECT 'superuser', pg_catalog.format('role %I', r.rolname), 'warning', 'superuser, can log in', NULL,
           'a superuser login bypasses every permission check; applications and people should log in as ordinary roles',
           pg_catalog.format('ALTER ROLE %I NOSUPERUSER; -- grant it what it needs instead (pg_monitor, pg_read_all_data, ownership)', r.rolname)
      FROM pg_catalog.pg_roles r
     WHERE r.rolsuper AND r.rolcanlogin AND r.oid <> 10
    UNION ALL
    SELECT 'password_expiry', pg_catalog.format('role %I', r.rolname), 'warning',
           coalesce('valid until ' || pg_catalog.to_char(r.rolvaliduntil, 'YYYY-MM-DD'), 'never expires'),
           'expiry within ' || architect.age_text(s.password_max_age * interval '1 ms'),
           'the password policy (pg_architect.password_max_age) wants login passwords to expire',
           pg_catalog.format('ALTER ROLE %I VALID UNTIL %L;', r.rolname,
                  pg_catalog.to_char(pg_catalog.now() + s.password_max_age * interval '1 ms', 'YYYY-MM-DD'))
      FROM pg_catalog.pg_roles r CROSS JOIN s
     WHERE s.password_max_age > 0 AND r.rolcanlogin AND r.oid <> 10
       AND (r.rolvaliduntil IS NULL OR r.rolvaliduntil > pg_catalog.now() + s.password_max_age * interval '1 ms')
       AND (NOT EXISTS (SELECT 1 FROM architect.password_roles())
            OR r.rolname IN (SELECT p.rolname FROM architect.password_roles() p))
    UNION ALL
    SELECT 'public_create', pg_catalog.format('schema %I', n.nspname), 'warning', 'PUBLIC has CREATE', NULL,
           'every role can create objects in this schema, including functions and operators that shadow others'' (CVE-2018-1058)',
           pg_catalog.format('REVOKE CREATE ON SCHEMA %I FROM PUBLIC;', n.nspname)
      FROM pg_catalog.pg_namespace n
     WHERE EXISTS (SELECT 1 FROM pg_catalog.aclexplode(n.nspacl) a WHERE a.grantee = 0 AND a.privilege_type = 'CREATE')
    UNION ALL
    SELECT 'security_definer_search_path', pg_catalog.format('function %s', p.oid::regprocedure), 'warning',
           'SECURITY DEFINER without search_path', NULL,
           pg_catalog.format('runs with the rights of %I but resolves names through the caller''s search_path, so a caller can slip in its own objects',
                  pg_catalog.pg_get_userbyid(p.proowner)),
           pg_catalog.format('ALTER FUNCTION %s SET search_path = pg_catalog, pg_temp;', p.oid::regprocedure)
      FROM pg_catalog.pg_proc p
      JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
     WHERE p.prosecdef
       AND architect.is_user_schema(n.nspname)
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.unnest(p.proconfig) c WHERE c LIKE 'search\_path=%')
       AND p.oid NOT IN (SELECT architect.extension_members('pg_catalog.pg_proc'))
    UNION ALL
    SELECT 'tenant_without_rls', pg_catalog.format('%I.%I', a.nspname, a.relname), 'warning',
           pg_catalog.format('column %I, no row-level security', a.attname), NULL,
           'the table looks multi-tenant, but every role that can read it sees every tenant''s rows',
           pg_catalog.format('SELECT architect.enable_rls(%L, %L); -- or ALTER TABLE %I.%I ENABLE ROW LEVEL SECURITY and a policy',
                  pg_catalog.format('%I.%I', a.nspname, a.relname), a.attname, a.nspname, a.relname)
      FROM named_cols a
     WHERE a.tenant_like AND a.relkind IN ('r', 'p') AND NOT a.relrowsecurity
    UNION ALL
    SELECT 'secret_in_plain_text', pg_catalog.format('%I.%I.%I', a.nspname, a.relname, a.attname), 'warning',
           pg_catalog.format_type(a.atttypid, a.atttypmod), NULL,
           'the column name says it holds a secret, stored as plain text: anyone who can read the table, a backup or a log sees it',
           CASE WHEN a.attname ~* 'pass'
                THEN 'store a slow salted hash instead: crypt(password, gen_salt(''bf'')) from pgcrypto, or hash in the application'
                ELSE 'store a hash (sha256) when it is only compared, or encrypt it (pgp_sym_encrypt from pgcrypto) when it must be read back' END
      FROM named_cols a
     WHERE a.secret_like
       AND a.atttypid IN ('text'::regtype, 'varchar'::regtype, 'bpchar'::regtype, 'json'::regtype, 'jsonb'::regtype)
       AND a.attname !~* '(hash|digest|crypt|salt|_at$|_on$|expires|_id$|_type$|_count$|_len)'
)
SELECT f.check, f.object, f.severity, f.value, f.threshold, f.detail, f.action,
       NULL::timestamptz AS evidence_since
  FROM f
 ORDER BY architect.severity_rank(f.severity) DESC, f.check, f.object;
END
$body$;
COMMENT ON FUNCTION architect.security_advice_rows() IS 'the rows of architect.security_advice (run without JIT)';

CREATE VIEW architect.security_advice WITH (security_invoker = true) AS
    SELECT * FROM architect.security_advice_rows();
COMMENT ON VIEW architect.security_advice IS 'security findings: ssl, pg_hba.conf methods, password storage and expiry, superuser logins, PUBLIC CREATE, SECURITY DEFINER search_path, tenant tables without RLS, secrets in plain text';

-- Schema: tables without a primary key, foreign keys without an index
-- (largest tables first), timestamp without time zone columns, updated_at
-- columns no trigger maintains, integer primary keys nearing their limit.
-- The query runs in a function (PL/pgSQL, so that its plan is kept for the
-- session) so that it can switch JIT compilation off (over a large catalog
-- its estimated cost passes jit_above_cost, and compiling it would take far
-- longer than running it) and give its sorts the memory to stay off disk.
CREATE VIEW architect.schema_advice_unordered WITH (security_invoker = true) AS
WITH s AS (SELECT * FROM architect.health_settings()),
t AS (
    SELECT c.oid, n.nspname, c.relname, c.relkind,
           c.relpages::bigint * pg_catalog.current_setting('block_size')::bigint AS size_bytes
      FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
       AND c.relpersistence <> 't'
       AND architect.is_user_schema(n.nspname)
       AND c.oid NOT IN (SELECT architect.extension_members('pg_catalog.pg_class'))
),
tcols AS MATERIALIZED (
    -- the columns the timestamp and updated_at checks look at, from the
    -- user's columns that security_advice reads too (read once per
    -- findings call); the join with t keeps the tables' columns
    SELECT a.attrelid, a.attname, a.atttypid, a.atttypmod
      FROM architect.user_columns() a
     WHERE a.relkind IN ('r', 'p')
       AND (a.atttypid = 'timestamp'::regtype
            OR (a.attname IN ('updated_at', 'modified_at', 'updated_on', 'modified_on', 'last_modified', 'last_updated', 'updated', 'modified')
                AND a.atttypid IN ('timestamp'::regtype, 'timestamptz'::regtype, 'date'::regtype)))
),
hot_seqs AS MATERIALIZED (
    -- sequences far enough along to put even a smallint key past the
    -- threshold: reading a sequence is cheap, finding the column it feeds
    -- is not, so only these are followed to their columns
    SELECT c.oid AS seqid, v.last_value
      FROM pg_catalog.pg_class c
     CROSS JOIN s
     CROSS JOIN LATERAL (SELECT architect.sequence_last_value(c.oid)::numeric AS last_value) v
     WHERE c.relkind = 'S' AND c.relpersistence <> 't'
       AND v.last_value >= s.int4_pk_warning_pct / 100 * 32767
),
int_pk_feeds AS (
    -- single-column smallint or integer primary keys fed by one of those
    -- sequences: owned by the column (serial, identity) or named in its
    -- default
    SELECT DISTINCT ON (k.conrelid) k.conrelid AS relid, a.attnum, a.attname, a.atttypid,
           CASE a.atttypid WHEN 'int2'::regtype THEN 32767 ELSE 2147483647 END::numeric AS type_max,
           h.seqid, h.last_value
      FROM hot_seqs h
     CROSS JOIN LATERAL (
            -- LATERAL: looked up per sequence, through pg_depend's indexes
            SELECT d.refobjid AS relid, d.refobjsubid::int2 AS attnum
              FROM pg_catalog.pg_depend d
             WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = h.seqid
               AND d.refclassid = 'pg_catalog.pg_class'::regclass
               AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0
            UNION ALL
            SELECT ad.adrelid, ad.adnum
              FROM pg_catalog.pg_depend d
              JOIN pg_catalog.pg_attrdef ad ON ad.oid = d.objid
             WHERE d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid = h.seqid
               AND d.classid = 'pg_catalog.pg_attrdef'::regclass) x
      JOIN pg_catalog.pg_constraint k
        ON k.conrelid = x.relid AND k.contype = 'p' AND k.conkey = ARRAY[x.attnum]
      JOIN pg_catalog.pg_attribute a ON a.attrelid = x.relid AND a.attnum = x.attnum
     WHERE a.atttypid IN ('int2'::regtype, 'int4'::regtype)
     ORDER BY k.conrelid, h.seqid
),
f AS (
    SELECT 'no_primary_key'::text AS check, pg_catalog.format('%I.%I', t.nspname, t.relname) AS object,
           CASE WHEN u.indexrelid IS NULL THEN 'warning' ELSE 'info' END AS severity,
           'no primary key'::text AS value, NULL::text AS threshold,
           CASE WHEN u.indexrelid IS NULL
                THEN 'rows cannot be identified reliably: duplicates slip in, logical replication cannot replicate UPDATE and DELETE, tools cannot edit rows'
                ELSE pg_catalog.format('unique index %I on NOT NULL columns could be the primary key', u.index_name) END AS detail,
           CASE WHEN u.indexrelid IS NULL AND EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                                                       WHERE a.attrelid = t.oid AND a.attname = 'id' AND NOT a.attisdropped)
                THEN pg_catalog.format('ALTER TABLE %I.%I ADD PRIMARY KEY (id); -- if id is unique and never NULL', t.nspname, t.relname)
                WHEN u.indexrelid IS NULL
                THEN pg_catalog.format('ALTER TABLE %I.%I ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY; -- or a primary key on the natural key', t.nspname, t.relname)
                ELSE pg_catalog.format('ALTER TABLE %I.%I ADD PRIMARY KEY USING INDEX %I;', t.nspname, t.relname, u.index_name) END AS action,
           t.size_bytes
      FROM t
      LEFT JOIN LATERAL (
            SELECT x.indexrelid, ic.relname AS index_name
              FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class ic ON ic.oid = x.indexrelid
             WHERE x.indrelid = t.oid AND x.indisunique AND x.indisvalid AND x.indpred IS NULL AND x.indexprs IS NULL
               AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                                WHERE a.attrelid = t.oid AND a.attnum = ANY (x.indkey) AND NOT a.attnotnull)
             ORDER BY x.indnatts, ic.relname LIMIT 1) u ON true
     WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conrelid = t.oid AND k.contype = 'p')
    UNION ALL
    SELECT m.check, m.object, m.severity, m.value, m.threshold, m.detail, m.action, m.table_size_bytes
      FROM architect.missing_fk_indexes_unordered m
    UNION ALL
    SELECT 'timestamp_without_time_zone', pg_catalog.format('%I.%I.%I', t.nspname, t.relname, a.attname), 'info',
           pg_catalog.format_type(a.atttypid, a.atttypmod), NULL,
           'stores a wall-clock time without saying where: values shift when the session, server or application time zone differs',
           pg_catalog.format('ALTER TABLE %I.%I ALTER COLUMN %I TYPE timestamptz USING %I AT TIME ZONE ''UTC''; -- rewrites the table; UTC if that is what it holds',
                  t.nspname, t.relname, a.attname, a.attname),
           t.size_bytes
      FROM t
      JOIN tcols a ON a.attrelid = t.oid
     WHERE a.atttypid = 'timestamp'::regtype
    UNION ALL
    SELECT 'updated_at_without_trigger', pg_catalog.format('%I.%I.%I', t.nspname, t.relname, a.attname), 'warning',
           'no BEFORE UPDATE trigger', NULL,
           'the column name says it records the last change, but no trigger sets it: it is only right when every application remembers to',
           pg_catalog.format('SELECT architect.enable_updated_at(%L, %L);', pg_catalog.format('%I.%I', t.nspname, t.relname), a.attname),
           t.size_bytes
      FROM t
      JOIN tcols a ON a.attrelid = t.oid
     WHERE a.attname IN ('updated_at', 'modified_at', 'updated_on', 'modified_on', 'last_modified', 'last_updated', 'updated', 'modified')
       AND a.atttypid IN ('timestamp'::regtype, 'timestamptz'::regtype, 'date'::regtype)
       AND NOT EXISTS (
            -- an enabled row-level BEFORE UPDATE trigger (tgtype bits: 1 row, 2 before, 16 update)
            SELECT 1 FROM pg_catalog.pg_trigger g
             WHERE g.tgrelid = t.oid AND NOT g.tgisinternal AND g.tgenabled <> 'D'
               AND (g.tgtype & 1) = 1 AND (g.tgtype & 2) = 2 AND (g.tgtype & 16) = 16)
    UNION ALL
    SELECT 'integer_primary_key', pg_catalog.format('%I.%I', t.nspname, t.relname),
           CASE WHEN p.used_pct >= s.sequence_critical_pct THEN 'critical' ELSE 'warning' END,
           round(p.used_pct, 2) || ' % of ' || pg_catalog.format_type(p.atttypid, NULL) || ' used',
           s.int4_pk_warning_pct || ' %',
           pg_catalog.format('primary key %I.%I.%I is %s, fed by sequence %s: %s values left', t.nspname, t.relname, p.attname,
                  pg_catalog.format_type(p.atttypid, NULL), p.seqid::regclass, p.type_max - p.last_value),
           pg_catalog.format('ALTER TABLE %I.%I ALTER COLUMN %I TYPE bigint; -- rewrites the table; plan it before the values run out',
                  t.nspname, t.relname, p.attname),
           t.size_bytes
      FROM t
      JOIN (SELECT f.relid, f.attname, f.atttypid, f.seqid, f.type_max, f.last_value,
                   100 * f.last_value / f.type_max AS used_pct
              FROM int_pk_feeds f) p
        ON p.relid = t.oid
     CROSS JOIN s
     WHERE p.used_pct >= s.int4_pk_warning_pct
)
SELECT f.check, f.object, f.severity, f.value, f.threshold, f.detail, f.action,
       NULL::timestamptz AS evidence_since,
       f.size_bytes AS table_size_bytes
  FROM f;
COMMENT ON VIEW architect.schema_advice_unordered IS 'the rows of architect.schema_advice, in no particular order (what architect.findings reads, to skip a sort; JIT is best off when reading it)';

-- With the findings scope on (see architect.findings_rows()), so that the
-- user's columns and the index facts its checks and missing_fk_indexes
-- both read are read once per call.
CREATE FUNCTION architect.schema_advice_rows()
RETURNS TABLE ("check" text, object text, severity text, value text, threshold text, detail text, action text, evidence_since timestamptz, table_size_bytes bigint)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET jit = off
SET work_mem = '64MB'
SET pg_architect.findings_scope = on
AS $body$
#variable_conflict use_column
BEGIN
RETURN QUERY
SELECT f.check, f.object, f.severity, f.value, f.threshold, f.detail, f.action, f.evidence_since, f.table_size_bytes
  FROM architect.schema_advice_unordered f
 ORDER BY architect.severity_rank(f.severity) DESC, f.table_size_bytes DESC, f.check, f.object;
END
$body$;
COMMENT ON FUNCTION architect.schema_advice_rows() IS 'the rows of architect.schema_advice (run without JIT)';

CREATE VIEW architect.schema_advice WITH (security_invoker = true) AS
    SELECT * FROM architect.schema_advice_rows();
COMMENT ON VIEW architect.schema_advice IS 'schema findings: tables without a primary key, unindexed foreign keys (large tables first), timestamp without time zone, updated_at without trigger, integer primary keys nearing their limit';

-- The views filter what each role may see themselves (security_invoker).
GRANT SELECT ON architect.security_advice, architect.schema_advice, architect.schema_advice_unordered TO PUBLIC;
