/*
 * account.c - the web console's people and sessions (see account.h).
 */
#include <ctype.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "account.h"
#include "audit.h"
#include "token.h"

/* ---- logins ------------------------------------------------------------ */

static int
email_ok(const char *s)
{
	const char *at = strchr(s, '@');
	const char *dom, *p;

	if (!at || at == s || strchr(at + 1, '@') || at - s > 64)
		return 0;
	for (p = s; p < at; p++)
		if (!isalnum((unsigned char)*p) &&
		    !strchr(".!#$%&'*+/=?^_`{|}~-", *p))
			return 0;
	if (s[0] == '.' || at[-1] == '.' || strstr(s, ".."))
		return 0;
	dom = at + 1;
	if (!*dom || !strchr(dom, '.') || dom[0] == '.' || dom[0] == '-' ||
	    dom[strlen(dom) - 1] == '.' || dom[strlen(dom) - 1] == '-')
		return 0;
	for (p = dom; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-')
			return 0;
	return 1;
}

int
account_login_normalise(const char *login, char *out, struct ocop_error *err)
{
	size_t n = 0, digits = 0;

	if (!login || !*login)
		return ocop_error_set(err, OCOP_EINVAL, "login is empty");
	if (strlen(login) > ACCOUNT_LOGIN_MAX)
		return ocop_error_set(err, OCOP_EINVAL,
				      "login is longer than %d characters",
				      ACCOUNT_LOGIN_MAX);
	if (strchr(login, '@')) {
		for (const char *p = login; *p; p++)
			out[n++] = (char)tolower((unsigned char)*p);
		out[n] = '\0';
		if (!email_ok(out))
			return ocop_error_set(
			    err, OCOP_EINVAL,
			    "login '%s' is not a valid e-mail "
			    "address",
			    login);
		return 0;
	}
	for (const char *p = login; *p; p++) {
		if (*p == '+' && n == 0) {
			out[n++] = '+';
		} else if (isdigit((unsigned char)*p)) {
			out[n++] = *p;
			digits++;
		} else if (*p != ' ' && *p != '.' && *p != '-') {
			return ocop_error_set(err, OCOP_EINVAL,
					      "login '%s' is neither a phone "
					      "number nor an e-mail address",
					      login);
		}
	}
	out[n] = '\0';
	if (digits < 9 || digits > 15)
		return ocop_error_set(err, OCOP_EINVAL,
				      "login '%s': a phone number has 9 to 15 "
				      "digits",
				      login);
	return 0;
}

/* ---- secrets ----------------------------------------------------------- */

static void
secret_make(char *out)
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, ACCOUNT_SECRET_LEN + 1, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

/* The keyed hash of a secret; OCOP_EAUTH when it cannot be one of ours
 * (its shape is public), OCOP_ENOENT when no key was ever made. */
static int
secret_hash(struct ocop_store *st, const char *secret, unsigned char *hash,
	    struct ocop_error *err)
{
	unsigned char key[TOKEN_KEY_LEN];
	int rc;

	if (!secret || strlen(secret) != ACCOUNT_SECRET_LEN)
		return ocop_error_set(err, OCOP_EAUTH, "malformed secret");
	if ((rc = token_key_load(st, key, err)) < 0)
		return rc;
	token_keyed_hash(key, secret, ACCOUNT_SECRET_LEN, hash);
	sodium_memzero(key, sizeof(key));
	return 0;
}

/* As secret_hash, making the key when there is none (in a transaction). */
static int
secret_hash_new(struct ocop_store *st, const char *secret, unsigned char *hash,
		struct ocop_error *err)
{
	unsigned char key[TOKEN_KEY_LEN];
	int rc;

	if ((rc = token_key_get_or_make(st, key, err)) < 0)
		return rc;
	token_keyed_hash(key, secret, ACCOUNT_SECRET_LEN, hash);
	sodium_memzero(key, sizeof(key));
	return 0;
}

static int
sodium_ready(struct ocop_error *err)
{
	if (sodium_init() < 0)
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "cannot initialise libsodium");
	return 0;
}

