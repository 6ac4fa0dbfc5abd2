/*
 * audit.c - the audit log (see audit.h).
 */
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"

int
audit_add(struct ocop_store *st, const char *actor, const char *action,
	  const char *subject, const char *net, const char *detail, int64_t at,
	  struct ocop_error *err)
{
	struct store_audit a;

	if (!actor || !*actor || !action || !*action)
		return ocop_error_set(err, OCOP_EINVAL,
				      "an audit entry needs an actor and an "
				      "action");
	memset(&a, 0, sizeof(a));
	a.at = at;
	ocop_strlcpy(a.actor, actor, sizeof(a.actor));
	ocop_strlcpy(a.action, action, sizeof(a.action));
	ocop_strlcpy(a.subject, subject ? subject : "", sizeof(a.subject));
	ocop_strlcpy(a.net, net ? net : "", sizeof(a.net));
	ocop_strlcpy(a.detail, detail ? detail : "", sizeof(a.detail));
	return st->m->audit_add(st, &a, err);
}

const char *
audit_cli_actor(char *buf, size_t size)
{
	struct passwd pw, *res = NULL;
	char tmp[1024];
	uid_t uid = geteuid();

	if (getpwuid_r(uid, &pw, tmp, sizeof(tmp), &res) == 0 && res &&
	    res->pw_name && *res->pw_name)
		snprintf(buf, size, "cli:%s", res->pw_name);
	else
		snprintf(buf, size, "cli:%lu", (unsigned long)uid);
	return buf;
}
