/*-------------------------------------------------------------------------
 *
 * history.c
 *	  Scheduling pg_architect's history with pg_cron, and the nightly
 *	  advisor record.
 *
 * architect.snapshot() and architect.purge_history() are SQL functions
 * (src/sql/50_health_02_history.sql); this file holds what SQL cannot say
 * well:
 *
 *	schedule()		creates or updates the pg_cron jobs of one database:
 *					pg_architect_snapshot_<db> (every snapshot_every),
 *					pg_architect_purge_<db> (daily, deletes history older
 *					than retention) and, when asked, pg_architect_advisor_<db>
 *					(nightly, records the index recommendations);
 *	unschedule()	removes exactly those jobs of that database;
 *	snapshot_recommendations()  the nightly advisor job's body.
 *
 * pg_cron keeps its jobs in the one database named by cron.database_name;
 * jobs for other databases are made there with cron.schedule_in_database().
 * So schedule() must run in the pg_cron database; elsewhere it explains
 * what to run there.  pg_cron 1.4 schedules at minute granularity (1.5 and
 * later also understands "N seconds"); an interval is turned into a cron
 * expression only when it divides an hour or a day evenly, so that the
 * snapshots are evenly spaced.
 *
 * Everything goes through SPI with the caller's privileges; pg_cron itself
 * decides who may schedule what.  No shared state is touched.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "commands/dbcommands.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#include "health.h"
#include "pg_architect.h"

PG_FUNCTION_INFO_V1(pga_require_primary_sql);
PG_FUNCTION_INFO_V1(pga_schedule);
PG_FUNCTION_INFO_V1(pga_unschedule);
PG_FUNCTION_INFO_V1(pga_snapshot_recommendations);

/* Time of day of the daily purge and of the nightly advisor run. */
#define PGA_PURGE_SCHEDULE		"17 3 * * *"
#define PGA_ADVISOR_SCHEDULE	"37 2 * * *"

/*
 * architect.require_primary(what text)
 *		SQL-callable pga_require_primary(), for the SQL functions that write.
 */
Datum
pga_require_primary_sql(PG_FUNCTION_ARGS)
{
	pga_require_primary(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	PG_RETURN_VOID();
}

/*
 * pga_cron_version
 *		Version of the pg_cron extension installed in this database, NULL
 *		when it is not.  Caller must be connected to SPI.
 */
static char *
pga_cron_version(void)
{
	if (SPI_execute("SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'pg_cron'",
					true, 1) != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute failed");
	if (SPI_processed != 1)
		return NULL;
	return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
}

/*
 * pga_check_cron
 *		Make sure pg_cron can take jobs from this session for "target":
 *		loaded, installed here, and this is its database.  Returns its
 *		extension version.  Raises SQLSTATE 55000 with a hint otherwise.
 *		Caller must be connected to SPI.
 */
static char *
pga_check_cron(const char *what, const char *target)
{
	const char *crondb;
	char	   *version;
	const char *here = get_database_name(MyDatabaseId);

	/* pg_cron defines cron.database_name when it is loaded at startup */
	if (GetConfigOption("cron.database_name", true, false) == NULL ||
		(GetConfigOptionFlags("cron.database_name", true) & GUC_CUSTOM_PLACEHOLDER) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("%s needs pg_cron, which is not loaded", what),
				 errdetail("pg_cron runs the snapshot and purge jobs; it must be in shared_preload_libraries."),
				 errhint("Add pg_cron to shared_preload_libraries, set cron.database_name, restart the server, and run CREATE EXTENSION pg_cron in that database.")));
	crondb = GetConfigOption("cron.database_name", false, false);

	if (strcmp(crondb, here) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("pg_cron keeps its jobs in database \"%s\", not in \"%s\"", crondb, here),
				 errdetail("pg_cron jobs are created in the database named by cron.database_name and run in other databases through cron.schedule_in_database()."),
				 errhint("Connect to database \"%s\", install pg_architect there, and run SELECT architect.schedule(database => %s); or there, run SELECT cron.schedule_in_database('pg_architect_snapshot_%s', '*/5 * * * *', 'SELECT architect.snapshot()', %s);",
						 crondb, quote_literal_cstr(target), target, quote_literal_cstr(target))));

	version = pga_cron_version();
	if (version == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("%s needs the pg_cron extension, which is not installed in this database", what),
				 errhint("Run CREATE EXTENSION pg_cron;")));
	return version;
}

/*
 * pga_cron_at_least
 *		True when the pg_cron version string is at least major.minor.
 */
static bool
pga_cron_at_least(const char *version, int major, int minor)
{
	int			ma = 0,
				mi = 0;

	if (sscanf(version, "%d.%d", &ma, &mi) < 1)
		return false;
	return ma > major || (ma == major && mi >= minor);
}

/*
 * pga_interval_to_cron
 *		The cron schedule that runs every "every", or an error (22023) when
 *		pg_cron cannot run at that rhythm evenly.
 */
