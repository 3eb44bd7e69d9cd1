/*-------------------------------------------------------------------------
 *
 * audit.c
 *	  The audit trigger: architect.audit_trigger(), which writes one row per
 *	  changed row (and one per TRUNCATE) into architect.audit_log.
 *
 * The trigger is installed by architect.enable_audit() (audit_admin.c) as
 * AFTER INSERT OR UPDATE OR DELETE FOR EACH ROW, plus AFTER TRUNCATE FOR
 * EACH STATEMENT.  Its arguments carry the options: "v1", then
 * "exclude:attnum:name" and "mask:attnum:name" per column, and "statement"
 * when the statement text is to be logged.
 *
 * On a partitioned table PostgreSQL clones the row trigger to every
 * partition, but not the TRUNCATE trigger, and TRUNCATE of a partition by
 * its own name fires only that partition's triggers.  So the guard puts a
 * copy of its TRUNCATE trigger, with the argument "partition", on every
 * partition (audit_admin.c; partitions created or attached later get it
 * from the event trigger in guards_ddl.c).  A copy logs under the table
 * the guard was installed on, with the partition named; a copy left on a
 * table detached since logs nothing.  TRUNCATE of the partitioned table
 * writes one row for it and one for each partition it empties.
 *
 * What a log row holds: the audited table (the partitioned table for a row
 * of one of its partitions) by OID and by its schema and name at the time
 * of the change; the operation; the session and current roles; the
 * application user, read from the setting named by
 * pg_architect.audit_user_setting; client address and application name;
 * for INSERT the new row and for DELETE the old row as jsonb; for UPDATE
 * the old values of the changed columns plus the primary key (old_data)
 * and the new values of the changed columns (new_data).  Excluded columns
 * never appear; masked columns appear as "***" (NULL stays NULL).  An
 * UPDATE that changes no logged column writes nothing.
 *
 * Why it is fast.  A PL/pgSQL trigger pays, per row, for to_jsonb()
 * looking up every column's type, for an SPI INSERT going through the
 * planner cache, executor start-up and tuple routing.  Here:
 *
 *	 - everything about a table that does not change from row to row (which
 *	   columns, in which jsonb key order, how each type becomes jsonb, the
 *	   table's names) is computed once per backend and trigger, in
 *	   PgaAuditRel, and thrown away by a relcache invalidation (ALTER TABLE,
 *	   RENAME, a new trigger);
 *	 - the jsonb object is assembled directly from a JsonbValue whose pairs
 *	   are already in jsonb key order (length, then bytes), so no sort and
 *	   no parse state; text values point into the row, numbers and
 *	   timestamps are converted without going through their text form;
 *	 - the log row is formed and inserted with heap_insert() into the
 *	   partition found by a binary search over the partition bounds of the
 *	   log, without executor or SPI.  The insert is WAL-logged like any
 *	   other, belongs to the user's transaction (rolled back with it), and
 *	   does not check privileges: nobody holds INSERT on the log, the
 *	   trigger writes it with the rights of its owner, the extension.
 *	   Should someone add an index to the log, it is maintained too (the
 *	   slower executor path is taken for that partition).
 *
 * No state is kept in settings: the application user is read from its
 * setting, never written; the per-backend caches live in this module's
 * memory context.
 *
 * Locking: each log row takes RowExclusiveLock on architect.audit_log and
 * on the partition it goes to (held to the end of the transaction, as any
 * INSERT does), so a partition cannot be detached or dropped under it.
 * The caches are backend-local and need no lock.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_type.h"
#include "commands/sequence.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "partitioning/partbounds.h"
#include "partitioning/partdesc.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/xid8.h"

#include "guc.h"
#include "guards.h"

PG_FUNCTION_INFO_V1(pga_audit_trigger);

/* The text a masked value is replaced by. */
#define PGA_AUDIT_MASK "***"

/* How one column becomes a jsonb value. */
typedef enum PgaJsonKind
{
	PGA_JSON_BOOL,				/* true / false */
	PGA_JSON_INT,				/* int2, int4, int8: number */
	PGA_JSON_NUMERIC,			/* numeric: number (NaN, Infinity: string) */
	PGA_JSON_FLOAT,				/* float4, float8: number via text */
	PGA_JSON_TEXT,				/* text, varchar: string, no copy */
	PGA_JSON_DATETIME,			/* date, time, timestamps: ISO 8601 string */
	PGA_JSON_JSONB,				/* jsonb: nested as is */
	PGA_JSON_OUTPUT,			/* other scalars: output function, string */
	PGA_JSON_TO_JSONB			/* arrays, composites, json, the rest:
								 * to_jsonb() */
} PgaJsonKind;

