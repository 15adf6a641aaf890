/*
 * test_excomm.c: the export community table (bgpd/excomm.c, issue 15's
 * prefixAdvertisements) alone, with recording stubs of import.c and
 * bgpd.c: which rules match a prefix, what a route goes out with (its own
 * values first, then each matched rule's, none twice, standard and large
 * apart), that a new table drops every peer's export cache and re-exports,
 * and the bounds (rules, values).
 */
#include <check.h>

#include "check_run.h"
#include <stdlib.h>
#include <string.h>

#include "session.h"

/* ---- recording stubs for import.c / bgpd.c ---- */
static int cache_drops, refreshes;

void
bgp_peer_export_cache_drop(struct bgp_peer *peer)
{
	(void)peer;
	cache_drops++;
}

void
bgpd_refresh_exports(struct bgpd *bgpd)
{
	(void)bgpd;
	refreshes++;
}

static struct bgpd bgpd;
static struct bgp_peer peers[2];

static struct prefix
P(const char *s)
{
	struct prefix p;

	ck_assert_int_eq(prefix_parse(s, &p), 0);
	return p;
}

#define STD(a, n)	((uint32_t)(a) << 16 | (n))

static const uint32_t pool_std[] = { STD(65000, 100) };
static const uint32_t pool_large[] = { 65000, 1, 2, 4200000000u, 0, 1 };
static const uint32_t block_std[] = { STD(65000, 111), STD(65000, 100) };
static const uint32_t v6_large[] = { 1, 2, 3 };

static void
setup(void)
{
	struct bgpd_export_comms r[3];

	memset(&bgpd, 0, sizeof(bgpd));
	TAILQ_INIT(&bgpd.peers);
	for (size_t i = 0; i < NITEMS(peers); i++)
		TAILQ_INSERT_TAIL(&bgpd.peers, &peers[i], entry);
	memset(r, 0, sizeof(r));
	r[0].cidr = P("10.244.0.0/16");
	r[0].std = pool_std;
	r[0].nstd = NITEMS(pool_std);
	r[0].large = pool_large;
	r[0].nlarge = NITEMS(pool_large) / 3;
	r[1].cidr = P("10.244.1.0/26");
	r[1].std = block_std;
	r[1].nstd = NITEMS(block_std);
	r[2].cidr = P("fd00:96::/112");
	r[2].large = v6_large;
	r[2].nlarge = 1;
	cache_drops = refreshes = 0;
	ck_assert_int_eq(bgpd_set_export_comms(&bgpd, r, NITEMS(r)), 0);
}

static void
teardown(void)
{
	bgp_excomm_fini(&bgpd);
}

/* net ~ cidr: the cidr itself and everything inside it, same family */
START_TEST(t_match)
{
	struct prefix p;

	p = P("10.244.1.0/26");
	ck_assert_uint_eq(bgp_excomm_match(&bgpd, &p), 3);
	p = P("10.244.1.7/32");
	ck_assert_uint_eq(bgp_excomm_match(&bgpd, &p), 3);
	p = P("10.244.2.0/26");
	ck_assert_uint_eq(bgp_excomm_match(&bgpd, &p), 1);
	p = P("10.244.0.0/16");
	ck_assert_uint_eq(bgp_excomm_match(&bgpd, &p), 1);
	p = P("10.0.0.0/8");		/* covers the rule: not inside it */
	ck_assert_uint_eq(bgp_excomm_match(&bgpd, &p), 0);
	p = P("fd00:96::1/128");
	ck_assert_uint_eq(bgp_excomm_match(&bgpd, &p), 4);
	p = P("::ffff:10.244.1.0/122");	/* another family */
	ck_assert_uint_eq(bgp_excomm_match(&bgpd, &p), 0);
}
END_TEST

