/*
 * resolver.h - the GS1-Conformant resolver of SPEC 5.1 (GS1 Resolver
 * standard 1.2, AI 01): Digital Link URIs, linksets, the description file.
 * Pure request -> response over struct http_req/http_resp; server.c routes
 * "/01/..." and "/.well-known/gs1resolver" here.
 */
#ifndef OCOP_RESOLVER_H
#define OCOP_RESOLVER_H

#include "http.h"
#include "record.h"
#include "store/store.h"

/* 1 when path is one this module answers. */
int resolver_owns(const char *path);

/* Answer req into resp (status, headers, body). base_url is {BASE} as
 * stored (lower case, no trailing slash). cache, when not NULL, is the
 * calling thread's cache of products and histories (record.h), so that a
 * redirect costs one read like a lookup does. Returns 0, or a negative
 * code for an internal failure (resp then holds a 500). */
int resolver_handle(struct ocop_store *st, struct record_cache *cache,
		    const char *base_url, const struct http_req *req,
		    struct http_resp *resp);

/* A label read before its request is answered: rc, rec and err as
 * record_lookup_cached gives them for the label's code at the instant
 * the request came. */
struct resolver_read {
	int rc;
	const struct ocop_record *rec;
	struct ocop_error err;
};

/* 1 with *code set when answering req reads a label (GET or HEAD of a
 * label URI), else 0. A networked engine's server reads that label in a
 * group with other lookups (lookups.h) and answers with
 * resolver_handle_read: one statement's share rather than a round trip
 * on the request thread. */
int resolver_label_wanted(const struct http_req *req, struct ocop_code *code);

/* resolver_handle with the label of req already read (read not NULL):
 * the store is read only for a label issued after that instant (a clock
 * set back), as resolver_handle reads it again then. */
int resolver_handle_read(struct ocop_store *st, struct record_cache *cache,
			 const char *base_url, const struct http_req *req,
			 const struct resolver_read *read,
			 struct http_resp *resp);

#endif
