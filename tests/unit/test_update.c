/*
 * test_update.c: the UPDATE codec (bgpd/update.c, attr.c, nlri.c): the
 * vectors of update_vectors.h and attr_vectors.h with their RFC 7606
 * actions, a truncation sweep, round trips driven by bgp_attr_descs[] so
 * every attribute is covered both ways, a malformed-length and a wrong-
 * flags case per descriptor, RFC 6793 AS4 merging, the builder's packing
 * (10,000 prefixes into <= 4096-octet messages) and End-of-RIB.
 */
#include <check.h>

#include "check_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attr_vectors.h"
#include "codec_check.h"

static uint8_t scratch[2 * BGP_MAX_EXT_MSG];
static uint8_t scratch2[2 * BGP_MAX_EXT_MSG];

static const struct bgp_err *
outcome(const struct bgp_vec *v, int rc, const struct bgp_update *u,
    const struct bgp_err *err)
{
	switch (v->want_action) {
	case BGP_ERR_RESET:
		ck_assert_msg(rc == -1, "%s: decoded", v->name);
		return err;
	case BGP_ERR_WITHDRAW:
		ck_assert_msg(rc == 0 && u->treat_as_withdraw,
		    "%s: not treat-as-withdraw (rc %d)", v->name, rc);
		return &u->withdraw_err;
	case BGP_ERR_DISCARD_ATTR:
		ck_assert_msg(rc == 0 && !u->treat_as_withdraw &&
		    u->has_discard, "%s: no attribute discard", v->name);
		return &u->discard_err;
	default:
		ck_assert_msg(rc == 0, "%s: error %u/%u (%s)", v->name,
		    err->code, err->subcode, err->reason);
		ck_assert_msg(!u->treat_as_withdraw, "%s: withdraw (%s)",
		    v->name, u->withdraw_err.reason);
		ck_assert_msg(!u->has_discard, "%s: discard (%s)", v->name,
		    u->discard_err.reason);
		return NULL;
	}
}

static void
check_vec(const struct bgp_vec *v)
{
	struct bgp_codec_ctx ctx;
	const struct bgp_err *e;
	struct bgp_update u;
	struct rib_attrs a;
	struct bgp_err err;
	struct rbuf r;
	int rc;

	vec_ctx(v->ctx, &ctx);
	rbuf_init(&r, v->bytes, v->len);
	rc = bgp_update_decode(&r, &ctx, &u, &err);
	if ((e = outcome(v, rc, &u, &err)) != NULL) {
		ck_assert_msg(e->code == v->want_code &&
		    e->subcode == v->want_subcode, "%s: got %u/%u (%s)",
		    v->name, e->code, e->subcode, e->reason);
		ck_assert_msg((int)e->action == v->want_action, "%s: action",
		    v->name);
		if (v->want_data != NULL)
			ck_assert_msg(bytes_eq(e->data, e->datalen,
			    v->want_data, v->want_datalen), "%s: data",
			    v->name);
	}
	if (rc == 0 && !u.treat_as_withdraw)
		ck_assert_msg(bgp_update_attrs(&u, &ctx, &a, scratch,
		    sizeof(scratch), &err) == 0, "%s: attrs", v->name);
}

START_TEST(t_update_vec)
{
	check_vec(&update_vecs[_i]);
}
END_TEST

START_TEST(t_attr_vec)
{
	check_vec(&attr_vecs[_i]);
}
END_TEST

/* After a successful decode every NLRI field iterates without error. */
static void
walk_all(const struct bgp_update *u, const struct bgp_codec_ctx *ctx)
{
	struct rbuf f[4] = { u->withdrawn, u->nlri, u->mp_reach_nlri,
	    u->mp_unreach_nlri };
	uint8_t fam[4] = { AF_INET, AF_INET, bgp_af_family(u->mp_reach_af),
	    bgp_af_family(u->mp_unreach_af) };
	struct bgp_err err;
	struct prefix p;
	uint32_t id;

	for (int i = 0; i < 4; i++) {
		while (bgp_nlri_next(&f[i], fam[i], ctx->add_path_rx[0], &p,
		    &id, &err) == 1)
			;
		ck_assert_uint_eq(rbuf_left(&f[i]), 0);
	}
}

/* Every prefix of a valid body: a clean reset or a consistent message. */
START_TEST(t_update_trunc)
{
	const struct bgp_vec *v = &update_vecs[_i];
	struct bgp_codec_ctx ctx;
	struct bgp_update u;
	struct rib_attrs a;
	struct bgp_err err;
	struct rbuf r;
	uint8_t *buf;

	if (v->want_action != VEC_OK)
		return;
	vec_ctx(v->ctx, &ctx);
	for (size_t k = 0; k < v->len; k++) {
		ck_assert((buf = malloc(k ? k : 1)) != NULL);
		memcpy(buf, v->bytes, k);
		rbuf_init(&r, buf, k);
		if (bgp_update_decode(&r, &ctx, &u, &err) == -1) {
			ck_assert_msg(err.action == BGP_ERR_RESET, "%s: %zu",
			    v->name, k);
		} else {
			walk_all(&u, &ctx);
			if (!u.treat_as_withdraw)
				ck_assert(bgp_update_attrs(&u, &ctx, &a,
				    scratch, sizeof(scratch), &err) == 0);
		}
		free(buf);
	}
}
END_TEST

/* ---- round trips ---- */

