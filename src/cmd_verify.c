/*
 * cmd_verify.c - ocop verify SERIAL|URL [--at RFC3339] [--json]: the
 * verification record from the local database; records nothing. With
 * --offline FILE, from a field snapshot instead (snapshot.h), checked
 * against the keys of the local database or of --keys FILE.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "record.h"
#include "snapshot.h"

static const char help[] =
	"usage: ocop verify SERIAL|URL [--at RFC3339] [--json]\n\n"
	"Verify a label from the local database (no scan is recorded): a\n"
	"serial as typed (XXXX-XXXX-XXXX-XXXX; case, hyphens and spaces do\n"
	"not matter) or any URL a label carries (.../L/SERIAL or GS1 Digital\n"
	"Link .../01/GTIN[/10/LOT]/21/SERIAL). Prints the verdict in\n"
	"Vietnamese then English, or with --json the verification record.\n"
	"  --at TIME       judge at that instant (RFC 3339 with an offset)\n"
	"  --offline FILE  judge from a field snapshot (ocop snapshot) instead\n"
	"                  of the database; its signature is checked against\n"
	"                  the keys of the database, or of --keys, and an\n"
	"                  expired or altered snapshot is refused (exit 65)\n"
	"  --keys FILE     the trusted public keys for --offline: the service's\n"
	"                  /.well-known/ocop-keys.json (ocop key list --json)\n"
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
print_human(const struct ocop_record *rec, int vi, int offline)
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
	if (rec->known && !offline) {
		field(vi ? "Số lần quét:" : "Scans:");
		printf("%lld\n", (long long)rec->scan_count);
	}
	field(vi ? "Kiểm tra lúc:" : "Checked at:");
	printf("%s\n", ocop_time_format(rec->checked_at, t));
}

/* The whole file at path into b; 0 or an exit code (printed). */
static int
read_file(const char *path, const char *what, struct ocop_buf *b)
{
	char chunk[65536];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return cmd_failf(EXIT_NOINPUT, "cannot read %s '%s': %s", what,
				 path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (ocop_buf_add(b, chunk, n) < 0) {
			fclose(f);
			return cmd_failf(EXIT_DATAERR, "%s '%s' is too large",
					 what, path);
		}
	}
	if (ferror(f)) {
		fclose(f);
		return cmd_failf(EXIT_NOINPUT, "cannot read %s '%s'", what,
				 path);
	}
	fclose(f);
	return 0;
}

/* The keys a snapshot must be signed by: those of --keys FILE, else those
 * of the database. 0 or an exit code (printed). */
static int
trusted_keys(struct cmd_ctx *ctx, const char *keys_path, struct keys_set *set)
{
	struct ocop_error err = {0};
	struct ocop_store *st = NULL;
	struct ocop_buf b;
	int rc;

	if (keys_path) {
		ocop_buf_init(&b, 1 << 20);
		if ((rc = read_file(keys_path, "keys file", &b)) == 0 &&
		    keys_set_parse(b.data ? b.data : "", b.len, set, &err) < 0)
			rc = cmd_fail(&err);
		ocop_buf_release(&b);
		return rc;
	}
	if (ocop_store_open(ctx->db_path, 0, &st, &err) < 0)
		return cmd_failf(EXIT_NOINPUT,
				 "no trusted keys to check the snapshot "
				 "with (%s): give --keys FILE, the service's "
				 "/.well-known/ocop-keys.json",
				 err.msg);
	rc = keys_set_from_store(st, set, &err);
	ocop_store_close(st);
	if (rc < 0)
		return cmd_fail(&err);
	if (set->n == 0)
		return cmd_failf(EXIT_NOINPUT,
				 "no trusted keys to check the snapshot with: "
				 "the database has none; give --keys FILE");
	return 0;
}

/* Judge code from the snapshot at path; rec filled, *s kept for the
 * output. 0 or an exit code (printed). */
static int
offline_lookup(struct cmd_ctx *ctx, const char *path, const char *keys_path,
	       const struct ocop_code *code, int64_t at, struct snapshot **s,
	       struct ocop_record *rec)
{
	struct ocop_error err = {0};
	struct keys_set *set = ocop_xcalloc(1, sizeof(*set));
	struct ocop_buf b;
	int rc;

