/*
 * store_sqlite_vfs.c - a thin layer over SQLite's own file layer ("unix")
 * that joins the write-ahead log's contiguous writes into one system call.
 *
 * SQLite writes each log frame as two writes (a 24-byte header, then the
 * page), so a commit of n pages costs 2n writes, each touching one or two
 * pages of the file in the kernel. The scan-log writer commits groups of
 * scans that change two random pages each: these writes were about a
 * third of its time. Here a transaction's frames are gathered in memory
 * and written, in pieces of at most 64 KiB (the unix layer writes at most
 * 128 KiB at once), as soon as the page of the commit frame (the frame
 * whose header holds the database size) is gathered: inside the write
 * that SQLite makes for it, so that a failure fails the commit. A commit
 * that returns is therefore in the operating system, as before: a killed
 * process loses none of it. Any other use of the log file (read, size,
 * sync, truncate, file control, close) and the barrier around which
 * SQLite publishes a commit in the log index (xShmBarrier) also write
 * what is gathered first. The database file itself is not touched.
 *
 * A connection is used by one thread at a time and a transaction's writes
 * are made on one thread (store.h), so the file with gathered bytes is
 * remembered per thread.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "store_sqlite.h"

#define GATHER_MAX ((size_t)512 << 10) /* bytes gathered at most */
#define GATHER_PIECE ((size_t)64 << 10) /* bytes a write at most */
#define FRAME_HEADER 24                /* a log frame's header */

struct gfile {
	sqlite3_file base; /* methods: gather_methods */
	int wal;
	int commit; /* the commit frame's header is gathered */
	char *buf; /* gathered bytes for offset off; wal files only */
	size_t len, cap;
	sqlite3_int64 off;
	sqlite3_file real[]; /* the "unix" file, szOsFile bytes */
};

static sqlite3_vfs gather_vfs;
static sqlite3_io_methods gather_methods;
/* the log file with gathered bytes on this thread, if any */
static _Thread_local struct gfile *tls_pending;

static int
gflush(struct gfile *g)
{
	size_t done = 0;
	int rc = SQLITE_OK;

	if (g->len == 0)
		return SQLITE_OK;
	/* in pieces: the unix layer writes at most 128 KiB at once */
	while (done < g->len && rc == SQLITE_OK) {
		size_t n = g->len - done;

		if (n > GATHER_PIECE)
			n = GATHER_PIECE;
		rc = g->real->pMethods->xWrite(g->real, g->buf + done, (int)n,
					       g->off + (sqlite3_int64)done);
		done += n;
	}
	g->len = 0;
	g->commit = 0;
	if (tls_pending == g)
		tls_pending = NULL;
	return rc;
}

static int
flush_pending(void)
{
	return tls_pending ? gflush(tls_pending) : SQLITE_OK;
}

static int
g_close(sqlite3_file *f)
{
	struct gfile *g = (struct gfile *)f;
	int rc = gflush(g);
	int rc2 = g->real->pMethods->xClose(g->real);

	if (tls_pending == g)
		tls_pending = NULL;
	free(g->buf);
	g->buf = NULL;
	return rc != SQLITE_OK ? rc : rc2;
}

static int
g_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
	struct gfile *g = (struct gfile *)f;
	int rc = gflush(g);

	if (rc != SQLITE_OK)
		return rc;
	return g->real->pMethods->xRead(g->real, p, n, off);
}

static int
g_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	struct gfile *g = (struct gfile *)f;
	int rc;

	if (!g->wal || n <= 0)
		return g->real->pMethods->xWrite(g->real, p, n, off);
	if (g->len > 0 &&
	    (off != g->off + (sqlite3_int64)g->len ||
	     g->len + (size_t)n > GATHER_MAX) &&
	    (rc = gflush(g)) != SQLITE_OK)
		return rc;
	if ((size_t)n > GATHER_MAX)
		return g->real->pMethods->xWrite(g->real, p, n, off);
	if (g->len + (size_t)n > g->cap) {
		size_t cap = g->cap ? g->cap : 64 << 10;
		char *nb;

		while (cap < g->len + (size_t)n)
			cap *= 2;
		if (!(nb = realloc(g->buf, cap))) {
			if ((rc = gflush(g)) != SQLITE_OK)
				return rc;
			return g->real->pMethods->xWrite(g->real, p, n, off);
		}
		g->buf = nb;
		g->cap = cap;
	}
	if (tls_pending && tls_pending != g &&
	    (rc = gflush(tls_pending)) != SQLITE_OK)
		return rc;
	if (g->len == 0)
		g->off = off;
	memcpy(g->buf + g->len, p, (size_t)n);
	g->len += (size_t)n;
	tls_pending = g;
	/* a commit ends with its last frame, whose header has the size of
	 * the database (bytes 4-7, else zero): write the frames once that
	 * frame's page is gathered, so that a failure fails the commit */
	if (g->commit)
		return gflush(g);
	if (n == FRAME_HEADER) {
		const unsigned char *h = p;

		g->commit = (h[4] | h[5] | h[6] | h[7]) != 0;
	}
	return SQLITE_OK;
}

static int
g_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	struct gfile *g = (struct gfile *)f;
	int rc = gflush(g);

	return rc != SQLITE_OK ? rc
			       : g->real->pMethods->xTruncate(g->real, size);
}

static int
g_sync(sqlite3_file *f, int flags)
{
	struct gfile *g = (struct gfile *)f;
	int rc = gflush(g);

	return rc != SQLITE_OK ? rc : g->real->pMethods->xSync(g->real, flags);
}

