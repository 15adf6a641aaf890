/*
 * peer.c: a peer's connections, sockets, timers and I/O on the event loop.
 *
 * Owns: every fd, struct event and evbuffer of a peer (created here, freed
 * in bgp_conn_free/bgp_peer_free). The FSM reaches the network and the
 * clock only through the functions at the top of this file. Read wakeups
 * frame and handle at most BGP_MSG_PROCESS_LIMIT messages, then reschedule
 * themselves so other peers get a turn (OpenBGPD MSG_PROCESS_LIMIT).
 * A closed connection is parked on the peer's zombie list and freed from a
 * zero-timeout event, never inside its own callback.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "session.h"
#include "timer.h"
#include "xmalloc.h"

#ifndef IPV6_MINHOPCOUNT
#define IPV6_MINHOPCOUNT 73		/* linux/in6.h, Linux 2.6.35 */
#endif

static void	conn_read_cb(evutil_socket_t, short, void *);
static void	conn_more_cb(evutil_socket_t, short, void *);
static void	conn_write_cb(evutil_socket_t, short, void *);
static void	conn_flush_cb(evutil_socket_t, short, void *);
static void	conn_hold_cb(evutil_socket_t, short, void *);
static void	conn_keepalive_cb(evutil_socket_t, short, void *);
static void	peer_retry_cb(evutil_socket_t, short, void *);
static void	peer_reap_cb(evutil_socket_t, short, void *);
static void	peer_tx_cb(evutil_socket_t, short, void *);
static void	peer_restart_cb(evutil_socket_t, short, void *);
static void	peer_refresh_cb(evutil_socket_t, short, void *);

