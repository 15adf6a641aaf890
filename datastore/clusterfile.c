/*
 * clusterfile.c: the file datastore's cluster YAML -> model facts.
 *
 * Owns the schema of SPEC section 2's second block (as, node_mesh,
 * log_severity, pools, nodes with their labels and route reflector cluster
 * IDs, peers with Calico's node and peer selectors) and its validation, as
 * strict as conf/: unknown keys, wrong types, bad addresses, CIDRs, cluster
 * IDs and selectors, duplicate keys, nodes, pools and peers, a peer with
 * fields Calico's API forbids together, an address used by two nodes and a
 * block claimed twice are errors naming the file, line and key. Issue 15's
 * options (a peer's session options, the BGP configuration at the top and
 * per node, filters) are cluster_bgp.c's, walked with the same tables. It
 * fills a fresh model given by the caller and must not touch a live one,
 * log, or commit: file.c decides what an error means (refuse at start,
 * keep the last good view at reload). Values that are well-formed but
 * unsafe (a block outside every pool, a default route) are no errors here:
 * the model refuses each alone (model.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clusterfile.h"
#include "labels.h"
#include "options.h"
#include "xmalloc.h"
#include "num.h"

/* An address or block seen in the file, to find the ones given twice. */
enum claim_kind {
	CLAIM_ADDR,
	CLAIM_BLOCK,
};

struct claim {
	struct prefix	p;
	enum claim_kind	kind;
	unsigned long	line;
	size_t		node;		/* index in nodes[] */
	size_t		item;		/* index in blocks[] */
};

/* log_severity: Calico's severities (datastore.h struct ds_log) */
static int
parse_log(struct cctx *x, const struct ynode *n, const char *key,
    struct ds_log *l)
{
	if (ycx_scalar(&x->y, n, key, "a log severity") == -1)
		return -1;
	if (ds_log_level_parse(n->str, &l->level) == -1)
		return kerr(x, n->line, key, "\"%.32s\" is not one of debug, "
		    "info, warning, error", n->str);
	l->set = true;
	return 0;
}

/* A node name: 1..63 of [A-Za-z0-9._-], starting with a letter or digit. */
static int
parse_name(struct cctx *x, const struct ynode *n, const char *key,
    char out[DS_NAME_MAX])
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_";
	const char *s;
	size_t len;

	if (ycx_scalar(&x->y, n, key, "a node name") == -1)
		return -1;
	s = n->str;
	len = strlen(s);
	if (len == 0 || ynode_is_null(n))
		return kerr(x, n->line, key, "must not be empty");
	if (len >= DS_NAME_MAX)
		return kerr(x, n->line, key, "longer than %d characters",
		    DS_NAME_MAX - 1);
	if (strspn(s, ok) != len || s[0] == '.' || s[0] == '-' || s[0] == '_')
		return kerr(x, n->line, key, "\"%.32s\" is not a valid node "
		    "name (letters, digits, '.', '-', '_')", s);
	memcpy(out, s, len + 1);
	return 0;
}

static void
mask_prefix(struct prefix *p, const struct addr *a, unsigned len)
{
	uint8_t b[16];

	memcpy(b, a->b, sizeof(b));
	for (unsigned i = 0; i < sizeof(b); i++) {
		unsigned bit0 = i * 8;

		if (bit0 >= len)
			b[i] = 0;
		else if (bit0 + 8 > len)
			b[i] &= (uint8_t)(0xff << (8 - (len - bit0)));
	}
	if (prefix_set(p, a->af, b, len) == -1)
		memset(p, 0, sizeof(*p));
}

/* "198.18.0.1" or Calico's "198.18.0.1/24" (the node's subnet). */
static int
parse_node_addr(struct cctx *x, const struct ynode *n, const char *key,
    uint8_t af, struct addr *a, struct prefix *net)
{
	const char *what = af == AF_INET ? "IPv4" : "IPv6";
	char buf[ADDR_STRLEN + 8], *slash;
	uint64_t len;

	memset(a, 0, sizeof(*a));
	memset(net, 0, sizeof(*net));
	if (ycx_scalar(&x->y, n, key, "an IP address") == -1)
		return -1;
	if (ynode_is_null(n) || n->str[0] == '\0')
		return 0;
	if (strlen(n->str) >= sizeof(buf))
		return kerr(x, n->line, key, "\"%.48s\" is not an %s address",
		    n->str, what);
	strcpy(buf, n->str);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (addr_parse(buf, a) == -1 || a->af != af ||
	    (slash != NULL && (num_parse_u64(slash, &len) == -1 ||
	    len > af_maxlen(af)))) {
		memset(a, 0, sizeof(*a));
		return kerr(x, n->line, key, "\"%.48s\" is not an %s address",
		    n->str, what);
	}
	if (slash != NULL)
		mask_prefix(net, a, (unsigned)len);
	return 0;
}

