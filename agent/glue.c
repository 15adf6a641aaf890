/*
 * glue.c: adapters between modules (STYLE 5.2: only agent/ sees them all).
 *
 * datastore -> bgpd/rib: peers become sessions (Calico's passive rule for
 * the mesh), this node's blocks become locally originated rib routes,
 * pools feed the import/export filters. rib -> FIB: every best-path change
 * becomes what krt.c should have in the kernel (blackhole for own blocks,
 * via the BGP next hop, or via tunl0 onlink for IPIP pools; nothing for
 * VXLAN pools), and a pool change re-evaluates the routes inside it.
 * krt -> rib: workload routes learned from the kernel (krt/learn.h) become
 * this node's routes from learn_src, announced as Calico's calico_aggr
 * says and never put back in the kernel (Felix owns them).
 */
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include <event2/event.h>

#include "agent.h"
#include "fibwant.h"
#include "filter.h"
#include "log.h"
#include "netlink.h"
#include "proto.h"
#include "sessopts.h"
#include "xmalloc.h"

static enum bgpd_peer_kind
peer_kind(enum ds_peer_type t)
{
	switch (t) {
	case DS_PEER_MESH:
		return BGPD_PEER_MESH;
	case DS_PEER_GLOBAL:
		return BGPD_PEER_GLOBAL;
	case DS_PEER_NODE:
	default:
		return BGPD_PEER_NODE;
	}
}

/*
 * SPEC 4 / calico-compat 3.4: on a mesh session a node stays passive when
 * the peer's address is greater than its own compared as strings, so mixed
 * BIRD/ternd meshes agree on who connects. Calico's confd does the same
 * for a Global_ peer whose peerIP is a Calico node's address (its
 * CalicoNode; bgp_processor.go, "Passive mode handling").
 *
 * Our addition: the same rule for a Node_ peer that is a Calico node found
 * by a selector or a reverse peering (it has a node name), which confd
 * leaves active on both sides. A reflector's hundreds of clients and the
 * reflector otherwise all connect to each other at once and resolve a
 * collision per session (bench/rr.sh). It is safe with any mix: two ternds
 * apply the rule mirrored, so exactly one side connects, and Calico's BIRD
 * is never passive on such a session, so it connects to a passive ternd.
 */
static bool
mesh_passive(const struct agent *ag, const struct ds_peer *p)
{
	char mine[ADDR_STRLEN], theirs[ADDR_STRLEN];
	const struct addr *own = p->addr.af == AF_INET6 ? &ag->local.ipv6 :
	    &ag->local.ipv4;
	bool node = p->type == DS_PEER_MESH ||
	    (p->type == DS_PEER_GLOBAL && p->calico_node) ||
	    (p->type == DS_PEER_NODE && p->node[0] != '\0');

	if (!node || !addr_is_set(own))
		return false;
	addr_fmt(own, mine, sizeof(mine));
	addr_fmt(&p->addr, theirs, sizeof(theirs));
	return strcmp(theirs, mine) > 0;
}

/*
 * Issue 15: next hop and restart modes, as confd's bgp_processor.go
 * renders them for BIRD. nextHopMode Self/Keep: `next hop self`/`next hop
 * keep`; keepOriginalNextHop without it: `next hop keep` on an eBGP
 * session only (peer AS other than localASNumber, else ours). restartMode
 * GracefulRestart: maxRestartTime is `graceful restart time` (mesh
 * sessions: nodeMeshMaxRestartTime, in opts by the datastore);
 * LongLivedGracefulRestart: it is the long-lived stale time (3600 s
 * unset, BIRD's) and the restart time stays ternd.yaml's.
 */
static void
peer_modes(const struct agent *ag, const struct ds_peer *p,
    struct bgpd_peer_conf *c)
{
	const struct ds_peer_opts *o = p->opts;
	uint32_t our_as = o->local_as != 0 ? o->local_as : ag->local.as;

	c->next_hop = o->next_hop == DS_NH_SELF ? BGPD_NH_SELF :
	    o->next_hop == DS_NH_KEEP ? BGPD_NH_KEEP : BGPD_NH_AUTO;
	if (o->next_hop == DS_NH_UNSET && o->keep_next_hop && p->as != our_as)
		c->next_hop = BGPD_NH_KEEP;
	if (o->restart_mode == DS_RESTART_LLGR) {
		c->llgr = true;
		c->llgr_time = o->restart_time == DS_TIME_UNSET ?
		    BGPD_LLGR_DEF_TIME : (uint32_t)o->restart_time;
	} else if (o->restart_time != DS_TIME_UNSET) {
		c->gr_time_set = true;
		c->gr_time = (uint16_t)(o->restart_time > DS_GR_TIME_MAX ?
		    DS_GR_TIME_MAX : o->restart_time);
	}
}

