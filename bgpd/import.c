/*
 * import.c: the rib side of a session (OpenBGPD rde.c, much smaller).
 *
 * Owns what a session puts into the rib and takes out of it: the peer's
 * rib_src paths (UPDATE processing, RFC 7606 treat-as-withdraw, max
 * prefixes, RFC 4724 stale marking and End-of-RIB sweep) and the peer's
 * rib client, which turns best-path changes into Adj-RIB-Out marks, and
 * the export policy, which the Adj-RIB-Out asks what to send when it
 * builds UPDATEs (export_want). It never touches sockets or timers other
 * than the restart timer.
 */
#include <string.h>

#include <event2/event.h>

#include "aspath.h"
#include "rr.h"
#include "session.h"
#include "timer.h"
#include "xmalloc.h"

static void	best_changed(void *, const struct prefix *, uint32_t,
		    const struct rib_path *, const struct rib_path *);
static void	paths_changed(void *, const struct prefix *, uint32_t,
		    const struct rib_path *);
static bool	export_want(struct bgp_peer *, uint32_t, struct adjout_want *);

static const struct rib_client_ops peer_client_ops = {
	.best_changed = best_changed,
	.paths_changed = paths_changed,
};

static enum bgp_af
peer_af(const struct bgp_peer *peer)
{
	return peer->conf.addr.af == AF_INET6 ? BGP_AF_IPV6 : BGP_AF_IPV4;
}

static void
peer_info(const struct bgp_peer *peer, struct bgpd_peer_info *pi)
{
	memset(pi, 0, sizeof(*pi));
	pi->conf = &peer->conf;
	pi->state = peer->state;
	pi->ebgp = peer->ebgp;
	pi->since = peer->since;
	pi->remote_id = peer->remote_id;
	if (peer->conn != NULL && peer->state == BGP_STATE_ESTABLISHED)
		pi->local = peer->conn->local;
	pi->hold_time = peer->hold_time;
	pi->keepalive_time = peer->keepalive_time;
	pi->last_error = peer->last_error;
	pi->routes_imported = peer->src.npaths;
	pi->routes_preferred = peer->src.nbest;
	pi->routes_exported = peer->adjout ? adjout_count(peer->adjout) :
	    peer->upg ? adjout_count(bgp_upg_adjout(peer->upg)) : 0;
	pi->gr_peer = peer->remote_caps.gr;
	pi->gr_stale = peer->gr_stale;
	pi->llgr_peer = peer->remote_caps.llgr;
	pi->llgr_stale = peer->llgr_stale;
	pi->eor_received = peer->state == BGP_STATE_ESTABLISHED &&
	    peer->eor_rx[peer_af(peer)];
	pi->rx_refused = peer->rx_refused;
	pi->rx_loops = peer->rx_loops;
	pi->rx_rr_loops = peer->rx_rr_loops;
	pi->refresh_rx = peer->refresh_rx;
	pi->refresh_served = peer->refresh_served;
	pi->in_full = peer->in_full;
	pi->mem = peer->src.mem;
	pi->mem_max = peer->src.mem_max;
	if (peer->upg != NULL)
		pi->upgroup = bgp_upg_id(peer->upg, &pi->upgroup_members);
	pi->upgroup_lagged = peer->upg_lagged;
}

void
bgp_peer_get_info(const struct bgp_peer *peer, struct bgpd_peer_info *pi)
{
	peer_info(peer, pi);
}

/* ---- session up / down ---- */

static void
negotiate_ctx(struct bgp_peer *peer, const struct bgp_open *o)
{
	const struct bgpd_params *p = &peer->bgpd->params;
	struct bgp_codec_ctx *ctx = &peer->ctx;

	memset(ctx, 0, sizeof(*ctx));
	ctx->as4 = o->caps.as4;
	ctx->ebgp = peer->ebgp;
	ctx->maxlen = BGP_MAX_MSG;
	for (int af = 0; af < BGP_AF_MAX; af++) {
		/* RFC 7911 4: rx needs our RX and their TX, and vice versa */
		if (!p->add_paths)
			continue;
		ctx->add_path_rx[af] = (o->caps.add_path[af] & BGP_ADDPATH_TX);
		ctx->add_path_tx[af] = (o->caps.add_path[af] & BGP_ADDPATH_RX);
	}
}

/* RFC 9494 4: the peer does LLGR for af (its LLGR capability counts
 * only beside its GR capability) with a long-lived stale time. */
static bool
llgr_negotiated(const struct bgp_peer *peer, enum bgp_af af)
{
	const struct bgp_caps *c = &peer->remote_caps;

	return c->gr && c->llgr && c->llgr_af[af] && c->llgr_time[af] > 0;
}

/*
 * RFC 4724 4.2: the restarting peer is back. If it did not keep its
 * forwarding state for the AF (F bit clear, or no GR capability at all),
 * its stale routes go now; otherwise they wait for its End-of-RIB, but
 * never longer than the restart time it advertises in the new OPEN
 * (restarted from now): a peer that never sends End-of-RIB does not keep
 * dead routes forever. Our implementation: the RFC's optional "stale
 * routes" limit is that restart time. In the long-lived phase (RFC 9494)
 * the F bit is the LLGR capability's (as BIRD) and the long-lived stale
 * timer runs on as the limit.
 */
