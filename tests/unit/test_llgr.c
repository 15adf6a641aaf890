/*
 * test_llgr.c: RFC 9494 long-lived graceful restart (issue 15). The LLGR
 * capability codec (bgpd/capa.c: a 7-octet tuple per AFI/SAFI, the F bit,
 * the 24-bit stale time, bad lengths refused as a malformed OPEN, unknown
 * families skipped), and the rib side (rib/rib.c rib_llgr_stale,
 * rib/decide.c): NO_LLGR paths dropped, the others tagged LLGR_STALE and
 * least preferred, swept later like any stale path.
 */
#include <check.h>

#include "check_run.h"
#include <string.h>

#include <event2/event.h>

#include "msg.h"
#include "proto.h"
#include "rib.h"
#include "timer.h"

/* ---- the capability codec ---- */

/*
 * An OPEN body (version 4, AS 64512, hold 90, id 198.18.0.2) with one
 * capabilities parameter holding capability code 71 with value v[0..n).
 */
static size_t
open_with_llgr(const uint8_t *v, uint8_t n, uint8_t *buf)
{
	static const uint8_t head[] = { 4, 0xfc, 0x00, 0, 90,
	    198, 18, 0, 2 };
	size_t len = 0;

	memcpy(buf, head, sizeof(head));
	len = sizeof(head);
	buf[len++] = (uint8_t)(n + 4);		/* optional parameters length */
	buf[len++] = BGP_OPT_CAPABILITIES;
	buf[len++] = (uint8_t)(n + 2);
	buf[len++] = BGP_CAP_LLGR;
	buf[len++] = n;
	if (n > 0)	/* v is NULL for the empty capability */
		memcpy(buf + len, v, n);
	return len + n;
}

static int
decode(const uint8_t *v, uint8_t n, struct bgp_open *o, struct bgp_err *err)
{
	uint8_t buf[300];
	struct rbuf r;

	memset(err, 0, sizeof(*err));
	rbuf_init(&r, buf, open_with_llgr(v, n, buf));
	return bgp_open_decode(&r, o, err);
}

START_TEST(t_llgr_decode)
{
	/* IPv4 unicast, F set, 0x123456 s; IPv6 unicast, F clear, 1 s */
	static const uint8_t v[] = {
		0, 1, 1, 0x80, 0x12, 0x34, 0x56,
		0, 2, 1, 0x00, 0x00, 0x00, 0x01,
	};
	struct bgp_open o;
	struct bgp_err err;

	ck_assert_int_eq(decode(v, sizeof(v), &o, &err), 0);
	ck_assert(o.caps.llgr);
	ck_assert(o.caps.llgr_af[BGP_AF_IPV4] && o.caps.llgr_fwd[BGP_AF_IPV4]);
	ck_assert_uint_eq(o.caps.llgr_time[BGP_AF_IPV4], 0x123456);
	ck_assert(o.caps.llgr_af[BGP_AF_IPV6] &&
	    !o.caps.llgr_fwd[BGP_AF_IPV6]);
	ck_assert_uint_eq(o.caps.llgr_time[BGP_AF_IPV6], 1);
}
END_TEST

/* the F bit is the top bit only; other flag bits mean nothing */
START_TEST(t_llgr_flags)
{
	static const uint8_t v[] = { 0, 1, 1, 0x7f, 0xff, 0xff, 0xff };
	struct bgp_open o;
	struct bgp_err err;

	ck_assert_int_eq(decode(v, sizeof(v), &o, &err), 0);
	ck_assert(o.caps.llgr_af[BGP_AF_IPV4] &&
	    !o.caps.llgr_fwd[BGP_AF_IPV4]);
	ck_assert_uint_eq(o.caps.llgr_time[BGP_AF_IPV4], 0xffffff);
}
END_TEST

/* BIRD's "aware" mode: the capability with no tuple */
START_TEST(t_llgr_aware)
{
	struct bgp_open o;
	struct bgp_err err;

	ck_assert_int_eq(decode(NULL, 0, &o, &err), 0);
	ck_assert(o.caps.llgr);
	ck_assert(!o.caps.llgr_af[BGP_AF_IPV4] && !o.caps.llgr_af[BGP_AF_IPV6]);
}
END_TEST

