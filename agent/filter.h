/*
 * filter.h: Calico's BGPFilters (issue 15) on the sessions that name them,
 * evaluated as the BIRD functions confd generates from them are
 * (template_funcs.go BGPFilterBIRDFuncs, bgp_processor.go
 * buildImportFilter / buildExportFilter):
 *
 *   import filter { 'bgp_F1_importFilterV4'(); ...; accept; }
 *   export filter { 'bgp_F1_exportFilterV4'(); ...;
 *                   calico_export_to_bgp_peers(same_as); reject; }
 *
 * A session's filters run in the order its BGPPeer lists them; in each,
 * the rules of the direction and family run in order and the first that
 * matches decides (BIRD's accept/reject inside a function end the whole
 * filter). When none matches, the next filter runs, then Calico's own
 * policy: accept on import, calico_export_to_bgp_peers on export (the
 * caller's). A name no BGPFilter has is skipped (confd's GetValue fails).
 *
 * A rule matches when every condition it sets holds (filterStatement):
 *   cidr + matchOperator  Equal (net = C), NotEqual (net != C), In (net ~ C:
 *                         inside C or C itself), NotIn (net !~ C);
 *   with prefixLength     C becomes the set [C{lo,hi}], lo = max(C's length,
 *                         min), hi = min(32 or 128, max): In/NotIn test
 *                         membership; Equal/NotEqual compare a prefix with
 *                         a set, which BIRD's val_same answers "not the
 *                         same": Equal never matches, NotEqual always
 *                         (Calico's rendering, mirrored, see filter.c);
 *   source RemotePeers    the route was learned from a BGP peer (BIRD's
 *                         source = RTS_BGP): always true on import;
 *   interface             the route's outgoing interface matches the
 *                         pattern ('*' any run, Calico's only wildcard);
 *                         tern knows it for the workload routes it learns
 *                         from the kernel (krt/learn.h); an own block has
 *                         the empty name, as BIRD's blackhole static route
 *                         ("*" matches it); a BGP route has none here, so
 *                         no pattern matches it (our implementation: BIRD
 *                         gives it the interface its recursive next hop
 *                         resolves through; on import every route is a BGP
 *                         route, see filter_unsupported);
 *   peerType eBGP / iBGP  the session is eBGP / iBGP (confd passes
 *                         peerAS == the node's effective AS).
 *
 * struct filters keeps its own copy of every BGPFilter and each session's
 * list of names (no pointer into the datastore's view, which a commit
 * replaces). A change marks, per session, the direction whose effective
 * rules differ (FILTER_CH_*); filters_flush hands those marks to the
 * caller once the commit is over, so one commit costs a session at most
 * one re-export and one route refresh. Pure: no event, no system call.
 */
#ifndef TERN_FILTER_H
#define TERN_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "datastore.h"

enum filter_verdict {
	FILTER_NO_MATCH,	/* no rule matched: Calico's own policy */
	FILTER_ACCEPT,
	FILTER_REJECT,
};

/* What a rule looks at of a route. */
struct filter_route {
	const struct prefix	*pfx;
	bool			 from_bgp;	/* learned from a BGP peer */
	const char		*ifname;	/* outgoing interface; NULL:
						 * none known, or ask: */
	/* looked up only when a rule has an interface (a system call in
	 * ternd); buf has FILTER_IFNAME_LEN bytes; NULL: none */
	const char		*(*get_ifname)(void *arg, char *buf);
	void			*arg;
};

#define FILTER_IFNAME_LEN	16	/* IF_NAMESIZE */

/* The ways a rule list can be evaluated: which direction, which session. */
struct filter_ctx {
	bool			 import;
	bool			 same_as;	/* iBGP session */
};

/* pattern ('*': any run, possibly empty) matches the whole of name */
bool		 filter_ifname_match(const char *pattern, const char *name);
/* One rule's conditions (its action aside). */
bool		 filter_rule_match(const struct ds_filter_rule *,
		    const struct filter_route *, bool same_as);
/* One rule list, first match decides. */
enum filter_verdict filter_rules_eval(const struct ds_filter_rule *,
		    size_t n, const struct filter_route *, bool same_as);
/* The rule list of a filter for a direction of a family (AF_INET/6). */
enum ds_filter_dir filter_dir(uint8_t af, bool import);

#define FILTER_CH_IMPORT	0x1u	/* import rules changed: refresh in */
#define FILTER_CH_EXPORT	0x2u	/* export rules changed: re-export */

struct filters;

struct filters	*filters_new(void);
void		 filters_free(struct filters *);
/* A BGPFilter added or changed (f), or removed (f NULL). */
void		 filters_set(struct filters *, const char *name,
		    const struct ds_filter *f);
/*
 * A session's filter names in order, its family (AF_INET/6); n 0 forgets
 * it. fresh: the session is new (it starts with them: no mark); else one
 * the store does not know had none, and gaining some marks it.
 */
void		 filters_peer_set(struct filters *, const char *session,
		    uint8_t af, char *const *names, size_t n, bool fresh);
void		 filters_peer_del(struct filters *, const char *session);
/* The session's verdict for a route (NO_MATCH also when it has none). */
enum filter_verdict filters_eval(const struct filters *, const char *session,
		    const struct filter_ctx *, const struct filter_route *);
/* Any session names a filter (the export path's fast test). */
bool		 filters_active(const struct filters *);
/* Marks are waiting. */
bool		 filters_pending(const struct filters *);
/* Hand each marked session's marks to cb (name order) and clear them. */
void		 filters_flush(struct filters *,
		    void (*cb)(void *arg, const char *session, unsigned what),
		    void *arg);
/*
 * What the filter's rules use that tern cannot fully evaluate, in buf
 * ("" none): an interface on import rules (never matches here). For a
 * log line when the filter arrives.
 */
size_t		 filter_unsupported(const struct ds_filter *, char *buf,
		    size_t len);

#endif