/* SEQ [65000 4200000000 64512] SET [1 2], 4-octet wire form */
static const uint8_t path4[] = {
	2, 3, 0x00, 0x00, 0xfd, 0xe8, 0xfa, 0x56, 0xea, 0x00,
	0x00, 0x00, 0xfc, 0x00,
	1, 2, 0, 0, 0, 1, 0, 0, 0, 2,
};
static const uint32_t comms[] = { 0xfde80001, 0xfde80002 };
static const uint32_t clusters[] = { 0x0a000001, 0x0a000002 };
static const uint32_t large[] = { 65000, 1, 2, 4200000000u, 0, 0xffffffffu };
/* code 33, optional transitive partial, and code 200 */
static const uint8_t unknown[] = { 0xe0, 0x21, 0x04, 1, 2, 3, 4,
    0xe0, 0xc8, 0x01, 9 };

static void
full_attrs(struct rib_attrs *a, enum bgp_af af)
{
	memset(a, 0, sizeof(*a));
	a->origin = BGP_ORIGIN_EGP;
	a->aspath = path4;
	a->aspath_len = sizeof(path4);
	a->has_med = a->has_local_pref = a->atomic_aggregate = true;
	a->med = 5;
	a->local_pref = 200;
	a->has_aggregator = a->has_originator_id = true;
	a->aggregator_as = 4200000001u;
	a->aggregator_id = 0x0a000009;
	a->originator_id = 0x0a000003;
	a->communities = comms;
	a->ncommunities = NITEMS(comms);
	a->cluster_list = clusters;
	a->ncluster = NITEMS(clusters);
	a->large = large;
	a->nlarge = NITEMS(large) / 3;
	a->unknown = unknown;
	a->unknown_len = sizeof(unknown);
	if (af == BGP_AF_IPV4) {
		ck_assert_int_eq(addr_parse("198.18.0.9", &a->nexthop), 0);
	} else {
		ck_assert_int_eq(addr_parse("2001:db8::9", &a->nexthop), 0);
		ck_assert_int_eq(addr_parse("fe80::9", &a->nexthop_ll), 0);
	}
}

static void
pfx(const char *s, struct prefix *p)
{
	ck_assert_msg(prefix_parse(s, p) == 0, "%s", s);
}

/* Frame and decode one built message. */
static void
decode_built(const struct wbuf *w, const struct bgp_codec_ctx *ctx,
    struct bgp_update *u)
{
	struct bgp_err err;
	struct rbuf r;
	size_t msglen;
	uint8_t type;

	ck_assert(!w->err);
	ck_assert_int_eq(bgp_frame(w->p, w->len, ctx->maxlen, &msglen, &type,
	    &err), BGP_FRAME_OK);
	ck_assert(type == BGP_UPDATE && msglen == w->len);
	rbuf_init(&r, w->p + BGP_HDR_LEN, w->len - BGP_HDR_LEN);
	ck_assert_msg(bgp_update_decode(&r, ctx, u, &err) == 0, "%s",
	    err.reason);
	ck_assert_msg(!u->treat_as_withdraw, "%s", u->withdraw_err.reason);
}

/* attrs -> one-prefix UPDATE -> decode -> attrs; returns u.seen */
static uint32_t
reach_roundtrip(unsigned bits, enum bgp_af af, const struct rib_attrs *a)
{
	static uint8_t buf[BGP_MAX_MSG];
	struct bgp_codec_ctx ctx;
	struct bgp_upd_builder b;
	struct bgp_update u;
	struct rib_attrs got;
	struct bgp_err err;
	struct prefix p;
	struct wbuf w;

	vec_ctx(bits, &ctx);
	pfx(af == BGP_AF_IPV4 ? "10.244.1.0/26" : "fd00:1::/122", &p);
	wbuf_init(&w, buf, sizeof(buf));
	bgp_upd_begin_reach(&b, &w, &ctx, af, a, NULL);
	ck_assert_int_eq(bgp_upd_add(&b, &p, 7), 0);
	ck_assert_int_eq(bgp_upd_finish(&b), 0);
	decode_built(&w, &ctx, &u);
	ck_assert_int_eq(bgp_update_attrs(&u, &ctx, &got, scratch,
	    sizeof(scratch), &err), 0);
	ck_assert(attrs_eq(a, &got, true));
	return u.seen;
}

static uint32_t
unreach_roundtrip(void)
{
	static uint8_t buf[BGP_MAX_MSG];
	struct bgp_codec_ctx ctx;
	struct bgp_upd_builder b;
	struct bgp_update u;
	struct bgp_err err;
	struct prefix p, q;
	uint32_t id;
	struct wbuf w;

	vec_ctx(0, &ctx);
	pfx("fd00:1::/122", &p);
	wbuf_init(&w, buf, sizeof(buf));
	bgp_upd_begin_withdraw(&b, &w, &ctx, BGP_AF_IPV6);
	ck_assert_int_eq(bgp_upd_add(&b, &p, 0), 0);
	ck_assert_int_eq(bgp_upd_finish(&b), 0);
	decode_built(&w, &ctx, &u);
	ck_assert(u.has_mp_unreach && u.mp_unreach_af == BGP_AF_IPV6);
	ck_assert_int_eq(bgp_nlri_next(&u.mp_unreach_nlri, AF_INET6, false,
	    &q, &id, &err), 1);
	ck_assert(prefix_eq(&p, &q));
	return u.seen;
}

