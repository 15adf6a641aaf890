/*
 * test_rib.c: the route table (rib/rib.c, table.c, attrs.c) through its
 * public API, with a recording client that checks the exact sequence of
 * best_changed(pfx, new, old) calls; and a 1,000,000-prefix scale run that
 * reports time and memory per route (INFO lines, no timing assertions).
 */
#include <check.h>

#include "check_run.h"
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rib.h"

#define RIB_ID_V6_BIT	(1u << 31)

/* One best_changed call, copied: the pointers die with the call. */
struct note {
	struct prefix	 pfx;
	uint32_t	 id;
	bool		 has_new, has_old;
	struct rib_path	 nb, ob;
	uint32_t	 old_med;	/* read via old_best in the call */
};

#define MAXNOTES	64

struct rec {
	struct note	 notes[MAXNOTES];
	size_t		 n;		/* calls, also beyond MAXNOTES */
	size_t		 seen;		/* checked so far */
};

static struct rib *rib;
static struct rec rec;
static struct rib_client *client;
static struct rib_src s1, s2, s3;

static void
record(void *arg, const struct prefix *pfx, uint32_t id,
    const struct rib_path *nb, const struct rib_path *ob)
{
	struct rec *r = arg;
	struct note *n;

	if (r->n++ >= MAXNOTES)
		return;
	n = &r->notes[r->n - 1];
	memset(n, 0, sizeof(*n));
	n->pfx = *pfx;
	n->id = id;
	if ((n->has_new = nb != NULL))
		n->nb = *nb;
	if ((n->has_old = ob != NULL)) {
		n->ob = *ob;
		n->old_med = ob->attrs->med;
	}
}

static const struct rib_client_ops rec_ops = { .best_changed = record };

static void
src_init(struct rib_src *s, const char *name, uint32_t rid, const char *addr)
{
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->kind = RIB_SRC_BGP;
	s->as = 64512;
	s->router_id = rid;
	ck_assert_int_eq(addr_parse(addr, &s->addr), 0);
}

static void
setup(void)
{
	rib = rib_new();
	memset(&rec, 0, sizeof(rec));
	client = rib_client_add(rib, &rec_ops, &rec);
	src_init(&s1, "s1", 1, "198.18.0.1");
	src_init(&s2, "s2", 2, "198.18.0.2");
	src_init(&s3, "s3", 3, "198.18.0.3");
}

static void
teardown(void)
{
	rib_free(rib);
	rib = NULL;
}

static struct prefix
P(const char *s)
{
	struct prefix p;

	ck_assert_int_eq(prefix_parse(s, &p), 0);
	return p;
}

/* An interned set with this MED and LOCAL_PREF (0: absent). */
static const struct rib_attrs *
A(uint32_t med, uint32_t lp)
{
	struct rib_attrs t;

	memset(&t, 0, sizeof(t));
	addr_set_v4(&t.nexthop, 0xc6120001);
	t.has_med = true;
	t.med = med;
	t.has_local_pref = lp != 0;
	t.local_pref = lp;
	return rib_attrs_intern(rib, &t);
}

/* The next note is (pfx, new (src, attrs) or NULL, old (src, attrs)). */
static void
expect(const char *pfx, const struct rib_src *nsrc,
    const struct rib_attrs *na, const struct rib_src *osrc,
    const struct rib_attrs *oa)
{
	struct note *n;
	struct prefix p = P(pfx);

	ck_assert_uint_lt(rec.seen, rec.n);
	n = &rec.notes[rec.seen++];
	ck_assert_msg(prefix_eq(&n->pfx, &p), "note %zu: wrong prefix",
	    rec.seen - 1);
	ck_assert_int_eq(n->has_new, nsrc != NULL);
	if (nsrc != NULL) {
		ck_assert_ptr_eq(n->nb.src, nsrc);
		ck_assert_ptr_eq(n->nb.attrs, na);
	}
	ck_assert_int_eq(n->has_old, osrc != NULL);
	if (osrc != NULL) {
		ck_assert_ptr_eq(n->ob.src, osrc);
		ck_assert_ptr_eq(n->ob.attrs, oa);
	}
}

static void
expect_none(void)
{
	ck_assert_uint_eq(rec.seen, rec.n);
}

START_TEST(t_insert_withdraw)
{
	const struct rib_attrs *a = A(1, 0);
	struct prefix p = P("10.0.0.0/24");
	const struct rib_entry *e;

	ck_assert_int_eq(rib_update(rib, &s1, &p, 0, a), 0);
	expect("10.0.0.0/24", &s1, a, NULL, NULL);
	expect_none();
	ck_assert_uint_eq(rib_count_prefixes(rib), 1);
	ck_assert_uint_eq(rib_count_paths(rib), 1);
	ck_assert_uint_eq(s1.npaths, 1);
	e = rib_lookup(rib, &p);
	ck_assert_ptr_nonnull(e);
	{
		struct prefix q = rib_entry_prefix(e);

		ck_assert(prefix_eq(&q, &p));
	}
	ck_assert_ptr_eq(rib_entry_best(e)->attrs, a);
	ck_assert_int_eq(rib_entry_reason(e), RIB_REASON_ONLY_PATH);

	ck_assert(!rib_withdraw(rib, &s2, &p, 0));
	ck_assert(!rib_withdraw(rib, &s1, &p, 7));
	expect_none();
	ck_assert(rib_withdraw(rib, &s1, &p, 0));
	expect("10.0.0.0/24", NULL, NULL, &s1, a);
	expect_none();
	ck_assert(!rib_withdraw(rib, &s1, &p, 0));
	ck_assert_uint_eq(rib_count_prefixes(rib), 0);
	ck_assert_uint_eq(rib_count_paths(rib), 0);
	ck_assert_uint_eq(s1.npaths, 0);
	ck_assert_ptr_null(rib_lookup(rib, &p));
	rib_attrs_unref(rib, a);
	ck_assert_uint_eq(rib_count_attrs(rib), 0);
}
END_TEST