/*
 * The export policy class of a session (bgpd_peer_conf.export_policy):
 * export_ok differs between sessions only by their BGPFilters (looked up
 * by session name, filter_export), so sessions naming the same filters in
 * the same order may share an update group: FNV-1a of the names, never 0
 * (the class of sessions without filters).
 */
static uint64_t
export_policy(const struct ds_peer_opts *o)
{
	uint64_t h = 0xcbf29ce484222325ull;

	if (o->nfilters == 0)
		return 0;
	for (size_t i = 0; i < o->nfilters; i++)
		for (const char *s = o->filters[i]; ; s++) {
			h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
			if (*s == '\0')
				break;
		}
	return h != 0 ? h : 1;
}

static void
to_bgpd_conf(const struct agent *ag, const struct ds_peer *p,
    struct bgpd_peer_conf *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", p->name);
	c->kind = peer_kind(p->type);
	c->addr = p->addr;
	c->as = p->as;
	/* mesh nodes listen where we do, unless the cluster says the node's
	 * listenPort (a port other than 179); explicit peers say their port */
	c->port = p->port == 0 || (p->type == DS_PEER_MESH &&
	    p->port == BGPD_DEFAULT_PORT) ? ag->conf->bgp.port : p->port;
	c->passive = mesh_passive(ag, p);
	c->rr_client = p->rr_client;
	/* issue 15: the session's transport options and TCP MD5 key */
	sessopts_translate(p->opts, c);
	sessopts_password(ag->secrets, ag->conf, p->name, &p->opts->password,
	    c);
	peer_modes(ag, p, c);
	c->export_policy = export_policy(p->opts);
}

/*
 * SPEC 3: what a record sets that ternd does not do is said, not silently
 * dropped. The datastore reads every BGPPeer option; bgpd applies the
 * address, AS, port and route reflection of a session so far.
 */
static void
say_unapplied(struct agent *ag, const struct ds_peer *p)
{
	char buf[256];

	if (ds_peer_opts_set(p->opts, buf, sizeof(buf)) > 0)
		log_rl(&ag->unapplied_rl, "%s: not applied (not supported "
		    "yet): %s", p->name, buf);
}

static void	filter_schedule(struct agent *);

static void
ds_peer_changed(void *arg, const struct ds_peer *np, const struct ds_peer *op)
{
	struct agent *ag = arg;
	struct bgpd_peer_conf c;

	ag->guard_dirty = true;
	if (np == NULL) {
		filters_peer_del(ag->filters, op->name);
		bgpd_peer_del(ag->bgpd, op->name, BGP_CEASE_PEER_UNCONFIGURED);
		agent_bfd_sync(ag);
		agent_reach_sync(ag);
		return;
	}
	to_bgpd_conf(ag, np, &c);
	/* before the session starts: its first export is filtered */
	filters_peer_set(ag->filters, np->name, np->addr.af,
	    np->opts->filters, np->opts->nfilters, op == NULL);
	filter_schedule(ag);
	if (op == NULL || !ds_peer_opts_eq(np->opts, op->opts))
		say_unapplied(ag, np);
	agent_bfd_sync(ag);	/* issue 15: deferred, reads the view */
	agent_reach_sync(ag);	/* the same */
	if (op == NULL)
		bgpd_peer_add(ag->bgpd, &c);
	else
		bgpd_peer_update(ag->bgpd, &c);
}

/* The attribute set of this node's own routes: IGP, empty path, NH self. */
static void
local_attrs_refresh(struct agent *ag)
{
	struct rib_attrs t;

	for (int i = 0; i < 2; i++) {
		if (ag->local_attrs[i])
			rib_attrs_unref(ag->rib, ag->local_attrs[i]);
		memset(&t, 0, sizeof(t));
		t.origin = BGP_ORIGIN_IGP;
		t.nexthop = i == 0 ? ag->local.ipv4 : ag->local.ipv6;
		ag->local_attrs[i] = rib_attrs_intern(ag->rib, &t);
	}
}

static void
ds_block_changed(void *arg, const struct prefix *pfx, bool present)
{
	struct agent *ag = arg;
	const struct rib_attrs *a = ag->local_attrs[pfx->af == AF_INET6];
	char buf[PREFIX_STRLEN];

	log_info("block %s %s", prefix_fmt(pfx, buf, sizeof(buf)),
	    present ? "added" : "removed");
	ag->guard_dirty = true;
	if (present)
		rib_update(ag->rib, &ag->local_src, pfx, 0, a);
	else
		rib_withdraw(ag->rib, &ag->local_src, pfx, 0);
	/* a route beneath the block (a pod's learned /32) stops or starts
	 * being announced: export_ok again (calico_aggr). Blocks change
	 * rarely; before any session is up this costs nothing. */
	bgpd_refresh_exports(ag->bgpd);
}

struct own_list {
	struct agent	*ag;
	struct prefix	*v;
	struct rib_src	**src;
	size_t		 n, cap;
};