int
ds_cf_cidr(struct cctx *x, const struct ynode *n, const char *key,
    struct prefix *p)
{
	if (ycx_scalar(&x->y, n, key, "a CIDR") == -1)
		return -1;
	if (prefix_parse(n->str, p) == -1)
		return kerr(x, n->line, key, "\"%.48s\" is not a CIDR (address"
		    "/length, host bits zero)", n->str);
	return 0;
}

static void
claim(struct cctx *x, const struct claim *c)
{
	if (x->nclaims == x->cclaims) {
		x->cclaims = x->cclaims ? x->cclaims * 2 : 64;
		x->claims = xreallocarray(x->claims, x->cclaims,
		    sizeof(*x->claims));
	}
	x->claims[x->nclaims++] = *c;
}

static int
claim_cmp(const void *pa, const void *pb)
{
	const struct claim *a = pa, *b = pb;
	int c;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if ((c = prefix_cmp(&a->p, &b->p)) != 0)
		return c;
	return a->line < b->line ? -1 : a->line > b->line;
}

/* An address of two nodes, or a block of two nodes (or listed twice). */
static int
check_claims(struct cctx *x)
{
	char key[96], buf[PREFIX_STRLEN];
	const struct claim *a, *b;

	if (x->nclaims > 1)
		qsort(x->claims, x->nclaims, sizeof(*x->claims), claim_cmp);
	for (size_t i = 1; i < x->nclaims; i++) {
		a = &x->claims[i - 1];
		b = &x->claims[i];
		if (a->kind != b->kind || !prefix_eq(&a->p, &b->p))
			continue;
		if (b->kind == CLAIM_BLOCK) {
			snprintf(key, sizeof(key), "nodes[%zu].blocks[%zu]",
			    b->node, b->item);
			return kerr(x, b->line, key, "block %s is also in "
			    "nodes[%zu] (line %lu)", prefix_fmt(&b->p, buf,
			    sizeof(buf)), a->node, a->line);
		}
		snprintf(key, sizeof(key), "nodes[%zu].%s", b->node,
		    b->p.af == AF_INET ? "ipv4" : "ipv6");
		prefix_fmt(&b->p, buf, sizeof(buf));
		*strchr(buf, '/') = '\0';
		return kerr(x, b->line, key, "address %s is also used by "
		    "nodes[%zu] (line %lu)", buf, a->node, a->line);
	}
	return 0;
}

/* The field called name among f then f2: its index across both. */
static size_t
field_find(const char *name, const struct cfield *f, size_t nf,
    const struct cfield *f2, size_t nf2)
{
	size_t i;

	for (i = 0; i < nf; i++)
		if (strcmp(name, f[i].name) == 0)
			return i;
	for (i = 0; i < nf2; i++)
		if (strcmp(name, f2[i].name) == 0)
			return nf + i;
	return nf + nf2;
}

int
ds_cf_walk_map(struct cctx *x, const struct ynode *map, const char *key,
    const struct cfield *f, size_t nf, void *obj, const struct cfield *f2,
    size_t nf2, void *obj2)
{
	unsigned long seen[CF_MAXFIELDS] = { 0 };
	const struct cfield *fi;
	const struct ynode *e;
	char k[160];
	size_t i;

	if (map->type != Y_MAP)
		return kerr(x, map->line, key, "expected a mapping, got %s",
		    ytree_type_name(map));
	for (e = map->child; e != NULL; e = e->next) {
		snprintf(k, sizeof(k), "%s%s%.64s", key, *key ? "." : "",
		    e->key);
		i = field_find(e->key, f, nf, f2, nf2);
		if (i == nf + nf2 || i >= CF_MAXFIELDS)
			return kerr(x, e->keyline, k, "unknown key");
		if (seen[i] != 0)
			return kerr(x, e->keyline, k, "duplicate key (first "
			    "on line %lu)", seen[i]);
		seen[i] = e->keyline;
		fi = i < nf ? &f[i] : &f2[i - nf];
		if (fi->set(x, e, k, i < nf ? obj : obj2) == -1)
			return -1;
	}
	return 0;
}

