/*
 * test_log.c: lib/log.c. The targets: stderr with the full date and time,
 * the journal's "<N>" format chosen only when JOURNAL_STREAM names fd 2,
 * and syslog(3) through its seam (recording calls that write what they
 * got to the captured stderr, so the words are checked); fatal() in a
 * child, its line and exit status. The rate-limited lines: a limit's
 * clock is injected (a counter the test moves), so windows open and close
 * exactly where the test says; stderr is captured in a temporary file and
 * read back, so the words of every line are checked too. One case runs a
 * real event loop for the count said at the end of a window.
 */
#include <check.h>

#include "check_run.h"
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
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

/* ---- the targets ---- */

/* s matches the extended regular expression re */
static bool
matches(const char *s, const char *re)
{
	regex_t r;
	int rc;

	ck_assert_int_eq(regcomp(&r, re, REG_EXTENDED | REG_NOSUB), 0);
	rc = regexec(&r, s, 0, NULL, 0);
	regfree(&r);
	return rc == 0;
}

static void
journal_env(dev_t dev, ino_t ino)
{
	char v[64];

	snprintf(v, sizeof(v), "%ju:%ju", (uintmax_t)dev, (uintmax_t)ino);
	ck_assert_int_eq(setenv("JOURNAL_STREAM", v, 1), 0);
}

/* Plain stderr: the local date and time to the ms, BIRD's "%F %T.%3f". */
START_TEST(t_stderr_datetime)
{
	char before[16], after[16], *s;
	time_t t;
	struct tm tm;

	unsetenv("JOURNAL_STREAM");
	log_open(LOG_TO_STDERR, NULL);
	ck_assert_int_eq(log_format(), LOG_FMT_STDERR);
	t = time(NULL);
	strftime(before, sizeof(before), "%F", localtime_r(&t, &tm));
	log_info("hello %d", 1);
	errno = ENOENT;
	log_warn("open %s", "x");
	t = time(NULL);
	strftime(after, sizeof(after), "%F", localtime_r(&t, &tm));
	s = captured();
	ck_assert_msg(matches(s, "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:"
	    "[0-9]{2}:[0-9]{2}\\.[0-9]{3} test: info: hello 1\n"
	    "[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\\."
	    "[0-9]{3} test: warning: open x: No such file or directory\n$"),
	    "got \"%s\"", s);
	ck_assert(strncmp(s, before, 10) == 0 || strncmp(s, after, 10) == 0);
	free(s);
}
END_TEST

/*
 * Batched (log_batch_start): info lines wait for the end of the loop turn
 * (one write), a warning goes at once after them, in order; log_batch_stop
 * writes what is left; a line too long for the buffer still ends in '\n'.
 */
START_TEST(t_batch)
{
	struct event_base *base = event_base_new();
	char *s, big[900];

	unsetenv("JOURNAL_STREAM");
	log_open(LOG_TO_STDERR, NULL);
	log_batch_start(base);
	log_info("one");
	log_info("two");
	s = captured();
	ck_assert_str_eq(s, "");
	free(s);
	ck_assert_int_ge(event_base_loop(base, EVLOOP_NONBLOCK), 0);
	s = captured();
	ck_assert_uint_eq(count(s, "test: info: one\n"), 1);
	ck_assert(strstr(s, "one") < strstr(s, "two"));
	free(s);
	log_info("three");
	log_warnx("four");
	s = captured();
	ck_assert_ptr_nonnull(strstr(s, "three"));
	ck_assert(strstr(s, "three") < strstr(s, "warning: four"));
	free(s);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (int i = 0; i < 40; i++)	/* more than the buffer holds */
		log_info("%s %d", big, i);
	log_info("last");
	log_batch_stop();
	s = captured();
	ck_assert_uint_eq(count(s, " 39\n"), 1);
	ck_assert_uint_eq(count(s, "x\n"), 0);
	ck_assert_ptr_nonnull(strstr(s, "info: last\n"));
	free(s);
	/* stopped: at once again */
	log_info("after");
	s = captured();
	ck_assert_ptr_nonnull(strstr(s, "info: after\n"));
	free(s);
	event_base_free(base);
}
END_TEST

