/*-------------------------------------------------------------------------
 *
 * store.h
 *	  The shared-memory workload store: four bounded tables (query
 *	  patterns, predicates, plan findings, errors) with partitioned locking
 *	  and clock eviction.
 *
 * The entry layouts below are written to disk at a clean shutdown; change
 * PGA_STORE_FORMAT whenever one of them changes.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGA_STORE_H
#define PGA_STORE_H

#include "datatype/timestamp.h"
#include "port/atomics.h"
#include "storage/lwlock.h"
#include "storage/spin.h"

/* Version of the entry layouts (and of the file they are saved in). */
#define PGA_STORE_FORMAT		3

/* Lock partitions per table; a power of two. */
#define PGA_PARTITIONS			16

/* Text buffers held in entries (bytes, including the terminating NUL). */
#define PGA_VALUE_LEN			64	/* an example constant */
#define PGA_EXPR_LEN			128 /* a deparsed expression */
#define PGA_NODE_LEN			48	/* a plan node label */
#define PGA_DETAIL_LEN			256 /* a finding's detail, an error message */

/* The tables of the store. */
typedef enum PgaTableId
{
	PGA_QUERIES = 0,
	PGA_PREDICATES,
	PGA_FINDINGS,
	PGA_ERRORS,
	PGA_NTABLES
} PgaTableId;

/* Predicate kinds (PgaPredKey.kind); stored, so never renumber. */
#define PGA_KIND_INDEX_COND		1
#define PGA_KIND_FILTER			2
#define PGA_KIND_JOIN			3
#define PGA_KIND_SORT			4
#define PGA_KIND_GROUP			5

/* Predicate forms (PgaPredKey.form); stored, so never renumber. */
#define PGA_FORM_OP				0	/* column op value */
#define PGA_FORM_ANY			1	/* column op ANY (array) */
#define PGA_FORM_ALL			2	/* column op ALL (array) */
#define PGA_FORM_IS_NULL		3
#define PGA_FORM_IS_NOT_NULL	4

/*
 * A query pattern: one per database, user and query id (the key of
 * pg_stat_statements without toplevel).
 */
typedef struct PgaQueryKey
{
	Oid			dbid;
	Oid			userid;
	uint64		queryid;
} PgaQueryKey;

typedef struct PgaQueryEntry
{
	PgaQueryKey key;
	int64		calls;			/* executions counted */
	int64		measured;		/* of which instrumented and walked */
	int64		rows;			/* rows processed, summed */
	double		total_ms;		/* execution time, summed */
	double		min_ms;
	double		max_ms;
	int64		shared_blks_hit;	/* buffer use during execution, summed */
	int64		shared_blks_read;
	int64		temp_blks_written;
	double		example_ms;		/* time of the execution whose text is kept */
	TimestampTz first_seen;
	TimestampTz last_seen;
	int32		text_len;		/* bytes used in text */
	bool		text_truncated; /* text was cut to fit */
	bool		text_plain;		/* text is the statement itself, not
								 * EXPLAIN/DECLARE/PREPARE around it */
	char		text[FLEXIBLE_ARRAY_MEMBER];	/* statement text */
} PgaQueryEntry;

/*
 * A predicate: a column (or expression) of a table used with an operator
 * in one way (kind) by one query id.  Zero the whole key before filling
 * it: it is hashed and compared as bytes.
 */
typedef struct PgaPredKey
{
	uint64		queryid;
	Oid			dbid;
	Oid			relid;			/* the table scanned */
	Oid			opno;			/* operator, commuted so the column is left;
								 * 0 for IS [NOT] NULL */
	uint32		exprhash;		/* hash of the expression text, 0 for a
								 * column */
	uint32		scan_group;		/* predicates AND-ed in one scan share it */
	int16		attnum;			/* column number, 0 for an expression */
	int16		position;		/* 1-based position among sort/group keys */
	uint8		kind;			/* PGA_KIND_* */
	uint8		form;			/* PGA_FORM_* */
	uint8		pad[6];
} PgaPredKey;

typedef struct PgaPredEntry
{
	PgaPredKey	key;
	int64		executions;		/* statement executions with this predicate */
	int64		measured;		/* of which instrumented */
	double		rows_scanned;	/* sums over measured executions */
	double		rows_removed;
	double		est_rows;
	double		actual_rows;
	double		est_base;		/* denominators of the selectivities */
	double		actual_base;
	double		example_ms;		/* execution time of the example */
	Oid			example_userid; /* who ran the example */
	TimestampTz first_seen;
	TimestampTz last_seen;
	char		example[PGA_VALUE_LEN];	/* a constant compared with */
	char		expr[PGA_EXPR_LEN]; /* deparsed expression, if attnum = 0 */
} PgaPredEntry;