static int
walk_map(struct cctx *x, const struct ynode *map, const char *key,
    const struct cfield *f, size_t nf, void *obj)
{
	return ds_cf_walk_map(x, map, key, f, nf, obj, NULL, 0, NULL);
}

int
ds_cf_walk_seq(struct cctx *x, const struct ynode *n, const char *key,
    int (*fn)(struct cctx *, const struct ynode *, const char *, size_t,
    void *), void *obj)
{
	const struct ynode *it;
	char k[160];
	size_t i = 0;

	if (ynode_is_null(n))
		return 0;
	if (n->type != Y_SEQ)
		return kerr(x, n->line, key, "expected a list, got %s",
		    ytree_type_name(n));
	for (it = n->child; it != NULL; it = it->next, i++) {
		snprintf(k, sizeof(k), "%.120s[%zu]", key, i);
		if (fn(x, it, k, i, obj) == -1)
			return -1;
	}
	return 0;
}

/* pools[] */

struct pool_obj {
	struct ds_pool	p;
	unsigned long	cidr_line;
};

static int
pool_cidr(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	struct pool_obj *po = o;

	po->cidr_line = n->line;
	return ds_cf_cidr(x, n, key, &po->p.cidr);
}

/* never | always | cross-subnet: ipip and vxlan alike */
static int
pool_mode(struct cctx *x, const struct ynode *n, const char *key,
    const char *what, int *mode)
{
	static const char *const modes[] = {
		"never", "always", "cross-subnet",
	};

	if (ycx_scalar(&x->y, n, key, what) == -1)
		return -1;
	for (size_t i = 0; i < NITEMS(modes); i++) {
		if (strcmp(n->str, modes[i]) == 0) {
			*mode = (int)i;
			return 0;
		}
	}
	return kerr(x, n->line, key, "\"%.32s\" is not one of never, always, "
	    "cross-subnet", n->str);
}

static int
pool_ipip(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	struct pool_obj *po = o;
	int mode;

	if (pool_mode(x, n, key, "an IPIP mode", &mode) == -1)
		return -1;
	po->p.ipip = (enum ds_ipip)mode;
	return 0;
}

static int
pool_vxlan(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	struct pool_obj *po = o;
	int mode;

	if (pool_mode(x, n, key, "a VXLAN mode", &mode) == -1)
		return -1;
	po->p.vxlan = (enum ds_vxlan)mode;
	return 0;
}

static int
pool_no_export(struct cctx *x, const struct ynode *n, const char *key,
    void *o)
{
	return ycx_bool(&x->y, n, key, &((struct pool_obj *)o)->p.no_export);
}

static int
pool_disabled(struct cctx *x, const struct ynode *n, const char *key,
    void *o)
{
	return ycx_bool(&x->y, n, key, &((struct pool_obj *)o)->p.disabled);
}

static int
parse_pool(struct cctx *x, const struct ynode *n, const char *key,
    size_t idx, void *unused)
{
	static const struct cfield f[] = {
		{ "cidr", pool_cidr },
		{ "ipip", pool_ipip },
		{ "vxlan", pool_vxlan },
		{ "disabled", pool_disabled },
		{ "disable_bgp_export", pool_no_export },
	};
	struct pool_obj po;
	char buf[PREFIX_STRLEN], k[200];

	(void)idx;
	(void)unused;
	memset(&po, 0, sizeof(po));
	if (walk_map(x, n, key, f, NITEMS(f), &po) == -1)
		return -1;
	snprintf(k, sizeof(k), "%s.cidr", key);
	if (po.cidr_line == 0)
		return kerr(x, n->line, k, "missing");
	if (ds_model_pool_get(x->m, &po.p.cidr) != NULL)
		return kerr(x, po.cidr_line, k, "duplicate pool %s",
		    prefix_fmt(&po.p.cidr, buf, sizeof(buf)));
	return ds_model_pool_set(x->m, &po.p);
}

/* nodes[] */

