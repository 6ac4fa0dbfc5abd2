/*
 * test_http_client.c - the libcurl client against a small server thread on
 * loopback: request shape, bearer token, size cap, timeouts, refusals.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "harness.h"
#include "http_client.h"

enum mode { ECHO, BIG_LENGTH, BIG_STREAM, SILENT };

struct server {
	int fd;
	int port;
	enum mode mode;
	pthread_t thread;
};

/* Read the request head and its Content-Length body into buf. */
static size_t
read_request(int c, char *buf, size_t size)
{
	size_t n = 0, want = 0;
	char *head_end = NULL;

	while (n + 1 < size) {
		ssize_t r = read(c, buf + n, size - n - 1);

		if (r <= 0)
			break;
		n += (size_t)r;
		buf[n] = '\0';
		if (!head_end && (head_end = strstr(buf, "\r\n\r\n"))) {
			const char *cl = strcasestr(buf, "Content-Length:");

			want = (size_t)(head_end + 4 - buf) +
			       (cl && cl < head_end ? strtoul(cl + 15, NULL, 10)
						    : 0);
		}
		if (head_end && n >= want)
			break;
	}
	buf[n] = '\0';
	return n;
}

static void
write_all(int c, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(c, p, n, MSG_NOSIGNAL);

		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void *
serve_one(void *arg)
{
	struct server *s = arg;
	char req[8192], head[256];
	int c = accept(s->fd, NULL, NULL);

	if (c < 0)
		return NULL;
	read_request(c, req, sizeof(req));
	if (s->mode == ECHO) {
		/* the whole request back, so the test can look at it */
		snprintf(head, sizeof(head),
			 "HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
			 strlen(req));
		write_all(c, head, strlen(head));
		write_all(c, req, strlen(req));
	} else if (s->mode == BIG_LENGTH || s->mode == BIG_STREAM) {
		char chunk[1000];

		memset(chunk, 'x', sizeof(chunk));
		if (s->mode == BIG_LENGTH)
			snprintf(head, sizeof(head),
				 "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n"
				 "Connection: close\r\n\r\n");
		else
			snprintf(head, sizeof(head),
				 "HTTP/1.1 200 OK\r\n"
				 "Connection: close\r\n\r\n");
		write_all(c, head, strlen(head));
		for (int i = 0; i < 5; i++)
			write_all(c, chunk, sizeof(chunk));
	} else {
		/* SILENT: hold the connection until the client gives up */
		while (read(c, req, sizeof(req)) > 0)
			;
	}
	close(c);
	return NULL;
}

static void
server_start(struct server *s, enum mode mode)
{
	struct sockaddr_in a = {0};
	socklen_t len = sizeof(a);
	struct timeval tv = {5, 0};
	int one = 1;

	s->mode = mode;
	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* a client that never comes must not hang the test */
	setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s->fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(s->fd, 4) < 0 ||
	    getsockname(s->fd, (struct sockaddr *)&a, &len) < 0) {
		perror("test server");
		exit(1);
	}
	s->port = ntohs(a.sin_port);
	pthread_create(&s->thread, NULL, serve_one, s);
}

static void
server_stop(struct server *s)
{
	pthread_join(s->thread, NULL);
	close(s->fd);
}

static void
test_post(void)
{
	struct http_client_req req = {0};
	struct http_client_resp resp;
	struct ocop_error err = {0};
	struct server s;
	char url[64];
	int rc;

	TEST("post sends method, token, content type and body");
	server_start(&s, ECHO);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/api/v1/scans", s.port);
	req.method = "POST";
	req.url = url;
	req.bearer = "tok-123";
	req.content_type = "application/json";
	req.accept = "application/json";
	req.body = "{\"scans\":[]}";
	req.body_len = strlen(req.body);
	http_client_resp_init(&resp);
	rc = http_client_fetch(&req, &resp, &err);
	CHECK_INT(rc, 0);
	CHECK_INT(resp.status, 201);
	CHECK_STR(resp.content_type, "text/plain");
	CHECK(resp.body.data &&
	      strncmp(resp.body.data, "POST /api/v1/scans HTTP/1.1", 27) ==
		      0);
	CHECK(resp.body.data &&
	      strstr(resp.body.data, "Authorization: Bearer tok-123\r\n"));
	CHECK(resp.body.data &&
	      strstr(resp.body.data, "Content-Type: application/json\r\n"));
	CHECK(resp.body.data &&
	      strstr(resp.body.data, "Accept: application/json\r\n"));
	CHECK(resp.body.data && !strstr(resp.body.data, "Expect:"));
	CHECK(resp.body.data &&
	      strstr(resp.body.data, "\r\n\r\n{\"scans\":[]}"));
	http_client_resp_release(&resp);
	server_stop(&s);
}

