/*-------------------------------------------------------------------------
 *
 * indexsize.c
 *	  Size of a hypothetical index, estimated from the table's statistics.
 *
 * The planner needs an index's size in pages (and, for B-tree, its height)
 * to cost scans on it, and the advisor needs it to respect a storage
 * budget.  Nothing is built: the size is derived from pg_statistic (average
 * stored width, null fraction, number of distinct values, most common
 * values and histogram) and from how PostgreSQL 15 lays out a B-tree built
 * by CREATE INDEX (nbtsort.c):
 *
 *	- A leaf tuple is an 8-byte IndexTupleData header (16 when the tuple
 *	  has a null), the key and INCLUDE values with their type alignment, all
 *	  MAXALIGNed, plus a 4-byte line pointer.  Short varlena values keep
 *	  their 1-byte header and are not aligned, exactly as stawidth counts
 *	  them.  When the key has one variable-width column, the padding is
 *	  averaged over the lengths of the values in the statistics' samples.
 *	- Deduplication: when every key column's operator class has "equal
 *	  image" (B-tree support function 4), the index is not unique and has no
 *	  INCLUDE columns and deduplicate_items is on, a build merges equal keys
 *	  into posting-list tuples of at most 812 bytes (10% of a page, less a
 *	  line pointer), each heap TID costing 6 bytes.  The number of rows per
 *	  key comes from the most common values and, for the rest, from the
 *	  number of distinct values (for a multi-column key, the product of the
 *	  columns' distinct counts, at most the number of rows).
 *	- A leaf page is closed once its free space falls below the fillfactor
 *	  reserve (10% by default), and its last tuple moves to the next page;
 *	  its high key takes the place of a tuple.  Internal pages hold
 *	  truncated pivot tuples at 70% fill.  One metapage.
 *
 * The distinct count of a key column whose equal values sit together in the
 * heap is measured from a block sample when pg_statistic's is known to run
 * low (indexsize_distinct.c).
 *
 * A partial index covers the rows its predicate selects, estimated by
 * clauselist_selectivity() with the planner's own statistics; the number of
 * distinct keys among them follows the same formula as
 * estimate_num_groups().
 *
 * GIN sizes are rougher: entries per row from the element statistics of
 * arrays (their distinct-element histogram) or from the average width for
 * jsonb, tsvector and text (trigrams), about two bytes per compressed
 * posting and an entry tree for the distinct keys.  They are good enough
 * to rank GIN candidates against a budget; the regression test holds
 * B-tree estimates to 15% of the built index and GIN ones to a factor of
 * two.
 *
 * Locking: none beyond the planner's; statistics are read through the
 * syscache.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "access/nbtree.h"
#include "catalog/pg_am.h"
#include "catalog/pg_opclass.h"
#include "catalog/pg_statistic.h"
#include "catalog/pg_type.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "rewrite/rewriteManip.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/selfuncs.h"
#include "utils/syscache.h"

#include "hypo.h"

/* Page layout constants of a B-tree page (PostgreSQL 15). */
#define PGA_PAGE_USABLE		(BLCKSZ - SizeOfPageHeaderData - \
							 MAXALIGN(sizeof(BTPageOpaqueData)))
#define PGA_LP				((double) sizeof(ItemIdData))
/* Largest posting-list tuple a build makes: 10% of a page, less a pointer. */
#define PGA_MAX_POSTING		(MAXALIGN_DOWN(BLCKSZ * 10 / 100) - sizeof(ItemIdData))
/* Distinct values assumed when a column has no statistics. */
#define PGA_DEFAULT_NDISTINCT 200.0
/* Sampled values kept per column for the padding average. */
#define PGA_MAX_SAMPLES		256

/* What the estimate needs to know of one index column. */
typedef struct PgaColInfo
{
	bool		has_stats;		/* pg_statistic row found */
	double		width;			/* average stored width of non-null values */
	double		nullfrac;		/* fraction of nulls */
	double		ndistinct;		/* distinct non-null values (absolute) */
	AttrNumber	stats_attnum;	/* column whose pg_statistic row was read */
	int16		typlen;			/* -1 for varlena */
	char		typalign;		/* alignment of a non-short value */
	int			nsamples;		/* stored lengths of sampled values */
	double		sample_len[PGA_MAX_SAMPLES];
	double		sample_w[PGA_MAX_SAMPLES];	/* their weights, summing to 1 */
	int			nmcv;			/* most common values' frequencies */
	double	   *mcv_freq;
	double		avg_elems;		/* arrays: average distinct elements */
} PgaColInfo;

