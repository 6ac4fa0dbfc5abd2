/*
 * main.c - global options, the command table, exit-code mapping.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

/* The single source of truth for what ocop can do. */
static const struct {
	const char *name;
	cmd_fn fn;
	const char *summary;
} commands[] = {
	{"init", cmd_init, "create or upgrade the database"},
	{"registry", cmd_registry, "import and export the OCOP registry"},
	{"product", cmd_product, "list and show products"},
	{"cert", cmd_cert, "grant, extend and revoke recognitions"},
	{"label", cmd_label, "issue and void labels"},
	{"verify", cmd_verify, "verify a label from the local database"},
	{"scan", cmd_scan, "record a scan on a running server"},
	{"serve", cmd_serve, "run the verification service"},
	{"report", cmd_report, "inspector reports"},
	{"token", cmd_token, "create, list and revoke API tokens"},
	{"user", cmd_user, "the web console's people"},
	{"audit", cmd_audit, "the audit log"},
	{"purge", cmd_purge, "what the scan log keeps about people"},
	{"db", cmd_db, "what the database holds, and a check of it"},
	{"backup", cmd_backup, "a checked copy of the database"},
};

int
cmd_fail(const struct ocop_error *err)
{
	fprintf(stderr, "ocop: %s\n", err->msg);
	return ocop_exit_code(err->code);
}

int
cmd_failf(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("ocop: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

int
cmd_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("ocop: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'ocop %s --help'.\n", cmd);
	return EXIT_USAGE;
}

int
cmd_open_store(struct cmd_ctx *ctx, struct ocop_store **st)
{
	struct ocop_error err = {0};

	if (ocop_store_open(ctx->db_path, 0, st, &err) < 0)
		return cmd_fail(&err);
	return 0;
}

int
cmd_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	}
	return 0;
}

static void
usage(FILE *f)
{
	fputs("usage: ocop [--db PATH] COMMAND [SUBCOMMAND] [OPTIONS]\n\n"
	      "Issues QR labels for certified OCOP products and verifies them.\n"
	      "\ncommands:\n",
	      f);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name,
			commands[i].summary);
	fputs("\nThe database is --db, else $OCOP_DB, else ./ocop.db.\n"
	      "'ocop COMMAND --help' describes a command.\n",
	      f);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct cmd_ctx ctx = {0};
	int c;

	ctx.db_path = getenv("OCOP_DB");
	if (!ctx.db_path || !*ctx.db_path)
		ctx.db_path = "ocop.db";
	/* global options stop at the command name */
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			ctx.db_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[optind], commands[i].name) == 0) {
			argc -= optind;
			argv += optind;
			optind = 0; /* full reset for the command's getopt */
			return commands[i].fn(&ctx, argc, argv);
		}
	}
	fprintf(stderr, "ocop: unknown command '%s'\n", argv[optind]);
	usage(stderr);
	return EXIT_USAGE;
}
