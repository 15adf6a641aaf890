/*
 * ds_rec.h: the recording ds_ops stub shared by test_datastore,
 * test_calico, test_derive and test_bgpopts. Each call a backend makes is
 * recorded as one line of text (the test's own rec_local/rec_peer/rec_pool
 * choose the detail; blocks and "synced" are the same everywhere), and
 * EXPECT("line", ...) asserts the exact sequence since the last check,
 * then clears it.
 */
#ifndef TERN_TEST_DS_REC_H
#define TERN_TEST_DS_REC_H

#include <check.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "datastore.h"
#include "defs.h"

#define REC_MAX	64

static struct {
	char	line[REC_MAX][512];
	size_t	n;
} rec;

static void rec_add(const char *, ...) PRINTF_LIKE(1, 2);

static void
rec_add(const char *fmt, ...)
{
	va_list ap;

	ck_assert_uint_lt(rec.n, REC_MAX);
	va_start(ap, fmt);
	vsnprintf(rec.line[rec.n++], sizeof(rec.line[0]), fmt, ap);
	va_end(ap);
}

__attribute__((unused)) static void
rec_block(void *arg, const struct prefix *p, bool present)
{
	char buf[PREFIX_STRLEN];

	(void)arg;
	rec_add("%cblock %s", present ? '+' : '-',
	    prefix_fmt(p, buf, sizeof(buf)));
}

__attribute__((unused)) static void
rec_synced(void *arg)
{
	(void)arg;
	rec_add("synced");
}

/* "log debug", "log unset" (test_etcd does not record it) */
__attribute__((unused)) static void
rec_log(void *arg, const struct ds_log *l)
{
	static const char *const names[] = { "error", "warning", "info",
	    "debug" };

	(void)arg;
	rec_add("log %s", l->set ? names[l->level] : "unset");
}

/* Assert the recorded calls are exactly want[], in order; then clear. */
#define EXPECT(...) do {						\
	static const char *const want_[] = { __VA_ARGS__ };		\
	expect(want_, NITEMS(want_), __LINE__);			\
} while (0)
#define EXPECT_NONE()	expect(NULL, 0, __LINE__)

static void
expect(const char *const *want, size_t n, int line)
{
	char all[REC_MAX * 512] = "";

	for (size_t i = 0; i < rec.n; i++) {
		strcat(all, "\n  ");
		strcat(all, rec.line[i]);
	}
	ck_assert_msg(rec.n == n, "line %d: %zu calls, want %zu:%s", line,
	    rec.n, n, all);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(strcmp(rec.line[i], want[i]) == 0,
		    "line %d: call %zu is \"%s\", want \"%s\"", line, i,
		    rec.line[i], want[i]);
	rec.n = 0;
}

#endif
