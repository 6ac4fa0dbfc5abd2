/*
 * test_account.c - the console's accounts (account.h) on both engines: a
 * SQLite file, and a PostgreSQL database of its own on the test server of
 * tests/pg.sh (OCOP_TEST_PG, which tests/run sets). Passwords, setup links
 * (72 hours, one use), the sign-in throttle (5 a login, 20 a network, in
 * 15 minutes), sessions ending on time, idleness, disable and reset, and
 * the CSRF comparison.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "account.h"
#include "harness.h"

#define T0 1800000000

static const char *engine;

/* "ENGINE: what", kept for the harness (it prints the name later) */
static const char *
tname(const char *what)
{
	static char names[32][128];
	static int n;
	char *s = names[n++ % 32];

	snprintf(s, sizeof(names[0]), "%s: %s", engine, what);
	return s;
}

struct count_ctx {
	int signin, refused, setup;
};

static int
count_audit(void *ctx, const struct store_audit *a)
{
	struct count_ctx *c = ctx;

	c->signin += strcmp(a->action, "signin") == 0;
	c->refused += strcmp(a->action, "signin.refused") == 0;
	c->setup += strcmp(a->action, "user.setup") == 0;
	return 0;
}

/* A user with password pw, set up at T0. */
static void
make_user(struct ocop_store *st, const char *login, const char *pw)
{
	struct ocop_error err = {0};
	char setup[ACCOUNT_SECRET_LEN + 1];

	CHECK_INT(account_user_add(st, login, OCOP_ROLE_INSPECTOR, NULL, "HN",
				   "Người kiểm tra", "cli:test", NULL, T0,
				   setup, NULL, &err),
		  0);
	CHECK_INT(
	    account_setup_complete(st, setup, pw, "10.0.0.0/24", T0, &err), 0);
}

