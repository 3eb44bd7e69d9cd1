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
 * Values are compared by their binary image, which is how deduplication
 * compares them.
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
	AttrNumber	attnum;
} PgaDistinctKey;

typedef struct PgaDistinctEntry
{
	PgaDistinctKey key;			/* hash key: must be first */
	double		ndistinct;		/* distinct values per the runs, or -1 when
								 * not measured or not clustered */
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
 * pga_distinct_measure
 *		Sample rel's blocks and estimate attnum's distinct values from its
 *		runs of equal neighbours; fill e.  nrows is the table's non-null rows.
 */
static void
pga_distinct_measure(Relation rel, AttrNumber attnum, double nrows,
					 PgaDistinctEntry *e)
{
	Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), attnum - 1);
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
	Datum		tail = (Datum) 0;	/* last value of block tail_blk */
	uint32	   *hashes = NULL;
	int			nruns = 0;
	int			maxruns = 1024;
	double		pairs = 0;
	double		changes = 0;

	hashes = palloc(sizeof(uint32) * maxruns);
	BlockSampler_Init(&bs, RelationGetNumberOfBlocks(rel),
					  PGA_DISTINCT_SAMPLE_BLOCKS, PGA_DISTINCT_SEED);
	while (BlockSampler_HasMore(&bs))
	{
		BlockNumber blk = BlockSampler_Next(&bs);
		double		live = 0;
		double		dead = 0;
		Datum		prev = (Datum) 0;
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
		if (tail_blk != InvalidBlockNumber && blk == tail_blk + 1)
		{
			prev = tail;
			have_prev = true;
		}
		MemoryContextReset(work);
		old = MemoryContextSwitchTo(work);
		while (table_scan_analyze_next_tuple(scan, oldest, &live, &dead, slot))
		{
			bool		isnull;
			Datum		value = slot_getattr(slot, attnum, &isnull);

			if (isnull)
			{
				have_prev = false;
				continue;
			}
			/* Keep our own copy: the slot's is gone with the next tuple. */
			value = datumCopy(value, att->attbyval, att->attlen);
			if (have_prev)
			{
				pairs++;
				if (datum_image_eq(prev, value, att->attbyval, att->attlen))
					continue;
				changes++;
			}
			/* A new run starts here. */
			if (nruns >= maxruns)
			{
				MemoryContextSwitchTo(old);
				maxruns *= 2;
				hashes = repalloc(hashes, sizeof(uint32) * maxruns);
				MemoryContextSwitchTo(work);
			}
			hashes[nruns++] = datum_image_hash(value, att->attbyval,
											   att->attlen);
			prev = value;
			have_prev = true;
		}
		MemoryContextSwitchTo(old);

		/*
		 * Keep the block's last value for the next block.  prev may be the
		 * old tail itself (a block that is all one run): copy it out of
		 * tailcxt before that is reset.
		 */
		tail_blk = have_prev ? blk : InvalidBlockNumber;
		if (have_prev)
		{
			old = MemoryContextSwitchTo(work);
			prev = datumCopy(prev, att->attbyval, att->attlen);
			MemoryContextSwitchTo(tailcxt);
			MemoryContextReset(tailcxt);
			tail = datumCopy(prev, att->attbyval, att->attlen);
			MemoryContextSwitchTo(old);
		}
	}
	ExecDropSingleTupleTableSlot(slot);
	table_endscan(scan);
	FreeAccessStrategy(strategy);
	MemoryContextDelete(work);
	MemoryContextDelete(tailcxt);

	e->ndistinct = -1;
	if (pairs >= PGA_DISTINCT_MIN_PAIRS &&
		changes <= (1.0 - PGA_DISTINCT_CLUSTERED) * pairs)
	{
		double		runs_total = Max(1.0, 1.0 + (nrows - 1.0) * changes / pairs);
		double		d = 0;
		double		f1 = 0;
		double		denom;
		int			i = 0;

		/* Distinct values among the sampled runs, and those seen once. */
		qsort(hashes, nruns, sizeof(uint32), pga_cmp_uint32);
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
	}
	pfree(hashes);
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
	PgaDistinctEntry *e;
	bool		found;

	if (attnum <= 0 || nrows < 2)
		return stats_ndistinct;

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

	memset(&key, 0, sizeof(key));
	key.relid = relid;
	key.attnum = attnum;
	e = hash_search(pga_distinct_cache, &key, HASH_FIND, &found);
	if (e == NULL)
	{
		Relation	rel = table_open(relid, AccessShareLock);
		PgaDistinctEntry m;

		m.ndistinct = -1;
		if (rel->rd_rel->relkind == RELKIND_RELATION ||
			rel->rd_rel->relkind == RELKIND_MATVIEW)
		{
			if (RelationGetNumberOfBlocks(rel) > pga_analyze_blocks(rel) &&
				attnum <= RelationGetDescr(rel)->natts)
				pga_distinct_measure(rel, attnum, nrows, &m);
		}
		table_close(rel, AccessShareLock);

		/* The measurement may have sent an invalidation: look again. */
		if (pga_distinct_cache == NULL)
			return Max(stats_ndistinct, m.ndistinct);
		e = hash_search(pga_distinct_cache, &key, HASH_ENTER, &found);
		e->ndistinct = m.ndistinct;
	}
	return Max(stats_ndistinct, e->ndistinct);
}
