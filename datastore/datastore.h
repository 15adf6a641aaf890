/*
 * datastore.h: where the cluster comes from (SPEC section 3).
 *
 * A backend (the cluster YAML file, or Calico's keys in etcd) feeds a
 * cluster model (model.c) with raw facts: nodes, global settings, pools,
 * block affinities, explicit peers. The model derives this node's view of
 * the cluster (its own address and AS, the peers it must have, the blocks
 * it must announce, the pools) and, on every commit, reports only the
 * difference from the last view through struct ds_ops, with typed,
 * validated values. JSON, YAML and etcd key strings never leave datastore/.
 *
 * datastore/ depends on lib/ only. Ownership: struct ds owns its backend,
 * model and events; values passed to hooks are valid only during the call.
 */
#ifndef TERN_DATASTORE_H
#define TERN_DATASTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "log.h"
#include "selector.h"

struct event_base;
struct ds;

#define DS_NAME_MAX	64	/* session and node names */
#define DS_MAX_ENDPOINTS	16	/* = CONF_MAX_ENDPOINTS */

enum ds_type {
	DS_TYPE_ETCDV3,
	DS_TYPE_ETCDV2,
	DS_TYPE_FILE,
};

enum ds_peer_type {
	DS_PEER_MESH,		/* node-to-node mesh: Mesh_<ip> */
	DS_PEER_GLOBAL,		/* global BGP peer:   Global_<ip> */
	DS_PEER_NODE,		/* node-specific:     Node_<ip> */
};

/*
 * A BGP session's options, as Calico's BGPPeer gives them (issue 15;
 * model.h says where each comes from and its defaults). One instance is
 * shared by every session a BGPPeer (or the mesh) produces and lives as
 * long as the view that shows it; compare with ds_peer_opts_eq.
 */
#define DS_RES_NAME_MAX		254	/* a Kubernetes name: <= 253 bytes */
#define DS_PEER_FILTERS_MAX	64	/* BGPFilter names per BGPPeer */
#define DS_TIME_UNSET		(-1)	/* restart/keepalive time not given */
#define DS_GR_TIME_MAX		4095	/* RFC 4724 3: 12 bits */
#define DS_LLGR_TIME_MAX	16777215	/* RFC 9494 3: 24 bits */

/* sourceAddress (UseNodeIP is Calico's default) */
enum ds_source_addr {
	DS_SRC_USE_NODE_IP,
	DS_SRC_NONE,
};

/* nextHopMode; UNSET: not given (keepOriginalNextHop may say Keep) */
enum ds_next_hop {
	DS_NH_UNSET,
	DS_NH_AUTO,
	DS_NH_SELF,
	DS_NH_KEEP,
};

/* restartMode (GracefulRestart is the default) */
enum ds_restart_mode {
	DS_RESTART_GR,
	DS_RESTART_LLGR,	/* LongLivedGracefulRestart, RFC 9494 */
};

/* failureDetectionMode (None is the default) */
enum ds_failure_detection {
	DS_FD_NONE,
	DS_FD_BFD_IF_DIRECT,	/* BFDIfDirectlyConnected */
};

/* Where a session's TCP MD5 key comes from. The text is never logged. */
enum ds_password_kind {
	DS_PW_NONE,
	DS_PW_SECRET,	/* a Kubernetes secret: name and key */
	DS_PW_FILE,	/* the cluster file's password_file: ref is the path */
	DS_PW_LITERAL,	/* the v1 peer JSON's "password": ref is the key */
};

struct ds_password {
	enum ds_password_kind	 kind;
	char			*ref;	/* secret name, file path or literal */
	char			*key;	/* DS_PW_SECRET: the secret's key */
};

struct ds_peer_opts {
	uint32_t		 local_as;	/* localASNumber; 0: unset */
	enum ds_source_addr	 source_addr;
	enum ds_next_hop	 next_hop;
	bool			 keep_next_hop;	/* keepOriginalNextHop, only
						 * when next_hop is UNSET;
						 * confd: eBGP sessions only */
	enum ds_restart_mode	 restart_mode;
	int32_t			 restart_time;	/* maxRestartTime, s: the GR
						 * restart time, with LLGR the
						 * long-lived stale time;
						 * UNSET: BIRD's 120, 3600 */
	int32_t			 keepalive_time; /* keepaliveTime, s; UNSET */
	uint32_t		 num_allow_local_as; /* 0: none */
	uint8_t			 ttl_security;	/* GTSM hops; 0: off */
	struct addr		 reachable_by;	/* unset: none */
	enum ds_failure_detection failure_detection;
	struct ds_password	 password;
	char			**filters;	/* BGPFilter names, in order */
	size_t			 nfilters;
};

