/*
 * test_fsm.c: the RFC 4271 8 state machine (bgpd/fsm.c) with a stub
 * transport and stub timers (OpenBGPD unittests: one real source file plus
 * stubs). Each test is a row of RFC 4271 8.2.2: state + event -> sent bytes,
 * timers armed, new state, and what the peer layer was told.
 */
#include <check.h>

#include "check_run.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "session.h"

/* ---- recording stubs for peer.c / import.c ---- */
static struct {
	uint8_t		 sent[8192];
	size_t		 sentlen;
	size_t		 lastoff;	/* offset of the last message sent */
	int		 nsent;
	uint8_t		 sent_types[16];
	unsigned	 timer_secs[BGP_TIMER_MAX];
	bool		 timer_on[BGP_TIMER_MAX];
	int		 closed;
	int		 established;
	int		 down;
	bool		 down_graceful;
	int		 updates;
	int		 update_rc;
	bool		 collision_close;
} rec;

void
log_peer(const struct bgp_peer *p, enum log_level l, const char *f, ...)
{
	(void)p; (void)l; (void)f;
}

void
bgp_peer_set_error(struct bgp_peer *p, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vsnprintf(p->last_error, sizeof(p->last_error), f, ap);
	va_end(ap);
}

void
bgp_conn_send(struct bgp_conn *c, const uint8_t *p, size_t len)
{
	(void)c;
	ck_assert_uint_le(rec.sentlen + len, sizeof(rec.sent));
	memcpy(rec.sent + rec.sentlen, p, len);
	rec.lastoff = rec.sentlen;
	rec.sentlen += len;
	if (rec.nsent < 16)
		rec.sent_types[rec.nsent] = p[18];
	rec.nsent++;
}

void
bgp_conn_close(struct bgp_conn *c)
{
	c->fd = -1;
	c->state = BGP_STATE_IDLE;
	rec.closed++;
}

void
bgp_conn_timer_start(struct bgp_conn *c, enum bgp_timer t, unsigned s)
{
	(void)c;
	rec.timer_secs[t] = s;
	rec.timer_on[t] = true;
}

void
bgp_conn_timer_stop(struct bgp_conn *c, enum bgp_timer t)
{
	(void)c;
	rec.timer_on[t] = false;
}

bool
bgp_peer_collision(struct bgp_peer *p, struct bgp_conn *c)
{
	(void)p;
	if (rec.collision_close) {
		bgp_conn_close(c);
		return true;
	}
	return false;
}

void
bgp_peer_established(struct bgp_peer *p, struct bgp_conn *c)
{
	(void)p; (void)c;
	rec.established++;
}

void
bgp_peer_session_down(struct bgp_peer *p, bool graceful)
{
	(void)p;
	rec.down++;
	rec.down_graceful = graceful;
}

int
bgp_peer_rx_update(struct bgp_peer *p, struct bgp_fsm_msg *m)
{
	(void)p;
	rec.updates++;
	if (rec.update_rc == -1)
		bgp_err_set(&m->err, BGP_ERR_UPDATE, BGP_ERR_UPD_ATTRLIST,
		    BGP_ERR_RESET, NULL, 0, "test");
	return rec.update_rc;
}

int
bgp_peer_rx_rrefresh(struct bgp_peer *p, struct bgp_fsm_msg *m)
{
	(void)p; (void)m;
	return 0;
}

/* ---- fixture ---- */
static struct bgpd bgpd;
static struct bgp_peer peer;
static struct bgp_conn conn;
static uint8_t msgbuf[4096];

static void
setup(void)
{
	memset(&rec, 0, sizeof(rec));
	memset(&bgpd, 0, sizeof(bgpd));
	memset(&peer, 0, sizeof(peer));
	memset(&conn, 0, sizeof(conn));
	bgpd.params.local_as = 64512;
	bgpd.params.router_id = 0xc6120001;	/* 198.18.0.1 */
	bgpd.params.hold_time = 240;
	bgpd.params.keepalive_time = 80;
	bgpd.params.graceful_restart = true;
	bgpd.params.restart_time = 120;
	bgpd.params.add_paths = true;
	bgpd.params.open_wait = 5;
	peer.bgpd = &bgpd;
	strcpy(peer.conf.name, "Mesh_198_18_0_2");
	ck_assert_int_eq(addr_parse("198.18.0.2", &peer.conf.addr), 0);
	peer.conf.as = 64512;
	peer.conn = &conn;
	conn.peer = &peer;
	conn.fd = 7;
	conn.state = BGP_STATE_CONNECT;
}

