/*
 * test_store_pg.c - the PostgreSQL engine (src/store/pg/) against the
 * contract of store.h, on the test server of tests/pg.sh (OCOP_TEST_PG:
 * its socket directory; tests/run starts it). Each test has a database of
 * its own. What several nodes need is checked with several handles on
 * threads: migrations started at once, scans of one label counted by two
 * writers, a client id sent to both.
 */
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "assets.h"
#include "harness.h"
#include "record.h"
#include "store/store.h"

static const char *sockdir;
static char uri[512];

static void
quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* The number of the latest migration of the engine. */
static int
latest_migration(void)
{
	int latest = 0, n;

	for (const struct ocop_asset *a = ocop_assets; a->name; a++)
		if (sscanf(a->name, "migrations/pg/%4d", &n) == 1 && n > latest)
			latest = n;
	return latest;
}

/* A fresh database named name; uri is set to it. */
static int
fresh_db(const char *name)
{
	char conninfo[400], sql[160];
	PGconn *c;
	PGresult *r;
	int ok;

	snprintf(conninfo, sizeof(conninfo),
		 "host=%s user=postgres dbname=postgres", sockdir);
	c = PQconnectdb(conninfo);
	if (PQstatus(c) != CONNECTION_OK) {
		HARNESS_FAIL("cannot connect: %s", PQerrorMessage(c));
		PQfinish(c);
		return -1;
	}
	PQsetNoticeProcessor(c, quiet, NULL);
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)",
		 name);
	PQclear(PQexec(c, sql));
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
	r = PQexec(c, sql);
	ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		HARNESS_FAIL("cannot create %s: %s", name, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	snprintf(uri, sizeof(uri), "postgresql:///%s?host=%s&user=postgres",
		 name, sockdir);
	return ok ? 0 : -1;
}

/* Run sql over a connection of its own to conninfo. */
static void
sql_exec_on(const char *conninfo, const char *sql)
{
	PGconn *c = PQconnectdb(conninfo);
	PGresult *r = PQexec(c, sql);

	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK)
		HARNESS_FAIL("%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
}

/* Run sql on the test database behind the engine's back. */
static void
sql_exec(const char *sql)
{
	sql_exec_on(uri, sql);
}

static void
test_schema(void)
{
	struct ocop_error err = {0};
	struct ocop_store *st = NULL;
	struct store_stats stats;

	TEST("pg: no schema without create; newer schema refused");
	if (fresh_db("ocop_unit_schema") < 0)
		return;
	CHECK_INT(ocop_store_open(uri, 0, &st, &err), OCOP_ENOINPUT);
	CHECK(strstr(err.msg, "ocop init") != NULL);
	CHECK_INT(ocop_store_open(uri, OCOP_STORE_CREATE, &st, &err), 0);
	if (!st)
		return;
	CHECK(strcmp(st->m->name, "pg") == 0);
	CHECK_INT(st->m->stats(st, &stats, &err), 0);
	CHECK_STR(stats.engine, "pg");
	CHECK_INT(stats.schema, latest_migration());
	CHECK(stats.schema >= 4);
	CHECK_STR(stats.check, "ok");
	ocop_store_close(st);
	st = NULL;
	/* opened again: nothing to apply */
	CHECK_INT(ocop_store_open(uri, 0, &st, &err), 0);
	ocop_store_close(st);
	st = NULL;
	sql_exec("INSERT INTO schema_version VALUES (9999, 0)");
	CHECK_INT(ocop_store_open(uri, 0, &st, &err), OCOP_EREFUSED);
	CHECK(strstr(err.msg, "newer than this ocop knows") != NULL);
}

struct opener {
	int rc;
};

static void *
open_create(void *arg)
{
	struct opener *o = arg;
	struct ocop_error err = {0};
	struct ocop_store *st = NULL;

	o->rc = ocop_store_open(uri, OCOP_STORE_CREATE, &st, &err);
	ocop_store_close(st);
	return NULL;
}

static void
test_migrate_race(void)
{
	pthread_t t[4];
	struct opener o[4];

	TEST("pg: four nodes creating the schema at once all succeed");
	if (fresh_db("ocop_unit_race") < 0)
		return;
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, open_create, &o[i]);
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		CHECK_INT(o[i].rc, 0);
	}
}

