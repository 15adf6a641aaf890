/*
 * nl_stub.h: a fake kernel behind netlink/netlink.h, for unit tests of the
 * modules above netlink/ (krt/) without sockets or privileges.
 *
 * nl_stub.c implements every function of netlink.h against one in-memory
 * kernel (process-global, like the real one: it outlives nl_free, so a test
 * can stop and start its module against the same FIB):
 *   - routes keyed by (table, prefix, metric) whatever their protocol.
 *     Replace overwrites whatever holds the key, of any protocol (as the
 *     kernel does); add fails -EEXIST when anything holds it; delete matches
 *     the handle's protocol and table only and fails -ESRCH otherwise (Linux
 *     fib_table_delete: "if (!fa_to_delete) return -ESRCH;"; IPv6
 *     ip6_route_del starts from err = -ESRCH too). A route naming a missing
 *     nexthop object fails -EINVAL (fib_create_info / ip6_route_info_create:
 *     "Nexthop id does not exist", err_inval). A gateway that is not on a
 *     connected subnet (of oif, when given) and not onlink fails
 *     -ENETUNREACH ("Nexthop has invalid gateway": the kernel's own lookup
 *     of the gateway finds no link-scope route).
 *     Requests are queued; the kernel applies the whole batch at nl_flush()
 *     (or when the queue limit fills, before the next request is queued),
 *     then ops->done runs once per request with the handle busy (EBUSY for
 *     requests made from a callback), as netlink/nl.c does.
 *   - nexthop objects by id, each with a protocol: add fails EEXIST when
 *     the id exists (any protocol; nexthop.c insert_nexthop), replace
 *     overwrites (the object takes the replacer's protocol here), a single
 *     object cannot replace a group or back (EINVAL), delete of a missing
 *     id fails ENOENT; deleting an object removes every route using it and
 *     drops it from the groups it is in (an emptied group goes too, with its
 *     routes), with no notification at all. Without oif the request cannot
 *     be encoded (EINVAL, as netlink/nlmsg.c refuses it).
 *   - nl_lookup/nl_resolve: longest prefix match over the main table (all
 *     protocols, lowest metric on a tie); ENETUNREACH when nothing matches
 *     or the match is not unicast.
 *
 * The monitor is synchronous: the nls_inject_* hooks change the kernel and
 * call the ops of every open handle at once, from test code, outside any
 * flush, which is what the event loop would do.
 *
 * Not modelled: policy routing (only the main table is looked up), tos,
 * NLM_F_APPEND (one route per key), multipath routes of other programs,
 * scope checks beyond "gateway on a connected subnet", dump interruption
 * (EINTR), ack loss, the local table, link state, route caching, IPv6
 * specifics (same rules as IPv4).
 */
#ifndef TERN_NL_STUB_H
#define TERN_NL_STUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netlink.h"

#define NLS_PROTO_KERNEL	2	/* RTPROT_KERNEL: connected subnets */
#define NLS_PROTO_STATIC	4	/* RTPROT_STATIC: "another program" */
#define NLS_ANY			0	/* nls_routes/nls_nhs: any protocol */

/* What the stub counts (requests made through netlink.h, by kind). */
enum nls_kind {
	NLS_ADD,		/* nl_route_add */
	NLS_REPLACE,		/* nl_route_replace */
	NLS_DELETE,		/* nl_route_delete */
	NLS_NH_ADD,		/* nl_nh_add */
	NLS_NH_REPLACE,		/* nl_nh_replace */
	NLS_NH_DELETE,		/* nl_nh_delete */
	NLS_NH_GROUP,		/* nl_nh_group_add/_replace */
	NLS_ROUTE_DUMP,
	NLS_NH_DUMP,
	NLS_TABLE_DUMP,
	NLS_RESOLVE,
	NLS_LOOKUP,
	NLS_NKINDS
};
#define NLS_K(kind)	(1u << (kind))
#define NLS_ROUTE_REQS	(NLS_K(NLS_ADD) | NLS_K(NLS_REPLACE) | \
			 NLS_K(NLS_DELETE))
