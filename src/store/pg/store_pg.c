/*
 * store_pg.c - the PostgreSQL engine on libpq: connection, migrations,
 * transactions, settings, stats and the method table. The areas live in
 * store_pg_registry.c, store_pg_labels.c and store_pg_scans.c.
 *
 * Several ocop serve nodes share one database, so the schema
 * (assets/migrations/pg/) keeps its rules in keys and ON CONFLICT, never in
 * a read then a write; every statement is prepared once per connection;
 * each read_begin is a new REPEATABLE READ snapshot, so a change committed
 * through any node is seen by the next request of every node. Commits wait
 * for the server's log to be flushed (synchronous_commit on), and the scan
 * writer's group of scans is one transaction.
 */
#include <poll.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assets.h"
#include "store_pg.h"

/* pg_advisory_xact_lock key of the migrations: "ocop" */
#define PG_MIGRATE_LOCK "1868787568"
#define PG_MIGRATIONS "migrations/pg/"
/* scans partitions are made this many months ahead (and one back) */
#define PG_PARTS_MONTHS 6
/* a server that cannot be reached is tried again after this many seconds
 * (each handle): the work in between fails at once */
#define PG_REVIVE_EVERY 1.0

/* ---- parameters and results -------------------------------------------- */

static void
pp_raw(struct pg_params *p, const char *v, int len, int fmt)
{
	if (p->n >= PG_MAX_PARAMS)
		abort(); /* a statement with more parameters is a bug */
	p->v[p->n] = v;
	p->len[p->n] = len;
	p->fmt[p->n] = fmt;
	p->n++;
}

void
pp_text(struct pg_params *p, const char *v)
{
	pp_raw(p, v ? v : "", 0, 0);
}

void
pp_text_or_null(struct pg_params *p, const char *v)
{
	pp_raw(p, v && *v ? v : NULL, 0, 0);
}

void
pp_int(struct pg_params *p, int64_t v)
{
	snprintf(p->buf[p->n], sizeof(p->buf[0]), "%lld", (long long)v);
	pp_raw(p, p->buf[p->n], 0, 0);
}

void
pp_id_or_null(struct pg_params *p, int64_t v)
{
	if (v > 0)
		pp_int(p, v);
	else
		pp_raw(p, NULL, 0, 0);
}

void
pp_day(struct pg_params *p, int32_t day)
{
	if (day == OCOP_NO_DAY) {
		pp_raw(p, NULL, 0, 0);
		return;
	}
	ocop_day_format(day, p->buf[p->n]);
	pp_raw(p, p->buf[p->n], 0, 0);
}

void
pp_time(struct pg_params *p, int64_t t)
{
	if (t == OCOP_NO_TIME)
		pp_raw(p, NULL, 0, 0);
	else
		pp_int(p, t);
}

void
pp_bytes(struct pg_params *p, const void *v, size_t len)
{
	pp_raw(p, v, (int)len, 1);
}

void
pg_col_text(const PGresult *res, int r, int i, char *buf, size_t size)
{
	ocop_strlcpy(buf, PQgetisnull(res, r, i) ? "" : PQgetvalue(res, r, i),
		     size);
}

/* A column's integer in text form: the server's own int output, digits
 * with an optional minus. Read here rather than by strtoll, whose locale
 * handling was a sixth of a report's time over millions of scans. */
static int64_t
col_digits(const char *v)
{
	uint64_t n = 0;
	int neg = *v == '-';

	for (v += neg; *v >= '0' && *v <= '9'; v++)
		n = n * 10 + (uint64_t)(*v - '0');
	return neg ? (int64_t)(0 - n) : (int64_t)n;
}

/* One element of a PostgreSQL array literal: NULL, or quoted. */
void
pg_array_add(struct ocop_buf *b, const char *v)
{
	ocop_buf_adds(b, b->len > 1 ? "," : "");
	if (!v) {
		ocop_buf_adds(b, "NULL");
		return;
	}
	ocop_buf_adds(b, "\"");
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			ocop_buf_add(b, "\\", 1);
		ocop_buf_add(b, v, 1);
	}
	ocop_buf_adds(b, "\"");
}

int64_t
pg_col_int(const PGresult *res, int r, int i)
{
	if (PQgetisnull(res, r, i))
		return 0;
	return col_digits(PQgetvalue(res, r, i));
}

int32_t
pg_col_day(const PGresult *res, int r, int i)
{
	int32_t day;

	if (PQgetisnull(res, r, i) ||
	    ocop_day_parse(PQgetvalue(res, r, i), &day, NULL) < 0)
		return OCOP_NO_DAY;
	return day;
}

int64_t
pg_col_time(const PGresult *res, int r, int i)
{
	if (PQgetisnull(res, r, i))
		return OCOP_NO_TIME;
	return col_digits(PQgetvalue(res, r, i));
}

/* SQLSTATE classes to the contract's codes (store.h: Errors). */
int
pg_error(struct pg_store *s, const PGresult *res, struct ocop_error *err,
	 const char *what)
{
	const char *state =
	    res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg =
	    res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	int code = OCOP_EINTERNAL;

	if (!msg || !*msg)
		msg = PQerrorMessage(s->conn);
	if (state && strcmp(state, "0A000") == 0 &&
	    strstr(msg, "cached plan must not change result type"))
		s->stale = 1;
	if (state && strcmp(state, "23505") == 0)
		code = OCOP_EEXIST;
	else if (state &&
		 (strncmp(state, "53", 2) == 0 || strcmp(state, "25006") == 0 ||
		  strncmp(state, "57", 2) == 0 || strncmp(state, "08", 2) == 0))
		code = OCOP_EOUTPUT; /* disk full, read-only, shutting down */
	else if (!state && PQstatus(s->conn) == CONNECTION_BAD)
		code = OCOP_EOUTPUT;
	return ocop_error_set(err, code, "%s: %.*s", what,
			      (int)strcspn(msg, "\n"), msg);
}