static void
test_transactions(void)
{
	struct ocop_error err = {0};
	struct ocop_store *st = NULL, *r = NULL;
	char v[64];

	TEST("pg: a nested rollback fails the commit; readers see commits");
	if (fresh_db("ocop_unit_tx") < 0)
		return;
	CHECK_INT(ocop_store_open(uri, OCOP_STORE_CREATE, &st, &err), 0);
	CHECK_INT(ocop_store_open(uri, OCOP_STORE_READER, &r, &err), 0);
	if (!st || !r)
		goto out;
	CHECK_INT(st->m->begin(st, &err), 0);
	CHECK_INT(st->m->meta_set(st, "operator", "A", &err), 0);
	CHECK_INT(st->m->begin(st, &err), 0);
	CHECK_INT(st->m->meta_set(st, "contact", "B", &err), 0);
	st->m->rollback(st);
	CHECK(st->m->commit(st, &err) < 0);
	CHECK_INT(st->m->meta_get(st, "operator", v, sizeof(v), &err), 0);
	CHECK_STR(v, "");
	CHECK_INT(st->m->begin(st, &err), 0);
	CHECK_INT(st->m->meta_set(st, "operator", "C", &err), 0);
	CHECK_INT(st->m->commit(st, &err), 0);
	CHECK(r->m->begin(r, &err) < 0);
	for (int i = 0; i < 20; i++) {
		char want[16];

		snprintf(want, sizeof(want), "v%d", i);
		CHECK_INT(st->m->meta_set(st, "operator", want, &err), 0);
		CHECK_INT(r->m->read_begin(r, &err), 0);
		CHECK_INT(r->m->meta_get(r, "operator", v, sizeof(v), &err), 0);
		CHECK_STR(v, want);
		r->m->read_end(r);
	}
out:
	ocop_store_close(r);
	ocop_store_close(st);
}

/* A product, a batch and n labels "SERIAL0000000000".. in st. */
static int
labels_made(struct ocop_store *st, int n, int64_t *first_label)
{
	struct ocop_error err = {0};
	struct ocop_product p;
	struct ocop_batch b;
	struct ocop_label l;
	int changed;

	memset(&p, 0, sizeof(p));
	strcpy(p.code, "UNIT-1");
	strcpy(p.name, "Mật ong");
	strcpy(p.group, "I");
	strcpy(p.producer.name, "HTX A");
	strcpy(p.producer.kind, "HTX");
	strcpy(p.producer.province, "01");
	strcpy(p.producer.address, "Thôn 1");
	if (st->m->product_put(st, &p, &changed, &err) < 0) {
		HARNESS_FAIL("product_put: %s", err.msg);
		return -1;
	}
	memset(&b, 0, sizeof(b));
	b.product_id = p.id;
	b.stars = 4;
	b.count = n;
	b.made_on = b.best_before = OCOP_NO_DAY;
	b.issued_at = 1700000000;
	b.voided_at = OCOP_NO_TIME;
	CHECK_INT(st->m->begin(st, &err), 0);
	CHECK_INT(st->m->batch_add(st, &b, &err), 0);
	for (int i = 0; i < n; i++) {
		memset(&l, 0, sizeof(l));
		snprintf(l.serial, sizeof(l.serial), "SERIAL%010u",
			 (unsigned)i);
		l.batch_id = b.id;
		l.product_id = p.id;
		l.stars = 4;
		CHECK_INT(st->m->label_add(st, &l, &err), 0);
		if (i == 0)
			*first_label = l.id;
	}
	/* a serial taken: EEXIST, and the transaction goes on */
	strcpy(l.serial, "SERIAL0000000000");
	CHECK_INT(st->m->label_add(st, &l, &err), OCOP_EEXIST);
	return st->m->commit(st, &err);
}

struct writer {
	int64_t label_id, product_id;
	int id;
	int dups;
	int rc;
};

/* 10 groups of 20 scans of one label, each group one transaction, and
 * one inspector scan whose client id every writer sends. */
