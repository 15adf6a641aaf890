/*
 * krtpriv.h: the state of krt and the calls between its files (internal to
 * krt/; tests/unit/test_krt.c reads it too).
 *
 *   krt.c   the public calls, route slots (what each prefix id wants and
 *           has), orphans, and the apply loop that makes the FIB so;
 *   nh.c    nexthop objects: ids, install (direct or recursive), re-point,
 *           retry with backoff, sweep;
 *   grp.c   nexthop group objects (ECMP): one per set of next hops, moved
 *           in place when a path leaves or joins the set;
 *   sync.c  what the kernel says: start-up adoption, re-reads (reconcile),
 *           request results, monitor events, other programs' routes
 *           (conflicts, the feed to krt_ops->other_route).
 *
 * Memory (SPEC 6: a million routes): the agent's prefix ids are dense (the
 * rib's slab indices), so the state of a route is one 8-byte slot in an
 * array indexed by id plus one dirty bit; there is no second table keyed by
 * prefix. A slot is
 *   live: want = nexthop handle, W_BH or W_NONE;
 *         inst = an object id of ours, I_BH, I_UNKNOWN (a route of ours
 *         without an object we manage), I_CONFLICT (another program's route
 *         holds the prefix: nothing of ours is there), I_FAILED (the kernel
 *         refused it: retried) or I_NONE;
 *   dead: the id ended (krt_unset) while the route was installed: the IPv4
 *         prefix moves into the slot itself (slot_dead_set) until apply
 *         deletes the route or leaves it to its object's deletion. An id the
 *         rib reuses before that, and every IPv6 route, become an orphan.
 * Packed values are read and written through the accessors below, never by
 * hand.
 */
#ifndef TERN_KRTPRIV_H
#define TERN_KRTPRIV_H

#include <bsd/sys/queue.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "addr.h"
#include "krt.h"
#include "log.h"
#include "netlink.h"
#include "tree.h"

#define KRT_APPLY_BATCH	20000
#define KRT_MOVE_WAIT_MS 250	/* wait for the rest of a gateway's routes */
#define KRT_UNDERLAY_MS	200	/* underlay changes: re-resolve at most this
				 * often */
#define KRT_NHID_TRIES	16	/* ids tried per object and run (EEXIST) */

/* Wanted: by a route or by a wanted group. */
#define NH_WANTED(nh)	((nh)->refs > 0 || (nh)->grefs > 0)

/* slot.inst, live slots */
#define I_NONE		0u
#define I_OBJMASK	0xffffffu	/* object ids are 24-bit here */
#define I_BH		0xffffffu	/* a blackhole */
#define I_UNKNOWN	0xfffffeu	/* a route of ours, object not ours */
#define I_CONFLICT	0xfffffdu	/* another program's route is there */
#define I_FAILED	0xfffffcu	/* refused by the kernel: retried */
#define I_OBJMAX	0xfffffbu	/* the largest object id we use */
#define I_LENSHIFT	24		/* dead: prefix length, 6 bits */
#define I_DEAD		0x80000000u
#define I_OBJ(v)	((v) & I_OBJMASK)
/*
 * Gateway records without an object (nexthop_object_min: a gateway with
 * few routes, whose routes carry it as BIRD's do) have ids from
 * KRT_PLAIN_MIN to I_OBJMAX, never used for objects: an inst in that range
 * is a route with a gateway and no object, deleted by its prefix alone.
 */
#define KRT_PLAIN_MIN	0x800000u
#define I_IS_PLAIN(v)	((v) >= KRT_PLAIN_MIN && (v) <= I_OBJMAX)
#define I_LEN(v)	((uint8_t)(((v) >> I_LENSHIFT) & 0x3f))

/* slot.want, live slots: a nexthop handle (index + 1), a group handle
 * (index + 1) | W_GRP, W_BH or W_NONE */
#define W_NONE		0u
#define W_BH		0xffffffffu
#define W_GRP		0x40000000u
#define W_IS_GRP(w)	((w) != W_BH && ((w) & W_GRP) != 0)

#define ID_FAM(id)	((id) >> 31)
#define ID_IDX(id)	((id) & 0x7fffffffu)
#define ID_MAKE(f, i)	((uint32_t)(f) << 31 | (uint32_t)(i))

struct krt_slot {
	uint32_t	 inst;
	uint32_t	 want;
};

/* Nothing of ours is in the FIB for a live slot with this inst. */
static inline bool
inst_absent(uint32_t inst)
{
	return inst == I_NONE || inst == I_CONFLICT || inst == I_FAILED;
}

static inline bool
slot_dead(const struct krt_slot *s)
{
	return (s->inst & I_DEAD) != 0;
}

