/*
 * fuzz_time.c - RFC 3339 times (scanned_at, $OCOP_NOW) and YYYY-MM-DD
 * days (registry dates, report options): a parsed value formats back to
 * a string that parses to the same value.
 */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	char buf[32];
	int64_t t, t2;
	int32_t day, day2;

	if (ocop_time_parse(s, &t, NULL) == 0) {
		ocop_time_format(t, buf);
		if (ocop_time_parse(buf, &t2, NULL) != 0 || t2 != t)
			abort();
		(void)ocop_day_of(t);
	}
	if (ocop_day_parse(s, &day, NULL) == 0) {
		ocop_day_format(day, buf);
		if (ocop_day_parse(buf, &day2, NULL) != 0 || day2 != day ||
		    strcmp(buf, s) != 0)
			abort();
		(void)ocop_day_add_months(day, 36);
	}
	free(s);
	return 0;
}
