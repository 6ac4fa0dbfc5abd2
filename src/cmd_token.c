/*
 * cmd_token.c - ocop token create|list|revoke: API tokens and their life
 * cycle. A token is printed once at creation; only its keyed hash is
 * stored. Every change is in the audit log.
 */
#include <getopt.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cmd.h"
#include "token.h"

static const char help[] =
    "usage: ocop token create --role admin|producer|inspector "
    "[--producer CODE] [--expires DATE]\n"
    "       ocop token list [--json]\n"
    "       ocop token revoke ID\n\n"
    "create: make an API token for the HTTP service and print it alone on\n"
    "one line. It is shown only this once: the database keeps a keyed\n"
    "hash. Send it as 'Authorization: Bearer TOKEN'.\n\n"
    "  --role ROLE       admin: everything; inspector: record scans\n"
    "                    (POST /api/v1/scans) and read reports; producer:\n"
    "                    acts only on the products of one producer\n"
    "  --producer CODE   for a producer token: a product code of that\n"
    "                    producer (the token covers all its products)\n"
    "  --expires DATE    the token stops working when DATE begins\n"
    "                    (00:00 Vietnam time); a date after today\n\n"
    "list: every token: id, role, producer, created, last used, expiry,\n"
    "revoked (times in Vietnam time; RFC 3339 with --json).\n\n"
    "revoke: the token with this id (from 'ocop token list') is refused\n"
    "at once from then on.\n";

static int
token_create_cmd(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"role", required_argument, NULL, 'r'},
	    {"producer", required_argument, NULL, 'p'},
	    {"expires", required_argument, NULL, 'e'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct ocop_error err = {0};
	struct ocop_store *st = NULL;
	struct ocop_product prod;
	enum ocop_role role = OCOP_ROLE_NONE;
	const char *role_s = NULL, *producer = NULL;
	char token[TOKEN_LEN + 1], actor[160], subject[32], detail[160];
	int64_t producer_id = 0, id = 0, now = ocop_now();
	int64_t expires = OCOP_NO_TIME;
	int32_t day;
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			role_s = optarg;
			break;
		case 'p':
			producer = optarg;
			break;
		case 'e':
			if (ocop_day_parse(optarg, &day, &err) < 0) {
				ocop_error_prefix(&err, "--expires");
				return cmd_fail(&err);
			}
			if (day <= ocop_day_of(now))
				return cmd_usage_error(
				    "token", "--expires %s is not after today",
				    optarg);
			expires = ocop_day_start(day);
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
		return cmd_usage_error(
		    "token", "a producer token needs --producer CODE");
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
	/* the token and its audit entry in one transaction */
	if ((rc = st->m->begin(st, &err)) < 0)
		goto out;
	rc =
	    token_create(st, role, producer_id, now, expires, token, &id, &err);
	if (rc == 0) {
		char when[32];

		snprintf(subject, sizeof(subject), "token:%lld", (long long)id);
		snprintf(
		    detail, sizeof(detail), "role %s%s%s%s%s", role_s,
		    producer ? ", producer of " : "", producer ? producer : "",
		    expires != OCOP_NO_TIME ? ", expires " : "",
		    expires != OCOP_NO_TIME ? ocop_time_format(expires, when)
					    : "");
		rc =
		    audit_add(st, audit_cli_actor(actor, sizeof(actor)),
			      "token.create", subject, NULL, detail, now, &err);
	}
	if (rc < 0) {
		st->m->rollback(st);
		goto out;
	}
	if ((rc = st->m->commit(st, &err)) < 0)
		goto out;
	printf("%s\n", token);
	fflush(stdout);
out:
	sodium_memzero(token, sizeof(token));
	ocop_store_close(st);
	return rc < 0 ? cmd_fail(&err) : 0;
}

struct list_ctx {
	struct ocop_store *st;
	int json;
	json_t *arr;
	struct store_token *toks;
	char (*codes)[64]; /* a product code of each token's producer */
	size_t n, cap;
};

static int
collect(void *ctx, const struct store_token *t)
{
	struct list_ctx *l = ctx;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->toks = ocop_xrealloc(l->toks, l->cap * sizeof(*l->toks));
		l->codes = ocop_xrealloc(l->codes, l->cap * sizeof(*l->codes));
	}
	l->codes[l->n][0] = '\0';
	l->toks[l->n++] = *t;
	return 0;
}

/* "YYYY-MM-DD HH:MM" in Vietnam time, or "-" */
static const char *
when_text(int64_t t, char *buf)
{
	if (t == OCOP_NO_TIME)
		return "-";
	ocop_time_format(t, buf);
	buf[10] = ' ';
	buf[16] = '\0';
	return buf;
}

