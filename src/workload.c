/*-------------------------------------------------------------------------
 *
 * workload.c
 *	  The index advisor's workload: which queries, how often, what they
 *	  cost today, and what their plans say about useful indexes.
 *
 * Sources, in order of preference:
 *	- an explicit list of statements (architect.recommend_indexes_for);
 *	- the queries pg_architect's capture module sampled, from the view
 *	  architect.query_patterns when it exists: each with the text of a real
 *	  execution, constants included;
 *	- pg_stat_statements, for the queries capture did not see: the
 *	  normalised text ($1, $2... for constants), planned generically with
 *	  the parameter types inferred from context.
 * Only the current database's statements are read, through SPI as the
 * calling role: a role without pg_read_all_stats sees its own statements
 * only, and statements touching tables it may not read are skipped.  The
 * queries with the largest total execution time come first, up to
 * pg_architect.max_workload_queries.
 *
 * Weights: a query counts with its executions times a correction from its
 * measured time (pga_time_weights below), so that the workload is weighted
 * by executions and time.
 *
 * Each statement is parsed, analysed, rewritten and planned once, inside a
 * subtransaction: a statement that cannot be planned any more (its table
 * was dropped, its text was truncated, a parameter's type cannot be
 * inferred, the role lacks a privilege) is rolled back, counted by reason
 * and skipped; it never fails the whole run.  Cancellation and resource
 * errors are re-thrown.  The baseline plan is made with the candidate
 * collector on (candidates.c), which reads the planner's view of every
 * table scan: restriction and join clauses, sort and group keys, needed
 * columns.
 *
 * Write activity per table is measured over the same window as the reads:
 * the rows the workload's own INSERT, UPDATE and DELETE statements wrote
 * (pg_stat_statements' and capture's row counts; for an explicit list, the
 * planner's row estimate times the weight), with the columns each UPDATE
 * sets.  The table's cumulative statistics (pg_stat_user_tables'
 * n_tup_hot_upd / n_tup_upd) give the share of its updates that are HOT
 * today.  Counting writes from the workload rather than from the table's
 * counters keeps both sides of the trade-off in the same time window: the
 * table counters also hold bulk loads and everything since the last
 * pg_stat_reset(), which pg_stat_statements_reset() does not reset.
 *
 * Locking: the statements' tables are locked AccessShareLock by parse
 * analysis and planning, until transaction end.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>
#include <math.h>

#include "access/relation.h"
#include "access/xact.h"
#include "catalog/catalog.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "parser/parsetree.h"
#include "pgstat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/resowner.h"

#include "advisor.h"
#include "pg_architect.h"
#include "guc.h"
#include "whatif.h"

bool		pga_workload_locks_fatal = false;

/* A statement as read from its source. */
typedef struct PgaRawQuery
{
	int64		queryid;
	char	   *text;
	double		calls;
	double		total_ms;
	double		rows;			/* rows over all calls, or -1 if unknown */
} PgaRawQuery;

/*
 * pga_table_get
 *		The run's entry for a table, made on first use with its write
 *		statistics and existing indexes.
 */
PgaTable *
pga_table_get(PgaRun *run, Oid relid)
{
	ListCell   *lc;
	PgaTable   *t;
	MemoryContext old;
	PgStat_StatTabEntry *st;
	Relation	rel;

	foreach(lc, run->tables)
	{
		t = (PgaTable *) lfirst(lc);
		if (t->relid == relid)
			return t;
	}

	old = MemoryContextSwitchTo(run->cxt);
	t = palloc0(sizeof(PgaTable));
	t->relid = relid;
	t->hot_ratio = 1.0;
	st = pgstat_fetch_stat_tabentry(relid);
	if (st && st->tuples_updated > 0)
		t->hot_ratio = Min(1.0, (double) st->tuples_hot_updated /
						   (double) st->tuples_updated);
	rel = relation_open(relid, AccessShareLock);
	t->indexes = list_copy(RelationGetIndexList(rel));
	t->n_indexes = list_length(t->indexes);
	relation_close(rel, NoLock);
	run->tables = lappend(run->tables, t);
	MemoryContextSwitchTo(old);
	return t;
}