struct node_obj {
	struct ds_model_node	 n;
	struct cf_conf		 conf;		/* listen_port, advs */
	struct ds_log		 log;
	size_t			 idx;
	unsigned long		 name_line;
	unsigned long		 line4, line6;
	const struct ynode	*blocks;
	char			 bkey[160];
	const struct ynode	*labels;
	char			 lkey[160];
};

static int
node_name(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	struct node_obj *no = o;

	no->name_line = n->line;
	return parse_name(x, n, key, no->n.name);
}

static int
node_ipv4(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	struct node_obj *no = o;

	no->line4 = n->line;
	return parse_node_addr(x, n, key, AF_INET, &no->n.ipv4, &no->n.net4);
}

static int
node_ipv6(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	struct node_obj *no = o;

	no->line6 = n->line;
	return parse_node_addr(x, n, key, AF_INET6, &no->n.ipv6, &no->n.net6);
}

static int
node_as(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	return ycx_as(&x->y, n, key, &((struct node_obj *)o)->n.as);
}

/* rr_cluster_id: an IPv4 address (not 0.0.0.0); "" or null: none */
static int
node_rrid(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	struct node_obj *no = o;

	if (ycx_scalar(&x->y, n, key, "a cluster ID") == -1)
		return -1;
	if (ynode_is_null(n))
		return 0;
	if (ds_rr_cluster_id_parse(n->str, &no->n.rr_cluster_id) == -1)
		return kerr(x, n->line, key, "\"%.48s\" is not a route "
		    "reflector cluster ID (an IPv4 address other than 0.0.0.0)",
		    n->str);
	return 0;
}

static int
node_log(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	return parse_log(x, n, key, &((struct node_obj *)o)->log);
}

static int
node_blocks(struct cctx *x, const struct ynode *n, const char *key,
    void *o)
{
	struct node_obj *no = o;

	(void)x;
	no->blocks = n;
	snprintf(no->bkey, sizeof(no->bkey), "%s", key);
	return 0;
}

static int
node_labels(struct cctx *x, const struct ynode *n, const char *key,
    void *o)
{
	struct node_obj *no = o;

	(void)x;
	no->labels = n;
	snprintf(no->lkey, sizeof(no->lkey), "%s", key);
	return 0;
}

/*
 * labels: a mapping of label keys to string values (labels.h), set on the
 * node once it is stored; any bad label is an error, as elsewhere here.
 */
static int
parse_labels(struct cctx *x, const struct node_obj *no)
{
	struct selector_label kv[DS_LABELS_MAX];
	const struct ynode *e, *n = no->labels;
	const char *why;
	char k[200];
	size_t i = 0;

	if (n == NULL || ynode_is_null(n))
		return 0;
	if (n->type != Y_MAP)
		return kerr(x, n->line, no->lkey, "expected a mapping, got %s",
		    ytree_type_name(n));
	for (e = n->child; e != NULL; e = e->next, i++) {
		snprintf(k, sizeof(k), "%.120s.%.64s", no->lkey, e->key);
		if (i == DS_LABELS_MAX)
			return kerr(x, e->keyline, no->lkey, "more than %d "
			    "labels (node %s)", DS_LABELS_MAX, no->n.name);
		if (ycx_scalar(&x->y, e, k, "a label value") == -1)
			return -1;
		if (!e->quoted && ynode_is_null(e))
			return kerr(x, e->line, k, "no value (write \"\" "
			    "for an empty one; node %s)", no->n.name);
		if ((why = ds_label_check(e->key, e->str)) != NULL)
			return kerr(x, e->keyline, k, "%s (node %s)", why,
			    no->n.name);
		kv[i].key = e->key;
		kv[i].value = e->str;
	}
	if (ds_model_labels_set(x->m, no->n.name, kv, i, &why) == -1)
		return kerr(x, n->line, no->lkey, "%s (node %s)", why,
		    no->n.name);
	return 0;
}

static int
parse_block(struct cctx *x, const struct ynode *n, const char *key,
    size_t idx, void *o)
{
	const struct node_obj *no = o;
	struct claim c;

	memset(&c, 0, sizeof(c));
	if (ds_cf_cidr(x, n, key, &c.p) == -1)
		return -1;
	c.kind = CLAIM_BLOCK;
	c.line = n->line;
	c.node = no->idx;
	c.item = idx;
	claim(x, &c);
	if (strcmp(no->n.name, x->m->self) == 0)
		return ds_model_block_add(x->m, &c.p);
	return 0;
}

