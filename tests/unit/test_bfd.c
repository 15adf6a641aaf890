/*
 * test_bfd.c: bfd/ alone. The codec (pkt.c) on good and bad Control
 * packets, every check of RFC 5880 6.8.6 that needs no session, and the
 * session state machine (bfd.c) on a fake clock with a recording send
 * hook: Down -> Init -> Up, the Poll Sequence, detection timeout, a peer's
 * AdminDown, the receive checks that need a session, and the bounds.
 */
#include <string.h>

#include "bfd.h"
#include "check_run.h"
#include "pkt.h"

/* ---- codec ---- */

/* A valid packet: Up, Poll, mult 3, discriminators 1 and 2, 300 ms. */
static const uint8_t good[24] = {
	0x20,			/* version 1, diag 0 */
	0xe0,			/* state Up (3), P */
	0x03,			/* Detect Mult */
	0x18,			/* Length 24 */
	0, 0, 0, 1,		/* My Discriminator */
	0, 0, 0, 2,		/* Your Discriminator */
	0x00, 0x04, 0x93, 0xe0,	/* Desired Min TX 300000 us */
	0x00, 0x04, 0x93, 0xe0,	/* Required Min RX */
	0, 0, 0, 0,		/* Required Min Echo RX */
};

START_TEST(t_decode_good)
{
	struct bfd_pkt p;
	uint8_t out[32];

	ck_assert_int_eq(bfd_pkt_decode(good, sizeof(good), &p), BFD_PKT_OK);
	ck_assert_uint_eq(p.version, 1);
	ck_assert_uint_eq(p.state, BFD_STATE_UP);
	ck_assert_uint_eq(p.flags, BFD_F_POLL);
	ck_assert_uint_eq(p.detect_mult, 3);
	ck_assert_uint_eq(p.my_discr, 1);
	ck_assert_uint_eq(p.your_discr, 2);
	ck_assert_uint_eq(p.desired_min_tx, 300000);
	ck_assert_uint_eq(p.required_min_rx, 300000);
	/* and back to the same bytes */
	ck_assert_uint_eq(bfd_pkt_encode(&p, out, sizeof(out)), 24);
	ck_assert_mem_eq(out, good, 24);
	/* a buffer too small: nothing */
	ck_assert_uint_eq(bfd_pkt_encode(&p, out, 23), 0);
	/* a longer datagram than Length is fine (6.8.6 checks Length only) */
	memcpy(out, good, 24);
	memset(out + 24, 0, 8);
	ck_assert_int_eq(bfd_pkt_decode(out, 32, &p), BFD_PKT_OK);
}
END_TEST

static const struct {
	const char		*name;
	size_t			 off;		/* byte to change */
	uint8_t			 val;
	size_t			 len;		/* datagram length */
	enum bfd_pkt_err	 want;
} bad[] = {
	{ "version 0", 0, 0x00, 24, BFD_PKT_VERSION },
	{ "version 2", 0, 0x40, 24, BFD_PKT_VERSION },
	{ "Length 23", 3, 23, 24, BFD_PKT_LENGTH },
	{ "Length 0", 3, 0, 24, BFD_PKT_LENGTH },
	{ "Length past datagram", 3, 28, 24, BFD_PKT_TRUNCATED },
	{ "Detect Mult 0", 2, 0, 24, BFD_PKT_DETECT_MULT },
	{ "Multipoint", 1, 0xc1, 24, BFD_PKT_MULTIPOINT },
	{ "My Discriminator 0", 7, 0, 24, BFD_PKT_MY_DISCR },
	{ "Poll and Final", 1, 0xf0, 24, BFD_PKT_POLL_FINAL },
	/* A with Length 24: under the 26 an auth section needs */
	{ "A bit, Length 24", 1, 0xc4, 24, BFD_PKT_LENGTH },
	{ "short datagram", 0, 0x20, 20, BFD_PKT_SHORT },
};

START_TEST(t_decode_bad)
{
	uint8_t b[24];
	struct bfd_pkt p;

	memcpy(b, good, sizeof(b));
	b[bad[_i].off] = bad[_i].val;
	ck_assert_msg(bfd_pkt_decode(b, bad[_i].len, &p) == bad[_i].want,
	    "%s: got %s", bad[_i].name,
	    bfd_pkt_err_name(bfd_pkt_decode(b, bad[_i].len, &p)));
}
END_TEST

