/*
 * cmd_scan.c - ocop scan.
 */
#include "cmd.h"

int
cmd_scan(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	(void)argc;
	(void)argv;
	return cmd_failf(EXIT_SOFTWARE, "scan: not implemented yet");
}
