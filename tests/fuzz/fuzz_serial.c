/*
 * fuzz_serial.c - a label code as typed (SPEC 3): normalisation, and
 * what a normalised serial must then be (16 symbols of the alphabet,
 * stable when normalised again, grouped as XXXX-XXXX-XXXX-XXXX).
 */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	char out[OCOP_SERIAL_LEN + 1], again[OCOP_SERIAL_LEN + 1];
	char grouped[OCOP_SERIAL_GROUPED + 1];
	int rc = ocop_serial_normalize(s, out, NULL);

	if (rc == 0 || rc == OCOP_EMISTYPED) {
		if (strlen(out) != OCOP_SERIAL_LEN)
			abort();
		if (ocop_serial_normalize(out, again, NULL) != rc ||
		    strcmp(out, again) != 0)
			abort();
		ocop_serial_group(out, grouped);
		if (ocop_serial_normalize(grouped, again, NULL) != rc ||
		    strcmp(out, again) != 0)
			abort();
	} else if (rc != OCOP_EINVAL) {
		abort();
	}
	free(s);
	return 0;
}