static void
claim_addr(struct cctx *x, const struct node_obj *no, const struct addr *a,
    unsigned long line)
{
	struct claim c;

	if (!addr_is_set(a))
		return;
	memset(&c, 0, sizeof(c));
	if (prefix_set(&c.p, a->af, a->b, af_maxlen(a->af)) == -1)
		return;
	c.kind = CLAIM_ADDR;
	c.line = line;
	c.node = no->idx;
	claim(x, &c);
}

static int	parse_node1(struct cctx *, const struct ynode *, const char *,
		    struct node_obj *);

static int
parse_node(struct cctx *x, const struct ynode *n, const char *key,
    size_t idx, void *unused)
{
	static const struct cfield f[] = {
		{ "name", node_name },
		{ "ipv4", node_ipv4 },
		{ "ipv6", node_ipv6 },
		{ "as", node_as },
		{ "blocks", node_blocks },
		{ "log_severity", node_log },
		{ "labels", node_labels },
		{ "rr_cluster_id", node_rrid },
	};
	struct node_obj no;
	int rc;

	(void)unused;
	memset(&no, 0, sizeof(no));
	no.idx = idx;
	ds_bgp_config_init(&no.conf.c);
	rc = ds_cf_walk_map(x, n, key, f, NITEMS(f), &no, ds_cf_node_fields,
	    ds_cf_nnode_fields, &no.conf);
	if (rc == 0)
		rc = parse_node1(x, n, key, &no);
	ds_bgp_config_fini(&no.conf.c);
	return rc;
}

/*
 * A node's own BGP configuration (Calico's node.<name>): its listen_port
 * for everyone, its prefix_advertisements for itself (given, even empty,
 * they replace the top level's).
 */
static int
node_conf(struct cctx *x, struct node_obj *no)
{
	bool self = strcmp(no->n.name, x->m->self) == 0;

	if (ds_cf_conf_end(x, &no->conf) == -1)
		return -1;
	if (no->conf.c.listen_port != 0)
		ds_model_set_listen_port(x->m, no->n.name,
		    no->conf.c.listen_port);
	if (self && no->conf.advs != NULL) {
		ds_model_set_node_advs(x->m, AF_INET, true,
		    no->conf.c.prefix_advs, no->conf.c.nprefix_advs);
		ds_model_set_node_advs(x->m, AF_INET6, true,
		    no->conf.c.prefix_advs, no->conf.c.nprefix_advs);
	}
	return 0;
}

static int
parse_node1(struct cctx *x, const struct ynode *n, const char *key,
    struct node_obj *no)
{
	char k[200];

	snprintf(k, sizeof(k), "%s.name", key);
	if (no->name_line == 0)
		return kerr(x, n->line, k, "missing");
	if (ds_model_node_get(x->m, no->n.name) != NULL)
		return kerr(x, no->name_line, k, "duplicate node \"%s\"",
		    no->n.name);
	claim_addr(x, no, &no->n.ipv4, no->line4);
	claim_addr(x, no, &no->n.ipv6, no->line6);
	if (no->blocks != NULL &&
	    ds_cf_walk_seq(x, no->blocks, no->bkey, parse_block, no) == -1)
		return -1;
	if (no->log.set && strcmp(no->n.name, x->m->self) == 0)
		ds_model_set_log(x->m, true, &no->log);
	if (ds_model_node_set(x->m, &no->n) == -1)
		return -1;
	if (node_conf(x, no) == -1)
		return -1;
	return parse_labels(x, no);
}

/* peers[] */

struct peer_obj {
	struct ds_model_peer	p;
	struct cf_popts		opts;		/* cluster_bgp.c's fields */
	unsigned long		ip_line, as_line, node_line, nsel_line;
	unsigned long		psel_line;
};

/* Calico's peerIP: an address, A.B.C.D:PORT or [V6]:PORT */
static int
peer_ip(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	struct peer_obj *po = o;

	po->ip_line = n->line;
	if (ycx_scalar(&x->y, n, key, "an IP address") == -1)
		return -1;
	if (addr_parse(n->str, &po->p.addr) == 0 ||
	    addr_port_parse(n->str, &po->p.addr, &po->p.port) == 0)
		return 0;
	return kerr(x, n->line, key, "\"%.48s\" is not an IP address (or "
	    "IP:PORT, [IPv6]:PORT)", n->str);
}

