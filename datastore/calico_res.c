/*
 * calico_res.c: the values of Calico's keys (calico-compat.md 1 and 2).
 *
 * Owns the value schemas of both layouts: v3 resource JSON (nodes with
 * spec.bgp.ipv4Address in CIDR form, routeReflectorClusterID and
 * metadata.labels, a bad cluster ID or set of labels ignored with a
 * warning, every bgppeer by name with its selectors parsed and
 * peerIP as ip, ip:port or [v6]:port, ippools, block affinities with their
 * state) and the v2 keys (raw node fields, rr_cluster_id among them,
 * merged into one node record, peer (key <ip> or <ip>-<port>) and pool
 * JSON, affinities of any value; no node labels: Calico 2.x's BGP keys
 * have none). BGPConfigurations (v3, and v1's global settings) are
 * calico_conf.c's; issue 15's BGPPeer options and BGPFilters are
 * calico_opts.c's. Each handler parses one value,
 * sets its facts in the model, fills the key's entry and says CAL_FACT,
 * CAL_NONE (valid, nothing to set: a pending affinity, another node's v2
 * peer) or CAL_BAD with why.
 * Unknown JSON fields are ignored. It must not log, commit or keep state
 * outside the key's entry: calico.c reports and undoes.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calico_int.h"
#include "json.h"
#include "labels.h"
#include "num.h"
#include "options.h"

static const char *const nfield_name[NF_COUNT] = {
	"ip_addr_v4", "ip_addr_v6", "as_num", "network_v4", "network_v6",
	"rr_cluster_id",
};

/* --- value parsers ------------------------------------------------------- */

int
ds_cal_json_as(const struct json_object *o, const char *path, uint32_t *as)
{
	const char *s;
	int64_t v;

	*as = 0;
	if (ds_json_string(o, path, &s) == 0) {
		if (s == NULL || *s == '\0')
			return 0;
		return num_parse_as(s, as) == NUM_AS_OK ? 0 : -1;
	}
	if (ds_json_int64(o, path, 0, &v) == -1 || v < 1 || v > UINT32_MAX)
		return -1;
	*as = (uint32_t)v;
	return 0;
}

/* "10.0.0.1/24" -> the address and its network; a bare address: /32. */
static int
parse_cidr_or_ip(const char *s, uint8_t af, struct addr *a, struct prefix *net)
{
	char tmp[ADDR_STRLEN];
	const char *slash = strchr(s, '/');
	size_t n = slash != NULL ? (size_t)(slash - s) : strlen(s);
	uint64_t len = af_maxlen(af);
	uint8_t b[16];

	if (n >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (addr_parse(tmp, a) == -1 || a->af != af)
		return -1;
	if (slash != NULL && (num_parse_u64(slash + 1, &len) == -1 ||
	    len > af_maxlen(af)))
		return -1;
	memcpy(b, a->b, sizeof(b));
	for (unsigned i = 0; i < 16; i++) {
		unsigned keep = len >= (i + 1) * 8 ? 8 :
		    len > i * 8 ? (unsigned)len - i * 8 : 0;

		b[i] &= (uint8_t)(0xff00u >> keep);
	}
	return prefix_set(net, af, b, (unsigned)len);
}

enum cal_res
ds_cal_bad(struct cal_ctx *x, const char *why)
{
	x->why = why;
	return CAL_BAD;
}

enum cal_res
ds_cal_badf(struct cal_ctx *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->whybuf, sizeof(x->whybuf), fmt, ap);
	va_end(ap);
	x->why = x->whybuf;
	return CAL_BAD;
}

struct json_object *
ds_cal_json(struct cal_ctx *x)
{
	struct json_object *o;
	const char *why;

	o = ds_json_parse(x->val, x->vlen, DS_JSON_DEPTH_VALUE, &why);
	if (o == NULL)
		x->why = why;
	return o;
}

/* --- nodes --------------------------------------------------------------- */

