/*
 * nl.c: the request socket, the batch queue and ack tracking.
 *
 * It owns struct nl's life (nl_new/nl_free), the request socket and its
 * sequence numbers. Route requests are encoded straight into one batch
 * buffer (mnl_nlmsg_batch); the batch is sent with one sendmsg when it is
 * full, when maxq requests are queued, or on nl_flush(). The kernel handles
 * a whole batch inside that sendmsg and queues one ack per request on our
 * socket before it returns, so the acks are then read without blocking
 * (recvmmsg, many per call) and each request's cookie is reported once
 * through ops->done with 0 or -errno. maxq is derived from the receive
 * buffer so that the acks of one batch always fit: an overrun would lose
 * them. Waits are bounded: acks by NL_ACK_WAIT_MS, replies by SO_RCVTIMEO.
 *
 * It must not know what a route means: fib.c encodes them.
 */
#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/netlink.h>

#include "log.h"
#include "nlmsg.h"
#include "nlpriv.h"
#include "xmalloc.h"

/* One batch: enough to amortise the syscall, small enough to stay in
 * cache and to bound the acks in flight. */
#define NL_BATCH_MAX	(256 * 1024)
/* Smallest request: header, rtmsg, RTA_DST (v4). */
#define NL_MIN_REQ	(16 + 12 + 8)
/* What one queued ack costs in the receive buffer (skb truesize) on
 * 64-bit kernels, rounded up: maxq = rcvbuf / NL_ACK_COST. */
#define NL_ACK_COST	1024
#define NL_REQ_RCVBUF	(8 * 1024 * 1024)
#define NL_ACK_SLOTS	128
#define NL_ACK_SLOTLEN	1024
#define NL_ACK_WAIT_MS	2000
#define NL_REPLY_WAIT_S	10

static const struct nl_ops no_ops;

uint32_t
nl_next_seq(struct nl *nl)
{
	return nl->seq++;
}

static int
sockopt_int(int fd, int level, int opt)
{
	int v = 0;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, level, opt, &v, &len) == -1)
		return 0;
	return v;
}

/* SO_*BUFFORCE (we run with CAP_NET_ADMIN), else the capped plain one. */
static void
sock_buf(int fd, int force, int plain, int size)
{
	if (setsockopt(fd, SOL_SOCKET, force, &size, sizeof(size)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, plain, &size, sizeof(size));
}

static int
req_open(struct nl *nl)
{
	struct timeval tv = { .tv_sec = NL_REPLY_WAIT_S };
	int fd, one = 1;

	if ((nl->req = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC)) == NULL ||
	    mnl_socket_bind(nl->req, 0, MNL_SOCKET_AUTOPID) == -1) {
		log_warn("netlink: request socket");
		return -1;
	}
	nl->portid = mnl_socket_get_portid(nl->req);
	fd = mnl_socket_get_fd(nl->req);
	sock_buf(fd, SO_RCVBUFFORCE, SO_RCVBUF, NL_REQ_RCVBUF);
	sock_buf(fd, SO_SNDBUFFORCE, SO_SNDBUF, NL_BATCH_MAX);
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	/* errors without the request echoed, with the kernel's reason */
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	/* dumps filtered by the kernel (>= 4.20); we filter again anyway */
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one,
	    sizeof(one));
	return 0;
}

/*
 * Size the queue from what the kernel granted: a batch must fit in the
 * send buffer (netlink_sendmsg: len <= sk_sndbuf - 32), its acks in the
 * receive buffer.
 */
static void
queue_init(struct nl *nl)
{
	int fd = mnl_socket_get_fd(nl->req);
	size_t snd = (size_t)sockopt_int(fd, SOL_SOCKET, SO_SNDBUF);
	size_t rcv = (size_t)sockopt_int(fd, SOL_SOCKET, SO_RCVBUF);

	nl->qlimit = snd > 4096 + 1024 ? snd - 1024 : 4096;
	if (nl->qlimit > NL_BATCH_MAX)
		nl->qlimit = NL_BATCH_MAX;
	nl->maxq = nl->qlimit / NL_MIN_REQ;
	if (rcv / NL_ACK_COST < nl->maxq)
		nl->maxq = rcv / NL_ACK_COST > 16 ? rcv / NL_ACK_COST : 16;
	nl->qbuf = xmalloc(nl->qlimit);
	nl->batch = mnl_nlmsg_batch_start(nl->qbuf, nl->qlimit);
	if (nl->batch == NULL)
		fatal("mnl_nlmsg_batch_start");
	nl->cookies = xcalloc(nl->maxq, sizeof(*nl->cookies));
	nl->acked = xcalloc(nl->maxq, 1);
	nl->mmsg = xcalloc(NL_ACK_SLOTS, sizeof(*nl->mmsg));
	nl->iov = xcalloc(NL_ACK_SLOTS, sizeof(*nl->iov));
	nl->slots = xmalloc(NL_ACK_SLOTS * NL_ACK_SLOTLEN);
	for (size_t i = 0; i < NL_ACK_SLOTS; i++) {
		nl->iov[i].iov_base = nl->slots + i * NL_ACK_SLOTLEN;
		nl->iov[i].iov_len = NL_ACK_SLOTLEN;
		nl->mmsg[i].msg_hdr.msg_iov = &nl->iov[i];
		nl->mmsg[i].msg_hdr.msg_iovlen = 1;
	}
	log_dbg(LOG_D_EVENTS, "netlink: batch %zu bytes, %zu requests, "
	    "rcvbuf %zu", nl->qlimit, nl->maxq, rcv);
}