/* One logged column of an audited table. */
typedef struct PgaAuditCol
{
	AttrNumber	attnum;			/* column number in the table */
	char	   *name;			/* jsonb key: the column name */
	int			namelen;		/* its length in bytes */
	PgaJsonKind kind;			/* how its value becomes jsonb */
	Oid			basetype;		/* type (base type of a domain) */
	int16		typlen;			/* for comparing old and new */
	bool		typbyval;
	bool		masked;			/* value replaced by PGA_AUDIT_MASK */
	bool		pkey;			/* part of the primary key */
	FmgrInfo	fn;				/* output function or to_jsonb() */
} PgaAuditCol;

/* Everything the trigger needs about one (trigger, table), per backend. */
typedef struct PgaAuditRel
{
	Oid			tgoid;			/* hash key: the trigger */
	bool		valid;			/* false after an invalidation */
	Oid			relid;			/* table the trigger fires on */
	Oid			rootid;			/* audited table (the partitioned parent) */
	Datum		schema_name;	/* text: schema of the audited table */
	Datum		table_name;		/* text: name of the audited table */
	Datum		partition_name; /* text: partition, when relid != rootid */
	bool		log_statement;	/* log the statement text */
	bool		stale;			/* copy of a TRUNCATE trigger on a table no
								 * longer under an audited one: logs nothing */
	int			ncols;			/* logged columns ... */
	PgaAuditCol *cols;			/* ... in jsonb key order */
	MemoryContext cxt;			/* holds cols and the names */
} PgaAuditRel;

/* Columns of architect.audit_log, in the order the trigger fills them. */
enum
{
	PGA_LOG_ID,
	PGA_LOG_LOGGED_AT,
	PGA_LOG_TXID,
	PGA_LOG_RELID,
	PGA_LOG_SCHEMA,
	PGA_LOG_TABLE,
	PGA_LOG_PARTITION,
	PGA_LOG_OPERATION,
	PGA_LOG_SESSION_ROLE,
	PGA_LOG_ACTING_ROLE,
	PGA_LOG_APP_USER,
	PGA_LOG_CLIENT_ADDR,
	PGA_LOG_APP_NAME,
	PGA_LOG_OLD_DATA,
	PGA_LOG_NEW_DATA,
	PGA_LOG_STATEMENT,
	PGA_LOG_NCOLS
};

static const struct
{
	const char *name;
	Oid			type;
}			pga_log_columns[PGA_LOG_NCOLS] =
{
	{"id", INT8OID},
	{"logged_at", TIMESTAMPTZOID},
	{"txid", XID8OID},
	{"relid", OIDOID},
	{"schema_name", TEXTOID},
	{"table_name", TEXTOID},
	{"partition_name", TEXTOID},
	{"operation", TEXTOID},
	{"session_role", TEXTOID},
	{"acting_role", TEXTOID},
	{"app_user", TEXTOID},
	{"client_addr", INETOID},
	{"application_name", TEXTOID},
	{"old_data", JSONBOID},
	{"new_data", JSONBOID},
	{"statement", TEXTOID},
};

/* Memory context of every cache below. */
static MemoryContext pga_audit_cxt = NULL;

/* (trigger OID) -> PgaAuditRel */
static HTAB *pga_audit_rels = NULL;

/* Where the log is; InvalidOid until looked up or after an invalidation. */
static Oid	pga_log_relid = InvalidOid;
static Oid	pga_log_seqid = InvalidOid;

/* The partition written last and the position of each log column in it. */
static Oid	pga_part_relid = InvalidOid;
static AttrNumber pga_part_attmap[PGA_LOG_NCOLS];

/* Role names (text), remembered for the last role OID seen. */
static Oid	pga_session_roleid = InvalidOid;
static Datum pga_session_rolename;
static Oid	pga_acting_roleid = InvalidOid;
static Datum pga_acting_rolename;

/* Client address, the same for the life of the backend. */
static bool pga_client_addr_done = false;
static Datum pga_client_addr;
static bool pga_client_addr_null = true;

/* Operation names as text, made once. */
static Datum pga_op_text[4];

/* Set by audit_purge() (audit_admin.c) while it deletes old rows. */
bool		pga_audit_purge_in_progress = false;

/*
 * pga_audit_invalidate
 *		Relcache invalidation: forget what depends on relid (every entry
 *		when relid is InvalidOid).  Called through guards.c's callback.
 */
void
pga_audit_invalidate(Oid relid)
{
	HASH_SEQ_STATUS status;
	PgaAuditRel *entry;

	if (!OidIsValid(relid) || relid == pga_log_relid ||
		relid == pga_part_relid)
	{
		pga_log_relid = InvalidOid;
		pga_log_seqid = InvalidOid;
		pga_part_relid = InvalidOid;
	}
	if (pga_audit_rels == NULL)
		return;
	hash_seq_init(&status, pga_audit_rels);
	while ((entry = hash_seq_search(&status)) != NULL)
	{
		if (!OidIsValid(relid) || entry->relid == relid ||
			entry->rootid == relid)
			entry->valid = false;
	}
}