START_TEST(t_identical_is_silent)
{
	const struct rib_attrs *a = A(1, 0), *a2 = A(1, 0);
	struct prefix p = P("10.0.0.0/24");

	ck_assert_ptr_eq(a, a2);
	ck_assert_int_eq(rib_update(rib, &s1, &p, 0, a), 0);
	ck_assert_int_eq(rib_update(rib, &s1, &p, 0, a), 0);
	ck_assert_int_eq(rib_update(rib, &s1, &p, 0, a2), 0);
	expect("10.0.0.0/24", &s1, a, NULL, NULL);
	expect_none();
	ck_assert_uint_eq(rib_count_paths(rib), 1);
}
END_TEST

START_TEST(t_replace_best_attrs)
{
	const struct rib_attrs *a = A(10, 0), *b = A(20, 0);
	struct prefix p = P("10.0.0.0/24");

	ck_assert_int_eq(rib_update(rib, &s1, &p, 0, a), 0);
	rib_attrs_unref(rib, a);	/* the path holds the only reference */
	ck_assert_int_eq(rib_update(rib, &s1, &p, 0, b), 0);
	expect("10.0.0.0/24", &s1, a, NULL, NULL);
	expect("10.0.0.0/24", &s1, b, &s1, a);
	/* old_best showed the old attributes, alive during the call */
	ck_assert_uint_eq(rec.notes[1].old_med, 10);
	expect_none();
	ck_assert_uint_eq(rib_count_attrs(rib), 1);
	ck_assert_uint_eq(rib_count_paths(rib), 1);
	ck_assert_uint_eq(s1.npaths, 1);
}
END_TEST

START_TEST(t_best_switch)
{
	const struct rib_attrs *lo = A(0, 100), *hi = A(0, 200);
	const struct rib_attrs *worse = A(0, 50);
	struct prefix p = P("10.0.0.0/24");
	const struct rib_entry *e;

	ck_assert_int_eq(rib_update(rib, &s1, &p, 0, lo), 0);
	ck_assert_int_eq(rib_update(rib, &s2, &p, 0, hi), 0);
	expect("10.0.0.0/24", &s1, lo, NULL, NULL);
	expect("10.0.0.0/24", &s2, hi, &s1, lo);
	e = rib_lookup(rib, &p);
	ck_assert_int_eq(rib_entry_reason(e), RIB_REASON_LOCAL_PREF);
	ck_assert_ptr_eq(rib_entry_paths(e), rib_entry_best(e));
	ck_assert_ptr_nonnull(rib_entry_paths(e)->next);

	/* a worse path arrives, a non-best one changes: no notification */
	ck_assert_int_eq(rib_update(rib, &s3, &p, 0, worse), 0);
	ck_assert_int_eq(rib_update(rib, &s1, &p, 0, worse), 0);
	ck_assert_int_eq(rib_update(rib, &s1, &p, 0, lo), 0);
	ck_assert_int_eq(rib_update(rib, &s3, &p, 0, lo), 0);
	expect_none();
	ck_assert_uint_eq(rib_count_paths(rib), 3);

	/* the best leaves: s1 wins over s3 on router id */
	ck_assert(rib_withdraw(rib, &s2, &p, 0));
	expect("10.0.0.0/24", &s1, lo, &s2, hi);
	e = rib_lookup(rib, &p);
	ck_assert_int_eq(rib_entry_reason(e), RIB_REASON_ROUTER_ID);
	/* the best gets worse and loses */
	ck_assert_int_eq(rib_update(rib, &s1, &p, 0, worse), 0);
	expect("10.0.0.0/24", &s3, lo, &s1, lo);
	ck_assert_int_eq(rib_update(rib, &s2, &p, 0, hi), 0);
	expect("10.0.0.0/24", &s2, hi, &s3, lo);
	ck_assert(rib_withdraw(rib, &s1, &p, 0));
	ck_assert(rib_withdraw(rib, &s3, &p, 0));
	expect_none();
	ck_assert(rib_withdraw(rib, &s2, &p, 0));
	expect("10.0.0.0/24", NULL, NULL, &s2, hi);
	expect_none();
	ck_assert_uint_eq(s1.npaths + s2.npaths + s3.npaths, 0);
}
END_TEST

START_TEST(t_add_path)
{
	const struct rib_attrs *a = A(0, 0);
	struct prefix p = P("10.0.0.0/24");
	const struct rib_entry *e;
	const struct rib_path *x;

	ck_assert_int_eq(rib_update(rib, &s1, &p, 2, a), 0);
	ck_assert_int_eq(rib_update(rib, &s1, &p, 1, a), 0);
	ck_assert_uint_eq(rib_count_paths(rib), 2);
	ck_assert_uint_eq(s1.npaths, 2);
	e = rib_lookup(rib, &p);
	ck_assert_uint_eq(rib_entry_best(e)->path_id, 1);
	ck_assert_int_eq(rib_entry_reason(e), RIB_REASON_PATH_ID);
	x = rib_entry_paths(e)->next;
	ck_assert_ptr_nonnull(x);
	ck_assert_uint_eq(x->path_id, 2);
	ck_assert_ptr_null(x->next);
	expect("10.0.0.0/24", &s1, a, NULL, NULL);
	ck_assert_uint_eq(rec.notes[0].nb.path_id, 2);
	expect("10.0.0.0/24", &s1, a, &s1, a);
	ck_assert_uint_eq(rec.notes[1].nb.path_id, 1);
	ck_assert_uint_eq(rec.notes[1].ob.path_id, 2);

	ck_assert(rib_withdraw(rib, &s1, &p, 1));
	expect("10.0.0.0/24", &s1, a, &s1, a);
	ck_assert_uint_eq(rec.notes[2].nb.path_id, 2);
	ck_assert_uint_eq(rec.notes[2].ob.path_id, 1);
	expect_none();
	ck_assert_uint_eq(rib_count_paths(rib), 1);
	ck_assert_int_eq(rib_entry_reason(e), RIB_REASON_ONLY_PATH);
}
END_TEST

