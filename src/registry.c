/*
 * registry.c - registry import (CSV and JSON), the clerk's actions and a
 * product's status. See registry.h for the contract.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "names.h"
#include "registry.h"
#include "utf8.h"

const char *const registry_recognition_columns[] = {
    "code",	   "name",	    "group",	  "gtin",
    "producer",	   "producer_kind", "province",	  "address",
    "stars",	   "decision_no",   "decided_on", "issuer",
    "valid_until", "producer_id",   "source",	  NULL,
};
enum {
	COL_CODE,
	COL_NAME,
	COL_GROUP,
	COL_GTIN,
	COL_PRODUCER,
	COL_KIND,
	COL_PROVINCE,
	COL_ADDRESS,
	COL_STARS,
	COL_DECISION,
	COL_DECIDED_ON,
	COL_ISSUER,
	COL_VALID_UNTIL,
	COL_PRODUCER_ID, /* optional from here on */
	COL_SOURCE,
	NCOLS_REC
};

const char *const registry_revocation_columns[] = {
    "code", "decision_no", "revoked_on", "ground", "note", NULL,
};
enum {
	RCOL_CODE,
	RCOL_DECISION,
	RCOL_REVOKED_ON,
	RCOL_GROUND,
	RCOL_NOTE,
	NCOLS_REV
};

const char *const registry_extension_columns[] = {
    "code", "decision_no", "extended_until", "extension_decision_no", NULL,
};
enum {
	XCOL_CODE,
	XCOL_DECISION,
	XCOL_UNTIL,
	XCOL_EXT_DECISION, /* optional */
	NCOLS_EXT
};

#define MAX_COLS NCOLS_REC

/* The columns of a kind, and how many of them (the first) are required. */
static const char *const *
kind_columns(enum registry_kind kind, size_t *required)
{
	switch (kind) {
	case REGISTRY_REVOCATIONS:
		*required = NCOLS_REV;
		return registry_revocation_columns;
	case REGISTRY_EXTENSIONS:
		*required = XCOL_EXT_DECISION;
		return registry_extension_columns;
	default:
		*required = COL_PRODUCER_ID;
		return registry_recognition_columns;
	}
}

/* ---- problems ------------------------------------------------------ */

void
registry_problems_init(struct registry_problems *p)
{
	memset(p, 0, sizeof(*p));
}

void
registry_problems_release(struct registry_problems *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->msgs[i]);
	free(p->msgs);
	registry_problems_init(p);
}

void
registry_problems_add(struct registry_problems *p, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	int n;

	p->total++;
	if (p->n >= REGISTRY_MAX_PROBLEMS)
		return;
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort(); /* allocation failure, as ocop_xmalloc */
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->msgs = ocop_xrealloc(p->msgs, p->cap * sizeof(*p->msgs));
	}
	p->msgs[p->n++] = msg;
}

/* ---- CSV reader ---------------------------------------------------- */

void
registry_csv_init(struct registry_csv *c, const char *data, size_t len)
{
	memset(c, 0, sizeof(*c));
	c->data = data;
	c->len = len;
	c->next_line = 1;
	/* every field adds a NUL separator: at most twice the input */
	ocop_buf_init(&c->text, 2 * len + 16);
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		c->pos = 3;
}

void
registry_csv_release(struct registry_csv *c)
{
	ocop_buf_release(&c->text);
	free(c->offs);
	free(c->lens);
	memset(c, 0, sizeof(*c));
}

static void
csv_field_begin(struct registry_csv *c)
{
	if (c->nfields == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->offs = ocop_xrealloc(c->offs, c->cap * sizeof(*c->offs));
		c->lens = ocop_xrealloc(c->lens, c->cap * sizeof(*c->lens));
	}
	c->offs[c->nfields] = c->text.len;
}

static void
csv_field_end(struct registry_csv *c)
{
	c->lens[c->nfields] = c->text.len - c->offs[c->nfields];
	ocop_buf_add(&c->text, "", 1);
	c->nfields++;
}

/* Append data[from..to) to the current field, counting line breaks. */
static void
csv_take(struct registry_csv *c, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (c->data[i] == '\n' ||
		    (c->data[i] == '\r' &&
		     (i + 1 >= c->len || c->data[i + 1] != '\n')))
			c->next_line++;
	ocop_buf_add(&c->text, c->data + from, to - from);
}

static void
csv_bad(struct registry_csv *c, const char *what, size_t field)
{
	if (!c->bad[0])
		snprintf(c->bad, sizeof(c->bad), "%s field %zu%s", what, field,
			 what[0] == 'a' ? " (quote the whole field and double "
					  "the quote)"
					: "");
}

/* The end of an unquoted run: the next ',', CR or LF, or the end. */
static size_t
csv_run(const struct registry_csv *c, size_t pos)
{
	while (pos < c->len && c->data[pos] != ',' && c->data[pos] != '\r' &&
	       c->data[pos] != '\n')
		pos++;
	return pos;
}

int
registry_csv_next(struct registry_csv *c, struct ocop_error *err)
{
	const char *d = c->data;
	size_t end;
	const char *q;

	c->nfields = 0;
	c->text.len = 0;
	c->bad[0] = '\0';
	/* blank lines separate nothing */
	for (;;) {
		if (c->pos >= c->len)
			return 0;
		if (d[c->pos] == '\n') {
			c->pos++;
		} else if (d[c->pos] == '\r') {
			c->pos++;
			if (c->pos < c->len && d[c->pos] == '\n')
				c->pos++;
		} else {
			break;
		}
		c->next_line++;
	}
	c->line = c->next_line;
	for (;;) {
		csv_field_begin(c);
		if (c->pos < c->len && d[c->pos] == '"') {
			c->pos++;
			for (;;) {
				q = memchr(d + c->pos, '"', c->len - c->pos);
				if (!q) {
					csv_take(c, c->pos, c->len);
					c->pos = c->len;
					return ocop_error_set(
					    err, OCOP_EINVAL,
					    "line %ld: a quoted field is "
					    "never closed",
					    c->line);
				}
				end = (size_t)(q - d);
				csv_take(c, c->pos, end);
				c->pos = end + 1;
				if (c->pos < c->len && d[c->pos] == '"') {
					ocop_buf_add(&c->text, "\"", 1);
					c->pos++;
					continue;
				}
				break;
			}
			end = csv_run(c, c->pos);
			if (end > c->pos) {
				csv_bad(c, "text after the closing quote of",
					c->nfields + 1);
				csv_take(c, c->pos, end);
				c->pos = end;
			}
		} else {
			end = csv_run(c, c->pos);
			if (memchr(d + c->pos, '"', end - c->pos))
				csv_bad(c, "a quote inside unquoted",
					c->nfields + 1);
			csv_take(c, c->pos, end);
			c->pos = end;
		}
		csv_field_end(c);
		if (c->pos >= c->len)
			break;
		if (d[c->pos] == ',') {
			c->pos++;
			continue;
		}
		if (d[c->pos] == '\r') {
			c->pos++;
			if (c->pos < c->len && d[c->pos] == '\n')
				c->pos++;
		} else {
			c->pos++;
		}
		c->next_line++;
		break;
	}
	return 1;
}

const char *
registry_csv_field(const struct registry_csv *c, size_t i, size_t *len)
{
	if (i >= c->nfields)
		return NULL;
	if (len)
		*len = c->lens[i];
	return c->text.data + c->offs[i];
}

/* ---- checking one row ---------------------------------------------- */