static void
gr_reestablished(struct bgp_peer *peer)
{
	const struct bgp_caps *c = &peer->remote_caps;
	enum bgp_af af = peer_af(peer);
	size_t n;

	if (peer->llgr_stale && llgr_negotiated(peer, af) && c->llgr_fwd[af]) {
		log_peer(peer, LOG_LVL_INFO, "long-lived graceful restart: "
		    "peer is back, stale routes kept until End-of-RIB or the "
		    "stale time ends");
		return;
	}
	timer_stop(peer->ev_restart);
	if (!peer->llgr_stale && c->gr && c->gr_af[af] && c->gr_fwd[af] &&
	    c->gr_time > 0) {
		timer_arm(peer->ev_restart, c->gr_time, false);
		log_peer(peer, LOG_LVL_INFO, "graceful restart: peer is back, "
		    "stale routes kept until End-of-RIB or %us", c->gr_time);
		return;
	}
	n = rib_sweep_stale(peer->bgpd->rib, &peer->src);
	peer->gr_stale = peer->llgr_stale = false;
	log_peer(peer, LOG_LVL_INFO, "graceful restart: peer kept no "
	    "forwarding state, %zu stale routes removed", n);
}

void
bgp_peer_established(struct bgp_peer *peer, struct bgp_conn *conn)
{
	struct bgpd *bgpd = peer->bgpd;

	peer->remote_id = conn->remote_open.bgp_id;
	peer->remote_caps = conn->remote_open.caps;
	peer->src.router_id = peer->remote_id;
	negotiate_ctx(peer, &conn->remote_open);
	peer->last_error[0] = '\0';
	peer->refused = 0;
	memset(peer->eor_rx, 0, sizeof(peer->eor_rx));
	peer->erefresh = false;
	peer->loop_logged = false;
	peer->rr_loop_logged = false;
	peer->addpath_cap_logged = false;
	timer_stop(peer->ev_refresh);
	if (peer->gr_stale)
		gr_reestablished(peer);
	peer->adjout = adjout_new(peer, export_want);
	peer->client = rib_client_add(bgpd->rib, &peer_client_ops, peer);
	rib_client_feed(bgpd->rib, peer->client);
	adjout_queue_eor(peer->adjout);
	bgp_peer_tx_schedule(peer);
}

static void
release_export_cache(struct bgp_peer *peer)
{
	struct rib *rib = peer->bgpd->rib;

	if (peer->exp_cache_in)
		rib_attrs_unref(rib, peer->exp_cache_in);
	if (peer->exp_cache_out)
		rib_attrs_unref(rib, peer->exp_cache_out);
	peer->exp_cache_in = peer->exp_cache_out = NULL;
}

/* excomm.c: the export communities changed */
void
bgp_peer_export_cache_drop(struct bgp_peer *peer)
{
	release_export_cache(peer);
}

void
bgp_peer_export_stop(struct bgp_peer *peer)
{
	bgp_upg_leave(peer, false);
	if (peer->client != NULL) {
		rib_client_del(peer->bgpd->rib, peer->client);
		peer->client = NULL;
	}
	adjout_free(peer->adjout);
	peer->adjout = NULL;
	release_export_cache(peer);
}

void
bgp_peer_export_resume(struct bgp_peer *peer, struct adjout *ao)
{
	peer->adjout = ao;
	peer->client = rib_client_add(peer->bgpd->rib, &peer_client_ops, peer);
	bgp_peer_tx_schedule(peer);
}

bool
bgp_peer_exporting(const struct bgp_peer *peer)
{
	return peer->adjout != NULL || peer->upg != NULL;
}

bool
bgp_peer_tx_pending(const struct bgp_peer *peer)
{
	if (peer->upg != NULL)
		return !adjout_idle(bgp_upg_adjout(peer->upg));
	return peer->adjout != NULL && !adjout_idle(peer->adjout);
}

/*
 * RFC 9494 4.2: the long-lived phase: routes with NO_LLGR go, the others
 * take LLGR_STALE (least preferred, rib/decide.c; sent only to peers with
 * the LLGR capability) and stay for the peer's long-lived stale time.
 */
static void
llgr_begin(struct bgp_peer *peer)
{
	uint32_t t = peer->remote_caps.llgr_time[peer_af(peer)];
	size_t dropped, n;

	n = rib_llgr_stale(peer->bgpd->rib, &peer->src, &dropped);
	peer->llgr_stale = true;
	timer_arm(peer->ev_restart, t, false);
	log_peer(peer, LOG_LVL_INFO, "long-lived graceful restart: keeping "
	    "%zu routes as LLGR_STALE for %us (%zu with NO_LLGR withdrawn)",
	    n, t, dropped);
}

/*
 * The session went down. RFC 4724 4.2: if the peer does graceful restart
 * for this AF and the session ended without a NOTIFICATION, keep its routes
 * marked stale until it is back and sends End-of-RIB, or the restart time
 * it advertised runs out; then, RFC 9494, for its long-lived stale time if
 * it does LLGR (at once when its restart time is 0). Otherwise withdraw
 * them now.
 */
