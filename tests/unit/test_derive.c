/*
 * test_derive.c: this node's peers as Calico's confd derives them
 * (datastore/derive.c), through the model's commit and diff.
 *
 * A recording ds_ops stub turns each peer change into one line with every
 * field the agent reads (name, address, AS, type, peer node, rr client,
 * the peer's cluster ID), so each test states exactly what is reported:
 * the mesh around route reflectors, the usual route reflector setup seen
 * from a client and from a reflector, BGPPeer node and peer selectors,
 * the reverse peerings, live re-derivation after a label, cluster ID,
 * node or BGPPeer change (only the peers that changed), the session
 * options each session carries and their changes, and the time a
 * derivation takes at 1000 nodes (printed, not bounded).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check_run.h"
#include "datastore.h"
#include "ds_rec.h"
#include "labels.h"
#include "log.h"
#include "model.h"
#include "options.h"
#include "selector.h"

/* --- the recording stub -------------------------------------------------- */

static void
rec_local(void *arg, const struct ds_local *l)
{
	char a4[ADDR_STRLEN];

	(void)arg;
	rec_add("local %s %s AS%u cluster %u%s", l->name,
	    addr_fmt(&l->ipv4, a4, sizeof(a4)), l->as, l->rr_cluster_id,
	    l->svc_excluded ? " svc-excluded" : "");
}

/* "+peer NAME ADDR ASn TYPE [node N] [rr-client] [cluster ID]
 * [calico-node] [port P]" */
static void
fmt_peer(const struct ds_peer *p, char *buf, size_t len)
{
	static const char *const type[] = { "mesh", "global", "node" };
	char a[ADDR_STRLEN], id[ADDR_STRLEN];
	struct addr cid;

	addr_set_v4(&cid, p->rr_cluster_id);
	snprintf(buf, len, "%s %s AS%u %s%s%s%s%s%s", p->name,
	    addr_fmt(&p->addr, a, sizeof(a)), p->as, type[p->type],
	    p->node[0] ? " node " : "", p->node,
	    p->rr_client ? " rr-client" : "",
	    p->rr_cluster_id ? " cluster " : "",
	    p->rr_cluster_id ? addr_fmt(&cid, id, sizeof(id)) : "");
	if (p->calico_node)
		snprintf(buf + strlen(buf), len - strlen(buf),
		    " calico-node");
	if (p->port != DS_BGP_PORT)
		snprintf(buf + strlen(buf), len - strlen(buf), " port %u",
		    p->port);
}

static void
rec_peer(void *arg, const struct ds_peer *n, const struct ds_peer *o)
{
	char buf[200];

	(void)arg;
	if (n == NULL) {
		rec_add("-peer %s", o->name);
		return;
	}
	fmt_peer(n, buf, sizeof(buf));
	rec_add("%cpeer %s", o == NULL ? '+' : '~', buf);
}

static const struct ds_ops rec_ops = {
	.local_changed = rec_local,
	.peer_changed = rec_peer,
	.block_changed = rec_block,
	.synced = rec_synced,
};

/* --- model helpers ------------------------------------------------------- */

static struct addr
A(const char *s)
{
	struct addr a;

	ck_assert_int_eq(addr_parse(s, &a), 0);
	return a;
}

/* A node; rrid "": no cluster ID. */
static void
node(struct ds_model *m, const char *name, const char *v4, const char *v6,
    uint32_t as, const char *rrid)
{
	struct ds_model_node n;

	memset(&n, 0, sizeof(n));
	snprintf(n.name, sizeof(n.name), "%s", name);
	if (v4 != NULL)
		n.ipv4 = A(v4);
	if (v6 != NULL)
		n.ipv6 = A(v6);
	n.as = as;
	ck_assert_int_eq(ds_rr_cluster_id_parse(rrid, &n.rr_cluster_id), 0);
	ck_assert_int_eq(ds_model_node_set(m, &n), 0);
}

/* Labels "k=v,k2=v2" ("": none) on a known node. */
static void
labels(struct ds_model *m, const char *name, const char *text)
{
	struct selector_label kv[8];
	char buf[256], *save = NULL, *tok, *eq;
	const char *why;
	size_t n = 0;

	snprintf(buf, sizeof(buf), "%s", text);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		ck_assert_ptr_nonnull(eq = strchr(tok, '='));
		*eq = '\0';
		kv[n].key = tok;
		kv[n++].value = eq + 1;
	}
	ck_assert_int_eq(ds_model_labels_set(m, name, kv, n, &why), 0);
}

