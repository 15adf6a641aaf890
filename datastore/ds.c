/*
 * ds.c: struct ds, the datastore's public face (datastore.h).
 *
 * Owns the copied parameters, the cluster model and the backend chosen by
 * the type (file.c, or etcd.c for etcdv3/etcdv2), and nothing else: facts
 * come from the backend, diffs from the model. Also the Calico naming
 * helpers (session names, type names). It must not parse any source format
 * itself.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "etcd.h"
#include "labels.h"
#include "log.h"
#include "xmalloc.h"

struct ds {
	struct event_base	*base;
	enum ds_type		 type;
	struct ds_ops		 ops;
	void			*arg;
	char			*path;		/* DS_TYPE_FILE */
	char			*endpoints[DS_MAX_ENDPOINTS];	/* etcd */
	size_t			 nendpoints;
	char			*prefix;
	char			*ca_file;
	char			*cert_file;
	char			*key_file;
	struct ds_etcd_timing	 etcd_timing;
	struct ds_model		 model;
	struct ds_file		*file;
	struct ds_etcd		*etcd;
	const char		*error;		/* static text, or NULL */
	bool			 started;
};

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/* params->node_name, else $NODENAME, else the host name (SPEC 2). */
static int
node_name(const struct ds_params *p, char *buf, size_t len)
{
	const char *s = p->node_name;
	char host[HOST_NAME_MAX + 1];

	if (s == NULL || *s == '\0')
		s = getenv("NODENAME");
	if (s == NULL || *s == '\0') {
		if (gethostname(host, sizeof(host)) == -1) {
			log_warn("datastore: gethostname");
			return -1;
		}
		host[sizeof(host) - 1] = '\0';
		s = host;
	}
	if (*s == '\0' || strlen(s) >= len) {
		log_warnx("datastore: node name \"%.80s\" is empty or longer "
		    "than %zu characters", s, len - 1);
		return -1;
	}
	memcpy(buf, s, strlen(s) + 1);
	return 0;
}

struct ds *
ds_new(struct event_base *base, const struct ds_params *p,
    const struct ds_ops *ops, void *arg)
{
	char name[DS_NAME_MAX];
	struct ds *ds;

	if (node_name(p, name, sizeof(name)) == -1)
		return NULL;
	if (p->nendpoints > NITEMS(ds->endpoints)) {
		log_warnx("datastore: more than %zu endpoints",
		    NITEMS(ds->endpoints));
		return NULL;
	}
	ds = xcalloc(1, sizeof(*ds));
	ds->base = base;
	ds->type = p->type;
	if (ops != NULL)
		ds->ops = *ops;
	ds->arg = arg;
	ds->path = dup_or_null(p->path);
	for (size_t i = 0; i < p->nendpoints; i++)
		ds->endpoints[ds->nendpoints++] = xstrdup(p->endpoints[i]);
	ds->prefix = xstrdup(p->prefix != NULL ? p->prefix : "/calico");
	ds->ca_file = dup_or_null(p->ca_file);
	ds->cert_file = dup_or_null(p->cert_file);
	ds->key_file = dup_or_null(p->key_file);
	ds->etcd_timing = p->etcd_timing;
	ds_model_init(&ds->model, name);
	ds_model_set_overrides(&ds->model, &p->ipv4, &p->ipv6, p->as);
	return ds;
}

static int
start_etcd(struct ds *ds)
{
	struct ds_etcd_conf c;

	if (ds->base == NULL) {
		ds->error = "the etcd datastore needs an event loop";
		log_warnx("datastore: %s", ds->error);
		return -1;
	}
	if (ds->etcd == NULL) {
		memset(&c, 0, sizeof(c));
		c.type = ds->type;
		c.endpoints = ds->endpoints;
		c.nendpoints = ds->nendpoints;
		c.prefix = ds->prefix;
		c.ca_file = ds->ca_file;
		c.cert_file = ds->cert_file;
		c.key_file = ds->key_file;
		c.timing = ds->etcd_timing;
		ds->etcd = ds_etcd_new(ds->base, &c, &ds->model, &ds->ops,
		    ds->arg);
	}
	if (ds_etcd_start(ds->etcd) == -1) {
		ds->error = ds_etcd_error(ds->etcd);
		log_warnx("datastore: %s", ds->error);
		return -1;
	}
	return 0;
}

int
ds_start(struct ds *ds)
{
	if (ds->started)
		return 0;
	switch (ds->type) {
	case DS_TYPE_FILE:
		if (ds->path == NULL || ds->path[0] == '\0') {
			ds->error = "the file datastore needs a path";
			log_warnx("datastore: %s", ds->error);
			return -1;
		}
		if (ds->file == NULL)
			ds->file = ds_file_new(ds->base, ds->path, &ds->model,
			    &ds->ops, ds->arg);
		if (ds_file_start(ds->file) == -1)
			return -1;
		break;
	case DS_TYPE_ETCDV2:
	case DS_TYPE_ETCDV3:
		if (start_etcd(ds) == -1)
			return -1;
		break;
	}
	ds->started = true;
	return 0;
}