static enum cal_res
node_set(struct cal_ctx *x, const struct ds_model_node *n)
{
	if (ds_model_node_set(x->m, n) == -1)
		return ds_cal_bad(x, "node name too long");
	snprintf(x->e->node, sizeof(x->e->node), "%s", n->name);
	return CAL_FACT;
}

static int
v3_node_addrs(const struct json_object *o, struct ds_model_node *n)
{
	const char *s;

	if (ds_json_string(o, "spec.bgp.ipv4Address", &s) == -1 ||
	    (s != NULL && *s != '\0' &&
	    parse_cidr_or_ip(s, AF_INET, &n->ipv4, &n->net4) == -1))
		return -1;
	if (ds_json_string(o, "spec.bgp.ipv6Address", &s) == -1 ||
	    (s != NULL && *s != '\0' &&
	    parse_cidr_or_ip(s, AF_INET6, &n->ipv6, &n->net6) == -1))
		return -1;
	return 0;
}

void
ds_cal_warn(struct cal_ctx *x, const char *what, const char *why)
{
	size_t len = x->warn != NULL ? strlen(x->warnbuf) : 0;

	if (len >= sizeof(x->warnbuf) - 1)
		return;
	snprintf(x->warnbuf + len, sizeof(x->warnbuf) - len, "%s%s%s%s%s",
	    len > 0 ? "; " : "", what, why != NULL ? " (" : "",
	    why != NULL ? why : "", why != NULL ? ")" : "");
	x->warn = x->warnbuf;
}

/*
 * spec.bgp.routeReflectorClusterID: an IPv4-style ID, "" or absent: none.
 * A bad one is ignored (warn): the node stays, as no reflector.
 */
static void
v3_node_rrid(struct cal_ctx *x, const struct json_object *o,
    struct ds_model_node *n)
{
	const char *s;

	if (ds_json_string(o, "spec.bgp.routeReflectorClusterID", &s) == -1)
		ds_cal_warn(x, "spec.bgp.routeReflectorClusterID", "not a string");
	else if (s != NULL && ds_rr_cluster_id_parse(s, &n->rr_cluster_id) ==
	    -1)
		ds_cal_warn(x, "spec.bgp.routeReflectorClusterID",
		    "not an IPv4 address other than 0.0.0.0");
}

/* metadata.labels being read: borrowed from the JSON */
struct v3_labels {
	struct selector_label	 kv[DS_LABELS_MAX];
	size_t			 n;
	const char		*why;
};

static int
v3_label(void *arg, const char *key, const struct json_object *v)
{
	struct v3_labels *l = arg;
	const char *s;

	if ((s = ds_json_str(v)) == NULL) {
		l->why = "a label value is not a string";
		return -1;
	}
	if (l->n == DS_LABELS_MAX) {
		l->why = "more than 64 labels";
		return -1;
	}
	l->kv[l->n].key = key;
	l->kv[l->n++].value = s;
	return 0;
}

/*
 * metadata.labels, an object of strings (labels.h), set on the node just
 * stored; a bad one is ignored whole (warn): the node stays, unlabelled.
 */
static void
v3_node_labels(struct cal_ctx *x, const struct json_object *o,
    const char *name)
{
	struct v3_labels l;
	const char *why = NULL, *s;

	memset(&l, 0, sizeof(l));
	if (strstr(x->val, "\\u0000") != NULL) {
		/* json-c cuts a key at an escaped NUL: "a\u0000b" reads "a" */
		why = "a \\u0000 escape in the value";
	} else if (ds_json_string(o, "metadata.labels", &s) == 0) {
		if (s != NULL)
			why = "not an object";	/* else absent or null */
	} else if (!ds_json_is_object(ds_json_get(o, "metadata.labels"))) {
		why = "not an object";
	} else if (ds_json_each(ds_json_get(o, "metadata.labels"), v3_label,
	    &l) == -1) {
		why = l.why;
	}
	if (why != NULL)
		l.n = 0;
	if (ds_model_labels_set(x->m, name, l.kv, l.n, &s) == -1)
		why = s;
	if (why != NULL)
		ds_cal_warn(x, "metadata.labels", why);
}

