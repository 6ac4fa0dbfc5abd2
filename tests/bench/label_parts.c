/*
 * label_parts DIR [N]: what one PNG label costs, part by part, on one
 * thread: the URL, the QR symbol (libqrencode), the PNG (libpng), and
 * creating, writing and closing its file in a new directory inside DIR;
 * then one syncfs for them all. CPU time of this thread (so another
 * process running meanwhile does not count), microseconds a label, for N
 * labels (default 5,000) with the URLs of tests/bench/labels.sh.
 *
 * The sum over the number of cores is the least wall time a label can
 * take when every part runs in parallel and nothing else costs anything:
 * labels.sh divides the naive time by it to show the highest ratio the
 * parts allow.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "label.h"
#include "ocop.h"
#include "qr.h"
#include "render_png.h"

#define URL_MAX 256

static double
cpu_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double
wall_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int
main(int argc, char **argv)
{
	struct qr_symbol q;
	struct render_png png;
	struct ocop_error err = {0};
	char (*serials)[OCOP_SERIAL_LEN + 1], (*urls)[URL_MAX];
	char dir[4096], name[OCOP_SERIAL_LEN + 8];
	double t, url_s, qr_s = 0, png_s = 0, file_s = 0, sync_s;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	size_t bytes = 0;
	int n = argc > 2 ? atoi(argv[2]) : 5000, dirfd;

	if (argc < 2 || n < 1) {
		fprintf(stderr, "usage: label_parts DIR [N]\n");
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s/parts", argv[1]);
	if (mkdir(dir, 0755) < 0 ||
	    (dirfd = open(dir, O_RDONLY | O_DIRECTORY)) < 0) {
		perror(dir);
		return 1;
	}
	serials = ocop_xmalloc((size_t)n * sizeof(*serials));
	urls = ocop_xmalloc((size_t)n * sizeof(*urls));
	for (int i = 0; i < n; i++)
		ocop_serial_new(serials[i]);
	qr_symbol_init(&q);
	render_png_init(&png);

	t = cpu_now();
	for (int i = 0; i < n; i++)
		label_url("http://localhost:8080", "08930000000019", "L2406A",
			  serials[i], urls[i], URL_MAX);
	url_s = cpu_now() - t;
	for (int i = 0; i < n; i++) {
		int fd;

		t = cpu_now();
		if (qr_encode(urls[i], &q, &err) < 0) {
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
		qr_s += cpu_now() - t;
		t = cpu_now();
		if (render_png_encode(&png, &q, 8, 600, &err) < 0) {
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
		png_s += cpu_now() - t;
		bytes += png.out.len;
		snprintf(name, sizeof(name), "%s.png", serials[i]);
		t = cpu_now();
		fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0 ||
		    write(fd, png.out.data, png.out.len) !=
			    (ssize_t)png.out.len ||
		    close(fd) < 0) {
			perror(name);
			return 1;
		}
		file_s += cpu_now() - t;
	}
	t = wall_now();
	syncfs(dirfd);
	sync_s = wall_now() - t;

	printf("parts of one PNG label, CPU us on one thread (%d labels, "
	       "QR version %d, %zu-byte PNGs):\n",
	       n, q.version, bytes / (size_t)n);
	printf("  URL %.1f, QR %.1f, PNG %.1f, file %.1f: sum %.1f us; "
	       "syncfs %.1f us wall\n",
	       url_s / n * 1e6, qr_s / n * 1e6, png_s / n * 1e6,
	       file_s / n * 1e6, (url_s + qr_s + png_s + file_s) / n * 1e6,
	       sync_s / n * 1e6);
	printf("least wall a label on %ld cores: %.1f us (QR alone: %.1f)\n",
	       cores, (url_s + qr_s + png_s + file_s) / n * 1e6 / (double)cores,
	       qr_s / n * 1e6 / (double)cores);
	if (file_s / n > 100e-6)
		printf("note: creating a file took %.0f us, not ~25, as in the "
		       "minutes after thousands of files are deleted nearby: "
		       "every file of this run pays for it\n",
		       file_s / n * 1e6);
	close(dirfd);
	qr_symbol_release(&q);
	render_png_release(&png);
	free(serials);
	free(urls);
	return 0;
}
