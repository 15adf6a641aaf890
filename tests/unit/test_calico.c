/*
 * test_calico.c: the etcd datastore (datastore/calico.c, etcd*.c, json.c).
 *
 * A recording ds_ops turns every hook call into one line of text, so each
 * test states exactly which typed events it expects, in order. Three
 * layers: Calico keys and values of both layouts put straight into a model
 * (calico-compat.md 1 and 2, malformed values logged once and skipped);
 * the etcd v3 and v2 protocols driven without a network, the test playing
 * etcd through etcd.h's transport entry points with canned answers (some
 * captured from etcd 3.4): list, watch stream cut at every byte, resume
 * after a failure, compaction, errors; and the helpers (base64, the JSON
 * stream with its size and depth bounds).
 */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calico.h"
#include "datastore.h"
#include "etcd.h"
#include "etcd_answers.h"
#include "json.h"
#include "labels.h"
#include "log.h"
#include "model.h"
#include "ds_rec.h"
#include "log_capture.h"

/* --- the recording stub -------------------------------------------------- */

static void
rec_local(void *arg, const struct ds_local *l)
{
	char a4[ADDR_STRLEN], n4[PREFIX_STRLEN];

	(void)arg;
	struct addr id;
	char b[ADDR_STRLEN];

	addr_set_v4(&id, l->rr_cluster_id);
	rec_add("local %s %s %s AS%u%s%s%s", l->name,
	    addr_fmt(&l->ipv4, a4, sizeof(a4)),
	    prefix_fmt(&l->net4, n4, sizeof(n4)), l->as,
	    l->known ? "" : " unknown", l->rr_cluster_id ? " cluster " : "",
	    l->rr_cluster_id ? addr_fmt(&id, b, sizeof(b)) : "");
}

/*
 * "+peer NAME ASn port P", "-peer NAME", "~peer NAME ASn port P", with
 * " rr-client" and " cluster ID" when set (route reflection)
 */
static void
rec_peer(void *arg, const struct ds_peer *n, const struct ds_peer *o)
{
	struct addr id;
	char b[ADDR_STRLEN];

	(void)arg;
	if (n == NULL) {
		rec_add("-peer %s", o->name);
		return;
	}
	addr_set_v4(&id, n->rr_cluster_id);
	rec_add("%cpeer %s AS%u port %u%s%s%s", o == NULL ? '+' : '~',
	    n->name, n->as, n->port, n->rr_client ? " rr-client" : "",
	    n->rr_cluster_id ? " cluster " : "",
	    n->rr_cluster_id ? addr_fmt(&id, b, sizeof(b)) : "");
}

static void
rec_pool(void *arg, const struct ds_pool *n, const struct ds_pool *o)
{
	static const char *const ipip[] = { "never", "always",
	    "cross-subnet" };
	char a[PREFIX_STRLEN];

	(void)arg;
	if (n == NULL)
		rec_add("-pool %s", prefix_fmt(&o->cidr, a, sizeof(a)));
	else
		rec_add("%cpool %s %s%s%s%s%s", o == NULL ? '+' : '~',
		    prefix_fmt(&n->cidr, a, sizeof(a)), ipip[n->ipip],
		    n->vxlan != DS_VXLAN_NEVER ? " vxlan " : "",
		    n->vxlan != DS_VXLAN_NEVER ? ipip[n->vxlan] : "",
		    n->no_export ? " no-export" : "",
		    n->disabled ? " disabled" : "");
}

static const struct ds_ops rec_ops = {
	rec_local, rec_peer, rec_block, rec_pool, rec_synced, rec_log,
};

/* --- the log, captured to count what was said ---------------------------- */


/* --- layer 1: keys and values into a model ------------------------------- */

#define RES	"/calico/resources/v3/projectcalico.org/"
#define AFF	"/calico/ipam/v2/host/h1/ipv4/block/"
#define BGP	"/calico/bgp/v1/"

static struct ds_model M;
static struct ds_calico *C;

static void
cal_setup(enum ds_layout layout)
{
	rec.n = 0;
	ds_model_init(&M, "h1");
	C = ds_calico_new(layout, "/calico/", "h1");
}

static void
cal_teardown(void)
{
	ds_calico_free(C);
	ds_model_fini(&M);
}

/* Put val, its ' turned into " (the tests' JSON stays readable). */
static void
put(const char *key, const char *val)
{
	char *v = strdup(val);

	ck_assert_ptr_nonnull(v);
	for (char *c = v; *c != '\0'; c++)
		if (*c == '\'')
			*c = '"';
	ds_calico_put(C, &M, key, strlen(key), v, strlen(v));
	free(v);
}

static void
del(const char *key)
{
	ds_calico_del(C, &M, key, strlen(key));
}

static void
commit(void)
{
	ds_model_commit(&M, &rec_ops, NULL);
}

START_TEST(t_v3_keys)
{
	cal_setup(DS_LAYOUT_V3);
	ck_assert_uint_eq(ds_calico_nranges(C), 5);
	ck_assert_str_eq(ds_calico_range(C, 0), RES "nodes/");
	ck_assert_str_eq(ds_calico_range(C, 4), "/calico/ipam/v2/host/h1/");
	put(RES "nodes/h1", "{'kind':'Node',"
	    "'spec':{'bgp':{'ipv4Address':'10.192.0.2/16'},"
	    "'addresses':[{'a':1}]},'status':{}}");
	put(RES "nodes/h2", "{'spec':{'bgp':{'ipv4Address':'198.18.0.2',"
	    "'asNumber':'1.10'}}}");
	put(RES "nodes/h3", "{'spec':{'bgp':{'ipv4Address':'198.18.0.3/24',"
	    "'asNumber':64513}}}");
	put(RES "nodes/h4", "{'spec':{}}");		/* no BGP */
	put(RES "bgpconfigurations/default", "{'spec':{'asNumber':65001,"
	    "'logSeverityScreen':'Info'}}");
	put(RES "bgpconfigurations/node.h1", "{'spec':{'listenPort':1}}");
	put(RES "ippools/p1", "{'spec':{'cidr':'10.244.0.0/16',"
	    "'ipipMode':'CrossSubnet','natOutgoing':true}}");
	put(RES "ippools/p2", "{'spec':{'cidr':'fd00:10::/48',"
	    "'disabled':true}}");
	put(AFF "10.244.1.0-26", "{'state':'confirmed','deleted':false}");
	put(AFF "10.244.1.64-26", "{'state':'pending'}");
	put(AFF "10.244.1.128-26", "{'state':'pendingDeletion'}");
	put(AFF "10.244.1.192-26", "");
	put(AFF "10.244.2.0-26", "{}");
	put(AFF "10.244.2.64-26", "{'deleted':true}");
	put("/calico/ipam/v2/host/h1/ipv6/block/fd00:10:0:1::-122", "{}");
	put("/calico/ipam/v2/host/h2/ipv4/block/10.244.9.0-26", "{}");
	commit();
	EXPECT("log info", "local h1 10.192.0.2 10.192.0.0/16 AS65001",
	    "+pool 10.244.0.0/16 cross-subnet", "+pool fd00:10::/48 never "
	    "disabled", "+block 10.244.1.0/26", "+block 10.244.1.192/26",
	    "+block 10.244.2.0/26", "+block fd00:10:0:1::/122",
	    "+peer Mesh_198_18_0_2 AS65546 port 179",
	    "+peer Mesh_198_18_0_3 AS64513 port 179", "synced");
	/* pending -> confirmed, confirmed -> pendingDeletion */
	put(AFF "10.244.1.64-26", "{'state':'confirmed'}");
	put(AFF "10.244.1.0-26", "{'state':'pendingDeletion'}");
	del(AFF "10.244.2.0-26");
	put(RES "bgpconfigurations/default", "{'spec':{'nodeToNodeMeshEnabled':"
	    "false}}");
	commit();
	EXPECT("log unset", "local h1 10.192.0.2 10.192.0.0/16 AS64512",
	    "-block 10.244.1.0/26", "-block 10.244.2.0/26",
	    "+block 10.244.1.64/26", "-peer Mesh_198_18_0_2",
	    "-peer Mesh_198_18_0_3");
	del(RES "bgpconfigurations/default");	/* defaults again */
	del(RES "nodes/h3");
	commit();
	EXPECT("+peer Mesh_198_18_0_2 AS65546 port 179");
	cal_teardown();
}
END_TEST

START_TEST(t_v3_peers_pools)
{
	cal_setup(DS_LAYOUT_V3);
	put(RES "nodes/h1", "{'spec':{'bgp':{'ipv4Address':'198.18.0.1/24'}}}");
	put(RES "bgppeers/g", "{'spec':{'peerIP':'198.18.0.200',"
	    "'asNumber':65000}}");
	put(RES "bgppeers/mine", "{'spec':{'node':'h1',"
	    "'peerIP':'10.0.0.1:1790','asNumber':'65001'}}");
	put(RES "bgppeers/other", "{'spec':{'node':'h2','peerIP':'10.0.0.2',"
	    "'asNumber':65002}}");
	put(RES "bgppeers/all", "{'spec':{'nodeSelector':'all()',"
	    "'peerIP':'[fd00::9]:179','asNumber':65003}}");
	put(RES "ippools/a", "{'spec':{'cidr':'10.244.0.0/16'}}");
	commit();
	/* a nodeSelector, all() too, makes a node-specific peer (confd);
	 * a port given in peerIP ends the name */
	EXPECT("local h1 198.18.0.1 198.18.0.0/24 AS64512",
	    "+pool 10.244.0.0/16 never",
	    "+peer Global_198_18_0_200 AS65000 port 179",
	    "+peer Node_10_0_0_1_port_1790 AS65001 port 1790",
	    "+peer Node_fd00__9_port_179 AS65003 port 179", "synced");
	/* identity in the value: a new CIDR or address replaces the old */
	put(RES "ippools/a", "{'spec':{'cidr':'10.245.0.0/16',"
	    "'ipipMode':'Always'}}");
	put(RES "bgppeers/g", "{'spec':{'peerIP':'198.18.0.201',"
	    "'asNumber':65000}}");
	/* a second key for one peer: deleting one keeps the peer */
	put(RES "bgppeers/g2", "{'spec':{'peerIP':'198.18.0.201',"
	    "'asNumber':65000}}");
	put(RES "bgppeers/mine", "{'spec':{'node':'h2','peerIP':'10.0.0.1',"
	    "'asNumber':65001}}");
	commit();
	EXPECT("-pool 10.244.0.0/16", "+pool 10.245.0.0/16 always",
	    "-peer Global_198_18_0_200", "-peer Node_10_0_0_1_port_1790",
	    "+peer Global_198_18_0_201 AS65000 port 179");
	del(RES "bgppeers/g");
	commit();
	EXPECT_NONE();
	del(RES "bgppeers/g2");
	del(RES "ippools/a");
	commit();
	EXPECT("-pool 10.245.0.0/16", "-peer Global_198_18_0_201");
	/* h1, and the BGPPeers all, other and mine (for h2: kept too) */
	ck_assert_uint_eq(ds_calico_nkeys(C), 4);
	cal_teardown();
}
END_TEST