void
log_peer(const struct bgp_peer *peer, enum log_level lvl, const char *fmt, ...)
{
	char a[ADDR_STRLEN], msg[512];
	va_list ap;

	if (lvl > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	switch (lvl) {
	case LOG_LVL_ERROR:
	case LOG_LVL_WARNING:
		log_warnx("neighbor %s AS%u (%s): %s",
		    addr_fmt(&peer->conf.addr, a, sizeof(a)), peer->conf.as,
		    peer->conf.name, msg);
		break;
	case LOG_LVL_INFO:
		log_info("neighbor %s AS%u (%s): %s",
		    addr_fmt(&peer->conf.addr, a, sizeof(a)), peer->conf.as,
		    peer->conf.name, msg);
		break;
	case LOG_LVL_DEBUG:
		log_debug("neighbor %s AS%u (%s): %s",
		    addr_fmt(&peer->conf.addr, a, sizeof(a)), peer->conf.as,
		    peer->conf.name, msg);
		break;
	}
}

void
bgp_peer_set_error(struct bgp_peer *peer, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(peer->last_error, sizeof(peer->last_error), fmt, ap);
	va_end(ap);
}

/* ---- connections ---- */

static struct bgp_conn *
conn_new(struct bgp_peer *peer, int fd, bool outgoing)
{
	struct event_base *base = peer->bgpd->base;
	struct bgp_conn *c = xcalloc(1, sizeof(*c));

	c->peer = peer;
	c->fd = fd;
	c->outgoing = outgoing;
	c->state = BGP_STATE_CONNECT;
	c->in = evbuffer_new();
	c->out = evbuffer_new();
	if (c->in == NULL || c->out == NULL)
		fatalx("evbuffer_new");
	c->ev_read = event_new(base, fd, EV_READ | EV_PERSIST, conn_read_cb, c);
	c->ev_write = event_new(base, fd, EV_WRITE, conn_write_cb, c);
	c->ev_flush = event_new(base, -1, 0, conn_flush_cb, c);
	c->ev_more = evtimer_new(base, conn_more_cb, c);
	c->timers[BGP_TIMER_HOLD] = evtimer_new(base, conn_hold_cb, c);
	c->timers[BGP_TIMER_KEEPALIVE] = evtimer_new(base, conn_keepalive_cb, c);
	return c;
}

static void
conn_free(struct bgp_conn *c)
{
	if (c == NULL)
		return;
	if (c->ev_read)
		event_free(c->ev_read);
	if (c->ev_write)
		event_free(c->ev_write);
	if (c->ev_flush)
		event_free(c->ev_flush);
	if (c->ev_more)
		event_free(c->ev_more);
	for (int i = 0; i < BGP_TIMER_MAX; i++)
		if (c->timers[i])
			event_free(c->timers[i]);
	if (c->fd != -1)
		close(c->fd);
	evbuffer_free(c->in);
	evbuffer_free(c->out);
	free(c);
}

void
bgp_conn_send(struct bgp_conn *c, const uint8_t *p, size_t len)
{
	if (c->fd == -1)
		return;
	if (evbuffer_add(c->out, p, len) == -1)
		fatalx("evbuffer_add");
	bgp_conn_queued(c, 1, len > BGP_HDR_LEN - 1 &&
	    p[BGP_HDR_LEN - 1] == BGP_UPDATE);
}

void
bgp_conn_queued(struct bgp_conn *c, uint32_t nmsgs, uint32_t nupdates)
{
	c->peer->msgs_out += nmsgs;
	c->peer->updates_out += nupdates;
	/* written by conn_flush_cb once this loop turn's callbacks have run
	 * (an OPEN and its KEEPALIVE, UPDATEs built together go out in one
	 * writev), without asking epoll first: only a socket that is full
	 * waits for EV_WRITE. */
	if (!event_pending(c->ev_write, EV_WRITE, NULL))
		event_active(c->ev_flush, EV_WRITE, 0);
}

void
bgp_conn_timer_start(struct bgp_conn *c, enum bgp_timer t, unsigned secs)
{
	/* RFC 4271 10: jitter on the keepalive (and connect-retry) timers */
	timer_arm(c->timers[t], secs, t == BGP_TIMER_KEEPALIVE);
}

void
bgp_conn_timer_stop(struct bgp_conn *c, enum bgp_timer t)
{
	timer_stop(c->timers[t]);
}

/*
 * Close a connection: one last non-blocking write of what is queued (a
 * NOTIFICATION), then park it. The peer falls back to its other
 * connection, or to Active with the connect-retry timer.
 */
void
bgp_conn_close(struct bgp_conn *c)
{
	struct bgp_peer *peer = c->peer;

	if (c->fd == -1)
		return;
	if (evbuffer_get_length(c->out) > 0)
		(void)evbuffer_write(c->out, c->fd);
	event_del(c->ev_read);
	event_del(c->ev_write);
	event_del(c->ev_flush);
	timer_stop(c->ev_more);
	for (int i = 0; i < BGP_TIMER_MAX; i++)
		timer_stop(c->timers[i]);
	shutdown(c->fd, SHUT_RDWR);
	close(c->fd);
	c->fd = -1;
	c->state = BGP_STATE_IDLE;
	c->next_zombie = peer->zombies;
	peer->zombies = c;
	event_active(peer->ev_reap, EV_TIMEOUT, 0);
	if (peer->conn2 == c) {
		peer->conn2 = NULL;
		return;
	}
	if (peer->conn != c)
		return;
	peer->conn = peer->conn2;
	peer->conn2 = NULL;
	if (peer->conn != NULL) {
		peer->state = peer->conn->state;
		return;
	}
	peer->state = BGP_STATE_ACTIVE;
	peer->since = time(NULL);
	if (!peer->dead)
		bgp_peer_retry_start(peer);
}

/* ---- reading ---- */

static enum bgp_event
msg_event(uint8_t type)
{
	switch (type) {
	case BGP_OPEN:
		return BGP_EV_OPEN;
	case BGP_UPDATE:
		return BGP_EV_UPDATE;
	case BGP_NOTIFICATION:
		return BGP_EV_NOTIFICATION;
	case BGP_KEEPALIVE:
		return BGP_EV_KEEPALIVE;
	default:
		return BGP_EV_RREFRESH;
	}
}

/* Frame and dispatch one message; 1 = done one, 0 = need more, -1 = closed */
static int
conn_handle_one(struct bgp_conn *c)
{
	struct bgp_fsm_msg m;
	size_t avail = evbuffer_get_length(c->in), msglen, want;
	const uint8_t *p;
	enum bgp_frame_result r;

	if (avail < BGP_HDR_LEN)
		return 0;
	p = evbuffer_pullup(c->in, BGP_HDR_LEN);
	want = (size_t)p[16] << 8 | p[17];
	if (want >= BGP_HDR_LEN && want <= avail)
		p = evbuffer_pullup(c->in, (ssize_t)want);
	else
		want = BGP_HDR_LEN;
	memset(&m, 0, sizeof(m));
	r = bgp_frame(p, want, c->peer->ctx.maxlen, &msglen, &m.type, &m.err);
	if (r == BGP_FRAME_MORE)
		return 0;
	c->peer->msgs_in++;
	if (r == BGP_FRAME_ERR) {
		bgp_fsm(c, BGP_EV_MSG_ERROR, &m);
		return -1;
	}
	if (m.type == BGP_UPDATE)
		c->peer->updates_in++;
	rbuf_init(&m.body, p + BGP_HDR_LEN, msglen - BGP_HDR_LEN);
	bgp_fsm(c, msg_event(m.type), &m);
	if (c->fd == -1)
		return -1;
	evbuffer_drain(c->in, msglen);
	return 1;
}

/*
 * Frame and handle at most BGP_MSG_PROCESS_LIMIT messages of what is
 * buffered (all of them on eof: a NOTIFICATION just before the close is
 * not lost). Then, fairness and back-pressure (OpenBGPD rpending):
 * - more complete messages left: go on from a zero-timeout timer, which
 *   runs in the loop's next pass, after every other ready socket and
 *   expired timer (event_active would run again in this pass, before the
 *   timers: a flooding peer would starve keepalives to all the others);
 * - the buffer holds in_max bytes or more: stop reading the socket, so
 *   TCP's window closes on the sender; reading resumes once handled.
 * Returns false when the connection was closed.
 */
static bool
conn_process(struct bgp_conn *c, bool eof)
{
	int handled = 0, r = 0;

	while ((eof || handled < BGP_MSG_PROCESS_LIMIT) &&
	    (r = conn_handle_one(c)) == 1)
		handled++;
	if (c->fd == -1)
		return false;		/* the FSM closed it */
	if (eof)
		return true;
	if (r == 1)
		timer_arm_ms(c->ev_more, 0);
	if (evbuffer_get_length(c->in) >= c->peer->bgpd->params.in_max) {
		if (event_pending(c->ev_read, EV_READ, NULL)) {
			event_del(c->ev_read);
			c->peer->in_full++;
		}
	} else if (!event_pending(c->ev_read, EV_READ, NULL))
		event_add(c->ev_read, NULL);
	return true;
}

/*
 * Read at most what the bounded input buffer has room for, then process.
 * One recv into a scratch buffer, added to the connection's buffer: not
 * evbuffer_read, which asks FIONREAD first (an ioctl a read) and reads at
 * most 4096 bytes a call (a full table came in 4 KiB, two syscalls each).
 */
static uint8_t conn_rbuf[65536];

static void
conn_read_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct bgp_conn *c = arg;
	size_t have = evbuffer_get_length(c->in);
	size_t max = c->peer->bgpd->params.in_max;
	ssize_t n = -1;
	int err = EAGAIN;
	bool eof;

	(void)ev;
	if (have < max) {
		size_t room = max - have < sizeof(conn_rbuf) ? max - have :
		    sizeof(conn_rbuf);

		n = recv(fd, conn_rbuf, room, MSG_DONTWAIT);
		err = errno;
		if (n > 0 && evbuffer_add(c->in, conn_rbuf, (size_t)n) == -1)
			fatalx("evbuffer_add");
	}
	eof = n == 0 || (n == -1 && err != EAGAIN && err != EINTR);
	if (!conn_process(c, eof) || !eof)
		return;
	bgp_peer_set_error(c->peer, "Socket: %s",
	    n == 0 ? "Connection closed" : strerror(err));
	bgp_fsm(c, BGP_EV_TCP_FAIL, NULL);
}

