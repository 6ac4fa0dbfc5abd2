/*
 * account.h - the web console's people and sessions (SPEC 8): users,
 * their one-time setup links and passwords, signing in with its throttle,
 * sessions and their CSRF tokens. The console's pages call these; the
 * command line's `ocop user` too. Every change is written to the audit
 * log (audit.h) in the change's own transaction.
 *
 * Secrets. Setup links, session cookies and CSRF tokens are 32 bytes of
 * libsodium's CSPRNG in unpadded base64url (ACCOUNT_SECRET_LEN
 * characters). Setup links and cookies are stored only as their keyed
 * hash (BLAKE2b with the database's "token_key", as API tokens:
 * token.h), so a copied database opens no session. Passwords are stored
 * with Argon2id, crypto_pwhash_str at the INTERACTIVE limits (64 MiB, 2
 * passes: about a tenth of a second on one core), which suits a service
 * where every sign-in pays it once; they are at least
 * ACCOUNT_PASSWORD_MIN characters (Unicode code points) and at most
 * ACCOUNT_PASSWORD_MAX bytes of UTF-8. Secrets held in memory here are
 * wiped after use; the caller wipes the ones it is given.
 *
 * Logins. A phone number (digits with an optional leading '+', 9 to 15
 * of them; spaces, dots and dashes are dropped) or an e-mail address
 * (lowercased). account_login_normalise gives the stored form; every
 * function taking a login normalises it first.
 *
 * Handles. Functions that change something need a handle that may write
 * (not OCOP_STORE_READER, not inside a read); they nest in the caller's
 * transaction. account_session_check and account_setup_check only read,
 * and work on any handle, inside a read too (a session's last use is
 * recorded as store.h's session_touch says, at most once a minute).
 *
 * Instants (now) are the caller's, from ocop_now(). Errors are negative
 * OCOP_E* codes with err set; see each function.
 */
#ifndef OCOP_ACCOUNT_H
#define OCOP_ACCOUNT_H

#include <stddef.h>
#include <stdint.h>

#include "ocop.h"
#include "store/store.h"

/* 32 random bytes in unpadded base64url */
#define ACCOUNT_SECRET_LEN 43
#define ACCOUNT_LOGIN_MAX 127
#define ACCOUNT_PASSWORD_MIN 10
#define ACCOUNT_PASSWORD_MAX 1024

#define ACCOUNT_SETUP_TTL (72 * 3600)	  /* a setup link's life */
#define ACCOUNT_SESSION_MAX (12 * 3600)	  /* a session's life */
#define ACCOUNT_SESSION_IDLE (2 * 3600)	  /* a session unused ends */
#define ACCOUNT_TOUCH_EVERY 60		  /* last use recorded this often */
#define ACCOUNT_THROTTLE_WINDOW (15 * 60) /* failures counted over */
#define ACCOUNT_THROTTLE_LOGIN 5	  /* failures a login */
#define ACCOUNT_THROTTLE_NET 20		  /* failures a client network */

/* The signed-in user, as the console needs it. */
struct account_user {
	int64_t id;
	char login[ACCOUNT_LOGIN_MAX + 1];
	enum ocop_role role;
	int64_t producer_id; /* 0 unless role is OCOP_ROLE_PRODUCER */
	char province[64];
	char name[256];
};

/*
 * The stored form of login into out (ACCOUNT_LOGIN_MAX + 1 bytes).
 * OCOP_EINVAL, saying why, when it is neither a phone number nor an
 * e-mail address.
 */
int account_login_normalise(const char *login, char *out,
			    struct ocop_error *err);

/*
 * Add a user. role: admin, inspector or producer; producer_code: any
 * product code of the user's producer, required for a producer and
 * refused for the others (NULL or ""); province and name may be NULL.
 * Writes the setup link's secret into setup_out (ACCOUNT_SECRET_LEN + 1
 * bytes): the person chooses a password at {BASE}/console/setup/SECRET
 * until now + ACCOUNT_SETUP_TTL. actor and net are the audit log's (net
 * may be NULL). *id_out (may be NULL): the user's id.
 * Errors: OCOP_EINVAL (bad login, role, province or name), OCOP_ENOENT
 * (unknown product code), OCOP_EEXIST (login taken), the store's.
 */
