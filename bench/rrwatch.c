/*
 * rrwatch: the observer of bench/rr.sh, two modes.
 *
 * rrwatch fib PREFIX N [XOWNER [DEAD]]
 *   Watch the IPv4 FIBs of the namespaces PREFIXh1..PREFIXhN (/run/netns)
 *   through one rtnetlink socket each (routes and nexthop objects), as
 *   bench/meshwatch.c does, with rr.sh's addresses: host I is 198.18.0.0 + I
 *   (198.18.0.0/22, I = 1..1000) and owns block I, 10.244.0.0 + 64 I /26. A
 *   host's set is complete when it holds its own block as a blackhole and
 *   every other host's block via that host's address (RTA_GATEWAY, or the
 *   gateway of the nexthop object it names; a multipath route counts only
 *   when every path goes to the owner), proto 12, main table. With XOWNER,
 *   one more block, 10.244.255.192/26 ("block X"), owned by host XOWNER, is
 *   tracked on its own (xhost / xall); XOWNER 0: none. DEAD: the host that
 *   will be killed; the deletions of its own block are counted apart (DDEL:
 *   they are right once its paths' graceful restart time is over). Lines (µs, wall clock, comparable
 *   with bash's $EPOCHREALTIME):
 *     ready US NCOMPLETE         subscribed and dumped
 *     host US I / lost US I      hI's set complete / incomplete again
 *     all US / notall US         every host complete / not any more
 *     xhost US I / xlost US I    hI holds block X right / not any more
 *     xall US                    every host holds block X
 *     progress US NCOMPLETE ROUTES    each second while something changes
 *     overflow US I              hI's socket overflowed: rebuilt from a dump
 *   Per host it counts, over the tracked prefixes: deletions (RTM_DELROUTE,
 *   and routes gone with their nexthop object), replacements (RTM_NEWROUTE
 *   with NLM_F_REPLACE, or a route's nexthop object replaced), adds
 *   (RTM_NEWROUTE otherwise), bad (a route set to something else than its
 *   owner's address or blackhole: e.g. via a reflector), and nexthop object
 *   events. SIGUSR1 prints them and starts a new interval:
 *     counts US                  then per host with any event:
 *     count I DEL REPL ADD BAD NH DDEL
 *     total US DEL REPL ADD BAD NH HOSTS_WITH_DELETIONS DDEL
 *   From the first SIGUSR1 on, each deletion, replacement or bad route is
 *   also printed (at most 500 lines): "del|repl|bad US I J [GW]" (hI's route
 *   to hJ's block; J = 0: block X).
 *
 * rrwatch ctl INTERVAL_MS WANT LABEL=SOCKET=PROTOCOL[=WANT]...
 *   Poll BIRD-protocol control sockets (BIRD 2's and ternd's) without a fork
 *   per query: one connection each, `show protocols all PROTOCOL` every
 *   INTERVAL_MS on each entry's own clock (the next query once the reply is
 *   in, so a busy daemon delays only its own line), the first number of its
 *   "Routes:" line (imported), stamped when the reply arrives. An entry
 *   is done when that count reaches WANT, its own or the common one (WANT 0:
 *   when it is 0 or the
 *   protocol shows no Routes line, i.e. holds no route); done entries are not
 *   polled again. Lines:
 *     ready US
 *     first US LABEL COUNT      the count was above 0 for the first time
 *     done US LABEL COUNT
 *     all US                    every entry done (then it exits)
 *     progress US NDONE SUM     each second
 *     gone US LABEL             the socket closed or failed (not polled again)
 * Exits on SIGTERM/SIGINT.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define BUFSZ		(256 * 1024)
#define MAXHOSTS	1000
#define XBLOCK		(10u << 24 | 244u << 16 | 255u << 8 | 192u)
#define MAXLINES	500

static volatile sig_atomic_t stop, usr1;

static unsigned long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (unsigned long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		usr1 = 1;
	else
		stop = 1;
}

/* ------------------------------------------------------------------ fib */

