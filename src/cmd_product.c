/*
 * cmd_product.c - ocop product list|show: the registry as it stands, with
 * each product's status on a day (today unless --as-of).
 */
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "registry.h"
#include "utf8.h"

static const char help[] =
    "usage: ocop product list [--status in_force|expired|revoked] "
    "[--as-of DATE] [--json]\n"
    "       ocop product show CODE [--as-of DATE] [--json]\n\n"
    "list: every product, ordered by code, with its status on the day\n"
    "(today in Vietnam unless --as-of YYYY-MM-DD):\n"
    "  in_force  a recognition is in force\n"
    "  revoked   none is, and the latest one that started was revoked\n"
    "  expired   none is otherwise\n"
    "and the stars and last day of the recognition in force (else of the\n"
    "latest one that started).\n"
    "show: one product, its producer and its whole history: every\n"
    "recognition with its stars, decision, dates, extension and\n"
    "revocation, and every revocation decision.\n";

static const char *const group_names[][2] = {
    {"I", "Thực phẩm / Food"},
    {"II", "Đồ uống / Drinks"},
    {"III", "Dược liệu và sản phẩm từ dược liệu / Herbal products"},
    {"IV", "Thủ công mỹ nghệ / Handicrafts"},
    {"V", "Sinh vật cảnh / Ornamental plants and animals"},
    {"VI", "Du lịch cộng đồng, sinh thái và điểm du lịch / "
	   "Community and eco-tourism"},
};

static const char *
group_name(const char *g)
{
	for (size_t i = 0; i < sizeof(group_names) / sizeof(group_names[0]);
	     i++)
		if (strcmp(group_names[i][0], g) == 0)
			return group_names[i][1];
	return "";
}

static const char *
status_text(enum registry_status s)
{
	switch (s) {
	case REGISTRY_IN_FORCE:
		return "còn hiệu lực / in force";
	case REGISTRY_REVOKED:
		return "đã bị thu hồi / revoked";
	default:
		return "hết hiệu lực / expired";
	}
}

static json_t *
day_json(int32_t day)
{
	char buf[11];

	if (day == OCOP_NO_DAY)
		return json_null();
	return json_string(ocop_day_format(day, buf));
}

static json_t *
str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static json_t *
producer_json(const struct ocop_producer *p)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:o}", "name", p->name, "kind",
			 p->kind, "province", p->province, "address",
			 p->address, "producer_id", str_or_null(p->reg_no));
}

/* A recognition as in SPEC 5's record, with the day it ends. */
static json_t *
rec_json(const struct ocop_recognition *r)
{
	const char *g = ocop_ground_name(r->ground);
	json_t *o = json_pack(
	    "{s:i, s:s, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o, "
	    "s:o}",
	    "stars", r->stars, "decision_no", r->decision_no, "decided_on",
	    day_json(r->decided_on), "issuer", r->issuer, "valid_from",
	    day_json(r->valid_from), "valid_until", day_json(r->valid_until),
	    "extended_until", day_json(r->extended_until), "revoked_on",
	    day_json(r->revoked_on), "ground", str_or_null(g),
	    "revoke_decision_no", str_or_null(r->revoke_decision_no), "end",
	    day_json(r->end >= r->valid_from ? r->end : OCOP_NO_DAY));

	json_object_set_new(o, "extension_decision_no",
			    str_or_null(r->ext_decision_no));
	json_object_set_new(o, "source", str_or_null(r->source));
	return o;
}

static json_t *
product_json(const struct ocop_product *p, enum registry_status s)
{
	return json_pack(
	    "{s:s, s:s, s:s, s:o, s:o, s:s}", "code", p->code, "name", p->name,
	    "group", p->group, "gtin", str_or_null(p->gtin), "producer",
	    producer_json(&p->producer), "status", registry_status_name(s));
}

