/*
 * store_sqlite_labels.c - the labels methods of the SQLite engine.
 */
#include "store_sqlite.h"
int
sq_batch_add(struct ocop_store *a0, struct ocop_batch *a1, struct ocop_error *a2)
{
	(void)a0;
	(void)a1;
	return ocop_error_set(a2, OCOP_EINTERNAL, "batch_add: not implemented");
}

int
sq_label_add(struct ocop_store *a0, struct ocop_label *a1, struct ocop_error *a2)
{
	(void)a0;
	(void)a1;
	return ocop_error_set(a2, OCOP_EINTERNAL, "label_add: not implemented");
}

int
sq_label_get(struct ocop_store *a0, const char *a1, struct ocop_label *a2, struct ocop_error *a3)
{
	(void)a0;
	(void)a1;
	(void)a2;
	return ocop_error_set(a3, OCOP_EINTERNAL, "label_get: not implemented");
}

int
sq_batch_get(struct ocop_store *a0, int64_t a1, struct ocop_batch *a2, struct ocop_error *a3)
{
	(void)a0;
	(void)a1;
	(void)a2;
	return ocop_error_set(a3, OCOP_EINTERNAL, "batch_get: not implemented");
}

int
sq_label_void(struct ocop_store *a0, const char *a1, int64_t a2, const char *a3, struct ocop_error *a4)
{
	(void)a0;
	(void)a1;
	(void)a2;
	(void)a3;
	return ocop_error_set(a4, OCOP_EINTERNAL, "label_void: not implemented");
}

int
sq_batch_void(struct ocop_store *a0, int64_t a1, int64_t a2, const char *a3, struct ocop_error *a4)
{
	(void)a0;
	(void)a1;
	(void)a2;
	(void)a3;
	return ocop_error_set(a4, OCOP_EINTERNAL, "batch_void: not implemented");
}

int
sq_label_each_in_batch(struct ocop_store *a0, int64_t a1, store_label_cb a2, void *a3, struct ocop_error *a4)
{
	(void)a0;
	(void)a1;
	(void)a2;
	(void)a3;
	return ocop_error_set(a4, OCOP_EINTERNAL, "label_each_in_batch: not implemented");
}

int
sq_label_count_for_product(struct ocop_store *a0, int64_t a1, int64_t *a2, struct ocop_error *a3)
{
	(void)a0;
	(void)a1;
	(void)a2;
	return ocop_error_set(a3, OCOP_EINTERNAL, "label_count_for_product: not implemented");
}