static void
user_public(const struct store_user *u, struct account_user *out)
{
	if (!out)
		return;
	memset(out, 0, sizeof(*out));
	out->id = u->id;
	ocop_strlcpy(out->login, u->login, sizeof(out->login));
	out->role = u->role;
	out->producer_id = u->producer_id;
	ocop_strlcpy(out->province, u->province, sizeof(out->province));
	ocop_strlcpy(out->name, u->name, sizeof(out->name));
}

static void
user_wipe(struct store_user *u)
{
	sodium_memzero(u->password, sizeof(u->password));
	sodium_memzero(u->setup_hash, sizeof(u->setup_hash));
}

static void
actor_of(const struct store_user *u, char *buf, size_t size)
{
	snprintf(buf, size, "user:%s", u->login);
}

/* ---- users ------------------------------------------------------------- */

/* A new setup link for u into setup_out (u's fields set; not stored). */
static int
setup_new(struct ocop_store *st, struct store_user *u, int64_t now,
	  char *setup_out, struct ocop_error *err)
{
	int rc;

	secret_make(setup_out);
	if ((rc = secret_hash_new(st, setup_out, u->setup_hash, err)) < 0)
		return rc;
	u->has_setup = 1;
	u->setup_expires = now + ACCOUNT_SETUP_TTL;
	return 0;
}

static int
text_ok(const char *what, const char *s, size_t max, struct ocop_error *err)
{
	if (s && strlen(s) >= max)
		return ocop_error_set(err, OCOP_EINVAL,
				      "%s is longer than %zu bytes", what,
				      max - 1);
	for (const char *p = s ? s : ""; *p; p++)
		if ((unsigned char)*p < 0x20)
			return ocop_error_set(err, OCOP_EINVAL,
					      "%s holds a control character",
					      what);
	return 0;
}

int
account_user_add(struct ocop_store *st, const char *login, enum ocop_role role,
		 const char *producer_code, const char *province,
		 const char *name, const char *actor, const char *net,
		 int64_t now, char *setup_out, int64_t *id_out,
		 struct ocop_error *err)
{
	struct store_user u;
	struct ocop_product p;
	char detail[160];
	int rc;

	memset(&u, 0, sizeof(u));
	if ((rc = sodium_ready(err)) < 0 ||
	    (rc = account_login_normalise(login, u.login, err)) < 0)
		return rc;
	if (role < OCOP_ROLE_ADMIN || role > OCOP_ROLE_INSPECTOR)
		return ocop_error_set(err, OCOP_EINVAL, "invalid role");
	if (producer_code && !*producer_code)
		producer_code = NULL;
	if ((role == OCOP_ROLE_PRODUCER) != (producer_code != NULL))
		return ocop_error_set(err, OCOP_EINVAL,
				      "a producer user needs a producer's "
				      "product code, and only a producer user "
				      "takes one");
	if ((rc = text_ok("province", province, sizeof(u.province), err)) < 0 ||
	    (rc = text_ok("name", name, sizeof(u.name), err)) < 0)
		return rc;
	u.role = role;
	ocop_strlcpy(u.province, province ? province : "", sizeof(u.province));
	ocop_strlcpy(u.name, name ? name : "", sizeof(u.name));
	u.created_at = now;
	u.disabled_at = OCOP_NO_TIME;
	u.password_at = OCOP_NO_TIME;
	if ((rc = st->m->begin(st, err)) < 0)
		return rc;
	if (producer_code) {
		rc = st->m->product_get(st, producer_code, &p, err);
		if (rc == OCOP_ENOENT)
			ocop_error_set(err, OCOP_ENOENT,
				       "unknown product code '%s'",
				       producer_code);
		if (rc < 0)
			goto out_rollback;
		u.producer_id = p.producer.id;
	}
	if ((rc = setup_new(st, &u, now, setup_out, err)) < 0 ||
	    (rc = st->m->user_add(st, &u, err)) < 0)
		goto out_rollback;
	snprintf(detail, sizeof(detail), "role %s%s%s", ocop_role_name(role),
		 producer_code ? ", producer of " : "",
		 producer_code ? producer_code : "");
	if ((rc = audit_add(st, actor, "user.add", u.login, net, detail, now,
			    err)) < 0)
		goto out_rollback;
	if ((rc = st->m->commit(st, err)) < 0)
		goto out;
	if (id_out)
		*id_out = u.id;
	goto out;
out_rollback:
	st->m->rollback(st);
out:
	user_wipe(&u);
	if (rc < 0)
		sodium_memzero(setup_out, ACCOUNT_SECRET_LEN + 1);
	return rc;
}

