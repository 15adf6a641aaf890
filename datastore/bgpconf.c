/*
 * bgpconf.c: the model's BGPConfiguration and BGPFilter facts and views.
 *
 * Owns, inside struct ds_model, the default BGPConfiguration's values
 * (conf), this node's own prefixAdvertisements per family (nconf,
 * nadv_set), every node's listenPort (a tree by node name, as confd's
 * nodeListenPorts) and the BGPFilters (a tree by name), and their views:
 * this node's configuration (vconf) and the filters (vfilters). A commit
 * derives both from scratch when a setter touched them and reports only a
 * difference: config_changed with the whole new configuration, and
 * filter_changed per filter (removals and changes first, then additions,
 * as model.c does for the other views). Every value is copied in and out;
 * it must not log, and knows no source.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "options.h"
#include "xmalloc.h"

struct ds_mport {
	RB_ENTRY(ds_mport)	 entry;
	char			 name[DS_NAME_MAX];
	uint16_t		 port;
};

struct ds_mfilter {
	RB_ENTRY(ds_mfilter)	 entry;
	struct ds_filter	 f;
};

static int
mport_cmp(const struct ds_mport *a, const struct ds_mport *b)
{
	return strcmp(a->name, b->name);
}

static int
mfilter_cmp(const struct ds_mfilter *a, const struct ds_mfilter *b)
{
	return strcmp(a->f.name, b->f.name);
}

#define DS_RB_STATIC	__attribute__((unused)) static
RB_GENERATE_INTERNAL(ds_mport_tree, ds_mport, entry, mport_cmp, DS_RB_STATIC)
RB_GENERATE_INTERNAL(ds_mfilter_tree, ds_mfilter, entry, mfilter_cmp,
    DS_RB_STATIC)

static int
af_index(uint8_t af)
{
	return af == AF_INET6;
}

void
ds_bgpconf_init(struct ds_model *m)
{
	ds_bgp_config_init(&m->conf);
	ds_bgp_config_init(&m->nconf);
	ds_bgp_config_init(&m->vconf);
	m->nadv_set[0] = m->nadv_set[1] = false;
	RB_INIT(&m->ports);
	RB_INIT(&m->filters);
	m->nfilters = 0;
	m->vfilters = NULL;
	m->nvfilters = 0;
}

void
ds_bgpconf_clear(struct ds_model *m)
{
	struct ds_mport *p, *p2;
	struct ds_mfilter *f, *f2;

	RB_FOREACH_SAFE(p, ds_mport_tree, &m->ports, p2) {
		RB_REMOVE(ds_mport_tree, &m->ports, p);
		free(p);
	}
	RB_FOREACH_SAFE(f, ds_mfilter_tree, &m->filters, f2) {
		RB_REMOVE(ds_mfilter_tree, &m->filters, f);
		ds_filter_fini(&f->f);
		free(f);
	}
	m->nfilters = 0;
	ds_bgp_config_fini(&m->conf);
	ds_bgp_config_fini(&m->nconf);
	m->nadv_set[0] = m->nadv_set[1] = false;
}

void
ds_bgpconf_take(struct ds_model *dst, struct ds_model *src)
{
	dst->conf = src->conf;
	dst->nconf = src->nconf;
	dst->nadv_set[0] = src->nadv_set[0];
	dst->nadv_set[1] = src->nadv_set[1];
	dst->ports = src->ports;
	dst->filters = src->filters;
	dst->nfilters = src->nfilters;
	ds_bgp_config_init(&src->conf);
	ds_bgp_config_init(&src->nconf);
	src->nadv_set[0] = src->nadv_set[1] = false;
	RB_INIT(&src->ports);
	RB_INIT(&src->filters);
	src->nfilters = 0;
}

static void
vfilters_free(struct ds_filter *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ds_filter_fini(&v[i]);
	free(v);
}

void
ds_bgpconf_fini(struct ds_model *m)
{
	ds_bgpconf_clear(m);
	ds_bgp_config_fini(&m->vconf);
	vfilters_free(m->vfilters, m->nvfilters);
	m->vfilters = NULL;
	m->nvfilters = 0;
}

/* --- facts --------------------------------------------------------------- */

void
ds_model_set_bgp_config(struct ds_model *m, const struct ds_bgp_config *c)
{
	ds_bgp_config_fini(&m->conf);
	if (c != NULL)
		ds_bgp_config_copy(&m->conf, c);
	m->dirty |= DS_DIRTY_CONFIG | DS_DIRTY_PEERS;
}