START_TEST(t_flush_source)
{
	const struct rib_attrs *a = A(0, 0), *b = A(0, 0);
	struct prefix p1 = P("10.0.1.0/24"), p2 = P("10.0.2.0/24");
	struct prefix p3 = P("fd00::/64");

	/* s1 has three prefixes (two add-path paths on p1), s2 shares p2 */
	ck_assert_int_eq(rib_update(rib, &s1, &p1, 0, a), 0);
	ck_assert_int_eq(rib_update(rib, &s1, &p1, 1, a), 0);
	ck_assert_int_eq(rib_update(rib, &s1, &p2, 0, a), 0);
	ck_assert_int_eq(rib_update(rib, &s2, &p2, 0, b), 0);
	ck_assert_int_eq(rib_update(rib, &s1, &p3, 0, a), 0);
	rec.seen = rec.n;
	ck_assert_uint_eq(rib_flush_source(rib, &s3), 0);
	ck_assert_uint_eq(rib_flush_source(rib, &s1), 4);
	ck_assert_uint_eq(rec.n - rec.seen, 3);
	/* table order: check the set, not the sequence */
	for (size_t i = rec.seen; i < rec.n; i++) {
		const struct note *n = &rec.notes[i];

		ck_assert(n->has_old);
		ck_assert_ptr_eq(n->ob.src, &s1);
		if (prefix_eq(&n->pfx, &p2)) {
			ck_assert(n->has_new);
			ck_assert_ptr_eq(n->nb.src, &s2);
		} else
			ck_assert(!n->has_new);
	}
	rec.seen = rec.n;
	ck_assert_uint_eq(s1.npaths, 0);
	ck_assert_uint_eq(rib_count_prefixes(rib), 1);
	ck_assert_uint_eq(rib_count_paths(rib), 1);
	ck_assert_ptr_null(rib_lookup(rib, &p1));
	ck_assert_ptr_nonnull(rib_lookup(rib, &p2));
	ck_assert_uint_eq(rib_flush_source(rib, &s1), 0);
	expect_none();
}
END_TEST

START_TEST(t_stale)
{
	const struct rib_attrs *a = A(1, 0), *b = A(2, 0);
	struct prefix p1 = P("10.0.1.0/24"), p2 = P("10.0.2.0/24");
	struct prefix p3 = P("10.0.3.0/24");

	ck_assert_int_eq(rib_update(rib, &s1, &p1, 0, a), 0);
	ck_assert_int_eq(rib_update(rib, &s1, &p2, 0, a), 0);
	ck_assert_int_eq(rib_update(rib, &s1, &p3, 0, a), 0);
	ck_assert_int_eq(rib_update(rib, &s2, &p3, 0, a), 0);
	rec.seen = rec.n;
	ck_assert_uint_eq(rib_mark_stale(rib, &s1), 3);
	ck_assert(rib_entry_best(rib_lookup(rib, &p1))->stale);
	expect_none();

	/* refreshed: p1 unchanged (silent), p2 with new attributes */
	ck_assert_int_eq(rib_update(rib, &s1, &p1, 0, a), 0);
	expect_none();
	ck_assert(!rib_entry_best(rib_lookup(rib, &p1))->stale);
	ck_assert_int_eq(rib_update(rib, &s1, &p2, 0, b), 0);
	expect("10.0.2.0/24", &s1, b, &s1, a);
	ck_assert(!rib_entry_best(rib_lookup(rib, &p2))->stale);
	/* p3 still stale: swept, s2 takes over */
	ck_assert_uint_eq(rib_sweep_stale(rib, &s1), 1);
	expect("10.0.3.0/24", &s2, a, &s1, a);
	expect_none();
	ck_assert_uint_eq(s1.npaths, 2);
	ck_assert_uint_eq(rib_sweep_stale(rib, &s1), 0);
	ck_assert_uint_eq(rib_count_prefixes(rib), 3);
	ck_assert_uint_eq(rib_count_paths(rib), 3);
}
END_TEST

START_TEST(t_interning)
{
	uint8_t path1[] = { 2, 1, 0, 0, 0xfd, 0xe9 };
	uint8_t path2[] = { 2, 1, 0, 0, 0xfd, 0xe9 };
	uint32_t comm1[] = { 0xfde80001, 0xfde80002 }, comm2[2];
	struct rib_attrs t1, t2;
	const struct rib_attrs *x, *y, *z;
	struct prefix p = P("10.0.0.0/24"), q = P("10.0.1.0/24");

	memcpy(comm2, comm1, sizeof(comm2));
	memset(&t1, 0, sizeof(t1));
	t1.aspath = path1;
	t1.aspath_len = sizeof(path1);
	t1.communities = comm1;
	t1.ncommunities = 2;
	t1.med = 77;		/* has_med false: ignored */
	t2 = t1;
	t2.aspath = path2;
	t2.communities = comm2;
	t2.med = 0;
	x = rib_attrs_intern(rib, &t1);
	y = rib_attrs_intern(rib, &t2);
	ck_assert_ptr_eq(x, y);
	ck_assert_ptr_ne(x->aspath, path1);	/* copied */
	ck_assert_mem_eq(x->aspath, path1, sizeof(path1));
	ck_assert_uint_eq(x->communities[1], 0xfde80002);
	ck_assert_uint_eq(x->refcnt, 2);
	comm2[1] = 3;
	z = rib_attrs_intern(rib, &t2);
	ck_assert_ptr_ne(x, z);
	ck_assert_uint_eq(rib_count_attrs(rib), 2);

	ck_assert_int_eq(rib_update(rib, &s1, &p, 0, x), 0);
	ck_assert_int_eq(rib_update(rib, &s1, &q, 0, z), 0);
	ck_assert_int_eq(rib_update(rib, &s2, &q, 0, x), 0);
	rib_attrs_unref(rib, x);
	rib_attrs_unref(rib, y);
	rib_attrs_unref(rib, z);
	ck_assert_uint_eq(x->refcnt, 2);
	ck_assert_uint_eq(rib_count_attrs(rib), 2);
	ck_assert(rib_withdraw(rib, &s1, &q, 0));
	ck_assert_uint_eq(rib_count_attrs(rib), 1);
	ck_assert_uint_eq(rib_flush_source(rib, &s1), 1);
	ck_assert_uint_eq(rib_flush_source(rib, &s2), 1);
	ck_assert_uint_eq(rib_count_attrs(rib), 0);
	ck_assert_uint_eq(rib_count_prefixes(rib), 0);
}
END_TEST