/* the route's own values stay first; each value once (int_set_add) */
START_TEST(t_apply)
{
	static const uint32_t own_std[] = { STD(65000, 111), STD(1, 1) };
	static const uint32_t own_large[] = { 65000, 1, 2 };
	static const uint32_t want_std[] = { STD(65000, 111), STD(1, 1),
	    STD(65000, 100) };
	static const uint32_t want_large[] = { 65000, 1, 2, 4200000000u, 0,
	    1 };
	struct bgp_excomm_buf b;
	struct rib_attrs t;

	memset(&t, 0, sizeof(t));
	t.communities = own_std;
	t.ncommunities = NITEMS(own_std);
	t.large = own_large;
	t.nlarge = 1;
	ck_assert_int_eq(bgp_excomm_apply(&bgpd, 3, &t, &b), 0);
	ck_assert_uint_eq(t.ncommunities, NITEMS(want_std));
	ck_assert_mem_eq(t.communities, want_std, sizeof(want_std));
	ck_assert_uint_eq(t.nlarge, 2);
	ck_assert_mem_eq(t.large, want_large, sizeof(want_large));
	bgp_excomm_buf_free(&b);

	/* none of its own: the rule's, in the rule's order */
	memset(&t, 0, sizeof(t));
	ck_assert_int_eq(bgp_excomm_apply(&bgpd, 2, &t, &b), 0);
	ck_assert_uint_eq(t.ncommunities, 2);
	ck_assert_mem_eq(t.communities, block_std, sizeof(block_std));
	ck_assert_uint_eq(t.nlarge, 0);
	bgp_excomm_buf_free(&b);
}
END_TEST

/* a new table: every peer's cache dropped, exports re-evaluated once;
 * an empty one matches nothing */
START_TEST(t_replace)
{
	struct prefix p = P("10.244.1.0/26");

	ck_assert_int_eq(cache_drops, 2);
	ck_assert_int_eq(refreshes, 1);
	ck_assert_int_eq(bgpd_set_export_comms(&bgpd, NULL, 0), 0);
	ck_assert_int_eq(cache_drops, 4);
	ck_assert_int_eq(refreshes, 2);
	ck_assert_uint_eq(bgp_excomm_match(&bgpd, &p), 0);
}
END_TEST

/* more rules than the match mask holds: refused, the old table kept */
START_TEST(t_too_many_rules)
{
	struct bgpd_export_comms *r;
	struct prefix p = P("10.244.1.0/26");

	r = calloc(BGPD_EXPORT_COMMS_MAX + 1, sizeof(*r));
	ck_assert_ptr_nonnull(r);
	for (size_t i = 0; i <= BGPD_EXPORT_COMMS_MAX; i++)
		r[i].cidr = P("192.0.2.0/24");
	ck_assert_int_eq(bgpd_set_export_comms(&bgpd, r,
	    BGPD_EXPORT_COMMS_MAX + 1), -1);
	ck_assert_int_eq(refreshes, 1);
	ck_assert_uint_eq(bgp_excomm_match(&bgpd, &p), 3);
	ck_assert_int_eq(bgpd_set_export_comms(&bgpd, r,
	    BGPD_EXPORT_COMMS_MAX), 0);
	p = P("192.0.2.0/24");
	ck_assert_uint_eq(bgp_excomm_match(&bgpd, &p), UINT64_MAX);
	free(r);
}
END_TEST

/* a route already at 65535 standard values: one more does not fit the
 * rib's 16-bit count, and the route is not sent (export_attrs: NULL) */
START_TEST(t_too_many_values)
{
	struct bgp_excomm_buf b;
	struct rib_attrs t;
	uint32_t *own = calloc(0xffff, sizeof(*own));

	ck_assert_ptr_nonnull(own);
	memset(&t, 0, sizeof(t));
	t.communities = own;		/* all 0:0, none of the rule's */
	t.ncommunities = 0xffff;
	ck_assert_int_eq(bgp_excomm_apply(&bgpd, 1, &t, &b), -1);
	ck_assert_ptr_eq(t.communities, own);	/* t untouched */
	bgp_excomm_buf_free(&b);
	t.ncommunities = 0xfffe;
	ck_assert_int_eq(bgp_excomm_apply(&bgpd, 1, &t, &b), 0);
	ck_assert_uint_eq(t.ncommunities, 0xffff);
	bgp_excomm_buf_free(&b);
	free(own);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("excomm");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, t_match);
	tcase_add_test(tc, t_apply);
	tcase_add_test(tc, t_replace);
	tcase_add_test(tc, t_too_many_rules);
	tcase_add_test(tc, t_too_many_values);
	suite_add_tcase(s, tc);
	return check_run(s);
}