/*
 * pga_audit_invalidate_names
 *		Syscache invalidation of pg_authid (a role renamed) or pg_namespace
 *		(a schema renamed): forget the cached names.
 */
void
pga_audit_invalidate_names(void)
{
	pga_session_roleid = InvalidOid;
	pga_acting_roleid = InvalidOid;
	pga_audit_invalidate(InvalidOid);
}

/*
 * jsonb object keys are ordered by length, then bytewise; the pairs of an
 * object built by hand must be in that order.
 */
static int
pga_audit_col_cmp(const void *a, const void *b)
{
	const PgaAuditCol *ca = (const PgaAuditCol *) a;
	const PgaAuditCol *cb = (const PgaAuditCol *) b;

	if (ca->namelen != cb->namelen)
		return ca->namelen < cb->namelen ? -1 : 1;
	return memcmp(ca->name, cb->name, ca->namelen);
}

/*
 * How values of a type become jsonb; fills kind and fn of col.
 */
static void
pga_audit_classify(PgaAuditCol *col, Form_pg_attribute att, MemoryContext cxt)
{
	Oid			typid = getBaseType(att->atttypid);
	Oid			outfn;
	bool		isvarlena;
	char		typtype = get_typtype(typid);

	col->basetype = typid;
	switch (typid)
	{
		case BOOLOID:
			col->kind = PGA_JSON_BOOL;
			return;
		case INT2OID:
		case INT4OID:
		case INT8OID:
			col->kind = PGA_JSON_INT;
			return;
		case NUMERICOID:
			col->kind = PGA_JSON_NUMERIC;
			break;				/* needs the output function for NaN */
		case FLOAT4OID:
		case FLOAT8OID:
			col->kind = PGA_JSON_FLOAT;
			break;
		case TEXTOID:
		case VARCHAROID:
			col->kind = PGA_JSON_TEXT;
			return;
		case DATEOID:
		case TIMEOID:
		case TIMETZOID:
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			col->kind = PGA_JSON_DATETIME;
			return;
		case JSONBOID:
			col->kind = PGA_JSON_JSONB;
			return;
		case UUIDOID:
		case INETOID:
		case CIDROID:
		case MACADDROID:
		case MACADDR8OID:
		case BYTEAOID:
		case BPCHAROID:
		case NAMEOID:
		case CHAROID:
		case INTERVALOID:
		case OIDOID:
		case MONEYOID:
			col->kind = PGA_JSON_OUTPUT;
			break;
		default:
			col->kind = (typtype == TYPTYPE_ENUM) ? PGA_JSON_OUTPUT :
				PGA_JSON_TO_JSONB;
			break;
	}

	if (col->kind == PGA_JSON_TO_JSONB)
	{
		/*
		 * to_jsonb(anyelement) finds its argument's type in the call
		 * expression; give it one that says the column's type.
		 */
		MemoryContext old = MemoryContextSwitchTo(cxt);

		fmgr_info_cxt(F_TO_JSONB, &col->fn, cxt);
		col->fn.fn_expr = (Node *)
			makeFuncExpr(F_TO_JSONB, JSONBOID,
						 list_make1(makeNullConst(att->atttypid,
												  att->atttypmod,
												  att->attcollation)),
						 InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL);
		MemoryContextSwitchTo(old);
	}
	else
	{
		getTypeOutputInfo(att->atttypid, &outfn, &isvarlena);
		fmgr_info_cxt(outfn, &col->fn, cxt);
	}
}

/*
 * Build (or rebuild) the cache entry of a trigger from its arguments and
 * the table's current descriptor.
 */