/* RFC 8092 large communities are part of a set's identity, copied in. */
START_TEST(t_interning_large)
{
	uint32_t lc1[] = { 65000, 1, 2, 65000, 1, 3 }, lc2[6];
	struct rib_attrs t1, t2;
	const struct rib_attrs *x, *y, *z, *w;

	memcpy(lc2, lc1, sizeof(lc2));
	memset(&t1, 0, sizeof(t1));
	t1.large = lc1;
	t1.nlarge = 2;
	t2 = t1;
	t2.large = lc2;
	x = rib_attrs_intern(rib, &t1);
	y = rib_attrs_intern(rib, &t2);
	ck_assert_ptr_eq(x, y);
	ck_assert_ptr_ne(x->large, lc1);	/* copied */
	ck_assert_mem_eq(x->large, lc1, sizeof(lc1));
	lc2[5] = 4;				/* the last word differs */
	z = rib_attrs_intern(rib, &t2);
	ck_assert_ptr_ne(x, z);
	ck_assert_uint_eq(z->large[5], 4);
	t2.nlarge = 0;				/* none: not the same as two */
	w = rib_attrs_intern(rib, &t2);
	ck_assert_ptr_ne(w, x);
	ck_assert_ptr_null(w->large);
	ck_assert_uint_eq(rib_count_attrs(rib), 3);
	ck_assert_uint_ge(rib_attrs_size(x), sizeof(*x) + sizeof(lc1));
	rib_attrs_unref(rib, x);
	rib_attrs_unref(rib, y);
	rib_attrs_unref(rib, z);
	rib_attrs_unref(rib, w);
	ck_assert_uint_eq(rib_count_attrs(rib), 0);
}
END_TEST

START_TEST(t_interning_many)
{
	const struct rib_attrs *v[300];

	/* grows and shrinks the intern table */
	for (uint32_t i = 0; i < 300; i++)
		v[i] = A(i, 0);
	ck_assert_uint_eq(rib_count_attrs(rib), 300);
	for (uint32_t i = 0; i < 300; i++)
		ck_assert_ptr_eq(A(i, 0), v[i]);
	for (uint32_t i = 0; i < 300; i += 2) {
		rib_attrs_unref(rib, v[i]);
		rib_attrs_unref(rib, v[i]);
	}
	ck_assert_uint_eq(rib_count_attrs(rib), 150);
	for (uint32_t i = 1; i < 300; i += 2)
		ck_assert_ptr_eq(A(i, 0), v[i]);
	for (uint32_t i = 1; i < 300; i += 2)
		for (int k = 0; k < 3; k++)
			rib_attrs_unref(rib, v[i]);
	ck_assert_uint_eq(rib_count_attrs(rib), 0);
}
END_TEST

struct walk {
	char	 got[8][PREFIX_STRLEN];
	size_t	 n, stop;
};

static int
walk_cb(void *arg, const struct rib_entry *e)
{
	struct walk *w = arg;
	struct prefix p = rib_entry_prefix(e);

	prefix_fmt(&p, w->got[w->n], sizeof(w->got[0]));
	return ++w->n == w->stop ? -1 : 0;
}

START_TEST(t_walk_order)
{
	const char *in[] = { "fd00::/64", "10.1.0.0/16", "10.0.0.0/8",
	    "192.168.0.0/24", "10.0.0.0/16", "10.1.0.0/24", "0.0.0.0/0" };
	const char *want[] = { "0.0.0.0/0", "10.0.0.0/8", "10.0.0.0/16",
	    "10.1.0.0/16", "10.1.0.0/24", "192.168.0.0/24", "fd00::/64" };
	const struct rib_attrs *a = A(0, 0);
	struct walk w = { .stop = 0 };
	struct prefix p;

	rib_walk(rib, walk_cb, &w);
	ck_assert_uint_eq(w.n, 0);
	for (size_t i = 0; i < NITEMS(in); i++) {
		p = P(in[i]);
		ck_assert_int_eq(rib_update(rib, &s1, &p, 0, a), 0);
	}
	rib_walk(rib, walk_cb, &w);
	ck_assert_uint_eq(w.n, NITEMS(want));
	for (size_t i = 0; i < NITEMS(want); i++)
		ck_assert_str_eq(w.got[i], want[i]);
	memset(&w, 0, sizeof(w));
	w.stop = 3;
	rib_walk(rib, walk_cb, &w);
	ck_assert_uint_eq(w.n, 3);
}
END_TEST

static const char *
match(const char *addr)
{
	static char buf[PREFIX_STRLEN];
	const struct rib_entry *e;
	struct prefix p;
	struct addr a;

	ck_assert_int_eq(addr_parse(addr, &a), 0);
	if ((e = rib_match(rib, &a)) == NULL)
		return "none";
	p = rib_entry_prefix(e);
	return prefix_fmt(&p, buf, sizeof(buf));
}

START_TEST(t_match)
{
	const char *in[] = { "10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24",
	    "10.1.2.3/32", "2001:db8::/32", "2001:db8:1::/48" };
	const struct rib_attrs *a = A(0, 0);
	struct prefix p;

	ck_assert_str_eq(match("10.1.2.3"), "none");
	for (size_t i = 0; i < NITEMS(in); i++) {
		p = P(in[i]);
		ck_assert_int_eq(rib_update(rib, &s1, &p, 0, a), 0);
	}
	ck_assert_str_eq(match("10.1.2.3"), "10.1.2.3/32");
	ck_assert_str_eq(match("10.1.2.4"), "10.1.2.0/24");
	ck_assert_str_eq(match("10.1.3.1"), "10.1.0.0/16");
	ck_assert_str_eq(match("10.200.0.1"), "10.0.0.0/8");
	ck_assert_str_eq(match("11.0.0.1"), "none");
	ck_assert_str_eq(match("2001:db8:1::1"), "2001:db8:1::/48");
	ck_assert_str_eq(match("2001:db8:2::1"), "2001:db8::/32");
	ck_assert_str_eq(match("2001:db9::1"), "none");
	p = P("0.0.0.0/0");
	ck_assert_int_eq(rib_update(rib, &s1, &p, 0, a), 0);
	ck_assert_str_eq(match("11.0.0.1"), "0.0.0.0/0");
	ck_assert_str_eq(match("2001:db9::1"), "none");
}
END_TEST