/* The IPv4 prefix (and its installed state) moves into the slot. */
static inline void
slot_dead_set(struct krt_slot *s, const struct prefix *pfx, uint32_t inst)
{
	uint32_t a;

	memcpy(&a, pfx->b, 4);
	s->want = a;
	s->inst = I_DEAD | (uint32_t)pfx->len << I_LENSHIFT | I_OBJ(inst);
}

static inline void
slot_dead_prefix(const struct krt_slot *s, struct prefix *pfx)
{
	uint32_t a = s->want;

	memset(pfx, 0, sizeof(*pfx));
	pfx->af = AF_INET;
	pfx->len = I_LEN(s->inst);
	memcpy(pfx->b, &a, 4);
}

static inline uint32_t
slot_dead_inst(const struct krt_slot *s)
{
	return I_OBJ(s->inst);
}

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
	struct addr		 gw;		/* key: the BGP next hop */
	uint32_t		 key_oif;	/* key: 0 = resolved by kernel */
	bool			 onlink;	/* key */
	/* as installed: via is gw itself, or the underlay's gateway
	 * towards it (recursive) */
	struct addr		 via;
	uint32_t		 oif;
	size_t			 refs;		/* routes that want it */
	size_t			 grefs;		/* wanted groups holding it */
	size_t			 hold;		/* group records holding it */
	size_t			 dropped;	/* routes left to its deletion */
	uint64_t		 lost_at;	/* ms: a route moved away from it */
	bool			 installed;
	/* cannot be installed: retried at retry_at (ms), backing off */
	bool			 failed;
	unsigned		 fails;
	uint64_t		 retry_at;
};

/*
 * A group object: the set of next hops of ECMP routes. Keyed by its
 * members (nexthop handles, sorted) and by `from`: routes leaving an
 * installed group G for a new set gather in a record keyed (set, G), so
 * that when all of them have left G, G is re-pointed in place to the new
 * set (one request) and the record takes G's id; routes coming to a set
 * from anywhere else share the record keyed (set, 0).
 */
struct krt_grp {
	RB_ENTRY(krt_grp)	 by_key;
	RB_ENTRY(krt_grp)	 by_id;
	uint32_t		 id;
	uint32_t		 handle;	/* index in grv + 1 */
	uint32_t		 from;		/* key: a group id, or 0 */
	uint32_t		 nmem;		/* key, with mem */
	uint32_t		 mem[KRT_ECMP_MAX]; /* nexthop handles, sorted */
	uint32_t		 inst_mask;	/* members in the object, as
						 * installed (bit per mem[]) */
	size_t			 refs;		/* routes that want it */
	size_t			 dropped;	/* routes left to its deletion */
	uint64_t		 lost_at;	/* ms: a route moved away */
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
RB_HEAD(krt_gkey, krt_grp);
RB_HEAD(krt_gid, krt_grp);
TAILQ_HEAD(krt_odirty, krt_orphan);

RB_PROTOTYPE(krt_otree, krt_orphan, tree, orphan_cmp)
RB_PROTOTYPE(krt_nkey, krt_nh, by_key, nkey_cmp)
RB_PROTOTYPE(krt_nid, krt_nh, by_id, nid_cmp)
RB_PROTOTYPE(krt_gkey, krt_grp, by_key, gkey_cmp)
RB_PROTOTYPE(krt_gid, krt_grp, by_id, gid_cmp)

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
	struct krt_gkey		 grp_key;
	struct krt_gid		 grp_id;
	struct krt_grp		**grv;		/* by handle - 1 */
	uint32_t		 grcap;
	struct krt_adopt	*adv;		/* found at start, sorted */
	size_t			 nad, adcap;
	size_t			 nadleft;	/* not taken yet */
	size_t			 adpos;		/* the sweep's cursor */
	bool			 adopting;	/* the start-up dump */
	uint32_t		*zombies;	/* retired object ids */
	size_t			 nzombies, zcap;
	uint32_t		*foreign_ids;	/* object ids another program
						 * holds (EEXIST): skipped */
	size_t			 nforeign, fcap;
	struct event		*ev_apply;
	struct event		*ev_move;	/* end of a move wait */
	struct event		*ev_retry;	/* next hop or route retry */
	struct event		*ev_underlay;	/* re-resolve next hops */
	uint32_t		 next_id;
	uint32_t		 next_plain;	/* the next id without object */
	uint32_t		 obj_min;	/* nh_object_min */
	size_t			 nwant;
	size_t			 norphans;
	/* refused routes: retried after a backoff doubling per failure */
	unsigned		 route_fails;
	uint64_t		 retry_due;	/* ms: ev_retry's expiry; 0 */
	uint64_t		 conflicts_total;
	bool			 conflicts_maybe;	/* since the last retry */
	struct log_ratelimit	 rl_conflict;
	bool			 underlay_dirty;
	/*
	 * The walks of every object (nh.c, grp.c) run only when they can
	 * find something: nh_check when an object may want installing,
	 * re-pointing or a move decided (one not installed is wanted, one
	 * lost routes, a retry or the move wait is due); nh_sweep when one
	 * may be unwanted (its last route went, a zombie). A route that
	 * comes through an installed object walks nothing: at 500 gateways
	 * the walks were most of a route's cost.
	 */
	bool			 nh_check;
	bool			 nh_sweep;
	bool			 synced;
	bool			 had_routes;
	bool			 resync;
	bool			 objects;	/* kernel has nexthop objects */
	bool			 frozen;	/* shutting down: hands off */
};

