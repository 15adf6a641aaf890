/*
 * test_fibwant.c: agent/fibwant.c alone, Calico's calico_kernel_programming
 * (bird_ipam.cfg.template) for every pool mode: which routes go in the
 * kernel and which next hops go via tunl0 onlink. tunl0's index is passed
 * in, so no kernel with ipip is needed.
 */
#include <check.h>

#include "check_run.h"
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "datastore.h"
#include "fibwant.h"
#include "krt.h"

#define TUNL0	7

/* the tunl0 lookup the caller passes: counts its calls (system calls in
 * ternd, which a route that wants no tunnel must not cost) */
static unsigned nlookups;
static uint32_t
tunl0_7(void)
{
	nlookups++;
	return TUNL0;
}
static uint32_t
tunl0_none(void)
{
	nlookups++;
	return 0;
}

static struct ds_pool
pool(const char *cidr, enum ds_ipip ipip, enum ds_vxlan vxlan)
{
	struct ds_pool p;

	memset(&p, 0, sizeof(p));
	ck_assert_int_eq(prefix_parse(cidr, &p.cidr), 0);
	p.ipip = ipip;
	p.vxlan = vxlan;
	return p;
}

/* this node: 10.0.0.1 in 10.0.0.0/24 (net NULL: subnet unknown) */
static struct ds_local
local(const char *net)
{
	struct ds_local l;

	memset(&l, 0, sizeof(l));
	ck_assert_int_eq(addr_parse("10.0.0.1", &l.ipv4), 0);
	if (net != NULL)
		ck_assert_int_eq(prefix_parse(net, &l.net4), 0);
	return l;
}

/* the hop for next hop nh: 1 via tunl0 onlink, 0 plain; gw is always nh */
static int
hop(const struct ds_pool *p, const struct ds_local *l, uint32_t tunl0,
    const char *nh)
{
	unsigned before = nlookups;
	struct krt_hop h;
	struct addr a;

	ck_assert_int_eq(addr_parse(nh, &a), 0);
	memset(&h, 0xa5, sizeof(h));
	fibwant_hop(p, l, tunl0 != 0 ? tunl0_7 : tunl0_none, &a, &h);
	ck_assert(addr_eq(&h.gw, &a));
	if (h.onlink) {
		ck_assert_uint_eq(h.oif, tunl0);
		ck_assert_uint_eq(nlookups, before + 1);
		return 1;
	}
	ck_assert_uint_eq(h.oif, 0);
	return 0;
}

START_TEST(t_programmed)
{
	struct ds_pool never = pool("10.244.0.0/16", DS_IPIP_NEVER,
	    DS_VXLAN_NEVER);
	struct ds_pool always = pool("10.244.0.0/16", DS_IPIP_NEVER,
	    DS_VXLAN_ALWAYS);
	struct ds_pool cross = pool("10.244.0.0/16", DS_IPIP_NEVER,
	    DS_VXLAN_CROSS_SUBNET);

	/* outside every pool (a top-of-rack's routes): accepted */
	ck_assert(fibwant_programmed(NULL));
	ck_assert(fibwant_programmed(&never));
	/* any VXLAN mode: Felix programs the routes, never us */
	ck_assert(!fibwant_programmed(&always));
	ck_assert(!fibwant_programmed(&cross));
}
END_TEST

START_TEST(t_no_pool)
{
	struct ds_local l = local("10.0.0.0/24");

	/* no pool, no tunnel, wherever the next hop is */
	ck_assert_int_eq(hop(NULL, &l, TUNL0, "10.0.0.2"), 0);
	ck_assert_int_eq(hop(NULL, &l, TUNL0, "10.9.0.2"), 0);
}
END_TEST

