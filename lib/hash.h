/*
 * hash.h: keyed hashing for every table a neighbour can fill (SipHash-1-3,
 * Aumasson and Bernstein; the variant Rust's std and CPython use for the
 * same reason). An unkeyed hash (FNV) lets a peer craft keys that collide
 * and turn each lookup into a scan; with a random key per process it
 * cannot predict collisions.
 *
 * The key is drawn from getrandom() on first use; hash_set_key() fixes it
 * (tests that want repeatable layouts). Streaming: hash_init, hash_add*,
 * hash_final; hash_bytes for one buffer.
 */
#ifndef TERN_HASH_H
#define TERN_HASH_H

#include <stddef.h>
#include <stdint.h>

struct hash_state {
	uint64_t	v0, v1, v2, v3;
	uint64_t	tail;		/* bytes not yet in a full word */
	size_t		len;		/* bytes added in all */
};

void	 hash_set_key(uint64_t k0, uint64_t k1);
void	 hash_init(struct hash_state *);
void	 hash_add(struct hash_state *, const void *, size_t);
void	 hash_add_u32(struct hash_state *, uint32_t);
void	 hash_add_u64(struct hash_state *, uint64_t);
uint64_t hash_final(struct hash_state *);
uint64_t hash_bytes(const void *, size_t);
/* The same as hash_bytes of the n words in little-endian order. */
uint64_t hash_words(const uint64_t *, size_t n);

#endif
