/*
 * attr.c: path attributes, both directions. The table bgp_attr_descs[]
 * at the end (BIRD's bgp_attr_table) gives each known attribute one row:
 * its required flags, length bounds, RFC 7606 section 7 error action,
 * decoder and encoder. The decoder checks one attribute at a time from a view of exactly its own
 * bytes and records treat-as-withdraw / attribute-discard outcomes in the
 * struct bgp_update, returning -1 only for a session reset. The encoders
 * write a struct rib_attrs in type-code order (RFC 4271 5), narrowing
 * AS_PATH for 2-octet sessions (RFC 6793 4.2.2). MP_REACH/MP_UNREACH are
 * in nlri.c; the UPDATE layout and the rib conversion are in update.c.
 */
#include <string.h>
#include <sys/socket.h>

#include "aspath.h"
#include "msg.h"

#define F_OPT	BGP_ATTR_F_OPTIONAL
#define F_TRANS	BGP_ATTR_F_TRANSITIVE
#define VAR	0xffff

const struct bgp_attr_desc *
bgp_attr_desc_get(uint8_t code)
{
	for (size_t i = 0; i < bgp_attr_ndescs; i++)
		if (bgp_attr_descs[i].code == code)
			return &bgp_attr_descs[i];
	return NULL;
}

/* ---- errors ---- */

int
bgp_attr_err(struct bgp_err *err, uint8_t subcode,
    enum bgp_err_action action, const struct bgp_attr_view *a,
    const char *reason)
{
	uint8_t data[BGP_ERR_DATA_MAX];
	size_t n = 0, len = rbuf_left(&a->val);

	/* RFC 4271 6.3: the data is the attribute (type, length, value) */
	data[n++] = a->flags;
	data[n++] = a->code;
	if (a->flags & BGP_ATTR_F_EXTLEN)
		data[n++] = (uint8_t)(len >> 8);
	data[n++] = (uint8_t)len;
	for (size_t i = 0; i < len && n < sizeof(data); i++)
		data[n++] = a->val.p[i];
	return bgp_err_set(err, BGP_ERR_UPDATE, subcode, action, data, n,
	    reason);
}

/* RFC 7606 2: treat-as-withdraw; the first reason is kept for the log */
static int
attr_withdraw(struct bgp_update *u, uint8_t subcode,
    const struct bgp_attr_view *a, const char *reason)
{
	if (!u->treat_as_withdraw) {
		u->treat_as_withdraw = true;
		bgp_attr_err(&u->withdraw_err, subcode, BGP_ERR_WITHDRAW, a,
		    reason);
	}
	return 0;
}

/* RFC 7606 2: attribute discard */
static int
attr_discard(struct bgp_update *u, uint8_t subcode,
    const struct bgp_attr_view *a, const char *reason)
{
	if (!u->has_discard) {
		u->has_discard = true;
		bgp_attr_err(&u->discard_err, subcode, BGP_ERR_DISCARD_ATTR,
		    a, reason);
	}
	return 0;
}

/* Apply the attribute's own RFC 7606 7 action. */
static int
attr_malformed(const struct bgp_attr_desc *d, uint8_t subcode,
    const struct bgp_attr_view *a, struct bgp_update *u,
    struct bgp_err *err, const char *reason)
{
	switch (d->on_error) {
	case BGP_ERR_RESET:
		return bgp_attr_err(err, subcode, BGP_ERR_RESET, a, reason);
	case BGP_ERR_WITHDRAW:
		return attr_withdraw(u, subcode, a, reason);
	case BGP_ERR_DISCARD_ATTR:
	default:
		return attr_discard(u, subcode, a, reason);
	}
}

/* ---- AS_PATH syntax ---- */

/*
 * RFC 7606 7.2: malformed when a segment type is unknown, a segment has
 * length zero, a segment overruns, or a lone octet is left over. RFC 7607
 * 2: AS 0 in a path is malformed too.
 */
bool
bgp_aspath_valid(struct rbuf r, size_t asn_size)
{
	struct aspath_iter it;
	struct aspath_seg seg;
	uint32_t asn;
	int rc;

	aspath_iter_init(&it, r.p, rbuf_left(&r), asn_size);
	while ((rc = aspath_next(&it, &seg)) == 1) {
		if (seg.type < BGP_AS_SET || seg.type > BGP_AS_CONFED_SET ||
		    seg.count == 0)
			return false;
		while (aspath_seg_as(&seg, &asn) == 1)
			if (asn == 0)
				return false;
	}
	return rc == 0;
}

