/*
 * attrs.c: interned, refcounted path attribute sets (BIRD rta_lookup,
 * OpenBGPD aspath_get) and the AS_PATH readers the decision process needs.
 *
 * rib_attrs_intern normalises a caller's template (fields whose has_ flag
 * is false are zeroed, empty arrays become NULL), hashes every field and
 * array, and returns the existing identical set or a copy made in one
 * allocation (the struct followed by its arrays). Sets are immutable once
 * interned; rib_attrs_unref frees one at refcount zero. The intern table
 * is open addressing over pointers, keyed by the stored hash. This file
 * never looks at prefixes or paths.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "aspath.h"
#include "hash.h"
#include "log.h"
#include "rib_impl.h"
#include "xmalloc.h"


#define ATTRTAB_MINCAP	16u

static void
hash_addr(struct hash_state *s, const struct addr *a)
{
	hash_add_u32(s, a->af);
	hash_add(s, a->b, sizeof(a->b));
}

/* Keyed (hash.h): a peer cannot craft sets that collide in the table. */
static uint32_t
attrs_hash(const struct rib_attrs *a)
{
	struct hash_state s;
	uint64_t h;

	hash_init(&s);
	hash_add_u32(&s, a->origin | (uint32_t)a->has_med << 8 |
	    (uint32_t)a->has_local_pref << 9 |
	    (uint32_t)a->atomic_aggregate << 10 |
	    (uint32_t)a->has_aggregator << 11 |
	    (uint32_t)a->has_originator_id << 12);
	hash_add_u32(&s, a->med);
	hash_add_u32(&s, a->local_pref);
	hash_add_u32(&s, a->aggregator_as);
	hash_add_u32(&s, a->aggregator_id);
	hash_add_u32(&s, a->originator_id);
	hash_addr(&s, &a->nexthop);
	hash_addr(&s, &a->nexthop_ll);
	hash_add_u32(&s, a->aspath_len);
	hash_add(&s, a->aspath, a->aspath_len);
	hash_add_u32(&s, a->ncommunities);
	hash_add(&s, a->communities, a->ncommunities * sizeof(uint32_t));
	hash_add_u32(&s, a->ncluster);
	hash_add(&s, a->cluster_list, a->ncluster * sizeof(uint32_t));
	hash_add_u32(&s, a->nlarge);
	hash_add(&s, a->large, a->nlarge * 3 * sizeof(uint32_t));
	hash_add_u32(&s, a->unknown_len);
	hash_add(&s, a->unknown, a->unknown_len);
	h = hash_final(&s);
	return (uint32_t)(h ^ (h >> 32));
}

static bool
mem_eq(const void *a, const void *b, size_t n)
{
	return n == 0 || memcmp(a, b, n) == 0;
}

/* Both a and b are normalised. */
static bool
attrs_eq(const struct rib_attrs *a, const struct rib_attrs *b)
{
	return a->origin == b->origin && a->has_med == b->has_med &&
	    a->has_local_pref == b->has_local_pref &&
	    a->atomic_aggregate == b->atomic_aggregate &&
	    a->has_aggregator == b->has_aggregator &&
	    a->has_originator_id == b->has_originator_id &&
	    a->med == b->med && a->local_pref == b->local_pref &&
	    a->aggregator_as == b->aggregator_as &&
	    a->aggregator_id == b->aggregator_id &&
	    a->originator_id == b->originator_id &&
	    addr_eq(&a->nexthop, &b->nexthop) &&
	    addr_eq(&a->nexthop_ll, &b->nexthop_ll) &&
	    a->aspath_len == b->aspath_len &&
	    a->ncommunities == b->ncommunities &&
	    a->ncluster == b->ncluster && a->unknown_len == b->unknown_len &&
	    a->nlarge == b->nlarge &&
	    mem_eq(a->large, b->large, a->nlarge * 3 * sizeof(uint32_t)) &&
	    mem_eq(a->aspath, b->aspath, a->aspath_len) &&
	    mem_eq(a->communities, b->communities,
	    a->ncommunities * sizeof(uint32_t)) &&
	    mem_eq(a->cluster_list, b->cluster_list,
	    a->ncluster * sizeof(uint32_t)) &&
	    mem_eq(a->unknown, b->unknown, a->unknown_len);
}

