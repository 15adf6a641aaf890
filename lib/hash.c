/*
 * hash.c: SipHash-1-3 (one compression round per word, three at the end)
 * with a per-process random key. See hash.h.
 */
#include <endian.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "hash.h"

static uint64_t key[2];
static int	keyed;

#define ROTL(x, b)	(uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static inline void
sipround(struct hash_state *s)
{
	s->v0 += s->v1;
	s->v1 = ROTL(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = ROTL(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = ROTL(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = ROTL(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = ROTL(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = ROTL(s->v2, 32);
}

void
hash_set_key(uint64_t k0, uint64_t k1)
{
	key[0] = k0;
	key[1] = k1;
	keyed = 1;
}

/* getrandom() never fails for 16 bytes once the pool is ready; if it
 * does (very early boot), the clock and pid are better than no key. */
static void
key_init(void)
{
	struct timespec ts;

	if (getrandom(key, sizeof(key), GRND_NONBLOCK) != sizeof(key)) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		key[0] = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15u ^
		    (uint64_t)getpid();
		key[1] = (uint64_t)ts.tv_sec ^ (uint64_t)time(NULL) << 20;
	}
	keyed = 1;
}

void
hash_init(struct hash_state *s)
{
	if (!keyed)
		key_init();
	s->v0 = key[0] ^ 0x736f6d6570736575u;
	s->v1 = key[1] ^ 0x646f72616e646f6du;
	s->v2 = key[0] ^ 0x6c7967656e657261u;
	s->v3 = key[1] ^ 0x7465646279746573u;
	s->tail = 0;
	s->len = 0;
}

static inline void
compress(struct hash_state *s, uint64_t m)
{
	s->v3 ^= m;
	sipround(s);
	s->v0 ^= m;
}

void
hash_add(struct hash_state *s, const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t m;

	/* whole little-endian words while nothing is pending */
	while ((s->len & 7) == 0 && n >= 8) {
		memcpy(&m, b, 8);
		compress(s, le64toh(m));
		s->len += 8;
		b += 8;
		n -= 8;
	}
	for (size_t i = 0; i < n; i++) {
		s->tail |= (uint64_t)b[i] << (8 * (s->len & 7));
		if ((++s->len & 7) == 0) {
			compress(s, s->tail);
			s->tail = 0;
		}
	}
}

void
hash_add_u32(struct hash_state *s, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 24) };

	hash_add(s, b, sizeof(b));
}

void
hash_add_u64(struct hash_state *s, uint64_t v)
{
	if ((s->len & 7) == 0) {	/* aligned: one word at once */
		compress(s, v);
		s->len += 8;
		return;
	}
	hash_add_u32(s, (uint32_t)v);
	hash_add_u32(s, (uint32_t)(v >> 32));
}

uint64_t
hash_final(struct hash_state *s)
{
	uint64_t b = (uint64_t)(s->len & 0xff) << 56 | s->tail;

	compress(s, b);
	s->v2 ^= 0xff;
	sipround(s);
	sipround(s);
	sipround(s);
	return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

uint64_t
hash_bytes(const void *p, size_t n)
{
	struct hash_state s;

	hash_init(&s);
	hash_add(&s, p, n);
	return hash_final(&s);
}

/*
 * hash_bytes of n little-endian words, in registers: the tables' hot path
 * (a prefix is one word for IPv4, three for IPv6; an index record three).
 * The same rounds as hash_init/compress/hash_final, without the state in
 * memory.
 */
#define SIPROUND(v0, v1, v2, v3) do {					\
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);	\
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;				\
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;				\
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);	\
} while (0)

uint64_t
hash_words(const uint64_t *w, size_t n)
{
	uint64_t v0, v1, v2, v3, b = (uint64_t)((n * 8) & 0xff) << 56;

	if (!keyed)
		key_init();
	v0 = key[0] ^ 0x736f6d6570736575u;
	v1 = key[1] ^ 0x646f72616e646f6du;
	v2 = key[0] ^ 0x6c7967656e657261u;
	v3 = key[1] ^ 0x7465646279746573u;
	for (size_t i = 0; i < n; i++) {
		v3 ^= w[i];
		SIPROUND(v0, v1, v2, v3);
		v0 ^= w[i];
	}
	v3 ^= b;
	SIPROUND(v0, v1, v2, v3);
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}
