/*
 * cmd_label.c - ocop label.
 */
#include "cmd.h"

int
cmd_label(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	(void)argc;
	(void)argv;
	return cmd_failf(EXIT_SOFTWARE, "label: not implemented yet");
}