/* Append a reason to why, "; "-separated. */
static void why_add(struct ocop_buf *why, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
why_add(struct ocop_buf *why, const char *fmt, ...)
{
	char msg[640];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (why->len)
		ocop_buf_adds(why, "; ");
	ocop_buf_adds(why, msg);
}

enum { REQUIRED = 1, MULTILINE = 2 };

static int
is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/*
 * Copy value v of column col into out (size bytes), trimmed of white
 * space at both ends. Checks presence, length and control characters
 * (tab and line breaks are allowed inside MULTILINE values).
 */
static int
take(struct ocop_buf *why, const char *col, const char *v, char *out,
     size_t size, int flags)
{
	size_t n;

	out[0] = '\0';
	if (!v)
		v = "";
	while (is_space(*v))
		v++;
	n = strlen(v);
	while (n > 0 && is_space(v[n - 1]))
		n--;
	if (n == 0) {
		if (flags & REQUIRED) {
			why_add(why, "missing %s", col);
			return -1;
		}
		return 0;
	}
	if (n >= size) {
		why_add(why, "%s is too long (%zu bytes, at most %zu)", col, n,
			size - 1);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)v[i];

		if ((ch < 0x20 || ch == 0x7f) &&
		    !((flags & MULTILINE) &&
		      (ch == '\t' || ch == '\n' || ch == '\r'))) {
			why_add(why, "%s contains a control character", col);
			return -1;
		}
	}
	if (!utf8_valid(v, n, NULL)) {
		why_add(why, "%s is not valid UTF-8", col);
		return -1;
	}
	memcpy(out, v, n);
	out[n] = '\0';
	return 0;
}

static int
take_day(struct ocop_buf *why, const char *col, const char *v, int32_t *day,
	 int required)
{
	char buf[64];

	*day = OCOP_NO_DAY;
	if (take(why, col, v, buf, sizeof(buf), required ? REQUIRED : 0) < 0)
		return -1;
	if (!buf[0])
		return 0;
	if (ocop_day_parse(buf, day, NULL) < 0) {
		why_add(why,
			"invalid %s '%s': expected a real date as YYYY-MM-DD",
			col, buf);
		return -1;
	}
	return 0;
}

/*
 * The producer kind a value names (the kind in words, or the producer's
 * name when from_name), in canonical form. A kind column value that
 * matches none of the accepted names is "other" (a cơ sở, a farm, ...),
 * unless it is one short word without diacritics, which is rather a
 * mistyped code ("HXT", "coop"): NULL then.
 */
static const char *
producer_kind(const char *s, int from_name)
{
	const char *canon = names_producer_kind(s);
	size_t n = 0;

	if (canon || from_name)
		return canon ? canon : "other";
	for (; s[n]; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') ||
		      (s[n] >= 'A' && s[n] <= 'Z')))
			return "other";
	return n > 5 ? "other" : NULL;
}

int
registry_check_recognition(const char *const *vals, struct ocop_product *p,
			   struct ocop_recognition *r, struct ocop_buf *why)
{
	struct ocop_error e = {0};
	char buf[256], kind[256];
	const char *canon;
	size_t before = why->len;
	int bad = 0;

	memset(p, 0, sizeof(*p));
	memset(r, 0, sizeof(*r));
	r->extended_until = OCOP_NO_DAY;
	r->revoked_on = OCOP_NO_DAY;

	bad |= take(why, "code", vals[COL_CODE], p->code, sizeof(p->code),
		    REQUIRED);
	bad |= take(why, "name", vals[COL_NAME], p->name, sizeof(p->name),
		    REQUIRED);
	if (take(why, "group", vals[COL_GROUP], buf, sizeof(buf), REQUIRED) ==
	    0) {
		if ((canon = names_group(buf)) != NULL) {
			ocop_strlcpy(p->group, canon, sizeof(p->group));
		} else {
			why_add(
			    why,
			    "invalid group '%s': expected I to VI or the "
			    "group's name (Th\xe1\xbb\xb1\x63 ph\xe1\xba\xa9m, "
			    "\xc4\x90\xe1\xbb\x93 u\xe1\xbb\x91ng, "
			    "D\xc6\xb0\xe1\xbb\xa3\x63 li\xe1\xbb\x87u, "
			    "Th\xe1\xbb\xa7 c\xc3\xb4ng m\xe1\xbb\xb9 "
			    "ngh\xe1\xbb\x87, Sinh v\xe1\xba\xadt "
			    "c\xe1\xba\xa3nh, Du l\xe1\xbb\x8b\x63h)",
			    buf);
			bad = -1;
		}
	} else {
		bad = -1;
	}
	if (take(why, "gtin", vals[COL_GTIN], buf, sizeof(buf), 0) == 0) {
		if (buf[0] && ocop_gtin_normalize(buf, p->gtin, &e) < 0) {
			why_add(why, "%s", e.msg);
			p->gtin[0] = '\0';
			bad = -1;
		}
	} else {
		bad = -1;
	}
	bad |= take(why, "producer", vals[COL_PRODUCER], p->producer.name,
		    sizeof(p->producer.name), REQUIRED);
	if (take(why, "producer_kind", vals[COL_KIND], kind, sizeof(kind), 0) ==
	    0) {
		/* empty: what the producer's name says it is */
		if ((canon = kind[0] ? producer_kind(kind, 0)
				     : producer_kind(p->producer.name, 1)) !=
		    NULL) {
			ocop_strlcpy(p->producer.kind, canon,
				     sizeof(p->producer.kind));
		} else {
			why_add(
			    why,
			    "invalid producer_kind '%s': expected HTX, "
			    "THT, DN, h\xe1\xbb\x99, other or the kind in "
			    "words (H\xe1\xbb\xa3p t\xc3\xa1\x63 x\xc3\xa3, "
			    "C\xc3\xb4ng ty, H\xe1\xbb\x99 kinh doanh, ...)",
			    kind);
			bad = -1;
		}
	} else {
		bad = -1;
	}
	bad |= take(why, "province", vals[COL_PROVINCE], p->producer.province,
		    sizeof(p->producer.province), REQUIRED);
	bad |= take(why, "address", vals[COL_ADDRESS], p->producer.address,
		    sizeof(p->producer.address), REQUIRED | MULTILINE);
	if (take(why, "stars", vals[COL_STARS], buf, sizeof(buf), REQUIRED) ==
	    0) {
		if (buf[0] >= '3' && buf[0] <= '5' && buf[1] == '\0') {
			r->stars = buf[0] - '0';
		} else {
			why_add(why, "invalid stars '%s': expected 3, 4 or 5",
				buf);
			bad = -1;
		}
	} else {
		bad = -1;
	}
	bad |= take(why, "decision_no", vals[COL_DECISION], r->decision_no,
		    sizeof(r->decision_no), REQUIRED);
	bad |= take_day(why, "decided_on", vals[COL_DECIDED_ON], &r->decided_on,
			1);
	bad |= take(why, "issuer", vals[COL_ISSUER], r->issuer,
		    sizeof(r->issuer), REQUIRED);
	bad |= take_day(why, "valid_until", vals[COL_VALID_UNTIL],
			&r->valid_until, 0);
	bad |= take(why, "producer_id", vals[COL_PRODUCER_ID],
		    p->producer.reg_no, sizeof(p->producer.reg_no), 0);
	bad |= take(why, "source", vals[COL_SOURCE], r->source,
		    sizeof(r->source), 0);

	r->valid_from = r->decided_on;
	if (r->decided_on != OCOP_NO_DAY) {
		if (r->valid_until == OCOP_NO_DAY) {
			r->valid_until =
			    ocop_default_valid_until(r->valid_from);
		} else if (r->valid_until < r->decided_on) {
			char a[11], b[11];

			why_add(why, "valid_until %s is before decided_on %s",
				ocop_day_format(r->valid_until, a),
				ocop_day_format(r->decided_on, b));
			bad = -1;
		}
	}
	return bad || why->len > before ? OCOP_EINVAL : 0;
}

int
registry_check_revocation(const char *const *vals, char *code, size_t code_size,
			  struct ocop_revocation *v, struct ocop_buf *why)
{
	char buf[64];
	size_t before = why->len;
	int bad = 0;

