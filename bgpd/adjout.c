/*
 * adjout.c: one peer's Adj-RIB-Out, with mark-then-build TX (BIRD
 * bgp_schedule_packet / bgp_fire_tx).
 *
 * Owns: per prefix and path id, what was last sent to the peer and what
 * should be sent now (interned attribute references), plus a FIFO of
 * entries whose two differ. Without add-path a prefix has one entry, path
 * id 0; with it (RFC 7911) one per path sent, ids chosen by import.c. Best-path changes only *mark* entries; UPDATEs are encoded
 * by adjout_build() from the write path, as fast as the peer drains them,
 * packing consecutive queued prefixes that share an attribute set into one
 * message. A prefix changed several times before it is sent goes out once.
 * A route refresh (adjout_refresh) queues every announced prefix to be
 * sent again as it stands, with what is already queued (a pending
 * withdrawal among it) left in place; with RFC 7313 it is framed by
 * Begin- and End-of-Route-Refresh markers.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "session.h"
#include "tree.h"
#include "xmalloc.h"

struct adj_entry {
	RB_ENTRY(adj_entry)	 tree;
	TAILQ_ENTRY(adj_entry)	 queue;
	struct prefix		 pfx;
	uint32_t		 id;		/* RFC 7911 path id, 0 without */
	const struct rib_attrs	*sent;		/* NULL: not announced */
	const struct rib_attrs	*want;		/* NULL: withdraw */
	bool			 queued;
	bool			 resend;	/* route refresh: send as is */
};

RB_HEAD(adj_tree, adj_entry);
TAILQ_HEAD(adj_queue, adj_entry);

struct adjout {
	struct bgp_peer		*peer;
	struct adj_tree		 tree;
	struct adj_queue	 queue;
	size_t			 nsent;		/* paths announced */
	bool			 eor_pending;
	bool			 eorr_pending;	/* RFC 7313 End-of-RR */
};

static int
adj_cmp(const struct adj_entry *a, const struct adj_entry *b)
{
	int c = prefix_cmp(&a->pfx, &b->pfx);

	if (c != 0)
		return c;
	return a->id < b->id ? -1 : a->id > b->id;
}

RB_GENERATE_STATIC(adj_tree, adj_entry, tree, adj_cmp)

struct adjout *
adjout_new(struct bgp_peer *peer)
{
	struct adjout *ao = xcalloc(1, sizeof(*ao));

	ao->peer = peer;
	RB_INIT(&ao->tree);
	TAILQ_INIT(&ao->queue);
	return ao;
}

static void
entry_free(struct adjout *ao, struct adj_entry *e)
{
	struct rib *rib = ao->peer->bgpd->rib;

	if (e->queued)
		TAILQ_REMOVE(&ao->queue, e, queue);
	RB_REMOVE(adj_tree, &ao->tree, e);
	if (e->sent)
		rib_attrs_unref(rib, e->sent);
	if (e->want)
		rib_attrs_unref(rib, e->want);
	free(e);
}

