/*
 * bgpd.c: the speaker as a whole: its parameters, the set of peers, and
 * the public API of bgpd.h.
 *
 * Owns struct bgpd and the peer list. Peers are added and removed only
 * here; a removed peer is closed with a Cease, unlinked, and freed later
 * from its own reap event (never inside a callback of its own).
 */
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "session.h"
#include "timer.h"
#include "xmalloc.h"

/* 0 = the default for every bound; the input buffer holds two messages. */
static void
params_defaults(struct bgpd_params *p)
{
	if (p->in_max == 0)
		p->in_max = BGPD_DEF_IN_MAX;
	if (p->in_max < BGPD_MIN_IN_MAX)
		p->in_max = BGPD_MIN_IN_MAX;
	if (p->max_paths == 0)
		p->max_paths = BGPD_DEF_MAX_PATHS;
	if (p->mem_max == 0)
		p->mem_max = BGPD_DEF_MEM_MAX;
	if (p->open_wait == 0)
		p->open_wait = BGPD_DEF_OPEN_WAIT;
}

struct bgpd *
bgpd_new(struct event_base *base, struct rib *rib,
    const struct bgpd_params *params, const struct bgpd_ops *ops, void *arg)
{
	struct bgpd *bgpd = xcalloc(1, sizeof(*bgpd));

	bgpd->base = base;
	bgpd->rib = rib;
	bgpd->params = *params;
	if (params->password != NULL)
		snprintf(bgpd->password, sizeof(bgpd->password), "%s",
		    params->password);
	bgpd->params.password = bgpd->password;
	params_defaults(&bgpd->params);
	if (bgpd->params.router_id == 0 &&
	    bgpd->params.local_v4.af == AF_INET)
		bgpd->params.router_id = addr_v4(&bgpd->params.local_v4);
	if (ops != NULL)
		bgpd->ops = *ops;
	bgpd->ops_arg = arg;
	TAILQ_INIT(&bgpd->peers);
	LIST_INIT(&bgpd->upgroups);
	bgpd->listen_fd[0] = bgpd->listen_fd[1] = -1;
	bgpd->scratchlen = 2 * BGP_MAX_EXT_MSG;
	bgpd->scratch = xmalloc(bgpd->scratchlen);
	return bgpd;
}

int
bgpd_start(struct bgpd *bgpd)
{
	if (!bgpd->params.listen)
		return 0;
	bgpd->started = true;
	return bgp_listen_start(bgpd);
}

static struct bgp_peer *
peer_by_name(struct bgpd *bgpd, const char *name)
{
	struct bgp_peer *peer;

	TAILQ_FOREACH(peer, &bgpd->peers, entry)
		if (strcmp(peer->conf.name, name) == 0)
			return peer;
	return NULL;
}

int
bgpd_peer_add(struct bgpd *bgpd, const struct bgpd_peer_conf *conf)
{
	struct bgp_peer *peer;

	if (peer_by_name(bgpd, conf->name) != NULL)
		return -1;
	peer = bgp_peer_new(bgpd, conf);
	TAILQ_INSERT_TAIL(&bgpd->peers, peer, entry);
	bgp_listen_md5(bgpd, peer, false);
	if (conf->ttl_security > 0)
		bgp_listen_gtsm(bgpd);
	log_peer(peer, LOG_LVL_INFO, "configured (%s)",
	    conf->passive ? "passive" : "active");
	bgp_peer_start(peer);
	return 0;
}

int
bgpd_peer_del(struct bgpd *bgpd, const char *name, uint8_t subcode)
{
	struct bgp_peer *peer = peer_by_name(bgpd, name);

	if (peer == NULL)
		return -1;
	log_peer(peer, LOG_LVL_INFO, "removed");
	TAILQ_REMOVE(&bgpd->peers, peer, entry);
	/* its key goes from the listener (a peer added again at the address
	 * sets its own; another's connections there are not signed) */
	if (bgp_peer_password(peer)[0] != '\0')
		bgp_listen_md5(bgpd, peer, true);
	if (peer->conf.ttl_security > 0)
		bgp_listen_gtsm(bgpd);	/* it is out of the list */
	bgp_peer_stop(peer, subcode);
	event_active(peer->ev_reap, EV_TIMEOUT, 0);
	return 0;
}

/* What the session was set up with is the same in a and b (issue 15's
 * transport options included); the kind is no part of it. */
