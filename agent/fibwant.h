/*
 * fibwant.h: Calico's calico_kernel_programming filter (calico-compat 6,
 * bird_ipam.cfg.template) for one route: whether a pool's routes go in the
 * kernel at all, and the form of each next hop. Pure: no state, no system
 * call (the caller passes the function that finds tunl0's index), so
 * test_fibwant.c tests every IPIP / cross-subnet / VXLAN choice without a
 * kernel that has ipip.
 */
#ifndef TERN_FIBWANT_H
#define TERN_FIBWANT_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "datastore.h"
#include "krt.h"

/*
 * Routes of pool (NULL: outside every pool) go in the kernel: false for a
 * VXLAN pool (any vxlan mode: Felix programs VXLAN routes), true otherwise
 * (outside every pool too: a top-of-rack's routes are accepted).
 */
bool	fibwant_programmed(const struct ds_pool *pool);

/*
 * The hop for BGP next hop nh of a route in pool: via tunl0 onlink when the
 * pool's IPIP mode is always, or cross-subnet and nh is outside this node's
 * subnet; plain otherwise. No tunnel when tunl0 does not exist (tunl0 0,
 * Calico's BIRD then installs a plain route), for IPv6, or when this node's
 * subnet is unknown (Calico renders no pool rule without network_v4: every
 * route is accepted as it is). tunl0() gives the device's index (0: none)
 * and is called only when a tunnel is wanted: it costs system calls, and
 * a million routes outside IPIP pools must not pay them.
 */
void	fibwant_hop(const struct ds_pool *pool, const struct ds_local *local,
	    uint32_t (*tunl0)(void), const struct addr *nh,
	    struct krt_hop *out);

#endif
