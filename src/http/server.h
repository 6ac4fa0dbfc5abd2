/*
 * server.h - the HTTP verification service of SPEC 5 on libmicrohttpd:
 * an epoll thread pool with one read-only store handle per thread, a
 * single scan-log writer with group commit (scanlog.h), per-network rate
 * limits (ratelimit.h), tokens (token.h) and metrics (metrics.h).
 *
 * A request that records scans is suspended until the writer has
 * committed them, so every answered scan is stored; the pool threads meanwhile
 * serve other connections.
 */
#ifndef OCOP_SERVER_H
#define OCOP_SERVER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "ocop.h"

#define SERVER_DEFAULT_LISTEN "127.0.0.1:8080"
#define SERVER_DEFAULT_RATE 50
#define SERVER_BODY_MAX ((size_t)1 << 20) /* 1 MiB */
#define SERVER_SCANS_MAX 1000             /* items a POST */

struct server_config {
	const char *db_path;
	const char *listen;  /* "ADDR:PORT", "[v6]:PORT"; port 0: any */
	unsigned rate_limit; /* requests/s per client network; 0: none */
	unsigned threads;    /* worker threads; 0: the number of CPUs */
};

struct server;

/*
 * Open the store, bind and start serving. bound receives "HOST:PORT" as
 * bound (IPv6 in brackets). OCOP_EINVAL for a bad listen address,
 * OCOP_EOUTPUT when it cannot be bound, store errors otherwise.
 */
int server_start(const struct server_config *cfg, struct server **out,
		 char *bound, size_t bound_size, struct ocop_error *err);

/* The base URL the server answers for (meta base_url). */
const char *server_base_url(const struct server *srv);

/*
 * Stop accepting, let requests in flight finish (at most drain_ms), write
 * every pending scan, and free everything. NULL is a no-op.
 */
void server_stop(struct server *srv, unsigned drain_ms);

/* ---- the body of POST /api/v1/scans, before any lookup ------------ */

/*
 * Parse body[0..len) as {"scans":[...]}. 0 with *root the document
 * (caller json_decref()s it); else the HTTP status (400 malformed JSON,
 * 422 another shape, 413 more than SERVER_SCANS_MAX items), *root NULL
 * and msg says why.
 */
int server_scans_load(const char *body, size_t len, json_t **root, char *msg,
		      size_t msz);
/*
 * Check one item of the array as received at now: known fields only, id,
 * code (a label's serial or URL: *code), scanned_at (RFC 3339, at most a
 * day ahead of now), place, province, lat and lon. 0 with s filled but
 * for what a lookup gives (code, ids, verdict); -1 with msg for a bad
 * item.
 */
int server_scan_check(json_t *item, int64_t now, struct ocop_scan *s,
		      struct ocop_code *code, char *msg, size_t msz);

#endif
