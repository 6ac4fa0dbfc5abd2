/*
 * scanlog.c - the single scan-log writer with group commit (see
 * scanlog.h). Why one thread: many threads inserting each in its own
 * transaction stall in SQLite's busy handler; one writer that commits
 * whatever has queued meanwhile keeps the latency of a scan to about one
 * commit and the throughput near SQLite's bulk insert rate.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "scanlog.h"
#include "store/store.h"
#include "workq.h"

struct scanlog {
	struct ocop_store *st; /* opened OCOP_STORE_SCAN_WRITER */
	struct metrics *metrics;
	pthread_t thread;
	struct workq q; /* jobs, weighed in scans */
	pthread_mutex_t mu;
	pthread_cond_t done; /* scanlog_run waiters */
};

static size_t
job_scans(const void *job)
{
	return ((const struct scanlog_job *)job)->n;
}

/* Store one job's rows on the open transaction. */
static int
write_job(struct scanlog *sl, struct scanlog_job *job, struct ocop_error *err)
{
	struct ocop_store *st = sl->st;
	int rc;

	job->prepare_rc = 0;
	if (job->prepare &&
	    (rc = job->prepare(st, job, &job->err)) < 0) {
		job->prepare_rc = rc; /* this job only: nothing stored */
		return 0;
	}
	for (size_t i = 0; i < job->n; i++) {
		struct ocop_scan *s = &job->scans[i];

		job->duplicate[i] = 0;
		rc = st->m->scan_add(st, s, &job->duplicate[i], err);
		if (rc < 0)
			return rc;
		if (job->want_stats) {
			job->count[i] = 0;
			job->first_at[i] = OCOP_NO_TIME;
			if (s->label_id > 0 &&
			    (rc = st->m->scan_stats(st, s->label_id,
						    &job->count[i],
						    &job->first_at[i], err)) < 0)
				return rc;
		}
	}
	return 0;
}

static void
count_scans(struct scanlog *sl, struct scanlog_job *job)
{
	for (size_t i = 0; i < job->n; i++)
		if (!job->duplicate[i])
			metrics_scans(sl->metrics, job->scans[i].verdict, 1);
}

/* Write jobs (a list) in one transaction; 0 or the failure. */
static int
write_group(struct scanlog *sl, struct scanlog_job *jobs, size_t rows,
	    struct ocop_error *err)
{
	struct ocop_store *st = sl->st;
	double t0 = ocop_mono();
	int rc;

	if ((rc = st->m->begin(st, err)) < 0)
		return rc;
	for (struct scanlog_job *j = jobs; j; j = j->next) {
		if ((rc = write_job(sl, j, err)) < 0) {
			st->m->rollback(st);
			return rc;
		}
	}
	if ((rc = st->m->commit(st, err)) < 0)
		return rc;
	metrics_commit(sl->metrics, rows, ocop_mono() - t0);
	return 0;
}

static void
finish(struct scanlog *sl, struct scanlog_job *job)
{
	if (job->rc == 0)
		count_scans(sl, job);
	if (job->done) {
		job->done(job);
		return;
	}
	pthread_mutex_lock(&sl->mu);
	job->finished = 1;
	pthread_cond_broadcast(&sl->done);
	pthread_mutex_unlock(&sl->mu);
}

static void *
writer(void *arg)
{
	struct scanlog *sl = arg;

	for (;;) {
		struct scanlog_job *jobs, *next;
		struct ocop_error err = {0};
		size_t rows;
		int rc;

		/* whole jobs up to the row cap (at least one) */
		if (!(jobs = workq_take(&sl->q, SCANLOG_MAX_ROWS, &rows)))
			break;
		rc = write_group(sl, jobs, rows, &err);
		if (rc < 0 && jobs->next && rc != OCOP_EOUTPUT &&
		    rc != OCOP_EUNREACH) {
			/* one job spoilt the group: retry each alone so that
			 * only the bad one fails (a full disk, a read-only or
			 * locked database fails them all alike) */
			for (struct scanlog_job *j = jobs; j; j = j->next) {
				j->rc = 0;
				next = j->next;
				j->next = NULL;
				j->rc = write_group(sl, j, j->n, &j->err);
				metrics_database(sl->metrics, METRICS_SCANS,
						 j->rc, &j->err, j->n);
				if (j->rc == 0 && j->prepare_rc < 0)
					j->rc = j->prepare_rc;
				j->next = next;
			}
		} else {
			metrics_database(sl->metrics, METRICS_SCANS, rc, &err,
					 rows);
			for (struct scanlog_job *j = jobs; j; j = j->next) {
				j->rc = rc;
				if (rc < 0)
					j->err = err;
				else if (j->prepare_rc < 0)
					j->rc = j->prepare_rc;
			}
		}
		for (struct scanlog_job *j = jobs; j; j = next) {
			next = j->next;
			j->next = NULL;
			finish(sl, j);
		}
	}
	return NULL;
}