static int pipe_drain(struct pg_store *s, struct ocop_error *err);
static int pg_revive(struct pg_store *s, struct ocop_error *err);
static int pg_read_again(struct pg_store *s, enum pg_snap before,
			 struct ocop_error *err);

/*
 * Before a statement whose result is needed now: the pipeline, if any,
 * is read first (its results fill their outputs); in a lazy read, the
 * second statement begins the snapshot that it and the rest share (the
 * first was its own: store.h, Reads).
 */
static int
pg_ready(struct pg_store *s, struct ocop_error *err)
{
	PGresult *res;

	if (s->piping && pipe_drain(s, err) < 0) {
		s->failed = 1;
		return err ? err->code : OCOP_EINTERNAL;
	}
	if (s->snap == PG_SNAP_LAZY) {
		s->snap = PG_SNAP_ONE;
	} else if (s->snap == PG_SNAP_ONE) {
		res =
		    PQexec(s->conn,
			   "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			int rc = pg_error(s, res, err, "cannot begin a read");

			PQclear(res);
			return rc;
		}
		PQclear(res);
		s->snap = PG_SNAP_TX;
	}
	return 0;
}

/*
 * A statement's name on this connection. A change of the schema that
 * changes what a prepared statement returns (a migration run by 'ocop
 * init' while the nodes serve) makes the server refuse it from then on;
 * the next statement prepares them all again under new names (the old
 * ones cannot be dropped inside the transaction that failed, and cost
 * nothing kept), so a node goes on without a restart.
 */
static void
pg_replan(struct pg_store *s)
{
	if (s->stale && !s->piping) {
		s->stale = 0;
		s->plans++;
		memset(s->prepared, 0, sizeof(s->prepared));
	}
}

static void
pg_stmt_name(struct pg_store *s, int slot, char *name, size_t size)
{
	pg_replan(s);
	snprintf(name, size, "s%d.%u", slot, s->plans);
}

