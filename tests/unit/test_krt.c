/*
 * test_krt.c: the kernel route sync (krt/'s sources) alone, against the fake
 * kernel of nl_stub.c behind netlink.h (OpenBGPD unittests: the module's
 * own sources plus stubs of its neighbours) and a fake agent (the id <->
 * prefix map of krt_ops). A real libevent base carries krt's events;
 * krt_flush() applies synchronously, and the tests that need krt's timers
 * (retries) run the base for a bounded time.
 *
 * TCases:
 *   core         the behaviour: install, adoption, re-point, peer loss,
 *                restore, re-reads, persist, kernels without objects,
 *                other programs' routes and nexthop ids (never touched;
 *                conflicts), next hop retry with backoff, recursive next
 *                hops;
 *   regressions  faults of the code before the krt/ split, each named by
 *                what it must do (see each test's comment).
 */
#include <check.h>

#include "check_run.h"
#include "log_capture.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <event2/event.h>

#include "krt.h"
#include "nl_stub.h"

#define PROTO	NL_PROTO_TERN
#define MAIN	NL_TABLE_MAIN
#define ETH0	2
#define ETH1	3
#define GW_A	"198.18.0.2"
#define GW_B	"198.18.0.3"
#define GW_C	"198.18.0.4"
#define ROUTER	"198.18.0.1"
#define V6(i)	(0x80000000u | (uint32_t)(i))

/* ---- the fake agent: ids <-> prefixes ---- */

#define MAXID	1024
static struct {
	struct prefix	 pfx[2][MAXID];
	bool		 set[2][MAXID];
	size_t		 other, other_resyncs;
} ag;

static bool
ag_id_prefix(void *arg, uint32_t id, struct prefix *pfx)
{
	uint32_t f = id >> 31, i = id & 0x7fffffffu;

	(void)arg;
	if (i >= MAXID || !ag.set[f][i])
		return false;
	*pfx = ag.pfx[f][i];
	return true;
}

static bool
ag_prefix_id(void *arg, const struct prefix *pfx, uint32_t *id)
{
	uint32_t f = pfx->af == AF_INET6;

	(void)arg;
	for (uint32_t i = 0; i < MAXID; i++) {
		if (ag.set[f][i] && prefix_eq(&ag.pfx[f][i], pfx)) {
			*id = f << 31 | i;
			return true;
		}
	}
	return false;
}

static void
ag_other_route(void *arg, const struct nl_route *nr, bool deleted)
{
	(void)arg;
	(void)nr;
	(void)deleted;
	ag.other++;
}

static void
ag_other_resync(void *arg, bool begin)
{
	(void)arg;
	ag.other_resyncs += begin;
}

static const struct krt_ops agent_ops = {
	.id_prefix = ag_id_prefix,
	.prefix_id = ag_prefix_id,
	.other_route = ag_other_route,
	.other_resync = ag_other_resync,
};

/* ---- fixture ---- */

static struct event_base *base;
static struct krt *k;
static uint32_t obj_min;	/* nh_object_min of the next start */

static void
setup(void)
{
	memset(&ag, 0, sizeof(ag));
	nls_reset();
	nls_link("eth0", ETH0);
	nls_link("eth1", ETH1);
	nls_connected("198.18.0.0/24", ETH0);
	nls_connected("2001:db8:1::/64", ETH0);
	base = event_base_new();
	ck_assert_ptr_nonnull(base);
	k = NULL;
	obj_min = 0;
}

static void
teardown(void)
{
	krt_free(k);
	k = NULL;
	event_base_free(base);
}

static void
start_with(uint32_t retry_min, uint32_t retry_max)
{
	struct krt_params pa = {
		.protocol = PROTO, .table = MAIN,
		.retry_min_ms = retry_min, .retry_max_ms = retry_max,
		.nh_object_min = obj_min,
	};

	k = krt_new(base, &pa, &agent_ops, NULL);
	ck_assert_ptr_nonnull(k);
	ck_assert_int_eq(krt_start(k), 0);
}

static void
start(void)
{
	start_with(0, 0);
}

static void
ag_map(uint32_t id, const char *pfx)
{
	ck_assert_uint_lt(id & 0x7fffffffu, MAXID);
	ag.pfx[id >> 31][id & 0x7fffffffu] = nls_pfx(pfx);
	ag.set[id >> 31][id & 0x7fffffffu] = true;
}

static void
want(uint32_t id, const char *pfx, const char *gw)
{
	struct krt_want w;
	struct prefix p = nls_pfx(pfx);

	ag_map(id, pfx);
	memset(&w, 0, sizeof(w));
	w.type = KRT_UNICAST;
	w.nhops = 1;
	w.hop[0].gw = nls_addr(gw);
	krt_set(k, id, &p, &w);
}

static void
want_bh(uint32_t id, const char *pfx)
{
	struct krt_want w;
	struct prefix p = nls_pfx(pfx);

	ag_map(id, pfx);
	memset(&w, 0, sizeof(w));
	w.type = KRT_BLACKHOLE;
	krt_set(k, id, &p, &w);
}

static void
unwant(uint32_t id)
{
	uint32_t f = id >> 31, i = id & 0x7fffffffu;
	struct prefix p = ag.pfx[f][i];

	krt_unset(k, id, &p);
	ag.set[f][i] = false;
}

/* The name of the i-th test prefix: 10.<i/256>.<i%256>.0/24. */
static const char *
pfx_n(unsigned i)
{
	static char buf[8][32];
	static unsigned n;
	char *b = buf[n++ % 8];

	snprintf(b, 32, "10.%u.%u.0/24", i / 256, i % 256);
	return b;
}

static const struct nl_route *
route_at(const char *pfx)
{
	struct prefix p = nls_pfx(pfx);

	return nls_find(&p, MAIN);
}

/* The route at pfx is ours and forwards via gw. */
static void
assert_ours_via(const char *pfx, const char *gw)
{
	const struct nl_route *r = route_at(pfx);
	struct addr a, want_gw = nls_addr(gw);
	uint32_t oif;

	ck_assert_msg(r != NULL, "%s: no route", pfx);
	ck_assert_msg(r->protocol == PROTO, "%s: protocol %u", pfx,
	    r->protocol);
	ck_assert_msg(nls_via(r, &a, &oif), "%s: no next hop", pfx);
	ck_assert_msg(addr_eq(&a, &want_gw), "%s: wrong gateway", pfx);
}

