/*
 * bfd.c: BFD sessions (RFC 5880), single hop over UDP (RFC 5881), on the
 * daemon's event loop.
 *
 * Owns struct bfd, its sessions, the receive sockets (port 3784, IPv4 and
 * IPv6, opened with the first session), each session's send socket and
 * its one timer. A session keeps two deadlines on the monotonic clock, the
 * next periodic transmission and the detection time; its timer is armed
 * for the earlier. Received datagrams are checked in pkt.c (the checks
 * that need no session) and here (the rest of RFC 5880 6.8.6).
 *
 * Our implementation: no authentication, no Demand mode, no Echo function
 * (Required Min Echo RX Interval 0), as Calico's BIRD configures BFD. We
 * never go AdminDown. Sessions are created by the agent only; a packet for
 * no session is counted and dropped, so a neighbour cannot make us hold
 * state. What a neighbour can make us do is bounded twice: max_pps
 * datagrams a second in all (the rest are read and dropped unparsed, and
 * counted), and a session's own rate (four times what its interval
 * allows, plus a few for Poll/Final; the Finals we answer are as few).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <stdlib.h>
#include <bsd/sys/queue.h>
#include <event2/event.h>

#include "bfd.h"
#include "defs.h"
#include "log.h"
#include "pkt.h"
#include "timer.h"
#include "xmalloc.h"

#define RX_BURST	64	/* datagrams read a wakeup */
#define SESS_SLACK_PPS	8	/* a session's rate over its interval's */

struct bfd_sess {
	TAILQ_ENTRY(bfd_sess)	 entry;
	struct bfd		*bfd;
	struct addr		 peer, local;
	int			 fd;		/* send socket, -1: none */
	struct event		*ev_timer;
	/* RFC 5880 6.8.1 state variables */
	enum bfd_state		 state, remote_state;
	uint8_t			 diag, remote_diag;
	uint32_t		 local_discr, remote_discr;
	uint32_t		 remote_min_rx;	/* bfd.RemoteMinRxInterval */
	uint32_t		 remote_min_tx;	/* their Desired Min TX */
	uint8_t			 remote_mult;
	bool			 remote_demand;
	bool			 poll;		/* our Poll Sequence runs */
	bool			 final;		/* answer their Poll */
	/* deadlines, clock microseconds; 0: none */
	uint64_t		 next_tx, detect_at;
	/* the session's rate window */
	uint64_t		 win_start;
	uint32_t		 win_n;
	time_t			 since;
	bool			 was_up;
	uint64_t		 rx, tx, rx_limited;
};
TAILQ_HEAD(bfd_sess_head, bfd_sess);

struct bfd {
	struct event_base	*base;
	struct bfd_params	 params;
	struct bfd_ops		 ops;
	void			*arg;
	struct bfd_sess_head	 sessions;
	size_t			 nsessions;
	int			 rx_fd[2];	/* IPv4, IPv6 */
	struct event		*ev_rx[2];
	bool			 rx_open;
	uint64_t		 win_start;	/* max_pps window */
	uint32_t		 win_n;
	struct bfd_counters	 c;
};

static const char *const state_names[] = {
	[BFD_STATE_ADMIN_DOWN] = "AdminDown",
	[BFD_STATE_DOWN] = "Down",
	[BFD_STATE_INIT] = "Init",
	[BFD_STATE_UP] = "Up",
};

const char *
bfd_state_name(enum bfd_state s)
{
	if ((size_t)s < NITEMS(state_names))
		return state_names[s];
	return "?";
}

static const char *const diag_names[] = {
	"No Diagnostic",
	"Control Detection Time Expired",
	"Echo Function Failed",
	"Neighbor Signaled Session Down",
	"Forwarding Plane Reset",
	"Path Down",
	"Concatenated Path Down",
	"Administratively Down",
	"Reverse Concatenated Path Down",
};

const char *
bfd_diag_name(unsigned d)
{
	if (d < NITEMS(diag_names))
		return diag_names[d];
	return "Reserved";
}

static uint64_t
now_us(const struct bfd *bfd)
{
	if (bfd->params.clock_us != NULL)
		return bfd->params.clock_us();
	return timer_now_ns() / 1000u;
}

static void	sess_timer_cb(evutil_socket_t, short, void *);
static void	rx_cb(evutil_socket_t, short, void *);
static void	sess_send(struct bfd_sess *);