/*
 * pga_stored_len
 *		Bytes a varlena value takes in an index tuple: payload plus a 1-byte
 *		header when short, 4 otherwise.
 */
static double
pga_stored_len(Datum value)
{
	Size		payload = VARSIZE_ANY_EXHDR(DatumGetPointer(value));

	if (payload + VARHDRSZ_SHORT <= VARATT_SHORT_MAX)
		return payload + VARHDRSZ_SHORT;
	return payload + VARHDRSZ;
}

/*
 * pga_col_from_stats
 *		Fill ci from the pg_statistic row of (relid, attnum), if any.
 */
static void
pga_col_from_stats(PgaColInfo *ci, Oid relid, AttrNumber attnum, double ntuples,
				   Oid type, bool want_mcv)
{
	HeapTuple	st;

	st = SearchSysCache3(STATRELATTINH, ObjectIdGetDatum(relid),
						 Int16GetDatum(attnum), BoolGetDatum(false));
	if (!HeapTupleIsValid(st))
		return;

	{
		Form_pg_statistic s = (Form_pg_statistic) GETSTRUCT(st);
		AttStatsSlot sslot;
		double		mcvsum = 0.0;
		double		rest;
		int			i;

		ci->has_stats = true;
		ci->stats_attnum = attnum;
		ci->nullfrac = s->stanullfrac;
		if (s->stawidth > 0)
			ci->width = s->stawidth;
		if (s->stadistinct > 0)
			ci->ndistinct = s->stadistinct;
		else if (s->stadistinct < 0)
			ci->ndistinct = -s->stadistinct * ntuples * (1.0 - ci->nullfrac);

		/* Most common values: frequencies, and lengths as samples. */
		if (get_attstatsslot(&sslot, st, STATISTIC_KIND_MCV, InvalidOid,
							 ATTSTATSSLOT_VALUES | ATTSTATSSLOT_NUMBERS))
		{
			if (want_mcv)
			{
				ci->nmcv = sslot.nnumbers;
				ci->mcv_freq = palloc(sizeof(double) * Max(sslot.nnumbers, 1));
			}
			for (i = 0; i < sslot.nnumbers; i++)
			{
				mcvsum += sslot.numbers[i];
				if (want_mcv)
					ci->mcv_freq[i] = sslot.numbers[i];
				if (ci->typlen == -1 && ci->nsamples < PGA_MAX_SAMPLES &&
					i < sslot.nvalues)
				{
					ci->sample_len[ci->nsamples] = pga_stored_len(sslot.values[i]);
					ci->sample_w[ci->nsamples++] = sslot.numbers[i];
				}
			}
			free_attstatsslot(&sslot);
		}

		/* Histogram bounds share the rest of the non-null rows evenly. */
		rest = Max(0.0, 1.0 - ci->nullfrac - mcvsum);
		if (ci->typlen == -1 &&
			get_attstatsslot(&sslot, st, STATISTIC_KIND_HISTOGRAM, InvalidOid,
							 ATTSTATSSLOT_VALUES))
		{
			int			n = Min(sslot.nvalues, PGA_MAX_SAMPLES - ci->nsamples);

			for (i = 0; i < n; i++)
			{
				ci->sample_len[ci->nsamples] = pga_stored_len(sslot.values[i]);
				ci->sample_w[ci->nsamples++] = rest / n;
			}
			free_attstatsslot(&sslot);
		}

		/* Arrays: the last number of the distinct-element histogram. */
		if (get_attstatsslot(&sslot, st, STATISTIC_KIND_DECHIST, InvalidOid,
							 ATTSTATSSLOT_NUMBERS))
		{
			if (sslot.nnumbers > 0)
				ci->avg_elems = sslot.numbers[sslot.nnumbers - 1];
			free_attstatsslot(&sslot);
		}

		/* Normalise the sample weights. */
		{
			double		tw = 0.0;

			for (i = 0; i < ci->nsamples; i++)
				tw += ci->sample_w[i];
			if (tw > 0)
				for (i = 0; i < ci->nsamples; i++)
					ci->sample_w[i] /= tw;
			else
				ci->nsamples = 0;
		}
	}
	ReleaseSysCache(st);
	(void) type;
}