static bool
conf_same_session(const struct bgpd_peer_conf *a,
    const struct bgpd_peer_conf *b)
{
	return addr_eq(&a->addr, &b->addr) && a->as == b->as &&
	    a->port == b->port && a->passive == b->passive &&
	    a->rr_client == b->rr_client && a->pw_set == b->pw_set &&
	    strcmp(a->password, b->password) == 0 &&
	    strcmp(a->pw_error, b->pw_error) == 0 &&
	    a->local_as == b->local_as &&
	    a->allow_local_as == b->allow_local_as &&
	    a->keepalive_time == b->keepalive_time &&
	    a->ttl_security == b->ttl_security && a->src_any == b->src_any &&
	    a->next_hop == b->next_hop && a->gr_time_set == b->gr_time_set &&
	    a->gr_time == b->gr_time && a->llgr == b->llgr &&
	    a->llgr_time == b->llgr_time;
}

int
bgpd_peer_down(struct bgpd *bgpd, const char *name, const char *reason)
{
	struct bgp_peer *peer = peer_by_name(bgpd, name);
	struct bgp_conn *c;

	if (peer == NULL)
		return -1;
	log_peer(peer, LOG_LVL_WARNING, "%s: closing the session", reason);
	while ((c = peer->conn2 ? peer->conn2 : peer->conn) != NULL &&
	    c->fd != -1)
		bgp_fsm(c, BGP_EV_BFD_DOWN, NULL);
	/* routes kept stale from an earlier graceful end go too */
	if (peer->gr_stale) {
		timer_stop(peer->ev_restart);
		bgp_peer_flush(peer);
	}
	bgp_peer_set_error(peer, "%s", reason);
	return 0;
}

/*
 * What the session is sent is evaluated again (its export policy
 * changed): out of its update group, whose policy it may no longer share,
 * from a copy, and every prefix looked at again; it joins a group of its
 * policy once that is done.
 */
static void
reexport(struct bgp_peer *peer)
{
	bgp_upg_leave(peer, true);
	peer->upg_bans = 0;
	peer->upg_ban_until = 0;	/* not a misbehaviour */
	if (peer->client != NULL) {
		rib_client_feed(peer->bgpd->rib, peer->client);
		bgp_peer_tx_schedule(peer);
	}
}

int
bgpd_peer_update(struct bgpd *bgpd, const struct bgpd_peer_conf *conf)
{
	struct bgp_peer *peer = peer_by_name(bgpd, conf->name);
	struct bgpd_peer_conf c = *conf;

	if (peer == NULL)
		return bgpd_peer_add(bgpd, conf);
	if (c.port == 0)
		c.port = bgpd->params.port;	/* as bgp_peer_new stores it */
	if (conf_same_session(&peer->conf, &c)) {
		peer->conf.kind = conf->kind;
		if (peer->conf.export_policy != conf->export_policy) {
			peer->conf.export_policy = conf->export_policy;
			reexport(peer);
		}
		return 0;
	}
	bgpd_peer_del(bgpd, conf->name, BGP_CEASE_CONFIG_CHANGE);
	return bgpd_peer_add(bgpd, conf);
}

/*
 * Restart every session (Cease/Other Configuration Change), or with
 * ibgp_only every iBGP one: each peer is removed and added again with its
 * configuration, in list order; returns how many.
 */
static size_t
restart_peers(struct bgpd *bgpd, bool ibgp_only)
{
	struct bgp_peer_head old;
	struct bgp_peer *peer;
	struct bgpd_peer_conf conf;
	size_t n = 0;

	TAILQ_INIT(&old);
	TAILQ_CONCAT(&old, &bgpd->peers, entry);
	while ((peer = TAILQ_FIRST(&old)) != NULL) {
		conf = peer->conf;
		TAILQ_REMOVE(&old, peer, entry);
		TAILQ_INSERT_TAIL(&bgpd->peers, peer, entry);
		if (ibgp_only && peer->ebgp)
			continue;
		bgpd_peer_del(bgpd, conf.name, BGP_CEASE_CONFIG_CHANGE);
		bgpd_peer_add(bgpd, &conf);
		n++;
	}
	return n;
}

static size_t
restart_all(struct bgpd *bgpd)
{
	return restart_peers(bgpd, false);
}

