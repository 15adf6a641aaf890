/*
 * rib.c: the route table's operations: paths in and out per source
 * (update, withdraw, flush, graceful-restart stale marking), re-running
 * the decision for each touched prefix, and telling clients about every
 * best-path change. Lookups and the sorted walk for show commands live
 * here too. Storage is table.c, attribute sets attrs.c, the choice of the
 * best path decide.c; this file owns the rules tying them together:
 *
 * - Every change to an entry goes: snapshot the best path (a stack copy
 *   holding a reference on its attributes), change the paths, re-decide,
 *   notify if the best changed, drop the snapshot. So old_best always
 *   shows the old attributes, even when the best path itself was updated.
 * - "Changed" means another (source, path id) or other attributes; a
 *   stale mark, or a re-announcement of identical attributes, is silent.
 * - Clients must not call into the rib from best_changed: rib->busy makes
 *   that an assertion failure. Path pointers given to them (and returned
 *   by the lookups) are valid until the next change to the rib.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "rib_impl.h"
#include "xmalloc.h"

struct rib_client {
	TAILQ_ENTRY(rib_client)		 entry;
	const struct rib_client_ops	*ops;
	void				*arg;
};

struct rib *
rib_new(void)
{
	struct rib *rib = xcalloc(1, sizeof(*rib));

	rib_tab_init(&rib->tab[0], AF_INET);
	rib_tab_init(&rib->tab[1], AF_INET6);
	rib_slab_init(&rib->paths, sizeof(struct rib_path));
	TAILQ_INIT(&rib->clients);
	return rib;
}

/* Frees everything at once; sources are not touched (they may be gone). */
void
rib_free(struct rib *rib)
{
	struct rib_client *c;

	if (rib == NULL)
		return;
	assert(!rib->busy);
	while ((c = TAILQ_FIRST(&rib->clients)) != NULL) {
		TAILQ_REMOVE(&rib->clients, c, entry);
		free(c);
	}
	rib_tab_fini(&rib->tab[0]);
	rib_tab_fini(&rib->tab[1]);
	rib_slab_fini(&rib->paths);
	rib_attrtab_fini(&rib->attrs);
	rib_idx_fini(&rib->idx);
	free(rib);
}

static inline struct rib_tab *
tab_of(struct rib *rib, uint8_t af)
{
	return &rib->tab[af == AF_INET6];
}

static inline uint32_t
make_id(const struct rib_tab *t, uint32_t idx)
{
	return t->af == AF_INET6 ? idx | RIB_ID_V6 : idx;
}

static void
notify_paths(struct rib *rib, const struct prefix *pfx, uint32_t id,
    const struct rib_path *best)
{
	struct rib_client *c;

	rib->busy = true;
	TAILQ_FOREACH(c, &rib->clients, entry)
		if (c->ops->paths_changed != NULL)
			c->ops->paths_changed(c->arg, pfx, id, best);
	rib->busy = false;
}

static void
notify(struct rib *rib, const struct prefix *pfx, uint32_t id,
    const struct rib_path *new_best, const struct rib_path *old_best)
{
	struct rib_client *c;

	if (old_best != NULL)
		old_best->src->nbest--;
	if (new_best != NULL)
		new_best->src->nbest++;
	rib->busy = true;
	TAILQ_FOREACH(c, &rib->clients, entry)
		if (c->ops->best_changed != NULL)
			c->ops->best_changed(c->arg, pfx, id, new_best,
			    old_best);
	rib->busy = false;
}

/* af known, length in range, host bits zero (RFC 4271 4.3 NLRI). */
static bool
prefix_valid(const struct prefix *p)
{
	uint8_t mask;

	if ((p->af != AF_INET && p->af != AF_INET6) ||
	    p->len > af_maxlen(p->af))
		return false;
	for (size_t i = p->len / 8u; i < sizeof(p->b); i++) {
		mask = 0xff;
		if (i == p->len / 8u)
			mask = (uint8_t)(0xffu >> (p->len % 8u));
		if (p->b[i] & mask)
			return false;
	}
	return true;
}

/* ---- accounting: counts per (prefix, source), sets per source ---- */

