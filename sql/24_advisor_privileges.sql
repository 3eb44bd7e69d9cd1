-- The advisor for a role without superuser: it sees only the statements
-- pg_stat_statements shows it and the tables it may read.

CREATE TABLE pv_open (id int PRIMARY KEY, k int NOT NULL, v text);
CREATE TABLE pv_secret (id int PRIMARY KEY, k int NOT NULL, v text);
INSERT INTO pv_open SELECT g, g % 1000, 'v' || g FROM generate_series(1, 20000) g;
INSERT INTO pv_secret SELECT g, g % 1000, 'v' || g FROM generate_series(1, 20000) g;
VACUUM ANALYZE pv_open, pv_secret;

CREATE ROLE pga_adv_user;
GRANT SELECT ON pv_open TO pga_adv_user;

SELECT pg_stat_statements_reset() IS NOT NULL AS reset;

-- The superuser reads the secret table; the role reads the open one.
SELECT count(*) FROM pv_secret WHERE k = 5;
SET ROLE pga_adv_user;
SELECT count(*) FROM pv_open WHERE k = 7;

-- The role sees its own statement only: the superuser's text is hidden.
SELECT table_name, columns FROM architect.recommend_indexes();
SELECT skipped_not_permitted > 0 AS hidden_statements_skipped
  FROM architect.advisor_stats();
-- An explicit statement on a table it may not read is skipped, not costed.
SELECT count(*) AS recommended
  FROM architect.recommend_indexes_for(ARRAY['SELECT count(*) FROM pv_secret WHERE k = 5']);
SELECT queries, skipped_not_permitted FROM architect.advisor_stats();
RESET ROLE;

-- With pg_read_all_stats it sees every statement's text, but still only
-- advises on the tables it may read.
GRANT pg_read_all_stats TO pga_adv_user;
SET ROLE pga_adv_user;
SELECT table_name, columns FROM architect.recommend_indexes();
SELECT skipped_not_permitted > 0 AS secret_statement_skipped
  FROM architect.advisor_stats();
RESET ROLE;

REVOKE pg_read_all_stats FROM pga_adv_user;
REVOKE ALL ON pv_open FROM pga_adv_user;
DROP ROLE pga_adv_user;

-- Leave nothing behind for the suites that follow.
DROP TABLE pv_open, pv_secret;