	memset(v, 0, sizeof(*v));
	bad |= take(why, "code", vals[RCOL_CODE], code, code_size, REQUIRED);
	bad |= take(why, "decision_no", vals[RCOL_DECISION], v->decision_no,
		    sizeof(v->decision_no), REQUIRED);
	bad |= take_day(why, "revoked_on", vals[RCOL_REVOKED_ON],
			&v->revoked_on, 1);
	if (take(why, "ground", vals[RCOL_GROUND], buf, sizeof(buf),
		 REQUIRED) == 0) {
		if (ocop_ground_parse(buf, &v->ground) < 0) {
			why_add(why,
				"invalid ground '%s': expected a, b, c, d, dd, "
				"e or lapsed",
				buf);
			bad = -1;
		}
	} else {
		bad = -1;
	}
	bad |= take(why, "note", vals[RCOL_NOTE], v->note, sizeof(v->note),
		    MULTILINE);
	return bad || why->len > before ? OCOP_EINVAL : 0;
}

/* ---- import -------------------------------------------------------- */

/* A set of strings: the distinct product codes, the decisions seen. */
struct strset {
	char **slot;
	size_t cap, n;
};

static uint64_t
str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static int strset_add(struct strset *set, const char *s);

static void
strset_grow(struct strset *set)
{
	struct strset old = *set;

	set->cap = old.cap ? old.cap * 2 : 64;
	set->slot = ocop_xcalloc(set->cap, sizeof(*set->slot));
	set->n = 0;
	for (size_t i = 0; i < old.cap; i++) {
		if (old.slot[i]) {
			strset_add(set, old.slot[i]);
			free(old.slot[i]);
		}
	}
	free(old.slot);
}

/* 1 when s is new to the set, 0 when it was there. */
static int
strset_add(struct strset *set, const char *s)
{
	size_t i;

	if ((set->n + 1) * 2 > set->cap)
		strset_grow(set);
	for (i = str_hash(s) & (set->cap - 1); set->slot[i];
	     i = (i + 1) & (set->cap - 1))
		if (strcmp(set->slot[i], s) == 0)
			return 0;
	set->slot[i] = ocop_xstrdup(s);
	set->n++;
	return 1;
}

static void
strset_release(struct strset *set)
{
	for (size_t i = 0; i < set->cap; i++)
		free(set->slot[i]);
	free(set->slot);
	memset(set, 0, sizeof(*set));
}

/* A stored recognition row, with its producer's details: see
 * producer_conflicts. */
struct prow {
	size_t idx; /* in the order of the file */
	int32_t decided_on;
	int update; /* it wrote its product's details when it was read */
	int writer; /* an import writes its producer's details */
	char *code, *where, *msg;
	char *name, *kind, *province, *address, *reg_no; /* the producer */
};

struct import {
	struct ocop_store *st;
	const char *name;
	enum registry_kind kind;
	struct registry_summary *sum;
	struct registry_problems *probs;
	struct strset codes;
	struct strset decisions; /* "code\x1fdecision_no" of the rows read */
	struct prow *prows;	 /* the recognition rows stored */
	size_t nprows, capprows;
	struct ocop_buf why;
	struct ocop_history h;
	struct ocop_error *err;
};

static void
bad_row(struct import *im, const char *where)
{
	registry_problems_add(im->probs, "%s %s: %s", im->name, where,
			      im->why.data ? im->why.data : "bad row");
}

/* The store refused a write for a reason of the row's content (EEXIST)
 * or the store failed (anything else: returned, the import stops). */
static int
store_refusal(struct import *im, int rc, const struct ocop_error *e)
{
	if (rc == OCOP_EEXIST || rc == OCOP_EINVAL) {
		why_add(&im->why, "%s", e->msg);
		return 0;
	}
	return ocop_error_set(im->err, rc, "%s", e->msg);
}

/*
 * A product has one recognition starting on a day: the validity engine
 * ends each at the start of the next, so a second one the same day would
 * leave one of them never in force. OCOP_EREFUSED naming both decisions.
 */
static int
same_day(const struct ocop_history *h, const struct ocop_recognition *r,
	 struct ocop_error *err)
{
	char d[11];

	for (size_t i = 0; i < h->nrecs; i++)
		if (h->recs[i].valid_from == r->valid_from &&
		    strcmp(h->recs[i].decision_no, r->decision_no) != 0)
			return ocop_error_set(
			    err, OCOP_EREFUSED,
			    "decision '%s' starts on %s, the same day as "
			    "decision '%s' of this product (one recognition "
			    "a day)",
			    r->decision_no, ocop_day_format(r->valid_from, d),
			    h->recs[i].decision_no);
	return 0;
}

static void
prow_add(struct import *im, const char *where, const struct ocop_product *p,
	 int32_t decided_on, int update)
{
	struct prow *w;

	if (im->nprows == im->capprows) {
		im->capprows = im->capprows ? im->capprows * 2 : 64;
		im->prows =
		    ocop_xrealloc(im->prows, im->capprows * sizeof(*im->prows));
	}
	w = &im->prows[im->nprows];
	memset(w, 0, sizeof(*w));
	w->idx = im->nprows++;
	w->decided_on = decided_on;
	w->update = update;
	w->code = ocop_xstrdup(p->code);
	w->where = ocop_xstrdup(where);
	w->name = ocop_xstrdup(p->producer.name);
	w->kind = ocop_xstrdup(p->producer.kind);
	w->province = ocop_xstrdup(p->producer.province);
	w->address = ocop_xstrdup(p->producer.address);
	w->reg_no = ocop_xstrdup(p->producer.reg_no);
}

static void
prows_release(struct import *im)
{
	for (size_t i = 0; i < im->nprows; i++) {
		struct prow *w = &im->prows[i];

		free(w->code);
		free(w->where);
		free(w->msg);
		free(w->name);
		free(w->kind);
		free(w->province);
		free(w->address);
		free(w->reg_no);
	}
	free(im->prows);
	im->prows = NULL;
	im->nprows = im->capprows = 0;
}

/* By product, its latest decision first, then in the order of the file. */
static int
prow_by_product(const void *a, const void *b)
{
	const struct prow *x = a, *y = b;
	int c = strcmp(x->code, y->code);

	if (c)
		return c;
	if (x->decided_on != y->decided_on)
		return x->decided_on > y->decided_on ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* By the producer's name and place (how the store finds one without a
 * registration number), then in the order of the file. */
static int
prow_by_place(const void *a, const void *b)
{
	const struct prow *const *x = a, *const *y = b;
	int c;

	if ((c = strcmp((*x)->name, (*y)->name)) != 0 ||
	    (c = strcmp((*x)->province, (*y)->province)) != 0 ||
	    (c = strcmp((*x)->address, (*y)->address)) != 0)
		return c;
	return (*x)->idx < (*y)->idx ? -1 : (*x)->idx > (*y)->idx;
}

/* By registration number (how the store finds one that has it). */
static int
prow_by_reg_no(const void *a, const void *b)
{
	const struct prow *const *x = a, *const *y = b;
	int c = strcmp((*x)->reg_no, (*y)->reg_no);

	if (c)
		return c;
	return (*x)->idx < (*y)->idx ? -1 : (*x)->idx > (*y)->idx;
}