static int
g_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	struct gfile *g = (struct gfile *)f;
	int rc = gflush(g);

	return rc != SQLITE_OK ? rc
			       : g->real->pMethods->xFileSize(g->real, size);
}

static int
g_lock(sqlite3_file *f, int lock)
{
	struct gfile *g = (struct gfile *)f;

	return g->real->pMethods->xLock(g->real, lock);
}

static int
g_unlock(sqlite3_file *f, int lock)
{
	struct gfile *g = (struct gfile *)f;

	return g->real->pMethods->xUnlock(g->real, lock);
}

static int
g_check_reserved(sqlite3_file *f, int *out)
{
	struct gfile *g = (struct gfile *)f;

	return g->real->pMethods->xCheckReservedLock(g->real, out);
}

static int
g_file_control(sqlite3_file *f, int op, void *arg)
{
	struct gfile *g = (struct gfile *)f;
	int rc = gflush(g);

	if (rc != SQLITE_OK)
		return rc;
	if (op == SQLITE_FCNTL_VFSNAME) {
		/* "ocop/unix": SQLite frees the string */
		rc = g->real->pMethods->xFileControl(g->real, op, arg);
		if (rc == SQLITE_OK && *(char **)arg) {
			char *name = sqlite3_mprintf("ocop/%z",
						     *(char **)arg);

			*(char **)arg = name;
		}
		return rc;
	}
	return g->real->pMethods->xFileControl(g->real, op, arg);
}

static int
g_sector_size(sqlite3_file *f)
{
	struct gfile *g = (struct gfile *)f;

	return g->real->pMethods->xSectorSize(g->real);
}

static int
g_device_characteristics(sqlite3_file *f)
{
	struct gfile *g = (struct gfile *)f;

	return g->real->pMethods->xDeviceCharacteristics(g->real);
}

static int
g_shm_map(sqlite3_file *f, int page, int size, int extend,
	  void volatile **out)
{
	struct gfile *g = (struct gfile *)f;

	if (g->real->pMethods->iVersion < 2)
		return SQLITE_IOERR_SHMMAP;
	return g->real->pMethods->xShmMap(g->real, page, size, extend, out);
}

static int
g_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
	struct gfile *g = (struct gfile *)f;
	int rc = flush_pending();

	if (rc != SQLITE_OK)
		return rc;
	return g->real->pMethods->xShmLock(g->real, offset, n, flags);
}

/* SQLite publishes a commit's frames in the log index across this
 * barrier: they must be written before. */
static void
g_shm_barrier(sqlite3_file *f)
{
	struct gfile *g = (struct gfile *)f;

	flush_pending();
	g->real->pMethods->xShmBarrier(g->real);
}

static int
g_shm_unmap(sqlite3_file *f, int delete_flag)
{
	struct gfile *g = (struct gfile *)f;

	flush_pending();
	return g->real->pMethods->xShmUnmap(g->real, delete_flag);
}

static int
g_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **out)
{
	struct gfile *g = (struct gfile *)f;
	int rc = gflush(g);

	*out = NULL;
	if (rc != SQLITE_OK || g->real->pMethods->iVersion < 3)
		return rc;
	return g->real->pMethods->xFetch(g->real, off, n, out);
}

static int
g_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	struct gfile *g = (struct gfile *)f;

	if (g->real->pMethods->iVersion < 3)
		return SQLITE_OK;
	return g->real->pMethods->xUnfetch(g->real, off, p);
}

static int
g_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
       int *out_flags)
{
	struct gfile *g = (struct gfile *)f;
	sqlite3_vfs *real = vfs->pAppData;
	int rc;

	memset(g, 0, sizeof(*g));
	rc = real->xOpen(real, name, g->real, flags, out_flags);
	if (!g->real->pMethods)
		return rc; /* nothing opened: SQLite calls no method */
	/* SQLite closes a file whose methods are set even when the open
	 * failed: ours close the real one */
	g->wal = (flags & SQLITE_OPEN_WAL) != 0 &&
		 g->real->pMethods->iVersion >= 3;
	g->base.pMethods = &gather_methods;
	return rc;
}

static void
gather_init(void)
{
	sqlite3_vfs *real = sqlite3_vfs_find("unix");

	if (!real)
		return;
	gather_vfs = *real;
	gather_vfs.zName = "ocop";
	gather_vfs.pNext = NULL;
	gather_vfs.pAppData = real;
	gather_vfs.szOsFile =
		(int)sizeof(struct gfile) + real->szOsFile;
	gather_vfs.xOpen = g_open;
	gather_methods = (sqlite3_io_methods){
		.iVersion = 3,
		.xClose = g_close,
		.xRead = g_read,
		.xWrite = g_write,
		.xTruncate = g_truncate,
		.xSync = g_sync,
		.xFileSize = g_file_size,
		.xLock = g_lock,
		.xUnlock = g_unlock,
		.xCheckReservedLock = g_check_reserved,
		.xFileControl = g_file_control,
		.xSectorSize = g_sector_size,
		.xDeviceCharacteristics = g_device_characteristics,
		.xShmMap = g_shm_map,
		.xShmLock = g_shm_lock,
		.xShmBarrier = g_shm_barrier,
		.xShmUnmap = g_shm_unmap,
		.xFetch = g_fetch,
		.xUnfetch = g_unfetch,
	};
	if (sqlite3_vfs_register(&gather_vfs, 0) != SQLITE_OK)
		gather_vfs.zName = NULL;
}

const char *
sq_vfs_name(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, gather_init);
	return gather_vfs.zName;
}
