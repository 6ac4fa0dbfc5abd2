/*
 * test_lookups.c - the reader that reads verifications in groups, on a
 * real database: jobs from several threads each answered as
 * record_lookup answers it alone, a change made meanwhile through another
 * handle seen by the lookups queued after it, and jobs refused once the
 * reader stops.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "harness.h"
#include "lookups.h"
#include "store/store.h"

static char db_path[256];
static char serial[OCOP_SERIAL_LEN + 1];
static char unknown[OCOP_SERIAL_LEN + 1]; /* a serial of no label */
static int64_t product_id;

/* One product recognised from 2024-03-01 with one label. */
static int
setup(struct ocop_store *st)
{
	struct ocop_error err = {0};
	struct ocop_product p;
	struct ocop_recognition r;
	struct ocop_batch b;
	struct ocop_label l;
	int changed;

	memset(&p, 0, sizeof(p));
	strcpy(p.code, "DT-01-2024");
	strcpy(p.name, "Mắm cá linh");
	strcpy(p.group, "I");
	strcpy(p.producer.name, "HTX Hồng Ngự");
	strcpy(p.producer.kind, "HTX");
	strcpy(p.producer.province, "Đồng Tháp");
	memset(&r, 0, sizeof(r));
	r.stars = 4;
	strcpy(r.decision_no, "1446/QĐ-UBND");
	CHECK_INT(ocop_day_parse("2024-03-01", &r.valid_from, NULL), 0);
	r.decided_on = r.valid_from;
	r.valid_until = ocop_default_valid_until(r.valid_from);
	r.extended_until = OCOP_NO_DAY;
	strcpy(r.issuer, "UBND tỉnh Đồng Tháp");
	memset(&b, 0, sizeof(b));
	b.stars = 4;
	b.count = 1;
	b.made_on = b.best_before = OCOP_NO_DAY;
	b.issued_at = 1735700000; /* 2025-01-01 */
	memset(&l, 0, sizeof(l));
	l.stars = 4;
	memcpy(serial, "7KQ3M9XH2PAB4C5", 15);
	serial[15] = ocop_serial_check_symbol(serial);
	serial[16] = '\0';
	memcpy(unknown, "0000000000000AB", 15);
	unknown[15] = ocop_serial_check_symbol(unknown);
	unknown[16] = '\0';
	strcpy(l.serial, serial);
	if (st->m->product_put(st, &p, &changed, &err) < 0 ||
	    st->m->recognition_add(st, p.id, &r, &changed, &err) < 0)
		goto fail;
	b.product_id = l.product_id = product_id = p.id;
	if (st->m->batch_add(st, &b, &err) < 0)
		goto fail;
	l.batch_id = b.id;
	if (st->m->label_add(st, &l, &err) < 0)
		goto fail;
	return 0;
fail:
	printf("  setup: %s\n", err.msg);
	return -1;
}

/* A job and its wait: done sets finished, which the submitter polls. */
struct waited {
	struct lookup_job job;
	struct ocop_record rec;
	atomic_int finished;
};

static void
done(struct lookup_job *job)
{
	struct waited *w = job->ctx;

	atomic_store(&w->finished, 1);
}

/* Queue a lookup of code s at instant at and wait for its answer. */
static int
run(struct lookups *lk, struct waited *w, const char *s, int64_t at)
{
	struct timespec pause = {0, 100 * 1000};
	int rc;

	memset(&w->job, 0, sizeof(w->job));
	atomic_store(&w->finished, 0);
	if ((rc = ocop_code_parse(s, &w->job.code, NULL)) < 0)
		return rc;
	w->job.at = at;
	w->job.rec = &w->rec;
	w->job.done = done;
	w->job.ctx = w;
	if ((rc = lookups_submit(lk, &w->job)) < 0)
		return rc;
	while (!atomic_load(&w->finished))
		nanosleep(&pause, NULL);
	return w->job.rc;
}

struct asker {
	struct lookups *lk;
	int wrong; /* answers that were not as record_lookup gives them */
};

static void *
ask_many(void *arg)
{
	struct asker *a = arg;
	struct waited w;

	for (int i = 0; i < 100; i++) {
		int known = i % 2 == 0;

		if (run(a->lk, &w, known ? serial : unknown, 1780000000) != 0 ||
		    w.rec.verdict != (known ? OCOP_VALID : OCOP_UNKNOWN) ||
		    (known && strcmp(w.rec.product.code, "DT-01-2024") != 0))
			a->wrong++;
	}
	return NULL;
}

static void
test_lookups(void)
{
	struct ocop_error err = {0};
	struct ocop_store *st = NULL;
	struct lookups *lk = NULL;
	struct ocop_revocation v;
	struct ocop_record one;
	struct ocop_code code;
	struct asker a[4];
	struct waited w;
	pthread_t t[4];
	int changed;

	TEST("lookups: jobs from four threads answered as record_lookup");
	CHECK_INT(ocop_store_open(db_path, OCOP_STORE_CREATE, &st, &err), 0);
	if (!st || setup(st) < 0) {
		CHECK(0);
		goto out;
	}
	CHECK_INT(lookups_start(db_path, NULL, &lk, &err), 0);
	if (!lk)
		goto out;
	for (int i = 0; i < 4; i++) {
		a[i].lk = lk;
		a[i].wrong = 0;
		pthread_create(&t[i], NULL, ask_many, &a[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		CHECK_INT(a[i].wrong, 0);
	}
	CHECK_INT(run(lk, &w, serial, 1780000000), 0);
	CHECK_INT(ocop_code_parse(serial, &code, NULL), 0);
	CHECK_INT(record_lookup(st, &code, 1780000000, &one, &err), 0);
	CHECK(memcmp(&one, &w.rec, sizeof(one)) == 0);
	/* an instant before the label's issue: the record's own error */
	CHECK_INT(run(lk, &w, serial, 1700000000), OCOP_EINVAL);
	CHECK(strstr(w.job.err.msg, "before label") != NULL);

	TEST("lookups: a revocation through another handle is seen by the "
	     "next lookup");
	memset(&v, 0, sizeof(v));
	strcpy(v.decision_no, "99/QĐ-UBND");
	CHECK_INT(ocop_day_parse("2025-05-01", &v.revoked_on, NULL), 0);
	v.ground = OCOP_GROUND_B;
	CHECK_INT(st->m->revocation_add(st, product_id, &v, &changed, &err), 0);
	CHECK_INT(run(lk, &w, serial, 1780000000), 0);
	CHECK_INT(w.rec.verdict, OCOP_REVOKED);

	TEST("lookups: refused once stopped");
	lookups_stop(lk);
	CHECK_INT(run(lk, &w, serial, 1780000000), OCOP_EREFUSED);
out:
	lookups_free(lk);
	ocop_store_close(st);
}

int
main(void)
{
	char dir[] = "/tmp/ocop-lookups-XXXXXX";
	char cmd[512];
	int rc;

	if (!mkdtemp(dir))
		return 1;
	snprintf(db_path, sizeof(db_path), "%s/t.db", dir);
	test_lookups();
	rc = harness_done();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
