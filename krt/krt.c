/*
 * krt.c: kernel route sync (see krt.h).
 *
 * Owns: the per-id route state (what is wanted, what is installed), the
 * records of routes whose id is gone (orphans), the nexthop objects it
 * manages (by key gateway/onlink/tunnel device, by id and by handle), the
 * dirty sets and the netlink handle.
 *
 * Memory (SPEC 6: a million routes): the agent's prefix ids are dense
 * (the rib's slab indices, BIRD 2's route ids for export maps), so the
 * state of a route is one 8-byte slot in an array indexed by id plus one
 * dirty bit; there is no second table keyed by prefix. A slot is
 *   live: want = nexthop handle or W_BH; inst = installed object id,
 *         I_BH, or I_NONE;
 *   dead: the id ended (krt_unset) while the route was installed: the
 *         IPv4 prefix moves into the slot itself (want = address, inst =
 *         I_DEAD | length | object) until apply deletes the route or
 *         leaves it to its object's deletion. An id the rib reuses before
 *         that, and every IPv6 route, become an orphan record instead.
 * The IPv4 routes found in the FIB at start-up go into a sorted array of
 * 8-byte records (adopted) until the rib wants them (krt_set takes their
 * state over) or the first full sync removes the rest; a restart with a
 * million routes in the FIB costs 8 MB there, not a million mallocs.
 * IPv6 ones, and those found by a later re-read, are orphans.
 *
 * Our implementation:
 *  - apply() runs from a zero-timeout event and handles at most
 *    KRT_APPLY_BATCH dirty routes per run so the loop stays responsive;
 *    dirty ids are found by scanning the bitmap from a cursor (ids are
 *    roughly in arrival order, so the kernel sees them in that order);
 *  - nexthop objects are only deleted once nothing is dirty (no prefix
 *    that moves elsewhere is lost with its old object) and only after the
 *    first full sync (adopted routes may still use them);
 *  - a route whose object is about to be deleted is not deleted itself:
 *    the object's deletion takes it along (one request per peer). Such a
 *    route is forgotten at once; if its object is wanted again before the
 *    sweep, the object is retired (deleted at the sweep, taking the
 *    forgotten routes along) and its gateway gets a fresh object;
 *  - an object all of whose routes moved to one new gateway is replaced in
 *    place (one request re-points them all).
 */
#include <bsd/sys/queue.h>
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "krt.h"
#include "log.h"
#include "netlink.h"
#include "tree.h"
#include "timer.h"
#include "xmalloc.h"

#define KRT_APPLY_BATCH	20000
#define KRT_MOVE_WAIT_MS 250	/* wait for the rest of a gateway's routes */
#define KRT_RETRY_SECS	3	/* after a failed request */

/* slot.inst */
#define I_NONE		0u
#define I_OBJMASK	0xffffffu	/* object ids are 24-bit here */
#define I_BH		0xffffffu	/* a blackhole */
#define I_UNKNOWN	0xfffffeu	/* an object we do not manage */
#define I_OBJMAX	0xfffffdu	/* the largest id we use or adopt */
#define I_LENSHIFT	24		/* dead: prefix length, 6 bits */
#define I_DEAD		0x80000000u
#define I_OBJ(v)	((v) & I_OBJMASK)
#define I_LEN(v)	((uint8_t)(((v) >> I_LENSHIFT) & 0x3f))

/* slot.want, live slots: a nexthop handle (index + 1), W_BH or W_NONE */
#define W_NONE		0u
#define W_BH		0xffffffffu

#define ID_FAM(id)	((id) >> 31)
#define ID_IDX(id)	((id) & 0x7fffffffu)

struct krt_slot {
	uint32_t	 inst;
	uint32_t	 want;
};

struct krt_fam {
	struct krt_slot	*v;
	uint64_t	*dirty;		/* one bit per slot */
	uint32_t	 cap;		/* slots; a multiple of 64 */
	uint32_t	 cursor;	/* next dirty word to look at */
	size_t		 ndirty;
};

struct krt_nh {
	RB_ENTRY(krt_nh)	 by_key;
	RB_ENTRY(krt_nh)	 by_id;
	uint32_t		 id;
	uint32_t		 handle;	/* index in nhv + 1 */
	struct addr		 gw;		/* key */
	uint32_t		 key_oif;	/* key: 0 = resolved by kernel */
	bool			 onlink;	/* key */
	uint32_t		 oif;		/* as installed */
	size_t			 refs;		/* routes that want it */
	size_t			 dropped;	/* routes left to its deletion */
	uint64_t		 lost_at;	/* ms: a route moved away from it */
	bool			 installed;
};

/* A route found at start-up (IPv4), sorted by (addr, len). */
struct krt_adopt {
	uint32_t	 addr;		/* network byte order */
	uint32_t	 v;		/* A_TAKEN | length << 24 | inst */
};
#define A_TAKEN		0x80000000u	/* wanted: its state went to a slot */
#define A_INST(a)	I_OBJ((a)->v)	/* I_BH or object; I_NONE: gone */
#define A_SET_INST(a, i) ((a)->v = ((a)->v & ~I_OBJMASK) | I_OBJ(i))