static void
test_get_no_token(void)
{
	struct http_client_req req = {0};
	struct http_client_resp resp;
	struct ocop_error err = {0};
	struct server s;
	char url[64];

	TEST("get without a token sends no Authorization");
	server_start(&s, ECHO);
	snprintf(url, sizeof(url), "http://localhost:%d/r.csv", s.port);
	req.url = url;
	http_client_resp_init(&resp);
	CHECK_INT(http_client_fetch(&req, &resp, &err), 0);
	CHECK(resp.body.data &&
	      strncmp(resp.body.data, "GET /r.csv ", 11) == 0);
	CHECK(resp.body.data && !strstr(resp.body.data, "Authorization"));
	http_client_resp_release(&resp);
	server_stop(&s);
}

static void
test_cap(enum mode mode, const char *name)
{
	struct http_client_req req = {0};
	struct http_client_resp resp;
	struct ocop_error err = {0};
	struct server s;
	char url[64];

	TEST(name);
	server_start(&s, mode);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/big", s.port);
	req.url = url;
	req.max_size = 1000;
	http_client_resp_init(&resp);
	CHECK_INT(http_client_fetch(&req, &resp, &err), OCOP_ETOOBIG);
	CHECK(strstr(err.msg, "larger than 1000 bytes") != NULL);
	CHECK(resp.body.len == 0);
	http_client_resp_release(&resp);
	server_stop(&s);

	/* the same answer fits a larger cap */
	server_start(&s, mode);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/big", s.port);
	req.max_size = 5000;
	http_client_resp_init(&resp);
	CHECK_INT(http_client_fetch(&req, &resp, &err), 0);
	CHECK_INT(resp.body.len, 5000);
	http_client_resp_release(&resp);
	server_stop(&s);
}

static void
test_timeout(void)
{
	struct http_client_req req = {0};
	struct http_client_resp resp;
	struct ocop_error err = {0};
	struct server s;
	char url[64];

	TEST("a server that never answers gives EUNREACH");
	server_start(&s, SILENT);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", s.port);
	req.url = url;
	req.timeout_ms = 200;
	http_client_resp_init(&resp);
	CHECK_INT(http_client_fetch(&req, &resp, &err), OCOP_EUNREACH);
	CHECK(strstr(err.msg, "timed out") != NULL);
	http_client_resp_release(&resp);
	server_stop(&s);
}

static void
test_refused(void)
{
	struct http_client_req req = {0};
	struct http_client_resp resp;
	struct ocop_error err = {0};
	struct sockaddr_in a = {0};
	socklen_t len = sizeof(a);
	char url[64];
	int fd;

	TEST("a closed port gives EUNREACH with curl's reason");
	/* a port that was free a moment ago and has no listener */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, (struct sockaddr *)&a, sizeof(a));
	getsockname(fd, (struct sockaddr *)&a, &len);
	close(fd);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", ntohs(a.sin_port));
	req.url = url;
	http_client_resp_init(&resp);
	CHECK_INT(http_client_fetch(&req, &resp, &err), OCOP_EUNREACH);
	CHECK(strstr(err.msg, "cannot reach 'http://127.0.0.1:") != NULL);
	CHECK(strstr(err.msg, "onnect") != NULL);
	http_client_resp_release(&resp);

	TEST("only http and https");
	req.url = "ftp://127.0.0.1/x";
	http_client_resp_init(&resp);
	CHECK_INT(http_client_fetch(&req, &resp, &err), OCOP_EINVAL);
	req.url = "file:///etc/passwd";
	CHECK_INT(http_client_fetch(&req, &resp, &err), OCOP_EINVAL);
	http_client_resp_release(&resp);
}

static void
test_loopback(void)
{
	TEST("http_client_is_loopback");
	CHECK_INT(http_client_is_loopback("http://127.0.0.1:8080/r.csv"), 1);
	CHECK_INT(http_client_is_loopback("http://127.1.2.3/"), 1);
	CHECK_INT(http_client_is_loopback("http://localhost"), 1);
	CHECK_INT(http_client_is_loopback("HTTP://LOCALHOST:80/x"), 1);
	CHECK_INT(http_client_is_loopback("http://[::1]:8080/x"), 1);
	CHECK_INT(http_client_is_loopback("https://127.0.0.1/"), 0);
	CHECK_INT(http_client_is_loopback("http://127.0.0.1.evil.com/"), 0);
	CHECK_INT(http_client_is_loopback("http://localhost.evil.com/"), 0);
	CHECK_INT(http_client_is_loopback("http://127.0.0.1@evil.com/"), 0);
	CHECK_INT(http_client_is_loopback("http://example.com/"), 0);
	CHECK_INT(http_client_is_loopback("http://10.0.0.1/"), 0);
}

int
main(void)
{
	test_post();
	test_get_no_token();
	test_cap(BIG_LENGTH, "body over the cap (Content-Length) is refused");
	test_cap(BIG_STREAM, "body over the cap (no length) is refused");
	test_timeout();
	test_refused();
	test_loopback();
	return harness_done();
}
