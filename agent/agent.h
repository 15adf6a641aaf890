/*
 * agent.h: the daemon's wiring (the only module that sees every other
 * module's public header). main.c owns the event base, the signals and the
 * lifetime of every module; glue.c adapts datastore events to bgpd and the
 * rib, and rib best-path changes to the FIB side.
 */
#ifndef TERN_AGENT_H
#define TERN_AGENT_H

#include <stdbool.h>

#include "bgpd.h"
#include "conf.h"
#include "datastore.h"
#include "krt.h"
#include "learn.h"
#include "log.h"
#include "pfxset.h"
#include "rib.h"

struct event_base;
struct ctlglue;
struct metrics;
struct advert;
struct bfd;
struct secrets;

#define AGENT_MAX_POOLS	256

struct agent {
	struct event_base	*base;
	struct conf		*conf;
	const char		*conf_path;
	char			 node_name[DS_NAME_MAX];
	struct rib		*rib;
	struct bgpd		*bgpd;
	struct ds		*ds;
	struct rib_client	*fib_client;
	struct krt		*krt;
	struct event		*ev_sync;	/* first-full-sync check */
	time_t			 started;
	bool			 fib_synced;
	/* this node's routes, originated into the rib */
	struct rib_src		 local_src;
	const struct rib_attrs	*local_attrs[2];	/* [0] IPv4, [1] IPv6 */
	/* workload routes learned from the kernel (krt/learn.h: Felix's pod
	 * routes, a borrowed address among them), originated into the rib
	 * from their own source with local_attrs: announced as calico_aggr
	 * says (glue.c export_ok), never put in the kernel by us */
	struct learn		*learn;
	struct rib_src		 learn_src;
	struct ds_local		 local;
	struct ds_pool		 pools[AGENT_MAX_POOLS];
	size_t			 npools;
	bool			 synced;
	/* glue.c: what no peer may announce (own and peer addresses, own
	 * blocks), rebuilt when dirty */
	struct pfxset		 guard;
	bool			 guard_dirty;
	/* BGPPeer options the datastore gives that bgpd does not apply yet
	 * (issue 15): said per session, a few lines a minute at most */
	struct log_ratelimit	 unapplied_rl;
	bool			 debug_cli;	/* -d: debug whatever the file says */
	/* advert.c (issue 15): service ranges, originated from svc_src
	 * (never in the kernel), and export communities */
	struct rib_src		 svc_src;
	struct advert		*advert;
	/* reach.c (issue 15): BGPPeer reachableBy, a static route to the
	 * peer via its gateway: in the kernel, never announced */
	struct rib_src		 reach_src;
	struct reach		*reach;
	/* ctlglue.c: the control socket and its state */
	struct ctlglue		*ctlg;
	/* metrics.c: the Prometheus endpoint (metrics.listen) */
	struct metrics		*metrics;
	/* bfdglue.c: BFD for BGPPeers with failureDetectionMode (issue 15) */
	struct bfd		*bfd;
	struct event		*ev_bfd_sync;
	struct log_ratelimit	 bfd_rl;
	bool			 bfd_say;	/* a change: say who gets none */
	/* glue.c + filter.c: BGPFilters and the sessions naming them
	 * (issue 15); ev_filter applies a commit's changes once it is over */
	struct filters		*filters;
	struct event		*ev_filter;
	/* sessopts.c: TCP MD5 key files watched (issue 15) */
	struct secrets		*secrets;
};

/* main.c: stop the daemon; restart: a planned restart (see there) */
void	agent_stop(struct agent *, bool restart);
/* main.c: the bgpd parameters ag->conf gives */
void	agent_bgpd_params(const struct agent *, struct bgpd_params *);
/* main.c: the log level, categories and target ag->conf (and -d) give */
void	agent_log_apply(const struct agent *);

/* reload.c: SIGHUP (re-read ternd.yaml, apply the difference, re-read the
 * datastore) and SIGUSR1 (the state to the log) */
void	agent_reload(struct agent *);
void	agent_dump(struct agent *);

/* glue.c */
void	agent_glue_init(struct agent *);
/* Check whether the first full sync is done (datastore synced, every peer's
 * End-of-RIB or the restart time over); then stale FIB routes may go. */
void	agent_check_sync(struct agent *);
void	agent_glue_fini(struct agent *);
/* tunl0's interface index, 0 when there is none (system calls: only
 * for a route that wants the tunnel) */
uint32_t agent_tunl0(void);
/* The most specific pool that contains pfx, or NULL. */
const struct ds_pool *agent_pool_of(const struct agent *,
	    const struct prefix *);
/* Best path (NULL: none) of pfx (rib id) into krt, as fib_want says. */
void	agent_fib_apply(struct agent *, const struct prefix *, uint32_t id,
	    const struct rib_path *);
extern const struct ds_ops agent_ds_ops;
extern const struct ds_option_ops agent_ds_option_ops;

/* reach.c (issue 15): BGPPeer reachableBy */
struct reach;
void	agent_reach_init(struct agent *);
void	agent_reach_fini(struct agent *);
/* the peers changed: the routes follow when the commit is over */
void	agent_reach_sync(struct agent *);
/* p is such a route (never announced) */
bool	agent_reach_path(const struct agent *, const struct rib_path *);

/* advert.c (issue 15): service ranges and export communities */
void	advert_init(struct agent *);
void	advert_fini(struct agent *);
/* the BGPConfiguration changed: apply the difference */
void	advert_config(struct agent *, const struct ds_bgp_config *);
/* ag->local changed: its svc_excluded label may have */
void	advert_local(struct agent *);
/* pfx lies in a service range: announced, accepted from the mesh, never
 * in the kernel */
bool	advert_in_range(const struct agent *, const struct prefix *);
/* export_ok's part: pfx is a service route this node announces */
bool	advert_exports(const struct agent *, const struct prefix *);

/* bfdglue.c: BFD sessions for the peers that want them (issue 15) */
void	agent_bfd_start(struct agent *);
/* recompute which peers have a BFD session (deferred) */
void	agent_bfd_sync(struct agent *);
void	agent_bfd_shutdown(struct agent *);
void	agent_bfd_stop(struct agent *);
/* glue.c, issue 15: every session's conf again (key files, SIGHUP); the
 * listening port and address from BGPConfiguration and ternd.yaml */
void	agent_peers_refresh(struct agent *);
void	agent_listen_apply(struct agent *);
extern const struct bgpd_ops agent_bgpd_ops;
extern const struct krt_ops agent_krt_ops;

#endif
