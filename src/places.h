/*
 * places.h - where a label has been scanned lately, for the copied-label
 * warning of SPEC 5.0 and the clones report of SPEC 7.
 *
 * The place of a scan is the place an inspector gave, else, for a
 * consumer's scan, its client network (IPv4 /24, IPv6 /48); a scan with
 * neither has no place and proves nothing. A label's places are kept as
 * the PLACES_KEPT distinct places whose latest scans are the most recent,
 * each with the day of that scan: enough to tell whether PLACES_KEPT
 * places saw the label within any window that ends today, whatever order
 * the scans arrive in (a place pushed out had at least PLACES_KEPT places
 * seen on its day or later, and those only move later).
 */
#ifndef OCOP_PLACES_H
#define OCOP_PLACES_H

#include <stddef.h>
#include <stdint.h>

#include "ocop.h"

/* The clones report's defaults (--min-places, --window-days), which the
 * consumer page uses. */
#define PLACES_MIN_DEFAULT 3
#define PLACES_WINDOW_DAYS_DEFAULT 7
#define PLACES_KEPT PLACES_MIN_DEFAULT

struct places_seen {
	uint64_t key; /* places_key; never 0 */
	int32_t day;  /* day of its latest scan */
};

struct places {
	int n;
	struct places_seen p[PLACES_KEPT];
};

/* Bytes of the stored form of n entries (12 each, little-endian). */
#define PLACES_ENTRY_BYTES 12
#define PLACES_BLOB_MAX (PLACES_KEPT * PLACES_ENTRY_BYTES)

/* The name of a scan's place (an inspector's place, else a consumer's
 * network), or NULL when it has none. Points into s. */
const char *places_name(const struct ocop_scan *s);

/* A 64-bit key for a place name (never 0); 0 for NULL. */
uint64_t places_key(const char *name);

/* Record a scan of place key on day: its day moves later, or it joins,
 * pushing out the place seen longest ago. key 0 changes nothing. */
void places_add(struct places *p, uint64_t key, int32_t day);

/* Add every place of b to a. */
void places_merge(struct places *a, const struct places *b);

/* The stored form: out of PLACES_BLOB_MAX bytes; returns its length. */
size_t places_encode(const struct places *p, unsigned char *out);
/* Read the stored form (NULL or a length that is not a whole number of
 * entries: none); merges into p, which the caller initialised. */
void places_decode(struct places *p, const void *blob, size_t len);

/* How many distinct places saw the label within the window_days days
 * that end on day (day - window_days + 1 .. day). Only min(PLACES_KEPT,
 * the truth) can be told: compare with at most PLACES_KEPT. */
int places_within(const struct places *p, int32_t day, int window_days);

/* The copied-label warning of SPEC 5.0: at least PLACES_MIN_DEFAULT
 * places within the PLACES_WINDOW_DAYS_DEFAULT days that end on day. */
int places_suspect(const struct places *p, int32_t day);

#endif
