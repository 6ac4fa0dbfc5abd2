/*
 * store.c - opens the engine the --db value names, as SQLite picks a VFS
 * by name: a table of engines, each with the URI schemes it answers to
 * (none: a file path).
 */
#include <string.h>

#include "store/store.h"

struct engine {
	const char *name;
	/* the URI schemes it answers, ending with NULL; NULL: file paths */
	const char *const *schemes;
	/* NULL: known, but not built into this version */
	int (*open)(const char *db, int flags, struct ocop_store **out,
		    struct ocop_error *err);
	const char *display; /* for the messages */
};

const struct store_table store_tables[] = {
    {"meta", "key,value"},
    {"producers", "id,name,kind,province,address,reg_no"},
    {"products", "id,code,name,grp,gtin,producer_id,province,address"},
    {"recognitions", "id,product_id,stars,decision_no,decided_on,issuer,"
		     "valid_from,valid_until,recorded_at,source"},
    {"extensions", "id,recognition_id,extended_until,decision_no,"
		   "recorded_at"},
    {"revocations", "id,product_id,decision_no,revoked_on,ground,note,"
		    "recorded_at"},
    {"batches", "id,product_id,stars,lot,count,made_on,best_before,"
		"issued_at,voided_at,void_reason"},
    {"labels", "id,serial,batch_id,product_id,stars,voided_at,void_reason"},
    {"tokens", "id,hash,role,producer_id,created_at,last_used_at,"
	       "expires_at,revoked_at"},
    {"users", "id,login,role,producer_id,province,name,password,"
	      "disabled_at,created_at,setup_hash,setup_expires,password_at"},
    {"sessions", "id,hash,user_id,csrf,created_at,used_at,ended_at"},
    {"signin_attempts", "id,login,net,at,ok"},
    {"audit", "id,at,actor,action,subject,net,detail"},
    {"signing_keys", "id,public_key,secret_key,created_at,valid_from,"
		     "retired_at"},
    {"snapshots", "seq,province,issued_at,key_id"},
    {"scans", "id,client_id,code,label_id,product_id,scanned_at,"
	      "received_at,verdict,reason,source,place,province,lat,lon,net,"
	      "ua"},
    {"label_scans", "label_id,count,first_at,places"},
};
const size_t store_ntables = sizeof(store_tables) / sizeof(store_tables[0]);

static const char *const pg_schemes[] = {"postgres://", "postgresql://", NULL};

static const struct engine engines[] = {
    {"pg", pg_schemes, store_pg_open, "PostgreSQL"},
    {"sqlite", NULL, store_sqlite_open, "SQLite"},
};

/* The length of db's "scheme://" prefix, or 0 when it is a path. A scheme
 * is a letter then letters, digits, '+', '-' or '.' (RFC 3986). */
static size_t
scheme_len(const char *db)
{
	size_t i = 0;

	if (!((db[0] >= 'a' && db[0] <= 'z') || (db[0] >= 'A' && db[0] <= 'Z')))
		return 0;
	while (db[i] &&
	       (strchr("+-.", db[i]) || (db[i] >= 'a' && db[i] <= 'z') ||
		(db[i] >= 'A' && db[i] <= 'Z') ||
		(db[i] >= '0' && db[i] <= '9')))
		i++;
	return strncmp(db + i, "://", 3) == 0 ? i + 3 : 0;
}

static const struct engine *
engine_of(const char *db)
{
	size_t n = scheme_len(db);

	for (size_t i = 0; i < sizeof(engines) / sizeof(engines[0]); i++) {
		const struct engine *e = &engines[i];

		if (!e->schemes) {
			if (n == 0)
				return e;
			continue;
		}
		for (const char *const *s = e->schemes; *s; s++)
			if (n == strlen(*s) && strncasecmp(db, *s, n) == 0)
				return e;
	}
	return NULL;
}

int
ocop_store_open(const char *db, int flags, struct ocop_store **out,
		struct ocop_error *err)
{
	const struct engine *e;

	*out = NULL;
	if (!db || !*db)
		return ocop_error_set(err, OCOP_EUSAGE, "no database given");
	/* a URI may hold a password: never repeated in a message */
	if (!(e = engine_of(db)))
		return ocop_error_set(err, OCOP_EUSAGE,
				      "cannot open database: no storage "
				      "engine for the scheme '%.*s' (a file "
				      "path, postgres:// or postgresql://)",
				      (int)(scheme_len(db) - 3), db);
	if (!e->open)
		return ocop_error_set(err, OCOP_EUNREACH,
				      "cannot open database: the %s engine "
				      "is not built in this version",
				      e->display);
	return e->open(db, flags, out, err);
}

void
ocop_store_close(struct ocop_store *st)
{
	if (st)
		st->m->close(st);
}

int
store_down(int rc)
{
	return rc == OCOP_EOUTPUT || rc == OCOP_EUNREACH;
}

void
store_like_pattern(const char *q, char *out, size_t size)
{
	size_t n = 0;

	out[n++] = '%';
	for (; *q && n + 4 <= size; q++) {
		if (*q == '%' || *q == '_' || *q == '\\')
			out[n++] = '\\';
		out[n++] = *q;
	}
	out[n++] = '%';
	out[n] = '\0';
}
