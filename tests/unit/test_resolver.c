/*
 * test_resolver.c - the GS1 resolver (SPEC 5.1) as a pure function over an
 * in-memory database: every status rule, the headers every Digital Link
 * answer carries, linksets and the description file.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "harness.h"
#include "http/resolver.h"

#define BASE "https://ocop.example.vn"
#define GTIN "08935049500018"   /* GTIN-13 8935049500018 as 14 digits */
#define GTIN13 "8935049500018"
#define OTHER_GTIN "04006381333931" /* valid, on no product of ours */
#define LOT "L2406A"

static struct ocop_store *st;
static char serial[OCOP_SERIAL_LEN + 1];    /* with a lot */
static char serial_nl[OCOP_SERIAL_LEN + 1]; /* batch without a lot */
static char serial_x[OCOP_SERIAL_LEN + 1];  /* product without a GTIN */

static struct http_resp resp;

static const char *
hdr(const char *name)
{
	const char *v = NULL;
	int n = 0;

	for (int i = 0; i < resp.nheaders; i++) {
		if (strcasecmp(resp.headers[i].name, name) == 0) {
			v = resp.headers[i].value;
			n++;
		}
	}
	return n == 1 ? v : n > 1 ? "(repeated)" : NULL;
}

/* Answer one request into the global resp; returns the status. */
static int
ask(const char *method, const char *path, const char *query,
    const char *accept)
{
	struct http_req req = {0};

	http_resp_release(&resp);
	http_resp_init(&resp);
	req.method = method;
	req.path = path;
	req.query = query ? query : "";
	req.accept = accept;
	if (resolver_handle(st, NULL, BASE, &req, &resp) < 0)
		printf("  (resolver_handle failed: %s)\n", resp.body.data);
	return resp.status;
}

static int64_t
make_product(const char *code, const char *gtin)
{
	struct ocop_product p;
	struct ocop_recognition r;
	struct ocop_error err = {0};
	int changed;

	memset(&p, 0, sizeof(p));
	ocop_strlcpy(p.code, code, sizeof(p.code));
	ocop_strlcpy(p.name, "Mật ong hoa nhãn", sizeof(p.name));
	ocop_strlcpy(p.group, "I", sizeof(p.group));
	ocop_strlcpy(p.gtin, gtin, sizeof(p.gtin));
	ocop_strlcpy(p.producer.name, "HTX Ong mật", sizeof(p.producer.name));
	ocop_strlcpy(p.producer.kind, "HTX", sizeof(p.producer.kind));
	ocop_strlcpy(p.producer.province, "Đồng Tháp",
		     sizeof(p.producer.province));
	ocop_strlcpy(p.producer.address, "Ấp 1", sizeof(p.producer.address));
	memset(&r, 0, sizeof(r));
	r.stars = 4;
	snprintf(r.decision_no, sizeof(r.decision_no), "1446/QĐ-UBND-%s",
		 code);
	ocop_day_parse("2025-06-01", &r.decided_on, NULL);
	ocop_strlcpy(r.issuer, "UBND tỉnh Đồng Tháp", sizeof(r.issuer));
	r.valid_from = OCOP_NO_DAY;
	r.valid_until = OCOP_NO_DAY;
	r.extended_until = OCOP_NO_DAY;
	if (st->m->product_put(st, &p, &changed, &err) < 0 ||
	    st->m->recognition_add(st, p.id, &r, &changed, &err) < 0) {
		printf("fixture: %s\n", err.msg);
		exit(1);
	}
	return p.id;
}

static void
make_label(int64_t pid, const char *lot, char *out)
{
	struct ocop_batch b;
	struct ocop_label l;
	struct ocop_error err = {0};
	int32_t day;

	memset(&b, 0, sizeof(b));
	b.product_id = pid;
	b.stars = 4;
	b.count = 1;
	ocop_strlcpy(b.lot, lot, sizeof(b.lot));
	b.made_on = OCOP_NO_DAY;
	b.best_before = OCOP_NO_DAY;
	ocop_day_parse("2025-07-01", &day, NULL);
	b.issued_at = ocop_day_start(day);
	b.voided_at = OCOP_NO_TIME;
	memset(&l, 0, sizeof(l));
	ocop_serial_new(l.serial);
	l.product_id = pid;
	l.stars = 4;
	l.voided_at = OCOP_NO_TIME;
	if (st->m->begin(st, &err) < 0 || st->m->batch_add(st, &b, &err) < 0)
		goto fail;
	l.batch_id = b.id;
	if (st->m->label_add(st, &l, &err) < 0 ||
	    st->m->commit(st, &err) < 0)
		goto fail;
	memcpy(out, l.serial, OCOP_SERIAL_LEN + 1);
	return;
fail:
	printf("fixture: %s\n", err.msg);
	exit(1);
}