/* Statement slot prepared, its name in name (PG_NAME_MAX). */
static int
pg_prepare(struct pg_store *s, int slot, const char *sql, int nparams,
	   const char *what, char *name, struct ocop_error *err)
{
	PGresult *res;
	int rc = 0;

	pg_stmt_name(s, slot, name, PG_NAME_MAX);
	if (s->prepared[slot])
		return 0;
	res = PQprepare(s->conn, name, sql, nparams, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = pg_error(s, res, err, what);
	else
		s->prepared[slot] = 1;
	PQclear(res);
	return rc;
}

PGresult *
pg_exec(struct pg_store *s, int slot, const char *sql,
	const struct pg_params *p, const char *what, struct ocop_error *err)
{
	static const struct pg_params none;
	char name[PG_NAME_MAX];
	PGresult *res;
	ExecStatusType st;

	if (!p)
		p = &none;
	if (s->depth == 0 && pg_revive(s, err) < 0)
		return NULL;
	for (int again = 1;; again = 0) {
		enum pg_snap before = s->snap;

		if (pg_ready(s, err) < 0 ||
		    pg_prepare(s, slot, sql, p->n, what, name, err) < 0) {
			if (again && pg_read_again(s, before, err) == 0)
				continue;
			return NULL;
		}
		res = PQexecPrepared(s->conn, name, p->n, p->v, p->len, p->fmt,
				     0);
		st = PQresultStatus(res);
		if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
			return res;
		pg_error(s, res, err, what);
		PQclear(res);
		if (!again)
			break;
		/* a read's statement that met a closed connection: once
		 * more on a new one */
		if (pg_read_again(s, before, err) == 0)
			continue;
		/* a statement of its own whose plan the schema outdated
		 * aborted nothing: once more, prepared anew */
		if (!s->stale || PQtransactionStatus(s->conn) != PQTRANS_IDLE)
			break;
	}
	if (s->depth > 0)
		s->failed = 1; /* the server aborted the transaction */
	return NULL;
}

int
pg_stream(struct pg_store *s, int slot, const char *sql,
	  const struct pg_params *p, const char *what,
	  int (*row)(void *ctx, const PGresult *res), void *ctx,
	  struct ocop_error *err)
{
	static const struct pg_params none;
	char name[PG_NAME_MAX];
	PGresult *res;
	int rc = 0, stopped = 0;

	if (!p)
		p = &none;
	if ((s->depth == 0 && pg_revive(s, err) < 0) || pg_ready(s, err) < 0 ||
	    pg_prepare(s, slot, sql, p->n, what, name, err) < 0)
		return err ? err->code : OCOP_EINTERNAL;
	if (!PQsendQueryPrepared(s->conn, name, p->n, p->v, p->len, p->fmt, 0))
		return pg_error(s, NULL, err, what);
	PQsetSingleRowMode(s->conn);
	/* every result is read, also after a stop: the connection is free
	 * for the next statement only then */
	while ((res = PQgetResult(s->conn))) {
		ExecStatusType st = PQresultStatus(res);

		if (st == PGRES_SINGLE_TUPLE) {
			if (!stopped && (rc = row(ctx, res)) != 0)
				stopped = 1;
		} else if (st != PGRES_TUPLES_OK && !stopped) {
			rc = pg_error(s, res, err, what);
			stopped = 1;
			if (s->depth > 0)
				s->failed = 1;
		}
		PQclear(res);
	}
	return rc;
}

/* ---- the scan writer's pipeline ---------------------------------------- */

/*
 * The scan writer's transaction goes as one pipeline (libpq pipeline
 * mode): BEGIN, each scan's statement and, when no result can need a
 * second statement, COMMIT are sent without waiting, and read back in one
 * round trip at commit; the scans' outputs (ids, duplicates, counts) are
 * filled then. A statement whose result is needed at once reads the
 * pipeline first (pg_ready).
 */

int
pg_pipelined(const struct pg_store *s)
{
	return s->depth > 0 && !s->reading &&
	       (s->flags & OCOP_STORE_SCAN_WRITER);
}

static struct pg_pending *
pend_push(struct pg_store *s)
{
	struct pg_pending *p;

	if (s->npend == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->pend = ocop_xrealloc(s->pend, s->cap * sizeof(*s->pend));
	}
	p = &s->pend[s->npend++];
	memset(p, 0, sizeof(*p));
	p->prepare_slot = -1;
	return p;
}

static int
pipe_start(struct pg_store *s, struct ocop_error *err)
{
	if (s->piping)
		return 0;
	pg_replan(s);
	if (!PQenterPipelineMode(s->conn))
		return pg_error(s, NULL, err, "cannot begin a pipeline");
	s->piping = 1;
	s->npend = 0;
	s->may_fix = 0;
	return 0;
}

struct pg_pending *
pg_send(struct pg_store *s, int slot, const char *sql,
	const struct pg_params *p, const char *what, struct ocop_error *err)
{
	static const struct pg_params none;
	struct pg_pending *e;
	char name[PG_NAME_MAX];

	if (!p)
		p = &none;
	if (s->nbatch > 0 && pg_scans_flush(s, err) < 0)
		goto fail;
	if (s->npend + 2 > PG_MAX_PENDING && pipe_drain(s, err) < 0)
		goto fail;
	if (pipe_start(s, err) < 0)
		goto fail;
	pg_stmt_name(s, slot, name, sizeof(name));
	if (!s->prepared[slot]) {
		if (!PQsendPrepare(s->conn, name, sql, p->n, NULL)) {
			pg_error(s, NULL, err, what);
			goto fail;
		}
		/* marked now, so that the pipeline prepares it once; a
		 * failure unmarks it when read */
		s->prepared[slot] = 1;
		e = pend_push(s);
		e->sent = 1;
		e->what = what;
		e->prepare_slot = slot;
	}
	if (!PQsendQueryPrepared(s->conn, name, p->n, p->v, p->len, p->fmt,
				 0)) {
		pg_error(s, NULL, err, what);
		goto fail;
	}
	e = pend_push(s);
	e->sent = 1;
	e->what = what;
	return e;
fail:
	s->failed = 1;
	return NULL;
}

struct pg_pending *
pg_pend_virtual(struct pg_store *s, struct ocop_error *err)
{
	if (pipe_start(s, err) < 0) {
		s->failed = 1;
		return NULL;
	}
	return pend_push(s);
}

static int
pipe_send_cmd(struct pg_store *s, const char *sql, const char *what,
	      struct ocop_error *err)
{
	struct pg_pending *e;

	if (!PQsendQueryParams(s->conn, sql, 0, NULL, NULL, NULL, NULL, 0))
		return pg_error(s, NULL, err, what);
	e = pend_push(s);
	e->sent = 1;
	e->what = what;
	return 0;
}

/* Send a sync, read every result in order (filling the outputs), leave
 * pipeline mode. The first failure is returned; the entries stay (for
 * the fixups) until the next pipeline. */
static int
pipe_finish(struct pg_store *s, struct ocop_error *err)
{
	PGresult *res;
	int rc = 0, broken = 0;

	if (!PQpipelineSync(s->conn)) {
		rc = pg_error(s, NULL, err, "cannot send the pipeline");
		broken = 1;
	}
	for (size_t i = 0; i < s->npend && !broken; i++) {
		struct pg_pending *e = &s->pend[i];
		ExecStatusType st;

		if (!e->sent)
			continue;
		if (!(res = PQgetResult(s->conn))) {
			if (rc == 0)
				rc = pg_error(s, NULL, err, e->what);
			broken = 1;
			break;
		}
		st = PQresultStatus(res);
		if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
			if (rc == 0 && e->done)
				e->done(s, res, e);
		} else {
			if (e->prepare_slot >= 0)
				s->prepared[e->prepare_slot] = 0;
			if (rc == 0 && st != PGRES_PIPELINE_ABORTED)
				rc = pg_error(s, res, err, e->what);
			else if (rc == 0)
				rc = ocop_error_set(err, OCOP_EINTERNAL,
						    "%s: pipeline aborted",
						    e->what);
		}
		PQclear(res);
		/* the end of this statement's results */
		while ((res = PQgetResult(s->conn)))
			PQclear(res);
	}
	/* the sync's own result, then the pipeline is idle */
	while (!broken && (res = PQgetResult(s->conn))) {
		ExecStatusType st = PQresultStatus(res);

		PQclear(res);
		if (st == PGRES_PIPELINE_SYNC)
			break;
	}
	if (!PQexitPipelineMode(s->conn) && rc == 0)
		rc = pg_error(s, NULL, err, "cannot end the pipeline");
	s->piping = 0;
	/* the counts that the inserts returned, once all are read */
	for (size_t i = 0; rc == 0 && i < s->npend; i++) {
		struct pg_pending *e = &s->pend[i];

		if (!e->sent && e->count) {
			*e->count = s->pend[e->from].count_v;
			*e->first_at = s->pend[e->from].first_v;
		}
	}
	return rc;
}

