/*
 * ocop.h - the public API of the OCOP label service.
 *
 * The commands (src/cmd_*.c) and the tests call only what is declared here.
 * Conventions:
 *   - A function that can fail returns 0 or a negative OCOP_E* code and, when
 *     err is not NULL, explains the failure in *err (a lowercase message that
 *     names the subject first).
 *   - Calendar days are "day numbers": days since 1970-01-01 in the proleptic
 *     Gregorian calendar, the civil date in Vietnam (UTC+7). Instants are
 *     Unix seconds (UTC). OCOP_NO_DAY / OCOP_NO_TIME mean "none".
 *   - Whoever allocates frees, unless a name says _take/_detach.
 *     S_init/S_release for caller-owned structs, S_new/S_free for heap ones;
 *     S_free(NULL) is a no-op.
 */
#ifndef OCOP_H
#define OCOP_H

#include <stddef.h>
#include <stdint.h>

/* ---- errors ---------------------------------------------------------- */

enum {
	OCOP_OK = 0,
	OCOP_EINVAL = -1,    /* bad input data (exit 65) */
	OCOP_ENOENT = -2,    /* a named thing does not exist (exit 65) */
	OCOP_EEXIST = -3,    /* already exists, and conflicts (exit 65) */
	OCOP_EREFUSED = -4,  /* a domain rule refuses the action (exit 65) */
	OCOP_ENOINPUT = -5,  /* input file missing / unreadable (exit 66) */
	OCOP_EOUTPUT = -6,   /* cannot write output (exit 73) */
	OCOP_EUNREACH = -7,  /* server unreachable (exit 69) */
	OCOP_EUSAGE = -8,    /* bad command-line usage (exit 64) */
	OCOP_EMISTYPED = -9, /* right shape, bad check symbol (exit 65) */
	OCOP_EAUTH = -10,    /* missing or bad token (HTTP 401) */
	OCOP_EFORBID = -11,  /* token lacks the role (HTTP 403) */
	OCOP_ETOOBIG = -12,  /* input over its size cap (HTTP 413) */
	OCOP_EINTERNAL = -13, /* a bug or an environment failure (exit 70) */
	OCOP_EBUSY = -14      /* too many attempts: wait (HTTP 429, exit 75) */
};

struct ocop_error {
	int code;
	char msg[512];
};

