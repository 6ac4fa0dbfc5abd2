/*
 * fuzz_registry_csv.c - a registry file as CSV (SPEC 6): the RFC 4180
 * reader on its own, then the whole import (header, every row's checks,
 * group and producer-kind words, the writes) inside a transaction that
 * is rolled back, so every input meets the same database. A file that
 * imports must import again changing nothing (registry.h).
 */
#include "fuzz.h"
#include "registry.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ocop_store *st = fuzz_store();
	struct ocop_error err = {0};
	struct registry_csv csv;
	struct registry_summary sum;
	struct registry_problems probs;
	const char *buf = (const char *)data;

	registry_csv_init(&csv, buf, size);
	while (registry_csv_next(&csv, &err) > 0)
		for (size_t i = 0; i < csv.nfields; i++)
			(void)registry_csv_field(&csv, i, NULL);
	registry_csv_release(&csv);

	(void)registry_sniff_kind("fuzz.csv", buf, size);
	registry_problems_init(&probs);
	if (st->m->begin(st, &err) < 0)
		fuzz_die("begin", &err);
	if (registry_import_buffer(st, "fuzz.csv", buf, size, &sum, &probs,
				   &err) == 0) {
		/* importing the same rows again changes nothing */
		if (registry_import_buffer(st, "fuzz.csv", buf, size, &sum,
					   &probs, &err) != 0 ||
		    sum.added != 0)
			abort();
	}
	st->m->rollback(st);
	registry_problems_release(&probs);
	return 0;
}
