/*
 * upgroup.c: update groups. Established sessions that would be sent the
 * same UPDATEs share one Adj-RIB-Out and one encoding of it (FRR's
 * update-groups; BIRD 3's export tables): a reflector's 500 clients cost
 * one sent table and one export decision per prefix instead of 500, and
 * each UPDATE is built once and handed to every member's output by
 * reference (evbuffer_add_reference: no copy, freed with its last
 * reader).
 *
 * Sessions are alike (struct upg_key) when they share the AF, eBGP or
 * iBGP, reflection client or not, the codec context (4-octet AS, add-path
 * sent, message size), the AS we speak as (localASNumber), the next hop
 * mode (nextHopMode), whether the peer takes LLGR_STALE paths (RFC 9494
 * LLGR negotiated) and the agent's
 * export policy class (bgpd_peer_conf.export_policy: the BGPFilters).
 * Everything else export_want and the UPDATE codec look at is bgpd-wide
 * (the export communities too). A per-session setting that changes what
 * export_want answers belongs in the key.
 *
 * Joining without a copy: a session starts alone (its own Adj-RIB-Out,
 * fed the whole rib, as before). Once it has nothing pending (adjout_idle:
 * its sent table is what the policy wants for every prefix) it joins a
 * group of its key that has nothing pending either (the same sent table,
 * then): its own table is dropped and it goes on from the group's. With
 * no group of its key, its Adj-RIB-Out becomes one. A group that becomes
 * idle looks for alone sessions that are.
 *
 * What a member cannot have in a group: "never send a path back to the
 * session it came from" is per session; a group sends it to everyone,
 * the session it came from included. Only iBGP sessions group, where that
 * is harmless: a reflector's client drops a path with its own
 * ORIGINATOR_ID (RFC 4456 8), and without reflection no learned path goes
 * to an iBGP peer at all. An eBGP session stays alone, as in BIRD: a
 * top-of-rack router given its own routes back would drop them only for
 * the AS loop, and not at all with allowas-in; and a node has few of them.
 *
 * Leaving: session down (nothing kept), a route refresh asked (it needs
 * the table again: a copy, adjout_clone, from which it goes on alone), or
 * lagging. Every UPDATE built goes into every member's output at once, so
 * a copy of the group's Adj-RIB-Out is exactly what the member has or is
 * about to be written. The group builds only while every member's output
 * is under BGP_OUT_HIGH_WATER: the slowest member sets the pace. A member
 * whose output stays full while another's is empty for UPG_LAG_MS leaves
 * (a copy) and may not join again for a while (doubling with each time):
 * a peer that reads slowly, on purpose or not, delays the others for
 * UPG_LAG_MS, not for ever (SPEC 8).
 */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "session.h"
#include "timer.h"
#include "xmalloc.h"

#define UPG_BLOCK	(64 * 1024)	/* UPDATEs shared as one reference */
#define UPG_BUILD_MAX	BGP_OUT_HIGH_WATER	/* bytes built a turn */
#define UPG_LAG_MS	5000
#define UPG_BAN_MS	60000u		/* no joining again, doubled each time */
#define UPG_BAN_SHIFT_MAX 4

struct upg_key {
	int		 af;
	bool		 ebgp;
	bool		 rr_client;
	bool		 as4;
	bool		 add_path_tx;
	size_t		 maxlen;
	uint32_t	 local_as;
	enum bgpd_next_hop next_hop;
	bool		 llgr;
	uint64_t	 policy;
};

/* UPDATEs built once, referenced from every member's output. */
struct upg_block {
	uint32_t	 refs;
	uint32_t	 nmsgs;
	uint32_t	 nupdates;
	size_t		 len;
	uint8_t		 data[];
};

struct bgp_upgroup {
	LIST_ENTRY(bgp_upgroup)	 entry;
	struct bgpd		*bgpd;
	unsigned		 id;		/* for the logs */
	struct upg_key		 key;
	struct adjout		*ao;		/* built with its first member */
	struct rib_client	*client;
	struct bgp_peer_head	 members;	/* through peer->upg_entry */
	size_t			 nmembers;
	struct upg_block	*blk;		/* being filled */
	size_t			 built;		/* bytes this turn */
	struct event		*ev_lag;
	bool			 lag_armed;
	struct event		*ev_pace;	/* changes wait for it */
	uint64_t		 tx_last;	/* ms (monotonic): last block */
};

