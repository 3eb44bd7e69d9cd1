/*-------------------------------------------------------------------------
 *
 * indexsize_distinct.c
 *	  Distinct values of a physically clustered column, measured from a
 *	  block sample, for the size of a deduplicated B-tree.
 *
 * Why: a deduplicated B-tree stores one posting-list tuple per distinct
 * key, so its size follows the column's number of distinct values.  On a
 * table larger than ANALYZE's block sample, pg_statistic's count is badly
 * low for a column whose equal values sit together in the heap (order
 * lines filed under their order, events under their session).  ANALYZE
 * reads targrows blocks and keeps targrows of their rows: two rows of one
 * block land in the sample together far more often than two rows of the
 * table would, and its estimator reads those neighbours as duplicates that
 * repeat everywhere.  On TPC-H at scale 1, lineitem (l_orderkey) has
 * 1,500,000 values; ANALYZE says 497,190, and the index sized from that is
 * 49 MB where CREATE INDEX builds 73.
 *
 * How: read a fixed sample of blocks (BlockSampler, fixed seed, so the
 * figure is the same on every call) through the table AM's ANALYZE scan,
 * which returns a block's live rows in their physical order, and cut each
 * block's values into runs of equal neighbours.
 *
 *	- Adjacent pairs whose values differ, as a fraction of all adjacent
 *	  pairs seen, times the table's rows, is the number of runs in the whole
 *	  table (block boundaries are adjacent pairs like any other).
 *	- Each run is one unit of a sample of runs.  The blocks are drawn
 *	  independently and a run lies in one block, so the runs of a value are
 *	  sampled independently of each other, which the row sample of ANALYZE
 *	  is not.  The Duj1 estimator (Haas and Stokes, the one ANALYZE uses)
 *	  over these units, with the number of runs as the population, gives
 *	  the distinct values.  For a value that forms one run it counts one;
 *	  for values scattered over the table, runs are rows and this is the
 *	  usual estimate.
 *
 * The measurement is used only where it can correct something: the table
 * has more blocks than ANALYZE reads (300 x the largest statistics target
 * of its columns; otherwise ANALYZE read every block and its sample is
 * uniform), at least a tenth of the adjacent pairs sampled are equal (the
 * column is clustered), and it finds more values than pg_statistic.
 *
 * A multi-column key with such a column is measured the same way, as one
 * value per row, and used whether or not the combination is clustered:
 * the planner's count of groups (estimate_num_groups) multiplies the
 * columns' pg_statistic counts and clamps the product to a tenth of the
 * rows, so it runs low with them; (order_id, line_no) is unique, and the
 * sample of runs (here every row a run) says so.
 *
 * Values are compared by their binary image, which is how deduplication
 * compares them; a row with a null in the key is left out.
 *
 * The results are cached per backend by (table, column) and the cache is
 * cleared on any relcache invalidation, which ANALYZE, DDL and VACUUM's
 * statistics updates all send.
 *
 * Locking: the caller (the planner, in get_relation_info) holds at least
 * AccessShareLock on the table; the sample takes the same lock again and
 * reads buffers through a bulk-read ring with a share lock per block, as
 * ANALYZE does.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "commands/vacuum.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/procarray.h"
#include "common/hashfn.h"
#include "utils/datum.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/sampling.h"

#include "compat.h"
#include "hypo.h"

/* Blocks read per column: ANALYZE's rows at statistics target 1. */
#define PGA_DISTINCT_SAMPLE_BLOCKS 300
/* Fewer adjacent pairs than this say nothing. */
#define PGA_DISTINCT_MIN_PAIRS 100
/* A column is clustered when at least this share of neighbours are equal. */
#define PGA_DISTINCT_CLUSTERED 0.10
/* Fixed seed: the same blocks, so the same estimate, on every call. */
#define PGA_DISTINCT_SEED	0x5a17

typedef struct PgaDistinctKey
{
	Oid			relid;
	int			nkeys;			/* columns of the key */
	AttrNumber	attnums[INDEX_MAX_KEYS];	/* their numbers, in key order */
} PgaDistinctKey;

