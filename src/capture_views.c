/*-------------------------------------------------------------------------
 *
 * capture_views.c
 *	  The set-returning functions behind the capture views:
 *	  architect.query_patterns(), architect.predicates(),
 *	  architect.plan_findings() and architect.query_errors().
 *
 * Each copies the entries of one store table (pga_store_snapshot, no
 * LWLock held) and returns them as rows; the views in the install script
 * add names from the catalogs.  Query texts, example constants and error
 * messages are shown only to roles allowed to see them, the
 * pg_stat_statements rule: the role that ran the statement, or a member
 * of pg_read_all_stats.  Everything else is visible to everyone.
 *
 * Locking: none beyond what pga_store_snapshot takes (slot spinlocks).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_authid.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/elog.h"
#include "utils/timestamp.h"

#include "pg_architect.h"
#include "planwalk.h"
#include "store.h"

PG_FUNCTION_INFO_V1(pga_query_patterns);
PG_FUNCTION_INFO_V1(pga_predicates);
PG_FUNCTION_INFO_V1(pga_plan_findings);
PG_FUNCTION_INFO_V1(pga_query_errors);

/* May the current role see what userid ran? */
static inline bool
pga_may_see(bool read_all_stats, Oid userid)
{
	return read_all_stats || userid == GetUserId();
}

static Datum
pga_timestamp_or_null(TimestampTz t, bool *isnull)
{
	*isnull = (t == 0);
	return TimestampTzGetDatum(t);
}

/*
 * pga_view_begin
 *		What every view function starts with: the store (or the
 *		not-preloaded error naming the view), a materialized result, and a
 *		copy of one store table's entries.  Returns how many entries were
 *		copied; *size is the size of one entry.
 */
static int
pga_view_begin(FunctionCallInfo fcinfo, const char *what, PgaTableId tbl,
			   char **entries, Size *size)
{
	int			n;

	pga_store_required(what);
	pga_init_materialized_srf(fcinfo, 0);
	n = pga_store_snapshot(tbl, entries);
	*size = pga_store_entrysize(tbl);
	return n;
}

/*
 * architect.query_patterns(): one row per database, user and query id.
 */
