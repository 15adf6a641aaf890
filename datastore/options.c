/*
 * options.c: the values of issue 15's options (options.h).
 *
 * Owns the life of struct ds_peer_opts (refcounted: a BGPPeer's options
 * are shared by the fact and every session derived from it, so a view of
 * a thousand mesh sessions holds one instance), deep copies, comparisons
 * and frees of struct ds_bgp_config and struct ds_filter, and the text
 * parsers all three sources share. It must not log or know a source: a
 * parser says -1 and its caller names the field.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "xmalloc.h"

const char *const ds_source_addr_names[2] = { "UseNodeIP", "None" };
const char *const ds_next_hop_names[4] = { "", "Auto", "Self", "Keep" };
const char *const ds_restart_mode_names[2] = {
	"GracefulRestart", "LongLivedGracefulRestart",
};
const char *const ds_failure_detection_names[2] = {
	"None", "BFDIfDirectlyConnected",
};
const char *const ds_bind_mode_names[2] = { "None", "NodeIP" };
const char *const ds_filter_op_names[5] = {
	"", "Equal", "NotEqual", "In", "NotIn",
};
const char *const ds_filter_action_names[2] = { "Accept", "Reject" };
const char *const ds_filter_source_names[2] = { "", "RemotePeers" };
const char *const ds_filter_peer_type_names[3] = { "", "eBGP", "iBGP" };

#define NAME_OF(tab, v)	((size_t)(v) < NITEMS(tab) ? (tab)[v] : "?")

const char *
ds_source_addr_name(enum ds_source_addr v)
{
	return NAME_OF(ds_source_addr_names, v);
}

const char *
ds_next_hop_name(enum ds_next_hop v)
{
	return NAME_OF(ds_next_hop_names, v);
}

const char *
ds_restart_mode_name(enum ds_restart_mode v)
{
	return NAME_OF(ds_restart_mode_names, v);
}

const char *
ds_failure_detection_name(enum ds_failure_detection v)
{
	return NAME_OF(ds_failure_detection_names, v);
}

const char *
ds_bind_mode_name(enum ds_bind_mode v)
{
	return NAME_OF(ds_bind_mode_names, v);
}

const char *
ds_filter_op_name(enum ds_filter_op v)
{
	return NAME_OF(ds_filter_op_names, v);
}

const char *
ds_filter_action_name(enum ds_filter_action v)
{
	return NAME_OF(ds_filter_action_names, v);
}

const char *
ds_filter_source_name(enum ds_filter_source v)
{
	return NAME_OF(ds_filter_source_names, v);
}

const char *
ds_filter_peer_type_name(enum ds_filter_peer_type v)
{
	return NAME_OF(ds_filter_peer_type_names, v);
}

int
ds_enum_parse(const char *s, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (names[i][0] != '\0' && strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

/* --- passwords ----------------------------------------------------------- */

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static bool
str_eq(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

void
ds_password_clear(struct ds_password *p)
{
	free(p->ref);
	free(p->key);
	memset(p, 0, sizeof(*p));
}

void
ds_password_set(struct ds_password *p, enum ds_password_kind kind,
    const char *ref, const char *key)
{
	ds_password_clear(p);
	if (kind == DS_PW_NONE)
		return;
	p->kind = kind;
	p->ref = xstrdup(ref != NULL ? ref : "");
	p->key = kind == DS_PW_SECRET ? xstrdup(key != NULL ? key : "") :
	    NULL;
}

void
ds_password_copy(struct ds_password *dst, const struct ds_password *src)
{
	dst->kind = src->kind;
	dst->ref = dup_or_null(src->ref);
	dst->key = dup_or_null(src->key);
}

bool
ds_password_eq(const struct ds_password *a, const struct ds_password *b)
{
	return a->kind == b->kind && str_eq(a->ref, b->ref) &&
	    str_eq(a->key, b->key);
}

/* --- peer options -------------------------------------------------------- */

/* refs 0: the static default, never freed */
struct popts {
	unsigned		refs;
	struct ds_peer_opts	o;
};

#define POPTS_OF(o)	((struct popts *)(void *)((char *)(o) - \
	offsetof(struct popts, o)))

static struct popts default_opts = {
	0, { .restart_time = DS_TIME_UNSET, .keepalive_time = DS_TIME_UNSET },
};

const struct ds_peer_opts *
ds_peer_opts_default(void)
{
	return &default_opts.o;
}

