/*
 * update.c: the UPDATE message as a whole (RFC 4271 4.3). The decoder
 * carves the three fields, runs the attribute loop (one attr.c call per
 * attribute, each on its own bounded view), then applies the checks that
 * need the whole message: RFC 7606 4 framing, 3 (d) missing attributes,
 * next hop semantics and RFC 4724 End-of-RIB. bgp_update_attrs() turns a
 * decoded message into a rib template (RFC 6793 4.2.3 AS path merge
 * included); the builder packs prefixes sharing one attribute set into
 * messages of at most the negotiated size. Views only: nothing is kept.
 */
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "msg.h"

#define SEEN(u, code)	(((u)->seen >> (code)) & 1u)

/* ---- decode ---- */

static int
attrs_walk(struct rbuf *r, const struct bgp_codec_ctx *ctx,
    struct bgp_update *u, bool *framing, struct bgp_err *err)
{
	uint32_t dup[8] = { 0 };
	struct bgp_attr_view a;
	uint8_t len8;
	uint16_t len;

	while (rbuf_left(r) > 0) {
		if (rbuf_get_u8(r, &a.flags) == -1 ||
		    rbuf_get_u8(r, &a.code) == -1)
			goto framing;
		if (a.flags & BGP_ATTR_F_EXTLEN) {
			if (rbuf_get_u16(r, &len) == -1)
				goto framing;
		} else {
			if (rbuf_get_u8(r, &len8) == -1)
				goto framing;
			len = len8;
		}
		if (rbuf_sub(r, len, &a.val) == -1)
			goto framing;
		if (bgp_attr_decode(&a, ctx, u, dup, err) == -1)
			return -1;
	}
	return 0;
framing:
	*framing = true;
	return 0;
}

static bool
has_reach(const struct bgp_update *u)
{
	return rbuf_left(&u->nlri) > 0 ||
	    (u->has_mp_reach && rbuf_left(&u->mp_reach_nlri) > 0);
}

static void
upd_withdraw(struct bgp_update *u, uint8_t subcode, const void *data,
    size_t datalen, const char *reason)
{
	if (u->treat_as_withdraw)
		return;
	u->treat_as_withdraw = true;
	bgp_err_set(&u->withdraw_err, BGP_ERR_UPDATE, subcode,
	    BGP_ERR_WITHDRAW, data, datalen, reason);
}

/*
 * RFC 7606 4: an attribute overrunning the attribute field, or a partial
 * attribute header, is treat-as-withdraw, relying on the Total Attribute
 * Length to find the NLRI. Our implementation (as BIRD's) resets instead
 * when the message has no NLRI we could withdraw (RFC 7606 5.2): an MP
 * attribute hidden behind the break would otherwise be lost silently.
 */
static int
upd_framing(struct bgp_update *u, struct bgp_err *err)
{
	if (!has_reach(u) && rbuf_left(&u->withdrawn) == 0 &&
	    !u->has_mp_unreach)
		return bgp_err_set(err, BGP_ERR_UPDATE, BGP_ERR_UPD_ATTRLIST,
		    BGP_ERR_RESET, NULL, 0, "attribute framing error");
	upd_withdraw(u, BGP_ERR_UPD_ATTRLIST, NULL, 0,
	    "attribute framing error");
	return 0;
}

/* RFC 7606 3 (d): missing well-known mandatory attributes */
static void
upd_mandatory(struct bgp_update *u)
{
	static const uint8_t need[] = { BGP_ATTR_ORIGIN, BGP_ATTR_AS_PATH,
	    BGP_ATTR_NEXT_HOP };

	if (!has_reach(u))
		return;
	for (size_t i = 0; i < NITEMS(need); i++) {
		/* RFC 4760 3: NEXT_HOP only matters for the NLRI field */
		if (need[i] == BGP_ATTR_NEXT_HOP && rbuf_left(&u->nlri) == 0)
			continue;
		/* RFC 4271 6.3: the data is the missing type code */
		if (!SEEN(u, need[i]))
			upd_withdraw(u, BGP_ERR_UPD_MISSING_WK_ATTR, &need[i],
			    1, "missing mandatory attribute");
	}
}