START_TEST(t_client_feed)
{
	const struct rib_attrs *a = A(0, 0), *b = A(0, 300);
	struct prefix p1 = P("10.0.1.0/24"), p2 = P("fd00::/64");
	struct rec r2;
	struct rib_client *c2;

	ck_assert_int_eq(rib_update(rib, &s1, &p1, 0, a), 0);
	ck_assert_int_eq(rib_update(rib, &s1, &p2, 0, a), 0);
	ck_assert_int_eq(rib_update(rib, &s2, &p2, 0, b), 0);
	memset(&r2, 0, sizeof(r2));
	c2 = rib_client_add(rib, &rec_ops, &r2);
	ck_assert_uint_eq(r2.n, 0);
	rib_client_feed(rib, c2);
	ck_assert_uint_eq(r2.n, 2);
	for (size_t i = 0; i < 2; i++) {
		ck_assert(r2.notes[i].has_new && !r2.notes[i].has_old);
		if (prefix_eq(&r2.notes[i].pfx, &p2))
			ck_assert_ptr_eq(r2.notes[i].nb.src, &s2);
		else
			ck_assert(prefix_eq(&r2.notes[i].pfx, &p1));
	}
	ck_assert(!prefix_eq(&r2.notes[0].pfx, &r2.notes[1].pfx));
	ck_assert_uint_eq(rec.n, 3);	/* the first client saw no replay */

	/* both clients see changes; a deleted one no longer */
	ck_assert(rib_withdraw(rib, &s1, &p1, 0));
	ck_assert_uint_eq(r2.n, 3);
	ck_assert_uint_eq(rec.n, 4);
	rib_client_del(rib, c2);
	ck_assert(rib_withdraw(rib, &s2, &p2, 0));
	ck_assert_uint_eq(r2.n, 3);
	ck_assert_uint_eq(rec.n, 5);
	rib_client_del(rib, client);
	ck_assert(rib_withdraw(rib, &s1, &p2, 0));
	ck_assert_uint_eq(rec.n, 5);
}
END_TEST

START_TEST(t_bad_prefix)
{
	const struct rib_attrs *a = A(0, 0);
	struct prefix p;

	memset(&p, 0, sizeof(p));
	ck_assert_int_eq(rib_update(rib, &s1, &p, 0, a), -1);	/* no af */
	p = P("10.0.0.0/24");
	p.b[3] = 1;						/* host bit */
	ck_assert_int_eq(rib_update(rib, &s1, &p, 0, a), -1);
	p = P("10.0.0.0/24");
	p.len = 33;
	ck_assert_int_eq(rib_update(rib, &s1, &p, 0, a), -1);
	p = P("10.0.0.0/24");
	p.b[8] = 1;				/* past the v4 address */
	ck_assert_int_eq(rib_update(rib, &s1, &p, 0, a), -1);
	expect_none();
	ck_assert_uint_eq(rib_count_prefixes(rib), 0);
	ck_assert_uint_eq(s1.npaths, 0);
}
END_TEST

static void
reenter(void *arg, const struct prefix *pfx, uint32_t id,
    const struct rib_path *nb, const struct rib_path *ob)
{
	(void)id;
	(void)ob;
	(void)rib_withdraw(arg, nb->src, pfx, nb->path_id);
}

/*
 * Ids: one per prefix, the same in every call about it while it has a
 * path, round-tripping through rib_id_prefix/rib_prefix_id; IPv6 ones
 * carry bit 31; a freed id is unknown until it is reused.
 */
START_TEST(t_ids)
{
	const struct rib_attrs *a = A(0, 0), *b = A(1, 0);
	struct prefix p1 = P("10.0.0.0/24"), p2 = P("10.0.1.0/24");
	struct prefix p6 = P("fd00::/64"), q;
	uint32_t id1, id2, id6, x;

	ck_assert_int_eq(rib_update(rib, &s1, &p1, 0, a), 0);
	ck_assert_int_eq(rib_update(rib, &s1, &p2, 0, a), 0);
	ck_assert_int_eq(rib_update(rib, &s1, &p6, 0, a), 0);
	ck_assert_uint_eq(rec.n, 3);
	id1 = rec.notes[0].id;
	id2 = rec.notes[1].id;
	id6 = rec.notes[2].id;
	ck_assert_uint_ne(id1, id2);
	ck_assert_uint_eq(id1 >> 31, 0);
	ck_assert_uint_eq(id6 >> 31, 1);
	ck_assert(rib_prefix_id(rib, &p2, &x));
	ck_assert_uint_eq(x, id2);
	ck_assert(rib_id_prefix(rib, id6, &q));
	ck_assert(prefix_eq(&q, &p6));
	/* rib_id_entry: the entry rib_lookup finds, with its prefix */
	ck_assert_ptr_eq(rib_id_entry(rib, id2, &q), rib_lookup(rib, &p2));
	ck_assert(prefix_eq(&q, &p2));
	/* another path, a new best, a withdrawal: the same id each time */
	ck_assert_int_eq(rib_update(rib, &s2, &p1, 0, b), 0);
	ck_assert_int_eq(rib_update(rib, &s1, &p1, 0, b), 0);
	ck_assert(rib_withdraw(rib, &s2, &p1, 0));
	ck_assert(rib_withdraw(rib, &s1, &p1, 0));
	ck_assert_uint_ge(rec.n, 5);
	for (size_t i = 3; i < rec.n; i++) {
		ck_assert(prefix_eq(&rec.notes[i].pfx, &p1));
		ck_assert_uint_eq(rec.notes[i].id, id1);
	}
	ck_assert(!rib_id_prefix(rib, id1, &q));
	ck_assert_ptr_null(rib_id_entry(rib, id1, &q));
	ck_assert(!rib_prefix_id(rib, &p1, &x));
	ck_assert(rib_id_prefix(rib, id2, &q));
	ck_assert(prefix_eq(&q, &p2));
	ck_assert(!rib_id_prefix(rib, 12345, &q));
	ck_assert(!rib_id_prefix(rib, RIB_ID_V6_BIT | 12345, &q));
	/* a flush ends every id of the source */
	(void)rib_flush_source(rib, &s1);
	ck_assert(!rib_id_prefix(rib, id2, &q));
	ck_assert(!rib_id_prefix(rib, id6, &q));
}
END_TEST

