/*
 * grp.c: krt's nexthop group objects, for ECMP routes (BIRD's kernel
 * protocol with `merge paths on`, as Calico configures it): see krtpriv.h
 * for the record and its key.
 *
 * Owns the group records (by key, by id, by handle). Each record holds a
 * reference on each member's nexthop record from its creation to its
 * free, so a member is never swept from under a group.
 *
 * Our implementation:
 *  - a group is installed with the members that are installed (a member
 *    whose next hop cannot be resolved is left out, and added by a replace
 *    of the group when it is); with none, its routes wait;
 *  - a path leaving or joining the set of an installed group G makes its
 *    routes want the record (new set, G). When every route has left G (a
 *    peer's loss: the rib withdraws its paths in one burst; the same move
 *    wait as for gateways lets the burst finish), G is replaced in place
 *    with the new members: one request for every route of the group, no
 *    moment without a route. When only some left, the majority rule of
 *    nh.c applies: the record with more routes keeps the object;
 *  - the kernel removes a deleted gateway object from every group holding
 *    it, so a member's object going away never costs a route request.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "krtpriv.h"
#include "timer.h"
#include "xmalloc.h"

static int
gkey_cmp(const struct krt_grp *a, const struct krt_grp *b)
{
	if (a->from != b->from)
		return a->from < b->from ? -1 : 1;
	if (a->nmem != b->nmem)
		return a->nmem < b->nmem ? -1 : 1;
	return memcmp(a->mem, b->mem, a->nmem * sizeof(a->mem[0]));
}

static int
gid_cmp(const struct krt_grp *a, const struct krt_grp *b)
{
	return a->id < b->id ? -1 : a->id > b->id;
}

RB_GENERATE(krt_gkey, krt_grp, by_key, gkey_cmp)
RB_GENERATE(krt_gid, krt_grp, by_id, gid_cmp)

struct krt_grp *
krt_grp_of_want(const struct krt *k, uint32_t want)
{
	return W_IS_GRP(want) ? k->grv[(want & ~W_GRP) - 1] : NULL;
}

struct krt_grp *
krt_grp_by_id(struct krt *k, uint32_t id)
{
	struct krt_grp key;

	key.id = id;
	return RB_FIND(krt_gid, &k->grp_id, &key);
}

static void
grp_set_id(struct krt *k, struct krt_grp *g, uint32_t id)
{
	RB_REMOVE(krt_gid, &k->grp_id, g);
	g->id = id;
	RB_INSERT(krt_gid, &k->grp_id, g);
}

static struct krt_grp *
grp_get(struct krt *k, const uint32_t *mem, uint32_t n, uint32_t from)
{
	struct krt_grp key, *g;
	uint32_t h;

	memset(&key, 0, sizeof(key));
	key.from = from;
	key.nmem = n;
	memcpy(key.mem, mem, n * sizeof(*mem));
	if ((g = RB_FIND(krt_gkey, &k->grp_key, &key)) != NULL)
		return g;
	for (h = 0; h < k->grcap && k->grv[h] != NULL; h++)
		;
	if (h == k->grcap) {
		k->grcap = k->grcap ? k->grcap * 2 : 16;
		k->grv = xreallocarray(k->grv, k->grcap, sizeof(*k->grv));
		memset(k->grv + h, 0, (k->grcap - h) * sizeof(*k->grv));
	}
	g = xcalloc(1, sizeof(*g));
	*g = key;
	g->handle = h + 1;
	g->id = krt_nh_new_id(k);
	k->grv[h] = g;
	for (uint32_t i = 0; i < n; i++)
		k->nhv[mem[i] - 1]->hold++;
	RB_INSERT(krt_gkey, &k->grp_key, g);
	RB_INSERT(krt_gid, &k->grp_id, g);
	return g;
}

void
krt_grp_free(struct krt *k, struct krt_grp *g)
{
	for (uint32_t i = 0; i < g->nmem; i++)
		k->nhv[g->mem[i] - 1]->hold--;
	RB_REMOVE(krt_gkey, &k->grp_key, g);
	RB_REMOVE(krt_gid, &k->grp_id, g);
	k->grv[g->handle - 1] = NULL;
	free(g);
}

void
krt_grp_ref(struct krt *k, struct krt_grp *g)
{
	struct krt_nh *m;

	if (g->refs++ > 0)
		return;
	for (uint32_t i = 0; i < g->nmem; i++) {
		m = k->nhv[g->mem[i] - 1];
		m->grefs++;
		if (!nh_obj(k, m))
			krt_nh_promote(k, m);	/* a group holds objects */
	}
	if (g->dropped > 0 && g->installed) {
		/* routes were left to its deletion: they would come back
		 * through it, so it goes and the set gets a fresh object */
		krt_zombie_add(k, g->id);
		grp_set_id(k, g, krt_nh_new_id(k));
		g->installed = false;
		g->dropped = 0;
		g->lost_at = 0;
	}
}