static int
print_json(json_t *j)
{
	int rc = 0;

	if (!j || json_dumpf(j, stdout, JSON_INDENT(2)) < 0 ||
	    fputc('\n', stdout) == EOF)
		rc = cmd_failf(EXIT_SOFTWARE, "cannot write JSON output");
	json_decref(j);
	return rc;
}

/* Print s left-aligned in width display columns (the last column is not
 * padded). */
static void
cell(const char *s, size_t width, int last)
{
	size_t w = utf8_width(s);

	fputs(s, stdout);
	if (last)
		return;
	for (; w < width + 2; w++)
		fputc(' ', stdout);
}

/* ---- list ---------------------------------------------------------- */

enum {
	COL_CODE,
	COL_NAME,
	COL_GROUP,
	COL_STARS,
	COL_PRODUCER,
	COL_STATUS,
	COL_UNTIL,
	NCOLS
};

static const char *const headers[NCOLS] = {
    "MÃ/CODE",		"TÊN/NAME",	     "NHÓM/GROUP", "SAO/STARS",
    "CHỦ THỂ/PRODUCER", "TÌNH TRẠNG/STATUS", "ĐẾN/UNTIL",
};

struct row {
	struct ocop_product p;
	enum registry_status status;
	int has_rec;
	struct ocop_recognition rec;
};

struct list {
	struct ocop_store *st;
	int32_t day;
	int filter; /* -1: all, else a registry_status */
	struct ocop_history h;
	struct row *rows;
	size_t n, cap;
	struct ocop_error *err;
};

/* Collect every product (the store's iterator may not be called back
 * into); list_judge then reads each one's history. */
static int
list_one(void *ctx, const struct ocop_product *p)
{
	struct list *l = ctx;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->rows = ocop_xrealloc(l->rows, l->cap * sizeof(*l->rows));
	}
	memset(&l->rows[l->n], 0, sizeof(l->rows[l->n]));
	l->rows[l->n++].p = *p;
	return 0;
}

/* Each product's status on the day; the rows the filter keeps stay, in
 * order. */
static int
list_judge(struct list *l)
{
	size_t kept = 0;
	int i, rc;

	for (size_t k = 0; k < l->n; k++) {
		struct row *r = &l->rows[k];
		enum registry_status s;

		if ((rc = registry_history(l->st, r->p.id, &l->h, l->err)) < 0)
			return rc;
		s = registry_status_of(&l->h, l->day, &i);
		if (l->filter >= 0 && (int)s != l->filter)
			continue;
		r->status = s;
		r->has_rec = i >= 0;
		if (i >= 0)
			r->rec = l->h.recs[i];
		if (kept != k)
			l->rows[kept] = *r;
		kept++;
	}
	l->n = kept;
	return 0;
}

static void
row_cells(const struct row *r, char bufs[NCOLS][32], const char *cells[NCOLS])
{
	cells[COL_CODE] = r->p.code;
	cells[COL_NAME] = r->p.name;
	cells[COL_GROUP] = r->p.group;
	cells[COL_PRODUCER] = r->p.producer.name;
	cells[COL_STATUS] = registry_status_name(r->status);
	bufs[COL_STARS][0] = bufs[COL_UNTIL][0] = '\0';
	if (r->has_rec) {
		snprintf(bufs[COL_STARS], 32, "%d", r->rec.stars);
		if (r->rec.end >= r->rec.valid_from)
			ocop_day_format(r->rec.end, bufs[COL_UNTIL]);
	}
	cells[COL_STARS] = bufs[COL_STARS];
	cells[COL_UNTIL] = bufs[COL_UNTIL];
}