static void
install_n(unsigned from, unsigned n, const char *gw)
{
	for (unsigned i = from; i < from + n; i++)
		want(i, pfx_n(i), gw);
}

static size_t
route_reqs(void)
{
	return nls_count(NLS_ADD) + nls_count(NLS_REPLACE) +
	    nls_count(NLS_DELETE);
}

/* Route installs: krt may add (NLM_F_EXCL) or replace. */
static size_t
installs(void)
{
	return nls_count(NLS_ADD) + nls_count(NLS_REPLACE);
}

static size_t
installs_of(const struct prefix *p)
{
	return nls_reqs(NLS_ADD, p) + nls_reqs(NLS_REPLACE, p);
}

static size_t
nh_reqs(void)
{
	return nls_count(NLS_NH_ADD) + nls_count(NLS_NH_REPLACE) +
	    nls_count(NLS_NH_DELETE) + nls_count(NLS_NH_GROUP);
}

static void
run_for(unsigned ms)
{
	struct timeval tv = { .tv_sec = ms / 1000,
	    .tv_usec = (ms % 1000) * 1000 };

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

static struct nl_route
foreign(const char *pfx, const char *gw, uint32_t oif)
{
	struct nl_route r;

	memset(&r, 0, sizeof(r));
	r.dst = nls_pfx(pfx);
	r.type = NL_RT_UNICAST;
	r.gw = nls_addr(gw);
	r.oif = oif;
	r.protocol = NLS_PROTO_STATIC;
	r.table = MAIN;
	return r;
}

static struct nl_route
ours_via_nh(const char *pfx, uint32_t nh_id)
{
	struct nl_route r;

	memset(&r, 0, sizeof(r));
	r.dst = nls_pfx(pfx);
	r.type = NL_RT_UNICAST;
	r.nh_id = nh_id;
	r.protocol = PROTO;
	r.table = MAIN;
	return r;
}

/* ---- core: today's behaviour ---- */

/* N prefixes via 2 gateways -> N routes of ours, 2 objects; blackholes
 * and an IPv6 route too. */
START_TEST(t_install_routes_and_two_objects)
{
	const struct nl_route *r;
	uint8_t proto;

	start();
	install_n(0, 20, GW_A);
	install_n(20, 20, GW_B);
	want_bh(100, "10.200.0.0/24");
	want_bh(101, "10.200.1.0/24");
	want(V6(1), "2001:db8:100::/64", "2001:db8:1::2");
	krt_synced(k);
	krt_flush(k);
	ck_assert_uint_eq(nls_routes(PROTO), 43);
	ck_assert_uint_eq(nls_nhs(PROTO), 3);
	ck_assert_uint_eq(krt_count(k), 43);
	for (unsigned i = 0; i < 40; i++) {
		assert_ours_via(pfx_n(i), i < 20 ? GW_A : GW_B);
		r = route_at(pfx_n(i));
		ck_assert_uint_ne(r->nh_id, 0);
		ck_assert_ptr_nonnull(nls_nh(r->nh_id, &proto));
		ck_assert_uint_eq(proto, PROTO);
		ck_assert_uint_eq(nls_nh(r->nh_id, NULL)->oif, ETH0);
	}
	ck_assert_uint_eq(route_at("10.0.0.0/24")->nh_id,
	    route_at("10.0.19.0/24")->nh_id);
	ck_assert_uint_ne(route_at("10.0.0.0/24")->nh_id,
	    route_at("10.0.20.0/24")->nh_id);
	r = route_at("10.200.0.0/24");
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->type, NL_RT_BLACKHOLE);
	ck_assert_uint_eq(r->protocol, PROTO);
	assert_ours_via("2001:db8:100::/64", "2001:db8:1::2");
	/* one request per route, one per object, nothing refused */
	ck_assert_uint_eq(installs(), 43);
	ck_assert_uint_eq(nls_applied(), 43);
	ck_assert_uint_eq(nls_count(NLS_NH_ADD) + nls_count(NLS_NH_REPLACE),
	    3);
	ck_assert_uint_eq(nls_count(NLS_DELETE), 0);
}
END_TEST

/* Routes and objects of ours found at start: wanted ones stay without a
 * request; nothing goes before krt_synced; then the unwanted go, those on
 * an object nobody wants by deleting the object. */
/*
 * calico_kernel_programming's IPIP choice (agent/fibwant.c picks it, krt
 * installs it): a hop via tunl0 onlink reaches a next hop on no connected
 * subnet (another host's address across a router) through the tunnel, and
 * its object says onlink; the same next hop without the tunnel is not put
 * on tunl0 (it is resolved through the table, which has no route to it).
 */
#define TUNL0	9
START_TEST(t_ipip_hop_onlink)
{
	struct krt_want w;
	struct prefix p = nls_pfx("10.244.7.0/26");
	const struct nl_route *r;
	const struct nl_nexthop *nh;
	struct addr gw;
	uint32_t oif;

	nls_link("tunl0", TUNL0);
	start();
	ag_map(7, "10.244.7.0/26");
	memset(&w, 0, sizeof(w));
	w.type = KRT_UNICAST;
	w.nhops = 1;
	w.hop[0].gw = nls_addr("172.16.9.2");
	w.hop[0].oif = TUNL0;
	w.hop[0].onlink = true;
	krt_set(k, 7, &p, &w);
	want(8, "10.244.8.0/26", "172.16.9.3");	/* no tunnel, no route */
	krt_synced(k);
	krt_flush(k);
	r = route_at("10.244.7.0/26");
	ck_assert_ptr_nonnull(r);
	ck_assert(nls_via(r, &gw, &oif));
	ck_assert(addr_eq(&gw, &w.hop[0].gw));
	ck_assert_uint_eq(oif, TUNL0);
	ck_assert_ptr_nonnull(nh = nls_nh(r->nh_id, NULL));
	ck_assert(nh->onlink);
	ck_assert_uint_eq(nh->oif, TUNL0);
	ck_assert_ptr_null(route_at("10.244.8.0/26"));
	ck_assert_int_eq(krt_route_state(k, 8), KRT_S_FAILED);
}
END_TEST

