/*
 * registry_export.c - the registry written back as the files that
 * `ocop registry import` reads (SPEC 6): registry, extensions and
 * revocations, as CSV or JSON. See registry.h for the contract.
 *
 * What is written is what decides every verdict: each recognition as
 * recorded (valid_from is its decision date, valid_until explicit), the
 * extension in effect of each, and every revocation decision. Importing
 * the files into an empty database gives every product the same history,
 * hence the same verdict for every label on every day.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "registry.h"

#define EXPORT_MAX ((size_t)1 << 30) /* bytes of one file */

struct export
{
	struct ocop_store *st;
	int json;
	struct ocop_history h;
	struct ocop_product *ps; /* every product, collected first */
	size_t np, cap;
	struct ocop_buf csv[3]; /* registry, extensions, revocations */
	json_t *arr[3];
	struct registry_export_counts *n;
	struct ocop_error *err;
};

enum { F_REGISTRY, F_EXTENSIONS, F_REVOCATIONS };
static const char *const file_base[3] = {"registry", "extensions",
					 "revocations"};

/* One CSV field, quoted when it holds a comma, a quote or a line break
 * (RFC 4180). Nothing else is changed: the import reads it back as is. */
static void
csv_field(struct ocop_buf *b, const char *v, int last)
{
	if (strpbrk(v, ",\"\r\n")) {
		ocop_buf_add(b, "\"", 1);
		for (const char *p = v; *p; p++) {
			if (*p == '"')
				ocop_buf_add(b, "\"", 1);
			ocop_buf_add(b, p, 1);
		}
		ocop_buf_add(b, "\"", 1);
	} else {
		ocop_buf_adds(b, v);
	}
	ocop_buf_adds(b, last ? "\r\n" : ",");
}

static void
csv_row(struct ocop_buf *b, const char *const *vals, size_t n)
{
	for (size_t i = 0; i < n; i++)
		csv_field(b, vals[i] ? vals[i] : "", i + 1 == n);
}

static json_t *
json_row(const char *const *cols, const char *const *vals, size_t n,
	 int stars_col)
{
	json_t *o = json_object();

	for (size_t i = 0; i < n; i++) {
		json_t *v;

		if (!vals[i] || !vals[i][0])
			v = json_null();
		else if ((int)i == stars_col)
			v = json_integer(atoi(vals[i]));
		else
			v = json_string(vals[i]);
		json_object_set_new(o, cols[i], v);
	}
	return o;
}

static void
add_row(struct export *x, int file, const char *const *cols,
	const char *const *vals, size_t n, int stars_col)
{
	if (x->json)
		json_array_append_new(x->arr[file],
				      json_row(cols, vals, n, stars_col));
	else
		csv_row(&x->csv[file], vals, n);
}

/* The store's iterator may not be called back into: products are
 * collected, then each one's history is read. */
static int
collect_product(void *ctx, const struct ocop_product *p)
{
	struct export *x = ctx;

	if (x->np == x->cap) {
		x->cap = x->cap ? 2 * x->cap : 64;
		x->ps = ocop_xrealloc(x->ps, x->cap * sizeof(*x->ps));
	}
	x->ps[x->np++] = *p;
	return 0;
}

static int
export_product(struct export *x, const struct ocop_product *p)
{
	const struct ocop_history *h = &x->h;
	int rc;

	if ((rc = registry_history(x->st, p->id, &x->h, x->err)) < 0)
		return rc;
	x->n->products++;
	for (size_t i = 0; i < h->nrecs; i++) {
		const struct ocop_recognition *r = &h->recs[i];
		char stars[4], dec[11], until[11], ext[11];
		const char *vals[] = {
		    p->code,
		    p->name,
		    p->group,
		    p->gtin,
		    p->producer.name,
		    p->producer.kind,
		    p->producer.province,
		    p->producer.address,
		    stars,
		    r->decision_no,
		    ocop_day_format(r->decided_on, dec),
		    r->issuer,
		    ocop_day_format(r->valid_until, until),
		    p->producer.reg_no,
		    r->source,
		};

		snprintf(stars, sizeof(stars), "%d", r->stars);
		add_row(x, F_REGISTRY, registry_recognition_columns, vals,
			sizeof(vals) / sizeof(vals[0]), 8);
		x->n->recognitions++;
		if (r->extended_until != OCOP_NO_DAY) {
			const char *xv[] = {
			    p->code,
			    r->decision_no,
			    ocop_day_format(r->extended_until, ext),
			    r->ext_decision_no,
			};

			add_row(x, F_EXTENSIONS, registry_extension_columns, xv,
				sizeof(xv) / sizeof(xv[0]), -1);
			x->n->extensions++;
		}
	}
	for (size_t i = 0; i < h->nrevs; i++) {
		const struct ocop_revocation *v = &h->revs[i];
		char on[11];
		const char *rv[] = {
		    p->code,
		    v->decision_no,
		    ocop_day_format(v->revoked_on, on),
		    ocop_ground_name(v->ground),
		    v->note,
		};

		add_row(x, F_REVOCATIONS, registry_revocation_columns, rv,
			sizeof(rv) / sizeof(rv[0]), -1);
		x->n->revocations++;
	}
	return 0;
}

