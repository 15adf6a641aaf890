/*
 * model.h (internal to datastore/): the cluster model.
 *
 * A backend (file.c, or etcd.c through calico.c) stores raw facts here:
 * the global AS and node_mesh, the log level (global and this node's),
 * the nodes (with their route reflector cluster IDs) and their labels
 * (labels.h), the pools, this node's block affinities and the explicit BGP
 * peers (Calico's BGPPeers, with their node and peer selectors).
 * ds_model_commit() derives this node's view from them (SPEC 3,
 * calico-compat.md 3.1; the peers in derive.c) and reports only the
 * difference from the last committed view through struct ds_ops, then
 * "synced" after the first commit and after ds_model_resync(). Pools and
 * blocks that are unsafe (a default route, a length out of range, covering
 * a node's address, a block outside every pool) stay out of the view and
 * are logged once (model.c).
 *
 * Lifecycle of a full re-read (file reload, etcd resync after compaction):
 *
 *	ds_model_init(&fresh) -> setters on fresh -> ds_model_take(live, &fresh)
 *	    -> ds_model_commit(live)     (the view is kept; only changes go out)
 *
 * or ds_model_clear(live) -> setters -> ds_model_commit(live). The model
 * knows no YAML, JSON or etcd key. Hooks must not change the model.
 * Ownership: the model owns its facts and views; embedded in struct ds.
 */
#ifndef TERN_DS_MODEL_H
#define TERN_DS_MODEL_H

#include <bsd/sys/tree.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "datastore.h"

#define DS_DEFAULT_AS	64512	/* Calico's GlobalDefaultASNumber */
#define DS_BGP_PORT	179

/* What the next commit derives again (struct ds_model dirty) */
#define DS_DIRTY_PEERS	0x01u
#define DS_DIRTY_BLOCKS	0x02u
#define DS_DIRTY_POOLS	0x04u
#define DS_DIRTY_ALL	0x07u

/* A node as the datastore describes it. */
struct ds_model_node {
	char		name[DS_NAME_MAX];
	struct addr	ipv4;		/* unset: no IPv4 */
	struct addr	ipv6;
	struct prefix	net4;		/* its subnet, unset if unknown */
	struct prefix	net6;
	uint32_t	as;		/* 0: the global AS */
	uint32_t	rr_cluster_id;	/* route reflector cluster ID, host
					 * order; 0: not a reflector */
};

#define DS_PEER_ID_MAX	256	/* a v3 resource name is <= 253 bytes */

/*
 * An explicit BGP peer, as Calico's BGPPeer says it (derive.c applies it):
 *
 *   where:  node_sel set: on the nodes it matches; else node set: on that
 *           node; else (neither): on every node, a global peer.
 *   whom:   peer_sel set: every node it matches (addresses, AS and cluster
 *           ID from the node); else addr, as and port.
 *
 * Identity: id, when set (v3: the BGPPeer's name; the cluster file: a
 * peer with a selector); else (node, addr) (v2 keys, plain file peers).
 * Selectors are parsed by the backend (selector.h) and owned by the model
 * once given to ds_model_peer_set; the ones ds_model_peer_get shows are
 * the model's, valid until the peer is set again or deleted.
 */
struct ds_model_peer {
	char		 id[DS_PEER_ID_MAX];	/* "": by (node, addr) */
	char		 node[DS_NAME_MAX];	/* "": none */
	struct addr	 addr;		/* unset with peer_sel */
	uint32_t	 as;		/* 0 only with peer_sel */
	uint16_t	 port;		/* 0: not given (DS_BGP_PORT) */
	bool		 no_reverse;	/* v3 reversePeering: Manual */
	struct selector	*node_sel;	/* NULL: none (not even "") */
	struct selector	*peer_sel;
};

struct ds_mnode;
struct ds_mpool;
struct ds_mblock;
struct ds_mpeer;
struct ds_mlabels;
RB_HEAD(ds_mnode_tree, ds_mnode);
RB_HEAD(ds_mpool_tree, ds_mpool);
RB_HEAD(ds_mblock_tree, ds_mblock);
RB_HEAD(ds_mpeer_tree, ds_mpeer);
RB_HEAD(ds_mlabels_tree, ds_mlabels);

/* Pools or blocks the last commit refused (model.c), to log each once. */
struct ds_refusal;
struct ds_refusals {
	struct ds_refusal	*v;
	size_t			 n;
};

struct ds_model {
	char			 self[DS_NAME_MAX];
	struct addr		 ov4;		/* overrides from the config */
	struct addr		 ov6;
	uint32_t		 ovas;

