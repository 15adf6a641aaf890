/*
 * krt.c: kernel route sync (see krt.h): the public calls, the route slots
 * and orphans, and the apply loop. krtpriv.h describes the state and how
 * the work is split between krt.c, nh.c and sync.c.
 *
 * Owns: the per-id route state (what is wanted, what is installed), the
 * records of routes whose id is gone (orphans), the dirty sets, the events
 * and the netlink handle.
 *
 * Our implementation:
 *  - apply() runs from a zero-timeout event and handles at most
 *    KRT_APPLY_BATCH dirty routes per run so the loop stays responsive;
 *    dirty ids are found by scanning the bitmap from a cursor (ids are
 *    roughly in arrival order, so the kernel sees them in that order);
 *  - a route is never put over another program's: a prefix where nothing
 *    of ours is installed is added with NLM_F_EXCL (nl_route_add), and
 *    replaced (NLM_F_REPLACE) only where the route there is known to be
 *    ours. An EEXIST answer makes the route a conflict: counted, logged,
 *    shown, and installed when the monitor says the other route went (see
 *    sync.c). Conflicts are found in the batch's acks, not by a lookup per
 *    route;
 *  - nexthop objects are only deleted once nothing is dirty (no prefix
 *    that moves elsewhere is lost with its old object) and only after the
 *    first full sync (adopted routes may still use them);
 *  - a route whose object is about to be deleted is not deleted itself:
 *    the object's deletion takes it along (one request per peer). Such a
 *    route is forgotten at once; if its object is wanted again before the
 *    sweep, the object is retired (deleted at the sweep, taking the
 *    forgotten routes along) and its gateway gets a fresh object.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "krtpriv.h"
#include "timer.h"
#include "xmalloc.h"

static int
orphan_cmp(const struct krt_orphan *a, const struct krt_orphan *b)
{
	return prefix_cmp(&a->pfx, &b->pfx);
}

RB_GENERATE(krt_otree, krt_orphan, tree, orphan_cmp)

static void	apply_cb(evutil_socket_t, short, void *);

struct krt *
krt_new(struct event_base *base, const struct krt_params *pa,
    const struct krt_ops *ops, void *arg)
{
	struct krt *k = xcalloc(1, sizeof(*k));

	k->base = base;
	k->ops = ops;
	k->ops_arg = arg;
	k->protocol = pa->protocol;
	k->table = pa->table;
	k->retry_min_ms = pa->retry_min_ms ? pa->retry_min_ms : 1000;
	k->retry_max_ms = pa->retry_max_ms ? pa->retry_max_ms : 60000;
	if (k->retry_max_ms < k->retry_min_ms)
		k->retry_max_ms = k->retry_min_ms;
	RB_INIT(&k->orphans);
	RB_INIT(&k->nh_key);
	RB_INIT(&k->nh_id);
	RB_INIT(&k->grp_key);
	RB_INIT(&k->grp_id);
	TAILQ_INIT(&k->odirty);
	k->next_id = 1;
	k->next_plain = KRT_PLAIN_MIN;
	k->obj_min = pa->nh_object_min;
	k->ev_apply = event_new(base, -1, 0, apply_cb, k);
	k->ev_move = evtimer_new(base, krt_nh_move_cb, k);
	k->ev_retry = evtimer_new(base, krt_nh_retry_cb, k);
	k->ev_underlay = evtimer_new(base, krt_nh_underlay_cb, k);
	log_ratelimit_init(&k->rl_conflict, LOG_LVL_WARNING, 10000, 20,
	    "kernel route conflicts");
	log_ratelimit_start(&k->rl_conflict, base);
	return k;
}

size_t
krt_count(const struct krt *k)
{
	return k->nwant + k->norphans + k->nadleft;
}

bool
krt_had_routes(const struct krt *k)
{
	return k->had_routes;
}

void
krt_schedule(struct krt *k)
{
	if (k->ev_apply != NULL && !event_pending(k->ev_apply, EV_TIMEOUT,
	    NULL))
		event_active(k->ev_apply, EV_TIMEOUT, 0);
}

/* retry_min_ms << fails, at most retry_max_ms */
uint64_t
krt_backoff_ms(const struct krt *k, unsigned fails)
{
	uint64_t ms = k->retry_min_ms;

	for (unsigned i = 0; i < fails && ms < k->retry_max_ms; i++)
		ms *= 2;
	return ms < k->retry_max_ms ? ms : k->retry_max_ms;
}

