/*
 * fib.c: what netlink/ asks of the kernel's FIB: route add, replace and
 * delete (queued, see nl.c), nexthop objects and groups (synchronous),
 * dumps of our own routes and objects, a read-only dump of our whole
 * table, gateway resolution and FIB lookups.
 *
 * Every route and object carries our protocol; nl_route_dump and
 * nl_nh_dump report only those of our protocol (and table: the kernel
 * filters when it can, we filter again). nl_table_dump and nl_lookup also
 * see other protocols' routes, but only to report them: no request here
 * names one. A delete names our protocol, so even a stale delete cannot
 * remove someone else's route at the same prefix, and an add is
 * create-exclusive, so it cannot replace one.
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
nl_route_add(struct nl *nl, const struct nl_route *rt, uint64_t cookie)
{
	return nl_enqueue_route(nl, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL,
	    rt, cookie);
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

/* One RTM_NEWNEXTHOP with flags, synchronous. */
static int
nh_request(struct nl *nl, const struct nl_nexthop *nh, uint16_t flags)
{
	uint8_t buf[NL_SMALL_REQ + NL_GROUP_MAX * 8];
	struct nlmsghdr *nlh;

	if (sync_begin(nl) == -1)
		return -1;
	if (!nl->nhobj) {
		errno = EOPNOTSUPP;
		return -1;
	}
	nlh = nl_nh_encode(buf, sizeof(buf), RTM_NEWNEXTHOP,
	    (uint16_t)(NLM_F_ACK | NLM_F_CREATE | flags), nl_next_seq(nl), nh,
	    nl->protocol);
	if (nh->id == 0 || nlh == NULL) {
		errno = EINVAL;
		return -1;
	}
	return nl_req_run(nl, nlh, NULL, NULL);
}

static int
nh_gateway(struct nl *nl, uint32_t id, const struct addr *gw, uint32_t oif,
    bool onlink, uint16_t flags)
{
	struct nl_nexthop nh = { .id = id, .oif = oif, .onlink = onlink };

	nh.gw = *gw;
	return nh_request(nl, &nh, flags);
}

int
nl_nh_replace(struct nl *nl, uint32_t id, const struct addr *gw,
    uint32_t oif, bool onlink)
{
	return nh_gateway(nl, id, gw, oif, onlink, NLM_F_REPLACE);
}

int
nl_nh_add(struct nl *nl, uint32_t id, const struct addr *gw, uint32_t oif,
    bool onlink)
{
	return nh_gateway(nl, id, gw, oif, onlink, NLM_F_EXCL);
}

static int
nh_group(struct nl *nl, uint32_t id, const uint32_t *members, size_t n,
    uint16_t flags)
{
	struct nl_nexthop nh = { .id = id, .ngroup = n };

	if (n == 0 || n > NL_GROUP_MAX) {
		errno = EINVAL;
		return -1;
	}
	memcpy(nh.group, members, n * sizeof(*members));
	return nh_request(nl, &nh, flags);
}

int
nl_nh_group_add(struct nl *nl, uint32_t id, const uint32_t *members,
    size_t n)
{
	return nh_group(nl, id, members, n, NLM_F_EXCL);
}