int
account_user_get(struct ocop_store *st, const char *login,
		 struct store_user *out, struct ocop_error *err)
{
	char norm[ACCOUNT_LOGIN_MAX + 1];
	int rc;

	if ((rc = account_login_normalise(login, norm, err)) < 0)
		return rc;
	rc = st->m->user_get(st, norm, out, err);
	if (rc == OCOP_ENOENT)
		return ocop_error_set(err, OCOP_ENOENT, "no user '%s'", norm);
	if (rc == 0)
		user_wipe(out);
	return rc;
}

struct each_ctx {
	store_user_cb cb;
	void *ctx;
};

static int
each_wiped(void *ctx, const struct store_user *u)
{
	struct each_ctx *e = ctx;
	struct store_user c = *u;
	int rc;

	user_wipe(&c);
	rc = e->cb(e->ctx, &c);
	return rc;
}

int
account_user_each(struct ocop_store *st, store_user_cb cb, void *ctx,
		  struct ocop_error *err)
{
	struct each_ctx e = {cb, ctx};

	return st->m->user_each(st, each_wiped, &e, err);
}

/* In a transaction: the user of login into *u. */
static int
user_load(struct ocop_store *st, const char *login, struct store_user *u,
	  struct ocop_error *err)
{
	char norm[ACCOUNT_LOGIN_MAX + 1];
	int rc;

	if ((rc = account_login_normalise(login, norm, err)) < 0)
		return rc;
	rc = st->m->user_get(st, norm, u, err);
	if (rc == OCOP_ENOENT)
		return ocop_error_set(err, OCOP_ENOENT, "no user '%s'", norm);
	return rc;
}

int
account_user_disable(struct ocop_store *st, const char *login,
		     const char *actor, const char *net, int64_t now,
		     struct ocop_error *err)
{
	struct store_user u;
	int rc;

	if ((rc = st->m->begin(st, err)) < 0)
		return rc;
	if ((rc = user_load(st, login, &u, err)) < 0)
		goto out_rollback;
	if (u.disabled_at == OCOP_NO_TIME)
		u.disabled_at = now;
	u.has_setup = 0;
	if ((rc = st->m->user_update(st, &u, err)) < 0 ||
	    (rc = st->m->session_end_user(st, u.id, now, err)) < 0 ||
	    (rc = audit_add(st, actor, "user.disable", u.login, net, NULL, now,
			    err)) < 0)
		goto out_rollback;
	rc = st->m->commit(st, err);
	goto out;
out_rollback:
	st->m->rollback(st);
out:
	user_wipe(&u);
	return rc;
}

int
account_user_reset(struct ocop_store *st, const char *login, const char *actor,
		   const char *net, int64_t now, char *setup_out,
		   struct ocop_error *err)
{
	struct store_user u;
	int rc;

	memset(&u, 0, sizeof(u));
	if ((rc = sodium_ready(err)) < 0 || (rc = st->m->begin(st, err)) < 0)
		return rc;
	if ((rc = user_load(st, login, &u, err)) < 0)
		goto out_rollback;
	u.password[0] = '\0';
	u.password_at = OCOP_NO_TIME;
	u.disabled_at = OCOP_NO_TIME;
	if ((rc = setup_new(st, &u, now, setup_out, err)) < 0 ||
	    (rc = st->m->user_update(st, &u, err)) < 0 ||
	    (rc = st->m->session_end_user(st, u.id, now, err)) < 0 ||
	    (rc = audit_add(st, actor, "user.reset", u.login, net, NULL, now,
			    err)) < 0)
		goto out_rollback;
	rc = st->m->commit(st, err);
	goto out;
out_rollback:
	st->m->rollback(st);
out:
	user_wipe(&u);
	if (rc < 0)
		sodium_memzero(setup_out, ACCOUNT_SECRET_LEN + 1);
	return rc;
}