/* Each descriptor: encode a set that has the attribute, decode it back. */
START_TEST(t_desc_roundtrip)
{
	const struct bgp_attr_desc *d = &bgp_attr_descs[_i];
	struct rib_attrs a;
	uint32_t seen;

	ck_assert_ptr_eq(bgp_attr_desc_get(d->code), d);
	ck_assert(d->name != NULL);
	switch (d->code) {
	case BGP_ATTR_MP_UNREACH_NLRI:
		seen = unreach_roundtrip();
		break;
	case BGP_ATTR_MP_REACH_NLRI:
		full_attrs(&a, BGP_AF_IPV6);
		seen = reach_roundtrip(0, BGP_AF_IPV6, &a);
		break;
	case BGP_ATTR_AS4_PATH:
	case BGP_ATTR_AS4_AGGREGATOR:
		full_attrs(&a, BGP_AF_IPV4);
		seen = reach_roundtrip(VEC_AS2, BGP_AF_IPV4, &a);
		break;
	default:
		full_attrs(&a, BGP_AF_IPV4);
		seen = reach_roundtrip(0, BGP_AF_IPV4, &a);
		break;
	}
	/* seen has codes below 32; attrs_eq compared the rest */
	ck_assert_msg(d->code >= 32 || seen & (1u << d->code), "%s not seen",
	    d->name);
}
END_TEST

/* Build a body: base attributes but `code`, then one attribute. */
static size_t
one_attr_body(uint8_t *buf, size_t cap, uint8_t code, uint8_t flags,
    size_t len)
{
	static const uint8_t base[][7] = {
		{ 0x40, 0x01, 0x01, 0x00 },
		{ 0x40, 0x02, 0x00 },
		{ 0x40, 0x03, 0x04, 198, 18, 0, 2 },
	};
	static const size_t baselen[] = { 4, 3, 7 };
	static const uint8_t zero[300];
	struct wbuf w;
	size_t off;

	wbuf_init(&w, buf, cap);
	wbuf_put_u16(&w, 0);
	off = wbuf_reserve_u16(&w);
	for (size_t i = 0; i < NITEMS(base); i++)
		if (base[i][1] != code)
			wbuf_put_bytes(&w, base[i], baselen[i]);
	bgp_attr_hdr_put(&w, flags, code, len);
	wbuf_put_bytes(&w, zero, len);
	wbuf_patch_u16(&w, off, (uint16_t)(w.len - off - 2));
	wbuf_put_bytes(&w, (const uint8_t[]){ 26, 10, 244, 1, 0 }, 5);
	ck_assert(!w.err);
	return w.len;
}

static void
expect_action(const struct bgp_attr_desc *d, const uint8_t *buf, size_t len,
    uint8_t subcode, const char *what)
{
	struct bgp_codec_ctx ctx;
	struct bgp_update u;
	struct bgp_err err;
	const struct bgp_err *e = &err;
	struct rbuf r;
	int rc;

	vec_ctx(d->code >= BGP_ATTR_AS4_PATH ? VEC_AS2 : 0, &ctx);
	rbuf_init(&r, buf, len);
	rc = bgp_update_decode(&r, &ctx, &u, &err);
	if (d->on_error == BGP_ERR_RESET) {
		ck_assert_msg(rc == -1, "%s %s: no reset", d->name, what);
	} else {
		ck_assert_msg(rc == 0, "%s %s: reset", d->name, what);
		e = d->on_error == BGP_ERR_WITHDRAW ? &u.withdraw_err :
		    &u.discard_err;
		ck_assert_msg(d->on_error == BGP_ERR_WITHDRAW ?
		    u.treat_as_withdraw : (u.has_discard &&
		    !u.treat_as_withdraw), "%s %s: action", d->name, what);
		ck_assert(d->code >= 32 ? rbuf_left(&u.large_communities) ==
		    0 : !(u.seen & (1u << d->code)));
	}
	ck_assert_msg(e->code == BGP_ERR_UPDATE && e->subcode == subcode,
	    "%s %s: %u/%u", d->name, what, e->code, e->subcode);
}

/* RFC 7606 7 per descriptor: a bad length and wrong flags. */
START_TEST(t_desc_malformed)
{
	const struct bgp_attr_desc *d = &bgp_attr_descs[_i];
	uint8_t buf[512];
	size_t len, n;

	if (d->min_len > 0 || d->max_len != 0xffff) {
		len = d->min_len > 0 ? d->min_len - 1u : d->max_len + 1u;
		n = one_attr_body(buf, sizeof(buf), d->code, d->flags, len);
		expect_action(d, buf, n, d->on_error == BGP_ERR_RESET ?
		    BGP_ERR_UPD_OPTATTR : BGP_ERR_UPD_ATTR_LEN, "length");
	}
	n = one_attr_body(buf, sizeof(buf), d->code,
	    d->flags ^ BGP_ATTR_F_OPTIONAL, d->min_len);
	expect_action(d, buf, n, BGP_ERR_UPD_ATTRFLAGS, "flags");
}
END_TEST

/* decode -> attrs -> builder -> the same bytes, for canonical vectors */
static void
rebuild(const struct bgp_vec *v, struct wbuf *w)
{
	struct bgp_codec_ctx ctx;
	struct bgp_upd_builder b;
	struct bgp_update u;
	struct rib_attrs a;
	struct bgp_err err;
	struct prefix p;
	struct rbuf r, f;
	uint32_t id;
	enum bgp_af af = BGP_AF_IPV4;

	vec_ctx(v->ctx, &ctx);
	rbuf_init(&r, v->bytes, v->len);
	ck_assert_msg(bgp_update_decode(&r, &ctx, &u, &err) == 0, "%s",
	    v->name);
	ck_assert_int_eq(bgp_update_attrs(&u, &ctx, &a, scratch,
	    sizeof(scratch), &err), 0);
	if (u.is_eor) {
		bgp_eor_encode(w, u.eor_af);
		return;
	}
	f = rbuf_left(&u.withdrawn) ? u.withdrawn : u.nlri;
	if (u.has_mp_reach || u.has_mp_unreach) {
		af = BGP_AF_IPV6;
		f = u.has_mp_reach ? u.mp_reach_nlri : u.mp_unreach_nlri;
	}
	if (rbuf_left(&u.withdrawn) || u.has_mp_unreach)
		bgp_upd_begin_withdraw(&b, w, &ctx, af);
	else
		bgp_upd_begin_reach(&b, w, &ctx, af, &a, NULL);
	while (bgp_nlri_next(&f, bgp_af_family(af), ctx.add_path_rx[af], &p,
	    &id, &err) == 1)
		ck_assert_int_eq(bgp_upd_add(&b, &p, id), 0);
	ck_assert_int_eq(bgp_upd_finish(&b), 0);
}