/*
 * How many paths of src use set a: src's one-entry cache (acct_attrs,
 * acct_n) owns the count of the set it names, the index the others'. A
 * table from one peer shares a few sets, so a million inserts touch the
 * index a handful of times. Switching the cache writes its count back to
 * the index and takes the new set's count out of it.
 */
static size_t *
attr_count(struct rib *rib, struct rib_src *src, const struct rib_attrs *a)
{
	struct rib_idx_slot *sl;
	bool created;

	if (src->acct_attrs == a)
		return &src->acct_n;
	if (src->acct_attrs != NULL && src->acct_n > 0)
		rib_idx_get(&rib->idx, RIB_IDX_ATTR, src->acct_attrs, src, 0,
		    &created)->v.n = src->acct_n;
	src->acct_attrs = a;
	src->acct_n = 0;
	if ((sl = rib_idx_find(&rib->idx, RIB_IDX_ATTR, a, src, 0)) != NULL) {
		src->acct_n = sl->v.n;
		rib_idx_del(&rib->idx, sl);
	}
	return &src->acct_n;
}

/* The set's memory is charged to src once, with its first path. */
static size_t
attr_cost(const struct rib *rib, const struct rib_src *src,
    const struct rib_attrs *a)
{
	if (src->acct_attrs == a)
		return src->acct_n > 0 ? 0 : rib_attrs_size(a);
	if (rib_idx_find(&rib->idx, RIB_IDX_ATTR, a, src, 0) != NULL)
		return 0;
	return rib_attrs_size(a);
}

static void
attr_charge(struct rib *rib, struct rib_src *src, const struct rib_attrs *a)
{
	if ((*attr_count(rib, src, a))++ == 0)
		src->mem += rib_attrs_size(a);
}

static void
attr_uncharge(struct rib *rib, struct rib_src *src, const struct rib_attrs *a)
{
	struct rib_idx_slot *sl;

	if (src->acct_attrs == a) {
		assert(src->acct_n > 0);
		if (--src->acct_n == 0)
			src->mem -= rib_attrs_size(a);
		return;
	}
	sl = rib_idx_find(&rib->idx, RIB_IDX_ATTR, a, src, 0);
	assert(sl != NULL && sl->v.n > 0);
	if (--sl->v.n == 0) {
		rib_idx_del(&rib->idx, sl);
		src->mem -= rib_attrs_size(a);
	}
}

/* Paths of src for e. */
static size_t
src_count(const struct rib *rib, const struct rib_entry *e,
    const struct rib_src *src)
{
	const struct rib_idx_slot *sl;

	if (e->head.next == NULL)
		return e->head.src == src;
	sl = rib_idx_find(&rib->idx, RIB_IDX_COUNT, e, src, 0);
	return sl != NULL ? sl->v.n : 0;
}

static void
count_add(struct rib *rib, const struct rib_entry *e,
    const struct rib_src *src, int d)
{
	bool created;
	struct rib_idx_slot *sl = rib_idx_get(&rib->idx, RIB_IDX_COUNT, e, src,
	    0, &created);

	sl->v.n = (size_t)((long)sl->v.n + d);
	if (sl->v.n == 0)
		rib_idx_del(&rib->idx, sl);
}

/* e is down to its head: no count records any more. */
static void
count_single(struct rib *rib, const struct rib_entry *e)
{
	struct rib_idx_slot *sl;

	if (e->head.src == NULL || e->head.next != NULL)
		return;
	if ((sl = rib_idx_find(&rib->idx, RIB_IDX_COUNT, e, e->head.src,
	    0)) != NULL)
		rib_idx_del(&rib->idx, sl);
}

/* ---- paths ---- */

static void
path_init(struct rib *rib, struct rib_path *p, struct rib_src *src,
    uint32_t path_id, const struct rib_attrs *attrs)
{
	p->src = src;
	p->path_id = path_id;
	p->attrs = rib_attrs_ref(attrs);
	p->stale = false;
	src->npaths++;
	src->mem += RIB_PATH_COST;
	attr_charge(rib, src, attrs);
	rib->npaths++;
}

/* Drop p's payload (counts, charge, attribute reference). */
static void
path_release(struct rib *rib, const struct rib_entry *e, struct rib_path *p)
{
	p->src->npaths--;
	p->src->mem -= RIB_PATH_COST;
	rib->npaths--;
	if (e->head.next != NULL)
		count_add(rib, e, p->src, -1);
	attr_uncharge(rib, p->src, p->attrs);
	rib_attrs_unref(rib, p->attrs);
}

