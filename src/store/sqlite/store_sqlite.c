/*
 * store_sqlite.c - the embedded SQLite engine: open, migrations,
 * transactions, settings, and the method table. The areas live in
 * store_sqlite_{registry,labels,scans,tokens}.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "assets.h"
#include "places.h"
#include "store_sqlite.h"

/*
 * Upkeep, the engine's own business (store.h):
 *
 * - Snapshots. Beginning and ending a read transaction costs SQLite more
 *   than a label's lookup (shared-memory locks, the log's header, the
 *   schema), so a handle opened OCOP_STORE_READER keeps its read
 *   transaction open after read_end and reuses it at the next read_begin
 *   while it is fresh: no commit through any handle of this process since
 *   it began (sq_commits: a scan acknowledged is seen by every later
 *   read), and begun less than SQ_SNAPSHOT_MAX_AGE seconds ago, so that
 *   a change made by another process (ocop cert revoke, ocop label void)
 *   is seen by every read that starts that long after it. An idle
 *   handle's snapshot would keep the log from being checkpointed past
 *   it: the checkpointer ends it (sq_sweep).
 *
 * - Checkpoints. The write-ahead log is copied into the database by a
 *   thread of its own every SQ_CHECKPOINT_EVERY seconds, started with the
 *   OCOP_STORE_SCAN_WRITER handle, not by the writer as it commits: a
 *   checkpoint waits for two syncs, and in the writer it held up every
 *   waiting scan (a third of the throughput). Copied every few thousand
 *   log pages rather than every thousand, a page that many scans change
 *   (an index leaf, a label's stats) is copied once for many changes;
 *   often enough that each copy is short. The log starts over from its
 *   beginning only once a checkpoint has copied all of it, which under a
 *   steady stream of scans this thread never sees (the writer appends
 *   while it copies). So the writer checkpoints itself past
 *   SQ_WRITER_LOG_PAGES: little is left to copy, but it waits for two
 *   syncs, and a slow sync (a third of a second, now and then, on the
 *   test machine) then holds every waiting scan. At 16,000 pages that
 *   came every second of saturation; 131,072 pages (a log file of
 *   512 MiB) absorb seven seconds at 18,000 pages a second. When scans
 *   pause for a moment, the checkpointer copies the whole log and the
 *   writer starts it over without a checkpoint of its own.
 *
 * - Scan counts. scan_add counts a label's scan in label_scan_recent, a
 *   table of few pages (store_sqlite_scans.c); every SQ_FOLD_EVERY
 *   seconds the first write transaction a handle begins moves those
 *   counts into label_scan_stats first (long enough that a page of the
 *   per-label counts is written once for many scans, short enough that
 *   the recent counts stay a few pages), and close leaves them folded.
 */
#define SQ_SNAPSHOT_MAX_AGE 0.001
#define SQ_CHECKPOINT_EVERY 0.05
#define SQ_FOLD_EVERY 0.05
#define SQ_WRITER_LOG_PAGES 131072

/* How long a write waits for another process's write lock before it
 * says the database is locked. */
#define SQ_BUSY_MS 5000

/* Why a handle was opened read-only (struct sq_store, readonly). */
#define SQ_RO_PROTECTED 1 /* the file, directory or file system */
#define SQ_RO_FULL 2	  /* the disk is full: not even the log opens */

static void sq_retry_rw(struct sq_store *s);

/* The file layer every connection opens with: SQLite's default one with
 * log appends gathered (store_sqlite_vfs.c); NULL is the default. */
static const char *sq_vfs;

/* Commits through any handle of this process. */
static atomic_uint_least64_t sq_commits;

/* The OCOP_STORE_READER handles, for sq_sweep. */
static pthread_mutex_t sq_readers_mu = PTHREAD_MUTEX_INITIALIZER;
static struct sq_store *sq_readers;

struct sq_upkeep {
	sqlite3 *db; /* a connection of its own */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t wake;
	int stopping;
};

sqlite3_stmt *
sq_stmt(struct sq_store *s, int slot, const char *sql, struct ocop_error *err)
{
	sqlite3_stmt *st = s->stmts[slot];

	if (st) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		return st;
	}
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
			       NULL) != SQLITE_OK) {
		sq_error(s, err, "cannot prepare statement");
		return NULL;
	}
	s->stmts[slot] = st;
	return st;
}

int
sq_error(struct sq_store *s, struct ocop_error *err, const char *what)
{
	int rc = sqlite3_errcode(s->db);
	int sys = sqlite3_system_errno(s->db);
	const char *msg = sqlite3_errmsg(s->db);
	int io = rc == SQLITE_IOERR || rc == SQLITE_CANTOPEN;

	if (s->readonly && rc == SQLITE_READONLY)
		msg = s->readonly == SQ_RO_FULL
			      ? "opened for reading only: no space for its log"
			      : "opened for reading only";
	/* the causes an operator can fix, named first */
	if (rc == SQLITE_FULL || (io && (sys == ENOSPC || sys == EDQUOT)) ||
	    (s->readonly == SQ_RO_FULL &&
	     (rc == SQLITE_READONLY || io)))
		return ocop_error_set(err, OCOP_EOUTPUT,
				      "%s: the disk holding the database is "
				      "full (%s)",
				      what, msg);
	if (rc == SQLITE_READONLY || (io && (s->readonly || sys == EROFS)))
		return ocop_error_set(err, OCOP_EOUTPUT,
				      "%s: the database is read-only (%s)",
				      what, msg);
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return ocop_error_set(err, OCOP_EUNREACH,
				      "%s: the database is locked by another "
				      "process (waited %d s; try again)",
				      what, SQ_BUSY_MS / 1000);
	if (rc == SQLITE_IOERR || rc == SQLITE_CANTOPEN)
		return ocop_error_set(err, OCOP_EOUTPUT, "%s: %s", what, msg);
	if (rc == SQLITE_CONSTRAINT)
		return ocop_error_set(err, OCOP_EEXIST, "%s: %s", what, msg);
	return ocop_error_set(err, OCOP_EINTERNAL, "%s: %s", what, msg);
}

