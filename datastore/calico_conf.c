/*
 * calico_conf.c: Calico's BGPConfiguration in etcd values.
 *
 * Owns the schemas of the cluster's BGP settings in both layouts: v3
 * bgpconfigurations default (asNumber, nodeToNodeMeshEnabled,
 * logSeverityScreen and issue 15's listenPort, bindMode, communities,
 * prefixAdvertisements, serviceClusterIPs, serviceExternalIPs,
 * serviceLoadBalancerIPs, ignoredInterfaces, nodeMeshPassword,
 * nodeMeshMaxRestartTime) and node.<name> (listenPort of any node; this
 * node's logSeverityScreen and prefixAdvertisements), and the v1 keys of
 * the same (global/as_num, node_mesh, loglevel, listen_port,
 * prefix_advertisements/ip_v4|ip_v6, global or a host's). A bad AS or mesh
 * flag makes a default bad; any other bad field is left unset with a
 * warning, the rest counts (model.h says why). Like calico_res.c it must
 * not log, commit or keep state outside the key's entry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calico_int.h"
#include "json.h"
#include "num.h"
#include "options.h"

/* --- v3 BGPConfiguration ------------------------------------------------- */

/* [{cidr}] into l; an entry without a cidr is skipped (confd). */
static const char *
json_cidrs(const struct json_object *o, const char *path,
    struct ds_prefixes *l)
{
	const struct json_object *a = ds_json_get(o, path), *it;
	struct prefix p;
	const char *s;

	if (ds_json_is_null(a))
		return NULL;
	if (!ds_json_is_array(a))
		return "not a list";
	for (size_t i = 0; i < ds_json_array_len(a); i++) {
		it = ds_json_array_at(a, i);
		if (!ds_json_is_object(it) || ds_json_string(it, "cidr",
		    &s) == -1)
			return "an entry is not {cidr: CIDR}";
		if (s == NULL || *s == '\0')
			continue;
		if (ds_net_parse(s, &p) == -1)
			return "a bad CIDR (address/length, host bits zero)";
		if (ds_prefixes_add(l, &p) == -1)
			return "more than 1000 CIDRs";
	}
	return NULL;
}

static const char *
json_communities(const struct json_object *o, struct ds_bgp_config *c)
{
	const struct json_object *a = ds_json_get(o, "spec.communities");
	const struct json_object *it;
	struct ds_community v;
	const char *name, *val;

	if (ds_json_is_null(a))
		return NULL;
	if (!ds_json_is_array(a))
		return "not a list";
	for (size_t i = 0; i < ds_json_array_len(a); i++) {
		it = ds_json_array_at(a, i);
		if (!ds_json_is_object(it) ||
		    ds_json_string(it, "name", &name) == -1 ||
		    ds_json_string(it, "value", &val) == -1)
			return "an entry is not {name, value}";
		if (name == NULL || !ds_k8s_name_ok(name))
			return "a name is no Calico name";
		if (val == NULL || ds_community_parse(val, &v) != 0)
			return "a value is not aa:nn (16 bits each) or "
			    "aa:nn:mm (32 bits each)";
		if (ds_bgp_config_add_community(c, name, &v) == -1)
			return "more than 500 communities";
	}
	return NULL;
}

/* One prefixAdvertisements entry, its names resolved against defs. */
static const char *
json_adv(const struct json_object *it, const struct ds_bgp_config *defs,
    struct ds_prefix_adv *a)
{
	const struct json_object *cs = ds_json_get(it, "communities");
	const char *s, *why;

	memset(a, 0, sizeof(*a));
	if (!ds_json_is_object(it) || ds_json_string(it, "cidr", &s) == -1)
		return "an entry is not {cidr, communities}";
	if (s == NULL || ds_net_parse(s, &a->cidr) == -1)
		return "a bad cidr (address/length, host bits zero)";
	if (!ds_json_is_null(cs) && !ds_json_is_array(cs))
		return "communities is not a list";
	for (size_t i = 0; i < ds_json_array_len(cs); i++) {
		if ((s = ds_json_str(ds_json_array_at(cs, i))) == NULL)
			return "a community is not a string";
		if ((why = ds_prefix_adv_add(a, s, defs)) != NULL)
			return why;
	}
	return NULL;
}