static void
pga_audit_build(PgaAuditRel *entry, Relation rel, Trigger *trigger)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	Bitmapset  *pkey;
	MemoryContext old;
	int			i;
	int			n = 0;

	if (entry->cxt)
		MemoryContextDelete(entry->cxt);
	entry->cxt = AllocSetContextCreate(pga_audit_cxt, "pg_architect audit table",
									   ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(entry->cxt);

	entry->relid = RelationGetRelid(rel);
	entry->stale = false;
	if (pga_audit_trigger_has_arg(trigger, "partition"))
	{
		/* The TRUNCATE trigger copied onto a partition: log it under the
		 * table the guard was installed on, with its options. */
		entry->rootid = pga_audit_guard_root(rel, &entry->log_statement);
		if (!OidIsValid(entry->rootid))
		{
			entry->rootid = entry->relid;
			entry->stale = true;
		}
	}
	else
	{
		entry->rootid = rel->rd_rel->relispartition ?
			pga_guard_trigger_root(trigger->tgoid, entry->relid) : entry->relid;
		entry->log_statement = pga_audit_trigger_has_arg(trigger, "statement");
	}
	entry->schema_name = PointerGetDatum(cstring_to_text(get_namespace_name(get_rel_namespace(entry->rootid))));
	entry->table_name = PointerGetDatum(cstring_to_text(get_rel_name(entry->rootid)));
	entry->partition_name = (entry->rootid != entry->relid) ?
		PointerGetDatum(cstring_to_text(RelationGetRelationName(rel))) :
		(Datum) 0;

	pkey = RelationGetIndexAttrBitmap(rel, INDEX_ATTR_BITMAP_PRIMARY_KEY);

	entry->cols = palloc0(sizeof(PgaAuditCol) * Max(tupdesc->natts, 1));
	for (i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);
		PgaAuditCol *col = &entry->cols[n];
		bool		excluded = false;
		bool		masked = false;
		int			a;

		if (att->attisdropped)
			continue;

		/*
		 * An excluded or masked column is matched both by the number and by
		 * the name stored in the trigger: a renamed column keeps its
		 * number, a column renumbered by a dump and restore keeps its name.
		 * Covering both can only hide more, never leak.
		 */
		for (a = 0; a < trigger->tgnargs; a++)
		{
			AttrNumber	num;
			const char *name;

			if (pga_guard_parse_column_arg(trigger->tgargs[a], "exclude",
										   &num, &name))
			{
				if (num == att->attnum || strcmp(name, NameStr(att->attname)) == 0)
					excluded = true;
			}
			else if (pga_guard_parse_column_arg(trigger->tgargs[a], "mask",
												&num, &name))
			{
				if (num == att->attnum || strcmp(name, NameStr(att->attname)) == 0)
					masked = true;
			}
		}
		if (excluded)
			continue;

		col->attnum = att->attnum;
		col->name = pstrdup(NameStr(att->attname));
		col->namelen = strlen(col->name);
		col->typlen = att->attlen;
		col->typbyval = att->attbyval;
		col->masked = masked;
		col->pkey = bms_is_member(att->attnum - FirstLowInvalidHeapAttributeNumber,
								  pkey);
		pga_audit_classify(col, att, entry->cxt);
		n++;
	}
	entry->ncols = n;
	qsort(entry->cols, n, sizeof(PgaAuditCol), pga_audit_col_cmp);

	MemoryContextSwitchTo(old);
	entry->valid = true;
}

/*
 * The cache entry of the trigger being fired, built if needed.
 */
