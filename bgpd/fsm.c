/*
 * fsm.c: the RFC 4271 section 8 finite state machine, per connection.
 *
 * bgp_fsm() takes one event (with its decoded message, if any) and does the
 * state's actions through peer.c's transport and timer functions only; it
 * never touches sockets, libevent or the clock, so test_fsm.c drives it
 * with stubs. Every transition goes through bgp_fsm_change_state(), which
 * logs it (Connect<->Active churn is not logged).
 *
 * Our implementation: Idle, Connect and Active are peer-level states in
 * peer.c (no connection object exists then, or only a pending connect);
 * a struct bgp_conn runs Connect -> OpenSent -> OpenConfirm -> Established.
 * Collision detection (6.8) is resolved in peer.c when an OPEN arrives.
 * DelayOpen and the optional session attributes of 8.1.1 are not used.
 */
#include <stdio.h>
#include <limits.h>
#include <string.h>

#include "session.h"

static const char *const state_names[] = {
	[BGP_STATE_IDLE] = "Idle",
	[BGP_STATE_CONNECT] = "Connect",
	[BGP_STATE_ACTIVE] = "Active",
	[BGP_STATE_OPENSENT] = "OpenSent",
	[BGP_STATE_OPENCONFIRM] = "OpenConfirm",
	[BGP_STATE_ESTABLISHED] = "Established",
};

const char *
bgp_state_name(enum bgp_state s)
{
	if ((size_t)s < NITEMS(state_names))
		return state_names[s];
	return "?";
}

static const char *const event_names[] = {
	[BGP_EV_START] = "start",
	[BGP_EV_STOP] = "stop",
	[BGP_EV_CONNECT_RETRY] = "connect retry timer expired",
	[BGP_EV_HOLD_EXPIRED] = "hold timer expired",
	[BGP_EV_KEEPALIVE_TIMER] = "keepalive timer expired",
	[BGP_EV_TCP_OK] = "connection up",
	[BGP_EV_TCP_FAIL] = "connection failed",
	[BGP_EV_OPEN] = "OPEN received",
	[BGP_EV_KEEPALIVE] = "KEEPALIVE received",
	[BGP_EV_UPDATE] = "UPDATE received",
	[BGP_EV_NOTIFICATION] = "NOTIFICATION received",
	[BGP_EV_RREFRESH] = "ROUTE-REFRESH received",
	[BGP_EV_MSG_ERROR] = "message error",
	[BGP_EV_BFD_DOWN] = "BFD session down",
};

const char *
bgp_event_name(enum bgp_event e)
{
	if ((size_t)e < NITEMS(event_names))
		return event_names[e];
	return "?";
}

/*
 * The error kept for status output is worded as BIRD words it
 * (proto/bgp/packets.c bgp_msg_table, bgp_error_dsc), because Calico's
 * tools and operators read it from "show protocols": "BGP Error: Bad peer
 * AS", "Received: Connection rejected". Logs keep the RFC names.
 */
