/*
 * addr.h: IPv4/IPv6 addresses and prefixes as plain values.
 *
 * Both types are fixed-size, zero-padded and comparable with memcmp once
 * built by these functions (unused bytes are always zero), so they hash and
 * sort cheaply in the RIB. af is AF_INET or AF_INET6 (0 = unset).
 */
#ifndef TERN_ADDR_H
#define TERN_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "defs.h"

struct addr {
	uint8_t		af;
	uint8_t		pad[3];
	uint8_t		b[16];	/* network byte order; v4 uses b[0..3] */
};

struct prefix {
	uint8_t		af;
	uint8_t		len;
	uint8_t		pad[2];
	uint8_t		b[16];	/* network byte order, host bits zero */
};

#define ADDR_STRLEN	INET6_ADDRSTRLEN
#define PREFIX_STRLEN	(INET6_ADDRSTRLEN + 4)

static inline unsigned
af_maxlen(uint8_t af)
{
	return af == AF_INET ? 32 : 128;
}

static inline size_t
af_bytes(uint8_t af)
{
	return af == AF_INET ? 4 : 16;
}

void	addr_set_v4(struct addr *, uint32_t host_order);
uint32_t addr_v4(const struct addr *);	/* host byte order */
void	addr_set_bytes(struct addr *, uint8_t af, const void *);
int	addr_parse(const char *, struct addr *) WARN_UNUSED;
/* "A.B.C.D:PORT" or "[V6]:PORT", port 1..65535 */
int	addr_port_parse(const char *, struct addr *, uint16_t *) WARN_UNUSED;
const char *addr_fmt(const struct addr *, char *, size_t);
int	addr_cmp(const struct addr *, const struct addr *);
bool	addr_eq(const struct addr *, const struct addr *);
bool	addr_is_set(const struct addr *);

/* Parse "a.b.c.d/n" or "x::/n"; rejects set host bits and junk. */
int	prefix_parse(const char *, struct prefix *) WARN_UNUSED;
/* Parse Calico's key form "10.0.0.0-26" (first '-' is the '/'). */
int	prefix_parse_dash(const char *, struct prefix *) WARN_UNUSED;
int	prefix_set(struct prefix *, uint8_t af, const void *bytes, unsigned len) WARN_UNUSED;
const char *prefix_fmt(const struct prefix *, char *, size_t);
int	prefix_cmp(const struct prefix *, const struct prefix *);
bool	prefix_eq(const struct prefix *, const struct prefix *);
bool	prefix_contains(const struct prefix *outer, const struct prefix *inner);
bool	prefix_contains_addr(const struct prefix *, const struct addr *);
uint32_t prefix_hash(const struct prefix *);
/* The same hash from the parts (af_bytes(af) bytes at b). */
uint32_t prefix_hash_bytes(uint8_t af, uint8_t len, const uint8_t *b);

#endif