/* ---- addresses ---- */

/* a (NULL: the wildcard of af) and port as a sockaddr; its length. */
static socklen_t
to_sockaddr(const struct addr *a, uint8_t af, uint16_t port,
    struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (af == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		if (a != NULL)
			memcpy(&s6->sin6_addr, a->b, 16);
		return sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		if (a != NULL)
			memcpy(&s4->sin_addr, a->b, 4);
		return sizeof(*s4);
	}
}

/* An IPv4-mapped IPv6 source never comes: the IPv6 socket is V6ONLY. */
static int
from_sockaddr(struct addr *a, const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		addr_set_bytes(a, AF_INET, &s4->sin_addr);
		return 0;
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		addr_set_bytes(a, AF_INET6, &s6->sin6_addr);
		return 0;
	}
	return -1;
}

/* ---- timers ---- */

static uint32_t
max_u32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

/* RFC 5880 6.8.3: DesiredMinTxInterval, at least 1 s while not Up. */
static uint32_t
desired_min_tx(const struct bfd_sess *s)
{
	const struct bfd_params *p = &s->bfd->params;

	if (s->state == BFD_STATE_UP)
		return p->min_tx_us;
	return max_u32(p->idle_tx_us, 1000000u);
}

/* RFC 5880 6.8.7: the greater of ours and the remote's min rx. */
static uint32_t
tx_interval(const struct bfd_sess *s)
{
	return max_u32(desired_min_tx(s), s->remote_min_rx);
}

/*
 * RFC 5880 6.8.4: Detect Mult received times the greater of our
 * RequiredMinRxInterval and the last Desired Min TX received.
 */
static uint64_t
detect_time(const struct bfd_sess *s)
{
	return (uint64_t)s->remote_mult *
	    max_u32(s->bfd->params.min_rx_us, s->remote_min_tx);
}

/* RFC 5880 6.8.7: 75-100 % of the interval, 75-90 % with DetectMult 1. */
static uint64_t
jittered(const struct bfd_sess *s, uint32_t us)
{
	uint32_t span = s->bfd->params.multiplier == 1 ? 16 : 26;

	return (uint64_t)us * (75 + arc4random_uniform(span)) / 100;
}

static void
sess_arm(struct bfd_sess *s, uint64_t now)
{
	uint64_t next = s->next_tx;
	uint64_t ms;

	if (s->detect_at != 0 && (next == 0 || s->detect_at < next))
		next = s->detect_at;
	if (s->ev_timer == NULL)
		return;
	if (next == 0) {
		timer_stop(s->ev_timer);
		return;
	}
	ms = next > now ? (next - now + 999) / 1000 : 0;
	timer_arm_ms(s->ev_timer, (unsigned)ms);
}

/* RFC 5880 6.8.7: no periodic packets while the remote wants none. */
static void
schedule_tx(struct bfd_sess *s, uint64_t now)
{
	s->next_tx = s->remote_min_rx == 0 ? 0 :
	    now + jittered(s, tx_interval(s));
}

/* ---- state ---- */

static void
sess_info(const struct bfd_sess *s, struct bfd_session_info *i)
{
	memset(i, 0, sizeof(*i));
	i->peer = s->peer;
	i->local = s->local;
	i->state = s->state;
	i->remote_state = s->remote_state;
	i->diag = s->diag;
	i->remote_diag = s->remote_diag;
	i->local_discr = s->local_discr;
	i->remote_discr = s->remote_discr;
	i->tx_us = tx_interval(s);
	i->rx_us = max_u32(s->bfd->params.min_rx_us, s->remote_min_tx);
	i->detect_us = s->remote_mult ? detect_time(s) : 0;
	i->since = s->since;
	i->was_up = s->was_up;
	i->rx = s->rx;
	i->tx = s->tx;
	i->rx_limited = s->rx_limited;
}

static void
log_change(const struct bfd_sess *s, enum bfd_state from)
{
	char a[ADDR_STRLEN];

	addr_fmt(&s->peer, a, sizeof(a));
	if (s->state == BFD_STATE_DOWN && s->diag != BFD_DIAG_NONE)
		log_info("BFD session %s: %s -> %s (%s%s)", a,
		    bfd_state_name(from), bfd_state_name(s->state),
		    bfd_diag_name(s->diag),
		    s->remote_state == BFD_STATE_ADMIN_DOWN ?
		    ", peer AdminDown" : "");
	else
		log_info("BFD session %s: %s -> %s", a, bfd_state_name(from),
		    bfd_state_name(s->state));
}

