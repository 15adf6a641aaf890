/*
 * model.c: the backend-independent cluster model and its diffing commit.
 *
 * Owns the raw facts (RB trees, libbsd) and the last committed view (sorted
 * arrays). ds_model_commit() derives the view from scratch (the peers by
 * the Calico rules in derive.c) and walks old and new views side by side,
 * so each hook sees only what changed: removals and changes first, then
 * additions. Derivation is cheap
 * at the sizes in SPEC 6 (hundreds of nodes, thousands of blocks) and is
 * skipped for the parts no setter touched.
 *
 * Pools and blocks are checked as they are derived (SPEC 3): a pool or
 * block that is a default route, has a prefix length outside its family's
 * range (below), or covers a node's address, and a block outside every
 * accepted pool, is refused: it stays out of the view, as if absent, and
 * is logged once, naming it and why, when it is first refused; nothing
 * else changes. Ranges: blocks IPv4 /20../32 and IPv6 /116../128
 * (Calico's blockSize validation); pools IPv4 /8../32 and IPv6 /32../128
 * (a shorter pool would let mesh peers route a large part of the address
 * space). Besides these lines it must not log, block, or know where the
 * facts come from.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "derive.h"
#include "labels.h"
#include "log.h"
#include "model.h"
#include "options.h"
#include "xmalloc.h"

/* Sane prefix lengths (see above) */
#define DS_BLOCK4_MIN	20
#define DS_BLOCK6_MIN	116
#define DS_POOL4_MIN	8
#define DS_POOL6_MIN	32

struct ds_mpool {
	RB_ENTRY(ds_mpool)	 entry;
	struct ds_pool		 p;
};

struct ds_mblock {
	RB_ENTRY(ds_mblock)	 entry;
	struct prefix		 p;
};

int
ds_mnode_cmp(const struct ds_mnode *a, const struct ds_mnode *b)
{
	return strcmp(a->n.name, b->n.name);
}

static int
mpool_cmp(const struct ds_mpool *a, const struct ds_mpool *b)
{
	return prefix_cmp(&a->p.cidr, &b->p.cidr);
}

static int
mblock_cmp(const struct ds_mblock *a, const struct ds_mblock *b)
{
	return prefix_cmp(&a->p, &b->p);
}

/* by id; peers without one (id "") by (node, addr), before the others */
int
ds_mpeer_cmp(const struct ds_mpeer *a, const struct ds_mpeer *b)
{
	int c = strcmp(a->p.id, b->p.id);

	if (c != 0 || a->p.id[0] != '\0')
		return c;
	c = strcmp(a->p.node, b->p.node);
	return c != 0 ? c : addr_cmp(&a->p.addr, &b->p.addr);
}

/* RB_GENERATE_STATIC wants __unused, which libbsd leaves undefined */
#define DS_RB_STATIC	__attribute__((unused)) static
RB_GENERATE(ds_mnode_tree, ds_mnode, entry, ds_mnode_cmp)
RB_GENERATE_INTERNAL(ds_mpool_tree, ds_mpool, entry, mpool_cmp, DS_RB_STATIC)
RB_GENERATE_INTERNAL(ds_mblock_tree, ds_mblock, entry, mblock_cmp,
    DS_RB_STATIC)
RB_GENERATE(ds_mpeer_tree, ds_mpeer, entry, ds_mpeer_cmp)

static bool
name_ok(const char *s)
{
	return s[0] != '\0' && memchr(s, '\0', DS_NAME_MAX) != NULL;
}

static bool
af_ok(uint8_t af)
{
	return af == AF_INET || af == AF_INET6;
}

void
ds_model_init(struct ds_model *m, const char *self)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->self, sizeof(m->self), "%s", self != NULL ? self : "");
	m->node_mesh = true;
	RB_INIT(&m->nodes);
	RB_INIT(&m->pools);
	RB_INIT(&m->blocks);
	RB_INIT(&m->peers);
	RB_INIT(&m->labels);
	snprintf(m->local.name, sizeof(m->local.name), "%s", m->self);
	ds_bgpconf_init(m);
	m->dirty = DS_DIRTY_ALL;
}

