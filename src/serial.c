/*
 * serial.c - label serials: 15 random Crockford base32 symbols from
 * libsodium's CSPRNG and one check symbol, also base32 so that serials
 * stay alphanumeric and QR codes small.
 *
 * Check value: sum of (2i+1) * v_i modulo 32. Every weight is odd, hence
 * invertible modulo 32, and a single substitution changes one v_i by d
 * with 0 < |d| < 32, so the sum changes by w*d, never 0 modulo 32: every
 * single-symbol substitution is caught (tests/unit/test_serial.c checks
 * all of them).
 */
#include <ctype.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "ocop.h"

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* Value of a symbol, -1 if not Crockford; I/L -> 1, O -> 0. */
static int
symbol_value(int ch)
{
	const char *p;

	ch = toupper(ch);
	if (ch == 'I' || ch == 'L')
		return 1;
	if (ch == 'O')
		return 0;
	if (ch == 'U' || ch == '\0')
		return -1;
	p = strchr(alphabet, ch);
	return p ? (int)(p - alphabet) : -1;
}

static int
check_value(const char *first15)
{
	unsigned sum = 0;

	for (int i = 0; i < 15; i++)
		sum += (unsigned)(2 * i + 1) * (unsigned)symbol_value(first15[i]);
	return (int)(sum % 32);
}

char
ocop_serial_check_symbol(const char *first15)
{
	return alphabet[check_value(first15)];
}

void
ocop_serial_new(char *out)
{
	unsigned char rnd[15];

	if (sodium_init() < 0)
		abort();
	randombytes_buf(rnd, sizeof(rnd));
	for (int i = 0; i < 15; i++)
		out[i] = alphabet[rnd[i] & 31];
	sodium_memzero(rnd, sizeof(rnd));
	out[15] = ocop_serial_check_symbol(out);
	out[16] = '\0';
}

int
ocop_serial_normalize(const char *in, char *out, struct ocop_error *err)
{
	size_t n = 0;
	int v;

	for (const char *p = in; *p; p++) {
		if (*p == '-' || *p == ' ')
			continue;
		v = symbol_value((unsigned char)*p);
		if (v < 0 || n >= OCOP_SERIAL_LEN) {
			out[0] = '\0';
			return ocop_error_set(err, OCOP_EINVAL,
					      "invalid label code '%.40s': "
					      "expected 16 letters and digits "
					      "such as XXXX-XXXX-XXXX-XXXX",
					      in);
		}
		out[n++] = alphabet[v];
	}
	out[n] = '\0';
	if (n != OCOP_SERIAL_LEN)
		return ocop_error_set(err, OCOP_EINVAL,
				      "invalid label code '%.40s': expected "
				      "16 symbols, got %zu",
				      in, n);
	if (ocop_serial_check_symbol(out) != out[15])
		return ocop_error_set(err, OCOP_EMISTYPED,
				      "label code '%.40s' is mistyped: its "
				      "check symbol does not match",
				      in);
	return 0;
}

char *
ocop_serial_group(const char *serial, char *out)
{
	int j = 0;

	for (int i = 0; i < OCOP_SERIAL_LEN && serial[i]; i++) {
		if (i && i % 4 == 0)
			out[j++] = '-';
		out[j++] = serial[i];
	}
	out[j] = '\0';
	return out;
}