const struct ds_bgp_config *
ds_model_bgp_config(const struct ds_model *m)
{
	return &m->conf;
}

/* Copy the advertisements of family af from src (af 0: all) to dst. */
static void
advs_copy(struct ds_bgp_config *dst, const struct ds_prefix_adv *a, size_t n,
    uint8_t af)
{
	for (size_t i = 0; i < n; i++)
		if (af == 0 || a[i].cidr.af == af)
			(void)ds_bgp_config_add_adv(dst, &a[i]);
}

void
ds_model_set_node_advs(struct ds_model *m, uint8_t af, bool set,
    const struct ds_prefix_adv *a, size_t n)
{
	struct ds_bgp_config keep;
	uint8_t other = af == AF_INET ? AF_INET6 : AF_INET;

	if (af != AF_INET && af != AF_INET6)
		return;
	ds_bgp_config_init(&keep);
	advs_copy(&keep, m->nconf.prefix_advs, m->nconf.nprefix_advs, other);
	if (set)
		advs_copy(&keep, a, n, af);
	ds_bgp_config_fini(&m->nconf);
	m->nconf = keep;
	m->nadv_set[af_index(af)] = set;
	m->dirty |= DS_DIRTY_CONFIG;
}

static struct ds_mport *
find_port(const struct ds_model *m, const char *node)
{
	struct ds_mport key;

	if (node == NULL || memchr(node, '\0', DS_NAME_MAX) == NULL)
		return NULL;
	memcpy(key.name, node, strlen(node) + 1);
	return RB_FIND(ds_mport_tree, (struct ds_mport_tree *)&m->ports,
	    &key);
}

void
ds_model_set_listen_port(struct ds_model *m, const char *node, uint16_t port)
{
	struct ds_mport *e = find_port(m, node);

	if (port == 0) {
		if (e == NULL)
			return;
		RB_REMOVE(ds_mport_tree, &m->ports, e);
		free(e);
	} else {
		if (e == NULL) {
			if (node == NULL || *node == '\0' ||
			    memchr(node, '\0', DS_NAME_MAX) == NULL)
				return;
			e = xcalloc(1, sizeof(*e));
			memcpy(e->name, node, strlen(node) + 1);
			RB_INSERT(ds_mport_tree, &m->ports, e);
		}
		e->port = port;
	}
	m->dirty |= DS_DIRTY_CONFIG | DS_DIRTY_PEERS;
}

uint16_t
ds_model_listen_port(const struct ds_model *m, const char *node)
{
	const struct ds_mport *e = find_port(m, node);

	return e != NULL ? e->port : m->conf.listen_port;
}

static struct ds_mfilter *
find_filter(const struct ds_model *m, const char *name)
{
	struct ds_mfilter key;

	if (name == NULL || memchr(name, '\0', DS_RES_NAME_MAX) == NULL)
		return NULL;
	memcpy(key.f.name, name, strlen(name) + 1);
	return RB_FIND(ds_mfilter_tree, (struct ds_mfilter_tree *)&m->filters,
	    &key);
}

int
ds_model_filter_set(struct ds_model *m, const struct ds_filter *f)
{
	struct ds_mfilter *e;

	if (memchr(f->name, '\0', sizeof(f->name)) == NULL ||
	    !ds_k8s_name_ok(f->name))
		return -1;
	if ((e = find_filter(m, f->name)) == NULL) {
		e = xcalloc(1, sizeof(*e));
		memcpy(e->f.name, f->name, strlen(f->name) + 1);
		RB_INSERT(ds_mfilter_tree, &m->filters, e);
		m->nfilters++;
	} else {
		ds_filter_fini(&e->f);
	}
	ds_filter_copy(&e->f, f);
	m->dirty |= DS_DIRTY_FILTERS;
	return 0;
}

void
ds_model_filter_del(struct ds_model *m, const char *name)
{
	struct ds_mfilter *e = find_filter(m, name);

	if (e == NULL)
		return;
	RB_REMOVE(ds_mfilter_tree, &m->filters, e);
	ds_filter_fini(&e->f);
	free(e);
	m->nfilters--;
	m->dirty |= DS_DIRTY_FILTERS;
}

const struct ds_filter *
ds_model_filter_get(const struct ds_model *m, const char *name)
{
	const struct ds_mfilter *e = find_filter(m, name);

	return e != NULL ? &e->f : NULL;
}

