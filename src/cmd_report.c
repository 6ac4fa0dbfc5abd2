/*
 * cmd_report.c - ocop report circulation|lapsed|expiring|clones|unknown
 * [--as-of DATE] [--format table|csv|json|html]: the inspector reports.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "report.h"

static const char help[] =
    "usage: ocop report REPORT [--as-of DATE] [--format FORMAT] [OPTIONS]\n"
    "\n"
    "Inspector reports, computed from the registry as it stands now: every\n"
    "scan's verdict is judged again, so a revocation entered late but\n"
    "dated earlier counts against the scans since its date.\n\n"
    "reports:\n"
    "  circulation  labels still scanned for products that may not carry\n"
    "               the mark: one row per product and verdict (expired,\n"
    "               revoked, star_mismatch), most scans first\n"
    "  lapsed       recognitions that ended by expiry, neither renewed\n"
    "               nor revoked: candidates for a revocation decision\n"
    "  expiring     recognitions in force that end within --within days,\n"
    "               with the re-evaluation window (not_open, open, closed)\n"
    "  clones       serials scanned in --min-places places or more within\n"
    "               --window-days days: copied labels\n"
    "  unknown      scanned codes that match no label, by place: forgeries\n"
    "\noptions:\n"
    "  --as-of DATE         report as of this day, YYYY-MM-DD (default\n"
    "                       today); scans up to the end of that day count\n"
    "  --format FORMAT      table (default), csv, json or html\n"
    "  --json               the same as --format json\n"
    "  --since DATE         circulation, clones, unknown: only scans from\n"
    "                       this day on\n"
    "  --within DAYS        expiring: days left at most (default 180)\n"
    "  --min-places N       clones: distinct places (default 3)\n"
    "  --window-days D      clones: within D calendar days (default 7)\n"
    "  --out FILE           write to FILE instead of standard output\n\n"
    "JSON is {\"as_of\":\"...\",\"entries\":[...]}; CSV has a header row\n"
    "with the JSON keys; HTML is one self-contained page with a chart.\n";

int
cmd_report(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"as-of", required_argument, NULL, 'a'},
	    {"format", required_argument, NULL, 'f'},
	    {"json", no_argument, NULL, 'j'},
	    {"since", required_argument, NULL, 's'},
	    {"within", required_argument, NULL, 'w'},
	    {"min-places", required_argument, NULL, 'm'},
	    {"window-days", required_argument, NULL, 'd'},
	    {"out", required_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct report_opts o;
	enum report_format fmt = REPORT_TABLE;
	struct ocop_error err = {0};
	struct ocop_store *st = NULL;
	struct ocop_buf out;
	const char *name, *path = NULL;
	FILE *f;
	int c, rc;

	if (cmd_wants_help(argc, argv)) {
		fputs(help, stdout);
		return 0;
	}
	report_opts_init(&o);
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		const char *key = NULL;

		switch (c) {
		case 'a':
			key = "as-of";
			break;
		case 's':
			key = "since";
			break;
		case 'w':
			key = "within";
			break;
		case 'm':
			key = "min-places";
			break;
		case 'd':
			key = "window-days";
			break;
		case 'f':
			if (report_format_parse(optarg, &fmt, &err) < 0)
				return cmd_fail(&err);
			continue;
		case 'j':
			fmt = REPORT_JSON;
			continue;
		case 'o':
			path = optarg;
			continue;
		case 'h':
			fputs(help, stdout);
			return 0;
		default:
			return cmd_usage_error("report", "bad option");
		}
		if (report_opts_set(&o, key, optarg, &err) < 0)
			return cmd_failf(ocop_exit_code(err.code), "--%s",
					 err.msg);
	}
	if (optind >= argc)
		return cmd_usage_error("report", "which report? circulation, "
						 "lapsed, expiring, clones or "
						 "unknown");
	name = argv[optind];
	if (!report_exists(name))
		return cmd_usage_error("report",
				       "no report named '%s' (circulation, "
				       "lapsed, expiring, clones, unknown)",
				       name);
	if (optind + 1 < argc)
		return cmd_usage_error("report", "unexpected argument '%s'",
				       argv[optind + 1]);

	if ((rc = cmd_open_store(ctx, &st)) != 0)
		return rc;
	o.db_path = ctx->db_path;
	ocop_buf_init(&out, (size_t)1 << 30);
	rc = report_render(st, name, &o, fmt, &out, &err);
	ocop_store_close(st);
	if (rc < 0) {
		ocop_buf_release(&out);
		return cmd_fail(&err);
	}
	f = path ? fopen(path, "w") : stdout;
	if (!f) {
		ocop_buf_release(&out);
		return cmd_failf(EXIT_CANTCREAT, "cannot write '%s': %s", path,
				 strerror(errno));
	}
	rc = 0;
	if (out.len && fwrite(out.data, 1, out.len, f) != out.len)
		rc = -1;
	if (path) {
		if (fclose(f) != 0)
			rc = -1;
	} else if (fflush(f) != 0) {
		rc = -1;
	}
	if (rc < 0)
		rc = cmd_failf(EXIT_CANTCREAT, "cannot write '%s': %s",
			       path ? path : "standard output", strerror(errno));
	ocop_buf_release(&out);
	return rc;
}