/*
 * nodes/<name>: spec.bgp.{ipv4Address,ipv6Address,asNumber} (2.2),
 * spec.bgp.routeReflectorClusterID, and metadata.labels for selectors
 * (labels.h).
 */
enum cal_res
ds_cal_v3_node(struct cal_ctx *x, int arg)
{
	struct json_object *o;
	struct ds_model_node n;
	const char *why = NULL;
	enum cal_res res;

	(void)arg;
	if ((o = ds_cal_json(x)) == NULL)
		return CAL_BAD;
	memset(&n, 0, sizeof(n));
	if (strlen(x->cap[0]) >= sizeof(n.name))
		why = "node name too long";
	else if (v3_node_addrs(o, &n) == -1)
		why = "bad spec.bgp.ipv4Address or ipv6Address";
	else if (ds_cal_json_as(o, "spec.bgp.asNumber", &n.as) == -1)
		why = "bad spec.bgp.asNumber";
	if (why != NULL) {
		ds_json_free(o);
		return ds_cal_bad(x, why);
	}
	memcpy(n.name, x->cap[0], strlen(x->cap[0]) + 1);
	v3_node_rrid(x, o, &n);
	x->e->kind = CK_NODE;
	if ((res = node_set(x, &n)) == CAL_FACT)
		v3_node_labels(x, o, n.name);
	ds_json_free(o);
	return res;
}

static bool
nfield_present(const struct ds_calico *c, const char *node, enum nfield skip)
{
	char key[DS_CALICO_KEY_MAX];
	const struct cal_ent *e;

	for (int f = 0; f < NF_COUNT; f++) {
		if (f == (int)skip)
			continue;
		snprintf(key, sizeof(key), "%s/bgp/v1/host/%s/%s", c->prefix,
		    node, nfield_name[f]);
		e = ds_cal_ent_find(c, key);
		if (e != NULL && e->kind == CK_NFIELD)
			return true;
	}
	return false;
}

static void
nfield_clear(struct ds_model_node *n, enum nfield f)
{
	switch (f) {
	case NF_IPV4:
		memset(&n->ipv4, 0, sizeof(n->ipv4));
		break;
	case NF_IPV6:
		memset(&n->ipv6, 0, sizeof(n->ipv6));
		break;
	case NF_AS:
		n->as = 0;
		break;
	case NF_NET4:
		memset(&n->net4, 0, sizeof(n->net4));
		break;
	case NF_NET6:
		memset(&n->net6, 0, sizeof(n->net6));
		break;
	case NF_RRID:
	case NF_COUNT:
		n->rr_cluster_id = 0;
		break;
	}
}

static int
nfield_parse(const char *s, enum nfield f, struct ds_model_node *n)
{
	struct addr a;

	if (*s == '\0')
		return 0;			/* "" = none */
	switch (f) {
	case NF_IPV4:
		return addr_parse(s, &n->ipv4) == 0 && n->ipv4.af == AF_INET ?
		    0 : -1;
	case NF_IPV6:
		return addr_parse(s, &n->ipv6) == 0 &&
		    n->ipv6.af == AF_INET6 ? 0 : -1;
	case NF_AS:
		return num_parse_as(s, &n->as) == NUM_AS_OK ? 0 : -1;
	case NF_NET4:
		return parse_cidr_or_ip(s, AF_INET, &a, &n->net4);
	case NF_NET6:
		return parse_cidr_or_ip(s, AF_INET6, &a, &n->net6);
	case NF_RRID:
	case NF_COUNT:
		break;
	}
	return ds_rr_cluster_id_parse(s, &n->rr_cluster_id);
}