static void *
write_scans(void *arg)
{
	struct writer *w = arg;
	struct ocop_error err = {0};
	struct ocop_store *st = NULL;

	if ((w->rc = ocop_store_open(uri, OCOP_STORE_SCAN_WRITER, &st, &err)) <
	    0)
		return NULL;
	for (int g = 0; g < 10 && w->rc == 0; g++) {
		/* the caller's until commit (store.h: scan_add) */
		struct ocop_scan s[20];
		int dup[20];
		int64_t count[20], first_at[20];

		w->rc = st->m->begin(st, &err);
		for (int i = 0; i < 20 && w->rc == 0; i++) {
			memset(&s[i], 0, sizeof(s[i]));
			strcpy(s[i].code, "SERIAL0000000000");
			s[i].label_id = w->label_id;
			s[i].product_id = w->product_id;
			s[i].scanned_at = 1790000000 + g * 100 + i;
			s[i].received_at = s[i].scanned_at;
			s[i].source = OCOP_SCAN_CONSUMER;
			snprintf(s[i].net, sizeof(s[i].net), "10.%d.%d.0/24",
				 w->id, i % 5);
			w->rc = st->m->scan_add(st, &s[i], &dup[i], &err);
			if (w->rc == 0)
				w->rc = st->m->scan_stats(st, w->label_id,
							  &count[i],
							  &first_at[i], &err);
		}
		if (w->rc == 0)
			w->rc = st->m->commit(st, &err);
		else
			st->m->rollback(st);
		/* each scan counted after the ones before it in the group */
		for (int i = 1; i < 20 && w->rc == 0; i++) {
			CHECK(s[i].id > s[i - 1].id);
			CHECK_INT(dup[i], 0);
			CHECK_INT(count[i], count[i - 1] + 1);
			CHECK(first_at[i] <= 1790000000 + g * 100);
		}
	}
	if (w->rc == 0) {
		struct ocop_scan s;
		int dup = 0;

		memset(&s, 0, sizeof(s));
		strcpy(s.code, "SERIAL0000000000");
		strcpy(s.client_id, "inspector-1");
		strcpy(s.place, "Chợ Đồng Xuân");
		s.label_id = w->label_id;
		s.product_id = w->product_id;
		s.scanned_at = 1790000500;
		s.received_at = s.scanned_at;
		s.source = OCOP_SCAN_INSPECTOR;
		w->rc = st->m->scan_add(st, &s, &dup, &err);
		w->dups = dup;
	}
	if (w->rc < 0)
		HARNESS_FAIL("writer %d: %s", w->id, err.msg);
	ocop_store_close(st);
	return NULL;
}

static int
stop_at_three(void *ctx, const struct ocop_scan *s)
{
	int *n = ctx;

	(void)s;
	return ++*n == 3 ? 42 : 0;
}

/* label_lookup_many after test_two_writers's scans: each serial as
 * label_lookup reads it, a serial asked twice answered twice, an unknown
 * one not found; and the records built from them as one by one. */
static void
lookups_many(struct ocop_store *st, int64_t version)
{
	const char *serials[4] = {"SERIAL0000000000", "NOSUCHSERIAL0000",
				  "SERIAL0000000002", "SERIAL0000000000"};
	struct store_label_read r[4];
	struct ocop_error err = {0};
	struct ocop_code code[4];
	struct ocop_record rec[4], one;
	struct record_query q[4];

	CHECK_INT(st->m->label_lookup_many(st, serials, 4, r, &err), 0);
	CHECK_INT(r[0].found, 1);
	CHECK_INT(r[1].found, 0);
	CHECK_INT(r[2].found, 1);
	CHECK_INT(r[3].found, 1);
	CHECK_STR(r[0].label.serial, "SERIAL0000000000");
	CHECK_STR(r[2].label.serial, "SERIAL0000000002");
	CHECK_INT(r[0].batch.id, r[0].label.batch_id);
	CHECK_INT(r[0].scan_count, 401);
	CHECK_INT(r[0].first_scan_at, 1790000000);
	CHECK_INT(r[0].places.n, PLACES_KEPT);
	CHECK_INT(r[3].scan_count, 401);
	CHECK_INT(r[2].scan_count, 0);
	CHECK(r[2].first_scan_at == OCOP_NO_TIME);
	CHECK(r[0].registry_version == version);
	CHECK(r[2].registry_version == version);
	for (int i = 0; i < 4; i++) {
		/* a code as ocop_code_parse makes of a serial (these test
		 * serials have no check character) */
		memset(&code[i], 0, sizeof(code[i]));
		code[i].kind = OCOP_CODE_SERIAL;
		snprintf(code[i].serial, sizeof(code[i].serial), "%s",
			 serials[i]);
		q[i].code = &code[i];
		q[i].at = 1790000000 + 86400;
		q[i].rec = &rec[i];
	}
	CHECK_INT(record_lookup_many(st, NULL, q, 4), 0);
	for (int i = 0; i < 4; i++) {
		CHECK_INT(q[i].rc, 0);
		CHECK_INT(record_lookup(st, &code[i], q[i].at, &one, &err), 0);
		CHECK(memcmp(&one, &rec[i], sizeof(one)) == 0);
	}
	CHECK_INT(rec[1].verdict, OCOP_UNKNOWN);
	CHECK_INT(rec[0].scan_count, 401);
}