/* prefixAdvertisements into c (its names are c's communities); *set
 * when given, even empty (a node's then hides the default's) */
static const char *
json_advs(const struct json_object *o, struct ds_bgp_config *c, bool *set)
{
	const struct json_object *a = ds_json_get(o,
	    "spec.prefixAdvertisements");
	struct ds_prefix_adv adv;
	const char *why;

	*set = false;
	if (ds_json_is_null(a))
		return NULL;
	if (!ds_json_is_array(a))
		return "not a list";
	for (size_t i = 0; i < ds_json_array_len(a); i++) {
		why = json_adv(ds_json_array_at(a, i), c, &adv);
		if (why == NULL && ds_bgp_config_add_adv(c, &adv) == -1)
			why = "more than 500 entries";
		ds_prefix_adv_fini(&adv);
		if (why != NULL)
			return why;
	}
	*set = true;
	return NULL;
}

static const char *
json_ifaces(const struct json_object *o, struct ds_bgp_config *c)
{
	const struct json_object *a = ds_json_get(o, "spec.ignoredInterfaces");
	const char *s;

	if (ds_json_is_null(a))
		return NULL;
	if (!ds_json_is_array(a))
		return "not a list";
	for (size_t i = 0; i < ds_json_array_len(a); i++) {
		if ((s = ds_json_str(ds_json_array_at(a, i))) == NULL ||
		    !ds_iface_pattern_ok(s, false))
			return "an entry is no interface pattern "
			    "([a-zA-Z0-9_.*-], 1..15, not \"*\")";
		if (ds_bgp_config_add_iface(c, s) == -1)
			return "more than 256 interfaces";
	}
	return NULL;
}

/* A list field: kept whole, or unset whole with a warning. */
#define CONF_LIST(x, field, call, undo) do {				\
	const char *why_ = (call);					\
	if (why_ != NULL) {						\
		ds_cal_warn((x), (field), why_);			\
		undo;							\
	}								\
} while (0)

static void
conf_port(struct cal_ctx *x, const struct json_object *o,
    struct ds_bgp_config *c)
{
	int64_t v;

	if (ds_json_int_range(o, "spec.listenPort", 0, 65535, &v) == -1)
		ds_cal_warn(x, "spec.listenPort", "not an integer 1..65535");
	else if (ds_json_int_range(o, "spec.listenPort", 0, 65535, &v) == 1)
		c->listen_port = (uint16_t)v;
}

static void
conf_lists(struct cal_ctx *x, const struct json_object *o,
    struct ds_bgp_config *c)
{
	size_t i;

	CONF_LIST(x, "spec.serviceClusterIPs", json_cidrs(o,
	    "spec.serviceClusterIPs", &c->svc_cluster_ips),
	    ds_prefixes_clear(&c->svc_cluster_ips));
	CONF_LIST(x, "spec.serviceExternalIPs", json_cidrs(o,
	    "spec.serviceExternalIPs", &c->svc_external_ips),
	    ds_prefixes_clear(&c->svc_external_ips));
	CONF_LIST(x, "spec.serviceLoadBalancerIPs", json_cidrs(o,
	    "spec.serviceLoadBalancerIPs", &c->svc_lb_ips),
	    ds_prefixes_clear(&c->svc_lb_ips));
	CONF_LIST(x, "spec.ignoredInterfaces", json_ifaces(o, c), {
		for (i = 0; i < c->nignored_ifaces; i++)
			free(c->ignored_ifaces[i]);
		c->nignored_ifaces = 0;
	});
}

/* The default's mesh options, bindMode and what tern does not model. */
static void
conf_global(struct cal_ctx *x, const struct json_object *o,
    struct ds_bgp_config *c)
{
	const char *why;
	int v;

