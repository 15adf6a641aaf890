/*
 * rib.h: the protocol-independent route table (BIRD nest/, OpenBGPD rde_rib).
 *
 * The rib holds, per prefix, every path offered by every source (the
 * Adj-RIBs-In, merged) and the best one (the Loc-RIB), chosen by decide.c
 * per RFC 4271 9.1.2. Clients (one per BGP peer's Adj-RIB-Out, one for the
 * FIB) register a hook and are told (new_best, old_best) for every best-path
 * change; they never walk the table themselves.
 *
 * The rib knows no protocol: a source is an opaque struct rib_src owned by
 * the caller (embedded in a bgp_peer, or the agent's "local" source for this
 * node's own blocks), read only for the decision process.
 *
 * Attribute sets are interned and refcounted: a full table from one peer
 * shares a handful of sets, which is what makes a million routes cheap.
 *
 * Ownership: the rib owns its entries, paths and interned attribute sets;
 * rib_free() frees all of them. Pointers handed to hooks are valid only for
 * the duration of the call.
 */
#ifndef TERN_RIB_H
#define TERN_RIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

struct rib;
struct rib_entry;

/*
 * A path attribute set. As a template (filled by a protocol before
 * rib_attrs_intern), the variable parts point into caller memory; once
 * interned they point into rib-owned memory and the set is immutable.
 */
struct rib_attrs {
	uint8_t		 origin;		/* BGP_ORIGIN_* */
	bool		 has_med;
	bool		 has_local_pref;
	bool		 atomic_aggregate;
	bool		 has_aggregator;
	bool		 has_originator_id;
	uint32_t	 med;
	uint32_t	 local_pref;
	uint32_t	 aggregator_as;
	uint32_t	 aggregator_id;		/* host order */
	uint32_t	 originator_id;		/* host order */
	struct addr	 nexthop;		/* the BGP next hop */
	struct addr	 nexthop_ll;		/* IPv6 link-local, or unset */
	/* AS_PATH in wire form with 4-octet ASNs (segments: type, count, ASNs) */
	const uint8_t	*aspath;
	uint16_t	 aspath_len;
	uint16_t	 ncommunities;
	uint16_t	 ncluster;
	uint16_t	 unknown_len;
	const uint32_t	*communities;		/* host order */
	const uint32_t	*cluster_list;		/* host order */
	/* RFC 8092 large communities: nlarge values of 3 words each
	 * (global administrator, local data 1, local data 2), host order */
	uint16_t	 nlarge;
	const uint32_t	*large;
	/* unknown optional transitive attributes, concatenated wire TLVs */
	const uint8_t	*unknown;
	/* private to the rib: interning */
	bool		 llgr_stale;		/* carries RIB_COMM_LLGR_STALE */
	uint32_t	 hash;
	uint32_t	 refcnt;
};

/* Who offered a path. Owned by the caller; must outlive its paths. */
enum rib_src_kind {
	RIB_SRC_LOCAL,		/* originated by this node (own blocks) */
	RIB_SRC_BGP,
};

struct rib_src {
	const char		*name;		/* e.g. "Mesh_198_18_0_2" */
	enum rib_src_kind	 kind;
	bool			 ebgp;
	uint32_t		 as;		/* peer AS */
	uint32_t		 router_id;	/* host order, for 9.1.2.2 (f) */
	struct addr		 addr;		/* peer address, for 9.1.2.2 (g) */
	/*
	 * A number unique among the sources this rib has seen (1, 2, ...;
	 * never reused), set by the rib on the source's first rib_update
	 * (leave it 0): what a protocol needs to tell sources apart in
	 * what it sends, e.g. BGP add-path path ids (BIRD's rte_src ids).
	 */
	uint32_t		 id;
	/* bounds set by the owner (0: none); rib_update refuses beyond */
	uint32_t		 max_paths;	/* paths per prefix */
	size_t			 mem_max;	/* bytes: paths and attr sets */
	/* maintained by the rib */
	size_t			 npaths;
	size_t			 nbest;		/* prefixes it is the best of
						 * ("preferred" in BIRD's
						 * show protocols all) */
	size_t			 mem;		/* charged to this source */
	const struct rib_attrs	*acct_attrs;	/* the set last charged, */
	size_t			 acct_n;	/* with its paths (rib.c) */
};