void
bgp_peer_session_down(struct bgp_peer *peer, bool graceful)
{
	struct rib *rib = peer->bgpd->rib;
	const struct bgp_caps *c = &peer->remote_caps;
	enum bgp_af af = peer_af(peer);
	bool gr = c->gr && c->gr_af[af] && c->gr_time > 0;
	size_t n;

	peer->drops++;
	bgp_peer_export_stop(peer);
	peer->llgr_stale = false;
	if (graceful && !peer->dead && (gr || llgr_negotiated(peer, af))) {
		n = rib_mark_stale(rib, &peer->src);
		peer->gr_stale = true;
		if (!gr) {
			llgr_begin(peer);
			return;
		}
		timer_arm(peer->ev_restart, c->gr_time, false);
		log_peer(peer, LOG_LVL_INFO,
		    "graceful restart: keeping %zu routes for %us", n,
		    c->gr_time);
		return;
	}
	n = rib_flush_source(rib, &peer->src);
	peer->gr_stale = false;
	if (n)
		log_peer(peer, LOG_LVL_INFO, "withdrew %zu routes", n);
}

/* The restart timer: the restart time ran out (the long-lived phase
 * begins if the peer is still away and does LLGR), or the stale time. */
void
bgp_peer_gr_expired(struct bgp_peer *peer)
{
	size_t n;

	if (peer->gr_stale && !peer->llgr_stale &&
	    peer->state != BGP_STATE_ESTABLISHED &&
	    llgr_negotiated(peer, peer_af(peer))) {
		llgr_begin(peer);
		return;
	}
	n = rib_sweep_stale(peer->bgpd->rib, &peer->src);
	log_peer(peer, LOG_LVL_INFO, "%s timer expired: withdrew %zu stale "
	    "routes", peer->llgr_stale ? "long-lived stale" :
	    "graceful restart", n);
	peer->gr_stale = peer->llgr_stale = false;
}

void
bgp_peer_flush(struct bgp_peer *peer)
{
	bgp_peer_export_stop(peer);
	rib_flush_source(peer->bgpd->rib, &peer->src);
	peer->gr_stale = peer->llgr_stale = false;
}

/* ---- UPDATE processing ---- */

static int
withdraw_nlri(struct bgp_peer *peer, struct rbuf r, uint8_t fam, bool ap,
    struct bgp_err *err)
{
	struct prefix pfx;
	uint32_t pid;
	int rc;

	while ((rc = bgp_nlri_next(&r, fam, ap, &pfx, &pid, err)) == 1)
		rib_withdraw(peer->bgpd->rib, &peer->src, &pfx, pid);
	return rc;
}

/*
 * A refusal by the rib ends the session (RFC 4271 6.7 Cease): the peer's
 * paths for one prefix beyond max_paths as its prefix limit (subcode 1),
 * its memory budget as Out of Resources (subcode 8).
 */
static int
rib_refused(struct bgp_peer *peer, int rc, const struct prefix *pfx,
    struct bgp_err *err)
{
	char p[PREFIX_STRLEN];

	prefix_fmt(pfx, p, sizeof(p));
	if (rc == RIB_E_PATHS) {
		log_peer(peer, LOG_LVL_WARNING, "more than %u paths for %s: "
		    "closing the session", peer->src.max_paths, p);
		return bgp_err_set(err, BGP_ERR_CEASE, BGP_CEASE_MAX_PREFIX,
		    BGP_ERR_RESET, NULL, 0, "paths per prefix");
	}
	log_peer(peer, LOG_LVL_WARNING, "memory budget of %zu bytes exceeded "
	    "(at %s): closing the session", peer->src.mem_max, p);
	return bgp_err_set(err, BGP_ERR_CEASE, BGP_CEASE_OUT_OF_RESOURCES,
	    BGP_ERR_RESET, NULL, 0, "out of resources");
}

/*
 * Announce r's NLRI with attrs (NULL: every one refused, as for an AS
 * loop). A prefix the import filter refuses is withdrawn (it may have been
 * accepted before with other attributes) and counted.
 */
static int
announce_nlri(struct bgp_peer *peer, struct rbuf r, uint8_t fam, bool ap,
    const struct rib_attrs *attrs, struct bgp_err *err)
{
	struct bgpd *bgpd = peer->bgpd;
	struct bgpd_peer_info pi;
	struct prefix pfx;
	uint32_t pid;
	int rc, urc;

	peer_info(peer, &pi);
	while ((rc = bgp_nlri_next(&r, fam, ap, &pfx, &pid, err)) == 1) {
		if (attrs == NULL || (bgpd->ops.import_ok != NULL &&
		    !bgpd->ops.import_ok(bgpd->ops_arg, &pi, &pfx))) {
			peer->rx_refused++;
			rib_withdraw(bgpd->rib, &peer->src, &pfx, pid);
			continue;
		}
		urc = rib_update(bgpd->rib, &peer->src, &pfx, pid, attrs);
		if (urc == RIB_E_PATHS || urc == RIB_E_MEM)
			return rib_refused(peer, urc, &pfx, err);
		if (urc != 0)
			peer->rx_refused++;
	}
	return rc;
}