	if (ds_cal_json_enum(o, "spec.bindMode", ds_bind_mode_names,
	    NITEMS(ds_bind_mode_names), DS_BIND_NONE, &v) == -1)
		ds_cal_warn(x, "spec.bindMode", "not None or NodeIP");
	else
		c->bind_mode = (enum ds_bind_mode)v;
	if ((why = ds_cal_json_secret(o, "spec.nodeMeshPassword",
	    &c->mesh_password)) != NULL)
		ds_cal_warn(x, "spec.nodeMeshPassword", why);
	if (ds_cal_json_secs(o, "spec.nodeMeshMaxRestartTime", DS_GR_TIME_MAX,
	    &c->mesh_restart_time) == -1) {
		c->mesh_restart_time = DS_TIME_UNSET;
		ds_cal_warn(x, "spec.nodeMeshMaxRestartTime", "not a duration "
		    "of 0..4095 s");
	}
	conf_lists(x, o, c);
}

static void
conf_unsupported(struct cal_ctx *x, const struct json_object *o)
{
	static const struct {
		const char	*path;
		const char	*dflt;	/* a value that says nothing */
	} fields[] = {
		{ "spec.serviceLoadBalancerAggregation", "Enabled" },
		{ "spec.programClusterRoutes", NULL },
		{ "spec.ipv4NormalRoutePriority", NULL },
		{ "spec.ipv6NormalRoutePriority", NULL },
		{ "spec.localWorkloadPeeringIPV4", "" },
		{ "spec.localWorkloadPeeringIPV6", "" },
	};
	const char *s;

	for (size_t i = 0; i < NITEMS(fields); i++) {
		if (ds_json_is_null(ds_json_get(o, fields[i].path)))
			continue;
		if (fields[i].dflt != NULL && ds_json_string(o, fields[i].path,
		    &s) == 0 && strcmp(s, fields[i].dflt) == 0)
			continue;
		ds_cal_warn(x, fields[i].path, "not supported");
	}
}

/*
 * A BGPConfiguration's fields into c (node: node.<self>, listenPort and
 * prefixAdvertisements only): a bad one is unset with a warning; adv_set
 * says prefixAdvertisements were given (both families, as confd writes).
 */
static void
v3_conf_opts(struct cal_ctx *x, const struct json_object *o,
    struct ds_bgp_config *c, bool node, bool adv_set[2])
{
	bool set;

	ds_bgp_config_init(c);
	conf_port(x, o, c);
	CONF_LIST(x, "spec.communities", json_communities(o, c), {
		for (size_t i_ = 0; i_ < c->ncommunities; i_++)
			free(c->communities[i_].name);
		c->ncommunities = 0;
	});
	CONF_LIST(x, "spec.prefixAdvertisements", json_advs(o, c, &set), {
		for (size_t i_ = 0; i_ < c->nprefix_advs; i_++)
			ds_prefix_adv_fini(&c->prefix_advs[i_]);
		c->nprefix_advs = 0;
		set = false;
	});
	adv_set[0] = adv_set[1] = set;
	if (!node) {
		conf_global(x, o, c);
		conf_unsupported(x, o);
	}
}

/* --- global settings ----------------------------------------------------- */

/*
 * The log level of a BGPConfiguration: the annotation
 * config.projectcalico.org/loglevel (Calico's override of the spec, a v1
 * value: debug, info, none), else spec.logSeverityScreen; absent or ""
 * sets none (Calico deletes the v1 loglevel key then). -1 with *why on a
 * value that is no severity.
 */
static int
v3_log(const struct json_object *o, struct ds_log *l, const char **why)
{
	const struct json_object *ann;
	const char *s;

	memset(l, 0, sizeof(*l));
	ann = ds_json_member(ds_json_get(o, "metadata.annotations"),
	    "config.projectcalico.org/loglevel");
	if (ann != NULL) {
		if (ds_json_string(ann, "", &s) == -1 || (s != NULL &&
		    *s != '\0' && ds_log_level_parse(s, &l->level) == -1)) {
			*why = "unknown annotation config.projectcalico.org/"
			    "loglevel (debug, info, none)";
			return -1;
		}
		l->set = s != NULL && *s != '\0';
		return 0;
	}
	if (ds_json_string(o, "spec.logSeverityScreen", &s) == -1) {
		*why = "spec.logSeverityScreen is not a string";
		return -1;
	}
	if (s == NULL || *s == '\0')
		return 0;
	if (ds_log_level_parse(s, &l->level) == -1) {
		*why = "unknown spec.logSeverityScreen (Debug, Info, Warning, "
		    "Error, Fatal, Panic)";
		return -1;
	}
	l->set = true;
	return 0;
}

