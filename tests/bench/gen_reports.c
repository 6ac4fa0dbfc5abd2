/*
 * gen_reports.c - generate a database for the report benchmark:
 * by default 2,000 products, 1,000,000 labels and 10,000,000 scans, with
 * the histories inspectors meet (in force and renewed, lapsed, revoked,
 * downgraded, re-recognised after a gap), voided batches and labels,
 * forged codes and copied labels.
 *
 * usage: gen_reports DB [--products N] [--labels N] [--scans N]
 *                       [--as-of YYYY-MM-DD] [--seed N] [--batch-size N]
 *
 * The schema is the real one (ocop_store_open runs the migrations); rows
 * are then written with plain SQL for speed, the large indexes dropped
 * during the load and created again from their stored definitions.
 * Deterministic for a seed. Prints what it made.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ocop.h"

static uint64_t rng_state = 88172645463325252ULL;

static uint64_t
rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* uniform in [lo, hi] */
static int64_t
rnd_in(int64_t lo, int64_t hi)
{
	if (hi <= lo)
		return lo;
	return lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1));
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static sqlite3 *db;

static void
die(const char *what)
{
	fprintf(stderr, "gen_reports: %s: %s\n", what,
		db ? sqlite3_errmsg(db) : "?");
	exit(1);
}

static void
exec(const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		die(sql);
}

static sqlite3_stmt *
prep(const char *sql)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		die(sql);
	return st;
}

static void
step(sqlite3_stmt *st)
{
	if (sqlite3_step(st) != SQLITE_DONE)
		die("insert");
	sqlite3_reset(st);
}

static void
bind_day(sqlite3_stmt *st, int i, int32_t day)
{
	char buf[16];

	sqlite3_bind_text(st, i, ocop_day_format(day, buf), -1,
			  SQLITE_TRANSIENT);
}

static const char *const provinces[] = {
    "Đồng Tháp", "An Giang", "Cần Thơ",	  "Vĩnh Long", "Tây Ninh",
    "Cà Mau",	 "Lâm Đồng", "Khánh Hòa", "Đắk Lắk",   "Huế",
};
static const char *const foods[] = {
    "Bánh phồng tôm", "Mắm cá linh", "Nem",	   "Hủ tiếu",	   "Sen sấy",
    "Xoài cát",	      "Gạo thơm",    "Cá lóc khô", "Trà mãng cầu", "Mật ong",
    "Bánh pía",	      "Rượu nếp",    "Khô cá tra", "Nước mắm",	   "Chà bông",
};
static const char *const markets[] = {
    "Chợ", "Siêu thị Co.op", "Cửa hàng đặc sản", "Đại lý", "Tiệm tạp hóa",
};

#define NPLACES 600
static char places[NPLACES][96];

/* a product's recognitions, for choosing issue days and stars */
struct grec {
	int stars;
	int32_t from, end;
};

struct gprod {
	struct grec recs[3];
	int nrecs;
	int first_label; /* label ids are contiguous per product */
	int nlabels;
};

