/*
 * cmd_token.c - ocop token.
 */
#include "cmd.h"

int
cmd_token(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	(void)argc;
	(void)argv;
	return cmd_failf(EXIT_SOFTWARE, "token: not implemented yet");
}
