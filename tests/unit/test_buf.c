/*
 * test_buf.c: the bounded reader and sticky writer (lib/buf.c).
 */
#include <check.h>

#include "check_run.h"
#include <stdlib.h>

#include "buf.h"

START_TEST(t_rbuf_getters)
{
	const uint8_t b[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07 };
	struct rbuf r, sub;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;

	rbuf_init(&r, b, sizeof(b));
	ck_assert_int_eq(rbuf_get_u8(&r, &u8), 0);
	ck_assert_uint_eq(u8, 1);
	ck_assert_int_eq(rbuf_get_u16(&r, &u16), 0);
	ck_assert_uint_eq(u16, 0x0203);
	ck_assert_int_eq(rbuf_get_u32(&r, &u32), 0);
	ck_assert_uint_eq(u32, 0x04050607);
	ck_assert_uint_eq(rbuf_left(&r), 0);
	ck_assert_int_eq(rbuf_get_u8(&r, &u8), -1);

	rbuf_init(&r, b, sizeof(b));
	ck_assert_int_eq(rbuf_sub(&r, 3, &sub), 0);
	ck_assert_uint_eq(rbuf_left(&sub), 3);
	ck_assert_uint_eq(rbuf_left(&r), 4);
	ck_assert_int_eq(rbuf_get_u32(&sub, &u32), -1);	/* bounded */
	ck_assert_uint_eq(rbuf_left(&sub), 3);		/* untouched */
	ck_assert_int_eq(rbuf_sub(&r, 5, &sub), -1);
	ck_assert_int_eq(rbuf_skip(&r, 4), 0);
	ck_assert_int_eq(rbuf_skip(&r, 1), -1);
}
END_TEST

START_TEST(t_wbuf_sticky)
{
	uint8_t b[5];
	struct wbuf w;
	size_t off;

	wbuf_init(&w, b, sizeof(b));
	off = wbuf_reserve_u16(&w);
	wbuf_put_u16(&w, 0xabcd);
	wbuf_patch_u16(&w, off, 0x1234);
	ck_assert(!w.err);
	ck_assert_uint_eq(w.len, 4);
	ck_assert_uint_eq(b[0], 0x12);
	ck_assert_uint_eq(b[3], 0xcd);
	wbuf_put_u16(&w, 1);		/* overflows */
	ck_assert(w.err);
	wbuf_put_u8(&w, 1);		/* would fit, but sticky */
	ck_assert(w.err);
	ck_assert_uint_eq(w.len, 4);
	wbuf_truncate(&w, 2);
	ck_assert(!w.err);
	wbuf_put_u8(&w, 9);
	ck_assert_uint_eq(w.len, 3);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("buf");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, t_rbuf_getters);
	tcase_add_test(tc, t_wbuf_sticky);
	suite_add_tcase(s, tc);
	return check_run(s);
}