int
sq_step_done(struct sq_store *s, sqlite3_stmt *st, const char *what,
	     struct ocop_error *err)
{
	int rc = 0;

	if (sqlite3_step(st) != SQLITE_DONE)
		rc = sq_error(s, err, what);
	else if (sqlite3_get_autocommit(s->db))
		/* a write outside a transaction committed by itself */
		atomic_fetch_add(&sq_commits, 1);
	sqlite3_reset(st);
	return rc;
}

void
sq_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	sqlite3_bind_text(st, i, v ? v : "", -1, SQLITE_TRANSIENT);
}

void
sq_bind_text_or_null(sqlite3_stmt *st, int i, const char *v)
{
	if (v && *v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

void
sq_bind_day(sqlite3_stmt *st, int i, int32_t day)
{
	char buf[16];

	if (day == OCOP_NO_DAY)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, ocop_day_format(day, buf), -1,
				  SQLITE_TRANSIENT);
}

void
sq_bind_time(sqlite3_stmt *st, int i, int64_t t)
{
	if (t == OCOP_NO_TIME)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, t);
}

void
sq_col_text(sqlite3_stmt *st, int i, char *buf, size_t size)
{
	const unsigned char *v = sqlite3_column_text(st, i);

	ocop_strlcpy(buf, v ? (const char *)v : "", size);
}

int32_t
sq_col_day(sqlite3_stmt *st, int i)
{
	int32_t day;
	const unsigned char *v;

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return OCOP_NO_DAY;
	v = sqlite3_column_text(st, i);
	if (!v || ocop_day_parse((const char *)v, &day, NULL) < 0)
		return OCOP_NO_DAY;
	return day;
}

int64_t
sq_col_time(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return OCOP_NO_TIME;
	return sqlite3_column_int64(st, i);
}

/* Fold the recent scan counts inside the transaction just begun, under a
 * savepoint: a failure leaves the counts where they were (folded next
 * time) and the caller's transaction goes on. */
static void
sq_fold_in_tx(struct sq_store *s)
{
	s->folded_at = ocop_mono();
	if (sqlite3_exec(s->db, "SAVEPOINT fold", NULL, NULL, NULL) !=
	    SQLITE_OK)
		return;
	if (sq_scan_fold(s, NULL) < 0)
		sqlite3_exec(s->db, "ROLLBACK TO fold", NULL, NULL, NULL);
	else
		s->unfolded = 0;
	sqlite3_exec(s->db, "RELEASE fold", NULL, NULL, NULL);
}

static int
sq_begin(struct ocop_store *base, struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;

	if (s->depth++ > 0)
		return 0;
	if (s->flags & OCOP_STORE_READER) {
		s->depth = 0;
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "a reading handle does not write");
	}
	sq_retry_rw(s);
	s->failed = 0;
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		s->depth = 0;
		return sq_error(s, err, "cannot begin transaction");
	}
	if (s->unfolded && ocop_mono() - s->folded_at >= SQ_FOLD_EVERY)
		sq_fold_in_tx(s);
	return 0;
}

/* The outermost transaction is undone: a fold in it too. */
static void
sq_undo(struct sq_store *s)
{
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->unfolded = 1;
}

static void
sq_rollback(struct ocop_store *base)
{
	struct sq_store *s = (struct sq_store *)base;

	if (s->depth == 0)
		return;
	if (--s->depth > 0) {
		s->failed = 1;
		return;
	}
	sq_undo(s);
}

static int
sq_commit(struct ocop_store *base, struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;

	if (s->depth == 0)
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "commit without a transaction");
	if (--s->depth > 0)
		return 0;
	if (s->failed) {
		sq_undo(s);
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "transaction rolled back");
	}
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		int rc = sq_error(s, err, "cannot commit");

		sq_undo(s);
		return rc;
	}
	/* before the caller answers anyone: a read begun after this sees
	 * the commit (sq_read_begin) */
	atomic_fetch_add(&sq_commits, 1);
	return 0;
}

int
sq_touch(struct sq_store *s, int slot, const char *sql, int64_t a, int64_t b,
	 struct ocop_error *err)
{
	sqlite3_stmt *st;
	sqlite3 *db = NULL;
	int rc;

