/*
 * test_bgpopts.c: issue 15's options in the datastore (datastore/
 * options.c, calico_opts.c, cluster_bgp.c, bgpconf.c, derive.c).
 *
 * A recording ds_ops and ds_option_ops turn every peer, configuration and
 * filter change into one line that shows each option set, so a test
 * states exactly what a source put in the view: every BGPPeer,
 * BGPConfiguration and BGPFilter field from v3 resources, v1 keys and the
 * cluster file; the bad values of each (wrong JSON type, out of range,
 * unknown enum, bad CIDR, community, duration, name), each with the log
 * line that names the key and field and the rest of the view unchanged;
 * and the options carried onto every session a BGPPeer or the mesh
 * derives, so a changed option reports exactly the sessions it touches.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "calico.h"
#include "check_run.h"
#include "datastore.h"
#include "ds_rec.h"
#include "log.h"
#include "log_capture.h"
#include "model.h"
#include "options.h"

#define RES	"/calico/resources/v3/projectcalico.org/"
#define BGP	"/calico/bgp/v1/"
#define ADD(buf, ...)	snprintf((buf) + strlen(buf), sizeof(buf) - \
	strlen(buf), __VA_ARGS__)

/* --- the recording stub -------------------------------------------------- */

/* The options that are not the defaults, each " name value". */
static const char *
fmt_opts(const struct ds_peer_opts *o)
{
	static char b[512];
	char a[ADDR_STRLEN];

	b[0] = '\0';
	if (o->local_as != 0)
		ADD(b, " local-as %u", o->local_as);
	if (o->source_addr != DS_SRC_USE_NODE_IP)
		ADD(b, " source %s", ds_source_addr_name(o->source_addr));
	if (o->next_hop != DS_NH_UNSET)
		ADD(b, " next-hop %s", ds_next_hop_name(o->next_hop));
	if (o->keep_next_hop)
		ADD(b, " keep-next-hop");
	if (o->restart_mode != DS_RESTART_GR)
		ADD(b, " %s", ds_restart_mode_name(o->restart_mode));
	if (o->restart_time != DS_TIME_UNSET)
		ADD(b, " restart %d", o->restart_time);
	if (o->keepalive_time != DS_TIME_UNSET)
		ADD(b, " keepalive %d", o->keepalive_time);
	if (o->num_allow_local_as != 0)
		ADD(b, " allow-local-as %u", o->num_allow_local_as);
	if (o->ttl_security != 0)
		ADD(b, " ttl %u", o->ttl_security);
	if (addr_is_set(&o->reachable_by))
		ADD(b, " via %s", addr_fmt(&o->reachable_by, a, sizeof(a)));
	if (o->failure_detection != DS_FD_NONE)
		ADD(b, " %s", ds_failure_detection_name(o->failure_detection));
	if (o->password.kind == DS_PW_SECRET)
		ADD(b, " password secret %s/%s", o->password.ref,
		    o->password.key);
	else if (o->password.kind == DS_PW_FILE)
		ADD(b, " password file %s", o->password.ref);
	else if (o->password.kind == DS_PW_LITERAL)
		ADD(b, " password literal %s", o->password.ref);
	for (size_t i = 0; i < o->nfilters; i++)
		ADD(b, "%s%s", i == 0 ? " filters " : ",", o->filters[i]);
	return b;
}

/* "+peer NAME ASn port P OPTIONS", "~peer ...", "-peer NAME" */
static void
rec_peer(void *arg, const struct ds_peer *n, const struct ds_peer *o)
{
	(void)arg;
	if (n == NULL) {
		rec_add("-peer %s", o->name);
		return;
	}
	ck_assert_ptr_nonnull(n->opts);
	rec_add("%cpeer %s AS%u port %u%s", o == NULL ? '+' : '~', n->name,
	    n->as, n->port, fmt_opts(n->opts));
}

static const struct ds_ops rec_ops = {
	.peer_changed = rec_peer,
};

static void
fmt_prefixes(char *b, size_t len, const char *name,
    const struct ds_prefixes *l)
{
	char p[PREFIX_STRLEN];

	for (size_t i = 0; i < l->n; i++)
		snprintf(b + strlen(b), len - strlen(b), "%s%s", i == 0 ? name :
		    ",", prefix_fmt(&l->v[i], p, sizeof(p)));
}

/* "config" and each value that is not the default */
static void
rec_config(void *arg, const struct ds_bgp_config *c)
{
	char b[1024] = "config", p[PREFIX_STRLEN], v[DS_COMMUNITY_STRLEN];

	(void)arg;
	if (c->listen_port != 0)
		ADD(b, " port %u", c->listen_port);
	if (c->bind_mode != DS_BIND_NONE)
		ADD(b, " bind %s", ds_bind_mode_name(c->bind_mode));
	for (size_t i = 0; i < c->ncommunities; i++)
		ADD(b, "%s%s=%s", i == 0 ? " comms " : ",",
		    c->communities[i].name, ds_community_fmt(
		    &c->communities[i].c, v, sizeof(v)));
	for (size_t i = 0; i < c->nprefix_advs; i++) {
		ADD(b, "%s%s[", i == 0 ? " advs " : ",", prefix_fmt(
		    &c->prefix_advs[i].cidr, p, sizeof(p)));
		for (size_t j = 0; j < c->prefix_advs[i].ncomms; j++)
			ADD(b, "%s%s", j == 0 ? "" : " ", ds_community_fmt(
			    &c->prefix_advs[i].comms[j], v, sizeof(v)));
		ADD(b, "]");
	}
	fmt_prefixes(b, sizeof(b), " cluster ", &c->svc_cluster_ips);
	fmt_prefixes(b, sizeof(b), " external ", &c->svc_external_ips);
	fmt_prefixes(b, sizeof(b), " lb ", &c->svc_lb_ips);
	for (size_t i = 0; i < c->nignored_ifaces; i++)
		ADD(b, "%s%s", i == 0 ? " ignore " : ",", c->ignored_ifaces[i]);
	if (c->mesh_password.kind == DS_PW_SECRET)
		ADD(b, " mesh-password secret %s/%s", c->mesh_password.ref,
		    c->mesh_password.key);
	else if (c->mesh_password.kind == DS_PW_FILE)
		ADD(b, " mesh-password file %s", c->mesh_password.ref);
	if (c->mesh_restart_time != DS_TIME_UNSET)
		ADD(b, " mesh-restart %d", c->mesh_restart_time);
	rec_add("%s", b);
}

/* "Reject In 10.0.0.0/8{16,-} RemotePeers if eth* eBGP" */
static void
fmt_rule(char *b, size_t len, const struct ds_filter_rule *r)
{
	char p[PREFIX_STRLEN];

	snprintf(b + strlen(b), len - strlen(b), "%s",
	    ds_filter_action_name(r->action));
	if (r->op != DS_FOP_NONE)
		snprintf(b + strlen(b), len - strlen(b), " %s %s",
		    ds_filter_op_name(r->op), prefix_fmt(&r->cidr, p,
		    sizeof(p)));
	if (r->has_len) {
		snprintf(b + strlen(b), len - strlen(b), "{");
		if (r->min_len >= 0)
			snprintf(b + strlen(b), len - strlen(b), "%d",
			    r->min_len);
		snprintf(b + strlen(b), len - strlen(b), ",");
		if (r->max_len >= 0)
			snprintf(b + strlen(b), len - strlen(b), "%d",
			    r->max_len);
		snprintf(b + strlen(b), len - strlen(b), "}");
	}
	if (r->source != DS_FSRC_ANY)
		snprintf(b + strlen(b), len - strlen(b), " %s",
		    ds_filter_source_name(r->source));
	if (r->iface[0] != '\0')
		snprintf(b + strlen(b), len - strlen(b), " if %s", r->iface);
	if (r->peer_type != DS_FPEER_ANY)
		snprintf(b + strlen(b), len - strlen(b), " %s",
		    ds_filter_peer_type_name(r->peer_type));
}

/* "+filter NAME export_v4 [RULE; RULE] import_v6 [RULE]" */
static void
rec_filter(void *arg, const struct ds_filter *n, const struct ds_filter *o)
{
	static const char *const dirs[] = { "export_v4", "import_v4",
	    "export_v6", "import_v6" };
	char b[1024];

	(void)arg;
	if (n == NULL) {
		rec_add("-filter %s", o->name);
		return;
	}
	snprintf(b, sizeof(b), "%cfilter %s", o == NULL ? '+' : '~', n->name);
	for (int d = 0; d < DS_FILTER_NDIR; d++) {
		if (n->nrules[d] == 0)
			continue;
		ADD(b, " %s [", dirs[d]);
		for (size_t i = 0; i < n->nrules[d]; i++) {
			if (i > 0)
				ADD(b, "; ");
			fmt_rule(b, sizeof(b), &n->rules[d][i]);
		}
		ADD(b, "]");
	}
	rec_add("%s", b);
}

static const struct ds_option_ops rec_oops = {
	.config_changed = rec_config,
	.filter_changed = rec_filter,
};

/* --- the model and its keys ---------------------------------------------- */

static struct ds_model M;
static struct ds_calico *C;

static void
setup(enum ds_layout layout)
{
	rec.n = 0;
	ds_model_init(&M, "h1");
	ds_model_set_option_ops(&M, &rec_oops, NULL);
	C = ds_calico_new(layout, "/calico/", "h1");
}

static void
teardown(void)
{
	ds_calico_free(C);
	ds_model_fini(&M);
}

/* Put val into m through c, its ' turned into " (readable JSON). */
static void
putm(struct ds_calico *c, struct ds_model *m, const char *key,
    const char *val)
{
	char *v = strdup(val);

	ck_assert_ptr_nonnull(v);
	for (char *q = v; *q != '\0'; q++)
		if (*q == '\'')
			*q = '"';
	ds_calico_put(c, m, key, strlen(key), v, strlen(v));
	free(v);
}

