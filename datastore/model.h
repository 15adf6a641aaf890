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
 *
 * Issue 15's options (the view: struct ds_peer_opts on every ds_peer,
 * struct ds_bgp_config and struct ds_filter, datastore.h). Each is read
 * from three sources with Calico's names (calico 87c15906 api/pkg/apis/
 * projectcalico/v3, tigera/api for the Calico Enterprise fields): v3
 * resource JSON (calico_opts.c), the v1 keys Calico 3.x's confd keeps
 * under /calico/bgp/v1 (calico_opts.c) and the cluster file in snake_case
 * (cluster_bgp.c). Value (default; v1 key; cluster file):
 *
 *   BGPPeer, on every session it derives (derive.c):
 *     peerIP ip:port      ("_port_<n>" ends the name; v1 key <ip>-<port>
 *                          or "port"; ip: A:P / [V6]:P)
 *     localASNumber       (unset 0; local_as_num; local_as_number)
 *     sourceAddress       (UseNodeIP; source_addr; source_address)
 *     keepOriginalNextHop (false; keep_next_hop; keep_original_next_hop)
 *     nextHopMode         (unset; next_hop_mode; next_hop_mode)
 *     restartMode         (GracefulRestart; -; restart_mode)
 *     maxRestartTime      (unset: BIRD's 120 s GR, 3600 s LLGR; seconds
 *                          rounded as confd; restart_time, decimal s;
 *                          max_restart_time, a Go duration)
 *     keepaliveTime       (unset; keepalive_time; keepalive_time) 1..65535
 *     numAllowedLocalASNumbers (0; num_allow_local_as;
 *                          num_allowed_local_as_numbers) 0..2^31-1
 *     ttlSecurity         (0: off; ttl_security; ttl_security) 0..255
 *     reachableBy         (none; reachable_by; reachable_by) peerIP's family
 *     password.secretKeyRef {name, key} (none; "password": the literal key;
 *                          password_file: a path, the file's content)
 *     failureDetectionMode (None; -; failure_detection_mode)
 *     filters             (none; filters; filters) <= 64 BGPFilter names
 *     reversePeering      (Auto; -; reverse_peering)
 *   BGPConfiguration default (top level of the cluster file):
 *     listenPort (unset: 179; listen_port; listen_port), bindMode (None;
 *     -; bind_mode), communities [{name, value}] (-; communities),
 *     prefixAdvertisements [{cidr, communities}] (prefix_advertisements/
 *     ip_v4|ip_v6, literal values; prefix_advertisements),
 *     serviceClusterIPs, serviceExternalIPs, serviceLoadBalancerIPs
 *     [{cidr}] (-; service_cluster_ips, service_external_ips,
 *     service_loadbalancer_ips: CIDRs or {cidr}), ignoredInterfaces (-;
 *     ignored_interfaces), nodeMeshPassword.secretKeyRef (-;
 *     node_mesh_password_file), nodeMeshMaxRestartTime (unset; -;
 *     node_mesh_max_restart_time); logSeverityScreen as before.
 *   BGPConfiguration node.<name> (nodes[] of the cluster file): listenPort
 *     of any node, prefixAdvertisements (with the communities they name)
 *     and logSeverityScreen of this node; Calico reads nothing else there.
 *   BGPFilter (filters: [{name, export_v4, import_v4, export_v6,
 *     import_v6}]): rules in order, {cidr, prefixLength {min, max},
 *     matchOperator Equal|NotEqual|In|NotIn, source RemotePeers,
 *     interface, peerType eBGP|iBGP, action Accept|Reject} (snake_case
 *     keys in the file); no v1 key exists.
 *
 * Where Calico leaves it open, tern decides:
 *   - Mesh sessions take nodeMeshPassword and nodeMeshMaxRestartTime
 *     (bgp_processor.go processMeshPeers) and nothing else; a BGPPeer's
 *     sessions to nodes (peerSelector, reverse peerings) take every option
 *     but localASNumber and numAllowedLocalASNumbers (confd's
 *     nodeAsBGPPeers does not copy them).
 *   - Ports as confd's: a session to a node is at that node's listenPort,
 *     else the default's, and says it in its name unless it is a mesh
 *     session; a peerIP without a port that is a node's address and AS
 *     takes that node's port (the first such node by name: confd takes a
 *     map's first); a reverse peering by peerIP:port compares the port
 *     with this node's as confd does (quirk included, derive.c).
 *   - A bad value: a BGPPeer (v3, v1 JSON) with any bad option is ignored
 *     whole (no session), as Calico's API would refuse it; a BGPFilter
 *     with any bad rule is ignored whole (a peer naming it skips it, as
 *     confd skips a missing filter); a bad BGPConfiguration field is left
 *     unset and said, the rest of the resource counts (Calico's decoder
 *     drops the whole resource on a wrong JSON type, which would turn the
 *     mesh on and the AS to 64512: failing per field is safer). The
 *     cluster file refuses any bad value (the last good view stays).
 *   - A field Calico has that tern does not model is said once as not
 *     supported: BGPPeer birdGatewayMode (but Recursive), extensions,
 *     externalNetwork (Calico Enterprise; the session stands), and
 *     localWorkloadSelector (the BGPPeer is ignored: tern knows no
 *     workloads); BGPConfiguration serviceLoadBalancerAggregation (but
 *     Enabled), programClusterRoutes, ipv4/ipv6NormalRoutePriority,
 *     localWorkloadPeeringIPV4/IPV6; a BGPFilter rule matching on
 *     communities, asPathPrefix or priority is dropped, its operations
 *     are left out (the rule accepts without them). Calico 2.x's
 *     custom_filters (BIRD text) are refused.
 *   - keepOriginalNextHop with nextHopMode: nextHopMode wins (confd's
 *     getNextHopMode); the cluster file refuses both (Calico's CEL rule).
 *   - Communities: a prefixAdvertisements entry names a value in Calico's
 *     syntax (aa:nn 16 bits each, aa:nn:mm 32 bits each; validated, unlike
 *     confd, which would hand BIRD an out-of-range one) or a community of
 *     the same resource; repeats are dropped and the rest sorted as text
 *     (confd's getCommunitiesArray). A node's prefixAdvertisements, given
 *     (even []), replace the default's of both families (v1: per family).
 *   - Durations are Go's time.ParseDuration; maxRestartTime is at most
 *     4095 s (RFC 4724's 12 bits), 16777215 s with LongLivedGracefulRestart
 *     (RFC 9494's 24 bits); nodeMeshMaxRestartTime at most 4095 s.
 *   - CIDRs (prefixAdvertisements, service IPs, filter rules) are Calico's
 *     "net": host bits zero, or an address as /32 or /128. A v1 peer
 *     without source_addr uses the node's address (Calico 2.x's template).
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
#define DS_DIRTY_CONFIG	0x08u
#define DS_DIRTY_FILTERS	0x10u
#define DS_DIRTY_ALL	0x1fu

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
	const struct ds_peer_opts *opts; /* NULL: defaults; the model takes it */
};

struct ds_mnode;
struct ds_mpool;
struct ds_mblock;
struct ds_mpeer;
struct ds_mlabels;
struct ds_mport;
struct ds_mfilter;
RB_HEAD(ds_mnode_tree, ds_mnode);
RB_HEAD(ds_mpool_tree, ds_mpool);
RB_HEAD(ds_mblock_tree, ds_mblock);
RB_HEAD(ds_mpeer_tree, ds_mpeer);
RB_HEAD(ds_mlabels_tree, ds_mlabels);
RB_HEAD(ds_mport_tree, ds_mport);
RB_HEAD(ds_mfilter_tree, ds_mfilter);

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
	struct ds_bgp_config	 conf;		/* BGPConfiguration default */
	struct ds_bgp_config	 nconf;		/* node.<self>: its advs */
	bool			 nadv_set[2];	/* nconf's v4, v6 advs given */
	struct ds_mport_tree	 ports;		/* node.<name> listenPort */
	struct ds_mfilter_tree	 filters;	/* BGPFilters by name */
	size_t			 nfilters;

	/* the last committed view, sorted arrays */
	struct ds_local		 local;
	struct ds_peer		*vpeers;	/* by name */
	size_t			 nvpeers;
	struct prefix		*vblocks;
	size_t			 nvblocks;
	struct ds_pool		*vpools;
	size_t			 nvpools;
	struct ds_log		 vlog;		/* log_node, else log_global */
	struct ds_bgp_config	 vconf;
	struct ds_filter	*vfilters;	/* by name */
	size_t			 nvfilters;
	struct ds_refusals	 badpools;	/* refused, not in the view */
	struct ds_refusals	 badblocks;

	unsigned		 dirty;		/* DS_DIRTY_* */
	const struct ds_option_ops *oops;	/* NULL: none */
	void			*oarg;
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
 * Peers: the model takes p's selectors and its reference to p's options,
 * also when it says -1 (a bad id or node, or without peer_sel an address
 * that is no IPv4 or IPv6 one or AS 0). _del and _get find a peer by id
 * when id is not "", else by (node, addr): a peer with a port has an id
 * (the cluster file's peers[i], v1's "v1 NODE/KEY").
 */
int	ds_model_peer_set(struct ds_model *, const struct ds_model_peer *p);
void	ds_model_peer_del(struct ds_model *, const char *id, const char *node,
	    const struct addr *);
const struct ds_model_peer *ds_model_peer_get(const struct ds_model *,
	    const char *id, const char *node, const struct addr *);

/*
 * BGPConfiguration and BGPFilter facts (bgpconf.c). Setters copy.
 *
 * _set_bgp_config: the default BGPConfiguration's values (NULL: every one
 * unset again); _bgp_config shows them (for v2's keys, each of which sets
 * one part). _set_node_advs: this node's own prefixAdvertisements of one
 * family (node.<self>; v2 host/<self>/prefix_advertisements/ip_v4|ip_v6):
 * set, they replace the default's of that family, even when there are
 * none (confd's processCommunityRules); unset, the default's count.
 * _set_listen_port: a node's listenPort (node.<name>; 0: none), which
 * wins over the default's for that node, as this node's port and as the
 * port of sessions to it (confd's nodeListenPorts).
 */
void	ds_model_set_bgp_config(struct ds_model *, const struct ds_bgp_config *);
const struct ds_bgp_config *ds_model_bgp_config(const struct ds_model *);
void	ds_model_set_node_advs(struct ds_model *, uint8_t af, bool set,
	    const struct ds_prefix_adv *, size_t n);
void	ds_model_set_listen_port(struct ds_model *, const char *node,
	    uint16_t port);
/* node's listenPort, else the default's; 0: neither */
uint16_t ds_model_listen_port(const struct ds_model *, const char *node);
/* -1 for a name that is no Calico name (options.h ds_k8s_name_ok) */
int	ds_model_filter_set(struct ds_model *, const struct ds_filter *);
void	ds_model_filter_del(struct ds_model *, const char *name);
const struct ds_filter *ds_model_filter_get(const struct ds_model *,
	    const char *name);

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
/* Derive the view and report the difference from the last one (the
 * option hooks, when set, with their own arg). */
void	ds_model_commit(struct ds_model *, const struct ds_ops *, void *arg);
void	ds_model_set_option_ops(struct ds_model *,
	    const struct ds_option_ops *, void *arg);

/* The committed view. */
const struct ds_local *ds_model_local(const struct ds_model *);
const struct ds_peer *ds_model_peers(const struct ds_model *, size_t *);
const struct prefix *ds_model_blocks(const struct ds_model *, size_t *);
const struct ds_pool *ds_model_pools(const struct ds_model *, size_t *);
const struct ds_log *ds_model_log(const struct ds_model *);
const struct ds_bgp_config *ds_model_config(const struct ds_model *);
const struct ds_filter *ds_model_filters(const struct ds_model *, size_t *);
const struct ds_filter *ds_model_filter_view(const struct ds_model *,
	    const char *name);
bool	ds_model_is_synced(const struct ds_model *);

/* bgpconf.c, for model.c: its part of init, clear, take, fini, commit. */
void	ds_bgpconf_init(struct ds_model *);
void	ds_bgpconf_clear(struct ds_model *);
void	ds_bgpconf_take(struct ds_model *dst, struct ds_model *src);
void	ds_bgpconf_fini(struct ds_model *);
void	ds_bgpconf_commit(struct ds_model *);
/* The mesh's session options (nodeMeshPassword, nodeMeshMaxRestartTime):
 * a new reference, for derive.c. */
const struct ds_peer_opts *ds_model_mesh_opts(const struct ds_model *);

#endif