static void
mpeer_free(struct ds_mpeer *e)
{
	selector_free(e->p.node_sel);
	selector_free(e->p.peer_sel);
	ds_peer_opts_unref(e->p.opts);
	ds_peer_opts_unref(e->nopts);
	free(e);
}

void
ds_model_clear(struct ds_model *m)
{
	struct ds_mnode *n, *n2;
	struct ds_mpool *p, *p2;
	struct ds_mblock *b, *b2;
	struct ds_mpeer *e, *e2;

	RB_FOREACH_SAFE(n, ds_mnode_tree, &m->nodes, n2) {
		RB_REMOVE(ds_mnode_tree, &m->nodes, n);
		free(n);
	}
	RB_FOREACH_SAFE(p, ds_mpool_tree, &m->pools, p2) {
		RB_REMOVE(ds_mpool_tree, &m->pools, p);
		free(p);
	}
	RB_FOREACH_SAFE(b, ds_mblock_tree, &m->blocks, b2) {
		RB_REMOVE(ds_mblock_tree, &m->blocks, b);
		free(b);
	}
	RB_FOREACH_SAFE(e, ds_mpeer_tree, &m->peers, e2) {
		RB_REMOVE(ds_mpeer_tree, &m->peers, e);
		mpeer_free(e);
	}
	ds_labels_clear(m);
	ds_bgpconf_clear(m);
	m->nnodes = m->npools = m->nblocks = m->npeers = 0;
	m->global_as = 0;
	m->node_mesh = true;
	memset(&m->log_global, 0, sizeof(m->log_global));
	memset(&m->log_node, 0, sizeof(m->log_node));
	m->dirty = DS_DIRTY_ALL;
}

void
ds_model_fini(struct ds_model *m)
{
	ds_model_clear(m);
	ds_bgpconf_fini(m);
	ds_peers_free(m->vpeers, m->nvpeers);
	free(m->vblocks);
	free(m->vpools);
	free(m->badpools.v);
	free(m->badblocks.v);
	m->vpeers = NULL;
	m->vblocks = NULL;
	m->vpools = NULL;
	m->badpools.v = m->badblocks.v = NULL;
	m->nvpeers = m->nvblocks = m->nvpools = 0;
	m->badpools.n = m->badblocks.n = 0;
}

void
ds_model_take(struct ds_model *dst, struct ds_model *src)
{
	ds_model_clear(dst);
	dst->global_as = src->global_as;
	dst->node_mesh = src->node_mesh;
	dst->log_global = src->log_global;
	dst->log_node = src->log_node;
	dst->nodes = src->nodes;
	dst->pools = src->pools;
	dst->blocks = src->blocks;
	dst->peers = src->peers;
	dst->nnodes = src->nnodes;
	dst->npools = src->npools;
	dst->nblocks = src->nblocks;
	dst->npeers = src->npeers;
	RB_INIT(&src->nodes);
	RB_INIT(&src->pools);
	RB_INIT(&src->blocks);
	RB_INIT(&src->peers);
	ds_labels_take(dst, src);
	ds_bgpconf_take(dst, src);
	src->nnodes = src->npools = src->nblocks = src->npeers = 0;
	dst->dirty = DS_DIRTY_ALL;
}

void
ds_model_set_overrides(struct ds_model *m, const struct addr *ipv4,
    const struct addr *ipv6, uint32_t as)
{
	memset(&m->ov4, 0, sizeof(m->ov4));
	memset(&m->ov6, 0, sizeof(m->ov6));
	if (ipv4 != NULL && ipv4->af == AF_INET)
		m->ov4 = *ipv4;
	if (ipv6 != NULL && ipv6->af == AF_INET6)
		m->ov6 = *ipv6;
	m->ovas = as;
	m->dirty |= DS_DIRTY_PEERS;
}