/* a family we do not do (IPv4 multicast, L2VPN) is skipped, not an error */
START_TEST(t_llgr_unknown_af)
{
	static const uint8_t v[] = {
		0, 1, 2, 0x80, 0, 0, 9,		/* IPv4 multicast */
		0, 25, 65, 0x80, 0, 0, 9,	/* L2VPN EVPN */
		0, 1, 1, 0x00, 0, 0x0e, 0x10,	/* IPv4 unicast, 3600 */
	};
	struct bgp_open o;
	struct bgp_err err;

	ck_assert_int_eq(decode(v, sizeof(v), &o, &err), 0);
	ck_assert(o.caps.llgr_af[BGP_AF_IPV4] &&
	    !o.caps.llgr_fwd[BGP_AF_IPV4]);
	ck_assert_uint_eq(o.caps.llgr_time[BGP_AF_IPV4], 3600);
	ck_assert(!o.caps.llgr_af[BGP_AF_IPV6]);
}
END_TEST

/* a length that is not a multiple of 7: OPEN error, subcode 0 (BIRD) */
START_TEST(t_llgr_bad_len)
{
	static const uint8_t v[14] = { 0, 1, 1, 0x80, 0, 0, 1,
	    0, 2, 1, 0x80, 0, 0, 1 };
	static const uint8_t lens[] = { 1, 4, 6, 8, 13 };
	struct bgp_open o;
	struct bgp_err err;

	for (size_t i = 0; i < sizeof(lens); i++) {
		ck_assert_msg(decode(v, lens[i], &o, &err) == -1,
		    "LLGR capability of %u octets decoded", lens[i]);
		ck_assert_uint_eq(err.code, BGP_ERR_OPEN);
		ck_assert_uint_eq(err.subcode, 0);
		ck_assert_str_eq(err.reason, "bad LLGR capability");
	}
}
END_TEST

/* a capability length running past its parameter is refused too */
START_TEST(t_llgr_overrun)
{
	uint8_t buf[64];
	static const uint8_t v[] = { 0, 1, 1, 0x80, 0, 0, 1 };
	struct bgp_open o;
	struct bgp_err err;
	struct rbuf r;
	size_t n = open_with_llgr(v, sizeof(v), buf);

	buf[13] = 14;		/* the capability claims 14 octets, has 7 */
	rbuf_init(&r, buf, n);
	ck_assert_int_eq(bgp_open_decode(&r, &o, &err), -1);
	ck_assert_uint_eq(err.code, BGP_ERR_OPEN);
}
END_TEST

/* encode -> exact bytes -> decode, 24 bits kept, a time beyond cut */
START_TEST(t_llgr_encode)
{
	static const uint8_t want[] = { BGP_CAP_LLGR, 7,
	    0, 2, 1, 0x80, 0xab, 0xcd, 0xef };
	struct bgp_caps c, d;
	struct bgp_err err;
	uint8_t buf[64];
	struct wbuf w;
	struct rbuf r;

	memset(&c, 0, sizeof(c));
	c.llgr = true;
	c.llgr_af[BGP_AF_IPV6] = c.llgr_fwd[BGP_AF_IPV6] = true;
	c.llgr_time[BGP_AF_IPV6] = 0x01abcdef;	/* beyond 24 bits: cut */
	wbuf_init(&w, buf, sizeof(buf));
	bgp_open_params_encode(&c, &w);
	ck_assert(!w.err);
	/* optlen, param type, param len, then the capability */
	ck_assert_uint_eq(w.len, 3 + sizeof(want));
	ck_assert_mem_eq(buf + 3, want, sizeof(want));
	rbuf_init(&r, buf, w.len);
	ck_assert_int_eq(bgp_open_params_decode(&r, &d, &err), 0);
	ck_assert(d.llgr && d.llgr_af[BGP_AF_IPV6] && d.llgr_fwd[BGP_AF_IPV6]);
	ck_assert(!d.llgr_af[BGP_AF_IPV4]);
	ck_assert_uint_eq(d.llgr_time[BGP_AF_IPV6], 0xabcdef);
	/* aware: an empty capability */
	memset(&c, 0, sizeof(c));
	c.llgr = true;
	wbuf_init(&w, buf, sizeof(buf));
	bgp_open_params_encode(&c, &w);
	ck_assert_uint_eq(w.len, 5);
	ck_assert_uint_eq(buf[3], BGP_CAP_LLGR);
	ck_assert_uint_eq(buf[4], 0);
}
END_TEST

/* ---- the rib: long-lived stale paths ---- */

static struct rib *rib;
static struct rib_src s1, s2;

static void
src_init(struct rib_src *s, const char *name, uint32_t rid, const char *a)
{
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->kind = RIB_SRC_BGP;
	s->as = 64512;
	s->router_id = rid;
	ck_assert_int_eq(addr_parse(a, &s->addr), 0);
}