bool		 ds_peer_opts_eq(const struct ds_peer_opts *,
		    const struct ds_peer_opts *);
/*
 * The options of o set to something else than what every session has
 * without them (Calico's field names, ", " between, in buf): what a
 * consumer that applies none of them yet can name in a log line. The
 * number of them; 0 leaves buf "".
 */
size_t		 ds_peer_opts_set(const struct ds_peer_opts *, char *buf,
		    size_t len);

struct ds_peer {
	char			name[DS_NAME_MAX];	/* session name */
	enum ds_peer_type	type;
	struct addr		addr;
	uint32_t		as;
	uint16_t		port;			/* 179 */
	char			node[DS_NAME_MAX];	/* mesh, or a peer from a
							 * peerSelector (or the
							 * reverse of one): the
							 * peer node's name */
	/*
	 * Route reflection (RFC 4456), as Calico's bird.cfg template decides
	 * `rr client; rr cluster id`: this node reflects to the peer when it
	 * is iBGP (its AS is ours), this node has a cluster ID and the peer's
	 * (rr_cluster_id below, 0 for a non-Calico peer) differs.
	 */
	bool			rr_client;
	/* A BGPPeer's peerIP that is a Calico node's address (confd's
	 * CalicoNode, client.go: peerIP peers only, never the nodes a
	 * peerSelector finds): a Global_ one is passive when its address
	 * sorts after ours, as on the mesh (bgp_processor.go) */
	bool			calico_node;
	uint32_t		rr_cluster_id;		/* the peer node's cluster
							 * ID, host order; 0: none
							 * or not a Calico node */
	const struct ds_peer_opts *opts;		/* never NULL; valid as
							 * long as the peer */
};

enum ds_ipip {
	DS_IPIP_NEVER,
	DS_IPIP_ALWAYS,
	DS_IPIP_CROSS_SUBNET,
};

/* vxlanMode: the same three values as ipipMode */
enum ds_vxlan {
	DS_VXLAN_NEVER,
	DS_VXLAN_ALWAYS,
	DS_VXLAN_CROSS_SUBNET,
};

/*
 * An IP pool as Calico defines it. A VXLAN pool's routes are never put in
 * the kernel (Felix programs them); with no_export (disableBGPExport)
 * nothing inside the pool is announced, own blocks included. A disabled
 * pool only stops new IPAM allocations: its routes are handled as usual.
 */
struct ds_pool {
	struct prefix		cidr;
	enum ds_ipip		ipip;
	enum ds_vxlan		vxlan;
	bool			disabled;
	bool			no_export;	/* disableBGPExport */
};

/* This node as the cluster describes it (after config overrides). */
struct ds_local {
	char			name[DS_NAME_MAX];
	struct addr		ipv4;		/* unset if unknown */
	struct addr		ipv6;
	struct prefix		net4;		/* own subnet, for cross-subnet */
	struct prefix		net6;
	uint32_t		as;
	/* v3 Node spec.bgp.routeReflectorClusterID, v2 /bgp/v1/host/<node>/
	 * rr_cluster_id, the cluster file's rr_cluster_id: an IPv4-style ID,
	 * host order; 0: this node is no route reflector */
	uint32_t		rr_cluster_id;
	bool			known;		/* the node exists in the store */
	/* issue 15: the node's label node.kubernetes.io/exclude-from-
	 * external-load-balancers is "true": it announces no service range
	 * (confd's ExcludeServiceAdvertisement) */
	bool			svc_excluded;
};

/*
 * The log level the cluster sets for this node's BGP daemon, what Calico's
 * confd renders into bird.cfg (calico-compat 1.1, 2.2, 3.1 item 3): the
 * node's own setting if it has one, else the global one. v3: the
 * BGPConfiguration node.<name>'s spec.logSeverityScreen, else default's;
 * v2: /bgp/v1/host/<name>/loglevel, else /bgp/v1/global/loglevel; the
 * cluster file: the node's log_severity, else the top-level one. Calico's
 * values map as debug -> debug (BIRD "debug all"), info -> info,
 * warning and v2's "none" -> warning, error, fatal, panic -> error.
 */