START_TEST(t_adopt_at_start_delete_only_after_synced)
{
	struct addr a = nls_addr(GW_A), b = nls_addr(GW_B),
	    c = nls_addr(GW_C);
	struct nl_route r, f = foreign("10.250.0.0/24", ROUTER, ETH0);

	nls_put_nh(1, PROTO, &a, ETH0);
	nls_put_nh(2, PROTO, &b, ETH0);
	nls_put_nh(3, PROTO, &c, ETH0);
	for (unsigned i = 0; i < 25; i++) {
		r = ours_via_nh(pfx_n(i), i < 10 ? 1 : i < 20 ? 2 : 3);
		nls_put_route(&r);
	}
	memset(&r, 0, sizeof(r));
	r.dst = nls_pfx("10.200.0.0/24");
	r.type = NL_RT_BLACKHOLE;
	r.protocol = PROTO;
	nls_put_route(&r);
	nls_put_route(&f);

	start();
	ck_assert(krt_had_routes(k));
	ck_assert_uint_eq(krt_count(k), 26);
	install_n(0, 5, GW_A);		/* 5..9 via A: unwanted */
	install_n(10, 10, GW_B);	/* 20..24 via C: unwanted */
	krt_flush(k);
	ck_assert_uint_eq(route_reqs(), 0);
	ck_assert_uint_eq(nh_reqs(), 0);
	ck_assert_uint_eq(nls_routes(PROTO), 26);
	ck_assert_uint_eq(nls_nhs(PROTO), 3);

	krt_synced(k);
	krt_flush(k);
	ck_assert_uint_eq(nls_routes(PROTO), 15);
	ck_assert_uint_eq(nls_count(NLS_REPLACE), 0);
	ck_assert_uint_eq(nls_count(NLS_ADD), 0);
	/* 5..9 (object 1 stays) and the blackhole one by one; 20..24 with
	 * object 3 */
	ck_assert_uint_eq(nls_count(NLS_DELETE), 6);
	ck_assert_uint_eq(nls_count(NLS_NH_DELETE), 1);
	ck_assert_ptr_null(nls_nh(3, NULL));
	for (unsigned i = 0; i < 5; i++)
		ck_assert_uint_eq(route_at(pfx_n(i))->nh_id, 1);
	for (unsigned i = 10; i < 20; i++)
		ck_assert_uint_eq(route_at(pfx_n(i))->nh_id, 2);
	ck_assert_ptr_null(route_at("10.200.0.0/24"));
	ck_assert_uint_eq(route_at("10.250.0.0/24")->protocol,
	    NLS_PROTO_STATIC);
	ck_assert_uint_eq(krt_count(k), 15);
}
END_TEST

/* All routes of gateway A move to B: one object replace, no route
 * request. */
START_TEST(t_repoint_all_routes_one_object_replace)
{
	uint32_t id;

	start();
	install_n(0, 30, GW_A);
	krt_synced(k);
	krt_flush(k);
	id = route_at(pfx_n(0))->nh_id;
	nls_counts_reset();
	install_n(0, 30, GW_B);
	krt_flush(k);
	ck_assert_uint_eq(nls_count(NLS_NH_REPLACE), 1);
	ck_assert_uint_eq(nh_reqs(), 1);
	ck_assert_uint_eq(route_reqs(), 0);
	for (unsigned i = 0; i < 30; i++) {
		assert_ours_via(pfx_n(i), GW_B);
		ck_assert_uint_eq(route_at(pfx_n(i))->nh_id, id);
	}
	ck_assert_uint_eq(nls_nhs(PROTO), 1);
}
END_TEST

/* A peer's loss: every route via A unset -> one object delete. */
START_TEST(t_peer_loss_one_object_delete)
{
	start();
	install_n(0, 20, GW_A);
	install_n(20, 20, GW_B);
	krt_synced(k);
	krt_flush(k);
	nls_counts_reset();
	for (unsigned i = 0; i < 20; i++)
		unwant(i);
	krt_flush(k);
	ck_assert_uint_eq(nls_count(NLS_NH_DELETE), 1);
	ck_assert_uint_eq(nh_reqs(), 1);
	ck_assert_uint_eq(route_reqs(), 0);
	ck_assert_uint_eq(nls_routes(PROTO), 20);
	ck_assert_uint_eq(nls_nhs(PROTO), 1);
	for (unsigned i = 0; i < 20; i++)
		ck_assert_ptr_null(route_at(pfx_n(i)));
	for (unsigned i = 20; i < 40; i++)
		assert_ours_via(pfx_n(i), GW_B);
	ck_assert_uint_eq(krt_count(k), 20);
}
END_TEST

/* A route of ours deleted, or changed, by someone else: put back. */
START_TEST(t_route_changed_by_someone_else_restored)
{
	struct nl_route r;
	uint32_t id;

	start();
	install_n(0, 5, GW_A);
	krt_synced(k);
	krt_flush(k);
	id = route_at(pfx_n(0))->nh_id;
	nls_counts_reset();

	r = *route_at(pfx_n(0));
	nls_inject_route(&r, true);
	ck_assert_ptr_null(route_at(pfx_n(0)));
	r = ours_via_nh(pfx_n(1), 0);
	r.gw = nls_addr(GW_B);
	r.oif = ETH0;
	nls_inject_route(&r, false);
	assert_ours_via(pfx_n(1), GW_B);

	krt_flush(k);
	assert_ours_via(pfx_n(0), GW_A);
	assert_ours_via(pfx_n(1), GW_A);
	ck_assert_uint_eq(route_at(pfx_n(0))->nh_id, id);
	ck_assert_uint_eq(route_at(pfx_n(1))->nh_id, id);
	ck_assert_uint_eq(installs(), 2);
	ck_assert_uint_eq(nls_routes(PROTO), 5);
}
END_TEST

/* Our object deleted by someone else (its routes go with it, silently):
 * object and routes come back. */
START_TEST(t_object_deleted_by_someone_else_restored)
{
	uint32_t id;

	start();
	install_n(0, 5, GW_A);
	krt_synced(k);
	krt_flush(k);
	id = route_at(pfx_n(0))->nh_id;
	nls_inject_nh(id, PROTO, NULL, 0, true);
	ck_assert_uint_eq(nls_routes(PROTO), 0);
	krt_flush(k);
	ck_assert_uint_eq(nls_routes(PROTO), 5);
	for (unsigned i = 0; i < 5; i++)
		assert_ours_via(pfx_n(i), GW_A);
}
END_TEST

