/*
 * label.c - label content (base URL, QR URL) and the issuing of batches.
 *
 * A batch is all or nothing, on disk and in the database. The files are
 * written into a hidden temporary directory, with no database lock held
 * (rendering a large batch takes a while and the server keeps writing scans
 * meanwhile); then synced; then the batch and its label rows are inserted
 * and committed in one transaction (a million rows take ~2 s); only then
 * are the files put into place. When --out does not exist yet, the hidden
 * directory is made beside it and becomes --out by one rename; otherwise
 * it is made inside --out and each file is renamed out of it (~15-40 us a
 * file, the cost of a 5,000-file batch doubling). A failure or a signal
 * before the commit removes the temporary files and stores nothing; a
 * process killed outright leaves at most the hidden directory and no rows.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "label.h"
#include "qr.h"
#include "registry.h"
#include "render_pdf.h"
#include "render_png.h"
#include "render_svg.h"

int
label_base_url_normalize(const char *in, char *out, size_t size,
			 struct ocop_error *err)
{
	const char *host;
	size_t n, i;
	int colon = 0;

	if (strncasecmp(in, "http://", 7) == 0)
		host = in + 7;
	else if (strncasecmp(in, "https://", 8) == 0)
		host = in + 8;
	else
		return ocop_error_set(err, OCOP_EINVAL,
				      "invalid base URL '%s': must start with "
				      "http:// or https://",
				      in);
	n = strlen(in);
	if (n && in[n - 1] == '/')
		n--;
	if ((size_t)(host - in) >= n)
		goto bad;
	for (i = (size_t)(host - in); i < n; i++) {
		unsigned char ch = (unsigned char)in[i];

		if (ch == ':') {
			if (colon++)
				goto bad;
		} else if (colon && !isdigit(ch)) {
			goto bad;
		} else if (!colon && !isalnum(ch) && ch != '.' && ch != '-') {
			goto bad;
		}
	}
	if (in[n - 1] == ':' || n + 1 > size)
		goto bad;
	for (i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[n] = '\0';
	return 0;
bad:
	return ocop_error_set(err, OCOP_EINVAL,
			      "invalid base URL '%s': expected "
			      "scheme://host[:port] with no path",
			      in);
}

int
label_url(const char *base, const char *gtin14, const char *lot,
	  const char *serial, char *out, size_t size)
{
	int n;

	if (gtin14 && *gtin14) {
		if (lot && *lot)
			n = snprintf(out, size, "%s/01/%s/10/%s/21/%s", base,
				     gtin14, lot, serial);
		else
			n = snprintf(out, size, "%s/01/%s/21/%s", base, gtin14,
				     serial);
	} else {
		n = snprintf(out, size, "%s/L/%s", base, serial);
	}
	if (n < 0 || (size_t)n >= size)
		return -1;
	for (char *p = out; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return n;
}

int
label_format_parse(const char *s, enum label_format *f,
		   struct ocop_error *err)
{
	static const char *const names[] = {"pdf", "png", "svg", "csv"};

	for (int i = 0; i < 4; i++) {
		if (strcasecmp(s, names[i]) == 0) {
			*f = (enum label_format)i;
			return 0;
		}
	}
	return ocop_error_set(err, OCOP_EINVAL,
			      "invalid format '%s': expected pdf, png, svg "
			      "or csv",
			      s);
}

void
label_issue_opts_init(struct label_issue_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->made_on = OCOP_NO_DAY;
	o->best_before = OCOP_NO_DAY;
	o->format = LABEL_FORMAT_PDF;
	o->size_mm = 30;
	o->module_px = 8;
	o->dpi = 600;
}

#define URL_MAX 256
#define MAX_WORKERS 8
#define COLLISION_RETRIES 4

struct issue {
	const struct label_issue_opts *o;
	struct ocop_product product;
	int stars;
	char base[256];
	char lot[21];
	char (*serials)[OCOP_SERIAL_LEN + 1];
	char tmp[PATH_MAX]; /* the temporary directory */
	int tmpfd, outfd;
	/* --out was missing: the temporary directory, made in parentfd,
	 * becomes --out (out_name there) by one rename */
	int whole, parentfd;
	char out_name[NAME_MAX + 1], tmp_name[NAME_MAX + 1];
	/* the missing parents of --out made for it (SPEC 4), removed again
	 * when the batch fails */
	char parent[PATH_MAX];
	int made_parents;
	long fail_after; /* test hooks, -1 when off */
	long fail_rows;
	atomic_int stop;     /* a worker failed: the others stop */
	atomic_long written; /* label files written */
	atomic_int next;     /* the next label for a worker to take */
	atomic_int rendered; /* every worker is done */
};

static int
canceled(const struct issue *is)
{
	return is->o->cancel && *is->o->cancel;
}

static int
cancel_error(struct ocop_error *err)
{
	return ocop_error_set(err, OCOP_EINTERNAL,
			      "interrupted: no label was issued");
}

static int
io_error(struct ocop_error *err, int e, const char *what, const char *dir,
	 const char *name)
{
	int code = OCOP_EOUTPUT;

	return ocop_error_set(err, code, "cannot %s '%s/%s': %s", what, dir,
			      name, strerror(e));
}

/* Write a whole file into dirfd (no fsync: files are synced together at
 * the end, see sync_tmp). */
