/*
 * aspath.c: the AS_PATH walker (see aspath.h). Reads through bounded
 * views only; never reads past the path.
 */
#include "aspath.h"

void
aspath_iter_init(struct aspath_iter *it, const void *p, size_t len,
    size_t asn_size)
{
	rbuf_init(&it->r, p, len);
	it->asn_size = asn_size;
}

int
aspath_next(struct aspath_iter *it, struct aspath_seg *seg)
{
	if (rbuf_left(&it->r) == 0)
		return 0;
	if (rbuf_get_u8(&it->r, &seg->type) == -1 ||
	    rbuf_get_u8(&it->r, &seg->count) == -1 ||
	    rbuf_sub(&it->r, (size_t)seg->count * it->asn_size,
	    &seg->asns) == -1)
		return -1;
	seg->asn_size = it->asn_size;
	return 1;
}

int
aspath_seg_as(struct aspath_seg *seg, uint32_t *as)
{
	uint16_t as2;

	if (seg->asn_size == 4)
		return rbuf_get_u32(&seg->asns, as) == 0;
	if (rbuf_get_u16(&seg->asns, &as2) == -1)
		return 0;
	*as = as2;
	return 1;
}

unsigned
aspath_count_as(const void *p, size_t len, uint32_t as)
{
	struct aspath_iter it;
	struct aspath_seg seg;
	uint32_t v;
	unsigned n = 0;

	aspath_iter_init(&it, p, len, 4);
	while (aspath_next(&it, &seg) == 1)
		while (aspath_seg_as(&seg, &v) == 1)
			n += v == as;
	return n;
}
