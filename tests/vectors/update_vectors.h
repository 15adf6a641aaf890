/*
 * update_vectors.h: UPDATE message bodies (after the 19-octet header) for
 * bgp_update_decode: valid messages the round-trip and truncation tests
 * reuse, and the structural errors that reset the session (RFC 4271 6.3,
 * RFC 7606 3 (g), 4, 5.3, 7.11). Per-attribute RFC 7606 section 7 cases
 * are in attr_vectors.h. ctx bits select the session (vec.h).
 */
#ifndef TERN_TEST_UPDATE_VECTORS_H
#define TERN_TEST_UPDATE_VECTORS_H

#include "msg.h"
#include "vec.h"

/* building blocks; the length of each is in its comment */
#define A_ORIGIN_IGP	/* 4 octets */				\
	0x40, 0x01, 0x01,	/* ORIGIN: flags T, code 1, len 1 */	\
	0x00			/* IGP */
#define A_ASPATH_EMPTY	/* 3 octets */				\
	0x40, 0x02, 0x00	/* AS_PATH: flags T, code 2, len 0 */
#define A_ASPATH_64512	/* 9 octets, 4-octet ASNs */		\
	0x40, 0x02, 0x06,	/* AS_PATH: flags T, code 2, len 6 */	\
	0x02, 0x01,		/* AS_SEQUENCE of 1 */			\
	0x00, 0x00, 0xfc, 0x00	/* AS 64512 */
#define A_ASPATH2_65000	/* 7 octets, 2-octet ASNs */		\
	0x40, 0x02, 0x04,	/* AS_PATH: flags T, code 2, len 4 */	\
	0x02, 0x01,		/* AS_SEQUENCE of 1 */			\
	0xfd, 0xe8		/* AS 65000 */
#define A_NEXTHOP	/* 7 octets */				\
	0x40, 0x03, 0x04,	/* NEXT_HOP: flags T, code 3, len 4 */	\
	198, 18, 0, 2		/* 198.18.0.2 */
#define A_LOCALPREF	/* 7 octets */				\
	0x40, 0x05, 0x04,	/* LOCAL_PREF: flags T, len 4 */	\
	0x00, 0x00, 0x00, 0x64	/* 100 */
/* ORIGIN + empty AS_PATH + NEXT_HOP: 14 octets */
#define A_BASE		A_ORIGIN_IGP, A_ASPATH_EMPTY, A_NEXTHOP
#define NLRI_26	/* 5 octets */					\
	26, 10, 244, 1, 0	/* 10.244.1.0/26 */
#define NLRI6_48	/* 7 octets */					\
	48, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01	/* 2001:db8:1::/48 */
#define V6_GLOBAL	/* 16 octets: 2001:db8::2 */			\
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02
#define V6_LL		/* 16 octets: fe80::2 */			\
	0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02
#define NO_WITHDRAWN	0x00, 0x00	/* withdrawn routes length 0 */