static PgaAuditRel *
pga_audit_lookup(TriggerData *trigdata)
{
	Trigger    *trigger = trigdata->tg_trigger;
	PgaAuditRel *entry;
	bool		found;

	if (pga_audit_rels == NULL)
	{
		HASHCTL		ctl;

		pga_guard_register_callbacks();
		if (pga_audit_cxt == NULL)
			pga_audit_cxt = AllocSetContextCreate(TopMemoryContext,
												  "pg_architect audit cache",
												  ALLOCSET_DEFAULT_SIZES);
		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(PgaAuditRel);
		ctl.hcxt = pga_audit_cxt;
		pga_audit_rels = hash_create("pg_architect audit tables", 32, &ctl,
									 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}

	entry = hash_search(pga_audit_rels, &trigger->tgoid, HASH_ENTER, &found);
	if (!found)
	{
		entry->valid = false;
		entry->cxt = NULL;
	}
	if (!entry->valid || entry->relid != RelationGetRelid(trigdata->tg_relation))
		pga_audit_build(entry, trigdata->tg_relation, trigger);
	return entry;
}

/*
 * Turn a jsonb datum into a JsonbValue tree that can sit inside an object
 * being built (a raw scalar becomes that scalar).
 */
static void
pga_jsonb_to_value(Jsonb *jb, JsonbValue *out)
{
	JsonbParseState *state = NULL;
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	v;
	JsonbValue *res = NULL;

	it = JsonbIteratorInit(&jb->root);
	while ((tok = JsonbIteratorNext(&it, &v, false)) != WJB_DONE)
	{
		if (tok == WJB_KEY || tok == WJB_VALUE || tok == WJB_ELEM ||
			(tok == WJB_BEGIN_ARRAY && v.val.array.rawScalar))
			res = pushJsonbValue(&state, tok, &v);
		else
			res = pushJsonbValue(&state, tok, NULL);
	}
	if (res->type == jbvArray && res->val.array.rawScalar)
		*out = res->val.array.elems[0];
	else
		*out = *res;
}

/*
 * A JSON number or, when text is not one (NaN, Infinity), a JSON string.
 */
static void
pga_json_number_from_text(char *str, JsonbValue *out)
{
	if (strcmp(str, "NaN") == 0 || strcmp(str, "Infinity") == 0 ||
		strcmp(str, "-Infinity") == 0)
	{
		out->type = jbvString;
		out->val.string.val = str;
		out->val.string.len = strlen(str);
	}
	else
	{
		out->type = jbvNumeric;
		out->val.numeric = DatumGetNumeric(DirectFunctionCall3(numeric_in,
															   CStringGetDatum(str),
															   ObjectIdGetDatum(InvalidOid),
															   Int32GetDatum(-1)));
	}
}

/*
 * The jsonb value of one column value.
 */
static void
pga_audit_value(PgaAuditCol *col, Datum value, bool isnull, JsonbValue *out)
{
	if (isnull)
	{
		out->type = jbvNull;
		return;
	}
	if (col->masked)
	{
		out->type = jbvString;
		out->val.string.val = PGA_AUDIT_MASK;
		out->val.string.len = sizeof(PGA_AUDIT_MASK) - 1;
		return;
	}

	switch (col->kind)
	{
		case PGA_JSON_BOOL:
			out->type = jbvBool;
			out->val.boolean = DatumGetBool(value);
			break;
		case PGA_JSON_INT:
			{
				int64		v;

				if (col->basetype == INT2OID)
					v = DatumGetInt16(value);
				else if (col->basetype == INT4OID)
					v = DatumGetInt32(value);
				else
					v = DatumGetInt64(value);
				out->type = jbvNumeric;
				out->val.numeric = int64_to_numeric(v);
			}
			break;
		case PGA_JSON_NUMERIC:
			{
				Numeric		num = DatumGetNumeric(value);

				if (numeric_is_nan(num) || numeric_is_inf(num))
					pga_json_number_from_text(OutputFunctionCall(&col->fn, value), out);
				else
				{
					out->type = jbvNumeric;
					out->val.numeric = num;
				}
			}
			break;
		case PGA_JSON_FLOAT:
			pga_json_number_from_text(OutputFunctionCall(&col->fn, value), out);
			break;
		case PGA_JSON_TEXT:
			{
				text	   *t = DatumGetTextPP(value);

				out->type = jbvString;
				out->val.string.val = VARDATA_ANY(t);
				out->val.string.len = VARSIZE_ANY_EXHDR(t);
			}
			break;
		case PGA_JSON_DATETIME:
			{
				char	   *s = JsonEncodeDateTime(NULL, value, col->basetype, NULL);

				out->type = jbvString;
				out->val.string.val = s;
				out->val.string.len = strlen(s);
			}
			break;
		case PGA_JSON_JSONB:
			pga_jsonb_to_value(DatumGetJsonbP(value), out);
			break;
		case PGA_JSON_OUTPUT:
			{
				char	   *s = OutputFunctionCall(&col->fn, value);

				out->type = jbvString;
				out->val.string.val = s;
				out->val.string.len = strlen(s);
			}
			break;
		case PGA_JSON_TO_JSONB:
			pga_jsonb_to_value(DatumGetJsonbP(FunctionCall1(&col->fn, value)),
							   out);
			break;
	}
}

/*
 * True when a column has the same value in both rows.  Stored (on-disk
 * TOAST) values are equal when their TOAST pointers are, which spares
 * fetching big unchanged values.
 */
static bool
pga_audit_same(PgaAuditCol *col, Datum a, bool anull, Datum b, bool bnull)
{
	if (anull || bnull)
		return anull && bnull;
	if (col->typlen == -1)
	{
		struct varlena *va = (struct varlena *) DatumGetPointer(a);
		struct varlena *vb = (struct varlena *) DatumGetPointer(b);

		if (va == vb)
			return true;
		if (VARATT_IS_EXTERNAL_ONDISK(va) && VARATT_IS_EXTERNAL_ONDISK(vb) &&
			VARSIZE_EXTERNAL(va) == VARSIZE_EXTERNAL(vb) &&
			memcmp(va, vb, VARSIZE_EXTERNAL(va)) == 0)
			return true;
	}
	return datum_image_eq(a, b, col->typbyval, col->typlen);
}

/*
 * Build the jsonb object of the columns selected by "want" (NULL: all).
 */
static Jsonb *
pga_audit_object(PgaAuditRel *entry, TupleTableSlot *slot, bool *want)
{
	JsonbValue	obj;
	JsonbPair  *pairs;
	int			i;
	int			n = 0;

	pairs = palloc(sizeof(JsonbPair) * Max(entry->ncols, 1));
	for (i = 0; i < entry->ncols; i++)
	{
		PgaAuditCol *col = &entry->cols[i];
		JsonbPair  *p;

		if (want && !want[i])
			continue;
		p = &pairs[n];
		p->key.type = jbvString;
		p->key.val.string.val = col->name;
		p->key.val.string.len = col->namelen;
		p->order = n;
		pga_audit_value(col, slot->tts_values[col->attnum - 1],
						slot->tts_isnull[col->attnum - 1], &p->value);
		n++;
	}
	obj.type = jbvObject;
	obj.val.object.nPairs = n;
	obj.val.object.pairs = pairs;
	return JsonbValueToJsonb(&obj);
}

/*
 * Text datum of a role name, remembered for the last OID asked.
 */
static Datum
pga_audit_role(Oid roleid, Oid *cached_id, Datum *cached_name)
{
	if (*cached_id != roleid)
	{
		MemoryContext old = MemoryContextSwitchTo(pga_audit_cxt);
		char	   *name = GetUserNameFromId(roleid, true);

		*cached_name = PointerGetDatum(cstring_to_text(name ? name : "?"));
		*cached_id = roleid;
		MemoryContextSwitchTo(old);
	}
	return *cached_name;
}

/*
 * The client's address (NULL over a Unix socket), computed once.
 */
static Datum
pga_audit_client_addr(bool *isnull)
{
	if (!pga_client_addr_done)
	{
		LOCAL_FCINFO(fcinfo, 0);
		Datum		d;

		InitFunctionCallInfoData(*fcinfo, NULL, 0, InvalidOid, NULL, NULL);
		d = inet_client_addr(fcinfo);
		pga_client_addr_null = fcinfo->isnull;
		if (!pga_client_addr_null)
		{
			MemoryContext old = MemoryContextSwitchTo(pga_audit_cxt);

			pga_client_addr = datumCopy(d, false, -1);
			MemoryContextSwitchTo(old);
		}
		pga_client_addr_done = true;
	}
	*isnull = pga_client_addr_null;
	return pga_client_addr;
}

/*
 * Look up the log, its sequence and check the log's columns are what the
 * trigger fills.
 */
static void
pga_audit_find_log(void)
{
	Oid			nsp = get_namespace_oid(PGA_SCHEMA, true);

	if (OidIsValid(nsp))
	{
		pga_log_relid = get_relname_relid(PGA_AUDIT_LOG, nsp);
		pga_log_seqid = get_relname_relid(PGA_AUDIT_LOG_SEQ, nsp);
	}
	if (!OidIsValid(pga_log_relid) || !OidIsValid(pga_log_seqid))
	{
		pga_log_relid = InvalidOid;
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("audit log architect.audit_log does not exist"),
				 errhint("Create the extension pg_architect in this database, or remove the audit trigger with architect.disable_audit().")));
	}
}

