/*
 * cluster_bgp.c: issue 15's options in the cluster file.
 *
 * Owns the snake_case spelling of Calico's BGPPeer, BGPConfiguration and
 * BGPFilter fields (model.h lists them with their defaults) and their
 * validation, as strict as the rest of clusterfile.c: a wrong type, a
 * number out of range, an unknown enum value (Calico's exact spelling), a
 * bad CIDR, community, duration, name or interface pattern, fields
 * Calico's API refuses together, a filter named twice and a peer naming a
 * filter the file does not define are errors naming the file, line and
 * key. It fills the fresh model clusterfile.c gives it and must not log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clusterfile.h"
#include "num.h"
#include "options.h"
#include "xmalloc.h"

/* A filter name a peer uses, checked once every filter is read. */
struct cf_ref {
	char		*name;
	unsigned long	 line;
	char		 key[160];
};

/* --- scalars ------------------------------------------------------------- */

/* An unquoted decimal integer 0..max. */
static int
cf_uint(struct cctx *x, const struct ynode *n, const char *key,
    uint64_t max, uint64_t *v)
{
	if (ycx_scalar(&x->y, n, key, "an integer") == -1)
		return -1;
	if (n->quoted || num_parse_u64(n->str, v) == -1)
		return kerr(x, n->line, key, "expected an integer, got "
		    "\"%.32s\"", n->str);
	if (*v > max)
		return kerr(x, n->line, key, "%s is out of range (0..%llu)",
		    n->str, (unsigned long long)max);
	return 0;
}

/* One of Calico's spellings of names[]. */
static int
cf_enum(struct cctx *x, const struct ynode *n, const char *key,
    const char *const *names, size_t nn, int *v)
{
	char list[160] = "";

	if (ycx_scalar(&x->y, n, key, "a name") == -1)
		return -1;
	if ((*v = ds_enum_parse(n->str, names, nn)) != -1)
		return 0;
	for (size_t i = 0; i < nn; i++)
		if (names[i][0] != '\0')
			snprintf(list + strlen(list), sizeof(list) -
			    strlen(list), "%s%s", list[0] ? ", " : "",
			    names[i]);
	return kerr(x, n->line, key, "\"%.32s\" is not one of %s", n->str,
	    list);
}

/* A Go duration ("120s", "2m") of whole seconds 0..max. */
static int
cf_secs(struct cctx *x, const struct ynode *n, const char *key, int64_t max,
    int32_t *secs)
{
	int64_t ns;

	if (ycx_scalar(&x->y, n, key, "a duration") == -1)
		return -1;
	if (ds_duration_parse(n->str, &ns) == -1)
		return kerr(x, n->line, key, "\"%.32s\" is not a duration "
		    "(such as 120s, 2m, 1h30m)", n->str);
	if (ds_duration_secs(n->str, max, secs) == -1)
		return kerr(x, n->line, key, "%.32s is out of range (0..%lld "
		    "s)", n->str, (long long)max);
	return 0;
}

/* A non-empty path (a password file: read by whoever uses it). */
static int
cf_path(struct cctx *x, const struct ynode *n, const char *key,
    struct ds_password *pw)
{
	if (ycx_scalar(&x->y, n, key, "a file name") == -1)
		return -1;
	if (ynode_is_null(n) || n->str[0] == '\0')
		return kerr(x, n->line, key, "must not be empty");
	ds_password_set(pw, DS_PW_FILE, n->str, NULL);
	return 0;
}

/* --- a peer's options ---------------------------------------------------- */

static struct ds_peer_opts *
popts(struct cf_popts *p, const struct ynode *n)
{
	if (p->o == NULL) {
		p->o = ds_peer_opts_new();
		p->line = n->line;
	}
	return p->o;
}

static int
pf_local_as(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	return ycx_as(&x->y, n, key, &popts(o, n)->local_as);
}

static int
pf_source(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	int v;

	if (cf_enum(x, n, key, ds_source_addr_names,
	    NITEMS(ds_source_addr_names), &v) == -1)
		return -1;
	popts(o, n)->source_addr = (enum ds_source_addr)v;
	return 0;
}

