/*
 * test_datastore.c: the cluster model, the cluster file and the file
 * backend (datastore/).
 *
 * A recording ds_ops stub turns every hook call into one line of text, so
 * each test states exactly which calls it expects, in order: the model's
 * derivation (mesh, AS inheritance, explicit peers, IPv6 names), its diffs
 * between commits, the cluster file's validation (file:line and key), and
 * the file backend end to end on an event_base with inotify reloads.
 */
#include <check.h>

#include "check_run.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "backend.h"
#include "datastore.h"
#include "labels.h"
#include "log.h"
#include "model.h"
#include "ds_rec.h"
#include "log_capture.h"
#include "selector.h"

static char tmpdir[] = "/tmp/test_datastore.XXXXXX";

/* The recording stub. */

static void
rec_local(void *arg, const struct ds_local *l)
{
	char a4[ADDR_STRLEN], a6[ADDR_STRLEN], n4[PREFIX_STRLEN];

	(void)arg;
	rec_add("local %s %s %s %s AS%u%s", l->name,
	    addr_fmt(&l->ipv4, a4, sizeof(a4)),
	    addr_fmt(&l->ipv6, a6, sizeof(a6)),
	    prefix_fmt(&l->net4, n4, sizeof(n4)), l->as,
	    l->known ? "" : " unknown");
}

static void
rec_peer(void *arg, const struct ds_peer *n, const struct ds_peer *o)
{
	char a[ADDR_STRLEN], b[ADDR_STRLEN];

	(void)arg;
	if (o == NULL)
		rec_add("+peer %s %s AS%u %s %s port %u%s%s", n->name,
		    addr_fmt(&n->addr, a, sizeof(a)), n->as,
		    ds_peer_type_name(n->type), n->node, n->port,
		    n->rr_client ? " rr-client" : "",
		    n->rr_cluster_id != 0 ? " cluster" : "");
	else if (n == NULL)
		rec_add("-peer %s %s AS%u", o->name,
		    addr_fmt(&o->addr, a, sizeof(a)), o->as);
	else {
		ck_assert_str_eq(n->name, o->name);
		rec_add("~peer %s %s AS%u%s (was %s AS%u%s)", n->name,
		    addr_fmt(&n->addr, a, sizeof(a)), n->as,
		    n->rr_client ? " rr-client" : "",
		    addr_fmt(&o->addr, b, sizeof(b)), o->as,
		    o->rr_client ? " rr-client" : "");
	}
}

static const char *const ipip_names[] = { "never", "always", "cross-subnet" };

/* " vxlan MODE" and " no-export" only when set, so older lines stay */
static const char *
pool_extra(const struct ds_pool *p, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", p->vxlan != DS_VXLAN_NEVER ? " vxlan " :
	    "", p->vxlan != DS_VXLAN_NEVER ? ipip_names[p->vxlan] : "",
	    p->no_export ? " no-export" : "");
	return buf;
}

static void
rec_pool(void *arg, const struct ds_pool *n, const struct ds_pool *o)
{
	char a[PREFIX_STRLEN], x[40], y[40];

	(void)arg;
	if (n == NULL)
		rec_add("-pool %s", prefix_fmt(&o->cidr, a, sizeof(a)));
	else
		rec_add("%cpool %s %s%s%s%s%s%s%s", o == NULL ? '+' : '~',
		    prefix_fmt(&n->cidr, a, sizeof(a)), ipip_names[n->ipip],
		    pool_extra(n, x, sizeof(x)),
		    n->disabled ? " disabled" : "", o != NULL ? " (was " : "",
		    o != NULL ? ipip_names[o->ipip] : "",
		    o != NULL ? pool_extra(o, y, sizeof(y)) : "",
		    o == NULL ? "" : o->disabled ? " disabled)" : ")");
}

static const struct ds_ops rec_ops = {
	.local_changed = rec_local,
	.peer_changed = rec_peer,
	.block_changed = rec_block,
	.pool_changed = rec_pool,
	.synced = rec_synced,
	.log_changed = rec_log,
};

/* Model helpers. */

static struct addr
A(const char *s)
{
	struct addr a;

	ck_assert_int_eq(addr_parse(s, &a), 0);
	return a;
}

static struct prefix
P(const char *s)
{
	struct prefix p;

	ck_assert_int_eq(prefix_parse(s, &p), 0);
	return p;
}

static void
node(struct ds_model *m, const char *name, const char *v4, const char *v6,
    uint32_t as)
{
	struct ds_model_node n;

	memset(&n, 0, sizeof(n));
	snprintf(n.name, sizeof(n.name), "%s", name);
	if (v4 != NULL)
		n.ipv4 = A(v4);
	if (v6 != NULL)
		n.ipv6 = A(v6);
	n.as = as;
	ck_assert_int_eq(ds_model_node_set(m, &n), 0);
}

static void
peer(struct ds_model *m, const char *nodename, const char *ip, uint32_t as)
{
	struct ds_model_peer p;

	memset(&p, 0, sizeof(p));
	snprintf(p.node, sizeof(p.node), "%s", nodename);
	p.addr = A(ip);
	p.as = as;
	ck_assert_int_eq(ds_model_peer_set(m, &p), 0);
}

static void
pool(struct ds_model *m, const char *cidr, enum ds_ipip ipip, bool disabled)
{
	struct ds_pool p;

	memset(&p, 0, sizeof(p));
	p.cidr = P(cidr);
	p.ipip = ipip;
	p.disabled = disabled;
	ck_assert_int_eq(ds_model_pool_set(m, &p), 0);
}

static void
block(struct ds_model *m, const char *cidr)
{
	struct prefix p = P(cidr);

	ck_assert_int_eq(ds_model_block_add(m, &p), 0);
}

static void
name_is(enum ds_peer_type t, const char *ip, size_t len, const char *want)
{
	char buf[DS_NAME_MAX];
	struct addr a = A(ip);

	ds_peer_name(buf, len, t, &a);
	ck_assert_str_eq(buf, want);
}

START_TEST(t_names)
{
	name_is(DS_PEER_MESH, "198.18.0.2", DS_NAME_MAX, "Mesh_198_18_0_2");
	name_is(DS_PEER_MESH, "fd80::2", DS_NAME_MAX, "Mesh_fd80__2");
	name_is(DS_PEER_GLOBAL, "fd00::1", DS_NAME_MAX, "Global_fd00__1");
	name_is(DS_PEER_NODE, "10.0.0.1", DS_NAME_MAX, "Node_10_0_0_1");
	name_is(DS_PEER_GLOBAL, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe",
	    DS_NAME_MAX, "Global_ffff_ffff_ffff_ffff_ffff_ffff_ffff_fffe");
	name_is(DS_PEER_GLOBAL, "10.0.0.1", 5, "Glob");
	ck_assert_str_eq(ds_peer_type_name(DS_PEER_MESH), "node-to-node mesh");
	ck_assert_str_eq(ds_peer_type_name(DS_PEER_GLOBAL), "global");
	ck_assert_str_eq(ds_peer_type_name(DS_PEER_NODE), "node specific");
	ck_assert_str_eq(ds_type_name(DS_TYPE_ETCDV3), "etcdv3");
	ck_assert_str_eq(ds_type_name(DS_TYPE_ETCDV2), "etcdv2");
	ck_assert_str_eq(ds_type_name(DS_TYPE_FILE), "file");
}
END_TEST

START_TEST(t_mesh)
{
	struct ds_model m;
	size_t n;

	ds_model_init(&m, "h1");
	node(&m, "h3", "198.18.0.3", NULL, 65003);
	node(&m, "h1", "198.18.0.1", NULL, 0);
	node(&m, "h2", "198.18.0.2", "fd80::2", 0);
	node(&m, "h4", NULL, "fd80::4", 0);		/* no IPv4 */
	node(&m, "h5", "198.18.0.1", NULL, 0);		/* our address */
	ck_assert(!ds_model_is_synced(&m));
	ds_model_commit(&m, &rec_ops, NULL);
	/* h1 has no IPv6: no IPv6 mesh */
	EXPECT("local h1 198.18.0.1 (none) (none) AS64512",
	    "+peer Mesh_198_18_0_2 198.18.0.2 AS64512 node-to-node mesh h2 "
	    "port 179",
	    "+peer Mesh_198_18_0_3 198.18.0.3 AS65003 node-to-node mesh h3 "
	    "port 179",
	    "synced");
	ck_assert(ds_model_is_synced(&m));
	ck_assert_ptr_nonnull(ds_model_peers(&m, &n));
	ck_assert_uint_eq(n, 2);
	ds_model_commit(&m, &rec_ops, NULL);
	EXPECT_NONE();
	ds_model_fini(&m);
	ds_model_fini(&m);		/* harmless twice */
}
END_TEST

