/*
 * advert.c: what this node announces beyond its blocks (issue 15), from
 * the BGPConfiguration the datastore reports (config_changed, glue.c).
 *
 * Service ranges, as Calico's confd does (client.go updateGlobalRoutes,
 * bird_aggr.cfg / bird_ipam.cfg): every range of serviceClusterIPs, and
 * those of serviceExternalIPs and serviceLoadBalancerIPs that are not a
 * single address (a /32 or /128 there is a per-service route confd makes
 * from the Kubernetes API, for services with externalTrafficPolicy Local;
 * ternd does not read that API and the datastore has nothing for it, so
 * such an entry is announced by nobody), is
 *  - originated on every node (confd's /staticroutes: a static blackhole
 *    in BIRD), from svc_src, and announced to every BGP peer, mesh and
 *    explicit (calico_export_to_bgp_peers accepts "net ~ range"); a route
 *    learned inside a range goes out too, as there;
 *  - never put in the kernel, ours or learned (confd's /rejectcidrs:
 *    calico_kernel_programming rejects "net ~ range"), so a node that
 *    learns another node's range over the mesh does not install it;
 *  - accepted from mesh peers (Calico imports everything; SPEC 4's pool
 *    rule would otherwise refuse a range outside the pools).
 * Calico's serviceLoadBalancerAggregation defaults to Enabled (the ranges
 * announced), which is what the datastore's view implies: it has no such
 * field. As a route reflector a node also passes on any route inside the
 * external and load balancer ranges, single addresses included (the
 * rr_cluster_id branch of bird_ipam.cfg). A node labelled
 * node.kubernetes.io/exclude-from-external-load-balancers: "true" does not
 * originate or announce the ranges, and still keeps them out of its kernel
 * and accepts them from the mesh (confd's ExcludeServiceAdvertisement:
 * reject routes only), so it learns them from the other nodes.
 *
 * Communities: prefixAdvertisements become bgpd's export community table
 * (bgpd/excomm.c says what BIRD does with them).
 */
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "xmalloc.h"

struct advert {
	struct ds_prefixes	 ranges;	/* announced, never in the FIB */
	struct ds_prefixes	 rr_ranges;	/* a reflector passes these on */
	struct ds_prefix_adv	*advs;		/* the communities last given */
	size_t			 nadvs;
	bool			 too_many_said;
	bool			 excluded;	/* the label, as applied */
};

static void
prefixes_free(struct ds_prefixes *p)
{
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

static bool
prefixes_has(const struct ds_prefixes *p, const struct prefix *x)
{
	for (size_t i = 0; i < p->n; i++)
		if (prefix_eq(&p->v[i], x))
			return true;
	return false;
}

static bool
prefixes_cover(const struct ds_prefixes *p, const struct prefix *x)
{
	for (size_t i = 0; i < p->n; i++)
		if (prefix_contains(&p->v[i], x))
			return true;
	return false;
}

static bool
prefixes_eq(const struct ds_prefixes *a, const struct ds_prefixes *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!prefixes_has(b, &a->v[i]))
			return false;
	return true;
}

/* Add src's ranges to p (each once); singles: also /32 and /128 ones. */
static void
prefixes_add(struct ds_prefixes *p, const struct ds_prefixes *src,
    bool singles)
{
	for (size_t i = 0; i < src->n; i++) {
		const struct prefix *x = &src->v[i];

		if (!singles && x->len == (x->af == AF_INET6 ? 128 : 32))
			continue;
		if (prefixes_has(p, x))
			continue;
		p->v = xreallocarray(p->v, p->n + 1, sizeof(*p->v));
		p->v[p->n++] = *x;
	}
}

static void
advs_free(struct advert *ad)
{
	for (size_t i = 0; i < ad->nadvs; i++)
		free(ad->advs[i].comms);
	free(ad->advs);
	ad->advs = NULL;
	ad->nadvs = 0;
}

static bool
advs_eq(const struct advert *ad, const struct ds_bgp_config *c)
{
	if (ad->nadvs != c->nprefix_advs)
		return false;
	for (size_t i = 0; i < ad->nadvs; i++) {
		const struct ds_prefix_adv *a = &ad->advs[i];
		const struct ds_prefix_adv *b = &c->prefix_advs[i];

		if (!prefix_eq(&a->cidr, &b->cidr) || a->ncomms != b->ncomms ||
		    (a->ncomms > 0 && memcmp(a->comms, b->comms,
		    a->ncomms * sizeof(*a->comms)) != 0))
			return false;
	}
	return true;
}