int
main(int argc, char **argv)
{
	long nproducts = 2000, nlabels = 1000000, nscans = 10000000;
	long batch_size = 100; /* labels a batch */
	int32_t as_of = ocop_day_from_ymd(2026, 3, 1);
	const char *path = NULL;
	struct ocop_store *store;
	struct ocop_error err = {0};
	struct gprod *prods;
	int32_t *label_prod, *label_day;
	char(*label_serial)[OCOP_SERIAL_LEN + 1];
	char(*saved_index)[512];
	int nsaved = 0;
	sqlite3_stmt *st;
	double t0 = now_s();
	long nforged = 0, nclones = 0, nvoided_batches = 0;
	int64_t end_t;
	char params[256];

	for (int i = 1; i < argc; i++) {
		if (i + 1 < argc && strcmp(argv[i], "--products") == 0)
			nproducts = atol(argv[++i]);
		else if (i + 1 < argc && strcmp(argv[i], "--labels") == 0)
			nlabels = atol(argv[++i]);
		else if (i + 1 < argc && strcmp(argv[i], "--scans") == 0)
			nscans = atol(argv[++i]);
		else if (i + 1 < argc && strcmp(argv[i], "--batch-size") == 0)
			batch_size = atol(argv[++i]);
		else if (i + 1 < argc && strcmp(argv[i], "--seed") == 0)
			rng_state ^= (uint64_t)atoll(argv[++i]) * 2654435761ULL;
		else if (i + 1 < argc && strcmp(argv[i], "--as-of") == 0) {
			if (ocop_day_parse(argv[++i], &as_of, &err) < 0) {
				fprintf(stderr, "gen_reports: %s\n", err.msg);
				return 64;
			}
		} else if (!path && argv[i][0] != '-')
			path = argv[i];
		else {
			fprintf(stderr,
				"usage: gen_reports DB [--products N] "
				"[--labels N] [--scans N] [--as-of DATE] "
				"[--seed N] [--batch-size N]\n");
			return 64;
		}
	}
	if (!path || nproducts < 1 || nlabels < nproducts || nscans < 1 ||
	    batch_size < 1) {
		fprintf(stderr, "gen_reports: need DB, and labels >= "
				"products >= 1\n");
		return 64;
	}
	snprintf(params, sizeof(params),
		 "products=%ld labels=%ld scans=%ld "
		 "as_of=%d v2 batch=%ld",
		 nproducts, nlabels, nscans, (int)as_of, batch_size);

	/* the real schema, by the real migrations */
	remove(path);
	{
		char side[1024];

		snprintf(side, sizeof(side), "%s-wal", path);
		remove(side);
		snprintf(side, sizeof(side), "%s-shm", path);
		remove(side);
	}
	if (ocop_store_open(path, 1, &store, &err) < 0) {
		fprintf(stderr, "gen_reports: %s\n", err.msg);
		return 73;
	}
	ocop_store_close(store);

	if (sqlite3_open(path, &db) != SQLITE_OK)
		die("open");
	exec("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
	     "PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY;"
	     "PRAGMA foreign_keys = OFF;");

	/* drop the big tables' indexes during the load, keep their SQL */
	saved_index = calloc(16, sizeof(*saved_index));
	st = prep("SELECT name, sql FROM sqlite_master WHERE type = 'index'"
		  " AND tbl_name IN ('scans', 'labels') AND sql IS NOT NULL");
	while (sqlite3_step(st) == SQLITE_ROW && nsaved < 16) {
		char drop[256];

		snprintf(saved_index[nsaved++], sizeof(saved_index[0]), "%s",
			 (const char *)sqlite3_column_text(st, 1));
		snprintf(drop, sizeof(drop), "DROP INDEX %s",
			 (const char *)sqlite3_column_text(st, 0));
		sqlite3_reset(st); /* dropping while reading is not allowed */
		exec(drop);
	}
	sqlite3_finalize(st);

	for (int i = 0; i < NPLACES; i++)
		snprintf(places[i], sizeof(places[i]), "%s %s số %d",
			 markets[i % 5], provinces[(i / 5) % 10], i + 1);

	/* ---- registry ---- */
	prods = calloc((size_t)nproducts, sizeof(*prods));
	exec("BEGIN");
	{
		sqlite3_stmt *ip =
		    prep("INSERT INTO producers (id, name, kind,"
			 " province, address) VALUES (?,?,?,?,?)");
		sqlite3_stmt *pp =
		    prep("INSERT INTO products (id, code, name,"
			 " grp, producer_id) VALUES (?,?,?,?,?)");
		sqlite3_stmt *rp =
		    prep("INSERT INTO recognitions (product_id, stars,"
			 " decision_no, decided_on, issuer, valid_from,"
			 " valid_until, recorded_at) VALUES (?,?,?,?,?,?,?,0)");
		sqlite3_stmt *vp = prep(
		    "INSERT INTO revocations (product_id, decision_no,"
		    " revoked_on, ground, recorded_at) VALUES (?,?,?,?,0)");
		int32_t base = ocop_day_from_ymd(2021, 1, 1);

		for (long i = 0; i < nproducts; i++) {
			struct gprod *g = &prods[i];
			const char *prov = provinces[i % 10];
			char buf[256], code[64];
			int kind = (int)(i % 100);
			int32_t s0 = base + (int32_t)rnd_in(0, 900);
			int stars = 3 + (int)(rnd() % 3);

			snprintf(buf, sizeof(buf), "HTX %s %ld", prov, i + 1);
			sqlite3_bind_int64(ip, 1, i + 1);
			sqlite3_bind_text(ip, 2, buf, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(ip, 3, "HTX", -1, SQLITE_STATIC);
			sqlite3_bind_text(ip, 4, prov, -1, SQLITE_STATIC);
			sqlite3_bind_text(ip, 5, "Ấp 1", -1, SQLITE_STATIC);
			step(ip);
			snprintf(code, sizeof(code), "%02d-%03ld-%04ld-%d",
				 80 + (int)(i % 10), i % 997, i + 1,
				 2021 + (int)(i % 4));
			snprintf(buf, sizeof(buf), "%s %s %ld", foods[i % 15],
				 prov, i + 1);
			sqlite3_bind_int64(pp, 1, i + 1);
			sqlite3_bind_text(pp, 2, code, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(pp, 3, buf, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(pp, 4, "I", -1, SQLITE_STATIC);
			sqlite3_bind_int64(pp, 5, i + 1);
			step(pp);

			/* the history: kinds by share of products */
			g->recs[0].stars = stars;
			g->recs[0].from = s0;
			g->recs[0].end = ocop_default_valid_until(s0);
			g->nrecs = 1;
			if (kind < 60) {
				/* in force, renewed when it ran out */
				if (g->recs[0].end < as_of + 150) {
					int32_t f = g->recs[0].end + 1;

					g->recs[1].stars = stars;
					g->recs[1].from = f;
					g->recs[1].end =
					    ocop_default_valid_until(f);
					g->nrecs = 2;
				}
			} else if (kind < 75) {
				/* lapsed: started early enough to end */
				s0 = base + (int32_t)rnd_in(0, 700);
				g->recs[0].from = s0;
				g->recs[0].end = ocop_default_valid_until(s0);
			} else if (kind < 93 && kind >= 85) {
				/* downgraded from 4 to 3 stars */
				int32_t f = s0 + (int32_t)rnd_in(500, 900);

				g->recs[0].stars = 4;
				g->recs[0].end = f - 1;
				g->recs[1].stars = 3;
				g->recs[1].from = f;
				g->recs[1].end = ocop_default_valid_until(f);
				g->nrecs = 2;
			} else if (kind >= 93) {
				/* re-recognised after a gap */
				int32_t f = g->recs[0].end + 1 +
					    (int32_t)rnd_in(30, 200);

				g->recs[1].stars = stars;
				g->recs[1].from = f;
				g->recs[1].end = ocop_default_valid_until(f);
				g->nrecs = 2;
			}
			for (int k = 0; k < g->nrecs; k++) {
				const struct grec *r = &g->recs[k];

				snprintf(buf, sizeof(buf), "%ld%d/QĐ-UBND",
					 i + 1, k);
				sqlite3_bind_int64(rp, 1, i + 1);
				sqlite3_bind_int(rp, 2, r->stars);
				sqlite3_bind_text(rp, 3, buf, -1,
						  SQLITE_TRANSIENT);
				bind_day(rp, 4, r->from);
				sqlite3_bind_text(rp, 5, "UBND tỉnh", -1,
						  SQLITE_STATIC);
				bind_day(rp, 6, r->from);
				/* the stored term: the default; the cut by a
				 * later recognition is the engine's business */
				bind_day(rp, 7,
					 ocop_default_valid_until(r->from));
				step(rp);
			}
			if (kind >= 75 && kind < 85) {
				/* revoked part-way through its term */
				int32_t on = s0 + (int32_t)rnd_in(200, 900);

				if (on > as_of)
					on = as_of - 10;
				snprintf(buf, sizeof(buf), "%ldR/QĐ-UBND",
					 i + 1);
				sqlite3_bind_int64(vp, 1, i + 1);
				sqlite3_bind_text(vp, 2, buf, -1,
						  SQLITE_TRANSIENT);
				bind_day(vp, 3, on);
				sqlite3_bind_text(vp, 4, i % 2 ? "c" : "d", -1,
						  SQLITE_STATIC);
				step(vp);
				g->recs[0].end = on - 1;
			}
		}
		sqlite3_finalize(ip);
		sqlite3_finalize(pp);
		sqlite3_finalize(rp);
		sqlite3_finalize(vp);
	}
	exec("COMMIT");
	fprintf(stderr, "gen_reports: %ld products (%.1f s)\n", nproducts,
		now_s() - t0);

	/* ---- batches and labels ---- */
	label_prod = malloc((size_t)(nlabels + 1) * sizeof(*label_prod));
	label_day = malloc((size_t)(nlabels + 1) * sizeof(*label_day));
	label_serial = malloc((size_t)(nlabels + 1) * sizeof(*label_serial));
	exec("BEGIN");
	{
		sqlite3_stmt *bp = prep(
		    "INSERT INTO batches (id, product_id, stars, lot, count,"
		    " issued_at, voided_at, void_reason)"
		    " VALUES (?,?,?,?,?,?,?,?)");
		sqlite3_stmt *lp = prep(
		    "INSERT INTO labels (id, serial, batch_id, product_id,"
		    " stars, voided_at, void_reason) VALUES (?,?,?,?,?,?,?)");
		long next_label = 1, batch_id = 0;

		for (long i = 0; i < nproducts; i++) {
			struct gprod *g = &prods[i];
			long n = nlabels / nproducts +
				 (i < nlabels % nproducts ? 1 : 0);

			g->first_label = (int)next_label;
			g->nlabels = (int)n;
			while (n > 0) {
				long cnt = n < batch_size ? n : batch_size;
				int k = (int)(rnd() % (uint64_t)g->nrecs);
				const struct grec *r = &g->recs[k];
				int32_t hi = r->end < as_of ? r->end : as_of;
				int32_t day;
				int64_t at;
				int voided = rnd() % 100 == 0;
				char lot[24];

				if (hi < r->from) {
					r = &g->recs[0];
					hi = r->from;
				}
				day = (int32_t)rnd_in(r->from, hi);
				at = ocop_day_start(day) + rnd_in(8, 17) * 3600;
				snprintf(lot, sizeof(lot), "L%ld", ++batch_id);
				sqlite3_bind_int64(bp, 1, batch_id);
				sqlite3_bind_int64(bp, 2, i + 1);
				sqlite3_bind_int(bp, 3, r->stars);
				sqlite3_bind_text(bp, 4, lot, -1,
						  SQLITE_TRANSIENT);
				sqlite3_bind_int64(bp, 5, cnt);
				sqlite3_bind_int64(bp, 6, at);
				if (voided) {
					sqlite3_bind_int64(
					    bp, 7,
					    at + rnd_in(86400, 86400 * 400));
					sqlite3_bind_text(bp, 8, "misprint", -1,
							  SQLITE_STATIC);
					nvoided_batches++;
				} else {
					sqlite3_bind_null(bp, 7);
					sqlite3_bind_null(bp, 8);
				}
				step(bp);
				for (long j = 0; j < cnt; j++, next_label++) {
					char serial[OCOP_SERIAL_LEN + 1];

					ocop_serial_new(serial);
					sqlite3_bind_int64(lp, 1, next_label);
					sqlite3_bind_text(lp, 2, serial, -1,
							  SQLITE_TRANSIENT);
					sqlite3_bind_int64(lp, 3, batch_id);
					sqlite3_bind_int64(lp, 4, i + 1);
					sqlite3_bind_int(lp, 5, r->stars);
					if (rnd() % 1000 == 0) {
						sqlite3_bind_int64(
						    lp, 6,
						    at + rnd_in(86400,
								86400 * 300));
						sqlite3_bind_text(
						    lp, 7, "lost", -1,
						    SQLITE_STATIC);
					} else {
						sqlite3_bind_null(lp, 6);
						sqlite3_bind_null(lp, 7);
					}
					step(lp);
					label_prod[next_label] = (int32_t)i;
					label_day[next_label] = day;
					memcpy(label_serial[next_label], serial,
					       sizeof(serial));
				}
				n -= cnt;
			}
		}
		sqlite3_finalize(bp);
		sqlite3_finalize(lp);
	}
	exec("COMMIT");
	fprintf(stderr, "gen_reports: %ld labels (%.1f s)\n", nlabels,
		now_s() - t0);

	/* ---- scans ---- */
	end_t = ocop_day_start(as_of + 1) - 1;
	exec("BEGIN");
	{
		sqlite3_stmt *sp = prep(
		    "INSERT INTO scans (client_id, code, label_id,"
		    " product_id, scanned_at, received_at, verdict, reason,"
		    " source, place, province, net)"
		    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
		long clone_left = 0, clone_label = 0;
		int64_t clone_t = 0;

		for (long n = 0; n < nscans; n++) {
			long label;
			int64_t t;
			int forged = rnd() % 200 == 0;
			const char *place;
			char code[32], cid[32];

			if (clone_left == 0 && rnd() % 20000 == 0) {
				/* a copied label: 5 places in 3 days */
				clone_label = (long)rnd_in(1, nlabels);
				clone_left = 5;
				clone_t = rnd_in(
				    ocop_day_start(label_day[clone_label] + 1),
				    end_t - 4 * 86400);
				nclones++;
			}
			if (clone_left > 0) {
				label = clone_label;
				t = clone_t + clone_left * 50000;
				place = places[(clone_label + clone_left * 97) %
					       NPLACES];
				clone_left--;
				forged = 0;
			} else {
				label = (long)rnd_in(1, nlabels);
				t = rnd_in(ocop_day_start(label_day[label]) +
					       86400,
					   end_t);
				/* each product sells in a dozen places; a
				 * label sits on one shelf, mostly */
				uint64_t shelf = rnd() % 100 < 97
						     ? (uint64_t)label % 12
						     : rnd() % 12;

				place =
				    places[((uint64_t)label_prod[label] * 13 +
					    shelf) %
					   NPLACES];
			}
			if (t > end_t)
				t = end_t;
			if (forged) {
				static const char sym[] =
				    "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
				/* a forger prints a few codes many times
				 * and sells them in a few places */
				uint64_t f = rnd() % 300;

				for (int k = 0; k < 16; k++)
					code[k] =
					    sym[(f * 7 + (uint64_t)k * 13 +
						 f / (uint64_t)(k + 1)) %
						32];
				code[16] = '\0';
				place = places[(f * 31 + rnd() % 3) % NPLACES];
				nforged++;
				sqlite3_bind_null(sp, 3);
				sqlite3_bind_null(sp, 4);
				sqlite3_bind_text(sp, 7, "unknown", -1,
						  SQLITE_STATIC);
				sqlite3_bind_text(sp, 8, "not_found", -1,
						  SQLITE_STATIC);
			} else {
				memcpy(code, label_serial[label],
				       OCOP_SERIAL_LEN + 1);
				sqlite3_bind_int64(sp, 3, label);
				sqlite3_bind_int64(sp, 4,
						   label_prod[label] + 1);
				/* stored verdicts are what the server said
				 * then; reports never trust them */
				sqlite3_bind_text(sp, 7, "valid", -1,
						  SQLITE_STATIC);
				sqlite3_bind_text(sp, 8, "in_force", -1,
						  SQLITE_STATIC);
			}
			if (n % 20 == 0) {
				snprintf(cid, sizeof(cid), "i%010ld", n);
				sqlite3_bind_text(sp, 1, cid, -1,
						  SQLITE_TRANSIENT);
				sqlite3_bind_int(sp, 9, 1);
			} else {
				sqlite3_bind_null(sp, 1);
				sqlite3_bind_int(sp, 9, 0);
			}
			sqlite3_bind_text(sp, 2, code, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(sp, 5, t);
			sqlite3_bind_int64(sp, 6, t + (int64_t)(rnd() % 600));
			sqlite3_bind_text(sp, 10, place, -1, SQLITE_STATIC);
			sqlite3_bind_text(sp, 11, "87", -1, SQLITE_STATIC);
			sqlite3_bind_text(sp, 12, "203.162.4.0/24", -1,
					  SQLITE_STATIC);
			step(sp);
			if (n % 1000000 == 999999) {
				exec("COMMIT; BEGIN");
				fprintf(stderr,
					"gen_reports: %ld scans "
					"(%.1f s)\n",
					n + 1, now_s() - t0);
			}
		}
		sqlite3_finalize(sp);
	}
	exec("COMMIT");

	/* ---- indexes back, as the migrations define them ---- */
	for (int i = 0; i < nsaved; i++) {
		exec(saved_index[i]);
		fprintf(stderr, "gen_reports: index %d of %d (%.1f s)\n", i + 1,
			nsaved, now_s() - t0);
	}
	/* the labels' scan counts, which the store keeps as it adds a scan */
	exec("INSERT INTO label_scan_stats (label_id, count, first_at)"
	     " SELECT label_id, count(*), min(scanned_at) FROM scans"
	     " WHERE label_id IS NOT NULL GROUP BY label_id");
	st = prep("INSERT INTO meta (key, value) VALUES ('bench_gen', ?)"
		  " ON CONFLICT (key) DO UPDATE SET value = excluded.value");
	sqlite3_bind_text(st, 1, params, -1, SQLITE_STATIC);
	step(st);
	sqlite3_finalize(st);
	exec("PRAGMA journal_mode = WAL");
	sqlite3_close(db);
	printf("generated %s: %ld products, %ld labels (%ld voided batches), "
	       "%ld scans (%ld forged, %ld copied labels) in %.1f s\n",
	       path, nproducts, nlabels, nvoided_batches, nscans, nforged,
	       nclones, now_s() - t0);
	free(saved_index);
	free(prods);
	free(label_prod);
	free(label_day);
	free(label_serial);
	return 0;
}