static void
conn_more_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	(void)conn_process(arg, false);
}

/*
 * Write what the socket takes of c's output. False: the write failed and
 * the FSM has closed c (nothing more to do with it).
 */
static bool
conn_write_out(struct bgp_conn *c)
{
	/* (evbuffer_write returns -1 for an empty buffer, errno untouched) */
	if (evbuffer_get_length(c->out) == 0 ||
	    evbuffer_write(c->out, c->fd) != -1 || errno == EAGAIN ||
	    errno == EINTR)
		return true;
	bgp_peer_set_error(c->peer, "Socket: %s", strerror(errno));
	bgp_fsm(c, BGP_EV_TCP_FAIL, NULL);
	return false;
}

static void
conn_write_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct bgp_conn *c = arg;
	struct bgp_peer *peer = c->peer;

	(void)fd;
	(void)ev;
	if (!conn_write_out(c))
		return;
	if (evbuffer_get_length(c->out) > 0)
		event_add(c->ev_write, NULL);
	else if (c->state == BGP_STATE_ESTABLISHED && bgp_peer_tx_pending(peer))
		event_active(peer->ev_tx, EV_TIMEOUT, 0);
}

/*
 * What bgp_conn_send queued, written in the loop turn that queued it. What
 * the socket does not take waits for EV_WRITE. With all of it written on an
 * Established session whose Adj-RIB-Out has more to build, the next
 * UPDATEs are built after one more epoll turn (EV_WRITE, then
 * conn_write_cb), not here: building and flushing in turn without epoll
 * would starve every other event while a fast peer takes a whole table.
 * With nothing left to build, no EV_WRITE: the next change schedules the
 * build itself (bgp_peer_tx_change, the group's pacing). Arming it anyway
 * cost every UPDATE sent two epoll_ctl calls and a wakeup for nothing: a
 * reflector adding one block made 1000 of those calls for its 500 clients.
 */
