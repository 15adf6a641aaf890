/*
 * adjout.c: one peer's Adj-RIB-Out, with mark-then-build TX (BIRD
 * bgp_schedule_packet / bgp_fire_tx).
 *
 * Three parts, none of which holds what a pending announcement will carry:
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
 * - Marks: one bit per prefix id, "what the peer should have for this
 *   prefix may have changed" (a bitmap per AF in blocks of ADJ_MBLK ids,
 *   allocated on first mark and freed when empty). A best-path change only
 *   sets the bit (adjout_mark); a prefix changed many times before it is
 *   built costs that bit and goes out once, as it stands then, and a
 *   change that comes back to what was sent sends nothing. adjout_build()
 *   sweeps the bits in id order, a cursor going round, asks the export
 *   policy (import.c: the want function given to adjout_new) what the
 *   peer should have now, and stages the difference from the sent state
 *   (the paths to withdraw, then those to announce) for the UPDATEs.
 * - Withdrawals of ended prefixes: the rib ends a prefix only after
 *   best_changed(new NULL), and may then give its id to another prefix, so
 *   its bytes can no longer be asked for. adjout_end() therefore turns each
 *   of its paths sent into a withdrawal record that holds the prefix (a
 *   queue of byte records in chunks: 5 bytes for an IPv4 /24, 9 with a
 *   path id) and clears the id's slot for whatever prefix gets it next; a
 *   prefix never sent costs nothing there. The queue goes out before any
 *   mark is looked at, so a prefix that ended and came back is withdrawn
 *   before it is announced again. Our implementation: that is a withdrawal
 *   and an announcement where the per-prefix records of old coalesced the
 *   two (the price of keeping none).
 *
 * Why a bitmap rather than a FIFO of ids (deduplicated by a bitmap): 1 bit
 * a prefix a peer while pending instead of 4 bytes and a bit, and no order
 * to keep. Ids are given in arrival order (slab indices), so a table from
 * one peer, whose prefixes share a few attribute sets, comes out of the id
 * sweep as adjacent as out of a FIFO: consecutive staged paths with one
 * attribute set still share an UPDATE (bench/adjout_bench.c: 100,000
 * prefixes of one set, 125 UPDATEs before and after).
 *
 * A route refresh (adjout_refresh) is a cursor over the sent table, not a
 * copy of it into the queue (a full table refreshed costs no memory): the
 * cursor moves only while nothing is queued, staged or marked, sending
 * every announced path again as it stands, so what was pending at the
 * refresh (a withdrawal among it) goes first, and a change that comes back
 * to the sent state before the cursor gets there is still sent by the
 * cursor. With RFC 7313 the End-of-Route-Refresh follows.
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
#define ADJ_MBLK_SHIFT	12	/* 4096 ids: a mark block is 520 bytes */
#define ADJ_MBLK	(1u << ADJ_MBLK_SHIFT)
#define ADJ_MWORDS	(ADJ_MBLK / 64)
#define ADJ_WQ_BYTES	4072	/* a withdrawal chunk's records */
#define ADJ_WQ_MAXREC	22	/* flags, path id, length, 16 bytes */
#define ADJ_WQ_V6	0x01	/* record flags: an IPv6 prefix */
#define ADJ_WQ_PID	0x02	/* a path id follows */
#define ADJ_STAGE_MAX	(2 * BGP_ADDPATH_TX_MAX)
#define ADJ_STAGE_INL	2	/* a withdrawal and an announcement */

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

/* Marks of ADJ_MBLK consecutive ids. */
struct adj_mblk {
	uint32_t		 n;		/* bits set */
	uint64_t		 w[ADJ_MWORDS];
};

struct adj_marks {
	struct adj_mblk		**dir;
	uint32_t		 ndir;
};

/*
 * Withdrawal records, back to back: flags (ADJ_WQ_*), the path id when
 * not 0 (4 bytes, host order), the prefix length, its significant bytes.
 * A record never straddles chunks.
 */
