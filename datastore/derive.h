/*
 * derive.h (internal to model.c and derive.c): the model's node and peer
 * records, shared by the model (model.c owns and changes them) and the
 * peer derivation (derive.c only reads them).
 */
#ifndef TERN_DS_DERIVE_H
#define TERN_DS_DERIVE_H

#include <bsd/sys/tree.h>
#include <stddef.h>

#include "model.h"

struct ds_mnode {
	RB_ENTRY(ds_mnode)	 entry;
	struct ds_model_node	 n;
};

/*
 * A BGPPeer: p.opts (never NULL here) for the sessions to its peerIP;
 * nopts for the sessions to nodes (its peerSelector, reverse peerings),
 * which confd builds without localASNumber and numAllowedLocalASNumbers
 * (nodeAsBGPPeers). One reference each, held by the fact.
 */
struct ds_mpeer {
	RB_ENTRY(ds_mpeer)	 entry;
	struct ds_model_peer	 p;
	const struct ds_peer_opts *nopts;
};

int	ds_mnode_cmp(const struct ds_mnode *, const struct ds_mnode *);
int	ds_mpeer_cmp(const struct ds_mpeer *, const struct ds_mpeer *);
RB_PROTOTYPE(ds_mnode_tree, ds_mnode, entry, ds_mnode_cmp)
RB_PROTOTYPE(ds_mpeer_tree, ds_mpeer, entry, ds_mpeer_cmp)

/*
 * This node's peers (derive.c: the mesh, the global, node-specific and
 * reverse peerings, as Calico's confd) from the model's facts and this
 * node's derived view l (its addresses, AS and cluster ID): a new array
 * sorted by name, one peer per name (*np of them; the caller frees it).
 * Reads the model only; never logs. Each peer holds a reference to its
 * options (ds_peers_free).
 */
struct ds_peer	*ds_derive_peers(const struct ds_model *,
		    const struct ds_local *l, size_t *np);
/* Free a view of n peers (each holds a reference to its options). */
void		 ds_peers_free(struct ds_peer *, size_t n);

#endif