static bool
bad_nexthop(const struct addr *a, bool have_ll)
{
	static const uint8_t zero[16];

	if (a->af == AF_INET)
		return addr_v4(a) == 0 || a->b[0] >= 224;
	/* IPv6: multicast, or :: with no link-local to go with it */
	return a->b[0] == 0xff || (memcmp(a->b, zero, 16) == 0 && !have_ll);
}

/*
 * RFC 4271 6.3: a semantically invalid next hop (0.0.0.0, multicast or
 * class E) makes the route ignored, without a NOTIFICATION: treat as
 * withdraw with reason Invalid NEXT_HOP.
 */
static void
upd_nexthop(struct bgp_update *u)
{
	if (rbuf_left(&u->nlri) > 0 && SEEN(u, BGP_ATTR_NEXT_HOP) &&
	    bad_nexthop(&u->next_hop, false))
		upd_withdraw(u, BGP_ERR_UPD_NEXTHOP, u->next_hop.b, 4,
		    "invalid NEXT_HOP");
	if (u->has_mp_reach && rbuf_left(&u->mp_reach_nlri) > 0 &&
	    bad_nexthop(&u->mp_nexthop, addr_is_set(&u->mp_nexthop_ll)))
		upd_withdraw(u, BGP_ERR_UPD_NEXTHOP, NULL, 0,
		    "invalid MP_REACH_NLRI next hop");
}

/* RFC 4724 2: End-of-RIB is an empty UPDATE, or a lone empty MP_UNREACH */
static void
upd_eor(struct bgp_update *u, size_t attrlen)
{
	if (u->treat_as_withdraw || rbuf_left(&u->withdrawn) > 0 ||
	    rbuf_left(&u->nlri) > 0)
		return;
	if (attrlen == 0) {
		u->is_eor = true;
		u->eor_af = BGP_AF_IPV4;
	} else if (u->has_mp_unreach && !u->has_mp_reach &&
	    rbuf_left(&u->mp_unreach_nlri) == 0 &&
	    u->seen == 1u << BGP_ATTR_MP_UNREACH_NLRI &&
	    rbuf_left(&u->large_communities) == 0) {
		u->is_eor = true;
		u->eor_af = u->mp_unreach_af;
	}
}

int
bgp_update_decode(struct rbuf *body, const struct bgp_codec_ctx *ctx,
    struct bgp_update *u, struct bgp_err *err)
{
	struct rbuf attrs;
	uint16_t wdlen, alen;
	bool framing = false, ap4 = ctx->add_path_rx[BGP_AF_IPV4];

	memset(u, 0, sizeof(*u));
	/* RFC 4271 6.3: field lengths beyond the message */
	if (rbuf_get_u16(body, &wdlen) == -1 ||
	    rbuf_sub(body, wdlen, &u->withdrawn) == -1 ||
	    rbuf_get_u16(body, &alen) == -1 ||
	    rbuf_sub(body, alen, &attrs) == -1)
		return bgp_err_set(err, BGP_ERR_UPDATE, BGP_ERR_UPD_ATTRLIST,
		    BGP_ERR_RESET, NULL, 0, "UPDATE field lengths");
	if (rbuf_sub(body, rbuf_left(body), &u->nlri) == -1)
		return -1;
	/* RFC 7606 5.3: both NLRI fields must parse completely */
	if (bgp_nlri_check(u->withdrawn, AF_INET, ap4, err) == -1 ||
	    bgp_nlri_check(u->nlri, AF_INET, ap4, err) == -1)
		return -1;
	if (attrs_walk(&attrs, ctx, u, &framing, err) == -1)
		return -1;
	if (framing && upd_framing(u, err) == -1)
		return -1;
	upd_mandatory(u);
	upd_nexthop(u);
	upd_eor(u, alen);
	return 0;
}

/* ---- conversion to a rib template ---- */

struct scratch {
	uint8_t	*p;
	size_t	 cap;
	size_t	 len;
};

