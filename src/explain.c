/*-------------------------------------------------------------------------
 *
 * explain.c
 *	  architect.explain(query text, analyze boolean DEFAULT false): the plan
 *	  of one statement with the findings and predicates of the same plan
 *	  walk the workload capture uses (planwalk.c).
 *
 * The statement is parsed, analysed, rewritten and planned here as the
 * calling role (so its privileges apply), then started in the executor.
 * Without analyze it is only started (EXEC_FLAG_EXPLAIN_ONLY, as EXPLAIN
 * does) and the findings come from estimates.  With analyze it runs, with
 * row, buffer and timing instrumentation, inside an internal
 * subtransaction that is always rolled back: an INSERT, UPDATE, DELETE or
 * MERGE changes nothing (sequences, being non-transactional, do advance).
 * The rows to return are collected in the caller's memory and written to
 * the result after the subtransaction is gone.
 *
 * Capture is suspended while the statement runs, so explaining a query
 * does not count as workload.
 *
 * Locking: none of its own.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "portability/instr_time.h"
#include "tcop/cmdtag.h"
#include "tcop/dest.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"

#include "pg_architect.h"
#include "capture.h"
#include "planwalk.h"

PG_FUNCTION_INFO_V1(pga_explain);

#define PGA_EXPLAIN_COLS 7

/* One result row, collected before it can be stored. */
typedef struct PgaExplainRow
{
	const char *kind;
	char	   *node;
	char	   *item;
	const char *severity;
	bool		has_value;
	double		value;
	char	   *detail;
	const char *hint;
} PgaExplainRow;

static List *
pga_row(List *rows, const char *kind, char *node, char *item,
		const char *severity, bool has_value, double value, char *detail,
		const char *hint)
{
	PgaExplainRow *r = palloc(sizeof(PgaExplainRow));

	r->kind = kind;
	r->node = node;
	r->item = item;
	r->severity = severity;
	r->has_value = has_value;
	r->value = value;
	r->detail = detail;
	r->hint = hint;
	return lappend(rows, r);
}

/* "public.orders" (quoted as needed), or NULL for an unknown relation. */
static char *
pga_relation_text(Oid relid)
{
	char	   *relname = OidIsValid(relid) ? get_rel_name(relid) : NULL;
	char	   *nspname;

	if (relname == NULL)
		return NULL;
	nspname = get_namespace_name(get_rel_namespace(relid));
	return quote_qualified_identifier(nspname, relname);
}

/* "Seq Scan on public.orders", or the bare label. */
static char *
pga_node_on(const char *label, Oid relid)
{
	char	   *rel = pga_relation_text(relid);

	if (rel == NULL)
		return pstrdup(label);
	return psprintf("%s on %s", label, rel);
}

/* "public.orders.customer_id = 42" and the like. */
static char *
pga_predicate_text(PgaWalkPred *p)
{
	char	   *rel = pga_relation_text(p->key.relid);
	char	   *col;
	char	   *op;
	StringInfoData buf;

	if (p->key.attnum > 0)
		col = pstrdup(quote_identifier(get_attname(p->key.relid, p->key.attnum, false)));
	else
		col = p->expr ? psprintf("(%s)", p->expr) : pstrdup("?");
	op = OidIsValid(p->key.opno) ? get_opname(p->key.opno) : NULL;

	initStringInfo(&buf);
	if (p->key.kind == PGA_KIND_SORT || p->key.kind == PGA_KIND_GROUP)
	{
		appendStringInfo(&buf, "%s %s.%s",
						 p->key.kind == PGA_KIND_SORT ? "ORDER BY" : "GROUP BY",
						 rel ? rel : "?", col);
		if (p->key.kind == PGA_KIND_SORT && op != NULL)
			appendStringInfo(&buf, " %s", strcmp(op, ">") == 0 ? "DESC" : "ASC");
		appendStringInfo(&buf, " (key %d)", p->key.position);
		return buf.data;
	}
	appendStringInfo(&buf, "%s.%s", rel ? rel : "?", col);
	switch (p->key.form)
	{
		case PGA_FORM_IS_NULL:
			appendStringInfoString(&buf, " IS NULL");
			break;
		case PGA_FORM_IS_NOT_NULL:
			appendStringInfoString(&buf, " IS NOT NULL");
			break;
		case PGA_FORM_ANY:
		case PGA_FORM_ALL:
			appendStringInfo(&buf, " %s %s (%s)", op ? op : "?",
							 p->key.form == PGA_FORM_ANY ? "ANY" : "ALL",
							 p->example ? p->example : "...");
			break;
		default:
			appendStringInfo(&buf, " %s %s", op ? op : "?",
							 p->key.kind == PGA_KIND_JOIN ? "(join)" :
							 p->example ? p->example : "...");
			break;
	}
	return buf.data;
}

/*
 * pga_explain_collect
 *		The rows describing a started (and, with analyze, finished)
 *		statement: plan text, summary, findings, predicates.
 */
