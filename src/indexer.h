/*-------------------------------------------------------------------------
 *
 * indexer.h
 *	  Index build jobs: the shared job table in shared memory, the
 *	  statement checker, the background worker and the verification.
 *
 * The files of the module, one concern each, are listed in indexer.c.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGA_INDEXER_H
#define PGA_INDEXER_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "lib/stringinfo.h"
#include "nodes/pg_list.h"
#include "nodes/primnodes.h"
#include "postmaster/bgworker.h"
#include "storage/lwlock.h"

/* Longest statement a job may carry (the rebuilt, quoted text). */
#define PGA_MAX_STATEMENT		4096

/* Longest error message, detail or note kept in a slot. */
#define PGA_MAX_MESSAGE			1024

/* Most query ids of a recommendation that a job carries for verification. */
#define PGA_MAX_QUERYIDS		32

/* What a job does. */
typedef enum PgaJobKind
{
	PGA_JOB_CREATE = 0,			/* CREATE INDEX [CONCURRENTLY] */
	PGA_JOB_DROP,				/* DROP INDEX [CONCURRENTLY] */
	PGA_JOB_CLEANUP				/* recovery pass over a database's jobs */
} PgaJobKind;

/*
 * Life of a slot.  QUEUED and READY are both "queued" to the user: QUEUED
 * until the calling transaction has ended (wait => false), READY while the
 * worker waits for its turn in its database.
 */
typedef enum PgaJobState
{
	PGA_SLOT_FREE = 0,
	PGA_SLOT_QUEUED,
	PGA_SLOT_READY,
	PGA_SLOT_RUNNING,
	PGA_SLOT_DONE,
	PGA_SLOT_FAILED,
	PGA_SLOT_CANCELLED
} PgaJobState;

#define PGA_SLOT_IS_FINAL(s) \
	((s) == PGA_SLOT_DONE || (s) == PGA_SLOT_FAILED || (s) == PGA_SLOT_CANCELLED)
#define PGA_SLOT_IS_ACTIVE(s) \
	((s) == PGA_SLOT_QUEUED || (s) == PGA_SLOT_READY || (s) == PGA_SLOT_RUNNING)

/*
 * One job in shared memory.  Written by the backend that queues the job
 * (everything up to statement) and by its worker (state and outcome);
 * every field is read and written under PgaIndexerShared->lock.
 */
typedef struct PgaJobSlot
{
	PgaJobState state;			/* see above */
	PgaJobKind	kind;			/* create, drop or cleanup */
	int64		job_id;			/* architect.index_jobs_log.job_id */
	Oid			dboid;			/* database the job runs in */
	Oid			roleid;			/* role the job runs as (current user) */
	Oid			session_userid; /* role the worker logs in as */
	Oid			relid;			/* table of the index */
	Oid			indexoid;		/* index to drop (drop jobs) */
	bool		concurrently;	/* CONCURRENTLY or not */
	bool		if_not_exists;	/* IF NOT EXISTS given */
	TransactionId caller_xid;	/* (sub)xact that queued it: run if it commits */
	int			caller_procno;	/* PGPROC number of the queuing backend */
	pid_t		worker_pid;		/* 0 until the worker has started */
	int			worker_procno;	/* PGPROC number of the worker */
	int			nwaiters;		/* backends waiting for this job */
	bool		cancel_requested;	/* cancel_index_job() was called */
	bool		needs_cleanup;	/* an invalid index may be left */
	bool		validated;		/* build and validation have finished */
	int			lock_timeout_ms;	/* caller's pg_architect.index_lock_timeout */
	int			retries;		/* caller's pg_architect.index_retries */
	int			retry_delay_ms; /* caller's pg_architect.index_retry_delay */
	int			cleanup_timeout_ms; /* caller's index_cleanup_timeout */
	int			verify_queries; /* caller's pg_architect.verify_queries */
	int			attempts;		/* attempts made so far */
	TimestampTz queued_at;		/* when the job was queued */
	int			nqueryids;		/* queries to verify the index with */
	int64		queryids[PGA_MAX_QUERYIDS];
	char		source[NAMEDATALEN];	/* statement, recommendation, ... */
	char		search_path[PGA_MAX_MESSAGE];	/* caller's, to plan queries */
	char		schema_name[NAMEDATALEN];
	char		table_name[NAMEDATALEN];
	char		index_name[NAMEDATALEN];
	char		sqlstate[6];	/* outcome: SQLSTATE of the failure */
	char		message[PGA_MAX_MESSAGE];	/* outcome: error message */
	char		detail[PGA_MAX_MESSAGE];	/* outcome: error detail */
	char		note[PGA_MAX_MESSAGE];	/* outcome: what was cleaned up */
	char		statement[PGA_MAX_STATEMENT];	/* what the worker runs */
} PgaJobSlot;

typedef struct PgaIndexerShared
{
	LWLock	   *lock;			/* protects every slot */
	int			nslots;			/* pg_architect.max_index_jobs */
	PgaJobSlot	slots[FLEXIBLE_ARRAY_MEMBER];
} PgaIndexerShared;

extern PgaIndexerShared *pga_indexer;