static int
prow_by_idx(const void *a, const void *b)
{
	const struct prow *x = a, *y = b;

	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int
prow_same_place(const struct prow *a, const struct prow *b)
{
	return strcmp(a->name, b->name) == 0 &&
	       strcmp(a->province, b->province) == 0 &&
	       strcmp(a->address, b->address) == 0;
}

/* Flag w, unless flagged already, for giving its producer's field (in
 * Vietnamese, in English) another value than the earlier row first. */
static void
prow_flag(struct prow *w, const struct prow *first, const char *vi,
	  const char *en, const char *mine, const char *theirs)
{
	if (w->msg)
		return;
	if (asprintf(
		&w->msg,
		"nh\xc3\xa0 s\xe1\xba\xa3n xu\xe1\xba\xa5t '%s' (%s) "
		"c\xc3\xb3 %s '%s' \xe1\xbb\x9f \xc4\x91\xc3\xa2y "
		"nh\xc6\xb0ng '%s' \xe1\xbb\x9f m\xe1\xbb\x99t d\xc3\xb2ng "
		"tr\xc6\xb0\xe1\xbb\x9b\x63 (%s): t\xe1\xbb\x87p "
		"t\xe1\xbb\xb1 m\xc3\xa2u thu\xe1\xba\xabn / producer "
		"'%s' (%s) has %s '%s' here but '%s' on %s: the file "
		"contradicts itself",
		first->name, first->province, vi, mine, theirs, first->where,
		first->name, first->province, en, mine, theirs,
		first->where) < 0)
		abort(); /* allocation failure, as ocop_xmalloc */
}

/* Whether two rows name one producer: by its registration number when
 * both have one, else by its name and place. */
static int
prow_same_producer(const struct prow *a, const struct prow *b)
{
	if (a->reg_no[0] && b->reg_no[0])
		return strcmp(a->reg_no, b->reg_no) == 0;
	return prow_same_place(a, b);
}

/*
 * Every import writes a product's details, its producer's among them,
 * from the rows of its latest decision in the file; a row of an older
 * decision that names another producer wrote that one's details too,
 * which nothing writes over. Two such writers, of one product or of two
 * products of one producer, that describe the producer apart would each
 * undo the other on every import (or leave the registry to the order of
 * the rows): the file contradicts itself, and each writer that differs
 * from the producer's first is a problem. A producer is one by its name
 * and place, or by its registration number (which the store keeps one
 * name and kind for). Products whose latest decision was stored before
 * (no row of theirs wrote) are left out.
 */
static void
producer_conflicts(struct import *im)
{
	struct prow **wr, *w;
	size_t n = 0, i, j, k;

	if (im->nprows < 2)
		return; /* and qsort is given no null array */
	qsort(im->prows, im->nprows, sizeof(*im->prows), prow_by_product);
	wr = ocop_xcalloc(im->nprows, sizeof(*wr));
	for (i = 0; i < im->nprows; i = j) {
		int update = 0;

		/* the rows of a product, its latest decision's first */
		for (j = i; j < im->nprows &&
			    strcmp(im->prows[j].code, im->prows[i].code) == 0;
		     j++)
			update |= im->prows[j].update;
		for (k = i; update && k < j; k++) {
			w = &im->prows[k];
			w->writer = w->decided_on == im->prows[i].decided_on;
			for (size_t l = i;
			     !w->writer && l < j &&
			     im->prows[l].decided_on == im->prows[i].decided_on;
			     l++)
				w->writer =
				    !prow_same_producer(w, &im->prows[l]);
			if (w->writer)
				wr[n++] = w;
		}
	}
	qsort(wr, n, sizeof(*wr), prow_by_place);
	for (i = 0; i < n; i = j)
		for (j = i + 1; j < n && prow_same_place(wr[j], wr[i]); j++)
			if (strcmp(wr[j]->kind, wr[i]->kind) != 0)
				prow_flag(wr[j], wr[i], "lo\xe1\xba\xa1i",
					  "kind", wr[j]->kind, wr[i]->kind);
	qsort(wr, n, sizeof(*wr), prow_by_reg_no);
	for (i = 0; i < n; i = j)
		for (j = i + 1; j < n && wr[i]->reg_no[0] &&
				strcmp(wr[j]->reg_no, wr[i]->reg_no) == 0;
		     j++) {
			if (strcmp(wr[j]->name, wr[i]->name) != 0)
				prow_flag(wr[j], wr[i], "t\xc3\xaan", "name",
					  wr[j]->name, wr[i]->name);
			else if (strcmp(wr[j]->kind, wr[i]->kind) != 0)
				prow_flag(wr[j], wr[i], "lo\xe1\xba\xa1i",
					  "kind", wr[j]->kind, wr[i]->kind);
		}
	free(wr);
	qsort(im->prows, im->nprows, sizeof(*im->prows), prow_by_idx);
	for (i = 0; i < im->nprows; i++)
		if (im->prows[i].msg)
			registry_problems_add(im->probs, "%s %s: %s", im->name,
					      im->prows[i].where,
					      im->prows[i].msg);
}

static int
import_recognition(struct import *im, const char *where,
		   const char *const *vals)
{
	struct ocop_store *st = im->st;
	struct ocop_product p, old, other;
	struct ocop_recognition r;
	struct ocop_error e = {0};
	int exists, update = 1, pchanged = 0, rchanged = 0, rc;

	if (registry_check_recognition(vals, &p, &r, &im->why) < 0)
		return 0;
	rc = st->m->product_get(st, p.code, &old, &e);
	if (rc < 0 && rc != OCOP_ENOENT)
		return ocop_error_set(im->err, rc, "%s", e.msg);
	exists = rc == 0;
	if (p.gtin[0]) {
		rc = st->m->product_get_by_gtin(st, p.gtin, &other, &e);
		if (rc < 0 && rc != OCOP_ENOENT)
			return ocop_error_set(im->err, rc, "%s", e.msg);
		if (rc == 0 && strcmp(other.code, p.code) != 0)
			why_add(&im->why,
				"gtin %s already belongs to product '%s'",
				p.gtin, other.code);
	}
	if (exists) {
		if (old.gtin[0] && p.gtin[0] && strcmp(old.gtin, p.gtin) != 0)
			why_add(&im->why,
				"gtin %s differs from the product's GTIN %s "
				"(labels carry it; it is not changed by an "
				"import)",
				p.gtin, old.gtin);
		if (!p.gtin[0])
			ocop_strlcpy(p.gtin, old.gtin, sizeof(p.gtin));
		/* the product's details follow its latest decision, so the
		 * order of rows does not matter */
		if ((rc = registry_history(st, old.id, &im->h, &e)) < 0)
			return ocop_error_set(im->err, rc, "%s", e.msg);
		for (size_t i = 0; i < im->h.nrecs; i++)
			if (im->h.recs[i].decided_on > r.decided_on)
				update = 0;
		if (same_day(&im->h, &r, &e) < 0)
			why_add(&im->why, "%s", e.msg);
	}
	if (im->why.len)
		return 0;
	if (update) {
		char key[sizeof(p.code) + sizeof(r.decision_no) + 1];
		int seen;

		snprintf(key, sizeof(key), "%s\x1f%s", p.code, r.decision_no);
		seen = !strset_add(&im->decisions, key);
		rc = st->m->product_put(st, &p, &pchanged, &e);
		if (rc < 0)
			return store_refusal(im, rc, &e);
		/* Two rows of one decision that disagree on the product
		 * would each undo the other on every import: the file
		 * contradicts itself (the import is rolled back). */
		if (seen && pchanged) {
			why_add(&im->why,
				"the product's details differ from those of an "
				"earlier row of decision '%s'",
				r.decision_no);
			return 0;
		}
	} else if (p.gtin[0] && !old.gtin[0]) {
		/* an older decision may still bring the GTIN */
		ocop_strlcpy(old.gtin, p.gtin, sizeof(old.gtin));
		rc = st->m->product_put(st, &old, &pchanged, &e);
		if (rc < 0)
			return store_refusal(im, rc, &e);
		p.id = old.id;
	} else {
		p.id = old.id;
	}
	rc = st->m->recognition_add(st, p.id, &r, &rchanged, &e);
	if (rc < 0)
		return store_refusal(im, rc, &e);
	prow_add(im, where, &p, r.decided_on, update);
	strset_add(&im->codes, p.code);
	if (pchanged || rchanged)
		im->sum->added++;
	else
		im->sum->unchanged++;
	return 0;
}

static int
import_revocation(struct import *im, const char *const *vals)
{
	struct ocop_store *st = im->st;
	struct ocop_product p;
	struct ocop_revocation v;
	struct ocop_error e = {0};
	char code[sizeof(p.code)], a[11], b[11];
	int changed = 0, rc;

	if (registry_check_revocation(vals, code, sizeof(code), &v, &im->why) <
	    0)
		return 0;
	rc = st->m->product_get(st, code, &p, &e);
	if (rc == OCOP_ENOENT) {
		why_add(&im->why, "unknown product code '%s'", code);
		return 0;
	}
	if (rc < 0)
		return ocop_error_set(im->err, rc, "%s", e.msg);
	if ((rc = registry_history(st, p.id, &im->h, &e)) < 0)
		return ocop_error_set(im->err, rc, "%s", e.msg);
	if (im->h.nrecs == 0) {
		why_add(&im->why, "product '%s' has no recognition to revoke",
			code);
		return 0;
	}
	if (v.revoked_on < im->h.recs[0].valid_from) {
		why_add(&im->why,
			"revoked_on %s is before the product's first "
			"recognition (valid from %s)",
			ocop_day_format(v.revoked_on, a),
			ocop_day_format(im->h.recs[0].valid_from, b));
		return 0;
	}
	rc = st->m->revocation_add(st, p.id, &v, &changed, &e);
	if (rc < 0)
		return store_refusal(im, rc, &e);
	strset_add(&im->codes, code);
	if (changed)
		im->sum->added++;
	else
		im->sum->unchanged++;
	return 0;
}

static int extend_rec(struct ocop_store *st, const char *code,
		      struct ocop_history *h, const char *decision_no,
		      int32_t until, const char *ext_decision_no,
		      struct ocop_recognition *out, int *changed,
		      struct ocop_error *err);

static int
import_extension(struct import *im, const char *const *vals)
{
	struct ocop_store *st = im->st;
	struct ocop_product p;
	struct ocop_error e = {0};
	char code[sizeof(p.code)], dec[128], ext[128];
	int32_t until;
	int changed = 0, bad = 0, rc;

	bad |= take(&im->why, "code", vals[XCOL_CODE], code, sizeof(code),
		    REQUIRED);
	bad |= take(&im->why, "decision_no", vals[XCOL_DECISION], dec,
		    sizeof(dec), REQUIRED);
	bad |=
	    take_day(&im->why, "extended_until", vals[XCOL_UNTIL], &until, 1);
	bad |= take(&im->why, "extension_decision_no", vals[XCOL_EXT_DECISION],
		    ext, sizeof(ext), 0);
	if (bad || im->why.len)
		return 0;
	{
		/* A second row for one recognition: only its last extension
		 * is kept, so importing the file again would add the first
		 * again (a file must import the same twice, registry.h). */
		char key[sizeof(code) + sizeof(dec) + 8];

		snprintf(key, sizeof(key), "ext\x1f%s\x1f%s", code, dec);
		if (!strset_add(&im->decisions, key)) {
			why_add(&im->why,
				"recognition '%s' of product '%s' is extended "
				"on an earlier row of this file: one row per "
				"recognition",
				dec, code);
			return 0;
		}
	}
	rc = st->m->product_get(st, code, &p, &e);
	if (rc == OCOP_ENOENT) {
		why_add(&im->why, "unknown product code '%s'", code);
		return 0;
	}
	if (rc < 0)
		return ocop_error_set(im->err, rc, "%s", e.msg);
	if ((rc = registry_history(st, p.id, &im->h, &e)) < 0)
		return ocop_error_set(im->err, rc, "%s", e.msg);
	rc = extend_rec(st, code, &im->h, dec, until, ext, NULL, &changed, &e);
	if (rc == OCOP_ENOENT || rc == OCOP_EREFUSED || rc == OCOP_EINVAL) {
		why_add(&im->why, "%s", e.msg);
		return 0;
	}
	if (rc < 0)
		return ocop_error_set(im->err, rc, "%s", e.msg);
	strset_add(&im->codes, code);
	if (changed)
		im->sum->added++;
	else
		im->sum->unchanged++;
	return 0;
}

/* Check and store one row whose values are in canonical column order.
 * Problems go to im->probs; a negative return stops the import. */
static int
import_row(struct import *im, const char *where, const char *const *vals)
{
	int rc;

	im->sum->rows++;
	im->sum->by_kind[im->kind - 1]++;
	im->why.len = 0;
	if (im->why.data)
		im->why.data[0] = '\0';
	if (im->kind == REGISTRY_RECOGNITIONS)
		rc = import_recognition(im, where, vals);
	else if (im->kind == REGISTRY_EXTENSIONS)
		rc = import_extension(im, vals);
	else
		rc = import_revocation(im, vals);
	if (rc < 0)
		return rc;
	if (im->why.len)
		bad_row(im, where);
	return 0;
}

static int
lower_eq(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

static int
import_csv(struct import *im, const char *data, size_t len)
{
	struct registry_csv c;
	const char *const *cols;
	const char *vals[MAX_COLS];
	int map[MAX_COLS];
	size_t ncols, nhdr, required;
	char where[48], name[64];
	struct ocop_error cerr = {0};
	int rc, missing = 0;

	registry_csv_init(&c, data, len);
	rc = registry_csv_next(&c, &cerr);
	if (rc <= 0) {
		if (rc == 0)
			registry_problems_add(im->probs,
					      "%s: the file is empty: expected "
					      "a header row",
					      im->name);
		else
			registry_problems_add(im->probs, "%s %s", im->name,
					      cerr.msg);
		rc = 0;
		goto out;
	}
	/* the header names the columns, in any order */
	im->kind = REGISTRY_RECOGNITIONS;
	nhdr = c.nfields;
	for (size_t j = 0; j < nhdr; j++) {
		take(&im->why, "column name", registry_csv_field(&c, j, NULL),
		     name, sizeof(name), 0);
		if (lower_eq(name, "revoked_on"))
			im->kind = REGISTRY_REVOCATIONS;
		else if (lower_eq(name, "extended_until"))
			im->kind = REGISTRY_EXTENSIONS;
	}
	cols = kind_columns(im->kind, &required);
	im->sum->kind = im->kind;
	for (ncols = 0; cols[ncols]; ncols++) {
		map[ncols] = -1;
		for (size_t j = 0; j < nhdr; j++) {
			im->why.len = 0;
			take(&im->why, "column name",
			     registry_csv_field(&c, j, NULL), name,
			     sizeof(name), 0);
			if (!lower_eq(name, cols[ncols]))
				continue;
			if (map[ncols] >= 0) {
				registry_problems_add(
				    im->probs,
				    "%s line %ld: column '%s' appears "
				    "twice",
				    im->name, c.line, cols[ncols]);
				missing = 1;
			}
			map[ncols] = (int)j;
		}
		if (ncols < required && map[ncols] < 0) {
			registry_problems_add(
			    im->probs, "%s line %ld: missing column '%s'",
			    im->name, c.line, cols[ncols]);
			missing = 1;
		}
	}
	im->why.len = 0;
	if (c.bad[0])
		registry_problems_add(im->probs, "%s line %ld: %s", im->name,
				      c.line, c.bad);
	if (missing || c.bad[0])
		goto out; /* rows cannot be read without their columns */

	while ((rc = registry_csv_next(&c, &cerr)) > 0) {
		snprintf(where, sizeof(where), "line %ld", c.line);
		im->why.len = 0;
		if (c.bad[0]) {
			im->sum->rows++;
			registry_problems_add(im->probs, "%s %s: %s", im->name,
					      where, c.bad);
			continue;
		}
		if (c.nfields != nhdr) {
			im->sum->rows++;
			registry_problems_add(im->probs,
					      "%s %s: %zu fields, but the "
					      "header has %zu",
					      im->name, where, c.nfields, nhdr);
			continue;
		}
		for (size_t k = 0; k < ncols; k++) {
			size_t flen = 0;
			const char *f;

			vals[k] = NULL;
			if (map[k] < 0)
				continue; /* an optional column left out */
			f = registry_csv_field(&c, (size_t)map[k], &flen);
			vals[k] = f;
			if (memchr(f, '\0', flen))
				vals[k] = "\x01"; /* a control character */
		}
		/* name the column of bad UTF-8 rather than just fail */
		for (size_t k = 0; k < ncols; k++) {
			size_t flen = 0, off = 0;
			const char *f;

			if (map[k] < 0)
				continue;
			f = registry_csv_field(&c, (size_t)map[k], &flen);
			if (!utf8_valid(f, flen, &off)) {
				vals[k] = NULL;
				why_add(&im->why,
					"%s is not valid UTF-8 (byte %zu of "
					"the field)",
					cols[k], off + 1);
			}
		}
		if (im->why.len) {
			im->sum->rows++;
			bad_row(im, where);
			continue;
		}
		if ((rc = import_row(im, where, vals)) < 0)
			goto out;
	}
	if (rc < 0) {
		registry_problems_add(im->probs, "%s %s", im->name, cerr.msg);
		rc = 0;
	}
out:
	registry_csv_release(&c);
	return rc;
}

static int looks_like_json(const char *name, const char *data, size_t len);

/* The kind of a JSON array's rows, from its first item's keys. */
static enum registry_kind
json_kind(json_t *arr)
{
	json_t *item = json_array_get(arr, 0);

	if (json_is_object(item) && json_object_get(item, "revoked_on"))
		return REGISTRY_REVOCATIONS;
	if (json_is_object(item) && json_object_get(item, "extended_until"))
		return REGISTRY_EXTENSIONS;
	return REGISTRY_RECOGNITIONS;
}

/* Import the rows of arr, of im->kind; items are named "item N", or
 * "<section> item N" inside a bundle. */
static int
import_json_array(struct import *im, json_t *arr, const char *section)
{
	json_t *item, *v;
	const char *const *cols;
	const char *vals[MAX_COLS];
	char nums[MAX_COLS][32];
	char where[96];
	size_t i, k, required;
	int rc = 0;

	cols = kind_columns(im->kind, &required);
	json_array_foreach(arr, i, item)
	{
		snprintf(where, sizeof(where), "%s%sitem %zu", section,
			 section[0] ? " " : "", i);
		im->why.len = 0;
		if (!json_is_object(item)) {
			im->sum->rows++;
			registry_problems_add(im->probs,
					      "%s %s: expected an object",
					      im->name, where);
			continue;
		}
		for (k = 0; cols[k]; k++) {
			vals[k] = NULL;
			v = json_object_get(item, cols[k]);
			if (!v) {
				if (k < required)
					why_add(&im->why, "missing key '%s'",
						cols[k]);
			} else if (json_is_string(v))
				vals[k] = json_string_value(v);
			else if (json_is_integer(v)) {
				snprintf(nums[k], sizeof(nums[k]), "%lld",
					 (long long)json_integer_value(v));
				vals[k] = nums[k];
			} else if (!json_is_null(v))
				why_add(&im->why,
					"key '%s' must be a string or an "
					"integer",
					cols[k]);
		}
		if (im->why.len) {
			im->sum->rows++;
			bad_row(im, where);
			continue;
		}
		if ((rc = import_row(im, where, vals)) < 0)
			break;
	}
	return rc;
}

/* The sections of a bundle, in the order they must be imported: the
 * recognitions that extensions and revocations refer to come first. */
static const struct {
	const char *key;
	enum registry_kind kind;
} bundle_sections[] = {
    {"registry", REGISTRY_RECOGNITIONS},
    {"extensions", REGISTRY_EXTENSIONS},
    {"revocations", REGISTRY_REVOCATIONS},
};

static int
import_json(struct import *im, const char *data, size_t len)
{
	json_error_t jerr;
	json_t *root, *arr;
	const char *key;
	int rc = 0;

	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		registry_problems_add(
		    im->probs, "%s line %d column %d: invalid JSON: %s",
		    im->name, jerr.line, jerr.column, jerr.text);
		return 0;
	}
	if (json_is_array(root)) {
		im->kind = json_kind(root);
		im->sum->kind = im->kind;
		rc = import_json_array(im, root, "");
		goto out;
	}
	if (!json_is_object(root)) {
		registry_problems_add(im->probs,
				      "%s: expected a JSON array of objects",
				      im->name);
		goto out;
	}
	im->sum->kind = REGISTRY_BUNDLE;
	json_object_foreach(root, key, arr)
	{
		size_t i,
		    n = sizeof(bundle_sections) / sizeof(bundle_sections[0]);

		for (i = 0; i < n; i++)
			if (strcmp(key, bundle_sections[i].key) == 0)
				break;
		if (i == n)
			registry_problems_add(
			    im->probs,
			    "%s: unknown key '%s' (expected an array, or an "
			    "object of registry, extensions and revocations)",
			    im->name, key);
		else if (!json_is_array(arr))
			registry_problems_add(im->probs,
					      "%s: '%s' must be an array",
					      im->name, key);
	}
	for (size_t i = 0; rc == 0 && i < sizeof(bundle_sections) /
					      sizeof(bundle_sections[0]);
	     i++) {
		arr = json_object_get(root, bundle_sections[i].key);
		if (!json_is_array(arr))
			continue;
		im->kind = bundle_sections[i].kind;
		rc = import_json_array(im, arr, bundle_sections[i].key);
	}
out:
	json_decref(root);
	return rc;
}

enum registry_kind
registry_sniff_kind(const char *name, const char *data, size_t len)
{
	struct registry_csv c;
	enum registry_kind kind = REGISTRY_RECOGNITIONS;

	if (looks_like_json(name, data, len)) {
		const char *end = data + len, *p = data, *close;

		/* the first object's keys, not a parse of the whole file:
		 * the kind only orders the files of one import */
		while (p < end && *p != '[' && *p != '{')
			p++;
		if (p < end && *p == '{')
			return REGISTRY_BUNDLE;
		close = p < end ? memchr(p, '}', (size_t)(end - p)) : NULL;
		if (close &&
		    memmem(p, (size_t)(close - p), "\"revoked_on\"", 12))
			kind = REGISTRY_REVOCATIONS;
		else if (close && memmem(p, (size_t)(close - p),
					 "\"extended_until\"", 16))
			kind = REGISTRY_EXTENSIONS;
		return kind;
	}
	registry_csv_init(&c, data, len);
	if (registry_csv_next(&c, NULL) > 0) {
		for (size_t j = 0; j < c.nfields; j++) {
			const char *f = registry_csv_field(&c, j, NULL);

			while (is_space(*f))
				f++;
			if (strncasecmp(f, "revoked_on", 10) == 0)
				kind = REGISTRY_REVOCATIONS;
			else if (strncasecmp(f, "extended_until", 14) == 0)
				kind = REGISTRY_EXTENSIONS;
		}
	}
	registry_csv_release(&c);
	return kind;
}

static int
looks_like_json(const char *name, const char *data, size_t len)
{
	size_t i = 0, n = strlen(name);

	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && is_space(data[i]))
		i++;
	if (i < len)
		return data[i] == '[' || data[i] == '{';
	return n >= 5 && strcasecmp(name + n - 5, ".json") == 0;
}