START_TEST(t_as)
{
	struct ds_model m;
	struct addr none;

	memset(&none, 0, sizeof(none));
	ds_model_init(&m, "h1");
	ds_model_set_global_as(&m, 65000);
	node(&m, "h2", "198.18.0.2", NULL, 0);
	ds_model_commit(&m, &rec_ops, NULL);
	/* h1 is not in the store: AS from the global AS */
	EXPECT("local h1 (none) (none) (none) AS65000 unknown",
	    "+peer Mesh_198_18_0_2 198.18.0.2 AS65000 node-to-node mesh h2 "
	    "port 179", "synced");
	node(&m, "h1", "198.18.0.1", NULL, 65001);
	ds_model_commit(&m, &rec_ops, NULL);
	EXPECT("local h1 198.18.0.1 (none) (none) AS65001");
	ds_model_set_overrides(&m, &none, &none, 65100);
	ds_model_commit(&m, &rec_ops, NULL);
	EXPECT("local h1 198.18.0.1 (none) (none) AS65100");
	ds_model_set_global_as(&m, 0);			/* back to 64512 */
	ds_model_commit(&m, &rec_ops, NULL);
	EXPECT("~peer Mesh_198_18_0_2 198.18.0.2 AS64512 (was 198.18.0.2 "
	    "AS65000)");
	ck_assert_uint_eq(ds_model_local(&m)->as, 65100);
	ds_model_fini(&m);
}
END_TEST

START_TEST(t_explicit)
{
	struct ds_model m;

	ds_model_init(&m, "h1");
	node(&m, "h1", "198.18.0.1", NULL, 0);
	node(&m, "h2", "198.18.0.2", NULL, 0);
	ds_model_set_node_mesh(&m, false);
	peer(&m, "", "198.18.0.200", 65000);
	peer(&m, "", "198.18.0.1", 65000);		/* ourselves */
	peer(&m, "h1", "198.18.0.200", 65099);		/* global has it */
	peer(&m, "h1", "198.18.0.201", 65001);
	peer(&m, "h1", "198.18.0.1", 65001);		/* ourselves */
	peer(&m, "h2", "198.18.0.202", 65002);		/* not ours */
	peer(&m, "", "fd00::1", 65010);
	ds_model_commit(&m, &rec_ops, NULL);
	EXPECT("local h1 198.18.0.1 (none) (none) AS64512",
	    "+peer Global_198_18_0_200 198.18.0.200 AS65000 global  port 179",
	    "+peer Global_fd00__1 fd00::1 AS65010 global  port 179",
	    "+peer Node_198_18_0_201 198.18.0.201 AS65001 node specific  "
	    "port 179", "synced");
	/* the mesh on: h2 joins; the global peer goes, the node one shows */
	ds_model_set_node_mesh(&m, true);
	ds_model_peer_del(&m, "", "", &(struct addr){ 0 });	/* absent */
	{
		struct addr a = A("198.18.0.200");

		ds_model_peer_del(&m, "", "", &a);
		ck_assert_ptr_null(ds_model_peer_get(&m, "", "", &a));
		ck_assert_ptr_nonnull(ds_model_peer_get(&m, "", "h1", &a));
	}
	ds_model_commit(&m, &rec_ops, NULL);
	EXPECT("-peer Global_198_18_0_200 198.18.0.200 AS65000",
	    "+peer Mesh_198_18_0_2 198.18.0.2 AS64512 node-to-node mesh h2 "
	    "port 179",
	    "+peer Node_198_18_0_200 198.18.0.200 AS65099 node specific  "
	    "port 179");
	ds_model_fini(&m);
}
END_TEST

START_TEST(t_ipv6)
{
	struct ds_model m;
	struct addr ov4 = A("198.18.5.9"), none;
	struct ds_model_node n;

	memset(&none, 0, sizeof(none));
	ds_model_init(&m, "h1");
	memset(&n, 0, sizeof(n));
	snprintf(n.name, sizeof(n.name), "h1");
	n.ipv4 = A("198.18.0.1");
	n.ipv6 = A("fd80::1");
	n.net4 = P("198.18.0.0/24");
	ck_assert_int_eq(ds_model_node_set(&m, &n), 0);
	node(&m, "h2", "198.18.0.2", "fd80::2", 0);
	node(&m, "h3", NULL, "fd80::1", 0);		/* our v6 */
	ds_model_commit(&m, &rec_ops, NULL);
	EXPECT("local h1 198.18.0.1 fd80::1 198.18.0.0/24 AS64512",
	    "+peer Mesh_198_18_0_2 198.18.0.2 AS64512 node-to-node mesh h2 "
	    "port 179",
	    "+peer Mesh_fd80__2 fd80::2 AS64512 node-to-node mesh h2 port 179",
	    "synced");
	/* an override outside the node's subnet drops the subnet */
	ds_model_set_overrides(&m, &ov4, &none, 0);
	ds_model_commit(&m, &rec_ops, NULL);
	EXPECT("local h1 198.18.5.9 fd80::1 (none) AS64512");
	/* h2 now has our (overridden) address: no session to it */
	node(&m, "h2", "198.18.5.9", "fd80::2", 0);
	ds_model_commit(&m, &rec_ops, NULL);
	EXPECT("-peer Mesh_198_18_0_2 198.18.0.2 AS64512");
	ds_model_fini(&m);
}
END_TEST

