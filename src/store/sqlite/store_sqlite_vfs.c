/*
 * store_sqlite_vfs.c - SQLite's own file layer, with the frames a
 * transaction appends to its write-ahead log handed to the system in one
 * write at commit.
 *
 * SQLite writes each log frame in two calls (its 24-byte header, then the
 * page), so a commit of the scan log's group of nine pages was eighteen
 * system calls, each taking the file's lock and updating its times. Here
 * the appends of a log file gather in a buffer; the write of a commit
 * frame (the only frame whose header names the database size) flushes the
 * buffer and returns what that write returned, so an error fails the
 * commit as before and nothing is published before it is in the file:
 * SQLite makes a commit visible to readers only after its frames are
 * written. A write over what this cycle of the log already holds (SQLite
 * rewriting a frame of the same transaction, or its checksums) goes
 * straight through after the buffer, in order, and so does any other use
 * of the log file (read, sync, truncate, size, close). Database and other
 * files are SQLite's default files, untouched. tests/unit/test_store_vfs.c
 * fails when either rule is broken.
 */
#include <stdlib.h>
#include <string.h>

#include "store_sqlite.h"

#define WAL_FRAME_HEADER 24
/*
 * A gathered write covers whole file-system blocks: it starts with the
 * part of its first block already in the file (read back, as another
 * connection may have written it) and ends with zeros to the end of its
 * last, past every frame of the log (SQLite reads no further than the
 * last frame, and its recovery stops at a frame that does not check). A
 * write into part of a block made the file system read the block first,
 * and when that block was being written to disk by a checkpoint's sync
 * the read waited for it: a slow sync (up to 0.4 s on the test machine)
 * held the writer, and every waiting scan, as long.
 */
#define FS_BLOCK 4096
/* SQLite's default file layer writes at most 128 KiB a call (it masks
 * the length to 17 bits): a gathered write, with its block's head and
 * padding, stays under that. */
#define WAL_GATHER_MAX (112 * 1024)

struct gather_file {
	sqlite3_file base;
	sqlite3_file *real; /* the default file, after this struct */
	unsigned char *mem; /* FS_BLOCK head room, buf, FS_BLOCK padding */
	unsigned char *buf;
	size_t len;
	sqlite3_int64 off; /* file offset of buf[0] */
	sqlite3_int64 end; /* end of what this cycle of the log appended */
	int commit_next;   /* the next write is a commit frame's page */
};

/* The real file follows the struct, aligned as SQLite aligns its own. */
#define GATHER_SIZE ((sizeof(struct gather_file) + 7) & ~(size_t)7)

static sqlite3_vfs *real_vfs;
static sqlite3_vfs gather_vfs;

static int
flush(struct gather_file *g)
{
	unsigned char *p = g->buf;
	sqlite3_int64 at = g->off, end = g->off + (sqlite3_int64)g->len;
	size_t n = g->len, lead = (size_t)(at % FS_BLOCK), pad;
	int rc;

	if (g->len == 0)
		return SQLITE_OK;
	/* a short read (the block's head not in the file): as it is */
	if (lead > 0 &&
	    g->real->pMethods->xRead(g->real, p - lead, (int)lead,
				     at - (sqlite3_int64)lead) == SQLITE_OK) {
		p -= lead;
		at -= (sqlite3_int64)lead;
		n += lead;
	}
	pad = (size_t)((FS_BLOCK - end % FS_BLOCK) % FS_BLOCK);
	memset(p + n, 0, pad);
	rc = g->real->pMethods->xWrite(g->real, p, (int)(n + pad), at);
	/* on failure SQLite rolls the transaction back and writes its
	 * frames again: nothing of this attempt is kept */
	g->len = 0;
	return rc;
}

static int
g_close(sqlite3_file *f)
{
	struct gather_file *g = (struct gather_file *)f;
	int rc = flush(g), rc2 = g->real->pMethods->xClose(g->real);

	free(g->mem);
	g->mem = g->buf = NULL;
	return rc != SQLITE_OK ? rc : rc2;
}

static int
g_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
	struct gather_file *g = (struct gather_file *)f;
	int rc = flush(g);

	return rc != SQLITE_OK ? rc
			       : g->real->pMethods->xRead(g->real, p, n, off);
}

/* Bytes 4..7 of a frame header: the database size after a commit, zero
 * in every other frame. */
static int
is_commit_header(const void *p, int n)
{
	const unsigned char *h = p;

	return n == WAL_FRAME_HEADER && (h[4] | h[5] | h[6] | h[7]) != 0;
}