struct krt_orphan {
	RB_ENTRY(krt_orphan)	 tree;
	TAILQ_ENTRY(krt_orphan)	 dirty;
	struct prefix		 pfx;
	uint32_t		 inst;		/* I_BH or object; I_NONE: gone */
	bool			 adopted;	/* found at start, never wanted */
	bool			 queued;
};

RB_HEAD(krt_otree, krt_orphan);
RB_HEAD(krt_nkey, krt_nh);
RB_HEAD(krt_nid, krt_nh);
TAILQ_HEAD(krt_odirty, krt_orphan);

struct krt {
	struct event_base	*base;
	struct nl		*nl;
	const struct krt_ops	*ops;
	void			*ops_arg;
	uint8_t			 protocol;
	uint32_t		 table;
	uint32_t		 retry_min_ms, retry_max_ms;
	struct krt_fam		 fam[2];
	struct krt_otree	 orphans;
	struct krt_odirty	 odirty;
	struct krt_nkey		 nh_key;
	struct krt_nid		 nh_id;
	struct krt_nh		**nhv;		/* by handle - 1 */
	uint32_t		 nhcap;
	struct krt_adopt	*adv;		/* found at start, sorted */
	size_t			 nad, adcap;
	size_t			 nadleft;	/* not taken yet */
	size_t			 adpos;		/* the sweep's cursor */
	bool			 adopting;	/* the start-up dump */
	uint32_t		*zombies;	/* retired object ids */
	size_t			 nzombies, zcap;
	struct event		*ev_apply;
	struct event		*ev_move;	/* end of a move wait */
	uint32_t		 next_id;
	size_t			 nwant;
	size_t			 norphans;
	bool			 synced;
	bool			 had_routes;
	bool			 resync;
	bool			 objects;	/* kernel has nexthop objects */
	bool			 frozen;	/* shutting down: hands off */
};

static int
orphan_cmp(const struct krt_orphan *a, const struct krt_orphan *b)
{
	return prefix_cmp(&a->pfx, &b->pfx);
}

static int
nkey_cmp(const struct krt_nh *a, const struct krt_nh *b)
{
	int c = addr_cmp(&a->gw, &b->gw);

	if (c != 0)
		return c;
	if (a->onlink != b->onlink)
		return a->onlink ? 1 : -1;
	return a->key_oif < b->key_oif ? -1 : a->key_oif > b->key_oif;
}

static int
nid_cmp(const struct krt_nh *a, const struct krt_nh *b)
{
	return a->id < b->id ? -1 : a->id > b->id;
}

RB_GENERATE_STATIC(krt_otree, krt_orphan, tree, orphan_cmp)
RB_GENERATE_STATIC(krt_nkey, krt_nh, by_key, nkey_cmp)
RB_GENERATE_STATIC(krt_nid, krt_nh, by_id, nid_cmp)

static void	apply_cb(evutil_socket_t, short, void *);
static void	move_cb(evutil_socket_t, short, void *);
static void	retry_later(struct krt *);

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
	TAILQ_INIT(&k->odirty);
	k->next_id = 1;
	k->ev_apply = event_new(base, -1, 0, apply_cb, k);
	k->ev_move = evtimer_new(base, move_cb, k);
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

static void
schedule(struct krt *k)
{
	if (k->ev_apply != NULL && !event_pending(k->ev_apply, EV_TIMEOUT,
	    NULL))
		event_active(k->ev_apply, EV_TIMEOUT, 0);
}

/* ---- slots ---- */

static struct krt_slot *
slot_at(struct krt *k, uint32_t id, bool grow)
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

static void
mark(struct krt *k, uint32_t id)
{
	struct krt_fam *f = &k->fam[ID_FAM(id)];
	uint32_t i = ID_IDX(id);
	uint64_t bit = 1ull << (i % 64);

	if (!(f->dirty[i / 64] & bit)) {
		f->dirty[i / 64] |= bit;
		f->ndirty++;
	}
	schedule(k);
}

static bool
anything_dirty(const struct krt *k)
{
	return k->fam[0].ndirty > 0 || k->fam[1].ndirty > 0 ||
	    !TAILQ_EMPTY(&k->odirty) || (k->synced && k->nad > 0);
}

/* ---- orphans ---- */

static void
orphan_mark(struct krt *k, struct krt_orphan *o)
{
	if (!o->queued) {
		TAILQ_INSERT_TAIL(&k->odirty, o, dirty);
		o->queued = true;
	}
	schedule(k);
}

static struct krt_orphan *
orphan_find(struct krt *k, const struct prefix *pfx)
{
	struct krt_orphan key;

	if (k->norphans == 0)
		return NULL;
	key.pfx = *pfx;
	return RB_FIND(krt_otree, &k->orphans, &key);
}

static struct krt_orphan *
orphan_new(struct krt *k, const struct prefix *pfx, uint32_t inst,
    bool adopted)
{
	struct krt_orphan *o = orphan_find(k, pfx);

	if (o == NULL) {
		o = xcalloc(1, sizeof(*o));
		o->pfx = *pfx;
		RB_INSERT(krt_otree, &k->orphans, o);
		k->norphans++;
	}
	o->inst = inst;
	o->adopted = adopted;
	orphan_mark(k, o);
	return o;
}

