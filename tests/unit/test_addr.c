/*
 * test_addr.c: address and prefix parsing, formatting, containment.
 */
#include <check.h>

#include "check_run.h"
#include <stdlib.h>
#include <sys/socket.h>

#include "addr.h"
#include "aspath.h"
#include "hash.h"
#include "pfxset.h"

START_TEST(t_prefix_parse)
{
	struct prefix p, q;
	char buf[PREFIX_STRLEN];

	ck_assert_int_eq(prefix_parse("10.244.1.0/26", &p), 0);
	ck_assert_uint_eq(p.af, AF_INET);
	ck_assert_uint_eq(p.len, 26);
	ck_assert_str_eq(prefix_fmt(&p, buf, sizeof(buf)), "10.244.1.0/26");
	ck_assert_int_eq(prefix_parse("10.244.1.1/26", &p), -1); /* host bits */
	ck_assert_int_eq(prefix_parse("10.244.1.0/33", &p), -1);
	ck_assert_int_eq(prefix_parse("10.244.1.0/", &p), -1);
	ck_assert_int_eq(prefix_parse("10.244.1.0/2x", &p), -1);
	ck_assert_int_eq(prefix_parse("10.244.1.0", &p), -1);
	ck_assert_int_eq(prefix_parse("fd00:1::/64", &p), 0);
	ck_assert_str_eq(prefix_fmt(&p, buf, sizeof(buf)), "fd00:1::/64");
	ck_assert_int_eq(prefix_parse_dash("192.168.221.192-26", &q), 0);
	ck_assert_str_eq(prefix_fmt(&q, buf, sizeof(buf)), "192.168.221.192/26");
	ck_assert_int_eq(prefix_parse_dash("fd00:1::-64", &q), 0);
	ck_assert(prefix_eq(&p, &q));
}
END_TEST

START_TEST(t_prefix_contains)
{
	struct prefix pool, blk, other;
	struct addr a;

	ck_assert_int_eq(prefix_parse("10.244.0.0/16", &pool), 0);
	ck_assert_int_eq(prefix_parse("10.244.1.64/26", &blk), 0);
	ck_assert_int_eq(prefix_parse("10.245.0.0/26", &other), 0);
	ck_assert(prefix_contains(&pool, &blk));
	ck_assert(!prefix_contains(&blk, &pool));
	ck_assert(!prefix_contains(&pool, &other));
	ck_assert_int_eq(addr_parse("10.244.1.70", &a), 0);
	ck_assert(prefix_contains_addr(&blk, &a));
	ck_assert_int_eq(addr_parse("10.244.1.128", &a), 0);
	ck_assert(!prefix_contains_addr(&blk, &a));
	ck_assert_int_lt(prefix_cmp(&pool, &blk), 0);
	ck_assert_uint_ne(prefix_hash(&pool), prefix_hash(&blk));
}
END_TEST

static struct prefix
P(const char *s)
{
	struct prefix p;

	ck_assert_int_eq(prefix_parse(s, &p), 0);
	return p;
}