/* Sets err (if not NULL) and returns code. printf-style message. */
int ocop_error_set(struct ocop_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prefix an existing message: "context: old message". Returns err->code. */
int ocop_error_prefix(struct ocop_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The sysexits-style exit code for an OCOP_E* code. */
int ocop_exit_code(int code);

/* ---- memory ---------------------------------------------------------- */

/* Abort on allocation failure. */
void *ocop_xmalloc(size_t n);
void *ocop_xcalloc(size_t n, size_t size);
void *ocop_xrealloc(void *p, size_t n);
char *ocop_xstrdup(const char *s);
/* Copy src into dst of size n, always NUL-terminated; returns -1 when cut. */
int ocop_strlcpy(char *dst, const char *src, size_t n);

/*
 * The test hooks' environment (OCOP_NOW, OCOP_FAIL_AFTER_*,
 * OCOP_TEST_FIRST_SERIAL): getenv(name) in a test build (compiled with
 * OCOP_TEST_HOOKS, as `make` builds build/ocop for the tests), NULL in the
 * release build that `make install` installs, so that no variable of the
 * environment can move an installed service's clock or fail its batches.
 */
const char *ocop_test_env(const char *name);

/* A growable byte buffer with a hard cap (default 64 MiB). */
struct ocop_buf {
	char *data; /* always NUL-terminated when len > 0 or after any add */
	size_t len;
	size_t cap;
	size_t max;
};
void ocop_buf_init(struct ocop_buf *b, size_t max);
void ocop_buf_release(struct ocop_buf *b);
/* Return OCOP_ETOOBIG when the cap would be exceeded (buffer unchanged). */
int ocop_buf_add(struct ocop_buf *b, const void *p, size_t n);
int ocop_buf_adds(struct ocop_buf *b, const char *s);
int ocop_buf_addf(struct ocop_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Append s with HTML escaping of & < > " ' */
int ocop_buf_add_html(struct ocop_buf *b, const char *s);
/* Give the data away; buffer is reset. Caller frees. */
char *ocop_buf_detach(struct ocop_buf *b, size_t *len);

/* ---- directories (util.c) -------------------------------------------- */

/* Create directory path and its missing parents (0777 less umask), like
 * mkdir -p; *made (when not NULL) is how many were created, the last
 * components of path, even on failure (OCOP_EOUTPUT). */
int ocop_mkdirs(const char *path, int *made, struct ocop_error *err);
/* Remove the last made directories of path again, deepest first, while
 * they are empty. */
void ocop_rmdirs(const char *path, int made);

/* ---- dates and times (date.c) ---------------------------------------- */

#define OCOP_NO_DAY INT32_MIN
#define OCOP_NO_TIME INT64_MIN
#define OCOP_TZ_OFFSET (7 * 3600) /* Asia/Ho_Chi_Minh, no DST */

int32_t ocop_day_from_ymd(int y, int m, int d);
void ocop_day_to_ymd(int32_t day, int *y, int *m, int *d);
/* Strict YYYY-MM-DD of a real date. */
int ocop_day_parse(const char *s, int32_t *day, struct ocop_error *err);
/* "YYYY-MM-DD"; buf of at least 11 bytes. OCOP_NO_DAY gives "". */
char *ocop_day_format(int32_t day, char *buf);
/* Add months, clamping to the month's end (2024-02-29 + 12 = 2025-02-28). */
int32_t ocop_day_add_months(int32_t day, int months);
/* The Vietnam calendar day of an instant. */
int32_t ocop_day_of(int64_t t);
/* The first instant (00:00 Vietnam time) of a day. */
int64_t ocop_day_start(int32_t day);
/* Today in Vietnam. Honours $OCOP_NOW (RFC 3339) for tests. */
int32_t ocop_today(void);
/* Now, Unix seconds. Honours $OCOP_NOW (RFC 3339) for tests. */
int64_t ocop_now(void);
/* Seconds of the monotonic clock, for timing and intervals (never moved
 * by $OCOP_NOW nor by the wall clock). */
double ocop_mono(void);
/* RFC 3339 with a mandatory offset (Z or +hh:mm); fractions are dropped.
 * The instant's date in Vietnam time lies in the years 1900 to 2999, as
 * ocop_day_parse reads, so that ocop_time_format's text reads back. */
int ocop_time_parse(const char *s, int64_t *t, struct ocop_error *err);
/* RFC 3339 in Vietnam time "2026-11-28T18:30:00+07:00"; buf >= 26 bytes. */
char *ocop_time_format(int64_t t, char *buf);

/* ---- serials (serial.c) ---------------------------------------------- */

#define OCOP_SERIAL_LEN 16     /* 15 random symbols + 1 check symbol */
#define OCOP_SERIAL_GROUPED 19 /* XXXX-XXXX-XXXX-XXXX */

/* A fresh serial from libsodium's CSPRNG; out has >= 17 bytes. */
void ocop_serial_new(char *out);
/* The check symbol of 15 symbols (Crockford base32, mod-37 style). */
char ocop_serial_check_symbol(const char *first15);
/*
 * Normalise typed input: case, '-' and ' ' ignored, I/L read as 1, O as 0.
 * Returns 0 with a 16-symbol serial in out (>= 17 bytes); OCOP_EINVAL when
 * the shape is wrong; OCOP_EMISTYPED when the shape is right but the check
 * symbol is not (out still holds the normalised code).
 */
int ocop_serial_normalize(const char *in, char *out, struct ocop_error *err);
/* "XXXX-XXXX-XXXX-XXXX"; out has >= 20 bytes. */
char *ocop_serial_group(const char *serial, char *out);

/* ---- GS1 (gs1.c) ----------------------------------------------------- */

/* Validate a GTIN-8/12/13/14 (check digit) and write it as 14 digits. */
int ocop_gtin_normalize(const char *in, char *out15, struct ocop_error *err);
/* Lot: 1-20 of 0-9 A-Z . - after upper-casing; out has >= 21 bytes. */
int ocop_lot_normalize(const char *in, char *out21, struct ocop_error *err);

/*
 * A parsed request for a code: what `verify`, `scan` and the server accept.
 * kind: OCOP_CODE_SERIAL for "/L/{serial}" or a bare serial;
 *       OCOP_CODE_DL_LABEL for /01/{gtin}[/10/{lot}]/21/{serial};
 *       OCOP_CODE_DL_PRODUCT for /01/{gtin}[/10/{lot}].
 */
enum ocop_code_kind {
	OCOP_CODE_SERIAL = 1,
	OCOP_CODE_DL_LABEL,
	OCOP_CODE_DL_PRODUCT,
};
struct ocop_code {
	enum ocop_code_kind kind;
	char serial[OCOP_SERIAL_LEN + 1]; /* normalised (check may be bad) */
	int mistyped;                     /* shape right, check symbol bad */
	char gtin[15];                    /* 14 digits, or "" */
	char lot[21];                     /* or "" */
	/* DL_LABEL only: a /21/ value that is valid GS1 but not of the
	 * serial shape, upper-cased; serial is then "". Such a URI is
	 * well-formed, for a serial no label has (unknown, not 400). */
	char foreign[21];
};
/*
 * Parse a Digital Link path ("/01/..."; no query, no scheme/host) by the
 * rules of SPEC 5.1; a trailing slash is ignored. OCOP_EINVAL (HTTP 400)
 * with a reason for anything that is not a valid DL URI of AI 01.
 */
int ocop_dl_parse_path(const char *path, struct ocop_code *out,
		       struct ocop_error *err);
/*
 * Parse what a person or scanner gives: a serial in any typed form, or a
 * URL/path of any form a label carries (/L/..., /01/...). mistyped is set
 * (and 0 returned) for a serial of right shape with a bad check symbol.
 */
int ocop_code_parse(const char *input, struct ocop_code *out,
		    struct ocop_error *err);

/* ---- registry types -------------------------------------------------- */

enum ocop_ground {
	OCOP_GROUND_NONE = 0,
	OCOP_GROUND_A,
	OCOP_GROUND_B,
	OCOP_GROUND_C,
	OCOP_GROUND_D,
	OCOP_GROUND_DD,
	OCOP_GROUND_E,
	OCOP_GROUND_LAPSED,
};
/* "a", "b", "c", "d", "dd", "e", "lapsed"; NULL for NONE. */
const char *ocop_ground_name(enum ocop_ground g);
int ocop_ground_parse(const char *s, enum ocop_ground *g);

struct ocop_producer {
	int64_t id;
	char name[256];
	char kind[16]; /* HTX, THT, DN, hộ, other */
	char province[128];
	char address[512];
	/* The business or cooperative registration / tax number, or "": a
	 * producer that has one is one producer across its products and
	 * addresses. */
	char reg_no[64];
};

struct ocop_product {
	int64_t id;
	char code[64];
	char name[512];
	char group[4]; /* I..VI */
	char gtin[15]; /* 14 digits or "" */
	struct ocop_producer producer;
};

struct ocop_recognition {
	int64_t id;
	int stars;
	char decision_no[128];
	int32_t decided_on;
	char issuer[256];
	int32_t valid_from;
	int32_t valid_until;
	int32_t extended_until; /* OCOP_NO_DAY when none */
	char ext_decision_no[128]; /* that extension's decision, or "" */
	char source[512];          /* where the decision was published */
	/* Filled by ocop_history_resolve(): */
	int32_t end;                 /* last day in force; < valid_from if never */
	int32_t revoked_on;          /* OCOP_NO_DAY when not revoked */
	enum ocop_ground ground;     /* of that revocation */
	char revoke_decision_no[128];
};

struct ocop_revocation {
	int64_t id;
	char decision_no[128];
	int32_t revoked_on;
	enum ocop_ground ground;
	char note[512];
};

/* A product's whole history, recognitions sorted by valid_from. */
struct ocop_history {
	struct ocop_recognition *recs;
	size_t nrecs;
	struct ocop_revocation *revs;
	size_t nrevs;
};
void ocop_history_init(struct ocop_history *h);
void ocop_history_release(struct ocop_history *h);
/* Append copies (then call ocop_history_resolve). */
void ocop_history_add_recognition(struct ocop_history *h,
				  const struct ocop_recognition *r);
void ocop_history_add_revocation(struct ocop_history *h,
				 const struct ocop_revocation *r);

/* ---- validity engine (validity.c, no I/O) ---------------------------- */

enum ocop_verdict {
	OCOP_UNKNOWN = 0,
	OCOP_VOIDED,
	OCOP_REVOKED,
	OCOP_EXPIRED,
	OCOP_STAR_MISMATCH,
	OCOP_VALID,
};
/* "unknown", "voided", "revoked", "expired", "star_mismatch", "valid" */
const char *ocop_verdict_name(enum ocop_verdict v);
int ocop_verdict_parse(const char *s, enum ocop_verdict *v);

/* Default valid_until: valid_from + 36 months - 1 day (clamped). */
int32_t ocop_default_valid_until(int32_t valid_from);

/*
 * Sort recognitions by valid_from, attach each revocation to the
 * recognition in force on revoked_on (else the latest one that started
 * before it), and compute every recognition's end (SPEC 2).
 */
void ocop_history_resolve(struct ocop_history *h);
/* Index of the recognition in force on day, or -1. Needs resolve. */
int ocop_history_in_force(const struct ocop_history *h, int32_t day);
/* Index of the latest recognition with valid_from <= day, or -1. */
int ocop_history_latest_started(const struct ocop_history *h, int32_t day);

enum ocop_reason {
	OCOP_REASON_IN_FORCE = 0,   /* valid */
	OCOP_REASON_NOT_FOUND,      /* unknown: no such serial */
	OCOP_REASON_MISTYPED,       /* unknown: bad check symbol */
	OCOP_REASON_WRONG_PRODUCT,  /* unknown: GTIN/lot not the label's */
	OCOP_REASON_LABEL_VOIDED,   /* voided */
	OCOP_REASON_BATCH_VOIDED,   /* voided */
	OCOP_REASON_REVOKED,        /* revoked */
	OCOP_REASON_EXPIRED,        /* expired: after its end */
	OCOP_REASON_NOT_YET,        /* expired: before any recognition */
	OCOP_REASON_FEWER_STARS,    /* star_mismatch */
};
/* "in_force", "not_found", "mistyped", "wrong_product", "label_voided",
 * "batch_voided", "revoked", "expired", "not_yet_recognised",
 * "fewer_stars" */
const char *ocop_reason_name(enum ocop_reason r);
int ocop_reason_parse(const char *s, enum ocop_reason *r);

struct ocop_judgement {
	enum ocop_verdict verdict;
	enum ocop_reason reason;
	int rec;       /* index of the recognition shown (in force, else the
			  latest started on or before the day), or -1 */
	int32_t since; /* first day of the verdict's period holding the day
			  (OCOP_NO_DAY when not meaningful) */
};
/*
 * The verdict for a label with printed_stars, voided at voided_at
 * (OCOP_NO_TIME if not; label or batch, whichever is earlier) scanned at t.
 * h must be resolved. Never fails.
 */
void ocop_judge(const struct ocop_history *h, int printed_stars,
		int64_t voided_at, int batch_voided, int64_t t,
		struct ocop_judgement *out);

/* ---- labels ---------------------------------------------------------- */

struct ocop_batch {
	int64_t id;
	int64_t product_id;
	int stars;
	char lot[21]; /* "" when none */
	int count;
	int32_t made_on;     /* OCOP_NO_DAY */
	int32_t best_before; /* OCOP_NO_DAY */
	int64_t issued_at;
	int64_t voided_at; /* OCOP_NO_TIME */
	char void_reason[256];
};

struct ocop_label {
	int64_t id;
	char serial[OCOP_SERIAL_LEN + 1];
	int64_t batch_id;
	int64_t product_id;
	int stars;
	int64_t voided_at; /* the label's own void; OCOP_NO_TIME */
	char void_reason[256];
};

/* ---- scans ----------------------------------------------------------- */

enum ocop_scan_source {
	OCOP_SCAN_CONSUMER = 0, /* GET /L/... */
	OCOP_SCAN_INSPECTOR = 1 /* POST /api/v1/scans */
};

struct ocop_scan {
	int64_t id;
	char client_id[128];   /* inspector's id, "" for consumer scans */
	char code[64];         /* the normalised code as scanned */
	int64_t label_id;      /* 0 when unknown */
	int64_t product_id;    /* 0 when unknown */
	int64_t scanned_at;
	int64_t received_at;
	enum ocop_verdict verdict; /* at scan time */
	enum ocop_reason reason;
	enum ocop_scan_source source;
	char place[256];
	char province[8];
	int has_geo;
	double lat, lon;
	char net[64]; /* IPv4 /24 or IPv6 /48, "" if none */
	char ua[32];  /* user agent family */
};

/* ---- tokens ---------------------------------------------------------- */

enum ocop_role {
	OCOP_ROLE_NONE = 0,
	OCOP_ROLE_ADMIN,
	OCOP_ROLE_PRODUCER,
	OCOP_ROLE_INSPECTOR,
};
const char *ocop_role_name(enum ocop_role r);
int ocop_role_parse(const char *s, enum ocop_role *r);

/* ---- the store ------------------------------------------------------- */

struct ocop_store; /* see src/store/store.h */

/* What a handle is for, told when it is opened (ORed flags); the engine
 * keeps itself (logs, counters, snapshots) accordingly. */
#define OCOP_STORE_CREATE 1	 /* create the database if missing */
#define OCOP_STORE_SCAN_WRITER 2 /* the service's scan writer: a steady
				  * stream of small write transactions */
#define OCOP_STORE_READER 4	 /* a request thread's: many short reads,
				  * each inside read_begin/read_end, and
				  * no writes */

/* Open the database db names (a file path, or a postgres:// or
 * postgresql:// URI) and bring its schema up to date. */
int ocop_store_open(const char *db, int flags, struct ocop_store **out,
		    struct ocop_error *err);
void ocop_store_close(struct ocop_store *st);

#endif
