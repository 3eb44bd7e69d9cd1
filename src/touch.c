/*-------------------------------------------------------------------------
 *
 * touch.c
 *	  The updated_at guard: architect.enable_updated_at(),
 *	  architect.disable_updated_at() and the BEFORE UPDATE trigger
 *	  architect.updated_at_trigger() that keeps the column current.
 *
 * The trigger sets the column to the transaction's start time (or, as an
 * option, the statement's start time or the clock) when a row is updated,
 * except:
 *	 - when the UPDATE assigns the column itself (it appears in the SET
 *	   list, TriggerData.tg_updatedcols) and respect_explicit is on: the
 *	   caller's value stands (imports, backfills);
 *	 - when no other column changed (skip_unchanged, on by default): a
 *	   no-op UPDATE leaves the timestamp alone, and costs less than one
 *	   that forms a new tuple.
 *
 * The unchanged test first compares the old and new tuples byte for byte
 * (equal bytes mean equal values); only when they differ does it compare
 * column by column with datum_image_eq(), the column itself and generated
 * columns left out.  No text form of the time is parsed per row (contrib's
 * moddatetime parses 'now' for every row).
 *
 * Arguments of the trigger: "v1", "column:attnum:name", "clock:<kind>",
 * "explicit:respect|override", "unchanged:skip|touch".
 *
 * Locking: enable/disable lock the table in ShareRowExclusiveLock (the mode
 * of CREATE TRIGGER), AccessExclusiveLock when they add the column.  The
 * per-backend cache needs no lock.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "guards.h"

PG_FUNCTION_INFO_V1(pga_enable_updated_at);
PG_FUNCTION_INFO_V1(pga_disable_updated_at);
PG_FUNCTION_INFO_V1(pga_updated_at_trigger);

/* Which time the column is set to. */
typedef enum PgaTouchClock
{
	PGA_CLOCK_TRANSACTION,		/* now(), transaction start */
	PGA_CLOCK_STATEMENT,		/* statement_timestamp() */
	PGA_CLOCK_CLOCK				/* clock_timestamp() */
} PgaTouchClock;

static const char *const pga_clock_names[] = {"transaction", "statement", "clock"};

/* What the trigger needs about one (trigger, table), per backend. */
typedef struct PgaTouchRel
{
	PgaGuardCacheEntry hdr;		/* trigger, validity, table (guards.h) */
	AttrNumber	attnum;			/* the column, InvalidAttrNumber if gone */
	Oid			basetype;		/* its (base) type */
	PgaTouchClock clock;		/* option clock */
	bool		respect_explicit;	/* option respect_explicit */
	bool		skip_unchanged; /* option skip_unchanged */
} PgaTouchRel;

static PgaGuardCache pga_touch_cache = {"pg_architect updated_at tables",
	sizeof(PgaTouchRel), NULL};

static PgaTouchClock
pga_touch_parse_clock(const char *s)
{
	int			i;

	for (i = 0; i < lengthof(pga_clock_names); i++)
		if (strcmp(s, pga_clock_names[i]) == 0)
			return (PgaTouchClock) i;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid clock \"%s\"", s),
			 errhint("Use 'transaction' (now()), 'statement' (statement_timestamp()) or 'clock' (clock_timestamp()).")));
	return PGA_CLOCK_TRANSACTION;	/* keep compiler quiet */
}

/*
 * The cache entry of the trigger being fired.
 */
static PgaTouchRel *
pga_touch_lookup(TriggerData *trigdata)
{
	Trigger    *trigger = trigdata->tg_trigger;
	Relation	rel = trigdata->tg_relation;
	PgaTouchRel *entry;
	bool		rebuild;
	int			i;

	entry = (PgaTouchRel *) pga_guard_cache_lookup(&pga_touch_cache, trigdata,
												   &rebuild);
	if (!rebuild)
		return entry;

	entry->attnum = InvalidAttrNumber;
	entry->clock = PGA_CLOCK_TRANSACTION;
	entry->respect_explicit = true;
	entry->skip_unchanged = true;
	for (i = 0; i < trigger->tgnargs; i++)
	{
		const char *arg = trigger->tgargs[i];
		AttrNumber	num;
		const char *name;

		if (pga_guard_parse_column_arg(arg, "column", &num, &name))
			entry->attnum = pga_guard_resolve_column(RelationGetDescr(rel),
													 num, name);
		else if (strncmp(arg, "clock:", 6) == 0)
			entry->clock = pga_touch_parse_clock(arg + 6);
		else if (strcmp(arg, "explicit:override") == 0)
			entry->respect_explicit = false;
		else if (strcmp(arg, "unchanged:touch") == 0)
			entry->skip_unchanged = false;
	}
	if (entry->attnum == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("the updated_at column of table \"%s\" no longer exists",
						RelationGetRelationName(rel)),
				 errhint("Run architect.disable_updated_at() or enable it again on an existing column.")));
	entry->basetype = getBaseType(TupleDescAttr(RelationGetDescr(rel),
												entry->attnum - 1)->atttypid);
	if (!pga_guard_is_timestamp_type(entry->basetype))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("updated_at column \"%s\" of table \"%s\" has type %s",
						NameStr(TupleDescAttr(RelationGetDescr(rel), entry->attnum - 1)->attname),
						RelationGetRelationName(rel),
						format_type_be(TupleDescAttr(RelationGetDescr(rel), entry->attnum - 1)->atttypid)),
				 errhint("The column must be timestamptz, timestamp or date.")));
	entry->hdr.valid = true;
	return entry;
}

