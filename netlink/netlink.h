/*
 * netlink.h: routes and nexthop objects in the kernel FIB (SPEC 4, STYLE 5.5).
 *
 * netlink/ programs the kernel for one (protocol, table) pair and knows
 * nothing of BGP or the rib: it installs, replaces, deletes and dumps
 * routes and nexthop objects stamped with that protocol, and reports
 * changes made by anyone else. Everything of another protocol or table is
 * invisible to it and never touched.
 *
 * Two sockets, as BIRD has:
 *   - the request socket carries our requests. Route changes are queued
 *     into a batch buffer (no allocation per route) and sent by nl_flush()
 *     or when the buffer fills; every request carries NLM_F_ACK and our own
 *     sequence number, and ops->done() is called once per request with 0 or
 *     -errno, so errors are per route. Replace is NLM_F_CREATE|NLM_F_REPLACE:
 *     there is no delete-then-add gap. Add is NLM_F_CREATE|NLM_F_EXCL: it
 *     fails with EEXIST when any route (of any protocol) holds the key, so
 *     a route of another program is never replaced (see "Replace is keyed"
 *     below). Waits are bounded.
 *   - the monitor socket (non-blocking, on the event loop) receives route
 *     and nexthop events made by someone else: the echoes of our own
 *     requests are dropped in the kernel by a socket filter on nlmsg_pid.
 *     Events for our protocol and table go to ops->route_changed; routes of
 *     other protocols in our table or the main table (Felix's pod routes,
 *     the underlay's routes, a conflicting route going away) go to
 *     ops->other_route_changed; nexthop objects of other protocols are not
 *     reported; link state changes go to ops->link_changed. A receive overflow (ENOBUFS) calls ops->resync_needed():
 *     the owner re-reads with nl_route_dump()/nl_table_dump() and
 *     reconciles.
 *
 * Nexthop objects (Linux >= 5.3): ids are allocated by the caller. Replacing
 * an object re-points every route using it in one request; deleting it
 * removes every route using it without per-route notifications (the owner
 * must account for that). Where the kernel lacks them (nl_nexthop_objects()
 * is false), routes carry RTA_GATEWAY/RTA_OIF themselves.
 *
 * Replace is keyed as the kernel keys it (prefix and metric; for IPv4 also
 * tos): a route of another protocol at the same prefix and metric is
 * replaced too. A delete names our protocol and never removes another's.
 *
 * Callbacks: ops->done and the dump callbacks run inside nl_flush(), the
 * calls that flush first (nl_nh_*, the dumps, nl_resolve) and the automatic
 * flush of nl_route_replace/nl_route_delete; the handle is busy then and
 * request functions fail with EBUSY: record, act later. The monitor
 * callbacks run from the event loop and may make requests. No callback may
 * call nl_free().
 *
 * Ownership: struct nl owns both sockets, its event and its buffers, all
 * allocated in nl_new() and freed in nl_free() (which drops requests still
 * queued, unsent and unreported). Pointers handed to callbacks are valid
 * only for the call.
 */
#ifndef TERN_NETLINK_H
#define TERN_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

/*
 * The rtm_protocol of every route and nexthop object tern installs.
 * 12 is RTPROT_BIRD: `ip route show proto bird` counts them, as Calico's
 * tooling expects. Defined here and nowhere else.
 */
#define NL_PROTO_TERN	12
#define NL_TABLE_MAIN	254

struct event_base;
struct nl;

enum nl_rt_type {
	NL_RT_UNICAST,
	NL_RT_BLACKHOLE,
	NL_RT_OTHER,	/* dumped only: a type tern never installs */
};

/*
 * A route as installed or dumped. Plain value; compare field by field.
 * With nh_id set, gw/oif/onlink are not sent and never dumped (the kernel's
 * compatibility copy is dropped); a blackhole has none of them either.
 * A dumped or reported route of another protocol with several next hops
 * (RTA_MULTIPATH) carries the first one in gw/oif.
 */
struct nl_route {
	struct prefix	 dst;
	enum nl_rt_type	 type;
	uint32_t	 nh_id;		/* nexthop object; 0: gw/oif below */
	struct addr	 gw;		/* unset: none (or via nh_id) */
	uint32_t	 oif;		/* 0: none */
	bool		 onlink;
	uint32_t	 priority;	/* metric; 0: none */
	/* Filled in dumps and events only; requests use the handle's. */
	uint8_t		 protocol;	/* rtm_protocol */
	uint8_t		 scope;		/* rtm_scope */
	uint32_t	 table;
};

/* A nexthop object: a gateway, or a group of gateway objects (ECMP). */
#define NL_GROUP_MAX	64	/* members of a group tern makes or reads */
struct nl_nexthop {
	uint32_t	 id;
	struct addr	 gw;
	uint32_t	 oif;
	bool		 onlink;
	bool		 blackhole;
	/* group: ngroup > 0 members (ids, weight 1 each); gw/oif unset */
	uint32_t	 group[NL_GROUP_MAX];
	size_t		 ngroup;
};

