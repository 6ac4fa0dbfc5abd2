/*
 * places.c - a label's most recent distinct places (places.h).
 */
#include <string.h>

#include "places.h"

const char *
places_name(const struct ocop_scan *s)
{
	if (s->place[0])
		return s->place;
	if (s->source == OCOP_SCAN_CONSUMER && s->net[0])
		return s->net;
	return NULL;
}

uint64_t
places_key(const char *name)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	if (!name)
		return 0;
	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 1099511628211ULL;
	return h ? h : 1;
}

void
places_add(struct places *p, uint64_t key, int32_t day)
{
	int oldest = 0;

	if (!key || day == OCOP_NO_DAY)
		return;
	for (int i = 0; i < p->n; i++) {
		if (p->p[i].key == key) {
			if (day > p->p[i].day)
				p->p[i].day = day;
			return;
		}
		if (p->p[i].day < p->p[oldest].day)
			oldest = i;
	}
	if (p->n < PLACES_KEPT) {
		p->p[p->n].key = key;
		p->p[p->n].day = day;
		p->n++;
		return;
	}
	if (day > p->p[oldest].day) {
		p->p[oldest].key = key;
		p->p[oldest].day = day;
	}
}

void
places_merge(struct places *a, const struct places *b)
{
	for (int i = 0; i < b->n; i++)
		places_add(a, b->p[i].key, b->p[i].day);
}

size_t
places_encode(const struct places *p, unsigned char *out)
{
	size_t len = 0;

	for (int i = 0; i < p->n; i++) {
		uint64_t k = p->p[i].key;
		uint32_t d = (uint32_t)p->p[i].day;

		for (int b = 0; b < 8; b++)
			out[len++] = (unsigned char)(k >> (8 * b));
		for (int b = 0; b < 4; b++)
			out[len++] = (unsigned char)(d >> (8 * b));
	}
	return len;
}

void
places_decode(struct places *p, const void *blob, size_t len)
{
	const unsigned char *s = blob;

	if (!s || len % PLACES_ENTRY_BYTES != 0)
		return;
	for (size_t off = 0; off < len; off += PLACES_ENTRY_BYTES) {
		uint64_t k = 0;
		uint32_t d = 0;

		for (int b = 0; b < 8; b++)
			k |= (uint64_t)s[off + (size_t)b] << (8 * b);
		for (int b = 0; b < 4; b++)
			d |= (uint32_t)s[off + 8 + (size_t)b] << (8 * b);
		places_add(p, k, (int32_t)d);
	}
}

int
places_within(const struct places *p, int32_t day, int window_days)
{
	int n = 0;

	for (int i = 0; i < p->n; i++)
		if (p->p[i].day <= day && p->p[i].day > day - window_days)
			n++;
	return n;
}

int
places_suspect(const struct places *p, int32_t day)
{
	return places_within(p, day, PLACES_WINDOW_DAYS_DEFAULT) >=
	       PLACES_MIN_DEFAULT;
}