static const struct {
	uint8_t		 code, subcode;
	const char	*text;
} bird_errs[] = {
	{ 1, 0, "Invalid message header" },
	{ 1, 1, "Connection not synchronized" },
	{ 1, 2, "Bad message length" },
	{ 1, 3, "Bad message type" },
	{ 2, 0, "Invalid OPEN message" },
	{ 2, 1, "Unsupported version number" },
	{ 2, 2, "Bad peer AS" },
	{ 2, 3, "Bad BGP identifier" },
	{ 2, 4, "Unsupported optional parameter" },
	{ 2, 5, "Authentication failure" },
	{ 2, 6, "Unacceptable hold time" },
	{ 2, 7, "Required capability missing" },
	{ 2, 8, "No supported AFI/SAFI" },
	{ 2, 11, "Role mismatch" },
	{ 3, 0, "Invalid UPDATE message" },
	{ 3, 1, "Malformed attribute list" },
	{ 3, 2, "Unrecognized well-known attribute" },
	{ 3, 3, "Missing mandatory attribute" },
	{ 3, 4, "Invalid attribute flags" },
	{ 3, 5, "Invalid attribute length" },
	{ 3, 6, "Invalid ORIGIN attribute" },
	{ 3, 7, "AS routing loop" },
	{ 3, 8, "Invalid NEXT_HOP attribute" },
	{ 3, 9, "Optional attribute error" },
	{ 3, 10, "Invalid network field" },
	{ 3, 11, "Malformed AS_PATH" },
	{ 4, 0, "Hold timer expired" },
	{ 5, 0, "Finite state machine error" },
	{ 5, 1, "Unexpected message in OpenSent state" },
	{ 5, 2, "Unexpected message in OpenConfirm state" },
	{ 5, 3, "Unexpected message in Established state" },
	{ 6, 0, "Cease" },
	{ 6, 1, "Maximum number of prefixes reached" },
	{ 6, 2, "Administrative shutdown" },
	{ 6, 3, "Peer de-configured" },
	{ 6, 4, "Administrative reset" },
	{ 6, 5, "Connection rejected" },
	{ 6, 6, "Other configuration change" },
	{ 6, 7, "Connection collision resolution" },
	{ 6, 8, "Out of Resources" },
	{ 6, 9, "Hard reset" },
	{ 6, 10, "BFD session down" },
	{ 7, 0, "Invalid ROUTE-REFRESH message" },
	{ 7, 1, "Invalid ROUTE-REFRESH message length" },
};

static const char *
bird_err_text(uint8_t code, uint8_t subcode, char *buf, size_t len)
{
	for (size_t i = 0; i < NITEMS(bird_errs); i++)
		if (bird_errs[i].code == code && bird_errs[i].subcode == subcode)
			return bird_errs[i].text;
	snprintf(buf, len, "Unknown error %u.%u", code, subcode);
	return buf;
}

void
bgp_fsm_change_state(struct bgp_conn *conn, enum bgp_state to,
    enum bgp_event why)
{
	struct bgp_peer *peer = conn->peer;
	enum bgp_state from = conn->state;

	conn->state = to;
	if (conn != peer->conn || from == to)
		return;
	peer->state = to;
	peer->since = time(NULL);
	log_peer(peer, LOG_LVL_INFO, "state %s -> %s (%s)",
	    bgp_state_name(from), bgp_state_name(to), bgp_event_name(why));
}

/*
 * "sent notification Cease/Peer De-configured"; a Hard Reset (RFC 8538 3)
 * is logged by the NOTIFICATION it carries, with "(as Hard Reset)".
 */
static void
log_notification(const struct bgp_peer *peer, const char *dir,
    const struct bgp_notification *n)
{
	uint8_t code = n->code, sub = n->subcode;
	bool hard = code == BGP_ERR_CEASE && sub == BGP_CEASE_HARD_RESET &&
	    n->datalen >= 2;

	if (hard) {
		code = n->data[0];
		sub = n->data[1];
	}
	log_peer(peer, LOG_LVL_WARNING, "%s notification %s/%s%s", dir,
	    bgp_err_code_name(code), bgp_err_subcode_name(code, sub),
	    hard ? " (as Hard Reset, RFC 8538)" : "");
}

void
bgp_fsm_send_notification(struct bgp_conn *conn, uint8_t code,
    uint8_t subcode, const void *data, size_t len)
{
	uint8_t buf[BGP_MAX_MSG];
	char text[32];
	struct wbuf w;
	struct bgp_notification n = {
		.code = code, .subcode = subcode, .data = data, .datalen = len,
	};

	if (n.datalen > BGP_MAX_MSG - BGP_NOTIFICATION_MIN)
		n.datalen = BGP_MAX_MSG - BGP_NOTIFICATION_MIN;
	wbuf_init(&w, buf, sizeof(buf));
	bgp_notification_encode(&n, &w);
	if (w.err)
		return;
	log_notification(conn->peer, "sent", &n);
	bgp_peer_set_error(conn->peer, "BGP Error: %s",
	    bird_err_text(code, subcode, text, sizeof(text)));
	bgp_conn_send(conn, buf, w.len);
}

