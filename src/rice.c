/*
 * rice.c - Golomb-Rice coding of sorted sets (see rice.h).
 */
#include <math.h>

#include "rice.h"

int
rice_param(size_t n, int bits)
{
	double mean;
	int k;

	if (n == 0)
		return 0;
	mean = ldexp(1.0, bits) / (double)n * 0.6931471805599453;
	k = mean < 1.0 ? 0 : (int)floor(log2(mean));
	return k > 62 ? 62 : k;
}

int
rice_encode(struct ocop_buf *out, const uint64_t *values, size_t n, int k)
{
	unsigned char chunk[4096];
	size_t fill = 0;
	unsigned acc = 0;
	int used = 0, rc;
	uint64_t prev = 0;

	if (k < 0 || k > 62)
		return OCOP_EINVAL;
		/* bits gathered in acc (8 at most), whole bytes in chunk */
#define PUT(bit)                                                               \
	do {                                                                   \
		acc = (acc << 1) | ((bit) ? 1u : 0u);                          \
		if (++used == 8) {                                             \
			chunk[fill++] = (unsigned char)acc;                    \
			acc = 0;                                               \
			used = 0;                                              \
			if (fill == sizeof(chunk)) {                           \
				if ((rc = ocop_buf_add(out, chunk, fill)) < 0) \
					return rc;                             \
				fill = 0;                                      \
			}                                                      \
		}                                                              \
	} while (0)
	for (size_t i = 0; i < n; i++) {
		uint64_t g, q;

		if (values[i] < prev)
			return OCOP_EINVAL;
		g = values[i] - prev;
		prev = values[i];
		for (q = g >> k; q > 0; q--)
			PUT(1);
		PUT(0);
		for (int b = k - 1; b >= 0; b--)
			PUT((g >> b) & 1);
	}
	while (used != 0)
		PUT(0);
#undef PUT
	return fill ? ocop_buf_add(out, chunk, fill) : 0;
}

void
rice_reader_init(struct rice_reader *r, const void *p, size_t len, int k)
{
	r->p = p;
	r->len = len;
	r->bit = 0;
	r->k = k;
	r->prev = 0;
}

int
rice_next(struct rice_reader *r, uint64_t *v)
{
	size_t end = r->len * 8;
	uint64_t q = 0, low = 0;

	for (;;) {
		if (r->bit >= end)
			return OCOP_EINVAL;
		if (!((r->p[r->bit >> 3] >> (7 - (r->bit & 7))) & 1))
			break;
		q++;
		r->bit++;
	}
	r->bit++;
	if (r->bit + (size_t)r->k > end)
		return OCOP_EINVAL;
	for (int b = 0; b < r->k; b++, r->bit++)
		low = (low << 1) |
		      ((r->p[r->bit >> 3] >> (7 - (r->bit & 7))) & 1);
	r->prev += (q << r->k) | low;
	*v = r->prev;
	return 0;
}