static const char *
nfield_bad(enum nfield f)
{
	switch (f) {
	case NF_AS:
		return "bad AS number";
	case NF_IPV4:
	case NF_IPV6:
		return "bad address";
	case NF_RRID:
		return "bad route reflector cluster ID (an IPv4 address other "
		    "than 0.0.0.0)";
	case NF_NET4:
	case NF_NET6:
	case NF_COUNT:
		break;
	}
	return "bad CIDR";
}

/*
 * /bgp/v1/host/<node>/<field>: raw strings, "" = none (1.1); rr_cluster_id
 * is what Calico 3.x's confd keeps there for routeReflectorClusterID.
 */
enum cal_res
ds_cal_v2_nfield(struct cal_ctx *x, int f)
{
	const struct ds_model_node *cur;
	struct ds_model_node n;

	if (strlen(x->cap[0]) >= sizeof(n.name))
		return ds_cal_bad(x, "node name too long");
	memset(&n, 0, sizeof(n));
	if ((cur = ds_model_node_get(x->m, x->cap[0])) != NULL)
		n = *cur;
	memcpy(n.name, x->cap[0], strlen(x->cap[0]) + 1);
	nfield_clear(&n, (enum nfield)f);
	if (nfield_parse(x->val, (enum nfield)f, &n) == -1)
		return ds_cal_bad(x, nfield_bad((enum nfield)f));
	x->e->kind = CK_NFIELD;
	x->e->field = (enum nfield)f;
	return node_set(x, &n);
}

void
ds_cal_undo_nfield(struct ds_calico *c, struct ds_model *m,
    const struct cal_ent *e)
{
	const struct ds_model_node *cur = ds_model_node_get(m, e->node);
	struct ds_model_node n;

	if (cur == NULL)
		return;
	if (!nfield_present(c, e->node, e->field)) {
		ds_model_node_del(m, e->node);
		return;
	}
	n = *cur;
	nfield_clear(&n, e->field);
	(void)ds_model_node_set(m, &n);
}

/* --- peers --------------------------------------------------------------- */

/* p's selectors go to the model (or are freed); the entry keeps p's id. */
static enum cal_res
peer_set(struct cal_ctx *x, const struct ds_model_peer *p)
{
	const char *why = p->peer_sel == NULL && p->as == 0 ?
	    "no AS number" : "bad peer";

	if (ds_model_peer_set(x->m, p) == -1)
		return ds_cal_bad(x, why);
	x->e->kind = CK_PEER;
	x->e->peer = *p;
	x->e->peer.node_sel = x->e->peer.peer_sel = NULL;
	x->e->peer.opts = NULL;
	return CAL_FACT;
}

/*
 * The key's last segment: the peer's address, or Calico's <ip>-<port>
 * (libcalico-go combineAddrAndPort: a port other than 179). A peer with a
 * port is known by an id of its own, so that one address may have
 * sessions on several ports.
 */
static int
v2_peer_key(const char *node, const char *seg, int af,
    struct ds_model_peer *p)
{
	char ip[ADDR_STRLEN];
	const char *dash = strrchr(seg, '-');
	uint64_t port;

	if (addr_parse(seg, &p->addr) == 0)
		return p->addr.af == af ? 0 : -1;
	if (dash == NULL || (size_t)(dash - seg) >= sizeof(ip) ||
	    num_parse_u64(dash + 1, &port) == -1 || port == 0 ||
	    port > 65535)
		return -1;
	memcpy(ip, seg, (size_t)(dash - seg));
	ip[dash - seg] = '\0';
	if (addr_parse(ip, &p->addr) == -1 || p->addr.af != af)
		return -1;
	p->port = (uint16_t)port;
	return snprintf(p->id, sizeof(p->id), "v1 %s/%s", node, seg) <
	    (int)sizeof(p->id) ? 0 : -1;
}

