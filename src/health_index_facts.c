/*-------------------------------------------------------------------------
 *
 * health_index_facts.c
 *	  architect.index_facts(): one row per index with what the index health
 *	  views look at, read in one pass over each catalog, and kept for the
 *	  rest of one architect.findings or architect.report() call.
 *
 * unused_indexes, duplicate_indexes and missing_fk_indexes (inside
 * schema_advice) each joined pg_index to pg_class (for the index and for
 * its table) and looked at pg_constraint and pg_inherits; within one
 * findings call that was the same 40,000-row join three times over on a
 * catalog of 10,000 tables.  This function reads pg_class, pg_index,
 * pg_constraint and pg_inherits once each (sequential scans under the
 * caller's active snapshot, so that it sees exactly what the SQL it
 * replaces saw) and returns, per index: its table, the table's schema
 * (OID), both names and kinds, the table's persistence, the access
 * method, the size (relpages times the block size), the flags of pg_index,
 * the key columns, operator classes, collations and options as ordinary
 * 1-based arrays, whether it has expressions or a predicate, whether it
 * backs a primary key, unique or exclusion constraint, and whether it is
 * a partition of a partitioned index.  Indexes of TOAST tables (schema
 * pg_toast, which every health view leaves out) are not returned.
 *
 * While pg_architect.findings_scope is on (see health.c), the rows are
 * kept in the findings facts context and the next call in the same
 * findings call returns them again; they go when that cache is reset (a
 * new generation, transaction, statement or user), so no call outside
 * that one findings call can see them.  Otherwise every call reads the
 * catalogs afresh.
 *
 * Locking: AccessShareLock on the four catalogs while they are read, as
 * any catalog query; no user relation is opened or locked.  All catalogs
 * read here are readable by every role, so no privilege check applies.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_index.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_namespace.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "compat.h"
#include "health.h"

PG_FUNCTION_INFO_V1(pga_index_facts);

#define PGA_INDEX_FACTS_COLS 26

/* what is kept of each relation of pg_class */
typedef struct RelFact
{
	Oid			oid;			/* hash key */
	Oid			nsp;
	Oid			relam;
	int32		relpages;
	char		relkind;
	char		persistence;
	bool		backs_constraint;	/* an index named by a p/u/x constraint */
	bool		is_partition;	/* an inhrelid of pg_inherits */
	NameData	relname;
} RelFact;

/* the rows of the last cached call, and the facts epoch they belong to */
static HeapTuple *idx_facts = NULL;
static uint64 idx_nfacts = 0;
static uint64 idx_facts_epoch = 0;

/*
 * pga_read_classes
 *		The relations of pg_class an index or its table can be, by OID.
 */
