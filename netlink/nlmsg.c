/*
 * nlmsg.c: the rtnetlink codec (see nlmsg.h). It owns the byte layout of
 * every message netlink/ sends or reads: RTM_*ROUTE, RTM_*NEXTHOP, the
 * dump and lookup requests, and acks. It must not touch a socket, log, or
 * allocate: the unit tests drive it with byte arrays, and the kernel's
 * replies are parsed as untrusted input (SPEC 8).
 */
#include <errno.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/nexthop.h>
#include <net/if.h>
#include <linux/rtnetlink.h>

#include "nlmsg.h"

/* How a known attribute is validated before it lands in tb[]. */
enum apol_kind {
	AP_U32,		/* exactly 4 bytes */
	AP_U16,		/* exactly 2 bytes */
	AP_ADDR,	/* exactly 4 or 16 bytes, by the header's family */
	AP_FLAG,	/* no payload */
	AP_ANY,		/* any length; the caller reads none of it */
};

struct apol {
	uint16_t	type;
	uint8_t		kind;
};

/* The route attributes we read; everything else is skipped. */
static const struct apol route_pol[] = {
	{ RTA_DST, AP_ADDR },
	{ RTA_GATEWAY, AP_ADDR },
	{ RTA_OIF, AP_U32 },
	{ RTA_PRIORITY, AP_U32 },
	{ RTA_TABLE, AP_U32 },
	{ RTA_NH_ID, AP_U32 },
	{ RTA_MULTIPATH, AP_ANY },	/* walked by mp_first() */
};
#define ROUTE_NTB	(RTA_NH_ID + 1)

/* The attributes of one hop inside RTA_MULTIPATH (RTA_VIA is skipped). */
static const struct apol hop_pol[] = {
	{ RTA_GATEWAY, AP_ADDR },
};
#define HOP_NTB		(RTA_GATEWAY + 1)

static const struct apol nh_pol[] = {
	{ NHA_ID, AP_U32 },
	{ NHA_GROUP, AP_ANY },		/* walked by group_get() */
	{ NHA_GROUP_TYPE, AP_U16 },
	{ NHA_BLACKHOLE, AP_FLAG },
	{ NHA_OIF, AP_U32 },
	{ NHA_GATEWAY, AP_ADDR },
};
#define NH_NTB		(NHA_GATEWAY + 1)

#define RTMSG_LEN	NL_ALIGN(sizeof(struct rtmsg))
#define NHMSG_LEN	NL_ALIGN(sizeof(struct nhmsg))
/* struct rtnexthop: len u16, flags u8, hops u8, ifindex s32 */
#define RTNH_HDR	8
/* struct nexthop_grp: id u32, weight u8, weight_high u8 (Linux >= 6.12,
 * reserved and zero before), reserved u16 */
#define NHGRP_LEN	8

const char *
nl_verdict_name(enum nl_verdict v)
{
	switch (v) {
	case NL_OURS:
		return "ours";
	case NL_FOREIGN:
		return "foreign";
	case NL_BAD:
		return "malformed";
	}
	return "?";
}

static bool
af_ok(uint8_t af)
{
	return af == AF_INET || af == AF_INET6;
}

static int
attr_valid(const struct nlattr *a, uint8_t kind, uint8_t af)
{
	switch (kind) {
	case AP_U32:
		return mnl_attr_validate(a, MNL_TYPE_U32);
	case AP_U16:
		return mnl_attr_validate(a, MNL_TYPE_U16);
	case AP_FLAG:
		return mnl_attr_validate(a, MNL_TYPE_FLAG);
	case AP_ADDR:
		if (!af_ok(af))
			return -1;
		return mnl_attr_validate2(a, MNL_TYPE_BINARY, af_bytes(af));
	default:
		return 0;
	}
}

static const struct apol *
pol_find(const struct apol *pol, size_t npol, uint16_t type)
{
	for (size_t i = 0; i < npol; i++)
		if (pol[i].type == type)
			return &pol[i];
	return NULL;
}

/*
 * The libmnl attribute walk over [p, end): skip unknown types, validate
 * known ones, fill tb[]. -1 when an attribute is truncated, mis-sized or
 * repeated, or bytes are left over.
 */