/* ---- decoders, one per attribute ---- */

static int
dec_origin(const struct bgp_attr_view *a, const struct bgp_codec_ctx *ctx,
    struct bgp_update *u)
{
	struct rbuf v = a->val;

	(void)ctx;
	/* RFC 7606 7.1: an undefined value is treat-as-withdraw */
	if (rbuf_get_u8(&v, &u->origin) == -1 ||
	    u->origin > BGP_ORIGIN_INCOMPLETE)
		return attr_withdraw(u, BGP_ERR_UPD_ORIGIN, a,
		    "invalid ORIGIN value");
	return 1;
}

static int
dec_as_path(const struct bgp_attr_view *a, const struct bgp_codec_ctx *ctx,
    struct bgp_update *u)
{
	/* RFC 7606 7.2: treat-as-withdraw; RFC 6793 4: width per session */
	if (!bgp_aspath_valid(a->val, ctx->as4 ? 4 : 2))
		return attr_withdraw(u, BGP_ERR_UPD_ASPATH, a,
		    "malformed AS_PATH");
	u->as_path = a->val;
	return 1;
}

static int
dec_next_hop(const struct bgp_attr_view *a, const struct bgp_codec_ctx *ctx,
    struct bgp_update *u)
{
	(void)ctx;
	/* length checked by the table; semantics in update.c (NLRI known) */
	addr_set_bytes(&u->next_hop, AF_INET, a->val.p);
	return 1;
}

static int
dec_u32(const struct bgp_attr_view *a, uint32_t *out)
{
	struct rbuf v = a->val;

	return rbuf_get_u32(&v, out) == -1 ? 0 : 1;
}

static int
dec_med(const struct bgp_attr_view *a, const struct bgp_codec_ctx *ctx,
    struct bgp_update *u)
{
	(void)ctx;
	return dec_u32(a, &u->med);
}

static int
dec_local_pref(const struct bgp_attr_view *a,
    const struct bgp_codec_ctx *ctx, struct bgp_update *u)
{
	(void)ctx;
	return dec_u32(a, &u->local_pref);
}

static int
dec_atomic(const struct bgp_attr_view *a, const struct bgp_codec_ctx *ctx,
    struct bgp_update *u)
{
	(void)a;
	(void)ctx;
	u->atomic_aggregate = true;
	return 1;
}

static int
dec_aggregator(const struct bgp_attr_view *a,
    const struct bgp_codec_ctx *ctx, struct bgp_update *u)
{
	struct rbuf v = a->val;
	uint16_t as2;
	uint32_t as;

	/* RFC 7606 7.7: length 6, or 8 with 4-octet AS; else discard */
	if (rbuf_left(&v) != (ctx->as4 ? 8u : 6u))
		return attr_discard(u, BGP_ERR_UPD_ATTR_LEN, a,
		    "bad AGGREGATOR length");
	if (ctx->as4) {
		if (rbuf_get_u32(&v, &as) == -1)
			return 0;
	} else {
		if (rbuf_get_u16(&v, &as2) == -1)
			return 0;
		as = as2;
	}
	/* RFC 7607 2: AS 0 makes the attribute malformed */
	if (as == 0)
		return attr_discard(u, BGP_ERR_UPD_OPTATTR, a,
		    "AS 0 in AGGREGATOR");
	if (rbuf_get_u32(&v, &u->aggregator_id) == -1)
		return 0;
	u->aggregator_as = as;
	return 1;
}

static int
dec_communities(const struct bgp_attr_view *a,
    const struct bgp_codec_ctx *ctx, struct bgp_update *u)
{
	(void)ctx;
	/* RFC 7606 7.8: a non-zero multiple of 4 */
	if (rbuf_left(&a->val) % 4 != 0)
		return attr_withdraw(u, BGP_ERR_UPD_ATTR_LEN, a,
		    "bad COMMUNITIES length");
	u->communities = a->val;
	return 1;
}

