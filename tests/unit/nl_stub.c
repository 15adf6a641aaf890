/*
 * nl_stub.c: the fake kernel of nl_stub.h behind every function of
 * netlink/netlink.h. One kernel per process (global, as the real one);
 * handles come and go over it. Linear searches: tests hold a few hundred
 * routes at most.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nl_stub.h"

#define NLS_MAX_ROUTES	8192
#define NLS_MAX_NH	1024
#define NLS_MAX_HANDLES	4
#define NLS_MAX_LINKS	16
#define NLS_SCOPE_LINK	253	/* RT_SCOPE_LINK */
#define NLS_MAX_LOG	65536	/* route requests remembered */

struct nls_nh {
	bool			 used;
	uint8_t			 protocol;
	struct nl_nexthop	 nh;
};

enum req_kind { REQ_ADD, REQ_REPLACE, REQ_DELETE };

struct nls_req {
	enum req_kind	 kind;
	struct nl_route	 r;
	uint64_t	 cookie;
	int		 err;
};

struct nl {
	uint8_t			 protocol;
	uint32_t		 table;
	const struct nl_ops	*ops;
	void			*arg;
	bool			 busy;
	struct nls_req		*q;
	size_t			 nq, qcap;
};

static struct {
	struct nl_route	 rt[NLS_MAX_ROUTES];
	bool		 rt_used[NLS_MAX_ROUTES];
	struct nls_nh	 nh[NLS_MAX_NH];
	struct nl	*handles[NLS_MAX_HANDLES];
	struct {
		char		 name[16];
		uint32_t	 index;
	}		 links[NLS_MAX_LINKS];
	size_t		 nlinks;
	bool		 nhobj;
	bool		 fail_open;
	size_t		 qlimit;
	size_t		 counts[NLS_NKINDS];
	size_t		 applied;
	struct {
		enum nls_kind	 kind;
		struct prefix	 pfx;
	}		 log[NLS_MAX_LOG];
	size_t		 nlog;
	struct {
		unsigned	 mask;
		bool		 any_pfx;
		struct prefix	 pfx;
		int		 n;
		int		 err;
	}		 fail;
} K;

static const struct nl_ops no_ops;

/* ---- helpers ---- */

struct prefix
nls_pfx(const char *s)
{
	struct prefix p;

	if (prefix_parse(s, &p) == -1) {
		fprintf(stderr, "nl_stub: bad prefix %s\n", s);
		abort();
	}
	return p;
}

struct addr
nls_addr(const char *s)
{
	struct addr a;

	if (addr_parse(s, &a) == -1) {
		fprintf(stderr, "nl_stub: bad address %s\n", s);
		abort();
	}
	return a;
}

static uint32_t
tbl(uint32_t t)
{
	return t == 0 ? NL_TABLE_MAIN : t;
}

/* One rule armed: does it take this request? */
static int
fail_take(enum nls_kind kind, const struct prefix *pfx)
{
	if (K.fail.n <= 0)
		return 0;
	if (K.fail.mask != 0 && !(K.fail.mask & NLS_K(kind)))
		return 0;
	if (!K.fail.any_pfx && (pfx == NULL || !prefix_eq(pfx, &K.fail.pfx)))
		return 0;
	K.fail.n--;
	return K.fail.err;
}

/* ---- set-up ---- */

void
nls_reset(void)
{
	for (size_t i = 0; i < NLS_MAX_HANDLES; i++)
		if (K.handles[i] != NULL)
			K.handles[i]->ops = &no_ops;	/* leaked by the test */
	memset(&K, 0, sizeof(K));
	K.nhobj = true;
	K.qlimit = 256;
}

void
nls_set_nexthop_objects(bool on)
{
	K.nhobj = on;
}

void
nls_set_queue_limit(size_t n)
{
	K.qlimit = n > 0 ? n : 1;
}

void
nls_fail_open(bool on)
{
	K.fail_open = on;
}

void
nls_link(const char *name, uint32_t ifindex)
{
	if (K.nlinks == NLS_MAX_LINKS)
		abort();
	snprintf(K.links[K.nlinks].name, sizeof(K.links[0].name), "%s", name);
	K.links[K.nlinks++].index = ifindex;
}