static int
pf_keep_nh(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	struct cf_popts *p = o;

	p->keep_line = n->line;
	return ycx_bool(&x->y, n, key, &popts(p, n)->keep_next_hop);
}

static int
pf_nh_mode(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	struct cf_popts *p = o;
	int v;

	if (cf_enum(x, n, key, ds_next_hop_names, NITEMS(ds_next_hop_names),
	    &v) == -1)
		return -1;
	p->nh_line = n->line;
	popts(p, n)->next_hop = (enum ds_next_hop)v;
	return 0;
}

static int
pf_restart_mode(struct cctx *x, const struct ynode *n, const char *key,
    void *o)
{
	int v;

	if (cf_enum(x, n, key, ds_restart_mode_names,
	    NITEMS(ds_restart_mode_names), &v) == -1)
		return -1;
	popts(o, n)->restart_mode = (enum ds_restart_mode)v;
	return 0;
}

/* checked at the end, against restart_mode */
static int
pf_max_restart(struct cctx *x, const struct ynode *n, const char *key,
    void *o)
{
	struct cf_popts *p = o;

	(void)x;
	(void)popts(p, n);
	p->mrt = n;
	p->mrt_line = n->line;
	snprintf(p->mrt_key, sizeof(p->mrt_key), "%s", key);
	return 0;
}

static int
pf_keepalive(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	struct ds_peer_opts *po = popts(o, n);

	if (cf_secs(x, n, key, DS_KEEPALIVE_MAX, &po->keepalive_time) == -1)
		return -1;
	if (po->keepalive_time == 0)
		return kerr(x, n->line, key, "must be at least 1s");
	return 0;
}

static int
pf_num_local_as(struct cctx *x, const struct ynode *n, const char *key,
    void *o)
{
	uint64_t v;

	if (cf_uint(x, n, key, INT32_MAX, &v) == -1)
		return -1;
	popts(o, n)->num_allow_local_as = (uint32_t)v;
	return 0;
}

static int
pf_ttl(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	uint64_t v;

	if (cf_uint(x, n, key, 255, &v) == -1)
		return -1;
	popts(o, n)->ttl_security = (uint8_t)v;
	return 0;
}

static int
pf_reachable(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	struct cf_popts *p = o;

	if (ycx_scalar(&x->y, n, key, "an IP address") == -1)
		return -1;
	if (addr_parse(n->str, &popts(p, n)->reachable_by) == -1)
		return kerr(x, n->line, key, "\"%.48s\" is not an IP address",
		    n->str);
	p->reach_line = n->line;
	return 0;
}

static int
pf_password(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	return cf_path(x, n, key, &popts(o, n)->password);
}

static int
pf_fdm(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	int v;

	if (cf_enum(x, n, key, ds_failure_detection_names,
	    NITEMS(ds_failure_detection_names), &v) == -1)
		return -1;
	popts(o, n)->failure_detection = (enum ds_failure_detection)v;
	return 0;
}

static void
ref_add(struct cctx *x, const char *name, unsigned long line,
    const char *key)
{
	struct cf_ref *r;

	x->refs = xreallocarray(x->refs, x->nrefs + 1, sizeof(*x->refs));
	r = &x->refs[x->nrefs++];
	r->name = xstrdup(name);
	r->line = line;
	snprintf(r->key, sizeof(r->key), "%s", key);
}

static int
pf_filter(struct cctx *x, const struct ynode *n, const char *key,
    size_t idx, void *o)
{
	(void)idx;
	if (ycx_scalar(&x->y, n, key, "a filter name") == -1)
		return -1;
	if (!ds_k8s_name_ok(n->str))
		return kerr(x, n->line, key, "\"%.48s\" is not a filter name "
		    "(lower-case letters, digits, '-', '.')", n->str);
	if (ds_peer_opts_add_filter(o, n->str) == -1)
		return kerr(x, n->line, key, "more than %d filters",
		    DS_PEER_FILTERS_MAX);
	ref_add(x, n->str, n->line, key);
	return 0;
}

static int
pf_filters(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	return ds_cf_walk_seq(x, n, key, pf_filter, popts(o, n));
}