/*
 * True when the new row differs from the old one in no column other than
 * skip (nor in generated columns, which follow the others).
 */
static bool
pga_touch_unchanged(TriggerData *trigdata, AttrNumber skip)
{
	HeapTuple	oldtup = trigdata->tg_trigtuple;
	HeapTuple	newtup = trigdata->tg_newtuple;
	HeapTupleHeader oh = oldtup->t_data;
	HeapTupleHeader nh = newtup->t_data;
	TupleDesc	tupdesc = RelationGetDescr(trigdata->tg_relation);
	int			natts;
	int			i;

	/* Same bytes, same values: the usual no-op UPDATE ends here. */
	if (oldtup->t_len == newtup->t_len && oh->t_hoff == nh->t_hoff &&
		(oh->t_infomask & HEAP_HASNULL) == (nh->t_infomask & HEAP_HASNULL) &&
		HeapTupleHeaderGetNatts(oh) == HeapTupleHeaderGetNatts(nh))
	{
		Size		start = offsetof(HeapTupleHeaderData, t_bits);

		if (memcmp((char *) oh + start, (char *) nh + start,
				   oldtup->t_len - start) == 0)
			return true;
	}

	/* Otherwise column by column, stopping at the first difference. */
	natts = tupdesc->natts;
	for (i = 0; i < natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);
		Datum		ov;
		Datum		nv;
		bool		onull;
		bool		nnull;

		if (att->attisdropped || att->attnum == skip || att->attgenerated)
			continue;
		ov = heap_getattr(oldtup, att->attnum, tupdesc, &onull);
		nv = heap_getattr(newtup, att->attnum, tupdesc, &nnull);
		if (onull != nnull)
			return false;
		if (!onull && !datum_image_eq(ov, nv, att->attbyval, att->attlen))
			return false;
	}
	return true;
}

/*
 * architect.updated_at_trigger()
 */
Datum
pga_updated_at_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	PgaTouchRel *entry;
	TimestampTz now;
	Datum		value;
	bool		isnull = false;
	int			col;

	pga_guard_check_before_row(fcinfo, "updated_at_trigger",
							   "enable_updated_at", "UPDATE");

	entry = pga_touch_lookup(trigdata);

	if (entry->respect_explicit &&
		bms_is_member(entry->attnum - FirstLowInvalidHeapAttributeNumber,
					  trigdata->tg_updatedcols))
		return PointerGetDatum(trigdata->tg_newtuple);

	if (entry->skip_unchanged && pga_touch_unchanged(trigdata, entry->attnum))
		return PointerGetDatum(trigdata->tg_newtuple);

	switch (entry->clock)
	{
		case PGA_CLOCK_STATEMENT:
			now = GetCurrentStatementStartTimestamp();
			break;
		case PGA_CLOCK_CLOCK:
			now = GetCurrentTimestamp();
			break;
		default:
			now = GetCurrentTransactionStartTimestamp();
			break;
	}
	if (entry->basetype == TIMESTAMPOID)
		value = DirectFunctionCall1(timestamptz_timestamp, TimestampTzGetDatum(now));
	else if (entry->basetype == DATEOID)
		value = DirectFunctionCall1(timestamptz_date, TimestampTzGetDatum(now));
	else
		value = TimestampTzGetDatum(now);

	col = entry->attnum;
	return PointerGetDatum(heap_modify_tuple_by_cols(trigdata->tg_newtuple,
													 RelationGetDescr(trigdata->tg_relation),
													 1, &col, &value, &isnull));
}

/*
 * architect.enable_updated_at(tbl regclass, col name, add_column boolean,
 *		clock text, respect_explicit boolean, skip_unchanged boolean)
 */