static const struct bgp_vec update_vecs[] = {
	/* ---- valid ---- */
	{ "iBGP /26 announcement (BIRD-style)", BYTES(
		NO_WITHDRAWN,
		0x00, 0x15,		/* attribute length 21 */
		A_BASE, A_LOCALPREF,
		NLRI_26),
	  0, 0, VEC_OK, 0, NULL, 0 },
	{ "eBGP announcement with MED and communities", BYTES(
		NO_WITHDRAWN,
		0x00, 0x26,		/* attribute length 38 */
		A_ORIGIN_IGP, A_ASPATH_64512, A_NEXTHOP,
		0x80, 0x04, 0x04,	/* MED: flags O, code 4, len 4 */
		0x00, 0x00, 0x00, 0x0a,	/* 10 */
		0xc0, 0x08, 0x08,	/* COMMUNITIES: flags OT, len 8 */
		0xfd, 0xe8, 0x00, 0x01,	/* 65000:1 */
		0xfd, 0xe8, 0x00, 0x02,	/* 65000:2 */
		NLRI_26),
	  0, 0, VEC_OK, VEC_EBGP, NULL, 0 },
	{ "ipv4 withdraw", BYTES(
		0x00, 0x05,		/* withdrawn routes length 5 */
		NLRI_26,
		0x00, 0x00),		/* attribute length 0 */
	  0, 0, VEC_OK, 0, NULL, 0 },
	{ "End-of-RIB ipv4", BYTES(
		NO_WITHDRAWN,
		0x00, 0x00),		/* attribute length 0 */
	  0, 0, VEC_OK, 0, NULL, 0 },
	{ "End-of-RIB ipv6", BYTES(
		NO_WITHDRAWN,
		0x00, 0x06,		/* attribute length 6 */
		0x80, 0x0f, 0x03,	/* MP_UNREACH: flags O, len 3 */
		0x00, 0x02, 0x01),	/* AFI IPv6, SAFI unicast, no NLRI */
	  0, 0, VEC_OK, 0, NULL, 0 },
	{ "ipv6 MP_REACH with a link-local next hop", BYTES(
		NO_WITHDRAWN,
		0x00, 0x3e,		/* attribute length 62 */
		0x90, 0x0e, 0x00, 0x2c,	/* MP_REACH: flags O+E, len 44 */
		0x00, 0x02, 0x01,	/* AFI IPv6, SAFI unicast */
		0x20,			/* next hop length 32 */
		V6_GLOBAL, V6_LL,	/* global, link-local */
		0x00,			/* reserved */
		NLRI6_48,
		A_ORIGIN_IGP, A_ASPATH_EMPTY, A_LOCALPREF),
	  0, 0, VEC_OK, 0, NULL, 0 },
	{ "ipv6 MP_UNREACH withdraw", BYTES(
		NO_WITHDRAWN,
		0x00, 0x0e,		/* attribute length 14 */
		0x90, 0x0f, 0x00, 0x0a,	/* MP_UNREACH: flags O+E, len 10 */
		0x00, 0x02, 0x01,	/* AFI IPv6, SAFI unicast */
		NLRI6_48),
	  0, 0, VEC_OK, 0, NULL, 0 },
	{ "add-path ipv4 announcement", BYTES(
		NO_WITHDRAWN,
		0x00, 0x15,		/* attribute length 21 */
		A_BASE, A_LOCALPREF,
		0x00, 0x00, 0x00, 0x01,	/* path id 1 */
		NLRI_26),
	  0, 0, VEC_OK, VEC_ADDPATH, NULL, 0 },
	{ "unknown optional transitive attribute kept", BYTES(
		NO_WITHDRAWN,
		0x00, 0x24,		/* attribute length 36 */
		A_BASE, A_LOCALPREF,
		0xc0, 0x21, 0x0c,	/* code 33: flags OT, len 12 */
		0x00, 0x00, 0xfd, 0xe8,	/* value ... */
		0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x02,
		NLRI_26),
	  0, 0, VEC_OK, 0, NULL, 0 },
	{ "LARGE_COMMUNITIES, two values (RFC 8092)", BYTES(
		NO_WITHDRAWN,
		0x00, 0x30,		/* attribute length 48 */
		A_BASE, A_LOCALPREF,
		0xc0, 0x20, 0x18,	/* code 32: flags OT, len 24 */
		0x00, 0x00, 0xfd, 0xe8,	/* 65000:1:2 */
		0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x02,
		0xfa, 0x56, 0xea, 0x00,	/* 4200000000:0:4294967295 */
		0x00, 0x00, 0x00, 0x00,
		0xff, 0xff, 0xff, 0xff,
		NLRI_26),
	  0, 0, VEC_OK, 0, NULL, 0 },
	{ "LARGE_COMMUNITIES, a value repeated (RFC 8092 6: not an error)",
	  BYTES(
		NO_WITHDRAWN,
		0x00, 0x30,		/* attribute length 48 */
		A_BASE, A_LOCALPREF,
		0xc0, 0x20, 0x18,	/* code 32: flags OT, len 24 */
		0x00, 0x00, 0xfd, 0xe8,	/* 65000:1:2 */
		0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x02,
		0x00, 0x00, 0xfd, 0xe8,	/* 65000:1:2 again */
		0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x02,
		NLRI_26),
	  0, 0, VEC_OK, 0, NULL, 0 },
	{ "unknown optional non-transitive attribute dropped", BYTES(
		NO_WITHDRAWN,
		0x00, 0x19,		/* attribute length 25 */
		A_BASE, A_LOCALPREF,
		0x80, 0x63, 0x01,	/* code 99: flags O, len 1 */
		0x00,			/* value */
		NLRI_26),
	  0, 0, VEC_OK, 0, NULL, 0 },
	{ "iBGP without LOCAL_PREF", BYTES(
		NO_WITHDRAWN,
		0x00, 0x0e,		/* attribute length 14 */
		A_BASE,
		NLRI_26),
	  0, 0, VEC_OK, 0, NULL, 0 },
	{ "host bits set in an NLRI prefix", BYTES(
		NO_WITHDRAWN,
		0x00, 0x0e,		/* attribute length 14 */
		A_BASE,
		23, 10, 0, 1),		/* 10.0.1.0/23: bit 24 set */
	  0, 0, VEC_OK, 0, NULL, 0 },
	{ "2-octet session with AS4_PATH", BYTES(
		NO_WITHDRAWN,
		0x00, 0x21,		/* attribute length 33 */
		A_ORIGIN_IGP,
		0x40, 0x02, 0x06,	/* AS_PATH: flags T, len 6 */
		0x02, 0x02,		/* AS_SEQUENCE of 2 */
		0xfd, 0xe8,		/* AS 65000 */
		0x5b, 0xa0,		/* AS_TRANS 23456 */
		A_NEXTHOP,
		0xc0, 0x11, 0x0a,	/* AS4_PATH: flags OT, len 10 */
		0x02, 0x02,		/* AS_SEQUENCE of 2 */
		0x00, 0x00, 0xfd, 0xe8,	/* AS 65000 */
		0xfa, 0x56, 0xea, 0x00,	/* AS 4200000000 */
		NLRI_26),
	  0, 0, VEC_OK, VEC_AS2, NULL, 0 },

	/* ---- session reset ---- */
	{ "withdrawn length overruns the message", BYTES(
		0x00, 0x10,		/* withdrawn routes length 16 */
		24, 10, 0, 0),		/* ...but 4 octets follow */
	  BGP_ERR_UPDATE, BGP_ERR_UPD_ATTRLIST, BGP_ERR_RESET, 0, NULL, 0 },
	{ "attribute length overruns the message", BYTES(
		NO_WITHDRAWN,
		0x00, 0x20,		/* attribute length 32 */
		A_ORIGIN_IGP),		/* ...but 4 octets follow */
	  BGP_ERR_UPDATE, BGP_ERR_UPD_ATTRLIST, BGP_ERR_RESET, 0, NULL, 0 },
	{ "body of 3 octets", BYTES(
		NO_WITHDRAWN,
		0x00),			/* half an attribute length */
	  BGP_ERR_UPDATE, BGP_ERR_UPD_ATTRLIST, BGP_ERR_RESET, 0, NULL, 0 },
	{ "attribute overruns the field, no NLRI (RFC 7606 4)", BYTES(
		NO_WITHDRAWN,
		0x00, 0x05,		/* attribute length 5 */
		0x40, 0x01, 0x05,	/* ORIGIN: len 5 */
		0x00, 0x00),		/* ...but 2 octets in the field */
	  BGP_ERR_UPDATE, BGP_ERR_UPD_ATTRLIST, BGP_ERR_RESET, 0, NULL, 0 },
	{ "NLRI prefix length 33", BYTES(
		NO_WITHDRAWN,
		0x00, 0x0e,		/* attribute length 14 */
		A_BASE,
		33, 10, 0, 0, 0, 0),	/* /33 */
	  BGP_ERR_UPDATE, BGP_ERR_UPD_NETWORK, BGP_ERR_RESET, 0, NULL, 0 },
	{ "NLRI prefix overruns the field", BYTES(
		NO_WITHDRAWN,
		0x00, 0x0e,		/* attribute length 14 */
		A_BASE,
		24, 10, 0),		/* /24 needs 3 octets, 2 follow */
	  BGP_ERR_UPDATE, BGP_ERR_UPD_NETWORK, BGP_ERR_RESET, 0, NULL, 0 },
	{ "withdrawn prefix length 33", BYTES(
		0x00, 0x06,		/* withdrawn routes length 6 */
		33, 10, 0, 0, 0, 0,	/* /33 */
		0x00, 0x00),		/* attribute length 0 */
	  BGP_ERR_UPDATE, BGP_ERR_UPD_NETWORK, BGP_ERR_RESET, 0, NULL, 0 },
	{ "MP_REACH ipv6 prefix length 129", BYTES(
		NO_WITHDRAWN,
		0x00, 0x1a,		/* attribute length 26 */
		0x90, 0x0e, 0x00, 0x16,	/* MP_REACH: flags O+E, len 22 */
		0x00, 0x02, 0x01,	/* AFI IPv6, SAFI unicast */
		0x10, V6_GLOBAL,	/* next hop length 16, global */
		0x00,			/* reserved */
		0x81),			/* prefix length 129 */
	  BGP_ERR_UPDATE, BGP_ERR_UPD_NETWORK, BGP_ERR_RESET, 0, NULL, 0 },
	{ "add-path NLRI with a truncated path id", BYTES(
		NO_WITHDRAWN,
		0x00, 0x0e,		/* attribute length 14 */
		A_BASE,
		0x00, 0x00, 0x01),	/* 3 of the 4 path id octets */
	  BGP_ERR_UPDATE, BGP_ERR_UPD_NETWORK, BGP_ERR_RESET, VEC_ADDPATH,
	  NULL, 0 },
	{ "duplicate MP_REACH_NLRI (RFC 7606 3 (g))", BYTES(
		NO_WITHDRAWN,
		0x00, 0x30,		/* attribute length 48 */
		0x80, 0x0e, 0x15,	/* MP_REACH: flags O, len 21 */
		0x00, 0x02, 0x01,	/* AFI IPv6, SAFI unicast */
		0x10, V6_GLOBAL,	/* next hop length 16, global */
		0x00,			/* reserved, no NLRI */
		0x80, 0x0e, 0x15,	/* MP_REACH again */
		0x00, 0x02, 0x01,	/* AFI IPv6, SAFI unicast */
		0x10, V6_GLOBAL,	/* next hop length 16, global */
		0x00),			/* reserved, no NLRI */
	  BGP_ERR_UPDATE, BGP_ERR_UPD_ATTRLIST, BGP_ERR_RESET, 0, NULL, 0 },
	{ "duplicate MP_UNREACH_NLRI (RFC 7606 3 (g))", BYTES(
		NO_WITHDRAWN,
		0x00, 0x0c,		/* attribute length 12 */
		0x80, 0x0f, 0x03,	/* MP_UNREACH: flags O, len 3 */
		0x00, 0x02, 0x01,	/* AFI IPv6, SAFI unicast */
		0x80, 0x0f, 0x03,	/* MP_UNREACH again */
		0x00, 0x02, 0x01),	/* AFI IPv6, SAFI unicast */
	  BGP_ERR_UPDATE, BGP_ERR_UPD_ATTRLIST, BGP_ERR_RESET, 0, NULL, 0 },
	{ "unrecognized well-known attribute", BYTES(
		NO_WITHDRAWN,
		0x00, 0x12,		/* attribute length 18 */
		A_BASE,
		0x40, 0x63, 0x01,	/* code 99: flags T (well-known) */
		0x00,			/* value */
		NLRI_26),
	  BGP_ERR_UPDATE, BGP_ERR_UPD_UNKNWN_WK_ATTR, BGP_ERR_RESET, 0,
	  DATA(0x40, 0x63, 0x01, 0x00) },
	{ "MP_REACH of 4 octets (RFC 7606 7.11)", BYTES(
		NO_WITHDRAWN,
		0x00, 0x07,		/* attribute length 7 */
		0x80, 0x0e, 0x04,	/* MP_REACH: flags O, len 4 */
		0x00, 0x02, 0x01,	/* AFI IPv6, SAFI unicast */
		0x10),			/* next hop length 16, no more */
	  BGP_ERR_UPDATE, BGP_ERR_UPD_OPTATTR, BGP_ERR_RESET, 0,
	  DATA(0x80, 0x0e, 0x04, 0x00, 0x02, 0x01, 0x10) },
	{ "MP_REACH next hop overruns (RFC 7606 7.11)", BYTES(
		NO_WITHDRAWN,
		0x00, 0x09,		/* attribute length 9 */
		0x80, 0x0e, 0x06,	/* MP_REACH: flags O, len 6 */
		0x00, 0x02, 0x01,	/* AFI IPv6, SAFI unicast */
		0x20,			/* next hop length 32 */
		0x00, 0x00),		/* ...2 octets of it */
	  BGP_ERR_UPDATE, BGP_ERR_UPD_OPTATTR, BGP_ERR_RESET, 0, NULL, 0 },
	{ "MP_REACH ipv6 next hop of 20 octets (RFC 7606 7.11)", BYTES(
		NO_WITHDRAWN,
		0x00, 0x1c,		/* attribute length 28 */
		0x80, 0x0e, 0x19,	/* MP_REACH: flags O, len 25 */
		0x00, 0x02, 0x01,	/* AFI IPv6, SAFI unicast */
		0x14, V6_GLOBAL,	/* next hop length 20, 16 ... */
		0x00, 0x00, 0x00, 0x00,	/* ... and 4 more */
		0x00),			/* reserved */
	  BGP_ERR_UPDATE, BGP_ERR_UPD_OPTATTR, BGP_ERR_RESET, 0, NULL, 0 },
	{ "MP_UNREACH of 2 octets (RFC 7606 7.11)", BYTES(
		NO_WITHDRAWN,
		0x00, 0x05,		/* attribute length 5 */
		0x80, 0x0f, 0x02,	/* MP_UNREACH: flags O, len 2 */
		0x00, 0x02),		/* AFI IPv6, no SAFI */
	  BGP_ERR_UPDATE, BGP_ERR_UPD_OPTATTR, BGP_ERR_RESET, 0, NULL, 0 },
	{ "MP_REACH with well-known flags (RFC 7606 3 (c), 7.11)", BYTES(
		NO_WITHDRAWN,
		0x00, 0x18,		/* attribute length 24 */
		0x40, 0x0e, 0x15,	/* MP_REACH: flags T: wrong */
		0x00, 0x02, 0x01,	/* AFI IPv6, SAFI unicast */
		0x10, V6_GLOBAL,	/* next hop length 16, global */
		0x00),			/* reserved, no NLRI */
	  BGP_ERR_UPDATE, BGP_ERR_UPD_ATTRFLAGS, BGP_ERR_RESET, 0, NULL, 0 },
};

#endif
