/*
 * fuzz_one.h: the frame + decode + re-encode oracle run by the libFuzzer
 * target (tests/fuzz/fuzz_bgp_msg.c) and by the crasher-corpus replay in
 * test_msg.c. Input: octet 0 holds VEC_* session bits (vec.h), the rest
 * is a stream of BGP messages. Every message that frames is decoded; one
 * that decodes is re-encoded and must come back the same (bytes for
 * KEEPALIVE/NOTIFICATION/ROUTE-REFRESH, fields for OPEN, attributes and
 * the leading prefixes for UPDATE). FUZZ_CHECK(cond) reports a broken
 * property; the includer may define it (default: abort()).
 */
#ifndef TERN_TEST_FUZZ_ONE_H
#define TERN_TEST_FUZZ_ONE_H

#include <stdlib.h>

#include "codec_check.h"

#ifndef FUZZ_CHECK
#define FUZZ_CHECK(c)	do { if (!(c)) abort(); } while (0)
#endif

static uint8_t fuzz_out[BGP_MAX_EXT_MSG];
static uint8_t fuzz_scratch[2][2 * BGP_MAX_EXT_MSG];

static void
fuzz_same_bytes(const uint8_t *msg, size_t len, const struct wbuf *w)
{
	FUZZ_CHECK(!w->err);
	FUZZ_CHECK(bytes_eq(msg, len, w->p, w->len));
}

static void
fuzz_open(const uint8_t *msg, size_t len, struct rbuf *body)
{
	struct bgp_open o, o2;
	struct bgp_err err;
	struct wbuf w;
	struct rbuf r;

	(void)msg;
	(void)len;
	if (bgp_open_decode(body, &o, &err) == -1) {
		FUZZ_CHECK(err.action == BGP_ERR_RESET);
		return;
	}
	wbuf_init(&w, fuzz_out, BGP_MAX_MSG);
	bgp_open_encode(&o, &w);
	FUZZ_CHECK(!w.err);
	rbuf_init(&r, w.p + BGP_HDR_LEN, w.len - BGP_HDR_LEN);
	FUZZ_CHECK(bgp_open_decode(&r, &o2, &err) == 0);
	FUZZ_CHECK(open_eq(&o, &o2));
}

static void
fuzz_small(uint8_t type, const uint8_t *msg, size_t len, struct rbuf *body)
{
	struct bgp_notification n;
	struct bgp_rrefresh rr;
	struct bgp_err err;
	struct wbuf w;

	wbuf_init(&w, fuzz_out, sizeof(fuzz_out));
	if (type == BGP_KEEPALIVE) {
		if (bgp_keepalive_decode(body, &err) == -1)
			return;
		bgp_keepalive_encode(&w);
	} else if (type == BGP_NOTIFICATION) {
		if (bgp_notification_decode(body, &n, &err) == -1)
			return;
		bgp_notification_encode(&n, &w);
	} else {
		if (bgp_rrefresh_decode(body, &rr, &err) == -1)
			return;
		bgp_rrefresh_encode(&rr, &w);
	}
	fuzz_same_bytes(msg, len, &w);
}

/* The first n prefixes of two NLRI fields are the same. */
static void
fuzz_same_prefixes(struct rbuf a, struct rbuf b, enum bgp_af af, bool ap,
    size_t n)
{
	struct bgp_err err;
	struct prefix p, q;
	uint32_t id, id2;

	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK(bgp_nlri_next(&a, bgp_af_family(af), ap, &p, &id,
		    &err) == 1);
		FUZZ_CHECK(bgp_nlri_next(&b, bgp_af_family(af), ap, &q, &id2,
		    &err) == 1);
		FUZZ_CHECK(prefix_eq(&p, &q) && id == id2);
	}
}

/* Re-encode the first message's worth of withdrawals; decode them back. */
static void
fuzz_withdraw(const struct bgp_codec_ctx *ctx, struct rbuf nlri,
    enum bgp_af af)
{
	struct bgp_upd_builder b;
	struct bgp_update u;
	struct bgp_err err;
	struct prefix p;
	struct rbuf r;
	struct wbuf w;
	uint32_t id;

	wbuf_init(&w, fuzz_out, ctx->maxlen);
	bgp_upd_begin_withdraw(&b, &w, ctx, af);
	r = nlri;
	while (bgp_nlri_next(&r, bgp_af_family(af), ctx->add_path_rx[af], &p,
	    &id, &err) == 1 && bgp_upd_add(&b, &p, id) == 0)
		;
	FUZZ_CHECK(bgp_upd_finish(&b) == 0);
	rbuf_init(&r, w.p + BGP_HDR_LEN, w.len - BGP_HDR_LEN);
	FUZZ_CHECK(bgp_update_decode(&r, ctx, &u, &err) == 0);
	FUZZ_CHECK(!u.treat_as_withdraw);
	if (af == BGP_AF_IPV4)
		r = u.withdrawn;
	else
		r = u.mp_unreach_nlri;
	fuzz_same_prefixes(nlri, r, af, ctx->add_path_rx[af], b.count);
}

