/*
 * cmd_serve.c - ocop serve: run the verification service until SIGTERM or
 * SIGINT, then drain and write every pending scan before exiting 0.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "http/server.h"

static const char help[] =
	"usage: ocop serve [--listen ADDR:PORT] [--port-file PATH] "
	"[--rate-limit N]\n\n"
	"Run the HTTP verification service: consumer pages (/L/SERIAL,\n"
	"/P/GTIN), the GS1 Digital Link resolver (/01/...), the JSON API\n"
	"(/api/v1/...), /healthz and /metrics. Stops on SIGTERM or SIGINT\n"
	"after answering the requests in flight and storing every scan.\n\n"
	"  --listen ADDR:PORT  where to listen (default " SERVER_DEFAULT_LISTEN
	"):\n"
	"                      loopback only, because in production TLS is\n"
	"                      terminated by a proxy on the same host; use\n"
	"                      0.0.0.0:PORT or [::]:PORT to listen on every\n"
	"                      interface. Port 0 picks a free port.\n"
	"  --port-file PATH    once listening, write HOST:PORT and a newline\n"
	"                      to PATH (atomically)\n"
	"  --rate-limit N      requests per second per client network (IPv4\n"
	"                      /24, IPv6 /48; default 50; 0 = no limit). For a\n"
	"                      loopback peer the last X-Forwarded-For address\n"
	"                      is the client.\n\n"
	"Pages and redirects use the base URL set by 'ocop init --base-url'.\n";

static int
write_port_file(const char *path, const char *hostport)
{
	char tmp[4096];
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >=
	    (int)sizeof(tmp))
		return cmd_failf(EXIT_CANTCREAT, "port file path too long");
	f = fopen(tmp, "w");
	if (!f)
		return cmd_failf(EXIT_CANTCREAT,
				 "cannot write port file '%s': %s", tmp,
				 strerror(errno));
	if (fprintf(f, "%s\n", hostport) < 0 || fclose(f) != 0) {
		unlink(tmp);
		return cmd_failf(EXIT_CANTCREAT,
				 "cannot write port file '%s': %s", tmp,
				 strerror(errno));
	}
	if (rename(tmp, path) != 0) {
		unlink(tmp);
		return cmd_failf(EXIT_CANTCREAT,
				 "cannot write port file '%s': %s", path,
				 strerror(errno));
	}
	return 0;
}

static int
parse_rate(const char *s, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || errno || v > 1000000 || s[0] == '-')
		return -1;
	*out = (unsigned)v;
	return 0;
}

int
cmd_serve(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"listen", required_argument, NULL, 'l'},
		{"port-file", required_argument, NULL, 'p'},
		{"rate-limit", required_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct server_config cfg = {0};
	struct ocop_error err = {0};
	struct server *srv = NULL;
	const char *port_file = NULL;
	char bound[128];
	sigset_t set;
	int c, sig, rc;

	cfg.db_path = ctx->db_path;
	cfg.listen = SERVER_DEFAULT_LISTEN;
	cfg.rate_limit = SERVER_DEFAULT_RATE;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			cfg.listen = optarg;
			break;
		case 'p':
			port_file = optarg;
			break;
		case 'r':
			if (parse_rate(optarg, &cfg.rate_limit) < 0)
				return cmd_usage_error(
					"serve",
					"invalid --rate-limit '%s': expected "
					"a whole number of requests per "
					"second (0 = no limit)",
					optarg);
			break;
		case 'h':
			fputs(help, stdout);
			return 0;
		default:
			return cmd_usage_error("serve", "bad option");
		}
	}
	if (optind < argc)
		return cmd_usage_error("serve", "unexpected argument '%s'",
				       argv[optind]);
	/* every thread inherits this mask; only sigwait below takes them */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((rc = server_start(&cfg, &srv, bound, sizeof(bound), &err)) < 0) {
		/* a listen address that does not parse is a usage error */
		if (rc == OCOP_EINVAL)
			return cmd_usage_error("serve", "%s", err.msg);
		return cmd_fail(&err);
	}
	if (port_file && (rc = write_port_file(port_file, bound)) != 0) {
		server_stop(srv, 0);
		return rc;
	}
	if (cfg.rate_limit)
		fprintf(stderr,
			"ocop: serving http://%s (base URL %s, at most %u "
			"requests a second per client network)\n",
			bound, server_base_url(srv), cfg.rate_limit);
	else
		fprintf(stderr,
			"ocop: serving http://%s (base URL %s, no rate limit)\n",
			bound, server_base_url(srv));
	while (sigwait(&set, &sig) != 0)
		;
	fprintf(stderr, "ocop: %s: finishing requests and storing scans\n",
		sig == SIGINT ? "interrupted" : "terminated");
	server_stop(srv, 10000);
	fprintf(stderr, "ocop: stopped\n");
	return 0;
}
