/*
 * addr.c: parsing, formatting and comparing struct addr / struct prefix.
 * Every parser checks its whole input; nothing here logs.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "hash.h"

void
addr_set_v4(struct addr *a, uint32_t v)
{
	memset(a, 0, sizeof(*a));
	a->af = AF_INET;
	a->b[0] = (uint8_t)(v >> 24);
	a->b[1] = (uint8_t)(v >> 16);
	a->b[2] = (uint8_t)(v >> 8);
	a->b[3] = (uint8_t)v;
}

uint32_t
addr_v4(const struct addr *a)
{
	return ((uint32_t)a->b[0] << 24) | ((uint32_t)a->b[1] << 16) |
	    ((uint32_t)a->b[2] << 8) | a->b[3];
}

void
addr_set_bytes(struct addr *a, uint8_t af, const void *bytes)
{
	memset(a, 0, sizeof(*a));
	a->af = af;
	memcpy(a->b, bytes, af_bytes(af));
}

int
addr_parse(const char *s, struct addr *a)
{
	memset(a, 0, sizeof(*a));
	if (s == NULL || *s == '\0')
		return -1;
	if (strchr(s, ':') != NULL) {
		if (inet_pton(AF_INET6, s, a->b) != 1)
			return -1;
		a->af = AF_INET6;
		return 0;
	}
	if (inet_pton(AF_INET, s, a->b) != 1)
		return -1;
	a->af = AF_INET;
	return 0;
}

int
addr_port_parse(const char *s, struct addr *a, uint16_t *port)
{
	char tmp[INET6_ADDRSTRLEN + 2];
	const char *colon, *host, *p;
	size_t hlen;
	unsigned long v;

	memset(a, 0, sizeof(*a));
	if (s == NULL || (colon = strrchr(s, ':')) == NULL)
		return -1;
	host = s;
	hlen = (size_t)(colon - s);
	if (hlen >= 2 && s[0] == '[' && s[hlen - 1] == ']') {
		host++;
		hlen -= 2;
		if (memchr(host, ':', hlen) == NULL)
			return -1;	/* [1.2.3.4]:80 */
	} else if (memchr(s, ':', hlen) != NULL)
		return -1;		/* bare IPv6 needs [] */
	if (hlen == 0 || hlen >= sizeof(tmp))
		return -1;
	memcpy(tmp, host, hlen);
	tmp[hlen] = '\0';
	if (addr_parse(tmp, a) == -1)
		return -1;
	v = 0;
	for (p = colon + 1; *p >= '0' && *p <= '9' && v <= 65535; p++)
		v = v * 10 + (unsigned long)(*p - '0');
	if (p == colon + 1 || *p != '\0' || v == 0 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

const char *
addr_fmt(const struct addr *a, char *buf, size_t len)
{
	if (a->af != AF_INET && a->af != AF_INET6) {
		snprintf(buf, len, "(none)");
		return buf;
	}
	if (inet_ntop(a->af, a->b, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

int
addr_cmp(const struct addr *x, const struct addr *y)
{
	if (x->af != y->af)
		return x->af < y->af ? -1 : 1;
	return memcmp(x->b, y->b, sizeof(x->b));
}

bool
addr_eq(const struct addr *x, const struct addr *y)
{
	return addr_cmp(x, y) == 0;
}

bool
addr_is_set(const struct addr *a)
{
	return a->af == AF_INET || a->af == AF_INET6;
}

static bool
host_bits_zero(const uint8_t *b, unsigned len, size_t nbytes)
{
	for (size_t i = 0; i < nbytes; i++) {
		unsigned bit0 = (unsigned)i * 8;
		uint8_t mask;

		if (bit0 + 8 <= len)
			continue;
		mask = 0xff;
		if (bit0 < len)
			mask = (uint8_t)(mask >> (len - bit0));
		if (b[i] & mask)
			return false;
	}
	return true;
}

int
prefix_set(struct prefix *p, uint8_t af, const void *bytes, unsigned len)
{
	memset(p, 0, sizeof(*p));
	if ((af != AF_INET && af != AF_INET6) || len > af_maxlen(af))
		return -1;
	p->af = af;
	p->len = (uint8_t)len;
	memcpy(p->b, bytes, af_bytes(af));
	if (!host_bits_zero(p->b, len, af_bytes(af)))
		return -1;
	return 0;
}

int
prefix_parse(const char *s, struct prefix *p)
{
	char tmp[PREFIX_STRLEN];
	const char *slash;
	char *end;
	struct addr a;
	unsigned long len;

	memset(p, 0, sizeof(*p));
	if (s == NULL || (slash = strchr(s, '/')) == NULL ||
	    (size_t)(slash - s) >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, (size_t)(slash - s));
	tmp[slash - s] = '\0';
	if (addr_parse(tmp, &a) == -1)
		return -1;
	if (slash[1] < '0' || slash[1] > '9')
		return -1;
	errno = 0;
	len = strtoul(slash + 1, &end, 10);
	if (errno || *end != '\0' || len > af_maxlen(a.af))
		return -1;
	return prefix_set(p, a.af, a.b, (unsigned)len);
}

int
prefix_parse_dash(const char *s, struct prefix *p)
{
	char tmp[PREFIX_STRLEN];
	char *dash;

	if (s == NULL || strlen(s) >= sizeof(tmp))
		return -1;
	strcpy(tmp, s);
	if ((dash = strchr(tmp, '-')) == NULL)
		return -1;
	*dash = '/';
	return prefix_parse(tmp, p);
}

const char *
prefix_fmt(const struct prefix *p, char *buf, size_t len)
{
	char a[ADDR_STRLEN];

	if ((p->af != AF_INET && p->af != AF_INET6) ||
	    inet_ntop(p->af, p->b, a, sizeof(a)) == NULL)
		snprintf(buf, len, "(none)");
	else
		snprintf(buf, len, "%s/%u", a, p->len);
	return buf;
}

int
prefix_cmp(const struct prefix *x, const struct prefix *y)
{
	int c;

	if (x->af != y->af)
		return x->af < y->af ? -1 : 1;
	if ((c = memcmp(x->b, y->b, sizeof(x->b))) != 0)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return 0;
}

bool
prefix_eq(const struct prefix *x, const struct prefix *y)
{
	return x->af == y->af && x->len == y->len &&
	    memcmp(x->b, y->b, sizeof(x->b)) == 0;
}

static bool
bits_match(const uint8_t *a, const uint8_t *b, unsigned len)
{
	unsigned full = len / 8, rem = len % 8;

	if (memcmp(a, b, full) != 0)
		return false;
	if (rem) {
		uint8_t mask = (uint8_t)(0xff << (8 - rem));
		if ((a[full] ^ b[full]) & mask)
			return false;
	}
	return true;
}

bool
prefix_contains(const struct prefix *outer, const struct prefix *inner)
{
	if (outer->af != inner->af || inner->len < outer->len)
		return false;
	return bits_match(outer->b, inner->b, outer->len);
}

bool
prefix_contains_addr(const struct prefix *p, const struct addr *a)
{
	if (p->af != a->af)
		return false;
	return bits_match(p->b, a->b, p->len);
}

uint32_t
prefix_hash_bytes(uint8_t af, uint8_t len, const uint8_t *b)
{
	/* keyed (hash.h): a peer cannot choose prefixes that collide; the
	 * family, length and address bytes packed into whole words */
	union {
		uint8_t		b[24];
		uint64_t	w[3];
	} u = { .b = { af, len } };
	size_t n = af_bytes(af);
	uint64_t h;

	memcpy(u.b + 2, b, n);
	for (size_t i = 0; i < (n + 2 + 7) / 8; i++)
		u.w[i] = le64toh(u.w[i]);
	h = hash_words(u.w, (n + 2 + 7) / 8);
	return (uint32_t)(h ^ (h >> 32));
}

uint32_t
prefix_hash(const struct prefix *p)
{
	return prefix_hash_bytes(p->af, p->len, p->b);
}