/* Read the pipeline and run the fixups its results asked for (a re-sent
 * client id's stored scan); the transaction goes on. */
static int
pipe_drain(struct pg_store *s, struct ocop_error *err)
{
	int rc = pg_scans_flush(s, err);

	if (rc == 0)
		rc = pipe_finish(s, err);
	else
		(void)pipe_finish(s, NULL);

	for (size_t i = 0; rc == 0 && i < s->npend; i++)
		if (s->pend[i].fix && s->pend[i].fixup)
			rc = s->pend[i].fixup(s, &s->pend[i], err);
	s->npend = 0;
	s->may_fix = 0;
	return rc;
}

/* A failed or abandoned transaction's pipeline: read and dropped. */
static void
pipe_abandon(struct pg_store *s)
{
	s->nbatch = 0;
	if (!s->piping)
		return;
	(void)pipe_finish(s, NULL);
	s->npend = 0;
	s->may_fix = 0;
}

/* A statement without parameters nor prepared form (transactions,
 * migrations): 0 or the error. */
static int
pg_simple(struct pg_store *s, const char *sql, const char *what,
	  struct ocop_error *err)
{
	PGresult *res = PQexec(s->conn, sql);
	ExecStatusType st = PQresultStatus(res);
	int rc = 0;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		rc = pg_error(s, res, err, what);
	PQclear(res);
	return rc;
}

/* ---- the connection ---------------------------------------------------- */

/* A new session's settings: days as YYYY-MM-DD whatever the server's
 * settings; a commit acknowledged only once durable; each prepared
 * statement planned once (the scans' partitions are pruned when it runs:
 * planning them anew at every run cost the circulation report over 10 M
 * scans a quarter of its time). */
static int
pg_session(struct pg_store *s, struct ocop_error *err)
{
	return pg_simple(s,
			 "SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC';"
			 " SET client_encoding = 'UTF8';"
			 " SET synchronous_commit = on;"
			 " SET plan_cache_mode = force_generic_plan;"
			 " SET client_min_messages = warning",
			 "cannot configure the connection", err);
}

/* Whether the connection is lost: broken, or closed by the server while
 * idle (an idle connection has nothing to read: a byte there is the
 * server's goodbye, as a restart or pg_terminate_backend sends it). */
static int
pg_gone(struct pg_store *s)
{
	struct pollfd p = {.fd = PQsocket(s->conn), .events = POLLIN};

	if (PQstatus(s->conn) != CONNECTION_OK || p.fd < 0)
		return 1;
	if (s->piping || PQtransactionStatus(s->conn) != PQTRANS_IDLE)
		return 0;
	return poll(&p, 1, 0) > 0;
}

/*
 * A lost connection (a server restarted, a primary failed over, a network
 * that broke) made again before the handle's next transaction or read, or
 * a statement outside them: libpq's PQreset, which tries the URI's hosts
 * anew with its target_session_attrs, so that a node follows a promoted
 * primary. The new session has nothing prepared. While the server cannot
 * be reached, one attempt every PG_REVIVE_EVERY seconds: the work in
 * between fails at once (OCOP_EUNREACH, which the routes answer with 503
 * and Retry-After), so that a request thread does not wait on every
 * request for a server that is away.
 */
static int
pg_revive(struct pg_store *s, struct ocop_error *err)
{
	double now;
	const char *m;

	if (!pg_gone(s))
		return 0;
	now = ocop_mono();
	if (s->revive_failed_at > 0 &&
	    now - s->revive_failed_at < PG_REVIVE_EVERY)
		return ocop_error_set(err, OCOP_EUNREACH,
				      "no connection to the PostgreSQL "
				      "database: it could not be reached "
				      "a moment ago");
	s->piping = 0;
	s->npend = 0;
	s->nbatch = 0;
	s->may_fix = 0;
	s->stale = 0;
	memset(s->prepared, 0, sizeof(s->prepared));
	PQreset(s->conn);
	if (PQstatus(s->conn) == CONNECTION_OK && pg_session(s, NULL) == 0) {
		s->revive_failed_at = 0;
		return 0;
	}
	s->revive_failed_at = now;
	m = PQerrorMessage(s->conn);
	return ocop_error_set(err, OCOP_EUNREACH,
			      "cannot connect to the PostgreSQL database: %.*s",
			      (int)strcspn(m, "\n"), m);
}

/* A read's statement that failed on a lost connection before its read
 * had a snapshot of several statements (store.h, Reads: before is where
 * the read was when it came) is run again on a new connection: 0 when it
 * can be, after the read is put back where it was. */
static int
pg_read_again(struct pg_store *s, enum pg_snap before, struct ocop_error *err)
{
	if (!s->reading || (before != PG_SNAP_LAZY && before != PG_SNAP_ONE) ||
	    PQstatus(s->conn) != CONNECTION_BAD)
		return -1;
	s->snap = before;
	s->revive_failed_at = 0;
	return pg_revive(s, err);
}

/* ---- transactions ------------------------------------------------------ */

/* The months of scans partitions around now exist, from last month to
 * PG_PARTS_MONTHS ahead (made ahead of need, so a month's first scans
 * neither wait for a CREATE TABLE nor land in scans_default); months are
 * counted by the server's calendar on the process's clock. */