void
krt_retry_at(struct krt *k, uint64_t ms)
{
	uint64_t due = timer_now_ms() + ms;

	if (timer_running(k->ev_retry) && k->retry_due != 0 &&
	    k->retry_due <= due)
		return;
	k->retry_due = due;
	timer_arm_ms(k->ev_retry, (unsigned)ms);
}

/* ---- slots ---- */

struct krt_slot *
krt_slot_at(struct krt *k, uint32_t id, bool grow)
{
	struct krt_fam *f = &k->fam[ID_FAM(id)];
	uint32_t i = ID_IDX(id), cap;

	if (i < f->cap)
		return &f->v[i];
	if (!grow)
		return NULL;
	for (cap = f->cap ? f->cap : 1024; cap <= i; cap *= 2)
		;
	f->v = xreallocarray(f->v, cap, sizeof(*f->v));
	memset(f->v + f->cap, 0, (size_t)(cap - f->cap) * sizeof(*f->v));
	f->dirty = xreallocarray(f->dirty, cap / 64, sizeof(*f->dirty));
	memset(f->dirty + f->cap / 64, 0,
	    (size_t)(cap - f->cap) / 64 * sizeof(*f->dirty));
	f->cap = cap;
	return &f->v[i];
}

void
krt_mark(struct krt *k, uint32_t id)
{
	struct krt_fam *f = &k->fam[ID_FAM(id)];
	uint32_t i = ID_IDX(id);
	uint64_t bit = 1ull << (i % 64);

	if (!(f->dirty[i / 64] & bit)) {
		f->dirty[i / 64] |= bit;
		f->ndirty++;
	}
	krt_schedule(k);
}

/* Mark every live slot whose want is want (a record's routes, to be moved). */
void
krt_mark_wanting(struct krt *k, uint32_t want)
{
	struct krt_slot *s;

	for (int f = 0; f < 2; f++) {
		for (uint32_t i = 0; i < k->fam[f].cap; i++) {
			s = &k->fam[f].v[i];
			if (s->want == want && !slot_dead(s))
				krt_mark(k, ID_MAKE(f, i));
		}
	}
}

static bool
anything_dirty(const struct krt *k)
{
	return k->fam[0].ndirty > 0 || k->fam[1].ndirty > 0 ||
	    !TAILQ_EMPTY(&k->odirty) || (k->synced && k->nad > 0);
}

/* The object a live want is installed as: I_BH, an object id, or I_NONE
 * while that object is not installed. */
static uint32_t
want_obj(const struct krt *k, uint32_t want)
{
	const struct krt_grp *g;
	const struct krt_nh *nh;

	if (want == W_BH)
		return I_BH;
	if ((g = krt_grp_of_want(k, want)) != NULL)
		return g->installed ? g->id : I_NONE;
	nh = krt_nh_of_want(k, want);
	return nh->installed ? nh->id : I_NONE;
}

/* Wanted, live, and not installed as wanted (a conflict waits for the
 * other route to go, not for a retry). */
static bool
slot_behind(const struct krt *k, const struct krt_slot *s)
{
	uint32_t obj;

	if (s->want == W_NONE || slot_dead(s) || s->inst == I_CONFLICT)
		return false;
	obj = want_obj(k, s->want);
	return obj == I_NONE || s->inst != obj;
}

void
krt_mark_behind(struct krt *k)
{
	k->nh_check = true;	/* a retry or the move wait is due */
	for (int f = 0; f < 2; f++)
		for (uint32_t i = 0; i < k->fam[f].cap; i++)
			if (slot_behind(k, &k->fam[f].v[i]))
				krt_mark(k, ID_MAKE(f, i));
}

/* ---- orphans ---- */

void
krt_orphan_mark(struct krt *k, struct krt_orphan *o)
{
	if (!o->queued) {
		TAILQ_INSERT_TAIL(&k->odirty, o, dirty);
		o->queued = true;
	}
	krt_schedule(k);
}

