/*
 * nh.c: krt's nexthop objects (see krtpriv.h).
 *
 * One object per BGP next hop in use (key: gateway, tunnel device, onlink),
 * shared by every route through it, so a peer's loss or move costs one
 * request. Owns the objects' records (by key, by id, by handle), the ids
 * of retired objects (zombies) and the ids another program holds.
 *
 * Our implementation:
 *  - ids are ours only once the kernel took them from us: a new object is
 *    created with NLM_F_EXCL (nl_nh_add), and an id some other program
 *    holds (EEXIST) is remembered and skipped; replace and delete are only
 *    ever sent for ids created or adopted (by protocol) as ours;
 *  - a next hop that is not on a connected subnet is resolved as the
 *    kernel would route to it (nl_lookup; BIRD's `gateway recursive`, which
 *    Calico's template sets): the object points at the underlay's gateway
 *    towards it. Resolution never goes through a route of ours. When the
 *    underlay changes, every object is looked up again and re-pointed in
 *    place if its way changed (one request per object);
 *  - a next hop that cannot be installed is retried after retry_min_ms,
 *    doubling up to retry_max_ms, from a timer: apply never tries it again
 *    before then, so a dead next hop does not cost a lookup per run; one
 *    log line when it fails and one when it is installed, not one per try;
 *  - routes that move from an installed object to a new gateway: rather
 *    than one replace per route, the old object is replaced in place (see
 *    repoint()).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "krtpriv.h"
#include "timer.h"
#include "xmalloc.h"

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

RB_GENERATE(krt_nkey, krt_nh, by_key, nkey_cmp)
RB_GENERATE(krt_nid, krt_nh, by_id, nid_cmp)

struct krt_nh *
krt_nh_by_id(struct krt *k, uint32_t id)
{
	struct krt_nh key;

	key.id = id;
	return RB_FIND(krt_nid, &k->nh_id, &key);
}

struct krt_nh *
krt_nh_of_want(const struct krt *k, uint32_t want)
{
	return want != W_NONE && want != W_BH ? k->nhv[want - 1] : NULL;
}

static bool
id_foreign(const struct krt *k, uint32_t id)
{
	for (size_t i = 0; i < k->nforeign; i++)
		if (k->foreign_ids[i] == id)
			return true;
	return false;
}

void
krt_foreign_add(struct krt *k, uint32_t id)
{
	if (id_foreign(k, id))
		return;
	if (k->nforeign == k->fcap) {
		k->fcap = k->fcap ? k->fcap * 2 : 8;
		k->foreign_ids = xreallocarray(k->foreign_ids, k->fcap,
		    sizeof(*k->foreign_ids));
	}
	k->foreign_ids[k->nforeign++] = id;
}

static bool
id_zombie(const struct krt *k, uint32_t id)
{
	for (size_t i = 0; i < k->nzombies; i++)
		if (k->zombies[i] == id)
			return true;
	return false;
}

/* An id no object of ours uses (nor one to be deleted) and no other
 * program is known to hold. */
uint32_t
krt_nh_new_id(struct krt *k)
{
	uint32_t id;

	do {
		id = k->next_id;
		k->next_id = id >= KRT_PLAIN_MIN - 1 ? 1 : id + 1;
	} while (krt_nh_by_id(k, id) != NULL || krt_grp_by_id(k, id) != NULL ||
	    id_foreign(k, id) || id_zombie(k, id));
	return id;
}

/* An id for a gateway record without an object (never a kernel id). */
static uint32_t
nh_new_plain_id(struct krt *k)
{
	uint32_t id;

	do {
		id = k->next_plain;
		k->next_plain = id >= I_OBJMAX ? KRT_PLAIN_MIN : id + 1;
	} while (krt_nh_by_id(k, id) != NULL);
	return id;
}

/* A new record's id: an object's, or none yet (nexthop_object_min). */
static uint32_t
nh_first_id(struct krt *k)
{
	return k->objects && k->obj_min > 1 ? nh_new_plain_id(k) :
	    krt_nh_new_id(k);
}

static void
nh_set_id(struct krt *k, struct krt_nh *nh, uint32_t id)
{
	RB_REMOVE(krt_nid, &k->nh_id, nh);
	nh->id = id;
	RB_INSERT(krt_nid, &k->nh_id, nh);
}

struct krt_nh *
krt_nh_get(struct krt *k, const struct addr *gw, uint32_t key_oif,
    bool onlink, uint32_t id)
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
	nh->via = *gw;
	nh->handle = h + 1;
	nh->id = id ? id : nh_first_id(k);
	k->nhv[h] = nh;
	k->nh_sweep = true;	/* it may never be wanted */
	RB_INSERT(krt_nkey, &k->nh_key, nh);
	RB_INSERT(krt_nid, &k->nh_id, nh);
	return nh;
}

