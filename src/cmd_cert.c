/*
 * cmd_cert.c - ocop cert.
 */
#include "cmd.h"

int
cmd_cert(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	(void)argc;
	(void)argv;
	return cmd_failf(EXIT_SOFTWARE, "cert: not implemented yet");
}
