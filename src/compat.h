/*-------------------------------------------------------------------------
 *
 * compat.h
 *	  The one place where pg_architect bends to a PostgreSQL version.
 *
 * pg_architect targets PostgreSQL 15.  Calls whose name or signature
 * differs between major versions are wrapped here behind PG_VERSION_NUM
 * checks, so that the rest of the code is written against one API and a
 * port to another version touches this file only.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGA_COMPAT_H
#define PGA_COMPAT_H

#include "postgres.h"

#if PG_VERSION_NUM < 150000
#error "pg_architect requires PostgreSQL 15 or later"
#endif

/*
 * MarkGUCPrefixReserved() replaced EmitWarningsOnPlaceholders() in 15; keep
 * one spelling in the code.
 */
#define pga_reserve_guc_prefix(prefix) MarkGUCPrefixReserved(prefix)

/*
 * InitMaterializedSRF() exists from 15 (it was SetSingleFuncCall() in an
 * early 15 beta).  Flags: MAT_SRF_USE_EXPECTED_DESC, MAT_SRF_BLESS.
 */
#define pga_init_materialized_srf(fcinfo, flags) \
	InitMaterializedSRF((fcinfo), (flags))

/*
 * A column's statistics target as ALTER TABLE ... SET STATISTICS left it
 * (-1: default_statistics_target).  It is in the tuple descriptor up to 16;
 * 17 moved it out, and there the default is assumed.
 */
#if PG_VERSION_NUM < 170000
#define pga_attstattarget(att) ((int) (att)->attstattarget)
#else
#define pga_attstattarget(att) (-1)
#endif

/*
 * The table AM's ANALYZE scan: 17 reads blocks through a read stream
 * instead of being handed a block number; port
 * indexsize_distinct.c's block sample with it.
 */
#if PG_VERSION_NUM >= 170000
#error "port indexsize_distinct.c's block sample to the read stream API of 17"
#endif

#endif							/* PGA_COMPAT_H */