struct krt_orphan *
krt_orphan_find(struct krt *k, const struct prefix *pfx)
{
	struct krt_orphan key;

	if (k->norphans == 0)
		return NULL;
	key.pfx = *pfx;
	return RB_FIND(krt_otree, &k->orphans, &key);
}

struct krt_orphan *
krt_orphan_new(struct krt *k, const struct prefix *pfx, uint32_t inst,
    bool adopted)
{
	struct krt_orphan *o = krt_orphan_find(k, pfx);

	if (o == NULL) {
		o = xcalloc(1, sizeof(*o));
		o->pfx = *pfx;
		RB_INSERT(krt_otree, &k->orphans, o);
		k->norphans++;
	}
	o->inst = inst;
	o->adopted = adopted;
	krt_orphan_mark(k, o);
	return o;
}

void
krt_orphan_free(struct krt *k, struct krt_orphan *o)
{
	if (o->queued)
		TAILQ_REMOVE(&k->odirty, o, dirty);
	RB_REMOVE(krt_otree, &k->orphans, o);
	k->norphans--;
	free(o);
}

/* ---- what the agent wants ---- */

static void
want_drop(struct krt *k, struct krt_slot *s)
{
	struct krt_grp *g = krt_grp_of_want(k, s->want);
	struct krt_nh *nh = g == NULL ? krt_nh_of_want(k, s->want) : NULL;

	if (g != NULL)
		krt_grp_unref(k, g);
	if (nh != NULL && --nh->refs == 0 && nh->grefs == 0)
		k->nh_sweep = true;
	if (s->want != W_NONE)
		k->nwant--;
	s->want = W_NONE;
}

/* A dead slot whose id is wanted again: its route becomes an orphan. */
static void
dead_evict(struct krt *k, struct krt_slot *s)
{
	struct prefix pfx;

	slot_dead_prefix(s, &pfx);
	(void)krt_orphan_new(k, &pfx, slot_dead_inst(s), false);
	s->inst = I_NONE;
	s->want = W_NONE;
}

/*
 * The want of a unicast route: its next hops' records (sorted, distinct);
 * one hop is its gateway object, several a group (without nexthop objects
 * in the kernel, the first hop alone).
 */
static uint32_t
unicast_want(struct krt *k, const struct krt_want *w, uint32_t cur)
{
	uint32_t mem[KRT_ECMP_MAX], n = 0, h, j;
	size_t nhops = w->nhops < KRT_ECMP_MAX ? w->nhops : KRT_ECMP_MAX;
	const struct krt_hop *hp;

	if (nhops == 0 || !k->objects)
		nhops = 1;
	for (size_t i = 0; i < nhops; i++) {
		hp = &w->hop[i];
		h = krt_nh_get(k, &hp->gw, hp->onlink ? hp->oif : 0,
		    hp->onlink, 0)->handle;
		for (j = n; j > 0 && mem[j - 1] > h; j--)
			mem[j] = mem[j - 1];
		if (j > 0 && mem[j - 1] == h) {
			memmove(&mem[j], &mem[j + 1], (n - j) * sizeof(*mem));
			continue;	/* a duplicate */
		}
		mem[j] = h;
		n++;
	}
	if (n == 1 && !W_IS_GRP(cur))
		return mem[0];
	return krt_grp_want(k, mem, n, cur);
}

/* The route leaves old for want: note when it leaves an installed object
 * (a move, see nh.c and grp.c), and take want's reference. */
static void
want_take(struct krt *k, uint32_t old, uint32_t want)
{
	struct krt_grp *g = krt_grp_of_want(k, want), *og;
	struct krt_nh *nh = g == NULL ? krt_nh_of_want(k, want) : NULL, *onh;

	if (g != NULL)
		krt_grp_ref(k, g);
	if (nh != NULL && nh->refs++ == 0 && nh->grefs == 0 &&
	    nh->dropped > 0 && nh->installed)
		krt_nh_retire(k, nh);
	if (nh != NULL && k->objects && !nh_obj(k, nh) &&
	    nh->refs >= k->obj_min)
		krt_nh_promote(k, nh);
	if ((nh != NULL && !nh->installed) || (g != NULL && !g->installed))
		k->nh_check = true;
	if ((og = krt_grp_of_want(k, old)) != NULL && og != g &&
	    og->installed) {
		og->lost_at = timer_now_ms();
		k->nh_check = true;
	} else if (og == NULL && (onh = krt_nh_of_want(k, old)) != NULL &&
	    onh != nh && onh->installed) {
		onh->lost_at = timer_now_ms();
		k->nh_check = true;
	}
}