static void
path_set_attrs(struct rib *rib, struct rib_path *p,
    const struct rib_attrs *attrs)
{
	attr_charge(rib, p->src, attrs);
	attr_uncharge(rib, p->src, p->attrs);
	rib_attrs_unref(rib, p->attrs);
	p->attrs = rib_attrs_ref(attrs);
	p->stale = false;
}

static void
idx_path_del(struct rib *rib, const struct rib_entry *e,
    const struct rib_path *p)
{
	struct rib_idx_slot *sl = rib_idx_find(&rib->idx, RIB_IDX_PATH, e,
	    p->src, p->path_id);

	assert(sl != NULL && sl->v.path == p);
	rib_idx_del(&rib->idx, sl);
}

static void
idx_path_add(struct rib *rib, const struct rib_entry *e, struct rib_path *p)
{
	bool created;

	rib_idx_get(&rib->idx, RIB_IDX_PATH, e, p->src, p->path_id,
	    &created)->v.path = p;
}

/* The path (src, path_id) of e: the head, or from the index. */
static struct rib_path *
path_find(const struct rib *rib, struct rib_entry *e,
    const struct rib_src *src, uint32_t path_id)
{
	const struct rib_idx_slot *sl;

	if (e->head.src == src && e->head.path_id == path_id)
		return &e->head;
	if (e->head.next == NULL)
		return NULL;
	sl = rib_idx_find(&rib->idx, RIB_IDX_PATH, e, src, path_id);
	return sl != NULL ? sl->v.path : NULL;
}

/* A new path of src behind the head of e, which has one already. */
static struct rib_path *
path_add(struct rib *rib, struct rib_entry *e, struct rib_src *src,
    uint32_t path_id, const struct rib_attrs *attrs)
{
	struct rib_path *p = rib_slab_get(&rib->paths, NULL);

	if (e->head.next == NULL)	/* now several: counts kept */
		count_add(rib, e, e->head.src, 1);
	path_init(rib, p, src, path_id, attrs);
	count_add(rib, e, src, 1);
	p->next = e->head.next;
	e->head.next = p;
	idx_path_add(rib, e, p);
	return p;
}

/*
 * Unlink and release p of e. The head is refilled from the next path (the
 * last one leaves head.src NULL). Another path: with prev known, unlinked
 * behind it; without, the first path behind the head moves into p's slot
 * (its index record re-pointed) and that slot is unlinked, so no walk.
 */
static void
path_remove(struct rib *rib, struct rib_entry *e, struct rib_path *p,
    struct rib_path *prev)
{
	struct rib_path *n = e->head.next;

	path_release(rib, e, p);
	if (p == &e->head) {
		if (n == NULL) {
			memset(&e->head, 0, sizeof(e->head));
			return;
		}
		idx_path_del(rib, e, n);
		e->head = *n;
	} else {
		idx_path_del(rib, e, p);
		if (prev == NULL && p != n) {
			idx_path_del(rib, e, n);
			p->src = n->src;
			p->attrs = n->attrs;
			p->path_id = n->path_id;
			p->stale = n->stale;
			idx_path_add(rib, e, p);
			p = n;
		}
		if (prev == NULL || p == n)
			prev = &e->head;
		prev->next = p->next;
		n = p;
	}
	rib_slab_put(&rib->paths, n, 0);
	count_single(rib, e);
}

/* Make q (a path behind the head) the head: swap their contents. */
static void
path_to_head(struct rib *rib, struct rib_entry *e, struct rib_path *q)
{
	struct rib_path t = e->head, *hn = e->head.next, *qn = q->next;

	idx_path_del(rib, e, q);
	e->head = *q;
	e->head.next = hn;
	*q = t;
	q->next = qn;
	idx_path_add(rib, e, q);
}

static void
snap_take(struct rib_path *old, const struct rib_entry *e)
{
	*old = e->head;
	old->next = NULL;
	(void)rib_attrs_ref(old->attrs);
}