static void *
scratch_get(struct scratch *s, size_t n, size_t align)
{
	size_t pad = (align - (uintptr_t)(s->p + s->len) % align) % align;

	if (pad > s->cap - s->len || n > s->cap - s->len - pad)
		return NULL;
	s->len += pad + n;
	return s->p + s->len - n;
}

/* A writer over the rest of the scratch; scratch_commit claims it. */
static void
scratch_writer(struct scratch *s, struct wbuf *w)
{
	wbuf_init(w, s->p + s->len, s->cap - s->len);
}

static const uint8_t *
scratch_commit(struct scratch *s, const struct wbuf *w)
{
	const uint8_t *p = s->p + s->len;

	s->len += w->len;
	return p;
}

/* RFC 6793 4.2.3: AS numbers in a path; AS_SET counts 1, confeds 0. */
static size_t
aspath_count(struct rbuf r, size_t asn_size)
{
	uint8_t type, count;
	size_t n = 0;

	while (rbuf_get_u8(&r, &type) == 0 && rbuf_get_u8(&r, &count) == 0 &&
	    rbuf_skip(&r, count * asn_size) == 0) {
		if (type == BGP_AS_SET)
			n += 1;
		else if (type == BGP_AS_SEQUENCE)
			n += count;
	}
	return n;
}

static uint32_t
get_asn(struct rbuf *r, size_t asn_size)
{
	uint16_t as2 = 0;
	uint32_t as4 = 0;

	if (asn_size == 2)
		return rbuf_get_u16(r, &as2) == 0 ? as2 : 0;
	return rbuf_get_u32(r, &as4) == 0 ? as4 : 0;
}

/*
 * Write the leading `take` AS numbers of a (validated) path in 4-octet
 * form, with the confed segments that lead or follow them (RFC 6793
 * 4.2.3). *last_seq is the offset of the last segment if it is an
 * AS_SEQUENCE, else SIZE_MAX.
 */
static void
aspath_take(struct wbuf *w, struct rbuf r, size_t asn_size, size_t take,
    size_t *last_seq)
{
	uint8_t type, count;

	*last_seq = SIZE_MAX;
	while (rbuf_get_u8(&r, &type) == 0 && rbuf_get_u8(&r, &count) == 0) {
		size_t weight = type == BGP_AS_SET ? 1 :
		    type == BGP_AS_SEQUENCE ? count : 0;
		uint8_t n = count;

		if (weight > take) {
			if (type != BGP_AS_SEQUENCE || take == 0)
				return;
			n = (uint8_t)take;
		}
		take -= weight < take ? weight : take;
		*last_seq = type == BGP_AS_SEQUENCE ? w->len : SIZE_MAX;
		wbuf_put_u8(w, type);
		wbuf_put_u8(w, n);
		for (unsigned i = 0; i < count; i++) {
			uint32_t asn = get_asn(&r, asn_size);

			if (i < n)
				wbuf_put_u32(w, asn);
		}
	}
}

/*
 * Append AS4_PATH without its confed segments (RFC 6793 6), joining its
 * first AS_SEQUENCE to a preceding one when the count allows.
 */
static void
aspath_append4(struct wbuf *w, struct rbuf r, size_t last_seq)
{
	uint8_t type, count;

	while (rbuf_get_u8(&r, &type) == 0 && rbuf_get_u8(&r, &count) == 0) {
		if (type >= BGP_AS_CONFED_SEQUENCE) {
			if (rbuf_skip(&r, 4 * (size_t)count) == -1)
				return;
			continue;
		}
		if (type == BGP_AS_SEQUENCE && last_seq != SIZE_MAX &&
		    !w->err && w->p[last_seq + 1] + count <= 255) {
			w->p[last_seq + 1] += count;
		} else {
			wbuf_put_u8(w, type);
			wbuf_put_u8(w, count);
		}
		last_seq = SIZE_MAX;
		for (unsigned i = 0; i < count; i++)
			wbuf_put_u32(w, get_asn(&r, 4));
	}
}