static void
put(const char *key, const char *val)
{
	putm(C, &M, key, val);
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

/* Three v3 nodes: h1 (this one) 198.18.0.1, h2 .2, h3 .3 (AS 65003). */
static void
v3_nodes(void)
{
	put(RES "nodes/h1", "{'spec':{'bgp':{'ipv4Address':'198.18.0.1/24'}}}");
	put(RES "nodes/h2", "{'metadata':{'labels':{'rack':'a'}},"
	    "'spec':{'bgp':{'ipv4Address':'198.18.0.2/24'}}}");
	put(RES "nodes/h3", "{'spec':{'bgp':{'ipv4Address':'198.18.0.3/24',"
	    "'asNumber':65003}}}");
}

/* --- the shared parsers (options.c) -------------------------------------- */

/* Go's time.ParseDuration, and confd's rounding to whole seconds. */
/* ds_peer_opts_set: the options a session has that are not the default. */
START_TEST(t_opts_set)
{
	struct ds_peer_opts o = *ds_peer_opts_default();
	char buf[64], small[12];

	ck_assert_uint_eq(ds_peer_opts_set(&o, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "");
	/* what ternd applies (issue 15: bgpd's transport options, BFD,
	 * filters) is not said */
	o.ttl_security = 1;
	o.password.kind = DS_PW_FILE;
	o.local_as = 65001;
	o.keepalive_time = 5;
	o.num_allow_local_as = 2;
	o.source_addr = DS_SRC_NONE;
	o.failure_detection = DS_FD_BFD_IF_DIRECT;
	o.nfilters = 1;
	ck_assert_uint_eq(ds_peer_opts_set(&o, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "");
	/* reachableBy (agent/reach.c), next hop and restart modes: applied,
	 * not said either: nothing is left to say */
	ck_assert_int_eq(addr_parse("198.18.0.254", &o.reachable_by), 0);
	o.restart_time = 300;
	o.restart_mode = DS_RESTART_LLGR;
	o.next_hop = DS_NH_KEEP;
	o.keep_next_hop = true;
	ck_assert_uint_eq(ds_peer_opts_set(&o, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "");
	memset(small, 'x', sizeof(small));
	ck_assert_uint_eq(ds_peer_opts_set(&o, small, sizeof(small)), 0);
	ck_assert_str_eq(small, "");
}
END_TEST

START_TEST(t_durations)
{
	static const struct {
		const char	*s;
		int64_t		 ns;	/* -1: refused */
	} v[] = {
		{ "120s", 120000000000 }, { "2m", 120000000000 },
		{ "1h30m", 5400000000000 }, { "1.5s", 1500000000 },
		{ "0", 0 }, { "+5s", 5000000000 }, { "-0", 0 },
		{ "5.s", 5000000000 }, { ".5s", 500000000 },
		{ "1ms", 1000000 }, { "1us", 1000 }, { "1\xc2\xb5s", 1000 },
		{ "1\xce\xbcs", 1000 }, { "3ns", 3 }, { "1h2m3.5s",
		    3723500000000 }, { "2562047h47m16.854775807s", INT64_MAX },
		{ "-5s", -5000000000 },
		{ "", -1 }, { "5", -1 }, { "s", -1 }, { ".s", -1 },
		{ "-", -1 }, { "1xs", -1 }, { "1 s", -1 }, { "1s ", -1 },
		{ "1.5.5s", -1 }, { "2562047h47m16.854775808s", -1 },
		{ "9999999999999999999ns", -1 }, { "1e3s", -1 },
	};
	int64_t ns;
	int32_t secs;

	for (size_t i = 0; i < NITEMS(v); i++) {
		int rc = ds_duration_parse(v[i].s, &ns);

		if (v[i].ns == -1)
			ck_assert_msg(rc == -1, "\"%s\" accepted", v[i].s);
		else
			ck_assert_msg(rc == 0 && ns == v[i].ns,
			    "\"%s\": %d %lld", v[i].s, rc, (long long)ns);
	}
	/* math.Round; negative refused; the bound is inclusive */
	ck_assert(ds_duration_secs("1.5s", 10, &secs) == 0 && secs == 2);
	ck_assert(ds_duration_secs("1.499s", 10, &secs) == 0 && secs == 1);
	ck_assert(ds_duration_secs("0.4s", 10, &secs) == 0 && secs == 0);
	ck_assert(ds_duration_secs("4095s", 4095, &secs) == 0 &&
	    secs == 4095);
	ck_assert_int_eq(ds_duration_secs("4095.5s", 4095, &secs), -1);
	ck_assert_int_eq(ds_duration_secs("-1s", 4095, &secs), -1);
	ck_assert_int_eq(ds_duration_secs("120", 4095, &secs), -1);
}
END_TEST

START_TEST(t_communities)
{
	static const struct {
		const char	*s;
		int		 rc;
		const char	*fmt;
	} v[] = {
		{ "65000:100", 0, "65000:100" }, { "0:0", 0, "0:0" },
		{ "65535:65535", 0, "65535:65535" },
		{ "007:01", 0, "7:1" },		/* Go's \d+ and ParseUint */
		{ "4294967295:1:4294967295", 0, "4294967295:1:4294967295" },
		{ "65536:1", -2, NULL }, { "1:65536", -2, NULL },
		{ "4294967296:1:1", -2, NULL },
		{ "99999999999999999999:1", -2, NULL },
		{ "", -1, NULL }, { "1", -1, NULL }, { "1:", -1, NULL },
		{ ":1", -1, NULL }, { "1:2:3:4", -1, NULL },
		{ "a:b", -1, NULL }, { "1:-2", -1, NULL }, { " 1:2", -1, NULL },
		{ "no-export", -1, NULL },
	};
	struct ds_community c;
	char b[DS_COMMUNITY_STRLEN];

	for (size_t i = 0; i < NITEMS(v); i++) {
		int rc = ds_community_parse(v[i].s, &c);

		ck_assert_msg(rc == v[i].rc, "\"%s\": %d, want %d", v[i].s,
		    rc, v[i].rc);
		if (rc == 0)
			ck_assert_str_eq(ds_community_fmt(&c, b, sizeof(b)),
			    v[i].fmt);
	}
	ck_assert(ds_community_parse("1:2:3", &c) == 0 && c.large);
	ck_assert(ds_community_parse("1:2", &c) == 0 && !c.large);
}
END_TEST

START_TEST(t_names)
{
	char long_name[300];

	ck_assert(ds_k8s_name_ok("a"));
	ck_assert(ds_k8s_name_ok("export-tor.v4"));
	ck_assert(ds_k8s_name_ok("1-2.3"));
	ck_assert(!ds_k8s_name_ok(""));
	ck_assert(!ds_k8s_name_ok("Upper"));
	ck_assert(!ds_k8s_name_ok("-a"));
	ck_assert(!ds_k8s_name_ok("a-"));
	ck_assert(!ds_k8s_name_ok("a..b"));
	ck_assert(!ds_k8s_name_ok("a.-b"));
	ck_assert(!ds_k8s_name_ok("a-.b"));
	ck_assert(!ds_k8s_name_ok("a_b"));
	ck_assert(!ds_k8s_name_ok("a/b"));
	memset(long_name, 'a', sizeof(long_name));
	long_name[253] = '\0';
	ck_assert(ds_k8s_name_ok(long_name));
	long_name[253] = 'a';
	long_name[254] = '\0';
	ck_assert(!ds_k8s_name_ok(long_name));
	ck_assert(ds_secret_key_ok("bgp-password_1.txt"));
	ck_assert(ds_secret_key_ok("KEY"));
	ck_assert(!ds_secret_key_ok(""));
	ck_assert(!ds_secret_key_ok(".."));
	ck_assert(!ds_secret_key_ok("a/b"));
	ck_assert(ds_iface_pattern_ok("eth*", false));
	ck_assert(ds_iface_pattern_ok("cali-1.x_y", false));
	ck_assert(ds_iface_pattern_ok("*", true));
	ck_assert(!ds_iface_pattern_ok("*", false));
	ck_assert(!ds_iface_pattern_ok("", true));
	ck_assert(!ds_iface_pattern_ok("a23456789012345x", true));
	ck_assert(ds_iface_pattern_ok("a23456789012345", true));
	ck_assert(!ds_iface_pattern_ok("eth+", true));
}
END_TEST

/* Calico's CEL rules of a BGPFilter rule, and confd's length range. */
START_TEST(t_rule_check)
{
	struct ds_filter_rule r;

	memset(&r, 0, sizeof(r));
	r.min_len = r.max_len = -1;
	ck_assert_ptr_null(ds_filter_rule_check(&r, AF_INET));
	r.op = DS_FOP_IN;
	ck_assert_str_eq(ds_filter_rule_check(&r, AF_INET),
	    "cidr and matchOperator must both be set or both be empty");
	ck_assert_int_eq(prefix_parse("10.0.0.0/8", &r.cidr), 0);
	ck_assert_ptr_null(ds_filter_rule_check(&r, AF_INET));
	ck_assert_ptr_nonnull(ds_filter_rule_check(&r, AF_INET6));
	r.has_len = true;
	r.min_len = 16;
	r.max_len = 24;
	ck_assert_ptr_null(ds_filter_rule_check(&r, AF_INET));
	r.max_len = 4;			/* below the cidr's own length */
	ck_assert_str_eq(ds_filter_rule_check(&r, AF_INET), "prefixLength "
	    "leaves no length (min above max, or max below the cidr's)");
	r.max_len = -1;
	r.min_len = 33;
	ck_assert_str_eq(ds_filter_rule_check(&r, AF_INET),
	    "prefixLength out of range");
	memset(&r, 0, sizeof(r));
	r.has_len = true;
	r.min_len = r.max_len = -1;
	ck_assert_str_eq(ds_filter_rule_check(&r, AF_INET),
	    "cidr is required when prefixLength is set");
}
END_TEST

/* --- v3 BGPPeer ---------------------------------------------------------- */

#define PEER_ALL \
	"{'spec':{'peerIP':'10.0.0.1:1790','asNumber':65001," \
	"'localASNumber':'1.10','sourceAddress':'None'," \
	"'nextHopMode':'Self','keepOriginalNextHop':false," \
	"'restartMode':'LongLivedGracefulRestart','maxRestartTime':'1h'," \
	"'keepaliveTime':'30s','numAllowedLocalASNumbers':2," \
	"'ttlSecurity':1,'reachableBy':'10.0.0.254'," \
	"'password':{'secretKeyRef':{'name':'bgp-secrets','key':'tor'}}," \
	"'failureDetectionMode':'BFDIfDirectlyConnected'," \
	"'filters':['export-tor','import-tor'],'reversePeering':'Auto'}}"

/*
 * Every option of a BGPPeer lands on its session; defaults are unset;
 * keepOriginalNextHop counts only without nextHopMode (confd).
 */
START_TEST(t_v3_peer_fields)
{
	setup(DS_LAYOUT_V3);
	v3_nodes();
	put(RES "bgppeers/tor", PEER_ALL);
	put(RES "bgppeers/plain", "{'spec':{'peerIP':'10.0.0.2',"
	    "'asNumber':65002}}");
	put(RES "bgppeers/keep", "{'spec':{'node':'h1','peerIP':'10.0.0.3',"
	    "'asNumber':65003,'keepOriginalNextHop':true,"
	    "'maxRestartTime':'2m','sourceAddress':'UseNodeIP',"
	    "'password':{'secretKeyRef':null}}}");
	put(RES "bgppeers/both", "{'spec':{'node':'h1','peerIP':'10.0.0.4',"
	    "'asNumber':65004,'keepOriginalNextHop':true,"
	    "'nextHopMode':'Auto','ttlSecurity':0,'filters':[]}}");
	commit();
	EXPECT("+peer Global_10_0_0_1_port_1790 AS65001 port 1790 local-as "
	    "65546 source None next-hop Self LongLivedGracefulRestart "
	    "restart 3600 keepalive 30 allow-local-as 2 ttl 1 via 10.0.0.254 "
	    "BFDIfDirectlyConnected password secret bgp-secrets/tor filters "
	    "export-tor,import-tor",
	    "+peer Global_10_0_0_2 AS65002 port 179",
	    "+peer Mesh_198_18_0_2 AS64512 port 179",
	    "+peer Mesh_198_18_0_3 AS65003 port 179",
	    "+peer Node_10_0_0_3 AS65003 port 179 keep-next-hop restart 120",
	    "+peer Node_10_0_0_4 AS65004 port 179 next-hop Auto");
	/* one option changed: that BGPPeer's session only */
	put(RES "bgppeers/plain", "{'spec':{'peerIP':'10.0.0.2',"
	    "'asNumber':65002,'ttlSecurity':2}}");
	commit();
	EXPECT("~peer Global_10_0_0_2 AS65002 port 179 ttl 2");
	/* the same value again: nothing */
	put(RES "bgppeers/plain", "{'spec':{'peerIP':'10.0.0.2',"
	    "'asNumber':65002,'ttlSecurity':2,'unknownField':{}}}");
	commit();
	EXPECT_NONE();
	put(RES "bgppeers/tor", "{'spec':{'peerIP':'10.0.0.1:1790',"
	    "'asNumber':65001,'filters':['import-tor','export-tor']}}");
	commit();
	EXPECT("~peer Global_10_0_0_1_port_1790 AS65001 port 1790 filters "
	    "import-tor,export-tor");
	del(RES "bgppeers/tor");
	commit();
	EXPECT("-peer Global_10_0_0_1_port_1790");
	teardown();
}
END_TEST

/*
 * Every session a BGPPeer makes carries its options: to a peerIP, to
 * the nodes of a peerSelector, and the reverse peerings it gives those
 * nodes; to nodes without localASNumber and numAllowedLocalASNumbers, as
 * confd's nodeAsBGPPeers builds them.
 */
START_TEST(t_v3_peer_propagation)
{
	static const char rr[] = "{'spec':{'nodeSelector':'all()',"
	    "'peerSelector':'rack == \\'a\\'','ttlSecurity':3,"
	    "'localASNumber':65100,'numAllowedLocalASNumbers':1,"
	    "'maxRestartTime':'10s','filters':['f1'],"
	    "'password':{'secretKeyRef':{'name':'s','key':'k'}}}}";
	struct ds_model m2;
	struct ds_calico *c2;

	setup(DS_LAYOUT_V3);
	v3_nodes();
	put(RES "bgpconfigurations/default", "{'spec':"
	    "{'nodeToNodeMeshEnabled':false}}");
	put(RES "bgppeers/to-rack-a", rr);
	commit();
	EXPECT("+peer Node_198_18_0_2 AS64512 port 179 restart 10 ttl 3 "
	    "password secret s/k filters f1");
	/* h2's view: the reverse peerings to every node (all()) */
	ds_model_init(&m2, "h2");
	c2 = ds_calico_new(DS_LAYOUT_V3, "/calico", "h2");
	putm(c2, &m2, RES "nodes/h1", "{'spec':{'bgp':{'ipv4Address':"
	    "'198.18.0.1/24'}}}");
	putm(c2, &m2, RES "nodes/h2", "{'metadata':{'labels':{'rack':'a'}},"
	    "'spec':{'bgp':{'ipv4Address':'198.18.0.2/24'}}}");
	putm(c2, &m2, RES "nodes/h3", "{'spec':{'bgp':{'ipv4Address':"
	    "'198.18.0.3/24','asNumber':65003}}}");
	putm(c2, &m2, RES "bgpconfigurations/default", "{'spec':"
	    "{'nodeToNodeMeshEnabled':false}}");
	putm(c2, &m2, RES "bgppeers/to-rack-a", rr);
	ds_model_commit(&m2, &rec_ops, NULL);
	EXPECT("+peer Node_198_18_0_1 AS64512 port 179 restart 10 ttl 3 "
	    "password secret s/k filters f1",
	    "+peer Node_198_18_0_3 AS65003 port 179 restart 10 ttl 3 "
	    "password secret s/k filters f1");
	ds_calico_free(c2);
	ds_model_fini(&m2);
	/* a peerIP that is a node's keeps localASNumber (confd) */
	put(RES "bgppeers/to-rack-a", "{'spec':{'peerIP':'198.18.0.3',"
	    "'asNumber':65003,'localASNumber':65100}}");
	commit();
	EXPECT("-peer Node_198_18_0_2",
	    "+peer Global_198_18_0_3 AS65003 port 179 local-as 65100");
	teardown();
}
END_TEST

/* A bad BGPPeer value: the key's why, and the value ignored whole. */
static const struct {
	const char	*spec;		/* after "'spec':{" */
	const char	*why;
} bad_peers[] = {
	{ "'sourceAddress':'Foo'", "unknown spec.sourceAddress (UseNodeIP, "
	    "None)" },
	{ "'sourceAddress':1", "unknown spec.sourceAddress" },
	{ "'nextHopMode':'Maybe'", "unknown spec.nextHopMode (Auto, Self, "
	    "Keep)" },
	{ "'nextHopMode':'self'", "unknown spec.nextHopMode" },
	{ "'restartMode':'Fast'", "unknown spec.restartMode "
	    "(GracefulRestart, LongLivedGracefulRestart)" },
	{ "'failureDetectionMode':'BFD'", "unknown spec.failureDetectionMode "
	    "(None, BFDIfDirectlyConnected)" },
	{ "'keepOriginalNextHop':'yes'", "spec.keepOriginalNextHop is not a "
	    "boolean" },
	{ "'maxRestartTime':'120'", "bad spec.maxRestartTime (a duration "
	    "such as \"120s\" of 0..4095 s)" },
	{ "'maxRestartTime':120", "bad spec.maxRestartTime" },
	{ "'maxRestartTime':'2h'", "bad spec.maxRestartTime" },
	{ "'maxRestartTime':'-1s'", "bad spec.maxRestartTime" },
	{ "'maxRestartTime':''", "bad spec.maxRestartTime" },
	{ "'restartMode':'LongLivedGracefulRestart','maxRestartTime':"
	    "'4700h'", "bad spec.maxRestartTime (a duration such as \"120s\" "
	    "of 0..16777215 s)" },
	{ "'keepaliveTime':'0s'", "bad spec.keepaliveTime (a duration such "
	    "as \"30s\" of 1..65535 s)" },
	{ "'keepaliveTime':'70000s'", "bad spec.keepaliveTime" },
	{ "'numAllowedLocalASNumbers':-1", "bad spec.numAllowedLocalAS"
	    "Numbers (an integer 0..2147483647)" },
	{ "'numAllowedLocalASNumbers':2147483648", "bad spec.numAllowed" },
	{ "'numAllowedLocalASNumbers':'3'", "bad spec.numAllowed" },
	{ "'numAllowedLocalASNumbers':1.5", "bad spec.numAllowed" },
	{ "'ttlSecurity':256", "bad spec.ttlSecurity (an integer 0..255)" },
	{ "'ttlSecurity':-1", "bad spec.ttlSecurity" },
	{ "'ttlSecurity':true", "bad spec.ttlSecurity" },
	{ "'ttlSecurity':'1'", "bad spec.ttlSecurity" },
	{ "'reachableBy':'fd00::1'", "bad spec.reachableBy (an address of "
	    "peerIP's family, only with peerIP)" },
	{ "'reachableBy':'10.0.0.256'", "bad spec.reachableBy" },
	{ "'reachableBy':7", "bad spec.reachableBy" },
	{ "'password':5", "bad spec.password: not an object" },
	{ "'password':{'secretKeyRef':'x'}", "bad spec.password: "
	    "secretKeyRef is not an object" },
	{ "'password':{'secretKeyRef':{'name':'Bad_Name','key':'k'}}",
	    "bad spec.password: secretKeyRef.name is no secret name" },
	{ "'password':{'secretKeyRef':{'key':'k'}}",
	    "bad spec.password: secretKeyRef.name is no secret name" },
	{ "'password':{'secretKeyRef':{'name':'s','key':'a/b'}}",
	    "bad spec.password: secretKeyRef.key is no secret key" },
	{ "'password':{'secretKeyRef':{'name':'s','key':1}}",
	    "bad spec.password: secretKeyRef name or key is not a string" },
	{ "'filters':'f1'", "bad spec.filters: not a list" },
	{ "'filters':['F1']", "bad spec.filters: an entry is no BGPFilter "
	    "name" },
	{ "'filters':[1]", "bad spec.filters: an entry is no BGPFilter name" },
	{ "'filters':['ok',null]", "bad spec.filters: an entry" },
	{ "'localASNumber':0", "bad spec.localASNumber" },
	{ "'localASNumber':'x'", "bad spec.localASNumber" },
	{ "'localWorkloadSelector':'all()'", "spec.localWorkloadSelector is "
	    "not supported (peering with local workloads)" },
};

START_TEST(t_v3_peer_bad)
{
	char val[600];

	log_capture();
	setup(DS_LAYOUT_V3);
	put(RES "nodes/h1", "{'spec':{'bgp':{'ipv4Address':'198.18.0.1/24'}}}");
	put(RES "bgppeers/good", "{'spec':{'peerIP':'10.0.0.2',"
	    "'asNumber':65002,'ttlSecurity':1}}");
	put(RES "bgppeers/bad", "{'spec':{'peerIP':'10.0.0.9',"
	    "'asNumber':65009}}");
	commit();
	EXPECT("+peer Global_10_0_0_2 AS65002 port 179 ttl 1",
	    "+peer Global_10_0_0_9 AS65009 port 179");
	snprintf(val, sizeof(val), "{'spec':{'peerIP':'10.0.0.9',"
	    "'asNumber':65009,%s}}", bad_peers[_i].spec);
	put(RES "bgppeers/bad", val);
	commit();
	/* the bad value is absent: its session goes, the rest stays */
	EXPECT("-peer Global_10_0_0_9");
	ck_assert_msg(log_lines(bad_peers[_i].why) == 1, "bad_peers[%d]: "
	    "no line with \"%s\"", _i, bad_peers[_i].why);
	ck_assert_int_eq(log_lines("etcd key /calico/resources/v3/"
	    "projectcalico.org/bgppeers/bad: "), 1);
	ck_assert_int_eq(log_lines("; skipped"), 1);
	/* said once per value */
	put(RES "bgppeers/bad", val);
	commit();
	EXPECT_NONE();
	ck_assert_int_eq(log_lines("; skipped"), 1);
	teardown();
}
END_TEST

/* A field Calico has and tern does not model: said, the rest counts. */
START_TEST(t_v3_peer_unsupported)
{
	log_capture();
	setup(DS_LAYOUT_V3);
	put(RES "bgppeers/gw", "{'spec':{'peerIP':'10.0.0.5','asNumber':1,"
	    "'birdGatewayMode':'DirectIfDirectlyConnected','ttlSecurity':1,"
	    "'extensions':{'a':'b'}}}");
	put(RES "bgppeers/rec", "{'spec':{'peerIP':'10.0.0.6','asNumber':1,"
	    "'birdGatewayMode':'Recursive'}}");
	commit();
	EXPECT("+peer Global_10_0_0_5 AS1 port 179 ttl 1",
	    "+peer Global_10_0_0_6 AS1 port 179");
	ck_assert_int_eq(log_lines("bgppeers/gw: spec.birdGatewayMode (not "
	    "supported); spec.extensions (not supported); ignored"), 1);
	ck_assert_int_eq(log_lines("bgppeers/rec"), 0);
	teardown();
}
END_TEST

/* --- v3 BGPConfiguration ------------------------------------------------- */

#define CONF_ALL \
	"'listenPort':1790,'bindMode':'NodeIP'," \
	"'communities':[{'name':'tor-a','value':'65000:100'}," \
	"{'name':'big','value':'65000:1:2'}]," \
	"'prefixAdvertisements':[{'cidr':'10.96.0.0/12','communities':" \
	"['tor-a','65000:7','big','tor-a']},{'cidr':'fd00:96::/112'," \
	"'communities':['1:2:3']},{'cidr':'10.244.1.1','communities':[]}]," \
	"'serviceClusterIPs':[{'cidr':'10.96.0.0/12'},{'cidr':''}]," \
	"'serviceExternalIPs':[{'cidr':'104.244.42.129/32'}," \
	"{'cidr':'fd00:e::/64'}]," \
	"'serviceLoadBalancerIPs':[{'cidr':'198.51.100.0/24'}]," \
	"'ignoredInterfaces':['eth9','vxlan*']," \
	"'nodeMeshPassword':{'secretKeyRef':{'name':'mesh','key':'pw'}}," \
	"'nodeMeshMaxRestartTime':'90s'," \
	"'serviceLoadBalancerAggregation':'Enabled'"

#define CONF_ALL_LINE \
	"config port 1790 bind NodeIP comms tor-a=65000:100,big=65000:1:2 " \
	"advs 10.96.0.0/12[65000:100 65000:1:2 65000:7],10.244.1.1/32[]," \
	"fd00:96::/112[1:2:3] cluster 10.96.0.0/12 external " \
	"104.244.42.129/32,fd00:e::/64 lb 198.51.100.0/24 ignore " \
	"eth9,vxlan* mesh-password secret mesh/pw mesh-restart 90"

/*
 * Every field of the default BGPConfiguration: communities by name or
 * value, resolved, without repeats, in confd's order (as text); the mesh
 * sessions take its password and restart time; a Global_ peer does not.
 */
START_TEST(t_v3_config)
{
	setup(DS_LAYOUT_V3);
	v3_nodes();
	put(RES "bgppeers/g", "{'spec':{'peerIP':'10.0.0.2',"
	    "'asNumber':65002}}");
	commit();
	EXPECT("+peer Global_10_0_0_2 AS65002 port 179",
	    "+peer Mesh_198_18_0_2 AS64512 port 179",
	    "+peer Mesh_198_18_0_3 AS65003 port 179");
	put(RES "bgpconfigurations/default", "{'spec':{'asNumber':64512,"
	    CONF_ALL "}}");
	commit();
	/* the mesh's port: each node listens on the default's listenPort */
	EXPECT(CONF_ALL_LINE,
	    "~peer Mesh_198_18_0_2 AS64512 port 1790 restart 90 password "
	    "secret mesh/pw",
	    "~peer Mesh_198_18_0_3 AS65003 port 1790 restart 90 password "
	    "secret mesh/pw");
	ck_assert_str_eq(ds_model_config(&M)->ignored_ifaces[1], "vxlan*");
	/* a change: only what it touches (the Global_ peer stays) */
	put(RES "bgpconfigurations/default", "{'spec':{"
	    "'nodeMeshMaxRestartTime':'91s'}}");
	commit();
	EXPECT("config mesh-restart 91",
	    "~peer Mesh_198_18_0_2 AS64512 port 179 restart 91",
	    "~peer Mesh_198_18_0_3 AS65003 port 179 restart 91");
	del(RES "bgpconfigurations/default");
	commit();
	EXPECT("config",
	    "~peer Mesh_198_18_0_2 AS64512 port 179",
	    "~peer Mesh_198_18_0_3 AS65003 port 179");
	teardown();
}
END_TEST

/* A bad field of a BGPConfiguration: said, unset; the rest counts. */
static const struct {
	const char	*spec;
	const char	*why;
} bad_confs[] = {
	{ "'listenPort':0.5", "spec.listenPort (not an integer 1..65535)" },
	{ "'listenPort':65536", "spec.listenPort (not an integer" },
	{ "'listenPort':'179'", "spec.listenPort (not an integer" },
	{ "'bindMode':'Node'", "spec.bindMode (not None or NodeIP)" },
	{ "'communities':{}", "spec.communities (not a list)" },
	{ "'communities':[{'name':'a','value':'65536:1'}]",
	    "spec.communities (a value is not aa:nn (16 bits each) or "
	    "aa:nn:mm (32 bits each))" },
	{ "'communities':[{'name':'a','value':'1:2:3:4'}]",
	    "spec.communities (a value is not aa:nn" },
	{ "'communities':[{'name':'A_b','value':'1:2'}]",
	    "spec.communities (a name is no Calico name)" },
	{ "'communities':['1:2']", "spec.communities (an entry is not "
	    "{name, value})" },
	{ "'prefixAdvertisements':[{'cidr':'10.0.0.1/8','communities':"
	    "['1:2']}]", "spec.prefixAdvertisements (a bad cidr (address/"
	    "length, host bits zero))" },
	{ "'prefixAdvertisements':[{'cidr':'10.0.0.0/33'}]",
	    "spec.prefixAdvertisements (a bad cidr" },
	{ "'prefixAdvertisements':[{'cidr':'10.0.0.0/8','communities':"
	    "['nosuch']}]", "spec.prefixAdvertisements (a community that is "
	    "neither aa:nn, aa:nn:mm nor the name of one in communities)" },
	{ "'prefixAdvertisements':[{'cidr':'10.0.0.0/8','communities':"
	    "['70000:1']}]", "spec.prefixAdvertisements (a community value "
	    "out of range" },
	{ "'prefixAdvertisements':[{'cidr':'10.0.0.0/8','communities':"
	    "'1:2'}]", "spec.prefixAdvertisements (communities is not a "
	    "list)" },
	{ "'serviceClusterIPs':[{'cidr':'10.96.0.1/12'}]",
	    "spec.serviceClusterIPs (a bad CIDR (address/length, host bits "
	    "zero))" },
	{ "'serviceExternalIPs':['10.0.0.0/8']",
	    "spec.serviceExternalIPs (an entry is not {cidr: CIDR})" },
	{ "'serviceLoadBalancerIPs':{'cidr':'10.0.0.0/8'}",
	    "spec.serviceLoadBalancerIPs (not a list)" },
	{ "'ignoredInterfaces':['*']", "spec.ignoredInterfaces (an entry is "
	    "no interface pattern ([a-zA-Z0-9_.*-], 1..15, not \"*\"))" },
	{ "'ignoredInterfaces':['a23456789012345x']",
	    "spec.ignoredInterfaces (an entry is no interface pattern" },
	{ "'nodeMeshPassword':{'secretKeyRef':{'name':'m'}}",
	    "spec.nodeMeshPassword (secretKeyRef.key is no secret key" },
	{ "'nodeMeshMaxRestartTime':'5000s'", "spec.nodeMeshMaxRestartTime "
	    "(not a duration of 0..4095 s)" },
	{ "'nodeMeshMaxRestartTime':90", "spec.nodeMeshMaxRestartTime (not "
	    "a duration" },
	{ "'programClusterRoutes':'Enabled'", "spec.programClusterRoutes "
	    "(not supported)" },
	{ "'serviceLoadBalancerAggregation':'Disabled'",
	    "spec.serviceLoadBalancerAggregation (not supported)" },
};

START_TEST(t_v3_config_bad)
{
	char val[600];

	log_capture();
	setup(DS_LAYOUT_V3);
	v3_nodes();
	put(RES "bgpconfigurations/default", "{'spec':{'asNumber':65000,"
	    "'nodeMeshMaxRestartTime':'30s','ignoredInterfaces':['eth9']}}");
	commit();
	rec.n = 0;
	snprintf(val, sizeof(val), "{'spec':{'asNumber':65000,"
	    "'nodeMeshMaxRestartTime':'30s','ignoredInterfaces':['eth9'],"
	    "'listenPort':1790,%s}}", bad_confs[_i].spec);
	put(RES "bgpconfigurations/default", val);
	commit();
	ck_assert_msg(log_lines(bad_confs[_i].why) == 1, "bad_confs[%d]: no "
	    "line with \"%s\"", _i, bad_confs[_i].why);
	ck_assert_int_eq(log_lines("bgpconfigurations/default: "), 1);
	ck_assert_int_eq(log_lines("; ignored"), 1);
	/* the AS and every other field stay */
	ck_assert_uint_eq(ds_model_local(&M)->as, 65000);
	ck_assert_int_eq(ds_model_config(&M)->mesh_restart_time,
	    strstr(bad_confs[_i].spec, "nodeMeshMax") != NULL ?
	    DS_TIME_UNSET : 30);
	ck_assert_uint_eq(ds_model_config(&M)->listen_port,
	    strstr(bad_confs[_i].spec, "listenPort") != NULL ? 0 : 1790);
	ck_assert_uint_eq(ds_model_config(&M)->nignored_ifaces,
	    strstr(bad_confs[_i].spec, "ignored") != NULL ? 0 : 1);
	teardown();
}
END_TEST

/*
 * node.<name>: a node's listenPort is its sessions' port (a mesh name
 * never says it); this node's is its own listen port; this node's
 * prefixAdvertisements replace the default's per family, even when
 * empty, with names from its own communities.
 */
START_TEST(t_v3_config_node)
{
	log_capture();
	setup(DS_LAYOUT_V3);
	v3_nodes();
	put(RES "bgpconfigurations/default", "{'spec':{'listenPort':1790,"
	    "'communities':[{'name':'c','value':'1:1'}],"
	    "'prefixAdvertisements':[{'cidr':'10.0.0.0/8','communities':"
	    "['c']},{'cidr':'fd00::/8','communities':['2:2']}]}}");
	put(RES "bgpconfigurations/node.h2", "{'spec':{'listenPort':1791,"
	    "'prefixAdvertisements':[{'cidr':'10.0.0.0/8','communities':"
	    "['9:9']}],'logSeverityScreen':'Debug'}}");
	commit();
	EXPECT("config port 1790 comms c=1:1 advs 10.0.0.0/8[1:1],"
	    "fd00::/8[2:2]",
	    "+peer Mesh_198_18_0_2 AS64512 port 1791",
	    "+peer Mesh_198_18_0_3 AS65003 port 1790");
	ck_assert(!ds_model_log(&M)->set);	/* h2's is not ours */
	put(RES "bgpconfigurations/node.h1", "{'spec':{'listenPort':1792,"
	    "'communities':[{'name':'own','value':'3:3:3'}],"
	    "'prefixAdvertisements':[{'cidr':'10.1.0.0/16','communities':"
	    "['own','c']}]}}");
	commit();
	/* 'c' is the default's name, not ours: our advs are unset, our
	 * port counts */
	EXPECT("config port 1792 comms c=1:1 advs 10.0.0.0/8[1:1],"
	    "fd00::/8[2:2]");
	ck_assert_int_eq(log_lines("node.h1: spec.prefixAdvertisements (a "
	    "community that is neither"), 1);
	put(RES "bgpconfigurations/node.h1", "{'spec':{'listenPort':1792,"
	    "'communities':[{'name':'own','value':'3:3:3'}],"
	    "'prefixAdvertisements':[{'cidr':'10.1.0.0/16','communities':"
	    "['own']}]}}");
	commit();
	/* confd writes both families' keys: the default's IPv6 go too */
	EXPECT("config port 1792 comms c=1:1 advs 10.1.0.0/16[3:3:3]");
	/* given but empty: no advertisements of ours at all */
	put(RES "bgpconfigurations/node.h1", "{'spec':"
	    "{'prefixAdvertisements':[]}}");
	commit();
	EXPECT("config port 1790 comms c=1:1");
	put(RES "bgpconfigurations/node.h1", "{'spec':"
	    "{'prefixAdvertisements':null}}");
	commit();
	EXPECT("config port 1790 comms c=1:1 advs 10.0.0.0/8[1:1],"
	    "fd00::/8[2:2]");
	del(RES "bgpconfigurations/node.h2");
	commit();
	EXPECT("~peer Mesh_198_18_0_2 AS64512 port 1790");
	teardown();
}
END_TEST

/*
 * Listen ports in session names, as confd's: a peerSelector's (and a
 * reverse) session to a node is at that node's port and says it; a
 * peerIP without a port that is a node (address and AS) gets that node's
 * port; a reverse peering by address compares a given port with ours.
 */
START_TEST(t_v3_ports)
{
	setup(DS_LAYOUT_V3);
	v3_nodes();
	put(RES "bgpconfigurations/default", "{'spec':"
	    "{'nodeToNodeMeshEnabled':false}}");
	put(RES "bgpconfigurations/node.h2", "{'spec':{'listenPort':1791}}");
	put(RES "bgppeers/sel", "{'spec':{'peerSelector':'rack == \\\"a\\\"'}}");
	put(RES "bgppeers/ip", "{'spec':{'peerIP':'198.18.0.3',"
	    "'asNumber':65003}}");
	put(RES "bgppeers/ip-other-as", "{'spec':{'peerIP':'198.18.0.2',"
	    "'asNumber':65099}}");
	commit();
	/* a BGPPeer without node or nodeSelector is global (confd) */
	EXPECT("+peer Global_198_18_0_2 AS65099 port 179",
	    "+peer Global_198_18_0_2_port_1791 AS64512 port 1791",
	    "+peer Global_198_18_0_3 AS65003 port 179");
	put(RES "bgpconfigurations/default", "{'spec':"
	    "{'nodeToNodeMeshEnabled':false,'listenPort':1790}}");
	commit();
	EXPECT("config port 1790", "-peer Global_198_18_0_3",
	    "+peer Global_198_18_0_3_port_1790 AS65003 port 1790");
	teardown();
}
END_TEST

/* The reverse of a peerIP:port BGPPeer: confd's port comparison. */
START_TEST(t_v3_reverse_port)
{
	static const struct {
		const char	*own, *dflt, *peer;	/* listenPorts, peerIP */
		bool		 reverse;
	} v[] = {
		{ NULL, NULL, "198.18.0.1", true },
		{ NULL, NULL, "198.18.0.1:1790", true },
		{ "1790", NULL, "198.18.0.1:1790", true },
		{ "1790", NULL, "198.18.0.1:1791", false },
		{ NULL, "1790", "198.18.0.1:1790", true },
		{ NULL, "1790", "198.18.0.1:1791", false },
		{ "1790", "1790", "198.18.0.1:1790", true },
		{ "1790", "1791", "198.18.0.1:1790", false },	/* quirk */
		{ "1790", "1791", "198.18.0.1:1791", false },
	};
	char val[200];

	for (size_t i = 0; i < NITEMS(v); i++) {
		setup(DS_LAYOUT_V3);
		v3_nodes();
		snprintf(val, sizeof(val), "{'spec':{'nodeToNodeMeshEnabled':"
		    "false%s%s}}", v[i].dflt ? ",'listenPort':" : "",
		    v[i].dflt ? v[i].dflt : "");
		put(RES "bgpconfigurations/default", val);
		if (v[i].own != NULL) {
			snprintf(val, sizeof(val), "{'spec':{'listenPort':%s}}",
			    v[i].own);
			put(RES "bgpconfigurations/node.h1", val);
		}
		snprintf(val, sizeof(val), "{'spec':{'node':'h3','peerIP':"
		    "'%s','asNumber':64512}}", v[i].peer);
		put(RES "bgppeers/to-h1", val);
		commit();
		ck_assert_msg((rec.n > 0 && strstr(rec.line[rec.n - 1],
		    "Node_198_18_0_3") != NULL) == v[i].reverse,
		    "v[%zu]: %s", i, rec.n > 0 ? rec.line[rec.n - 1] : "");
		teardown();
	}
}
END_TEST

/* --- v3 BGPFilter -------------------------------------------------------- */

START_TEST(t_v3_filters)
{
	log_capture();
	setup(DS_LAYOUT_V3);
	put(RES "bgpfilters/f1", "{'kind':'BGPFilter','spec':{"
	    "'exportV4':[{'cidr':'10.0.0.0/8','matchOperator':'In',"
	    "'prefixLength':{'min':16,'max':24},'source':'RemotePeers',"
	    "'interface':'eth*','peerType':'eBGP','action':'Reject'},"
	    "{'action':'Accept'}],"
	    "'importV4':[{'cidr':'10.1.0.0/16','matchOperator':'NotIn',"
	    "'prefixLength':{},'action':'Accept'}],"
	    "'exportV6':[{'cidr':'fd00::/8','matchOperator':'Equal',"
	    "'prefixLength':{'max':64},'action':'Accept'}],"
	    "'importV6':[{'cidr':'fd00::1','matchOperator':'NotEqual',"
	    "'peerType':'iBGP','action':'Reject'}]}}");
	put(RES "bgpfilters/empty", "{'spec':{}}");
	commit();
	EXPECT("+filter empty",
	    "+filter f1 export_v4 [Reject In 10.0.0.0/8{16,24} RemotePeers "
	    "if eth* eBGP; Accept] import_v4 [Accept NotIn 10.1.0.0/16{,}] "
	    "export_v6 [Accept Equal fd00::/8{,64}] import_v6 [Reject "
	    "NotEqual fd00::1/128 iBGP]");
	ck_assert_ptr_nonnull(ds_model_filter_view(&M, "f1"));
	ck_assert_ptr_null(ds_model_filter_view(&M, "f2"));
	/* a change is reported whole; the same value again is not */
	put(RES "bgpfilters/empty", "{'spec':{'importV6':[{'action':"
	    "'Reject'}]}}");
	put(RES "bgpfilters/f1", "{'spec':{'exportV4':[{'action':'Accept'}]}}");
	commit();
	EXPECT("~filter empty import_v6 [Reject]",
	    "~filter f1 export_v4 [Accept]");
	put(RES "bgpfilters/f1", "{'spec':{'exportV4':[{'action':'Accept'}]}}");
	commit();
	EXPECT_NONE();
	/* a bad filter is absent, said once with the rule and field */
	put(RES "bgpfilters/f1", "{'spec':{'exportV4':[{'action':'Accept'},"
	    "{'cidr':'10.0.0.0/8','action':'Reject'}]}}");
	commit();
	EXPECT("-filter f1");
	ck_assert_int_eq(log_lines("bgpfilters/f1: spec.exportV4[1]: cidr "
	    "and matchOperator must both be set or both be empty; skipped"),
	    1);
	del(RES "bgpfilters/f1");
	del(RES "bgpfilters/empty");
	commit();
	EXPECT("-filter empty");
	teardown();
}
END_TEST

static const struct {
	const char	*spec;
	const char	*why;
} bad_filters[] = {
	{ "'exportV4':{}", "spec.exportV4 is not a list" },
	{ "'exportV4':[1]", "spec.exportV4[0] is not an object" },
	{ "'exportV4':[{}]", "spec.exportV4[0]: bad action (Accept, Reject)" },
	{ "'exportV4':[{'action':'Drop'}]", "spec.exportV4[0]: bad action" },
	{ "'exportV4':[{'action':'accept'}]", "spec.exportV4[0]: bad action" },
	{ "'importV4':[{'cidr':'fd00::/8','matchOperator':'In','action':"
	    "'Accept'}]", "spec.importV4[0]: bad cidr (a CIDR of the rule's "
	    "family)" },
	{ "'importV4':[{'cidr':'10.0.0.1/8','matchOperator':'In','action':"
	    "'Accept'}]", "spec.importV4[0]: bad cidr" },
	{ "'importV4':[{'cidr':'10.0.0.0/8','matchOperator':'Within',"
	    "'action':'Accept'}]", "spec.importV4[0]: bad matchOperator "
	    "(Equal, NotEqual, In, NotIn)" },
	{ "'importV4':[{'matchOperator':'In','action':'Accept'}]",
	    "spec.importV4[0]: cidr and matchOperator must both be set" },
	{ "'exportV4':[{'cidr':'10.0.0.0/8','matchOperator':'In',"
	    "'prefixLength':{'min':33},'action':'Accept'}]",
	    "spec.exportV4[0]: bad prefixLength ({min, max} of the family's "
	    "lengths)" },
	{ "'exportV6':[{'cidr':'fd00::/8','matchOperator':'In',"
	    "'prefixLength':{'max':129},'action':'Accept'}]",
	    "spec.exportV6[0]: bad prefixLength" },
	{ "'exportV4':[{'cidr':'10.0.0.0/8','matchOperator':'In',"
	    "'prefixLength':{'min':'16'},'action':'Accept'}]",
	    "spec.exportV4[0]: bad prefixLength" },
	{ "'exportV4':[{'cidr':'10.0.0.0/8','matchOperator':'In',"
	    "'prefixLength':{'min':24,'max':16},'action':'Accept'}]",
	    "spec.exportV4[0]: prefixLength leaves no length" },
	{ "'exportV4':[{'prefixLength':{'min':24},'action':'Accept'}]",
	    "spec.exportV4[0]: cidr is required when prefixLength is set" },
	{ "'exportV4':[{'source':'Local','action':'Accept'}]",
	    "spec.exportV4[0]: bad source (RemotePeers)" },
	{ "'exportV4':[{'peerType':'ebgp','action':'Accept'}]",
	    "spec.exportV4[0]: bad peerType (eBGP, iBGP)" },
	{ "'exportV4':[{'interface':'eth+','action':'Accept'}]",
	    "spec.exportV4[0]: bad interface" },
	{ "'exportV4':[{'interface':'a23456789012345x','action':'Accept'}]",
	    "spec.exportV4[0]: bad interface" },
};

START_TEST(t_v3_filter_bad)
{
	char val[600];

	log_capture();
	setup(DS_LAYOUT_V3);
	put(RES "bgpfilters/good", "{'spec':{'exportV4':[{'action':"
	    "'Accept'}]}}");
	put(RES "bgpfilters/bad", "{'spec':{'exportV4':[{'action':"
	    "'Reject'}]}}");
	commit();
	rec.n = 0;
	snprintf(val, sizeof(val), "{'spec':{%s}}", bad_filters[_i].spec);
	put(RES "bgpfilters/bad", val);
	commit();
	EXPECT("-filter bad");
	ck_assert_msg(log_lines(bad_filters[_i].why) == 1, "bad_filters[%d]: "
	    "no line with \"%s\"", _i, bad_filters[_i].why);
	ck_assert_int_eq(log_lines("bgpfilters/bad: "), 1);
	ck_assert_ptr_nonnull(ds_model_filter_view(&M, "good"));
	teardown();
}
END_TEST

/*
 * Rule fields of later Calico releases that tern does not model: a match
 * on them drops the rule, operations are left out (the rule accepts);
 * both said once. A name Calico could not have is refused.
 */
START_TEST(t_v3_filter_unsupported)
{
	log_capture();
	setup(DS_LAYOUT_V3);
	put(RES "bgpfilters/new", "{'spec':{'exportV4':["
	    "{'communities':{'values':['1:2']},'action':'Reject'},"
	    "{'asPathPrefix':[65000],'action':'Reject'},"
	    "{'asPathPrefix':[],'priority':null,'action':'Reject'},"
	    "{'operations':[{'setPriority':{'value':5}}],'action':'Accept'}]}}");
	put(RES "bgpfilters/Bad_Name", "{'spec':{}}");
	commit();
	EXPECT("+filter new export_v4 [Reject; Accept]");
	ck_assert_int_eq(log_lines("bgpfilters/new: spec.exportV4[0]."
	    "communities (not supported: the rule is dropped); "
	    "spec.exportV4[1].asPathPrefix (not supported: the rule is "
	    "dropped); spec.exportV4[3].operations (not supported: the rule "
	    "accepts without them); ignored"), 1);
	ck_assert_int_eq(log_lines("bgpfilters/Bad_Name: the BGPFilter name "
	    "is no Calico name; skipped"), 1);
	teardown();
}
END_TEST

/* --- v1 keys (/calico/bgp/v1) --------------------------------------------- */

START_TEST(t_v2_peer_fields)
{
	log_capture();
	setup(DS_LAYOUT_V2);
	put(BGP "host/h1/ip_addr_v4", "198.18.0.1");
	put(BGP "global/peer_v4/10.0.0.1", "{'ip':'10.0.0.1','as_num':"
	    "'65001','local_as_num':'0','password':'s3cret','source_addr':"
	    "'None','restart_time':'300','keepalive_time':'20',"
	    "'keep_next_hop':true,'num_allow_local_as':1,'ttl_security':2,"
	    "'reachable_by':'10.0.0.254','filters':['f'],'calico_node':false,"
	    "'passive_mode':false,'rr_cluster_id':''}");
	put(BGP "global/peer_v4/10.0.0.2-1790", "{'ip':'10.0.0.2','as_num':"
	    "'65002','port':1790,'next_hop_mode':'Keep','keep_next_hop':true,"
	    "'local_as_num':'65100','source_addr':''}");
	put(BGP "host/h1/peer_v4/10.0.0.3", "{'ip':'10.0.0.3','as_num':"
	    "'65003','port':179,'password':''}");
	put(BGP "host/h1/peer_v6/fd00::4-1791", "{'ip':'fd00::4',"
	    "'as_num':'65004'}");
	put(BGP "host/h2/peer_v4/10.0.0.5", "{'ip':'10.0.0.5','as_num':'1',"
	    "'ttl_security':'bad'}");		/* not ours: not read */
	commit();
	EXPECT("+peer Global_10_0_0_1 AS65001 port 179 source None "
	    "keep-next-hop restart 300 keepalive 20 allow-local-as 1 ttl 2 "
	    "via 10.0.0.254 password literal s3cret filters f",
	    "+peer Global_10_0_0_2_port_1790 AS65002 port 1790 local-as 65100 "
	    "next-hop Keep",
	    "+peer Node_10_0_0_3_port_179 AS65003 port 179",
	    "+peer Node_fd00__4_port_1791 AS65004 port 1791");
	/* one address on two ports: two peers, each deleted alone */
	put(BGP "global/peer_v4/10.0.0.2", "{'ip':'10.0.0.2','as_num':"
	    "'65002'}");
	commit();
	EXPECT("+peer Global_10_0_0_2 AS65002 port 179");
	del(BGP "global/peer_v4/10.0.0.2-1790");
	commit();
	EXPECT("-peer Global_10_0_0_2_port_1790");
	ck_assert_int_eq(log_lines("etcd key"), 0);
	teardown();
}
END_TEST

static const struct {
	const char	*key;		/* after BGP */
	const char	*val;
	const char	*why;
} bad_v2[] = {
	{ "global/peer_v4/10.0.0.9", "{'as_num':'1','ttl_security':256}",
	    "bad \"ttl_security\" (0..255)" },
	{ "global/peer_v4/10.0.0.9", "{'as_num':'1','ttl_security':'2'}",
	    "bad \"ttl_security\"" },
	{ "global/peer_v4/10.0.0.9", "{'as_num':'1','restart_time':'4096'}",
	    "bad \"restart_time\" (seconds, 0..4095)" },
	{ "global/peer_v4/10.0.0.9", "{'as_num':'1','restart_time':'120s'}",
	    "bad \"restart_time\"" },
	{ "global/peer_v4/10.0.0.9", "{'as_num':'1','keepalive_time':'0'}",
	    "bad \"keepalive_time\" (seconds, 1..65535)" },
	{ "global/peer_v4/10.0.0.9", "{'as_num':'1','source_addr':'Node'}",
	    "unknown \"source_addr\" (UseNodeIP, None)" },
	{ "global/peer_v4/10.0.0.9", "{'as_num':'1','next_hop_mode':'keep'}",
	    "unknown \"next_hop_mode\" (Auto, Self, Keep)" },
	{ "global/peer_v4/10.0.0.9", "{'as_num':'1','password':5}",
	    "\"password\" is not a string" },
	{ "global/peer_v4/10.0.0.9", "{'as_num':'1','keep_next_hop':1}",
	    "\"keep_next_hop\" is not a boolean" },
	{ "global/peer_v4/10.0.0.9", "{'as_num':'1','num_allow_local_as':-1}",
	    "bad \"num_allow_local_as\"" },
	{ "global/peer_v4/10.0.0.9", "{'as_num':'1','port':70000}",
	    "bad \"port\" (0..65535, the key's when it has one)" },
	{ "global/peer_v4/10.0.0.9-1790", "{'as_num':'1','port':1791}",
	    "bad \"port\"" },
	{ "global/peer_v4/10.0.0.9", "{'as_num':'1','reachable_by':"
	    "'fd00::1'}", "bad \"reachable_by\" (an address of the peer's "
	    "family)" },
	{ "global/peer_v4/10.0.0.9", "{'as_num':'1','filters':'f'}",
	    "bad \"filters\": not a list" },
	{ "global/peer_v4/10.0.0.9", "{'as_num':'1','local_as_num':'x'}",
	    "bad \"local_as_num\"" },
	{ "global/peer_v4/10.0.0.9-0", "{'as_num':'1'}",
	    "bad peer address in the key" },
	{ "global/peer_v4/10.0.0.9-65536", "{'as_num':'1'}",
	    "bad peer address in the key" },
	{ "global/listen_port", "0", "bad listen port (1..65535)" },
	{ "host/h2/listen_port", "179x", "bad listen port" },
	{ "global/prefix_advertisements/ip_v4", "{'cidr':'10.0.0.0/8'}",
	    "bad prefix advertisements: not a JSON array" },
	{ "global/prefix_advertisements/ip_v4", "[{'cidr':'fd00::/8',"
	    "'communities':['1:2']}]", "bad prefix advertisements: a cidr of "
	    "the other family" },
	{ "global/prefix_advertisements/ip_v4", "[{'cidr':'10.0.0.0/8',"
	    "'communities':['name']}]", "bad prefix advertisements: a "
	    "community that is neither" },
	{ "host/h1/prefix_advertisements/ip_v6", "[{'cidr':'fd00::/8',"
	    "'communities':['1:70000']}]", "bad prefix advertisements: a "
	    "community value out of range" },
	{ "global/custom_filters/v4/mine", "if net ~ 10.0.0.0/8 then "
	    "reject;", "custom_filters hold BIRD filter statements, which "
	    "tern cannot run: use BGPFilter resources (Calico 3.26+)" },
};

START_TEST(t_v2_bad)
{
	char key[200];

	log_capture();
	setup(DS_LAYOUT_V2);
	put(BGP "host/h1/ip_addr_v4", "198.18.0.1");
	put(BGP "global/peer_v4/10.0.0.2", "{'as_num':'2','ttl_security':1}");
	commit();
	EXPECT("+peer Global_10_0_0_2 AS2 port 179 ttl 1");
	snprintf(key, sizeof(key), BGP "%s", bad_v2[_i].key);
	put(key, bad_v2[_i].val);
	commit();
	EXPECT_NONE();
	ck_assert_msg(log_lines(bad_v2[_i].why) == 1, "bad_v2[%d]: no line "
	    "with \"%s\"", _i, bad_v2[_i].why);
	ck_assert_int_eq(log_lines("; skipped"), 1);
	ck_assert_uint_eq(ds_model_config(&M)->listen_port, 0);
	teardown();
}
END_TEST

/* listen_port and prefix_advertisements, global and this node's */
START_TEST(t_v2_config)
{
	setup(DS_LAYOUT_V2);
	put(BGP "host/h1/ip_addr_v4", "198.18.0.1");
	put(BGP "host/h2/ip_addr_v4", "198.18.0.2");
	put(BGP "host/h3/ip_addr_v4", "198.18.0.3");
	put(BGP "global/listen_port", "1790");
	put(BGP "host/h2/listen_port", "1791");
	put(BGP "global/prefix_advertisements/ip_v4", "[{'cidr':'10.0.0.0/8',"
	    "'communities':['1:1','2:2:2']},{'cidr':'10.1.0.0/16',"
	    "'communities':[]}]");
	put(BGP "global/prefix_advertisements/ip_v6", "[{'cidr':'fd00::/8',"
	    "'communities':['3:3']}]");
	put(BGP "host/h2/prefix_advertisements/ip_v4", "[]");	/* not ours */
	put(BGP "global/custom_filters/v4/empty", "");
	commit();
	EXPECT("config port 1790 advs 10.0.0.0/8[1:1 2:2:2],10.1.0.0/16[],"
	    "fd00::/8[3:3]",
	    "+peer Mesh_198_18_0_2 AS64512 port 1791",
	    "+peer Mesh_198_18_0_3 AS64512 port 1790");
	put(BGP "host/h1/prefix_advertisements/ip_v4", "null");
	put(BGP "host/h1/listen_port", "1792");
	commit();
	EXPECT("config port 1792 advs fd00::/8[3:3]");
	put(BGP "host/h1/prefix_advertisements/ip_v4", "[{'cidr':"
	    "'10.9.0.0/16','communities':['9:9']}]");
	del(BGP "global/prefix_advertisements/ip_v6");
	commit();
	EXPECT("config port 1792 advs 10.9.0.0/16[9:9]");
	del(BGP "host/h1/prefix_advertisements/ip_v4");
	del(BGP "host/h1/listen_port");
	del(BGP "global/listen_port");
	commit();
	EXPECT("config advs 10.0.0.0/8[1:1 2:2:2],10.1.0.0/16[]",
	    "~peer Mesh_198_18_0_3 AS64512 port 179");
	teardown();
}
END_TEST

/* --- the cluster file ---------------------------------------------------- */

static const char cluster[] =
    "as: 64512\n"
    "listen_port: 1790\n"
    "bind_mode: NodeIP\n"
    "communities:\n"
    "  - {name: tor-a, value: \"65000:100\"}\n"
    "  - {name: big, value: \"65000:1:2\"}\n"
    "prefix_advertisements:\n"
    "  - {cidr: 10.96.0.0/12, communities: [tor-a, \"65000:7\", big]}\n"
    "  - {cidr: \"fd00:96::/112\", communities: [\"1:2:3\"]}\n"
    "service_cluster_ips: [10.96.0.0/12]\n"
    "service_external_ips: [{cidr: 104.244.42.129/32}, \"fd00:e::/64\"]\n"
    "service_loadbalancer_ips: [198.51.100.0/24]\n"
    "ignored_interfaces: [eth9, \"vxlan*\"]\n"
    "node_mesh_password_file: /etc/tern/mesh.pw\n"
    "node_mesh_max_restart_time: 90s\n"
    "filters:\n"
    "  - name: export-tor\n"
    "    export_v4:\n"
    "      - {cidr: 10.0.0.0/8, match_operator: In, prefix_length: "
    "{min: 16, max: 24},\n"
    "         source: RemotePeers, interface: \"eth*\", peer_type: eBGP, "
    "action: Reject}\n"
    "      - {action: Accept}\n"
    "    import_v6:\n"
    "      - {cidr: \"fd00::/8\", match_operator: NotIn, prefix_length: "
    "{}, action: Reject}\n"
    "  - name: import-tor\n"
    "nodes:\n"
    "  - name: h1\n"
    "    ipv4: 198.18.0.1/24\n"
    "    listen_port: 1792\n"
    "    communities: [{name: own, value: \"3:3\"}]\n"
    "    prefix_advertisements: [{cidr: 10.1.0.0/16, communities: "
    "[own, \"65000:100\"]}]\n"
    "  - {name: h2, ipv4: 198.18.0.2, listen_port: 1791}\n"
    "  - {name: h3, ipv4: 198.18.0.3, labels: {rack: a}}\n"
    "peers:\n"
    "  - ip: 10.0.0.1:1790\n"
    "    as: 65001\n"
    "    local_as_number: 1.10\n"
    "    source_address: None\n"
    "    next_hop_mode: Self\n"
    "    restart_mode: LongLivedGracefulRestart\n"
    "    max_restart_time: 1h\n"
    "    keepalive_time: 30s\n"
    "    num_allowed_local_as_numbers: 2\n"
    "    ttl_security: 1\n"
    "    reachable_by: 10.0.0.254\n"
    "    password_file: /etc/tern/tor.pw\n"
    "    failure_detection_mode: BFDIfDirectlyConnected\n"
    "    filters: [export-tor, import-tor]\n"
    "  - {ip: 10.0.0.2, as: 65002, keep_original_next_hop: true,\n"
    "     reverse_peering: Manual}\n"
    "  - {ip: 10.0.0.2:1790, as: 65002}\n"
    "  - {node: h1, peer_selector: \"rack == 'a'\", ttl_security: 3}\n";

/* A cluster file in a temporary file, loaded into m. */
static int
load(struct ds_model *m, const char *self, const char *text, char *err,
    size_t errlen, char *path, size_t plen)
{
	int fd, rc;

	snprintf(path, plen, "/tmp/test_bgpopts.XXXXXX");
	ck_assert_int_ne(fd = mkstemp(path), -1);
	ck_assert(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	ck_assert_int_eq(close(fd), 0);
	ds_model_init(m, self);
	ds_model_set_option_ops(m, &rec_oops, NULL);
	rc = ds_cluster_load(path, m, err, errlen);
	unlink(path);
	return rc;
}

/* Every option in snake_case, as the v3 resources give them. */
START_TEST(t_file_fields)
{
	struct ds_model m;
	char err[512], path[64];

	rec.n = 0;
	ck_assert_msg(load(&m, "h1", cluster, err, sizeof(err), path,
	    sizeof(path)) == 0, "%s", err);
	ds_model_commit(&m, &rec_ops, NULL);
	EXPECT("config port 1792 bind NodeIP comms tor-a=65000:100,"
	    "big=65000:1:2 advs 10.1.0.0/16[3:3 65000:100] cluster "
	    "10.96.0.0/12 external 104.244.42.129/32,fd00:e::/64 lb "
	    "198.51.100.0/24 ignore eth9,vxlan* mesh-password file "
	    "/etc/tern/mesh.pw mesh-restart 90",
	    "+filter export-tor export_v4 [Reject In 10.0.0.0/8{16,24} "
	    "RemotePeers if eth* eBGP; Accept] import_v6 [Reject NotIn "
	    "fd00::/8{,}]",
	    "+filter import-tor",
	    "+peer Global_10_0_0_1_port_1790 AS65001 port 1790 local-as "
	    "65546 source None next-hop Self LongLivedGracefulRestart "
	    "restart 3600 keepalive 30 allow-local-as 2 ttl 1 via 10.0.0.254 "
	    "BFDIfDirectlyConnected password file /etc/tern/tor.pw filters "
	    "export-tor,import-tor",
	    "+peer Global_10_0_0_2 AS65002 port 179 keep-next-hop",
	    "+peer Global_10_0_0_2_port_1790 AS65002 port 1790",
	    "+peer Mesh_198_18_0_2 AS64512 port 1791 restart 90 password file "
	    "/etc/tern/mesh.pw",
	    "+peer Mesh_198_18_0_3 AS64512 port 1790 restart 90 password file "
	    "/etc/tern/mesh.pw",
	    "+peer Node_198_18_0_3_port_1790 AS64512 port 1790 ttl 3");
	ds_model_fini(&m);
	/* another node's view: the top level's advertisements */
	ck_assert_int_eq(load(&m, "h2", cluster, err, sizeof(err), path,
	    sizeof(path)), 0);
	ds_model_commit(&m, &rec_ops, NULL);
	ck_assert_str_eq(rec.line[0], "config port 1791 bind NodeIP comms "
	    "tor-a=65000:100,big=65000:1:2 advs 10.96.0.0/12[65000:100 "
	    "65000:1:2 65000:7],fd00:96::/112[1:2:3] cluster 10.96.0.0/12 "
	    "external 104.244.42.129/32,fd00:e::/64 lb 198.51.100.0/24 "
	    "ignore eth9,vxlan* mesh-password file /etc/tern/mesh.pw "
	    "mesh-restart 90");
	ds_model_fini(&m);
}
END_TEST

/* A reload that changes one option reports that option's sessions. */
START_TEST(t_file_reload)
{
	struct ds_model live, fresh;
	char err[512], path[64];
	static const char a[] =
	    "nodes: [{name: h1, ipv4: 198.18.0.1}, {name: h2, ipv4: "
	    "198.18.0.2}]\n"
	    "peers:\n"
	    "  - {ip: 10.0.0.1, as: 1, ttl_security: 1}\n"
	    "  - {ip: 10.0.0.2, as: 2, filters: [f]}\n"
	    "filters: [{name: f, export_v4: [{action: Accept}]}]\n";
	static const char b[] =
	    "nodes: [{name: h1, ipv4: 198.18.0.1}, {name: h2, ipv4: "
	    "198.18.0.2}]\n"
	    "node_mesh_max_restart_time: 1m\n"
	    "peers:\n"
	    "  - {ip: 10.0.0.1, as: 1, ttl_security: 2}\n"
	    "  - {ip: 10.0.0.2, as: 2, filters: [f]}\n"
	    "filters: [{name: f, export_v4: [{action: Reject}]}]\n";

	rec.n = 0;
	ck_assert_int_eq(load(&live, "h1", a, err, sizeof(err), path,
	    sizeof(path)), 0);
	ds_model_commit(&live, &rec_ops, NULL);
	EXPECT("+filter f export_v4 [Accept]",
	    "+peer Global_10_0_0_1 AS1 port 179 ttl 1",
	    "+peer Global_10_0_0_2 AS2 port 179 filters f",
	    "+peer Mesh_198_18_0_2 AS64512 port 179");
	ck_assert_int_eq(load(&fresh, "h1", b, err, sizeof(err), path,
	    sizeof(path)), 0);
	ds_model_take(&live, &fresh);
	ds_model_fini(&fresh);
	ds_model_commit(&live, &rec_ops, NULL);
	EXPECT("config mesh-restart 60", "~filter f export_v4 [Reject]",
	    "~peer Global_10_0_0_1 AS1 port 179 ttl 2",
	    "~peer Mesh_198_18_0_2 AS64512 port 179 restart 60");
	ds_model_fini(&live);
}
END_TEST

static const struct {
	const char	*text;
	unsigned	 line;
	const char	*want;
} bad_files[] = {
	{ "listen_port: 0\n", 1, "key listen_port: 0 is out of range "
	    "(1..65535)" },
	{ "listen_port: 70000\n", 1, "key listen_port: 70000 is out of "
	    "range (0..65535)" },
	{ "listen_port: '179'\n", 1, "key listen_port: expected an integer, "
	    "got \"179\"" },
	{ "listen_port: [1]\n", 1, "key listen_port: expected an integer, "
	    "got a sequence" },
	{ "bind_mode: nodeip\n", 1, "key bind_mode: \"nodeip\" is not one "
	    "of None, NodeIP" },
	{ "communities:\n  - {name: a, value: \"65536:1\"}\n", 2,
	    "key communities[0].value: \"65536:1\" is not a community (aa:nn, "
	    "16 bits each, or aa:nn:mm, 32 bits each)" },
	{ "communities:\n  - {name: a, value: \"1:2\"}\n"
	    "  - {name: a, value: \"1:3\"}\n", 3,
	    "key communities[1].name: duplicate community \"a\"" },
	{ "communities:\n  - {name: a}\n", 2, "key communities[0].value: "
	    "missing" },
	{ "communities:\n  - {name: A, value: \"1:2\"}\n", 2,
	    "key communities[0].name: \"A\" is not a name" },
	{ "communities:\n  - {name: a, value: \"1:2\", x: 1}\n", 2,
	    "key communities[0].x: unknown key" },
	{ "prefix_advertisements:\n  - {cidr: 10.0.0.0/8, communities: "
	    "[nope]}\n", 2, "key prefix_advertisements[0].communities[0]: "
	    "\"nope\": a community that is neither aa:nn, aa:nn:mm nor the "
	    "name of one in communities" },
	{ "prefix_advertisements:\n  - {communities: [\"1:2\"]}\n", 2,
	    "key prefix_advertisements[0].cidr: missing" },
	{ "prefix_advertisements:\n  - {cidr: 10.0.0.1/8}\n", 2,
	    "key prefix_advertisements[0].cidr: \"10.0.0.1/8\" is not a CIDR" },
	{ "service_cluster_ips: [10.96.0.1/12]\n", 1,
	    "key service_cluster_ips[0]: \"10.96.0.1/12\" is not a CIDR" },
	{ "service_external_ips: [{cidr: 10.0.0.0/8, y: 1}]\n", 1,
	    "key service_external_ips[0]: expected a CIDR or {cidr: CIDR}" },
	{ "service_loadbalancer_ips: 10.0.0.0/8\n", 1,
	    "key service_loadbalancer_ips: expected a list, got a scalar" },
	{ "ignored_interfaces: [\"*\"]\n", 1, "key ignored_interfaces[0]: "
	    "\"*\" is not an interface pattern" },
	{ "node_mesh_max_restart_time: 90\n", 1, "key node_mesh_max_restart_"
	    "time: \"90\" is not a duration (such as 120s, 2m, 1h30m)" },
	{ "node_mesh_max_restart_time: 2h\n", 1, "key node_mesh_max_restart_"
	    "time: 2h is out of range (0..4095 s)" },
	{ "node_mesh_password_file: \"\"\n", 1,
	    "key node_mesh_password_file: must not be empty" },
	{ "peers:\n  - {ip: 10.0.0.1, as: 1, ttl_security: 256}\n", 2,
	    "key peers[0].ttl_security: 256 is out of range (0..255)" },
	{ "peers:\n  - {ip: 10.0.0.1, as: 1, ttl_security: -1}\n", 2,
	    "key peers[0].ttl_security: expected an integer, got \"-1\"" },
	{ "peers:\n  - {ip: 10.0.0.1, as: 1, num_allowed_local_as_numbers: "
	    "2147483648}\n", 2, "key peers[0].num_allowed_local_as_numbers: "
	    "2147483648 is out of range (0..2147483647)" },
	{ "peers:\n  - {ip: 10.0.0.1, as: 1, source_address: none}\n", 2,
	    "key peers[0].source_address: \"none\" is not one of UseNodeIP, "
	    "None" },
	{ "peers:\n  - ip: 10.0.0.1\n    as: 1\n"
	    "    keep_original_next_hop: true\n    next_hop_mode: Keep\n", 5,
	    "key peers[0].next_hop_mode: keep_original_next_hop and "
	    "next_hop_mode cannot both be set" },
	{ "peers:\n  - {ip: 10.0.0.1, as: 1, next_hop_mode: keep}\n", 2,
	    "key peers[0].next_hop_mode: \"keep\" is not one of Auto, Self, "
	    "Keep" },
	{ "peers:\n  - {ip: 10.0.0.1, as: 1, keep_original_next_hop: 1}\n", 2,
	    "key peers[0].keep_original_next_hop: expected true or false" },
	{ "peers:\n  - {ip: 10.0.0.1, as: 1, reachable_by: \"fd00::1\"}\n", 2,
	    "key peers[0].reachable_by: not of ip's address family" },
	{ "peers:\n  - {ip: 10.0.0.1, as: 1, reachable_by: 10.0.0.256}\n", 2,
	    "key peers[0].reachable_by: \"10.0.0.256\" is not an IP address" },
	{ "peers:\n  - {peer_selector: all(), reachable_by: 10.0.0.1}\n", 2,
	    "key peers[0].reachable_by: must be empty without ip" },
	{ "peers:\n  - {ip: 10.0.0.1, as: 1, max_restart_time: 2h}\n", 2,
	    "key peers[0].max_restart_time: 2h is out of range (0..4095 s)" },
	{ "peers:\n  - {ip: 10.0.0.1, as: 1, max_restart_time: 5000h,\n"
	    "     restart_mode: LongLivedGracefulRestart}\n", 2,
	    "key peers[0].max_restart_time: 5000h is out of range "
	    "(0..16777215 s)" },
	{ "peers:\n  - {ip: 10.0.0.1, as: 1, keepalive_time: 0s}\n", 2,
	    "key peers[0].keepalive_time: must be at least 1s" },
	{ "peers:\n  - {ip: 10.0.0.1, as: 1, restart_mode: GR}\n", 2,
	    "key peers[0].restart_mode: \"GR\" is not one of GracefulRestart, "
	    "LongLivedGracefulRestart" },
	{ "peers:\n  - {ip: 10.0.0.1, as: 1, failure_detection_mode: BFD}\n",
	    2, "key peers[0].failure_detection_mode: \"BFD\" is not one of "
	    "None, BFDIfDirectlyConnected" },
	{ "peers:\n  - {ip: 10.0.0.1, as: 1, password_file: [a]}\n", 2,
	    "key peers[0].password_file: expected a file name, got a "
	    "sequence" },
	{ "peers:\n  - {ip: 10.0.0.1, as: 1, local_as_number: 0}\n", 2,
	    "key peers[0].local_as_number: AS 0 is out of range" },
	{ "peers:\n  - {ip: 10.0.0.1, as: 1, reverse_peering: manual}\n", 2,
	    "key peers[0].reverse_peering: \"manual\" is not one of Auto, "
	    "Manual" },
	{ "peers:\n  - {ip: 10.0.0.1, as: 1, filters: [nosuch]}\n", 2,
	    "key peers[0].filters[0]: no filter \"nosuch\" in filters" },
	{ "peers:\n  - {ip: 10.0.0.1, as: 1, filters: [Bad]}\n", 2,
	    "key peers[0].filters[0]: \"Bad\" is not a filter name" },
	{ "peers:\n  - {ip: 10.0.0.1, as: 1, password: x}\n", 2,
	    "key peers[0].password: unknown key" },
	{ "filters:\n  - {name: f, export_v4: [{action: Drop}]}\n", 2,
	    "key filters[0].export_v4[0].action: \"Drop\" is not one of "
	    "Accept, Reject" },
	{ "filters:\n  - name: f\n    import_v4:\n"
	    "      - {cidr: 10.0.0.0/8, match_operator: In}\n", 4,
	    "key filters[0].import_v4[0].action: missing" },
	{ "filters:\n  - name: f\n    import_v4:\n"
	    "      - {cidr: 10.0.0.0/8, action: Accept}\n", 4,
	    "key filters[0].import_v4[0]: cidr and matchOperator must both be "
	    "set or both be empty" },
	{ "filters:\n  - name: f\n    import_v4:\n"
	    "      - {cidr: \"fd00::/8\", match_operator: In, action: Accept}\n",
	    4, "key filters[0].import_v4[0].cidr: \"fd00::/8\" is not an IPv4 "
	    "CIDR" },
	{ "filters:\n  - name: f\n    export_v4:\n"
	    "      - {cidr: 10.0.0.0/8, match_operator: In, action: Accept,\n"
	    "         prefix_length: {min: 33}}\n", 5,
	    "key filters[0].export_v4[0].prefix_length.min: 33 is out of "
	    "range (0..32)" },
	{ "filters:\n  - name: f\n    export_v6:\n"
	    "      - {cidr: \"fd00::/8\", match_operator: In, action: Accept,\n"
	    "         prefix_length: {min: 64, max: 48}}\n", 4,
	    "key filters[0].export_v6[0]: prefixLength leaves no length" },
	{ "filters:\n  - {name: f, export_v4: [{action: Accept, "
	    "interface: eth+}]}\n", 2, "key filters[0].export_v4[0].interface: "
	    "\"eth+\" is not an interface pattern" },
	{ "filters:\n  - {name: f, export_v4: [{action: Accept, "
	    "match_operator: in, cidr: 10.0.0.0/8}]}\n", 2,
	    "key filters[0].export_v4[0].match_operator: \"in\" is not one of "
	    "Equal, NotEqual, In, NotIn" },
	{ "filters:\n  - {name: f, export_v4: [{action: Accept, "
	    "communities: [\"1:2\"]}]}\n", 2,
	    "key filters[0].export_v4[0].communities: unknown key" },
	{ "filters:\n  - {name: f}\n  - {name: f}\n", 3,
	    "key filters[1].name: duplicate filter \"f\"" },
	{ "filters:\n  - {export_v4: []}\n", 2, "key filters[0].name: "
	    "missing" },
	{ "filters:\n  - name: f\n    export_v4:\n      - action: Accept\n"
	    "        prefix_length: {min: [1]}\n", 5,
	    "nested deeper than the schema allows" },	/* ytree's bound */
	{ "nodes:\n  - {name: h1, listen_port: 0}\n", 2,
	    "key nodes[0].listen_port: 0 is out of range" },
	{ "communities: [{name: c, value: \"1:1\"}]\n"
	    "nodes:\n  - name: h1\n    prefix_advertisements:\n"
	    "      - {cidr: 10.0.0.0/8, communities: [c]}\n", 5,
	    "key nodes[0].prefix_advertisements[0].communities[0]: \"c\": a "
	    "community that is neither" },
	{ "nodes:\n  - {name: h1, bind_mode: NodeIP}\n", 2,
	    "key nodes[0].bind_mode: unknown key" },
};

START_TEST(t_file_bad)
{
	char err[600], want[600], path[64];
	struct ds_model m;

	ck_assert_msg(load(&m, "h1", bad_files[_i].text, err, sizeof(err),
	    path, sizeof(path)) == -1, "bad_files[%d] accepted", _i);
	ds_model_fini(&m);
	snprintf(want, sizeof(want), "%s:%u: %s", path, bad_files[_i].line,
	    bad_files[_i].want);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0,
	    "bad_files[%d]: got \"%s\", want \"%s\"", _i, err, want);
}
END_TEST

/* Through struct ds: the option hooks, and the view they report. */
START_TEST(t_ds_file)
{
	struct ds_params p;
	struct ds *ds;
	size_t n;
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/test_bgpopts.XXXXXX");
	ck_assert_int_ne(fd = mkstemp(path), -1);
	ck_assert(write(fd, cluster, strlen(cluster)) ==
	    (ssize_t)strlen(cluster));
	ck_assert_int_eq(close(fd), 0);
	memset(&p, 0, sizeof(p));
	p.type = DS_TYPE_FILE;
	p.node_name = "h2";
	p.path = path;
	rec.n = 0;
	ds = ds_new(NULL, &p, &rec_ops, NULL);
	ds_set_option_ops(ds, &rec_oops, NULL);
	ck_assert_int_eq(ds_start(ds), 0);
	unlink(path);
	ck_assert_str_eq(rec.line[0], "config port 1791 bind NodeIP comms "
	    "tor-a=65000:100,big=65000:1:2 advs 10.96.0.0/12[65000:100 "
	    "65000:1:2 65000:7],fd00:96::/112[1:2:3] cluster 10.96.0.0/12 "
	    "external 104.244.42.129/32,fd00:e::/64 lb 198.51.100.0/24 "
	    "ignore eth9,vxlan* mesh-password file /etc/tern/mesh.pw "
	    "mesh-restart 90");
	ck_assert_uint_eq(ds_bgp_config(ds)->listen_port, 1791);
	ck_assert_ptr_nonnull(ds_filters(ds, &n));
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(ds_filter_get(ds, "import-tor")->name, "import-tor");
	ck_assert_ptr_null(ds_filter_get(ds, "nosuch"));
	ds_free(ds);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("bgpopts");
	TCase *tp = tcase_create("parsers");
	TCase *t3 = tcase_create("v3");
	TCase *t2 = tcase_create("v2");
	TCase *tf = tcase_create("file");

	log_init(LOG_LVL_INFO, 0, "test_bgpopts");
	tcase_add_test(tp, t_durations);
	tcase_add_test(tp, t_opts_set);
	tcase_add_test(tp, t_communities);
	tcase_add_test(tp, t_names);
	tcase_add_test(tp, t_rule_check);
	tcase_add_test(t3, t_v3_peer_fields);
	tcase_add_test(t3, t_v3_peer_propagation);
	tcase_add_loop_test(t3, t_v3_peer_bad, 0, (int)NITEMS(bad_peers));
	tcase_add_test(t3, t_v3_peer_unsupported);
	tcase_add_test(t3, t_v3_config);
	tcase_add_loop_test(t3, t_v3_config_bad, 0, (int)NITEMS(bad_confs));
	tcase_add_test(t3, t_v3_config_node);
	tcase_add_test(t3, t_v3_ports);
	tcase_add_test(t3, t_v3_reverse_port);
	tcase_add_test(t3, t_v3_filters);
	tcase_add_loop_test(t3, t_v3_filter_bad, 0, (int)NITEMS(bad_filters));
	tcase_add_test(t3, t_v3_filter_unsupported);
	tcase_add_test(t2, t_v2_peer_fields);
	tcase_add_loop_test(t2, t_v2_bad, 0, (int)NITEMS(bad_v2));
	tcase_add_test(t2, t_v2_config);
	tcase_add_test(tf, t_file_fields);
	tcase_add_test(tf, t_file_reload);
	tcase_add_loop_test(tf, t_file_bad, 0, (int)NITEMS(bad_files));
	tcase_add_test(tf, t_ds_file);
	suite_add_tcase(s, tp);
	suite_add_tcase(s, t3);
	suite_add_tcase(s, t2);
	suite_add_tcase(s, tf);
	return check_run(s);
}
