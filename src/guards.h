/*-------------------------------------------------------------------------
 *
 * guards.h
 *	  Declarations shared by the guard modules: audit (audit.c,
 *	  audit_admin.c), updated_at (touch.c), soft delete (softdelete.c) and
 *	  row-level security (rls.c), plus the helpers in guards.c that they all
 *	  use to validate a table, run DDL safely and read trigger arguments.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGA_GUARDS_H
#define PGA_GUARDS_H

#include "postgres.h"

#include "access/tupdesc.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/hsearch.h"
#include "utils/relcache.h"

/* Names of the triggers the guards install (one of each per table). */
#define PGA_AUDIT_TRIGGER		"architect_audit"
#define PGA_AUDIT_TRUNC_TRIGGER "architect_audit_truncate"
#define PGA_TOUCH_TRIGGER		"architect_updated_at"
#define PGA_SOFTDEL_TRIGGER		"architect_soft_delete"

/* The audit log and its sequence, in schema architect. */
#define PGA_SCHEMA				"architect"
#define PGA_AUDIT_LOG			"audit_log"
#define PGA_AUDIT_LOG_SEQ		"audit_log_id_seq"

/*
 * Version tag written as the first argument of every guard trigger, so that
 * a later release can tell how the remaining arguments are laid out.
 */
#define PGA_TRIGGER_ARGS_VERSION "v1"

/* Marker at the start of comments on objects the guards create. */
#define PGA_COMMENT_MARKER		"pg_architect:"

/*
 * State of a guard DDL section, see pga_guard_begin().
 */
typedef struct PgaGuardDDL
{
	int			guc_nest;		/* GUC nest level of our local settings */
	bool		spi_connected;	/* SPI_connect() done */
} PgaGuardDDL;

/*
 * A guard's per-backend cache of what its trigger needs about a table,
 * keyed by trigger OID (guards.c).  Every entry starts with a
 * PgaGuardCacheEntry; a relcache invalidation of the table marks it
 * invalid, and the next lookup asks the guard to rebuild it.
 */
typedef struct PgaGuardCacheEntry
{
	Oid			tgoid;			/* hash key: the trigger */
	bool		valid;			/* false after a relcache invalidation */
	Oid			relid;			/* table the trigger fires on */
} PgaGuardCacheEntry;

typedef struct PgaGuardCache
{
	const char *name;			/* of the hash table */
	Size		entrysize;		/* of the guard's entry struct */
	HTAB	   *htab;			/* NULL until first used */
} PgaGuardCache;

/* guards.c */
extern PgaGuardCacheEntry *pga_guard_cache_lookup(PgaGuardCache *cache,
												  TriggerData *trigdata,
												  bool *rebuild);
extern void pga_guard_check_before_row(FunctionCallInfo fcinfo,
									   const char *fname,
									   const char *enable_fn,
									   const char *what);
extern void pga_guard_begin(PgaGuardDDL *ddl);
extern void pga_guard_end(PgaGuardDDL *ddl);
extern void pga_guard_exec(const char *sql);
extern void pga_guard_alter(Relation *relp, const char *sql);
extern Relation pga_guard_open_table(Datum relid_datum, bool isnull,
									 const char *guard, LOCKMODE lockmode);
extern char *pga_guard_table_name(Relation rel);
extern AttrNumber pga_guard_column(Relation rel, const char *colname,
								   const char *guard, bool missing_ok);
extern bool pga_guard_is_timestamp_type(Oid typid);
extern Oid	pga_guard_find_trigger(Oid relid, const char *tgname,
								   Oid *tgfoid);
extern Oid	pga_guard_function_oid(const char *fname);
extern void pga_guard_refuse_foreign_trigger(Relation rel, const char *tgname,
											 const char *fname);
extern void pga_guard_check_partition_tree(Relation rel, const char *tgname,
										   const char *guard);
extern void pga_guard_append_column_arg(StringInfo buf, const char *key,
										Relation rel, AttrNumber attnum);
extern bool pga_guard_parse_column_arg(const char *arg, const char *key,
									   AttrNumber *attnum,
									   const char **name);
extern AttrNumber pga_guard_resolve_column(TupleDesc tupdesc,
										   AttrNumber attnum,
										   const char *name);
extern Oid	pga_guard_trigger_root(Oid tgoid, Oid relid);
extern bool pga_guard_drop_trigger(Relation rel, const char *tgname,
								   const char *fname, const char *guard);

extern void pga_guard_register_callbacks(void);

/* rls_index.c */
extern int64 pga_rls_build_index(Relation *relp, AttrNumber attnum,
								 const char *kind, char **index_name);
extern bool pga_rls_jobs_active(List *jobs);
extern void pga_rls_cancel_jobs(List *jobs);
extern int	pga_rls_drop_indexes(Relation *relp, List *jobs);

/* guards_ddl.c */
extern bool pga_guard_cascading;

/* audit_admin.c */
extern bool pga_audit_trigger_has_arg(Trigger *trigger, const char *arg);
extern Oid	pga_audit_guard_root(Relation rel, bool *log_statement);
extern void pga_audit_cover_partitions(Oid relid);

/* audit.c */
extern bool pga_audit_purge_in_progress;
extern void pga_audit_invalidate(Oid relid);
extern void pga_audit_invalidate_names(void);

#endif							/* PGA_GUARDS_H */
