/*
 * ratelimit.h - per client network request limits (token buckets) and the
 * coarse client network itself: IPv4 /24, IPv6 /48. The network is also
 * all the scan log keeps of a client's address.
 *
 * Thread-safe: the table is split into stripes, each with its own lock.
 * Memory is fixed at creation; when the table is full, the least recently
 * seen network is forgotten (its bucket was refilled anyway, or nearly).
 */
#ifndef OCOP_RATELIMIT_H
#define OCOP_RATELIMIT_H

#include <stddef.h>
#include <sys/socket.h>

#define RATELIMIT_NET_MAX 48 /* "ffff:ffff:ffff::/48" and the NUL fit */

struct ratelimit;

/* rate: requests per second per network, burst the same (at least 1).
 * rate 0 means no limit: returns NULL, and ratelimit_take(NULL) allows. */
struct ratelimit *ratelimit_new(unsigned rate);
void ratelimit_free(struct ratelimit *rl);

/*
 * Take one request for net at monotonic time now (seconds). Returns 1 when
 * allowed; 0 when refused, with *retry_after the whole seconds (>= 1)
 * until the next request would be allowed.
 */
int ratelimit_take(struct ratelimit *rl, const char *net, double now,
		   int *retry_after);

/* Monotonic seconds for ratelimit_take. */
double ratelimit_clock(void);

/*
 * The network of an address: "203.0.113.0/24" or "2001:db8:1::/48"
 * (IPv4-mapped IPv6 counts as IPv4). out has RATELIMIT_NET_MAX bytes.
 * Returns 0, or -1 for another family or text that is no address (out is
 * then "").
 */
int ratelimit_net_of_sockaddr(const struct sockaddr *sa, char *out);
int ratelimit_net_of_text(const char *ip, char *out);

#endif