struct ds_log {
	bool		 set;		/* false: the cluster sets none */
	enum log_level	 level;
};

/* A BGP community: standard aa:nn (RFC 1997) or large aa:nn:mm (RFC 8092) */
struct ds_community {
	bool		 large;
	uint32_t	 v[3];		/* standard: v[0], v[1] <= 65535, v[2] 0 */
};

/* BGPConfiguration communities[]: a value by name */
struct ds_named_community {
	char			*name;
	struct ds_community	 c;
};

/* prefixAdvertisements[]: communities for the routes inside cidr */
struct ds_prefix_adv {
	struct prefix		 cidr;
	struct ds_community	*comms;	/* resolved, no repeats, in Calico's
					 * order (sorted as text) */
	size_t			 ncomms;
};

/* bindMode */
enum ds_bind_mode {
	DS_BIND_NONE,		/* every address (the default) */
	DS_BIND_NODE_IP,	/* only the node's own address */
};

struct ds_prefixes {
	struct prefix	*v;
	size_t		 n;
};

/*
 * This node's BGP configuration (BGPConfiguration default, and node.<name>
 * where Calico lets it override; model.h says which field comes from
 * which). Every list is empty and every value unset when not given.
 */
struct ds_bgp_config {
	uint16_t		 listen_port;	/* 0: unset (179) */
	enum ds_bind_mode	 bind_mode;
	struct ds_named_community *communities;
	size_t			 ncommunities;
	struct ds_prefix_adv	*prefix_advs;
	size_t			 nprefix_advs;
	struct ds_prefixes	 svc_cluster_ips;	/* serviceClusterIPs */
	struct ds_prefixes	 svc_external_ips;	/* serviceExternalIPs */
	struct ds_prefixes	 svc_lb_ips;	/* serviceLoadBalancerIPs */
	char			**ignored_ifaces;	/* ignoredInterfaces */
	size_t			 nignored_ifaces;
	struct ds_password	 mesh_password;	/* nodeMeshPassword */
	int32_t			 mesh_restart_time;	/* nodeMeshMaxRestartTime,
							 * s; DS_TIME_UNSET */
};

/* A BGPFilter rule's matchOperator; NONE: no cidr */
enum ds_filter_op {
	DS_FOP_NONE,
	DS_FOP_EQUAL,
	DS_FOP_NOT_EQUAL,
	DS_FOP_IN,
	DS_FOP_NOT_IN,
};

enum ds_filter_action {
	DS_FACT_ACCEPT,
	DS_FACT_REJECT,
};

/* source: RemotePeers (routes learned from BGP peers), else any */
enum ds_filter_source {
	DS_FSRC_ANY,
	DS_FSRC_REMOTE_PEERS,
};

/* peerType: eBGP or iBGP peers only, else any */
enum ds_filter_peer_type {
	DS_FPEER_ANY,
	DS_FPEER_EBGP,
	DS_FPEER_IBGP,
};

#define DS_IFNAME_PATTERN_MAX	16	/* 15 characters, Linux IFNAMSIZ */

/*
 * A BGPFilter rule, as confd renders it (template_funcs.go
 * filterStatement): it matches when every condition it sets holds: the
 * route's prefix against cidr by op (In: inside or equal), with has_len
 * within [cidr{max(cidr's length, min_len), min(32 or 128, max_len)}];
 * source: learned from a BGP peer; iface: the route's interface matches
 * the pattern ('*' any run); peer_type: the session is eBGP or iBGP. The
 * first rule that matches decides with its action; when none does,
 * Calico's own export policy follows (import: accept). A peer's filters
 * run in its order, each direction and family its own list.
 */
struct ds_filter_rule {
	struct prefix		 cidr;		/* af 0: none (op NONE) */
	enum ds_filter_op	 op;
	bool			 has_len;	/* prefixLength given */
	int16_t			 min_len;	/* -1: unset (the cidr's) */
	int16_t			 max_len;	/* -1: unset (32 or 128) */
	enum ds_filter_source	 source;
	char			 iface[DS_IFNAME_PATTERN_MAX]; /* "": any */
	enum ds_filter_peer_type peer_type;
	enum ds_filter_action	 action;
};

