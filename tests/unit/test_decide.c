/*
 * test_decide.c: the best-path comparison (rib/decide.c), one test per
 * tie-break rule asserting the winner and the reason in both argument
 * orders (GoBGP destination_test), plus the MED corner cases, RFC 4456
 * ORIGINATOR_ID and CLUSTER_LIST, and the AS_PATH readers.
 */
#include <arpa/inet.h>
#include <check.h>

#include "check_run.h"
#include <stdlib.h>
#include <string.h>

#include "rib.h"

static struct rib *rib;
static struct rib_src ibgp1, ibgp2, ebgp1, ebgp2, local;

static void
src_init(struct rib_src *s, const char *name, enum rib_src_kind kind,
    bool ebgp, uint32_t as, uint32_t rid, const char *addr)
{
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->kind = kind;
	s->ebgp = ebgp;
	s->as = as;
	s->router_id = rid;
	ck_assert_int_eq(addr_parse(addr, &s->addr), 0);
}

static void
setup(void)
{
	rib = rib_new();
	src_init(&ibgp1, "i1", RIB_SRC_BGP, false, 64512, 0x0a000001,
	    "198.18.0.1");
	src_init(&ibgp2, "i2", RIB_SRC_BGP, false, 64512, 0x0a000002,
	    "198.18.0.2");
	src_init(&ebgp1, "e1", RIB_SRC_BGP, true, 65001, 0x0a000003,
	    "198.18.0.3");
	src_init(&ebgp2, "e2", RIB_SRC_BGP, true, 65002, 0x0a000004,
	    "198.18.0.4");
	src_init(&local, "local", RIB_SRC_LOCAL, false, 64512, 0x0a000009,
	    "198.18.0.9");
}

static void
teardown(void)
{
	rib_free(rib);
	rib = NULL;
}

/* Append an AS_PATH segment with 4-octet ASNs; returns the new length. */
static uint16_t
seg(uint8_t *buf, uint16_t len, uint8_t type, const uint32_t *as, uint8_t n)
{
	buf[len++] = type;
	buf[len++] = n;
	for (uint8_t i = 0; i < n; i++) {
		buf[len++] = (uint8_t)(as[i] >> 24);
		buf[len++] = (uint8_t)(as[i] >> 16);
		buf[len++] = (uint8_t)(as[i] >> 8);
		buf[len++] = (uint8_t)as[i];
	}
	return len;
}

static void
tmpl_init(struct rib_attrs *t)
{
	memset(t, 0, sizeof(*t));
	addr_set_v4(&t->nexthop, 0xc6120001);
}

static struct rib_path
mkpath(struct rib_src *src, const struct rib_attrs *t, uint32_t path_id)
{
	struct rib_path p = { .src = src, .path_id = path_id };

	p.attrs = rib_attrs_intern(rib, t);
	return p;
}

/* w beats l for reason want, in both argument orders. */
static void
check_win(const struct rib_path *w, const struct rib_path *l,
    enum rib_reason want)
{
	enum rib_reason why = RIB_REASON_ONLY_PATH;

	ck_assert_int_lt(rib_path_cmp(w, l, &why), 0);
	ck_assert_str_eq(rib_reason_name(why), rib_reason_name(want));
	why = RIB_REASON_ONLY_PATH;
	ck_assert_int_gt(rib_path_cmp(l, w, &why), 0);
	ck_assert_str_eq(rib_reason_name(why), rib_reason_name(want));
}

START_TEST(t_local)
{
	struct rib_attrs t;
	struct rib_path a, b;

	tmpl_init(&t);
	a = mkpath(&local, &t, 0);
	t.has_local_pref = true;
	t.local_pref = 1000;
	b = mkpath(&ibgp1, &t, 0);
	check_win(&a, &b, RIB_REASON_LOCAL);
}
END_TEST

