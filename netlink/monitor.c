/*
 * monitor.c: the event socket (RTMGRP_LINK, RTMGRP_IPV4_ROUTE,
 * RTMGRP_IPV6_ROUTE and RTNLGRP_NEXTHOP), non-blocking, read from the
 * event loop.
 *
 * It owns that socket, its event and its buffer. It reports route and
 * nexthop events of our protocol (and table) made by anyone but us
 * (ops->route_changed, ops->nexthop_changed), route events of other
 * protocols in our table or the main table, never the local table
 * (ops->other_route_changed), and turns a receive overflow (ENOBUFS) into
 * ops->resync_needed. A classic BPF filter drops, in the kernel, the
 * echoes of our own requests (their nlmsg_pid is our request socket's
 * port id), other protocols' nexthop events, and other protocols' route
 * events in tables other than ours and main (by rtm_table: a table of
 * 256 or more is RT_TABLE_COMPAT there, and is told apart here), so
 * installing a million routes does not flood, and overflow, this socket.
 * The same checks are repeated here for kernels without it. It never
 * sends anything.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#include <event2/event.h>
#include <linux/filter.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>

#include "log.h"
#include "nlmsg.h"
#include "nlpriv.h"
#include "xmalloc.h"

#define NL_MON_RCVBUF	(8 * 1024 * 1024)
#define NL_MON_BURST	256	/* datagrams per wakeup */

/* byte offsets into an event: nlmsghdr, then rtmsg or nhmsg */
#define OFF_TYPE	offsetof(struct nlmsghdr, nlmsg_type)
#define OFF_PID		offsetof(struct nlmsghdr, nlmsg_pid)
#define OFF_RTM_PROTO	(NLMSG_HDRLEN + offsetof(struct rtmsg, rtm_protocol))
#define OFF_NHM_PROTO	(NLMSG_HDRLEN + offsetof(struct nhmsg, nh_protocol))

#define JEQ(k, t, f)	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))

#define OFF_RTM_TABLE	(NLMSG_HDRLEN + offsetof(struct rtmsg, rtm_table))

/*
 * Keep an event unless it is our own echo, another protocol's nexthop, or
 * another protocol's route outside our table and main. Word and half-word
 * loads are big-endian, hence htonl/htons. Jumps count the instructions
 * skipped: the labels on the right are where they land.
 */
static int
mon_filter(struct nl *nl)
{
	uint8_t tbl = nl->table < 256 ? (uint8_t)nl->table : RT_TABLE_COMPAT;
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, OFF_PID),	/* 0 */
		JEQ(htonl(nl->portid), 14, 0),			/* -> drop */
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, OFF_TYPE),
		JEQ(htons(RTM_NEWROUTE), 4, 0),			/* -> route */
		JEQ(htons(RTM_DELROUTE), 3, 0),			/* -> route */
		JEQ(htons(RTM_NEWNEXTHOP), 7, 0),		/* -> nh */
		JEQ(htons(RTM_DELNEXTHOP), 6, 0),		/* -> nh */
		BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
		/* 8, route: ours, or in our table or main */
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, OFF_RTM_PROTO),
		JEQ(nl->protocol, 5, 0),			/* -> keep */
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, OFF_RTM_TABLE),
		JEQ(RT_TABLE_MAIN, 3, 0),			/* -> keep */
		JEQ(tbl, 2, 3),					/* keep, drop */
		/* 13, nexthop: ours */
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, OFF_NHM_PROTO),
		JEQ(nl->protocol, 0, 1),			/* keep, drop */
		BPF_STMT(BPF_RET | BPF_K, 0xffffffff),		/* 15 keep */
		BPF_STMT(BPF_RET | BPF_K, 0),			/* 16 drop */
	};
	struct sock_fprog prog = { .len = NITEMS(code), .filter = code };

	return setsockopt(mnl_socket_get_fd(nl->mon), SOL_SOCKET,
	    SO_ATTACH_FILTER, &prog, sizeof(prog));
}

static void
mon_route(struct nl *nl, const struct nlmsghdr *nlh)
{
	bool deleted = nlh->nlmsg_type == RTM_DELROUTE;
	struct nl_route rt;

	switch (nl_route_parse_any(nlh, &rt)) {
	case NL_OURS:
		break;
	case NL_BAD:
		log_warnx("netlink: malformed route event skipped");
		return;
	case NL_FOREIGN:
		return;
	}
	if (nl_route_is_ours(&rt, nl->protocol, nl->table)) {
		if (nl->ops->route_changed != NULL)
			nl->ops->route_changed(nl->arg, &rt, deleted);
	} else if (nl_route_is_other(&rt, nl->protocol, nl->table)) {
		if (nl->ops->other_route_changed != NULL)
			nl->ops->other_route_changed(nl->arg, &rt, deleted);
	}
}