/*
 * After the paths of e (prefix pfx, id) changed: decide, notify, drop the
 * snapshot old. cand is the one path that is new or changed and not the
 * head (compared with the head only: one step of rib_decide_best), or
 * NULL when the head itself went or changed (a full scan) or when only a
 * path behind the head went (the head stays best). Returns true when e
 * has no path left; the caller frees it.
 */
enum settle {
	SETTLE_NONE,		/* a path behind the head went */
	SETTLE_CAND,		/* cand is new or changed */
	SETTLE_FULL,		/* the head went or changed */
};

static bool
entry_settle(struct rib *rib, struct rib_entry *e, const struct prefix *pfx,
    uint32_t id, struct rib_path *old, enum settle how, struct rib_path *cand)
{
	const struct rib_path *h = &e->head;
	enum rib_reason why;
	struct rib_path *best = NULL;
	bool empty = h->src == NULL;

	if (empty)
		notify(rib, pfx, id, NULL, old);
	else {
		if (how == SETTLE_FULL)
			best = rib_decide_best(e);
		else if (how == SETTLE_CAND && rib_path_cmp(cand, &e->head,
		    &why) < 0)
			best = cand;
		if (best != NULL && best != &e->head)
			path_to_head(rib, e, best);
		if (h->src != old->src || h->path_id != old->path_id ||
		    h->attrs != old->attrs)
			notify(rib, pfx, id, h, old);
		else
			notify_paths(rib, pfx, id, h);
	}
	rib_attrs_unref(rib, old->attrs);
	return empty;
}

/* What adding (src, attrs) as a new path (or new attributes) would cost. */
static int
check_bounds(const struct rib *rib, const struct rib_entry *e,
    const struct rib_src *src, const struct rib_attrs *attrs, bool newpath)
{
	size_t cost = attr_cost(rib, src, attrs) + (newpath ? RIB_PATH_COST : 0);

	if (newpath && e != NULL && src->max_paths != 0 &&
	    src_count(rib, e, src) >= src->max_paths)
		return RIB_E_PATHS;
	if (src->mem_max != 0 && src->mem + cost > src->mem_max)
		return RIB_E_MEM;
	return 0;
}

int
rib_update(struct rib *rib, struct rib_src *src, const struct prefix *pfx,
    uint32_t path_id, const struct rib_attrs *attrs)
{
	struct rib_tab *t;
	struct rib_entry *e;
	struct rib_path *p, old;
	uint32_t idx, slot, h;
	bool created, head;
	int rc;

	assert(!rib->busy && attrs != NULL && attrs->refcnt > 0);
	if (!prefix_valid(pfx))
		return RIB_E_PREFIX;
	if (src->id == 0 && (src->id = ++rib->src_ids) == 0)
		src->id = rib->src_ids = 1;	/* 2^32 sources: wrapped */
	t = tab_of(rib, pfx->af);
	h = prefix_hash(pfx);
	e = rib_tab_find_h(t, pfx, h, &slot);
	p = e != NULL ? path_find(rib, e, src, path_id) : NULL;
	if (p != NULL && p->attrs == attrs) {
		p->stale = false;	/* RFC 4724 4.2: refreshed, same best */
		return 0;
	}
	if ((rc = check_bounds(rib, e, src, attrs, p == NULL)) != 0)
		return rc;
	e = rib_tab_get_h(t, pfx, h, &created, &idx);
	if (created) {
		path_init(rib, &e->head, src, path_id, attrs);
		notify(rib, pfx, make_id(t, idx), &e->head, NULL);
		return 0;
	}
	snap_take(&old, e);
	head = p == &e->head;
	if (p != NULL)
		path_set_attrs(rib, p, attrs);
	else
		p = path_add(rib, e, src, path_id, attrs);
	(void)entry_settle(rib, e, pfx, make_id(t, idx), &old,
	    head ? SETTLE_FULL : SETTLE_CAND, p);
	return 0;
}

