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

struct krt_want {
	enum krt_type	 type;
	struct addr	 gw;
	uint32_t	 oif;		/* 0: the interface the kernel resolves */
	bool		 onlink;	/* with oif: IPIP via tunl0 */
};

/* Id <-> prefix, for ids the agent has set and not unset (the rib). */
struct krt_ops {
	bool	(*id_prefix)(void *arg, uint32_t id, struct prefix *);
	bool	(*prefix_id)(void *arg, const struct prefix *, uint32_t *id);
};

struct krt	*krt_new(struct event_base *, uint8_t protocol, uint32_t table,
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

#endif