static int
pg_partitions(struct pg_store *s, struct ocop_error *err)
{
	int64_t now = ocop_now();
	PGresult *res;
	struct pg_params p = {0};
	int rc = 0;

	pp_int(&p, now);
	pp_int(&p, PG_PARTS_MONTHS);
	res = PQexecParams(
	    s->conn,
	    "SELECT min(extract(epoch FROM m))::bigint, "
	    " max(extract(epoch FROM m + interval '1 month'))::bigint, "
	    " count(scans_partition(extract(epoch FROM m)::bigint)) "
	    "FROM generate_series(date_trunc('month', to_timestamp($1)) "
	    " - interval '1 month', date_trunc('month', to_timestamp($1)) "
	    " + make_interval(months => $2::int), interval '1 month') m",
	    p.n, NULL, p.v, p.len, p.fmt, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = pg_error(s, res, err, "cannot make scans partitions");
	} else {
		s->parts_lo = pg_col_int(res, 0, 0);
		s->parts_hi = pg_col_int(res, 0, 1);
		/* made again well before the last month comes */
		s->parts_until =
		    now + (int64_t)(PG_PARTS_MONTHS - 2) * 28 * 86400;
	}
	PQclear(res);
	return rc;
}

int
pg_partition_for(struct pg_store *s, int64_t at, struct ocop_error *err)
{
	struct pg_params p = {0};
	PGresult *res;

	if (at >= s->parts_lo && at < s->parts_hi)
		return 0;
	pp_int(&p, at);
	res = pg_exec(s, PG_PARTITION_FOR, "SELECT scans_partition($1)", &p,
		      "cannot make a scans partition", err);
	if (!res)
		return err ? err->code : OCOP_EINTERNAL;
	PQclear(res);
	return 0;
}

static int
pg_begin(struct ocop_store *base, struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;

	if (s->depth > 0) {
		if (s->reading)
			return ocop_error_set(err, OCOP_EINTERNAL,
					      "no writes inside a read");
		s->depth++;
		return 0;
	}
	if (s->flags & OCOP_STORE_READER)
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "a reading handle does not write");
	if (pg_revive(s, err) < 0)
		return err ? err->code : OCOP_EINTERNAL;
	/* a long-running writer makes the coming months' partitions */
	if ((s->flags & OCOP_STORE_SCAN_WRITER) && ocop_now() > s->parts_until)
		(void)pg_partitions(s, NULL); /* scans_default meanwhile */
	if (s->flags & OCOP_STORE_SCAN_WRITER) {
		/* BEGIN goes with the group's statements */
		if (pipe_start(s, err) < 0 ||
		    pipe_send_cmd(s, "BEGIN", "cannot begin transaction", err) <
			0) {
			pipe_abandon(s);
			return err ? err->code : OCOP_EINTERNAL;
		}
	} else if (pg_simple(s, "BEGIN", "cannot begin transaction", err) < 0) {
		return err ? err->code : OCOP_EINTERNAL;
	}
	s->depth = 1;
	s->failed = 0;
	s->reading = 0;
	return 0;
}

static void
pg_undo(struct pg_store *s)
{
	pipe_abandon(s);
	PQclear(PQexec(s->conn, "ROLLBACK"));
	s->depth = 0;
	s->loaded = 0;
	s->failed = 0;
	s->reading = 0;
}

static void
pg_rollback(struct ocop_store *base)
{
	struct pg_store *s = (struct pg_store *)base;

	if (s->depth == 0)
		return;
	if (--s->depth > 0) {
		s->failed = 1;
		return;
	}
	pg_undo(s);
}

static int
pg_commit(struct ocop_store *base, struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	PGresult *res;
	int rc = 0;

	if (s->depth == 0)
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "commit without a transaction");
	if (--s->depth > 0)
		return 0;
	if (s->failed) {
		pg_undo(s);
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "transaction rolled back");
	}
	if (s->piping && !s->may_fix) {
		/* the whole group in one round trip, COMMIT included */
		if ((rc = pg_scans_flush(s, err)) == 0 &&
		    (rc = pipe_send_cmd(s, "COMMIT", "cannot commit", err)) ==
			0)
			rc = pipe_finish(s, err);
		else
			pipe_abandon(s);
		s->npend = 0;
		if (rc == 0 && PQtransactionStatus(s->conn) != PQTRANS_IDLE)
			rc = ocop_error_set(err, OCOP_EINTERNAL,
					    "cannot commit: the transaction "
					    "was rolled back");
		goto out;
	}
	if (s->piping && (rc = pipe_drain(s, err)) < 0)
		goto out;
	/* a COMMIT of an aborted transaction answers ROLLBACK, not an
	 * error: the status tells */
	res = PQexec(s->conn, "COMMIT");
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = pg_error(s, res, err, "cannot commit");
	else if (strcmp(PQcmdStatus(res), "COMMIT") != 0)
		rc = ocop_error_set(err, OCOP_EINTERNAL,
				    "cannot commit: the transaction was rolled "
				    "back");
	PQclear(res);
	/* rows just loaded are not yet marked visible to every
	 * transaction: until a vacuum marks their pages, an index-only
	 * scan (the reports' reads of scans) fetches every row's page
	 * too; a failure leaves that to autovacuum */
	if (rc == 0 && s->loaded)
		(void)pg_simple(s, "VACUUM (ANALYZE)", "cannot vacuum", NULL);
out:
	if (rc < 0 && PQtransactionStatus(s->conn) != PQTRANS_IDLE)
		PQclear(PQexec(s->conn, "ROLLBACK"));
	s->loaded = 0;
	s->failed = 0;
	return rc;
}

/* A read: lazy, a REPEATABLE READ transaction begun by its second
 * statement (pg_ready), or begun now. */