int account_user_add(struct ocop_store *st, const char *login,
		     enum ocop_role role, const char *producer_code,
		     const char *province, const char *name, const char *actor,
		     const char *net, int64_t now, char *setup_out,
		     int64_t *id_out, struct ocop_error *err);

/*
 * A user by login, or every user ordered by login, as stored with the
 * secrets left out (password "", setup_hash zero; has_setup and
 * setup_expires tell whether a link is pending). OCOP_ENOENT: no such
 * user.
 */
int account_user_get(struct ocop_store *st, const char *login,
		     struct store_user *out, struct ocop_error *err);
int account_user_each(struct ocop_store *st, store_user_cb cb, void *ctx,
		      struct ocop_error *err);

/*
 * Disable a user at now: every session ends at once, a pending setup link
 * is dropped, signing in is refused. Disabling twice keeps the first time.
 * OCOP_ENOENT: no such user.
 */
int account_user_disable(struct ocop_store *st, const char *login,
			 const char *actor, const char *net, int64_t now,
			 struct ocop_error *err);

/*
 * Reset a user: the password and every session end at once, and a new
 * setup link (into setup_out, as account_user_add) replaces any pending
 * one. A disabled user is enabled again: the link is how an administrator
 * lets the person back in. OCOP_ENOENT: no such user.
 */
int account_user_reset(struct ocop_store *st, const char *login,
		       const char *actor, const char *net, int64_t now,
		       char *setup_out, struct ocop_error *err);

/*
 * Whether setup is the secret of a setup link usable at now; *user (may
 * be NULL) is whose. OCOP_ENOENT: unknown or already used; OCOP_EREFUSED:
 * expired, or the user is disabled.
 */
int account_setup_check(struct ocop_store *st, const char *setup, int64_t now,
			struct account_user *user, struct ocop_error *err);

/*
 * Use a setup link once: set the password (see above for its rules) and
 * end the link and any session of the user. Errors as account_setup_check,
 * and OCOP_EINVAL for a password too short or too long.
 */
int account_setup_complete(struct ocop_store *st, const char *setup,
			   const char *password, const char *net, int64_t now,
			   struct ocop_error *err);

/*
 * Sign in from client network net (the scan log's form: IPv4 /24, IPv6
 * /48; "" when unknown). On success: a new session, its cookie's value
 * into cookie_out and its CSRF token into csrf_out (ACCOUNT_SECRET_LEN + 1
 * bytes each), the user into *user (may be NULL).
 * Errors: OCOP_EAUTH "wrong login or password" for an unknown login, a
 * wrong password, a disabled user or one without a password yet, alike;
 * OCOP_EBUSY (HTTP 429) once ACCOUNT_THROTTLE_LOGIN failures for this
 * login, or ACCOUNT_THROTTLE_NET from this network, happened in the last
 * ACCOUNT_THROTTLE_WINDOW seconds, until that many are older (the
 * password is then not even tried). Sign-ins and refused ones are in the
 * audit log.
 */
int account_login(struct ocop_store *st, const char *login,
		  const char *password, const char *net, int64_t now,
		  char *cookie_out, char *csrf_out, struct account_user *user,
		  struct ocop_error *err);

/*
 * The session of cookie at now: 0 with *user and csrf_out (ACCOUNT_SECRET_LEN
 * + 1 bytes; both may be NULL). OCOP_EAUTH when there is no such session,
 * or it ended: signed out, ACCOUNT_SESSION_MAX after it began,
 * ACCOUNT_SESSION_IDLE after its last use, or its user disabled or reset.
 * Any handle (see above).
 */
int account_session_check(struct ocop_store *st, const char *cookie,
			  int64_t now, struct account_user *user,
			  char *csrf_out, struct ocop_error *err);

/* End the session of cookie (signing out); no session is not an error. */
int account_logout(struct ocop_store *st, const char *cookie, const char *net,
		   int64_t now, struct ocop_error *err);

/* 1 when given (a form's csrf field, may be NULL) is the session's token
 * expected, compared in constant time; else 0. */
int account_csrf_ok(const char *expected, const char *given);

#endif