bool
rib_withdraw(struct rib *rib, struct rib_src *src, const struct prefix *pfx,
    uint32_t path_id)
{
	struct rib_tab *t;
	struct rib_entry *e;
	struct rib_path *p, old;
	uint32_t slot;
	bool head;

	assert(!rib->busy);
	if (pfx->af != AF_INET && pfx->af != AF_INET6)
		return false;
	t = tab_of(rib, pfx->af);
	if ((e = rib_tab_find(t, pfx, &slot)) == NULL)
		return false;
	if ((p = path_find(rib, e, src, path_id)) == NULL)
		return false;
	snap_take(&old, e);
	head = p == &e->head;
	path_remove(rib, e, p, NULL);
	if (entry_settle(rib, e, pfx, make_id(t, rib_tab_slot_idx(t, slot)),
	    &old, head ? SETTLE_FULL : SETTLE_NONE, NULL))
		rib_tab_del(t, slot);
	rib_slab_trim(&rib->paths);
	return true;
}

static bool
path_matches(const struct rib_path *p, const struct rib_src *src,
    bool stale_only)
{
	return p->src == src && (!stale_only || p->stale);
}

static bool
entry_has(const struct rib_entry *e, const struct rib_src *src,
    bool stale_only)
{
	for (const struct rib_path *p = &e->head; p != NULL; p = p->next)
		if (path_matches(p, src, stale_only))
			return true;
	return false;
}

/* Remove the paths of src (only the stale ones if stale_only) from e. */
static size_t
entry_remove_src(struct rib *rib, struct rib_entry *e,
    const struct rib_src *src, bool stale_only)
{
	struct rib_path *p = &e->head, *prev = NULL;
	size_t n = 0;

	while (p != NULL && p->src != NULL) {
		if (!path_matches(p, src, stale_only)) {
			prev = p;
			p = p->next;
			continue;
		}
		path_remove(rib, e, p, prev);
		n++;
		/* a removed head was refilled in place */
		p = prev == NULL ? &e->head : prev->next;
	}
	return n;
}

/*
 * One pass over the entries in memory order; entries left without a path
 * stay (dead) until the pass is over, then go in one rib_tab_settle.
 */
static size_t
tab_remove_paths(struct rib *rib, struct rib_tab *t, struct rib_src *src,
    bool stale_only)
{
	struct rib_entry *e;
	struct rib_path old;
	struct prefix pfx;
	size_t n = 0, ndead = 0;

	for (uint32_t i = 0; i < t->entries.fresh && src->npaths > 0; i++) {
		e = rib_tab_entry(t, i);
		if (e == NULL || !entry_has(e, src, stale_only))
			continue;
		snap_take(&old, e);
		n += entry_remove_src(rib, e, src, stale_only);
		rib_entry_pfx(e, &pfx);
		if (entry_settle(rib, e, &pfx, make_id(t, i), &old,
		    SETTLE_FULL, NULL))
			ndead++;
	}
	rib_tab_settle(t, ndead);
	return n;
}

static size_t
remove_paths(struct rib *rib, struct rib_src *src, bool stale_only)
{
	size_t n;

	assert(!rib->busy);
	n = tab_remove_paths(rib, &rib->tab[0], src, stale_only);
	n += tab_remove_paths(rib, &rib->tab[1], src, stale_only);
	rib_slab_trim(&rib->paths);
	return n;
}

size_t
rib_flush_source(struct rib *rib, struct rib_src *src)
{
	return remove_paths(rib, src, false);
}

size_t
rib_sweep_stale(struct rib *rib, struct rib_src *src)
{
	return remove_paths(rib, src, true);
}

size_t
rib_mark_stale(struct rib *rib, struct rib_src *src)
{
	struct rib_entry *e;
	struct rib_path *p;
	size_t n = 0;

	assert(!rib->busy);
	for (int f = 0; f < 2; f++) {
		const struct rib_tab *t = &rib->tab[f];

		for (uint32_t i = 0; i < t->entries.fresh && n < src->npaths;
		    i++) {
			if ((e = rib_tab_entry(t, i)) == NULL)
				continue;
			for (p = &e->head; p != NULL; p = p->next) {
				if (p->src == src) {
					p->stale = true;
					n++;
				}
			}
		}
	}
	return n;
}

/* ---- RFC 9494 long-lived stale paths ---- */

static bool
attrs_have(const struct rib_attrs *a, uint32_t comm)
{
	for (uint16_t i = 0; i < a->ncommunities; i++)
		if (a->communities[i] == comm)
			return true;
	return false;
}

