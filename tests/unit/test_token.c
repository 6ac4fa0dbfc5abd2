/*
 * test_token.c - tokens: made once, stored hashed, checked by role.
 */
#include <stdlib.h>

#include "harness.h"
#include "token.h"

static void
test_tokens(const char *db_path)
{
	struct ocop_error err = {0};
	struct ocop_store *st = NULL;
	unsigned char key[TOKEN_KEY_LEN];
	char a[TOKEN_LEN + 1], b[TOKEN_LEN + 1], bad[TOKEN_LEN + 1];
	enum ocop_role role = OCOP_ROLE_NONE;
	int64_t producer = -1, id = 0;
	struct store_token tk;
	size_t len = 0;
	const char *t;

	TEST("token roles by name");
	CHECK_INT(ocop_role_parse("inspector", &role), 0);
	CHECK_INT(role, OCOP_ROLE_INSPECTOR);
	CHECK_INT(ocop_role_parse("root", &role), OCOP_EINVAL);
	CHECK_STR(ocop_role_name(OCOP_ROLE_PRODUCER), "producer");

	TEST("token_create makes distinct tokens and a key once");
	CHECK_INT(ocop_store_open(db_path, 1, &st, &err), 0);
	CHECK_INT(token_key_load(st, key, &err), OCOP_ENOENT);
	CHECK_INT(token_create(st, OCOP_ROLE_INSPECTOR, 0, 1000,
			       OCOP_NO_TIME, a, &id, &err), 0);
	CHECK_INT(token_create(st, OCOP_ROLE_ADMIN, 0, 1000, OCOP_NO_TIME, b,
			       NULL, &err), 0);
	CHECK_INT((int)strlen(a), TOKEN_LEN);
	CHECK(strncmp(a, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) == 0);
	CHECK(strcmp(a, b) != 0);
	CHECK_INT(token_key_load(st, key, &err), 0);
	CHECK_INT(token_create(st, OCOP_ROLE_PRODUCER, 0, 1000, OCOP_NO_TIME,
			       bad, NULL, &err),
		  OCOP_EINVAL);
	CHECK_INT(token_create(st, OCOP_ROLE_ADMIN, 7, 1000, OCOP_NO_TIME, bad,
			       NULL, &err), OCOP_EINVAL);

	TEST("token_check finds the role; wrong tokens are OCOP_EAUTH");
	CHECK_INT(token_check(st, key, a, strlen(a), &role, &producer, &err),
		  0);
	CHECK_INT(role, OCOP_ROLE_INSPECTOR);
	CHECK_INT(producer, 0);
	CHECK_INT(token_check(st, key, b, strlen(b), &role, &producer, &err),
		  0);
	CHECK_INT(role, OCOP_ROLE_ADMIN);
	memcpy(bad, a, sizeof(bad));
	bad[10] = bad[10] == 'A' ? 'B' : 'A';
	CHECK_INT(token_check(st, key, bad, strlen(bad), &role, &producer,
			      &err),
		  OCOP_EAUTH);
	CHECK_INT(token_check(st, key, a, strlen(a) - 1, &role, &producer,
			      &err),
		  OCOP_EAUTH);
	CHECK_INT(token_check(st, key, "", 0, &role, &producer, &err),
		  OCOP_EAUTH);

	TEST("a token expires and is revoked at once; its use is recorded");
	CHECK_INT(token_create(st, OCOP_ROLE_ADMIN, 0, 1000, 1000, bad, NULL,
			       &err),
		  OCOP_EINVAL);
	CHECK_INT(token_create(st, OCOP_ROLE_INSPECTOR, 0, 1000, OCOP_NO_TIME,
			       a, &id, &err),
		  0);
	CHECK_INT(token_create(st, OCOP_ROLE_ADMIN, 0, 1000, 5000, b, NULL,
			       &err),
		  0);
	CHECK_INT(token_check_at(st, key, b, strlen(b), 4999, &tk, &err), 0);
	CHECK_INT(tk.last_used_at, 4999);
	CHECK_INT(token_check_at(st, key, b, strlen(b), 5000, &tk, &err),
		  OCOP_EAUTH);
	CHECK(strstr(err.msg, "expired") != NULL);
	CHECK_INT(token_check_at(st, key, a, strlen(a), 2000, &tk, &err), 0);
	CHECK_INT(tk.id, id);
	CHECK_INT(tk.last_used_at, 2000);
	/* recorded at most once a minute */
	CHECK_INT(token_check_at(st, key, a, strlen(a), 2030, &tk, &err), 0);
	CHECK_INT(tk.last_used_at, 2000);
	CHECK_INT(token_check_at(st, key, a, strlen(a), 2060, &tk, &err), 0);
	CHECK_INT(tk.last_used_at, 2060);
	CHECK_INT(st->m->token_revoke(st, id, 2100, &err), 0);
	CHECK_INT(st->m->token_revoke(st, id, 2200, &err), 0);
	CHECK_INT(token_check_at(st, key, a, strlen(a), 2101, &tk, &err),
		  OCOP_EAUTH);
	CHECK(strstr(err.msg, "revoked") != NULL);
	CHECK_INT(st->m->token_revoke(st, 999, 2100, &err), OCOP_ENOENT);

	TEST("token_from_header takes Bearer only");
	t = token_from_header("Bearer  abc \t", &len);
	CHECK(t != NULL);
	CHECK_INT(len, 3);
	CHECK(t && strncmp(t, "abc", 3) == 0);
	CHECK(token_from_header("bearer x", &len) != NULL);
	CHECK(token_from_header("Basic abc", &len) == NULL);
	CHECK(token_from_header("Bearerabc", &len) == NULL);
	CHECK(token_from_header(NULL, &len) == NULL);
	ocop_store_close(st);
}

int
main(void)
{
	char dir[] = "/tmp/ocop-token-XXXXXX";
	char path[256], cmd[300];
	int rc;

	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/t.db", dir);
	test_tokens(path);
	rc = harness_done();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