	if (!(s->flags & OCOP_STORE_READER) &&
	    !(s->depth > 0 && s->snap_open)) {
		STMT_OR_FAIL(st, slot, sql);
		sqlite3_bind_int64(st, 1, a);
		sqlite3_bind_int64(st, 2, b);
		return sq_step_done(s, st, "cannot record use", err);
	}
	/* a reading handle: a connection of its own, which waits for the
	 * write lock as any writer does */
	if (sqlite3_open_v2(s->path, &db, SQLITE_OPEN_READWRITE |
				  SQLITE_OPEN_NOMUTEX, sq_vfs) != SQLITE_OK) {
		rc = ocop_error_set(err, OCOP_EOUTPUT,
				    "cannot record use: %s",
				    sqlite3_errmsg(db));
		sqlite3_close_v2(db);
		return rc;
	}
	sqlite3_busy_timeout(db, SQ_BUSY_MS);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		rc = ocop_error_set(err, OCOP_EINTERNAL,
				    "cannot record use: %s",
				    sqlite3_errmsg(db));
		sqlite3_close_v2(db);
		return rc;
	}
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	rc = sqlite3_step(st) == SQLITE_DONE
		     ? 0
		     : ocop_error_set(err, OCOP_EOUTPUT,
				      "cannot record use: %s",
				      sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_close_v2(db);
	if (rc == 0)
		atomic_fetch_add(&sq_commits, 1);
	return rc;
}

/* End the read transaction for real. A read transaction has nothing to
 * lose: end it either way. */
static void
sq_snap_end(struct sq_store *s)
{
	sqlite3_stmt *st = sq_stmt(s, SQ_READ_END, "COMMIT", NULL);

	if (!st || sqlite3_step(st) != SQLITE_DONE)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	if (st)
		sqlite3_reset(st);
	s->snap_open = 0;
}

/* Prepared once: a server thread begins and ends a read snapshot per
 * request, and parsing the SQL each time costs more than running it. */
static int
sq_read_begin(struct ocop_store *base, struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	int keep = s->flags & OCOP_STORE_READER;
	sqlite3_stmt *st;

	if (s->depth++ > 0)
		return 0;
	s->failed = 0;
	if (keep) {
		/* read before the snapshot begins: a commit in between is
		 * then either in the snapshot or makes it stale next time */
		uint64_t commits = atomic_load(&sq_commits);
		double now = ocop_mono();

		pthread_mutex_lock(&s->mu);
		if (s->snap_open && (commits != s->snap_commits ||
				     now - s->snap_at >= SQ_SNAPSHOT_MAX_AGE))
			sq_snap_end(s);
		if (s->snap_open)
			return 0;
		sq_retry_rw(s);
		s->snap_at = now;
		s->snap_commits = commits;
	} else {
		sq_retry_rw(s);
	}
	st = sq_stmt(s, SQ_READ_BEGIN, "BEGIN DEFERRED", err);
	if (!st || sqlite3_step(st) != SQLITE_DONE) {
		int rc = st ? sq_error(s, err, "cannot begin reading")
			    : (err ? err->code : OCOP_EINTERNAL);

		if (st)
			sqlite3_reset(st);
		s->depth = 0;
		if (keep)
			pthread_mutex_unlock(&s->mu);
		return rc;
	}
	sqlite3_reset(st);
	s->snap_open = 1;
	return 0;
}

static void
sq_read_end(struct ocop_store *base)
{
	struct sq_store *s = (struct sq_store *)base;

	if (s->depth == 0 || --s->depth > 0)
		return;
	if (s->flags & OCOP_STORE_READER) {
		/* kept for the next read while fresh; sq_sweep may end it */
		pthread_mutex_unlock(&s->mu);
		return;
	}
	sq_snap_end(s);
}

/* End the idle snapshots that have aged (one kept open would keep the log
 * from being checkpointed past it); a handle in use ends its own. */
static void
sq_sweep(void)
{
	double now = ocop_mono();

	pthread_mutex_lock(&sq_readers_mu);
	for (struct sq_store *s = sq_readers; s; s = s->next_reader) {
		if (pthread_mutex_trylock(&s->mu) != 0)
			continue;
		if (s->snap_open && now - s->snap_at >= SQ_SNAPSHOT_MAX_AGE)
			sq_snap_end(s);
		pthread_mutex_unlock(&s->mu);
	}
	pthread_mutex_unlock(&sq_readers_mu);
}