/* Another node's node.<name>: only its spec.listenPort counts. */
static void
v3_bgpconf_other(struct cal_ctx *x, const struct json_object *o,
    const char *node)
{
	int64_t v = 0;
	int rc = ds_json_int_range(o, "spec.listenPort", 0, 65535, &v);

	if (rc == -1)
		ds_cal_warn(x, "spec.listenPort", "not an integer 1..65535");
	ds_model_set_listen_port(x->m, node, rc == 1 ? (uint16_t)v : 0);
}

/*
 * bgpconfigurations/node.<name> (2.1): the node's spec.listenPort (also
 * the port of sessions to it); for this node also spec.logSeverityScreen
 * and spec.prefixAdvertisements (with the communities it names). Calico
 * reads nothing else there. A bad field is ignored (warn), the rest
 * counts.
 */
static enum cal_res
v3_bgpconf_node(struct cal_ctx *x, const char *node)
{
	struct json_object *o;
	struct ds_bgp_config c;
	struct ds_log l;
	const char *why = NULL;
	bool set[2];

	if (strlen(node) >= DS_NAME_MAX)
		return CAL_NONE;	/* no node's: their names are shorter */
	if ((o = ds_cal_json(x)) == NULL)
		return CAL_BAD;
	x->e->kind = CK_NODECONF;
	memcpy(x->e->node, node, strlen(node) + 1);
	if (strcmp(node, x->c->self) != 0) {
		v3_bgpconf_other(x, o, node);
		ds_json_free(o);
		return CAL_FACT;
	}
	if (v3_log(o, &l, &why) == -1) {
		ds_cal_warn(x, why, NULL);
		memset(&l, 0, sizeof(l));
	}
	v3_conf_opts(x, o, &c, true, set);
	ds_json_free(o);
	ds_model_set_log(x->m, true, &l);
	ds_model_set_listen_port(x->m, node, c.listen_port);
	ds_model_set_node_advs(x->m, AF_INET, set[0], c.prefix_advs,
	    c.nprefix_advs);
	ds_model_set_node_advs(x->m, AF_INET6, set[1], c.prefix_advs,
	    c.nprefix_advs);
	ds_bgp_config_fini(&c);
	return CAL_FACT;
}

/*
 * bgpconfigurations/default: spec.asNumber, spec.nodeToNodeMeshEnabled,
 * spec.logSeverityScreen and issue 15's fields (calico_opts.c). A bad AS
 * or mesh flag makes the value bad; any other bad field is ignored
 * (warn), so that it never takes the AS or the mesh with it.
 */
enum cal_res
ds_cal_v3_bgpconf(struct cal_ctx *x, int arg)
{
	struct json_object *o;
	struct ds_bgp_config c;
	struct ds_log l;
	const char *why = NULL;
	uint32_t as;
	bool mesh, set[2];
	int rc;

	(void)arg;
	if (strncmp(x->cap[0], "node.", 5) == 0)
		return v3_bgpconf_node(x, x->cap[0] + 5);
	if (strcmp(x->cap[0], "default") != 0)
		return CAL_NONE;	/* no name Calico reads */
	if ((o = ds_cal_json(x)) == NULL)
		return CAL_BAD;
	rc = ds_cal_json_as(o, "spec.asNumber", &as);
	if (rc == 0)
		rc = ds_json_bool(o, "spec.nodeToNodeMeshEnabled", true, &mesh);
	if (rc == -1) {
		ds_json_free(o);
		return ds_cal_bad(x, "bad spec.asNumber or "
		    "nodeToNodeMeshEnabled");
	}
	if (v3_log(o, &l, &why) == -1) {
		ds_cal_warn(x, why, NULL);
		memset(&l, 0, sizeof(l));
	}
	v3_conf_opts(x, o, &c, false, set);
	ds_json_free(o);
	ds_model_set_global_as(x->m, as);
	ds_model_set_node_mesh(x->m, mesh);
	ds_model_set_log(x->m, false, &l);
	ds_model_set_bgp_config(x->m, &c);
	ds_bgp_config_fini(&c);
	x->e->kind = CK_BGPCONF;
	return CAL_FACT;
}

