-- What-if costing of multi-way joins with re-used join orders
-- (whatif_joins.c): a diagnostic to see what it does to one costing.

CREATE FUNCTION architect.whatif_join_reuse(
    query text,
    indexes text[],
    trained_with text[] DEFAULT '{}',
    OUT full_cost float8,
    OUT reused_cost float8,
    OUT reused boolean,
    OUT recorded_joins int)
RETURNS record
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'pga_whatif_join_reuse';
COMMENT ON FUNCTION architect.whatif_join_reuse(text, text[], text[]) IS
  'costs the query under the given hypothetical indexes with a full join search and with a join search restricted to the join orders of its full plans with no new index and with trained_with (nothing is created); reused_cost is never below full_cost';

CREATE FUNCTION architect.whatif_join_reuse_stats(
    OUT restricted_calls bigint,
    OUT whatif_calls bigint)
RETURNS record
LANGUAGE C VOLATILE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'pga_whatif_join_reuse_stats';
COMMENT ON FUNCTION architect.whatif_join_reuse_stats() IS
  'what-if planner calls of this session whose join search was restricted to the join orders of earlier full plans (pg_architect.whatif_reuse_join_orders), and all its what-if planner calls';
