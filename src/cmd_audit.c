/*
 * cmd_audit.c - ocop audit [--since DATE] [--json]: the audit log, oldest
 * first (times in Vietnam time; RFC 3339 in JSON).
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>

#include "cmd.h"

static const char help[] =
    "usage: ocop audit [--since DATE] [--json]\n\n"
    "The audit log: every change made from the command line, the console\n"
    "or the API, and every sign-in and refused sign-in, with its time,\n"
    "actor (cli:UNIX-USER, user:LOGIN, token:ID), action, subject and\n"
    "client network. Nothing edits or deletes it.\n\n"
    "  --since DATE   entries from DATE (00:00 Vietnam time) on\n"
    "  --json         a JSON array, times in RFC 3339\n";

struct audit_ctx {
	json_t *arr;
};

static int
print_one(void *ctx, const struct store_audit *a)
{
	struct audit_ctx *c = ctx;
	char when[32];

	ocop_time_format(a->at, when);
	if (c->arr) {
		json_array_append_new(
		    c->arr,
		    json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
			      (json_int_t)a->id, "at", when, "actor", a->actor,
			      "action", a->action, "subject", a->subject, "net",
			      a->net, "detail", a->detail));
		return 0;
	}
	when[10] = ' ';
	when[19] = '\0';
	printf("%s  %-20s %-20s %-24s %-16s %s\n", when, a->actor, a->action,
	       a->subject[0] ? a->subject : "-", a->net[0] ? a->net : "-",
	       a->detail);
	return 0;
}

int
cmd_audit(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"since", required_argument, NULL, 's'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct ocop_error err = {0};
	struct ocop_store *st = NULL;
	struct audit_ctx c = {NULL};
	int64_t since = OCOP_NO_TIME;
	int32_t day;
	int o, rc, json = 0;

	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 's':
			if (ocop_day_parse(optarg, &day, &err) < 0) {
				ocop_error_prefix(&err, "--since");
				return cmd_fail(&err);
			}
			since = ocop_day_start(day);
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			fputs(help, stdout);
			return 0;
		default:
			return cmd_usage_error("audit", "bad option");
		}
	}
	if (optind < argc)
		return cmd_usage_error("audit", "unexpected argument '%s'",
				       argv[optind]);
	if ((rc = cmd_open_store(ctx, &st)) != 0)
		return rc;
	if (json)
		c.arr = json_array();
	rc = st->m->audit_each(st, since, print_one, &c, &err);
	if (rc == 0 && json &&
	    (json_dumpf(c.arr, stdout, JSON_INDENT(2)) < 0 ||
	     fputc('\n', stdout) == EOF))
		rc = ocop_error_set(&err, OCOP_EOUTPUT,
				    "cannot write the audit log");
	json_decref(c.arr);
	ocop_store_close(st);
	return rc < 0 ? cmd_fail(&err) : 0;
}
