/*-------------------------------------------------------------------------
 *
 * store.c
 *	  The shared-memory workload store of pg_architect.
 *
 * The store holds four bounded tables: query patterns, predicates, plan
 * findings and errors (store.h has their entries).  It lives in the main
 * shared memory segment, sized at postmaster start from
 * pg_architect.max_entries, so it exists only when the library is
 * preloaded.  Space and LWLocks are requested in shmem_request_hook and
 * attached in shmem_startup_hook under AddinShmemInitLock.
 *
 * Design.  Each table is an array of fixed-size slots plus a partitioned
 * dynahash that maps a key to its slot.  A key's hash code picks one of
 * PGA_PARTITIONS partition locks; the dynahash is created with
 * HASH_PARTITION and HASH_FIXED_SIZE, so it never grows and its free
 * lists are per partition.  Finding or updating an entry takes one
 * partition lock in shared mode and the slot's spinlock; creating one
 * takes the partition lock in exclusive mode.  Nothing on these paths
 * touches a lock that covers the whole table.
 *
 * When no slot is free, room is made by a clock sweep (the buffer
 * manager's replacement policy): a shared atomic hand walks the slots,
 * decrementing their usage count (bumped at every update, capped at
 * PGA_MAX_USAGE) until it meets one at zero.  The sweep looks at most at
 * PGA_SWEEP_STEPS slots and then takes the least used one it saw, and it
 * only ever takes a victim's partition lock conditionally, so making room
 * is bounded work that never waits for another backend.  When no victim
 * could be taken in that budget, the new entry is not stored and the
 * table's "dropped" counter says so; "evictions" counts victims.
 *
 * Persistence follows pg_stat_statements: at shutdown the postmaster
 * writes every entry to PGA_DUMP_FILE ".tmp" and renames it into place
 * with durable_rename; at the next start the file is read (magic number
 * and format version checked) and removed.  It is read only when the
 * control file says the cluster was shut down cleanly: after a crash, a
 * backend crash with reinitialisation, or an immediate shutdown (which
 * also ends the postmaster with exit code 0), the store starts empty.
 *
 * Locking:
 *	pga_shared->lock (LWLock) protects stats_reset.
 *	PgaTable.locks[i] (one LWLock per partition) protect the dynahash
 *	  buckets of their partition and the binding of a slot to a key: a
 *	  slot's key can only change (eviction, reset) under the exclusive
 *	  partition lock of the key it holds.  Updaters hold it shared.
 *	PgaSlot.mutex (spinlock) protects the slot's counters, in_use and
 *	  usage; readers copy an entry under it without any LWLock.
 *	PgaTable.free_mutex (spinlock) protects the free list.
 *	Counters of the header and tables are atomics.
 *	Lock order: partition lock, then slot mutex.  reset() takes every
 *	partition lock of a table in index order.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/stat.h>
#include <unistd.h>

#include "catalog/pg_control.h"
#include "common/controldata_utils.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/fd.h"
#include "storage/ipc.h"
#include "storage/shmem.h"
#include "utils/backend_status.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/timestamp.h"

#include "pg_architect.h"
#include "guc.h"
#include "store.h"

/* Where the store is saved across a clean restart. */
#define PGA_DUMP_FILE		PGSTAT_STAT_PERMANENT_DIRECTORY "/pg_architect.stat"
#define PGA_DUMP_MAGIC		0x50474131	/* "PGA1" */

/* Slots the clock sweep looks at before settling for the least used. */
#define PGA_SWEEP_STEPS		64

/* Locks in the tranche: the header lock, then the partitions. */
#define PGA_NUM_LOCKS		(1 + PGA_NTABLES * PGA_PARTITIONS)

#define PGA_TRANCHE			"pg_architect"

PgaSharedState *pga_shared = NULL;
int			pga_query_text_len = 0;

/* Backend-local handles of the shared dynahash tables. */
static HTAB *pga_hash[PGA_NTABLES];