struct host {
	int		 fd;
	int		 cnt;		/* blocks held right (of n) */
	int		 done, xdone;
	long		 del, repl, add, bad, nhev, ddel;
};

static int		 n, xowner, dead, ndone, nxdone, verbose, lines;
static long		 total;
static struct host	*hosts;
static uint8_t		*ok;		/* ok[i * (n + 1) + j]: hI holds hJ's block
					 * right; j = 0: block X */
static uint8_t		*present;	/* any route for it */
static uint32_t		*nhof;		/* its nexthop object, 0 = none */

/* nexthop objects: (host, id) -> gateway, open addressing */
#define NHSLOTS	(1u << 20)
static struct nhent {
	uint32_t	host, id, gw;	/* id 0: free */
} *nht;

static struct nhent *
nh_find(int i, uint32_t id, int create)
{
	uint32_t h = (id * 2654435761u) ^ ((uint32_t)i * 40503u);

	for (uint32_t k = 0; k < NHSLOTS; k++) {
		struct nhent *e = &nht[(h + k) & (NHSLOTS - 1)];

		if (e->id == 0) {
			if (!create)
				return NULL;
			e->host = (uint32_t)i;
			e->id = id;
			return e;
		}
		if (e->id == id && e->host == (uint32_t)i)
			return e;
	}
	return NULL;
}

static uint32_t
host_addr(int j)
{
	return 198u << 24 | 18u << 16 | (uint32_t)j;
}

static void
event_line(const char *what, int i, int j, uint32_t gw)
{
	char a[INET_ADDRSTRLEN] = "";
	uint32_t g = htonl(gw);

	if (!verbose || lines >= MAXLINES)
		return;
	lines++;
	if (gw != 0)
		inet_ntop(AF_INET, &g, a, sizeof(a));
	printf("%s %llu %d %d%s%s\n", what, now_us(), i, j, gw ? " " : "", a);
}

static void
count_del(int i, int j)
{
	if (j != 0 && j == dead)
		hosts[i].ddel++;
	else
		hosts[i].del++;
	event_line("del", i, j, 0);
}

static void
set_slot(int i, int j, int good, uint32_t id)
{
	size_t k = (size_t)i * (n + 1) + j;

	nhof[k] = good ? id : 0;
	if (ok[k] == good)
		return;
	ok[k] = (uint8_t)good;
	if (j == 0)
		return;
	hosts[i].cnt += good ? 1 : -1;
	total += good ? 1 : -1;
}

static void
check(int i)
{
	int full = hosts[i].cnt == n;
	int x = xowner > 0 && ok[(size_t)i * (n + 1)];

	if (full != hosts[i].done) {
		hosts[i].done = full;
		printf("%s %llu %d\n", full ? "host" : "lost", now_us(), i);
		if (full && ++ndone == n)
			printf("all %llu\n", now_us());
		else if (!full && ndone-- == n)
			printf("notall %llu\n", now_us());
	}
	if (xowner > 0 && x != hosts[i].xdone) {
		hosts[i].xdone = x;
		printf("%s %llu %d\n", x ? "xhost" : "xlost", now_us(), i);
		if (x && ++nxdone == n)
			printf("xall %llu\n", now_us());
		else if (!x)
			nxdone--;
	}
}

/* the block index of DST (host order, a /26), -1 when not tracked */
static int
block_of(uint32_t dst)
{
	uint32_t off;

	if (xowner > 0 && dst == XBLOCK)
		return 0;
	if ((dst >> 16) != (10u << 8 | 244u) || (dst & 63) != 0)
		return -1;
	off = (dst & 0xffff) >> 6;
	return off >= 1 && off <= (uint32_t)n ? (int)off : -1;
}

