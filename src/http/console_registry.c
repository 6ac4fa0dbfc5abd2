/*
 * console_registry.c - /console/registry (SPEC 8), the office's entries
 * in the registry: uploading registry, extension and revocation files
 * (the import of `ocop registry import`, all rows or none, every bad row
 * listed) and the forms of `ocop cert grant|extend|revoke`. Each change
 * is in the audit log with the person and the client network, written in
 * the change's own transaction.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "console.h"
#include "console_office.h"
#include "registry.h"
#include "server_int.h"

static const struct office_word words[] = {
    {"t_intro",
     "Nhập danh sách sản phẩm OCOP của tỉnh và ghi các quyết định công "
     "nhận, gia hạn, thu hồi.",
     "Import the province's OCOP registry and record recognition, "
     "extension and revocation decisions."},
    {"t_import", "Nhập tệp danh sách", "Import registry files"},
    {"t_import_help",
     "Tệp CSV (UTF-8, có dòng tiêu đề) hoặc JSON. Nếu có dòng sai, không "
     "dòng nào được nhập; mọi dòng sai được liệt kê bên dưới.",
     "CSV (UTF-8, with a header row) or JSON. When any row is bad, no row "
     "is imported; every bad row is listed below."},
    {"t_file_registry", "Tệp công nhận", "Recognitions file"},
    {"t_file_extensions", "Tệp gia hạn", "Extensions file"},
    {"t_file_revocations", "Tệp thu hồi", "Revocations file"},
    {"t_do_import", "Nhập", "Import"},
    {"t_problems", "Các dòng sai", "Bad rows"},
    {"t_col_file", "Tệp", "File"},
    {"t_col_row", "Dòng", "Row"},
    {"t_col_field", "Trường", "Field"},
    {"t_col_why", "Lý do", "Why"},
    {"t_grant", "Ghi quyết định công nhận", "Record a recognition"},
    {"t_extend", "Gia hạn công nhận", "Extend a recognition"},
    {"t_revoke", "Ghi quyết định thu hồi", "Record a revocation"},
    {"t_code", "Mã sản phẩm", "Product code"},
    {"t_stars", "Hạng sao", "Stars"},
    {"t_decision", "Số quyết định", "Decision number"},
    {"t_date", "Ngày quyết định", "Decision date"},
    {"t_issuer", "Cơ quan công nhận (để trống: theo quy định)",
     "Issuer (empty: the default)"},
    {"t_valid_until", "Hiệu lực đến (để trống: 36 tháng)",
     "Valid until (empty: 36 months)"},
    {"t_source", "Nguồn công bố", "Where published"},
    {"t_until", "Gia hạn đến", "Extended until"},
    {"t_ext_decision_of",
     "Số quyết định được gia hạn (để trống: quyết định mới nhất)",
     "Decision extended (empty: the latest)"},
    {"t_ext_decision", "Số quyết định gia hạn", "Extension decision number"},
    {"t_revoked_on", "Ngày thu hồi", "Revoked on"},
    {"t_ground", "Căn cứ thu hồi", "Ground"},
    {"t_note", "Ghi chú", "Note"},
    {"t_do_grant", "Ghi công nhận", "Record recognition"},
    {"t_do_extend", "Gia hạn", "Extend"},
    {"t_do_revoke", "Thu hồi", "Revoke"},
    {"t_date_hint", "YYYY-MM-DD", "YYYY-MM-DD"},
    {"t_g_a", "a) hồ sơ gian dối", "a) false dossier"},
    {"t_g_b", "b) không còn đáp ứng tiêu chí", "b) criteria no longer met"},
    {"t_g_c", "c) vi phạm chất lượng, nhãn mác",
     "c) quality or labelling violation"},
    {"t_g_d", "d) sử dụng sai biểu trưng OCOP", "d) misuse of the OCOP mark"},
    {"t_g_dd", "đ) ngừng sản xuất", "đ) production stopped"},
    {"t_g_e", "e) kết luận khác của cơ quan có thẩm quyền",
     "e) other official conclusion"},
    {"t_g_lapsed", "hết hạn, không đánh giá lại",
     "lapsed (expired without re-evaluation)"},
};

/* The fields of the three forms: each has a value to fill again and an
 * error to show next to it. */