static int
collect_own_cb(void *arg, const struct rib_entry *e)
{
	struct own_list *l = arg;
	const struct rib_path *p;

	for (p = rib_entry_paths(e); p != NULL; p = p->next) {
		if (p->src != &l->ag->local_src &&
		    p->src != &l->ag->learn_src &&
		    p->src != &l->ag->svc_src)
			continue;
		if (l->n == l->cap) {
			l->cap = l->cap ? l->cap * 2 : 16;
			l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
			l->src = xreallocarray(l->src, l->cap,
			    sizeof(*l->src));
		}
		l->src[l->n] = p->src;
		l->v[l->n++] = rib_entry_prefix(e);
	}
	return 0;
}

/* Own and learned routes take the new next hop (the rib may not change
 * in a walk). */
static void
reoriginate(struct agent *ag)
{
	struct own_list l = { .ag = ag };

	rib_walk(ag->rib, collect_own_cb, &l);
	for (size_t i = 0; i < l.n; i++)
		rib_update(ag->rib, l.src[i], &l.v[i], 0,
		    ag->local_attrs[l.v[i].af == AF_INET6]);
	free(l.v);
	free(l.src);
}

static void
ds_local_changed(void *arg, const struct ds_local *l)
{
	struct agent *ag = arg;
	char a4[ADDR_STRLEN], a6[ADDR_STRLEN];
	uint32_t old_cluster = ag->local.rr_cluster_id;

	ag->local = *l;
	ag->guard_dirty = true;
	log_info("node %s: address %s%s%s AS%u", l->name,
	    addr_fmt(&l->ipv4, a4, sizeof(a4)),
	    addr_is_set(&l->ipv6) ? " " : "",
	    addr_is_set(&l->ipv6) ? addr_fmt(&l->ipv6, a6, sizeof(a6)) : "",
	    l->as);
	local_attrs_refresh(ag);
	reoriginate(ag);
	advert_local(ag);	/* issue 15: the service exclusion label */
	bgpd_set_local(ag->bgpd, l->as, &l->ipv4, &l->ipv6);
	agent_bfd_sync(ag);
	agent_listen_apply(ag);		/* bindMode NodeIP: the new address */
	if (l->rr_cluster_id != old_cluster) {
		struct addr id;

		addr_set_v4(&id, l->rr_cluster_id);
		log_info("route reflector cluster ID %s: %zu iBGP sessions "
		    "restarted", l->rr_cluster_id ? addr_fmt(&id, a4,
		    sizeof(a4)) : "none (not a reflector)",
		    bgpd_set_rr_cluster(ag->bgpd, l->rr_cluster_id));
	}
}


struct refib {
	struct agent		*ag;
	const struct ds_pool	*np, *op;
};

/* An entry inside the changed pool: its best path goes to the FIB again. */
static int
refib_cb(void *arg, const struct rib_entry *e)
{
	struct refib *r = arg;
	struct prefix pfx = rib_entry_prefix(e);
	const struct rib_path *best = rib_entry_best(e);
	uint32_t id;

	if (best == NULL || !((r->np != NULL &&
	    prefix_contains(&r->np->cidr, &pfx)) || (r->op != NULL &&
	    prefix_contains(&r->op->cidr, &pfx))))
		return 0;
	if (rib_prefix_id(r->ag->rib, &pfx, &id))
		agent_fib_apply(r->ag, &pfx, id, best);
	return 0;
}

/*
 * A pool's modes decide what its routes are in the kernel (VXLAN: none;
 * IPIP: via tunl0): the routes already in the rib inside the old or the
 * new pool are handed to krt again (one walk of the rib per pool change;
 * krt ignores what it already has).
 */
static void
refib_pool(struct agent *ag, const struct ds_pool *np,
    const struct ds_pool *op)
{
	struct refib r = { ag, np, op };

	if (ag->krt != NULL && rib_count_prefixes(ag->rib) > 0)
		rib_walk(ag->rib, refib_cb, &r);
}

static void
ds_pool_changed(void *arg, const struct ds_pool *np, const struct ds_pool *op)
{
	struct agent *ag = arg;
	size_t i;

	for (i = 0; op != NULL && i < ag->npools; i++) {
		if (prefix_eq(&ag->pools[i].cidr, &op->cidr)) {
			ag->pools[i] = ag->pools[--ag->npools];
			break;
		}
	}
	if (np != NULL) {
		if (ag->npools == AGENT_MAX_POOLS) {
			log_warnx("more than %d pools; ignoring the rest",
			    AGENT_MAX_POOLS);
			return;
		}
		ag->pools[ag->npools++] = *np;
	}
	refib_pool(ag, np, op);
	if (ag->synced)
		bgpd_refresh_exports(ag->bgpd);
}

static void
ds_synced(void *arg)
{
	struct agent *ag = arg;

	if (!ag->synced)
		log_info("datastore synced");
	ag->synced = true;
	agent_check_sync(ag);
}