int
scanlog_start(const char *db_path, struct metrics *m, struct scanlog **out,
	      struct ocop_error *err)
{
	struct scanlog *sl = ocop_xcalloc(1, sizeof(*sl));
	int rc;

	if ((rc = ocop_store_open(db_path, OCOP_STORE_SCAN_WRITER, &sl->st,
				  err)) < 0) {
		free(sl);
		return rc;
	}
	sl->metrics = m;
	workq_init(&sl->q, offsetof(struct scanlog_job, next), job_scans);
	pthread_mutex_init(&sl->mu, NULL);
	pthread_cond_init(&sl->done, NULL);
	if (pthread_create(&sl->thread, NULL, writer, sl) != 0) {
		ocop_store_close(sl->st);
		workq_destroy(&sl->q);
		pthread_mutex_destroy(&sl->mu);
		pthread_cond_destroy(&sl->done);
		free(sl);
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "cannot start the scan-log thread");
	}
	*out = sl;
	return 0;
}

int
scanlog_submit(struct scanlog *sl, struct scanlog_job *job)
{
	job->finished = 0;
	job->rc = 0;
	if (workq_push(&sl->q, job) < 0)
		return ocop_error_set(&job->err, OCOP_EREFUSED,
				      "the server is shutting down");
	return 0;
}

int
scanlog_run(struct scanlog *sl, struct scanlog_job *job)
{
	int rc;

	job->done = NULL;
	if ((rc = scanlog_submit(sl, job)) < 0)
		return rc;
	pthread_mutex_lock(&sl->mu);
	while (!job->finished)
		pthread_cond_wait(&sl->done, &sl->mu);
	pthread_mutex_unlock(&sl->mu);
	return job->rc;
}

size_t
scanlog_depth(struct scanlog *sl)
{
	return sl ? workq_depth(&sl->q) : 0;
}

void
scanlog_stop(struct scanlog *sl)
{
	if (!sl || !sl->st)
		return;
	workq_stop(&sl->q);
	pthread_join(sl->thread, NULL);
	/* the engine leaves its counts folded and its log checkpointed */
	ocop_store_close(sl->st);
	sl->st = NULL;
}

void
scanlog_free(struct scanlog *sl)
{
	if (!sl)
		return;
	scanlog_stop(sl);
	workq_destroy(&sl->q);
	pthread_mutex_destroy(&sl->mu);
	pthread_cond_destroy(&sl->done);
	free(sl);
}

/* Case-sensitive substring: user agents spell their tokens exactly. */
static int
has(const char *ua, const char *token)
{
	return strstr(ua, token) != NULL;
}

const char *
scanlog_ua_family(const char *ua)
{
	if (!ua || !*ua)
		return "";
	/* in-app browsers first: they also claim Chrome or Safari */
	if (has(ua, "Zalo"))
		return "zalo";
	if (has(ua, "FBAN") || has(ua, "FBAV") || has(ua, "FB_IAB"))
		return "facebook";
	if (strncmp(ua, "curl/", 5) == 0)
		return "curl";
	if (strncmp(ua, "Wget/", 5) == 0)
		return "wget";
	if (strncmp(ua, "ocop/", 5) == 0)
		return "ocop";
	if (has(ua, "bot") || has(ua, "Bot") || has(ua, "spider") ||
	    has(ua, "crawler"))
		return "bot";
	if (has(ua, "Edg/") || has(ua, "EdgA/") || has(ua, "EdgiOS/"))
		return "edge";
	if (has(ua, "OPR/") || has(ua, "Opera"))
		return "opera";
	if (has(ua, "SamsungBrowser/"))
		return "samsung";
	if (has(ua, "Firefox/") || has(ua, "FxiOS/"))
		return "firefox";
	if (has(ua, "Chrome/") || has(ua, "Chromium/") || has(ua, "CriOS/"))
		return "chrome";
	if (has(ua, "Safari/") || has(ua, "AppleWebKit/"))
		return "safari";
	return "other";
}
