/*
 * report_words.c - what people read in the table and HTML reports: the
 * machine names of verdicts, window states, revocation grounds and
 * reasons in words, Vietnamese first, and days and instants as Vietnam
 * local time (UTC+7 always, whatever the machine's time zone). CSV and
 * JSON keep the machine names and RFC 3339.
 */
#include <stdio.h>
#include <string.h>

#include "report_int.h"

struct word {
	const char *name, *vi, *en;
};

static const struct word verdicts[] = {
    {"valid", "hợp lệ", "valid"},
    {"unknown", "không có tem này", "unknown label"},
    {"voided", "tem đã bị hủy", "voided"},
    {"revoked", "bị thu hồi", "revoked"},
    {"expired", "hết hiệu lực", "expired"},
    {"star_mismatch", "sai số sao", "star mismatch"},
    {NULL, NULL, NULL},
};

/* The re-evaluation window (SPEC 1: file 180 to 120 days before the end). */
static const struct word windows[] = {
    {"not_open", "chưa đến hạn nộp hồ sơ", "not open yet"},
    {"open", "đang trong hạn nộp hồ sơ", "open"},
    {"closed", "đã quá hạn nộp hồ sơ", "closed"},
    {NULL, NULL, NULL},
};

/* Decision 26/2026/QĐ-TTg Art. 8, as SPEC 1 words them; the decree
 * writes the fifth ground "đ" (stored "dd"). The Vietnamese carries the
 * letter, the English (printed after it in brackets) does not. ATTP: an
 * toàn thực phẩm (food safety); SHTT: sở hữu trí tuệ (IP), as Vietnamese
 * decisions abbreviate them. */
static const struct word grounds[] = {
    {"a", "a) hồ sơ không trung thực", "false dossier"},
    {"b", "b) không còn đáp ứng tiêu chí", "no longer meets the criteria"},
    {"c", "c) vi phạm chất lượng, ATTP, môi trường, SHTT, nhãn",
     "quality, food safety, environment, IP or labelling violation"},
    {"d", "d) sử dụng sai biểu trưng OCOP", "misuse of the OCOP mark"},
    {"dd", "đ) ngừng sản xuất", "production stopped"},
    {"e", "e) kết luận khác của cơ quan có thẩm quyền",
     "other official conclusion"},
    {"lapsed", "hết hạn mà không đánh giá lại", "lapsed without re-evaluation"},
    {NULL, NULL, NULL},
};

static const struct word reasons[] = {
    {"in_force", "công nhận còn hiệu lực", "recognition in force"},
    {"not_found", "không có tem nào mang mã này", "no label has this code"},
    {"mistyped", "sai ký tự kiểm tra (gõ nhầm hoặc mã bịa)",
     "bad check symbol (mistyped or made up)"},
    {"wrong_product", "mã không thuộc sản phẩm hoặc lô này",
     "code of another product or lot"},
    {"label_voided", "tem đã bị hủy", "label voided"},
    {"batch_voided", "lô tem đã bị hủy", "label batch voided"},
    {"revoked", "công nhận đã bị thu hồi", "recognition revoked"},
    {"expired", "công nhận đã hết hạn", "recognition expired"},
    {"not_yet_recognised", "chưa được công nhận vào ngày quét",
     "not yet recognised on the scan day"},
    {"fewer_stars", "số sao công nhận ít hơn số sao in trên tem",
     "fewer stars recognised than printed"},
    {NULL, NULL, NULL},
};

static const struct word ends_by[] = {
    {"expiry", "hết thời hạn", "expiry"},
    {"revocation", "bị thu hồi", "revocation"},
    {"renewal", "có công nhận mới", "renewal"},
    {NULL, NULL, NULL},
};

static const struct word bools[] = {
    {"true", "có", "yes"},
    {"false", "không", "no"},
    {NULL, NULL, NULL},
};

const char rno_place_vi[] = "Người tiêu dùng quét (không có địa điểm)";
const char rno_place_en[] = "consumer scan, no place";