/*
 * pga_is_user_table
 *		A table the advisor may propose indexes for: a permanent plain table
 *		or materialized view, not a system catalog, not part of an extension,
 *		not a partition (partitioned tables are not advised on yet: an index
 *		belongs on the parent, which CREATE INDEX CONCURRENTLY cannot build,
 *		and the candidate collector does not see partitions).
 */
static bool
pga_is_user_table(Oid relid)
{
	char		relkind = get_rel_relkind(relid);
	Oid			nsp;

	if (relkind != RELKIND_RELATION && relkind != RELKIND_MATVIEW)
		return false;
	if (get_rel_persistence(relid) == RELPERSISTENCE_TEMP)
		return false;
	if (get_rel_relispartition(relid))
		return false;
	nsp = get_rel_namespace(relid);
	if (IsCatalogNamespace(nsp) || IsToastNamespace(nsp) ||
		IsCatalogRelationOid(relid))
		return false;
	if (strcmp(get_namespace_name(nsp), "information_schema") == 0)
		return false;
	if (OidIsValid(getExtensionOfObject(RelationRelationId, relid)))
		return false;
	return true;
}

/*
 * pga_note_writes
 *		Count the rows a data-modifying statement writes into its table, and
 *		for an UPDATE the columns it sets: an index on one of them makes
 *		those updates lose HOT.
 */
static void
pga_note_writes(PgaRun *run, PgaQuery *q)
{
	Query	   *query = q->query;
	RangeTblEntry *rte;
	PgaTable   *t;
	ListCell   *lc;
	MemoryContext old;

	if (query->resultRelation <= 0 ||
		(query->commandType != CMD_INSERT && query->commandType != CMD_UPDATE &&
		 query->commandType != CMD_DELETE))
		return;
	rte = rt_fetch(query->resultRelation, query->rtable);
	if (rte->rtekind != RTE_RELATION || !pga_is_user_table(rte->relid))
		return;
	t = pga_table_get(run, rte->relid);
	old = MemoryContextSwitchTo(run->cxt);
	if (query->commandType == CMD_INSERT)
		t->ins_rows += q->rows;
	else if (query->commandType == CMD_DELETE)
		t->del_rows += q->rows;
	else
	{
		PgaUpdate  *u = palloc0(sizeof(PgaUpdate));

		foreach(lc, query->targetList)
		{
			TargetEntry *tle = (TargetEntry *) lfirst(lc);

			if (!tle->resjunk && tle->resno > 0)
				u->attrs = bms_add_member(u->attrs, tle->resno);
		}
		u->rows = q->rows;
		t->updates = lappend(t->updates, u);
		t->upd_rows += q->rows;
	}
	MemoryContextSwitchTo(old);
}

/*
 * pga_classify_error
 *		Count a statement that could not be planned, by SQLSTATE.
 */
static void
pga_classify_error(PgaRun *run, int sqlerrcode)
{
	switch (sqlerrcode)
	{
		case ERRCODE_SYNTAX_ERROR:
			run->stats.skip_unparsable++;
			break;
		case ERRCODE_UNDEFINED_TABLE:
		case ERRCODE_UNDEFINED_COLUMN:
		case ERRCODE_UNDEFINED_FUNCTION:
		case ERRCODE_UNDEFINED_OBJECT:
		case ERRCODE_UNDEFINED_SCHEMA:
			run->stats.skip_missing++;
			break;
		case ERRCODE_INDETERMINATE_DATATYPE:
		case ERRCODE_AMBIGUOUS_PARAMETER:
		case ERRCODE_AMBIGUOUS_FUNCTION:
			run->stats.skip_param_types++;
			break;
		case ERRCODE_INSUFFICIENT_PRIVILEGE:
			run->stats.skip_not_permitted++;
			break;
		case ERRCODE_INTERNAL_ERROR:
			run->stats.skip_internal_error++;
			break;
		default:
			run->stats.skip_other++;
	}
}

/*
 * pga_plan_baseline
 *		Inside the caller's subtransaction: prepare the statement, plan it
 *		with the collector on, and fill q.  Returns false (with the reason
 *		counted) when the statement is skipped.
 */
