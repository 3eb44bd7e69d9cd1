/*-------------------------------------------------------------------------
 *
 * capture.c
 *	  Workload capture: executor hooks, adaptive sampling, the per-plan
 *	  predicate cache, N+1 detection and error counting.
 *
 * Every execution of a statement with a query id (compute_query_id) is
 * counted in the store: its query pattern (calls, time, rows, buffers,
 * the text of its slowest execution) and each predicate of its plan.  The
 * predicate set of a plan is worked out once: a backend-local cache maps
 * a query id to the fingerprints of the (up to four) plan shapes it ran
 * with (planwalk.c) and the keys of each shape's predicates, so an
 * ordinary execution costs a walk over the plan nodes (no expressions), a
 * local hash lookup and one store update per predicate.
 *
 * Node-level measurement needs executor instrumentation, which costs
 * time on every row, so it is switched on (rows; per-node timing only
 * with pg_architect.sample_timing) for a sample of executions decided in
 * ExecutorStart: the first pg_architect.sample_first executions of each
 * query id, and again of each new plan shape seen for it, a share
 * pg_architect.sample_rate of the rest, ten times that for query ids
 * whose mean time reaches pg_architect.slow_query_ms.  A statement nested
 * in a measured top-level statement is measured too; parallel workers
 * get the leader's instrumentation options with the plan, and capture
 * nothing themselves (the leader gathers their counts).  A measured
 * execution, a new plan shape or a new slowest execution gets the full
 * walk: predicates with their rows, example constants, plan findings.
 *
 * N+1: inside a transaction block, top-level executions are counted per
 * query id in a backend-local table; at the end of the transaction, a
 * query id run at least pg_architect.nplus1_threshold times returning at
 * most pg_architect.nplus1_max_rows rows each on average is recorded as
 * an n_plus_one finding.
 *
 * Errors: emit_log_hook counts ERRORs by database, query id (the top-level
 * statement's, from pg_stat_activity) and SQLSTATE, without waiting for
 * any lock and without allocating.
 *
 * The hooks never change what a statement does: they read the plan state
 * before calling the previous ExecutorEnd, chain to the previous hooks
 * (or the standard functions), track the nesting level with
 * PG_TRY/PG_FINALLY, and skip statements outside a valid transaction
 * (cursors closed by an abort).
 *
 * Locking: see store.c; this file takes partition locks and slot
 * spinlocks through pga_store_acquire/pga_store_release only, never more
 * than one at a time, and never while calling out of the module.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/parallel.h"
#include "access/xact.h"
#include "common/hashfn.h"
#include "common/pg_prng.h"
#include "executor/executor.h"
#include "executor/instrument.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "parser/analyze.h"
#include "parser/scansup.h"
#include "storage/ipc.h"
#include "storage/proc.h"
#include "tcop/utility.h"
#include "utils/backend_status.h"
#include "utils/elog.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/queryjumble.h"
#include "utils/timestamp.h"

#include "pg_architect.h"
#include "capture.h"
#include "guc.h"
#include "planwalk.h"
#include "store.h"

/* Local plan cache entries kept before the cache is emptied. */
#define PGA_PLAN_CACHE_MAX		1000

/* Query ids counted per transaction for N+1 detection, at most. */
#define PGA_XACT_COUNTS_MAX		1000

/* One predicate of a cached plan. */
typedef struct PgaCachedPred
{
	PgaPredKey	key;
	uint32		hashcode;
	char	   *expr;			/* deparsed expression, or NULL */
} PgaCachedPred;

/* The predicate set of one plan shape of a query id. */
typedef struct PgaCachedPlan
{
	uint64		fingerprint;	/* shape of the plan (planwalk.c) */
	uint64		last_used;		/* for replacing the least recently used */
	int			npreds;
	PgaCachedPred *preds;
} PgaCachedPlan;

/*
 * Plan shapes remembered per query id: a query whose plan depends on its
 * constants alternates between a few, and each of them is worked out
 * (and measured as new) only once.
 */
#define PGA_PLANS_PER_QUERY		4

/* What this backend remembers of a query id. */
typedef struct PgaPlanCacheEntry
{
	uint64		queryid;		/* hash key */
	int			nplans;			/* plan shapes known */
	PgaCachedPlan plans[PGA_PLANS_PER_QUERY];
	int			force_measure;	/* measure this many more executions */
	bool		stats_known;	/* the store values below were read */
	int64		measured;		/* store: measured executions */
	double		mean_ms;		/* store: mean execution time */
	double		max_ms;			/* store: slowest execution */
	Oid			key_userid;		/* user the hash code below is for */
	uint32		key_hash;		/* pga_store_hash of the query key */
} PgaPlanCacheEntry;