/*
 * RFC 4724 3 with the session's restart time (Calico's maxRestartTime or
 * nodeMeshMaxRestartTime), and RFC 9494 3: with restartMode
 * LongLivedGracefulRestart our long-lived stale time, else BIRD's default
 * "aware" (an empty LLGR capability: we take LLGR_STALE routes). LLGR
 * brings the GR capability with it even with graceful restart off (RFC
 * 9494 4: without it the LLGR capability is disregarded), with restart
 * time 0 then: the long-lived phase starts at once.
 */
static void
build_open_gr(const struct bgp_peer *peer, struct bgp_open *o)
{
	const struct bgpd_params *p = &peer->bgpd->params;
	enum bgp_af af = peer->conf.addr.af == AF_INET6 ? BGP_AF_IPV6 :
	    BGP_AF_IPV4;
	uint16_t t = peer->conf.gr_time_set ? peer->conf.gr_time :
	    p->restart_time;

	o->caps.gr = true;
	o->caps.gr_notification = true;		/* RFC 8538 */
	o->caps.gr_time = p->graceful_restart ? t & 0xfff : 0;
	o->caps.gr_restarting = p->gr_restarting;
	o->caps.gr_af[af] = true;
	o->caps.gr_fwd[af] = p->gr_restarting;
	o->caps.llgr = true;
	if (!peer->conf.llgr)
		return;
	o->caps.llgr_af[af] = true;
	o->caps.llgr_fwd[af] = p->gr_restarting;
	o->caps.llgr_time[af] = peer->conf.llgr_time & BGPD_LLGR_TIME_MAX;
}

void
bgp_fsm_build_open(const struct bgp_peer *peer, struct bgp_open *o)
{
	const struct bgpd_params *p = &peer->bgpd->params;
	uint8_t fam = peer->conf.addr.af;
	uint32_t local_as = bgp_peer_local_as(peer);	/* localASNumber */

	memset(o, 0, sizeof(*o));
	o->version = BGP_VERSION;
	o->my_as = local_as > 0xffff ? BGP_AS_TRANS : (uint16_t)local_as;
	o->hold_time = p->hold_time;
	o->bgp_id = p->router_id;
	/* one AF per session, as Calico's BIRD (IPv4 mesh, IPv6 mesh) */
	o->caps.mp[fam == AF_INET6 ? BGP_AF_IPV6 : BGP_AF_IPV4] = true;
	o->caps.route_refresh = true;
	o->caps.enhanced_rr = true;		/* RFC 7313 */
	o->caps.as4 = true;
	o->caps.as4_as = local_as;
	if (p->graceful_restart || peer->conf.llgr)
		build_open_gr(peer, o);
	if (p->add_paths) {
		enum bgp_af af = fam == AF_INET6 ? BGP_AF_IPV6 : BGP_AF_IPV4;

		o->caps.add_path[af] = BGP_ADDPATH_RX | BGP_ADDPATH_TX;
	}
}

/*
 * OPEN checks that need the session (the codec checked the syntax):
 * RFC 4271 6.2 peer AS and BGP Identifier, RFC 5492 common AF.
 */
int
bgp_fsm_check_open(struct bgp_conn *conn, const struct bgp_open *o,
    struct bgp_err *err)
{
	const struct bgp_peer *peer = conn->peer;
	const struct bgpd_params *p = &peer->bgpd->params;
	uint32_t as = bgp_open_as(o);
	bool v6 = peer->conf.addr.af == AF_INET6;
	bool any_mp = o->caps.mp[BGP_AF_IPV4] || o->caps.mp[BGP_AF_IPV6];
	uint16_t my_as2 = (uint16_t)(as > 0xffff ? BGP_AS_TRANS : as);
	uint8_t data[2] = { (uint8_t)(my_as2 >> 8), (uint8_t)my_as2 };