/*
 * {"ip":"10.0.0.1","as_num":"64567", ...options}: the key's address is
 * the peer's; the options are the v1 JSON's (calico_opts.c).
 */
static enum cal_res
v2_peer(struct cal_ctx *x, const char *node, const char *seg, int af)
{
	struct json_object *o;
	struct ds_model_peer p;
	struct addr ja;
	const char *s, *why = NULL;
	enum cal_res r;

	memset(&p, 0, sizeof(p));
	if (*node != '\0' && strcmp(node, x->c->self) != 0)
		return CAL_NONE;		/* another node's peer */
	snprintf(p.node, sizeof(p.node), "%s", node);
	if (v2_peer_key(node, seg, af, &p) == -1)
		return ds_cal_bad(x, "bad peer address in the key");
	if ((o = ds_cal_json(x)) == NULL)
		return CAL_BAD;
	if (ds_json_string(o, "ip", &s) == -1 || (s != NULL &&
	    (addr_parse(s, &ja) == -1 || !addr_eq(&ja, &p.addr))))
		why = "\"ip\" differs from the key";
	else if (ds_cal_json_as(o, "as_num", &p.as) == -1)
		why = "bad \"as_num\"";
	r = why == NULL ? ds_cal_v2_peer_opts(x, o, &p) : ds_cal_bad(x, why);
	ds_json_free(o);
	if (r != CAL_FACT) {
		ds_peer_opts_unref(p.opts);
		return r;
	}
	if (p.port != 0 && p.id[0] == '\0' && snprintf(p.id, sizeof(p.id),
	    "v1 %s/%s-%u", node, seg, p.port) >= (int)sizeof(p.id))
		return ds_cal_bad(x, "peer key too long");
	return peer_set(x, &p);
}

enum cal_res
ds_cal_v2_gpeer(struct cal_ctx *x, int af)
{
	return v2_peer(x, "", x->cap[0], af);
}

enum cal_res
ds_cal_v2_hpeer(struct cal_ctx *x, int af)
{
	return v2_peer(x, x->cap[0], x->cap[1], af);
}

/* "10.0.0.1", "10.0.0.1:1790", "fd00::1", "[fd00::1]:1790" */
static int
parse_peer_ip(const char *s, struct addr *a, uint16_t *port)
{
	char tmp[ADDR_STRLEN + 8];
	char *colon;
	uint64_t p;

	*port = 0;
	if (addr_parse(s, a) == 0)
		return 0;
	if (strlen(s) >= sizeof(tmp))
		return -1;
	snprintf(tmp, sizeof(tmp), "%s", s);
	if ((colon = strrchr(tmp, ':')) == NULL)
		return -1;
	*colon = '\0';
	if (num_parse_u64(colon + 1, &p) == -1 || p == 0 || p > 65535)
		return -1;
	*port = (uint16_t)p;
	if (tmp[0] == '[' && colon > tmp + 1 && colon[-1] == ']') {
		colon[-1] = '\0';
		return addr_parse(tmp + 1, a) == 0 && a->af == AF_INET6 ? 0 :
		    -1;
	}
	return addr_parse(tmp, a) == 0 && a->af == AF_INET ? 0 : -1;
}

/*
 * A selector field: *sel NULL when absent or "" (confd tests the text
 * against ""), else parsed; -1 with why when it is no string or no
 * selector (selector.h bounds it: it comes from etcd).
 */
static int
v3_selector(struct cal_ctx *x, const struct json_object *o, const char *path,
    struct selector **sel)
{
	char err[SELECTOR_ERRLEN];
	const char *s;

	*sel = NULL;
	if (ds_json_string(o, path, &s) == -1) {
		snprintf(x->whybuf, sizeof(x->whybuf), "%s is not a string",
		    path);
		x->why = x->whybuf;
		return -1;
	}
	if (s == NULL || *s == '\0')
		return 0;
	if ((*sel = selector_parse(s, err, sizeof(err))) == NULL) {
		snprintf(x->whybuf, sizeof(x->whybuf), "bad %s (%s)", path,
		    err);
		x->why = x->whybuf;
		return -1;
	}
	return 0;
}

