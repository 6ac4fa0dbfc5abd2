/*
 * http.c - plain-data requests and responses (see http.h): headers, JSON
 * error bodies and Accept negotiation, with no HTTP library underneath.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "http.h"
#include "store/store.h"

void
http_resp_init(struct http_resp *r)
{
	r->status = 200;
	r->content_type[0] = '\0';
	ocop_buf_init(&r->body, 0);
	r->nheaders = 0;
	r->fd = -1;
	r->fd_len = 0;
	r->read = NULL;
	r->done = NULL;
	r->cls = NULL;
	r->cause[0] = '\0';
}

void
http_resp_cause(struct http_resp *r, int status, const char *fmt, ...)
{
	va_list ap;

	if (status < 500)
		return;
	va_start(ap, fmt);
	vsnprintf(r->cause, sizeof(r->cause), fmt, ap);
	va_end(ap);
}

void
http_resp_release(struct http_resp *r)
{
	ocop_buf_release(&r->body);
	r->nheaders = 0;
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	if (r->done)
		r->done(r->cls);
	r->read = NULL;
	r->done = NULL;
	r->cls = NULL;
}

void
http_resp_header(struct http_resp *r, const char *name, const char *fmt, ...)
{
	struct http_header *h;
	va_list ap;

	if (r->nheaders >= HTTP_MAX_HEADERS)
		return;
	h = &r->headers[r->nheaders++];
	ocop_strlcpy(h->name, name, sizeof(h->name));
	va_start(ap, fmt);
	vsnprintf(h->value, sizeof(h->value), fmt, ap);
	va_end(ap);
}

/* Append s as the inside of a JSON string (no quotes). */
static void
add_json_chars(struct ocop_buf *b, const char *s)
{
	const char *start = s;
	char esc[8];

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		ocop_buf_add(b, start, (size_t)(s - start));
		if (c == '"' || c == '\\')
			snprintf(esc, sizeof(esc), "\\%c", c);
		else if (c == '\n')
			snprintf(esc, sizeof(esc), "\\n");
		else
			snprintf(esc, sizeof(esc), "\\u%04x", c);
		ocop_buf_adds(b, esc);
		start = s + 1;
	}
	ocop_buf_add(b, start, (size_t)(s - start));
}

void
http_resp_error(struct http_resp *r, int status, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	http_resp_cause(r, status, "%s", msg);
	r->status = status;
	ocop_strlcpy(r->content_type, "application/json",
		     sizeof(r->content_type));
	r->body.len = 0;
	ocop_buf_addf(&r->body, "{\"error\":{\"status\":%d,\"message\":\"",
		      status);
	add_json_chars(&r->body, msg);
	ocop_buf_adds(&r->body, "\"}}\n");
}

int
http_unavailable(int rc)
{
	return store_down(rc) || rc == OCOP_EREFUSED;
}

int
http_fail_status(struct http_resp *r, int rc)
{
	if (!http_unavailable(rc))
		return 500;
	http_resp_header(r, "Retry-After", "%d", HTTP_RETRY_AFTER);
	return 503;
}

/*
 * One media range of an Accept header: its q (0..1000) and how specific
 * its match with the wanted type is (0 none, 1 "* / *", 2 "major/ *",
 * 3 exact). Parameters other than q are ignored.
 */
static int
range_match(const char *range, size_t rlen, const char *type)
{
	size_t tlen = strlen(type);
	const char *slash = strchr(type, '/');

	if (rlen == 3 && memcmp(range, "*/*", 3) == 0)
		return 1;
	if (rlen == tlen && strncasecmp(range, type, tlen) == 0)
		return 3;
	if (slash && rlen == (size_t)(slash - type) + 2 &&
	    strncasecmp(range, type, (size_t)(slash - type) + 1) == 0 &&
	    range[rlen - 1] == '*')
		return 2;
	return 0;
}

static int
parse_q(const char *p, const char *end)
{
	int q = 0, scale = 100;

	/* p points after "q=": "1", "1.0", "0.8", "0.25", "0.125" */
	if (p < end && *p == '1')
		return 1000;
	if (p >= end || *p != '0')
		return 0;
	p++;
	if (p < end && *p == '.') {
		for (p++; p < end && isdigit((unsigned char)*p) && scale; p++) {
			q += (*p - '0') * scale;
			scale /= 10;
		}
	}
	return q;
}

/*
 * The q (0..1000) the header gives type, from its most specific matching
 * range; -1 when no range matches. *explicit_pos is the index of an exact
 * match (or -1).
 */
static int
accept_q(const char *accept, const char *type, int *explicit_pos)
{
	const char *p = accept;
	int best_spec = 0, best_q = -1, idx = 0;

	*explicit_pos = -1;
	while (*p) {
		const char *end = strchr(p, ',');
		const char *semi, *r, *re;
		int spec, q = 1000;

		if (!end)
			end = p + strlen(p);
		r = p;
		while (r < end && (*r == ' ' || *r == '\t'))
			r++;
		for (semi = r; semi < end && *semi != ';'; semi++)
			;
		re = semi;
		if (semi == end)
			semi = NULL;
		while (re > r && (re[-1] == ' ' || re[-1] == '\t'))
			re--;
		spec = range_match(r, (size_t)(re - r), type);
		for (const char *s = semi; s && s < end;) {
			s++;
			while (s < end && (*s == ' ' || *s == '\t'))
				s++;
			if (end - s >= 2 && (s[0] == 'q' || s[0] == 'Q') &&
			    s[1] == '=')
				q = parse_q(s + 2, end);
			while (s < end && *s != ';')
				s++;
		}
		if (spec > best_spec) {
			best_spec = spec;
			best_q = q;
		}
		if (spec == 3 && *explicit_pos < 0)
			*explicit_pos = idx;
		idx++;
		p = *end ? end + 1 : end;
	}
	return best_q;
}

int
http_accepts(const char *accept, const char *type)
{
	int tq, hq, tpos, hpos;

	if (!accept || !type)
		return 0;
	tq = accept_q(accept, type, &tpos);
	/* the type must be asked for by name: "* / *" alone means a
	 * browser-like client that gets the page */
	if (tpos < 0 || tq <= 0)
		return 0;
	hq = accept_q(accept, "text/html", &hpos);
	if (hq > tq)
		return 0;
	if (hq == tq && hpos >= 0 && hpos < tpos)
		return 0;
	return 1;
}
