/*
 * cmd_user.c - ocop user add|list|disable|reset: the web console's people
 * (SPEC 8). add and reset print the one-time setup link where the person
 * chooses a password. Every change is in the audit log.
 */
#include <getopt.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "audit.h"
#include "cmd.h"

static const char help[] =
    "usage: ocop user add LOGIN --role admin|inspector|producer "
    "[--producer CODE]\n"
    "                [--province P] [--name TEXT]\n"
    "       ocop user list [--json]\n"
    "       ocop user disable LOGIN\n"
    "       ocop user reset LOGIN\n\n"
    "The people who use the web console. LOGIN is a phone number or an\n"
    "e-mail address.\n\n"
    "add: a new user; prints the one-time link {BASE}/console/setup/TOKEN\n"
    "(valid 72 hours) where the person chooses a password.\n"
    "  --role ROLE       admin: the province's OCOP office; inspector;\n"
    "                    producer: sees one producer's products only\n"
    "  --producer CODE   for a producer: a product code of that producer\n"
    "  --province P      an inspector's home province\n"
    "  --name TEXT       the person's name\n\n"
    "list: every user, with role, producer, state and last change.\n"
    "disable: the user can no longer sign in; every session ends at once.\n"
    "reset: a new setup link; the old password and every session end (a\n"
    "disabled user is enabled again by it).\n";

/* The setup link of secret, from the stored base URL. */
static void
print_link(struct ocop_store *st, const char *secret)
{
	char base[512];

	if (st->m->meta_get(st, "base_url", base, sizeof(base), NULL) < 0 ||
	    !base[0])
		ocop_strlcpy(base, "", sizeof(base));
	printf("%s/console/setup/%s\n", base, secret);
	fflush(stdout);
}

static int
user_add_cmd(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"role", required_argument, NULL, 'r'},
	    {"producer", required_argument, NULL, 'p'},
	    {"province", required_argument, NULL, 'v'},
	    {"name", required_argument, NULL, 'n'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct ocop_error err = {0};
	struct ocop_store *st = NULL;
	enum ocop_role role = OCOP_ROLE_NONE;
	const char *role_s = NULL, *producer = NULL, *province = NULL;
	const char *name = NULL, *login;
	char secret[ACCOUNT_SECRET_LEN + 1], actor[160];
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			role_s = optarg;
			break;
		case 'p':
			producer = optarg;
			break;
		case 'v':
			province = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'h':
			fputs(help, stdout);
			return 0;
		default:
			return cmd_usage_error("user", "bad option");
		}
	}
	if (optind >= argc)
		return cmd_usage_error("user", "add: missing LOGIN");
	login = argv[optind++];
	if (optind < argc)
		return cmd_usage_error("user", "unexpected argument '%s'",
				       argv[optind]);
	if (!role_s)
		return cmd_usage_error("user", "--role is required");
	if (ocop_role_parse(role_s, &role) < 0)
		return cmd_usage_error("user",
				       "invalid role '%s': expected admin, "
				       "inspector or producer",
				       role_s);
	if (role == OCOP_ROLE_PRODUCER && !producer)
		return cmd_usage_error("user",
				       "a producer user needs --producer CODE");
	if (role != OCOP_ROLE_PRODUCER && producer)
		return cmd_usage_error("user", "--producer goes with --role "
					       "producer only");
	if ((rc = cmd_open_store(ctx, &st)) != 0)
		return rc;
	rc = account_user_add(st, login, role, producer, province, name,
			      audit_cli_actor(actor, sizeof(actor)), NULL,
			      ocop_now(), secret, NULL, &err);
	if (rc == 0)
		print_link(st, secret);
	sodium_memzero(secret, sizeof(secret));
	ocop_store_close(st);
	return rc < 0 ? cmd_fail(&err) : 0;
}

struct list_ctx {
	json_t *arr;
	int64_t now;
};

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

static const char *
state_of(const struct store_user *u, int64_t now)
{
	if (u->disabled_at != OCOP_NO_TIME)
		return "disabled";
	if (u->password_at != OCOP_NO_TIME)
		return "active";
	if (u->has_setup && now < u->setup_expires)
		return "setup_pending";
	return "setup_expired";
}

