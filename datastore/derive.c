/*
 * derive.c: this node's peers, derived from the model's facts.
 *
 * Owns the Calico rules that turn nodes and explicit peers into sessions
 * (calico-compat.md 3.1): the node-to-node mesh, then the global peers,
 * then this node's own, one session per name, never one to this node's
 * own address. It reads the model and allocates the new view; it must not
 * change the model, log, or report (model.c diffs and reports the view).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "derive.h"
#include "xmalloc.h"

/* A peer being built; seq breaks name ties in favour of the first. */
struct vpeer {
	struct ds_peer	p;
	size_t		seq;
};

struct pbuild {
	struct vpeer	*v;
	size_t		 n, cap;
};

static void
pb_add(struct pbuild *b, enum ds_peer_type type, const struct addr *a,
    uint32_t as, uint16_t port, const char *node)
{
	struct vpeer *v;

	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 16;
		b->v = xreallocarray(b->v, b->cap, sizeof(*b->v));
	}
	v = &b->v[b->n];
	memset(v, 0, sizeof(*v));
	ds_peer_name(v->p.name, sizeof(v->p.name), type, a);
	v->p.type = type;
	v->p.addr = *a;
	v->p.as = as;
	v->p.port = port != 0 ? port : DS_BGP_PORT;
	if (node != NULL)
		snprintf(v->p.node, sizeof(v->p.node), "%s", node);
	v->seq = b->n++;
}

static bool
is_own(const struct ds_local *l, const struct addr *a)
{
	return (addr_is_set(&l->ipv4) && addr_eq(a, &l->ipv4)) ||
	    (addr_is_set(&l->ipv6) && addr_eq(a, &l->ipv6));
}

/* calico-compat.md 3.1 step 8: every other node, skipping ourselves. */
static void
derive_mesh(const struct ds_model *m, const struct ds_local *l,
    struct pbuild *b)
{
	struct ds_mnode *n;
	uint32_t gas = m->global_as != 0 ? m->global_as : DS_DEFAULT_AS;
	uint32_t as;

	if (!m->node_mesh)
		return;
	RB_FOREACH(n, ds_mnode_tree, (struct ds_mnode_tree *)&m->nodes) {
		if (strcmp(n->n.name, m->self) == 0)
			continue;
		as = n->n.as != 0 ? n->n.as : gas;
		if (addr_is_set(&n->n.ipv4) && !is_own(l, &n->n.ipv4))
			pb_add(b, DS_PEER_MESH, &n->n.ipv4, as, 0, n->n.name);
		if (addr_is_set(&l->ipv6) && addr_is_set(&n->n.ipv6) &&
		    !is_own(l, &n->n.ipv6))
			pb_add(b, DS_PEER_MESH, &n->n.ipv6, as, 0, n->n.name);
	}
}

/*
 * Steps 9 and 10: global peers, then this node's own peers, skipping a
 * node-specific peer whose address a global peer already has (confd
 * updatePeersV1) and never peering with our own address.
 */
static void
derive_explicit(const struct ds_model *m, const struct ds_local *l,
    struct pbuild *b)
{
	struct ds_mpeer *e;

	RB_FOREACH(e, ds_mpeer_tree, (struct ds_mpeer_tree *)&m->peers) {
		if (is_own(l, &e->p.addr))
			continue;
		if (e->p.node[0] == '\0')
			pb_add(b, DS_PEER_GLOBAL, &e->p.addr, e->p.as,
			    e->p.port, NULL);
		else if (strcmp(e->p.node, m->self) == 0 &&
		    ds_model_peer_get(m, "", &e->p.addr) == NULL)
			pb_add(b, DS_PEER_NODE, &e->p.addr, e->p.as,
			    e->p.port, NULL);
	}
}

static int
vpeer_cmp(const void *x, const void *y)
{
	const struct vpeer *a = x, *b = y;
	int c = strcmp(a->p.name, b->p.name);

	if (c != 0)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

struct ds_peer *
ds_derive_peers(const struct ds_model *m, const struct ds_local *l, size_t *np)
{
	struct pbuild b = { NULL, 0, 0 };
	struct ds_peer *out;
	size_t n = 0;

	derive_mesh(m, l, &b);
	derive_explicit(m, l, &b);
	if (b.n > 0)
		qsort(b.v, b.n, sizeof(*b.v), vpeer_cmp);
	out = xcalloc(b.n ? b.n : 1, sizeof(*out));
	for (size_t i = 0; i < b.n; i++) {
		/* two nodes with one address: the first node by name wins */
		if (n > 0 && strcmp(out[n - 1].name, b.v[i].p.name) == 0)
			continue;
		out[n++] = b.v[i].p;
	}
	free(b.v);
	*np = n;
	return out;
}

