/*
 * excomm.c: communities added on export (issue 15, Calico's
 * prefixAdvertisements). confd renders them into bird.cfg's
 * apply_communities(), which calico_export_to_bgp_peers calls for every
 * route any BGP protocol exports, before calico_aggr decides whether it
 * goes out at all:
 *
 *	if (net ~ 10.244.0.0/16) then { bgp_community.add((65000, 100));
 *	    bgp_large_community.add((65000, 1, 2)); }
 *
 * So every rule whose cidr contains the route adds its values, to every
 * peer (mesh and explicit), whatever the route's source (own blocks,
 * service ranges, learned and reflected routes alike), and a value the
 * route already carries is not added twice (BIRD's int_set_add). The
 * agent translates the datastore's view into the table; import.c's
 * export_attrs applies it to the attribute set it builds for a peer and
 * keys its one-entry cache on the rules that matched.
 */
#include <stdlib.h>
#include <string.h>

#include "session.h"
#include "xmalloc.h"

struct bgp_excomm {
	struct prefix	 cidr;
	uint32_t	*std;
	size_t		 nstd;
	uint32_t	*large;		/* 3 words each */
	size_t		 nlarge;
};

static void
excomm_clear(struct bgpd *bgpd)
{
	for (size_t i = 0; i < bgpd->nexcomm; i++) {
		free(bgpd->excomm[i].std);
		free(bgpd->excomm[i].large);
	}
	free(bgpd->excomm);
	bgpd->excomm = NULL;
	bgpd->nexcomm = 0;
}

static uint32_t *
words_dup(const uint32_t *v, size_t n)
{
	return n == 0 ? NULL : memcpy(xreallocarray(NULL, n, sizeof(*v)), v,
	    n * sizeof(*v));
}

int
bgpd_set_export_comms(struct bgpd *bgpd, const struct bgpd_export_comms *v,
    size_t n)
{
	struct bgp_peer *peer;

	if (n > BGPD_EXPORT_COMMS_MAX)
		return -1;
	excomm_clear(bgpd);
	if (n > 0)
		bgpd->excomm = xcalloc(n, sizeof(*bgpd->excomm));
	for (size_t i = 0; i < n; i++) {
		struct bgp_excomm *e = &bgpd->excomm[i];

		e->cidr = v[i].cidr;
		e->std = words_dup(v[i].std, v[i].nstd);
		e->nstd = v[i].nstd;
		e->large = words_dup(v[i].large, 3 * v[i].nlarge);
		e->nlarge = v[i].nlarge;
	}
	bgpd->nexcomm = n;
	/* a cached translation may hold the old values */
	TAILQ_FOREACH(peer, &bgpd->peers, entry)
		bgp_peer_export_cache_drop(peer);
	bgpd_refresh_exports(bgpd);
	return 0;
}

void
bgpd_export_as_is(struct bgpd *bgpd)
{
	bgpd->export_as_is = true;
}

void
bgp_excomm_fini(struct bgpd *bgpd)
{
	excomm_clear(bgpd);
}

uint64_t
bgp_excomm_match(const struct bgpd *bgpd, const struct prefix *pfx)
{
	uint64_t m = 0;

	for (size_t i = 0; i < bgpd->nexcomm; i++)
		if (prefix_contains(&bgpd->excomm[i].cidr, pfx))
			m |= (uint64_t)1 << i;
	return m;
}

static bool
std_has(const uint32_t *v, size_t n, uint32_t c)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == c)
			return true;
	return false;
}

static bool
large_has(const uint32_t *v, size_t n, const uint32_t *c)
{
	for (size_t i = 0; i < n; i++)
		if (memcmp(&v[3 * i], c, 3 * sizeof(*c)) == 0)
			return true;
	return false;
}

/* The values of the matched rules, after t's own ones, each once. */
static size_t
merge_std(const struct bgpd *bgpd, uint64_t m, const struct rib_attrs *t,
    uint32_t *out)
{
	size_t n = t->ncommunities;

	if (n > 0)	/* a route without any has a NULL array */
		memcpy(out, t->communities, n * sizeof(*out));
	for (size_t i = 0; i < bgpd->nexcomm; i++)
		for (size_t k = 0; m >> i & 1 && k < bgpd->excomm[i].nstd; k++)
			if (!std_has(out, n, bgpd->excomm[i].std[k]))
				out[n++] = bgpd->excomm[i].std[k];
	return n;
}

static size_t
merge_large(const struct bgpd *bgpd, uint64_t m, const struct rib_attrs *t,
    uint32_t *out)
{
	size_t n = t->nlarge;

	if (n > 0)
		memcpy(out, t->large, 3 * n * sizeof(*out));
	for (size_t i = 0; i < bgpd->nexcomm; i++) {
		const struct bgp_excomm *e = &bgpd->excomm[i];

		for (size_t k = 0; m >> i & 1 && k < e->nlarge; k++)
			if (!large_has(out, n, &e->large[3 * k]))
				memcpy(&out[3 * n++], &e->large[3 * k],
				    3 * sizeof(*out));
	}
	return n;
}

int
bgp_excomm_apply(const struct bgpd *bgpd, uint64_t m, struct rib_attrs *t,
    struct bgp_excomm_buf *b)
{
	size_t nstd = t->ncommunities, nlarge = t->nlarge;

	memset(b, 0, sizeof(*b));
	for (size_t i = 0; i < bgpd->nexcomm; i++)
		if (m >> i & 1) {
			nstd += bgpd->excomm[i].nstd;
			nlarge += bgpd->excomm[i].nlarge;
		}
	b->std = xreallocarray(NULL, nstd + 1, sizeof(*b->std));
	b->large = xreallocarray(NULL, 3 * nlarge + 1, sizeof(*b->large));
	nstd = merge_std(bgpd, m, t, b->std);
	nlarge = merge_large(bgpd, m, t, b->large);
	/* rib_attrs counts in 16 bits: a set that large is not sent */
	if (nstd > 0xffff || nlarge > 0xffff)
		return -1;
	t->communities = b->std;
	t->ncommunities = (uint16_t)nstd;
	t->large = b->large;
	t->nlarge = (uint16_t)nlarge;
	return 0;
}

void
bgp_excomm_buf_free(struct bgp_excomm_buf *b)
{
	free(b->std);
	free(b->large);
	memset(b, 0, sizeof(*b));
}
