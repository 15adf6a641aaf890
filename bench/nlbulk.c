/*
 * nlbulk.c: a minimal batched netlink writer, the kernel's own insert time in
 * a chosen order. Built and run by bench/fib_bulk.sh (not part of the meson
 * build); build/netlink/nltest bench is the reference (consecutive order).
 *
 *   nlbulk FIRST N GW DEV sorted|shuffled
 *
 * Creates nexthop object 4242 via GW dev DEV, inserts the N /32 routes from
 * FIRST up (protocol 12, main table, create|replace, each acknowledged)
 * through it in consecutive or shuffled order (a fixed seed), then deletes
 * the object, which takes every route along. Requests go 1024 to a sendmsg,
 * and each batch's acknowledgements are read before the next batch. Prints
 *
 *   nlbulk: ORDER insert N routes MS ms; nexthop delete MS ms
 *
 * Shuffled order is what a BGP receiver sees (BIRD exports in hash order):
 * the kernel's trie is then built in scattered memory, which makes both the
 * inserts and, above all, the flush on the object's deletion slower.
 * Exit status 0 when every request succeeded.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NHID	4242
#define BATCH	1024
#define MSGMAX	64

static int	fd;
static uint32_t	seq;
static size_t	failed;

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
attr(struct nlmsghdr *h, unsigned short type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));

	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(a->rta_len);
}

/* Read acknowledgements until `want` have come; count the errors. */
static int
acks(size_t want)
{
	static char buf[1 << 20];
	struct nlmsghdr *h;
	ssize_t n;

	while (want > 0) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			perror("nlbulk: recv");
			return -1;
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		    h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			if (((struct nlmsgerr *)NLMSG_DATA(h))->error != 0 &&
			    failed++ == 0)
				fprintf(stderr, "nlbulk: request %u: %s\n",
				    h->nlmsg_seq, strerror(-((struct nlmsgerr *)
				    NLMSG_DATA(h))->error));
			want--;
		}
	}
	return 0;
}

static int
one(struct nlmsghdr *h)
{
	if (send(fd, h, h->nlmsg_len, 0) == -1) {
		perror("nlbulk: send");
		return -1;
	}
	return acks(1);
}

static int
nexthop(int add, uint32_t gw, uint32_t oif)
{
	union {
		struct nlmsghdr	h;
		char		b[256];
	} m;
	struct nhmsg *nh;
	uint32_t id = NHID;

	memset(&m, 0, sizeof(m));
	m.h.nlmsg_len = NLMSG_LENGTH(sizeof(*nh));
	m.h.nlmsg_type = add ? RTM_NEWNEXTHOP : RTM_DELNEXTHOP;
	m.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK |
	    (add ? NLM_F_CREATE | NLM_F_REPLACE : 0);
	m.h.nlmsg_seq = ++seq;
	nh = NLMSG_DATA(&m.h);
	attr(&m.h, NHA_ID, &id, 4);
	if (add) {
		nh->nh_family = AF_INET;
		nh->nh_protocol = 12;
		attr(&m.h, NHA_GATEWAY, &gw, 4);
		attr(&m.h, NHA_OIF, &oif, 4);
	}
	return one(&m.h);
}

int
main(int argc, char **argv)
{
	static char buf[BATCH * MSGMAX];
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct in_addr first, gw;
	uint32_t n, oif, *order, x = 2463534242u, nhid = NHID, table = 254;
	int rcv = 16 << 20, shuffled;
	double t0, t_ins, t_del;
	char *slash;

	if (argc != 6 || (slash = strchr(argv[1], '/')) == NULL) {
		fprintf(stderr, "usage: nlbulk FIRST N GW DEV sorted|shuffled\n");
		return 2;
	}
	*slash = '\0';
	n = (uint32_t)strtoul(argv[2], NULL, 10);
	shuffled = strcmp(argv[5], "shuffled") == 0;
	if (inet_pton(AF_INET, argv[1], &first) != 1 ||
	    inet_pton(AF_INET, argv[3], &gw) != 1 || n == 0 ||
	    (oif = if_nametoindex(argv[4])) == 0 ||
	    (!shuffled && strcmp(argv[5], "sorted") != 0)) {
		fprintf(stderr, "nlbulk: bad arguments\n");
		return 2;
	}
	if ((order = malloc((size_t)n * sizeof(*order))) == NULL)
		return 1;
	for (uint32_t i = 0; i < n; i++)
		order[i] = ntohl(first.s_addr) + i;
	for (uint32_t i = n - 1; shuffled && i > 0; i--) {	/* Fisher-Yates */
		uint32_t j, t;

		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		j = x % (i + 1);
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd == -1 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		perror("nlbulk: socket");
		return 1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	if (nexthop(1, gw.s_addr, oif) == -1 || failed)
		return 1;

	t0 = now_ms();
	for (uint32_t i = 0; i < n; i += BATCH) {
		size_t len = 0, k = 0;

		for (uint32_t j = i; j < n && j < i + BATCH; j++, k++) {
			struct nlmsghdr *h = (struct nlmsghdr *)(buf + len);
			struct rtmsg *rt;
			uint32_t dst = htonl(order[j]);

			memset(h, 0, MSGMAX);
			h->nlmsg_len = NLMSG_LENGTH(sizeof(*rt));
			h->nlmsg_type = RTM_NEWROUTE;
			h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK |
			    NLM_F_CREATE | NLM_F_REPLACE;
			h->nlmsg_seq = ++seq;
			rt = NLMSG_DATA(h);
			rt->rtm_family = AF_INET;
			rt->rtm_dst_len = 32;
			rt->rtm_table = RT_TABLE_MAIN;
			rt->rtm_protocol = 12;
			rt->rtm_scope = RT_SCOPE_UNIVERSE;
			rt->rtm_type = RTN_UNICAST;
			attr(h, RTA_DST, &dst, 4);
			attr(h, RTA_TABLE, &table, 4);
			attr(h, RTA_NH_ID, &nhid, 4);
			len += NLMSG_ALIGN(h->nlmsg_len);
		}
		if (send(fd, buf, len, 0) == -1) {
			perror("nlbulk: send");
			return 1;
		}
		if (acks(k) == -1)
			return 1;
	}
	t_ins = now_ms() - t0;
	t0 = now_ms();
	if (nexthop(0, 0, 0) == -1)
		return 1;
	t_del = now_ms() - t0;
	printf("nlbulk: %s insert %u routes %.1f ms; nexthop delete %.1f ms\n",
	    argv[5], n, t_ins, t_del);
	if (failed)
		fprintf(stderr, "nlbulk: %zu requests failed\n", failed);
	return failed ? 1 : 0;
}
