/*
 * console_producer.c - the console's pages of products and labels (SPEC
 * 8): the dashboard, a product, the issue form, a batch and its files.
 */
#include <stdio.h>
#include <string.h>

#include "console.h"
#include "server_int.h"

int
console_dashboard(struct conn *c, const char *method, struct http_resp *resp)
{
	struct page_var v[] = {
	    {"heading", "OCOP"}, {"message", ""}, {"t_back", ""}};

	(void)method;
	console_page(c, resp, 200, "OCOP", "error.html", v, 3);
	return 0;
}

int
console_product(struct conn *c, const char *method, struct http_resp *resp)
{
	(void)method;
	console_not_found(c, resp);
	return 0;
}

int
console_issue(struct conn *c, const char *method, struct http_resp *resp)
{
	(void)method;
	console_not_found(c, resp);
	return 0;
}

int
console_batch(struct conn *c, const char *method, struct http_resp *resp)
{
	(void)method;
	console_not_found(c, resp);
	return 0;
}

int
console_batch_file(struct conn *c, const char *method, struct http_resp *resp)
{
	(void)method;
	console_not_found(c, resp);
	return 0;
}

int
console_batch_void(struct conn *c, const char *method, struct http_resp *resp)
{
	(void)method;
	console_not_found(c, resp);
	return 0;
}