struct ds_peer_opts *
ds_peer_opts_new(void)
{
	struct popts *p = xcalloc(1, sizeof(*p));

	p->refs = 1;
	p->o.restart_time = DS_TIME_UNSET;
	p->o.keepalive_time = DS_TIME_UNSET;
	return &p->o;
}

const struct ds_peer_opts *
ds_peer_opts_ref(const struct ds_peer_opts *o)
{
	struct popts *p = POPTS_OF(o);

	if (p->refs > 0)
		p->refs++;
	return o;
}

void
ds_peer_opts_unref(const struct ds_peer_opts *o)
{
	struct popts *p;

	if (o == NULL)
		return;
	p = POPTS_OF(o);
	if (p->refs == 0 || --p->refs > 0)
		return;
	for (size_t i = 0; i < p->o.nfilters; i++)
		free(p->o.filters[i]);
	free(p->o.filters);
	ds_password_clear(&p->o.password);
	free(p);
}

struct ds_peer_opts *
ds_peer_opts_copy(const struct ds_peer_opts *o)
{
	struct ds_peer_opts *n = ds_peer_opts_new();

	*n = *o;
	ds_password_copy(&n->password, &o->password);
	n->filters = NULL;
	n->nfilters = 0;
	for (size_t i = 0; i < o->nfilters; i++)
		(void)ds_peer_opts_add_filter(n, o->filters[i]);
	return n;
}

int
ds_peer_opts_add_filter(struct ds_peer_opts *o, const char *name)
{
	if (o->nfilters >= DS_PEER_FILTERS_MAX)
		return -1;
	o->filters = xreallocarray(o->filters, o->nfilters + 1,
	    sizeof(*o->filters));
	o->filters[o->nfilters++] = xstrdup(name);
	return 0;
}

bool
ds_peer_opts_eq(const struct ds_peer_opts *a, const struct ds_peer_opts *b)
{
	if (a == b)
		return true;
	if (a->local_as != b->local_as || a->source_addr != b->source_addr ||
	    a->next_hop != b->next_hop ||
	    a->keep_next_hop != b->keep_next_hop ||
	    a->restart_mode != b->restart_mode ||
	    a->restart_time != b->restart_time ||
	    a->keepalive_time != b->keepalive_time ||
	    a->num_allow_local_as != b->num_allow_local_as ||
	    a->ttl_security != b->ttl_security ||
	    !addr_eq(&a->reachable_by, &b->reachable_by) ||
	    a->failure_detection != b->failure_detection ||
	    !ds_password_eq(&a->password, &b->password) ||
	    a->nfilters != b->nfilters)
		return false;
	for (size_t i = 0; i < a->nfilters; i++)
		if (strcmp(a->filters[i], b->filters[i]) != 0)
			return false;
	return true;
}

size_t
ds_peer_opts_set(const struct ds_peer_opts *o, char *buf, size_t len)
{
	/*
	 * Every option is applied now (issue 15: bgpd's transport options,
	 * next hop and restart modes, BFD, filters, reachableBy): nothing to
	 * say. Kept as the seam for the next option the datastore reads
	 * before ternd applies it (a row {set, name} each, in Calico's names).
	 */
	(void)o;
	if (len > 0)
		buf[0] = '\0';
	return 0;
}

/* --- communities --------------------------------------------------------- */

/* Decimal digits (leading zeros allowed: Go's \d+ and ParseUint). */
static int
parse_part(const char *s, size_t n, uint64_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > UINT32_MAX)
			v = (uint64_t)UINT32_MAX + 1;	/* saturate */
	}
	if (v > max)
		return -2;
	*out = (uint32_t)v;
	return 0;
}

int
ds_community_parse(const char *s, struct ds_community *c)
{
	const char *p[3];
	size_t np = 0, len[3];
	int rc, worst = 0;

	memset(c, 0, sizeof(*c));
	p[np++] = s;
	for (const char *q = s; *q != '\0'; q++) {
		if (*q != ':')
			continue;
		if (np == 3)
			return -1;
		p[np++] = q + 1;
	}
	if (np < 2)
		return -1;
	for (size_t i = 0; i < np; i++)
		len[i] = i + 1 < np ? (size_t)(p[i + 1] - p[i] - 1) :
		    strlen(p[i]);
	c->large = np == 3;
	for (size_t i = 0; i < np; i++) {
		rc = parse_part(p[i], len[i], c->large ? UINT32_MAX : 65535,
		    &c->v[i]);
		if (rc == -1)
			return -1;
		if (rc == -2)
			worst = -2;
	}
	if (worst != 0)
		memset(c, 0, sizeof(*c));
	return worst;
}

