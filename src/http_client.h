/*
 * http_client.h - outgoing HTTP(S) requests over libcurl, for `ocop scan`
 * and `ocop registry import https://...`.
 *
 * One blocking request at a time: http and https only, certificate and
 * host verification always on, a connect and a whole-transfer timeout,
 * and a cap on the response body. Nothing is printed.
 */
#ifndef OCOP_HTTP_CLIENT_H
#define OCOP_HTTP_CLIENT_H

#include <stddef.h>

#include "ocop.h"

#define HTTP_CLIENT_TIMEOUT_MS 30000L
#define HTTP_CLIENT_CONNECT_TIMEOUT_MS 10000L
#define HTTP_CLIENT_MAX_SIZE ((size_t)64 << 20)

struct http_client_req {
	const char *method;       /* "GET" (default when NULL) or "POST" */
	const char *url;          /* http:// or https:// */
	const char *bearer;       /* token for Authorization, or NULL */
	const char *content_type; /* of body, or NULL */
	const char *accept;       /* Accept header, or NULL */
	const char *body;         /* POST body, or NULL */
	size_t body_len;
	long timeout_ms;         /* whole transfer; 0: HTTP_CLIENT_TIMEOUT_MS */
	long connect_timeout_ms; /* 0: HTTP_CLIENT_CONNECT_TIMEOUT_MS */
	size_t max_size;         /* body cap; 0: HTTP_CLIENT_MAX_SIZE */
	int follow_redirects;    /* follow up to 5 redirects (GET only) */
};

struct http_client_resp {
	long status;
	char content_type[128]; /* "" when the server sent none */
	struct ocop_buf body;   /* NUL-terminated, at most max_size bytes */
};

void http_client_resp_init(struct http_client_resp *r);
void http_client_resp_release(struct http_client_resp *r);

/*
 * Perform req; any HTTP status is a success (0) with resp->status set.
 * OCOP_EUNREACH with curl's reason when no answer came (refused, DNS,
 * TLS or certificate failure, timeout); OCOP_ETOOBIG when the body is
 * over the cap; OCOP_EINVAL for a URL that is not http(s).
 * resp must be initialised; its body is emptied first.
 */
int http_client_fetch(const struct http_client_req *req,
		      struct http_client_resp *resp, struct ocop_error *err);

/* 1 when url is http://localhost, http://127.x.x.x or http://[::1] (any
 * port), the plain-http addresses allowed for local testing. */
int http_client_is_loopback(const char *url);

#endif