static void
test_two_writers(void)
{
	struct ocop_error err = {0};
	struct ocop_store *st = NULL;
	struct writer w[2];
	pthread_t t[2];
	int64_t first = 0, count = 0, first_at = 0, version = 0;
	struct ocop_label l;
	struct ocop_batch b;
	struct places pl = {0};
	struct store_stats stats;
	struct ocop_product p;
	/* the writers' day, its product counted twice: without and with
	 * its scans counted late */
	int64_t day = ocop_day_start(ocop_day_of(1790000000));
	int64_t ids[2], since[2] = {day, day}, late_since[2] = {INT64_MAX, day};
	int64_t issued[2], scans[2], late[2];
	int n = 0;

	TEST("pg: two writers count one label and one product's day without "
	     "losing a scan");
	if (fresh_db("ocop_unit_scans") < 0)
		return;
	CHECK_INT(ocop_store_open(uri, OCOP_STORE_CREATE, &st, &err), 0);
	if (!st || labels_made(st, 3, &first) < 0)
		goto out;
	CHECK_INT(st->m->product_get(st, "UNIT-1", &p, &err), 0);
	for (int i = 0; i < 2; i++) {
		w[i].label_id = first;
		w[i].product_id = p.id;
		w[i].id = i;
		w[i].dups = 0;
		pthread_create(&t[i], NULL, write_scans, &w[i]);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	CHECK_INT(w[0].rc, 0);
	CHECK_INT(w[1].rc, 0);
	/* one of the two found the other's inspector scan */
	CHECK_INT(w[0].dups + w[1].dups, 1);
	CHECK_INT(st->m->scan_stats(st, first, &count, &first_at, &err), 0);
	CHECK_INT(count, 401);
	CHECK_INT(first_at, 1790000000);
	CHECK_INT(st->m->read_begin(st, &err), 0);
	CHECK_INT(st->m->label_lookup(st, "SERIAL0000000000", &l, &b, &count,
				      &first_at, &pl, &version, &err),
		  0);
	st->m->read_end(st);
	CHECK_INT(count, 401);
	CHECK(version > 0);
	ids[0] = ids[1] = p.id;
	CHECK_INT(st->m->product_counts(st, ids, since, late_since, 2, issued,
					scans, late, &err),
		  0);
	CHECK_INT(issued[0], 3);
	CHECK_INT(scans[0], 401);
	CHECK_INT(late[0], 0);
	CHECK_INT(scans[1], 401);
	CHECK_INT(late[1], 401);
	since[0] = ocop_day_start(ocop_day_of(1790000000) + 1);
	CHECK_INT(st->m->product_counts(st, ids, since, late_since, 1, issued,
					scans, late, &err),
		  0);
	CHECK_INT(scans[0], 0);
	CHECK_INT(pl.n, PLACES_KEPT);
	CHECK_INT(st->m->label_lookup(st, "NOSUCHSERIAL0000", &l, &b, &count,
				      &first_at, &pl, &version, &err),
		  OCOP_ENOENT);
	lookups_many(st, version);
	/* an iterator stopped early: its value, and the handle goes on */
	CHECK_INT(st->m->scan_each_placed(st, OCOP_NO_TIME, OCOP_NO_TIME,
					  stop_at_three, &n, &err),
		  42);
	CHECK_INT(n, 3);
	CHECK_INT(st->m->stats(st, &stats, &err), 0);
	CHECK_STR(stats.check, "ok");
	for (size_t i = 0; i < stats.ntables; i++)
		if (strcmp(stats.tables[i].name, "scans") == 0)
			CHECK_INT(stats.tables[i].rows, 401);
	/* voiding twice keeps the first time */
	CHECK_INT(st->m->label_void(st, "SERIAL0000000001", 100, "a", &err), 0);
	CHECK_INT(st->m->label_void(st, "SERIAL0000000001", 200, "b", &err), 0);
	CHECK_INT(st->m->label_get(st, "SERIAL0000000001", &l, &err), 0);
	CHECK_INT(l.voided_at, 100);
	CHECK_STR(l.void_reason, "a");
	CHECK_INT(st->m->label_void(st, "SERIAL9999999999", 100, "a", &err),
		  OCOP_ENOENT);
out:
	ocop_store_close(st);
}

/* A fresh database name, a handle st, a scan writer w on it and one
 * label "SERIAL0000000000" (first): -1 if any is missing. */
static int
writer_made(const char *name, struct ocop_store **st, struct ocop_store **w,
	    int64_t *first)
{
	struct ocop_error err = {0};

	if (fresh_db(name) < 0)
		return -1;
	CHECK_INT(ocop_store_open(uri, OCOP_STORE_CREATE, st, &err), 0);
	CHECK_INT(ocop_store_open(uri, OCOP_STORE_SCAN_WRITER, w, &err), 0);
	if (!*st || !*w)
		return -1;
	return labels_made(*st, 1, first);
}

/* Scans of months far ahead and long past (a device's clock, an
 * inspector's scans sent late) each go to their month's partition, in the
 * writer's group and alone: none to scans_default (the check says so). */
static void
test_far_months(void)
{
	struct ocop_error err = {0};
	struct ocop_store *st = NULL, *w = NULL;
	struct store_stats stats;
	struct ocop_scan s[3];
	int64_t first = 0, at[3], count = 0, last = 0;
	int dup[3];

	TEST("pg: a scan in a month far ahead gets its own partition");
	if (writer_made("ocop_unit_months", &st, &w, &first) < 0)
		goto out;
	at[0] = ocop_now() + 400 * 86400;  /* 13 months ahead */
	at[1] = ocop_now() + 3000 * 86400; /* 8 years ahead */
	at[2] = ocop_now() - 700 * 86400;  /* 2 years back */
	CHECK_INT(w->m->begin(w, &err), 0);
	for (int i = 0; i < 3; i++) {
		memset(&s[i], 0, sizeof(s[i]));
		strcpy(s[i].code, "SERIAL0000000000");
		s[i].label_id = first;
		s[i].scanned_at = at[i];
		s[i].received_at = ocop_now();
		s[i].source = OCOP_SCAN_CONSUMER;
		CHECK_INT(w->m->scan_add(w, &s[i], &dup[i], &err), 0);
	}
	CHECK_INT(w->m->commit(w, &err), 0);
	/* alone, outside a transaction */
	s[0].id = 0;
	s[0].scanned_at = at[0] + 86400;
	CHECK_INT(st->m->scan_add(st, &s[0], &dup[0], &err), 0);
	CHECK(s[0].id > 0);
	CHECK_INT(st->m->scan_count_of_product(st, s[0].product_id, at[0],
					       at[1] + 1, &count, &last, &err),
		  0);
	CHECK_INT(st->m->stats(st, &stats, &err), 0);
	CHECK_STR(stats.check, "ok");
out:
	ocop_store_close(w);
	ocop_store_close(st);
}

/* One scan of label_id at 'at' in one place in a writer's group of its
 * own: a consumer's, or an inspector's when client_id is not NULL. */
static int
scan_group_at(struct ocop_store *w, int64_t label_id, int64_t at,
	      const char *client_id, struct ocop_error *err)
{
	struct ocop_scan sc;
	int dup = 0;

	memset(&sc, 0, sizeof(sc));
	strcpy(sc.code, "SERIAL0000000000");
	strcpy(sc.place, "Chợ Bến Thành");
	sc.label_id = label_id;
	sc.scanned_at = at;
	sc.received_at = ocop_now();
	sc.source = OCOP_SCAN_CONSUMER;
	if (client_id) {
		sc.source = OCOP_SCAN_INSPECTOR;
		snprintf(sc.client_id, sizeof(sc.client_id), "%s", client_id);
	}
	if (w->m->begin(w, err) < 0)
		return -1;
	if (w->m->scan_add(w, &sc, &dup, err) < 0) {
		w->m->rollback(w);
		return -1;
	}
	return w->m->commit(w, err);
}

static int
scan_group(struct ocop_store *w, int64_t label_id, struct ocop_error *err)
{
	return scan_group_at(w, label_id, ocop_now(), NULL, err);
}

/* A place keeps the day of its latest scan, whatever order the scans
 * come in (an inspector's sent late, a consumer's in a later group), and
 * another scan on its day leaves it. */
static void
test_place_days(void)
{
	struct ocop_error err = {0};
	struct ocop_store *st = NULL, *w = NULL;
	struct ocop_label l;
	struct ocop_batch b;
	struct places pl = {0};
	int64_t first = 0, count = 0, first_at = 0, version = 0;
	int64_t now = ocop_now();

	TEST("pg: a place keeps the day of its latest scan");
	if (writer_made("ocop_unit_places", &st, &w, &first) < 0)
		goto out;
	CHECK_INT(scan_group_at(w, first, now - 86400, NULL, &err), 0);
	CHECK_INT(scan_group_at(w, first, now - 3 * 86400, "late-1", &err), 0);
	CHECK_INT(scan_group_at(w, first, now - 2 * 86400, NULL, &err), 0);
	CHECK_INT(scan_group_at(w, first, now - 86400, NULL, &err), 0);
	CHECK_INT(st->m->label_lookup(st, "SERIAL0000000000", &l, &b, &count,
				      &first_at, &pl, &version, &err),
		  0);
	CHECK_INT(count, 4);
	CHECK_INT(pl.n, 1);
	CHECK_INT(pl.p[0].day, ocop_day_of(now - 86400));
	CHECK_INT(scan_group_at(w, first, now, "late-2", &err), 0);
	memset(&pl, 0, sizeof(pl));
	CHECK_INT(st->m->label_lookup(st, "SERIAL0000000000", &l, &b, &count,
				      &first_at, &pl, &version, &err),
		  0);
	CHECK_INT(pl.n, 1);
	CHECK_INT(pl.p[0].day, ocop_day_of(now));
	CHECK_INT(scan_group_at(w, first, now + 86400, NULL, &err), 0);
	memset(&pl, 0, sizeof(pl));
	CHECK_INT(st->m->label_lookup(st, "SERIAL0000000000", &l, &b, &count,
				      &first_at, &pl, &version, &err),
		  0);
	CHECK_INT(count, 6);
	CHECK_INT(pl.p[0].day, ocop_day_of(now + 86400));
out:
	ocop_store_close(w);
	ocop_store_close(st);
}

/* A migration that changes what a prepared statement returns, run while
 * a node serves ('ocop init' of a newer ocop): the server refuses the
 * statements prepared before it, and the handles prepare them anew: a
 * lookup at once, the writer from its next group (the group that met the
 * change failed whole, as any failed commit). */
static void
test_schema_change(void)
{
	struct ocop_error err = {0};
	struct ocop_store *st = NULL, *w = NULL;
	const char *serials[1] = {"SERIAL0000000000"};
	struct store_label_read r[1];
	struct store_stats stats;
	struct ocop_label l;
	struct ocop_batch b;
	struct places pl = {0};
	int64_t first = 0, count = 0, first_at = 0, version = 0;

	TEST("pg: a schema change under open handles: statements prepared "
	     "anew");
	if (writer_made("ocop_unit_replan", &st, &w, &first) < 0)
		goto out;
	CHECK_INT(st->m->label_lookup(st, serials[0], &l, &b, &count, &first_at,
				      &pl, &version, &err),
		  0);
	CHECK_INT(st->m->label_lookup_many(st, serials, 1, r, &err), 0);
	CHECK_INT(scan_group(w, first, &err), 0);
	/* what the lookups and the group insert return changes type */
	sql_exec("ALTER TABLE labels ALTER COLUMN serial TYPE text "
		 "COLLATE \"C\"");
	sql_exec("ALTER TABLE label_scan_stats ALTER COLUMN count TYPE "
		 "numeric");
	CHECK_INT(st->m->label_lookup(st, serials[0], &l, &b, &count, &first_at,
				      &pl, &version, &err),
		  0);
	CHECK_STR(l.serial, "SERIAL0000000000");
	CHECK_INT(count, 1);
	CHECK_INT(st->m->label_lookup_many(st, serials, 1, r, &err), 0);
	CHECK_INT(r[0].found, 1);
	CHECK_INT(r[0].scan_count, 1);
	if (scan_group(w, first, &err) != 0)
		CHECK_INT(scan_group(w, first, &err), 0);
	CHECK_INT(scan_group(w, first, &err), 0);
	CHECK_INT(st->m->label_lookup(st, serials[0], &l, &b, &count, &first_at,
				      &pl, &version, &err),
		  0);
	CHECK_INT(count, 3);
	CHECK_INT(st->m->stats(st, &stats, &err), 0);
	CHECK_STR(stats.check, "ok");
out:
	ocop_store_close(w);
	ocop_store_close(st);
}

/* The server's postgres database (what a test database's own
 * connections cannot do to it). */
static void
admin_conninfo(char *buf, size_t size)
{
	snprintf(buf, size, "host=%s user=postgres dbname=postgres", sockdir);
}

static void
admin_exec(const char *sql)
{
	char conninfo[400];

	admin_conninfo(conninfo, sizeof(conninfo));
	sql_exec_on(conninfo, sql);
}

/* Every connection to database name closed by the server, as a restart
 * or a failover closes them; returns once none is left. */
static void
connections_closed(const char *name)
{
	char sql[300];
	PGconn *c;
	char conninfo[400];

	admin_conninfo(conninfo, sizeof(conninfo));
	c = PQconnectdb(conninfo);
	snprintf(sql, sizeof(sql),
		 "SELECT count(pg_terminate_backend(pid)) FROM "
		 "pg_stat_activity WHERE datname = '%s'",
		 name);
	PQclear(PQexec(c, sql));
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM pg_stat_activity WHERE datname = '%s'",
		 name);
	for (int i = 0; i < 200; i++) {
		PGresult *r = PQexec(c, sql);
		int left = PQntuples(r) == 1 ? atoi(PQgetvalue(r, 0, 0)) : -1;

		PQclear(r);
		if (left == 0)
			break;
		usleep(10000);
	}
	PQfinish(c);
}