void
bgpd_set_local(struct bgpd *bgpd, uint32_t as, const struct addr *v4,
    const struct addr *v6)
{
	if (bgpd->params.local_as == as &&
	    addr_eq(&bgpd->params.local_v4, v4) &&
	    addr_eq(&bgpd->params.local_v6, v6))
		return;
	bgpd->params.local_as = as;
	bgpd->params.local_v4 = *v4;
	bgpd->params.local_v6 = *v6;
	if (v4->af == AF_INET)
		bgpd->params.router_id = addr_v4(v4);
	/* every session restarts with the new identity */
	restart_all(bgpd);
}

size_t
bgpd_set_rr_cluster(struct bgpd *bgpd, uint32_t cluster_id)
{
	if (bgpd->params.rr_cluster_id == cluster_id)
		return 0;
	bgpd->params.rr_cluster_id = cluster_id;
	/* what iBGP sessions were sent and refused as loops depended on it */
	return restart_peers(bgpd, true);
}

int
bgpd_peer_restart(struct bgpd *bgpd, const char *name)
{
	struct bgp_peer *peer = peer_by_name(bgpd, name);
	struct bgpd_peer_conf conf;

	if (peer == NULL)
		return -1;
	conf = peer->conf;
	bgpd_peer_del(bgpd, conf.name, BGP_CEASE_CONFIG_CHANGE);
	return bgpd_peer_add(bgpd, &conf);
}

size_t
bgpd_set_params(struct bgpd *bgpd, const struct bgpd_params *np)
{
	struct bgpd_params *p = &bgpd->params, n = *np;
	const char *pw = np->password != NULL ? np->password : "";
	struct bgp_peer *peer;
	bool reset, pw_changed = strcmp(bgpd->password, pw) != 0;

	params_defaults(&n);
	/* what the OPEN carries, the session was set up with, or what
	 * decided the routes already held (import policy) */
	reset = p->hold_time != n.hold_time ||
	    p->keepalive_time != n.keepalive_time ||
	    p->graceful_restart != n.graceful_restart ||
	    p->restart_time != n.restart_time ||
	    p->add_paths != n.add_paths ||
	    p->allow_local_as != n.allow_local_as || pw_changed;
	/* identity, port and listening change elsewhere (bgpd_set_local, a
	 * restart); the rest applies from now on */
	p->hold_time = n.hold_time;
	p->keepalive_time = n.keepalive_time;
	p->graceful_restart = n.graceful_restart;
	p->restart_time = n.restart_time;
	p->add_paths = n.add_paths;
	p->allow_local_as = n.allow_local_as;
	p->connect_retry_time = n.connect_retry_time;
	p->max_prefixes = n.max_prefixes;
	p->in_max = n.in_max;
	p->max_paths = n.max_paths;
	p->mem_max = n.mem_max;
	p->open_wait = n.open_wait;
	p->refresh_interval = n.refresh_interval;
	p->adv_interval_ms = n.adv_interval_ms;
	snprintf(bgpd->password, sizeof(bgpd->password), "%s", pw);
	TAILQ_FOREACH(peer, &bgpd->peers, entry) {
		peer->src.max_paths = p->max_paths;
		peer->src.mem_max = p->mem_max == BGPD_MEM_UNLIMITED ? 0 :
		    p->mem_max;
		/* no password any more: the listener's key goes (keylen 0) */
		if (pw_changed && pw[0] == '\0' && !peer->conf.pw_set)
			bgp_listen_md5(bgpd, peer, true);
	}
	if (!reset)
		return 0;
	/* every session restarts with the new settings (as bgpd_set_local);
	 * the listener's MD5 keys are set again by bgpd_peer_add */
	return restart_all(bgpd);
}

int
bgpd_set_listen(struct bgpd *bgpd, uint16_t port, const struct addr *v4,
    const struct addr *v6)
{
	struct bgpd_params *p = &bgpd->params;
	struct addr none;

	memset(&none, 0, sizeof(none));
	v4 = v4 != NULL ? v4 : &none;
	v6 = v6 != NULL ? v6 : &none;
	if (p->port == port && addr_eq(&p->listen_v4, v4) &&
	    addr_eq(&p->listen_v6, v6))
		return 0;
	p->port = port;
	p->listen_v4 = *v4;
	p->listen_v6 = *v6;
	if (!p->listen || !bgpd->started)
		return 0;		/* not listening yet: bgpd_start will */
	/* a connection accepted already has its own socket: it stays */
	bgp_listen_stop(bgpd);
	return bgp_listen_start(bgpd);
}

void
bgpd_set_restarting(struct bgpd *bgpd, bool restarting)
{
	bgpd->params.gr_restarting = restarting;
}