static void
conn_flush(struct bgp_conn *c)
{
	if (c->fd == -1 || event_pending(c->ev_write, EV_WRITE, NULL) ||
	    !conn_write_out(c))
		return;
	if (evbuffer_get_length(c->out) > 0 ||
	    (c->state == BGP_STATE_ESTABLISHED && bgp_peer_tx_pending(c->peer)))
		event_add(c->ev_write, NULL);
}

static void
conn_flush_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	conn_flush(arg);
}

static void
conn_hold_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct bgp_conn *c = arg;

	(void)fd;
	(void)ev;
	bgp_peer_set_error(c->peer, "BGP Error: Hold timer expired");
	bgp_fsm(c, BGP_EV_HOLD_EXPIRED, NULL);
}

static void
conn_keepalive_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	bgp_fsm(arg, BGP_EV_KEEPALIVE_TIMER, NULL);
}

/* ---- outgoing connections ---- */

/* RFC 2385 TCP MD5 signatures for one peer address on fd. */
int
bgp_md5_set(int fd, const struct addr *a, const char *pw)
{
	struct tcp_md5sig md5;
	struct sockaddr_storage ss;
	socklen_t sl;

	memset(&md5, 0, sizeof(md5));
	sl = bgp_sockaddr(a, 0, &ss);
	memcpy(&md5.tcpm_addr, &ss, sl);
	md5.tcpm_keylen = (uint16_t)strlen(pw);
	memcpy(md5.tcpm_key, pw, md5.tcpm_keylen);
	return setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &md5, sizeof(md5));
}

socklen_t
bgp_sockaddr(const struct addr *a, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->af == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, a->b, 16);
		return sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		memcpy(&s4->sin_addr, a->b, 4);
		return sizeof(*s4);
	}
}

/* A connect failed with err: count refusals in a row (bgp_peer_retry_start). */
static void
note_refused(struct bgp_peer *peer, int err)
{
	if (err != ECONNREFUSED)
		peer->refused = 0;
	else if (peer->refused < BGP_REFUSED_MAX)
		peer->refused++;
}

/* Our end of c's connection, as the kernel chose or we bound it. */
static void
conn_note_local(struct bgp_conn *c)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	memset(&c->local, 0, sizeof(c->local));
	if (getsockname(c->fd, (struct sockaddr *)&ss, &sl) == -1)
		return;
	if (ss.ss_family == AF_INET)
		addr_set_bytes(&c->local, AF_INET,
		    &((struct sockaddr_in *)&ss)->sin_addr);
	else if (ss.ss_family == AF_INET6)
		addr_set_bytes(&c->local, AF_INET6,
		    &((struct sockaddr_in6 *)&ss)->sin6_addr);
}

static void
connect_done_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct bgp_conn *c = arg;
	int err = 0;
	socklen_t len = sizeof(err);

	(void)ev;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err != 0) {
		bgp_peer_set_error(c->peer, "Socket: %s", strerror(err));
		log_peer(c->peer, LOG_LVL_DEBUG, "connect: %s", strerror(err));
		note_refused(c->peer, err);
		bgp_fsm(c, BGP_EV_TCP_FAIL, NULL);
		return;
	}
	c->peer->refused = 0;
	conn_note_local(c);
	/* from now on the write event only drains the out buffer */
	event_assign(c->ev_write, c->peer->bgpd->base, fd, EV_WRITE,
	    conn_write_cb, c);
	event_add(c->ev_read, NULL);
	bgp_fsm(c, BGP_EV_TCP_OK, NULL);
}