static const char *const fields[] = {
    "g_code",	  "g_stars",	   "g_decision",     "g_date",
    "g_issuer",	  "g_valid_until", "g_source",	     "x_code",
    "x_until",	  "x_decision",	   "x_ext_decision", "r_code",
    "r_decision", "r_date",	   "r_ground",	     "r_note",
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))
/* each field's error, "e_" and its name */
static const char *const field_errors[NFIELDS] = {
    "e_g_code",	    "e_g_stars",       "e_g_decision",	   "e_g_date",
    "e_g_issuer",   "e_g_valid_until", "e_g_source",	   "e_x_code",
    "e_x_until",    "e_x_decision",    "e_x_ext_decision", "e_r_code",
    "e_r_decision", "e_r_date",	       "e_r_ground",	   "e_r_note",
};
/* the text fields as inputs: their placeholder, label, type, whether
 * required (the lists, stars and ground, are in the template) */
static const struct {
	const char *field, *var, *label, *type;
	int required;
} inputs[] = {
    {"g_code", "f_g_code", "t_code", "text", 1},
    {"g_decision", "f_g_decision", "t_decision", "text", 1},
    {"g_date", "f_g_date", "t_date", "date", 1},
    {"g_valid_until", "f_g_valid_until", "t_valid_until", "date", 0},
    {"g_issuer", "f_g_issuer", "t_issuer", "text", 0},
    {"g_source", "f_g_source", "t_source", "text", 0},
    {"x_code", "f_x_code", "t_code", "text", 1},
    {"x_until", "f_x_until", "t_until", "date", 1},
    {"x_decision", "f_x_decision", "t_ext_decision_of", "text", 0},
    {"x_ext_decision", "f_x_ext_decision", "t_ext_decision", "text", 0},
    {"r_code", "f_r_code", "t_code", "text", 1},
    {"r_decision", "f_r_decision", "t_decision", "text", 1},
    {"r_date", "f_r_date", "t_revoked_on", "date", 1},
    {"r_note", "f_r_note", "t_note", "text", 0},
};
/* the choices of the stars' and the ground's lists: "sel_" and value */
static const char *const choices[][2] = {
    {"g_stars", "3"},	    {"g_stars", "4"},	{"g_stars", "5"},
    {"r_ground", "a"},	    {"r_ground", "b"},	{"r_ground", "c"},
    {"r_ground", "d"},	    {"r_ground", "dd"}, {"r_ground", "e"},
    {"r_ground", "lapsed"},
};
static const char *const choice_vars[] = {
    "sel_s3", "sel_s4", "sel_s5",  "sel_ga", "sel_gb",
    "sel_gc", "sel_gd", "sel_gdd", "sel_ge", "sel_glapsed",
};

struct regpage {
	struct office_vars vs;
	const char *lang;
	int status;
	char *val[NFIELDS];
	char *ferr[NFIELDS];
	char *notice;		   /* what was done */
	char *form_error;	   /* a form's failure not of one field */
	const char *form_error_of; /* "grant", "extend", "revoke", "import" */
	struct ocop_buf problems;  /* rows of the bad rows' table */
	int render_failed;	   /* a row could not be rendered */
	size_t nproblems, more;
};

static int
field_index(const char *name)
{
	for (size_t i = 0; i < NFIELDS; i++)
		if (strcmp(fields[i], name) == 0)
			return (int)i;
	return -1;
}

static void
regpage_init(struct regpage *p, struct conn *c)
{
	memset(p, 0, sizeof(*p));
	office_vars_init(&p->vs);
	p->lang = console_lang(c);
	p->status = 200;
	ocop_buf_init(&p->problems, (size_t)32 << 20);
}

