-- Core objects: the schema, the version, and the capture store's status.
-- The schema is created here, not through the control file, so that it is
-- a member of the extension and DROP EXTENSION removes it.
CREATE SCHEMA architect;
COMMENT ON SCHEMA architect IS 'pg_architect: workload capture, index advice and builds, guards, health';

-- Keep the schema's own privileges deliberate: usable by everyone (views
-- filter what each role may see), objects created only by the extension.
REVOKE ALL ON SCHEMA architect FROM PUBLIC;
GRANT USAGE ON SCHEMA architect TO PUBLIC;

CREATE FUNCTION architect.version()
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT '0.1.0'::text $$;
COMMENT ON FUNCTION architect.version() IS 'version of the pg_architect SQL objects installed in this database';