/* Values behind a false has_ flag do not make two sets differ. */
static void
attrs_normalize(struct rib_attrs *n, const struct rib_attrs *t)
{
	*n = *t;
	if (!n->has_med)
		n->med = 0;
	if (!n->has_local_pref)
		n->local_pref = 0;
	if (!n->has_aggregator)
		n->aggregator_as = n->aggregator_id = 0;
	if (!n->has_originator_id)
		n->originator_id = 0;
	if (n->aspath_len == 0)
		n->aspath = NULL;
	if (n->ncommunities == 0)
		n->communities = NULL;
	if (n->ncluster == 0)
		n->cluster_list = NULL;
	if (n->unknown_len == 0)
		n->unknown = NULL;
	if (n->nlarge == 0)
		n->large = NULL;
	assert(n->aspath != NULL || n->aspath_len == 0);
	assert(n->communities != NULL || n->ncommunities == 0);
	assert(n->cluster_list != NULL || n->ncluster == 0);
	assert(n->unknown != NULL || n->unknown_len == 0);
	assert(n->large != NULL || n->nlarge == 0);
	n->refcnt = 0;
	n->llgr_stale = false;		/* derived from the communities */
	for (uint16_t i = 0; i < n->ncommunities; i++)
		if (n->communities[i] == RIB_COMM_LLGR_STALE)
			n->llgr_stale = true;
	n->hash = attrs_hash(n);
}

size_t
rib_attrs_size(const struct rib_attrs *a)
{
	return sizeof(*a) + (a->ncommunities + a->ncluster +
	    3 * (size_t)a->nlarge) * sizeof(uint32_t) + a->aspath_len +
	    a->unknown_len;
}

/* One allocation: the struct, then the u32 arrays, then the byte arrays. */
static struct rib_attrs *
attrs_copy(const struct rib_attrs *n)
{
	size_t ncomm = n->ncommunities * sizeof(uint32_t);
	size_t nclus = n->ncluster * sizeof(uint32_t);
	size_t nlarge = 3 * (size_t)n->nlarge * sizeof(uint32_t);
	struct rib_attrs *a;
	uint8_t *p;

	a = xmalloc(sizeof(*a) + ncomm + nclus + nlarge + n->aspath_len +
	    n->unknown_len);
	*a = *n;
	p = (uint8_t *)(a + 1);
	if (ncomm > 0) {
		a->communities = memcpy(p, n->communities, ncomm);
		p += ncomm;
	}
	if (nclus > 0) {
		a->cluster_list = memcpy(p, n->cluster_list, nclus);
		p += nclus;
	}
	if (nlarge > 0) {
		a->large = memcpy(p, n->large, nlarge);
		p += nlarge;
	}
	if (n->aspath_len > 0) {
		a->aspath = memcpy(p, n->aspath, n->aspath_len);
		p += n->aspath_len;
	}
	if (n->unknown_len > 0)
		a->unknown = memcpy(p, n->unknown, n->unknown_len);
	return a;
}

static struct rib_attrs *
attrtab_find(const struct rib_attrtab *t, const struct rib_attrs *n)
{
	size_t i, mask = t->cap - 1;
	struct rib_attrs *a;

	if (t->cap == 0)
		return NULL;
	for (i = n->hash & mask; (a = t->slots[i]) != NULL; i = (i + 1) & mask)
		if (a->hash == n->hash && attrs_eq(a, n))
			return a;
	return NULL;
}

static void
attrtab_place(struct rib_attrtab *t, struct rib_attrs *a)
{
	size_t i, mask = t->cap - 1;

	for (i = a->hash & mask; t->slots[i] != NULL; i = (i + 1) & mask)
		;
	t->slots[i] = a;
}

static void
attrtab_add(struct rib_attrtab *t, struct rib_attrs *a)
{
	struct rib_attrs **old = t->slots;
	size_t oldcap = t->cap;

	if ((t->count + 1) * 4 > t->cap * 3) {
		t->cap = oldcap ? oldcap * 2 : ATTRTAB_MINCAP;
		t->slots = xcalloc(t->cap, sizeof(*t->slots));
		for (size_t i = 0; i < oldcap; i++)
			if (old[i] != NULL)
				attrtab_place(t, old[i]);
		free(old);
	}
	attrtab_place(t, a);
	t->count++;
}