/* a with LLGR_STALE added to its communities, interned (one reference). */
static const struct rib_attrs *
attrs_llgr(struct rib *rib, const struct rib_attrs *a)
{
	struct rib_attrs t = *a;
	const struct rib_attrs *r;
	uint32_t *c;

	if (a->ncommunities == UINT16_MAX)	/* cannot grow: as it is */
		return rib_attrs_ref(a);
	c = xreallocarray(NULL, (size_t)a->ncommunities + 1, sizeof(*c));
	if (a->ncommunities > 0)
		memcpy(c, a->communities, a->ncommunities * sizeof(*c));
	c[a->ncommunities] = RIB_COMM_LLGR_STALE;
	t.communities = c;
	t.ncommunities++;
	r = rib_attrs_intern(rib, &t);
	free(c);
	return r;
}

/* The stale paths of src in e: NO_LLGR ones go, the rest get LLGR_STALE. */
static size_t
entry_llgr(struct rib *rib, struct rib_entry *e, const struct rib_src *src,
    size_t *dropped)
{
	struct rib_path *p = &e->head, *prev = NULL;
	const struct rib_attrs *a;
	size_t n = 0;

	while (p != NULL && p->src != NULL) {
		if (!path_matches(p, src, true)) {
			prev = p;
			p = p->next;
			continue;
		}
		if (attrs_have(p->attrs, RIB_COMM_NO_LLGR)) {
			path_remove(rib, e, p, prev);
			(*dropped)++;
			p = prev == NULL ? &e->head : prev->next;
			continue;
		}
		if (!p->attrs->llgr_stale) {
			a = attrs_llgr(rib, p->attrs);
			path_set_attrs(rib, p, a);
			rib_attrs_unref(rib, a);
			p->stale = true;	/* path_set_attrs cleared it */
		}
		n++;
		prev = p;
		p = p->next;
	}
	return n;
}

size_t
rib_llgr_stale(struct rib *rib, struct rib_src *src, size_t *dropped)
{
	struct rib_entry *e;
	struct rib_path old;
	struct prefix pfx;
	size_t n = 0, ndead;

	assert(!rib->busy);
	*dropped = 0;
	for (int f = 0; f < 2; f++) {
		struct rib_tab *t = &rib->tab[f];

		ndead = 0;
		for (uint32_t i = 0; i < t->entries.fresh && src->npaths > 0;
		    i++) {
			e = rib_tab_entry(t, i);
			if (e == NULL || !entry_has(e, src, true))
				continue;
			snap_take(&old, e);
			n += entry_llgr(rib, e, src, dropped);
			rib_entry_pfx(e, &pfx);
			if (entry_settle(rib, e, &pfx, make_id(t, i), &old,
			    SETTLE_FULL, NULL))
				ndead++;
		}
		rib_tab_settle(t, ndead);
	}
	rib_slab_trim(&rib->paths);
	return n;
}

struct rib_client *
rib_client_add(struct rib *rib, const struct rib_client_ops *ops, void *arg)
{
	struct rib_client *c = xcalloc(1, sizeof(*c));

	assert(!rib->busy);
	c->ops = ops;
	c->arg = arg;
	TAILQ_INSERT_TAIL(&rib->clients, c, entry);
	return c;
}

void
rib_client_del(struct rib *rib, struct rib_client *c)
{
	if (c == NULL)
		return;
	assert(!rib->busy);
	TAILQ_REMOVE(&rib->clients, c, entry);
	free(c);
}

void
rib_client_feed(struct rib *rib, struct rib_client *c)
{
	const struct rib_entry *e;
	struct prefix pfx;

	assert(!rib->busy);
	if (c->ops->best_changed == NULL)
		return;
	rib->busy = true;
	for (int f = 0; f < 2; f++) {
		const struct rib_tab *t = &rib->tab[f];

		for (uint32_t i = 0; i < t->entries.fresh; i++) {
			if ((e = rib_tab_entry(t, i)) == NULL)
				continue;
			rib_entry_pfx(e, &pfx);
			c->ops->best_changed(c->arg, &pfx, make_id(t, i),
			    &e->head, NULL);
		}
	}
	rib->busy = false;
}

