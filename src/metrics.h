/*
 * metrics.h - the service's counters in Prometheus text format (version
 * 0.0.4): requests by route and status, scans by verdict, the scan queue,
 * the latency of scan-log commits and of the lookups' grouped reads; and
 * whether the database is failing the node, as its readers and its scan
 * writer last met it, which is also written to the service's log
 * (stderr) each time it changes and answered by /healthz. Updates are
 * safe from any thread; those of a database that works are lock-free.
 */
#ifndef OCOP_METRICS_H
#define OCOP_METRICS_H

#include <stddef.h>

#include "ocop.h"

struct metrics;

/* Counters for nroutes routes, names[r] the label of route r (several
 * routes may share one); names is kept, not copied. */
struct metrics *metrics_new(const char *const *names, size_t nroutes);
void metrics_free(struct metrics *m);

void metrics_request(struct metrics *m, size_t route, int status);
/* n scans stored with verdict (duplicates are not counted). */
void metrics_scans(struct metrics *m, enum ocop_verdict verdict, size_t n);
/* One scan-log transaction of rows rows that took seconds to commit. */
void metrics_commit(struct metrics *m, size_t rows, double seconds);
/* One group of n lookups that took seconds to read (lookups.h). */
void metrics_lookups(struct metrics *m, size_t n, double seconds);

/* What the node does with the database: reading it (the request threads'
 * and the lookups reader's reads) and storing scans (the scan writer). */
enum metrics_use { METRICS_READS, METRICS_SCANS, METRICS_NUSES };

/*
 * What one use of the database met: rc 0 (it worked) or its failure. A
 * failure of the database as a whole (store_down: unreachable, or it
 * cannot be written) makes the use failing until one works again; items
 * is what the failure refused (scans). The first failure after a success
 * and the first success after failures each write one line to stderr,
 * the first with err's message (the cause, which the public answers do
 * not need to carry), the second with how long it failed and what it
 * refused meanwhile. Other failures (a bad row, a rule) say nothing of
 * the database and are ignored.
 */
void metrics_database(struct metrics *m, enum metrics_use use, int rc,
		      const struct ocop_error *err, size_t items);
/* Whether use is failing and failed within the last within seconds (a
 * use that nothing tried since is taken as working again once within
 * has passed). */
int metrics_database_failing(struct metrics *m, enum metrics_use use,
			     double within);

/* Append the text exposition; queue_depth and in_flight are gauges the
 * caller samples. */
int metrics_render(struct metrics *m, size_t queue_depth, size_t in_flight,
		   struct ocop_buf *out);

#endif
