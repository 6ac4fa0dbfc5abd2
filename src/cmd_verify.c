/*
 * cmd_verify.c - ocop verify SERIAL|URL [--at RFC3339] [--json]: the
 * verification record from the local database; records nothing.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "record.h"

static const char help[] =
	"usage: ocop verify SERIAL|URL [--at RFC3339] [--json]\n\n"
	"Verify a label from the local database (no scan is recorded): a\n"
	"serial as typed (XXXX-XXXX-XXXX-XXXX; case, hyphens and spaces do\n"
	"not matter) or any URL a label carries (.../L/SERIAL or GS1 Digital\n"
	"Link .../01/GTIN[/10/LOT]/21/SERIAL). Prints the verdict in\n"
	"Vietnamese then English, or with --json the verification record.\n"
	"  --at TIME   judge at that instant (RFC 3339 with an offset)\n"
	"Exit status: 0 valid, 1 any other verdict (unknown, voided,\n"
	"revoked, expired, star_mismatch), 65 bad input or a mistyped code.\n";

static const char *
verdict_word(enum ocop_verdict v, int vi)
{
	switch (v) {
	case OCOP_VALID:
		return vi ? "HỢP LỆ" : "VALID";
	case OCOP_VOIDED:
		return vi ? "TEM ĐÃ BỊ HỦY" : "VOIDED";
	case OCOP_REVOKED:
		return vi ? "ĐÃ BỊ THU HỒI CÔNG NHẬN" : "REVOKED";
	case OCOP_EXPIRED:
		return vi ? "HẾT HẠN CÔNG NHẬN" : "EXPIRED";
	case OCOP_STAR_MISMATCH:
		return vi ? "SAI SỐ SAO" : "STAR MISMATCH";
	default:
		return vi ? "KHÔNG XÁC ĐỊNH ĐƯỢC TEM" : "UNKNOWN LABEL";
	}
}

static const char *
day_text(int32_t day, int vi, char *buf)
{
	int y, m, d;

	if (day == OCOP_NO_DAY)
		return "-";
	if (!vi)
		return ocop_day_format(day, buf);
	ocop_day_to_ymd(day, &y, &m, &d);
	snprintf(buf, 16, "%02d/%02d/%04d", d % 100, m % 100, y % 10000);
	return buf;
}

/* "  label" padded to a column, counting characters, not UTF-8 bytes. */
static void
field(const char *label)
{
	int width = 0;

	for (const char *c = label; *c; c++)
		width += ((unsigned char)*c & 0xc0) != 0x80;
	printf("  %s%*s", label, width < 15 ? 15 - width : 1, "");
}

static void
print_human(const struct ocop_record *rec, int vi)
{
	const struct ocop_recognition *r = &rec->recognition;
	char reason[512], grouped[OCOP_SERIAL_GROUPED + 1], d1[16], d2[16];
	char t[32];
	int32_t end;

	printf("%s %s: %s\n", rec->verdict == OCOP_VALID ? "✔" : "✘",
	       verdict_word(rec->verdict, vi),
	       record_reason_text(rec, vi ? "vi" : "en", reason,
				  sizeof(reason)));
	if (strlen(rec->serial) == OCOP_SERIAL_LEN)
		ocop_serial_group(rec->serial, grouped);
	else
		ocop_strlcpy(grouped, rec->serial, sizeof(grouped));
	field(vi ? "Mã tem:" : "Label:");
	printf("%s\n", grouped);
	if (rec->known) {
		field(vi ? "Sản phẩm:" : "Product:");
		printf("%s (%s), %s %s\n", rec->product.name,
		       rec->product.code, vi ? "nhóm" : "group",
		       rec->product.group);
		field(vi ? "Chủ thể:" : "Producer:");
		printf("%s (%s), %s\n", rec->product.producer.name,
		       rec->product.producer.kind,
		       rec->product.producer.province);
		field(vi ? "Tem in:" : "Printed:");
		printf("%d★%s%s, %s %lld, %s %s\n", rec->label.stars,
		       rec->batch.lot[0] ? (vi ? ", lô " : ", lot ") : "",
		       rec->batch.lot, vi ? "lô tem" : "batch",
		       (long long)rec->batch.id, vi ? "phát hành" : "issued",
		       ocop_time_format(rec->batch.issued_at, t));
	}
	if (rec->known && rec->has_recognition) {
		field(vi ? "Quyết định:" : "Decision:");
		printf("%s, %s, %s, %d★\n", r->decision_no,
		       day_text(r->decided_on, vi, d1), r->issuer, r->stars);
		end = r->extended_until != OCOP_NO_DAY ? r->extended_until
						       : r->valid_until;
		field(vi ? "Hiệu lực:" : "Valid:");
		printf("%s – %s%s\n", day_text(r->valid_from, vi, d1),
		       day_text(end, vi, d2),
		       r->extended_until != OCOP_NO_DAY
			       ? (vi ? " (gia hạn)" : " (extended)")
			       : "");
	}
	if (rec->known) {
		field(vi ? "Số lần quét:" : "Scans:");
		printf("%lld\n", (long long)rec->scan_count);
	}
	field(vi ? "Kiểm tra lúc:" : "Checked at:");
	printf("%s\n", ocop_time_format(rec->checked_at, t));
}

int
cmd_verify(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"at", required_argument, NULL, 'a'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct ocop_error err = {0};
	struct ocop_store *st = NULL;
	struct ocop_code code;
	struct ocop_record rec;
	const char *at_arg = NULL;
	int64_t at;
	int c, rc, json = 0;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			at_arg = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			fputs(help, stdout);
			return 0;
		default:
			return cmd_usage_error("verify", "bad option");
		}
	}
	if (optind >= argc)
		return cmd_usage_error("verify", "missing SERIAL or URL");
	if (optind + 1 < argc)
		return cmd_usage_error("verify", "unexpected argument '%s'",
				       argv[optind + 1]);
	at = ocop_now();
	if (at_arg && ocop_time_parse(at_arg, &at, &err) < 0) {
		ocop_error_prefix(&err, "--at");
		return cmd_fail(&err);
	}
	if (ocop_code_parse(argv[optind], &code, &err) < 0)
		return cmd_fail(&err);
	if (code.kind == OCOP_CODE_DL_PRODUCT)
		return cmd_failf(EXIT_DATAERR,
				 "'%s' names a product (GTIN %s), not a "
				 "label: its URL has no /21/ serial",
				 argv[optind], code.gtin);
	if ((rc = cmd_open_store(ctx, &st)))
		return rc;
	rc = record_lookup(st, &code, at, &rec, &err);
	ocop_store_close(st);
	if (rc < 0)
		return cmd_fail(&err);
	if (json) {
		json_t *o = record_to_json(&rec);
		char *s = json_dumps(o, JSON_COMPACT);

		puts(s ? s : "{}");
		free(s);
		json_decref(o);
	} else if (!code.mistyped) {
		print_human(&rec, 1);
		putchar('\n');
		print_human(&rec, 0);
	}
	if (code.mistyped)
		return cmd_failf(EXIT_DATAERR,
				 "label code '%s' is mistyped: its check "
				 "symbol does not match (Mã tem bị nhập sai)",
				 argv[optind]);
	return rec.verdict == OCOP_VALID ? 0 : EXIT_NO;
}
