/*
 * label.h - label content: the base URL and the URL a label's QR carries.
 * (Issuing batches and rendering live in label.c and render_*.c.)
 */
#ifndef OCOP_LABEL_H
#define OCOP_LABEL_H

#include <stddef.h>

#include "ocop.h"

#define LABEL_DEFAULT_BASE_URL "http://localhost:8080"

/* Validate scheme://host[:port] (http or https, no path, query, user);
 * writes it lower-cased without a trailing slash. OCOP_EINVAL otherwise. */
int label_base_url_normalize(const char *in, char *out, size_t size,
			     struct ocop_error *err);

/* The QR content, upper case: {BASE}/L/{SERIAL} without a GTIN, else
 * {BASE}/01/{GTIN14}[/10/{LOT}]/21/{SERIAL}. lot and gtin14 may be "" or
 * NULL. Returns the length, or -1 when out is too small. */
int label_url(const char *base, const char *gtin14, const char *lot,
	      const char *serial, char *out, size_t size);

#endif
