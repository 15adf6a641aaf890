/*
 * krt.c: kernel route sync (see krt.h).
 *
 * Owns: the table of prefixes tern wants or found in the FIB (what it wants,
 * what it believes is installed), the nexthop objects it manages (by key
 * gateway/onlink/tunnel device, and by id), the dirty queue, and the
 * netlink handle. Our implementation:
 *  - apply() runs from a zero-timeout event and handles at most
 *    KRT_APPLY_BATCH dirty routes per run so the loop stays responsive;
 *  - nexthop objects are only deleted once the dirty queue is empty (no
 *    prefix that moves elsewhere is lost with its old object) and only
 *    after the first full sync (adopted routes may still use them);
 *  - a route whose object is about to be deleted is not deleted itself:
 *    the object's deletion takes it along (one request per peer);
 *  - an object all of whose routes moved to one new gateway is replaced in
 *    place (one request re-points them all).
 * Tables are RB trees: O(log n) per route, fine up to millions.
 */
#include <bsd/sys/queue.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "krt.h"
#include "log.h"
#include "netlink.h"
#include "tree.h"
#include "xmalloc.h"

#define KRT_APPLY_BATCH	20000
#define KRT_MOVE_WAIT_MS 250	/* wait for the rest of a gateway's routes */
#define KRT_RETRY_SECS	3	/* after a failed request */

struct krt_nh {
	RB_ENTRY(krt_nh)	 by_key;
	RB_ENTRY(krt_nh)	 by_id;
	uint32_t		 id;
	struct addr		 gw;		/* key */
	uint32_t		 key_oif;	/* key: 0 = resolved by kernel */
	bool			 onlink;	/* key */
	uint32_t		 oif;		/* as installed */
	size_t			 refs;		/* routes that want it */
	uint64_t		 lost_at;	/* ms: a route moved away from it */
	bool			 installed;
};

struct krt_route {
	RB_ENTRY(krt_route)	 tree;
	TAILQ_ENTRY(krt_route)	 dirty;
	struct prefix		 pfx;
	struct krt_nh		*want_nh;	/* unicast only */
	uint32_t		 inst_nh;	/* installed object id */
	struct addr		 inst_gw;	/* fallback: installed gw */
	enum krt_type		 want_type;
	enum krt_type		 inst_type;
	bool			 has_want;
	bool			 has_inst;
	bool			 adopted;	/* found at start, not wanted yet */
	bool			 queued;
};

RB_HEAD(krt_rtree, krt_route);
RB_HEAD(krt_nkey, krt_nh);
RB_HEAD(krt_nid, krt_nh);
TAILQ_HEAD(krt_dirty, krt_route);

struct krt {
	struct event_base	*base;
	struct nl		*nl;
	uint8_t			 protocol;
	uint32_t		 table;
	struct krt_rtree	 routes;
	struct krt_nkey		 nh_key;
	struct krt_nid		 nh_id;
	struct krt_dirty	 dirty;
	struct event		*ev_apply;
	struct event		*ev_move;	/* end of a move wait */
	uint32_t		 next_id;
	size_t			 nroutes;
	bool			 synced;
	bool			 had_routes;
	bool			 resync;
	bool			 objects;	/* kernel has nexthop objects */
	bool			 frozen;	/* shutting down: hands off */
};

static int
route_cmp(const struct krt_route *a, const struct krt_route *b)
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

RB_GENERATE_STATIC(krt_rtree, krt_route, tree, route_cmp)
RB_GENERATE_STATIC(krt_nkey, krt_nh, by_key, nkey_cmp)
RB_GENERATE_STATIC(krt_nid, krt_nh, by_id, nid_cmp)

static void	apply_cb(evutil_socket_t, short, void *);
static void	move_cb(evutil_socket_t, short, void *);
static void	retry_later(struct krt *);

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct krt *
krt_new(struct event_base *base, uint8_t protocol, uint32_t table)
{
	struct krt *k = xcalloc(1, sizeof(*k));

	k->base = base;
	k->protocol = protocol;
	k->table = table;
	RB_INIT(&k->routes);
	RB_INIT(&k->nh_key);
	RB_INIT(&k->nh_id);
	TAILQ_INIT(&k->dirty);
	k->next_id = 1;
	k->ev_apply = event_new(base, -1, 0, apply_cb, k);
	k->ev_move = evtimer_new(base, move_cb, k);
	return k;
}

