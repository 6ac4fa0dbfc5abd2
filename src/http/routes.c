/*
 * routes.c - the service's one route table (server_int.h): every path it
 * answers, the methods each takes, who may call it, its metrics label and
 * its handler. The server core knows no path.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "server_int.h"

#define PAGE_METHODS (M_GET | M_HEAD)
#define INSPECTORS (ROLE(OCOP_ROLE_ADMIN) | ROLE(OCOP_ROLE_INSPECTOR))
#define ADMINS ROLE(OCOP_ROLE_ADMIN)
/* an upload, its files and fields together (SPEC 8) */
#define UPLOAD_MAX ((size_t)64 << 20)

#define ISSUERS (ROLE(OCOP_ROLE_ADMIN) | ROLE(OCOP_ROLE_PRODUCER))
#define EVERYONE (INSPECTORS | ROLE(OCOP_ROLE_PRODUCER))

const struct route server_routes[] = {
    /* the consumer pages (consumer.c) */
    {.owns = consumer_home_owns,
     .flags = ROUTE_PAGE,
     .methods = PAGE_METHODS,
     .metric = "home",
     .handler = consumer_home},
    {.pattern = "/l/*",
     .flags = ROUTE_PAGE | ROUTE_NOCASE,
     .methods = PAGE_METHODS,
     .metric = "label",
     .handler = consumer_label,
     .resume = consumer_label_resume},
    {.pattern = "/p/*",
     .flags = ROUTE_PAGE | ROUTE_NOCASE,
     .methods = PAGE_METHODS,
     .metric = "product",
     .handler = consumer_product},
    /* GS1 Digital Link (resolver.c) */
    {.owns = resolver_owns,
     .methods = M_ANY,
     .metric = "resolver",
     .handler = resolver_route,
     .resume = resolver_route_resume},
    /* the JSON API (api.c) */
    {.pattern = "/api/v1/labels/*",
     .methods = PAGE_METHODS,
     .metric = "api_labels",
     .handler = api_label,
     .resume = api_label_resume},
    {.pattern = "/api/v1/scans",
     .flags = ROUTE_SLASH,
     .methods = M_POST,
     .access = ACCESS_TOKEN,
     .roles = INSPECTORS,
     .action = "record scans",
     .metric = "api_scans",
     .handler = api_scans,
     .resume = api_scans_resume},
    {.pattern = "/api/v1/reports/*",
     .methods = PAGE_METHODS,
     .access = ACCESS_TOKEN,
     .roles = INSPECTORS,
     .action = "read reports",
     .metric = "api_reports",
     .handler = api_report},
    /* inspectors in the field (field.c) */
    {.pattern = "/console/field",
     .flags = ROUTE_PAGE | ROUTE_SLASH,
     .methods = PAGE_METHODS,
     .access = ACCESS_SESSION,
     .roles = INSPECTORS,
     .metric = "field",
     .handler = field_page},
    {.pattern = "/console/field/inspect",
     .flags = ROUTE_PAGE,
     .methods = M_POST,
     .access = ACCESS_SESSION,
     .roles = INSPECTORS,
     .metric = "field",
     .handler = field_inspect,
     .resume = field_inspect_resume},
    {.pattern = "/console/field/scans",
     .methods = M_POST,
     .access = ACCESS_SESSION,
     .roles = INSPECTORS,
     .metric = "field",
     .handler = field_sync,
     .resume = api_scans_resume},
    {.pattern = "/sw.js",
     .methods = PAGE_METHODS,
     .metric = "field_assets",
     .handler = field_static},
    {.pattern = "/assets/field/*",
     .methods = PAGE_METHODS,
     .metric = "field_assets",
     .handler = field_static},
    {.pattern = "/.well-known/ocop-keys.json",
     .methods = PAGE_METHODS,
     .metric = "keys",
     .handler = field_keys},
    {.pattern = "/api/v1/snapshot",
     .flags = ROUTE_SLASH | ROUTE_OR_SESSION,
     .methods = PAGE_METHODS,
     .access = ACCESS_TOKEN,
     .roles = INSPECTORS,
     .action = "read snapshots",
     .metric = "api_snapshot",
     .handler = field_snapshot},
    {.pattern = "/healthz",
     .methods = PAGE_METHODS,
     .metric = "healthz",
     .handler = api_healthz},
    {.pattern = "/metrics",
     .methods = PAGE_METHODS,
     .metric = "metrics",
     .handler = api_metrics},
    /* the office's console pages (console_registry.c, console_reports.c,
     * console_people.c) */
    {.pattern = "/console/registry",
     .flags = ROUTE_PAGE,
     .methods = PAGE_METHODS,
     .access = ACCESS_SESSION,
     .roles = ADMINS,
     .metric = "console_registry",
     .handler = console_registry},
    {.pattern = "/console/registry/*",
     .flags = ROUTE_PAGE,
     .methods = M_POST,
     .access = ACCESS_SESSION,
     .roles = ADMINS,
     .metric = "console_registry",
     .body_max = UPLOAD_MAX,
     .handler = console_registry_post},
    {.pattern = "/console/reports",
     .flags = ROUTE_PAGE | ROUTE_SLASH,
     .methods = PAGE_METHODS,
     .access = ACCESS_SESSION,
     .roles = INSPECTORS,
     .metric = "console_reports",
     .handler = console_reports},
    {.pattern = "/console/reports/*",
     .flags = ROUTE_PAGE,
     .methods = PAGE_METHODS,
     .access = ACCESS_SESSION,
     .roles = INSPECTORS,
     .metric = "console_reports",
     .handler = console_report},
    {.pattern = "/console/users",
     .flags = ROUTE_PAGE,
     .methods = PAGE_METHODS,
     .access = ACCESS_SESSION,
     .roles = ADMINS,
     .metric = "console_users",
     .handler = console_users},
    {.pattern = "/console/users/*",
     .flags = ROUTE_PAGE,
     .methods = M_POST,
     .access = ACCESS_SESSION,
     .roles = ADMINS,
     .metric = "console_users",
     .handler = console_users_post},
    {.pattern = "/console/tokens",
     .flags = ROUTE_PAGE,
     .methods = PAGE_METHODS,
     .access = ACCESS_SESSION,
     .roles = ADMINS,
     .metric = "console_tokens",
     .handler = console_tokens},
    {.pattern = "/console/tokens/*",
     .flags = ROUTE_PAGE,
     .methods = M_POST,
     .access = ACCESS_SESSION,
     .roles = ADMINS,
     .metric = "console_tokens",
     .handler = console_tokens_post},
    {.pattern = "/console/audit",
     .flags = ROUTE_PAGE,
     .methods = PAGE_METHODS,
     .access = ACCESS_SESSION,
     .roles = ADMINS,
     .metric = "console_audit",
     .handler = console_audit},

    /* the web console (console.c, console_producer.c) */
    {.pattern = "/console/login",
     .flags = ROUTE_PAGE | ROUTE_CONSOLE,
     .methods = PAGE_METHODS | M_POST,
     .metric = "console",
     .handler = console_login},
    {.pattern = "/console/logout",
     .flags = ROUTE_PAGE,
     .methods = M_POST,
     .access = ACCESS_SESSION,
     .roles = EVERYONE,
     .metric = "console",
     .handler = console_logout},
    {.pattern = "/console/setup/*",
     .flags = ROUTE_PAGE | ROUTE_CONSOLE,
     .methods = PAGE_METHODS | M_POST,
     .metric = "console",
     .handler = console_setup},
    {.pattern = "/console",
     .flags = ROUTE_PAGE | ROUTE_SLASH,
     .methods = PAGE_METHODS,
     .access = ACCESS_SESSION,
     .roles = EVERYONE,
     .metric = "console",
     .handler = console_dashboard},
    {.pattern = "/console/products/*/issue",
     .flags = ROUTE_PAGE,
     .methods = PAGE_METHODS | M_POST,
     .access = ACCESS_SESSION,
     .roles = ISSUERS,
     .metric = "console",
     .handler = console_issue},
    {.pattern = "/console/products/*",
     .flags = ROUTE_PAGE,
     .methods = PAGE_METHODS,
     .access = ACCESS_SESSION,
     .roles = EVERYONE,
     .metric = "console",
     .handler = console_product},
    {.pattern = "/console/batches/*/void",
     .flags = ROUTE_PAGE,
     .methods = PAGE_METHODS | M_POST,
     .access = ACCESS_SESSION,
     .roles = ISSUERS,
     .metric = "console",
     .handler = console_batch_void},
    {.pattern = "/console/batches/*/*",
     .flags = ROUTE_PAGE,
     .methods = PAGE_METHODS,
     .access = ACCESS_SESSION,
     .roles = EVERYONE,
     .metric = "console",
     .handler = console_batch_file},
    {.pattern = "/console/batches/*",
     .flags = ROUTE_PAGE,
     .methods = PAGE_METHODS,
     .access = ACCESS_SESSION,
     .roles = EVERYONE,
     .metric = "console",
     .handler = console_batch},
    /* any other console path: the console's 404 */
    {.pattern = "/console/*",
     .flags = ROUTE_PAGE | ROUTE_CONSOLE,
     .methods = M_ANY,
     .metric = "console",
     .handler = console_missing},
    /* anything else: 404, a page for a browser */
    {.flags = ROUTE_BROWSER,
     .methods = M_ANY,
     .metric = "other",
     .handler = consumer_not_found},
};

