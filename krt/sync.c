/*
 * sync.c: what the kernel tells krt (see krtpriv.h): the start-up dump and
 * adoption, re-reads after lost events (reconcile), the results of our
 * requests, and the monitor's events, ours and other programs'.
 *
 * Other programs' routes in our table (Felix's pod routes, kube-proxy's,
 * the underlay's) are never changed here; they matter three ways:
 *  - a conflict: a route of another program holds a prefix we want (same
 *    prefix and metric, the kernel's key). Our add was refused (EEXIST), or
 *    the other program replaced our route. The prefix waits in I_CONFLICT,
 *    counted (krt_stats), shown (krt_route_state) and logged (rate-limited);
 *    when the monitor reports the other route deleted, ours is added;
 *  - the underlay: any change of another program's route may change how a
 *    recursive next hop is reached (nh.c re-resolves, debounced);
 *  - the feed: krt_ops->other_route, for workload-route learning.
 * A re-read (ENOBUFS) forgets every conflict (they are found again by the
 * adds' EEXIST answers) and replays the feed between other_resync calls.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "krtpriv.h"
#include "timer.h"
#include "xmalloc.h"

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

struct krt_adopt *
krt_adopt_find(struct krt *k, const struct prefix *pfx)
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
void
krt_adopt_sort(struct krt *k)
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

/* Up to budget unwanted start-up routes go (after the first full sync,
 * or at shutdown). */
size_t
krt_adopt_sweep(struct krt *k, size_t budget)
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
			krt_route_remove(k, &pfx, A_INST(a));
			done++;
		}
		a->v |= A_TAKEN;
		k->nadleft--;
	}
	if (k->adpos == k->nad)
		adopt_done(k);
	return done;
}

/* ---- netlink results and events ---- */

uint32_t
krt_inst_of(struct krt *k, const struct nl_route *nr)
{
	struct krt_nh *nh;

	if (nr->type == NL_RT_BLACKHOLE)
		return I_BH;
	if (!k->objects)
		return krt_nh_get(k, &nr->gw, 0, false, 0)->id;
	if (nr->nh_id == 0 && nr->gw.af != AF_UNSPEC && k->obj_min > 1) {
		/* a route with its gateway: its record's, when that has no
		 * object (nexthop_object_min), else replaced by one that uses
		 * the object */
		nh = krt_nh_get(k, &nr->gw, 0, false, 0);
		return nh_obj(k, nh) ? I_UNKNOWN : nh->id;
	}
	if (nr->nh_id == 0 || nr->nh_id >= KRT_PLAIN_MIN)
		return I_UNKNOWN;
	return nr->nh_id;
}

/* The live, wanted slot of pfx, or NULL. */
static struct krt_slot *
wanted_slot(struct krt *k, const struct prefix *pfx, uint32_t *id)
{
	struct krt_slot *s;

	if (!k->ops->prefix_id(k->ops_arg, pfx, id) ||
	    (s = krt_slot_at(k, *id, false)) == NULL || s->want == W_NONE ||
	    slot_dead(s))
		return NULL;
	return s;
}

static void
conflict_begin(struct krt *k, const struct prefix *pfx, const char *how)
{
	char buf[PREFIX_STRLEN];

	k->conflicts_total++;
	k->conflicts_maybe = true;
	log_rl(&k->rl_conflict, "kernel route %s: %s; not installed until it "
	    "goes", prefix_fmt(pfx, buf, sizeof(buf)), how);
}

static void
nl_done(void *arg, uint64_t cookie, int err)
{
	struct krt *k = arg;
	struct krt_slot *s;
	struct prefix pfx;
	char buf[PREFIX_STRLEN];
	uint32_t id = (uint32_t)(cookie - 1);
	bool named;

	if (cookie == 0)
		return;
	if (err == 0) {
		k->route_fails = 0;
		return;
	}
	if ((s = krt_slot_at(k, id, false)) == NULL || slot_dead(s))
		return;
	named = k->ops->id_prefix(k->ops_arg, id, &pfx);
	if (err == -EEXIST && named) {
		s->inst = I_CONFLICT;
		conflict_begin(k, &pfx, "another program's route holds it");
		return;
	}
	if (named)
		log_warnx("kernel route %s: %s",
		    prefix_fmt(&pfx, buf, sizeof(buf)), strerror(-err));
	s->inst = I_FAILED;
	krt_retry_at(k, krt_backoff_ms(k, k->route_fails++));
}