void
ds_model_set_global_as(struct ds_model *m, uint32_t as)
{
	m->global_as = as;
	m->dirty |= DS_DIRTY_PEERS;
}

void
ds_model_set_node_mesh(struct ds_model *m, bool on)
{
	m->node_mesh = on;
	m->dirty |= DS_DIRTY_PEERS;
}

void
ds_model_set_log(struct ds_model *m, bool node, const struct ds_log *l)
{
	struct ds_log *dst = node ? &m->log_node : &m->log_global;

	memset(dst, 0, sizeof(*dst));
	if (l->set) {
		dst->set = true;
		dst->level = l->level;
	}
}

/* Calico's severities (calico-compat 2.2: confd maps the v3 ones to
 * BIRD's debug, info or none; we keep what BIRD cannot say) */
int
ds_log_level_parse(const char *s, enum log_level *out)
{
	static const struct {
		const char	*name;
		enum log_level	 level;
	} names[] = {
		{ "debug", LOG_LVL_DEBUG },
		{ "info", LOG_LVL_INFO },
		{ "warning", LOG_LVL_WARNING },
		{ "none", LOG_LVL_WARNING },
		{ "error", LOG_LVL_ERROR },
		{ "fatal", LOG_LVL_ERROR },
		{ "panic", LOG_LVL_ERROR },
	};

	for (size_t i = 0; i < NITEMS(names); i++) {
		if (strcasecmp(s, names[i].name) == 0) {
			*out = names[i].level;
			return 0;
		}
	}
	return -1;
}

int
ds_rr_cluster_id_parse(const char *s, uint32_t *id)
{
	struct addr a;

	*id = 0;
	if (*s == '\0')
		return 0;
	if (addr_parse(s, &a) == -1 || a.af != AF_INET || addr_v4(&a) == 0)
		return -1;
	*id = addr_v4(&a);
	return 0;
}

static struct ds_mnode *
find_node(const struct ds_model *m, const char *name)
{
	struct ds_mnode key;

	if (name == NULL || memchr(name, '\0', DS_NAME_MAX) == NULL)
		return NULL;
	memcpy(key.n.name, name, strlen(name) + 1);
	return RB_FIND(ds_mnode_tree, (struct ds_mnode_tree *)&m->nodes, &key);
}

int
ds_model_node_set(struct ds_model *m, const struct ds_model_node *n)
{
	struct ds_mnode *e;

	if (!name_ok(n->name) || (n->ipv4.af != 0 && n->ipv4.af != AF_INET) ||
	    (n->ipv6.af != 0 && n->ipv6.af != AF_INET6))
		return -1;
	if ((e = find_node(m, n->name)) == NULL) {
		e = xcalloc(1, sizeof(*e));
		memcpy(e->n.name, n->name, strlen(n->name) + 1);
		RB_INSERT(ds_mnode_tree, &m->nodes, e);
		m->nnodes++;
	}
	e->n = *n;
	m->dirty |= DS_DIRTY_ALL;	/* pools and blocks are checked too */
	return 0;
}

void
ds_model_node_del(struct ds_model *m, const char *name)
{
	struct ds_mnode *e;

	if ((e = find_node(m, name)) == NULL)
		return;
	ds_labels_del(m, name);
	RB_REMOVE(ds_mnode_tree, &m->nodes, e);
	free(e);
	m->nnodes--;
	m->dirty |= DS_DIRTY_ALL;
}

const struct ds_model_node *
ds_model_node_get(const struct ds_model *m, const char *name)
{
	struct ds_mnode *e = find_node(m, name);

	return e != NULL ? &e->n : NULL;
}

static struct ds_mpool *
find_pool(const struct ds_model *m, const struct prefix *cidr)
{
	struct ds_mpool key;

	key.p.cidr = *cidr;
	return RB_FIND(ds_mpool_tree, (struct ds_mpool_tree *)&m->pools, &key);
}