void
krt_set(struct krt *k, uint32_t id, const struct prefix *pfx,
    const struct krt_want *w)
{
	struct krt_slot *s = krt_slot_at(k, id, true);
	struct krt_orphan *o;
	struct krt_adopt *a;
	uint32_t want = W_BH, old;

	if (slot_dead(s))
		dead_evict(k, s);
	if (w->type == KRT_UNICAST)
		want = unicast_want(k, w, s->want);
	if (s->want == want)
		return;
	if (s->want == W_NONE && (o = krt_orphan_find(k, pfx)) != NULL) {
		s->inst = o->inst;	/* found at start, or left just now */
		krt_orphan_free(k, o);
	} else if (s->want == W_NONE && (a = krt_adopt_find(k, pfx)) != NULL) {
		s->inst = A_INST(a);	/* found at start */
		a->v |= A_TAKEN;
		k->nadleft--;
	}
	old = s->want;
	want_take(k, old, want);
	want_drop(k, s);
	s->want = want;
	k->nwant++;
	krt_mark(k, id);
}

void
krt_unset(struct krt *k, uint32_t id, const struct prefix *pfx)
{
	struct krt_slot *s = krt_slot_at(k, id, false);

	if (s == NULL || s->want == W_NONE || slot_dead(s))
		return;
	want_drop(k, s);
	if (inst_absent(s->inst)) {
		s->inst = I_NONE;	/* nothing of ours there */
		return;
	}
	if (pfx->af == AF_INET) {
		slot_dead_set(s, pfx, s->inst);
		krt_mark(k, id);
	} else {
		(void)krt_orphan_new(k, pfx, s->inst, false);
		s->inst = I_NONE;
	}
}

enum krt_state
krt_route_state(const struct krt *k, uint32_t id)
{
	const struct krt_fam *f = &k->fam[ID_FAM(id)];
	const struct krt_slot *s;

	if (ID_IDX(id) >= f->cap)
		return KRT_S_NONE;
	s = &f->v[ID_IDX(id)];
	if (s->want == W_NONE || slot_dead(s))
		return KRT_S_NONE;
	if (s->inst == I_CONFLICT)
		return KRT_S_CONFLICT;
	if (s->inst == I_FAILED)
		return KRT_S_FAILED;
	if (!slot_behind(k, s))
		return KRT_S_INSTALLED;
	if (s->want != W_BH && !W_IS_GRP(s->want) &&
	    krt_nh_of_want(k, s->want)->failed)
		return KRT_S_FAILED;
	return KRT_S_PENDING;
}

void
krt_stats(const struct krt *k, struct krt_stats *st)
{
	struct krt_nh *nh;

	memset(st, 0, sizeof(*st));
	for (int f = 0; f < 2; f++) {
		for (uint32_t i = 0; i < k->fam[f].cap; i++) {
			switch (krt_route_state(k, ID_MAKE(f, i))) {
			case KRT_S_NONE:
				continue;
			case KRT_S_PENDING:
				st->pending++;
				break;
			case KRT_S_INSTALLED:
				st->installed++;
				break;
			case KRT_S_CONFLICT:
				st->conflicts++;
				break;
			case KRT_S_FAILED:
				st->failed++;
				break;
			}
			st->wanted++;
		}
	}
	for (uint32_t h = 0; h < k->nhcap; h++)
		if ((nh = k->nhv[h]) != NULL && nh->installed &&
		    (!k->objects || nh_obj(k, nh)))
			st->nexthops++;
	for (uint32_t h = 0; h < k->grcap; h++)
		if (k->grv[h] != NULL && k->grv[h]->installed)
			st->groups++;
	st->conflicts_total = k->conflicts_total;
}

/* ---- apply: make the FIB what we want ---- */