START_TEST(t_v2_keys)
{
	cal_setup(DS_LAYOUT_V2);
	ck_assert_uint_eq(ds_calico_nranges(C), 4);
	ck_assert_str_eq(ds_calico_range(C, 0), BGP);
	put(BGP "global/as_num", "64512");
	put(BGP "global/node_mesh", "{'enabled': true}");
	put(BGP "global/loglevel", "info");
	put(BGP "host/h1/ip_addr_v4", "198.18.0.1");
	put(BGP "host/h1/ip_addr_v6", "");
	put(BGP "host/h1/network_v4", "198.18.0.0/24");
	put(BGP "host/h2/ip_addr_v4", "198.18.0.2");
	put(BGP "host/h2/as_num", "64513");
	put(BGP "global/peer_v4/198.18.0.200", "{'ip':'198.18.0.200',"
	    "'as_num':'65000'}");
	put(BGP "host/h1/peer_v4/10.0.0.1", "{'ip':'10.0.0.1',"
	    "'as_num':'65001'}");
	put(BGP "host/h2/peer_v4/10.0.0.2", "{'ip':'10.0.0.2',"
	    "'as_num':'65002'}");
	put("/calico/v1/ipam/v4/pool/10.244.0.0-16", "{'cidr':'10.244.0.0/16',"
	    "'ipip':'tunl0','ipip_mode':'cross-subnet','masquerade':true,"
	    "'ipam':true,'disabled':false}");
	put("/calico/v1/ipam/v4/pool/10.99.0.0-16", "{'cidr':'10.99.0.0/16',"
	    "'ipip':'tunl0'}");
	put(AFF "10.244.1.0-26", "");
	put(AFF "10.244.1.64-26", "{}");
	put(AFF "10.244.1.128-26", "anything");
	commit();
	EXPECT("log info", "local h1 198.18.0.1 198.18.0.0/24 AS64512",
	    "+pool 10.99.0.0/16 always", "+pool 10.244.0.0/16 cross-subnet",
	    "+block 10.244.1.0/26", "+block 10.244.1.64/26",
	    "+block 10.244.1.128/26", "+peer Global_198_18_0_200 AS65000 "
	    "port 179", "+peer Mesh_198_18_0_2 AS64513 port 179",
	    "+peer Node_10_0_0_1 AS65001 port 179", "synced");
	/* fields of one node: it goes when its last key goes */
	del(BGP "host/h2/ip_addr_v4");
	commit();
	EXPECT("-peer Mesh_198_18_0_2");
	ck_assert_ptr_nonnull(ds_model_node_get(&M, "h2"));
	del(BGP "host/h2/as_num");
	ck_assert_ptr_null(ds_model_node_get(&M, "h2"));
	put(BGP "host/h3/ip_addr_v4", "198.18.0.3");
	put(BGP "global/node_mesh", "{'enabled':false}");
	put(BGP "global/as_num", "65000");
	commit();
	EXPECT("local h1 198.18.0.1 198.18.0.0/24 AS65000");
	del(BGP "global/node_mesh");
	del(BGP "global/as_num");
	del(AFF "10.244.1.0-26");
	commit();
	EXPECT("local h1 198.18.0.1 198.18.0.0/24 AS64512",
	    "-block 10.244.1.0/26", "+peer Mesh_198_18_0_3 AS64512 port 179");
	cal_teardown();
}
END_TEST

/* Malformed values: skipped (the key's old facts undone), logged once. */
START_TEST(t_malformed)
{
	char big[DS_CALICO_VALUE_MAX + 2];
	struct ds_calico *f;
	struct ds_model fm;

	log_capture();
	cal_setup(DS_LAYOUT_V3);
	put(RES "nodes/h1", "{'spec':{'bgp':{'ipv4Address':'198.18.0.1/24'}}}");
	put(RES "nodes/h2", "{'spec':{'bgp':{'ipv4Address':'198.18.0.2/24'},"
	    "'futureField':{'x':[1,2]}},'extra':1}");
	put(RES "nodes/h3", "{not json");
	put(RES "nodes/h4", "{'spec':{'bgp':{'ipv4Address':'198.18.0.300/24'}}}"
	    "");
	put(RES "nodes/h5", "{'spec':{'bgp':{'ipv4Address':'fd00::1/64'}}}");
	put(RES "nodes/h6", "{'spec':{'bgp':{'asNumber':0}}}");
	put(RES "nodes/h7", "[1,2,3]");
	put(RES "ippools/bad", "{'spec':{'cidr':'10.300.0.0/16'}}");
	put(RES "ippools/host", "{'spec':{'cidr':'10.0.0.1/16'}}");
	put(RES "ippools/mode", "{'spec':{'cidr':'10.1.0.0/16',"
	    "'ipipMode':'Sometimes'}}");
	put(RES "bgppeers/x", "{'spec':{'peerIP':'nope','asNumber':1}}");
	put(RES "bgppeers/y", "{'spec':{'peerIP':'10.0.0.9'}}");
	put(AFF "10.244.999.0-26", "");
	put(AFF "10.244.1.0-26", "{'state':5}");
	put(AFF "fd00::-122", "");
	put(RES "nodes/h8", "{'spec':{'bgp':{'ipv4Address':'1\\u0000'}}}");
	memset(big, ' ', sizeof(big) - 1);
	big[0] = '{';
	big[sizeof(big) - 2] = '}';
	big[sizeof(big) - 1] = '\0';
	put(RES "nodes/h9", big);
	commit();
	EXPECT("local h1 198.18.0.1 198.18.0.0/24 AS64512",
	    "+peer Mesh_198_18_0_2 AS64512 port 179", "synced");
	ck_assert_int_eq(log_lines("etcd key "), 15);
	ck_assert_int_eq(log_lines("nodes/h3: "), 1);
	ck_assert_int_eq(log_lines("999.0-26: bad CIDR in the key"), 1);
	/* the same bad value again: silent; a different one: said */
	put(RES "nodes/h3", "{not json");
	put(RES "nodes/h4",
	    "{'spec':{'bgp':{'ipv4Address':'198.18.0.300/24'}}}");
	ck_assert_int_eq(log_lines("etcd key "), 15);
	put(RES "nodes/h3", "{still not json");
	ck_assert_int_eq(log_lines("nodes/h3: "), 2);
	/* a good key turned bad loses its facts; a re-list (fork) is quiet */
	put(RES "nodes/h2", "{'spec':{'bgp':{'ipv4Address':'x'}}}");
	commit();
	EXPECT("-peer Mesh_198_18_0_2");
	f = ds_calico_fork(C);
	ds_model_init(&fm, "h1");
	ds_calico_put(f, &fm, RES "nodes/h3", strlen(RES "nodes/h3"),
	    "{still not json", 15);
	ds_calico_detach(f);
	ds_calico_free(f);
	ds_model_fini(&fm);
	ck_assert_int_eq(log_lines("nodes/h3: "), 2);
	/* keys out of the prefix, too long or with NUL bytes are ignored */
	ds_calico_put(C, &M, "/other/x", 8, "{}", 2);
	ds_calico_put(C, &M, RES "nodes/a\0b", strlen(RES) + 9, "{}", 2);
	ck_assert_uint_eq(ds_calico_nkeys(C), 1);
	cal_teardown();
}
END_TEST

/* The labels of node h as one line: "k=v k=v", or "unknown". */
static const char *
labels_of(const char *h)
{
	static char buf[1024];
	const struct selector_label *kv;
	size_t n, off = 0;

	if ((kv = ds_model_labels(&M, h, &n)) == NULL)
		return "unknown";
	buf[0] = '\0';
	for (size_t i = 0; i < n && off < sizeof(buf); i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s=%s",
		    i > 0 ? " " : "", kv[i].key, kv[i].value);
	ck_assert_ptr_null(kv[n].key);
	return buf;
}

#define NODE2	"{'spec':{'bgp':{'ipv4Address':'198.18.0.2/24'}},"

/*
 * v3 Node metadata.labels (labels.h): an object of strings, sorted by key
 * in the model; a change is visible at once and moves no peer; a bad set
 * (non-string value, not an object, too many, a bad or over-long key or
 * value) is logged once naming the key and ignored whole: the node keeps
 * its addresses and its mesh session, with no labels. v2 has none.
 */