static int
sq_meta_get(struct ocop_store *base, const char *key, char *buf, size_t size,
	    struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;
	int rc;

	st = sq_stmt(s, SQ_META_GET, "SELECT value FROM meta WHERE key = ?",
		     err);
	if (!st)
		return err ? err->code : OCOP_EINTERNAL;
	sq_bind_text(st, 1, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		sq_col_text(st, 0, buf, size);
	else if (rc == SQLITE_DONE)
		buf[0] = '\0';
	else
		return sq_error(s, err, "cannot read setting");
	sqlite3_reset(st);
	return 0;
}

static int
sq_meta_set(struct ocop_store *base, const char *key, const char *value,
	    struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;

	st = sq_stmt(s, SQ_META_SET,
		     "INSERT INTO meta (key, value) VALUES (?, ?) "
		     "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
		     err);
	if (!st)
		return err ? err->code : OCOP_EINTERNAL;
	sq_bind_text(st, 1, key);
	sq_bind_text(st, 2, value);
	return sq_step_done(s, st, "cannot write setting", err);
}

/* The checkpointer: PASSIVE copies what it can without waiting for
 * readers or writers; a failure (or another checkpoint running) is
 * retried next time, and the writer's own checkpoints bound the log
 * meanwhile. */
static void *
sq_upkeep_run(void *arg)
{
	struct sq_upkeep *u = arg;

	pthread_mutex_lock(&u->mu);
	while (!u->stopping) {
		struct timespec until;
		double t = ocop_mono() + SQ_CHECKPOINT_EVERY;

		until.tv_sec = (time_t)t;
		until.tv_nsec = (long)((t - (double)until.tv_sec) * 1e9);
		pthread_cond_timedwait(&u->wake, &u->mu, &until);
		if (u->stopping)
			break;
		pthread_mutex_unlock(&u->mu);
		sq_sweep();
		sqlite3_wal_checkpoint_v2(u->db, NULL,
					  SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_lock(&u->mu);
	}
	pthread_mutex_unlock(&u->mu);
	return NULL;
}

static void
sq_upkeep_stop(struct sq_upkeep *u)
{
	if (!u)
		return;
	pthread_mutex_lock(&u->mu);
	u->stopping = 1;
	pthread_cond_signal(&u->wake);
	pthread_mutex_unlock(&u->mu);
	pthread_join(u->thread, NULL);
	sqlite3_close_v2(u->db);
	pthread_mutex_destroy(&u->mu);
	pthread_cond_destroy(&u->wake);
	free(u);
}

static void
sq_close(struct ocop_store *base)
{
	struct sq_store *s = (struct sq_store *)base;

	if (!s)
		return;
	if (s->flags & OCOP_STORE_READER) {
		pthread_mutex_lock(&sq_readers_mu);
		for (struct sq_store **p = &sq_readers; *p;
		     p = &(*p)->next_reader) {
			if (*p == s) {
				*p = s->next_reader;
				break;
			}
		}
		pthread_mutex_unlock(&sq_readers_mu);
		if (s->snap_open)
			sq_snap_end(s);
		pthread_mutex_destroy(&s->mu);
	}
	/* leave the counts folded */
	if (s->unfolded && s->depth == 0 &&
	    sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) ==
		SQLITE_OK) {
		if (sq_scan_fold(s, NULL) < 0 ||
		    sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) !=
			SQLITE_OK)
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	}
	sq_upkeep_stop(s->upkeep);
	for (int i = 0; i < SQ_SLOTS; i++)
		sqlite3_finalize(s->stmts[i]);
	sqlite3_finalize(s->load);
	sqlite3_close_v2(s->db);
	free(s->path);
	free(s);
}

