/*
 * test_nl.c: the rtnetlink codec of netlink/ (netlink/nlmsg.c) without a
 * socket: requests built into a buffer and compared byte for byte or read
 * back with libmnl; replies captured from a Linux 6.x kernel parsed into
 * struct nl_route / nl_nexthop / nl_hop (routes of any protocol,
 * multipath routes, nexthop groups, FIB-match lookups); hostile variants
 * of them (truncated or mis-sized attributes and hops, group lengths,
 * bad lengths, foreign protocol and table) skipped cleanly; and
 * truncation sweeps over every capture in exact-size heap buffers, so
 * ASan sees any read past the end.
 */
#include <check.h>

#include "check_run.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <net/if.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>

#include "nlmsg.h"

#define PROTO	NL_PROTO_TERN
#define MAIN	NL_TABLE_MAIN
#define NHGRP_TEST_LEN	8	/* struct nexthop_grp on the wire */

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

/*
 * Captured the same way from Linux 6.18 (dumps with GET_STRICT_CHK; the
 * lookups are RTM_GETROUTE with RTM_F_FIB_MATCH) in a namespace with veths
 * dm0 (ifindex 3, 198.18.1.2/24, 2001:db8:7::2/64) and dm1 (5,
 * 192.0.2.1/24, 2001:db8:8::2/64), set up with:
 *   ip route add default via 198.18.1.1
 *   ip -6 route add default via 2001:db8:7::1
 *   ip route add 10.9.5.0/24 proto static nexthop via 198.18.1.1 dev dm0 \
 *       nexthop via 192.0.2.2 dev dm1 weight 2
 *   ip -6 route add 2001:db8:9::/64 proto static \
 *       nexthop via 2001:db8:7::1 dev dm0 nexthop via 2001:db8:8::1 dev dm1
 *   ip route add unreachable 10.66.0.0/16
 *   ip nexthop add id 1 via 198.18.1.1 dev dm0 proto bird
 *   ip nexthop add id 2 via 192.0.2.2 dev dm1 proto bird
 *   ip nexthop add id 10 group 1/2 proto bird
 *   ip nexthop add id 11 group 1,3/2 proto bird
 *   ip route add 10.60.0.0/24 nhid 10 proto bird
 * Offsets in kern_v4_multipath: RTA_MULTIPATH at 44 (36 bytes); its first
 * rtnexthop at 48 (rtnh_len 16, ifindex 3) with RTA_GATEWAY at 56; the
 * second at 64 (rtnh_len 16, rtnh_hops 1, ifindex 5), RTA_GATEWAY at 72.
 * kern_v6_multipath: RTA_MULTIPATH at 64; hops at 68 (gateway at 76) and
 * 96 (gateway at 104). kern_nh_group: NHA_ID 24, NHA_GROUP_TYPE 32,
 * NHA_GROUP 40 (entries at 44 and 52), an attribute of type 14 at 60.
 */