const struct cfield ds_cf_peer_fields[] = {
	{ "local_as_number", pf_local_as },
	{ "source_address", pf_source },
	{ "keep_original_next_hop", pf_keep_nh },
	{ "next_hop_mode", pf_nh_mode },
	{ "restart_mode", pf_restart_mode },
	{ "max_restart_time", pf_max_restart },
	{ "keepalive_time", pf_keepalive },
	{ "num_allowed_local_as_numbers", pf_num_local_as },
	{ "ttl_security", pf_ttl },
	{ "reachable_by", pf_reachable },
	{ "password_file", pf_password },
	{ "failure_detection_mode", pf_fdm },
	{ "filters", pf_filters },
};
const size_t ds_cf_npeer_fields = NITEMS(ds_cf_peer_fields);

/*
 * What Calico's API refuses together (bgppeer.go's rules): reachable_by
 * without ip, or of the other family; keep_original_next_hop: true with
 * next_hop_mode. max_restart_time's bound follows restart_mode.
 */
int
ds_cf_peer_opts_end(struct cctx *x, struct cf_popts *p, const char *key,
    struct ds_model_peer *mp)
{
	struct ds_peer_opts *o = p->o;
	char k[200];

	if (o == NULL)
		return 0;
	if (p->mrt != NULL && cf_secs(x, p->mrt, p->mrt_key, o->restart_mode ==
	    DS_RESTART_LLGR ? DS_LLGR_TIME_MAX : DS_GR_TIME_MAX,
	    &o->restart_time) == -1)
		return -1;
	snprintf(k, sizeof(k), "%s.reachable_by", key);
	if (p->reach_line != 0 && mp->peer_sel != NULL)
		return kerr(x, p->reach_line, k, "must be empty without ip");
	if (p->reach_line != 0 && o->reachable_by.af != mp->addr.af)
		return kerr(x, p->reach_line, k, "not of ip's address family");
	snprintf(k, sizeof(k), "%s.next_hop_mode", key);
	if (p->nh_line != 0 && o->keep_next_hop)
		return kerr(x, p->nh_line, k, "keep_original_next_hop and "
		    "next_hop_mode cannot both be set (use next_hop_mode: "
		    "Keep)");
	mp->opts = o;
	p->o = NULL;
	return 0;
}

void
ds_cf_peer_opts_fini(struct cf_popts *p)
{
	ds_peer_opts_unref(p->o);
	p->o = NULL;
}

/* --- BGP configuration --------------------------------------------------- */

static int
cf_listen_port(struct cctx *x, const struct ynode *n, const char *key,
    void *o)
{
	uint64_t v;

	if (cf_uint(x, n, key, 65535, &v) == -1)
		return -1;
	if (v == 0)
		return kerr(x, n->line, key, "0 is out of range (1..65535)");
	((struct cf_conf *)o)->c.listen_port = (uint16_t)v;
	return 0;
}

static int
cf_bind_mode(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	int v;

	if (cf_enum(x, n, key, ds_bind_mode_names, NITEMS(ds_bind_mode_names),
	    &v) == -1)
		return -1;
	((struct cf_conf *)o)->c.bind_mode = (enum ds_bind_mode)v;
	return 0;
}

/* communities[]: {name, value} */
struct comm_obj {
	const struct ynode	*name, *value;
};

static int
comm_name(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	(void)x;
	(void)key;
	((struct comm_obj *)o)->name = n;
	return 0;
}

static int
comm_value(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	(void)x;
	(void)key;
	((struct comm_obj *)o)->value = n;
	return 0;
}