/* ENOBUFS: what changed unseen is found by a re-read and reconciled. */
START_TEST(t_enobufs_reread_and_reconcile)
{
	struct prefix p0 = nls_pfx(pfx_n(0));
	struct nl_route stray;

	start();
	install_n(0, 5, GW_A);
	krt_synced(k);
	krt_flush(k);
	stray = ours_via_nh("10.99.0.0/24", route_at(pfx_n(1))->nh_id);
	ck_assert(nls_drop_route(&p0, MAIN, PROTO));
	nls_put_route(&stray);
	nls_counts_reset();

	nls_inject_enobufs();
	krt_flush(k);
	ck_assert_uint_ge(nls_count(NLS_ROUTE_DUMP), 1);
	assert_ours_via(pfx_n(0), GW_A);
	ck_assert_ptr_null(route_at("10.99.0.0/24"));
	ck_assert_uint_eq(nls_routes(PROTO), 5);
	ck_assert_uint_ge(installs_of(&p0), 1);
	for (unsigned i = 0; i < 5; i++)
		assert_ours_via(pfx_n(i), GW_A);
}
END_TEST

/* kernel.persist: after krt_freeze nothing changes, not even at free. */
START_TEST(t_freeze_changes_nothing)
{
	start();
	install_n(0, 5, GW_A);
	want_bh(100, "10.200.0.0/24");
	krt_synced(k);
	krt_flush(k);
	nls_counts_reset();
	krt_freeze(k);
	for (unsigned i = 0; i < 3; i++)
		unwant(i);
	install_n(3, 2, GW_B);
	install_n(10, 2, GW_B);
	krt_flush(k);
	run_for(50);
	krt_free(k);
	k = NULL;
	ck_assert_uint_eq(route_reqs() + nh_reqs(), 0);
	ck_assert_uint_eq(nls_routes(PROTO), 6);
	for (unsigned i = 0; i < 5; i++)
		assert_ours_via(pfx_n(i), GW_A);
}
END_TEST

/* No kernel.persist: every route and object of ours goes, nothing else. */
START_TEST(t_remove_all_ours_only)
{
	struct nl_route f = foreign("10.250.0.0/24", ROUTER, ETH0);
	struct addr r = nls_addr(ROUTER);

	nls_put_route(&f);
	nls_put_nh(500, NLS_PROTO_STATIC, &r, ETH0);
	start();
	install_n(0, 5, GW_A);
	install_n(5, 5, GW_B);
	want_bh(100, "10.200.0.0/24");
	want(V6(1), "2001:db8:100::/64", "2001:db8:1::2");
	krt_synced(k);
	krt_flush(k);
	ck_assert_uint_eq(nls_routes(PROTO), 12);
	krt_remove_all(k);
	ck_assert_uint_eq(nls_routes(PROTO), 0);
	ck_assert_uint_eq(nls_nhs(PROTO), 0);
	ck_assert_uint_eq(route_at("10.250.0.0/24")->protocol,
	    NLS_PROTO_STATIC);
	ck_assert_ptr_nonnull(nls_nh(500, NULL));
	ck_assert_ptr_nonnull(route_at("198.18.0.0/24"));
	ck_assert_uint_eq(nls_routes(NLS_ANY), 3);
}
END_TEST

/* Kernels without nexthop objects: routes carry the gateway; a move is a
 * route replace each. */
START_TEST(t_no_objects_routes_carry_gateway)
{
	const struct nl_route *r;

	nls_set_nexthop_objects(false);
	start();
	install_n(0, 5, GW_A);
	install_n(5, 5, GW_B);
	krt_synced(k);
	krt_flush(k);
	ck_assert_uint_eq(nls_routes(PROTO), 10);
	ck_assert_uint_eq(nls_nhs(NLS_ANY), 0);
	ck_assert_uint_eq(nh_reqs(), 0);
	for (unsigned i = 0; i < 10; i++) {
		r = route_at(pfx_n(i));
		ck_assert_uint_eq(r->nh_id, 0);
		ck_assert_uint_eq(r->oif, ETH0);
		assert_ours_via(pfx_n(i), i < 5 ? GW_A : GW_B);
	}
	nls_counts_reset();
	install_n(0, 5, GW_B);
	for (unsigned i = 5; i < 10; i++)
		unwant(i);
	krt_flush(k);
	ck_assert_uint_eq(installs(), 5);
	ck_assert_uint_eq(nls_count(NLS_DELETE), 5);
	ck_assert_uint_eq(nls_routes(PROTO), 5);
	for (unsigned i = 0; i < 5; i++)
		assert_ours_via(pfx_n(i), GW_B);
}
END_TEST

/* Start-up without objects: found routes via the wanted gateway stay. */
START_TEST(t_no_objects_adopt_without_requests)
{
	struct nl_route r;

	nls_set_nexthop_objects(false);
	for (unsigned i = 0; i < 6; i++) {
		r = ours_via_nh(pfx_n(i), 0);
		r.gw = nls_addr(GW_A);
		r.oif = ETH0;
		nls_put_route(&r);
	}
	start();
	install_n(0, 4, GW_A);
	krt_flush(k);
	krt_synced(k);
	krt_flush(k);
	ck_assert_uint_eq(nls_count(NLS_REPLACE), 0);
	ck_assert_uint_eq(nls_count(NLS_DELETE), 2);
	ck_assert_uint_eq(nls_routes(PROTO), 4);
}
END_TEST

/* Another program's route (not wanted by us) survives the sync, a
 * re-read and krt_remove_all, and is never named in a request. */
START_TEST(t_foreign_route_never_deleted)
{
	struct nl_route f = foreign("10.250.0.0/24", ROUTER, ETH0);
	struct prefix fp = f.dst;

	nls_put_route(&f);
	start();
	install_n(0, 5, GW_A);
	krt_synced(k);
	krt_flush(k);
	nls_inject_enobufs();
	krt_flush(k);
	for (unsigned i = 0; i < 5; i++)
		unwant(i);
	krt_flush(k);
	krt_remove_all(k);
	ck_assert_uint_eq(nls_reqs(NLS_DELETE, &fp), 0);
	ck_assert_uint_eq(installs_of(&fp), 0);
	ck_assert_ptr_nonnull(route_at("10.250.0.0/24"));
	ck_assert_uint_eq(route_at("10.250.0.0/24")->protocol,
	    NLS_PROTO_STATIC);
	ck_assert_uint_eq(nls_routes(PROTO), 0);
}
END_TEST

/* A refused route request is retried (krt's retry timer). */
START_TEST(t_refused_route_retried)
{
	struct prefix p0 = nls_pfx(pfx_n(0));

	start();
	nls_fail_next(NLS_K(NLS_ADD) | NLS_K(NLS_REPLACE), &p0, 1, ENOMEM);
	install_n(0, 3, GW_A);
	krt_synced(k);
	krt_flush(k);
	ck_assert_ptr_null(route_at(pfx_n(0)));
	ck_assert_uint_eq(nls_routes(PROTO), 2);
	run_for(4500);	/* HEAD retries after 3 s, retry_min_ms defaults to 1 s */
	assert_ours_via(pfx_n(0), GW_A);
	ck_assert_uint_eq(installs_of(&p0), 2);
}
END_TEST