/* ---- setup links ------------------------------------------------------- */

static int
setup_find(struct ocop_store *st, const char *setup, int64_t now,
	   struct store_user *u, struct ocop_error *err)
{
	unsigned char hash[TOKEN_HASH_LEN];
	int rc;

	rc = secret_hash(st, setup, hash, err);
	if (rc == 0)
		rc = st->m->user_get_by_setup(st, hash, sizeof(hash), u, err);
	sodium_memzero(hash, sizeof(hash));
	if (rc == OCOP_ENOENT || rc == OCOP_EAUTH)
		return ocop_error_set(err, OCOP_ENOENT,
				      "unknown or used setup link");
	if (rc < 0)
		return rc;
	if (!u->has_setup || now >= u->setup_expires) {
		user_wipe(u);
		return ocop_error_set(err, OCOP_EREFUSED,
				      "setup link has expired: ask for a new "
				      "one");
	}
	if (u->disabled_at != OCOP_NO_TIME) {
		user_wipe(u);
		return ocop_error_set(err, OCOP_EREFUSED,
				      "user '%s' is disabled", u->login);
	}
	return 0;
}

int
account_setup_check(struct ocop_store *st, const char *setup, int64_t now,
		    struct account_user *user, struct ocop_error *err)
{
	struct store_user u;
	int rc = setup_find(st, setup, now, &u, err);

	if (rc == 0) {
		user_public(&u, user);
		user_wipe(&u);
	}
	return rc;
}

/* Unicode code points of a UTF-8 string (its bytes that begin one). */
static size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

int
account_setup_complete(struct ocop_store *st, const char *setup,
		       const char *password, const char *net, int64_t now,
		       struct ocop_error *err)
{
	char hashed[crypto_pwhash_STRBYTES], actor[160];
	struct store_user u;
	int rc;

	memset(&u, 0, sizeof(u));
	if ((rc = sodium_ready(err)) < 0)
		return rc;
	if (!password || utf8_chars(password) < ACCOUNT_PASSWORD_MIN)
		return ocop_error_set(err, OCOP_EINVAL,
				      "password is shorter than %d characters",
				      ACCOUNT_PASSWORD_MIN);
	if (strlen(password) > ACCOUNT_PASSWORD_MAX)
		return ocop_error_set(err, OCOP_EINVAL,
				      "password is longer than %d bytes",
				      ACCOUNT_PASSWORD_MAX);
	/* the slow hash before the transaction: no lock held meanwhile */
	if (crypto_pwhash_str(hashed, password, strlen(password),
			      crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "cannot hash the password: out of "
				      "memory");
	if ((rc = st->m->begin(st, err)) < 0)
		goto out;
	/* found again inside the transaction: one use only */
	if ((rc = setup_find(st, setup, now, &u, err)) < 0)
		goto out_rollback;
	ocop_strlcpy(u.password, hashed, sizeof(u.password));
	u.password_at = now;
	u.has_setup = 0;
	actor_of(&u, actor, sizeof(actor));
	if ((rc = st->m->user_update(st, &u, err)) < 0 ||
	    (rc = st->m->session_end_user(st, u.id, now, err)) < 0 ||
	    (rc = audit_add(st, actor, "user.setup", u.login, net, NULL, now,
			    err)) < 0)
		goto out_rollback;
	rc = st->m->commit(st, err);
	goto out;
out_rollback:
	st->m->rollback(st);
out:
	sodium_memzero(hashed, sizeof(hashed));
	user_wipe(&u);
	return rc;
}

/* ---- signing in -------------------------------------------------------- */

/* A password hash no password matches in practice, verified when the
 * login is unknown so that both answers take as long. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void
dummy_make(void)
{
	unsigned char raw[32];
	char pw[65];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(pw, sizeof(pw), raw, sizeof(raw));
	if (crypto_pwhash_str(dummy_hash, pw, strlen(pw),
			      crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		dummy_hash[0] = '\0';
	sodium_memzero(pw, sizeof(pw));
}

/* Record a refused sign-in (attempt and audit) in a transaction of its
 * own, then answer code with msg. */
static int
refuse(struct ocop_store *st, const char *login, const char *net, int64_t now,
       int record, int code, const char *why, struct ocop_error *err)
{
	char actor[160];
	int rc;

	snprintf(actor, sizeof(actor), "user:%s", login);
	if ((rc = st->m->begin(st, err)) < 0)
		return rc;
	if ((record &&
	     (rc = st->m->signin_add(st, login, net, now, 0, err)) < 0) ||
	    (rc = audit_add(st, actor, "signin.refused", login, net, why, now,
			    err)) < 0) {
		st->m->rollback(st);
		return rc;
	}
	if ((rc = st->m->commit(st, err)) < 0)
		return rc;
	if (code == OCOP_EBUSY)
		return ocop_error_set(err, OCOP_EBUSY,
				      "too many failed sign-ins: try again in "
				      "%d minutes",
				      ACCOUNT_THROTTLE_WINDOW / 60);
	return ocop_error_set(err, OCOP_EAUTH, "wrong login or password");
}

int
account_login(struct ocop_store *st, const char *login, const char *password,
	      const char *net, int64_t now, char *cookie_out, char *csrf_out,
	      struct account_user *user, struct ocop_error *err)
{
	char norm[ACCOUNT_LOGIN_MAX + 1], actor[160];
	unsigned char hash[TOKEN_HASH_LEN];
	struct store_session se;
	struct store_user u;
	int64_t by_login = 0, by_net = 0;
	int rc, found, ok;