static void	upg_best_changed(void *, const struct prefix *, uint32_t,
		    const struct rib_path *, const struct rib_path *);
static void	upg_paths_changed(void *, const struct prefix *, uint32_t,
		    const struct rib_path *);

static void	upg_lag_cb(evutil_socket_t, short, void *);
static void	upg_pace_cb(evutil_socket_t, short, void *);

static const struct rib_client_ops upg_client_ops = {
	.best_changed = upg_best_changed,
	.paths_changed = upg_paths_changed,
};

static void
key_of(const struct bgp_peer *peer, struct upg_key *k)
{
	enum bgp_af af = peer->conf.addr.af == AF_INET6 ? BGP_AF_IPV6 :
	    BGP_AF_IPV4;

	memset(k, 0, sizeof(*k));	/* padding too: compared whole */
	k->af = peer->conf.addr.af;
	k->ebgp = peer->ebgp;
	k->rr_client = peer->conf.rr_client;
	k->as4 = peer->ctx.as4;
	k->add_path_tx = peer->ctx.add_path_tx[af];
	k->maxlen = peer->ctx.maxlen;
	k->local_as = bgp_peer_local_as(peer);	/* prepended over eBGP */
	k->next_hop = peer->conf.next_hop;	/* nextHopMode */
	k->llgr = peer->remote_caps.llgr;	/* LLGR_STALE paths sent */
	k->policy = peer->conf.export_policy;
}

static bool
key_eq(const struct upg_key *a, const struct upg_key *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static struct bgp_peer *
rep(const struct bgp_upgroup *g)
{
	return TAILQ_FIRST(&g->members);
}

static void
schedule(struct bgp_upgroup *g)
{
	timer_stop(g->ev_pace);
	if (g->nmembers > 0)
		bgp_peer_tx_schedule(rep(g));
}

/* The rib changed what the group should have: build, paced
 * (bgp_tx_paced). */
static void
changed(struct bgp_upgroup *g)
{
	unsigned ms;

	if (timer_running(g->ev_pace))
		return;
	if (bgp_tx_paced(g->bgpd, g->tx_last, &ms))
		timer_arm_ms(g->ev_pace, ms);
	else
		schedule(g);
}

static void
upg_pace_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	schedule(arg);
}

/* ---- the rib client: one for the group ---- */

static void
upg_best_changed(void *arg, const struct prefix *pfx, uint32_t id,
    const struct rib_path *nb, const struct rib_path *ob)
{
	struct bgp_upgroup *g = arg;

	(void)ob;
	if (nb == NULL) {
		if (adjout_end(g->ao, pfx, id))
			changed(g);
		return;
	}
	if (bgp_export_mark(rep(g), g->ao, pfx, id, nb))
		changed(g);
}

static void
upg_paths_changed(void *arg, const struct prefix *pfx, uint32_t id,
    const struct rib_path *best)
{
	struct bgp_upgroup *g = arg;

	if (g->key.add_path_tx && bgp_export_mark(rep(g), g->ao, pfx, id,
	    best))
		changed(g);
}

/* ---- blocks ---- */

static void
block_unref(const void *data, size_t len, void *arg)
{
	struct upg_block *b = arg;

	(void)data;
	(void)len;
	if (--b->refs == 0)
		free(b);
}

/* Hand the block being filled to every member's output. */
static void
block_flush(struct bgp_upgroup *g)
{
	struct upg_block *b = g->blk;
	struct bgp_peer *m;

	if (b == NULL)
		return;
	g->blk = NULL;
	if (b->len == 0) {
		free(b);
		return;
	}
	b->refs = 1;	/* ours, until every member has it */
	TAILQ_FOREACH(m, &g->members, upg_entry) {
		b->refs++;
		if (evbuffer_add_reference(m->conn->out, b->data, b->len,
		    block_unref, b) == -1)
			fatalx("evbuffer_add_reference");
		bgp_conn_queued(m->conn, b->nmsgs, b->nupdates);
	}
	block_unref(b->data, b->len, b);
}

