/*
 * harness.h - a small unit-test harness. Each CHECK prints nothing when it
 * holds and "FAIL file:line: expected ... got ..." when not; TEST(name)
 * groups checks and prints "PASS name" or "FAIL name" once. main() is
 * yours: call the tests, then return harness_done().
 */
#ifndef OCOP_HARNESS_H
#define OCOP_HARNESS_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int harness_failed_checks;
static int harness_failed_tests;
static int harness_passed_tests;
static const char *harness_current;
static int harness_current_failed;
static int harness_orphan_failed; /* failed checks outside any TEST */

static void
harness_end_test(void)
{
	if (!harness_current)
		return;
	if (harness_current_failed) {
		printf("FAIL %s\n", harness_current);
		harness_failed_tests++;
	} else {
		printf("PASS %s\n", harness_current);
		harness_passed_tests++;
	}
	harness_current = NULL;
	fflush(stdout);
}

static void
harness_begin(const char *name)
{
	harness_end_test();
	harness_current = name;
	harness_current_failed = 0;
}

#define TEST(name) harness_begin(name)

/* A failed check outside any TEST (in set-up code, say) counts as one
 * failed test of its own, so that it can never go unnoticed. */
static int
harness_done(void)
{
	harness_end_test();
	if (harness_orphan_failed) {
		printf("FAIL %d check(s) outside any test\n",
		       harness_orphan_failed);
		harness_failed_tests++;
	}
	fflush(stdout);
	return harness_failed_tests ? 1 : 0;
}

#define HARNESS_FAIL(...)                                                      \
	do {                                                                   \
		printf("  FAIL %s:%d: ", __FILE__, __LINE__);                  \
		printf(__VA_ARGS__);                                           \
		printf("\n");                                                  \
		harness_failed_checks++;                                       \
		if (harness_current)                                           \
			harness_current_failed = 1;                            \
		else                                                           \
			harness_orphan_failed++;                               \
	} while (0)

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			HARNESS_FAIL("%s", #cond);                             \
	} while (0)

#define CHECK_INT(got, want)                                                   \
	do {                                                                   \
		long long g_ = (long long)(got), w_ = (long long)(want);       \
		if (g_ != w_)                                                  \
			HARNESS_FAIL("%s: expected %lld, got %lld", #got, w_,  \
				     g_);                                      \
	} while (0)

#define CHECK_STR(got, want)                                                   \
	do {                                                                   \
		const char *g_ = (got), *w_ = (want);                          \
		if (!g_ || !w_ || strcmp(g_, w_) != 0)                         \
			HARNESS_FAIL("%s: expected \"%s\", got \"%s\"", #got,  \
				     w_ ? w_ : "(null)", g_ ? g_ : "(null)");  \
	} while (0)

#endif
