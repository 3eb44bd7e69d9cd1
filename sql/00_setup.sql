-- Set-up shared by the regression suites: the extensions, in a database
-- whose cluster preloads pg_stat_statements, pg_cron and pg_architect.
CREATE EXTENSION pg_stat_statements;
CREATE EXTENSION pg_architect;
SELECT architect.version();
SELECT extname, extversion, extrelocatable
  FROM pg_extension e
 WHERE extname = 'pg_architect';
