/*
 * fuzz_query.c - query strings: the resolver's own reader (linkType on
 * a label's Digital Link URI, and the query carried on to its
 * redirect), and each name=value pair, percent-decoded as the server's
 * library does, given to the report options and to ?lang=.
 */
#include <microhttpd.h>

#include "fuzz.h"
#include "http/page.h"
#include "report.h"
#include "http/resolver.h"

static void
resolve(const char *query)
{
	struct http_req req = {0};
	struct http_resp resp;

	req.method = "GET";
	req.path = "/01/" FUZZ_GTIN "/10/" FUZZ_LOT "/21/" FUZZ_SERIAL;
	req.query = query;
	http_resp_init(&resp);
	if (resolver_handle(fuzz_store(), NULL, FUZZ_BASE, &req, &resp) < 0 ||
	    resp.status >= 500)
		abort();
	http_resp_release(&resp);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	char *copy = ocop_xstrdup(s), *pair, *save = NULL;
	struct report_opts opts;
	struct ocop_error err = {0};
	enum report_format fmt;

	(void)fuzz_store(); /* the clock the report options default to */
	resolve(s);
	report_opts_init(&opts);
	for (pair = strtok_r(copy, "&", &save); pair;
	     pair = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(pair, '=');
		const char *value = "";

		if (eq) {
			*eq = '\0';
			value = eq + 1;
			MHD_http_unescape(eq + 1);
		}
		MHD_http_unescape(pair);
		if (strcmp(pair, "format") == 0)
			(void)report_format_parse(value, &fmt, &err);
		else if (strcmp(pair, "lang") == 0)
			(void)page_lang(value, NULL);
		else
			(void)report_opts_set(&opts, pair, value, &err);
	}
	free(copy);
	free(s);
	return 0;
}
