/*
 * test_metrics.c - the database's state as the node's workers meet it
 * (metrics_database): what makes a use failing and working again, what
 * the log gets (stderr, caught in a file here) and what /metrics shows.
 */
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"
#include "metrics.h"

static char log_path[] = "/tmp/ocop-test-metrics-XXXXXX";
static int saved_stderr = -1;

/* stderr into log_path from here on */
static void
catch_log(void)
{
	int fd = mkstemp(log_path);

	CHECK(fd >= 0);
	fflush(stderr);
	saved_stderr = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	close(fd);
}

/* What the log got since catch_log, into buf. */
static const char *
log_text(char *buf, size_t size)
{
	FILE *f;
	size_t n = 0;

	fflush(stderr);
	if ((f = fopen(log_path, "r"))) {
		n = fread(buf, 1, size - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

static int
lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static const char *
rendered(struct metrics *m, struct ocop_buf *out)
{
	out->len = 0;
	metrics_render(m, 0, 0, out);
	ocop_buf_adds(out, "");
	return out->data;
}

int
main(void)
{
	static const char *const names[] = {"label"};
	struct metrics *m = metrics_new(names, 1);
	struct ocop_error full = {OCOP_EOUTPUT, "the disk holding the "
						"database is full"};
	struct ocop_error away = {OCOP_EUNREACH, "cannot connect"};
	struct ocop_error bad = {OCOP_EINTERNAL, "a bad row"};
	struct ocop_buf out;
	char log[4096];

	ocop_buf_init(&out, 0);
	catch_log();

	TEST("a database that works is not failing, and nothing is logged");
	metrics_database(m, METRICS_READS, 0, NULL, 1);
	metrics_database(m, METRICS_SCANS, 0, NULL, 10);
	CHECK_INT(metrics_database_failing(m, METRICS_READS, 30), 0);
	CHECK_INT(metrics_database_failing(m, METRICS_SCANS, 30), 0);
	CHECK_STR(log_text(log, sizeof(log)), "");

	TEST("a failure of the call itself says nothing of the database");
	metrics_database(m, METRICS_SCANS, OCOP_EINTERNAL, &bad, 1);
	metrics_database(m, METRICS_READS, OCOP_ENOENT, NULL, 1);
	CHECK_INT(metrics_database_failing(m, METRICS_SCANS, 30), 0);
	CHECK_INT(metrics_database_failing(m, METRICS_READS, 30), 0);
	CHECK_STR(log_text(log, sizeof(log)), "");

	TEST("the first failure of the database is logged with its cause");
	metrics_database(m, METRICS_SCANS, OCOP_EOUTPUT, &full, 5);
	metrics_database(m, METRICS_SCANS, OCOP_EUNREACH, &away, 3);
	CHECK_INT(metrics_database_failing(m, METRICS_SCANS, 30), 1);
	CHECK_INT(metrics_database_failing(m, METRICS_READS, 30), 0);
	log_text(log, sizeof(log));
	CHECK_INT(lines(log), 1);
	CHECK_STR(log, "ocop: database failing (scans): the disk holding the "
		       "database is full\n");
	CHECK(strstr(rendered(m, &out), "ocop_database_failing{use=\"scans\"} "
					"1\n") != NULL);
	CHECK(strstr(out.data, "ocop_database_failing{use=\"reads\"} 0\n") !=
	      NULL);
	CHECK(strstr(out.data, "ocop_database_failures_total{use=\"scans\"} "
			       "2\n") != NULL);

	TEST("a failure nothing tried since is given the benefit of the doubt");
	usleep(20000);
	CHECK_INT(metrics_database_failing(m, METRICS_SCANS, 0.01), 0);
	CHECK_INT(metrics_database_failing(m, METRICS_SCANS, 30), 1);

	TEST("the first success after failures is logged, with the refused");
	metrics_database(m, METRICS_SCANS, 0, NULL, 4);
	metrics_database(m, METRICS_SCANS, 0, NULL, 4);
	CHECK_INT(metrics_database_failing(m, METRICS_SCANS, 30), 0);
	log_text(log, sizeof(log));
	CHECK_INT(lines(log), 2);
	CHECK(strstr(log, "ocop: database working again (scans) after ") !=
	      NULL);
	CHECK(strstr(log, " s; 8 scans refused meanwhile\n") != NULL);
	CHECK(strstr(rendered(m, &out), "ocop_database_failing{use=\"scans\"} "
					"0\n") != NULL);

	TEST("reads fail and work again on their own");
	metrics_database(m, METRICS_READS, OCOP_EUNREACH, &away, 1);
	CHECK_INT(metrics_database_failing(m, METRICS_READS, 30), 1);
	CHECK_INT(metrics_database_failing(m, METRICS_SCANS, 30), 0);
	metrics_database(m, METRICS_READS, 0, NULL, 1);
	log_text(log, sizeof(log));
	CHECK_INT(lines(log), 4);
	CHECK(strstr(log, "ocop: database failing (reads): cannot connect\n") !=
	      NULL);
	CHECK(strstr(log, "ocop: database working again (reads) after ") !=
	      NULL);

	TEST("no metrics: nothing noted, nothing failing");
	metrics_database(NULL, METRICS_SCANS, OCOP_EOUTPUT, &full, 1);
	CHECK_INT(metrics_database_failing(NULL, METRICS_SCANS, 30), 0);
	CHECK_INT(lines(log_text(log, sizeof(log))), 4);

	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	unlink(log_path);
	ocop_buf_release(&out);
	metrics_free(m);
	return harness_done();
}