const char *
ds_community_fmt(const struct ds_community *c, char *buf, size_t len)
{
	if (c->large)
		snprintf(buf, len, "%u:%u:%u", c->v[0], c->v[1], c->v[2]);
	else
		snprintf(buf, len, "%u:%u", c->v[0], c->v[1]);
	return buf;
}

static bool
comm_eq(const struct ds_community *a, const struct ds_community *b)
{
	return a->large == b->large && a->v[0] == b->v[0] &&
	    a->v[1] == b->v[1] && a->v[2] == b->v[2];
}

static int
comm_text_cmp(const struct ds_community *a, const struct ds_community *b)
{
	char x[DS_COMMUNITY_STRLEN], y[DS_COMMUNITY_STRLEN];

	return strcmp(ds_community_fmt(a, x, sizeof(x)),
	    ds_community_fmt(b, y, sizeof(y)));
}

const char *
ds_prefix_adv_add(struct ds_prefix_adv *a, const char *text,
    const struct ds_bgp_config *defs)
{
	const struct ds_community *d;
	struct ds_community c;
	size_t i;
	int rc;

	/* confd: a value in Calico's syntax is itself, else a name */
	if ((rc = ds_community_parse(text, &c)) == -2)
		return "a community value out of range (aa:nn: 16 bits "
		    "each, aa:nn:mm: 32 bits each)";
	if (rc == -1) {
		if ((d = ds_bgp_config_community(defs, text)) == NULL)
			return "a community that is neither aa:nn, aa:nn:mm "
			    "nor the name of one in communities";
		c = *d;
	}
	for (i = 0; i < a->ncomms; i++)
		if (comm_eq(&a->comms[i], &c))
			return NULL;
	if (a->ncomms >= DS_ADV_COMMUNITIES_MAX)
		return "more than 50 communities";
	a->comms = xreallocarray(a->comms, a->ncomms + 1, sizeof(*a->comms));
	for (i = a->ncomms; i > 0 && comm_text_cmp(&a->comms[i - 1], &c) > 0;
	    i--)
		a->comms[i] = a->comms[i - 1];
	a->comms[i] = c;
	a->ncomms++;
	return NULL;
}

void
ds_prefix_adv_fini(struct ds_prefix_adv *a)
{
	free(a->comms);
	a->comms = NULL;
	a->ncomms = 0;
}

/* --- BGP configuration --------------------------------------------------- */

void
ds_bgp_config_init(struct ds_bgp_config *c)
{
	memset(c, 0, sizeof(*c));
	c->mesh_restart_time = DS_TIME_UNSET;
}