/*
 * pga_col_info
 *		What we know of index column col: a plain column's statistics, or for
 *		an expression over a single column that column's (lower(email) has
 *		about the distinct values, nulls and width of email), or defaults.
 */
static void
pga_col_info(PgaColInfo *ci, PgaHypoIndex *h, int col, double ntuples,
			 Node *expr)
{
	Oid			type;
	int32		typmod;
	Oid			coll;
	bool		byval;

	memset(ci, 0, sizeof(PgaColInfo));
	if (h->indexkeys[col] != 0)
		get_atttypetypmodcoll(h->relid, h->indexkeys[col], &type, &typmod, &coll);
	else
	{
		type = exprType(expr);
		typmod = exprTypmod(expr);
	}
	get_typlenbyvalalign(type, &ci->typlen, &byval, &ci->typalign);
	ci->width = get_typavgwidth(type, typmod);
	ci->ndistinct = Min(PGA_DEFAULT_NDISTINCT, Max(ntuples, 1.0));

	if (h->indexkeys[col] != 0)
		pga_col_from_stats(ci, h->relid, h->indexkeys[col], ntuples, type,
						   col == 0);
	else
	{
		List	   *vars = pull_var_clause(expr, 0);

		if (list_length(vars) == 1 && IsA(linitial(vars), Var))
		{
			Var		   *v = (Var *) linitial(vars);
			PgaColInfo	base;

			memset(&base, 0, sizeof(base));
			/* The column's own type decides how its samples are read. */
			base.typlen = get_typlen(v->vartype);
			base.width = ci->width;
			base.ndistinct = ci->ndistinct;
			pga_col_from_stats(&base, h->relid, v->varattno, ntuples,
							   v->vartype, false);
			if (base.has_stats)
			{
				ci->has_stats = true;
				ci->nullfrac = base.nullfrac;
				ci->ndistinct = base.ndistinct;
				ci->stats_attnum = base.stats_attnum;
				/* Same-type expressions (lower, upper, trim) keep widths. */
				if (v->vartype == type ||
					(ci->typlen == -1 && get_typlen(v->vartype) == -1))
				{
					ci->width = base.width;
					ci->nsamples = base.nsamples;
					memcpy(ci->sample_len, base.sample_len,
						   sizeof(double) * base.nsamples);
					memcpy(ci->sample_w, base.sample_w,
						   sizeof(double) * base.nsamples);
				}
			}
		}
	}
	ci->ndistinct = Max(ci->ndistinct, 1.0);
}

/*
 * pga_align_to
 *		Align an offset for a value of the given alignment.
 */
static double
pga_align_to(double off, char align)
{
	int			a;

	switch (align)
	{
		case TYPALIGN_DOUBLE:
			a = ALIGNOF_DOUBLE;
			break;
		case TYPALIGN_INT:
			a = ALIGNOF_INT;
			break;
		case TYPALIGN_SHORT:
			a = ALIGNOF_SHORT;
			break;
		default:
			a = 1;
	}
	if (a == 1)
		return off;
	return ceil(off / a) * a;
}

/*
 * pga_tuple_size
 *		Average size in bytes of an index tuple (without line pointer),
 *		header and final MAXALIGN included.
 */