START_TEST(t_dup_address)
{
	struct ds_model m;
	const struct ds_peer *p;
	size_t n;

	ds_model_init(&m, "h1");
	node(&m, "h3", "198.18.0.2", NULL, 0);
	node(&m, "h2", "198.18.0.2", NULL, 0);
	ds_model_commit(&m, &rec_ops, NULL);
	EXPECT("local h1 (none) (none) (none) AS64512 unknown",
	    "+peer Mesh_198_18_0_2 198.18.0.2 AS64512 node-to-node mesh h2 "
	    "port 179", "synced");
	p = ds_model_peers(&m, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(p[0].node, "h2");
	ds_model_fini(&m);
}
END_TEST

START_TEST(t_invalid_setters)
{
	struct ds_model m;
	struct ds_model_node n;
	struct ds_model_peer pe;
	struct ds_pool po;
	struct prefix none;

	ds_model_init(&m, "h1");
	memset(&n, 0, sizeof(n));
	ck_assert_int_eq(ds_model_node_set(&m, &n), -1);	/* no name */
	memset(n.name, 'a', sizeof(n.name));			/* no NUL */
	ck_assert_int_eq(ds_model_node_set(&m, &n), -1);
	snprintf(n.name, sizeof(n.name), "h2");
	n.ipv4 = A("fd80::1");					/* wrong af */
	ck_assert_int_eq(ds_model_node_set(&m, &n), -1);
	memset(&pe, 0, sizeof(pe));
	pe.addr = A("10.0.0.1");
	ck_assert_int_eq(ds_model_peer_set(&m, &pe), -1);	/* AS 0 */
	memset(&po, 0, sizeof(po));
	ck_assert_int_eq(ds_model_pool_set(&m, &po), -1);
	memset(&none, 0, sizeof(none));
	ck_assert_int_eq(ds_model_block_add(&m, &none), -1);
	ck_assert_ptr_null(ds_model_node_get(&m, NULL));
	ck_assert_uint_eq(m.nnodes + m.npeers + m.npools + m.nblocks, 0);
	ds_model_fini(&m);
}
END_TEST

/* One label's syntax and bounds (labels.h: Kubernetes' rules). */
START_TEST(t_label_check)
{
	char key[DS_LABEL_KEY_MAX + 2], val[DS_LABEL_VALUE_MAX + 2];

	ck_assert_ptr_null(ds_label_check("rack", "r1"));
	ck_assert_ptr_null(ds_label_check("topology.kubernetes.io/zone", ""));
	ck_assert_ptr_null(ds_label_check("a-b_c.d", "X.y-z_0"));
	ck_assert_ptr_nonnull(ds_label_check("", "x"));
	ck_assert_ptr_nonnull(ds_label_check("-a", "x"));
	ck_assert_ptr_nonnull(ds_label_check("a-", "x"));
	ck_assert_ptr_nonnull(ds_label_check("a b", "x"));
	ck_assert_ptr_nonnull(ds_label_check("/a", "x"));
	ck_assert_ptr_nonnull(ds_label_check("a/", "x"));
	ck_assert_ptr_nonnull(ds_label_check("a/b/c", "x"));
	ck_assert_ptr_nonnull(ds_label_check("Example.com/a", "x"));
	ck_assert_ptr_nonnull(ds_label_check("a..b/c", "x"));
	ck_assert_ptr_nonnull(ds_label_check("-a.b/c", "x"));
	ck_assert_ptr_nonnull(ds_label_check("a", "-x"));
	ck_assert_ptr_nonnull(ds_label_check("a", "x y"));
	ck_assert_ptr_nonnull(ds_label_check("a", "x\n"));
	ck_assert_ptr_nonnull(ds_label_check(NULL, "x"));
	ck_assert_ptr_nonnull(ds_label_check("a", NULL));
	/* the longest key: a 253-byte prefix, '/', a 63-byte name */
	memset(key, 'a', sizeof(key));
	key[253] = '/';
	key[DS_LABEL_KEY_MAX] = '\0';
	ck_assert_ptr_null(ds_label_check(key, "x"));
	key[DS_LABEL_KEY_MAX] = 'a';
	key[DS_LABEL_KEY_MAX + 1] = '\0';			/* name 64 */
	ck_assert_ptr_nonnull(ds_label_check(key, "x"));
	memset(key, 'a', sizeof(key));
	key[254] = '/';						/* prefix 254 */
	key[DS_LABEL_KEY_MAX] = '\0';
	ck_assert_ptr_nonnull(ds_label_check(key, "x"));
	memset(key, 'a', 64);
	key[64] = '\0';						/* name 64 */
	ck_assert_ptr_nonnull(ds_label_check(key, "x"));
	memset(val, 'v', sizeof(val));
	val[DS_LABEL_VALUE_MAX] = '\0';
	ck_assert_ptr_null(ds_label_check("a", val));
	val[DS_LABEL_VALUE_MAX] = 'v';
	val[DS_LABEL_VALUE_MAX + 1] = '\0';
	ck_assert_ptr_nonnull(ds_label_check("a", val));
}
END_TEST

/* A node's labels in the model: sorted, kept by node_set, dropped with the
 * node, all or nothing, and matched by a selector through the adapter. */
START_TEST(t_labels_model)
{
	static const struct selector_label kv[] = {
		{ "zone", "z1" }, { "rack", "r1" }, { "empty", "" },
	};
	struct selector_label many[DS_LABELS_MAX + 1];
	char keys[DS_LABELS_MAX + 1][8];
	const struct selector_label *got;
	struct selector_labels sl;
	struct selector *sel;
	struct ds_model m, fresh;
	const char *why;
	size_t n;

	ds_model_init(&m, "h1");
	node(&m, "h2", "198.18.0.2", NULL, 0);
	ck_assert_int_eq(ds_model_labels_set(&m, "h9", kv, 3, &why), -1);
	ck_assert_str_eq(why, "no such node");
	ck_assert_ptr_null(ds_model_labels(&m, "h9", &n));
	got = ds_model_labels(&m, "h2", &n);		/* known, none */
	ck_assert_ptr_nonnull(got);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(got[0].key);
	ck_assert_int_eq(ds_model_labels_set(&m, "h2", kv, 3, &why), 0);
	got = ds_model_labels(&m, "h2", &n);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(got[0].key, "empty");
	ck_assert_str_eq(got[0].value, "");
	ck_assert_str_eq(got[1].key, "rack");
	ck_assert_str_eq(got[2].key, "zone");
	ck_assert_str_eq(got[2].value, "z1");
	ck_assert_ptr_null(got[3].key);
	/* the adapter, straight into selector_match */
	sel = selector_parse("rack == 'r1' && has(empty) && !has(x)", NULL, 0);
	ck_assert_ptr_nonnull(sel);
	ds_model_labels_selector(&m, "h2", &sl);
	ck_assert(selector_match(sel, &sl));
	ds_model_labels_selector(&m, "h9", &sl);	/* unknown: none */
	ck_assert(!selector_match(sel, &sl));
	/* a node set again keeps its labels */
	node(&m, "h2", "198.18.0.22", NULL, 0);
	ds_model_labels_selector(&m, "h2", &sl);
	ck_assert(selector_match(sel, &sl));
	/* a bad set leaves none: too many, a repeated key, a bad value */
	for (size_t i = 0; i <= DS_LABELS_MAX; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%zu", i);
		many[i].key = keys[i];
		many[i].value = "v";
	}
	ck_assert_int_eq(ds_model_labels_set(&m, "h2", many, DS_LABELS_MAX,
	    &why), 0);
	ck_assert_int_eq(ds_model_labels_set(&m, "h2", many,
	    DS_LABELS_MAX + 1, &why), -1);
	ck_assert_str_eq(why, "more than 64 labels");
	ck_assert_ptr_nonnull(ds_model_labels(&m, "h2", &n));
	ck_assert_uint_eq(n, 0);
	many[1].key = "k0";
	ck_assert_int_eq(ds_model_labels_set(&m, "h2", many, 2, &why), -1);
	ck_assert_str_eq(why, "a label key given twice");
	many[1].key = "k1";
	many[1].value = "bad value";
	ck_assert_int_eq(ds_model_labels_set(&m, "h2", many, 2, &why), -1);
	ds_model_labels(&m, "h2", &n);
	ck_assert_uint_eq(n, 0);
	/* a deleted node's labels go with it; take moves them over */
	ck_assert_int_eq(ds_model_labels_set(&m, "h2", kv, 3, &why), 0);
	ds_model_node_del(&m, "h2");
	ck_assert_ptr_null(ds_model_labels(&m, "h2", &n));
	node(&m, "h2", "198.18.0.2", NULL, 0);
	ds_model_labels(&m, "h2", &n);
	ck_assert_uint_eq(n, 0);
	ds_model_init(&fresh, "h1");
	node(&fresh, "h2", "198.18.0.2", NULL, 0);
	ck_assert_int_eq(ds_model_labels_set(&fresh, "h2", kv, 2, &why), 0);
	ds_model_take(&m, &fresh);
	ds_model_labels(&m, "h2", &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_ptr_null(ds_model_labels(&fresh, "h2", &n));
	selector_free(sel);
	ds_model_fini(&fresh);
	ds_model_fini(&m);
}
END_TEST

START_TEST(t_diff)
{
	struct ds_model m;
	struct prefix p;

	ds_model_init(&m, "h1");
	node(&m, "h1", "198.18.0.1", NULL, 0);
	node(&m, "h2", "198.18.0.2", NULL, 0);
	node(&m, "h3", "198.18.0.3", NULL, 0);
	pool(&m, "10.244.0.0/16", DS_IPIP_NEVER, false);
	pool(&m, "10.245.0.0/16", DS_IPIP_ALWAYS, false);
	block(&m, "10.244.1.0/26");
	ds_model_commit(&m, &rec_ops, NULL);
	EXPECT("local h1 198.18.0.1 (none) (none) AS64512",
	    "+pool 10.244.0.0/16 never", "+pool 10.245.0.0/16 always",
	    "+block 10.244.1.0/26",
	    "+peer Mesh_198_18_0_2 198.18.0.2 AS64512 node-to-node mesh h2 "
	    "port 179",
	    "+peer Mesh_198_18_0_3 198.18.0.3 AS64512 node-to-node mesh h3 "
	    "port 179", "synced");

	node(&m, "h3", "198.18.0.3", NULL, 65003);		/* AS change */
	ds_model_node_del(&m, "h2");				/* node gone */
	ds_model_node_del(&m, "h9");				/* absent */
	block(&m, "10.244.1.64/26");
	block(&m, "10.244.1.64/26");				/* again */
	p = P("10.245.0.0/16");
	ds_model_pool_del(&m, &p);
	pool(&m, "10.244.0.0/16", DS_IPIP_CROSS_SUBNET, false);
	ds_model_commit(&m, &rec_ops, NULL);
	EXPECT("~pool 10.244.0.0/16 cross-subnet (was never)",
	    "-pool 10.245.0.0/16",
	    "+block 10.244.1.64/26",
	    "-peer Mesh_198_18_0_2 198.18.0.2 AS64512",
	    "~peer Mesh_198_18_0_3 198.18.0.3 AS65003 (was 198.18.0.3 "
	    "AS64512)");

	/* set to what it is: nothing to report */
	node(&m, "h3", "198.18.0.3", NULL, 65003);
	pool(&m, "10.244.0.0/16", DS_IPIP_CROSS_SUBNET, false);
	ds_model_commit(&m, &rec_ops, NULL);
	EXPECT_NONE();

	p = P("10.244.1.0/26");
	ds_model_block_del(&m, &p);
	ck_assert(!ds_model_has_block(&m, &p));
	ds_model_resync(&m);
	ds_model_commit(&m, &rec_ops, NULL);
	EXPECT("-block 10.244.1.0/26", "synced");
	ds_model_fini(&m);
}
END_TEST

/* A full re-read into a fresh model reports only what differs. */
START_TEST(t_take)
{
	struct ds_model m, fresh;

	ds_model_init(&m, "h1");
	node(&m, "h1", "198.18.0.1", NULL, 0);
	node(&m, "h2", "198.18.0.2", NULL, 0);
	pool(&m, "10.244.0.0/16", DS_IPIP_NEVER, false);
	block(&m, "10.244.1.0/26");
	ds_model_commit(&m, &rec_ops, NULL);
	rec.n = 0;

	ds_model_init(&fresh, "h1");
	node(&fresh, "h1", "198.18.0.1", NULL, 0);
	node(&fresh, "h2", "198.18.0.2", NULL, 0);
	node(&fresh, "h3", "198.18.0.3", NULL, 0);
	pool(&fresh, "10.244.0.0/16", DS_IPIP_NEVER, true);
	block(&fresh, "10.244.1.0/26");
	ds_model_take(&m, &fresh);
	ck_assert_uint_eq(fresh.nnodes, 0);
	ds_model_fini(&fresh);
	ds_model_commit(&m, &rec_ops, NULL);
	EXPECT("~pool 10.244.0.0/16 never disabled (was never)",
	    "+peer Mesh_198_18_0_3 198.18.0.3 AS64512 node-to-node mesh h3 "
	    "port 179");

	ds_model_clear(&m);
	ds_model_commit(&m, &rec_ops, NULL);
	EXPECT("local h1 (none) (none) (none) AS64512 unknown",
	    "-pool 10.244.0.0/16", "-block 10.244.1.0/26",
	    "-peer Mesh_198_18_0_2 198.18.0.2 AS64512",
	    "-peer Mesh_198_18_0_3 198.18.0.3 AS64512");
	ds_model_fini(&m);
}
END_TEST

/*
 * Unsafe pools and blocks (SPEC 3) stay out of the view, each logged once
 * with what it is and why; the rest of the view is as if they were absent.
 */
START_TEST(t_refuse)
{
	struct ds_model m;
	struct prefix p;

	log_capture();
	log_init(LOG_LVL_INFO, 0, "test_datastore");
	ds_model_init(&m, "h1");
	node(&m, "h1", "198.18.0.1", "fd80::1", 0);
	pool(&m, "10.244.0.0/16", DS_IPIP_NEVER, false);
	pool(&m, "fd00:10::/48", DS_IPIP_NEVER, false);
	pool(&m, "0.0.0.0/0", DS_IPIP_NEVER, false);		/* default */
	pool(&m, "10.0.0.0/7", DS_IPIP_NEVER, false);		/* too short */
	pool(&m, "fd00::/31", DS_IPIP_NEVER, false);		/* too short */
	pool(&m, "198.18.0.0/16", DS_IPIP_NEVER, false);	/* h1's */
	block(&m, "10.244.1.0/26");
	block(&m, "fd00:10::/122");
	block(&m, "10.9.0.0/26");				/* no pool */
	block(&m, "0.0.0.0/0");
	block(&m, "10.244.0.0/19");				/* too short */
	block(&m, "fd00:10::/64");				/* too short */
	block(&m, "198.18.0.0/26");				/* h1's */
	ds_model_commit(&m, &rec_ops, NULL);
	EXPECT("local h1 198.18.0.1 fd80::1 (none) AS64512",
	    "+pool 10.244.0.0/16 never", "+pool fd00:10::/48 never",
	    "+block 10.244.1.0/26", "+block fd00:10::/122", "synced");
	ck_assert_int_eq(log_lines("refused"), 9);
	ck_assert_int_eq(log_lines("datastore: IP pool 0.0.0.0/0 refused: "
	    "a default route; skipped"), 1);
	ck_assert_int_eq(log_lines("IP pool 10.0.0.0/7 refused: prefix "
	    "length /7 out of range (/8../32 for IPv4 pools)"), 1);
	ck_assert_int_eq(log_lines("IP pool fd00::/31 refused: prefix length "
	    "/31 out of range (/32../128 for IPv6 pools)"), 1);
	ck_assert_int_eq(log_lines("IP pool 198.18.0.0/16 refused: covers "
	    "the address 198.18.0.1 of node h1"), 1);
	ck_assert_int_eq(log_lines("datastore: block affinity 10.9.0.0/26 of "
	    "node h1 refused: outside every pool; skipped"), 1);
	ck_assert_int_eq(log_lines("block affinity 0.0.0.0/0 of node h1 "
	    "refused: a default route"), 1);
	ck_assert_int_eq(log_lines("block affinity 10.244.0.0/19 of node h1 "
	    "refused: prefix length /19 out of range (/20../32 for IPv4 "
	    "blocks)"), 1);
	ck_assert_int_eq(log_lines("block affinity fd00:10::/64 of node h1 "
	    "refused: prefix length /64 out of range (/116../128 for IPv6 "
	    "blocks)"), 1);
	ck_assert_int_eq(log_lines("block affinity 198.18.0.0/26 of node h1 "
	    "refused: covers the address 198.18.0.1 of node h1"), 1);

	/* committed again: nothing new, nothing logged again */
	node(&m, "h2", "198.18.0.2", NULL, 0);
	ds_model_commit(&m, &rec_ops, NULL);
	EXPECT("+peer Mesh_198_18_0_2 198.18.0.2 AS64512 node-to-node mesh h2 "
	    "port 179");
	ck_assert_int_eq(log_lines("refused"), 9);

	/* a pool for the lone block: it comes in */
	pool(&m, "10.9.0.0/16", DS_IPIP_NEVER, false);
	ds_model_commit(&m, &rec_ops, NULL);
	EXPECT("+pool 10.9.0.0/16 never", "+block 10.9.0.0/26");

	/* a node inside a pool: the pool and its block go, the rest stays */
	node(&m, "h3", "10.9.7.7", NULL, 0);
	ds_model_commit(&m, &rec_ops, NULL);
	EXPECT("-pool 10.9.0.0/16", "-block 10.9.0.0/26",
	    "+peer Mesh_10_9_7_7 10.9.7.7 AS64512 node-to-node mesh h3 "
	    "port 179");
	ck_assert_int_eq(log_lines("IP pool 10.9.0.0/16 refused: covers the "
	    "address 10.9.7.7 of node h3"), 1);
	ck_assert_int_eq(log_lines("block affinity 10.9.0.0/26 of node h1 "
	    "refused: outside every pool"), 2);
	ds_model_node_del(&m, "h3");
	ds_model_commit(&m, &rec_ops, NULL);
	EXPECT("+pool 10.9.0.0/16 never", "+block 10.9.0.0/26",
	    "-peer Mesh_10_9_7_7 10.9.7.7 AS64512");

	/* a block goes: only it is reported */
	p = P("10.244.1.0/26");
	ds_model_block_del(&m, &p);
	ds_model_commit(&m, &rec_ops, NULL);
	EXPECT("-block 10.244.1.0/26");
	ds_model_fini(&m);
}
END_TEST

START_TEST(t_override_covered)
{
	struct ds_model m;
	struct addr a = A("10.244.9.1");

	log_capture();
	log_init(LOG_LVL_INFO, 0, "test_datastore");
	ds_model_init(&m, "h1");
	node(&m, "h1", "198.18.0.1", NULL, 0);
	pool(&m, "10.244.0.0/16", DS_IPIP_NEVER, false);
	ds_model_set_overrides(&m, &a, NULL, 0);
	ds_model_commit(&m, &rec_ops, NULL);
	EXPECT("local h1 10.244.9.1 (none) (none) AS64512", "synced");
	ck_assert_int_eq(log_lines("IP pool 10.244.0.0/16 refused: covers "
	    "the address 10.244.9.1 of node h1"), 1);
	ds_model_fini(&m);
}
END_TEST

/* Cluster files. */

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

/* Write next to path, then rename over it, as editors do. */
static void
replace_file(const char *path, const char *text)
{
	char tmp[300];

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	write_file(tmp, text);
	ck_assert_int_eq(rename(tmp, path), 0);
}

START_TEST(t_cluster_example)
{
	struct ds_model m;
	char err[512];

	ds_model_init(&m, "h1");
	ck_assert_msg(ds_cluster_load(TEST_TOPDIR "/conf/cluster.yaml", &m,
	    err, sizeof(err)) == 0, "%s", err);
	ds_model_commit(&m, &rec_ops, NULL);
	EXPECT("local h1 198.18.0.1 (none) (none) AS64512",
	    "+pool 10.244.0.0/16 never", "+block 10.244.1.0/26",
	    "+peer Global_198_18_0_200 198.18.0.200 AS65000 global  port 179",
	    "+peer Mesh_198_18_0_2 198.18.0.2 AS64512 node-to-node mesh h2 "
	    "port 179",
	    "+peer Mesh_198_18_0_3 198.18.0.3 AS64512 node-to-node mesh h3 "
	    "port 179",
	    "+peer Node_198_18_0_201 198.18.0.201 AS65001 node specific  "
	    "port 179", "synced");
	ds_model_fini(&m);
}
END_TEST

START_TEST(t_cluster_values)
{
	static const char text[] =
	    "as: 1.10\n"
	    "node_mesh: no\n"
	    "pools:\n"
	    "  - {cidr: 'fd00:10::/64', ipip: always, disabled: yes}\n"
	    "  - {cidr: 10.244.0.0/16, vxlan: cross-subnet, "
	    "disable_bgp_export: true}\n"
	    "  - {cidr: 10.245.0.0/16, vxlan: always, "
	    "disable_bgp_export: false}\n"
	    "nodes:\n"
	    "  - name: h1\n"
	    "    ipv4: 198.18.0.1/24\n"
	    "    ipv6: fd80::1/64\n"
	    "    blocks: [10.244.1.0/26, 'fd00:10::/122']\n"
	    "  - {name: h2, ipv4: \"\", ipv6: ~, blocks: ~}\n"
	    "peers: []\n";
	struct ds_model m;
	char path[256], err[512];
	const struct ds_local *l;
	char buf[PREFIX_STRLEN];

	snprintf(path, sizeof(path), "%s/values.yaml", tmpdir);
	write_file(path, text);
	ds_model_init(&m, "h1");
	ck_assert_msg(ds_cluster_load(path, &m, err, sizeof(err)) == 0, "%s",
	    err);
	ds_model_commit(&m, &rec_ops, NULL);
	EXPECT("local h1 198.18.0.1 fd80::1 198.18.0.0/24 AS65546",
	    "+pool 10.244.0.0/16 never vxlan cross-subnet no-export",
	    "+pool 10.245.0.0/16 never vxlan always",
	    "+pool fd00:10::/64 always disabled", "+block 10.244.1.0/26",
	    "+block fd00:10::/122", "synced");
	l = ds_model_local(&m);
	ck_assert_str_eq(prefix_fmt(&l->net6, buf, sizeof(buf)),
	    "fd80::/64");
	ck_assert_uint_eq(m.nnodes, 2);
	ds_model_fini(&m);
}
END_TEST

/*
 * The route reflector setup in a cluster file (rr_cluster_id, labels,
 * node_selector, peer_selector, node_mesh: false), from a reflector's and
 * a client's view: the reflector peers with every node (the reverse
 * peering), its clients and the iBGP peer are rr clients.
 */
static const char rrfile[] =
    "node_mesh: false\n"
    "nodes:\n"
    "  - {name: c1, ipv4: 198.18.0.1, labels: {rack: a}}\n"
    "  - {name: c2, ipv4: 198.18.0.2}\n"
    "  - name: r1\n"
    "    ipv4: 198.18.0.11\n"
    "    rr_cluster_id: 224.0.0.1\n"
    "    labels: {route-reflector: \"true\"}\n"
    "  - {name: r2, ipv4: 198.18.0.12, rr_cluster_id: 224.0.0.1,\n"
    "     labels: {route-reflector: \"true\"}}\n"
    "peers:\n"
    "  - node_selector: all()\n"
    "    peer_selector: route-reflector == 'true'\n"
    "  - {ip: 198.18.0.200, as: 64512}\n"
    "  - {ip: 198.18.0.201, as: 65001, node_selector: \"\", "
    "peer_selector: ~}\n";

START_TEST(t_cluster_rr)
{
	struct ds_model m;
	char path[256], err[512];

	snprintf(path, sizeof(path), "%s/rr.yaml", tmpdir);
	write_file(path, rrfile);
	ds_model_init(&m, "r1");
	ck_assert_msg(ds_cluster_load(path, &m, err, sizeof(err)) == 0, "%s",
	    err);
	ck_assert_uint_eq(ds_model_node_get(&m, "r2")->rr_cluster_id,
	    0xe0000001u);
	/* a peer with a selector is known by its place, a plain one by IP */
	ck_assert_ptr_nonnull(ds_model_peer_get(&m, "peers[0]", "", NULL));
	{
		struct addr a = A("198.18.0.200");

		ck_assert_ptr_nonnull(ds_model_peer_get(&m, "", "", &a));
		ck_assert_ptr_null(ds_model_peer_get(&m, "peers[1]", "",
		    NULL));
	}
	ds_model_commit(&m, &rec_ops, NULL);
	EXPECT("local r1 198.18.0.11 (none) (none) AS64512",
	    "+peer Global_198_18_0_200 198.18.0.200 AS64512 global  port 179 "
	    "rr-client",
	    "+peer Global_198_18_0_201 198.18.0.201 AS65001 global  port 179",
	    "+peer Node_198_18_0_1 198.18.0.1 AS64512 node specific c1 "
	    "port 179 rr-client",
	    "+peer Node_198_18_0_12 198.18.0.12 AS64512 node specific r2 "
	    "port 179 cluster",
	    "+peer Node_198_18_0_2 198.18.0.2 AS64512 node specific c2 "
	    "port 179 rr-client", "synced");
	ck_assert_uint_eq(ds_model_local(&m)->rr_cluster_id, 0xe0000001u);
	ds_model_fini(&m);
	ds_model_init(&m, "c1");
	ck_assert_int_eq(ds_cluster_load(path, &m, err, sizeof(err)), 0);
	ds_model_commit(&m, &rec_ops, NULL);
	EXPECT("local c1 198.18.0.1 (none) (none) AS64512",
	    "+peer Global_198_18_0_200 198.18.0.200 AS64512 global  port 179",
	    "+peer Global_198_18_0_201 198.18.0.201 AS65001 global  port 179",
	    "+peer Node_198_18_0_11 198.18.0.11 AS64512 node specific r1 "
	    "port 179 cluster",
	    "+peer Node_198_18_0_12 198.18.0.12 AS64512 node specific r2 "
	    "port 179 cluster", "synced");
	ds_model_fini(&m);
}
END_TEST

struct bad {
	const char	*text;
	unsigned	 line;
	const char	*want;
};

static const struct bad bad[] = {
	{ "foo: 1\n", 1, "key foo: unknown key" },
	{ "as: abc\n", 1, "key as: expected an AS number" },
	{ "as: 0\n", 1, "key as: AS 0 is out of range" },
	{ "as: 1\nas: 2\n", 2, "key as: duplicate key (first on line 1)" },
	{ "node_mesh: [true]\n", 1, "key node_mesh: expected true or false, "
	    "got a sequence" },
	{ "- a\n", 1, "the top level must be a mapping, not a sequence" },
	{ "nodes: {a: 1}\n", 1, "key nodes: expected a list, got a mapping" },
	{ "nodes:\n  - h1\n", 2, "key nodes[0]: expected a mapping, got a "
	    "scalar" },
	{ "nodes:\n  - name: h1\n    foo: 1\n", 3,
	    "key nodes[0].foo: unknown key" },
	{ "nodes:\n  - ipv4: 198.18.0.1\n", 2, "key nodes[0].name: missing" },
	{ "nodes:\n  - name: \"\"\n", 2, "key nodes[0].name: must not be "
	    "empty" },
	{ "nodes:\n  - name: h/1\n", 2, "key nodes[0].name: \"h/1\" is not a "
	    "valid node name" },
	{ "nodes:\n  - name: "
	    "a234567890123456789012345678901234567890123456789012345678901234"
	    "\n", 2, "key nodes[0].name: longer than 63 characters" },
	{ "nodes:\n  - name: h1\n  - name: h1\n", 3,
	    "key nodes[1].name: duplicate node \"h1\"" },
	{ "nodes:\n  - name: h1\n    ipv4: 1.2.3\n", 3,
	    "key nodes[0].ipv4: \"1.2.3\" is not an IPv4 address" },
	{ "nodes:\n  - name: h1\n    ipv4: fd80::1\n", 3,
	    "key nodes[0].ipv4: \"fd80::1\" is not an IPv4 address" },
	{ "nodes:\n  - name: h1\n    ipv4: 198.18.0.1/33\n", 3,
	    "key nodes[0].ipv4: \"198.18.0.1/33\" is not an IPv4 address" },
	{ "nodes:\n  - name: h1\n    ipv6: 198.18.0.1\n", 3,
	    "key nodes[0].ipv6: \"198.18.0.1\" is not an IPv6 address" },
	{ "nodes:\n  - name: h1\n    blocks: 10.0.0.0/26\n", 3,
	    "key nodes[0].blocks: expected a list, got a scalar" },
	{ "nodes:\n  - name: h1\n    blocks: [10.244.1.1/26]\n", 3,
	    "key nodes[0].blocks[0]: \"10.244.1.1/26\" is not a CIDR" },
	{ "nodes:\n  - name: h1\n    blocks:\n      - 10.244.1.0/26\n"
	    "      - 10.244.300.0/26\n", 5,
	    "key nodes[0].blocks[1]: \"10.244.300.0/26\" is not a CIDR" },
	{ "nodes:\n  - name: h1\n    blocks: [[10.0.0.0/26]]\n", 3,
	    "key nodes[0].blocks[0]: expected a CIDR, got a sequence" },
	{ "nodes:\n  - name: h1\n    blocks: [[[[10.0.0.0/26]]]]\n", 3,
	    "nested deeper than the schema allows" },	/* ytree's bound */
	{ "nodes:\n  - name: h1\n    blocks: [10.244.1.0/26]\n"
	    "  - name: h2\n    blocks: [10.244.1.0/26]\n", 5,
	    "key nodes[1].blocks[0]: block 10.244.1.0/26 is also in nodes[0] "
	    "(line 3)" },
	{ "nodes:\n  - name: h1\n    blocks: [10.244.1.0/26, "
	    "10.244.1.0/26]\n", 3, "key nodes[0].blocks[1]: block "
	    "10.244.1.0/26 is also in nodes[0]" },
	{ "nodes:\n  - name: h1\n    ipv4: 198.18.0.1\n"
	    "  - name: h2\n    ipv4: 198.18.0.1/24\n", 5,
	    "key nodes[1].ipv4: address 198.18.0.1 is also used by nodes[0] "
	    "(line 3)" },
	{ "pools:\n  - ipip: never\n", 2, "key pools[0].cidr: missing" },
	{ "pools:\n  - cidr: 10.244.0.0/16\n    ipip: sometimes\n", 3,
	    "key pools[0].ipip: \"sometimes\" is not one of never, always, "
	    "cross-subnet" },
	{ "pools:\n  - cidr: 10.244.0.0/16\n    disabled: maybe\n", 3,
	    "key pools[0].disabled: expected true or false" },
	{ "pools:\n  - cidr: 10.244.0.0/16\n    vxlan: Always\n", 3,
	    "key pools[0].vxlan: \"Always\" is not one of never, always, "
	    "cross-subnet" },
	{ "pools:\n  - cidr: 10.244.0.0/16\n    vxlan: [always]\n", 3,
	    "key pools[0].vxlan: expected a VXLAN mode, got a sequence" },
	{ "pools:\n  - cidr: 10.244.0.0/16\n    disable_bgp_export: 1\n", 3,
	    "key pools[0].disable_bgp_export: expected true or false" },
	{ "pools:\n  - cidr: 10.244.0.0/16\n    disable_bgp_export: {}\n",
	    3, "key pools[0].disable_bgp_export: expected true or false" },
	{ "pools:\n  - cidr: 10.244.0.0/16\n  - cidr: 10.244.0.0/16\n", 3,
	    "key pools[1].cidr: duplicate pool 10.244.0.0/16" },
	{ "pools:\n  - cidr: {a: b}\n", 2,
	    "key pools[0].cidr: expected a CIDR, got a mapping" },
	{ "peers:\n  - ip: 10.0.0.1\n", 2, "key peers[0].as: missing" },
	{ "peers:\n  - as: 65000\n", 2, "key peers[0].ip: missing" },
	{ "peers:\n  - ip: 10.0.0.300\n    as: 65000\n", 2,
	    "key peers[0].ip: \"10.0.0.300\" is not an IP address" },
	{ "peers:\n  - ip: 10.0.0.1:0\n    as: 65000\n", 2,
	    "key peers[0].ip: \"10.0.0.1:0\" is not an IP address (or "
	    "IP:PORT, [IPv6]:PORT)" },
	{ "peers:\n  - ip: fd00::1:179:x\n    as: 65000\n", 2,
	    "key peers[0].ip: \"fd00::1:179:x\" is not an IP address" },
	{ "peers:\n  - ip: 10.0.0.1\n    as: 1\n    node: \"a b\"\n", 4,
	    "key peers[0].node: \"a b\" is not a valid node name" },
	{ "peers:\n  - {ip: 10.0.0.1, as: 1, node: h1}\n"
	    "  - {ip: 10.0.0.1, as: 2, node: h1}\n", 3,
	    "key peers[1].ip: duplicate peer 10.0.0.1 for node h1" },
	{ "peers:\n  - {ip: 10.0.0.1, as: 1}\n  - {ip: 10.0.0.1, as: 2}\n", 3,
	    "key peers[1].ip: duplicate peer 10.0.0.1" },
	{ "nodes:\n  - name: h1\n   ipv4: 1.2.3.4\n", 3, "YAML syntax error" },
	{ "nodes: &n []\npeers: *n\n", 2, "aliases are not supported" },
	{ "as: 1\nlog_severity: loud\n", 2, "key log_severity: \"loud\" is "
	    "not one of debug, info, warning, error" },
	{ "nodes:\n  - name: h1\n    log_severity: [debug]\n", 3,
	    "key nodes[0].log_severity: expected a log severity, got a "
	    "sequence" },
	{ "nodes:\n  - name: h1\n    labels: [rack]\n", 3,
	    "key nodes[0].labels: expected a mapping, got a sequence" },
	{ "nodes:\n  - name: h1\n    labels: rack\n", 3,
	    "key nodes[0].labels: expected a mapping, got a scalar" },
	{ "nodes:\n  - name: h1\n    labels: {rack: [r1]}\n", 3,
	    "key nodes[0].labels.rack: expected a label value, got a "
	    "sequence" },
	{ "nodes:\n  - name: h1\n    labels: {rack: {a: b}}\n", 3,
	    "key nodes[0].labels.rack: expected a label value, got a "
	    "mapping" },
	{ "nodes:\n  - name: h1\n    labels:\n      rack: ~\n", 4,
	    "key nodes[0].labels.rack: no value" },
	{ "nodes:\n  - name: h1\n    labels: {rack: r 1}\n", 3,
	    "key nodes[0].labels.rack: bad label value" },
	{ "nodes:\n  - name: h1\n    labels: {rack: "
	    "v234567890123456789012345678901234567890123456789012345678901234"
	    "}\n", 3, "key nodes[0].labels.rack: label value longer than 63" },
	{ "nodes:\n  - name: h1\n    labels: {\"a b\": x}\n", 3,
	    "key nodes[0].labels.a b: bad label key" },
	{ "nodes:\n  - name: h1\n    labels: {"
	    "k234567890123456789012345678901234567890123456789012345678901234"
	    ": x}\n", 3, "key nodes[0].labels.k2345" },
	{ "nodes:\n  - name: h1\n    labels: {Example.com/a: x}\n", 3,
	    "key nodes[0].labels.Example.com/a: bad label key prefix" },
	{ "nodes:\n  - name: h1\n    labels: {k: v, k: w}\n", 3,
	    "key nodes[0].labels: a label key given twice (node h1)" },
	{ "nodes:\n  - name: h1\n    rr_cluster_id: 224.0.0.256\n", 3,
	    "key nodes[0].rr_cluster_id: \"224.0.0.256\" is not a route "
	    "reflector cluster ID" },
	{ "nodes:\n  - name: h1\n    rr_cluster_id: 0.0.0.0\n", 3,
	    "key nodes[0].rr_cluster_id: \"0.0.0.0\" is not a route "
	    "reflector cluster ID" },
	{ "nodes:\n  - name: h1\n    rr_cluster_id: [1.2.3.4]\n", 3,
	    "key nodes[0].rr_cluster_id: expected a cluster ID, got a "
	    "sequence" },
	{ "peers:\n  - ip: 10.0.0.1\n    as: 1\n    node_selector: \"a ==\"\n",
	    4, "key peers[0].node_selector: bad selector: column 5: " },
	{ "peers:\n  - peer_selector: has(a) &&\n", 2,
	    "key peers[0].peer_selector: bad selector: column " },
	{ "peers:\n  - peer_selector: [all()]\n", 2,
	    "key peers[0].peer_selector: expected a label selector, got a "
	    "sequence" },
	{ "peers:\n  - {ip: 10.0.0.1, as: 1, node: h1, node_selector: all()}\n",
	    2, "key peers[0].node_selector: node and node_selector cannot "
	    "both be set" },
	{ "peers:\n  - ip: 10.0.0.1\n    peer_selector: all()\n", 3,
	    "key peers[0].peer_selector: ip and as must be empty when "
	    "peer_selector is set" },
	{ "peers:\n  - {as: 1, peer_selector: all()}\n", 2,
	    "key peers[0].peer_selector: ip and as must be empty" },
	{ "peers:\n  - {node_selector: all()}\n", 2,
	    "key peers[0].ip: missing" },
	{ "peers:\n  - {ip: 10.0.0.1, as: 1, peer_selector: \"\"}\n"
	    "  - {ip: 10.0.0.1, as: 2}\n", 3,
	    "key peers[1].ip: duplicate peer 10.0.0.1" },
};

START_TEST(t_cluster_bad)
{
	const struct bad *b = &bad[_i];
	char path[256], want[600], err[600];
	struct ds_model m;

	snprintf(path, sizeof(path), "%s/bad.yaml", tmpdir);
	write_file(path, b->text);
	ds_model_init(&m, "h1");
	ck_assert_msg(ds_cluster_load(path, &m, err, sizeof(err)) == -1,
	    "bad[%d] accepted: %s", _i, b->text);
	ds_model_fini(&m);
	snprintf(want, sizeof(want), "%s:%u: %s", path, b->line, b->want);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0,
	    "bad[%d]: got \"%s\", want \"%s\"", _i, err, want);
}
END_TEST

/* The file backend on an event loop. */

static bool
have_calls(void *arg)
{
	(void)arg;
	return rec.n > 0;
}

static bool
has_error(void *arg)
{
	return ds_last_error(arg) != NULL;
}

static bool
no_error(void *arg)
{
	return ds_last_error(arg) == NULL;
}

/* Run the loop in 10 ms slices until cond holds (true) or ms pass. */
static bool
run_until(struct event_base *base, bool (*cond)(void *), void *arg, long ms)
{
	struct timeval slice = { 0, 10000 };
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (cond == NULL || !cond(arg)) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 +
		    (t.tv_nsec - t0.tv_nsec) / 1000000 > ms)
			return cond == NULL;
		event_base_loopexit(base, &slice);
		event_base_dispatch(base);
	}
	return true;
}

