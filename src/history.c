/*
 * history.c - a product's history as plain data (struct ocop_history) and
 * the names of revocation grounds. The rules that read a history live in
 * validity.c.
 */
#include <stdlib.h>
#include <string.h>

#include "ocop.h"

/* Indexed by enum ocop_ground. */
static const char *const ground_names[] = {
    NULL, "a", "b", "c", "d", "dd", "e", "lapsed",
};

const char *
ocop_ground_name(enum ocop_ground g)
{
	if ((int)g <= 0 ||
	    (size_t)g >= sizeof(ground_names) / sizeof(ground_names[0]))
		return NULL;
	return ground_names[g];
}

int
ocop_ground_parse(const char *s, enum ocop_ground *g)
{
	if (!s)
		return OCOP_EINVAL;
	/* the decree writes ground dd as "đ" */
	if (strcmp(s, "\xc4\x91") == 0 || strcmp(s, "\xc4\x90") == 0) {
		*g = OCOP_GROUND_DD;
		return 0;
	}
	for (size_t i = 1; i < sizeof(ground_names) / sizeof(ground_names[0]);
	     i++) {
		if (strcmp(s, ground_names[i]) == 0) {
			*g = (enum ocop_ground)i;
			return 0;
		}
	}
	return OCOP_EINVAL;
}

void
ocop_history_init(struct ocop_history *h)
{
	memset(h, 0, sizeof(*h));
}

void
ocop_history_release(struct ocop_history *h)
{
	free(h->recs);
	free(h->revs);
	ocop_history_init(h);
}

/* Room for one more element of size in *arr holding n; the capacity is a
 * power of two, so it is derived from n and needs no field of its own. */
static void *
grow(void *arr, size_t n, size_t size)
{
	size_t cap = 4;

	if (n < cap)
		return n == 0 ? ocop_xmalloc(cap * size) : arr;
	while (cap < n)
		cap *= 2;
	if (n < cap)
		return arr;
	return ocop_xrealloc(arr, cap * 2 * size);
}

void
ocop_history_add_recognition(struct ocop_history *h,
			     const struct ocop_recognition *r)
{
	h->recs = grow(h->recs, h->nrecs, sizeof(*h->recs));
	h->recs[h->nrecs++] = *r;
}

void
ocop_history_add_revocation(struct ocop_history *h,
			    const struct ocop_revocation *r)
{
	h->revs = grow(h->revs, h->nrevs, sizeof(*h->revs));
	h->revs[h->nrevs++] = *r;
}