/*
 * The cluster's log level for this node (Calico's logSeverityScreen or
 * loglevel) changed: agent_log_apply weighs it (-d, else the cluster's,
 * else ternd.yaml's). The line is said at the more verbose of the old and
 * the new level, so that it is seen.
 */
static void
ds_log_changed(void *arg, const struct ds_log *l)
{
	struct agent *ag = arg;
	bool said = log_level >= LOG_LVL_INFO;
	char what[80];

	if (l->set)
		snprintf(what, sizeof(what), "the cluster sets log level %s "
		    "for this node", log_level_name(l->level));
	else
		snprintf(what, sizeof(what), "the cluster sets no log level "
		    "for this node: ternd.yaml's applies");
	if (said)
		log_info("datastore: %s", what);
	agent_log_apply(ag);
	if (!said)
		log_info("datastore: %s", what);
}

/*
 * Issue 15: every session's conf built again (a key file changed, SIGHUP):
 * bgpd restarts those whose conf differs (a new key, a key now readable
 * or gone), Cease/Other Configuration Change, and no other.
 */
void
agent_peers_refresh(struct agent *ag)
{
	const struct ds_peer *v;
	struct bgpd_peer_conf c;
	size_t n = 0;

	v = ag->ds != NULL ? ds_peers(ag->ds, &n) : NULL;
	for (size_t i = 0; i < n; i++) {
		to_bgpd_conf(ag, &v[i], &c);
		bgpd_peer_update(ag->bgpd, &c);
	}
}

static void
secrets_changed(void *arg)
{
	agent_peers_refresh(arg);
}

/*
 * Issue 15: BGPConfiguration listenPort (else ternd.yaml's bgp.port) and
 * bindMode NodeIP (the node's addresses only), applied live: a change
 * re-opens the listening sockets.
 */
void
agent_listen_apply(struct agent *ag)
{
	const struct ds_bgp_config *bc = ag->ds != NULL ?
	    ds_bgp_config(ag->ds) : NULL;
	uint16_t port = ag->conf->bgp.port;
	bool node_ip = false;

	if (bc != NULL && bc->listen_port != 0)
		port = bc->listen_port;
	if (bc != NULL && bc->bind_mode == DS_BIND_NODE_IP)
		node_ip = true;
	if (bgpd_set_listen(ag->bgpd, port, node_ip ? &ag->local.ipv4 : NULL,
	    node_ip ? &ag->local.ipv6 : NULL) == -1)
		log_warnx("BGP: cannot listen on port %u", port);
}

const struct ds_ops agent_ds_ops = {
	.local_changed = ds_local_changed,
	.peer_changed = ds_peer_changed,
	.block_changed = ds_block_changed,
	.pool_changed = ds_pool_changed,
	.synced = ds_synced,
	.log_changed = ds_log_changed,
};

/*
 * issue 15: this node's BGPConfiguration. advert.c keeps what it uses
 * (service ranges, prefixAdvertisements' communities) and applies the
 * difference; the datastore keeps the whole view (ds_bgp_config).
 */
static void
ds_config_changed(void *arg, const struct ds_bgp_config *c)
{
	struct agent *ag = arg;

	advert_config(ag, c);
	agent_listen_apply(ag);		/* listenPort, bindMode */
	agent_bfd_sync(ag);		/* ignoredInterfaces (bfdglue.c) */
}

static void	ds_filter_changed(void *, const struct ds_filter *,
		    const struct ds_filter *);

const struct ds_option_ops agent_ds_option_ops = {
	.config_changed = ds_config_changed,
	.filter_changed = ds_filter_changed,	/* BGPFilter, filter.c */
};

/* The most specific pool that contains pfx, or NULL. */
const struct ds_pool *
agent_pool_of(const struct agent *ag, const struct prefix *pfx)
{
	const struct ds_pool *best = NULL;

	for (size_t i = 0; i < ag->npools; i++)
		if (prefix_contains(&ag->pools[i].cidr, pfx) &&
		    (best == NULL || ag->pools[i].cidr.len > best->cidr.len))
			best = &ag->pools[i];
	return best;
}

static bool
in_pool(const struct agent *ag, const struct prefix *pfx)
{
	return agent_pool_of(ag, pfx) != NULL;
}

/* Own block b (a path of local_src) goes into the guard set. */
static int
guard_block_cb(void *arg, const struct rib_entry *e)
{
	struct agent *ag = arg;
	struct prefix pfx;

	for (const struct rib_path *p = rib_entry_paths(e); p != NULL;
	    p = p->next) {
		if (p->src == &ag->local_src) {
			pfx = rib_entry_prefix(e);
			pfxset_add(&ag->guard, &pfx);
		}
	}
	return 0;
}

