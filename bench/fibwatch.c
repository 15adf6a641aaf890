/*
 * fibwatch.c: watch a namespace's IPv4 FIB through rtnetlink notifications
 * and timestamp when a range of /32 routes fills up and empties again.
 * Built and run by bench/fib_bulk.sh (not part of the meson build).
 *
 *   fibwatch RANGE PROTO N [SAMPLE_BITS [PROGRESS_MS]]
 *
 * Counts the /32 routes inside RANGE (e.g. 10.128.0.0/12) in the main table
 * with protocol PROTO (12 = "bird"). Prints, one line each, with wall-clock
 * timestamps in microseconds (comparable with bash's $EPOCHREALTIME):
 *
 *   ready US COUNT        subscribed, initial dump done, COUNT routes present
 *   first US              the count left 0 (the first route appeared)
 *   full US COUNT         the count reached N
 *   empty US EVUS         the count went back to 0 (after being > 0): EVUS
 *                         when the last event came, US when a request that
 *                         takes the RTNL lock after it was answered (see
 *                         rtnl_barrier(): a nexthop object's routes are
 *                         flushed after its deletion is announced)
 *   progress US COUNT     every PROGRESS_MS (1000) while the count changes
 *   overflow US           the receive buffer overflowed (ENOBUFS): events
 *                         were lost; the state is rebuilt from a dump, and
 *                         the timestamps that follow are less exact
 *
 * SAMPLE_BITS (0..8, default 0) watches only the prefixes whose offset from
 * the range's base is a multiple of 2^SAMPLE_BITS (N then counts the sample:
 * "full" comes at ceil(N / 2^SAMPLE_BITS)), dropping the other notifications
 * in the kernel with a socket filter (see sample_filter()). The first and
 * last routes are then seen to within about 2^SAMPLE_BITS routes.
 *
 * Routes removed by deleting their nexthop object get no per-route
 * notification from the kernel: an RTM_DELNEXTHOP removes every counted
 * route that used that object id. A route present twice (replace) counts
 * once. The watcher exits on SIGTERM/SIGINT.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define RCVBUF		(1024 * 1024 * 1024)	/* SO_RCVBUFFORCE, root only */
#define BUFSZ		(1024 * 1024)

static uint32_t	 base, size;		/* the range: base, 2^(32 - len) */
static uint8_t	 proto;
static uint64_t	 want;
static uint8_t	*present;
static uint32_t	*nhid;			/* per slot: RTA_NH_ID, 0 = none */
static uint64_t	 count;
static uint32_t	 smask;			/* sample: (dst - base) & smask == 0 */
static int	 was_nonzero;
static int	 quiet;			/* resync: count only, no transitions */
static volatile sig_atomic_t stop;

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/*
 * The kernel announces RTM_DELNEXTHOP before it flushes the routes using the
 * object (remove_nexthop(): notify, then __remove_nexthop() -> fib_flush()),
 * all under the RTNL lock: a million routes take it a while. A request that
 * takes the same lock is answered only after the flush: delete a route from a
 * table that does not exist (-ESRCH, no side effect) and return the time of
 * the answer.
 */
static uint64_t
rtnl_barrier(void)
{
	struct {
		struct nlmsghdr	nh;
		struct rtmsg	rt;
		struct rtattr	ta;
		uint32_t	table;
	} req = {
		.nh = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_DELROUTE,
		    .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK, .nlmsg_seq = 2 },
		.rt = { .rtm_family = AF_INET, .rtm_table = RT_TABLE_UNSPEC,
		    .rtm_scope = RT_SCOPE_NOWHERE },
		.ta = { .rta_len = RTA_LENGTH(4), .rta_type = RTA_TABLE },
		.table = 0x7ffffff0,	/* no such table */
	};
	char ack[512];
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd == -1 || send(fd, &req, sizeof(req), 0) == -1 ||
	    recv(fd, ack, sizeof(ack), 0) == -1)
		perror("fibwatch: barrier");
	if (fd != -1)
		close(fd);
	return now_us();
}

static void
set_count(uint64_t n)
{
	uint64_t old = count;

	count = n;
	if (quiet)
		return;
	if (old == 0 && n > 0) {
		was_nonzero = 1;
		printf("first %llu\n", (unsigned long long)now_us());
	}
	if (old < want && n >= want)
		printf("full %llu %llu\n", (unsigned long long)now_us(),
		    (unsigned long long)n);
	if (old > 0 && n == 0 && was_nonzero) {
		uint64_t ev = now_us();

		printf("empty %llu %llu\n", (unsigned long long)rtnl_barrier(),
		    (unsigned long long)ev);
	}
}

