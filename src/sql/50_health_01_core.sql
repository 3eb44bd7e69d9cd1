-- Health, part 1: what every health view builds on.
--
-- Every finding row of the health views has the same leading columns:
--   check           what was checked (e.g. unused_index)
--   object          what it is about, quoted as SQL would (schema.table, a role, a pid...)
--   severity        info, warning or critical
--   value           what was measured, for people
--   threshold       the limit it was compared with, for people (NULL: none)
--   detail          why it matters
--   action          the SQL or setting that fixes it (NULL: nothing to do)
--   evidence_since  since when the statistics behind it were collected
--                   (NULL when the finding does not rest on cumulative statistics)
-- followed by columns particular to each view.
--
-- The views are security_invoker: each role sees what PostgreSQL itself lets
-- it see in the catalogs and statistics views (pg_monitor, pg_read_all_stats,
-- pg_read_all_settings rules).  They read catalogs and cumulative statistics
-- only: no relation lock is taken (sizes come from pg_class.relpages, not
-- pg_relation_size), so they never wait for or hold up DDL or DML.

-- Not declared STRICT, on purpose: the planner inlines a SQL function into
-- the calling query only when its body is as strict as its declaration,
-- and a CASE is not.  Declared STRICT, it ran as a separate SQL function
-- call for every row it ordered (50,000 rows in architect.findings on a
-- big catalog: about 0.2 s).  The body returns NULL for NULL itself.
CREATE FUNCTION architect.severity_rank(severity text)
RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE CALLED ON NULL INPUT
AS $$ SELECT CASE WHEN severity IS NULL THEN NULL::integer WHEN severity = 'critical' THEN 3
                  WHEN severity = 'warning' THEN 2 WHEN severity = 'info' THEN 1 ELSE 0 END $$;
COMMENT ON FUNCTION architect.severity_rank(text) IS 'orders severities: critical 3, warning 2, info 1, anything else 0';

-- The thresholds, named after their settings (pg_architect.<name>); memory
-- in bytes, time in milliseconds.
CREATE FUNCTION architect.health_settings(
    OUT unused_index_min_age float8,
    OUT index_low_usage_scans float8,
    OUT fk_index_min_rows float8,
    OUT bloat_warning_pct float8,
    OUT bloat_critical_pct float8,
    OUT bloat_min_size float8,
    OUT seq_scan_min_count float8,
    OUT seq_scan_min_rows float8,
    OUT dead_tuples_warning_pct float8,
    OUT dead_tuples_min float8,
    OUT wraparound_warning_pct float8,
    OUT wraparound_critical_pct float8,
    OUT sequence_warning_pct float8,
    OUT sequence_critical_pct float8,
    OUT int4_pk_warning_pct float8,
    OUT connections_warning_pct float8,
    OUT connections_critical_pct float8,
    OUT long_running_warning float8,
    OUT long_running_critical float8,
    OUT idle_in_transaction_warning float8,
    OUT idle_in_transaction_critical float8,
    OUT lock_wait_warning float8,
    OUT lock_wait_critical float8,
    OUT cache_hit_warning_pct float8,
    OUT cache_hit_critical_pct float8,
    OUT cache_hit_min_blocks float8,
    OUT temp_file_warning float8,
    OUT checkpoint_req_warning_pct float8,
    OUT checkpoint_min_count float8,
    OUT rollback_warning_pct float8,
    OUT rollback_min_xacts float8,
    OUT deadlocks_warning float8,
    OUT replication_lag_warning float8,
    OUT replication_delay_warning float8,
    OUT slot_retained_warning float8,
    OUT archive_pending_warning float8,
    OUT slow_query_warning float8,
    OUT slow_query_critical float8,
    OUT slow_query_min_calls float8,
    OUT connection_churn_per_sec float8,
    OUT pooler_idle_pct float8,
    OUT pooler_min_connections float8,
    OUT password_max_age float8,
    OUT tenant_column_pattern text,
    OUT secret_column_pattern text,
    OUT disk_type text,
    OUT workload_type text)
RETURNS record
LANGUAGE C STABLE PARALLEL UNSAFE STRICT
AS 'MODULE_PATHNAME', 'pga_health_settings';
-- PARALLEL UNSAFE on purpose: every health view calls it, so none of them
-- gets a parallel plan; over the catalogs, starting workers costs more than
-- it saves and makes the views slower on a busy server.
COMMENT ON FUNCTION architect.health_settings() IS 'the health thresholds (settings pg_architect.*) in one row: memory in bytes, time in milliseconds';

CREATE VIEW architect.thresholds WITH (security_invoker = true) AS
    SELECT substr(s.name, length('pg_architect.') + 1) AS name,
           s.setting, s.unit, s.short_desc AS description
      FROM pg_catalog.pg_settings s
     WHERE s.name LIKE 'pg\_architect.%'
       AND s.name NOT IN ('pg_architect.capture', 'pg_architect.max_entries', 'pg_architect.sample_rate')
       AND architect.health_settings() IS NOT NULL;
COMMENT ON VIEW architect.thresholds IS 'the settings behind the health findings, with their units and meaning';