/* ---- conflicts, foreign ids, retries, recursive next hops ---- */

/* A prefix held by another program's route at metric 0: krt does not
 * replace it, reports a conflict, and installs ours once it is gone. */
START_TEST(t_conflict_foreign_route_kept_then_ours_when_gone)
{
	struct nl_route f = foreign("10.0.0.0/24", ROUTER, ETH0);
	struct krt_stats st;

	nls_put_route(&f);
	start();
	want(1, "10.0.0.0/24", GW_A);
	krt_synced(k);
	krt_flush(k);
	ck_assert_uint_eq(route_at("10.0.0.0/24")->protocol,
	    NLS_PROTO_STATIC);
	ck_assert_int_eq(krt_route_state(k, 1), KRT_S_CONFLICT);
	krt_stats(k, &st);
	ck_assert_uint_eq(st.conflicts, 1);

	nls_inject_route(&f, true);
	krt_flush(k);
	assert_ours_via("10.0.0.0/24", GW_A);
	ck_assert_int_eq(krt_route_state(k, 1), KRT_S_INSTALLED);
	krt_stats(k, &st);
	ck_assert_uint_eq(st.conflicts, 0);
}
END_TEST

/*
 * The other route's device goes away: the kernel drops the route without
 * a route event, only the link event says so. The conflict is tried again
 * and ours installed.
 */
START_TEST(t_conflict_ends_with_its_link)
{
	struct nl_route f = foreign("10.0.0.0/24", ROUTER, ETH1);
	struct prefix p = nls_pfx("10.0.0.0/24");

	nls_put_route(&f);
	start();
	want(1, "10.0.0.0/24", GW_A);
	krt_synced(k);
	krt_flush(k);
	ck_assert_int_eq(krt_route_state(k, 1), KRT_S_CONFLICT);
	ck_assert(nls_drop_route(&p, MAIN, NLS_PROTO_STATIC)); /* silently */
	nls_inject_link(ETH0, true);	/* an up event changes nothing */
	krt_flush(k);
	ck_assert_int_eq(krt_route_state(k, 1), KRT_S_CONFLICT);
	nls_inject_link(ETH1, false);
	krt_flush(k);
	assert_ours_via("10.0.0.0/24", GW_A);
	ck_assert_int_eq(krt_route_state(k, 1), KRT_S_INSTALLED);
}
END_TEST

/* A route of ours replaced by another program becomes a conflict and is
 * not put back, not even by a re-read. */
START_TEST(t_conflict_ours_taken_over_not_put_back)
{
	struct nl_route f = foreign("10.0.0.0/24", ROUTER, ETH0);

	start();
	want(1, "10.0.0.0/24", GW_A);
	krt_synced(k);
	krt_flush(k);
	assert_ours_via("10.0.0.0/24", GW_A);
	nls_inject_route(&f, false);
	krt_flush(k);
	ck_assert_int_eq(krt_route_state(k, 1), KRT_S_CONFLICT);
	nls_inject_enobufs();
	krt_flush(k);
	ck_assert_uint_eq(route_at("10.0.0.0/24")->protocol,
	    NLS_PROTO_STATIC);
	ck_assert_int_eq(krt_route_state(k, 1), KRT_S_CONFLICT);
}
END_TEST

/* A nexthop id used by another program is never replaced or deleted;
 * krt picks another id. */
START_TEST(t_nh_id_of_other_program_untouched_other_id_used)
{
	struct addr r = nls_addr(ROUTER);
	const struct nl_nexthop *n;
	uint8_t proto;

	for (uint32_t id = 1; id <= 3; id++)
		nls_put_nh(id, NLS_PROTO_STATIC, &r, ETH0);
	start();
	install_n(0, 5, GW_A);
	krt_synced(k);
	krt_flush(k);
	ck_assert_uint_gt(route_at(pfx_n(0))->nh_id, 3);
	assert_ours_via(pfx_n(0), GW_A);
	for (unsigned i = 0; i < 5; i++)
		unwant(i);
	krt_flush(k);
	krt_remove_all(k);
	for (uint32_t id = 1; id <= 3; id++) {
		n = nls_nh(id, &proto);
		ck_assert_ptr_nonnull(n);
		ck_assert_uint_eq(proto, NLS_PROTO_STATIC);
		ck_assert(addr_eq(&n->gw, &r));
	}
}
END_TEST

/* A gateway nl_resolve cannot resolve: KRT_S_FAILED, retried with
 * backoff from retry_min_ms doubling to retry_max_ms, one log line per
 * state change, installed once resolvable. */
START_TEST(t_nexthop_retry_backoff_one_log_line_then_installed)
{
	size_t tries;

	log_capture();
	start_with(50, 200);
	want(1, "10.0.0.0/24", "198.18.9.9");
	krt_synced(k);
	krt_flush(k);
	ck_assert_int_eq(krt_route_state(k, 1), KRT_S_FAILED);
	/* tries at ~0, 50, 150, 350, 550, 750, 950 ms */
	run_for(1000);
	tries = nls_count(NLS_RESOLVE) + nls_count(NLS_LOOKUP);
	ck_assert_uint_ge(tries, 5);
	ck_assert_uint_le(tries, 9);
	ck_assert_int_eq(log_lines("198.18.9.9"), 1);
	ck_assert_int_eq(krt_route_state(k, 1), KRT_S_FAILED);

	nls_connected("198.18.9.0/24", ETH1);
	run_for(400);
	assert_ours_via("10.0.0.0/24", "198.18.9.9");
	ck_assert_int_eq(krt_route_state(k, 1), KRT_S_INSTALLED);
	ck_assert_int_le(log_lines("198.18.9.9"), 2);
}
END_TEST

/* A gateway beyond the connected subnets: the object goes via the
 * underlay's next hop, and follows the underlay when it changes (one
 * object replace). */
