/*
 * bfdglue.c: BGPPeers with failureDetectionMode BFDIfDirectlyConnected get
 * a BFD session (bfd/), and a BFD session that goes Down after being Up
 * closes their BGP sessions (issue 15).
 *
 * Which peers: those whose option says so and whose address is on a
 * connected subnet of one of this node's interfaces (an address and
 * netmask of an interface that is up, not loopback, not cali* or
 * kube-ipvs*, nor one BGPConfiguration ignoredInterfaces names: the
 * interfaces Calico's BIRD template leaves out of `protocol direct`,
 * confd's DirectInterfaces), as Calico's template gives `bfd graceful` only to a
 * peer on a directly connected subnet. Several sessions to one address
 * (ports) share its BFD session. The set is recomputed from the
 * datastore's view on a deferred event after a peer or this node's
 * address changed, and every BFD_RECHECK_S while a peer wants BFD and has
 * none (an interface address that comes after ternd). Our implementation:
 * a session, once there, stays while its peer wants BFD, even if the
 * subnet goes: the link going away is what BFD is there to see.
 */
#include <fnmatch.h>
#include <ifaddrs.h>
#include <string.h>
#include <net/if.h>
#include <netinet/in.h>

#include <event2/event.h>

#include "agent.h"
#include "bfd.h"
#include "timer.h"

#define BFD_RECHECK_S	10

static bool
wants_bfd(const struct ds_peer *p)
{
	return p->opts != NULL &&
	    p->opts->failure_detection == DS_FD_BFD_IF_DIRECT;
}

/* BGPConfiguration ignoredInterfaces (shell patterns, as BIRD's) */
static bool
if_ignored(const struct ds_bgp_config *c, const char *name)
{
	for (size_t k = 0; c != NULL && k < c->nignored_ifaces; k++)
		if (fnmatch(c->ignored_ifaces[k], name, 0) == 0)
			return true;
	return false;
}

static bool
if_skipped(const struct ds_bgp_config *c, const struct ifaddrs *i)
{
	return i->ifa_addr == NULL || i->ifa_netmask == NULL ||
	    !(i->ifa_flags & IFF_UP) || (i->ifa_flags & IFF_LOOPBACK) ||
	    fnmatch("cali*", i->ifa_name, 0) == 0 ||
	    fnmatch("kube-ipvs*", i->ifa_name, 0) == 0 ||
	    if_ignored(c, i->ifa_name);
}

/* The bytes of an interface's address or mask of family af, or NULL. */
static const uint8_t *
sa_bytes(const struct sockaddr *sa, uint8_t af)
{
	if (sa->sa_family != af)
		return NULL;
	if (af == AF_INET)
		return (const uint8_t *)&((const struct sockaddr_in *)
		    (const void *)sa)->sin_addr;
	return (const uint8_t *)&((const struct sockaddr_in6 *)
	    (const void *)sa)->sin6_addr;
}

/* a lies on the subnet of an interface address (and is not that one). */
static bool
directly_connected(const struct ds_bgp_config *c, const struct ifaddrs *ifs,
    const struct addr *a)
{
	size_t n = a->af == AF_INET ? 4 : 16, k;
	const uint8_t *ia, *m;

	for (const struct ifaddrs *i = ifs; i != NULL; i = i->ifa_next) {
		if (if_skipped(c, i) || (ia = sa_bytes(i->ifa_addr, a->af)) ==
		    NULL || (m = sa_bytes(i->ifa_netmask, a->af)) == NULL)
			continue;
		for (k = 0; k < n; k++)
			if ((ia[k] & m[k]) != (a->b[k] & m[k]))
				break;
		if (k == n && memcmp(ia, a->b, n) != 0)
			return true;
	}
	return false;
}

static const struct addr *
local_of(const struct agent *ag, const struct addr *peer)
{
	return peer->af == AF_INET6 ? &ag->local.ipv6 : &ag->local.ipv4;
}

/*
 * Add the sessions wanted and missing; -1 when one still waits. A peer
 * that gets none is said after a change (say), not at every re-check.
 */
static int
add_wanted(struct agent *ag, const struct ds_peer *v, size_t n,
    const struct ifaddrs *ifs, bool say)
{
	char a[ADDR_STRLEN];
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		if (!wants_bfd(&v[i]) || bfd_session_get(ag->bfd, &v[i].addr,
		    NULL))
			continue;
		addr_fmt(&v[i].addr, a, sizeof(a));
		if (!directly_connected(ds_bgp_config(ag->ds), ifs,
		    &v[i].addr)) {
			if (say)
				log_rl(&ag->bfd_rl, "%s: failureDetectionMode "
				    "BFDIfDirectlyConnected: %s is on no "
				    "connected subnet: no BFD", v[i].name, a);
			rc = -1;
		} else if (bfd_session_add(ag->bfd, &v[i].addr,
		    local_of(ag, &v[i].addr)) == 0)
			log_info("%s: BFD session to %s", v[i].name, a);
		else
			log_rl(&ag->bfd_rl, "%s: no BFD session to %s: "
			    "bfd.max_sessions (%u) reached", v[i].name, a,
			    bfd_params(ag->bfd)->max_sessions);
	}
	return rc;
}