static void
setup(void)
{
	struct ocop_error err = {0};
	int64_t pid;

	setenv("OCOP_NOW", "2026-01-15T10:00:00+07:00", 1);
	if (ocop_store_open(":memory:", 1, &st, &err) < 0) {
		printf("FAIL setup: %s\n", err.msg);
		exit(1);
	}
	pid = make_product("83-001-0001-2025", GTIN);
	make_label(pid, LOT, serial);
	make_label(pid, "", serial_nl);
	pid = make_product("83-001-0002-2025", "");
	make_label(pid, "", serial_x);
}

static char *
P(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* a formatted path in a rotating static buffer */
static char *
P(const char *fmt, ...)
{
	static char bufs[8][512];
	static int next;
	char *b = bufs[next++ % 8];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b, 512, fmt, ap);
	va_end(ap);
	return b;
}

static void
check_dl_headers(const char *normal)
{
	CHECK_STR(hdr("Access-Control-Allow-Origin"), "*");
	CHECK_STR(hdr("Access-Control-Allow-Methods"), "GET, HEAD, OPTIONS");
	CHECK_STR(hdr("Access-Control-Expose-Headers"), "Link, Location");
	CHECK_STR(hdr("Vary"), "Accept, Accept-Language");
	/* a linkset (the only 200 here) also links its JSON-LD context */
	if (normal && resp.status == 200)
		CHECK_STR(hdr("Link"),
			  P("<%s?linkType=linkset>; rel=\"linkset\"; "
			    "type=\"application/linkset+json\", "
			    "<" BASE "/context/linkset.jsonld>; "
			    "rel=\"http://www.w3.org/ns/json-ld#context\"; "
			    "type=\"application/ld+json\"",
			    normal));
	else if (normal)
		CHECK_STR(hdr("Link"),
			  P("<%s?linkType=linkset>; rel=\"linkset\"; "
			    "type=\"application/linkset+json\"",
			    normal));
}

static json_t *
body_json(void)
{
	json_t *j = json_loads(resp.body.data ? resp.body.data : "", 0, NULL);

	if (!j)
		HARNESS_FAIL("body is not JSON: %.200s",
			     resp.body.data ? resp.body.data : "(none)");
	return j;
}

static const char *
jstr(json_t *j, const char *key)
{
	return json_string_value(json_object_get(j, key));
}

static void
test_label_redirects(void)
{
	char lbl[512];

	snprintf(lbl, sizeof(lbl), "/01/%s/10/%s/21/%s", GTIN, LOT, serial);

	TEST("label URI with GTIN and lot: GET 307 to /L/, empty body");
	CHECK_INT(ask("GET", lbl, NULL, NULL), 307);
	CHECK_STR(hdr("Location"), P(BASE "/L/%s", serial));
	CHECK_INT(resp.body.len, 0);
	check_dl_headers(P(BASE "%s", lbl));

	TEST("label URI: HEAD 307 too");
	CHECK_INT(ask("HEAD", lbl, NULL, NULL), 307);
	CHECK_STR(hdr("Location"), P(BASE "/L/%s", serial));
	check_dl_headers(P(BASE "%s", lbl));

	TEST("label URI: query string appended unchanged");
	CHECK_INT(ask("GET", lbl, "lang=en&x=%41b", NULL), 307);
	CHECK_STR(hdr("Location"), P(BASE "/L/%s?lang=en&x=%%41b", serial));

	TEST("label URI without the lot of a batch that has one: 307");
	CHECK_INT(ask("GET", P("/01/%s/21/%s", GTIN, serial), NULL, NULL),
		  307);
	CHECK_STR(hdr("Location"), P(BASE "/L/%s", serial));
	check_dl_headers(P(BASE "/01/%s/21/%s", GTIN, serial));

	TEST("label URI of a batch without a lot: 307");
	CHECK_INT(ask("GET", P("/01/%s/21/%s", GTIN, serial_nl), NULL, NULL),
		  307);
	CHECK_STR(hdr("Location"), P(BASE "/L/%s", serial_nl));

	TEST("label URI: GTIN-13, lower-case lot, trailing slash normalised");
	CHECK_INT(ask("GET",
		      P("/01/%s/10/l2406a/21/%s/", GTIN13, serial), NULL,
		      NULL),
		  307);
	CHECK_STR(hdr("Location"), P(BASE "/L/%s", serial));
	check_dl_headers(P(BASE "/01/%s/10/%s/21/%s", GTIN, LOT, serial));

	TEST("label URI: Accept text/html still redirects");
	CHECK_INT(ask("GET", lbl, NULL, "text/html,*/*;q=0.8"), 307);
}