START_TEST(t_local_pref)
{
	struct rib_attrs t;
	struct rib_path a, b, c, d;

	tmpl_init(&t);
	t.has_local_pref = true;
	t.local_pref = 200;
	a = mkpath(&ibgp2, &t, 0);
	t.local_pref = 150;
	b = mkpath(&ibgp1, &t, 0);
	check_win(&a, &b, RIB_REASON_LOCAL_PREF);

	/* a missing LOCAL_PREF is 100 */
	t.has_local_pref = false;
	c = mkpath(&ibgp1, &t, 0);
	check_win(&b, &c, RIB_REASON_LOCAL_PREF);
	t.has_local_pref = true;
	t.local_pref = 50;
	d = mkpath(&ibgp1, &t, 0);
	check_win(&c, &d, RIB_REASON_LOCAL_PREF);
}
END_TEST

START_TEST(t_local_pref_ebgp)
{
	struct rib_attrs t;
	struct rib_path a, b;

	/* LOCAL_PREF from an eBGP peer counts as 100 (RFC 4271 5.1.5) */
	tmpl_init(&t);
	t.has_local_pref = true;
	t.local_pref = 500;
	b = mkpath(&ebgp1, &t, 0);
	t.local_pref = 101;
	a = mkpath(&ibgp2, &t, 0);
	check_win(&a, &b, RIB_REASON_LOCAL_PREF);
}
END_TEST

START_TEST(t_as_path)
{
	uint8_t p1[64], p2[64];
	uint32_t as[] = { 65001, 65002, 65003, 65004 };
	struct rib_attrs t;
	struct rib_path a, b;

	/* SEQ(65001) SET(65002 65003 65004) = 2 against SEQ(3 ASes) = 3 */
	tmpl_init(&t);
	t.aspath = p1;
	t.aspath_len = seg(p1, 0, 2, as, 1);
	t.aspath_len = seg(p1, t.aspath_len, 1, as + 1, 3);
	a = mkpath(&ibgp2, &t, 0);
	t.aspath = p2;
	t.aspath_len = seg(p2, 0, 2, as, 3);
	b = mkpath(&ibgp1, &t, 0);
	ck_assert_uint_eq(rib_aspath_count(a.attrs), 2);
	ck_assert_uint_eq(rib_aspath_count(b.attrs), 3);
	check_win(&a, &b, RIB_REASON_AS_PATH);
}
END_TEST

START_TEST(t_origin)
{
	struct rib_attrs t;
	struct rib_path a, b;

	tmpl_init(&t);
	t.origin = 0;	/* IGP */
	a = mkpath(&ibgp2, &t, 0);
	t.origin = 2;	/* INCOMPLETE */
	b = mkpath(&ibgp1, &t, 0);
	check_win(&a, &b, RIB_REASON_ORIGIN);
}
END_TEST

START_TEST(t_med)
{
	uint8_t p[16];
	uint32_t as = 65001;
	struct rib_attrs t;
	struct rib_path a, b;

	tmpl_init(&t);
	t.aspath = p;
	t.aspath_len = seg(p, 0, 2, &as, 1);
	t.has_med = true;
	t.med = 5;
	a = mkpath(&ibgp2, &t, 0);
	t.med = 10;
	b = mkpath(&ibgp1, &t, 0);
	check_win(&a, &b, RIB_REASON_MED);
}
END_TEST

START_TEST(t_med_other_neighbour_as)
{
	uint8_t p1[16], p2[16];
	uint32_t as1 = 65001, as2 = 65002;
	struct rib_attrs t;
	struct rib_path a, b;

	/* better MED, but from another neighbour AS: router id decides */
	tmpl_init(&t);
	t.has_med = true;
	t.aspath = p1;
	t.aspath_len = seg(p1, 0, 2, &as1, 1);
	t.med = 1;
	b = mkpath(&ibgp2, &t, 0);
	t.aspath = p2;
	t.aspath_len = seg(p2, 0, 2, &as2, 1);
	t.med = 100;
	a = mkpath(&ibgp1, &t, 0);
	check_win(&a, &b, RIB_REASON_ROUTER_ID);
}
END_TEST

START_TEST(t_med_missing)
{
	uint8_t p[16];
	uint32_t as = 65001;
	struct rib_attrs t;
	struct rib_path a, b;

	/* RFC 4271 9.1.2.2 c): no MED is the lowest possible MED */
	tmpl_init(&t);
	t.aspath = p;
	t.aspath_len = seg(p, 0, 2, &as, 1);
	a = mkpath(&ibgp2, &t, 0);
	t.has_med = true;
	t.med = 1;
	b = mkpath(&ibgp1, &t, 0);
	check_win(&a, &b, RIB_REASON_MED);
}
END_TEST

