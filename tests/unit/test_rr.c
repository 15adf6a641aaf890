/*
 * test_rr.c: route reflection (bgpd/rr.c, RFC 4456) row by row: which
 * iBGP paths a reflector passes on to whom (section 6), the attributes a
 * reflected path carries (section 8: ORIGINATOR_ID, CLUSTER_LIST; next
 * hop, LOCAL_PREF and MED untouched), the loops refused, and what an eBGP
 * peer must never see.
 */
#include <check.h>

#include "check_run.h"
#include <string.h>

#include "rr.h"

#define CLUSTER	0xe0000001u	/* 224.0.0.1 */
#define OUR_ID	0xc6120001u	/* 198.18.0.1 */
#define SRC_ID	0xc6120002u

/* RFC 4456 6: (cluster ID, from a client, to a client) -> reflected */
static const struct {
	uint32_t	cluster;
	bool		from_client, to_client, ok;
} reflect_rows[] = {
	{ 0, false, false, false },	/* no reflector: RFC 4271 9.2 */
	{ 0, true, true, false },
	{ 0, true, false, false },
	{ 0, false, true, false },
	{ CLUSTER, true, true, true },	/* client to client */
	{ CLUSTER, true, false, true },	/* client to non-client */
	{ CLUSTER, false, true, true },	/* non-client to client */
	{ CLUSTER, false, false, false },	/* non-client to non-client */
};

START_TEST(t_reflect_ok)
{
	ck_assert(bgp_rr_reflect_ok(reflect_rows[_i].cluster,
	    reflect_rows[_i].from_client, reflect_rows[_i].to_client) ==
	    reflect_rows[_i].ok);
}
END_TEST

static void
attrs_init(struct rib_attrs *a)
{
	memset(a, 0, sizeof(*a));
	ck_assert_int_eq(addr_parse("198.18.0.7", &a->nexthop), 0);
	a->has_local_pref = true;
	a->local_pref = 200;
	a->has_med = true;
	a->med = 7;
}

START_TEST(t_reflect_attrs_first)
{
	struct rib_attrs in, out;
	uint32_t buf[BGP_RR_MAX_CLUSTER];
	struct addr nh;

	attrs_init(&in);
	ck_assert_int_eq(bgp_rr_reflect_attrs(&out, &in, SRC_ID, CLUSTER, buf,
	    BGP_RR_MAX_CLUSTER), 0);
	/* the first reflector names the path's originator */
	ck_assert(out.has_originator_id);
	ck_assert_uint_eq(out.originator_id, SRC_ID);
	ck_assert_uint_eq(out.ncluster, 1);
	ck_assert_uint_eq(out.cluster_list[0], CLUSTER);
	/* next hop, LOCAL_PREF and MED as they came */
	ck_assert_int_eq(addr_parse("198.18.0.7", &nh), 0);
	ck_assert(addr_eq(&out.nexthop, &nh));
	ck_assert(out.has_local_pref && out.local_pref == 200);
	ck_assert(out.has_med && out.med == 7);
	/* the input is not touched */
	ck_assert(!in.has_originator_id && in.ncluster == 0);
}
END_TEST

START_TEST(t_reflect_attrs_again)
{
	struct rib_attrs in, out;
	uint32_t list[] = { 0x0a000001, 0x0a000002 };
	uint32_t buf[BGP_RR_MAX_CLUSTER];

	attrs_init(&in);
	in.has_originator_id = true;
	in.originator_id = 0x01020304;
	in.cluster_list = list;
	in.ncluster = 2;
	ck_assert_int_eq(bgp_rr_reflect_attrs(&out, &in, SRC_ID, CLUSTER, buf,
	    BGP_RR_MAX_CLUSTER), 0);
	/* ORIGINATOR_ID kept, our cluster prepended (RFC 4456 8) */
	ck_assert_uint_eq(out.originator_id, 0x01020304);
	ck_assert_uint_eq(out.ncluster, 3);
	ck_assert_uint_eq(out.cluster_list[0], CLUSTER);
	ck_assert_uint_eq(out.cluster_list[1], 0x0a000001);
	ck_assert_uint_eq(out.cluster_list[2], 0x0a000002);
}
END_TEST