static void
check_unknown(const char *reason)
{
	json_t *j = body_json();

	CHECK_STR(resp.content_type, "application/json");
	CHECK_STR(jstr(j, "verdict"), "unknown");
	CHECK_STR(jstr(j, "reason"), reason);
	CHECK(json_object_get(j, "product") == NULL);
	CHECK(json_object_get(j, "label") == NULL);
	CHECK(hdr("Location") == NULL);
	check_dl_headers(NULL);
	json_decref(j);
}

static void
test_label_404(void)
{
	char other[OCOP_SERIAL_LEN + 1], typo[OCOP_SERIAL_LEN + 1];

	TEST("a genuine serial under another GTIN: 404 unknown");
	CHECK_INT(ask("GET", P("/01/%s/21/%s", OTHER_GTIN, serial), NULL,
		      NULL),
		  404);
	check_unknown("wrong_product");
	/* and no linkset or link type walks up to the product */
	CHECK_INT(ask("GET", P("/01/%s/21/%s", OTHER_GTIN, serial),
		      "linkType=linkset", NULL),
		  404);
	CHECK_INT(ask("GET", P("/01/%s/21/%s", OTHER_GTIN, serial),
		      "linkType=gs1:pip", NULL),
		  404);
	CHECK_INT(ask("GET", P("/01/%s/21/%s", OTHER_GTIN, serial), NULL,
		      "application/linkset+json"),
		  404);

	TEST("a genuine serial with another lot: 404 unknown");
	CHECK_INT(ask("GET", P("/01/%s/10/OTHER/21/%s", GTIN, serial), NULL,
		      NULL),
		  404);
	check_unknown("wrong_product");
	CHECK_INT(ask("GET", P("/01/%s/10/%s/21/%s", GTIN, LOT, serial_nl),
		      NULL, NULL),
		  404);

	TEST("the serial of a product without a GTIN under a GTIN: 404");
	CHECK_INT(ask("GET", P("/01/%s/21/%s", GTIN, serial_x), NULL, NULL),
		  404);
	check_unknown("wrong_product");

	TEST("an unknown serial: 404 unknown");
	do
		ocop_serial_new(other);
	while (strcmp(other, serial) == 0 || strcmp(other, serial_nl) == 0 ||
	       strcmp(other, serial_x) == 0);
	CHECK_INT(ask("GET", P("/01/%s/21/%s", GTIN, other), NULL, NULL),
		  404);
	check_unknown("not_found");
	CHECK_INT(ask("HEAD", P("/01/%s/21/%s", GTIN, other), NULL, NULL),
		  404);

	TEST("a mistyped serial: 404 unknown, mistyped");
	memcpy(typo, serial, sizeof(typo));
	typo[3] = typo[3] == '7' ? '8' : '7';
	CHECK_INT(ask("GET", P("/01/%s/21/%s", GTIN, typo), NULL, NULL), 404);
	check_unknown("mistyped");

	TEST("a value of another shape under 21: 404 unknown");
	CHECK_INT(ask("GET", P("/01/%s/21/ABC123", GTIN), NULL, NULL), 404);
	check_unknown("not_found");
	check_dl_headers(P(BASE "/01/%s/21/ABC123", GTIN));
}

