/*
 * fuzz_dl_path.c - a GS1 Digital Link path (SPEC 5.1): the path parser,
 * the code parser that reads the same path as a label's URL, and the
 * resolver answering it (GET, with and without a JSON Accept) over a
 * database holding one product and one label. The resolver must never
 * fail internally: a bad path is a 4xx.
 */
#include "fuzz.h"
#include "http/resolver.h"

static void
resolve(const char *path, const char *accept)
{
	struct http_req req = {0};
	struct http_resp resp;

	req.method = "GET";
	req.path = path;
	req.query = "";
	req.accept = accept;
	http_resp_init(&resp);
	if (resolver_owns(path) &&
	    (resolver_handle(fuzz_store(), NULL, FUZZ_BASE, &req, &resp) < 0 ||
	     resp.status >= 500))
		abort();
	http_resp_release(&resp);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	struct ocop_code code;
	struct ocop_error err = {0};

	if (ocop_dl_parse_path(s, &code, &err) == 0) {
		if (strlen(code.gtin) != 14)
			abort();
		if (code.kind == OCOP_CODE_DL_LABEL &&
		    !code.serial[0] == !code.foreign[0])
			abort();
	}
	(void)ocop_code_parse(s, &code, &err);
	resolve(s, NULL);
	resolve(s, "application/linkset+json");
	free(s);
	return 0;
}