/*
 * RFC 5082 3: send with TTL 255 and drop what arrives with less than
 * 256 - hops (BIRD's "ttl security on; multihop hops", as Calico's
 * template writes ttlSecurity). The kernel counts what it drops
 * (TcpExtTCPMinTTLDrop). Without: the system's TTL (-1) and no minimum,
 * also on a socket accepted from the listener, which sends 255.
 */
int
bgp_peer_ttl_set(const struct bgp_peer *peer, int fd)
{
	bool v6 = peer->conf.addr.af == AF_INET6;
	int hops = peer->conf.ttl_security;
	int ttl = hops > 0 ? 255 : -1, min = hops > 0 ? 256 - hops : 0;

	if (setsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP,
	    v6 ? IPV6_UNICAST_HOPS : IP_TTL, &ttl, sizeof(ttl)) == -1 ||
	    setsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP,
	    v6 ? IPV6_MINHOPCOUNT : IP_MINTTL, &min, sizeof(min)) == -1) {
		if (hops > 0)
			log_peer(peer, LOG_LVL_WARNING, "TTL security: %s",
			    strerror(errno));
		return -1;
	}
	return 0;
}

static int
peer_socket(struct bgp_peer *peer)
{
	const struct bgpd_params *p = &peer->bgpd->params;
	const struct addr *src = peer->conf.addr.af == AF_INET6 ?
	    &p->local_v6 : &p->local_v4;
	const char *pw = bgp_peer_password(peer);
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, one = 1;

	fd = socket(peer->conf.addr.af, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (pw[0] != '\0' && bgp_md5_set(fd, &peer->conf.addr, pw) == -1)
		log_peer(peer, LOG_LVL_WARNING, "TCP MD5: %s", strerror(errno));
	/* a session with GTSM that cannot have it does not go without; a new
	 * socket has the system's TTL and no minimum already (an accepted one
	 * is set either way: the listener's 255 is inherited) */
	if (peer->conf.ttl_security > 0 && bgp_peer_ttl_set(peer, fd) == -1) {
		close(fd);
		return -1;
	}
	/* Calico: "source address <own ip>" (sourceAddress UseNodeIP); None:
	 * the kernel picks it from the route to the peer */
	if (addr_is_set(src) && !peer->conf.src_any) {
		sl = bgp_sockaddr(src, 0, &ss);
		if (bind(fd, (struct sockaddr *)&ss, sl) == -1)
			log_peer(peer, LOG_LVL_DEBUG, "bind source: %s",
			    strerror(errno));
	}
	return fd;
}

void
bgp_peer_connect(struct bgp_peer *peer)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	struct bgp_conn *c;
	int fd;

	if (peer->conn != NULL || peer->dead)
		return;
	if ((fd = peer_socket(peer)) == -1) {
		bgp_peer_set_error(peer, "Socket: %s", strerror(errno));
		bgp_peer_retry_start(peer);
		return;
	}
	sl = bgp_sockaddr(&peer->conf.addr, peer->conf.port, &ss);
	c = conn_new(peer, fd, true);
	peer->conn = c;
	peer->state = BGP_STATE_CONNECT;
	event_assign(c->ev_write, peer->bgpd->base, fd, EV_WRITE,
	    connect_done_cb, c);
	if (connect(fd, (struct sockaddr *)&ss, sl) == -1 &&
	    errno != EINPROGRESS) {
		bgp_peer_set_error(peer, "Socket: %s", strerror(errno));
		note_refused(peer, errno);
		bgp_fsm(c, BGP_EV_TCP_FAIL, NULL);
		return;
	}
	event_add(c->ev_write, NULL);
}

/*
 * Arm the ConnectRetryTimer (bgp_fsm_retry_ms: soon and flat after
 * refused connects, then backing off; jitter per RFC 4271 10). A
 * connection that came up and closed again waits connect_retry_time.
 */
void
bgp_peer_retry_start(struct bgp_peer *peer)
{
	if (peer->conf.passive || peer->dead)
		return;
	timer_arm_ms_jitter(peer->ev_retry, bgp_fsm_retry_ms(peer->refused,
	    peer->bgpd->params.connect_retry_time * 1000u));
}

static void
peer_retry_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	bgp_peer_connect(arg);
}

/* ---- incoming connections (from listen.c) ---- */

static void
conn_start_incoming(struct bgp_peer *peer, struct bgp_conn *c)
{
	(void)peer;
	conn_note_local(c);
	event_add(c->ev_read, NULL);
	bgp_fsm(c, BGP_EV_TCP_OK, NULL);
}

