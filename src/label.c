/*
 * label.c - label content: base URL and QR URL.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "label.h"

int
label_base_url_normalize(const char *in, char *out, size_t size,
			 struct ocop_error *err)
{
	const char *host;
	size_t n, i;
	int colon = 0;

	if (strncasecmp(in, "http://", 7) == 0)
		host = in + 7;
	else if (strncasecmp(in, "https://", 8) == 0)
		host = in + 8;
	else
		return ocop_error_set(err, OCOP_EINVAL,
				      "invalid base URL '%s': must start with "
				      "http:// or https://",
				      in);
	n = strlen(in);
	if (n && in[n - 1] == '/')
		n--;
	if ((size_t)(host - in) >= n)
		goto bad;
	for (i = (size_t)(host - in); i < n; i++) {
		unsigned char ch = (unsigned char)in[i];

		if (ch == ':') {
			if (colon++)
				goto bad;
		} else if (colon && !isdigit(ch)) {
			goto bad;
		} else if (!colon && !isalnum(ch) && ch != '.' && ch != '-') {
			goto bad;
		}
	}
	if (in[n - 1] == ':' || n + 1 > size)
		goto bad;
	for (i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[n] = '\0';
	return 0;
bad:
	return ocop_error_set(err, OCOP_EINVAL,
			      "invalid base URL '%s': expected "
			      "scheme://host[:port] with no path",
			      in);
}

int
label_url(const char *base, const char *gtin14, const char *lot,
	  const char *serial, char *out, size_t size)
{
	int n;

	if (gtin14 && *gtin14) {
		if (lot && *lot)
			n = snprintf(out, size, "%s/01/%s/10/%s/21/%s", base,
				     gtin14, lot, serial);
		else
			n = snprintf(out, size, "%s/01/%s/21/%s", base, gtin14,
				     serial);
	} else {
		n = snprintf(out, size, "%s/L/%s", base, serial);
	}
	if (n < 0 || (size_t)n >= size)
		return -1;
	for (char *p = out; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return n;
}