static const char *const pga_table_names[PGA_NTABLES] = {
	"pg_architect queries", "pg_architect predicates",
	"pg_architect findings", "pg_architect errors"
};

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

PG_FUNCTION_INFO_V1(pga_reset);
PG_FUNCTION_INFO_V1(pga_capture_stats);

static void pga_store_load(void);
static void pga_store_save(int code, Datum arg);

/*
 * pga_table_capacity
 *		Slots of each table for the configured max_entries.
 */
static int
pga_table_capacity(PgaTableId tbl)
{
	switch (tbl)
	{
		case PGA_QUERIES:
		case PGA_FINDINGS:
			return pga_max_entries;
		case PGA_PREDICATES:
			return pga_max_entries * 4;
		case PGA_ERRORS:
			return Max(100, pga_max_entries / 4);
		default:
			elog(ERROR, "unknown pg_architect table %d", (int) tbl);
	}
	return 0;					/* keep compiler quiet */
}

static Size
pga_table_keysize(PgaTableId tbl)
{
	switch (tbl)
	{
		case PGA_QUERIES:
			return sizeof(PgaQueryKey);
		case PGA_PREDICATES:
			return sizeof(PgaPredKey);
		case PGA_FINDINGS:
			return sizeof(PgaFindingKey);
		case PGA_ERRORS:
			return sizeof(PgaErrorKey);
		default:
			elog(ERROR, "unknown pg_architect table %d", (int) tbl);
	}
	return 0;
}

static Size
pga_table_entrysize(PgaTableId tbl)
{
	switch (tbl)
	{
		case PGA_QUERIES:
			return MAXALIGN(offsetof(PgaQueryEntry, text) + pga_query_text_len);
		case PGA_PREDICATES:
			return MAXALIGN(sizeof(PgaPredEntry));
		case PGA_FINDINGS:
			return MAXALIGN(sizeof(PgaFindingEntry));
		case PGA_ERRORS:
			return MAXALIGN(sizeof(PgaErrorEntry));
		default:
			elog(ERROR, "unknown pg_architect table %d", (int) tbl);
	}
	return 0;
}

/* The dynahash entry: the key, then the slot number. */
static Size
pga_hash_entrysize(PgaTableId tbl)
{
	return MAXALIGN(pga_table_keysize(tbl) + sizeof(int32));
}

#define PGA_HASH_SLOT(t, ent)	(*(int32 *) ((char *) (ent) + (t)->keysize))
#define PGA_SLOT(t, i)			((PgaSlot *) ((t)->slots + (Size) (i) * (t)->slotsize))

/*
 * pga_store_shmem_size
 *		Bytes of shared memory the store needs.
 */
static Size
pga_store_shmem_size(void)
{
	Size		size = MAXALIGN(sizeof(PgaSharedState));

	for (int i = 0; i < PGA_NTABLES; i++)
	{
		int			n = pga_table_capacity(i);
		Size		slotsize = MAXALIGN(sizeof(PgaSlot)) + pga_table_entrysize(i);

		size = add_size(size, mul_size(n, slotsize));
		size = add_size(size, hash_estimate_size(n, pga_hash_entrysize(i)));
	}
	return size;
}

/*
 * pga_shmem_request
 *		Ask the postmaster for the store's memory and its locks.
 */
static void
pga_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();

	pga_query_text_len = pgstat_track_activity_query_size;
	RequestAddinShmemSpace(pga_store_shmem_size());
	RequestNamedLWLockTranche(PGA_TRANCHE, PGA_NUM_LOCKS);
}

/*
 * pga_table_attach
 *		Create (or, under EXEC_BACKEND, attach to) one table's dynahash and,
 *		when creating, lay out its slots and free list.
 */
