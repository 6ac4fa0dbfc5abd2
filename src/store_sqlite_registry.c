/*
 * store_sqlite_registry.c - the registry methods of the SQLite engine.
 */
#include "store_sqlite.h"
int
sq_product_put(struct ocop_store *a0, struct ocop_product *a1, int *a2, struct ocop_error *a3)
{
	(void)a0;
	(void)a1;
	(void)a2;
	return ocop_error_set(a3, OCOP_EINTERNAL, "product_put: not implemented");
}

int
sq_product_get(struct ocop_store *a0, const char *a1, struct ocop_product *a2, struct ocop_error *a3)
{
	(void)a0;
	(void)a1;
	(void)a2;
	return ocop_error_set(a3, OCOP_EINTERNAL, "product_get: not implemented");
}

int
sq_product_get_by_id(struct ocop_store *a0, int64_t a1, struct ocop_product *a2, struct ocop_error *a3)
{
	(void)a0;
	(void)a1;
	(void)a2;
	return ocop_error_set(a3, OCOP_EINTERNAL, "product_get_by_id: not implemented");
}

int
sq_product_get_by_gtin(struct ocop_store *a0, const char *a1, struct ocop_product *a2, struct ocop_error *a3)
{
	(void)a0;
	(void)a1;
	(void)a2;
	return ocop_error_set(a3, OCOP_EINTERNAL, "product_get_by_gtin: not implemented");
}

int
sq_product_each(struct ocop_store *a0, store_product_cb a1, void *a2, struct ocop_error *a3)
{
	(void)a0;
	(void)a1;
	(void)a2;
	return ocop_error_set(a3, OCOP_EINTERNAL, "product_each: not implemented");
}

int
sq_recognition_add(struct ocop_store *a0, int64_t a1, struct ocop_recognition *a2, int *a3, struct ocop_error *a4)
{
	(void)a0;
	(void)a1;
	(void)a2;
	(void)a3;
	return ocop_error_set(a4, OCOP_EINTERNAL, "recognition_add: not implemented");
}

int
sq_extension_add(struct ocop_store *a0, int64_t a1, int32_t a2, const char *a3, struct ocop_error *a4)
{
	(void)a0;
	(void)a1;
	(void)a2;
	(void)a3;
	return ocop_error_set(a4, OCOP_EINTERNAL, "extension_add: not implemented");
}

int
sq_revocation_add(struct ocop_store *a0, int64_t a1, struct ocop_revocation *a2, int *a3, struct ocop_error *a4)
{
	(void)a0;
	(void)a1;
	(void)a2;
	(void)a3;
	return ocop_error_set(a4, OCOP_EINTERNAL, "revocation_add: not implemented");
}

int
sq_history_get(struct ocop_store *a0, int64_t a1, struct ocop_history *a2, struct ocop_error *a3)
{
	(void)a0;
	(void)a1;
	(void)a2;
	return ocop_error_set(a3, OCOP_EINTERNAL, "history_get: not implemented");
}
