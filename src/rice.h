/*
 * rice.h - Golomb-Rice coding of sorted sets of integers, as the field
 * snapshot stores the truncated hashes of a batch's serials (snapshot.h).
 *
 * A set of n values v1 <= v2 <= ... < 2^64 is written as the gaps
 * v1 - 0, v2 - v1, ...; each gap g as q = g >> k one-bits, a zero-bit,
 * then the k low bits of g, most significant first. Bits fill bytes from
 * the most significant bit; the last byte is padded with zero-bits.
 * assets/field/snapshot.js reads the same stream.
 */
#ifndef OCOP_RICE_H
#define OCOP_RICE_H

#include <stddef.h>
#include <stdint.h>

#include "ocop.h"

/* The parameter k that codes n values spread evenly over [0, 2^bits)
 * in about the fewest bits (mean gap times ln 2, rounded down to a power
 * of two); 0 when n is 0. */
int rice_param(size_t n, int bits);

/* Append the stream of the n sorted values to out. OCOP_ETOOBIG when out
 * would pass its cap; OCOP_EINVAL when values are not sorted or k is not
 * in 0..62. */
int rice_encode(struct ocop_buf *out, const uint64_t *values, size_t n, int k);

/* A reader over one stream of len bytes. */
struct rice_reader {
	const unsigned char *p;
	size_t len;
	size_t bit; /* next bit to read */
	int k;
	uint64_t prev;
};
void rice_reader_init(struct rice_reader *r, const void *p, size_t len, int k);
/* The next value in *v: 0, or OCOP_EINVAL when the stream ends first. */
int rice_next(struct rice_reader *r, uint64_t *v);

#endif