START_TEST(t_ebgp)
{
	struct rib_attrs t;
	struct rib_path a, b;

	tmpl_init(&t);
	a = mkpath(&ebgp2, &t, 0);
	b = mkpath(&ibgp1, &t, 0);
	check_win(&a, &b, RIB_REASON_EBGP);
}
END_TEST

START_TEST(t_router_id)
{
	struct rib_attrs t;
	struct rib_path a, b;

	tmpl_init(&t);
	a = mkpath(&ibgp1, &t, 0);
	b = mkpath(&ibgp2, &t, 0);
	check_win(&a, &b, RIB_REASON_ROUTER_ID);
}
END_TEST

START_TEST(t_originator_id)
{
	struct rib_attrs t;
	struct rib_path a, b;

	/* RFC 4456 9: ORIGINATOR_ID stands in for the router id */
	tmpl_init(&t);
	t.has_originator_id = true;
	t.originator_id = 0x01010101;
	a = mkpath(&ibgp2, &t, 0);
	t.originator_id = 0x0a000000;
	b = mkpath(&ibgp1, &t, 0);
	check_win(&a, &b, RIB_REASON_ROUTER_ID);
}
END_TEST

START_TEST(t_cluster_list)
{
	uint32_t cl[] = { 1, 2 };
	struct rib_attrs t;
	struct rib_path a, b;

	tmpl_init(&t);
	t.has_originator_id = true;
	t.originator_id = 0x0a000005;
	t.cluster_list = cl;
	t.ncluster = 1;
	a = mkpath(&ibgp2, &t, 0);
	t.ncluster = 2;
	b = mkpath(&ibgp1, &t, 0);
	check_win(&a, &b, RIB_REASON_CLUSTER_LIST);
}
END_TEST

START_TEST(t_peer_addr)
{
	struct rib_attrs t;
	struct rib_path a, b;

	tmpl_init(&t);
	ibgp2.router_id = ibgp1.router_id;
	a = mkpath(&ibgp1, &t, 0);
	b = mkpath(&ibgp2, &t, 0);
	check_win(&a, &b, RIB_REASON_PEER_ADDR);
}
END_TEST

START_TEST(t_path_id)
{
	struct rib_attrs t;
	struct rib_path a, b;
	enum rib_reason why;

	tmpl_init(&t);
	a = mkpath(&ibgp1, &t, 1);
	b = mkpath(&ibgp1, &t, 2);
	check_win(&a, &b, RIB_REASON_PATH_ID);
	ck_assert_int_eq(rib_path_cmp(&a, &a, &why), 0);
}
END_TEST

START_TEST(t_order_of_rules)
{
	uint8_t p[16];
	uint32_t as[] = { 65001, 65002 };
	struct rib_attrs t;
	struct rib_path a, b;

	/* local pref is looked at before a longer AS_PATH */
	tmpl_init(&t);
	t.has_local_pref = true;
	t.local_pref = 200;
	t.aspath = p;
	t.aspath_len = seg(p, 0, 2, as, 2);
	a = mkpath(&ibgp2, &t, 0);
	t.local_pref = 100;
	t.aspath_len = 0;
	b = mkpath(&ibgp1, &t, 0);
	check_win(&a, &b, RIB_REASON_LOCAL_PREF);
}
END_TEST