static void
orphan_free(struct krt *k, struct krt_orphan *o)
{
	if (o->queued)
		TAILQ_REMOVE(&k->odirty, o, dirty);
	RB_REMOVE(krt_otree, &k->orphans, o);
	k->norphans--;
	free(o);
}

/* ---- routes found at start-up (IPv4) ---- */

static int
adopt_cmp(const void *pa, const void *pb)
{
	const struct krt_adopt *a = pa, *b = pb;
	uint32_t x = ntohl(a->addr), y = ntohl(b->addr);

	if (x != y)
		return x < y ? -1 : 1;
	return (I_LEN(a->v) > I_LEN(b->v)) - (I_LEN(a->v) < I_LEN(b->v));
}

static struct krt_adopt *
adopt_find(struct krt *k, const struct prefix *pfx)
{
	struct krt_adopt key = { .v = (uint32_t)pfx->len << I_LENSHIFT }, *a;

	if (k->nadleft == 0 || pfx->af != AF_INET)
		return NULL;
	memcpy(&key.addr, pfx->b, 4);
	a = bsearch(&key, k->adv, k->nad, sizeof(*a), adopt_cmp);
	return a != NULL && !(a->v & A_TAKEN) ? a : NULL;
}

static void
adopt_add(struct krt *k, const struct prefix *pfx, uint32_t inst)
{
	struct krt_adopt *a;

	if (k->nad == k->adcap) {
		k->adcap = k->adcap ? k->adcap * 2 : 1024;
		k->adv = xreallocarray(k->adv, k->adcap, sizeof(*k->adv));
	}
	a = &k->adv[k->nad++];
	memset(a, 0, sizeof(*a));
	memcpy(&a->addr, pfx->b, 4);
	a->v = (uint32_t)pfx->len << I_LENSHIFT | I_OBJ(inst);
}

/* Sorted, one record per prefix (of duplicates, with another metric, one). */
static void
adopt_sort(struct krt *k)
{
	size_t i, j;

	if (k->nad == 0)
		return;
	qsort(k->adv, k->nad, sizeof(*k->adv), adopt_cmp);
	for (i = j = 0; i < k->nad; i++) {
		if (j > 0 && adopt_cmp(&k->adv[j - 1], &k->adv[i]) == 0)
			j--;
		k->adv[j++] = k->adv[i];
	}
	k->nad = k->nadleft = j;
}

static void
adopt_prefix(const struct krt_adopt *a, struct prefix *pfx)
{
	memset(pfx, 0, sizeof(*pfx));
	pfx->af = AF_INET;
	pfx->len = I_LEN(a->v);
	memcpy(pfx->b, &a->addr, 4);
}

static void
adopt_done(struct krt *k)
{
	free(k->adv);
	k->adv = NULL;
	k->nad = k->adcap = k->nadleft = k->adpos = 0;
}

/* ---- nexthops ---- */

static struct krt_nh *
nh_by_id(struct krt *k, uint32_t id)
{
	struct krt_nh key;

	key.id = id;
	return RB_FIND(krt_nid, &k->nh_id, &key);
}

static struct krt_nh *
nh_of_want(const struct krt *k, uint32_t want)
{
	return want != W_NONE && want != W_BH ? k->nhv[want - 1] : NULL;
}

/* An id of ours that no object uses (24 bits, wrapping). */
static uint32_t
nh_new_id(struct krt *k)
{
	uint32_t id;

	do {
		id = k->next_id;
		k->next_id = id >= I_OBJMAX ? 1 : id + 1;
	} while (nh_by_id(k, id) != NULL);
	return id;
}

static void
nh_set_id(struct krt *k, struct krt_nh *nh, uint32_t id)
{
	RB_REMOVE(krt_nid, &k->nh_id, nh);
	nh->id = id;
	RB_INSERT(krt_nid, &k->nh_id, nh);
}

static struct krt_nh *
nh_get(struct krt *k, const struct addr *gw, uint32_t key_oif, bool onlink,
    uint32_t id)
{
	struct krt_nh key, *nh;
	uint32_t h;

	memset(&key, 0, sizeof(key));
	key.gw = *gw;
	key.key_oif = key_oif;
	key.onlink = onlink;
	if ((nh = RB_FIND(krt_nkey, &k->nh_key, &key)) != NULL)
		return nh;
	for (h = 0; h < k->nhcap && k->nhv[h] != NULL; h++)
		;
	if (h == k->nhcap) {
		k->nhcap = k->nhcap ? k->nhcap * 2 : 16;
		k->nhv = xreallocarray(k->nhv, k->nhcap, sizeof(*k->nhv));
		memset(k->nhv + h, 0, (k->nhcap - h) * sizeof(*k->nhv));
	}
	nh = xcalloc(1, sizeof(*nh));
	*nh = key;
	nh->handle = h + 1;
	nh->id = id ? id : nh_new_id(k);
	k->nhv[h] = nh;
	RB_INSERT(krt_nkey, &k->nh_key, nh);
	RB_INSERT(krt_nid, &k->nh_id, nh);
	return nh;
}

