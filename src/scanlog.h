/*
 * scanlog.h - the scan log writer: one thread, its own store handle, and
 * group commit. Request threads hand it jobs (one request's scans); it
 * writes whatever is queued in one transaction of at most about
 * SCANLOG_MAX_ROWS rows (a job is never split: one job is stored whole or
 * not at all), commits, then tells each job's owner. It does not wait for
 * a group to form: the scans that come while it writes one group make the
 * next, so groups grow with the load by themselves. A scan is answered
 * only after its commit, so a killed server loses no acknowledged scan.
 *
 * What a scan keeps of its client is coarse on purpose: the network
 * (IPv4 /24, IPv6 /48) and the user agent's family, never the address or
 * the full user agent.
 */
#ifndef OCOP_SCANLOG_H
#define OCOP_SCANLOG_H

#include <stddef.h>
#include <stdint.h>

#include "metrics.h"
#include "ocop.h"

#define SCANLOG_MAX_ROWS 1000

struct scanlog;

struct scanlog_job {
	/* in: the scans (owned by the caller, which keeps them alive until
	 * done); out: each stored or, for a re-sent client_id, overwritten
	 * with the stored scan and duplicate[i] = 1 */
	struct ocop_scan *scans;
	size_t n;
	int *duplicate; /* n entries, out */
	/* out when want_stats: the label's stored scans after this one
	 * (count, first time), for scans with a label_id; n entries */
	int want_stats;
	int64_t *count;
	int64_t *first_at;
	/* out: 0 or a negative OCOP_E* code, err explains */
	int rc;
	struct ocop_error err;
	/* optional: called on the writer thread inside the transaction
	 * before the job's scans are stored, to fill them in from the data
	 * being written to (a label judged and counted in the transaction
	 * that stores its scan). A negative return fails this job alone
	 * (rc and err) and stores none of its scans. */
	int (*prepare)(struct ocop_store *st, struct scanlog_job *job,
		       struct ocop_error *err);
	/* called on the writer thread once the job is committed or failed;
	 * NULL for scanlog_run */
	void (*done)(struct scanlog_job *job);
	void *ctx;
	/* private */
	int prepare_rc;
	struct scanlog_job *next;
	int finished;
};

/* Open a handle on db_path for the scan writer (OCOP_STORE_SCAN_WRITER:
 * the engine keeps its log and counts for a steady stream of small
 * transactions) and start the writer thread. m may be NULL. */
int scanlog_start(const char *db_path, struct metrics *m,
		  struct scanlog **out, struct ocop_error *err);

/* Queue job; job->done is called later on the writer thread. OCOP_EREFUSED
 * once scanlog_stop has begun (the job is not queued). */
int scanlog_submit(struct scanlog *sl, struct scanlog_job *job);

/* Queue job and wait for its commit; returns job->rc. */
int scanlog_run(struct scanlog *sl, struct scanlog_job *job);

/* Scans queued, not yet committed. */
size_t scanlog_depth(struct scanlog *sl);

/* Write every queued job, stop the thread, close the handle. Jobs
 * submitted afterwards are refused (OCOP_EREFUSED). NULL is a no-op. */
void scanlog_stop(struct scanlog *sl);
/* Stop (if not yet) and free. NULL is a no-op. */
void scanlog_free(struct scanlog *sl);

/* The family of a User-Agent: "zalo", "facebook", "edge", "opera",
 * "samsung", "chrome", "firefox", "safari", "curl", "wget", "ocop",
 * "bot" or "other" ("" for none). Static strings. */
const char *scanlog_ua_family(const char *ua);

#endif
