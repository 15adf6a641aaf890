/*
 * table.c: the rib's storage: a slab allocator for fixed-size objects and
 * the prefix -> entry hash table built on it.
 *
 * The table is open addressing with linear probing (Fibonacci hashing of
 * prefix_hash) and backward-shift deletion, so it never holds tombstones.
 * A slot is 32 bits: 6 bits of the hash as a tag, which saves most
 * entry reads on a probe, and the entry's slab index + 1. Walks go over
 * the slab in memory order, not over the slots. Bulk removal (flush,
 * sweep) leaves emptied entries in place ("dead": head.src NULL) while it
 * walks and notifies, and rib_tab_settle removes them at the end, one by
 * one or by a rebuild when they are many. This file knows nothing about
 * attributes or clients, and of paths only that a dead entry has none.
 */
#include <assert.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "rib_impl.h"
#include "xmalloc.h"

#define TAB_MINCAP	16u
#define FIB_MULT	2654435769u	/* 2^32 / golden ratio */

/* A free slab object; objects are at least this big. */
struct slab_free {
	struct slab_free	*next;
	uint32_t		 idx;
};

void
rib_slab_init(struct rib_slab *s, size_t size)
{
	assert(size >= sizeof(struct slab_free));
	memset(s, 0, sizeof(*s));
	s->size = size;
}

void
rib_slab_fini(struct rib_slab *s)
{
	for (uint32_t i = 0; i < s->nchunks; i++)
		free(s->chunks[i]);
	free(s->chunks);
	rib_slab_init(s, s->size);
}

static void
slab_grow(struct rib_slab *s)
{
	/* an index must fit a table slot (RIB_TAB_MAXIDX) */
	if (s->nchunks >= (RIB_TAB_MAXIDX >> RIB_SLAB_SHIFT))
		fatalx("rib slab: too many objects");
	if (s->nchunks == s->chunkcap) {
		s->chunkcap = s->chunkcap ? s->chunkcap * 2 : 16;
		s->chunks = xreallocarray(s->chunks, s->chunkcap,
		    sizeof(*s->chunks));
	}
	s->chunks[s->nchunks++] = xmalloc(RIB_SLAB_CHUNK * s->size);
}

/* A zeroed object; its index goes to *idxp when idxp is not NULL. */
void *
rib_slab_get(struct rib_slab *s, uint32_t *idxp)
{
	struct slab_free *f;
	uint32_t idx;
	void *p;

	if ((f = s->free) != NULL) {
		s->free = f->next;
		idx = f->idx;
		p = f;
	} else {
		if (s->fresh == s->nchunks * RIB_SLAB_CHUNK)
			slab_grow(s);
		idx = s->fresh++;
		p = rib_slab_at(s, idx);
	}
	memset(p, 0, s->size);
	s->live++;
	if (idxp != NULL)
		*idxp = idx;
	return p;
}

/* Give p (index idx; any value for a slab that never uses indices) back. */
void
rib_slab_put(struct rib_slab *s, void *p, uint32_t idx)
{
	struct slab_free *f = p;

	assert(s->live > 0);
	s->live--;
	f->next = s->free;
	f->idx = idx;
	s->free = f;
}

/* An empty slab (after a full flush) gives its chunks back. */
void
rib_slab_trim(struct rib_slab *s)
{
	if (s->live == 0 && s->nchunks > 0)
		rib_slab_fini(s);
}

#define TAG_SHIFT	26
#define SLOT_IDX(v)	(((v) & RIB_TAB_MAXIDX) - 1)

static inline uint32_t
slot_make(uint32_t idx, uint32_t h)
{
	return h << TAG_SHIFT | (idx + 1);
}

static inline bool
slot_tag_eq(uint32_t v, uint32_t h)
{
	return v >> TAG_SHIFT == (h & ((1u << (32 - TAG_SHIFT)) - 1));
}