/*
 * The import guard's set: this node's addresses, every peer's address
 * (every node's underlay address while the mesh is on, and the explicit
 * peers'), and this node's own blocks. Rebuilt on the next import after
 * any of them changed (datastore events: rare; the own blocks are read
 * from the rib, where they are few).
 */
static void
guard_rebuild(struct agent *ag)
{
	const struct ds_peer *v;
	size_t n = 0;

	pfxset_clear(&ag->guard);
	pfxset_add_addr(&ag->guard, &ag->local.ipv4);
	pfxset_add_addr(&ag->guard, &ag->local.ipv6);
	v = ag->ds != NULL ? ds_peers(ag->ds, &n) : NULL;
	for (size_t i = 0; i < n; i++)
		pfxset_add_addr(&ag->guard, &v[i].addr);
	if (ag->local_src.npaths > 0)
		rib_walk(ag->rib, guard_block_cb, ag);
	pfxset_sort(&ag->guard);
	ag->guard_dirty = false;
}

static bool	filter_import(struct agent *, const struct bgpd_peer_info *,
		    const struct prefix *);
static enum filter_verdict filter_export(struct agent *,
		    const struct bgpd_peer_info *, const struct prefix *,
		    const struct rib_path *);

/*
 * SPEC 4 import, in order (the first rule that refuses decides):
 * 1. a default route only from an explicit (Global/Node) peer, and only
 *    with bgp.accept_default_route;
 * 2. never a prefix equal to or covering a node's underlay address, a
 *    peer's address or one of this node's own blocks. A more specific
 *    route inside an own block is accepted, and must be: it is a pod
 *    address another node borrowed from our block (Calico IPAM, issue 12),
 *    announced by that node as a /32 (/128); installed via that node, it
 *    wins over our blackhole for the block, which would otherwise swallow
 *    the pod's traffic. Calico's BIRD accepts it too: nothing in its
 *    import filter looks at the node's blocks (calico_aggr is an export
 *    filter), and calico_kernel_programming installs pool routes. Our own
 *    learned routes are not in the guard either (a peer's block covering
 *    a pod we host is that peer's block);
 * 3. from mesh peers, only prefixes inside a pool (explicit peers, e.g. a
 *    top-of-rack, may send routes outside every pool, as Calico's kernel
 *    filter accepts them);
 * 4. an explicit peer's BGPFilters (filter.h; mesh sessions have none, as
 *    confd renders them): the first rule that matches decides, none
 *    accepts (Calico's import filter ends in accept). Our implementation:
 *    1 and 2 hold whatever a filter accepts: they keep this node's own
 *    addresses and blocks from being routed away.
 */
static bool
import_ok(void *arg, const struct bgpd_peer_info *pi, const struct prefix *pfx)
{
	struct agent *ag = arg;
	bool mesh = pi->conf->kind == BGPD_PEER_MESH;

	if (pfx->len == 0)
		return !mesh && ag->conf->bgp.accept_default_route;
	if (ag->guard_dirty)
		guard_rebuild(ag);
	if (pfxset_covered_by(&ag->guard, pfx))
		return false;
	if (mesh)	/* issue 15: service ranges too (advert.c) */
		return in_pool(ag, pfx) || advert_in_range(ag, pfx);
	return filter_import(ag, pi, pfx);
}

/* pfx cut to its first len bits */
static struct prefix
prefix_cut(const struct prefix *pfx, unsigned len)
{
	struct prefix q = *pfx;
	unsigned i;

	q.len = (uint8_t)len;
	for (i = len / 8; i < sizeof(q.b); i++)
		q.b[i] = i == len / 8 && len % 8 != 0 ?
		    (uint8_t)(q.b[i] & (0xff << (8 - len % 8))) : 0;
	return q;
}

/*
 * pfx is one of this node's own blocks (*exact) or lies beneath one: a
 * rib lookup per length from pfx's up to its pool's (blocks lie in pools:
 * the model refuses any other), looking for a path of local_src.
 */
static bool
under_own_block(const struct agent *ag, const struct ds_pool *pool,
    const struct prefix *pfx, bool *exact)
{
	const struct rib_entry *e;
	const struct rib_path *p;
	struct prefix q;

	if (ag->local_src.npaths == 0)
		return false;
	for (unsigned len = pfx->len + 1u; len-- > pool->cidr.len;) {
		q = prefix_cut(pfx, len);
		if ((e = rib_lookup(ag->rib, &q)) == NULL)
			continue;
		for (p = rib_entry_paths(e); p != NULL; p = p->next)
			if (p->src == &ag->local_src) {
				*exact = len == pfx->len;
				return true;
			}
	}
	return false;
}

/*
 * Calico's calico_export_to_bgp_peers: nothing inside a pool with
 * disableBGPExport (own blocks included); then calico_aggr: each own
 * block itself, and nothing beneath one (the pods' /32s are covered by
 * the block); then anything inside a pool: how a borrowed pod address,
 * learned from the kernel (learn_src) and beneath another node's block,
 * goes out as a /32. A disabled pool is exported as any other (Calico's
 * "disabled" only stops new IPAM allocations).
 */