START_TEST(t_v3_labels)
{
	char many[64 * 16 + 128];
	size_t off;

	log_capture();
	cal_setup(DS_LAYOUT_V3);
	put(RES "nodes/h1", "{'spec':{'bgp':{'ipv4Address':'198.18.0.1/24'}}}");
	put(RES "nodes/h2", NODE2 "'metadata':{'name':'h2','labels':"
	    "{'rack':'r1','topology.kubernetes.io/zone':'z1','e':''}}}");
	commit();
	EXPECT("local h1 198.18.0.1 198.18.0.0/24 AS64512",
	    "+peer Mesh_198_18_0_2 AS64512 port 179", "synced");
	ck_assert_str_eq(labels_of("h2"),
	    "e= rack=r1 topology.kubernetes.io/zone=z1");
	ck_assert_str_eq(labels_of("h1"), "");
	ck_assert_str_eq(labels_of("h3"), "unknown");
	/* a change of labels: visible, no hook */
	put(RES "nodes/h2", NODE2 "'metadata':{'labels':{'rack':'r2'}}}");
	commit();
	EXPECT_NONE();
	ck_assert_str_eq(labels_of("h2"), "rack=r2");
	put(RES "nodes/h2", NODE2 "'metadata':{'labels':null}}");
	ck_assert_str_eq(labels_of("h2"), "");
	put(RES "nodes/h2", NODE2 "'metadata':{'labels':{}}}");
	ck_assert_str_eq(labels_of("h2"), "");
	ck_assert_int_eq(log_lines("etcd key "), 0);
	/* bad sets: ignored whole, said once per value, the node stays */
	put(RES "nodes/h2", NODE2 "'metadata':{'labels':{'rack':'r1',"
	    "'n':1}}}");
	ck_assert_str_eq(labels_of("h2"), "");
	ck_assert_int_eq(log_lines("nodes/h2: metadata.labels (a label value "
	    "is not a string); ignored"), 1);
	put(RES "nodes/h2", NODE2 "'metadata':{'labels':{'rack':'r1',"
	    "'n':1}}}");
	ck_assert_int_eq(log_lines("etcd key "), 1);
	put(RES "nodes/h2", NODE2 "'metadata':{'labels':{'rack':null}}}");
	put(RES "nodes/h2", NODE2 "'metadata':{'labels':{'rack':['r1']}}}");
	put(RES "nodes/h2", NODE2 "'metadata':{'labels':'rack=r1'}}");
	put(RES "nodes/h2", NODE2 "'metadata':{'labels':['rack']}}");
	ck_assert_int_eq(log_lines("metadata.labels (not an object)"), 2);
	put(RES "nodes/h2", NODE2 "'metadata':{'labels':{'rack':"
	    "'v234567890123456789012345678901234567890123456789012345678901234'"
	    "}}}");
	ck_assert_int_eq(log_lines("(label value longer than 63 bytes)"), 1);
	put(RES "nodes/h2", NODE2 "'metadata':{'labels':{'Bad.io/a':'x'}}}");
	ck_assert_int_eq(log_lines("(bad label key prefix"), 1);
	put(RES "nodes/h2", NODE2 "'metadata':{'labels':{'a/b/c':'x'}}}");
	put(RES "nodes/h2", NODE2 "'metadata':{'labels':{'rack':'r 1'}}}");
	ck_assert_int_eq(log_lines("(bad label value"), 1);
	off = (size_t)snprintf(many, sizeof(many), NODE2 "'metadata':{"
	    "'labels':{");
	for (int i = 0; i <= DS_LABELS_MAX; i++)
		off += (size_t)snprintf(many + off, sizeof(many) - off,
		    "%s'k%d':'v'", i > 0 ? "," : "", i);
	snprintf(many + off, sizeof(many) - off, "}}}");
	put(RES "nodes/h2", many);
	ck_assert_int_eq(log_lines("(more than 64 labels)"), 1);
	put(RES "nodes/h2", NODE2 "'metadata':{'labels':{'rack\\u0000x':"
	    "'r1'}}}");
	ck_assert_int_eq(log_lines("(a \\u0000 escape in the value)"), 1);
	ck_assert_int_eq(log_lines("etcd key "), 11);
	ck_assert_int_eq(log_lines("skipped"), 0);
	ck_assert_str_eq(labels_of("h2"), "");
	commit();
	EXPECT_NONE();				/* the mesh session stays */
	/* good again; then the node deleted takes its labels */
	put(RES "nodes/h2", NODE2 "'metadata':{'labels':{'rack':'r1'}}}");
	ck_assert_str_eq(labels_of("h2"), "rack=r1");
	del(RES "nodes/h2");
	ck_assert_str_eq(labels_of("h2"), "unknown");
	put(RES "nodes/h2", NODE2 "'metadata':{}}");
	ck_assert_str_eq(labels_of("h2"), "");
	cal_teardown();
	/* v2: node fields only, never labels */
	cal_setup(DS_LAYOUT_V2);
	put(BGP "host/h2/ip_addr_v4", "198.18.0.2");
	ck_assert_str_eq(labels_of("h2"), "");
	cal_teardown();
}
END_TEST

/*
 * spec.bgp.routeReflectorClusterID: a reflector has no mesh and is left
 * out of the others'; a bad ID is logged once and ignored, the node kept
 * as no reflector; an ID removed makes the node a mesh member again.
 */
START_TEST(t_v3_rr_cluster_id)
{
	log_capture();
	cal_setup(DS_LAYOUT_V3);
	put(RES "nodes/h1", "{'spec':{'bgp':{'ipv4Address':'198.18.0.1/24'}}}");
	put(RES "nodes/h2", "{'spec':{'bgp':{'ipv4Address':'198.18.0.2/24',"
	    "'routeReflectorClusterID':'224.0.0.1'}}}");
	put(RES "nodes/h3", "{'spec':{'bgp':{'ipv4Address':'198.18.0.3/24',"
	    "'routeReflectorClusterID':'300.0.0.1'}}}");
	put(RES "nodes/h4", "{'spec':{'bgp':{'ipv4Address':'198.18.0.4/24',"
	    "'routeReflectorClusterID':''}}}");
	commit();
	EXPECT("local h1 198.18.0.1 198.18.0.0/24 AS64512",
	    "+peer Mesh_198_18_0_3 AS64512 port 179",
	    "+peer Mesh_198_18_0_4 AS64512 port 179", "synced");
	ck_assert_uint_eq(ds_model_node_get(&M, "h2")->rr_cluster_id,
	    0xe0000001u);
	ck_assert_uint_eq(ds_model_node_get(&M, "h3")->rr_cluster_id, 0);
	ck_assert_int_eq(log_lines("nodes/h3: spec.bgp.routeReflectorClusterID "
	    "(not an IPv4 address other than 0.0.0.0); ignored"), 1);
	put(RES "nodes/h3", "{'spec':{'bgp':{'ipv4Address':'198.18.0.3/24',"
	    "'routeReflectorClusterID':'300.0.0.1'}}}");
	put(RES "nodes/h4", "{'spec':{'bgp':{'ipv4Address':'198.18.0.4/24',"
	    "'routeReflectorClusterID':'0.0.0.0'}}}");
	put(RES "nodes/h4", "{'spec':{'bgp':{'ipv4Address':'198.18.0.4/24',"
	    "'routeReflectorClusterID':7}}}");
	ck_assert_int_eq(log_lines("routeReflectorClusterID"), 3);
	ck_assert_int_eq(log_lines("(not a string); ignored"), 1);
	commit();
	EXPECT_NONE();
	/* h2 no reflector any more, h1 becomes one: no mesh at all */
	put(RES "nodes/h2", "{'spec':{'bgp':{'ipv4Address':'198.18.0.2/24'}}}");
	put(RES "nodes/h1", "{'spec':{'bgp':{'ipv4Address':'198.18.0.1/24',"
	    "'routeReflectorClusterID':'10.0.0.1'}}}");
	commit();
	EXPECT("local h1 198.18.0.1 198.18.0.0/24 AS64512 cluster 10.0.0.1",
	    "-peer Mesh_198_18_0_3", "-peer Mesh_198_18_0_4");
	ck_assert_uint_eq(ds_model_local(&M)->rr_cluster_id, 0x0a000001u);
	/* a bad ID and bad labels: both said, in one line */
	put(RES "nodes/h1", "{'spec':{'bgp':{'ipv4Address':'198.18.0.1/24',"
	    "'routeReflectorClusterID':'x'}},'metadata':{'labels':[1]}}");
	ck_assert_int_eq(log_lines("nodes/h1: spec.bgp.routeReflectorClusterID "
	    "(not an IPv4 address other than 0.0.0.0); metadata.labels "
	    "(not an object); ignored"), 1);
	commit();
	EXPECT("local h1 198.18.0.1 198.18.0.0/24 AS64512",
	    "+peer Mesh_198_18_0_2 AS64512 port 179",
	    "+peer Mesh_198_18_0_3 AS64512 port 179",
	    "+peer Mesh_198_18_0_4 AS64512 port 179");
	cal_teardown();
}
END_TEST

#define RRNODE(ip, rest)	"{'spec':{'bgp':{'ipv4Address':'" ip "/24'" \
	rest "}},'metadata':{'labels':{"
/* the usual route reflector BGPPeer: every node with the reflectors */
#define RRPEER	"{'spec':{'nodeSelector':'all()','peerSelector':" \
	"'route-reflector == \\'true\\''}}"

/*
 * The route reflector setup in v3 resources, from a reflector's view: a
 * session to every node (the reverse peering), clients and the iBGP
 * non-Calico peer as rr clients, the other reflector of its cluster and
 * the eBGP peer not; then from a client's view.
 */
START_TEST(t_v3_rr_setup)
{
	for (int view = 0; view < 2; view++) {
		rec.n = 0;
		ds_model_init(&M, view == 0 ? "r1" : "c1");
		C = ds_calico_new(DS_LAYOUT_V3, "/calico/", view == 0 ? "r1" :
		    "c1");
		put(RES "bgpconfigurations/default",
		    "{'spec':{'nodeToNodeMeshEnabled':false}}");
		put(RES "nodes/c1", RRNODE("198.18.0.1", "") "}}}");
		put(RES "nodes/c2", RRNODE("198.18.0.2", "") "'rack':'a'}}}");
		put(RES "nodes/r1", RRNODE("198.18.0.11",
		    ",'routeReflectorClusterID':'224.0.0.1'")
		    "'route-reflector':'true'}}}");
		put(RES "nodes/r2", RRNODE("198.18.0.12",
		    ",'routeReflectorClusterID':'224.0.0.1'")
		    "'route-reflector':'true'}}}");
		put(RES "bgppeers/peer-with-rrs", RRPEER);
		put(RES "bgppeers/tor", "{'spec':{'peerIP':'198.18.0.200',"
		    "'asNumber':64512}}");
		put(RES "bgppeers/isp", "{'spec':{'peerIP':'198.18.0.201',"
		    "'asNumber':65001}}");
		commit();
		if (view == 0)
			EXPECT("local r1 198.18.0.11 198.18.0.0/24 AS64512 "
			    "cluster 224.0.0.1",
			    "+peer Global_198_18_0_200 AS64512 port 179 "
			    "rr-client",
			    "+peer Global_198_18_0_201 AS65001 port 179",
			    "+peer Node_198_18_0_1 AS64512 port 179 rr-client",
			    "+peer Node_198_18_0_12 AS64512 port 179 "
			    "cluster 224.0.0.1",
			    "+peer Node_198_18_0_2 AS64512 port 179 rr-client",
			    "synced");
		else
			EXPECT("local c1 198.18.0.1 198.18.0.0/24 AS64512",
			    "+peer Global_198_18_0_200 AS64512 port 179",
			    "+peer Global_198_18_0_201 AS65001 port 179",
			    "+peer Node_198_18_0_11 AS64512 port 179 "
			    "cluster 224.0.0.1",
			    "+peer Node_198_18_0_12 AS64512 port 179 "
			    "cluster 224.0.0.1", "synced");
		/* the BGPPeer deleted: its sessions go, nothing else */
		del(RES "bgppeers/peer-with-rrs");
		commit();
		if (view == 0)
			EXPECT("-peer Node_198_18_0_1",
			    "-peer Node_198_18_0_12", "-peer Node_198_18_0_2");
		else
			EXPECT("-peer Node_198_18_0_11",
			    "-peer Node_198_18_0_12");
		cal_teardown();
	}
}
END_TEST

