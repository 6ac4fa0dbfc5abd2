/*
 * fuzz_console_form.c - a console form as libmicrohttpd's post processor
 * hands it over (console.h): the input is the fields, "key=value"
 * between '&' (a key "f:NAME" is a file), each value given in pieces.
 * What console_field and console_file then say must be what was sent,
 * and every check a handler makes of a field is given every value:
 * whole numbers, days and ids (what they accept reads back as the same
 * text), roles, logins and lots (their stored form is a fixed point), the
 * path to go to after signing in (a console path, nothing else) and the
 * CSRF token (equal or refused).
 */
#include "account.h"
#include "fuzz.h"
#include "http/console.h"
#include "utf8.h"

#define FORM_MAX 4096 /* bytes a form keeps: small, to reach the cap */
#define TOKEN "Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXg"

struct sent {
	const char *key, *val;
	size_t klen, vlen;
	int file;
};

/* Blanks around s[0..n) cut off: the text a number's field said. */
static const char *
trimmed(const char *s, size_t *n)
{
	while (*n && (*s == ' ' || *s == '\t')) {
		s++;
		(*n)--;
	}
	while (*n && (s[*n - 1] == ' ' || s[*n - 1] == '\t'))
		(*n)--;
	return s;
}

/* Whether s[0..n) is decimal digits only. */
static int
digits(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static void
check_value(const char *v)
{
	char buf[64], day_s[11], norm[ACCOUNT_LOGIN_MAX + 1], again[128];
	size_t n = strlen(v);
	const char *t = trimmed(v, &n);
	const char *next;
	enum ocop_role role;
	int32_t day;
	int64_t id;
	int num;

	/* a whole number is its digits (blanks around them and leading
	 * zeros aside), and digits in range are a whole number */
	while (n > 1 && t[0] == '0' && digits(t, n)) {
		t++;
		n--;
	}
	if (console_form_int(v, 1, 100000, &num) == 0) {
		snprintf(buf, sizeof(buf), "%d", num);
		if (num < 1 || num > 100000 || strlen(buf) != n ||
		    memcmp(buf, t, n) != 0)
			abort();
	} else if (digits(t, n) && n <= 6 && atol(t) >= 1 &&
		   atol(t) <= 100000) {
		abort();
	}
	/* an id is its digits exactly, from 1, and such digits are an id */
	if (console_form_id(v, &id) == 0) {
		snprintf(buf, sizeof(buf), "%lld", (long long)id);
		if (id < 1 || strcmp(buf, v) != 0)
			abort();
	} else if (digits(v, strlen(v)) && v[0] != '0' && strlen(v) <= 18) {
		abort();
	}
	/* a day reads back as the same text */
	if (console_form_day(v, &day) == 0) {
		if (*v ? strcmp(ocop_day_format(day, day_s), v) != 0
		       : day != OCOP_NO_DAY)
			abort();
	}
	/* where to go after signing in: that path or the console's home,
	 * never another site, never a control character */
	next = console_next_path(v);
	if (next != v && strcmp(next, "/console/") != 0)
		abort();
	if (strncmp(next, "/console/", 9) != 0 || strstr(next, "//"))
		abort();
	for (const unsigned char *p = (const unsigned char *)next; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '\\')
			abort();
	/* the CSRF token: only the very token passes */
	if (account_csrf_ok(TOKEN, v) != (strcmp(TOKEN, v) == 0) ||
	    account_csrf_ok("", v) || account_csrf_ok(NULL, v))
		abort();
	if (ocop_role_parse(v, &role) == 0 &&
	    strcmp(ocop_role_name(role), v) != 0)
		abort();
	/* a login's stored form is its own stored form */
	if (account_login_normalise(v, norm, NULL) == 0) {
		if (strlen(norm) > ACCOUNT_LOGIN_MAX ||
		    !utf8_valid(norm, strlen(norm), NULL) ||
		    account_login_normalise(norm, again, NULL) != 0 ||
		    strcmp(norm, again) != 0)
			abort();
	}
	if (ocop_lot_normalize(v, buf, NULL) == 0) {
		if (strlen(buf) < 1 || strlen(buf) > 20 ||
		    ocop_lot_normalize(buf, again, NULL) != 0 ||
		    strcmp(buf, again) != 0)
			abort();
	}
}

/* The first field sent under key: what console_field finds. */
static const struct sent *
first(const struct sent *s, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(key) == s[i].klen &&
		    memcmp(s[i].key, key, s[i].klen) == 0)
			return &s[i];
	return NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data, *end = in + size, *p = in;
	struct console_form *f = console_form_new(FORM_MAX);
	struct sent *sent = ocop_xcalloc(size + 1, sizeof(*sent));
	size_t n = 0;
	char key[64];

	while (p <= end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *stop = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(stop - p));
		struct sent *s = &sent[n];
		size_t half;

		s->key = p;
		s->klen = (size_t)((eq ? eq : stop) - p);
		s->val = eq ? eq + 1 : stop;
		s->vlen = (size_t)(stop - s->val);
		s->file = s->klen > 2 && memcmp(p, "f:", 2) == 0;
		if (s->file) {
			s->key += 2;
			s->klen -= 2;
		}
		p = stop + 1;
		/* the post processor gives keys as C strings */
		if (s->klen == 0 || s->klen >= sizeof(key) ||
		    memchr(s->key, '\0', s->klen))
			continue;
		memcpy(key, s->key, s->klen);
		key[s->klen] = '\0';
		/* a value of two bytes or more comes in two pieces, the
		 * second at its offset (off 0 starts another field) */
		half = s->vlen / 2;
		if ((half > 0 &&
		     console_form_add(f, key, s->file ? "x.csv" : NULL, s->val,
				      0, half) < 0) ||
		    console_form_add(f, key, s->file ? "x.csv" : NULL,
				     s->val + half, half, s->vlen - half) < 0)
			break; /* too much: the form is refused whole */
		n++;
	}
	/* every field reads back as it was sent */
	for (size_t i = 0; i < n; i++) {
		const struct sent *s;
		const char *v, *fdata, *fname;
		size_t flen;

		memcpy(key, sent[i].key, sent[i].klen);
		key[sent[i].klen] = '\0';
		s = first(sent, n, key);
		v = console_field(f, key);
		if (s->file) {
			if (v)
				abort();
		} else if (memchr(s->val, '\0', s->vlen)) {
			if (v)
				abort();
		} else if (!v || strlen(v) != s->vlen ||
			   memcmp(v, s->val, s->vlen) != 0) {
			abort();
		} else {
			check_value(v);
		}
		if (console_file(f, key, &fdata, &flen, &fname) == 0) {
			if (flen != s->vlen || memcmp(fdata, s->val, flen) != 0)
				abort();
		} else if (s->vlen != 0) {
			abort();
		}
	}
	console_form_free(f);
	free(sent);
	return 0;
}
