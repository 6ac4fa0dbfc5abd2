/*
 * util.c - errors, allocation, capped buffers, embedded assets and
 * directories.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "assets.h"
#include "ocop.h"

int
ocop_error_set(struct ocop_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		err->code = code;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return code;
}

int
ocop_error_prefix(struct ocop_error *err, const char *fmt, ...)
{
	struct ocop_buf b;
	char pre[256];
	va_list ap;

	if (!err)
		return OCOP_EINTERNAL;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	ocop_buf_init(&b, 0);
	ocop_buf_adds(&b, pre);
	ocop_buf_adds(&b, ": ");
	ocop_buf_adds(&b, err->msg);
	ocop_strlcpy(err->msg, b.data, sizeof(err->msg));
	ocop_buf_release(&b);
	return err->code;
}

int
ocop_exit_code(int code)
{
	switch (code) {
	case OCOP_OK:
		return 0;
	case OCOP_EINVAL:
	case OCOP_ENOENT:
	case OCOP_EEXIST:
	case OCOP_EREFUSED:
	case OCOP_EMISTYPED:
	case OCOP_ETOOBIG:
	case OCOP_EAUTH:
	case OCOP_EFORBID:
		return 65;
	case OCOP_ENOINPUT:
		return 66;
	case OCOP_EOUTPUT:
		return 73;
	case OCOP_EUNREACH:
		return 69;
	case OCOP_EUSAGE:
		return 64;
	case OCOP_EBUSY:
		return 75;
	default:
		return 70;
	}
}

static void __attribute__((noreturn))
oom(size_t n)
{
	fprintf(stderr, "ocop: out of memory (%zu bytes)\n", n);
	abort();
}

void *
ocop_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom(n);
	return p;
}

void *
ocop_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom(n * size);
	return p;
}

void *
ocop_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		oom(n);
	return q;
}

char *
ocop_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(ocop_xmalloc(n), s, n);
}

const char *
ocop_test_env(const char *name)
{
#ifdef OCOP_TEST_HOOKS
	return getenv(name);
#else
	(void)name;
	return NULL;
#endif
}

int
ocop_strlcpy(char *dst, const char *src, size_t n)
{
	size_t len = strlen(src);

	if (n == 0)
		return -1;
	if (len >= n) {
		memcpy(dst, src, n - 1);
		dst[n - 1] = '\0';
		return -1;
	}
	memcpy(dst, src, len + 1);
	return 0;
}

void
ocop_buf_init(struct ocop_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max ? max : (size_t)64 << 20;
}

void
ocop_buf_release(struct ocop_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

int
ocop_buf_add(struct ocop_buf *b, const void *p, size_t n)
{
	size_t cap;

	if (n > b->max || b->len > b->max - n)
		return OCOP_ETOOBIG;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		b->data = ocop_xrealloc(b->data, cap);
		b->cap = cap;
	}
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
ocop_buf_adds(struct ocop_buf *b, const char *s)
{
	return ocop_buf_add(b, s, strlen(s));
}

int
ocop_buf_addf(struct ocop_buf *b, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	int n, rc;
	char *big;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return OCOP_EINTERNAL;
	if ((size_t)n < sizeof(small))
		return ocop_buf_add(b, small, (size_t)n);
	big = ocop_xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	rc = ocop_buf_add(b, big, (size_t)n);
	free(big);
	return rc;
}

int
ocop_buf_add_html(struct ocop_buf *b, const char *s)
{
	const char *start = s;
	const char *rep;
	int rc;

	for (; *s; s++) {
		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		if ((rc = ocop_buf_add(b, start, (size_t)(s - start))) < 0 ||
		    (rc = ocop_buf_adds(b, rep)) < 0)
			return rc;
		start = s + 1;
	}
	return ocop_buf_add(b, start, (size_t)(s - start));
}

char *
ocop_buf_detach(struct ocop_buf *b, size_t *len)
{
	char *p = b->data;

	if (!p)
		p = ocop_xcalloc(1, 1);
	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

const struct ocop_asset *
assets_find(const char *name)
{
	const struct ocop_asset *a;

	for (a = ocop_assets; a->name; a++)
		if (strcmp(a->name, name) == 0)
			return a;
	return NULL;
}

/* ---- directories ---------------------------------------------------- */

/* The length of path without trailing slashes (at least 1 for "/"). */
static size_t
trimmed_len(const char *path)
{
	size_t n = strlen(path);

	while (n > 1 && path[n - 1] == '/')
		n--;
	return n;
}

int
ocop_mkdirs(const char *path, int *made, struct ocop_error *err)
{
	char buf[PATH_MAX];
	size_t n = trimmed_len(path), i;
	int count = 0;

	if (made)
		*made = 0;
	if (n == 0 || n >= sizeof(buf))
		return ocop_error_set(
		    err, OCOP_EOUTPUT, "cannot create directory '%s': %s", path,
		    n ? strerror(ENAMETOOLONG) : "empty name");
	memcpy(buf, path, n);
	buf[n] = '\0';
	/* each prefix ending before a slash, then the whole path */
	for (i = 1; i <= n; i++) {
		if (i < n && buf[i] != '/')
			continue;
		if (i < n && buf[i - 1] == '/')
			continue; /* "a//b" */
		buf[i] = '\0';
		if (mkdir(buf, 0777) == 0)
			count++;
		else if (errno != EEXIST) {
			int e = errno;

			if (made)
				*made = count;
			return ocop_error_set(err, OCOP_EOUTPUT,
					      "cannot create directory '%s': "
					      "%s",
					      buf, strerror(e));
		}
		if (i < n)
			buf[i] = '/';
	}
	if (made)
		*made = count;
	return 0;
}

void
ocop_rmdirs(const char *path, int made)
{
	char buf[PATH_MAX];
	size_t n = trimmed_len(path);
	char *slash;

	if (n >= sizeof(buf))
		return;
	memcpy(buf, path, n);
	buf[n] = '\0';
	for (; made > 0; made--) {
		if (rmdir(buf) < 0)
			return;
		if (!(slash = strrchr(buf, '/')))
			return;
		while (slash > buf && slash[-1] == '/')
			slash--;
		*slash = '\0';
	}
}