/* The A bit with a whole auth section: still refused, we run none. */
START_TEST(t_decode_auth)
{
	uint8_t b[28];
	struct bfd_pkt p;

	memcpy(b, good, 24);
	b[1] = 0xc4;		/* Up, A */
	b[3] = 28;
	b[24] = 1;		/* Simple Password */
	b[25] = 4;
	b[26] = 1;
	b[27] = 'x';
	ck_assert_int_eq(bfd_pkt_decode(b, sizeof(b), &p), BFD_PKT_AUTH);
}
END_TEST

/* Every truncation of a valid packet is refused. */
START_TEST(t_truncated)
{
	struct bfd_pkt p;

	for (size_t n = 0; n < sizeof(good); n++)
		ck_assert_int_ne(bfd_pkt_decode(good, n, &p), BFD_PKT_OK);
}
END_TEST

/* ---- sessions on a fake clock ---- */

static uint64_t now;
static struct bfd_pkt sent[64];
static size_t nsent;
static struct {
	enum bfd_state	 from, to;
	enum bfd_state	 remote;
	unsigned	 diag;
} changes[16];
static size_t nchanges;

static uint64_t
clock_us(void)
{
	return now;
}

static void
xmit(void *arg, const struct addr *to, const uint8_t *p, size_t len)
{
	(void)arg;
	(void)to;
	ck_assert_int_eq(bfd_pkt_decode(p, len, &sent[nsent % 64]),
	    BFD_PKT_OK);
	nsent++;
}

static const struct bfd_pkt *
last(void)
{
	ck_assert_uint_gt(nsent, 0);
	return &sent[(nsent - 1) % 64];
}

static void
changed(void *arg, const struct bfd_session_info *i, enum bfd_state old)
{
	(void)arg;
	ck_assert_uint_lt(nchanges, 16);
	changes[nchanges].from = old;
	changes[nchanges].to = i->state;
	changes[nchanges].remote = i->remote_state;
	changes[nchanges].diag = i->diag;
	nchanges++;
}

static const struct bfd_ops ops = { .state_changed = changed };
static struct addr peer, local, other;

static struct bfd *
setup(uint32_t max_sessions)
{
	struct bfd_params p = {
		.max_sessions = max_sessions,
		.clock_us = clock_us,
		.xmit = xmit,
	};
	struct bfd *bfd = bfd_new(NULL, &p, &ops, NULL);

	now = 1000000;
	nsent = nchanges = 0;
	ck_assert_int_eq(addr_parse("198.18.0.2", &peer), 0);
	ck_assert_int_eq(addr_parse("198.18.0.1", &local), 0);
	ck_assert_int_eq(addr_parse("198.18.0.3", &other), 0);
	ck_assert_int_eq(bfd_session_add(bfd, &peer, &local), 0);
	return bfd;
}

/* The peer's packet: state, its discriminator 0x1111, flags. */
static void
from_peer(struct bfd *bfd, const struct addr *src, int ttl,
    enum bfd_state st, uint32_t your, uint8_t flags, uint32_t tx_us)
{
	struct bfd_pkt p = {
		.version = 1, .state = (uint8_t)st, .flags = flags,
		.detect_mult = 3, .length = 24, .my_discr = 0x1111,
		.your_discr = your, .desired_min_tx = tx_us,
		.required_min_rx = 500000,
	};
	uint8_t b[24];

	ck_assert_uint_eq(bfd_pkt_encode(&p, b, sizeof(b)), 24);
	bfd_input(bfd, src, ttl, b, sizeof(b));
}

static enum bfd_state
state(struct bfd *bfd)
{
	struct bfd_session_info i;

	ck_assert(bfd_session_get(bfd, &peer, &i));
	return i.state;
}

static uint32_t
ours(struct bfd *bfd)
{
	struct bfd_session_info i;

	ck_assert(bfd_session_get(bfd, &peer, &i));
	return i.local_discr;
}