static json_t *
when_json(int64_t t)
{
	char buf[32];

	return t == OCOP_NO_TIME ? json_null()
				 : json_string(ocop_time_format(t, buf));
}

/* The first product code (by code) of each token's producer. */
static int
name_producer(void *ctx, const struct ocop_product *p)
{
	struct list_ctx *l = ctx;

	for (size_t i = 0; i < l->n; i++)
		if (l->toks[i].producer_id == p->producer.id && !l->codes[i][0])
			ocop_strlcpy(l->codes[i], p->code, sizeof(l->codes[i]));
	return 0;
}

static int
token_list_cmd(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct ocop_error err = {0};
	struct list_ctx l = {0};
	struct ocop_store *st = NULL;
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			l.json = 1;
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
	if ((rc = cmd_open_store(ctx, &st)) != 0)
		return rc;
	if ((rc = st->m->token_each(st, collect, &l, &err)) < 0)
		goto out;
	for (size_t i = 0; i < l.n; i++) {
		if (l.toks[i].producer_id > 0) {
			rc = st->m->product_each(st, name_producer, &l, &err);
			if (rc < 0)
				goto out;
			break;
		}
	}
	if (l.json)
		l.arr = json_array();
	else
		printf("%-5s %-9s %-16s %-16s %-16s %-16s %s\n", "ID", "ROLE",
		       "PRODUCER", "CREATED", "LAST USED", "EXPIRES",
		       "REVOKED");
	for (size_t i = 0; i < l.n; i++) {
		const struct store_token *t = &l.toks[i];
		const char *code = l.codes[i];
		char a[32], b[32], d[32], e[32];

		if (l.json) {
			json_array_append_new(
			    l.arr,
			    json_pack("{s:I, s:s, s:o, s:o, s:o, s:o, s:o}",
				      "id", (json_int_t)t->id, "role",
				      ocop_role_name(t->role), "producer",
				      code[0] ? json_string(code) : json_null(),
				      "created", when_json(t->created_at),
				      "last_used", when_json(t->last_used_at),
				      "expires", when_json(t->expires_at),
				      "revoked", when_json(t->revoked_at)));
		} else {
			printf("%-5lld %-9s %-16s %-16s %-16s %-16s %s\n",
			       (long long)t->id, ocop_role_name(t->role),
			       code[0] ? code : "-",
			       when_text(t->created_at, a),
			       when_text(t->last_used_at, b),
			       when_text(t->expires_at, d),
			       when_text(t->revoked_at, e));
		}
	}
	if (l.json) {
		if (json_dumpf(l.arr, stdout, JSON_INDENT(2)) < 0 ||
		    fputc('\n', stdout) == EOF)
			rc = ocop_error_set(&err, OCOP_EOUTPUT,
					    "cannot write the list");
		json_decref(l.arr);
	}
out:
	free(l.toks);
	free(l.codes);
	ocop_store_close(st);
	return rc < 0 ? cmd_fail(&err) : 0;
}

static int
token_revoke_cmd(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct ocop_error err = {0};
	struct ocop_store *st = NULL;
	char actor[160], subject[32], *end;
	int64_t now = ocop_now();
	long long id;
	int rc;

	if (cmd_wants_help(argc, argv)) {
		fputs(help, stdout);
		return 0;
	}
	if (argc != 2)
		return cmd_usage_error("token",
				       "revoke: expected one token ID");
	id = strtoll(argv[1], &end, 10);
	if (*end || end == argv[1] || id <= 0)
		return cmd_usage_error("token", "invalid token id '%s'",
				       argv[1]);
	if ((rc = cmd_open_store(ctx, &st)) != 0)
		return rc;
	snprintf(subject, sizeof(subject), "token:%lld", id);
	if ((rc = st->m->begin(st, &err)) < 0)
		goto out;
	if ((rc = st->m->token_revoke(st, id, now, &err)) < 0 ||
	    (rc = audit_add(st, audit_cli_actor(actor, sizeof(actor)),
			    "token.revoke", subject, NULL, NULL, now, &err)) <
		0) {
		st->m->rollback(st);
		goto out;
	}
	if ((rc = st->m->commit(st, &err)) == 0)
		fprintf(stderr, "ocop: token %lld revoked\n", id);
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
	if (strcmp(argv[1], "list") == 0)
		return token_list_cmd(ctx, argc - 1, argv + 1);
	if (strcmp(argv[1], "revoke") == 0)
		return token_revoke_cmd(ctx, argc - 1, argv + 1);
	return cmd_usage_error("token", "unknown subcommand '%s'", argv[1]);
}