/* spec.reversePeering: Auto (or absent) or Manual. */
static int
v3_reverse(const struct json_object *o, bool *no_reverse)
{
	const char *s;

	*no_reverse = false;
	if (ds_json_string(o, "spec.reversePeering", &s) == -1)
		return -1;
	if (s == NULL || *s == '\0' || strcmp(s, "Auto") == 0)
		return 0;
	if (strcmp(s, "Manual") != 0)
		return -1;
	*no_reverse = true;
	return 0;
}

/*
 * Where (spec.node, spec.nodeSelector) and whom (spec.peerSelector, else
 * spec.peerIP and spec.asNumber); confd's precedence where Calico's API
 * forbids both: nodeSelector over node, peerSelector over peerIP and
 * asNumber (those two are then not read).
 */
static enum cal_res
v3_peer_spec(struct cal_ctx *x, const struct json_object *o,
    struct ds_model_peer *p)
{
	const char *node, *ip;

	if (ds_json_string(o, "spec.node", &node) == -1 ||
	    (node != NULL && strlen(node) >= sizeof(p->node)))
		return ds_cal_bad(x, "bad spec.node (a node name up to 63 bytes)");
	snprintf(p->node, sizeof(p->node), "%s", node != NULL ? node : "");
	if (v3_reverse(o, &p->no_reverse) == -1)
		return ds_cal_bad(x, "unknown spec.reversePeering (Auto, Manual)");
	if (v3_selector(x, o, "spec.nodeSelector", &p->node_sel) == -1 ||
	    v3_selector(x, o, "spec.peerSelector", &p->peer_sel) == -1)
		return CAL_BAD;
	if (ds_json_string(o, "spec.localWorkloadSelector", &ip) == -1 ||
	    (ip != NULL && *ip != '\0'))
		return ds_cal_bad(x, "spec.localWorkloadSelector is not "
		    "supported (peering with local workloads)");
	if (p->peer_sel != NULL)
		return CAL_FACT;
	if (ds_json_string(o, "spec.peerIP", &ip) == -1 || ip == NULL ||
	    parse_peer_ip(ip, &p->addr, &p->port) == -1)
		return ds_cal_bad(x, "bad spec.peerIP");
	if (ds_cal_json_as(o, "spec.asNumber", &p->as) == -1)
		return ds_cal_bad(x, "bad spec.asNumber");
	return CAL_FACT;
}

/*
 * bgppeers/<name>: spec.{node,nodeSelector,peerSelector,peerIP,asNumber,
 * reversePeering} (2.2). Every BGPPeer is kept, by its name: which apply
 * to this node, and how, is derive.c's (it depends on the nodes).
 */
enum cal_res
ds_cal_v3_peer(struct cal_ctx *x, int arg)
{
	struct json_object *o;
	struct ds_model_peer p;
	enum cal_res r;

	(void)arg;
	memset(&p, 0, sizeof(p));
	if (strlen(x->cap[0]) >= sizeof(p.id))
		return ds_cal_bad(x, "BGPPeer name too long");
	memcpy(p.id, x->cap[0], strlen(x->cap[0]) + 1);
	if ((o = ds_cal_json(x)) == NULL)
		return CAL_BAD;
	r = v3_peer_spec(x, o, &p);
	if (r == CAL_FACT)
		r = ds_cal_v3_peer_opts(x, o, &p);
	ds_json_free(o);
	if (r == CAL_FACT)
		return peer_set(x, &p);
	selector_free(p.node_sel);
	selector_free(p.peer_sel);
	ds_peer_opts_unref(p.opts);
	return r;
}

/* --- pools and blocks ---------------------------------------------------- */