Datum
pga_query_patterns(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	bool		read_all = has_privs_of_role(GetUserId(), ROLE_PG_READ_ALL_STATS);
	char	   *entries;
	Size		size;
	int			n;

	n = pga_view_begin(fcinfo, "architect.query_patterns", PGA_QUERIES, &entries, &size);

	for (int i = 0; i < n; i++)
	{
		PgaQueryEntry *e = (PgaQueryEntry *) (entries + (Size) i * size);
		Datum		values[17];
		bool		nulls[17];
		int			c = 0;

		memset(nulls, 0, sizeof(nulls));
		values[c++] = ObjectIdGetDatum(e->key.dbid);
		values[c++] = ObjectIdGetDatum(e->key.userid);
		values[c++] = Int64GetDatum((int64) e->key.queryid);
		values[c++] = Int64GetDatum(e->calls);
		values[c++] = Int64GetDatum(e->measured);
		values[c++] = Float8GetDatum(e->total_ms);
		values[c++] = Float8GetDatum(e->min_ms);
		values[c++] = Float8GetDatum(e->max_ms);
		values[c++] = Int64GetDatum(e->rows);
		values[c++] = Int64GetDatum(e->shared_blks_hit);
		values[c++] = Int64GetDatum(e->shared_blks_read);
		values[c++] = Int64GetDatum(e->temp_blks_written);
		if (pga_may_see(read_all, e->key.userid) && e->text_len > 0)
		{
			values[c++] = CStringGetTextDatum(e->text);
			values[c++] = BoolGetDatum(e->text_truncated);
		}
		else
		{
			nulls[c++] = true;
			nulls[c++] = true;
		}
		values[c++] = Float8GetDatum(e->example_ms);
		values[c] = pga_timestamp_or_null(e->first_seen, &nulls[c]);
		c++;
		values[c] = pga_timestamp_or_null(e->last_seen, &nulls[c]);
		c++;
		Assert(c == lengthof(values));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

static const char *
pga_form_name(int form)
{
	switch (form)
	{
		case PGA_FORM_OP:
			return "op";
		case PGA_FORM_ANY:
			return "any";
		case PGA_FORM_ALL:
			return "all";
		case PGA_FORM_IS_NULL:
			return "is_null";
		case PGA_FORM_IS_NOT_NULL:
			return "is_not_null";
	}
	return "unknown";
}

/*
 * architect.predicates(): one row per database, query id, table,
 * predicate and kind.
 */
Datum
pga_predicates(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	bool		read_all = has_privs_of_role(GetUserId(), ROLE_PG_READ_ALL_STATS);
	char	   *entries;
	Size		size;
	int			n;

	n = pga_view_begin(fcinfo, "architect.predicates", PGA_PREDICATES, &entries, &size);

	for (int i = 0; i < n; i++)
	{
		PgaPredEntry *e = (PgaPredEntry *) (entries + (Size) i * size);
		Datum		values[22];
		bool		nulls[22];
		int			c = 0;

		memset(nulls, 0, sizeof(nulls));
		values[c++] = ObjectIdGetDatum(e->key.dbid);
		values[c++] = Int64GetDatum((int64) e->key.queryid);
		values[c++] = ObjectIdGetDatum(e->key.relid);
		values[c++] = Int16GetDatum(e->key.attnum);
		if (e->key.attnum == 0 && e->expr[0] != '\0')
			values[c++] = CStringGetTextDatum(e->expr);
		else
			nulls[c++] = true;
		values[c++] = ObjectIdGetDatum(e->key.opno);
		values[c++] = CStringGetTextDatum(pga_kind_name(e->key.kind));
		values[c++] = CStringGetTextDatum(pga_form_name(e->key.form));
		values[c++] = Int16GetDatum(e->key.position);
		values[c++] = Int64GetDatum((int64) e->key.scan_group);
		values[c++] = Int64GetDatum(e->executions);
		values[c++] = Int64GetDatum(e->measured);
		values[c++] = Int64GetDatum((int64) e->rows_scanned);
		values[c++] = Int64GetDatum((int64) e->rows_removed);
		if (e->measured > 0)
		{
			values[c++] = Float8GetDatum(e->est_rows / e->measured);
			values[c++] = Float8GetDatum(e->actual_rows / e->measured);
		}
		else
		{
			nulls[c++] = true;
			nulls[c++] = true;
		}
		if (e->est_base > 0)
			values[c++] = Float8GetDatum(Min(e->est_rows / e->est_base, 1.0));
		else
			nulls[c++] = true;
		if (e->actual_base > 0)
			values[c++] = Float8GetDatum(Min(e->actual_rows / e->actual_base, 1.0));
		else
			nulls[c++] = true;
		if (e->example[0] != '\0' && pga_may_see(read_all, e->example_userid))
			values[c++] = CStringGetTextDatum(e->example);
		else
			nulls[c++] = true;
		values[c++] = Float8GetDatum(e->example_ms);
		values[c] = pga_timestamp_or_null(e->first_seen, &nulls[c]);
		c++;
		values[c] = pga_timestamp_or_null(e->last_seen, &nulls[c]);
		c++;
		Assert(c == lengthof(values));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * architect.plan_findings(): one row per database, query id, finding and
 * plan node.
 */
Datum
pga_plan_findings(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *entries;
	Size		size;
	int			n;

	n = pga_view_begin(fcinfo, "architect.plan_findings", PGA_FINDINGS, &entries, &size);

	for (int i = 0; i < n; i++)
	{
		PgaFindingEntry *e = (PgaFindingEntry *) (entries + (Size) i * size);
		Datum		values[13];
		bool		nulls[13];
		const char *hint = pga_finding_hint(e->key.code);
		int			c = 0;

		memset(nulls, 0, sizeof(nulls));
		values[c++] = ObjectIdGetDatum(e->key.dbid);
		values[c++] = Int64GetDatum((int64) e->key.queryid);
		values[c++] = ObjectIdGetDatum(e->key.relid);
		values[c++] = CStringGetTextDatum(e->node);
		values[c++] = CStringGetTextDatum(pga_finding_name(e->key.code));
		values[c++] = CStringGetTextDatum(pga_severity_name(e->severity));
		values[c++] = CStringGetTextDatum(e->detail);
		if (hint)
			values[c++] = CStringGetTextDatum(hint);
		else
			nulls[c++] = true;
		values[c++] = Int64GetDatum(e->occurrences);
		values[c++] = Float8GetDatum(e->worst);
		values[c++] = ObjectIdGetDatum(e->userid);
		values[c] = pga_timestamp_or_null(e->first_seen, &nulls[c]);
		c++;
		values[c] = pga_timestamp_or_null(e->last_seen, &nulls[c]);
		c++;
		Assert(c == lengthof(values));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * architect.query_errors(): one row per database, query id and SQLSTATE.
 */
Datum
pga_query_errors(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	bool		read_all = has_privs_of_role(GetUserId(), ROLE_PG_READ_ALL_STATS);
	char	   *entries;
	Size		size;
	int			n;

	n = pga_view_begin(fcinfo, "architect.query_errors", PGA_ERRORS, &entries, &size);

	for (int i = 0; i < n; i++)
	{
		PgaErrorEntry *e = (PgaErrorEntry *) (entries + (Size) i * size);
		Datum		values[8];
		bool		nulls[8];
		int			c = 0;

		memset(nulls, 0, sizeof(nulls));
		values[c++] = ObjectIdGetDatum(e->key.dbid);
		values[c++] = Int64GetDatum((int64) e->key.queryid);
		values[c++] = CStringGetTextDatum(unpack_sql_state(e->key.sqlerrcode));
		if (pga_may_see(read_all, e->userid))
			values[c++] = CStringGetTextDatum(e->message);
		else
			nulls[c++] = true;
		values[c++] = Int64GetDatum(e->count);
		values[c++] = ObjectIdGetDatum(e->userid);
		values[c] = pga_timestamp_or_null(e->first_seen, &nulls[c]);
		c++;
		values[c] = pga_timestamp_or_null(e->last_seen, &nulls[c]);
		c++;
		Assert(c == lengthof(values));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