/*
 * The one place a session changes state: the log line, the counters, the
 * timers the new state wants (RFC 5880 6.8.3: the rate changes with Up,
 * announced by a Poll Sequence), a packet at once so the peer follows
 * without waiting an interval, then the agent.
 */
static void
sess_set_state(struct bfd_sess *s, enum bfd_state to, uint8_t diag,
    uint64_t now)
{
	struct bfd *bfd = s->bfd;
	struct bfd_session_info info;
	enum bfd_state from = s->state;

	if (from == to)
		return;
	s->state = to;
	s->diag = diag;
	s->since = time(NULL);
	if (to == BFD_STATE_UP) {
		s->was_up = true;
		bfd->c.up++;
		s->poll = true;		/* our Desired Min TX changed */
	}
	if (from == BFD_STATE_UP) {
		bfd->c.up--;
		bfd->c.downs++;
		s->poll = false;
	}
	log_change(s, from);
	sess_send(s);
	schedule_tx(s, now);
	sess_arm(s, now);
	if (bfd->ops.state_changed != NULL) {
		sess_info(s, &info);
		bfd->ops.state_changed(bfd->arg, &info, from);
	}
}

/*
 * RFC 5880 6.8.4: the Detection Time passed without a valid packet: in
 * Init or Up the session goes Down (diagnostic 1); in any state the
 * remote's discriminator is forgotten (6.8.1).
 */
static void
detect_expired(struct bfd_sess *s, uint64_t now)
{
	s->detect_at = 0;
	s->remote_discr = 0;
	s->remote_state = BFD_STATE_DOWN;
	s->poll = false;
	if (s->state == BFD_STATE_INIT || s->state == BFD_STATE_UP)
		sess_set_state(s, BFD_STATE_DOWN, BFD_DIAG_TIME_EXPIRED, now);
}

static void
sess_run(struct bfd_sess *s, uint64_t now)
{
	if (s->detect_at != 0 && now >= s->detect_at)
		detect_expired(s, now);
	if (s->next_tx != 0 && now >= s->next_tx) {
		sess_send(s);
		schedule_tx(s, now);
	}
	sess_arm(s, now);
}

static void
sess_timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct bfd_sess *s = arg;

	(void)fd;
	(void)ev;
	sess_run(s, now_us(s->bfd));
}

void
bfd_run_timers(struct bfd *bfd)
{
	struct bfd_sess *s;
	uint64_t now = now_us(bfd);

	TAILQ_FOREACH(s, &bfd->sessions, entry)
		sess_run(s, now);
}

/* ---- sending ---- */

static int
open_tx(struct bfd_sess *s)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, ttl = BFD_TTL, tries;
	uint16_t port;
	bool v6 = s->peer.af == AF_INET6;
	bool local = s->local.af == s->peer.af;

	fd = socket(v6 ? AF_INET6 : AF_INET,
	    SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	/* RFC 5881 5: TTL / hop limit 255 */
	if (setsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP,
	    v6 ? IPV6_UNICAST_HOPS : IP_TTL, &ttl, sizeof(ttl)) == -1)
		goto fail;
	/*
	 * RFC 5881 4: one source port in 49152-65535 for the session; from
	 * the BGP session's local address, or the kernel's choice when this
	 * host does not have it
	 */
	for (tries = 0; tries < 64; tries++) {
		port = (uint16_t)(BFD_SRC_PORT_MIN + arc4random_uniform(
		    BFD_SRC_PORT_MAX - BFD_SRC_PORT_MIN + 1));
		sl = to_sockaddr(local ? &s->local : NULL, s->peer.af, port,
		    &ss);
		if (bind(fd, (struct sockaddr *)&ss, sl) == 0)
			break;
		if (errno == EADDRNOTAVAIL && local)
			local = false;
		else if (errno != EADDRINUSE)
			goto fail;
	}
	if (tries == 64)
		goto fail;
	sl = to_sockaddr(&s->peer, s->peer.af, BFD_PORT, &ss);
	if (connect(fd, (struct sockaddr *)&ss, sl) == -1)
		goto fail;
	s->fd = fd;
	return 0;
