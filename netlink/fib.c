/*
 * fib.c: what netlink/ asks of the kernel's FIB: route replace and delete
 * (queued, see nl.c), nexthop objects (synchronous), dumps of our own
 * routes and objects, and gateway lookups.
 *
 * Every route and object carries our protocol; a dump reports only those
 * of our protocol and table (the kernel filters when it can, we filter
 * again), so nothing here can see, and therefore never touches, another
 * protocol's routes. A delete also names our protocol, so even a stale
 * delete cannot remove someone else's route at the same prefix.
 */
#include <errno.h>
#include <net/if.h>
#include <string.h>

#include <linux/nexthop.h>
#include <linux/rtnetlink.h>

#include "log.h"
#include "nlmsg.h"
#include "nlpriv.h"

/* a small request: header, fixed header and a few attributes */
#define NL_SMALL_REQ	256

int
nl_route_replace(struct nl *nl, const struct nl_route *rt, uint64_t cookie)
{
	return nl_enqueue_route(nl, RTM_NEWROUTE,
	    NLM_F_CREATE | NLM_F_REPLACE, rt, cookie);
}

int
nl_route_delete(struct nl *nl, const struct nl_route *rt, uint64_t cookie)
{
	return nl_enqueue_route(nl, RTM_DELROUTE, 0, rt, cookie);
}

/* Flush the queue so a synchronous request follows what was queued. */
static int
sync_begin(struct nl *nl)
{
	if (nl->busy) {
		errno = EBUSY;
		return -1;
	}
	(void)nl_flush(nl);	/* its failures went to ops->done */
	return 0;
}

int
nl_nh_replace(struct nl *nl, uint32_t id, const struct addr *gw,
    uint32_t oif, bool onlink)
{
	uint8_t buf[NL_SMALL_REQ];
	struct nl_nexthop nh = { .id = id, .oif = oif, .onlink = onlink };
	struct nlmsghdr *nlh;

	if (sync_begin(nl) == -1)
		return -1;
	if (!nl->nhobj) {
		errno = EOPNOTSUPP;
		return -1;
	}
	nh.gw = *gw;
	nlh = nl_nh_encode(buf, sizeof(buf), RTM_NEWNEXTHOP,
	    NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, nl_next_seq(nl), &nh,
	    nl->protocol);
	if (id == 0 || nlh == NULL) {
		errno = EINVAL;
		return -1;
	}
	return nl_req_run(nl, nlh, NULL, NULL);
}

int
nl_nh_delete(struct nl *nl, uint32_t id)
{
	uint8_t buf[NL_SMALL_REQ];
	struct nl_nexthop nh = { .id = id };
	struct nlmsghdr *nlh;

	if (sync_begin(nl) == -1)
		return -1;
	if (!nl->nhobj) {
		errno = EOPNOTSUPP;
		return -1;
	}
	nlh = nl_nh_encode(buf, sizeof(buf), RTM_DELNEXTHOP, NLM_F_ACK,
	    nl_next_seq(nl), &nh, 0);
	if (nlh == NULL) {
		errno = EINVAL;
		return -1;
	}
	return nl_req_run(nl, nlh, NULL, NULL);
}

struct dump_ctx {
	void		(*route_cb)(void *, const struct nl_route *);
	void		(*nh_cb)(void *, const struct nl_nexthop *);
	void		*arg;
	size_t		 bad;
};

static void
route_msg(struct nl *nl, const struct nlmsghdr *nlh, void *arg)
{
	struct dump_ctx *ctx = arg;
	struct nl_route rt;

	switch (nl_route_parse(nlh, nl->protocol, nl->table, &rt)) {
	case NL_OURS:
		ctx->route_cb(ctx->arg, &rt);
		break;
	case NL_BAD:
		ctx->bad++;
		break;
	case NL_FOREIGN:
		break;
	}
}