/* Where the kernel would send a packet for an address (nl_lookup). */
struct nl_hop {
	struct prefix	 match;		/* the route that matched */
	uint8_t		 protocol;	/* ... and its protocol */
	uint32_t	 table;
	struct addr	 gw;		/* unset: directly connected */
	uint32_t	 oif;
};

struct nl_ops {
	/* A queued request was acknowledged: err is 0 or -errno. */
	void	(*done)(void *arg, uint64_t cookie, int err);
	/* Someone else added, changed or deleted a route of ours. */
	void	(*route_changed)(void *arg, const struct nl_route *,
		    bool deleted);
	/* Someone else (or the kernel: a link went away) changed or deleted
	 * one of our nexthop objects; deleted also removed its routes. */
	void	(*nexthop_changed)(void *arg, uint32_t id, bool deleted);
	/* Someone else added, changed or deleted a route of another protocol
	 * in our table or the main table (not the local table); nr->protocol
	 * and nr->table say whose and where. */
	void	(*other_route_changed)(void *arg, const struct nl_route *,
		    bool deleted);
	/* A link went away (up false), went down (up false) or came up.
	 * The kernel drops IPv4 routes through an interface that goes down
	 * or away without a route event for each: whoever tracks such routes
	 * forgets them here. */
	void	(*link_changed)(void *arg, uint32_t ifindex, bool up);
	/* Events were lost (ENOBUFS): dump and reconcile. */
	void	(*resync_needed)(void *arg);
};

/*
 * Open both sockets and probe for nexthop objects. base may be NULL: no
 * monitor then. Any op may be NULL. NULL with a log line on failure.
 */
struct nl *nl_new(struct event_base *, uint8_t protocol, uint32_t table,
	    const struct nl_ops *, void *arg);
void	nl_free(struct nl *);
bool	nl_nexthop_objects(const struct nl *);

/*
 * Routes: queue a request (-1 with EINVAL for a route that cannot be
 * encoded, EBUSY inside a callback). The result comes through ops->done.
 * A delete matches dst, priority, our protocol and table; the type and
 * next hop are not sent, so a stale view of the route still deletes it.
 */
int	nl_route_replace(struct nl *, const struct nl_route *, uint64_t cookie);
/* Create only: done() gets -EEXIST when a route of anyone holds the key
 * (prefix and metric), which is then left as it is. */
int	nl_route_add(struct nl *, const struct nl_route *, uint64_t cookie);
int	nl_route_delete(struct nl *, const struct nl_route *, uint64_t cookie);
/* Send everything queued and read every ack. -1 only if the socket failed
 * (the requests concerned were still reported, with the error). */
int	nl_flush(struct nl *);
size_t	nl_queued(const struct nl *);

/*
 * Nexthop objects: synchronous, after flushing the queue (so requests are
 * applied in the order they were made). 0, or -1 with errno (EOPNOTSUPP
 * without nexthop objects). The kernel requires oif: see nl_resolve().
 */
int	nl_nh_replace(struct nl *, uint32_t id, const struct addr *gw,
	    uint32_t oif, bool onlink);
/* Create only (NLM_F_EXCL): -1 with EEXIST when the id is taken, by us or
 * by another program; nothing is changed then. */
int	nl_nh_add(struct nl *, uint32_t id, const struct addr *gw,
	    uint32_t oif, bool onlink);
/* A group object of n gateway objects (1 <= n <= NL_GROUP_MAX), equal
 * weights; replace re-points every route using it in one request. */
int	nl_nh_group_add(struct nl *, uint32_t id, const uint32_t *members,
	    size_t n);
int	nl_nh_group_replace(struct nl *, uint32_t id, const uint32_t *members,
	    size_t n);
int	nl_nh_delete(struct nl *, uint32_t id);

/*
 * Dumps of our protocol and table only. -1 with errno on failure; EINTR
 * means the kernel's table changed during the dump: dump again.
 */
int	nl_route_dump(struct nl *,
	    void (*cb)(void *arg, const struct nl_route *), void *arg);
int	nl_nh_dump(struct nl *,
	    void (*cb)(void *arg, const struct nl_nexthop *), void *arg);
/* Every unicast/blackhole route of our table, of any protocol (IPv4 and
 * IPv6); the callback sees protocol, scope and table. Same errors. */
int	nl_table_dump(struct nl *,
	    void (*cb)(void *arg, const struct nl_route *), void *arg);

/* The kernel's output interface towards gw (RTM_GETROUTE). 0 or -1. */
int	nl_resolve(struct nl *, const struct addr *gw, uint32_t *oif);
/*
 * The route the kernel would use towards dst (RTM_GETROUTE with
 * RTM_F_FIB_MATCH, main table rules as the kernel applies them): its
 * prefix, protocol, table, gateway (unset when dst is on a connected
 * subnet) and interface. -1 with ENETUNREACH when the match is not a
 * unicast route (unreachable, blackhole, prohibit) or there is none, or
 * another errno.
 */
int	nl_lookup(struct nl *, const struct addr *dst, struct nl_hop *out);
/* An interface's index by name (tunl0); 0 when there is none. */
uint32_t nl_ifindex(const char *name);

#endif
