/*
 * cmd_backup.c - ocop backup FILE: a consistent copy of the database,
 * taken while ocop serve keeps answering and recording scans, and
 * checked whole before the command says it is done.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

static const char help[] =
    "usage: ocop backup FILE\n\n"
    "Copy the whole database into FILE, a new SQLite database that\n"
    "opens on its own (ocop --db FILE ...). The copy holds every change\n"
    "committed before it began; the service may keep running. The copy\n"
    "is checked (SQLite's integrity_check) before the command says it is\n"
    "done; FILE must not exist. PostgreSQL databases are backed up with\n"
    "pg_dump (see the README).\n"
    "Exit status: 0 done, 64 usage, 65 FILE exists, 73 FILE cannot be\n"
    "written, 70 the copy failed its check.\n";

int
cmd_backup(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct ocop_error err = {0};
	struct ocop_store *st = NULL;
	const char *file;
	int rc;

	if (cmd_wants_help(argc, argv)) {
		fputs(help, stdout);
		return 0;
	}
	if (argc < 2)
		return cmd_usage_error("backup", "the backup FILE is missing");
	if (argc > 2 || argv[1][0] == '-')
		return cmd_usage_error("backup", "unexpected argument '%s'",
				       argv[argc > 2 ? 2 : 1]);
	file = argv[1];
	if ((rc = cmd_open_store(ctx, &st)) != 0)
		return rc;
	if (!st->m->backup) {
		rc = cmd_failf(EXIT_USAGE,
			       "backup is not supported by the %s engine "
			       "(use the engine's own tools: pg_dump for "
			       "PostgreSQL)",
			       st->m->name);
		ocop_store_close(st);
		return rc;
	}
	rc = st->m->backup(st, file, &err);
	ocop_store_close(st);
	if (rc < 0)
		return cmd_fail(&err);
	fprintf(stderr, "ocop: database backed up to '%s' and checked: ok\n",
		file);
	return 0;
}