struct adj_wchunk {
	struct adj_wchunk	*next;
	uint32_t		 rd, wr;
	uint8_t			 b[ADJ_WQ_BYTES];
};

struct adj_wq {
	struct adj_wchunk	*head, *tail;
	size_t			 n;		/* records */
};

/* A path of the staged prefix to send: a NULL withdraws it. */
struct adj_item {
	uint32_t		 pid;
	const struct rib_attrs	*a;		/* referenced */
};

/*
 * The prefix being sent: the difference between what the peer should have
 * (want) and what it has, items k..n-1 still to go. At most 64 paths are
 * sent for a prefix (BGP_ADDPATH_TX_MAX), so at most 64 withdrawals and
 * 64 announcements.
 */
struct adj_stage {
	uint32_t		 id;
	uint32_t		 k, n;
	struct prefix		 pfx;
	/* inl, or (the first time a prefix needs more: add-path) a heap
	 * array of ADJ_STAGE_MAX kept until adjout_free: 2 KiB for every
	 * peer otherwise, 1 MiB of a reflector's 500 clients */
	struct adj_item		*it;
	struct adj_item		 inl[ADJ_STAGE_INL];
};

struct adjout {
	struct bgp_peer		*peer;
	bool			(*want)(struct bgp_peer *, uint32_t,
				    struct adjout_want *);
	struct adj_tab		 tab[2];	/* sent: IPv4, IPv6 ids */
	struct adj_marks	 marks[2];
	size_t			 nmarked;
	uint32_t		 mcur;		/* the sweep's cursor (an id) */
	struct adj_wq		 wq;
	struct adj_stage	 stage;
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

/* (id, pid) was sent as a (NULL: withdrawn): record it, taking over the
 * caller's reference on a. */
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

/* Forget everything sent for id (its prefix ended: adjout_end). */
static void
sent_clear(struct adjout *ao, uint32_t id)
{
	uint32_t pid;

	while (sent_npaths(ao, id) > 0) {
		(void)sent_path(ao, id, 0, &pid);
		sent_set(ao, id, pid, NULL);
	}
}

/* ---- marks ---- */

static struct adj_mblk *
mblk_at(const struct adjout *ao, uint32_t id)
{
	const struct adj_marks *m = &ao->marks[(id & ADJ_ID_V6) != 0];
	uint32_t d = (id & ~ADJ_ID_V6) >> ADJ_MBLK_SHIFT;

	return d < m->ndir ? m->dir[d] : NULL;
}

static uint64_t
mbit(uint32_t id)
{
	return (uint64_t)1 << (id & 63);
}

static uint32_t
mword(uint32_t id)
{
	return (id & (ADJ_MBLK - 1)) >> 6;
}

/* Mark id; false when it was marked already. */
static bool
mark_set(struct adjout *ao, uint32_t id)
{
	struct adj_marks *m = &ao->marks[(id & ADJ_ID_V6) != 0];
	uint32_t d = (id & ~ADJ_ID_V6) >> ADJ_MBLK_SHIFT, n;
	struct adj_mblk *b;

	if (d >= m->ndir) {
		for (n = m->ndir ? m->ndir : 16; n <= d; n *= 2)
			;
		m->dir = xreallocarray(m->dir, n, sizeof(*m->dir));
		memset(m->dir + m->ndir, 0, (n - m->ndir) * sizeof(*m->dir));
		m->ndir = n;
	}
	if ((b = m->dir[d]) == NULL)
		b = m->dir[d] = xcalloc(1, sizeof(*b));
	if (b->w[mword(id)] & mbit(id))
		return false;
	b->w[mword(id)] |= mbit(id);
	b->n++;
	ao->nmarked++;
	return true;
}

static void
mark_clear(struct adjout *ao, uint32_t id)
{
	struct adj_mblk *b = mblk_at(ao, id);

	if (b == NULL || !(b->w[mword(id)] & mbit(id)))
		return;
	b->w[mword(id)] &= ~mbit(id);
	ao->nmarked--;
	if (--b->n == 0) {
		ao->marks[(id & ADJ_ID_V6) != 0].dir[(id & ~ADJ_ID_V6) >>
		    ADJ_MBLK_SHIFT] = NULL;
		free(b);
	}
}

/* The first marked id at or after *id in *id's table; false: none. */
static bool
mark_scan(const struct adjout *ao, uint32_t *id)
{
	const struct adj_marks *m = &ao->marks[(*id & ADJ_ID_V6) != 0];
	uint32_t v6 = *id & ADJ_ID_V6, d = (*id & ~ADJ_ID_V6) >> ADJ_MBLK_SHIFT;
	uint32_t k = mword(*id);
	uint64_t from = ~(mbit(*id) - 1), w;

	for (; d < m->ndir; d++, k = 0, from = ~(uint64_t)0) {
		const struct adj_mblk *b = m->dir[d];

		for (; b != NULL && k < ADJ_MWORDS; k++, from = ~(uint64_t)0) {
			if ((w = b->w[k] & from) == 0)
				continue;
			*id = v6 | d << ADJ_MBLK_SHIFT | k << 6 |
			    (uint32_t)__builtin_ctzll(w);
			return true;
		}
	}
	return false;
}

/*
 * The next marked id from the sweep's cursor on (IPv4 ids, then IPv6,
 * then round again); false when none is marked.
 */
static bool
mark_next(struct adjout *ao, uint32_t *id)
{
	uint32_t at = ao->mcur;

	if (ao->nmarked == 0)
		return false;
	for (int round = 0; round < 3; round++) {	/* rest, other, all */
		if (mark_scan(ao, &at)) {
			*id = ao->mcur = at;
			return true;
		}
		at = at & ADJ_ID_V6 ? 0 : ADJ_ID_V6;
	}
	return false;	/* not reached: nmarked counts the bits */
}

static void
marks_free(struct adj_marks *m)
{
	for (uint32_t d = 0; d < m->ndir; d++)
		free(m->dir[d]);
	free(m->dir);
}

/* ---- withdrawals of ended prefixes ---- */

static void
wq_push(struct adjout *ao, const struct prefix *pfx, uint32_t pid)
{
	struct adj_wq *q = &ao->wq;
	struct adj_wchunk *c = q->tail;
	uint8_t *p;

	if (c == NULL || c->wr + ADJ_WQ_MAXREC > ADJ_WQ_BYTES) {
		c = xmalloc(sizeof(*c));
		c->next = NULL;
		c->rd = c->wr = 0;
		if (q->tail != NULL)
			q->tail->next = c;
		else
			q->head = c;
		q->tail = c;
	}
	p = c->b + c->wr;
	*p++ = (uint8_t)((pfx->af == AF_INET6 ? ADJ_WQ_V6 : 0) |
	    (pid != 0 ? ADJ_WQ_PID : 0));
	if (pid != 0) {
		memcpy(p, &pid, sizeof(pid));
		p += sizeof(pid);
	}
	*p++ = pfx->len;
	memcpy(p, pfx->b, (pfx->len + 7u) / 8);
	p += (pfx->len + 7u) / 8;
	c->wr = (uint32_t)(p - c->b);
	q->n++;
}

/* The first record: its prefix and path id; returns its size. */
static uint32_t
wq_peek(const struct adjout *ao, struct prefix *pfx, uint32_t *pid)
{
	const struct adj_wchunk *c = ao->wq.head;
	const uint8_t *s = c->b + c->rd, *p = s + 1;

	memset(pfx, 0, sizeof(*pfx));
	pfx->af = *s & ADJ_WQ_V6 ? AF_INET6 : AF_INET;
	*pid = 0;
	if (*s & ADJ_WQ_PID) {
		memcpy(pid, p, sizeof(*pid));
		p += sizeof(*pid);
	}
	pfx->len = *p++;
	memcpy(pfx->b, p, (pfx->len + 7u) / 8);
	p += (pfx->len + 7u) / 8;
	return (uint32_t)(p - s);
}

static void
wq_pop(struct adjout *ao, uint32_t size)
{
	struct adj_wchunk *c = ao->wq.head;

	ao->wq.n--;
	if ((c->rd += size) < c->wr)
		return;
	ao->wq.head = c->next;
	if (c == ao->wq.tail)
		ao->wq.tail = NULL;
	free(c);
}

/* ---- the stage: the prefix being sent ---- */

static bool
staged(const struct adjout *ao, uint32_t id)
{
	return ao->stage.k < ao->stage.n && ao->stage.id == id;
}

/* Forget what is left to send of the staged prefix (it changed again). */
static void
stage_drop(struct adjout *ao)
{
	struct adj_stage *s = &ao->stage;

	for (; s->k < s->n; s->k++)
		if (s->it[s->k].a != NULL)
			rib_attrs_unref(ao->peer->bgpd->rib, s->it[s->k].a);
	s->k = s->n = 0;
}

static bool
want_has(const struct adjout_want *w, uint32_t pid)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->ids[i] == pid)
			return true;
	return false;
}

