/*
 * vec.h: the byte-vector record shared by the codec tests (STYLE 5.10):
 * { name, bytes, len, want_code, want_subcode, want_action }, plus the
 * decode context a vector needs and, optionally, the NOTIFICATION data
 * expected. Vector tables live in *_vectors.h next to this file; every
 * byte in them carries a comment naming its field.
 */
#ifndef TERN_TEST_VEC_H
#define TERN_TEST_VEC_H

#include <stddef.h>
#include <stdint.h>

/* want_action for a vector that must decode cleanly */
#define VEC_OK		(-1)

/* decode context bits (default: 4-octet AS, iBGP, no add-path, 4096) */
#define VEC_AS2		0x01	/* 2-octet AS session */
#define VEC_EBGP	0x02	/* external peer */
#define VEC_ADDPATH	0x04	/* add-path receive, both families */
#define VEC_EXTMSG	0x08	/* RFC 8654 extended messages (65535) */

struct bgp_vec {
	const char	*name;
	const uint8_t	*bytes;
	size_t		 len;
	uint8_t		 want_code;	/* NOTIFICATION code, 0 if none */
	uint8_t		 want_subcode;
	int		 want_action;	/* enum bgp_err_action or VEC_OK */
	unsigned	 ctx;		/* VEC_* decode context bits */
	const uint8_t	*want_data;	/* NULL: data not checked */
	size_t		 want_datalen;
};

/* .bytes and .len from one list of octets */
#define BYTES(...)							\
	.bytes = (const uint8_t[]){ __VA_ARGS__ },			\
	.len = sizeof((const uint8_t[]){ __VA_ARGS__ })
#define DATA(...)							\
	.want_data = (const uint8_t[]){ __VA_ARGS__ },			\
	.want_datalen = sizeof((const uint8_t[]){ __VA_ARGS__ })

/* the 16-octet all-ones marker (RFC 4271 4.1) */
#define MARKER								\
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,			\
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff

#endif