struct nl *
nl_new(struct event_base *base, uint8_t protocol, uint32_t table,
    const struct nl_ops *ops, void *arg)
{
	struct nl *nl = xcalloc(1, sizeof(*nl));

	nl->base = base;
	nl->ops = ops != NULL ? ops : &no_ops;
	nl->arg = arg;
	nl->protocol = protocol;
	nl->table = table;
	nl->seq = (uint32_t)time(NULL);
	nl->rbuf = xmalloc(NL_RBUF_SIZE);
	if (req_open(nl) == -1) {
		nl_free(nl);
		return NULL;
	}
	queue_init(nl);
	if (base != NULL && nl_mon_open(nl) == -1) {
		nl_free(nl);
		return NULL;
	}
	nl->nhobj = nl_probe_nhobj(nl);
	log_info("netlink: protocol %u table %u, nexthop objects %s",
	    protocol, table, nl->nhobj ? "yes" : "no");
	return nl;
}

void
nl_free(struct nl *nl)
{
	if (nl == NULL)
		return;
	nl_mon_close(nl);
	if (nl->req != NULL)
		mnl_socket_close(nl->req);
	if (nl->batch != NULL)
		mnl_nlmsg_batch_stop(nl->batch);
	free(nl->qbuf);
	free(nl->cookies);
	free(nl->acked);
	free(nl->mmsg);
	free(nl->iov);
	free(nl->slots);
	free(nl->rbuf);
	free(nl);
}

bool
nl_nexthop_objects(const struct nl *nl)
{
	return nl->nhobj;
}

size_t
nl_queued(const struct nl *nl)
{
	return nl->nq;
}

/* One ack: mark and report its request. 1 if it was one we wait for. */
static size_t
ack_one(struct nl *nl, const struct nlmsghdr *nlh, size_t n)
{
	const char *why;
	uint32_t idx;
	int err;

	if (nlh->nlmsg_pid != nl->portid || nl_ack_parse(nlh, n, &err) == -1)
		return 0;
	idx = nlh->nlmsg_seq - nl->first_seq;
	if (idx >= nl->nq || nl->acked[idx])
		return 0;
	nl->acked[idx] = 1;
	if (err != 0 && (why = nl_ack_msg(nlh, n)) != NULL)
		log_dbg(LOG_D_ROUTES, "netlink: request %u: %s (%s)",
		    nlh->nlmsg_seq, strerror(-err), why);
	if (nl->ops->done != NULL)
		nl->ops->done(nl->arg, nl->cookies[idx], err);
	return 1;
}

/* One datagram of acks; a truncated one still carries its error code. */
static size_t
ack_datagram(struct nl *nl, const uint8_t *buf, size_t n, bool trunc)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	size_t got = 0;
	int rem = (int)n;

	if (trunc)
		return n >= NL_HDRLEN ? ack_one(nl, nlh, n) : 0;
	for (; nl_nlmsg_ok(nlh, rem); nlh = mnl_nlmsg_next(nlh, &rem))
		got += ack_one(nl, nlh, nlh->nlmsg_len);
	return got;
}

/* Report every request of the batch not acked yet with err. */
static void
fail_unacked(struct nl *nl, int err)
{
	for (size_t i = 0; i < nl->nq; i++) {
		if (nl->acked[i])
			continue;
		nl->acked[i] = 1;
		if (nl->ops->done != NULL)
			nl->ops->done(nl->arg, nl->cookies[i], err);
	}
}

static bool
wait_readable(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, ms) > 0;
}

/*
 * Read the acks of the batch just sent. All are queued already; waiting
 * is only a guard. A lost ack (ENOBUFS: the receive buffer overran) fails
 * its request with -ENOBUFS: its outcome is unknown, the owner resyncs.
 */