static void
nh_free(struct krt *k, struct krt_nh *nh)
{
	RB_REMOVE(krt_nkey, &k->nh_key, nh);
	RB_REMOVE(krt_nid, &k->nh_id, nh);
	k->nhv[nh->handle - 1] = NULL;
	free(nh);
}

/* The object goes at the next sweep, and its routes with it. */
static bool
nh_doomed(const struct krt *k, const struct krt_nh *nh)
{
	return k->objects && k->synced && nh != NULL && nh->refs == 0 &&
	    nh->installed;
}

/*
 * An object some routes were left to (dropped) is wanted again: retire it
 * (deleted at the sweep, the dropped routes with it) and give its gateway
 * a fresh one.
 */
static void
zombie_add(struct krt *k, uint32_t id)
{
	if (k->nzombies == k->zcap) {
		k->zcap = k->zcap ? k->zcap * 2 : 8;
		k->zombies = xreallocarray(k->zombies, k->zcap,
		    sizeof(*k->zombies));
	}
	k->zombies[k->nzombies++] = id;
}

static void
nh_retire(struct krt *k, struct krt_nh *nh)
{
	zombie_add(k, nh->id);
	nh_set_id(k, nh, nh_new_id(k));
	nh->installed = false;
	nh->dropped = 0;
	nh->lost_at = 0;
}

static void
want_drop(struct krt *k, struct krt_slot *s)
{
	struct krt_nh *nh = nh_of_want(k, s->want);

	if (nh != NULL)
		nh->refs--;
	if (s->want != W_NONE)
		k->nwant--;
	s->want = W_NONE;
}

/* ---- what the agent wants ---- */

/* The IPv4 prefix a dead slot holds. */
static void
dead_prefix(const struct krt_slot *s, struct prefix *pfx)
{
	uint32_t a = s->want;

	memset(pfx, 0, sizeof(*pfx));
	pfx->af = AF_INET;
	pfx->len = I_LEN(s->inst);
	memcpy(pfx->b, &a, 4);
}

/* A dead slot whose id is wanted again: its route becomes an orphan. */
static void
dead_evict(struct krt *k, struct krt_slot *s)
{
	struct prefix pfx;

	dead_prefix(s, &pfx);
	(void)orphan_new(k, &pfx, I_OBJ(s->inst), false);
	s->inst = I_NONE;
	s->want = W_NONE;
}

void
krt_set(struct krt *k, uint32_t id, const struct prefix *pfx,
    const struct krt_want *w)
{
	struct krt_slot *s = slot_at(k, id, true);
	struct krt_nh *nh = NULL, *old;
	struct krt_orphan *o;
	struct krt_adopt *a;
	uint32_t want = W_BH;

	if (s->inst & I_DEAD)
		dead_evict(k, s);
	if (w->type == KRT_UNICAST) {
		nh = nh_get(k, &w->gw, w->onlink ? w->oif : 0, w->onlink, 0);
		want = nh->handle;
	}
	if (s->want == want)
		return;
	if (s->want == W_NONE && (o = orphan_find(k, pfx)) != NULL) {
		s->inst = o->inst;	/* found at start, or left just now */
		orphan_free(k, o);
	} else if (s->want == W_NONE && (a = adopt_find(k, pfx)) != NULL) {
		s->inst = A_INST(a);	/* found at start */
		a->v |= A_TAKEN;
		k->nadleft--;
	}
	if (nh != NULL && nh->refs++ == 0 && nh->dropped > 0 && nh->installed)
		nh_retire(k, nh);
	old = nh_of_want(k, s->want);
	if (old != NULL && old != nh && old->installed)
		old->lost_at = timer_now_ms();
	want_drop(k, s);
	s->want = want;
	k->nwant++;
	mark(k, id);
}

void
krt_unset(struct krt *k, uint32_t id, const struct prefix *pfx)
{
	struct krt_slot *s = slot_at(k, id, false);
	uint32_t a;

	if (s == NULL || s->want == W_NONE || (s->inst & I_DEAD))
		return;
	want_drop(k, s);
	if (s->inst == I_NONE)
		return;
	if (pfx->af == AF_INET) {
		memcpy(&a, pfx->b, 4);
		s->want = a;
		s->inst = I_DEAD | (uint32_t)pfx->len << I_LENSHIFT |
		    I_OBJ(s->inst);
		mark(k, id);
	} else {
		(void)orphan_new(k, pfx, s->inst, false);
		s->inst = I_NONE;
	}
}

/* ---- netlink results and events ---- */

static uint32_t
inst_of(struct krt *k, const struct nl_route *nr)
{
	if (nr->type == NL_RT_BLACKHOLE)
		return I_BH;
	if (!k->objects)
		return nh_get(k, &nr->gw, 0, false, 0)->id;
	if (nr->nh_id == 0 || nr->nh_id > I_OBJMAX)
		return I_UNKNOWN;
	return nr->nh_id;
}

