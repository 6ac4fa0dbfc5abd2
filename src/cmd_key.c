/*
 * cmd_key.c - ocop key rotate | ocop key list [--json]: the Ed25519 keys
 * that sign field snapshots (keys.h). Secret keys are never printed.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "keys.h"

static const char help[] =
    "usage: ocop key rotate | ocop key list [--json]\n\n"
    "The keys that sign the inspectors' field snapshots (Ed25519). The\n"
    "first is made by 'ocop init'.\n"
    "  rotate   retire the current key and make a new one; the retired\n"
    "           key stays published (GET /.well-known/ocop-keys.json)\n"
    "           until the last snapshot it signed has expired (7 days)\n"
    "  list     every key: id, valid from, retired, valid until; with\n"
    "           --json the public keys document the service publishes,\n"
    "           which 'ocop verify --offline --keys FILE' reads\n";

static int
key_rotate_cmd(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct ocop_error err = {0};
	struct ocop_store *st = NULL;
	struct store_key k;
	char t[32];
	int rc;

	if (argc > 1)
		return cmd_usage_error("key", "unexpected argument '%s'",
				       argv[1]);
	if ((rc = cmd_open_store(ctx, &st)))
		return rc;
	rc = keys_rotate(st, ocop_now(), &k, &err);
	ocop_store_close(st);
	if (rc < 0)
		return cmd_fail(&err);
	printf("%s\n", k.id);
	fprintf(stderr,
		"ocop: new signing key %s from %s; earlier keys retired, "
		"published until the snapshots they signed expire\n",
		k.id, ocop_time_format(k.valid_from, t));
	return 0;
}

static int
key_list_cmd(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct ocop_error err = {0};
	struct ocop_store *st = NULL;
	struct store_key *keys = NULL;
	struct ocop_buf b;
	size_t n = 0;
	int rc, json = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else
			return cmd_usage_error("key",
					       "unexpected argument "
					       "'%s'",
					       argv[i]);
	}
	if ((rc = cmd_open_store(ctx, &st)))
		return rc;
	if (json) {
		ocop_buf_init(&b, 1 << 20);
		rc = keys_json(st, ocop_now(), &b, &err);
		ocop_store_close(st);
		if (rc == 0)
			printf("%s\n", b.data ? b.data : "");
		ocop_buf_release(&b);
		return rc < 0 ? cmd_fail(&err) : 0;
	}
	rc = keys_list(st, &keys, &n, &err);
	ocop_store_close(st);
	if (rc < 0)
		return cmd_fail(&err);
	printf("%-12s  %-25s  %-25s  %s\n", "id", "valid_from", "retired_at",
	       "valid_until");
	for (size_t i = 0; i < n; i++) {
		char t1[32], t2[32], t3[32];
		int64_t until = keys_valid_until(&keys[i]);

		printf("%-12s  %-25s  %-25s  %s\n", keys[i].id,
		       ocop_time_format(keys[i].valid_from, t1),
		       keys[i].retired_at == OCOP_NO_TIME
			   ? "-"
			   : ocop_time_format(keys[i].retired_at, t2),
		       until == OCOP_NO_TIME ? "- (current)"
					     : ocop_time_format(until, t3));
	}
	free(keys);
	return 0;
}

int
cmd_key(struct cmd_ctx *ctx, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		fputs(help, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (strcmp(argv[1], "rotate") == 0)
		return key_rotate_cmd(ctx, argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return key_list_cmd(ctx, argc - 1, argv + 1);
	return cmd_usage_error("key", "unknown subcommand '%s'", argv[1]);
}
