/*
 * fuzz_accept.c - the Accept and Accept-Language headers: content
 * negotiation (http_accepts, as the server and the resolver ask it) and
 * the page language (page_lang, from the header and from ?lang=).
 */
#include "fuzz.h"
#include "http/http.h"
#include "http/page.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = {
	    "application/json", "application/linkset+json",
	    "application/ld+json", "text/html", NULL};
	char *s = fuzz_cstr(data, size);
	const char *a, *b;

	for (int i = 0; types[i]; i++)
		if (http_accepts(s, types[i]) > 1 ||
		    http_accepts(s, types[i]) < 0)
			abort();
	a = page_lang(NULL, s);
	b = page_lang(s, NULL);
	if ((strcmp(a, "vi") != 0 && strcmp(a, "en") != 0) ||
	    (strcmp(b, "vi") != 0 && strcmp(b, "en") != 0))
		abort();
	free(s);
	return 0;
}