/* One integer from sql, or -1. */
static int64_t
sq_int(struct sq_store *s, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void
check_add(struct store_stats *out, const char *problem)
{
	size_t n = strlen(out->check);

	if (strcmp(out->check, "ok") == 0)
		n = 0;
	snprintf(out->check + n, sizeof(out->check) - n, "%s%s",
		 n ? "\n" : "", problem);
}

/* The rows of the tables that hold the product's data (not this engine's
 * derived counters: the per-label scan counts and the registry version),
 * and the checks: SQLite's integrity and foreign keys, and the per-label
 * scan counts against the scans stored. */
static int
stats_read(struct ocop_store *base, struct store_stats *out, int check,
	   struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;
	int rc;
	int64_t n;

	memset(out, 0, sizeof(*out));
	ocop_strlcpy(out->engine, "sqlite", sizeof(out->engine));
	if ((rc = sq_read_begin(base, err)) < 0)
		return rc;
	out->schema = (int)sq_int(s, "PRAGMA user_version");
	if (sqlite3_prepare_v2(s->db,
			       "SELECT name FROM sqlite_schema"
			       " WHERE type = 'table'"
			       " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
			       " AND name NOT IN ('label_scan_stats',"
			       " 'label_scan_recent', 'registry_version')"
			       " ORDER BY name",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = sq_error(s, err, "cannot list tables");
		goto out;
	}
	while (sqlite3_step(st) == SQLITE_ROW &&
	       out->ntables < STORE_MAX_TABLES) {
		char sql[128];
		size_t i = out->ntables;

		sq_col_text(st, 0, out->tables[i].name,
			    sizeof(out->tables[i].name));
		sqlite3_snprintf(sizeof(sql), sql, "SELECT count(*) FROM \"%w\"",
				 out->tables[i].name);
		out->tables[i].rows = sq_int(s, sql);
		out->ntables++;
	}
	sqlite3_finalize(st);

	ocop_strlcpy(out->check, "ok", sizeof(out->check));
	if (!check) {
		rc = 0;
		goto out;
	}
	if (sqlite3_prepare_v2(s->db, "PRAGMA integrity_check(10)", -1, &st,
			       NULL) != SQLITE_OK) {
		rc = sq_error(s, err, "cannot check the database");
		goto out;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);

		if (v && strcmp(v, "ok") != 0)
			check_add(out, v);
	}
	sqlite3_finalize(st);
	if ((n = sq_int(s, "SELECT count(*) FROM pragma_foreign_key_check")) !=
	    0) {
		char m[96];

		snprintf(m, sizeof(m), "%lld rows refer to rows that do not "
				       "exist", (long long)n);
		check_add(out, m);
	}
	n = sq_int(s,
		   "SELECT (SELECT count(*) FROM"
		   " (SELECT label_id, count(*) AS n FROM scans"
		   " WHERE label_id IS NOT NULL GROUP BY label_id) s"
		   " LEFT JOIN label_scan_stats x USING (label_id)"
		   " LEFT JOIN label_scan_recent r USING (label_id)"
		   " WHERE coalesce(x.count, 0) + coalesce(r.count, 0) <> s.n)"
		   " + (SELECT count(*) FROM"
		   " (SELECT label_id, sum(count) AS c FROM"
		   " (SELECT label_id, count FROM label_scan_stats UNION ALL"
		   " SELECT label_id, count FROM label_scan_recent)"
		   " GROUP BY label_id HAVING c <> 0) t"
		   " WHERE NOT EXISTS (SELECT 1 FROM scans"
		   " WHERE scans.label_id = t.label_id))");
	if (n != 0) {
		char m[96];

		snprintf(m, sizeof(m), "the scan counts of %lld labels differ "
				       "from the scans stored", (long long)n);
		check_add(out, m);
	}
	rc = 0;
out:
	sq_read_end(base);
	return rc;
}

static int
sq_stats(struct ocop_store *base, struct store_stats *out,
	 struct ocop_error *err)
{
	return stats_read(base, out, 1, err);
}

static int
sq_rows(struct ocop_store *base, struct store_stats *out,
	struct ocop_error *err)
{
	return stats_read(base, out, 0, err);
}

/* SQLite's online backup: one step copies every page under one read
 * snapshot of the source (writers go on, in write-ahead log mode), into
 * a file created here, then the copy is checked whole. */
static int
sq_backup(struct ocop_store *base, const char *path, struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3 *dst = NULL;
	sqlite3_backup *b;
	sqlite3_stmt *st;
	int fd, rc = 0, src_rc;
	char problem[512] = "";

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd < 0)
		return ocop_error_set(
		    err, errno == EEXIST ? OCOP_EEXIST : OCOP_EOUTPUT,
		    "cannot create '%s': %s%s", path, strerror(errno),
		    errno == EEXIST ? " (a backup never "
				      "overwrites a file)"
				    : "");
	close(fd);
	if (sqlite3_open_v2(path, &dst,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		rc = ocop_error_set(err, OCOP_EOUTPUT, "cannot open '%s': %s",
				    path, sqlite3_errmsg(dst));
		goto fail;
	}
	sqlite3_busy_timeout(dst, SQ_BUSY_MS);
	if (!(b = sqlite3_backup_init(dst, "main", s->db, "main"))) {
		rc = ocop_error_set(err, OCOP_EOUTPUT,
				    "cannot back up to "
				    "'%s': %s",
				    path, sqlite3_errmsg(dst));
		goto fail;
	}
	src_rc = sqlite3_backup_step(b, -1);
	sqlite3_backup_finish(b);
	if (src_rc != SQLITE_DONE) {
		int sys = sqlite3_system_errno(dst);

		rc = ocop_error_set(err, OCOP_EOUTPUT,
				    "cannot back up to '%s': %s%s", path,
				    sqlite3_errstr(src_rc),
				    src_rc == SQLITE_FULL || sys == ENOSPC
					? " (the disk is full)"
					: "");
		goto fail;
	}
	/* the copy is checked as a database of its own */
	if (sqlite3_prepare_v2(dst, "PRAGMA integrity_check(10)", -1, &st,
			       NULL) != SQLITE_OK) {
		rc = ocop_error_set(err, OCOP_EOUTPUT, "cannot check '%s': %s",
				    path, sqlite3_errmsg(dst));
		goto fail;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		size_t n = strlen(problem);

		if (v && strcmp(v, "ok") != 0)
			snprintf(problem + n, sizeof(problem) - n, "%s%s",
				 n ? "; " : "", v);
	}
	if (sqlite3_finalize(st) != SQLITE_OK && !problem[0])
		snprintf(problem, sizeof(problem), "%s", sqlite3_errmsg(dst));
	if (problem[0]) {
		rc = ocop_error_set(err, OCOP_EINTERNAL,
				    "the copy in '%s' fails its check: %s",
				    path, problem);
		goto fail;
	}
	if (sqlite3_close(dst) != SQLITE_OK) {
		rc = ocop_error_set(err, OCOP_EOUTPUT, "cannot close '%s': %s",
				    path, sqlite3_errmsg(dst));
		dst = NULL;
		goto fail;
	}
	return 0;
fail:
	sqlite3_close_v2(dst);
	unlink(path);
	return rc;
}

static const struct ocop_store_methods sq_methods = {
	.name = "sqlite",
	.close = sq_close,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.meta_get = sq_meta_get,
	.meta_set = sq_meta_set,
	.product_put = sq_product_put,
	.product_get = sq_product_get,
	.product_get_by_id = sq_product_get_by_id,
	.product_get_by_gtin = sq_product_get_by_gtin,
	.product_each = sq_product_each,
	.product_page = sq_product_page,
	.product_counts = sq_product_counts,
	.recognition_add = sq_recognition_add,
	.extension_add = sq_extension_add,
	.revocation_add = sq_revocation_add,
	.history_read = sq_history_read,
	.history_read_many = sq_history_read_many,
	.batch_add = sq_batch_add,
	.label_add = sq_label_add,
	.label_get = sq_label_get,
	.batch_get = sq_batch_get,
	.label_void = sq_label_void,
	.batch_void = sq_batch_void,
	.label_each_in_batch = sq_label_each_in_batch,
	.batch_each = sq_batch_each,
	.label_count_for_product = sq_label_count_for_product,
	.scan_add = sq_scan_add,
	.scan_stats = sq_scan_stats,
	.scan_each_of_product = sq_scan_each_of_product,
	.scan_count_of_product = sq_scan_count_of_product,
	.scan_each_placed = sq_scan_each_placed,
	.scan_each_unknown = sq_scan_each_unknown,
	.scan_each_stored = sq_scan_each_stored,
	.label_get_by_id = sq_label_get_by_id,
	.label_max_stars = sq_label_max_stars,
	.label_max_id = sq_label_max_id,
	.label_each_of_product = sq_label_each_of_product,
	.batch_each_of_product = sq_batch_each_of_product,
	.key_add = sq_key_add,
	.key_each = sq_key_each,
	.key_secret = sq_key_secret,
	.key_retire = sq_key_retire,
	.snapshot_seq_next = sq_snapshot_seq_next,
	.token_add = sq_token_add,
	.token_find = sq_token_find,
	.token_each = sq_token_each,
	.token_revoke = sq_token_revoke,
	.token_touch = sq_token_touch,
	.session_touch = sq_session_touch,
	.user_add = sq_user_add,
	.user_get = sq_user_get,
	.user_get_by_id = sq_user_get_by_id,
	.user_get_by_setup = sq_user_get_by_setup,
	.user_each = sq_user_each,
	.user_update = sq_user_update,
	.session_add = sq_session_add,
	.session_find = sq_session_find,
	.session_end = sq_session_end,
	.session_end_user = sq_session_end_user,
	.signin_add = sq_signin_add,
	.signin_failures = sq_signin_failures,
	.audit_add = sq_audit_add,
	.audit_each = sq_audit_each,
	.scan_purge_client_data = sq_scan_purge_client_data,
	.scan_purge_consumer = sq_scan_purge_consumer,
	.read_begin = sq_read_begin,
	.read_end = sq_read_end,
	.label_lookup = sq_label_lookup,
	.label_lookup_many = sq_label_lookup_many,
	.stats = sq_stats,
	.backup = sq_backup,
    .rows = sq_rows,
    .table_each = sq_table_each,
    .load_begin = sq_load_begin,
    .load_row = sq_load_row,
    .load_end = sq_load_end,
    .load_finish = sq_load_finish,
};

/* This engine's migrations, by asset name. */
#define SQ_MIGRATIONS "migrations/sqlite/"

/* The latest migration this ocop knows. */
static int
sq_known(void)
{
	int known = 0;

	for (const struct ocop_asset *a = ocop_assets; a->name; a++) {
		int n;

		if (strncmp(a->name, SQ_MIGRATIONS,
			    sizeof(SQ_MIGRATIONS) - 1) == 0 &&
		    sscanf(a->name + sizeof(SQ_MIGRATIONS) - 1, "%4d", &n) ==
			1 &&
		    n > known)
			known = n;
	}
	return known;
}

/* The schema version of db, or -1 when it cannot be read. */
static int
sq_version(sqlite3 *db)
{
	sqlite3_stmt *st;
	int version = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) !=
	    SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return version;
}