static HTAB *
pga_read_classes(Snapshot snapshot)
{
	HASHCTL		ctl;
	HTAB	   *rels;
	Relation	rel;
	SysScanDesc scan;
	HeapTuple	tup;

	rel = table_open(RelationRelationId, AccessShareLock);
	/* sized from pg_class's own row estimate, so the table never grows */
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(RelFact);
	ctl.hcxt = CurrentMemoryContext;
	rels = hash_create("pg_architect index facts relations",
					   (long) Max(rel->rd_rel->reltuples, 1024.0), &ctl,
					   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	scan = systable_beginscan(rel, InvalidOid, false, snapshot, 0, NULL);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_class c = (Form_pg_class) GETSTRUCT(tup);
		RelFact    *f;

		CHECK_FOR_INTERRUPTS();
		/* TOAST tables and their indexes (pg_toast) are no view's business */
		if (c->relkind != RELKIND_RELATION && c->relkind != RELKIND_PARTITIONED_TABLE &&
			c->relkind != RELKIND_MATVIEW &&
			c->relkind != RELKIND_INDEX && c->relkind != RELKIND_PARTITIONED_INDEX)
			continue;
		if (c->relnamespace == PG_TOAST_NAMESPACE)
			continue;
		f = (RelFact *) hash_search(rels, &c->oid, HASH_ENTER, NULL);
		f->nsp = c->relnamespace;
		f->relam = c->relam;
		f->relpages = c->relpages;
		f->relkind = c->relkind;
		f->persistence = c->relpersistence;
		f->backs_constraint = false;
		f->is_partition = false;
		f->relname = c->relname;
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return rels;
}

/*
 * pga_mark_relations
 *		Set a flag on each relation of "rels" named by one OID column of a
 *		catalog (for pg_constraint, only by its p, u and x constraints):
 *		backs_constraint from pg_constraint.conindid, is_partition from
 *		pg_inherits.inhrelid.
 */
static void
pga_mark_relations(HTAB *rels, Oid catalog, AttrNumber attnum, Snapshot snapshot)
{
	Relation	rel;
	SysScanDesc scan;
	HeapTuple	tup;

	rel = table_open(catalog, AccessShareLock);
	scan = systable_beginscan(rel, InvalidOid, false, snapshot, 0, NULL);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		bool		isnull;
		Oid			value;
		RelFact    *f;

		CHECK_FOR_INTERRUPTS();
		if (catalog == ConstraintRelationId)
		{
			char		contype = ((Form_pg_constraint) GETSTRUCT(tup))->contype;

			if (contype != CONSTRAINT_PRIMARY && contype != CONSTRAINT_UNIQUE &&
				contype != CONSTRAINT_EXCLUSION)
				continue;
		}
		value = DatumGetObjectId(heap_getattr(tup, attnum, RelationGetDescr(rel), &isnull));
		if (isnull)
			continue;
		f = (RelFact *) hash_search(rels, &value, HASH_FIND, NULL);
		if (f == NULL)
			continue;
		if (catalog == ConstraintRelationId)
			f->backs_constraint = true;
		else
			f->is_partition = true;
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
}

/*
 * pga_vector_slice
 *		The first n elements of an int2vector or oidvector column of a
 *		pg_index row, as an ordinary one-dimensional array.
 */
static Datum
pga_vector_slice(Datum *xv, bool *xn, AttrNumber attnum, int n, Oid elemtype)
{
	Datum		vec = xv[attnum - 1];
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));

	if (xn[attnum - 1])
		elog(ERROR, "null vector in pg_index");
	for (int i = 0; i < n; i++)
	{
		if (elemtype == INT2OID)
			elems[i] = Int16GetDatum(((int2vector *) DatumGetPointer(vec))->values[i]);
		else
			elems[i] = ObjectIdGetDatum(((oidvector *) DatumGetPointer(vec))->values[i]);
	}
	if (elemtype == INT2OID)
		return PointerGetDatum(construct_array(elems, n, INT2OID, sizeof(int16), true, TYPALIGN_SHORT));
	return PointerGetDatum(construct_array(elems, n, OIDOID, sizeof(Oid), true, TYPALIGN_INT));
}

/*
 * pga_read_index_facts
 *		Every index of pg_index whose index and table rows were found, as
 *		tuples of "desc" allocated in "cxt".  Returns the count.
 */