	if (as != peer->conf.as)
		return bgp_err_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_AS,
		    BGP_ERR_RESET, data, sizeof(data), "bad peer AS");
	if (o->bgp_id == 0 || (as == bgp_peer_local_as(peer) &&
	    o->bgp_id == p->router_id))
		return bgp_err_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_BGPID,
		    BGP_ERR_RESET, NULL, 0, "bad BGP identifier");
	/* RFC 4760 8: no MP capability at all means IPv4 unicast only */
	if (v6 ? !o->caps.mp[BGP_AF_IPV6] :
	    (any_mp && !o->caps.mp[BGP_AF_IPV4]))
		return bgp_err_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_CAPA,
		    BGP_ERR_RESET, NULL, 0, "no common address family");
	return 0;
}

static void
send_open(struct bgp_conn *conn)
{
	uint8_t buf[BGP_MAX_MSG];
	struct wbuf w;
	struct bgp_open o;

	bgp_fsm_build_open(conn->peer, &o);
	wbuf_init(&w, buf, sizeof(buf));
	bgp_open_encode(&o, &w);
	if (!w.err)
		bgp_conn_send(conn, buf, w.len);
}

static void
send_keepalive(struct bgp_conn *conn)
{
	uint8_t buf[BGP_HDR_LEN];
	struct wbuf w;

	wbuf_init(&w, buf, sizeof(buf));
	bgp_keepalive_encode(&w);
	if (!w.err)
		bgp_conn_send(conn, buf, w.len);
}

/* Close this connection; the peer decides what comes next. */
static void
fsm_close(struct bgp_conn *conn, enum bgp_event why, bool graceful)
{
	struct bgp_peer *peer = conn->peer;
	bool was_up = conn->state == BGP_STATE_ESTABLISHED;

	if (conn == peer->conn)
		bgp_fsm_change_state(conn, BGP_STATE_ACTIVE, why);
	else
		conn->state = BGP_STATE_IDLE;
	if (was_up)
		bgp_peer_session_down(peer, graceful);
	bgp_conn_close(conn);
}

/* RFC 8538: both sides set the N bit on an Established session. */
bool
bgp_fsm_gr_notification(const struct bgp_conn *conn)
{
	const struct bgp_peer *peer = conn->peer;

	return conn->state == BGP_STATE_ESTABLISHED &&
	    peer->bgpd->params.graceful_restart && peer->remote_caps.gr &&
	    peer->remote_caps.gr_notification;
}

/*
 * RFC 8538 5: the Cease subcodes sent as a Hard Reset (the session's
 * routes go on both sides). Our implementation follows the RFC's table,
 * but for Out of Resources, which the table leaves graceful: here it is a
 * peer over its memory budget, whose routes must go to free it.
 */
static bool
cease_is_hard(uint8_t subcode)
{
	switch (subcode) {
	case BGP_CEASE_MAX_PREFIX:
	case BGP_CEASE_ADMIN_SHUTDOWN:
	case BGP_CEASE_PEER_UNCONFIGURED:
	case BGP_CEASE_OUT_OF_RESOURCES:
	case BGP_CEASE_HARD_RESET:
		return true;
	default:
		return false;
	}
}

/*
 * Send a Cease; with the N bit exchanged, a hard one as Cease/Hard Reset
 * carrying the Cease itself (RFC 8538 3). Returns whether the session's
 * routes are to be kept (a graceful Cease under RFC 8538).
 */
bool
bgp_fsm_send_cease(struct bgp_conn *conn, uint8_t subcode)
{
	uint8_t inner[2] = { BGP_ERR_CEASE, subcode };

	if (!bgp_fsm_gr_notification(conn)) {
		bgp_fsm_send_notification(conn, BGP_ERR_CEASE, subcode, NULL, 0);
		return false;
	}
	if (!cease_is_hard(subcode)) {
		bgp_fsm_send_notification(conn, BGP_ERR_CEASE, subcode, NULL, 0);
		return true;
	}
	bgp_fsm_send_notification(conn, BGP_ERR_CEASE, BGP_CEASE_HARD_RESET,
	    inner, sizeof(inner));
	return false;
}

