-- Index advisor: hypothetical indexes costed by the planner in-process
-- (whatif.c, hypo.c, indexsize.c) and workload-wide selection under a
-- storage budget (advisor.c).

CREATE FUNCTION architect.whatif(
    query text,
    indexes text[],
    OUT index_name text,
    OUT ddl text,
    OUT used boolean,
    OUT estimated_size_bytes bigint,
    OUT cost_without float8,
    OUT cost_with float8,
    OUT improvement_pct float8)
RETURNS SETOF record
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'pga_whatif';
COMMENT ON FUNCTION architect.whatif(text, text[]) IS
  'plans the query without and with the given CREATE INDEX statements as hypothetical indexes (nothing is created) and says which ones the plan uses';

CREATE FUNCTION architect.recommend_indexes(
    budget_mb float8 DEFAULT NULL,
    max_indexes int DEFAULT 10,
    OUT rank int,
    OUT schema_name text,
    OUT table_name text,
    OUT index_name text,
    OUT columns text[],
    OUT include_columns text[],
    OUT method text,
    OUT predicate text,
    OUT ddl text,
    OUT estimated_size_bytes bigint,
    OUT benefit float8,
    OUT improvement_pct float8,
    OUT queryids bigint[],
    OUT reason text,
    OUT query_improvement_pct float8[])
RETURNS SETOF record
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'pga_recommend_indexes';
COMMENT ON FUNCTION architect.recommend_indexes(float8, int) IS
  'indexes to create for the whole workload (captured queries, else pg_stat_statements), chosen with hypothetical indexes within a storage budget';

CREATE FUNCTION architect.recommend_indexes_for(
    queries text[],
    budget_mb float8 DEFAULT NULL,
    max_indexes int DEFAULT 10,
    weights float8[] DEFAULT NULL,
    times_ms float8[] DEFAULT NULL,
    OUT rank int,
    OUT schema_name text,
    OUT table_name text,
    OUT index_name text,
    OUT columns text[],
    OUT include_columns text[],
    OUT method text,
    OUT predicate text,
    OUT ddl text,
    OUT estimated_size_bytes bigint,
    OUT benefit float8,
    OUT improvement_pct float8,
    OUT queryids bigint[],
    OUT reason text,
    OUT query_improvement_pct float8[])
RETURNS SETOF record
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'pga_recommend_indexes_for';
COMMENT ON FUNCTION architect.recommend_indexes_for(text[], float8, int, float8[], float8[]) IS
  'indexes to create for the given statements (each run as many times as its element of weights says, default 1, taking in all its element of times_ms milliseconds when given), as recommend_indexes() chooses them';

CREATE FUNCTION architect.advisor_stats(
    OUT source text,
    OUT queries int,
    OUT ignored int,
    OUT skipped_unparsable int,
    OUT skipped_missing_relation int,
    OUT skipped_param_types int,
    OUT skipped_not_permitted int,
    OUT skipped_other int,
    OUT candidates int,
    OUT whatif_calls bigint,
    OUT cache_hits bigint,
    OUT capped boolean,
    OUT runtime_ms float8,
    OUT whatif_ms float8,
    OUT mean_whatif_ms float8,
    OUT workload_cost_before float8,
    OUT workload_cost_after float8,
    OUT write_cost float8,
    OUT derived_costs bigint,
    OUT skipped_utility int,
    OUT misestimated_queries int,
    OUT risk_adjusted_plans bigint,
    OUT unplannable_plans bigint,
    OUT skipped_internal_error int)
RETURNS record
LANGUAGE C VOLATILE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'pga_advisor_stats';
COMMENT ON FUNCTION architect.advisor_stats() IS
  'counters of this session''s last index recommendation: workload read, statements skipped by reason (skipped_internal_error: PostgreSQL''s own parser or planner failed the statement with XX000), planner calls and time, costs answered from the cache or derived without planning, estimated workload cost before and after, queries with an underestimate measured by capture, plans the misestimate guard re-costed, and what-if plannings that PostgreSQL''s planner failed with an internal error (that index set costed as unplannable for that query)';

CREATE VIEW architect.index_recommendations AS
    SELECT * FROM architect.recommend_indexes();
COMMENT ON VIEW architect.index_recommendations IS
  'recommend_indexes() with its defaults: no storage limit, at most 10 indexes';
GRANT SELECT ON architect.index_recommendations TO PUBLIC;

CREATE FUNCTION architect.workload_whatif(
    indexes text[],
    queries text[] DEFAULT NULL,
    OUT queryid bigint,
    OUT calls float8,
    OUT cost_without float8,
    OUT cost_with float8,
    OUT used_indexes text[],
    OUT query text,
    OUT guarded_cost_with float8)
RETURNS SETOF record
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'pga_workload_whatif';
COMMENT ON FUNCTION architect.workload_whatif(text[], text[]) IS
  'the workload recommend_indexes() reads (or the given statements), each statement costed without and with the given hypothetical CREATE INDEX statements, and with them as the advisor costs it (misestimate and random-fetch guards applied)';