static int
acks_read(struct nl *nl)
{
	int fd = mnl_socket_get_fd(nl->req), n, err = 0;
	size_t left = nl->nq;
	bool overrun = false;

	while (left > 0) {
		n = recvmmsg(fd, nl->mmsg, NL_ACK_SLOTS, MSG_DONTWAIT, NULL);
		for (int i = 0; i < n; i++)
			left -= ack_datagram(nl, nl->iov[i].iov_base,
			    nl->mmsg[i].msg_len,
			    (nl->mmsg[i].msg_hdr.msg_flags & MSG_TRUNC) != 0);
		if (n > 0 || errno == EINTR)
			continue;
		if (errno == ENOBUFS) {
			overrun = true;
			continue;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			err = errno;
		else if (overrun)
			err = ENOBUFS;
		else if (!wait_readable(fd, NL_ACK_WAIT_MS))
			err = ETIMEDOUT;
		if (err != 0)
			break;
	}
	if (left == 0)
		return 0;
	log_warnx("netlink: %zu of %zu acks lost: %s", left, nl->nq,
	    strerror(err));
	fail_unacked(nl, -err);
	return -1;
}

/* Send the batch and read its acks; the queue is empty afterwards. */
static int
batch_send(struct nl *nl)
{
	ssize_t n;
	int rc, err;

	if (nl->nq == 0)
		return 0;
	nl->busy = true;
	memset(nl->acked, 0, nl->nq);
	do {
		n = mnl_socket_sendto(nl->req, mnl_nlmsg_batch_head(nl->batch),
		    mnl_nlmsg_batch_size(nl->batch));
	} while (n == -1 && errno == EINTR);
	if (n == -1) {
		err = errno;
		log_warn("netlink: send of %zu requests", nl->nq);
		fail_unacked(nl, -err);
		rc = -1;
	} else
		rc = acks_read(nl);
	mnl_nlmsg_batch_reset(nl->batch);
	nl->nq = 0;
	nl->busy = false;
	return rc;
}

int
nl_flush(struct nl *nl)
{
	if (nl->busy) {
		errno = EBUSY;
		return -1;
	}
	return batch_send(nl);
}

static struct nlmsghdr *
enqueue_encode(struct nl *nl, uint16_t type, uint16_t flags,
    const struct nl_route *rt)
{
	size_t room = nl->qlimit - mnl_nlmsg_batch_size(nl->batch);

	if (nl->nq == 0)
		nl->first_seq = nl->seq;
	return nl_route_encode(mnl_nlmsg_batch_current(nl->batch), room, type,
	    (uint16_t)(NLM_F_ACK | flags), nl->first_seq + (uint32_t)nl->nq,
	    rt, nl->protocol, nl->table);
}

/*
 * Encode one route request into the batch. When it does not fit (the
 * _check putters refuse) or maxq requests wait, the batch is sent first.
 */
int
nl_enqueue_route(struct nl *nl, uint16_t type, uint16_t flags,
    const struct nl_route *rt, uint64_t cookie)
{
	if (nl->busy) {
		errno = EBUSY;
		return -1;
	}
	if (!nl_route_valid(rt)) {
		errno = EINVAL;
		return -1;
	}
	if (nl->nq == nl->maxq)
		(void)batch_send(nl);
	if (enqueue_encode(nl, type, flags, rt) == NULL) {
		(void)batch_send(nl);
		if (enqueue_encode(nl, type, flags, rt) == NULL) {
			errno = EMSGSIZE;
			return -1;
		}
	}
	if (!mnl_nlmsg_batch_next(nl->batch))
		fatalx("netlink: batch overrun");
	nl->cookies[nl->nq++] = cookie;
	nl->seq = nl->first_seq + (uint32_t)nl->nq;
	return 0;
}

/* One reply datagram of request seq: 1 when it ended the exchange. */
static int
reply_datagram(struct nl *nl, uint32_t seq, int n, int *err, bool *intr,
    void (*cb)(struct nl *, const struct nlmsghdr *, void *), void *arg)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)nl->rbuf;
	int32_t derr;

	for (; nl_nlmsg_ok(nlh, n); nlh = mnl_nlmsg_next(nlh, &n)) {
		if (nlh->nlmsg_pid != nl->portid || nlh->nlmsg_seq != seq)
			continue;	/* stale: an earlier, abandoned reply */
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			*intr = true;
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			if (nl_ack_parse(nlh, nlh->nlmsg_len, err) == -1)
				*err = -EPROTO;
			return 1;
		}
		if (nlh->nlmsg_type == NLMSG_DONE) {
			if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(derr)) {
				memcpy(&derr, mnl_nlmsg_get_payload(nlh),
				    sizeof(derr));
				*err = derr < 0 ? derr : 0;
			}
			return 1;
		}
		if (cb != NULL)
			cb(nl, nlh, arg);
	}
	return 0;
}

/*
 * Send one request outside the batch (after flushing it, to keep the
 * order) and read its replies until its ack, NLMSG_DONE or error. Other
 * messages with its seq go to cb. 0, or -1 with errno; EINTR when a dump
 * was interrupted by a change (the kernel's NLM_F_DUMP_INTR).
 */
int
nl_req_run(struct nl *nl, struct nlmsghdr *nlh,
    void (*cb)(struct nl *, const struct nlmsghdr *, void *), void *arg)
{
	uint32_t seq = nlh->nlmsg_seq;
	bool intr = false;
	ssize_t n;
	int err = 0;

	if (mnl_socket_sendto(nl->req, nlh, nlh->nlmsg_len) == -1)
		return -1;
	nl->busy = true;
	for (;;) {
		n = mnl_socket_recvfrom(nl->req, nl->rbuf, NL_RBUF_SIZE);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			err = errno == EAGAIN ? -ETIMEDOUT : -errno;
			break;
		}
		if (reply_datagram(nl, seq, (int)n, &err, &intr, cb, arg))
			break;
	}
	nl->busy = false;
	if (err == 0 && intr)
		err = -EINTR;
	errno = -err;
	return err == 0 ? 0 : -1;
}
