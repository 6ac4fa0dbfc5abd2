/*
 * http_client.c - outgoing requests over libcurl (see http_client.h).
 */
#include <curl/curl.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>

#include "http_client.h"

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc;

static void
global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

void
http_client_resp_init(struct http_client_resp *r)
{
	r->status = 0;
	r->content_type[0] = '\0';
	ocop_buf_init(&r->body, 0);
}

void
http_client_resp_release(struct http_client_resp *r)
{
	ocop_buf_release(&r->body);
}

struct sink {
	struct ocop_buf *buf;
	int too_big;
};

static size_t
on_data(char *p, size_t size, size_t n, void *ctx)
{
	struct sink *s = ctx;

	/* returning less than given makes curl stop with CURLE_WRITE_ERROR */
	if (ocop_buf_add(s->buf, p, size * n) < 0) {
		s->too_big = 1;
		return 0;
	}
	return size * n;
}

int
http_client_is_loopback(const char *url)
{
	const char *h, *end;
	size_t n;

	if (strncasecmp(url, "http://", 7) != 0)
		return 0;
	h = url + 7;
	if (strncmp(h, "[::1]", 5) == 0) {
		end = h + 5;
	} else {
		end = h + strcspn(h, ":/?#");
		n = (size_t)(end - h);
		if (!(n == 9 && strncasecmp(h, "localhost", 9) == 0) &&
		    !(n >= 9 && n <= 15 && strncmp(h, "127.", 4) == 0 &&
		      strspn(h, "0123456789.") == n))
			return 0;
	}
	return *end == '\0' || *end == ':' || *end == '/' || *end == '?';
}

int
http_client_fetch(const struct http_client_req *req,
		  struct http_client_resp *resp, struct ocop_error *err)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *hdrs = NULL;
	struct sink sink = {&resp->body, 0};
	const char *method = req->method ? req->method : "GET";
	int post = strcmp(method, "POST") == 0;
	char line[256];
	char *ctype = NULL;
	CURLcode cc;
	CURL *c;
	int rc = 0;

	if (strncasecmp(req->url, "http://", 7) != 0 &&
	    strncasecmp(req->url, "https://", 8) != 0)
		return ocop_error_set(err, OCOP_EINVAL,
				      "invalid URL '%.200s': must start with "
				      "http:// or https://",
				      req->url);
	if (!post && strcmp(method, "GET") != 0)
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "http client: unsupported method '%s'",
				      method);
	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK)
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "cannot initialise libcurl: %s",
				      curl_easy_strerror(global_rc));
	c = curl_easy_init();
	if (!c)
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "cannot initialise libcurl");
	ocop_buf_release(&resp->body);
	ocop_buf_init(&resp->body, req->max_size ? req->max_size
						 : HTTP_CLIENT_MAX_SIZE);
	resp->status = 0;
	resp->content_type[0] = '\0';

	curl_easy_setopt(c, CURLOPT_URL, req->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	/* a redirect never downgrades https to plain http */
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR,
			 strncasecmp(req->url, "https://", 8) == 0
				 ? "https"
				 : "http,https");
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
			 req->timeout_ms ? req->timeout_ms
					 : HTTP_CLIENT_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
			 req->connect_timeout_ms
				 ? req->connect_timeout_ms
				 : HTTP_CLIENT_CONNECT_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
			 (curl_off_t)resp->body.max);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "ocop/1");
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
	if (req->follow_redirects && !post) {
		curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	}
	if (req->bearer) {
		/* curl keeps its own copy and sends it only to this host */
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
		curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, req->bearer);
	}
	if (req->accept) {
		snprintf(line, sizeof(line), "Accept: %s", req->accept);
		hdrs = curl_slist_append(hdrs, line);
	}
	if (post) {
		snprintf(line, sizeof(line), "Content-Type: %s",
			 req->content_type ? req->content_type
					   : "application/octet-stream");
		hdrs = curl_slist_append(hdrs, line);
		/* no 100-continue round trip for small bodies */
		hdrs = curl_slist_append(hdrs, "Expect:");
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS,
				 req->body ? req->body : "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)(req->body ? req->body_len : 0));
	}
	if (hdrs)
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);

	cc = curl_easy_perform(c);
	if (sink.too_big || cc == CURLE_FILESIZE_EXCEEDED) {
		rc = ocop_error_set(err, OCOP_ETOOBIG,
				    "answer from '%.200s' is larger than %zu "
				    "bytes",
				    req->url, resp->body.max);
		goto out;
	}
	if (cc != CURLE_OK) {
		rc = ocop_error_set(err, OCOP_EUNREACH,
				    "cannot reach '%.200s': %s", req->url,
				    errbuf[0] ? errbuf
					      : curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
	if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ctype) == CURLE_OK &&
	    ctype)
		ocop_strlcpy(resp->content_type, ctype,
			     sizeof(resp->content_type));
	/* an empty body still reads as "" */
	ocop_buf_add(&resp->body, "", 0);
out:
	if (rc < 0)
		ocop_buf_release(&resp->body);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	return rc;
}