/* Down -> Init -> Up with the peer (RFC 5880 6.2), then the Poll. */
static void
bring_up(struct bfd *bfd)
{
	from_peer(bfd, &peer, 255, BFD_STATE_DOWN, 0, 0, 1000000);
	ck_assert_int_eq(state(bfd), BFD_STATE_INIT);
	ck_assert_uint_eq(last()->state, BFD_STATE_INIT);
	ck_assert_uint_eq(last()->your_discr, 0x1111);
	from_peer(bfd, &peer, 255, BFD_STATE_UP, ours(bfd), 0, 500000);
	ck_assert_int_eq(state(bfd), BFD_STATE_UP);
}

START_TEST(t_first_packet)
{
	struct bfd *bfd = setup(0);
	const struct bfd_pkt *p;

	/* the first packet within 100 ms, not an idle interval later */
	now += 100000;
	bfd_run_timers(bfd);
	ck_assert_uint_eq(nsent, 1);
	p = last();
	ck_assert_uint_eq(p->state, BFD_STATE_DOWN);
	ck_assert_uint_ne(p->my_discr, 0);
	ck_assert_uint_eq(p->your_discr, 0);
	/* Calico's timers: idle 2 s while not Up (>= 1 s, 6.8.3), rx 500
	 * ms, multiplier 16 */
	ck_assert_uint_eq(p->desired_min_tx, 2000000);
	ck_assert_uint_eq(p->required_min_rx, 500000);
	ck_assert_uint_eq(p->detect_mult, 16);
	ck_assert_uint_eq(p->required_min_echo_rx, 0);
	/* then every 1.5-2 s while Down */
	now += 1400000;
	bfd_run_timers(bfd);
	ck_assert_uint_eq(nsent, 1);
	now += 700000;
	bfd_run_timers(bfd);
	ck_assert_uint_eq(nsent, 2);
	bfd_free(bfd);
}
END_TEST

START_TEST(t_up)
{
	struct bfd *bfd = setup(0);
	struct bfd_counters c;

	bring_up(bfd);
	ck_assert_uint_eq(nchanges, 2);
	ck_assert_int_eq(changes[0].from, BFD_STATE_DOWN);
	ck_assert_int_eq(changes[0].to, BFD_STATE_INIT);
	ck_assert_int_eq(changes[1].from, BFD_STATE_INIT);
	ck_assert_int_eq(changes[1].to, BFD_STATE_UP);
	/* Up: the faster rate, announced by a Poll (6.8.3) */
	ck_assert_uint_eq(last()->state, BFD_STATE_UP);
	ck_assert_uint_eq(last()->desired_min_tx, 500000);
	ck_assert(last()->flags & BFD_F_POLL);
	/* the periodic packets keep polling until the Final */
	now += 500000;
	bfd_run_timers(bfd);
	ck_assert(last()->flags & BFD_F_POLL);
	from_peer(bfd, &peer, 255, BFD_STATE_UP, ours(bfd), BFD_F_FINAL,
	    500000);
	now += 500000;
	bfd_run_timers(bfd);
	ck_assert(!(last()->flags & BFD_F_POLL));
	bfd_counters(bfd, &c);
	ck_assert_uint_eq(c.up, 1);
	ck_assert_uint_eq(c.rx, 3);
	bfd_free(bfd);
}
END_TEST

/* Init straight from the peer's Init (Down -> Up, 6.2's table). */
START_TEST(t_down_to_up_on_init)
{
	struct bfd *bfd = setup(0);

	from_peer(bfd, &peer, 255, BFD_STATE_INIT, 0, 0, 1000000);
	/* Your Discriminator 0 with state Init: discarded (6.8.6) */
	ck_assert_int_eq(state(bfd), BFD_STATE_DOWN);
	from_peer(bfd, &peer, 255, BFD_STATE_INIT, ours(bfd), 0, 1000000);
	ck_assert_int_eq(state(bfd), BFD_STATE_UP);
	bfd_free(bfd);
}
END_TEST