void
nls_fail_next(unsigned mask, const struct prefix *pfx, int n, int err)
{
	K.fail.mask = mask;
	K.fail.any_pfx = pfx == NULL;
	if (pfx != NULL)
		K.fail.pfx = *pfx;
	K.fail.n = n;
	K.fail.err = err;
}

/* ---- the routing table ---- */

static int
rt_slot(uint32_t table, const struct prefix *pfx, uint32_t prio)
{
	for (int i = 0; i < NLS_MAX_ROUTES; i++)
		if (K.rt_used[i] && K.rt[i].table == table &&
		    K.rt[i].priority == prio && prefix_eq(&K.rt[i].dst, pfx))
			return i;
	return -1;
}

static void
rt_put(const struct nl_route *r)
{
	int i = rt_slot(r->table, &r->dst, r->priority);

	for (int j = 0; i == -1 && j < NLS_MAX_ROUTES; j++)
		if (!K.rt_used[j])
			i = j;
	if (i == -1) {
		fprintf(stderr, "nl_stub: table full\n");
		abort();
	}
	K.rt[i] = *r;
	K.rt_used[i] = true;
}

static struct nls_nh *
nh_find(uint32_t id)
{
	for (int i = 0; id != 0 && i < NLS_MAX_NH; i++)
		if (K.nh[i].used && K.nh[i].nh.id == id)
			return &K.nh[i];
	return NULL;
}

/* The connected (link-scope, gateway-less) main-table route covering gw
 * on oif (0: any). */
static const struct nl_route *
connected(const struct addr *gw, uint32_t oif)
{
	const struct nl_route *best = NULL;

	for (int i = 0; i < NLS_MAX_ROUTES; i++) {
		const struct nl_route *r = &K.rt[i];

		if (!K.rt_used[i] || r->table != NL_TABLE_MAIN ||
		    r->scope != NLS_SCOPE_LINK || r->type != NL_RT_UNICAST ||
		    addr_is_set(&r->gw) || r->nh_id != 0 ||
		    !prefix_contains_addr(&r->dst, gw) ||
		    (oif != 0 && r->oif != oif))
			continue;
		if (best == NULL || r->dst.len > best->dst.len)
			best = r;
	}
	return best;
}

/* fib_check_nh_v4_gw: the gateway must be on a link (unless onlink). */
static int
gw_check(const struct addr *gw, uint32_t *oif, bool onlink)
{
	const struct nl_route *c;

	if (onlink)
		return *oif != 0 ? 0 : -EINVAL;
	if ((c = connected(gw, *oif)) == NULL)
		return -ENETUNREACH;
	*oif = c->oif;
	return 0;
}

/* Remove every route using object id (no notification). */
static void
rt_drop_nh(uint32_t id)
{
	for (int i = 0; i < NLS_MAX_ROUTES; i++)
		if (K.rt_used[i] && K.rt[i].type == NL_RT_UNICAST &&
		    K.rt[i].nh_id == id)
			K.rt_used[i] = false;
}

static void
nh_remove(struct nls_nh *n)
{
	uint32_t id = n->nh.id;

	n->used = false;
	rt_drop_nh(id);
	for (int i = 0; i < NLS_MAX_NH; i++) {
		struct nl_nexthop *g = &K.nh[i].nh;
		size_t j, k;

		if (!K.nh[i].used || g->ngroup == 0)
			continue;
		for (j = k = 0; j < g->ngroup; j++)
			if (g->group[j] != id)
				g->group[k++] = g->group[j];
		g->ngroup = k;
		if (k == 0)
			nh_remove(&K.nh[i]);
	}
}

/* Validate and store a route as the kernel would keep it. */
static int
rt_build(const struct nl *nl, const struct nl_route *in, struct nl_route *r)
{
	*r = *in;
	r->protocol = nl->protocol;
	r->table = nl->table;
	r->scope = 0;
	if (r->type != NL_RT_UNICAST) {
		r->nh_id = 0;
		r->oif = 0;
		r->onlink = false;
		memset(&r->gw, 0, sizeof(r->gw));
		return 0;
	}
	if (r->nh_id != 0) {
		/* with RTA_NH_ID, gw/oif are not sent (nlmsg.c) */
		memset(&r->gw, 0, sizeof(r->gw));
		r->oif = 0;
		r->onlink = false;
		if (!K.nhobj)
			return -EINVAL;
		return nh_find(r->nh_id) != NULL ? 0 : -EINVAL;
	}
	if (!addr_is_set(&r->gw)) {
		if (r->oif == 0)
			return -EINVAL;
		r->scope = NLS_SCOPE_LINK;
		return 0;
	}
	return gw_check(&r->gw, &r->oif, r->onlink);
}