static void
route_msg(struct nlmsghdr *h)
{
	struct rtmsg *rtm = NLMSG_DATA(h);
	struct rtattr *a;
	int len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*rtm));
	uint32_t table, dst = 0, nh = 0, slot;
	int has_dst = 0;

	if (len < 0 || rtm->rtm_family != AF_INET || rtm->rtm_dst_len != 32 ||
	    rtm->rtm_protocol != proto)
		return;
	table = rtm->rtm_table;
	for (a = RTM_RTA(rtm); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == RTA_DST && RTA_PAYLOAD(a) == 4) {
			memcpy(&dst, RTA_DATA(a), 4);
			has_dst = 1;
		} else if (a->rta_type == RTA_TABLE && RTA_PAYLOAD(a) == 4)
			memcpy(&table, RTA_DATA(a), 4);
		else if (a->rta_type == RTA_NH_ID && RTA_PAYLOAD(a) == 4)
			memcpy(&nh, RTA_DATA(a), 4);
	}
	if (!has_dst || table != RT_TABLE_MAIN)
		return;
	slot = ntohl(dst) - base;
	if (ntohl(dst) < base || slot >= size || (slot & smask) != 0)
		return;
	if (h->nlmsg_type == RTM_NEWROUTE) {
		nhid[slot] = nh;
		if (!present[slot]) {
			present[slot] = 1;
			set_count(count + 1);
		}
	} else if (present[slot]) {
		present[slot] = 0;
		set_count(count - 1);
	}
}

static void
nexthop_msg(struct nlmsghdr *h)
{
	struct nhmsg *nhm = NLMSG_DATA(h);
	struct rtattr *a;
	int len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*nhm));
	uint32_t id = 0;
	uint64_t gone = 0;

	if (h->nlmsg_type != RTM_DELNEXTHOP || len < 0)
		return;
	for (a = (struct rtattr *)((char *)nhm + NLMSG_ALIGN(sizeof(*nhm)));
	    RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == NHA_ID && RTA_PAYLOAD(a) == 4)
			memcpy(&id, RTA_DATA(a), 4);
	if (id == 0)
		return;
	for (uint32_t i = 0; i < size; i++)
		if (present[i] && nhid[i] == id) {
			present[i] = 0;
			gone++;
		}
	if (gone > 0)
		set_count(count - gone);
}

/* Handle every message in buf[0..n); returns 1 at NLMSG_DONE. */
static int
handle(char *buf, ssize_t n)
{
	struct nlmsghdr *h;
	int done = 0;

	for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
	    h = NLMSG_NEXT(h, n)) {
		switch (h->nlmsg_type) {
		case RTM_NEWROUTE:
		case RTM_DELROUTE:
			route_msg(h);
			break;
		case RTM_NEWNEXTHOP:
		case RTM_DELNEXTHOP:
			nexthop_msg(h);
			break;
		case NLMSG_DONE:
		case NLMSG_ERROR:
			done = 1;
			break;
		}
	}
	return done;
}

/*
 * A socket filter that drops the notifications of routes outside the sample
 * in the kernel, before they are queued: delivering every one of a million
 * notifications to a listener roughly doubles the kernel's insert time on a
 * small machine, a sample of 1/256 costs nothing measurable. The filter only
 * recognises the layout fib_dump_info() produces (nlmsghdr, rtmsg, RTA_TABLE,
 * RTA_DST); anything else passes and is sampled in user space instead.
 * Classic BPF loads are big-endian, netlink is host order (little-endian
 * assumed here; on big-endian hosts every message passes: still correct).
 */
static void
sample_filter(int fd, unsigned bits)
{
	uint8_t m = (uint8_t)((1u << bits) - 1);
	struct sock_filter f[] = {
		/* 0 */ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 4),	/* nlmsg_type */
		/* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, RTM_NEWROUTE << 8, 1, 0),
		/* 2 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, RTM_DELROUTE << 8, 0, 9),
		/* 3 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 17),	/* dst_len */
		/* 4 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 32, 0, 7),
		/* 5 */ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 36),	/* 2nd rta_len */
		/* 6 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 8 << 8, 0, 5),
		/* 7 */ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 38),	/* its type */
		/* 8 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, RTA_DST << 8, 0, 3),
		/* 9 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 43),	/* dst, low */
		/* 10 */ BPF_STMT(BPF_ALU | BPF_AND | BPF_K, m),
		/* 11 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
		/* 12 */ BPF_STMT(BPF_RET | BPF_K, 0xffff),	/* keep */
		/* 13 */ BPF_STMT(BPF_RET | BPF_K, 0),		/* drop */
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	if (bits == 0 || bits > 8)
		return;
	if (htons(1) == 1)	/* big-endian: let everything through */
		return;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
	    sizeof(prog)) == -1)
		perror("fibwatch: SO_ATTACH_FILTER (sampling in user space)");
}