static void
pga_table_attach(PgaTableId tbl, bool found, LWLockPadded *locks)
{
	PgaTable   *t = &pga_shared->tables[tbl];
	HASHCTL		info;
	int			n = pga_table_capacity(tbl);

	memset(&info, 0, sizeof(info));
	info.keysize = pga_table_keysize(tbl);
	info.entrysize = pga_hash_entrysize(tbl);
	info.num_partitions = PGA_PARTITIONS;
	pga_hash[tbl] = ShmemInitHash(pga_table_names[tbl], n, n, &info,
								  HASH_ELEM | HASH_BLOBS | HASH_PARTITION |
								  HASH_FIXED_SIZE);
	if (found)
		return;

	t->nslots = n;
	t->keysize = info.keysize;
	t->entrysize = pga_table_entrysize(tbl);
	t->slotsize = MAXALIGN(sizeof(PgaSlot)) + t->entrysize;
	t->slots = ShmemAlloc(mul_size(n, t->slotsize));
	t->locks = locks + 1 + tbl * PGA_PARTITIONS;
	SpinLockInit(&t->free_mutex);
	for (int i = 0; i < n; i++)
	{
		PgaSlot    *slot = PGA_SLOT(t, i);

		SpinLockInit(&slot->mutex);
		slot->in_use = false;
		slot->usage = 0;
		slot->next_free = (i + 1 < n) ? i + 1 : -1;
	}
	t->free_head = 0;
	pg_atomic_init_u32(&t->clock, 0);
	pg_atomic_init_u32(&t->used, 0);
	pg_atomic_init_u64(&t->evictions, 0);
	pg_atomic_init_u64(&t->dropped, 0);
}

/*
 * pga_shmem_startup
 *		Create or attach the store.  Runs in the postmaster (or the
 *		single-user backend) and, under EXEC_BACKEND, in every backend.
 */
static void
pga_shmem_startup(void)
{
	bool		found;
	LWLockPadded *locks;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();

	pga_shared = NULL;
	pga_query_text_len = pgstat_track_activity_query_size;

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);

	pga_shared = ShmemInitStruct("pg_architect", sizeof(PgaSharedState),
								 &found);
	locks = GetNamedLWLockTranche(PGA_TRANCHE);
	if (!found)
	{
		pga_shared->lock = &locks[0].lock;
		pga_shared->stats_reset = GetCurrentTimestamp();
		pg_atomic_init_u64(&pga_shared->executions, 0);
		pg_atomic_init_u64(&pga_shared->measured, 0);
		pg_atomic_init_u64(&pga_shared->restored, 0);
		pg_atomic_init_u32(&pga_shared->generation, 0);
	}
	for (int i = 0; i < PGA_NTABLES; i++)
		pga_table_attach(i, found, locks);

	LWLockRelease(AddinShmemInitLock);

	/*
	 * The postmaster (or a single-user backend) saves the store when it
	 * exits cleanly, and loads what the previous clean exit saved.
	 */
	if (!IsUnderPostmaster)
		on_shmem_exit(pga_store_save, (Datum) 0);
	if (!found)
		pga_store_load();
}

/*
 * pga_store_init
 *		Install the shared memory hooks.  Called from _PG_init when
 *		preloaded.
 */
void
pga_store_init(void)
{
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = pga_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = pga_shmem_startup;
}

/*
 * pga_store_required
 *		The attached store, or an error with a hint when not preloaded.
 */
PgaSharedState *
pga_store_required(const char *what)
{
	pga_require_preload(what);
	if (pga_shared == NULL)
		elog(ERROR, "pg_architect shared memory is not attached");
	return pga_shared;
}

/*
 * pga_store_hash
 *		Hash code of a key of the given table.
 */
uint32
pga_store_hash(PgaTableId tbl, const void *key)
{
	return hash_bytes((const unsigned char *) key,
					  (int) pga_shared->tables[tbl].keysize);
}

Size
pga_store_entrysize(PgaTableId tbl)
{
	return pga_shared->tables[tbl].entrysize;
}

static inline LWLock *
pga_partition_lock(PgaTable *t, uint32 hashcode)
{
	return &t->locks[hashcode % PGA_PARTITIONS].lock;
}