static int
g_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	struct gather_file *g = (struct gather_file *)f;
	int commit, rc;

	if (off == 0)
		g->end = 0; /* the log's header: a new cycle of the file */
	if (off < g->end) {
		/* a rewrite of this transaction's frames (a page written
		 * twice, checksums redone): in order, straight through */
		if ((rc = flush(g)) != SQLITE_OK)
			return rc;
		g->commit_next = 0;
		return g->real->pMethods->xWrite(g->real, p, n, off);
	}
	commit = g->commit_next;
	g->commit_next = is_commit_header(p, n);
	if (g->len > 0 && off != g->off + (sqlite3_int64)g->len &&
	    (rc = flush(g)) != SQLITE_OK)
		return rc;
	if ((size_t)n > WAL_GATHER_MAX - g->len && (rc = flush(g)) != SQLITE_OK)
		return rc;
	g->end = off + n;
	if (!g->mem && (g->mem = malloc(WAL_GATHER_MAX + 2 * FS_BLOCK)))
		g->buf = g->mem + FS_BLOCK;
	if ((size_t)n > WAL_GATHER_MAX || !g->mem)
		return g->real->pMethods->xWrite(g->real, p, n, off);
	if (g->len == 0)
		g->off = off;
	memcpy(g->buf + g->len, p, (size_t)n);
	g->len += (size_t)n;
	return commit ? flush(g) : SQLITE_OK;
}

static int
g_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	struct gather_file *g = (struct gather_file *)f;
	int rc = flush(g);

	return rc != SQLITE_OK ? rc
			       : g->real->pMethods->xTruncate(g->real, size);
}

static int
g_sync(sqlite3_file *f, int flags)
{
	struct gather_file *g = (struct gather_file *)f;
	int rc = flush(g);

	return rc != SQLITE_OK ? rc : g->real->pMethods->xSync(g->real, flags);
}

static int
g_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	struct gather_file *g = (struct gather_file *)f;
	int rc = flush(g);

	return rc != SQLITE_OK ? rc
			       : g->real->pMethods->xFileSize(g->real, size);
}

static int
g_lock(sqlite3_file *f, int level)
{
	struct gather_file *g = (struct gather_file *)f;

	return g->real->pMethods->xLock(g->real, level);
}

static int
g_unlock(sqlite3_file *f, int level)
{
	struct gather_file *g = (struct gather_file *)f;

	return g->real->pMethods->xUnlock(g->real, level);
}

static int
g_check_lock(sqlite3_file *f, int *out)
{
	struct gather_file *g = (struct gather_file *)f;

	return g->real->pMethods->xCheckReservedLock(g->real, out);
}

static int
g_file_control(sqlite3_file *f, int op, void *arg)
{
	struct gather_file *g = (struct gather_file *)f;
	int rc = flush(g);

	return rc != SQLITE_OK
		   ? rc
		   : g->real->pMethods->xFileControl(g->real, op, arg);
}

static int
g_sector_size(sqlite3_file *f)
{
	struct gather_file *g = (struct gather_file *)f;

	return g->real->pMethods->xSectorSize(g->real);
}

static int
g_device(sqlite3_file *f)
{
	struct gather_file *g = (struct gather_file *)f;

	return g->real->pMethods->xDeviceCharacteristics(g->real);
}

/* A log file has no shared memory or mapping of its own (those are the
 * database file's); these exist for the method table's version. */
static int
g_shm_map(sqlite3_file *f, int pg, int sz, int extend, void volatile **pp)
{
	struct gather_file *g = (struct gather_file *)f;

	return g->real->pMethods->xShmMap(g->real, pg, sz, extend, pp);
}

static int
g_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
	struct gather_file *g = (struct gather_file *)f;

	return g->real->pMethods->xShmLock(g->real, offset, n, flags);
}

static void
g_shm_barrier(sqlite3_file *f)
{
	struct gather_file *g = (struct gather_file *)f;

	g->real->pMethods->xShmBarrier(g->real);
}

static int
g_shm_unmap(sqlite3_file *f, int del)
{
	struct gather_file *g = (struct gather_file *)f;

	return g->real->pMethods->xShmUnmap(g->real, del);
}

static int
g_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
	struct gather_file *g = (struct gather_file *)f;
	int rc = flush(g);

	if (rc != SQLITE_OK)
		return rc;
	return g->real->pMethods->xFetch(g->real, off, n, pp);
}

static int
g_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	struct gather_file *g = (struct gather_file *)f;

	return g->real->pMethods->xUnfetch(g->real, off, p);
}