/*
 * BGPPeer selectors from etcd: a label change moves exactly one session;
 * a bad selector (or reversePeering) is logged once with its key and the
 * BGPPeer ignored, the rest of the view unchanged; fixed, it applies.
 */
START_TEST(t_v3_selectors)
{
	log_capture();
	cal_setup(DS_LAYOUT_V3);
	put(RES "bgpconfigurations/default",
	    "{'spec':{'nodeToNodeMeshEnabled':false}}");
	put(RES "nodes/h1", RRNODE("198.18.0.1", "") "'rack':'a'}}}");
	put(RES "nodes/h2", RRNODE("198.18.0.2", "") "'rack':'a'}}}");
	put(RES "nodes/h3", RRNODE("198.18.0.3", "") "'rack':'b'}}}");
	put(RES "bgppeers/rack-a", "{'spec':{'nodeSelector':'rack == \\'a\\'',"
	    "'peerSelector':'rack == \\'a\\''}}");
	put(RES "bgppeers/tor", "{'spec':{'peerIP':'198.18.0.200',"
	    "'asNumber':65000}}");
	commit();
	EXPECT("local h1 198.18.0.1 198.18.0.0/24 AS64512",
	    "+peer Global_198_18_0_200 AS65000 port 179",
	    "+peer Node_198_18_0_2 AS64512 port 179", "synced");
	put(RES "nodes/h3", RRNODE("198.18.0.3", "") "'rack':'a'}}}");
	commit();
	EXPECT("+peer Node_198_18_0_3 AS64512 port 179");
	put(RES "nodes/h2", RRNODE("198.18.0.2", "") "'rack':'c'}}}");
	commit();
	EXPECT("-peer Node_198_18_0_2");
	/* bad selectors: the BGPPeer's sessions go, said once per value */
	put(RES "bgppeers/rack-a", "{'spec':{'nodeSelector':'rack == ',"
	    "'peerSelector':'all()'}}");
	put(RES "bgppeers/rack-a", "{'spec':{'nodeSelector':'rack == ',"
	    "'peerSelector':'all()'}}");
	ck_assert_int_eq(log_lines("etcd key /calico/resources/v3/"
	    "projectcalico.org/bgppeers/rack-a: bad spec.nodeSelector "
	    "(column "), 1);
	put(RES "bgppeers/bad", "{'spec':{'peerSelector':'has(a) &&'}}");
	put(RES "bgppeers/bad2", "{'spec':{'peerSelector':7}}");
	put(RES "bgppeers/bad3", "{'spec':{'peerSelector':'all()',"
	    "'reversePeering':'Sometimes'}}");
	put(RES "bgppeers/bad4", "{'spec':{'nodeSelector':'all()'}}");
	ck_assert_int_eq(log_lines("bgppeers/bad: bad spec.peerSelector "
	    "(column "), 1);
	ck_assert_int_eq(log_lines("bgppeers/bad2: spec.peerSelector is not a "
	    "string; skipped"), 1);
	ck_assert_int_eq(log_lines("bgppeers/bad3: unknown "
	    "spec.reversePeering"), 1);
	ck_assert_int_eq(log_lines("bgppeers/bad4: bad spec.peerIP"), 1);
	commit();
	EXPECT("-peer Node_198_18_0_3");
	ck_assert_int_eq(log_lines("etcd key "), 5);
	/* fixed: it applies again; Manual is a known value */
	put(RES "bgppeers/rack-a", "{'spec':{'nodeSelector':'rack == \\'a\\'',"
	    "'peerSelector':'rack == \\'a\\'','reversePeering':'Manual'}}");
	commit();
	EXPECT("+peer Node_198_18_0_3 AS64512 port 179");
	/* a BGPPeer for another node, by address: ours in reverse */
	put(RES "bgppeers/h2-to-h1", "{'spec':{'node':'h2',"
	    "'peerIP':'198.18.0.1','asNumber':64512}}");
	commit();
	EXPECT("+peer Node_198_18_0_2 AS64512 port 179");
	del(RES "bgppeers/h2-to-h1");
	del(RES "bgppeers/tor");
	commit();
	EXPECT("-peer Global_198_18_0_200", "-peer Node_198_18_0_2");
	ck_assert_int_eq(log_lines("etcd key "), 5);
	cal_teardown();
}
END_TEST

/*
 * v2: /bgp/v1/host/<node>/rr_cluster_id (the key Calico 3.x's confd keeps
 * for it): a reflector leaves the mesh; a bad value is logged once and
 * the node kept without one; node_mesh false takes every Mesh_ peer live.
 */
START_TEST(t_v2_rr_cluster_id)
{
	log_capture();
	cal_setup(DS_LAYOUT_V2);
	put(BGP "host/h1/ip_addr_v4", "198.18.0.1");
	put(BGP "host/h2/ip_addr_v4", "198.18.0.2");
	put(BGP "host/h2/rr_cluster_id", "224.0.0.1");
	put(BGP "host/h3/ip_addr_v4", "198.18.0.3");
	put(BGP "host/h3/rr_cluster_id", "");
	put(BGP "host/h4/ip_addr_v4", "198.18.0.4");
	put(BGP "host/h4/rr_cluster_id", "224.0.0.300");
	put(BGP "global/peer_v4/198.18.0.200", "{'ip':'198.18.0.200',"
	    "'as_num':'64512'}");
	commit();
	EXPECT("local h1 198.18.0.1 (none) AS64512",
	    "+peer Global_198_18_0_200 AS64512 port 179",
	    "+peer Mesh_198_18_0_3 AS64512 port 179",
	    "+peer Mesh_198_18_0_4 AS64512 port 179", "synced");
	ck_assert_int_eq(log_lines("etcd key /calico/bgp/v1/host/h4/"
	    "rr_cluster_id: bad route reflector cluster ID"), 1);
	ck_assert_uint_eq(ds_model_node_get(&M, "h2")->rr_cluster_id,
	    0xe0000001u);
	/* its key gone: h2 is a mesh member again, its other fields kept */
	del(BGP "host/h2/rr_cluster_id");
	commit();
	EXPECT("+peer Mesh_198_18_0_2 AS64512 port 179");
	/* we reflect: no mesh; the iBGP global peer is our client */
	put(BGP "host/h1/rr_cluster_id", "10.0.0.1");
	commit();
	EXPECT("local h1 198.18.0.1 (none) AS64512 cluster 10.0.0.1",
	    "~peer Global_198_18_0_200 AS64512 port 179 rr-client",
	    "-peer Mesh_198_18_0_2", "-peer Mesh_198_18_0_3",
	    "-peer Mesh_198_18_0_4");
	del(BGP "host/h1/rr_cluster_id");
	commit();
	EXPECT("local h1 198.18.0.1 (none) AS64512",
	    "~peer Global_198_18_0_200 AS64512 port 179",
	    "+peer Mesh_198_18_0_2 AS64512 port 179",
	    "+peer Mesh_198_18_0_3 AS64512 port 179",
	    "+peer Mesh_198_18_0_4 AS64512 port 179");
	/* node_mesh off, live: every Mesh_ peer goes, the global stays */
	put(BGP "global/node_mesh", "{\"enabled\": false}");
	commit();
	EXPECT("-peer Mesh_198_18_0_2", "-peer Mesh_198_18_0_3",
	    "-peer Mesh_198_18_0_4");
	cal_teardown();
}
END_TEST

/*
 * The log level (logSeverityScreen, loglevel): the node's own wins over
 * the global one, as confd's bird.cfg.template; another node's is not
 * ours; a bad value is logged once and ignored: in default it takes
 * neither the AS nor the mesh with it, in node.<self> not its listenPort.
 */
