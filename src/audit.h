/*
 * audit.h - the audit log (SPEC 8): every change to the product's data,
 * people and tokens, and every sign-in and refused sign-in, appended with
 * its actor, instant, action, subject and client network. Nothing edits
 * or deletes it: the store has no method to, and its schema refuses it.
 *
 * Actors: "user:LOGIN" (the console), "token:ID" (the HTTP API),
 * "cli:UNIX-USER" (the command line, audit_cli_actor).
 *
 * Actions are dotted names: registry.import, cert.grant, cert.extend,
 * cert.revoke, label.issue, label.void, batch.void, user.add,
 * user.disable, user.reset, user.setup, signin, signin.refused, signout,
 * token.create, token.revoke, purge.client_data, purge.consumer_scans.
 */
#ifndef OCOP_AUDIT_H
#define OCOP_AUDIT_H

#include <stddef.h>

#include "ocop.h"
#include "store/store.h"

/*
 * Append one row at instant at. actor and action are required; subject,
 * net and detail may be NULL (stored as ""); each is cut to its column's
 * size in struct store_audit. Inside the caller's transaction when there
 * is one, so that a change rolled back leaves no row and a row that
 * cannot be written fails the change: call it before the caller's commit.
 * Outside any, it is a transaction of its own. Errors: OCOP_EINVAL (no
 * actor or action), the store's.
 */
int audit_add(struct ocop_store *st, const char *actor, const char *action,
	      const char *subject, const char *net, const char *detail,
	      int64_t at, struct ocop_error *err);

/* "cli:" and the name of the effective user (its number when it has no
 * name) into buf of size bytes; returns buf. */
const char *audit_cli_actor(char *buf, size_t size);

#endif