static int
read_open(struct pg_store *s, int lazy, struct ocop_error *err)
{
	if (s->depth > 0) {
		s->depth++;
		return 0;
	}
	if (pg_revive(s, err) < 0)
		return err ? err->code : OCOP_EINTERNAL;
	s->depth = 1;
	if (lazy) {
		s->snap = PG_SNAP_LAZY;
	} else if (pg_simple(s,
			     "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY",
			     "cannot begin a read", err) < 0) {
		s->depth = 0;
		return err ? err->code : OCOP_EINTERNAL;
	} else {
		s->snap = PG_SNAP_TX;
	}
	s->reading = 1;
	s->failed = 0;
	return 0;
}

/* A request thread's read is mostly one statement (label_lookup), its
 * own snapshot: no BEGIN and COMMIT around it (two round trips of
 * three). */
static int
pg_read_begin(struct ocop_store *base, struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;

	return read_open(s, (s->flags & OCOP_STORE_READER) != 0, err);
}

static void
pg_read_end(struct ocop_store *base)
{
	struct pg_store *s = (struct pg_store *)base;

	if (s->depth == 0 || --s->depth > 0)
		return;
	if (s->snap == PG_SNAP_TX)
		PQclear(PQexec(s->conn, s->failed ? "ROLLBACK" : "COMMIT"));
	s->snap = PG_SNAP_NONE;
	s->reading = 0;
	s->failed = 0;
}

/* ---- settings ---------------------------------------------------------- */

static int
pg_meta_get(struct ocop_store *base, const char *key, char *buf, size_t size,
	    struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params p = {0};
	PGresult *res;

	pp_text(&p, key);
	PG_OR_FAIL(res, PG_META_GET, "SELECT value FROM meta WHERE key = $1",
		   &p, "cannot read setting");
	if (PQntuples(res) > 0)
		pg_col_text(res, 0, 0, buf, size);
	else
		buf[0] = '\0';
	PQclear(res);
	return 0;
}

static int
pg_meta_set(struct ocop_store *base, const char *key, const char *value,
	    struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params p = {0};
	PGresult *res;

	pp_text(&p, key);
	pp_text(&p, value);
	PG_OR_FAIL(res, PG_META_SET,
		   "INSERT INTO meta (key, value) VALUES ($1, $2) "
		   "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
		   &p, "cannot write setting");
	PQclear(res);
	return 0;
}

/* ---- uses recorded from any handle ------------------------------------ */

int
pg_touch(struct pg_store *s, int slot, const char *sql, int64_t a, int64_t b,
	 struct ocop_error *err)
{
	struct pg_params q = {0};
	PGresult *res;
	PGconn *c;
	int rc = 0;

	pp_int(&q, a);
	pp_int(&q, b);
	if (!(s->flags & OCOP_STORE_READER) && !s->reading) {
		PG_OR_FAIL(res, slot, sql, &q, "cannot record use");
		PQclear(res);
		return 0;
	}
	/* a reading handle (a READ ONLY transaction, or one that never
	 * writes): a short connection of its own */
	c = PQconnectdb(s->uri);
	if (PQstatus(c) != CONNECTION_OK) {
		const char *m = PQerrorMessage(c);

		rc = ocop_error_set(err, OCOP_EUNREACH,
				    "cannot record use: %.*s",
				    (int)strcspn(m, "\n"), m);
		PQfinish(c);
		return rc;
	}
	res = PQexecParams(c, sql, q.n, NULL, q.v, q.len, q.fmt, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		const char *m = PQerrorMessage(c);

		rc =
		    ocop_error_set(err, OCOP_EOUTPUT, "cannot record use: %.*s",
				   (int)strcspn(m, "\n"), m);
	}
	PQclear(res);
	PQfinish(c);
	return rc;
}

/* ---- stats ------------------------------------------------------------- */

static int64_t
pg_int(struct pg_store *s, const char *sql)
{
	PGresult *res = PQexec(s->conn, sql);
	int64_t v = -1;

	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0)
		v = pg_col_int(res, 0, 0);
	PQclear(res);
	return v;
}

static void
check_add(struct store_stats *out, const char *problem)
{
	size_t n = strlen(out->check);

	if (strcmp(out->check, "ok") == 0)
		n = 0;
	snprintf(out->check + n, sizeof(out->check) - n, "%s%s", n ? "\n" : "",
		 problem);
}

/* A check of stats_read: the rows that sql counts, a problem (before, their
 * number, after) when there are some. */
static void
check_none(struct pg_store *s, struct store_stats *out, const char *sql,
	   const char *before, const char *after)
{
	int64_t n = pg_int(s, sql);
	char m[160];

	if (n == 0)
		return;
	snprintf(m, sizeof(m), "%s%lld%s", before, (long long)n, after);
	check_add(out, m);
}

/* The rows of the tables of the product's data (as the SQLite engine
 * names them: not the derived counts, places, client ids, versions), and
 * the checks: the per-label counts, the per-product counts by day and the
 * client ids against the scans stored (the server keeps its own pages and
 * keys consistent). */
