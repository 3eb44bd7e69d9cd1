/*-------------------------------------------------------------------------
 *
 * store.h
 *	  The shared-memory workload store.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGA_STORE_H
#define PGA_STORE_H

#include "datatype/timestamp.h"
#include "storage/lwlock.h"

/* Header of the shared-memory store, one per cluster. */
typedef struct PgaSharedState
{
	LWLock	   *lock;			/* protects every field below */
	TimestampTz stats_reset;	/* when the store was last emptied */
} PgaSharedState;

/* NULL unless the library was preloaded and shared memory is attached. */
extern PgaSharedState *pga_shared;

/* Attached store, or ERROR 55000 with a hint when not preloaded. */
extern PgaSharedState *pga_store_required(const char *what);

#endif							/* PGA_STORE_H */