static void
test_engine(const char *db)
{
	struct ocop_error err = {0}, err2 = {0};
	struct ocop_store *st = NULL, *rd = NULL;
	struct account_user u;
	struct store_user su;
	struct count_ctx cnt = {0};
	char setup[ACCOUNT_SECRET_LEN + 1], setup2[ACCOUNT_SECRET_LEN + 1];
	char cookie[ACCOUNT_SECRET_LEN + 1], csrf[ACCOUNT_SECRET_LEN + 1];
	char cookie2[ACCOUNT_SECRET_LEN + 1], csrf2[ACCOUNT_SECRET_LEN + 1];
	char norm[ACCOUNT_LOGIN_MAX + 1];
	const char *pw = "mật khẩu dài!"; /* 13 characters, 16 bytes */
	int64_t t;

	if (ocop_store_open(db, OCOP_STORE_CREATE, &st, &err) < 0) {
		HARNESS_FAIL("%s: cannot open: %s", engine, err.msg);
		return;
	}

	TEST(tname("logins are phone numbers or e-mail "
		   "addresses"));
	CHECK_INT(account_login_normalise("+84 912.345-678", norm, &err), 0);
	CHECK_STR(norm, "+84912345678");
	CHECK_INT(account_login_normalise("An.Nguyen@Example.VN", norm, &err),
		  0);
	CHECK_STR(norm, "an.nguyen@example.vn");
	CHECK_INT(account_login_normalise("12345", norm, &err), OCOP_EINVAL);
	CHECK_INT(account_login_normalise("an@", norm, &err), OCOP_EINVAL);
	CHECK_INT(account_login_normalise("root", norm, &err), OCOP_EINVAL);
	CHECK_INT(account_user_add(st, "root", OCOP_ROLE_ADMIN, NULL, NULL,
				   NULL, "cli:test", NULL, T0, setup, NULL,
				   &err),
		  OCOP_EINVAL);
	CHECK_INT(account_user_add(st, "0912000001", OCOP_ROLE_PRODUCER, NULL,
				   NULL, NULL, "cli:test", NULL, T0, setup,
				   NULL, &err),
		  OCOP_EINVAL);
	CHECK_INT(account_user_add(st, "0912000001", OCOP_ROLE_PRODUCER,
				   "NO-SUCH", NULL, NULL, "cli:test", NULL, T0,
				   setup, NULL, &err),
		  OCOP_ENOENT);

	TEST(tname("a setup link lasts 72 hours, once"));
	CHECK_INT(account_user_add(st, "an@example.vn", OCOP_ROLE_ADMIN, NULL,
				   NULL, "An", "cli:test", NULL, T0, setup,
				   NULL, &err),
		  0);
	CHECK_INT((int)strlen(setup), ACCOUNT_SECRET_LEN);
	CHECK_INT(account_user_add(st, "AN@example.vn", OCOP_ROLE_ADMIN, NULL,
				   NULL, NULL, "cli:test", NULL, T0, setup2,
				   NULL, &err),
		  OCOP_EEXIST);
	CHECK_INT(account_setup_check(st, setup, T0 + ACCOUNT_SETUP_TTL - 1, &u,
				      &err),
		  0);
	CHECK_STR(u.login, "an@example.vn");
	CHECK_INT(
	    account_setup_check(st, setup, T0 + ACCOUNT_SETUP_TTL, &u, &err),
	    OCOP_EREFUSED);
	CHECK_INT(account_setup_complete(st, setup, pw, NULL,
					 T0 + ACCOUNT_SETUP_TTL, &err),
		  OCOP_EREFUSED);
	CHECK_INT(account_setup_check(st, "nonsense", T0, &u, &err),
		  OCOP_ENOENT);
	/* 9 characters in 12 bytes: too short */
	CHECK_INT(
	    account_setup_complete(st, setup, "mật khẩu!", NULL, T0, &err),
	    OCOP_EINVAL);
	CHECK_INT(account_setup_complete(st, setup, pw, NULL, T0 + 10, &err),
		  0);
	CHECK_INT(account_setup_complete(st, setup, pw, NULL, T0 + 11, &err),
		  OCOP_ENOENT);
	CHECK_INT(account_user_get(st, "an@example.vn", &su, &err), 0);
	CHECK_INT(su.password_at, T0 + 10);
	CHECK_INT(su.has_setup, 0);
	CHECK_STR(su.password, ""); /* secrets are not handed out */

	TEST(tname("signing in; wrong login and wrong "
		   "password alike"));
	t = T0 + 100;
	CHECK_INT(account_login(st, "An@Example.vn", pw, "10.0.0.0/24", t,
				cookie, csrf, &u, &err),
		  0);
	CHECK_STR(u.login, "an@example.vn");
	CHECK_INT(u.role, OCOP_ROLE_ADMIN);
	CHECK_STR(u.name, "An");
	CHECK_INT(account_login(st, "an@example.vn", "wrong password", "n1", t,
				cookie2, csrf2, NULL, &err),
		  OCOP_EAUTH);
	CHECK_INT(account_login(st, "nobody@example.vn", pw, "n1", t, cookie2,
				csrf2, NULL, &err2),
		  OCOP_EAUTH);
	CHECK_STR(err.msg, err2.msg);
	/* a new cookie at each sign-in */
	CHECK_INT(account_login(st, "an@example.vn", pw, "n1", t, cookie2,
				csrf2, NULL, &err),
		  0);
	CHECK(strcmp(cookie, cookie2) != 0);
	CHECK(strcmp(csrf, csrf2) != 0);
	CHECK_INT(st->m->audit_each(st, OCOP_NO_TIME, count_audit, &cnt, &err),
		  0);
	CHECK_INT(cnt.signin, 2);
	CHECK_INT(cnt.refused, 2);
	CHECK_INT(cnt.setup, 1);

	TEST(tname("CSRF tokens compared whole"));
	CHECK_INT(account_session_check(st, cookie, t + 1, &u, csrf2, &err), 0);
	CHECK_STR(csrf2, csrf);
	CHECK_INT(account_csrf_ok(csrf, csrf2), 1);
	csrf2[5] ^= 1;
	CHECK_INT(account_csrf_ok(csrf, csrf2), 0);
	csrf2[5] ^= 1;
	csrf2[ACCOUNT_SECRET_LEN - 1] = '\0';
	CHECK_INT(account_csrf_ok(csrf, csrf2), 0);
	CHECK_INT(account_csrf_ok(csrf, ""), 0);
	CHECK_INT(account_csrf_ok(csrf, NULL), 0);
	CHECK_INT(account_csrf_ok("", ""), 0);

	TEST(tname("5 failures a login in 15 minutes"));
	make_user(st, "0912000002", "correct horse battery");
	t = T0 + 1000;
	for (int i = 0; i < ACCOUNT_THROTTLE_LOGIN; i++)
		CHECK_INT(account_login(st, "0912000002", "wrong guess!",
					"10.1.0.0/24", t + i, cookie2, csrf2,
					NULL, &err),
			  OCOP_EAUTH);
	/* the right password too, from another network */
	CHECK_INT(account_login(st, "0912000002", "correct horse battery",
				"10.2.0.0/24", t + 10, cookie2, csrf2, NULL,
				&err),
		  OCOP_EBUSY);
	/* another login is not throttled */
	CHECK_INT(account_login(st, "an@example.vn", pw, "10.1.0.0/24", t + 10,
				cookie2, csrf2, NULL, &err),
		  0);
	/* until the first failure is 15 minutes old */
	CHECK_INT(account_login(st, "0912000002", "correct horse battery",
				"10.2.0.0/24", t + ACCOUNT_THROTTLE_WINDOW - 1,
				cookie2, csrf2, NULL, &err),
		  OCOP_EBUSY);
	CHECK_INT(account_login(st, "0912000002", "correct horse battery",
				"10.2.0.0/24", t + ACCOUNT_THROTTLE_WINDOW + 4,
				cookie2, csrf2, NULL, &err),
		  0);

	TEST(tname("20 failures a network in 15 "
		   "minutes"));
	t = T0 + 5000;
	for (int i = 0; i < ACCOUNT_THROTTLE_NET; i++) {
		char login[32];

		snprintf(login, sizeof(login), "09130000%02d", i);
		CHECK_INT(account_login(st, login, "whatever it is",
					"10.9.0.0/24", t + i, cookie2, csrf2,
					NULL, &err),
			  OCOP_EAUTH);
	}
	CHECK_INT(account_login(st, "an@example.vn", pw, "10.9.0.0/24", t + 30,
				cookie2, csrf2, NULL, &err),
		  OCOP_EBUSY);
	CHECK_INT(account_login(st, "an@example.vn", pw, "10.8.0.0/24", t + 30,
				cookie2, csrf2, NULL, &err),
		  0);
	CHECK_INT(account_login(st, "an@example.vn", pw, "10.9.0.0/24",
				t + ACCOUNT_THROTTLE_WINDOW, cookie2, csrf2,
				NULL, &err),
		  0);

	TEST(tname("a session ends after 2 hours "
		   "unused, or 12 hours"));
	t = T0 + 10000;
	CHECK_INT(account_login(st, "an@example.vn", pw, "n", t, cookie, csrf,
				NULL, &err),
		  0);
	CHECK_INT(account_session_check(
		      st, cookie, t + ACCOUNT_SESSION_IDLE - 1, &u, NULL, &err),
		  0);
	/* used then: idle counts from there, also through a reading handle
	 * inside a read (its use recorded on a connection of its own) */
	CHECK_INT(ocop_store_open(db, OCOP_STORE_READER, &rd, &err), 0);
	if (rd) {
		CHECK_INT(rd->m->read_begin(rd, &err), 0);
		CHECK_INT(account_session_check(
			      rd, cookie, t + 2 * ACCOUNT_SESSION_IDLE - 2, &u,
			      NULL, &err),
			  0);
		rd->m->read_end(rd);
		CHECK_INT(rd->m->read_begin(rd, &err), 0);
		CHECK_INT(account_session_check(
			      rd, cookie, t + 3 * ACCOUNT_SESSION_IDLE - 3, &u,
			      NULL, &err),
			  0);
		rd->m->read_end(rd);
		ocop_store_close(rd);
	}
	CHECK_INT(account_session_check(st, cookie,
					t + 4 * ACCOUNT_SESSION_IDLE - 3, &u,
					NULL, &err),
		  OCOP_EAUTH);
	CHECK_INT(account_login(st, "an@example.vn", pw, "n", t, cookie, csrf,
				NULL, &err),
		  0);
	for (int h = 1; h < 12; h++)
		CHECK_INT(account_session_check(st, cookie, t + h * 3600, &u,
						NULL, &err),
			  0);
	CHECK_INT(account_session_check(st, cookie, t + ACCOUNT_SESSION_MAX - 1,
					&u, NULL, &err),
		  0);
	CHECK_INT(account_session_check(st, cookie, t + ACCOUNT_SESSION_MAX, &u,
					NULL, &err),
		  OCOP_EAUTH);
	/* signing out */
	CHECK_INT(account_login(st, "an@example.vn", pw, "n", t, cookie, csrf,
				NULL, &err),
		  0);
	CHECK_INT(account_logout(st, cookie, "n", t + 5, &err), 0);
	CHECK_INT(account_session_check(st, cookie, t + 6, &u, NULL, &err),
		  OCOP_EAUTH);
	CHECK_INT(account_session_check(st, "x", t + 6, &u, NULL, &err),
		  OCOP_EAUTH);

	TEST(tname("disable and reset end sessions at "
		   "once"));
	t = T0 + 20000;
	CHECK_INT(account_login(st, "0912000002", "correct horse battery", "n",
				t, cookie, csrf, NULL, &err),
		  0);
	CHECK_INT(account_user_disable(st, "0912000002", "cli:test", NULL,
				       t + 1, &err),
		  0);
	CHECK_INT(account_session_check(st, cookie, t + 2, &u, NULL, &err),
		  OCOP_EAUTH);
	CHECK_INT(account_login(st, "0912000002", "correct horse battery", "n",
				t + 3, cookie, csrf, NULL, &err),
		  OCOP_EAUTH);
	CHECK_INT(account_login(st, "an@example.vn", pw, "n", t, cookie, csrf,
				NULL, &err),
		  0);
	CHECK_INT(account_user_reset(st, "an@example.vn", "cli:test", NULL,
				     t + 1, setup, &err),
		  0);
	CHECK_INT(account_session_check(st, cookie, t + 2, &u, NULL, &err),
		  OCOP_EAUTH);
	CHECK_INT(account_login(st, "an@example.vn", pw, "n2", t + 3, cookie,
				csrf, NULL, &err),
		  OCOP_EAUTH);
	CHECK_INT(account_setup_complete(st, setup, "a new password", NULL,
					 t + 4, &err),
		  0);
	CHECK_INT(account_login(st, "an@example.vn", "a new password", "n3",
				t + 5, cookie, csrf, NULL, &err),
		  0);
	CHECK_INT(account_user_disable(st, "nobody@example.vn", "cli:test",
				       NULL, t, &err),
		  OCOP_ENOENT);
	ocop_store_close(st);
}