/* RFC 8538 4: an error we send also ends the session gracefully when the
 * N bit was exchanged, but for the Ceases sent as Hard Reset. */
static void
fsm_error(struct bgp_conn *conn, enum bgp_event why, const struct bgp_err *e)
{
	bool keep;

	if (e->code == BGP_ERR_CEASE)
		keep = bgp_fsm_send_cease(conn, e->subcode);
	else {
		keep = bgp_fsm_gr_notification(conn);
		bgp_fsm_send_notification(conn, e->code, e->subcode, e->data,
		    e->datalen);
	}
	fsm_close(conn, why, keep);
}

static void
fsm_fsm_error(struct bgp_conn *conn, enum bgp_event why)
{
	struct bgp_err e;
	/* RFC 6608 subcodes: unexpected message in OpenSent/OpenConfirm/Est. */
	uint8_t sub = conn->state == BGP_STATE_OPENSENT ? 1 :
	    conn->state == BGP_STATE_OPENCONFIRM ? 2 : 3;

	bgp_err_set(&e, BGP_ERR_FSM, sub, BGP_ERR_RESET, NULL, 0,
	    "unexpected message");
	fsm_error(conn, why, &e);
}

static void
negotiate_timers(struct bgp_conn *conn, const struct bgp_open *o)
{
	struct bgp_peer *peer = conn->peer;
	const struct bgpd_params *p = &peer->bgpd->params;
	unsigned hold = o->hold_time < p->hold_time ? o->hold_time :
	    p->hold_time;
	unsigned ka = 0, kat = peer->conf.keepalive_time != 0 ?
	    peer->conf.keepalive_time : p->keepalive_time;

	/* RFC 4271 4.2: hold is the smaller; keepalive scaled (BIRD 2); the
	 * session's keepaliveTime, as Calico's template sets it, replaces
	 * ours (the hold time stays ours) */
	if (hold != 0) {
		ka = p->hold_time ? kat * hold / p->hold_time : 0;
		if (ka == 0 || ka > hold / 3)
			ka = hold / 3;
		if (ka == 0)
			ka = 1;
	}
	peer->hold_time = (uint16_t)hold;
	peer->keepalive_time = (uint16_t)ka;
}

static void
start_session_timers(struct bgp_conn *conn)
{
	struct bgp_peer *peer = conn->peer;

	if (peer->hold_time) {
		bgp_conn_timer_start(conn, BGP_TIMER_HOLD, peer->hold_time);
		bgp_conn_timer_start(conn, BGP_TIMER_KEEPALIVE,
		    peer->keepalive_time);
	} else {
		bgp_conn_timer_stop(conn, BGP_TIMER_HOLD);
		bgp_conn_timer_stop(conn, BGP_TIMER_KEEPALIVE);
	}
}

static void
rx_open(struct bgp_conn *conn, struct bgp_fsm_msg *m)
{
	struct bgp_open o;
	struct bgp_err e;

	if (bgp_open_decode(&m->body, &o, &e) == -1 ||
	    bgp_fsm_check_open(conn, &o, &e) == -1) {
		log_peer(conn->peer, LOG_LVL_WARNING, "bad OPEN: %s",
		    e.reason ? e.reason : "?");
		fsm_error(conn, BGP_EV_OPEN, &e);
		return;
	}
	conn->remote_open = o;
	conn->open_received = true;
	if (bgp_peer_collision(conn->peer, conn))
		return;		/* this connection lost and was closed */
	negotiate_timers(conn, &o);
	send_keepalive(conn);
	start_session_timers(conn);
	bgp_fsm_change_state(conn, BGP_STATE_OPENCONFIRM, BGP_EV_OPEN);
}