static int
attr_walk(const uint8_t *p, const uint8_t *end, uint8_t af,
    const struct apol *pol, size_t npol, const struct nlattr **tb, size_t ntb)
{
	const struct nlattr *a;
	const struct apol *ap;
	uint16_t type;

	memset(tb, 0, ntb * sizeof(*tb));
	while (p < end) {
		a = (const struct nlattr *)p;
		if (!mnl_attr_ok(a, (int)(end - p)))
			return -1;
		p += NL_ALIGN(a->nla_len);
		type = mnl_attr_get_type(a);
		if (type >= ntb || (ap = pol_find(pol, npol, type)) == NULL)
			continue;
		if (attr_valid(a, ap->kind, af) == -1 || tb[type] != NULL)
			return -1;
		tb[type] = a;
	}
	return 0;
}

/*
 * The attributes of a message, bounded by nlmsg_len itself (not its
 * aligned tail). The caller checked nlmsg_len >= NLMSG_HDRLEN + hdrlen.
 */
static int
attr_parse(const struct nlmsghdr *nlh, size_t hdrlen, uint8_t af,
    const struct apol *pol, size_t npol, const struct nlattr **tb, size_t ntb)
{
	const uint8_t *p = (const uint8_t *)nlh + NL_HDRLEN + hdrlen;
	const uint8_t *end = (const uint8_t *)nlh + nlh->nlmsg_len;

	return attr_walk(p, end, af, pol, npol, tb, ntb);
}

static struct nlmsghdr *
put_header(void *buf, size_t len, size_t extra, uint16_t type,
    uint16_t flags, uint32_t seq)
{
	struct nlmsghdr *nlh;

	if (len < NL_HDRLEN + NL_ALIGN(extra))
		return NULL;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | flags);
	nlh->nlmsg_seq = seq;
	mnl_nlmsg_put_extra_header(nlh, extra);
	return nlh;
}

bool
nl_nlmsg_ok(const struct nlmsghdr *nlh, int len)
{
	return len >= (int)sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) &&
	    nlh->nlmsg_len <= (unsigned)len;
}

bool
nl_route_valid(const struct nl_route *rt)
{
	if (!af_ok(rt->dst.af) || rt->dst.len > af_maxlen(rt->dst.af))
		return false;
	if (rt->type != NL_RT_UNICAST && rt->type != NL_RT_BLACKHOLE)
		return false;
	if (addr_is_set(&rt->gw) && rt->gw.af != rt->dst.af)
		return false;
	return true;
}

/* The attributes after RTA_DST/RTA_TABLE/RTA_PRIORITY of a new route. */
static bool
route_put_via(struct nlmsghdr *nlh, size_t len, const struct nl_route *rt)
{
	bool ok = true;

	if (rt->type != NL_RT_UNICAST)
		return true;
	if (rt->nh_id != 0)
		return mnl_attr_put_u32_check(nlh, len, RTA_NH_ID, rt->nh_id);
	if (addr_is_set(&rt->gw))
		ok = mnl_attr_put_check(nlh, len, RTA_GATEWAY,
		    af_bytes(rt->gw.af), rt->gw.b);
	if (ok && rt->oif != 0)
		ok = mnl_attr_put_u32_check(nlh, len, RTA_OIF, rt->oif);
	return ok;
}

static void
route_header(struct rtmsg *rtm, uint16_t type, const struct nl_route *rt,
    uint8_t protocol, uint32_t table)
{
	rtm->rtm_family = rt->dst.af;
	rtm->rtm_dst_len = rt->dst.len;
	rtm->rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = protocol;
	if (type == RTM_DELROUTE) {
		/* match any scope and type, but only our protocol */
		rtm->rtm_scope = RT_SCOPE_NOWHERE;
		rtm->rtm_type = RTN_UNSPEC;
		return;
	}
	rtm->rtm_type = rt->type == NL_RT_BLACKHOLE ? RTN_BLACKHOLE :
	    RTN_UNICAST;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	if (rt->type == NL_RT_UNICAST && rt->nh_id == 0 &&
	    !addr_is_set(&rt->gw))
		rtm->rtm_scope = RT_SCOPE_LINK;
	if (rt->type == NL_RT_UNICAST && rt->nh_id == 0 && rt->onlink)
		rtm->rtm_flags |= RTNH_F_ONLINK;
}

