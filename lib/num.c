/*
 * num.c: strict decimal and AS number parsing (see num.h).
 */
#include <string.h>

#include "num.h"

int
num_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0' || (s[0] == '0' && s[1] != '\0'))
		return -1;
	for (; *s != '\0'; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (*s < '0' || *s > '9' || v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

enum num_as_result
num_parse_as(const char *s, uint32_t *as)
{
	uint64_t hi, lo, v;
	char buf[24];
	char *dot;

	if (strlen(s) >= sizeof(buf))
		return NUM_AS_SYNTAX;
	strcpy(buf, s);
	if ((dot = strchr(buf, '.')) != NULL) {
		*dot = '\0';
		if (num_parse_u64(buf, &hi) == -1 ||
		    num_parse_u64(dot + 1, &lo) == -1 || hi > 65535 ||
		    lo > 65535)
			return NUM_AS_ASDOT;
		v = hi << 16 | lo;
	} else if (num_parse_u64(buf, &v) == -1)
		return NUM_AS_SYNTAX;
	if (v == 0 || v > UINT32_MAX)
		return NUM_AS_RANGE;
	*as = (uint32_t)v;
	return NUM_AS_OK;
}