static void
quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

int
main(void)
{
	char path[] = "/tmp/test_account_XXXXXX";
	char file[64], uri[512], conninfo[400];
	const char *sockdir = getenv("OCOP_TEST_PG");
	PGconn *c;

	if (!mkdtemp(path)) {
		printf("FAIL account: cannot make a temporary directory\n");
		return 1;
	}
	snprintf(file, sizeof(file), "%s/ocop.db", path);
	engine = "sqlite";
	test_engine(file);
	unlink(file);
	snprintf(file, sizeof(file), "%s/ocop.db-wal", path);
	unlink(file);
	snprintf(file, sizeof(file), "%s/ocop.db-shm", path);
	unlink(file);
	rmdir(path);

	if (!sockdir || !*sockdir) {
		printf("FAIL account pg: OCOP_TEST_PG is not set (tests/run "
		       "starts a server with tests/pg.sh)\n");
		harness_done();
		return 1;
	}
	snprintf(conninfo, sizeof(conninfo),
		 "host=%s user=postgres dbname=postgres", sockdir);
	c = PQconnectdb(conninfo);
	PQsetNoticeProcessor(c, quiet, NULL);
	PQclear(PQexec(c, "DROP DATABASE IF EXISTS test_account WITH (FORCE)"));
	PQclear(PQexec(c, "CREATE DATABASE test_account"));
	PQfinish(c);
	snprintf(uri, sizeof(uri),
		 "postgresql:///test_account?host=%s&user=postgres", sockdir);
	engine = "pg";
	test_engine(uri);
	return harness_done();
}