struct del_ctx {
	struct agent	*ag;
	struct addr	 gone[64];
	size_t		 n;
};

static void
collect_unwanted(void *arg, const struct bfd_session_info *si)
{
	struct del_ctx *x = arg;
	size_t n = 0;
	const struct ds_peer *v = ds_peers(x->ag->ds, &n);

	for (size_t i = 0; i < n; i++)
		if (wants_bfd(&v[i]) && addr_eq(&v[i].addr, &si->peer))
			return;
	if (x->n < NITEMS(x->gone))
		x->gone[x->n++] = si->peer;
}

/* Sessions no peer wants any more go (in batches: the walk is read-only). */
static void
del_unwanted(struct agent *ag)
{
	struct del_ctx x = { .ag = ag };
	char a[ADDR_STRLEN];

	do {
		x.n = 0;
		bfd_walk(ag->bfd, collect_unwanted, &x);
		for (size_t i = 0; i < x.n; i++) {
			bfd_session_del(ag->bfd, &x.gone[i]);
			log_info("BFD session to %s removed: no BGPPeer wants "
			    "it", addr_fmt(&x.gone[i], a, sizeof(a)));
		}
	} while (x.n == NITEMS(x.gone));
}

static void
sync_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct agent *ag = arg;
	struct ifaddrs *ifs = NULL;
	const struct ds_peer *v;
	size_t n = 0;
	bool say = ag->bfd_say;

	(void)fd;
	(void)ev;
	ag->bfd_say = false;
	if (ag->ds == NULL)
		return;
	v = ds_peers(ag->ds, &n);
	del_unwanted(ag);
	if (getifaddrs(&ifs) == -1) {
		log_warn("BFD: getifaddrs");
		timer_arm(ag->ev_bfd_sync, BFD_RECHECK_S, false);
		return;
	}
	if (add_wanted(ag, v, n, ifs, say) == -1)
		timer_arm(ag->ev_bfd_sync, BFD_RECHECK_S, false);
	freeifaddrs(ifs);
}

void
agent_bfd_sync(struct agent *ag)
{
	ag->bfd_say = true;
	if (ag->ev_bfd_sync != NULL)
		event_active(ag->ev_bfd_sync, EV_TIMEOUT, 0);
}

/*
 * RFC 5882 4.3: a session Down after Up closes the BGP sessions to that
 * address at once. A peer that took the session AdminDown did not fail:
 * RFC 5882 3.2, nothing is closed.
 */
static void
state_changed(void *arg, const struct bfd_session_info *si,
    enum bfd_state old)
{
	struct agent *ag = arg;
	const struct ds_peer *v;
	char a[ADDR_STRLEN];
	size_t n = 0;

	if (old != BFD_STATE_UP || si->state != BFD_STATE_DOWN ||
	    ag->ds == NULL)
		return;
	if (si->remote_state == BFD_STATE_ADMIN_DOWN) {
		log_info("BFD session %s: the peer took it AdminDown: BGP "
		    "sessions kept (RFC 5882 3.2)",
		    addr_fmt(&si->peer, a, sizeof(a)));
		return;
	}
	v = ds_peers(ag->ds, &n);
	for (size_t i = 0; i < n; i++)
		if (wants_bfd(&v[i]) && addr_eq(&v[i].addr, &si->peer))
			(void)bgpd_peer_down(ag->bgpd, v[i].name,
			    "BFD session down");
}

static const struct bfd_ops bfd_ops = {
	.state_changed = state_changed,
};

void
agent_bfd_start(struct agent *ag)
{
	const struct conf *c = ag->conf;
	struct bfd_params p = {
		.min_rx_us = c->bfd.interval_ms * 1000,
		.min_tx_us = c->bfd.interval_ms * 1000,
		.idle_tx_us = c->bfd.idle_tx_interval_ms * 1000,
		.multiplier = c->bfd.multiplier,
		.max_sessions = c->bfd.max_sessions,
		.max_pps = c->bfd.max_pps,
	};

	log_ratelimit_init(&ag->bfd_rl, LOG_LVL_INFO, 60 * 1000, 10,
	    "BFD notes");
	log_ratelimit_start(&ag->bfd_rl, ag->base);
	ag->bfd = bfd_new(ag->base, &p, &bfd_ops, ag);
	ag->ev_bfd_sync = evtimer_new(ag->base, sync_cb, ag);
}

/* At shutdown: AdminDown to every peer (RFC 5882 3.2: no failure). */
void
agent_bfd_shutdown(struct agent *ag)
{
	if (ag->bfd != NULL)
		bfd_shutdown(ag->bfd);
}

void
agent_bfd_stop(struct agent *ag)
{
	if (ag->ev_bfd_sync != NULL)
		event_free(ag->ev_bfd_sync);
	ag->ev_bfd_sync = NULL;
	bfd_free(ag->bfd);
	ag->bfd = NULL;
	log_ratelimit_fini(&ag->bfd_rl);
}