static void
mon_link(struct nl *nl, const struct nlmsghdr *nlh)
{
	uint32_t ifindex;
	bool up;

	if (nl_link_parse(nlh, &ifindex, &up) == -1) {
		log_warnx("netlink: malformed link event skipped");
		return;
	}
	if (nl->ops->link_changed != NULL)
		nl->ops->link_changed(nl->arg, ifindex, up);
}

static void
mon_nexthop(struct nl *nl, const struct nlmsghdr *nlh)
{
	struct nl_nexthop nh;

	switch (nl_nh_parse(nlh, nl->protocol, &nh)) {
	case NL_OURS:
		if (nl->ops->nexthop_changed != NULL)
			nl->ops->nexthop_changed(nl->arg, nh.id,
			    nlh->nlmsg_type == RTM_DELNEXTHOP);
		break;
	case NL_BAD:
		log_warnx("netlink: malformed nexthop event skipped");
		break;
	case NL_FOREIGN:
		break;
	}
}

/* Events carry no seq/portid of ours to check (rtnl-route-event.c). */
static void
mon_datagram(struct nl *nl, int n)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)nl->mbuf;

	for (; nl_nlmsg_ok(nlh, n); nlh = mnl_nlmsg_next(nlh, &n)) {
		if (nlh->nlmsg_pid == nl->portid)
			continue;	/* our own request's echo */
		switch (nlh->nlmsg_type) {
		case RTM_NEWROUTE:
		case RTM_DELROUTE:
			mon_route(nl, nlh);
			break;
		case RTM_NEWNEXTHOP:
		case RTM_DELNEXTHOP:
			mon_nexthop(nl, nlh);
			break;
		case RTM_NEWLINK:
		case RTM_DELLINK:
			mon_link(nl, nlh);
			break;
		default:
			break;
		}
	}
}

static void
mon_resync(struct nl *nl, const char *why)
{
	log_warnx("netlink: monitor: %s, resync", why);
	if (nl->ops->resync_needed != NULL)
		nl->ops->resync_needed(nl->arg);
}

static void
mon_read(evutil_socket_t fd, short what, void *arg)
{
	struct nl *nl = arg;
	ssize_t n;

	(void)what;
	for (int i = 0; i < NL_MON_BURST; i++) {
		n = recv(fd, nl->mbuf, NL_RBUF_SIZE, MSG_DONTWAIT | MSG_TRUNC);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == ENOBUFS) {
			mon_resync(nl, "events lost (ENOBUFS)");
			continue;
		}
		if (n == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_warn("netlink: monitor");
			return;
		}
		if (n > NL_RBUF_SIZE) {
			mon_resync(nl, "event truncated");
			continue;
		}
		mon_datagram(nl, (int)n);
	}
}

int
nl_mon_open(struct nl *nl)
{
	unsigned grp = RTNLGRP_NEXTHOP;
	int fd;

	nl->mon = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (nl->mon == NULL ||
	    mnl_socket_bind(nl->mon, RTMGRP_LINK | RTMGRP_IPV4_ROUTE |
	    RTMGRP_IPV6_ROUTE,
	    MNL_SOCKET_AUTOPID) == -1) {
		log_warn("netlink: monitor socket");
		return -1;
	}
	fd = mnl_socket_get_fd(nl->mon);
	/* kernels without nexthop objects have no such group */
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp,
	    sizeof(grp));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &(int){NL_MON_RCVBUF},
	    sizeof(int)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF,
		    &(int){NL_MON_RCVBUF}, sizeof(int));
	if (mon_filter(nl) == -1)
		log_warn("netlink: monitor filter (events filtered in "
		    "user space)");
	nl->mbuf = xmalloc(NL_RBUF_SIZE);
	nl->mon_ev = event_new(nl->base, fd, EV_READ | EV_PERSIST, mon_read,
	    nl);
	if (nl->mon_ev == NULL || event_add(nl->mon_ev, NULL) == -1) {
		log_warnx("netlink: monitor event");
		return -1;
	}
	return 0;
}

void
nl_mon_close(struct nl *nl)
{
	if (nl->mon_ev != NULL)
		event_free(nl->mon_ev);
	nl->mon_ev = NULL;
	if (nl->mon != NULL)
		mnl_socket_close(nl->mon);
	nl->mon = NULL;
	free(nl->mbuf);
	nl->mbuf = NULL;
}