START_TEST(t_recursive_nexthop_follows_underlay)
{
	struct nl_route u = foreign("198.18.2.0/24", "198.18.1.1", ETH1);
	const struct nl_route *r;
	struct addr gw;
	uint32_t oif;

	nls_connected("198.18.1.0/24", ETH1);
	nls_put_route(&u);
	start();
	install_n(0, 5, "198.18.2.5");
	krt_synced(k);
	krt_flush(k);
	r = route_at(pfx_n(0));
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->protocol, PROTO);
	ck_assert(nls_via(r, &gw, &oif));
	ck_assert(addr_eq(&gw, &(struct addr){ 0 }) == false);
	assert_ours_via(pfx_n(0), "198.18.1.1");
	ck_assert_uint_eq(oif, ETH1);
	ck_assert_int_eq(krt_route_state(k, 0), KRT_S_INSTALLED);

	nls_counts_reset();
	u.gw = nls_addr("198.18.1.2");
	nls_inject_route(&u, false);
	krt_flush(k);
	run_for(600);	/* underlay changes may be gathered a moment */
	krt_flush(k);
	ck_assert_uint_eq(nls_count(NLS_NH_REPLACE), 1);
	ck_assert_uint_eq(route_reqs(), 0);
	for (unsigned i = 0; i < 5; i++)
		assert_ours_via(pfx_n(i), "198.18.1.2");
}
END_TEST

/* ---- regressions: faults found while writing these tests ---- */

/*
 * repoint() re-points the spare object with oif = spare->oif and then
 * sets need->oif = need->key_oif ? need->key_oif : need->oif: need was
 * never installed, so its oif is 0, and the object's real oif is lost.
 * The next re-point of that object (all routes move on again) sends
 * nl_nh_replace(..., oif 0), which netlink cannot encode (EINVAL): the
 * optimisation fails and every route is replaced one by one.
 */
START_TEST(t_bug_second_repoint_is_one_object_replace_too)
{
	start();
	install_n(0, 10, GW_A);
	krt_synced(k);
	krt_flush(k);
	install_n(0, 10, GW_B);
	krt_flush(k);
	nls_counts_reset();
	install_n(0, 10, GW_C);
	krt_flush(k);
	for (unsigned i = 0; i < 10; i++)
		assert_ours_via(pfx_n(i), GW_C);
	ck_assert_uint_eq(nls_count(NLS_NH_REPLACE), 1);
	ck_assert_uint_eq(route_reqs(), 0);
}
END_TEST

/*
 * repoint() gives the re-pointed object the old gateway's interface
 * (spare->oif) without resolving the new gateway: when B is on another
 * interface than A the kernel refuses (the gateway is not on that link:
 * ENETUNREACH) and every route is replaced one by one instead.
 */
START_TEST(t_bug_repoint_to_gateway_on_other_interface)
{
	const struct nl_route *r;

	nls_connected("198.18.1.0/24", ETH1);
	start();
	install_n(0, 10, GW_A);
	krt_synced(k);
	krt_flush(k);
	nls_counts_reset();
	install_n(0, 10, "198.18.1.2");
	krt_flush(k);
	for (unsigned i = 0; i < 10; i++)
		assert_ours_via(pfx_n(i), "198.18.1.2");
	r = route_at(pfx_n(0));
	ck_assert_uint_eq(nls_nh(r->nh_id, NULL)->oif, ETH1);
	ck_assert_uint_eq(nls_count(NLS_NH_REPLACE), 1);
	ck_assert_uint_eq(route_reqs(), 0);
}
END_TEST

/*
 * After a re-read (ENOBUFS) krt re-creates every object it already had:
 * reconcile() clears nh->installed for every object, and dump_nh_cb()
 * returns early for an id it knows (krt_nh_by_id != NULL) without setting
 * installed again. In HEAD's krt.c that costs one nl_nh_replace per object
 * per resync. In the working tree's krt (objects created with nl_nh_add,
 * NLM_F_EXCL) it is worse: the add of its own id fails EEXIST, krt takes
 * its own id for another program's ("nexthop id 1 is another program's"),
 * moves the gateway to a fresh id, re-installs every route through it, and
 * never deletes the old object (ids in foreign_ids are never touched): one
 * leaked object and N route requests per gateway per ENOBUFS.
 */
START_TEST(t_bug_enobufs_keeps_objects_no_requests)
{
	uint32_t id;

	start();
	install_n(0, 5, GW_A);
	krt_synced(k);
	krt_flush(k);
	id = route_at(pfx_n(0))->nh_id;
	nls_counts_reset();
	nls_inject_enobufs();
	krt_flush(k);
	ck_assert_uint_eq(nh_reqs(), 0);
	ck_assert_uint_eq(route_reqs(), 0);
	ck_assert_uint_eq(nls_nhs(PROTO), 1);
	ck_assert_uint_eq(route_at(pfx_n(0))->nh_id, id);
}
END_TEST

/* ---- ECMP: nexthop groups ---- */

static void
want_ecmp(uint32_t id, const char *pfx, const char *const *gws, size_t n)
{
	struct krt_want w;
	struct prefix p = nls_pfx(pfx);

	ag_map(id, pfx);
	memset(&w, 0, sizeof(w));
	w.type = KRT_UNICAST;
	w.nhops = n;
	for (size_t i = 0; i < n; i++)
		w.hop[i].gw = nls_addr(gws[i]);
	krt_set(k, id, &p, &w);
}

/* The group object a route of ours uses, and its members. */
static const struct nl_nexthop *
group_of(const char *pfx)
{
	const struct nl_route *r = route_at(pfx);
	const struct nl_nexthop *g;
	uint8_t proto = 0;

	ck_assert_msg(r != NULL && r->protocol == PROTO, "%s: not ours", pfx);
	g = nls_nh(r->nh_id, &proto);
	ck_assert_msg(g != NULL, "%s: object %u missing", pfx, r->nh_id);
	ck_assert_uint_eq(proto, PROTO);
	return g;
}

/* Two next hops: one group object per set, shared; duplicates count once. */
START_TEST(t_ecmp_one_group_per_set)
{
	static const char *const ab[] = { GW_A, GW_B };
	static const char *const ba_dup[] = { GW_B, GW_A, GW_B };
	const struct nl_nexthop *g;

	start();
	krt_synced(k);
	want_ecmp(0, pfx_n(0), ab, 2);
	want_ecmp(1, pfx_n(1), ba_dup, 3);
	krt_flush(k);
	g = group_of(pfx_n(0));
	ck_assert_uint_eq(g->ngroup, 2);
	ck_assert_uint_eq(route_at(pfx_n(1))->nh_id, route_at(pfx_n(0))->nh_id);
	ck_assert_uint_eq(nls_nhs(PROTO), 3);	/* A, B and the group */
	ck_assert_int_eq(krt_route_state(k, 0), KRT_S_INSTALLED);
}
END_TEST