static void
nl_route_changed(void *arg, const struct nl_route *nr, bool deleted)
{
	struct krt *k = arg;
	struct krt_orphan *o = krt_orphan_find(k, &nr->dst);
	struct krt_adopt *a = krt_adopt_find(k, &nr->dst);
	struct krt_slot *s = NULL;
	char buf[PREFIX_STRLEN];
	uint32_t id = 0;

	if (a != NULL) {
		A_SET_INST(a, deleted ? I_NONE : krt_inst_of(k, nr));
		return;		/* not wanted (yet): nothing to restore */
	}
	if (o == NULL)
		s = wanted_slot(k, &nr->dst, &id);
	if (o == NULL && s == NULL)
		return;		/* not ours to judge before a resync */
	log_info("kernel route %s %s by someone else%s",
	    prefix_fmt(&nr->dst, buf, sizeof(buf)),
	    deleted ? "deleted" : "changed", o == NULL ? ": restoring" : "");
	if (o != NULL) {
		o->inst = deleted ? I_NONE : krt_inst_of(k, nr);
		krt_orphan_mark(k, o);
		return;
	}
	s->inst = deleted ? I_NONE : krt_inst_of(k, nr);
	krt_mark(k, id);
}

/* Our routes carry no metric: 0 for IPv4, the kernel's 1024 for IPv6. */
static bool
at_our_metric(const struct nl_route *nr)
{
	return nr->priority == 0 ||
	    (nr->dst.af == AF_INET6 && nr->priority == 1024);
}

/*
 * Another program's route in our table (or main) came, changed or went.
 * At our key (our table, metric 0): a conflict begins (it replaced ours)
 * or ends (it went). Anything may move a recursive next hop's way.
 */
static void
nl_other_route_changed(void *arg, const struct nl_route *nr, bool deleted)
{
	struct krt *k = arg;
	struct krt_orphan *o;
	struct krt_slot *s;
	char buf[PREFIX_STRLEN];
	uint32_t id;

	/* any type holds the key: an unreachable route blocks ours too */
	if (nr->table == k->table && at_our_metric(nr)) {
		if ((s = wanted_slot(k, &nr->dst, &id)) != NULL) {
			if (deleted && s->inst == I_CONFLICT) {
				log_info("kernel route %s: the other "
				    "program's route went: installing ours",
				    prefix_fmt(&nr->dst, buf, sizeof(buf)));
				s->inst = I_NONE;
				krt_mark(k, id);
			} else if (!deleted && !inst_absent(s->inst)) {
				s->inst = I_CONFLICT;
				conflict_begin(k, &nr->dst, "replaced by "
				    "another program's route");
			}
		} else if (!deleted &&
		    (o = krt_orphan_find(k, &nr->dst)) != NULL)
			o->inst = I_NONE;	/* ours is gone: nothing to do */
	}
	if (k->ops->other_route != NULL && nr->table == k->table)
		k->ops->other_route(k->ops_arg, nr, deleted);
	krt_underlay_changed(k);
}

static void
nl_nexthop_changed(void *arg, uint32_t id, bool deleted)
{
	struct krt *k = arg;
	struct krt_nh *nh = krt_nh_by_id(k, id);
	struct krt_grp *g = nh == NULL ? krt_grp_by_id(k, id) : NULL;
	struct krt_orphan *o, *on;
	struct krt_slot *s;

	for (size_t i = 0; deleted && i < k->nzombies; i++)
		if (k->zombies[i] == id)
			k->zombies[i--] = k->zombies[--k->nzombies];
	if (nh == NULL && g == NULL)
		return;
	log_info("kernel nexthop %s %u %s by someone else: restoring",
	    g != NULL ? "group" : "object", id, deleted ? "deleted" : "changed");
	if (g != NULL) {
		g->installed = false;
		g->inst_mask = 0;
	} else
		nh->installed = false;
	k->nh_check = true;
	krt_schedule(k);
	if (!deleted)
		return;
	if (g != NULL)
		g->dropped = 0;
	else
		nh->dropped = 0;	/* the kernel took them along */
	for (int f = 0; f < 2; f++) {
		for (uint32_t i = 0; i < k->fam[f].cap; i++) {
			s = &k->fam[f].v[i];
			if (inst_absent(s->inst) || I_OBJ(s->inst) != id)
				continue;
			if (slot_dead(s))
				s->want = W_NONE;
			s->inst = I_NONE;
			if (s->want != W_NONE)
				krt_mark(k, ID_MAKE(f, i));
		}
	}
	RB_FOREACH_SAFE(o, krt_otree, &k->orphans, on)
		if (o->inst == id)
			krt_orphan_free(k, o);
	for (size_t i = 0; i < k->nad; i++)
		if (!(k->adv[i].v & A_TAKEN) && A_INST(&k->adv[i]) == id)
			A_SET_INST(&k->adv[i], I_NONE);
}

/*
 * A link went down or away: the kernel dropped the routes through it
 * without events. Learned routes on it go (the owner's feed); a conflict
 * may have ended without a word, so every conflicted route tries again
 * (an add: EEXIST again while the other route is there); next hops may
 * have lost their way.
 */
