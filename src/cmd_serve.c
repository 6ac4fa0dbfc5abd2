/*
 * cmd_serve.c - ocop serve.
 */
#include "cmd.h"

int
cmd_serve(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	(void)argc;
	(void)argv;
	return cmd_failf(EXIT_SOFTWARE, "serve: not implemented yet");
}
