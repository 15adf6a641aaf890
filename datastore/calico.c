/*
 * calico.c: Calico's etcd keys -> cluster model facts.
 *
 * Owns the key patterns of calico-compat.md sections 1 and 2 for both
 * layouts (the value schemas are in calico_res.c and calico_opts.c) and a
 * map from each key to the facts it set (struct cal_ent), so that a
 * changed or deleted key undoes exactly its own facts: v2 node fields are
 * merged into one node record that goes when its last field key goes; v3
 * pools, whose identity is in the value, are removed by key, and when two
 * keys claim one pool, deleting one brings the other back; v3 BGPPeers and
 * BGPFilters are kept by name, each key its own; a node.<name>
 * BGPConfiguration undoes that node's listen port (and this node's
 * advertisements and log level); a v1 option key (listen_port,
 * prefix_advertisements) its part of the configuration. A put first undoes
 * the key's old facts, then applies the new value; a malformed value
 * leaves the key without facts and is logged once with its key; a value
 * whose optional part is malformed (a BGPConfiguration field, a node's
 * cluster ID or labels) or not supported keeps its other facts, and the
 * part is logged once as ignored. Unknown keys and unknown JSON fields are
 * ignored. It must not commit, block or do I/O.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calico_int.h"
#include "log.h"
#include "xmalloc.h"

struct cal_rule {
	enum ds_layout	 layout;
	const char	*pat;	/* after the prefix; '*': one segment */
	int		 arg;
	enum cal_res	(*put)(struct cal_ctx *, int arg);
};

static int
ent_cmp(const struct cal_ent *a, const struct cal_ent *b)
{
	return strcmp(a->key, b->key);
}

#define CAL_RB_STATIC	__attribute__((unused)) static
RB_GENERATE_INTERNAL(cal_tree, cal_ent, entry, ent_cmp, CAL_RB_STATIC)

struct cal_ent *
ds_cal_ent_find(const struct ds_calico *c, const char *key)
{
	struct cal_ent k;

	k.key = (char *)key;
	return RB_FIND(cal_tree, (struct cal_tree *)&c->keys, &k);
}

static void
ent_remove(struct ds_calico *c, struct cal_ent *e)
{
	RB_REMOVE(cal_tree, &c->keys, e);
	c->nkeys--;
	free(e->key);
	free(e);
}

static void
add_range(struct ds_calico *c, const char *a, const char *b, const char *d)
{
	char buf[DS_CALICO_KEY_MAX];

	snprintf(buf, sizeof(buf), "%s%s%s%s", c->prefix, a, b, d);
	c->ranges[c->nranges++] = xstrdup(buf);
}

struct ds_calico *
ds_calico_new(enum ds_layout layout, const char *prefix, const char *self)
{
	struct ds_calico *c = xcalloc(1, sizeof(*c));
	char end[DS_CALICO_KEY_MAX];

	c->layout = layout;
	c->prefix = xstrdup(prefix != NULL ? prefix : "/calico");
	c->plen = strlen(c->prefix);
	while (c->plen > 0 && c->prefix[c->plen - 1] == '/')
		c->prefix[--c->plen] = '\0';
	snprintf(c->self, sizeof(c->self), "%s", self);
	RB_INIT(&c->keys);
	if (layout == DS_LAYOUT_V3) {
		add_range(c, RES_PREFIX, "nodes/", "");
		add_range(c, RES_PREFIX, "bgpconfigurations/", "");
		/* bgpfilters/ and bgppeers/: one range, nothing between */
		add_range(c, RES_PREFIX, "bgpfilters/", "");
		snprintf(end, sizeof(end), "%s%sbgppeers0", c->prefix,
		    RES_PREFIX);
		c->range_end[c->nranges - 1] = xstrdup(end);
		add_range(c, RES_PREFIX, "ippools/", "");
	} else {
		add_range(c, "/bgp/v1/", "", "");
		add_range(c, "/v1/ipam/v4/pool/", "", "");
		add_range(c, "/v1/ipam/v6/pool/", "", "");
	}
	add_range(c, "/ipam/v2/host/", c->self, "/");
	return c;
}

struct ds_calico *
ds_calico_fork(const struct ds_calico *src)
{
	struct ds_calico *c;

	c = ds_calico_new(src->layout, src->prefix, src->self);
	c->origin = src;
	c->full_logged = src->full_logged;
	return c;
}

void
ds_calico_detach(struct ds_calico *c)
{
	c->origin = NULL;
}