fail:
	close(fd);
	return -1;
}

static void
build(const struct bfd_sess *s, struct bfd_pkt *p)
{
	memset(p, 0, sizeof(*p));
	p->version = BFD_VERSION;
	p->diag = s->diag;
	p->state = (uint8_t)s->state;
	/* 6.5: a Final answers their Poll; our Poll waits until it is sent */
	if (s->final)
		p->flags = BFD_F_FINAL;
	else if (s->poll)
		p->flags = BFD_F_POLL;
	p->detect_mult = s->bfd->params.multiplier;
	p->length = BFD_PKT_LEN;
	p->my_discr = s->local_discr;
	p->your_discr = s->remote_discr;
	p->desired_min_tx = desired_min_tx(s);
	p->required_min_rx = s->bfd->params.min_rx_us;
}

static void
sess_send(struct bfd_sess *s)
{
	struct bfd *bfd = s->bfd;
	struct bfd_pkt p;
	uint8_t buf[BFD_PKT_LEN];
	size_t len;

	build(s, &p);
	len = bfd_pkt_encode(&p, buf, sizeof(buf));
	s->final = false;
	if (bfd->params.xmit != NULL) {
		bfd->params.xmit(bfd->arg, &s->peer, buf, len);
	} else if ((s->fd == -1 && open_tx(s) == -1) ||
	    send(s->fd, buf, len, 0) != (ssize_t)len) {
		bfd->c.tx_errors++;
		return;
	}
	s->tx++;
	bfd->c.tx++;
}

/* ---- receiving ---- */

static struct bfd_sess *
by_addr(const struct bfd *bfd, const struct addr *a)
{
	struct bfd_sess *s;

	TAILQ_FOREACH(s, &bfd->sessions, entry)
		if (addr_eq(&s->peer, a))
			return s;
	return NULL;
}

static struct bfd_sess *
by_discr(const struct bfd *bfd, uint32_t d)
{
	struct bfd_sess *s;

	TAILQ_FOREACH(s, &bfd->sessions, entry)
		if (s->local_discr == d)
			return s;
	return NULL;
}

/*
 * RFC 5880 6.8.6: the session a packet is for: by Your Discriminator, or
 * while it is zero (only in Down and AdminDown) by the source address
 * (RFC 5881 3: single hop, one session per address). Our addition: a
 * known discriminator from another address is no packet of that session.
 */
static struct bfd_sess *
select_session(const struct bfd *bfd, const struct addr *src,
    const struct bfd_pkt *p)
{
	struct bfd_sess *s;

	if (p->your_discr != 0) {
		s = by_discr(bfd, p->your_discr);
		return s != NULL && addr_eq(&s->peer, src) ? s : NULL;
	}
	if (p->state != BFD_STATE_DOWN && p->state != BFD_STATE_ADMIN_DOWN)
		return NULL;
	return by_addr(bfd, src);
}

/* A window of one second: true while n stays within max. */
static bool
rate_ok(uint64_t *start, uint32_t *n, uint32_t max, uint64_t now)
{
	if (now - *start >= 1000000u) {
		*start = now;
		*n = 0;
	}
	return ++*n <= max;
}

static uint32_t
sess_max_pps(const struct bfd_sess *s)
{
	uint32_t rx = max_u32(s->bfd->params.min_rx_us, 1000);

	return 4 * (1000000u / rx) + SESS_SLACK_PPS;
}

/* RFC 5880 6.8.6, the state transitions (the table of 6.2). */
static void
rx_transition(struct bfd_sess *s, const struct bfd_pkt *p, uint64_t now)
{
	enum bfd_state rs = (enum bfd_state)p->state;

	if (rs == BFD_STATE_ADMIN_DOWN) {
		if (s->state != BFD_STATE_DOWN)
			sess_set_state(s, BFD_STATE_DOWN,
			    BFD_DIAG_NEIGHBOR_DOWN, now);
		return;
	}
	switch (s->state) {
	case BFD_STATE_DOWN:
		if (rs == BFD_STATE_DOWN)
			sess_set_state(s, BFD_STATE_INIT, BFD_DIAG_NONE, now);
		else if (rs == BFD_STATE_INIT)
			sess_set_state(s, BFD_STATE_UP, BFD_DIAG_NONE, now);
		break;
	case BFD_STATE_INIT:
		if (rs == BFD_STATE_INIT || rs == BFD_STATE_UP)
			sess_set_state(s, BFD_STATE_UP, BFD_DIAG_NONE, now);
		break;
	case BFD_STATE_UP:
		if (rs == BFD_STATE_DOWN)
			sess_set_state(s, BFD_STATE_DOWN,
			    BFD_DIAG_NEIGHBOR_DOWN, now);
		break;
	case BFD_STATE_ADMIN_DOWN:
	default:
		break;
	}
}