/*
 * pga_free_push
 *		Put a slot that is not in use back on the free list.
 */
static void
pga_free_push(PgaTable *t, int32 idx)
{
	PgaSlot    *slot = PGA_SLOT(t, idx);

	SpinLockAcquire(&t->free_mutex);
	slot->next_free = t->free_head;
	t->free_head = idx;
	SpinLockRelease(&t->free_mutex);
}

/*
 * pga_try_evict
 *		Evict the entry in slot idx if its partition lock can be had at
 *		once.  Returns true when the slot is now ours (not in use, on no
 *		list).  The caller holds no partition lock of this table.
 */
static bool
pga_try_evict(PgaTableId tbl, int32 idx)
{
	PgaTable   *t = &pga_shared->tables[tbl];
	PgaSlot    *slot = PGA_SLOT(t, idx);
	char		key[64];
	uint32		hashcode;
	LWLock	   *lock;
	void	   *ent;
	bool		evicted = false;

	Assert(t->keysize <= sizeof(key));

	/* Which key does the slot hold? */
	SpinLockAcquire(&slot->mutex);
	if (!slot->in_use)
	{
		SpinLockRelease(&slot->mutex);
		return false;
	}
	memcpy(key, PGA_SLOT_DATA(slot), t->keysize);
	SpinLockRelease(&slot->mutex);

	hashcode = hash_bytes((const unsigned char *) key, (int) t->keysize);
	lock = pga_partition_lock(t, hashcode);
	if (!LWLockConditionalAcquire(lock, LW_EXCLUSIVE))
		return false;

	/*
	 * Under the key's partition lock, the slot is bound to the key exactly
	 * when the hash says so; otherwise it changed hands since we looked.
	 */
	ent = hash_search_with_hash_value(pga_hash[tbl], key, hashcode,
									  HASH_FIND, NULL);
	if (ent != NULL && PGA_HASH_SLOT(t, ent) == idx)
	{
		hash_search_with_hash_value(pga_hash[tbl], key, hashcode,
									HASH_REMOVE, NULL);
		SpinLockAcquire(&slot->mutex);
		slot->in_use = false;
		slot->usage = 0;
		SpinLockRelease(&slot->mutex);
		pg_atomic_fetch_sub_u32(&t->used, 1);
		pg_atomic_fetch_add_u64(&t->evictions, 1);
		evicted = true;
	}
	LWLockRelease(lock);
	return evicted;
}

/*
 * pga_slot_get
 *		A slot for a new entry: from the free list, or made free by a
 *		bounded clock sweep.  Returns -1 when none could be had.  The
 *		caller holds no partition lock of this table.
 */
static int32
pga_slot_get(PgaTableId tbl)
{
	PgaTable   *t = &pga_shared->tables[tbl];
	int32		idx;
	int32		best = -1;
	int			best_usage = PGA_MAX_USAGE + 1;

	SpinLockAcquire(&t->free_mutex);
	idx = t->free_head;
	if (idx >= 0)
		t->free_head = PGA_SLOT(t, idx)->next_free;
	SpinLockRelease(&t->free_mutex);
	if (idx >= 0)
		return idx;

	for (int step = 0; step < PGA_SWEEP_STEPS; step++)
	{
		uint32		hand = pg_atomic_fetch_add_u32(&t->clock, 1) % (uint32) t->nslots;
		PgaSlot    *slot = PGA_SLOT(t, hand);
		int			usage = -1;

		SpinLockAcquire(&slot->mutex);
		if (slot->in_use)
		{
			usage = slot->usage;
			if (slot->usage > 0)
				slot->usage--;
		}
		SpinLockRelease(&slot->mutex);

		if (usage == 0 && pga_try_evict(tbl, (int32) hand))
			return (int32) hand;
		if (usage > 0 && usage < best_usage)
		{
			best = (int32) hand;
			best_usage = usage;
		}
	}
	if (best >= 0 && pga_try_evict(tbl, best))
		return best;
	return -1;
}

