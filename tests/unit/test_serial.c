/*
 * test_serial.c - serials: the check symbol catches every single-symbol
 * substitution (all positions, all symbols), normalisation of typed input,
 * shapes, grouping, fresh serials.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "ocop.h"

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* Every substitution of one symbol by another of the alphabet, at each of
 * the 16 positions (the check symbol too), of many serials: always
 * OCOP_EMISTYPED, never a valid serial. */
static void
test_every_substitution(void)
{
	char s[OCOP_SERIAL_LEN + 1], t[OCOP_SERIAL_LEN + 1];
	char out[OCOP_SERIAL_LEN + 1];
	long tried = 0, caught = 0;

	TEST("serial: every single-symbol substitution is caught");
	for (int k = 0; k < 300; k++) {
		ocop_serial_new(s);
		/* some fixed serials too, covering every symbol value */
		if (k < 32) {
			for (int i = 0; i < 15; i++)
				s[i] = alphabet[(k + i * 7) % 32];
			s[15] = ocop_serial_check_symbol(s);
			s[16] = '\0';
		}
		CHECK_INT(ocop_serial_normalize(s, out, NULL), 0);
		for (int pos = 0; pos < OCOP_SERIAL_LEN; pos++) {
			for (int a = 0; a < 32; a++) {
				if (alphabet[a] == s[pos])
					continue;
				memcpy(t, s, sizeof(t));
				t[pos] = alphabet[a];
				tried++;
				if (ocop_serial_normalize(t, out, NULL) ==
				    OCOP_EMISTYPED)
					caught++;
				else
					HARNESS_FAIL("%s -> %s not caught", s,
						     t);
			}
		}
	}
	CHECK_INT(tried, 300L * 16 * 31);
	CHECK_INT(caught, tried);
}

/* The check symbol of every serial is exhaustive over position weights:
 * the same symbol changed by d at position i changes the sum by
 * (2i+1)*d, never 0 mod 32. Check the arithmetic directly too. */
static void
test_weights(void)
{
	TEST("serial: weights are invertible modulo 32");
	for (int i = 0; i < 15; i++)
		for (int d = 1; d < 32; d++)
			CHECK(((2 * i + 1) * d) % 32 != 0);
}

static void
test_normalize(void)
{
	char s[OCOP_SERIAL_LEN + 1], out[OCOP_SERIAL_LEN + 1], in[64];
	char grouped[OCOP_SERIAL_GROUPED + 1];

	TEST("serial: normalisation of case, hyphens, spaces, I L O");
	/* a serial holding 1 and 0 so that I, L and O can stand for them */
	memcpy(s, "1K0Q3M9XH2PAB4C", 15);
	s[15] = ocop_serial_check_symbol(s);
	s[16] = '\0';
	CHECK_INT(ocop_serial_normalize(s, out, NULL), 0);
	CHECK_STR(out, s);

	/* lower case */
	for (int i = 0; i < 16; i++)
		in[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
	in[16] = '\0';
	CHECK_INT(ocop_serial_normalize(in, out, NULL), 0);
	CHECK_STR(out, s);

	/* grouped with hyphens, and with spaces */
	ocop_serial_group(s, grouped);
	CHECK_INT((int)strlen(grouped), OCOP_SERIAL_GROUPED);
	CHECK(grouped[4] == '-' && grouped[9] == '-' && grouped[14] == '-');
	CHECK_INT(ocop_serial_normalize(grouped, out, NULL), 0);
	CHECK_STR(out, s);
	for (int i = 0; grouped[i]; i++)
		in[i] = grouped[i] == '-' ? ' ' : grouped[i];
	in[OCOP_SERIAL_GROUPED] = '\0';
	CHECK_INT(ocop_serial_normalize(in, out, NULL), 0);
	CHECK_STR(out, s);

	/* I and L read as 1, O as 0 (either case) */
	strcpy(in, s);
	in[0] = 'I';
	in[2] = 'O';
	CHECK_INT(ocop_serial_normalize(in, out, NULL), 0);
	CHECK_STR(out, s);
	in[0] = 'l';
	in[2] = 'o';
	CHECK_INT(ocop_serial_normalize(in, out, NULL), 0);
	CHECK_STR(out, s);
	in[0] = 'L';
	CHECK_INT(ocop_serial_normalize(in, out, NULL), 0);
	CHECK_STR(out, s);
	in[0] = 'i';
	CHECK_INT(ocop_serial_normalize(in, out, NULL), 0);
	CHECK_STR(out, s);
}

static void
test_shapes(void)
{
	char out[OCOP_SERIAL_LEN + 1];
	struct ocop_error err = {0};

	TEST("serial: wrong shapes are OCOP_EINVAL, not mistyped");
	CHECK_INT(ocop_serial_normalize("", out, &err), OCOP_EINVAL);
	CHECK_INT(ocop_serial_normalize("ABC", out, &err), OCOP_EINVAL);
	CHECK(strstr(err.msg, "ABC") != NULL);
	/* 15 and 17 symbols */
	CHECK_INT(ocop_serial_normalize("0123456789ABCDE", out, NULL),
		  OCOP_EINVAL);
	CHECK_INT(ocop_serial_normalize("0123456789ABCDEFG", out, NULL),
		  OCOP_EINVAL);
	/* U is not Crockford base32, nor are punctuation and non-ASCII */
	CHECK_INT(ocop_serial_normalize("U123456789ABCDEF", out, NULL),
		  OCOP_EINVAL);
	CHECK_INT(ocop_serial_normalize("0123456789ABCD_F", out, NULL),
		  OCOP_EINVAL);
	CHECK_INT(ocop_serial_normalize("0123456789ABCDÉF", out, NULL),
		  OCOP_EINVAL);
	CHECK_INT(ocop_serial_normalize("0123-4567\t89AB-CDEF", out, NULL),
		  OCOP_EINVAL);
}

static void
test_fresh(void)
{
	char a[OCOP_SERIAL_LEN + 1], b[OCOP_SERIAL_LEN + 1];
	char out[OCOP_SERIAL_LEN + 1];
	int seen[32] = {0};

	TEST("serial: fresh serials are valid, distinct and use the alphabet");
	for (int k = 0; k < 2000; k++) {
		ocop_serial_new(a);
		ocop_serial_new(b);
		CHECK_INT((int)strlen(a), OCOP_SERIAL_LEN);
		CHECK(strcmp(a, b) != 0);
		CHECK_INT(ocop_serial_normalize(a, out, NULL), 0);
		for (int i = 0; i < 15; i++) {
			const char *p = strchr(alphabet, a[i]);

			CHECK(p != NULL);
			if (p)
				seen[p - alphabet] = 1;
		}
	}
	for (int i = 0; i < 32; i++)
		CHECK(seen[i]);
}

int
main(void)
{
	test_every_substitution();
	test_weights();
	test_normalize();
	test_shapes();
	test_fresh();
	return harness_done();
}