static const char cluster1[] =
    "nodes:\n"
    "  - {name: h1, ipv4: 198.18.0.1, blocks: [10.244.1.0/26]}\n"
    "  - {name: h2, ipv4: 198.18.0.2, blocks: [10.244.2.0/26]}\n"
    "  - {name: h3, ipv4: 198.18.0.3, blocks: [10.244.3.0/26]}\n"
    "pools: [{cidr: 10.244.0.0/16}]\n";

/* h3 removed, a block added for h1, and h2's block moved: not ours. */
static const char cluster2[] =
    "nodes:\n"
    "  - {name: h1, ipv4: 198.18.0.1,\n"
    "     blocks: [10.244.1.0/26, 10.244.1.64/26]}\n"
    "  - {name: h2, ipv4: 198.18.0.2, blocks: [10.244.2.64/26]}\n"
    "pools: [{cidr: 10.244.0.0/16}]\n";

static struct ds *
start_file_ds(struct event_base *base, const char *path)
{
	struct ds_params p;
	struct ds *ds;

	memset(&p, 0, sizeof(p));
	p.type = DS_TYPE_FILE;
	p.node_name = "h1";
	p.path = path;
	ds = ds_new(base, &p, &rec_ops, NULL);
	ck_assert_ptr_nonnull(ds);
	return ds;
}