typedef struct PgaDistinctEntry
{
	PgaDistinctKey key;			/* hash key: must be first */
	double		ndistinct;		/* distinct keys per the runs, or -1 when
								 * not measured */
	bool		clustered;		/* at least PGA_DISTINCT_CLUSTERED of the
								 * neighbours sampled are equal */
} PgaDistinctEntry;

static HTAB *pga_distinct_cache = NULL;
static bool pga_distinct_cb_registered = false;

/*
 * pga_distinct_inval
 *		Relcache callback: forget every measurement.  Cheap to redo, and any
 *		invalidation may mean new rows or new statistics.
 */
static void
pga_distinct_inval(Datum arg, Oid relid)
{
	if (pga_distinct_cache != NULL)
	{
		hash_destroy(pga_distinct_cache);
		pga_distinct_cache = NULL;
	}
}

/*
 * pga_analyze_blocks
 *		Blocks ANALYZE reads from rel: its row target, 300 times the largest
 *		statistics target of the columns it analyzes (std_typanalyze).
 */
static BlockNumber
pga_analyze_blocks(Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			target = 0;
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		int			t;

		if (att->attisdropped)
			continue;
		t = pga_attstattarget(att);
		if (t < 0)
			t = default_statistics_target;
		target = Max(target, t);
	}
	return (BlockNumber) (300 * target);
}

/*
 * pga_cmp_uint32
 *		qsort comparator.
 */
static int
pga_cmp_uint32(const void *a, const void *b)
{
	uint32		x = *(const uint32 *) a;
	uint32		y = *(const uint32 *) b;

	return (x > y) - (x < y);
}

/*
 * pga_key_equal
 *		Are two keys of n columns equal image for image?
 */
static bool
pga_key_equal(const Datum *a, const Datum *b, int n, Form_pg_attribute *atts)
{
	int			i;

	for (i = 0; i < n; i++)
		if (!datum_image_eq(a[i], b[i], atts[i]->attbyval, atts[i]->attlen))
			return false;
	return true;
}

/*
 * pga_key_copy
 *		Copy a key's values into the current memory context.
 */
static void
pga_key_copy(Datum *dst, const Datum *src, int n, Form_pg_attribute *atts)
{
	int			i;

	for (i = 0; i < n; i++)
		dst[i] = datumCopy(src[i], atts[i]->attbyval, atts[i]->attlen);
}

/*
 * pga_distinct_measure
 *		Sample rel's blocks and estimate the distinct values of the key
 *		k->attnums from its runs of equal neighbours; fill e.  Rows where a
 *		key column is null are left out.  nrows: the table's rows that count.
 */
