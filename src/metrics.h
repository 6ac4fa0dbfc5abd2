/*
 * metrics.h - the service's counters in Prometheus text format (version
 * 0.0.4): requests by route and status, scans by verdict, the scan queue,
 * the latency of scan-log commits and of the lookups' grouped reads.
 * Updates are lock-free atomics and safe from any thread.
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

/* Append the text exposition; queue_depth and in_flight are gauges the
 * caller samples. */
int metrics_render(struct metrics *m, size_t queue_depth, size_t in_flight,
		   struct ocop_buf *out);

#endif
