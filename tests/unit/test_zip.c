/*
 * test_zip.c - the ZIP writer (src/zip.c): stored entries readable back
 * from the central directory, CRC-32 as zlib computes it, the same bytes
 * for the same files, the ZIP64 end records past 65,535 entries, and the
 * archives read by Python's zipfile.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "harness.h"
#include "zip.h"

static uint32_t
rd16(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t
rd32(const unsigned char *p)
{
	return rd16(p) | rd16(p + 2) << 16;
}

/* An archive of n entries "fN.txt" holding "data N", in memory. */
static unsigned char *
make(int n, size_t *len)
{
	struct ocop_error err = {0};
	char *buf = NULL, name[32], data[32];
	FILE *f = open_memstream(&buf, len);
	struct zip *z = zip_new(f);
	int rc = 0;

	for (int i = 0; i < n && rc == 0; i++) {
		snprintf(name, sizeof(name), "f%d.txt", i);
		snprintf(data, sizeof(data), "data %d", i);
		rc = zip_add(z, name, data, strlen(data), &err);
	}
	if (rc == 0)
		rc = zip_finish(z, &err);
	CHECK_INT(rc, 0);
	zip_free(z);
	fclose(f);
	return (unsigned char *)buf;
}

/* Python's zipfile reads the archive and finds n entries, all intact. */
static int
python_reads(const unsigned char *data, size_t len, int n)
{
	char path[] = "/tmp/ocop-test-zip-XXXXXX", cmd[512];
	int fd = mkstemp(path), rc;

	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		return -1;
	close(fd);
	snprintf(cmd, sizeof(cmd),
		 "/usr/bin/python3 -c 'import zipfile,sys; "
		 "z=zipfile.ZipFile(sys.argv[1]); "
		 "assert z.testzip() is None; assert len(z.namelist())==%d; "
		 "assert z.read(\"f1.txt\")==b\"data 1\"' %s",
		 n, path);
	rc = system(cmd);
	unlink(path);
	return rc;
}

int
main(void)
{
	size_t len, len2, n;
	unsigned char *a, *b, *eocd;
	uint32_t crc;

	TEST("zip: stored entries, CRC-32, the central directory");
	a = make(3, &len);
	CHECK(a && len > 22);
	if (a && len > 22) {
		CHECK_INT(rd32(a), 0x04034b50);
		CHECK_INT(rd16(a + 8), 0); /* stored */
		crc = (uint32_t)crc32(0, (const Bytef *)"data 0", 6);
		CHECK_INT(rd32(a + 14), crc);
		CHECK_INT(rd32(a + 18), 6);
		CHECK(memcmp(a + 30, "f0.txt", 6) == 0);
		eocd = a + len - 22;
		CHECK_INT(rd32(eocd), 0x06054b50);
		CHECK_INT(rd16(eocd + 10), 3);
		n = rd32(eocd + 16); /* the central directory's offset */
		CHECK_INT(rd32(a + n), 0x02014b50);
		CHECK_INT(rd32(a + n + 16), crc);
		CHECK_INT(python_reads(a, len, 3), 0);
	}

	TEST("zip: the same files make the same archive");
	b = make(3, &len2);
	CHECK(len == len2 && a && b && memcmp(a, b, len) == 0);
	free(a);
	free(b);

	TEST("zip: 70,000 entries get the ZIP64 end records");
	a = make(70000, &len);
	CHECK(a && len > 98);
	if (a && len > 98) {
		eocd = a + len - 22;
		CHECK_INT(rd32(eocd), 0x06054b50);
		CHECK_INT(rd16(eocd + 10), 0xFFFF);
		CHECK_INT(rd32(eocd - 20), 0x07064b50); /* the locator */
		CHECK_INT(rd32(eocd - 20 - 56), 0x06064b50);
		CHECK_INT(python_reads(a, len, 70000), 0);
	}
	free(a);
	return harness_done();
}