static bool
pga_plan_baseline(PgaRun *run, PgaQuery *q)
{
	PgaPrepareStatus status;
	PgaPlanResult res;
	ListCell   *lc;

	q->query = pga_prepare_query(q->text, &status);
	if (q->query == NULL)
	{
		elog(DEBUG1, "workload statement skipped (%s): %s",
			 status == PGA_PREPARE_PARAM_TYPES ? "parameter of unknown type" :
			 status == PGA_PREPARE_NOT_DML ? "not a query" :
			 status == PGA_PREPARE_RULES ? "rules rewrite it into several statements" :
			 "several statements",
			 q->text);
		if (status == PGA_PREPARE_PARAM_TYPES)
			run->stats.skip_param_types++;
		else if (status == PGA_PREPARE_NOT_DML)
			run->stats.skip_utility++;
		else
			run->stats.skip_other++;
		return false;
	}

	pga_collect_begin(run, q);
	PG_TRY();
	{
		pga_plan_query(q->query, q->text, NIL, &res, true);
	}
	PG_FINALLY();
	{
		pga_collect_end();
	}
	PG_END_TRY();

	if (!ExecCheckRTPerms(res.rtable, false))
	{
		run->stats.skip_not_permitted++;
		return false;
	}

	q->base_cost = res.total_cost;
	q->cur_cost = res.total_cost;
	/* Rows written: measured when the source says, else estimated. */
	if (q->rows < 0)
		q->rows = res.rows * q->calls;
	foreach(lc, res.relids)
	{
		Oid			relid = lfirst_oid(lc);

		if (pga_is_user_table(relid))
		{
			PgaTable   *t = pga_table_get(run, relid);

			if (!list_member_ptr(q->tables, t))
				q->tables = lappend(q->tables, t);
		}
	}
	pga_note_writes(run, q);
	if (q->tables == NIL)
	{
		run->stats.ignored++;
		return false;
	}
	return true;
}

/* Arguments and result of one pga_plan_baseline(), for pga_subxact_run(). */
typedef struct PgaBaselineCall
{
	PgaRun	   *run;
	PgaQuery   *q;
	bool		keep;
} PgaBaselineCall;

static void
pga_plan_baseline_subxact(void *arg)
{
	PgaBaselineCall *c = (PgaBaselineCall *) arg;

	c->keep = pga_plan_baseline(c->run, c->q);
}

/*
 * pga_workload_add
 *		Prepare and plan one statement in a subtransaction; keep it if it
 *		plans, count why not otherwise.
 */
static void
pga_workload_add(PgaRun *run, PgaRawQuery *raw)
{
	MemoryContext oldcxt;
	PgaQuery   *q;
	PgaBaselineCall call;
	ErrorData  *edata;
	bool		keep;

	CHECK_FOR_INTERRUPTS();

	q = MemoryContextAllocZero(run->cxt, sizeof(PgaQuery));
	q->queryid = raw->queryid;
	q->text = raw->text;
	q->calls = raw->calls;
	q->weight = raw->calls;
	q->total_ms = raw->total_ms;
	q->rows = raw->rows;

	call.run = run;
	call.q = q;
	call.keep = false;
	oldcxt = MemoryContextSwitchTo(run->cxt);
	edata = pga_subxact_run(pga_plan_baseline_subxact, &call, true);
	MemoryContextSwitchTo(oldcxt);
	keep = call.keep;
	if (edata != NULL)
	{
		int			cat;

		/*
		 * Cancellation, shortage of resources, corruption: give up.  A plain
		 * internal error (XX000) is PostgreSQL failing this one statement
		 * (sqlsmith finds statements that its parser or planner fails so,
		 * e.g. "failed to find conversion function from unknown to text"):
		 * the application got the same error, and the rest of the workload
		 * is still worth advice, so the statement is skipped and counted.
		 */
		cat = ERRCODE_TO_CATEGORY(edata->sqlerrcode);
		if (cat == ERRCODE_OPERATOR_INTERVENTION ||
			cat == ERRCODE_INSUFFICIENT_RESOURCES ||
			cat == ERRCODE_PROGRAM_LIMIT_EXCEEDED ||
			cat == ERRCODE_SYSTEM_ERROR ||
			(cat == ERRCODE_INTERNAL_ERROR &&
			 edata->sqlerrcode != ERRCODE_INTERNAL_ERROR))
			ReThrowError(edata);

		/* A lookup that must tell "locked" from "nothing to recommend". */
		if (pga_workload_locks_fatal &&
			edata->sqlerrcode == ERRCODE_LOCK_NOT_AVAILABLE)
			ReThrowError(edata);

		pga_classify_error(run, edata->sqlerrcode);
		elog(DEBUG1, "workload statement skipped (%s): %s",
			 edata->message ? edata->message : "error", q->text);
		keep = false;
	}

	if (keep)
	{
		MemoryContext old = MemoryContextSwitchTo(run->cxt);

		q->idx = list_length(run->queries);
		if (q->queryid == 0)
			q->queryid = q->query->queryId != 0 ? (int64) q->query->queryId :
				q->idx + 1;
		run->queries = lappend(run->queries, q);
		MemoryContextSwitchTo(old);
	}
}

