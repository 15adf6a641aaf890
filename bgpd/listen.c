/*
 * listen.c: the listening sockets (IPv4 and IPv6, port from the config).
 *
 * Owns the listen fds and their events. An accepted connection is handed
 * to the peer with that remote address; from anyone else it is refused
 * with Cease/Connection Rejected (RFC 4486) and closed at once.
 *
 * The listeners send with TTL 255 (their SYN-ACKs: a GTSM peer drops less,
 * RFC 5082), as BIRD's do; an accepted socket then takes its peer's TTL
 * settings (bgp_peer_ttl_set). A listener serves every peer, so IP_MINTTL
 * cannot be set on it; instead a classic BPF socket filter drops any
 * segment from a GTSM peer's address that arrives with less than its
 * minimum TTL (bgp_listen_gtsm), the SYN included: a peer too far away
 * gets no handshake at all, and the accepted socket inherits the filter
 * (BIRD sets the minimum only once accepted, after the peer's first
 * segments may have been read). TCP MD5 keys are per peer address on
 * each listener (bgp_listen_md5), so only a signed SYN from a peer with a
 * key is answered.
 *
 * Any pod can connect to port 179, so the refusals are logged through a
 * rate limit (SPEC 8): REFUSED_BURST lines per REFUSED_WINDOW_MS, then a
 * count. The limit bounds the process's log, so there is one per process
 * (file scope); its timer lives from bgp_listen_start to bgp_listen_stop.
 */
#include <errno.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "session.h"
#include "xmalloc.h"

#define REFUSED_WINDOW_MS	10000
#define REFUSED_BURST		10
/*
 * A route reflector's hundreds of clients connect within a second: with
 * a short accept queue the kernel drops their handshakes' last ACK, each
 * client's connection looks up to it but is never accepted, and it waits
 * out SYN-ACK retransmissions (bench/rr.sh at 500 hosts: a minute) while
 * winning every collision against the reflector's own attempts. The
 * kernel caps the backlog at net.core.somaxconn.
 */
#define BGP_LISTEN_BACKLOG	SOMAXCONN
#define BGP_ACCEPT_BURST	64

static struct log_ratelimit refused_rl;

void
bgp_refuse(int fd, uint8_t subcode)
{
	uint8_t buf[BGP_NOTIFICATION_MIN];
	struct wbuf w;
	struct bgp_notification n = {
		.code = BGP_ERR_CEASE, .subcode = subcode,
	};

	wbuf_init(&w, buf, sizeof(buf));
	bgp_notification_encode(&n, &w);
	/* best effort: the refused peer may be gone already; its socket
	 * is non-blocking and new, a NOTIFICATION fits its buffer */
	if (!w.err && write(fd, buf, w.len) == -1)
		log_debug("refused connection: NOTIFICATION not sent: %s",
		    strerror(errno));
	close(fd);
}

static struct bgp_peer *
peer_by_addr(struct bgpd *bgpd, const struct addr *a)
{
	struct bgp_peer *peer;

	TAILQ_FOREACH(peer, &bgpd->peers, entry)
		if (addr_eq(&peer->conf.addr, a) && !peer->dead)
			return peer;
	return NULL;
}

static void
sockaddr_to_addr(const struct sockaddr_storage *ss, struct addr *a)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		addr_set_bytes(a, AF_INET, &s4->sin_addr);
	} else if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
		addr_set_bytes(a, AF_INET, &s6->sin6_addr.s6_addr[12]);
	else
		addr_set_bytes(a, AF_INET6, &s6->sin6_addr);
}