/*
 * A connection from this peer's address arrived. RFC 4271 6.8: a TCP
 * connection counts for nothing until its OPEN has arrived and been
 * checked, so it never replaces anything here: with no connection (or
 * only our own connect still in progress, which is dropped in its favour)
 * it becomes the main one; otherwise it is the collision candidate
 * (conn2), resolved by bgp_peer_collision when its OPEN arrives, also
 * against an Established session (RFC 4724 4.2 is applied to the OPEN,
 * not to the SYN). One candidate at a time; an incoming connection that
 * sends no OPEN within open_wait seconds is closed (fsm.c), so a silent
 * one never costs a session.
 */
void
bgp_peer_accept(struct bgp_peer *peer, int fd)
{
	struct bgp_conn *c, *old = peer->conn;

	if (peer->conf.pw_error[0] != '\0') {
		log_peer(peer, LOG_LVL_DEBUG, "incoming connection refused: "
		    "%s", peer->conf.pw_error);
		bgp_refuse(fd, BGP_CEASE_CONN_REJECTED);
		return;
	}
	if (bgp_peer_ttl_set(peer, fd) == -1 && peer->conf.ttl_security > 0) {
		bgp_refuse(fd, BGP_CEASE_CONN_REJECTED);
		return;
	}
	if (peer->conn2 != NULL) {
		log_peer(peer, LOG_LVL_DEBUG, "second incoming connection "
		    "refused: one is already waiting for its OPEN");
		bgp_refuse(fd, BGP_CEASE_COLLISION);
		return;
	}
	if (old != NULL && old->state == BGP_STATE_CONNECT) {
		bgp_conn_close(old);	/* drop our pending connect */
		old = NULL;
	}
	c = conn_new(peer, fd, false);
	if (old == NULL) {
		timer_stop(peer->ev_retry);
		peer->conn = c;
		peer->state = BGP_STATE_CONNECT;
	} else
		peer->conn2 = c;
	conn_start_incoming(peer, c);
}

/*
 * RFC 4724 4.2: an OPEN with the graceful restart capability on a new
 * connection while the session is Established: the peer restarted. The
 * old session ends as a lost connection (its routes kept stale) and conn
 * takes its place. Without graceful restart, RFC 4271 6.8: the
 * Established session wins and conn is closed.
 */
static struct bgp_conn *
collision_established(struct bgp_peer *peer, struct bgp_conn *conn,
    struct bgp_conn *est)
{
	if (!peer->remote_caps.gr || !conn->remote_open.caps.gr)
		return conn;
	log_peer(peer, LOG_LVL_INFO,
	    "OPEN on a new connection while established: peer restarted");
	bgp_peer_set_error(peer, "Error: Graceful restart");
	bgp_fsm(est, BGP_EV_TCP_FAIL, NULL);	/* keeps routes stale */
	return NULL;
}

/*
 * RFC 4271 6.8: conn received an OPEN while the other connection exists.
 * The connection initiated by the speaker with the higher BGP Identifier
 * survives. The RFC examines connections in OpenConfirm, and MAY examine
 * those in OpenSent when the peer's Identifier is known: the OPEN on conn
 * just told it, so the other one is compared whatever its state, and both
 * sides close the same connection. (Closing an incoming connection that
 * had sent no OPEN yet without comparing, as this did, closed the one the
 * peer kept: both died, bench/rr.sh.) A silent connection that wins waits
 * for its OPEN at most open_wait. Returns true if conn itself was closed.
 */
bool
bgp_peer_collision(struct bgp_peer *peer, struct bgp_conn *conn)
{
	struct bgp_conn *other = conn == peer->conn ? peer->conn2 : peer->conn;
	struct bgp_conn *loser;
	uint32_t local_id = peer->bgpd->params.router_id;
	uint32_t remote_id = conn->remote_open.bgp_id;

	if (other == NULL || other->fd == -1)
		return false;
	if (other->state == BGP_STATE_ESTABLISHED) {
		if ((loser = collision_established(peer, conn, other)) == NULL)
			return false;
	} else if (local_id < remote_id)
		loser = conn->outgoing ? conn : other;	/* keep remote's */
	else
		loser = conn->outgoing ? other : conn;	/* keep ours */
	log_peer(peer, LOG_LVL_INFO, "connection collision: closing the %s one",
	    loser->outgoing ? "outgoing" : "incoming");
	bgp_fsm_send_notification(loser, BGP_ERR_CEASE, BGP_CEASE_COLLISION,
	    NULL, 0);
	if (loser == peer->conn)
		loser->state = BGP_STATE_IDLE;
	bgp_conn_close(loser);
	if (loser != conn) {
		peer->state = conn->state;
		return false;
	}
	return true;
}

