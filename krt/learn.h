/*
 * learn.h: workload routes learned from the kernel (BIRD's kernel protocol
 * with `learn`, as Calico configures it; calico-compat 6), issue 12.
 *
 * krt hands its owner the routes of other programs in our table
 * (krt_ops.other_route / other_resync); learn filters that feed down to the
 * routes Felix installs for this node's pods and keeps them as a set. Its
 * owner is told of every prefix that enters or leaves the set through one
 * callback, changed(prefix, present). learn is pure: it makes no netlink
 * request and keeps no timer; the only system call it may make is the
 * interface-name lookup (if_indextoname, replaceable in learn_params).
 *
 * What is learned (every condition must hold):
 *   - a unicast route (not blackhole, unreachable, ...);
 *   - not of our own protocol (those are krt's), nor RTPROT_KERNEL (the
 *     kernel's connected routes) nor RTPROT_REDIRECT: BIRD's nl_parse_route
 *     skips those two and learns everything else as "alien" (Felix's
 *     proto 80, boot, static, ...);
 *   - a host route: /32 or /128. Our implementation: BIRD with `learn`
 *     would take any prefix, but Felix installs exactly one host route per
 *     pod address (`<ip>/32 dev caliXXXX scope link`) and that is all
 *     Calico's pods need announced; a wider route on a workload device is
 *     somebody's hand-made route, and announcing it could pull a whole
 *     range of the pool to this node. Host routes only also keeps the feed
 *     cheap: the interface name is looked up for few routes;
 *   - out through a device (oif; of a multipath route, the first hop's)
 *     whose name matches one of the patterns (fnmatch(3), comma
 *     separated, "cali*" by default; "" learns nothing).
 * Names are not cached: the name is looked up each time a route is
 * reported (one ioctl, for host routes only), so a renamed or reused
 * ifindex is never judged by a stale name; a route already learned is
 * re-judged whenever it is reported again (a change, a re-read).
 *
 * Routes are keyed as the kernel keys them (prefix, table, metric); a
 * prefix is present while at least one learned route has it. A route
 * reported again that no longer qualifies (changed device) leaves the
 * set; a deletion removes the route whatever its device is called now
 * (the device may be gone). other_resync(begin) .. other_resync(!begin):
 * the routes learned before and not reported in between are gone.
 *
 * Bounded: at most max_routes routes (default LEARN_MAX_DEFAULT). A route
 * beyond the bound is refused: counted, and learned at a later report (a
 * re-read) if there is room then. The bound is logged once when it is
 * reached, and again only after the set went down to 90% of it (so churn
 * at the bound does not flood the log).
 *
 * Ownership: struct learn owns its routes and patterns; learn_free frees
 * them without calling changed (the owner drops what it derived itself).
 * Re-entry: changed runs inside learn_route/learn_resync and must not
 * call back into the same learn.
 */
#ifndef TERN_LEARN_H
#define TERN_LEARN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define LEARN_MAX_DEFAULT	65536

struct learn;
struct nl_route;

struct learn_params {
	const char	*interfaces;	/* patterns; NULL or "": none */
	uint8_t		 own_protocol;	/* our rtm_protocol: never learned */
	size_t		 max_routes;	/* 0: LEARN_MAX_DEFAULT */
	/* the name of ifindex into buf (IF_NAMESIZE), or NULL if there is
	 * none; NULL: if_indextoname (tests replace it) */
	const char	*(*ifname)(void *arg, uint32_t ifindex, char *buf);
	void		*ifname_arg;
};

struct learn_stats {
	size_t		 routes;	/* learned routes */
	size_t		 prefixes;	/* distinct prefixes of those */
	uint64_t	 refused;	/* over the bound, since start */
};

/* changed(arg, pfx, present): pfx entered (true) or left the set. */
struct learn	*learn_new(const struct learn_params *,
		    void (*changed)(void *arg, const struct prefix *,
		    bool present), void *arg);
void		 learn_free(struct learn *);
/* A route of another program was added or changed (!deleted) or deleted. */
void		 learn_route(struct learn *, const struct nl_route *,
		    bool deleted);
/* ifindex went down or away: its routes are gone (the kernel said
 * nothing of them). */
void		 learn_link_down(struct learn *, uint32_t ifindex);
/* A re-read of the table begins (true) or ends (false). */
void		 learn_resync(struct learn *, bool begin);
bool		 learn_has(const struct learn *, const struct prefix *);
/* The interface name of pfx's first learned route into buf (IF_NAMESIZE),
 * looked up now (the same lookup as learning: a system call); NULL: pfx
 * is not learned or its device has no name any more. BGPFilter's
 * interface match (agent/filter.h). */
const char	*learn_ifname(const struct learn *, const struct prefix *,
		    char *buf);
void		 learn_stats(const struct learn *, struct learn_stats *);

#endif
