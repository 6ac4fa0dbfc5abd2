/*
 * metrics.c - Prometheus counters (see metrics.h). Relaxed atomics: each
 * value is exact, the set is not a snapshot, as Prometheus expects.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "store/store.h"

/* The statuses the service answers; anything else counts as "other". */
static const int statuses[] = {200, 204, 303, 307, 400, 401, 403, 404,
			       405, 413, 422, 429, 500, 501, 503};
#define NSTATUS (sizeof(statuses) / sizeof(statuses[0]) + 1)

#define NVERDICT (OCOP_VALID + 1)

/* seconds; the last bucket is +Inf */
static const double commit_buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01,
					0.025,	0.05,  0.1,    0.25,  1.0};
#define NBUCKET (sizeof(commit_buckets) / sizeof(commit_buckets[0]))

/* The times of one kind of group (the writer's commits, the reader's
 * reads) and the items they held. */
struct group_hist {
	atomic_uint_fast64_t bucket[NBUCKET];
	atomic_uint_fast64_t count;
	atomic_uint_fast64_t usec;
	atomic_uint_fast64_t items;
};

/* One use of the database (metrics_database): whether it is failing,
 * read without the lock; the rest under mu. */
struct db_use {
	atomic_int failing;
	atomic_uint_fast64_t failures;
	pthread_mutex_t mu;
	double since;	  /* ocop_mono() of its first failure */
	double last;	  /* and of its latest */
	uint64_t refused; /* items its failures refused since */
};

static const char *const use_names[METRICS_NUSES] = {"reads", "scans"};

struct metrics {
	size_t nroutes;
	const char *const *names; /* the caller's, by route */
	size_t *label;		  /* route -> first route of its label */
	atomic_uint_fast64_t (*requests)[NSTATUS];
	atomic_uint_fast64_t scans[NVERDICT];
	struct group_hist commits;
	struct group_hist lookups;
	struct db_use db[METRICS_NUSES];
};

struct metrics *
metrics_new(const char *const *names, size_t nroutes)
{
	struct metrics *m = ocop_xcalloc(1, sizeof(*m));

	m->nroutes = nroutes;
	m->names = names;
	m->label = ocop_xcalloc(nroutes ? nroutes : 1, sizeof(*m->label));
	m->requests = ocop_xcalloc(nroutes ? nroutes : 1, sizeof(*m->requests));
	for (size_t r = 0; r < nroutes; r++) {
		m->label[r] = r;
		for (size_t e = 0; e < r; e++)
			if (strcmp(names[e], names[r]) == 0) {
				m->label[r] = e;
				break;
			}
	}
	for (int u = 0; u < METRICS_NUSES; u++)
		pthread_mutex_init(&m->db[u].mu, NULL);
	return m;
}

void
metrics_free(struct metrics *m)
{
	if (!m)
		return;
	for (int u = 0; u < METRICS_NUSES; u++)
		pthread_mutex_destroy(&m->db[u].mu);
	free(m->label);
	free(m->requests);
	free(m);
}

static size_t
status_index(int status)
{
	for (size_t i = 0; i < NSTATUS - 1; i++)
		if (statuses[i] == status)
			return i;
	return NSTATUS - 1;
}

void
metrics_request(struct metrics *m, size_t route, int status)
{
	if (!m || route >= m->nroutes)
		return;
	atomic_fetch_add_explicit(
	    &m->requests[m->label[route]][status_index(status)], 1,
	    memory_order_relaxed);
}

void
metrics_scans(struct metrics *m, enum ocop_verdict verdict, size_t n)
{
	if (!m || verdict < 0 || verdict >= NVERDICT)
		return;
	atomic_fetch_add_explicit(&m->scans[verdict], n, memory_order_relaxed);
}

static void
group_add(struct group_hist *h, size_t items, double seconds)
{
	for (size_t i = 0; i < NBUCKET; i++) {
		if (seconds <= commit_buckets[i]) {
			atomic_fetch_add_explicit(&h->bucket[i], 1,
						  memory_order_relaxed);
			break;
		}
	}
	atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->usec,
				  (uint_fast64_t)(seconds * 1e6 + 0.5),
				  memory_order_relaxed);
	atomic_fetch_add_explicit(&h->items, items, memory_order_relaxed);
}

void
metrics_commit(struct metrics *m, size_t rows, double seconds)
{
	if (m)
		group_add(&m->commits, rows, seconds);
}

void
metrics_lookups(struct metrics *m, size_t n, double seconds)
{
	if (m)
		group_add(&m->lookups, n, seconds);
}

void
metrics_database(struct metrics *m, enum metrics_use use, int rc,
		 const struct ocop_error *err, size_t items)
{
	struct db_use *d;
	double now;

	if (!m || use < 0 || use >= METRICS_NUSES)
		return;
	d = &m->db[use];
	if (rc < 0 && !store_down(rc))
		return; /* the call's own business */
	if (rc >= 0 && !atomic_load_explicit(&d->failing, memory_order_acquire))
		return; /* the common case: working, and it was */
	now = ocop_mono();
	pthread_mutex_lock(&d->mu);
	if (rc < 0) {
		atomic_fetch_add_explicit(&d->failures, 1,
					  memory_order_relaxed);
		if (!atomic_load_explicit(&d->failing, memory_order_relaxed)) {
			d->since = now;
			d->refused = 0;
			atomic_store_explicit(&d->failing, 1,
					      memory_order_release);
			fprintf(stderr, "ocop: database failing (%s): %s\n",
				use_names[use],
				err && err->msg[0] ? err->msg
						   : "no cause given");
		}
		d->last = now;
		d->refused += items;
	} else if (atomic_load_explicit(&d->failing, memory_order_relaxed)) {
		atomic_store_explicit(&d->failing, 0, memory_order_release);
		if (use == METRICS_SCANS)
			fprintf(stderr,
				"ocop: database working again (%s) after %.0f "
				"s; %llu scans refused meanwhile\n",
				use_names[use], now - d->since,
				(unsigned long long)d->refused);
		else
			fprintf(stderr,
				"ocop: database working again (%s) after %.0f "
				"s\n",
				use_names[use], now - d->since);
	}
	pthread_mutex_unlock(&d->mu);
}