static void
pga_distinct_measure(Relation rel, const PgaDistinctKey *k, double nrows,
					 PgaDistinctEntry *e)
{
	Form_pg_attribute atts[INDEX_MAX_KEYS];
	int			n = k->nkeys;
	BlockSamplerData bs;
	BufferAccessStrategy strategy = GetAccessStrategy(BAS_BULKREAD);
	TransactionId oldest = GetOldestNonRemovableTransactionId(rel);
	TableScanDesc scan = table_beginscan_analyze(rel);
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	MemoryContext work = AllocSetContextCreate(CurrentMemoryContext,
											   "pg_architect distinct sample",
											   ALLOCSET_DEFAULT_SIZES);
	MemoryContext tailcxt = AllocSetContextCreate(CurrentMemoryContext,
												  "pg_architect distinct tail",
												  ALLOCSET_SMALL_SIZES);
	BlockNumber tail_blk = InvalidBlockNumber;
	Datum		tail[INDEX_MAX_KEYS];	/* last key of block tail_blk */
	Datum		prev[INDEX_MAX_KEYS];
	Datum		cur[INDEX_MAX_KEYS];
	uint32	   *hashes;
	int			nruns = 0;
	int			maxruns = 1024;
	double		pairs = 0;
	double		changes = 0;
	int			i;

	for (i = 0; i < n; i++)
		atts[i] = TupleDescAttr(RelationGetDescr(rel), k->attnums[i] - 1);
	hashes = palloc(sizeof(uint32) * maxruns);
	BlockSampler_Init(&bs, RelationGetNumberOfBlocks(rel),
					  PGA_DISTINCT_SAMPLE_BLOCKS, PGA_DISTINCT_SEED);
	while (BlockSampler_HasMore(&bs))
	{
		BlockNumber blk = BlockSampler_Next(&bs);
		double		live = 0;
		double		dead = 0;
		bool		have_prev = false;
		MemoryContext old;

		CHECK_FOR_INTERRUPTS();
		if (!table_scan_analyze_next_block(scan, blk, strategy))
			continue;

		/*
		 * When the block before was sampled too, its last row and this
		 * block's first are neighbours: a run that crosses the boundary is
		 * one run, not two that look like a duplicate.
		 */
		MemoryContextReset(work);
		old = MemoryContextSwitchTo(work);
		if (tail_blk != InvalidBlockNumber && blk == tail_blk + 1)
		{
			pga_key_copy(prev, tail, n, atts);
			have_prev = true;
		}
		while (table_scan_analyze_next_tuple(scan, oldest, &live, &dead, slot))
		{
			bool		isnull = false;
			uint32		h = 0;

			for (i = 0; i < n && !isnull; i++)
				cur[i] = slot_getattr(slot, k->attnums[i], &isnull);
			if (isnull)
			{
				have_prev = false;
				continue;
			}
			if (have_prev)
			{
				pairs++;
				if (pga_key_equal(prev, cur, n, atts))
					continue;
				changes++;
			}
			/* A new run starts here; keep its key past this tuple. */
			if (nruns >= maxruns)
			{
				maxruns *= 2;
				hashes = (uint32 *) repalloc(hashes, sizeof(uint32) * maxruns);
			}
			for (i = 0; i < n; i++)
				h = hash_combine(h, datum_image_hash(cur[i], atts[i]->attbyval,
													 atts[i]->attlen));
			hashes[nruns++] = h;
			pga_key_copy(prev, cur, n, atts);
			have_prev = true;
		}

		/*
		 * Keep the block's last key for the next block (prev lives in work,
		 * which the next block resets).
		 */
		tail_blk = have_prev ? blk : InvalidBlockNumber;
		MemoryContextReset(tailcxt);
		if (have_prev)
		{
			MemoryContextSwitchTo(tailcxt);
			pga_key_copy(tail, prev, n, atts);
		}
		MemoryContextSwitchTo(old);
	}
	ExecDropSingleTupleTableSlot(slot);
	table_endscan(scan);
	FreeAccessStrategy(strategy);
	MemoryContextDelete(work);
	MemoryContextDelete(tailcxt);

	e->ndistinct = -1;
	e->clustered = false;
	if (pairs >= PGA_DISTINCT_MIN_PAIRS)
	{
		double		runs_total = Max(1.0, 1.0 + (nrows - 1.0) * changes / pairs);
		double		d = 0;
		double		f1 = 0;
		double		denom;

		/* Distinct keys among the sampled runs, and those seen once. */
		qsort(hashes, nruns, sizeof(uint32), pga_cmp_uint32);
		i = 0;
		while (i < nruns)
		{
			int			j = i + 1;

			while (j < nruns && hashes[j] == hashes[i])
				j++;
			d++;
			if (j - i == 1)
				f1++;
			i = j;
		}
		/* Duj1 with the runs as the population. */
		denom = (nruns - f1) + f1 * nruns / runs_total;
		e->ndistinct = denom > 0 ? nruns * d / denom : d;
		e->ndistinct = Min(Max(e->ndistinct, d), runs_total);
		e->clustered = changes <= (1.0 - PGA_DISTINCT_CLUSTERED) * pairs;
	}
	pfree(hashes);
}

/*
 * pga_distinct_lookup
 *		The measurement of key k (cached), or one with ndistinct -1 when the
 *		table is not one ANALYZE samples by blocks.  nrows: the rows that
 *		count (see pga_distinct_measure).
 */
