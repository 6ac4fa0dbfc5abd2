/*
 * cmd_report.c - ocop report.
 */
#include "cmd.h"

int
cmd_report(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	(void)argc;
	(void)argv;
	return cmd_failf(EXIT_SOFTWARE, "report: not implemented yet");
}