static int
stats_read(struct ocop_store *base, struct store_stats *out, int check,
	   struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	PGresult *res;
	int rc;

	memset(out, 0, sizeof(*out));
	ocop_strlcpy(out->engine, "pg", sizeof(out->engine));
	if ((rc = read_open(s, 0, err)) < 0)
		return rc;
	out->schema = (int)pg_int(s, "SELECT max(version) FROM schema_version");
	res = PQexec(s->conn,
		     "SELECT c.relname FROM pg_class c"
		     " WHERE c.relnamespace = current_schema()::regnamespace"
		     " AND c.relkind IN ('r', 'p') AND NOT c.relispartition"
		     " AND c.relname NOT IN ('label_scan_stats',"
		     " 'label_places', 'product_day_scans', 'scan_clients',"
		     " 'registry_version', 'schema_version')"
		     " ORDER BY c.relname COLLATE \"C\"");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = pg_error(s, res, err, "cannot list tables");
		PQclear(res);
		goto out;
	}
	for (int i = 0; i < PQntuples(res) && out->ntables < STORE_MAX_TABLES;
	     i++) {
		char sql[128];
		size_t t = out->ntables;
		char *id;

		pg_col_text(res, i, 0, out->tables[t].name,
			    sizeof(out->tables[t].name));
		id = PQescapeIdentifier(s->conn, out->tables[t].name,
					strlen(out->tables[t].name));
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s",
			 id ? id : "\"\"");
		PQfreemem(id);
		out->tables[t].rows = pg_int(s, sql);
		out->ntables++;
	}
	PQclear(res);

	ocop_strlcpy(out->check, "ok", sizeof(out->check));
	if (!check) {
		rc = 0;
		goto out;
	}
	check_none(s, out,
		   "SELECT count(*) FROM"
		   " (SELECT label_id, count(*) AS n, min(scanned_at) AS f"
		   " FROM scans WHERE label_id IS NOT NULL"
		   " GROUP BY label_id) c"
		   " FULL JOIN label_scan_stats x USING (label_id)"
		   " WHERE c.n IS DISTINCT FROM x.count"
		   " OR c.f IS DISTINCT FROM x.first_at",
		   "the scan counts of ",
		   " labels differ from the scans stored");
	check_none(s, out,
		   "SELECT count(*) FROM"
		   " (SELECT product_id, ocop_day_of(scanned_at) AS day,"
		   " count(*) AS n FROM scans WHERE product_id IS NOT NULL"
		   " GROUP BY 1, 2) c"
		   " FULL JOIN product_day_scans x USING (product_id, day)"
		   " WHERE c.n IS DISTINCT FROM x.count",
		   "the scan counts of ",
		   " product days differ from the scans stored");
	check_none(s, out,
		   "SELECT count(*) FROM scan_clients c"
		   " FULL JOIN (SELECT id, scanned_at, client_id FROM scans"
		   " WHERE client_id IS NOT NULL) s"
		   " ON s.id = c.scan_id AND s.scanned_at = c.scanned_at"
		   " AND s.client_id = c.client_id"
		   " WHERE s.id IS NULL OR c.scan_id IS NULL",
		   "", " inspector scans and their client ids differ");
	check_none(s, out, "SELECT count(*) FROM scans_default", "",
		   " scans are in scans_default, outside the monthly "
		   "partitions");
	rc = 0;
out:
	pg_read_end(base);
	return rc;
}

static int
pg_stats(struct ocop_store *base, struct store_stats *out,
	 struct ocop_error *err)
{
	return stats_read(base, out, 1, err);
}

static int
pg_rows(struct ocop_store *base, struct store_stats *out,
	struct ocop_error *err)
{
	return stats_read(base, out, 0, err);
}

/* ---- open, migrations, close ------------------------------------------- */

static void
pg_close(struct ocop_store *base)
{
	struct pg_store *s = (struct pg_store *)base;

	if (!s)
		return;
	if (s->conn)
		PQfinish(s->conn);
	if (s->uri) {
		/* it may hold a password */
		sodium_memzero(s->uri, strlen(s->uri));
		free(s->uri);
	}
	free(s->pend);
	ocop_buf_release(&s->load_line);
	ocop_buf_release(&s->load_places);
	free(s);
}

static const struct ocop_store_methods pg_methods = {
    .name = "pg",
    .networked = 1,
    .close = pg_close,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .meta_get = pg_meta_get,
    .meta_set = pg_meta_set,
    .product_put = pg_product_put,
    .product_get = pg_product_get,
    .product_get_by_id = pg_product_get_by_id,
    .product_get_by_gtin = pg_product_get_by_gtin,
    .product_each = pg_product_each,
    .product_page = pg_product_page,
    .product_counts = pg_product_counts,
    .recognition_add = pg_recognition_add,
    .extension_add = pg_extension_add,
    .revocation_add = pg_revocation_add,
    .history_read = pg_history_read,
    .history_read_many = pg_history_read_many,
    .batch_add = pg_batch_add,
    .label_add = pg_label_add,
    .label_get = pg_label_get,
    .batch_get = pg_batch_get,
    .label_void = pg_label_void,
    .batch_void = pg_batch_void,
    .label_each_in_batch = pg_label_each_in_batch,
    .batch_each = pg_batch_each,
    .label_count_for_product = pg_label_count_for_product,
    .scan_add = pg_scan_add,
    .scan_stats = pg_scan_stats,
    .scan_each_of_product = pg_scan_each_of_product,
    .scan_count_of_product = pg_scan_count_of_product,
    .scan_each_placed = pg_scan_each_placed,
    .scan_each_stored = pg_scan_each_stored,
    .scan_each_unknown = pg_scan_each_unknown,
    .label_get_by_id = pg_label_get_by_id,
    .label_max_stars = pg_label_max_stars,
    .label_max_id = pg_label_max_id,
    .label_each_of_product = pg_label_each_of_product,
    .batch_each_of_product = pg_batch_each_of_product,
    .key_add = pg_key_add,
    .key_each = pg_key_each,
    .key_secret = pg_key_secret,
    .key_retire = pg_key_retire,
    .snapshot_seq_next = pg_snapshot_seq_next,
    .token_add = pg_token_add,
    .token_find = pg_token_find,
    .token_each = pg_token_each,
    .token_revoke = pg_token_revoke,
    .token_touch = pg_token_touch,
    .session_touch = pg_session_touch,
    .user_add = pg_user_add,
    .user_get = pg_user_get,
    .user_get_by_id = pg_user_get_by_id,
    .user_get_by_setup = pg_user_get_by_setup,
    .user_each = pg_user_each,
    .user_update = pg_user_update,
    .session_add = pg_session_add,
    .session_find = pg_session_find,
    .session_end = pg_session_end,
    .session_end_user = pg_session_end_user,
    .signin_add = pg_signin_add,
    .signin_failures = pg_signin_failures,
    .audit_add = pg_audit_add,
    .audit_each = pg_audit_each,
    .scan_purge_client_data = pg_scan_purge_client_data,
    .scan_purge_consumer = pg_scan_purge_consumer,
    .read_begin = pg_read_begin,
    .read_end = pg_read_end,
    .label_lookup = pg_label_lookup,
    .label_lookup_many = pg_label_lookup_many,
    .stats = pg_stats,
    .rows = pg_rows,
    .table_each = pg_table_each,
    .load_begin = pg_load_begin,
    .load_row = pg_load_row,
    .load_end = pg_load_end,
    .load_finish = pg_load_finish,
};