/*
 * Map the log's columns to their numbers in a partition of it.
 */
static void
pga_audit_map_partition(Relation part)
{
	TupleDesc	tupdesc = RelationGetDescr(part);
	int			c;

	for (c = 0; c < PGA_LOG_NCOLS; c++)
	{
		int			i;

		pga_part_attmap[c] = InvalidAttrNumber;
		for (i = 0; i < tupdesc->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(tupdesc, i);

			if (!att->attisdropped &&
				strcmp(NameStr(att->attname), pga_log_columns[c].name) == 0)
			{
				if (att->atttypid != pga_log_columns[c].type)
					break;
				pga_part_attmap[c] = att->attnum;
				break;
			}
		}
		if (pga_part_attmap[c] == InvalidAttrNumber)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("audit log partition \"%s\" has no column \"%s\" of type %s",
							RelationGetRelationName(part),
							pga_log_columns[c].name,
							format_type_be(pga_log_columns[c].type)),
					 errhint("Recreate the extension pg_architect; the audit log was altered.")));
	}
	pga_part_relid = RelationGetRelid(part);
}

/*
 * Which partition of the log holds rows logged at "ts": a binary search of
 * the range bounds, then the default partition.
 */
static Oid
pga_audit_route(Relation log, TimestampTz ts)
{
	PartitionDesc pd = RelationGetPartitionDesc(log, true);
	PartitionBoundInfo bi;
	int			lo;
	int			hi;
	int			found = -1;
	int			index = -1;

	if (pd == NULL || pd->nparts == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("audit log architect.audit_log has no partitions"),
				 errhint("Run SELECT architect.audit_maintain(); to create them.")));

	bi = pd->boundinfo;
	if (bi->strategy != PARTITION_STRATEGY_RANGE)
		elog(ERROR, "architect.audit_log is not range partitioned");

	/* Greatest bound <= ts. */
	lo = 0;
	hi = bi->ndatums - 1;
	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;
		PartitionRangeDatumKind kind = bi->kind[mid][0];
		int			cmp;

		if (kind == PARTITION_RANGE_DATUM_MINVALUE)
			cmp = -1;
		else if (kind == PARTITION_RANGE_DATUM_MAXVALUE)
			cmp = 1;
		else
		{
			TimestampTz b = DatumGetTimestampTz(bi->datums[mid][0]);

			cmp = (b < ts) ? -1 : (b > ts ? 1 : 0);
		}
		if (cmp <= 0)
		{
			found = mid;
			lo = mid + 1;
		}
		else
			hi = mid - 1;
	}
	index = bi->indexes[found + 1];
	if (index < 0)
		index = bi->default_index;
	if (index < 0)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("no partition of architect.audit_log for time %s",
						timestamptz_to_str(ts)),
				 errhint("Run SELECT architect.audit_maintain(); to create the partitions ahead.")));
	return pd->oids[index];
}