int
registry_import_buffer(struct ocop_store *st, const char *name,
		       const char *data, size_t len,
		       struct registry_summary *sum,
		       struct registry_problems *probs, struct ocop_error *err)
{
	struct import im;
	size_t before = probs->total;
	int rc;

	memset(sum, 0, sizeof(*sum));
	sum->kind = REGISTRY_RECOGNITIONS;
	if (len > REGISTRY_MAX_INPUT)
		return ocop_error_set(err, OCOP_ETOOBIG,
				      "registry file '%s' is larger than %zu "
				      "MiB",
				      name, REGISTRY_MAX_INPUT >> 20);
	memset(&im, 0, sizeof(im));
	im.st = st;
	im.name = name;
	im.sum = sum;
	im.probs = probs;
	im.err = err;
	ocop_buf_init(&im.why, 1 << 20);
	ocop_history_init(&im.h);

	if ((rc = st->m->begin(st, err)) < 0)
		goto out;
	if (looks_like_json(name, data, len)) {
		if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
			data += 3;
			len -= 3;
		}
		rc = import_json(&im, data, len);
	} else {
		rc = import_csv(&im, data, len);
	}
	if (rc < 0) {
		st->m->rollback(st);
		goto out;
	}
	producer_conflicts(&im);
	if (probs->total > before) {
		st->m->rollback(st);
		rc = ocop_error_set(err, OCOP_EINVAL,
				    "'%s': %zu problem%s; nothing imported",
				    name, probs->total - before,
				    probs->total - before == 1 ? "" : "s");
		goto out;
	}
	sum->products = im.codes.n;
	rc = st->m->commit(st, err);