static List *
pga_explain_collect(QueryDesc *qd, bool analyze, double planning_ms,
					double execution_ms)
{
	List	   *rows = NIL;
	ExplainState *es = NewExplainState();
	PgaWalkResult walk;
	ListCell   *lc;
	char	   *line;
	char	   *next;
	int			lineno = 0;
	int			flags = PGA_WALK_PREDICATES | PGA_WALK_VALUES;
	PlanState  *top = qd->planstate;

	/* The plan as EXPLAIN prints it. */
	es->analyze = analyze;
	es->buffers = analyze;
	es->timing = analyze;
	es->costs = true;
	es->summary = false;
	es->format = EXPLAIN_FORMAT_TEXT;
	ExplainBeginOutput(es);
	ExplainPrintPlan(es, qd);
	ExplainEndOutput(es);
	for (line = es->str->data; line != NULL && *line != '\0'; line = next)
	{
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		rows = pga_row(rows, "plan", NULL, NULL, NULL, true, ++lineno,
					   pstrdup(line), NULL);
	}

	/* The walk: findings from measurements, or from estimates. */
	flags |= analyze ? (PGA_WALK_MEASURE | PGA_WALK_FINDINGS) : PGA_WALK_ESTIMATES;
	pga_plan_walk(qd, MyDatabaseId, qd->plannedstmt->queryId, flags, &walk);

	/* Summary. */
	rows = pga_row(rows, "summary", NULL, "planning_ms", NULL, true,
				   planning_ms, NULL, NULL);
	rows = pga_row(rows, "summary", NULL, "total_cost", NULL, true,
				   qd->plannedstmt->planTree->total_cost, NULL, NULL);
	rows = pga_row(rows, "summary", NULL, "estimated_rows", NULL, true,
				   qd->plannedstmt->planTree->plan_rows, NULL, NULL);
	if (analyze && top != NULL && top->instrument != NULL)
	{
		Instrumentation *in = top->instrument;
		BufferUsage *bu = &in->bufusage;

		InstrEndLoop(in);
		rows = pga_row(rows, "summary", NULL, "execution_ms", NULL, true,
					   execution_ms, NULL, NULL);
		rows = pga_row(rows, "summary", NULL, "actual_rows", NULL, true,
					   (double) qd->estate->es_processed, NULL, NULL);
		rows = pga_row(rows, "summary", NULL, "shared_blks_hit", NULL, true,
					   (double) bu->shared_blks_hit, NULL, NULL);
		rows = pga_row(rows, "summary", NULL, "shared_blks_read", NULL, true,
					   (double) bu->shared_blks_read, NULL, NULL);
		rows = pga_row(rows, "summary", NULL, "temp_blks_written", NULL, true,
					   (double) bu->temp_blks_written, NULL, NULL);
	}

	foreach(lc, walk.findings)
	{
		PgaWalkFinding *f = lfirst(lc);

		rows = pga_row(rows, "finding", pga_node_on(f->node, f->relid),
					   pstrdup(pga_finding_name(f->code)),
					   pga_severity_name(f->severity), true, f->value,
					   f->detail, pga_finding_hint(f->code));
	}
	for (int i = 0; i < walk.npreds; i++)
	{
		PgaWalkPred *p = &walk.preds[i];

		rows = pga_row(rows, "predicate", pga_node_on(p->node, p->key.relid),
					   pstrdup(pga_kind_name(p->key.kind)), NULL,
					   true, p->measured ? p->actual_rows : p->est_rows,
					   pga_predicate_text(p), NULL);
	}
	return rows;
}

/*
 * Error context while the statement is parsed and planned: a position in
 * an error refers to the explained text, not to the calling query.
 */
static void
pga_explain_error_callback(void *arg)
{
	int			pos = geterrposition();

	if (pos > 0)
	{
		errposition(0);
		internalerrposition(pos);
		internalerrquery((const char *) arg);
	}
}

/* Reject what cannot be explained, with the reason. */
static void
pga_explain_check(RawStmt *raw)
{
	switch (nodeTag(raw->stmt))
	{
		case T_SelectStmt:
		case T_InsertStmt:
		case T_UpdateStmt:
		case T_DeleteStmt:
		case T_MergeStmt:
			return;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("architect.explain() cannot explain %s",
							GetCommandTagName(CreateCommandTag(raw->stmt))),
					 errhint("Pass a SELECT, INSERT, UPDATE, DELETE or MERGE statement.")));
	}
}

static double
pga_ms_since(instr_time start)
{
	instr_time	now;

	INSTR_TIME_SET_CURRENT(now);
	INSTR_TIME_SUBTRACT(now, start);
	return INSTR_TIME_GET_MILLISEC(now);
}