int
rwords(enum rcol_kind kind, const char *name, const char **vi, const char **en)
{
	const struct word *w;

	switch (kind) {
	case RCOL_VERDICT:
		w = verdicts;
		break;
	case RCOL_WINDOW:
		w = windows;
		break;
	case RCOL_GROUND:
		w = grounds;
		break;
	case RCOL_REASON:
		w = reasons;
		break;
	case RCOL_ENDS_BY:
		w = ends_by;
		break;
	case RCOL_BOOL:
		w = bools;
		break;
	default:
		w = NULL;
		break;
	}
	for (; w && w->name; w++)
		if (strcmp(w->name, name) == 0) {
			*vi = w->vi;
			*en = w->en;
			return 0;
		}
	*vi = *en = name;
	return -1;
}

char *
report_local_day(int32_t day, char *buf)
{
	char tmp[48];
	int y, m, d;

	if (day == OCOP_NO_DAY) {
		buf[0] = '\0';
		return buf;
	}
	ocop_day_to_ymd(day, &y, &m, &d);
	if (y < 0 || y > 9999) {
		/* out of the form's range: the ISO form says it plainly */
		return ocop_day_format(day, buf);
	}
	snprintf(tmp, sizeof(tmp), "%02d/%02d/%04d", d, m, y);
	ocop_strlcpy(buf, tmp, 11);
	return buf;
}

char *
report_local_time(int64_t t, char *buf)
{
	int32_t day;
	int64_t sec;
	char tmp[16], out[64];

	if (t == OCOP_NO_TIME) {
		buf[0] = '\0';
		return buf;
	}
	/* ocop_day_of counts days in UTC+7: no time zone of the machine */
	day = ocop_day_of(t);
	sec = t - ocop_day_start(day);
	report_local_day(day, tmp);
	snprintf(out, sizeof(out), "%s %02d:%02d", tmp, (int)(sec / 3600 % 24),
		 (int)(sec / 60 % 60));
	ocop_strlcpy(buf, out, 17);
	return buf;
}

/* After a cut by snprintf: drop a last character left incomplete. */
static char *
whole_chars(char *buf)
{
	size_t n = strlen(buf), i = n, need;
	unsigned char c;

	while (i > 0 && ((unsigned char)buf[i - 1] & 0xc0) == 0x80)
		i--;
	if (i == 0)
		return buf;
	c = (unsigned char)buf[i - 1];
	need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
	if (n - (i - 1) < need)
		buf[i - 1] = '\0';
	return buf;
}

char *
rpeople(enum rcol_kind kind, const char *value, char *buf, size_t size)
{
	const char *vi, *en;
	int32_t day;
	int64_t t;
	char tmp[24];

	switch (kind) {
	case RCOL_DAY:
		if (ocop_day_parse(value, &day, NULL) == 0) {
			snprintf(buf, size, "%s", report_local_day(day, tmp));
			return buf;
		}
		break;
	case RCOL_TIME:
		if (ocop_time_parse(value, &t, NULL) == 0) {
			snprintf(buf, size, "%s", report_local_time(t, tmp));
			return buf;
		}
		break;
	case RCOL_PLACE:
		if (!*value) {
			snprintf(buf, size, "%s / %s", rno_place_vi,
				 rno_place_en);
			return whole_chars(buf);
		}
		break;
	case RCOL_SERIAL:
		if (strlen(value) == OCOP_SERIAL_LEN) {
			char grouped[OCOP_SERIAL_GROUPED + 1];

			snprintf(buf, size, "%s",
				 ocop_serial_group(value, grouped));
			return buf;
		}
		break;
	case RCOL_TEXT:
		break;
	default:
		if (*value && rwords(kind, value, &vi, &en) == 0) {
			snprintf(buf, size, "%s (%s)", vi, en);
			return whole_chars(buf);
		}
		break;
	}
	snprintf(buf, size, "%s", value);
	return whole_chars(buf);
}
