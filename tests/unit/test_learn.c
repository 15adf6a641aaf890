/*
 * test_learn.c: krt/learn.c alone (it is pure: the interface names come
 * from a table here instead of if_indextoname). Every changed() call is
 * recorded in order and checked.
 */
#include <check.h>

#include "check_run.h"
#include "log_capture.h"
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "learn.h"
#include "netlink.h"

#define PROTO_FELIX	80
#define PROTO_BOOT	3
#define PROTO_STATIC	4

/* ifindex -> name: index 0 unused; NULL: no such interface */
static const char *names[16];

static const char *
tbl_ifname(void *arg, uint32_t ifindex, char *buf)
{
	(void)arg;
	if (ifindex >= 16 || names[ifindex] == NULL)
		return NULL;
	snprintf(buf, IF_NAMESIZE, "%s", names[ifindex]);
	return buf;
}

/* the changed() calls, as "+10.244.2.5/32" / "-10.244.2.5/32" */
static char calls[64][PREFIX_STRLEN + 1];
static size_t ncalls;

static void
rec_changed(void *arg, const struct prefix *pfx, bool present)
{
	char buf[PREFIX_STRLEN];

	(void)arg;
	ck_assert_uint_lt(ncalls, 64);
	snprintf(calls[ncalls++], sizeof(calls[0]), "%c%s",
	    present ? '+' : '-', prefix_fmt(pfx, buf, sizeof(buf)));
}

static struct learn *
mk(const char *pats, size_t max)
{
	struct learn_params lp = {
		.interfaces = pats,
		.own_protocol = NL_PROTO_TERN,
		.max_routes = max,
		.ifname = tbl_ifname,
	};

	ncalls = 0;
	memset(names, 0, sizeof(names));
	names[1] = "lo";
	names[2] = "eth0";
	names[3] = "cali1234abcd";
	names[4] = "cali5678";
	names[5] = "tap0";
	return learn_new(&lp, rec_changed, NULL);
}

/* A route as Felix installs it: dst dev <oif> scope link proto 80. */
static struct nl_route
R(const char *dst, uint32_t oif)
{
	struct nl_route r;

	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(prefix_parse(dst, &r.dst), 0);
	r.type = NL_RT_UNICAST;
	r.oif = oif;
	r.protocol = PROTO_FELIX;
	r.scope = 253;		/* RT_SCOPE_LINK */
	r.table = NL_TABLE_MAIN;
	return r;
}

#define CALLS(n)	ck_assert_uint_eq(ncalls, (n))
#define CALL(i, s)	ck_assert_str_eq(calls[i], (s))

START_TEST(t_match)
{
	struct learn *l = mk("cali*", 0);
	struct nl_route r = R("10.244.2.5/32", 3);
	struct learn_stats st;

	learn_route(l, &r, false);
	CALLS(1);
	CALL(0, "+10.244.2.5/32");
	ck_assert(learn_has(l, &r.dst));
	r = R("fd00:244:2::5/128", 4);
	r.protocol = PROTO_BOOT;
	learn_route(l, &r, false);
	CALLS(2);
	CALL(1, "+fd00:244:2::5/128");
	/* any other program but tern and the kernel: static is learned too */
	r = R("10.244.2.6/32", 4);
	r.protocol = PROTO_STATIC;
	learn_route(l, &r, false);
	CALLS(3);
	learn_stats(l, &st);
	ck_assert_uint_eq(st.routes, 3);
	ck_assert_uint_eq(st.prefixes, 3);
	ck_assert_uint_eq(st.refused, 0);
	learn_free(l);
}
END_TEST

START_TEST(t_no_match)
{
	struct learn *l = mk("cali*", 0);
	struct nl_route r;

	r = R("10.244.2.5/32", 2);		/* eth0 */
	learn_route(l, &r, false);
	r = R("10.244.2.6/32", 9);		/* no such interface */
	learn_route(l, &r, false);
	r = R("10.244.2.7/32", 0);		/* no device */
	learn_route(l, &r, false);
	r = R("10.244.2.0/26", 3);		/* not a host route */
	learn_route(l, &r, false);
	r = R("10.244.2.8/32", 3);		/* ours */
	r.protocol = NL_PROTO_TERN;
	learn_route(l, &r, false);
	r = R("10.244.2.9/32", 3);		/* the kernel's */
	r.protocol = 2;
	learn_route(l, &r, false);
	r = R("10.244.2.10/32", 3);		/* a redirect */
	r.protocol = 1;
	learn_route(l, &r, false);
	r = R("10.244.2.11/32", 3);		/* not unicast */
	r.type = NL_RT_BLACKHOLE;
	learn_route(l, &r, false);
	r = R("10.244.2.12/32", 3);
	r.type = NL_RT_OTHER;
	learn_route(l, &r, false);
	CALLS(0);
	learn_free(l);

	/* "" learns nothing; NULL neither */
	l = mk("", 0);
	r = R("10.244.2.5/32", 3);
	learn_route(l, &r, false);
	CALLS(0);
	learn_free(l);
	l = mk(NULL, 0);
	learn_route(l, &r, false);
	CALLS(0);
	learn_free(l);
}
END_TEST

