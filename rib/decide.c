/*
 * decide.c: the BGP decision process (RFC 4271 9.1), choosing the best of
 * the paths of one prefix. One cmp_<rule> per tie-break step, called in
 * order from rules[]; the first that tells two paths apart decides, and
 * its enum rib_reason is recorded (GoBGP BestPathReason). This file reads
 * paths and attribute sets and never changes the table or calls clients.
 *
 * RFC 4271 9.1.1 (Phase 1): "If the route is learned from an internal
 * peer, either the value of the LOCAL_PREF attribute is taken as the
 * degree of preference, or the local system computes the degree of
 * preference of the route based on preconfigured policy information. [...]
 * For routes learned from external peers, the local system computes the
 * degree of preference based on preconfigured policy."
 *
 * RFC 4271 9.1.2.2 (Phase 2, breaking ties):
 *   a) Remove from consideration all routes that are not tied for having
 *      the smallest number of AS numbers present in their AS_PATH
 *      attributes. Note that when counting this number, an AS_SET counts
 *      as 1, no matter how many ASes are in the set.
 *   b) Remove from consideration all routes that are not tied for having
 *      the lowest Origin number in their Origin attribute.
 *   c) Remove from consideration routes with less-preferred
 *      MULTI_EXIT_DISC attributes. MULTI_EXIT_DISC is only comparable
 *      between routes learned from the same neighboring AS [...]. Routes
 *      that do not have the MULTI_EXIT_DISC attribute are considered to
 *      have the lowest possible MULTI_EXIT_DISC value.
 *   d) If at least one of the candidate routes was received via EBGP,
 *      remove from consideration all routes that were received via IBGP.
 *   e) Remove from consideration any routes with less-preferred interior
 *      cost. [...]
 *   f) Remove from consideration all routes other than the route that was
 *      advertised by the BGP speaker with the lowest BGP Identifier value.
 *   g) Prefer the route received from the lowest peer address.
 *
 * RFC 4456 9: "If a route carries the ORIGINATOR_ID attribute, then in
 * Step f) the ORIGINATOR_ID SHOULD be treated as the BGP Identifier of the
 * BGP speaker that has advertised the route. In addition, the following
 * rule SHOULD be inserted between Steps f) and g): a BGP Speaker SHOULD
 * prefer a route with the shorter CLUSTER_LIST length."
 *
 * Our implementation:
 * - A path of a RIB_SRC_LOCAL source (this node's own blocks) beats every
 *   BGP path before any other rule: our blocks are never replaced by a
 *   peer's announcement of the same prefix (BIRD gets the same from its
 *   static protocol's preference).
 * - Then a path without the LLGR_STALE community (RFC 9494 4.3).
 * - Phase 1 has no policy: the degree of preference is LOCAL_PREF for iBGP
 *   and local paths (100 when absent), and 100 for every eBGP path
 *   (RFC 4271 5.1.5: LOCAL_PREF received from an external peer is ignored).
 * - Step e) is skipped: next hops resolve through the kernel and we know no
 *   interior cost ("equivalently, consider all routes to have equal
 *   costs").
 * - After g), the lowest add-path path identifier (RFC 7911) decides, so
 *   the order is total for distinct paths of one peer.
 * - The pairwise compare is not transitive when MEDs are compared for some
 *   pairs only (step c); rib_decide_best scans the list from the current best,
 *   so the result can depend on arrival order, as in BIRD without
 *   "deterministic med".
 */
#include <stddef.h>

#include "rib_impl.h"

#define DEFAULT_LOCAL_PREF	100	/* the usual default (BIRD, OpenBGPD) */

static uint32_t
local_pref(const struct rib_path *p)
{
	if (p->src->kind == RIB_SRC_BGP && p->src->ebgp)
		return DEFAULT_LOCAL_PREF;
	return p->attrs->has_local_pref ? p->attrs->local_pref :
	    DEFAULT_LOCAL_PREF;
}

/* lower value wins */
static int
lower(uint32_t a, uint32_t b)
{
	return a < b ? -1 : a > b;
}

/* Our implementation: locally originated first (see above). */
static int
cmp_local(const struct rib_path *a, const struct rib_path *b)
{
	bool la = a->src->kind == RIB_SRC_LOCAL;
	bool lb = b->src->kind == RIB_SRC_LOCAL;

	return la == lb ? 0 : la ? -1 : 1;
}

/*
 * RFC 9494 4.3: "a route with the LLGR_STALE community [...] MUST be
 * treated as the least-preferred": any path without it wins (BIRD's
 * bgp_rte_better looks at the same before LOCAL_PREF).
 */
static int
cmp_llgr_stale(const struct rib_path *a, const struct rib_path *b)
{
	bool sa = a->attrs->llgr_stale, sb = b->attrs->llgr_stale;

	return sa == sb ? 0 : sa ? 1 : -1;
}

/* RFC 4271 9.1.1: highest degree of preference. */
static int
cmp_local_pref(const struct rib_path *a, const struct rib_path *b)
{
	return lower(local_pref(b), local_pref(a));
}

/* RFC 4271 9.1.2.2 a): shortest AS_PATH. */
static int
cmp_as_path(const struct rib_path *a, const struct rib_path *b)
{
	return lower(rib_aspath_count(a->attrs), rib_aspath_count(b->attrs));
}

/* RFC 4271 9.1.2.2 b): lowest ORIGIN. */
static int
cmp_origin(const struct rib_path *a, const struct rib_path *b)
{
	return lower(a->attrs->origin, b->attrs->origin);
}