static void
test_product(void)
{
	TEST("product URI of a known GTIN: 307 to /P/");
	CHECK_INT(ask("GET", P("/01/%s", GTIN), NULL, NULL), 307);
	CHECK_STR(hdr("Location"), BASE "/P/" GTIN);
	CHECK_INT(resp.body.len, 0);
	check_dl_headers(BASE "/01/" GTIN);
	CHECK_INT(ask("HEAD", P("/01/%s", GTIN), "lang=en", NULL), 307);
	CHECK_STR(hdr("Location"), BASE "/P/" GTIN "?lang=en");

	TEST("product URI with a lot (any lot): 307 to /P/");
	CHECK_INT(ask("GET", P("/01/%s/10/%s", GTIN, LOT), NULL, NULL), 307);
	CHECK_STR(hdr("Location"), BASE "/P/" GTIN);
	check_dl_headers(BASE "/01/" GTIN "/10/" LOT);
	CHECK_INT(ask("GET", P("/01/%s/10/NEVER.SEEN-1", GTIN), NULL, NULL),
		  307);

	TEST("product URI in GTIN-13 form: normal form in Location and Link");
	CHECK_INT(ask("GET", "/01/" GTIN13 "/", NULL, NULL), 307);
	CHECK_STR(hdr("Location"), BASE "/P/" GTIN);
	check_dl_headers(BASE "/01/" GTIN);

	TEST("product URI of an unknown GTIN: 404");
	CHECK_INT(ask("GET", "/01/" OTHER_GTIN, NULL, NULL), 404);
	CHECK(hdr("Location") == NULL);
	check_dl_headers(BASE "/01/" OTHER_GTIN);
	CHECK_INT(ask("GET", "/01/" OTHER_GTIN, "linkType=linkset", NULL),
		  404);
	CHECK_INT(ask("GET", "/01/" OTHER_GTIN "/10/" LOT, NULL, NULL), 404);
}

static void
test_400(void)
{
	static const char *const bad[] = {
		"/01",
		"/01/",
		"/01/08935049500017",           /* check digit */
		"/01/1234567",                  /* 7 digits */
		"/01/089350495000180",          /* 15 digits */
		"/01/0893504950001A",           /* not digits */
		"/01/08935049500018/22/ABC",    /* AI 22 */
		"/01/08935049500018/17/260101", /* AI 17 */
		"/01/08935049500018/21/ABC/10/L1", /* order */
		"/01/08935049500018/10/A/10/B", /* twice */
		"/01/08935049500018/21",        /* missing value */
		"/01/08935049500018/10",
		"/01/08935049500018//21/ABC",   /* empty segment */
		"/01/08935049500018/21/ABC/x",  /* extra segment */
		"/01/08935049500018/10/ABCDEFGHIJKLMNOPQRSTU", /* 21 chars */
		"/01/08935049500018/10/A B",    /* space */
		"/01/08935049500018/10/A#B",    /* outside the 82 set */
		"/01/08935049500018/10/Lô1",    /* non-ASCII */
		"/01/08935049500018/21/ABC//",
	};
	static const char *const good[] = {
		"/01/08935049500018",
		"/01/08935049500018/",
		"/01/8935049500018",
		"/01/01234565",                         /* GTIN-8 */
		"/01/012345678905",                     /* GTIN-12 */
		"/01/08935049500018/10/ABCDEFGHIJKLMNOPQRST", /* 20 */
		"/01/08935049500018/10/a!b%c",
		"/01/08935049500018/21/ABC",
	};
	struct ocop_code code;

	TEST("invalid Digital Link URIs: 400, exactly when the parser fails");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int st400 = ask("GET", bad[i], NULL, NULL) == 400;

		if (!st400)
			HARNESS_FAIL("%s: expected 400, got %d", bad[i],
				     resp.status);
		if (ocop_dl_parse_path(bad[i], &code, NULL) == 0)
			HARNESS_FAIL("%s: the parser accepts it", bad[i]);
		CHECK(hdr("Link") == NULL);
		CHECK_STR(hdr("Access-Control-Allow-Origin"), "*");
		CHECK_STR(resp.content_type, "application/json");
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int s = ask("GET", good[i], NULL, NULL);

		if (s == 400 || ocop_dl_parse_path(good[i], &code, NULL) < 0)
			HARNESS_FAIL("%s: valid, got %d", good[i], s);
	}

	TEST("a query string with control characters: 400");
	CHECK_INT(ask("GET", "/01/" GTIN, "a=b\r\nX-Evil: 1", NULL), 400);
	CHECK(hdr("Location") == NULL);
}