/*
 * pga_repair_typed_literals
 *		pg_stat_statements normalises the string of a typed literal (interval
 *		'3 days') into a parameter, which leaves text that does not parse
 *		(interval $2).  Write such parameters as casts ($2::interval) so that
 *		the statement can be planned.  Quoted strings, quoted identifiers and
 *		comments are left alone.
 */
static char *
pga_repair_typed_literals(const char *text)
{
	static const char *const types[] = {
		"interval", "date", "time", "timestamp", "timestamptz", "json",
		"jsonb", "uuid", "inet", "cidr", "numeric", "boolean", "bool", "text",
		"integer", "int", "bigint", "smallint", "real", NULL
	};
	StringInfoData out;
	const char *p = text;

	initStringInfo(&out);
	while (*p)
	{
		if (*p == '\'' || *p == '"')
		{
			char		q = *p;

			appendStringInfoChar(&out, *p++);
			while (*p && *p != q)
				appendStringInfoChar(&out, *p++);
			if (*p)
				appendStringInfoChar(&out, *p++);
			continue;
		}
		if (p[0] == '-' && p[1] == '-')
		{
			while (*p && *p != '\n')
				appendStringInfoChar(&out, *p++);
			continue;
		}
		if (isalpha((unsigned char) *p) &&
			(p == text || !(isalnum((unsigned char) p[-1]) || p[-1] == '_' ||
							p[-1] == '.' || p[-1] == '"')))
		{
			const char *w = p;
			int			wl;
			int			i;
			const char *d;

			while (isalnum((unsigned char) *p) || *p == '_')
				p++;
			wl = p - w;
			d = p;
			while (*d == ' ' || *d == '\t' || *d == '\n' || *d == '\r')
				d++;
			if (d > p && d[0] == '$' && isdigit((unsigned char) d[1]))
			{
				for (i = 0; types[i]; i++)
				{
					if ((int) strlen(types[i]) == wl &&
						pg_strncasecmp(w, types[i], wl) == 0)
						break;
				}
				if (types[i])
				{
					const char *n = d + 1;

					while (isdigit((unsigned char) *n))
						n++;
					appendBinaryStringInfo(&out, d, n - d);
					appendStringInfo(&out, "::%s", types[i]);
					p = n;
					continue;
				}
			}
			appendBinaryStringInfo(&out, w, wl);
			continue;
		}
		appendStringInfoChar(&out, *p++);
	}
	return out.data;
}

/*
 * pga_read_statements
 *		Run a query returning (queryid, calls, total_ms, text) through SPI
 *		and append its rows, copied into the run's context, to *out.  Rows
 *		whose queryid is in skip are left out.
 */