/* A valid packet for s (RFC 5880 6.8.6 from "Set bfd.RemoteDiscr"). */
static void
sess_rx(struct bfd_sess *s, const struct bfd_pkt *p, uint64_t now)
{
	uint32_t old_tx = tx_interval(s);

	s->rx++;
	s->bfd->c.rx++;
	s->remote_discr = p->my_discr;
	s->remote_state = (enum bfd_state)p->state;
	s->remote_diag = p->diag;
	s->remote_demand = (p->flags & BFD_F_DEMAND) != 0;
	s->remote_min_rx = p->required_min_rx;
	s->remote_min_tx = p->desired_min_tx;
	s->remote_mult = p->detect_mult;
	if (p->flags & BFD_F_FINAL)
		s->poll = false;		/* our Poll Sequence is over */
	s->detect_at = now + detect_time(s);
	if (s->state == BFD_STATE_ADMIN_DOWN)
		return;
	rx_transition(s, p, now);
	if (p->flags & BFD_F_POLL) {
		/* 6.5: a Final "as soon as practicable" */
		s->final = true;
		sess_send(s);
	}
	/* a shorter interval (or the first one) applies now */
	if (s->next_tx == 0 || tx_interval(s) < old_tx ||
	    s->next_tx > now + tx_interval(s))
		schedule_tx(s, now);
	sess_arm(s, now);
}

void
bfd_input(struct bfd *bfd, const struct addr *src, int ttl,
    const uint8_t *buf, size_t len)
{
	struct bfd_pkt p;
	struct bfd_sess *s;
	enum bfd_pkt_err e;
	uint64_t now = now_us(bfd);

	/* RFC 5881 5: sent with TTL 255, so one hop at most */
	if (ttl != BFD_TTL) {
		bfd->c.rx_ttl++;
		return;
	}
	if ((e = bfd_pkt_decode(buf, len, &p)) != BFD_PKT_OK) {
		bfd->c.rx_invalid++;
		if (log_level >= LOG_LVL_DEBUG) {
			char a[ADDR_STRLEN];

			log_debug("BFD: packet from %s dropped: %s",
			    addr_fmt(src, a, sizeof(a)), bfd_pkt_err_name(e));
		}
		return;
	}
	if ((s = select_session(bfd, src, &p)) == NULL) {
		bfd->c.rx_no_session++;
		return;
	}
	if (!rate_ok(&s->win_start, &s->win_n, sess_max_pps(s), now)) {
		s->rx_limited++;
		bfd->c.rx_limited++;
		return;
	}
	sess_rx(s, &p, now);
}

static int
cmsg_ttl(struct msghdr *m)
{
	struct cmsghdr *c;
	int v;

	for (c = CMSG_FIRSTHDR(m); c != NULL; c = CMSG_NXTHDR(m, c)) {
		if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
		    (c->cmsg_level == IPPROTO_IPV6 &&
		    c->cmsg_type == IPV6_HOPLIMIT)) {
			if (c->cmsg_len < CMSG_LEN(sizeof(int)))
				return -1;
			memcpy(&v, CMSG_DATA(c), sizeof(v));
			return v;
		}
	}
	return -1;
}