/* Build a message with the codec and hand its body to the FSM. */
static void
feed_open(uint32_t as, uint16_t hold, uint32_t id)
{
	struct bgp_open o;
	struct bgp_fsm_msg m;
	struct wbuf w;

	memset(&o, 0, sizeof(o));
	o.version = 4;
	o.my_as = as > 0xffff ? BGP_AS_TRANS : (uint16_t)as;
	o.hold_time = hold;
	o.bgp_id = id;
	o.caps.mp[BGP_AF_IPV4] = true;
	o.caps.as4 = true;
	o.caps.as4_as = as;
	o.caps.gr = true;
	o.caps.gr_time = 120;
	wbuf_init(&w, msgbuf, sizeof(msgbuf));
	bgp_open_encode(&o, &w);
	ck_assert(!w.err);
	memset(&m, 0, sizeof(m));
	m.type = BGP_OPEN;
	rbuf_init(&m.body, msgbuf + BGP_HDR_LEN, w.len - BGP_HDR_LEN);
	bgp_fsm(&conn, BGP_EV_OPEN, &m);
}

static void
feed_empty(enum bgp_event ev, uint8_t type)
{
	struct bgp_fsm_msg m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	rbuf_init(&m.body, msgbuf, 0);
	bgp_fsm(&conn, ev, &m);
}

static void
to_established(void)
{
	bgp_fsm(&conn, BGP_EV_TCP_OK, NULL);
	feed_open(64512, 90, 0xc6120002);
	feed_empty(BGP_EV_KEEPALIVE, BGP_KEEPALIVE);
	ck_assert_int_eq(conn.state, BGP_STATE_ESTABLISHED);
	memset(&rec, 0, sizeof(rec));
}

/* the last NOTIFICATION sent: code and subcode */
static void
assert_notification(uint8_t code, uint8_t subcode)
{
	ck_assert_int_ge(rec.nsent, 1);
	ck_assert_uint_eq(rec.sent_types[rec.nsent - 1], BGP_NOTIFICATION);
	ck_assert_uint_eq(rec.sent[rec.lastoff + BGP_HDR_LEN], code);
	ck_assert_uint_eq(rec.sent[rec.lastoff + BGP_HDR_LEN + 1], subcode);
}

/* ---- rows ---- */

START_TEST(t_connect_tcp_ok_sends_open)
{
	conn.outgoing = true;
	bgp_fsm(&conn, BGP_EV_TCP_OK, NULL);
	ck_assert_int_eq(conn.state, BGP_STATE_OPENSENT);
	ck_assert_int_eq(rec.nsent, 1);
	ck_assert_uint_eq(rec.sent_types[0], BGP_OPEN);
	ck_assert(rec.timer_on[BGP_TIMER_HOLD]);
	ck_assert_uint_eq(rec.timer_secs[BGP_TIMER_HOLD], BGP_OPEN_HOLD_TIME);
}
END_TEST

/* An incoming connection must send its OPEN within open_wait seconds. */
START_TEST(t_incoming_open_wait)
{
	conn.outgoing = false;
	bgp_fsm(&conn, BGP_EV_TCP_OK, NULL);
	ck_assert_int_eq(conn.state, BGP_STATE_OPENSENT);
	ck_assert_uint_eq(rec.sent_types[0], BGP_OPEN);
	ck_assert(rec.timer_on[BGP_TIMER_HOLD]);
	ck_assert_uint_eq(rec.timer_secs[BGP_TIMER_HOLD], 5);
}
END_TEST

START_TEST(t_connect_tcp_fail_closes)
{
	bgp_fsm(&conn, BGP_EV_TCP_FAIL, NULL);
	ck_assert_int_eq(rec.closed, 1);
	ck_assert_int_eq(rec.nsent, 0);
}
END_TEST

START_TEST(t_opensent_open_negotiates)
{
	bgp_fsm(&conn, BGP_EV_TCP_OK, NULL);
	feed_open(64512, 90, 0xc6120002);
	ck_assert_int_eq(conn.state, BGP_STATE_OPENCONFIRM);
	ck_assert_uint_eq(rec.sent_types[1], BGP_KEEPALIVE);
	/* RFC 4271 4.2: the smaller hold time; keepalive scaled to it */
	ck_assert_uint_eq(peer.hold_time, 90);
	ck_assert_uint_eq(peer.keepalive_time, 30);
	ck_assert_uint_eq(rec.timer_secs[BGP_TIMER_HOLD], 90);
	ck_assert_uint_eq(rec.timer_secs[BGP_TIMER_KEEPALIVE], 30);
}
END_TEST

