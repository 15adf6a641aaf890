/*
 * meshwatch PREFIX N: watch the IPv4 FIBs of the namespaces PREFIXh1..PREFIXhN
 * (/run/netns) through one rtnetlink socket each, and timestamp (wall clock, µs,
 * comparable with bash's $EPOCHREALTIME) when each holds its complete set: the
 * blackhole 10.244.I.0/26 for itself and 10.244.J.0/26 via 198.18.0.J for every
 * other J, proto 12 ("bird"), main table. Other routes are ignored (the script
 * checks the whole table with dumps). One line each:
 *   ready US NCOMPLETE     subscribed and dumped
 *   host US I              hI's set became complete   (lost US I: incomplete again)
 *   all US                 every host complete        (notall US: not any more)
 *   progress US NCOMPLETE ROUTES    each second while something changes
 *   overflow US I          hI's socket overflowed; its state rebuilt from a dump
 * A route deleted with its nexthop object (no per-route notification) is handled
 * through RTM_DELNEXTHOP. Exits on SIGTERM/SIGINT.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUFSZ	(256 * 1024)

static int	 n, *fds, *cnt, *done, ndone;
static long	 total;
static uint8_t	*ok;		/* ok[i * (n + 1) + j]: hI holds hJ's route */
static uint32_t	*nh;		/* its nexthop object, 0 = none */
static volatile sig_atomic_t stop;

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
	(void)sig;
	stop = 1;
}

static void
set_slot(int i, int j, int good, uint32_t id)
{
	size_t k = (size_t)i * (n + 1) + j;

	nh[k] = good ? id : 0;
	if (ok[k] == good)
		return;
	ok[k] = good;
	cnt[i] += good ? 1 : -1;
	total += good ? 1 : -1;
}

/* check I: report hI's transitions (complete or not any more). */
static void
check(int i)
{
	int full = cnt[i] == n;

	if (full == done[i])
		return;
	done[i] = full;
	printf("%s %llu %d\n", full ? "host" : "lost", now_us(), i);
	if (full && ++ndone == n)
		printf("all %llu\n", now_us());
	else if (!full && ndone-- == n)
		printf("notall %llu\n", now_us());
}

static void
route_msg(int i, struct nlmsghdr *h)
{
	struct rtmsg *rtm = NLMSG_DATA(h);
	struct rtattr *a;
	int len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*rtm));
	uint32_t table, dst = 0, gw = 0, id = 0;
	int has_dst = 0, has_gw = 0, j, good;

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
			has_gw = 1;
		} else if (a->rta_type == RTA_TABLE && RTA_PAYLOAD(a) == 4)
			memcpy(&table, RTA_DATA(a), 4);
		else if (a->rta_type == RTA_NH_ID && RTA_PAYLOAD(a) == 4)
			memcpy(&id, RTA_DATA(a), 4);
	}
	dst = ntohl(dst);
	if (!has_dst || table != RT_TABLE_MAIN || (dst >> 16) != (10 << 8 | 244) ||
	    (dst & 0xff) != 0)
		return;
	j = (int)(dst >> 8 & 0xff);
	if (j < 1 || j > n)
		return;
	if (h->nlmsg_type == RTM_DELROUTE)
		good = 0;
	else if (j == i)
		good = rtm->rtm_type == RTN_BLACKHOLE;
	else	/* without RTA_GATEWAY (nexthop_compat_mode 0): any object */
		good = rtm->rtm_type == RTN_UNICAST && (has_gw ?
		    ntohl(gw) == (198u << 24 | 18u << 16 | (uint32_t)j) : id != 0);
	set_slot(i, j, good, id);
}

static void
nexthop_msg(int i, struct nlmsghdr *h)
{
	struct nhmsg *nhm = NLMSG_DATA(h);
	struct rtattr *a;
	int len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*nhm));
	uint32_t id = 0;

	if (h->nlmsg_type != RTM_DELNEXTHOP || len < 0)
		return;
	for (a = (struct rtattr *)((char *)nhm + NLMSG_ALIGN(sizeof(*nhm)));
	    RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == NHA_ID && RTA_PAYLOAD(a) == 4)
			memcpy(&id, RTA_DATA(a), 4);
	for (int j = 1; id != 0 && j <= n; j++)
		if (nh[(size_t)i * (n + 1) + j] == id)
			set_slot(i, j, 0, 0);
}

