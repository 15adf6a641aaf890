/*
 * proto.h: BGP protocol constants, with the RFC names and sections.
 * The one place wire numbers are defined; every other file uses these.
 */
#ifndef TERN_BGP_PROTO_H
#define TERN_BGP_PROTO_H

#include "aspath.h"

/* RFC 4271 4.1 */
#define BGP_HDR_LEN		19
#define BGP_MARKER_LEN		16
#define BGP_MAX_MSG		4096
#define BGP_MAX_EXT_MSG		65535	/* RFC 8654 */
#define BGP_VERSION		4
#define BGP_PORT		179
#define BGP_AS_TRANS		23456	/* RFC 6793 */

/* RFC 4271 4.1 message types; RFC 2918 */
enum bgp_msg_type {
	BGP_OPEN = 1,
	BGP_UPDATE = 2,
	BGP_NOTIFICATION = 3,
	BGP_KEEPALIVE = 4,
	BGP_ROUTE_REFRESH = 5,
};

/* per-type length bounds including the header (OpenBGPD MSGSIZE_*) */
#define BGP_OPEN_MIN		29	/* 19 + 10 */
#define BGP_UPDATE_MIN		23	/* 19 + 2 + 2 */
#define BGP_NOTIFICATION_MIN	21	/* 19 + code + subcode */
#define BGP_KEEPALIVE_LEN	19
#define BGP_RREFRESH_LEN	23	/* 19 + afi 2 + res 1 + safi 1 */
/* RFC 7313 3: ROUTE-REFRESH Message Subtype */
#define BGP_RR_REQUEST		0
#define BGP_RR_BORR		1	/* Begin-of-RIB-Refresh */
#define BGP_RR_EORR		2	/* End-of-RIB-Refresh */

/* RFC 4271 4.3, 5.1 path attribute type codes */
enum bgp_attr_code {
	BGP_ATTR_ORIGIN = 1,
	BGP_ATTR_AS_PATH = 2,
	BGP_ATTR_NEXT_HOP = 3,
	BGP_ATTR_MULTI_EXIT_DISC = 4,
	BGP_ATTR_LOCAL_PREF = 5,
	BGP_ATTR_ATOMIC_AGGREGATE = 6,
	BGP_ATTR_AGGREGATOR = 7,
	BGP_ATTR_COMMUNITIES = 8,	/* RFC 1997 */
	BGP_ATTR_ORIGINATOR_ID = 9,	/* RFC 4456 */
	BGP_ATTR_CLUSTER_LIST = 10,	/* RFC 4456 */
	BGP_ATTR_MP_REACH_NLRI = 14,	/* RFC 4760 */
	BGP_ATTR_MP_UNREACH_NLRI = 15,	/* RFC 4760 */
	BGP_ATTR_AS4_PATH = 17,		/* RFC 6793 */
	BGP_ATTR_AS4_AGGREGATOR = 18,	/* RFC 6793 */
	BGP_ATTR_LARGE_COMMUNITIES = 32,	/* RFC 8092 */
};

/* RFC 4271 4.3 attribute flags */
#define BGP_ATTR_F_OPTIONAL	0x80
#define BGP_ATTR_F_TRANSITIVE	0x40
#define BGP_ATTR_F_PARTIAL	0x20
#define BGP_ATTR_F_EXTLEN	0x10

/* RFC 4271 5.1.1 ORIGIN */
#define BGP_ORIGIN_IGP		0
#define BGP_ORIGIN_EGP		1
#define BGP_ORIGIN_INCOMPLETE	2

/* RFC 4271 4.3 AS_PATH segment types; RFC 5065 confed types: one home,
 * lib/aspath.h, with the one AS_PATH walker the rib and the agent use too */
#define BGP_AS_SET		ASPATH_SET
#define BGP_AS_SEQUENCE		ASPATH_SEQUENCE
#define BGP_AS_CONFED_SEQUENCE	ASPATH_CONFED_SEQUENCE
#define BGP_AS_CONFED_SET	ASPATH_CONFED_SET