START_TEST(t_opensent_hold_zero_no_timers)
{
	bgp_fsm(&conn, BGP_EV_TCP_OK, NULL);
	feed_open(64512, 0, 0xc6120002);
	ck_assert_int_eq(conn.state, BGP_STATE_OPENCONFIRM);
	ck_assert(!rec.timer_on[BGP_TIMER_HOLD]);
	ck_assert(!rec.timer_on[BGP_TIMER_KEEPALIVE]);
}
END_TEST

START_TEST(t_opensent_bad_peer_as)
{
	bgp_fsm(&conn, BGP_EV_TCP_OK, NULL);
	feed_open(65000, 90, 0xc6120002);
	assert_notification(BGP_ERR_OPEN, BGP_ERR_OPEN_AS);
	/* RFC 4271 6.2: no data required; we send the AS we saw */
	ck_assert_uint_eq(rec.sentlen - rec.lastoff, BGP_NOTIFICATION_MIN + 2);
	ck_assert_int_eq(rec.closed, 1);
}
END_TEST

START_TEST(t_opensent_same_router_id)
{
	bgp_fsm(&conn, BGP_EV_TCP_OK, NULL);
	feed_open(64512, 90, 0xc6120001);
	assert_notification(BGP_ERR_OPEN, BGP_ERR_OPEN_BGPID);
	ck_assert_int_eq(rec.closed, 1);
	ck_assert_int_eq(rec.established, 0);
}
END_TEST

START_TEST(t_opensent_keepalive_is_fsm_error)
{
	bgp_fsm(&conn, BGP_EV_TCP_OK, NULL);
	feed_empty(BGP_EV_KEEPALIVE, BGP_KEEPALIVE);
	assert_notification(BGP_ERR_FSM, 1);	/* RFC 6608 */
	ck_assert_int_eq(rec.closed, 1);
}
END_TEST

START_TEST(t_opensent_hold_expired)
{
	bgp_fsm(&conn, BGP_EV_TCP_OK, NULL);
	bgp_fsm(&conn, BGP_EV_HOLD_EXPIRED, NULL);
	assert_notification(BGP_ERR_HOLD, 0);
	ck_assert_int_eq(rec.closed, 1);
	ck_assert_int_eq(rec.down, 0);	/* never established */
}
END_TEST

START_TEST(t_openconfirm_keepalive_establishes)
{
	bgp_fsm(&conn, BGP_EV_TCP_OK, NULL);
	feed_open(64512, 90, 0xc6120002);
	feed_empty(BGP_EV_KEEPALIVE, BGP_KEEPALIVE);
	ck_assert_int_eq(conn.state, BGP_STATE_ESTABLISHED);
	ck_assert_int_eq(peer.state, BGP_STATE_ESTABLISHED);
	ck_assert_int_eq(rec.established, 1);
}
END_TEST

START_TEST(t_openconfirm_keepalive_timer_sends)
{
	bgp_fsm(&conn, BGP_EV_TCP_OK, NULL);
	feed_open(64512, 90, 0xc6120002);
	rec.nsent = 0;
	bgp_fsm(&conn, BGP_EV_KEEPALIVE_TIMER, NULL);
	ck_assert_int_eq(rec.nsent, 1);
	ck_assert_uint_eq(rec.sent_types[0], BGP_KEEPALIVE);
	ck_assert_int_eq(conn.state, BGP_STATE_OPENCONFIRM);
}
END_TEST

START_TEST(t_openconfirm_update_is_fsm_error)
{
	bgp_fsm(&conn, BGP_EV_TCP_OK, NULL);
	feed_open(64512, 90, 0xc6120002);
	feed_empty(BGP_EV_UPDATE, BGP_UPDATE);
	assert_notification(BGP_ERR_FSM, 2);
	ck_assert_int_eq(rec.updates, 0);
}
END_TEST

START_TEST(t_collision_loser_sends_nothing)
{
	rec.collision_close = true;
	bgp_fsm(&conn, BGP_EV_TCP_OK, NULL);
	feed_open(64512, 90, 0xc6120002);
	ck_assert_int_eq(rec.nsent, 1);		/* only our OPEN */
	ck_assert_int_eq(rec.closed, 1);
}
END_TEST