static int
k_route(const struct nl *nl, const struct nls_req *q)
{
	struct nl_route r;
	int i, err;

	if (q->kind == REQ_DELETE) {
		i = rt_slot(nl->table, &q->r.dst, q->r.priority);
		if (i == -1 || K.rt[i].protocol != nl->protocol)
			return -ESRCH;
		K.rt_used[i] = false;
		return 0;
	}
	if ((err = rt_build(nl, &q->r, &r)) != 0)
		return err;
	if (q->kind == REQ_ADD && rt_slot(r.table, &r.dst, r.priority) != -1)
		return -EEXIST;
	rt_put(&r);
	return 0;
}

/* ---- handles and the queue ---- */

struct nl *
nl_new(struct event_base *base, uint8_t protocol, uint32_t table,
    const struct nl_ops *ops, void *arg)
{
	struct nl *nl;

	(void)base;
	if (K.fail_open)
		return NULL;
	nl = calloc(1, sizeof(*nl));
	if (nl == NULL)
		abort();
	nl->protocol = protocol;
	nl->table = tbl(table);
	nl->ops = ops != NULL ? ops : &no_ops;
	nl->arg = arg;
	for (size_t i = 0; i < NLS_MAX_HANDLES; i++) {
		if (K.handles[i] == NULL) {
			K.handles[i] = nl;
			return nl;
		}
	}
	abort();
}

void
nl_free(struct nl *nl)
{
	if (nl == NULL)
		return;
	for (size_t i = 0; i < NLS_MAX_HANDLES; i++)
		if (K.handles[i] == nl)
			K.handles[i] = NULL;
	free(nl->q);
	free(nl);
}

bool
nl_nexthop_objects(const struct nl *nl)
{
	(void)nl;
	return K.nhobj;
}

size_t
nl_queued(const struct nl *nl)
{
	return nl->nq;
}

/* The kernel applies the whole batch, then the acks are read. */
static void
batch_run(struct nl *nl)
{
	size_t n = nl->nq;
	enum nls_kind kind;

	if (n == 0)
		return;
	nl->busy = true;
	for (size_t i = 0; i < n; i++) {
		struct nls_req *q = &nl->q[i];

		kind = q->kind == REQ_ADD ? NLS_ADD : q->kind == REQ_REPLACE ?
		    NLS_REPLACE : NLS_DELETE;
		if ((q->err = -fail_take(kind, &q->r.dst)) == 0 &&
		    (q->err = k_route(nl, q)) == 0)
			K.applied++;
	}
	for (size_t i = 0; i < n; i++)
		if (nl->ops->done != NULL)
			nl->ops->done(nl->arg, nl->q[i].cookie, nl->q[i].err);
	nl->nq = 0;
	nl->busy = false;
}

int
nl_flush(struct nl *nl)
{
	if (nl->busy) {
		errno = EBUSY;
		return -1;
	}
	batch_run(nl);
	return 0;
}

static bool
route_valid(const struct nl_route *r)
{
	if (r->dst.af != AF_INET && r->dst.af != AF_INET6)
		return false;
	if (r->dst.len > af_maxlen(r->dst.af))
		return false;
	if (r->type != NL_RT_UNICAST && r->type != NL_RT_BLACKHOLE)
		return false;
	return !addr_is_set(&r->gw) || r->gw.af == r->dst.af;
}

static int
enqueue(struct nl *nl, enum req_kind kind, enum nls_kind ck,
    const struct nl_route *r, uint64_t cookie)
{
	if (nl->busy) {
		errno = EBUSY;
		return -1;
	}
	if (!route_valid(r)) {
		errno = EINVAL;
		return -1;
	}
	K.counts[ck]++;
	if (K.nlog < NLS_MAX_LOG) {
		K.log[K.nlog].kind = ck;
		K.log[K.nlog++].pfx = r->dst;
	}
	if (nl->nq >= K.qlimit)
		batch_run(nl);
	if (nl->nq == nl->qcap) {
		nl->qcap = nl->qcap ? nl->qcap * 2 : 64;
		nl->q = realloc(nl->q, nl->qcap * sizeof(*nl->q));
		if (nl->q == NULL)
			abort();
	}
	nl->q[nl->nq].kind = kind;
	nl->q[nl->nq].r = *r;
	nl->q[nl->nq].cookie = cookie;
	nl->q[nl->nq].err = 0;
	nl->nq++;
	return 0;
}