/* Remove a (which is in t) with backward-shift deletion. */
static void
attrtab_del(struct rib_attrtab *t, const struct rib_attrs *a)
{
	size_t i, j, k, mask = t->cap - 1;
	struct rib_attrs *v;

	for (i = a->hash & mask; t->slots[i] != a; i = (i + 1) & mask)
		assert(t->slots[i] != NULL);
	t->slots[i] = NULL;
	for (j = (i + 1) & mask; (v = t->slots[j]) != NULL;
	    j = (j + 1) & mask) {
		k = v->hash & mask;
		if (((j - k) & mask) >= ((j - i) & mask)) {
			t->slots[i] = v;
			t->slots[j] = NULL;
			i = j;
		}
	}
	if (--t->count == 0) {
		free(t->slots);
		t->slots = NULL;
		t->cap = 0;
	}
}

void
rib_attrtab_fini(struct rib_attrtab *t)
{
	for (size_t i = 0; i < t->cap; i++)
		free(t->slots[i]);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

const struct rib_attrs *
rib_attrs_intern(struct rib *rib, const struct rib_attrs *tmpl)
{
	struct rib_attrs n, *a;

	attrs_normalize(&n, tmpl);
	if ((a = attrtab_find(&rib->attrs, &n)) == NULL) {
		a = attrs_copy(&n);
		attrtab_add(&rib->attrs, a);
	}
	if (a->refcnt == UINT32_MAX)
		fatalx("rib: attribute set refcount overflow");
	a->refcnt++;
	return a;
}

const struct rib_attrs *
rib_attrs_ref(const struct rib_attrs *ca)
{
	struct rib_attrs *a = (struct rib_attrs *)ca;	/* owned by the rib */

	assert(a->refcnt > 0);
	if (a->refcnt == UINT32_MAX)
		fatalx("rib: attribute set refcount overflow");
	a->refcnt++;
	return a;
}

void
rib_attrs_unref(struct rib *rib, const struct rib_attrs *ca)
{
	struct rib_attrs *a = (struct rib_attrs *)ca;	/* owned by the rib */

	if (a == NULL)
		return;
	assert(a->refcnt > 0);
	if (--a->refcnt > 0)
		return;
	attrtab_del(&rib->attrs, a);
	free(a);
}

size_t
rib_count_attrs(const struct rib *rib)
{
	return rib->attrs.count;
}

/*
 * RFC 4271 9.1.2.2 (a): "when counting this number, an AS_SET counts as 1,
 * no matter how many ASes are in the set"; RFC 5065 5.3: confederation
 * segments count 0. Our implementation: the path is read defensively; a
 * truncated segment or an unknown type ends the count with what was read.
 */
unsigned
rib_aspath_count(const struct rib_attrs *a)
{
	struct aspath_iter it;
	struct aspath_seg seg;
	unsigned n = 0;

	aspath_iter_init(&it, a->aspath, a->aspath_len, 4);
	while (aspath_next(&it, &seg) == 1) {
		if (seg.type == ASPATH_SEQUENCE)
			n += seg.count;
		else if (seg.type == ASPATH_SET && seg.count > 0)
			n++;
		else if (seg.type != ASPATH_SET &&
		    seg.type != ASPATH_CONFED_SEQUENCE &&
		    seg.type != ASPATH_CONFED_SET)
			break;
	}
	return n;
}

/*
 * The neighbour AS for MED comparison (RFC 4271 9.1.2.2 (c)): the first AS
 * of the path after any confederation segments (BIRD bgp_get_neighbor).
 * An empty path or one starting with an AS_SET gives 0, standing in for
 * our own AS, as OpenBGPD aspath_neighbor does.
 */
uint32_t
rib_aspath_first(const struct rib_attrs *a)
{
	struct aspath_iter it;
	struct aspath_seg seg;
	uint32_t as;

	aspath_iter_init(&it, a->aspath, a->aspath_len, 4);
	while (aspath_next(&it, &seg) == 1) {
		if (seg.type == ASPATH_CONFED_SEQUENCE ||
		    seg.type == ASPATH_CONFED_SET)
			continue;
		if (seg.type != ASPATH_SEQUENCE || aspath_seg_as(&seg, &as) != 1)
			return 0;
		return as;
	}
	return 0;
}