static void
rx_notification(struct bgp_conn *conn, struct bgp_fsm_msg *m)
{
	struct bgp_notification n;
	struct bgp_err e;
	struct bgp_peer *peer = conn->peer;
	char text[32];

	memset(&n, 0, sizeof(n));
	if (bgp_notification_decode(&m->body, &n, &e) == 0) {
		log_notification(peer, "received", &n);
		bgp_peer_set_error(peer, "Received: %s",
		    bird_err_text(n.code, n.subcode, text, sizeof(text)));
	}
	/*
	 * RFC 8538 4: with the N bit exchanged, a NOTIFICATION other than
	 * Hard Reset ends the session as a graceful restart (routes kept
	 * stale); without it (RFC 4724), or on Hard Reset, they go now.
	 */
	fsm_close(conn, BGP_EV_NOTIFICATION, bgp_fsm_gr_notification(conn) &&
	    !(n.code == BGP_ERR_CEASE && n.subcode == BGP_CEASE_HARD_RESET));
}

static void
fsm_connect(struct bgp_conn *conn, enum bgp_event ev)
{
	switch (ev) {
	case BGP_EV_TCP_OK:
		send_open(conn);
		/* RFC 4271 8: a large hold time until the OPEN; an incoming
		 * connection gets open_wait: a silent one goes soon */
		bgp_conn_timer_start(conn, BGP_TIMER_HOLD, conn->outgoing ?
		    BGP_OPEN_HOLD_TIME : conn->peer->bgpd->params.open_wait);
		bgp_fsm_change_state(conn, BGP_STATE_OPENSENT, ev);
		break;
	default:
		fsm_close(conn, ev, false);
		break;
	}
}

static void
fsm_hold_expired(struct bgp_conn *conn)
{
	bgp_fsm_send_notification(conn, BGP_ERR_HOLD, 0, NULL, 0);
	/* RFC 4724 4.2: hold timer expiry keeps routes as stale */
	fsm_close(conn, BGP_EV_HOLD_EXPIRED, true);
}

/*
 * bgpd_peer_down: the BFD session to the peer went Down after being Up
 * (RFC 5882 4.3: the BGP session goes at once, not at the hold time).
 * Cease/BFD Down (RFC 9384), though across a dead path it rarely arrives.
 * Our implementation: the routes go now too, where Calico's BIRD template
 * says "bfd graceful" and keeps them for a graceful restart: a dead link
 * is what BFD detects, and stale routes would keep traffic on it for the
 * restart time (issue 15: the routes leave within the detection time).
 */
static void
fsm_bfd_down(struct bgp_conn *conn)
{
	if (conn->state >= BGP_STATE_OPENSENT)
		bgp_fsm_send_notification(conn, BGP_ERR_CEASE,
		    BGP_CEASE_BFD_DOWN, NULL, 0);
	fsm_close(conn, BGP_EV_BFD_DOWN, false);
}

static void
fsm_keepalive_timer(struct bgp_conn *conn)
{
	send_keepalive(conn);
	bgp_conn_timer_start(conn, BGP_TIMER_KEEPALIVE,
	    conn->peer->keepalive_time);
}

/* The events OpenSent, OpenConfirm and Established handle alike. */
static void
fsm_common(struct bgp_conn *conn, enum bgp_event ev, struct bgp_fsm_msg *m)
{
	switch (ev) {
	case BGP_EV_KEEPALIVE_TIMER:
		if (conn->state >= BGP_STATE_OPENCONFIRM)
			fsm_keepalive_timer(conn);
		break;
	case BGP_EV_HOLD_EXPIRED:
		fsm_hold_expired(conn);
		break;
	case BGP_EV_BFD_DOWN:
		fsm_bfd_down(conn);
		break;
	case BGP_EV_NOTIFICATION:
		rx_notification(conn, m);
		break;
	case BGP_EV_MSG_ERROR:
		fsm_error(conn, ev, &m->err);
		break;
	case BGP_EV_TCP_FAIL:
		/* RFC 4724 4.2: losing an established TCP session keeps routes */
		fsm_close(conn, ev, conn->state == BGP_STATE_ESTABLISHED);
		break;
	case BGP_EV_STOP:
		fsm_close(conn, ev, false);
		break;
	default:
		fsm_fsm_error(conn, ev);
		break;
	}
}