size_t
krt_count(const struct krt *k)
{
	return k->nroutes;
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

static void
mark_dirty(struct krt *k, struct krt_route *r)
{
	if (!r->queued) {
		TAILQ_INSERT_TAIL(&k->dirty, r, dirty);
		r->queued = true;
	}
	schedule(k);
}

static struct krt_route *
route_get(struct krt *k, const struct prefix *pfx, bool create)
{
	struct krt_route key, *r;

	key.pfx = *pfx;
	if ((r = RB_FIND(krt_rtree, &k->routes, &key)) != NULL || !create)
		return r;
	r = xcalloc(1, sizeof(*r));
	r->pfx = *pfx;
	RB_INSERT(krt_rtree, &k->routes, r);
	k->nroutes++;
	return r;
}

static void
route_free(struct krt *k, struct krt_route *r)
{
	if (r->queued)
		TAILQ_REMOVE(&k->dirty, r, dirty);
	RB_REMOVE(krt_rtree, &k->routes, r);
	k->nroutes--;
	free(r);
}

static struct krt_nh *
nh_by_id(struct krt *k, uint32_t id)
{
	struct krt_nh key;

	key.id = id;
	return RB_FIND(krt_nid, &k->nh_id, &key);
}

static struct krt_nh *
nh_get(struct krt *k, const struct addr *gw, uint32_t key_oif, bool onlink,
    uint32_t id)
{
	struct krt_nh key, *nh;

	memset(&key, 0, sizeof(key));
	key.gw = *gw;
	key.key_oif = key_oif;
	key.onlink = onlink;
	if ((nh = RB_FIND(krt_nkey, &k->nh_key, &key)) != NULL)
		return nh;
	nh = xcalloc(1, sizeof(*nh));
	*nh = key;
	nh->id = id ? id : k->next_id++;
	if (nh->id >= k->next_id)
		k->next_id = nh->id + 1;
	RB_INSERT(krt_nkey, &k->nh_key, nh);
	RB_INSERT(krt_nid, &k->nh_id, nh);
	return nh;
}

static void
nh_free(struct krt *k, struct krt_nh *nh)
{
	RB_REMOVE(krt_nkey, &k->nh_key, nh);
	RB_REMOVE(krt_nid, &k->nh_id, nh);
	free(nh);
}

static void
want_drop(struct krt_route *r)
{
	if (r->want_nh != NULL)
		r->want_nh->refs--;
	r->want_nh = NULL;
	r->has_want = false;
}

void
krt_set(struct krt *k, const struct prefix *pfx, const struct krt_want *w)
{
	struct krt_route *r = route_get(k, pfx, true);
	struct krt_nh *nh = NULL;

	if (w->type == KRT_UNICAST)
		nh = nh_get(k, &w->gw, w->onlink ? w->oif : 0, w->onlink, 0);
	if (r->has_want && r->want_type == w->type && r->want_nh == nh)
		return;
	if (nh != NULL)
		nh->refs++;
	if (r->want_nh != NULL && r->want_nh != nh && r->want_nh->installed)
		r->want_nh->lost_at = now_ms();
	want_drop(r);
	r->has_want = true;
	r->want_type = w->type;
	r->want_nh = nh;
	mark_dirty(k, r);
}

void
krt_unset(struct krt *k, const struct prefix *pfx)
{
	struct krt_route *r = route_get(k, pfx, false);

	if (r == NULL || !r->has_want)
		return;
	want_drop(r);
	mark_dirty(k, r);
}

/* ---- netlink results and events ---- */

static void
nl_done(void *arg, uint64_t cookie, int err)
{
	struct krt_route *r = (struct krt_route *)(uintptr_t)cookie;
	char buf[PREFIX_STRLEN];

	if (err == 0 || r == NULL)
		return;
	log_warnx("kernel route %s: %s", prefix_fmt(&r->pfx, buf, sizeof(buf)),
	    strerror(-err));
	r->has_inst = false;
	retry_later(arg);
}

static void
nl_route_changed(void *arg, const struct nl_route *nr, bool deleted)
{
	struct krt *k = arg;
	struct krt_route *r = route_get(k, &nr->dst, false);
	char buf[PREFIX_STRLEN];

	if (r == NULL)
		return;		/* not ours to judge before a resync */
	log_info("kernel route %s %s by someone else%s",
	    prefix_fmt(&nr->dst, buf, sizeof(buf)),
	    deleted ? "deleted" : "changed", r->has_want ? ": restoring" : "");
	r->has_inst = !deleted;
	r->inst_type = nr->type == NL_RT_BLACKHOLE ? KRT_BLACKHOLE :
	    KRT_UNICAST;
	r->inst_nh = nr->nh_id;
	r->inst_gw = nr->gw;
	if (r->has_want)
		mark_dirty(k, r);
}

static void
nl_nexthop_changed(void *arg, uint32_t id, bool deleted)
{
	struct krt *k = arg;
	struct krt_nh *nh = nh_by_id(k, id);
	struct krt_route *r;

	if (nh == NULL)
		return;
	log_info("kernel nexthop object %u %s by someone else: restoring", id,
	    deleted ? "deleted" : "changed");
	nh->installed = false;
	if (!deleted)
		return;
	RB_FOREACH(r, krt_rtree, &k->routes) {
		if (r->has_inst && r->inst_nh == id) {
			r->has_inst = false;
			if (r->has_want)
				mark_dirty(k, r);
		}
	}
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
	struct krt_route *r;

	if (nr->type == NL_RT_OTHER)
		return;
	r = route_get(k, &nr->dst, true);
	r->has_inst = true;
	r->inst_type = nr->type == NL_RT_BLACKHOLE ? KRT_BLACKHOLE :
	    KRT_UNICAST;
	r->inst_nh = nr->nh_id;
	r->inst_gw = nr->gw;
	r->adopted = !r->has_want;
	k->had_routes = true;
}

static int
reconcile(struct krt *k)
{
	struct krt_route *r;
	struct krt_nh *nh;

	k->resync = false;
	RB_FOREACH(nh, krt_nid, &k->nh_id)
		nh->installed = false;
	RB_FOREACH(r, krt_rtree, &k->routes)
		r->has_inst = false;
	if ((k->objects && nl_nh_dump(k->nl, dump_nh_cb, k) == -1) ||
	    nl_route_dump(k->nl, dump_route_cb, k) == -1) {
		log_warn("reading the FIB");
		k->resync = true;
		return -1;
	}
	RB_FOREACH(r, krt_rtree, &k->routes)
		mark_dirty(k, r);
	return 0;
}

int
krt_start(struct krt *k)
{
	k->nl = nl_new(k->base, k->protocol, k->table, &krt_nl_ops, k);
	if (k->nl == NULL)
		return -1;
	k->objects = nl_nexthop_objects(k->nl);
	if (reconcile(k) == -1)
		return -1;
	log_info("kernel: %zu routes of ours found in table %u (protocol %u)"
	    "%s", k->nroutes, k->table, k->protocol,
	    k->objects ? "" : "; no nexthop objects, using gateway routes");
	return 0;
}

void
krt_synced(struct krt *k)
{
	struct krt_route *r;

	if (k->synced)
		return;
	k->synced = true;
	RB_FOREACH(r, krt_rtree, &k->routes)
		if (!r->has_want)
			mark_dirty(k, r);
	schedule(k);
}

/* ---- apply: make the FIB what we want ---- */

/* The object goes at the next sweep, and its routes with it. */
static bool
nh_doomed(const struct krt *k, const struct krt_nh *nh)
{
	return k->objects && k->synced && nh != NULL && nh->refs == 0 &&
	    nh->installed;
}

/*
 * Routes that move from an installed object X to a new gateway Y: rather
 * than one replace per route, replace X in place so that it points at Y
 * (one request), when nobody wants X any more or, with majority, when more
 * routes moved than stayed. In the second case the routes still wanting X's
 * gateway get a fresh object and are replaced individually (they are the
 * minority; for the moment between the two requests they use Y).
 */
static struct krt_nh *
repoint_spare(struct krt *k, const struct krt_nh *need, bool majority)
{
	struct krt_nh *nh, *best = NULL;

	RB_FOREACH(nh, krt_nid, &k->nh_id) {
		if (!nh->installed || nh == need)
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
	struct krt_route *r;

	RB_REMOVE(krt_nid, &k->nh_id, x);
	x->id = k->next_id++;
	x->installed = false;
	x->lost_at = 0;
	RB_INSERT(krt_nid, &k->nh_id, x);
	RB_FOREACH(r, krt_rtree, &k->routes)
		if (r->want_nh == x)
			mark_dirty(k, r);
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
	RB_REMOVE(krt_nid, &k->nh_id, need);
	need->id = id;
	need->oif = need->key_oif ? need->key_oif : need->oif;
	RB_INSERT(krt_nid, &k->nh_id, need);
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
route_install(struct krt *k, struct krt_route *r)
{
	struct krt_nh *nh = r->want_nh;
	struct nl_route nr;

	memset(&nr, 0, sizeof(nr));
	nr.dst = r->pfx;
	if (r->want_type == KRT_BLACKHOLE) {
		if (r->has_inst && r->inst_type == KRT_BLACKHOLE)
			goto done;
		nr.type = NL_RT_BLACKHOLE;
	} else {
		if (!nh->installed)
			return;		/* next hop unresolved: logged */
		if (r->has_inst && r->inst_type == KRT_UNICAST &&
		    (k->objects ? r->inst_nh == nh->id :
		    addr_eq(&r->inst_gw, &nh->gw)))
			goto done;
		nr.type = NL_RT_UNICAST;
		nr.nh_id = k->objects ? nh->id : 0;
		nr.gw = nh->gw;
		nr.oif = nh->oif;
		nr.onlink = nh->onlink;
	}
	if (nl_route_replace(k->nl, &nr, (uint64_t)(uintptr_t)r) == -1)
		return;
	r->has_inst = true;
	r->inst_type = r->want_type;
	r->inst_nh = nr.nh_id;
	r->inst_gw = nr.gw;
done:
	r->adopted = false;
}

static void
route_remove(struct krt *k, struct krt_route *r)
{
	struct nl_route nr;

	memset(&nr, 0, sizeof(nr));
	nr.dst = r->pfx;
	nr.type = r->inst_type == KRT_BLACKHOLE ? NL_RT_BLACKHOLE :
	    NL_RT_UNICAST;
	nr.nh_id = r->inst_nh;
	nr.gw = r->inst_gw;
	if (nr.type == NL_RT_BLACKHOLE || !nh_doomed(k, nh_by_id(k,
	    r->inst_nh)))
		(void)nl_route_delete(k->nl, &nr, 0);
	route_free(k, r);
}

/* One dirty route (which may be freed). */
static void
route_apply(struct krt *k, struct krt_route *r)
{
	if (r->has_want)
		route_install(k, r);
	else if (r->has_inst && (k->synced || !r->adopted))
		route_remove(k, r);
	else if (!r->has_inst)
		route_free(k, r);
}

/* Objects nobody wants: delete them (their routes go with them). */
static void
nh_sweep(struct krt *k)
{
	struct krt_nh *nh, *next;

	if (!k->synced)
		return;
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
	uint64_t now = now_ms();
	struct timeval tv = { 0, KRT_MOVE_WAIT_MS * 1000 };

	if (!k->objects || !k->synced)
		return false;
	RB_FOREACH(nh, krt_nid, &k->nh_id) {
		if (nh->installed && nh->refs > 0 && nh->lost_at != 0 &&
		    now - nh->lost_at < KRT_MOVE_WAIT_MS) {
			if (!evtimer_pending(k->ev_move, NULL))
				evtimer_add(k->ev_move, &tv);
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
	struct timeval tv = { KRT_RETRY_SECS, 0 };

	if (!evtimer_pending(k->ev_move, NULL))
		evtimer_add(k->ev_move, &tv);
}

/*
 * The move wait is over (or a retry is due): everything not where it
 * should be is dirty.
 */
static void
move_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct krt *k = arg;
	struct krt_route *r;

	(void)fd;
	(void)ev;
	if (moves_pending(k))
		return;		/* still moving: the timer is re-armed */
	RB_FOREACH(r, krt_rtree, &k->routes)
		if (r->has_want && (!r->has_inst || r->inst_type != r->want_type ||
		    (r->want_type == KRT_UNICAST &&
		    r->inst_nh != r->want_nh->id)))
			mark_dirty(k, r);
}

static void
apply(struct krt *k)
{
	struct krt_route *r;
	size_t n = 0;

	if (k->nl == NULL || k->frozen)
		return;
	if (k->resync)
		(void)reconcile(k);
	nh_install_wanted(k);
	while ((r = TAILQ_FIRST(&k->dirty)) != NULL && n++ < KRT_APPLY_BATCH) {
		TAILQ_REMOVE(&k->dirty, r, dirty);
		r->queued = false;
		route_apply(k, r);
	}
	if (nl_flush(k->nl) == -1)
		log_warn("kernel: netlink");
	if (!TAILQ_EMPTY(&k->dirty))
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
	} while (!TAILQ_EMPTY(&k->dirty) && k->nl != NULL && !k->frozen);
}

void
krt_freeze(struct krt *k)
{
	k->frozen = true;
}

void
krt_remove_all(struct krt *k)
{
	struct krt_route *r, *next;

	if (k->nl == NULL)
		return;
	k->synced = true;
	RB_FOREACH_SAFE(r, krt_rtree, &k->routes, next) {
		want_drop(r);
		if (r->has_inst)
			route_remove(k, r);
		else
			route_free(k, r);
	}
	(void)nl_flush(k->nl);
	nh_sweep(k);
}

void
krt_free(struct krt *k)
{
	struct krt_route *r, *rn;
	struct krt_nh *nh, *nn;

	if (k == NULL)
		return;
	RB_FOREACH_SAFE(r, krt_rtree, &k->routes, rn)
		route_free(k, r);
	RB_FOREACH_SAFE(nh, krt_nid, &k->nh_id, nn)
		nh_free(k, nh);
	if (k->ev_apply)
		event_free(k->ev_apply);
	if (k->ev_move)
		event_free(k->ev_move);
	nl_free(k->nl);
	free(k);
}