static void
accept_cb(evutil_socket_t lfd, short ev, void *arg)
{
	struct bgpd *bgpd = arg;
	struct sockaddr_storage ss;
	socklen_t sl;
	struct bgp_peer *peer;
	struct addr a;
	char buf[ADDR_STRLEN];
	int fd, one = 1;

	(void)ev;
	/* a burst per wakeup: a reflector's clients all connect at once */
	for (int i = 0; i < BGP_ACCEPT_BURST; i++) {
		sl = sizeof(ss);
		fd = accept4(lfd, (struct sockaddr *)&ss, &sl,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED)
				log_warn("accept");
			return;
		}
		sockaddr_to_addr(&ss, &a);
		if ((peer = peer_by_addr(bgpd, &a)) == NULL) {
			log_rl(&refused_rl, "connection from %s refused: not "
			    "a configured peer", addr_fmt(&a, buf,
			    sizeof(buf)));
			bgp_refuse(fd, BGP_CEASE_CONN_REJECTED);
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		log_peer(peer, LOG_LVL_DEBUG, "incoming connection");
		bgp_peer_accept(peer, fd);
	}
}

void
bgp_listen_md5(struct bgpd *bgpd, const struct bgp_peer *peer, bool clear)
{
	int fd = bgpd->listen_fd[peer->conf.addr.af == AF_INET6 ? 1 : 0];
	const char *pw = clear ? "" : bgp_peer_password(peer);

	if (fd == -1 || (pw[0] == '\0' && !clear))
		return;
	if (bgp_md5_set(fd, &peer->conf.addr, pw) == -1 && !clear)
		log_peer(peer, LOG_LVL_WARNING, "TCP MD5 on listener failed: "
		    "%s", strerror(errno));
}

/*
 * The GTSM filter of the af listener: per GTSM peer of af, compare the
 * source address (IPv4: one word; IPv6: four) and, when it is the peer's,
 * accept with a TTL (hop limit) of at least 256 - hops, else drop; from
 * any other address, accept. Offsets are from the network header
 * (SKF_NET_OFF): the socket filter runs on the TCP header. At most
 * BGP_GTSM_FILTER_MAX peers a family (the program stays within
 * BPF_MAXINSNS); beyond, the rest have the accepted socket's minimum only.
 */
#define BGP_GTSM_FILTER_MAX	300
#define STMT(c, k)	((struct sock_filter)BPF_STMT((c), (k)))
#define JUMP(c, k, t, f) ((struct sock_filter)BPF_JUMP((c), (k), (t), (f)))

static size_t
gtsm_peer_insns(struct sock_filter *f, const struct bgp_peer *peer, bool v6)
{
	uint32_t min = 256u - peer->conf.ttl_security, w;
	size_t n = 0;
	int words = v6 ? 4 : 1;

	for (int i = 0; i < words; i++) {
		memcpy(&w, peer->conf.addr.b + 4 * i, 4);
		f[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)SKF_NET_OFF +
		    (v6 ? 8u + 4u * (uint32_t)i : 12u));
		/* not this peer: on to the next one (after the 4 below) */
		f[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, ntohl(w), 0,
		    (uint8_t)(2 * (words - 1 - i) + 4));
	}
	f[n++] = STMT(BPF_MISC | BPF_TXA, 0);
	f[n++] = JUMP(BPF_JMP | BPF_JGE | BPF_K, min, 0, 1);
	f[n++] = STMT(BPF_RET | BPF_K, 0xffffffffu);
	f[n++] = STMT(BPF_RET | BPF_K, 0);
	return n;
}

static void
gtsm_filter_one(struct bgpd *bgpd, int i)
{
	bool v6 = i == 1;
	int fd = bgpd->listen_fd[i], dummy = 0;
	size_t per = v6 ? 12 : 6, n = 0, npeers = 0;
	struct sock_filter *f;
	struct sock_fprog prog;
	struct bgp_peer *peer;

	if (fd == -1)
		return;
	f = xcalloc(2 + per * BGP_GTSM_FILTER_MAX + 1, sizeof(*f));
	/* X = TTL / hop limit */
	f[n++] = STMT(BPF_LD | BPF_B | BPF_ABS, (uint32_t)SKF_NET_OFF +
	    (v6 ? 7u : 8u));
	f[n++] = STMT(BPF_MISC | BPF_TAX, 0);
	TAILQ_FOREACH(peer, &bgpd->peers, entry) {
		if (peer->dead || peer->conf.ttl_security == 0 ||
		    (peer->conf.addr.af == AF_INET6) != v6)
			continue;
		if (npeers++ == BGP_GTSM_FILTER_MAX) {
			log_warnx("GTSM: more than %d peers: the listener "
			    "checks the first ones only", BGP_GTSM_FILTER_MAX);
			break;
		}
		n += gtsm_peer_insns(f + n, peer, v6);
	}
	f[n++] = STMT(BPF_RET | BPF_K, 0xffffffffu);
	prog.len = (unsigned short)n;
	prog.filter = f;
	if (npeers == 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_DETACH_FILTER, &dummy,
		    sizeof(dummy));
	else if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
	    sizeof(prog)) == -1)
		log_warn("GTSM: listener filter");
	free(f);
}

