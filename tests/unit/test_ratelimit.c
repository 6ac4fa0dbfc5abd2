/*
 * test_ratelimit.c - token buckets and coarse client networks.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include "harness.h"
#include "ratelimit.h"

static void
test_bucket(void)
{
	struct ratelimit *rl = ratelimit_new(5);
	int retry = 0, ok = 0;

	TEST("ratelimit: burst of N, then refused with Retry-After");
	for (int i = 0; i < 5; i++)
		ok += ratelimit_take(rl, "192.0.2.0/24", 100.0, &retry);
	CHECK_INT(ok, 5);
	CHECK_INT(ratelimit_take(rl, "192.0.2.0/24", 100.0, &retry), 0);
	CHECK_INT(retry, 1);
	/* another network has its own bucket */
	CHECK_INT(ratelimit_take(rl, "198.51.100.0/24", 100.0, &retry), 1);

	TEST("ratelimit: refills at the rate");
	CHECK_INT(ratelimit_take(rl, "192.0.2.0/24", 100.1, &retry), 0);
	CHECK_INT(ratelimit_take(rl, "192.0.2.0/24", 100.2, &retry), 1);
	CHECK_INT(ratelimit_take(rl, "192.0.2.0/24", 100.2, &retry), 0);
	ok = 0;
	for (int i = 0; i < 10; i++)
		ok += ratelimit_take(rl, "192.0.2.0/24", 200.0, &retry);
	CHECK_INT(ok, 5);

	TEST("ratelimit: a full table forgets the oldest, never fails");
	for (int i = 0; i < 20000; i++) {
		char net[RATELIMIT_NET_MAX];

		snprintf(net, sizeof(net), "10.%d.%d.0/24", i / 256, i % 256);
		CHECK_INT(ratelimit_take(rl, net, 300.0 + i * 1e-4, &retry),
			  1);
	}
	ratelimit_free(rl);

	TEST("ratelimit: 0 means off");
	rl = ratelimit_new(0);
	CHECK(rl == NULL);
	for (int i = 0; i < 1000; i++)
		CHECK_INT(ratelimit_take(rl, "192.0.2.0/24", 1.0, &retry), 1);
	ratelimit_free(rl);
}

static void
test_nets(void)
{
	char out[RATELIMIT_NET_MAX];
	struct sockaddr_in in4 = {0};
	struct sockaddr_in6 in6 = {0};

	TEST("client networks: IPv4 /24, IPv6 /48, nothing finer");
	CHECK_INT(ratelimit_net_of_text("203.0.113.77", out), 0);
	CHECK_STR(out, "203.0.113.0/24");
	CHECK_INT(ratelimit_net_of_text("2001:db8:abcd:12:1::5", out), 0);
	CHECK_STR(out, "2001:db8:abcd::/48");
	CHECK_INT(ratelimit_net_of_text("::ffff:192.0.2.9", out), 0);
	CHECK_STR(out, "192.0.2.0/24");
	CHECK_INT(ratelimit_net_of_text("not-an-ip", out), -1);
	CHECK_STR(out, "");
	in4.sin_family = AF_INET;
	inet_pton(AF_INET, "127.0.0.1", &in4.sin_addr);
	CHECK_INT(ratelimit_net_of_sockaddr((struct sockaddr *)&in4, out), 0);
	CHECK_STR(out, "127.0.0.0/24");
	in6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, "::1", &in6.sin6_addr);
	CHECK_INT(ratelimit_net_of_sockaddr((struct sockaddr *)&in6, out), 0);
	CHECK_STR(out, "0:0:0::/48");
	CHECK_INT(ratelimit_net_of_sockaddr(NULL, out), -1);
}

int
main(void)
{
	test_bucket();
	test_nets();
	return harness_done();
}