START_TEST(t_loglevel_v3)
{
	struct ds_calico *f;
	struct ds_model fm;

	log_capture();
	cal_setup(DS_LAYOUT_V3);
	put(RES "nodes/h1", "{'spec':{'bgp':{'ipv4Address':'198.18.0.1/24'}}}");
	put(RES "bgpconfigurations/default", "{'spec':{"
	    "'logSeverityScreen':'Warning'}}");
	commit();
	EXPECT("log warning", "local h1 198.18.0.1 198.18.0.0/24 AS64512",
	    "synced");
	ck_assert_int_eq(ds_model_log(&M)->level, LOG_LVL_WARNING);
	put(RES "bgpconfigurations/node.h1", "{'kind':'BGPConfiguration',"
	    "'metadata':{'name':'node.h1'},'spec':{'logSeverityScreen':"
	    "'DEBUG','listenPort':179}}");
	put(RES "bgpconfigurations/node.h2", "{'spec':{'logSeverityScreen':"
	    "'Error'}}");
	put(RES "bgpconfigurations/other", "{'spec':{'logSeverityScreen':"
	    "'Error'}}");
	commit();
	EXPECT("log debug");
	put(RES "bgpconfigurations/default", "{'spec':{"
	    "'logSeverityScreen':'Fatal'}}");
	commit();
	EXPECT_NONE();			/* the node's still wins */
	del(RES "bgpconfigurations/node.h1");
	commit();
	EXPECT("log error");
	put(RES "bgpconfigurations/default", "{'spec':{'logSeverityScreen':"
	    "'info'}}");
	commit();
	EXPECT("log info");
	/* a bad severity in default: ignored, logged once; the AS stays */
	ck_assert_int_eq(log_lines("logSeverityScreen"), 0);
	put(RES "bgpconfigurations/default", "{'spec':{'asNumber':65001,"
	    "'logSeverityScreen':'Loud'}}");
	commit();
	EXPECT("log unset", "local h1 198.18.0.1 198.18.0.0/24 AS65001");
	ck_assert_int_eq(log_lines("bgpconfigurations/default: unknown "
	    "spec.logSeverityScreen (Debug, Info, Warning, Error, Fatal, "
	    "Panic); ignored"), 1);
	put(RES "bgpconfigurations/default", "{'spec':{'asNumber':65001,"
	    "'logSeverityScreen':'Loud'}}");
	ck_assert_int_eq(log_lines("logSeverityScreen"), 1);
	f = ds_calico_fork(C);		/* a re-list is quiet too */
	ds_model_init(&fm, "h1");
	put(RES "bgpconfigurations/default", "{'spec':{'asNumber':65001,"
	    "'logSeverityScreen':'Loud'}}");
	ds_calico_put(f, &fm, RES "bgpconfigurations/default",
	    strlen(RES "bgpconfigurations/default"), "{\"spec\":{\"asNumber\":"
	    "65001,\"logSeverityScreen\":\"Loud\"}}", 51);
	ds_calico_detach(f);
	ds_calico_free(f);
	ds_model_fini(&fm);
	ck_assert_int_eq(log_lines("logSeverityScreen"), 1);
	put(RES "bgpconfigurations/default", "{'spec':{'asNumber':65001,"
	    "'logSeverityScreen':3}}");
	ck_assert_int_eq(log_lines("logSeverityScreen is not a string; "
	    "ignored"), 1);
	put(RES "bgpconfigurations/default", "{'spec':{'asNumber':65001,"
	    "'logSeverityScreen':'Panic'}}");
	commit();
	EXPECT("log error");
	/* a bad severity in node.<self>: ignored, its other fields count */
	put(RES "bgpconfigurations/node.h1", "{'spec':{'logSeverityScreen':"
	    "'trace','listenPort':1790}}");
	commit();
	EXPECT_NONE();
	ck_assert_int_eq(log_lines("node.h1: unknown spec.logSeverityScreen"
	    " (Debug, Info, Warning, Error, Fatal, Panic); ignored"), 1);
	ck_assert_uint_eq(ds_model_config(&M)->listen_port, 1790);
	put(RES "bgpconfigurations/node.h1", "{'spec':{'logSeverityScreen':"
	    "''}}");
	commit();
	EXPECT_NONE();
	/* Calico's annotation overrides the spec (a v1 value) */
	put(RES "bgpconfigurations/default", "{'metadata':{'annotations':{"
	    "'config.projectcalico.org/loglevel':'debug'}},'spec':{"
	    "'asNumber':65001,'logSeverityScreen':'Panic'}}");
	commit();
	EXPECT("log debug");
	put(RES "bgpconfigurations/default", "{'metadata':{'annotations':{"
	    "'config.projectcalico.org/loglevel':'none','other':'x'}},"
	    "'spec':{'asNumber':65001}}");
	commit();
	EXPECT("log warning");
	put(RES "bgpconfigurations/default", "{'metadata':{'annotations':{"
	    "'config.projectcalico.org/loglevel':'loud'}},'spec':{"
	    "'asNumber':65001,'logSeverityScreen':'Info'}}");
	commit();
	EXPECT("log unset");
	ck_assert_int_eq(log_lines("default: unknown annotation "
	    "config.projectcalico.org/loglevel (debug, info, none); ignored"),
	    1);
	del(RES "bgpconfigurations/default");
	commit();
	EXPECT("local h1 198.18.0.1 198.18.0.0/24 AS64512");
	cal_teardown();
}
END_TEST

START_TEST(t_loglevel_v2)
{
	log_capture();
	cal_setup(DS_LAYOUT_V2);
	put(BGP "host/h1/ip_addr_v4", "198.18.0.1");
	put(BGP "global/loglevel", "none");
	commit();
	EXPECT("log warning", "local h1 198.18.0.1 (none) AS64512", "synced");
	put(BGP "host/h1/loglevel", "debug");
	put(BGP "host/h2/loglevel", "info");
	commit();
	EXPECT("log debug");
	put(BGP "host/h1/loglevel", "");	/* none: the global one again */
	commit();
	EXPECT("log warning");
	put(BGP "host/h1/loglevel", "Info");
	commit();
	EXPECT("log info");
	del(BGP "host/h1/ip_addr_v4");		/* no node record needed */
	commit();
	EXPECT("local h1 (none) (none) AS64512 unknown");
	ck_assert_ptr_null(ds_model_node_get(&M, "h1"));
	del(BGP "host/h1/loglevel");
	commit();
	EXPECT("log warning");
	put(BGP "global/loglevel", "verbose");
	commit();
	EXPECT("log unset");
	ck_assert_int_eq(log_lines("global/loglevel: unknown loglevel "
	    "(debug, info, none); skipped"), 1);
	put(BGP "global/loglevel", "verbose");
	ck_assert_int_eq(log_lines("loglevel"), 1);
	del(BGP "global/loglevel");
	commit();
	EXPECT_NONE();
	cal_teardown();
}
END_TEST

/* vxlanMode / vxlan_mode and disableBGPExport, in both layouts (2.2). */
START_TEST(t_pool_modes)
{
	cal_setup(DS_LAYOUT_V3);
	put(RES "ippools/a", "{'spec':{'cidr':'10.244.0.0/16',"
	    "'vxlanMode':'Always','ipipMode':'Never'}}");
	put(RES "ippools/b", "{'spec':{'cidr':'10.245.0.0/16',"
	    "'vxlanMode':'CrossSubnet','disableBGPExport':true}}");
	put(RES "ippools/c", "{'spec':{'cidr':'10.246.0.0/16',"
	    "'vxlanMode':'Never','disableBGPExport':false,'disabled':true}}");
	commit();
	EXPECT("local h1 (none) (none) AS64512 unknown",
	    "+pool 10.244.0.0/16 never vxlan always",
	    "+pool 10.245.0.0/16 never vxlan cross-subnet no-export",
	    "+pool 10.246.0.0/16 never disabled", "synced");
	put(RES "ippools/a", "{'spec':{'cidr':'10.244.0.0/16'}}");
	commit();
	EXPECT("~pool 10.244.0.0/16 never");
	cal_teardown();

	cal_setup(DS_LAYOUT_V2);
	put("/calico/v1/ipam/v4/pool/10.244.0.0-16", "{'cidr':'10.244.0.0/16',"
	    "'ipip':'','ipip_mode':'','vxlan_mode':'always',"
	    "'masquerade':true,'disabled':false}");
	put("/calico/v1/ipam/v4/pool/10.245.0.0-16", "{'cidr':'10.245.0.0/16',"
	    "'vxlan_mode':'cross-subnet','disableBGPExport':true}");
	put("/calico/v1/ipam/v4/pool/10.246.0.0-16", "{'cidr':'10.246.0.0/16',"
	    "'ipip':'tunl0','vxlan_mode':''}");
	commit();
	EXPECT("local h1 (none) (none) AS64512 unknown",
	    "+pool 10.244.0.0/16 never vxlan always",
	    "+pool 10.245.0.0/16 never vxlan cross-subnet no-export",
	    "+pool 10.246.0.0/16 always", "synced");
	cal_teardown();
}
END_TEST

/*
 * A pool with an unknown mode or a field of the wrong type: one line
 * naming the key and the field, that pool skipped (its old facts undone),
 * the rest of the view unchanged.
 */
START_TEST(t_pool_bad)
{
	static const struct { const char *key, *val, *why; } v3[] = {
	    { "ippools/x1", "{'spec':{'cidr':'10.1.0.0/16','vxlanMode':"
		"'always'}}", "unknown spec.vxlanMode" },
	    { "ippools/x2", "{'spec':{'cidr':'10.2.0.0/16','vxlanMode':1}}",
		"unknown spec.vxlanMode" },
	    { "ippools/x3", "{'spec':{'cidr':'10.3.0.0/16',"
		"'disableBGPExport':'yes'}}",
		"spec.disableBGPExport is not a boolean" },
	    { "ippools/x4", "{'spec':{'cidr':'10.4.0.0/16','disabled':1}}",
		"spec.disabled is not a boolean" },
	    { "ippools/x5", "{'spec':{'cidr':'10.5.0.0/16','ipipMode':"
		"'Sometimes'}}", "unknown spec.ipipMode" },
	};
	static const struct { const char *key, *val, *why; } v2[] = {
	    { "10.1.0.0-16", "{'cidr':'10.1.0.0/16','vxlan_mode':'Always'}",
		"unknown \"vxlan_mode\"" },
	    { "10.2.0.0-16", "{'cidr':'10.2.0.0/16','vxlan_mode':true}",
		"\"vxlan_mode\" is not a string" },
	    { "10.3.0.0-16", "{'cidr':'10.3.0.0/16','disableBGPExport':0}",
		"\"disableBGPExport\" is not a boolean" },
	    { "10.4.0.0-16", "{'cidr':'10.4.0.0/16','disabled':'no'}",
		"\"disabled\" is not a boolean" },
	    { "10.5.0.0-16", "{'cidr':'10.5.0.0/16','ipip':'tunl0',"
		"'ipip_mode':'sometimes'}", "unknown \"ipip_mode\"" },
	};
	char key[200], line[300];

	log_capture();
	cal_setup(DS_LAYOUT_V3);
	put(RES "ippools/good", "{'spec':{'cidr':'10.244.0.0/16'}}");
	put(RES "ippools/x1", "{'spec':{'cidr':'10.1.0.0/16'}}");
	commit();
	EXPECT("local h1 (none) (none) AS64512 unknown",
	    "+pool 10.1.0.0/16 never", "+pool 10.244.0.0/16 never",
	    "synced");
	for (size_t i = 0; i < NITEMS(v3); i++) {
		snprintf(key, sizeof(key), RES "%s", v3[i].key);
		put(key, v3[i].val);
		snprintf(line, sizeof(line), "etcd key %s: %s", key,
		    v3[i].why);
		ck_assert_int_eq(log_lines(line), 1);
	}
	commit();
	EXPECT("-pool 10.1.0.0/16");
	ck_assert_int_eq(log_lines("etcd key "), (int)NITEMS(v3));
	cal_teardown();

	cal_setup(DS_LAYOUT_V2);
	put("/calico/v1/ipam/v4/pool/10.244.0.0-16",
	    "{'cidr':'10.244.0.0/16'}");
	for (size_t i = 0; i < NITEMS(v2); i++) {
		snprintf(key, sizeof(key), "/calico/v1/ipam/v4/pool/%s",
		    v2[i].key);
		put(key, v2[i].val);
		snprintf(line, sizeof(line), "etcd key %s: %s", key,
		    v2[i].why);
		ck_assert_int_eq(log_lines(line), 1);
	}
	commit();
	EXPECT("local h1 (none) (none) AS64512 unknown",
	    "+pool 10.244.0.0/16 never", "synced");
	cal_teardown();
}
END_TEST

