/*
 * test_log.c: the rate-limited lines of lib/log.c. A limit's clock is
 * injected (a counter the test moves), so windows open and close exactly
 * where the test says; stderr is captured in a temporary file and read
 * back, so the words of every line are checked too. One case runs a real
 * event loop for the count said at the end of a window.
 */
#include <check.h>

#include "check_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"

static uint64_t now_ms;

static uint64_t
fake_clock(void)
{
	return now_ms;
}

/* ---- stderr, captured ---- */

static FILE *cap;
static int saved_fd = -1;

static void
capture(void)
{
	fflush(stderr);
	cap = tmpfile();
	ck_assert_ptr_nonnull(cap);
	saved_fd = dup(STDERR_FILENO);
	dup2(fileno(cap), STDERR_FILENO);
}

/* What was logged since capture() (caller frees); capture goes on. */
static char *
captured(void)
{
	long len;
	char *s;

	fflush(stderr);
	len = lseek(fileno(cap), 0, SEEK_END);
	s = calloc(1, (size_t)len + 1);
	ck_assert_int_eq(pread(fileno(cap), s, (size_t)len, 0), len);
	return s;
}

static void
uncapture(void)
{
	fflush(stderr);
	dup2(saved_fd, STDERR_FILENO);
	close(saved_fd);
	fclose(cap);
}

static size_t
count(const char *s, const char *needle)
{
	size_t n = 0;

	for (; (s = strstr(s, needle)) != NULL; s++)
		n++;
	return n;
}

static void
setup(void)
{
	now_ms = 1000000;
	log_init(LOG_LVL_INFO, 0, "test");
	capture();
}

static void
teardown(void)
{
	uncapture();
}

/* ---- the decision ---- */

START_TEST(t_burst_then_count)
{
	struct log_ratelimit rl;
	unsigned long said = 99;
	int logged = 0;

	log_ratelimit_init(&rl, LOG_LVL_WARNING, 1000, 3, "refused");
	rl.clock = fake_clock;
	for (int i = 0; i < 10; i++) {
		if (log_ratelimit_allow(&rl, &said)) {
			logged++;
			ck_assert_uint_eq(said, 0);
		}
		now_ms += 10;
	}
	ck_assert_int_eq(logged, 3);
	ck_assert_uint_eq(rl.pending, 7);
	now_ms += 899;		/* 999 ms after the first: same window */
	ck_assert(!log_ratelimit_allow(&rl, &said));
	now_ms += 1;			/* 1000 ms: a new window */
	ck_assert(log_ratelimit_allow(&rl, &said));
	ck_assert_uint_eq(said, 8);	/* said once, with this line */
	ck_assert(log_ratelimit_allow(&rl, &said));
	ck_assert_uint_eq(said, 0);
	ck_assert_uint_eq(rl.total, 8);
}
END_TEST

/* Lines spread thinner than the limit are never held back. */
START_TEST(t_under_the_limit)
{
	struct log_ratelimit rl;
	unsigned long said;

	log_ratelimit_init(&rl, LOG_LVL_WARNING, 1000, 2, "x");
	rl.clock = fake_clock;
	for (int i = 0; i < 100; i++) {
		ck_assert(log_ratelimit_allow(&rl, &said));
		ck_assert_uint_eq(said, 0);
		now_ms += 500;
	}
	ck_assert_uint_eq(rl.total, 0);
}
END_TEST

/* ---- the lines ---- */

START_TEST(t_lines)
{
	struct log_ratelimit rl;
	char *s;

	log_ratelimit_init(&rl, LOG_LVL_WARNING, 10000, 2, "peer refused");
	rl.clock = fake_clock;
	for (int i = 0; i < 200; i++)
		log_rl(&rl, "connection from 10.0.0.%d refused", i);
	now_ms += 10000;
	log_rl(&rl, "connection from 10.9.9.9 refused");
	s = captured();
	ck_assert_uint_eq(count(s, "\n"), 3);
	ck_assert_ptr_nonnull(strstr(s,
	    " test: warning: connection from 10.0.0.0 refused\n"));
	ck_assert_ptr_nonnull(strstr(s,
	    " test: warning: connection from 10.0.0.1 refused\n"));
	ck_assert_ptr_nonnull(strstr(s, " test: warning: connection from "
	    "10.9.9.9 refused (198 similar lines suppressed)\n"));
	free(s);
}
END_TEST

/* fini says what no line said; a second fini says nothing more. */
START_TEST(t_fini_flushes)
{
	struct log_ratelimit rl;
	char *s;

	log_ratelimit_init(&rl, LOG_LVL_INFO, 10000, 1, "control: evicted");
	rl.clock = fake_clock;
	for (int i = 0; i < 5; i++)
		log_rl(&rl, "control: client %d evicted", i);
	log_ratelimit_fini(&rl);
	log_ratelimit_fini(&rl);
	s = captured();
	ck_assert_uint_eq(count(s, "\n"), 2);
	ck_assert_ptr_nonnull(strstr(s,
	    " test: info: control: evicted: 4 similar lines suppressed\n"));
	free(s);
}
END_TEST

/* A line below the log level is neither logged nor counted. */
START_TEST(t_below_level)
{
	struct log_ratelimit rl;
	char *s;

	log_ratelimit_init(&rl, LOG_LVL_DEBUG, 1000, 1, "x");
	rl.clock = fake_clock;
	for (int i = 0; i < 5; i++)
		log_rl(&rl, "debug %d", i);
	ck_assert_uint_eq(rl.total, 0);
	log_ratelimit_fini(&rl);
	s = captured();
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

/* With a loop, the count is said when the window ends, unasked. */
START_TEST(t_flush_at_window_end)
{
	struct event_base *base = event_base_new();
	struct log_ratelimit rl;
	char *s = NULL;

	log_ratelimit_init(&rl, LOG_LVL_WARNING, 100, 2, "refused");
	log_ratelimit_start(&rl, base);
	for (int i = 0; i < 50; i++)
		log_rl(&rl, "line %d", i);
	for (int i = 0; i < 300; i++) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		free(s);
		s = captured();
		if (strstr(s, "suppressed") != NULL)
			break;
		usleep(1000);
	}
	ck_assert_uint_eq(count(s, "\n"), 3);
	ck_assert_ptr_nonnull(strstr(s,
	    " test: warning: refused: 48 similar lines suppressed\n"));
	/* the next window starts afresh */
	log_rl(&rl, "line again");
	free(s);
	s = captured();
	ck_assert_ptr_nonnull(strstr(s, "warning: line again\n"));
	log_ratelimit_fini(&rl);
	event_base_free(base);
	free(s);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("ratelimit");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, t_burst_then_count);
	tcase_add_test(tc, t_under_the_limit);
	tcase_add_test(tc, t_lines);
	tcase_add_test(tc, t_fini_flushes);
	tcase_add_test(tc, t_below_level);
	tcase_add_test(tc, t_flush_at_window_end);
	suite_add_tcase(s, tc);
	return check_run(s);
}