/*
 * A path leaves the set of every route of a group (a peer's loss): the
 * group is replaced in place (one request), no route is touched; the path
 * comes back: in place again.
 */
START_TEST(t_ecmp_path_leaves_group_in_place)
{
	static const char *const ab[] = { GW_A, GW_B };
	uint32_t gid;

	start();
	krt_synced(k);
	for (unsigned i = 0; i < 20; i++)
		want_ecmp(i, pfx_n(i), ab, 2);
	krt_flush(k);
	gid = route_at(pfx_n(0))->nh_id;
	ck_assert_uint_eq(group_of(pfx_n(0))->ngroup, 2);
	nls_counts_reset();
	install_n(0, 20, GW_A);		/* B's paths are gone */
	krt_flush(k);
	ck_assert_uint_eq(nls_count(NLS_NH_GROUP), 1);
	ck_assert_uint_eq(route_reqs(), 0);
	for (unsigned i = 0; i < 20; i++) {
		ck_assert_uint_eq(route_at(pfx_n(i))->nh_id, gid);
		ck_assert_uint_eq(group_of(pfx_n(i))->ngroup, 1);
		assert_ours_via(pfx_n(i), GW_A);
	}
	nls_counts_reset();
	for (unsigned i = 0; i < 20; i++)
		want_ecmp(i, pfx_n(i), ab, 2);
	krt_flush(k);
	ck_assert_uint_eq(nls_count(NLS_NH_GROUP), 1);
	ck_assert_uint_eq(route_reqs(), 0);
	for (unsigned i = 0; i < 20; i++) {
		ck_assert_uint_eq(route_at(pfx_n(i))->nh_id, gid);
		ck_assert_uint_eq(group_of(pfx_n(i))->ngroup, 2);
	}
}
END_TEST

/* Most routes leave, a few stay: after the move wait the majority keeps
 * the object (re-pointed), the few get a group of their own. */
START_TEST(t_ecmp_majority_moves_in_place)
{
	static const char *const ab[] = { GW_A, GW_B };

	start();
	krt_synced(k);
	for (unsigned i = 0; i < 20; i++)
		want_ecmp(i, pfx_n(i), ab, 2);
	krt_flush(k);
	nls_counts_reset();
	install_n(0, 15, GW_A);
	krt_flush(k);
	run_for(400);			/* the move wait */
	krt_flush(k);
	ck_assert_uint_eq(route_reqs(), 5);	/* the five that stayed */
	for (unsigned i = 0; i < 15; i++)
		assert_ours_via(pfx_n(i), GW_A);
	for (unsigned i = 15; i < 20; i++)
		ck_assert_uint_eq(group_of(pfx_n(i))->ngroup, 2);
	ck_assert_uint_ne(route_at(pfx_n(0))->nh_id,
	    route_at(pfx_n(19))->nh_id);
}
END_TEST

/* A member that cannot be resolved is left out, and added when it can. */
START_TEST(t_ecmp_member_unresolved_then_added)
{
	static const char *const ac[] = { GW_A, "198.18.9.9" };

	start_with(50, 100);
	krt_synced(k);
	want_ecmp(0, pfx_n(0), ac, 2);
	krt_flush(k);
	ck_assert_uint_eq(group_of(pfx_n(0))->ngroup, 1);
	assert_ours_via(pfx_n(0), GW_A);
	nls_connected("198.18.9.0/24", ETH1);
	run_for(400);
	krt_flush(k);
	ck_assert_uint_eq(group_of(pfx_n(0))->ngroup, 2);
}
END_TEST

/* Without nexthop objects, the first hop alone. */
START_TEST(t_ecmp_no_objects_first_hop)
{
	static const char *const ab[] = { GW_A, GW_B };

	nls_set_nexthop_objects(false);
	start();
	krt_synced(k);
	want_ecmp(0, pfx_n(0), ab, 2);
	krt_flush(k);
	assert_ours_via(pfx_n(0), GW_A);
}
END_TEST

/* A group nobody wants goes, its routes with it. */
START_TEST(t_ecmp_unwanted_group_swept)
{
	static const char *const ab[] = { GW_A, GW_B };

	start();
	krt_synced(k);
	want_ecmp(0, pfx_n(0), ab, 2);
	krt_flush(k);
	nls_counts_reset();
	unwant(0);
	krt_flush(k);
	/* the group's deletion takes the route: no route request */
	ck_assert_uint_eq(route_reqs(), 0);
	ck_assert_ptr_null(route_at(pfx_n(0)));
	ck_assert_uint_eq(nls_nhs(PROTO), 0);
}
END_TEST

/* ---- nh_object_min: few routes carry their gateway ---- */

/* The route at pfx is ours via gw with no object; or via object id. */
static uint32_t
nhid_at(const char *pfx)
{
	const struct nl_route *r = route_at(pfx);

	ck_assert_msg(r != NULL, "%s: no route", pfx);
	return r->nh_id;
}

/* Under the threshold a gateway's routes carry it (no object, no object
 * request); at the threshold it gets an object and every route of it moves
 * there (one replace each); its deletion then takes them all. */
START_TEST(t_obj_min_plain_then_object)
{
	uint32_t id;

	obj_min = 4;
	start();
	krt_synced(k);
	install_n(0, 3, GW_A);
	krt_flush(k);
	ck_assert_uint_eq(nls_routes(PROTO), 3);
	ck_assert_uint_eq(nls_nhs(NLS_ANY), 0);
	ck_assert_uint_eq(nh_reqs(), 0);
	for (unsigned i = 0; i < 3; i++) {
		ck_assert_uint_eq(nhid_at(pfx_n(i)), 0);
		assert_ours_via(pfx_n(i), GW_A);
	}
	nls_counts_reset();
	install_n(3, 2, GW_A);		/* 5 routes: past 4 */
	krt_flush(k);
	ck_assert_uint_eq(nls_count(NLS_NH_ADD), 1);
	ck_assert_uint_eq(nls_nhs(PROTO), 1);
	id = nhid_at(pfx_n(0));
	ck_assert_uint_ne(id, 0);
	for (unsigned i = 0; i < 5; i++) {
		ck_assert_uint_eq(nhid_at(pfx_n(i)), id);
		assert_ours_via(pfx_n(i), GW_A);
	}
	ck_assert_uint_eq(installs(), 5);	/* 3 moved, 2 new */
	ck_assert_uint_eq(nls_count(NLS_DELETE), 0);
	nls_counts_reset();
	for (unsigned i = 0; i < 5; i++)
		unwant(i);
	krt_flush(k);
	ck_assert_uint_eq(route_reqs(), 0);	/* the object took them */
	ck_assert_uint_eq(nls_count(NLS_NH_DELETE), 1);
	ck_assert_uint_eq(nls_routes(PROTO), 0);
	ck_assert_uint_eq(nls_nhs(PROTO), 0);
}
END_TEST