out:
	strset_release(&im.codes);
	strset_release(&im.decisions);
	prows_release(&im);
	ocop_buf_release(&im.why);
	ocop_history_release(&im.h);
	return rc;
}

/* Read all of fd into b (capped). */
static int
read_all(int fd, const char *path, struct ocop_buf *b, struct ocop_error *err)
{
	char chunk[65536];
	ssize_t n;

	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ocop_error_set(err, OCOP_ENOINPUT,
					      "cannot read registry file "
					      "'%s': %s",
					      path, strerror(errno));
		}
		if (ocop_buf_add(b, chunk, (size_t)n) < 0)
			return ocop_error_set(err, OCOP_ETOOBIG,
					      "registry file '%s' is larger "
					      "than %zu MiB",
					      path, REGISTRY_MAX_INPUT >> 20);
	}
}

int
registry_import_file(struct ocop_store *st, const char *path,
		     struct registry_summary *sum,
		     struct registry_problems *probs, struct ocop_error *err)
{
	struct ocop_buf b;
	int rc;

	memset(sum, 0, sizeof(*sum));
	ocop_buf_init(&b, REGISTRY_MAX_INPUT);
	rc = registry_read_file(path, &b, err);
	if (rc == 0)
		rc = registry_import_buffer(st, path, b.data ? b.data : "",
					    b.len, sum, probs, err);
	ocop_buf_release(&b);
	return rc;
}