/* Executions of one query id in the current transaction (N+1). */
typedef struct PgaXactCount
{
	uint64		queryid;		/* hash key */
	int64		count;
	double		rows;
} PgaXactCount;

bool		pga_capture_suspended = false;

static int	pga_nesting_level = 0;
static bool pga_top_measured = false;

static MemoryContext pga_cache_cxt = NULL;
static HTAB *pga_plan_cache = NULL;
static uint32 pga_cache_generation = 0;
static uint64 pga_cache_epoch = 0;	/* bumped whenever the cache is emptied */
static uint64 pga_plan_use_clock = 0;	/* orders plan shapes by last use */

/* The entry ExecutorStart looked up last, for ExecutorEnd to reuse. */
static PgaPlanCacheEntry *pga_last_ce = NULL;
static uint64 pga_last_ce_epoch = 0;

static HTAB *pga_xact_counts = NULL;
static bool pga_xact_dirty = false;
static bool pga_xact_callback_registered = false;

static post_parse_analyze_hook_type prev_post_parse_analyze = NULL;
static ExecutorStart_hook_type prev_ExecutorStart = NULL;
static ExecutorRun_hook_type prev_ExecutorRun = NULL;
static ExecutorFinish_hook_type prev_ExecutorFinish = NULL;
static ExecutorEnd_hook_type prev_ExecutorEnd = NULL;
static ProcessUtility_hook_type prev_ProcessUtility = NULL;
static emit_log_hook_type prev_emit_log_hook = NULL;

static void pga_post_parse_analyze(ParseState *pstate, Query *query,
								   JumbleState *jstate);
static void pga_ExecutorStart(QueryDesc *queryDesc, int eflags);
static void pga_ExecutorRun(QueryDesc *queryDesc, ScanDirection direction,
							uint64 count, bool execute_once);
static void pga_ExecutorFinish(QueryDesc *queryDesc);
static void pga_ExecutorEnd(QueryDesc *queryDesc);
static void pga_ProcessUtility(PlannedStmt *pstmt, const char *queryString,
							   bool readOnlyTree,
							   ProcessUtilityContext context,
							   ParamListInfo params,
							   QueryEnvironment *queryEnv,
							   DestReceiver *dest, QueryCompletion *qc);
static void pga_emit_log_hook(ErrorData *edata);
static void pga_xact_callback(XactEvent event, void *arg);

/*
 * pga_capture_init
 *		Install the hooks.  Called from _PG_init when preloaded.
 */
void
pga_capture_init(void)
{
	/* Core query ids, the ones pg_stat_statements shows. */
	EnableQueryId();

	prev_post_parse_analyze = post_parse_analyze_hook;
	post_parse_analyze_hook = pga_post_parse_analyze;
	prev_ExecutorStart = ExecutorStart_hook;
	ExecutorStart_hook = pga_ExecutorStart;
	prev_ExecutorRun = ExecutorRun_hook;
	ExecutorRun_hook = pga_ExecutorRun;
	prev_ExecutorFinish = ExecutorFinish_hook;
	ExecutorFinish_hook = pga_ExecutorFinish;
	prev_ExecutorEnd = ExecutorEnd_hook;
	ExecutorEnd_hook = pga_ExecutorEnd;
	prev_ProcessUtility = ProcessUtility_hook;
	ProcessUtility_hook = pga_ProcessUtility;
	prev_emit_log_hook = emit_log_hook;
	emit_log_hook = pga_emit_log_hook;
}

/* Is capture on in this backend at all? */
static inline bool
pga_capture_on(void)
{
	return pga_capture_enabled && pga_shared != NULL &&
		!pga_capture_suspended && !IsParallelWorker();
}

/* ---------------------------------------------------------------------
 * The local plan cache
 * ---------------------------------------------------------------------
 */

/*
 * pga_cache_lookup
 *		This backend's entry for a query id, created when create is true.
 *		The cache is emptied when the store was reset since it was filled,
 *		and when it grows past PGA_PLAN_CACHE_MAX entries.
 */