/* nh has an object in the kernel (else its routes carry its gateway). */
static inline bool
nh_obj(const struct krt *k, const struct krt_nh *nh)
{
	return k->objects && nh->id < KRT_PLAIN_MIN;
}

/* krt.c */
struct krt_slot	*krt_slot_at(struct krt *, uint32_t id, bool grow);
void		 krt_mark(struct krt *, uint32_t id);
void		 krt_mark_wanting(struct krt *, uint32_t want);
void		 krt_schedule(struct krt *);
struct krt_orphan *krt_orphan_find(struct krt *, const struct prefix *);
struct krt_orphan *krt_orphan_new(struct krt *, const struct prefix *,
		    uint32_t inst, bool adopted);
void		 krt_orphan_mark(struct krt *, struct krt_orphan *);
void		 krt_orphan_free(struct krt *, struct krt_orphan *);
void		 krt_route_remove(struct krt *, const struct prefix *,
		    uint32_t inst);
/* every live wanted slot not installed as wanted is dirty again */
void		 krt_mark_behind(struct krt *);
uint64_t	 krt_backoff_ms(const struct krt *, unsigned fails);
/* ev_retry fires at now + ms at the latest */
void		 krt_retry_at(struct krt *, uint64_t ms);

/* nh.c */
void		 krt_foreign_add(struct krt *, uint32_t id);
struct krt_nh	*krt_nh_by_id(struct krt *, uint32_t id);
struct krt_nh	*krt_nh_of_want(const struct krt *, uint32_t want);
struct krt_nh	*krt_nh_get(struct krt *, const struct addr *gw,
		    uint32_t key_oif, bool onlink, uint32_t id);
void		 krt_nh_free(struct krt *, struct krt_nh *);
uint32_t	 krt_nh_new_id(struct krt *);
void		 krt_nh_retire(struct krt *, struct krt_nh *);
void		 krt_nh_promote(struct krt *, struct krt_nh *);
void		 krt_zombie_add(struct krt *, uint32_t id);
bool		 krt_nh_doomed(const struct krt *, const struct krt_nh *);
/* install what is wanted: re-point, wait for moves, install, retry */
void		 krt_nh_install_wanted(struct krt *);
void		 krt_nh_sweep(struct krt *);
/* the underlay changed: next hops are resolved again (debounced) */
void		 krt_underlay_changed(struct krt *);
void		 krt_nh_underlay_cb(int, short, void *);
void		 krt_nh_move_cb(int, short, void *);
void		 krt_nh_retry_cb(int, short, void *);

/* grp.c */
struct krt_grp	*krt_grp_of_want(const struct krt *, uint32_t want);
struct krt_grp	*krt_grp_by_id(struct krt *, uint32_t id);
/* The want for a set of nexthop handles (sorted, distinct, 2 or more; or
 * one when leaving an installed group) by a route now wanting `cur`. */
uint32_t	 krt_grp_want(struct krt *, const uint32_t *mem, uint32_t n,
		    uint32_t cur);
void		 krt_grp_free(struct krt *, struct krt_grp *);
/* a route wants g / wants it no more */
void		 krt_grp_ref(struct krt *, struct krt_grp *);
void		 krt_grp_unref(struct krt *, struct krt_grp *);
bool		 krt_grp_doomed(const struct krt *, const struct krt_grp *);
/* re-point leavers' groups in place, install wanted groups, refresh the
 * members of installed ones; true while a move is still gathering */
bool		 krt_grp_install_wanted(struct krt *);
void		 krt_grp_sweep(struct krt *);
/* a dumped group object of ours (a re-read): true when it is known */
bool		 krt_grp_dumped(struct krt *, const struct nl_nexthop *);

/* sync.c */
extern const struct nl_ops krt_nl_ops;
uint32_t	 krt_inst_of(struct krt *, const struct nl_route *);
int		 krt_reconcile(struct krt *);
struct krt_adopt *krt_adopt_find(struct krt *, const struct prefix *);
void		 krt_adopt_sort(struct krt *);
size_t		 krt_adopt_sweep(struct krt *, size_t budget);

#endif