/* the gateway of a RTA_MULTIPATH: its only one, 1 when several differ */
static uint32_t
multipath_gw(struct rtattr *a)
{
	struct rtnexthop *rtnh = RTA_DATA(a);
	int len = (int)RTA_PAYLOAD(a);
	uint32_t gw = 0, g;

	while (RTNH_OK(rtnh, len)) {
		struct rtattr *b = RTNH_DATA(rtnh);
		int blen = rtnh->rtnh_len - (int)sizeof(*rtnh);

		g = 0;
		for (; RTA_OK(b, blen); b = RTA_NEXT(b, blen))
			if (b->rta_type == RTA_GATEWAY && RTA_PAYLOAD(b) == 4) {
				memcpy(&g, RTA_DATA(b), 4);
				g = ntohl(g);
			}
		if (gw != 0 && g != gw)
			return 1;
		gw = g;
		len -= NLMSG_ALIGN(rtnh->rtnh_len);
		rtnh = RTNH_NEXT(rtnh);
	}
	return gw;
}

static void
route_msg(int i, struct nlmsghdr *h, int dumping)
{
	struct rtmsg *rtm = NLMSG_DATA(h);
	struct rtattr *a;
	int len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*rtm));
	uint32_t table, dst = 0, gw = 0, id = 0, owner;
	int has_dst = 0, j, good, was;
	size_t k;
	struct nhent *e;

	if (len < 0 || rtm->rtm_family != AF_INET || rtm->rtm_dst_len != 26 ||
	    rtm->rtm_protocol != 12)
		return;
	table = rtm->rtm_table;
	for (a = RTM_RTA(rtm); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == RTA_DST && RTA_PAYLOAD(a) == 4) {
			memcpy(&dst, RTA_DATA(a), 4);
			has_dst = 1;
		} else if (a->rta_type == RTA_GATEWAY && RTA_PAYLOAD(a) == 4) {
			memcpy(&gw, RTA_DATA(a), 4);
			gw = ntohl(gw);
		} else if (a->rta_type == RTA_TABLE && RTA_PAYLOAD(a) == 4)
			memcpy(&table, RTA_DATA(a), 4);
		else if (a->rta_type == RTA_NH_ID && RTA_PAYLOAD(a) == 4)
			memcpy(&id, RTA_DATA(a), 4);
		else if (a->rta_type == RTA_MULTIPATH)
			gw = multipath_gw(a);
	}
	if (!has_dst || table != RT_TABLE_MAIN ||
	    (j = block_of(ntohl(dst))) < 0)
		return;
	k = (size_t)i * (n + 1) + j;
	owner = (uint32_t)(j == 0 ? xowner : j);
	if (gw == 0 && id != 0 && (e = nh_find(i, id, 0)) != NULL)
		gw = e->gw;
	was = present[k];
	if (h->nlmsg_type == RTM_DELROUTE) {
		good = 0;
		present[k] = 0;
		if (!dumping && was)
			count_del(i, j);
	} else {
		if (owner == (uint32_t)i)
			good = rtm->rtm_type == RTN_BLACKHOLE;
		else
			good = rtm->rtm_type == RTN_UNICAST &&
			    gw == host_addr((int)owner);
		present[k] = 1;
		if (!dumping) {
			if (h->nlmsg_flags & NLM_F_REPLACE) {
				hosts[i].repl++;
				event_line("repl", i, j, gw);
			} else
				hosts[i].add++;
			if (!good) {
				hosts[i].bad++;
				event_line("bad", i, j, gw);
			}
		}
	}
	set_slot(i, j, good, id);
}