/*
 * What a source is charged: RIB_PATH_COST per path (entry or path slot
 * and index records, rounded up), and each distinct attribute set it
 * uses once, at its size.
 */
#define RIB_PATH_COST	96

/* rib_update's refusals */
#define RIB_E_PREFIX	(-1)	/* not a valid prefix */
#define RIB_E_PATHS	(-2)	/* src's max_paths for this prefix */
#define RIB_E_MEM	(-3)	/* src's mem_max */

/* Why the best path won (GoBGP BestPathReason), for show and tests. */
enum rib_reason {
	RIB_REASON_ONLY_PATH,
	RIB_REASON_LOCAL,		/* locally originated wins */
	RIB_REASON_LLGR_STALE,		/* RFC 9494: not long-lived stale */
	RIB_REASON_LOCAL_PREF,
	RIB_REASON_AS_PATH,
	RIB_REASON_ORIGIN,
	RIB_REASON_MED,
	RIB_REASON_EBGP,
	RIB_REASON_ROUTER_ID,
	RIB_REASON_CLUSTER_LIST,
	RIB_REASON_PEER_ADDR,
	RIB_REASON_PATH_ID,
};
const char *rib_reason_name(enum rib_reason);

struct rib_path {
	struct rib_path		*next;		/* in the entry's path list */
	struct rib_src		*src;
	const struct rib_attrs	*attrs;		/* interned */
	uint32_t		 path_id;	/* RFC 7911, 0 without add-path */
	bool			 stale;		/* RFC 4724 graceful restart */
};

/*
 * Prefix ids (BIRD 2's route ids for export maps): each prefix in the rib
 * has a 32-bit id, the same from the best_changed that brings it
 * (old_best NULL) to the one that ends it (new_best NULL), after which it
 * may be reused. Ids are dense (slab indices; IPv6 ones have bit 31 set),
 * so a client keeps per-prefix state in an array indexed by id, a few
 * bytes a prefix, instead of a second table keyed by prefix.
 */

/* Client hooks (BIRD rt_notify). */
struct rib_client_ops {
	/*
	 * The best path of pfx (id) changed. new_best NULL: no path left.
	 * old_best NULL: the prefix is new. Both valid only during the call.
	 * new_best is the entry's head: the prefix's other paths follow it
	 * (new_best->next), as in rib_entry_paths().
	 */
	void	(*best_changed)(void *arg, const struct prefix *pfx,
		    uint32_t id, const struct rib_path *new_best,
		    const struct rib_path *old_best);
	/*
	 * Optional (ECMP: BIRD's `merge paths`): a path other than the best
	 * of pfx came, changed or went and the best stayed as it was. The
	 * client may look the entry up (rib_lookup) to read its paths.
	 */
	void	(*paths_changed)(void *arg, const struct prefix *pfx,
		    uint32_t id, const struct rib_path *best);
};

struct rib_client;

struct rib	*rib_new(void);
void		 rib_free(struct rib *);

/* Intern a template; returns a set with one reference held by the caller. */
const struct rib_attrs *rib_attrs_intern(struct rib *, const struct rib_attrs *);
void		 rib_attrs_unref(struct rib *, const struct rib_attrs *);
/* Take one more reference on an interned set (to keep it past a hook). */
const struct rib_attrs *rib_attrs_ref(const struct rib_attrs *);
/* The memory an interned set takes (what a source is charged for it). */
size_t		 rib_attrs_size(const struct rib_attrs *);
/* AS_PATH length per RFC 4271 9.1.2.2 (a): AS_SET counts 1, confeds 0. */
unsigned	 rib_aspath_count(const struct rib_attrs *);
/* The first AS of the path (the neighbour AS, for MED comparison), or 0. */
uint32_t	 rib_aspath_first(const struct rib_attrs *);

/*
 * Add or replace the path (src, path_id) for pfx. attrs must be interned;
 * the rib takes its own reference. Returns 0, or a RIB_E_* refusal (the
 * rib is then unchanged). Cost: O(1) but for a change of the best path's
 * attributes, which scans the prefix's paths.
 */