/* Routes without an object are removed one by one, by prefix, and move to
 * another gateway by a replace each; another gateway's routes stay. */
START_TEST(t_obj_min_plain_removed_and_moved)
{
	obj_min = 8;
	start();
	krt_synced(k);
	install_n(0, 3, GW_A);
	install_n(3, 3, GW_B);
	krt_flush(k);
	ck_assert_uint_eq(nls_routes(PROTO), 6);
	nls_counts_reset();
	for (unsigned i = 0; i < 3; i++)
		unwant(i);
	install_n(3, 3, GW_C);
	krt_flush(k);
	ck_assert_uint_eq(nls_count(NLS_DELETE), 3);
	ck_assert_uint_eq(installs(), 3);
	ck_assert_uint_eq(nh_reqs(), 0);
	ck_assert_uint_eq(nls_routes(PROTO), 3);
	for (unsigned i = 0; i < 3; i++)
		ck_assert_ptr_null(route_at(pfx_n(i)));
	for (unsigned i = 3; i < 6; i++) {
		ck_assert_uint_eq(nhid_at(pfx_n(i)), 0);
		assert_ours_via(pfx_n(i), GW_C);
	}
	krt_remove_all(k);
	ck_assert_uint_eq(nls_routes(PROTO), 0);
}
END_TEST

/* Start-up: routes of ours that carry their gateway (a run with few
 * routes per gateway left them) are adopted as they are; those not wanted
 * go after the sync. */
START_TEST(t_obj_min_adopt_plain)
{
	struct nl_route r;

	for (unsigned i = 0; i < 4; i++) {
		r = ours_via_nh(pfx_n(i), 0);
		r.gw = nls_addr(GW_A);
		r.oif = ETH0;
		nls_put_route(&r);
	}
	obj_min = 8;
	start();
	install_n(0, 3, GW_A);
	krt_flush(k);
	krt_synced(k);
	krt_flush(k);
	ck_assert_uint_eq(installs(), 0);
	ck_assert_uint_eq(nls_count(NLS_DELETE), 1);
	ck_assert_uint_eq(nh_reqs(), 0);
	ck_assert_uint_eq(nls_routes(PROTO), 3);
}
END_TEST

/* ECMP routes use a group object, whose members are objects, whatever the
 * threshold; the members' own routes move onto the objects too. */
START_TEST(t_obj_min_ecmp_members_get_objects)
{
	static const char *const ab[] = { GW_A, GW_B };

	obj_min = 8;
	start();
	krt_synced(k);
	want(1, pfx_n(1), GW_A);
	krt_flush(k);
	ck_assert_uint_eq(nhid_at(pfx_n(1)), 0);
	want_ecmp(0, pfx_n(0), ab, 2);
	krt_flush(k);
	ck_assert_uint_ne(nhid_at(pfx_n(0)), 0);
	ck_assert_uint_eq(nls_nhs(PROTO), 3);	/* A, B and the group */
	ck_assert_uint_ne(nhid_at(pfx_n(1)), 0);
	assert_ours_via(pfx_n(1), GW_A);
}
END_TEST

static Suite *
krt_suite(void)
{
	Suite *s = suite_create("krt");
	TCase *tc = tcase_create("core");
	TCase *tb = tcase_create("regressions");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, t_install_routes_and_two_objects);
	tcase_add_test(tc, t_ipip_hop_onlink);
	tcase_add_test(tc, t_adopt_at_start_delete_only_after_synced);
	tcase_add_test(tc, t_repoint_all_routes_one_object_replace);
	tcase_add_test(tc, t_peer_loss_one_object_delete);
	tcase_add_test(tc, t_route_changed_by_someone_else_restored);
	tcase_add_test(tc, t_object_deleted_by_someone_else_restored);
	tcase_add_test(tc, t_enobufs_reread_and_reconcile);
	tcase_add_test(tc, t_freeze_changes_nothing);
	tcase_add_test(tc, t_remove_all_ours_only);
	tcase_add_test(tc, t_no_objects_routes_carry_gateway);
	tcase_add_test(tc, t_no_objects_adopt_without_requests);
	tcase_add_test(tc, t_foreign_route_never_deleted);
	tcase_add_test(tc, t_refused_route_retried);
	tcase_add_test(tc, t_conflict_foreign_route_kept_then_ours_when_gone);
	tcase_add_test(tc, t_conflict_ours_taken_over_not_put_back);
	tcase_add_test(tc, t_conflict_ends_with_its_link);
	tcase_add_test(tc, t_nh_id_of_other_program_untouched_other_id_used);
	tcase_add_test(tc, t_nexthop_retry_backoff_one_log_line_then_installed);
	tcase_add_test(tc, t_recursive_nexthop_follows_underlay);
	tcase_add_test(tc, t_ecmp_one_group_per_set);
	tcase_add_test(tc, t_ecmp_path_leaves_group_in_place);
	tcase_add_test(tc, t_ecmp_majority_moves_in_place);
	tcase_add_test(tc, t_ecmp_member_unresolved_then_added);
	tcase_add_test(tc, t_ecmp_no_objects_first_hop);
	tcase_add_test(tc, t_ecmp_unwanted_group_swept);
	tcase_add_test(tc, t_obj_min_plain_then_object);
	tcase_add_test(tc, t_obj_min_plain_removed_and_moved);
	tcase_add_test(tc, t_obj_min_adopt_plain);
	tcase_add_test(tc, t_obj_min_ecmp_members_get_objects);
	suite_add_tcase(s, tc);
	/* faults found while these tests were written (issue 12) */
	tcase_add_checked_fixture(tb, setup, teardown);
	tcase_set_timeout(tb, 30);
	tcase_add_test(tb, t_bug_second_repoint_is_one_object_replace_too);
	tcase_add_test(tb, t_bug_repoint_to_gateway_on_other_interface);
	tcase_add_test(tb, t_bug_enobufs_keeps_objects_no_requests);
	suite_add_tcase(s, tb);
	return s;
}

int
main(void)
{
	return check_run(krt_suite());
}