int
ds_model_pool_set(struct ds_model *m, const struct ds_pool *p)
{
	struct ds_mpool *e;

	if (!af_ok(p->cidr.af))
		return -1;
	if ((e = find_pool(m, &p->cidr)) == NULL) {
		e = xcalloc(1, sizeof(*e));
		e->p.cidr = p->cidr;
		RB_INSERT(ds_mpool_tree, &m->pools, e);
		m->npools++;
	}
	e->p = *p;
	m->dirty |= DS_DIRTY_POOLS;
	return 0;
}

void
ds_model_pool_del(struct ds_model *m, const struct prefix *cidr)
{
	struct ds_mpool *e;

	if ((e = find_pool(m, cidr)) == NULL)
		return;
	RB_REMOVE(ds_mpool_tree, &m->pools, e);
	free(e);
	m->npools--;
	m->dirty |= DS_DIRTY_POOLS;
}

const struct ds_pool *
ds_model_pool_get(const struct ds_model *m, const struct prefix *cidr)
{
	struct ds_mpool *e = find_pool(m, cidr);

	return e != NULL ? &e->p : NULL;
}

static struct ds_mblock *
find_block(const struct ds_model *m, const struct prefix *p)
{
	struct ds_mblock key;

	key.p = *p;
	return RB_FIND(ds_mblock_tree, (struct ds_mblock_tree *)&m->blocks,
	    &key);
}

int
ds_model_block_add(struct ds_model *m, const struct prefix *p)
{
	struct ds_mblock *e;

	if (!af_ok(p->af))
		return -1;
	if (find_block(m, p) != NULL)
		return 0;
	e = xcalloc(1, sizeof(*e));
	e->p = *p;
	RB_INSERT(ds_mblock_tree, &m->blocks, e);
	m->nblocks++;
	m->dirty |= DS_DIRTY_BLOCKS;
	return 0;
}

void
ds_model_block_del(struct ds_model *m, const struct prefix *p)
{
	struct ds_mblock *e;

	if ((e = find_block(m, p)) == NULL)
		return;
	RB_REMOVE(ds_mblock_tree, &m->blocks, e);
	free(e);
	m->nblocks--;
	m->dirty |= DS_DIRTY_BLOCKS;
}

bool
ds_model_has_block(const struct ds_model *m, const struct prefix *p)
{
	return find_block(m, p) != NULL;
}

static struct ds_mpeer *
find_peer(const struct ds_model *m, const char *id, const char *node,
    const struct addr *a)
{
	struct ds_mpeer key;

	if (id == NULL || memchr(id, '\0', DS_PEER_ID_MAX) == NULL ||
	    node == NULL || memchr(node, '\0', DS_NAME_MAX) == NULL)
		return NULL;
	memset(&key, 0, sizeof(key));
	memcpy(key.p.id, id, strlen(id) + 1);
	if (id[0] == '\0') {
		memcpy(key.p.node, node, strlen(node) + 1);
		if (a != NULL)
			key.p.addr = *a;
	}
	return RB_FIND(ds_mpeer_tree, (struct ds_mpeer_tree *)&m->peers, &key);
}

static bool
peer_ok(const struct ds_model_peer *p)
{
	if (memchr(p->id, '\0', DS_PEER_ID_MAX) == NULL ||
	    memchr(p->node, '\0', DS_NAME_MAX) == NULL)
		return false;
	if (p->id[0] == '\0' && !af_ok(p->addr.af))
		return false;	/* (node, addr) is its identity */
	return p->peer_sel != NULL || (af_ok(p->addr.af) && p->as != 0);
}

/* The options of a BGPPeer's sessions to nodes (derive.h). */
static const struct ds_peer_opts *
node_opts(const struct ds_peer_opts *o)
{
	struct ds_peer_opts *n;

	if (o->local_as == 0 && o->num_allow_local_as == 0)
		return ds_peer_opts_ref(o);
	n = ds_peer_opts_copy(o);
	n->local_as = 0;
	n->num_allow_local_as = 0;
	return n;
}

