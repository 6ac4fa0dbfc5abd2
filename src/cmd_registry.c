/*
 * cmd_registry.c - ocop registry import FILE|URL...: load recognition,
 * extension and revocation files (CSV or JSON) into the database, all
 * rows or none; ocop registry export: write them back.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit.h"
#include "cmd.h"
#include "http_client.h"
#include "registry.h"

static const char help[] =
    "usage: ocop registry import FILE|URL...\n"
    "       ocop registry export [--format csv|json] [--out DIR]\n\n"
    "Import the OCOP registry: recognition decisions or revocations, as\n"
    "CSV (UTF-8, RFC 4180, with a header row) or JSON (an array of\n"
    "objects with the same keys). Columns may come in any order.\n\n"
    "Recognitions (one row per decision; rows of one code form its\n"
    "history; gtin and valid_until may be empty):\n"
    "  code,name,group,gtin,producer,producer_kind,province,address,\n"
    "  stars,decision_no,decided_on,issuer,valid_until\n"
    "  and optionally producer_id (registration / tax number: one\n"
    "  producer across products and addresses) and source\n"
    "Extensions (extension_decision_no may be left out):\n"
    "  code,decision_no,extended_until,extension_decision_no\n"
    "Revocations:\n"
    "  code,decision_no,revoked_on,ground,note\n\n"
    "group is I..VI or the group's name as decisions write it (Thực phẩm,\n"
    "Đồ uống, Dược liệu, Thủ công mỹ nghệ, Sinh vật cảnh, Du lịch, ...);\n"
    "producer_kind HTX, THT, DN, hộ, other or the kind in words (Hợp tác\n"
    "xã, Công ty TNHH, Hộ kinh doanh, Cơ sở sản xuất, ...), empty: read\n"
    "from the producer's name; both in any case, with or without\n"
    "diacritics. stars 3..5, dates YYYY-MM-DD, ground a, b, c, d, dd (đ),\n"
    "e or lapsed. History may come in any order; files are imported\n"
    "recognitions first, then extensions, then revocations. Every row is\n"
    "checked; when any is bad, each bad row is listed by its line (JSON:\n"
    "by item, counted from 0) and nothing is imported. Several files are\n"
    "imported together, all or none. Importing the same rows again\n"
    "changes nothing. FILE '-' reads standard input; a URL is fetched\n"
    "over https (plain http only from this machine). At most 64 MiB a\n"
    "file.\n\n"
    "export: write the registry back as those files, registry.csv,\n"
    "extensions.csv and revocations.csv (--format json: .json) in --out\n"
    "DIR (created when missing; files replaced whole), so that importing\n"
    "them into an empty database gives the same verdicts. Without --out,\n"
    "one JSON object {\"registry\",\"extensions\",\"revocations\"} on\n"
    "standard output, which 'ocop registry import -' reads back.\n";

static int
is_url(const char *s)
{
	return strncasecmp(s, "https://", 8) == 0 ||
	       strncasecmp(s, "http://", 7) == 0;
}

/* Fetch url into body. */
static int
fetch_url(const char *url, struct ocop_buf *body, struct ocop_error *err)
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
	else if (rc == 0 && resp.body.len)
		rc = ocop_buf_add(body, resp.body.data, resp.body.len);
	http_client_resp_release(&resp);
	return rc;
}

/* Files are imported recognitions first: extensions and revocations name
 * the decisions they concern, which may come in a file given later. */
static int
kind_rank(enum registry_kind k)
{
	return k == REGISTRY_REVOCATIONS ? 2 : k == REGISTRY_EXTENSIONS ? 1 : 0;
}