/* The linkset entry with that anchor, or NULL. */
static json_t *
entry(json_t *ls, const char *anchor)
{
	size_t i;
	json_t *e;

	json_array_foreach(json_object_get(ls, "linkset"), i, e)
		if (strcmp(jstr(e, "anchor") ? jstr(e, "anchor") : "",
			   anchor) == 0)
			return e;
	HARNESS_FAIL("no linkset entry with anchor %s", anchor);
	return NULL;
}

static void
check_link(json_t *e, const char *type, const char *href)
{
	json_t *arr = json_object_get(
		e, P("https://ref.gs1.org/voc/%s", type));
	json_t *l = json_array_get(arr, 0);

	if (!e)
		return;
	if (json_array_size(arr) != 1) {
		HARNESS_FAIL("%s: expected one link, got %zu", type,
			     json_array_size(arr));
		return;
	}
	CHECK_STR(jstr(l, "href"), href);
	CHECK_STR(jstr(l, "type"), "text/html");
	CHECK(jstr(l, "title") && strlen(jstr(l, "title")) > 0);
	CHECK_STR(json_string_value(
			  json_array_get(json_object_get(l, "hreflang"), 0)),
		  "vi");
	CHECK_STR(json_string_value(
			  json_array_get(json_object_get(l, "hreflang"), 1)),
		  "en");
}

static void
check_linkset_label(const char *lot)
{
	json_t *ls = body_json(), *e;
	char lbl[512];

	if (*lot)
		snprintf(lbl, sizeof(lbl), BASE "/01/%s/10/%s/21/%s", GTIN,
			 lot, serial);
	else
		snprintf(lbl, sizeof(lbl), BASE "/01/%s/21/%s", GTIN, serial);

	CHECK_INT(resp.status, 200);
	CHECK_STR(resp.content_type, "application/linkset+json");
	CHECK_INT(json_object_size(ls), 1);
	CHECK_INT(json_array_size(json_object_get(ls, "linkset")),
		  *lot ? 3 : 2);
	e = entry(ls, lbl);
	CHECK(e && strstr(jstr(e, "itemDescription"), "Mật ong hoa nhãn"));
	check_link(e, "certificationInfo", P(BASE "/L/%s", serial));
	check_link(e, "defaultLink", P(BASE "/L/%s", serial));
	CHECK_INT(json_object_size(e), 4);
	if (*lot) {
		e = entry(ls, P(BASE "/01/%s/10/%s", GTIN, lot));
		CHECK(e && jstr(e, "itemDescription"));
		check_link(e, "pip", BASE "/P/" GTIN);
		check_link(e, "defaultLink", BASE "/P/" GTIN);
	}
	e = entry(ls, BASE "/01/" GTIN);
	CHECK(e && jstr(e, "itemDescription") &&
	      strcmp(jstr(e, "itemDescription"), "Mật ong hoa nhãn") == 0);
	check_link(e, "pip", BASE "/P/" GTIN);
	check_link(e, "defaultLink", BASE "/P/" GTIN);
	CHECK_INT(json_object_size(e), 4);
	check_dl_headers(lbl);
	json_decref(ls);
}

static void
test_linkset(void)
{
	char lbl[512];
	json_t *ls;

	snprintf(lbl, sizeof(lbl), "/01/%s/10/%s/21/%s", GTIN, LOT, serial);

	TEST("linkType=linkset on a label URI with a lot: three levels");
	ask("GET", lbl, "linkType=linkset", NULL);
	check_linkset_label(LOT);

	TEST("linkType=all: the linkset");
	ask("GET", lbl, "linkType=all", NULL);
	check_linkset_label(LOT);

	TEST("no linkType, Accept: application/linkset+json: the linkset");
	ask("GET", P("/01/%s/21/%s", GTIN, serial), NULL,
	    "application/linkset+json");
	check_linkset_label("");

	TEST("no linkType, Accept: application/json: the linkset");
	ask("GET", P("/01/%s/21/%s", GTIN13, serial), NULL,
	    "application/json");
	check_linkset_label("");

	TEST("HEAD with linkType=linkset: 200 with the linkset type");
	CHECK_INT(ask("HEAD", lbl, "linkType=linkset", NULL), 200);
	CHECK_STR(resp.content_type, "application/linkset+json");

	TEST("product linkset: one level");
	CHECK_INT(ask("GET", "/01/" GTIN13, "linkType=linkset", NULL), 200);
	ls = body_json();
	CHECK_INT(json_array_size(json_object_get(ls, "linkset")), 1);
	check_link(entry(ls, BASE "/01/" GTIN), "pip", BASE "/P/" GTIN);
	check_link(entry(ls, BASE "/01/" GTIN), "defaultLink",
		   BASE "/P/" GTIN);
	json_decref(ls);

	TEST("product-with-lot linkset: lot and product levels");
	CHECK_INT(ask("GET", "/01/" GTIN "/10/" LOT, "linkType=linkset", NULL),
		  200);
	ls = body_json();
	CHECK_INT(json_array_size(json_object_get(ls, "linkset")), 2);
	check_link(entry(ls, BASE "/01/" GTIN "/10/" LOT), "pip",
		   BASE "/P/" GTIN);
	check_link(entry(ls, BASE "/01/" GTIN), "pip", BASE "/P/" GTIN);
	json_decref(ls);
}