static int
cf_community(struct cctx *x, const struct ynode *n, const char *key,
    size_t idx, void *o)
{
	static const struct cfield f[] = {
		{ "name", comm_name },
		{ "value", comm_value },
	};
	struct cf_conf *cc = o;
	struct comm_obj co = { NULL, NULL };
	struct ds_community c;
	char k[200];

	(void)idx;
	if (ds_cf_walk_map(x, n, key, f, NITEMS(f), &co, NULL, 0, NULL) == -1)
		return -1;
	snprintf(k, sizeof(k), "%s.%s", key, co.name == NULL ? "name" :
	    "value");
	if (co.name == NULL || co.value == NULL)
		return kerr(x, n->line, k, "missing");
	snprintf(k, sizeof(k), "%s.name", key);
	if (ycx_scalar(&x->y, co.name, k, "a name") == -1)
		return -1;
	if (!ds_k8s_name_ok(co.name->str))
		return kerr(x, co.name->line, k, "\"%.48s\" is not a name "
		    "(lower-case letters, digits, '-', '.')", co.name->str);
	if (ds_bgp_config_community(&cc->c, co.name->str) != NULL)
		return kerr(x, co.name->line, k, "duplicate community \"%s\"",
		    co.name->str);
	snprintf(k, sizeof(k), "%s.value", key);
	if (ycx_scalar(&x->y, co.value, k, "a community") == -1)
		return -1;
	if (ds_community_parse(co.value->str, &c) != 0)
		return kerr(x, co.value->line, k, "\"%.32s\" is not a "
		    "community (aa:nn, 16 bits each, or aa:nn:mm, 32 bits "
		    "each)", co.value->str);
	if (ds_bgp_config_add_community(&cc->c, co.name->str, &c) == -1)
		return kerr(x, n->line, key, "more than %d communities",
		    DS_COMMUNITIES_MAX);
	return 0;
}

static int
cf_communities(struct cctx *x, const struct ynode *n, const char *key,
    void *o)
{
	return ds_cf_walk_seq(x, n, key, cf_community, o);
}

/* read at the end, once communities are known */
static int
cf_advs(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	struct cf_conf *cc = o;

	(void)x;
	cc->advs = n;
	snprintf(cc->advs_key, sizeof(cc->advs_key), "%s", key);
	return 0;
}

/* One CIDR: "10.96.0.0/12" or Calico's {cidr: 10.96.0.0/12}. */
static int
cf_svc_cidr(struct cctx *x, const struct ynode *n, const char *key,
    size_t idx, void *o)
{
	const struct ynode *c = n;
	struct prefix p;
	char k[200];

	(void)idx;
	if (n->type == Y_MAP) {
		if (n->child == NULL || n->child->next != NULL ||
		    strcmp(n->child->key, "cidr") != 0)
			return kerr(x, n->line, key, "expected a CIDR or "
			    "{cidr: CIDR}");
		c = n->child;
		snprintf(k, sizeof(k), "%s.cidr", key);
		key = k;
	}
	if (ycx_scalar(&x->y, c, key, "a CIDR") == -1)
		return -1;
	if (ds_net_parse(c->str, &p) == -1)
		return kerr(x, c->line, key, "\"%.48s\" is not a CIDR (address"
		    "/length, host bits zero)", c->str);
	if (ds_prefixes_add(o, &p) == -1)
		return kerr(x, c->line, key, "more than %d CIDRs",
		    DS_LIST_MAX);
	return 0;
}

static int
cf_svc_cluster(struct cctx *x, const struct ynode *n, const char *key,
    void *o)
{
	return ds_cf_walk_seq(x, n, key, cf_svc_cidr,
	    &((struct cf_conf *)o)->c.svc_cluster_ips);
}

static int
cf_svc_external(struct cctx *x, const struct ynode *n, const char *key,
    void *o)
{
	return ds_cf_walk_seq(x, n, key, cf_svc_cidr,
	    &((struct cf_conf *)o)->c.svc_external_ips);
}

static int
cf_svc_lb(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	return ds_cf_walk_seq(x, n, key, cf_svc_cidr,
	    &((struct cf_conf *)o)->c.svc_lb_ips);
}

static int
cf_iface(struct cctx *x, const struct ynode *n, const char *key, size_t idx,
    void *o)
{
	(void)idx;
	if (ycx_scalar(&x->y, n, key, "an interface pattern") == -1)
		return -1;
	if (!ds_iface_pattern_ok(n->str, false))
		return kerr(x, n->line, key, "\"%.32s\" is not an interface "
		    "pattern ([a-zA-Z0-9_.*-], 1..15 characters, not \"*\")",
		    n->str);
	if (ds_bgp_config_add_iface(o, n->str) == -1)
		return kerr(x, n->line, key, "more than %d interfaces",
		    DS_IGNORED_IFACES_MAX);
	return 0;
}