static void
fsm_opensent(struct bgp_conn *conn, enum bgp_event ev, struct bgp_fsm_msg *m)
{
	if (ev == BGP_EV_OPEN)
		rx_open(conn, m);
	else
		fsm_common(conn, ev, m);
}

static void
fsm_openconfirm(struct bgp_conn *conn, enum bgp_event ev,
    struct bgp_fsm_msg *m)
{
	if (ev != BGP_EV_KEEPALIVE) {
		fsm_common(conn, ev, m);
		return;
	}
	if (conn->peer->hold_time)
		bgp_conn_timer_start(conn, BGP_TIMER_HOLD,
		    conn->peer->hold_time);
	bgp_fsm_change_state(conn, BGP_STATE_ESTABLISHED, ev);
	bgp_peer_established(conn->peer, conn);
}

static void
fsm_established(struct bgp_conn *conn, enum bgp_event ev,
    struct bgp_fsm_msg *m)
{
	struct bgp_peer *peer = conn->peer;

	switch (ev) {
	case BGP_EV_KEEPALIVE:
	case BGP_EV_UPDATE:
	case BGP_EV_RREFRESH:
		if (peer->hold_time)
			bgp_conn_timer_start(conn, BGP_TIMER_HOLD,
			    peer->hold_time);
		if ((ev == BGP_EV_UPDATE && bgp_peer_rx_update(peer, m) == -1) ||
		    (ev == BGP_EV_RREFRESH &&
		    bgp_peer_rx_rrefresh(peer, m) == -1))
			fsm_error(conn, ev, &m->err);
		break;
	default:
		fsm_common(conn, ev, m);
		break;
	}
}

void
bgp_fsm(struct bgp_conn *conn, enum bgp_event ev, struct bgp_fsm_msg *m)
{
	if (conn->fd == -1 && conn->state == BGP_STATE_IDLE)
		return;		/* already closed in this wakeup */
	switch (conn->state) {
	case BGP_STATE_CONNECT:
		fsm_connect(conn, ev);
		break;
	case BGP_STATE_OPENSENT:
		fsm_opensent(conn, ev, m);
		break;
	case BGP_STATE_OPENCONFIRM:
		fsm_openconfirm(conn, ev, m);
		break;
	case BGP_STATE_ESTABLISHED:
		fsm_established(conn, ev, m);
		break;
	case BGP_STATE_IDLE:
	case BGP_STATE_ACTIVE:
	default:
		fatalx("bgp_fsm: connection in state %s",
		    bgp_state_name(conn->state));
	}
}

/*
 * RFC 4271 8 leaves the ConnectRetryTimer to the implementation. A connect
 * refused (ECONNREFUSED: the host answers, nothing listens: the peer's
 * daemon is starting) is retried after BGP_REFUSED_FIRST_MS and twice that
 * (it listens within a few ms of its start), then BGP_REFUSED_RETRY_MS,
 * flat, up to BGP_REFUSED_FLAT refusals in a row (10 s: a whole mesh starting
 * one daemon after another), then doubling up to connect_retry_time. A
 * refusal costs one SYN and one RST; a doubled backoff at start left the
 * last session of a 100-host mesh waiting 3.5 s after its peer listened
 * (bench/mesh.sh). Any other failure waits the whole connect_retry_time.
 */
unsigned
bgp_fsm_retry_ms(unsigned refused, unsigned max_ms)
{
	unsigned ms, k;

	if (max_ms == 0)
		max_ms = 1000;
	if (refused == 0)
		return max_ms;
	if (refused <= 2)
		ms = BGP_REFUSED_FIRST_MS << (refused - 1);	/* 50, 100 */
	else if (refused <= BGP_REFUSED_FLAT)
		ms = BGP_REFUSED_RETRY_MS;
	else {
		k = refused - BGP_REFUSED_FLAT;
		ms = k >= 20 ? UINT_MAX : BGP_REFUSED_RETRY_MS << k;
	}
	return ms < max_ms ? ms : max_ms;
}
