/*
 * cmd_snapshot.c - ocop snapshot --province P --out FILE: the signed field
 * snapshot of a province's labels (snapshot.h), the same bytes as GET
 * /api/v1/snapshot serves.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "snapshot.h"

static const char help[] =
    "usage: ocop snapshot --province P --out FILE\n\n"
    "Write the signed status snapshot inspectors use offline: every label\n"
    "of the products of province P (as the registry names it, in any case,\n"
    "with or without diacritics; 'all' for every product), their batches,\n"
    "voids and the products' verdict periods. It expires after 7 days.\n"
    "Check it with 'ocop verify --offline FILE CODE'.\n";

int
cmd_snapshot(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"province", required_argument, NULL, 'p'},
		{"out", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct ocop_error err = {0};
	struct ocop_store *st = NULL;
	struct snapshot *snap = NULL;
	struct snapshot_info info;
	struct keys_set *trusted;
	struct ocop_buf b;
	const char *province = NULL, *out = NULL;
	char *tmp = NULL, t[32];
	FILE *f;
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			province = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			fputs(help, stdout);
			return 0;
		default:
			return cmd_usage_error("snapshot", "bad option");
		}
	}
	if (optind < argc)
		return cmd_usage_error("snapshot", "unexpected argument '%s'",
				       argv[optind]);
	if (!province || !out)
		return cmd_usage_error("snapshot", "--province and --out are "
						   "required");
	if ((rc = cmd_open_store(ctx, &st)))
		return rc;
	ocop_buf_init(&b, SNAPSHOT_MAX);
	trusted = ocop_xcalloc(1, sizeof(*trusted));
	rc = snapshot_build(st, province, ocop_now(), &b, &err);
	/* read back as a phone would, so that a bad file is never written */
	if (rc == 0)
		rc = keys_set_from_store(st, trusted, &err);
	if (rc == 0)
		rc = snapshot_open(b.data, b.len, trusted, ocop_now(), &snap,
				   &err);
	ocop_store_close(st);
	free(trusted);
	if (rc < 0) {
		ocop_buf_release(&b);
		return cmd_fail(&err);
	}
	snapshot_get_info(snap, &info);
	snapshot_free(snap);
	if (asprintf(&tmp, "%s.tmp", out) < 0)
		abort();
	f = fopen(tmp, "wb");
	if (!f || fwrite(b.data, 1, b.len, f) != b.len || fflush(f) != 0 ||
	    fsync(fileno(f)) != 0) {
		int e = errno;

		if (f)
			fclose(f);
		unlink(tmp);
		free(tmp);
		ocop_buf_release(&b);
		return cmd_failf(EXIT_CANTCREAT, "cannot write '%s': %s", out,
				 strerror(e));
	}
	if (fclose(f) != 0 || rename(tmp, out) != 0) {
		int e = errno;

		unlink(tmp);
		free(tmp);
		ocop_buf_release(&b);
		return cmd_failf(EXIT_CANTCREAT, "cannot write '%s': %s", out,
				 strerror(e));
	}
	free(tmp);
	fprintf(stderr,
		"ocop: snapshot %lld of %s: %zu products, %zu batches, %zu "
		"labels, %zu bytes, signed by key %s, expires %s\n",
		(long long)info.seq, info.province, info.products, info.batches,
		info.labels, b.len, info.key_id,
		ocop_time_format(info.expires_at, t));
	ocop_buf_release(&b);
	return 0;
}