/* reverse_peering: Auto (the default) or Manual */
static int
peer_reverse(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	if (ycx_scalar(&x->y, n, key, "Auto or Manual") == -1)
		return -1;
	if (strcmp(n->str, "Auto") != 0 && strcmp(n->str, "Manual") != 0)
		return kerr(x, n->line, key, "\"%.32s\" is not one of Auto, "
		    "Manual", n->str);
	((struct peer_obj *)o)->p.no_reverse = strcmp(n->str, "Manual") == 0;
	return 0;
}

static int
peer_as(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	struct peer_obj *po = o;

	po->as_line = n->line;
	return ycx_as(&x->y, n, key, &po->p.as);
}

static int
peer_node(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	struct peer_obj *po = o;

	if (n->type == Y_SCALAR && (ynode_is_null(n) || *n->str == '\0'))
		return 0;		/* global */
	po->node_line = n->line;
	return parse_name(x, n, key, po->p.node);
}

/* A Calico label selector (selector.h); "" or null: none. */
static int
parse_selector(struct cctx *x, const struct ynode *n, const char *key,
    struct selector **sel)
{
	char err[SELECTOR_ERRLEN];

	if (ycx_scalar(&x->y, n, key, "a label selector") == -1)
		return -1;
	if (ynode_is_null(n) || n->str[0] == '\0')
		return 0;		/* Calico: "" is none (not all()) */
	selector_free(*sel);
	if ((*sel = selector_parse(n->str, err, sizeof(err))) == NULL)
		return kerr(x, n->line, key, "bad selector: %s", err);
	return 0;
}

static int
peer_nsel(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	struct peer_obj *po = o;

	po->nsel_line = n->line;
	return parse_selector(x, n, key, &po->p.node_sel);
}

static int
peer_psel(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	struct peer_obj *po = o;

	po->psel_line = n->line;
	return parse_selector(x, n, key, &po->p.peer_sel);
}

/*
 * What Calico's API refuses (bgppeer.go's validation rules): node with
 * node_selector, ip with peer_selector, as with peer_selector; without a
 * peer_selector, ip and as are needed.
 */
static int
peer_check(struct cctx *x, const struct ynode *n, const char *key,
    const struct peer_obj *po)
{
	char k[200];

	if (po->p.node_sel != NULL && po->p.node[0] != '\0') {
		snprintf(k, sizeof(k), "%s.node_selector", key);
		return kerr(x, po->nsel_line, k, "node and node_selector "
		    "cannot both be set");
	}
	if (po->p.peer_sel != NULL && (po->ip_line != 0 || po->as_line != 0)) {
		snprintf(k, sizeof(k), "%s.peer_selector", key);
		return kerr(x, po->psel_line, k, "ip and as must be empty when "
		    "peer_selector is set (the nodes it selects bring theirs)");
	}
	if (po->p.peer_sel == NULL && (po->ip_line == 0 || po->as_line == 0)) {
		snprintf(k, sizeof(k), "%s.%s", key, po->ip_line == 0 ? "ip" :
		    "as");
		return kerr(x, n->line, k, "missing");
	}
	return 0;
}

/*
 * A peer with a selector or a port is known by its place in the file (its
 * id), a plain one by (node, ip): two of those are an error.
 */
static int
parse_peer1(struct cctx *x, const struct ynode *n, const char *key,
    size_t idx, struct peer_obj *po)
{
	static const struct cfield f[] = {
		{ "ip", peer_ip },
		{ "as", peer_as },
		{ "node", peer_node },
		{ "node_selector", peer_nsel },
		{ "peer_selector", peer_psel },
		{ "reverse_peering", peer_reverse },
	};
	char buf[ADDR_STRLEN], k[200];

	if (ds_cf_walk_map(x, n, key, f, NITEMS(f), po, ds_cf_peer_fields,
	    ds_cf_npeer_fields, &po->opts) == -1 ||
	    peer_check(x, n, key, po) == -1 ||
	    ds_cf_peer_opts_end(x, &po->opts, key, &po->p) == -1)
		return -1;
	if (po->p.node_sel != NULL || po->p.peer_sel != NULL ||
	    po->p.port != 0) {
		snprintf(po->p.id, sizeof(po->p.id), "peers[%zu]", idx);
		return 0;
	}
	snprintf(k, sizeof(k), "%s.ip", key);
	if (ds_model_peer_get(x->m, "", po->p.node, &po->p.addr) != NULL)
		return kerr(x, po->ip_line, k, "duplicate peer %s%s%s",
		    addr_fmt(&po->p.addr, buf, sizeof(buf)),
		    po->p.node[0] ? " for node " : "", po->p.node);
	return 0;
}