enum ds_filter_dir {
	DS_FILTER_EXPORT_V4,
	DS_FILTER_IMPORT_V4,
	DS_FILTER_EXPORT_V6,
	DS_FILTER_IMPORT_V6,
	DS_FILTER_NDIR,
};

#define DS_FILTER_RULES_MAX	1000	/* per direction */

/* A BGPFilter: its rules in order, per direction. */
struct ds_filter {
	char			 name[DS_RES_NAME_MAX];
	struct ds_filter_rule	*rules[DS_FILTER_NDIR];
	size_t			 nrules[DS_FILTER_NDIR];
};

/* Two rules match the same routes the same way (every field equal). */
bool		 ds_filter_rule_eq(const struct ds_filter_rule *,
		    const struct ds_filter_rule *);

struct ds_ops {
	/* own address/AS known or changed */
	void	(*local_changed)(void *arg, const struct ds_local *);
	/* add: old NULL; delete: new NULL; change: both set, same name */
	void	(*peer_changed)(void *arg, const struct ds_peer *new_peer,
		    const struct ds_peer *old_peer);
	/*
	 * an own block (block affinity of this node) added or removed; only
	 * blocks that pass the model's checks (inside a pool, not a default
	 * route, not covering a node's address, a sane length) are reported
	 */
	void	(*block_changed)(void *arg, const struct prefix *, bool present);
	/* add: old NULL; delete: new NULL; change: both set, same cidr */
	/* (only pools that pass the model's checks, as for blocks) */
	void	(*pool_changed)(void *arg, const struct ds_pool *new_pool,
		    const struct ds_pool *old_pool);
	/* the first full view has been delivered (and again after a resync) */
	void	(*synced)(void *arg);
	/* the cluster's log level for this node changed (set or unset) */
	void	(*log_changed)(void *arg, const struct ds_log *);
};

/*
 * The hooks of issue 15's options, apart from struct ds_ops so that its
 * users stay as they are (ds_set_option_ops; none by default). A commit
 * calls them after local_changed and before the pools, blocks and peers,
 * so a filter is known before a peer that names it.
 */
struct ds_option_ops {
	/* this node's BGP configuration changed (the view starts with every
	 * value unset: an unchanged default is never reported) */
	void	(*config_changed)(void *arg, const struct ds_bgp_config *);
	/* a BGPFilter: add: old NULL; delete: new NULL; change: both set,
	 * same name; removals and changes before additions */
	void	(*filter_changed)(void *arg, const struct ds_filter *new_filter,
		    const struct ds_filter *old_filter);
};

/*
 * etcd failure detection and retries (ms; 0 takes the default in [ ]),
 * etcd.h explains each. ternd.yaml (datastore:) sets them as, in this
 * order: retry_backoff_min_ms, retry_backoff_max_ms, relist_backoff_min_ms,
 * relist_backoff_max_ms, probe_interval_ms, probe_timeout_ms,
 * watch_silence_ms.
 */
struct ds_etcd_timing {
	unsigned	 backoff_min_ms;	/* [100] after a failure */
	unsigned	 backoff_max_ms;	/* [5000] */
	unsigned	 relist_min_ms;		/* [1000] a compaction again */
	unsigned	 relist_max_ms;		/* [30000] */
	unsigned	 probe_interval_ms;	/* [2000] */
	unsigned	 probe_timeout_ms;	/* [3000] */
	unsigned	 watch_silence_ms;	/* [1500000] (25 min) */
};

struct ds_params {
	enum ds_type	 type;
	const char	*node_name;
	struct addr	 ipv4;		/* overrides from the config, or unset */
	struct addr	 ipv6;
	uint32_t	 as;		/* 0: not overridden */
	const char	*path;		/* DS_TYPE_FILE */
	const char *const *endpoints;	/* etcd */
	size_t		 nendpoints;
	const char	*prefix;	/* "/calico" */
	const char	*ca_file;
	const char	*cert_file;
	const char	*key_file;
	struct ds_etcd_timing etcd_timing;	/* 0: the default of each */
};

/* Create; copies params. Nothing is read until ds_start(). */
struct ds	*ds_new(struct event_base *, const struct ds_params *,
		    const struct ds_ops *, void *arg);
/* The option hooks (ops and arg outlive ds); before ds_start. */
void		 ds_set_option_ops(struct ds *, const struct ds_option_ops *,
		    void *arg);