static enum cal_res
pool_set(struct cal_ctx *x, const struct ds_pool *p)
{
	if (ds_model_pool_set(x->m, p) == -1)
		return ds_cal_bad(x, "bad pool");
	x->e->kind = CK_POOL;
	x->e->pool = *p;
	return CAL_FACT;
}

/* A mode string: index into names[] (NULL entries skipped), or -1. */
static int
mode_index(const char *s, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] != NULL && strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

/* v1 vxlan_mode (libcalico-go encap.Mode): "", "always", "cross-subnet". */
static int
v2_vxlan(const char *mode, enum ds_vxlan *v)
{
	static const char *const names[] = {
		[DS_VXLAN_NEVER] = "never",
		[DS_VXLAN_ALWAYS] = "always",
		[DS_VXLAN_CROSS_SUBNET] = "cross-subnet",
	};
	int i;

	*v = DS_VXLAN_NEVER;
	if (mode == NULL || *mode == '\0')
		return 0;
	if ((i = mode_index(mode, names, NITEMS(names))) == -1)
		return -1;
	*v = (enum ds_vxlan)i;
	return 0;
}

static const char *
v2_ipip(const char *ipip, const char *mode, struct ds_pool *p)
{
	if (ipip == NULL || *ipip == '\0')
		p->ipip = DS_IPIP_NEVER;
	else if (mode != NULL && strcmp(mode, "cross-subnet") == 0)
		p->ipip = DS_IPIP_CROSS_SUBNET;
	else if (mode == NULL || *mode == '\0' || strcmp(mode, "always") == 0)
		p->ipip = DS_IPIP_ALWAYS;
	else
		return "unknown \"ipip_mode\"";
	return NULL;
}

/*
 * v1 pool JSON: cidr, ipip ("tunl0"/""), ipip_mode, disabled (1.3), and
 * what Calico 3.x's v1 conversion adds: vxlan_mode, disableBGPExport (2.2).
 */
static const char *
v2_pool_json(const struct json_object *o, struct ds_pool *p)
{
	const char *cidr, *ipip, *mode, *vx;
	struct prefix jc;

	if (ds_json_string(o, "cidr", &cidr) == -1 || (cidr != NULL &&
	    (prefix_parse(cidr, &jc) == -1 || !prefix_eq(&jc, &p->cidr))))
		return "bad \"cidr\" (or not the key's)";
	if (ds_json_string(o, "ipip", &ipip) == -1 ||
	    ds_json_string(o, "ipip_mode", &mode) == -1)
		return "\"ipip\" or \"ipip_mode\" is not a string";
	if (ds_json_bool(o, "disabled", false, &p->disabled) == -1)
		return "\"disabled\" is not a boolean";
	if (ds_json_bool(o, "disableBGPExport", false, &p->no_export) == -1)
		return "\"disableBGPExport\" is not a boolean";
	if (ds_json_string(o, "vxlan_mode", &vx) == -1)
		return "\"vxlan_mode\" is not a string";
	if (v2_vxlan(vx, &p->vxlan) == -1)
		return "unknown \"vxlan_mode\"";
	return v2_ipip(ipip, mode, p);
}

/* /v1/ipam/v4/pool/<cidr-> */
enum cal_res
ds_cal_v2_pool(struct cal_ctx *x, int af)
{
	struct json_object *o;
	struct ds_pool p;
	const char *why;

	memset(&p, 0, sizeof(p));
	if (prefix_parse_dash(x->cap[0], &p.cidr) == -1 || p.cidr.af != af)
		return ds_cal_bad(x, "bad CIDR in the key");
	if ((o = ds_cal_json(x)) == NULL)
		return CAL_BAD;
	why = v2_pool_json(o, &p);
	ds_json_free(o);
	return why != NULL ? ds_cal_bad(x, why) : pool_set(x, &p);
}