const struct ds_peer_opts *
ds_model_mesh_opts(const struct ds_model *m)
{
	struct ds_peer_opts *o;

	if (m->conf.mesh_password.kind == DS_PW_NONE &&
	    m->conf.mesh_restart_time == DS_TIME_UNSET)
		return ds_peer_opts_ref(ds_peer_opts_default());
	o = ds_peer_opts_new();
	ds_password_copy(&o->password, &m->conf.mesh_password);
	o->restart_time = m->conf.mesh_restart_time;
	return o;
}

/* --- views --------------------------------------------------------------- */

/*
 * This node's configuration: the default's values; its own listenPort,
 * else the default's; per family its own prefixAdvertisements when it
 * gives them, else the default's (IPv4 ones first).
 */
static void
derive_config(const struct ds_model *m, struct ds_bgp_config *c)
{
	static const uint8_t afs[2] = { AF_INET, AF_INET6 };
	const struct ds_bgp_config *src;

	ds_bgp_config_copy(c, &m->conf);
	c->listen_port = ds_model_listen_port(m, m->self);
	for (size_t i = 0; i < c->nprefix_advs; i++)
		ds_prefix_adv_fini(&c->prefix_advs[i]);
	free(c->prefix_advs);
	c->prefix_advs = NULL;
	c->nprefix_advs = 0;
	for (int i = 0; i < 2; i++) {
		src = m->nadv_set[i] ? &m->nconf : &m->conf;
		advs_copy(c, src->prefix_advs, src->nprefix_advs, afs[i]);
	}
}

static void
commit_config(struct ds_model *m)
{
	const struct ds_option_ops *ops = m->oops;
	struct ds_bgp_config c;

	derive_config(m, &c);
	if (ds_bgp_config_eq(&c, &m->vconf)) {
		ds_bgp_config_fini(&c);
		return;
	}
	ds_bgp_config_fini(&m->vconf);
	m->vconf = c;
	if (ops != NULL && ops->config_changed != NULL)
		ops->config_changed(m->oarg, &m->vconf);
}

static void
filter_report(const struct ds_option_ops *ops, void *arg,
    const struct ds_filter *n, const struct ds_filter *o)
{
	if (ops != NULL && ops->filter_changed != NULL)
		ops->filter_changed(arg, n, o);
}

/* Both sorted by name: removals and changes, then additions. */
static void
diff_filters(const struct ds_filter *o, size_t no, const struct ds_filter *n,
    size_t nn, const struct ds_option_ops *ops, void *arg)
{
	for (int pass = 0; pass < 2; pass++) {
		size_t i = 0, j = 0;

		while (i < no || j < nn) {
			int c = i == no ? 1 : j == nn ? -1 :
			    strcmp(o[i].name, n[j].name);

			if (c < 0 && pass == 0)
				filter_report(ops, arg, NULL, &o[i]);
			else if (c > 0 && pass == 1)
				filter_report(ops, arg, &n[j], NULL);
			else if (c == 0 && pass == 0 &&
			    !ds_filter_eq(&o[i], &n[j]))
				filter_report(ops, arg, &n[j], &o[i]);
			if (c <= 0)
				i++;
			if (c >= 0)
				j++;
		}
	}
}

static void
commit_filters(struct ds_model *m)
{
	struct ds_mfilter *e;
	struct ds_filter *v;
	size_t n = 0;

	v = xcalloc(m->nfilters ? m->nfilters : 1, sizeof(*v));
	RB_FOREACH(e, ds_mfilter_tree, &m->filters)
		ds_filter_copy(&v[n++], &e->f);
	diff_filters(m->vfilters, m->nvfilters, v, n, m->oops, m->oarg);
	vfilters_free(m->vfilters, m->nvfilters);
	m->vfilters = v;
	m->nvfilters = n;
}

void
ds_bgpconf_commit(struct ds_model *m)
{
	if (m->dirty & DS_DIRTY_CONFIG)
		commit_config(m);
	if (m->dirty & DS_DIRTY_FILTERS)
		commit_filters(m);
}

void
ds_model_set_option_ops(struct ds_model *m, const struct ds_option_ops *ops,
    void *arg)
{
	m->oops = ops;
	m->oarg = arg;
}

const struct ds_bgp_config *
ds_model_config(const struct ds_model *m)
{
	return &m->vconf;
}

const struct ds_filter *
ds_model_filters(const struct ds_model *m, size_t *n)
{
	*n = m->nvfilters;
	return m->vfilters;
}

const struct ds_filter *
ds_model_filter_view(const struct ds_model *m, const char *name)
{
	size_t lo = 0, hi = m->nvfilters;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(m->vfilters[mid].name, name);

		if (c == 0)
			return &m->vfilters[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