START_TEST(t_ipip_never)
{
	struct ds_pool p = pool("10.244.0.0/16", DS_IPIP_NEVER, DS_VXLAN_NEVER);
	struct ds_local l = local("10.0.0.0/24");

	nlookups = 0;
	ck_assert_int_eq(hop(&p, &l, TUNL0, "10.0.0.2"), 0);
	ck_assert_int_eq(hop(&p, &l, TUNL0, "10.9.0.2"), 0);
	ck_assert_int_eq(hop(NULL, &l, TUNL0, "10.9.0.2"), 0);
	/* no tunnel wanted: tunl0 is not looked up (a million routes would
	 * each cost a socket, an ioctl and a close: issue 12's bench) */
	ck_assert_uint_eq(nlookups, 0);
}
END_TEST

START_TEST(t_ipip_always)
{
	struct ds_pool p = pool("10.244.0.0/16", DS_IPIP_ALWAYS,
	    DS_VXLAN_NEVER);
	struct ds_local l = local("10.0.0.0/24");

	/* in the subnet or not: tunl0 */
	ck_assert_int_eq(hop(&p, &l, TUNL0, "10.0.0.2"), 1);
	ck_assert_int_eq(hop(&p, &l, TUNL0, "10.9.0.2"), 1);
}
END_TEST

START_TEST(t_ipip_cross_subnet)
{
	struct ds_pool p = pool("10.244.0.0/16", DS_IPIP_CROSS_SUBNET,
	    DS_VXLAN_NEVER);
	struct ds_local l = local("10.0.0.0/24");

	ck_assert_int_eq(hop(&p, &l, TUNL0, "10.0.0.2"), 0);
	ck_assert_int_eq(hop(&p, &l, TUNL0, "10.0.0.255"), 0);
	ck_assert_int_eq(hop(&p, &l, TUNL0, "10.0.1.2"), 1);
	ck_assert_int_eq(hop(&p, &l, TUNL0, "192.168.0.2"), 1);
}
END_TEST

START_TEST(t_no_tunl0)
{
	struct ds_pool a = pool("10.244.0.0/16", DS_IPIP_ALWAYS,
	    DS_VXLAN_NEVER);
	struct ds_pool c = pool("10.244.0.0/16", DS_IPIP_CROSS_SUBNET,
	    DS_VXLAN_NEVER);
	struct ds_local l = local("10.0.0.0/24");

	/* Calico's BIRD: krt_tunnel names a missing device: a plain route */
	ck_assert_int_eq(hop(&a, &l, 0, "10.9.0.2"), 0);
	ck_assert_int_eq(hop(&c, &l, 0, "10.9.0.2"), 0);
}
END_TEST

START_TEST(t_unknown_subnet)
{
	struct ds_pool a = pool("10.244.0.0/16", DS_IPIP_ALWAYS,
	    DS_VXLAN_NEVER);
	struct ds_pool c = pool("10.244.0.0/16", DS_IPIP_CROSS_SUBNET,
	    DS_VXLAN_NEVER);
	struct ds_local l = local(NULL);

	/* no network_v4: Calico renders no pool rule, routes go as they are */
	ck_assert_int_eq(hop(&a, &l, TUNL0, "10.9.0.2"), 0);
	ck_assert_int_eq(hop(&c, &l, TUNL0, "10.9.0.2"), 0);
}
END_TEST

START_TEST(t_ipv6)
{
	struct ds_pool p = pool("fd00:10:244::/48", DS_IPIP_ALWAYS,
	    DS_VXLAN_NEVER);
	struct ds_local l = local("10.0.0.0/24");

	/* IPIP is IPv4 only */
	ck_assert_int_eq(hop(&p, &l, TUNL0, "fd00::2"), 0);
}
END_TEST

static Suite *
fibwant_suite(void)
{
	Suite *s = suite_create("fibwant");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, t_programmed);
	tcase_add_test(tc, t_no_pool);
	tcase_add_test(tc, t_ipip_never);
	tcase_add_test(tc, t_ipip_always);
	tcase_add_test(tc, t_ipip_cross_subnet);
	tcase_add_test(tc, t_no_tunl0);
	tcase_add_test(tc, t_unknown_subnet);
	tcase_add_test(tc, t_ipv6);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_run(fibwant_suite());
}