/* v3 ipipMode / vxlanMode: Never (or absent), Always, CrossSubnet. */
static int
v3_mode(const struct json_object *o, const char *path, int *mode)
{
	static const char *const names[] = { "Never", "Always", "CrossSubnet" };
	const char *s;

	*mode = 0;
	if (ds_json_string(o, path, &s) == -1)
		return -1;
	if (s == NULL || *s == '\0')
		return 0;
	return (*mode = mode_index(s, names, NITEMS(names))) == -1 ? -1 : 0;
}

static const char *
v3_pool_json(const struct json_object *o, struct ds_pool *p)
{
	const char *cidr;
	int ipip, vxlan;

	if (ds_json_string(o, "spec.cidr", &cidr) == -1 || cidr == NULL ||
	    prefix_parse(cidr, &p->cidr) == -1)
		return "bad spec.cidr";
	if (v3_mode(o, "spec.ipipMode", &ipip) == -1)
		return "unknown spec.ipipMode (Never, Always, CrossSubnet)";
	if (v3_mode(o, "spec.vxlanMode", &vxlan) == -1)
		return "unknown spec.vxlanMode (Never, Always, CrossSubnet)";
	if (ds_json_bool(o, "spec.disabled", false, &p->disabled) == -1)
		return "spec.disabled is not a boolean";
	if (ds_json_bool(o, "spec.disableBGPExport", false,
	    &p->no_export) == -1)
		return "spec.disableBGPExport is not a boolean";
	p->ipip = (enum ds_ipip)ipip;
	p->vxlan = (enum ds_vxlan)vxlan;
	return NULL;
}

/* ippools/<name>: spec.{cidr,ipipMode,vxlanMode,disabled,disableBGPExport} */
enum cal_res
ds_cal_v3_pool(struct cal_ctx *x, int arg)
{
	struct json_object *o;
	struct ds_pool p;
	const char *why;

	(void)arg;
	memset(&p, 0, sizeof(p));
	if ((o = ds_cal_json(x)) == NULL)
		return CAL_BAD;
	why = v3_pool_json(o, &p);
	ds_json_free(o);
	return why != NULL ? ds_cal_bad(x, why) : pool_set(x, &p);
}

static bool
blank(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return *s == '\0';
}

/* v3: only confirmed or state-less affinities count (2.1). */
static enum cal_res
v3_affinity(struct cal_ctx *x, bool *counts)
{
	struct json_object *o;
	const char *state;
	bool deleted;
	int rc;

	*counts = true;
	if (blank(x->val))
		return CAL_FACT;
	if ((o = ds_cal_json(x)) == NULL)
		return CAL_BAD;
	rc = ds_json_string(o, "state", &state);
	if (rc == 0)
		rc = ds_json_bool(o, "deleted", false, &deleted);
	if (rc == 0)
		*counts = !deleted && (state == NULL || *state == '\0' ||
		    strcmp(state, "confirmed") == 0);
	ds_json_free(o);
	if (rc == -1)
		return ds_cal_bad(x, "bad \"state\" or \"deleted\"");
	return CAL_FACT;
}

/* /ipam/v2/host/<node>/ipv4/block/<cidr->: the key carries the block. */
enum cal_res
ds_cal_block(struct cal_ctx *x, int af)
{
	struct prefix p;
	bool counts = true;

	if (strcmp(x->cap[0], x->c->self) != 0)
		return CAL_NONE;
	if (prefix_parse_dash(x->cap[1], &p) == -1 || p.af != af)
		return ds_cal_bad(x, "bad CIDR in the key");
	if (x->c->layout == DS_LAYOUT_V3 && v3_affinity(x, &counts) == CAL_BAD)
		return CAL_BAD;
	if (!counts)
		return CAL_NONE;
	if (ds_model_block_add(x->m, &p) == -1)
		return ds_cal_bad(x, "bad block");
	x->e->kind = CK_BLOCK;
	x->e->block = p;
	return CAL_FACT;
}