/* A plan finding of one query id at one kind of plan node. */
typedef struct PgaFindingKey
{
	uint64		queryid;
	Oid			dbid;
	Oid			relid;			/* table of the node, or 0 */
	uint32		nodehash;		/* hash of the node label */
	int16		code;			/* PGA_FINDING_* (planwalk.h) */
	int16		pad;
} PgaFindingKey;

typedef struct PgaFindingEntry
{
	PgaFindingKey key;
	int64		occurrences;	/* measured executions that showed it */
	double		worst;			/* the worst value seen */
	int32		severity;		/* of the worst occurrence */
	Oid			userid;			/* who ran the worst occurrence */
	TimestampTz first_seen;
	TimestampTz last_seen;
	char		node[PGA_NODE_LEN];
	char		detail[PGA_DETAIL_LEN]; /* of the worst occurrence */
} PgaFindingEntry;

/* Errors by SQLSTATE and query id. */
typedef struct PgaErrorKey
{
	uint64		queryid;
	Oid			dbid;
	int32		sqlerrcode;
} PgaErrorKey;

typedef struct PgaErrorEntry
{
	PgaErrorKey key;
	int64		count;
	Oid			userid;			/* who raised the last one */
	TimestampTz first_seen;
	TimestampTz last_seen;
	char		message[PGA_DETAIL_LEN];	/* of the last one */
} PgaErrorEntry;

/*
 * Header of a slot of a table.  The entry (key first) follows it at
 * PGA_SLOT_DATA.
 */
typedef struct PgaSlot
{
	slock_t		mutex;			/* protects in_use, usage and the entry */
	bool		in_use;			/* holds an entry that is in the hash */
	uint8		usage;			/* clock usage count, 0..PGA_MAX_USAGE */
	int32		next_free;		/* free list link, -1 ends it */
} PgaSlot;

#define PGA_MAX_USAGE			5
#define PGA_SLOT_DATA(slot)		((void *) ((char *) (slot) + MAXALIGN(sizeof(PgaSlot))))

/* One table of the store, in shared memory. */
typedef struct PgaTable
{
	int			nslots;			/* capacity */
	Size		keysize;
	Size		entrysize;		/* the entry, key included */
	Size		slotsize;		/* header + entry, MAXALIGNed */
	char	   *slots;			/* nslots slots */
	LWLockPadded *locks;		/* PGA_PARTITIONS partition locks */
	slock_t		free_mutex;		/* protects free_head and next_free links */
	int32		free_head;		/* first free slot, -1 when none */
	pg_atomic_uint32 clock;		/* clock hand of the eviction sweep */
	pg_atomic_uint32 used;		/* slots in use */
	pg_atomic_uint64 evictions; /* entries evicted to make room */
	pg_atomic_uint64 dropped;	/* entries not stored (no room in time) */
} PgaTable;

/* Header of the shared-memory store, one per cluster. */
typedef struct PgaSharedState
{
	LWLock	   *lock;			/* protects stats_reset */
	TimestampTz stats_reset;	/* when the store was last emptied */
	pg_atomic_uint64 executions;	/* executions counted */
	pg_atomic_uint64 measured;	/* of which instrumented */
	pg_atomic_uint64 restored;	/* entries loaded at the last start */
	pg_atomic_uint32 generation;	/* bumped by reset(): backends drop
									 * what they cached from the store */
	PgaTable	tables[PGA_NTABLES];
} PgaSharedState;

/*
 * What pga_store_acquire hands back: the slot, with its partition lock
 * held (shared, or exclusive when the entry was just created).
 */
typedef struct PgaRef
{
	PgaSlot    *slot;
	LWLock	   *lock;
	bool		created;
} PgaRef;

/* NULL unless the library was preloaded and shared memory is attached. */
extern PgaSharedState *pga_shared;

/* Length of the statement text kept in a query entry. */
extern int	pga_query_text_len;

/* Attached store, or ERROR 55000 with a hint when not preloaded. */
extern PgaSharedState *pga_store_required(const char *what);

extern uint32 pga_store_hash(PgaTableId tbl, const void *key);
extern void *pga_store_acquire(PgaTableId tbl, const void *key,
							   uint32 hashcode, bool create, bool nowait,
							   PgaRef *ref);
extern void pga_store_release(PgaRef *ref);

/* Copy of every entry of a table, for the views; returns the count. */
extern int	pga_store_snapshot(PgaTableId tbl, char **entries);
extern Size pga_store_entrysize(PgaTableId tbl);

/* Bump a slot's usage count; the caller holds slot->mutex. */
static inline void
pga_slot_touch(PgaSlot *slot)
{
	if (slot->usage < PGA_MAX_USAGE)
		slot->usage++;
}

#endif							/* PGA_STORE_H */
