/*
 * bgpd.h: the BGP speaker's public API (the only bgpd header other modules
 * include).
 *
 * bgpd is a "protocol" on the rib core (BIRD proto/ on nest/): it owns the
 * listening sockets, one struct bgp_peer per configured session with its
 * FSM, timers, TCP connection and Adj-RIB-Out, and it feeds what peers
 * announce into the rib under each peer's struct rib_src. It never touches
 * the FIB or the datastore: the agent tells it which peers exist
 * (bgpd_peer_add/_del) and filters imports and exports through the small
 * struct bgpd_ops hook.
 *
 * Lifecycle of a peer (RFC 4271 8 states):
 *
 *     Idle --start--> Connect --tcp ok--> OpenSent --OPEN--> OpenConfirm
 *      ^               |   ^                 |                   |
 *      |          fail |   | retry timer     |      KEEPALIVE    v
 *      |               v   |                 |              Established
 *      +--- error ---- Active <---- error ---+------------------+
 *
 * A passive peer waits in Active for the other side to connect.
 */
#ifndef TERN_BGPD_H
#define TERN_BGPD_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "addr.h"
#include "rib.h"

struct event_base;
struct bgpd;
struct bgp_peer;

#define BGPD_NAME_MAX	64
#define BGPD_PASSWORD_MAX 80		/* Linux TCP_MD5SIG_MAXKEYLEN */
#define BGPD_DEFAULT_PORT 179

enum bgp_state {
	BGP_STATE_IDLE,
	BGP_STATE_CONNECT,
	BGP_STATE_ACTIVE,
	BGP_STATE_OPENSENT,
	BGP_STATE_OPENCONFIRM,
	BGP_STATE_ESTABLISHED,
};
const char *bgp_state_name(enum bgp_state);

enum bgpd_peer_kind {
	BGPD_PEER_MESH,
	BGPD_PEER_GLOBAL,
	BGPD_PEER_NODE,
};

/*
 * What NEXT_HOP a peer is sent (BIRD's `next hop self` / `next hop keep`,
 * what Calico's nextHopMode renders to). AUTO is BIRD's default: our own
 * address towards eBGP; towards iBGP the next hop a BGP path came with
 * (ours for our own routes).
 */
enum bgpd_next_hop {
	BGPD_NH_AUTO,
	BGPD_NH_SELF,		/* always our address, reflected paths too */
	BGPD_NH_KEEP,		/* a BGP path's next hop as it came */
};

#define BGPD_LLGR_DEF_TIME	3600	/* BIRD's long lived stale time */
#define BGPD_LLGR_TIME_MAX	0xffffff	/* RFC 9494 3: 24 bits */

struct bgpd_params {
	uint32_t	 local_as;
	uint32_t	 router_id;		/* host order; 0 = from local_v4 */
	struct addr	 local_v4;		/* source and next-hop-self */
	struct addr	 local_v6;
	uint16_t	 port;			/* listen and connect port */
	uint16_t	 hold_time;
	uint16_t	 keepalive_time;
	uint16_t	 connect_retry_time;
	bool		 graceful_restart;
	uint16_t	 restart_time;
	bool		 gr_restarting;		/* we restarted with FIB kept */
	bool		 add_paths;
	uint32_t	 max_prefixes;		/* 0 = no limit */
	/*
	 * Bounds on what one neighbour can make us spend (SPEC 8); 0 takes
	 * the default named with each BGPD_DEF_*.
	 */
	size_t		 in_max;		/* unprocessed input, bytes */
	uint32_t	 max_paths;		/* paths per prefix per peer */
	size_t		 mem_max;		/* paths + attribute sets, bytes */
	uint16_t	 open_wait;		/* s for an incoming OPEN */
	uint16_t	 refresh_interval;	/* s between served refreshes */
	/* ms: changes within it of the last UPDATEs built for a peer (or
	 * its group) go together at its end; 0: each at once */
	uint16_t	 adv_interval_ms;
	uint8_t		 allow_local_as;	/* own AS allowed in AS_PATH */
	const char	*password;		/* TCP MD5, "" = none */
	/* RFC 4456: our cluster ID, host order; 0: we reflect nothing */
	uint32_t	 rr_cluster_id;
	bool		 listen;		/* false: tests without sockets */
	/* BGPConfiguration bindMode NodeIP: listen on these only (unset:
	 * every address of the family) */
	struct addr	 listen_v4;
	struct addr	 listen_v6;
};