static bool
export_ok(void *arg, const struct bgpd_peer_info *pi, const struct prefix *pfx,
    const struct rib_path *p)
{
	struct agent *ag = arg;
	const struct ds_pool *pool = agent_pool_of(ag, pfx);
	bool exact;

	if (agent_reach_path(ag, p))
		return false;	/* reachableBy: the kernel's only */
	switch (filter_export(ag, pi, pfx, p)) {
	case FILTER_ACCEPT:
		/* issue 15: Calico's filter ends at the BGPFilter's accept,
		 * before apply_communities (excomm.c) */
		bgpd_export_as_is(ag->bgpd);
		return true;
	case FILTER_REJECT:
		return false;
	case FILTER_NO_MATCH:
	default:
		break;
	}
	if (pool != NULL && pool->no_export)
		return false;
	if (p->src == &ag->local_src)
		return true;
	if (pool == NULL)	/* issue 15: service ranges (advert.c) */
		return advert_exports(ag, pfx);
	return !under_own_block(ag, pool, pfx, &exact) || exact;
}

const struct bgpd_ops agent_bgpd_ops = {
	.import_ok = import_ok,
	.export_ok = export_ok,
};

uint32_t
agent_tunl0(void)
{
	return nl_ifindex("tunl0");
}

/*
 * One more hop for BGP next hop nh (fibwant_hop: tunl0 onlink for IPIP as
 * calico_kernel_programming says), unless it is there already or the
 * want is full.
 */
static void
fib_hop(const struct agent *ag, const struct ds_pool *pool,
    const struct addr *nh, struct krt_want *w)
{
	for (size_t i = 0; i < w->nhops; i++)
		if (addr_eq(&w->hop[i].gw, nh))
			return;		/* the same next hop twice */
	if (w->nhops == KRT_ECMP_MAX)
		return;
	fibwant_hop(pool, &ag->local, agent_tunl0, nh,
	    &w->hop[w->nhops++]);
}

/*
 * The kernel protocol's `merge paths on` (calico-compat 6): the best path's
 * next hop and those of the paths mergable with it (rib_path_mergable:
 * equal up to the router id step), at most KRT_ECMP_MAX distinct ones.
 * Only the first FIB_ECMP_SCAN paths of a prefix are looked at, so that a
 * peer with thousands of add-path paths on one prefix cannot make each of
 * its changes cost a walk of all of them.
 */
#define FIB_ECMP_SCAN	64

static void
fib_ecmp(const struct agent *ag, const struct ds_pool *pool,
    const struct rib_path *best, struct krt_want *w)
{
	const struct rib_path *q;
	size_t n = 0;

	/* the rib hands over its entry's head: the other paths follow it,
	 * so a prefix with one path costs nothing here (no lookup) */
	for (q = best->next; q != NULL && n < FIB_ECMP_SCAN &&
	    w->nhops < KRT_ECMP_MAX; q = q->next, n++)
		if (q->src->kind == RIB_SRC_BGP && rib_path_mergable(best, q))
			fib_hop(ag, pool, &q->attrs->nexthop, w);
}

static bool
fib_want(const struct agent *ag, const struct prefix *pfx,
    const struct rib_path *p, struct krt_want *w)
{
	const struct ds_pool *pool = agent_pool_of(ag, pfx);

	memset(w, 0, sizeof(*w));
	if (p->src == &ag->learn_src)
		return false;	/* Felix's route is there: never ours */
	if (advert_in_range(ag, pfx))
		return false;	/* issue 15: a service range (advert.c) */
	if (!fibwant_programmed(pool))
		return false;	/* VXLAN: Felix programs it */
	if (p->src == &ag->local_src) {
		w->type = KRT_BLACKHOLE;
		return true;
	}
	w->type = KRT_UNICAST;
	fib_hop(ag, pool, &p->attrs->nexthop, w);
	fib_ecmp(ag, pool, p, w);
	return true;
}

/* Best path nb (NULL: none) of pfx (rib id) into krt. */
void
agent_fib_apply(struct agent *ag, const struct prefix *pfx, uint32_t id,
    const struct rib_path *nb)
{
	struct krt_want w;

	if (nb == NULL || !fib_want(ag, pfx, nb, &w))
		krt_unset(ag->krt, id, pfx);
	else
		krt_set(ag->krt, id, pfx, &w);
}