static int
dec_originator_id(const struct bgp_attr_view *a,
    const struct bgp_codec_ctx *ctx, struct bgp_update *u)
{
	(void)ctx;
	return dec_u32(a, &u->originator_id);
}

static int
dec_cluster_list(const struct bgp_attr_view *a,
    const struct bgp_codec_ctx *ctx, struct bgp_update *u)
{
	(void)ctx;
	/* RFC 7606 7.10: a non-zero multiple of 4 */
	if (rbuf_left(&a->val) % 4 != 0)
		return attr_withdraw(u, BGP_ERR_UPD_ATTR_LEN, a,
		    "bad CLUSTER_LIST length");
	u->cluster_list = a->val;
	return 1;
}

static int
dec_as4_path(const struct bgp_attr_view *a, const struct bgp_codec_ctx *ctx,
    struct bgp_update *u)
{
	(void)ctx;
	/* RFC 6793 6: a malformed AS4_PATH is discarded */
	if (!bgp_aspath_valid(a->val, 4))
		return attr_discard(u, BGP_ERR_UPD_ASPATH, a,
		    "malformed AS4_PATH");
	u->as4_path = a->val;
	return 1;
}

static int
dec_as4_aggregator(const struct bgp_attr_view *a,
    const struct bgp_codec_ctx *ctx, struct bgp_update *u)
{
	struct rbuf v = a->val;
	uint32_t as;

	(void)ctx;
	if (rbuf_get_u32(&v, &as) == -1 ||
	    rbuf_get_u32(&v, &u->as4_aggregator_id) == -1)
		return 0;
	/* RFC 7607 2 */
	if (as == 0)
		return attr_discard(u, BGP_ERR_UPD_OPTATTR, a,
		    "AS 0 in AS4_AGGREGATOR");
	u->as4_aggregator_as = as;
	return 1;
}

static int
dec_large_communities(const struct bgp_attr_view *a,
    const struct bgp_codec_ctx *ctx, struct bgp_update *u)
{
	(void)ctx;
	/* RFC 8092 6: a non-zero multiple of 12, else treat-as-withdraw;
	 * repeated values are not an error */
	if (rbuf_left(&a->val) % 12 != 0)
		return attr_withdraw(u, BGP_ERR_UPD_ATTR_LEN, a,
		    "bad LARGE_COMMUNITIES length");
	u->large_communities = a->val;
	return 1;
}

/* ---- one attribute: duplicates, unknowns, flags, length, value ---- */

static int
attr_unknown(const struct bgp_attr_view *a, struct bgp_update *u,
    struct bgp_err *err)
{
	/* RFC 4271 6.3: an unrecognized well-known attribute resets */
	if (!(a->flags & BGP_ATTR_F_OPTIONAL))
		return bgp_attr_err(err, BGP_ERR_UPD_UNKNWN_WK_ATTR,
		    BGP_ERR_RESET, a, "unrecognized well-known attribute");
	/* RFC 4271 5: unknown optional non-transitive: quietly ignored */
	if (!(a->flags & BGP_ATTR_F_TRANSITIVE))
		return 0;
	/* our implementation keeps BGP_UNKNOWN_MAX of them */
	if (u->nunknown == BGP_UNKNOWN_MAX)
		return attr_discard(u, BGP_ERR_UPD_OPTATTR, a,
		    "too many unknown attributes");
	u->unknown[u->nunknown++] = *a;
	if (a->code < 32)
		u->seen |= 1u << a->code;
	return 0;
}

/*
 * Attributes the RFCs tell us to drop whatever they contain: LOCAL_PREF,
 * ORIGINATOR_ID and CLUSTER_LIST from an external peer (RFC 7606 7.5,
 * 7.9, 7.10), AS4_PATH and AS4_AGGREGATOR between 4-octet speakers (RFC
 * 6793 4.1).
 */
static bool
attr_ignored(const struct bgp_attr_view *a, const struct bgp_codec_ctx *ctx,
    struct bgp_update *u)
{
	switch (a->code) {
	case BGP_ATTR_LOCAL_PREF:
	case BGP_ATTR_ORIGINATOR_ID:
	case BGP_ATTR_CLUSTER_LIST:
		if (!ctx->ebgp)
			return false;
		attr_discard(u, 0, a, "attribute from an external peer");
		return true;
	case BGP_ATTR_AS4_PATH:
	case BGP_ATTR_AS4_AGGREGATOR:
		if (!ctx->as4)
			return false;
		attr_discard(u, 0, a, "AS4 attribute from a 4-octet peer");
		return true;
	default:
		return false;
	}
}