int
nl_nh_group_replace(struct nl *nl, uint32_t id, const uint32_t *members,
    size_t n)
{
	return nh_group(nl, id, members, n, NLM_F_REPLACE);
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

/*
 * Every route of our table, whoever's: parsed as any route, kept when in
 * our table (the kernel filtered by table already; we filter again).
 */
static void
table_msg(struct nl *nl, const struct nlmsghdr *nlh, void *arg)
{
	struct dump_ctx *ctx = arg;
	struct nl_route rt;

	switch (nl_route_parse_any(nlh, &rt)) {
	case NL_OURS:
		if (rt.table == nl->table)
			ctx->route_cb(ctx->arg, &rt);
		break;
	case NL_BAD:
		ctx->bad++;
		break;
	case NL_FOREIGN:
		break;
	}
}

/* A dump of one family, filtered by protocol (0: any) and our table. */
static int
route_dump_af(struct nl *nl, uint8_t af, uint8_t protocol,
    void (*msg)(struct nl *, const struct nlmsghdr *, void *),
    struct dump_ctx *ctx)
{
	uint8_t buf[NL_SMALL_REQ];
	struct nlmsghdr *nlh;

	nlh = nl_route_dump_encode(buf, sizeof(buf), nl_next_seq(nl), af,
	    protocol, nl->table);
	if (nlh == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (nl_req_run(nl, nlh, msg, ctx) == 0)
		return 0;
	/* a filtered dump of a table that does not exist yet: empty */
	return errno == ENOENT ? 0 : -1;
}

static int
route_dump(struct nl *nl, uint8_t protocol,
    void (*msg)(struct nl *, const struct nlmsghdr *, void *),
    struct dump_ctx *ctx, const char *what)
{
	int rc;

	if (sync_begin(nl) == -1)
		return -1;
	rc = route_dump_af(nl, AF_INET, protocol, msg, ctx);
	if (rc == 0)
		rc = route_dump_af(nl, AF_INET6, protocol, msg, ctx);
	if (ctx->bad > 0)
		log_warnx("netlink: %s: %zu malformed messages skipped", what,
		    ctx->bad);
	return rc;
}

int
nl_route_dump(struct nl *nl, void (*cb)(void *, const struct nl_route *),
    void *arg)
{
	struct dump_ctx ctx = { .route_cb = cb, .arg = arg };

	return route_dump(nl, nl->protocol, route_msg, &ctx, "route dump");
}

int
nl_table_dump(struct nl *nl, void (*cb)(void *, const struct nl_route *),
    void *arg)
{
	struct dump_ctx ctx = { .route_cb = cb, .arg = arg };

	return route_dump(nl, RTPROT_UNSPEC, table_msg, &ctx, "table dump");
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

struct lookup_ctx {
	struct nl_hop	 hop;
	enum nl_rt_type	 type;
	bool		 found, bad;
};

static void
lookup_msg(struct nl *nl, const struct nlmsghdr *nlh, void *arg)
{
	struct lookup_ctx *ctx = arg;

	(void)nl;
	if (ctx->found || ctx->bad)
		return;
	if (nl_lookup_parse(nlh, &ctx->hop, &ctx->type) == 0)
		ctx->found = true;
	else
		ctx->bad = true;
}

/*
 * The kernel answers a lookup that matches no unicast route with an
 * error: ENETUNREACH (no route), EHOSTUNREACH (unreachable), EACCES
 * (prohibit), EINVAL (blackhole: our request is well formed), EAGAIN
 * (throw). All of them mean the same to the caller.
 */
static bool
lookup_unreachable(int err)
{
	return err == ENETUNREACH || err == EHOSTUNREACH || err == EACCES ||
	    err == EINVAL || err == EAGAIN;
}

int
nl_lookup(struct nl *nl, const struct addr *dst, struct nl_hop *out)
{
	struct lookup_ctx ctx = { .found = false };
	uint8_t buf[NL_SMALL_REQ];
	struct nlmsghdr *nlh;

	if (sync_begin(nl) == -1)
		return -1;
	nlh = nl_lookup_encode(buf, sizeof(buf), nl_next_seq(nl), dst);
	if (nlh == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (nl_req_run(nl, nlh, lookup_msg, &ctx) == -1) {
		if (lookup_unreachable(errno))
			errno = ENETUNREACH;
		return -1;
	}
	if (ctx.bad) {
		log_warnx("netlink: lookup: malformed reply");
		errno = EPROTO;
		return -1;
	}
	if (!ctx.found || ctx.type != NL_RT_UNICAST) {
		errno = ENETUNREACH;
		return -1;
	}
	*out = ctx.hop;
	return 0;
}

uint32_t
nl_ifindex(const char *name)
{
	return if_nametoindex(name);
}