START_TEST(t_update_bytes_roundtrip)
{
	static const char *const names[] = {
		"iBGP /26 announcement (BIRD-style)",
		"eBGP announcement with MED and communities",
		"ipv4 withdraw", "End-of-RIB ipv4", "End-of-RIB ipv6",
		"ipv6 MP_REACH with a link-local next hop",
		"ipv6 MP_UNREACH withdraw", "add-path ipv4 announcement",
		"iBGP without LOCAL_PREF", "2-octet session with AS4_PATH",
	};
	uint8_t buf[BGP_MAX_MSG];
	struct wbuf w;

	for (size_t i = 0; i < NITEMS(names); i++) {
		const struct bgp_vec *v = NULL;

		for (size_t j = 0; j < NITEMS(update_vecs); j++)
			if (strcmp(update_vecs[j].name, names[i]) == 0)
				v = &update_vecs[j];
		ck_assert_msg(v != NULL, "%s", names[i]);
		wbuf_init(&w, buf, sizeof(buf));
		rebuild(v, &w);
		ck_assert(!w.err);
		ck_assert_msg(w.len - BGP_HDR_LEN == v->len,
		    "%s: %zu bytes, want %zu", v->name, w.len - BGP_HDR_LEN,
		    v->len);
		ck_assert_mem_eq(buf + BGP_HDR_LEN, v->bytes, v->len);
	}
}
END_TEST

/* ---- packing: many prefixes into as few messages as fit ---- */

struct pack_case {
	enum bgp_af	af;
	bool		withdraw;
	unsigned	bits;
};
static const struct pack_case pack_cases[] = {
	{ BGP_AF_IPV4, false, 0 },
	{ BGP_AF_IPV4, true, 0 },
	{ BGP_AF_IPV6, false, VEC_ADDPATH },
	{ BGP_AF_IPV6, true, VEC_ADDPATH },
	{ BGP_AF_IPV4, false, VEC_ADDPATH | VEC_AS2 },
};
#define NPACK	10000

static void
nth_prefix(enum bgp_af af, size_t i, struct prefix *p)
{
	uint8_t b[16] = { 0 };

	b[0] = af == BGP_AF_IPV4 ? 10 : 0xfd;
	b[af == BGP_AF_IPV4 ? 1 : 13] = (uint8_t)(i >> 16);
	b[af == BGP_AF_IPV4 ? 2 : 14] = (uint8_t)(i >> 8);
	b[af == BGP_AF_IPV4 ? 3 : 15] = (uint8_t)i;
	ck_assert_int_eq(prefix_set(p, bgp_af_family(af), b,
	    af == BGP_AF_IPV4 ? 32 : 128), 0);
}

/* The prefixes of one message must be the next run of the sequence. */
static void
pack_check(const struct wbuf *w, const struct bgp_codec_ctx *ctx,
    const struct pack_case *pc, size_t *next)
{
	bool v4 = pc->af == BGP_AF_IPV4, ap = ctx->add_path_rx[pc->af];
	struct bgp_update u;
	struct bgp_err err;
	struct prefix p, q;
	struct rbuf f;
	uint32_t id;

	ck_assert_uint_le(w->len, BGP_MAX_MSG);
	decode_built(w, ctx, &u);
	if (pc->withdraw)
		f = v4 ? u.withdrawn : u.mp_unreach_nlri;
	else
		f = v4 ? u.nlri : u.mp_reach_nlri;
	while (bgp_nlri_next(&f, bgp_af_family(pc->af), ap, &p, &id,
	    &err) == 1) {
		nth_prefix(pc->af, *next, &q);
		ck_assert_msg(prefix_eq(&p, &q), "prefix %zu", *next);
		ck_assert_uint_eq(id, ap ? *next + 1 : 0);
		(*next)++;
	}
	ck_assert_uint_eq(rbuf_left(&f), 0);
}

START_TEST(t_packing)
{
	static uint8_t buf[BGP_MAX_EXT_MSG];
	const struct pack_case *pc = &pack_cases[_i];
	struct bgp_codec_ctx ctx;
	struct bgp_upd_builder b;
	struct rib_attrs a;
	struct prefix p;
	size_t i = 0, next = 0, nmsg = 0;
	struct wbuf w;

	vec_ctx(pc->bits, &ctx);
	full_attrs(&a, pc->af);
	while (i < NPACK) {
		wbuf_init(&w, buf, sizeof(buf));	/* maxlen must limit */
		if (pc->withdraw)
			bgp_upd_begin_withdraw(&b, &w, &ctx, pc->af);
		else
			bgp_upd_begin_reach(&b, &w, &ctx, pc->af, &a, NULL);
		for (; i < NPACK; i++) {
			nth_prefix(pc->af, i, &p);
			if (bgp_upd_add(&b, &p, (uint32_t)i + 1) == -1)
				break;
		}
		ck_assert_uint_gt(b.count, 0);
		ck_assert_int_eq(bgp_upd_finish(&b), 0);
		/* full: the next prefix would not have fitted */
		ck_assert(i == NPACK || w.len + 21 > BGP_MAX_MSG);
		pack_check(&w, &ctx, pc, &next);
		nmsg++;
	}
	ck_assert_uint_eq(next, NPACK);
	printf("packing case %d: %zu prefixes in %zu messages\n", _i, next,
	    nmsg);
}
END_TEST

