/*
 * filter.c: BGPFilters on sessions (filter.h says the semantics).
 *
 * Storage: the filters are an array of pointers to entries sorted by name
 * (an entry's address stays while it lives, so a session holds pointers
 * to the entries it names: NULL for a name no filter has, resolved again
 * when a filter comes or goes); the sessions are an array sorted by name,
 * looked up with bsearch from the export path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "filter.h"
#include "xmalloc.h"

struct fent {
	struct ds_filter	 f;		/* own copy; f.name the key */
};

struct fpeer {
	char			 name[DS_NAME_MAX];
	uint8_t			 af;
	char			**names;
	struct fent		**res;		/* per name; NULL: none such */
	size_t			 n;
	unsigned		 pending;	/* FILTER_CH_* */
};

struct filters {
	struct fent		**fv;		/* by name */
	size_t			 nf;
	struct fpeer		**pv;		/* by session name */
	size_t			 np;
};

/* ---- one rule ---- */

bool
filter_ifname_match(const char *pat, const char *s)
{
	/* iterative glob with one backtrack point: '*' is the only
	 * wildcard Calico's validator lets through ([a-zA-Z0-9_.*-]) */
	const char *star = NULL, *mark = NULL;

	while (*s != '\0') {
		if (*pat == '*') {
			star = pat++;
			mark = s;
		} else if (*pat == *s) {
			pat++;
			s++;
		} else if (star != NULL) {
			pat = star + 1;
			s = ++mark;
		} else
			return false;
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

/* The rule's prefix set [C{lo,hi}] (confd's filterMatchPrefixLength). */
static void
rule_len_range(const struct ds_filter_rule *r, int *lo, int *hi)
{
	int max = (int)af_maxlen(r->cidr.af);

	*lo = r->min_len > r->cidr.len ? r->min_len : r->cidr.len;
	*hi = r->max_len >= 0 && r->max_len < max ? r->max_len : max;
}

/*
 * net OP C, or net OP [C{lo,hi}] with prefixLength. BIRD's "=" and "!="
 * are val_same: a prefix and a prefix set are never the same (no runtime
 * error: filter.c val_same falls back to "different types"), so Calico's
 * Equal with a prefixLength never matches and NotEqual always does. We
 * mirror that rather than guess what the user meant: the same resource
 * must filter the same routes under BIRD and tern.
 */
static bool
rule_cidr_match(const struct ds_filter_rule *r, const struct prefix *pfx)
{
	bool in;
	int lo, hi;

	if (pfx->af != r->cidr.af)	/* not of the family: never "in" */
		in = false;
	else
		in = prefix_contains(&r->cidr, pfx);
	if (r->has_len) {
		rule_len_range(r, &lo, &hi);
		in = in && pfx->len >= lo && pfx->len <= hi;
		switch (r->op) {
		case DS_FOP_IN:
			return in;
		case DS_FOP_NOT_IN:
			return !in;
		case DS_FOP_EQUAL:
			return false;
		case DS_FOP_NOT_EQUAL:
			return true;
		case DS_FOP_NONE:
		default:
			return true;
		}
	}
	switch (r->op) {
	case DS_FOP_EQUAL:
		return prefix_eq(&r->cidr, pfx);
	case DS_FOP_NOT_EQUAL:
		return !prefix_eq(&r->cidr, pfx);
	case DS_FOP_IN:
		return in;
	case DS_FOP_NOT_IN:
		return !in;
	case DS_FOP_NONE:
	default:
		return true;
	}
}

static bool
rule_iface_match(const struct ds_filter_rule *r,
    const struct filter_route *rt)
{
	char buf[FILTER_IFNAME_LEN];
	const char *name = rt->ifname;

	if (name == NULL && rt->get_ifname != NULL)
		name = rt->get_ifname(rt->arg, buf);
	return name != NULL && filter_ifname_match(r->iface, name);
}

bool
filter_rule_match(const struct ds_filter_rule *r,
    const struct filter_route *rt, bool same_as)
{
	if (r->peer_type == DS_FPEER_EBGP && same_as)
		return false;
	if (r->peer_type == DS_FPEER_IBGP && !same_as)
		return false;
	if (r->op != DS_FOP_NONE && !rule_cidr_match(r, rt->pfx))
		return false;
	if (r->source == DS_FSRC_REMOTE_PEERS && !rt->from_bgp)
		return false;
	if (r->iface[0] != '\0' && !rule_iface_match(r, rt))
		return false;
	return true;
}

enum filter_verdict
filter_rules_eval(const struct ds_filter_rule *r, size_t n,
    const struct filter_route *rt, bool same_as)
{
	for (size_t i = 0; i < n; i++)
		if (filter_rule_match(&r[i], rt, same_as))
			return r[i].action == DS_FACT_REJECT ? FILTER_REJECT :
			    FILTER_ACCEPT;
	return FILTER_NO_MATCH;
}

enum ds_filter_dir
filter_dir(uint8_t af, bool import)
{
	if (af == AF_INET6)
		return import ? DS_FILTER_IMPORT_V6 : DS_FILTER_EXPORT_V6;
	return import ? DS_FILTER_IMPORT_V4 : DS_FILTER_EXPORT_V4;
}

/* ---- the store ---- */

/* Own copies (datastore.h's struct; its helpers are the datastore's). */
static void
fcopy(struct ds_filter *dst, const struct ds_filter *src)
{
	*dst = *src;
	for (int d = 0; d < DS_FILTER_NDIR; d++)
		dst->rules[d] = src->nrules[d] > 0 ? xmemdup(src->rules[d],
		    src->nrules[d] * sizeof(*src->rules[d])) : NULL;
}

static void
ffini(struct ds_filter *f)
{
	for (int d = 0; d < DS_FILTER_NDIR; d++) {
		free(f->rules[d]);
		f->rules[d] = NULL;
		f->nrules[d] = 0;
	}
}

static const char *
fent_key(const void *v, size_t i)
{
	return ((struct fent *const *)v)[i]->f.name;
}

static const char *
fpeer_key(const void *v, size_t i)
{
	return ((struct fpeer *const *)v)[i]->name;
}

/* Index of name in v (sorted, n entries) or where it would go. */
static size_t
slot(const void *v, size_t n, const char *name,
    const char *(*key)(const void *, size_t), bool *found)
{
	size_t lo = 0, hi = n;

	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, key(v, mid));

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static struct fent *
fent_find(const struct filters *fs, const char *name)
{
	bool found;
	size_t i = slot(fs->fv, fs->nf, name, fent_key,
	    &found);

	return found ? fs->fv[i] : NULL;
}

static struct fpeer *
fpeer_find(const struct filters *fs, const char *name)
{
	bool found;
	size_t i;

	if (fs->np == 0)
		return NULL;
	i = slot(fs->pv, fs->np, name, fpeer_key, &found);
	return found ? fs->pv[i] : NULL;
}

struct filters *
filters_new(void)
{
	return xcalloc(1, sizeof(struct filters));
}

static void
fpeer_free(struct fpeer *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->names[i]);
	free(p->names);
	free(p->res);
	free(p);
}

void
filters_free(struct filters *fs)
{
	if (fs == NULL)
		return;
	for (size_t i = 0; i < fs->nf; i++) {
		ffini(&fs->fv[i]->f);
		free(fs->fv[i]);
	}
	for (size_t i = 0; i < fs->np; i++)
		fpeer_free(fs->pv[i]);
	free(fs->fv);
	free(fs->pv);
	free(fs);
}

/*
 * A cursor over a session's effective rule list of one direction: the
 * rules of its filters one after the other (what BIRD runs in turn).
 */
struct rule_iter {
	struct fent *const	*res;
	size_t			 n, fi, ri;
	enum ds_filter_dir	 d;
};

static const struct ds_filter_rule *
rule_next(struct rule_iter *it)
{
	while (it->fi < it->n) {
		const struct fent *e = it->res[it->fi];

		if (e != NULL && it->ri < e->f.nrules[it->d])
			return &e->f.rules[it->d][it->ri++];
		it->fi++;
		it->ri = 0;
	}
	return NULL;
}

/* The two resolved lists run the same rules in direction d. */
static bool
rules_same(struct fent *const *a, size_t na, struct fent *const *b,
    size_t nb, enum ds_filter_dir d)
{
	struct rule_iter ia = { a, na, 0, 0, d }, ib = { b, nb, 0, 0, d };
	const struct ds_filter_rule *ra, *rb;

	for (;;) {
		ra = rule_next(&ia);
		rb = rule_next(&ib);
		if (ra == NULL || rb == NULL)
			return ra == rb;
		if (!ds_filter_rule_eq(ra, rb))
			return false;
	}
}

/* What differs between two resolutions of a session's list. */
static unsigned
peer_changes(uint8_t af, struct fent *const *a, size_t na,
    struct fent *const *b, size_t nb)
{
	unsigned ch = 0;

	if (!rules_same(a, na, b, nb, filter_dir(af, true)))
		ch |= FILTER_CH_IMPORT;
	if (!rules_same(a, na, b, nb, filter_dir(af, false)))
		ch |= FILTER_CH_EXPORT;
	return ch;
}

static void
peer_resolve(const struct filters *fs, struct fpeer *p)
{
	for (size_t i = 0; i < p->n; i++)
		p->res[i] = fent_find(fs, p->names[i]);
}

/*
 * Every session again after the filters changed (old: the entry that
 * changed, as it was, or NULL; new entry ne likewise): a session naming
 * the filter gets a mark for the directions whose rules differ. A
 * temporary resolution with old in place of ne gives "before".
 */
static void
peers_update(struct filters *fs, const char *name, struct fent *old)
{
	struct fent **before;
	struct fpeer *p;

	for (size_t i = 0; i < fs->np; i++) {
		p = fs->pv[i];
		before = xmemdup(p->res, (p->n ? p->n : 1) * sizeof(*p->res));
		for (size_t k = 0; k < p->n; k++)
			if (strcmp(p->names[k], name) == 0)
				before[k] = old;
		peer_resolve(fs, p);
		p->pending |= peer_changes(p->af, before, p->n, p->res, p->n);
		free(before);
	}
}

void
filters_set(struct filters *fs, const char *name, const struct ds_filter *f)
{
	bool found;
	size_t i = slot(fs->fv, fs->nf, name, fent_key,
	    &found);
	struct fent *old = found ? fs->fv[i] : NULL, *ne = NULL;

	if (f != NULL) {
		ne = xcalloc(1, sizeof(*ne));
		fcopy(&ne->f, f);
		snprintf(ne->f.name, sizeof(ne->f.name), "%s", name);
	}
	if (found && ne != NULL)
		fs->fv[i] = ne;
	else if (found) {
		memmove(&fs->fv[i], &fs->fv[i + 1],
		    (fs->nf - i - 1) * sizeof(*fs->fv));
		fs->nf--;
	} else if (ne != NULL) {
		fs->fv = xreallocarray(fs->fv, fs->nf + 1, sizeof(*fs->fv));
		memmove(&fs->fv[i + 1], &fs->fv[i],
		    (fs->nf - i) * sizeof(*fs->fv));
		fs->fv[i] = ne;
		fs->nf++;
	}
	peers_update(fs, name, old);
	if (old != NULL) {
		ffini(&old->f);
		free(old);
	}
}

static void
peer_remove_at(struct filters *fs, size_t i)
{
	fpeer_free(fs->pv[i]);
	memmove(&fs->pv[i], &fs->pv[i + 1], (fs->np - i - 1) *
	    sizeof(*fs->pv));
	fs->np--;
}

void
filters_peer_del(struct filters *fs, const char *session)
{
	bool found;
	size_t i;

	if (fs->np == 0)
		return;
	i = slot(fs->pv, fs->np, session, fpeer_key, &found);
	if (found)
		peer_remove_at(fs, i);
}

static struct fpeer *
fpeer_new(const struct filters *fs, const char *session, uint8_t af,
    char *const *names, size_t n)
{
	struct fpeer *p = xcalloc(1, sizeof(*p));

	snprintf(p->name, sizeof(p->name), "%s", session);
	p->af = af;
	p->n = n;
	p->names = xcalloc(n ? n : 1, sizeof(*p->names));
	p->res = xcalloc(n ? n : 1, sizeof(*p->res));
	for (size_t k = 0; k < n; k++)
		p->names[k] = xstrdup(names[k]);
	peer_resolve(fs, p);
	return p;
}

/*
 * A session that names no filter is kept only while it has marks (the
 * filters it lost must stop applying, and the caller must hear of it);
 * filters_flush drops it then.
 */
void
filters_peer_set(struct filters *fs, const char *session, uint8_t af,
    char *const *names, size_t n, bool fresh)
{
	struct fpeer *p, *old;
	bool found;
	size_t i;

	i = slot(fs->pv, fs->np, session, fpeer_key, &found);
	if (!found && n == 0)
		return;
	p = fpeer_new(fs, session, af, names, n);
	if (found) {
		old = fs->pv[i];
		p->pending = old->pending;
		if (old->af != af)
			p->pending |= FILTER_CH_IMPORT | FILTER_CH_EXPORT;
		else
			p->pending |= peer_changes(af, old->res, old->n,
			    p->res, p->n);
		fpeer_free(old);
		fs->pv[i] = p;
	} else {
		fs->pv = xreallocarray(fs->pv, fs->np + 1, sizeof(*fs->pv));
		memmove(&fs->pv[i + 1], &fs->pv[i],
		    (fs->np - i) * sizeof(*fs->pv));
		fs->pv[i] = p;
		fs->np++;
		/* an existing session that had none: from no rules */
		if (!fresh)
			p->pending = peer_changes(af, NULL, 0, p->res, p->n);
	}
	if (n == 0 && p->pending == 0)
		peer_remove_at(fs, i);
}

enum filter_verdict
filters_eval(const struct filters *fs, const char *session,
    const struct filter_ctx *ctx, const struct filter_route *rt)
{
	const struct fpeer *p = fpeer_find(fs, session);
	enum ds_filter_dir d;
	enum filter_verdict v;

	if (p == NULL)
		return FILTER_NO_MATCH;
	d = filter_dir(p->af, ctx->import);
	for (size_t i = 0; i < p->n; i++) {
		const struct fent *e = p->res[i];

		if (e == NULL || e->f.nrules[d] == 0)
			continue;
		v = filter_rules_eval(e->f.rules[d], e->f.nrules[d], rt,
		    ctx->same_as);
		if (v != FILTER_NO_MATCH)
			return v;
	}
	return FILTER_NO_MATCH;
}

bool
filters_active(const struct filters *fs)
{
	return fs->np > 0;
}

bool
filters_pending(const struct filters *fs)
{
	for (size_t i = 0; i < fs->np; i++)
		if (fs->pv[i]->pending != 0)
			return true;
	return false;
}

void
filters_flush(struct filters *fs,
    void (*cb)(void *arg, const char *session, unsigned what), void *arg)
{
	char name[DS_NAME_MAX];
	unsigned what;

	for (size_t i = 0; i < fs->np;) {
		struct fpeer *p = fs->pv[i];

		if (p->pending == 0) {
			i++;
			continue;
		}
		what = p->pending;
		p->pending = 0;
		snprintf(name, sizeof(name), "%s", p->name);
		if (p->n == 0)
			peer_remove_at(fs, i);
		else
			i++;
		/* after the store is consistent: cb may evaluate */
		cb(arg, name, what);
	}
}

size_t
filter_unsupported(const struct ds_filter *f, char *buf, size_t len)
{
	static const struct {
		enum ds_filter_dir d;
		const char *name;
	} imp[] = {
		{ DS_FILTER_IMPORT_V4, "importV4" },
		{ DS_FILTER_IMPORT_V6, "importV6" },
	};
	size_t used = 0, n = 0;
	int w;

	if (len > 0)
		buf[0] = '\0';
	for (size_t k = 0; k < sizeof(imp) / sizeof(imp[0]); k++)
		for (size_t i = 0; i < f->nrules[imp[k].d]; i++) {
			if (f->rules[imp[k].d][i].iface[0] == '\0')
				continue;
			w = snprintf(buf + used, used < len ? len - used : 0,
			    "%s%s[%zu].interface", n ? ", " : "",
			    imp[k].name, i);
			n++;
			if (w > 0)
				used += (size_t)w;
			if (used >= len)
				used = len;
		}
	return n;
}
