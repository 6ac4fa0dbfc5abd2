/*
 * fuzz_registry_json.c - a registry file as JSON (SPEC 6): an array of
 * rows of one kind or the {"registry","extensions","revocations"}
 * bundle, imported inside a transaction that is rolled back; a file
 * that imports must import again changing nothing.
 */
#include "fuzz.h"
#include "registry.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ocop_store *st = fuzz_store();
	struct ocop_error err = {0};
	struct registry_summary sum;
	struct registry_problems probs;
	const char *buf = (const char *)data;

	(void)registry_sniff_kind("fuzz.json", buf, size);
	registry_problems_init(&probs);
	if (st->m->begin(st, &err) < 0)
		fuzz_die("begin", &err);
	if (registry_import_buffer(st, "fuzz.json", buf, size, &sum, &probs,
				   &err) == 0) {
		/* importing the same rows again changes nothing */
		if (registry_import_buffer(st, "fuzz.json", buf, size, &sum,
					   &probs, &err) != 0 ||
		    sum.added != 0)
			abort();
	}
	st->m->rollback(st);
	registry_problems_release(&probs);
	return 0;
}
