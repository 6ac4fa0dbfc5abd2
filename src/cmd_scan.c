/*
 * cmd_scan.c - ocop scan SERIAL|URL --server URL [--token T] [--at RFC3339]
 * [--place TEXT] [--json]: the inspector's client. Records one scan on a
 * running server (POST /api/v1/scans) and prints the verdict.
 */
#include <getopt.h>
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "http_client.h"

static const char help[] =
	"usage: ocop scan SERIAL|URL --server URL [--token T] [--at RFC3339]\n"
	"                 [--place TEXT] [--json]\n\n"
	"Record a scan of a label on a running ocop server and print the\n"
	"verdict. SERIAL is a label serial in any typed form; URL is what a\n"
	"label's QR code carries.\n\n"
	"  --server URL    the server, e.g. https://ocop.example.vn\n"
	"  --token T       an inspector or admin token (default $OCOP_TOKEN)\n"
	"  --at RFC3339    when the label was scanned, with an offset\n"
	"                  (default now)\n"
	"  --place TEXT    where it was scanned (shop, market, ...)\n"
	"  --json          print the server's result as JSON\n\n"
	"Exit status: 0 valid, 1 any other verdict, 65 bad input or request\n"
	"refused, 69 server unreachable.\n";

#define SCAN_MAX_ANSWER ((size_t)1 << 20)

/* Vietnamese first, English second, for what inspectors read. */
static const struct {
	const char *name, *vi, *en;
} verdicts[] = {
	{"valid", "Hợp lệ", "Valid"},
	{"unknown", "Không có trong hệ thống", "Unknown label"},
	{"voided", "Tem đã bị hủy", "Voided label"},
	{"revoked", "Đã bị thu hồi công nhận OCOP", "OCOP recognition revoked"},
	{"expired", "Hết hạn công nhận OCOP", "OCOP recognition expired"},
	{"star_mismatch", "Sai số sao", "Star rating mismatch"},
}, reasons[] = {
	{"in_force", "chứng nhận OCOP còn hiệu lực",
	 "OCOP certificate in force"},
	{"not_found", "không có tem nào mang mã này", "no label has this code"},
	{"mistyped", "sai ký tự kiểm tra (gõ nhầm hoặc mã bịa)",
	 "bad check symbol (mistyped or made up)"},
	{"wrong_product", "mã tem không thuộc sản phẩm hoặc lô này",
	 "the code does not belong to this product or lot"},
	{"label_voided", "tem đã bị hủy", "the label was voided"},
	{"batch_voided", "lô tem đã bị hủy", "the label batch was voided"},
	{"revoked", "quyết định công nhận đã bị thu hồi",
	 "the recognition was revoked"},
	{"expired", "quyết định công nhận đã hết hạn",
	 "the recognition has expired"},
	{"not_yet_recognised", "sản phẩm chưa được công nhận vào ngày quét",
	 "not yet recognised on the scan day"},
	{"fewer_stars", "số sao được công nhận ít hơn số sao in trên tem",
	 "fewer stars recognised than printed on the label"},
};

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

static int
lookup(const char *name, int verdict, const char **vi, const char **en)
{
	size_t n = verdict ? NELEMS(verdicts) : NELEMS(reasons);

	for (size_t i = 0; i < n; i++) {
		const char *k = verdict ? verdicts[i].name : reasons[i].name;

		if (strcmp(k, name) == 0) {
			*vi = verdict ? verdicts[i].vi : reasons[i].vi;
			*en = verdict ? verdicts[i].en : reasons[i].en;
			return 1;
		}
	}
	*vi = *en = name;
	return 0;
}

/* {server}/api/v1/scans, or NULL for a server URL we cannot use. */
static char *
scans_url(const char *server)
{
	size_t n = strlen(server);
	char *url;

	if (strncasecmp(server, "http://", 7) != 0 &&
	    strncasecmp(server, "https://", 8) != 0)
		return NULL;
	for (const char *p = server; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '?' ||
		    *p == '#')
			return NULL;
	while (n > 8 && server[n - 1] == '/')
		n--;
	url = ocop_xmalloc(n + sizeof("/api/v1/scans"));
	memcpy(url, server, n);
	strcpy(url + n, "/api/v1/scans");
	return url;
}

/* A token goes into a header: printable ASCII, no spaces. */
static int
token_ok(const char *t)
{
	size_t n = strlen(t);

	if (n == 0 || n > 512)
		return 0;
	for (; *t; t++)
		if ((unsigned char)*t <= ' ' || (unsigned char)*t >= 0x7f)
			return 0;
	return 1;
}

static void
print_human(json_t *res, const char *code)
{
	const char *verdict, *reason, *serial, *vvi, *ven, *rvi, *ren;
	char grouped[OCOP_SERIAL_GROUPED + 1];

	verdict = json_string_value(json_object_get(res, "verdict"));
	reason = json_string_value(json_object_get(res, "reason"));
	serial = json_string_value(json_object_get(res, "serial"));

	if (serial && strlen(serial) == OCOP_SERIAL_LEN)
		serial = ocop_serial_group(serial, grouped);
	else if (!serial || !*serial)
		serial = code;
	lookup(verdict, 1, &vvi, &ven);
	printf("%s: %s", serial, vvi);
	if (reason && *reason && lookup(reason, 0, &rvi, &ren))
		printf(" — %s / %s — %s", rvi, ven, ren);
	else if (reason && *reason)
		printf(" / %s — %s", ven, reason);
	else
		printf(" / %s", ven);
	if (json_is_true(json_object_get(res, "duplicate")))
		printf(" (đã ghi nhận trước đó / already recorded)");
	putchar('\n');
}

