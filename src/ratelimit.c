/*
 * ratelimit.c - token buckets per client network (see ratelimit.h).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ocop.h"
#include "ratelimit.h"

#define RL_STRIPES 16
#define RL_SLOTS 512 /* per stripe */
#define RL_PROBE 8

struct rl_slot {
	char net[RATELIMIT_NET_MAX];
	double tokens;
	double last;
};

struct rl_stripe {
	pthread_mutex_t mu;
	struct rl_slot slots[RL_SLOTS];
};

struct ratelimit {
	double rate;
	double burst;
	struct rl_stripe stripes[RL_STRIPES];
};

struct ratelimit *
ratelimit_new(unsigned rate)
{
	struct ratelimit *rl;

	if (rate == 0)
		return NULL;
	rl = ocop_xcalloc(1, sizeof(*rl));
	rl->rate = rate;
	rl->burst = rate;
	for (int i = 0; i < RL_STRIPES; i++)
		pthread_mutex_init(&rl->stripes[i].mu, NULL);
	return rl;
}

void
ratelimit_free(struct ratelimit *rl)
{
	if (!rl)
		return;
	for (int i = 0; i < RL_STRIPES; i++)
		pthread_mutex_destroy(&rl->stripes[i].mu);
	free(rl);
}

static uint32_t
hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

double
ratelimit_clock(void)
{
	return ocop_mono();
}

int
ratelimit_take(struct ratelimit *rl, const char *net, double now,
	       int *retry_after)
{
	struct rl_stripe *sp;
	struct rl_slot *slot = NULL, *oldest = NULL;
	uint32_t h;
	int ok;

	if (!rl)
		return 1;
	h = hash_str(net);
	sp = &rl->stripes[h % RL_STRIPES];
	h /= RL_STRIPES;
	pthread_mutex_lock(&sp->mu);
	for (int i = 0; i < RL_PROBE; i++) {
		struct rl_slot *s = &sp->slots[(h + (uint32_t)i) % RL_SLOTS];

		if (s->net[0] == '\0' || strcmp(s->net, net) == 0) {
			slot = s;
			break;
		}
		if (!oldest || s->last < oldest->last)
			oldest = s;
	}
	if (!slot)
		slot = oldest;
	if (strcmp(slot->net, net) != 0) {
		ocop_strlcpy(slot->net, net, sizeof(slot->net));
		slot->tokens = rl->burst;
		slot->last = now;
	}
	slot->tokens += (now - slot->last) * rl->rate;
	if (slot->tokens > rl->burst)
		slot->tokens = rl->burst;
	slot->last = now;
	ok = slot->tokens >= 1.0;
	if (ok) {
		slot->tokens -= 1.0;
	} else if (retry_after) {
		int s = (int)((1.0 - slot->tokens) / rl->rate + 0.999999);

		*retry_after = s < 1 ? 1 : s;
	}
	pthread_mutex_unlock(&sp->mu);
	return ok;
}

static void
net4(const unsigned char *a, char *out)
{
	snprintf(out, RATELIMIT_NET_MAX, "%u.%u.%u.0/24", a[0], a[1], a[2]);
}

static void
net6(const unsigned char *a, char *out)
{
	snprintf(out, RATELIMIT_NET_MAX, "%x:%x:%x::/48",
		 (unsigned)(a[0] << 8 | a[1]), (unsigned)(a[2] << 8 | a[3]),
		 (unsigned)(a[4] << 8 | a[5]));
}

static void
net_of_in6(const struct in6_addr *a, char *out)
{
	if (IN6_IS_ADDR_V4MAPPED(a))
		net4(a->s6_addr + 12, out);
	else
		net6(a->s6_addr, out);
}

int
ratelimit_net_of_sockaddr(const struct sockaddr *sa, char *out)
{
	out[0] = '\0';
	if (!sa)
		return -1;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		net4((const unsigned char *)&in->sin_addr, out);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 =
			(const struct sockaddr_in6 *)sa;

		net_of_in6(&in6->sin6_addr, out);
		return 0;
	}
	return -1;
}

int
ratelimit_net_of_text(const char *ip, char *out)
{
	struct in_addr a4;
	struct in6_addr a6;

	out[0] = '\0';
	if (inet_pton(AF_INET, ip, &a4) == 1) {
		net4((const unsigned char *)&a4, out);
		return 0;
	}
	if (inet_pton(AF_INET6, ip, &a6) == 1) {
		net_of_in6(&a6, out);
		return 0;
	}
	return -1;
}
