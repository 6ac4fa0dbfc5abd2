/*
 * scanlog.c - the single scan-log writer with group commit (see
 * scanlog.h). Why one thread: many threads inserting each in its own
 * transaction stall in SQLite's busy handler; one writer that commits
 * whatever has queued meanwhile keeps the latency of a scan to about one
 * commit and the throughput near SQLite's bulk insert rate.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scanlog.h"
#include "store.h"

struct scanlog {
	struct ocop_store *st;
	struct ocop_store *ckpt_st; /* the checkpointer's handle */
	struct metrics *metrics;
	pthread_t thread;
	pthread_t ckpt_thread;
	pthread_cond_t ckpt_wake; /* the checkpointer: stop */
	pthread_mutex_t mu;
	pthread_cond_t wake;  /* the writer: work or stop */
	pthread_cond_t done;  /* scanlog_run waiters */
	struct scanlog_job *head, *tail;
	size_t depth; /* scans queued */
	int stopping;
	int ckpt_stopping;
	atomic_uint_least64_t commits; /* transactions committed */
	/* called by the checkpointer before each checkpoint (read under mu,
	 * called without it) */
	void (*before_checkpoint)(void *ctx);
	void *before_checkpoint_ctx;
};

/*
 * The write-ahead log is copied into the database by a thread of its own
 * every SCANLOG_CHECKPOINT seconds, not by the writer as it commits: a
 * checkpoint waits for two syncs, and in the writer it held up every
 * waiting scan (a third of the throughput). Copied every few thousand log
 * pages rather than every thousand, a page that many scans change (an
 * index leaf, a label's stats) is copied once for many changes; often
 * enough that each copy is short.
 *
 * The log starts over from its beginning only once a checkpoint has copied
 * all of it, which under a steady stream of scans this thread never sees
 * (the writer appends while it copies). So the writer checkpoints itself
 * past SCANLOG_LOG_PAGES: little is left to copy, but it waits for two
 * syncs, and a slow sync (a third of a second, now and then, on the
 * test machine) then holds every waiting scan. At 16,000 pages that came
 * every second of saturation; 131,072 pages (a log file of 512 MiB)
 * absorb seven seconds at 18,000 pages a second. When scans pause for a
 * moment, this thread's checkpoint copies the whole log and the writer
 * starts it over without a checkpoint of its own.
 */
#define SCANLOG_CHECKPOINT 0.05
/* Seconds between folds of the recent scan counts (store.h, scan_fold):
 * long enough that a page of the per-label counts is written once for
 * many scans, short enough that the recent counts stay a few pages. */
#define SCANLOG_FOLD 0.05
#define SCANLOG_LOG_PAGES 131072

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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
	double t0 = mono();
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
	/* before any of these scans is answered (scanlog_commits) */
	atomic_fetch_add(&sl->commits, 1);
	metrics_commit(sl->metrics, rows, mono() - t0);
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

/* Fold the recent scan counts in a transaction of their own. A failure
 * loses nothing (the counts stay where they are) and is retried next
 * time. */
static void
fold(struct scanlog *sl)
{
	struct ocop_store *st = sl->st;
	struct ocop_error err = {0};

	if (st->m->begin(st, &err) < 0)
		return;
	if (st->m->scan_fold(st, &err) < 0) {
		st->m->rollback(st);
		return;
	}
	st->m->commit(st, &err);
}