static void
stage_add(struct adjout *ao, uint32_t pid, const struct rib_attrs *a)
{
	struct adj_stage *s = &ao->stage;

	if (s->n == ADJ_STAGE_MAX) {	/* cannot be: sent <= want <= 64 */
		if (a != NULL)
			rib_attrs_unref(ao->peer->bgpd->rib, a);
		return;
	}
	if (s->n == ADJ_STAGE_INL && s->it == s->inl) {
		s->it = xreallocarray(NULL, ADJ_STAGE_MAX, sizeof(*s->it));
		memcpy(s->it, s->inl, sizeof(s->inl));
	}
	s->it[s->n].pid = pid;
	s->it[s->n++].a = a;
}

/*
 * Ask what the peer should have for id now and stage how that differs
 * from what it has: every path sent and no longer wanted is withdrawn,
 * every path wanted and not sent as such is announced. False: no
 * difference, nothing staged.
 */
static bool
stage_id(struct adjout *ao, uint32_t id)
{
	struct rib *rib = ao->peer->bgpd->rib;
	struct adj_stage *s = &ao->stage;
	struct adjout_want w;
	uint32_t pid, nold = sent_npaths(ao, id);
	bool live;

	w.n = 0;
	live = ao->want(ao->peer, id, &w);
	s->k = s->n = 0;
	if (!live) {
		if (nold == 0)
			return false;
		/* its end was never told (adjout_end): nothing to withdraw
		 * it by */
		log_peer(ao->peer, LOG_LVL_WARNING, "prefix id %u ended "
		    "without adjout_end: %u paths sent for it forgotten", id,
		    nold);
		ao->nsent -= nold;
		sent_clear(ao, id);
		return false;
	}
	for (uint32_t k = 0; k < nold; k++) {
		(void)sent_path(ao, id, k, &pid);
		if (!want_has(&w, pid))
			stage_add(ao, pid, NULL);
	}
	for (size_t i = 0; i < w.n; i++) {
		if (sent_get(ao, id, w.ids[i]) == w.attrs[i])
			rib_attrs_unref(rib, w.attrs[i]);
		else
			stage_add(ao, w.ids[i], w.attrs[i]);
	}
	s->id = id;
	s->pfx = w.pfx;
	return s->n > 0;
}