/*
 * pga_store_acquire
 *		Find the entry with the given key (hashcode from pga_store_hash)
 *		and, when absent and create is true, make it (zeroed but for the
 *		key).  Returns the entry with its partition lock held in ref, or
 *		NULL (no lock held) when absent and not created.  With nowait, no
 *		lock is waited for (for use while reporting an error).
 *
 *		The caller updates the entry under ref->slot->mutex (calling
 *		pga_slot_touch) and then calls pga_store_release.
 */
void *
pga_store_acquire(PgaTableId tbl, const void *key, uint32 hashcode,
				  bool create, bool nowait, PgaRef *ref)
{
	PgaTable   *t = &pga_shared->tables[tbl];
	LWLock	   *lock = pga_partition_lock(t, hashcode);
	void	   *ent;
	bool		found;
	int32		idx;
	PgaSlot    *slot;

	if (nowait)
	{
		if (!LWLockConditionalAcquire(lock, LW_SHARED))
			goto dropped;
	}
	else
		LWLockAcquire(lock, LW_SHARED);

	ent = hash_search_with_hash_value(pga_hash[tbl], key, hashcode,
									  HASH_FIND, NULL);
	if (ent != NULL)
	{
		ref->slot = PGA_SLOT(t, PGA_HASH_SLOT(t, ent));
		ref->lock = lock;
		ref->created = false;
		return PGA_SLOT_DATA(ref->slot);
	}
	LWLockRelease(lock);
	if (!create)
		return NULL;

	/* Get a slot before taking our own partition lock exclusively. */
	idx = pga_slot_get(tbl);
	if (idx < 0)
		goto dropped;

	if (nowait)
	{
		if (!LWLockConditionalAcquire(lock, LW_EXCLUSIVE))
		{
			pga_free_push(t, idx);
			goto dropped;
		}
	}
	else
		LWLockAcquire(lock, LW_EXCLUSIVE);

	ent = hash_search_with_hash_value(pga_hash[tbl], key, hashcode,
									  HASH_ENTER_NULL, &found);
	if (ent == NULL || found)
	{
		/* Someone else created it meanwhile (or no hash room): no slot. */
		pga_free_push(t, idx);
		if (ent == NULL)
		{
			LWLockRelease(lock);
			goto dropped;
		}
		ref->slot = PGA_SLOT(t, PGA_HASH_SLOT(t, ent));
		ref->lock = lock;
		ref->created = false;
		return PGA_SLOT_DATA(ref->slot);
	}

	PGA_HASH_SLOT(t, ent) = idx;
	slot = PGA_SLOT(t, idx);
	SpinLockAcquire(&slot->mutex);
	memset(PGA_SLOT_DATA(slot), 0, t->entrysize);
	memcpy(PGA_SLOT_DATA(slot), key, t->keysize);
	slot->in_use = true;
	slot->usage = 1;
	SpinLockRelease(&slot->mutex);
	pg_atomic_fetch_add_u32(&t->used, 1);

	ref->slot = slot;
	ref->lock = lock;
	ref->created = true;
	return PGA_SLOT_DATA(slot);

dropped:
	pg_atomic_fetch_add_u64(&t->dropped, 1);
	return NULL;
}

/*
 * pga_store_release
 *		Release what pga_store_acquire took.
 */
void
pga_store_release(PgaRef *ref)
{
	LWLockRelease(ref->lock);
	ref->lock = NULL;
	ref->slot = NULL;
}

/*
 * pga_store_snapshot
 *		Copy every entry of a table into a palloc'd array (*entries, one
 *		entrysize apart) and return their number.  Takes no LWLock: each
 *		entry is copied under its slot's spinlock, so each row is
 *		consistent in itself while writers carry on.
 */