static int
write_file(struct issue *is, int dirfd, const char *name, const void *data,
	   size_t len, struct ocop_error *err)
{
	const char *p = data;
	int fd, e;

	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    0644);
	if (fd < 0)
		return io_error(err, errno, "create", is->o->out_dir, name);
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			e = n < 0 ? errno : EIO;
			close(fd);
			return io_error(err, e, "write", is->o->out_dir, name);
		}
		p += n;
		len -= (size_t)n;
	}
	if (close(fd) < 0)
		return io_error(err, errno, "write", is->o->out_dir, name);
	return 0;
}

/* Count one label written; the test hook fails as a full disk would. */
static int
count_written(struct issue *is, struct ocop_error *err)
{
	long n = atomic_fetch_add(&is->written, 1) + 1;

	if (is->fail_after >= 0 && n > is->fail_after)
		return ocop_error_set(err, OCOP_EOUTPUT,
				      "cannot write label %ld: injected "
				      "failure (OCOP_FAIL_AFTER_LABELS)",
				      n);
	return 0;
}

static int
url_of(const struct issue *is, int i, char *url, struct ocop_error *err)
{
	if (label_url(is->base, is->product.gtin, is->lot, is->serials[i], url,
		      URL_MAX) < 0)
		return ocop_error_set(err, OCOP_EINVAL,
				      "label URL too long for base '%s'",
				      is->base);
	return 0;
}

struct worker {
	struct issue *is;
	int rc;
	struct ocop_error err;
};

/* Labels a worker takes at a time: the workers finish together even when
 * one of them is slowed down. */
#define WORKER_CHUNK 32

/*
 * PNG or SVG files, the labels taken WORKER_CHUNK at a time from is->next,
 * in the temporary directory. Two
 * threads creating files in one directory contend on its lock, but less
 * than a second directory costs: 14 us a file against 12, then a rename
 * each (~15 us) to bring them together.
 */
static void *
render_files(void *arg)
{
	struct worker *w = arg;
	struct issue *is = w->is;
	struct qr_symbol q;
	struct render_png png;
	struct ocop_buf svg;
	char url[URL_MAX], name[OCOP_SERIAL_LEN + 8];
	int rc = 0, dirfd = is->tmpfd;

	qr_symbol_init(&q);
	render_png_init(&png);
	ocop_buf_init(&svg, 0);
	for (int i = 0, end = 0; rc == 0; i++) {
		const void *data;
		size_t len;

		if (i == end) {
			i = atomic_fetch_add(&is->next, WORKER_CHUNK);
			if (i >= is->o->count)
				break;
			end = i + WORKER_CHUNK < is->o->count
				      ? i + WORKER_CHUNK
				      : is->o->count;
		}
		if (atomic_load(&is->stop))
			break;
		if (canceled(is)) {
			rc = cancel_error(&w->err);
			break;
		}
		if ((rc = url_of(is, i, url, &w->err)) < 0 ||
		    (rc = qr_encode(url, &q, &w->err)) < 0)
			break;
		if (is->o->format == LABEL_FORMAT_PNG) {
			rc = render_png_encode(&png, &q, is->o->module_px,
					       is->o->dpi, &w->err);
			data = png.out.data;
			len = png.out.len;
			snprintf(name, sizeof(name), "%s.png", is->serials[i]);
		} else {
			rc = render_svg_encode(&q, is->o->module_px, &svg,
					       &w->err);
			data = svg.data;
			len = svg.len;
			snprintf(name, sizeof(name), "%s.svg", is->serials[i]);
		}
		if (rc == 0)
			rc = count_written(is, &w->err);
		if (rc == 0)
			rc = write_file(is, dirfd, name, data, len, &w->err);
	}
	if (rc < 0)
		atomic_store(&is->stop, 1);
	w->rc = rc;
	qr_symbol_release(&q);
	render_png_release(&png);
	ocop_buf_release(&svg);
	return NULL;
}

static int
worker_count(int count)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (count < 256 || n < 2)
		return 1;
	return n > MAX_WORKERS ? MAX_WORKERS : (int)n;
}

/*
 * While the workers write a large batch, start writing its files back to
 * disk every FLUSH_EVERY labels, so that the syncfs before the commit
 * waits only for the last ones (60 ms for 5,000 files all at the end).
 */
#define FLUSH_EVERY 1024

static void *
flush_files(void *arg)
{
	struct issue *is = arg;
	long done = 0, n;

	while (!atomic_load(&is->rendered)) {
		usleep(10000);
		n = atomic_load(&is->written);
		if (n - done >= FLUSH_EVERY) {
			syncfs(is->tmpfd);
			done = n;
		}
	}
	return NULL;
}

static int
render_images(struct issue *is, struct ocop_error *err)
{
	struct worker w[MAX_WORKERS] = {0};
	pthread_t th[MAX_WORKERS], flusher;
	int n = worker_count(is->o->count), started = 0, rc = 0, flushing;

	atomic_store(&is->next, 0);
	atomic_store(&is->rendered, 0);
	for (int k = 0; k < n; k++) {
		w[k].is = is;
		w[k].rc = 0;
		w[k].err.code = 0;
		w[k].err.msg[0] = '\0';
	}
	flushing = is->o->count >= 2 * FLUSH_EVERY &&
		   pthread_create(&flusher, NULL, flush_files, is) == 0;
	/* worker 0 runs on this thread */
	for (int k = 1; k < n; k++) {
		if (pthread_create(&th[k], NULL, render_files, &w[k]) != 0) {
			w[k].rc = ocop_error_set(&w[k].err, OCOP_EINTERNAL,
						 "cannot start a thread");
			atomic_store(&is->stop, 1);
			break;
		}
		started = k;
	}
	render_files(&w[0]);
	for (int k = 1; k <= started; k++)
		pthread_join(th[k], NULL);
	atomic_store(&is->rendered, 1);
	if (flushing)
		pthread_join(flusher, NULL);
	for (int k = 0; k < n; k++) {
		if (w[k].rc < 0) {
			if (err)
				*err = w[k].err;
			rc = w[k].rc;
			break;
		}
	}
	return rc;
}