/* Initial read and (file) change watch. -1: unusable (e.g. bad file). */
int		 ds_start(struct ds *);
/* Re-read everything now (SIGHUP, "configure"); applies the difference. */
int		 ds_reload(struct ds *);
/* Stop watching; the last view stays valid until ds_free. */
void		 ds_stop(struct ds *);
void		 ds_free(struct ds *);
/* Current derived view, for status output. */
const struct ds_local *ds_local(const struct ds *);
bool		 ds_is_synced(const struct ds *);
/* The cluster's log level for this node, as log_changed last said. */
const struct ds_log *ds_log(const struct ds *);
/* A Calico severity (any case): debug, info, warning, none (v2: BIRD logs
 * no debug), error, fatal, panic. -1: none of them. */
int		 ds_log_level_parse(const char *, enum log_level *);
/* The current peers, sorted by name (the view the hooks last reported). */
const struct ds_peer *ds_peers(const struct ds *, size_t *npeers);
/* This node's BGP configuration, as config_changed last said. */
const struct ds_bgp_config *ds_bgp_config(const struct ds *);
/* The BGPFilters by name (*n of them); NULL for none (a peer may name a
 * filter that does not exist: Calico's confd skips it). */
const struct ds_filter *ds_filter_get(const struct ds *, const char *name);
const struct ds_filter *ds_filters(const struct ds *, size_t *n);
/*
 * A node's labels, for Calico's selectors (selector.h): v3 Node
 * metadata.labels, the cluster file's labels:, none in v2. Sorted by key,
 * ending with a NULL key, *n of them; NULL for an unknown node. A node's
 * labels are checked as Kubernetes does (datastore/labels.h); a bad set
 * is logged and the node has none. Valid until the datastore next applies
 * a change (a file reload, an etcd event) or ds_free.
 */
const struct selector_label *ds_node_labels(const struct ds *,
		    const char *node, size_t *n);
/* The same as a selector_labels for selector_match (none: no labels). */
void		 ds_node_selector_labels(const struct ds *, const char *node,
		    struct selector_labels *);
/*
 * Why the last load or reload failed ("file:line: key K: why"), for the
 * control socket's "configure" reply; NULL when it succeeded.
 */
const char	*ds_last_error(const struct ds *);
/* The datastore's connection, for metrics. */
struct ds_stats {
	bool		 connected;	/* etcd: an endpoint answers (the last
					 * state logged); file: the last load
					 * was good */
	bool		 has_revision;	/* etcd only */
	int64_t		 revision;	/* highest seen (v3 revision, v2 index) */
	uint64_t	 heard_ms;	/* etcd: last data on a watch stream or
					 * connect, timer_now_ms(); 0: never */
	uint64_t	 resyncs;	/* etcd: everything read again (a
					 * compaction, a lost watch) */
};
void		 ds_stats(const struct ds *, struct ds_stats *);
const char	*ds_type_name(enum ds_type);
const char	*ds_peer_type_name(enum ds_peer_type);
/* Calico's spellings: "UseNodeIP", "Auto", "LongLivedGracefulRestart",
 * "BFDIfDirectlyConnected", "NodeIP", "NotIn", "Reject", "RemotePeers",
 * "eBGP" ("" for DS_NH_UNSET, DS_FOP_NONE, DS_FSRC_ANY, DS_FPEER_ANY) */
const char	*ds_source_addr_name(enum ds_source_addr);
const char	*ds_next_hop_name(enum ds_next_hop);
const char	*ds_restart_mode_name(enum ds_restart_mode);
const char	*ds_failure_detection_name(enum ds_failure_detection);
const char	*ds_bind_mode_name(enum ds_bind_mode);
const char	*ds_filter_op_name(enum ds_filter_op);
const char	*ds_filter_action_name(enum ds_filter_action);
const char	*ds_filter_source_name(enum ds_filter_source);
const char	*ds_filter_peer_type_name(enum ds_filter_peer_type);
/* "aa:nn" or "aa:nn:mm" into buf (DS_COMMUNITY_STRLEN bytes) */
#define DS_COMMUNITY_STRLEN	33
const char	*ds_community_fmt(const struct ds_community *, char *, size_t);

/* Session name per Calico: Mesh_198_18_0_2, Global_fd00__1 ('.'/':' -> '_'). */
void		 ds_peer_name(char *buf, size_t len, enum ds_peer_type,
		    const struct addr *);

#endif