/* A CREATE INDEX statement after checking and rebuilding. */
typedef struct PgaIndexRequest
{
	Oid			relid;			/* table, resolved in the caller's search_path */
	Oid			namespaceid;	/* schema of table and index */
	char	   *schema_name;
	char	   *table_name;
	char	   *index_name;		/* given or chosen */
	bool		if_not_exists;
	char	   *statement;		/* rebuilt, every identifier quoted */
} PgaIndexRequest;

/* What a backend asks for when it queues a job. */
typedef struct PgaJobRequest
{
	PgaJobKind	kind;
	Oid			relid;
	Oid			indexoid;
	bool		concurrently;
	bool		if_not_exists;
	bool		wait;
	const char *schema_name;
	const char *table_name;
	const char *index_name;
	const char *statement;
	const char *source;
	int			nqueryids;
	int64	   *queryids;
} PgaJobRequest;

/* indexer.c */
extern void pga_indexer_init(void);
extern PgaIndexerShared *pga_indexer_required(const char *what);
extern int	pga_slot_index_for_job(int64 job_id, Oid dboid);
extern void pga_wake_database(Oid dboid);
extern bool pga_launch_cleanup_worker(Oid dboid, bool wait);
extern void pga_request_cancel(PgaJobSlot *slot);
extern void pga_check_session_role(const char *what);
extern void pga_refuse_in_block(const char *what, bool wait);
extern int64 pga_submit_job(PgaJobRequest *jr, int *slotno, bool *attached,
							BackgroundWorkerHandle **handle);
extern bool pga_job_active_for_index(PgaJobKind kind, const char *schema_name,
									 const char *index_name);

/* indexer_wait.c */
extern void pga_wait_for_job(int slotno, int64 job_id,
							 BackgroundWorkerHandle *handle, bool creator,
							 const char *index_name);

/* indexer_create.c */
extern int64 pga_queue_create(const char *sql, bool concurrently, bool wait,
							  const char *source, int64 *queryids,
							  int nqueryids);

/* indexer_stmt.c */
extern void pga_check_create_index(const char *sql, bool concurrently,
								   PgaIndexRequest *req);
extern void pga_check_table(Oid relid, const char *what);
extern void pga_check_owner(Oid relid, const char *what);
extern char *pga_relation_kind_name(char relkind);
extern Oid	pga_rel_owner(Oid relid);

/* indexer_recs.c: a row of architect.recommend_indexes() */
typedef struct PgaRecommendation
{
	int32		rank;
	char	   *schema_name;
	char	   *table_name;
	char	   *index_name;
	char	   *ddl;
	int64		size;			/* estimated_size_bytes */
	bool		size_null;
	double		improvement;	/* improvement_pct */
	bool		improvement_null;
	int			nqueryids;		/* queries it is for */
	int64	   *queryids;
} PgaRecommendation;

extern List *pga_read_recommendations(Datum budget, bool budget_null,
									  int32 max_indexes, const char *by_name,
									  const char *by_ddl, bool quiet,
									  const char *what, bool *advisor_missing);

/* indexer_lock.c */
extern int	pga_bound_lock_waits(void);
extern void pga_unbound_lock_waits(int level);
extern void pga_raise_lock_error(ErrorData *edata, const char *what,
								 const char *object) pg_attribute_noreturn();
extern Oid	pga_lock_table(RangeVar *rv, Oid relid, const char *what);

/* indexer_worker.c */
extern PGDLLEXPORT void pga_index_worker_main(Datum main_arg);

/* indexer_recovery.c */
extern void pga_register_recovery_worker(void);
extern PGDLLEXPORT void pga_cleanup_worker_main(Datum main_arg);
extern PGDLLEXPORT void pga_recovery_worker_main(Datum main_arg);

/* indexer_exec.c: in the workers */
/* Outcome of a job, recorded in its row and its slot. */
typedef struct PgaOutcome
{
	PgaJobState state;
	char		sqlstate[6];
	char	   *message;
	char	   *detail;
	StringInfoData cleanup;		/* what was cleaned up, for the user */
	bool		cleanup_pending;	/* something is left for the cleanup pass */
	StringInfoData notes;		/* retries and other events, one per line */
} PgaOutcome;

extern MemoryContext pga_job_cxt;
extern Oid	pga_bookkeeper;
extern void pga_session_settings(const char *appname);
extern Oid	pga_find_bookkeeper(void);
extern void pga_exec_toplevel(const char *sql);
extern ErrorData *pga_catch_error(void);
extern void pga_book(const char *sql, int nargs, Oid *argtypes, Datum *values,
					 const char *nulls);
extern Datum pga_text_or_null(const char *s, char *null);
extern Datum pga_name_datum(const char *s);
extern Oid	pga_index_state(const char *schema, const char *name, Oid relid,
							bool *valid);
extern bool pga_drop_invalid(const char *schema, const char *name, Oid relid,
							 int timeout_ms, PgaOutcome *out);

/* indexer_verify.c */
typedef struct PgaVerifyQuery
{
	int64		queryid;
	char	   *query;			/* text planned */
	double		cost_before;	/* -1 when not planned */
	double		cost_after;		/* -1 when not planned */
	bool		uses_index;		/* the plan after the build uses the index */
	char	   *note;			/* why a query could not be planned */
} PgaVerifyQuery;

extern List *pga_verify_collect(Oid relid, int64 *queryids, int nqueryids,
								int limit);
extern void pga_verify_plan(List *queries, Oid indexoid, bool after,
							const char *search_path);

#endif							/* PGA_INDEXER_H */