struct nlmsghdr *
nl_route_encode(void *buf, size_t len, uint16_t type, uint16_t flags,
    uint32_t seq, const struct nl_route *rt, uint8_t protocol, uint32_t table)
{
	struct nlmsghdr *nlh;
	bool ok = true;

	if (!nl_route_valid(rt) ||
	    (nlh = put_header(buf, len, sizeof(struct rtmsg), type, flags,
	    seq)) == NULL)
		return NULL;
	route_header(mnl_nlmsg_get_payload(nlh), type, rt, protocol, table);
	if (rt->dst.len > 0)
		ok = mnl_attr_put_check(nlh, len, RTA_DST, af_bytes(rt->dst.af),
		    rt->dst.b);
	if (ok && table >= 256)
		ok = mnl_attr_put_u32_check(nlh, len, RTA_TABLE, table);
	if (ok && rt->priority != 0)
		ok = mnl_attr_put_u32_check(nlh, len, RTA_PRIORITY,
		    rt->priority);
	if (ok && type == RTM_NEWROUTE)
		ok = route_put_via(nlh, len, rt);
	return ok ? nlh : NULL;
}

/*
 * NHA_GROUP: n struct nexthop_grp, weight 0 (the kernel's encoding of
 * weight 1) and the reserved bytes zero. Members are ids, never 0.
 */
static bool
group_put(struct nlmsghdr *nlh, size_t len, const struct nl_nexthop *nh)
{
	uint8_t g[NL_GROUP_MAX * NHGRP_LEN];

	if (nh->ngroup > NL_GROUP_MAX)
		return false;
	memset(g, 0, sizeof(g));
	for (size_t i = 0; i < nh->ngroup; i++) {
		if (nh->group[i] == 0)
			return false;
		memcpy(g + i * NHGRP_LEN, &nh->group[i], sizeof(uint32_t));
	}
	return mnl_attr_put_check(nlh, len, NHA_GROUP, nh->ngroup * NHGRP_LEN,
	    g);
}

struct nlmsghdr *
nl_nh_encode(void *buf, size_t len, uint16_t type, uint16_t flags,
    uint32_t seq, const struct nl_nexthop *nh, uint8_t protocol)
{
	struct nlmsghdr *nlh;
	struct nhmsg *nhm;
	bool ok;

	if ((nlh = put_header(buf, len, sizeof(*nhm), type, flags, seq)) ==
	    NULL)
		return NULL;
	ok = mnl_attr_put_u32_check(nlh, len, NHA_ID, nh->id);
	if (type != RTM_NEWNEXTHOP)	/* delete: id only, header zero */
		return ok ? nlh : NULL;
	nhm = mnl_nlmsg_get_payload(nlh);
	nhm->nh_protocol = protocol;
	if (nh->ngroup > 0)	/* family AF_UNSPEC, no flags */
		return ok && !nh->blackhole && group_put(nlh, len, nh) ? nlh :
		    NULL;
	if (nh->blackhole)
		return ok && mnl_attr_put_check(nlh, len, NHA_BLACKHOLE, 0,
		    NULL) ? nlh : NULL;
	if (!af_ok(nh->gw.af) || nh->oif == 0)
		return NULL;
	nhm->nh_family = nh->gw.af;
	nhm->nh_flags = nh->onlink ? RTNH_F_ONLINK : 0;
	ok = ok && mnl_attr_put_check(nlh, len, NHA_GATEWAY,
	    af_bytes(nh->gw.af), nh->gw.b);
	ok = ok && mnl_attr_put_u32_check(nlh, len, NHA_OIF, nh->oif);
	return ok ? nlh : NULL;
}

struct nlmsghdr *
nl_route_dump_encode(void *buf, size_t len, uint32_t seq, uint8_t af,
    uint8_t protocol, uint32_t table)
{
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	if ((nlh = put_header(buf, len, sizeof(*rtm), RTM_GETROUTE,
	    NLM_F_DUMP, seq)) == NULL)
		return NULL;
	rtm = mnl_nlmsg_get_payload(nlh);
	rtm->rtm_family = af;
	rtm->rtm_protocol = protocol;
	rtm->rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	if (table >= 256 &&
	    !mnl_attr_put_u32_check(nlh, len, RTA_TABLE, table))
		return NULL;
	return nlh;
}

