-- The extension's objects, its settings and its store.

-- Every object the extension owns: this list changes only on purpose.
\dx+ pg_architect

-- The library is preloaded and every setting has its documented default.
SELECT name, setting, context, vartype
  FROM pg_settings WHERE name LIKE 'pg_architect.%' ORDER BY name;

-- The prefix is reserved: a misspelt setting is an error, not a placeholder.
SET pg_architect.capturee = off;

-- Out-of-range values are refused.
SET pg_architect.sample_rate = 1.5;
SET pg_architect.sample_rate = -0.1;
SET pg_architect.sample_rate = 0.25;
SHOW pg_architect.sample_rate;
RESET pg_architect.sample_rate;

-- The store is attached; reset() moves stats_reset forward.
SELECT max_entries FROM architect.capture_stats;
CREATE TEMP TABLE before_reset AS SELECT stats_reset FROM architect.capture_stats;
SELECT architect.reset();
SELECT c.stats_reset > b.stats_reset AS reset_moved
  FROM architect.capture_stats c, before_reset b;

-- reset() is for privileged roles only.
CREATE ROLE pga_plain_user;
SET ROLE pga_plain_user;
SELECT architect.reset();
SELECT count(*) FROM architect.capture_stats;
RESET ROLE;
DROP ROLE pga_plain_user;

-- DROP EXTENSION leaves nothing behind, and it can be created again.
DROP EXTENSION pg_architect;
SELECT count(*) AS schemas_left FROM pg_namespace WHERE nspname = 'architect';
SELECT count(*) AS functions_left FROM pg_proc WHERE probin LIKE '%pg_architect%';
CREATE EXTENSION pg_architect;
SELECT architect.version();
