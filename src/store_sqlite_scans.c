/*
 * store_sqlite_scans.c - the scans methods of the SQLite engine.
 */
#include "store_sqlite.h"
int
sq_scan_add(struct ocop_store *a0, struct ocop_scan *a1, int *a2, struct ocop_error *a3)
{
	(void)a0;
	(void)a1;
	(void)a2;
	return ocop_error_set(a3, OCOP_EINTERNAL, "scan_add: not implemented");
}

int
sq_scan_stats(struct ocop_store *a0, int64_t a1, int64_t *a2, int64_t *a3, struct ocop_error *a4)
{
	(void)a0;
	(void)a1;
	(void)a2;
	(void)a3;
	return ocop_error_set(a4, OCOP_EINTERNAL, "scan_stats: not implemented");
}

int
sq_scan_each(struct ocop_store *a0, int64_t a1, int64_t a2, store_scan_cb a3, void *a4, struct ocop_error *a5)
{
	(void)a0;
	(void)a1;
	(void)a2;
	(void)a3;
	(void)a4;
	return ocop_error_set(a5, OCOP_EINTERNAL, "scan_each: not implemented");
}
