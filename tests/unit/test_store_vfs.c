/*
 * test_store_vfs.c - the file layer that gathers a transaction's log
 * appends (store_sqlite_vfs.c). A child process writes transactions
 * larger than the gathering buffer: every other one with a page cache
 * small enough that SQLite spills pages to the log mid-transaction and
 * then rewrites those frames and their checksums, the others written at
 * commit alone; after each commit the parent, through
 * SQLite's default layer, must read exactly what was committed (nothing is
 * published before it is in the file). The child then dies without
 * closing, as under kill -9, and the log it leaves must recover whole.
 */
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "store/store.h"
#include "store/sqlite/store_sqlite.h"

#define TXNS 40
#define ROWS 150 /* of 1 KiB: each transaction well past 120 KiB */

static int
run(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

/* count, sum of n, sum of the blobs' last bytes */
static void
totals(sqlite3 *db, long long out[3])
{
	sqlite3_stmt *q;

	out[0] = out[1] = out[2] = -1;
	if (sqlite3_prepare_v2(db,
			       "SELECT count(*), total(n),"
			       " total(unicode(substr(CAST(v AS TEXT), -1)))"
			       " FROM t",
			       -1, &q, NULL) != SQLITE_OK)
		return;
	if (sqlite3_step(q) == SQLITE_ROW)
		for (int i = 0; i < 3; i++)
			out[i] = (long long)sqlite3_column_double(q, i);
	sqlite3_finalize(q);
}

/* What the table holds after k transactions of the child. */
static void
expected(int k, long long out[3])
{
	long long rows = (long long)k * ROWS;

	out[0] = rows;
	/* n: 1..rows, then every transaction adds 1 to all its rows */
	out[1] = rows * (rows + 1) / 2 + rows;
	/* every value ends in 'b' after its transaction's rewrite */
	out[2] = rows * 'b';
}

static void
child(const char *path, const char *vfs, int fd)
{
	sqlite3 *db;
	char sql[256];

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, vfs) !=
		SQLITE_OK ||
	    run(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
		    "PRAGMA wal_autocheckpoint = 0") != SQLITE_OK)
		_exit(2);
	for (int k = 1; k <= TXNS; k++) {
		int first = (k - 1) * ROWS + 1, last = k * ROWS;

		/* odd transactions spill and rewrite their frames; even
		 * ones are written once, at commit, as the scan log's are */
		if (run(db, k % 2 ? "PRAGMA cache_size = 8"
				  : "PRAGMA cache_size = 4000") != SQLITE_OK ||
		    run(db, "BEGIN IMMEDIATE") != SQLITE_OK)
			_exit(3);
		for (int i = first; i <= last; i++) {
			snprintf(
			    sql, sizeof(sql),
			    "INSERT INTO t (n, v) VALUES (%d,"
			    " CAST(printf('%%.1023c', 'a') || 'a' AS BLOB))",
			    i);
			if (run(db, sql) != SQLITE_OK)
				_exit(4);
		}
		/* the same pages again: frames of this transaction that
		 * the small cache spilled are written a second time */
		snprintf(sql, sizeof(sql),
			 "UPDATE t SET n = n + 1, v = CAST(printf('%%.1023c',"
			 " 'b') || 'b' AS BLOB) WHERE rowid BETWEEN %d AND %d",
			 first, last);
		if (run(db, sql) != SQLITE_OK || run(db, "COMMIT") != SQLITE_OK)
			_exit(5);
		if (write(fd, &k, sizeof(k)) != sizeof(k))
			_exit(6);
		/* wait for the parent's read */
		if (read(fd, &k, sizeof(k)) != sizeof(k))
			_exit(7);
	}
	_exit(0); /* no close: the log stays as a kill would leave it */
}