int
pga_store_snapshot(PgaTableId tbl, char **entries)
{
	PgaTable   *t = &pga_shared->tables[tbl];
	char	   *buf;
	int			n = 0;
	int			room = Min(t->nslots, 64);

	/*
	 * Grow with the entries in use rather than sizing for every slot: an
	 * entry holds track_activity_query_size bytes of text, so slots times
	 * entry size can pass palloc's 1 GB limit while few slots are in use.
	 */
	buf = MemoryContextAllocHuge(CurrentMemoryContext,
								 mul_size(Max(room, 1), t->entrysize));
	for (int i = 0; i < t->nslots; i++)
	{
		PgaSlot    *slot = PGA_SLOT(t, i);

		if (n == room)
		{
			room = Min(t->nslots, room * 2);
			buf = repalloc_huge(buf, mul_size(room, t->entrysize));
		}
		SpinLockAcquire(&slot->mutex);
		if (slot->in_use)
		{
			memcpy(buf + (Size) n * t->entrysize, PGA_SLOT_DATA(slot),
				   t->entrysize);
			n++;
		}
		SpinLockRelease(&slot->mutex);
	}
	*entries = buf;
	return n;
}

/*
 * pga_table_clear
 *		Remove every entry of a table.  Takes every partition lock of the
 *		table: this is the one operation that stops all writers, briefly.
 *		Slots held by an insertion in progress are neither in use nor on
 *		the free list, so they are left alone.
 */
static void
pga_table_clear(PgaTableId tbl)
{
	PgaTable   *t = &pga_shared->tables[tbl];
	char		key[64];

	for (int p = 0; p < PGA_PARTITIONS; p++)
		LWLockAcquire(&t->locks[p].lock, LW_EXCLUSIVE);

	for (int i = 0; i < t->nslots; i++)
	{
		PgaSlot    *slot = PGA_SLOT(t, i);
		bool		was_used;

		SpinLockAcquire(&slot->mutex);
		was_used = slot->in_use;
		if (was_used)
			memcpy(key, PGA_SLOT_DATA(slot), t->keysize);
		slot->in_use = false;
		slot->usage = 0;
		SpinLockRelease(&slot->mutex);

		if (was_used)
		{
			hash_search(pga_hash[tbl], key, HASH_REMOVE, NULL);
			pga_free_push(t, i);
		}
	}
	pg_atomic_write_u32(&t->used, 0);
	pg_atomic_write_u64(&t->evictions, 0);
	pg_atomic_write_u64(&t->dropped, 0);

	for (int p = PGA_PARTITIONS - 1; p >= 0; p--)
		LWLockRelease(&t->locks[p].lock);
}

/*
 * pga_cluster_shut_down_cleanly
 *		Did the last shutdown leave the control file in a shut-down state?
 *		Called at startup, before the startup process changes it.
 */
static bool
pga_cluster_shut_down_cleanly(void)
{
	bool		crc_ok;
	ControlFileData *control = get_controlfile(DataDir, &crc_ok);
	bool		clean;

	clean = crc_ok && (control->state == DB_SHUTDOWNED ||
					   control->state == DB_SHUTDOWNED_IN_RECOVERY);
	pfree(control);
	return clean;
}

/*
 * pga_store_load
 *		Read what the last clean shutdown saved, then remove the file.
 *		Runs in the postmaster (or single-user backend) at startup, before
 *		any backend can touch the store, so it takes no lock.
 */