/* The import guard's question: does p equal or cover a member? */
START_TEST(t_pfxset)
{
	struct pfxset set = { 0 };
	struct prefix b;
	struct addr a;
	const char *yes[] = { "0.0.0.0/0", "198.18.0.0/24", "198.18.0.2/32",
	    "10.244.1.0/26", "10.244.0.0/16", "10.0.0.0/8", "::/0",
	    "fd80::/64", "fd80::2/128" };
	const char *no[] = { "198.18.0.3/32", "10.244.1.64/26",
	    "10.244.1.1/32", "10.244.1.0/27", "10.244.2.0/24", "fd80::3/128",
	    "fd81::/16", "11.0.0.0/8" };

	ck_assert(!pfxset_covered_by(&set, &(struct prefix){ .af = AF_INET }));
	ck_assert_int_eq(addr_parse("198.18.0.2", &a), 0);
	pfxset_add_addr(&set, &a);
	pfxset_add_addr(&set, &a);		/* duplicates dropped */
	ck_assert_int_eq(addr_parse("198.18.0.9", &a), 0);
	pfxset_add_addr(&set, &a);
	ck_assert_int_eq(addr_parse("fd80::2", &a), 0);
	pfxset_add_addr(&set, &a);
	b = P("10.244.1.0/26");
	pfxset_add(&set, &b);
	pfxset_sort(&set);
	ck_assert_uint_eq(set.n, 4);
	for (size_t i = 0; i < NITEMS(yes); i++) {
		struct prefix p = P(yes[i]);

		ck_assert_msg(pfxset_covered_by(&set, &p), "%s", yes[i]);
	}
	for (size_t i = 0; i < NITEMS(no); i++) {
		struct prefix p = P(no[i]);

		ck_assert_msg(!pfxset_covered_by(&set, &p), "%s", no[i]);
	}
	pfxset_fini(&set);
}
END_TEST

/* One AS_PATH walker: segments, 2- and 4-octet ASNs, truncation, counts. */
START_TEST(t_aspath)
{
	static const uint8_t p4[] = {
		2, 2, 0, 0, 0xfd, 0xe8, 0, 0, 0xfc, 0x00,	/* SEQ 65000 64512 */
		1, 1, 0, 0, 0xfc, 0x00,				/* SET {64512} */
	};
	static const uint8_t p2[] = { 2, 2, 0xfd, 0xe8, 0xfc, 0x00 };
	static const uint8_t bad[] = { 2, 3, 0, 0, 0xfd, 0xe8 };
	struct aspath_iter it;
	struct aspath_seg seg;
	uint32_t as, sum = 0;
	int n = 0;

	aspath_iter_init(&it, p4, sizeof(p4), 4);
	while (aspath_next(&it, &seg) == 1) {
		n++;
		while (aspath_seg_as(&seg, &as) == 1)
			sum += as;
	}
	ck_assert_int_eq(n, 2);
	ck_assert_uint_eq(sum, 65000u + 64512u + 64512u);
	ck_assert_uint_eq(aspath_count_as(p4, sizeof(p4), 64512), 2);
	ck_assert_uint_eq(aspath_count_as(p4, sizeof(p4), 65001), 0);
	aspath_iter_init(&it, p2, sizeof(p2), 2);
	ck_assert_int_eq(aspath_next(&it, &seg), 1);
	ck_assert_int_eq(aspath_seg_as(&seg, &as), 1);
	ck_assert_uint_eq(as, 65000);
	aspath_iter_init(&it, bad, sizeof(bad), 4);
	ck_assert_int_eq(aspath_next(&it, &seg), -1);
	for (size_t len = 1; len < sizeof(p4); len++) {	/* truncations */
		aspath_iter_init(&it, p4, len, 4);
		while ((n = aspath_next(&it, &seg)) == 1)
			;
		ck_assert_msg(n == -1 || len == 10, "len %zu", len);
	}
}
END_TEST

/* Keyed hashing: equal input, equal hash; another key, another hash. */
START_TEST(t_hash_keyed)
{
	static const char msg[] = "10.244.1.0/26";
	uint64_t h1, h2;

	hash_set_key(1, 2);
	h1 = hash_bytes(msg, sizeof(msg));
	ck_assert_uint_eq(h1, hash_bytes(msg, sizeof(msg)));
	ck_assert_uint_ne(h1, hash_bytes(msg, sizeof(msg) - 1));
	hash_set_key(3, 4);
	h2 = hash_bytes(msg, sizeof(msg));
	ck_assert_uint_ne(h1, h2);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("addr");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, t_prefix_parse);
	tcase_add_test(tc, t_prefix_contains);
	tcase_add_test(tc, t_pfxset);
	tcase_add_test(tc, t_aspath);
	tcase_add_test(tc, t_hash_keyed);
	suite_add_tcase(s, tc);
	return check_run(s);
}