/* RFC 4760 / IANA address families */
#define BGP_AFI_IPV4		1
#define BGP_AFI_IPV6		2
#define BGP_SAFI_UNICAST	1

/* RFC 5492 optional parameter, capability codes */
#define BGP_OPT_CAPABILITIES	2
#define BGP_CAP_MP		1	/* RFC 4760 */
#define BGP_CAP_ROUTE_REFRESH	2	/* RFC 2918 */
#define BGP_CAP_EXT_MSG		6	/* RFC 8654 */
#define BGP_CAP_GRACEFUL_RESTART 64	/* RFC 4724 */
#define BGP_CAP_AS4		65	/* RFC 6793 */
#define BGP_CAP_ADD_PATH	69	/* RFC 7911 */
#define BGP_CAP_ENHANCED_RR	70	/* RFC 7313 */
#define BGP_CAP_LLGR		71	/* RFC 9494 */

/* RFC 4724 3 */
#define BGP_GR_F_RESTART	0x8	/* in the high nibble of the flags/time */
#define BGP_GR_F_NOTIFICATION	0x4	/* RFC 8538 3: the N bit */
#define BGP_GR_AF_F_FORWARDING	0x80

/* RFC 7911 4 */
#define BGP_ADDPATH_RX		1
#define BGP_ADDPATH_TX		2

/* RFC 4271 4.5 error codes */
enum bgp_err_code {
	BGP_ERR_HEADER = 1,
	BGP_ERR_OPEN = 2,
	BGP_ERR_UPDATE = 3,
	BGP_ERR_HOLD = 4,
	BGP_ERR_FSM = 5,
	BGP_ERR_CEASE = 6,
	BGP_ERR_RREFRESH = 7,	/* RFC 7313 */
};

/* RFC 4271 6.1 message header error subcodes */
#define BGP_ERR_HDR_SYNC		1
#define BGP_ERR_HDR_LEN			2
#define BGP_ERR_HDR_TYPE		3

/* RFC 4271 6.2 OPEN message error subcodes */
#define BGP_ERR_OPEN_VERSION		1
#define BGP_ERR_OPEN_AS			2
#define BGP_ERR_OPEN_BGPID		3
#define BGP_ERR_OPEN_OPT		4
#define BGP_ERR_OPEN_HOLD		6
#define BGP_ERR_OPEN_CAPA		7	/* RFC 5492 */

/* RFC 4271 6.3 UPDATE message error subcodes */
#define BGP_ERR_UPD_ATTRLIST		1
#define BGP_ERR_UPD_UNKNWN_WK_ATTR	2
#define BGP_ERR_UPD_MISSING_WK_ATTR	3
#define BGP_ERR_UPD_ATTRFLAGS		4
#define BGP_ERR_UPD_ATTR_LEN		5
#define BGP_ERR_UPD_ORIGIN		6
#define BGP_ERR_UPD_NEXTHOP		8
#define BGP_ERR_UPD_OPTATTR		9
#define BGP_ERR_UPD_NETWORK		10
#define BGP_ERR_UPD_ASPATH		11

/* RFC 4486 Cease subcodes */
#define BGP_CEASE_MAX_PREFIX		1
#define BGP_CEASE_ADMIN_SHUTDOWN	2
#define BGP_CEASE_PEER_UNCONFIGURED	3
#define BGP_CEASE_ADMIN_RESET		4
#define BGP_CEASE_CONN_REJECTED		5
#define BGP_CEASE_CONFIG_CHANGE		6
#define BGP_CEASE_COLLISION		7
#define BGP_CEASE_OUT_OF_RESOURCES	8
#define BGP_CEASE_HARD_RESET		9	/* RFC 8538 */
#define BGP_CEASE_BFD_DOWN		10	/* RFC 9384 */

/* RFC 8203: shutdown communication, max length */
#define BGP_SHUTDOWN_COMM_MAX		255

#endif