int
nl_route_replace(struct nl *nl, const struct nl_route *r, uint64_t cookie)
{
	return enqueue(nl, REQ_REPLACE, NLS_REPLACE, r, cookie);
}

int
nl_route_add(struct nl *nl, const struct nl_route *r, uint64_t cookie)
{
	return enqueue(nl, REQ_ADD, NLS_ADD, r, cookie);
}

int
nl_route_delete(struct nl *nl, const struct nl_route *r, uint64_t cookie)
{
	return enqueue(nl, REQ_DELETE, NLS_DELETE, r, cookie);
}

/* ---- synchronous requests: flush first (fib.c sync_begin) ---- */

static int
sync_begin(struct nl *nl, enum nls_kind kind, bool objects)
{
	int err;

	if (nl->busy) {
		errno = EBUSY;
		return -1;
	}
	batch_run(nl);
	K.counts[kind]++;
	if (objects && !K.nhobj) {
		errno = EOPNOTSUPP;
		return -1;
	}
	if ((err = fail_take(kind, NULL)) != 0) {
		errno = err;
		return -1;
	}
	return 0;
}

static int
ret(int err)
{
	if (err == 0)
		return 0;
	errno = -err;
	return -1;
}

static int
nh_single(struct nl *nl, enum nls_kind kind, uint32_t id,
    const struct addr *gw, uint32_t oif, bool onlink)
{
	struct nls_nh *n;
	int err;

	if (sync_begin(nl, kind, true) == -1)
		return -1;
	if (id == 0 || oif == 0 || (gw->af != AF_INET && gw->af != AF_INET6))
		return ret(-EINVAL);	/* not encoded (nlmsg.c) */
	if ((err = gw_check(gw, &oif, onlink)) != 0)
		return ret(err);
	if ((n = nh_find(id)) != NULL) {
		if (kind == NLS_NH_ADD)
			return ret(-EEXIST);
		if (n->nh.ngroup > 0)
			return ret(-EINVAL);
	}
	for (int i = 0; n == NULL && i < NLS_MAX_NH; i++)
		if (!K.nh[i].used)
			n = &K.nh[i];
	if (n == NULL)
		abort();
	memset(n, 0, sizeof(*n));
	n->used = true;
	n->protocol = nl->protocol;
	n->nh.id = id;
	n->nh.gw = *gw;
	n->nh.oif = oif;
	n->nh.onlink = onlink;
	return 0;
}

int
nl_nh_replace(struct nl *nl, uint32_t id, const struct addr *gw,
    uint32_t oif, bool onlink)
{
	return nh_single(nl, NLS_NH_REPLACE, id, gw, oif, onlink);
}

int
nl_nh_add(struct nl *nl, uint32_t id, const struct addr *gw, uint32_t oif,
    bool onlink)
{
	return nh_single(nl, NLS_NH_ADD, id, gw, oif, onlink);
}

static int
nh_group(struct nl *nl, bool add, uint32_t id, const uint32_t *m, size_t n)
{
	struct nls_nh *g, *x;

	if (sync_begin(nl, NLS_NH_GROUP, true) == -1)
		return -1;
	if (id == 0 || n == 0 || n > NL_GROUP_MAX)
		return ret(-EINVAL);
	for (size_t i = 0; i < n; i++)
		if ((x = nh_find(m[i])) == NULL || x->nh.ngroup > 0 ||
		    x->nh.blackhole)
			return ret(-EINVAL);
	if ((g = nh_find(id)) != NULL) {
		if (add)
			return ret(-EEXIST);
		if (g->nh.ngroup == 0)
			return ret(-EINVAL);
	}
	for (int i = 0; g == NULL && i < NLS_MAX_NH; i++)
		if (!K.nh[i].used)
			g = &K.nh[i];
	if (g == NULL)
		abort();
	memset(g, 0, sizeof(*g));
	g->used = true;
	g->protocol = nl->protocol;
	g->nh.id = id;
	memcpy(g->nh.group, m, n * sizeof(*m));
	g->nh.ngroup = n;
	return 0;
}

