/*
 * metrics.h - the service's counters in Prometheus text format (version
 * 0.0.4): requests by route and status, scans by verdict, the scan queue,
 * and the latency of scan-log commits. Updates are lock-free atomics and
 * safe from any thread.
 */
#ifndef OCOP_METRICS_H
#define OCOP_METRICS_H

#include <stddef.h>

#include "ocop.h"

enum metrics_route {
	METRICS_ROUTE_LABEL = 0, /* /L/{serial} */
	METRICS_ROUTE_PRODUCT,   /* /P/{gtin} */
	METRICS_ROUTE_RESOLVER,  /* /01/..., /.well-known/gs1resolver */
	METRICS_ROUTE_API_LABEL, /* /api/v1/labels/{serial} */
	METRICS_ROUTE_API_SCANS, /* /api/v1/scans */
	METRICS_ROUTE_REPORTS,   /* /api/v1/reports/{name} */
	METRICS_ROUTE_HEALTHZ,
	METRICS_ROUTE_METRICS,
	METRICS_ROUTE_HOME,      /* / and /L?code= */
	METRICS_ROUTE_OTHER,
	METRICS_ROUTES
};

struct metrics;

struct metrics *metrics_new(void);
void metrics_free(struct metrics *m);

void metrics_request(struct metrics *m, enum metrics_route route,
		     int status);
/* n scans stored with verdict (duplicates are not counted). */
void metrics_scans(struct metrics *m, enum ocop_verdict verdict, size_t n);
/* One scan-log transaction of rows rows that took seconds to commit. */
void metrics_commit(struct metrics *m, size_t rows, double seconds);

/* Append the text exposition; queue_depth and in_flight are gauges the
 * caller samples. */
int metrics_render(struct metrics *m, size_t queue_depth, size_t in_flight,
		   struct ocop_buf *out);

#endif