static void
setup(void)
{
	rib = rib_new();
	src_init(&s1, "s1", 1, "198.18.0.1");
	src_init(&s2, "s2", 2, "198.18.0.2");
}

static void
teardown(void)
{
	rib_free(rib);
}

static struct prefix
P(const char *s)
{
	struct prefix p;

	ck_assert_int_eq(prefix_parse(s, &p), 0);
	return p;
}

/* interned: LOCAL_PREF lp, the given communities */
static const struct rib_attrs *
A(uint32_t lp, const uint32_t *comm, uint16_t ncomm)
{
	struct rib_attrs t;

	memset(&t, 0, sizeof(t));
	addr_set_v4(&t.nexthop, 0xc6120001);
	t.has_local_pref = true;
	t.local_pref = lp;
	t.communities = comm;
	t.ncommunities = ncomm;
	return rib_attrs_intern(rib, &t);
}

static bool
has_comm(const struct rib_attrs *a, uint32_t c)
{
	for (uint16_t i = 0; i < a->ncommunities; i++)
		if (a->communities[i] == c)
			return true;
	return false;
}

/* RFC 9494 4.3: LLGR_STALE loses to anything, before LOCAL_PREF */
START_TEST(t_decide_llgr_stale)
{
	static const uint32_t st[] = { 65000u << 16 | 1, RIB_COMM_LLGR_STALE };
	const struct rib_attrs *hi = A(500, st, 2), *lo = A(50, NULL, 0);
	struct rib_path a = { .src = &s1, .attrs = hi };
	struct rib_path b = { .src = &s2, .attrs = lo };
	enum rib_reason why;

	ck_assert(hi->llgr_stale && !lo->llgr_stale);
	ck_assert_int_gt(rib_path_cmp(&a, &b, &why), 0);
	ck_assert_int_eq(why, RIB_REASON_LLGR_STALE);
	ck_assert_int_lt(rib_path_cmp(&b, &a, &why), 0);
	ck_assert_str_eq(rib_reason_name(why), "llgr stale");
	/* both stale: the usual rules */
	b.attrs = A(50, st + 1, 1);
	ck_assert_int_lt(rib_path_cmp(&a, &b, &why), 0);
	ck_assert_int_eq(why, RIB_REASON_LOCAL_PREF);
	/* never mergable into one multipath with a fresh path */
	ck_assert(!rib_path_mergable(&b, &(struct rib_path){ .src = &s2,
	    .attrs = lo }));
	rib_attrs_unref(rib, hi);
	rib_attrs_unref(rib, lo);
	rib_attrs_unref(rib, b.attrs);
}
END_TEST

/*
 * s1 holds 10.0.0.0/24 (preferred: LOCAL_PREF 200) and 10.0.1.0/24 with
 * NO_LLGR, s2 10.0.0.0/24 at LOCAL_PREF 100. s1 goes down: stale, then
 * long-lived: its NO_LLGR path is gone, the other tagged, and s2's path
 * wins 10.0.0.0/24 despite its lower LOCAL_PREF. A refresh from s1 takes
 * the tag off (and wins again); the sweep removes what stayed stale.
 */