static int
attr_known(const struct bgp_attr_desc *d, const struct bgp_attr_view *a,
    const struct bgp_codec_ctx *ctx, struct bgp_update *u,
    struct bgp_err *err)
{
	size_t len = rbuf_left(&a->val);
	int kept;

	if (attr_ignored(a, ctx, u))
		return 0;
	/* RFC 7606 3 (c): flag conflicts take the attribute's own action */
	if ((a->flags & (F_OPT | F_TRANS)) != d->flags)
		return attr_malformed(d, BGP_ERR_UPD_ATTRFLAGS, a, u, err,
		    "attribute flags conflict");
	/* RFC 4271 6.3 / RFC 7606 7: lengths per the table */
	if (len < d->min_len || len > d->max_len)
		return attr_malformed(d, d->on_error == BGP_ERR_RESET ?
		    BGP_ERR_UPD_OPTATTR : BGP_ERR_UPD_ATTR_LEN, a, u, err,
		    "bad attribute length");
	if (a->code == BGP_ATTR_MP_REACH_NLRI) {
		if (bgp_mp_reach_decode(a, ctx, u, err) == -1)
			return -1;
		kept = u->has_mp_reach;
	} else if (a->code == BGP_ATTR_MP_UNREACH_NLRI) {
		if (bgp_mp_unreach_decode(a, ctx, u, err) == -1)
			return -1;
		kept = u->has_mp_unreach;
	} else {
		kept = d->decode(a, ctx, u);
	}
	/* seen covers codes below 32; LARGE_COMMUNITIES (32) has its view */
	if (kept && a->code < 32)
		u->seen |= 1u << a->code;
	return 0;
}

int
bgp_attr_decode(const struct bgp_attr_view *a,
    const struct bgp_codec_ctx *ctx, struct bgp_update *u, uint32_t dup[8],
    struct bgp_err *err)
{
	const struct bgp_attr_desc *d;
	uint32_t bit = 1u << (a->code % 32);

	/* RFC 7606 3 (g): duplicate MP attributes reset, others drop */
	if (dup[a->code / 32] & bit) {
		if (a->code == BGP_ATTR_MP_REACH_NLRI ||
		    a->code == BGP_ATTR_MP_UNREACH_NLRI)
			return bgp_err_set(err, BGP_ERR_UPDATE,
			    BGP_ERR_UPD_ATTRLIST, BGP_ERR_RESET, NULL, 0,
			    "duplicate MP attribute");
		return attr_discard(u, BGP_ERR_UPD_ATTRLIST, a,
		    "duplicate attribute");
	}
	dup[a->code / 32] |= bit;
	if ((d = bgp_attr_desc_get(a->code)) == NULL)
		return attr_unknown(a, u, err);
	return attr_known(d, a, ctx, u, err);
}

/* ---- encoders ---- */

void
bgp_attr_hdr_put(struct wbuf *w, uint8_t flags, uint8_t code, size_t len)
{
	/* RFC 4271 4.3: Extended Length only when the value needs it */
	if (len > 0xffff) {
		w->err = true;
		return;
	}
	if (len > 255) {
		wbuf_put_u8(w, flags | BGP_ATTR_F_EXTLEN);
		wbuf_put_u8(w, code);
		wbuf_put_u16(w, (uint16_t)len);
	} else {
		wbuf_put_u8(w, flags & (uint8_t)~BGP_ATTR_F_EXTLEN);
		wbuf_put_u8(w, code);
		wbuf_put_u8(w, (uint8_t)len);
	}
}

struct bgp_attr_enc {
	struct wbuf			*w;
	const struct bgp_codec_ctx	*ctx;
	const struct rib_attrs		*a;
	const struct addr		*nh4;
};

static void
put_u32_attr(struct wbuf *w, uint8_t flags, uint8_t code, uint32_t v)
{
	bgp_attr_hdr_put(w, flags, code, 4);
	wbuf_put_u32(w, v);
}