START_TEST(t_established_update_restarts_hold)
{
	to_established();
	feed_empty(BGP_EV_UPDATE, BGP_UPDATE);
	ck_assert_int_eq(rec.updates, 1);
	ck_assert(rec.timer_on[BGP_TIMER_HOLD]);
	ck_assert_uint_eq(rec.timer_secs[BGP_TIMER_HOLD], 90);
	ck_assert_int_eq(rec.nsent, 0);
}
END_TEST

START_TEST(t_established_bad_update_resets)
{
	to_established();
	rec.update_rc = -1;
	feed_empty(BGP_EV_UPDATE, BGP_UPDATE);
	assert_notification(BGP_ERR_UPDATE, BGP_ERR_UPD_ATTRLIST);
	ck_assert_int_eq(rec.down, 1);
	ck_assert(!rec.down_graceful);
	ck_assert_int_eq(rec.closed, 1);
}
END_TEST

START_TEST(t_established_hold_expired_graceful)
{
	to_established();
	bgp_fsm(&conn, BGP_EV_HOLD_EXPIRED, NULL);
	assert_notification(BGP_ERR_HOLD, 0);
	ck_assert_int_eq(rec.down, 1);
	ck_assert(rec.down_graceful);		/* RFC 4724 4.2 */
}
END_TEST

START_TEST(t_established_tcp_fail_graceful)
{
	to_established();
	bgp_fsm(&conn, BGP_EV_TCP_FAIL, NULL);
	ck_assert_int_eq(rec.nsent, 0);
	ck_assert_int_eq(rec.down, 1);
	ck_assert(rec.down_graceful);
}
END_TEST

START_TEST(t_established_notification_not_graceful)
{
	const uint8_t body[] = { BGP_ERR_CEASE, BGP_CEASE_ADMIN_SHUTDOWN };
	struct bgp_fsm_msg m;

	to_established();
	memset(&m, 0, sizeof(m));
	m.type = BGP_NOTIFICATION;
	rbuf_init(&m.body, body, sizeof(body));
	bgp_fsm(&conn, BGP_EV_NOTIFICATION, &m);
	ck_assert_int_eq(rec.nsent, 0);
	ck_assert_int_eq(rec.down, 1);
	ck_assert(!rec.down_graceful);
	ck_assert_str_eq(peer.last_error,
	    "Received: Administrative shutdown");
}
END_TEST

START_TEST(t_established_open_is_fsm_error)
{
	to_established();
	feed_open(64512, 90, 0xc6120002);
	assert_notification(BGP_ERR_FSM, 3);
	ck_assert_int_eq(rec.down, 1);
}
END_TEST

START_TEST(t_established_keepalive_timer)
{
	to_established();
	bgp_fsm(&conn, BGP_EV_KEEPALIVE_TIMER, NULL);
	ck_assert_int_eq(rec.nsent, 1);
	ck_assert_uint_eq(rec.sent_types[0], BGP_KEEPALIVE);
	ck_assert(rec.timer_on[BGP_TIMER_KEEPALIVE]);
}
END_TEST

START_TEST(t_open_we_send_has_capabilities)
{
	struct bgp_open o;
	struct bgp_err e;
	struct rbuf r;

	bgp_fsm(&conn, BGP_EV_TCP_OK, NULL);
	rbuf_init(&r, rec.sent + BGP_HDR_LEN, rec.sentlen - BGP_HDR_LEN);
	ck_assert_int_eq(bgp_open_decode(&r, &o, &e), 0);
	ck_assert_uint_eq(o.hold_time, 240);
	ck_assert_uint_eq(o.bgp_id, 0xc6120001);
	ck_assert(o.caps.mp[BGP_AF_IPV4]);
	ck_assert(o.caps.as4);
	ck_assert_uint_eq(o.caps.as4_as, 64512);
	ck_assert(o.caps.gr);
	ck_assert_uint_eq(o.caps.gr_time, 120);
	ck_assert(o.caps.route_refresh);
	ck_assert_uint_eq(o.caps.add_path[BGP_AF_IPV4],
	    BGP_ADDPATH_RX | BGP_ADDPATH_TX);
}
END_TEST

/* the OPEN we send, decoded */
static void
sent_open(struct bgp_open *o)
{
	struct bgp_err e;
	struct rbuf r;

	memset(&rec, 0, sizeof(rec));
	conn.state = BGP_STATE_CONNECT;
	bgp_fsm(&conn, BGP_EV_TCP_OK, NULL);
	rbuf_init(&r, rec.sent + BGP_HDR_LEN, rec.sentlen - BGP_HDR_LEN);
	ck_assert_int_eq(bgp_open_decode(&r, o, &e), 0);
}