const size_t server_nroutes = sizeof(server_routes) / sizeof(server_routes[0]);

static int
char_eq(char a, char b, int nocase)
{
	return nocase ? tolower((unsigned char)a) == tolower((unsigned char)b)
		      : a == b;
}

/* Whether path matches pattern (see struct route); arg[i] what each '*'
 * matched. */
static int
route_match(const struct route *r, const char *path, const char **arg,
	    size_t *arg_len)
{
	const char *p = r->pattern, *s = path;
	int nocase = (r->flags & ROUTE_NOCASE) != 0;
	size_t na = 0, n;

	while (*p) {
		if (*p == '*') {
			n = p[1] ? strcspn(s, "/") : strlen(s);
			if (n == 0 || na >= ROUTE_ARGS)
				return 0;
			arg[na] = s;
			arg_len[na++] = n;
			s += n;
			p++;
			continue;
		}
		if (!*s || !char_eq(*p, *s, nocase))
			return 0;
		p++;
		s++;
	}
	if (*s == '/' && s[1] == '\0' && (r->flags & ROUTE_SLASH))
		s++;
	return *s == '\0';
}

const struct route *
route_find(const char *path, const char **arg, size_t *arg_len)
{
	for (size_t i = 0; i < server_nroutes; i++) {
		const struct route *r = &server_routes[i];

		for (size_t a = 0; a < ROUTE_ARGS; a++) {
			arg[a] = NULL;
			arg_len[a] = 0;
		}
		if (r->owns	 ? r->owns(path)
		    : r->pattern ? route_match(r, path, arg, arg_len)
				 : 1)
			return r;
	}
	return &server_routes[server_nroutes - 1];
}

void
route_allow(unsigned methods, char *buf, size_t size)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {{M_GET, "GET"},
		     {M_HEAD, "HEAD"},
		     {M_POST, "POST"},
		     {M_OPTIONS, "OPTIONS"}};

	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(methods & names[i].bit) || n >= size)
			continue;
		n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? ", " : "",
				      names[i].name);
	}
}