struct nlmsghdr *
nl_nh_dump_encode(void *buf, size_t len, uint32_t seq)
{
	return put_header(buf, len, sizeof(struct nhmsg), RTM_GETNEXTHOP,
	    NLM_F_DUMP, seq);
}

static struct nlmsghdr *
getroute_encode(void *buf, size_t len, uint32_t seq, const struct addr *a,
    uint32_t rtm_flags)
{
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	if (!af_ok(a->af) || (nlh = put_header(buf, len, sizeof(*rtm),
	    RTM_GETROUTE, NLM_F_ACK, seq)) == NULL)
		return NULL;
	rtm = mnl_nlmsg_get_payload(nlh);
	rtm->rtm_family = a->af;
	rtm->rtm_dst_len = (uint8_t)af_maxlen(a->af);
	rtm->rtm_flags = rtm_flags;
	if (!mnl_attr_put_check(nlh, len, RTA_DST, af_bytes(a->af), a->b))
		return NULL;
	return nlh;
}

struct nlmsghdr *
nl_getroute_encode(void *buf, size_t len, uint32_t seq, const struct addr *a)
{
	return getroute_encode(buf, len, seq, a, 0);
}

struct nlmsghdr *
nl_lookup_encode(void *buf, size_t len, uint32_t seq, const struct addr *a)
{
	return getroute_encode(buf, len, seq, a, RTM_F_FIB_MATCH);
}

static enum nl_rt_type
rt_type(uint8_t t)
{
	switch (t) {
	case RTN_UNICAST:
		return NL_RT_UNICAST;
	case RTN_BLACKHOLE:
		return NL_RT_BLACKHOLE;
	default:
		return NL_RT_OTHER;
	}
}

/* A route message taken apart: its header, attributes and next hop. */
struct rt_dec {
	struct rtmsg		 rtm;
	const struct nlattr	*tb[ROUTE_NTB];
	struct addr		 gw;	/* RTA_GATEWAY, or the first hop's */
	uint32_t		 oif;	/* RTA_OIF, or the first hop's */
	bool			 onlink;
};

/*
 * RTA_MULTIPATH: a list of struct rtnexthop, each followed by its own
 * attributes, within rtnh_len. Every hop is walked (bounded), the first
 * one is kept. -1 when empty, or a hop or an attribute is cut or
 * mis-sized.
 */
static int
mp_first(const struct nlattr *mp, struct rt_dec *d)
{
	const uint8_t *p = mnl_attr_get_payload(mp);
	size_t len = mnl_attr_get_payload_len(mp), off = 0, n = 0;
	const struct nlattr *tb[HOP_NTB];
	uint16_t hlen;
	int32_t ifindex;

	while (off < len) {
		if (len - off < RTNH_HDR)
			return -1;
		memcpy(&hlen, p + off, sizeof(hlen));
		if (hlen < RTNH_HDR || hlen > len - off ||
		    attr_walk(p + off + RTNH_HDR, p + off + hlen,
		    d->rtm.rtm_family, hop_pol, NITEMS(hop_pol), tb,
		    NITEMS(tb)) == -1)
			return -1;
		if (n++ == 0) {
			d->onlink = (p[off + 2] & RTNH_F_ONLINK) != 0;
			memcpy(&ifindex, p + off + 4, sizeof(ifindex));
			d->oif = (uint32_t)ifindex;
			if (tb[RTA_GATEWAY])
				addr_set_bytes(&d->gw, d->rtm.rtm_family,
				    mnl_attr_get_payload(tb[RTA_GATEWAY]));
		}
		off += NL_ALIGN(hlen);
	}
	return n > 0 ? 0 : -1;
}

/*
 * The fixed part: NL_FOREIGN for what no caller reads (not a route
 * message, a family other than IPv4/IPv6, a cached clone, a
 * source-specific route), NL_BAD when cut.
 */
static enum nl_verdict
route_head(const struct nlmsghdr *nlh, struct rt_dec *d)
{
	if (nlh->nlmsg_type != RTM_NEWROUTE && nlh->nlmsg_type != RTM_DELROUTE)
		return NL_FOREIGN;
	if (nlh->nlmsg_len < NL_HDRLEN + RTMSG_LEN)
		return NL_BAD;
	memset(d, 0, sizeof(*d));
	memcpy(&d->rtm, mnl_nlmsg_get_payload(nlh), sizeof(d->rtm));
	if (!af_ok(d->rtm.rtm_family) || (d->rtm.rtm_flags & RTM_F_CLONED) ||
	    d->rtm.rtm_src_len != 0)
		return NL_FOREIGN;
	return NL_OURS;
}