static void
enc_origin(const struct bgp_attr_enc *e)
{
	bgp_attr_hdr_put(e->w, F_TRANS, BGP_ATTR_ORIGIN, 1);
	wbuf_put_u8(e->w, e->a->origin);
}

/*
 * Walk a rib AS_PATH (4-octet segments). Returns false if it is not well
 * formed, which for our own data is a bug: the message then fails.
 * len2 is its 2-octet size, len4 its size without confed segments, big
 * whether a non-confed AS needs 4 octets (RFC 6793 4.2.2).
 */
static bool
aspath_scan(const struct rib_attrs *a, size_t *len2, size_t *len4,
    bool *big)
{
	struct aspath_iter it;
	struct aspath_seg seg;
	uint32_t asn;
	int rc;

	*len2 = *len4 = 0;
	*big = false;
	aspath_iter_init(&it, a->aspath, a->aspath_len, 4);
	while ((rc = aspath_next(&it, &seg)) == 1) {
		*len2 += 2 + 2 * (size_t)seg.count;
		if (seg.type < BGP_AS_CONFED_SEQUENCE)
			*len4 += 2 + 4 * (size_t)seg.count;
		while (aspath_seg_as(&seg, &asn) == 1)
			if (asn > 0xffff && seg.type < BGP_AS_CONFED_SEQUENCE)
				*big = true;
	}
	return rc == 0;
}

/* Write the rib path with 2-octet ASNs (AS_TRANS) or only non-confeds. */
static void
aspath_write(struct wbuf *w, const struct rib_attrs *a, bool two_octet)
{
	struct aspath_iter it;
	struct aspath_seg seg;
	uint32_t asn;

	aspath_iter_init(&it, a->aspath, a->aspath_len, 4);
	while (aspath_next(&it, &seg) == 1) {
		if (!two_octet && seg.type >= BGP_AS_CONFED_SEQUENCE)
			continue;
		wbuf_put_u8(w, seg.type);
		wbuf_put_u8(w, seg.count);
		while (aspath_seg_as(&seg, &asn) == 1) {
			if (!two_octet)
				wbuf_put_u32(w, asn);
			else
				wbuf_put_u16(w, asn > 0xffff ?
				    BGP_AS_TRANS : (uint16_t)asn);
		}
	}
}

static void
enc_as_path(const struct bgp_attr_enc *e)
{
	size_t len2, len4;
	bool big;

	if (!aspath_scan(e->a, &len2, &len4, &big)) {
		e->w->err = true;
		return;
	}
	if (e->ctx->as4) {
		bgp_attr_hdr_put(e->w, F_TRANS, BGP_ATTR_AS_PATH,
		    e->a->aspath_len);
		wbuf_put_bytes(e->w, e->a->aspath, e->a->aspath_len);
		return;
	}
	/* RFC 6793 4.2.2: AS_TRANS for every AS that needs 4 octets */
	bgp_attr_hdr_put(e->w, F_TRANS, BGP_ATTR_AS_PATH, len2);
	aspath_write(e->w, e->a, true);
}

static void
enc_next_hop(const struct bgp_attr_enc *e)
{
	if (e->nh4 == NULL || e->nh4->af != AF_INET)
		return;
	bgp_attr_hdr_put(e->w, F_TRANS, BGP_ATTR_NEXT_HOP, 4);
	wbuf_put_bytes(e->w, e->nh4->b, 4);
}

static void
enc_med(const struct bgp_attr_enc *e)
{
	if (e->a->has_med)
		put_u32_attr(e->w, F_OPT, BGP_ATTR_MULTI_EXIT_DISC, e->a->med);
}

static void
enc_local_pref(const struct bgp_attr_enc *e)
{
	if (e->a->has_local_pref)
		put_u32_attr(e->w, F_TRANS, BGP_ATTR_LOCAL_PREF,
		    e->a->local_pref);
}

static void
enc_atomic(const struct bgp_attr_enc *e)
{
	if (e->a->atomic_aggregate)
		bgp_attr_hdr_put(e->w, F_TRANS, BGP_ATTR_ATOMIC_AGGREGATE, 0);
}