static int
parse_peer(struct cctx *x, const struct ynode *n, const char *key,
    size_t idx, void *unused)
{
	struct peer_obj po;

	(void)unused;
	memset(&po, 0, sizeof(po));
	if (parse_peer1(x, n, key, idx, &po) == -1) {
		selector_free(po.p.node_sel);
		selector_free(po.p.peer_sel);
		ds_peer_opts_unref(po.p.opts);
		ds_cf_peer_opts_fini(&po.opts);
		return -1;
	}
	/* it takes the selectors and the options */
	return ds_model_peer_set(x->m, &po.p);
}

/* the top level */

static int
top_as(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	uint32_t as;

	(void)o;
	if (ycx_as(&x->y, n, key, &as) == -1)
		return -1;
	ds_model_set_global_as(x->m, as);
	return 0;
}

static int
top_mesh(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	bool on;

	(void)o;
	if (ycx_bool(&x->y, n, key, &on) == -1)
		return -1;
	ds_model_set_node_mesh(x->m, on);
	return 0;
}

static int
top_log(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	struct ds_log l;

	(void)o;
	memset(&l, 0, sizeof(l));
	if (parse_log(x, n, key, &l) == -1)
		return -1;
	ds_model_set_log(x->m, false, &l);
	return 0;
}

static int
top_pools(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	return ds_cf_walk_seq(x, n, key, parse_pool, o);
}

static int
top_nodes(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	return ds_cf_walk_seq(x, n, key, parse_node, o);
}

static int
top_peers(struct cctx *x, const struct ynode *n, const char *key, void *o)
{
	return ds_cf_walk_seq(x, n, key, parse_peer, o);
}

static int
parse_top1(struct cctx *x, const struct ynode *root, struct cf_conf *cc)
{
	static const struct cfield f[] = {
		{ "as", top_as },
		{ "node_mesh", top_mesh },
		{ "log_severity", top_log },
		{ "pools", top_pools },
		{ "nodes", top_nodes },
		{ "peers", top_peers },
	};

	if (ycx_top_mapping(&x->y, root) == -1)
		return -1;
	if (ds_cf_walk_map(x, root, "", f, NITEMS(f), NULL, ds_cf_top_fields,
	    ds_cf_ntop_fields, cc) == -1 || ds_cf_conf_end(x, cc) == -1)
		return -1;
	ds_model_set_bgp_config(x->m, &cc->c);
	if (ds_cf_check_refs(x) == -1)
		return -1;
	return check_claims(x);
}

/* The top level, with the BGP configuration of Calico's default. */
static int
parse_top(struct cctx *x, const struct ynode *root)
{
	struct cf_conf cc;
	int rc;

	if (root == NULL || ynode_is_null(root))
		return 0;		/* empty file: an empty cluster */
	memset(&cc, 0, sizeof(cc));
	ds_bgp_config_init(&cc.c);
	rc = parse_top1(x, root, &cc);
	ds_bgp_config_fini(&cc.c);
	return rc;
}

int
ds_cluster_load(const char *path, struct ds_model *m, char *err,
    size_t errlen)
{
	static const struct ylimits lim = {
		.max_bytes = 16 << 20,
		.max_depth = 6,		/* top, filters, filter, export_v4,
					 * rule, prefix_length */
		.max_nodes = 500000,
		.max_scalar = 1024,
	};
	struct ynode *root;
	struct cctx x;
	int rc;

	if (errlen > 0)
		err[0] = '\0';
	if (ytree_load(path, &lim, &root, err, errlen) == -1)
		return -1;
	memset(&x, 0, sizeof(x));
	x.y.path = path;
	x.y.err = err;
	x.y.errlen = errlen;
	x.m = m;
	rc = parse_top(&x, root);
	ds_cf_fini(&x);
	free(x.claims);
	ytree_free(root);
	return rc;
}