/* Up, then silence: Down after Detect Mult x their interval. */
START_TEST(t_detect_timeout)
{
	struct bfd *bfd = setup(0);
	struct bfd_session_info i;
	struct bfd_counters c;

	bring_up(bfd);
	/* 3 x max(500 ms ours, 500 ms theirs) = 1.5 s */
	now += 1400000;
	bfd_run_timers(bfd);
	ck_assert_int_eq(state(bfd), BFD_STATE_UP);
	/* a packet restarts the detection time */
	from_peer(bfd, &peer, 255, BFD_STATE_UP, ours(bfd), 0, 500000);
	now += 1400000;
	bfd_run_timers(bfd);
	ck_assert_int_eq(state(bfd), BFD_STATE_UP);
	now += 200000;
	bfd_run_timers(bfd);
	ck_assert_int_eq(state(bfd), BFD_STATE_DOWN);
	ck_assert_uint_eq(nchanges, 3);
	ck_assert_int_eq(changes[2].from, BFD_STATE_UP);
	ck_assert_int_eq(changes[2].to, BFD_STATE_DOWN);
	ck_assert_uint_eq(changes[2].diag, BFD_DIAG_TIME_EXPIRED);
	ck_assert_int_ne(changes[2].remote, BFD_STATE_ADMIN_DOWN);
	/* the peer's discriminator is forgotten (6.8.1); we say why */
	ck_assert(bfd_session_get(bfd, &peer, &i));
	ck_assert_uint_eq(i.remote_discr, 0);
	ck_assert(i.was_up);
	ck_assert_uint_eq(last()->state, BFD_STATE_DOWN);
	ck_assert_uint_eq(last()->diag, BFD_DIAG_TIME_EXPIRED);
	ck_assert_uint_eq(last()->desired_min_tx, 2000000);
	bfd_counters(bfd, &c);
	ck_assert_uint_eq(c.downs, 1);
	ck_assert_uint_eq(c.up, 0);
	/* and it comes back */
	bring_up(bfd);
	bfd_free(bfd);
}
END_TEST

/* The detection time follows the peer's (slower) Desired Min TX. */
START_TEST(t_detect_their_rate)
{
	struct bfd *bfd = setup(0);

	bring_up(bfd);
	from_peer(bfd, &peer, 255, BFD_STATE_UP, ours(bfd), 0, 2000000);
	now += 5900000;			/* 3 x 2 s */
	bfd_run_timers(bfd);
	ck_assert_int_eq(state(bfd), BFD_STATE_UP);
	now += 200000;
	bfd_run_timers(bfd);
	ck_assert_int_eq(state(bfd), BFD_STATE_DOWN);
	bfd_free(bfd);
}
END_TEST

/* The peer says Down while we are Up: Down, Neighbor Signaled. */
START_TEST(t_neighbor_down)
{
	struct bfd *bfd = setup(0);

	bring_up(bfd);
	from_peer(bfd, &peer, 255, BFD_STATE_DOWN, ours(bfd), 0, 1000000);
	ck_assert_int_eq(state(bfd), BFD_STATE_DOWN);
	ck_assert_uint_eq(changes[nchanges - 1].diag, BFD_DIAG_NEIGHBOR_DOWN);
	ck_assert_int_eq(changes[nchanges - 1].remote, BFD_STATE_DOWN);
	bfd_free(bfd);
}
END_TEST

/* AdminDown from the peer: Down, reported as AdminDown (RFC 5882 3.2). */
START_TEST(t_admin_down)
{
	struct bfd *bfd = setup(0);

	bring_up(bfd);
	from_peer(bfd, &peer, 255, BFD_STATE_ADMIN_DOWN, ours(bfd), 0,
	    1000000);
	ck_assert_int_eq(state(bfd), BFD_STATE_DOWN);
	ck_assert_uint_eq(changes[nchanges - 1].diag, BFD_DIAG_NEIGHBOR_DOWN);
	ck_assert_int_eq(changes[nchanges - 1].remote, BFD_STATE_ADMIN_DOWN);
	/* while it stays AdminDown we stay Down, no Init */
	from_peer(bfd, &peer, 255, BFD_STATE_ADMIN_DOWN, 0, 0, 1000000);
	ck_assert_int_eq(state(bfd), BFD_STATE_DOWN);
	/* and a silent AdminDown peer is no detection failure: Down stays
	 * Down without another change */
	now += 10000000;
	bfd_run_timers(bfd);
	ck_assert_int_eq(changes[nchanges - 1].remote, BFD_STATE_ADMIN_DOWN);
	bfd_free(bfd);
}
END_TEST

