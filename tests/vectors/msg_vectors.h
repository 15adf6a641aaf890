/*
 * msg_vectors.h: whole BGP messages (header included) for framing and for
 * the OPEN, KEEPALIVE, NOTIFICATION and ROUTE-REFRESH decoders: one
 * vector per RFC 4271 6.1 / 6.2 case we implement, plus valid messages
 * (BIRD 2.0.12 and 1.6 OPENs among them) that the round-trip and
 * truncation tests reuse. Decoded by test_msg.c: bgp_frame, then the
 * decoder for the type.
 */
#ifndef TERN_TEST_MSG_VECTORS_H
#define TERN_TEST_MSG_VECTORS_H

#include "msg.h"
#include "vec.h"

/* OPEN header and fixed fields: length, AS 65000, hold 180, id 10.0.0.1 */
#define OPEN_HDR(len)							\
	MARKER,								\
	0x00, (len),		/* length */				\
	0x01			/* type OPEN */
#define OPEN_FIXED							\
	0x04,			/* version 4 */				\
	0xfd, 0xe8,		/* my AS 65000 */			\
	0x00, 0xb4,		/* hold time 180 */			\
	0x0a, 0x00, 0x00, 0x01	/* BGP identifier 10.0.0.1 */

static const struct bgp_vec msg_vecs[] = {
	/* ---- valid messages ---- */
	{ "keepalive", BYTES(
		MARKER,
		0x00, 0x13,		/* length 19 */
		0x04),			/* type KEEPALIVE */
	  0, 0, VEC_OK, 0, NULL, 0 },
	{ "notification: cease, admin shutdown, RFC 8203 text", BYTES(
		MARKER,
		0x00, 0x19,		/* length 25 */
		0x03,			/* type NOTIFICATION */
		0x06, 0x02,		/* Cease / Administrative Shutdown */
		0x03, 'b', 'y', 'e'),	/* data: text length 3, "bye" */
	  0, 0, VEC_OK, 0, NULL, 0 },
	{ "notification: hold timer expired", BYTES(
		MARKER,
		0x00, 0x15,		/* length 21 */
		0x03,			/* type NOTIFICATION */
		0x04, 0x00),		/* Hold Timer Expired / 0 */
	  0, 0, VEC_OK, 0, NULL, 0 },
	{ "route-refresh: ipv4 unicast", BYTES(
		MARKER,
		0x00, 0x17,		/* length 23 */
		0x05,			/* type ROUTE-REFRESH */
		0x00, 0x01,		/* AFI IPv4 */
		0x00,			/* subtype 0 (RFC 2918) */
		0x01),			/* SAFI unicast */
	  0, 0, VEC_OK, 0, NULL, 0 },
	{ "route-refresh: BoRR ipv6 unicast (RFC 7313)", BYTES(
		MARKER,
		0x00, 0x17,		/* length 23 */
		0x05,			/* type ROUTE-REFRESH */
		0x00, 0x02,		/* AFI IPv6 */
		0x01,			/* subtype 1 BoRR */
		0x01),			/* SAFI unicast */
	  0, 0, VEC_OK, 0, NULL, 0 },
	{ "update: End-of-RIB ipv4", BYTES(
		MARKER,
		0x00, 0x17,		/* length 23 */
		0x02,			/* type UPDATE */
		0x00, 0x00,		/* withdrawn routes length 0 */
		0x00, 0x00),		/* total path attribute length 0 */
	  0, 0, VEC_OK, 0, NULL, 0 },
	{ "open: BIRD 2.0.12 (Calico template)", BYTES(
		MARKER,
		0x00, 0x3f,		/* length 63 */
		0x01,			/* type OPEN */
		0x04,			/* version 4 */
		0xfc, 0x00,		/* my AS 64512 */
		0x00, 0xf0,		/* hold time 240 */
		0x0a, 0x00, 0x00, 0x02,	/* BGP identifier 10.0.0.2 */
		0x22,			/* optional parameters length 34 */
		0x02, 0x20,		/* param capabilities, length 32 */
		0x01, 0x04,		/* cap MP, length 4 */
		0x00, 0x01, 0x00, 0x01,	/* AFI IPv4, reserved, SAFI unicast */
		0x02, 0x00,		/* cap route refresh, length 0 */
		0x40, 0x06,		/* cap graceful restart, length 6 */
		0x00, 0x78,		/* flags 0, restart time 120 */
		0x00, 0x01, 0x01, 0x00,	/* IPv4 unicast, F bit clear */
		0x41, 0x04,		/* cap 4-octet AS, length 4 */
		0x00, 0x00, 0xfc, 0x00,	/* AS 64512 */
		0x45, 0x04,		/* cap ADD-PATH, length 4 */
		0x00, 0x01, 0x01, 0x03,	/* IPv4 unicast, send+receive */
		0x46, 0x00,		/* cap enhanced route refresh */
		0x47, 0x00),		/* cap long-lived GR, aware (empty) */
	  0, 0, VEC_OK, 0, NULL, 0 },
	{ "open: BIRD 1.6 (GR aware, time 0)", BYTES(
		OPEN_HDR(0x33),		/* length 51 */
		OPEN_FIXED,
		0x16,			/* optional parameters length 22 */
		0x02, 0x14,		/* param capabilities, length 20 */
		0x01, 0x04,		/* cap MP, length 4 */
		0x00, 0x01, 0x00, 0x01,	/* AFI IPv4, reserved, SAFI unicast */
		0x02, 0x00,		/* cap route refresh */
		0x40, 0x02,		/* cap graceful restart, length 2 */
		0x00, 0x00,		/* flags 0, restart time 0 */
		0x41, 0x04,		/* cap 4-octet AS, length 4 */
		0x00, 0x00, 0xfd, 0xe8,	/* AS 65000 */
		0x46, 0x00),		/* cap enhanced route refresh */
	  0, 0, VEC_OK, 0, NULL, 0 },
	{ "open: one capability per parameter", BYTES(
		OPEN_HDR(0x31),		/* length 49 */
		OPEN_FIXED,
		0x14,			/* optional parameters length 20 */
		0x02, 0x06,		/* param capabilities, length 6 */
		0x01, 0x04,		/* cap MP, length 4 */
		0x00, 0x01, 0x00, 0x01,	/* AFI IPv4, reserved, SAFI unicast */
		0x02, 0x02,		/* param capabilities, length 2 */
		0x02, 0x00,		/* cap route refresh */
		0x02, 0x06,		/* param capabilities, length 6 */
		0x41, 0x04,		/* cap 4-octet AS, length 4 */
		0x00, 0x00, 0xfd, 0xe8),	/* AS 65000 */
	  0, 0, VEC_OK, 0, NULL, 0 },
	{ "open: RFC 9072 extended optional parameters", BYTES(
		OPEN_HDR(0x2b),		/* length 43 */
		OPEN_FIXED,
		0xff,			/* Non-Ext OP Len 255 */
		0xff,			/* Non-Ext OP Type 255: extended */
		0x00, 0x0b,		/* extended parameters length 11 */
		0x02, 0x00, 0x08,	/* param capabilities, length 8 */
		0x01, 0x04,		/* cap MP, length 4 */
		0x00, 0x02, 0x00, 0x01,	/* AFI IPv6, reserved, SAFI unicast */
		0x02, 0x00),		/* cap route refresh */
	  0, 0, VEC_OK, 0, NULL, 0 },
	{ "open: no optional parameters", BYTES(
		OPEN_HDR(0x1d),		/* length 29 */
		OPEN_FIXED,
		0x00),			/* optional parameters length 0 */
	  0, 0, VEC_OK, 0, NULL, 0 },
	{ "open: unknown capability (hostname) ignored", BYTES(
		OPEN_HDR(0x2d),		/* length 45 */
		OPEN_FIXED,
		0x10,			/* optional parameters length 16 */
		0x02, 0x0e,		/* param capabilities, length 14 */
		0x01, 0x04,		/* cap MP, length 4 */
		0x00, 0x01, 0x00, 0x01,	/* AFI IPv4, reserved, SAFI unicast */
		0x49, 0x06,		/* cap 73 hostname, length 6 */
		0x04, 'n', 'o', 'd', 'e',	/* hostname "node" */
		0x00),			/* domain name length 0 */
	  0, 0, VEC_OK, 0, NULL, 0 },
	{ "open: ADD-PATH tuple with send/receive 0 ignored", BYTES(
		OPEN_HDR(0x29),		/* length 41 */
		OPEN_FIXED,
		0x0c,			/* optional parameters length 12 */
		0x02, 0x0a,		/* param capabilities, length 10 */
		0x45, 0x08,		/* cap ADD-PATH, length 8 */
		0x00, 0x01, 0x01, 0x00,	/* IPv4 unicast, value 0: invalid */
		0x00, 0x02, 0x01, 0x02),	/* IPv6 unicast, send */
	  0, 0, VEC_OK, 0, NULL, 0 },

	/* ---- RFC 4271 6.1 message header errors ---- */
	{ "hdr: marker not all ones", BYTES(
		0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0xff, 0xff,	/* marker */
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,	/* with a 0 */
		0x00, 0x13,		/* length 19 */
		0x04),			/* type KEEPALIVE */
	  BGP_ERR_HEADER, BGP_ERR_HDR_SYNC, BGP_ERR_RESET, 0, NULL, 0 },
	{ "hdr: length 18", BYTES(
		MARKER,
		0x00, 0x12,		/* length 18: below the header */
		0x04),			/* type KEEPALIVE */
	  BGP_ERR_HEADER, BGP_ERR_HDR_LEN, BGP_ERR_RESET, 0,
	  DATA(0x00, 0x12) },
	{ "hdr: length 4097 without extended messages", BYTES(
		MARKER,
		0x10, 0x01,		/* length 4097 */
		0x02),			/* type UPDATE */
	  BGP_ERR_HEADER, BGP_ERR_HDR_LEN, BGP_ERR_RESET, 0,
	  DATA(0x10, 0x01) },
	{ "hdr: OPEN of 4097 even with extended messages", BYTES(
		MARKER,
		0x10, 0x01,		/* length 4097 */
		0x01),			/* type OPEN */
	  BGP_ERR_HEADER, BGP_ERR_HDR_LEN, BGP_ERR_RESET, VEC_EXTMSG,
	  DATA(0x10, 0x01) },
	{ "hdr: message type 6", BYTES(
		MARKER,
		0x00, 0x13,		/* length 19 */
		0x06),			/* type 6: unknown */
	  BGP_ERR_HEADER, BGP_ERR_HDR_TYPE, BGP_ERR_RESET, 0, DATA(0x06) },
	{ "hdr: message type 0", BYTES(
		MARKER,
		0x00, 0x13,		/* length 19 */
		0x00),			/* type 0: unknown */
	  BGP_ERR_HEADER, BGP_ERR_HDR_TYPE, BGP_ERR_RESET, 0, DATA(0x00) },
	{ "hdr: OPEN shorter than 29", BYTES(
		MARKER,
		0x00, 0x1c,		/* length 28 */
		0x01),			/* type OPEN */
	  BGP_ERR_HEADER, BGP_ERR_HDR_LEN, BGP_ERR_RESET, 0,
	  DATA(0x00, 0x1c) },
	{ "hdr: UPDATE shorter than 23", BYTES(
		MARKER,
		0x00, 0x16,		/* length 22 */
		0x02),			/* type UPDATE */
	  BGP_ERR_HEADER, BGP_ERR_HDR_LEN, BGP_ERR_RESET, 0,
	  DATA(0x00, 0x16) },
	{ "hdr: NOTIFICATION shorter than 21", BYTES(
		MARKER,
		0x00, 0x14,		/* length 20 */
		0x03),			/* type NOTIFICATION */
	  BGP_ERR_HEADER, BGP_ERR_HDR_LEN, BGP_ERR_RESET, 0,
	  DATA(0x00, 0x14) },
	{ "hdr: KEEPALIVE with a body", BYTES(
		MARKER,
		0x00, 0x14,		/* length 20 */
		0x04,			/* type KEEPALIVE */
		0x00),			/* one octet of body */
	  BGP_ERR_HEADER, BGP_ERR_HDR_LEN, BGP_ERR_RESET, 0,
	  DATA(0x00, 0x14) },
	{ "hdr: ROUTE-REFRESH of 24", BYTES(
		MARKER,
		0x00, 0x18,		/* length 24 */
		0x05),			/* type ROUTE-REFRESH */
	  BGP_ERR_HEADER, BGP_ERR_HDR_LEN, BGP_ERR_RESET, 0,
	  DATA(0x00, 0x18) },

	/* ---- RFC 4271 6.2 OPEN errors ---- */
	{ "open: version 3", BYTES(
		OPEN_HDR(0x1d),		/* length 29 */
		0x03,			/* version 3 */
		0xfd, 0xe8,		/* my AS 65000 */
		0x00, 0xb4,		/* hold time 180 */
		0x0a, 0x00, 0x00, 0x01,	/* BGP identifier */
		0x00),			/* optional parameters length 0 */
	  BGP_ERR_OPEN, BGP_ERR_OPEN_VERSION, BGP_ERR_RESET, 0,
	  DATA(0x00, 0x04) },
	{ "open: hold time 1", BYTES(
		OPEN_HDR(0x1d),		/* length 29 */
		0x04,			/* version 4 */
		0xfd, 0xe8,		/* my AS 65000 */
		0x00, 0x01,		/* hold time 1: unacceptable */
		0x0a, 0x00, 0x00, 0x01,	/* BGP identifier */
		0x00),			/* optional parameters length 0 */
	  BGP_ERR_OPEN, BGP_ERR_OPEN_HOLD, BGP_ERR_RESET, 0, NULL, 0 },
	{ "open: hold time 2", BYTES(
		OPEN_HDR(0x1d),		/* length 29 */
		0x04,			/* version 4 */
		0xfd, 0xe8,		/* my AS 65000 */
		0x00, 0x02,		/* hold time 2: unacceptable */
		0x0a, 0x00, 0x00, 0x01,	/* BGP identifier */
		0x00),			/* optional parameters length 0 */
	  BGP_ERR_OPEN, BGP_ERR_OPEN_HOLD, BGP_ERR_RESET, 0, NULL, 0 },
	{ "open: BGP identifier 0 (RFC 6286)", BYTES(
		OPEN_HDR(0x1d),		/* length 29 */
		0x04,			/* version 4 */
		0xfd, 0xe8,		/* my AS 65000 */
		0x00, 0xb4,		/* hold time 180 */
		0x00, 0x00, 0x00, 0x00,	/* BGP identifier 0 */
		0x00),			/* optional parameters length 0 */
	  BGP_ERR_OPEN, BGP_ERR_OPEN_BGPID, BGP_ERR_RESET, 0, NULL, 0 },
	{ "open: my AS 0 (RFC 7607)", BYTES(
		OPEN_HDR(0x1d),		/* length 29 */
		0x04,			/* version 4 */
		0x00, 0x00,		/* my AS 0 */
		0x00, 0xb4,		/* hold time 180 */
		0x0a, 0x00, 0x00, 0x01,	/* BGP identifier */
		0x00),			/* optional parameters length 0 */
	  BGP_ERR_OPEN, BGP_ERR_OPEN_AS, BGP_ERR_RESET, 0, NULL, 0 },
	{ "open: AS4 capability with AS 0 (RFC 7607)", BYTES(
		OPEN_HDR(0x25),		/* length 37 */
		OPEN_FIXED,
		0x08,			/* optional parameters length 8 */
		0x02, 0x06,		/* param capabilities, length 6 */
		0x41, 0x04,		/* cap 4-octet AS, length 4 */
		0x00, 0x00, 0x00, 0x00),	/* AS 0 */
	  BGP_ERR_OPEN, BGP_ERR_OPEN_AS, BGP_ERR_RESET, 0, NULL, 0 },
	{ "open: unsupported optional parameter (type 1)", BYTES(
		OPEN_HDR(0x21),		/* length 33 */
		OPEN_FIXED,
		0x04,			/* optional parameters length 4 */
		0x01, 0x02,		/* param 1 (authentication), length 2 */
		0x00, 0x00),		/* its value */
	  BGP_ERR_OPEN, BGP_ERR_OPEN_OPT, BGP_ERR_RESET, 0, NULL, 0 },
	{ "open: capability overruns its parameter", BYTES(
		OPEN_HDR(0x21),		/* length 33 */
		OPEN_FIXED,
		0x04,			/* optional parameters length 4 */
		0x02, 0x02,		/* param capabilities, length 2 */
		0x41, 0x04),		/* cap 4-octet AS, length 4: overrun */
	  BGP_ERR_OPEN, 0, BGP_ERR_RESET, 0, NULL, 0 },
	{ "open: MP capability of length 3", BYTES(
		OPEN_HDR(0x24),		/* length 36 */
		OPEN_FIXED,
		0x07,			/* optional parameters length 7 */
		0x02, 0x05,		/* param capabilities, length 5 */
		0x01, 0x03,		/* cap MP, length 3: must be 4 */
		0x00, 0x01, 0x00),	/* AFI IPv4, reserved */
	  BGP_ERR_OPEN, 0, BGP_ERR_RESET, 0, NULL, 0 },
	{ "open: AS4 capability of length 2", BYTES(
		OPEN_HDR(0x23),		/* length 35 */
		OPEN_FIXED,
		0x06,			/* optional parameters length 6 */
		0x02, 0x04,		/* param capabilities, length 4 */
		0x41, 0x02,		/* cap 4-octet AS, length 2 (not 4) */
		0xfd, 0xe8),		/* AS 65000 in 2 octets */
	  BGP_ERR_OPEN, 0, BGP_ERR_RESET, 0, NULL, 0 },
	{ "open: GR capability of length 3", BYTES(
		OPEN_HDR(0x24),		/* length 36 */
		OPEN_FIXED,
		0x07,			/* optional parameters length 7 */
		0x02, 0x05,		/* param capabilities, length 5 */
		0x40, 0x03,		/* cap graceful restart, length 3 */
		0x00, 0x78, 0x00),	/* time 120, a stray octet */
	  BGP_ERR_OPEN, 0, BGP_ERR_RESET, 0, NULL, 0 },
	{ "open: ADD-PATH capability of length 5", BYTES(
		OPEN_HDR(0x26),		/* length 38 */
		OPEN_FIXED,
		0x09,			/* optional parameters length 9 */
		0x02, 0x07,		/* param capabilities, length 7 */
		0x45, 0x05,		/* cap ADD-PATH, length 5 */
		0x00, 0x01, 0x01, 0x03,	/* IPv4 unicast, send+receive */
		0x00),			/* a stray octet */
	  BGP_ERR_OPEN, 0, BGP_ERR_RESET, 0, NULL, 0 },
	{ "open: route refresh capability of length 1", BYTES(
		OPEN_HDR(0x22),		/* length 34 */
		OPEN_FIXED,
		0x05,			/* optional parameters length 5 */
		0x02, 0x03,		/* param capabilities, length 3 */
		0x02, 0x01,		/* cap route refresh, length 1 */
		0x00),			/* a stray octet */
	  BGP_ERR_OPEN, 0, BGP_ERR_RESET, 0, NULL, 0 },
	{ "open: optional parameters overrun the message", BYTES(
		OPEN_HDR(0x21),		/* length 33 */
		OPEN_FIXED,
		0x0a,			/* optional parameters length 10 */
		0x02, 0x02,		/* param capabilities, length 2 */
		0x02, 0x00),		/* cap route refresh; then nothing */
	  BGP_ERR_OPEN, 0, BGP_ERR_RESET, 0, NULL, 0 },
	{ "open: octets after the optional parameters", BYTES(
		OPEN_HDR(0x22),		/* length 34 */
		OPEN_FIXED,
		0x04,			/* optional parameters length 4 */
		0x02, 0x02,		/* param capabilities, length 2 */
		0x02, 0x00,		/* cap route refresh */
		0x00),			/* a stray octet */
	  BGP_ERR_HEADER, BGP_ERR_HDR_LEN, BGP_ERR_RESET, 0,
	  DATA(0x00, 0x22) },
	{ "open: RFC 9072 parameters overrun", BYTES(
		OPEN_HDR(0x24),		/* length 36 */
		OPEN_FIXED,
		0xff,			/* Non-Ext OP Len 255 */
		0xff,			/* Non-Ext OP Type 255: extended */
		0x00, 0x20,		/* extended parameters length 32 */
		0x02, 0x00, 0x02,	/* param capabilities, length 2 */
		0x02),			/* ...and only one octet */
	  BGP_ERR_OPEN, 0, BGP_ERR_RESET, 0, NULL, 0 },
};

#endif