/* The server's error message from a JSON error body, else the body. */
static void
print_refusal(const struct http_client_resp *r)
{
	json_t *j = json_loads(r->body.data ? r->body.data : "", 0, NULL);
	json_t *e = json_object_get(j, "error");
	const char *msg = json_string_value(json_object_get(e, "message"));
	json_t *items = json_object_get(e, "items");

	if (msg)
		fprintf(stderr,
			"ocop: server refused the scan (HTTP %ld): %s\n",
			r->status, msg);
	else
		fprintf(stderr, "ocop: server refused the scan (HTTP %ld): "
				"%.300s\n",
			r->status, r->body.data ? r->body.data : "");
	if (json_is_array(items)) {
		char *s = json_dumps(items, JSON_COMPACT);

		if (s)
			fprintf(stderr, "ocop: %s\n", s);
		free(s);
	}
	if (r->status == 401)
		fputs("ocop: give an inspector token with --token or "
		      "$OCOP_TOKEN\n",
		      stderr);
	json_decref(j);
}

int
cmd_scan(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"server", required_argument, NULL, 's'},
		{"token", required_argument, NULL, 't'},
		{"at", required_argument, NULL, 'a'},
		{"place", required_argument, NULL, 'p'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct http_client_req req = {0};
	struct http_client_resp resp;
	struct ocop_error err = {0};
	struct ocop_code code;
	const char *server = NULL, *token = NULL, *at = NULL, *place = NULL;
	const char *verdict;
	unsigned char rnd[16];
	char id[2 * sizeof(rnd) + 1], when[32];
	char *url = NULL, *body = NULL;
	json_t *item = NULL, *answer = NULL, *root, *res;
	int64_t t;
	int c, json = 0, rc;

	(void)ctx;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			server = optarg;
			break;
		case 't':
			token = optarg;
			break;
		case 'a':
			at = optarg;
			break;
		case 'p':
			place = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			fputs(help, stdout);
			return 0;
		default:
			return cmd_usage_error("scan", "bad option");
		}
	}
	if (optind >= argc)
		return cmd_usage_error("scan", "missing SERIAL or URL");
	if (optind + 1 < argc)
		return cmd_usage_error("scan", "unexpected argument '%s'",
				       argv[optind + 1]);
	if (!server)
		return cmd_usage_error("scan", "missing --server URL");
	if (!token)
		token = getenv("OCOP_TOKEN");
	if (token && !*token)
		token = NULL;

	/* everything checkable here is checked before the network */
	if (ocop_code_parse(argv[optind], &code, &err) < 0)
		return cmd_fail(&err);
	url = scans_url(server);
	if (!url)
		return cmd_failf(EXIT_DATAERR,
				 "invalid server URL '%s': expected "
				 "http(s)://host[:port][/path]",
				 server);
	if (token && !token_ok(token)) {
		rc = cmd_failf(EXIT_DATAERR, "invalid token: expected one word "
					     "of printable ASCII");
		goto out;
	}
	if (at) {
		if (ocop_time_parse(at, &t, &err) < 0) {
			ocop_error_prefix(&err, "invalid --at");
			rc = cmd_fail(&err);
			goto out;
		}
	} else {
		t = ocop_now();
	}
	ocop_time_format(t, when);
	if (sodium_init() < 0) {
		rc = cmd_failf(EXIT_SOFTWARE, "cannot initialise libsodium");
		goto out;
	}
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(id, sizeof(id), rnd, sizeof(rnd));

	item = json_pack("{s:s, s:s, s:s}", "id", id, "code", argv[optind],
			 "scanned_at", when);
	if (!item) {
		rc = cmd_failf(EXIT_DATAERR, "invalid code: not UTF-8 text");
		goto out;
	}
	if (place && json_object_set_new(item, "place", json_string(place))) {
		rc = cmd_failf(EXIT_DATAERR, "invalid --place: not UTF-8 text");
		goto out;
	}
	root = json_pack("{s:[O]}", "scans", item);
	body = root ? json_dumps(root, JSON_COMPACT) : NULL;
	json_decref(root);
	if (!body) {
		rc = cmd_failf(EXIT_SOFTWARE, "cannot build the request");
		goto out;
	}

	req.method = "POST";
	req.url = url;
	req.bearer = token;
	req.content_type = "application/json";
	req.accept = "application/json";
	req.body = body;
	req.body_len = strlen(body);
	req.max_size = SCAN_MAX_ANSWER;
	http_client_resp_init(&resp);
	if (http_client_fetch(&req, &resp, &err) < 0) {
		rc = err.code == OCOP_EINVAL ? cmd_fail(&err)
					     : cmd_failf(EXIT_UNAVAILABLE, "%s",
							 err.msg);
		goto out_resp;
	}
	if (resp.status >= 400 && resp.status < 500) {
		print_refusal(&resp);
		rc = EXIT_DATAERR;
		goto out_resp;
	}
	answer = resp.status == 200 ? json_loads(resp.body.data, 0, NULL)
				    : NULL;
	res = json_array_get(json_object_get(answer, "results"), 0);
	verdict = json_string_value(json_object_get(res, "verdict"));
	if (!verdict) {
		rc = cmd_failf(EXIT_UNAVAILABLE,
			       "unexpected answer from '%s' (HTTP %ld): %.200s",
			       url, resp.status,
			       resp.body.data ? resp.body.data : "");
		goto out_resp;
	}
	if (json) {
		char *s = json_dumps(res, JSON_COMPACT);

		if (s)
			puts(s);
		free(s);
	} else {
		print_human(res, argv[optind]);
	}
	rc = strcmp(verdict, "valid") == 0 ? 0 : EXIT_NO;
out_resp:
	http_client_resp_release(&resp);
out:
	json_decref(answer);
	json_decref(item);
	free(body);
	free(url);
	return rc;
}
