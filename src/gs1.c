/*
 * gs1.c - GS1 keys and Digital Link paths: GTIN check digits, lots, and
 * the parsing of every code form a label carries.
 */
#include <ctype.h>
#include <string.h>

#include "ocop.h"

int
ocop_gtin_normalize(const char *in, char *out15, struct ocop_error *err)
{
	size_t n = strlen(in);
	int sum = 0;

	if (n != 8 && n != 12 && n != 13 && n != 14)
		return ocop_error_set(err, OCOP_EINVAL,
				      "invalid GTIN '%.40s': expected 8, 12, "
				      "13 or 14 digits",
				      in);
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)in[i]))
			return ocop_error_set(err, OCOP_EINVAL,
					      "invalid GTIN '%.40s': only "
					      "digits are allowed",
					      in);
	memset(out15, '0', 14 - n);
	memcpy(out15 + 14 - n, in, n);
	out15[14] = '\0';
	/* weights 3,1,3,... from the right, excluding the check digit */
	for (int i = 12; i >= 0; i--)
		sum += (out15[i] - '0') * ((12 - i) % 2 == 0 ? 3 : 1);
	if ((10 - sum % 10) % 10 != out15[13] - '0')
		return ocop_error_set(err, OCOP_EINVAL,
				      "invalid GTIN '%.40s': bad check digit "
				      "(expected %d)",
				      in, (10 - sum % 10) % 10);
	return 0;
}

int
ocop_lot_normalize(const char *in, char *out21, struct ocop_error *err)
{
	size_t n = strlen(in);

	if (n < 1 || n > 20)
		return ocop_error_set(err, OCOP_EINVAL,
				      "invalid lot '%.40s': expected 1 to 20 "
				      "characters",
				      in);
	for (size_t i = 0; i < n; i++) {
		int ch = toupper((unsigned char)in[i]);

		if (!isdigit(ch) && !(ch >= 'A' && ch <= 'Z') && ch != '.' &&
		    ch != '-')
			return ocop_error_set(err, OCOP_EINVAL,
					      "invalid lot '%.40s': only 0-9, "
					      "A-Z, '.' and '-' are allowed",
					      in);
		out21[i] = (char)ch;
	}
	out21[n] = '\0';
	return 0;
}