int
main(void)
{
	char dir[] = "/tmp/ocop-test-vfs-XXXXXX", path[128];
	struct ocop_store *st;
	struct ocop_error err = {0};
	const char *vfs;
	int sv[2], k = 0, seen = 0, status = 0;
	long long got[3], want[3];
	sqlite3 *db, *db2 = NULL;
	pid_t pid;

	if (!mkdtemp(dir)) {
		printf("FAIL vfs: cannot make a temporary directory\n");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/t.db", dir);
	TEST("store_vfs_registered_by_the_store");
	/* the store registers the layer and uses it */
	CHECK_INT(ocop_store_open(path, 1, &st, &err), 0);
	ocop_store_close(st);
	CHECK(sqlite3_vfs_find("ocop-gather") != NULL);
	vfs = "ocop-gather";

	TEST("store_vfs_commits_visible_whole_and_recovered_after_a_kill");
	CHECK_INT(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL),
		  SQLITE_OK);
	CHECK_INT(run(db, "CREATE TABLE t (n INTEGER, v BLOB);"
			  "CREATE TABLE t2 (k INTEGER)"),
		  SQLITE_OK);
	/* the parent writes too, between the child's transactions: the
	 * child's next write starts in a block the parent wrote last */
	CHECK_INT(sqlite3_open_v2(path, &db2, SQLITE_OPEN_READWRITE, vfs),
		  SQLITE_OK);
	CHECK_INT(run(db2, "PRAGMA wal_autocheckpoint = 0"), SQLITE_OK);
	CHECK_INT(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		sqlite3_close(db);
		sqlite3_close(db2);
		child(path, vfs, sv[1]);
	}
	close(sv[1]);
	while (read(sv[0], &k, sizeof(k)) == sizeof(k)) {
		totals(db, got);
		expected(k, want);
		for (int i = 0; i < 3; i++)
			CHECK_INT(got[i], want[i]);
		seen++;
		if (k < TXNS) {
			char sql[64];

			snprintf(sql, sizeof(sql), "INSERT INTO t2 VALUES (%d)",
				 k);
			CHECK_INT(run(db2, sql), SQLITE_OK);
		} else {
			/* closed while the child lives: not the last
			 * connections, so the log is not checkpointed */
			sqlite3_close(db);
			sqlite3_close(db2);
			db = db2 = NULL;
		}
		if (write(sv[0], &k, sizeof(k)) != sizeof(k))
			break;
	}
	CHECK_INT(waitpid(pid, &status, 0), pid);
	CHECK_INT(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0);
	CHECK_INT(seen, TXNS);
	sqlite3_close(db);
	{
		/* the child's log, to be recovered from the file alone */
		char wal[160];

		snprintf(wal, sizeof(wal), "%s-wal", path);
		CHECK_INT(access(wal, F_OK), 0);
	}

	/* a fresh connection recovers the log the child left */
	CHECK_INT(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL),
		  SQLITE_OK);
	{
		sqlite3_stmt *q;

		CHECK_INT(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1,
					     &q, NULL),
			  SQLITE_OK);
		CHECK_INT(sqlite3_step(q), SQLITE_ROW);
		CHECK_STR((const char *)sqlite3_column_text(q, 0), "ok");
		sqlite3_finalize(q);
	}
	totals(db, got);
	expected(TXNS, want);
	for (int i = 0; i < 3; i++)
		CHECK_INT(got[i], want[i]);
	{
		sqlite3_stmt *q;

		CHECK_INT(sqlite3_prepare_v2(db,
					     "SELECT count(*), sum(k)"
					     " FROM t2",
					     -1, &q, NULL),
			  SQLITE_OK);
		CHECK_INT(sqlite3_step(q), SQLITE_ROW);
		CHECK_INT(sqlite3_column_int(q, 0), TXNS - 1);
		CHECK_INT(sqlite3_column_int(q, 1), (TXNS - 1) * TXNS / 2);
		sqlite3_finalize(q);
	}
	sqlite3_close(db);
	return harness_done();
}