	memset(&u, 0, sizeof(u));
	if ((rc = sodium_ready(err)) < 0)
		return rc;
	pthread_once(&dummy_once, dummy_make);
	if (!net)
		net = "";
	/* a login that cannot be one is throttled under what was typed */
	if (account_login_normalise(login, norm, NULL) < 0)
		ocop_strlcpy(norm, login ? login : "", sizeof(norm));
	if ((rc = st->m->signin_failures(st, norm, net,
					 now - ACCOUNT_THROTTLE_WINDOW + 1,
					 &by_login, &by_net, err)) < 0)
		return rc;
	if (by_login >= ACCOUNT_THROTTLE_LOGIN ||
	    by_net >= ACCOUNT_THROTTLE_NET)
		return refuse(st, norm, net, now, 0, OCOP_EBUSY, "throttled",
			      err);
	rc = st->m->user_get(st, norm, &u, err);
	if (rc < 0 && rc != OCOP_ENOENT)
		return rc;
	found = rc == 0 && u.password[0];
	if (!password || strlen(password) > ACCOUNT_PASSWORD_MAX)
		password = "";
	ok = crypto_pwhash_str_verify(found ? u.password : dummy_hash, password,
				      strlen(password)) == 0;
	if (!found || !ok || u.disabled_at != OCOP_NO_TIME) {
		user_wipe(&u);
		return refuse(st, norm, net, now, 1, OCOP_EAUTH,
			      !found ? "unknown login or no password"
			      : !ok  ? "wrong password"
				     : "disabled",
			      err);
	}
	memset(&se, 0, sizeof(se));
	se.user_id = u.id;
	se.created_at = now;
	se.used_at = now;
	secret_make(cookie_out);
	secret_make(se.csrf);
	actor_of(&u, actor, sizeof(actor));
	if ((rc = st->m->begin(st, err)) < 0)
		goto out;
	if ((rc = secret_hash_new(st, cookie_out, hash, err)) < 0 ||
	    (rc = st->m->session_add(st, hash, sizeof(hash), &se, err)) < 0 ||
	    (rc = st->m->signin_add(st, norm, net, now, 1, err)) < 0 ||
	    (rc = audit_add(st, actor, "signin", u.login, net, NULL, now,
			    err)) < 0) {
		st->m->rollback(st);
		goto out;
	}
	if ((rc = st->m->commit(st, err)) < 0)
		goto out;
	ocop_strlcpy(csrf_out, se.csrf, ACCOUNT_SECRET_LEN + 1);
	user_public(&u, user);
out:
	sodium_memzero(hash, sizeof(hash));
	sodium_memzero(se.csrf, sizeof(se.csrf));
	user_wipe(&u);
	if (rc < 0)
		sodium_memzero(cookie_out, ACCOUNT_SECRET_LEN + 1);
	return rc;
}

/* ---- sessions ---------------------------------------------------------- */

static int
session_find(struct ocop_store *st, const char *cookie,
	     struct store_session *se, struct ocop_error *err)
{
	unsigned char hash[TOKEN_HASH_LEN];
	int rc = secret_hash(st, cookie, hash, err);