#define NLS_NH_REQS	(NLS_K(NLS_NH_ADD) | NLS_K(NLS_NH_REPLACE) | \
			 NLS_K(NLS_NH_DELETE) | NLS_K(NLS_NH_GROUP))

/* ---- set-up ---- */

/* An empty kernel with nexthop objects, no links, counters at 0, no
 * failures armed, queue limit 256. Call at the start of every test. */
void	nls_reset(void);
void	nls_set_nexthop_objects(bool);
/* Requests queued before the batch is applied on its own. */
void	nls_set_queue_limit(size_t);
/* nl_new fails (NULL) while set. */
void	nls_fail_open(bool);
/* An interface name for nl_ifindex. */
void	nls_link(const char *name, uint32_t ifindex);
/* A connected subnet on ifindex: a link-scope kernel route, main table. */
void	nls_connected(const char *pfx, uint32_t ifindex);

/* ---- the kernel behind krt's back (no event) ---- */

/* Put a route in the table as it is (nr->table 0: main), replacing what
 * holds its key. Nothing is reported. */
void	nls_put_route(const struct nl_route *);
/* Remove the route of protocol at (pfx, table, any metric). */
bool	nls_drop_route(const struct prefix *, uint32_t table,
	    uint8_t protocol);
void	nls_put_nh(uint32_t id, uint8_t protocol, const struct addr *gw,
	    uint32_t oif);

/* ---- another program, as the monitor reports it ---- */

/* Add (replace at its key, as `ip route replace`) or delete a route, then
 * report it: our protocol and table -> ops->route_changed, another
 * protocol in our table or main -> ops->other_route_changed. */
void	nls_inject_route(const struct nl_route *, bool deleted);
/* Add/replace or delete an object (delete takes its routes, silently);
 * reported through ops->nexthop_changed when the object is of the handle's
 * protocol. */
void	nls_inject_nh(uint32_t id, uint8_t protocol, const struct addr *gw,
	    uint32_t oif, bool deleted);
/* The monitor overflowed: ops->resync_needed. */
void	nls_inject_enobufs(void);
/* ops->link_changed, as the monitor reports a link event. */
void	nls_inject_link(uint32_t ifindex, bool up);

/*
 * The next n requests of the kinds in mask (NLS_K(...); 0: any kind) fail
 * with -err and change nothing; for route requests only those for pfx when
 * pfx is not NULL. One rule at a time; n 0 disarms.
 */
void	nls_fail_next(unsigned mask, const struct prefix *pfx, int n,
	    int err);

/* ---- read back ---- */

size_t	nls_count(enum nls_kind);
void	nls_counts_reset(void);
/* Route requests of kind (NLS_ADD/REPLACE/DELETE) made for pfx since the
 * last nls_counts_reset (the first 65536 remembered). */
size_t	nls_reqs(enum nls_kind, const struct prefix *);
/* Route requests applied by the kernel (not counting failed ones). */
size_t	nls_applied(void);
/* The route at pfx in table (0: main), lowest metric; NULL if none. */
const struct nl_route *nls_find(const struct prefix *, uint32_t table);
/* Its next hop as forwarding would use it (through its object, a group's
 * first member). false for a blackhole or a dangling object. */
bool	nls_via(const struct nl_route *, struct addr *gw, uint32_t *oif);
/* Routes / objects of protocol (NLS_ANY: all), in every table. */
size_t	nls_routes(uint8_t protocol);
size_t	nls_nhs(uint8_t protocol);
/* The object with id, and its protocol; NULL if none. */
const struct nl_nexthop *nls_nh(uint32_t id, uint8_t *protocol);

/* Test helpers: parse or abort. */
struct prefix	nls_pfx(const char *);
struct addr	nls_addr(const char *);

#endif