/* Start, run when asked, and describe the statement. */
static List *
pga_explain_run(PlannedStmt *pstmt, const char *query, bool analyze,
				double planning_ms)
{
	QueryDesc  *qd;
	List	   *rows;
	double		execution_ms = 0;
	instr_time	start;

	PushCopiedSnapshot(GetActiveSnapshot());
	UpdateActiveSnapshotCommandId();
	qd = CreateQueryDesc(pstmt, query, GetActiveSnapshot(), InvalidSnapshot,
						 None_Receiver, NULL, NULL,
						 analyze ? INSTRUMENT_ALL : 0);
	ExecutorStart(qd, analyze ? 0 : EXEC_FLAG_EXPLAIN_ONLY);
	if (analyze)
	{
		INSTR_TIME_SET_CURRENT(start);
		ExecutorRun(qd, ForwardScanDirection, 0, true);
		ExecutorFinish(qd);
		execution_ms = pga_ms_since(start);
	}
	rows = pga_explain_collect(qd, analyze, planning_ms, execution_ms);
	ExecutorEnd(qd);
	FreeQueryDesc(qd);
	PopActiveSnapshot();
	return rows;
}

/* What pga_explain_analyze_step runs, and the rows it returns. */
typedef struct PgaExplainAnalyze
{
	PlannedStmt *pstmt;			/* the planned statement */
	const char *query;			/* its text */
	double		planning_ms;	/* time spent planning it */
	List	   *rows;			/* out: pga_explain_run's rows */
} PgaExplainAnalyze;

/*
 * pga_explain_analyze_step
 *		pga_subxact_run's callback: run the statement with instrumentation
 *		(in a subtransaction the caller rolls back, so that its changes go).
 */
static void
pga_explain_analyze_step(void *arg)
{
	PgaExplainAnalyze *ea = (PgaExplainAnalyze *) arg;

	ea->rows = pga_explain_run(ea->pstmt, ea->query, true, ea->planning_ms);
}

/*
 * architect.explain(query text, analyze boolean DEFAULT false)
 */
Datum
pga_explain(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *query = text_to_cstring(PG_GETARG_TEXT_PP(0));
	bool		analyze = PG_GETARG_BOOL(1);
	List	   *raws;
	List	   *queries;
	Query	   *q;
	PlannedStmt *pstmt;
	instr_time	start;
	double		planning_ms;
	List	   *rows = NIL;
	ListCell   *lc;
	bool		saved_suspended = pga_capture_suspended;

	ErrorContextCallback errcallback;

	pga_init_materialized_srf(fcinfo, 0);

	errcallback.callback = pga_explain_error_callback;
	errcallback.arg = query;
	errcallback.previous = error_context_stack;
	error_context_stack = &errcallback;

	raws = pg_parse_query(query);
	if (list_length(raws) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("architect.explain() takes exactly one statement"),
				 errdetail("The text holds %d statements.", list_length(raws)),
				 errhint("Pass a single SELECT, INSERT, UPDATE, DELETE or MERGE statement.")));
	pga_explain_check(linitial_node(RawStmt, raws));

	queries = pg_analyze_and_rewrite_fixedparams(linitial_node(RawStmt, raws),
												 query, NULL, 0, NULL);
	if (list_length(queries) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("architect.explain() cannot explain a statement that rules rewrite into %d statements",
						list_length(queries)),
				 errhint("Explain the statements the rules produce one by one.")));
	if (linitial_node(Query, queries)->commandType == CMD_UTILITY)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("architect.explain() cannot explain SELECT INTO"),
				 errhint("Explain the SELECT without INTO.")));
	q = linitial_node(Query, queries);

	INSTR_TIME_SET_CURRENT(start);
	pstmt = pg_plan_query(q, query, CURSOR_OPT_PARALLEL_OK, NULL);
	planning_ms = pga_ms_since(start);
	error_context_stack = errcallback.previous;

	PG_TRY();
	{
		pga_capture_suspended = true;
		if (!analyze)
			rows = pga_explain_run(pstmt, query, false, planning_ms);
		else
		{
			/* Run it where its changes can be thrown away. */
			PgaExplainAnalyze ea;
			ErrorData  *edata;

			ea.pstmt = pstmt;
			ea.query = query;
			ea.planning_ms = planning_ms;
			ea.rows = NIL;
			edata = pga_subxact_run(pga_explain_analyze_step, &ea, false);
			if (edata != NULL)
				ReThrowError(edata);
			rows = ea.rows;
		}
	}
	PG_FINALLY();
	{
		pga_capture_suspended = saved_suspended;
	}
	PG_END_TRY();

	foreach(lc, rows)
	{
		PgaExplainRow *r = lfirst(lc);
		Datum		values[PGA_EXPLAIN_COLS];
		bool		nulls[PGA_EXPLAIN_COLS];

		memset(nulls, 0, sizeof(nulls));
		values[0] = CStringGetTextDatum(r->kind);
		if (r->node)
			values[1] = CStringGetTextDatum(r->node);
		else
			nulls[1] = true;
		if (r->item)
			values[2] = CStringGetTextDatum(r->item);
		else
			nulls[2] = true;
		if (r->severity)
			values[3] = CStringGetTextDatum(r->severity);
		else
			nulls[3] = true;
		values[4] = Float8GetDatum(r->value);
		nulls[4] = !r->has_value;
		if (r->detail)
			values[5] = CStringGetTextDatum(r->detail);
		else
			nulls[5] = true;
		if (r->hint)
			values[6] = CStringGetTextDatum(r->hint);
		else
			nulls[6] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