static int
cf_ifaces(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	return ds_cf_walk_seq(x, n, key, cf_iface, &((struct cf_conf *)o)->c);
}

static int
cf_mesh_pw(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	return cf_path(x, n, key, &((struct cf_conf *)o)->c.mesh_password);
}

static int
cf_mesh_restart(struct cctx *x, const struct ynode *n, const char *key,
    void *o)
{
	return cf_secs(x, n, key, DS_GR_TIME_MAX,
	    &((struct cf_conf *)o)->c.mesh_restart_time);
}

static int cf_filters(struct cctx *, const struct ynode *, const char *,
    void *);

const struct cfield ds_cf_top_fields[] = {
	{ "listen_port", cf_listen_port },
	{ "bind_mode", cf_bind_mode },
	{ "communities", cf_communities },
	{ "prefix_advertisements", cf_advs },
	{ "service_cluster_ips", cf_svc_cluster },
	{ "service_external_ips", cf_svc_external },
	{ "service_loadbalancer_ips", cf_svc_lb },
	{ "ignored_interfaces", cf_ifaces },
	{ "node_mesh_password_file", cf_mesh_pw },
	{ "node_mesh_max_restart_time", cf_mesh_restart },
	{ "filters", cf_filters },
};
const size_t ds_cf_ntop_fields = NITEMS(ds_cf_top_fields);

/* Calico's node.<name>: listenPort and prefixAdvertisements (and the
 * communities they name) */
const struct cfield ds_cf_node_fields[] = {
	{ "listen_port", cf_listen_port },
	{ "communities", cf_communities },
	{ "prefix_advertisements", cf_advs },
};
const size_t ds_cf_nnode_fields = NITEMS(ds_cf_node_fields);

/* prefix_advertisements[]: {cidr, communities: [name or aa:nn...]} */
struct adv_obj {
	struct ds_prefix_adv	 a;
	unsigned long		 cidr_line;
	const struct ds_bgp_config *defs;
};

static int
adv_cidr(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	struct adv_obj *ao = o;

	ao->cidr_line = n->line;
	if (ycx_scalar(&x->y, n, key, "a CIDR") == -1)
		return -1;
	if (ds_net_parse(n->str, &ao->a.cidr) == -1)
		return kerr(x, n->line, key, "\"%.48s\" is not a CIDR (address"
		    "/length, host bits zero)", n->str);
	return 0;
}

static int
adv_comm(struct cctx *x, const struct ynode *n, const char *key, size_t idx,
    void *o)
{
	struct adv_obj *ao = o;
	const char *why;

	(void)idx;
	if (ycx_scalar(&x->y, n, key, "a community") == -1)
		return -1;
	if ((why = ds_prefix_adv_add(&ao->a, n->str, ao->defs)) != NULL)
		return kerr(x, n->line, key, "\"%.48s\": %s", n->str, why);
	return 0;
}

static int
adv_comms(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	return ds_cf_walk_seq(x, n, key, adv_comm, o);
}

static int
cf_adv(struct cctx *x, const struct ynode *n, const char *key, size_t idx,
    void *o)
{
	static const struct cfield f[] = {
		{ "cidr", adv_cidr },
		{ "communities", adv_comms },
	};
	struct cf_conf *cc = o;
	struct adv_obj ao;
	char k[200];
	int rc = 0;

	(void)idx;
	memset(&ao, 0, sizeof(ao));
	ao.defs = &cc->c;
	if (ds_cf_walk_map(x, n, key, f, NITEMS(f), &ao, NULL, 0, NULL) == -1)
		rc = -1;
	else if (ao.cidr_line == 0) {
		snprintf(k, sizeof(k), "%s.cidr", key);
		rc = kerr(x, n->line, k, "missing");
	} else if (ds_bgp_config_add_adv(&cc->c, &ao.a) == -1)
		rc = kerr(x, n->line, key, "more than %d entries",
		    DS_COMMUNITIES_MAX);
	ds_prefix_adv_fini(&ao.a);
	return rc;
}