#define BGPD_DEF_IN_MAX		(256 * 1024)
#define BGPD_MIN_IN_MAX		(2 * 65535)	/* two extended messages */
#define BGPD_DEF_MAX_PATHS	1024
#define BGPD_DEF_MEM_MAX	((size_t)32 << 20)
#define BGPD_DEF_OPEN_WAIT	5
#define BGPD_DEF_REFRESH_INTERVAL 1
#define BGPD_MEM_UNLIMITED	SIZE_MAX

struct bgpd_peer_conf {
	char			name[BGPD_NAME_MAX];	/* Mesh_198_18_0_2 */
	enum bgpd_peer_kind	kind;
	struct addr		addr;
	uint32_t		as;
	uint16_t		port;
	bool			passive;
	/* RFC 4456: an iBGP peer we reflect to as our client (only with
	 * bgpd_params.rr_cluster_id set) */
	bool			rr_client;
	/*
	 * Issue 15, the session's transport options (Calico BGPPeer,
	 * BGPConfiguration nodeMeshPassword); zero takes bgpd_params'.
	 * pw_set: the session's own TCP MD5 key (password, "" = none)
	 * instead of bgpd_params.password. pw_error: the agent could not
	 * read the key (a missing secret): the session does not start and
	 * says this as its error. A change of any of them restarts the
	 * session (bgpd_peer_update).
	 */
	bool			pw_set;
	char			password[BGPD_PASSWORD_MAX + 1];
	char			pw_error[128];
	uint32_t		local_as;	/* localASNumber */
	uint32_t		allow_local_as;	/* numAllowedLocalASNumbers */
	uint16_t		keepalive_time;	/* keepaliveTime, s */
	uint8_t			ttl_security;	/* GTSM (RFC 5082): hops */
	bool			src_any;	/* sourceAddress None: the
						 * kernel picks the source */
	/* Issue 15 (h5): next hop and restart modes, Calico's BGPPeer
	 * nextHopMode/keepOriginalNextHop, restartMode/maxRestartTime */
	enum bgpd_next_hop	next_hop;
	bool			gr_time_set;	/* else params' restart_time */
	uint16_t		gr_time;	/* RFC 4724 restart time we
						 * advertise, s, 12 bits */
	bool			llgr;		/* RFC 9494: advertise LLGR */
	uint32_t		llgr_time;	/* long-lived stale time, s,
						 * 24 bits */
	/*
	 * The agent's export policy class: sessions of the same class (and
	 * AF, eBGP or not, reflection client or not, codec) share one
	 * Adj-RIB-Out (update groups), so bgpd_ops.export_ok must answer
	 * the same for them. 0: the default policy. A change applies at
	 * once (bgpd_peer_update re-exports to the session).
	 */
	uint64_t		export_policy;
};

/* What a peer looks like to filters and status output. */
struct bgpd_peer_info {
	const struct bgpd_peer_conf *conf;
	enum bgp_state	 state;
	bool		 ebgp;
	time_t		 since;			/* last state change, wall clock */
	uint32_t	 remote_id;		/* host order, 0 = unknown */
	struct addr	 local;			/* Established: our end of the
						 * connection (sourceAddress) */
	uint16_t	 hold_time;		/* negotiated */
	uint16_t	 keepalive_time;
	const char	*last_error;		/* "" or e.g. "Socket: Connection refused" */
	size_t		 routes_imported;
	size_t		 routes_exported;
	size_t		 routes_preferred;	/* its paths that are best */
	bool		 gr_peer;		/* peer advertised graceful restart */
	bool		 gr_stale;		/* holding its routes as stale */
	bool		 llgr_peer;		/* peer advertised LLGR (RFC 9494) */
	bool		 llgr_stale;		/* in its long-lived stale time */
	bool		 eor_received;		/* End-of-RIB since Established */
	/* what the peer cost us, and what was refused (SPEC 8) */
	uint64_t	 rx_refused;		/* routes: filter, loop, rib */
	uint64_t	 rx_loops;		/* of those: AS loops */
	uint64_t	 rx_rr_loops;		/* of rx_refused: RFC 4456 loops
						 * (our ORIGINATOR_ID or
						 * CLUSTER_LIST) */
	uint64_t	 refresh_rx;		/* ROUTE-REFRESH received */
	uint64_t	 refresh_served;
	uint64_t	 in_full;		/* reads paused: input full */
	size_t		 mem;			/* charged to the peer, bytes */
	size_t		 mem_max;		/* 0: no budget */
	/* the update group it shares its Adj-RIB-Out with (0: none) */
	unsigned	 upgroup;
	size_t		 upgroup_members;
	uint64_t	 upgroup_lagged;	/* times it left for lagging */
};