static int
route_dump_af(struct nl *nl, uint8_t af, struct dump_ctx *ctx)
{
	uint8_t buf[NL_SMALL_REQ];
	struct nlmsghdr *nlh;

	nlh = nl_route_dump_encode(buf, sizeof(buf), nl_next_seq(nl), af,
	    nl->protocol, nl->table);
	if (nlh == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (nl_req_run(nl, nlh, route_msg, ctx) == 0)
		return 0;
	/* a filtered dump of a table that does not exist yet: empty */
	return errno == ENOENT ? 0 : -1;
}

int
nl_route_dump(struct nl *nl, void (*cb)(void *, const struct nl_route *),
    void *arg)
{
	struct dump_ctx ctx = { .route_cb = cb, .arg = arg };
	int rc;

	if (sync_begin(nl) == -1)
		return -1;
	rc = route_dump_af(nl, AF_INET, &ctx);
	if (rc == 0)
		rc = route_dump_af(nl, AF_INET6, &ctx);
	if (ctx.bad > 0)
		log_warnx("netlink: route dump: %zu malformed messages skipped",
		    ctx.bad);
	return rc;
}

static void
nh_msg(struct nl *nl, const struct nlmsghdr *nlh, void *arg)
{
	struct dump_ctx *ctx = arg;
	struct nl_nexthop nh;

	switch (nl_nh_parse(nlh, nl->protocol, &nh)) {
	case NL_OURS:
		if (ctx->nh_cb != NULL)
			ctx->nh_cb(ctx->arg, &nh);
		break;
	case NL_BAD:
		ctx->bad++;
		break;
	case NL_FOREIGN:
		break;
	}
}

int
nl_nh_dump(struct nl *nl, void (*cb)(void *, const struct nl_nexthop *),
    void *arg)
{
	struct dump_ctx ctx = { .nh_cb = cb, .arg = arg };
	uint8_t buf[NL_SMALL_REQ];
	struct nlmsghdr *nlh;
	int rc;

	if (sync_begin(nl) == -1)
		return -1;
	nlh = nl_nh_dump_encode(buf, sizeof(buf), nl_next_seq(nl));
	if (nlh == NULL) {
		errno = EINVAL;
		return -1;
	}
	rc = nl_req_run(nl, nlh, nh_msg, &ctx);
	if (ctx.bad > 0)
		log_warnx("netlink: nexthop dump: %zu malformed messages "
		    "skipped", ctx.bad);
	return rc;
}

/* Nexthop objects exist when the kernel can dump them (Linux >= 5.3). */
bool
nl_probe_nhobj(struct nl *nl)
{
	bool save = nl->nhobj;
	int rc;

	nl->nhobj = true;
	rc = nl_nh_dump(nl, NULL, NULL);
	nl->nhobj = save;
	return rc == 0;
}

struct resolve_ctx {
	uint32_t	oif;
	bool		found;
};

static void
resolve_msg(struct nl *nl, const struct nlmsghdr *nlh, void *arg)
{
	struct resolve_ctx *ctx = arg;

	(void)nl;
	if (!ctx->found && nl_getroute_parse(nlh, &ctx->oif) == 0)
		ctx->found = true;
}

int
nl_resolve(struct nl *nl, const struct addr *gw, uint32_t *oif)
{
	struct resolve_ctx ctx = { 0 };
	uint8_t buf[NL_SMALL_REQ];
	struct nlmsghdr *nlh;

	if (sync_begin(nl) == -1)
		return -1;
	nlh = nl_getroute_encode(buf, sizeof(buf), nl_next_seq(nl), gw);
	if (nlh == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (nl_req_run(nl, nlh, resolve_msg, &ctx) == -1)
		return -1;
	if (!ctx.found) {
		errno = ENETUNREACH;
		return -1;
	}
	*oif = ctx.oif;
	return 0;
}

uint32_t
nl_ifindex(const char *name)
{
	return if_nametoindex(name);
}