/* RFC 4760 / 5492: NLRI of an AF the session did not negotiate is ignored. */
static bool
af_ok(const struct bgp_peer *peer, enum bgp_af af)
{
	return af == peer_af(peer);
}

static int
withdraw_all(struct bgp_peer *peer, const struct bgp_update *u, bool reach,
    struct bgp_err *err)
{
	const struct bgp_codec_ctx *ctx = &peer->ctx;
	bool v4 = af_ok(peer, BGP_AF_IPV4);

	if (v4 && withdraw_nlri(peer, reach ? u->nlri : u->withdrawn, AF_INET,
	    ctx->add_path_rx[BGP_AF_IPV4], err) == -1)
		return -1;
	if (reach ? !u->has_mp_reach : !u->has_mp_unreach)
		return 0;
	if (reach && af_ok(peer, u->mp_reach_af))
		return withdraw_nlri(peer, u->mp_reach_nlri,
		    bgp_af_family(u->mp_reach_af),
		    ctx->add_path_rx[u->mp_reach_af], err);
	if (!reach && af_ok(peer, u->mp_unreach_af))
		return withdraw_nlri(peer, u->mp_unreach_nlri,
		    bgp_af_family(u->mp_unreach_af),
		    ctx->add_path_rx[u->mp_unreach_af], err);
	return 0;
}

static int
rx_withdrawals(struct bgp_peer *peer, const struct bgp_update *u,
    struct bgp_err *err)
{
	if (withdraw_all(peer, u, false, err) == -1)
		return -1;
	/* RFC 7606 2: treat-as-withdraw: every NLRI of the message goes */
	if (u->treat_as_withdraw)
		return withdraw_all(peer, u, true, err);
	return 0;
}

/*
 * RFC 4271 9.1.2: "If the AS_PATH attribute of a BGP route contains an AS
 * loop, the BGP route should be excluded from the Phase 2 decision
 * function." Our implementation: our own AS more often than allow_local_as
 * (Calico's numAllowedLocalASNumbers, BIRD's "allow local as") is a loop;
 * the route is refused (withdrawn, counted), from any peer.
 */
static bool
as_loop(struct bgp_peer *peer, const struct rib_attrs *tmpl)
{
	uint32_t local_as = bgp_peer_local_as(peer);

	/* the session's AS (localASNumber): BIRD's "local as" of the
	 * protocol is what its loop check looks for */
	if (aspath_count_as(tmpl->aspath, tmpl->aspath_len, local_as) <=
	    bgp_peer_allow_local_as(peer))
		return false;
	peer->rx_loops++;
	if (!peer->loop_logged && (peer->loop_logged = true))
		log_peer(peer, LOG_LVL_WARNING, "AS_PATH holds our AS %u: "
		    "route refused (AS loop; counted, logged once a session)",
		    local_as);
	return true;
}

/*
 * RFC 4456 8: over iBGP, a path with our router ID as ORIGINATOR_ID, or
 * (as a reflector) our cluster ID in its CLUSTER_LIST, went round: it is
 * refused like an AS loop (withdrawn, counted, logged once a session).
 */
static bool
rr_loop(struct bgp_peer *peer, const struct rib_attrs *tmpl)
{
	const struct bgpd_params *p = &peer->bgpd->params;
	enum bgp_rr_loop l;

	if (peer->ebgp || (l = bgp_rr_loop(tmpl, p->router_id,
	    p->rr_cluster_id)) == BGP_RR_NO_LOOP)
		return false;
	if (!peer->rr_loop_logged && (peer->rr_loop_logged = true))
		log_peer(peer, LOG_LVL_INFO, "route refused: %s (a reflection "
		    "loop, RFC 4456; counted, logged once a session)",
		    bgp_rr_loop_name(l));
	return true;
}

/* Intern tmpl, announce r's NLRI with it, drop our reference. */
static int
announce_with(struct bgp_peer *peer, struct rbuf r, enum bgp_af af,
    const struct rib_attrs *tmpl, struct bgp_err *err)
{
	struct rib *rib = peer->bgpd->rib;
	const struct rib_attrs *attrs = NULL;
	uint64_t refused = peer->rx_refused;
	bool rrl = false;
	int rc;

	if (!as_loop(peer, tmpl) && !(rrl = rr_loop(peer, tmpl)))
		attrs = rib_attrs_intern(rib, tmpl);
	rc = announce_nlri(peer, r, bgp_af_family(af), peer->ctx.add_path_rx[af],
	    attrs, err);
	if (attrs != NULL)
		rib_attrs_unref(rib, attrs);
	if (rrl)	/* the routes it refused */
		peer->rx_rr_loops += peer->rx_refused - refused;
	return rc;
}

