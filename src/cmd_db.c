/*
 * cmd_db.c - ocop db stats [--json]: what the database holds and whether
 * it is whole; ocop db scans [--code CODE] [--id-prefix P]: the scan log
 * as stored; ocop db copy FROM TO: a whole database into another engine.
 * Asked of the product rather than of the engine's own tools (the same
 * question for every engine).
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"

static const char help[] =
    "usage: ocop db stats [--json]\n\n"
    "Show the storage engine, its schema version, the rows of every\n"
    "table of the service's data and a check of the whole database\n"
    "(the engine's own integrity check, references between rows, and\n"
    "each label's scan count against the scans stored).\n"
    "Exit status: 0 when the check finds nothing, 1 when it finds\n"
    "problems (they are listed).\n\n"
    "  --json   one JSON object: {\"engine\", \"schema\", \"tables\":\n"
    "           {NAME: ROWS, ...}, \"check\": \"ok\" or [PROBLEM, ...]}\n\n"
    "usage: ocop db copy FROM TO\n\n"
    "Copy the whole database FROM (a SQLite file or a postgresql:// URI)\n"
    "into TO, of either engine, created if missing: a province moving\n"
    "from its SQLite file to PostgreSQL, and back. TO must hold no\n"
    "data yet; every table's rows are counted on both sides after.\n";

static int
stats_json(const struct store_stats *s)
{
	json_t *o = json_object(), *t = json_object();
	int ok = strcmp(s->check, "ok") == 0;

	json_object_set_new(o, "engine", json_string(s->engine));
	json_object_set_new(o, "schema", json_integer(s->schema));
	for (size_t i = 0; i < s->ntables; i++)
		json_object_set_new(t, s->tables[i].name,
				    json_integer(s->tables[i].rows));
	json_object_set_new(o, "tables", t);
	if (ok) {
		json_object_set_new(o, "check", json_string("ok"));
	} else {
		json_t *a = json_array();
		char buf[sizeof(s->check)];
		char *save = NULL;

		ocop_strlcpy(buf, s->check, sizeof(buf));
		for (char *p = strtok_r(buf, "\n", &save); p;
		     p = strtok_r(NULL, "\n", &save))
			json_array_append_new(a, json_string(p));
		json_object_set_new(o, "check", a);
	}
	json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(o);
	return ok ? 0 : EXIT_NO;
}

static int
stats_text(const struct store_stats *s)
{
	int ok = strcmp(s->check, "ok") == 0;

	printf("%-16s %s, schema %d\n", "engine", s->engine, s->schema);
	for (size_t i = 0; i < s->ntables; i++)
		printf("%-16s %lld rows\n", s->tables[i].name,
		       (long long)s->tables[i].rows);
	printf("%-16s %s\n", "check", ok ? "ok" : "PROBLEMS:");
	if (!ok)
		printf("%s\n", s->check);
	return ok ? 0 : EXIT_NO;
}

static int
db_stats_cmd(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct ocop_error err = {0};
	struct ocop_store *st = NULL;
	struct store_stats s;
	int json = 0, c, rc;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'h':
			fputs(help, stdout);
			return 0;
		default:
			return cmd_usage_error("db", "bad option");
		}
	}
	if (optind < argc)
		return cmd_usage_error("db", "unexpected argument '%s'",
				       argv[optind]);
	if ((rc = cmd_open_store(ctx, &st)) != 0)
		return rc;
	rc = st->m->stats(st, &s, &err);
	ocop_store_close(st);
	if (rc < 0)
		return cmd_fail(&err);
	return json ? stats_json(&s) : stats_text(&s);
}

static json_t *
str_or_null(const char *s)
{
	return *s ? json_string(s) : json_null();
}

static int
print_scan(void *ctx, const struct ocop_scan *sc)
{
	struct ocop_error *err = ctx;
	char t1[32], t2[32];
	json_t *o;

	o = json_pack(
	    "{s:I, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, "
	    "s:o, s:o}",
	    "id", (json_int_t)sc->id, "client_id", str_or_null(sc->client_id),
	    "code", sc->code, "scanned_at",
	    ocop_time_format(sc->scanned_at, t1), "received_at",
	    ocop_time_format(sc->received_at, t2), "verdict",
	    ocop_verdict_name(sc->verdict), "reason",
	    ocop_reason_name(sc->reason), "source",
	    sc->source == OCOP_SCAN_INSPECTOR ? "inspector" : "consumer",
	    "place", str_or_null(sc->place), "province",
	    str_or_null(sc->province), "lat",
	    sc->has_geo ? json_real(sc->lat) : json_null(), "lon",
	    sc->has_geo ? json_real(sc->lon) : json_null(), "net",
	    str_or_null(sc->net), "ua", str_or_null(sc->ua));
	if (!o)
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "cannot write scan %lld as JSON",
				      (long long)sc->id);
	json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(o);
	if (ferror(stdout))
		return ocop_error_set(err, OCOP_EOUTPUT,
				      "cannot write the scans: %s",
				      strerror(errno));
	return 0;
}

static int
db_scans_cmd(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"code", required_argument, NULL, 'c'},
	    {"id-prefix", required_argument, NULL, 'p'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct ocop_error err = {0};
	struct ocop_store *st = NULL;
	const char *code = NULL, *prefix = NULL;
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			code = optarg;
			break;
		case 'p':
			prefix = optarg;
			break;
		case 'h':
			fputs(help, stdout);
			return 0;
		default:
			return cmd_usage_error("db", "bad option");
		}
	}
	if (optind < argc)
		return cmd_usage_error("db", "unexpected argument '%s'",
				       argv[optind]);
	if ((rc = cmd_open_store(ctx, &st)) != 0)
		return rc;
	if ((rc = st->m->read_begin(st, &err)) == 0) {
		rc = st->m->scan_each_stored(st, code, prefix, print_scan, &err,
					     &err);
		st->m->read_end(st);
	}
	ocop_store_close(st);
	if (rc == 0 && fflush(stdout) != 0)
		rc = ocop_error_set(&err, OCOP_EOUTPUT,
				    "cannot write the scans: %s",
				    strerror(errno));
	return rc < 0 ? cmd_fail(&err) : 0;
}

static int
db_copy_cmd(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct ocop_error err = {0};
	struct store_stats s;
	int c;

	(void)ctx;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(help, stdout);
			return 0;
		default:
			return cmd_usage_error("db", "bad option");
		}
	}
	if (argc - optind != 2)
		return cmd_usage_error("db", "copy takes FROM and TO");
	if (store_copy(argv[optind], argv[optind + 1], &s, &err) < 0)
		return cmd_fail(&err);
	/* the databases are never named: a URI may hold a password */
	printf("copied into %s:\n", s.engine);
	for (size_t i = 0; i < s.ntables; i++)
		printf("%-16s %lld rows\n", s.tables[i].name,
		       (long long)s.tables[i].rows);
	return 0;
}

int
cmd_db(struct cmd_ctx *ctx, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		fputs(help, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (strcmp(argv[1], "stats") == 0)
		return db_stats_cmd(ctx, argc - 1, argv + 1);
	if (strcmp(argv[1], "scans") == 0)
		return db_scans_cmd(ctx, argc - 1, argv + 1);
	if (strcmp(argv[1], "copy") == 0)
		return db_copy_cmd(ctx, argc - 1, argv + 1);
	return cmd_usage_error("db", "unknown subcommand '%s'", argv[1]);
}
