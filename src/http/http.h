/*
 * http.h - a request and a response as plain data, independent of the HTTP
 * library, so that route handlers (server.c, resolver.c, page.c) can be
 * unit-tested without a socket. server.c fills struct http_req from
 * libmicrohttpd and sends struct http_resp back.
 */
#ifndef OCOP_HTTP_H
#define OCOP_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ocop.h"

#define HTTP_MAX_HEADERS 16

struct page_site;

struct http_req {
	const char *method;          /* "GET", "HEAD", "OPTIONS", "POST" */
	const char *path;            /* raw path, percent-decoded, no query */
	const char *query;           /* raw query string without '?', or "" */
	const char *accept;          /* header values or NULL */
	const char *accept_language;
	const char *authorization;
	const char *user_agent;
	const char *client_net;      /* "203.0.113.0/24", "2001:db8:1::/48" */
	const char *body;            /* POST body (may be NULL) */
	size_t body_len;
	/* Query parameter lookup (percent-decoded), NULL when absent. */
	const char *(*arg)(const struct http_req *req, const char *name);
	/* who runs the service, for the pages a handler renders (may be
	 * NULL) */
	const struct page_site *site;
	void *impl; /* the server's own connection data */
};

struct http_header {
	char name[64];
	char value[1024];
};

struct http_resp {
	int status;
	char content_type[96];
	struct ocop_buf body;
	struct http_header headers[HTTP_MAX_HEADERS];
	int nheaders;
	/* a file as the body instead (a large download): the open file,
	 * owned by the response from then on, and its length; -1: none */
	int fd;
	size_t fd_len;
	/* or a body made while it is sent, of a length not known ahead:
	 * read(cls, pos, buf, max) gives the next bytes as libmicrohttpd's
	 * content reader does, and done(cls) is called once the response is
	 * over, sent or not (owned by the response from then on); NULL: none */
	ssize_t (*read)(void *cls, uint64_t pos, char *buf, size_t max);
	void (*done)(void *cls);
	void *cls;
	/* why a 500 failed, for the service's log, never sent: set by
	 * http_resp_error and the pages' error answers (http_resp_cause) */
	char cause[256];
};

void http_resp_init(struct http_resp *r);
void http_resp_release(struct http_resp *r);
/* Add a header; silently drops it past HTTP_MAX_HEADERS (a bug). */
void http_resp_header(struct http_resp *r, const char *name, const char *fmt,
		      ...) __attribute__((format(printf, 3, 4)));
/* A JSON error body {"error":{"status":N,"message":"..."}} with status. */
void http_resp_error(struct http_resp *r, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Keep why a 5xx answer of status failed for the service's log
 * (printf-style); nothing for other statuses. */
void http_resp_cause(struct http_resp *r, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Seconds a client is asked to wait before trying again (Retry-After). */
#define HTTP_RETRY_AFTER 30
/* Whether a failure rc (ocop.h) passes: the database cannot be reached
 * or written just now (store_down: a server away, a full disk, a
 * read-only or locked database) or the server is stopping
 * (OCOP_EREFUSED). The client is asked to try again, never told 500. */
int http_unavailable(int rc);
/* The status of a failure rc: 503 with Retry-After when it passes
 * (http_unavailable), else 500. */
int http_fail_status(struct http_resp *r, int rc);

/* 1 when the Accept header prefers type over text/html (a simple q-aware
 * match: type present with q > 0 and html not preferred over it). */
int http_accepts(const char *accept, const char *type);

#endif