static void
pga_read_statements(PgaRun *run, const char *sql, List **out, HTAB *skip,
					HTAB *seen, bool normalised)
{
	uint64		i;

	if (SPI_execute(sql, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the workload: %s", sql);

	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		int64		queryid;
		Datum		d;
		PgaRawQuery *raw;
		char	   *text;

		d = SPI_getbinval(tup, desc, 1, &isnull);
		if (isnull)
			continue;
		queryid = DatumGetInt64(d);
		if (skip && hash_search(skip, &queryid, HASH_FIND, NULL))
			continue;
		text = SPI_getvalue(tup, desc, 4);
		if (text == NULL)
			continue;
		if (strcmp(text, "<insufficient privilege>") == 0)
		{
			run->stats.skip_not_permitted++;
			continue;
		}

		raw = MemoryContextAllocZero(run->cxt, sizeof(PgaRawQuery));
		raw->queryid = queryid;
		raw->text = MemoryContextStrdup(run->cxt, normalised ?
										pga_repair_typed_literals(text) : text);
		d = SPI_getbinval(tup, desc, 2, &isnull);
		raw->calls = isnull ? 1.0 : Max(DatumGetFloat8(d), 1.0);
		d = SPI_getbinval(tup, desc, 3, &isnull);
		raw->total_ms = isnull ? 0.0 : DatumGetFloat8(d);
		d = SPI_getbinval(tup, desc, 5, &isnull);
		raw->rows = isnull ? -1.0 : DatumGetFloat8(d);
		if (seen)
			(void) hash_search(seen, &queryid, HASH_ENTER, NULL);
		{
			MemoryContext old = MemoryContextSwitchTo(run->cxt);

			*out = lappend(*out, raw);
			MemoryContextSwitchTo(old);
		}
	}
}

/*
 * pga_read_sources
 *		The statements of the captured workload and of pg_stat_statements.
 */
static List *
pga_read_sources(PgaRun *run)
{
	Oid			arch_nsp = get_namespace_oid("architect", true);
	Oid			patterns = OidIsValid(arch_nsp) ?
		get_relname_relid("query_patterns", arch_nsp) : InvalidOid;

	/* Capture's store exists only when the library was preloaded. */
	bool		have_capture = OidIsValid(patterns) && pga_loaded_at_startup;
	Oid			pgss_ext = get_extension_oid("pg_stat_statements", true);
	List	   *raws = NIL;
	HASHCTL		ctl;
	HTAB	   *seen;
	int			limit = pga_max_workload_queries;

	if (!have_capture && !OidIsValid(pgss_ext))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("no workload to advise on"),
				 errdetail("Neither architect.query_patterns nor pg_stat_statements is available in this database."),
				 errhint("Run CREATE EXTENSION pg_stat_statements, or pass the queries to architect.recommend_indexes_for().")));

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(int64);
	ctl.entrysize = sizeof(int64);
	ctl.hcxt = run->cxt;
	seen = hash_create("pg_architect captured queries", 256, &ctl,
					   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	if (have_capture)
	{
		/* A truncated example does not parse: leave it to pg_stat_statements. */
		bool		has_truncated = get_attnum(patterns, "example_query_truncated") !=
			InvalidAttrNumber;
		char	   *sql = psprintf("SELECT queryid, sum(calls)::float8, "
								   "sum(total_exec_ms)::float8, min(example_query), "
								   "sum(rows)::float8 "
								   "FROM architect.query_patterns "
								   "WHERE dbid = %u AND queryid IS NOT NULL "
								   "AND example_query IS NOT NULL %s"
								   "GROUP BY queryid ORDER BY 3 DESC, 1 LIMIT %d",
								   MyDatabaseId,
								   has_truncated ? "AND NOT example_query_truncated " : "",
								   limit);

		pga_read_statements(run, sql, &raws, NULL, seen, false);
		run->stats.source = PGA_SOURCE_CAPTURE;
	}
	else
		run->stats.source = PGA_SOURCE_PGSS;

	if (OidIsValid(pgss_ext) && list_length(raws) < limit)
	{
		char	   *nsp;
		char	   *sql;

		if (SPI_execute("SELECT n.nspname FROM pg_catalog.pg_extension e "
						"JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace "
						"WHERE e.extname = 'pg_stat_statements'", true, 1) != SPI_OK_SELECT ||
			SPI_processed != 1)
			elog(ERROR, "could not find the schema of pg_stat_statements");
		nsp = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		sql = psprintf("SELECT queryid, sum(calls)::float8, "
								   "sum(total_exec_time)::float8, min(query), "
						 "sum(rows)::float8 "
								   "FROM %s.pg_stat_statements "
								   "WHERE dbid = %u AND queryid IS NOT NULL "
								   "AND query IS NOT NULL "
								   "GROUP BY queryid ORDER BY 3 DESC, 1 LIMIT %d",
								   quote_identifier(nsp), MyDatabaseId,
								   limit + (int) hash_get_num_entries(seen));

		pga_read_statements(run, sql, &raws, have_capture ? seen : NULL, NULL,
							true);

		/* Statements of other roles whose text this role may not see. */
		sql = psprintf("SELECT count(*) FROM %s.pg_stat_statements "
					   "WHERE dbid = %u AND queryid IS NULL",
					   quote_identifier(nsp), MyDatabaseId);
		if (SPI_execute(sql, true, 1) == SPI_OK_SELECT && SPI_processed == 1)
		{
			bool		isnull;
			Datum		d = SPI_getbinval(SPI_tuptable->vals[0],
										  SPI_tuptable->tupdesc, 1, &isnull);

			if (!isnull)
				run->stats.skip_not_permitted += (int) DatumGetInt64(d);
		}
	}
	SPI_finish();

	if (list_length(raws) > limit)
		raws = list_truncate(raws, limit);
	return raws;
}

