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
/* RTM_NEWNEXTHOP (protocol stamped) or RTM_DELNEXTHOP (id only). */
struct nlmsghdr *nl_nh_encode(void *buf, size_t len, uint16_t type,
	    uint16_t flags, uint32_t seq, const struct nl_nexthop *,
	    uint8_t protocol);
/* RTM_GETROUTE dump (af AF_INET/AF_INET6) filtered by protocol and table. */
struct nlmsghdr *nl_route_dump_encode(void *buf, size_t len, uint32_t seq,
	    uint8_t af, uint8_t protocol, uint32_t table);
/* RTM_GETNEXTHOP dump. */
struct nlmsghdr *nl_nh_dump_encode(void *buf, size_t len, uint32_t seq);
/* RTM_GETROUTE for one address (a FIB lookup). */
struct nlmsghdr *nl_getroute_encode(void *buf, size_t len, uint32_t seq,
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

/* RTM_NEWROUTE/RTM_DELROUTE of (protocol, table) into *out. */
enum nl_verdict nl_route_parse(const struct nlmsghdr *, uint8_t protocol,
	    uint32_t table, struct nl_route *out);
/* RTM_NEWNEXTHOP/RTM_DELNEXTHOP of protocol into *out. */
enum nl_verdict nl_nh_parse(const struct nlmsghdr *, uint8_t protocol,
	    struct nl_nexthop *out);
/* A reply to RTM_GETROUTE for one address: its RTA_OIF (any protocol). */
int	nl_getroute_parse(const struct nlmsghdr *, uint32_t *oif);
/*
 * NLMSG_ERROR: *err = 0 (ack) or -errno. Accepts a message cut after the
 * error field (n is the number of bytes present). 0, or -1 if malformed.
 */
int	nl_ack_parse(const struct nlmsghdr *, size_t n, int *err);
/* The NLMSGERR_ATTR_MSG text of an extended ack, or NULL. */
const char *nl_ack_msg(const struct nlmsghdr *, size_t n);

#endif