static int
rx_announcements(struct bgp_peer *peer, const struct bgp_update *u,
    struct bgp_err *err)
{
	struct bgpd *bgpd = peer->bgpd;
	struct rib_attrs tmpl;
	bool v4 = rbuf_left(&u->nlri) > 0 && af_ok(peer, BGP_AF_IPV4);
	bool mp = u->has_mp_reach && af_ok(peer, u->mp_reach_af);

	if (!v4 && !mp)
		return 0;
	if (bgp_update_attrs(u, &peer->ctx, &tmpl, bgpd->scratch,
	    bgpd->scratchlen, err) == -1) {
		if (err->action != BGP_ERR_WITHDRAW)
			return -1;
		log_peer(peer, LOG_LVL_WARNING, "UPDATE treated as withdraw "
		    "(RFC 7606): %s", err->reason ? err->reason : "?");
		return withdraw_all(peer, u, true, err);
	}
	if (mp && announce_with(peer, u->mp_reach_nlri, u->mp_reach_af, &tmpl,
	    err) == -1)
		return -1;
	if (v4) {
		/* the MP next hop is for the MP NLRI; IPv4 NLRI use NEXT_HOP */
		tmpl.nexthop = u->next_hop;
		memset(&tmpl.nexthop_ll, 0, sizeof(tmpl.nexthop_ll));
		return announce_with(peer, u->nlri, BGP_AF_IPV4, &tmpl, err);
	}
	return 0;
}

static void
rx_eor(struct bgp_peer *peer, enum bgp_af af)
{
	size_t n;

	peer->eor_rx[af] = true;
	log_peer(peer, LOG_LVL_DEBUG, "End-of-RIB received");
	if (!peer->gr_stale || af != peer_af(peer))
		return;
	/* RFC 4724 4.2: End-of-RIB: delete what is still stale */
	timer_stop(peer->ev_restart);
	n = rib_sweep_stale(peer->bgpd->rib, &peer->src);
	peer->gr_stale = peer->llgr_stale = false;
	log_peer(peer, LOG_LVL_INFO,
	    "graceful restart done: %zu stale routes removed", n);
}

int
bgp_peer_rx_update(struct bgp_peer *peer, struct bgp_fsm_msg *m)
{
	struct bgp_update u;
	uint32_t max = peer->bgpd->params.max_prefixes;

	if (bgp_update_decode(&m->body, &peer->ctx, &u, &m->err) == -1) {
		log_peer(peer, LOG_LVL_WARNING, "bad UPDATE: %s",
		    m->err.reason ? m->err.reason : "?");
		return -1;
	}
	if (u.treat_as_withdraw)
		log_peer(peer, LOG_LVL_WARNING,
		    "UPDATE treated as withdraw (RFC 7606): %s",
		    u.withdraw_err.reason ? u.withdraw_err.reason : "?");
	if (rx_withdrawals(peer, &u, &m->err) == -1 ||
	    (!u.treat_as_withdraw && rx_announcements(peer, &u, &m->err) == -1))
		return -1;
	if (u.is_eor)
		rx_eor(peer, u.eor_af);
	if (max != 0 && peer->src.npaths > max) {
		log_peer(peer, LOG_LVL_WARNING,
		    "prefix limit %u exceeded", max);
		bgp_err_set(&m->err, BGP_ERR_CEASE, BGP_CEASE_MAX_PREFIX,
		    BGP_ERR_RESET, NULL, 0, "maximum number of prefixes");
		return -1;
	}
	return 0;
}

/* ---- route refresh (RFC 2918, RFC 7313) ---- */

static bool
erefresh_negotiated(const struct bgp_peer *peer)
{
	return peer->remote_caps.enhanced_rr;	/* we always advertise it */
}

void
bgp_peer_send_rrefresh(struct bgp_peer *peer, uint8_t subtype)
{
	uint8_t buf[BGP_RREFRESH_LEN];
	struct wbuf w;
	struct bgp_rrefresh rr = {
		.afi = peer->conf.addr.af == AF_INET6 ? BGP_AFI_IPV6 :
		    BGP_AFI_IPV4,
		.safi = BGP_SAFI_UNICAST,
		.subtype = subtype,
	};

	if (peer->conn == NULL || peer->conn->state != BGP_STATE_ESTABLISHED)
		return;
	wbuf_init(&w, buf, sizeof(buf));
	bgp_rrefresh_encode(&rr, &w);
	if (!w.err)
		bgp_conn_send(peer->conn, buf, w.len);
}

/*
 * Serve a refresh: the Adj-RIB-Out is queued again as it stands (pending
 * withdrawals kept), between BoRR and EoRR when the peer does RFC 7313.
 */
void
bgp_peer_refresh(struct bgp_peer *peer)
{
	/* the whole table again, for this session only: alone from a copy */
	bgp_upg_leave(peer, true);
	if (peer->adjout == NULL)
		return;
	peer->refresh_last = timer_now_ms();
	peer->refresh_served++;
	if (erefresh_negotiated(peer))
		bgp_peer_send_rrefresh(peer, BGP_RR_BORR);
	adjout_refresh(peer->adjout, erefresh_negotiated(peer));
	bgp_peer_tx_schedule(peer);
}