/* A database an older ocop would misread: refused before anything is
 * written to it (not even the journal mode). */
static int
sq_refuse_newer(int version, struct ocop_error *err)
{
	int known = sq_known();

	if (version <= known)
		return 0;
	return ocop_error_set(err, OCOP_EREFUSED,
			      "the database's schema (version %d) is newer "
			      "than this ocop knows (%d): it was written by a "
			      "later version; use that version or a newer one "
			      "(the database was not changed)",
			      version, known);
}

/* Apply assets/migrations/sqlite/NNNN_*.sql with NNNN > version, in
 * order, each in its own transaction with the version bump. */
static int
migrate(struct sq_store *s, int version, struct ocop_error *err)
{
	int target;
	const struct ocop_asset *a, *next;
	char pragma[64];

	if (s->readonly && version < sq_known())
		return ocop_error_set(err, OCOP_EOUTPUT,
				      "the database is read-only and its "
				      "schema (version %d) needs upgrading to "
				      "%d: make it writable and run 'ocop "
				      "init'",
				      version, sq_known());
	for (;;) {
		/* the smallest migration number above version */
		next = NULL;
		target = 0;
		for (a = ocop_assets; a->name; a++) {
			int n;

			if (strncmp(a->name, SQ_MIGRATIONS,
				    sizeof(SQ_MIGRATIONS) - 1) != 0 ||
			    sscanf(a->name + sizeof(SQ_MIGRATIONS) - 1, "%4d",
				   &n) != 1)
				continue;
			if (n > version && (!next || n < target)) {
				next = a;
				target = n;
			}
		}
		if (!next)
			return 0;
		if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
			    SQLITE_OK ||
		    sqlite3_exec(s->db, next->data, NULL, NULL, NULL) !=
			    SQLITE_OK) {
			int rc = sq_error(s, err, "cannot apply migration");

			ocop_error_prefix(err, "%s", next->name);
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			return rc;
		}
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d",
			 target);
		if (sqlite3_exec(s->db, pragma, NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) !=
			    SQLITE_OK) {
			int rc = sq_error(s, err, "cannot record migration");

			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			return rc;
		}
		version = target;
	}
}


/* Statement journals (a statement's undo inside a longer transaction)
 * stay in memory up to this size; SQLite's default spills past 64 KiB
 * to a temporary file. The scan log's fold of the recent counts, one
 * statement changing a page of label_scan_stats per few hundred labels,
 * went past it: every fold created, wrote and deleted a file while every
 * waiting scan waited. SQLite allocates a journal in pieces of this size;
 * under glibc's largest mmap threshold (32 MiB) a piece comes from the
 * heap once the first is freed. */
#define SQ_STMT_JOURNAL_MAX (4 << 20)

/* Before SQLite's first use: no allocation statistics, which cost every
 * allocation of every connection a process-wide mutex (ocop reads none),
 * and the journal size above. */
static void
sq_configure(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, SQ_STMT_JOURNAL_MAX);
	sq_vfs = sq_vfs_register();
}