/*
 * pga_report_skipped
 *		Say, in one message, how many statements of the workload were not
 *		costed and why.  For an explicit list (recommend_indexes_for) it is
 *		a NOTICE counting every statement given that was not costed.  For
 *		the captured workload it is a DEBUG1 message about the statements
 *		that could not be planned any more: pg_stat_statements keeps the
 *		statements of tables dropped long ago, DDL and catalog queries of
 *		every session, so a NOTICE would be there on every call; the counts
 *		are in architect.advisor_stats() either way.
 */
static void
pga_report_skipped(PgaRun *run, int total)
{
	PgaRunStats *st = &run->stats;
	bool		explicit = (st->source == PGA_SOURCE_EXPLICIT);
	int			failed = st->skip_unparsable + st->skip_missing +
		st->skip_param_types + st->skip_internal_error + st->skip_other;
	int			skipped = failed + st->skip_not_permitted +
		(explicit ? st->skip_utility + st->ignored : 0);
	StringInfoData why;

	if (skipped == 0 || (!explicit && failed == 0))
		return;

	initStringInfo(&why);
#define PGA_WHY(n, text) \
	do { \
		if ((n) > 0) \
			appendStringInfo(&why, "%s%d %s", why.len > 0 ? ", " : "", (n), (text)); \
	} while (0)
	PGA_WHY(st->skip_unparsable, "that do not parse (syntax error, truncated text)");
	PGA_WHY(st->skip_missing, "whose table, column or function no longer exists");
	PGA_WHY(st->skip_param_types, "with a parameter whose type cannot be inferred");
	PGA_WHY(st->skip_not_permitted, "on tables or text this role may not read");
	PGA_WHY(st->skip_internal_error, "that PostgreSQL itself fails with an internal error (XX000)");
	PGA_WHY(st->skip_other, "that failed to plan for another reason");
	if (explicit)
	{
		PGA_WHY(st->skip_utility, "utility statements (DDL, VACUUM...)");
		PGA_WHY(st->ignored, "that read no table an index can be proposed for (only temporary, foreign, partitioned or system tables, or none)");
	}
#undef PGA_WHY

	ereport(explicit ? NOTICE : DEBUG1,
			(errmsg("%d of %d statements of the workload were skipped", skipped,
					explicit ? total : skipped + st->queries),
			 errdetail("Skipped: %s.", why.data),
			 errhint("architect.advisor_stats() has the counts; SET client_min_messages = debug1 to see each statement.")));
}

/*
 * pga_time_weights
 *		Weigh each query by its executions and its measured time.
 *
 * The planner's cost of a query is its estimate of one execution; times
 * the executions it is the query's estimated share of the workload.  The
 * measured total time is the real share, but it is noisy (cache state,
 * concurrent load, timer resolution for sub-millisecond statements) and it
 * holds time no index can save (waiting for locks, sending rows).  Neither
 * is trusted alone: with r the workload's measured milliseconds per unit of
 * estimated cost (sum of total_ms over sum of calls * base_cost, over the
 * queries whose time is known), a query's correction is
 *
 *		c(q) = (total_ms(q) / (calls(q) * base_cost(q))) / r
 *
 * (how much slower, per unit of cost, it runs than the workload on
 * average), bounded to [1/1000, 1000], and its weight is calls(q) *
 * c(q)^pg_architect.time_weight.  At 1 each query's weighted cost is its
 * measured total time in cost units (total_ms / r); at 0 it is calls times
 * the estimate, the time being ignored; at the default 0.5 the geometric
 * mean of the two, so that of two queries run equally often the one
 * measured slower counts more, and of two that took the same total time
 * the one run more often does too.  The weight multiplies the query's
 * estimated cost under every index set, so an index is credited with the
 * same fraction of a query's measured time as of its estimated cost.
 * Queries whose time is unknown (an explicit list without times_ms) keep
 * their executions as weight.
 */
