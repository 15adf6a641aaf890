/*
 * derive.c: this node's peers, derived from the model's facts.
 *
 * Owns the Calico rules that turn nodes and BGPPeers into sessions, as
 * confd computes them (calico 87c15906: confd/pkg/backends/calico/
 * client.go updatePeersV1, nodeAsBGPPeers, nodesWithIPPortAndAS;
 * bgp_processor.go processMeshPeers, buildPeerFromData), in this order:
 *
 * 1. the mesh (calico-compat.md 3.1 step 8, 6), when node_mesh is on and
 *    this node has no cluster ID: every other node but the reflectors
 *    (nodes with a cluster ID), Mesh_<ip>;
 * 2. the global BGPPeers (neither node nor node_sel): Global_<ip>;
 * 3. the node-specific BGPPeers that apply to this node (node_sel matches
 *    its labels, else node is its name): Node_<ip>, unless step 2 gave a
 *    Global_ session to the same address and port;
 * 4. the reverse peerings (confd's second loop; not with no_reverse): a
 *    BGPPeer whose peer_sel matches this node, or whose address and AS are
 *    this node's, gives this node a Node_<ip> session to every node on the
 *    BGPPeer's own side (node_sel, else node, else every node), over both
 *    families for a peer_sel, the address's family otherwise.
 *
 * A BGPPeer's peers are its address, AS and port, or with peer_sel every
 * node it matches. A node as a peer brings its IPv4 address, its IPv6 one
 * when this node has one too (as the mesh), its AS (else the global AS)
 * and its cluster ID. A session name is taken by the first peer that
 * claims it (confd's emit), BGPPeers in the model's order (by name):
 * later claims are dropped. "_port_<n>" ends the name when the BGPPeer
 * gave a port. No session goes to this node's own address or name.
 * Selectors match the labels of the nodes the model knows, so an unknown
 * self is matched by no selector (but still by a BGPPeer's node name).
 * rr_client is confd's rule: the peer's AS is ours, this node has a
 * cluster ID and the peer's differs (0 for a peer that is no node).
 *
 * Options and ports (issue 15, model.h): a BGPPeer's session to its
 * peerIP carries its options; its sessions to nodes (peer_sel, reverse)
 * its options but localASNumber and numAllowedLocalASNumbers (confd
 * nodeAsBGPPeers); mesh sessions the mesh's (nodeMeshPassword,
 * nodeMeshMaxRestartTime). A session to a node is at that node's
 * listenPort, else the default's, named with "_port_<n>" unless it is a
 * mesh session (processMeshPeers never names it); a peerIP without a
 * port that is a node's (address and AS) takes that node's port.
 *
 * The cost is O(BGPPeers x nodes) selector matches (each bounded by
 * selector.h) and one hash lookup per candidate session; the result is
 * bounded by the distinct names. It reads the model and allocates the new
 * view; it must not change the model, log, or report (model.c diffs and
 * reports the view).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "derive.h"
#include "hash.h"
#include "labels.h"
#include "options.h"
#include "xmalloc.h"

/* A node and its labels, for the selectors. */
struct nlab {
	const struct ds_model_node	*n;
	struct selector_labels		 sl;
};

/* The view being built: peers in claim order, a set of their names. */
struct pbuild {
	const struct ds_model	*m;
	const struct ds_local	*l;
	bool			 self_known;
	struct selector_labels	 self_sl;
	uint32_t		 gas;		/* the global AS */
	const struct ds_peer_opts *mesh_opts;
	struct nlab		*nodes;		/* every node, by name */
	size_t			 nnodes;
	struct ds_peer		*v;
	size_t			 n, cap;
	uint32_t		*slot;		/* index + 1 into v; 0: free */
	size_t			 nslot;		/* a power of 2, > 2 n */
};

