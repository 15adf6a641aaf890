/*
 * nlmsg.h: the rtnetlink wire codec of netlink/ (internal; used by nl.c,
 * fib.c, monitor.c and tests/unit/test_nl.c). No sockets, no state.
 *
 * Encoders write one message into a caller buffer of len bytes with the
 * _check attribute putters and return NULL when it does not fit, so a full
 * batch buffer is flushed instead of overrun. Decoders take one message
 * that the caller framed with nl_nlmsg_ok() and trust nothing else in it:
 * every attribute is length-checked ("skip unknown, validate known, fill
 * tb[]"), and anything not of our protocol and table is NL_FOREIGN.
 *
 * Routes of any protocol (nl_table_dump, other programs' events) go
 * through the same decoder, nl_route_parse_any(), then through one of the
 * ownership checks below, so a route means the same whoever made it:
 *   - every route type is parsed; unicast and blackhole as such, the
 *     others (unreachable, prohibit, throw, local, ...) as NL_RT_OTHER
 *     with dst, priority, protocol, scope and table but no next hop: they
 *     hold a key (prefix and metric) as much as a unicast route does;
 *   - a route with several next hops (RTA_MULTIPATH) carries the first
 *     one in gw/oif/onlink; every hop is length-checked; a hop's RTA_VIA
 *     (an IPv6 next hop of an IPv4 route) is not read: gw stays unset;
 *   - cached clones, source-specific routes and families other than
 *     IPv4/IPv6 are NL_FOREIGN: nothing in tern can use them.
 */
#ifndef TERN_NLMSG_H
#define TERN_NLMSG_H

#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

#include "netlink.h"

/* libmnl's MNL_ALIGN and MNL_NLMSG_HDRLEN, without the sign conversions */
#define NL_ALIGN(n)	(((size_t)(n) + 3) & ~(size_t)3)
#define NL_HDRLEN	NL_ALIGN(sizeof(struct nlmsghdr))

enum nl_verdict {
	NL_OURS,	/* parsed into the out struct */
	NL_FOREIGN,	/* well formed enough, but not ours: skip */
	NL_BAD,		/* malformed: skip, and say so once */
};

const char *nl_verdict_name(enum nl_verdict);

/* RTM_NEWROUTE (flags: NLM_F_CREATE|NLM_F_REPLACE...) or RTM_DELROUTE. */
struct nlmsghdr *nl_route_encode(void *buf, size_t len, uint16_t type,
	    uint16_t flags, uint32_t seq, const struct nl_route *,
	    uint8_t protocol, uint32_t table);
/*
 * RTM_NEWNEXTHOP (protocol stamped) or RTM_DELNEXTHOP (id only). With
 * ngroup > 0 a group: NHA_GROUP of ngroup (<= NL_GROUP_MAX, ids not 0)
 * members of weight 1 (0 on the wire), no gateway, device or blackhole.
 */
struct nlmsghdr *nl_nh_encode(void *buf, size_t len, uint16_t type,
	    uint16_t flags, uint32_t seq, const struct nl_nexthop *,
	    uint8_t protocol);
/* RTM_GETROUTE dump (af AF_INET/AF_INET6) filtered by protocol and table. */
struct nlmsghdr *nl_route_dump_encode(void *buf, size_t len, uint32_t seq,
	    uint8_t af, uint8_t protocol, uint32_t table);
/* RTM_GETNEXTHOP dump. */
struct nlmsghdr *nl_nh_dump_encode(void *buf, size_t len, uint32_t seq);
/* RTM_GETROUTE for one address (a FIB lookup: nl_resolve). */
struct nlmsghdr *nl_getroute_encode(void *buf, size_t len, uint32_t seq,
	    const struct addr *);
/* The same with RTM_F_FIB_MATCH: the reply is the matched route (nl_lookup). */
struct nlmsghdr *nl_lookup_encode(void *buf, size_t len, uint32_t seq,
	    const struct addr *);

/*
 * The walk of a datagram (nl_nlmsg_ok, then mnl_nlmsg_next): a whole
 * message of at least a header is left in the len bytes at nlh. libmnl's
 * mnl_nlmsg_ok() compares (int)nlmsg_len, so it lets a length of 2^31 or
 * more through as negative and the decoders would read far past the
 * datagram.
 */
bool	nl_nlmsg_ok(const struct nlmsghdr *, int len);

/* A route is one we can encode: family, length, gateway family. */
bool	nl_route_valid(const struct nl_route *);

/*
 * RTM_NEWROUTE/RTM_DELROUTE of (protocol, table) into *out: another
 * protocol's route is NL_FOREIGN before its attributes are read.
 */
enum nl_verdict nl_route_parse(const struct nlmsghdr *, uint8_t protocol,
	    uint32_t table, struct nl_route *out);
/*
 * RTM_NEWROUTE/RTM_DELROUTE of anyone into *out, protocol, scope and table
 * filled (see the top of this file). NL_OURS here means "parsed".
 */
enum nl_verdict nl_route_parse_any(const struct nlmsghdr *,
	    struct nl_route *out);
/* A parsed route of (protocol, table): what nl_route_parse() accepts. */
bool	nl_route_is_ours(const struct nl_route *, uint8_t protocol,
	    uint32_t table);
/* A parsed route the monitor reports as someone else's: another protocol,
 * in table or the main table, never the local table. */
bool	nl_route_is_other(const struct nl_route *, uint8_t protocol,
	    uint32_t table);
/* RTM_NEWLINK/RTM_DELLINK: the index, and whether it is up (IFF_UP, and
 * not deleted). 0, or -1 if malformed. */
int	nl_link_parse(const struct nlmsghdr *, uint32_t *ifindex, bool *up);
/*
 * RTM_NEWNEXTHOP/RTM_DELNEXTHOP of protocol into *out. A group fills
 * group/ngroup only; it is NL_BAD with no members, more than NL_GROUP_MAX,
 * a length not a multiple of the entry, a member id 0, unequal weights, a
 * group type other than multipath, or a gateway, device or blackhole.
 */
enum nl_verdict nl_nh_parse(const struct nlmsghdr *, uint8_t protocol,
	    struct nl_nexthop *out);
/* A reply to RTM_GETROUTE for one address: its RTA_OIF (any protocol). */
int	nl_getroute_parse(const struct nlmsghdr *, uint32_t *oif);
/*
 * The reply to nl_lookup_encode(): the matched route's prefix, protocol,
 * table, gateway and device (the first hop of a multipath route; beside a
 * nexthop id, the kernel's compat copy) into *out, its type into *type.
 * 0, or -1 if malformed.
 */
int	nl_lookup_parse(const struct nlmsghdr *, struct nl_hop *out,
	    enum nl_rt_type *type);
/*
 * NLMSG_ERROR: *err = 0 (ack) or -errno. Accepts a message cut after the
 * error field (n is the number of bytes present). 0, or -1 if malformed.
 */
int	nl_ack_parse(const struct nlmsghdr *, size_t n, int *err);
/* The NLMSGERR_ATTR_MSG text of an extended ack, or NULL. */
const char *nl_ack_msg(const struct nlmsghdr *, size_t n);

#endif