int
nl_nh_group_add(struct nl *nl, uint32_t id, const uint32_t *m, size_t n)
{
	return nh_group(nl, true, id, m, n);
}

int
nl_nh_group_replace(struct nl *nl, uint32_t id, const uint32_t *m, size_t n)
{
	return nh_group(nl, false, id, m, n);
}

int
nl_nh_delete(struct nl *nl, uint32_t id)
{
	struct nls_nh *n;

	if (sync_begin(nl, NLS_NH_DELETE, true) == -1)
		return -1;
	if ((n = nh_find(id)) == NULL)
		return ret(-ENOENT);
	nh_remove(n);
	return 0;
}

/* ---- dumps ---- */

/* A route as a dump or an event shows it. */
static struct nl_route
shown(const struct nl_route *r)
{
	struct nl_route o = *r;

	if (o.nh_id != 0) {
		memset(&o.gw, 0, sizeof(o.gw));
		o.oif = 0;
	}
	return o;
}

/* Snapshot first: a callback may not change the table (busy), but the
 * order is the table's, sorted by prefix for determinism. */
static int
pfx_sort(const void *a, const void *b)
{
	const struct nl_route *x = a, *y = b;
	int c = prefix_cmp(&x->dst, &y->dst);

	if (c != 0)
		return c;
	return x->priority < y->priority ? -1 : x->priority > y->priority;
}

static int
route_walk(struct nl *nl, enum nls_kind kind, bool all,
    void (*cb)(void *, const struct nl_route *), void *arg)
{
	struct nl_route *v;
	size_t n = 0;

	if (sync_begin(nl, kind, false) == -1)
		return -1;
	v = calloc(NLS_MAX_ROUTES, sizeof(*v));
	if (v == NULL)
		abort();
	for (int i = 0; i < NLS_MAX_ROUTES; i++) {
		const struct nl_route *r = &K.rt[i];

		if (!K.rt_used[i] || r->table != nl->table)
			continue;
		if (all ? r->type == NL_RT_OTHER : r->protocol != nl->protocol)
			continue;
		v[n++] = shown(r);
	}
	qsort(v, n, sizeof(*v), pfx_sort);
	nl->busy = true;
	for (size_t i = 0; i < n; i++)
		if (cb != NULL)
			cb(arg, &v[i]);
	nl->busy = false;
	free(v);
	return 0;
}

int
nl_route_dump(struct nl *nl, void (*cb)(void *, const struct nl_route *),
    void *arg)
{
	return route_walk(nl, NLS_ROUTE_DUMP, false, cb, arg);
}

int
nl_table_dump(struct nl *nl, void (*cb)(void *, const struct nl_route *),
    void *arg)
{
	return route_walk(nl, NLS_TABLE_DUMP, true, cb, arg);
}

int
nl_nh_dump(struct nl *nl, void (*cb)(void *, const struct nl_nexthop *),
    void *arg)
{
	struct nl_nexthop *v;
	size_t n = 0;

	if (sync_begin(nl, NLS_NH_DUMP, true) == -1)
		return -1;
	v = calloc(NLS_MAX_NH, sizeof(*v));
	if (v == NULL)
		abort();
	for (int i = 0; i < NLS_MAX_NH; i++)
		if (K.nh[i].used && K.nh[i].protocol == nl->protocol)
			v[n++] = K.nh[i].nh;
	nl->busy = true;
	for (size_t i = 0; i < n; i++)
		if (cb != NULL)
			cb(arg, &v[i]);
	nl->busy = false;
	free(v);
	return 0;
}

/* ---- lookups ---- */

bool
nls_via(const struct nl_route *r, struct addr *gw, uint32_t *oif)
{
	const struct nls_nh *n;

	memset(gw, 0, sizeof(*gw));
	*oif = 0;
	if (r->type != NL_RT_UNICAST)
		return false;
	if (r->nh_id == 0) {
		*gw = r->gw;
		*oif = r->oif;
		return true;
	}
	if ((n = nh_find(r->nh_id)) == NULL)
		return false;
	if (n->nh.ngroup > 0 && (n = nh_find(n->nh.group[0])) == NULL)
		return false;
	if (n->nh.blackhole)
		return false;
	*gw = n->nh.gw;
	*oif = n->nh.oif;
	return true;
}

