/*
 * cmd_init.c - ocop init [--base-url URL] [--operator NAME] [--contact
 * TEXT]: create or upgrade the database, record the base URL that label
 * QR codes carry, and who runs the service and how to reach them (shown
 * on the consumer pages, SPEC 5.0).
 */
#include <getopt.h>
#include <string.h>

#include "cmd.h"
#include "keys.h"
#include "label.h"
#include "utf8.h"

static const char help[] =
	"usage: ocop init [--base-url URL] [--operator NAME] [--contact TEXT]\n"
	"\n"
	"Create the database (or apply pending schema upgrades) and set:\n"
	"  --base-url URL   the base URL printed in label QR codes:\n"
	"                   scheme://host[:port], no path (default\n"
	"                   http://localhost:8080)\n"
	"  --operator NAME  the body that runs the service, named in the\n"
	"                   header of every consumer page\n"
	"  --contact TEXT   how to report a suspect product (a hotline or an\n"
	"                   address), shown with every verdict but valid\n"
	"Each keeps its stored value when omitted; an empty value clears\n"
	"the operator or the contact. 'ocop serve' reads them when it starts.\n";

#define OPERATOR_MAX 200 /* bytes of UTF-8 */
#define CONTACT_MAX 400

/* Text for the pages: UTF-8, no control characters, at most max bytes,
 * trimmed into out. */
static int
check_text(const char *what, const char *in, size_t max, char *out, size_t size,
	   struct ocop_error *err)
{
	size_t n, bad;

	while (*in == ' ' || *in == '\t')
		in++;
	n = strlen(in);
	while (n && (in[n - 1] == ' ' || in[n - 1] == '\t'))
		n--;
	if (n > max || n >= size)
		return ocop_error_set(err, OCOP_EINVAL,
				      "invalid %s: longer than %zu bytes", what,
				      max);
	if (!utf8_valid(in, n, &bad))
		return ocop_error_set(err, OCOP_EINVAL,
				      "invalid %s: not UTF-8 at byte %zu", what,
				      bad + 1);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)in[i] < 0x20 || in[i] == 0x7f)
			return ocop_error_set(err, OCOP_EINVAL,
					      "invalid %s: a control "
					      "character at byte %zu",
					      what, i + 1);
	memcpy(out, in, n);
	out[n] = '\0';
	return 0;
}

int
cmd_init(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"base-url", required_argument, NULL, 'b'},
		{"operator", required_argument, NULL, 'o'},
		{"contact", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct ocop_error err = {0};
	struct ocop_store *st = NULL;
	const char *base = NULL, *op = NULL, *contact = NULL;
	char norm[256], cur[256], op_text[OPERATOR_MAX + 1];
	char contact_text[CONTACT_MAX + 1], cur_op[OPERATOR_MAX + 1];
	int c, rc, key_made = 0;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			base = optarg;
			break;
		case 'o':
			op = optarg;
			break;
		case 'c':
			contact = optarg;
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
	if (op && check_text("operator", op, OPERATOR_MAX, op_text,
			     sizeof(op_text), &err) < 0)
		return cmd_fail(&err);
	if (contact && check_text("contact", contact, CONTACT_MAX, contact_text,
				  sizeof(contact_text), &err) < 0)
		return cmd_fail(&err);
	if (ocop_store_open(ctx->db_path, 1, &st, &err) < 0)
		return cmd_fail(&err);
	rc = st->m->meta_get(st, "base_url", cur, sizeof(cur), &err);
	if (rc == 0 && (base || !cur[0]))
		rc = st->m->meta_set(st, "base_url",
				     base ? norm : LABEL_DEFAULT_BASE_URL, &err);
	if (rc == 0 && op)
		rc = st->m->meta_set(st, "operator", op_text, &err);
	if (rc == 0 && contact)
		rc = st->m->meta_set(st, "contact", contact_text, &err);
	if (rc == 0)
		rc = st->m->meta_get(st, "base_url", cur, sizeof(cur), &err);
	if (rc == 0)
		rc = st->m->meta_get(st, "operator", cur_op, sizeof(cur_op),
				     &err);
	/* the first key that signs field snapshots (SPEC 9) */
	if (rc == 0)
		rc = keys_ensure(st, ocop_now(), &key_made, &err);
	ocop_store_close(st);
	if (rc < 0)
		return cmd_fail(&err);
	/* a URI may hold a password: never repeated */
	if (strstr(ctx->db_path, "://"))
		fprintf(stderr, "ocop: PostgreSQL database ready, base URL %s\n",
			cur);
	else
		fprintf(stderr, "ocop: database '%s' ready, base URL %s\n",
			ctx->db_path, cur);
	if (key_made)
		fprintf(stderr, "ocop: made the key that signs field "
				"snapshots (ocop key list)\n");
	if (cur_op[0])
		fprintf(stderr, "ocop: operator: %s\n", cur_op);
	else
		fprintf(stderr, "ocop: no operator set: consumer pages name "
				"no one (ocop init --operator NAME)\n");
	return 0;
}