/* Unsafe but well-formed pools and affinities from etcd: refused (SPEC 3). */
START_TEST(t_unsafe)
{
	log_capture();
	cal_setup(DS_LAYOUT_V3);
	put(RES "nodes/h1", "{'spec':{'bgp':{'ipv4Address':'198.18.0.1/24'}}}");
	put(RES "ippools/p", "{'spec':{'cidr':'10.244.0.0/16'}}");
	put(RES "ippools/all", "{'spec':{'cidr':'0.0.0.0/0'}}");
	put(RES "ippools/under", "{'spec':{'cidr':'198.18.0.0/16'}}");
	put(AFF "10.244.1.0-26", "{'state':'confirmed'}");
	put(AFF "10.9.1.0-26", "{'state':'confirmed'}");
	put(AFF "10.0.0.0-8", "");
	commit();
	EXPECT("local h1 198.18.0.1 198.18.0.0/24 AS64512",
	    "+pool 10.244.0.0/16 never", "+block 10.244.1.0/26", "synced");
	ck_assert_int_eq(log_lines("IP pool 0.0.0.0/0 refused: a default "
	    "route"), 1);
	ck_assert_int_eq(log_lines("IP pool 198.18.0.0/16 refused: covers "
	    "the address 198.18.0.1 of node h1"), 1);
	ck_assert_int_eq(log_lines("block affinity 10.9.1.0/26 of node h1 "
	    "refused: outside every pool"), 1);
	ck_assert_int_eq(log_lines("block affinity 10.0.0.0/8 of node h1 "
	    "refused: prefix length /8 out of range"), 1);
	/* the bad ones deleted: nothing to report, nothing logged */
	del(RES "ippools/all");
	del(AFF "10.9.1.0-26");
	commit();
	EXPECT_NONE();
	ck_assert_int_eq(log_lines("refused"), 4);
	cal_teardown();
}
END_TEST

/* --- layer 2: the protocols without a network ---------------------------- */

#include "etcd_stub.h"
static char buf[1 << 16];

static struct ds_etcd *
etcd_new(enum ds_type type)
{
	static char *const eps[] = {
		"http://198.18.0.1:2379", "198.18.0.2:2379/",
	};
	struct ds_etcd_conf c = { .type = type, .endpoints = eps,
	    .nendpoints = NITEMS(eps), .prefix = "/calico" };

	rec.n = 0;
	ds_model_init(&M, "h1");
	E = ds_etcd_new(NULL, &c, &M, &rec_ops, NULL);
	ck_assert_str_eq(E->endpoints[1], "http://198.18.0.2:2379");
	ck_assert_int_eq(ds_etcd_start(E), 0);
	return E;
}

static size_t
nreqs(void)
{
	struct etcd_req *r;
	size_t n = 0;

	TAILQ_FOREACH(r, &E->reqs, entry)
		n++;
	return n;
}

static void
answer(struct etcd_req *r, long status, int64_t index, const char *body)
{
	etcd_req_headers(r, status, index);
	ck_assert_int_eq(etcd_req_feed(r, body, strlen(body)), 0);
	etcd_req_finish(r, status, NULL);
}

/* A body that contains base64 of s[0..n), or of s when n is 0. */
static bool
has_b64n(const char *body, const char *s, size_t n)
{
	char *b = etcd_b64_encode(s, n != 0 ? n : strlen(s));
	bool found = strstr(body, b) != NULL;

	free(b);
	return found;
}
#define has_b64(body, s)	has_b64n((body), (s), 0)

/*
 * {"header":..,"kvs":[{"key":b64,"value":b64},...],"more":..}: k, v, ...
 * (more is an int: va_start's last parameter must not be promoted)
 */
static const char *
range_answer(int64_t rev, int more, ...)
{
	const char *k, *v;
	char *bk, *bv;
	size_t off;
	va_list ap;

	off = (size_t)snprintf(buf, sizeof(buf), "{\"header\":{\"revision\":"
	    "\"%lld\"},\"kvs\":[", (long long)rev);
	va_start(ap, more);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		bk = etcd_b64_encode(k, strlen(k));
		bv = etcd_b64_encode(v, strlen(v));
		off += (size_t)snprintf(buf + off, sizeof(buf) - off,
		    "%s{\"key\":\"%s\",\"create_revision\":\"2\",\"value\":"
		    "\"%s\"}", buf[off - 1] == '[' ? "" : ",", bk, bv);
		free(bk);
		free(bv);
	}
	va_end(ap);
	snprintf(buf + off, sizeof(buf) - off, "]%s}",
	    more ? ",\"more\":true" : "");
	return buf;
}

/* The whole v3 list at revision 27: h1, h2, a pool and a block. */
static void
v3_list_answers(bool with_h2, const char *block)
{
	struct etcd_req *r = last_req();

	ck_assert_str_eq(r->path, "/v3/kv/range");
	ck_assert(has_b64(r->post, RES "nodes/"));
	ck_assert(has_b64(r->post, RES "nodes0"));
	ck_assert_ptr_null(strstr(r->post, "revision"));
	answer(r, 200, -1, real_page1);
	r = last_req();		/* page 2: from h1 + "\0", at 27 */
	ck_assert_ptr_nonnull(strstr(r->post, "\"revision\":27"));
	ck_assert(has_b64n(r->post, RES "nodes/h1", sizeof(RES "nodes/h1")));
	answer(r, 200, -1, with_h2 ? range_answer(27, false, RES "nodes/h2",
	    "{\"spec\":{\"bgp\":{\"ipv4Address\":\"198.18.0.2/24\"}}}",
	    NULL) : range_answer(27, false, NULL));
	ck_assert(has_b64(last_req()->post, RES "bgpconfigurations/"));
	answer(last_req(), 200, -1, "{\"header\":{\"revision\":\"27\"}}");
	answer(last_req(), 200, -1, "{\"header\":{\"revision\":\"27\"}}");
	answer(last_req(), 200, -1, range_answer(27, false, RES "ippools/p",
	    "{\"spec\":{\"cidr\":\"10.244.0.0/16\"}}", NULL));
	ck_assert(has_b64(last_req()->post, "/calico/ipam/v2/host/h1/"));
	answer(last_req(), 200, -1, range_answer(27, false, block, "", NULL));
}

static void
v3_synced(void)
{
	etcd_new(DS_TYPE_ETCDV3);
	v3_list_answers(true, AFF "10.244.1.64-26");
	EXPECT("local h1 198.18.0.1 198.18.0.0/24 AS64512",
	    "+pool 10.244.0.0/16 never", "+block 10.244.1.64/26",
	    "+peer Mesh_198_18_0_2 AS64512 port 179", "synced");
	ck_assert_uint_eq(nreqs(), 5);
	ck_assert_str_eq(last_req()->path, "/v3/watch");
	ck_assert_uint_eq(last_req()->range, 4);
	ck_assert(has_b64(last_req()->post, "/calico/ipam/v2/host/h10"));
	ck_assert_int_eq(E->phase, ETCD_WATCHING);
}

/* The ipam range's stream (the last request), created. */
static struct etcd_req *
ipam_stream(void)
{
	struct etcd_req *w = last_req();

	etcd_req_headers(w, 200, -1);
	ck_assert_int_eq(etcd_req_feed(w, created, strlen(created)), 0);
	return w;
}

/* One v3 watch event putting val (' turned into ") at key, revision rev. */
static void
watch_put(struct etcd_req *w, int64_t rev, const char *key, const char *val)
{
	char ev[4096], *v = strdup(val), *bk, *bv;

	ck_assert_ptr_nonnull(v);
	for (char *c = v; *c != '\0'; c++)
		if (*c == '\'')
			*c = '"';
	bk = etcd_b64_encode(key, strlen(key));
	bv = etcd_b64_encode(v, strlen(v));
	snprintf(ev, sizeof(ev), "{\"result\":{\"header\":{\"revision\":"
	    "\"%lld\"},\"events\":[{\"kv\":{\"key\":\"%s\",\"mod_revision\":"
	    "\"%lld\",\"value\":\"%s\"}}]}}\n", (long long)rev, bk,
	    (long long)rev, bv);
	ck_assert_int_eq(etcd_req_feed(w, ev, strlen(ev)), 0);
	free(bk);
	free(bv);
	free(v);
}

/* Node labels through the etcd v3 watch: a change is in the model at
 * once, moves no peer, and a bad set is ignored with the node kept. */
START_TEST(t_v3_labels_watch)
{
	struct etcd_req *w;

	log_capture();
	v3_synced();
	w = TAILQ_FIRST(&E->reqs);
	ck_assert_uint_eq(w->range, 0);				/* nodes/ */
	etcd_req_headers(w, 200, -1);
	ck_assert_int_eq(etcd_req_feed(w, created, strlen(created)), 0);
	ck_assert_str_eq(labels_of("h2"), "");
	watch_put(w, 30, RES "nodes/h2", "{'metadata':{'labels':{'rack':'r1',"
	    "'kubernetes.io/hostname':'h2'}},'spec':{'bgp':{'ipv4Address':"
	    "'198.18.0.2/24'}}}");
	EXPECT_NONE();
	ck_assert_str_eq(labels_of("h2"), "kubernetes.io/hostname=h2 rack=r1");
	watch_put(w, 31, RES "nodes/h2", "{'metadata':{'labels':{'rack':'r2'}},"
	    "'spec':{'bgp':{'ipv4Address':'198.18.0.2/24'}}}");
	EXPECT_NONE();
	ck_assert_str_eq(labels_of("h2"), "rack=r2");
	watch_put(w, 32, RES "nodes/h2", "{'metadata':{'labels':{'rack':2}},"
	    "'spec':{'bgp':{'ipv4Address':'198.18.0.2/24'}}}");
	EXPECT_NONE();
	ck_assert_str_eq(labels_of("h2"), "");
	ck_assert_int_eq(log_lines("nodes/h2: metadata.labels (a label value "
	    "is not a string); ignored"), 1);
	ck_assert_int_eq(E->v3.rev[0], 32);
	etcd_teardown();
}
END_TEST