/* Longest prefix match in the main table, lowest metric on a tie. */
static const struct nl_route *
lpm(const struct addr *dst)
{
	const struct nl_route *best = NULL;

	for (int i = 0; i < NLS_MAX_ROUTES; i++) {
		const struct nl_route *r = &K.rt[i];

		if (!K.rt_used[i] || r->table != NL_TABLE_MAIN ||
		    r->dst.af != dst->af || !prefix_contains_addr(&r->dst, dst))
			continue;
		if (best == NULL || r->dst.len > best->dst.len ||
		    (r->dst.len == best->dst.len &&
		    r->priority < best->priority))
			best = r;
	}
	return best;
}

static int
do_lookup(struct nl *nl, enum nls_kind kind, const struct addr *dst,
    struct nl_hop *out)
{
	const struct nl_route *r;
	struct addr gw;
	uint32_t oif;

	if (sync_begin(nl, kind, false) == -1)
		return -1;
	if ((r = lpm(dst)) == NULL || !nls_via(r, &gw, &oif)) {
		errno = ENETUNREACH;
		return -1;
	}
	memset(out, 0, sizeof(*out));
	out->match = r->dst;
	out->protocol = r->protocol;
	out->table = r->table;
	out->gw = gw;
	out->oif = oif;
	return 0;
}

int
nl_resolve(struct nl *nl, const struct addr *gw, uint32_t *oif)
{
	struct nl_hop h;

	if (do_lookup(nl, NLS_RESOLVE, gw, &h) == -1)
		return -1;
	*oif = h.oif;
	return 0;
}

int
nl_lookup(struct nl *nl, const struct addr *dst, struct nl_hop *out)
{
	return do_lookup(nl, NLS_LOOKUP, dst, out);
}

uint32_t
nl_ifindex(const char *name)
{
	for (size_t i = 0; i < K.nlinks; i++)
		if (strcmp(K.links[i].name, name) == 0)
			return K.links[i].index;
	return 0;
}

/* ---- the kernel behind the module's back ---- */

void
nls_connected(const char *pfx, uint32_t ifindex)
{
	struct nl_route r;

	memset(&r, 0, sizeof(r));
	r.dst = nls_pfx(pfx);
	r.type = NL_RT_UNICAST;
	r.oif = ifindex;
	r.protocol = NLS_PROTO_KERNEL;
	r.scope = NLS_SCOPE_LINK;
	r.table = NL_TABLE_MAIN;
	rt_put(&r);
}

void
nls_put_route(const struct nl_route *in)
{
	struct nl_route r = *in;

	r.table = tbl(r.table);
	rt_put(&r);
}

bool
nls_drop_route(const struct prefix *pfx, uint32_t table, uint8_t protocol)
{
	for (int i = 0; i < NLS_MAX_ROUTES; i++) {
		if (K.rt_used[i] && K.rt[i].table == tbl(table) &&
		    K.rt[i].protocol == protocol && prefix_eq(&K.rt[i].dst, pfx)) {
			K.rt_used[i] = false;
			return true;
		}
	}
	return false;
}

void
nls_put_nh(uint32_t id, uint8_t protocol, const struct addr *gw,
    uint32_t oif)
{
	struct nls_nh *n = nh_find(id);

	for (int i = 0; n == NULL && i < NLS_MAX_NH; i++)
		if (!K.nh[i].used)
			n = &K.nh[i];
	if (n == NULL)
		abort();
	memset(n, 0, sizeof(*n));
	n->used = true;
	n->protocol = protocol;
	n->nh.id = id;
	n->nh.gw = *gw;
	n->nh.oif = oif;
}

/* ---- another program, reported by the monitor ---- */