static size_t
name_slot(const struct pbuild *b, const char *name)
{
	size_t mask = b->nslot - 1;
	size_t i = (size_t)hash_bytes(name, strlen(name)) & mask;

	while (b->slot[i] != 0 && strcmp(b->v[b->slot[i] - 1].name, name) != 0)
		i = (i + 1) & mask;
	return i;
}

static bool
has_name(const struct pbuild *b, const char *name)
{
	return b->nslot > 0 && b->slot[name_slot(b, name)] != 0;
}

static void
grow(struct pbuild *b)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 16;
		b->v = xreallocarray(b->v, b->cap, sizeof(*b->v));
	}
	if (2 * (b->n + 1) < b->nslot)
		return;
	free(b->slot);
	b->nslot = b->nslot ? b->nslot * 2 : 64;
	b->slot = xcalloc(b->nslot, sizeof(*b->slot));
	for (size_t i = 0; i < b->n; i++)
		b->slot[name_slot(b, b->v[i].name)] = (uint32_t)(i + 1);
}

static bool
is_own(const struct ds_local *l, const struct addr *a)
{
	return (addr_is_set(&l->ipv4) && addr_eq(a, &l->ipv4)) ||
	    (addr_is_set(&l->ipv6) && addr_eq(a, &l->ipv6));
}

/* A session to claim. */
struct cand {
	enum ds_peer_type		 type;
	const struct addr		*a;
	uint32_t			 as;
	uint16_t			 port;	/* 0: none (179) */
	bool				 named;	/* "_port_<port>" ends the name */
	const char			*node;	/* the peer node, or NULL */
	uint32_t			 rr_cluster_id;
	const struct ds_peer_opts	*opts;
};

/* Claim a session. NULL: not claimed (our own address, or the name is
 * taken). */
static struct ds_peer *
pb_add(struct pbuild *b, const struct cand *c)
{
	char name[DS_NAME_MAX], gname[DS_NAME_MAX + 8];
	enum ds_peer_type type = c->type;
	struct ds_peer *p;
	size_t len;

	if (is_own(b->l, c->a))
		return NULL;
	ds_peer_name(name, sizeof(name), type, c->a);
	len = strlen(name);
	if (c->named && c->port != 0)
		snprintf(name + len, sizeof(name) - len, "_port_%u", c->port);
	if (has_name(b, name))
		return NULL;
	if (type == DS_PEER_NODE) {
		/* confd: a global peering to the address and port wins */
		snprintf(gname, sizeof(gname), "Global_%s",
		    name + strlen("Node_"));
		if (has_name(b, gname))
			return NULL;
	}
	grow(b);
	p = &b->v[b->n];
	memset(p, 0, sizeof(*p));
	memcpy(p->name, name, sizeof(p->name));
	p->type = type;
	p->addr = *c->a;
	p->as = c->as;
	p->port = c->port != 0 ? c->port : DS_BGP_PORT;
	if (c->node != NULL)
		snprintf(p->node, sizeof(p->node), "%s", c->node);
	p->rr_cluster_id = c->rr_cluster_id;
	p->opts = ds_peer_opts_ref(c->opts);
	b->slot[name_slot(b, name)] = (uint32_t)(b->n + 1);
	return &b->v[b->n++];
}

/* confd's nodeIPs lookup: a is some node's address. */
static bool
is_node_addr(const struct pbuild *b, const struct addr *a)
{
	for (size_t i = 0; i < b->nnodes; i++)
		if (addr_eq(a, &b->nodes[i].n->ipv4) ||
		    addr_eq(a, &b->nodes[i].n->ipv6))
			return true;
	return false;
}

/*
 * confd nodeAsBGPPeers: node n as a peer, over the families asked for, at
 * its listenPort (else the default's); a mesh session's name never says
 * the port (processMeshPeers), another's does (buildPeerFromData).
 */