/* Re-encode the first message's worth of one NLRI field; decode it back. */
static void
fuzz_reach(const struct bgp_codec_ctx *ctx, struct rbuf nlri, enum bgp_af af,
    const struct rib_attrs *want, bool cmp_aspath)
{
	struct bgp_upd_builder b;
	struct bgp_update u;
	struct rib_attrs got;
	struct bgp_err err;
	struct prefix p;
	uint32_t id;
	struct wbuf w;
	struct rbuf r;

	wbuf_init(&w, fuzz_out, ctx->maxlen);
	bgp_upd_begin_reach(&b, &w, ctx, af, want, NULL);
	r = nlri;
	while (bgp_nlri_next(&r, bgp_af_family(af), ctx->add_path_rx[af], &p,
	    &id, &err) == 1 && bgp_upd_add(&b, &p, id) == 0)
		;
	if (bgp_upd_finish(&b) == -1 || b.count == 0)
		return;		/* e.g. AS4_PATH made it too large */
	rbuf_init(&r, w.p + BGP_HDR_LEN, w.len - BGP_HDR_LEN);
	FUZZ_CHECK(bgp_update_decode(&r, ctx, &u, &err) == 0);
	FUZZ_CHECK(!u.treat_as_withdraw);
	FUZZ_CHECK(bgp_update_attrs(&u, ctx, &got, fuzz_scratch[1],
	    sizeof(fuzz_scratch[1]), &err) == 0);
	FUZZ_CHECK(attrs_eq(want, &got, cmp_aspath));
	fuzz_same_prefixes(nlri, af == BGP_AF_IPV4 ? u.nlri : u.mp_reach_nlri,
	    af, ctx->add_path_rx[af], b.count);
}

static void
fuzz_update_reach(const struct bgp_codec_ctx *ctx, const struct bgp_update *u)
{
	struct rib_attrs a, v;
	struct bgp_err err;
	bool cmp_aspath;

	if (bgp_update_attrs(u, ctx, &a, fuzz_scratch[0],
	    sizeof(fuzz_scratch[0]), &err) == -1) {
		FUZZ_CHECK(err.action == BGP_ERR_WITHDRAW);
		return;
	}
	/* RFC 6793 4.2.3 cannot rebuild confed segments after the first */
	cmp_aspath = ctx->as4 || !aspath_has_confed(&a);
	if (rbuf_left(&u->nlri) > 0) {
		v = a;
		v.nexthop = u->next_hop;
		memset(&v.nexthop_ll, 0, sizeof(v.nexthop_ll));
		fuzz_reach(ctx, u->nlri, BGP_AF_IPV4, &v, cmp_aspath);
	}
	if (u->has_mp_reach && rbuf_left(&u->mp_reach_nlri) > 0) {
		v = a;
		v.nexthop = u->mp_nexthop;
		v.nexthop_ll = u->mp_nexthop_ll;
		fuzz_reach(ctx, u->mp_reach_nlri, u->mp_reach_af, &v,
		    cmp_aspath);
	}
}

static void
fuzz_update(const struct bgp_codec_ctx *ctx, struct rbuf *body)
{
	struct bgp_update u;
	struct bgp_err err;
	struct prefix p;
	uint32_t id;
	struct rbuf r;

	if (bgp_update_decode(body, ctx, &u, &err) == -1) {
		FUZZ_CHECK(err.action == BGP_ERR_RESET);
		FUZZ_CHECK(err.code == BGP_ERR_UPDATE);
		return;
	}
	/* every NLRI field was checked: iterating cannot fail */
	r = u.withdrawn;
	while (bgp_nlri_next(&r, AF_INET, ctx->add_path_rx[0], &p, &id,
	    &err) == 1)
		;
	FUZZ_CHECK(rbuf_left(&r) == 0);
	r = u.nlri;
	while (bgp_nlri_next(&r, AF_INET, ctx->add_path_rx[0], &p, &id,
	    &err) == 1)
		;
	FUZZ_CHECK(rbuf_left(&r) == 0);
	if (rbuf_left(&u.withdrawn) > 0)
		fuzz_withdraw(ctx, u.withdrawn, BGP_AF_IPV4);
	if (u.has_mp_unreach && rbuf_left(&u.mp_unreach_nlri) > 0)
		fuzz_withdraw(ctx, u.mp_unreach_nlri, u.mp_unreach_af);
	if (!u.treat_as_withdraw)
		fuzz_update_reach(ctx, &u);
}

static void
fuzz_one(const uint8_t *data, size_t size)
{
	struct bgp_codec_ctx ctx;
	struct bgp_err err;
	struct rbuf body;
	size_t msglen;
	uint8_t type;

	if (size < 1)
		return;
	vec_ctx(data[0], &ctx);
	data++;
	size--;
	while (bgp_frame(data, size, ctx.maxlen, &msglen, &type, &err) ==
	    BGP_FRAME_OK) {
		FUZZ_CHECK(msglen >= BGP_HDR_LEN && msglen <= size);
		rbuf_init(&body, data + BGP_HDR_LEN, msglen - BGP_HDR_LEN);
		if (type == BGP_OPEN)
			fuzz_open(data, msglen, &body);
		else if (type == BGP_UPDATE)
			fuzz_update(&ctx, &body);
		else
			fuzz_small(type, data, msglen, &body);
		data += msglen;
		size -= msglen;
	}
}

#endif