static inline struct rib_entry *
slot_entry(const struct rib_tab *t, uint32_t v)
{
	return rib_slab_at(&t->entries, SLOT_IDX(v));
}

static inline uint32_t
home(const struct rib_tab *t, uint32_t h)
{
	return (h * FIB_MULT) >> t->shift;
}

static inline bool
is_dead(const struct rib_entry *e)
{
	return e->head.src == NULL;
}

static inline uint32_t
entry_hash(const struct rib_entry *e)
{
	return prefix_hash_bytes(e->af, e->len, e->b);
}

/* New slots for every entry in the slab (free ones have af 0). */
static void
tab_resize(struct rib_tab *t, uint32_t cap)
{
	const struct rib_entry *e;
	uint32_t h, i, mask = cap - 1;

	free(t->slots);
	t->slots = xcalloc(cap, sizeof(*t->slots));
	t->cap = cap;
	t->shift = 32 - (unsigned)__builtin_ctz(cap);
	for (uint32_t idx = 0; idx < t->entries.fresh; idx++) {
		e = rib_slab_at(&t->entries, idx);
		if (e->af == 0)
			continue;
		h = entry_hash(e);
		for (i = home(t, h); t->slots[i] != 0; i = (i + 1) & mask)
			;
		t->slots[i] = slot_make(idx, h);
	}
}

/* The smallest capacity with a load <= 1/2 for n entries. */
static uint32_t
fit(size_t n)
{
	uint32_t cap = TAB_MINCAP;

	while (cap < n * 2)
		cap *= 2;
	return cap;
}

/* The slab object: the entry with its prefix bytes, pointer-aligned. */
static size_t
entry_size(uint8_t af)
{
	size_t a = _Alignof(struct rib_entry);

	return (offsetof(struct rib_entry, b) + af_bytes(af) + a - 1) / a * a;
}

void
rib_tab_init(struct rib_tab *t, uint8_t af)
{
	memset(t, 0, sizeof(*t));
	t->af = af;
	rib_slab_init(&t->entries, entry_size(af));
	tab_resize(t, TAB_MINCAP);
}

void
rib_tab_fini(struct rib_tab *t)
{
	uint8_t af = t->af;

	free(t->slots);
	t->slots = NULL;
	t->cap = 0;
	t->count = 0;
	rib_slab_fini(&t->entries);
	t->af = af;
}

/* The entry for pfx (dead or not), or NULL; its slot goes to *slotp. */
struct rib_entry *
rib_tab_find(const struct rib_tab *t, const struct prefix *pfx,
    uint32_t *slotp)
{
	return rib_tab_find_h(t, pfx, prefix_hash(pfx), slotp);
}

/* rib_tab_find with pfx's prefix_hash h already known. */
struct rib_entry *
rib_tab_find_h(const struct rib_tab *t, const struct prefix *pfx, uint32_t h,
    uint32_t *slotp)
{
	struct rib_entry *e;
	uint32_t i, v, mask = t->cap - 1;

	for (i = home(t, h); (v = t->slots[i]) != 0; i = (i + 1) & mask) {
		if (!slot_tag_eq(v, h))
			continue;
		e = slot_entry(t, v);
		if (rib_entry_is(e, pfx)) {
			if (slotp != NULL)
				*slotp = i;
			return e;
		}
	}
	return NULL;
}

uint32_t
rib_tab_slot_idx(const struct rib_tab *t, uint32_t slot)
{
	return SLOT_IDX(t->slots[slot]);
}

/*
 * The entry for pfx (of the table's family); a new, zeroed one (but for
 * pfx) if *created. Its slab index goes to *idxp.
 */
struct rib_entry *
rib_tab_get(struct rib_tab *t, const struct prefix *pfx, bool *created,
    uint32_t *idxp)
{
	return rib_tab_get_h(t, pfx, prefix_hash(pfx), created, idxp);
}