static void
pga_time_weights(PgaRun *run)
{
	double		sum_ms = 0.0;
	double		sum_cost = 0.0;
	double		r;
	int			i;

	for (i = 0; i < run->nqueries; i++)
	{
		PgaQuery   *q = run->qarr[i];

		if (q->total_ms > 0 && q->base_cost > 0)
		{
			sum_ms += q->total_ms;
			sum_cost += q->calls * q->base_cost;
		}
	}
	if (pga_time_weight <= 0 || sum_ms <= 0 || sum_cost <= 0)
		return;
	r = sum_ms / sum_cost;
	for (i = 0; i < run->nqueries; i++)
	{
		PgaQuery   *q = run->qarr[i];
		double		c;

		if (!(q->total_ms > 0 && q->base_cost > 0))
			continue;
		c = q->total_ms / (q->calls * q->base_cost) / r;
		c = Min(Max(c, 1e-3), 1e3);
		q->weight = q->calls * pow(c, pga_time_weight);
	}
}

/*
 * pga_float8_array
 *		The elements of an optional float8[] argument parallel to queries:
 *		NULL when the array is NULL, else as many finite positive (or,
 *		when zero_ok, non-negative) numbers as there are queries.
 */
static double *
pga_float8_array(ArrayType *arr, int nq, const char *what,
				 const char *one, bool zero_ok)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;
	double	   *out;

	if (arr == NULL)
		return NULL;
	deconstruct_array(arr, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, &n);
	if (n != nq)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must have as many elements as queries", what),
				 errdetail("There are %d queries and %d %s.", nq, n, what)));
	out = palloc(sizeof(double) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		double		v = nulls[i] ? NAN : DatumGetFloat8(elems[i]);

		if (isnan(v) || isinf(v) || v < 0 || (!zero_ok && v == 0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s %d must be a %s number", one, i + 1,
							zero_ok ? "non-negative" : "positive"),
					 errhint("Pass NULL for the whole array to leave it out.")));
		out[i] = v;
	}
	return out;
}

/*
 * pga_workload_load
 *		Fill run->queries from the given statements (queries not NULL, with
 *		optional weights and total times) or from the captured workload and
 *		pg_stat_statements.
 */
void
pga_workload_load(PgaRun *run, ArrayType *queries, ArrayType *weights,
				  ArrayType *times)
{
	List	   *raws = NIL;
	ListCell   *lc;
	int			i;

	if (queries != NULL)
	{
		Datum	   *qelems;
		bool	   *qnulls;
		int			nq;
		double	   *w;
		double	   *t;

		deconstruct_array(queries, TEXTOID, -1, false, TYPALIGN_INT,
						  &qelems, &qnulls, &nq);
		w = pga_float8_array(weights, nq, "weights", "weight", false);
		t = pga_float8_array(times, nq, "times_ms", "time", true);
		for (i = 0; i < nq; i++)
		{
			PgaRawQuery *raw;

			if (qnulls[i])
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("query %d is NULL", i + 1),
						 errhint("Every element of queries must be a statement.")));
			raw = MemoryContextAllocZero(run->cxt, sizeof(PgaRawQuery));
			raw->text = MemoryContextStrdup(run->cxt,
											TextDatumGetCString(qelems[i]));
			raw->calls = w ? w[i] : 1.0;
			raw->total_ms = t ? t[i] : 0.0;
			raw->rows = -1.0;
			raws = lappend(raws, raw);
		}
		run->stats.source = PGA_SOURCE_EXPLICIT;
	}
	else
		raws = pga_read_sources(run);

	foreach(lc, raws)
		pga_workload_add(run, (PgaRawQuery *) lfirst(lc));

	run->nqueries = list_length(run->queries);
	run->qarr = MemoryContextAlloc(run->cxt,
								   sizeof(PgaQuery *) * Max(run->nqueries, 1));
	i = 0;
	foreach(lc, run->queries)
		run->qarr[i++] = (PgaQuery *) lfirst(lc);
	pga_time_weights(run);
	run->stats.queries = run->nqueries;
	pga_report_skipped(run, list_length(raws));
}
