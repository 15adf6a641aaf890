/*
 * rr.h (internal to bgpd/): route reflection, RFC 4456, as pure functions
 * on attribute sets (import.c applies them; tests/unit/test_rr.c checks
 * them row by row).
 *
 * A reflector (a cluster ID set) passes iBGP-learned paths on to iBGP
 * peers: a path from a client to every peer, a path from a non-client to
 * clients only (section 6). A reflected path carries ORIGINATOR_ID (the
 * router ID of the peer it came from, unless it has one) and the
 * reflector's cluster ID prepended to CLUSTER_LIST; its next hop, LOCAL_PREF
 * and MED are left as they are. A path that comes back (our router ID as
 * ORIGINATOR_ID, our cluster ID in CLUSTER_LIST) is a loop (section 8).
 * Both attributes are optional non-transitive: never sent to eBGP peers.
 */
#ifndef TERN_BGP_RR_H
#define TERN_BGP_RR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rib.h"

/* The longest CLUSTER_LIST we reflect (IDs; a longer one is not reflected). */
#define BGP_RR_MAX_CLUSTER	255

enum bgp_rr_loop {
	BGP_RR_NO_LOOP,
	BGP_RR_LOOP_ORIGINATOR,		/* ORIGINATOR_ID is our router ID */
	BGP_RR_LOOP_CLUSTER,		/* CLUSTER_LIST holds our cluster ID */
};

/* RFC 4456 8 on a path received over iBGP (cluster_id 0: no reflector). */
enum bgp_rr_loop bgp_rr_loop(const struct rib_attrs *, uint32_t router_id,
	    uint32_t cluster_id);
const char	*bgp_rr_loop_name(enum bgp_rr_loop);

/* RFC 4456 6: may a path learned from an iBGP peer (a client or not) go to
 * another iBGP peer (a client or not)? Never without a cluster ID. */
bool		 bgp_rr_reflect_ok(uint32_t cluster_id, bool from_client,
		    bool to_client);

/*
 * *out = *in as reflected: ORIGINATOR_ID kept or set to src_router_id,
 * cluster_id prepended to CLUSTER_LIST, which is built in buf (cap IDs).
 * -1 (out undefined): the list would be longer than cap.
 */
int		 bgp_rr_reflect_attrs(struct rib_attrs *out,
		    const struct rib_attrs *in, uint32_t src_router_id,
		    uint32_t cluster_id, uint32_t *buf, size_t cap);

/* Towards an eBGP peer: drop ORIGINATOR_ID and CLUSTER_LIST from *t. */
void		 bgp_rr_strip(struct rib_attrs *t);

#endif
