/*
 * test_store.c - the seam (src/store/store.c): the engine chosen by the
 * form of the --db value, and what every engine keeps of the contract
 * (store.h), checked here on SQLite: the schema's version guard, a failed
 * commit rolling back, and a reading handle's snapshots.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "store/store.h"

static char dir[] = "/tmp/ocop-test-store-XXXXXX";
static char path[300];

static void
test_engine_by_name(void)
{
	struct ocop_error err = {0};
	struct ocop_store *st = (struct ocop_store *)&err; /* not NULL */

	TEST("the --db value picks the engine");
	CHECK_INT(ocop_store_open("postgres://ocop:s3cret@db.example/ocop", 0,
				  &st, &err),
		  OCOP_EUNREACH);
	CHECK(st == NULL);
	CHECK(strstr(err.msg, "PostgreSQL engine is not built") != NULL);
	CHECK(strstr(err.msg, "s3cret") == NULL);
	CHECK_INT(ocop_store_open("postgresql:///ocop?host=/run/postgresql",
				  OCOP_STORE_CREATE, &st, &err),
		  OCOP_EUNREACH);
	CHECK_INT(ocop_store_open("POSTGRES://x/y", 0, &st, &err),
		  OCOP_EUNREACH);
	CHECK_INT(ocop_store_open("mysql://u:pw@h/db", 0, &st, &err),
		  OCOP_EUSAGE);
	CHECK(strstr(err.msg, "'mysql'") != NULL);
	CHECK(strstr(err.msg, "pw") == NULL);
	CHECK_INT(ocop_store_open("", 0, &st, &err), OCOP_EUSAGE);
	/* a path, even one with a colon, is SQLite's */
	snprintf(path, sizeof(path), "%s/a:b.db", dir);
	CHECK_INT(ocop_store_open(path, OCOP_STORE_CREATE, &st, &err), 0);
	CHECK(st && strcmp(st->m->name, "sqlite") == 0);
	ocop_store_close(st);
	/* a missing file is not created without OCOP_STORE_CREATE */
	snprintf(path, sizeof(path), "%s/missing.db", dir);
	CHECK_INT(ocop_store_open(path, 0, &st, &err), OCOP_ENOINPUT);
	CHECK(access(path, F_OK) != 0);
}