static double
pga_tuple_size(PgaColInfo *cols, int ncols)
{
	double		anynull = 1.0;
	double		hdr;
	double		off;
	int			nvarlena = 0;
	int			varcol = -1;
	double		result;
	int			i;

	for (i = 0; i < ncols; i++)
	{
		anynull *= (1.0 - cols[i].nullfrac);
		if (cols[i].typlen < 0)
		{
			nvarlena++;
			varcol = i;
		}
	}
	anynull = 1.0 - anynull;
	hdr = MAXALIGN(sizeof(IndexTupleData)) +
		anynull * (MAXALIGN(sizeof(IndexTupleData) + sizeof(IndexAttributeBitMapData)) -
				   MAXALIGN(sizeof(IndexTupleData)));

	if (nvarlena == 1 && cols[varcol].nsamples > 0)
	{
		/*
		 * One variable-width column: average the exact MAXALIGNed size over
		 * its sampled lengths, other columns at their fixed widths.
		 */
		PgaColInfo *vc = &cols[varcol];
		double		sum = 0.0;
		double		mean_len = 0.0;
		int			s;

		for (s = 0; s < vc->nsamples; s++)
		{
			double		len = vc->sample_len[s];

			off = MAXALIGN(sizeof(IndexTupleData));
			for (i = 0; i < ncols; i++)
			{
				if (i == varcol)
					off += len;
				else
					off = pga_align_to(off, cols[i].typalign) + cols[i].typlen;
			}
			sum += vc->sample_w[s] * MAXALIGN((Size) ceil(off));
			mean_len += vc->sample_w[s] * len;
		}
		/* Scale to the average width ANALYZE measured over all its rows. */
		result = sum + (vc->width - mean_len) * (1.0 - vc->nullfrac);
		return result + (hdr - MAXALIGN(sizeof(IndexTupleData)));
	}

	off = hdr;
	for (i = 0; i < ncols; i++)
	{
		PgaColInfo *c = &cols[i];
		double		w = c->typlen > 0 ? c->typlen : c->width;

		if (c->typlen > 0 || w >= VARATT_SHORT_MAX)
		{
			/* Aligned value; after a varlena the padding averages out. */
			if (nvarlena > 0 && i > 0 && cols[i - 1].typlen < 0 &&
				c->typalign != TYPALIGN_CHAR)
				off += (pga_align_to(1, c->typalign) - 1) / 2.0;
			else
				off = pga_align_to(off, c->typalign);
		}
		off += (1.0 - c->nullfrac) * w;
	}
	if (nvarlena > 0)
		result = off + (MAXIMUM_ALIGNOF - 1) / 2.0;
	else
		result = MAXALIGN((Size) ceil(off));
	return result;
}

/*
 * pga_dedup_allowed
 *		Would a build deduplicate this index?  Every key column's operator
 *		class must promise that equal values are bitwise equal.
 */
static bool
pga_dedup_allowed(PgaHypoIndex *h)
{
	int			i;

	if (!h->deduplicate || h->unique || h->ncolumns != h->nkeycolumns)
		return false;
	for (i = 0; i < h->nkeycolumns; i++)
	{
		Oid			proc = get_opfamily_proc(h->opfamily[i], h->opcintype[i],
											 h->opcintype[i], BTEQUALIMAGE_PROC);

		if (!OidIsValid(proc))
			return false;
		if (!DatumGetBool(OidFunctionCall1Coll(proc, h->collation[i],
											   ObjectIdGetDatum(h->opcintype[i]))))
			return false;
	}
	return true;
}

/*
 * pga_group_bytes_int
 *		Leaf bytes (tuples and line pointers) for n equal keys of base tuple
 *		size b.
 */
static double
pga_group_bytes_int(double n, double b, bool dedup)
{
	double		nmax;
	double		full;
	double		r;
	double		bytes;

	if (n <= 0)
		return 0.0;
	if (!dedup || n < 2)
		return n * (b + PGA_LP);
	nmax = floor((PGA_MAX_POSTING - MAXIMUM_ALIGNOF + 1 - b) / sizeof(ItemPointerData));
	if (nmax < 2)
		return n * (b + PGA_LP);
	full = floor(n / nmax);
	r = n - full * nmax;
	bytes = full * (MAXALIGN((Size) ceil(b + nmax * sizeof(ItemPointerData))) + PGA_LP);
	if (r == 1)
		bytes += b + PGA_LP;
	else if (r > 1)
		bytes += MAXALIGN((Size) ceil(b + r * sizeof(ItemPointerData))) + PGA_LP;
	return bytes;
}

/*
 * pga_group_bytes
 *		The same for a fractional average count, interpolated.
 */
static double
pga_group_bytes(double n, double b, bool dedup)
{
	double		lo = floor(n);
	double		frac = n - lo;

	return (1.0 - frac) * pga_group_bytes_int(lo, b, dedup) +
		frac * pga_group_bytes_int(lo + 1, b, dedup);
}

