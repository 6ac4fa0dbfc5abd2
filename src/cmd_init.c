/*
 * cmd_init.c - ocop init [--base-url URL]: create or upgrade the database
 * and record the base URL that label QR codes carry.
 */
#include <getopt.h>
#include <string.h>

#include "cmd.h"
#include "label.h"

static const char help[] =
	"usage: ocop init [--base-url URL]\n\n"
	"Create the database (or apply pending schema upgrades) and set the\n"
	"base URL printed in label QR codes: scheme://host[:port], no path\n"
	"(default http://localhost:8080; keeps the stored one when omitted).\n";

int
cmd_init(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"base-url", required_argument, NULL, 'b'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct ocop_error err = {0};
	struct ocop_store *st = NULL;
	const char *base = NULL;
	char norm[256], cur[256];
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			base = optarg;
			break;
		case 'h':
			fputs(help, stdout);
			return 0;
		default:
			return cmd_usage_error("init", "bad option");
		}
	}
	if (optind < argc)
		return cmd_usage_error("init", "unexpected argument '%s'",
				       argv[optind]);
	if (base && label_base_url_normalize(base, norm, sizeof(norm), &err) < 0)
		return cmd_fail(&err);
	if (ocop_store_open(ctx->db_path, 1, &st, &err) < 0)
		return cmd_fail(&err);
	rc = st->m->meta_get(st, "base_url", cur, sizeof(cur), &err);
	if (rc == 0 && (base || !cur[0]))
		rc = st->m->meta_set(st, "base_url",
				     base ? norm : LABEL_DEFAULT_BASE_URL, &err);
	if (rc == 0)
		rc = st->m->meta_get(st, "base_url", cur, sizeof(cur), &err);
	ocop_store_close(st);
	if (rc < 0)
		return cmd_fail(&err);
	fprintf(stderr, "ocop: database '%s' ready, base URL %s\n",
		ctx->db_path, cur);
	return 0;
}