/* rib_tab_get with pfx's prefix_hash h already known. */
struct rib_entry *
rib_tab_get_h(struct rib_tab *t, const struct prefix *pfx, uint32_t h,
    bool *created, uint32_t *idxp)
{
	struct rib_entry *e;
	uint32_t i, v, idx, mask;

	if ((t->count + 1) * 4 > (size_t)t->cap * 3)
		tab_resize(t, t->cap * 2);
	mask = t->cap - 1;
	for (i = home(t, h); (v = t->slots[i]) != 0; i = (i + 1) & mask) {
		if (!slot_tag_eq(v, h))
			continue;
		e = slot_entry(t, v);
		if (rib_entry_is(e, pfx)) {
			*created = false;
			*idxp = SLOT_IDX(v);
			return e;
		}
	}
	assert(pfx->af == t->af);
	e = rib_slab_get(&t->entries, &idx);
	e->af = pfx->af;
	e->len = pfx->len;
	memcpy(e->b, pfx->b, af_bytes(pfx->af));
	t->slots[i] = slot_make(idx, h);
	*idxp = idx;
	t->count++;
	*created = true;
	return e;
}

/* Slab index idx, for walks: the entry (maybe dead), or NULL if free. */
struct rib_entry *
rib_tab_entry(const struct rib_tab *t, uint32_t idx)
{
	struct rib_entry *e;

	if (idx >= t->entries.fresh)
		return NULL;
	e = rib_slab_at(&t->entries, idx);
	return e->af != 0 ? e : NULL;
}

static void
entry_free(struct rib_tab *t, struct rib_entry *e, uint32_t idx)
{
	e->af = 0;
	rib_slab_put(&t->entries, e, idx);
	t->count--;
}

/* Free the entry in slot i and close the gap by backward shifting. */
static void
slot_del(struct rib_tab *t, uint32_t i)
{
	uint32_t j, k, v, mask = t->cap - 1;

	v = t->slots[i];
	entry_free(t, slot_entry(t, v), SLOT_IDX(v));
	t->slots[i] = 0;
	for (j = (i + 1) & mask; (v = t->slots[j]) != 0; j = (j + 1) & mask) {
		k = home(t, entry_hash(slot_entry(t, v)));
		/* v may fill the hole at i if i lies on its probe path k..j */
		if (((j - k) & mask) >= ((j - i) & mask)) {
			t->slots[i] = v;
			t->slots[j] = 0;
			i = j;
		}
	}
}

static void
tab_shrink(struct rib_tab *t)
{
	rib_slab_trim(&t->entries);
	if (t->cap > TAB_MINCAP && t->count * 8 < t->cap)
		tab_resize(t, fit(t->count));
}

/* Free the entry in slot i (from rib_tab_find). */
void
rib_tab_del(struct rib_tab *t, uint32_t i)
{
	slot_del(t, i);
	tab_shrink(t);
}

/*
 * After a bulk removal left ndead dead entries: free them, with a slot
 * delete each when they are few, else by one rebuild of the slots.
 */
void
rib_tab_settle(struct rib_tab *t, size_t ndead)
{
	struct rib_entry *e;
	struct prefix p;
	uint32_t slot;
	bool rebuild;

	if (ndead == 0)
		return;
	assert(ndead <= t->count);
	rebuild = ndead * 4 >= t->count - ndead;
	for (uint32_t idx = 0; idx < t->entries.fresh; idx++) {
		if ((e = rib_tab_entry(t, idx)) == NULL || !is_dead(e))
			continue;
		if (rebuild) {
			entry_free(t, e, idx);
			continue;
		}
		rib_entry_pfx(e, &p);
		if (rib_tab_find(t, &p, &slot) != e)
			fatalx("rib: dead entry not in the table");
		slot_del(t, slot);
	}
	if (!rebuild) {
		tab_shrink(t);
		return;
	}
	rib_slab_trim(&t->entries);
	tab_resize(t, fit(t->count));
}
