/*
 * reach.c (issue 15): BGPPeer reachableBy. Calico's bird.cfg template
 * gives a peer with reachableBy a static route to the peer's address via
 * that gateway,
 *
 *	protocol static { route <peerIP>/32 via <reachableBy>; }
 *
 * which BIRD's kernel protocol installs and calico_export_to_bgp_peers
 * never announces (it is in no pool). ternd: the same route, a path of
 * reach_src ("static2", local kind: it wins over a BGP path to the same
 * address, as BIRD's static preference 200 does over BGP's 100) with the
 * gateway as its next hop; fib_want puts it in the kernel as any routed
 * path (via the gateway, proto bird); export_ok refuses every path of it.
 *
 * The set is rebuilt from the datastore's view after a change of peers
 * (deferred: the view is complete only once the commit is), so two
 * sessions to one address (different ports) keep the route while either
 * wants it; two gateways for one address: the first session's (ds_peers'
 * order), the other said at each change of peers.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "agent.h"
#include "log.h"
#include "proto.h"
#include "xmalloc.h"

struct reach_route {
	struct prefix	 pfx;
	struct addr	 gw;
};

struct reach {
	struct reach_route	*v;	/* in the rib now */
	size_t			 n;
	struct event		*ev;
};

static struct prefix
host_prefix(const struct addr *a)
{
	struct prefix p;

	memset(&p, 0, sizeof(p));
	p.af = a->af;
	p.len = a->af == AF_INET6 ? 128 : 32;
	memcpy(p.b, a->b, a->af == AF_INET6 ? 16 : 4);
	return p;
}

static const struct reach_route *
find(const struct reach_route *v, size_t n, const struct prefix *p)
{
	for (size_t i = 0; i < n; i++)
		if (prefix_eq(&v[i].pfx, p))
			return &v[i];
	return NULL;
}

static void
originate(struct agent *ag, const struct reach_route *r)
{
	struct rib_attrs t;
	const struct rib_attrs *a;

	memset(&t, 0, sizeof(t));
	t.origin = BGP_ORIGIN_IGP;
	t.nexthop = r->gw;
	a = rib_attrs_intern(ag->rib, &t);
	rib_update(ag->rib, &ag->reach_src, &r->pfx, 0, a);
	rib_attrs_unref(ag->rib, a);
}

/* What the view wants: a route per peer address with reachableBy. */
static size_t
wanted(struct agent *ag, struct reach_route **out)
{
	size_t np, n = 0;
	const struct ds_peer *v = ds_peers(ag->ds, &np);
	struct reach_route *w = np ? xreallocarray(NULL, np, sizeof(*w)) : NULL;
	char a[ADDR_STRLEN], g[ADDR_STRLEN], d[ADDR_STRLEN];
	const struct reach_route *dup;

	for (size_t i = 0; i < np; i++) {
		const struct addr *gw = &v[i].opts->reachable_by;
		struct prefix p;

		if (!addr_is_set(gw) || gw->af != v[i].addr.af)
			continue;
		p = host_prefix(&v[i].addr);
		if ((dup = find(w, n, &p)) != NULL) {
			if (!addr_eq(&dup->gw, gw))
				log_warnx("%s: reachableBy %s ignored: %s is "
				    "reached via %s already", v[i].name,
				    addr_fmt(gw, g, sizeof(g)),
				    addr_fmt(&v[i].addr, a, sizeof(a)),
				    addr_fmt(&dup->gw, d, sizeof(d)));
			continue;
		}
		w[n].pfx = p;
		w[n++].gw = *gw;
	}
	*out = w;
	return n;
}

static void
sync_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct agent *ag = arg;
	struct reach *r = ag->reach;
	struct reach_route *w;
	const struct reach_route *o;
	char p[PREFIX_STRLEN], g[ADDR_STRLEN];
	size_t n;

	(void)fd;
	(void)ev;
	n = wanted(ag, &w);
	for (size_t i = 0; i < r->n; i++)
		if (find(w, n, &r->v[i].pfx) == NULL) {
			rib_withdraw(ag->rib, &ag->reach_src, &r->v[i].pfx, 0);
			log_info("reachableBy: route %s removed",
			    prefix_fmt(&r->v[i].pfx, p, sizeof(p)));
		}
	for (size_t i = 0; i < n; i++) {
		o = find(r->v, r->n, &w[i].pfx);
		if (o != NULL && addr_eq(&o->gw, &w[i].gw))
			continue;
		originate(ag, &w[i]);
		log_info("reachableBy: route %s via %s",
		    prefix_fmt(&w[i].pfx, p, sizeof(p)),
		    addr_fmt(&w[i].gw, g, sizeof(g)));
	}
	free(r->v);
	r->v = w;
	r->n = n;
}

void
agent_reach_init(struct agent *ag)
{
	ag->reach_src.name = "static2";
	ag->reach_src.kind = RIB_SRC_LOCAL;
	ag->reach = xcalloc(1, sizeof(*ag->reach));
	ag->reach->ev = evtimer_new(ag->base, sync_cb, ag);
	if (ag->reach->ev == NULL)
		fatalx("evtimer_new");
}

/* The peers changed: the routes follow once the commit is over. */
void
agent_reach_sync(struct agent *ag)
{
	if (ag->reach != NULL && ag->ds != NULL)
		event_active(ag->reach->ev, EV_TIMEOUT, 0);
}

bool
agent_reach_path(const struct agent *ag, const struct rib_path *p)
{
	return p->src == &ag->reach_src;
}

void
agent_reach_fini(struct agent *ag)
{
	if (ag->reach == NULL)
		return;
	event_free(ag->reach->ev);
	free(ag->reach->v);
	free(ag->reach);
	ag->reach = NULL;
}