/*
 * pga_restricted_groups
 *		Distinct keys left among a fraction sel of the rows, when d keys
 *		share n rows evenly (the estimate_num_groups() formula).
 */
static double
pga_restricted_groups(double d, double n, double sel)
{
	if (sel >= 1.0 || d <= 0 || n <= 0)
		return d;
	return Max(1.0, d * (1.0 - pow(1.0 - sel, n / d)));
}

/*
 * pga_btree_size
 *		Pages and height of a B-tree over ntuples table rows of which a
 *		fraction sel is indexed.
 */
static void
pga_btree_size(PlannerInfo *root, RelOptInfo *rel, PgaHypoIndex *h,
			   double ntuples, double sel)
{
	PgaColInfo *cols = palloc(sizeof(PgaColInfo) * h->ncolumns);
	ListCell   *exprs = list_head(h->indexprs);
	double		rows = ntuples * sel;
	double		tupsz;
	double		leafbytes = 0.0;
	double		leafpages;
	double		avail;
	bool		dedup;
	bool		fixed = true;
	int			ff = h->fillfactor > 0 ? h->fillfactor : BTREE_DEFAULT_FILLFACTOR;
	double		nkeysdistinct;
	double		pivot;
	double		level;
	double		internal = 0.0;
	int			height = 0;
	bool		corrected = false;
	int			i;

	for (i = 0; i < h->ncolumns; i++)
	{
		Node	   *expr = NULL;

		if (h->indexkeys[i] == 0)
		{
			expr = (Node *) lfirst(exprs);
			exprs = lnext(h->indexprs, exprs);
		}
		pga_col_info(&cols[i], h, i, ntuples, expr);
		if (cols[i].typlen < 0 || cols[i].nullfrac > 0)
			fixed = false;
	}

	/*
	 * ANALYZE's count runs low for a clustered column of a big table
	 * (indexsize_distinct.c).  Key columns only: the distinct counts of
	 * INCLUDE columns play no part in the size.
	 */
	for (i = 0; i < h->nkeycolumns; i++)
	{
		double		d;

		if (cols[i].stats_attnum <= 0)
			continue;
		d = pga_clustered_ndistinct(h->relid, cols[i].stats_attnum,
									ntuples * (1.0 - cols[i].nullfrac),
									cols[i].ndistinct);
		if (d > cols[i].ndistinct)
		{
			cols[i].ndistinct = d;
			corrected = true;
		}
	}

	tupsz = pga_tuple_size(cols, h->ncolumns);
	dedup = pga_dedup_allowed(h);

	/* Rows per distinct key, and the leaf bytes they take. */
	if (h->nkeycolumns == 1 && cols[0].has_stats)
	{
		PgaColInfo *c = &cols[0];
		double		mcvsum = 0.0;
		double		nrest;
		double		drest;
		double		nullrows = ntuples * c->nullfrac * sel;
		double		nullsz = MAXALIGN(sizeof(IndexTupleData) +
									  sizeof(IndexAttributeBitMapData));

		for (i = 0; i < c->nmcv; i++)
		{
			double		n = ntuples * c->mcv_freq[i];
			double		g = pga_restricted_groups(1.0, n, sel);

			mcvsum += c->mcv_freq[i];
			leafbytes += g * pga_group_bytes(n * sel / g, tupsz, dedup);
		}
		nrest = ntuples * Max(0.0, 1.0 - c->nullfrac - mcvsum);
		drest = Max(1.0, c->ndistinct - c->nmcv);
		drest = pga_restricted_groups(drest, nrest, sel);
		if (nrest * sel > 0)
			leafbytes += drest * pga_group_bytes(nrest * sel / drest, tupsz, dedup);
		if (nullrows > 0)
			leafbytes += pga_group_bytes(nullrows, nullsz, dedup);
		nkeysdistinct = c->ndistinct;
	}
	else
	{
		double		d = 1.0;

		for (i = 0; i < h->nkeycolumns; i++)
			d *= cols[i].ndistinct;
		d = Min(d, Max(ntuples, 1.0));
		if (h->nkeycolumns > 1 && ntuples > 0)
		{
			/*
			 * Distinct key combinations as the planner would estimate the
			 * groups of a GROUP BY on them: uses ndistinct extended
			 * statistics when there are some.
			 */
			List	   *keys = NIL;
			ListCell   *ex = list_head(h->indexprs);

			for (i = 0; i < h->nkeycolumns; i++)
			{
				Node	   *k;

				if (h->indexkeys[i] != 0)
				{
					Oid			typid;
					int32		typmod;
					Oid			collid;

					get_atttypetypmodcoll(h->relid, h->indexkeys[i], &typid,
										  &typmod, &collid);
					k = (Node *) makeVar(rel->relid, h->indexkeys[i], typid,
										 typmod, collid, 0);
				}
				else
				{
					k = copyObject((Node *) lfirst(ex));
					ex = lnext(h->indexprs, ex);
					if (rel->relid != 1)
						ChangeVarNodes(k, 1, rel->relid, 0);
				}
				keys = lappend(keys, k);
			}
			d = estimate_num_groups(root, keys, ntuples, NULL, NULL);

			/*
			 * The planner multiplied pg_statistic's counts: when one of them
			 * was corrected for clustering, count the combinations in the
			 * block sample instead (indexsize_distinct.c).
			 */
			{
				bool		plain = true;

				for (i = 0; i < h->nkeycolumns; i++)
					if (h->indexkeys[i] == 0)
						plain = false;
				if (corrected && plain)
				{
					double		m = pga_sampled_key_groups(h->relid,
														   h->nkeycolumns,
														   h->indexkeys,
														   ntuples);

					if (m > 0)
						d = m;
				}
			}
			d = Min(Max(d, 1.0), Max(ntuples, 1.0));
		}
		nkeysdistinct = d;
		d = pga_restricted_groups(d, ntuples, sel);
		if (rows > 0)
			leafbytes = d * pga_group_bytes(rows / d, tupsz, dedup);
	}

	/*
	 * Leaf pages: a page takes tuples while its free space is at least the
	 * fillfactor reserve; the last one then moves on and the high key
	 * (line pointer reserved up front) takes its place.
	 */
	avail = PGA_PAGE_USABLE - 2 * PGA_LP - (BLCKSZ * (100 - ff) / 100);
	if (rows <= 0)
		leafpages = 1;
	else if (fixed && !dedup)
		leafpages = ceil(rows / Max(1.0, floor(avail / (tupsz + PGA_LP))));
	else
		leafpages = ceil(leafbytes / Max(avail - (tupsz + PGA_LP) / 2.0, 64.0));
	leafpages = Max(leafpages, 1);

	/*
	 * Internal pages: one pivot per page below, truncated to the key
	 * columns needed to tell neighbours apart (and a heap TID when even
	 * the whole key cannot).
	 */
	{
		double		d = 1.0;
		double		w = MAXALIGN(sizeof(IndexTupleData));
		bool		enough = false;

		for (i = 0; i < h->nkeycolumns && !enough; i++)
		{
			d *= cols[i].ndistinct;
			w = pga_align_to(w, cols[i].typalign) +
				(cols[i].typlen > 0 ? cols[i].typlen : cols[i].width);
			if (d >= 2.0 * leafpages)
				enough = true;
		}
		if (!enough || nkeysdistinct < leafpages)
			w += sizeof(ItemPointerData);
		pivot = MAXALIGN((Size) ceil(w)) + PGA_LP;
	}
	avail = PGA_PAGE_USABLE - 2 * PGA_LP -
		(BLCKSZ * (100 - BTREE_NONLEAF_FILLFACTOR) / 100);
	level = leafpages;
	while (level > 1)
	{
		level = ceil(level / Max(2.0, floor(avail / pivot)));
		internal += level;
		height++;
	}

	h->pages = (BlockNumber) Min(1.0 + leafpages + internal, (double) MaxBlockNumber);
	h->tree_height = height;
}