static void
nl_link_changed(void *arg, uint32_t ifindex, bool up)
{
	struct krt *k = arg;
	struct krt_slot *s;

	if (up)
		return;
	if (k->ops->other_link_down != NULL)
		k->ops->other_link_down(k->ops_arg, ifindex);
	if (k->conflicts_maybe) {
		k->conflicts_maybe = false;
		for (int f = 0; f < 2; f++) {
			for (uint32_t i = 0; i < k->fam[f].cap; i++) {
				s = &k->fam[f].v[i];
				if (s->inst == I_CONFLICT && !slot_dead(s)) {
					s->inst = I_NONE;
					krt_mark(k, ID_MAKE(f, i));
				}
			}
		}
	}
	krt_underlay_changed(k);
}

static void
nl_resync(void *arg)
{
	struct krt *k = arg;

	log_warnx("kernel dropped netlink messages: re-reading the FIB");
	k->resync = true;
	krt_schedule(k);
}

const struct nl_ops krt_nl_ops = {
	.done = nl_done,
	.route_changed = nl_route_changed,
	.nexthop_changed = nl_nexthop_changed,
	.other_route_changed = nl_other_route_changed,
	.link_changed = nl_link_changed,
	.resync_needed = nl_resync,
};

/* ---- reconcile: read the FIB and compare ---- */

static void
dump_nh_cb(void *arg, const struct nl_nexthop *n)
{
	struct krt *k = arg;
	struct krt_nh *nh;

	if (n->blackhole || krt_grp_dumped(k, n))
		return;
	if ((nh = krt_nh_by_id(k, n->id)) != NULL) {
		/* ours, known: installed as the kernel has it (a re-read) */
		if (n->ngroup == 0) {
			nh->via = n->gw;
			nh->oif = n->oif;
			nh->installed = true;
		}
		return;
	}
	if (n->id >= KRT_PLAIN_MIN || n->ngroup > 0) {
		/* ours by protocol, but not one we manage: deleted at the
		 * sweep */
		krt_zombie_add(k, n->id);
		return;
	}
	nh = krt_nh_get(k, &n->gw, n->onlink ? n->oif : 0, n->onlink, n->id);
	if (nh->id != n->id) {
		krt_zombie_add(k, n->id);	/* a duplicate: deleted at the
						 * sweep */
		return;
	}
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
		adopt_add(k, &nr->dst, krt_inst_of(k, nr));
		return;
	}
	if ((a = krt_adopt_find(k, &nr->dst)) != NULL) {
		A_SET_INST(a, krt_inst_of(k, nr));
		return;
	}
	if ((o = krt_orphan_find(k, &nr->dst)) != NULL) {
		o->inst = krt_inst_of(k, nr);
		return;
	}
	if ((s = wanted_slot(k, &nr->dst, &id)) != NULL) {
		s->inst = krt_inst_of(k, nr);
		return;
	}
	(void)krt_orphan_new(k, &nr->dst, krt_inst_of(k, nr), true);
}

/* Other programs' routes, for the feed. */
static void
dump_other_cb(void *arg, const struct nl_route *nr)
{
	struct krt *k = arg;

	if (nr->protocol != k->protocol)
		k->ops->other_route(k->ops_arg, nr, false);
}

int
krt_reconcile(struct krt *k)
{
	struct krt_orphan *o;
	struct krt_grp *g;
	struct krt_nh *nh;
	struct krt_slot *s;
	int rc;

	k->resync = false;
	k->nh_check = k->nh_sweep = true;
	RB_FOREACH(nh, krt_nid, &k->nh_id)
		nh->installed = false;
	RB_FOREACH(g, krt_gid, &k->grp_id)
		g->installed = false;
	for (int f = 0; f < 2; f++) {
		for (uint32_t i = 0; i < k->fam[f].cap; i++) {
			s = &k->fam[f].v[i];
			if (slot_dead(s))
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
	if (k->ops->other_route != NULL) {
		if (k->ops->other_resync != NULL)
			k->ops->other_resync(k->ops_arg, true);
		rc = nl_table_dump(k->nl, dump_other_cb, k);
		if (rc == -1) {
			log_warn("reading other programs' routes");
			k->resync = true;
		}
		if (k->ops->other_resync != NULL && rc == 0)
			k->ops->other_resync(k->ops_arg, false);
	}
	for (int f = 0; f < 2; f++)
		for (uint32_t i = 0; i < k->fam[f].cap; i++)
			if (k->fam[f].v[i].want != W_NONE)
				krt_mark(k, ID_MAKE(f, i));
	RB_FOREACH(o, krt_otree, &k->orphans)
		krt_orphan_mark(k, o);
	krt_underlay_changed(k);
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
	if (krt_reconcile(k) == -1)
		return -1;
	k->adopting = false;
	krt_adopt_sort(k);
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
	k->nh_check = k->nh_sweep = true;	/* adopted objects: decide */
	RB_FOREACH(o, krt_otree, &k->orphans)
		krt_orphan_mark(k, o);
	krt_schedule(k);
}
