/*
 * cmd_verify.c - ocop verify.
 */
#include "cmd.h"

int
cmd_verify(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	(void)argc;
	(void)argv;
	return cmd_failf(EXIT_SOFTWARE, "verify: not implemented yet");
}