/*
 * /bgp/v1/global/loglevel, /bgp/v1/host/<node>/loglevel: raw debug, info
 * or none (calico-compat 1.1; Calico's own severities are taken too);
 * "" sets none. Another node's is not ours.
 */
enum cal_res
ds_cal_v2_loglevel(struct cal_ctx *x, int host)
{
	struct ds_log l;

	if (host && strcmp(x->cap[0], x->c->self) != 0)
		return CAL_NONE;
	if (x->val[0] == '\0')
		return CAL_NONE;
	if (ds_log_level_parse(x->val, &l.level) == -1)
		return ds_cal_bad(x, "unknown loglevel (debug, info, none)");
	l.set = true;
	ds_model_set_log(x->m, host, &l);
	x->e->kind = CK_LOGLEVEL;
	snprintf(x->e->node, sizeof(x->e->node), "%s", host ? x->c->self : "");
	return CAL_FACT;
}

/* /bgp/v1/global/as_num: raw decimal (or asdot). */
enum cal_res
ds_cal_v2_global_as(struct cal_ctx *x, int arg)
{
	uint32_t as = 0;

	(void)arg;
	if (x->val[0] != '\0' && num_parse_as(x->val, &as) != NUM_AS_OK)
		return ds_cal_bad(x, "bad AS number");
	ds_model_set_global_as(x->m, as);
	x->e->kind = CK_GLOBAL_AS;
	return CAL_FACT;
}

/* /bgp/v1/global/node_mesh: {"enabled":true} */
enum cal_res
ds_cal_v2_mesh(struct cal_ctx *x, int arg)
{
	struct json_object *o;
	bool on;
	int rc;

	(void)arg;
	if ((o = ds_cal_json(x)) == NULL)
		return CAL_BAD;
	rc = ds_json_bool(o, "enabled", true, &on);
	ds_json_free(o);
	if (rc == -1)
		return ds_cal_bad(x, "\"enabled\" is not a boolean");
	ds_model_set_node_mesh(x->m, on);
	x->e->kind = CK_MESH;
	return CAL_FACT;
}

/* --- v1 keys of issue 15 -------------------------------------------------- */

static enum cal_res
v2opt_set(struct cal_ctx *x, bool host, enum v2opt opt)
{
	x->e->kind = CK_V2OPT;
	x->e->opt = opt;
	snprintf(x->e->node, sizeof(x->e->node), "%s", host ? x->c->self : "");
	return CAL_FACT;
}

/*
 * /bgp/v1/global/listen_port, /bgp/v1/host/<node>/listen_port: raw
 * decimal 1..65535 ("": none). Every node's counts: it is the port of
 * sessions to that node.
 */
enum cal_res
ds_cal_v2_listen_port(struct cal_ctx *x, int host)
{
	struct ds_bgp_config c;
	uint64_t v = 0;

	if (x->val[0] != '\0' && (num_parse_u64(x->val, &v) == -1 || v == 0 ||
	    v > 65535))
		return ds_cal_bad(x, "bad listen port (1..65535)");
	if (host) {
		if (strlen(x->cap[0]) >= DS_NAME_MAX)
			return ds_cal_bad(x, "node name too long");
		ds_model_set_listen_port(x->m, x->cap[0], (uint16_t)v);
		x->e->kind = CK_V2OPT;
		x->e->opt = V2O_PORT;
		memcpy(x->e->node, x->cap[0], strlen(x->cap[0]) + 1);
		return CAL_FACT;
	}
	ds_bgp_config_copy(&c, ds_model_bgp_config(x->m));
	c.listen_port = (uint16_t)v;
	ds_model_set_bgp_config(x->m, &c);
	ds_bgp_config_fini(&c);
	return v2opt_set(x, false, V2O_PORT);
}