static int
list_print(const struct list *l, int json)
{
	char bufs[NCOLS][32], asof[11];
	const char *cells[NCOLS];
	size_t width[NCOLS], counts[3] = {0, 0, 0};
	json_t *arr;

	if (json) {
		arr = json_array();
		for (size_t i = 0; i < l->n; i++) {
			const struct row *r = &l->rows[i];
			json_t *o = product_json(&r->p, r->status);

			json_object_set_new(o, "recognition",
					    r->has_rec ? rec_json(&r->rec)
						       : json_null());
			json_array_append_new(arr, o);
		}
		return print_json(json_pack("{s:s, s:o}", "as_of",
					    ocop_day_format(l->day, asof),
					    "entries", arr));
	}
	for (int c = 0; c < NCOLS; c++)
		width[c] = utf8_width(headers[c]);
	for (size_t i = 0; i < l->n; i++) {
		row_cells(&l->rows[i], bufs, cells);
		for (int c = 0; c < NCOLS; c++) {
			size_t w = utf8_width(cells[c]);

			if (w > width[c])
				width[c] = w;
		}
	}
	for (int c = 0; c < NCOLS; c++)
		cell(headers[c], width[c], c == NCOLS - 1);
	fputc('\n', stdout);
	for (size_t i = 0; i < l->n; i++) {
		row_cells(&l->rows[i], bufs, cells);
		for (int c = 0; c < NCOLS; c++)
			cell(cells[c], width[c], c == NCOLS - 1);
		fputc('\n', stdout);
		counts[l->rows[i].status]++;
	}
	if (fflush(stdout) != 0)
		return cmd_failf(EXIT_CANTCREAT, "cannot write output");
	fprintf(stderr,
		"ocop: %zu product%s on %s: %zu in force, %zu expired, %zu "
		"revoked\n",
		l->n, l->n == 1 ? "" : "s", ocop_day_format(l->day, asof),
		counts[REGISTRY_IN_FORCE], counts[REGISTRY_EXPIRED],
		counts[REGISTRY_REVOKED]);
	return 0;
}

/* Options shared by list and show. */
struct opts {
	int json;
	int filter;
	int32_t day;
	int optind;
};

static int
parse_opts(const char *cmd, int argc, char **argv, int with_status,
	   struct opts *o)
{
	static const struct option opts[] = {
	    {"status", required_argument, NULL, 's'},
	    {"as-of", required_argument, NULL, 'a'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct ocop_error err = {0};
	enum registry_status s;
	int c;

	o->json = 0;
	o->filter = -1;
	o->day = ocop_today();
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (!with_status)
				return cmd_usage_error(cmd, "--status is for "
							    "'product list'");
			if (registry_status_parse(optarg, &s) < 0)
				return cmd_usage_error(
				    cmd,
				    "invalid --status '%s': expected "
				    "in_force, expired or revoked",
				    optarg);
			o->filter = (int)s;
			break;
		case 'a':
			if (ocop_day_parse(optarg, &o->day, &err) < 0)
				return cmd_failf(EXIT_DATAERR,
						 "invalid --as-of: %s",
						 err.msg);
			break;
		case 'j':
			o->json = 1;
			break;
		case 'h':
			fputs(help, stdout);
			return -1;
		default:
			return cmd_usage_error(cmd, "bad option");
		}
	}
	o->optind = optind;
	return 0;
}

static int
product_list(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct ocop_error err = {0};
	struct ocop_store *st = NULL;
	struct list l;
	struct opts o;
	int rc;

	if ((rc = parse_opts("product", argc, argv, 1, &o)) != 0)
		return rc < 0 ? 0 : rc;
	if (o.optind < argc)
		return cmd_usage_error("product", "unexpected argument '%s'",
				       argv[o.optind]);
	if ((rc = cmd_open_store(ctx, &st)) != 0)
		return rc;
	memset(&l, 0, sizeof(l));
	l.st = st;
	l.day = o.day;
	l.filter = o.filter;
	l.err = &err;
	ocop_history_init(&l.h);
	if ((rc = st->m->product_each(st, list_one, &l, &err)) < 0 ||
	    (rc = list_judge(&l)) < 0)
		rc = cmd_fail(&err);
	else
		rc = list_print(&l, o.json);
	ocop_history_release(&l.h);
	free(l.rows);
	ocop_store_close(st);
	return rc;
}