/* ms until another refresh may be served (refresh_interval apart), or 0. */
static unsigned
refresh_wait_ms(const struct bgp_peer *peer)
{
	uint64_t since, min = peer->bgpd->params.refresh_interval * 1000u;

	if (peer->refresh_last == 0 || min == 0)
		return 0;
	since = timer_now_ms() - peer->refresh_last;
	return since >= min ? 0 : (unsigned)(min - since);
}

/*
 * A request (subtype 0). Our implementation: at most one refresh per
 * refresh_interval seconds per peer; requests in between are coalesced
 * into one served when the interval is over (a storm costs one re-send
 * a second, not one per message).
 */
static void
rx_refresh_request(struct bgp_peer *peer)
{
	unsigned ms;

	if (timer_running(peer->ev_refresh))
		return;			/* coalesced */
	if ((ms = refresh_wait_ms(peer)) == 0) {
		bgp_peer_refresh(peer);
		return;
	}
	log_peer(peer, LOG_LVL_DEBUG, "route refresh deferred %u ms", ms);
	timer_arm_ms(peer->ev_refresh, ms);
}

/*
 * RFC 7313 4: the peer re-sends its routes. BoRR: what it announced is
 * marked stale; EoRR: what it did not announce again goes. Our
 * implementation: a BoRR sooner than refresh_interval after the last, or
 * during graceful restart recovery, is ignored (so is the EoRR after it):
 * marking is a walk of the table, not to be repeated at a peer's pace.
 */
static void
rx_refresh_marker(struct bgp_peer *peer, uint8_t subtype)
{
	struct rib *rib = peer->bgpd->rib;
	size_t n;

	if (subtype == BGP_RR_BORR) {
		if (peer->gr_stale || refresh_wait_ms(peer) > 0)
			return;
		peer->refresh_last = timer_now_ms();
		n = rib_mark_stale(rib, &peer->src);
		peer->erefresh = true;
		log_peer(peer, LOG_LVL_DEBUG, "BoRR: %zu routes stale", n);
		return;
	}
	if (!peer->erefresh)
		return;
	peer->erefresh = false;
	n = rib_sweep_stale(rib, &peer->src);
	log_peer(peer, LOG_LVL_DEBUG, "EoRR: %zu stale routes removed", n);
}

int
bgp_peer_rx_rrefresh(struct bgp_peer *peer, struct bgp_fsm_msg *m)
{
	struct bgp_rrefresh rr;
	enum bgp_af af;

	if (bgp_rrefresh_decode(&m->body, &rr, &m->err) == -1)
		return -1;
	peer->refresh_rx++;
	if (bgp_af_from_afi(rr.afi, rr.safi, &af) == -1 ||
	    af != peer_af(peer) || !bgp_peer_exporting(peer))
		return 0;	/* RFC 2918 4: ignore an AF not negotiated */
	if (rr.subtype == BGP_RR_REQUEST)
		rx_refresh_request(peer);
	else if ((rr.subtype == BGP_RR_BORR || rr.subtype == BGP_RR_EORR) &&
	    erefresh_negotiated(peer))
		rx_refresh_marker(peer, rr.subtype);
	/* RFC 7313 5: any other subtype is ignored */
	return 0;
}

/* ---- export ---- */

/* The peer a BGP path came from (every RIB_SRC_BGP source is a peer's). */
static const struct bgp_peer *
src_peer(const struct rib_src *src)
{
	return (const struct bgp_peer *)(const void *)((const char *)src -
	    offsetof(struct bgp_peer, src));
}

/* An iBGP-learned path towards an iBGP peer: only reflected (RFC 4456). */
static bool
ibgp_to_ibgp(const struct bgp_peer *peer, const struct rib_path *p)
{
	return p->src->kind == RIB_SRC_BGP && !p->src->ebgp && !peer->ebgp;
}

/*
 * What this peer may be sent (before the agent's filter): never a path back
 * to the peer it came from, only the session's AF, and an iBGP-learned path
 * to an iBGP peer only as a reflector: from a client to anyone, from a
 * non-client to clients (RFC 4271 9.2, RFC 4456 6). In an update group
 * (peer its first member) a path goes back to its own session too
 * (upgroup.c says why that is harmless).
 */
static bool
export_allowed(const struct bgp_peer *peer, const struct prefix *pfx,
    const struct rib_path *p)
{
	if ((p->src == &peer->src && peer->upg == NULL) ||
	    pfx->af != peer->conf.addr.af)
		return false;
	/* RFC 9494 5: LLGR_STALE only to peers that know it (as BIRD) */
	if (p->attrs->llgr_stale && !peer->remote_caps.llgr)
		return false;
	if (ibgp_to_ibgp(peer, p))
		return bgp_rr_reflect_ok(peer->bgpd->params.rr_cluster_id,
		    src_peer(p->src)->conf.rr_client, peer->conf.rr_client);
	return true;
}