struct bgpd_ops {
	/* accept pfx from peer? (pools, own addresses) */
	bool	(*import_ok)(void *arg, const struct bgpd_peer_info *,
		    const struct prefix *);
	/* announce this best path to peer? */
	bool	(*export_ok)(void *arg, const struct bgpd_peer_info *,
		    const struct prefix *, const struct rib_path *);
};

struct bgpd	*bgpd_new(struct event_base *, struct rib *,
		    const struct bgpd_params *, const struct bgpd_ops *,
		    void *arg);
/* Open the listening sockets. */
int		 bgpd_start(struct bgpd *);
/*
 * Close every peer. restart: our planned restart (RFC 8538): peers that
 * do graceful restart keep our routes (Cease/Administrative Reset with
 * the N bit, no NOTIFICATION without it). Otherwise a stop for good:
 * Cease/Administrative Shutdown, as a Hard Reset with the N bit, and
 * every peer flushes our routes.
 */
void		 bgpd_shutdown(struct bgpd *, bool restart);
void		 bgpd_free(struct bgpd *);
/* Local address/AS changed: sessions restart where it matters. */
void		 bgpd_set_local(struct bgpd *, uint32_t as,
		    const struct addr *v4, const struct addr *v6);

/*
 * RFC 4456: our cluster ID (0: we reflect nothing). A change restarts the
 * iBGP sessions (what they were sent, and the loops refused, depended on
 * it), as BIRD's reconfigure does; returns how many.
 */
size_t		 bgpd_set_rr_cluster(struct bgpd *, uint32_t cluster_id);

/* Close the session with Cease/Other Configuration Change and start it
 * again with the current parameters; -1: no such peer. */
int		 bgpd_peer_restart(struct bgpd *, const char *name);
/*
 * Reload: new parameters. The local identity, port and listening stay
 * (bgpd_set_local, a restart). A change of what the OPEN carries or the
 * session was set up with (hold and keepalive time, graceful restart and
 * its time, add-path, the TCP MD5 password) or of what decided the routes
 * already held (allow_local_as) restarts every session, Cease/Other
 * Configuration Change, as BIRD's reconfigure does; bounds and timers
 * (max prefixes, paths, memory, input buffer, open wait, refresh interval,
 * connect retry) apply from now on without touching a session. Returns the
 * number of sessions restarted.
 */
size_t		 bgpd_set_params(struct bgpd *, const struct bgpd_params *);

/*
 * BGPConfiguration listenPort and bindMode (issue 15): listen on port, on
 * v4/v6 only when set (NodeIP), else on every address. A change re-opens
 * the listening sockets (sessions stay: an established one has its own
 * socket); peers without a port of their own connect to the new one. -1:
 * the new sockets could not be opened (logged; the old ones are gone).
 */
int		 bgpd_set_listen(struct bgpd *, uint16_t port,
		    const struct addr *v4, const struct addr *v6);

/* RFC 4724: set the Restart State and Forwarding State bits in our OPENs
 * (we restarted and kept the FIB) or clear them (recovery finished). */
void		 bgpd_set_restarting(struct bgpd *, bool);