int
metrics_database_failing(struct metrics *m, enum metrics_use use, double within)
{
	struct db_use *d;
	int failing;

	if (!m || use < 0 || use >= METRICS_NUSES)
		return 0;
	d = &m->db[use];
	if (!atomic_load_explicit(&d->failing, memory_order_acquire))
		return 0;
	pthread_mutex_lock(&d->mu);
	failing = d->failing && ocop_mono() - d->last <= within;
	pthread_mutex_unlock(&d->mu);
	return failing;
}

static uint64_t
load(atomic_uint_fast64_t *v)
{
	return (uint64_t)atomic_load_explicit(v, memory_order_relaxed);
}

/* A group histogram (seconds) and its counter of items. */
static void
group_render(struct ocop_buf *out, const char *name, const char *help,
	     const char *items, const char *items_help, struct group_hist *h)
{
	uint64_t cum = 0;

	ocop_buf_addf(out, "# HELP %s %s\n# TYPE %s histogram\n", name, help,
		      name);
	for (size_t i = 0; i < NBUCKET; i++) {
		cum += load(&h->bucket[i]);
		ocop_buf_addf(out, "%s_bucket{le=\"%g\"} %llu\n", name,
			      commit_buckets[i], (unsigned long long)cum);
	}
	ocop_buf_addf(out,
		      "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %.6f\n"
		      "%s_count %llu\n# HELP %s %s\n# TYPE %s counter\n"
		      "%s %llu\n",
		      name, (unsigned long long)load(&h->count), name,
		      (double)load(&h->usec) / 1e6, name,
		      (unsigned long long)load(&h->count), items, items_help,
		      items, items, (unsigned long long)load(&h->items));
}

int
metrics_render(struct metrics *m, size_t queue_depth, size_t in_flight,
	       struct ocop_buf *out)
{
	ocop_buf_adds(out, "# HELP ocop_http_requests_total HTTP requests "
			   "answered, by route and status.\n"
			   "# TYPE ocop_http_requests_total counter\n");
	for (size_t r = 0; r < m->nroutes; r++) {
		if (m->label[r] != r)
			continue; /* counted under its label's first route */
		for (size_t s = 0; s < NSTATUS; s++) {
			uint64_t v = load(&m->requests[r][s]);
			char st[8];

			if (!v)
				continue;
			if (s < NSTATUS - 1)
				snprintf(st, sizeof(st), "%d", statuses[s]);
			else
				snprintf(st, sizeof(st), "other");
			ocop_buf_addf(out,
				      "ocop_http_requests_total{route=\"%s\","
				      "status=\"%s\"} %llu\n",
				      m->names[r], st, (unsigned long long)v);
		}
	}
	ocop_buf_adds(out, "# HELP ocop_scans_total Scans stored, by verdict "
			   "at scan time.\n"
			   "# TYPE ocop_scans_total counter\n");
	for (int v = 0; v < NVERDICT; v++)
		ocop_buf_addf(out, "ocop_scans_total{verdict=\"%s\"} %llu\n",
			      ocop_verdict_name((enum ocop_verdict)v),
			      (unsigned long long)load(&m->scans[v]));
	ocop_buf_addf(out,
		      "# HELP ocop_scan_queue_depth Scans waiting for the "
		      "scan-log writer.\n"
		      "# TYPE ocop_scan_queue_depth gauge\n"
		      "ocop_scan_queue_depth %zu\n"
		      "# HELP ocop_http_in_flight Requests being answered.\n"
		      "# TYPE ocop_http_in_flight gauge\n"
		      "ocop_http_in_flight %zu\n",
		      queue_depth, in_flight);
	group_render(out, "ocop_scan_commit_seconds",
		     "Time to commit one scan-log transaction.",
		     "ocop_scan_rows_committed_total",
		     "Scan rows written by the scan-log writer.", &m->commits);
	group_render(out, "ocop_lookup_read_seconds",
		     "Time to read one group of lookups (a networked "
		     "engine's reader).",
		     "ocop_lookups_read_total",
		     "Lookups read in groups by the reader.", &m->lookups);
	ocop_buf_adds(out, "# HELP ocop_database_failing Whether the "
			   "database is failing the node (1), by use: its "
			   "last use failed as a whole.\n"
			   "# TYPE ocop_database_failing gauge\n");
	for (int u = 0; u < METRICS_NUSES; u++)
		ocop_buf_addf(out, "ocop_database_failing{use=\"%s\"} %d\n",
			      use_names[u],
			      atomic_load_explicit(&m->db[u].failing,
						   memory_order_relaxed));
	ocop_buf_adds(out, "# HELP ocop_database_failures_total Uses of the "
			   "database that failed as a whole (unreachable or "
			   "unwritable), by use.\n"
			   "# TYPE ocop_database_failures_total counter\n");
	for (int u = 0; u < METRICS_NUSES; u++)
		ocop_buf_addf(
		    out, "ocop_database_failures_total{use=\"%s\"} %llu\n",
		    use_names[u], (unsigned long long)load(&m->db[u].failures));
	return 0;
}