static void
node_peers(struct pbuild *b, enum ds_peer_type type,
    const struct ds_model_node *n, bool v4, bool v6,
    const struct ds_peer_opts *opts)
{
	struct cand c = {
		.type = type,
		.as = n->as != 0 ? n->as : b->gas,
		.port = ds_model_listen_port(b->m, n->name),
		.named = type != DS_PEER_MESH,
		.node = n->name,
		.rr_cluster_id = n->rr_cluster_id,
		.opts = opts,
	};

	if (strcmp(n->name, b->m->self) == 0)
		return;
	c.a = &n->ipv4;
	if (v4 && addr_is_set(&n->ipv4))
		pb_add(b, &c);
	c.a = &n->ipv6;
	if (v6 && addr_is_set(&n->ipv6) && addr_is_set(&b->l->ipv6))
		pb_add(b, &c);
}

/* Step 1: every other node that is no reflector. */
static void
derive_mesh(struct pbuild *b)
{
	if (!b->m->node_mesh || b->l->rr_cluster_id != 0)
		return;
	for (size_t i = 0; i < b->nnodes; i++)
		if (b->nodes[i].n->rr_cluster_id == 0)
			node_peers(b, DS_PEER_MESH, b->nodes[i].n, true, true,
			    b->mesh_opts);
}

static bool
is_global(const struct ds_model_peer *p)
{
	return p->node_sel == NULL && p->node[0] == '\0';
}

/* The BGPPeer applies to this node (confd's localNodeNames). */
static bool
applies_here(const struct pbuild *b, const struct ds_model_peer *p)
{
	if (p->node_sel != NULL)
		return b->self_known && selector_match(p->node_sel,
		    &b->self_sl);
	return strcmp(p->node, b->m->self) == 0;
}

/*
 * confd's port for a peerIP without one: when its address and AS are a
 * node's (nodesWithIPPortAndAS, the first by name), that node's
 * listenPort, else the default's; else none.
 */
static uint16_t
peer_ip_port(const struct pbuild *b, const struct ds_model_peer *p)
{
	const struct ds_model_node *n;

	if (p->port != 0)
		return p->port;
	for (size_t i = 0; i < b->nnodes; i++) {
		n = b->nodes[i].n;
		if ((addr_eq(&p->addr, &n->ipv4) ||
		    addr_eq(&p->addr, &n->ipv6)) &&
		    p->as == (n->as != 0 ? n->as : b->gas))
			return ds_model_listen_port(b->m, n->name);
	}
	return 0;
}

/* Steps 2 and 3: the BGPPeer's peers as sessions of this node. */
static void
forward(struct pbuild *b, const struct ds_mpeer *e, enum ds_peer_type type)
{
	const struct ds_model_peer *p = &e->p;
	struct ds_peer *v;
	struct cand c = {
		.type = type,
		.a = &p->addr,
		.as = p->as,
		.named = true,
		.opts = p->opts,
	};

	if (p->peer_sel == NULL) {
		c.port = peer_ip_port(b, p);
		if ((v = pb_add(b, &c)) != NULL)
			v->calico_node = is_node_addr(b, &p->addr);
		return;
	}
	for (size_t i = 0; i < b->nnodes; i++)
		if (selector_match(p->peer_sel, &b->nodes[i].sl))
			node_peers(b, type, b->nodes[i].n, true, true,
			    e->nopts);
}

/*
 * This node is on the BGPPeer's peer side: its peer_sel matches us, or
 * (confd nodesWithIPPortAndAS) its address is one of ours and its AS is
 * ours. Ours: this node's view (config overrides included). A port in
 * peerIP is compared as confd compares it: it must be this node's own
 * listenPort when it has one (and then, confd's quirk, also the
 * default's when that is set), else the default's when that is set.
 */
static bool
peers_with_here(const struct pbuild *b, const struct ds_model_peer *p)
{
	uint16_t gport = b->m->conf.listen_port, own;

	if (p->no_reverse || !b->self_known)
		return false;
	if (p->peer_sel != NULL)
		return selector_match(p->peer_sel, &b->self_sl);
	if (!is_own(b->l, &p->addr) || p->as != b->l->as)
		return false;
	if (p->port == 0)
		return true;
	own = ds_model_listen_port(b->m, b->m->self);
	if (own != gport && own != p->port)
		return false;			/* its own port, and not this */
	return gport == 0 || gport == p->port;
}

