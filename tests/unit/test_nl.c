/*
 * test_nl.c: the rtnetlink codec of netlink/ (netlink/nlmsg.c) without a
 * socket: requests built into a buffer and compared byte for byte or read
 * back with libmnl; replies captured from a Linux 6.x kernel parsed into
 * struct nl_route / nl_nexthop; hostile variants of them (truncated or
 * mis-sized attributes, bad lengths, foreign protocol and table) skipped
 * cleanly; and a truncation sweep over every capture in exact-size heap
 * buffers, so ASan sees any read past the end.
 */
#include <check.h>

#include "check_run.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>

#include "nlmsg.h"

#define PROTO	NL_PROTO_TERN
#define MAIN	NL_TABLE_MAIN

/*
 * Captured with a raw NETLINK_ROUTE socket (RTM_GETROUTE / RTM_GETNEXTHOP
 * dumps; CAP_ACK and EXT_ACK set) in a namespace set up with:
 *   ip nexthop add id 7 via 198.18.0.2 dev eth0 proto bird     (oif 3)
 *   ip nexthop add id 8 via 2001:db8:1::2 dev eth0 proto bird
 *   ip route add 10.1.2.0/24 nhid 7 proto bird
 *   ip route add blackhole 10.1.3.0/26 proto bird
 *   ip route add 10.1.4.0/24 via 198.18.0.9 dev eth0 onlink proto bird metric 5
 *   ip route add 10.1.5.0/24 via 198.18.0.3 proto static
 *   ip route add 2001:db8:100::/48 nhid 8 proto bird
 *   ip route add blackhole 2001:db8:200::/48 proto bird
 * and an RTM_NEWROUTE for 10.200.0.0/24 via nexthop id 99999 (no such id).
 * Note the kernel adds RTA_GATEWAY/RTA_OIF to nexthop-object routes
 * (nexthop compat mode), and RTA_PREF/RTA_CACHEINFO to IPv6 ones.
 */
/* v4 route, proto 12, len 68 */
static const uint8_t kern_v4_nh[] __attribute__((aligned(4))) = {
	0x44, 0x00, 0x00, 0x00, 0x18, 0x00, 0x02, 0x00, 0x0c, 0x00, 0x00, 0x00,
	0xcf, 0x21, 0x00, 0x00, 0x02, 0x18, 0x00, 0x00, 0xfe, 0x0c, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x0f, 0x00, 0xfe, 0x00, 0x00, 0x00,
	0x08, 0x00, 0x01, 0x00, 0x0a, 0x01, 0x02, 0x00, 0x08, 0x00, 0x1e, 0x00,
	0x07, 0x00, 0x00, 0x00, 0x08, 0x00, 0x05, 0x00, 0xc6, 0x12, 0x00, 0x02,
	0x08, 0x00, 0x04, 0x00, 0x03, 0x00, 0x00, 0x00,
};
/* v4 route, proto 12, len 44 */
static const uint8_t kern_v4_blackhole[] __attribute__((aligned(4))) = {
	0x2c, 0x00, 0x00, 0x00, 0x18, 0x00, 0x02, 0x00, 0x0c, 0x00, 0x00, 0x00,
	0xcf, 0x21, 0x00, 0x00, 0x02, 0x1a, 0x00, 0x00, 0xfe, 0x0c, 0x00, 0x06,
	0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x0f, 0x00, 0xfe, 0x00, 0x00, 0x00,
	0x08, 0x00, 0x01, 0x00, 0x0a, 0x01, 0x03, 0x00,
};
/* v4 route, proto 12, len 68 */
static const uint8_t kern_v4_gw_onlink[] __attribute__((aligned(4))) = {
	0x44, 0x00, 0x00, 0x00, 0x18, 0x00, 0x02, 0x00, 0x0c, 0x00, 0x00, 0x00,
	0xcf, 0x21, 0x00, 0x00, 0x02, 0x18, 0x00, 0x00, 0xfe, 0x0c, 0x00, 0x01,
	0x04, 0x00, 0x00, 0x00, 0x08, 0x00, 0x0f, 0x00, 0xfe, 0x00, 0x00, 0x00,
	0x08, 0x00, 0x01, 0x00, 0x0a, 0x01, 0x04, 0x00, 0x08, 0x00, 0x06, 0x00,
	0x05, 0x00, 0x00, 0x00, 0x08, 0x00, 0x05, 0x00, 0xc6, 0x12, 0x00, 0x09,
	0x08, 0x00, 0x04, 0x00, 0x03, 0x00, 0x00, 0x00,
};
/* v4 route, proto 4, len 60 */
static const uint8_t kern_v4_static[] __attribute__((aligned(4))) = {
	0x3c, 0x00, 0x00, 0x00, 0x18, 0x00, 0x02, 0x00, 0x0c, 0x00, 0x00, 0x00,
	0xcf, 0x21, 0x00, 0x00, 0x02, 0x18, 0x00, 0x00, 0xfe, 0x04, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x0f, 0x00, 0xfe, 0x00, 0x00, 0x00,
	0x08, 0x00, 0x01, 0x00, 0x0a, 0x01, 0x05, 0x00, 0x08, 0x00, 0x05, 0x00,
	0xc6, 0x12, 0x00, 0x03, 0x08, 0x00, 0x04, 0x00, 0x03, 0x00, 0x00, 0x00,
};
/* v6 route, proto 12, len 144 */
static const uint8_t kern_v6_nh[] __attribute__((aligned(4))) = {
	0x90, 0x00, 0x00, 0x00, 0x18, 0x00, 0x02, 0x00, 0x14, 0x00, 0x00, 0x00,
	0xcf, 0x21, 0x00, 0x00, 0x0a, 0x30, 0x00, 0x00, 0xfe, 0x0c, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x0f, 0x00, 0xfe, 0x00, 0x00, 0x00,
	0x14, 0x00, 0x01, 0x00, 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x06, 0x00,
	0x00, 0x04, 0x00, 0x00, 0x08, 0x00, 0x1e, 0x00, 0x08, 0x00, 0x00, 0x00,
	0x14, 0x00, 0x05, 0x00, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x08, 0x00, 0x04, 0x00,
	0x03, 0x00, 0x00, 0x00, 0x24, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x05, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00,
};
/* v6 route, proto 12, len 116 */
static const uint8_t kern_v6_blackhole[] __attribute__((aligned(4))) = {
	0x74, 0x00, 0x00, 0x00, 0x18, 0x00, 0x02, 0x00, 0x14, 0x00, 0x00, 0x00,
	0xcf, 0x21, 0x00, 0x00, 0x0a, 0x30, 0x00, 0x00, 0xfe, 0x0c, 0x00, 0x06,
	0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x0f, 0x00, 0xfe, 0x00, 0x00, 0x00,
	0x14, 0x00, 0x01, 0x00, 0x20, 0x01, 0x0d, 0xb8, 0x02, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x06, 0x00,
	0x00, 0x04, 0x00, 0x00, 0x08, 0x00, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x24, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x05, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00,
};
/* nexthop, proto 12, len 48 */
static const uint8_t kern_nh_v4[] __attribute__((aligned(4))) = {
	0x30, 0x00, 0x00, 0x00, 0x68, 0x00, 0x02, 0x00, 0x32, 0x00, 0x00, 0x00,
	0xcf, 0x21, 0x00, 0x00, 0x02, 0xfd, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x08, 0x00, 0x01, 0x00, 0x07, 0x00, 0x00, 0x00, 0x08, 0x00, 0x05, 0x00,
	0x03, 0x00, 0x00, 0x00, 0x08, 0x00, 0x06, 0x00, 0xc6, 0x12, 0x00, 0x02,
};
/* nexthop, proto 12, len 60 */
static const uint8_t kern_nh_v6[] __attribute__((aligned(4))) = {
	0x3c, 0x00, 0x00, 0x00, 0x68, 0x00, 0x02, 0x00, 0x32, 0x00, 0x00, 0x00,
	0xcf, 0x21, 0x00, 0x00, 0x0a, 0xfd, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x08, 0x00, 0x01, 0x00, 0x08, 0x00, 0x00, 0x00, 0x08, 0x00, 0x05, 0x00,
	0x03, 0x00, 0x00, 0x00, 0x14, 0x00, 0x06, 0x00, 0x20, 0x01, 0x0d, 0xb8,
	0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
};
/* error ack, len 68 */
static const uint8_t kern_err_nh[] __attribute__((aligned(4))) = {
	0x44, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x03, 0x3c, 0x00, 0x00, 0x00,
	0xcf, 0x21, 0x00, 0x00, 0xea, 0xff, 0xff, 0xff, 0x2c, 0x00, 0x00, 0x00,
	0x18, 0x00, 0x05, 0x05, 0x3c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x1e, 0x00, 0x01, 0x00, 0x4e, 0x65, 0x78, 0x74, 0x68, 0x6f, 0x70, 0x20,
	0x69, 0x64, 0x20, 0x64, 0x6f, 0x65, 0x73, 0x20, 0x6e, 0x6f, 0x74, 0x20,
	0x65, 0x78, 0x69, 0x73, 0x74, 0x00, 0x00, 0x00,
};