/* The number of a migration asset, or 0 when name is not one. */
static int
migration_no(const char *name)
{
	int n;

	if (strncmp(name, PG_MIGRATIONS, sizeof(PG_MIGRATIONS) - 1) != 0 ||
	    sscanf(name + sizeof(PG_MIGRATIONS) - 1, "%4d", &n) != 1)
		return 0;
	return n;
}

/* Inside the open transaction, under the migrations' advisory lock (two
 * nodes starting at once: the second waits, then finds nothing to do):
 * apply assets/migrations/pg/NNNN_*.sql above the recorded version, each
 * recorded in schema_version. A schema newer than this ocop knows is
 * refused untouched; none at all only with OCOP_STORE_CREATE. */
static int
migrate(struct pg_store *s, int create, struct ocop_error *err)
{
	int version, known = 0;
	int64_t v;

	for (const struct ocop_asset *a = ocop_assets; a->name; a++)
		if (migration_no(a->name) > known)
			known = migration_no(a->name);
	if (pg_int(s,
		   "SELECT (to_regclass('schema_version') IS NOT NULL)::int") !=
	    1) {
		if (!create)
			return ocop_error_set(err, OCOP_ENOINPUT,
					      "the database holds no ocop "
					      "schema (run 'ocop init' first)");
		if (pg_simple(s,
			      "CREATE TABLE schema_version ("
			      " version int PRIMARY KEY,"
			      " applied_at bigint NOT NULL)",
			      "cannot record the schema version", err) < 0)
			return err ? err->code : OCOP_EINTERNAL;
	}
	v = pg_int(s, "SELECT coalesce(max(version), 0) FROM schema_version");
	if (v < 0)
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "cannot read the schema version");
	version = (int)v;
	if (version > known)
		return ocop_error_set(err, OCOP_EREFUSED,
				      "the database's schema (version %d) is "
				      "newer than this ocop knows (%d): use "
				      "the ocop that wrote it, or a newer one",
				      version, known);
	for (;;) {
		const struct ocop_asset *next = NULL;
		int target = 0;
		char sql[128];

		for (const struct ocop_asset *a = ocop_assets; a->name; a++) {
			int n = migration_no(a->name);

			if (n > version && (!next || n < target)) {
				next = a;
				target = n;
			}
		}
		if (!next)
			return 0;
		if (pg_simple(s, next->data, "cannot apply migration", err) <
		    0) {
			ocop_error_prefix(err, "%s", next->name);
			return err ? err->code : OCOP_EINTERNAL;
		}
		snprintf(sql, sizeof(sql),
			 "INSERT INTO schema_version VALUES (%d, %lld)", target,
			 (long long)ocop_now());
		if (pg_simple(s, sql, "cannot record migration", err) < 0)
			return err ? err->code : OCOP_EINTERNAL;
		version = target;
	}
}

int
store_pg_open(const char *uri, int flags, struct ocop_store **out,
	      struct ocop_error *err)
{
	struct pg_store *s = ocop_xcalloc(1, sizeof(*s));
	int rc;

	s->base.m = &pg_methods;
	*out = NULL;
	/* the whole URI: every libpq parameter passes through */
	s->uri = ocop_xstrdup(uri);
	s->conn = PQconnectdb(uri);
	if (PQstatus(s->conn) != CONNECTION_OK) {
		const char *m = PQerrorMessage(s->conn);

		/* never the URI: it may hold a password */
		rc = ocop_error_set(err, OCOP_EUNREACH,
				    "cannot connect to the PostgreSQL "
				    "database: %.*s",
				    (int)strcspn(m, "\n"), m);
		pg_close(&s->base);
		return rc;
	}
	if (pg_session(s, err) < 0 ||
	    pg_simple(s, "BEGIN", "cannot begin transaction", err) < 0) {
		rc = err ? err->code : OCOP_EINTERNAL;
		pg_close(&s->base);
		return rc;
	}
	if (pg_simple(s, "SELECT pg_advisory_xact_lock(" PG_MIGRATE_LOCK ")",
		      "cannot lock the schema", err) < 0 ||
	    (rc = migrate(s, flags & OCOP_STORE_CREATE, err)) < 0 ||
	    (!(flags & OCOP_STORE_READER) &&
	     (rc = pg_partitions(s, err)) < 0) ||
	    (rc = pg_simple(s, "COMMIT", "cannot record migration", err)) < 0) {
		rc = err ? err->code : OCOP_EINTERNAL;
		pg_close(&s->base);
		return rc;
	}
	s->flags = flags;
	*out = &s->base;
	return 0;
}