void
krt_nh_free(struct krt *k, struct krt_nh *nh)
{
	RB_REMOVE(krt_nkey, &k->nh_key, nh);
	RB_REMOVE(krt_nid, &k->nh_id, nh);
	k->nhv[nh->handle - 1] = NULL;
	free(nh);
}

/* The object goes at the next sweep, and its routes with it. */
bool
krt_nh_doomed(const struct krt *k, const struct krt_nh *nh)
{
	return k->synced && nh != NULL && nh_obj(k, nh) && !NH_WANTED(nh) &&
	    nh->installed;
}

void
krt_zombie_add(struct krt *k, uint32_t id)
{
	k->nh_sweep = true;
	for (size_t i = 0; i < k->nzombies; i++)
		if (k->zombies[i] == id)
			return;
	if (k->nzombies == k->zcap) {
		k->zcap = k->zcap ? k->zcap * 2 : 8;
		k->zombies = xreallocarray(k->zombies, k->zcap,
		    sizeof(*k->zombies));
	}
	k->zombies[k->nzombies++] = id;
}

/*
 * An object some routes were left to (dropped) is wanted again: retire it
 * (deleted at the sweep, the dropped routes with it) and give its gateway
 * a fresh one.
 */
void
krt_nh_retire(struct krt *k, struct krt_nh *nh)
{
	krt_zombie_add(k, nh->id);
	nh_set_id(k, nh, krt_nh_new_id(k));
	nh->installed = false;
	nh->dropped = 0;
	nh->lost_at = 0;
}

/* x takes a fresh object id, not installed yet; the live routes that want
 * it are marked, so that apply moves them onto it. */
static void
rekey_leftovers(struct krt *k, struct krt_nh *x)
{
	nh_set_id(k, x, krt_nh_new_id(k));
	x->installed = false;
	x->lost_at = 0;
	krt_mark_wanting(k, x->handle);
}

/*
 * nh's routes reached nexthop_object_min (or a group holds it): it gets an
 * object under a fresh id, installed by the next apply, and its routes move
 * to it (each replaced once; they keep the gateway meanwhile).
 */
void
krt_nh_promote(struct krt *k, struct krt_nh *nh)
{
	if (!k->objects || nh_obj(k, nh))
		return;
	rekey_leftovers(k, nh);
	k->nh_check = true;
}

/* ---- resolution and installation ---- */

/*
 * Where the object for nh points: nh's own gateway when it is on a
 * connected subnet, else the underlay's gateway towards it (recursive).
 * A tunnel (key_oif) is taken as it is. 0, or -1 with a reason.
 */
static int
nh_resolve(struct krt *k, const struct krt_nh *nh, struct addr *via,
    uint32_t *oif, const char **why)
{
	struct nl_hop hop;

	*via = nh->gw;
	*oif = nh->key_oif;
	if (nh->key_oif != 0)
		return 0;
	if (nl_lookup(k->nl, &nh->gw, &hop) == -1) {
		*why = errno == ENETUNREACH ? "no route to it" :
		    "lookup failed";
		return -1;
	}
	if (hop.protocol == k->protocol && hop.table == k->table &&
	    hop.gw.af != AF_UNSPEC) {
		*why = "reachable only through a route of ours";
		return -1;
	}
	if (hop.oif == 0) {
		*why = "no interface towards it";
		return -1;
	}
	if (hop.gw.af != AF_UNSPEC)
		*via = hop.gw;
	*oif = hop.oif;
	return 0;
}

static void
nh_failed(struct krt *k, struct krt_nh *nh, const char *why)
{
	char buf[ADDR_STRLEN];
	uint64_t wait = krt_backoff_ms(k, nh->fails);

	if (!nh->failed)
		log_warnx("kernel: next hop %s: %s; its %zu routes (and "
		    "%zu ECMP groups) wait, retried with backoff (%u ms "
		    "first, %u ms at most)", addr_fmt(&nh->gw, buf,
		    sizeof(buf)), why, nh->refs, nh->grefs, k->retry_min_ms,
		    k->retry_max_ms);
	nh->failed = true;
	nh->fails++;
	nh->retry_at = timer_now_ms() + wait;
	krt_retry_at(k, wait);
}