static void
nl_done(void *arg, uint64_t cookie, int err)
{
	struct krt *k = arg;
	struct krt_slot *s;
	struct prefix pfx;
	char buf[PREFIX_STRLEN];
	uint32_t id = (uint32_t)(cookie - 1);

	if (err == 0 || cookie == 0)
		return;
	if ((s = slot_at(k, id, false)) == NULL)
		return;
	if (k->ops->id_prefix(k->ops_arg, id, &pfx))
		log_warnx("kernel route %s: %s",
		    prefix_fmt(&pfx, buf, sizeof(buf)), strerror(-err));
	if (!(s->inst & I_DEAD))
		s->inst = I_NONE;
	retry_later(k);
}

static void
nl_route_changed(void *arg, const struct nl_route *nr, bool deleted)
{
	struct krt *k = arg;
	struct krt_orphan *o = orphan_find(k, &nr->dst);
	struct krt_adopt *a = adopt_find(k, &nr->dst);
	struct krt_slot *s = NULL;
	char buf[PREFIX_STRLEN];
	uint32_t id = 0;

	if (a != NULL) {
		A_SET_INST(a, deleted ? I_NONE : inst_of(k, nr));
		return;		/* not wanted (yet): nothing to restore */
	}
	if (o == NULL && k->ops->prefix_id(k->ops_arg, &nr->dst, &id))
		s = slot_at(k, id, false);
	if (o == NULL && (s == NULL || s->want == W_NONE ||
	    (s->inst & I_DEAD)))
		return;		/* not ours to judge before a resync */
	log_info("kernel route %s %s by someone else%s",
	    prefix_fmt(&nr->dst, buf, sizeof(buf)),
	    deleted ? "deleted" : "changed", o == NULL ? ": restoring" : "");
	if (o != NULL) {
		o->inst = deleted ? I_NONE : inst_of(k, nr);
		orphan_mark(k, o);
		return;
	}
	s->inst = deleted ? I_NONE : inst_of(k, nr);
	mark(k, id);
}

static void
nl_nexthop_changed(void *arg, uint32_t id, bool deleted)
{
	struct krt *k = arg;
	struct krt_nh *nh = nh_by_id(k, id);
	struct krt_orphan *o, *on;
	struct krt_slot *s;

	for (size_t i = 0; deleted && i < k->nzombies; i++)
		if (k->zombies[i] == id)
			k->zombies[i--] = k->zombies[--k->nzombies];
	if (nh == NULL)
		return;
	log_info("kernel nexthop object %u %s by someone else: restoring", id,
	    deleted ? "deleted" : "changed");
	nh->installed = false;
	if (!deleted)
		return;
	nh->dropped = 0;	/* the kernel took them along */
	for (int f = 0; f < 2; f++) {
		for (uint32_t i = 0; i < k->fam[f].cap; i++) {
			s = &k->fam[f].v[i];
			if (s->inst == I_NONE || I_OBJ(s->inst) != id)
				continue;
			if (s->inst & I_DEAD)
				s->want = W_NONE;
			s->inst = I_NONE;
			if (s->want != W_NONE)
				mark(k, (uint32_t)f << 31 | i);
		}
	}
	RB_FOREACH_SAFE(o, krt_otree, &k->orphans, on)
		if (o->inst == id)
			orphan_free(k, o);
	for (size_t i = 0; i < k->nad; i++)
		if (!(k->adv[i].v & A_TAKEN) && A_INST(&k->adv[i]) == id)
			A_SET_INST(&k->adv[i], I_NONE);
}

static void
nl_resync(void *arg)
{
	struct krt *k = arg;

	log_warnx("kernel dropped netlink messages: re-reading the FIB");
	k->resync = true;
	schedule(k);
}

static const struct nl_ops krt_nl_ops = {
	.done = nl_done,
	.route_changed = nl_route_changed,
	.nexthop_changed = nl_nexthop_changed,
	.resync_needed = nl_resync,
};

/* ---- reconcile: read the FIB and compare ---- */

static void
dump_nh_cb(void *arg, const struct nl_nexthop *n)
{
	struct krt *k = arg;
	struct krt_nh *nh;

	if (n->blackhole || nh_by_id(k, n->id) != NULL)
		return;
	if (n->id > I_OBJMAX) {
		/* ours by protocol, but beyond our ids: delete at the sweep */
		zombie_add(k, n->id);
		return;
	}
	nh = nh_get(k, &n->gw, n->onlink ? n->oif : 0, n->onlink, n->id);
	if (nh->id != n->id)
		return;		/* a duplicate object: left to the sweep */
	nh->oif = n->oif;
	nh->installed = true;
}

static void
dump_route_cb(void *arg, const struct nl_route *nr)
{
	struct krt *k = arg;
	struct krt_orphan *o;
	struct krt_adopt *a;
	struct krt_slot *s;
	uint32_t id;

	if (nr->type == NL_RT_OTHER)
		return;
	k->had_routes = true;
	if (k->adopting && nr->dst.af == AF_INET) {
		adopt_add(k, &nr->dst, inst_of(k, nr));
		return;
	}
	if ((a = adopt_find(k, &nr->dst)) != NULL) {
		A_SET_INST(a, inst_of(k, nr));
		return;
	}
	if ((o = orphan_find(k, &nr->dst)) != NULL) {
		o->inst = inst_of(k, nr);
		return;
	}
	if (k->ops->prefix_id(k->ops_arg, &nr->dst, &id) &&
	    (s = slot_at(k, id, false)) != NULL && s->want != W_NONE &&
	    !(s->inst & I_DEAD)) {
		s->inst = inst_of(k, nr);
		return;
	}
	(void)orphan_new(k, &nr->dst, inst_of(k, nr), true);
}

