/*
 * store_sqlite_tokens.c - the tokens methods of the SQLite engine.
 */
#include "store_sqlite.h"
int
sq_token_add(struct ocop_store *a0, const unsigned char *a1, size_t a2, enum ocop_role a3, int64_t a4, struct ocop_error *a5)
{
	(void)a0;
	(void)a1;
	(void)a2;
	(void)a3;
	(void)a4;
	return ocop_error_set(a5, OCOP_EINTERNAL, "token_add: not implemented");
}

int
sq_token_find(struct ocop_store *a0, const unsigned char *a1, size_t a2, enum ocop_role *a3, int64_t *a4, struct ocop_error *a5)
{
	(void)a0;
	(void)a1;
	(void)a2;
	(void)a3;
	(void)a4;
	return ocop_error_set(a5, OCOP_EINTERNAL, "token_find: not implemented");
}