static void *
writer(void *arg)
{
	struct scanlog *sl = arg;
	double folded_at = mono();

	for (;;) {
		struct scanlog_job *jobs, *last, *next;
		struct ocop_error err = {0};
		size_t rows = 0;
		int rc;

		pthread_mutex_lock(&sl->mu);
		while (!sl->head && !sl->stopping)
			pthread_cond_wait(&sl->wake, &sl->mu);
		if (!sl->head) {
			pthread_mutex_unlock(&sl->mu);
			fold(sl); /* stopping: leave the counts folded */
			break;
		}
		/* take whole jobs up to the row cap (at least one) */
		jobs = last = sl->head;
		rows = last->n;
		while (last->next && rows + last->next->n <= SCANLOG_MAX_ROWS) {
			last = last->next;
			rows += last->n;
		}
		sl->head = last->next;
		if (!sl->head)
			sl->tail = NULL;
		last->next = NULL;
		sl->depth -= rows;
		pthread_mutex_unlock(&sl->mu);

		rc = write_group(sl, jobs, rows, &err);
		if (rc < 0 && jobs->next) {
			/* one job spoilt the group: retry each alone so that
			 * only the bad one fails */
			for (struct scanlog_job *j = jobs; j; j = j->next) {
				j->rc = 0;
				next = j->next;
				j->next = NULL;
				j->rc = write_group(sl, j, j->n, &j->err);
				if (j->rc == 0 && j->prepare_rc < 0)
					j->rc = j->prepare_rc;
				j->next = next;
			}
		} else {
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
		if (mono() - folded_at >= SCANLOG_FOLD) {
			fold(sl);
			folded_at = mono();
		}
	}
	return NULL;
}

static void *
checkpointer(void *arg)
{
	struct scanlog *sl = arg;

	pthread_mutex_lock(&sl->mu);
	while (!sl->ckpt_stopping) {
		struct timespec until;
		double t = mono() + SCANLOG_CHECKPOINT;
		struct ocop_error err = {0};
		void (*hook)(void *);
		void *hook_ctx;

		until.tv_sec = (time_t)t;
		until.tv_nsec = (long)((t - (double)until.tv_sec) * 1e9);
		pthread_cond_timedwait(&sl->ckpt_wake, &sl->mu, &until);
		if (sl->ckpt_stopping)
			break;
		hook = sl->before_checkpoint;
		hook_ctx = sl->before_checkpoint_ctx;
		pthread_mutex_unlock(&sl->mu);
		if (hook)
			hook(hook_ctx);
		/* a failure is retried next time; the writer's own
		 * checkpoints bound the log meanwhile */
		sl->ckpt_st->m->log_checkpoint(sl->ckpt_st, &err);
		pthread_mutex_lock(&sl->mu);
	}
	pthread_mutex_unlock(&sl->mu);
	return NULL;
}

int
scanlog_start(const char *db_path, struct metrics *m, struct scanlog **out,
	      struct ocop_error *err)
{
	struct scanlog *sl = ocop_xcalloc(1, sizeof(*sl));
	pthread_condattr_t ca;
	int rc;

	if ((rc = ocop_store_open(db_path, 0, &sl->st, err)) < 0) {
		free(sl);
		return rc;
	}
	if ((rc = ocop_store_open(db_path, 0, &sl->ckpt_st, err)) < 0 ||
	    (rc = sl->st->m->log_autocheckpoint(sl->st, SCANLOG_LOG_PAGES,
						err)) < 0) {
		ocop_store_close(sl->ckpt_st);
		ocop_store_close(sl->st);
		free(sl);
		return rc;
	}
	sl->metrics = m;
	pthread_mutex_init(&sl->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&sl->wake, &ca);
	pthread_cond_init(&sl->ckpt_wake, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&sl->done, NULL);
	if (pthread_create(&sl->thread, NULL, writer, sl) != 0)
		goto fail;
	if (pthread_create(&sl->ckpt_thread, NULL, checkpointer, sl) != 0) {
		pthread_mutex_lock(&sl->mu);
		sl->stopping = 1;
		pthread_cond_signal(&sl->wake);
		pthread_mutex_unlock(&sl->mu);
		pthread_join(sl->thread, NULL);
		goto fail;
	}
	*out = sl;
	return 0;
fail:
	ocop_store_close(sl->ckpt_st);
	ocop_store_close(sl->st);
	pthread_mutex_destroy(&sl->mu);
	pthread_cond_destroy(&sl->wake);
	pthread_cond_destroy(&sl->ckpt_wake);
	pthread_cond_destroy(&sl->done);
	free(sl);
	return ocop_error_set(err, OCOP_EINTERNAL,
			      "cannot start the scan-log thread");
}

int
scanlog_submit(struct scanlog *sl, struct scanlog_job *job)
{
	job->next = NULL;
	job->finished = 0;
	job->rc = 0;
	pthread_mutex_lock(&sl->mu);
	if (sl->stopping) {
		pthread_mutex_unlock(&sl->mu);
		return ocop_error_set(&job->err, OCOP_EREFUSED,
				      "the server is shutting down");
	}
	if (sl->tail)
		sl->tail->next = job;
	else
		sl->head = job;
	sl->tail = job;
	sl->depth += job->n;
	/* the writer sleeps only when nothing is queued */
	if (sl->head == job)
		pthread_cond_signal(&sl->wake);
	pthread_mutex_unlock(&sl->mu);
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

uint64_t
scanlog_commits(struct scanlog *sl)
{
	return sl ? atomic_load(&sl->commits) : 0;
}

void
scanlog_before_checkpoint(struct scanlog *sl, void (*fn)(void *ctx),
			  void *ctx)
{
	pthread_mutex_lock(&sl->mu);
	sl->before_checkpoint = fn;
	sl->before_checkpoint_ctx = ctx;
	pthread_mutex_unlock(&sl->mu);
}

size_t
scanlog_depth(struct scanlog *sl)
{
	size_t n;

	if (!sl)
		return 0;
	pthread_mutex_lock(&sl->mu);
	n = sl->depth;
	pthread_mutex_unlock(&sl->mu);
	return n;
}

void
scanlog_stop(struct scanlog *sl)
{
	if (!sl || !sl->st)
		return;
	pthread_mutex_lock(&sl->mu);
	sl->stopping = 1;
	pthread_cond_signal(&sl->wake);
	pthread_mutex_unlock(&sl->mu);
	pthread_join(sl->thread, NULL);
	pthread_mutex_lock(&sl->mu);
	sl->ckpt_stopping = 1;
	pthread_cond_signal(&sl->ckpt_wake);
	pthread_mutex_unlock(&sl->mu);
	pthread_join(sl->ckpt_thread, NULL);
	ocop_store_close(sl->ckpt_st);
	sl->ckpt_st = NULL;
	ocop_store_close(sl->st);
	sl->st = NULL;
}

void
scanlog_free(struct scanlog *sl)
{
	if (!sl)
		return;
	scanlog_stop(sl);
	pthread_mutex_destroy(&sl->mu);
	pthread_cond_destroy(&sl->wake);
	pthread_cond_destroy(&sl->ckpt_wake);
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