/* Our shutdown: AdminDown, diagnostic 7, one packet. */
START_TEST(t_shutdown)
{
	struct bfd *bfd = setup(0);
	size_t n;

	bring_up(bfd);
	n = nsent;
	bfd_shutdown(bfd);
	ck_assert_uint_eq(nsent, n + 1);
	ck_assert_uint_eq(last()->state, BFD_STATE_ADMIN_DOWN);
	ck_assert_uint_eq(last()->diag, BFD_DIAG_ADMIN_DOWN);
	bfd_free(bfd);
}
END_TEST

/* Their Poll gets a Final at once (6.5). */
START_TEST(t_poll_final)
{
	struct bfd *bfd = setup(0);
	size_t n;

	bring_up(bfd);
	from_peer(bfd, &peer, 255, BFD_STATE_UP, ours(bfd), BFD_F_FINAL,
	    500000);
	n = nsent;
	from_peer(bfd, &peer, 255, BFD_STATE_UP, ours(bfd), BFD_F_POLL,
	    300000);
	ck_assert_uint_eq(nsent, n + 1);
	ck_assert(last()->flags & BFD_F_FINAL);
	ck_assert(!(last()->flags & BFD_F_POLL));
	bfd_free(bfd);
}
END_TEST

/* RFC 5880 6.8.7: nothing periodic while the peer's min rx is 0. */
START_TEST(t_min_rx_zero)
{
	struct bfd *bfd = setup(0);
	struct bfd_pkt p = {
		.version = 1, .state = BFD_STATE_DOWN, .detect_mult = 3,
		.length = 24, .my_discr = 0x1111, .desired_min_tx = 1000000,
	};
	uint8_t b[24];
	size_t n;

	bfd_pkt_encode(&p, b, sizeof(b));
	bfd_input(bfd, &peer, 255, b, sizeof(b));
	n = nsent;
	/* within the detection time (3 x 1 s): silence */
	for (int k = 0; k < 29; k++) {
		now += 100000;
		bfd_run_timers(bfd);
	}
	ck_assert_uint_eq(nsent, n);
	bfd_free(bfd);
}
END_TEST

/* Up at Calico's 500 ms: 20-27 packets in 10 s (75-100 % jitter). */
START_TEST(t_tx_rate)
{
	struct bfd *bfd = setup(0);
	size_t n;

	bring_up(bfd);
	from_peer(bfd, &peer, 255, BFD_STATE_UP, ours(bfd), BFD_F_FINAL,
	    500000);
	n = nsent;
	for (int ms = 0; ms < 10000; ms += 5) {
		now += 5000;
		/* keep it up: a packet from the peer every 500 ms */
		if (ms % 500 == 0)
			from_peer(bfd, &peer, 255, BFD_STATE_UP, ours(bfd), 0,
			    500000);
		bfd_run_timers(bfd);
	}
	ck_assert_uint_ge(nsent - n, 20);
	ck_assert_uint_le(nsent - n, 27);
	bfd_free(bfd);
}
END_TEST

/* The checks that need a session: TTL, discriminator, address. */
START_TEST(t_rx_checks)
{
	struct bfd *bfd = setup(0);
	struct bfd_counters c;
	uint8_t b[24];

	/* RFC 5881 5: TTL 254 is from farther than one hop */
	from_peer(bfd, &peer, 254, BFD_STATE_DOWN, 0, 0, 1000000);
	from_peer(bfd, &peer, -1, BFD_STATE_DOWN, 0, 0, 1000000);
	ck_assert_int_eq(state(bfd), BFD_STATE_DOWN);
	/* no session for that address */
	from_peer(bfd, &other, 255, BFD_STATE_DOWN, 0, 0, 1000000);
	/* a discriminator we never gave */
	from_peer(bfd, &peer, 255, BFD_STATE_DOWN, ours(bfd) + 1, 0,
	    1000000);
	/* ours, from another address */
	from_peer(bfd, &other, 255, BFD_STATE_DOWN, ours(bfd), 0, 1000000);
	/* Your Discriminator 0 and state Up */
	from_peer(bfd, &peer, 255, BFD_STATE_UP, 0, 0, 1000000);
	ck_assert_int_eq(state(bfd), BFD_STATE_DOWN);
	/* garbage */
	memset(b, 0xff, sizeof(b));
	bfd_input(bfd, &peer, 255, b, sizeof(b));
	bfd_counters(bfd, &c);
	ck_assert_uint_eq(c.rx_ttl, 2);
	ck_assert_uint_eq(c.rx_no_session, 4);
	ck_assert_uint_eq(c.rx_invalid, 1);
	ck_assert_uint_eq(c.rx, 0);
	ck_assert_uint_eq(nchanges, 0);
	bfd_free(bfd);
}
END_TEST