void
nls_inject_route(const struct nl_route *in, bool deleted)
{
	struct nl_route r = *in, ev;
	int i;

	r.table = tbl(r.table);
	if (deleted) {
		i = rt_slot(r.table, &r.dst, r.priority);
		if (i == -1 || K.rt[i].protocol != r.protocol)
			return;		/* nothing deleted: no event */
		r = K.rt[i];
		K.rt_used[i] = false;
	} else
		rt_put(&r);
	ev = shown(&r);
	for (size_t h = 0; h < NLS_MAX_HANDLES; h++) {
		struct nl *nl = K.handles[h];

		if (nl == NULL || r.table == 255)
			continue;
		if (r.protocol == nl->protocol && r.table == nl->table) {
			if (nl->ops->route_changed != NULL)
				nl->ops->route_changed(nl->arg, &ev, deleted);
		} else if (r.protocol != nl->protocol &&
		    (r.table == nl->table || r.table == NL_TABLE_MAIN)) {
			if (nl->ops->other_route_changed != NULL)
				nl->ops->other_route_changed(nl->arg, &ev,
				    deleted);
		}
	}
}

void
nls_inject_nh(uint32_t id, uint8_t protocol, const struct addr *gw,
    uint32_t oif, bool deleted)
{
	struct nls_nh *n = nh_find(id);

	if (deleted) {
		if (n == NULL)
			return;
		protocol = n->protocol;
		nh_remove(n);
	} else
		nls_put_nh(id, protocol, gw, oif);
	for (size_t h = 0; h < NLS_MAX_HANDLES; h++) {
		struct nl *nl = K.handles[h];

		if (nl != NULL && nl->protocol == protocol &&
		    nl->ops->nexthop_changed != NULL)
			nl->ops->nexthop_changed(nl->arg, id, deleted);
	}
}

void
nls_inject_enobufs(void)
{
	for (size_t h = 0; h < NLS_MAX_HANDLES; h++) {
		struct nl *nl = K.handles[h];

		if (nl != NULL && nl->ops->resync_needed != NULL)
			nl->ops->resync_needed(nl->arg);
	}
}

/* A link went down (up false) or came up: the ops are told, as the
 * monitor would; the table is not changed (the caller drops what the
 * kernel would drop silently, with nls_drop_route). */
void
nls_inject_link(uint32_t ifindex, bool up)
{
	for (size_t h = 0; h < NLS_MAX_HANDLES; h++) {
		struct nl *nl = K.handles[h];

		if (nl != NULL && nl->ops->link_changed != NULL)
			nl->ops->link_changed(nl->arg, ifindex, up);
	}
}

/* ---- read back ---- */

size_t
nls_count(enum nls_kind kind)
{
	return K.counts[kind];
}

void
nls_counts_reset(void)
{
	memset(K.counts, 0, sizeof(K.counts));
	K.applied = 0;
	K.nlog = 0;
}

size_t
nls_reqs(enum nls_kind kind, const struct prefix *pfx)
{
	size_t n = 0;

	for (size_t i = 0; i < K.nlog; i++)
		n += K.log[i].kind == kind && prefix_eq(&K.log[i].pfx, pfx);
	return n;
}

size_t
nls_applied(void)
{
	return K.applied;
}

const struct nl_route *
nls_find(const struct prefix *pfx, uint32_t table)
{
	const struct nl_route *best = NULL;

	for (int i = 0; i < NLS_MAX_ROUTES; i++)
		if (K.rt_used[i] && K.rt[i].table == tbl(table) &&
		    prefix_eq(&K.rt[i].dst, pfx) && (best == NULL ||
		    K.rt[i].priority < best->priority))
			best = &K.rt[i];
	return best;
}

size_t
nls_routes(uint8_t protocol)
{
	size_t n = 0;

	for (int i = 0; i < NLS_MAX_ROUTES; i++)
		n += K.rt_used[i] && (protocol == NLS_ANY ||
		    K.rt[i].protocol == protocol);
	return n;
}

size_t
nls_nhs(uint8_t protocol)
{
	size_t n = 0;

	for (int i = 0; i < NLS_MAX_NH; i++)
		n += K.nh[i].used && (protocol == NLS_ANY ||
		    K.nh[i].protocol == protocol);
	return n;
}

const struct nl_nexthop *
nls_nh(uint32_t id, uint8_t *protocol)
{
	const struct nls_nh *n = nh_find(id);

	if (n == NULL)
		return NULL;
	if (protocol != NULL)
		*protocol = n->protocol;
	return &n->nh;
}
