/*
 * test_scanlog.c - the scan-log writer on a real database: jobs stored
 * whole, duplicates, stats, concurrent submitters, and user agent families.
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"
#include "scanlog.h"
#include "store/store.h"

static char db_path[256];

static void
scan_init(struct ocop_scan *s, const char *client_id, int64_t label_id)
{
	memset(s, 0, sizeof(*s));
	ocop_strlcpy(s->client_id, client_id, sizeof(s->client_id));
	ocop_strlcpy(s->code, "7KQ3M9XH2PAB4C5D", sizeof(s->code));
	s->label_id = label_id;
	s->scanned_at = 1780000000;
	s->received_at = 1780000000;
	s->verdict = OCOP_UNKNOWN;
	s->reason = OCOP_REASON_NOT_FOUND;
	ocop_strlcpy(s->net, "192.0.2.0/24", sizeof(s->net));
	ocop_strlcpy(s->ua, "curl", sizeof(s->ua));
}

struct submitter {
	struct scanlog *sl;
	int id;
	int failures;
};

static void *
submit_many(void *arg)
{
	struct submitter *w = arg;

	for (int i = 0; i < 200; i++) {
		struct scanlog_job job = {0};
		struct ocop_scan s[3];
		int dup[3];
		char id[64];

		for (int k = 0; k < 3; k++) {
			snprintf(id, sizeof(id), "w%d-%d-%d", w->id, i, k);
			scan_init(&s[k], id, 0);
		}
		job.scans = s;
		job.n = 3;
		job.duplicate = dup;
		if (scanlog_run(w->sl, &job) != 0 || dup[0] || dup[1] || dup[2])
			w->failures++;
	}
	return NULL;
}

static void
test_writer(void)
{
	struct ocop_error err = {0};
	struct ocop_store *st = NULL;
	struct scanlog *sl = NULL;
	struct scanlog_job job = {0};
	struct ocop_scan s[3];
	int dup[3];
	int64_t count[3], first[3], n = 0, firstat = 0;
	struct submitter w[4];
	pthread_t t[4];

	TEST("scanlog stores a job and answers after commit");
	CHECK_INT(ocop_store_open(db_path, 1, &st, &err), 0);
	CHECK_INT(scanlog_start(db_path, NULL, &sl, &err), 0);
	scan_init(&s[0], "a", 0);
	scan_init(&s[1], "", 42);
	scan_init(&s[2], "", 42);
	s[2].scanned_at = 1780000100;
	job.scans = s;
	job.n = 3;
	job.duplicate = dup;
	job.want_stats = 1;
	job.count = count;
	job.first_at = first;
	CHECK_INT(scanlog_run(sl, &job), 0);
	CHECK_INT(dup[0], 0);
	CHECK(s[0].id > 0);
	CHECK_INT(count[1], 1);
	CHECK_INT(count[2], 2);
	CHECK_INT(first[2], 1780000000);
	/* visible to another handle: committed */
	CHECK_INT(st->m->scan_stats(st, 42, &n, &firstat, &err), 0);
	CHECK_INT(n, 2);

	TEST("scanlog: a re-sent client id is a duplicate with the stored scan");
	scan_init(&s[0], "a", 0);
	s[0].verdict = OCOP_VALID;
	job.n = 1;
	job.want_stats = 0;
	CHECK_INT(scanlog_run(sl, &job), 0);
	CHECK_INT(dup[0], 1);
	CHECK_INT(s[0].verdict, OCOP_UNKNOWN);

	TEST("scanlog: concurrent submitters, every scan stored once");
	for (int i = 0; i < 4; i++) {
		w[i].sl = sl;
		w[i].id = i;
		w[i].failures = 0;
		pthread_create(&t[i], NULL, submit_many, &w[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		CHECK_INT(w[i].failures, 0);
	}
	CHECK_INT(scanlog_depth(sl), 0);

	TEST("scanlog refuses jobs once stopped");
	scanlog_stop(sl);
	scan_init(&s[0], "late", 0);
	job.n = 1;
	CHECK_INT(scanlog_run(sl, &job), OCOP_EREFUSED);
	scanlog_free(sl);
	sl = NULL;
	n = 0;
	/* 1 + 2 + 4 * 200 * 3 rows */
	{
		struct ocop_scan one;
		int d = 0;

		scan_init(&one, "w3-199-2", 0);
		CHECK_INT(st->m->scan_add(st, &one, &d, &err), 0);
		CHECK_INT(d, 1);
	}

	TEST("scanlog starts and stops with nothing queued");
	CHECK_INT(scanlog_start(db_path, NULL, &sl, &err), 0);
	scanlog_free(sl);
	ocop_store_close(st);
}

static void
test_ua(void)
{
	TEST("user agent families");
	CHECK_STR(scanlog_ua_family(NULL), "");
	CHECK_STR(scanlog_ua_family("curl/7.88.1"), "curl");
	CHECK_STR(scanlog_ua_family(
			  "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 "
			  "(KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36"),
		  "chrome");
	CHECK_STR(scanlog_ua_family(
			  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) "
			  "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 "
			  "Mobile/15E148 Safari/604.1"),
		  "safari");
	CHECK_STR(scanlog_ua_family("Mozilla/5.0 (X11; Linux x86_64; rv:121.0) "
				    "Gecko/20100101 Firefox/121.0"),
		  "firefox");
	CHECK_STR(scanlog_ua_family(
			  "Mozilla/5.0 (Linux; Android 12) AppleWebKit/537.36 "
			  "Chrome/110.0 Mobile Safari/537.36 Zalo android/12100"),
		  "zalo");
	CHECK_STR(scanlog_ua_family("Mozilla/5.0 ... [FBAN/FBIOS;FBAV/440.0]"),
		  "facebook");
	CHECK_STR(scanlog_ua_family("Googlebot/2.1"), "bot");
	CHECK_STR(scanlog_ua_family("something"), "other");
}

int
main(void)
{
	char dir[] = "/tmp/ocop-scanlog-XXXXXX";
	int rc;

	if (!mkdtemp(dir))
		return 1;
	snprintf(db_path, sizeof(db_path), "%s/t.db", dir);
	test_writer();
	test_ua();
	rc = harness_done();
	{
		char cmd[512];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			rc = 1;
	}
	return rc;
}