static void
regpage_release(struct regpage *p)
{
	for (size_t i = 0; i < NFIELDS; i++) {
		free(p->val[i]);
		free(p->ferr[i]);
	}
	free(p->notice);
	free(p->form_error);
	ocop_buf_release(&p->problems);
	office_vars_release(&p->vs);
}

static const char *
tr(const struct regpage *p, const char *vi, const char *en)
{
	return strcmp(p->lang, "en") == 0 ? en : vi;
}

/* A field's error in the page's language; the first one stays. */
static void field_error(struct regpage *p, const char *field, const char *fmt,
			...) __attribute__((format(printf, 3, 4)));
static void
field_error(struct regpage *p, const char *field, const char *fmt, ...)
{
	int i = field_index(field);
	va_list ap;
	char *s;

	if (i < 0 || p->ferr[i])
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	p->ferr[i] = s;
	p->status = 422;
}

static void
form_error(struct regpage *p, const char *of, int status, const char *vi,
	   const char *en, const char *detail)
{
	free(p->form_error);
	if (asprintf(&p->form_error, "%s%s%s", tr(p, vi, en),
		     detail ? ": " : "", detail ? detail : "") < 0)
		abort();
	p->form_error_of = of;
	p->status = status;
}

static void notice(struct regpage *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
notice(struct regpage *p, const char *fmt, ...)
{
	va_list ap;

	free(p->notice);
	va_start(ap, fmt);
	if (vasprintf(&p->notice, fmt, ap) < 0)
		abort();
	va_end(ap);
}

/* The posted value of field prefix_name, kept to fill the form again;
 * NULL when empty. */
static const char *
posted(struct regpage *p, const struct console_form *f, const char *field)
{
	const char *v = console_field(f, field + 2);
	int i = field_index(field);

	if (i >= 0) {
		free(p->val[i]);
		p->val[i] = ocop_xstrdup(v ? v : "");
	}
	return v && *v ? v : NULL;
}

static int
day_field(struct regpage *p, const char *field, const char *v, int32_t *day)
{
	struct ocop_error e = {0};

	if (ocop_day_parse(v, day, &e) < 0) {
		field_error(p, field, "%s (%s)",
			    tr(p, "Ngày không hợp lệ, viết YYYY-MM-DD",
			       "Invalid date, write YYYY-MM-DD"),
			    e.msg);
		return -1;
	}
	return 0;
}

static int
text_field(struct regpage *p, const char *field, const char *v, char *out,
	   size_t size)
{
	if (ocop_strlcpy(out, v ? v : "", size) < 0) {
		field_error(p, field, "%s %zu bytes",
			    tr(p, "Quá dài, tối đa", "Too long, at most"),
			    size - 1);
		return -1;
	}
	return 0;
}

static int
required(struct regpage *p, const char *field, const char *v)
{
	if (v)
		return 0;
	field_error(p, field, "%s",
		    tr(p, "Cần điền trường này", "This field is required"));
	return -1;
}

/* ---- the change and its audit entry, in one transaction ---------------- */

static struct ocop_store *
writer(struct conn *c, struct regpage *p, const char *of,
       struct ocop_error *err)
{
	struct ocop_store *st = server_write_store(c->srv, err);

	if (!st || st->m->begin(st, err) < 0) {
		form_error(p, of, 500, "Không mở được cơ sở dữ liệu",
			   "Cannot open the database", err->msg);
		return NULL;
	}
	return st;
}

/* As ocop cert: what was already recorded exactly so (changed 0) is no
 * change, and leaves no entry. */
static int
audited(struct conn *c, struct ocop_store *st, int ok, int changed,
	const char *action, const char *subject, const char *detail,
	struct ocop_error *err)
{
	char actor[200];

	if (ok < 0 ||
	    (changed &&
	     audit_add(st, console_actor(c, actor, sizeof(actor)), action,
		       subject, console_net(c), detail, ocop_now(), err) < 0)) {
		st->m->rollback(st);
		return ok < 0 ? ok : -1;
	}
	return st->m->commit(st, err);
}

/* Where a library refusal belongs: the field it names, else the form. */
static void
refused(struct regpage *p, const char *of, int rc, const char *code_field,
	const char *decision_field, const struct ocop_error *err)
{
	if (rc == OCOP_ENOENT)
		field_error(p, code_field, "%s (%s)",
			    tr(p, "Không có sản phẩm này trong danh sách",
			       "No such product in the registry"),
			    err->msg);
	else if (rc == OCOP_EEXIST && decision_field)
		field_error(p, decision_field, "%s (%s)",
			    tr(p,
			       "Quyết định này đã được ghi với nội dung "
			       "khác",
			       "This decision is recorded with other content"),
			    err->msg);
	else if (rc == OCOP_EINVAL || rc == OCOP_EREFUSED || rc == OCOP_EEXIST)
		form_error(p, of, 422, "Không ghi được", "Not recorded",
			   err->msg);
	else
		form_error(p, of, 500, "Lỗi khi ghi", "Failed to record",
			   err->msg);
}

static void
do_grant(struct conn *c, struct regpage *p, const struct console_form *f)
{
	struct ocop_error err = {0};
	struct ocop_recognition r;
	struct ocop_store *st;
	const char *code = posted(p, f, "g_code"),
		   *stars = posted(p, f, "g_stars"),
		   *decision = posted(p, f, "g_decision"),
		   *date = posted(p, f, "g_date"),
		   *issuer = posted(p, f, "g_issuer"),
		   *until = posted(p, f, "g_valid_until"),
		   *source = posted(p, f, "g_source");
	char from[11], to[11], detail[400];
	int changed = 0, rc;

	memset(&r, 0, sizeof(r));
	r.valid_until = OCOP_NO_DAY;
	required(p, "g_code", code);
	if (required(p, "g_stars", stars) == 0 &&
	    (strlen(stars) != 1 || stars[0] < '3' || stars[0] > '5'))
		field_error(
		    p, "g_stars", "%s",
		    tr(p, "Hạng sao là 3, 4 hoặc 5", "Stars are 3, 4 or 5"));
	else if (stars)
		r.stars = stars[0] - '0';
	if (required(p, "g_decision", decision) == 0)
		text_field(p, "g_decision", decision, r.decision_no,
			   sizeof(r.decision_no));
	if (required(p, "g_date", date) == 0)
		day_field(p, "g_date", date, &r.decided_on);
	text_field(p, "g_issuer", issuer, r.issuer, sizeof(r.issuer));
	text_field(p, "g_source", source, r.source, sizeof(r.source));
	if (until)
		day_field(p, "g_valid_until", until, &r.valid_until);
	if (p->status != 200 || !(st = writer(c, p, "grant", &err)))
		return;
	rc = registry_grant(st, code, &r, &changed, &err);
	snprintf(detail, sizeof(detail), "%d stars, decision %s", r.stars,
		 r.decision_no);
	if ((rc = audited(c, st, rc, changed, "cert.grant", code, detail,
			  &err)) < 0) {
		refused(p, "grant", rc, "g_code", "g_decision", &err);
		return;
	}
	notice(p, "%s %s: %d★, %s %s, %s %s … %s%s", code,
	       tr(p, "đã ghi công nhận", "recognition recorded"), r.stars,
	       tr(p, "quyết định", "decision"), r.decision_no,
	       tr(p, "hiệu lực", "valid"), ocop_day_format(r.valid_from, from),
	       ocop_day_format(r.valid_until, to),
	       changed ? ""
		       : tr(p, " (đã có từ trước)", " (already recorded)"));
	for (size_t i = 0; i < NFIELDS; i++)
		if (fields[i][0] == 'g') {
			free(p->val[i]);
			p->val[i] = NULL;
		}
}

static void
do_extend(struct conn *c, struct regpage *p, const struct console_form *f)
{
	struct ocop_error err = {0};
	struct ocop_recognition r;
	struct ocop_store *st;
	const char *code = posted(p, f, "x_code"),
		   *until_s = posted(p, f, "x_until"),
		   *decision = posted(p, f, "x_decision"),
		   *ext = posted(p, f, "x_ext_decision");
	char u[11], detail[400];
	int32_t until = OCOP_NO_DAY;
	int changed = 0, rc;

	memset(&r, 0, sizeof(r));
	required(p, "x_code", code);
	if (required(p, "x_until", until_s) == 0)
		day_field(p, "x_until", until_s, &until);
	if (decision && strlen(decision) >= sizeof(r.decision_no))
		field_error(p, "x_decision", "%s",
			    tr(p, "Quá dài", "Too long"));
	if (p->status != 200 || !(st = writer(c, p, "extend", &err)))
		return;
	rc =
	    registry_extend(st, code, decision, until, ext, &r, &changed, &err);
	snprintf(detail, sizeof(detail), "decision %s until %s", r.decision_no,
		 until_s);
	if ((rc = audited(c, st, rc, changed, "cert.extend", code, detail,
			  &err)) < 0) {
		refused(p, "extend", rc, "x_code", NULL, &err);
		return;
	}
	notice(p, "%s: %s %s %s %s%s", code, tr(p, "quyết định", "decision"),
	       r.decision_no, tr(p, "gia hạn đến", "extended until"),
	       ocop_day_format(r.extended_until, u),
	       changed ? ""
		       : tr(p, " (đã có từ trước)", " (already recorded)"));
	for (size_t i = 0; i < NFIELDS; i++)
		if (fields[i][0] == 'x') {
			free(p->val[i]);
			p->val[i] = NULL;
		}
}

static void
do_revoke(struct conn *c, struct regpage *p, const struct console_form *f)
{
	struct ocop_error err = {0};
	struct ocop_revocation v;
	struct ocop_store *st;
	const char *code = posted(p, f, "r_code"),
		   *decision = posted(p, f, "r_decision"),
		   *date = posted(p, f, "r_date"),
		   *ground = posted(p, f, "r_ground"),
		   *note = posted(p, f, "r_note");
	char d[11], detail[400];
	int changed = 0, rc;

	memset(&v, 0, sizeof(v));
	required(p, "r_code", code);
	if (required(p, "r_decision", decision) == 0)
		text_field(p, "r_decision", decision, v.decision_no,
			   sizeof(v.decision_no));
	if (required(p, "r_date", date) == 0)
		day_field(p, "r_date", date, &v.revoked_on);
	if (required(p, "r_ground", ground) == 0 &&
	    ocop_ground_parse(ground, &v.ground) < 0)
		field_error(p, "r_ground", "%s",
			    tr(p, "Căn cứ là a, b, c, d, đ, e hoặc hết hạn",
			       "The ground is a, b, c, d, dd, e or lapsed"));
	text_field(p, "r_note", note, v.note, sizeof(v.note));
	if (p->status != 200 || !(st = writer(c, p, "revoke", &err)))
		return;
	rc = registry_revoke(st, code, &v, &changed, &err);
	snprintf(detail, sizeof(detail), "decision %s of %s, ground %s",
		 v.decision_no, date, ground);
	if ((rc = audited(c, st, rc, changed, "cert.revoke", code, detail,
			  &err)) < 0) {
		refused(p, "revoke", rc, "r_code", "r_decision", &err);
		return;
	}
	notice(p, "%s: %s %s %s %s%s", code,
	       tr(p, "đã ghi thu hồi, quyết định",
		  "revocation recorded, "
		  "decision"),
	       v.decision_no, tr(p, "ngày", "of"),
	       ocop_day_format(v.revoked_on, d),
	       changed ? ""
		       : tr(p, " (đã có từ trước)", " (already recorded)"));
	for (size_t i = 0; i < NFIELDS; i++)
		if (fields[i][0] == 'r') {
			free(p->val[i]);
			p->val[i] = NULL;
		}
}

/* ---- import ------------------------------------------------------------- */

static int
word_char(char ch)
{
	return ch == '_' || isalnum((unsigned char)ch);
}

/* The column a reason is about: the earliest column name in it, as a
 * word, the longer one when two start at the same place. */
static const char *
reason_field(const char *why)
{
	static const char *const *const lists[] = {registry_recognition_columns,
						   registry_revocation_columns,
						   registry_extension_columns};
	const char *best = NULL, *best_at = NULL;

	for (size_t l = 0; l < 3; l++)
		for (const char *const *col = lists[l]; *col; col++) {
			size_t n = strlen(*col);

			for (const char *s = strcasestr(why, *col); s;
			     s = strcasestr(s + 1, *col)) {
				int left = s == why || !word_char(s[-1]);
				int right = !word_char(s[n]);

				if (!left || !right)
					continue;
				if (!best_at || s < best_at ||
				    (s == best_at && n > strlen(best))) {
					best = *col;
					best_at = s;
				}
				break;
			}
		}
	return best ? best : "";
}

/* One problem message ("NAME line N: why; why", "NAME item N: ...",
 * "NAME: ...") as rows of the table: one per reason. */
static int
problem_rows(struct regpage *p, const char *name, const char *msg,
	     struct ocop_error *err)
{
	struct office_vars rv;
	const char *rest = msg, *row = "";
	char rowbuf[48] = "";
	size_t nl = strlen(name);
	char *copy, *reason, *save = NULL;
	int rc = 0;

	if (strncmp(rest, name, nl) == 0 &&
	    (rest[nl] == ' ' || rest[nl] == ':'))
		rest += nl;
	while (*rest == ' ' || *rest == ':')
		rest++;
	if (strncmp(rest, "line ", 5) == 0 || strncmp(rest, "item ", 5) == 0) {
		size_t k = strcspn(rest + 5, ":");

		snprintf(rowbuf, sizeof(rowbuf), "%s%.*s",
			 rest[0] == 'i' ? tr(p, "mục ", "item ") : "",
			 (int)(k < 30 ? k : 30), rest + 5);
		row = rowbuf;
		rest += 5 + k;
		while (*rest == ' ' || *rest == ':')
			rest++;
	}
	copy = ocop_xstrdup(rest);
	for (reason = strtok_r(copy, ";", &save); reason && rc == 0;
	     reason = strtok_r(NULL, ";", &save)) {
		while (*reason == ' ')
			reason++;
		office_vars_init(&rv);
		office_var(&rv, "file", name);
		office_var(&rv, "row", row);
		office_var(&rv, "field", reason_field(reason));
		office_var(&rv, "why", reason);
		rc = office_render(&p->problems, "registry_problem.html", &rv,
				   err);
		office_vars_release(&rv);
		p->nproblems++;
	}
	free(copy);
	return rc;
}

static int
kind_rank(enum registry_kind k)
{
	return k == REGISTRY_REVOCATIONS ? 2 : k == REGISTRY_EXTENSIONS ? 1 : 0;
}

static void
summary_text(struct regpage *p, struct ocop_buf *b, const char *name,
	     const struct registry_summary *s)
{
	ocop_buf_addf(b, "%s%s: %zu %s, %zu %s, %zu %s", b->len ? "; " : "",
		      name, s->rows, tr(p, "dòng", "rows"), s->added,
		      tr(p, "dòng mới", "added"), s->unchanged,
		      tr(p, "dòng không đổi", "unchanged"));
}

static void
do_import(struct conn *c, struct regpage *p, const struct console_form *f)
{
	static const char *const slots[] = {"registry", "extensions",
					    "revocations"};
	struct ocop_error err = {0};
	struct registry_problems probs;
	struct registry_summary sums[3];
	struct ocop_store *st;
	struct ocop_buf said;
	const char *data[3], *name[3];
	char names[3][200];
	size_t len[3];
	int order[3], n = 0, rc = 0;

	memset(sums, 0, sizeof(sums));
	for (int i = 0; i < 3; i++) {
		const char *fn = NULL;

		data[i] = NULL;
		len[i] = 0;
		if (console_file(f, slots[i], &data[i], &len[i], &fn) < 0) {
			data[i] = NULL;
			continue;
		}
		/* the name the browser gave, for messages and its extension
		 * as a format hint */
		snprintf(names[i], sizeof(names[i]), "%s",
			 fn && *fn ? fn : slots[i]);
		name[i] = names[i];
	}
	for (int k = 0; k < 3; k++)
		for (int i = 0; i < 3; i++)
			if (data[i] && kind_rank(registry_sniff_kind(
					   name[i], data[i], len[i])) == k)
				order[n++] = i;
	if (n == 0) {
		form_error(p, "import", 422, "Chưa chọn tệp nào",
			   "No file chosen", NULL);
		return;
	}
	if (!(st = writer(c, p, "import", &err)))
		return;
	registry_problems_init(&probs);
	for (int k = 0; k < n; k++) {
		int i = order[k];

		rc = registry_import_buffer(st, name[i], data[i], len[i],
					    &sums[i], &probs, &err);
		/* a file that changed nothing is no change to record */
		if (rc == 0 && probs.total == 0 && sums[i].added > 0) {
			char actor[200], detail[160];

			snprintf(detail, sizeof(detail),
				 "%zu rows, %zu added, %zu unchanged",
				 sums[i].rows, sums[i].added,
				 sums[i].unchanged);
			rc = audit_add(
			    st, console_actor(c, actor, sizeof(actor)),
			    "registry.import", name[i], console_net(c), detail,
			    ocop_now(), &err);
			if (rc < 0)
				break;
		}
		if (rc < 0 && rc != OCOP_EINVAL)
			break;
		if (rc == OCOP_EINVAL && probs.total == 0)
			break;
	}
	if (rc < 0 || probs.total > 0) {
		st->m->rollback(st);
		if (probs.total == 0) {
			form_error(
			    p, "import",
			    rc == OCOP_ETOOBIG || rc == OCOP_EINVAL ? 422 : 500,
			    "Không nhập được", "Not imported", err.msg);
			goto out;
		}
	} else if ((rc = st->m->commit(st, &err)) < 0) {
		form_error(p, "import", 500, "Không nhập được", "Not imported",
			   err.msg);
		goto out;
	}
	if (probs.total > 0) {
		/* each message names the file it is about: find which */
		for (size_t m = 0; m < probs.n; m++) {
			const char *fname = "";

			for (int k = 0; k < n; k++)
				if (strncmp(probs.msgs[m], name[order[k]],
					    strlen(name[order[k]])) == 0 &&
				    strlen(name[order[k]]) > strlen(fname))
					fname = name[order[k]];
			if (problem_rows(p, fname, probs.msgs[m], &err) < 0) {
				p->render_failed = 1;
				break;
			}
		}
		p->more = probs.total - probs.n;
		free(p->form_error);
		if (asprintf(&p->form_error, "%zu %s", probs.total,
			     tr(p, "lỗi; không dòng nào được nhập",
				"problems; nothing was imported")) < 0)
			abort();
		p->form_error_of = "import";
		p->status = 422;
		goto out;
	}
	ocop_buf_init(&said, 1 << 16);
	for (int k = 0; k < n; k++)
		summary_text(p, &said, name[order[k]], &sums[order[k]]);
	notice(p, "%s: %s", tr(p, "Đã nhập", "Imported"),
	       said.data ? said.data : "");
	ocop_buf_release(&said);
out:
	registry_problems_release(&probs);
}

/* ---- the page ------------------------------------------------------------ */

static void
show(struct conn *c, struct http_resp *resp, struct regpage *p)
{
	const struct console_user *u = console_user(c);
	struct ocop_error err = {0};
	char more[64] = "";
	int failed = 0;

	office_words(&p->vs, words, sizeof(words) / sizeof(words[0]), p->lang);
	office_var(&p->vs, "csrf", u->csrf);
	for (size_t i = 0; i < NFIELDS; i++) {
		office_var(&p->vs, fields[i], p->val[i] ? p->val[i] : "");
		office_var(&p->vs, field_errors[i],
			   p->ferr[i] ? p->ferr[i] : "");
	}
	for (size_t i = 0; i < sizeof(choices) / sizeof(choices[0]); i++) {
		int k = field_index(choices[i][0]);

		office_var(&p->vs, choice_vars[i],
			   k >= 0 && p->val[k] &&
				   strcmp(p->val[k], choices[i][1]) == 0
			       ? "1"
			       : "");
	}
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		struct ocop_buf html;
		int k = field_index(inputs[i].field);
		const char *label = "";

		for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++)
			if (strcmp(words[w].name, inputs[i].label) == 0)
				label = office_word(&words[w], p->lang);
		ocop_buf_init(&html, 1 << 16);
		failed |= office_field(&html, inputs[i].field,
				       inputs[i].field + 2, label,
				       inputs[i].type, inputs[i].required,
				       p->val[k], p->ferr[k], &err);
		office_var_copy(&p->vs, inputs[i].var,
				html.data ? html.data : "");
		ocop_buf_release(&html);
	}
	office_style(&p->vs);
	office_var(&p->vs, "notice", p->notice);
	office_var(&p->vs, "import_error",
		   p->form_error_of && !strcmp(p->form_error_of, "import")
		       ? p->form_error
		       : "");
	office_var(&p->vs, "grant_error",
		   p->form_error_of && !strcmp(p->form_error_of, "grant")
		       ? p->form_error
		       : "");
	office_var(&p->vs, "extend_error",
		   p->form_error_of && !strcmp(p->form_error_of, "extend")
		       ? p->form_error
		       : "");
	office_var(&p->vs, "revoke_error",
		   p->form_error_of && !strcmp(p->form_error_of, "revoke")
		       ? p->form_error
		       : "");
	office_var(&p->vs, "problems", p->nproblems ? "1" : "");
	office_var(&p->vs, "problem_rows",
		   p->problems.data ? p->problems.data : "");
	if (p->more)
		snprintf(more, sizeof(more), "%s %zu %s",
			 tr(p, "… và", "… and"), p->more,
			 tr(p, "lỗi khác", "more problems"));
	office_var(&p->vs, "more", more);
	office_var(&p->vs, "t_heading",
		   tr(p, "Danh sách sản phẩm OCOP", "OCOP registry"));
	if (failed || p->render_failed)
		console_error(c, resp, http_fail_status(resp, err.code),
			      err.msg);
	else {
		console_page(c, resp, p->status,
			     tr(p, "Danh sách sản phẩm OCOP", "OCOP registry"),
			     "registry.html", p->vs.v, p->vs.n);
		if (resp->status == p->status && p->form_error)
			http_resp_cause(resp, p->status, "%s", p->form_error);
	}
}

int
console_registry(struct conn *c, const char *method, struct http_resp *resp)
{
	struct regpage p;

	(void)method;
	regpage_init(&p, c);
	show(c, resp, &p);
	regpage_release(&p);
	return 0;
}

int
console_registry_post(struct conn *c, const char *method,
		      struct http_resp *resp)
{
	const struct console_form *f = console_form(c);
	const char *what = c->arg[0];
	size_t n = c->arg_len[0];
	struct regpage p;

	(void)method;
	regpage_init(&p, c);
	if (n == 6 && memcmp(what, "import", 6) == 0)
		do_import(c, &p, f);
	else if (n == 5 && memcmp(what, "grant", 5) == 0)
		do_grant(c, &p, f);
	else if (n == 6 && memcmp(what, "extend", 6) == 0)
		do_extend(c, &p, f);
	else if (n == 6 && memcmp(what, "revoke", 6) == 0)
		do_revoke(c, &p, f);
	else {
		regpage_release(&p);
		console_not_found(c, resp);
		return 0;
	}
	show(c, resp, &p);
	regpage_release(&p);
	return 0;
}