static void
pga_store_load(void)
{
	FILE	   *file;
	uint32		header[3];
	TimestampTz stats_reset;
	uint64		counters[2];
	char	   *buf = NULL;
	uint64		restored = 0;

	file = AllocateFile(PGA_DUMP_FILE, PG_BINARY_R);
	if (file == NULL)
	{
		if (errno != ENOENT)
			ereport(LOG,
					(errcode_for_file_access(),
					 errmsg("could not read file \"%s\": %m", PGA_DUMP_FILE)));
		return;
	}

	/* With pg_architect.save off, nothing is loaded (nor kept for later). */
	if (!pga_save)
		goto done;

	/*
	 * An immediate shutdown also ends the postmaster with exit code 0, so
	 * the file may have been written by a server that then needs crash
	 * recovery.  Load it only if the cluster was shut down cleanly.
	 */
	if (!pga_cluster_shut_down_cleanly())
	{
		ereport(LOG,
				(errmsg("discarding pg_architect store file \"%s\": the server was not shut down cleanly",
						PGA_DUMP_FILE)));
		goto done;
	}

	if (fread(header, sizeof(header), 1, file) != 1 ||
		fread(&stats_reset, sizeof(stats_reset), 1, file) != 1 ||
		fread(counters, sizeof(counters), 1, file) != 1)
		goto read_error;
	if (header[0] != PGA_DUMP_MAGIC || header[1] != PGA_STORE_FORMAT)
	{
		ereport(LOG,
				(errmsg("ignoring pg_architect store file \"%s\" of another format",
						PGA_DUMP_FILE)));
		goto done;
	}

	for (int tbl = 0; tbl < PGA_NTABLES; tbl++)
	{
		PgaTable   *t = &pga_shared->tables[tbl];
		uint32		sizes[2];	/* entrysize, count */

		if (fread(sizes, sizeof(sizes), 1, file) != 1)
			goto read_error;
		if (sizes[0] != t->entrysize)
		{
			/* Another text length: skip this table's entries. */
			if (fseeko(file, (off_t) sizes[0] * sizes[1], SEEK_CUR) != 0)
				goto read_error;
			continue;
		}
		if (buf)
			pfree(buf);
		buf = palloc(t->entrysize);
		for (uint32 i = 0; i < sizes[1]; i++)
		{
			uint32		hashcode;
			void	   *ent;
			bool		found;
			int32		idx;
			PgaSlot    *slot;

			if (fread(buf, t->entrysize, 1, file) != 1)
				goto read_error;
			if (t->free_head < 0)
				continue;		/* smaller store than before: keep the first */

			hashcode = hash_bytes((const unsigned char *) buf, (int) t->keysize);
			ent = hash_search_with_hash_value(pga_hash[tbl], buf, hashcode,
											  HASH_ENTER_NULL, &found);
			if (ent == NULL || found)
				continue;
			idx = t->free_head;
			slot = PGA_SLOT(t, idx);
			t->free_head = slot->next_free;
			PGA_HASH_SLOT(t, ent) = idx;
			memcpy(PGA_SLOT_DATA(slot), buf, t->entrysize);
			slot->in_use = true;
			slot->usage = 1;
			pg_atomic_fetch_add_u32(&t->used, 1);
			restored++;
		}
	}

	pga_shared->stats_reset = stats_reset;
	pg_atomic_write_u64(&pga_shared->executions, counters[0]);
	pg_atomic_write_u64(&pga_shared->measured, counters[1]);
	pg_atomic_write_u64(&pga_shared->restored, restored);
	goto done;

read_error:
	ereport(LOG,
			(errcode_for_file_access(),
			 errmsg("could not read pg_architect store file \"%s\": %m",
					PGA_DUMP_FILE)));
	/* Start empty rather than half loaded. */
	for (int tbl = 0; tbl < PGA_NTABLES; tbl++)
		pga_table_clear(tbl);
	pg_atomic_write_u64(&pga_shared->restored, 0);

done:
	if (buf)
		pfree(buf);
	FreeFile(file);
	/* The file describes this start only; a crash must not bring it back. */
	unlink(PGA_DUMP_FILE);
}

/*
 * pga_store_save
 *		on_shmem_exit callback of the postmaster: write the store to disk at
 *		a clean shutdown.  Nothing is written when exiting after a crash
 *		(code != 0), so the next start is empty.
 */