/* A dead entry (only seen from a hook during a flush) is not there. */
static const struct rib_entry *
find_live(const struct rib *rib, const struct prefix *pfx, uint32_t *idp)
{
	const struct rib_tab *t;
	const struct rib_entry *e;
	uint32_t slot;

	if (pfx->af != AF_INET && pfx->af != AF_INET6)
		return NULL;
	t = &rib->tab[pfx->af == AF_INET6];
	if ((e = rib_tab_find(t, pfx, &slot)) == NULL || e->head.src == NULL)
		return NULL;
	if (idp != NULL)
		*idp = make_id(t, rib_tab_slot_idx(t, slot));
	return e;
}

const struct rib_entry *
rib_lookup(const struct rib *rib, const struct prefix *pfx)
{
	return find_live(rib, pfx, NULL);
}

bool
rib_prefix_id(const struct rib *rib, const struct prefix *pfx, uint32_t *id)
{
	return find_live(rib, pfx, id) != NULL;
}

const struct rib_entry *
rib_id_entry(const struct rib *rib, uint32_t id, struct prefix *pfx)
{
	const struct rib_entry *e;

	e = rib_tab_entry(&rib->tab[(id & RIB_ID_V6) != 0], id & ~RIB_ID_V6);
	if (e == NULL || e->head.src == NULL)
		return NULL;
	rib_entry_pfx(e, pfx);
	return e;
}

bool
rib_id_prefix(const struct rib *rib, uint32_t id, struct prefix *pfx)
{
	return rib_id_entry(rib, id, pfx) != NULL;
}

/* pfx = the first len bits of a */
static void
prefix_of_addr(struct prefix *pfx, const struct addr *a, unsigned len)
{
	memset(pfx, 0, sizeof(*pfx));
	pfx->af = a->af;
	pfx->len = (uint8_t)len;
	memcpy(pfx->b, a->b, len / 8);
	if (len % 8 != 0)
		pfx->b[len / 8] = a->b[len / 8] &
		    (uint8_t)(0xffu << (8 - len % 8));
}

const struct rib_entry *
rib_match(const struct rib *rib, const struct addr *a)
{
	const struct rib_entry *e;
	struct prefix pfx;

	if (a->af != AF_INET && a->af != AF_INET6)
		return NULL;
	for (unsigned len = af_maxlen(a->af) + 1; len-- > 0 &&
	    rib->tab[a->af == AF_INET6].count > 0;) {
		prefix_of_addr(&pfx, a, len);
		if ((e = find_live(rib, &pfx, NULL)) != NULL)
			return e;
	}
	return NULL;
}

struct prefix
rib_entry_prefix(const struct rib_entry *e)
{
	struct prefix p;

	rib_entry_pfx(e, &p);
	return p;
}

const struct rib_path *
rib_entry_best(const struct rib_entry *e)
{
	return &e->head;
}

const struct rib_path *
rib_entry_paths(const struct rib_entry *e)
{
	return &e->head;
}

enum rib_reason
rib_entry_reason(const struct rib_entry *e)
{
	return rib_decide_reason(e);
}

static int
entry_cmp(const void *a, const void *b)
{
	const struct rib_entry *const *x = a, *const *y = b;
	struct prefix p, q;

	rib_entry_pfx(*x, &p);
	rib_entry_pfx(*y, &q);
	return prefix_cmp(&p, &q);
}

/* Walks are rare (show commands): sort a temporary array of pointers. */
void
rib_walk(const struct rib *rib, int (*cb)(void *, const struct rib_entry *),
    void *arg)
{
	const struct rib_entry **v, *e;
	size_t n = 0;

	if (rib_count_prefixes(rib) == 0)
		return;
	v = xreallocarray(NULL, rib_count_prefixes(rib), sizeof(*v));
	for (int f = 0; f < 2; f++)
		for (uint32_t i = 0; i < rib->tab[f].entries.fresh; i++)
			if ((e = rib_tab_entry(&rib->tab[f], i)) != NULL)
				v[n++] = e;
	qsort(v, n, sizeof(*v), entry_cmp);
	for (size_t i = 0; i < n; i++)
		if (cb(arg, v[i]) < 0)
			break;
	free(v);
}

size_t
rib_count_prefixes(const struct rib *rib)
{
	return rib->tab[0].count + rib->tab[1].count;
}

size_t
rib_count_paths(const struct rib *rib)
{
	return rib->npaths;
}