/* ---- RFC 6793 4.2.3: AS_PATH and AS4_PATH from a 2-octet peer ---- */

static void
decode_attrs2(const uint8_t *attrs, size_t alen, struct rib_attrs *out)
{
	static const uint8_t base[] = { A_ORIGIN_IGP, A_NEXTHOP };
	static uint8_t buf[512];
	struct bgp_codec_ctx ctx;
	struct bgp_update u;
	struct bgp_err err;
	struct wbuf w;
	struct rbuf r;

	vec_ctx(VEC_AS2, &ctx);
	wbuf_init(&w, buf, sizeof(buf));
	wbuf_put_u16(&w, 0);
	wbuf_put_u16(&w, (uint16_t)(sizeof(base) + alen));
	wbuf_put_bytes(&w, base, sizeof(base));
	wbuf_put_bytes(&w, attrs, alen);
	wbuf_put_bytes(&w, (const uint8_t[]){ NLRI_26 }, 5);
	rbuf_init(&r, buf, w.len);
	ck_assert_int_eq(bgp_update_decode(&r, &ctx, &u, &err), 0);
	ck_assert(!u.treat_as_withdraw && !u.has_discard);
	ck_assert_int_eq(bgp_update_attrs(&u, &ctx, out, scratch,
	    sizeof(scratch), &err), 0);
}

#define CHECK_PATH(a, ...)						\
	ck_assert(bytes_eq((a)->aspath, (a)->aspath_len,		\
	    (const uint8_t[]){ __VA_ARGS__ },				\
	    sizeof((const uint8_t[]){ __VA_ARGS__ })))

START_TEST(t_as4_merge)
{
	struct rib_attrs a;

	/* an old speaker prepended 100: it is kept in front */
	decode_attrs2((const uint8_t[]){
	    0x40, 0x02, 0x08, 2, 3, 0, 100, 0xfd, 0xe8, 0x5b, 0xa0,
	    0xc0, 0x11, 0x0a, 2, 2, 0, 0, 0xfd, 0xe8, 0xfa, 0x56, 0xea, 0x00,
	    }, 24, &a);
	CHECK_PATH(&a, 2, 3, 0, 0, 0, 100, 0, 0, 0xfd, 0xe8,
	    0xfa, 0x56, 0xea, 0x00);
	/* the cut counts an AS_SET as one and may split a sequence */
	decode_attrs2((const uint8_t[]){
	    0x40, 0x02, 0x0c, 1, 1, 0, 5, 2, 3, 0, 100, 0xfd, 0xe8, 0x5b, 0xa0,
	    0xc0, 0x11, 0x0a, 2, 2, 0, 0, 0xfd, 0xe8, 0xfa, 0x56, 0xea, 0x00,
	    }, 28, &a);
	CHECK_PATH(&a, 1, 1, 0, 0, 0, 5, 2, 3, 0, 0, 0, 100, 0, 0, 0xfd, 0xe8,
	    0xfa, 0x56, 0xea, 0x00);
	/* AS4_PATH longer than AS_PATH: ignored */
	decode_attrs2((const uint8_t[]){
	    0x40, 0x02, 0x04, 2, 1, 0x5b, 0xa0,
	    0xc0, 0x11, 0x0a, 2, 2, 0, 0, 0xfd, 0xe8, 0xfa, 0x56, 0xea, 0x00,
	    }, 20, &a);
	CHECK_PATH(&a, 2, 1, 0, 0, 0x5b, 0xa0);
}
END_TEST

START_TEST(t_as4_aggregator)
{
	struct rib_attrs a;

	/* an AGGREGATOR that is not AS_TRANS voids AS4_PATH */
	decode_attrs2((const uint8_t[]){
	    0x40, 0x02, 0x06, 2, 2, 0xfd, 0xe8, 0x5b, 0xa0,
	    0xc0, 0x07, 0x06, 0, 100, 10, 0, 0, 1,
	    0xc0, 0x11, 0x0a, 2, 2, 0, 0, 0xfd, 0xe8, 0xfa, 0x56, 0xea, 0x00,
	    }, 31, &a);
	CHECK_PATH(&a, 2, 2, 0, 0, 0xfd, 0xe8, 0, 0, 0x5b, 0xa0);
	ck_assert_uint_eq(a.aggregator_as, 100);
	/* AGGREGATOR AS_TRANS: AS4_AGGREGATOR and AS4_PATH apply */
	decode_attrs2((const uint8_t[]){
	    0x40, 0x02, 0x06, 2, 2, 0xfd, 0xe8, 0x5b, 0xa0,
	    0xc0, 0x07, 0x06, 0x5b, 0xa0, 10, 0, 0, 1,
	    0xc0, 0x11, 0x0a, 2, 2, 0, 0, 0xfd, 0xe8, 0xfa, 0x56, 0xea, 0x00,
	    0xc0, 0x12, 0x08, 0xfa, 0x56, 0xea, 0x01, 10, 0, 0, 2,
	    }, 42, &a);
	CHECK_PATH(&a, 2, 2, 0, 0, 0xfd, 0xe8, 0xfa, 0x56, 0xea, 0x00);
	ck_assert(a.aggregator_as == 4200000001u &&
	    a.aggregator_id == 0x0a000002);
}
END_TEST