START_TEST(t_no_reentry)
{
	static const struct rib_client_ops ops = { .best_changed = reenter };
	const struct rib_attrs *a = A(0, 0);
	struct prefix p = P("10.0.0.0/24");

	(void)rib_client_add(rib, &ops, rib);
	(void)rib_update(rib, &s1, &p, 0, a);	/* aborts */
}
END_TEST

/* The i-th /len after 10.0.0.0; i < 2^(len - 8). */
static struct prefix
nth(uint32_t i, unsigned len)
{
	struct prefix p;
	uint32_t v = 0x0a000000 | (i << (32 - len) & 0x00ffffff);
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 8), (uint8_t)v };

	/* not ck_assert: in the 1M loop, check's per-assert IPC dominates */
	if (prefix_set(&p, AF_INET, b, len) != 0)
		ck_abort_msg("prefix_set %u/%u", i, len);
	return p;
}

START_TEST(t_churn)
{
	const struct rib_attrs *a = A(0, 0);
	enum { N = 20000 };
	struct prefix p;

	/* exercises growth, backward-shift deletion and shrinking */
	rib_client_del(rib, client);
	for (uint32_t i = 0; i < N; i++) {
		p = nth(i, 24);
		ck_assert_int_eq(rib_update(rib, &s1, &p, 0, a), 0);
	}
	for (uint32_t i = 0; i < N; i += 3) {
		p = nth(i, 24);
		ck_assert(rib_withdraw(rib, &s1, &p, 0));
	}
	for (uint32_t i = 0; i < N; i++) {
		p = nth(i, 24);
		ck_assert((rib_lookup(rib, &p) == NULL) == (i % 3 == 0));
	}
	for (uint32_t i = 0; i < N; i++) {
		p = nth(i, 24);
		if (i % 3 != 0)
			ck_assert(rib_withdraw(rib, &s1, &p, 0));
		if (i % 1000 == 0 && i + 1 < N) {
			p = nth(N - 1, 24);
			ck_assert_ptr_nonnull(rib_lookup(rib, &p));
		}
	}
	ck_assert_uint_eq(rib_count_prefixes(rib), 0);
	ck_assert_uint_eq(rib_count_paths(rib), 0);
	for (uint32_t i = 0; i < 100; i++) {
		p = nth(i, 24);
		ck_assert_int_eq(rib_update(rib, &s2, &p, 0, a), 0);
	}
	ck_assert_uint_eq(rib_count_prefixes(rib), 100);
	ck_assert_uint_eq(rib_flush_source(rib, &s2), 100);
	ck_assert_uint_eq(rib_count_prefixes(rib), 0);
}
END_TEST

START_TEST(t_small_flush_in_big_table)
{
	const struct rib_attrs *a = A(0, 0), *b = A(0, 200);
	enum { N = 5000 };
	struct prefix p;

	/* few dead entries: removed one by one, not by a rebuild */
	rib_client_del(rib, client);
	for (uint32_t i = 0; i < N; i++) {
		p = nth(i, 24);
		ck_assert_int_eq(rib_update(rib, &s2, &p, 0, a), 0);
		if (i % 100 == 0)
			ck_assert_int_eq(rib_update(rib, &s1, &p, 0, b), 0);
	}
	for (uint32_t i = N; i < N + 50; i++) {
		p = nth(i, 24);
		ck_assert_int_eq(rib_update(rib, &s1, &p, 0, b), 0);
	}
	ck_assert_uint_eq(rib_mark_stale(rib, &s1), 100);
	for (uint32_t i = N; i < N + 50; i += 2) {
		p = nth(i, 24);
		ck_assert_int_eq(rib_update(rib, &s1, &p, 0, b), 0);
	}
	ck_assert_uint_eq(rib_sweep_stale(rib, &s1), 75);
	ck_assert_uint_eq(rib_count_prefixes(rib), N + 25);
	ck_assert_uint_eq(rib_flush_source(rib, &s1), 25);
	ck_assert_uint_eq(rib_count_prefixes(rib), N);
	ck_assert_uint_eq(rib_count_paths(rib), N);
	for (uint32_t i = 0; i < N + 50; i++) {
		p = nth(i, 24);
		ck_assert((rib_lookup(rib, &p) != NULL) == (i < N));
	}
	ck_assert_uint_eq(rib_flush_source(rib, &s2), N);
	ck_assert_uint_eq(rib_count_prefixes(rib), 0);
}
END_TEST

/* A client that looks prefixes up while a flush notifies. */
static void
lookup_during(void *arg, const struct prefix *pfx, uint32_t id,
    const struct rib_path *nb, const struct rib_path *ob)
{
	const struct rib_entry *e = rib_lookup(arg, pfx);
	struct prefix q;
	uint32_t id2;

	(void)ob;
	ck_assert((e != NULL) == (nb != NULL));
	ck_assert(rib_prefix_id(arg, pfx, &id2) == (nb != NULL));
	ck_assert(rib_id_prefix(arg, id, &q) == (nb != NULL));
	if (e != NULL) {
		ck_assert_ptr_eq(rib_entry_best(e), nb);
		ck_assert_uint_eq(id2, id);
		ck_assert(prefix_eq(&q, pfx));
	}
}

START_TEST(t_lookup_from_hook)
{
	static const struct rib_client_ops ops = {
		.best_changed = lookup_during };
	const struct rib_attrs *a = A(0, 0);
	struct prefix p;

	(void)rib_client_add(rib, &ops, rib);
	for (uint32_t i = 0; i < 300; i++) {
		p = nth(i, 24);
		ck_assert_int_eq(rib_update(rib, &s1, &p, 0, a), 0);
		if (i % 3 == 0)
			ck_assert_int_eq(rib_update(rib, &s2, &p, 0, a), 0);
	}
	ck_assert_uint_eq(rib_flush_source(rib, &s1), 300);
	ck_assert_uint_eq(rib_count_prefixes(rib), 100);
}
END_TEST

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t
heap_bytes(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

static long
rss_kb(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f != NULL) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * 4;
}