/* Everything, read in one snapshot. */
static int
gather(struct export *x)
{
	const char *const *cols[3] = {registry_recognition_columns,
				      registry_extension_columns,
				      registry_revocation_columns};
	int rc;

	for (int f = 0; f < 3; f++) {
		ocop_buf_init(&x->csv[f], EXPORT_MAX);
		x->arr[f] = json_array();
		if (!x->json) {
			size_t n = 0;

			while (cols[f][n])
				n++;
			csv_row(&x->csv[f], cols[f], n);
		}
	}
	ocop_history_init(&x->h);
	if ((rc = x->st->m->read_begin(x->st, x->err)) < 0)
		return rc;
	rc = x->st->m->product_each(x->st, collect_product, x, x->err);
	for (size_t i = 0; rc == 0 && i < x->np; i++)
		rc = export_product(x, &x->ps[i]);
	x->st->m->read_end(x->st);
	free(x->ps);
	x->ps = NULL;
	ocop_history_release(&x->h);
	for (int f = 0; rc == 0 && !x->json && f < 3; f++)
		if (x->csv[f].len >= EXPORT_MAX - 1)
			rc = ocop_error_set(x->err, OCOP_ETOOBIG,
					    "the %s export is larger than %zu "
					    "MiB",
					    file_base[f], EXPORT_MAX >> 20);
	return rc;
}

static void
release(struct export *x)
{
	for (int f = 0; f < 3; f++) {
		ocop_buf_release(&x->csv[f]);
		json_decref(x->arr[f]);
	}
}

static int
write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Write data to dir/name by a synced temporary file and a rename, so a
 * reader sees the old file or the new one, whole. */
static int
replace_file(const char *dir, const char *name, const char *data, size_t len,
	     struct ocop_error *err)
{
	char path[4096], tmp[4096];
	int fd, e;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
		(int)sizeof(path) ||
	    snprintf(tmp, sizeof(tmp), "%s/.%s.ocop-export-%ld", dir, name,
		     (long)getpid()) >= (int)sizeof(tmp))
		return ocop_error_set(err, OCOP_EOUTPUT,
				      "directory name '%s' is too long", dir);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		return ocop_error_set(err, OCOP_EOUTPUT,
				      "cannot create '%s': %s", tmp,
				      strerror(errno));
	if (write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		e = errno;
		close(fd);
		unlink(tmp);
		return ocop_error_set(err, OCOP_EOUTPUT,
				      "cannot write '%s': %s", path,
				      strerror(e));
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		e = errno;
		unlink(tmp);
		return ocop_error_set(err, OCOP_EOUTPUT,
				      "cannot write '%s': %s", path,
				      strerror(e));
	}
	return 0;
}

int
registry_export_dir(struct ocop_store *st, const char *dir, int json,
		    struct registry_export_counts *n, struct ocop_error *err)
{
	struct export x;
	int rc, dfd;

	memset(n, 0, sizeof(*n));
	memset(&x, 0, sizeof(x));
	x.st = st;
	x.json = json;
	x.n = n;
	x.err = err;
	if ((rc = gather(&x)) < 0)
		goto out;
	if ((rc = ocop_mkdirs(dir, NULL, err)) < 0)
		goto out;
	for (int f = 0; f < 3 && rc == 0; f++) {
		char name[32];

		snprintf(name, sizeof(name), "%s.%s", file_base[f],
			 json ? "json" : "csv");
		if (json) {
			/* jansson allocates with malloc */
			char *s = json_dumps(x.arr[f], JSON_INDENT(1));
			size_t len;

			if (!s) {
				rc = ocop_error_set(err, OCOP_EINTERNAL,
						    "cannot encode %s", name);
				break;
			}
			len = strlen(s);
			s = ocop_xrealloc(s, len + 2);
			s[len++] = '\n';
			s[len] = '\0';
			rc = replace_file(dir, name, s, len, err);
			free(s);
		} else {
			rc = replace_file(dir, name, x.csv[f].data,
					  x.csv[f].len, err);
		}
	}
	if (rc == 0 &&
	    (dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(dfd);
		close(dfd);
	}
out:
	release(&x);
	return rc;
}

int
registry_export_bundle(struct ocop_store *st, FILE *out,
		       struct registry_export_counts *n, struct ocop_error *err)
{
	struct export x;
	json_t *root;
	int rc;

	memset(n, 0, sizeof(*n));
	memset(&x, 0, sizeof(x));
	x.st = st;
	x.json = 1;
	x.n = n;
	x.err = err;
	if ((rc = gather(&x)) < 0)
		goto out;
	root = json_pack("{s:O, s:O, s:O}", "registry", x.arr[F_REGISTRY],
			 "extensions", x.arr[F_EXTENSIONS], "revocations",
			 x.arr[F_REVOCATIONS]);
	if (json_dumpf(root, out, JSON_INDENT(1)) < 0 ||
	    fputc('\n', out) == EOF || fflush(out) != 0)
		rc = ocop_error_set(err, OCOP_EOUTPUT,
				    "cannot write the export: %s",
				    strerror(errno));
	json_decref(root);
out:
	release(&x);
	return rc;
}