static PgaPlanCacheEntry *
pga_cache_lookup(uint64 queryid, bool create)
{
	uint32		generation = pg_atomic_read_u32(&pga_shared->generation);
	PgaPlanCacheEntry *ce;
	bool		found;

	/* The entry ExecutorStart found is usually the one asked for. */
	if (pga_last_ce != NULL && pga_last_ce_epoch == pga_cache_epoch &&
		pga_last_ce->queryid == queryid && generation == pga_cache_generation)
		return pga_last_ce;

	if (pga_plan_cache != NULL &&
		(generation != pga_cache_generation ||
		 (create && hash_get_num_entries(pga_plan_cache) >= PGA_PLAN_CACHE_MAX)))
	{
		MemoryContextReset(pga_cache_cxt);
		pga_plan_cache = NULL;
		pga_cache_epoch++;
	}
	if (pga_plan_cache == NULL)
	{
		HASHCTL		info;

		if (!create)
			return NULL;
		if (pga_cache_cxt == NULL)
			pga_cache_cxt = AllocSetContextCreate(TopMemoryContext,
												  "pg_architect plan cache",
												  ALLOCSET_DEFAULT_SIZES);
		info.keysize = sizeof(uint64);
		info.entrysize = sizeof(PgaPlanCacheEntry);
		info.hcxt = pga_cache_cxt;
		pga_plan_cache = hash_create("pg_architect plan cache", 64, &info,
									 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		pga_cache_generation = generation;
	}
	ce = hash_search(pga_plan_cache, &queryid,
					 create ? HASH_ENTER : HASH_FIND, &found);
	if (ce != NULL && !found)
	{
		ce->nplans = 0;
		ce->force_measure = 0;
		ce->stats_known = false;
		ce->measured = 0;
		ce->mean_ms = 0;
		ce->max_ms = 0;
		ce->key_userid = InvalidOid;
		ce->key_hash = 0;
	}
	if (ce != NULL)
	{
		pga_last_ce = ce;
		pga_last_ce_epoch = pga_cache_epoch;
	}
	return ce;
}

/* The known plan shape with this fingerprint, or NULL. */
static PgaCachedPlan *
pga_cache_find_plan(PgaPlanCacheEntry *ce, uint64 fingerprint)
{
	for (int i = 0; i < ce->nplans; i++)
	{
		if (ce->plans[i].fingerprint == fingerprint)
		{
			ce->plans[i].last_used = ++pga_plan_use_clock;
			return &ce->plans[i];
		}
	}
	return NULL;
}

/*
 * Remember the predicate set of a new plan shape, in a free place or in
 * place of the least recently used shape.
 */
static PgaCachedPlan *
pga_cache_add_plan(PgaPlanCacheEntry *ce, uint64 fingerprint,
				   PgaWalkResult *walk)
{
	MemoryContext old = MemoryContextSwitchTo(pga_cache_cxt);
	PgaCachedPlan *cp;

	if (ce->nplans < PGA_PLANS_PER_QUERY)
		cp = &ce->plans[ce->nplans++];
	else
	{
		cp = &ce->plans[0];
		for (int i = 1; i < ce->nplans; i++)
			if (ce->plans[i].last_used < cp->last_used)
				cp = &ce->plans[i];
		for (int i = 0; i < cp->npreds; i++)
			if (cp->preds[i].expr)
				pfree(cp->preds[i].expr);
		if (cp->preds)
			pfree(cp->preds);
	}
	cp->fingerprint = fingerprint;
	cp->last_used = ++pga_plan_use_clock;
	cp->npreds = walk->npreds;
	cp->preds = walk->npreds > 0 ?
		palloc(sizeof(PgaCachedPred) * walk->npreds) : NULL;
	for (int i = 0; i < walk->npreds; i++)
	{
		cp->preds[i].key = walk->preds[i].key;
		cp->preds[i].hashcode = walk->preds[i].hashcode;
		cp->preds[i].expr = walk->preds[i].expr ? pstrdup(walk->preds[i].expr) : NULL;
	}
	MemoryContextSwitchTo(old);
	return cp;
}

/* ---------------------------------------------------------------------
 * Sampling
 * ---------------------------------------------------------------------
 */

/* Read a query pattern's counters from the store into the cache entry. */
static void
pga_cache_read_stats(PgaPlanCacheEntry *ce, uint64 queryid)
{
	PgaQueryKey key;
	PgaRef		ref;
	PgaQueryEntry *e;

	key.dbid = MyDatabaseId;
	key.userid = GetUserId();
	key.queryid = queryid;
	e = pga_store_acquire(PGA_QUERIES, &key, pga_store_hash(PGA_QUERIES, &key),
						  false, false, &ref);
	if (e != NULL)
	{
		SpinLockAcquire(&ref.slot->mutex);
		ce->measured = e->measured;
		ce->mean_ms = e->calls > 0 ? e->total_ms / e->calls : 0;
		ce->max_ms = e->max_ms;
		SpinLockRelease(&ref.slot->mutex);
		pga_store_release(&ref);
	}
	ce->stats_known = true;
}

/*
 * pga_should_measure
 *		Decide whether this execution is instrumented (see the file
 *		header).
 */
static bool
pga_should_measure(uint64 queryid, bool nested)
{
	PgaPlanCacheEntry *ce = pga_cache_lookup(queryid, true);
	double		rate;

	if (!ce->stats_known)
		pga_cache_read_stats(ce, queryid);
	if (ce->force_measure > 0 || ce->measured < pga_sample_first)
		return true;
	if (nested)
		return pga_top_measured;

	rate = pga_sample_rate;
	if (pga_slow_query_ms > 0 && ce->mean_ms >= pga_slow_query_ms)
		rate = Min(1.0, rate * 10.0);
	if (rate <= 0.0)
		return false;
	if (rate >= 1.0)
		return true;
	return pg_prng_double(&pg_global_prng_state) < rate;
}

/* ---------------------------------------------------------------------
 * Recording
 * ---------------------------------------------------------------------
 */

/* The statement's own text within sourceText, whitespace trimmed. */
static const char *
pga_statement_text(QueryDesc *queryDesc, int *len)
{
	const char *s = queryDesc->sourceText;
	int			loc = queryDesc->plannedstmt->stmt_location;
	int			n = queryDesc->plannedstmt->stmt_len;
	int			total;

	if (s == NULL)
	{
		*len = 0;
		return "";
	}
	total = strlen(s);
	if (loc < 0 || loc > total)
	{
		loc = 0;
		n = total;
	}
	else if (n <= 0 || loc + n > total)
		n = total - loc;
	s += loc;
	while (n > 0 && scanner_isspace(*s))
	{
		s++;
		n--;
	}
	while (n > 0 && scanner_isspace(s[n - 1]))
		n--;
	*len = n;
	return s;
}

/*
 * Is the text a statement that can be run as it is (SELECT, WITH, INSERT,
 * UPDATE, DELETE, MERGE, VALUES, TABLE), rather than a statement nested in
 * EXPLAIN, DECLARE or PREPARE (whose text is all core gives us)?  Leading
 * parentheses and SQL comments are skipped.
 */
static bool
pga_text_plain(const char *s, int len)
{
	static const char *const words[] = {
		"select", "with", "insert", "update", "delete", "merge", "values",
		"table"
	};
	int			i = 0;

	while (i < len)
	{
		if (scanner_isspace(s[i]) || s[i] == '(')
			i++;
		else if (s[i] == '-' && i + 1 < len && s[i + 1] == '-')
		{
			while (i < len && s[i] != '\n')
				i++;
		}
		else if (s[i] == '/' && i + 1 < len && s[i + 1] == '*')
		{
			i += 2;
			while (i + 1 < len && !(s[i] == '*' && s[i + 1] == '/'))
				i++;
			i += 2;
		}
		else
			break;
	}
	for (int w = 0; w < lengthof(words); w++)
	{
		int			n = strlen(words[w]);

		if (len - i >= n && pg_strncasecmp(s + i, words[w], n) == 0 &&
			(len - i == n || !isalnum((unsigned char) s[i + n])))
			return true;
	}
	return false;
}

static void
pga_record_query(QueryDesc *queryDesc, uint64 queryid, double ms,
				 bool measured, PgaPlanCacheEntry *ce, TimestampTz now)
{
	PgaQueryKey key;
	PgaRef		ref;
	PgaQueryEntry *e;
	Instrumentation *tt = queryDesc->totaltime;
	const char *text = NULL;
	int			textlen = 0;
	bool		plain = false;
	bool		want_text;

	key.dbid = MyDatabaseId;
	key.userid = GetUserId();
	key.queryid = queryid;
	if (ce->key_userid != key.userid || ce->key_hash == 0)
	{
		ce->key_userid = key.userid;
		ce->key_hash = pga_store_hash(PGA_QUERIES, &key);
	}
	e = pga_store_acquire(PGA_QUERIES, &key, ce->key_hash, true, false, &ref);
	if (e == NULL)
		return;

	/*
	 * Only a new slowest execution may replace the kept text, or a plain
	 * text one that is not (EXPLAIN, DECLARE or PREPARE around the
	 * statement): look at the text only then, and for the latter only
	 * every 16th execution, since a prepared statement's text never
	 * becomes plain.  These unlocked reads are hints, checked again below.
	 */
	want_text = ref.created || e->text_len == 0 || ms >= e->example_ms ||
		(!e->text_plain && (e->calls & 15) == 0);
	if (want_text)
	{
		text = pga_statement_text(queryDesc, &textlen);
		plain = pga_text_plain(text, textlen);
	}

	SpinLockAcquire(&ref.slot->mutex);
	if (ref.created)
	{
		e->first_seen = now;
		e->min_ms = ms;
	}
	e->calls++;
	if (measured)
		e->measured++;
	e->rows += (int64) queryDesc->estate->es_processed;
	e->total_ms += ms;
	if (ms < e->min_ms)
		e->min_ms = ms;
	if (ms > e->max_ms)
		e->max_ms = ms;
	e->shared_blks_hit += tt->bufusage.shared_blks_hit;
	e->shared_blks_read += tt->bufusage.shared_blks_read;
	e->temp_blks_written += tt->bufusage.temp_blks_written;
	/*
	 * Keep the text of the slowest execution, preferring a text that can
	 * be run as it is over EXPLAIN ... or DECLARE ... around it.
	 */
	if (want_text &&
		(e->text_len == 0 || (plain && !e->text_plain) ||
		 (ms >= e->example_ms && (plain || !e->text_plain))))
	{
		int			keep = Min(textlen, pga_query_text_len - 1);

		if (keep < textlen)
			keep = pg_mbcliplen(text, textlen, keep);
		memcpy(e->text, text, keep);
		e->text[keep] = '\0';
		e->text_len = keep;
		e->text_truncated = keep < textlen;
		e->text_plain = plain;
		e->example_ms = ms;
	}
	e->last_seen = now;
	pga_slot_touch(ref.slot);
	ce->measured = e->measured;
	ce->mean_ms = e->total_ms / e->calls;
	ce->max_ms = e->max_ms;
	ce->stats_known = true;
	SpinLockRelease(&ref.slot->mutex);
	pga_store_release(&ref);
}

/* Store one predicate occurrence. */
static void
pga_record_pred(const PgaPredKey *key, uint32 hashcode, const char *expr,
				const PgaWalkPred *p, double ms, TimestampTz now)
{
	PgaRef		ref;
	PgaPredEntry *e;

	e = pga_store_acquire(PGA_PREDICATES, key, hashcode, true, false, &ref);
	if (e == NULL)
		return;
	SpinLockAcquire(&ref.slot->mutex);
	if (ref.created)
	{
		e->first_seen = now;
		if (expr != NULL)
			strlcpy(e->expr, expr, PGA_EXPR_LEN);
	}
	e->executions++;
	if (p != NULL && p->measured)
	{
		e->measured++;
		e->rows_scanned += p->rows_scanned;
		e->rows_removed += p->rows_removed;
		e->est_rows += p->est_rows;
		e->actual_rows += p->actual_rows;
		e->est_base += p->est_base;
		e->actual_base += p->actual_base;
	}
	if (p != NULL && p->example != NULL &&
		(e->example[0] == '\0' || ms >= e->example_ms))
	{
		strlcpy(e->example, p->example, PGA_VALUE_LEN);
		e->example_ms = ms;
		e->example_userid = GetUserId();
	}
	e->last_seen = now;
	pga_slot_touch(ref.slot);
	SpinLockRelease(&ref.slot->mutex);
	pga_store_release(&ref);
}

/*
 * pga_record_finding
 *		Store one occurrence of a finding; the entry keeps the worst one's
 *		severity and detail.  With nowait (transaction end), no lock is
 *		waited for.
 */
static void
pga_record_finding(uint64 queryid, int code, int severity, Oid relid,
				   const char *node, double value, const char *detail,
				   TimestampTz now, bool nowait)
{
	PgaFindingKey key;
	PgaRef		ref;
	PgaFindingEntry *e;

	memset(&key, 0, sizeof(key));
	key.queryid = queryid;
	key.dbid = MyDatabaseId;
	key.relid = relid;
	key.nodehash = hash_bytes((const unsigned char *) node, strlen(node));
	key.code = code;
	e = pga_store_acquire(PGA_FINDINGS, &key, pga_store_hash(PGA_FINDINGS, &key),
						  true, nowait, &ref);
	if (e == NULL)
		return;
	SpinLockAcquire(&ref.slot->mutex);
	if (ref.created)
		e->first_seen = now;
	e->occurrences++;
	if (ref.created || severity > e->severity ||
		(severity == e->severity && value >= e->worst))
	{
		e->worst = value;
		e->severity = severity;
		e->userid = GetUserId();
		strlcpy(e->node, node, PGA_NODE_LEN);
		strlcpy(e->detail, detail, PGA_DETAIL_LEN);
	}
	e->last_seen = now;
	pga_slot_touch(ref.slot);
	SpinLockRelease(&ref.slot->mutex);
	pga_store_release(&ref);
}

/*
 * pga_record_execution
 *		Count one execution, and walk its plan when it was measured, runs
 *		a plan shape not cached yet, or is the slowest so far.  Called from
 *		ExecutorEnd before the plan state is freed.
 */
static void
pga_record_execution(QueryDesc *queryDesc)
{
	uint64		queryid = queryDesc->plannedstmt->queryId;
	TimestampTz now = GetCurrentStatementStartTimestamp();
	bool		measured;
	double		ms;
	uint64		fingerprint;
	PgaPlanCacheEntry *ce;
	PgaCachedPlan *cp;
	bool		new_shape;
	bool		slowest;

	InstrEndLoop(queryDesc->totaltime);
	ms = queryDesc->totaltime->total * 1000.0;
	measured = queryDesc->planstate != NULL &&
		queryDesc->planstate->instrument != NULL;

	fingerprint = pga_plan_fingerprint(queryDesc);
	ce = pga_cache_lookup(queryid, true);
	if (!ce->stats_known)
		pga_cache_read_stats(ce, queryid);
	cp = pga_cache_find_plan(ce, fingerprint);
	new_shape = (cp == NULL);
	slowest = ms > ce->max_ms;

	pg_atomic_fetch_add_u64(&pga_shared->executions, 1);
	if (measured)
		pg_atomic_fetch_add_u64(&pga_shared->measured, 1);

	if (measured || new_shape || slowest)
	{
		MemoryContext old;
		PgaWalkResult walk;
		int			flags = PGA_WALK_PREDICATES;
		ListCell   *lc;

		/* What the walk allocates goes with the executor state. */
		old = MemoryContextSwitchTo(queryDesc->estate->es_query_cxt);

		if (measured)
			flags |= PGA_WALK_MEASURE | PGA_WALK_FINDINGS;
		if (new_shape || slowest)
			flags |= PGA_WALK_VALUES;
		pga_plan_walk(queryDesc, MyDatabaseId, queryid, flags, &walk);

		if (new_shape)
		{
			/* A query id with a plan not seen before: measure it. */
			if (ce->nplans > 0 && !measured)
				ce->force_measure = pga_sample_first;
			(void) pga_cache_add_plan(ce, fingerprint, &walk);
		}

		pga_record_query(queryDesc, queryid, ms, measured, ce, now);
		for (int i = 0; i < walk.npreds; i++)
			pga_record_pred(&walk.preds[i].key, walk.preds[i].hashcode,
							walk.preds[i].expr, &walk.preds[i], ms, now);
		foreach(lc, walk.findings)
		{
			PgaWalkFinding *f = lfirst(lc);

			pga_record_finding(queryid, f->code, f->severity, f->relid,
							   f->node, f->value, f->detail, now, false);
		}

		MemoryContextSwitchTo(old);
	}
	else
	{
		pga_record_query(queryDesc, queryid, ms, false, ce, now);
		for (int i = 0; i < cp->npreds; i++)
			pga_record_pred(&cp->preds[i].key, cp->preds[i].hashcode,
							cp->preds[i].expr, NULL, ms, now);
	}
	if (measured && ce->force_measure > 0)
		ce->force_measure--;
}

/* ---------------------------------------------------------------------
 * N+1
 * ---------------------------------------------------------------------
 */

/* Count a top-level execution inside a transaction block. */
static void
pga_xact_count(uint64 queryid, uint64 rows)
{
	PgaXactCount *xc;
	bool		found;

	if (!pga_xact_callback_registered)
	{
		RegisterXactCallback(pga_xact_callback, NULL);
		pga_xact_callback_registered = true;
	}
	if (pga_xact_counts == NULL)
	{
		HASHCTL		info;

		info.keysize = sizeof(uint64);
		info.entrysize = sizeof(PgaXactCount);
		info.hcxt = TopMemoryContext;
		pga_xact_counts = hash_create("pg_architect transaction counts", 32,
									  &info,
									  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	xc = hash_search(pga_xact_counts, &queryid, HASH_FIND, NULL);
	if (xc == NULL)
	{
		/* A transaction of very many query ids is no N+1 pattern. */
		if (hash_get_num_entries(pga_xact_counts) >= PGA_XACT_COUNTS_MAX)
			return;
		xc = hash_search(pga_xact_counts, &queryid, HASH_ENTER, &found);
	}
	else
		found = true;
	if (!found)
	{
		xc->count = 0;
		xc->rows = 0;
	}
	xc->count++;
	xc->rows += (double) rows;
	pga_xact_dirty = true;
}

/*
 * pga_xact_callback
 *		At the end of a transaction, record the N+1 patterns it showed and
 *		forget its counts.  Runs after commit or during abort: it takes no
 *		lock it would wait for and allocates nothing.
 */
static void
pga_xact_callback(XactEvent event, void *arg)
{
	HASH_SEQ_STATUS seq;
	PgaXactCount *xc;

	if (!pga_xact_dirty || pga_xact_counts == NULL)
		return;
	if (event != XACT_EVENT_COMMIT && event != XACT_EVENT_ABORT &&
		event != XACT_EVENT_PREPARE && event != XACT_EVENT_PARALLEL_COMMIT &&
		event != XACT_EVENT_PARALLEL_ABORT)
		return;

	hash_seq_init(&seq, pga_xact_counts);
	while ((xc = hash_seq_search(&seq)) != NULL)
	{
		if (pga_shared != NULL && pga_capture_enabled &&
			xc->count >= pga_nplus1_threshold &&
			xc->rows <= (double) pga_nplus1_max_rows * xc->count)
		{
			char		detail[PGA_DETAIL_LEN];

			snprintf(detail, sizeof(detail),
					 "executed %lld times in one transaction, %.1f rows each on average",
					 (long long) xc->count, xc->rows / xc->count);
			pga_record_finding(xc->queryid, PGA_FINDING_NPLUS1,
							   PGA_SEV_WARNING, InvalidOid, "Query",
							   (double) xc->count, detail,
							   GetCurrentTimestamp(), true);
		}
		hash_search(pga_xact_counts, &xc->queryid, HASH_REMOVE, NULL);
	}
	pga_xact_dirty = false;
}

/* ---------------------------------------------------------------------
 * Hooks
 * ---------------------------------------------------------------------
 */

/*
 * pga_post_parse_analyze
 *		Give the query of DECLARE CURSOR a query id.  Core computes ids for
 *		the statements it analyses, and a cursor's query is only part of
 *		the DECLARE utility statement, so without this its executions
 *		(FETCHes) would go uncounted.  The id is the one the same query
 *		gets when run directly.
 */
static void
pga_post_parse_analyze(ParseState *pstate, Query *query, JumbleState *jstate)
{
	if (prev_post_parse_analyze)
		prev_post_parse_analyze(pstate, query, jstate);

	if (query->utilityStmt != NULL &&
		IsA(query->utilityStmt, DeclareCursorStmt) &&
		pga_capture_on() && IsQueryIdEnabled())
	{
		DeclareCursorStmt *stmt = (DeclareCursorStmt *) query->utilityStmt;

		if (stmt->query != NULL && IsA(stmt->query, Query) &&
			((Query *) stmt->query)->queryId == UINT64CONST(0))
			(void) JumbleQuery((Query *) stmt->query, pstate->p_sourcetext);
	}
}

static void
pga_ExecutorStart(QueryDesc *queryDesc, int eflags)
{
	bool		capture = pga_capture_on() &&
		queryDesc->plannedstmt->queryId != UINT64CONST(0) &&
		!(eflags & EXEC_FLAG_EXPLAIN_ONLY) &&
		OidIsValid(MyDatabaseId);

	if (capture)
	{
		bool		measure = pga_should_measure(queryDesc->plannedstmt->queryId,
												 pga_nesting_level > 0);

		if (pga_nesting_level == 0)
			pga_top_measured = measure;
		if (measure)
			queryDesc->instrument_options |= INSTRUMENT_ROWS |
				(pga_sample_timing ? INSTRUMENT_TIMER : 0);
	}

	if (prev_ExecutorStart)
		prev_ExecutorStart(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);

	/*
	 * Execution time comes from the statement's total-time instrument,
	 * shared with pg_stat_statements and auto_explain, which set it up the
	 * same way when they are loaded.
	 */
	if (capture && queryDesc->totaltime == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(queryDesc->estate->es_query_cxt);

		queryDesc->totaltime = InstrAlloc(1, INSTRUMENT_ALL, false);
		MemoryContextSwitchTo(old);
	}
}

static void
pga_ExecutorRun(QueryDesc *queryDesc, ScanDirection direction, uint64 count,
				bool execute_once)
{
	if (!pga_capture_on())
	{
		if (prev_ExecutorRun)
			prev_ExecutorRun(queryDesc, direction, count, execute_once);
		else
			standard_ExecutorRun(queryDesc, direction, count, execute_once);
		return;
	}

	pga_nesting_level++;
	PG_TRY();
	{
		if (prev_ExecutorRun)
			prev_ExecutorRun(queryDesc, direction, count, execute_once);
		else
			standard_ExecutorRun(queryDesc, direction, count, execute_once);
	}
	PG_FINALLY();
	{
		pga_nesting_level--;
	}
	PG_END_TRY();
}

static void
pga_ExecutorFinish(QueryDesc *queryDesc)
{
	if (!pga_capture_on())
	{
		if (prev_ExecutorFinish)
			prev_ExecutorFinish(queryDesc);
		else
			standard_ExecutorFinish(queryDesc);
		return;
	}

	pga_nesting_level++;
	PG_TRY();
	{
		if (prev_ExecutorFinish)
			prev_ExecutorFinish(queryDesc);
		else
			standard_ExecutorFinish(queryDesc);
	}
	PG_FINALLY();
	{
		pga_nesting_level--;
	}
	PG_END_TRY();
}

static void
pga_ExecutorEnd(QueryDesc *queryDesc)
{
	uint64		queryid = queryDesc->plannedstmt->queryId;

	if (queryid != UINT64CONST(0) && queryDesc->totaltime != NULL &&
		pga_capture_on() && OidIsValid(MyDatabaseId) &&
		!(queryDesc->estate->es_top_eflags & EXEC_FLAG_EXPLAIN_ONLY) &&
		IsTransactionState())
	{
		pga_record_execution(queryDesc);
		if (pga_nesting_level == 0 && IsTransactionBlock())
			pga_xact_count(queryid, queryDesc->estate->es_processed);
	}

	if (prev_ExecutorEnd)
		prev_ExecutorEnd(queryDesc);
	else
		standard_ExecutorEnd(queryDesc);
}

/*
 * pga_ProcessUtility
 *		Track the nesting level through utility statements (DO, CALL,
 *		EXPLAIN ANALYZE, cursors), whose inner statements are nested.  A
 *		top-level utility statement makes the sampling decision its inner
 *		statements follow.  EXECUTE is transparent: the prepared statement
 *		it runs is the client's statement, as with the extended protocol.
 */
static void
pga_ProcessUtility(PlannedStmt *pstmt, const char *queryString,
				   bool readOnlyTree, ProcessUtilityContext context,
				   ParamListInfo params, QueryEnvironment *queryEnv,
				   DestReceiver *dest, QueryCompletion *qc)
{
	if (!pga_capture_on() || IsA(pstmt->utilityStmt, ExecuteStmt))
	{
		if (prev_ProcessUtility)
			prev_ProcessUtility(pstmt, queryString, readOnlyTree, context,
								params, queryEnv, dest, qc);
		else
			standard_ProcessUtility(pstmt, queryString, readOnlyTree, context,
									params, queryEnv, dest, qc);
		return;
	}

	if (pga_nesting_level == 0)
		pga_top_measured = pga_sample_rate >= 1.0 ||
			(pga_sample_rate > 0.0 &&
			 pg_prng_double(&pg_global_prng_state) < pga_sample_rate);

	pga_nesting_level++;
	PG_TRY();
	{
		if (prev_ProcessUtility)
			prev_ProcessUtility(pstmt, queryString, readOnlyTree, context,
								params, queryEnv, dest, qc);
		else
			standard_ProcessUtility(pstmt, queryString, readOnlyTree, context,
									params, queryEnv, dest, qc);
	}
	PG_FINALLY();
	{
		pga_nesting_level--;
	}
	PG_END_TRY();
}

/*
 * pga_emit_log_hook
 *		Count ERRORs by SQLSTATE and query id.  Runs while an error is being
 *		reported, possibly with our own locks held: every lock is taken
 *		conditionally and nothing is allocated.
 */
static void
pga_emit_log_hook(ErrorData *edata)
{
	if (edata->elevel == ERROR && pga_shared != NULL && pga_capture_enabled &&
		MyProc != NULL && OidIsValid(MyDatabaseId) && !proc_exit_inprogress &&
		CritSectionCount == 0 && !IsParallelWorker())
	{
		PgaErrorKey key;
		PgaRef		ref;
		PgaErrorEntry *e;
		TimestampTz now = GetCurrentTimestamp();

		memset(&key, 0, sizeof(key));
		key.queryid = pgstat_get_my_query_id();
		key.dbid = MyDatabaseId;
		key.sqlerrcode = edata->sqlerrcode;
		e = pga_store_acquire(PGA_ERRORS, &key, pga_store_hash(PGA_ERRORS, &key),
							  true, true, &ref);
		if (e != NULL)
		{
			SpinLockAcquire(&ref.slot->mutex);
			if (ref.created)
				e->first_seen = now;
			e->count++;
			e->userid = GetUserId();
			strlcpy(e->message, edata->message ? edata->message : "",
					PGA_DETAIL_LEN);
			e->last_seen = now;
			pga_slot_touch(ref.slot);
			SpinLockRelease(&ref.slot->mutex);
			pga_store_release(&ref);
		}
	}

	if (prev_emit_log_hook)
		prev_emit_log_hook(edata);
}