static void
nh_ok(struct krt_nh *nh)
{
	char buf[ADDR_STRLEN], vb[ADDR_STRLEN];

	if (nh->failed)
		log_info("kernel: next hop %s installed after %u tries",
		    addr_fmt(&nh->gw, buf, sizeof(buf)), nh->fails);
	else if (addr_cmp(&nh->via, &nh->gw) != 0)
		log_info("kernel: next hop %s resolved via %s",
		    addr_fmt(&nh->gw, buf, sizeof(buf)),
		    addr_fmt(&nh->via, vb, sizeof(vb)));
	nh->failed = false;
	nh->fails = 0;
	nh->retry_at = 0;
	nh->installed = true;
}

/*
 * Create nh's object under a fresh id (NLM_F_EXCL): an id held by another
 * program is remembered and another one tried. 0, or -1 (errno).
 */
static int
nh_create(struct krt *k, struct krt_nh *nh, const struct addr *via,
    uint32_t oif)
{
	for (int i = 0; i < KRT_NHID_TRIES; i++) {
		if (nl_nh_add(k->nl, nh->id, via, oif, nh->onlink) == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
		log_info("kernel: nexthop id %u is another program's: "
		    "not ours to use", nh->id);
		krt_foreign_add(k, nh->id);
		nh_set_id(k, nh, krt_nh_new_id(k));
	}
	errno = EEXIST;
	return -1;
}

static void
nh_install(struct krt *k, struct krt_nh *nh)
{
	struct addr via;
	uint32_t oif;
	const char *why = NULL;

	if (nh_resolve(k, nh, &via, &oif, &why) == -1) {
		nh_failed(k, nh, why);
		return;
	}
	if (nh_obj(k, nh) && nh_create(k, nh, &via, oif) == -1) {
		nh_failed(k, nh, strerror(errno));
		return;
	}
	nh->via = via;
	nh->oif = oif;
	nh_ok(nh);
}

/*
 * The underlay changed: look every installed object's next hop up again
 * and re-point the object in place when its way changed. Routes of an
 * object without nexthop-object support carry the gateway: they are
 * replaced by apply.
 */
static void
nh_reresolve(struct krt *k)
{
	struct krt_nh *nh, *next;
	struct addr via;
	uint32_t oif;
	const char *why;
	char buf[ADDR_STRLEN], vb[ADDR_STRLEN];
	bool moved = false;

	k->underlay_dirty = false;
	k->nh_check = true;	/* failed ones are tried now */
	/* _SAFE: a record without an object takes a new id (moves in the
	 * tree); it may come round again, with nothing left to do */
	RB_FOREACH_SAFE(nh, krt_nid, &k->nh_id, next) {
		if (!NH_WANTED(nh))
			continue;
		if (nh->failed) {
			nh->retry_at = 0;	/* try now: it may work */
			continue;
		}
		if (!nh->installed || nh->key_oif != 0)
			continue;
		if (nh_resolve(k, nh, &via, &oif, &why) == -1) {
			log_warnx("kernel: next hop %s: %s after an underlay "
			    "change; its routes stay as they are",
			    addr_fmt(&nh->gw, buf, sizeof(buf)), why);
			continue;
		}
		if (addr_cmp(&via, &nh->via) == 0 && oif == nh->oif)
			continue;
		if (nh_obj(k, nh) && nl_nh_replace(k->nl, nh->id, &via, oif,
		    nh->onlink) == -1) {
			log_warn("kernel: re-pointing nexthop object %u",
			    nh->id);
			continue;
		}
		log_info("kernel: next hop %s now via %s (underlay change)",
		    addr_fmt(&nh->gw, buf, sizeof(buf)),
		    addr_fmt(&via, vb, sizeof(vb)));
		nh->via = via;
		nh->oif = oif;
		if (!nh_obj(k, nh)) {
			/* routes carry the gateway: a new id makes each of
			 * them behind, so apply replaces them */
			nh_set_id(k, nh, k->objects ? nh_new_plain_id(k) :
			    krt_nh_new_id(k));
			moved = true;
		}
	}
	if (moved)
		krt_mark_behind(k);
}

void
krt_underlay_changed(struct krt *k)
{
	if (k->underlay_dirty)
		return;
	k->underlay_dirty = true;
	k->nh_check = true;
	if (!timer_running(k->ev_underlay))
		timer_arm_ms(k->ev_underlay, KRT_UNDERLAY_MS);
}

void
krt_nh_underlay_cb(int fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	krt_schedule(arg);
}

/* ---- re-pointing ---- */

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
		if (!nh->installed || nh == need || nh->dropped > 0 ||
		    nh->hold > 0 || !nh_obj(k, nh))
			continue;	/* a group's member is not moved */
		if (!NH_WANTED(nh))
			return nh;
		if (majority && best == NULL && nh->lost_at != 0 &&
		    need->refs > nh->refs)
			best = nh;
	}
	return best;
}

