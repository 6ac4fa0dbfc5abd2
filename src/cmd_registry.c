/*
 * cmd_registry.c - ocop registry import FILE|URL...: load recognition and
 * revocation files (CSV or JSON) into the database, all rows or none.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "http_client.h"
#include "registry.h"

static const char help[] =
    "usage: ocop registry import FILE|URL...\n\n"
    "Import the OCOP registry: recognition decisions or revocations, as\n"
    "CSV (UTF-8, RFC 4180, with a header row) or JSON (an array of\n"
    "objects with the same keys). Columns may come in any order.\n\n"
    "Recognitions (one row per decision; rows of one code form its\n"
    "history; gtin and valid_until may be empty):\n"
    "  code,name,group,gtin,producer,producer_kind,province,address,\n"
    "  stars,decision_no,decided_on,issuer,valid_until\n"
    "Revocations:\n"
    "  code,decision_no,revoked_on,ground,note\n\n"
    "group is I..VI, producer_kind HTX, THT, DN, hộ or other, stars 3..5,\n"
    "dates YYYY-MM-DD, ground a, b, c, d, dd (đ), e or lapsed. Every row is\n"
    "checked; when any is bad, each bad row is listed by its line (JSON:\n"
    "by item, counted from 0) and nothing is imported. Several files are\n"
    "imported together, all or none. Importing the same rows again\n"
    "changes nothing. FILE '-' reads standard input; a URL is fetched\n"
    "over https (plain http only from this machine). At most 64 MiB a\n"
    "file.\n";

static int
is_url(const char *s)
{
	return strncasecmp(s, "https://", 8) == 0 ||
	       strncasecmp(s, "http://", 7) == 0;
}

/* Fetch url and import its body. */
static int
import_url(struct ocop_store *st, const char *url, struct registry_summary *sum,
	   struct registry_problems *probs, struct ocop_error *err)
{
	struct http_client_req req;
	struct http_client_resp resp;
	int rc;

	if (strncasecmp(url, "http://", 7) == 0 &&
	    !http_client_is_loopback(url))
		return ocop_error_set(err, OCOP_EINVAL,
				      "registry URL '%s': use https:// (plain "
				      "http is allowed only for localhost)",
				      url);
	memset(&req, 0, sizeof(req));
	req.url = url;
	req.accept = "text/csv, application/json;q=0.9, */*;q=0.5";
	req.follow_redirects = 1;
	req.max_size = REGISTRY_MAX_INPUT;
	http_client_resp_init(&resp);
	rc = http_client_fetch(&req, &resp, err);
	if (rc == OCOP_ETOOBIG)
		rc = ocop_error_set(err, OCOP_ETOOBIG,
				    "registry '%s' is larger than %zu MiB", url,
				    REGISTRY_MAX_INPUT >> 20);
	else if (rc == 0 && resp.status != 200)
		rc = ocop_error_set(err, OCOP_ENOINPUT,
				    "cannot fetch registry '%s': HTTP %ld", url,
				    resp.status);
	else if (rc == 0)
		rc = registry_import_buffer(
		    st, url, resp.body.data ? resp.body.data : "",
		    resp.body.len, sum, probs, err);
	http_client_resp_release(&resp);
	return rc;
}

static void
print_summary(const char *name, const struct registry_summary *s)
{
	if (s->kind == REGISTRY_REVOCATIONS)
		fprintf(stderr,
			"ocop: %s: imported %zu revocation%s of %zu "
			"product%s (%zu unchanged)\n",
			name, s->rows, s->rows == 1 ? "" : "s", s->products,
			s->products == 1 ? "" : "s", s->unchanged);
	else
		fprintf(stderr,
			"ocop: %s: imported %zu product%s, %zu "
			"recognition%s (%zu unchanged)\n",
			name, s->products, s->products == 1 ? "" : "s", s->rows,
			s->rows == 1 ? "" : "s", s->unchanged);
}

static int
registry_import(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct ocop_error err = {0};
	struct ocop_store *st = NULL;
	struct registry_problems probs;
	struct registry_summary *sums = NULL;
	int c, rc, nfiles, i;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(help, stdout);
			return 0;
		default:
			return cmd_usage_error("registry import", "bad option");
		}
	}
	nfiles = argc - optind;
	if (nfiles < 1)
		return cmd_usage_error("registry import",
				       "missing FILE to import");
	if ((rc = cmd_open_store(ctx, &st)) != 0)
		return rc;
	registry_problems_init(&probs);
	sums = ocop_xcalloc((size_t)nfiles, sizeof(*sums));
	/* several files are one transaction: all of them or none */
	if ((rc = st->m->begin(st, &err)) < 0)
		goto out_fail;
	for (i = 0; i < nfiles; i++) {
		const char *name = argv[optind + i];

		if (is_url(name))
			rc = import_url(st, name, &sums[i], &probs, &err);
		else
			rc = registry_import_file(st, name, &sums[i], &probs,
						  &err);
		if (rc < 0 && rc != OCOP_EINVAL)
			break;
		if (rc == OCOP_EINVAL && probs.total == 0)
			break;
	}
	if (rc < 0 || probs.total > 0) {
		st->m->rollback(st);
		goto out_fail;
	}
	if ((rc = st->m->commit(st, &err)) < 0)
		goto out_fail;
	for (i = 0; i < nfiles; i++)
		print_summary(argv[optind + i], &sums[i]);
	rc = 0;
	goto out;

out_fail:
	for (size_t k = 0; k < probs.n; k++)
		fprintf(stderr, "ocop: %s\n", probs.msgs[k]);
	if (probs.total > probs.n)
		fprintf(stderr, "ocop: ... and %zu more problems\n",
			probs.total - probs.n);
	if (probs.total > 0) {
		fprintf(stderr,
			"ocop: %zu problem%s found; nothing was imported\n",
			probs.total, probs.total == 1 ? "" : "s");
		rc = EXIT_DATAERR;
	} else {
		rc = cmd_fail(&err);
	}
out:
	free(sums);
	registry_problems_release(&probs);
	ocop_store_close(st);
	return rc;
}

int
cmd_registry(struct cmd_ctx *ctx, int argc, char **argv)
{
	if (argc < 2)
		return cmd_usage_error("registry", "missing subcommand "
						   "(import)");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(help, stdout);
		return 0;
	}
	if (strcmp(argv[1], "import") == 0)
		return registry_import(ctx, argc - 1, argv + 1);
	return cmd_usage_error("registry", "unknown subcommand '%s'", argv[1]);
}
