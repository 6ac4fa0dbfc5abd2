/*
 * test_harness.c - the harness itself: a failed check outside any TEST is
 * counted and turns harness_done() into a failure. The failing run is a
 * child process of this test, its output read through a pipe.
 */
#include <stdlib.h>
#include <sys/wait.h>

#include "harness.h"

static int
child(void)
{
	CHECK_INT(1 + 1, 3); /* as set-up code before any TEST might fail */
	TEST("a test that passes");
	CHECK(1);
	return harness_done();
}

int
main(int argc, char **argv)
{
	char cmd[4096], out[4096];
	size_t n;
	FILE *p;
	int status;

	if (argc == 2 && strcmp(argv[1], "child") == 0)
		return child();
	snprintf(cmd, sizeof(cmd), "'%s' child", argv[0]);
	p = popen(cmd, "r");
	if (!p) {
		perror("popen");
		return 1;
	}
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	status = pclose(p);

	TEST("harness counts a failed check outside any test");
	CHECK(strstr(out, "FAIL 1 check(s) outside any test\n") != NULL);
	CHECK(strstr(out, "PASS a test that passes\n") != NULL);
	TEST("harness_done fails when a check outside a test failed");
	CHECK(WIFEXITED(status));
	CHECK_INT(WEXITSTATUS(status), 1);
	return harness_done();
}