void
bgp_listen_gtsm(struct bgpd *bgpd)
{
	for (int i = 0; i < 2; i++)
		gtsm_filter_one(bgpd, i);
}

/* Listen on af's address (bindMode NodeIP), else every address. */
static int
listen_one(struct bgpd *bgpd, int i, int af)
{
	struct sockaddr_storage ss;
	struct addr any;
	const struct addr *bind_to = af == AF_INET6 ? &bgpd->params.listen_v6 :
	    &bgpd->params.listen_v4;
	socklen_t sl;
	int fd, one = 1, ttl = 255;

	memset(&any, 0, sizeof(any));
	any.af = (uint8_t)af;
	if (addr_is_set(bind_to) && bind_to->af == af)
		any = *bind_to;
	sl = bgp_sockaddr(&any, bgpd->params.port, &ss);
	fd = socket(af, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (af == AF_INET6) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl,
		    sizeof(ttl));
	} else
		setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
	/* a node address not yet there (bindMode NodeIP at boot) */
	setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) == -1 ||
	    listen(fd, BGP_LISTEN_BACKLOG) == -1) {
		close(fd);
		return -1;
	}
	bgpd->listen_fd[i] = fd;
	bgpd->ev_listen[i] = event_new(bgpd->base, fd, EV_READ | EV_PERSIST,
	    accept_cb, bgpd);
	event_add(bgpd->ev_listen[i], NULL);
	return 0;
}

int
bgp_listen_start(struct bgpd *bgpd)
{
	struct bgp_peer *peer;
	char a4[ADDR_STRLEN], a6[ADDR_STRLEN];

	log_ratelimit_fini(&refused_rl);
	log_ratelimit_init(&refused_rl, LOG_LVL_WARNING, REFUSED_WINDOW_MS,
	    REFUSED_BURST, "connections refused: not a configured peer");
	log_ratelimit_start(&refused_rl, bgpd->base);
	if (listen_one(bgpd, 0, AF_INET) == -1) {
		log_warn("listen on port %u", bgpd->params.port);
		return -1;
	}
	if (listen_one(bgpd, 1, AF_INET6) == -1)
		log_warn("listen on [::]:%u (IPv6 sessions disabled)",
		    bgpd->params.port);
	log_info("listening on %s and [%s] port %u",
	    addr_is_set(&bgpd->params.listen_v4) ? addr_fmt(
	    &bgpd->params.listen_v4, a4, sizeof(a4)) : "0.0.0.0",
	    addr_is_set(&bgpd->params.listen_v6) ? addr_fmt(
	    &bgpd->params.listen_v6, a6, sizeof(a6)) : "::",
	    bgpd->params.port);
	/* new sockets: every peer's key and GTSM check again */
	TAILQ_FOREACH(peer, &bgpd->peers, entry)
		if (!peer->dead)
			bgp_listen_md5(bgpd, peer, false);
	bgp_listen_gtsm(bgpd);
	return 0;
}

void
bgp_listen_stop(struct bgpd *bgpd)
{
	for (int i = 0; i < 2; i++) {
		if (bgpd->ev_listen[i])
			event_free(bgpd->ev_listen[i]);
		bgpd->ev_listen[i] = NULL;
		if (bgpd->listen_fd[i] != -1)
			close(bgpd->listen_fd[i]);
		bgpd->listen_fd[i] = -1;
	}
	log_ratelimit_fini(&refused_rl);
}