static const sqlite3_io_methods gather_methods = {
    .iVersion = 3,
    .xClose = g_close,
    .xRead = g_read,
    .xWrite = g_write,
    .xTruncate = g_truncate,
    .xSync = g_sync,
    .xFileSize = g_file_size,
    .xLock = g_lock,
    .xUnlock = g_unlock,
    .xCheckReservedLock = g_check_lock,
    .xFileControl = g_file_control,
    .xSectorSize = g_sector_size,
    .xDeviceCharacteristics = g_device,
    .xShmMap = g_shm_map,
    .xShmLock = g_shm_lock,
    .xShmBarrier = g_shm_barrier,
    .xShmUnmap = g_shm_unmap,
    .xFetch = g_fetch,
    .xUnfetch = g_unfetch,
};

static int
gather_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *f, int flags,
	    int *out_flags)
{
	struct gather_file *g = (struct gather_file *)f;
	int rc;

	(void)vfs;
	if (!(flags & SQLITE_OPEN_WAL))
		return real_vfs->xOpen(real_vfs, name, f, flags, out_flags);
	memset(g, 0, sizeof(*g));
	g->real = (sqlite3_file *)((char *)f + GATHER_SIZE);
	rc = real_vfs->xOpen(real_vfs, name, g->real, flags, out_flags);
	if (rc != SQLITE_OK || !g->real->pMethods ||
	    g->real->pMethods->iVersion < 3) {
		if (rc == SQLITE_OK && g->real->pMethods)
			g->real->pMethods->xClose(g->real);
		g->base.pMethods = NULL;
		return rc != SQLITE_OK ? rc : SQLITE_CANTOPEN;
	}
	g->base.pMethods = &gather_methods;
	return SQLITE_OK;
}

/* The rest of the file layer is the default one's. */
static int
v_delete(sqlite3_vfs *v, const char *name, int sync_dir)
{
	(void)v;
	return real_vfs->xDelete(real_vfs, name, sync_dir);
}

static int
v_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
	(void)v;
	return real_vfs->xAccess(real_vfs, name, flags, out);
}

static int
v_full_pathname(sqlite3_vfs *v, const char *name, int n, char *out)
{
	(void)v;
	return real_vfs->xFullPathname(real_vfs, name, n, out);
}

static void *
v_dlopen(sqlite3_vfs *v, const char *name)
{
	(void)v;
	return real_vfs->xDlOpen(real_vfs, name);
}

static void
v_dlerror(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	real_vfs->xDlError(real_vfs, n, out);
}

static void (*v_dlsym(sqlite3_vfs *v, void *h, const char *sym))(void)
{
	(void)v;
	return real_vfs->xDlSym(real_vfs, h, sym);
}

static void
v_dlclose(sqlite3_vfs *v, void *h)
{
	(void)v;
	real_vfs->xDlClose(real_vfs, h);
}

static int
v_randomness(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return real_vfs->xRandomness(real_vfs, n, out);
}

static int
v_sleep(sqlite3_vfs *v, int us)
{
	(void)v;
	return real_vfs->xSleep(real_vfs, us);
}

static int
v_current_time(sqlite3_vfs *v, double *out)
{
	(void)v;
	return real_vfs->xCurrentTime(real_vfs, out);
}

static int
v_last_error(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return real_vfs->xGetLastError
		   ? real_vfs->xGetLastError(real_vfs, n, out)
		   : 0;
}

static int
v_current_time64(sqlite3_vfs *v, sqlite3_int64 *out)
{
	(void)v;
	return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

const char *
sq_vfs_register(void)
{
	real_vfs = sqlite3_vfs_find(NULL);
	if (!real_vfs || real_vfs->iVersion < 2 || !real_vfs->xCurrentTimeInt64)
		return NULL; /* SQLite's default layer, as it is */
	gather_vfs = (sqlite3_vfs){
	    .iVersion = 2,
	    .szOsFile = (int)GATHER_SIZE + real_vfs->szOsFile,
	    .mxPathname = real_vfs->mxPathname,
	    .zName = "ocop-gather",
	    .xOpen = gather_open,
	    .xDelete = v_delete,
	    .xAccess = v_access,
	    .xFullPathname = v_full_pathname,
	    .xDlOpen = v_dlopen,
	    .xDlError = v_dlerror,
	    .xDlSym = v_dlsym,
	    .xDlClose = v_dlclose,
	    .xRandomness = v_randomness,
	    .xSleep = v_sleep,
	    .xCurrentTime = v_current_time,
	    .xGetLastError = v_last_error,
	    .xCurrentTimeInt64 = v_current_time64,
	};
	if (sqlite3_vfs_register(&gather_vfs, 0) != SQLITE_OK)
		return NULL;
	return gather_vfs.zName;
}