START_TEST(t_rib_llgr_stale)
{
	static const uint32_t nollgr[] = { RIB_COMM_NO_LLGR };
	const struct rib_attrs *a1 = A(200, NULL, 0), *a2 = A(100, NULL, 0);
	const struct rib_attrs *a3 = A(200, nollgr, 1);
	struct prefix p0 = P("10.0.0.0/24"), p1 = P("10.0.1.0/24");
	struct prefix p2 = P("10.0.2.0/24");
	const struct rib_entry *e;
	size_t dropped = 99;

	ck_assert_int_eq(rib_update(rib, &s1, &p0, 0, a1), 0);
	ck_assert_int_eq(rib_update(rib, &s1, &p1, 0, a3), 0);
	ck_assert_int_eq(rib_update(rib, &s1, &p2, 0, a1), 0);
	ck_assert_int_eq(rib_update(rib, &s2, &p0, 0, a2), 0);
	ck_assert_ptr_eq(rib_entry_best(rib_lookup(rib, &p0))->src, &s1);
	/* without stale paths nothing happens */
	ck_assert_uint_eq(rib_llgr_stale(rib, &s1, &dropped), 0);
	ck_assert_uint_eq(dropped, 0);
	ck_assert_uint_eq(rib_mark_stale(rib, &s1), 3);
	ck_assert_uint_eq(rib_llgr_stale(rib, &s1, &dropped), 2);
	ck_assert_uint_eq(dropped, 1);
	ck_assert_ptr_null(rib_lookup(rib, &p1));
	ck_assert_uint_eq(s1.npaths, 2);
	e = rib_lookup(rib, &p0);
	ck_assert_ptr_eq(rib_entry_best(e)->src, &s2);
	ck_assert_int_eq(rib_entry_reason(e), RIB_REASON_LLGR_STALE);
	for (const struct rib_path *p = rib_entry_paths(e); p; p = p->next) {
		if (p->src != &s1)
			continue;
		ck_assert(p->stale && p->attrs->llgr_stale);
		ck_assert(has_comm(p->attrs, RIB_COMM_LLGR_STALE));
		ck_assert_uint_eq(p->attrs->ncommunities, 1);
		ck_assert_uint_eq(p->attrs->local_pref, 200);
	}
	/* again: nothing tagged twice */
	ck_assert_uint_eq(rib_llgr_stale(rib, &s1, &dropped), 2);
	ck_assert_uint_eq(rib_entry_best(rib_lookup(rib, &p2))->attrs->
	    ncommunities, 1);
	/* the peer is back and announces p0 again: fresh, best again */
	ck_assert_int_eq(rib_update(rib, &s1, &p0, 0, a1), 0);
	e = rib_lookup(rib, &p0);
	ck_assert_ptr_eq(rib_entry_best(e)->src, &s1);
	ck_assert(!rib_entry_best(e)->stale);
	ck_assert(!rib_entry_best(e)->attrs->llgr_stale);
	/* End-of-RIB: p2 was not announced again */
	ck_assert_uint_eq(rib_sweep_stale(rib, &s1), 1);
	ck_assert_ptr_null(rib_lookup(rib, &p2));
	ck_assert_uint_eq(s1.npaths, 1);
	rib_attrs_unref(rib, a1);
	rib_attrs_unref(rib, a2);
	rib_attrs_unref(rib, a3);
}
END_TEST

/* a stale path alone on its prefix that carries NO_LLGR ends the prefix */
START_TEST(t_rib_llgr_drop_only)
{
	static const uint32_t nollgr[] = { 1, RIB_COMM_NO_LLGR, 2 };
	const struct rib_attrs *a = A(100, nollgr, 3);
	struct prefix p = P("2001:db8::/64");
	size_t dropped;

	ck_assert_int_eq(rib_update(rib, &s1, &p, 0, a), 0);
	ck_assert_uint_eq(rib_mark_stale(rib, &s1), 1);
	ck_assert_uint_eq(rib_llgr_stale(rib, &s1, &dropped), 0);
	ck_assert_uint_eq(dropped, 1);
	ck_assert_ptr_null(rib_lookup(rib, &p));
	ck_assert_uint_eq(rib_count_prefixes(rib), 0);
	ck_assert_uint_eq(s1.npaths, 0);
	rib_attrs_unref(rib, a);
}
END_TEST

/* The longest stale time (2^24 - 1 s, 194 days) arms the timer as long:
 * in ms it wrapped 32 bits (to 3892314 s, 45 days). */
START_TEST(t_llgr_timer_24bit)
{
	struct event_base *base = event_base_new();
	struct event *ev = evtimer_new(base, NULL, NULL);
	struct timeval now, when;

	ck_assert_ptr_nonnull(ev);
	event_base_gettimeofday_cached(base, &now);
	timer_arm(ev, 0xffffff, false);
	ck_assert(event_pending(ev, EV_TIMEOUT, &when));
	ck_assert_int_ge(when.tv_sec - now.tv_sec, 0xffffff - 1);
	ck_assert_int_le(when.tv_sec - now.tv_sec, 0xffffff + 1);
	event_free(ev);
	event_base_free(base);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("llgr");
	TCase *tc = tcase_create("capa");
	TCase *tr = tcase_create("rib");

	tcase_add_test(tc, t_llgr_decode);
	tcase_add_test(tc, t_llgr_flags);
	tcase_add_test(tc, t_llgr_aware);
	tcase_add_test(tc, t_llgr_unknown_af);
	tcase_add_test(tc, t_llgr_bad_len);
	tcase_add_test(tc, t_llgr_overrun);
	tcase_add_test(tc, t_llgr_encode);
	tcase_add_test(tc, t_llgr_timer_24bit);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tr, setup, teardown);
	tcase_add_test(tr, t_decide_llgr_stale);
	tcase_add_test(tr, t_rib_llgr_stale);
	tcase_add_test(tr, t_rib_llgr_drop_only);
	suite_add_tcase(s, tr);
	return check_run(s);
}