/* The global advs of one family replaced by a's. */
static void
global_advs(struct ds_model *m, uint8_t af, const struct ds_bgp_config *a)
{
	const struct ds_bgp_config *cur = ds_model_bgp_config(m);
	struct ds_bgp_config c;

	ds_bgp_config_copy(&c, cur);
	for (size_t i = 0; i < c.nprefix_advs; i++)
		ds_prefix_adv_fini(&c.prefix_advs[i]);
	c.nprefix_advs = 0;
	for (size_t i = 0; i < cur->nprefix_advs; i++)
		if (cur->prefix_advs[i].cidr.af != af)
			(void)ds_bgp_config_add_adv(&c, &cur->prefix_advs[i]);
	for (size_t i = 0; a != NULL && i < a->nprefix_advs; i++)
		(void)ds_bgp_config_add_adv(&c, &a->prefix_advs[i]);
	ds_model_set_bgp_config(m, &c);
	ds_bgp_config_fini(&c);
}

/* The v1 advs array: [{cidr, communities: [aa:nn...]}] of family af. */
static const char *
v2_advs_parse(struct cal_ctx *x, uint8_t af, struct ds_bgp_config *c)
{
	struct json_object *a;
	struct ds_prefix_adv adv;
	const char *why = NULL;

	if ((a = ds_json_parse_array(x->val, x->vlen, DS_JSON_DEPTH_VALUE,
	    &why)) == NULL)
		return strcmp(x->val, "null") == 0 ? NULL : why;
	for (size_t i = 0; why == NULL && i < ds_json_array_len(a); i++) {
		why = json_adv(ds_json_array_at(a, i), NULL, &adv);
		if (why == NULL && adv.cidr.af != af)
			why = "a cidr of the other family";
		if (why == NULL && ds_bgp_config_add_adv(c, &adv) == -1)
			why = "more than 500 entries";
		ds_prefix_adv_fini(&adv);
	}
	ds_json_free(a);
	return why;
}

/*
 * /bgp/v1/{global,host/<self>}/prefix_advertisements/ip_v4 (ip_v6): what
 * confd keeps for prefixAdvertisements, literal communities only. This
 * node's replace the global ones of the family (even "null": none).
 */
enum cal_res
ds_cal_v2_advs(struct cal_ctx *x, int af_host)
{
	uint8_t af = (uint8_t)(af_host & 0xff);
	bool host = (af_host & V2A_HOST) != 0;
	struct ds_bgp_config c;
	const char *why;

	if (host && strcmp(x->cap[0], x->c->self) != 0)
		return CAL_NONE;		/* another node's */
	ds_bgp_config_init(&c);
	if ((why = v2_advs_parse(x, af, &c)) != NULL) {
		ds_bgp_config_fini(&c);
		return ds_cal_badf(x, "bad prefix advertisements: %s", why);
	}
	if (host)
		ds_model_set_node_advs(x->m, af, true, c.prefix_advs,
		    c.nprefix_advs);
	else
		global_advs(x->m, af, &c);
	ds_bgp_config_fini(&c);
	return v2opt_set(x, host, af == AF_INET ? V2O_ADV4 : V2O_ADV6);
}

void
ds_cal_undo_v2opt(struct ds_model *m, const struct cal_ent *e)
{
	struct ds_bgp_config c;
	uint8_t af = e->opt == V2O_ADV4 ? AF_INET : AF_INET6;

	if (e->opt == V2O_PORT && e->node[0] != '\0') {
		ds_model_set_listen_port(m, e->node, 0);
	} else if (e->opt == V2O_PORT) {
		ds_bgp_config_copy(&c, ds_model_bgp_config(m));
		c.listen_port = 0;
		ds_model_set_bgp_config(m, &c);
		ds_bgp_config_fini(&c);
	} else if (e->node[0] != '\0') {
		ds_model_set_node_advs(m, af, false, NULL, 0);
	} else {
		global_advs(m, af, NULL);
	}
}