static void
test_link_types(void)
{
	char lbl[512];

	snprintf(lbl, sizeof(lbl), "/01/%s/10/%s/21/%s", GTIN, LOT, serial);

	TEST("linkType=gs1:certificationInfo on a label: 307, query kept");
	CHECK_INT(ask("GET", lbl, "linkType=gs1:certificationInfo", NULL),
		  307);
	CHECK_STR(hdr("Location"),
		  P(BASE "/L/%s?linkType=gs1:certificationInfo", serial));
	check_dl_headers(P(BASE "%s", lbl));

	TEST("linkType as a full ref.gs1.org URI, percent-encoded");
	CHECK_INT(ask("GET", lbl,
		      "linkType=https%3A%2F%2Fref.gs1.org%2Fvoc%2F"
		      "certificationInfo",
		      NULL),
		  307);
	CHECK(hdr("Location") &&
	      strncmp(hdr("Location"), P(BASE "/L/%s?", serial),
		      strlen(P(BASE "/L/%s?", serial))) == 0);

	TEST("linkType=gs1:pip on a label walks up to the product");
	CHECK_INT(ask("GET", lbl, "lang=en&linkType=gs1:pip", NULL), 307);
	CHECK_STR(hdr("Location"),
		  BASE "/P/" GTIN "?lang=en&linkType=gs1:pip");

	TEST("linkType https://gs1.org/voc/pip");
	CHECK_INT(ask("GET", lbl, "linkType=https://gs1.org/voc/pip", NULL),
		  307);
	CHECK(hdr("Location") &&
	      strncmp(hdr("Location"), BASE "/P/" GTIN "?", 35) == 0);

	TEST("linkType=gs1:defaultLink: the request's own level");
	CHECK_INT(ask("GET", lbl, "linkType=gs1:defaultLink", NULL), 307);
	CHECK(hdr("Location") && strstr(hdr("Location"), "/L/"));
	CHECK_INT(ask("GET", "/01/" GTIN, "linkType=gs1:defaultLink", NULL),
		  307);
	CHECK(hdr("Location") && strstr(hdr("Location"), "/P/"));

	TEST("a link type only below the request's level: 404");
	CHECK_INT(ask("GET", "/01/" GTIN, "linkType=gs1:certificationInfo",
		      NULL),
		  404);
	CHECK(hdr("Location") == NULL);
	check_dl_headers(BASE "/01/" GTIN);
	CHECK_INT(ask("GET", "/01/" GTIN "/10/" LOT,
		      "linkType=gs1:certificationInfo", NULL),
		  404);

	TEST("a link type we do not have, or no link type at all: 404");
	CHECK_INT(ask("GET", lbl, "linkType=gs1:allergenInfo", NULL), 404);
	CHECK_INT(ask("GET", lbl, "linkType=gs1:nonsense", NULL), 404);
	CHECK_INT(ask("GET", lbl, "linkType=pip", NULL), 404);
	CHECK_INT(ask("GET", lbl, "linkType=gs1:", NULL), 404);
	CHECK_INT(ask("GET", lbl, "linkType=http://ref.gs1.org/voc/pip",
		      NULL),
		  404);
	CHECK_INT(ask("GET", lbl, "linkType=gs1:PIP", NULL), 404);
	check_dl_headers(P(BASE "%s", lbl));

	TEST("an empty linkType is the default link");
	CHECK_INT(ask("GET", lbl, "linkType=", NULL), 307);
	CHECK(hdr("Location") && strstr(hdr("Location"), "/L/"));
}