static void
pga_store_save(int code, Datum arg)
{
	FILE	   *file;
	uint32		header[3] = {PGA_DUMP_MAGIC, PGA_STORE_FORMAT, 0};
	uint64		counters[2];
	char	   *entries;

	if (code != 0 || pga_shared == NULL || !pga_save)
		return;

	file = AllocateFile(PGA_DUMP_FILE ".tmp", PG_BINARY_W);
	if (file == NULL)
		goto error;

	counters[0] = pg_atomic_read_u64(&pga_shared->executions);
	counters[1] = pg_atomic_read_u64(&pga_shared->measured);
	if (fwrite(header, sizeof(header), 1, file) != 1 ||
		fwrite(&pga_shared->stats_reset, sizeof(TimestampTz), 1, file) != 1 ||
		fwrite(counters, sizeof(counters), 1, file) != 1)
		goto error;

	for (int tbl = 0; tbl < PGA_NTABLES; tbl++)
	{
		PgaTable   *t = &pga_shared->tables[tbl];
		int			n = pga_store_snapshot(tbl, &entries);
		uint32		sizes[2] = {(uint32) t->entrysize, (uint32) n};

		if (fwrite(sizes, sizeof(sizes), 1, file) != 1 ||
			(n > 0 && fwrite(entries, t->entrysize, n, file) != (size_t) n))
			goto error;
		pfree(entries);
	}

	if (FreeFile(file))
	{
		file = NULL;
		goto error;
	}
	(void) durable_rename(PGA_DUMP_FILE ".tmp", PGA_DUMP_FILE, LOG);
	return;

error:
	ereport(LOG,
			(errcode_for_file_access(),
			 errmsg("could not write pg_architect store file \"%s\": %m",
					PGA_DUMP_FILE ".tmp")));
	if (file)
		FreeFile(file);
	unlink(PGA_DUMP_FILE ".tmp");
}

/*
 * architect.reset(): empty the workload store.
 */
Datum
pga_reset(PG_FUNCTION_ARGS)
{
	PgaSharedState *shared = pga_store_required("architect.reset()");

	for (int tbl = 0; tbl < PGA_NTABLES; tbl++)
		pga_table_clear(tbl);
	pg_atomic_write_u64(&shared->executions, 0);
	pg_atomic_write_u64(&shared->measured, 0);
	pg_atomic_write_u64(&shared->restored, 0);
	pg_atomic_fetch_add_u32(&shared->generation, 1);

	LWLockAcquire(shared->lock, LW_EXCLUSIVE);
	shared->stats_reset = GetCurrentTimestamp();
	LWLockRelease(shared->lock);

	PG_RETURN_VOID();
}

/*
 * architect.capture_stats(): one row describing the store.
 */
Datum
pga_capture_stats(PG_FUNCTION_ARGS)
{
	PgaSharedState *shared = pga_store_required("architect.capture_stats");
	TupleDesc	tupdesc;
	Datum		values[11];
	bool		nulls[11];
	TimestampTz stats_reset;
	uint64		evictions = 0;
	uint64		dropped = 0;
	int			i = 0;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	LWLockAcquire(shared->lock, LW_SHARED);
	stats_reset = shared->stats_reset;
	LWLockRelease(shared->lock);

	for (int tbl = 0; tbl < PGA_NTABLES; tbl++)
	{
		evictions += pg_atomic_read_u64(&shared->tables[tbl].evictions);
		dropped += pg_atomic_read_u64(&shared->tables[tbl].dropped);
	}

	memset(nulls, 0, sizeof(nulls));
	values[i++] = Int32GetDatum(pga_max_entries);
	values[i++] = TimestampTzGetDatum(stats_reset);
	for (int tbl = 0; tbl < PGA_NTABLES; tbl++)
		values[i++] = Int32GetDatum((int32) pg_atomic_read_u32(&shared->tables[tbl].used));
	values[i++] = Int64GetDatum((int64) evictions);
	values[i++] = Int64GetDatum((int64) dropped);
	values[i++] = Int64GetDatum((int64) pg_atomic_read_u64(&shared->executions));
	values[i++] = Int64GetDatum((int64) pg_atomic_read_u64(&shared->measured));
	values[i++] = Int64GetDatum((int64) pg_atomic_read_u64(&shared->restored));
	Assert(i == lengthof(values));

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc),
													  values, nulls)));
}