	/* raw facts */
	uint32_t		 global_as;	/* 0: DS_DEFAULT_AS */
	bool			 node_mesh;
	struct ds_log		 log_global;	/* the cluster's log level */
	struct ds_log		 log_node;	/* this node's own */
	struct ds_mnode_tree	 nodes;		/* by name */
	struct ds_mpool_tree	 pools;		/* by cidr */
	struct ds_mblock_tree	 blocks;	/* this node's, by prefix */
	struct ds_mpeer_tree	 peers;		/* by id, or (node, addr) */
	struct ds_mlabels_tree	 labels;	/* by node (labels.h) */
	size_t			 nnodes, npools, nblocks, npeers;

	/* the last committed view, sorted arrays */
	struct ds_local		 local;
	struct ds_peer		*vpeers;	/* by name */
	size_t			 nvpeers;
	struct prefix		*vblocks;
	size_t			 nvblocks;
	struct ds_pool		*vpools;
	size_t			 nvpools;
	struct ds_log		 vlog;		/* log_node, else log_global */
	struct ds_refusals	 badpools;	/* refused, not in the view */
	struct ds_refusals	 badblocks;

	unsigned		 dirty;		/* DS_DIRTY_* */
	bool			 committed;	/* a view was reported */
	bool			 synced;
	bool			 resync;	/* synced again next commit */
};

void	ds_model_init(struct ds_model *, const char *self);
void	ds_model_fini(struct ds_model *);
/* Config overrides for this node (unset / 0: none). */
void	ds_model_set_overrides(struct ds_model *, const struct addr *ipv4,
	    const struct addr *ipv6, uint32_t as);
void	ds_model_set_global_as(struct ds_model *, uint32_t);	/* 0: 64512 */
void	ds_model_set_node_mesh(struct ds_model *, bool);
/* The log level, global or this node's (set false: none). */
void	ds_model_set_log(struct ds_model *, bool node, const struct ds_log *);

/* Setters copy; -1 on an invalid value (empty or unterminated name...).
 * ds_model_node_set keeps a node's labels (labels.h), _node_del drops them. */
int	ds_model_node_set(struct ds_model *, const struct ds_model_node *);
void	ds_model_node_del(struct ds_model *, const char *name);
const struct ds_model_node *ds_model_node_get(const struct ds_model *,
	    const char *name);
int	ds_model_pool_set(struct ds_model *, const struct ds_pool *);
void	ds_model_pool_del(struct ds_model *, const struct prefix *);
const struct ds_pool *ds_model_pool_get(const struct ds_model *,
	    const struct prefix *);
int	ds_model_block_add(struct ds_model *, const struct prefix *);
void	ds_model_block_del(struct ds_model *, const struct prefix *);
bool	ds_model_has_block(const struct ds_model *, const struct prefix *);
/*
 * Peers: the model takes p's selectors, also when it says -1 (a bad id or
 * node, or without peer_sel an address that is no IPv4 or IPv6 one or AS
 * 0). _del and _get find a peer by id when id is not "", else by (node,
 * addr).
 */
int	ds_model_peer_set(struct ds_model *, const struct ds_model_peer *p);
void	ds_model_peer_del(struct ds_model *, const char *id, const char *node,
	    const struct addr *);
const struct ds_model_peer *ds_model_peer_get(const struct ds_model *,
	    const char *id, const char *node, const struct addr *);

/*
 * A route reflector cluster ID as Calico writes it (Node spec.bgp.
 * routeReflectorClusterID, v2 rr_cluster_id: an IPv4 address) into host
 * order; "" is none (0). -1 for anything else, 0.0.0.0 included (0 means
 * "no reflector" here, and BIRD reads it as "use the router ID").
 */
int	ds_rr_cluster_id_parse(const char *, uint32_t *);

/* Drop every fact (global settings back to defaults); the view stays. */
void	ds_model_clear(struct ds_model *);
/* Replace dst's facts by src's (src is left empty); the view stays. */
void	ds_model_take(struct ds_model *dst, struct ds_model *src);
/* The next commit reports synced again (after a full re-list). */
void	ds_model_resync(struct ds_model *);
/* Derive the view and report the difference from the last one. */
void	ds_model_commit(struct ds_model *, const struct ds_ops *, void *arg);

/* The committed view. */
const struct ds_local *ds_model_local(const struct ds_model *);
const struct ds_peer *ds_model_peers(const struct ds_model *, size_t *);
const struct prefix *ds_model_blocks(const struct ds_model *, size_t *);
const struct ds_pool *ds_model_pools(const struct ds_model *, size_t *);
const struct ds_log *ds_model_log(const struct ds_model *);
bool	ds_model_is_synced(const struct ds_model *);

#endif
