/*
 * test_http.c - requests/responses as data: headers, JSON errors, Accept.
 */
#include <jansson.h>

#include "harness.h"
#include "http/http.h"

static void
test_accepts(void)
{
	TEST("http_accepts negotiation");
	CHECK_INT(http_accepts("application/json", "application/json"), 1);
	CHECK_INT(http_accepts(NULL, "application/json"), 0);
	CHECK_INT(http_accepts("", "application/json"), 0);
	CHECK_INT(http_accepts("*/*", "application/json"), 0);
	/* a browser */
	CHECK_INT(http_accepts("text/html,application/xhtml+xml,application/"
			       "xml;q=0.9,image/avif,*/*;q=0.8",
			       "application/json"),
		  0);
	CHECK_INT(http_accepts("application/json, text/plain, */*",
			       "application/json"),
		  1);
	CHECK_INT(http_accepts("text/html;q=0.5, application/json",
			       "application/json"),
		  1);
	CHECK_INT(http_accepts("text/html, application/json;q=0.9",
			       "application/json"),
		  0);
	CHECK_INT(http_accepts("application/json;q=0", "application/json"), 0);
	CHECK_INT(http_accepts("APPLICATION/JSON ; charset=utf-8",
			       "application/json"),
		  1);
	CHECK_INT(http_accepts("text/html, application/json",
			       "application/json"),
		  0);
	CHECK_INT(http_accepts("application/json, text/html",
			       "application/json"),
		  1);
	CHECK_INT(http_accepts("application/linkset+json",
			       "application/json"),
		  0);
	CHECK_INT(http_accepts("application/linkset+json",
			       "application/linkset+json"),
		  1);
	CHECK_INT(http_accepts("text/*;q=0.3, application/json;q=0.25",
			       "application/json"),
		  0);
	CHECK_INT(http_accepts("text/*;q=0.2, application/json;q=0.25",
			       "application/json"),
		  1);
}

static void
test_error(void)
{
	struct http_resp r;
	json_t *j, *e;
	json_error_t jerr;

	TEST("http_resp_error is JSON naming the problem");
	http_resp_init(&r);
	CHECK_INT(r.status, 200);
	ocop_buf_adds(&r.body, "old body");
	http_resp_error(&r, 422, "item %d: bad \"id\"\n\\%s", 3, "x");
	CHECK_INT(r.status, 422);
	CHECK_STR(r.content_type, "application/json");
	j = json_loadb(r.body.data, r.body.len, 0, &jerr);
	CHECK(j != NULL);
	e = json_object_get(j, "error");
	CHECK_INT(json_integer_value(json_object_get(e, "status")), 422);
	CHECK_STR(json_string_value(json_object_get(e, "message")),
		  "item 3: bad \"id\"\n\\x");
	json_decref(j);
	http_resp_release(&r);
}

static void
test_headers(void)
{
	struct http_resp r;

	TEST("http_resp_header caps the count");
	http_resp_init(&r);
	http_resp_header(&r, "Vary", "%s", "Accept, Accept-Language");
	CHECK_INT(r.nheaders, 1);
	CHECK_STR(r.headers[0].name, "Vary");
	CHECK_STR(r.headers[0].value, "Accept, Accept-Language");
	for (int i = 0; i < HTTP_MAX_HEADERS + 5; i++)
		http_resp_header(&r, "X-N", "%d", i);
	CHECK_INT(r.nheaders, HTTP_MAX_HEADERS);
	http_resp_release(&r);
}

int
main(void)
{
	test_accepts();
	test_error();
	test_headers();
	return harness_done();
}