START_TEST(t_patterns)
{
	struct learn *l = mk(" tap* ,, cali5678 ", 0);
	struct nl_route r;

	r = R("10.244.2.5/32", 3);		/* cali1234abcd: not listed */
	learn_route(l, &r, false);
	CALLS(0);
	r = R("10.244.2.6/32", 4);
	learn_route(l, &r, false);
	r = R("10.244.2.7/32", 5);
	learn_route(l, &r, false);
	CALLS(2);
	CALL(0, "+10.244.2.6/32");
	CALL(1, "+10.244.2.7/32");
	learn_free(l);
}
END_TEST

START_TEST(t_delete)
{
	struct learn *l = mk("cali*", 0);
	struct nl_route r = R("10.244.2.5/32", 3), other;

	learn_route(l, &r, false);
	/* a deletion of something never learned: nothing */
	other = R("10.244.2.6/32", 3);
	learn_route(l, &other, true);
	CALLS(1);
	/* the device is gone already: the deletion still counts */
	names[3] = NULL;
	learn_route(l, &r, true);
	CALLS(2);
	CALL(1, "-10.244.2.5/32");
	ck_assert(!learn_has(l, &r.dst));
	learn_route(l, &r, true);
	CALLS(2);
	learn_free(l);
}
END_TEST

/* A route replaced onto another device leaves when that one does not match;
 * a renamed device is judged by its new name at the next report. */
START_TEST(t_change)
{
	struct learn *l = mk("cali*", 0);
	struct nl_route r = R("10.244.2.5/32", 3);

	learn_route(l, &r, false);
	r.oif = 4;				/* cali -> cali: no change */
	learn_route(l, &r, false);
	CALLS(1);
	r.oif = 2;				/* cali -> eth0 */
	learn_route(l, &r, false);
	CALLS(2);
	CALL(1, "-10.244.2.5/32");
	r.oif = 3;
	learn_route(l, &r, false);
	CALLS(3);
	names[3] = "eth7";			/* renamed; reported again */
	learn_route(l, &r, false);
	CALLS(4);
	CALL(3, "-10.244.2.5/32");
	learn_free(l);
}
END_TEST

/* The same route twice is one; the same prefix at two metrics is one
 * prefix, present until its last route goes. */
START_TEST(t_duplicates)
{
	struct learn *l = mk("cali*", 0);
	struct nl_route a = R("10.244.2.5/32", 3), b = a;
	struct learn_stats st;

	learn_route(l, &a, false);
	learn_route(l, &a, false);
	CALLS(1);
	b.priority = 100;
	learn_route(l, &b, false);
	CALLS(1);
	learn_stats(l, &st);
	ck_assert_uint_eq(st.routes, 2);
	ck_assert_uint_eq(st.prefixes, 1);
	learn_route(l, &a, true);
	CALLS(1);
	ck_assert(learn_has(l, &a.dst));
	learn_route(l, &b, true);
	CALLS(2);
	CALL(1, "-10.244.2.5/32");
	learn_stats(l, &st);
	ck_assert_uint_eq(st.routes, 0);
	ck_assert_uint_eq(st.prefixes, 0);
	learn_free(l);
}
END_TEST

/* A device goes down or away: the kernel says nothing of its routes. */
START_TEST(t_link_down)
{
	struct learn *l = mk("cali*", 0);
	struct nl_route a = R("10.244.2.5/32", 3), b = R("10.244.2.6/32", 4);

	learn_route(l, &a, false);
	learn_route(l, &b, false);
	CALLS(2);
	learn_link_down(l, 5);		/* none of its routes learned */
	CALLS(2);
	learn_link_down(l, 3);
	CALLS(3);
	CALL(2, "-10.244.2.5/32");
	ck_assert(!learn_has(l, &a.dst));
	ck_assert(learn_has(l, &b.dst));
	learn_free(l);
}
END_TEST

