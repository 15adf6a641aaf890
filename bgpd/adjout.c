/*
 * adjout.c: one peer's Adj-RIB-Out, with mark-then-build TX (BIRD
 * bgp_schedule_packet / bgp_fire_tx).
 *
 * Two parts, as BIRD 2 splits its export map from its prefix buckets:
 *
 * - Sent state: what the peer has, per prefix id (rib.h "Prefix ids") in
 *   a table per AF indexed by (id & ~RIB_ID_V6): one word a prefix, the
 *   interned attribute set sent (a reference held), with the RFC 7911 path
 *   id beside it (4 bytes, allocated only once a non-zero path id is
 *   sent). A prefix with more than one path sent (add-path) has instead a
 *   tagged pointer (low bit set) to a small array of (path id, attrs).
 *   The table is two-level, chunks of ADJ_CHUNK slots allocated on first
 *   use and freed when empty, so a peer sent few of many prefixes pays for
 *   the chunks it uses and growth never copies. Steady state: 8 bytes per
 *   prefix sent without add-path, 12 with one path per prefix.
 * - Pending: one record per (prefix id, path id) whose wanted state
 *   differs from the sent one, in a FIFO and a hash on the prefix id (all
 *   of a prefix's records share a bucket). A prefix changed several times
 *   before it is sent goes out once; a record is freed when sent or when
 *   it becomes a no-op (want == sent); the hash's buckets go with the last
 *   record.
 *
 * Best-path changes only *mark*; UPDATEs are encoded by adjout_build()
 * from the write path, as fast as the peer drains them, packing
 * consecutive queued prefixes that share an attribute set into one
 * message. A route refresh (adjout_refresh) is a cursor over the sent
 * table, not a copy of it into the queue (a full table refreshed costs no
 * memory): the cursor moves only while the queue is empty, sending every
 * announced path again as it stands, so what was queued at the refresh
 * (a pending withdrawal among it) goes first, as queued, and a change
 * that comes back to the sent state before the cursor gets there is still
 * sent by the cursor (old adjout: a "resend" flag on the entry). With
 * RFC 7313 the End-of-Route-Refresh follows.
 *
 * Prefix ids are reused once the rib ends a prefix. The rib ends one only
 * after best_changed(new NULL), which makes every path of it sent a
 * pending withdrawal; so when a set comes for an id whose records name
 * another prefix, those records are detached (kept in the FIFO, out of
 * the hash, self-contained withdrawals) and the id's slot is cleared for
 * the new prefix.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "session.h"
#include "xmalloc.h"

#define ADJ_ID_V6	0x80000000u	/* rib_impl.h RIB_ID_V6 */
#define ADJ_CHUNK_SHIFT	8	/* 256 slots: 2 KiB a chunk, so a peer sent a
				 * few hundred prefixes (a reflector's client) costs
				 * a few KiB, not 12 */
#define ADJ_CHUNK	(1u << ADJ_CHUNK_SHIFT)
#define ADJ_SPILL	((uintptr_t)1)	/* slot tag: struct adj_spill */

/* The paths sent for a prefix with more than one (or none, transiently). */
struct adj_spill {
	uint32_t		 n;
	uint32_t		 cap;
	struct adj_path {
		uint32_t		 id;
		const struct rib_attrs	*attrs;
	}			 p[];
};

struct adj_chunk {
	uint32_t		 used;		/* non-zero slots */
	uint32_t		*pid;		/* inline slots' path ids, or
						   NULL: all 0 */
	uintptr_t		 slot[ADJ_CHUNK]; /* 0, attrs, spill|1 */
};

struct adj_tab {
	struct adj_chunk	**dir;
	uint32_t		 ndir;
};

struct adj_pend {
	TAILQ_ENTRY(adj_pend)	 fifo;
	struct adj_pend		*hnext;		/* hash chain */
	struct prefix		 pfx;
	uint32_t		 pfx_id;
	uint32_t		 path_id;	/* RFC 7911, 0 without */
	const struct rib_attrs	*want;		/* NULL: withdraw */
	bool			 detached;	/* id reused: out of the hash */
};

TAILQ_HEAD(adj_fifo, adj_pend);

struct adjout {
	struct bgp_peer		*peer;
	struct adj_tab		 tab[2];	/* IPv4, IPv6 ids */
	struct adj_fifo		 fifo;
	struct adj_pend		**bucket;	/* NULL while nothing hashed */
	uint32_t		 nbucket;	/* a power of 2 */
	size_t			 nhashed;
	size_t			 nsent;		/* paths announced */
	/* route refresh cursor: next (prefix id, path index) to resend */
	bool			 refreshing;
	uint32_t		 rcur;
	uint32_t		 rpath;
	bool			 eor_pending;
	bool			 eorr_pending;	/* RFC 7313 End-of-RR */
};

/* ---- sent state ---- */

static struct adj_chunk *
chunk_at(const struct adjout *ao, uint32_t id, uint32_t *slot)
{
	const struct adj_tab *t = &ao->tab[(id & ADJ_ID_V6) != 0];
	uint32_t i = id & ~ADJ_ID_V6;

	*slot = i & (ADJ_CHUNK - 1);
	if ((i >> ADJ_CHUNK_SHIFT) >= t->ndir)
		return NULL;
	return t->dir[i >> ADJ_CHUNK_SHIFT];
}

static struct adj_chunk *
chunk_get(struct adjout *ao, uint32_t id, uint32_t *slot)
{
	struct adj_tab *t = &ao->tab[(id & ADJ_ID_V6) != 0];
	uint32_t d = (id & ~ADJ_ID_V6) >> ADJ_CHUNK_SHIFT;
	uint32_t n;

	*slot = id & (ADJ_CHUNK - 1);
	if (d >= t->ndir) {
		for (n = t->ndir ? t->ndir : 16; n <= d; n *= 2)
			;
		t->dir = xreallocarray(t->dir, n, sizeof(*t->dir));
		memset(t->dir + t->ndir, 0, (n - t->ndir) * sizeof(*t->dir));
		t->ndir = n;
	}
	if (t->dir[d] == NULL)
		t->dir[d] = xcalloc(1, sizeof(*t->dir[d]));
	return t->dir[d];
}

static void
chunk_put(struct adjout *ao, uint32_t id, struct adj_chunk *c)
{
	struct adj_tab *t = &ao->tab[(id & ADJ_ID_V6) != 0];

	if (c->used > 0)
		return;
	t->dir[(id & ~ADJ_ID_V6) >> ADJ_CHUNK_SHIFT] = NULL;
	free(c->pid);
	free(c);
}

static struct adj_spill *
spill_of(uintptr_t s)
{
	return (struct adj_spill *)(s & ~ADJ_SPILL);
}

/* Paths sent for id: how many, and the k-th. */
static uint32_t
sent_npaths(const struct adjout *ao, uint32_t id)
{
	uint32_t i;
	const struct adj_chunk *c = chunk_at(ao, id, &i);

	if (c == NULL || c->slot[i] == 0)
		return 0;
	return c->slot[i] & ADJ_SPILL ? spill_of(c->slot[i])->n : 1;
}

static const struct rib_attrs *
sent_path(const struct adjout *ao, uint32_t id, uint32_t k, uint32_t *pid)
{
	uint32_t i;
	const struct adj_chunk *c = chunk_at(ao, id, &i);
	const struct adj_spill *sp;

	if (c->slot[i] & ADJ_SPILL) {
		sp = spill_of(c->slot[i]);
		*pid = sp->p[k].id;
		return sp->p[k].attrs;
	}
	*pid = c->pid ? c->pid[i] : 0;
	return (const struct rib_attrs *)c->slot[i];
}

/* What was sent for (id, pid), or NULL. */
static const struct rib_attrs *
sent_get(const struct adjout *ao, uint32_t id, uint32_t pid)
{
	uint32_t p, n = sent_npaths(ao, id);

	for (uint32_t k = 0; k < n; k++) {
		const struct rib_attrs *a = sent_path(ao, id, k, &p);

		if (p == pid)
			return a;
	}
	return NULL;
}

/* Make slot i of c the single path (pid, a), a already referenced. */
static void
slot_inline(struct adj_chunk *c, uint32_t i, uint32_t pid,
    const struct rib_attrs *a)
{
	if (pid != 0 && c->pid == NULL)
		c->pid = xcalloc(ADJ_CHUNK, sizeof(*c->pid));
	if (c->pid != NULL)
		c->pid[i] = pid;
	c->slot[i] = (uintptr_t)a;
}

static void
spill_put(struct adj_chunk *c, uint32_t i, uint32_t pid,
    const struct rib_attrs *a, struct rib *rib)
{
	struct adj_spill *sp = spill_of(c->slot[i]);
	uint32_t k;

	for (k = 0; k < sp->n && sp->p[k].id != pid; k++)
		;
	if (k < sp->n) {
		rib_attrs_unref(rib, sp->p[k].attrs);
		if (a != NULL) {
			sp->p[k].attrs = a;
			return;
		}
		sp->p[k] = sp->p[--sp->n];
		if (sp->n == 1) {
			slot_inline(c, i, sp->p[0].id, sp->p[0].attrs);
			free(sp);
		}
		return;
	}
	if (a == NULL)
		return;
	if (sp->n == sp->cap) {
		sp->cap *= 2;
		sp = xreallocarray(sp, 1, sizeof(*sp) +
		    sp->cap * sizeof(sp->p[0]));
		c->slot[i] = (uintptr_t)sp | ADJ_SPILL;
	}
	sp->p[sp->n].id = pid;
	sp->p[sp->n++].attrs = a;
}

/* (id, pid) was sent as a (NULL: withdrawn): record it. */
static void
sent_set(struct adjout *ao, uint32_t id, uint32_t pid,
    const struct rib_attrs *a)
{
	struct rib *rib = ao->peer->bgpd->rib;
	struct adj_chunk *c;
	struct adj_spill *sp;
	uint32_t i, opid;

	if (a == NULL && (c = chunk_at(ao, id, &i)) == NULL)
		return;
	c = chunk_get(ao, id, &i);
	if (a != NULL)
		a = rib_attrs_ref(a);
	if (c->slot[i] == 0) {
		if (a != NULL) {
			slot_inline(c, i, pid, a);
			c->used++;
		}
	} else if (c->slot[i] & ADJ_SPILL) {
		spill_put(c, i, pid, a, rib);
	} else if ((opid = c->pid ? c->pid[i] : 0) == pid) {
		rib_attrs_unref(rib, (const struct rib_attrs *)c->slot[i]);
		c->slot[i] = (uintptr_t)a;
		if (a == NULL)
			c->used--;
	} else if (a != NULL) {
		/* a second path: spill */
		sp = xmalloc(sizeof(*sp) + 4 * sizeof(sp->p[0]));
		sp->cap = 4;
		sp->n = 2;
		sp->p[0].id = opid;
		sp->p[0].attrs = (const struct rib_attrs *)c->slot[i];
		sp->p[1].id = pid;
		sp->p[1].attrs = a;
		c->slot[i] = (uintptr_t)sp | ADJ_SPILL;
	}
	chunk_put(ao, id, c);
}

/* Forget everything sent for id (its prefix is gone; see detach). */
static void
sent_clear(struct adjout *ao, uint32_t id)
{
	uint32_t pid;

	while (sent_npaths(ao, id) > 0) {
		(void)sent_path(ao, id, 0, &pid);
		sent_set(ao, id, pid, NULL);
	}
}

/* ---- pending records ---- */

static uint32_t
hash_id(const struct adjout *ao, uint32_t id)
{
	uint32_t h = id * 0x9e3779b1u;

	return (h ^ (h >> 16)) & (ao->nbucket - 1);
}

static void
hash_grow(struct adjout *ao)
{
	struct adj_pend **old = ao->bucket, *r, *next;
	uint32_t n = ao->nbucket;

	ao->nbucket = n ? n * 2 : 64;
	ao->bucket = xcalloc(ao->nbucket, sizeof(*ao->bucket));
	for (uint32_t b = 0; b < n; b++)
		for (r = old[b]; r != NULL; r = next) {
			uint32_t h = hash_id(ao, r->pfx_id);

			next = r->hnext;
			r->hnext = ao->bucket[h];
			ao->bucket[h] = r;
		}
	free(old);
}

static struct adj_pend *
pend_first(const struct adjout *ao, uint32_t id)
{
	return ao->bucket ? ao->bucket[hash_id(ao, id)] : NULL;
}

static struct adj_pend *
pend_find(const struct adjout *ao, uint32_t id, uint32_t pid)
{
	struct adj_pend *r;

	for (r = pend_first(ao, id); r != NULL; r = r->hnext)
		if (r->pfx_id == id && r->path_id == pid)
			return r;
	return NULL;
}

static void
unhash(struct adjout *ao, struct adj_pend *r)
{
	struct adj_pend **pp = &ao->bucket[hash_id(ao, r->pfx_id)];

	while (*pp != r)
		pp = &(*pp)->hnext;
	*pp = r->hnext;
	r->detached = true;
	if (--ao->nhashed == 0) {
		free(ao->bucket);	/* pending state is transient */
		ao->bucket = NULL;
		ao->nbucket = 0;
	}
}

static struct adj_pend *
pend_new(struct adjout *ao, const struct prefix *pfx, uint32_t id,
    uint32_t pid, const struct rib_attrs *want)
{
	struct adj_pend *r = xcalloc(1, sizeof(*r));
	uint32_t h;

	r->pfx = *pfx;
	r->pfx_id = id;
	r->path_id = pid;
	r->want = want ? rib_attrs_ref(want) : NULL;
	if (ao->nhashed >= ao->nbucket)
		hash_grow(ao);
	h = hash_id(ao, id);
	r->hnext = ao->bucket[h];
	ao->bucket[h] = r;
	ao->nhashed++;
	TAILQ_INSERT_TAIL(&ao->fifo, r, fifo);
	return r;
}

static void
pend_free(struct adjout *ao, struct adj_pend *r)
{
	TAILQ_REMOVE(&ao->fifo, r, fifo);
	if (!r->detached)
		unhash(ao, r);
	if (r->want)
		rib_attrs_unref(ao->peer->bgpd->rib, r->want);
	free(r);
}

/* r should now send want: false when that made it a no-op (freed). */
static bool
pend_want(struct adjout *ao, struct adj_pend *r, const struct rib_attrs *want)
{
	if (want != NULL)
		want = rib_attrs_ref(want);
	if (r->want != NULL)
		rib_attrs_unref(ao->peer->bgpd->rib, r->want);
	r->want = want;
	if (want == sent_get(ao, r->pfx_id, r->path_id)) {
		pend_free(ao, r);
		return false;
	}
	return true;
}

/*
 * id was another prefix's (old), ended in the rib and reused: every path
 * of old sent becomes a detached withdrawal, its records not sent are
 * dropped, and id's slot is left empty.
 */
static void
detach(struct adjout *ao, uint32_t id, const struct prefix *old)
{
	struct adj_pend *r, *next;
	struct prefix pfx = *old;
	uint32_t pid;

	for (uint32_t k = 0; k < sent_npaths(ao, id); k++) {
		(void)sent_path(ao, id, k, &pid);
		if (pend_find(ao, id, pid) == NULL)
			pend_new(ao, &pfx, id, pid, NULL);
	}
	for (r = pend_first(ao, id); r != NULL; r = next) {
		next = r->hnext;
		if (r->pfx_id != id)
			continue;
		if (sent_get(ao, id, r->path_id) == NULL) {
			pend_free(ao, r);
			continue;
		}
		if (r->want != NULL)
			rib_attrs_unref(ao->peer->bgpd->rib, r->want);
		r->want = NULL;
		unhash(ao, r);
	}
	sent_clear(ao, id);
}

/* ---- the API ---- */

struct adjout *
adjout_new(struct bgp_peer *peer)
{
	struct adjout *ao = xcalloc(1, sizeof(*ao));

	ao->peer = peer;
	TAILQ_INIT(&ao->fifo);
	return ao;
}

void
adjout_free(struct adjout *ao)
{
	struct rib *rib;
	struct adj_pend *r;

	if (ao == NULL)
		return;
	rib = ao->peer->bgpd->rib;
	while ((r = TAILQ_FIRST(&ao->fifo)) != NULL)
		pend_free(ao, r);
	for (int f = 0; f < 2; f++) {
		struct adj_tab *t = &ao->tab[f];

		for (uint32_t d = 0; d < t->ndir; d++) {
			struct adj_chunk *c = t->dir[d];

			for (uint32_t i = 0; c != NULL && i < ADJ_CHUNK; i++) {
				struct adj_spill *sp = spill_of(c->slot[i]);

				if (!(c->slot[i] & ADJ_SPILL)) {
					if (c->slot[i] != 0)
						rib_attrs_unref(rib, (const
						    struct rib_attrs *)c->slot[i]);
					continue;
				}
				for (uint32_t k = 0; k < sp->n; k++)
					rib_attrs_unref(rib, sp->p[k].attrs);
				free(sp);
			}
			if (c != NULL)
				free(c->pid);
			free(c);
		}
		free(t->dir);
	}
	free(ao);
}

size_t
adjout_count(const struct adjout *ao)
{
	return ao->nsent;
}

void
adjout_queue_eor(struct adjout *ao)
{
	ao->eor_pending = true;
}

/*
 * RFC 2918: send the whole Adj-RIB-Out again, from a cursor over the sent
 * table (a refresh already under way starts over). Pending records stay as
 * they are. With RFC 7313 (eorr) the End-of-Route-Refresh follows once
 * the queue is empty and the cursor done.
 */
void
adjout_refresh(struct adjout *ao, bool eorr)
{
	ao->refreshing = true;
	ao->rcur = 0;
	ao->rpath = 0;
	if (eorr)
		ao->eorr_pending = true;
}

static bool
id_in(uint32_t id, const uint32_t *ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/*
 * pfx's paths are now exactly (ids[i], attrs[i]), i < n: those paths are
 * marked, every other path of pfx sent or queued is marked withdrawn.
 * Cost: O(records in pfx_id's bucket + paths of pfx x n).
 */
bool
adjout_set(struct adjout *ao, const struct prefix *pfx, uint32_t pfx_id,
    const uint32_t *ids, const struct rib_attrs *const *attrs, size_t n)
{
	struct adj_pend *r, *next;
	const struct rib_attrs *a;
	bool queued = false;
	uint32_t pid;

	for (r = pend_first(ao, pfx_id); r != NULL; r = r->hnext)
		if (r->pfx_id == pfx_id && prefix_cmp(&r->pfx, pfx) != 0) {
			detach(ao, pfx_id, &r->pfx);
			break;
		}
	for (r = pend_first(ao, pfx_id); r != NULL; r = next) {
		next = r->hnext;
		if (r->pfx_id == pfx_id && !id_in(r->path_id, ids, n))
			queued |= pend_want(ao, r, NULL);
	}
	for (uint32_t k = 0; k < sent_npaths(ao, pfx_id); k++) {
		(void)sent_path(ao, pfx_id, k, &pid);
		if (!id_in(pid, ids, n) && pend_find(ao, pfx_id, pid) == NULL) {
			pend_new(ao, pfx, pfx_id, pid, NULL);
			queued = true;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if ((r = pend_find(ao, pfx_id, ids[i])) != NULL)
			queued |= pend_want(ao, r, attrs[i]);
		else if ((a = sent_get(ao, pfx_id, ids[i])) != attrs[i]) {
			pend_new(ao, pfx, pfx_id, ids[i], attrs[i]);
			queued = true;
		}
	}
	return queued;
}

/* ---- building UPDATEs ---- */

/* r went out as r->want: make it the sent state. */
static void
pend_sent(struct adjout *ao, struct adj_pend *r)
{
	/* a detached record is the withdrawal of a path announced */
	bool was = r->detached || sent_get(ao, r->pfx_id, r->path_id) != NULL;

	if (!r->detached)
		sent_set(ao, r->pfx_id, r->path_id, r->want);
	if (!was && r->want != NULL)
		ao->nsent++;
	else if (was && r->want == NULL)
		ao->nsent--;
	pend_free(ao, r);
}

static enum bgp_af
pfx_af(const struct prefix *p)
{
	return p->af == AF_INET6 ? BGP_AF_IPV6 : BGP_AF_IPV4;
}

static enum bgp_af
id_af(uint32_t id)
{
	return id & ADJ_ID_V6 ? BGP_AF_IPV6 : BGP_AF_IPV4;
}

/* One UPDATE from the head of the queue. */
static void
build_queued(struct adjout *ao, struct bgp_conn *c, uint8_t *buf, size_t cap)
{
	struct bgp_peer *peer = ao->peer;
	struct adj_pend *r = TAILQ_FIRST(&ao->fifo), *next;
	const struct rib_attrs *a = r->want;
	enum bgp_af af = pfx_af(&r->pfx);
	struct bgp_upd_builder b;
	struct wbuf w;

	wbuf_init(&w, buf, cap);
	if (a == NULL)
		bgp_upd_begin_withdraw(&b, &w, &peer->ctx, af);
	else
		bgp_upd_begin_reach(&b, &w, &peer->ctx, af, a, &a->nexthop);
	while (r != NULL && r->want == a && pfx_af(&r->pfx) == af) {
		if (bgp_upd_add(&b, &r->pfx, r->path_id) == -1)
			break;
		next = TAILQ_NEXT(r, fifo);
		pend_sent(ao, r);
		r = next;
	}
	if (bgp_upd_finish(&b) == -1 || b.count == 0) {
		/* attributes too large for one message: never sendable */
		log_peer(peer, LOG_LVL_WARNING, "cannot encode an UPDATE for "
		    "one prefix; not announcing it");
		if ((r = TAILQ_FIRST(&ao->fifo)) != NULL)
			pend_sent(ao, r);
		return;
	}
	bgp_conn_send(c, buf, w.len);
}

/*
 * The refresh cursor's path (id, pid, attrs), past empty slots; false
 * when the walk is over. It moves only while the queue is empty, so it
 * never meets a path with a pending record.
 */
static bool
refresh_peek(struct adjout *ao, uint32_t *id, uint32_t *pid,
    const struct rib_attrs **a)
{
	uint32_t d;

	while (ao->refreshing) {
		const struct adj_tab *t = &ao->tab[(ao->rcur & ADJ_ID_V6) != 0];

		d = (ao->rcur & ~ADJ_ID_V6) >> ADJ_CHUNK_SHIFT;
		if (d >= t->ndir) {
			if (ao->rcur & ADJ_ID_V6)
				ao->refreshing = false;
			ao->rcur = ADJ_ID_V6;
			ao->rpath = 0;
			continue;
		}
		if (t->dir[d] == NULL) {	/* a whole empty chunk */
			ao->rcur = (ao->rcur & ADJ_ID_V6) |
			    (d + 1) << ADJ_CHUNK_SHIFT;
			ao->rpath = 0;
			continue;
		}
		if (ao->rpath >= sent_npaths(ao, ao->rcur)) {
			ao->rcur++;
			ao->rpath = 0;
			continue;
		}
		*a = sent_path(ao, ao->rcur, ao->rpath, pid);
		*id = ao->rcur;
		return true;
	}
	return false;
}

/* One UPDATE from the refresh cursor; false when it is done. */
static bool
build_refresh(struct adjout *ao, struct bgp_conn *c, uint8_t *buf,
    size_t cap)
{
	struct bgp_peer *peer = ao->peer;
	const struct rib_attrs *a, *first;
	struct bgp_upd_builder b;
	struct prefix pfx;
	uint32_t id, pid;
	struct wbuf w;
	enum bgp_af af;

	if (!refresh_peek(ao, &id, &pid, &first))
		return false;
	af = id_af(id);
	wbuf_init(&w, buf, cap);
	bgp_upd_begin_reach(&b, &w, &peer->ctx, af, first, &first->nexthop);
	do {
		if (!rib_id_prefix(peer->bgpd->rib, id, &pfx)) {
			ao->rpath++;	/* not in the rib: cannot be */
			continue;
		}
		if (bgp_upd_add(&b, &pfx, pid) == -1) {
			if (b.count == 0) {	/* never fits: skipped */
				log_peer(peer, LOG_LVL_WARNING, "cannot "
				    "encode an UPDATE for one prefix; not "
				    "announcing it again");
				ao->rpath++;
			}
			break;
		}
		ao->rpath++;
	} while (refresh_peek(ao, &id, &pid, &a) && a == first &&
	    id_af(id) == af);
	if (b.count > 0 && bgp_upd_finish(&b) == 0)
		bgp_conn_send(c, buf, w.len);
	return true;
}

bool
adjout_build(struct adjout *ao, struct bgp_conn *c)
{
	uint8_t buf[BGP_MAX_EXT_MSG];
	size_t cap = ao->peer->ctx.maxlen;
	struct wbuf w;
	enum bgp_af af;

	while (evbuffer_get_length(c->out) < BGP_OUT_HIGH_WATER) {
		if (!TAILQ_EMPTY(&ao->fifo)) {
			build_queued(ao, c, buf, cap);
			continue;
		}
		if (build_refresh(ao, c, buf, cap))
			continue;
		af = ao->peer->conf.addr.af == AF_INET6 ?
		    BGP_AF_IPV6 : BGP_AF_IPV4;
		if (ao->eor_pending) {
			ao->eor_pending = false;
			wbuf_init(&w, buf, sizeof(buf));
			bgp_eor_encode(&w, af);
			if (!w.err)
				bgp_conn_send(c, buf, w.len);
		}
		if (ao->eorr_pending) {
			ao->eorr_pending = false;
			bgp_peer_send_rrefresh(ao->peer, BGP_RR_EORR);
		}
		return false;
	}
	return true;
}