/* The test label's count through st, or -1. */
static int64_t
lookup_count(struct ocop_store *st, struct ocop_error *err)
{
	struct ocop_label l;
	struct ocop_batch b;
	struct places pl = {0};
	int64_t count = -1, first_at = 0, version = 0;

	if (st->m->label_lookup(st, "SERIAL0000000000", &l, &b, &count,
				&first_at, &pl, &version, err) < 0)
		return -1;
	return count;
}

/* lookup_count in a read of its own. */
static int64_t
read_count(struct ocop_store *st, struct ocop_error *err)
{
	int64_t count;

	if (st->m->read_begin(st, err) < 0)
		return -1;
	count = lookup_count(st, err);
	st->m->read_end(st);
	return count;
}

/*
 * The server closes every connection (a restart, a failover, an
 * administrator): each handle's next transaction or read goes on over a
 * new connection, the writer's group and a read alike, nothing failed; a
 * read cut in its snapshot fails and the next goes on. While the server
 * refuses connections, work fails at once as unreachable, and goes on
 * again once it takes them.
 */
static void
test_reconnect(void)
{
	struct ocop_error err = {0};
	struct ocop_store *st = NULL, *w = NULL, *rd = NULL;
	struct ocop_product prod;
	struct ocop_scan sc;
	char v[64];
	int64_t first = 0;
	int dup = 0;
	double t0;

	TEST("pg: handles go on over a new connection after the server "
	     "closed theirs");
	if (writer_made("ocop_unit_reconnect", &st, &w, &first) < 0)
		goto out;
	CHECK_INT(ocop_store_open(uri, OCOP_STORE_READER, &rd, &err), 0);
	if (!rd)
		goto out;
	CHECK_INT(scan_group(w, first, &err), 0);
	CHECK_INT(read_count(rd, &err), 1);
	connections_closed("ocop_unit_reconnect");
	CHECK_INT(scan_group(w, first, &err), 0);
	CHECK_INT(read_count(rd, &err), 2);
	CHECK_INT(st->m->meta_get(st, "base_url", v, sizeof(v), &err), 0);
	/* a read's first statement met the closed connection (closed after
	 * the read began): it runs again on a new one, whether it was to be
	 * prepared first or already was */
	CHECK_INT(rd->m->read_begin(rd, &err), 0);
	connections_closed("ocop_unit_reconnect");
	CHECK_INT(rd->m->product_get(rd, "87-30571-001-2019", &prod, &err) ==
			  0 ||
		      err.code == OCOP_ENOENT,
		  1);
	rd->m->read_end(rd);
	CHECK_INT(read_count(rd, &err), 2); /* prepared on this connection */
	CHECK_INT(rd->m->read_begin(rd, &err), 0);
	connections_closed("ocop_unit_reconnect");
	CHECK_INT(lookup_count(rd, &err), 2);
	rd->m->read_end(rd);
	/* cut inside a snapshot of several statements: that read fails,
	 * the next goes on */
	CHECK_INT(rd->m->read_begin(rd, &err), 0);
	CHECK_INT(rd->m->meta_get(rd, "base_url", v, sizeof(v), &err), 0);
	CHECK_INT(rd->m->meta_get(rd, "base_url", v, sizeof(v), &err), 0);
	connections_closed("ocop_unit_reconnect");
	CHECK(rd->m->meta_get(rd, "base_url", v, sizeof(v), &err) < 0);
	CHECK_INT(err.code, OCOP_EOUTPUT);
	rd->m->read_end(rd);
	CHECK_INT(read_count(rd, &err), 2);
	/* a writer's group cut before its commit: that group fails (nothing
	 * of it stored), the next goes on */
	memset(&sc, 0, sizeof(sc));
	strcpy(sc.code, "SERIAL0000000000");
	sc.label_id = first;
	sc.scanned_at = sc.received_at = ocop_now();
	sc.source = OCOP_SCAN_CONSUMER;
	CHECK_INT(w->m->begin(w, &err), 0);
	CHECK_INT(w->m->scan_add(w, &sc, &dup, &err), 0);
	connections_closed("ocop_unit_reconnect");
	CHECK(w->m->commit(w, &err) < 0);
	CHECK_INT(read_count(rd, &err), 2);
	CHECK_INT(scan_group(w, first, &err), 0);
	CHECK_INT(read_count(rd, &err), 3);
	/* a server that refuses connections: unreachable, at once */
	admin_exec("ALTER DATABASE ocop_unit_reconnect ALLOW_CONNECTIONS "
		   "false");
	connections_closed("ocop_unit_reconnect");
	CHECK_INT(read_count(rd, &err), -1);
	CHECK_INT(err.code, OCOP_EUNREACH);
	CHECK(scan_group(w, first, &err) < 0);
	CHECK_INT(err.code, OCOP_EUNREACH);
	t0 = ocop_mono();
	CHECK_INT(read_count(rd, &err), -1);
	CHECK_INT(err.code, OCOP_EUNREACH);
	CHECK(ocop_mono() - t0 < 0.5);
	admin_exec("ALTER DATABASE ocop_unit_reconnect ALLOW_CONNECTIONS "
		   "true");
	usleep(1100 * 1000); /* past the handles' one attempt a second */
	CHECK_INT(read_count(rd, &err), 3);
	CHECK_INT(scan_group(w, first, &err), 0);
	CHECK_INT(read_count(rd, &err), 4);
	CHECK_INT(read_count(st, &err), 4);
out:
	ocop_store_close(rd);
	ocop_store_close(w);
	ocop_store_close(st);
}

int
main(void)
{
	sockdir = getenv("OCOP_TEST_PG");
	if (!sockdir || !*sockdir) {
		printf("FAIL store_pg: OCOP_TEST_PG is not set (tests/run "
		       "starts a server with tests/pg.sh)\n");
		return 1;
	}
	test_schema();
	test_migrate_race();
	test_transactions();
	test_far_months();
	test_schema_change();
	test_place_days();
	test_two_writers();
	test_reconnect();
	return harness_done();
}
