/*
 * cmd_product.c - ocop product.
 */
#include "cmd.h"

int
cmd_product(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	(void)argc;
	(void)argv;
	return cmd_failf(EXIT_SOFTWARE, "product: not implemented yet");
}