START_TEST(t_v3_list_watch)
{
	struct etcd_req *w;
	const char *p;

	v3_synced();
	TAILQ_FOREACH(w, &E->reqs, entry) {
		ck_assert_ptr_nonnull(strstr(w->post,
		    "\"start_revision\":28,"));
		ck_assert(has_b64(w->post, ds_calico_range(E->cal, w->range)));
		etcd_req_headers(w, 200, -1);
		/* one byte at a time */
		for (p = created; *p != '\0'; p++)
			ck_assert_int_eq(etcd_req_feed(w, p, 1), 0);
	}
	ck_assert_uint_eq(E->v3.ncreated, 5);
	EXPECT_NONE();
	w = last_req();
	for (p = real_events; *p != '\0'; p++)
		ck_assert_int_eq(etcd_req_feed(w, p, 1), 0);
	EXPECT("+block 10.244.1.0/26", "-block 10.244.1.0/26");
	ck_assert(E->v3.rev[4] == 29 && E->v3.rev[0] == 27);
	/* a progress notification on the nodes stream moves its revision */
	p = "{\"result\":{\"header\":{\"revision\":\"40\"}}}";
	ck_assert_int_eq(etcd_req_feed(TAILQ_FIRST(&E->reqs), p, strlen(p)),
	    0);
	ck_assert(E->v3.rev[0] == 40 && E->v3.rev[4] == 29);
	ck_assert_int_eq(E->pending, ETCD_PEND_NONE);
	etcd_teardown();
}
END_TEST

/*
 * The same stream cut in two at every byte. Each piece ends in one commit:
 * the PUT and the DELETE in one piece cancel out; apart, both are seen.
 */
START_TEST(t_v3_stream_split)
{
	static char s[sizeof(created) + sizeof(real_events)];
	size_t i = (size_t)_i, n, put_end;
	struct etcd_req *w;
	struct prefix p;

	snprintf(s, sizeof(s), "%s%s", created, real_events);
	n = strlen(s);
	put_end = strlen(created) + (size_t)(strchr(real_events, '\n') -
	    real_events);
	if (i > n)
		return;
	v3_synced();
	w = last_req();
	etcd_req_headers(w, 200, -1);
	ck_assert_int_eq(etcd_req_feed(w, s, i), 0);
	ck_assert_int_eq(etcd_req_feed(w, s + i, n - i), 0);
	if (i >= put_end && i < n - 1)
		EXPECT("+block 10.244.1.0/26", "-block 10.244.1.0/26");
	else
		EXPECT_NONE();
	ck_assert(prefix_parse("10.244.1.0/26", &p) == 0 &&
	    !ds_model_has_block(&M, &p));
	ck_assert_int_eq(E->v3.rev[4], 29);
	ck_assert_int_eq(E->pending, ETCD_PEND_NONE);
	etcd_teardown();
}
END_TEST

/* Lost: nothing changes; resume on the next endpoint from rev + 1. */
START_TEST(t_v3_fail_resume)
{
	struct etcd_req *w;

	v3_synced();
	w = ipam_stream();
	ck_assert_int_eq(etcd_req_feed(w, real_events, 400), 0);
	etcd_req_finish(w, 0, "Connection reset by peer");
	EXPECT("+block 10.244.1.0/26");
	etcd_run_pending(E);
	EXPECT_NONE();
	ck_assert(E->phase == ETCD_BACKOFF && E->ep == 1 && !E->up &&
	    nreqs() == 0);
	etcd_retry(E);
	ck_assert_uint_eq(nreqs(), 5);
	w = last_req();
	ck_assert_str_eq(w->path, "/v3/watch");
	ck_assert_ptr_nonnull(strstr(w->post, "\"start_revision\":29,"));
	ck_assert_ptr_nonnull(strstr(TAILQ_FIRST(&E->reqs)->post,
	    "\"start_revision\":28,"));
	/* failing again: the backoff grows, capped */
	etcd_req_finish(w, 0, "Couldn't connect to server");
	etcd_run_pending(E);
	ck_assert(E->failures == 2 && E->ep == 0);
	ck_assert(etcd_backoff_ms(1) == 100 && etcd_backoff_ms(2) == 200 &&
	    etcd_backoff_ms(6) == 3200 && etcd_backoff_ms(7) == 5000 &&
	    etcd_backoff_ms(1000) == 5000);
	EXPECT_NONE();
	etcd_teardown();
}
END_TEST

/* Compacted: list again; only the difference is reported. */
START_TEST(t_v3_compacted)
{
	static const char cancel[] = "{\"result\":{\"header\":{\"cluster_id\""
	    ":\"1\"},\"canceled\":true,\"compact_revision\":\"35\"}}\n";
	struct etcd_req *w;

	v3_synced();
	ck_assert_uint_eq(E->relists_total, 0);
	w = ipam_stream();
	ck_assert_int_eq(etcd_req_feed(w, cancel, strlen(cancel)), -1);
	etcd_req_finish(w, 0, NULL);
	ck_assert_int_eq(E->pending, ETCD_PEND_RELIST);
	etcd_run_pending(E);
	ck_assert_int_eq(E->phase, ETCD_LISTING);
	/* counted for tern_datastore_resyncs_total */
	ck_assert_uint_eq(E->relists_total, 1);
	v3_list_answers(false, AFF "10.244.1.128-26");
	EXPECT("-block 10.244.1.64/26", "+block 10.244.1.128/26",
	    "-peer Mesh_198_18_0_2", "synced");
	/* a list that fails half way keeps the view and lists again */
	ck_assert_int_eq(ds_etcd_reload(E), 0);
	etcd_run_pending(E);
	answer(last_req(), 200, -1, real_page1);
	answer(last_req(), 503, -1, "{\"error\":\"etcdserver: no leader\","
	    "\"message\":\"etcdserver: no leader\",\"code\":14}");
	etcd_run_pending(E);
	EXPECT_NONE();
	ck_assert_int_eq(E->phase, ETCD_BACKOFF);
	etcd_retry(E);
	ck_assert_str_eq(last_req()->path, "/v3/kv/range");
	/* a page at a compacted revision: list again at once */
	answer(last_req(), 200, -1, real_page1);
	answer(last_req(), 400, -1, "{\"error\":\"etcdserver: mvcc: required "
	    "revision has been compacted\",\"message\":\"etcdserver: mvcc: "
	    "required revision has been compacted\",\"code\":11}");
	ck_assert_int_eq(E->pending, ETCD_PEND_RELIST);
	etcd_teardown();
}
END_TEST

/* A failure is pending; carried out, it changes nothing but the state. */
static void
failed_quietly(void)
{
	ck_assert_int_eq(E->pending, ETCD_PEND_FAIL);
	etcd_run_pending(E);
	ck_assert_int_eq(E->phase, ETCD_BACKOFF);
	EXPECT_NONE();
	etcd_teardown();
}

/* Broken answers from etcd fail the connection; nothing else happens. */
START_TEST(t_v3_errors)
{
	static const char *const bad[] = {
		"{]",
		"[1]",
		("{\"error\":{\"grpc_code\":14,\"message\":\"transport is "
		    "closing\"}}"),
		"{\"result\":{\"events\":[{\"kv\":{\"key\":\"!!!\"}}]}}",
		"{\"result\":{\"canceled\":true,\"cancel_reason\":\"x\"}}",
		"{\"result\":{\"created\":\"yes\"}}",
		"{\"result\":{\"header\":{\"revision\":\"x\"}}}",
	};

	for (size_t i = 0; i < NITEMS(bad); i++) {
		struct etcd_req *w;

		v3_synced();
		w = last_req();
		etcd_req_headers(w, 200, -1);
		ck_assert_int_eq(etcd_req_feed(w, bad[i], strlen(bad[i])), -1);
		etcd_req_finish(w, 0, NULL);
		failed_quietly();
	}
	etcd_new(DS_TYPE_ETCDV3);
	answer(last_req(), 200, -1, "not json");
	failed_quietly();
}
END_TEST

static void
v2_synced(void)
{
	struct etcd_req *r;

	etcd_new(DS_TYPE_ETCDV2);
	r = last_req();
	ck_assert_str_eq(r->path,
	    "/v2/keys/calico/bgp/v1?recursive=true&quorum=true");
	ck_assert_ptr_null(r->post);
	answer(r, 200, 10, v2_bgp);
	ck_assert_str_eq(last_req()->path,
	    "/v2/keys/calico/v1/ipam/v4/pool?recursive=true&quorum=true");
	answer(last_req(), 200, 10, v2_pool);
	answer(last_req(), 404, -1, v2_notfound);
	ck_assert_str_eq(last_req()->path,
	    "/v2/keys/calico/ipam/v2/host/h1?recursive=true&quorum=true");
	answer(last_req(), 200, 11, v2_blocks);
	EXPECT("local h1 198.18.0.1 (none) AS64512",
	    "+pool 10.244.0.0/16 always", "+block 10.244.1.0/26",
	    "+peer Mesh_198_18_0_2 AS64512 port 179", "synced");
	ck_assert_uint_eq(nreqs(), 4);
	ck_assert_str_eq(TAILQ_FIRST(&E->reqs)->path, "/v2/keys/calico/bgp/v1"
	    "?wait=true&recursive=true&waitIndex=11");
	ck_assert_str_eq(last_req()->path, "/v2/keys/calico/ipam/v2/host/h1"
	    "?wait=true&recursive=true&waitIndex=12");
}