static void
log_route(const struct agent *ag, const struct prefix *pfx,
    const struct rib_path *nb)
{
	char p[PREFIX_STRLEN], nh[ADDR_STRLEN];

	prefix_fmt(pfx, p, sizeof(p));
	if (nb == NULL)
		log_debug("route del %s", p);
	else if (nb->src == &ag->local_src)
		log_debug("route add blackhole %s (own block)", p);
	else if (nb->src == &ag->learn_src)
		log_debug("route add %s (learned from the kernel)", p);
	else
		log_debug("route add %s via %s (%s)", p,
		    addr_fmt(&nb->attrs->nexthop, nh, sizeof(nh)),
		    nb->src->name);
}

/* The FIB side of best-path changes. */
static void
fib_best_changed(void *arg, const struct prefix *pfx, uint32_t id,
    const struct rib_path *nb, const struct rib_path *ob)
{
	struct agent *ag = arg;

	(void)ob;
	if ((log_debug_mask & LOG_D_ROUTES) && log_level >= LOG_LVL_DEBUG)
		log_route(ag, pfx, nb);
	if (ag->krt != NULL)
		agent_fib_apply(ag, pfx, id, nb);
}

/* ECMP: a path beside the best one changed; the set may have. */
static void
fib_paths_changed(void *arg, const struct prefix *pfx, uint32_t id,
    const struct rib_path *best)
{
	struct agent *ag = arg;

	if (ag->krt != NULL)
		agent_fib_apply(ag, pfx, id, best);
}

static void
peer_sync_cb(void *arg, const struct bgpd_peer_info *pi)
{
	bool *all = arg;

	if (!pi->eor_received)
		*all = false;
}

void
agent_check_sync(struct agent *ag)
{
	bool all = true;

	if (ag->fib_synced || !ag->synced)
		return;
	bgpd_peer_walk(ag->bgpd, peer_sync_cb, &all);
	if (!all && time(NULL) - ag->started < ag->conf->bgp.restart_time)
		return;
	ag->fib_synced = true;
	log_info("first full sync done%s: removing stale kernel routes",
	    all ? "" : " (restart time over)");
	bgpd_set_restarting(ag->bgpd, false);
	if (ag->krt != NULL)
		krt_synced(ag->krt);
}

static bool
krt_id_prefix(void *arg, uint32_t id, struct prefix *pfx)
{
	const struct agent *ag = arg;

	return rib_id_prefix(ag->rib, id, pfx);
}

static bool
krt_prefix_id(void *arg, const struct prefix *pfx, uint32_t *id)
{
	const struct agent *ag = arg;

	return rib_prefix_id(ag->rib, pfx, id);
}

static void
krt_other_route(void *arg, const struct nl_route *nr, bool deleted)
{
	struct agent *ag = arg;

	if (ag->learn != NULL)
		learn_route(ag->learn, nr, deleted);
}

static void
krt_other_resync(void *arg, bool begin)
{
	struct agent *ag = arg;

	if (ag->learn != NULL)
		learn_resync(ag->learn, begin);
}

static void
krt_other_link_down(void *arg, uint32_t ifindex)
{
	struct agent *ag = arg;

	if (ag->learn != NULL)
		learn_link_down(ag->learn, ifindex);
}

const struct krt_ops agent_krt_ops = {
	.id_prefix = krt_id_prefix,
	.prefix_id = krt_prefix_id,
	.other_route = krt_other_route,
	.other_resync = krt_other_resync,
	.other_link_down = krt_other_link_down,
};

/* A workload route came or went: this node's route, from learn_src. */
static void
learned_changed(void *arg, const struct prefix *pfx, bool present)
{
	struct agent *ag = arg;

	if (present)
		rib_update(ag->rib, &ag->learn_src, pfx, 0,
		    ag->local_attrs[pfx->af == AF_INET6]);
	else
		rib_withdraw(ag->rib, &ag->learn_src, pfx, 0);
}

/* ---- BGPFilter (issue 15; filter.h) ---- */

static bool
filter_import(struct agent *ag, const struct bgpd_peer_info *pi,
    const struct prefix *pfx)
{
	struct filter_ctx ctx = { .import = true, .same_as = !pi->ebgp };
	struct filter_route rt = { .pfx = pfx, .from_bgp = true };

	if (!filters_active(ag->filters))
		return true;
	return filters_eval(ag->filters, pi->conf->name, &ctx, &rt) !=
	    FILTER_REJECT;
}

_Static_assert(FILTER_IFNAME_LEN >= IF_NAMESIZE, "learn_ifname's buffer");

struct learned_route {
	struct agent		*ag;
	const struct prefix	*pfx;
};

static const char *
learned_ifname(void *arg, char *buf)
{
	struct learned_route *lr = arg;

	return lr->ag->learn != NULL ? learn_ifname(lr->ag->learn, lr->pfx,
	    buf) : NULL;
}

/*
 * The route as a rule sees it: learned from a BGP peer (source
 * RemotePeers) or ours; the interface of a workload route learned from
 * the kernel, looked up only when a rule asks for it; an own block has the
 * empty name (BIRD's ifname of its blackhole static route: "*" matches
 * it); a BGP route none (BIRD's is where its next hop resolves).
 */
