/*
 * assets.h - the files of assets/, compiled into the binary by src/embed.sh.
 * Data is NUL-terminated (len excludes the NUL). Static; never freed.
 */
#ifndef OCOP_ASSETS_H
#define OCOP_ASSETS_H

#include <stddef.h>

struct ocop_asset {
	const char *name; /* path below assets/, e.g. "migrations/sqlite/0001_init.sql" */
	const char *data;
	size_t len;
};

extern const struct ocop_asset ocop_assets[]; /* ends with name == NULL */

/* The asset with that name, or NULL. */
const struct ocop_asset *assets_find(const char *name);

#endif
