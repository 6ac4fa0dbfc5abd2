/*
 * zip.c - a ZIP archive of stored entries (see zip.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "zip.h"

#define ZIP_MAX_OFFSET 0xFFFFFFFFu

struct zip_entry {
	char *name;
	uint32_t crc, size, offset;
};

struct zip {
	FILE *f;
	struct zip_entry *e;
	size_t n, cap;
	uint64_t at; /* bytes written */
	int failed;
};

struct zip *
zip_new(FILE *f)
{
	struct zip *z = ocop_xcalloc(1, sizeof(*z));

	z->f = f;
	return z;
}

void
zip_free(struct zip *z)
{
	if (!z)
		return;
	for (size_t i = 0; i < z->n; i++)
		free(z->e[i].name);
	free(z->e);
	free(z);
}

/* Little-endian fields into a header being built. */
static unsigned char *
le16(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	return p + 2;
}

static unsigned char *
le32(unsigned char *p, uint32_t v)
{
	p = le16(p, v & 0xFFFF);
	return le16(p, v >> 16);
}

static unsigned char *
le64(unsigned char *p, uint64_t v)
{
	p = le32(p, (uint32_t)v);
	return le32(p, (uint32_t)(v >> 32));
}

static int
put(struct zip *z, const void *p, size_t n, struct ocop_error *err)
{
	if (z->failed || (n && fwrite(p, 1, n, z->f) != n)) {
		z->failed = 1;
		return ocop_error_set(err, OCOP_EOUTPUT,
				      "cannot write the archive");
	}
	z->at += n;
	return 0;
}

/* The fixed time of every entry (1980-01-01 00:00, DOS form): the same
 * files make the same archive. */
#define DOS_TIME 0
#define DOS_DATE ((0 << 9) | (1 << 5) | 1)

int
zip_add(struct zip *z, const char *name, const void *data, size_t len,
	struct ocop_error *err)
{
	unsigned char h[30], *p = h;
	size_t nlen = strlen(name);
	struct zip_entry *e;
	int rc;

	if (len > ZIP_MAX_OFFSET || z->at + 30 + nlen + len > ZIP_MAX_OFFSET)
		return ocop_error_set(err, OCOP_ETOOBIG,
				      "archive over 4 GiB: '%s'", name);
	if (z->n == z->cap) {
		z->cap = z->cap ? z->cap * 2 : 256;
		z->e = ocop_xrealloc(z->e, z->cap * sizeof(*z->e));
	}
	e = &z->e[z->n];
	e->crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), data, (uInt)len);
	e->size = (uint32_t)len;
	e->offset = (uint32_t)z->at;
	p = le32(p, 0x04034b50);
	p = le16(p, 20);       /* version needed: 2.0 */
	p = le16(p, 1u << 11); /* names in UTF-8 */
	p = le16(p, 0);	       /* stored */
	p = le16(p, DOS_TIME);
	p = le16(p, DOS_DATE);
	p = le32(p, e->crc);
	p = le32(p, e->size);
	p = le32(p, e->size);
	p = le16(p, (uint32_t)nlen);
	le16(p, 0);
	if ((rc = put(z, h, sizeof(h), err)) < 0 ||
	    (rc = put(z, name, nlen, err)) < 0 ||
	    (rc = put(z, data, len, err)) < 0)
		return rc;
	e->name = ocop_xstrdup(name);
	z->n++;
	return 0;
}

int
zip_finish(struct zip *z, struct ocop_error *err)
{
	unsigned char h[56], *p;
	uint64_t cd_start = z->at, cd_size, eocd64;
	int rc, big = z->n >= 0xFFFF;

	for (size_t i = 0; i < z->n; i++) {
		const struct zip_entry *e = &z->e[i];
		size_t nlen = strlen(e->name);

		p = h;
		p = le32(p, 0x02014b50);
		p = le16(p, (3u << 8) | 45); /* made by: Unix, 4.5 */
		p = le16(p, 20);
		p = le16(p, 1u << 11);
		p = le16(p, 0);
		p = le16(p, DOS_TIME);
		p = le16(p, DOS_DATE);
		p = le32(p, e->crc);
		p = le32(p, e->size);
		p = le32(p, e->size);
		p = le16(p, (uint32_t)nlen);
		p = le16(p, 0);		     /* extra */
		p = le16(p, 0);		     /* comment */
		p = le16(p, 0);		     /* disk */
		p = le16(p, 0);		     /* internal attributes */
		p = le32(p, 0100644u << 16); /* a regular file, rw-r--r-- */
		le32(p, e->offset);
		if ((rc = put(z, h, 46, err)) < 0 ||
		    (rc = put(z, e->name, nlen, err)) < 0)
			return rc;
	}
	cd_size = z->at - cd_start;
	if (cd_start > ZIP_MAX_OFFSET || cd_size > ZIP_MAX_OFFSET)
		return ocop_error_set(err, OCOP_ETOOBIG, "archive over 4 GiB");
	if (big) {
		/* ZIP64 end of central directory record and its locator */
		eocd64 = z->at;
		p = h;
		p = le32(p, 0x06064b50);
		p = le64(p, 44); /* the record's size after this field */
		p = le16(p, (3u << 8) | 45);
		p = le16(p, 45);
		p = le32(p, 0);
		p = le32(p, 0);
		p = le64(p, z->n);
		p = le64(p, z->n);
		p = le64(p, cd_size);
		le64(p, cd_start);
		if ((rc = put(z, h, 56, err)) < 0)
			return rc;
		p = h;
		p = le32(p, 0x07064b50);
		p = le32(p, 0);
		p = le64(p, eocd64);
		le32(p, 1);
		if ((rc = put(z, h, 20, err)) < 0)
			return rc;
	}
	p = h;
	p = le32(p, 0x06054b50);
	p = le16(p, 0);
	p = le16(p, 0);
	p = le16(p, big ? 0xFFFF : (uint32_t)z->n);
	p = le16(p, big ? 0xFFFF : (uint32_t)z->n);
	p = le32(p, (uint32_t)cd_size);
	p = le32(p, (uint32_t)cd_start);
	le16(p, 0);
	if ((rc = put(z, h, 22, err)) < 0)
		return rc;
	if (fflush(z->f) != 0) {
		z->failed = 1;
		return ocop_error_set(err, OCOP_EOUTPUT,
				      "cannot write the archive");
	}
	return 0;
}