static void
test_methods(void)
{
	TEST("OPTIONS: 204 with Allow and the Digital Link headers");
	CHECK_INT(ask("OPTIONS", P("/01/%s/21/%s", GTIN, serial), NULL, NULL),
		  204);
	CHECK_STR(hdr("Allow"), "GET, HEAD, OPTIONS");
	CHECK_INT(resp.body.len, 0);
	check_dl_headers(P(BASE "/01/%s/21/%s", GTIN, serial));
	CHECK_INT(ask("OPTIONS", "/01/" GTIN13, NULL, NULL), 204);
	check_dl_headers(BASE "/01/" GTIN);

	TEST("POST on a Digital Link URI: 405");
	CHECK_INT(ask("POST", "/01/" GTIN, NULL, NULL), 405);
	CHECK_STR(hdr("Allow"), "GET, HEAD, OPTIONS");
	check_dl_headers(BASE "/01/" GTIN);
}

static void
test_description(void)
{
	json_t *j, *lt;

	TEST("GET /.well-known/gs1resolver: the description file");
	CHECK_INT(ask("GET", "/.well-known/gs1resolver", NULL, NULL), 200);
	CHECK_STR(resp.content_type, "application/json");
	j = body_json();
	CHECK(jstr(j, "name") && *jstr(j, "name"));
	CHECK_STR(jstr(j, "resolverRoot"), BASE);
	CHECK_INT(json_array_size(json_object_get(j, "supportedPrimaryKeys")),
		  1);
	CHECK_STR(json_string_value(json_array_get(
			  json_object_get(j, "supportedPrimaryKeys"), 0)),
		  "01");
	lt = json_array_get(json_object_get(j, "supportedLinkType"), 0);
	CHECK_STR(jstr(lt, "namespace"), "https://ref.gs1.org/voc/");
	CHECK_STR(jstr(lt, "prefix"), "gs1:");
	CHECK(json_is_false(json_object_get(j, "linkTypeDefaultCanBeLinkset")));
	CHECK(json_is_object(json_object_get(j, "contact")));
	CHECK_STR(hdr("Access-Control-Allow-Origin"), "*");
	json_decref(j);

	TEST("GET /context/linkset.jsonld: the linksets' JSON-LD context");
	CHECK_INT(ask("GET", "/context/linkset.jsonld", NULL, NULL), 200);
	CHECK_STR(resp.content_type, "application/ld+json");
	CHECK_STR(hdr("Access-Control-Allow-Origin"), "*");
	CHECK_STR(hdr("Access-Control-Allow-Methods"), "GET, HEAD, OPTIONS");
	j = body_json();
	lt = json_object_get(j, "@context");
	CHECK(json_is_object(lt));
	CHECK_STR(jstr(lt, "linkset"), "@graph");
	CHECK_STR(jstr(lt, "anchor"), "@id");
	CHECK_STR(jstr(lt, "href"), "@id");
	CHECK_STR(jstr(lt, "gs1"), "https://ref.gs1.org/voc/");
	json_decref(j);
	CHECK_INT(ask("OPTIONS", "/context/linkset.jsonld", NULL, NULL), 204);
	CHECK_STR(hdr("Allow"), "GET, HEAD, OPTIONS");
	CHECK_INT(ask("DELETE", "/context/linkset.jsonld", NULL, NULL), 405);

	TEST("resolver_owns");
	CHECK_INT(resolver_owns("/context/linkset.jsonld"), 1);
	CHECK_INT(resolver_owns("/context/other.jsonld"), 0);
	CHECK_INT(resolver_owns("/01/" GTIN), 1);
	CHECK_INT(resolver_owns("/01"), 1);
	CHECK_INT(resolver_owns("/.well-known/gs1resolver"), 1);
	CHECK_INT(resolver_owns("/010/x"), 0);
	CHECK_INT(resolver_owns("/L/ABC"), 0);
	CHECK_INT(resolver_owns("/P/" GTIN), 0);
}