/* Handle the messages in buf[0..len) from hI's socket; 1 at NLMSG_DONE. */
static int
handle(int i, char *buf, ssize_t len)
{
	struct nlmsghdr *h;
	int fin = 0;

	for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)len);
	    h = NLMSG_NEXT(h, len))
		switch (h->nlmsg_type) {
		case RTM_NEWROUTE:
		case RTM_DELROUTE:
			route_msg(i, h);
			break;
		case RTM_DELNEXTHOP:
			nexthop_msg(i, h);
			break;
		case NLMSG_DONE:
		case NLMSG_ERROR:
			fin = 1;
			break;
		}
	return fin;
}

/* dump I: rebuild hI's state from a dump (on its subscribed socket). */
static int
dump(int i, char *buf)
{
	struct {
		struct nlmsghdr	nh;
		struct rtmsg	rt;
	} req = {
		.nh = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETROUTE,
		    .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
		.rt = { .rtm_family = AF_INET },
	};
	ssize_t len;

	for (int j = 1; j <= n; j++)
		set_slot(i, j, 0, 0);
	if (send(fds[i], &req, sizeof(req), 0) == -1) {
		perror("meshwatch: dump");
		return -1;
	}
	for (;;) {
		len = recv(fds[i], buf, BUFSZ, 0);
		if (len == -1 && (errno == EINTR || errno == ENOBUFS))
			continue;	/* ENOBUFS: lost events, the dump follows */
		if (len <= 0) {
			perror("meshwatch: dump recv");
			return -1;
		}
		if (handle(i, buf, len))
			return 0;
	}
}

int
main(int argc, char **argv)
{
	unsigned groups[] = { RTNLGRP_IPV4_ROUTE, RTNLGRP_NEXTHOP };
	struct epoll_event ev, evs[64];
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char path[256], *buf;
	int self, ns, ep, rcv = 16 * 1024 * 1024, i, k, m;
	long last_total = -1;
	unsigned long long last = 0, t;
	ssize_t len;

	if (argc != 3 || (n = atoi(argv[2])) < 1 || n > 254) {
		fprintf(stderr, "usage: meshwatch PREFIX N (1..254)\n");
		return 2;
	}
	fds = calloc(n + 1, sizeof(*fds));
	cnt = calloc(n + 1, sizeof(*cnt));
	done = calloc(n + 1, sizeof(*done));
	ok = calloc((size_t)(n + 1) * (n + 1), 1);
	nh = calloc((size_t)(n + 1) * (n + 1), sizeof(*nh));
	buf = malloc(BUFSZ);
	if (!fds || !cnt || !done || !ok || !nh || !buf)
		return 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if ((self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) == -1 ||
	    (ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		perror("meshwatch");
		return 1;
	}
	/* a socket belongs to the namespace it was created in */
	for (i = 1; i <= n; i++) {
		snprintf(path, sizeof(path), "/run/netns/%sh%d", argv[1], i);
		if ((ns = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
		    setns(ns, CLONE_NEWNET) == -1) {
			fprintf(stderr, "meshwatch: %s: %s\n", path, strerror(errno));
			return 1;
		}
		close(ns);
		fds[i] = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
		if (fds[i] == -1 ||
		    bind(fds[i], (struct sockaddr *)&sa, sizeof(sa)) == -1) {
			perror("meshwatch: socket");
			return 1;
		}
		if (setsockopt(fds[i], SOL_SOCKET, SO_RCVBUFFORCE, &rcv,
		    sizeof(rcv)) == -1)
			(void)setsockopt(fds[i], SOL_SOCKET, SO_RCVBUF, &rcv,
			    sizeof(rcv));
		for (k = 0; k < 2; k++)
			if (setsockopt(fds[i], SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
			    &groups[k], sizeof(groups[k])) == -1) {
				perror("meshwatch: membership");
				return 1;
			}
		ev.events = EPOLLIN;
		ev.data.u32 = (uint32_t)i;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev) == -1) {
			perror("meshwatch: epoll_ctl");
			return 1;
		}
	}
	if (setns(self, CLONE_NEWNET) == -1)
		perror("meshwatch: setns back");
	for (i = 1; i <= n; i++) {
		if (dump(i, buf) == -1)
			return 1;
		check(i);
	}
	printf("ready %llu %d\n", now_us(), ndone);
	while (!stop) {
		m = epoll_wait(ep, evs, 64, 1000);
		if (m == -1 && errno != EINTR)
			break;
		for (k = 0; k < m; k++) {
			i = (int)evs[k].data.u32;
			for (;;) {	/* drain */
				len = recv(fds[i], buf, BUFSZ, MSG_DONTWAIT);
				if (len == -1 && errno == ENOBUFS) {
					printf("overflow %llu %d\n", now_us(), i);
					if (dump(i, buf) == -1)
						return 1;
					continue;
				}
				if (len <= 0)
					break;
				handle(i, buf, len);
			}
			check(i);
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
