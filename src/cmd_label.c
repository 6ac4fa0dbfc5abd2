/*
 * cmd_label.c - ocop label issue|void.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cmd.h"
#include "label.h"

static const char help[] =
	"usage: ocop label issue CODE --count N [--lot LOT] [--made DATE]\n"
	"                  [--best-before DATE] [--format pdf|png|svg|csv]\n"
	"                  [--size-mm N] [--module-px N] [--dpi N] --out DIR\n"
	"       ocop label void SERIAL|--batch ID [--reason TEXT]\n"
	"\n"
	"issue: make one batch of N labels (1 to 1000000) for the product,\n"
	"printed with the stars in force today, and print the batch id. It\n"
	"is refused for a product with no recognition in force today. DIR\n"
	"(created when missing) receives labels.csv (serial,url,lot,stars)\n"
	"and, by --format:\n"
	"  pdf  labels.pdf, A4 sheets of labels --size-mm wide (default 30,\n"
	"       20 to 100) with crop marks; QR modules are whole printer\n"
	"       dots at --dpi (default 600)\n"
	"  png  SERIAL.png per label: the QR alone, 1-bit, --module-px\n"
	"       pixels a module (default 8), resolution --dpi\n"
	"  svg  SERIAL.svg per label: the QR alone, vector\n"
	"  csv  the manifest only, for print shops printing variable data\n"
	"The batch is stored with its files or not at all.\n"
	"  --lot LOT           1-20 of 0-9 A-Z . - (upper-cased)\n"
	"  --made DATE         production date (NSX), YYYY-MM-DD\n"
	"  --best-before DATE  best-before date (HSD), YYYY-MM-DD\n"
	"\n"
	"void: void one label, or every label of a batch, from now on; scans\n"
	"from then answer 'voided'. Voiding again keeps the first time.\n";

static volatile sig_atomic_t got_signal;

static void
on_signal(int sig)
{
	got_signal = sig;
}

/* A whole number in [min, max] for option name. */
static int
parse_int(const char *name, const char *s, long min, long max, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < min || v > max)
		return cmd_failf(EXIT_DATAERR,
				 "invalid %s '%s': expected a whole number "
				 "from %ld to %ld",
				 name, s, min, max);
	*out = (int)v;
	return 0;
}

static int
label_issue_cmd(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"count", required_argument, NULL, 'n'},
		{"lot", required_argument, NULL, 'l'},
		{"made", required_argument, NULL, 'm'},
		{"best-before", required_argument, NULL, 'b'},
		{"format", required_argument, NULL, 'f'},
		{"size-mm", required_argument, NULL, 's'},
		{"module-px", required_argument, NULL, 'p'},
		{"dpi", required_argument, NULL, 'd'},
		{"out", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct label_issue_opts o;
	struct ocop_error err = {0};
	struct ocop_store *st = NULL;
	struct ocop_batch batch;
	struct sigaction sa, old_int, old_term, old_hup;
	char actor[160];
	int c, rc, have_count = 0;

	label_issue_opts_init(&o);
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if ((rc = parse_int("--count", optarg, 1,
					    LABEL_MAX_COUNT, &o.count)))
				return rc;
			have_count = 1;
			break;
		case 'l':
			o.lot = optarg;
			break;
		case 'm':
		case 'b':
			if (ocop_day_parse(optarg,
					   c == 'm' ? &o.made_on
						    : &o.best_before,
					   &err) < 0) {
				ocop_error_prefix(&err, "--%s",
						  c == 'm' ? "made"
							   : "best-before");
				return cmd_fail(&err);
			}
			break;
		case 'f':
			if (label_format_parse(optarg, &o.format, &err) < 0)
				return cmd_fail(&err);
			break;
		case 's':
			if ((rc = parse_int("--size-mm", optarg, 20, 100,
					    &o.size_mm)))
				return rc;
			break;
		case 'p':
			if ((rc = parse_int("--module-px", optarg, 1, 64,
					    &o.module_px)))
				return rc;
			break;
		case 'd':
			if ((rc = parse_int("--dpi", optarg, 150, 4800,
					    &o.dpi)))
				return rc;
			break;
		case 'o':
			o.out_dir = optarg;
			break;
		case 'h':
			fputs(help, stdout);
			return 0;
		default:
			return cmd_usage_error("label", "bad option");
		}
	}
	if (optind >= argc)
		return cmd_usage_error("label", "issue: missing product CODE");
	o.product_code = argv[optind++];
	if (optind < argc)
		return cmd_usage_error("label", "unexpected argument '%s'",
				       argv[optind]);
	if (!have_count)
		return cmd_usage_error("label", "issue: --count is required");
	if (!o.out_dir)
		return cmd_usage_error("label", "issue: --out is required");
	if ((rc = cmd_open_store(ctx, &st)))
		return rc;

	/* a signal stops the batch cleanly: rolled back, files removed */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	o.cancel = &got_signal;
	/* keep freed memory instead of returning it to the system after each
	 * label: cairo's and zlib's buffers of a few hundred KB are allocated
	 * and freed for every label, and trimming the heap each time cost
	 * ~0.5 s of system time in a 10,000-label PDF */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	o.actor = audit_cli_actor(actor, sizeof(actor));
	rc = label_issue(st, &o, &batch, &err);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	ocop_store_close(st);
	if (rc < 0) {
		rc = cmd_fail(&err);
		return got_signal ? 128 + got_signal : rc;
	}
	printf("%lld\n", (long long)batch.id);
	fprintf(stderr,
		"ocop: batch %lld issued: %d labels of '%s', %d stars, "
		"in '%s'\n",
		(long long)batch.id, batch.count, o.product_code, batch.stars,
		o.out_dir);
	return 0;
}