	if (rc == 0)
		rc = st->m->session_find(st, hash, sizeof(hash), se, err);
	sodium_memzero(hash, sizeof(hash));
	if (rc == OCOP_ENOENT || rc == OCOP_EAUTH)
		return ocop_error_set(err, OCOP_EAUTH, "no such session");
	return rc;
}

int
account_session_check(struct ocop_store *st, const char *cookie, int64_t now,
		      struct account_user *user, char *csrf_out,
		      struct ocop_error *err)
{
	struct store_session se;
	struct store_user u;
	int rc;

	if ((rc = session_find(st, cookie, &se, err)) < 0)
		return rc;
	if (se.ended_at != OCOP_NO_TIME)
		rc = ocop_error_set(err, OCOP_EAUTH, "session has ended");
	else if (now - se.created_at >= ACCOUNT_SESSION_MAX)
		rc = ocop_error_set(err, OCOP_EAUTH,
				    "session is over %d hours old",
				    ACCOUNT_SESSION_MAX / 3600);
	else if (now - se.used_at >= ACCOUNT_SESSION_IDLE)
		rc = ocop_error_set(err, OCOP_EAUTH,
				    "session unused for %d hours",
				    ACCOUNT_SESSION_IDLE / 3600);
	if (rc < 0)
		goto out;
	rc = st->m->user_get_by_id(st, se.user_id, &u, err);
	if (rc == OCOP_ENOENT)
		rc = ocop_error_set(err, OCOP_EAUTH, "no such session");
	if (rc < 0)
		goto out;
	/* disable and reset end the sessions; this holds even if one was
	 * begun by a node that had not yet seen the change */
	if (u.disabled_at != OCOP_NO_TIME || !u.password[0]) {
		user_wipe(&u);
		rc = ocop_error_set(err, OCOP_EAUTH, "user '%s' is disabled",
				    u.login);
		goto out;
	}
	if (now - se.used_at >= ACCOUNT_TOUCH_EVERY)
		(void)st->m->session_touch(st, se.id, now, NULL);
	user_public(&u, user);
	user_wipe(&u);
	if (csrf_out)
		ocop_strlcpy(csrf_out, se.csrf, ACCOUNT_SECRET_LEN + 1);
out:
	sodium_memzero(se.csrf, sizeof(se.csrf));
	return rc;
}

int
account_logout(struct ocop_store *st, const char *cookie, const char *net,
	       int64_t now, struct ocop_error *err)
{
	struct store_session se;
	struct store_user u;
	char actor[160] = "user:?";
	int rc;

	rc = session_find(st, cookie, &se, err);
	if (rc == OCOP_EAUTH)
		return 0;
	if (rc < 0)
		return rc;
	sodium_memzero(se.csrf, sizeof(se.csrf));
	if (se.ended_at != OCOP_NO_TIME)
		return 0;
	if (st->m->user_get_by_id(st, se.user_id, &u, NULL) == 0) {
		actor_of(&u, actor, sizeof(actor));
		user_wipe(&u);
	}
	if ((rc = st->m->begin(st, err)) < 0)
		return rc;
	if ((rc = st->m->session_end(st, se.id, now, err)) < 0 ||
	    (rc = audit_add(st, actor, "signout", actor + 5, net, NULL, now,
			    err)) < 0) {
		st->m->rollback(st);
		return rc;
	}
	return st->m->commit(st, err);
}

int
account_csrf_ok(const char *expected, const char *given)
{
	size_t n;

	if (!expected || !given || !*expected)
		return 0;
	n = strlen(expected);
	if (strlen(given) != n)
		return 0;
	return sodium_memcmp(expected, given, n) == 0;
}