CREATE FUNCTION architect.system_info(
    OUT memory_bytes bigint,
    OUT memory_source text,
    OUT reserved_memory_bytes bigint,
    OUT usable_memory_bytes bigint,
    OUT cpus integer,
    OUT cpu_source text,
    OUT physical_memory_bytes bigint,
    OUT cgroup_memory_limit_bytes bigint,
    OUT online_cpus integer,
    OUT cgroup_cpu_limit float8,
    OUT disk_type text,
    OUT workload_type text)
RETURNS record
LANGUAGE C VOLATILE PARALLEL SAFE STRICT
AS 'MODULE_PATHNAME', 'pga_system_info';
COMMENT ON FUNCTION architect.system_info() IS 'memory and CPUs of the machine (operating system, cgroup limits, pg_architect.system_memory/system_cpus overrides) that config_advice plans with';

-- Since when the statistics of this database were collected: their last
-- reset or, when never reset, at least since the server started.
CREATE FUNCTION architect.stats_since()
RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT coalesce(pg_catalog.pg_stat_get_db_stat_reset_time(d.oid), pg_catalog.pg_postmaster_start_time())
      FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()
$$;
COMMENT ON FUNCTION architect.stats_since() IS 'since when the cumulative statistics of this database cover: its last reset, or at least the server start';

-- An age for people: '3 days', '5 hours', '12 minutes', 'under a minute'.
CREATE FUNCTION architect.age_text(age interval)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$
    SELECT CASE
        WHEN extract(epoch FROM age) >= 172800 THEN floor(extract(epoch FROM age) / 86400)::bigint || ' days'
        WHEN extract(epoch FROM age) >= 7200 THEN floor(extract(epoch FROM age) / 3600)::bigint || ' hours'
        WHEN extract(epoch FROM age) >= 120 THEN floor(extract(epoch FROM age) / 60)::bigint || ' minutes'
        WHEN extract(epoch FROM age) >= 60 THEN '1 minute'
        WHEN extract(epoch FROM age) >= 1 THEN round(extract(epoch FROM age))::bigint || ' s'
        WHEN extract(epoch FROM age) > 0 THEN round(extract(epoch FROM age) * 1000)::bigint || ' ms'
        ELSE '0 s' END
$$;
COMMENT ON FUNCTION architect.age_text(interval) IS 'an interval for people: days, hours, minutes, seconds or milliseconds';

CREATE FUNCTION architect.sequence_last_value(seq regclass)
RETURNS bigint
LANGUAGE C VOLATILE PARALLEL RESTRICTED STRICT
AS 'MODULE_PATHNAME', 'pga_sequence_last_value';
COMMENT ON FUNCTION architect.sequence_last_value(regclass) IS 'last value of a sequence, read without waiting for or keeping a lock; NULL when unused, not readable by the caller, busy or dropped; an error (42809) for a relation that is not a sequence';

CREATE FUNCTION architect.statements(
    all_databases boolean DEFAULT false,
    OUT userid oid,
    OUT dbid oid,
    OUT toplevel boolean,
    OUT queryid bigint,
    OUT query text,
    OUT calls bigint,
    OUT total_exec_ms float8,
    OUT mean_exec_ms float8,
    OUT rows bigint,
    OUT shared_blks_hit bigint,
    OUT shared_blks_read bigint,
    OUT temp_blks_written bigint,
    OUT io_ms float8)
RETURNS SETOF record
LANGUAGE C VOLATILE PARALLEL RESTRICTED STRICT
AS 'MODULE_PATHNAME', 'pga_statements';
COMMENT ON FUNCTION architect.statements(boolean) IS 'pg_stat_statements rows of this database (or all), wherever that extension is installed; no rows when it is not';

CREATE FUNCTION architect.statements_reset()
RETURNS timestamptz
LANGUAGE C VOLATILE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'pga_statements_reset';
COMMENT ON FUNCTION architect.statements_reset() IS 'when pg_stat_statements was last reset (pg_stat_statements_info), NULL when unknown or not installed';

CREATE FUNCTION architect.plan_findings_summary(
    OUT dbid oid,
    OUT queryid bigint,
    OUT finding_count bigint,
    OUT findings text,
    OUT worst_severity text)
RETURNS SETOF record
LANGUAGE C VOLATILE PARALLEL RESTRICTED STRICT
AS 'MODULE_PATHNAME', 'pga_plan_findings_summary';
COMMENT ON FUNCTION architect.plan_findings_summary() IS 'capture''s plan findings per query (architect.plan_findings), or no rows when the capture module is not installed';

CREATE FUNCTION architect.hba_rules(
    OUT line_number integer,
    OUT type text,
    OUT database text[],
    OUT user_name text[],
    OUT address text,
    OUT netmask text,
    OUT auth_method text,
    OUT error text)
RETURNS SETOF record
LANGUAGE C VOLATILE PARALLEL RESTRICTED STRICT
AS 'MODULE_PATHNAME', 'pga_hba_rules';
COMMENT ON FUNCTION architect.hba_rules() IS 'pg_hba_file_rules when the caller may read it (superusers by default), otherwise no rows';

