/*
 * cmd_cert.c - ocop cert grant|extend|revoke: the clerk's entries of
 * recognition decisions, extensions and revocations for one product.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "cmd.h"
#include "registry.h"

static const char help[] =
    "usage: ocop cert grant CODE --stars N --decision NO --date YYYY-MM-DD\n"
    "                       [--issuer TEXT] [--valid-until YYYY-MM-DD]\n"
    "                       [--source TEXT]\n"
    "       ocop cert extend CODE --until YYYY-MM-DD [--decision NO]\n"
    "                        [--extension-decision NO]\n"
    "       ocop cert revoke CODE --decision NO --date YYYY-MM-DD\n"
    "                        --ground a|b|c|d|dd|e|lapsed [--note TEXT]\n\n"
    "grant: record a recognition decision (quyết định công nhận) of a\n"
    "  product already in the registry: 3, 4 or 5 stars, valid from the\n"
    "  decision date for 36 months unless --valid-until is given. The\n"
    "  issuer defaults to the province's People's Committee (3-4 stars)\n"
    "  or the ministry (5 stars); --source says where the decision was\n"
    "  published. Granting the same decision again changes nothing; a\n"
    "  second decision starting the same day as another is refused.\n"
    "extend: keep the recognition with decision NO (default: the latest)\n"
    "  valid until the authority decides (Art. 12.3): the date must lie\n"
    "  between its valid-until and 180 days after it. Any recognition may\n"
    "  be extended, in any order: one superseded since counts until its\n"
    "  successor starts. --extension-decision is the extension's own\n"
    "  decision number.\n"
    "revoke: record a revocation decision (thu hồi) dated YYYY-MM-DD, on\n"
    "  ground a) false dossier, b) criteria no longer met, c) quality or\n"
    "  labelling violation, d) misuse of the OCOP mark, dd (đ) production\n"
    "  stopped, e) other official conclusion, or lapsed (expired without\n"
    "  re-evaluation). It applies to the recognition in force on that day,\n"
    "  else to the latest one that started before it.\n";

enum {
	OPT_STARS = 1,
	OPT_DECISION,
	OPT_DATE,
	OPT_ISSUER,
	OPT_VALID_UNTIL,
	OPT_UNTIL,
	OPT_GROUND,
	OPT_NOTE,
	OPT_SOURCE,
	OPT_EXT_DECISION
};

struct args {
	const char *code;
	const char *stars, *decision, *date, *issuer, *valid_until, *until,
	    *ground, *note, *source, *ext_decision;
};

/* Parse the options of sub (argv[0]); the one positional is CODE.
 * Returns 0, an exit code, or -1 after printing the help. */
static int
parse(const char *sub, int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
	    {"stars", required_argument, NULL, OPT_STARS},
	    {"decision", required_argument, NULL, OPT_DECISION},
	    {"date", required_argument, NULL, OPT_DATE},
	    {"issuer", required_argument, NULL, OPT_ISSUER},
	    {"valid-until", required_argument, NULL, OPT_VALID_UNTIL},
	    {"until", required_argument, NULL, OPT_UNTIL},
	    {"ground", required_argument, NULL, OPT_GROUND},
	    {"note", required_argument, NULL, OPT_NOTE},
	    {"source", required_argument, NULL, OPT_SOURCE},
	    {"extension-decision", required_argument, NULL, OPT_EXT_DECISION},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	/* which options each subcommand takes */
	const char *allowed = strcmp(sub, "grant") == 0	   ? "\1\2\3\4\5\11"
			      : strcmp(sub, "extend") == 0 ? "\2\6\12"
							   : "\2\3\7\10";
	int c;

	memset(a, 0, sizeof(*a));
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(help, stdout);
			return -1;
		}
		if (c <= 0 || c > OPT_EXT_DECISION || !strchr(allowed, c))
			return cmd_usage_error("cert",
					       "bad option for 'cert "
					       "%s'",
					       sub);
		switch (c) {
		case OPT_STARS:
			a->stars = optarg;
			break;
		case OPT_DECISION:
			a->decision = optarg;
			break;
		case OPT_DATE:
			a->date = optarg;
			break;
		case OPT_ISSUER:
			a->issuer = optarg;
			break;
		case OPT_VALID_UNTIL:
			a->valid_until = optarg;
			break;
		case OPT_UNTIL:
			a->until = optarg;
			break;
		case OPT_GROUND:
			a->ground = optarg;
			break;
		case OPT_NOTE:
			a->note = optarg;
			break;
		case OPT_SOURCE:
			a->source = optarg;
			break;
		case OPT_EXT_DECISION:
			a->ext_decision = optarg;
			break;
		}
	}
	if (optind >= argc)
		return cmd_usage_error("cert", "missing product CODE");
	if (optind + 1 < argc)
		return cmd_usage_error("cert", "unexpected argument '%s'",
				       argv[optind + 1]);
	a->code = argv[optind];
	return 0;
}