static int
reconcile(struct krt *k)
{
	struct krt_orphan *o;
	struct krt_nh *nh;
	struct krt_slot *s;

	k->resync = false;
	RB_FOREACH(nh, krt_nid, &k->nh_id)
		nh->installed = false;
	for (int f = 0; f < 2; f++) {
		for (uint32_t i = 0; i < k->fam[f].cap; i++) {
			s = &k->fam[f].v[i];
			if (s->inst & I_DEAD)
				s->want = W_NONE;
			s->inst = I_NONE;
		}
	}
	RB_FOREACH(o, krt_otree, &k->orphans)
		o->inst = I_NONE;
	for (size_t i = 0; i < k->nad; i++)
		A_SET_INST(&k->adv[i], I_NONE);
	if ((k->objects && nl_nh_dump(k->nl, dump_nh_cb, k) == -1) ||
	    nl_route_dump(k->nl, dump_route_cb, k) == -1) {
		log_warn("reading the FIB");
		k->resync = true;
		return -1;
	}
	for (int f = 0; f < 2; f++)
		for (uint32_t i = 0; i < k->fam[f].cap; i++)
			if (k->fam[f].v[i].want != W_NONE)
				mark(k, (uint32_t)f << 31 | i);
	RB_FOREACH(o, krt_otree, &k->orphans)
		orphan_mark(k, o);
	return 0;
}

int
krt_start(struct krt *k)
{
	k->nl = nl_new(k->base, k->protocol, k->table, &krt_nl_ops, k);
	if (k->nl == NULL)
		return -1;
	k->objects = nl_nexthop_objects(k->nl);
	k->adopting = true;
	if (reconcile(k) == -1)
		return -1;
	k->adopting = false;
	adopt_sort(k);
	log_info("kernel: %zu routes of ours found in table %u (protocol %u)"
	    "%s", k->norphans + k->nad, k->table, k->protocol,
	    k->objects ? "" : "; no nexthop objects, using gateway routes");
	return 0;
}

void
krt_synced(struct krt *k)
{
	struct krt_orphan *o;

	if (k->synced)
		return;
	k->synced = true;
	RB_FOREACH(o, krt_otree, &k->orphans)
		orphan_mark(k, o);
	schedule(k);
}

/* ---- apply: make the FIB what we want ---- */

/*
 * Routes that move from an installed object X to a new gateway Y: rather
 * than one replace per route, replace X in place so that it points at Y
 * (one request), when nobody wants X any more or, with majority, when more
 * routes moved than stayed. In the second case the routes still wanting X's
 * gateway get a fresh object and are replaced individually (they are the
 * minority; for the moment between the two requests they use Y). An
 * object some unwanted routes were left to (dropped) is never re-pointed:
 * they would come back through it.
 */
static struct krt_nh *
repoint_spare(struct krt *k, const struct krt_nh *need, bool majority)
{
	struct krt_nh *nh, *best = NULL;

	RB_FOREACH(nh, krt_nid, &k->nh_id) {
		if (!nh->installed || nh == need || nh->dropped > 0)
			continue;
		if (nh->refs == 0)
			return nh;
		if (majority && best == NULL && nh->lost_at != 0 &&
		    need->refs > nh->refs)
			best = nh;
	}
	return best;
}

static void
rekey_leftovers(struct krt *k, struct krt_nh *x)
{
	struct krt_slot *s;

	nh_set_id(k, x, nh_new_id(k));
	x->installed = false;
	x->lost_at = 0;
	for (int f = 0; f < 2; f++) {
		for (uint32_t i = 0; i < k->fam[f].cap; i++) {
			s = &k->fam[f].v[i];
			if (s->want == x->handle && !(s->inst & I_DEAD))
				mark(k, (uint32_t)f << 31 | i);
		}
	}
}

static void
repoint(struct krt *k, bool majority)
{
	struct krt_nh *nh, *spare = NULL, *need = NULL;
	uint32_t id;

	if (!k->objects || !k->synced)
		return;
	RB_FOREACH(nh, krt_nid, &k->nh_id)
		if (nh->refs > 0 && !nh->installed && (need == NULL ||
		    nh->refs > need->refs))
			need = nh;
	if (need == NULL || (spare = repoint_spare(k, need, majority)) == NULL)
		return;
	if (nl_nh_replace(k->nl, spare->id, &need->gw, need->key_oif ?
	    need->key_oif : spare->oif, need->onlink) == -1) {
		log_warn("kernel: re-pointing nexthop object %u", spare->id);
		return;
	}
	id = spare->id;
	log_info("kernel: nexthop object %u re-pointed (%zu routes moved, "
	    "%zu stay)", id, need->refs, spare->refs);
	if (spare->refs == 0)
		nh_free(k, spare);
	else
		rekey_leftovers(k, spare);
	nh_set_id(k, need, id);
	need->oif = need->key_oif ? need->key_oif : need->oif;
	need->installed = true;
	repoint(k, majority);
}