void
ds_prefixes_clear(struct ds_prefixes *p)
{
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

void
ds_bgp_config_fini(struct ds_bgp_config *c)
{
	for (size_t i = 0; i < c->ncommunities; i++)
		free(c->communities[i].name);
	free(c->communities);
	for (size_t i = 0; i < c->nprefix_advs; i++)
		ds_prefix_adv_fini(&c->prefix_advs[i]);
	free(c->prefix_advs);
	ds_prefixes_clear(&c->svc_cluster_ips);
	ds_prefixes_clear(&c->svc_external_ips);
	ds_prefixes_clear(&c->svc_lb_ips);
	for (size_t i = 0; i < c->nignored_ifaces; i++)
		free(c->ignored_ifaces[i]);
	free(c->ignored_ifaces);
	ds_password_clear(&c->mesh_password);
	ds_bgp_config_init(c);
}

int
ds_prefixes_add(struct ds_prefixes *p, const struct prefix *x)
{
	if (p->n >= DS_LIST_MAX)
		return -1;
	p->v = xreallocarray(p->v, p->n + 1, sizeof(*p->v));
	p->v[p->n++] = *x;
	return 0;
}

int
ds_bgp_config_add_community(struct ds_bgp_config *c, const char *name,
    const struct ds_community *v)
{
	if (c->ncommunities >= DS_COMMUNITIES_MAX)
		return -1;
	c->communities = xreallocarray(c->communities, c->ncommunities + 1,
	    sizeof(*c->communities));
	c->communities[c->ncommunities].name = xstrdup(name);
	c->communities[c->ncommunities++].c = *v;
	return 0;
}

int
ds_bgp_config_add_adv(struct ds_bgp_config *c, const struct ds_prefix_adv *a)
{
	struct ds_prefix_adv *n;

	if (c->nprefix_advs >= DS_COMMUNITIES_MAX)
		return -1;
	c->prefix_advs = xreallocarray(c->prefix_advs, c->nprefix_advs + 1,
	    sizeof(*c->prefix_advs));
	n = &c->prefix_advs[c->nprefix_advs++];
	n->cidr = a->cidr;
	n->ncomms = a->ncomms;
	n->comms = a->ncomms > 0 ? xmemdup(a->comms, a->ncomms *
	    sizeof(*a->comms)) : NULL;
	return 0;
}

int
ds_bgp_config_add_iface(struct ds_bgp_config *c, const char *name)
{
	if (c->nignored_ifaces >= DS_IGNORED_IFACES_MAX)
		return -1;
	c->ignored_ifaces = xreallocarray(c->ignored_ifaces,
	    c->nignored_ifaces + 1, sizeof(*c->ignored_ifaces));
	c->ignored_ifaces[c->nignored_ifaces++] = xstrdup(name);
	return 0;
}

const struct ds_community *
ds_bgp_config_community(const struct ds_bgp_config *c, const char *name)
{
	for (size_t i = 0; c != NULL && i < c->ncommunities; i++)
		if (strcmp(c->communities[i].name, name) == 0)
			return &c->communities[i].c;
	return NULL;
}

static void
prefixes_copy(struct ds_prefixes *dst, const struct ds_prefixes *src)
{
	dst->n = src->n;
	dst->v = src->n > 0 ? xmemdup(src->v, src->n * sizeof(*src->v)) :
	    NULL;
}

void
ds_bgp_config_copy(struct ds_bgp_config *dst, const struct ds_bgp_config *src)
{
	ds_bgp_config_init(dst);
	dst->listen_port = src->listen_port;
	dst->bind_mode = src->bind_mode;
	for (size_t i = 0; i < src->ncommunities; i++)
		(void)ds_bgp_config_add_community(dst,
		    src->communities[i].name, &src->communities[i].c);
	for (size_t i = 0; i < src->nprefix_advs; i++)
		(void)ds_bgp_config_add_adv(dst, &src->prefix_advs[i]);
	prefixes_copy(&dst->svc_cluster_ips, &src->svc_cluster_ips);
	prefixes_copy(&dst->svc_external_ips, &src->svc_external_ips);
	prefixes_copy(&dst->svc_lb_ips, &src->svc_lb_ips);
	for (size_t i = 0; i < src->nignored_ifaces; i++)
		(void)ds_bgp_config_add_iface(dst, src->ignored_ifaces[i]);
	ds_password_copy(&dst->mesh_password, &src->mesh_password);
	dst->mesh_restart_time = src->mesh_restart_time;
}

static bool
prefixes_eq(const struct ds_prefixes *a, const struct ds_prefixes *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!prefix_eq(&a->v[i], &b->v[i]))
			return false;
	return true;
}

static bool
advs_eq(const struct ds_bgp_config *a, const struct ds_bgp_config *b)
{
	const struct ds_prefix_adv *x, *y;

	if (a->nprefix_advs != b->nprefix_advs)
		return false;
	for (size_t i = 0; i < a->nprefix_advs; i++) {
		x = &a->prefix_advs[i];
		y = &b->prefix_advs[i];
		if (!prefix_eq(&x->cidr, &y->cidr) || x->ncomms != y->ncomms)
			return false;
		for (size_t j = 0; j < x->ncomms; j++)
			if (!comm_eq(&x->comms[j], &y->comms[j]))
				return false;
	}
	return true;
}

bool
ds_bgp_config_eq(const struct ds_bgp_config *a, const struct ds_bgp_config *b)
{
	if (a->listen_port != b->listen_port || a->bind_mode != b->bind_mode ||
	    a->ncommunities != b->ncommunities || !advs_eq(a, b) ||
	    !prefixes_eq(&a->svc_cluster_ips, &b->svc_cluster_ips) ||
	    !prefixes_eq(&a->svc_external_ips, &b->svc_external_ips) ||
	    !prefixes_eq(&a->svc_lb_ips, &b->svc_lb_ips) ||
	    a->nignored_ifaces != b->nignored_ifaces ||
	    !ds_password_eq(&a->mesh_password, &b->mesh_password) ||
	    a->mesh_restart_time != b->mesh_restart_time)
		return false;
	for (size_t i = 0; i < a->ncommunities; i++)
		if (strcmp(a->communities[i].name, b->communities[i].name) !=
		    0 || !comm_eq(&a->communities[i].c, &b->communities[i].c))
			return false;
	for (size_t i = 0; i < a->nignored_ifaces; i++)
		if (strcmp(a->ignored_ifaces[i], b->ignored_ifaces[i]) != 0)
			return false;
	return true;
}

