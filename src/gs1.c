/*
 * gs1.c - GS1 keys and Digital Link paths: GTIN check digits, lots, and
 * the parsing of every code form a label carries.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

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

/* GS1's "AI encodable character set 82" (GS1 General Specifications
 * 7.11): what a Digital Link value may hold once percent-decoded. */
static int
gs1_cset82(int ch)
{
	if (isalnum(ch))
		return ch < 0x80;
	return ch != '\0' && strchr("!\"%&'()*+,-./:;<=>?_", ch) != NULL;
}

static void
upper_copy(char *dst, const char *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = (char)toupper((unsigned char)src[i]);
	dst[n] = '\0';
}

#define DL_MAX_PATH 256

int
ocop_dl_parse_path(const char *path, struct ocop_code *out,
		   struct ocop_error *err)
{
	char buf[DL_MAX_PATH];
	char *seg[8];
	size_t len, nseg = 0;
	int next_ai = 10; /* qualifiers allowed in order: 10, then 21 */
	char *p;

	memset(out, 0, sizeof(*out));
	len = strlen(path);
	if (len >= sizeof(buf))
		return ocop_error_set(err, OCOP_EINVAL,
				      "invalid Digital Link path: longer "
				      "than %d characters",
				      DL_MAX_PATH - 1);
	memcpy(buf, path, len + 1);
	if (len > 1 && buf[len - 1] == '/')
		buf[--len] = '\0';
	if (strncmp(buf, "/01/", 4) != 0)
		return ocop_error_set(err, OCOP_EINVAL,
				      "invalid Digital Link path '%.60s': "
				      "expected /01/{gtin}",
				      path);
	/* split "/01/x/10/y/21/z" into 01 x 10 y 21 z */
	for (p = buf + 1;;) {
		char *slash = strchr(p, '/');

		if (nseg == sizeof(seg) / sizeof(seg[0]))
			return ocop_error_set(err, OCOP_EINVAL,
					      "invalid Digital Link path "
					      "'%.60s': too many segments",
					      path);
		seg[nseg++] = p;
		if (!slash)
			break;
		*slash = '\0';
		p = slash + 1;
	}
	for (size_t i = 0; i < nseg; i++) {
		size_t n = strlen(seg[i]);

		if (n == 0)
			return ocop_error_set(err, OCOP_EINVAL,
					      "invalid Digital Link path "
					      "'%.60s': empty segment",
					      path);
		if (i % 2 == 0)
			continue;
		if (n > 20)
			return ocop_error_set(err, OCOP_EINVAL,
					      "invalid Digital Link path "
					      "'%.60s': value of AI %s is "
					      "over 20 characters",
					      path, seg[i - 1]);
		for (size_t j = 0; j < n; j++)
			if (!gs1_cset82((unsigned char)seg[i][j]))
				return ocop_error_set(
					err, OCOP_EINVAL,
					"invalid Digital Link path '%.60s': "
					"value of AI %s has a character "
					"outside GS1's set",
					path, seg[i - 1]);
	}
	if (nseg % 2 != 0)
		return ocop_error_set(err, OCOP_EINVAL,
				      "invalid Digital Link path '%.60s': AI "
				      "%s has no value",
				      path, seg[nseg - 1]);
	if (ocop_gtin_normalize(seg[1], out->gtin, err) < 0) {
		ocop_error_prefix(err, "invalid Digital Link path");
		return OCOP_EINVAL;
	}
	out->kind = OCOP_CODE_DL_PRODUCT;
	for (size_t i = 2; i < nseg; i += 2) {
		const char *ai = seg[i], *v = seg[i + 1];
		int n;

		if (strcmp(ai, "10") == 0)
			n = 10;
		else if (strcmp(ai, "21") == 0)
			n = 21;
		else
			return ocop_error_set(err, OCOP_EINVAL,
					      "invalid Digital Link path "
					      "'%.60s': AI '%.20s' is not "
					      "supported after 01 (only 10 "
					      "and 21)",
					      path, ai);
		if (n < next_ai)
			return ocop_error_set(err, OCOP_EINVAL,
					      "invalid Digital Link path "
					      "'%.60s': AI %s out of order "
					      "(10 comes before 21, each once)",
					      path, ai);
		next_ai = n + 1;
		if (n == 10) {
			upper_copy(out->lot, v, strlen(v));
			continue;
		}
		out->kind = OCOP_CODE_DL_LABEL;
		switch (ocop_serial_normalize(v, out->serial, NULL)) {
		case 0:
			break;
		case OCOP_EMISTYPED:
			out->mistyped = 1;
			break;
		default:
			/* valid GS1, but no serial of ours: unknown */
			out->serial[0] = '\0';
			upper_copy(out->foreign, v, strlen(v));
			break;
		}
	}
	return 0;
}