/* Open name in the temporary directory for buffered writing. */
static FILE *
create_stream(struct issue *is, const char *name, struct ocop_error *err)
{
	int fd;
	FILE *f;

	fd = openat(is->tmpfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    0644);
	if (fd < 0) {
		io_error(err, errno, "create", is->o->out_dir, name);
		return NULL;
	}
	f = fdopen(fd, "w");
	if (!f) {
		io_error(err, errno, "create", is->o->out_dir, name);
		close(fd);
		return NULL;
	}
	return f;
}

/* Flush, sync and close a stream of the temporary directory. */
static int
close_stream(struct issue *is, FILE *f, const char *name,
	     struct ocop_error *err)
{
	int bad = ferror(f) || fflush(f) != 0 || fsync(fileno(f)) != 0;

	if (fclose(f) != 0 || bad)
		return io_error(err, errno ? errno : EIO, "write",
				is->o->out_dir, name);
	return 0;
}

/* QR symbols for labels [from, to), encoded on one thread while the PDF
 * writer draws the previous chunk on another. */
#define PDF_CHUNK 256

struct encode_job {
	struct issue *is;
	struct qr_symbol *syms;
	int from, to;
	int rc;
	struct ocop_error err;
};

static void *
encode_chunk(void *arg)
{
	struct encode_job *j = arg;
	char url[URL_MAX];

	j->rc = 0;
	for (int i = j->from; i < j->to && j->rc == 0; i++) {
		if ((j->rc = url_of(j->is, i, url, &j->err)) == 0)
			j->rc = qr_encode(url, &j->syms[i - j->from], &j->err);
	}
	return NULL;
}

/* The sheets of the batch's labels into f, each page written as it is
 * drawn; f stays open. */
static int
render_pdf_to(struct issue *is, FILE *f, struct ocop_error *err)
{
	struct render_pdf_opts po;
	struct render_pdf *pdf = NULL;
	struct qr_symbol syms[2][PDF_CHUNK];
	struct encode_job job[2];
	pthread_t th;
	char footer[256], title[600];
	int count = is->o->count, rc, running = 0;

	for (int b = 0; b < 2; b++) {
		for (int k = 0; k < PDF_CHUNK; k++)
			qr_symbol_init(&syms[b][k]);
		job[b].is = is;
		job[b].syms = syms[b];
	}
	memset(&po, 0, sizeof(po));
	po.product_name = is->product.name;
	po.stars = is->stars;
	po.size_mm = is->o->size_mm;
	po.dpi = is->o->dpi;
	po.count = count;
	snprintf(footer, sizeof(footer), "OCOP %s%s%s · %d tem · %d labels",
		 is->product.code, is->lot[0] ? " · lô " : "", is->lot, count,
		 count);
	snprintf(title, sizeof(title), "OCOP labels: %s", is->product.name);
	po.footer = footer;
	po.title = title;
	/* {BASE} is scheme://host[:port] (label_base_url_normalize) */
	po.host = strstr(is->base, "://") ? strstr(is->base, "://") + 3 : NULL;
	if ((rc = render_pdf_open(f, &po, &pdf, err)) < 0)
		goto out;
	job[0].from = 0;
	job[0].to = count < PDF_CHUNK ? count : PDF_CHUNK;
	encode_chunk(&job[0]);
	for (int c = 0; job[c & 1].from < count; c++) {
		struct encode_job *cur = &job[c & 1], *next = &job[~c & 1];

		if (cur->rc < 0) {
			rc = cur->rc;
			if (err)
				*err = cur->err;
			goto out;
		}
		next->from = cur->to;
		next->to = cur->to + PDF_CHUNK < count ? cur->to + PDF_CHUNK
						       : count;
		if (next->from < count) {
			if (pthread_create(&th, NULL, encode_chunk, next) == 0)
				running = 1;
			else
				encode_chunk(next);
		}
		for (int i = cur->from; i < cur->to; i++) {
			if (canceled(is)) {
				rc = cancel_error(err);
				goto out;
			}
			if ((rc = render_pdf_add(pdf, &cur->syms[i - cur->from],
						 is->serials[i], err)) < 0 ||
			    (rc = count_written(is, err)) < 0)
				goto out;
		}
		if (running) {
			pthread_join(th, NULL);
			running = 0;
		}
	}
	rc = render_pdf_finish(pdf, err);
	pdf = NULL;
out:
	if (running)
		pthread_join(th, NULL);
	render_pdf_free(pdf);
	for (int b = 0; b < 2; b++)
		for (int k = 0; k < PDF_CHUNK; k++)
			qr_symbol_release(&syms[b][k]);
	return rc;
}

static int
render_pdf_file(struct issue *is, struct ocop_error *err)
{
	FILE *f;
	int rc;

	if (!(f = create_stream(is, LABEL_PDF_FILE, err)))
		return err ? err->code : OCOP_EOUTPUT;
	rc = render_pdf_to(is, f, err);
	if (close_stream(is, f, LABEL_PDF_FILE, rc < 0 ? NULL : err) < 0 &&
	    rc == 0)
		rc = OCOP_EOUTPUT;
	return rc;
}