/* The stage's next item went out: it is what the peer has now. */
static void
stage_sent(struct adjout *ao)
{
	struct adj_stage *s = &ao->stage;
	const struct adj_item *it = &s->it[s->k++];
	bool was = sent_get(ao, s->id, it->pid) != NULL;

	sent_set(ao, s->id, it->pid, it->a);
	if (!was && it->a != NULL)
		ao->nsent++;
	else if (was && it->a == NULL)
		ao->nsent--;
	if (s->k == s->n)
		s->k = s->n = 0;
}

/* ---- the API ---- */

struct adjout *
adjout_new(struct bgp_peer *peer, bool (*want)(struct bgp_peer *, uint32_t,
    struct adjout_want *))
{
	struct adjout *ao = xcalloc(1, sizeof(*ao));

	ao->peer = peer;
	ao->want = want;
	ao->stage.it = ao->stage.inl;
	return ao;
}

void
adjout_free(struct adjout *ao)
{
	struct rib *rib;
	struct adj_wchunk *wc;

	if (ao == NULL)
		return;
	rib = ao->peer->bgpd->rib;
	stage_drop(ao);
	if (ao->stage.it != ao->stage.inl)
		free(ao->stage.it);
	while ((wc = ao->wq.head) != NULL) {
		ao->wq.head = wc->next;
		free(wc);
	}
	for (int f = 0; f < 2; f++) {
		struct adj_tab *t = &ao->tab[f];

		marks_free(&ao->marks[f]);
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
 * table (a refresh already under way starts over). What is pending stays
 * as it is and goes first. With RFC 7313 (eorr) the End-of-Route-Refresh
 * follows once nothing is pending and the cursor is done.
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

/*
 * What the peer should have for pfx_id may have changed: a bit, and the
 * rest of the prefix's stage, if it is being sent, dropped (what it had
 * staged may be what it should no longer get). Cost: O(1).
 */
bool
adjout_mark(struct adjout *ao, uint32_t pfx_id)
{
	if (staged(ao, pfx_id))
		stage_drop(ao);
	return mark_set(ao, pfx_id);
}

/*
 * The rib ends pfx: every path of it sent becomes a queued withdrawal
 * holding the prefix, and pfx_id's slot, mark and stage are cleared for
 * the prefix that may get the id next. Cost: O(paths sent for it).
 */
bool
adjout_end(struct adjout *ao, const struct prefix *pfx, uint32_t pfx_id)
{
	uint32_t pid, n;

	if (staged(ao, pfx_id))
		stage_drop(ao);
	mark_clear(ao, pfx_id);
	n = sent_npaths(ao, pfx_id);
	for (uint32_t k = 0; k < n; k++) {
		(void)sent_path(ao, pfx_id, k, &pid);
		wq_push(ao, pfx, pid);
	}
	sent_clear(ao, pfx_id);
	return n > 0;
}

bool
adjout_holds(const struct adjout *ao, uint32_t pfx_id)
{
	return sent_npaths(ao, pfx_id) > 0 || staged(ao, pfx_id);
}

/* ---- building UPDATEs ---- */

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

/* The next path to send: from the withdrawal queue (wsize its record's
 * size), else the stage's next item. */
struct adj_next {
	struct prefix		 pfx;
	uint32_t		 pid;
	const struct rib_attrs	*a;		/* NULL: a withdrawal */
	uint32_t		 wsize;		/* 0: from the stage */
};

/*
 * What goes next: the queued withdrawals first, then the stage, staging
 * the next marked prefix whose wanted state differs from the sent one;
 * false when nothing is pending.
 */
static bool
next_peek(struct adjout *ao, struct adj_next *x)
{
	const struct adj_stage *s = &ao->stage;
	uint32_t id;

	if (ao->wq.n > 0) {
		x->wsize = wq_peek(ao, &x->pfx, &x->pid);
		x->a = NULL;
		return true;
	}
	while (s->k == s->n) {
		if (!mark_next(ao, &id))
			return false;
		mark_clear(ao, id);
		(void)stage_id(ao, id);
	}
	x->wsize = 0;
	x->pfx = s->pfx;
	x->pid = s->it[s->k].pid;
	x->a = s->it[s->k].a;
	return true;
}

/* x (from next_peek) went out. */
static void
next_sent(struct adjout *ao, const struct adj_next *x)
{
	if (x->wsize == 0) {
		stage_sent(ao);
		return;
	}
	wq_pop(ao, x->wsize);
	ao->nsent--;
}

/*
 * One UPDATE of what is pending, packing the paths that follow with the
 * same attribute set (or withdrawals) and AF; false when nothing is.
 */
static bool
build_pending(struct adjout *ao, const struct adjout_sink *k, uint8_t *buf,
    size_t cap)
{
	struct bgp_peer *peer = ao->peer;
	const struct rib_attrs *a;
	struct bgp_upd_builder b;
	struct adj_next x;
	struct wbuf w;
	enum bgp_af af;

	if (!next_peek(ao, &x))
		return false;
	a = x.a;
	af = pfx_af(&x.pfx);
	wbuf_init(&w, buf, cap);
	if (a == NULL)
		bgp_upd_begin_withdraw(&b, &w, &peer->ctx, af);
	else
		bgp_upd_begin_reach(&b, &w, &peer->ctx, af, a, &a->nexthop);
	do {
		if (bgp_upd_add(&b, &x.pfx, x.pid) == -1)
			break;
		next_sent(ao, &x);
	} while (next_peek(ao, &x) && x.a == a && pfx_af(&x.pfx) == af);
	if (bgp_upd_finish(&b) == -1 || b.count == 0) {
		/* attributes too large for one message: never sendable */
		log_peer(peer, LOG_LVL_WARNING, "cannot encode an UPDATE for "
		    "one prefix; not announcing it");
		if (next_peek(ao, &x))
			next_sent(ao, &x);
		return true;
	}
	k->emit(k->arg, buf, w.len);
	return true;
}

/*
 * The refresh cursor's path (id, pid, attrs), past empty slots; false
 * when the walk is over. It moves only while nothing is pending (queued,
 * staged or marked), so it never meets a path about to change.
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
build_refresh(struct adjout *ao, const struct adjout_sink *k, uint8_t *buf,
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
		k->emit(k->arg, buf, w.len);
	return true;
}

bool
adjout_build_to(struct adjout *ao, const struct adjout_sink *k)
{
	uint8_t buf[BGP_MAX_EXT_MSG];
	size_t cap = ao->peer->ctx.maxlen;
	struct wbuf w;
	enum bgp_af af;

	while (k->room(k->arg)) {
		if (build_pending(ao, k, buf, cap))
			continue;
		if (build_refresh(ao, k, buf, cap))
			continue;
		af = ao->peer->conf.addr.af == AF_INET6 ?
		    BGP_AF_IPV6 : BGP_AF_IPV4;
		if (ao->eor_pending) {
			ao->eor_pending = false;
			wbuf_init(&w, buf, sizeof(buf));
			bgp_eor_encode(&w, af);
			if (!w.err)
				k->emit(k->arg, buf, w.len);
		}
		if (ao->eorr_pending) {
			ao->eorr_pending = false;
			bgp_peer_send_rrefresh(ao->peer, BGP_RR_EORR);
		}
		return false;
	}
	return true;
}

static void
conn_emit(void *arg, const uint8_t *msg, size_t len)
{
	bgp_conn_send(arg, msg, len);
}

static bool
conn_room(void *arg)
{
	const struct bgp_conn *c = arg;

	return evbuffer_get_length(c->out) < BGP_OUT_HIGH_WATER;
}

bool
adjout_build(struct adjout *ao, struct bgp_conn *c)
{
	const struct adjout_sink k = { conn_emit, conn_room, c };

	return adjout_build_to(ao, &k);
}

bool
adjout_idle(const struct adjout *ao)
{
	return ao->wq.n == 0 && ao->stage.k == ao->stage.n &&
	    ao->nmarked == 0 && !ao->refreshing && !ao->eor_pending &&
	    !ao->eorr_pending;
}

void
adjout_set_peer(struct adjout *ao, struct bgp_peer *peer)
{
	ao->peer = peer;
}

/* ---- a copy for a peer that leaves an update group ---- */

static void
tab_copy(struct adj_tab *to, const struct adj_tab *from)
{
	to->ndir = from->ndir;
	to->dir = from->ndir ? xcalloc(from->ndir, sizeof(*to->dir)) : NULL;
	for (uint32_t d = 0; d < from->ndir; d++) {
		const struct adj_chunk *c = from->dir[d];
		struct adj_chunk *n;

		if (c == NULL)
			continue;
		n = to->dir[d] = xmalloc(sizeof(*n));
		*n = *c;
		if (c->pid != NULL) {
			n->pid = xreallocarray(NULL, ADJ_CHUNK, sizeof(*n->pid));
			memcpy(n->pid, c->pid, ADJ_CHUNK * sizeof(*n->pid));
		}
		for (uint32_t i = 0; i < ADJ_CHUNK; i++) {
			const struct adj_spill *sp = spill_of(c->slot[i]);
			struct adj_spill *nsp;
			size_t sz;

			if (!(c->slot[i] & ADJ_SPILL)) {
				if (c->slot[i] != 0)
					(void)rib_attrs_ref((const struct
					    rib_attrs *)c->slot[i]);
				continue;
			}
			sz = sizeof(*sp) + sp->cap * sizeof(sp->p[0]);
			nsp = xmalloc(sz);
			memcpy(nsp, sp, sz);
			for (uint32_t k = 0; k < nsp->n; k++)
				(void)rib_attrs_ref(nsp->p[k].attrs);
			n->slot[i] = (uintptr_t)nsp | ADJ_SPILL;
		}
	}
}

static void
marks_copy(struct adj_marks *to, const struct adj_marks *from)
{
	to->ndir = from->ndir;
	to->dir = from->ndir ? xcalloc(from->ndir, sizeof(*to->dir)) : NULL;
	for (uint32_t d = 0; d < from->ndir; d++)
		if (from->dir[d] != NULL) {
			to->dir[d] = xmalloc(sizeof(*to->dir[d]));
			*to->dir[d] = *from->dir[d];
		}
}

/*
 * A copy of ao for peer: what was sent, what is marked, queued and
 * staged, so that the peer goes on alone from exactly where the group
 * was (every UPDATE the group built is in the peer's output already).
 * Cost: O(the sent table).
 */
struct adjout *
adjout_clone(const struct adjout *ao, struct bgp_peer *peer)
{
	struct adjout *n = xmalloc(sizeof(*n));
	const struct adj_wchunk *wc;

	*n = *ao;
	n->peer = peer;
	for (int f = 0; f < 2; f++) {
		tab_copy(&n->tab[f], &ao->tab[f]);
		marks_copy(&n->marks[f], &ao->marks[f]);
	}
	n->wq.head = n->wq.tail = NULL;
	for (wc = ao->wq.head; wc != NULL; wc = wc->next) {
		struct adj_wchunk *c = xmalloc(sizeof(*c));

		*c = *wc;
		c->next = NULL;
		if (n->wq.tail != NULL)
			n->wq.tail->next = c;
		else
			n->wq.head = c;
		n->wq.tail = c;
	}
	n->stage.it = n->stage.inl;
	if (ao->stage.it != ao->stage.inl) {
		n->stage.it = xreallocarray(NULL, ADJ_STAGE_MAX,
		    sizeof(*n->stage.it));
		memcpy(n->stage.it, ao->stage.it, ADJ_STAGE_MAX *
		    sizeof(*n->stage.it));
	}
	for (uint32_t k = n->stage.k; k < n->stage.n; k++)
		if (n->stage.it[k].a != NULL)
			(void)rib_attrs_ref(n->stage.it[k].a);
	return n;
}