/* One datagram from fd; -1 when there is none. */
static int
rx_one(struct bfd *bfd, int fd)
{
	uint8_t buf[128];
	union {
		struct cmsghdr	 h;
		uint8_t		 b[CMSG_SPACE(sizeof(int)) * 2];
	} ctl;
	struct sockaddr_storage ss;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr m = {
		.msg_name = &ss, .msg_namelen = sizeof(ss),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.b, .msg_controllen = sizeof(ctl.b),
	};
	struct addr src;
	ssize_t n;

	if ((n = recvmsg(fd, &m, MSG_DONTWAIT)) == -1)
		return -1;
	if (from_sockaddr(&src, &ss) == -1 ||
	    (m.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		bfd->c.rx_invalid++;
		return 0;
	}
	bfd_input(bfd, &src, cmsg_ttl(&m), buf, (size_t)n);
	return 0;
}

static void
rx_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct bfd *bfd = arg;
	uint64_t now = now_us(bfd);

	(void)ev;
	for (int i = 0; i < RX_BURST; i++) {
		/* over max_pps: dropped unparsed (and counted) */
		if (!rate_ok(&bfd->win_start, &bfd->win_n,
		    bfd->params.max_pps, now)) {
			uint8_t b;

			if (recv(fd, &b, 1, MSG_DONTWAIT) == -1)
				return;
			bfd->c.rx_limited++;
			continue;
		}
		if (rx_one(bfd, fd) == -1)
			return;
	}
}

static int
open_rx(struct bfd *bfd, int af)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, on = 1, i = af == AF_INET6;

	fd = socket(af, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if ((af == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on,
	    sizeof(on)) == -1) ||
	    (af == AF_INET && setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &on,
	    sizeof(on)) == -1) ||
	    (af == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_RECVHOPLIMIT, &on, sizeof(on)) == -1))
		goto fail;
	sl = to_sockaddr(NULL, (uint8_t)af, BFD_PORT, &ss);
	if (bind(fd, (struct sockaddr *)&ss, sl) == -1)
		goto fail;
	bfd->rx_fd[i] = fd;
	bfd->ev_rx[i] = event_new(bfd->base, fd, EV_READ | EV_PERSIST, rx_cb,
	    bfd);
	event_add(bfd->ev_rx[i], NULL);
	return 0;
fail:
	log_warn("BFD: cannot listen on UDP port %u (%s)", BFD_PORT,
	    af == AF_INET ? "IPv4" : "IPv6");
	close(fd);
	return -1;
}

/* The receive sockets, with the first session (and no socket in tests). */
static void
rx_start(struct bfd *bfd)
{
	if (bfd->rx_open || bfd->base == NULL || bfd->params.xmit != NULL)
		return;
	bfd->rx_open = true;
	(void)open_rx(bfd, AF_INET);
	(void)open_rx(bfd, AF_INET6);
}

/* ---- sessions ---- */

static uint32_t
new_discr(const struct bfd *bfd)
{
	uint32_t d;

	do
		d = arc4random();
	while (d == 0 || by_discr(bfd, d) != NULL);
	return d;
}

int
bfd_session_add(struct bfd *bfd, const struct addr *peer,
    const struct addr *local)
{
	struct bfd_sess *s;
	uint64_t now = now_us(bfd);

	if (by_addr(bfd, peer) != NULL)
		return -1;
	if (bfd->nsessions >= bfd->params.max_sessions) {
		bfd->c.sessions_refused++;
		return -1;
	}
	rx_start(bfd);
	s = xcalloc(1, sizeof(*s));
	s->bfd = bfd;
	s->peer = *peer;
	if (local != NULL)
		s->local = *local;
	s->fd = -1;
	s->state = s->remote_state = BFD_STATE_DOWN;
	s->local_discr = new_discr(bfd);
	s->remote_min_rx = 1;		/* RFC 5880 6.8.1 */
	s->since = time(NULL);
	if (bfd->base != NULL)
		s->ev_timer = evtimer_new(bfd->base, sess_timer_cb, s);
	TAILQ_INSERT_TAIL(&bfd->sessions, s, entry);
	bfd->nsessions++;
	bfd->c.sessions = bfd->nsessions;
	/* the first packet soon, not an idle interval later */
	s->next_tx = now + jittered(s, 100000);
	sess_arm(s, now);
	return 0;
}

static void
sess_free(struct bfd_sess *s)
{
	if (s->ev_timer != NULL)
		event_free(s->ev_timer);
	if (s->fd != -1)
		close(s->fd);
	free(s);
}

/*
 * Our implementation: a removed session says nothing to the peer (RFC
 * 5880 6.8.16 would send AdminDown for a while); its BGP session is going
 * too, and the peer's BFD then times out as for a dead peer, which is what
 * BIRD does when a protocol stops asking for a session.
 */