/*
 * Issue 15: maxRestartTime is the session's GR restart time; restartMode
 * LongLivedGracefulRestart adds our LLGR tuple (its stale time, F bit as
 * the GR one); otherwise BIRD's default, an empty ("aware") LLGR
 * capability. LLGR brings GR along even with graceful restart off.
 */
START_TEST(t_open_restart_modes)
{
	struct bgp_open o;

	sent_open(&o);
	ck_assert(o.caps.gr && o.caps.llgr);
	ck_assert_uint_eq(o.caps.gr_time, 120);
	ck_assert(!o.caps.llgr_af[BGP_AF_IPV4] && !o.caps.llgr_af[BGP_AF_IPV6]);
	peer.conf.gr_time_set = true;
	peer.conf.gr_time = 300;
	sent_open(&o);
	ck_assert_uint_eq(o.caps.gr_time, 300);
	peer.conf.gr_time = 0;			/* maxRestartTime: 0s */
	sent_open(&o);
	ck_assert(o.caps.gr && o.caps.gr_af[BGP_AF_IPV4]);
	ck_assert_uint_eq(o.caps.gr_time, 0);
	peer.conf.gr_time_set = false;
	peer.conf.llgr = true;
	peer.conf.llgr_time = 86400;
	bgpd.params.gr_restarting = true;
	sent_open(&o);
	ck_assert_uint_eq(o.caps.gr_time, 120);
	ck_assert(o.caps.llgr_af[BGP_AF_IPV4] && o.caps.llgr_fwd[BGP_AF_IPV4]);
	ck_assert_uint_eq(o.caps.llgr_time[BGP_AF_IPV4], 86400);
	ck_assert(!o.caps.llgr_af[BGP_AF_IPV6]);
	bgpd.params.graceful_restart = false;
	bgpd.params.gr_restarting = false;
	sent_open(&o);
	ck_assert(o.caps.gr && o.caps.gr_time == 0);
	ck_assert(o.caps.llgr_af[BGP_AF_IPV4] && !o.caps.llgr_fwd[BGP_AF_IPV4]);
	peer.conf.llgr = false;
	sent_open(&o);
	ck_assert(!o.caps.gr && !o.caps.llgr);
}
END_TEST

/* Issue 15 localASNumber: the OPEN carries the session's AS (AS_TRANS in
 * the 2-byte field above 65535), and the peer's OPEN is checked against it
 * (same AS and router ID: a BGP identifier error, as with ours). */
START_TEST(t_open_local_as)
{
	struct bgp_open o;
	struct bgp_err e;
	struct rbuf r;

	peer.conf.local_as = 4200000001u;
	peer.conf.as = 4200000001u;
	bgp_fsm(&conn, BGP_EV_TCP_OK, NULL);
	rbuf_init(&r, rec.sent + BGP_HDR_LEN, rec.sentlen - BGP_HDR_LEN);
	ck_assert_int_eq(bgp_open_decode(&r, &o, &e), 0);
	ck_assert_uint_eq(o.my_as, BGP_AS_TRANS);
	ck_assert_uint_eq(o.caps.as4_as, 4200000001u);
	feed_open(4200000001u, 90, 0xc6120001);
	assert_notification(BGP_ERR_OPEN, BGP_ERR_OPEN_BGPID);
}
END_TEST

START_TEST(t_open_local_as_2byte)
{
	struct bgp_open o;
	struct bgp_err e;
	struct rbuf r;

	peer.conf.local_as = 65100;
	peer.conf.as = 65001;
	bgp_fsm(&conn, BGP_EV_TCP_OK, NULL);
	rbuf_init(&r, rec.sent + BGP_HDR_LEN, rec.sentlen - BGP_HDR_LEN);
	ck_assert_int_eq(bgp_open_decode(&r, &o, &e), 0);
	ck_assert_uint_eq(o.my_as, 65100);
	ck_assert_uint_eq(o.caps.as4_as, 65100);
	/* eBGP from our own router ID is no identifier error */
	feed_open(65001, 90, 0xc6120001);
	ck_assert_int_eq(conn.state, BGP_STATE_OPENCONFIRM);
}
END_TEST

/* Issue 15 keepaliveTime: the session's keepalive, scaled to the
 * negotiated hold time as ours is (BIRD), at most a third of it. */