static void
advs_copy(struct advert *ad, const struct ds_bgp_config *c)
{
	advs_free(ad);
	if (c->nprefix_advs == 0)
		return;
	ad->advs = xcalloc(c->nprefix_advs, sizeof(*ad->advs));
	for (size_t i = 0; i < c->nprefix_advs; i++) {
		const struct ds_prefix_adv *b = &c->prefix_advs[i];

		ad->advs[i].cidr = b->cidr;
		ad->advs[i].ncomms = b->ncomms;
		if (b->ncomms > 0)
			ad->advs[i].comms = memcpy(xcalloc(b->ncomms,
			    sizeof(*b->comms)), b->comms,
			    b->ncomms * sizeof(*b->comms));
	}
	ad->nadvs = c->nprefix_advs;
}

/* One prefixAdvertisement as a bgpd rule; words holds its values. */
static void
adv_rule(const struct ds_prefix_adv *a, uint32_t *words,
    struct bgpd_export_comms *r)
{
	size_t nstd = 0, nlarge = 0;
	uint32_t *large = words + a->ncomms;

	for (size_t k = 0; k < a->ncomms; k++) {
		const struct ds_community *c = &a->comms[k];

		if (c->large) {
			memcpy(&large[3 * nlarge++], c->v, 3 * sizeof(*c->v));
		} else {
			words[nstd++] = c->v[0] << 16 | (c->v[1] & 0xffff);
		}
	}
	r->cidr = a->cidr;
	r->std = words;
	r->nstd = nstd;
	r->large = large;
	r->nlarge = nlarge;
}

/* prefixAdvertisements -> bgpd (which re-exports: only when changed) */
static void
advert_comms(struct agent *ag, const struct ds_bgp_config *c)
{
	struct advert *ad = ag->advert;
	struct bgpd_export_comms *r;
	uint32_t **words;
	size_t n = c->nprefix_advs;

	if (advs_eq(ad, c))
		return;
	advs_copy(ad, c);
	if (n > BGPD_EXPORT_COMMS_MAX) {
		if (!ad->too_many_said)
			log_warnx("prefixAdvertisements: %zu entries, only the "
			    "first %d are applied", n, BGPD_EXPORT_COMMS_MAX);
		ad->too_many_said = true;
		n = BGPD_EXPORT_COMMS_MAX;
	}
	r = xcalloc(n + 1, sizeof(*r));
	words = xcalloc(n + 1, sizeof(*words));
	for (size_t i = 0; i < n; i++) {
		/* room for every value as large (4 words each is plenty) */
		words[i] = xcalloc(4 * ad->advs[i].ncomms + 1,
		    sizeof(**words));
		adv_rule(&ad->advs[i], words[i], &r[i]);
	}
	(void)bgpd_set_export_comms(ag->bgpd, r, n);
	log_info("prefixAdvertisements: communities on the routes inside %zu "
	    "prefix%s", n, n == 1 ? "" : "es");
	for (size_t i = 0; i < n; i++)
		free(words[i]);
	free(words);
	free(r);
}

/* The ranges announced and kept out of the kernel (confd's global routes) */
static void
service_ranges(const struct ds_bgp_config *c, struct ds_prefixes *out,
    struct ds_prefixes *rr)
{
	memset(out, 0, sizeof(*out));
	memset(rr, 0, sizeof(*rr));
	prefixes_add(out, &c->svc_cluster_ips, true);
	prefixes_add(out, &c->svc_external_ips, false);
	prefixes_add(out, &c->svc_lb_ips, false);
	prefixes_add(rr, &c->svc_external_ips, true);
	prefixes_add(rr, &c->svc_lb_ips, true);
}

/* A FIB entry inside an old or a new range is handed to krt again. */
struct refib_ranges {
	struct agent		*ag;
	const struct ds_prefixes *a, *b;
};

static int
refib_range_cb(void *arg, const struct rib_entry *e)
{
	struct refib_ranges *r = arg;
	struct prefix pfx = rib_entry_prefix(e);
	uint32_t id;

	if (!prefixes_cover(r->a, &pfx) && !prefixes_cover(r->b, &pfx))
		return 0;
	if (rib_prefix_id(r->ag->rib, &pfx, &id))
		agent_fib_apply(r->ag, &pfx, id, rib_entry_best(e));
	return 0;
}