void
ds_calico_free(struct ds_calico *c)
{
	struct cal_ent *e, *e2;

	if (c == NULL)
		return;
	RB_FOREACH_SAFE(e, cal_tree, &c->keys, e2)
		ent_remove(c, e);
	for (size_t i = 0; i < c->nranges; i++) {
		free(c->ranges[i]);
		free(c->range_end[i]);
	}
	free(c->prefix);
	free(c);
}

size_t
ds_calico_nranges(const struct ds_calico *c)
{
	return c->nranges;
}

const char *
ds_calico_range(const struct ds_calico *c, size_t i)
{
	return i < c->nranges ? c->ranges[i] : NULL;
}

const char *
ds_calico_range_end(const struct ds_calico *c, size_t i)
{
	return i < c->nranges ? c->range_end[i] : NULL;
}

size_t
ds_calico_nkeys(const struct ds_calico *c)
{
	size_t n = 0;
	struct cal_ent *e;

	RB_FOREACH(e, cal_tree, (struct cal_tree *)&c->keys)
		if (e->kind != CK_BAD)
			n++;
	return n;
}

/* Another key that claims the same pool takes over (or NULL). */
static const struct cal_ent *
same_fact(const struct ds_calico *c, const struct cal_ent *e)
{
	struct cal_ent *o;

	RB_FOREACH(o, cal_tree, (struct cal_tree *)&c->keys) {
		if (o == e || o->kind != e->kind)
			continue;
		if (e->kind == CK_POOL &&
		    prefix_eq(&o->pool.cidr, &e->pool.cidr))
			return o;
	}
	return NULL;
}

/* --- dispatch ------------------------------------------------------------ */

#define V3	DS_LAYOUT_V3
#define V2	DS_LAYOUT_V2
#define HOST	"/bgp/v1/host/*/"
#define GLOBAL	"/bgp/v1/global/"
#define AFF4	"/ipam/v2/host/*/ipv4/block/*"
#define AFF6	"/ipam/v2/host/*/ipv6/block/*"

static const struct cal_rule rules[] = {
	{ V3, RES_PREFIX "nodes/*", 0, ds_cal_v3_node },
	{ V3, RES_PREFIX "bgpconfigurations/*", 0, ds_cal_v3_bgpconf },
	{ V3, RES_PREFIX "bgppeers/*", 0, ds_cal_v3_peer },
	{ V3, RES_PREFIX "bgpfilters/*", 0, ds_cal_v3_filter },
	{ V3, RES_PREFIX "ippools/*", 0, ds_cal_v3_pool },
	{ V3, AFF4, AF_INET, ds_cal_block },
	{ V3, AFF6, AF_INET6, ds_cal_block },
	{ V2, HOST "ip_addr_v4", NF_IPV4, ds_cal_v2_nfield },
	{ V2, HOST "ip_addr_v6", NF_IPV6, ds_cal_v2_nfield },
	{ V2, HOST "as_num", NF_AS, ds_cal_v2_nfield },
	{ V2, HOST "network_v4", NF_NET4, ds_cal_v2_nfield },
	{ V2, HOST "network_v6", NF_NET6, ds_cal_v2_nfield },
	{ V2, HOST "rr_cluster_id", NF_RRID, ds_cal_v2_nfield },
	{ V2, HOST "loglevel", 1, ds_cal_v2_loglevel },
	{ V2, HOST "listen_port", 1, ds_cal_v2_listen_port },
	{ V2, HOST "prefix_advertisements/ip_v4", V2A_HOST | AF_INET,
	    ds_cal_v2_advs },
	{ V2, HOST "prefix_advertisements/ip_v6", V2A_HOST | AF_INET6,
	    ds_cal_v2_advs },
	{ V2, HOST "peer_v4/*", AF_INET, ds_cal_v2_hpeer },
	{ V2, HOST "peer_v6/*", AF_INET6, ds_cal_v2_hpeer },
	{ V2, GLOBAL "as_num", 0, ds_cal_v2_global_as },
	{ V2, GLOBAL "node_mesh", 0, ds_cal_v2_mesh },
	{ V2, GLOBAL "loglevel", 0, ds_cal_v2_loglevel },
	{ V2, GLOBAL "listen_port", 0, ds_cal_v2_listen_port },
	{ V2, GLOBAL "prefix_advertisements/ip_v4", AF_INET, ds_cal_v2_advs },
	{ V2, GLOBAL "prefix_advertisements/ip_v6", AF_INET6, ds_cal_v2_advs },
	{ V2, GLOBAL "custom_filters/v4/*", AF_INET, ds_cal_v2_custom_filter },
	{ V2, GLOBAL "custom_filters/v6/*", AF_INET6,
	    ds_cal_v2_custom_filter },
	{ V2, GLOBAL "peer_v4/*", AF_INET, ds_cal_v2_gpeer },
	{ V2, GLOBAL "peer_v6/*", AF_INET6, ds_cal_v2_gpeer },
	{ V2, "/v1/ipam/v4/pool/*", AF_INET, ds_cal_v2_pool },
	{ V2, "/v1/ipam/v6/pool/*", AF_INET6, ds_cal_v2_pool },
	{ V2, AFF4, AF_INET, ds_cal_block },
	{ V2, AFF6, AF_INET6, ds_cal_block },
};