/* Rebuild the state from a dump of the IPv4 routes. */
static int
resync(char *buf)
{
	struct {
		struct nlmsghdr	nh;
		struct rtmsg	rt;
	} req = {
		.nh = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETROUTE,
		    .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
		.rt = { .rtm_family = AF_INET },
	};
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	uint64_t before = count, now;
	ssize_t n;
	int done;

	if (fd == -1 || send(fd, &req, sizeof(req), 0) == -1) {
		perror("fibwatch: dump");
		return -1;
	}
	memset(present, 0, size);
	count = 0;
	for (;;) {
		n = recv(fd, buf, BUFSZ, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			perror("fibwatch: dump recv");
			close(fd);
			return -1;
		}
		/* count silently, then report the transition once */
		quiet = 1;
		done = handle(buf, n);
		quiet = 0;
		if (done)
			break;
	}
	close(fd);
	now = count;
	count = before;
	if (now != before)
		set_count(now);
	return 0;
}

int
main(int argc, char **argv)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	unsigned groups[] = { RTNLGRP_IPV4_ROUTE, RTNLGRP_NEXTHOP };
	char *buf, *slash;
	struct in_addr in;
	int fd, plen, rcv = RCVBUF;
	unsigned sbits = 0;
	uint64_t last_progress = 0, last_count = UINT64_MAX, every = 1000000;
	ssize_t n;

	if (argc < 4 || argc > 6 || (slash = strchr(argv[1], '/')) == NULL) {
		fprintf(stderr, "usage: fibwatch RANGE PROTO N [SAMPLE_BITS "
		    "[PROGRESS_MS]]\n");
		return 2;
	}
	*slash = '\0';
	plen = atoi(slash + 1);
	if (inet_pton(AF_INET, argv[1], &in) != 1 || plen < 8 || plen > 32) {
		fprintf(stderr, "fibwatch: bad range (want A.B.C.D/8..32)\n");
		return 2;
	}
	size = (uint32_t)1 << (32 - plen);
	base = ntohl(in.s_addr) & ~(size - 1);
	proto = (uint8_t)atoi(argv[2]);
	want = strtoull(argv[3], NULL, 10);
	if (argc == 6 && (every = strtoull(argv[5], NULL, 10) * 1000) == 0)
		every = 1000000;
	if (argc >= 5) {
		sbits = (unsigned)atoi(argv[4]);
		if (sbits > 8) {
			fprintf(stderr, "fibwatch: SAMPLE_BITS is 0..8\n");
			return 2;
		}
		smask = (1u << sbits) - 1;
		/* the N routes start at the range's base */
		want = (want + smask) >> sbits;
	}
	present = calloc(size, 1);
	nhid = calloc(size, sizeof(*nhid));
	buf = malloc(BUFSZ);
	if (present == NULL || nhid == NULL || buf == NULL)
		return 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd == -1 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		perror("fibwatch: socket");
		return 1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	sample_filter(fd, sbits);
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
		    &groups[i], sizeof(groups[i])) == -1) {
			perror("fibwatch: membership");
			return 1;
		}
	if (resync(buf) == -1)
		return 1;
	printf("ready %llu %llu\n", (unsigned long long)now_us(),
	    (unsigned long long)count);

	while (!stop) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t t;

		if (poll(&p, 1, (int)(every / 1000)) == -1 && errno != EINTR)
			break;
		t = now_us();
		if (count != last_count && t - last_progress >= every) {
			printf("progress %llu %llu\n", (unsigned long long)t,
			    (unsigned long long)count);
			last_progress = t;
			last_count = count;
		}
		if (!(p.revents & POLLIN))
			continue;
		/* drain: one notification per datagram, no poll in between */
		for (unsigned i = 1; !stop; i++) {
			n = recv(fd, buf, BUFSZ, MSG_DONTWAIT);
			if (n == -1 && errno == ENOBUFS) {
				printf("overflow %llu\n",
				    (unsigned long long)now_us());
				if (resync(buf) == -1)
					return 1;
				continue;
			}
			if (n <= 0)
				break;
			handle(buf, n);
			if (i % 256 == 0 && count != last_count &&
			    (t = now_us()) - last_progress >= every) {
				printf("progress %llu %llu\n",
				    (unsigned long long)t,
				    (unsigned long long)count);
				last_progress = t;
				last_count = count;
			}
		}
	}
	printf("exit %llu %llu\n", (unsigned long long)now_us(),
	    (unsigned long long)count);
	return 0;
}