Datum
pga_enable_updated_at(PG_FUNCTION_ARGS)
{
	PgaGuardDDL ddl;
	Relation	rel;
	const char *colname;
	bool		add_column;
	PgaTouchClock clock;
	bool		respect_explicit;
	bool		skip_unchanged;
	AttrNumber	attnum;
	Form_pg_attribute att;
	StringInfoData sql;
	int			i;

	for (i = 1; i < PG_NARGS(); i++)
		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("arguments of architect.enable_updated_at() must not be null"),
					 errhint("Leave an option out to get its default.")));
	colname = NameStr(*PG_GETARG_NAME(1));
	add_column = PG_GETARG_BOOL(2);
	clock = pga_touch_parse_clock(text_to_cstring(PG_GETARG_TEXT_PP(3)));
	respect_explicit = PG_GETARG_BOOL(4);
	skip_unchanged = PG_GETARG_BOOL(5);

	pga_guard_begin(&ddl);
	rel = pga_guard_open_table(PG_GETARG_DATUM(0), PG_ARGISNULL(0), "updated_at",
							   add_column ? AccessExclusiveLock : ShareRowExclusiveLock);
	pga_guard_check_partition_tree(rel, PGA_TOUCH_TRIGGER, "updated_at");
	pga_guard_refuse_foreign_trigger(rel, PGA_TOUCH_TRIGGER, "updated_at_trigger");

	attnum = pga_guard_column(rel, colname, "updated_at", add_column);
	if (attnum == InvalidAttrNumber)
	{
		pga_guard_alter(&rel, psprintf("ALTER TABLE %s ADD COLUMN %s timestamptz NOT NULL DEFAULT now()",
									   pga_guard_table_name(rel),
									   quote_identifier(colname)));
		attnum = pga_guard_column(rel, colname, "updated_at", false);
	}
	else if (add_column)
		ereport(NOTICE,
				(errmsg("column \"%s\" of table %s exists already and is used as it is",
						colname, pga_guard_table_name(rel))));

	att = TupleDescAttr(RelationGetDescr(rel), attnum - 1);
	if (!pga_guard_is_timestamp_type(att->atttypid))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column \"%s\" of table %s has type %s",
						colname, pga_guard_table_name(rel),
						format_type_be(att->atttypid)),
				 errdetail("An updated_at column must be timestamptz, timestamp or date."),
				 errhint("Pick another column, or pass add_column => true with a new column name.")));
	if (att->attgenerated)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("column \"%s\" of table %s is a generated column",
						colname, pga_guard_table_name(rel)),
				 errhint("Pick a plain column.")));

	(void) pga_guard_drop_trigger(rel, PGA_TOUCH_TRIGGER, "updated_at_trigger",
								  "updated_at");

	initStringInfo(&sql);
	appendStringInfo(&sql,
					 "CREATE TRIGGER %s BEFORE UPDATE ON %s FOR EACH ROW "
					 "EXECUTE FUNCTION %s.updated_at_trigger(%s",
					 quote_identifier(PGA_TOUCH_TRIGGER),
					 pga_guard_table_name(rel), PGA_SCHEMA,
					 quote_literal_cstr(PGA_TRIGGER_ARGS_VERSION));
	pga_guard_append_column_arg(&sql, "column", rel, attnum);
	appendStringInfo(&sql, ", 'clock:%s', '%s', '%s')",
					 pga_clock_names[clock],
					 respect_explicit ? "explicit:respect" : "explicit:override",
					 skip_unchanged ? "unchanged:skip" : "unchanged:touch");
	pga_guard_exec(sql.data);

	table_close(rel, NoLock);
	pga_guard_end(&ddl);
	PG_RETURN_VOID();
}

/*
 * architect.disable_updated_at(tbl regclass)
 *		Remove the trigger; the column and its values stay.
 */
Datum
pga_disable_updated_at(PG_FUNCTION_ARGS)
{
	PgaGuardDDL ddl;
	Relation	rel;

	pga_guard_begin(&ddl);
	rel = pga_guard_open_table(PG_GETARG_DATUM(0), PG_ARGISNULL(0), "updated_at",
							   ShareRowExclusiveLock);
	if (!pga_guard_drop_trigger(rel, PGA_TOUCH_TRIGGER, "updated_at_trigger",
								"updated_at"))
		ereport(NOTICE,
				(errmsg("table %s has no updated_at guard, nothing to do",
						pga_guard_table_name(rel))));
	table_close(rel, NoLock);
	pga_guard_end(&ddl);
	PG_RETURN_VOID();
}