static void
enc_aggregator(const struct bgp_attr_enc *e)
{
	uint32_t as = e->a->aggregator_as;

	if (!e->a->has_aggregator)
		return;
	if (e->ctx->as4) {
		bgp_attr_hdr_put(e->w, F_OPT | F_TRANS, BGP_ATTR_AGGREGATOR,
		    8);
		wbuf_put_u32(e->w, as);
	} else {
		/* RFC 6793 4.2.2: AS_TRANS here, AS4_AGGREGATOR later */
		bgp_attr_hdr_put(e->w, F_OPT | F_TRANS, BGP_ATTR_AGGREGATOR,
		    6);
		wbuf_put_u16(e->w, as > 0xffff ? BGP_AS_TRANS : (uint16_t)as);
	}
	wbuf_put_u32(e->w, e->a->aggregator_id);
}

static void
put_u32s_attr(struct wbuf *w, uint8_t flags, uint8_t code,
    const uint32_t *v, size_t n)
{
	if (n == 0)
		return;
	bgp_attr_hdr_put(w, flags, code, 4 * n);
	for (size_t i = 0; i < n; i++)
		wbuf_put_u32(w, v[i]);
}

static void
enc_communities(const struct bgp_attr_enc *e)
{
	put_u32s_attr(e->w, F_OPT | F_TRANS, BGP_ATTR_COMMUNITIES,
	    e->a->communities, e->a->ncommunities);
}

static void
enc_originator_id(const struct bgp_attr_enc *e)
{
	if (e->a->has_originator_id)
		put_u32_attr(e->w, F_OPT, BGP_ATTR_ORIGINATOR_ID,
		    e->a->originator_id);
}

static void
enc_cluster_list(const struct bgp_attr_enc *e)
{
	put_u32s_attr(e->w, F_OPT, BGP_ATTR_CLUSTER_LIST,
	    e->a->cluster_list, e->a->ncluster);
}

static void
enc_as4_path(const struct bgp_attr_enc *e)
{
	size_t len2, len4;
	bool big;

	/* RFC 6793 4.2.2: only when some AS does not fit, no confeds */
	if (e->ctx->as4 || !aspath_scan(e->a, &len2, &len4, &big) || !big)
		return;
	bgp_attr_hdr_put(e->w, F_OPT | F_TRANS, BGP_ATTR_AS4_PATH, len4);
	aspath_write(e->w, e->a, false);
}

static void
enc_as4_aggregator(const struct bgp_attr_enc *e)
{
	if (e->ctx->as4 || !e->a->has_aggregator ||
	    e->a->aggregator_as <= 0xffff)
		return;
	bgp_attr_hdr_put(e->w, F_OPT | F_TRANS, BGP_ATTR_AS4_AGGREGATOR, 8);
	wbuf_put_u32(e->w, e->a->aggregator_as);
	wbuf_put_u32(e->w, e->a->aggregator_id);
}

static void
enc_large_communities(const struct bgp_attr_enc *e)
{
	put_u32s_attr(e->w, F_OPT | F_TRANS, BGP_ATTR_LARGE_COMMUNITIES,
	    e->a->large, 3 * (size_t)e->a->nlarge);
}

/*
 * Copy the stored unknown attributes whose code is below `below`, so they
 * interleave in type-code order. They were stored by bgp_update_attrs in
 * received order; a malformed store fails the message.
 */
static void
unknown_flush(struct wbuf *w, struct rbuf *unk, unsigned below)
{
	struct rbuf peek, tlv;
	uint8_t flags, code, len8;
	uint16_t len;

	while (rbuf_left(unk) > 0) {
		peek = *unk;
		if (rbuf_get_u8(&peek, &flags) == -1 ||
		    rbuf_get_u8(&peek, &code) == -1)
			goto bad;
		if (code >= below)
			return;
		if (flags & BGP_ATTR_F_EXTLEN) {
			if (rbuf_get_u16(&peek, &len) == -1)
				goto bad;
		} else {
			if (rbuf_get_u8(&peek, &len8) == -1)
				goto bad;
			len = len8;
		}
		if (rbuf_skip(&peek, len) == -1 || rbuf_sub(unk,
		    rbuf_left(unk) - rbuf_left(&peek), &tlv) == -1)
			goto bad;
		wbuf_put_bytes(w, tlv.p, tlv.len);
	}
	return;
bad:
	w->err = true;
	unk->len = 0;
}