static int
write_manifest(struct issue *is, struct ocop_error *err)
{
	char url[URL_MAX];
	FILE *f;
	int rc = 0;

	if (!(f = create_stream(is, LABEL_MANIFEST, err)))
		return err ? err->code : OCOP_EOUTPUT;
	fputs("serial,url,lot,stars\n", f);
	for (int i = 0; i < is->o->count; i++) {
		if ((rc = url_of(is, i, url, err)) < 0)
			break;
		fprintf(f, "%s,%s,%s,%d\n", is->serials[i], url, is->lot,
			is->stars);
		if (is->o->format == LABEL_FORMAT_CSV &&
		    (rc = count_written(is, err)) < 0)
			break;
	}
	if (close_stream(is, f, LABEL_MANIFEST, rc < 0 ? NULL : err) < 0 &&
	    rc == 0)
		rc = OCOP_EOUTPUT;
	return rc;
}

/* Move a file into place, never over one that appeared meanwhile (another
 * batch issued into the same directory at the same time). */
static int
move_file(int dirfd, const char *name, int outfd)
{
	int rc = renameat2(dirfd, name, outfd, name, RENAME_NOREPLACE);

	if (rc < 0 && (errno == EINVAL || errno == ENOSYS))
		rc = renameat(dirfd, name, outfd, name);
	return rc;
}

/*
 * Move (outfd >= 0) or remove (outfd < 0) every file of directory dirfd,
 * and of its subdirectories (the workers'), which are removed. Passes
 * repeat until one finds nothing, since entries changed while a directory
 * is read may or may not be seen again. Returns -1 with errno when a
 * rename fails.
 */
static int
drain_dir(int dirfd, int outfd, int depth)
{
	DIR *d;
	struct dirent *e;
	int fd, found = 1, rc = 0;

	for (int pass = 0; found && pass < 16 && rc == 0; pass++) {
		found = 0;
		fd = dup(dirfd);
		if (fd < 0 || !(d = fdopendir(fd))) {
			if (fd >= 0)
				close(fd);
			return -1;
		}
		rewinddir(d); /* the offset is shared between dups */
		while (rc == 0 && (e = readdir(d)) != NULL) {
			struct stat sb;
			int sub;

			if (strcmp(e->d_name, ".") == 0 ||
			    strcmp(e->d_name, "..") == 0)
				continue;
			found = 1;
			if (depth == 0 &&
			    (e->d_type == DT_DIR ||
			     (e->d_type == DT_UNKNOWN &&
			      fstatat(dirfd, e->d_name, &sb,
				      AT_SYMLINK_NOFOLLOW) == 0 &&
			      S_ISDIR(sb.st_mode)))) {
				sub = openat(dirfd, e->d_name,
					     O_RDONLY | O_DIRECTORY |
						     O_CLOEXEC);
				if (sub < 0)
					return -1;
				rc = drain_dir(sub, outfd, depth + 1);
				close(sub);
				if (rc == 0)
					rc = unlinkat(dirfd, e->d_name,
						      AT_REMOVEDIR);
				if (outfd < 0)
					rc = 0;
			} else if (outfd < 0) {
				unlinkat(dirfd, e->d_name, 0);
			} else {
				rc = move_file(dirfd, e->d_name, outfd);
			}
		}
		closedir(d);
	}
	return rc;
}

static int
drain_tmp(struct issue *is, int outfd)
{
	return drain_dir(is->tmpfd, outfd, 0);
}

static void
empty_tmp(struct issue *is)
{
	drain_tmp(is, -1);
}

static void
remove_tmp(struct issue *is)
{
	if (is->tmpfd < 0)
		return;
	empty_tmp(is);
	close(is->tmpfd);
	is->tmpfd = -1;
	rmdir(is->tmp);
}

/*
 * Make every file written durable before the commit. The manifest and the
 * PDF were synced as they were closed; thousands of PNG or SVG files are
 * synced with one syncfs of their file system, where an fsync each would
 * cost ~0.5 ms a file. Then the directory itself.
 */
static int
sync_tmp(struct issue *is, struct ocop_error *err)
{
	int many = is->o->format == LABEL_FORMAT_PNG ||
		   is->o->format == LABEL_FORMAT_SVG;

	if ((many && syncfs(is->tmpfd) < 0) || fsync(is->tmpfd) < 0)
		return ocop_error_set(err, OCOP_EOUTPUT,
				      "cannot sync '%s': %s", is->tmp,
				      strerror(errno));
	return 0;
}

/*
 * After the commit: the temporary directory becomes --out when --out is
 * still missing; else (or when --out appeared meanwhile) its files are
 * moved into --out and it is removed. Then the change is synced.
 */
