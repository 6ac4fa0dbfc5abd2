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

#endif
