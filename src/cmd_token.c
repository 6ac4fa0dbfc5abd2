/*
 * cmd_token.c - ocop token create --role ROLE [--producer CODE]: make an
 * API token and print it once; only its keyed hash is stored.
 */
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "token.h"

static const char help[] =
	"usage: ocop token create --role admin|producer|inspector "
	"[--producer CODE]\n\n"
	"Create an API token for the HTTP service and print it alone on one\n"
	"line. It is shown only this once: the database keeps a keyed hash.\n"
	"Send it as 'Authorization: Bearer TOKEN'.\n\n"
	"  --role ROLE       admin: everything; inspector: record scans\n"
	"                    (POST /api/v1/scans) and read reports; producer:\n"
	"                    acts only on the products of one producer\n"
	"  --producer CODE   for a producer token: a product code of that\n"
	"                    producer (the token covers all its products)\n";

static int
token_create_cmd(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"role", required_argument, NULL, 'r'},
		{"producer", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct ocop_error err = {0};
	struct ocop_store *st = NULL;
	struct ocop_product prod;
	enum ocop_role role = OCOP_ROLE_NONE;
	const char *role_s = NULL, *producer = NULL;
	char token[TOKEN_LEN + 1];
	int64_t producer_id = 0;
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			role_s = optarg;
			break;
		case 'p':
			producer = optarg;
			break;
		case 'h':
			fputs(help, stdout);
			return 0;
		default:
			return cmd_usage_error("token", "bad option");
		}
	}
	if (optind < argc)
		return cmd_usage_error("token", "unexpected argument '%s'",
				       argv[optind]);
	if (!role_s)
		return cmd_usage_error("token", "--role is required");
	if (ocop_role_parse(role_s, &role) < 0)
		return cmd_usage_error("token",
				       "invalid role '%s': expected admin, "
				       "producer or inspector",
				       role_s);
	if (role == OCOP_ROLE_PRODUCER && !producer)
		return cmd_usage_error("token",
				       "a producer token needs --producer CODE");
	if (role != OCOP_ROLE_PRODUCER && producer)
		return cmd_usage_error("token",
				       "--producer goes with --role producer "
				       "only");
	if ((rc = cmd_open_store(ctx, &st)) != 0)
		return rc;
	if (producer) {
		rc = st->m->product_get(st, producer, &prod, &err);
		if (rc == OCOP_ENOENT)
			ocop_error_set(&err, OCOP_ENOENT,
				       "unknown product code '%s'", producer);
		if (rc < 0)
			goto out;
		producer_id = prod.producer.id;
	}
	rc = token_create(st, role, producer_id, token, &err);
	if (rc == 0) {
		printf("%s\n", token);
		fflush(stdout);
		sodium_memzero(token, sizeof(token));
	}
out:
	ocop_store_close(st);
	return rc < 0 ? cmd_fail(&err) : 0;
}

int
cmd_token(struct cmd_ctx *ctx, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		fputs(help, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (strcmp(argv[1], "create") == 0)
		return token_create_cmd(ctx, argc - 1, argv + 1);
	return cmd_usage_error("token", "unknown subcommand '%s'", argv[1]);
}