/*
 * Issue 11 finding 2: one prefix announced with path ids 1..N from one
 * source cost two walks of its path list per update (O(N^2): 20k paths
 * took 12 s). Now a path behind the best is found in O(1) and compared
 * with the best only: the compares stay linear in N, whatever the order.
 */
#define NPATHS	20000

START_TEST(t_addpath_linear)
{
	struct prefix p = P("10.9.0.0/24");
	const struct rib_attrs *a = A(5, 0), *b = A(7, 0);
	uint64_t c0 = rib_path_cmps();

	rib_client_del(rib, client);
	client = NULL;
	for (uint32_t i = 1; i <= NPATHS; i++)
		ck_assert_int_eq(rib_update(rib, &s1, &p, i, i & 1 ? a : b), 0);
	ck_assert_uint_eq(rib_count_paths(rib), NPATHS);
	/* re-announce every other path with the other set: still O(1) each */
	for (uint32_t i = 2; i <= NPATHS; i += 2)
		ck_assert_int_eq(rib_update(rib, &s1, &p, i, a), 0);
	/* withdraw all but the best (path id 1), from the far end */
	for (uint32_t i = NPATHS; i >= 2; i--)
		ck_assert(rib_withdraw(rib, &s1, &p, i));
	ck_assert_uint_eq(rib_count_paths(rib), 1);
	ck_assert_uint_eq(rib_entry_best(rib_lookup(rib, &p))->path_id, 1);
	ck_assert_msg(rib_path_cmps() - c0 < 4 * NPATHS,
	    "%llu compares for %d paths", (unsigned long long)(rib_path_cmps() -
	    c0), NPATHS);
	ck_assert(rib_withdraw(rib, &s1, &p, 1));
	ck_assert_uint_eq(s1.mem, 0);
	rib_attrs_unref(rib, a);
	rib_attrs_unref(rib, b);
}
END_TEST

/* Is the head at least as good as every other path, and the counts right? */
static void
check_entry(const struct prefix *p, size_t want)
{
	const struct rib_entry *e = rib_lookup(rib, p);
	const struct rib_path *h, *q;
	enum rib_reason why;
	size_t n = 0;

	if (want == 0) {
		ck_assert_ptr_null(e);
		return;
	}
	ck_assert_ptr_nonnull(e);
	h = rib_entry_best(e);
	for (q = rib_entry_paths(e); q != NULL; q = q->next, n++)
		if (q != h)
			ck_assert_int_ge(rib_path_cmp(q, h, &why), 0);
	ck_assert_uint_eq(n, want);
}

/*
 * Random updates and withdrawals of (source, path id) on two prefixes,
 * against a model: every path present exactly once, the best not beaten,
 * counts and memory charges back to zero after the flushes.
 */
/* Each source's nbest is what a walk of the best paths counts. */
static int
nbest_cb(void *arg, const struct rib_entry *e)
{
	size_t *n = arg;
	const struct rib_src *b = rib_entry_best(e)->src;

	n[b == &s1 ? 0 : b == &s2 ? 1 : 2]++;
	return 0;
}

static void
check_nbest(void)
{
	size_t n[3] = { 0, 0, 0 };

	rib_walk(rib, nbest_cb, n);
	ck_assert_uint_eq(s1.nbest, n[0]);
	ck_assert_uint_eq(s2.nbest, n[1]);
	ck_assert_uint_eq(s3.nbest, n[2]);
}

START_TEST(t_addpath_model)
{
	struct prefix px[2] = { P("10.9.0.0/24"), P("10.9.1.0/24") };
	struct rib_src *srcs[3] = { &s1, &s2, &s3 };
	const struct rib_attrs *as[4];
	bool have[2][3][16];
	size_t count[2] = { 0, 0 };
	unsigned seed = 7;

	for (int i = 0; i < 4; i++)
		as[i] = A((uint32_t)i * 10, 0);
	memset(have, 0, sizeof(have));
	for (int round = 0; round < 5000; round++) {
		int x = rand_r(&seed) % 2, s = rand_r(&seed) % 3;
		uint32_t pid = (uint32_t)(rand_r(&seed) % 16);

		if (rand_r(&seed) % 3 == 0) {
			ck_assert(rib_withdraw(rib, srcs[s], &px[x], pid) ==
			    have[x][s][pid]);
			count[x] -= have[x][s][pid];
			have[x][s][pid] = false;
		} else {
			ck_assert_int_eq(rib_update(rib, srcs[s], &px[x], pid,
			    as[rand_r(&seed) % 4]), 0);
			count[x] += !have[x][s][pid];
			have[x][s][pid] = true;
		}
		check_entry(&px[x], count[x]);
		check_nbest();
	}
	rib_flush_source(rib, &s1);
	check_nbest();
	rib_flush_source(rib, &s2);
	check_nbest();
	rib_flush_source(rib, &s3);
	ck_assert_uint_eq(s1.nbest + s2.nbest + s3.nbest, 0);
	ck_assert_uint_eq(rib_count_paths(rib), 0);
	ck_assert_uint_eq(s1.mem + s2.mem + s3.mem, 0);
	for (int i = 0; i < 4; i++)
		rib_attrs_unref(rib, as[i]);
}
END_TEST

/* A source's cap on paths per prefix: the next path is refused, nothing changes. */
START_TEST(t_max_paths)
{
	struct prefix p = P("10.9.0.0/24");
	const struct rib_attrs *a = A(5, 0);

	s1.max_paths = 3;
	for (uint32_t i = 1; i <= 3; i++)
		ck_assert_int_eq(rib_update(rib, &s1, &p, i, a), 0);
	ck_assert_int_eq(rib_update(rib, &s1, &p, 4, a), RIB_E_PATHS);
	ck_assert_uint_eq(rib_count_paths(rib), 3);
	/* another source is not counted against s1 */
	ck_assert_int_eq(rib_update(rib, &s2, &p, 1, a), 0);
	/* replacing an existing path is not a new one */
	rib_attrs_unref(rib, a);
	a = A(6, 0);
	ck_assert_int_eq(rib_update(rib, &s1, &p, 2, a), 0);
	ck_assert(rib_withdraw(rib, &s1, &p, 1));
	ck_assert_int_eq(rib_update(rib, &s1, &p, 4, a), 0);
	rib_attrs_unref(rib, a);
}
END_TEST

