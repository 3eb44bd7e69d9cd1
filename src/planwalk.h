/*-------------------------------------------------------------------------
 *
 * planwalk.h
 *	  Walking an executed (or just initialised) plan state: predicates,
 *	  join/sort/group keys and plan findings.  Used by capture.c for the
 *	  workload and by explain.c for one query.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGA_PLANWALK_H
#define PGA_PLANWALK_H

#include "executor/execdesc.h"

#include "store.h"

/* Finding codes; stored in the workload store, so never renumber. */
#define PGA_FINDING_SEQSCAN			1	/* large sequential scan keeping few rows */
#define PGA_FINDING_MISESTIMATE		2	/* actual rows far from the estimate */
#define PGA_FINDING_SORT_SPILL		3	/* sort spilled to disk */
#define PGA_FINDING_HASH_BATCHES	4	/* hash join table in several batches */
#define PGA_FINDING_HASHAGG_SPILL	5	/* hash aggregate spilled to disk */
#define PGA_FINDING_NESTLOOP		6	/* nested loop with very many inner loops */
#define PGA_FINDING_BITMAP_LOSSY	7	/* bitmap heap scan gone lossy */
#define PGA_FINDING_WORKERS			8	/* parallel workers planned, not launched */
#define PGA_FINDING_HEAP_FETCHES	9	/* index-only scan fetching from the heap */
#define PGA_FINDING_NPLUS1			10	/* same query many times in a transaction */
#define PGA_FINDING_MAX				10

/* Severities. */
#define PGA_SEV_INFO		1
#define PGA_SEV_WARNING		2
#define PGA_SEV_CRITICAL	3

/* What pga_plan_walk should do. */
#define PGA_WALK_PREDICATES	0x01	/* collect predicates and keys */
#define PGA_WALK_MEASURE	0x02	/* read the nodes' instrumentation */
#define PGA_WALK_VALUES		0x04	/* example constants */
#define PGA_WALK_FINDINGS	0x08	/* findings from instrumentation */
#define PGA_WALK_ESTIMATES	0x10	/* findings from estimates only */

/* One predicate (or join/sort/group key) found in the plan. */
typedef struct PgaWalkPred
{
	PgaPredKey	key;			/* zero-padded, complete */
	uint32		hashcode;		/* pga_store_hash of the key */
	char	   *expr;			/* deparsed expression, or NULL */
	const char *node;			/* label of the plan node it came from */
	bool		measured;		/* the numbers below are valid */
	double		rows_scanned;
	double		rows_removed;
	double		est_rows;
	double		actual_rows;
	double		est_base;		/* denominators of the selectivities */
	double		actual_base;
	char	   *example;		/* example constant, or NULL */
	/* private to planwalk.c */
	int			bucket;
	bool		grouped;
} PgaWalkPred;

/* One finding in the plan. */
typedef struct PgaWalkFinding
{
	int			code;			/* PGA_FINDING_* */
	int			severity;		/* PGA_SEV_* */
	Oid			relid;			/* table of the node, or InvalidOid */
	const char *node;			/* label of the plan node */
	double		value;			/* the measure the finding is about */
	char	   *detail;			/* one line */
} PgaWalkFinding;

typedef struct PgaWalkResult
{
	int			npreds;
	PgaWalkPred *preds;			/* deduplicated by key */
	List	   *findings;		/* of PgaWalkFinding * */
} PgaWalkResult;

extern uint64 pga_plan_fingerprint(QueryDesc *queryDesc);
extern void pga_plan_walk(QueryDesc *queryDesc, Oid dbid, uint64 queryid,
						  int flags, PgaWalkResult *result);

extern const char *pga_finding_name(int code);
extern const char *pga_finding_hint(int code);
extern const char *pga_severity_name(int severity);
extern const char *pga_kind_name(int kind);
extern char *pga_value_clip(const char *s, int maxlen);

#endif							/* PGA_PLANWALK_H */