int		 rib_update(struct rib *, struct rib_src *, const struct prefix *,
		    uint32_t path_id, const struct rib_attrs *attrs);
/* Remove the path (src, path_id) for pfx; returns true if there was one.
 * O(1), but the best path's removal scans the prefix's other paths. */
bool		 rib_withdraw(struct rib *, struct rib_src *,
		    const struct prefix *, uint32_t path_id);
/* Remove every path of src (session down). Returns how many. */
size_t		 rib_flush_source(struct rib *, struct rib_src *);
/* RFC 4724: mark every path of src stale; refreshed paths lose the mark. */
size_t		 rib_mark_stale(struct rib *, struct rib_src *);
/* RFC 4724: remove the paths of src still stale (End-of-RIB or timer). */
size_t		 rib_sweep_stale(struct rib *, struct rib_src *);
/*
 * RFC 9494 4.3: a path whose attributes carry the LLGR_STALE community is
 * least preferred (decide.c: any path without it wins, before LOCAL_PREF).
 */
#define RIB_COMM_LLGR_STALE	0xffff0006u
#define RIB_COMM_NO_LLGR	0xffff0007u
/*
 * RFC 9494 4.2, the long-lived stale phase of src: each of its stale paths
 * carrying RIB_COMM_NO_LLGR is removed (counted in *dropped), each other
 * one gets RIB_COMM_LLGR_STALE added to its attributes and stays stale
 * (rib_sweep_stale removes it later). Returns the paths kept.
 */
size_t		 rib_llgr_stale(struct rib *, struct rib_src *,
		    size_t *dropped);

/*
 * From inside best_changed a client may look up (rib_lookup, rib_match,
 * the counts) and intern, ref and unref attribute sets, but must not
 * change paths or clients (rib_update, _withdraw, _flush_source,
 * _mark_stale, _sweep_stale, rib_client_add/_del/_feed): asserted.
 */
struct rib_client *rib_client_add(struct rib *, const struct rib_client_ops *,
		    void *arg);
void		 rib_client_del(struct rib *, struct rib_client *);
/* Replay best_changed(pfx, best, NULL) for every prefix to one client. */
void		 rib_client_feed(struct rib *, struct rib_client *);

/* Lookups and walks, for show commands and tests. */
const struct rib_entry *rib_lookup(const struct rib *, const struct prefix *);
/* Longest-prefix match for an address (slow path: for "show route for"). */
const struct rib_entry *rib_match(const struct rib *, const struct addr *);
struct prefix		 rib_entry_prefix(const struct rib_entry *);
/* id <-> prefix of a prefix that has a path; false when there is none. */
bool		 rib_id_prefix(const struct rib *, uint32_t id, struct prefix *);
/* The same with its entry (NULL: none), without hashing the prefix. */
const struct rib_entry	*rib_id_entry(const struct rib *, uint32_t id,
		    struct prefix *);
bool		 rib_prefix_id(const struct rib *, const struct prefix *,
		    uint32_t *id);
const struct rib_path	*rib_entry_best(const struct rib_entry *);
const struct rib_path	*rib_entry_paths(const struct rib_entry *);
enum rib_reason		 rib_entry_reason(const struct rib_entry *);
/* Calls cb for each entry in prefix order; stops early when cb returns -1. */
void		 rib_walk(const struct rib *,
		    int (*cb)(void *arg, const struct rib_entry *), void *arg);
size_t		 rib_count_prefixes(const struct rib *);
size_t		 rib_count_paths(const struct rib *);
size_t		 rib_count_attrs(const struct rib *);

/* decide.c: compare two paths per RFC 4271 9.1.2.2; <0 when a is better. */
int		 rib_path_cmp(const struct rib_path *a, const struct rib_path *b,
		    enum rib_reason *why);
/*
 * BIRD's bgp_rte_mergable: b may share a multipath route with the best
 * path a, i.e. they are equal up to (not including) the router id step
 * (local preference, AS path length, origin, MED, eBGP over iBGP); a
 * locally originated path merges with nothing.
 */
bool		 rib_path_mergable(const struct rib_path *a,
		    const struct rib_path *b);
/* How many compares were made so far (tests: the cost of a change). */
uint64_t	 rib_path_cmps(void);

#endif