static void
route_install(struct krt *k, uint32_t id, struct krt_slot *s)
{
	struct krt_grp *g = krt_grp_of_want(k, s->want);
	struct krt_nh *nh = g == NULL ? krt_nh_of_want(k, s->want) : NULL;
	uint32_t obj = want_obj(k, s->want);
	struct nl_route nr;
	int rc;

	if (obj != I_NONE && s->inst == obj)
		return;			/* in place */
	if (s->inst == I_CONFLICT)
		return;			/* another program's: wait for it */
	if (obj == I_NONE)
		return;			/* next hop unresolved: logged */
	memset(&nr, 0, sizeof(nr));
	if (!k->ops->id_prefix(k->ops_arg, id, &nr.dst)) {
		log_warnx("kernel: route id %u has no prefix", id);
		want_drop(k, s);
		return;
	}
	if (g != NULL) {
		nr.type = NL_RT_UNICAST;
		nr.nh_id = g->id;
	} else if (nh == NULL)
		nr.type = NL_RT_BLACKHOLE;
	else {
		nr.type = NL_RT_UNICAST;
		nr.nh_id = nh_obj(k, nh) ? nh->id : 0;
		nr.gw = nh->via;
		nr.oif = nh->oif;
		nr.onlink = nh->onlink;
	}
	if (inst_absent(s->inst))
		rc = nl_route_add(k->nl, &nr, (uint64_t)id + 1);
	else
		rc = nl_route_replace(k->nl, &nr, (uint64_t)id + 1);
	if (rc == -1)
		return;
	s->inst = obj;
}

/*
 * Delete an unwanted route of ours (inst as recorded), unless its object
 * is about to be deleted, which takes it along. The delete names our
 * protocol: another program's route at the prefix is never removed.
 */
void
krt_route_remove(struct krt *k, const struct prefix *pfx, uint32_t inst)
{
	struct krt_nh *nh = NULL;
	struct krt_grp *g = NULL;
	struct nl_route nr;

	if (inst_absent(inst))
		return;
	if (inst != I_BH && k->objects && !I_IS_PLAIN(inst) &&
	    (nh = krt_nh_by_id(k, inst)) == NULL)
		g = krt_grp_by_id(k, inst);
	if (krt_nh_doomed(k, nh)) {
		nh->dropped++;
		return;
	}
	if (krt_grp_doomed(k, g)) {
		g->dropped++;
		return;
	}
	memset(&nr, 0, sizeof(nr));
	nr.dst = *pfx;
	nr.type = inst == I_BH ? NL_RT_BLACKHOLE : NL_RT_UNICAST;
	if (inst != I_BH && k->objects && inst != I_UNKNOWN &&
	    !I_IS_PLAIN(inst))
		nr.nh_id = inst;
	(void)nl_route_delete(k->nl, &nr, 0);
}

static void
slot_apply(struct krt *k, uint32_t id)
{
	struct krt_slot *s = krt_slot_at(k, id, false);
	struct prefix pfx;

	if (slot_dead(s)) {
		slot_dead_prefix(s, &pfx);
		krt_route_remove(k, &pfx, slot_dead_inst(s));
		s->inst = I_NONE;
		s->want = W_NONE;
	} else if (s->want != W_NONE)
		route_install(k, id, s);
}

/* One dirty orphan (which may be freed). */
static void
orphan_apply(struct krt *k, struct krt_orphan *o)
{
	if (o->inst == I_NONE)
		krt_orphan_free(k, o);
	else if (k->synced || !o->adopted) {
		krt_route_remove(k, &o->pfx, o->inst);
		krt_orphan_free(k, o);
	}
}

/* Up to budget dirty slots of family f, from the cursor on. */
static size_t
fam_apply(struct krt *k, int f, size_t budget)
{
	struct krt_fam *fm = &k->fam[f];
	uint32_t nw = fm->cap / 64, w = fm->cursor, b;
	size_t done = 0;

	for (uint32_t seen = 0; fm->ndirty > 0 && seen <= nw; seen++) {
		while (fm->dirty[w] != 0 && done < budget) {
			b = (uint32_t)__builtin_ctzll(fm->dirty[w]);
			fm->dirty[w] &= fm->dirty[w] - 1;
			fm->ndirty--;
			slot_apply(k, ID_MAKE(f, w * 64 + b));
			done++;
		}
		if (done == budget)
			break;
		w = w + 1 == nw ? 0 : w + 1;
	}
	fm->cursor = w;
	return done;
}