static int
list_one(void *ctx, const struct store_user *u)
{
	struct list_ctx *l = ctx;
	char a[32], b[32];

	if (l->arr) {
		json_array_append_new(
		    l->arr,
		    json_pack("{s:I, s:s, s:s, s:o, s:s, s:s, s:s, s:o, s:o, "
			      "s:o, s:o}",
			      "id", (json_int_t)u->id, "login", u->login,
			      "role", ocop_role_name(u->role), "producer_id",
			      u->producer_id > 0 ? json_integer(u->producer_id)
						 : json_null(),
			      "province", u->province, "name", u->name, "state",
			      state_of(u, l->now), "created",
			      when_json(u->created_at), "password_set",
			      when_json(u->password_at), "disabled",
			      when_json(u->disabled_at), "setup_expires",
			      when_json(u->has_setup ? u->setup_expires
						     : OCOP_NO_TIME)));
		return 0;
	}
	printf("%-28s %-9s %-13s %-16s %-16s %s\n", u->login,
	       ocop_role_name(u->role), state_of(u, l->now),
	       when_text(u->created_at, a), when_text(u->password_at, b),
	       u->name);
	return 0;
}

static int
user_list_cmd(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct ocop_error err = {0};
	struct ocop_store *st = NULL;
	struct list_ctx l = {NULL, ocop_now()};
	int c, rc, json = 0;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'h':
			fputs(help, stdout);
			return 0;
		default:
			return cmd_usage_error("user", "bad option");
		}
	}
	if (optind < argc)
		return cmd_usage_error("user", "unexpected argument '%s'",
				       argv[optind]);
	if ((rc = cmd_open_store(ctx, &st)) != 0)
		return rc;
	if (json)
		l.arr = json_array();
	else
		printf("%-28s %-9s %-13s %-16s %-16s %s\n", "LOGIN", "ROLE",
		       "STATE", "CREATED", "PASSWORD SET", "NAME");
	rc = account_user_each(st, list_one, &l, &err);
	if (rc == 0 && json &&
	    (json_dumpf(l.arr, stdout, JSON_INDENT(2)) < 0 ||
	     fputc('\n', stdout) == EOF))
		rc =
		    ocop_error_set(&err, OCOP_EOUTPUT, "cannot write the list");
	json_decref(l.arr);
	ocop_store_close(st);
	return rc < 0 ? cmd_fail(&err) : 0;
}

/* disable and reset: one LOGIN */
static int
user_change_cmd(struct cmd_ctx *ctx, int argc, char **argv, int reset)
{
	struct ocop_error err = {0};
	struct ocop_store *st = NULL;
	char secret[ACCOUNT_SECRET_LEN + 1], actor[160];
	int rc;

	if (cmd_wants_help(argc, argv)) {
		fputs(help, stdout);
		return 0;
	}
	if (argc != 2)
		return cmd_usage_error("user", "%s: expected one LOGIN",
				       argv[0]);
	if ((rc = cmd_open_store(ctx, &st)) != 0)
		return rc;
	audit_cli_actor(actor, sizeof(actor));
	if (reset) {
		rc = account_user_reset(st, argv[1], actor, NULL, ocop_now(),
					secret, &err);
		if (rc == 0)
			print_link(st, secret);
		sodium_memzero(secret, sizeof(secret));
	} else {
		rc = account_user_disable(st, argv[1], actor, NULL, ocop_now(),
					  &err);
		if (rc == 0)
			fprintf(stderr,
				"ocop: user %s disabled; its sessions ended\n",
				argv[1]);
	}
	ocop_store_close(st);
	return rc < 0 ? cmd_fail(&err) : 0;
}

int
cmd_user(struct cmd_ctx *ctx, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		fputs(help, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (strcmp(argv[1], "add") == 0)
		return user_add_cmd(ctx, argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return user_list_cmd(ctx, argc - 1, argv + 1);
	if (strcmp(argv[1], "disable") == 0)
		return user_change_cmd(ctx, argc - 1, argv + 1, 0);
	if (strcmp(argv[1], "reset") == 0)
		return user_change_cmd(ctx, argc - 1, argv + 1, 1);
	return cmd_usage_error("user", "unknown subcommand '%s'", argv[1]);
}