static int
day_arg(const char *opt, const char *v, int32_t *day)
{
	struct ocop_error err = {0};

	if (ocop_day_parse(v, day, &err) < 0)
		return cmd_failf(EXIT_DATAERR, "invalid --%s: %s", opt,
				 err.msg);
	return 0;
}

/* Copy an option's text into a fixed field, refusing what does not fit. */
static int
text_arg(const char *opt, const char *v, char *out, size_t size)
{
	if (ocop_strlcpy(out, v ? v : "", size) < 0)
		return cmd_failf(EXIT_DATAERR,
				 "--%s is too long (at most %zu bytes)", opt,
				 size - 1);
	return 0;
}

/* Run a change (ok: its result; changed: whether it wrote anything) and
 * its audit entry in one transaction begun by the caller: commit both, or
 * neither. What was already recorded exactly so is no change: no entry. */
static int
audited(struct ocop_store *st, int ok, int changed, const char *action,
	const char *code, const char *detail, struct ocop_error *err)
{
	char actor[160];

	if (ok < 0 ||
	    (changed && audit_add(st, audit_cli_actor(actor, sizeof(actor)),
				  action, code, NULL, detail, ocop_now(),
				  err) < 0)) {
		st->m->rollback(st);
		return -1;
	}
	return st->m->commit(st, err) < 0 ? -1 : 0;
}

static int
cert_grant(struct ocop_store *st, const struct args *a)
{
	struct ocop_error err = {0};
	struct ocop_recognition r;
	char f[11], u[11], detail[400];
	int changed = 0, rc;

	if (!a->stars || !a->decision || !a->date)
		return cmd_usage_error("cert",
				       "'cert grant' needs --stars, --decision "
				       "and --date");
	memset(&r, 0, sizeof(r));
	r.valid_until = OCOP_NO_DAY;
	if (strlen(a->stars) != 1 || a->stars[0] < '3' || a->stars[0] > '5')
		return cmd_failf(EXIT_DATAERR,
				 "invalid --stars '%s': expected 3, 4 or 5",
				 a->stars);
	r.stars = a->stars[0] - '0';
	if ((rc = text_arg("decision", a->decision, r.decision_no,
			   sizeof(r.decision_no))) != 0 ||
	    (rc = text_arg("issuer", a->issuer, r.issuer, sizeof(r.issuer))) !=
		0 ||
	    (rc = text_arg("source", a->source, r.source, sizeof(r.source))) !=
		0 ||
	    (rc = day_arg("date", a->date, &r.decided_on)) != 0 ||
	    (a->valid_until && (rc = day_arg("valid-until", a->valid_until,
					     &r.valid_until)) != 0))
		return rc;
	if (st->m->begin(st, &err) < 0)
		return cmd_fail(&err);
	rc = registry_grant(st, a->code, &r, &changed, &err);
	snprintf(detail, sizeof(detail), "%d stars, decision %s", r.stars,
		 r.decision_no);
	if (audited(st, rc, changed, "cert.grant", a->code, detail, &err) < 0)
		return cmd_fail(&err);
	printf("%s\t%d★\t%s\t%s\t%s\t%s\n", a->code, r.stars, r.decision_no,
	       ocop_day_format(r.valid_from, f),
	       ocop_day_format(r.valid_until, u), r.issuer);
	fprintf(stderr, "ocop: %s: %d★ recognition '%s' %s, valid %s .. %s\n",
		a->code, r.stars, r.decision_no,
		changed ? "recorded" : "was already recorded (unchanged)", f,
		u);
	return 0;
}