void
krt_grp_unref(struct krt *k, struct krt_grp *g)
{
	if (--g->refs > 0)
		return;
	k->nh_sweep = true;
	for (uint32_t i = 0; i < g->nmem; i++)
		k->nhv[g->mem[i] - 1]->grefs--;
}

uint32_t
krt_grp_want(struct krt *k, const uint32_t *mem, uint32_t n, uint32_t cur)
{
	struct krt_grp *old = krt_grp_of_want(k, cur), *g;
	uint32_t from = old != NULL && old->installed ? old->id : 0;

	if (old != NULL && old->nmem == n &&
	    memcmp(old->mem, mem, n * sizeof(*mem)) == 0)
		return cur;		/* the same set */
	if (n == 1 && from == 0)
		return mem[0];		/* one hop: its gateway object */
	g = grp_get(k, mem, n, from);
	return g->handle | W_GRP;
}

/* The object goes at the next sweep, and its routes with it. */
bool
krt_grp_doomed(const struct krt *k, const struct krt_grp *g)
{
	return k->synced && g != NULL && g->refs == 0 && g->installed;
}

/* The installed members' object ids and their mask; 0 when none is. */
static uint32_t
grp_members(const struct krt *k, const struct krt_grp *g, uint32_t *ids,
    size_t *n)
{
	uint32_t mask = 0;

	*n = 0;
	for (uint32_t i = 0; i < g->nmem; i++) {
		const struct krt_nh *nh = k->nhv[g->mem[i] - 1];

		if (nh->installed) {
			ids[(*n)++] = nh->id;
			mask |= 1u << i;
		}
	}
	return mask;
}

