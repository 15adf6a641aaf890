/*
 * test_addr.c: address and prefix parsing, formatting, containment.
 */
#include <check.h>

#include "check_run.h"
#include <stdlib.h>
#include <sys/socket.h>

#include "addr.h"

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

int
main(void)
{
	Suite *s = suite_create("addr");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, t_prefix_parse);
	tcase_add_test(tc, t_prefix_contains);
	suite_add_tcase(s, tc);
	return check_run(s);
}