/* ---- peer lifecycle ---- */

struct bgp_peer *
bgp_peer_new(struct bgpd *bgpd, const struct bgpd_peer_conf *conf)
{
	struct bgp_peer *peer = xcalloc(1, sizeof(*peer));
	struct event_base *base = bgpd->base;

	peer->bgpd = bgpd;
	peer->conf = *conf;
	if (peer->conf.port == 0)
		peer->conf.port = bgpd->params.port;
	peer->state = BGP_STATE_IDLE;
	peer->since = time(NULL);
	peer->ebgp = conf->as != bgp_peer_local_as(peer);
	peer->ctx.maxlen = BGP_MAX_MSG;
	peer->src.name = peer->conf.name;
	peer->src.kind = RIB_SRC_BGP;
	peer->src.as = conf->as;
	peer->src.addr = conf->addr;
	peer->src.ebgp = peer->ebgp;
	peer->src.max_paths = bgpd->params.max_paths;
	peer->src.mem_max = bgpd->params.mem_max == BGPD_MEM_UNLIMITED ? 0 :
	    bgpd->params.mem_max;
	peer->ev_retry = evtimer_new(base, peer_retry_cb, peer);
	peer->ev_restart = evtimer_new(base, peer_restart_cb, peer);
	peer->ev_reap = event_new(base, -1, 0, peer_reap_cb, peer);
	peer->ev_tx = event_new(base, -1, 0, peer_tx_cb, peer);
	peer->ev_refresh = evtimer_new(base, peer_refresh_cb, peer);
	return peer;
}

void
bgp_peer_start(struct bgp_peer *peer)
{
	peer->since = time(NULL);
	/* no key, no session: Idle with the reason as its error (the agent
	 * logs it); a new conf with the key restarts it */
	if (peer->conf.pw_error[0] != '\0') {
		bgp_peer_set_error(peer, "%s", peer->conf.pw_error);
		peer->state = BGP_STATE_IDLE;
		return;
	}
	peer->state = BGP_STATE_ACTIVE;
	if (!peer->conf.passive)
		timer_arm_ms(peer->ev_retry, 0);
}

static void
reap_zombies(struct bgp_peer *peer)
{
	struct bgp_conn *c;

	while ((c = peer->zombies) != NULL) {
		peer->zombies = c->next_zombie;
		conn_free(c);
	}
}

static void
peer_reap_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct bgp_peer *peer = arg;

	(void)fd;
	(void)ev;
	reap_zombies(peer);
	if (peer->dead)
		bgp_peer_free(peer);
}

static void
peer_tx_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct bgp_peer *peer = arg;
	struct bgp_conn *c = peer->conn;
	uint64_t before;

	(void)fd;
	(void)ev;
	if (c == NULL || c->state != BGP_STATE_ESTABLISHED)
		return;
	if (peer->upg != NULL) {
		bgp_upg_tx(peer->upg);	/* flushes every member it built for */
		return;
	}
	if (peer->adjout == NULL)
		return;
	before = peer->updates_out;
	if (evbuffer_get_length(c->out) < BGP_OUT_HIGH_WATER &&
	    !adjout_build(peer->adjout, c))
		bgp_upg_try_join(peer);	/* nothing pending */
	if (peer->updates_out != before)
		peer->tx_last = timer_now_ms();
	/*
	 * Written now, not at the turn's end with every other peer's: a
	 * reflector whose 500 clients all had UPDATEs built in one turn held
	 * them all at once before the first flush (its peak RSS, and the
	 * heap it kept after). The socket takes what it can; the rest waits
	 * for EV_WRITE. Only when something was built: conn_flush arms
	 * EV_WRITE on an Established session, whose callback schedules this
	 * one again (with nothing to write, a loop through epoll).
	 */
	if (evbuffer_get_length(c->out) > 0) {
		event_del(c->ev_flush);
		conn_flush(c);
	}
}