int
ds_model_peer_set(struct ds_model *m, const struct ds_model_peer *p)
{
	struct ds_mpeer *e;

	if (!peer_ok(p)) {
		selector_free(p->node_sel);
		selector_free(p->peer_sel);
		ds_peer_opts_unref(p->opts);
		return -1;
	}
	if ((e = find_peer(m, p->id, p->node, &p->addr)) == NULL) {
		e = xcalloc(1, sizeof(*e));
		e->p = *p;
		RB_INSERT(ds_mpeer_tree, &m->peers, e);
		m->npeers++;
	} else {
		selector_free(e->p.node_sel);
		selector_free(e->p.peer_sel);
		ds_peer_opts_unref(e->p.opts);
		ds_peer_opts_unref(e->nopts);
	}
	e->p = *p;
	if (e->p.opts == NULL)
		e->p.opts = ds_peer_opts_ref(ds_peer_opts_default());
	e->nopts = node_opts(e->p.opts);
	m->dirty |= DS_DIRTY_PEERS;
	return 0;
}

void
ds_model_peer_del(struct ds_model *m, const char *id, const char *node,
    const struct addr *a)
{
	struct ds_mpeer *e;

	if ((e = find_peer(m, id, node, a)) == NULL)
		return;
	RB_REMOVE(ds_mpeer_tree, &m->peers, e);
	mpeer_free(e);
	m->npeers--;
	m->dirty |= DS_DIRTY_PEERS;
}

const struct ds_model_peer *
ds_model_peer_get(const struct ds_model *m, const char *id, const char *node,
    const struct addr *a)
{
	struct ds_mpeer *e = find_peer(m, id, node, a);

	return e != NULL ? &e->p : NULL;
}

void
ds_model_resync(struct ds_model *m)
{
	m->resync = true;
}

/*
 * This node: the store's node record, then the config overrides; AS: the
 * override, else the node's, else the global AS, else 64512 (SPEC 2).
 */
/* confd's ExcludeServiceAdvertisement: the label, set to "true" */
static bool
svc_excluded(const struct ds_model *m)
{
	const struct selector_label *v;
	size_t n;

	v = ds_model_labels(m, m->self, &n);
	for (size_t i = 0; v != NULL && i < n; i++)
		if (strcmp(v[i].key, "node.kubernetes.io/exclude-from-external-"
		    "load-balancers") == 0)
			return strcmp(v[i].value, "true") == 0;
	return false;
}

static void
derive_local(const struct ds_model *m, struct ds_local *l)
{
	const struct ds_mnode *n = find_node(m, m->self);

	memset(l, 0, sizeof(*l));
	memcpy(l->name, m->self, sizeof(l->name));
	if (n != NULL) {
		l->known = true;
		l->ipv4 = n->n.ipv4;
		l->ipv6 = n->n.ipv6;
		l->net4 = n->n.net4;
		l->net6 = n->n.net6;
		l->as = n->n.as;
		l->rr_cluster_id = n->n.rr_cluster_id;
		l->svc_excluded = svc_excluded(m);
	}
	if (addr_is_set(&m->ov4)) {
		if (!prefix_contains_addr(&l->net4, &m->ov4))
			memset(&l->net4, 0, sizeof(l->net4));
		l->ipv4 = m->ov4;
	}
	if (addr_is_set(&m->ov6)) {
		if (!prefix_contains_addr(&l->net6, &m->ov6))
			memset(&l->net6, 0, sizeof(l->net6));
		l->ipv6 = m->ov6;
	}
	if (m->ovas != 0)
		l->as = m->ovas;
	else if (l->as == 0)
		l->as = m->global_as != 0 ? m->global_as : DS_DEFAULT_AS;
}