static bool
as4_usable(const struct bgp_update *u, const struct bgp_codec_ctx *ctx)
{
	/* RFC 6793 4.2.3: an AGGREGATOR not AS_TRANS voids the AS4 attrs */
	return !ctx->as4 && !(SEEN(u, BGP_ATTR_AGGREGATOR) &&
	    u->aggregator_as != BGP_AS_TRANS);
}

static int
conv_aspath(const struct bgp_update *u, const struct bgp_codec_ctx *ctx,
    struct rib_attrs *out, struct scratch *s)
{
	size_t asn_size = ctx->as4 ? 4 : 2, n2, n4, last_seq;
	struct wbuf w;

	n2 = aspath_count(u->as_path, asn_size);
	n4 = SIZE_MAX;
	if (as4_usable(u, ctx) && SEEN(u, BGP_ATTR_AS4_PATH))
		n4 = aspath_count(u->as4_path, 4);
	scratch_writer(s, &w);
	/* RFC 6793 4.2.3: AS4_PATH is ignored when longer than AS_PATH */
	if (n4 <= n2) {
		aspath_take(&w, u->as_path, asn_size, n2 - n4, &last_seq);
		aspath_append4(&w, u->as4_path, last_seq);
	} else {
		aspath_take(&w, u->as_path, asn_size, SIZE_MAX, &last_seq);
	}
	if (w.err || w.len > 0xffff)
		return -1;
	out->aspath_len = (uint16_t)w.len;
	out->aspath = scratch_commit(s, &w);
	return 0;
}

static int
conv_u32s(struct rbuf v, const uint32_t **out, uint16_t *n,
    struct scratch *s)
{
	uint32_t *a;
	size_t cnt = rbuf_left(&v) / 4;

	*out = NULL;
	*n = 0;
	if (cnt == 0)
		return 0;
	if (cnt > 0xffff || (a = scratch_get(s, cnt * 4, 4)) == NULL)
		return -1;
	for (size_t i = 0; i < cnt; i++)
		if (rbuf_get_u32(&v, &a[i]) == -1)
			return -1;
	*out = a;
	*n = (uint16_t)cnt;
	return 0;
}

/* RFC 8092: 12-byte values, three words each, in host order. */
static int
conv_large(struct rbuf v, struct rib_attrs *out, struct scratch *s)
{
	const uint32_t *a;
	uint16_t nwords;

	if (conv_u32s(v, &a, &nwords, s) == -1)
		return -1;
	out->large = a;
	out->nlarge = (uint16_t)(nwords / 3);
	return 0;
}

/* RFC 4271 5: unknown optional transitive attributes get Partial set. */
static int
conv_unknown(const struct bgp_update *u, struct rib_attrs *out,
    struct scratch *s)
{
	struct wbuf w;

	scratch_writer(s, &w);
	for (size_t i = 0; i < u->nunknown; i++) {
		const struct bgp_attr_view *a = &u->unknown[i];

		bgp_attr_hdr_put(&w, (uint8_t)(a->flags | BGP_ATTR_F_PARTIAL),
		    a->code, a->val.len);
		wbuf_put_bytes(&w, a->val.p, a->val.len);
	}
	if (w.err || w.len > 0xffff)
		return -1;
	out->unknown_len = (uint16_t)w.len;
	out->unknown = w.len > 0 ? scratch_commit(s, &w) : NULL;
	return 0;
}