/* --- BGPFilters ---------------------------------------------------------- */

void
ds_filter_init(struct ds_filter *f, const char *name)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
}

void
ds_filter_fini(struct ds_filter *f)
{
	for (int d = 0; d < DS_FILTER_NDIR; d++) {
		free(f->rules[d]);
		f->rules[d] = NULL;
		f->nrules[d] = 0;
	}
}

void
ds_filter_copy(struct ds_filter *dst, const struct ds_filter *src)
{
	*dst = *src;
	for (int d = 0; d < DS_FILTER_NDIR; d++)
		dst->rules[d] = src->nrules[d] > 0 ? xmemdup(src->rules[d],
		    src->nrules[d] * sizeof(*src->rules[d])) : NULL;
}

bool
ds_filter_rule_eq(const struct ds_filter_rule *a,
    const struct ds_filter_rule *b)
{
	return prefix_eq(&a->cidr, &b->cidr) && a->op == b->op &&
	    a->has_len == b->has_len && a->min_len == b->min_len &&
	    a->max_len == b->max_len && a->source == b->source &&
	    strcmp(a->iface, b->iface) == 0 && a->peer_type == b->peer_type &&
	    a->action == b->action;
}

bool
ds_filter_eq(const struct ds_filter *a, const struct ds_filter *b)
{
	if (strcmp(a->name, b->name) != 0)
		return false;
	for (int d = 0; d < DS_FILTER_NDIR; d++) {
		if (a->nrules[d] != b->nrules[d])
			return false;
		for (size_t i = 0; i < a->nrules[d]; i++)
			if (!ds_filter_rule_eq(&a->rules[d][i],
			    &b->rules[d][i]))
				return false;
	}
	return true;
}

int
ds_filter_add_rule(struct ds_filter *f, enum ds_filter_dir d,
    const struct ds_filter_rule *r)
{
	if (f->nrules[d] >= DS_FILTER_RULES_MAX)
		return -1;
	f->rules[d] = xreallocarray(f->rules[d], f->nrules[d] + 1,
	    sizeof(*f->rules[d]));
	f->rules[d][f->nrules[d]++] = *r;
	return 0;
}

const char *
ds_filter_rule_check(const struct ds_filter_rule *r, uint8_t af)
{
	int max = (int)af_maxlen(af), lo, hi;

	if ((r->cidr.af != 0) != (r->op != DS_FOP_NONE))
		return "cidr and matchOperator must both be set or both be "
		    "empty";
	if (r->cidr.af != 0 && r->cidr.af != af)
		return "cidr is not of the rule's family";
	if (r->has_len && r->cidr.af == 0)
		return "cidr is required when prefixLength is set";
	if (r->min_len > max || r->max_len > max)
		return "prefixLength out of range";
	if (!r->has_len)
		return NULL;
	/* confd: [cidr{max(len, min), min(32 or 128, max)}] */
	lo = r->min_len >= r->cidr.len ? r->min_len : r->cidr.len;
	hi = r->max_len >= 0 ? r->max_len : max;
	if (lo > hi)
		return "prefixLength leaves no length (min above max, or max "
		    "below the cidr's)";
	return NULL;
}

/* --- text parsers -------------------------------------------------------- */

#define NS_LIMIT	((uint64_t)1 << 63)

/* Go's leadingInt: digits into *x; -1 past 1<<63. */
static int
leading_int(const char **s, uint64_t *x)
{
	*x = 0;
	for (; **s >= '0' && **s <= '9'; (*s)++) {
		if (*x > NS_LIMIT / 10)
			return -1;
		*x = *x * 10 + (uint64_t)(**s - '0');
		if (*x > NS_LIMIT)
			return -1;
	}
	return 0;
}

/* Go's leadingFraction: digits after the point, overflow ignored. */
static void
leading_fraction(const char **s, uint64_t *x, double *scale)
{
	bool overflow = false;
	uint64_t y;

	*x = 0;
	*scale = 1;
	for (; **s >= '0' && **s <= '9'; (*s)++) {
		if (overflow)
			continue;
		if (*x > (NS_LIMIT - 1) / 10) {
			overflow = true;
			continue;
		}
		y = *x * 10 + (uint64_t)(**s - '0');
		if (y > NS_LIMIT) {
			overflow = true;
			continue;
		}
		*x = y;
		*scale *= 10;
	}
}