/*
 * pga_opclass_name
 *		Name of an operator class, or NULL.
 */
static char *
pga_opclass_name(Oid opclass)
{
	HeapTuple	tup = SearchSysCache1(CLAOID, ObjectIdGetDatum(opclass));
	char	   *name;

	if (!HeapTupleIsValid(tup))
		return NULL;
	name = pstrdup(NameStr(((Form_pg_opclass) GETSTRUCT(tup))->opcname));
	ReleaseSysCache(tup);
	return name;
}

/*
 * pga_gin_size
 *		Pages of a GIN index (see the file header: an approximation).
 */
static void
pga_gin_size(PgaHypoIndex *h, double ntuples, double sel)
{
	double		rows = ntuples * sel;
	double		entries = 0.0;
	double		keybytes = 0.0;
	ListCell   *exprs = list_head(h->indexprs);
	int			i;

	for (i = 0; i < h->nkeycolumns; i++)
	{
		PgaColInfo	ci;
		Node	   *expr = NULL;
		double		per_row;
		double		keyw;
		Oid			type;
		char	   *opcname = pga_opclass_name(h->opclass[i]);

		if (h->indexkeys[i] == 0)
		{
			expr = (Node *) lfirst(exprs);
			exprs = lnext(h->indexprs, exprs);
		}
		pga_col_info(&ci, h, i, ntuples, expr);
		type = h->opcintype[i];

		if (ci.avg_elems > 0)
		{
			per_row = ci.avg_elems; /* arrays */
			keyw = 8;
		}
		else if (type == JSONBOID)
		{
			/* path_ops: one hash per value; jsonb_ops: keys and values */
			per_row = Max(1.0, ci.width / 14.0);
			if (opcname == NULL || strcmp(opcname, "jsonb_path_ops") != 0)
				per_row *= 2;
			keyw = (opcname && strcmp(opcname, "jsonb_path_ops") == 0) ? 4 : 10;
		}
		else if (type == TSVECTOROID)
		{
			/* an expression like to_tsvector(body): about one per word */
			per_row = Max(1.0, ci.width / 7.0);
			keyw = 8;
		}
		else
		{
			/* trigrams: about one per character */
			per_row = Max(1.0, ci.width);
			keyw = 4;
		}
		per_row *= (1.0 - ci.nullfrac);
		entries += rows * per_row;
		keybytes += Min(rows * per_row, Max(1000.0, sqrt(rows * per_row) * 10.0)) *
			(MAXALIGN(sizeof(IndexTupleData) + keyw) + PGA_LP + 8);
	}
	h->pages = (BlockNumber) (2 + ceil((entries * 2.0 + keybytes) /
									   (PGA_PAGE_USABLE * 0.9)));
	h->tree_height = -1;
}