START_TEST(t_as4_confed)
{
	struct rib_attrs a;

	/* a leading confed segment stays; confeds in AS4_PATH are dropped */
	decode_attrs2((const uint8_t[]){
	    0x40, 0x02, 0x0a, 3, 1, 0xfd, 0xe9, 2, 2, 0xfd, 0xe8, 0x5b, 0xa0,
	    0xc0, 0x11, 0x10, 3, 1, 0, 0, 0, 7,
	    2, 2, 0, 0, 0xfd, 0xe8, 0xfa, 0x56, 0xea, 0x00,
	    }, 32, &a);
	CHECK_PATH(&a, 3, 1, 0, 0, 0xfd, 0xe9, 2, 2, 0, 0, 0xfd, 0xe8,
	    0xfa, 0x56, 0xea, 0x00);
}
END_TEST

/* RFC 6793 4.2.2: what a 2-octet peer is sent */
START_TEST(t_as2_encode)
{
	static uint8_t buf[BGP_MAX_MSG];
	static const uint8_t small[] = { 2, 1, 0, 0, 0xfd, 0xe8 };
	struct bgp_codec_ctx ctx;
	struct bgp_upd_builder b;
	struct bgp_update u;
	struct rib_attrs a;
	struct prefix p;
	struct wbuf w;

	vec_ctx(VEC_AS2, &ctx);
	full_attrs(&a, BGP_AF_IPV4);
	pfx("10.0.0.0/8", &p);
	wbuf_init(&w, buf, sizeof(buf));
	bgp_upd_begin_reach(&b, &w, &ctx, BGP_AF_IPV4, &a, NULL);
	ck_assert_int_eq(bgp_upd_add(&b, &p, 0), 0);
	ck_assert_int_eq(bgp_upd_finish(&b), 0);
	decode_built(&w, &ctx, &u);
	ck_assert(bytes_eq(u.as_path.p, u.as_path.len, (const uint8_t[]){
	    2, 3, 0xfd, 0xe8, 0x5b, 0xa0, 0xfc, 0x00, 1, 2, 0, 1, 0, 2 }, 14));
	ck_assert(bytes_eq(u.as4_path.p, u.as4_path.len, path4,
	    sizeof(path4)));
	ck_assert(u.aggregator_as == BGP_AS_TRANS &&
	    u.as4_aggregator_as == 4200000001u);
	/* nothing above 65535: no AS4_PATH, no AS4_AGGREGATOR */
	a.aspath = small;
	a.aspath_len = sizeof(small);
	a.aggregator_as = 65001;
	wbuf_init(&w, buf, sizeof(buf));
	bgp_upd_begin_reach(&b, &w, &ctx, BGP_AF_IPV4, &a, NULL);
	ck_assert_int_eq(bgp_upd_add(&b, &p, 0), 0);
	ck_assert_int_eq(bgp_upd_finish(&b), 0);
	decode_built(&w, &ctx, &u);
	ck_assert(!(u.seen & (1u << BGP_ATTR_AS4_PATH)));
	ck_assert(!(u.seen & (1u << BGP_ATTR_AS4_AGGREGATOR)));
}
END_TEST

/* ---- End-of-RIB, limits, decoded values ---- */

START_TEST(t_eor)
{
	uint8_t buf[64];
	struct bgp_codec_ctx ctx;
	struct bgp_update u;
	struct wbuf w;

	vec_ctx(0, &ctx);
	for (int af = 0; af < BGP_AF_MAX; af++) {
		wbuf_init(&w, buf, sizeof(buf));
		bgp_eor_encode(&w, (enum bgp_af)af);
		decode_built(&w, &ctx, &u);
		ck_assert(u.is_eor && u.eor_af == (enum bgp_af)af);
	}
	/* a withdraw, or an MP_UNREACH with company, is no End-of-RIB */
	wbuf_init(&w, buf, sizeof(buf));
	bgp_hdr_finish(&w, bgp_hdr_begin(&w, BGP_UPDATE));
	wbuf_patch_u16(&w, 16, (uint16_t)(BGP_HDR_LEN + 4 + 5));
	wbuf_put_bytes(&w, (const uint8_t[]){ 0, 5, NLRI_26, 0, 0 }, 9);
	decode_built(&w, &ctx, &u);
	ck_assert(!u.is_eor);
	wbuf_init(&w, buf, sizeof(buf));
	bgp_hdr_finish(&w, bgp_hdr_begin(&w, BGP_UPDATE));
	wbuf_patch_u16(&w, 16, (uint16_t)(BGP_HDR_LEN + 4 + 10));
	wbuf_put_bytes(&w, (const uint8_t[]){ 0, 0, 0, 10, 0x80, 0x0f, 3,
	    0, 2, 1, A_ORIGIN_IGP }, 14);
	decode_built(&w, &ctx, &u);
	ck_assert(!u.is_eor && u.has_mp_unreach);
}
END_TEST