static void
test_newer_schema_refused(void)
{
	struct ocop_error err = {0};
	struct ocop_store *st = NULL;
	sqlite3 *db;

	TEST("a database of a newer schema is refused, untouched");
	snprintf(path, sizeof(path), "%s/newer.db", dir);
	CHECK_INT(ocop_store_open(path, OCOP_STORE_CREATE, &st, &err), 0);
	ocop_store_close(st);
	CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
	CHECK_INT(
	    sqlite3_exec(db, "PRAGMA user_version = 9999", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	CHECK_INT(ocop_store_open(path, 0, &st, &err), OCOP_EREFUSED);
	CHECK(strstr(err.msg, "newer than this ocop knows") != NULL);
}

static void
test_failed_commit_rolls_back(void)
{
	struct ocop_error err = {0};
	struct ocop_store *st = NULL;
	char v[64];

	TEST("a rollback inside makes the outer commit fail, and undoes all");
	snprintf(path, sizeof(path), "%s/tx.db", dir);
	CHECK_INT(ocop_store_open(path, OCOP_STORE_CREATE, &st, &err), 0);
	if (!st)
		return;
	CHECK_INT(st->m->begin(st, &err), 0);
	CHECK_INT(st->m->meta_set(st, "operator", "A", &err), 0);
	CHECK_INT(st->m->begin(st, &err), 0);
	CHECK_INT(st->m->meta_set(st, "contact", "B", &err), 0);
	st->m->rollback(st);
	CHECK(st->m->commit(st, &err) < 0);
	CHECK_INT(st->m->meta_get(st, "operator", v, sizeof(v), &err), 0);
	CHECK_STR(v, "");
	/* and the handle is usable again */
	CHECK_INT(st->m->begin(st, &err), 0);
	CHECK_INT(st->m->meta_set(st, "operator", "C", &err), 0);
	CHECK_INT(st->m->commit(st, &err), 0);
	CHECK_INT(st->m->meta_get(st, "operator", v, sizeof(v), &err), 0);
	CHECK_STR(v, "C");
	ocop_store_close(st);
}

/* A reading handle keeps its snapshot between reads only while it sees
 * what a new one would: a commit of this process is seen at once. */
static void
test_reader_sees_commits(void)
{
	struct ocop_error err = {0};
	struct ocop_store *w = NULL, *r = NULL;
	struct timespec pause = {0, 5 * 1000 * 1000};
	char v[64];

	TEST("a reading handle sees every commit made before its read");
	snprintf(path, sizeof(path), "%s/reader.db", dir);
	CHECK_INT(ocop_store_open(path, OCOP_STORE_CREATE, &w, &err), 0);
	CHECK_INT(ocop_store_open(path, OCOP_STORE_READER, &r, &err), 0);
	if (!w || !r)
		goto out;
	/* a reading handle does not write */
	CHECK(r->m->begin(r, &err) < 0);
	for (int i = 0; i < 50; i++) {
		char want[16];

		snprintf(want, sizeof(want), "v%d", i);
		CHECK_INT(r->m->read_begin(r, &err), 0);
		CHECK_INT(r->m->meta_get(r, "operator", v, sizeof(v), &err), 0);
		r->m->read_end(r);
		CHECK_INT(w->m->meta_set(w, "operator", want, &err), 0);
		CHECK_INT(r->m->read_begin(r, &err), 0);
		CHECK_INT(r->m->meta_get(r, "operator", v, sizeof(v), &err), 0);
		CHECK_STR(v, want);
		r->m->read_end(r);
	}
	/* another process's commit: seen once the snapshot has aged */
	{
		sqlite3 *db;

		CHECK_INT(r->m->read_begin(r, &err), 0);
		CHECK_INT(r->m->meta_get(r, "operator", v, sizeof(v), &err), 0);
		r->m->read_end(r);
		CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
		CHECK_INT(sqlite3_exec(db,
				       "UPDATE meta SET value = 'elsewhere'"
				       " WHERE key = 'operator'",
				       NULL, NULL, NULL),
			  SQLITE_OK);
		sqlite3_close(db);
		nanosleep(&pause, NULL);
		CHECK_INT(r->m->read_begin(r, &err), 0);
		CHECK_INT(r->m->meta_get(r, "operator", v, sizeof(v), &err), 0);
		CHECK_STR(v, "elsewhere");
		r->m->read_end(r);
	}
out:
	ocop_store_close(r);
	ocop_store_close(w);
}

static long
file_size(const char *p)
{
	struct stat sb;

	return stat(p, &sb) == 0 ? (long)sb.st_size : -1;
}

static void
writes(struct ocop_store *st, int n)
{
	struct ocop_error err = {0};
	char v[32];

	for (int i = 0; i < n; i++) {
		snprintf(v, sizeof(v), "%d", i);
		if (st->m->begin(st, &err) < 0 ||
		    st->m->meta_set(st, "contact", v, &err) < 0 ||
		    st->m->commit(st, &err) < 0) {
			HARNESS_FAIL("write: %s", err.msg);
			return;
		}
	}
}

/* The scan writer's handle has the engine copy the log into the database
 * by itself: after a pause, the writer starts the log over instead of
 * growing it (it checkpoints by itself only past 131,072 pages). */
static void
test_writer_log_kept(void)
{
	struct ocop_error err = {0};
	struct ocop_store *w = NULL;
	struct timespec pause = {0, 300 * 1000 * 1000};
	char wal[320];
	long s1, s2;

	TEST("the scan writer's log is copied by the engine and starts over");
	snprintf(path, sizeof(path), "%s/writer.db", dir);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	CHECK_INT(ocop_store_open(path, OCOP_STORE_CREATE, &w, &err), 0);
	ocop_store_close(w);
	w = NULL;
	CHECK_INT(ocop_store_open(path, OCOP_STORE_SCAN_WRITER, &w, &err), 0);
	if (!w)
		return;
	writes(w, 200);
	s1 = file_size(wal);
	CHECK(s1 > 100 * 4096);
	nanosleep(&pause, NULL);
	writes(w, 200);
	s2 = file_size(wal);
	CHECK_INT(s2, s1);
	ocop_store_close(w);
}

int
main(void)
{
	char cmd[400];

	if (!mkdtemp(dir)) {
		printf("FAIL store: cannot make a temporary directory\n");
		return 1;
	}
	test_engine_by_name();
	test_newer_schema_refused();
	test_failed_commit_rolls_back();
	test_reader_sees_commits();
	test_writer_log_kept();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("note: could not remove %s\n", dir);
	return harness_done();
}
