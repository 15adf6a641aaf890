/*
 * log_capture.h: the unit tests' view of ternd's log: stderr into a
 * temporary file (each test runs in its own process), and a count of the
 * lines said so far that contain a string.
 */
#ifndef TERN_TEST_LOG_CAPTURE_H
#define TERN_TEST_LOG_CAPTURE_H

#include <check.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static inline void
log_capture(void)
{
	FILE *f = tmpfile();

	ck_assert(f != NULL && dup2(fileno(f), 2) == 2);
}

/* How many lines of the log so far contain s. */
static inline int
log_lines(const char *s)
{
	FILE *f = fdopen(dup(2), "r");
	char line[1024];
	int n = 0;

	ck_assert_ptr_nonnull(f);
	rewind(f);
	while (fgets(line, sizeof(line), f) != NULL)
		n += strstr(line, s) != NULL;
	fclose(f);
	return n;
}

#endif
