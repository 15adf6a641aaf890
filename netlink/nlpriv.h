/*
 * nlpriv.h: struct nl and the calls between nl.c (sockets, batch queue,
 * acks), fib.c (route and nexthop requests, dumps) and monitor.c (the
 * event socket). Internal to netlink/: nothing outside includes it.
 */
#ifndef TERN_NLPRIV_H
#define TERN_NLPRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

#include "netlink.h"

struct event;
struct mmsghdr;
struct iovec;

/* Reply buffer for dumps and single requests: the kernel's dump skbs are
 * at most 32 KiB. */
#define NL_RBUF_SIZE	(64 * 1024)

/*
 * Owned by whoever called nl_new(); every pointer below is allocated in
 * nl_new() and freed in nl_free().
 */
struct nl {
	struct event_base	*base;
	const struct nl_ops	*ops;
	void			*arg;
	uint8_t			 protocol;
	uint32_t		 table;
	bool			 nhobj;		/* kernel has nexthop objects */
	bool			 busy;		/* in a done/dump callback */

	/* request socket */
	struct mnl_socket	*req;
	uint32_t		 portid;
	uint32_t		 seq;		/* next sequence number */
	uint8_t			*rbuf;		/* NL_RBUF_SIZE */

	/* the queue: one batch being filled (qlimit bytes at most) */
	uint8_t			*qbuf;
	size_t			 qlimit;
	struct mnl_nlmsg_batch	*batch;
	uint64_t		*cookies;	/* maxq */
	uint8_t			*acked;		/* maxq */
	size_t			 nq, maxq;
	uint32_t		 first_seq;	/* seq of cookies[0] */

	/* ack reception: recvmmsg slots */
	struct mmsghdr		*mmsg;
	struct iovec		*iov;
	uint8_t			*slots;

	/* monitor socket */
	struct mnl_socket	*mon;
	struct event		*mon_ev;
	uint8_t			*mbuf;		/* NL_RBUF_SIZE */
};

/* nl.c */
uint32_t nl_next_seq(struct nl *);
int	nl_enqueue_route(struct nl *, uint16_t type, uint16_t flags,
	    const struct nl_route *, uint64_t cookie);
int	nl_req_run(struct nl *, struct nlmsghdr *,
	    void (*cb)(struct nl *, const struct nlmsghdr *, void *), void *);

/* fib.c */
bool	nl_probe_nhobj(struct nl *);

/* monitor.c */
int	nl_mon_open(struct nl *);
void	nl_mon_close(struct nl *);

#endif