int
bfd_session_del(struct bfd *bfd, const struct addr *peer)
{
	struct bfd_sess *s = by_addr(bfd, peer);

	if (s == NULL)
		return -1;
	if (s->state == BFD_STATE_UP)
		bfd->c.up--;
	TAILQ_REMOVE(&bfd->sessions, s, entry);
	bfd->nsessions--;
	bfd->c.sessions = bfd->nsessions;
	sess_free(s);
	return 0;
}

void
bfd_shutdown(struct bfd *bfd)
{
	struct bfd_sess *s;

	TAILQ_FOREACH(s, &bfd->sessions, entry) {
		if (s->state == BFD_STATE_UP)
			bfd->c.up--;
		s->state = BFD_STATE_ADMIN_DOWN;
		s->diag = BFD_DIAG_ADMIN_DOWN;
		s->next_tx = s->detect_at = 0;
		sess_send(s);
		sess_arm(s, 0);
	}
}

bool
bfd_session_get(const struct bfd *bfd, const struct addr *peer,
    struct bfd_session_info *i)
{
	const struct bfd_sess *s = by_addr(bfd, peer);

	if (s == NULL)
		return false;
	if (i != NULL)
		sess_info(s, i);
	return true;
}

static int
info_cmp(const void *a, const void *b)
{
	return addr_cmp(&((const struct bfd_session_info *)a)->peer,
	    &((const struct bfd_session_info *)b)->peer);
}

void
bfd_walk(const struct bfd *bfd,
    void (*cb)(void *, const struct bfd_session_info *), void *arg)
{
	struct bfd_session_info *v;
	const struct bfd_sess *s;
	size_t n = 0;

	v = xcalloc(bfd->nsessions ? bfd->nsessions : 1, sizeof(*v));
	TAILQ_FOREACH(s, &bfd->sessions, entry)
		sess_info(s, &v[n++]);
	qsort(v, n, sizeof(*v), info_cmp);
	for (size_t i = 0; i < n; i++)
		cb(arg, &v[i]);
	free(v);
}

void
bfd_counters(const struct bfd *bfd, struct bfd_counters *c)
{
	*c = bfd->c;
}

const struct bfd_params *
bfd_params(const struct bfd *bfd)
{
	return &bfd->params;
}

/* 0 = the default for every field; intervals as RFC 5880 allows. */
static void
params_defaults(struct bfd_params *p)
{
	if (p->min_rx_us == 0)
		p->min_rx_us = BFD_DEF_INTERVAL_MS * 1000;
	if (p->min_tx_us == 0)
		p->min_tx_us = BFD_DEF_INTERVAL_MS * 1000;
	if (p->idle_tx_us == 0)
		p->idle_tx_us = BFD_DEF_IDLE_TX_MS * 1000;
	if (p->multiplier == 0)
		p->multiplier = BFD_DEF_MULTIPLIER;
	if (p->max_sessions == 0)
		p->max_sessions = BFD_DEF_MAX_SESSIONS;
	if (p->max_pps == 0)
		p->max_pps = BFD_DEF_MAX_PPS;
}

struct bfd *
bfd_new(struct event_base *base, const struct bfd_params *params,
    const struct bfd_ops *ops, void *arg)
{
	struct bfd *bfd = xcalloc(1, sizeof(*bfd));

	bfd->base = base;
	bfd->params = *params;
	params_defaults(&bfd->params);
	if (ops != NULL)
		bfd->ops = *ops;
	bfd->arg = arg;
	TAILQ_INIT(&bfd->sessions);
	bfd->rx_fd[0] = bfd->rx_fd[1] = -1;
	return bfd;
}

void
bfd_free(struct bfd *bfd)
{
	struct bfd_sess *s;

	if (bfd == NULL)
		return;
	while ((s = TAILQ_FIRST(&bfd->sessions)) != NULL) {
		TAILQ_REMOVE(&bfd->sessions, s, entry);
		sess_free(s);
	}
	for (int i = 0; i < 2; i++) {
		if (bfd->ev_rx[i] != NULL)
			event_free(bfd->ev_rx[i]);
		if (bfd->rx_fd[i] != -1)
			close(bfd->rx_fd[i]);
	}
	free(bfd);
}