/*
 * Insert one log row.  values/nulls are in pga_log_columns order.
 */
static void
pga_audit_insert(TimestampTz ts, Datum *values, bool *nulls)
{
	Relation	log;
	Relation	part;
	Oid			partid;
	Datum		pvalues[MaxHeapAttributeNumber];
	bool		pnulls[MaxHeapAttributeNumber];
	TupleDesc	tupdesc;
	HeapTuple	tup;
	int			c;

	if (!OidIsValid(pga_log_relid))
		pga_audit_find_log();

	log = table_open(pga_log_relid, RowExclusiveLock);
	partid = pga_audit_route(log, ts);
	part = table_open(partid, RowExclusiveLock);
	if (partid != pga_part_relid)
		pga_audit_map_partition(part);

	tupdesc = RelationGetDescr(part);
	for (c = 0; c < tupdesc->natts; c++)
	{
		pvalues[c] = (Datum) 0;
		pnulls[c] = true;
	}
	for (c = 0; c < PGA_LOG_NCOLS; c++)
	{
		pvalues[pga_part_attmap[c] - 1] = values[c];
		pnulls[pga_part_attmap[c] - 1] = nulls[c];
	}
	tup = heap_form_tuple(tupdesc, pvalues, pnulls);

	if (RelationGetForm(part)->relhasindex && RelationGetIndexList(part) != NIL)
	{
		/* Someone indexed the log: keep the indexes right. */
		EState	   *estate = CreateExecutorState();
		ResultRelInfo *rri = makeNode(ResultRelInfo);
		TupleTableSlot *slot;

		InitResultRelInfo(rri, part, 1, NULL, 0);
		ExecOpenIndices(rri, false);
		slot = MakeSingleTupleTableSlot(tupdesc, &TTSOpsHeapTuple);
		ExecStoreHeapTuple(tup, slot, false);
		table_tuple_insert(part, slot, GetCurrentCommandId(true), 0, NULL);
		list_free(ExecInsertIndexTuples(rri, slot, estate, false, false,
										NULL, NIL));
		ExecDropSingleTupleTableSlot(slot);
		ExecCloseIndices(rri);
		FreeExecutorState(estate);
	}
	else
		simple_heap_insert(part, tup);

	table_close(part, NoLock);
	table_close(log, NoLock);
}

/*
 * architect.audit_trigger()
 *		The AFTER trigger that writes architect.audit_log.
 */