static int
label_void_cmd(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"batch", required_argument, NULL, 'b'},
		{"reason", required_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct ocop_error err = {0};
	struct ocop_store *st = NULL;
	struct ocop_label l;
	struct ocop_batch b;
	const char *reason = NULL, *batch_arg = NULL;
	char serial[OCOP_SERIAL_LEN + 1], grouped[OCOP_SERIAL_GROUPED + 1];
	char when[32], actor[160];
	long long batch_id = 0;
	int64_t now = ocop_now();
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			batch_arg = optarg;
			break;
		case 'r':
			reason = optarg;
			break;
		case 'h':
			fputs(help, stdout);
			return 0;
		default:
			return cmd_usage_error("label", "bad option");
		}
	}
	if (reason && strlen(reason) > 255)
		return cmd_failf(EXIT_DATAERR,
				 "invalid --reason: longer than 255 bytes");
	if (batch_arg) {
		char *end;

		if (optind < argc)
			return cmd_usage_error("label",
					       "void: give a SERIAL or "
					       "--batch, not both");
		errno = 0;
		batch_id = strtoll(batch_arg, &end, 10);
		if (!*batch_arg || *end || errno || batch_id < 1)
			return cmd_failf(EXIT_DATAERR,
					 "invalid batch id '%s': expected a "
					 "positive whole number",
					 batch_arg);
	} else {
		if (optind >= argc)
			return cmd_usage_error("label",
					       "void: missing SERIAL or "
					       "--batch ID");
		if (optind + 1 < argc)
			return cmd_usage_error("label",
					       "unexpected argument '%s'",
					       argv[optind + 1]);
		if (ocop_serial_normalize(argv[optind], serial, &err) < 0)
			return cmd_fail(&err);
	}
	if ((rc = cmd_open_store(ctx, &st)))
		return rc;
	if (batch_arg) {
		rc = st->m->batch_get(st, batch_id, &b, &err);
		if (rc == 0 && b.voided_at != OCOP_NO_TIME) {
			fprintf(stderr,
				"ocop: batch %lld was already voided at %s\n",
				batch_id, ocop_time_format(b.voided_at, when));
		} else if (rc == 0) {
			rc = label_void(st, NULL, batch_id,
					audit_cli_actor(actor, sizeof(actor)),
					NULL, now, reason, &err);
			if (rc == 0)
				fprintf(stderr,
					"ocop: batch %lld voided (%d labels) "
					"at %s\n",
					batch_id, b.count,
					ocop_time_format(now, when));
		}
	} else {
		ocop_serial_group(serial, grouped);
		rc = st->m->label_get(st, serial, &l, &err);
		if (rc == OCOP_ENOENT)
			rc = ocop_error_set(&err, OCOP_ENOENT,
					    "no label has serial %s", grouped);
		if (rc == 0 && l.voided_at != OCOP_NO_TIME) {
			fprintf(stderr,
				"ocop: label %s was already voided at %s\n",
				grouped, ocop_time_format(l.voided_at, when));
		} else if (rc == 0) {
			rc = label_void(st, serial, 0,
					audit_cli_actor(actor, sizeof(actor)),
					NULL, now, reason, &err);
			if (rc == 0)
				fprintf(stderr, "ocop: label %s voided at %s\n",
					grouped, ocop_time_format(now, when));
		}
	}
	ocop_store_close(st);
	return rc < 0 ? cmd_fail(&err) : 0;
}

int
cmd_label(struct cmd_ctx *ctx, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		fputs(help, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (strcmp(argv[1], "issue") == 0)
		return label_issue_cmd(ctx, argc - 1, argv + 1);
	if (strcmp(argv[1], "void") == 0)
		return label_void_cmd(ctx, argc - 1, argv + 1);
	return cmd_usage_error("label", "unknown subcommand '%s'", argv[1]);
}
