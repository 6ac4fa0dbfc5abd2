/*
 * cmd_registry.c - ocop registry.
 */
#include "cmd.h"

int
cmd_registry(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	(void)argc;
	(void)argv;
	return cmd_failf(EXIT_SOFTWARE, "registry: not implemented yet");
}