static int
cert_extend(struct ocop_store *st, const struct args *a)
{
	struct ocop_error err = {0};
	struct ocop_recognition r;
	int32_t until;
	char u[11], v[11], detail[400];
	int changed = 0, rc;

	if (!a->until)
		return cmd_usage_error("cert", "'cert extend' needs --until");
	if ((rc = day_arg("until", a->until, &until)) != 0)
		return rc;
	if (st->m->begin(st, &err) < 0)
		return cmd_fail(&err);
	rc = registry_extend(st, a->code, a->decision, until, a->ext_decision,
			     &r, &changed, &err);
	snprintf(detail, sizeof(detail), "decision %s until %s",
		 r.decision_no, a->until);
	if (audited(st, rc, changed, "cert.extend", a->code, detail, &err) < 0)
		return cmd_fail(&err);
	printf("%s\t%d★\t%s\t%s\n", a->code, r.stars, r.decision_no,
	       ocop_day_format(r.extended_until, u));
	fprintf(stderr,
		"ocop: %s: recognition '%s' (valid until %s) %s until %s\n",
		a->code, r.decision_no, ocop_day_format(r.valid_until, v),
		changed ? "extended" : "was already extended", u);
	return 0;
}

static int
cert_revoke(struct ocop_store *st, const struct args *a)
{
	struct ocop_error err = {0};
	struct ocop_revocation v;
	char d[11], detail[400];
	int changed = 0, rc;

	if (!a->decision || !a->date || !a->ground)
		return cmd_usage_error("cert",
				       "'cert revoke' needs --decision, --date "
				       "and --ground");
	memset(&v, 0, sizeof(v));
	if (ocop_ground_parse(a->ground, &v.ground) < 0)
		return cmd_failf(EXIT_DATAERR,
				 "invalid --ground '%s': expected a, b, c, d, "
				 "dd, e or lapsed",
				 a->ground);
	if ((rc = text_arg("decision", a->decision, v.decision_no,
			   sizeof(v.decision_no))) != 0 ||
	    (rc = text_arg("note", a->note, v.note, sizeof(v.note))) != 0 ||
	    (rc = day_arg("date", a->date, &v.revoked_on)) != 0)
		return rc;
	if (st->m->begin(st, &err) < 0)
		return cmd_fail(&err);
	rc = registry_revoke(st, a->code, &v, &changed, &err);
	snprintf(detail, sizeof(detail), "decision %s of %s, ground %s",
		 v.decision_no, a->date, a->ground);
	if (audited(st, rc, changed, "cert.revoke", a->code, detail, &err) < 0)
		return cmd_fail(&err);
	printf("%s\t%s\t%s\t%s\n", a->code, v.decision_no,
	       ocop_day_format(v.revoked_on, d), ocop_ground_name(v.ground));
	fprintf(stderr, "ocop: %s: revocation '%s' of %s (ground %s) %s\n",
		a->code, v.decision_no, d, ocop_ground_name(v.ground),
		changed ? "recorded" : "was already recorded (unchanged)");
	return 0;
}

int
cmd_cert(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct ocop_store *st = NULL;
	struct args a;
	const char *sub;
	int rc;

	if (argc < 2)
		return cmd_usage_error("cert", "missing subcommand (grant, "
					       "extend or revoke)");
	sub = argv[1];
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 ||
	    strcmp(sub, "help") == 0) {
		fputs(help, stdout);
		return 0;
	}
	if (strcmp(sub, "grant") != 0 && strcmp(sub, "extend") != 0 &&
	    strcmp(sub, "revoke") != 0)
		return cmd_usage_error("cert", "unknown subcommand '%s'", sub);
	if ((rc = parse(sub, argc - 1, argv + 1, &a)) != 0)
		return rc < 0 ? 0 : rc;
	if ((rc = cmd_open_store(ctx, &st)) != 0)
		return rc;
	if (strcmp(sub, "grant") == 0)
		rc = cert_grant(st, &a);
	else if (strcmp(sub, "extend") == 0)
		rc = cert_extend(st, &a);
	else
		rc = cert_revoke(st, &a);
	ocop_store_close(st);
	return rc;
}