/* Build now (this loop turn): a session up, a refresh, a policy change. */
void
bgp_peer_tx_schedule(struct bgp_peer *peer)
{
	if (timer_running(peer->ev_tx))
		timer_stop(peer->ev_tx);	/* paced: not any more */
	if (!event_pending(peer->ev_tx, EV_TIMEOUT, NULL))
		event_active(peer->ev_tx, EV_TIMEOUT, 0);
}

/*
 * Whether a change now, with UPDATEs last built at last (ms, monotonic, 0:
 * never), waits for bgp.advertisement_interval: *ms is how long. The first
 * change after a quiet interval goes at once; the ones that follow within
 * it go together at its end (a reflector whose clients come up one by one
 * sends each client a few large UPDATEs, not one per client that came up).
 */
bool
bgp_tx_paced(const struct bgpd *bgpd, uint64_t last, unsigned *ms)
{
	uint64_t iv = bgpd->params.adv_interval_ms, now;

	if (iv == 0 || last == 0)
		return false;
	now = timer_now_ms();
	if (now >= last + iv)
		return false;
	*ms = (unsigned)(last + iv - now);
	return true;
}

/* The rib changed what this peer (alone) should have: build, paced. */
void
bgp_peer_tx_change(struct bgp_peer *peer)
{
	unsigned ms;

	if (event_pending(peer->ev_tx, EV_TIMEOUT, NULL))
		return;		/* due now, or at the interval's end */
	if (bgp_tx_paced(peer->bgpd, peer->tx_last, &ms))
		timer_arm_ms(peer->ev_tx, ms);
	else
		event_active(peer->ev_tx, EV_TIMEOUT, 0);
}

static void
peer_restart_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct bgp_peer *peer = arg;

	(void)fd;
	(void)ev;
	bgp_peer_gr_expired(peer);
}

static void
peer_refresh_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	bgp_peer_refresh(arg);
}

/*
 * Our planned restart (BGPD_STOP_RESTART) on connection c: RFC 8538 with
 * the N bit exchanged: Cease/Administrative Reset, which is no Hard Reset,
 * so the peer keeps our routes as for a graceful restart; a graceful
 * restart peer without it: no NOTIFICATION at all (RFC 4724: the lost
 * connection keeps our routes, as after a crash); any other: a Cease.
 */
static void
send_restart_cease(struct bgp_conn *c)
{
	struct bgp_peer *peer = c->peer;

	if (bgp_fsm_gr_notification(c))
		bgp_fsm_send_notification(c, BGP_ERR_CEASE,
		    BGP_CEASE_ADMIN_RESET, NULL, 0);
	else if (c->state == BGP_STATE_ESTABLISHED && peer->remote_caps.gr)
		log_peer(peer, LOG_LVL_INFO, "restarting: closing without "
		    "NOTIFICATION (graceful restart keeps our routes)");
	else
		bgp_fsm_send_notification(c, BGP_ERR_CEASE,
		    BGP_CEASE_ADMIN_SHUTDOWN, NULL, 0);
}

/*
 * Stop: Cease with subcode on every connection (a Hard Reset where RFC
 * 8538 says so), or BGPD_STOP_RESTART, our planned restart; the peer's
 * routes are withdrawn here.
 */
void
bgp_peer_stop(struct bgp_peer *peer, uint8_t subcode)
{
	struct bgp_conn *c;

	timer_stop(peer->ev_retry);
	timer_stop(peer->ev_restart);
	timer_stop(peer->ev_refresh);
	peer->dead = true;
	while ((c = peer->conn2 ? peer->conn2 : peer->conn) != NULL) {
		if (c->state >= BGP_STATE_OPENSENT && subcode == BGPD_STOP_RESTART)
			send_restart_cease(c);
		else if (c->state >= BGP_STATE_OPENSENT)
			(void)bgp_fsm_send_cease(c, subcode);
		if (c->state == BGP_STATE_ESTABLISHED && c == peer->conn)
			bgp_peer_session_down(peer, false);
		bgp_conn_close(c);
	}
	bgp_peer_flush(peer);
	peer->state = BGP_STATE_IDLE;
}

void
bgp_peer_free(struct bgp_peer *peer)
{
	if (peer == NULL)
		return;
	reap_zombies(peer);
	conn_free(peer->conn);
	conn_free(peer->conn2);
	bgp_peer_flush(peer);
	event_free(peer->ev_retry);
	event_free(peer->ev_restart);
	event_free(peer->ev_reap);
	event_free(peer->ev_tx);
	event_free(peer->ev_refresh);
	free(peer);
}