START_TEST(t_session_keepalive)
{
	peer.conf.keepalive_time = 20;
	bgp_fsm(&conn, BGP_EV_TCP_OK, NULL);
	feed_open(64512, 240, 0xc6120002);
	ck_assert_uint_eq(peer.hold_time, 240);
	ck_assert_uint_eq(peer.keepalive_time, 20);
	ck_assert_uint_eq(rec.timer_secs[BGP_TIMER_KEEPALIVE], 20);
}
END_TEST

START_TEST(t_session_keepalive_capped)
{
	peer.conf.keepalive_time = 200;
	bgp_fsm(&conn, BGP_EV_TCP_OK, NULL);
	feed_open(64512, 90, 0xc6120002);
	ck_assert_uint_eq(peer.hold_time, 90);
	ck_assert_uint_eq(peer.keepalive_time, 30);
}
END_TEST

/* The ConnectRetryTimer after refused connects: flat 250 ms for 10 s (40
 * refusals), then doubling to connect_retry_time; any other failure waits
 * connect_retry_time (bench/mesh.sh's start tail: issue 14). */
START_TEST(t_retry_after_refused)
{
	ck_assert_uint_eq(bgp_fsm_retry_ms(0, 5000), 5000);
	ck_assert_uint_eq(bgp_fsm_retry_ms(0, 0), 1000);
	/* a peer starting: 50 then 100 ms, then 250 ms flat */
	ck_assert_uint_eq(bgp_fsm_retry_ms(1, 5000), 50);
	ck_assert_uint_eq(bgp_fsm_retry_ms(2, 5000), 100);
	for (unsigned i = 3; i <= BGP_REFUSED_FLAT; i++)
		ck_assert_uint_eq(bgp_fsm_retry_ms(i, 5000), 250);
	ck_assert_uint_eq(bgp_fsm_retry_ms(BGP_REFUSED_FLAT + 1, 5000), 500);
	ck_assert_uint_eq(bgp_fsm_retry_ms(BGP_REFUSED_FLAT + 2, 5000), 1000);
	ck_assert_uint_eq(bgp_fsm_retry_ms(BGP_REFUSED_FLAT + 4, 5000), 4000);
	ck_assert_uint_eq(bgp_fsm_retry_ms(BGP_REFUSED_FLAT + 5, 5000), 5000);
	ck_assert_uint_eq(bgp_fsm_retry_ms(BGP_REFUSED_MAX, 5000), 5000);
	ck_assert_uint_eq(bgp_fsm_retry_ms(BGP_REFUSED_MAX, 65535000),
	    65535000);
	/* connect_retry_time below the flat delay: the cap wins */
	ck_assert_uint_eq(bgp_fsm_retry_ms(3, 100), 100);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("fsm");
	TCase *tc = tcase_create("rfc4271-8.2.2");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, t_connect_tcp_ok_sends_open);
	tcase_add_test(tc, t_incoming_open_wait);
	tcase_add_test(tc, t_connect_tcp_fail_closes);
	tcase_add_test(tc, t_opensent_open_negotiates);
	tcase_add_test(tc, t_open_local_as);
	tcase_add_test(tc, t_open_local_as_2byte);
	tcase_add_test(tc, t_session_keepalive);
	tcase_add_test(tc, t_session_keepalive_capped);
	tcase_add_test(tc, t_opensent_hold_zero_no_timers);
	tcase_add_test(tc, t_opensent_bad_peer_as);
	tcase_add_test(tc, t_opensent_same_router_id);
	tcase_add_test(tc, t_opensent_keepalive_is_fsm_error);
	tcase_add_test(tc, t_opensent_hold_expired);
	tcase_add_test(tc, t_openconfirm_keepalive_establishes);
	tcase_add_test(tc, t_openconfirm_keepalive_timer_sends);
	tcase_add_test(tc, t_openconfirm_update_is_fsm_error);
	tcase_add_test(tc, t_collision_loser_sends_nothing);
	tcase_add_test(tc, t_established_update_restarts_hold);
	tcase_add_test(tc, t_established_bad_update_resets);
	tcase_add_test(tc, t_established_hold_expired_graceful);
	tcase_add_test(tc, t_established_tcp_fail_graceful);
	tcase_add_test(tc, t_established_notification_not_graceful);
	tcase_add_test(tc, t_established_open_is_fsm_error);
	tcase_add_test(tc, t_established_keepalive_timer);
	tcase_add_test(tc, t_open_we_send_has_capabilities);
	tcase_add_test(tc, t_open_restart_modes);
	tcase_add_test(tc, t_retry_after_refused);
	suite_add_tcase(s, tc);
	return check_run(s);
}
