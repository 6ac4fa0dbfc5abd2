/*
 * fuzz_scans.c - the body of POST /api/v1/scans (SPEC 5.3): the JSON
 * document, each item's checks, and for a good item the lookup of its
 * label as of its scan time, as the server does before storing it.
 */
#include "fuzz.h"
#include "record.h"
#include "http/server.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ocop_store *st = fuzz_store();
	int64_t now = ocop_now();
	json_t *root, *arr;
	char msg[256];
	int status;

	status = server_scans_load((const char *)data, size, &root, msg,
				   sizeof(msg));
	if (status) {
		if ((status != 400 && status != 413 && status != 422) || root ||
		    !msg[0])
			abort();
		return 0;
	}
	arr = json_object_get(root, "scans");
	for (size_t i = 0; i < json_array_size(arr); i++) {
		struct ocop_scan s;
		struct ocop_code code;
		struct ocop_record rec;
		struct ocop_error err = {0};

		msg[0] = '\0';
		if (server_scan_check(json_array_get(arr, i), now, &s, &code,
				      msg, sizeof(msg)) < 0) {
			if (!msg[0])
				abort();
			continue;
		}
		if (record_lookup(st, &code, s.scanned_at, &rec, &err) < 0 &&
		    err.code != OCOP_EINVAL)
			abort();
	}
	json_decref(root);
	return 0;
}