static void
repoint(struct krt *k, bool majority)
{
	struct krt_nh *nh, *spare = NULL, *need = NULL;
	struct addr via;
	uint32_t id, oif;
	const char *why = NULL;

	if (!k->objects || !k->synced)
		return;
	RB_FOREACH(nh, krt_nid, &k->nh_id)
		if (NH_WANTED(nh) && !nh->installed && !nh->failed &&
		    nh_obj(k, nh) && (need == NULL || nh->refs > need->refs))
			need = nh;
	if (need == NULL || (spare = repoint_spare(k, need, majority)) == NULL)
		return;
	if (nh_resolve(k, need, &via, &oif, &why) == -1) {
		nh_failed(k, need, why);
		repoint(k, majority);
		return;
	}
	if (nl_nh_replace(k->nl, spare->id, &via, oif, need->onlink) == -1) {
		log_warn("kernel: re-pointing nexthop object %u", spare->id);
		return;
	}
	id = spare->id;
	log_info("kernel: nexthop object %u re-pointed (%zu routes moved, "
	    "%zu stay)", id, need->refs, spare->refs);
	if (!NH_WANTED(spare))
		krt_nh_free(k, spare);
	else
		rekey_leftovers(k, spare);
	nh_set_id(k, need, id);
	need->via = via;
	need->oif = oif;
	nh_ok(need);
	repoint(k, majority);
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
		    nh_obj(k, nh) &&
		    now - nh->lost_at < KRT_MOVE_WAIT_MS) {
			if (!timer_running(k->ev_move))
				timer_arm_ms(k->ev_move, KRT_MOVE_WAIT_MS);
			return true;
		}
	}
	return false;
}

void
krt_nh_install_wanted(struct krt *k)
{
	struct krt_nh *nh;
	uint64_t now;

	if (k->underlay_dirty && !timer_running(k->ev_underlay))
		nh_reresolve(k);
	if (!k->nh_check)
		return;
	repoint(k, false);
	if (moves_pending(k))
		return;		/* nh_check stays: decided when it is over */
	repoint(k, true);
	now = timer_now_ms();
	RB_FOREACH(nh, krt_nid, &k->nh_id) {
		nh->lost_at = 0;	/* the wait is over: decided */
		if (NH_WANTED(nh) && !nh->installed && nh->retry_at <= now)
			nh_install(k, nh);
	}
	/* what failed waits for its retry (krt_mark_behind sets it again) */
	k->nh_check = krt_grp_install_wanted(k);
}

/* Objects nobody wants: delete them (their routes go with them). */
void
krt_nh_sweep(struct krt *k)
{
	struct krt_nh *nh, *next;

	if (!k->synced || !k->nh_sweep)
		return;
	k->nh_sweep = false;
	for (size_t i = 0; i < k->nzombies; i++)
		if (k->objects && nl_nh_delete(k->nl, k->zombies[i]) == -1)
			log_warn("kernel: deleting nexthop object %u",
			    k->zombies[i]);
	k->nzombies = 0;
	krt_grp_sweep(k);
	RB_FOREACH_SAFE(nh, krt_nid, &k->nh_id, next) {
		if (NH_WANTED(nh) || nh->hold > 0)
			continue;
		if (nh_obj(k, nh) && nh->installed &&
		    nl_nh_delete(k->nl, nh->id) == -1)
			log_warn("kernel: deleting nexthop object %u", nh->id);
		krt_nh_free(k, nh);
	}
}

/*
 * The move wait is over: everything not where it should be is dirty.
 */
void
krt_nh_move_cb(int fd, short ev, void *arg)
{
	struct krt *k = arg;

	(void)fd;
	(void)ev;
	if (moves_pending(k))
		return;		/* still moving: the timer is re-armed */
	krt_mark_behind(k);
}

/*
 * A retry is due: next hops whose time came and refused routes are tried
 * again; the timer is re-armed for the next one still waiting.
 */
void
krt_nh_retry_cb(int fd, short ev, void *arg)
{
	struct krt *k = arg;
	struct krt_nh *nh;
	uint64_t now = timer_now_ms(), next = 0;

	(void)fd;
	(void)ev;
	k->retry_due = 0;
	RB_FOREACH(nh, krt_nid, &k->nh_id)
		if (nh->failed && NH_WANTED(nh) && nh->retry_at > now &&
		    (next == 0 || nh->retry_at < next))
			next = nh->retry_at;
	if (next != 0)
		krt_retry_at(k, next - now);
	krt_mark_behind(k);
}