/* Step 4: the nodes on the BGPPeer's own side become our Node_ peers. */
static void
reverse(struct pbuild *b, const struct ds_mpeer *e)
{
	const struct ds_model_peer *p = &e->p;
	const struct ds_model_node *n;
	bool v4 = p->peer_sel != NULL || p->addr.af == AF_INET;
	bool v6 = p->peer_sel != NULL || p->addr.af == AF_INET6;

	if (p->node_sel == NULL && p->node[0] != '\0') {
		if ((n = ds_model_node_get(b->m, p->node)) != NULL)
			node_peers(b, DS_PEER_NODE, n, v4, v6, e->nopts);
		return;
	}
	for (size_t i = 0; i < b->nnodes; i++)
		if (p->node_sel == NULL ||
		    selector_match(p->node_sel, &b->nodes[i].sl))
			node_peers(b, DS_PEER_NODE, b->nodes[i].n, v4, v6,
			    e->nopts);
}

static void
derive_explicit(struct pbuild *b)
{
	struct ds_mpeer *e;
	struct ds_mpeer_tree *t = (struct ds_mpeer_tree *)&b->m->peers;

	RB_FOREACH(e, ds_mpeer_tree, t)
		if (is_global(&e->p))
			forward(b, e, DS_PEER_GLOBAL);
	RB_FOREACH(e, ds_mpeer_tree, t)
		if (!is_global(&e->p) && applies_here(b, &e->p))
			forward(b, e, DS_PEER_NODE);
	RB_FOREACH(e, ds_mpeer_tree, t)
		if (peers_with_here(b, &e->p))
			reverse(b, e);
}

static void
pb_init(struct pbuild *b, const struct ds_model *m, const struct ds_local *l)
{
	struct ds_mnode *n;
	size_t i = 0;

	memset(b, 0, sizeof(*b));
	b->m = m;
	b->l = l;
	b->gas = m->global_as != 0 ? m->global_as : DS_DEFAULT_AS;
	b->mesh_opts = ds_model_mesh_opts(m);
	b->self_known = ds_model_node_get(m, m->self) != NULL;
	ds_model_labels_selector(m, m->self, &b->self_sl);
	b->nodes = xcalloc(m->nnodes ? m->nnodes : 1, sizeof(*b->nodes));
	RB_FOREACH(n, ds_mnode_tree, (struct ds_mnode_tree *)&m->nodes) {
		b->nodes[i].n = &n->n;
		ds_model_labels_selector(m, n->n.name, &b->nodes[i].sl);
		i++;
	}
	b->nnodes = i;
}

static int
peer_name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ds_peer *)a)->name,
	    ((const struct ds_peer *)b)->name);
}

struct ds_peer *
ds_derive_peers(const struct ds_model *m, const struct ds_local *l,
    size_t *np)
{
	struct pbuild b;

	pb_init(&b, m, l);
	derive_mesh(&b);
	derive_explicit(&b);
	ds_peer_opts_unref(b.mesh_opts);
	free(b.nodes);
	free(b.slot);
	for (size_t i = 0; i < b.n; i++) {
		struct ds_peer *p = &b.v[i];

		p->rr_client = p->as == l->as && l->rr_cluster_id != 0 &&
		    p->rr_cluster_id != l->rr_cluster_id;
	}
	if (b.n > 1)
		qsort(b.v, b.n, sizeof(*b.v), peer_name_cmp);
	if (b.v == NULL)
		b.v = xcalloc(1, sizeof(*b.v));
	*np = b.n;
	return b.v;
}

void
ds_peers_free(struct ds_peer *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ds_peer_opts_unref(v[i].opts);
	free(v);
}