void
bgp_attrs_encode(struct wbuf *w, const struct bgp_codec_ctx *ctx,
    const struct rib_attrs *a, const struct addr *nh4)
{
	struct bgp_attr_enc e = { w, ctx, a, nh4 };
	struct rbuf unk;

	rbuf_init(&unk, a->unknown, a->unknown_len);
	for (size_t i = 0; i < bgp_attr_ndescs; i++) {
		unknown_flush(w, &unk, bgp_attr_descs[i].code);
		if (bgp_attr_descs[i].encode != NULL)
			bgp_attr_descs[i].encode(&e);
	}
	unknown_flush(w, &unk, 256);
}

/* ---- the table: one row per known attribute ---- */

/*
 * BIRD's bgp_attr_table: everything about an attribute in one row, in type
 * code order (the order bgp_attrs_encode writes them, RFC 4271 5): the
 * flags it must carry, its length bounds, the RFC 7606 section 7 action
 * when it is malformed, its decoder (1: kept, 0: withdrawn or discarded,
 * recorded in the update) and its encoder (nothing when the route has
 * none). MP_REACH_NLRI and MP_UNREACH_NLRI can reset the session and are
 * coded in nlri.c: no decoder or encoder here. A new attribute is one row.
 */
#define ROW(c, fl, lo, hi, act, dec, enc)				\
	{ BGP_ATTR_##c, #c, fl, lo, hi, act, dec, enc }

const struct bgp_attr_desc bgp_attr_descs[] = {
	ROW(ORIGIN, F_TRANS, 1, 1, BGP_ERR_WITHDRAW, dec_origin, enc_origin),
	ROW(AS_PATH, F_TRANS, 0, VAR, BGP_ERR_WITHDRAW, dec_as_path,
	    enc_as_path),
	ROW(NEXT_HOP, F_TRANS, 4, 4, BGP_ERR_WITHDRAW, dec_next_hop,
	    enc_next_hop),
	ROW(MULTI_EXIT_DISC, F_OPT, 4, 4, BGP_ERR_WITHDRAW, dec_med, enc_med),
	ROW(LOCAL_PREF, F_TRANS, 4, 4, BGP_ERR_WITHDRAW, dec_local_pref,
	    enc_local_pref),
	ROW(ATOMIC_AGGREGATE, F_TRANS, 0, 0, BGP_ERR_DISCARD_ATTR, dec_atomic,
	    enc_atomic),
	ROW(AGGREGATOR, F_OPT | F_TRANS, 6, 8, BGP_ERR_DISCARD_ATTR,
	    dec_aggregator, enc_aggregator),
	ROW(COMMUNITIES, F_OPT | F_TRANS, 4, VAR, BGP_ERR_WITHDRAW,
	    dec_communities, enc_communities),
	ROW(ORIGINATOR_ID, F_OPT, 4, 4, BGP_ERR_WITHDRAW, dec_originator_id,
	    enc_originator_id),
	ROW(CLUSTER_LIST, F_OPT, 4, VAR, BGP_ERR_WITHDRAW, dec_cluster_list,
	    enc_cluster_list),
	ROW(MP_REACH_NLRI, F_OPT, 5, VAR, BGP_ERR_RESET, NULL, NULL),
	ROW(MP_UNREACH_NLRI, F_OPT, 3, VAR, BGP_ERR_RESET, NULL, NULL),
	/* RFC 6793 6: malformed AS4_* attributes are discarded */
	ROW(AS4_PATH, F_OPT | F_TRANS, 0, VAR, BGP_ERR_DISCARD_ATTR,
	    dec_as4_path, enc_as4_path),
	ROW(AS4_AGGREGATOR, F_OPT | F_TRANS, 8, 8, BGP_ERR_DISCARD_ATTR,
	    dec_as4_aggregator, enc_as4_aggregator),
	/* RFC 8092 6: a bad length is treat-as-withdraw */
	ROW(LARGE_COMMUNITIES, F_OPT | F_TRANS, 12, VAR, BGP_ERR_WITHDRAW,
	    dec_large_communities, enc_large_communities),
};
const size_t bgp_attr_ndescs = NITEMS(bgp_attr_descs);