/*
 * The attributes and the next hop. A kernel sends either RTA_MULTIPATH or
 * RTA_GATEWAY/RTA_OIF, never both: both is malformed.
 */
static int
route_body(const struct nlmsghdr *nlh, struct rt_dec *d)
{
	const struct nlattr **tb = d->tb;

	if (d->rtm.rtm_dst_len > af_maxlen(d->rtm.rtm_family) ||
	    attr_parse(nlh, RTMSG_LEN, d->rtm.rtm_family, route_pol,
	    NITEMS(route_pol), tb, ROUTE_NTB) == -1)
		return -1;
	if (tb[RTA_MULTIPATH])
		return tb[RTA_GATEWAY] || tb[RTA_OIF] ? -1 :
		    mp_first(tb[RTA_MULTIPATH], d);
	if (tb[RTA_GATEWAY])
		addr_set_bytes(&d->gw, d->rtm.rtm_family,
		    mnl_attr_get_payload(tb[RTA_GATEWAY]));
	if (tb[RTA_OIF])
		d->oif = mnl_attr_get_u32(tb[RTA_OIF]);
	d->onlink = (d->rtm.rtm_flags & RTNH_F_ONLINK) != 0;
	return 0;
}

/* The route's prefix (RTA_DST, none for a default route) and table. */
static int
route_where(const struct rt_dec *d, struct prefix *dst, uint32_t *table)
{
	static const uint8_t zero[16];
	const void *b = d->tb[RTA_DST] ? mnl_attr_get_payload(d->tb[RTA_DST]) :
	    zero;

	*table = d->tb[RTA_TABLE] ? mnl_attr_get_u32(d->tb[RTA_TABLE]) :
	    d->rtm.rtm_table;
	if (d->tb[RTA_DST] == NULL && d->rtm.rtm_dst_len != 0)
		return -1;
	return prefix_set(dst, d->rtm.rtm_family, b, d->rtm.rtm_dst_len);
}

/*
 * Our implementation: with a nexthop object the kernel (nexthop compat
 * mode) also reports the object's gateway and device, and an IPv6
 * blackhole comes with dev lo; we drop them so a dumped route compares
 * equal to the one we installed. A blackhole has no next hop at all: a
 * nexthop id on one is dropped too (tern never installs one), so every
 * route parsed as ours encodes back to itself (tests/fuzz/fuzz_nl.h).
 * The same holds for the routes of others, so that one struct means one
 * thing whoever made the route.
 */
static enum nl_verdict
route_fill(const struct rt_dec *d, struct nl_route *out)
{
	memset(out, 0, sizeof(*out));
	if (route_where(d, &out->dst, &out->table) == -1)
		return NL_BAD;
	out->type = rt_type(d->rtm.rtm_type);
	out->protocol = d->rtm.rtm_protocol;
	out->scope = d->rtm.rtm_scope;
	if (d->tb[RTA_PRIORITY])
		out->priority = mnl_attr_get_u32(d->tb[RTA_PRIORITY]);
	if (out->type == NL_RT_BLACKHOLE)
		return NL_OURS;		/* whatever next hop came with it */
	if (d->tb[RTA_NH_ID]) {
		out->nh_id = mnl_attr_get_u32(d->tb[RTA_NH_ID]);
		return NL_OURS;
	}
	out->gw = d->gw;
	out->oif = d->oif;
	out->onlink = d->onlink;
	return NL_OURS;
}

bool
nl_route_is_ours(const struct nl_route *rt, uint8_t protocol, uint32_t table)
{
	return rt->protocol == protocol && rt->table == table;
}

bool
nl_route_is_other(const struct nl_route *rt, uint8_t protocol, uint32_t table)
{
	return rt->protocol != protocol && rt->table != RT_TABLE_LOCAL &&
	    (rt->table == table || rt->table == RT_TABLE_MAIN);
}

enum nl_verdict
nl_route_parse_any(const struct nlmsghdr *nlh, struct nl_route *out)
{
	struct rt_dec d;
	enum nl_verdict v;

	if ((v = route_head(nlh, &d)) != NL_OURS)
		return v;
	if (route_body(nlh, &d) == -1)
		return NL_BAD;
	return route_fill(&d, out);
}