static int
info_cmp(const void *a, const void *b)
{
	const struct bgpd_peer_info *x = a, *y = b;

	return strcmp(x->conf->name, y->conf->name);
}

void
bgpd_peer_walk(struct bgpd *bgpd,
    void (*cb)(void *, const struct bgpd_peer_info *), void *arg)
{
	struct bgpd_peer_info *v;
	struct bgp_peer *peer;
	size_t n = 0, i = 0;

	TAILQ_FOREACH(peer, &bgpd->peers, entry)
		n++;
	v = xcalloc(n ? n : 1, sizeof(*v));
	TAILQ_FOREACH(peer, &bgpd->peers, entry)
		bgp_peer_get_info(peer, &v[i++]);
	qsort(v, n, sizeof(*v), info_cmp);
	for (i = 0; i < n; i++)
		cb(arg, &v[i]);
	free(v);
}

int
bgpd_peer_counters(const struct bgpd *bgpd, const char *name,
    struct bgpd_peer_counters *pc)
{
	const struct bgp_peer *peer;

	TAILQ_FOREACH(peer, &bgpd->peers, entry)
		if (strcmp(peer->conf.name, name) == 0) {
			pc->msgs_in = peer->msgs_in;
			pc->msgs_out = peer->msgs_out;
			pc->updates_in = peer->updates_in;
			pc->updates_out = peer->updates_out;
			pc->drops = peer->drops;
			return 0;
		}
	return -1;
}

void
bgpd_refresh_exports(struct bgpd *bgpd)
{
	struct bgp_peer *peer;

	TAILQ_FOREACH(peer, &bgpd->peers, entry) {
		if (peer->client == NULL)
			continue;
		rib_client_feed(bgpd->rib, peer->client);
		bgp_peer_tx_schedule(peer);
	}
	bgp_upg_refresh_exports(bgpd);
}

int
bgpd_peer_refresh_export(struct bgpd *bgpd, const char *name)
{
	struct bgp_peer *peer = peer_by_name(bgpd, name);

	if (peer == NULL)
		return -1;
	reexport(peer);
	return 0;
}

int
bgpd_peer_refresh_import(struct bgpd *bgpd, const char *name)
{
	struct bgp_peer *peer = peer_by_name(bgpd, name);

	if (peer == NULL)
		return -1;
	if (peer->state != BGP_STATE_ESTABLISHED || peer->conn == NULL)
		return BGPD_REFRESH_NONE;
	if (peer->remote_caps.route_refresh) {
		bgp_peer_send_rrefresh(peer, BGP_RR_REQUEST);
		log_peer(peer, LOG_LVL_INFO, "route refresh requested "
		    "(import policy changed)");
		return BGPD_REFRESH_SENT;
	}
	log_peer(peer, LOG_LVL_INFO, "import policy changed and the peer "
	    "does not do route refresh: restarting the session");
	bgpd_peer_restart(bgpd, name);
	return BGPD_REFRESH_RESTART;
}

void
bgpd_shutdown(struct bgpd *bgpd, bool restart)
{
	struct bgp_peer *peer;

	/*
	 * Nobody to export to first: each peer removed below flushes its
	 * routes from the rib, and with the others still exporting, a feeder
	 * of 1M routes among 50 peers made 50M withdrawals to queue before
	 * exit (SIGTERM took longer than 10 s).
	 */
	TAILQ_FOREACH(peer, &bgpd->peers, entry)
		bgp_peer_export_stop(peer);
	while ((peer = TAILQ_FIRST(&bgpd->peers)) != NULL)
		bgpd_peer_del(bgpd, peer->conf.name, restart ?
		    BGPD_STOP_RESTART : BGP_CEASE_ADMIN_SHUTDOWN);
	bgp_listen_stop(bgpd);
}

void
bgpd_free(struct bgpd *bgpd)
{
	struct bgp_peer *peer;

	if (bgpd == NULL)
		return;
	while ((peer = TAILQ_FIRST(&bgpd->peers)) != NULL) {
		TAILQ_REMOVE(&bgpd->peers, peer, entry);
		bgp_peer_stop(peer, BGP_CEASE_ADMIN_SHUTDOWN);
		bgp_peer_free(peer);
	}
	bgp_listen_stop(bgpd);
	bgp_excomm_fini(bgpd);
	free(bgpd->scratch);
	free(bgpd);
}