/* Answer one request with its label already read (resolver_handle_read)
 * from the store s (NULL: none to read); returns the status. */
static int
ask_read(struct ocop_store *s, const char *method, const char *path,
	 const struct resolver_read *read)
{
	struct http_req req = {0};

	http_resp_release(&resp);
	http_resp_init(&resp);
	req.method = method;
	req.path = path;
	req.query = "";
	resolver_handle_read(s, NULL, BASE, &req, read, &resp);
	return resp.status;
}

static void
test_read_ahead(void)
{
	struct ocop_record rec;
	struct resolver_read read = {0};
	struct ocop_code code;
	struct http_req req = {0};
	char lbl[512];

	snprintf(lbl, sizeof(lbl), "/01/%s/10/%s/21/%s", GTIN, LOT, serial);
	req.query = "";

	TEST("resolver_label_wanted: GET and HEAD of a label URI");
	req.method = "GET";
	req.path = lbl;
	CHECK_INT(resolver_label_wanted(&req, &code), 1);
	CHECK_INT(code.kind, OCOP_CODE_DL_LABEL);
	CHECK_STR(code.serial, serial);
	CHECK_STR(code.lot, LOT);
	req.method = "HEAD";
	CHECK_INT(resolver_label_wanted(&req, &code), 1);

	TEST("resolver_label_wanted: no label read for anything else");
	req.method = "POST";
	CHECK_INT(resolver_label_wanted(&req, &code), 0);
	req.method = "OPTIONS";
	CHECK_INT(resolver_label_wanted(&req, &code), 0);
	req.method = "GET";
	req.query = "lang=en x";
	CHECK_INT(resolver_label_wanted(&req, &code), 0);
	req.query = "";
	req.path = "/01/" GTIN;
	CHECK_INT(resolver_label_wanted(&req, &code), 0);
	req.path = P("/01/%s/21/ab-c", GTIN); /* not of our serials' shape */
	CHECK_INT(resolver_label_wanted(&req, &code), 0);
	req.path = P("/01/%s/22/%s", GTIN, serial);
	CHECK_INT(resolver_label_wanted(&req, &code), 0);
	req.path = "/.well-known/gs1resolver";
	CHECK_INT(resolver_label_wanted(&req, &code), 0);

	TEST("a label read ahead: the same 307, no store read");
	req.path = lbl;
	CHECK_INT(resolver_label_wanted(&req, &code), 1);
	read.rc = record_lookup(st, &code, ocop_now(), &rec, &read.err);
	read.rec = &rec;
	CHECK_INT(read.rc, 0);
	CHECK_INT(ask_read(NULL, "GET", lbl, &read), 307);
	CHECK_STR(hdr("Location"), P(BASE "/L/%s", serial));
	check_dl_headers(P(BASE "%s", lbl));

	TEST("a label read ahead as unknown: 404 with the record");
	req.path = P("/01/%s/21/%s", OTHER_GTIN, serial);
	CHECK_INT(resolver_label_wanted(&req, &code), 1);
	read.rc = record_lookup(st, &code, ocop_now(), &rec, &read.err);
	CHECK_INT(ask_read(NULL, "GET", req.path, &read), 404);
	check_unknown("wrong_product");

	TEST("read ahead before the label's issue (a clock set back): "
	     "read again, 307");
	req.path = lbl;
	CHECK_INT(resolver_label_wanted(&req, &code), 1);
	read.rc = record_lookup(st, &code, ocop_day_start(0), &rec, &read.err);
	CHECK_INT(read.rc, OCOP_EINVAL);
	CHECK_INT(ask_read(st, "GET", lbl, &read), 307);
	CHECK_STR(hdr("Location"), P(BASE "/L/%s", serial));

	TEST("a read refused while the server stops: 503");
	read.rc = ocop_error_set(&read.err, OCOP_EREFUSED, "stopping");
	CHECK_INT(ask_read(NULL, "GET", lbl, &read), 503);
	check_dl_headers(P(BASE "%s", lbl));
}

int
main(void)
{
	http_resp_init(&resp);
	setup();
	test_label_redirects();
	test_label_404();
	test_product();
	test_400();
	test_linkset();
	test_link_types();
	test_methods();
	test_description();
	test_read_ahead();
	http_resp_release(&resp);
	ocop_store_close(st);
	return harness_done();
}