static char *
pga_interval_to_cron(Interval *every, const char *cron_version)
{
	int64		usecs;
	int64		secs;
	int64		minutes;

	if (every->month != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("snapshot interval must not contain months or years"),
				 errhint("Use minutes, hours or one day, e.g. '5 minutes', '1 hour', '1 day'.")));
	usecs = every->time + (int64) every->day * USECS_PER_DAY;
	if (usecs <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("snapshot interval must be positive")));
	if (usecs % USECS_PER_SEC != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("snapshot interval must be a whole number of seconds")));
	secs = usecs / USECS_PER_SEC;

	if (secs < 60)
	{
		if (pga_cron_at_least(cron_version, 1, 5))
			return psprintf(INT64_FORMAT " seconds", secs);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("pg_cron %s cannot run jobs more often than once a minute", cron_version),
				 errhint("Use an interval of at least '1 minute' (pg_cron 1.5 and later accept seconds).")));
	}
	if (secs % 60 != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("snapshot interval must be a whole number of minutes"),
				 errhint("pg_cron schedules at minute granularity; use e.g. '1 minute', '5 minutes', '1 hour'.")));
	minutes = secs / 60;

	if (minutes == 1)
		return pstrdup("* * * * *");
	if (minutes < 60 && 60 % minutes == 0)
		return psprintf("*/" INT64_FORMAT " * * * *", minutes);
	if (minutes == 60)
		return pstrdup("0 * * * *");
	if (minutes % 60 == 0 && minutes < 24 * 60 && (24 * 60) % minutes == 0)
		return psprintf("0 */" INT64_FORMAT " * * *", minutes / 60);
	if (minutes == 24 * 60)
		return pstrdup("0 0 * * *");

	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("snapshot interval of " INT64_FORMAT " minutes does not divide an hour or a day evenly", minutes),
			 errhint("Use 1, 2, 3, 4, 5, 6, 10, 12, 15, 20 or 30 minutes, or 1, 2, 3, 4, 6, 8 or 12 hours, or 1 day.")));
	return NULL;				/* keep the compiler quiet */
}

/*
 * pga_job_name
 *		Name of one of pg_architect's jobs for a database.
 */
static char *
pga_job_name(const char *kind, const char *dbname)
{
	return psprintf("pg_architect_%s_%s", kind, dbname);
}

/*
 * pga_cron_put
 *		Create or update one named job (pg_cron upserts by name and user).
 */
static void
pga_cron_put(const char *jobname, const char *schedule, const char *command,
			 const char *dbname, bool here)
{
	Oid			argtypes[4] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID};
	Datum		args[4];
	const char *sql;

	args[0] = CStringGetTextDatum(jobname);
	args[1] = CStringGetTextDatum(schedule);
	args[2] = CStringGetTextDatum(command);
	args[3] = CStringGetTextDatum(dbname);
	sql = here ? "SELECT cron.schedule($1, $2, $3)"
		: "SELECT cron.schedule_in_database($1, $2, $3, $4)";
	if (SPI_execute_with_args(sql, here ? 3 : 4, argtypes, args, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed: %s", sql);
}

/*
 * pga_cron_drop
 *		Remove the jobs of the given kinds for a database (by job id, so
 *		that jobs of the same name made by other users for other databases
 *		stay).  Returns how many went.
 */
static int64
pga_cron_drop(const char *dbname, const char *const *kinds, int nkinds)
{
	int64		dropped = 0;

	for (int i = 0; i < nkinds; i++)
	{
		Oid			argtypes[2] = {TEXTOID, TEXTOID};
		Datum		args[2];

		args[0] = CStringGetTextDatum(pga_job_name(kinds[i], dbname));
		args[1] = CStringGetTextDatum(dbname);
		if (SPI_execute_with_args("SELECT cron.unschedule(jobid) FROM cron.job "
								  "WHERE jobname = $1 AND database = $2",
								  2, argtypes, args, NULL, false, 0) != SPI_OK_SELECT)
			elog(ERROR, "SPI_execute_with_args failed");
		dropped += SPI_processed;
	}
	return dropped;
}

/*
 * pga_target_database
 *		The database argument, or the current database when NULL.  A named
 *		database must exist.
 */
static char *
pga_target_database(FunctionCallInfo fcinfo, int argno)
{
	char	   *dbname;

	if (PG_ARGISNULL(argno))
		return get_database_name(MyDatabaseId);
	dbname = NameStr(*PG_GETARG_NAME(argno));
	if (!OidIsValid(get_database_oid(dbname, true)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_DATABASE),
				 errmsg("database \"%s\" does not exist", dbname),
				 errhint("Pass the name of an existing database, or NULL for the current one.")));
	return pstrdup(dbname);
}

/*
 * architect.schedule(snapshot_every interval, retention interval,
 *					  nightly_advisor boolean, database name)
 *		Create or update pg_architect's pg_cron jobs for a database and
 *		return them.
 */