static uint64_t
duration_unit(const char *u, size_t n)
{
	static const struct {
		const char	*name;
		uint64_t	 ns;
	} units[] = {
		{ "ns", 1 },
		{ "us", 1000 },
		{ "\xc2\xb5s", 1000 },		/* U+00B5 micro sign */
		{ "\xce\xbcs", 1000 },		/* U+03BC mu */
		{ "ms", 1000000 },
		{ "s", 1000000000 },
		{ "m", 60ull * 1000000000 },
		{ "h", 3600ull * 1000000000 },
	};

	for (size_t i = 0; i < NITEMS(units); i++)
		if (strlen(units[i].name) == n &&
		    memcmp(units[i].name, u, n) == 0)
			return units[i].ns;
	return 0;
}

/* One [0-9]*(\.[0-9]*)?unit term into *v (ns). */
static int
duration_term(const char **s, uint64_t *v)
{
	uint64_t f, unit;
	double scale;
	const char *start = *s, *u;
	bool pre, post = false;

	if (!(**s == '.' || (**s >= '0' && **s <= '9')))
		return -1;
	if (leading_int(s, v) == -1)
		return -1;
	pre = *s != start;
	if (**s == '.') {
		(*s)++;
		u = *s;
		leading_fraction(s, &f, &scale);
		post = *s != u;
	} else {
		f = 0;
		scale = 1;
	}
	if (!pre && !post)
		return -1;
	for (u = *s; **s != '\0' && **s != '.' && !(**s >= '0' &&
	    **s <= '9'); (*s)++)
		;
	if ((unit = duration_unit(u, (size_t)(*s - u))) == 0)
		return -1;
	if (*v > NS_LIMIT / unit)
		return -1;
	*v *= unit;
	if (f > 0) {
		*v += (uint64_t)((double)f * ((double)unit / scale));
		if (*v > NS_LIMIT)
			return -1;
	}
	return 0;
}

int
ds_duration_parse(const char *s, int64_t *ns)
{
	uint64_t d = 0, v;
	bool neg = false;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (strcmp(s, "0") == 0) {
		*ns = 0;
		return 0;
	}
	if (*s == '\0')
		return -1;
	while (*s != '\0') {
		if (duration_term(&s, &v) == -1)
			return -1;
		d += v;
		if (d > NS_LIMIT)
			return -1;
	}
	if (neg) {
		*ns = d == NS_LIMIT ? INT64_MIN : -(int64_t)d;
		return 0;
	}
	if (d > NS_LIMIT - 1)
		return -1;
	*ns = (int64_t)d;
	return 0;
}

int
ds_duration_secs(const char *s, int64_t max, int32_t *secs)
{
	int64_t ns, sec;

	if (ds_duration_parse(s, &ns) == -1 || ns < 0)
		return -1;
	/* math.Round: half away from zero */
	sec = ns / 1000000000 + (ns % 1000000000 >= 500000000 ? 1 : 0);
	if (sec > max || sec > INT32_MAX)
		return -1;
	*secs = (int32_t)sec;
	return 0;
}

bool
ds_k8s_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > DS_RES_NAME_MAX - 1)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

		if (alnum)
			continue;
		if (c != '-' && c != '.')
			return false;
		/* a label starts and ends with a letter or digit */
		if (i == 0 || i == n - 1 || s[i - 1] == '.' ||
		    (c == '.' && s[i - 1] == '-') ||
		    (c == '-' && s[i + 1] == '.'))
			return false;
	}
	return true;
}

bool
ds_secret_key_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 253 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-._") == n;
}

bool
ds_iface_pattern_ok(const char *s, bool star_ok)
{
	size_t n = strlen(s);

	if (strcmp(s, "*") == 0)
		return star_ok;
	return n >= 1 && n < DS_IFNAME_PATTERN_MAX && strspn(s,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	    "_.*-") == n;
}

int
ds_net_parse(const char *s, struct prefix *p)
{
	struct addr a;

	if (strchr(s, '/') != NULL)
		return prefix_parse(s, p);
	if (addr_parse(s, &a) == -1)
		return -1;
	return prefix_set(p, a.af, a.b, af_maxlen(a.af));
}