static void
nh_install(struct krt *k, struct krt_nh *nh)
{
	char buf[ADDR_STRLEN];
	uint32_t oif = nh->key_oif;

	if (oif == 0 && nl_resolve(k->nl, &nh->gw, &oif) == -1) {
		log_warnx("kernel: no route to next hop %s",
		    addr_fmt(&nh->gw, buf, sizeof(buf)));
		retry_later(k);
		return;
	}
	nh->oif = oif;
	if (k->objects && nl_nh_replace(k->nl, nh->id, &nh->gw, oif,
	    nh->onlink) == -1) {
		log_warn("kernel: nexthop object %u via %s", nh->id,
		    addr_fmt(&nh->gw, buf, sizeof(buf)));
		retry_later(k);
		return;
	}
	nh->installed = true;
}

static void
route_install(struct krt *k, uint32_t id, struct krt_slot *s)
{
	struct krt_nh *nh = nh_of_want(k, s->want);
	struct nl_route nr;

	if (nh == NULL ? s->inst == I_BH : (nh->installed && s->inst == nh->id))
		return;			/* in place */
	if (nh != NULL && !nh->installed)
		return;			/* next hop unresolved: logged */
	memset(&nr, 0, sizeof(nr));
	if (!k->ops->id_prefix(k->ops_arg, id, &nr.dst)) {
		log_warnx("kernel: route id %u has no prefix", id);
		want_drop(k, s);
		return;
	}
	if (nh == NULL)
		nr.type = NL_RT_BLACKHOLE;
	else {
		nr.type = NL_RT_UNICAST;
		nr.nh_id = k->objects ? nh->id : 0;
		nr.gw = nh->gw;
		nr.oif = nh->oif;
		nr.onlink = nh->onlink;
	}
	if (nl_route_replace(k->nl, &nr, (uint64_t)id + 1) == -1)
		return;
	s->inst = nh == NULL ? I_BH : nh->id;
}

/*
 * Delete an unwanted route of ours (inst as recorded), unless its object
 * is about to be deleted, which takes it along.
 */
static void
route_remove(struct krt *k, const struct prefix *pfx, uint32_t inst)
{
	struct krt_nh *nh = NULL;
	struct nl_route nr;

	if (inst != I_BH && k->objects)
		nh = nh_by_id(k, inst);
	if (nh_doomed(k, nh)) {
		nh->dropped++;
		return;
	}
	memset(&nr, 0, sizeof(nr));
	nr.dst = *pfx;
	nr.type = inst == I_BH ? NL_RT_BLACKHOLE : NL_RT_UNICAST;
	if (inst != I_BH && k->objects && inst != I_UNKNOWN)
		nr.nh_id = inst;
	(void)nl_route_delete(k->nl, &nr, 0);
}

static void
slot_apply(struct krt *k, uint32_t id)
{
	struct krt_slot *s = slot_at(k, id, false);
	struct prefix pfx;

	if (s->inst & I_DEAD) {
		dead_prefix(s, &pfx);
		route_remove(k, &pfx, I_OBJ(s->inst));
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
		orphan_free(k, o);
	else if (k->synced || !o->adopted) {
		route_remove(k, &o->pfx, o->inst);
		orphan_free(k, o);
	}
}

/* Up to budget unwanted start-up routes go (after the first full sync,
 * or at shutdown). */
static size_t
adopt_sweep(struct krt *k, size_t budget)
{
	struct krt_adopt *a;
	struct prefix pfx;
	size_t done = 0;

	for (; k->adpos < k->nad && done < budget; k->adpos++) {
		a = &k->adv[k->adpos];
		if (a->v & A_TAKEN)
			continue;
		if (A_INST(a) != I_NONE) {
			adopt_prefix(a, &pfx);
			route_remove(k, &pfx, A_INST(a));
			done++;
		}
		a->v |= A_TAKEN;
		k->nadleft--;
	}
	if (k->adpos == k->nad)
		adopt_done(k);
	return done;
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
			slot_apply(k, (uint32_t)f << 31 | (w * 64 + b));
			done++;
		}
		if (done == budget)
			break;
		w = w + 1 == nw ? 0 : w + 1;
	}
	fm->cursor = w;
	return done;
}

/* Objects nobody wants: delete them (their routes go with them). */
static void
nh_sweep(struct krt *k)
{
	struct krt_nh *nh, *next;

	if (!k->synced)
		return;
	for (size_t i = 0; i < k->nzombies; i++)
		if (k->objects && nl_nh_delete(k->nl, k->zombies[i]) == -1)
			log_warn("kernel: deleting nexthop object %u",
			    k->zombies[i]);
	k->nzombies = 0;
	RB_FOREACH_SAFE(nh, krt_nid, &k->nh_id, next) {
		if (nh->refs > 0)
			continue;
		if (k->objects && nh->installed &&
		    nl_nh_delete(k->nl, nh->id) == -1)
			log_warn("kernel: deleting nexthop object %u", nh->id);
		nh_free(k, nh);
	}
}

/*
 * Routes are leaving an installed object for a new one, but not all of
 * them yet (a peer's re-announcement spans many UPDATEs): wait a moment
 * before installing the new object, so that if all of them move the old
 * object can be re-pointed in place (one request instead of one per route).
 */