START_TEST(t_unknown_max)
{
	static uint8_t buf[512];
	struct bgp_codec_ctx ctx;
	struct bgp_update u;
	struct rib_attrs a;
	struct bgp_err err;
	struct wbuf w;
	struct rbuf r;
	size_t off;

	vec_ctx(0, &ctx);
	wbuf_init(&w, buf, sizeof(buf));
	wbuf_put_u16(&w, 0);
	off = wbuf_reserve_u16(&w);
	wbuf_put_bytes(&w, (const uint8_t[]){ A_BASE }, 14);
	for (uint8_t c = 40; c < 40 + BGP_UNKNOWN_MAX + 1; c++)
		wbuf_put_bytes(&w, (const uint8_t[]){ 0xc0, c, 1, c }, 4);
	wbuf_patch_u16(&w, off, (uint16_t)(w.len - off - 2));
	wbuf_put_bytes(&w, (const uint8_t[]){ NLRI_26 }, 5);
	rbuf_init(&r, buf, w.len);
	ck_assert_int_eq(bgp_update_decode(&r, &ctx, &u, &err), 0);
	ck_assert_uint_eq(u.nunknown, BGP_UNKNOWN_MAX);
	ck_assert(u.has_discard && !u.treat_as_withdraw);
	ck_assert_uint_eq(u.discard_err.subcode, BGP_ERR_UPD_OPTATTR);
	ck_assert_int_eq(bgp_update_attrs(&u, &ctx, &a, scratch,
	    sizeof(scratch), &err), 0);
	ck_assert_uint_eq(a.unknown_len, 4 * BGP_UNKNOWN_MAX);
	for (size_t i = 0; i < a.unknown_len; i += 4)
		ck_assert_uint_eq(a.unknown[i], 0xe0);	/* Partial set */
	/* a scratch too small fails cleanly, as treat-as-withdraw */
	ck_assert_int_eq(bgp_update_attrs(&u, &ctx, &a, scratch, 8, &err),
	    -1);
	ck_assert(err.action == BGP_ERR_WITHDRAW);
}
END_TEST

START_TEST(t_builder_limits)
{
	static uint8_t buf[BGP_MAX_EXT_MSG];
	static uint32_t many[1100];
	struct bgp_codec_ctx ctx;
	struct bgp_upd_builder b;
	struct bgp_update u;
	struct rib_attrs a;
	struct prefix p6, p4;
	struct wbuf w;

	vec_ctx(0, &ctx);
	full_attrs(&a, BGP_AF_IPV4);
	pfx("fd00::/8", &p6);
	pfx("10.0.0.0/8", &p4);
	wbuf_init(&w, buf, sizeof(buf));
	bgp_upd_begin_reach(&b, &w, &ctx, BGP_AF_IPV4, &a, NULL);
	ck_assert_int_eq(bgp_upd_add(&b, &p6, 0), -1);	/* wrong family */
	ck_assert_uint_eq(b.count, 0);
	/* 4400 octets of communities never fit 4096 ... */
	for (size_t i = 0; i < NITEMS(many); i++)
		many[i] = (uint32_t)i;
	a.communities = many;
	a.ncommunities = NITEMS(many);
	wbuf_init(&w, buf, sizeof(buf));
	bgp_upd_begin_reach(&b, &w, &ctx, BGP_AF_IPV4, &a, NULL);
	ck_assert_int_eq(bgp_upd_add(&b, &p4, 0), -1);
	ck_assert_int_eq(bgp_upd_finish(&b), -1);
	/* ... but do with RFC 8654 extended messages */
	vec_ctx(VEC_EXTMSG, &ctx);
	wbuf_init(&w, buf, sizeof(buf));
	bgp_upd_begin_reach(&b, &w, &ctx, BGP_AF_IPV4, &a, NULL);
	ck_assert_int_eq(bgp_upd_add(&b, &p4, 0), 0);
	ck_assert_int_eq(bgp_upd_finish(&b), 0);
	ck_assert_uint_gt(w.len, BGP_MAX_MSG);
	decode_built(&w, &ctx, &u);
	ck_assert_uint_eq(u.communities.len, 4 * NITEMS(many));
	/* an IPv4 announcement needs an IPv4 next hop */
	full_attrs(&a, BGP_AF_IPV6);
	wbuf_init(&w, buf, sizeof(buf));
	bgp_upd_begin_reach(&b, &w, &ctx, BGP_AF_IPV4, &a, NULL);
	ck_assert_int_eq(bgp_upd_finish(&b), -1);
}
END_TEST

static void
decode_named(const char *name, struct bgp_update *u, struct rib_attrs *a)
{
	const struct bgp_vec *v = NULL;
	struct bgp_codec_ctx ctx;
	struct bgp_err err;
	struct rbuf r;

	for (size_t i = 0; i < NITEMS(update_vecs); i++)
		if (strcmp(update_vecs[i].name, name) == 0)
			v = &update_vecs[i];
	for (size_t i = 0; i < NITEMS(attr_vecs); i++)
		if (strcmp(attr_vecs[i].name, name) == 0)
			v = &attr_vecs[i];
	ck_assert_msg(v != NULL, "%s", name);
	vec_ctx(v->ctx, &ctx);
	rbuf_init(&r, v->bytes, v->len);
	ck_assert_int_eq(bgp_update_decode(&r, &ctx, u, &err), 0);
	ck_assert_int_eq(bgp_update_attrs(u, &ctx, a, scratch2,
	    sizeof(scratch2), &err), 0);
}