int
registry_read_file(const char *path, struct ocop_buf *b, struct ocop_error *err)
{
	struct stat sb;
	int fd, rc;

	if (strcmp(path, "-") == 0) {
		fd = STDIN_FILENO;
	} else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		return ocop_error_set(err, OCOP_ENOINPUT,
				      "cannot read registry file '%s': %s",
				      path, strerror(errno));
	}
	if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		rc = ocop_error_set(err, OCOP_ENOINPUT,
				    "cannot read registry file '%s': %s", path,
				    strerror(EISDIR));
		goto out_close;
	}
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    (uint64_t)sb.st_size > REGISTRY_MAX_INPUT) {
		rc = ocop_error_set(err, OCOP_ETOOBIG,
				    "registry file '%s' is larger than %zu MiB",
				    path, REGISTRY_MAX_INPUT >> 20);
		goto out_close;
	}
	rc = read_all(fd, path, b, err);
out_close:
	if (fd != STDIN_FILENO)
		close(fd);
	return rc;
}

/* ---- clerk's actions ----------------------------------------------- */

void
registry_default_issuer(int stars, int32_t decided_on, const char *province,
			char *out, size_t size)
{
	if (stars == 5) {
		/* the ministries merged on 1 March 2025 */
		ocop_strlcpy(out,
			     decided_on >= ocop_day_from_ymd(2025, 3, 1)
				 ? "B\xe1\xbb\x99 N\xc3\xb4ng nghi\xe1\xbb"
				   "\x87p v\xc3\xa0 M\xc3\xb4i tr\xc6\xb0"
				   "\xe1\xbb\x9dng"
				 : "B\xe1\xbb\x99 N\xc3\xb4ng nghi\xe1\xbb"
				   "\x87p v\xc3\xa0 Ph\xc3\xa1t tri\xe1\xbb"
				   "\x83n n\xc3\xb4ng th\xc3\xb4n",
			     size);
		return;
	}
	if (!province || !*province)
		snprintf(out, size, "UBND c\xe1\xba\xa5p t\xe1\xbb\x89nh");
	else if (strncasecmp(province, "th\xc3\xa0nh ph\xe1\xbb\x91 ", 11) ==
		     0 ||
		 strncmp(province, "Th\xc3\xa0nh ph\xe1\xbb\x91 ", 11) == 0 ||
		 strncmp(province, "TP", 2) == 0)
		snprintf(out, size, "UBND %s", province);
	else
		snprintf(out, size, "UBND t\xe1\xbb\x89nh %s", province);
}

/* Check a single-line text given on the command line. */
static int
check_arg(const char *what, const char *v, size_t size, int required,
	  struct ocop_error *err)
{
	struct ocop_buf why;
	char *tmp = ocop_xmalloc(size);
	int rc = 0;

	ocop_buf_init(&why, 4096);
	if (take(&why, what, v, tmp, size, required ? REQUIRED : 0) < 0)
		rc = ocop_error_set(err, OCOP_EINVAL, "%s", why.data);
	ocop_buf_release(&why);
	free(tmp);
	return rc;
}

int
registry_history(struct ocop_store *st, int64_t product_id,
		 struct ocop_history *h, struct ocop_error *err)
{
	int rc;

	if ((rc = st->m->history_read(st, product_id, h, err)) < 0)
		return rc;
	ocop_history_resolve(h);
	return 0;
}

int
registry_histories(struct ocop_store *st, const int64_t *ids, size_t n,
		   struct ocop_history *h, struct ocop_error *err)
{
	int rc;

	if ((rc = st->m->history_read_many(st, ids, n, h, err)) < 0)
		return rc;
	for (size_t k = 0; k < n; k++)
		ocop_history_resolve(&h[k]);
	return 0;
}

/* The product and its resolved history. */
static int
load(struct ocop_store *st, const char *code, struct ocop_product *p,
     struct ocop_history *h, struct ocop_error *err)
{
	int rc;

	if ((rc = st->m->product_get(st, code, p, err)) < 0)
		return rc;
	return registry_history(st, p->id, h, err);
}

int
registry_grant(struct ocop_store *st, const char *code,
	       struct ocop_recognition *r, int *changed, struct ocop_error *err)
{
	struct ocop_product p;
	struct ocop_history h;
	char a[11], b[11];
	int rc;