Datum
pga_audit_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TriggerEvent event;
	PgaAuditRel *entry;
	Datum		values[PGA_LOG_NCOLS];
	bool		nulls[PGA_LOG_NCOLS];
	TimestampTz ts;
	int			op;
	const char *setting;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("architect.audit_trigger() must be called as a trigger"),
				 errhint("Install it with architect.enable_audit().")));

	event = trigdata->tg_event;
	if (!TRIGGER_FIRED_AFTER(event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("architect.audit_trigger() must be fired AFTER the change"),
				 errhint("Install it with architect.enable_audit().")));
	if (TRIGGER_FIRED_BY_TRUNCATE(event))
		op = 3;
	else if (!TRIGGER_FIRED_FOR_ROW(event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("architect.audit_trigger() must be fired FOR EACH ROW for INSERT, UPDATE and DELETE"),
				 errhint("Install it with architect.enable_audit().")));
	else if (TRIGGER_FIRED_BY_INSERT(event))
		op = 0;
	else if (TRIGGER_FIRED_BY_UPDATE(event))
		op = 1;
	else
		op = 2;

	entry = pga_audit_lookup(trigdata);
	if (entry->stale)
		return PointerGetDatum(NULL);

	memset(nulls, false, sizeof(nulls));
	nulls[PGA_LOG_OLD_DATA] = true;
	nulls[PGA_LOG_NEW_DATA] = true;

	switch (op)
	{
		case 0:					/* INSERT: the new row */
			slot_getallattrs(trigdata->tg_trigslot);
			values[PGA_LOG_NEW_DATA] =
				JsonbPGetDatum(pga_audit_object(entry, trigdata->tg_trigslot, NULL));
			nulls[PGA_LOG_NEW_DATA] = false;
			break;
		case 1:					/* UPDATE: what changed, and the key */
			{
				TupleTableSlot *oldslot = trigdata->tg_trigslot;
				TupleTableSlot *newslot = trigdata->tg_newslot;
				bool	   *changed = palloc(sizeof(bool) * Max(entry->ncols, 1));
				bool	   *oldwant = palloc(sizeof(bool) * Max(entry->ncols, 1));
				bool		any = false;
				int			i;

				slot_getallattrs(oldslot);
				slot_getallattrs(newslot);
				for (i = 0; i < entry->ncols; i++)
				{
					PgaAuditCol *col = &entry->cols[i];
					int			a = col->attnum - 1;

					changed[i] = !pga_audit_same(col,
												 oldslot->tts_values[a],
												 oldslot->tts_isnull[a],
												 newslot->tts_values[a],
												 newslot->tts_isnull[a]);
					any |= changed[i];
					oldwant[i] = changed[i] || col->pkey;
				}
				if (!any)
					return PointerGetDatum(NULL);	/* nothing logged changed */
				values[PGA_LOG_OLD_DATA] =
					JsonbPGetDatum(pga_audit_object(entry, oldslot, oldwant));
				values[PGA_LOG_NEW_DATA] =
					JsonbPGetDatum(pga_audit_object(entry, newslot, changed));
				nulls[PGA_LOG_OLD_DATA] = false;
				nulls[PGA_LOG_NEW_DATA] = false;
			}
			break;
		case 2:					/* DELETE: the old row */
			slot_getallattrs(trigdata->tg_trigslot);
			values[PGA_LOG_OLD_DATA] =
				JsonbPGetDatum(pga_audit_object(entry, trigdata->tg_trigslot, NULL));
			nulls[PGA_LOG_OLD_DATA] = false;
			break;
		default:				/* TRUNCATE: no rows */
			break;
	}

	if (!OidIsValid(pga_log_relid))
		pga_audit_find_log();
	if (pga_op_text[0] == (Datum) 0)
	{
		MemoryContext old = MemoryContextSwitchTo(pga_audit_cxt);

		pga_op_text[0] = PointerGetDatum(cstring_to_text("INSERT"));
		pga_op_text[1] = PointerGetDatum(cstring_to_text("UPDATE"));
		pga_op_text[2] = PointerGetDatum(cstring_to_text("DELETE"));
		pga_op_text[3] = PointerGetDatum(cstring_to_text("TRUNCATE"));
		MemoryContextSwitchTo(old);
	}

	ts = GetCurrentStatementStartTimestamp();
	values[PGA_LOG_ID] = Int64GetDatum(nextval_internal(pga_log_seqid, false));
	values[PGA_LOG_LOGGED_AT] = TimestampTzGetDatum(ts);
	values[PGA_LOG_TXID] = FullTransactionIdGetDatum(GetTopFullTransactionId());
	values[PGA_LOG_RELID] = ObjectIdGetDatum(entry->rootid);
	values[PGA_LOG_SCHEMA] = entry->schema_name;
	values[PGA_LOG_TABLE] = entry->table_name;
	values[PGA_LOG_PARTITION] = entry->partition_name;
	nulls[PGA_LOG_PARTITION] = (entry->partition_name == (Datum) 0);
	values[PGA_LOG_OPERATION] = pga_op_text[op];
	values[PGA_LOG_SESSION_ROLE] = pga_audit_role(GetSessionUserId(),
												  &pga_session_roleid,
												  &pga_session_rolename);
	values[PGA_LOG_ACTING_ROLE] = pga_audit_role(GetUserId(),
												 &pga_acting_roleid,
												 &pga_acting_rolename);

	setting = (pga_audit_user_setting && pga_audit_user_setting[0]) ?
		GetConfigOption(pga_audit_user_setting, true, false) : NULL;
	if (setting && setting[0])
		values[PGA_LOG_APP_USER] = PointerGetDatum(cstring_to_text(setting));
	else
		nulls[PGA_LOG_APP_USER] = true;

	values[PGA_LOG_CLIENT_ADDR] = pga_audit_client_addr(&nulls[PGA_LOG_CLIENT_ADDR]);

	if (application_name && application_name[0])
		values[PGA_LOG_APP_NAME] = PointerGetDatum(cstring_to_text(application_name));
	else
		nulls[PGA_LOG_APP_NAME] = true;

	if (entry->log_statement && debug_query_string)
		values[PGA_LOG_STATEMENT] = PointerGetDatum(cstring_to_text(debug_query_string));
	else
		nulls[PGA_LOG_STATEMENT] = true;

	pga_audit_insert(ts, values, nulls);

	return PointerGetDatum(NULL);
}