static uint64
pga_read_index_facts(TupleDesc desc, MemoryContext cxt, HeapTuple **result)
{
	Snapshot	snapshot = GetActiveSnapshot();
	MemoryContext work;
	MemoryContext old;
	HTAB	   *rels;
	Relation	rel;
	SysScanDesc scan;
	HeapTuple	tup;
	HeapTuple  *rows;
	uint64		nrows = 0;
	uint64		nalloc = 1024;

	work = AllocSetContextCreate(CurrentMemoryContext, "pg_architect index facts work",
								 ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(work);
	rels = pga_read_classes(snapshot);
	pga_mark_relations(rels, ConstraintRelationId, Anum_pg_constraint_conindid, snapshot);
	pga_mark_relations(rels, InheritsRelationId, Anum_pg_inherits_inhrelid, snapshot);
	MemoryContextSwitchTo(old);

	rows = MemoryContextAlloc(cxt, sizeof(HeapTuple) * nalloc);
	rel = table_open(IndexRelationId, AccessShareLock);
	scan = systable_beginscan(rel, InvalidOid, false, snapshot, 0, NULL);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_index x = (Form_pg_index) GETSTRUCT(tup);
		TupleDesc	xdesc = RelationGetDescr(rel);
		RelFact    *ic;
		RelFact    *t;
		Datum		v[PGA_INDEX_FACTS_COLS];
		bool		n[PGA_INDEX_FACTS_COLS];
		Datum		xv[Natts_pg_index];
		bool		xn[Natts_pg_index];
		int			c = 0;
		int			first_array;	/* the four pga_vector_slice columns */

		CHECK_FOR_INTERRUPTS();
		ic = (RelFact *) hash_search(rels, &x->indexrelid, HASH_FIND, NULL);
		t = (RelFact *) hash_search(rels, &x->indrelid, HASH_FIND, NULL);
		if (ic == NULL || t == NULL)
			continue;

		old = MemoryContextSwitchTo(work);
		heap_deform_tuple(tup, xdesc, xv, xn);
		memset(n, 0, sizeof(n));
		v[c++] = ObjectIdGetDatum(x->indexrelid);
		v[c++] = ObjectIdGetDatum(x->indrelid);
		v[c++] = ObjectIdGetDatum(t->nsp);
		v[c++] = NameGetDatum(&t->relname);
		v[c++] = NameGetDatum(&ic->relname);
		v[c++] = CharGetDatum(t->relkind);
		v[c++] = CharGetDatum(t->persistence);
		v[c++] = CharGetDatum(ic->relkind);
		v[c++] = ObjectIdGetDatum(ic->relam);
		v[c++] = Int64GetDatum((int64) ic->relpages * BLCKSZ);
		v[c++] = BoolGetDatum(x->indisunique);
		v[c++] = BoolGetDatum(x->indisprimary);
		v[c++] = BoolGetDatum(x->indisexclusion);
		v[c++] = BoolGetDatum(x->indisvalid);
		v[c++] = BoolGetDatum(x->indisready);
		v[c++] = BoolGetDatum(x->indisreplident);
		v[c++] = Int16GetDatum(x->indnatts);
		v[c++] = Int16GetDatum(x->indnkeyatts);
		first_array = c;
		v[c++] = pga_vector_slice(xv, xn, Anum_pg_index_indkey, x->indnatts, INT2OID);
		v[c++] = pga_vector_slice(xv, xn, Anum_pg_index_indclass, x->indnkeyatts, OIDOID);
		v[c++] = pga_vector_slice(xv, xn, Anum_pg_index_indcollation, x->indnkeyatts, OIDOID);
		v[c++] = pga_vector_slice(xv, xn, Anum_pg_index_indoption, x->indnkeyatts, INT2OID);
		v[c++] = BoolGetDatum(!xn[Anum_pg_index_indexprs - 1]);
		v[c++] = BoolGetDatum(!xn[Anum_pg_index_indpred - 1]);
		v[c++] = BoolGetDatum(ic->backs_constraint);
		v[c++] = BoolGetDatum(ic->is_partition);
		Assert(c == PGA_INDEX_FACTS_COLS);

		MemoryContextSwitchTo(cxt);
		if (nrows == nalloc)
		{
			nalloc *= 2;
			rows = repalloc(rows, sizeof(HeapTuple) * nalloc);
		}
		rows[nrows++] = heap_form_tuple(desc, v, n);
		MemoryContextSwitchTo(old);
		/* the arrays were built in "work": free them row by row */
		for (int a = first_array; a < first_array + 4; a++)
			pfree(DatumGetPointer(v[a]));
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	MemoryContextDelete(work);
	*result = rows;
	return nrows;
}

/*
 * architect.index_facts()
 *		The rows described at the top of this file; from the findings cache
 *		when it holds them (see facts_cache_usable() in health.c).
 */
Datum
pga_index_facts(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	HeapTuple  *rows;
	uint64		nrows;

	pga_init_materialized_srf(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	if (rsinfo->setDesc->natts != PGA_INDEX_FACTS_COLS)
		elog(ERROR, "architect.index_facts() must return %d columns", PGA_INDEX_FACTS_COLS);

	if (!pga_facts_cache_usable())
	{
		nrows = pga_read_index_facts(rsinfo->setDesc, CurrentMemoryContext, &rows);
	}
	else
	{
		if (idx_facts == NULL || idx_facts_epoch != pga_facts_epoch)
		{
			/* first call of this findings call: read and keep */
			idx_facts = NULL;
			idx_nfacts = pga_read_index_facts(rsinfo->setDesc, pga_facts_context(), &rows);
			idx_facts = rows;
			idx_facts_epoch = pga_facts_epoch;
		}
		rows = idx_facts;
		nrows = idx_nfacts;
	}
	for (uint64 r = 0; r < nrows; r++)
		tuplestore_puttuple(rsinfo->setResult, rows[r]);
	return (Datum) 0;
}