START_TEST(t_aspath_readers)
{
	uint8_t p[64];
	uint32_t as[] = { 64999, 65001, 65002 };
	struct rib_attrs t;
	uint16_t len;

	tmpl_init(&t);
	t.aspath = p;
	ck_assert_uint_eq(rib_aspath_count(&t), 0);
	ck_assert_uint_eq(rib_aspath_first(&t), 0);
	/* CONFED_SEQ(64999) SEQ(65001 65002): count 2, first 65001 */
	len = seg(p, 0, 3, as, 1);
	len = seg(p, len, 2, as + 1, 2);
	t.aspath_len = len;
	ck_assert_uint_eq(rib_aspath_count(&t), 2);
	ck_assert_uint_eq(rib_aspath_first(&t), 65001);
	/* truncated second segment: only the first is counted */
	t.aspath_len = (uint16_t)(len - 1);
	ck_assert_uint_eq(rib_aspath_count(&t), 0);
	ck_assert_uint_eq(rib_aspath_first(&t), 0);
	/* starting with an AS_SET: no neighbour AS */
	len = seg(p, 0, 1, as, 2);
	t.aspath_len = len;
	ck_assert_uint_eq(rib_aspath_count(&t), 1);
	ck_assert_uint_eq(rib_aspath_first(&t), 0);
	/* unknown segment type stops the count */
	len = seg(p, 0, 2, as, 2);
	len = seg(p, len, 9, as, 1);
	len = seg(p, len, 2, as, 1);
	t.aspath_len = len;
	ck_assert_uint_eq(rib_aspath_count(&t), 2);
	ck_assert_uint_eq(rib_aspath_first(&t), 64999);
	/* a lone byte */
	t.aspath_len = 1;
	ck_assert_uint_eq(rib_aspath_count(&t), 0);
}
END_TEST

START_TEST(t_reason_names)
{
	for (int i = RIB_REASON_ONLY_PATH; i <= RIB_REASON_PATH_ID; i++) {
		const char *n = rib_reason_name((enum rib_reason)i);
		enum rib_reason j;

		ck_assert_str_ne(n, "unknown");
		for (j = RIB_REASON_ONLY_PATH; (int)j < i; j++)
			ck_assert_str_ne(n, rib_reason_name(j));
	}
}
END_TEST

START_TEST(t_reason_closest_contender)
{
	struct rib_attrs t;
	const struct rib_attrs *hi, *lo;
	const struct rib_entry *e;
	struct rib_src i3, i4;
	struct prefix pfx;

	/* best i3 beats i2 on local pref and i4 on router id: router id */
	src_init(&i3, "i3", RIB_SRC_BGP, false, 64512, 0x0a000003,
	    "198.18.0.3");
	src_init(&i4, "i4", RIB_SRC_BGP, false, 64512, 0x0a000004,
	    "198.18.0.4");
	ck_assert_int_eq(prefix_parse("10.0.0.0/24", &pfx), 0);
	tmpl_init(&t);
	t.has_local_pref = true;
	t.local_pref = 100;
	hi = rib_attrs_intern(rib, &t);
	t.local_pref = 50;
	lo = rib_attrs_intern(rib, &t);
	ck_assert_int_eq(rib_update(rib, &ibgp2, &pfx, 0, lo), 0);
	ck_assert_int_eq(rib_update(rib, &i4, &pfx, 0, hi), 0);
	ck_assert_int_eq(rib_update(rib, &i3, &pfx, 0, hi), 0);
	e = rib_lookup(rib, &pfx);
	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_eq(rib_entry_best(e)->src, &i3);
	ck_assert_int_eq(rib_entry_reason(e), RIB_REASON_ROUTER_ID);
	ck_assert(rib_withdraw(rib, &i4, &pfx, 0));
	ck_assert_ptr_eq(rib_entry_best(e)->src, &i3);
	ck_assert_int_eq(rib_entry_reason(e), RIB_REASON_LOCAL_PREF);
	rib_attrs_unref(rib, hi);
	rib_attrs_unref(rib, lo);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("decide");
	TCase *tc = tcase_create("rules");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, t_local);
	tcase_add_test(tc, t_local_pref);
	tcase_add_test(tc, t_local_pref_ebgp);
	tcase_add_test(tc, t_as_path);
	tcase_add_test(tc, t_origin);
	tcase_add_test(tc, t_med);
	tcase_add_test(tc, t_med_other_neighbour_as);
	tcase_add_test(tc, t_med_missing);
	tcase_add_test(tc, t_ebgp);
	tcase_add_test(tc, t_router_id);
	tcase_add_test(tc, t_originator_id);
	tcase_add_test(tc, t_cluster_list);
	tcase_add_test(tc, t_peer_addr);
	tcase_add_test(tc, t_path_id);
	tcase_add_test(tc, t_order_of_rules);
	tcase_add_test(tc, t_aspath_readers);
	tcase_add_test(tc, t_reason_names);
	tcase_add_test(tc, t_reason_closest_contender);
	suite_add_tcase(s, tc);
	return check_run(s);
}