static bool
local_eq(const struct ds_local *a, const struct ds_local *b)
{
	return strcmp(a->name, b->name) == 0 && addr_eq(&a->ipv4, &b->ipv4) &&
	    addr_eq(&a->ipv6, &b->ipv6) && prefix_eq(&a->net4, &b->net4) &&
	    prefix_eq(&a->net6, &b->net6) && a->as == b->as &&
	    a->rr_cluster_id == b->rr_cluster_id && a->known == b->known &&
	    a->svc_excluded == b->svc_excluded;
}

/*
 * Generic sorted-view diff. Pass 0 reports removals and changes, pass 1
 * additions, so a consumer frees the old before it adds the new.
 */
struct diff_spec {
	size_t	size;
	int	(*cmp)(const void *, const void *);
	bool	(*same)(const void *, const void *);
	void	(*report)(const struct ds_ops *, void *, const void *,
		    const void *);
};

static void
diff_views(const struct diff_spec *d, const void *oldv, size_t nold,
    const void *newv, size_t nnew, const struct ds_ops *ops, void *arg)
{
	const char *o = oldv, *n = newv;

	for (int pass = 0; pass < 2; pass++) {
		size_t i = 0, j = 0;

		while (i < nold || j < nnew) {
			const void *a = i < nold ? o + i * d->size : NULL;
			const void *b = j < nnew ? n + j * d->size : NULL;
			int c = a == NULL ? 1 : b == NULL ? -1 : d->cmp(a, b);

			if (c < 0 && pass == 0)
				d->report(ops, arg, NULL, a);
			else if (c > 0 && pass == 1)
				d->report(ops, arg, b, NULL);
			else if (c == 0 && pass == 0 && !d->same(a, b))
				d->report(ops, arg, b, a);
			if (c <= 0)
				i++;
			if (c >= 0)
				j++;
		}
	}
}

static int
peer_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ds_peer *)a)->name,
	    ((const struct ds_peer *)b)->name);
}

static bool
peer_same(const void *x, const void *y)
{
	const struct ds_peer *a = x, *b = y;

	return a->type == b->type && addr_eq(&a->addr, &b->addr) &&
	    a->as == b->as && a->port == b->port &&
	    strcmp(a->node, b->node) == 0 && a->rr_client == b->rr_client &&
	    a->rr_cluster_id == b->rr_cluster_id &&
	    a->calico_node == b->calico_node &&
	    ds_peer_opts_eq(a->opts, b->opts);
}

static void
peer_report(const struct ds_ops *ops, void *arg, const void *n, const void *o)
{
	if (ops->peer_changed != NULL)
		ops->peer_changed(arg, n, o);
}

static int
block_cmp(const void *a, const void *b)
{
	return prefix_cmp(a, b);
}

static bool
block_same(const void *a, const void *b)
{
	return prefix_eq(a, b);
}

static void
block_report(const struct ds_ops *ops, void *arg, const void *n,
    const void *o)
{
	if (ops->block_changed != NULL)
		ops->block_changed(arg, n != NULL ? n : o, n != NULL);
}

static int
pool_cmp(const void *a, const void *b)
{
	return prefix_cmp(&((const struct ds_pool *)a)->cidr,
	    &((const struct ds_pool *)b)->cidr);
}

static bool
pool_same(const void *x, const void *y)
{
	const struct ds_pool *a = x, *b = y;

	return prefix_eq(&a->cidr, &b->cidr) && a->ipip == b->ipip &&
	    a->vxlan == b->vxlan && a->disabled == b->disabled &&
	    a->no_export == b->no_export;
}

static void
pool_report(const struct ds_ops *ops, void *arg, const void *n, const void *o)
{
	if (ops->pool_changed != NULL)
		ops->pool_changed(arg, n, o);
}

static const struct diff_spec peer_diff = {
	sizeof(struct ds_peer), peer_cmp, peer_same, peer_report,
};
static const struct diff_spec block_diff = {
	sizeof(struct prefix), block_cmp, block_same, block_report,
};
static const struct diff_spec pool_diff = {
	sizeof(struct ds_pool), pool_cmp, pool_same, pool_report,
};