int
ds_cf_conf_end(struct cctx *x, struct cf_conf *cc)
{
	if (cc->advs == NULL)
		return 0;
	return ds_cf_walk_seq(x, cc->advs, cc->advs_key, cf_adv, cc);
}

/* --- BGPFilters ---------------------------------------------------------- */

struct rule_obj {
	struct ds_filter_rule	 r;
	uint8_t			 af;
	bool			 has_action;
};

static int
rf_cidr(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	struct rule_obj *ro = o;

	if (ycx_scalar(&x->y, n, key, "a CIDR") == -1)
		return -1;
	if (ds_net_parse(n->str, &ro->r.cidr) == -1 || ro->r.cidr.af != ro->af)
		return kerr(x, n->line, key, "\"%.48s\" is not an %s CIDR "
		    "(address/length, host bits zero)", n->str,
		    ro->af == AF_INET ? "IPv4" : "IPv6");
	return 0;
}

static int
rf_len(struct cctx *x, const struct ynode *n, const char *key, void *o,
    int16_t *out)
{
	uint64_t v;

	if (cf_uint(x, n, key, af_maxlen(((struct rule_obj *)o)->af),
	    &v) == -1)
		return -1;
	*out = (int16_t)v;
	return 0;
}

static int
rf_min(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	return rf_len(x, n, key, o, &((struct rule_obj *)o)->r.min_len);
}

static int
rf_max(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	return rf_len(x, n, key, o, &((struct rule_obj *)o)->r.max_len);
}

static int
rf_prefix_len(struct cctx *x, const struct ynode *n, const char *key,
    void *o)
{
	static const struct cfield f[] = {
		{ "min", rf_min },
		{ "max", rf_max },
	};

	((struct rule_obj *)o)->r.has_len = true;
	return ds_cf_walk_map(x, n, key, f, NITEMS(f), o, NULL, 0, NULL);
}

#define RULE_ENUM(fn, field, names, type)				\
static int								\
fn(struct cctx *x, const struct ynode *n, const char *key, void *o)	\
{									\
	int v;								\
									\
	if (cf_enum(x, n, key, names, NITEMS(names), &v) == -1)		\
		return -1;						\
	((struct rule_obj *)o)->r.field = (type)v;			\
	return 0;							\
}

RULE_ENUM(rf_op, op, ds_filter_op_names, enum ds_filter_op)
RULE_ENUM(rf_source, source, ds_filter_source_names, enum ds_filter_source)
RULE_ENUM(rf_peer_type, peer_type, ds_filter_peer_type_names,
    enum ds_filter_peer_type)

static int
rf_action(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	struct rule_obj *ro = o;
	int v;

	if (cf_enum(x, n, key, ds_filter_action_names,
	    NITEMS(ds_filter_action_names), &v) == -1)
		return -1;
	ro->r.action = (enum ds_filter_action)v;
	ro->has_action = true;
	return 0;
}

static int
rf_iface(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	struct rule_obj *ro = o;

	if (ycx_scalar(&x->y, n, key, "an interface pattern") == -1)
		return -1;
	if (!ds_iface_pattern_ok(n->str, true))
		return kerr(x, n->line, key, "\"%.32s\" is not an interface "
		    "pattern ([a-zA-Z0-9_.*-], 1..15 characters)", n->str);
	snprintf(ro->r.iface, sizeof(ro->r.iface), "%s", n->str);
	return 0;
}

/* The rules of one direction. */
struct dir_walk {
	struct ds_filter	*f;
	enum ds_filter_dir	 d;
};