/* SQL functions over a label's places (places.h), for the statements
 * that count scans: ocop_places_add(PLACES, KEY, DAY) and
 * ocop_places_merge(PLACES, PLACES), each giving the new PLACES blob (NULL
 * when empty). Not usable from the schema (SQLITE_DIRECTONLY): a shell
 * without them can still read and write every table. */
static void
sq_places_result(sqlite3_context *ctx, const struct places *p)
{
	unsigned char blob[PLACES_BLOB_MAX];
	size_t len = places_encode(p, blob);

	if (len == 0)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_blob(ctx, blob, (int)len, SQLITE_TRANSIENT);
}

static void
sq_places_read(sqlite3_value *v, struct places *p)
{
	if (sqlite3_value_type(v) == SQLITE_BLOB)
		places_decode(p, sqlite3_value_blob(v),
			      (size_t)sqlite3_value_bytes(v));
}

static void
sq_places_add(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct places p = {0};

	(void)argc;
	sq_places_read(argv[0], &p);
	if (sqlite3_value_type(argv[1]) == SQLITE_INTEGER &&
	    sqlite3_value_type(argv[2]) == SQLITE_INTEGER)
		places_add(&p, (uint64_t)sqlite3_value_int64(argv[1]),
			   (int32_t)sqlite3_value_int64(argv[2]));
	sq_places_result(ctx, &p);
}

static void
sq_places_merge(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct places p = {0};

	(void)argc;
	sq_places_read(argv[0], &p);
	sq_places_read(argv[1], &p);
	sq_places_result(ctx, &p);
}

static int
sq_functions(struct sq_store *s, struct ocop_error *err)
{
	int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY;

	if (sqlite3_create_function(s->db, "ocop_places_add", 3, flags, NULL,
				    sq_places_add, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(s->db, "ocop_places_merge", 2, flags,
				    NULL, sq_places_merge, NULL,
				    NULL) != SQLITE_OK)
		return sq_error(s, err, "cannot register SQL functions");
	return 0;
}

/* The writer's checkpoints only past SQ_WRITER_LOG_PAGES, and a thread
 * with a connection of its own for the rest. */
static int
sq_upkeep_start(struct sq_store *s, const char *path, struct ocop_error *err)
{
	struct sq_upkeep *u;
	pthread_condattr_t ca;

	if (sqlite3_wal_autocheckpoint(s->db, SQ_WRITER_LOG_PAGES) !=
	    SQLITE_OK)
		return sq_error(s, err, "cannot set the checkpoint interval");
	u = ocop_xcalloc(1, sizeof(*u));
	if (sqlite3_open_v2(path, &u->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
			    sq_vfs) != SQLITE_OK) {
		int rc = ocop_error_set(err, OCOP_ENOINPUT,
					"cannot open database '%s': %s", path,
					sqlite3_errmsg(u->db));

		sqlite3_close_v2(u->db);
		free(u);
		return rc;
	}
	/* a connection that has read nothing has not opened the log, and
	 * its checkpoints do nothing: read once */
	if (sqlite3_exec(u->db, "SELECT count(*) FROM sqlite_schema", NULL,
			 NULL, NULL) != SQLITE_OK) {
		int rc = ocop_error_set(err, OCOP_ENOINPUT,
					"cannot read database '%s': %s", path,
					sqlite3_errmsg(u->db));

		sqlite3_close_v2(u->db);
		free(u);
		return rc;
	}
	pthread_mutex_init(&u->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&u->wake, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&u->thread, NULL, sq_upkeep_run, u) != 0) {
		sqlite3_close_v2(u->db);
		pthread_mutex_destroy(&u->mu);
		pthread_cond_destroy(&u->wake);
		free(u);
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "cannot start the checkpoint thread");
	}
	s->upkeep = u;
	return 0;
}

/* The file name path as a URI with params: '%', '?' and '#' escaped. */
static char *
sq_uri(const char *path, const char *params)
{
	sqlite3_str *b = sqlite3_str_new(NULL);

	sqlite3_str_appendall(b, "file:");
	for (const char *p = path; *p; p++) {
		if (*p == '%' || *p == '?' || *p == '#')
			sqlite3_str_appendf(b, "%%%02X", (unsigned char)*p);
		else
			sqlite3_str_appendchar(b, 1, *p);
	}
	sqlite3_str_appendf(b, "?%s", params);
	return sqlite3_str_finish(b);
}

/* Open path read-only: as it is (another process may still write it; its
 * log is read), else, when its log's files cannot be opened (a directory
 * that cannot hold them), as an immutable file. 0, or -1. */
static int
sq_open_ro(const char *path, sqlite3 **out)
{
	static const char *const modes[] = {"mode=ro", "immutable=1"};

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		char *uri = sq_uri(path, modes[i]);
		sqlite3 *db = NULL;
		int rc =
		    sqlite3_open_v2(uri, &db,
				    SQLITE_OPEN_READONLY | SQLITE_OPEN_URI |
					SQLITE_OPEN_NOMUTEX,
				    sq_vfs);

		sqlite3_free(uri);
		if (rc == SQLITE_OK && sq_version(db) >= 0) {
			*out = db;
			return 0;
		}
		sqlite3_close_v2(db);
	}
	return -1;
}

/* Whether the last failure on db says the file cannot be written: 0,
 * SQ_RO_FULL (its disk is full) or SQ_RO_PROTECTED. */