static void
print_summary(const char *name, const struct registry_summary *s)
{
	switch (s->kind) {
	case REGISTRY_REVOCATIONS:
		fprintf(stderr,
			"ocop: %s: imported %zu revocation%s of %zu "
			"product%s (%zu unchanged)\n",
			name, s->rows, s->rows == 1 ? "" : "s", s->products,
			s->products == 1 ? "" : "s", s->unchanged);
		break;
	case REGISTRY_EXTENSIONS:
		fprintf(stderr,
			"ocop: %s: imported %zu extension%s of %zu "
			"product%s (%zu unchanged)\n",
			name, s->rows, s->rows == 1 ? "" : "s", s->products,
			s->products == 1 ? "" : "s", s->unchanged);
		break;
	case REGISTRY_BUNDLE:
		fprintf(stderr,
			"ocop: %s: imported %zu product%s: %zu recognitions, "
			"%zu extensions, %zu revocations (%zu unchanged)\n",
			name, s->products, s->products == 1 ? "" : "s",
			s->by_kind[REGISTRY_RECOGNITIONS - 1],
			s->by_kind[REGISTRY_EXTENSIONS - 1],
			s->by_kind[REGISTRY_REVOCATIONS - 1], s->unchanged);
		break;
	default:
		fprintf(stderr,
			"ocop: %s: imported %zu product%s, %zu "
			"recognition%s (%zu unchanged)\n",
			name, s->products, s->products == 1 ? "" : "s", s->rows,
			s->rows == 1 ? "" : "s", s->unchanged);
	}
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
	struct ocop_buf *bufs = NULL;
	int *order = NULL;
	int c, rc = 0, nfiles, i, j, k;

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
	bufs = ocop_xcalloc((size_t)nfiles, sizeof(*bufs));
	order = ocop_xcalloc((size_t)nfiles, sizeof(*order));
	for (i = 0; i < nfiles && rc == 0; i++) {
		const char *name = argv[optind + i];

		ocop_buf_init(&bufs[i], REGISTRY_MAX_INPUT);
		if (is_url(name))
			rc = fetch_url(name, &bufs[i], &err);
		else
			rc = registry_read_file(name, &bufs[i], &err);
	}
	if (rc < 0)
		goto out_fail;
	/* stable: in the order given within each kind */
	for (i = 0, k = 0; k < 3; k++)
		for (j = 0; j < nfiles; j++)
			if (kind_rank(registry_sniff_kind(
				argv[optind + j],
				bufs[j].data ? bufs[j].data : "",
				bufs[j].len)) == k)
				order[i++] = j;
	/* several files are one transaction: all of them or none */
	if ((rc = st->m->begin(st, &err)) < 0)
		goto out_fail;
	for (k = 0; k < nfiles; k++) {
		const char *name;

		i = order[k];
		name = argv[optind + i];
		rc = registry_import_buffer(
		    st, name, bufs[i].data ? bufs[i].data : "", bufs[i].len,
		    &sums[i], &probs, &err);
		/* a file that changed nothing is no change to record */
		if (rc == 0 && probs.total == 0 && sums[i].added > 0) {
			char actor[160], detail[160];

			snprintf(detail, sizeof(detail),
				 "%zu rows, %zu added, %zu unchanged",
				 sums[i].rows, sums[i].added,
				 sums[i].unchanged);
			audit_cli_actor(actor, sizeof(actor));
			rc = audit_add(st, actor, "registry.import", name,
				       NULL, detail, ocop_now(), &err);
			if (rc < 0)
				break;
		}
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
	for (size_t m = 0; m < probs.n; m++)
		fprintf(stderr, "ocop: %s\n", probs.msgs[m]);
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
	for (i = 0; bufs && i < nfiles; i++)
		ocop_buf_release(&bufs[i]);
	free(bufs);
	free(order);
	free(sums);
	registry_problems_release(&probs);
	ocop_store_close(st);
	return rc;
}

static int
registry_export(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"out", required_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct ocop_error err = {0};
	struct ocop_store *st = NULL;
	struct registry_export_counts n;
	const char *out = NULL, *format = NULL;
	int c, rc, json;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			fputs(help, stdout);
			return 0;
		default:
			return cmd_usage_error("registry export", "bad option");
		}
	}
	if (optind < argc)
		return cmd_usage_error("registry export",
				       "unexpected argument '%s'",
				       argv[optind]);
	if (format && strcmp(format, "csv") != 0 && strcmp(format, "json") != 0)
		return cmd_usage_error("registry export",
				       "invalid --format '%s': expected csv or "
				       "json",
				       format);
	json = format && strcmp(format, "json") == 0;
	if (!out && format && !json)
		return cmd_usage_error("registry export",
				       "--format csv writes three files: give "
				       "--out DIR");
	if (out && !*out)
		return cmd_usage_error("registry export", "empty --out");
	if ((rc = cmd_open_store(ctx, &st)) != 0)
		return rc;
	if (out)
		rc = registry_export_dir(st, out, json, &n, &err);
	else
		rc = registry_export_bundle(st, stdout, &n, &err);
	ocop_store_close(st);
	if (rc < 0)
		return cmd_fail(&err);
	fprintf(stderr,
		"ocop: exported %zu product%s: %zu recognitions, %zu "
		"extensions, %zu revocations%s%s\n",
		n.products, n.products == 1 ? "" : "s", n.recognitions,
		n.extensions, n.revocations, out ? " into " : "",
		out ? out : "");
	return 0;
}

int
cmd_registry(struct cmd_ctx *ctx, int argc, char **argv)
{
	if (argc < 2)
		return cmd_usage_error("registry", "missing subcommand "
						   "(import or export)");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(help, stdout);
		return 0;
	}
	if (strcmp(argv[1], "import") == 0)
		return registry_import(ctx, argc - 1, argv + 1);
	if (strcmp(argv[1], "export") == 0)
		return registry_export(ctx, argc - 1, argv + 1);
	return cmd_usage_error("registry", "unknown subcommand '%s'", argv[1]);
}