static void
nexthop_msg(int i, struct nlmsghdr *h, int dumping)
{
	struct nhmsg *nhm = NLMSG_DATA(h);
	struct rtattr *a;
	int len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*nhm));
	uint32_t id = 0, gw = 0;
	struct nhent *e;
	size_t k;

	if (len < 0 || nhm->nh_family != AF_INET)
		return;
	for (a = (struct rtattr *)((char *)nhm + NLMSG_ALIGN(sizeof(*nhm)));
	    RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == NHA_ID && RTA_PAYLOAD(a) == 4)
			memcpy(&id, RTA_DATA(a), 4);
		else if (a->rta_type == NHA_GATEWAY && RTA_PAYLOAD(a) == 4) {
			memcpy(&gw, RTA_DATA(a), 4);
			gw = ntohl(gw);
		}
	if (id == 0)
		return;
	if (!dumping)
		hosts[i].nhev++;
	if (h->nlmsg_type == RTM_DELNEXTHOP) {
		/* its routes went with it, without a notification each */
		for (int j = 0; j <= n; j++) {
			k = (size_t)i * (n + 1) + j;
			if (nhof[k] == id && present[k]) {
				present[k] = 0;
				count_del(i, j);
				set_slot(i, j, 0, 0);
			}
		}
		if ((e = nh_find(i, id, 0)) != NULL)
			e->gw = 0;	/* the slot stays (no tombstones) */
		return;
	}
	if ((e = nh_find(i, id, 1)) == NULL)
		return;
	if (e->gw != 0 && e->gw != gw && !dumping) {
		/* replaced in place: every route through it changes */
		for (int j = 0; j <= n; j++) {
			k = (size_t)i * (n + 1) + j;
			if (nhof[k] == id && present[k]) {
				uint32_t owner = (uint32_t)(j == 0 ? xowner : j);
				int good = gw == host_addr((int)owner);

				hosts[i].repl++;
				event_line("repl", i, j, gw);
				if (!good) {
					hosts[i].bad++;
					event_line("bad", i, j, gw);
				}
				set_slot(i, j, good, good ? id : 0);
				if (!good)
					nhof[k] = id;
			}
		}
	}
	e->gw = gw;
}

static int
handle(int i, char *buf, ssize_t len, int dumping)
{
	struct nlmsghdr *h;
	int fin = 0;

	for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)len);
	    h = NLMSG_NEXT(h, len))
		switch (h->nlmsg_type) {
		case RTM_NEWROUTE:
		case RTM_DELROUTE:
			route_msg(i, h, dumping);
			break;
		case RTM_NEWNEXTHOP:
		case RTM_DELNEXTHOP:
			nexthop_msg(i, h, dumping);
			break;
		case NLMSG_DONE:
		case NLMSG_ERROR:
			fin = 1;
			break;
		}
	return fin;
}

static int
dump_one(int i, char *buf, int type, int family)
{
	struct {
		struct nlmsghdr	nh;
		union {
			struct rtmsg	rt;
			struct nhmsg	nhm;
		} u;
	} req;
	ssize_t len;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_type = (uint16_t)type;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = 1;
	if (type == RTM_GETROUTE) {
		req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
		req.u.rt.rtm_family = (unsigned char)family;
	} else {
		req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct nhmsg));
		req.u.nhm.nh_family = (unsigned char)family;
	}
	if (send(hosts[i].fd, &req, req.nh.nlmsg_len, 0) == -1) {
		perror("rrwatch: dump");
		return -1;
	}
	for (;;) {
		len = recv(hosts[i].fd, buf, BUFSZ, 0);
		if (len == -1 && (errno == EINTR || errno == ENOBUFS))
			continue;
		if (len <= 0) {
			perror("rrwatch: dump recv");
			return -1;
		}
		if (handle(i, buf, len, 1))
			return 0;
	}
}

/* dump I: rebuild hI's state (nexthop objects first, then routes). */
static int
dump(int i, char *buf)
{
	for (int j = 0; j <= n; j++) {
		present[(size_t)i * (n + 1) + j] = 0;
		set_slot(i, j, 0, 0);
	}
	/* AF_UNSPEC: a kernel without nexthop objects answers an error */
	if (dump_one(i, buf, RTM_GETNEXTHOP, AF_UNSPEC) == -1)
		return -1;
	return dump_one(i, buf, RTM_GETROUTE, AF_INET);
}