static void
conv_fixed(const struct bgp_update *u, const struct bgp_codec_ctx *ctx,
    struct rib_attrs *out)
{
	out->origin = u->origin;
	out->has_med = SEEN(u, BGP_ATTR_MULTI_EXIT_DISC);
	out->med = u->med;
	out->has_local_pref = SEEN(u, BGP_ATTR_LOCAL_PREF);
	out->local_pref = u->local_pref;
	out->atomic_aggregate = SEEN(u, BGP_ATTR_ATOMIC_AGGREGATE);
	out->has_originator_id = SEEN(u, BGP_ATTR_ORIGINATOR_ID);
	out->originator_id = u->originator_id;
	if (SEEN(u, BGP_ATTR_AGGREGATOR)) {
		out->has_aggregator = true;
		out->aggregator_as = u->aggregator_as;
		out->aggregator_id = u->aggregator_id;
		/* RFC 6793 4.2.3: AS4_AGGREGATOR replaces an AS_TRANS one */
		if (as4_usable(u, ctx) && SEEN(u, BGP_ATTR_AS4_AGGREGATOR)) {
			out->aggregator_as = u->as4_aggregator_as;
			out->aggregator_id = u->as4_aggregator_id;
		}
	}
	if (u->has_mp_reach) {
		out->nexthop = u->mp_nexthop;
		out->nexthop_ll = u->mp_nexthop_ll;
	} else if (SEEN(u, BGP_ATTR_NEXT_HOP)) {
		out->nexthop = u->next_hop;
	}
}

int
bgp_update_attrs(const struct bgp_update *u, const struct bgp_codec_ctx *ctx,
    struct rib_attrs *out, uint8_t *scratch, size_t scratchlen,
    struct bgp_err *err)
{
	struct scratch s = { scratch, scratchlen, 0 };

	memset(out, 0, sizeof(*out));
	conv_fixed(u, ctx, out);
	if (conv_aspath(u, ctx, out, &s) == -1 ||
	    conv_u32s(u->communities, &out->communities, &out->ncommunities,
	    &s) == -1 ||
	    conv_u32s(u->cluster_list, &out->cluster_list, &out->ncluster,
	    &s) == -1 ||
	    conv_large(u->large_communities, out, &s) == -1 ||
	    conv_unknown(u, out, &s) == -1)
		return bgp_err_set(err, BGP_ERR_UPDATE, BGP_ERR_UPD_ATTRLIST,
		    BGP_ERR_WITHDRAW, NULL, 0, "attributes too large");
	return 0;
}

/* ---- the builder ---- */

static size_t
upd_limit(const struct bgp_upd_builder *b)
{
	size_t max = b->ctx->maxlen ? b->ctx->maxlen : BGP_MAX_MSG;
	size_t lim;

	if (max > BGP_MAX_EXT_MSG)
		max = BGP_MAX_EXT_MSG;
	lim = b->start + max;
	return lim < b->w->cap ? lim : b->w->cap;
}

static void
upd_begin(struct bgp_upd_builder *b, struct wbuf *w,
    const struct bgp_codec_ctx *ctx, enum bgp_af af, bool withdraw)
{
	memset(b, 0, sizeof(*b));
	b->w = w;
	b->ctx = ctx;
	b->af = af;
	b->withdraw = withdraw;
	b->start = bgp_hdr_begin(w, BGP_UPDATE);
	b->wdlen_off = wbuf_reserve_u16(w);
	if (!withdraw || af != BGP_AF_IPV4)
		b->attrlen_off = wbuf_reserve_u16(w);
}

/* RFC 4760 3/4: MP attribute header, AFI and SAFI; length patched later */
static void
mp_begin(struct bgp_upd_builder *b, uint8_t code)
{
	wbuf_put_u8(b->w, BGP_ATTR_F_OPTIONAL | BGP_ATTR_F_EXTLEN);
	wbuf_put_u8(b->w, code);
	b->mp_len_off = wbuf_reserve_u16(b->w);
	wbuf_put_u16(b->w, bgp_af_afi(b->af));
	wbuf_put_u8(b->w, BGP_SAFI_UNICAST);
}

static void
mp_reach_nexthop(struct bgp_upd_builder *b, const struct addr *nh)
{
	const struct addr *ll = &b->attrs->nexthop_ll;
	bool has_ll = ll->af == AF_INET6;

	if (nh->af != AF_INET6) {
		b->w->err = true;
		return;
	}
	/* RFC 2545 3: global, then the link-local when there is one */
	wbuf_put_u8(b->w, has_ll ? 32 : 16);
	wbuf_put_bytes(b->w, nh->b, 16);
	if (has_ll)
		wbuf_put_bytes(b->w, ll->b, 16);
	wbuf_put_u8(b->w, 0);	/* reserved */
}