static int
hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = toupper(ch);
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

#define CODE_MAX_INPUT 512

int
ocop_code_parse(const char *input, struct ocop_code *out,
		struct ocop_error *err)
{
	char buf[CODE_MAX_INPUT];
	const char *s = input, *path;
	size_t n, i, j;
	int rc;

	memset(out, 0, sizeof(*out));
	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n == 0)
		return ocop_error_set(err, OCOP_EINVAL,
				      "invalid label code: empty");
	if (n >= sizeof(buf))
		return ocop_error_set(err, OCOP_EINVAL,
				      "invalid label code '%.40s...': longer "
				      "than %d characters",
				      s, CODE_MAX_INPUT - 1);
	if (strncasecmp(s, "http://", 7) == 0 ||
	    strncasecmp(s, "https://", 8) == 0) {
		const char *host = s + (s[4] == ':' ? 7 : 8);

		path = memchr(host, '/', n - (size_t)(host - s));
		if (!path)
			return ocop_error_set(err, OCOP_EINVAL,
					      "invalid label URL '%.60s': it "
					      "has no path",
					      s);
	} else if (s[0] == '/') {
		path = s;
	} else {
		/* a typed serial */
		memcpy(buf, s, n);
		buf[n] = '\0';
		out->kind = OCOP_CODE_SERIAL;
		rc = ocop_serial_normalize(buf, out->serial, err);
		if (rc == OCOP_EMISTYPED) {
			out->mistyped = 1;
			return 0;
		}
		return rc;
	}
	/* the path, without query or fragment, percent-decoded */
	n -= (size_t)(path - s);
	for (i = 0, j = 0; i < n && path[i] != '?' && path[i] != '#'; i++) {
		int ch = (unsigned char)path[i];

		if (ch == '%') {
			int hi = i + 2 < n ? hexval(path[i + 1]) : -1;
			int lo = hi >= 0 ? hexval(path[i + 2]) : -1;

			if (lo < 0 || (hi == 0 && lo == 0))
				return ocop_error_set(
					err, OCOP_EINVAL,
					"invalid label URL '%.60s': bad "
					"percent-encoding",
					s);
			ch = hi * 16 + lo;
			i += 2;
		}
		buf[j++] = (char)ch;
	}
	buf[j] = '\0';
	if ((buf[1] == 'L' || buf[1] == 'l') && buf[2] == '/') {
		char *serial = buf + 3;

		j = strlen(serial);
		if (j && serial[j - 1] == '/')
			serial[j - 1] = '\0';
		out->kind = OCOP_CODE_SERIAL;
		rc = ocop_serial_normalize(serial, out->serial, err);
		if (rc == OCOP_EMISTYPED) {
			out->mistyped = 1;
			return 0;
		}
		return rc;
	}
	if (strncmp(buf, "/01/", 4) == 0)
		return ocop_dl_parse_path(buf, out, err);
	return ocop_error_set(err, OCOP_EINVAL,
			      "invalid label URL '%.60s': expected a path "
			      "/L/{serial} or /01/{gtin}/.../21/{serial}",
			      s);
}