CREATE FUNCTION architect.password_roles(
    OUT rolname name,
    OUT rolcanlogin boolean,
    OUT rolvaliduntil timestamptz,
    OUT password_kind text)
RETURNS SETOF record
LANGUAGE C VOLATILE PARALLEL RESTRICTED STRICT
AS 'MODULE_PATHNAME', 'pga_password_roles';
COMMENT ON FUNCTION architect.password_roles() IS 'roles with a password and how it is stored (scram-sha-256, md5, plain) when the caller may read pg_authid, otherwise no rows';

CREATE FUNCTION architect.column_stats(
    OUT relid oid,
    OUT attnum smallint,
    OUT inherited boolean,
    OUT null_frac real,
    OUT avg_width integer)
RETURNS SETOF record
LANGUAGE C STABLE PARALLEL RESTRICTED STRICT
AS 'MODULE_PATHNAME', 'pga_column_stats';
COMMENT ON FUNCTION architect.column_stats() IS 'null share and average width of the columns whose statistics the caller may see (the pg_stats rules), cheaply';

-- The columns of the user's tables, partitioned tables and materialized
-- views (not partitions, not temporary, not in a system schema, not
-- belonging to an extension), that security_advice and schema_advice both
-- look at, and missing_fk_indexes for the names of single-column keys:
-- read once per architect.findings or architect.report() call.
CREATE FUNCTION architect.user_columns(
    OUT attrelid oid,
    OUT nspname name,
    OUT relname name,
    OUT relkind "char",
    OUT relrowsecurity boolean,
    OUT attname name,
    OUT atttypid oid,
    OUT atttypmod integer,
    OUT attnum smallint)
RETURNS SETOF record
LANGUAGE C STABLE PARALLEL RESTRICTED STRICT
ROWS 1000
AS 'MODULE_PATHNAME', 'pga_user_columns';
COMMENT ON FUNCTION architect.user_columns() IS 'the columns of the user''s tables and materialized views (not partitions, temporary tables or extension members), read once per architect.findings or architect.report() call';

-- One row per index with what the index health views look at (C, in
-- health_index_facts.c): one pass over pg_class, pg_index, pg_constraint and
-- pg_inherits instead of a join in each view, kept for the rest of one
-- architect.findings or architect.report() call.  The key columns,
-- operator classes, collations and options are ordinary 1-based arrays
-- (keys has indnatts elements, the others indnkeyatts).  Not the indexes of
-- TOAST tables, which no health view shows.
CREATE FUNCTION architect.index_facts(
    OUT indexrelid oid,
    OUT indrelid oid,
    OUT relnamespace oid,
    OUT table_name name,
    OUT index_name name,
    OUT table_relkind "char",
    OUT table_persistence "char",
    OUT index_relkind "char",
    OUT relam oid,
    OUT size_bytes bigint,
    OUT indisunique boolean,
    OUT indisprimary boolean,
    OUT indisexclusion boolean,
    OUT indisvalid boolean,
    OUT indisready boolean,
    OUT indisreplident boolean,
    OUT indnatts smallint,
    OUT indnkeyatts smallint,
    OUT keys smallint[],
    OUT classes oid[],
    OUT colls oid[],
    OUT opts smallint[],
    OUT has_exprs boolean,
    OUT has_pred boolean,
    OUT backs_constraint boolean,
    OUT is_partition boolean)
RETURNS SETOF record
LANGUAGE C STABLE PARALLEL RESTRICTED STRICT
ROWS 10000
AS 'MODULE_PATHNAME', 'pga_index_facts';
COMMENT ON FUNCTION architect.index_facts() IS 'every index with its table, schema, names, size, flags, key columns and whether it backs a constraint, read once per architect.findings or architect.report() call';

-- The relations (or other objects of class "classid") that belong to an
-- extension: the health views leave them to the extension's authors.
-- Reads pg_depend through its index on the referenced object, one probe
-- per installed extension.
CREATE FUNCTION architect.extension_members(classid regclass)
RETURNS SETOF oid
LANGUAGE sql STABLE PARALLEL SAFE STRICT
AS $$
    SELECT d.objid
      FROM pg_catalog.pg_extension e
      JOIN pg_catalog.pg_depend d
        ON d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.refobjid = e.oid
     WHERE d.classid = extension_members.classid AND d.deptype = 'e'
$$;
COMMENT ON FUNCTION architect.extension_members(regclass) IS 'objects of the given catalog that belong to an installed extension';

-- The names of objects the health views leave out: the system schemas,
-- other sessions' temporary schemas, and the relations of extensions
-- (their authors look after them).
CREATE FUNCTION architect.is_user_schema(nspname name)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$
    SELECT nspname NOT IN ('pg_catalog', 'information_schema', 'architect')
       AND nspname !~ '^pg_(toast|temp_|toast_temp_)'
$$;
COMMENT ON FUNCTION architect.is_user_schema(name) IS 'false for system, TOAST, temporary and pg_architect''s own schemas, which the health views leave out';

-- The views filter what each role may see themselves (security_invoker).
GRANT SELECT ON architect.thresholds TO PUBLIC;
