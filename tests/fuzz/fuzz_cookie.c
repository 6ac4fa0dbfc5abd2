/*
 * fuzz_cookie.c - cookies' values as libmicrohttpd hands them over: the
 * console session's (console_session_of), which yields a session for
 * the very cookie that signing in gave and for nothing else, the input
 * itself or the real cookie with the input's bytes written over it; and
 * the inspection place's (field_place_decode), which yields a place the
 * scans API takes (at most FIELD_PLACE_MAX bytes of UTF-8 without
 * control characters) or "", and reads back whatever place
 * field_place_encode wrote.
 */
#include "account.h"
#include "fuzz.h"
#include "http/console.h"
#include "http/server_int.h"
#include "utf8.h"

#define LOGIN "thanhtra@example.vn"
#define PASSWORD "m\xe1\xba\xadt kh\xe1\xba\xa9u d\xc3\xa0i"

static char cookie[ACCOUNT_SECRET_LEN + 1], csrf[ACCOUNT_SECRET_LEN + 1];

/* A signed-in inspector, once for the process. */
static struct ocop_store *
fixture(void)
{
	static struct ocop_store *st;
	struct ocop_error err = {0};
	char setup[ACCOUNT_SECRET_LEN + 1];

	if (st)
		return st;
	st = fuzz_store();
	if (account_user_add(st, LOGIN, OCOP_ROLE_INSPECTOR, NULL, NULL,
			     "Thanh tra", "fuzz", NULL, ocop_now(), setup, NULL,
			     &err) < 0 ||
	    account_setup_complete(st, setup, PASSWORD, NULL, ocop_now(),
				   &err) < 0 ||
	    account_login(st, LOGIN, PASSWORD, NULL, ocop_now(), cookie, csrf,
			  NULL, &err) < 0)
		fuzz_die("sign in", &err);
	return st;
}

/* The session of value: there, and the fixture's, just for the cookie. */
static void
session(struct ocop_store *st, const char *value)
{
	struct console_user u;
	int want = strcmp(value, cookie) == 0;

	if (console_session_of(st, value, ocop_now(), &u) != want)
		abort();
	if (want && (strcmp(u.login, LOGIN) != 0 || strcmp(u.csrf, csrf) != 0 ||
		     u.role != OCOP_ROLE_INSPECTOR))
		abort();
	if (!want && (u.id != 0 || u.csrf[0]))
		abort();
}

/* A place that may be remembered: one the scans API takes, and no C1
 * control character either. */
static int
place_ok(const char *s)
{
	return strlen(s) <= FIELD_PLACE_MAX && utf8_printable(s);
}

static void
place(const char *value)
{
	char out[FIELD_PLACE_COOKIE_SIZE], enc[FIELD_PLACE_COOKIE_SIZE],
	    back[FIELD_PLACE_COOKIE_SIZE];

	field_place_decode(value, out, sizeof(out));
	if (!place_ok(out))
		abort();
	/* what is remembered reads back */
	field_place_encode(out, enc);
	field_place_decode(enc, back, sizeof(back));
	if (strcmp(out, back) != 0)
		abort();
	if (place_ok(value)) {
		field_place_encode(value, enc);
		field_place_decode(enc, back, sizeof(back));
		if (strcmp(value, back) != 0)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ocop_store *st = fixture();
	char *s = fuzz_cstr(data, size);
	char forged[ACCOUNT_SECRET_LEN + 1];

	session(st, s);
	/* the real cookie with the input's bytes over it, at the places the
	 * input's first bytes say */
	memcpy(forged, cookie, sizeof(forged));
	for (size_t i = 0; i + 1 < size && data[i + 1]; i += 2)
		forged[data[i] % ACCOUNT_SECRET_LEN] = (char)data[i + 1];
	session(st, forged);
	place(s);
	free(s);
	return 0;
}