/* s against pat, '*' matching one non-empty segment into cap[]. */
static bool
seg_match(const char *s, const char *pat, char cap[][CAP_MAX])
{
	size_t ncap = 0, n;

	while (*pat != '\0') {
		if (*pat == '*') {
			n = strcspn(s, "/");
			if (n == 0 || n >= CAP_MAX || ncap == CAP_N)
				return false;
			memcpy(cap[ncap], s, n);
			cap[ncap++][n] = '\0';
			s += n;
			pat++;
			continue;
		}
		if (*s++ != *pat++)
			return false;
	}
	return *s == '\0';
}

static const struct cal_rule *
find_rule(const struct ds_calico *c, const char *rel, char cap[][CAP_MAX])
{
	for (size_t i = 0; i < NITEMS(rules); i++)
		if (rules[i].layout == c->layout &&
		    seg_match(rel, rules[i].pat, cap))
			return &rules[i];
	return NULL;
}

/* Undo what a key set; another key claiming the same fact takes over. */
static void
undo(struct ds_calico *c, struct ds_model *m, struct cal_ent *e)
{
	const struct cal_ent *o;

	switch (e->kind) {
	case CK_BAD:
		break;
	case CK_NODE:
		ds_model_node_del(m, e->node);
		break;
	case CK_NFIELD:
		ds_cal_undo_nfield(c, m, e);
		break;
	case CK_GLOBAL_AS:
		ds_model_set_global_as(m, 0);
		break;
	case CK_MESH:
		ds_model_set_node_mesh(m, true);
		break;
	case CK_BGPCONF:
		ds_model_set_global_as(m, 0);
		ds_model_set_node_mesh(m, true);
		ds_model_set_log(m, false, &(struct ds_log){ .set = false });
		ds_model_set_bgp_config(m, NULL);
		break;
	case CK_NODECONF:
		ds_model_set_listen_port(m, e->node, 0);
		if (strcmp(e->node, c->self) != 0)
			break;
		ds_model_set_log(m, true, &(struct ds_log){ .set = false });
		ds_model_set_node_advs(m, AF_INET, false, NULL, 0);
		ds_model_set_node_advs(m, AF_INET6, false, NULL, 0);
		break;
	case CK_FILTER:
		ds_model_filter_del(m, strrchr(e->key, '/') + 1);
		break;
	case CK_V2OPT:
		ds_cal_undo_v2opt(m, e);
		break;
	case CK_LOGLEVEL:
		ds_model_set_log(m, e->node[0] != '\0',
		    &(struct ds_log){ .set = false });
		break;
	case CK_PEER:
		ds_model_peer_del(m, e->peer.id, e->peer.node, &e->peer.addr);
		break;
	case CK_POOL:
		ds_model_pool_del(m, &e->pool.cidr);
		if ((o = same_fact(c, e)) != NULL)
			(void)ds_model_pool_set(m, &o->pool);
		break;
	case CK_BLOCK:
		ds_model_block_del(m, &e->block);
		break;
	}
	e->kind = CK_BAD;
	e->badhash = 0;
}

/* --- put and delete ------------------------------------------------------ */

static uint32_t
fnv1a(const char *p, size_t n, uint32_t h)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)p[i]) * 16777619u;
	return h;
}

