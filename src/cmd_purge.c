/*
 * cmd_purge.c - ocop purge: what the scan log keeps about people
 * (SPEC 11). Consumer scans only: inspector scans are evidence and stay.
 * Each purge is in the audit log, in its own transaction.
 */
#include <getopt.h>
#include <stdio.h>

#include "audit.h"
#include "cmd.h"

static const char help[] =
    "usage: ocop purge --client-data-before DATE\n"
    "       ocop purge --consumer-scans-before DATE\n\n"
    "  --client-data-before DATE    clear the network and browser of the\n"
    "                               consumer scans before DATE\n"
    "  --consumer-scans-before DATE delete the consumer scans before DATE;\n"
    "                               the labels' scan counts follow\n\n"
    "DATE begins at 00:00 Vietnam time and may not be after today.\n"
    "Inspector scans are never touched. Both are recorded in the audit\n"
    "log.\n";

int
cmd_purge(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"client-data-before", required_argument, NULL, 'c'},
	    {"consumer-scans-before", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct ocop_error err = {0};
	struct ocop_store *st = NULL;
	const char *date = NULL;
	char actor[160], detail[96];
	int64_t now = ocop_now(), before, n = 0;
	int32_t day;
	int o, rc, what = 0;

	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
		case 's':
			if (what)
				return cmd_usage_error(
				    "purge", "give one of --client-data-before "
					     "and --consumer-scans-before");
			what = o;
			date = optarg;
			break;
		case 'h':
			fputs(help, stdout);
			return 0;
		default:
			return cmd_usage_error("purge", "bad option");
		}
	}
	if (optind < argc)
		return cmd_usage_error("purge", "unexpected argument '%s'",
				       argv[optind]);
	if (!what)
		return cmd_usage_error("purge",
				       "--client-data-before or "
				       "--consumer-scans-before is required");
	if (ocop_day_parse(date, &day, &err) < 0) {
		ocop_error_prefix(&err, "%s",
				  what == 'c' ? "--client-data-before"
					      : "--consumer-scans-before");
		return cmd_fail(&err);
	}
	if (day > ocop_day_of(now))
		return cmd_failf(EXIT_DATAERR, "purge date %s is in the future",
				 date);
	before = ocop_day_start(day);
	if ((rc = cmd_open_store(ctx, &st)) != 0)
		return rc;
	if ((rc = st->m->begin(st, &err)) < 0)
		goto out;
	rc = what == 'c' ? st->m->scan_purge_client_data(st, before, &n, &err)
			 : st->m->scan_purge_consumer(st, before, &n, &err);
	if (rc == 0) {
		snprintf(detail, sizeof(detail), "before %s: %lld scans", date,
			 (long long)n);
		rc = audit_add(st, audit_cli_actor(actor, sizeof(actor)),
			       what == 'c' ? "purge.client_data"
					   : "purge.consumer_scans",
			       "scans", NULL, detail, now, &err);
	}
	if (rc < 0) {
		st->m->rollback(st);
		goto out;
	}
	if ((rc = st->m->commit(st, &err)) < 0)
		goto out;
	fprintf(stderr, "ocop: %lld consumer scans before %s %s\n",
		(long long)n, date, what == 'c' ? "cleared" : "deleted");
out:
	ocop_store_close(st);
	return rc < 0 ? cmd_fail(&err) : 0;
}