/* A node whose address p covers (this node's overrides count), or NULL. */
static const char *
covered_node(const struct ds_model *m, const struct prefix *p,
    const struct addr **a)
{
	struct ds_mnode *n;

	*a = p->af == AF_INET ? &m->local.ipv4 : &m->local.ipv6;
	if (addr_is_set(*a) && prefix_contains_addr(p, *a))
		return m->self;
	RB_FOREACH(n, ds_mnode_tree, (struct ds_mnode_tree *)&m->nodes) {
		*a = p->af == AF_INET ? &n->n.ipv4 : &n->n.ipv6;
		if (addr_is_set(*a) && prefix_contains_addr(p, *a))
			return n->n.name;
	}
	return NULL;
}

/* Why pool or block p is unsafe (into why), or false when it is fine. */
static bool
unsafe(const struct ds_model *m, const struct prefix *p, bool block,
    char *why, size_t len)
{
	unsigned min = p->af == AF_INET ? (block ? DS_BLOCK4_MIN :
	    DS_POOL4_MIN) : (block ? DS_BLOCK6_MIN : DS_POOL6_MIN);
	const struct addr *a;
	const char *node;
	char buf[ADDR_STRLEN];

	if (p->len == 0)
		snprintf(why, len, "a default route");
	else if (p->len < min)
		snprintf(why, len, "prefix length /%u out of range "
		    "(/%u../%u for %s %ss)", p->len, min, af_maxlen(p->af),
		    p->af == AF_INET ? "IPv4" : "IPv6", block ? "block" :
		    "pool");
	else if ((node = covered_node(m, p, &a)) != NULL)
		snprintf(why, len, "covers the address %s of node %s",
		    addr_fmt(a, buf, sizeof(buf)), node);
	else
		return false;
	return true;
}

static bool
in_view_pool(const struct ds_model *m, const struct prefix *p)
{
	for (size_t i = 0; i < m->nvpools; i++)
		if (prefix_contains(&m->vpools[i].cidr, p))
			return true;
	return false;
}

/* A refused pool or block, kept so that each is logged only once. */
struct ds_refusal {
	struct prefix	p;
	char		why[120];
};

static bool
was_refused(const struct ds_refusal *v, size_t n, const struct ds_refusal *r)
{
	for (size_t i = 0; i < n; i++)
		if (prefix_eq(&v[i].p, &r->p) && strcmp(v[i].why, r->why) == 0)
			return true;
	return false;
}

/* Refuse p: log it unless the last view refused it for the same reason. */
static void
refuse(struct ds_refusals *old, struct ds_refusals *new,
    const struct ds_model *m, const struct prefix *p, bool block)
{
	struct ds_refusal *r;
	char buf[PREFIX_STRLEN];

	new->v = xreallocarray(new->v, new->n + 1, sizeof(*new->v));
	r = &new->v[new->n++];
	r->p = *p;
	if (!unsafe(m, p, block, r->why, sizeof(r->why)))
		snprintf(r->why, sizeof(r->why), "outside every pool");
	if (was_refused(old->v, old->n, r))
		return;
	prefix_fmt(p, buf, sizeof(buf));
	if (block)
		log_warnx("datastore: block affinity %s of node %s refused: "
		    "%s; skipped", buf, m->self, r->why);
	else
		log_warnx("datastore: IP pool %s refused: %s; skipped", buf,
		    r->why);
}

static void
refusals_swap(struct ds_refusals *old, struct ds_refusals *new)
{
	free(old->v);
	*old = *new;
}

static void
commit_pools(struct ds_model *m, const struct ds_ops *ops, void *arg)
{
	struct ds_refusals bad = { NULL, 0 };
	struct ds_mpool *e;
	struct ds_pool *v;
	char why[120];
	size_t n = 0;

	v = xcalloc(m->npools ? m->npools : 1, sizeof(*v));
	RB_FOREACH(e, ds_mpool_tree, &m->pools) {
		if (unsafe(m, &e->p.cidr, false, why, sizeof(why)))
			refuse(&m->badpools, &bad, m, &e->p.cidr, false);
		else
			v[n++] = e->p;
	}
	refusals_swap(&m->badpools, &bad);
	diff_views(&pool_diff, m->vpools, m->nvpools, v, n, ops, arg);
	free(m->vpools);
	m->vpools = v;
	m->nvpools = n;
}