START_TEST(t_decoded_values)
{
	struct bgp_update u;
	struct rib_attrs a;
	struct bgp_err err;
	struct prefix p, q;
	uint32_t id;
	char s[ADDR_STRLEN];

	decode_named("eBGP announcement with MED and communities", &u, &a);
	ck_assert(a.has_med && a.med == 10 && !a.has_local_pref);
	ck_assert(a.ncommunities == 2 && a.communities[0] == 0xfde80001 &&
	    a.communities[1] == 0xfde80002);
	CHECK_PATH(&a, 2, 1, 0, 0, 0xfc, 0x00);
	ck_assert_str_eq(addr_fmt(&a.nexthop, s, sizeof(s)), "198.18.0.2");
	decode_named("ipv6 MP_REACH with a link-local next hop", &u, &a);
	ck_assert_str_eq(addr_fmt(&a.nexthop, s, sizeof(s)), "2001:db8::2");
	ck_assert_str_eq(addr_fmt(&a.nexthop_ll, s, sizeof(s)), "fe80::2");
	ck_assert(a.has_local_pref && a.local_pref == 100);
	decode_named("host bits set in an NLRI prefix", &u, &a);
	ck_assert_int_eq(bgp_nlri_next(&u.nlri, AF_INET, false, &p, &id,
	    &err), 1);
	pfx("10.0.0.0/23", &q);
	ck_assert(prefix_eq(&p, &q));
	decode_named("add-path ipv4 announcement", &u, &a);
	ck_assert_int_eq(bgp_nlri_next(&u.nlri, AF_INET, true, &p, &id,
	    &err), 1);
	ck_assert_uint_eq(id, 1);
	decode_named("unknown optional transitive attribute kept", &u, &a);
	ck_assert(u.nunknown == 1 && u.unknown[0].code == 33);
	ck_assert(a.unknown_len == 15 && a.unknown[0] == 0xe0);
	decode_named("LARGE_COMMUNITIES, two values (RFC 8092)", &u, &a);
	ck_assert(u.nunknown == 0 && a.unknown_len == 0 && a.nlarge == 2);
	ck_assert(a.large[0] == 65000 && a.large[1] == 1 && a.large[2] == 2 &&
	    a.large[3] == 4200000000u && a.large[4] == 0 &&
	    a.large[5] == 0xffffffffu);
	decode_named("LARGE_COMMUNITIES, a value repeated (RFC 8092 6: not "
	    "an error)", &u, &a);
	ck_assert(a.nlarge == 2 && a.large[3] == 65000 && a.large[5] == 2);
	decode_named("unknown optional non-transitive attribute dropped", &u,
	    &a);
	ck_assert(u.nunknown == 0 && a.unknown_len == 0);
	decode_named("duplicate ORIGIN (3 (g))", &u, &a);
	ck_assert_uint_eq(a.origin, BGP_ORIGIN_IGP);
	decode_named("LOCAL_PREF from an external peer (7.5)", &u, &a);
	ck_assert(!a.has_local_pref);
}
END_TEST

START_TEST(t_nlri_iter)
{
	static const uint8_t zero[] = { 0 };
	static const uint8_t bad[] = { 33, 1, 2, 3, 4, 5 };
	uint8_t buf[64];
	struct bgp_err err;
	struct prefix p, q;
	struct wbuf w;
	struct rbuf r;
	uint32_t id;

	rbuf_init(&r, zero, sizeof(zero));
	ck_assert_int_eq(bgp_nlri_next(&r, AF_INET, false, &p, &id, &err), 1);
	pfx("0.0.0.0/0", &q);
	ck_assert(prefix_eq(&p, &q));
	ck_assert_int_eq(bgp_nlri_next(&r, AF_INET, false, &p, &id, &err), 0);
	pfx("2001:db8::1/128", &q);
	wbuf_init(&w, buf, sizeof(buf));
	bgp_nlri_encode(&w, &q, true, 0xdeadbeef);
	ck_assert_uint_eq(w.len, 4 + 1 + 16);
	rbuf_init(&r, buf, w.len);
	ck_assert_int_eq(bgp_nlri_next(&r, AF_INET6, true, &p, &id, &err), 1);
	ck_assert(prefix_eq(&p, &q) && id == 0xdeadbeef);
	rbuf_init(&r, bad, sizeof(bad));
	ck_assert_int_eq(bgp_nlri_next(&r, AF_INET, false, &p, &id, &err),
	    -1);
	ck_assert(err.code == BGP_ERR_UPDATE &&
	    err.subcode == BGP_ERR_UPD_NETWORK && err.action == BGP_ERR_RESET);
}
END_TEST

static void
add_more_tests(TCase *tc)
{
	tcase_add_loop_test(tc, t_packing, 0, (int)NITEMS(pack_cases));
	tcase_add_test(tc, t_as4_merge);
	tcase_add_test(tc, t_as4_aggregator);
	tcase_add_test(tc, t_as4_confed);
	tcase_add_test(tc, t_as2_encode);
	tcase_add_test(tc, t_eor);
	tcase_add_test(tc, t_unknown_max);
	tcase_add_test(tc, t_builder_limits);
	tcase_add_test(tc, t_decoded_values);
	tcase_add_test(tc, t_nlri_iter);
}

int
main(void)
{
	Suite *s = suite_create("update");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, t_update_vec, 0, (int)NITEMS(update_vecs));
	tcase_add_loop_test(tc, t_attr_vec, 0, (int)NITEMS(attr_vecs));
	tcase_add_loop_test(tc, t_update_trunc, 0, (int)NITEMS(update_vecs));
	tcase_add_loop_test(tc, t_desc_roundtrip, 0, (int)bgp_attr_ndescs);
	tcase_add_loop_test(tc, t_desc_malformed, 0, (int)bgp_attr_ndescs);
	tcase_add_test(tc, t_update_bytes_roundtrip);
	add_more_tests(tc);
	suite_add_tcase(s, tc);
	return check_run(s);
}