/* A flood from the peer: its rate is capped, the rest counted. */
START_TEST(t_rate_limit)
{
	struct bfd *bfd = setup(0);
	struct bfd_counters c;
	struct bfd_session_info i;
	size_t n;

	bring_up(bfd);
	n = nsent;
	for (int k = 0; k < 1000; k++)
		from_peer(bfd, &peer, 255, BFD_STATE_UP, ours(bfd),
		    BFD_F_POLL, 500000);
	bfd_counters(bfd, &c);
	/* 4 x 2 a second + 8 within the window, the rest refused */
	ck_assert_uint_le(c.rx, 2 + 16);
	ck_assert_uint_ge(c.rx_limited, 1000 - 16);
	/* and the Finals we sent are as few */
	ck_assert_uint_le(nsent - n, 16);
	ck_assert(bfd_session_get(bfd, &peer, &i));
	ck_assert_uint_eq(i.rx_limited, c.rx_limited);
	/* the next second takes packets again */
	now += 1000000;
	from_peer(bfd, &peer, 255, BFD_STATE_UP, ours(bfd), 0, 500000);
	bfd_counters(bfd, &c);
	ck_assert_uint_le(c.rx, 2 + 17);
	ck_assert_int_eq(state(bfd), BFD_STATE_UP);
	bfd_free(bfd);
}
END_TEST

START_TEST(t_sessions)
{
	struct bfd *bfd = setup(2);
	struct bfd_counters c;
	struct addr a;

	/* one session per address */
	ck_assert_int_eq(bfd_session_add(bfd, &peer, &local), -1);
	ck_assert_int_eq(bfd_session_add(bfd, &other, &local), 0);
	ck_assert_int_eq(addr_parse("198.18.0.4", &a), 0);
	ck_assert_int_eq(bfd_session_add(bfd, &a, &local), -1);
	bfd_counters(bfd, &c);
	ck_assert_uint_eq(c.sessions, 2);
	ck_assert_uint_eq(c.sessions_refused, 1);
	ck_assert_int_eq(bfd_session_del(bfd, &other), 0);
	ck_assert_int_eq(bfd_session_del(bfd, &other), -1);
	ck_assert_int_eq(bfd_session_add(bfd, &a, &local), 0);
	/* discriminators differ */
	ck_assert_uint_ne(ours(bfd), 0);
	bfd_free(bfd);
}
END_TEST

static Suite *
bfd_suite(void)
{
	Suite *s = suite_create("bfd");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, t_decode_good);
	tcase_add_loop_test(tc, t_decode_bad, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, t_decode_auth);
	tcase_add_test(tc, t_truncated);
	tcase_add_test(tc, t_first_packet);
	tcase_add_test(tc, t_up);
	tcase_add_test(tc, t_down_to_up_on_init);
	tcase_add_test(tc, t_detect_timeout);
	tcase_add_test(tc, t_detect_their_rate);
	tcase_add_test(tc, t_neighbor_down);
	tcase_add_test(tc, t_admin_down);
	tcase_add_test(tc, t_shutdown);
	tcase_add_test(tc, t_poll_final);
	tcase_add_test(tc, t_min_rx_zero);
	tcase_add_test(tc, t_tx_rate);
	tcase_add_test(tc, t_rx_checks);
	tcase_add_test(tc, t_rate_limit);
	tcase_add_test(tc, t_sessions);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_run(bfd_suite());
}