static void
group_emit(void *arg, const uint8_t *msg, size_t len)
{
	struct bgp_upgroup *g = arg;
	struct upg_block *b = g->blk;

	if (b != NULL && b->len + len > UPG_BLOCK)
		block_flush(g);
	if ((b = g->blk) == NULL) {
		b = g->blk = xmalloc(sizeof(*b) + UPG_BLOCK);
		b->len = 0;
		b->nmsgs = b->nupdates = 0;
	}
	memcpy(b->data + b->len, msg, len);
	b->len += len;
	b->nmsgs++;
	if (len >= BGP_HDR_LEN && msg[BGP_HDR_LEN - 1] == BGP_UPDATE)
		b->nupdates++;
	g->built += len;
}

static bool
group_room(void *arg)
{
	const struct bgp_upgroup *g = arg;

	return g->built < UPG_BUILD_MAX;
}

/* ---- membership ---- */

static struct bgp_upgroup *
group_new(struct bgp_peer *founder, const struct upg_key *k)
{
	static unsigned ids;
	struct bgpd *bgpd = founder->bgpd;
	struct bgp_upgroup *g = xcalloc(1, sizeof(*g));

	g->bgpd = bgpd;
	g->id = ++ids;
	g->key = *k;
	TAILQ_INIT(&g->members);
	g->ev_lag = evtimer_new(bgpd->base, upg_lag_cb, g);
	g->ev_pace = evtimer_new(bgpd->base, upg_pace_cb, g);
	if (g->ev_lag == NULL || g->ev_pace == NULL)
		fatalx("evtimer_new");
	LIST_INSERT_HEAD(&bgpd->upgroups, g, entry);
	return g;
}

static void
group_free(struct bgp_upgroup *g)
{
	LIST_REMOVE(g, entry);
	if (g->client != NULL)
		rib_client_del(g->bgpd->rib, g->client);
	free(g->blk);
	adjout_free(g->ao);
	event_free(g->ev_lag);
	event_free(g->ev_pace);
	free(g);
}

static void
member_add(struct bgp_upgroup *g, struct bgp_peer *peer)
{
	TAILQ_INSERT_TAIL(&g->members, peer, upg_entry);
	g->nmembers++;
	peer->upg = g;
	log_peer(peer, LOG_LVL_DEBUG, "update group %u: joined (%zu "
	    "sessions)", g->id, g->nmembers);
}

/*
 * peer, Established and with nothing pending, joins the group of its key
 * (that has nothing pending either) or founds one with its Adj-RIB-Out.
 */
void
bgp_upg_try_join(struct bgp_peer *peer)
{
	struct bgpd *bgpd = peer->bgpd;
	struct bgp_upgroup *g;
	struct upg_key k;

	if (peer->ebgp || peer->upg != NULL || peer->adjout == NULL ||
	    peer->conn == NULL ||
	    peer->conn->state != BGP_STATE_ESTABLISHED ||
	    !adjout_idle(peer->adjout) || timer_now_ms() < peer->upg_ban_until)
		return;
	key_of(peer, &k);
	LIST_FOREACH(g, &bgpd->upgroups, entry)
		if (key_eq(&g->key, &k))
			break;
	if (g != NULL && (!adjout_idle(g->ao) || g->blk != NULL))
		return;		/* the group will look again when idle */
	rib_client_del(bgpd->rib, peer->client);
	peer->client = NULL;
	if (g == NULL) {
		g = group_new(peer, &k);
		g->ao = peer->adjout;
		g->client = rib_client_add(bgpd->rib, &upg_client_ops, g);
	} else {
		adjout_free(peer->adjout);
	}
	peer->adjout = NULL;
	member_add(g, peer);
}

/* g has nothing pending: alone sessions of its key that are idle join. */
static void
group_idle(struct bgp_upgroup *g)
{
	struct bgp_peer *peer;

	TAILQ_FOREACH(peer, &g->bgpd->peers, entry)
		if (peer->upg == NULL && peer->adjout != NULL)
			bgp_upg_try_join(peer);
}

/*
 * peer leaves its group. keep: it goes on alone from a copy of the
 * group's Adj-RIB-Out (and may not join again for a while); else it stops
 * exporting (its session is down).
 */