static void
print_counts(void)
{
	long d = 0, r = 0, a = 0, b = 0, x = 0, hd = 0, dd = 0;

	printf("counts %llu\n", now_us());
	for (int i = 1; i <= n; i++) {
		struct host *h = &hosts[i];

		if (h->del || h->repl || h->add || h->bad || h->nhev || h->ddel)
			printf("count %d %ld %ld %ld %ld %ld %ld\n", i, h->del,
			    h->repl, h->add, h->bad, h->nhev, h->ddel);
		dd += h->ddel;
		d += h->del;
		r += h->repl;
		a += h->add;
		b += h->bad;
		x += h->nhev;
		hd += h->del > 0;
		h->del = h->repl = h->add = h->bad = h->nhev = h->ddel = 0;
	}
	printf("total %llu %ld %ld %ld %ld %ld %ld %ld\n", now_us(), d, r, a, b,
	    x, hd, dd);
	verbose = 1;
}

static int
fib_main(int argc, char **argv)
{
	unsigned groups[] = { RTNLGRP_IPV4_ROUTE, RTNLGRP_NEXTHOP };
	struct epoll_event ev, evs[64];
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char path[256], *buf;
	int self, ns, ep, rcv = 16 * 1024 * 1024, i, k, m;
	long last_total = -1;
	unsigned long long last = 0, t;
	ssize_t len;

	if (argc < 4 || argc > 6 || (n = atoi(argv[3])) < 1 || n > MAXHOSTS ||
	    (argc >= 5 && ((xowner = atoi(argv[4])) < 0 || xowner > n)) ||
	    (argc == 6 && ((dead = atoi(argv[5])) < 0 || dead > n))) {
		fprintf(stderr, "usage: rrwatch fib PREFIX N (1..%d) [XOWNER "
		    "[DEAD]]\n", MAXHOSTS);
		return 2;
	}
	hosts = calloc((size_t)n + 1, sizeof(*hosts));
	ok = calloc((size_t)(n + 1) * (n + 1), 1);
	present = calloc((size_t)(n + 1) * (n + 1), 1);
	nhof = calloc((size_t)(n + 1) * (n + 1), sizeof(*nhof));
	nht = calloc(NHSLOTS, sizeof(*nht));
	buf = malloc(BUFSZ);
	if (!hosts || !ok || !present || !nhof || !nht || !buf)
		return 1;
	if ((self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) == -1 ||
	    (ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		perror("rrwatch");
		return 1;
	}
	for (i = 1; i <= n; i++) {
		snprintf(path, sizeof(path), "/run/netns/%sh%d", argv[2], i);
		if ((ns = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
		    setns(ns, CLONE_NEWNET) == -1) {
			fprintf(stderr, "rrwatch: %s: %s\n", path, strerror(errno));
			return 1;
		}
		close(ns);
		hosts[i].fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
		    NETLINK_ROUTE);
		if (hosts[i].fd == -1 || bind(hosts[i].fd,
		    (struct sockaddr *)&sa, sizeof(sa)) == -1) {
			perror("rrwatch: socket");
			return 1;
		}
		if (setsockopt(hosts[i].fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv,
		    sizeof(rcv)) == -1)
			(void)setsockopt(hosts[i].fd, SOL_SOCKET, SO_RCVBUF,
			    &rcv, sizeof(rcv));
		for (k = 0; k < 2; k++)
			if (setsockopt(hosts[i].fd, SOL_NETLINK,
			    NETLINK_ADD_MEMBERSHIP, &groups[k],
			    sizeof(groups[k])) == -1) {
				perror("rrwatch: membership");
				return 1;
			}
		ev.events = EPOLLIN;
		ev.data.u32 = (uint32_t)i;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, hosts[i].fd, &ev) == -1) {
			perror("rrwatch: epoll_ctl");
			return 1;
		}
	}
	if (setns(self, CLONE_NEWNET) == -1)
		perror("rrwatch: setns back");
	for (i = 1; i <= n; i++) {
		if (dump(i, buf) == -1)
			return 1;
		check(i);
	}
	printf("ready %llu %d\n", now_us(), ndone);
	while (!stop) {
		m = epoll_wait(ep, evs, 64, 200);
		if (m == -1 && errno != EINTR)
			break;
		for (k = 0; k < m; k++) {
			i = (int)evs[k].data.u32;
			for (;;) {
				len = recv(hosts[i].fd, buf, BUFSZ, MSG_DONTWAIT);
				if (len == -1 && errno == ENOBUFS) {
					printf("overflow %llu %d\n", now_us(), i);
					if (dump(i, buf) == -1)
						return 1;
					continue;
				}
				if (len <= 0)
					break;
				handle(i, buf, len, 0);
			}
			check(i);
		}
		if (usr1) {
			usr1 = 0;
			print_counts();
		}
		t = now_us();
		if (total != last_total && t - last >= 1000000) {
			printf("progress %llu %d %ld\n", t, ndone, total);
			last = t;
			last_total = total;
		}
	}
	printf("exit %llu %d\n", now_us(), ndone);
	return 0;
}