/* ---- show ---------------------------------------------------------- */

static int
show_json(const struct ocop_product *p, const struct ocop_history *h,
	  enum registry_status s, int cur, int32_t day)
{
	json_t *o, *recs = json_array(), *revs = json_array();
	char asof[11];

	for (size_t i = 0; i < h->nrecs; i++) {
		json_t *r = rec_json(&h->recs[i]);

		json_object_set_new(r, "in_force",
				    json_boolean(h->recs[i].valid_from <= day &&
						 day <= h->recs[i].end));
		json_array_append_new(recs, r);
	}
	for (size_t i = 0; i < h->nrevs; i++) {
		const struct ocop_revocation *v = &h->revs[i];

		json_array_append_new(
		    revs, json_pack("{s:s, s:o, s:o, s:s}", "decision_no",
				    v->decision_no, "revoked_on",
				    day_json(v->revoked_on), "ground",
				    str_or_null(ocop_ground_name(v->ground)),
				    "note", v->note));
	}
	o = product_json(p, s);
	json_object_set_new(o, "as_of",
			    json_string(ocop_day_format(day, asof)));
	json_object_set_new(o, "recognition",
			    cur >= 0 ? rec_json(&h->recs[cur]) : json_null());
	json_object_set_new(o, "recognitions", recs);
	json_object_set_new(o, "revocations", revs);
	return print_json(o);
}

static const char *
ground_text(enum ocop_ground g)
{
	switch (g) {
	case OCOP_GROUND_A:
		return "a) hồ sơ không trung thực / false dossier";
	case OCOP_GROUND_B:
		return "b) không còn đáp ứng tiêu chí / no longer meets the "
		       "criteria";
	case OCOP_GROUND_C:
		return "c) vi phạm chất lượng, an toàn thực phẩm, môi trường, "
		       "sở hữu trí tuệ, nhãn / quality, safety, environment, "
		       "IP or labelling violation";
	case OCOP_GROUND_D:
		return "d) sử dụng sai biểu trưng OCOP / misuse of the OCOP "
		       "mark";
	case OCOP_GROUND_DD:
		return "đ) ngừng sản xuất / production stopped";
	case OCOP_GROUND_E:
		return "e) kết luận khác của cơ quan có thẩm quyền / other "
		       "official conclusion";
	case OCOP_GROUND_LAPSED:
		return "hết hạn không đánh giá lại / lapsed without "
		       "re-evaluation";
	default:
		return "";
	}
}

static void
show_text(const struct ocop_product *p, const struct ocop_history *h,
	  enum registry_status s, int cur, int32_t day)
{
	char a[11], b[11];