void
bgp_upg_leave(struct bgp_peer *peer, bool keep)
{
	struct bgp_upgroup *g = peer->upg;
	unsigned shift;

	if (g == NULL)
		return;
	/* g->blk is NULL here: bgp_upg_tx hands out what it builds before it
	 * returns, so the member has every UPDATE the group built (its conn
	 * may be gone already: bgp_peer_free) */
	TAILQ_REMOVE(&g->members, peer, upg_entry);
	g->nmembers--;
	peer->upg = NULL;
	if (keep) {
		shift = peer->upg_bans < UPG_BAN_SHIFT_MAX ? peer->upg_bans :
		    UPG_BAN_SHIFT_MAX;
		peer->upg_bans++;
		peer->upg_ban_until = timer_now_ms() + ((uint64_t)UPG_BAN_MS <<
		    shift);
		if (g->nmembers == 0) {	/* the last one: no copy needed */
			adjout_set_peer(g->ao, peer);
			bgp_peer_export_resume(peer, g->ao);
			g->ao = NULL;
		} else {
			bgp_peer_export_resume(peer, adjout_clone(g->ao, peer));
		}
	}
	log_peer(peer, LOG_LVL_DEBUG, "update group %u: left (%zu sessions "
	    "remain)%s", g->id, g->nmembers, keep ? ", on its own now" : "");
	if (g->nmembers == 0) {
		group_free(g);
		return;
	}
	adjout_set_peer(g->ao, rep(g));
	schedule(g);
}

/* ---- building ---- */

/* Every member's output under high water; *empty: one has nothing. */
static bool
members_room(const struct bgp_upgroup *g, bool *empty)
{
	const struct bgp_peer *m;
	bool room = true;
	size_t len;

	*empty = false;
	TAILQ_FOREACH(m, &g->members, upg_entry) {
		len = evbuffer_get_length(m->conn->out);
		if (len >= BGP_OUT_HIGH_WATER)
			room = false;
		else if (len == 0)
			*empty = true;
	}
	return room;
}

static void
upg_lag_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct bgp_upgroup *g = arg;
	struct bgp_peer *m, *next;
	unsigned id = g->id;
	bool empty;

	(void)fd;
	(void)ev;
	g->lag_armed = false;
	if (members_room(g, &empty) || !empty)
		return;
	/* leaving may free g: the last one out is never a lagger here,
	 * since a member with room is left */
	TAILQ_FOREACH_SAFE(m, &g->members, upg_entry, next) {
		if (evbuffer_get_length(m->conn->out) < BGP_OUT_HIGH_WATER)
			continue;
		m->upg_lagged++;
		bgp_upg_leave(m, true);
		log_peer(m, LOG_LVL_WARNING, "update group %u: left, its "
		    "output full for %d ms while another member's was empty "
		    "(a slow reader); on its own for %llu s", id, UPG_LAG_MS,
		    (unsigned long long)((m->upg_ban_until - timer_now_ms()) /
		    1000));
	}
	schedule(g);
}

/* A member may take more: build what is pending, for everyone. */
void
bgp_upg_tx(struct bgp_upgroup *g)
{
	const struct adjout_sink k = { group_emit, group_room, g };
	bool empty, more;

	/* Each member whose output drained calls this: with nothing to
	 * build, neither its room nor the sessions that may join (the last
	 * build that left the group idle let them in) are looked at, or a
	 * group of N would cost N x N per round of writes. */
	if (adjout_idle(g->ao))
		return;
	if (!members_room(g, &empty)) {
		if (empty && !g->lag_armed) {
			timer_arm_ms(g->ev_lag, UPG_LAG_MS);
			g->lag_armed = true;
		}
		return;
	}
	if (g->lag_armed) {
		timer_stop(g->ev_lag);
		g->lag_armed = false;
	}
	g->built = 0;
	more = adjout_build_to(g->ao, &k);
	if (g->built > 0)
		g->tx_last = timer_now_ms();
	block_flush(g);
	if (!more && adjout_idle(g->ao))
		group_idle(g);
}

void
bgp_upg_refresh_exports(struct bgpd *bgpd)
{
	struct bgp_upgroup *g;

	LIST_FOREACH(g, &bgpd->upgroups, entry) {
		rib_client_feed(bgpd->rib, g->client);
		schedule(g);
	}
}

const struct adjout *
bgp_upg_adjout(const struct bgp_upgroup *g)
{
	return g->ao;
}

unsigned
bgp_upg_id(const struct bgp_upgroup *g, size_t *members)
{
	*members = g->nmembers;
	return g->id;
}