/*
 * pga_index_size_estimate
 *		Estimate h's size for the planner run in progress (root, rel), and
 *		remember it in h.
 */
void
pga_index_size_estimate(PlannerInfo *root, RelOptInfo *rel, PgaHypoIndex *h)
{
	double		ntuples = Max(rel->tuples, 0.0);
	volatile double sel = 1.0;
	RelOptInfo *saved;
	double		saved_rows;

	/*
	 * get_relation_info runs before build_simple_rel stores the new
	 * RelOptInfo in simple_rel_array, where the selectivity and distinct-
	 * value functions look it up: put it there for the estimate.
	 */
	saved = root->simple_rel_array[rel->relid];
	saved_rows = rel->rows;
	root->simple_rel_array[rel->relid] = rel;
	/* The rows of the whole table, for estimate_num_groups(). */
	rel->rows = rel->tuples;
	PG_TRY();
	{
		if (h->indpred != NIL)
		{
			List	   *pred = copyObject(h->indpred);

			if (rel->relid != 1)
				ChangeVarNodes((Node *) pred, 1, rel->relid, 0);
			sel = clauselist_selectivity(root, pred, rel->relid, JOIN_INNER,
										 NULL);
			sel = Min(Max(sel, 0.0), 1.0);
		}

		if (h->amoid == BTREE_AM_OID)
			pga_btree_size(root, rel, h, ntuples, sel);
		else
			pga_gin_size(h, ntuples, sel);
	}
	PG_FINALLY();
	{
		root->simple_rel_array[rel->relid] = saved;
		rel->rows = saved_rows;
	}
	PG_END_TRY();

	h->tuples = clamp_row_est(ntuples * sel);
	h->size_known = true;
}