/* A successful ack (capped: only the request's header follows). */
static const uint8_t kern_ack_ok[] __attribute__((aligned(4))) = {
	0x24, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x01, 0x3d, 0x00, 0x00, 0x00,
	0xcf, 0x21, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00,
	0x18, 0x00, 0x05, 0x05, 0x3d, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static const struct nlmsghdr *
H(const void *p)
{
	return p;
}

static struct prefix
P(const char *s)
{
	struct prefix p;

	ck_assert_int_eq(prefix_parse(s, &p), 0);
	return p;
}

static struct addr
A(const char *s)
{
	struct addr a;

	ck_assert_int_eq(addr_parse(s, &a), 0);
	return a;
}

static void
route_eq(const struct nl_route *a, const struct nl_route *b)
{
	ck_assert(prefix_eq(&a->dst, &b->dst));
	ck_assert_int_eq(a->type, b->type);
	ck_assert_uint_eq(a->nh_id, b->nh_id);
	ck_assert(addr_eq(&a->gw, &b->gw));
	ck_assert_uint_eq(a->oif, b->oif);
	ck_assert_int_eq(a->onlink, b->onlink);
	ck_assert_uint_eq(a->priority, b->priority);
}

/* Encode rt, parse it back as the kernel would echo it: equal. */
static void
round_trip(const struct nl_route *rt, uint32_t table)
{
	uint8_t buf[512] __attribute__((aligned(4)));
	struct nlmsghdr *nlh;
	struct nl_route got;

	nlh = nl_route_encode(buf, sizeof(buf), RTM_NEWROUTE, NLM_F_CREATE |
	    NLM_F_REPLACE, 1, rt, PROTO, table);
	ck_assert_ptr_nonnull(nlh);
	ck_assert(nl_nlmsg_ok(nlh, (int)nlh->nlmsg_len));
	ck_assert_int_eq(nl_route_parse(nlh, PROTO, table, &got), NL_OURS);
	route_eq(&got, rt);
	ck_assert_int_eq(nl_route_parse(nlh, PROTO + 1, table, &got),
	    NL_FOREIGN);
	ck_assert_int_eq(nl_route_parse(nlh, PROTO, table + 1, &got),
	    NL_FOREIGN);
}

/* mnl attribute table of a request, for the checks below */
struct attrs {
	const struct nlattr *tb[RTA_MAX + 1];
	int n;
};

static int
attr_cb(const struct nlattr *a, void *arg)
{
	struct attrs *at = arg;

	if (mnl_attr_type_valid(a, RTA_MAX) > 0)
		at->tb[mnl_attr_get_type(a)] = a;
	at->n++;
	return MNL_CB_OK;
}

static struct rtmsg *
read_back(struct nlmsghdr *nlh, struct attrs *at)
{
	memset(at, 0, sizeof(*at));
	ck_assert_int_eq(mnl_attr_parse(nlh, sizeof(struct rtmsg), attr_cb,
	    at), MNL_CB_OK);
	return mnl_nlmsg_get_payload(nlh);
}

START_TEST(t_encode_v4_nh_bytes)
{
	static const uint8_t want[] = {
		0x2c, 0, 0, 0,  24, 0,  0x05, 0x05,  0x2a, 0, 0, 0,  0, 0, 0, 0,
		2, 24, 0, 0, 254, PROTO, RT_SCOPE_UNIVERSE, RTN_UNICAST,
		0, 0, 0, 0,
		8, 0, RTA_DST, 0,  10, 1, 2, 0,
		8, 0, RTA_NH_ID, 0,  7, 0, 0, 0,
	};
	struct nl_route rt = { .dst = P("10.1.2.0/24"), .nh_id = 7 };
	uint8_t buf[256] __attribute__((aligned(4)));
	struct nlmsghdr *nlh;

	nlh = nl_route_encode(buf, sizeof(buf), RTM_NEWROUTE, NLM_F_ACK |
	    NLM_F_CREATE | NLM_F_REPLACE, 42, &rt, PROTO, MAIN);
	ck_assert_ptr_nonnull(nlh);
	ck_assert_uint_eq(nlh->nlmsg_len, sizeof(want));
	ck_assert_mem_eq(buf, want, sizeof(want));
	round_trip(&rt, MAIN);
}
END_TEST

/* What we install compares equal to what the kernel dumps back. */
START_TEST(t_encode_matches_kernel)
{
	struct nl_route rt = { .dst = P("10.1.2.0/24"), .nh_id = 7 }, got;
	struct nl_route v6 = { .dst = P("2001:db8:100::/48"), .nh_id = 8,
	    .priority = 1024 };

	ck_assert_int_eq(nl_route_parse(H(kern_v4_nh), PROTO, MAIN, &got),
	    NL_OURS);
	route_eq(&got, &rt);	/* the compat gateway/oif are dropped */
	ck_assert_int_eq(nl_route_parse(H(kern_v6_nh), PROTO, MAIN, &got),
	    NL_OURS);
	route_eq(&got, &v6);
}
END_TEST

START_TEST(t_encode_table)
{
	struct nl_route rt = { .dst = P("10.1.2.0/24"), .nh_id = 7 };
	uint8_t buf[256] __attribute__((aligned(4)));
	struct nlmsghdr *nlh;
	struct attrs at;
	struct rtmsg *rtm;

	nlh = nl_route_encode(buf, sizeof(buf), RTM_NEWROUTE, NLM_F_CREATE,
	    1, &rt, PROTO, 1000);
	ck_assert_ptr_nonnull(nlh);
	rtm = read_back(nlh, &at);
	ck_assert_uint_eq(rtm->rtm_table, RT_TABLE_UNSPEC);
	ck_assert_ptr_nonnull(at.tb[RTA_TABLE]);
	ck_assert_uint_eq(mnl_attr_get_u32(at.tb[RTA_TABLE]), 1000);
	ck_assert_uint_eq(mnl_attr_get_u32(at.tb[RTA_NH_ID]), 7);
	ck_assert_ptr_null(at.tb[RTA_GATEWAY]);
	ck_assert_ptr_null(at.tb[RTA_OIF]);
	round_trip(&rt, 1000);
	round_trip(&rt, 255);
}
END_TEST

START_TEST(t_encode_blackhole)
{
	struct nl_route rt = { .dst = P("10.244.1.0/26"),
	    .type = NL_RT_BLACKHOLE, .nh_id = 9 };
	struct nl_route v6 = { .dst = P("2001:db8:200::/48"),
	    .type = NL_RT_BLACKHOLE, .priority = 1024 };
	uint8_t buf[256] __attribute__((aligned(4)));
	struct nlmsghdr *nlh;
	struct attrs at;
	struct rtmsg *rtm;

	nlh = nl_route_encode(buf, sizeof(buf), RTM_NEWROUTE, NLM_F_CREATE,
	    1, &rt, PROTO, MAIN);
	ck_assert_ptr_nonnull(nlh);
	rtm = read_back(nlh, &at);
	ck_assert_uint_eq(rtm->rtm_type, RTN_BLACKHOLE);
	ck_assert_int_eq(at.n, 1);		/* RTA_DST only */
	rt.nh_id = 0;				/* not sent for a blackhole */
	round_trip(&rt, MAIN);
	round_trip(&v6, MAIN);
}
END_TEST

START_TEST(t_encode_v6_gateway)
{
	struct nl_route rt = { .dst = P("2001:db8:100::/48"),
	    .gw = A("2001:db8:1::2"), .oif = 3, .onlink = true,
	    .priority = 7 };
	uint8_t buf[256] __attribute__((aligned(4)));
	struct nlmsghdr *nlh;
	struct attrs at;
	struct rtmsg *rtm;

	nlh = nl_route_encode(buf, sizeof(buf), RTM_NEWROUTE, NLM_F_CREATE,
	    1, &rt, PROTO, MAIN);
	ck_assert_ptr_nonnull(nlh);
	rtm = read_back(nlh, &at);
	ck_assert_uint_eq(rtm->rtm_family, AF_INET6);
	ck_assert_uint_eq(rtm->rtm_dst_len, 48);
	ck_assert_uint_eq(rtm->rtm_flags, RTNH_F_ONLINK);
	ck_assert_uint_eq(mnl_attr_get_payload_len(at.tb[RTA_DST]), 16);
	ck_assert_mem_eq(mnl_attr_get_payload(at.tb[RTA_GATEWAY]), rt.gw.b,
	    16);
	ck_assert_uint_eq(mnl_attr_get_u32(at.tb[RTA_OIF]), 3);
	ck_assert_uint_eq(mnl_attr_get_u32(at.tb[RTA_PRIORITY]), 7);
	round_trip(&rt, MAIN);
}
END_TEST

START_TEST(t_encode_delete)
{
	struct nl_route rt = { .dst = P("10.1.2.0/24"), .nh_id = 7,
	    .gw = A("10.0.0.1"), .priority = 5 };
	struct nl_route def = { .dst = P("0.0.0.0/0"), .gw = A("10.0.0.1") };
	uint8_t buf[256] __attribute__((aligned(4)));
	struct nlmsghdr *nlh;
	struct attrs at;
	struct rtmsg *rtm;

	nlh = nl_route_encode(buf, sizeof(buf), RTM_DELROUTE, 0, 1, &rt,
	    PROTO, MAIN);
	ck_assert_ptr_nonnull(nlh);
	ck_assert_uint_eq(nlh->nlmsg_type, RTM_DELROUTE);
	rtm = read_back(nlh, &at);
	/* any scope and type, but only our protocol */
	ck_assert_uint_eq(rtm->rtm_scope, RT_SCOPE_NOWHERE);
	ck_assert_uint_eq(rtm->rtm_type, RTN_UNSPEC);
	ck_assert_uint_eq(rtm->rtm_protocol, PROTO);
	ck_assert_int_eq(at.n, 2);		/* RTA_DST, RTA_PRIORITY */
	ck_assert_ptr_null(at.tb[RTA_NH_ID]);
	ck_assert_ptr_null(at.tb[RTA_GATEWAY]);
	round_trip(&def, MAIN);			/* no RTA_DST at all */
}
END_TEST

START_TEST(t_encode_invalid)
{
	struct nl_route rt = { .dst = P("10.1.2.0/24"),
	    .gw = A("2001:db8::1") };
	uint8_t buf[256] __attribute__((aligned(4)));

	ck_assert(!nl_route_valid(&rt));	/* v4 route, v6 gateway */
	ck_assert_ptr_null(nl_route_encode(buf, sizeof(buf), RTM_NEWROUTE, 0,
	    1, &rt, PROTO, MAIN));
	rt.gw = A("10.0.0.1");
	rt.dst.len = 33;
	ck_assert(!nl_route_valid(&rt));
	rt.dst.len = 24;
	rt.dst.af = 0;
	ck_assert(!nl_route_valid(&rt));
	rt.dst.af = AF_INET;
	rt.type = NL_RT_OTHER;
	ck_assert(!nl_route_valid(&rt));
}
END_TEST

/* Every buffer too small fails without writing past its end. */
START_TEST(t_encode_bounds)
{
	struct nl_route rt = { .dst = P("2001:db8:100::/48"),
	    .gw = A("2001:db8:1::2"), .oif = 3, .priority = 7 };
	struct nl_nexthop nh = { .id = 7, .gw = A("2001:db8:1::2"), .oif = 3 };
	uint8_t buf[512] __attribute__((aligned(4)));
	struct nlmsghdr *full;
	size_t need, nneed;

	full = nl_route_encode(buf, sizeof(buf), RTM_NEWROUTE, 0, 1, &rt,
	    PROTO, 1000);
	need = full->nlmsg_len;
	nneed = nl_nh_encode(buf, sizeof(buf), RTM_NEWNEXTHOP, 0, 1, &nh,
	    PROTO)->nlmsg_len;
	for (size_t len = 0; len < need; len++) {
		memset(buf, 0xaa, sizeof(buf));
		ck_assert_ptr_null(nl_route_encode(buf, len, RTM_NEWROUTE, 0, 1,
		    &rt, PROTO, 1000));
		for (size_t i = len; i < sizeof(buf); i++)
			ck_assert_uint_eq(buf[i], 0xaa);
	}
	for (size_t len = 0; len < nneed; len++) {
		memset(buf, 0xaa, sizeof(buf));
		ck_assert_ptr_null(nl_nh_encode(buf, len, RTM_NEWNEXTHOP, 0, 1,
		    &nh, PROTO));
		for (size_t i = len; i < sizeof(buf); i++)
			ck_assert_uint_eq(buf[i], 0xaa);
	}
	ck_assert_ptr_nonnull(nl_route_encode(buf, need, RTM_NEWROUTE, 0, 1,
	    &rt, PROTO, 1000));
}
END_TEST

START_TEST(t_encode_nexthop)
{
	static const uint8_t want[] = {
		0x30, 0, 0, 0,  104, 0,  0x05, 0x05,  9, 0, 0, 0,  0, 0, 0, 0,
		2, 0, PROTO, 0,  RTNH_F_ONLINK, 0, 0, 0,
		8, 0, NHA_ID, 0,  7, 0, 0, 0,
		8, 0, NHA_GATEWAY, 0,  198, 18, 0, 2,
		8, 0, NHA_OIF, 0,  3, 0, 0, 0,
	};
	struct nl_nexthop nh = { .id = 7, .gw = A("198.18.0.2"), .oif = 3,
	    .onlink = true }, got;
	uint8_t buf[256] __attribute__((aligned(4)));
	struct nlmsghdr *nlh;

	nlh = nl_nh_encode(buf, sizeof(buf), RTM_NEWNEXTHOP, NLM_F_ACK |
	    NLM_F_CREATE | NLM_F_REPLACE, 9, &nh, PROTO);
	ck_assert_ptr_nonnull(nlh);
	ck_assert_uint_eq(nlh->nlmsg_len, sizeof(want));
	ck_assert_mem_eq(buf, want, sizeof(want));
	ck_assert_int_eq(nl_nh_parse(nlh, PROTO, &got), NL_OURS);
	ck_assert_uint_eq(got.id, 7);
	ck_assert(addr_eq(&got.gw, &nh.gw));
	ck_assert_uint_eq(got.oif, 3);
	ck_assert(got.onlink);
	nh.oif = 0;	/* the kernel requires a device */
	ck_assert_ptr_null(nl_nh_encode(buf, sizeof(buf), RTM_NEWNEXTHOP, 0,
	    1, &nh, PROTO));
}
END_TEST

START_TEST(t_encode_nexthop_del)
{
	static const uint8_t want[] = {
		0x20, 0, 0, 0,  105, 0,  0x05, 0,  9, 0, 0, 0,  0, 0, 0, 0,
		0, 0, 0, 0,  0, 0, 0, 0,	/* the kernel wants all zero */
		8, 0, NHA_ID, 0,  7, 0, 0, 0,
	};
	struct nl_nexthop nh = { .id = 7, .gw = A("198.18.0.2"), .oif = 3 };
	uint8_t buf[256] __attribute__((aligned(4)));
	struct nlmsghdr *nlh;

	nlh = nl_nh_encode(buf, sizeof(buf), RTM_DELNEXTHOP, NLM_F_ACK, 9, &nh,
	    PROTO);
	ck_assert_ptr_nonnull(nlh);
	ck_assert_uint_eq(nlh->nlmsg_len, sizeof(want));
	ck_assert_mem_eq(buf, want, sizeof(want));
}
END_TEST

START_TEST(t_encode_requests)
{
	uint8_t buf[256] __attribute__((aligned(4)));
	struct addr gw = A("2001:db8:1::2");
	struct nlmsghdr *nlh;
	struct attrs at;
	struct rtmsg *rtm;

	nlh = nl_route_dump_encode(buf, sizeof(buf), 3, AF_INET6, PROTO, MAIN);
	ck_assert_uint_eq(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	rtm = read_back(nlh, &at);
	ck_assert_uint_eq(rtm->rtm_protocol, PROTO);
	ck_assert_uint_eq(rtm->rtm_table, MAIN);
	ck_assert_int_eq(at.n, 0);
	nlh = nl_route_dump_encode(buf, sizeof(buf), 3, AF_INET, PROTO, 1000);
	rtm = read_back(nlh, &at);
	ck_assert_uint_eq(rtm->rtm_table, 0);
	ck_assert_uint_eq(mnl_attr_get_u32(at.tb[RTA_TABLE]), 1000);
	nlh = nl_getroute_encode(buf, sizeof(buf), 4, &gw);
	ck_assert_uint_eq(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	rtm = read_back(nlh, &at);
	ck_assert_uint_eq(rtm->rtm_dst_len, 128);
	ck_assert_uint_eq(rtm->rtm_table | rtm->rtm_protocol | rtm->rtm_type,
	    0);
	ck_assert_mem_eq(mnl_attr_get_payload(at.tb[RTA_DST]), gw.b, 16);
	nlh = nl_nh_dump_encode(buf, sizeof(buf), 5);
	ck_assert_uint_eq(nlh->nlmsg_type, RTM_GETNEXTHOP);
	ck_assert_uint_eq(nlh->nlmsg_len, NL_HDRLEN + sizeof(struct nhmsg));
}
END_TEST

START_TEST(t_parse_kernel_routes)
{
	struct nl_route got;
	struct nl_route bh = { .dst = P("10.1.3.0/26"),
	    .type = NL_RT_BLACKHOLE };
	struct nl_route gw = { .dst = P("10.1.4.0/24"), .gw = A("198.18.0.9"),
	    .oif = 3, .onlink = true, .priority = 5 };
	struct nl_route bh6 = { .dst = P("2001:db8:200::/48"),
	    .type = NL_RT_BLACKHOLE, .priority = 1024 };
	uint32_t oif = 0;

	ck_assert_int_eq(nl_route_parse(H(kern_v4_blackhole), PROTO, MAIN,
	    &got), NL_OURS);
	route_eq(&got, &bh);
	ck_assert_int_eq(nl_route_parse(H(kern_v4_gw_onlink), PROTO, MAIN,
	    &got), NL_OURS);
	route_eq(&got, &gw);
	ck_assert_int_eq(nl_route_parse(H(kern_v6_blackhole), PROTO, MAIN,
	    &got), NL_OURS);
	route_eq(&got, &bh6);
	ck_assert_int_eq(nl_route_parse(H(kern_v4_static), PROTO, MAIN, &got),
	    NL_FOREIGN);
	ck_assert_int_eq(nl_route_parse(H(kern_v4_static), 4, MAIN, &got),
	    NL_OURS);
	ck_assert_int_eq(nl_getroute_parse(H(kern_v4_nh), &oif), 0);
	ck_assert_uint_eq(oif, 3);
	ck_assert_int_eq(nl_getroute_parse(H(kern_v4_blackhole), &oif), -1);
}
END_TEST

/*
 * A blackhole that names a nexthop object (found by tests/fuzz/fuzz_nl):
 * parsed without it, so it encodes back to what was parsed.
 */
START_TEST(t_parse_blackhole_with_nh_id)
{
	uint8_t b[sizeof(kern_v4_nh)] __attribute__((aligned(4)));
	struct nl_route bh = { .dst = P("10.1.2.0/24"),
	    .type = NL_RT_BLACKHOLE };
	struct nl_route got;

	memcpy(b, kern_v4_nh, sizeof(b));
	b[23] = RTN_BLACKHOLE;		/* rtm_type; RTA_NH_ID 7 stays */
	ck_assert_int_eq(nl_route_parse(H(b), PROTO, MAIN, &got), NL_OURS);
	route_eq(&got, &bh);
	round_trip(&got, MAIN);
}
END_TEST

START_TEST(t_parse_kernel_nexthops)
{
	struct nl_nexthop nh;
	struct nl_route rt;

	ck_assert_int_eq(nl_nh_parse(H(kern_nh_v4), PROTO, &nh), NL_OURS);
	ck_assert_uint_eq(nh.id, 7);
	ck_assert_uint_eq(nh.oif, 3);
	ck_assert(!nh.onlink && !nh.blackhole);
	ck_assert_uint_eq(addr_v4(&nh.gw), 0xc6120002);
	ck_assert_int_eq(nl_nh_parse(H(kern_nh_v6), PROTO, &nh), NL_OURS);
	ck_assert_uint_eq(nh.id, 8);
	ck_assert_uint_eq(nh.gw.af, AF_INET6);
	ck_assert_int_eq(nl_nh_parse(H(kern_nh_v6), 3, &nh), NL_FOREIGN);
	ck_assert_int_eq(nl_nh_parse(H(kern_v4_nh), PROTO, &nh), NL_FOREIGN);
	ck_assert_int_eq(nl_route_parse(H(kern_nh_v4), PROTO, MAIN, &rt),
	    NL_FOREIGN);
}
END_TEST

START_TEST(t_parse_acks)
{
	uint8_t b[sizeof(kern_err_nh)] __attribute__((aligned(4)));
	const char *msg;
	int err = 1;

	ck_assert_int_eq(nl_ack_parse(H(kern_err_nh), sizeof(kern_err_nh),
	    &err), 0);
	ck_assert_int_eq(err, -EINVAL);
	msg = nl_ack_msg(H(kern_err_nh), sizeof(kern_err_nh));
	ck_assert_ptr_nonnull(msg);
	ck_assert_str_eq(msg, "Nexthop id does not exist");
	ck_assert_int_eq(nl_ack_parse(H(kern_ack_ok), sizeof(kern_ack_ok),
	    &err), 0);
	ck_assert_int_eq(err, 0);
	ck_assert_ptr_null(nl_ack_msg(H(kern_ack_ok), sizeof(kern_ack_ok)));
	/* cut before the error code; not an error message; silly codes */
	ck_assert_int_eq(nl_ack_parse(H(kern_err_nh), 19, &err), -1);
	ck_assert_int_eq(nl_ack_parse(H(kern_v4_nh), sizeof(kern_v4_nh), &err),
	    -1);
	memcpy(b, kern_err_nh, sizeof(b));
	b[16] = 5;
	b[17] = b[18] = b[19] = 0;
	ck_assert_int_eq(nl_ack_parse(H(b), sizeof(b), &err), -1);
	/* the message without its NUL; a TLV running past the end */
	memcpy(b, kern_err_nh, sizeof(b));
	b[65] = 'x';
	ck_assert_ptr_null(nl_ack_msg(H(b), sizeof(b)));
	memcpy(b, kern_err_nh, sizeof(b));
	b[36] = 0x40;
	ck_assert_ptr_null(nl_ack_msg(H(b), sizeof(b)));
	ck_assert_ptr_null(nl_ack_msg(H(kern_err_nh), 40));
}
END_TEST

/*
 * Hostile variants of the captures: patch up to two places and/or cut the
 * message (nlmsg_len and the buffer both shrink). Offsets in kern_v4_nh:
 * rtmsg at 16 (family 16, dst_len 17, src_len 18, table 20, protocol 21,
 * flags 24..27); attributes RTA_TABLE 28, RTA_DST 36, RTA_NH_ID 44,
 * RTA_GATEWAY 52, RTA_OIF 60 (8 bytes each, nla_len first, then type).
 * kern_v6_nh: RTA_DST 36 (20 bytes), RTA_GATEWAY 72 (20). kern_nh_v4: nhmsg
 * at 16 (family 16, protocol 18); NHA_ID 24, NHA_OIF 32, NHA_GATEWAY 40.
 */
struct patch {
	uint16_t	off;		/* byte offset; 0: none */
	uint8_t		n;		/* bytes */
	uint8_t		b[2];
};

struct hvec {
	const char	*name;
	const uint8_t	*msg;		/* a capture */
	size_t		 len;		/* its length */
	bool		 nexthop;	/* parse as nexthop, else route */
	struct patch	 p[2];
	size_t		 cut;		/* new length; 0: keep */
	uint32_t	 table;		/* asked for; 0: main */
	enum nl_verdict	 want;
};

#define V4	kern_v4_nh, sizeof(kern_v4_nh), false
#define V6	kern_v6_nh, sizeof(kern_v6_nh), false
#define NH	kern_nh_v4, sizeof(kern_nh_v4), true
#define P1(o, x)	{ { (o), 1, { (x), 0 } } }
#define P2(o, x, y)	{ { (o), 2, { (x), (y) } } }

static const struct hvec hvecs[] = {
	{ "as captured", V4, { { 0 } }, 0, 0, NL_OURS },
	{ "NH_ID of 2 bytes", V4, P2(44, 6, 0), 0, 0, NL_BAD },
	{ "DST of 3 bytes", V4, P2(36, 7, 0), 0, 0, NL_BAD },
	{ "last attribute past the end", V4, P2(60, 12, 0), 0, 0, NL_BAD },
	{ "nla_len 2", V4, P2(52, 2, 0), 0, 0, NL_BAD },
	{ "nla_len 0", V4, P2(28, 0, 0), 0, 0, NL_BAD },
	{ "cut inside the last attribute", V4, { { 0 } }, 66, 0, NL_BAD },
	{ "2 stray bytes at the end", V4, { { 0 } }, 62, 0, NL_BAD },
	{ "cut at an attribute boundary", V4, { { 0 } }, 60, 0, NL_OURS },
	{ "cut inside rtmsg", V4, { { 0 } }, 24, 0, NL_BAD },
	{ "header only", V4, { { 0 } }, 16, 0, NL_BAD },
	{ "dst_len 33", V4, P1(17, 33), 0, 0, NL_BAD },
	{ "host bits set", V4, P1(17, 16), 0, 0, NL_BAD },
	{ "RTA_DST missing", V4, P2(38, 0xfa, 0), 0, 0, NL_BAD },
	{ "RTA_NH_ID twice", V4, P2(54, RTA_NH_ID, 0), 0, 0, NL_BAD },
	{ "unknown type skipped", V4, P2(62, 0xff, 0x7f), 0, 0, NL_OURS },
	{ "foreign protocol", V4, P1(21, 4), 0, 0, NL_FOREIGN },
	{ "foreign protocol, bad attrs", V4,
	    { { 21, 1, { 4, 0 } }, { 44, 2, { 2, 0 } } }, 0, 0, NL_FOREIGN },
	{ "RTA_TABLE 100", V4, P1(32, 100), 0, 0, NL_FOREIGN },
	{ "RTA_TABLE 100 wins over rtm_table", V4, P1(32, 100), 0, 100,
	    NL_OURS },
	{ "rtm_table only (no RTA_TABLE)", V4, P2(30, 0xf0, 0), 0, 0,
	    NL_OURS },
	{ "rtm_table 100 only", V4,
	    { { 30, 2, { 0xf0, 0 } }, { 20, 1, { 100, 0 } } }, 0, 0,
	    NL_FOREIGN },
	{ "family 7", V4, P1(16, 7), 0, 0, NL_FOREIGN },
	{ "cloned", V4, P1(25, 0x02), 0, 0, NL_FOREIGN },
	{ "source-specific", V4, P1(18, 8), 0, 0, NL_FOREIGN },
	{ "not a route message", V4, P2(4, RTM_GETROUTE, 0), 0, 0,
	    NL_FOREIGN },
	{ "v6 as captured", V6, { { 0 } }, 0, 0, NL_OURS },
	{ "v6 DST of 4 bytes", V6, P2(36, 8, 0), 0, 0, NL_BAD },
	{ "v6 GATEWAY of 4 bytes", V6, P2(72, 8, 0), 0, 0, NL_BAD },
	{ "v6 dst_len 129", V6, P1(17, 129), 0, 0, NL_BAD },
	{ "v6 as v4: DST too long", V6, P1(16, AF_INET), 0, 0, NL_BAD },
	{ "nh as captured", NH, { { 0 } }, 0, 0, NL_OURS },
	{ "nh foreign protocol", NH, P1(18, 4), 0, 0, NL_FOREIGN },
	{ "nh without NHA_ID", NH, P2(26, 0x7f, 0), 0, 0, NL_BAD },
	{ "nh gateway, family 0", NH, P1(16, 0), 0, 0, NL_BAD },
	{ "nh OIF of 2 bytes", NH, P2(32, 6, 0), 0, 0, NL_BAD },
	{ "nh NHA_ID twice", NH, P2(34, NHA_ID, 0), 0, 0, NL_BAD },
	{ "nh cut at a boundary", NH, { { 0 } }, 40, 0, NL_OURS },
	{ "nh cut inside GATEWAY", NH, { { 0 } }, 44, 0, NL_BAD },
	{ "nh cut inside nhmsg", NH, { { 0 } }, 20, 0, NL_BAD },
	{ "nh not a nexthop message", NH, P2(4, RTM_NEWROUTE, 0), 0, 0,
	    NL_FOREIGN },
};

/* The capture, patched and cut, in a heap buffer of exactly its size. */
static uint8_t *
hvec_build(const struct hvec *v, size_t *lenp)
{
	size_t len = v->cut ? v->cut : v->len;
	uint8_t *b = malloc(len);
	uint32_t l32 = (uint32_t)len;

	ck_assert_ptr_nonnull(b);
	memcpy(b, v->msg, len);
	for (size_t i = 0; i < NITEMS(v->p); i++)
		if (v->p[i].off != 0)
			memcpy(b + v->p[i].off, v->p[i].b, v->p[i].n);
	memcpy(b, &l32, sizeof(l32));
	*lenp = len;
	return b;
}

START_TEST(t_hostile)
{
	const struct hvec *v = &hvecs[_i];
	struct nl_nexthop nh;
	struct nl_route rt;
	enum nl_verdict got;
	uint8_t *b;
	size_t len;

	b = hvec_build(v, &len);
	ck_assert_msg(nl_nlmsg_ok(H(b), (int)len), "%s: framing", v->name);
	if (v->nexthop)
		got = nl_nh_parse(H(b), PROTO, &nh);
	else
		got = nl_route_parse(H(b), PROTO, v->table ? v->table : MAIN,
		    &rt);
	ck_assert_msg(got == v->want, "%s: got %s, want %s", v->name,
	    nl_verdict_name(got), nl_verdict_name(v->want));
	free(b);
}
END_TEST

static const struct {
	const uint8_t	*msg;
	size_t		 len;
} captures[] = {
	{ kern_v4_nh, sizeof(kern_v4_nh) },
	{ kern_v4_blackhole, sizeof(kern_v4_blackhole) },
	{ kern_v4_gw_onlink, sizeof(kern_v4_gw_onlink) },
	{ kern_v4_static, sizeof(kern_v4_static) },
	{ kern_v6_nh, sizeof(kern_v6_nh) },
	{ kern_v6_blackhole, sizeof(kern_v6_blackhole) },
	{ kern_nh_v4, sizeof(kern_nh_v4) },
	{ kern_nh_v6, sizeof(kern_nh_v6) },
	{ kern_err_nh, sizeof(kern_err_nh) },
	{ kern_ack_ok, sizeof(kern_ack_ok) },
};

/*
 * Where a message of fixed header length fixed (the rtmsg or nhmsg) may
 * end and still be whole: right after that header, or after any of its
 * attributes, with all, some or none of the attribute's padding (the
 * kernel's nla_ok() walk accepts the same).
 */
static bool
at_boundary(const uint8_t *msg, size_t full, size_t fixed, size_t cut)
{
	size_t off = NL_HDRLEN + fixed;
	uint16_t alen;

	if (cut == off)
		return true;
	while (off + sizeof(alen) <= full) {
		memcpy(&alen, msg + off, sizeof(alen));
		if (alen < 4)
			break;
		if (cut >= off + alen && cut <= off + NL_ALIGN(alen))
			return true;
		off += NL_ALIGN(alen);
	}
	return false;
}

/* A route or nexthop capture cut to len, nlmsg_len saying len. */
static void
trunc_route_nh(const uint8_t *full, size_t fulllen, const uint8_t *b,
    size_t len)
{
	uint16_t type = H(full)->nlmsg_type;
	bool route = type == RTM_NEWROUTE;
	size_t fixed = route ? sizeof(struct rtmsg) : sizeof(struct nhmsg);
	enum nl_verdict whole, got, want;
	struct nl_nexthop nh;
	struct nl_route rt;
	uint32_t oif;
	int err;

	whole = route ? nl_route_parse(H(full), PROTO, MAIN, &rt) :
	    nl_nh_parse(H(full), PROTO, &nh);
	got = route ? nl_route_parse(H(b), PROTO, MAIN, &rt) :
	    nl_nh_parse(H(b), PROTO, &nh);
	if (len < NL_HDRLEN + fixed)
		want = NL_BAD;		/* cut inside the fixed header */
	else if (whole == NL_FOREIGN)
		want = NL_FOREIGN;	/* decided by the fixed header */
	else if (!at_boundary(full, fulllen, fixed, len))
		want = NL_BAD;		/* cut inside an attribute */
	else
		want = got;		/* a shorter whole message */
	ck_assert_msg(got == want, "type %u cut at %zu: %s, want %s", type,
	    len, nl_verdict_name(got), nl_verdict_name(want));
	/* not a message of the other kinds, whatever its length */
	ck_assert_int_eq(route ? nl_nh_parse(H(b), PROTO, &nh) :
	    nl_route_parse(H(b), PROTO, MAIN, &rt), NL_FOREIGN);
	ck_assert_int_eq(nl_ack_parse(H(b), len, &err), -1);
	ck_assert_ptr_null(nl_ack_msg(H(b), len));
	if (!route || len < NL_HDRLEN + fixed ||
	    !at_boundary(full, fulllen, fixed, len))
		ck_assert_int_eq(nl_getroute_parse(H(b), &oif), -1);
}

/*
 * An ack cut to len, nlmsg_len saying len: its error code is read once
 * the error field is there (nlmsg.h: a capped ack), its text only once
 * the whole NLMSGERR_ATTR_MSG attribute is.
 */
static void
trunc_ack(const uint8_t *full, size_t fulllen, const uint8_t *b, size_t len)
{
	const char *text = nl_ack_msg(H(full), fulllen), *got;
	size_t text_end = 0;
	struct nl_nexthop nh;
	struct nl_route rt;
	int err, want;

	ck_assert_int_eq(nl_ack_parse(H(full), fulllen, &want), 0);
	if (text != NULL)
		text_end = (size_t)(text - (const char *)full) +
		    strlen(text) + 1;
	if (len < NL_HDRLEN + sizeof(err)) {
		ck_assert_int_eq(nl_ack_parse(H(b), len, &err), -1);
	} else {
		ck_assert_int_eq(nl_ack_parse(H(b), len, &err), 0);
		ck_assert_int_eq(err, want);
	}
	got = nl_ack_msg(H(b), len);
	if (text == NULL || len < text_end) {
		ck_assert_msg(got == NULL, "ack cut at %zu: text \"%s\"", len,
		    got);
	} else {
		ck_assert_ptr_nonnull(got);
		ck_assert_str_eq(got, text);
	}
	ck_assert_int_eq(nl_route_parse(H(b), PROTO, MAIN, &rt), NL_FOREIGN);
	ck_assert_int_eq(nl_nh_parse(H(b), PROTO, &nh), NL_FOREIGN);
}

/*
 * Truncation sweep: every capture cut at every length in exact-size heap
 * buffers (ASan sees any read past the end). With nlmsg_len left as
 * captured, the datagram walk refuses the message and an ack keeps only
 * its error code (nl.c's truncated-ack path); with nlmsg_len set to the
 * cut, a cut inside the fixed header or inside an attribute is
 * malformed, and a cut at an attribute boundary is a shorter message
 * that is judged as such (see t_hostile for their verdicts).
 */
START_TEST(t_truncation_sweep)
{
	int err;

	for (size_t c = 0; c < NITEMS(captures); c++) {
		const uint8_t *full = captures[c].msg;
		uint16_t type = H(full)->nlmsg_type;

		ck_assert(type == RTM_NEWROUTE || type == RTM_NEWNEXTHOP ||
		    type == NLMSG_ERROR);
		for (size_t len = 0; len < captures[c].len; len++) {
			uint8_t *b = malloc(len > 0 ? len : 1);
			uint32_t l32 = (uint32_t)len;

			ck_assert_ptr_nonnull(b);
			memcpy(b, full, len);
			ck_assert_msg(!nl_nlmsg_ok(H(b), (int)len),
			    "capture %zu cut at %zu framed", c, len);
			if (len < NL_HDRLEN) {
				free(b);
				continue;
			}
			ck_assert_ptr_null(nl_ack_msg(H(b), len));
			if (type == NLMSG_ERROR &&
			    len >= NL_HDRLEN + sizeof(err))
				ck_assert_int_eq(nl_ack_parse(H(b), len, &err),
				    0);
			else
				ck_assert_int_eq(nl_ack_parse(H(b), len, &err),
				    -1);
			memcpy(b, &l32, sizeof(l32));
			ck_assert(nl_nlmsg_ok(H(b), (int)len));
			if (type == NLMSG_ERROR)
				trunc_ack(full, captures[c].len, b, len);
			else
				trunc_route_nh(full, captures[c].len, b, len);
			free(b);
		}
	}
}
END_TEST

/* A dump datagram as the kernel sends it, walked as fib.c walks one. */
START_TEST(t_dump_datagram)
{
	static const uint8_t done[] = { 20, 0, 0, 0, NLMSG_DONE, 0, 2, 0,
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	const uint8_t *parts[] = { kern_v4_nh, kern_v4_static,
	    kern_v4_blackhole, kern_v4_gw_onlink, kern_nh_v4, done };
	const size_t lens[] = { sizeof(kern_v4_nh), sizeof(kern_v4_static),
	    sizeof(kern_v4_blackhole), sizeof(kern_v4_gw_onlink),
	    sizeof(kern_nh_v4), sizeof(done) };
	uint8_t buf[1024] __attribute__((aligned(4)));
	const struct nlmsghdr *nlh = H(buf);
	size_t n = 0, ours = 0, msgs = 0;
	struct nl_route rt;
	int rem;

	for (size_t i = 0; i < NITEMS(parts); i++) {
		memcpy(buf + n, parts[i], lens[i]);
		n += lens[i];
	}
	rem = (int)n;
	for (; nl_nlmsg_ok(nlh, rem); nlh = mnl_nlmsg_next(nlh, &rem)) {
		msgs++;
		ours += nl_route_parse(nlh, PROTO, MAIN, &rt) == NL_OURS;
	}
	ck_assert_uint_eq(msgs, NITEMS(parts));
	ck_assert_uint_eq(ours, 3);
	ck_assert_int_eq(rem, 0);
	/* a datagram cut in its second message: the walk stops there */
	rem = (int)(sizeof(kern_v4_nh) + 20);
	msgs = 0;
	for (nlh = H(buf); nl_nlmsg_ok(nlh, rem);
	    nlh = mnl_nlmsg_next(nlh, &rem))
		msgs++;
	ck_assert_uint_eq(msgs, 1);
}
END_TEST

/*
 * A message claiming 2^31 bytes or more: libmnl's mnl_nlmsg_ok() reads its
 * length as a negative int and lets it through, nl_nlmsg_ok() does not
 * (found by tests/fuzz/fuzz_nl; tests/vectors/crashers/nl/).
 */
START_TEST(t_walk_huge_len)
{
	uint8_t buf[sizeof(kern_nh_v4) + 2 * NL_HDRLEN]
	    __attribute__((aligned(4)));
	static const uint32_t lens[] = { 0x80000000u, 0x80000010u,
	    0xffffffffu, 0xe1e1e1e1u };
	const struct nlmsghdr *nlh;
	size_t msgs;
	int rem;

	for (size_t i = 0; i < NITEMS(lens); i++) {
		memset(buf, 0, sizeof(buf));
		memcpy(buf, kern_nh_v4, sizeof(kern_nh_v4));
		memcpy(buf + sizeof(kern_nh_v4), &lens[i], sizeof(lens[i]));
		nlh = H(buf + sizeof(kern_nh_v4));
		ck_assert(mnl_nlmsg_ok(nlh, 2 * NL_HDRLEN));	/* libmnl */
		ck_assert(!nl_nlmsg_ok(nlh, 2 * NL_HDRLEN));
		rem = (int)sizeof(buf);
		msgs = 0;
		for (nlh = H(buf); nl_nlmsg_ok(nlh, rem);
		    nlh = mnl_nlmsg_next(nlh, &rem))
			msgs++;
		ck_assert_uint_eq(msgs, 1);
		ck_assert_int_eq(rem, 2 * NL_HDRLEN);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("nl");
	TCase *enc = tcase_create("encode");
	TCase *dec = tcase_create("decode");

	tcase_add_test(enc, t_encode_v4_nh_bytes);
	tcase_add_test(enc, t_encode_matches_kernel);
	tcase_add_test(enc, t_encode_table);
	tcase_add_test(enc, t_encode_blackhole);
	tcase_add_test(enc, t_encode_v6_gateway);
	tcase_add_test(enc, t_encode_delete);
	tcase_add_test(enc, t_encode_invalid);
	tcase_add_test(enc, t_encode_bounds);
	tcase_add_test(enc, t_encode_nexthop);
	tcase_add_test(enc, t_encode_nexthop_del);
	tcase_add_test(enc, t_encode_requests);
	tcase_add_test(dec, t_parse_kernel_routes);
	tcase_add_test(dec, t_parse_blackhole_with_nh_id);
	tcase_add_test(dec, t_parse_kernel_nexthops);
	tcase_add_test(dec, t_parse_acks);
	tcase_add_loop_test(dec, t_hostile, 0, NITEMS(hvecs));
	tcase_add_test(dec, t_truncation_sweep);
	tcase_add_test(dec, t_dump_datagram);
	tcase_add_test(dec, t_walk_huge_len);
	suite_add_tcase(s, enc);
	suite_add_tcase(s, dec);
	return check_run(s);
}