START_TEST(t_resync)
{
	struct learn *l = mk("cali*", 0);
	struct nl_route a = R("10.244.2.5/32", 3), b = R("10.244.2.6/32", 3);
	struct nl_route c = R("10.244.2.7/32", 4);

	learn_route(l, &a, false);
	learn_route(l, &b, false);
	CALLS(2);
	/* a re-read that sees a and c: b went while events were lost */
	learn_resync(l, true);
	learn_route(l, &a, false);
	learn_route(l, &c, false);
	CALLS(3);
	CALL(2, "+10.244.2.7/32");
	learn_resync(l, false);
	CALLS(4);
	CALL(3, "-10.244.2.6/32");
	ck_assert(learn_has(l, &a.dst));
	ck_assert(!learn_has(l, &b.dst));
	ck_assert(learn_has(l, &c.dst));
	/* an end without a beginning changes nothing */
	learn_resync(l, false);
	CALLS(4);
	/* a re-read that starts over (begin twice): only the last counts */
	learn_resync(l, true);
	learn_route(l, &a, false);
	learn_resync(l, true);
	learn_route(l, &c, false);
	learn_resync(l, false);
	CALLS(5);
	CALL(4, "-10.244.2.5/32");
	/* an empty re-read: everything goes */
	learn_resync(l, true);
	learn_resync(l, false);
	CALLS(6);
	CALL(5, "-10.244.2.7/32");
	learn_free(l);
}
END_TEST

/* host i of the bound tests: 10.244.2.i/32 on cali1234abcd */
static void
host(struct learn *l, int i, bool deleted)
{
	char s[PREFIX_STRLEN];
	struct nl_route r;

	snprintf(s, sizeof(s), "10.244.2.%d/32", i);
	r = R(s, 3);
	learn_route(l, &r, deleted);
}

#define LIMIT_LINE	"workload routes learned, the limit"

START_TEST(t_bound)
{
	struct learn *l = mk("cali*", 20);
	struct nl_route r;
	struct learn_stats st;
	char s[PREFIX_STRLEN];
	int i;

	log_capture();
	for (i = 1; i <= 22; i++)
		host(l, i, false);
	CALLS(20);
	learn_stats(l, &st);
	ck_assert_uint_eq(st.routes, 20);
	ck_assert_uint_eq(st.refused, 2);
	ck_assert_int_eq(log_lines(LIMIT_LINE), 1);
	r = R("10.244.2.21/32", 3);
	ck_assert(!learn_has(l, &r.dst));
	/* a route already learned, reported again, is not refused */
	host(l, 1, false);
	learn_stats(l, &st);
	ck_assert_uint_eq(st.refused, 2);
	/* room again: a refused route is learned when reported again */
	host(l, 1, true);
	host(l, 21, false);
	CALLS(22);
	CALL(21, "+10.244.2.21/32");
	/* at the bound again, not below 90% in between: not logged again */
	host(l, 23, false);
	ck_assert_int_eq(log_lines(LIMIT_LINE), 1);
	/* below 90% (18 of 20) and back to the bound: logged again */
	host(l, 2, true);
	host(l, 3, true);
	host(l, 2, false);
	host(l, 3, false);
	host(l, 24, false);
	ck_assert_int_eq(log_lines(LIMIT_LINE), 2);
	learn_stats(l, &st);
	ck_assert_uint_eq(st.refused, 4);
	learn_free(l);

	/* the default bound */
	l = mk("cali*", 0);
	for (i = 0; i < LEARN_MAX_DEFAULT + 2; i++) {
		snprintf(s, sizeof(s), "10.%d.%d.%d/32", 100 + (i >> 16),
		    (i >> 8) & 255, i & 255);
		r = R(s, 3);
		ncalls = 0;
		learn_route(l, &r, false);
	}
	learn_stats(l, &st);
	ck_assert_uint_eq(st.routes, LEARN_MAX_DEFAULT);
	ck_assert_uint_eq(st.refused, 2);
	learn_free(l);
}
END_TEST

/* learn_free with routes still learned: no changed() calls, no leak. */
START_TEST(t_free)
{
	struct learn *l = mk("cali*", 0);
	struct nl_route r = R("10.244.2.5/32", 3);

	learn_route(l, &r, false);
	learn_free(l);
	CALLS(1);
	learn_free(NULL);
}
END_TEST

static Suite *
learn_suite(void)
{
	Suite *s = suite_create("learn");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, t_match);
	tcase_add_test(tc, t_no_match);
	tcase_add_test(tc, t_patterns);
	tcase_add_test(tc, t_delete);
	tcase_add_test(tc, t_change);
	tcase_add_test(tc, t_duplicates);
	tcase_add_test(tc, t_link_down);
	tcase_add_test(tc, t_resync);
	tcase_add_test(tc, t_bound);
	tcase_add_test(tc, t_free);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_run(learn_suite());
}