void
adjout_free(struct adjout *ao)
{
	struct adj_entry *e;

	if (ao == NULL)
		return;
	while ((e = RB_ROOT(&ao->tree)) != NULL)
		entry_free(ao, e);
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
 * RFC 2918: send the whole Adj-RIB-Out again. Every announced prefix not
 * already queued is queued as it stands (resend keeps it queued even if a
 * later mark brings it back to what was sent); queued entries, pending
 * withdrawals included, stay as they are. With RFC 7313 (eorr) the
 * End-of-Route-Refresh follows once the queue is empty.
 */
void
adjout_refresh(struct adjout *ao, bool eorr)
{
	struct adj_entry *e;

	RB_FOREACH(e, adj_tree, &ao->tree) {
		if (e->queued || e->sent == NULL)
			continue;
		e->resend = true;
		TAILQ_INSERT_TAIL(&ao->queue, e, queue);
		e->queued = true;
	}
	if (eorr)
		ao->eorr_pending = true;
}

/* Record that (pfx, id) should now be announced with attrs (NULL:
 * withdrawn); e is its entry or NULL. True when something is queued. */
static bool
mark(struct adjout *ao, struct adj_entry *e, const struct prefix *pfx,
    uint32_t id, const struct rib_attrs *attrs)
{
	struct rib *rib = ao->peer->bgpd->rib;

	if (e == NULL) {
		if (attrs == NULL)
			return false;	/* never sent, nothing to withdraw */
		e = xcalloc(1, sizeof(*e));
		e->pfx = *pfx;
		e->id = id;
		RB_INSERT(adj_tree, &ao->tree, e);
	}
	if (e->want)
		rib_attrs_unref(rib, e->want);
	e->want = attrs ? rib_attrs_ref(attrs) : NULL;
	if (e->want == e->sent && !e->resend) {
		if (e->sent == NULL)
			entry_free(ao, e);
		else if (e->queued) {
			TAILQ_REMOVE(&ao->queue, e, queue);
			e->queued = false;
		}
		return false;
	}
	if (!e->queued) {
		TAILQ_INSERT_TAIL(&ao->queue, e, queue);
		e->queued = true;
	}
	return true;
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
 * Cost: O(log entries + paths of pfx x n).
 */
bool
adjout_set(struct adjout *ao, const struct prefix *pfx, const uint32_t *ids,
    const struct rib_attrs *const *attrs, size_t n)
{
	struct adj_entry key, *e, *next;
	bool queued = false;

	key.pfx = *pfx;
	key.id = 0;
	for (e = RB_NFIND(adj_tree, &ao->tree, &key);
	    e != NULL && prefix_cmp(&e->pfx, pfx) == 0; e = next) {
		next = RB_NEXT(adj_tree, &ao->tree, e);
		if (!id_in(e->id, ids, n))
			queued |= mark(ao, e, pfx, e->id, NULL);
	}
	for (size_t i = 0; i < n; i++) {
		key.id = ids[i];
		e = RB_FIND(adj_tree, &ao->tree, &key);
		queued |= mark(ao, e, pfx, ids[i], attrs[i]);
	}
	return queued;
}

/* The entry went out as e->want: make it the sent state. */
static struct adj_entry *
entry_sent(struct adjout *ao, struct adj_entry *e)
{
	struct rib *rib = ao->peer->bgpd->rib;
	struct adj_entry *next = TAILQ_NEXT(e, queue);

	TAILQ_REMOVE(&ao->queue, e, queue);
	e->queued = false;
	e->resend = false;
	if (e->sent == NULL && e->want != NULL)
		ao->nsent++;
	else if (e->sent != NULL && e->want == NULL)
		ao->nsent--;
	if (e->sent)
		rib_attrs_unref(rib, e->sent);
	e->sent = e->want;
	e->want = NULL;
	if (e->sent == NULL)
		entry_free(ao, e);
	else
		e->want = rib_attrs_ref(e->sent);
	return next;
}

/* One UPDATE from the head of the queue; false if nothing was queued. */
static bool
build_one(struct adjout *ao, struct bgp_conn *c, uint8_t *buf, size_t cap)
{
	struct bgp_peer *peer = ao->peer;
	struct adj_entry *e = TAILQ_FIRST(&ao->queue);
	const struct rib_attrs *a;
	struct bgp_upd_builder b;
	struct wbuf w;
	enum bgp_af af;

	if (e == NULL)
		return false;
	a = e->want;
	af = e->pfx.af == AF_INET6 ? BGP_AF_IPV6 : BGP_AF_IPV4;
	wbuf_init(&w, buf, cap);
	if (a == NULL)
		bgp_upd_begin_withdraw(&b, &w, &peer->ctx, af);
	else
		bgp_upd_begin_reach(&b, &w, &peer->ctx, af, a, &a->nexthop);
	while (e != NULL && e->want == a && e->pfx.af == bgp_af_family(af)) {
		if (bgp_upd_add(&b, &e->pfx, e->id) == -1)
			break;
		e = entry_sent(ao, e);
	}
	if (bgp_upd_finish(&b) == -1 || b.count == 0) {
		/* attributes too large for one message: never sendable */
		log_peer(peer, LOG_LVL_WARNING, "cannot encode an UPDATE for "
		    "one prefix; not announcing it");
		entry_sent(ao, TAILQ_FIRST(&ao->queue));
		return true;
	}
	bgp_conn_send(c, buf, w.len);
	return true;
}

bool
adjout_build(struct adjout *ao, struct bgp_conn *c)
{
	uint8_t buf[BGP_MAX_EXT_MSG];
	struct wbuf w;
	enum bgp_af af;

	while (evbuffer_get_length(c->out) < BGP_OUT_HIGH_WATER) {
		if (build_one(ao, c, buf, ao->peer->ctx.maxlen))
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
