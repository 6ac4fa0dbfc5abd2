/*
 * fuzz_names.c - a product group or producer kind as a province writes
 * it (names.h): folding, then matching against the accepted words. The
 * answers are checked: a match is one of the canonical values.
 */
#include "fuzz.h"
#include "names.h"

static int
one_of(const char *v, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(v, *set) == 0)
			return 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const groups[] = {"I", "II", "III", "IV",
					     "V", "VI", NULL};
	static const char *const kinds[] = {"HTX", "THT",   "DN",
					    "hộ",  "other", NULL};
	char *s = fuzz_cstr(data, size);
	char *f = names_fold(s);
	const char *g = names_group(s), *k = names_producer_kind(s);

	if (f) {
		/* folding is idempotent */
		char *ff = names_fold(f);

		if (!ff || strcmp(f, ff) != 0)
			abort();
		free(ff);
	}
	if ((g && !one_of(g, groups)) || (k && !one_of(k, kinds)))
		abort();
	free(f);
	free(s);
	return 0;
}