static int
cf_rule(struct cctx *x, const struct ynode *n, const char *key, size_t idx,
    void *o)
{
	static const struct cfield f[] = {
		{ "cidr", rf_cidr },
		{ "prefix_length", rf_prefix_len },
		{ "match_operator", rf_op },
		{ "source", rf_source },
		{ "interface", rf_iface },
		{ "peer_type", rf_peer_type },
		{ "action", rf_action },
	};
	struct dir_walk *w = o;
	struct rule_obj ro;
	enum ds_filter_dir d = w->d;
	const char *why;
	char k[200];

	(void)idx;
	memset(&ro, 0, sizeof(ro));
	ro.r.min_len = ro.r.max_len = -1;
	ro.af = d == DS_FILTER_EXPORT_V4 || d == DS_FILTER_IMPORT_V4 ?
	    AF_INET : AF_INET6;
	if (ds_cf_walk_map(x, n, key, f, NITEMS(f), &ro, NULL, 0, NULL) == -1)
		return -1;
	snprintf(k, sizeof(k), "%s.action", key);
	if (!ro.has_action)
		return kerr(x, n->line, k, "missing");
	if ((why = ds_filter_rule_check(&ro.r, ro.af)) != NULL)
		return kerr(x, n->line, key, "%s", why);
	if (ds_filter_add_rule(w->f, d, &ro.r) == -1)
		return kerr(x, n->line, key, "more than %d rules",
		    DS_FILTER_RULES_MAX);
	return 0;
}

struct filter_obj {
	struct ds_filter	 f;
	unsigned long		 name_line;
};

static int
ff_name(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	struct filter_obj *fo = o;

	if (ycx_scalar(&x->y, n, key, "a filter name") == -1)
		return -1;
	if (!ds_k8s_name_ok(n->str))
		return kerr(x, n->line, key, "\"%.48s\" is not a filter name "
		    "(lower-case letters, digits, '-', '.')", n->str);
	snprintf(fo->f.name, sizeof(fo->f.name), "%s", n->str);
	fo->name_line = n->line;
	return 0;
}

static int
ff_dir(struct cctx *x, const struct ynode *n, const char *key, void *o,
    enum ds_filter_dir d)
{
	struct dir_walk w = { &((struct filter_obj *)o)->f, d };

	return ds_cf_walk_seq(x, n, key, cf_rule, &w);
}

static int
ff_export4(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	return ff_dir(x, n, key, o, DS_FILTER_EXPORT_V4);
}

static int
ff_import4(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	return ff_dir(x, n, key, o, DS_FILTER_IMPORT_V4);
}

static int
ff_export6(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	return ff_dir(x, n, key, o, DS_FILTER_EXPORT_V6);
}

static int
ff_import6(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	return ff_dir(x, n, key, o, DS_FILTER_IMPORT_V6);
}

static int
cf_filter(struct cctx *x, const struct ynode *n, const char *key, size_t idx,
    void *o)
{
	static const struct cfield f[] = {
		{ "name", ff_name },
		{ "export_v4", ff_export4 },
		{ "import_v4", ff_import4 },
		{ "export_v6", ff_export6 },
		{ "import_v6", ff_import6 },
	};
	struct filter_obj fo;
	char k[200];
	int rc = 0;

	(void)idx;
	(void)o;
	memset(&fo, 0, sizeof(fo));
	snprintf(k, sizeof(k), "%s.name", key);
	if (ds_cf_walk_map(x, n, key, f, NITEMS(f), &fo, NULL, 0, NULL) == -1)
		rc = -1;
	else if (fo.name_line == 0)
		rc = kerr(x, n->line, k, "missing");
	else if (ds_model_filter_get(x->m, fo.f.name) != NULL)
		rc = kerr(x, fo.name_line, k, "duplicate filter \"%s\"",
		    fo.f.name);
	else
		rc = ds_model_filter_set(x->m, &fo.f);
	ds_filter_fini(&fo.f);
	return rc;
}

static int
cf_filters(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	return ds_cf_walk_seq(x, n, key, cf_filter, o);
}

int
ds_cf_check_refs(struct cctx *x)
{
	for (size_t i = 0; i < x->nrefs; i++)
		if (ds_model_filter_get(x->m, x->refs[i].name) == NULL)
			return kerr(x, x->refs[i].line, x->refs[i].key,
			    "no filter \"%s\" in filters", x->refs[i].name);
	return 0;
}

void
ds_cf_fini(struct cctx *x)
{
	for (size_t i = 0; i < x->nrefs; i++)
		free(x->refs[i].name);
	free(x->refs);
	x->refs = NULL;
	x->nrefs = 0;
}