static int
move_into_place(struct issue *is, int64_t batch_id, struct ocop_error *err)
{
	int rc;

	if (is->whole) {
		rc = renameat2(is->parentfd, is->tmp_name, is->parentfd,
			       is->out_name, RENAME_NOREPLACE);
		if (rc < 0 && (errno == EINVAL || errno == ENOSYS) &&
		    faccessat(is->parentfd, is->out_name, F_OK,
			      AT_SYMLINK_NOFOLLOW) < 0 &&
		    errno == ENOENT)
			rc = renameat(is->parentfd, is->tmp_name,
				      is->parentfd, is->out_name);
		if (rc == 0) {
			fsync(is->parentfd);
			goto done;
		}
		is->outfd = open(is->o->out_dir,
				 O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (is->outfd < 0)
			goto fail;
	}
	if (drain_tmp(is, is->outfd) < 0 || rmdir(is->tmp) < 0)
		goto fail;
	fsync(is->outfd);
done:
	close(is->tmpfd);
	is->tmpfd = -1;
	return 0;
fail:
	return ocop_error_set(err, OCOP_EOUTPUT,
			      "batch %lld is issued, but its files could not "
			      "be moved into '%s' (%s): they are in '%s'",
			      (long long)batch_id, is->o->out_dir,
			      strerror(errno), is->tmp);
}

static long
env_long(const char *name)
{
	const char *v = ocop_test_env(name);
	char *end;
	long n;

	if (!v || !*v)
		return -1;
	n = strtol(v, &end, 10);
	return *end || n < 0 ? -1 : n;
}

static int
check_options(const struct label_issue_opts *o, struct ocop_error *err)
{
	if (o->count < 1 || o->count > LABEL_MAX_COUNT)
		return ocop_error_set(err, OCOP_EINVAL,
				      "invalid count %d: expected 1 to %d",
				      o->count, LABEL_MAX_COUNT);
	if (o->made_on != OCOP_NO_DAY && o->best_before != OCOP_NO_DAY &&
	    o->best_before < o->made_on)
		return ocop_error_set(err, OCOP_EINVAL,
				      "invalid dates: best-before is before "
				      "the production date");
	if (o->module_px < 1 || o->module_px > 64)
		return ocop_error_set(err, OCOP_EINVAL,
				      "invalid module size %d px: expected 1 "
				      "to 64",
				      o->module_px);
	if (o->dpi < 150 || o->dpi > 4800)
		return ocop_error_set(err, OCOP_EINVAL,
				      "invalid resolution %d dpi: expected "
				      "150 to 4800",
				      o->dpi);
	if (o->size_mm < RENDER_PDF_MIN_MM || o->size_mm > RENDER_PDF_MAX_MM)
		return ocop_error_set(err, OCOP_EINVAL,
				      "invalid label size %d mm: expected %d "
				      "to %d",
				      o->size_mm, RENDER_PDF_MIN_MM,
				      RENDER_PDF_MAX_MM);
	if (o->out_dir && !*o->out_dir)
		return ocop_error_set(err, OCOP_EINVAL,
				      "no output directory given");
	return 0;
}

/* Why a product cannot carry the mark today, as an error. */
static int
refuse(const struct ocop_product *p, const struct ocop_history *h,
       int32_t today, struct ocop_error *err)
{
	char d1[16], d2[16];
	int i = ocop_history_latest_started(h, today);
	const struct ocop_recognition *r;

	ocop_day_format(today, d1);
	if (h->nrecs == 0)
		return ocop_error_set(err, OCOP_EREFUSED,
				      "cannot issue labels for product '%s': "
				      "it has no OCOP recognition",
				      p->code);
	if (i < 0)
		return ocop_error_set(err, OCOP_EREFUSED,
				      "cannot issue labels for product '%s': "
				      "its OCOP recognition starts on %s, "
				      "not in force today (%s)",
				      p->code,
				      ocop_day_format(h->recs[0].valid_from,
						      d2),
				      d1);
	r = &h->recs[i];
	if (r->revoked_on != OCOP_NO_DAY && r->revoked_on <= today)
		return ocop_error_set(err, OCOP_EREFUSED,
				      "cannot issue labels for product '%s': "
				      "its OCOP recognition (decision '%s') "
				      "was revoked on %s",
				      p->code, r->decision_no,
				      ocop_day_format(r->revoked_on, d2));
	return ocop_error_set(err, OCOP_EREFUSED,
			      "cannot issue labels for product '%s': its "
			      "OCOP recognition (decision '%s') ended on %s, "
			      "none is in force today (%s)",
			      p->code, r->decision_no,
			      ocop_day_format(r->end, d2), d1);
}

/* The stars in force today, or OCOP_EREFUSED. */
static int
stars_today(struct ocop_store *st, const struct ocop_product *p, int *stars,
	    struct ocop_error *err)
{
	struct ocop_history h;
	int32_t today = ocop_today();
	int i, rc;

	ocop_history_init(&h);
	rc = registry_history(st, p->id, &h, err);
	if (rc == 0) {
		i = ocop_history_in_force(&h, today);
		if (i < 0)
			rc = refuse(p, &h, today, err);
		else
			*stars = h.recs[i].stars;
	}
	ocop_history_release(&h);
	return rc;
}

/*
 * Make the hidden temporary directory in dirfd (path dir): 0700 inside
 * --out, the usual 0777 less umask when it is to become --out.
 */
static int
make_tmp(struct issue *is, int dirfd, const char *dir, mode_t mode,
	 struct ocop_error *err)
{
	char r[OCOP_SERIAL_LEN + 1];
	int rc = -1;

	for (int i = 0; i < 8 && rc < 0; i++) {
		ocop_serial_new(r);
		snprintf(is->tmp_name, sizeof(is->tmp_name),
			 ".ocop-issue-%.10s", r);
		rc = mkdirat(dirfd, is->tmp_name, mode);
		if (rc < 0 && errno != EEXIST)
			break;
	}
	if (rc < 0)
		return ocop_error_set(err, OCOP_EOUTPUT,
				      "cannot create a directory in '%s': %s",
				      dir, strerror(errno));
	if (snprintf(is->tmp, sizeof(is->tmp), "%s/%s", dir, is->tmp_name) >=
	    (int)sizeof(is->tmp)) {
		unlinkat(dirfd, is->tmp_name, AT_REMOVEDIR);
		return ocop_error_set(err, OCOP_EOUTPUT,
				      "directory name '%s' is too long", dir);
	}
	is->tmpfd = openat(dirfd, is->tmp_name,
			   O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (is->tmpfd < 0) {
		rc = errno;
		unlinkat(dirfd, is->tmp_name, AT_REMOVEDIR);
		return ocop_error_set(err, OCOP_EOUTPUT,
				      "cannot open directory '%s': %s", is->tmp,
				      strerror(rc));
	}
	return 0;
}

/* --out is missing: the temporary directory goes in its parent. */
static int
open_parent_dir(struct issue *is, struct ocop_error *err)
{
	const char *dir = is->o->out_dir, *slash;
	char parent[PATH_MAX];
	size_t n = strlen(dir), p;

	while (n > 1 && dir[n - 1] == '/')
		n--;
	slash = memrchr(dir, '/', n);
	p = slash ? (size_t)(slash - dir) : 0;
	if (n - (slash ? p + 1 : 0) > NAME_MAX || p >= sizeof(parent))
		return ocop_error_set(err, OCOP_EOUTPUT,
				      "directory name '%s' is too long", dir);
	memcpy(is->out_name, slash ? slash + 1 : dir,
	       n - (slash ? p + 1 : 0));
	is->out_name[n - (slash ? p + 1 : 0)] = '\0';
	if (!slash)
		ocop_strlcpy(parent, ".", sizeof(parent));
	else if (p == 0)
		ocop_strlcpy(parent, "/", sizeof(parent));
	else {
		memcpy(parent, dir, p);
		parent[p] = '\0';
	}
	is->parentfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (is->parentfd < 0 && errno == ENOENT) {
		int rc = ocop_mkdirs(parent, &is->made_parents, err);

		ocop_strlcpy(is->parent, parent, sizeof(is->parent));
		if (rc < 0)
			return rc;
		is->parentfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (is->parentfd < 0)
		return ocop_error_set(err, OCOP_EOUTPUT,
				      "cannot create directory '%s': %s", dir,
				      strerror(errno));
	is->whole = 1;
	return make_tmp(is, is->parentfd, parent, 0777, err);
}

/* Use out_dir, or make the directory that becomes it when missing; refuse
 * one holding an earlier manifest. */
static int
open_out_dir(struct issue *is, struct ocop_error *err)
{
	const char *dir = is->o->out_dir;
	struct stat sb;

	if (lstat(dir, &sb) < 0 && errno == ENOENT)
		return open_parent_dir(is, err);
	is->outfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (is->outfd < 0)
		return ocop_error_set(err, OCOP_EOUTPUT,
				      "cannot open directory '%s': %s", dir,
				      strerror(errno));
	if (fstatat(is->outfd, LABEL_MANIFEST, &sb, 0) == 0 ||
	    fstatat(is->outfd, LABEL_PDF_FILE, &sb, 0) == 0)
		return ocop_error_set(err, OCOP_EOUTPUT,
				      "directory '%s' already holds the "
				      "labels of another batch: use a new "
				      "directory",
				      dir);
	return make_tmp(is, is->outfd, dir, 0700, err);
}

static int
render_all(struct issue *is, struct ocop_error *err)
{
	int rc = 0;

	atomic_store(&is->written, 0);
	atomic_store(&is->stop, 0);
	switch (is->o->format) {
	case LABEL_FORMAT_PNG:
	case LABEL_FORMAT_SVG:
		rc = render_images(is, err);
		break;
	case LABEL_FORMAT_PDF:
		rc = render_pdf_file(is, err);
		break;
	case LABEL_FORMAT_CSV:
		break;
	}
	if (rc == 0)
		rc = write_manifest(is, err);
	if (rc == 0 && canceled(is))
		rc = cancel_error(err);
	if (rc == 0)
		rc = sync_tmp(is, err);
	return rc;
}

static int
cmp_serial(const void *a, const void *b, void *arg)
{
	const struct issue *is = arg;

	return strcmp(is->serials[*(const int *)a], is->serials[*(const int *)b]);
}

/*
 * The transaction: the batch and every label row, or nothing. *collided
 * is the index of a serial that is already taken (then rc is
 * OCOP_EEXIST), else -1. Rows go in in serial order: random serials
 * inserted as drawn touch a random page of the serial index each, which
 * in a table of 150,000 labels made 5,000 rows take ~80 ms.
 */
static int
store_batch(struct ocop_store *st, struct issue *is, struct ocop_batch *b,
	    int *collided, struct ocop_error *err)
{
	struct ocop_label l;
	int stars, rc;
	int *order = ocop_xmalloc((size_t)is->o->count * sizeof(*order));

	*collided = -1;
	for (int i = 0; i < is->o->count; i++)
		order[i] = i;
	qsort_r(order, (size_t)is->o->count, sizeof(*order), cmp_serial, is);
	if ((rc = st->m->begin(st, err)) < 0)
		goto out;
	/* the registry may have changed while the files were written */
	if ((rc = stars_today(st, &is->product, &stars, err)) < 0)
		goto out_rollback;
	if (stars != is->stars) {
		rc = ocop_error_set(err, OCOP_EREFUSED,
				    "the stars of product '%s' changed "
				    "while its labels were made: issue "
				    "again",
				    is->product.code);
		goto out_rollback;
	}
	if ((rc = st->m->batch_add(st, b, err)) < 0)
		goto out_rollback;
	memset(&l, 0, sizeof(l));
	l.batch_id = b->id;
	l.product_id = b->product_id;
	l.stars = b->stars;
	for (int i = 0; i < is->o->count; i++) {
		if (is->fail_rows >= 0 && i >= is->fail_rows) {
			rc = ocop_error_set(err, OCOP_EINTERNAL,
					    "cannot add label %d: injected "
					    "failure (OCOP_FAIL_AFTER_ROWS)",
					    i + 1);
			goto out_rollback;
		}
		if ((i & 1023) == 0 && canceled(is)) {
			rc = cancel_error(err);
			goto out_rollback;
		}
		memcpy(l.serial, is->serials[order[i]], sizeof(l.serial));
		if ((rc = st->m->label_add(st, &l, err)) < 0) {
			if (rc == OCOP_EEXIST)
				*collided = order[i];
			goto out_rollback;
		}
	}
	if (is->o->actor) {
		char subject[32], detail[160];

		snprintf(subject, sizeof(subject), "batch:%lld",
			 (long long)b->id);
		snprintf(detail, sizeof(detail), "%d labels of %s, %d stars",
			 is->o->count, is->product.code, b->stars);
		if ((rc = audit_add(st, is->o->actor, "label.issue", subject,
				    is->o->net, detail, b->issued_at, err)) <
		    0)
			goto out_rollback;
	}
	rc = st->m->commit(st, err);
	goto out;
out_rollback:
	st->m->rollback(st);
out:
	free(order);
	return rc;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The serials in the order they are stored (by id: store_batch inserts
 * them sorted), so that the files made from the stored batch later
 * (label_files) are the same as the ones made now. */
static void
sort_serials(struct issue *is)
{
	qsort(is->serials, (size_t)is->o->count, sizeof(*is->serials), cmp_str);
}

int
label_issue(struct ocop_store *st, const struct label_issue_opts *o,
	    struct ocop_batch *batch, struct ocop_error *err)
{
	struct issue is;
	const char *first;
	int rc, collided;

	memset(&is, 0, sizeof(is));
	is.o = o;
	is.tmpfd = is.outfd = is.parentfd = -1;
	if ((rc = check_options(o, err)) < 0)
		return rc;
	if (o->lot && *o->lot &&
	    (rc = ocop_lot_normalize(o->lot, is.lot, err)) < 0)
		return rc;
	rc = st->m->product_get(st, o->product_code, &is.product, err);
	if (rc == OCOP_ENOENT)
		return ocop_error_set(err, OCOP_ENOENT,
				      "unknown product '%s'", o->product_code);
	if (rc < 0)
		return rc;
	if ((rc = stars_today(st, &is.product, &is.stars, err)) < 0)
		return rc;
	if ((rc = st->m->meta_get(st, "base_url", is.base, sizeof(is.base),
				  err)) < 0)
		return rc;
	if (!is.base[0])
		ocop_strlcpy(is.base, LABEL_DEFAULT_BASE_URL, sizeof(is.base));
	is.fail_after = env_long("OCOP_FAIL_AFTER_LABELS");
	is.fail_rows = env_long("OCOP_FAIL_AFTER_ROWS");

	is.serials = ocop_xmalloc((size_t)o->count * sizeof(*is.serials));
	for (int i = 0; i < o->count; i++)
		ocop_serial_new(is.serials[i]);
	first = ocop_test_env("OCOP_TEST_FIRST_SERIAL");
	if (first && ocop_serial_normalize(first, is.serials[0], NULL) < 0)
		ocop_serial_new(is.serials[0]);

	memset(batch, 0, sizeof(*batch));
	batch->product_id = is.product.id;
	batch->stars = is.stars;
	ocop_strlcpy(batch->lot, is.lot, sizeof(batch->lot));
	batch->count = o->count;
	batch->made_on = o->made_on;
	batch->best_before = o->best_before;
	batch->issued_at = ocop_now();
	batch->voided_at = OCOP_NO_TIME;

	if (o->out_dir && (rc = open_out_dir(&is, err)) < 0)
		goto out;
	for (int attempt = 0;; attempt++) {
		sort_serials(&is);
		if (o->out_dir && (rc = render_all(&is, err)) < 0)
			goto out_remove;
		rc = store_batch(st, &is, batch, &collided, err);
		if (rc == 0)
			break;
		/* a serial already taken (75 random bits: it takes a test
		 * hook to see this): draw it again and redo the files */
		if (collided < 0 || attempt == COLLISION_RETRIES)
			goto out_remove;
		ocop_serial_new(is.serials[collided]);
		if (o->out_dir)
			empty_tmp(&is);
	}
	if (o->out_dir)
		rc = move_into_place(&is, batch->id, err);
	goto out;
out_remove:
	remove_tmp(&is);
out:
	if (is.tmpfd >= 0)
		close(is.tmpfd);
	if (is.outfd >= 0)
		close(is.outfd);
	if (is.parentfd >= 0)
		close(is.parentfd);
	/* nothing stored: no directory made for it stays (only empty ones
	 * are removed, so files moved into place after the commit stay) */
	if (rc < 0 && is.made_parents > 0)
		ocop_rmdirs(is.parent, is.made_parents);
	free(is.serials);
	return rc;
}

struct serials {
	struct issue *is;
	int n;
};

static int
collect_serial(void *ctx, const struct ocop_label *l)
{
	struct serials *c = ctx;

	if (c->n >= c->is->o->count)
		return OCOP_EINTERNAL;
	memcpy(c->is->serials[c->n++], l->serial, OCOP_SERIAL_LEN + 1);
	return 0;
}

/* The stored batch batch_id with its serials in their order, into is
 * (its options a copy of o in *opts, which is->o points to), as
 * label_issue had them when it wrote the batch's files. */
static int
load_batch(struct ocop_store *st, int64_t batch_id,
	   const struct label_issue_opts *o, struct label_issue_opts *opts,
	   struct issue *is, struct ocop_error *err)
{
	struct ocop_batch b;
	struct serials c;
	int rc;

	memset(is, 0, sizeof(*is));
	is->tmpfd = is->outfd = is->parentfd = -1;
	is->fail_after = is->fail_rows = -1;
	*opts = *o;
	is->o = opts;
	if ((rc = st->m->batch_get(st, batch_id, &b, err)) < 0)
		return rc;
	opts->count = b.count;
	if ((rc = check_options(opts, err)) < 0)
		return rc;
	if ((rc = st->m->product_get_by_id(st, b.product_id, &is->product,
					   err)) < 0)
		return rc;
	is->stars = b.stars;
	ocop_strlcpy(is->lot, b.lot, sizeof(is->lot));
	if ((rc = st->m->meta_get(st, "base_url", is->base, sizeof(is->base),
				  err)) < 0)
		return rc;
	if (!is->base[0])
		ocop_strlcpy(is->base, LABEL_DEFAULT_BASE_URL,
			     sizeof(is->base));
	is->serials = ocop_xmalloc((size_t)b.count * sizeof(*is->serials));
	c.is = is;
	c.n = 0;
	rc = st->m->label_each_in_batch(st, batch_id, collect_serial, &c, err);
	if (rc == 0 && c.n != b.count)
		rc = OCOP_EINTERNAL;
	if (rc != 0) {
		if (rc > 0 || (err && !err->msg[0]) || !err)
			rc = ocop_error_set(err, OCOP_EINTERNAL,
					    "batch %lld holds %d labels, not "
					    "%d",
					    (long long)batch_id, c.n, b.count);
		free(is->serials);
		is->serials = NULL;
		return rc;
	}
	return 0;
}

int
label_files(struct ocop_store *st, int64_t batch_id,
	    const struct label_issue_opts *o, struct ocop_error *err)
{
	struct label_issue_opts opts;
	struct issue is;
	int rc;

	if (!o->out_dir)
		return ocop_error_set(err, OCOP_EINVAL,
				      "no output directory given");
	if ((rc = load_batch(st, batch_id, o, &opts, &is, err)) < 0)
		return rc;
	opts.cancel = NULL;
	if ((rc = open_out_dir(&is, err)) < 0)
		goto out;
	if ((rc = render_all(&is, err)) < 0) {
		remove_tmp(&is);
		goto out;
	}
	rc = move_into_place(&is, batch_id, err);
out:
	if (is.tmpfd >= 0)
		close(is.tmpfd);
	if (is.outfd >= 0)
		close(is.outfd);
	if (is.parentfd >= 0)
		close(is.parentfd);
	if (rc < 0 && is.made_parents > 0)
		ocop_rmdirs(is.parent, is.made_parents);
	free(is.serials);
	return rc;
}

struct label_sheets {
	struct label_issue_opts opts;
	struct issue is;
};

int
label_sheets_load(struct ocop_store *st, int64_t batch_id,
		  const struct label_issue_opts *o, struct label_sheets **out,
		  struct ocop_error *err)
{
	struct label_sheets *ls = ocop_xcalloc(1, sizeof(*ls));
	int rc;

	*out = NULL;
	if ((rc = load_batch(st, batch_id, o, &ls->opts, &ls->is, err)) < 0) {
		free(ls);
		return rc;
	}
	*out = ls;
	return 0;
}

int
label_sheets_write(struct label_sheets *ls, FILE *out, struct ocop_error *err)
{
	int rc;

	atomic_store(&ls->is.written, 0);
	rc = render_pdf_to(&ls->is, out, err);
	if (rc == 0 && canceled(&ls->is))
		rc = cancel_error(err);
	return rc;
}

void
label_sheets_free(struct label_sheets *ls)
{
	if (!ls)
		return;
	free(ls->is.serials);
	free(ls);
}

int
label_void(struct ocop_store *st, const char *serial, int64_t batch_id,
	   const char *actor, const char *net, int64_t now, const char *reason,
	   struct ocop_error *err)
{
	char subject[64];
	int rc;

	if ((rc = st->m->begin(st, err)) < 0)
		return rc;
	if (serial) {
		snprintf(subject, sizeof(subject), "label:%s", serial);
		rc = st->m->label_void(st, serial, now, reason, err);
	} else {
		snprintf(subject, sizeof(subject), "batch:%lld",
			 (long long)batch_id);
		rc = st->m->batch_void(st, batch_id, now, reason, err);
	}
	if (rc == 0)
		rc = audit_add(st, actor, serial ? "label.void" : "batch.void",
			       subject, net, reason, now, err);
	if (rc < 0) {
		st->m->rollback(st);
		return rc;
	}
	return st->m->commit(st, err);
}