/* A started file datastore on cluster1, its first view checked. */
static struct ds *
start_cluster1(struct event_base *base, char *path, size_t len)
{
	struct ds *ds;

	snprintf(path, len, "%s/cluster.yaml", tmpdir);
	write_file(path, cluster1);
	ds = start_file_ds(base, path);
	ck_assert(!ds_is_synced(ds));
	ck_assert_int_eq(ds_start(ds), 0);
	ck_assert(ds_is_synced(ds));
	ck_assert_ptr_null(ds_last_error(ds));
	EXPECT("local h1 198.18.0.1 (none) (none) AS64512",
	    "+pool 10.244.0.0/16 never", "+block 10.244.1.0/26",
	    "+peer Mesh_198_18_0_2 198.18.0.2 AS64512 node-to-node mesh h2 "
	    "port 179",
	    "+peer Mesh_198_18_0_3 198.18.0.3 AS64512 node-to-node mesh h3 "
	    "port 179", "synced");
	return ds;
}

START_TEST(t_file_reload)
{
	struct event_base *base = event_base_new();
	char path[256];
	struct ds *ds = start_cluster1(base, path, sizeof(path));
	size_t n;

	/* an editor's atomic rename: only the difference, once */
	replace_file(path, cluster2);
	ck_assert(run_until(base, have_calls, NULL, 5000));
	ck_assert(run_until(base, NULL, NULL, 150));	/* nothing more */
	EXPECT("+block 10.244.1.64/26",
	    "-peer Mesh_198_18_0_3 198.18.0.3 AS64512");
	/* a broken file: logged, the view stays, nothing reported */
	write_file(path, "nodes:\n  - name: h1\n    ipv4: 1.2.3\n");
	ck_assert(run_until(base, has_error, ds, 5000));
	ck_assert_ptr_nonnull(strstr(ds_last_error(ds),
	    "cluster.yaml:3: key nodes[0].ipv4"));
	ck_assert_int_eq(ds_reload(ds), -1);
	EXPECT_NONE();
	ds_peers(ds, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(ds_local(ds)->name, "h1");
	/* fixed in place (close_write): the difference from the good view */
	write_file(path, cluster1);
	ck_assert(run_until(base, no_error, ds, 5000));
	EXPECT("-block 10.244.1.64/26",
	    "+peer Mesh_198_18_0_3 198.18.0.3 AS64512 node-to-node mesh h3 "
	    "port 179");
	ck_assert_int_eq(ds_reload(ds), 0);		/* SIGHUP, no change */
	EXPECT_NONE();
	ds_free(ds);
	event_base_free(base);
}
END_TEST

/* cluster1 with the mesh off */
static const char cluster_nomesh[] =
    "node_mesh: false\n"
    "nodes:\n"
    "  - {name: h1, ipv4: 198.18.0.1, blocks: [10.244.1.0/26]}\n"
    "  - {name: h2, ipv4: 198.18.0.2, blocks: [10.244.2.0/26]}\n"
    "  - {name: h3, ipv4: 198.18.0.3, blocks: [10.244.3.0/26]}\n"
    "pools: [{cidr: 10.244.0.0/16}]\n";

/* h2 a reflector, h1 its client through a peer_selector; then h3 too */
static const char cluster_rr[] =
    "node_mesh: false\n"
    "nodes:\n"
    "  - {name: h1, ipv4: 198.18.0.1, blocks: [10.244.1.0/26]}\n"
    "  - {name: h2, ipv4: 198.18.0.2, blocks: [10.244.2.0/26],\n"
    "     rr_cluster_id: 10.0.0.2, labels: {rr: \"yes\"}}\n"
    "  - {name: h3, ipv4: 198.18.0.3, blocks: [10.244.3.0/26]%s}\n"
    "pools: [{cidr: 10.244.0.0/16}]\n"
    "peers: [{node_selector: all(), peer_selector: has(rr)}]\n";

/*
 * Live: node_mesh: false takes every Mesh_ peer; a peer_selector brings
 * the reflector; a label added to h3 brings h3 and nothing else.
 */
START_TEST(t_file_rr_live)
{
	struct event_base *base = event_base_new();
	char path[256], text[1024];
	struct ds *ds = start_cluster1(base, path, sizeof(path));

	replace_file(path, cluster_nomesh);
	ck_assert(run_until(base, have_calls, NULL, 5000));
	ck_assert(run_until(base, NULL, NULL, 150));
	EXPECT("-peer Mesh_198_18_0_2 198.18.0.2 AS64512",
	    "-peer Mesh_198_18_0_3 198.18.0.3 AS64512");
	snprintf(text, sizeof(text), cluster_rr, "");
	replace_file(path, text);
	ck_assert(run_until(base, have_calls, NULL, 5000));
	ck_assert(run_until(base, NULL, NULL, 150));
	EXPECT("+peer Node_198_18_0_2 198.18.0.2 AS64512 node specific h2 "
	    "port 179 cluster");
	snprintf(text, sizeof(text), cluster_rr, ", labels: {rr: \"\"}");
	replace_file(path, text);
	ck_assert(run_until(base, have_calls, NULL, 5000));
	ck_assert(run_until(base, NULL, NULL, 150));
	EXPECT("+peer Node_198_18_0_3 198.18.0.3 AS64512 node specific h3 "
	    "port 179");
	ds_free(ds);
	event_base_free(base);
}
END_TEST

/* log_severity: the node's own wins; only this node's counts; a reload
 * that drops it says so (datastore.h struct ds_log). */
START_TEST(t_file_log)
{
	static const char with[] =
	    "log_severity: warning\n"
	    "nodes:\n"
	    "  - {name: h1, ipv4: 198.18.0.1, log_severity: Debug}\n"
	    "  - {name: h2, ipv4: 198.18.0.2, log_severity: error}\n";
	static const char global[] =
	    "log_severity: none\n"
	    "nodes:\n"
	    "  - {name: h1, ipv4: 198.18.0.1}\n"
	    "  - {name: h2, ipv4: 198.18.0.2, log_severity: error}\n";
	static const char without[] =
	    "nodes:\n"
	    "  - {name: h1, ipv4: 198.18.0.1}\n"
	    "  - {name: h2, ipv4: 198.18.0.2}\n";
	struct event_base *base = event_base_new();
	char path[256];
	struct ds *ds;

	snprintf(path, sizeof(path), "%s/log.yaml", tmpdir);
	write_file(path, with);
	ds = start_file_ds(base, path);
	ck_assert(!ds_log(ds)->set);
	ck_assert_int_eq(ds_start(ds), 0);
	EXPECT("log debug", "local h1 198.18.0.1 (none) (none) AS64512",
	    "+peer Mesh_198_18_0_2 198.18.0.2 AS64512 node-to-node mesh h2 "
	    "port 179", "synced");
	ck_assert(ds_log(ds)->set);
	ck_assert_int_eq(ds_log(ds)->level, LOG_LVL_DEBUG);
	replace_file(path, global);
	ck_assert(run_until(base, have_calls, NULL, 5000));
	EXPECT("log warning");
	replace_file(path, without);
	ck_assert(run_until(base, have_calls, NULL, 5000));
	EXPECT("log unset");
	ck_assert(!ds_log(ds)->set);
	ds_free(ds);
	event_base_free(base);
}
END_TEST

/*
 * labels: on cluster-file nodes, through the public view (ds_node_labels,
 * ds_node_selector_labels); a reload that changes them is visible at once
 * and reports no hook (no peer depends on labels yet); too many is an
 * error naming the file and line, and the last good view stays.
 */
START_TEST(t_file_labels)
{
	static const char one[] =
	    "nodes:\n"
	    "  - name: h1\n"
	    "    ipv4: 198.18.0.1\n"
	    "    labels: {rack: r1, \"topology.kubernetes.io/zone\": z1}\n"
	    "  - name: h2\n"
	    "    ipv4: 198.18.0.2\n"
	    "    labels:\n"
	    "      rack: r2\n"
	    "      empty: \"\"\n"
	    "  - {name: h3, ipv4: 198.18.0.3, labels: {}}\n";
	static const char two[] =
	    "nodes:\n"
	    "  - {name: h1, ipv4: 198.18.0.1}\n"
	    "  - {name: h2, ipv4: 198.18.0.2, labels: {rack: r1}}\n"
	    "  - {name: h3, ipv4: 198.18.0.3, labels: ~}\n";
	struct event_base *base = event_base_new();
	const struct selector_label *kv;
	struct selector_labels sl;
	struct selector *sel;
	char path[256], *text;
	struct ds *ds;
	size_t n, len;

	snprintf(path, sizeof(path), "%s/labels.yaml", tmpdir);
	write_file(path, one);
	ds = start_file_ds(base, path);
	ck_assert_int_eq(ds_start(ds), 0);
	rec.n = 0;
	kv = ds_node_labels(ds, "h1", &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(kv[0].key, "rack");
	ck_assert_str_eq(kv[1].key, "topology.kubernetes.io/zone");
	ck_assert_str_eq(kv[1].value, "z1");
	ck_assert_ptr_null(kv[2].key);
	kv = ds_node_labels(ds, "h2", &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(kv[0].key, "empty");
	ck_assert_str_eq(kv[0].value, "");
	ck_assert_ptr_nonnull(ds_node_labels(ds, "h3", &n));
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(ds_node_labels(ds, "h4", &n));
	sel = selector_parse("rack == 'r1'", NULL, 0);
	ck_assert_ptr_nonnull(sel);
	ds_node_selector_labels(ds, "h1", &sl);
	ck_assert(selector_match(sel, &sl));
	ds_node_selector_labels(ds, "h2", &sl);
	ck_assert(!selector_match(sel, &sl));
	/* changed labels: visible after the reload, no hook */
	replace_file(path, two);
	ck_assert_int_eq(ds_reload(ds), 0);
	EXPECT_NONE();
	ds_node_selector_labels(ds, "h1", &sl);
	ck_assert(!selector_match(sel, &sl));
	ds_node_selector_labels(ds, "h2", &sl);
	ck_assert(selector_match(sel, &sl));
	ds_node_labels(ds, "h3", &n);
	ck_assert_uint_eq(n, 0);
	/* 65 labels: refused whole, the last good view stays */
	len = sizeof(two) + 32 * (DS_LABELS_MAX + 1);
	text = malloc(len);
	ck_assert_ptr_nonnull(text);
	n = (size_t)snprintf(text, len, "%s", two);
	n += (size_t)snprintf(text + n, len - n, "  - name: h4\n    labels:\n");
	for (int i = 0; i <= DS_LABELS_MAX; i++)
		n += (size_t)snprintf(text + n, len - n, "      k%d: v\n", i);
	replace_file(path, text);
	free(text);
	ck_assert_int_eq(ds_reload(ds), -1);
	ck_assert_ptr_nonnull(strstr(ds_last_error(ds),
	    "labels.yaml:71: key nodes[3].labels: more than 64 labels "
	    "(node h4)"));
	ck_assert_ptr_null(ds_node_labels(ds, "h4", &n));
	ds_node_selector_labels(ds, "h2", &sl);
	ck_assert(selector_match(sel, &sl));
	EXPECT_NONE();
	selector_free(sel);
	ds_free(ds);
	event_base_free(base);
}
END_TEST

START_TEST(t_file_delete_stop)
{
	struct event_base *base = event_base_new();
	char path[256];
	struct ds *ds = start_cluster1(base, path, sizeof(path));
	size_t n;

	/* deleted: an error, the view stays */
	ck_assert_int_eq(unlink(path), 0);
	ck_assert(run_until(base, has_error, ds, 5000));
	EXPECT_NONE();
	ds_peers(ds, &n);
	ck_assert_uint_eq(n, 2);
	/* stopped: changes are no longer seen, ds_reload still works */
	ds_stop(ds);
	write_file(path, cluster2);
	ck_assert(run_until(base, NULL, NULL, 150));
	EXPECT_NONE();
	ds_free(ds);
	event_base_free(base);
}
END_TEST

START_TEST(t_file_start_bad)
{
	struct event_base *base = event_base_new();
	char path[256];
	struct ds *ds;

	snprintf(path, sizeof(path), "%s/nothere.yaml", tmpdir);
	ds = start_file_ds(base, path);
	ck_assert_int_eq(ds_start(ds), -1);
	ck_assert_ptr_nonnull(strstr(ds_last_error(ds), "nothere.yaml"));
	ck_assert_int_eq(ds_reload(ds), -1);
	ck_assert(!ds_is_synced(ds));
	ds_free(ds);

	snprintf(path, sizeof(path), "%s/bad.yaml", tmpdir);
	write_file(path, "as: 1\npools: 7\n");
	ds = start_file_ds(base, path);
	ck_assert_int_eq(ds_start(ds), -1);
	ck_assert_ptr_nonnull(strstr(ds_last_error(ds),
	    "bad.yaml:2: key pools: expected a list"));
	EXPECT_NONE();
	ds_free(ds);
	event_base_free(base);
	ds_free(NULL);
}
END_TEST

/* Without an event base there is no watching, but loads work. */
START_TEST(t_file_no_base)
{
	char path[256];
	struct ds *ds;

	snprintf(path, sizeof(path), "%s/nobase.yaml", tmpdir);
	write_file(path, cluster1);
	ds = start_file_ds(NULL, path);
	ck_assert_int_eq(ds_start(ds), 0);
	ck_assert_int_eq(ds_start(ds), 0);		/* already started */
	rec.n = 0;
	write_file(path, cluster2);
	ck_assert_int_eq(ds_reload(ds), 0);
	EXPECT("+block 10.244.1.64/26",
	    "-peer Mesh_198_18_0_3 198.18.0.3 AS64512");
	ds_free(ds);
}
END_TEST

START_TEST(t_etcd_and_params)
{
	static const char *const eps[] = { "http://127.0.0.1:2379" };
	struct ds_params p;
	struct ds *ds;

	memset(&p, 0, sizeof(p));
	p.type = DS_TYPE_ETCDV3;
	p.node_name = "h1";
	p.endpoints = eps;
	p.nendpoints = 1;
	ds = ds_new(NULL, &p, &rec_ops, NULL);
	ck_assert_ptr_nonnull(ds);
	ck_assert_int_eq(ds_start(ds), -1);
	ck_assert_str_eq(ds_last_error(ds), "the etcd datastore needs an "
	    "event loop");
	ck_assert_int_eq(ds_reload(ds), -1);
	ds_free(ds);
	p.type = DS_TYPE_FILE;				/* no path */
	ds = ds_new(NULL, &p, NULL, NULL);
	ck_assert_int_eq(ds_start(ds), -1);
	ds_free(ds);
	p.node_name = "a2345678901234567890123456789012345678901234567890"
	    "12345678901234";				/* 64 characters */
	ck_assert_ptr_null(ds_new(NULL, &p, &rec_ops, NULL));
	p.node_name = NULL;
	setenv("NODENAME", "from-env", 1);
	ds = ds_new(NULL, &p, &rec_ops, NULL);
	ck_assert_str_eq(ds_local(ds)->name, "from-env");
	ds_free(ds);
	unsetenv("NODENAME");
	ds = ds_new(NULL, &p, &rec_ops, NULL);		/* the host name */
	ck_assert_ptr_nonnull(ds);
	ck_assert_uint_gt(strlen(ds_local(ds)->name), 0);
	ds_free(ds);
	EXPECT_NONE();
}
END_TEST

static void
rm_tmpdir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

static void
reset(void)
{
	rec.n = 0;
}

int
main(void)
{
	Suite *s = suite_create("datastore");
	TCase *tm = tcase_create("model");
	TCase *tf = tcase_create("file");
	int nf;

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return EXIT_FAILURE;
	}
	log_init(LOG_LVL_ERROR, 0, "test_datastore");
	tcase_add_checked_fixture(tm, reset, NULL);
	tcase_add_checked_fixture(tf, reset, NULL);
	tcase_add_test(tm, t_names);
	tcase_add_test(tm, t_mesh);
	tcase_add_test(tm, t_as);
	tcase_add_test(tm, t_explicit);
	tcase_add_test(tm, t_ipv6);
	tcase_add_test(tm, t_dup_address);
	tcase_add_test(tm, t_invalid_setters);
	tcase_add_test(tm, t_label_check);
	tcase_add_test(tm, t_labels_model);
	tcase_add_test(tm, t_diff);
	tcase_add_test(tm, t_take);
	tcase_add_test(tm, t_refuse);
	tcase_add_test(tm, t_override_covered);
	tcase_add_test(tf, t_cluster_example);
	tcase_add_test(tf, t_cluster_values);
	tcase_add_loop_test(tf, t_cluster_bad, 0, (int)NITEMS(bad));
	tcase_add_test(tf, t_file_reload);
	tcase_add_test(tf, t_cluster_rr);
	tcase_add_test(tf, t_file_rr_live);
	tcase_add_test(tf, t_file_log);
	tcase_add_test(tf, t_file_labels);
	tcase_add_test(tf, t_file_delete_stop);
	tcase_add_test(tf, t_file_start_bad);
	tcase_add_test(tf, t_file_no_base);
	tcase_add_test(tf, t_etcd_and_params);
	tcase_set_timeout(tf, 30);
	suite_add_tcase(s, tm);
	suite_add_tcase(s, tf);
	nf = check_run(s);
	rm_tmpdir();
	return nf;
}