static PgaDistinctEntry
pga_distinct_lookup(const PgaDistinctKey *k, double nrows)
{
	PgaDistinctEntry *e;
	PgaDistinctEntry m;
	Relation	rel;
	bool		found;
	int			i;

	if (pga_distinct_cache == NULL)
	{
		HASHCTL		ctl;

		if (!pga_distinct_cb_registered)
		{
			CacheRegisterRelcacheCallback(pga_distinct_inval, (Datum) 0);
			pga_distinct_cb_registered = true;
		}
		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(PgaDistinctKey);
		ctl.entrysize = sizeof(PgaDistinctEntry);
		ctl.hcxt = TopMemoryContext;
		pga_distinct_cache = hash_create("pg_architect clustered distinct",
										 64, &ctl,
										 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	e = hash_search(pga_distinct_cache, k, HASH_FIND, &found);
	if (e != NULL)
		return *e;

	memset(&m, 0, sizeof(m));
	m.key = *k;
	m.ndistinct = -1;
	rel = table_open(k->relid, AccessShareLock);
	if ((rel->rd_rel->relkind == RELKIND_RELATION ||
		 rel->rd_rel->relkind == RELKIND_MATVIEW) &&
		RelationGetNumberOfBlocks(rel) > pga_analyze_blocks(rel))
	{
		bool		ok = true;

		for (i = 0; i < k->nkeys; i++)
			if (k->attnums[i] <= 0 ||
				k->attnums[i] > RelationGetDescr(rel)->natts ||
				TupleDescAttr(RelationGetDescr(rel),
							  k->attnums[i] - 1)->attisdropped)
				ok = false;
		if (ok)
			pga_distinct_measure(rel, k, nrows, &m);
	}
	table_close(rel, AccessShareLock);

	/* Opening the table may have run our callback: look again. */
	if (pga_distinct_cache != NULL)
	{
		e = hash_search(pga_distinct_cache, k, HASH_ENTER, &found);
		*e = m;
	}
	return m;
}

/*
 * pga_clustered_ndistinct
 *		Distinct non-null values of (relid, attnum) for the size of a
 *		deduplicated B-tree: stats_ndistinct (pg_statistic's count), or a
 *		measured one when the column is clustered in a table larger than
 *		ANALYZE's sample and the measure finds more.  nrows: the table's
 *		non-null rows in the column.
 */
double
pga_clustered_ndistinct(Oid relid, AttrNumber attnum, double nrows,
						double stats_ndistinct)
{
	PgaDistinctKey key;
	PgaDistinctEntry m;

	if (attnum <= 0 || nrows < 2)
		return stats_ndistinct;
	memset(&key, 0, sizeof(key));
	key.relid = relid;
	key.nkeys = 1;
	key.attnums[0] = attnum;
	m = pga_distinct_lookup(&key, nrows);
	if (!m.clustered)
		return stats_ndistinct;
	return Max(stats_ndistinct, m.ndistinct);
}

/*
 * pga_sampled_key_groups
 *		Distinct combinations of the plain columns attnums[0..nkeys-1] of
 *		relid, measured from the block sample whether or not they are
 *		clustered, or -1 when the table is not one ANALYZE samples by
 *		blocks.  For a multi-column key one of whose columns
 *		pga_clustered_ndistinct had to correct: the planner's count of
 *		groups multiplies pg_statistic's counts, and so runs low with them.
 *		nrows: the table's rows.
 */
double
pga_sampled_key_groups(Oid relid, int nkeys, const AttrNumber *attnums,
					   double nrows)
{
	PgaDistinctKey key;

	if (nkeys < 1 || nkeys > INDEX_MAX_KEYS || nrows < 2)
		return -1;
	memset(&key, 0, sizeof(key));
	key.relid = relid;
	key.nkeys = nkeys;
	memcpy(key.attnums, attnums, sizeof(AttrNumber) * nkeys);
	return pga_distinct_lookup(&key, nrows).ndistinct;
}