int
ds_reload(struct ds *ds)
{
	if (!ds->started)
		return -1;
	if (ds->type == DS_TYPE_FILE)
		return ds_file_reload(ds->file);
	return ds_etcd_reload(ds->etcd);
}

void
ds_stop(struct ds *ds)
{
	if (ds->file != NULL)
		ds_file_stop(ds->file);
	if (ds->etcd != NULL)
		ds_etcd_stop(ds->etcd);
	ds->started = false;
}

void
ds_free(struct ds *ds)
{
	if (ds == NULL)
		return;
	ds_stop(ds);
	ds_file_free(ds->file);
	ds_etcd_free(ds->etcd);
	ds_model_fini(&ds->model);
	free(ds->path);
	for (size_t i = 0; i < ds->nendpoints; i++)
		free(ds->endpoints[i]);
	free(ds->prefix);
	free(ds->ca_file);
	free(ds->cert_file);
	free(ds->key_file);
	free(ds);
}

const struct ds_local *
ds_local(const struct ds *ds)
{
	return ds_model_local(&ds->model);
}

const struct ds_log *
ds_log(const struct ds *ds)
{
	return ds_model_log(&ds->model);
}

bool
ds_is_synced(const struct ds *ds)
{
	return ds_model_is_synced(&ds->model);
}

void
ds_stats(const struct ds *ds, struct ds_stats *st)
{
	const struct ds_etcd *e = ds->etcd;

	memset(st, 0, sizeof(*st));
	if (ds->file != NULL)
		st->connected = ds->started && ds_file_error(ds->file) == NULL;
	if (e == NULL)
		return;
	st->connected = e->up;
	st->has_revision = true;
	st->resyncs = e->relists_total;
	for (size_t k = 0; k < DS_CALICO_MAX_RANGES; k++) {
		int64_t r = e->proto == &etcd_v2_proto ? e->v2.index[k] :
		    e->v3.rev[k];

		if (r > st->revision)
			st->revision = r;
		if (e->heard_ms[k] > st->heard_ms)
			st->heard_ms = e->heard_ms[k];
	}
}

const struct ds_peer *
ds_peers(const struct ds *ds, size_t *npeers)
{
	return ds_model_peers(&ds->model, npeers);
}

void
ds_set_option_ops(struct ds *ds, const struct ds_option_ops *ops, void *arg)
{
	ds_model_set_option_ops(&ds->model, ops, arg);
}

const struct ds_bgp_config *
ds_bgp_config(const struct ds *ds)
{
	return ds_model_config(&ds->model);
}

const struct ds_filter *
ds_filter_get(const struct ds *ds, const char *name)
{
	return ds_model_filter_view(&ds->model, name);
}

const struct ds_filter *
ds_filters(const struct ds *ds, size_t *n)
{
	return ds_model_filters(&ds->model, n);
}

const struct selector_label *
ds_node_labels(const struct ds *ds, const char *node, size_t *n)
{
	return ds_model_labels(&ds->model, node, n);
}

void
ds_node_selector_labels(const struct ds *ds, const char *node,
    struct selector_labels *sl)
{
	ds_model_labels_selector(&ds->model, node, sl);
}

const char *
ds_last_error(const struct ds *ds)
{
	if (ds->file != NULL && ds_file_error(ds->file) != NULL)
		return ds_file_error(ds->file);
	return ds->started ? NULL : ds->error;
}

const char *
ds_type_name(enum ds_type t)
{
	switch (t) {
	case DS_TYPE_ETCDV3:
		return "etcdv3";
	case DS_TYPE_ETCDV2:
		return "etcdv2";
	case DS_TYPE_FILE:
		return "file";
	}
	return "?";
}

/* As calicoctl node status prints them (calico-compat.md 4). */
const char *
ds_peer_type_name(enum ds_peer_type t)
{
	switch (t) {
	case DS_PEER_MESH:
		return "node-to-node mesh";
	case DS_PEER_GLOBAL:
		return "global";
	case DS_PEER_NODE:
		return "node specific";
	}
	return "?";
}

/* calico-compat.md 3.1: Mesh_192_168_110_131; IPv6 fd80::2 -> Mesh_fd80__2 */
void
ds_peer_name(char *buf, size_t len, enum ds_peer_type t, const struct addr *a)
{
	static const char *const prefix[] = {
		[DS_PEER_MESH] = "Mesh",
		[DS_PEER_GLOBAL] = "Global",
		[DS_PEER_NODE] = "Node",
	};
	char ip[ADDR_STRLEN];

	if (len == 0)
		return;
	addr_fmt(a, ip, sizeof(ip));
	for (char *s = ip; *s != '\0'; s++)
		if (*s == '.' || *s == ':')
			*s = '_';
	snprintf(buf, len, "%s_%s",
	    (size_t)t < NITEMS(prefix) ? prefix[t] : "Peer", ip);
}