/* A message longer than a line: cut, still one line ending in '\n'. */
START_TEST(t_long_line)
{
	char big[3000], *s, *nl;

	unsetenv("JOURNAL_STREAM");
	log_open(LOG_TO_STDERR, NULL);
	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_info("%s", big);
	log_info("next");
	s = captured();
	nl = strchr(s, '\n');
	ck_assert_ptr_nonnull(nl);
	ck_assert_ptr_nonnull(strstr(nl + 1, "info: next\n"));
	free(s);
}
END_TEST

/* stderr is the journal's stream: "<N>level: message", no time. */
START_TEST(t_journal)
{
	struct stat st;
	char *s;

	ck_assert_int_eq(fstat(STDERR_FILENO, &st), 0);
	journal_env(st.st_dev, st.st_ino);
	log_init(LOG_LVL_DEBUG, LOG_D_ALL, "test");
	log_open(LOG_TO_STDERR, NULL);
	ck_assert_int_eq(log_format(), LOG_FMT_JOURNAL);
	log_error("e %s", "1");
	log_warnx("w");
	errno = EPIPE;
	log_warn("send");
	log_info("i");
	log_debug("d");
	log_dbg(LOG_D_ROUTES, "route");
	s = captured();
	ck_assert_str_eq(s, "<3>error: e 1\n<4>warning: w\n"
	    "<4>warning: send: Broken pipe\n<6>info: i\n<7>debug: d\n"
	    "<7>debug: route\n");
	free(s);
}
END_TEST

/* A JOURNAL_STREAM that is not fd 2 (stderr redirected): plain stderr. */
START_TEST(t_journal_mismatch)
{
	struct stat st;
	FILE *other = tmpfile();
	char *s;

	ck_assert_int_eq(fstat(STDERR_FILENO, &st), 0);
	journal_env(st.st_dev, st.st_ino + 1);
	log_open(LOG_TO_STDERR, NULL);
	ck_assert_int_eq(log_format(), LOG_FMT_STDERR);
	journal_env(st.st_dev + 1, st.st_ino);
	log_open(LOG_TO_STDERR, NULL);
	ck_assert_int_eq(log_format(), LOG_FMT_STDERR);
	log_info("plain");
	s = captured();
	ck_assert(matches(s, "^[0-9-]{10} [0-9:.]{12} test: info: plain\n$"));
	free(s);
	/* the rule alone */
	ck_assert_ptr_nonnull(other);
	ck_assert(log_journal_stream_is(getenv("JOURNAL_STREAM"),
	    STDERR_FILENO) == false);
	journal_env(st.st_dev, st.st_ino);
	ck_assert(log_journal_stream_is(getenv("JOURNAL_STREAM"),
	    STDERR_FILENO));
	ck_assert(!log_journal_stream_is(getenv("JOURNAL_STREAM"),
	    fileno(other)));
	ck_assert(!log_journal_stream_is(NULL, STDERR_FILENO));
	ck_assert(!log_journal_stream_is("", STDERR_FILENO));
	ck_assert(!log_journal_stream_is("8", STDERR_FILENO));
	ck_assert(!log_journal_stream_is("8:", STDERR_FILENO));
	ck_assert(!log_journal_stream_is(":8", STDERR_FILENO));
	ck_assert(!log_journal_stream_is("-8:1", STDERR_FILENO));
	ck_assert(!log_journal_stream_is("8:1x", STDERR_FILENO));
	ck_assert(!log_journal_stream_is("99999999999999999999999:1",
	    STDERR_FILENO));
	ck_assert(!log_journal_stream_is("1:2", -1));
	fclose(other);
}
END_TEST

/* syslog(3)'s seam: each call written to stderr as a line of its own. */
static int nopen, nclose;

