/*
 * num.h: strict number parsing shared by every text input (config file,
 * cluster file, etcd values): no sign, no spaces, no leading zeros, no
 * overflow.
 */
#ifndef TERN_NUM_H
#define TERN_NUM_H

#include <stdint.h>

#include "defs.h"

/* Decimal digits only; "0" but not "01". 0 or -1. */
int	num_parse_u64(const char *, uint64_t *) WARN_UNUSED;

enum num_as_result {
	NUM_AS_OK,
	NUM_AS_SYNTAX,		/* not a number at all */
	NUM_AS_ASDOT,		/* "a.b" with a part > 65535 or malformed */
	NUM_AS_RANGE,		/* 0 or > 4294967295 */
};

/* An AS number: asplain "64512" or asdot "1.10" (RFC 5396), 1..2^32-1. */
enum num_as_result num_parse_as(const char *, uint32_t *) WARN_UNUSED;

#endif
