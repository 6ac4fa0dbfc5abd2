/*
 * lookups.c - the reader thread that reads verifications in groups (see
 * lookups.h).
 */
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "lookups.h"
#include "store/store.h"
#include "workq.h"

struct lookups {
	struct ocop_store *st; /* opened OCOP_STORE_READER */
	struct metrics *metrics;
	struct record_cache *cache;
	pthread_t thread;
	struct workq q; /* jobs, each of weight 1 */
};

static size_t
one(const void *job)
{
	(void)job;
	return 1;
}

/* Read and judge jobs[0..n) together. */
static void
read_group(struct lookups *lk, struct lookup_job **jobs, size_t n)
{
	struct record_query q[STORE_LOOKUPS_MAX];
	const struct record_query *down = NULL;
	struct ocop_error err = {0};
	double t0 = ocop_mono();
	int rc;

	if ((rc = lk->st->m->read_begin(lk->st, &err)) < 0) {
		metrics_database(lk->metrics, METRICS_READS, rc, &err, n);
		for (size_t i = 0; i < n; i++) {
			jobs[i]->rc = rc;
			jobs[i]->err = err;
		}
		return;
	}
	for (size_t i = 0; i < n; i++) {
		q[i].code = &jobs[i]->code;
		q[i].at = jobs[i]->at;
		q[i].rec = jobs[i]->rec;
	}
	record_lookup_many(lk->st, lk->cache, q, n);
	lk->st->m->read_end(lk->st);
	metrics_lookups(lk->metrics, n, ocop_mono() - t0);
	for (size_t i = 0; i < n; i++) {
		jobs[i]->rc = q[i].rc;
		jobs[i]->err = q[i].err;
		if (!down && store_down(q[i].rc))
			down = &q[i];
	}
	/* the group's failure if the database failed it, else it worked */
	metrics_database(lk->metrics, METRICS_READS, down ? down->rc : 0,
			 down ? &down->err : NULL, n);
}

static void *
reader(void *arg)
{
	struct lookups *lk = arg;
	struct lookup_job *jobs[STORE_LOOKUPS_MAX], *j;
	size_t n;

	/* whatever has queued, up to one statement's worth */
	while ((j = workq_take(&lk->q, STORE_LOOKUPS_MAX, &n))) {
		for (n = 0; j; j = j->next)
			jobs[n++] = j;
		read_group(lk, jobs, n);
		for (size_t i = 0; i < n; i++) {
			jobs[i]->next = NULL;
			jobs[i]->done(jobs[i]);
		}
	}
	return NULL;
}

int
lookups_start(const char *db_path, struct metrics *m, struct lookups **out,
	      struct ocop_error *err)
{
	struct lookups *lk = ocop_xcalloc(1, sizeof(*lk));
	int rc;

	if ((rc = ocop_store_open(db_path, OCOP_STORE_READER, &lk->st, err)) <
	    0) {
		free(lk);
		return rc;
	}
	lk->metrics = m;
	lk->cache = record_cache_new();
	workq_init(&lk->q, offsetof(struct lookup_job, next), one);
	if (pthread_create(&lk->thread, NULL, reader, lk) != 0) {
		workq_stop(&lk->q); /* no thread to join */
		lookups_free(lk);
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "cannot start the lookup thread");
	}
	*out = lk;
	return 0;
}

int
lookups_submit(struct lookups *lk, struct lookup_job *job)
{
	job->rc = 0;
	if (workq_push(&lk->q, job) < 0)
		return ocop_error_set(&job->err, OCOP_EREFUSED,
				      "the server is shutting down");
	return 0;
}

void
lookups_stop(struct lookups *lk)
{
	if (lk && workq_stop(&lk->q))
		pthread_join(lk->thread, NULL);
}

void
lookups_free(struct lookups *lk)
{
	if (!lk)
		return;
	lookups_stop(lk);
	ocop_store_close(lk->st);
	record_cache_free(lk->cache);
	workq_destroy(&lk->q);
	free(lk);
}