static struct etcd_req *
wait_req(size_t range)
{
	struct etcd_req *r;

	TAILQ_FOREACH(r, &E->reqs, entry)
		if (r->range == range)
			return r;
	ck_abort_msg("no request for range %zu", range);
	return NULL;
}

START_TEST(t_v2_list_wait)
{
	v2_synced();
	etcd_req_headers(wait_req(0), 200, 11);
	ck_assert(E->up);
	answer(wait_req(0), 200, 11, "{\"action\":\"set\",\"node\":{\"key\":"
	    "\"/calico/bgp/v1/host/h3/ip_addr_v4\",\"value\":\"198.18.0.3\","
	    "\"modifiedIndex\":14,\"createdIndex\":14}}");
	EXPECT("+peer Mesh_198_18_0_3 AS64512 port 179");
	ck_assert_str_eq(wait_req(0)->path, "/v2/keys/calico/bgp/v1?wait=true"
	    "&recursive=true&waitIndex=15");
	answer(wait_req(3), 200, 12, "{\"action\":\"delete\",\"node\":{\"key\":"
	    "\"" AFF "10.244.1.0-26\",\"modifiedIndex\":16,\"createdIndex\":3},"
	    "\"prevNode\":{\"key\":\"" AFF "10.244.1.0-26\",\"value\":\"\"}}");
	EXPECT("-block 10.244.1.0/26");
	answer(wait_req(1), 200, 11, "");		/* an empty answer */
	ck_assert_uint_eq(nreqs(), 4);
	/* a node deleted as a directory: list again, apply the difference */
	answer(wait_req(0), 200, 15, "{\"action\":\"delete\",\"node\":{\"key\""
	    ":\"/calico/bgp/v1/host/h2\",\"dir\":true,\"modifiedIndex\":17}}");
	ck_assert_int_eq(E->pending, ETCD_PEND_RELIST);
	etcd_run_pending(E);
	ck_assert_uint_eq(nreqs(), 1);
	answer(last_req(), 200, 17, "{\"action\":\"get\",\"node\":{\"key\":"
	    "\"/calico/bgp/v1\",\"dir\":true,\"nodes\":[{\"key\":\"/calico/bgp/"
	    "v1/host/h1/ip_addr_v4\",\"value\":\"198.18.0.1\"},{\"key\":\""
	    "/calico/bgp/v1/host/h3/ip_addr_v4\",\"value\":\"198.18.0.3\"}]}}");
	answer(last_req(), 200, 17, v2_pool);
	answer(last_req(), 404, 17, v2_notfound);
	answer(last_req(), 200, 17, "{\"action\":\"get\",\"node\":{\"key\":"
	    "\"/calico/ipam/v2/host/h1\",\"dir\":true}}");
	EXPECT("-peer Mesh_198_18_0_2", "synced");
	/* event index cleared: list again */
	answer(wait_req(2), 400, 1010, "{\"errorCode\":401,\"message\":"
	    "\"The event in requested index is outdated and cleared\","
	    "\"index\":1010}");
	ck_assert_int_eq(E->pending, ETCD_PEND_RELIST);
	etcd_teardown();
}
END_TEST

START_TEST(t_v2_errors)
{
	struct etcd_req *r;
	char junk[4096];

	v2_synced();
	answer(wait_req(0), 200, 11, "{\"action\":\"set\"}");
	ck_assert_int_eq(E->pending, ETCD_PEND_FAIL);
	etcd_run_pending(E);
	ck_assert_uint_eq(nreqs(), 0);
	etcd_retry(E);				/* resumes the waits */
	ck_assert_uint_eq(nreqs(), 4);
	ck_assert_str_eq(wait_req(0)->path, "/v2/keys/calico/bgp/v1?wait=true"
	    "&recursive=true&waitIndex=11");
	etcd_req_finish(wait_req(3), 0, "Connection refused");
	failed_quietly();
	etcd_new(DS_TYPE_ETCDV2);
	answer(last_req(), 200, -1, v2_bgp);	/* no X-Etcd-Index */
	ck_assert_int_eq(E->pending, ETCD_PEND_FAIL);
	etcd_run_pending(E);
	etcd_retry(E);
	r = last_req();			/* a body over its bound is refused */
	r->max = 8192;
	memset(junk, 'x', sizeof(junk));
	ck_assert(etcd_req_feed(r, junk, sizeof(junk)) == 0 &&
	    etcd_req_feed(r, junk, sizeof(junk)) == 0 &&
	    etcd_req_feed(r, junk, 1) == -1);
	etcd_req_finish(r, 200, NULL);
	failed_quietly();
}
END_TEST

/* --- layer 3: helpers ---------------------------------------------------- */

START_TEST(t_b64)
{
	static const struct {
		const char *plain, *enc;
	} v[] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" },
		{ "foo", "Zm9v" }, { "foob", "Zm9vYg==" },
		{ "/calico/a", "L2NhbGljby9h" },
	};
	static const char *const bad[] = { "Zg=", "Z===", "Zg==Zg==", "Z!==",
	    "=AAA", "Zm9v\n" };
	char *s, *d;
	size_t n;

	for (size_t i = 0; i < NITEMS(v); i++) {
		s = etcd_b64_encode(v[i].plain, strlen(v[i].plain));
		ck_assert_str_eq(s, v[i].enc);
		ck_assert_int_eq(etcd_b64_decode(s, strlen(s), &d, &n), 0);
		ck_assert_uint_eq(n, strlen(v[i].plain));
		ck_assert_str_eq(d, v[i].plain);
		free(s);
		free(d);
	}
	for (size_t i = 0; i < NITEMS(bad); i++)
		ck_assert_int_eq(etcd_b64_decode(bad[i], strlen(bad[i]), &d,
		    &n), -1);
}
END_TEST

static int nobj;

static int
count_cb(void *arg, struct json_object *o)
{
	(void)arg;
	ck_assert(ds_json_is_object(o));
	nobj++;
	return 0;
}

START_TEST(t_json)
{
	struct ds_json_stream st;
	struct json_object *o;
	const char *why, *s;
	char deep[400];
	int64_t v;
	bool b;

	s = "{\"a\":{\"b\":\"12\",\"c\":true,\"d\":7}} \n";
	o = ds_json_parse(s, strlen(s), DS_JSON_DEPTH_VALUE, &why);
	ck_assert_ptr_nonnull(o);
	ck_assert(ds_json_int64(o, "a.b", 0, &v) == 0 && v == 12);
	ck_assert(ds_json_int64(o, "a.d", 0, &v) == 0 && v == 7);
	ck_assert_int_eq(ds_json_int64(o, "a.c", 0, &v), -1);
	ck_assert(ds_json_bool(o, "a.c", false, &b) == 0 && b);
	ck_assert(ds_json_bool(o, "a.x", true, &b) == 0 && b);
	ck_assert_int_eq(ds_json_string(o, "a.d", &s), -1);
	ck_assert(ds_json_string(o, "a.b.c", &s) == 0 && s == NULL);
	ds_json_free(o);
	ck_assert_ptr_null(ds_json_parse("{} x", 4, 8, &why));
	ck_assert_ptr_null(ds_json_parse("\"s\"", 3, 8, &why));
	ck_assert(ds_json_parse("{\"a\":", 5, 8, &why) == NULL &&
	    strcmp(why, "truncated") == 0);
	memset(deep, '[', sizeof(deep));
	memcpy(deep, "{\"a\":", 5);
	ck_assert_ptr_null(ds_json_parse(deep, sizeof(deep),
	    DS_JSON_DEPTH_VALUE, &why));
	/* the stream: pieces, white space, bounds */
	ds_json_stream_init(&st, 8, 64);
	nobj = 0;
	ck_assert_int_eq(ds_json_stream_feed(&st, "\n{\"a\":1}{\"b\"", 12,
	    count_cb, NULL, &why), 0);
	ck_assert_int_eq(ds_json_stream_feed(&st, ":2}\n\n", 5, count_cb,
	    NULL, &why), 0);
	ck_assert_int_eq(nobj, 2);
	ck_assert_int_eq(ds_json_stream_feed(&st, deep, 70, count_cb, NULL,
	    &why), -1);
	ds_json_stream_reset(&st);
	memset(deep, ' ', sizeof(deep));
	deep[0] = '{';
	ck_assert(ds_json_stream_feed(&st, deep, 100, count_cb, NULL, &why) ==
	    -1 && strcmp(why, "object too big") == 0);
	ds_json_stream_reset(&st);
	ck_assert_int_eq(ds_json_stream_feed(&st, "[1]", 3, count_cb, NULL,
	    &why), -1);
	ds_json_stream_fini(&st);
	ds_json_stream_fini(&st);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("calico");
	TCase *tk = tcase_create("keys");
	TCase *te = tcase_create("etcd");
	SRunner *sr;
	int failed;

	log_init(LOG_LVL_INFO, 0, "test_calico");
	tcase_add_test(tk, t_v3_keys);
	tcase_add_test(tk, t_v3_peers_pools);
	tcase_add_test(tk, t_pool_modes);
	tcase_add_test(tk, t_pool_bad);
	tcase_add_test(tk, t_unsafe);
	tcase_add_test(tk, t_v2_keys);
	tcase_add_test(tk, t_malformed);
	tcase_add_test(tk, t_v3_labels);
	tcase_add_test(tk, t_v3_rr_cluster_id);
	tcase_add_test(tk, t_v3_rr_setup);
	tcase_add_test(tk, t_v3_selectors);
	tcase_add_test(tk, t_v2_rr_cluster_id);
	tcase_add_test(tk, t_loglevel_v3);
	tcase_add_test(tk, t_loglevel_v2);
	tcase_add_test(te, t_v3_list_watch);
	tcase_add_test(te, t_v3_labels_watch);
	tcase_add_loop_test(te, t_v3_stream_split, 0,
	    (int)(sizeof(created) + sizeof(real_events)));
	tcase_add_test(te, t_v3_fail_resume);
	tcase_add_test(te, t_v3_compacted);
	tcase_add_test(te, t_v3_errors);
	tcase_add_test(te, t_v2_list_wait);
	tcase_add_test(te, t_v2_errors);
	tcase_add_test(tk, t_b64);
	tcase_add_test(tk, t_json);
	tcase_set_timeout(te, 60);
	suite_add_tcase(s, tk);
	suite_add_tcase(s, te);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
