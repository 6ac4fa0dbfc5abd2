/*
 * date.c - civil dates in Vietnam time, independent of the machine's TZ.
 *
 * Day numbers use Howard Hinnant's days_from_civil algorithm, so no libc
 * time-zone state is involved: Asia/Ho_Chi_Minh is UTC+7 with no DST.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ocop.h"

int32_t
ocop_day_from_ymd(int y, int m, int d)
{
	long yy = y - (m <= 2);
	long era = (yy >= 0 ? yy : yy - 399) / 400;
	long yoe = yy - era * 400;
	long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return (int32_t)(era * 146097 + doe - 719468);
}

void
ocop_day_to_ymd(int32_t day, int *y, int *m, int *d)
{
	long z = (long)day + 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	long dd = doy - (153 * mp + 2) / 5 + 1;
	long mm = mp < 10 ? mp + 3 : mp - 9;

	*y = (int)(yoe + era * 400 + (mm <= 2));
	*m = (int)mm;
	*d = (int)dd;
}

static int
days_in_month(int y, int m)
{
	static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 ? 28 + leap : dim[m - 1];
}

static int
digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Parse YYYY-MM-DD at s (exactly 10 chars consumed); -1 if not a date. */
static int
parse_ymd(const char *s, int *y, int *m, int *d)
{
	if (strlen(s) < 10 || s[4] != '-' || s[7] != '-')
		return -1;
	*y = digits(s, 4);
	*m = digits(s + 5, 2);
	*d = digits(s + 8, 2);
	if (*y < 1900 || *y > 2999 || *m < 1 || *m > 12 || *d < 1 ||
	    *d > days_in_month(*y, *m))
		return -1;
	return 0;
}

int
ocop_day_parse(const char *s, int32_t *day, struct ocop_error *err)
{
	int y, m, d;

	if (!s || strlen(s) != 10 || parse_ymd(s, &y, &m, &d) < 0)
		return ocop_error_set(err, OCOP_EINVAL,
				      "invalid date '%s': expected a real "
				      "date as YYYY-MM-DD",
				      s ? s : "");
	*day = ocop_day_from_ymd(y, m, d);
	return 0;
}

char *
ocop_day_format(int32_t day, char *buf)
{
	char tmp[48];
	int y, m, d;

	if (day == OCOP_NO_DAY) {
		buf[0] = '\0';
		return buf;
	}

	ocop_day_to_ymd(day, &y, &m, &d);
	snprintf(tmp, sizeof(tmp), "%04d-%02d-%02d", y, m, d);
	ocop_strlcpy(buf, tmp, 11);
	return buf;
}

int32_t
ocop_day_add_months(int32_t day, int months)
{
	int y, m, d, dim;
	long total;

	ocop_day_to_ymd(day, &y, &m, &d);
	total = (long)y * 12 + (m - 1) + months;
	y = (int)(total / 12);
	m = (int)(total % 12) + 1;
	dim = days_in_month(y, m);
	return ocop_day_from_ymd(y, m, d > dim ? dim : d);
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

int32_t
ocop_day_of(int64_t t)
{
	return (int32_t)floor_div(t + OCOP_TZ_OFFSET, 86400);
}

int64_t
ocop_day_start(int32_t day)
{
	return (int64_t)day * 86400 - OCOP_TZ_OFFSET;
}

int64_t
ocop_now(void)
{
	const char *env = ocop_test_env("OCOP_NOW");
	int64_t t;

	if (env && *env && ocop_time_parse(env, &t, NULL) == 0)
		return t;
	return (int64_t)time(NULL);
}

double
ocop_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int32_t
ocop_today(void)
{
	return ocop_day_of(ocop_now());
}

int
ocop_time_parse(const char *s, int64_t *t, struct ocop_error *err)
{
	int y, m, d, hh, mi, ss, oh, om, sign;
	const char *p;
	int64_t v;

	if (!s || parse_ymd(s, &y, &m, &d) < 0 ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' '))
		goto bad;
	p = s + 11;
	if (strlen(p) < 8 || p[2] != ':' || p[5] != ':')
		goto bad;
	hh = digits(p, 2);
	mi = digits(p + 3, 2);
	ss = digits(p + 6, 2);
	if (hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 60)
		goto bad;
	p += 8;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			goto bad;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		oh = om = 0;
		sign = 1;
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		if (strlen(p) < 6 || p[3] != ':')
			goto bad;
		oh = digits(p + 1, 2);
		om = digits(p + 4, 2);
		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			goto bad;
		p += 6;
	} else {
		return ocop_error_set(err, OCOP_EINVAL,
				      "invalid time '%s': an offset (Z or "
				      "+07:00) is required",
				      s);
	}
	if (*p)
		goto bad;
	if (ss == 60)
		ss = 59;
	v = (int64_t)ocop_day_from_ymd(y, m, d) * 86400 + hh * 3600 + mi * 60 +
	    ss - sign * (oh * 3600 + om * 60);
	/* Shown in Vietnam time, the instant must still fall in the years
	 * read here, or what is stored and shown could not be read back:
	 * 1900-01-01T00:00:00+08:00 is 1899-12-31 in Vietnam. */
	if (ocop_day_of(v) < ocop_day_from_ymd(1900, 1, 1) ||
	    ocop_day_of(v) > ocop_day_from_ymd(2999, 12, 31))
		return ocop_error_set(err, OCOP_EINVAL,
				      "invalid time '%s': outside the years "
				      "1900 to 2999 in Vietnam time",
				      s);
	*t = v;
	return 0;
bad:
	return ocop_error_set(err, OCOP_EINVAL,
			      "invalid time '%s': expected RFC 3339 such as "
			      "2026-11-28T09:30:00+07:00",
			      s ? s : "");
}

char *
ocop_time_format(int64_t t, char *buf)
{
	int32_t day;
	int64_t sec;
	char tmp[64];
	int y, m, d;

	if (t == OCOP_NO_TIME) {
		buf[0] = '\0';
		return buf;
	}
	day = ocop_day_of(t);
	sec = t + OCOP_TZ_OFFSET - (int64_t)day * 86400;

	ocop_day_to_ymd(day, &y, &m, &d);
	snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02d+07:00", y, m,
		 d, (int)(sec / 3600), (int)(sec / 60 % 60), (int)(sec % 60));
	ocop_strlcpy(buf, tmp, 26);
	return buf;
}