/* Create g's object under a fresh id (NLM_F_EXCL), as nh.c does. */
static int
grp_create(struct krt *k, struct krt_grp *g, const uint32_t *ids, size_t n)
{
	for (int i = 0; i < KRT_NHID_TRIES; i++) {
		if (nl_nh_group_add(k->nl, g->id, ids, n) == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
		log_info("kernel: nexthop id %u is another program's: "
		    "not ours to use", g->id);
		krt_foreign_add(k, g->id);
		grp_set_id(k, g, krt_nh_new_id(k));
	}
	errno = EEXIST;
	return -1;
}

/* Routes left on x (the minority) get a fresh record of x's key. */
static void
grp_rekey_leftovers(struct krt *k, struct krt_grp *x)
{
	grp_set_id(k, x, krt_nh_new_id(k));
	x->installed = false;
	x->lost_at = 0;
	krt_mark_wanting(k, x->handle | W_GRP);
}

/*
 * need gathers routes leaving the installed group `from`: when none is
 * left on it (or, with majority, fewer than moved), re-point it in place.
 */
static void
grp_repoint(struct krt *k, struct krt_grp *need, bool majority)
{
	struct krt_grp *spare = krt_grp_by_id(k, need->from);
	uint32_t ids[KRT_ECMP_MAX], mask, id;
	size_t n;

	if (spare == NULL || !spare->installed || spare->dropped > 0 ||
	    spare == need)
		return;
	if (spare->refs > 0 && !(majority && need->refs > spare->refs))
		return;
	if ((mask = grp_members(k, need, ids, &n)) == 0)
		return;		/* no member installed yet */
	if (nl_nh_group_replace(k->nl, spare->id, ids, n) == -1) {
		log_warn("kernel: re-pointing nexthop group %u", spare->id);
		return;
	}
	log_info("kernel: nexthop group %u re-pointed to %zu next hops "
	    "(%zu routes moved, %zu stay)", spare->id, n, need->refs,
	    spare->refs);
	/*
	 * need takes the object; its key keeps from = that id, its own now,
	 * which no other record can have (routes leaving it later gather in
	 * (set, its id) records of their own).
	 */
	id = spare->id;
	if (spare->refs == 0)
		krt_grp_free(k, spare);
	else
		grp_rekey_leftovers(k, spare);
	grp_set_id(k, need, id);
	need->inst_mask = mask;
	need->installed = true;
}

static bool
grp_moves_pending(struct krt *k, uint64_t now)
{
	struct krt_grp *g;

	RB_FOREACH(g, krt_gid, &k->grp_id) {
		if (g->installed && g->refs > 0 && g->lost_at != 0 &&
		    now - g->lost_at < KRT_MOVE_WAIT_MS) {
			if (!timer_running(k->ev_move))
				timer_arm_ms(k->ev_move, KRT_MOVE_WAIT_MS);
			return true;
		}
	}
	return false;
}

bool
krt_grp_install_wanted(struct krt *k)
{
	struct krt_grp *g, *gn;
	uint32_t ids[KRT_ECMP_MAX], mask;
	size_t n;

	if (!k->objects || RB_EMPTY(&k->grp_id))
		return false;
	/*
	 * Unlike gateway objects (nh.c), no route found at start-up can use
	 * a group record's object (those come from wants of this run), so
	 * groups move in place before the first full sync too.
	 */
	RB_FOREACH_SAFE(g, krt_gid, &k->grp_id, gn)
		if (g->refs > 0 && !g->installed && g->from != 0)
			grp_repoint(k, g, false);
	if (grp_moves_pending(k, timer_now_ms()))
		return true;
	RB_FOREACH_SAFE(g, krt_gid, &k->grp_id, gn)
		if (g->refs > 0 && !g->installed && g->from != 0)
			grp_repoint(k, g, true);
	RB_FOREACH_SAFE(g, krt_gid, &k->grp_id, gn) {
		g->lost_at = 0;
		if (g->refs == 0)
			continue;
		mask = grp_members(k, g, ids, &n);
		if (mask == 0 || (g->installed && mask == g->inst_mask))
			continue;
		if (g->installed) {
			/* a member came or went: the group follows, in place */
			if (nl_nh_group_replace(k->nl, g->id, ids, n) == -1) {
				log_warn("kernel: nexthop group %u", g->id);
				continue;
			}
		} else if (grp_create(k, g, ids, n) == -1) {
			log_warn("kernel: nexthop group %u", g->id);
			krt_retry_at(k, krt_backoff_ms(k, k->route_fails++));
			continue;
		}
		g->inst_mask = mask;
		g->installed = true;
	}
	return false;
}

/* Groups nobody wants: delete them (their routes go with them). */
void
krt_grp_sweep(struct krt *k)
{
	struct krt_grp *g, *gn;

	RB_FOREACH_SAFE(g, krt_gid, &k->grp_id, gn) {
		if (g->refs > 0)
			continue;
		if (k->objects && g->installed &&
		    nl_nh_delete(k->nl, g->id) == -1)
			log_warn("kernel: deleting nexthop group %u", g->id);
		krt_grp_free(k, g);
	}
}

bool
krt_grp_dumped(struct krt *k, const struct nl_nexthop *n)
{
	struct krt_grp *g = krt_grp_by_id(k, n->id);
	uint32_t mask = 0;

	if (g == NULL)
		return false;
	for (size_t j = 0; j < n->ngroup; j++)
		for (uint32_t i = 0; i < g->nmem; i++)
			if (k->nhv[g->mem[i] - 1]->id == n->group[j])
				mask |= 1u << i;
	g->inst_mask = mask;
	g->installed = true;
	return true;
}