/*
 * The protocol is checked before the attributes, so another protocol's
 * route is NL_FOREIGN whatever its attributes hold.
 */
enum nl_verdict
nl_route_parse(const struct nlmsghdr *nlh, uint8_t protocol, uint32_t table,
    struct nl_route *out)
{
	struct nl_route rt;
	struct rt_dec d;
	enum nl_verdict v;

	if ((v = route_head(nlh, &d)) != NL_OURS)
		return v;
	if (d.rtm.rtm_protocol != protocol)
		return NL_FOREIGN;
	if (route_body(nlh, &d) == -1 || route_fill(&d, &rt) == NL_BAD)
		return NL_BAD;
	if (!nl_route_is_ours(&rt, protocol, table))
		return NL_FOREIGN;
	*out = rt;
	return NL_OURS;
}

/*
 * NHA_GROUP: 1 to NL_GROUP_MAX entries of NHGRP_LEN bytes, ids not 0, one
 * weight for all (a weighted group is not one tern makes or can
 * represent). -1 otherwise.
 */
static int
group_get(const struct nlattr *a, struct nl_nexthop *out)
{
	const uint8_t *p = mnl_attr_get_payload(a);
	size_t len = mnl_attr_get_payload_len(a), n = len / NHGRP_LEN;
	unsigned weight = 0, w;

	if (len == 0 || len % NHGRP_LEN != 0 || n > NL_GROUP_MAX)
		return -1;
	for (size_t i = 0; i < n; i++, p += NHGRP_LEN) {
		memcpy(&out->group[i], p, sizeof(uint32_t));
		w = (unsigned)p[4] | (unsigned)p[5] << 8;
		if (out->group[i] == 0 || (i > 0 && w != weight))
			return -1;
		weight = w;
	}
	out->ngroup = n;
	return 0;
}

/*
 * A group has members and nothing else (the kernel's nh_fill_node); a
 * group type other than multipath (resilient) is not one tern reads.
 */
static int
nh_group(const struct nlattr **tb, struct nl_nexthop *out)
{
	if (tb[NHA_GATEWAY] || tb[NHA_OIF] || tb[NHA_BLACKHOLE])
		return -1;
	if (tb[NHA_GROUP_TYPE] &&
	    mnl_attr_get_u16(tb[NHA_GROUP_TYPE]) != NEXTHOP_GRP_TYPE_MPATH)
		return -1;
	return group_get(tb[NHA_GROUP], out);
}

enum nl_verdict
nl_nh_parse(const struct nlmsghdr *nlh, uint8_t protocol,
    struct nl_nexthop *out)
{
	const struct nlattr *tb[NH_NTB];
	struct nhmsg nhm;

	if (nlh->nlmsg_type != RTM_NEWNEXTHOP &&
	    nlh->nlmsg_type != RTM_DELNEXTHOP)
		return NL_FOREIGN;
	if (nlh->nlmsg_len < NL_HDRLEN + NHMSG_LEN)
		return NL_BAD;
	memcpy(&nhm, mnl_nlmsg_get_payload(nlh), sizeof(nhm));
	if (nhm.nh_protocol != protocol)
		return NL_FOREIGN;
	if (attr_parse(nlh, NHMSG_LEN, nhm.nh_family, nh_pol, NITEMS(nh_pol),
	    tb, NITEMS(tb)) == -1 || tb[NHA_ID] == NULL)
		return NL_BAD;
	memset(out, 0, sizeof(*out));
	out->id = mnl_attr_get_u32(tb[NHA_ID]);
	if (tb[NHA_GROUP])
		return nh_group(tb, out) == 0 ? NL_OURS : NL_BAD;
	out->blackhole = tb[NHA_BLACKHOLE] != NULL;
	out->onlink = (nhm.nh_flags & RTNH_F_ONLINK) != 0;
	if (tb[NHA_GATEWAY])
		addr_set_bytes(&out->gw, nhm.nh_family,
		    mnl_attr_get_payload(tb[NHA_GATEWAY]));
	if (tb[NHA_OIF])
		out->oif = mnl_attr_get_u32(tb[NHA_OIF]);
	return NL_OURS;
}

