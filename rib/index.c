/*
 * index.c: the rib's side index, an open-addressing table (linear probing,
 * backward-shift deletion, keyed hash) over three kinds of record:
 *
 * - RIB_IDX_PATH (entry, source, path id) -> the path, for every path kept
 *   beyond an entry's inline head, so that a prefix with many paths
 *   (RFC 7911 add-path, or many peers) finds one in O(1) instead of
 *   walking its list (a peer announcing one prefix with path ids 1..N
 *   cost O(N^2) before);
 * - RIB_IDX_COUNT (entry, source) -> how many paths the source has for
 *   the prefix, kept only while the prefix has more than one path: the
 *   per-source cap on paths per prefix;
 * - RIB_IDX_ATTR (attribute set, source) -> how many of the source's
 *   paths use the set: a source is charged a set's memory once.
 *
 * A prefix with one path (the million-route case) has no record here.
 * This file knows nothing of what the records mean.
 */
#include <stdlib.h>

#include "hash.h"
#include "rib_impl.h"
#include "xmalloc.h"

#define IDX_MINCAP	64u

static uint64_t
slot_hash(uint32_t kind, const void *a, const void *src, uint32_t pid)
{
	uint64_t w[3] = { (uint64_t)(uintptr_t)a, (uint64_t)(uintptr_t)src,
	    (uint64_t)kind << 32 | pid };

	return hash_words(w, 3);
}

static inline bool
slot_is(const struct rib_idx_slot *sl, uint32_t kind, const void *a,
    const void *src, uint32_t pid)
{
	return sl->a == a && sl->src == src && sl->pid == pid &&
	    sl->kind == kind;
}

struct rib_idx_slot *
rib_idx_find(const struct rib_idx *t, uint32_t kind, const void *a,
    const void *src, uint32_t pid)
{
	size_t i, mask = t->cap - 1;

	if (t->count == 0)
		return NULL;
	for (i = slot_hash(kind, a, src, pid) & mask; t->slots[i].a != NULL;
	    i = (i + 1) & mask)
		if (slot_is(&t->slots[i], kind, a, src, pid))
			return &t->slots[i];
	return NULL;
}

static struct rib_idx_slot *
place(struct rib_idx *t, const struct rib_idx_slot *v)
{
	size_t i, mask = t->cap - 1;

	for (i = slot_hash(v->kind, v->a, v->src, v->pid) & mask;
	    t->slots[i].a != NULL; i = (i + 1) & mask)
		;
	t->slots[i] = *v;
	return &t->slots[i];
}

static void
resize(struct rib_idx *t, size_t cap)
{
	struct rib_idx_slot *old = t->slots;
	size_t oldcap = t->cap;

	t->slots = xcalloc(cap, sizeof(*t->slots));
	t->cap = cap;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].a != NULL)
			place(t, &old[i]);
	free(old);
}

/* The record, created zeroed (*created true) if it was not there. */
struct rib_idx_slot *
rib_idx_get(struct rib_idx *t, uint32_t kind, const void *a, const void *src,
    uint32_t pid, bool *created)
{
	struct rib_idx_slot *sl, v = { .a = a, .src = src, .pid = pid,
	    .kind = kind };

	if ((sl = rib_idx_find(t, kind, a, src, pid)) != NULL) {
		*created = false;
		return sl;
	}
	if ((t->count + 1) * 2 > t->cap)
		resize(t, t->cap ? t->cap * 2 : IDX_MINCAP);
	t->count++;
	*created = true;
	return place(t, &v);
}

void
rib_idx_del(struct rib_idx *t, struct rib_idx_slot *sl)
{
	size_t i = (size_t)(sl - t->slots), j, k, mask = t->cap - 1;
	struct rib_idx_slot *v;

	t->slots[i].a = NULL;
	for (j = (i + 1) & mask; (v = &t->slots[j])->a != NULL;
	    j = (j + 1) & mask) {
		k = slot_hash(v->kind, v->a, v->src, v->pid) & mask;
		if (((j - k) & mask) >= ((j - i) & mask)) {
			t->slots[i] = *v;
			v->a = NULL;
			i = j;
		}
	}
	t->count--;
	if (t->count == 0) {
		free(t->slots);
		t->slots = NULL;
		t->cap = 0;
	} else if (t->cap > IDX_MINCAP && t->count * 8 < t->cap)
		resize(t, t->cap / 2);
}

void
rib_idx_fini(struct rib_idx *t)
{
	free(t->slots);
	t->slots = NULL;
	t->cap = t->count = 0;
}