static void
rec_openlog(const char *ident, int option, int facility)
{
	nopen++;
	fprintf(stderr, "OPEN %s %s %s\n", ident,
	    option == LOG_PID ? "LOG_PID" : "?",
	    facility == LOG_DAEMON ? "LOG_DAEMON" : "?");
}

static void PRINTF_LIKE(2, 3)
rec_syslog(int prio, const char *fmt, ...)
{
	char msg[1100];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "SYSLOG %d %s\n", prio, msg);
}

static void
rec_closelog(void)
{
	nclose++;
	fprintf(stderr, "CLOSE\n");
}

static const struct log_syslog_ops rec_sys = {
	rec_openlog, rec_syslog, rec_closelog,
};

START_TEST(t_syslog)
{
	char *s;

	unsetenv("JOURNAL_STREAM");
	log_set_syslog_ops(&rec_sys);
	log_init(LOG_LVL_DEBUG, 0, "ternd");
	log_open(LOG_TO_SYSLOG, NULL);
	ck_assert_int_eq(log_format(), LOG_FMT_SYSLOG);
	log_error("e");
	log_warnx("w %d", 2);
	errno = ECONNREFUSED;
	log_warn("connect");
	log_info("i");
	log_debug("d");
	/* on reload: syslog again is a new connection; stderr closes it */
	log_open(LOG_TO_SYSLOG, NULL);
	log_open(LOG_TO_STDERR, NULL);
	log_open(LOG_TO_STDERR, NULL);
	ck_assert_int_eq(nopen, 2);
	ck_assert_int_eq(nclose, 2);
	log_info("back");
	s = captured();
	ck_assert_msg(matches(s, "^OPEN ternd LOG_PID LOG_DAEMON\n"
	    "SYSLOG 3 error: e\n"
	    "SYSLOG 4 warning: w 2\n"
	    "SYSLOG 4 warning: connect: Connection refused\n"
	    "SYSLOG 6 info: i\n"
	    "SYSLOG 7 debug: d\n"
	    "CLOSE\nOPEN ternd LOG_PID LOG_DAEMON\nCLOSE\n"
	    "[0-9-]{10} [0-9:.]{12} ternd: info: back\n$"), "got \"%s\"", s);
	free(s);
	log_set_syslog_ops(NULL);
}
END_TEST

/* fatal()/fatalx(): the line on the target, exit status 1; with syslog
 * the line is on stderr too. */
static void
fatal_child(enum log_target t, bool with_errno)
{
	pid_t pid = fork();
	int status;

	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		log_set_syslog_ops(&rec_sys);
		log_open(t, NULL);
		if (with_errno) {
			errno = ENOMEM;
			fatal("malloc %d", 3);
		}
		fatalx("invariant %s", "broken");
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 1);
}

START_TEST(t_fatal)
{
	struct stat st;
	char *s;

	ck_assert_int_eq(fstat(STDERR_FILENO, &st), 0);
	journal_env(st.st_dev, st.st_ino);
	fatal_child(LOG_TO_STDERR, true);
	fatal_child(LOG_TO_SYSLOG, false);
	s = captured();
	ck_assert_msg(matches(s, "^<3>error: malloc 3: Cannot allocate "
	    "memory\n"
	    "OPEN test LOG_PID LOG_DAEMON\n"
	    "SYSLOG 3 error: invariant broken\n"
	    "[0-9-]{10} [0-9:.]{12} test: error: invariant broken\n$"),
	    "got \"%s\"", s);
	free(s);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("ratelimit");
	TCase *tt = tcase_create("targets");

	tcase_add_checked_fixture(tt, setup, teardown);
	tcase_add_test(tt, t_stderr_datetime);
	tcase_add_test(tt, t_journal);
	tcase_add_test(tt, t_journal_mismatch);
	tcase_add_test(tt, t_syslog);
	tcase_add_test(tt, t_fatal);
	tcase_add_test(tt, t_batch);
	tcase_add_test(tt, t_long_line);
	suite_add_tcase(s, tt);

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
