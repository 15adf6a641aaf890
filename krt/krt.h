/*
 * krt.h: kernel route sync (BIRD sysdep/unix/krt.c): what tern wants in the
 * FIB against what is there, applied through netlink/ in batches.
 *
 * The agent says, per prefix, what it wants (krt_set/krt_unset), naming
 * each prefix by a dense id (the rib's prefix id: bit 31 selects a second
 * array, for IPv6) so krt keeps a few bytes per route in arrays indexed by
 * it, and asks for an id's prefix only when it programs the route; krt keeps
 * the installed state it knows of, nexthop objects (one per gateway,
 * device and onlink in use, shared by every route through it), and applies
 * the difference from a zero-timeout event, so a burst of rib changes
 * becomes a few large netlink batches. A gateway whose routes all go away
 * is removed by deleting its nexthop object (the kernel drops its routes in
 * one request); a gateway whose routes all move to one new gateway is
 * re-pointed by replacing the object in place.
 *
 * Start-up: krt_start() dumps the table and adopts tern's existing routes
 * (protocol and table from the config); nothing is removed until
 * krt_synced(), after which adopted routes nobody wants are deleted. A
 * route of ours changed or deleted by someone else is put back; lost
 * monitor events (ENOBUFS) lead to a full dump and reconcile.
 */
#ifndef TERN_KRT_H
#define TERN_KRT_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"

struct event_base;
struct krt;

enum krt_type {
	KRT_UNICAST,
	KRT_BLACKHOLE,
};

/* One next hop of a route. */
struct krt_hop {
	struct addr	 gw;
	uint32_t	 oif;		/* 0: the interface the kernel resolves */
	bool		 onlink;	/* with oif: IPIP via tunl0 */
};

/*
 * ECMP (BIRD's `merge paths on`): up to KRT_ECMP_MAX next hops, installed
 * as one nexthop group object shared by every route with the same set.
 * Without nexthop objects in the kernel only the first hop is used.
 */
#define KRT_ECMP_MAX	16
struct krt_want {
	enum krt_type	 type;
	size_t		 nhops;		/* KRT_UNICAST: 1..KRT_ECMP_MAX */
	struct krt_hop	 hop[KRT_ECMP_MAX];
};

struct nl_route;

struct krt_ops {
	/* Id <-> prefix, for ids the agent has set and not unset (the rib). */
	bool	(*id_prefix)(void *arg, uint32_t id, struct prefix *);
	bool	(*prefix_id)(void *arg, const struct prefix *, uint32_t *id);
	/*
	 * Optional (NULL: not wanted): the routes of other programs in our
	 * table (Felix's pod routes, the underlay's), as found at krt_start,
	 * as the monitor reports them, and on every re-read of the table:
	 * other_resync(begin) before a re-read's routes, other_resync(!begin)
	 * after them; a route reported before and not during a re-read is
	 * gone. krt/learn.h filters this feed.
	 */
	void	(*other_route)(void *arg, const struct nl_route *,
		    bool deleted);
	void	(*other_resync)(void *arg, bool begin);
	/* Optional: an interface went down or away; the kernel dropped
	 * every IPv4 route through it without a word (a pod's veth). */
	void	(*other_link_down)(void *arg, uint32_t ifindex);
};

struct krt_params {
	uint8_t		 protocol;
	uint32_t	 table;
	/* a next hop that cannot be installed is retried after retry_min_ms,
	 * doubling up to retry_max_ms (0, 0: 1000, 60000) */
	uint32_t	 retry_min_ms;
	uint32_t	 retry_max_ms;
	/* routes a gateway needs before it gets a nexthop object (0, 1: at
	 * once); until then its routes carry the gateway, as BIRD's do */
	uint32_t	 nh_object_min;
};

/* What became of a wanted route (krt_route_state). */
enum krt_state {
	KRT_S_NONE,		/* not wanted */
	KRT_S_PENDING,		/* wanted, not applied yet */
	KRT_S_INSTALLED,	/* in the FIB as wanted */
	KRT_S_CONFLICT,		/* another program's route holds the prefix */
	KRT_S_FAILED,		/* next hop unresolved or the kernel refused:
				 * retried */
};

struct krt_stats {
	size_t		 wanted;
	size_t		 installed;
	size_t		 pending;
	size_t		 conflicts;
	size_t		 failed;
	size_t		 nexthops;	/* gateway objects of ours */
	size_t		 groups;	/* group objects of ours (ECMP) */
	uint64_t	 conflicts_total;	/* since start */
};

struct krt	*krt_new(struct event_base *, const struct krt_params *,
		    const struct krt_ops *, void *arg);
/* Open netlink and adopt existing routes. -1 if netlink is unusable. */
int		 krt_start(struct krt *);
/* Routes of ours were in the FIB at start (forwarding state survived). */
bool		 krt_had_routes(const struct krt *);
/* id (of pfx) wants w; the id stays pfx's until krt_unset. */
void		 krt_set(struct krt *, uint32_t id, const struct prefix *,
		    const struct krt_want *);
/* id (of pfx) is wanted no more and ends here (it may be reused). */
void		 krt_unset(struct krt *, uint32_t id, const struct prefix *);
/* The first full sync is done: unwanted adopted routes may go. */
void		 krt_synced(struct krt *);
/* Apply everything pending now (tests, shutdown). */
void		 krt_flush(struct krt *);
/* Stop changing the FIB: what is there stays (kernel.persist, shutdown). */
void		 krt_freeze(struct krt *);
/* Remove every route and nexthop object of ours (no kernel.persist). */
void		 krt_remove_all(struct krt *);
void		 krt_free(struct krt *);
size_t		 krt_count(const struct krt *);
enum krt_state	 krt_route_state(const struct krt *, uint32_t id);
void		 krt_stats(const struct krt *, struct krt_stats *);

#endif