static void
patch_len(struct wbuf *w, size_t off)
{
	wbuf_patch_u16(w, off, (uint16_t)(w->len - off - 2));
}

void
bgp_upd_begin_reach(struct bgp_upd_builder *b, struct wbuf *w,
    const struct bgp_codec_ctx *ctx, enum bgp_af af,
    const struct rib_attrs *attrs, const struct addr *nexthop)
{
	size_t mark;

	upd_begin(b, w, ctx, af, false);
	b->attrs = attrs;
	if (nexthop == NULL)
		nexthop = &attrs->nexthop;
	if (af == BGP_AF_IPV4) {
		if (nexthop->af != AF_INET)
			w->err = true;	/* RFC 4271 5.1.3: NEXT_HOP required */
		bgp_attrs_encode(w, ctx, attrs, nexthop);
		patch_len(w, b->attrlen_off);
	} else {
		mp_begin(b, BGP_ATTR_MP_REACH_NLRI);
		mp_reach_nexthop(b, nexthop);
		/* measure the attributes that finish will write */
		mark = w->len;
		bgp_attrs_encode(w, ctx, attrs, NULL);
		b->tail = w->len - mark;
		if (!w->err)
			wbuf_truncate(w, mark);
	}
	if (w->len + b->tail > upd_limit(b))
		w->err = true;
}

void
bgp_upd_begin_withdraw(struct bgp_upd_builder *b, struct wbuf *w,
    const struct bgp_codec_ctx *ctx, enum bgp_af af)
{
	upd_begin(b, w, ctx, af, true);
	if (af != BGP_AF_IPV4)
		mp_begin(b, BGP_ATTR_MP_UNREACH_NLRI);
}

int
bgp_upd_add(struct bgp_upd_builder *b, const struct prefix *pfx,
    uint32_t path_id)
{
	bool ap = b->ctx->add_path_tx[b->af];
	size_t need = (ap ? 4u : 0u) + 1u + (pfx->len + 7u) / 8u;

	/* the IPv4 withdraw still needs its Total Path Attribute Length */
	if (b->withdraw && b->af == BGP_AF_IPV4)
		need += 2;
	if (b->w->err || pfx->af != bgp_af_family(b->af) ||
	    pfx->len > af_maxlen(pfx->af) ||
	    b->w->len + need + b->tail > upd_limit(b))
		return -1;
	bgp_nlri_encode(b->w, pfx, ap, path_id);
	b->count++;
	return 0;
}

int
bgp_upd_finish(struct bgp_upd_builder *b)
{
	struct wbuf *w = b->w;

	if (b->af == BGP_AF_IPV4 && b->withdraw) {
		patch_len(w, b->wdlen_off);
		wbuf_put_u16(w, 0);
	} else if (b->af != BGP_AF_IPV4) {
		patch_len(w, b->mp_len_off);
		if (!b->withdraw)
			bgp_attrs_encode(w, b->ctx, b->attrs, NULL);
		patch_len(w, b->attrlen_off);
	}
	if (w->len > upd_limit(b))
		w->err = true;
	bgp_hdr_finish(w, b->start);
	return w->err ? -1 : 0;
}

void
bgp_eor_encode(struct wbuf *w, enum bgp_af af)
{
	size_t start = bgp_hdr_begin(w, BGP_UPDATE);

	/* RFC 4724 2: no withdrawn routes, no attributes, no NLRI */
	wbuf_put_u16(w, 0);
	if (af == BGP_AF_IPV4) {
		wbuf_put_u16(w, 0);
	} else {
		/* ... or only an empty MP_UNREACH_NLRI (BIRD's layout) */
		wbuf_put_u16(w, 6);
		wbuf_put_u8(w, BGP_ATTR_F_OPTIONAL);
		wbuf_put_u8(w, BGP_ATTR_MP_UNREACH_NLRI);
		wbuf_put_u8(w, 3);
		wbuf_put_u16(w, bgp_af_afi(af));
		wbuf_put_u8(w, BGP_SAFI_UNICAST);
	}
	bgp_hdr_finish(w, start);
}
