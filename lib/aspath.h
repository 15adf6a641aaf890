/*
 * aspath.h: the one walker of AS_PATH's wire form (RFC 4271 4.3, RFC 6793
 * for 4-octet ASNs, RFC 5065 for confederation segments), as BIRD keeps
 * one in nest/a-path.c. The codec's validation and encoders, the rib's
 * decision helpers, the loop check and the control socket's display all
 * walk paths with it.
 *
 *	struct aspath_iter it;
 *	struct aspath_seg seg;
 *	uint32_t as;
 *
 *	aspath_iter_init(&it, p, len, 4);
 *	while (aspath_next(&it, &seg) == 1)
 *		while (aspath_seg_as(&seg, &as) == 1)
 *			...;
 *
 * aspath_next returns -1 on a truncated segment (a lone octet, or fewer
 * ASNs than its count); the type is not checked (the caller decides what
 * an unknown type means), nor are ASNs of 0 (RFC 7607 is the codec's).
 */
#ifndef TERN_ASPATH_H
#define TERN_ASPATH_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Segment types: RFC 4271 4.3, RFC 5065 3 */
#define ASPATH_SET		1
#define ASPATH_SEQUENCE		2
#define ASPATH_CONFED_SEQUENCE	3
#define ASPATH_CONFED_SET	4

struct aspath_iter {
	struct rbuf	r;
	size_t		asn_size;	/* 2 or 4 */
};

struct aspath_seg {
	uint8_t		type;
	uint8_t		count;
	struct rbuf	asns;		/* count ASNs of asn_size octets */
	size_t		asn_size;
};

void	aspath_iter_init(struct aspath_iter *, const void *, size_t len,
	    size_t asn_size);
/* 1: *seg is the next segment; 0: the end; -1: truncated. */
int	aspath_next(struct aspath_iter *, struct aspath_seg *);
/* 1: *as is the segment's next ASN; 0: none left. */
int	aspath_seg_as(struct aspath_seg *, uint32_t *as);
/* How often as occurs in a 4-octet path (RFC 4271 9.1.2 loop check). */
unsigned aspath_count_as(const void *, size_t len, uint32_t as);

#endif