/* RFC 4271 9.1.2.2 c): lowest MED, same neighbour AS only; missing = 0. */
static int
cmp_med(const struct rib_path *a, const struct rib_path *b)
{
	uint32_t ma = a->attrs->has_med ? a->attrs->med : 0;
	uint32_t mb = b->attrs->has_med ? b->attrs->med : 0;

	if (rib_aspath_first(a->attrs) != rib_aspath_first(b->attrs))
		return 0;
	return lower(ma, mb);
}

/* RFC 4271 9.1.2.2 d): eBGP over iBGP. */
static int
cmp_ebgp(const struct rib_path *a, const struct rib_path *b)
{
	return a->src->ebgp == b->src->ebgp ? 0 : a->src->ebgp ? -1 : 1;
}

/* RFC 4271 9.1.2.2 f), RFC 4456 9: lowest BGP Identifier or ORIGINATOR_ID */
static uint32_t
router_id(const struct rib_path *p)
{
	if (p->attrs->has_originator_id)
		return p->attrs->originator_id;
	return p->src->router_id;
}

static int
cmp_router_id(const struct rib_path *a, const struct rib_path *b)
{
	return lower(router_id(a), router_id(b));
}

/* RFC 4456 9: shorter CLUSTER_LIST, between f) and g). */
static int
cmp_cluster_list(const struct rib_path *a, const struct rib_path *b)
{
	return lower(a->attrs->ncluster, b->attrs->ncluster);
}

/* RFC 4271 9.1.2.2 g): lowest peer address. */
static int
cmp_peer_addr(const struct rib_path *a, const struct rib_path *b)
{
	return addr_cmp(&a->src->addr, &b->src->addr);
}

/* Our implementation: lowest RFC 7911 path identifier. */
static int
cmp_path_id(const struct rib_path *a, const struct rib_path *b)
{
	return lower(a->path_id, b->path_id);
}

static const struct {
	int		(*cmp)(const struct rib_path *,
			    const struct rib_path *);
	enum rib_reason	  reason;
} rules[] = {
	{ cmp_local,		RIB_REASON_LOCAL },
	{ cmp_llgr_stale,	RIB_REASON_LLGR_STALE },
	{ cmp_local_pref,	RIB_REASON_LOCAL_PREF },
	{ cmp_as_path,		RIB_REASON_AS_PATH },
	{ cmp_origin,		RIB_REASON_ORIGIN },
	{ cmp_med,		RIB_REASON_MED },
	{ cmp_ebgp,		RIB_REASON_EBGP },
	{ cmp_router_id,	RIB_REASON_ROUTER_ID },
	{ cmp_cluster_list,	RIB_REASON_CLUSTER_LIST },
	{ cmp_peer_addr,	RIB_REASON_PEER_ADDR },
	{ cmp_path_id,		RIB_REASON_PATH_ID },
};

static uint64_t ncmp;

uint64_t
rib_path_cmps(void)
{
	return ncmp;
}

int
rib_path_cmp(const struct rib_path *a, const struct rib_path *b,
    enum rib_reason *why)
{
	int c;

	ncmp++;

	for (size_t i = 0; i < NITEMS(rules); i++) {
		if ((c = rules[i].cmp(a, b)) != 0) {
			*why = rules[i].reason;
			return c;
		}
	}
	*why = RIB_REASON_PATH_ID;
	return 0;
}

/*
 * The best path of e, scanning from the head (rib.c moves it there).
 * rib.c calls this only when the best path itself went or changed; a new
 * or changed other path is only compared with the head (one step of this
 * same scan), so a prefix with many paths costs O(1) per change.
 */
bool
rib_path_mergable(const struct rib_path *a, const struct rib_path *b)
{
	enum rib_reason why = RIB_REASON_ONLY_PATH;

	if (a->src->kind == RIB_SRC_LOCAL || b->src->kind == RIB_SRC_LOCAL)
		return false;
	return rib_path_cmp(a, b, &why) == 0 || why >= RIB_REASON_ROUTER_ID;
}

struct rib_path *
rib_decide_best(struct rib_entry *e)
{
	struct rib_path *p, *best = &e->head;
	enum rib_reason why;

	for (p = e->head.next; p != NULL; p = p->next)
		if (rib_path_cmp(p, best, &why) < 0)
			best = p;
	return best;
}

/*
 * Why the head won: the latest rule at which it beat any other path (why
 * it won over the closest contender). Computed when asked (show commands),
 * not on every change.
 */
enum rib_reason
rib_decide_reason(const struct rib_entry *e)
{
	const struct rib_path *p;
	enum rib_reason why, reason = RIB_REASON_ONLY_PATH;

	for (p = e->head.next; p != NULL; p = p->next) {
		(void)rib_path_cmp(&e->head, p, &why);
		if (why > reason)
			reason = why;
	}
	return reason;
}

const char *
rib_reason_name(enum rib_reason r)
{
	switch (r) {
	case RIB_REASON_ONLY_PATH:
		return "only path";
	case RIB_REASON_LOCAL:
		return "local";
	case RIB_REASON_LLGR_STALE:
		return "llgr stale";
	case RIB_REASON_LOCAL_PREF:
		return "local preference";
	case RIB_REASON_AS_PATH:
		return "as path";
	case RIB_REASON_ORIGIN:
		return "origin";
	case RIB_REASON_MED:
		return "med";
	case RIB_REASON_EBGP:
		return "ebgp";
	case RIB_REASON_ROUTER_ID:
		return "router id";
	case RIB_REASON_CLUSTER_LIST:
		return "cluster list";
	case RIB_REASON_PEER_ADDR:
		return "peer address";
	case RIB_REASON_PATH_ID:
		return "path id";
	}
	return "unknown";
}