static void
commit_blocks(struct ds_model *m, const struct ds_ops *ops, void *arg)
{
	struct ds_refusals bad = { NULL, 0 };
	struct ds_mblock *e;
	struct prefix *v;
	char why[120];
	size_t n = 0;

	v = xcalloc(m->nblocks ? m->nblocks : 1, sizeof(*v));
	RB_FOREACH(e, ds_mblock_tree, &m->blocks) {
		if (unsafe(m, &e->p, true, why, sizeof(why)) ||
		    !in_view_pool(m, &e->p))
			refuse(&m->badblocks, &bad, m, &e->p, true);
		else
			v[n++] = e->p;
	}
	refusals_swap(&m->badblocks, &bad);
	diff_views(&block_diff, m->vblocks, m->nvblocks, v, n, ops, arg);
	free(m->vblocks);
	m->vblocks = v;
	m->nvblocks = n;
}

static void
commit_peers(struct ds_model *m, const struct ds_ops *ops, void *arg)
{
	struct ds_peer *v;
	size_t n;

	v = ds_derive_peers(m, &m->local, &n);
	diff_views(&peer_diff, m->vpeers, m->nvpeers, v, n, ops, arg);
	ds_peers_free(m->vpeers, m->nvpeers);
	m->vpeers = v;
	m->nvpeers = n;
}

/* The node's own level, else the global one (confd's bird.cfg.template). */
static void
commit_log(struct ds_model *m, const struct ds_ops *ops, void *arg)
{
	const struct ds_log *l = m->log_node.set ? &m->log_node :
	    &m->log_global;

	if (l->set == m->vlog.set && (!l->set || l->level == m->vlog.level))
		return;
	m->vlog = *l;
	if (ops->log_changed != NULL)
		ops->log_changed(arg, &m->vlog);
}

void
ds_model_commit(struct ds_model *m, const struct ds_ops *ops, void *arg)
{
	struct ds_local l;

	/* first: the commit's own lines are logged at the new level */
	commit_log(m, ops, arg);
	derive_local(m, &l);
	if (!m->committed || !local_eq(&l, &m->local)) {
		m->local = l;
		m->dirty |= DS_DIRTY_ALL;
		if (ops->local_changed != NULL)
			ops->local_changed(arg, &m->local);
	}
	ds_bgpconf_commit(m);
	if (m->dirty & DS_DIRTY_POOLS)
		commit_pools(m, ops, arg);
	if (m->dirty & (DS_DIRTY_POOLS | DS_DIRTY_BLOCKS))
		commit_blocks(m, ops, arg);
	if (m->dirty & DS_DIRTY_PEERS)
		commit_peers(m, ops, arg);
	m->dirty = 0;
	m->committed = true;
	if (!m->synced || m->resync) {
		m->synced = true;
		m->resync = false;
		if (ops->synced != NULL)
			ops->synced(arg);
	}
}

const struct ds_local *
ds_model_local(const struct ds_model *m)
{
	return &m->local;
}

const struct ds_peer *
ds_model_peers(const struct ds_model *m, size_t *n)
{
	*n = m->nvpeers;
	return m->vpeers;
}

const struct prefix *
ds_model_blocks(const struct ds_model *m, size_t *n)
{
	*n = m->nvblocks;
	return m->vblocks;
}

const struct ds_pool *
ds_model_pools(const struct ds_model *m, size_t *n)
{
	*n = m->nvpools;
	return m->vpools;
}

const struct ds_log *
ds_model_log(const struct ds_model *m)
{
	return &m->vlog;
}

bool
ds_model_is_synced(const struct ds_model *m)
{
	return m->synced;
}