/* A key for the log: bounded, one line. */
static const char *
key_print(const char *key, char *buf, size_t len)
{
	snprintf(buf, len, "%s", key);
	for (char *s = buf; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
	return buf;
}

/* Log a malformed value unless this key already said so for it. */
static void
report_bad(struct ds_calico *c, struct cal_ent *e, uint32_t prevhash,
    uint32_t hash, const char *why)
{
	const struct cal_ent *o;
	char kb[200];

	e->kind = CK_BAD;
	e->badhash = hash;
	if (prevhash == hash)
		return;
	if (c->origin != NULL &&
	    (o = ds_cal_ent_find(c->origin, e->key)) != NULL &&
	    o->kind == CK_BAD && o->badhash == hash)
		return;
	log_warnx("datastore: etcd key %s: %s; skipped",
	    key_print(e->key, kb, sizeof(kb)), why);
}

/* Say once per value that part of it is ignored (the rest counts). */
static void
report_warn(struct ds_calico *c, struct cal_ent *e, uint32_t prevhash,
    uint32_t hash, const char *why)
{
	const struct cal_ent *o;
	char kb[200];

	e->warnhash = hash;
	if (prevhash == hash)
		return;
	if (c->origin != NULL &&
	    (o = ds_cal_ent_find(c->origin, e->key)) != NULL &&
	    o->warnhash == hash)
		return;
	log_warnx("datastore: etcd key %s: %s; ignored",
	    key_print(e->key, kb, sizeof(kb)), why);
}

/* The key is in our prefix, bounded and printable; a NUL-ended copy. */
static char *
key_copy(struct ds_calico *c, const char *key, size_t klen)
{
	char *k;

	if (klen > DS_CALICO_KEY_MAX || klen <= c->plen ||
	    memcmp(key, c->prefix, c->plen) != 0 || key[c->plen] != '/' ||
	    memchr(key, '\0', klen) != NULL)
		return NULL;
	k = xmalloc(klen + 1);
	memcpy(k, key, klen);
	k[klen] = '\0';
	return k;
}

static struct cal_ent *
ent_get(struct ds_calico *c, char *k)
{
	struct cal_ent *e;

	if ((e = ds_cal_ent_find(c, k)) != NULL) {
		free(k);
		return e;
	}
	if (c->nkeys >= DS_CALICO_MAX_KEYS) {
		if (!c->full_logged)
			log_warnx("datastore: more than %d etcd keys; "
			    "skipping the rest", DS_CALICO_MAX_KEYS);
		c->full_logged = true;
		free(k);
		return NULL;
	}
	e = xcalloc(1, sizeof(*e));
	e->key = k;
	e->kind = CK_BAD;
	RB_INSERT(cal_tree, &c->keys, e);
	c->nkeys++;
	return e;
}

static enum cal_res
apply(struct cal_ctx *x, const struct cal_rule *r, const char *val,
    size_t vlen)
{
	char *copy;
	enum cal_res res;

	x->why = vlen > DS_CALICO_VALUE_MAX ? "value too large" :
	    memchr(val, '\0', vlen) != NULL ? "NUL byte in the value" : NULL;
	if (x->why != NULL)
		return CAL_BAD;
	copy = xmalloc(vlen + 1);
	memcpy(copy, val, vlen);
	copy[vlen] = '\0';
	x->val = copy;
	x->vlen = vlen;
	res = r->put(x, r->arg);
	free(copy);
	return res;
}

void
ds_calico_put(struct ds_calico *c, struct ds_model *m, const char *key,
    size_t klen, const char *val, size_t vlen)
{
	const struct cal_rule *r;
	struct cal_ctx x;
	uint32_t prevhash, prevwarn;
	char *k;

	memset(&x, 0, sizeof(x));
	if ((k = key_copy(c, key, klen)) == NULL)
		return;
	if ((r = find_rule(c, k + c->plen, x.cap)) == NULL ||
	    (x.e = ent_get(c, k)) == NULL) {
		if (r == NULL)
			free(k);
		return;
	}
	prevhash = x.e->kind == CK_BAD ? x.e->badhash : 0;
	prevwarn = x.e->warnhash;
	undo(c, m, x.e);
	x.e->warnhash = 0;
	x.c = c;
	x.m = m;
	switch (apply(&x, r, val, vlen)) {
	case CAL_FACT:
		if (x.warn != NULL)
			report_warn(c, x.e, prevwarn, fnv1a(x.warn,
			    strlen(x.warn), fnv1a(val, vlen, 2166136261u)) | 1u,
			    x.warn);
		break;
	case CAL_NONE:
		ent_remove(c, x.e);
		break;
	case CAL_BAD:
		report_bad(c, x.e, prevhash, fnv1a(x.why, strlen(x.why),
		    fnv1a(val, vlen, 2166136261u)) | 1u, x.why);
		break;
	}
}

void
ds_calico_del(struct ds_calico *c, struct ds_model *m, const char *key,
    size_t klen)
{
	struct cal_ent *e;
	char *k;

	if ((k = key_copy(c, key, klen)) == NULL)
		return;
	if ((e = ds_cal_ent_find(c, k)) != NULL) {
		undo(c, m, e);
		ent_remove(c, e);
	}
	free(k);
}