static void
apply(struct krt *k)
{
	struct krt_orphan *o;
	size_t n = 0;

	if (k->nl == NULL || k->frozen)
		return;
	if (k->resync)
		(void)krt_reconcile(k);
	krt_nh_install_wanted(k);
	while ((o = TAILQ_FIRST(&k->odirty)) != NULL &&
	    n++ < KRT_APPLY_BATCH) {
		TAILQ_REMOVE(&k->odirty, o, dirty);
		o->queued = false;
		orphan_apply(k, o);
	}
	for (int f = 0; f < 2 && n < KRT_APPLY_BATCH; f++)
		n += fam_apply(k, f, KRT_APPLY_BATCH - n);
	if (k->synced && k->nad > 0 && n < KRT_APPLY_BATCH)
		n += krt_adopt_sweep(k, KRT_APPLY_BATCH - n);
	if (nl_flush(k->nl) == -1)
		log_warn("kernel: netlink");
	if (anything_dirty(k))
		krt_schedule(k);
	else
		krt_nh_sweep(k);
}

static void
apply_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	apply(arg);
}

void
krt_flush(struct krt *k)
{
	do {
		apply(k);
	} while (anything_dirty(k) && k->nl != NULL && !k->frozen);
}

void
krt_freeze(struct krt *k)
{
	k->frozen = true;
}

void
krt_remove_all(struct krt *k)
{
	struct krt_orphan *o, *on;
	struct krt_slot *s;
	struct prefix pfx;

	if (k->nl == NULL)
		return;
	k->synced = true;
	k->nh_sweep = true;
	for (int f = 0; f < 2; f++)
		for (uint32_t i = 0; i < k->fam[f].cap; i++)
			if (!slot_dead(&k->fam[f].v[i]))
				want_drop(k, &k->fam[f].v[i]);
	for (int f = 0; f < 2; f++) {
		for (uint32_t i = 0; i < k->fam[f].cap; i++) {
			s = &k->fam[f].v[i];
			if (slot_dead(s))
				slot_apply(k, ID_MAKE(f, i));
			else if (!inst_absent(s->inst) && k->ops->id_prefix(
			    k->ops_arg, ID_MAKE(f, i), &pfx))
				krt_route_remove(k, &pfx, s->inst);
			s->inst = I_NONE;
		}
		if (k->fam[f].cap > 0)
			memset(k->fam[f].dirty, 0, k->fam[f].cap / 8);
		k->fam[f].ndirty = 0;
	}
	RB_FOREACH_SAFE(o, krt_otree, &k->orphans, on) {
		if (o->inst != I_NONE)
			krt_route_remove(k, &o->pfx, o->inst);
		krt_orphan_free(k, o);
	}
	if (k->nad > 0)
		(void)krt_adopt_sweep(k, SIZE_MAX);
	(void)nl_flush(k->nl);
	krt_nh_sweep(k);
}

void
krt_free(struct krt *k)
{
	struct krt_orphan *o, *on;
	struct krt_nh *nh, *nn;
	struct krt_grp *g, *gn;

	if (k == NULL)
		return;
	RB_FOREACH_SAFE(o, krt_otree, &k->orphans, on)
		krt_orphan_free(k, o);
	RB_FOREACH_SAFE(g, krt_gid, &k->grp_id, gn)
		krt_grp_free(k, g);
	RB_FOREACH_SAFE(nh, krt_nid, &k->nh_id, nn)
		krt_nh_free(k, nh);
	for (int f = 0; f < 2; f++) {
		free(k->fam[f].v);
		free(k->fam[f].dirty);
	}
	free(k->nhv);
	free(k->grv);
	free(k->adv);
	free(k->zombies);
	free(k->foreign_ids);
	log_ratelimit_fini(&k->rl_conflict);
	if (k->ev_apply)
		event_free(k->ev_apply);
	if (k->ev_move)
		event_free(k->ev_move);
	if (k->ev_retry)
		event_free(k->ev_retry);
	if (k->ev_underlay)
		event_free(k->ev_underlay);
	nl_free(k->nl);
	free(k);
}
