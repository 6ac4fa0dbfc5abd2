/*
 * replay.c - a main for a fuzz target outside libFuzzer: every file of
 * its corpus directory (FUZZ_CORPUS, given at build time with the
 * target's FUZZ_NAME) is fed to
 * LLVMFuzzerTestOneInput once. A crash, a sanitizer report or an abort
 * of the target's own checks ends the program, which the test runner
 * counts as a failure.
 */
#include <dirent.h>

#include "fuzz.h"
#include "harness.h"

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int
replay(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t n;
	long len;

	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) < 0 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) < 0) {
		fclose(f);
		return -1;
	}
	/* libFuzzer hands over a buffer of exactly the input's size */
	buf = ocop_xmalloc(len ? (size_t)len : 1);
	n = fread(buf, 1, (size_t)len, f);
	fclose(f);
	if (n != (size_t)len) {
		free(buf);
		return -1;
	}
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 0;
}

int
main(void)
{
	struct dirent **names;
	char path[4096], title[256];
	int n, done = 0;

	n = scandir(FUZZ_CORPUS, &names, NULL, by_name);
	snprintf(title, sizeof(title), "fuzz corpus of %s replays", FUZZ_NAME);
	TEST(title);
	CHECK(n > 0);
	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", FUZZ_CORPUS,
				 names[i]->d_name);
			if (replay(path) < 0)
				HARNESS_FAIL("cannot read '%s'", path);
			else
				done++;
		}
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	CHECK(done > 0);
	return harness_done();
}