Datum
pga_schedule(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Interval   *every;
	Interval   *retention;
	bool		nightly_advisor;
	char	   *dbname;
	char	   *here;
	char	   *cron_version;
	char	   *cron_expr;
	char	   *retention_text;
	bool		same_db;
	static const char *const advisor_kind[] = {"advisor"};
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];

	pga_require_primary("architect.schedule()");
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("snapshot_every, retention and nightly_advisor must not be NULL"),
				 errhint("Leave them out to get the defaults: every 5 minutes, kept 14 days, no advisor job.")));
	every = PG_GETARG_INTERVAL_P(0);
	retention = PG_GETARG_INTERVAL_P(1);
	nightly_advisor = PG_GETARG_BOOL(2);
	dbname = pga_target_database(fcinfo, 3);
	here = get_database_name(MyDatabaseId);
	same_db = (strcmp(dbname, here) == 0);

	if (retention->month < 0 || retention->day < 0 || retention->time < 0 ||
		(retention->month == 0 && retention->day == 0 && retention->time == 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retention must be positive"),
				 errhint("Use an interval such as '14 days'.")));

	pga_init_materialized_srf(fcinfo, MAT_SRF_USE_EXPECTED_DESC);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	cron_version = pga_check_cron("architect.schedule()", dbname);
	cron_expr = pga_interval_to_cron(every, cron_version);

	if (nightly_advisor && same_db &&
		!OidIsValid(pga_regprocedure("architect.recommend_indexes(double precision,integer)")))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the index advisor is not installed"),
				 errdetail("The nightly advisor job records architect.recommend_indexes(), which this version of pg_architect does not have."),
				 errhint("Call architect.schedule() with nightly_advisor => false.")));

	/* written out in a form that reads the same under every IntervalStyle */
	if (retention->time == 0)
		retention_text = psprintf("%d days", retention->month * DAYS_PER_MONTH + retention->day);
	else
		retention_text = psprintf(INT64_FORMAT " seconds",
								  ((int64) retention->month * DAYS_PER_MONTH + retention->day) * SECS_PER_DAY +
								  retention->time / USECS_PER_SEC);

	pga_cron_put(pga_job_name("snapshot", dbname), cron_expr,
				 "SELECT architect.snapshot()", dbname, same_db);
	pga_cron_put(pga_job_name("purge", dbname), PGA_PURGE_SCHEDULE,
				 psprintf("SELECT architect.purge_history(%s::interval)",
						  quote_literal_cstr(retention_text)),
				 dbname, same_db);
	if (nightly_advisor)
		pga_cron_put(pga_job_name("advisor", dbname), PGA_ADVISOR_SCHEDULE,
					 "SELECT architect.snapshot_recommendations()", dbname, same_db);
	else
		pga_cron_drop(dbname, advisor_kind, 1);

	/* what is scheduled now */
	args[0] = CStringGetTextDatum(dbname);
	if (SPI_execute_with_args("SELECT jobid::bigint, jobname::text, schedule::text, command::text, database::text FROM cron.job "
							  "WHERE database = $1 AND jobname IN ("
							  "'pg_architect_snapshot_' || $1, 'pg_architect_purge_' || $1, "
							  "'pg_architect_advisor_' || $1) ORDER BY jobid",
							  1, argtypes, args, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed");
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		Datum		values[5];
		bool		nulls[5];

		for (int c = 0; c < 5; c++)
			values[c] = SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, c + 1, &nulls[c]);
		/* jobid is bigint in pg_cron; the other columns are text */
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}

	SPI_finish();
	return (Datum) 0;
}

/*
 * architect.unschedule(database name)
 *		Remove pg_architect's jobs of a database; return how many went.
 */
Datum
pga_unschedule(PG_FUNCTION_ARGS)
{
	static const char *const kinds[] = {"snapshot", "purge", "advisor"};
	char	   *dbname;
	int64		dropped;

	pga_require_primary("architect.unschedule()");
	dbname = pga_target_database(fcinfo, 0);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	(void) pga_check_cron("architect.unschedule()", dbname);
	dropped = pga_cron_drop(dbname, kinds, lengthof(kinds));
	SPI_finish();

	PG_RETURN_INT64(dropped);
}

/*
 * architect.snapshot_recommendations()
 *		Record the index advisor's current recommendations; return how many.
 */
Datum
pga_snapshot_recommendations(PG_FUNCTION_ARGS)
{
	int64		n;

	pga_require_primary("architect.snapshot_recommendations()");
	if (!OidIsValid(pga_regprocedure("architect.recommend_indexes(double precision,integer)")))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the index advisor is not installed"),
				 errdetail("architect.recommend_indexes() does not exist in this database."),
				 errhint("Install a version of pg_architect with the index advisor, or unschedule the advisor job.")));

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute("INSERT INTO architect.recommendation_history "
					"(rank, schema_name, table_name, index_name, ddl, estimated_size_bytes, "
					" benefit, improvement_pct, reason) "
					"SELECT r.rank, r.schema_name, r.table_name, r.index_name, r.ddl, "
					"       r.estimated_size_bytes, r.benefit, r.improvement_pct, r.reason "
					"FROM architect.recommend_indexes() r",
					false, 0) != SPI_OK_INSERT)
		elog(ERROR, "SPI_execute failed");
	n = (int64) SPI_processed;
	SPI_finish();

	PG_RETURN_INT64(n);
}
