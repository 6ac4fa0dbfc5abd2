/*
 * validity.c - the verdict engine of SPEC 2. Pure: no I/O, no clock.
 *
 * A product's history is resolved once (sorting, attaching revocations,
 * computing each recognition's end), after which every question is a
 * scan over a handful of recognitions.
 */
#include <stdlib.h>
#include <string.h>

#include "ocop.h"

static const char *const verdict_names[] = {
	[OCOP_UNKNOWN] = "unknown",
	[OCOP_VOIDED] = "voided",
	[OCOP_REVOKED] = "revoked",
	[OCOP_EXPIRED] = "expired",
	[OCOP_STAR_MISMATCH] = "star_mismatch",
	[OCOP_VALID] = "valid",
};

static const char *const reason_names[] = {
	[OCOP_REASON_IN_FORCE] = "in_force",
	[OCOP_REASON_NOT_FOUND] = "not_found",
	[OCOP_REASON_MISTYPED] = "mistyped",
	[OCOP_REASON_WRONG_PRODUCT] = "wrong_product",
	[OCOP_REASON_LABEL_VOIDED] = "label_voided",
	[OCOP_REASON_BATCH_VOIDED] = "batch_voided",
	[OCOP_REASON_REVOKED] = "revoked",
	[OCOP_REASON_EXPIRED] = "expired",
	[OCOP_REASON_NOT_YET] = "not_yet_recognised",
	[OCOP_REASON_FEWER_STARS] = "fewer_stars",
};

const char *
ocop_verdict_name(enum ocop_verdict v)
{
	if ((unsigned)v >= sizeof(verdict_names) / sizeof(verdict_names[0]))
		return "unknown";
	return verdict_names[v];
}

int
ocop_verdict_parse(const char *s, enum ocop_verdict *v)
{
	for (size_t i = 0; i < sizeof(verdict_names) / sizeof(verdict_names[0]);
	     i++) {
		if (strcmp(s, verdict_names[i]) == 0) {
			*v = (enum ocop_verdict)i;
			return 0;
		}
	}
	return OCOP_EINVAL;
}

const char *
ocop_reason_name(enum ocop_reason r)
{
	if ((unsigned)r >= sizeof(reason_names) / sizeof(reason_names[0]))
		return "not_found";
	return reason_names[r];
}

int
ocop_reason_parse(const char *s, enum ocop_reason *r)
{
	for (size_t i = 0; i < sizeof(reason_names) / sizeof(reason_names[0]);
	     i++) {
		if (strcmp(s, reason_names[i]) == 0) {
			*r = (enum ocop_reason)i;
			return 0;
		}
	}
	return OCOP_EINVAL;
}

int32_t
ocop_default_valid_until(int32_t valid_from)
{
	return ocop_day_add_months(valid_from, 36) - 1;
}