static enum filter_verdict
filter_export(struct agent *ag, const struct bgpd_peer_info *pi,
    const struct prefix *pfx, const struct rib_path *p)
{
	struct filter_ctx ctx = { .import = false, .same_as = !pi->ebgp };
	struct learned_route lr = { ag, pfx };
	struct filter_route rt = { .pfx = pfx };

	if (!filters_active(ag->filters))
		return FILTER_NO_MATCH;
	rt.from_bgp = p->src->kind == RIB_SRC_BGP;
	if (p->src == &ag->local_src)
		rt.ifname = "";		/* BIRD's blackhole: ifname "" */
	else if (p->src == &ag->learn_src) {
		rt.get_ifname = learned_ifname;
		rt.arg = &lr;
	}
	return filters_eval(ag->filters, pi->conf->name, &ctx, &rt);
}

/* A session's filters changed in the directions what says. */
static void
filter_apply(void *arg, const char *session, unsigned what)
{
	struct agent *ag = arg;

	if (what & FILTER_CH_EXPORT) {
		log_info("%s: BGPFilter export rules changed: routes sent "
		    "re-evaluated", session);
		bgpd_peer_refresh_export(ag->bgpd, session);
	}
	if (what & FILTER_CH_IMPORT)
		log_info("%s: BGPFilter import rules changed: %s", session,
		    bgpd_peer_refresh_import(ag->bgpd, session) ==
		    BGPD_REFRESH_NONE ? "applied when the session is up" :
		    "routes requested again");
}

static void
filter_ev_cb(evutil_socket_t fd, short what, void *arg)
{
	struct agent *ag = arg;

	(void)fd;
	(void)what;
	filters_flush(ag->filters, filter_apply, ag);
}

/* After the datastore's commit: one refresh per session however many of
 * its filters changed in it. */
static void
filter_schedule(struct agent *ag)
{
	if (ag->ev_filter != NULL && filters_pending(ag->filters))
		event_active(ag->ev_filter, 0, 0);
}

static void
ds_filter_changed(void *arg, const struct ds_filter *nf,
    const struct ds_filter *of)
{
	struct agent *ag = arg;
	char buf[256];

	filters_set(ag->filters, nf != NULL ? nf->name : of->name, nf);
	if (nf != NULL && filter_unsupported(nf, buf, sizeof(buf)) > 0)
		log_warnx("BGPFilter %s: %s: never matches in ternd (it knows "
		    "the interface of routes learned from the kernel only)",
		    nf->name, buf);
	filter_schedule(ag);
}

static const struct rib_client_ops fib_client_ops = {
	.best_changed = fib_best_changed,
	.paths_changed = fib_paths_changed,
};

void
agent_glue_init(struct agent *ag)
{
	ag->local_src.name = "local";
	ag->local_src.kind = RIB_SRC_LOCAL;
	/* BIRD's name for the kernel protocol in Calico's config; local
	 * kind: the node hosting the pod prefers its own route */
	ag->learn_src.name = "kernel1";
	ag->learn_src.kind = RIB_SRC_LOCAL;
	ag->guard_dirty = true;
	log_ratelimit_init(&ag->unapplied_rl, LOG_LVL_WARNING, 60 * 1000, 20,
	    "BGPPeer options not applied");
	log_ratelimit_start(&ag->unapplied_rl, ag->base);
	ag->secrets = secrets_new(ag->base, secrets_changed, ag);
	local_attrs_refresh(ag);
	advert_init(ag);
	agent_reach_init(ag);
	ag->filters = filters_new();
	ag->ev_filter = event_new(ag->base, -1, 0, filter_ev_cb, ag);
	ag->fib_client = rib_client_add(ag->rib, &fib_client_ops, ag);
	ag->learn = learn_new(&(struct learn_params){
	    .interfaces = ag->conf->kernel.learn_interfaces,
	    .own_protocol = ag->conf->kernel.protocol,
	}, learned_changed, ag);
}

void
agent_glue_fini(struct agent *ag)
{
	log_ratelimit_fini(&ag->unapplied_rl);
	if (ag->ev_filter != NULL)
		event_free(ag->ev_filter);
	ag->ev_filter = NULL;
	filters_free(ag->filters);
	ag->filters = NULL;
	secrets_free(ag->secrets);
	ag->secrets = NULL;
	learn_free(ag->learn);
	ag->learn = NULL;
	advert_fini(ag);
	agent_reach_fini(ag);
	for (int i = 0; i < 2; i++) {
		if (ag->local_attrs[i])
			rib_attrs_unref(ag->rib, ag->local_attrs[i]);
		ag->local_attrs[i] = NULL;
	}
	if (ag->fib_client)
		rib_client_del(ag->rib, ag->fib_client);
	ag->fib_client = NULL;
	pfxset_fini(&ag->guard);
}