int
nl_getroute_parse(const struct nlmsghdr *nlh, uint32_t *oif)
{
	const struct nlattr *tb[ROUTE_NTB];
	struct rtmsg rtm;

	if (nlh->nlmsg_type != RTM_NEWROUTE ||
	    nlh->nlmsg_len < NL_HDRLEN + RTMSG_LEN)
		return -1;
	memcpy(&rtm, mnl_nlmsg_get_payload(nlh), sizeof(rtm));
	if (!af_ok(rtm.rtm_family) ||
	    attr_parse(nlh, RTMSG_LEN, rtm.rtm_family, route_pol,
	    NITEMS(route_pol), tb, NITEMS(tb)) == -1 || tb[RTA_OIF] == NULL)
		return -1;
	*oif = mnl_attr_get_u32(tb[RTA_OIF]);
	return 0;
}

/*
 * Unlike a dump, a lookup keeps the gateway and device the kernel reports
 * beside a nexthop id (compat mode): they are where the packet goes.
 */
int
nl_lookup_parse(const struct nlmsghdr *nlh, struct nl_hop *out,
    enum nl_rt_type *type)
{
	struct rt_dec d;

	if (nlh->nlmsg_type != RTM_NEWROUTE ||
	    nlh->nlmsg_len < NL_HDRLEN + RTMSG_LEN)
		return -1;
	memset(&d, 0, sizeof(d));
	memcpy(&d.rtm, mnl_nlmsg_get_payload(nlh), sizeof(d.rtm));
	if (!af_ok(d.rtm.rtm_family) || route_body(nlh, &d) == -1)
		return -1;
	memset(out, 0, sizeof(*out));
	if (route_where(&d, &out->match, &out->table) == -1)
		return -1;
	out->protocol = d.rtm.rtm_protocol;
	out->gw = d.gw;
	out->oif = d.oif;
	*type = rt_type(d.rtm.rtm_type);
	return 0;
}

int
nl_ack_parse(const struct nlmsghdr *nlh, size_t n, int *err)
{
	int e;

	if (nlh->nlmsg_type != NLMSG_ERROR || n < NL_HDRLEN + sizeof(e) ||
	    nlh->nlmsg_len < NL_HDRLEN + sizeof(e))
		return -1;
	memcpy(&e, mnl_nlmsg_get_payload(nlh), sizeof(e));
	if (e > 0 || e < -4095)
		return -1;
	*err = e;
	return 0;
}

/*
 * An extended ack: struct nlmsgerr, the request's payload unless the ack
 * is capped, then NLMSGERR_ATTR_* TLVs.
 */
const char *
nl_ack_msg(const struct nlmsghdr *nlh, size_t n)
{
	const struct nlmsgerr *e;
	const struct nlattr *a;
	const uint8_t *p, *end;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || nlh->nlmsg_len > n ||
	    nlh->nlmsg_len < NL_HDRLEN + sizeof(*e))
		return NULL;
	e = mnl_nlmsg_get_payload(nlh);
	p = (const uint8_t *)e + sizeof(*e);
	end = (const uint8_t *)nlh + nlh->nlmsg_len;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < NL_HDRLEN ||
		    e->msg.nlmsg_len - NL_HDRLEN > (size_t)(end - p))
			return NULL;
		p += NL_ALIGN(e->msg.nlmsg_len - NL_HDRLEN);
	}
	while (p < end) {
		a = (const struct nlattr *)p;
		if (!mnl_attr_ok(a, (int)(end - p)))
			return NULL;
		if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			return mnl_attr_get_str(a);
		p += NL_ALIGN(a->nla_len);
	}
	return NULL;
}

int
nl_link_parse(const struct nlmsghdr *nlh, uint32_t *ifindex, bool *up)
{
	const struct ifinfomsg *ifi;

	if ((nlh->nlmsg_type != RTM_NEWLINK &&
	    nlh->nlmsg_type != RTM_DELLINK) ||
	    nlh->nlmsg_len < NL_HDRLEN + sizeof(*ifi))
		return -1;
	ifi = (const struct ifinfomsg *)((const uint8_t *)nlh + NL_HDRLEN);
	if (ifi->ifi_index <= 0)
		return -1;
	*ifindex = (uint32_t)ifi->ifi_index;
	*up = nlh->nlmsg_type == RTM_NEWLINK && (ifi->ifi_flags & IFF_UP);
	return 0;
}