/*
 * Does peer get the next hop path came with (else ours)? BIRD's
 * bgp_use_next_hop, what Calico's nextHopMode renders to: SELF (`next hop
 * self`) never, KEEP (`next hop keep`) always, AUTO (BIRD's default)
 * towards iBGP (reflected paths too), not towards eBGP (RFC 4271 5.1.3).
 * Our own routes and a next hop of the other family go out as ours in
 * every mode (BIRD: a blackhole route has no gateway to keep). Our
 * implementation: BIRD's third-party next hop towards eBGP between
 * single-hop peers on one interface is not done (Calico's BGPPeers are
 * multihop, where BIRD does not do it either).
 */
static bool
keep_next_hop(const struct bgp_peer *peer, const struct rib_path *path)
{
	const struct addr *nh = &path->attrs->nexthop;

	if (path->src->kind != RIB_SRC_BGP || !addr_is_set(nh) ||
	    nh->af != peer->conf.addr.af)
		return false;
	switch (peer->conf.next_hop) {
	case BGPD_NH_SELF:
		return false;
	case BGPD_NH_KEEP:
		return true;
	case BGPD_NH_AUTO:
		break;
	}
	return !peer->ebgp;
}

/*
 * RFC 4271 5.1.3: the next hop (keep_next_hop); 5.1.2: prepend our AS
 * towards eBGP (RFC 4456's attributes dropped there). A reflected path
 * keeps LOCAL_PREF and MED and gets ORIGINATOR_ID and our cluster ID (rr.c).
 * The last translation is cached: a table from one peer shares a handful
 * of attribute sets, so this runs once per set, not per prefix.
 */
static const struct rib_attrs *
export_attrs(struct bgp_peer *peer, const struct prefix *pfx,
    const struct rib_path *path)
{
	struct rib *rib = peer->bgpd->rib;
	const struct bgpd_params *p = &peer->bgpd->params;
	const struct rib_attrs *in = path->attrs;
	struct rib_attrs t = *in;
	uint8_t aspath[BGP_MAX_MSG];
	uint32_t clusters[BGP_RR_MAX_CLUSTER];
	uint64_t key = 0, comms = peer->bgpd->export_as_is ? 0 :
	    bgp_excomm_match(peer->bgpd, pfx);
	struct bgp_excomm_buf xb;
	struct wbuf w;

	if (ibgp_to_ibgp(peer, path))
		key = (uint64_t)1 << 32 | path->src->router_id;
	if (peer->exp_cache_in == in && peer->exp_cache_key == key &&
	    peer->exp_cache_comms == comms)
		return rib_attrs_ref(peer->exp_cache_out);
	if (key != 0 && bgp_rr_reflect_attrs(&t, in, path->src->router_id,
	    p->rr_cluster_id, clusters, BGP_RR_MAX_CLUSTER) == -1)
		return NULL;
	if (!keep_next_hop(peer, path)) {
		t.nexthop = peer->conf.addr.af == AF_INET6 ? p->local_v6 :
		    p->local_v4;
		memset(&t.nexthop_ll, 0, sizeof(t.nexthop_ll));
	} else if (peer->ebgp) {
		/* a link-local next hop is the source's link's only */
		memset(&t.nexthop_ll, 0, sizeof(t.nexthop_ll));
	}
	if (peer->ebgp) {
		wbuf_init(&w, aspath, sizeof(aspath));
		wbuf_put_u8(&w, BGP_AS_SEQUENCE);
		wbuf_put_u8(&w, 1);
		wbuf_put_u32(&w, bgp_peer_local_as(peer));
		wbuf_put_bytes(&w, in->aspath, in->aspath_len);
		if (w.err)
			return NULL;
		t.aspath = aspath;
		t.aspath_len = (uint16_t)w.len;
		t.has_local_pref = false;
		t.has_med = in->has_med && in->aspath_len == 0;
		bgp_rr_strip(&t);
	} else if (!t.has_local_pref) {
		t.has_local_pref = true;
		t.local_pref = 100;
	}
	/* issue 15: prefixAdvertisements' communities (excomm.c) */
	if (comms != 0 && bgp_excomm_apply(peer->bgpd, comms, &t, &xb) == -1) {
		bgp_excomm_buf_free(&xb);
		return NULL;
	}
	release_export_cache(peer);
	peer->exp_cache_in = rib_attrs_ref(in);
	peer->exp_cache_key = key;
	peer->exp_cache_comms = comms;
	peer->exp_cache_out = rib_attrs_intern(rib, &t);
	if (comms != 0)
		bgp_excomm_buf_free(&xb);
	return rib_attrs_ref(peer->exp_cache_out);
}

/* The attributes path goes out with to peer, referenced; NULL: not sent. */
static const struct rib_attrs *
export_one(struct bgp_peer *peer, const struct prefix *pfx,
    const struct rib_path *path)
{
	struct bgpd *bgpd = peer->bgpd;
	struct bgpd_peer_info pi;

	if (!export_allowed(peer, pfx, path))
		return NULL;
	bgpd->export_as_is = false;	/* export_ok may say (excomm.c) */
	if (bgpd->ops.export_ok != NULL) {
		peer_info(peer, &pi);
		if (!bgpd->ops.export_ok(bgpd->ops_arg, &pi, pfx, path))
			return NULL;
	}
	return export_attrs(peer, pfx, path);
}

