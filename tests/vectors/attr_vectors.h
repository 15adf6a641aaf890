/*
 * attr_vectors.h: UPDATE bodies with one malformed or unwanted attribute
 * each, and the RFC 7606 action expected: treat-as-withdraw (section 7
 * per attribute, 3 (c) flags, 3 (d) missing attributes, 4 framing) or
 * attribute discard (7.6, 7.7, RFC 6793 6, 3 (g) duplicates, 7.5 eBGP
 * LOCAL_PREF). Uses the building blocks of update_vectors.h.
 */
#ifndef TERN_TEST_ATTR_VECTORS_H
#define TERN_TEST_ATTR_VECTORS_H

#include "update_vectors.h"

#define WD	BGP_ERR_UPDATE
static const struct bgp_vec attr_vecs[] = {
	/* ---- treat-as-withdraw ---- */
	{ "ORIGIN of length 2 (7.1)", BYTES(
		NO_WITHDRAWN,
		0x00, 0x0f,		/* attribute length 15 */
		0x40, 0x01, 0x02,	/* ORIGIN: len 2 */
		0x00, 0x00,		/* IGP and a stray octet */
		A_ASPATH_EMPTY, A_NEXTHOP,
		NLRI_26),
	  WD, BGP_ERR_UPD_ATTR_LEN, BGP_ERR_WITHDRAW, 0, NULL, 0 },
	{ "ORIGIN value 3 (7.1)", BYTES(
		NO_WITHDRAWN,
		0x00, 0x0e,		/* attribute length 14 */
		0x40, 0x01, 0x01,	/* ORIGIN: len 1 */
		0x03,			/* 3: undefined */
		A_ASPATH_EMPTY, A_NEXTHOP,
		NLRI_26),
	  WD, BGP_ERR_UPD_ORIGIN, BGP_ERR_WITHDRAW, 0,
	  DATA(0x40, 0x01, 0x01, 0x03) },
	{ "ORIGIN with the optional flag (3 (c))", BYTES(
		NO_WITHDRAWN,
		0x00, 0x0e,		/* attribute length 14 */
		0xc0, 0x01, 0x01,	/* ORIGIN: flags OT: wrong */
		0x00,			/* IGP */
		A_ASPATH_EMPTY, A_NEXTHOP,
		NLRI_26),
	  WD, BGP_ERR_UPD_ATTRFLAGS, BGP_ERR_WITHDRAW, 0, NULL, 0 },
	{ "AS_PATH segment overruns (7.2)", BYTES(
		NO_WITHDRAWN,
		0x00, 0x12,		/* attribute length 18 */
		A_ORIGIN_IGP,
		0x40, 0x02, 0x04,	/* AS_PATH: len 4 */
		0x02, 0x02,		/* AS_SEQUENCE of 2 (8 octets) */
		0xfc, 0x00,		/* ...2 octets */
		A_NEXTHOP,
		NLRI_26),
	  WD, BGP_ERR_UPD_ASPATH, BGP_ERR_WITHDRAW, 0, NULL, 0 },
	{ "AS_PATH segment of length 0 (7.2)", BYTES(
		NO_WITHDRAWN,
		0x00, 0x10,		/* attribute length 16 */
		A_ORIGIN_IGP,
		0x40, 0x02, 0x02,	/* AS_PATH: len 2 */
		0x02, 0x00,		/* AS_SEQUENCE of 0 */
		A_NEXTHOP,
		NLRI_26),
	  WD, BGP_ERR_UPD_ASPATH, BGP_ERR_WITHDRAW, 0, NULL, 0 },
	{ "AS_PATH segment type 5 (7.2)", BYTES(
		NO_WITHDRAWN,
		0x00, 0x14,		/* attribute length 20 */
		A_ORIGIN_IGP,
		0x40, 0x02, 0x06,	/* AS_PATH: len 6 */
		0x05, 0x01,		/* segment type 5: unknown */
		0x00, 0x00, 0xfc, 0x00,	/* AS 64512 */
		A_NEXTHOP,
		NLRI_26),
	  WD, BGP_ERR_UPD_ASPATH, BGP_ERR_WITHDRAW, 0, NULL, 0 },
	{ "AS_PATH with one trailing octet (7.2)", BYTES(
		NO_WITHDRAWN,
		0x00, 0x15,		/* attribute length 21 */
		A_ORIGIN_IGP,
		0x40, 0x02, 0x07,	/* AS_PATH: len 7 */
		0x02, 0x01,		/* AS_SEQUENCE of 1 */
		0x00, 0x00, 0xfc, 0x00,	/* AS 64512 */
		0x02,			/* half a segment header */
		A_NEXTHOP,
		NLRI_26),
	  WD, BGP_ERR_UPD_ASPATH, BGP_ERR_WITHDRAW, 0, NULL, 0 },
	{ "AS_PATH containing AS 0 (RFC 7607)", BYTES(
		NO_WITHDRAWN,
		0x00, 0x14,		/* attribute length 20 */
		A_ORIGIN_IGP,
		0x40, 0x02, 0x06,	/* AS_PATH: len 6 */
		0x02, 0x01,		/* AS_SEQUENCE of 1 */
		0x00, 0x00, 0x00, 0x00,	/* AS 0 */
		A_NEXTHOP,
		NLRI_26),
	  WD, BGP_ERR_UPD_ASPATH, BGP_ERR_WITHDRAW, 0, NULL, 0 },
	{ "AS_PATH of 4-octet ASNs on a 2-octet session (7.2)", BYTES(
		NO_WITHDRAWN,
		0x00, 0x14,		/* attribute length 20 */
		A_ORIGIN_IGP,
		A_ASPATH_64512,		/* read as 2-octet: garbage */
		A_NEXTHOP,
		NLRI_26),
	  WD, BGP_ERR_UPD_ASPATH, BGP_ERR_WITHDRAW, VEC_AS2, NULL, 0 },
	{ "NEXT_HOP of length 5 (7.3)", BYTES(
		NO_WITHDRAWN,
		0x00, 0x0f,		/* attribute length 15 */
		A_ORIGIN_IGP, A_ASPATH_EMPTY,
		0x40, 0x03, 0x05,	/* NEXT_HOP: len 5 */
		198, 18, 0, 2, 0,	/* address and a stray octet */
		NLRI_26),
	  WD, BGP_ERR_UPD_ATTR_LEN, BGP_ERR_WITHDRAW, 0, NULL, 0 },
	{ "NEXT_HOP 0.0.0.0 (RFC 4271 6.3)", BYTES(
		NO_WITHDRAWN,
		0x00, 0x0e,		/* attribute length 14 */
		A_ORIGIN_IGP, A_ASPATH_EMPTY,
		0x40, 0x03, 0x04,	/* NEXT_HOP: len 4 */
		0, 0, 0, 0,		/* 0.0.0.0 */
		NLRI_26),
	  WD, BGP_ERR_UPD_NEXTHOP, BGP_ERR_WITHDRAW, 0, NULL, 0 },
	{ "NEXT_HOP 224.0.0.1 (RFC 4271 6.3)", BYTES(
		NO_WITHDRAWN,
		0x00, 0x0e,		/* attribute length 14 */
		A_ORIGIN_IGP, A_ASPATH_EMPTY,
		0x40, 0x03, 0x04,	/* NEXT_HOP: len 4 */
		224, 0, 0, 1,		/* multicast */
		NLRI_26),
	  WD, BGP_ERR_UPD_NEXTHOP, BGP_ERR_WITHDRAW, 0, NULL, 0 },
	{ "MED of length 3 (7.4)", BYTES(
		NO_WITHDRAWN,
		0x00, 0x14,		/* attribute length 20 */
		A_BASE,
		0x80, 0x04, 0x03,	/* MED: len 3 */
		0x00, 0x00, 0x01,	/* value */
		NLRI_26),
	  WD, BGP_ERR_UPD_ATTR_LEN, BGP_ERR_WITHDRAW, 0, NULL, 0 },
	{ "MED with well-known flags (3 (c))", BYTES(
		NO_WITHDRAWN,
		0x00, 0x15,		/* attribute length 21 */
		A_BASE,
		0x40, 0x04, 0x04,	/* MED: flags T: wrong */
		0x00, 0x00, 0x00, 0x01,	/* 1 */
		NLRI_26),
	  WD, BGP_ERR_UPD_ATTRFLAGS, BGP_ERR_WITHDRAW, 0, NULL, 0 },
	{ "LOCAL_PREF of length 2 (7.5)", BYTES(
		NO_WITHDRAWN,
		0x00, 0x13,		/* attribute length 19 */
		A_BASE,
		0x40, 0x05, 0x02,	/* LOCAL_PREF: len 2 */
		0x00, 0x64,		/* value */
		NLRI_26),
	  WD, BGP_ERR_UPD_ATTR_LEN, BGP_ERR_WITHDRAW, 0, NULL, 0 },
	{ "COMMUNITIES of length 5 (7.8)", BYTES(
		NO_WITHDRAWN,
		0x00, 0x16,		/* attribute length 22 */
		A_BASE,
		0xc0, 0x08, 0x05,	/* COMMUNITIES: len 5 */
		0xfd, 0xe8, 0x00, 0x01, 0x00,	/* one and a bit */
		NLRI_26),
	  WD, BGP_ERR_UPD_ATTR_LEN, BGP_ERR_WITHDRAW, 0, NULL, 0 },
	{ "COMMUNITIES of length 0 (7.8)", BYTES(
		NO_WITHDRAWN,
		0x00, 0x11,		/* attribute length 17 */
		A_BASE,
		0xc0, 0x08, 0x00,	/* COMMUNITIES: len 0 */
		NLRI_26),
	  WD, BGP_ERR_UPD_ATTR_LEN, BGP_ERR_WITHDRAW, 0, NULL, 0 },
	{ "LARGE_COMMUNITIES of length 13 (RFC 8092 6)", BYTES(
		NO_WITHDRAWN,
		0x00, 0x1e,		/* attribute length 30 */
		A_BASE,
		0xc0, 0x20, 0x0d,	/* LARGE_COMMUNITIES: len 13 */
		0x00, 0x00, 0xfd, 0xe8, 0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x02, 0x00,	/* one and a bit */
		NLRI_26),
	  WD, BGP_ERR_UPD_ATTR_LEN, BGP_ERR_WITHDRAW, 0, NULL, 0 },
	{ "LARGE_COMMUNITIES of length 24 + 4 (RFC 8092 6)", BYTES(
		NO_WITHDRAWN,
		0x00, 0x2d,		/* attribute length 45 */
		A_BASE,
		0xc0, 0x20, 0x1c,	/* LARGE_COMMUNITIES: len 28 */
		0x00, 0x00, 0xfd, 0xe8, 0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0xfd, 0xe8,
		0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x03,
		0x00, 0x00, 0x00, 0x04,	/* a community's worth */
		NLRI_26),
	  WD, BGP_ERR_UPD_ATTR_LEN, BGP_ERR_WITHDRAW, 0, NULL, 0 },
	{ "LARGE_COMMUNITIES of length 0 (RFC 8092 6)", BYTES(
		NO_WITHDRAWN,
		0x00, 0x11,		/* attribute length 17 */
		A_BASE,
		0xc0, 0x20, 0x00,	/* LARGE_COMMUNITIES: len 0 */
		NLRI_26),
	  WD, BGP_ERR_UPD_ATTR_LEN, BGP_ERR_WITHDRAW, 0, NULL, 0 },
	{ "LARGE_COMMUNITIES without the transitive flag (RFC 7606 3 c)",
	  BYTES(
		NO_WITHDRAWN,
		0x00, 0x1d,		/* attribute length 29 */
		A_BASE,
		0x80, 0x20, 0x0c,	/* flags O only, len 12 */
		0x00, 0x00, 0xfd, 0xe8, 0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x02,
		NLRI_26),
	  WD, BGP_ERR_UPD_ATTRFLAGS, BGP_ERR_WITHDRAW, 0, NULL, 0 },
	{ "ORIGINATOR_ID of length 3 (7.9)", BYTES(
		NO_WITHDRAWN,
		0x00, 0x14,		/* attribute length 20 */
		A_BASE,
		0x80, 0x09, 0x03,	/* ORIGINATOR_ID: len 3 */
		0x0a, 0x00, 0x00,	/* value */
		NLRI_26),
	  WD, BGP_ERR_UPD_ATTR_LEN, BGP_ERR_WITHDRAW, 0, NULL, 0 },
	{ "CLUSTER_LIST of length 6 (7.10)", BYTES(
		NO_WITHDRAWN,
		0x00, 0x17,		/* attribute length 23 */
		A_BASE,
		0x80, 0x0a, 0x06,	/* CLUSTER_LIST: len 6 */
		0x0a, 0x00, 0x00, 0x01,	/* 10.0.0.1 */
		0x0a, 0x00,		/* and half */
		NLRI_26),
	  WD, BGP_ERR_UPD_ATTR_LEN, BGP_ERR_WITHDRAW, 0, NULL, 0 },
	{ "missing ORIGIN (3 (d))", BYTES(
		NO_WITHDRAWN,
		0x00, 0x0a,		/* attribute length 10 */
		A_ASPATH_EMPTY, A_NEXTHOP,
		NLRI_26),
	  WD, BGP_ERR_UPD_MISSING_WK_ATTR, BGP_ERR_WITHDRAW, 0, DATA(1) },
	{ "missing AS_PATH (3 (d))", BYTES(
		NO_WITHDRAWN,
		0x00, 0x0b,		/* attribute length 11 */
		A_ORIGIN_IGP, A_NEXTHOP,
		NLRI_26),
	  WD, BGP_ERR_UPD_MISSING_WK_ATTR, BGP_ERR_WITHDRAW, 0, DATA(2) },
	{ "missing NEXT_HOP with ipv4 NLRI (3 (d))", BYTES(
		NO_WITHDRAWN,
		0x00, 0x07,		/* attribute length 7 */
		A_ORIGIN_IGP, A_ASPATH_EMPTY,
		NLRI_26),
	  WD, BGP_ERR_UPD_MISSING_WK_ATTR, BGP_ERR_WITHDRAW, 0, DATA(3) },
	{ "NLRI with no attributes at all (3 (d))", BYTES(
		NO_WITHDRAWN,
		0x00, 0x00,		/* attribute length 0 */
		NLRI_26),
	  WD, BGP_ERR_UPD_MISSING_WK_ATTR, BGP_ERR_WITHDRAW, 0, DATA(1) },
	{ "attribute overruns the field, NLRI present (4)", BYTES(
		NO_WITHDRAWN,
		0x00, 0x13,		/* attribute length 19 */
		A_BASE,
		0xc0, 0x08, 0x08,	/* COMMUNITIES: len 8 */
		0xfd, 0xe8,		/* ...2 octets in the field */
		NLRI_26),
	  WD, BGP_ERR_UPD_ATTRLIST, BGP_ERR_WITHDRAW, 0, NULL, 0 },
	{ "partial attribute header, NLRI present (4)", BYTES(
		NO_WITHDRAWN,
		0x00, 0x10,		/* attribute length 16 */
		A_BASE,
		0x40, 0x05,		/* flags and code, no length */
		NLRI_26),
	  WD, BGP_ERR_UPD_ATTRLIST, BGP_ERR_WITHDRAW, 0, NULL, 0 },
	{ "MP_REACH ipv6 next hop :: without link-local", BYTES(
		NO_WITHDRAWN,
		0x00, 0x27,		/* attribute length 39 */
		0x90, 0x0e, 0x00, 0x1c,	/* MP_REACH: flags O+E, len 28 */
		0x00, 0x02, 0x01,	/* AFI IPv6, SAFI unicast */
		0x10,			/* next hop length 16 */
		0, 0, 0, 0, 0, 0, 0, 0,	/* :: */
		0, 0, 0, 0, 0, 0, 0, 0,
		0x00,			/* reserved */
		NLRI6_48,
		A_ORIGIN_IGP, A_ASPATH_EMPTY),
	  WD, BGP_ERR_UPD_NEXTHOP, BGP_ERR_WITHDRAW, 0, NULL, 0 },

	/* ---- attribute discard ---- */
	{ "LOCAL_PREF from an external peer (7.5)", BYTES(
		NO_WITHDRAWN,
		0x00, 0x1b,		/* attribute length 27 */
		A_ORIGIN_IGP, A_ASPATH_64512, A_NEXTHOP, A_LOCALPREF,
		NLRI_26),
	  WD, 0, BGP_ERR_DISCARD_ATTR, VEC_EBGP, NULL, 0 },
	{ "AS4_PATH from a 4-octet peer (RFC 6793 4.1)", BYTES(
		NO_WITHDRAWN,
		0x00, 0x17,		/* attribute length 23 */
		A_BASE,
		0xc0, 0x11, 0x06,	/* AS4_PATH: flags OT, len 6 */
		0x02, 0x01,		/* AS_SEQUENCE of 1 */
		0x00, 0x00, 0xfd, 0xe8,	/* AS 65000 */
		NLRI_26),
	  WD, 0, BGP_ERR_DISCARD_ATTR, 0, NULL, 0 },
	{ "ATOMIC_AGGREGATE of length 1 (7.6)", BYTES(
		NO_WITHDRAWN,
		0x00, 0x12,		/* attribute length 18 */
		A_BASE,
		0x40, 0x06, 0x01,	/* ATOMIC_AGGREGATE: len 1 */
		0x00,			/* value */
		NLRI_26),
	  WD, BGP_ERR_UPD_ATTR_LEN, BGP_ERR_DISCARD_ATTR, 0, NULL, 0 },
	{ "AGGREGATOR of length 7 (7.7)", BYTES(
		NO_WITHDRAWN,
		0x00, 0x18,		/* attribute length 24 */
		A_BASE,
		0xc0, 0x07, 0x07,	/* AGGREGATOR: len 7 */
		0x00, 0x00, 0xfd, 0xe8,	/* AS 65000 */
		0x0a, 0x00, 0x00,	/* 3/4 of an address */
		NLRI_26),
	  WD, BGP_ERR_UPD_ATTR_LEN, BGP_ERR_DISCARD_ATTR, 0, NULL, 0 },
	{ "AGGREGATOR of 6 on a 4-octet session (7.7)", BYTES(
		NO_WITHDRAWN,
		0x00, 0x17,		/* attribute length 23 */
		A_BASE,
		0xc0, 0x07, 0x06,	/* AGGREGATOR: len 6 */
		0xfd, 0xe8,		/* AS 65000 in 2 octets */
		0x0a, 0x00, 0x00, 0x01,	/* 10.0.0.1 */
		NLRI_26),
	  WD, BGP_ERR_UPD_ATTR_LEN, BGP_ERR_DISCARD_ATTR, 0, NULL, 0 },
	{ "AGGREGATOR with AS 0 (RFC 7607)", BYTES(
		NO_WITHDRAWN,
		0x00, 0x19,		/* attribute length 25 */
		A_BASE,
		0xc0, 0x07, 0x08,	/* AGGREGATOR: len 8 */
		0x00, 0x00, 0x00, 0x00,	/* AS 0 */
		0x0a, 0x00, 0x00, 0x01,	/* 10.0.0.1 */
		NLRI_26),
	  WD, BGP_ERR_UPD_OPTATTR, BGP_ERR_DISCARD_ATTR, 0, NULL, 0 },
	{ "AGGREGATOR with well-known flags (3 (c), 7.7)", BYTES(
		NO_WITHDRAWN,
		0x00, 0x19,		/* attribute length 25 */
		A_BASE,
		0x40, 0x07, 0x08,	/* AGGREGATOR: flags T: wrong */
		0x00, 0x00, 0xfd, 0xe8,	/* AS 65000 */
		0x0a, 0x00, 0x00, 0x01,	/* 10.0.0.1 */
		NLRI_26),
	  WD, BGP_ERR_UPD_ATTRFLAGS, BGP_ERR_DISCARD_ATTR, 0, NULL, 0 },
	{ "malformed AS4_PATH on a 2-octet session (RFC 6793 6)", BYTES(
		NO_WITHDRAWN,
		0x00, 0x19,		/* attribute length 25 */
		A_ORIGIN_IGP, A_ASPATH2_65000, A_NEXTHOP,
		0xc0, 0x11, 0x04,	/* AS4_PATH: flags OT, len 4 */
		0x02, 0x01,		/* AS_SEQUENCE of 1 (4 octets) */
		0x00, 0x00,		/* ...2 octets */
		NLRI_26),
	  WD, BGP_ERR_UPD_ASPATH, BGP_ERR_DISCARD_ATTR, VEC_AS2, NULL, 0 },
	{ "AS4_AGGREGATOR of length 6 (RFC 6793 6)", BYTES(
		NO_WITHDRAWN,
		0x00, 0x1b,		/* attribute length 27 */
		A_ORIGIN_IGP, A_ASPATH2_65000, A_NEXTHOP,
		0xc0, 0x12, 0x06,	/* AS4_AGGREGATOR: len 6 */
		0xfd, 0xe8,		/* 2-octet AS */
		0x0a, 0x00, 0x00, 0x01,	/* 10.0.0.1 */
		NLRI_26),
	  WD, BGP_ERR_UPD_ATTR_LEN, BGP_ERR_DISCARD_ATTR, VEC_AS2, NULL, 0 },
	{ "duplicate ORIGIN (3 (g))", BYTES(
		NO_WITHDRAWN,
		0x00, 0x12,		/* attribute length 18 */
		A_BASE,
		0x40, 0x01, 0x01,	/* ORIGIN again */
		0x02,			/* INCOMPLETE: ignored */
		NLRI_26),
	  WD, BGP_ERR_UPD_ATTRLIST, BGP_ERR_DISCARD_ATTR, 0, NULL, 0 },
};
#undef WD

#endif
