/*
 * fuzz_util.h: what the fuzz harnesses of tests/fuzz/fuzz_<target>.h
 * share. Each harness is a static fuzz_<target>(data, size) run both by
 * its libFuzzer entry point (tests/fuzz/fuzz_<target>.c) and by the
 * corpus replay of tests/unit/test_crashers.c, so a crasher replays
 * through exactly the code that found it.
 *
 * FUZZ_CHECK(cond) reports a broken property; the includer may define it
 * before the first include (test_crashers.c makes it a check assertion),
 * the default aborts so that libFuzzer saves the input. A struct fuzz_in
 * cuts the input into length-prefixed fields; fuzz_file_set() puts bytes
 * in a memfd, for the parsers that read a path.
 */
#ifndef TERN_FUZZ_UTIL_H
#define TERN_FUZZ_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef FUZZ_CHECK
#define FUZZ_CHECK(c)	do { if (!(c)) abort(); } while (0)
#endif

/* The part of the input not consumed yet. */
struct fuzz_in {
	const uint8_t	*p;
	size_t		 n;
};

static inline uint8_t
fuzz_u8(struct fuzz_in *in)
{
	uint8_t v;

	if (in->n == 0)
		return 0;
	v = in->p[0];
	in->p++;
	in->n--;
	return v;
}

/* Big-endian; missing octets read as 0. */
static inline uint16_t
fuzz_u16(struct fuzz_in *in)
{
	uint16_t hi = fuzz_u8(in);

	return (uint16_t)(hi << 8 | fuzz_u8(in));
}

/* Up to len octets (fewer at the end of the input). */
static inline const uint8_t *
fuzz_take(struct fuzz_in *in, size_t len, size_t *got)
{
	const uint8_t *p = in->p;

	*got = len < in->n ? len : in->n;
	in->p += *got;
	in->n -= *got;
	return p;
}

/* A message meant for a log line or a reply: one line, no control octets. */
static inline bool
fuzz_printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/*
 * A regular file holding exactly the bytes given, as a path: one memfd
 * per slot, kept open for the life of the process ("/proc/self/fd/N").
 */
#define FUZZ_FILES	2

static inline const char *
fuzz_file_set(int slot, const void *p, size_t n)
{
	static int fd[FUZZ_FILES] = { -1, -1 };
	static char path[FUZZ_FILES][32];

	if (fd[slot] == -1) {
		fd[slot] = memfd_create("tern-fuzz", MFD_CLOEXEC);
		FUZZ_CHECK(fd[slot] != -1);
		snprintf(path[slot], sizeof(path[slot]), "/proc/self/fd/%d",
		    fd[slot]);
	}
	FUZZ_CHECK(ftruncate(fd[slot], 0) == 0);
	FUZZ_CHECK(n == 0 || pwrite(fd[slot], p, n, 0) == (ssize_t)n);
	return path[slot];
}

#endif