static bool
moves_pending(struct krt *k)
{
	struct krt_nh *nh;
	uint64_t now = timer_now_ms();

	if (!k->objects || !k->synced)
		return false;
	RB_FOREACH(nh, krt_nid, &k->nh_id) {
		if (nh->installed && nh->refs > 0 && nh->lost_at != 0 &&
		    now - nh->lost_at < KRT_MOVE_WAIT_MS) {
			if (!timer_running(k->ev_move))
				timer_arm_ms(k->ev_move, KRT_MOVE_WAIT_MS);
			return true;
		}
	}
	return false;
}

static void
nh_install_wanted(struct krt *k)
{
	struct krt_nh *nh;

	repoint(k, false);
	if (moves_pending(k))
		return;
	repoint(k, true);
	RB_FOREACH(nh, krt_nid, &k->nh_id) {
		nh->lost_at = 0;	/* the wait is over: decided */
		if (nh->refs > 0 && !nh->installed)
			nh_install(k, nh);
	}
}

/* A request failed: look again at everything in a few seconds. */
static void
retry_later(struct krt *k)
{
	if (!timer_running(k->ev_move))
		timer_arm(k->ev_move, KRT_RETRY_SECS, false);
}

static bool
slot_behind(const struct krt *k, const struct krt_slot *s)
{
	const struct krt_nh *nh;

	if (s->want == W_NONE || (s->inst & I_DEAD))
		return false;
	nh = nh_of_want(k, s->want);
	return nh == NULL ? s->inst != I_BH : s->inst != nh->id;
}

/*
 * The move wait is over (or a retry is due): everything not where it
 * should be is dirty.
 */
static void
move_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct krt *k = arg;

	(void)fd;
	(void)ev;
	if (moves_pending(k))
		return;		/* still moving: the timer is re-armed */
	for (int f = 0; f < 2; f++)
		for (uint32_t i = 0; i < k->fam[f].cap; i++)
			if (slot_behind(k, &k->fam[f].v[i]))
				mark(k, (uint32_t)f << 31 | i);
}

static void
apply(struct krt *k)
{
	struct krt_orphan *o;
	size_t n = 0;

	if (k->nl == NULL || k->frozen)
		return;
	if (k->resync)
		(void)reconcile(k);
	nh_install_wanted(k);
	while ((o = TAILQ_FIRST(&k->odirty)) != NULL &&
	    n++ < KRT_APPLY_BATCH) {
		TAILQ_REMOVE(&k->odirty, o, dirty);
		o->queued = false;
		orphan_apply(k, o);
	}
	for (int f = 0; f < 2 && n < KRT_APPLY_BATCH; f++)
		n += fam_apply(k, f, KRT_APPLY_BATCH - n);
	if (k->synced && k->nad > 0 && n < KRT_APPLY_BATCH)
		n += adopt_sweep(k, KRT_APPLY_BATCH - n);
	if (nl_flush(k->nl) == -1)
		log_warn("kernel: netlink");
	if (anything_dirty(k))
		schedule(k);
	else
		nh_sweep(k);
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
	for (int f = 0; f < 2; f++)
		for (uint32_t i = 0; i < k->fam[f].cap; i++)
			if (!(k->fam[f].v[i].inst & I_DEAD))
				want_drop(k, &k->fam[f].v[i]);
	for (int f = 0; f < 2; f++) {
		for (uint32_t i = 0; i < k->fam[f].cap; i++) {
			s = &k->fam[f].v[i];
			if (s->inst & I_DEAD)
				slot_apply(k, (uint32_t)f << 31 | i);
			else if (s->inst != I_NONE && k->ops->id_prefix(
			    k->ops_arg, (uint32_t)f << 31 | i, &pfx))
				route_remove(k, &pfx, s->inst);
			s->inst = I_NONE;
		}
		if (k->fam[f].cap > 0)
			memset(k->fam[f].dirty, 0, k->fam[f].cap / 8);
		k->fam[f].ndirty = 0;
	}
	RB_FOREACH_SAFE(o, krt_otree, &k->orphans, on) {
		if (o->inst != I_NONE)
			route_remove(k, &o->pfx, o->inst);
		orphan_free(k, o);
	}
	if (k->nad > 0)
		(void)adopt_sweep(k, SIZE_MAX);
	(void)nl_flush(k->nl);
	nh_sweep(k);
}

void
krt_free(struct krt *k)
{
	struct krt_orphan *o, *on;
	struct krt_nh *nh, *nn;

	if (k == NULL)
		return;
	RB_FOREACH_SAFE(o, krt_otree, &k->orphans, on)
		orphan_free(k, o);
	RB_FOREACH_SAFE(nh, krt_nid, &k->nh_id, nn)
		nh_free(k, nh);
	for (int f = 0; f < 2; f++) {
		free(k->fam[f].v);
		free(k->fam[f].dirty);
	}
	free(k->nhv);
	free(k->adv);
	free(k->zombies);
	if (k->ev_apply)
		event_free(k->ev_apply);
	if (k->ev_move)
		event_free(k->ev_move);
	nl_free(k->nl);
	free(k);
}