START_TEST(t_reflect_attrs_too_long)
{
	static uint32_t list[BGP_RR_MAX_CLUSTER];
	struct rib_attrs in, out;
	uint32_t buf[BGP_RR_MAX_CLUSTER];

	attrs_init(&in);
	in.cluster_list = list;
	in.ncluster = BGP_RR_MAX_CLUSTER - 1;
	ck_assert_int_eq(bgp_rr_reflect_attrs(&out, &in, SRC_ID, CLUSTER, buf,
	    BGP_RR_MAX_CLUSTER), 0);
	in.ncluster = BGP_RR_MAX_CLUSTER;
	ck_assert_int_eq(bgp_rr_reflect_attrs(&out, &in, SRC_ID, CLUSTER, buf,
	    BGP_RR_MAX_CLUSTER), -1);
	in.ncluster = 3;
	ck_assert_int_eq(bgp_rr_reflect_attrs(&out, &in, SRC_ID, CLUSTER, buf,
	    3), -1);
}
END_TEST

START_TEST(t_loops)
{
	struct rib_attrs a;
	uint32_t list[] = { 0x0a000001, CLUSTER };

	attrs_init(&a);
	ck_assert_int_eq(bgp_rr_loop(&a, OUR_ID, CLUSTER), BGP_RR_NO_LOOP);
	a.has_originator_id = true;
	a.originator_id = SRC_ID;
	ck_assert_int_eq(bgp_rr_loop(&a, OUR_ID, CLUSTER), BGP_RR_NO_LOOP);
	/* our own route came back through a reflector: client side too */
	a.originator_id = OUR_ID;
	ck_assert_int_eq(bgp_rr_loop(&a, OUR_ID, 0), BGP_RR_LOOP_ORIGINATOR);
	a.originator_id = SRC_ID;
	a.cluster_list = list;
	a.ncluster = 2;
	ck_assert_int_eq(bgp_rr_loop(&a, OUR_ID, CLUSTER), BGP_RR_LOOP_CLUSTER);
	/* a client (no cluster ID) does not look at CLUSTER_LIST */
	ck_assert_int_eq(bgp_rr_loop(&a, OUR_ID, 0), BGP_RR_NO_LOOP);
	ck_assert_int_eq(bgp_rr_loop(&a, OUR_ID, 0x0a000003), BGP_RR_NO_LOOP);
	ck_assert_str_eq(bgp_rr_loop_name(BGP_RR_LOOP_CLUSTER),
	    "CLUSTER_LIST holds our cluster ID");
}
END_TEST

START_TEST(t_strip)
{
	struct rib_attrs a;
	uint32_t list[] = { CLUSTER };

	attrs_init(&a);
	a.has_originator_id = true;
	a.originator_id = SRC_ID;
	a.cluster_list = list;
	a.ncluster = 1;
	bgp_rr_strip(&a);
	ck_assert(!a.has_originator_id && a.ncluster == 0 &&
	    a.cluster_list == NULL);
	ck_assert(a.has_local_pref && a.local_pref == 200);
}
END_TEST

static Suite *
rr_suite(void)
{
	Suite *s = suite_create("rr");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, t_reflect_ok, 0,
	    (int)(sizeof(reflect_rows) / sizeof(reflect_rows[0])));
	tcase_add_test(tc, t_reflect_attrs_first);
	tcase_add_test(tc, t_reflect_attrs_again);
	tcase_add_test(tc, t_reflect_attrs_too_long);
	tcase_add_test(tc, t_loops);
	tcase_add_test(tc, t_strip);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_run(rr_suite());
}