/*
 * A source's memory budget: each distinct attribute set is charged once,
 * each path RIB_PATH_COST; beyond mem_max rib_update refuses, and the
 * charge goes back to zero when the paths go.
 */
START_TEST(t_mem_budget)
{
	struct prefix p;
	const struct rib_attrs *a;
	size_t n = 0, m1;
	int rc = 0;

	s1.mem_max = 64 * 1024;
	a = A(1, 0);
	p = P("10.10.0.0/32");
	ck_assert_int_eq(rib_update(rib, &s1, &p, 0, a), 0);
	m1 = s1.mem;
	ck_assert_uint_eq(m1, RIB_PATH_COST + rib_attrs_size(a));
	p = P("10.10.0.1/32");
	ck_assert_int_eq(rib_update(rib, &s1, &p, 0, a), 0);
	ck_assert_uint_eq(s1.mem, m1 + RIB_PATH_COST);	/* set charged once */
	rib_attrs_unref(rib, a);
	for (uint32_t i = 2; i < 100000 && rc == 0; i++, n++) {
		p = P("10.10.0.0/32");
		p.b[2] = (uint8_t)(i >> 8);
		p.b[3] = (uint8_t)i;
		a = A(i + 100, 0);
		rc = rib_update(rib, &s1, &p, 0, a);
		rib_attrs_unref(rib, a);
	}
	ck_assert_int_eq(rc, RIB_E_MEM);
	ck_assert_uint_le(s1.mem, s1.mem_max);
	ck_assert_uint_gt(n, 100);
	/* s2 has its own budget */
	a = A(1, 0);
	ck_assert_int_eq(rib_update(rib, &s2, &p, 0, a), 0);
	rib_attrs_unref(rib, a);
	rib_flush_source(rib, &s1);
	ck_assert_uint_eq(s1.mem, 0);
	ck_assert_uint_eq(rib_count_attrs(rib), 1);
}
END_TEST

START_TEST(t_scale_1m)
{
	enum { N = 1000000 };
	const struct rib_attrs *a;
	size_t heap0, heap1, nfirst;
	long rss0, rss1;
	double t0, t1, t2;
	struct prefix p;

	heap0 = heap_bytes();
	rss0 = rss_kb();
	a = A(0, 100);
	t0 = now();
	for (uint32_t i = 0; i < N; i++) {
		p = nth(i, 32);
		if (rib_update(rib, &s1, &p, 0, a) != 0)
			ck_abort_msg("update %u", i);
	}
	t1 = now();
	heap1 = heap_bytes();
	rss1 = rss_kb();
	ck_assert_uint_eq(rib_count_prefixes(rib), N);
	ck_assert_uint_eq(rib_count_paths(rib), N);
	ck_assert_uint_eq(rib_count_attrs(rib), 1);
	ck_assert_uint_eq(s1.npaths, N);
	ck_assert_uint_eq(a->refcnt, N + 1);
	nfirst = rec.n;
	ck_assert_uint_eq(nfirst, N);
	p = nth(N - 1, 32);
	ck_assert_ptr_nonnull(rib_lookup(rib, &p));
	p = nth(N, 32);
	ck_assert_ptr_null(rib_lookup(rib, &p));

	ck_assert_uint_eq(rib_flush_source(rib, &s1), N);
	t2 = now();
	ck_assert_uint_eq(rec.n - nfirst, N);
	ck_assert_uint_eq(rib_count_prefixes(rib), 0);
	ck_assert_uint_eq(rib_count_paths(rib), 0);
	ck_assert_uint_eq(s1.npaths, 0);
	rib_attrs_unref(rib, a);
	ck_assert_uint_eq(rib_count_attrs(rib), 0);

	printf("INFO: rib 1M /32: insert %.3f s (%.2f M/s), flush %.3f s; "
	    "heap %.1f B/route, rss %.1f B/route\n", t1 - t0,
	    N / (t1 - t0) / 1e6, t2 - t1, (double)(heap1 - heap0) / N,
	    (double)(rss1 - rss0) * 1024 / N);
	fflush(stdout);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("rib");
	TCase *tc = tcase_create("core"), *tcs = tcase_create("scale");

	tcase_add_checked_fixture(tc, setup, teardown);
	/* a bound against hangs on a loaded machine or under ASan, not a
	 * timing assertion */
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, t_insert_withdraw);
	tcase_add_test(tc, t_identical_is_silent);
	tcase_add_test(tc, t_replace_best_attrs);
	tcase_add_test(tc, t_best_switch);
	tcase_add_test(tc, t_add_path);
	tcase_add_test(tc, t_flush_source);
	tcase_add_test(tc, t_stale);
	tcase_add_test(tc, t_interning);
	tcase_add_test(tc, t_interning_large);
	tcase_add_test(tc, t_interning_many);
	tcase_add_test(tc, t_walk_order);
	tcase_add_test(tc, t_match);
	tcase_add_test(tc, t_client_feed);
	tcase_add_test(tc, t_bad_prefix);
	tcase_add_test(tc, t_ids);
	tcase_add_test_raise_signal(tc, t_no_reentry, SIGABRT);
	tcase_add_test(tc, t_churn);
	tcase_add_test(tc, t_small_flush_in_big_table);
	tcase_add_test(tc, t_lookup_from_hook);
	tcase_add_test(tc, t_addpath_linear);
	tcase_add_test(tc, t_addpath_model);
	tcase_add_test(tc, t_max_paths);
	tcase_add_test(tc, t_mem_budget);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tcs, setup, teardown);
	tcase_set_timeout(tcs, 100);
	tcase_add_test(tcs, t_scale_1m);
	suite_add_tcase(s, tcs);
	return check_run(s);
}