/* v4 route 10.9.5.0/24, proto 4 (static), RTA_MULTIPATH of two hops, len 80 */
static const uint8_t kern_v4_multipath[] __attribute__((aligned(4))) = {
	0x50, 0x00, 0x00, 0x00, 0x18, 0x00, 0x22, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x97, 0x2f, 0x00, 0x00, 0x02, 0x18, 0x00, 0x00, 0xfe, 0x04, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x0f, 0x00, 0xfe, 0x00, 0x00, 0x00,
	0x08, 0x00, 0x01, 0x00, 0x0a, 0x09, 0x05, 0x00, 0x24, 0x00, 0x09, 0x00,
	0x10, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00, 0x05, 0x00,
	0xc6, 0x12, 0x01, 0x01, 0x10, 0x00, 0x00, 0x01, 0x05, 0x00, 0x00, 0x00,
	0x08, 0x00, 0x05, 0x00, 0xc0, 0x00, 0x02, 0x02,
};
/* v6 route 2001:db8:9::/64, proto 4, RTA_MULTIPATH of two hops, len 168 */
static const uint8_t kern_v6_multipath[] __attribute__((aligned(4))) = {
	0xa8, 0x00, 0x00, 0x00, 0x18, 0x00, 0x22, 0x00, 0x01, 0x00, 0x00, 0x00,
	0xc1, 0x2f, 0x00, 0x00, 0x0a, 0x40, 0x00, 0x00, 0xfe, 0x04, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x0f, 0x00, 0xfe, 0x00, 0x00, 0x00,
	0x14, 0x00, 0x01, 0x00, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x09, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x06, 0x00,
	0x00, 0x04, 0x00, 0x00, 0x3c, 0x00, 0x09, 0x00, 0x1c, 0x00, 0x00, 0x00,
	0x03, 0x00, 0x00, 0x00, 0x14, 0x00, 0x05, 0x00, 0x20, 0x01, 0x0d, 0xb8,
	0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x1c, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x14, 0x00, 0x05, 0x00,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x01, 0x24, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x05, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00,
};
/* v4 route 198.18.1.0/24 dev 3, proto 2 (kernel), scope link, len 60 */
static const uint8_t kern_v4_connected[] __attribute__((aligned(4))) = {
	0x3c, 0x00, 0x00, 0x00, 0x18, 0x00, 0x22, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x18, 0x2d, 0x00, 0x00, 0x02, 0x18, 0x00, 0x00, 0xfe, 0x02, 0xfd, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x0f, 0x00, 0xfe, 0x00, 0x00, 0x00,
	0x08, 0x00, 0x01, 0x00, 0xc6, 0x12, 0x01, 0x00, 0x08, 0x00, 0x07, 0x00,
	0xc6, 0x12, 0x01, 0x02, 0x08, 0x00, 0x04, 0x00, 0x03, 0x00, 0x00, 0x00,
};
/* v4 route unreachable 10.66.0.0/16, proto 3 (boot), len 44 */
static const uint8_t kern_v4_unreachable[] __attribute__((aligned(4))) = {
	0x2c, 0x00, 0x00, 0x00, 0x18, 0x00, 0x22, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x18, 0x2d, 0x00, 0x00, 0x02, 0x10, 0x00, 0x00, 0xfe, 0x03, 0x00, 0x07,
	0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x0f, 0x00, 0xfe, 0x00, 0x00, 0x00,
	0x08, 0x00, 0x01, 0x00, 0x0a, 0x42, 0x00, 0x00,
};
/* nexthop 10, proto 12, group 1/2 (NHA_GROUP_TYPE 0, then type 14), len 68 */
static const uint8_t kern_nh_group[] __attribute__((aligned(4))) = {
	0x44, 0x00, 0x00, 0x00, 0x68, 0x00, 0x02, 0x00, 0x02, 0x00, 0x00, 0x00,
	0x6a, 0x2d, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x08, 0x00, 0x01, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x06, 0x00, 0x03, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x08, 0x00, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x80,
};
/* nexthop 11, proto 12, group 1,3/2 (weights 3 and 1), len 68 */
static const uint8_t kern_nh_group_weighted[] __attribute__((aligned(4))) = {
	0x44, 0x00, 0x00, 0x00, 0x68, 0x00, 0x02, 0x00, 0x02, 0x00, 0x00, 0x00,
	0x6a, 0x2d, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x08, 0x00, 0x01, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x06, 0x00, 0x03, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x02, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x08, 0x00, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x80,
};
/* RTM_F_FIB_MATCH reply for 198.18.2.5: 0.0.0.0/0 via 198.18.1.1 dev 3, proto 3, len 52 */
static const uint8_t kern_fib_default[] __attribute__((aligned(4))) = {
	0x34, 0x00, 0x00, 0x00, 0x18, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
	0x93, 0x2d, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0xfe, 0x03, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x0f, 0x00, 0xfe, 0x00, 0x00, 0x00,
	0x08, 0x00, 0x05, 0x00, 0xc6, 0x12, 0x01, 0x01, 0x08, 0x00, 0x04, 0x00,
	0x03, 0x00, 0x00, 0x00,
};
/* RTM_F_FIB_MATCH reply for 198.18.1.7: 198.18.1.0/24 dev 3, proto 2, len 60 */
static const uint8_t kern_fib_connected[] __attribute__((aligned(4))) = {
	0x3c, 0x00, 0x00, 0x00, 0x18, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
	0xbc, 0x2d, 0x00, 0x00, 0x02, 0x18, 0x00, 0x00, 0xfe, 0x02, 0xfd, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x0f, 0x00, 0xfe, 0x00, 0x00, 0x00,
	0x08, 0x00, 0x01, 0x00, 0xc6, 0x12, 0x01, 0x00, 0x08, 0x00, 0x07, 0x00,
	0xc6, 0x12, 0x01, 0x02, 0x08, 0x00, 0x04, 0x00, 0x03, 0x00, 0x00, 0x00,
};
/* RTM_F_FIB_MATCH reply for 10.60.0.1: 10.60.0.0/24 nhid 10 (group 1/2), proto 12, len 88 */
static const uint8_t kern_fib_group[] __attribute__((aligned(4))) = {
	0x58, 0x00, 0x00, 0x00, 0x18, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
	0x60, 0x2e, 0x00, 0x00, 0x02, 0x18, 0x00, 0x00, 0xfe, 0x0c, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x0f, 0x00, 0xfe, 0x00, 0x00, 0x00,
	0x08, 0x00, 0x01, 0x00, 0x0a, 0x3c, 0x00, 0x00, 0x08, 0x00, 0x1e, 0x00,
	0x0a, 0x00, 0x00, 0x00, 0x24, 0x00, 0x09, 0x00, 0x10, 0x00, 0x00, 0x00,
	0x03, 0x00, 0x00, 0x00, 0x08, 0x00, 0x05, 0x00, 0xc6, 0x12, 0x01, 0x01,
	0x10, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x08, 0x00, 0x05, 0x00,
	0xc0, 0x00, 0x02, 0x02,
};
/* RTM_F_FIB_MATCH reply for 2001:db8:55::1: ::/0 via 2001:db8:7::1 dev 3, len 116 */
static const uint8_t kern_fib_v6_default[] __attribute__((aligned(4))) = {
	0x74, 0x00, 0x00, 0x00, 0x18, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
	0xdb, 0x2e, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0xfe, 0x03, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x0f, 0x00, 0xfe, 0x00, 0x00, 0x00,
	0x08, 0x00, 0x06, 0x00, 0x00, 0x04, 0x00, 0x00, 0x14, 0x00, 0x05, 0x00,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x04, 0x00, 0x03, 0x00, 0x00, 0x00,
	0x24, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x05, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00,
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
	/* nl_table_dump: any protocol (0), our table */
	nlh = nl_route_dump_encode(buf, sizeof(buf), 3, AF_INET, RTPROT_UNSPEC,
	    MAIN);
	rtm = read_back(nlh, &at);
	ck_assert_uint_eq(rtm->rtm_protocol, 0);
	ck_assert_uint_eq(rtm->rtm_table, MAIN);
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

/* The request nl_route_add() queues: NLM_F_CREATE|NLM_F_EXCL, no REPLACE. */
START_TEST(t_encode_route_add)
{
	static const uint8_t want[] = {
		0x3c, 0, 0, 0,  24, 0,  0x05, 0x06,  0x2a, 0, 0, 0,  0, 0, 0, 0,
		2, 24, 0, 0, 254, PROTO, RT_SCOPE_UNIVERSE, RTN_UNICAST,
		0, 0, 0, 0,
		8, 0, RTA_DST, 0,  10, 9, 0, 0,
		8, 0, RTA_PRIORITY, 0,  5, 0, 0, 0,
		8, 0, RTA_GATEWAY, 0,  198, 18, 1, 1,
		8, 0, RTA_OIF, 0,  3, 0, 0, 0,
	};
	struct nl_route rt = { .dst = P("10.9.0.0/24"), .gw = A("198.18.1.1"),
	    .oif = 3, .priority = 5 };
	uint8_t buf[256] __attribute__((aligned(4)));
	struct nlmsghdr *nlh;

	nlh = nl_route_encode(buf, sizeof(buf), RTM_NEWROUTE, NLM_F_ACK |
	    NLM_F_CREATE | NLM_F_EXCL, 42, &rt, PROTO, MAIN);
	ck_assert_ptr_nonnull(nlh);
	ck_assert_uint_eq(nlh->nlmsg_len, sizeof(want));
	ck_assert_mem_eq(buf, want, sizeof(want));
	ck_assert_uint_eq(nlh->nlmsg_flags & NLM_F_REPLACE, 0);
	round_trip(&rt, MAIN);
}
END_TEST

static void
nh_eq(const struct nl_nexthop *a, const struct nl_nexthop *b)
{
	ck_assert_uint_eq(a->id, b->id);
	ck_assert(addr_eq(&a->gw, &b->gw));
	ck_assert_uint_eq(a->oif, b->oif);
	ck_assert_int_eq(a->onlink, b->onlink);
	ck_assert_int_eq(a->blackhole, b->blackhole);
	ck_assert_uint_eq(a->ngroup, b->ngroup);
	ck_assert_mem_eq(a->group, b->group, a->ngroup * sizeof(a->group[0]));
}

/* A group: NHA_GROUP of struct nexthop_grp, weight 0 (= 1), family 0. */
START_TEST(t_encode_group)
{
	static const uint8_t want[] = {
		0x34, 0, 0, 0,  104, 0,  0x05, 0x06,  9, 0, 0, 0,  0, 0, 0, 0,
		0, 0, PROTO, 0,  0, 0, 0, 0,
		8, 0, NHA_ID, 0,  10, 0, 0, 0,
		20, 0, NHA_GROUP, 0,
		1, 0, 0, 0,  0, 0, 0, 0,	/* id 1, weight 0 (= 1) */
		2, 0, 0, 0,  0, 0, 0, 0,	/* id 2 */
	};
	struct nl_nexthop nh = { .id = 10, .group = { 1, 2 }, .ngroup = 2 };
	struct nl_nexthop got;
	uint8_t buf[1024] __attribute__((aligned(4)));
	struct nlmsghdr *nlh;

	nlh = nl_nh_encode(buf, sizeof(buf), RTM_NEWNEXTHOP, NLM_F_ACK |
	    NLM_F_CREATE | NLM_F_EXCL, 9, &nh, PROTO);
	ck_assert_ptr_nonnull(nlh);
	ck_assert_uint_eq(nlh->nlmsg_len, sizeof(want));
	ck_assert_mem_eq(buf, want, sizeof(want));
	ck_assert_int_eq(nl_nh_parse(nlh, PROTO, &got), NL_OURS);
	nh_eq(&got, &nh);
	/* the largest group, both ways */
	for (uint32_t i = 0; i < NL_GROUP_MAX; i++)
		nh.group[i] = 1000 + i;
	nh.ngroup = NL_GROUP_MAX;
	nlh = nl_nh_encode(buf, sizeof(buf), RTM_NEWNEXTHOP, 0, 1, &nh, PROTO);
	ck_assert_ptr_nonnull(nlh);
	ck_assert_int_eq(nl_nh_parse(nlh, PROTO, &got), NL_OURS);
	nh_eq(&got, &nh);
	/* what cannot be a group of ours */
	nh.ngroup = NL_GROUP_MAX + 1;
	ck_assert_ptr_null(nl_nh_encode(buf, sizeof(buf), RTM_NEWNEXTHOP, 0,
	    1, &nh, PROTO));
	nh.ngroup = 2;
	nh.group[1] = 0;
	ck_assert_ptr_null(nl_nh_encode(buf, sizeof(buf), RTM_NEWNEXTHOP, 0,
	    1, &nh, PROTO));
	nh.group[1] = 7;
	nh.blackhole = true;
	ck_assert_ptr_null(nl_nh_encode(buf, sizeof(buf), RTM_NEWNEXTHOP, 0,
	    1, &nh, PROTO));
}
END_TEST

/* A buffer too small for a group fails without writing past its end. */
START_TEST(t_encode_group_bounds)
{
	struct nl_nexthop nh = { .id = 10, .ngroup = NL_GROUP_MAX };
	uint8_t buf[1024] __attribute__((aligned(4)));
	size_t need;

	for (uint32_t i = 0; i < NL_GROUP_MAX; i++)
		nh.group[i] = i + 1;
	need = nl_nh_encode(buf, sizeof(buf), RTM_NEWNEXTHOP, 0, 1, &nh,
	    PROTO)->nlmsg_len;
	ck_assert_uint_eq(need, NL_HDRLEN + 8 + 8 + 4 + 8 * NL_GROUP_MAX);
	for (size_t len = 0; len < need; len++) {
		size_t i = len;

		memset(buf, 0xaa, sizeof(buf));
		ck_assert_ptr_null(nl_nh_encode(buf, len, RTM_NEWNEXTHOP, 0, 1,
		    &nh, PROTO));
		/* one assertion a length, not one a byte: 300,000 of those
		 * took longer than check's timeout on a loaded machine */
		while (i < sizeof(buf) && buf[i] == 0xaa)
			i++;
		ck_assert_uint_eq(i, sizeof(buf));
	}
}
END_TEST

/*
 * A nexthop of protocol PROTO whose NHA_GROUP has glen bytes (entries id
 * i + 1, weight 0), in a heap buffer of exactly its size.
 */
static uint8_t *
group_msg(size_t glen, size_t *lenp)
{
	static uint8_t buf[2048] __attribute__((aligned(4)));
	uint8_t g[1024];
	struct nlmsghdr *nlh;
	struct nhmsg *nhm;
	uint8_t *b;

	ck_assert_uint_le(glen, sizeof(g));
	memset(g, 0, sizeof(g));
	for (size_t i = 0; i + 4 <= glen; i += NHGRP_TEST_LEN) {
		uint32_t id = (uint32_t)(i / NHGRP_TEST_LEN + 1);

		memcpy(g + i, &id, sizeof(id));
	}
	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWNEXTHOP;
	nhm = mnl_nlmsg_put_extra_header(nlh, sizeof(*nhm));
	nhm->nh_protocol = PROTO;
	mnl_attr_put_u32(nlh, NHA_ID, 5);
	mnl_attr_put(nlh, NHA_GROUP, glen, g);
	b = malloc(nlh->nlmsg_len);
	ck_assert_ptr_nonnull(b);
	memcpy(b, buf, nlh->nlmsg_len);
	*lenp = nlh->nlmsg_len;
	return b;
}

/*
 * NHA_GROUP of every length up to NL_GROUP_MAX + 2 entries: a whole
 * number of 1 to NL_GROUP_MAX entries is a group, anything else (empty,
 * a partial entry, too many members) is malformed.
 */
START_TEST(t_parse_group_lengths)
{
	struct nl_nexthop nh;
	enum nl_verdict got, want;
	size_t len;
	uint8_t *b;

	for (size_t glen = 0; glen <= (NL_GROUP_MAX + 2) * NHGRP_TEST_LEN;
	    glen++) {
		b = group_msg(glen, &len);
		ck_assert(nl_nlmsg_ok(H(b), (int)len));
		want = glen > 0 && glen % NHGRP_TEST_LEN == 0 &&
		    glen / NHGRP_TEST_LEN <= NL_GROUP_MAX ? NL_OURS : NL_BAD;
		got = nl_nh_parse(H(b), PROTO, &nh);
		ck_assert_msg(got == want, "NHA_GROUP of %zu bytes: %s, want %s",
		    glen, nl_verdict_name(got), nl_verdict_name(want));
		if (got == NL_OURS) {
			ck_assert_uint_eq(nh.ngroup, glen / NHGRP_TEST_LEN);
			ck_assert_uint_eq(nh.group[nh.ngroup - 1], nh.ngroup);
			ck_assert(!addr_is_set(&nh.gw) && nh.oif == 0);
		}
		free(b);
	}
}
END_TEST

START_TEST(t_parse_kernel_group)
{
	struct nl_nexthop want = { .id = 10, .group = { 1, 2 }, .ngroup = 2 };
	struct nl_nexthop nh;

	ck_assert_int_eq(nl_nh_parse(H(kern_nh_group), PROTO, &nh), NL_OURS);
	nh_eq(&nh, &want);
	/* weights 3 and 1: not a group tern makes or can represent */
	ck_assert_int_eq(nl_nh_parse(H(kern_nh_group_weighted), PROTO, &nh),
	    NL_BAD);
	ck_assert_int_eq(nl_nh_parse(H(kern_nh_group), PROTO + 1, &nh),
	    NL_FOREIGN);
}
END_TEST

/* Routes of any protocol: protocol, scope and table always filled. */
START_TEST(t_parse_other_routes)
{
	struct nl_route st = { .dst = P("10.1.5.0/24"), .gw = A("198.18.0.3"),
	    .oif = 3 };
	struct nl_route conn = { .dst = P("198.18.1.0/24"), .oif = 3 };
	struct nl_route unr = { .dst = P("10.66.0.0/16"),
	    .type = NL_RT_OTHER };
	struct nl_route ours = { .dst = P("10.1.2.0/24"), .nh_id = 7 };
	struct nl_route got;

	ck_assert_int_eq(nl_route_parse_any(H(kern_v4_static), &got), NL_OURS);
	route_eq(&got, &st);
	ck_assert_uint_eq(got.protocol, RTPROT_STATIC);
	ck_assert_uint_eq(got.scope, RT_SCOPE_UNIVERSE);
	ck_assert_uint_eq(got.table, MAIN);
	ck_assert(!nl_route_is_ours(&got, PROTO, MAIN));
	ck_assert(nl_route_is_other(&got, PROTO, MAIN));
	ck_assert(nl_route_is_other(&got, PROTO, 100));	/* main */
	ck_assert_int_eq(nl_route_parse(H(kern_v4_static), PROTO, MAIN, &got),
	    NL_FOREIGN);
	ck_assert_int_eq(nl_route_parse_any(H(kern_v4_connected), &got),
	    NL_OURS);
	route_eq(&got, &conn);
	ck_assert_uint_eq(got.protocol, RTPROT_KERNEL);
	ck_assert_uint_eq(got.scope, RT_SCOPE_LINK);
	ck_assert_int_eq(nl_route_parse_any(H(kern_v4_unreachable), &got),
	    NL_OURS);
	route_eq(&got, &unr);
	ck_assert_uint_eq(got.protocol, RTPROT_BOOT);
	/* ours, through either parser: the same struct */
	ck_assert_int_eq(nl_route_parse_any(H(kern_v4_nh), &got), NL_OURS);
	route_eq(&got, &ours);
	ck_assert_uint_eq(got.protocol, PROTO);
	ck_assert(nl_route_is_ours(&got, PROTO, MAIN));
	ck_assert(!nl_route_is_other(&got, PROTO, MAIN));
	ck_assert_int_eq(nl_route_parse(H(kern_v4_nh), PROTO, MAIN, &got),
	    NL_OURS);
	ck_assert_uint_eq(got.protocol, PROTO);
	ck_assert_uint_eq(got.table, MAIN);
	/* not a route message; a nexthop */
	ck_assert_int_eq(nl_route_parse_any(H(kern_nh_v4), &got), NL_FOREIGN);
	ck_assert_int_eq(nl_route_parse_any(H(kern_ack_ok), &got),
	    NL_FOREIGN);
}
END_TEST

/* Who is "someone else" to the monitor (nl_route_is_other). */
START_TEST(t_route_is_other)
{
	struct nl_route rt = { .dst = P("10.9.0.0/24") };
	static const struct {
		uint8_t		protocol;
		uint32_t	table;		/* the route's */
		uint32_t	our_table;
		bool		other, ours;
	} v[] = {
		{ RTPROT_STATIC, MAIN, MAIN, true, false },
		{ RTPROT_STATIC, 100, 100, true, false },
		{ RTPROT_STATIC, MAIN, 100, true, false },
		{ RTPROT_STATIC, 100, MAIN, false, false },
		{ RTPROT_KERNEL, RT_TABLE_LOCAL, MAIN, false, false },
		{ RTPROT_KERNEL, RT_TABLE_LOCAL, RT_TABLE_LOCAL, false, false },
		{ RTPROT_STATIC, 1000, 1000, true, false },
		{ PROTO, MAIN, MAIN, false, true },
		{ PROTO, MAIN, 100, false, false },
		{ PROTO, 100, MAIN, false, false },
	};

	for (size_t i = 0; i < NITEMS(v); i++) {
		rt.protocol = v[i].protocol;
		rt.table = v[i].table;
		ck_assert_msg(nl_route_is_other(&rt, PROTO, v[i].our_table) ==
		    v[i].other, "case %zu: other", i);
		ck_assert_msg(nl_route_is_ours(&rt, PROTO, v[i].our_table) ==
		    v[i].ours, "case %zu: ours", i);
	}
}
END_TEST

/* RTA_MULTIPATH: the first hop's gateway and device. */
START_TEST(t_parse_multipath)
{
	struct nl_route v4 = { .dst = P("10.9.5.0/24"), .gw = A("198.18.1.1"),
	    .oif = 3 };
	struct nl_route v6 = { .dst = P("2001:db8:9::/64"),
	    .gw = A("2001:db8:7::1"), .oif = 3, .priority = 1024 };
	uint8_t b[sizeof(kern_v4_multipath)] __attribute__((aligned(4)));
	struct nl_route got;

	ck_assert_int_eq(nl_route_parse_any(H(kern_v4_multipath), &got),
	    NL_OURS);
	route_eq(&got, &v4);
	ck_assert_uint_eq(got.protocol, RTPROT_STATIC);
	ck_assert_int_eq(nl_route_parse_any(H(kern_v6_multipath), &got),
	    NL_OURS);
	route_eq(&got, &v6);
	/* a multipath route of ours (someone else made it): first hop */
	memcpy(b, kern_v4_multipath, sizeof(b));
	b[21] = PROTO;
	ck_assert_int_eq(nl_route_parse(H(b), PROTO, MAIN, &got), NL_OURS);
	route_eq(&got, &v4);
	round_trip(&got, MAIN);
	/* the first hop's onlink flag, not the route's */
	b[50] = RTNH_F_ONLINK;
	ck_assert_int_eq(nl_route_parse(H(b), PROTO, MAIN, &got), NL_OURS);
	ck_assert(got.onlink);
	b[50] = 0;
	b[66] = RTNH_F_ONLINK;
	ck_assert_int_eq(nl_route_parse(H(b), PROTO, MAIN, &got), NL_OURS);
	ck_assert(!got.onlink);
}
END_TEST

START_TEST(t_encode_lookup)
{
	static const uint8_t want[] = {
		0x24, 0, 0, 0,  26, 0,  0x05, 0,  4, 0, 0, 0,  0, 0, 0, 0,
		2, 32, 0, 0,  0, 0, 0, 0,
		0x00, 0x20, 0, 0,		/* RTM_F_FIB_MATCH */
		8, 0, RTA_DST, 0,  198, 18, 2, 5,
	};
	uint8_t buf[256] __attribute__((aligned(4)));
	struct addr a = A("198.18.2.5"), a6 = A("2001:db8:55::1"), none;
	struct nlmsghdr *nlh;
	struct attrs at;
	struct rtmsg *rtm;

	nlh = nl_lookup_encode(buf, sizeof(buf), 4, &a);
	ck_assert_ptr_nonnull(nlh);
	ck_assert_uint_eq(nlh->nlmsg_len, sizeof(want));
	ck_assert_mem_eq(buf, want, sizeof(want));
	nlh = nl_lookup_encode(buf, sizeof(buf), 4, &a6);
	rtm = read_back(nlh, &at);
	ck_assert_uint_eq(rtm->rtm_flags, RTM_F_FIB_MATCH);
	ck_assert_uint_eq(rtm->rtm_dst_len, 128);
	ck_assert_mem_eq(mnl_attr_get_payload(at.tb[RTA_DST]), a6.b, 16);
	for (size_t len = 0; len < sizeof(want); len++)
		ck_assert_ptr_null(nl_lookup_encode(buf, len, 4, &a));
	memset(&none, 0, sizeof(none));
	ck_assert_ptr_null(nl_lookup_encode(buf, sizeof(buf), 4, &none));
	/* nl_resolve's lookup stays a plain one */
	nlh = nl_getroute_encode(buf, sizeof(buf), 4, &a);
	ck_assert_uint_eq(read_back(nlh, &at)->rtm_flags, 0);
}
END_TEST

static void
hop_check(const uint8_t *msg, const char *match, uint8_t protocol,
    const char *gw, uint32_t oif)
{
	struct prefix want = P(match);
	enum nl_rt_type type;
	struct nl_hop hop;

	ck_assert_int_eq(nl_lookup_parse(H(msg), &hop, &type), 0);
	ck_assert_int_eq(type, NL_RT_UNICAST);
	ck_assert(prefix_eq(&hop.match, &want));
	ck_assert_uint_eq(hop.protocol, protocol);
	ck_assert_uint_eq(hop.table, MAIN);
	if (gw == NULL) {
		ck_assert(!addr_is_set(&hop.gw));
	} else {
		struct addr a = A(gw);

		ck_assert(addr_eq(&hop.gw, &a));
	}
	ck_assert_uint_eq(hop.oif, oif);
}

/* Replies to RTM_F_FIB_MATCH lookups, as the kernel sent them. */
/* Link events: index and IFF_UP; a deletion is never up; short or bad
 * messages are refused. */
START_TEST(t_parse_link)
{
	uint8_t buf[64] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct ifinfomsg *ifi = (struct ifinfomsg *)(buf + NL_HDRLEN);
	uint32_t idx = 0;
	bool up = false;

	memset(buf, 0, sizeof(buf));
	nlh->nlmsg_len = (uint32_t)(NL_HDRLEN + sizeof(*ifi));
	nlh->nlmsg_type = RTM_NEWLINK;
	ifi->ifi_index = 7;
	ifi->ifi_flags = IFF_UP;
	ck_assert_int_eq(nl_link_parse(nlh, &idx, &up), 0);
	ck_assert_uint_eq(idx, 7);
	ck_assert(up);
	ifi->ifi_flags = 0;
	ck_assert_int_eq(nl_link_parse(nlh, &idx, &up), 0);
	ck_assert(!up);
	nlh->nlmsg_type = RTM_DELLINK;
	ifi->ifi_flags = IFF_UP;
	ck_assert_int_eq(nl_link_parse(nlh, &idx, &up), 0);
	ck_assert(!up);
	nlh->nlmsg_len = (uint32_t)(NL_HDRLEN + sizeof(*ifi) - 1);
	ck_assert_int_eq(nl_link_parse(nlh, &idx, &up), -1);
	nlh->nlmsg_len = (uint32_t)(NL_HDRLEN + sizeof(*ifi));
	ifi->ifi_index = -1;
	ck_assert_int_eq(nl_link_parse(nlh, &idx, &up), -1);
	ifi->ifi_index = 3;
	nlh->nlmsg_type = RTM_NEWROUTE;
	ck_assert_int_eq(nl_link_parse(nlh, &idx, &up), -1);
}
END_TEST

START_TEST(t_parse_lookup)
{
	enum nl_rt_type type;
	struct nl_hop hop;

	hop_check(kern_fib_default, "0.0.0.0/0", RTPROT_BOOT, "198.18.1.1", 3);
	hop_check(kern_fib_connected, "198.18.1.0/24", RTPROT_KERNEL, NULL, 3);
	/* a route via a group object: the compat copy's first hop */
	hop_check(kern_fib_group, "10.60.0.0/24", PROTO, "198.18.1.1", 3);
	hop_check(kern_fib_v6_default, "::/0", RTPROT_BOOT, "2001:db8:7::1",
	    3);
	hop_check(kern_v4_multipath, "10.9.5.0/24", RTPROT_STATIC,
	    "198.18.1.1", 3);
	/* not unicast: the caller says ENETUNREACH */
	ck_assert_int_eq(nl_lookup_parse(H(kern_v4_unreachable), &hop, &type),
	    0);
	ck_assert_int_eq(type, NL_RT_OTHER);
	ck_assert_int_eq(nl_lookup_parse(H(kern_v4_blackhole), &hop, &type),
	    0);
	ck_assert_int_eq(type, NL_RT_BLACKHOLE);
	/* not a route; malformed */
	ck_assert_int_eq(nl_lookup_parse(H(kern_err_nh), &hop, &type), -1);
	ck_assert_int_eq(nl_lookup_parse(H(kern_nh_v4), &hop, &type), -1);
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

enum hv_kind {
	HV_ROUTE,	/* nl_route_parse(PROTO, table) */
	HV_NH,		/* nl_nh_parse(PROTO) */
	HV_ANY,		/* nl_route_parse_any() */
};

struct hvec {
	const char	*name;
	const uint8_t	*msg;		/* a capture */
	size_t		 len;		/* its length */
	enum hv_kind	 kind;
	struct patch	 p[2];
	size_t		 cut;		/* new length; 0: keep */
	uint32_t	 table;		/* asked for; 0: main */
	enum nl_verdict	 want;
};

#define V4	kern_v4_nh, sizeof(kern_v4_nh), HV_ROUTE
#define V6	kern_v6_nh, sizeof(kern_v6_nh), HV_ROUTE
#define NH	kern_nh_v4, sizeof(kern_nh_v4), HV_NH
#define MP	kern_v4_multipath, sizeof(kern_v4_multipath), HV_ANY
#define MP6	kern_v6_multipath, sizeof(kern_v6_multipath), HV_ANY
#define NHG	kern_nh_group, sizeof(kern_nh_group), HV_NH
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
	{ "multipath as captured", MP, { { 0 } }, 0, 0, NL_OURS },
	{ "multipath: rtnh_len 7", MP, P2(48, 7, 0), 0, 0, NL_BAD },
	{ "multipath: rtnh_len 0", MP, P2(48, 0, 0), 0, 0, NL_BAD },
	{ "multipath: 2nd hop past the end", MP, P2(64, 17, 0), 0, 0,
	    NL_BAD },
	{ "multipath: hop gateway of 3 bytes", MP, P2(56, 7, 0), 0, 0,
	    NL_BAD },
	{ "multipath: 2nd hop gateway of 2 bytes", MP, P2(72, 6, 0), 0, 0,
	    NL_BAD },
	{ "multipath: hop attribute past its hop", MP, P2(56, 12, 0), 0, 0,
	    NL_BAD },
	{ "multipath: empty", MP, P2(44, 4, 0), 0, 0, NL_BAD },
	{ "multipath: cut inside the 2nd hop", MP, { { 0 } }, 72, 0,
	    NL_BAD },
	{ "multipath: 2nd hop header cut", MP, P2(44, 24, 0), 0, 0, NL_BAD },
	{ "multipath and RTA_OIF", MP, P2(30, RTA_OIF, 0), 0, 0, NL_BAD },
	{ "multipath: a hop without gateway", MP, P2(58, 0x7f, 0), 0, 0,
	    NL_OURS },
	{ "multipath as ours", kern_v4_multipath, sizeof(kern_v4_multipath),
	    HV_ROUTE, P1(21, PROTO), 0, 0, NL_OURS },
	{ "multipath of another protocol, bad hop", kern_v4_multipath,
	    sizeof(kern_v4_multipath), HV_ROUTE, P2(48, 7, 0), 0, 0,
	    NL_FOREIGN },
	{ "v6 multipath as captured", MP6, { { 0 } }, 0, 0, NL_OURS },
	{ "v6 multipath: hop gateway of 4 bytes", MP6, P2(76, 8, 0), 0, 0,
	    NL_BAD },
	{ "v6 multipath: rtnh_len past the end", MP6, P2(96, 40, 0), 0, 0,
	    NL_BAD },
	{ "v6 multipath as v4: dst_len 64", MP6, P1(16, AF_INET), 0, 0,
	    NL_BAD },
	{ "v6 multipath as v4, /24: hop gateway too long", MP6,
	    { { 16, 2, { AF_INET, 24 } }, { 38, 1, { RTA_UNSPEC, 0 } } }, 0, 0,
	    NL_BAD },
	{ "any: cloned", MP, P1(25, 0x02), 0, 0, NL_FOREIGN },
	{ "any: source-specific", MP6, P1(18, 64), 0, 0, NL_FOREIGN },
	{ "any: family 7", MP, P1(16, 7), 0, 0, NL_FOREIGN },
	{ "any: cut inside rtmsg", MP, { { 0 } }, 24, 0, NL_BAD },
	{ "group as captured", NHG, { { 0 } }, 0, 0, NL_OURS },
	{ "group: 12 bytes, then garbage", NHG, P2(40, 16, 0), 0, 0, NL_BAD },
	{ "group: member id 0", NHG, P1(44, 0), 0, 0, NL_BAD },
	{ "group: unequal weights", NHG, P1(48, 2), 0, 0, NL_BAD },
	{ "group: equal weights 3", NHG,
	    { { 48, 1, { 2, 0 } }, { 56, 1, { 2, 0 } } }, 0, 0, NL_OURS },
	{ "group: 16-bit weights differ", NHG, P1(57, 1), 0, 0, NL_BAD },
	{ "group: resilient", NHG, P1(36, NEXTHOP_GRP_TYPE_RES), 0, 0,
	    NL_BAD },
	{ "group: type of 4 bytes", NHG, P2(32, 8, 0), 0, 0, NL_BAD },
	{ "group with a device", NHG, P2(62, NHA_OIF, 0), 0, 0, NL_BAD },
	{ "group as a blackhole", NHG,
	    { { 60, 2, { 4, 0 } }, { 62, 1, { NHA_BLACKHOLE, 0 } } }, 64, 0,
	    NL_BAD },
	{ "group: cut inside NHA_GROUP", NHG, { { 0 } }, 52, 0, NL_BAD },
	{ "group: cut after NHA_GROUP", NHG, { { 0 } }, 60, 0, NL_OURS },
	{ "group of another protocol", NHG, P1(18, 4), 0, 0, NL_FOREIGN },
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
	if (v->kind == HV_NH)
		got = nl_nh_parse(H(b), PROTO, &nh);
	else if (v->kind == HV_ANY)
		got = nl_route_parse_any(H(b), &rt);
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
	{ kern_v4_multipath, sizeof(kern_v4_multipath) },
	{ kern_v6_multipath, sizeof(kern_v6_multipath) },
	{ kern_v4_connected, sizeof(kern_v4_connected) },
	{ kern_v4_unreachable, sizeof(kern_v4_unreachable) },
	{ kern_nh_group, sizeof(kern_nh_group) },
	{ kern_nh_group_weighted, sizeof(kern_nh_group_weighted) },
	{ kern_fib_default, sizeof(kern_fib_default) },
	{ kern_fib_connected, sizeof(kern_fib_connected) },
	{ kern_fib_group, sizeof(kern_fib_group) },
	{ kern_fib_v6_default, sizeof(kern_fib_v6_default) },
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

/*
 * The decoders that read anyone's routes (nl_route_parse_any, whose
 * verdict is not decided by the protocol, and nl_lookup_parse) over every
 * route capture cut at every length, nlmsg_len saying so: a cut inside
 * rtmsg or inside an attribute (RTA_MULTIPATH's hops included) is
 * malformed; a cut at an attribute boundary parses as a shorter message.
 */
START_TEST(t_truncation_sweep_any)
{
	enum nl_rt_type type;
	struct nl_route rt;
	struct nl_hop hop;

	for (size_t c = 0; c < NITEMS(captures); c++) {
		const uint8_t *full = captures[c].msg;

		if (H(full)->nlmsg_type != RTM_NEWROUTE)
			continue;
		ck_assert_int_eq(nl_route_parse_any(H(full), &rt), NL_OURS);
		ck_assert_int_eq(nl_lookup_parse(H(full), &hop, &type), 0);
		for (size_t len = NL_HDRLEN; len < captures[c].len; len++) {
			uint8_t *b = malloc(len);
			uint32_t l32 = (uint32_t)len;
			bool whole;

			ck_assert_ptr_nonnull(b);
			memcpy(b, full, len);
			memcpy(b, &l32, sizeof(l32));
			whole = len >= NL_HDRLEN + sizeof(struct rtmsg) &&
			    at_boundary(full, captures[c].len,
			    sizeof(struct rtmsg), len);
			if (!whole) {
				ck_assert_msg(nl_route_parse_any(H(b), &rt) ==
				    NL_BAD, "capture %zu cut at %zu", c, len);
				ck_assert_int_eq(nl_lookup_parse(H(b), &hop,
				    &type), -1);
			} else {
				(void)nl_route_parse_any(H(b), &rt);
				(void)nl_lookup_parse(H(b), &hop, &type);
			}
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
	tcase_add_test(enc, t_encode_route_add);
	tcase_add_test(enc, t_encode_group);
	tcase_add_test(enc, t_encode_group_bounds);
	tcase_add_test(enc, t_encode_lookup);
	tcase_add_test(dec, t_parse_kernel_routes);
	tcase_add_test(dec, t_parse_blackhole_with_nh_id);
	tcase_add_test(dec, t_parse_kernel_nexthops);
	tcase_add_test(dec, t_parse_acks);
	tcase_add_loop_test(dec, t_hostile, 0, NITEMS(hvecs));
	tcase_add_test(dec, t_parse_kernel_group);
	tcase_add_test(dec, t_parse_group_lengths);
	tcase_add_test(dec, t_parse_other_routes);
	tcase_add_test(dec, t_route_is_other);
	tcase_add_test(dec, t_parse_multipath);
	tcase_add_test(dec, t_parse_lookup);
	tcase_add_test(dec, t_parse_link);
	tcase_add_test(dec, t_truncation_sweep);
	tcase_add_test(dec, t_truncation_sweep_any);
	tcase_add_test(dec, t_dump_datagram);
	tcase_add_test(dec, t_walk_huge_len);
	suite_add_tcase(s, enc);
	suite_add_tcase(s, dec);
	return check_run(s);
}