	if (r->stars < 3 || r->stars > 5)
		return ocop_error_set(err, OCOP_EINVAL,
				      "invalid stars %d: expected 3, 4 or 5",
				      r->stars);
	if ((rc = check_arg("decision number", r->decision_no,
			    sizeof(r->decision_no), 1, err)) < 0 ||
	    (rc = check_arg("issuer", r->issuer, sizeof(r->issuer), 0, err)) <
		0 ||
	    (rc = check_arg("source", r->source, sizeof(r->source), 0, err)) <
		0)
		return rc;
	if (r->decided_on == OCOP_NO_DAY)
		return ocop_error_set(err, OCOP_EINVAL,
				      "a recognition needs its decision date");
	if ((rc = st->m->product_get(st, code, &p, err)) < 0)
		return rc;
	if (!r->issuer[0])
		registry_default_issuer(r->stars, r->decided_on,
					p.producer.province, r->issuer,
					sizeof(r->issuer));
	r->valid_from = r->decided_on;
	if (r->valid_until == OCOP_NO_DAY)
		r->valid_until = ocop_default_valid_until(r->valid_from);
	if (r->valid_until < r->valid_from)
		return ocop_error_set(err, OCOP_EINVAL,
				      "valid-until %s is before the decision "
				      "date %s",
				      ocop_day_format(r->valid_until, a),
				      ocop_day_format(r->decided_on, b));
	r->extended_until = OCOP_NO_DAY;
	if ((rc = st->m->begin(st, err)) < 0)
		return rc;
	ocop_history_init(&h);
	if ((rc = registry_history(st, p.id, &h, err)) < 0 ||
	    (rc = same_day(&h, r, err)) < 0 ||
	    (rc = st->m->recognition_add(st, p.id, r, changed, err)) < 0) {
		ocop_history_release(&h);
		st->m->rollback(st);
		return ocop_error_prefix(err, "product '%s'", code);
	}
	ocop_history_release(&h);
	return st->m->commit(st, err);
}

/*
 * Extend the recognition with decision_no (NULL or "": the latest) of
 * h, the resolved history of product code. Any recognition may be
 * extended, whatever was entered after it: the validity engine ends it
 * at its successor's start or its revocation all the same.
 */
static int
extend_rec(struct ocop_store *st, const char *code, struct ocop_history *h,
	   const char *decision_no, int32_t until, const char *ext_decision_no,
	   struct ocop_recognition *out, int *changed, struct ocop_error *err)
{
	struct ocop_recognition *r;
	char a[11], b[11], c[11];
	int rc, i;

	*changed = 0;
	if (!ext_decision_no)
		ext_decision_no = "";
	if (h->nrecs == 0)
		return ocop_error_set(
		    err, OCOP_EREFUSED,
		    "product '%s' has no recognition to extend", code);
	i = (int)h->nrecs - 1;
	if (decision_no && *decision_no) {
		for (i = (int)h->nrecs - 1; i >= 0; i--)
			if (strcmp(h->recs[i].decision_no, decision_no) == 0)
				break;
		if (i < 0)
			return ocop_error_set(err, OCOP_ENOENT,
					      "product '%s' has no recognition "
					      "with decision '%s'",
					      code, decision_no);
	}
	r = &h->recs[i];
	if (until < r->valid_until)
		return ocop_error_set(err, OCOP_EREFUSED,
				      "extension until %s is before the end of "
				      "recognition '%s' (valid until %s)",
				      ocop_day_format(until, a), r->decision_no,
				      ocop_day_format(r->valid_until, b));
	if (until > r->valid_until + REGISTRY_MAX_EXTENSION_DAYS)
		return ocop_error_set(
		    err, OCOP_EREFUSED,
		    "extension until %s is more than %d days "
		    "after recognition '%s' ends (valid until "
		    "%s; at most %s)",
		    ocop_day_format(until, a), REGISTRY_MAX_EXTENSION_DAYS,
		    r->decision_no, ocop_day_format(r->valid_until, b),
		    ocop_day_format(
			r->valid_until + REGISTRY_MAX_EXTENSION_DAYS, c));
	if (r->extended_until != until ||
	    strcmp(r->ext_decision_no, ext_decision_no) != 0) {
		if ((rc = st->m->extension_add(st, r->id, until,
					       ext_decision_no, err)) < 0)
			return rc;
		*changed = 1;
		r->extended_until = until;
		ocop_strlcpy(r->ext_decision_no, ext_decision_no,
			     sizeof(r->ext_decision_no));
	}
	if (out)
		*out = *r;
	return 0;
}

int
registry_extend(struct ocop_store *st, const char *code,
		const char *decision_no, int32_t until,
		const char *ext_decision_no, struct ocop_recognition *out,
		int *changed, struct ocop_error *err)
{
	struct ocop_product p;
	struct ocop_history h;
	int rc, dummy;

	if (!changed)
		changed = &dummy;
	*changed = 0;
	if (ext_decision_no &&
	    (rc = check_arg("extension decision number", ext_decision_no, 128,
			    0, err)) < 0)
		return rc;
	ocop_history_init(&h);
	if ((rc = load(st, code, &p, &h, err)) < 0)
		goto out;
	rc = extend_rec(st, code, &h, decision_no, until, ext_decision_no, out,
			changed, err);
out:
	ocop_history_release(&h);
	return rc;
}

int
registry_revoke(struct ocop_store *st, const char *code,
		struct ocop_revocation *v, int *changed, struct ocop_error *err)
{
	struct ocop_product p;
	struct ocop_history h;
	char a[11], b[11];
	int rc;

	if ((rc = check_arg("decision number", v->decision_no,
			    sizeof(v->decision_no), 1, err)) < 0)
		return rc;
	if (!ocop_ground_name(v->ground))
		return ocop_error_set(err, OCOP_EINVAL,
				      "a revocation needs its ground");
	if (v->revoked_on == OCOP_NO_DAY)
		return ocop_error_set(err, OCOP_EINVAL,
				      "a revocation needs its date");
	ocop_history_init(&h);
	if ((rc = load(st, code, &p, &h, err)) < 0)
		goto out;
	if (h.nrecs == 0) {
		rc = ocop_error_set(err, OCOP_EREFUSED,
				    "product '%s' has no recognition to revoke",
				    code);
		goto out;
	}
	if (v->revoked_on < h.recs[0].valid_from) {
		rc = ocop_error_set(err, OCOP_EREFUSED,
				    "revocation date %s is before the first "
				    "recognition of product '%s' (valid from "
				    "%s)",
				    ocop_day_format(v->revoked_on, a), code,
				    ocop_day_format(h.recs[0].valid_from, b));
		goto out;
	}
	if ((rc = st->m->begin(st, err)) < 0)
		goto out;
	if ((rc = st->m->revocation_add(st, p.id, v, changed, err)) < 0) {
		st->m->rollback(st);
		ocop_error_prefix(err, "product '%s'", code);
		goto out;
	}
	rc = st->m->commit(st, err);
out:
	ocop_history_release(&h);
	return rc;
}

/* ---- status -------------------------------------------------------- */

static const char *const status_names[] = {"in_force", "expired", "revoked"};

const char *
registry_status_name(enum registry_status s)
{
	if ((unsigned)s >= sizeof(status_names) / sizeof(status_names[0]))
		return "expired";
	return status_names[s];
}

int
registry_status_parse(const char *s, enum registry_status *out)
{
	for (size_t i = 0; i < sizeof(status_names) / sizeof(status_names[0]);
	     i++) {
		if (strcmp(s, status_names[i]) == 0) {
			*out = (enum registry_status)i;
			return 0;
		}
	}
	return OCOP_EINVAL;
}

enum registry_status
registry_status_of(const struct ocop_history *h, int32_t day, int *rec)
{
	int i = ocop_history_in_force(h, day);
	enum registry_status s = REGISTRY_IN_FORCE;

	if (i < 0) {
		i = ocop_history_latest_started(h, day);
		s = REGISTRY_EXPIRED;
		if (i >= 0 && h->recs[i].revoked_on != OCOP_NO_DAY &&
		    h->recs[i].revoked_on <= day)
			s = REGISTRY_REVOKED;
		if (i < 0 && h->nrecs > 0)
			i = 0;
	}
	if (rec)
		*rec = i;
	return s;
}