static int
sq_cannot_write(sqlite3 *db)
{
	int rc = sqlite3_errcode(db), sys = sqlite3_system_errno(db);
	int io = rc == SQLITE_IOERR || rc == SQLITE_CANTOPEN;

	if (rc == SQLITE_FULL || (io && (sys == ENOSPC || sys == EDQUOT)))
		return SQ_RO_FULL;
	if (rc == SQLITE_READONLY || rc == SQLITE_CANTOPEN ||
	    (rc == SQLITE_IOERR &&
	     (sys == EROFS || sys == EACCES || sys == EPERM)))
		return SQ_RO_PROTECTED;
	return 0;
}

/* Connect s->db to path: read-write (created with create), else, when the
 * file, its directory or its file system cannot be written, read-only
 * (s->readonly), so that reading goes on. *version: its schema. A schema
 * newer than this ocop knows is refused before anything is written. */
static int
sq_connect(struct sq_store *s, const char *path, int create, int *version,
	   struct ocop_error *err)
{
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	int ro = 0, rc;

	s->readonly = 0;
	if (create)
		flags |= SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &s->db, flags, sq_vfs) != SQLITE_OK)
		return ocop_error_set(err,
				      create ? OCOP_EOUTPUT : OCOP_ENOINPUT,
				      "cannot open database '%s': %s%s", path,
				      sqlite3_errmsg(s->db),
				      create ? "" : " (run 'ocop init' first)");
	sqlite3_busy_timeout(s->db, SQ_BUSY_MS);
	sqlite3_extended_result_codes(s->db, 0);
	if (sqlite3_db_readonly(s->db, "main") == 1)
		ro = SQ_RO_PROTECTED;
	else if ((*version = sq_version(s->db)) < 0 &&
		 !(ro = sq_cannot_write(s->db)))
		goto fail;
	if (!ro && (rc = sq_refuse_newer(*version, err)) < 0)
		return rc;
	if (!ro && sqlite3_exec(s->db,
				"PRAGMA journal_mode = WAL;"
				"PRAGMA synchronous = NORMAL;"
				"PRAGMA foreign_keys = ON;",
				NULL, NULL, NULL) != SQLITE_OK &&
	    !(ro = sq_cannot_write(s->db)))
		goto fail;
	if (ro) {
		sqlite3_close_v2(s->db);
		s->db = NULL;
		if (sq_open_ro(path, &s->db) < 0)
			return ocop_error_set(err, OCOP_ENOINPUT,
					      "cannot open database '%s': it "
					      "cannot be written, and cannot "
					      "be read without writing",
					      path);
		s->readonly = ro;
		sqlite3_busy_timeout(s->db, SQ_BUSY_MS);
		sqlite3_extended_result_codes(s->db, 0);
		*version = sq_version(s->db);
		if ((rc = sq_refuse_newer(*version, err)) < 0)
			return rc;
		sqlite3_exec(s->db, "PRAGMA foreign_keys = ON", NULL, NULL,
			     NULL);
	}
	return sq_functions(s, err);
fail:
	rc = sq_error(s, err, "cannot configure database");
	ocop_error_prefix(err, "'%s'", path);
	return rc;
}

/* A handle opened read-only tries read-write again, at most once a
 * second, outside any transaction or snapshot: writing resumes by itself
 * once the file can be written. */
static void
sq_retry_rw(struct sq_store *s)
{
	struct sq_store t;
	double now = ocop_mono();
	int version = 0;

	if (!s->readonly || now - s->rw_tried_at < 1.0)
		return;
	s->rw_tried_at = now;
	memset(&t, 0, sizeof(t));
	t.base.m = &sq_methods;
	if (sq_connect(&t, s->path, 0, &version, NULL) < 0 || t.readonly ||
	    migrate(&t, version, NULL) < 0) {
		sqlite3_close_v2(t.db);
		return;
	}
	for (int i = 0; i < SQ_SLOTS; i++) {
		sqlite3_finalize(s->stmts[i]);
		s->stmts[i] = NULL;
	}
	sqlite3_close_v2(s->db);
	s->db = t.db;
	s->readonly = 0;
	if ((s->flags & OCOP_STORE_SCAN_WRITER) && !s->upkeep)
		sq_upkeep_start(s, s->path, NULL);
}

int
store_sqlite_open(const char *path, int oflags, struct ocop_store **out,
		  struct ocop_error *err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct sq_store *s;
	int create = oflags & OCOP_STORE_CREATE;
	int rc, version = 0;

	pthread_once(&once, sq_configure);
	s = ocop_xcalloc(1, sizeof(*s));
	s->base.m = &sq_methods;
	s->path = ocop_xstrdup(path);
	s->rw_tried_at = ocop_mono();
	if ((rc = sq_connect(s, path, create, &version, err)) < 0 ||
	    (rc = migrate(s, version, err)) < 0) {
		sq_close(&s->base);
		return rc;
	}
	if ((oflags & OCOP_STORE_SCAN_WRITER) && !s->readonly &&
	    (rc = sq_upkeep_start(s, path, err)) < 0) {
		sq_close(&s->base);
		return rc;
	}
	s->flags = oflags;
	if (oflags & OCOP_STORE_READER) {
		pthread_mutex_init(&s->mu, NULL);
		pthread_mutex_lock(&sq_readers_mu);
		s->next_reader = sq_readers;
		sq_readers = s;
		pthread_mutex_unlock(&sq_readers_mu);
	}
	s->folded_at = ocop_mono();
	*out = &s->base;
	return 0;
}