static void
log_ranges(const struct ds_prefixes *p)
{
	char buf[512], one[PREFIX_STRLEN];
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < p->n && o < sizeof(buf); i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s",
		    i > 0 ? " " : "", prefix_fmt(&p->v[i], one, sizeof(one)));
	log_info("service ranges announced, never in the kernel: %s",
	    p->n > 0 ? buf : "none");
}

/* A range from svc_src, or no longer. */
static void
originate(struct agent *ag, const struct prefix *pfx, bool on)
{
	if (on)
		rib_update(ag->rib, &ag->svc_src, pfx, 0,
		    ag->local_attrs[pfx->af == AF_INET6]);
	else
		rib_withdraw(ag->rib, &ag->svc_src, pfx, 0);
}

/* Originate the new ranges, withdraw the old ones, then FIB and exports. */
static void
advert_services(struct agent *ag, const struct ds_bgp_config *c)
{
	struct advert *ad = ag->advert;
	struct ds_prefixes old = ad->ranges, nr, rr;
	struct refib_ranges rf = { ag, &old, NULL };

	service_ranges(c, &nr, &rr);
	if (prefixes_eq(&old, &nr) && prefixes_eq(&ad->rr_ranges, &rr)) {
		prefixes_free(&nr);
		prefixes_free(&rr);
		return;
	}
	/* the new lists first: fib_want and export_ok read them */
	ad->ranges = nr;
	prefixes_free(&ad->rr_ranges);
	ad->rr_ranges = rr;
	log_ranges(&nr);
	for (size_t i = 0; i < old.n && !ad->excluded; i++)
		if (!prefixes_has(&nr, &old.v[i]))
			originate(ag, &old.v[i], false);
	for (size_t i = 0; i < nr.n && !ad->excluded; i++)
		if (!prefixes_has(&old, &nr.v[i]))
			originate(ag, &nr.v[i], true);
	rf.b = &ad->ranges;
	if (ag->krt != NULL && rib_count_prefixes(ag->rib) > 0)
		rib_walk(ag->rib, refib_range_cb, &rf);
	prefixes_free(&old);
	/* learned routes inside a range go out, or no longer */
	bgpd_refresh_exports(ag->bgpd);
}

void
advert_config(struct agent *ag, const struct ds_bgp_config *c)
{
	advert_services(ag, c);
	advert_comms(ag, c);
}

void
advert_local(struct agent *ag)
{
	struct advert *ad = ag->advert;
	bool ex = ag->local.svc_excluded;

	if (ad == NULL || ex == ad->excluded)
		return;
	ad->excluded = ex;
	log_info("node.kubernetes.io/exclude-from-external-load-balancers %s: "
	    "service ranges %s", ex ? "is true" : "no longer true",
	    ex ? "not announced (still never in the kernel)" : "announced");
	for (size_t i = 0; i < ad->ranges.n; i++)
		originate(ag, &ad->ranges.v[i], !ex);
	/* learned routes inside a range: announced or not */
	bgpd_refresh_exports(ag->bgpd);
}

bool
advert_in_range(const struct agent *ag, const struct prefix *pfx)
{
	return ag->advert != NULL && prefixes_cover(&ag->advert->ranges, pfx);
}

bool
advert_exports(const struct agent *ag, const struct prefix *pfx)
{
	const struct advert *ad = ag->advert;

	if (ad == NULL)
		return false;
	if (!ad->excluded && prefixes_cover(&ad->ranges, pfx))
		return true;
	return ag->local.rr_cluster_id != 0 &&
	    prefixes_cover(&ad->rr_ranges, pfx);
}

void
advert_init(struct agent *ag)
{
	/* BIRD's name for the static protocol in Calico's config */
	ag->svc_src.name = "static1";
	ag->svc_src.kind = RIB_SRC_LOCAL;
	ag->advert = xcalloc(1, sizeof(*ag->advert));
}

void
advert_fini(struct agent *ag)
{
	if (ag->advert == NULL)
		return;
	prefixes_free(&ag->advert->ranges);
	prefixes_free(&ag->advert->rr_ranges);
	advs_free(ag->advert);
	free(ag->advert);
	ag->advert = NULL;
}