/* ------------------------------------------------------------------ ctl */

struct ent {
	char			*label, *proto;
	int			 fd, done, first, gone, waiting;
	long			 count, routes, want;
	unsigned long long	 next;		/* when to ask again */
	char			 in[65536];
	size_t			 inlen;
};

/*
 * feed E: take the complete lines in E's buffer; 1 when the reply's final
 * line ("DDDD ") came (E->routes: the first number after "Routes:", -1 when
 * there was none), 0 for more to read.
 */
static int
feed(struct ent *e)
{
	char *line = e->in, *nl, *s;
	int fin = 0;

	while (!fin && (nl = memchr(line, '\n', e->inlen -
	    (size_t)(line - e->in))) != NULL) {
		*nl = '\0';
		if ((s = strstr(line, "Routes:")) != NULL && e->routes < 0)
			e->routes = strtol(s + 7, NULL, 10);
		if (nl - line >= 5 && line[0] >= '0' && line[0] <= '9' &&
		    line[4] == ' ')
			fin = 1;
		line = nl + 1;
	}
	e->inlen -= (size_t)(line - e->in);
	memmove(e->in, line, e->inlen);
	if (e->inlen >= sizeof(e->in) - 1)
		e->inlen = 0;		/* an overlong line: dropped */
	return fin;
}

/* read what E's socket has; 1: the reply is complete, -1: closed or failed */
static int
ctl_read(struct ent *e)
{
	ssize_t r = read(e->fd, e->in + e->inlen, sizeof(e->in) - 1 - e->inlen);

	if (r <= 0)
		return r == -1 && (errno == EAGAIN || errno == EINTR) ? 0 : -1;
	e->inlen += (size_t)r;
	return feed(e);
}

/*
 * Every entry is asked on its own clock (a query, then the next one
 * INTERVAL_MS after it was sent, once its reply is in): a busy daemon that
 * answers late delays only its own line, and each count is stamped when its
 * reply arrives.
 */