static struct selector *
sel(const char *text)
{
	char err[SELECTOR_ERRLEN];
	struct selector *s;

	if (text == NULL)
		return NULL;
	s = selector_parse(text, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s: %s", text, err);
	return s;
}

/*
 * A BGPPeer named id: node, nodeSelector, peerSelector (NULL: none),
 * peerIP (NULL: none; "ip:port" or "[v6]:port" for a port) and AS.
 */
static void
bgppeer(struct ds_model *m, const char *id, const char *nodename,
    const char *nodesel, const char *peersel, const char *ip, uint32_t as)
{
	struct ds_model_peer p;

	memset(&p, 0, sizeof(p));
	snprintf(p.id, sizeof(p.id), "%s", id);
	snprintf(p.node, sizeof(p.node), "%s", nodename != NULL ? nodename :
	    "");
	if (ip != NULL && addr_parse(ip, &p.addr) == -1)
		ck_assert_int_eq(addr_port_parse(ip, &p.addr, &p.port), 0);
	p.as = as;
	p.node_sel = sel(nodesel);
	p.peer_sel = sel(peersel);
	ck_assert_int_eq(ds_model_peer_set(m, &p), 0);
}

static size_t ncalls;

static void
count_peer(void *arg, const struct ds_peer *n, const struct ds_peer *o)
{
	(void)arg;
	(void)n;
	(void)o;
	ncalls++;
}

/* Counts the peer changes only (t_scale has too many to record). */
static const struct ds_ops count_ops = {
	.peer_changed = count_peer,
};

static void
commit(struct ds_model *m)
{
	ds_model_commit(m, &rec_ops, NULL);
}

/*
 * The usual route reflector setup (Calico's docs): RR nodes labelled
 * route-reflector=true with a cluster ID, one BGPPeer from every node to
 * them, no mesh; plus two non-Calico peers of every node, iBGP and eBGP.
 * r1 and r2 share a cluster ID, r3 has its own.
 */
static void
rr_cluster(struct ds_model *m, const char *self)
{
	ds_model_init(m, self);
	ds_model_set_node_mesh(m, false);
	node(m, "c1", "198.18.0.1", NULL, 0, "");
	node(m, "c2", "198.18.0.2", NULL, 0, "");
	node(m, "r1", "198.18.0.11", NULL, 0, "224.0.0.1");
	node(m, "r2", "198.18.0.12", NULL, 0, "224.0.0.1");
	node(m, "r3", "198.18.0.13", NULL, 0, "224.0.0.3");
	labels(m, "c1", "rack=a");
	labels(m, "r1", "route-reflector=true");
	labels(m, "r2", "route-reflector=true");
	labels(m, "r3", "route-reflector=true,rack=b");
	bgppeer(m, "peer-with-rrs", NULL, "all()",
	    "route-reflector == 'true'", NULL, 0);
	bgppeer(m, "tor", NULL, NULL, NULL, "198.18.0.200", 64512);
	bgppeer(m, "isp", NULL, NULL, NULL, "198.18.0.201", 65001);
}

/* --- tests --------------------------------------------------------------- */

START_TEST(t_rr_ids)
{
	uint32_t id;

	ck_assert_int_eq(ds_rr_cluster_id_parse("224.0.0.1", &id), 0);
	ck_assert_uint_eq(id, 0xe0000001u);
	ck_assert_int_eq(ds_rr_cluster_id_parse("", &id), 0);
	ck_assert_uint_eq(id, 0);
	ck_assert_int_eq(ds_rr_cluster_id_parse("0.0.0.0", &id), -1);
	ck_assert_int_eq(ds_rr_cluster_id_parse("300.0.0.1", &id), -1);
	ck_assert_int_eq(ds_rr_cluster_id_parse("abcdef", &id), -1);
	ck_assert_int_eq(ds_rr_cluster_id_parse("fd00::1", &id), -1);
	ck_assert_int_eq(ds_rr_cluster_id_parse("1", &id), -1);
	ck_assert_uint_eq(id, 0);
}
END_TEST

/* calico-compat 3.4, 6: no mesh on a reflector, none to a reflector. */
START_TEST(t_mesh_reflectors)
{
	struct ds_model m;

	ds_model_init(&m, "h1");
	node(&m, "h1", "198.18.0.1", NULL, 0, "");
	node(&m, "h2", "198.18.0.2", NULL, 0, "");
	node(&m, "h3", "198.18.0.3", NULL, 0, "10.0.0.3");
	commit(&m);
	EXPECT("local h1 198.18.0.1 AS64512 cluster 0",
	    "+peer Mesh_198_18_0_2 198.18.0.2 AS64512 mesh node h2",
	    "synced");
	/* h2 becomes a reflector: it leaves the mesh, nothing else moves */
	node(&m, "h2", "198.18.0.2", NULL, 0, "10.0.0.2");
	commit(&m);
	EXPECT("-peer Mesh_198_18_0_2");
	node(&m, "h2", "198.18.0.2", NULL, 0, "");
	node(&m, "h3", "198.18.0.3", NULL, 0, "");
	commit(&m);
	EXPECT("+peer Mesh_198_18_0_2 198.18.0.2 AS64512 mesh node h2",
	    "+peer Mesh_198_18_0_3 198.18.0.3 AS64512 mesh node h3");
	/* we become one: no mesh at all */
	node(&m, "h1", "198.18.0.1", NULL, 0, "224.0.0.1");
	commit(&m);
	EXPECT("local h1 198.18.0.1 AS64512 cluster 3758096385",
	    "-peer Mesh_198_18_0_2", "-peer Mesh_198_18_0_3");
	ck_assert_uint_eq(ds_model_local(&m)->rr_cluster_id, 0xe0000001u);
	node(&m, "h1", "198.18.0.1", NULL, 0, "");
	commit(&m);
	EXPECT("local h1 198.18.0.1 AS64512 cluster 0",
	    "+peer Mesh_198_18_0_2 198.18.0.2 AS64512 mesh node h2",
	    "+peer Mesh_198_18_0_3 198.18.0.3 AS64512 mesh node h3");
	/* node_mesh off takes every Mesh_ peer, and only those */
	bgppeer(&m, "tor", NULL, NULL, NULL, "198.18.0.200", 65000);
	commit(&m);
	EXPECT("+peer Global_198_18_0_200 198.18.0.200 AS65000 global");
	ds_model_set_node_mesh(&m, false);
	commit(&m);
	EXPECT("-peer Mesh_198_18_0_2", "-peer Mesh_198_18_0_3");
	ds_model_fini(&m);
}
END_TEST

/* A client: a Node_ session to each reflector, none of them a client. */
START_TEST(t_rr_client_view)
{
	struct ds_model m;

	rr_cluster(&m, "c1");
	commit(&m);
	EXPECT("local c1 198.18.0.1 AS64512 cluster 0",
	    "+peer Global_198_18_0_200 198.18.0.200 AS64512 global",
	    "+peer Global_198_18_0_201 198.18.0.201 AS65001 global",
	    "+peer Node_198_18_0_11 198.18.0.11 AS64512 node node r1 "
	    "cluster 224.0.0.1",
	    "+peer Node_198_18_0_12 198.18.0.12 AS64512 node node r2 "
	    "cluster 224.0.0.1",
	    "+peer Node_198_18_0_13 198.18.0.13 AS64512 node node r3 "
	    "cluster 224.0.0.3", "synced");
	ds_model_fini(&m);
}
END_TEST

/*
 * A reflector: every node through the reverse peering, its clients (and
 * a reflector of another cluster, and the iBGP ToR) as rr clients; r2,
 * in its own cluster, and the eBGP peer are not.
 */
START_TEST(t_rr_reflector_view)
{
	struct ds_model m;

	rr_cluster(&m, "r1");
	commit(&m);
	EXPECT("local r1 198.18.0.11 AS64512 cluster 3758096385",
	    "+peer Global_198_18_0_200 198.18.0.200 AS64512 global "
	    "rr-client",
	    "+peer Global_198_18_0_201 198.18.0.201 AS65001 global",
	    "+peer Node_198_18_0_1 198.18.0.1 AS64512 node node c1 rr-client",
	    "+peer Node_198_18_0_12 198.18.0.12 AS64512 node node r2 "
	    "cluster 224.0.0.1",
	    "+peer Node_198_18_0_13 198.18.0.13 AS64512 node node r3 "
	    "rr-client cluster 224.0.0.3",
	    "+peer Node_198_18_0_2 198.18.0.2 AS64512 node node c2 rr-client",
	    "synced");
	/* a client in another AS is no rr client (eBGP) */
	node(&m, "c2", "198.18.0.2", NULL, 65002, "");
	commit(&m);
	EXPECT("~peer Node_198_18_0_2 198.18.0.2 AS65002 node node c2");
	/* r2 moves to another cluster: now our client; only it changes */
	node(&m, "r2", "198.18.0.12", NULL, 0, "224.0.0.9");
	commit(&m);
	EXPECT("~peer Node_198_18_0_12 198.18.0.12 AS64512 node node r2 "
	    "rr-client cluster 224.0.0.9");
	/* we stop reflecting: no rr client left, still no mesh (off) */
	node(&m, "r1", "198.18.0.11", NULL, 0, "");
	commit(&m);
	EXPECT("local r1 198.18.0.11 AS64512 cluster 0",
	    "~peer Global_198_18_0_200 198.18.0.200 AS64512 global",
	    "~peer Node_198_18_0_1 198.18.0.1 AS64512 node node c1",
	    "~peer Node_198_18_0_12 198.18.0.12 AS64512 node node r2 "
	    "cluster 224.0.0.9",
	    "~peer Node_198_18_0_13 198.18.0.13 AS64512 node node r3 "
	    "cluster 224.0.0.3");
	ds_model_fini(&m);
}
END_TEST

/*
 * issue 15: confd's ExcludeServiceAdvertisement, this node's label
 * node.kubernetes.io/exclude-from-external-load-balancers = "true", is
 * part of the local view: said when it comes and goes, another value or
 * another node's label is not it.
 */
START_TEST(t_svc_excluded)
{
	struct ds_model m;

	ds_model_init(&m, "h1");
	node(&m, "h1", "198.18.0.1", NULL, 0, "");
	node(&m, "h2", "198.18.0.2", NULL, 0, "");
	commit(&m);
	rec.n = 0;
	labels(&m, "h2", "node.kubernetes.io/exclude-from-external-load-"
	    "balancers=true");
	commit(&m);
	EXPECT_NONE();
	labels(&m, "h1", "rack=a,node.kubernetes.io/exclude-from-external-"
	    "load-balancers=true");
	commit(&m);
	EXPECT("local h1 198.18.0.1 AS64512 cluster 0 svc-excluded");
	labels(&m, "h1", "node.kubernetes.io/exclude-from-external-load-"
	    "balancers=True");		/* confd compares with "true" */
	commit(&m);
	EXPECT("local h1 198.18.0.1 AS64512 cluster 0");
	labels(&m, "h1", "node.kubernetes.io/exclude-from-external-load-"
	    "balancers=true");
	commit(&m);
	EXPECT("local h1 198.18.0.1 AS64512 cluster 0 svc-excluded");
	labels(&m, "h1", "");
	commit(&m);
	EXPECT("local h1 198.18.0.1 AS64512 cluster 0");
	ds_model_fini(&m);
}
END_TEST

/* A label change adds or removes exactly the one peer, live. */
START_TEST(t_label_change)
{
	struct ds_model m;

	rr_cluster(&m, "c1");
	commit(&m);
	rec.n = 0;
	labels(&m, "c2", "route-reflector=true");
	commit(&m);
	EXPECT("+peer Node_198_18_0_2 198.18.0.2 AS64512 node node c2");
	labels(&m, "c2", "");
	commit(&m);
	EXPECT("-peer Node_198_18_0_2");
	/* our own labels: nodeSelector rack == 'b' no longer matches us */
	bgppeer(&m, "peer-with-rrs", NULL, "rack == 'a'",
	    "route-reflector == 'true'", NULL, 0);
	commit(&m);
	EXPECT_NONE();
	labels(&m, "c1", "rack=b");
	commit(&m);
	EXPECT("-peer Node_198_18_0_11", "-peer Node_198_18_0_12",
	    "-peer Node_198_18_0_13");
	labels(&m, "c1", "rack=a");
	commit(&m);
	rec.n = 0;
	/* a reflector loses its label, then goes: one peer each time */
	labels(&m, "r3", "rack=b");
	commit(&m);
	EXPECT("-peer Node_198_18_0_13");
	labels(&m, "r3", "route-reflector=true");
	commit(&m);
	EXPECT("+peer Node_198_18_0_13 198.18.0.13 AS64512 node node r3 "
	    "cluster 224.0.0.3");
	ds_model_node_del(&m, "r3");
	commit(&m);
	EXPECT("-peer Node_198_18_0_13");
	/* a reflector's address moves */
	node(&m, "r2", "198.18.0.22", NULL, 0, "224.0.0.1");
	commit(&m);
	EXPECT("-peer Node_198_18_0_12",
	    "+peer Node_198_18_0_22 198.18.0.22 AS64512 node node r2 "
	    "cluster 224.0.0.1");
	ds_model_fini(&m);
}
END_TEST

/* Deleting a BGPPeer takes its sessions, and only those. */
START_TEST(t_bgppeer_delete)
{
	struct ds_model m;

	rr_cluster(&m, "r1");
	commit(&m);
	rec.n = 0;
	ds_model_peer_del(&m, "peer-with-rrs", "", NULL);
	ck_assert_ptr_null(ds_model_peer_get(&m, "peer-with-rrs", "", NULL));
	ck_assert_ptr_nonnull(ds_model_peer_get(&m, "tor", "", NULL));
	commit(&m);
	EXPECT("-peer Node_198_18_0_1", "-peer Node_198_18_0_12",
	    "-peer Node_198_18_0_13", "-peer Node_198_18_0_2");
	ds_model_peer_del(&m, "tor", "", NULL);
	ds_model_peer_del(&m, "absent", "", NULL);
	commit(&m);
	EXPECT("-peer Global_198_18_0_200");
	ds_model_fini(&m);
}
END_TEST

/*
 * A global BGPPeer with a peerSelector: Global_ sessions to the nodes it
 * selects (with their names); a selected node peers back with every node
 * (confd's reverse pass, over node-specific keys) unless reversePeering
 * is Manual. The node's IPv6 address only when we have one.
 */
START_TEST(t_global_selector)
{
	struct ds_model m, m3;
	struct ds_model_peer p;

	ds_model_init(&m, "h1");
	ds_model_set_node_mesh(&m, false);
	node(&m, "h1", "198.18.0.1", NULL, 0, "");
	node(&m, "h2", "198.18.0.2", NULL, 0, "");
	node(&m, "h3", "198.18.0.3", "fd80::3", 65003, "");
	labels(&m, "h3", "edge=yes");
	bgppeer(&m, "edge", NULL, NULL, "has(edge)", NULL, 0);
	commit(&m);
	EXPECT("local h1 198.18.0.1 AS64512 cluster 0",
	    "+peer Global_198_18_0_3 198.18.0.3 AS65003 global node h3",
	    "synced");
	ds_model_fini(&m);

	ds_model_init(&m3, "h3");
	ds_model_set_node_mesh(&m3, false);
	node(&m3, "h1", "198.18.0.1", "fd80::1", 0, "");
	node(&m3, "h2", "198.18.0.2", NULL, 0, "");
	node(&m3, "h3", "198.18.0.3", "fd80::3", 65003, "");
	labels(&m3, "h3", "edge=yes");
	bgppeer(&m3, "edge", NULL, NULL, "has(edge)", NULL, 0);
	commit(&m3);
	EXPECT("local h3 198.18.0.3 AS65003 cluster 0",
	    "+peer Node_198_18_0_1 198.18.0.1 AS64512 node node h1",
	    "+peer Node_198_18_0_2 198.18.0.2 AS64512 node node h2",
	    "+peer Node_fd80__1 fd80::1 AS64512 node node h1", "synced");
	memset(&p, 0, sizeof(p));
	snprintf(p.id, sizeof(p.id), "edge");
	p.peer_sel = sel("has(edge)");
	p.no_reverse = true;
	ck_assert_int_eq(ds_model_peer_set(&m3, &p), 0);
	commit(&m3);
	EXPECT("-peer Node_198_18_0_1", "-peer Node_198_18_0_2",
	    "-peer Node_fd80__1");
	ds_model_fini(&m3);
}
END_TEST

/*
 * confd's CalicoNode (the agent's passive rule): a BGPPeer's peerIP that is
 * a node's address, and only such a peer; a node found by a peerSelector
 * is not one (t_global_selector), nor an address no node has. A node
 * taking the address later changes the peer.
 */
START_TEST(t_calico_node)
{
	struct ds_model m;

	ds_model_init(&m, "h1");
	ds_model_set_node_mesh(&m, false);
	node(&m, "h1", "198.18.0.1", NULL, 0, "");
	node(&m, "h2", "198.18.0.2", NULL, 0, "");
	bgppeer(&m, "to-h2", NULL, NULL, NULL, "198.18.0.2", 64512);
	bgppeer(&m, "tor", NULL, NULL, NULL, "198.18.0.3", 64512);
	commit(&m);
	EXPECT("local h1 198.18.0.1 AS64512 cluster 0",
	    "+peer Global_198_18_0_2 198.18.0.2 AS64512 global calico-node",
	    "+peer Global_198_18_0_3 198.18.0.3 AS64512 global", "synced");
	node(&m, "h3", "198.18.0.3", NULL, 0, "");
	commit(&m);
	EXPECT("~peer Global_198_18_0_3 198.18.0.3 AS64512 global "
	    "calico-node");
	ds_model_fini(&m);
}
END_TEST

/*
 * A BGPPeer by address whose address and AS are this node's: the reverse
 * peering to its node (the address's family only); another AS: none.
 */
START_TEST(t_reverse_by_ip)
{
	struct ds_model m;

	ds_model_init(&m, "h1");
	ds_model_set_node_mesh(&m, false);
	node(&m, "h1", "198.18.0.1", "fd80::1", 0, "");
	node(&m, "h2", "198.18.0.2", "fd80::2", 0, "");
	bgppeer(&m, "to-h1", "h2", NULL, NULL, "198.18.0.1", 65000);
	commit(&m);
	EXPECT("local h1 198.18.0.1 AS64512 cluster 0", "synced");
	bgppeer(&m, "to-h1", "h2", NULL, NULL, "198.18.0.1", 64512);
	commit(&m);
	EXPECT("+peer Node_198_18_0_2 198.18.0.2 AS64512 node node h2");
	/* h2's own view: the forward session, no node name (an address) */
	ds_model_fini(&m);
	ds_model_init(&m, "h2");
	ds_model_set_node_mesh(&m, false);
	node(&m, "h1", "198.18.0.1", "fd80::1", 0, "");
	node(&m, "h2", "198.18.0.2", "fd80::2", 0, "");
	bgppeer(&m, "to-h1", "h2", NULL, NULL, "198.18.0.1:1790", 64512);
	commit(&m);
	EXPECT("local h2 198.18.0.2 AS64512 cluster 0",
	    "+peer Node_198_18_0_1_port_1790 198.18.0.1 AS64512 node "
	    "calico-node port 1790", "synced");
	ds_model_fini(&m);
}
END_TEST

/*
 * Global beats node-specific on the same address and port (confd's
 * emit); another port is another session; nodeSelector beats node; an
 * unknown self is selected by no selector, only by its name; no session
 * to our own address or name.
 */
START_TEST(t_precedence)
{
	struct ds_model m;

	ds_model_init(&m, "h1");
	ds_model_set_node_mesh(&m, false);
	bgppeer(&m, "a-node", NULL, "all()", NULL, "198.18.0.200", 65099);
	bgppeer(&m, "b-named", "h1", NULL, NULL, "198.18.0.201", 65001);
	commit(&m);
	/* h1 unknown: all() does not select it, its name does */
	EXPECT("local h1 (none) AS64512 cluster 0",
	    "+peer Node_198_18_0_201 198.18.0.201 AS65001 node", "synced");
	node(&m, "h1", "198.18.0.1", NULL, 0, "");
	commit(&m);
	EXPECT("local h1 198.18.0.1 AS64512 cluster 0",
	    "+peer Node_198_18_0_200 198.18.0.200 AS65099 node");
	bgppeer(&m, "z-global", NULL, NULL, NULL, "198.18.0.200", 65000);
	bgppeer(&m, "z-global-port", NULL, NULL, NULL, "198.18.0.201:1790",
	    65000);
	commit(&m);
	EXPECT("-peer Node_198_18_0_200",
	    "+peer Global_198_18_0_200 198.18.0.200 AS65000 global",
	    "+peer Global_198_18_0_201_port_1790 198.18.0.201 AS65000 "
	    "global port 1790");
	/* nodeSelector wins over node (confd), which names another node */
	bgppeer(&m, "b-named", "h9", "all()", NULL, "198.18.0.201", 65001);
	commit(&m);
	EXPECT_NONE();
	bgppeer(&m, "b-named", "h9", "!all()", NULL, "198.18.0.201", 65001);
	commit(&m);
	EXPECT("-peer Node_198_18_0_201");
	/* two BGPPeers, one name: the first by BGPPeer name wins */
	bgppeer(&m, "zz-global", NULL, NULL, NULL, "198.18.0.200", 65111);
	commit(&m);
	EXPECT_NONE();
	ds_model_peer_del(&m, "zz-global", "", NULL);
	bgppeer(&m, "a-global", NULL, NULL, NULL, "198.18.0.200", 65111);
	commit(&m);
	EXPECT("~peer Global_198_18_0_200 198.18.0.200 AS65111 global");
	/* a selector that selects us: no session to ourselves */
	labels(&m, "h1", "me=yes");
	bgppeer(&m, "self", NULL, NULL, "me == 'yes'", NULL, 0);
	commit(&m);
	EXPECT_NONE();
	ds_model_fini(&m);
}
END_TEST

/* The setters: a peer without address or selector is refused. */
/*
 * Session options (issue 15): one instance shared by every session a
 * BGPPeer derives (the ones to nodes without localASNumber and
 * numAllowedLocalASNumbers, a second instance); the mesh's from the
 * BGPConfiguration; a re-set with equal options reports nothing, a
 * changed option every session of that BGPPeer, a listen port change the
 * sessions to that node; the options go when the BGPPeer goes (ASan).
 */
static struct ds_peer_opts *
opts_ttl(uint8_t ttl, uint32_t local_as)
{
	struct ds_peer_opts *o = ds_peer_opts_new();

	o->ttl_security = ttl;
	o->local_as = local_as;
	o->num_allow_local_as = local_as != 0 ? 1 : 0;
	ck_assert_int_eq(ds_peer_opts_add_filter(o, "f"), 0);
	return o;
}

static void
bgppeer_opts(struct ds_model *m, const char *id, const char *peersel,
    const char *ip, uint32_t as, struct ds_peer_opts *o)
{
	struct ds_model_peer p;

	memset(&p, 0, sizeof(p));
	snprintf(p.id, sizeof(p.id), "%s", id);
	if (ip != NULL)
		p.addr = A(ip);
	p.as = as;
	p.peer_sel = sel(peersel);
	p.opts = o;
	ck_assert_int_eq(ds_model_peer_set(m, &p), 0);
}

static const struct ds_peer *
vpeer(const struct ds_model *m, const char *name)
{
	const struct ds_peer *v;
	size_t n;

	v = ds_model_peers(m, &n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	ck_abort_msg("no peer %s", name);
	return NULL;
}

START_TEST(t_peer_options)
{
	struct ds_bgp_config c;
	struct ds_model m;
	const struct ds_peer *a, *b, *t;

	ds_model_init(&m, "h1");
	node(&m, "h1", "198.18.0.1", NULL, 0, "");
	node(&m, "h2", "198.18.0.2", NULL, 0, "");
	node(&m, "h3", "198.18.0.3", NULL, 0, "");
	labels(&m, "h2", "rack=a");
	labels(&m, "h3", "rack=a");
	ds_model_set_node_mesh(&m, false);
	bgppeer_opts(&m, "racks", "rack == 'a'", NULL, 0, opts_ttl(2, 65100));
	bgppeer_opts(&m, "tor", NULL, "10.0.0.1", 65001, opts_ttl(3, 65100));
	commit(&m);
	rec.n = 0;
	a = vpeer(&m, "Global_198_18_0_2");
	b = vpeer(&m, "Global_198_18_0_3");
	t = vpeer(&m, "Global_10_0_0_1");
	ck_assert_ptr_eq(a->opts, b->opts);		/* one instance */
	ck_assert_uint_eq(a->opts->ttl_security, 2);
	ck_assert_uint_eq(a->opts->local_as, 0);	/* to a node: none */
	ck_assert_uint_eq(a->opts->num_allow_local_as, 0);
	ck_assert_uint_eq(t->opts->local_as, 65100);
	ck_assert_uint_eq(t->opts->num_allow_local_as, 1);
	ck_assert_str_eq(t->opts->filters[0], "f");
	/* equal options again: nothing; one changed: that BGPPeer's */
	bgppeer_opts(&m, "racks", "rack == 'a'", NULL, 0, opts_ttl(2, 65100));
	commit(&m);
	EXPECT_NONE();
	bgppeer_opts(&m, "racks", "rack == 'a'", NULL, 0, opts_ttl(4, 65100));
	commit(&m);
	EXPECT("~peer Global_198_18_0_2 198.18.0.2 AS64512 global node h2",
	    "~peer Global_198_18_0_3 198.18.0.3 AS64512 global node h3");
	/* the mesh's options, and a node's listen port */
	ds_model_set_node_mesh(&m, true);
	ds_bgp_config_init(&c);
	c.mesh_restart_time = 30;
	ds_model_set_bgp_config(&m, &c);
	ds_model_set_listen_port(&m, "h3", 1790);
	commit(&m);
	EXPECT("-peer Global_198_18_0_3",
	    "+peer Global_198_18_0_3_port_1790 198.18.0.3 AS64512 global "
	    "node h3 port 1790",
	    "+peer Mesh_198_18_0_2 198.18.0.2 AS64512 mesh node h2",
	    "+peer Mesh_198_18_0_3 198.18.0.3 AS64512 mesh node h3 port 1790");
	ck_assert_int_eq(vpeer(&m, "Mesh_198_18_0_2")->opts->restart_time, 30);
	ck_assert_ptr_eq(vpeer(&m, "Mesh_198_18_0_2")->opts,
	    vpeer(&m, "Mesh_198_18_0_3")->opts);
	ds_model_set_bgp_config(&m, NULL);
	commit(&m);
	EXPECT("~peer Mesh_198_18_0_2 198.18.0.2 AS64512 mesh node h2",
	    "~peer Mesh_198_18_0_3 198.18.0.3 AS64512 mesh node h3 port 1790");
	ck_assert_ptr_eq(vpeer(&m, "Mesh_198_18_0_2")->opts,
	    ds_peer_opts_default());
	ds_model_peer_del(&m, "racks", "", NULL);
	commit(&m);
	EXPECT("-peer Global_198_18_0_2", "-peer Global_198_18_0_3_port_1790");
	ds_model_fini(&m);
}
END_TEST

START_TEST(t_peer_setters)
{
	struct ds_model m, fresh;
	struct ds_model_peer p;

	ds_model_init(&m, "h1");
	memset(&p, 0, sizeof(p));
	snprintf(p.id, sizeof(p.id), "x");
	p.node_sel = sel("all()");
	ck_assert_int_eq(ds_model_peer_set(&m, &p), -1);	/* freed */
	p.node_sel = sel("all()");
	p.addr = A("10.0.0.1");
	ck_assert_int_eq(ds_model_peer_set(&m, &p), -1);	/* AS 0 */
	p.as = 65000;
	p.node_sel = sel("all()");
	ck_assert_int_eq(ds_model_peer_set(&m, &p), 0);
	p.node_sel = sel("has(a)");
	ck_assert_int_eq(ds_model_peer_set(&m, &p), 0);	/* replaces */
	ck_assert_uint_eq(m.npeers, 1);
	memset(&p, 0, sizeof(p));			/* no id, no address */
	p.peer_sel = sel("all()");
	ck_assert_int_eq(ds_model_peer_set(&m, &p), -1);
	/* a re-read moves the selectors over; clear frees them */
	ds_model_init(&fresh, "h1");
	bgppeer(&fresh, "y", NULL, NULL, "all()", NULL, 0);
	ds_model_take(&m, &fresh);
	ck_assert_ptr_nonnull(ds_model_peer_get(&m, "y", "", NULL));
	ck_assert_ptr_null(ds_model_peer_get(&m, "x", "", NULL));
	ds_model_fini(&fresh);
	ds_model_fini(&m);
}
END_TEST

/*
 * 1000 nodes, 3 BGPPeers (every node to the reflectors, a global ToR,
 * a peerSelector over a tenth of the nodes): the time one commit takes to
 * derive the view again after one label changes, printed (no bound).
 */
START_TEST(t_scale)
{
	struct ds_model m;
	struct timespec t0, t1;
	char name[32], ip[32];
	size_t n;
	int rounds = 200;
	double ms;

	ds_model_init(&m, "n0");
	ds_model_set_node_mesh(&m, false);
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		snprintf(ip, sizeof(ip), "10.%d.%d.1", i / 250, i % 250);
		node(&m, name, ip, NULL, 0, i % 100 == 1 ? "224.0.0.1" : "");
		labels(&m, name, i % 100 == 1 ? "route-reflector=true" :
		    i % 10 == 0 ? "rack=a,tier=edge" : "rack=b");
	}
	bgppeer(&m, "rr", NULL, "all()", "route-reflector == 'true'", NULL,
	    0);
	bgppeer(&m, "tor", NULL, NULL, NULL, "198.18.0.200", 64512);
	bgppeer(&m, "edge", NULL, "rack == 'a'", "tier == 'edge' && "
	    "rack in {'a', 'c'}", NULL, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ds_model_commit(&m, &count_ops, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	ds_model_peers(&m, &n);
	/* n0: rack a, edge: 10 reflectors, the ToR, 99 other edge nodes */
	ck_assert_uint_eq(n, 10 + 1 + 99);
	ck_assert_uint_eq(ncalls, n);
	ncalls = 0;
	fprintf(stderr, "t_scale: first commit, 1000 nodes, 3 BGPPeers: "
	    "%.3f ms\n", ms);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int r = 0; r < rounds; r++) {
		snprintf(name, sizeof(name), "n%d", 2 + r % 8);
		labels(&m, name, r % 2 ? "rack=b" : "rack=b,x=y");
		ds_model_commit(&m, &count_ops, NULL);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	ck_assert_uint_eq(ncalls, 0);
	fprintf(stderr, "t_scale: a label change re-derived: %.3f ms per "
	    "commit (%d commits)\n", ms / rounds, rounds);
	/* the mesh on as well: 989 more sessions (the reflectors skipped) */
	ds_model_set_node_mesh(&m, true);
	ds_model_commit(&m, &count_ops, NULL);
	ck_assert_uint_eq(ncalls, 989);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int r = 0; r < rounds; r++) {
		snprintf(name, sizeof(name), "n%d", 2 + r % 8);
		labels(&m, name, r % 2 ? "rack=b" : "rack=b,x=y");
		ds_model_commit(&m, &count_ops, NULL);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	ck_assert_uint_eq(ncalls, 989);
	fprintf(stderr, "t_scale: the same with the mesh on (%zu sessions): "
	    "%.3f ms per commit\n", (size_t)989 + n, ms / rounds);
	ds_model_fini(&m);
}
END_TEST

static void
reset(void)
{
	rec.n = 0;
}

int
main(void)
{
	Suite *s = suite_create("derive");
	TCase *tc = tcase_create("derive");

	log_init(LOG_LVL_ERROR, 0, "test_derive");
	tcase_add_checked_fixture(tc, reset, NULL);
	tcase_add_test(tc, t_rr_ids);
	tcase_add_test(tc, t_mesh_reflectors);
	tcase_add_test(tc, t_rr_client_view);
	tcase_add_test(tc, t_calico_node);
	tcase_add_test(tc, t_rr_reflector_view);
	tcase_add_test(tc, t_label_change);
	tcase_add_test(tc, t_svc_excluded);
	tcase_add_test(tc, t_bgppeer_delete);
	tcase_add_test(tc, t_global_selector);
	tcase_add_test(tc, t_reverse_by_ip);
	tcase_add_test(tc, t_precedence);
	tcase_add_test(tc, t_peer_options);
	tcase_add_test(tc, t_peer_setters);
	tcase_add_test(tc, t_scale);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return check_run(s);
}
