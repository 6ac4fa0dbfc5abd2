/*
 * lookups.h - verifications read in groups, for a networked engine
 * (store.h): there every read is a round trip, and the database spends
 * far more on a statement's round trip than on the few rows a
 * verification reads. So request threads hand their lookups to one reader
 * thread with its own store handle and record cache; it reads whatever
 * has queued meanwhile with one statement (record_lookup_many), judges
 * each, and tells each job's owner. Like the scan log's writer, it does
 * not wait for a group to form: the lookups that come while it reads one
 * group make the next, so groups grow with the load by themselves. Every
 * read starts after the lookups it answers were queued, so it sees every
 * change committed before they arrived.
 */
#ifndef OCOP_LOOKUPS_H
#define OCOP_LOOKUPS_H

#include <stdint.h>

#include "metrics.h"
#include "ocop.h"
#include "record.h"

struct lookups;

struct lookup_job {
	/* in: the code, the instant; out: the record (owned by the caller,
	 * alive until done), rc and err as record_lookup_cached gives them */
	struct ocop_code code;
	int64_t at;
	struct ocop_record *rec;
	int rc;
	struct ocop_error err;
	/* called on the reader thread once the record is read or failed */
	void (*done)(struct lookup_job *job);
	void *ctx;
	/* private */
	struct lookup_job *next;
};

/* Open a reader handle on db_path (OCOP_STORE_READER) and start the
 * reader thread; each group's read is counted in m (may be NULL). */
int lookups_start(const char *db_path, struct metrics *m, struct lookups **out,
		  struct ocop_error *err);

/* Queue job; job->done is called later on the reader thread.
 * OCOP_EREFUSED once lookups_stop has begun (the job is not queued). */
int lookups_submit(struct lookups *lk, struct lookup_job *job);

/* Answer every queued job and stop the thread; jobs submitted afterwards
 * are refused (OCOP_EREFUSED). NULL is a no-op. */
void lookups_stop(struct lookups *lk);
/* Stop (if not yet), close the handle and free. NULL is a no-op. */
void lookups_free(struct lookups *lk);

#endif