/* Add a peer (starts it); -1 if the name exists. */
int		 bgpd_peer_add(struct bgpd *, const struct bgpd_peer_conf *);
#define BGPD_STOP_RESTART	0	/* bgpd_peer_del: our planned restart */
/* Close with Cease/subcode and forget the peer; its routes are withdrawn. */
int		 bgpd_peer_del(struct bgpd *, const char *name, uint8_t subcode);
/*
 * A failure detector (BFD, issue 15) says the path to the peer is down:
 * its connections close at once, Cease/BFD Down (RFC 9384), its routes are
 * withdrawn (stale ones too), reason is logged and shown as the last
 * error; the session starts again as after any error. -1: no such peer.
 */
int		 bgpd_peer_down(struct bgpd *, const char *name,
		    const char *reason);
/* Apply a changed address/AS/port/passive/rr_client, transport option,
 * next hop or restart mode: the session restarts (Cease/Other
 * Configuration Change, as BIRD's reconfigure does); a changed kind alone
 * does not. */
int		 bgpd_peer_update(struct bgpd *, const struct bgpd_peer_conf *);

/* Walk peers in name order, for status output. */
void		 bgpd_peer_walk(struct bgpd *,
		    void (*cb)(void *arg, const struct bgpd_peer_info *),
		    void *arg);
/* What a peer's sessions exchanged since bgpd_peer_add (metrics). */
struct bgpd_peer_counters {
	uint64_t	 msgs_in;	/* every type, framing errors too */
	uint64_t	 msgs_out;
	uint64_t	 updates_in;
	uint64_t	 updates_out;
	uint64_t	 drops;		/* Established sessions that ended */
};
/* The named peer's counters; -1: no such peer. */
int		 bgpd_peer_counters(const struct bgpd *, const char *name,
		    struct bgpd_peer_counters *);
/* Re-evaluate exports for every established peer (filters changed). */
void		 bgpd_refresh_exports(struct bgpd *);

/*
 * issue 15, excomm.c: communities added to the routes exported inside a
 * prefix (Calico's prefixAdvertisements, bird.cfg's apply_communities):
 * every rule whose cidr contains a route adds its values the route does
 * not carry yet, towards every peer, whatever the route's source. The
 * table is copied and replaces the last one; the exports are re-evaluated
 * (changed routes announced again, no session reset). -1: more than
 * BGPD_EXPORT_COMMS_MAX rules (nothing changed).
 */
#define BGPD_EXPORT_COMMS_MAX	64
struct bgpd_export_comms {
	struct prefix	 cidr;
	const uint32_t	*std;		/* RFC 1997: asn << 16 | value */
	size_t		 nstd;
	const uint32_t	*large;		/* RFC 8092: 3 words per value */
	size_t		 nlarge;
};
int		 bgpd_set_export_comms(struct bgpd *,
		    const struct bgpd_export_comms *, size_t n);
/*
 * From export_ok only: the route it is asked about goes out without the
 * export communities (a BGPPeer's BGPFilter accepted it: in Calico's
 * generated filter that accept ends the filter before apply_communities).
 */
void		 bgpd_export_as_is(struct bgpd *);

/*
 * Issue 15 (BGPFilter): one session's policy changed; applied without a
 * session reset where the protocol allows it.
 *
 * bgpd_peer_refresh_export: what the peer is sent is evaluated again
 * (BIRD's channel re-feed): routes the export policy now refuses are
 * withdrawn, those it now accepts announced. -1: no such peer.
 *
 * bgpd_peer_refresh_import: the peer's routes are wanted again through the
 * new import policy (nothing refused is kept: no Adj-RIB-In). RFC 2918: a
 * ROUTE-REFRESH request when the peer advertised the capability; without
 * it the session restarts (Cease/Other Configuration Change), as BIRD's
 * reconfigure does when a channel cannot reload (nest/proto.c
 * channel_reconfigure). A session not Established has nothing to redo.
 */
enum bgpd_refresh {
	BGPD_REFRESH_NONE,	/* not Established: applies when it is */
	BGPD_REFRESH_SENT,	/* ROUTE-REFRESH sent */
	BGPD_REFRESH_RESTART,	/* no route refresh: session restarted */
};
int		 bgpd_peer_refresh_export(struct bgpd *, const char *name);
int		 bgpd_peer_refresh_import(struct bgpd *, const char *name);

#endif
