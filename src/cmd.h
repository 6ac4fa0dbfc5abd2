/*
 * cmd.h - what main.c gives the commands (src/cmd_*.c).
 *
 * A command is int cmd_x(struct cmd_ctx *ctx, int argc, char **argv) with
 * argv[0] the command's name; it returns the process exit code. Commands
 * print their primary output on stdout and messages on stderr.
 */
#ifndef OCOP_CMD_H
#define OCOP_CMD_H

#include <stdio.h>

#include "ocop.h"
#include "store/store.h"

enum {
	EXIT_NO = 1, /* a "no" answer: a verdict other than valid */
	EXIT_USAGE = 64,
	EXIT_DATAERR = 65,
	EXIT_NOINPUT = 66,
	EXIT_UNAVAILABLE = 69,
	EXIT_SOFTWARE = 70,
	EXIT_CANTCREAT = 73
};

struct cmd_ctx {
	const char *db_path; /* --db, else $OCOP_DB, else ./ocop.db */
};

typedef int (*cmd_fn)(struct cmd_ctx *ctx, int argc, char **argv);

/* Print "ocop: <msg>" for err and return its exit code. */
int cmd_fail(const struct ocop_error *err);
/* Print "ocop: <fmt>" and return code (an exit code). */
int cmd_failf(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Usage error: prints "ocop: <msg>" and a hint to --help; returns 64. */
int cmd_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Open the database of ctx (must exist: run ocop init). Prints on failure
 * and returns the exit code, else 0. */
int cmd_open_store(struct cmd_ctx *ctx, struct ocop_store **st);
/* 1 when argv holds --help or -h before any "--". */
int cmd_wants_help(int argc, char **argv);

int cmd_init(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_registry(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_product(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_cert(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_label(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_verify(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_scan(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_serve(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_report(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_token(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_db(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_backup(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_user(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_audit(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_purge(struct cmd_ctx *ctx, int argc, char **argv);

#endif