static int
cmp_rec(const void *a, const void *b)
{
	const struct ocop_recognition *x = a, *y = b;

	if (x->valid_from != y->valid_from)
		return x->valid_from < y->valid_from ? -1 : 1;
	if (x->decided_on != y->decided_on)
		return x->decided_on < y->decided_on ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int
cmp_rev(const void *a, const void *b)
{
	const struct ocop_revocation *x = a, *y = b;

	if (x->revoked_on != y->revoked_on)
		return x->revoked_on < y->revoked_on ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

void
ocop_history_resolve(struct ocop_history *h)
{
	struct ocop_recognition *r;
	size_t i;

	if (h->nrecs > 1)
		qsort(h->recs, h->nrecs, sizeof(*h->recs), cmp_rec);
	if (h->nrevs > 1)
		qsort(h->revs, h->nrevs, sizeof(*h->revs), cmp_rev);

	/* ends before revocations: own term or extension, cut by the next
	 * recognition's start */
	for (i = 0; i < h->nrecs; i++) {
		r = &h->recs[i];
		r->end = r->extended_until != OCOP_NO_DAY ? r->extended_until
							  : r->valid_until;
		if (i + 1 < h->nrecs && h->recs[i + 1].valid_from - 1 < r->end)
			r->end = h->recs[i + 1].valid_from - 1;
		r->revoked_on = OCOP_NO_DAY;
		r->ground = OCOP_GROUND_NONE;
		r->revoke_decision_no[0] = '\0';
	}

	/* a revocation applies to the recognition in force on its date,
	 * else to the latest one that started before it; the earliest
	 * revocation of a recognition is the one that counts */
	for (i = 0; i < h->nrevs; i++) {
		const struct ocop_revocation *v = &h->revs[i];
		int target = -1;

		for (size_t j = 0; j < h->nrecs; j++) {
			r = &h->recs[j];
			if (r->valid_from <= v->revoked_on &&
			    v->revoked_on <= r->end) {
				target = (int)j;
				break;
			}
			if (r->valid_from < v->revoked_on)
				target = (int)j;
		}
		if (target < 0)
			continue;
		r = &h->recs[target];
		if (r->revoked_on != OCOP_NO_DAY)
			continue;
		r->revoked_on = v->revoked_on;
		r->ground = v->ground;
		ocop_strlcpy(r->revoke_decision_no, v->decision_no,
			     sizeof(r->revoke_decision_no));
		if (v->revoked_on - 1 < r->end)
			r->end = v->revoked_on - 1;
	}
}

int
ocop_history_in_force(const struct ocop_history *h, int32_t day)
{
	for (size_t i = 0; i < h->nrecs; i++)
		if (h->recs[i].valid_from <= day && day <= h->recs[i].end)
			return (int)i;
	return -1;
}

int
ocop_history_latest_started(const struct ocop_history *h, int32_t day)
{
	int latest = -1;

	for (size_t i = 0; i < h->nrecs && h->recs[i].valid_from <= day; i++)
		latest = (int)i;
	return latest;
}

/* The registry's verdict on a day, for printed stars (no voiding). */
static enum ocop_verdict
day_verdict(const struct ocop_history *h, int printed, int32_t day,
	    enum ocop_reason *reason, int *rec)
{
	int i = ocop_history_in_force(h, day);
	const struct ocop_recognition *r;

	if (i >= 0) {
		*rec = i;
		if (h->recs[i].stars < printed) {
			*reason = OCOP_REASON_FEWER_STARS;
			return OCOP_STAR_MISMATCH;
		}
		*reason = OCOP_REASON_IN_FORCE;
		return OCOP_VALID;
	}
	i = ocop_history_latest_started(h, day);
	*rec = i;
	if (i < 0) {
		*reason = OCOP_REASON_NOT_YET;
		return OCOP_EXPIRED;
	}
	r = &h->recs[i];
	if (r->revoked_on != OCOP_NO_DAY && r->revoked_on <= day) {
		*reason = OCOP_REASON_REVOKED;
		return OCOP_REVOKED;
	}
	*reason = OCOP_REASON_EXPIRED;
	return OCOP_EXPIRED;
}

/*
 * The first day of the run of days ending at day with the same verdict.
 * The verdict only changes at a recognition's start, the day after its
 * end, or its revocation day, so only those days need checking.
 */
static int32_t
period_start(const struct ocop_history *h, int printed, int32_t day,
	     enum ocop_verdict v)
{
	int32_t since = OCOP_NO_DAY, b;
	enum ocop_reason reason;
	int rec;

	for (;;) {
		/* the latest change point <= day and > since-so-far */
		int32_t best = OCOP_NO_DAY;

		for (size_t i = 0; i < h->nrecs; i++) {
			const struct ocop_recognition *r = &h->recs[i];
			int32_t cand[3] = {r->valid_from, r->end + 1,
					   r->revoked_on};

			for (int k = 0; k < 3; k++) {
				b = cand[k];
				if (b == OCOP_NO_DAY || b > day)
					continue;
				if (since != OCOP_NO_DAY && b >= since)
					continue;
				if (best == OCOP_NO_DAY || b > best)
					best = b;
			}
		}
		if (best == OCOP_NO_DAY)
			return since;
		if (day_verdict(h, printed, best - 1, &reason, &rec) != v)
			return best;
		since = best;
	}
}

void
ocop_judge(const struct ocop_history *h, int printed_stars, int64_t voided_at,
	   int batch_voided, int64_t t, struct ocop_judgement *out)
{
	int32_t day = ocop_day_of(t);

	out->verdict = day_verdict(h, printed_stars, day, &out->reason,
				   &out->rec);
	if (voided_at != OCOP_NO_TIME && voided_at <= t) {
		out->verdict = OCOP_VOIDED;
		out->reason = batch_voided ? OCOP_REASON_BATCH_VOIDED
					   : OCOP_REASON_LABEL_VOIDED;
		out->since = ocop_day_of(voided_at);
		return;
	}
	out->since = period_start(h, printed_stars, day, out->verdict);
}