/*
 * RFC 7911 path id of a path we send: its source's rib id (unique and
 * stable while the source lives, as BIRD uses its rte_src ids), mixed with
 * the path id it came with when its source sent several; distinct among
 * the n already chosen for this prefix (a clash moves to the next value).
 */
static uint32_t
out_path_id(const struct rib_path *p, const uint32_t *ids, size_t n)
{
	uint32_t id = p->src->id;

	if (p->path_id != 0) {
		id = (id * 0x9e3779b1u) ^ (p->path_id * 0x85ebca6bu);
		id = (id ^ (id >> 15)) | 0x80000000u;
	}
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id) {
			id = id + 1 == 0 ? 1 : id + 1;
			i = (size_t)-1;		/* check again from the start */
		}
	return id;
}

/*
 * What peer should now have for pfx, from its paths (best first): the
 * best one when it may be sent, or, over add-path (RFC 7911), every path
 * that may be sent, at most BGP_ADDPATH_TX_MAX of the first
 * BGP_ADDPATH_TX_SCAN: a neighbour's thousands of paths on one prefix
 * must not make each of its changes cost every session a walk of them.
 */
static void
export_paths(struct bgp_peer *peer, const struct prefix *pfx,
    const struct rib_path *best, struct adjout_want *w)
{
	bool all = peer->ctx.add_path_tx[pfx->af == AF_INET6 ? BGP_AF_IPV6 :
	    BGP_AF_IPV4];
	size_t scanned = 0;

	w->n = 0;
	for (const struct rib_path *p = best; p != NULL;
	    p = all ? p->next : NULL) {
		const struct rib_attrs *a;

		if (w->n == BGP_ADDPATH_TX_MAX ||
		    scanned++ == BGP_ADDPATH_TX_SCAN) {
			if (!peer->addpath_cap_logged &&
			    (peer->addpath_cap_logged = true))
				log_peer(peer, LOG_LVL_WARNING, "add-path: "
				    "a prefix has more paths than the %d sent "
				    "or %d looked at (logged once a session)",
				    BGP_ADDPATH_TX_MAX, BGP_ADDPATH_TX_SCAN);
			break;
		}
		if ((a = export_one(peer, pfx, p)) == NULL)
			continue;
		w->ids[w->n] = all ? out_path_id(p, w->ids, w->n) : 0;
		w->attrs[w->n++] = a;
	}
}

/*
 * adjout_build's question (the want function of adjout_new), asked when
 * it gets to a marked prefix id: what the peer should have now for the
 * prefix the id holds. rib.h goes from an id to its prefix, then from the
 * prefix to its entry.
 */
static bool
export_want(struct bgp_peer *peer, uint32_t id, struct adjout_want *w)
{
	struct rib *rib = peer->bgpd->rib;
	const struct rib_entry *e;

	w->n = 0;
	if ((e = rib_id_entry(rib, id, &w->pfx)) == NULL)
		return false;
	export_paths(peer, &w->pfx, rib_entry_best(e), w);
	return true;
}

/*
 * pfx (id) changed: mark it in the Adj-RIB-Out ao (the peer's, or its
 * update group's), which asks export_want when it builds. Not when nothing
 * is sent for it and its best path may not go to the peer (its own,
 * another AF, iBGP not reflected: export_allowed), which leaves the peer
 * nothing to be sent; over add-path every path counts, so it is always
 * marked. True when newly marked.
 */
bool
bgp_export_mark(struct bgp_peer *peer, struct adjout *ao,
    const struct prefix *pfx, uint32_t id, const struct rib_path *best)
{
	if (!peer->ctx.add_path_tx[pfx->af == AF_INET6 ? BGP_AF_IPV6 :
	    BGP_AF_IPV4] && !export_allowed(peer, pfx, best) &&
	    !adjout_holds(ao, id))
		return false;
	return adjout_mark(ao, id);
}

static void
export_mark(struct bgp_peer *peer, const struct prefix *pfx, uint32_t id,
    const struct rib_path *best)
{
	if (bgp_export_mark(peer, peer->adjout, pfx, id, best))
		bgp_peer_tx_change(peer);
}

static void
best_changed(void *arg, const struct prefix *pfx, uint32_t id,
    const struct rib_path *nb, const struct rib_path *ob)
{
	struct bgp_peer *peer = arg;

	(void)ob;
	if (peer->adjout == NULL)
		return;
	if (nb == NULL) {	/* the prefix ends; id may be reused after */
		if (adjout_end(peer->adjout, pfx, id))
			bgp_peer_tx_change(peer);
		return;
	}
	export_mark(peer, pfx, id, nb);
}

/* Another path than the best changed: only add-path sessions see it. */
static void
paths_changed(void *arg, const struct prefix *pfx, uint32_t id,
    const struct rib_path *best)
{
	struct bgp_peer *peer = arg;

	if (peer->adjout != NULL && peer->ctx.add_path_tx[pfx->af ==
	    AF_INET6 ? BGP_AF_IPV6 : BGP_AF_IPV4])
		export_mark(peer, pfx, id, best);
}