	printf("Mã sản phẩm / Code:   %s\n", p->code);
	printf("Tên / Name:           %s\n", p->name);
	printf("Nhóm / Group:         %s - %s\n", p->group,
	       group_name(p->group));
	printf("GTIN:                 %s\n", p->gtin[0] ? p->gtin : "-");
	printf("Chủ thể / Producer:   %s (%s)\n", p->producer.name,
	       p->producer.kind);
	if (p->producer.reg_no[0])
		printf("Mã số thuế / Tax ID:  %s\n", p->producer.reg_no);
	printf("Tỉnh / Province:      %s\n", p->producer.province);
	printf("Địa chỉ / Address:    %s\n", p->producer.address);
	printf("Tình trạng / Status:  %s: %s, ngày / on %s",
	       registry_status_name(s), status_text(s),
	       ocop_day_format(day, a));
	if (cur >= 0 && s == REGISTRY_IN_FORCE)
		printf(" (%d★ đến / until %s)", h->recs[cur].stars,
		       ocop_day_format(h->recs[cur].end, b));
	printf("\n\nLịch sử công nhận / Recognitions:\n");
	if (h->nrecs == 0)
		printf("  (không có / none)\n");
	for (size_t i = 0; i < h->nrecs; i++) {
		const struct ocop_recognition *r = &h->recs[i];

		printf("  %zu. %d★  quyết định / decision %s, %s, %s%s\n",
		       i + 1, r->stars, r->decision_no,
		       ocop_day_format(r->decided_on, a), r->issuer,
		       (int)i == cur && s == REGISTRY_IN_FORCE
			   ? "  [đang hiệu lực / in force]"
			   : "");
		printf("     hiệu lực / valid %s .. %s\n",
		       ocop_day_format(r->valid_from, a),
		       ocop_day_format(r->valid_until, b));
		if (r->extended_until != OCOP_NO_DAY)
			printf("     gia hạn đến / extended until %s%s%s\n",
			       ocop_day_format(r->extended_until, a),
			       r->ext_decision_no[0] ? ", quyết định / "
						       "decision "
						     : "",
			       r->ext_decision_no);
		if (r->source[0])
			printf("     nguồn / source: %s\n", r->source);
		if (r->revoked_on != OCOP_NO_DAY)
			printf("     thu hồi / revoked on %s, quyết định / "
			       "decision %s, căn cứ / ground %s\n",
			       ocop_day_format(r->revoked_on, a),
			       r->revoke_decision_no, ground_text(r->ground));
		if (r->end < r->valid_from)
			printf(
			    "     không có ngày hiệu lực / never in force\n");
		else
			printf("     ngày hiệu lực cuối / last day in force "
			       "%s\n",
			       ocop_day_format(r->end, a));
	}
	if (h->nrevs > 0) {
		printf("\nQuyết định thu hồi / Revocations:\n");
		for (size_t i = 0; i < h->nrevs; i++) {
			const struct ocop_revocation *v = &h->revs[i];

			printf("  %zu. %s, %s, căn cứ / ground %s%s%s\n", i + 1,
			       v->decision_no,
			       ocop_day_format(v->revoked_on, a),
			       ocop_ground_name(v->ground),
			       v->note[0] ? ": " : "", v->note);
		}
	}
}

static int
product_show(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct ocop_error err = {0};
	struct ocop_store *st = NULL;
	struct ocop_product p;
	struct ocop_history h;
	enum registry_status s;
	struct opts o;
	int rc, cur;

	if ((rc = parse_opts("product", argc, argv, 0, &o)) != 0)
		return rc < 0 ? 0 : rc;
	if (o.optind >= argc)
		return cmd_usage_error("product", "missing product CODE");
	if (o.optind + 1 < argc)
		return cmd_usage_error("product", "unexpected argument '%s'",
				       argv[o.optind + 1]);
	if ((rc = cmd_open_store(ctx, &st)) != 0)
		return rc;
	ocop_history_init(&h);
	if ((rc = st->m->product_get(st, argv[o.optind], &p, &err)) < 0 ||
	    (rc = registry_history(st, p.id, &h, &err)) < 0) {
		rc = cmd_fail(&err);
		goto out;
	}
	s = registry_status_of(&h, o.day, &cur);
	if (o.json) {
		rc = show_json(&p, &h, s, cur, o.day);
	} else {
		show_text(&p, &h, s, cur, o.day);
		rc = fflush(stdout) == 0
			 ? 0
			 : cmd_failf(EXIT_CANTCREAT, "cannot write output");
	}
out:
	ocop_history_release(&h);
	ocop_store_close(st);
	return rc;
}

int
cmd_product(struct cmd_ctx *ctx, int argc, char **argv)
{
	if (argc < 2)
		return cmd_usage_error("product",
				       "missing subcommand (list or show)");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(help, stdout);
		return 0;
	}
	if (strcmp(argv[1], "list") == 0)
		return product_list(ctx, argc - 1, argv + 1);
	if (strcmp(argv[1], "show") == 0)
		return product_show(ctx, argc - 1, argv + 1);
	return cmd_usage_error("product", "unknown subcommand '%s'", argv[1]);
}