static int
ctl_main(int argc, char **argv)
{
	int interval, nent, i, m, ndone_c = 0, rc, timeout;
	long want, sum;
	struct ent *ents;
	struct pollfd *pfd;
	int *idx;
	char cmd[300];
	unsigned long long t, last = 0, soonest;

	if (argc < 5 || (interval = atoi(argv[2])) < 1 ||
	    (want = atol(argv[3])) < 0) {
		fprintf(stderr, "usage: rrwatch ctl INTERVAL_MS WANT "
		    "LABEL=SOCKET=PROTOCOL[=WANT]...\n");
		return 2;
	}
	nent = argc - 4;
	ents = calloc((size_t)nent, sizeof(*ents));
	pfd = calloc((size_t)nent, sizeof(*pfd));
	idx = calloc((size_t)nent, sizeof(*idx));
	if (ents == NULL || pfd == NULL || idx == NULL)
		return 1;
	for (i = 0; i < nent; i++) {
		struct ent *e = &ents[i];
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		char *s1, *s2, *s3;

		if ((s1 = strchr(argv[4 + i], '=')) == NULL ||
		    (s2 = strchr(s1 + 1, '=')) == NULL) {
			fprintf(stderr, "rrwatch: bad entry %s\n", argv[4 + i]);
			return 2;
		}
		*s1 = *s2 = '\0';
		e->want = want;
		if ((s3 = strchr(s2 + 1, '=')) != NULL) {
			*s3 = '\0';
			e->want = atol(s3 + 1);
		}
		e->label = argv[4 + i];
		e->proto = s2 + 1;
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", s1 + 1);
		if ((e->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
		    connect(e->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
			fprintf(stderr, "rrwatch: %s: %s\n", s1 + 1,
			    strerror(errno));
			return 1;
		}
		fcntl(e->fd, F_SETFL, O_NONBLOCK);
		e->waiting = 1;		/* the greeting */
		e->routes = -1;
	}
	printf("ready %llu\n", now_us());
	while (!stop && ndone_c < nent) {
		t = now_us();
		soonest = t + 1000000;
		m = 0;
		for (i = 0; i < nent; i++) {
			struct ent *e = &ents[i];

			if (e->done || e->gone)
				continue;
			if (!e->waiting && t >= e->next) {
				snprintf(cmd, sizeof(cmd),
				    "show protocols all %s\n", e->proto);
				if (write(e->fd, cmd, strlen(cmd)) !=
				    (ssize_t)strlen(cmd)) {
					printf("gone %llu %s\n", t, e->label);
					e->gone = 1;
					ndone_c++;
					continue;
				}
				e->waiting = 2;
				e->routes = -1;
				e->next = t + (unsigned long long)interval * 1000;
			}
			if (e->waiting) {
				pfd[m].fd = e->fd;
				pfd[m].events = POLLIN;
				idx[m++] = i;
			} else if (e->next < soonest)
				soonest = e->next;
		}
		timeout = soonest > t ? (int)((soonest - t) / 1000) + 1 : 0;
		if (poll(pfd, (nfds_t)m, timeout) < 0 && errno != EINTR)
			break;
		for (int k = 0; k < m; k++) {
			struct ent *e = &ents[idx[k]];

			if (!(pfd[k].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if ((rc = ctl_read(e)) == 0)
				continue;
			t = now_us();
			if (rc < 0) {
				printf("gone %llu %s\n", t, e->label);
				e->gone = 1;
				ndone_c++;
				continue;
			}
			if (e->waiting == 1) {	/* the greeting: ask now */
				e->waiting = 0;
				continue;
			}
			e->waiting = 0;
			e->count = e->routes < 0 ? 0 : e->routes;
			if (e->count > 0 && !e->first) {
				e->first = 1;
				printf("first %llu %s %ld\n", t, e->label,
				    e->count);
			}
			if (e->want > 0 ? e->count >= e->want : e->count == 0) {
				e->done = 1;
				ndone_c++;
				printf("done %llu %s %ld\n", t, e->label,
				    e->count);
			}
		}
		t = now_us();
		if (t - last >= 1000000) {
			for (i = 0, sum = 0, m = 0; i < nent; i++) {
				sum += ents[i].count;
				m += ents[i].done;
			}
			printf("progress %llu %d %ld\n", t, m, sum);
			last = t;
		}
	}
	for (i = 0; i < nent; i++)
		if (ents[i].gone)
			return 1;
	if (ndone_c == nent)
		printf("all %llu\n", now_us());
	return 0;
}

int
main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };

	setvbuf(stdout, NULL, _IOLBF, 0);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (argc >= 2 && strcmp(argv[1], "fib") == 0)
		return fib_main(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "ctl") == 0)
		return ctl_main(argc, argv);
	fprintf(stderr, "usage: rrwatch fib PREFIX N [XOWNER [DEAD]]\n"
	    "       rrwatch ctl INTERVAL_MS WANT LABEL=SOCKET=PROTOCOL...\n");
	return 2;
}