	ocop_buf_init(&b, SNAPSHOT_MAX);
	if ((rc = trusted_keys(ctx, keys_path, set)) == 0 &&
	    (rc = read_file(path, "snapshot", &b)) == 0) {
		if (snapshot_open(b.data ? b.data : "", b.len, set, ocop_now(),
				  s, &err) < 0 ||
		    snapshot_judge(*s, code, at, rec, &err) < 0) {
			ocop_error_prefix(&err, "cannot verify offline "
						"(Không kiểm tra ngoại tuyến "
						"được)");
			rc = cmd_fail(&err);
		}
	}
	ocop_buf_release(&b);
	free(set);
	return rc;
}

/* The record of ocop verify --json, from a snapshot: the scans are not
 * known offline (null), and "offline" tells which data judged and the
 * first day of the verdict's period ("since", as the reason's words use
 * it). */
static json_t *
offline_json(const struct ocop_record *rec, const struct snapshot *s)
{
	json_t *o = record_to_json(rec), *x = json_object();
	struct snapshot_info info;
	char t[32];

	snapshot_get_info(s, &info);
	if (json_object_get(o, "scans")) {
		json_object_set_new(o, "scans", json_null());
		json_object_set_new(o, "suspect_copy", json_null());
	}
	json_object_set_new(x, "seq", json_integer(info.seq));
	json_object_set_new(x, "province", json_string(info.province));
	json_object_set_new(x, "issued_at",
			    json_string(ocop_time_format(info.issued_at, t)));
	json_object_set_new(x, "expires_at",
			    json_string(ocop_time_format(info.expires_at, t)));
	json_object_set_new(x, "key_id", json_string(info.key_id));
	json_object_set_new(x, "since",
			    rec->since == OCOP_NO_DAY
				    ? json_null()
				    : json_string(ocop_day_format(rec->since,
								  t)));
	json_object_set_new(o, "offline", x);
	return o;
}

int
cmd_verify(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"at", required_argument, NULL, 'a'},
		{"json", no_argument, NULL, 'j'},
		{"offline", required_argument, NULL, 'o'},
		{"keys", required_argument, NULL, 'k'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct ocop_error err = {0};
	struct ocop_store *st = NULL;
	struct snapshot *snap = NULL;
	struct ocop_code code;
	struct ocop_record rec;
	const char *at_arg = NULL, *offline = NULL, *keys = NULL;
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
		case 'o':
			offline = optarg;
			break;
		case 'k':
			keys = optarg;
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
	if (keys && !offline)
		return cmd_usage_error("verify", "--keys goes with --offline");
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
	if (offline) {
		if ((rc = offline_lookup(ctx, offline, keys, &code, at, &snap,
					 &rec))) {
			snapshot_free(snap); /* opened, then the judging failed */
			return rc;
		}
	} else {
		if ((rc = cmd_open_store(ctx, &st)))
			return rc;
		rc = record_lookup(st, &code, at, &rec, &err);
		ocop_store_close(st);
		if (rc < 0)
			return cmd_fail(&err);
	}
	if (json) {
		json_t *o =
		    snap ? offline_json(&rec, snap) : record_to_json(&rec);
		char *s = json_dumps(o, JSON_COMPACT);

		puts(s ? s : "{}");
		free(s);
		json_decref(o);
	} else if (!code.mistyped) {
		if (snap) {
			struct snapshot_info info;
			char t[32];

			snapshot_get_info(snap, &info);
			ocop_time_format(info.issued_at, t);
			printf("Kiểm tra ngoại tuyến — dữ liệu lúc %s\n"
			       "Offline check — data as of %s\n\n",
			       t, t);
		}
		print_human(&rec, 1, snap != NULL);
		putchar('\n');
		print_human(&rec, 0, snap != NULL);
	}
	snapshot_free(snap);
	if (code.mistyped)
		return cmd_failf(EXIT_DATAERR,
				 "label code '%s' is mistyped: its check "
				 "symbol does not match (Mã tem bị nhập sai)",
				 argv[optind]);
	return rec.verdict == OCOP_VALID ? 0 : EXIT_NO;
}
