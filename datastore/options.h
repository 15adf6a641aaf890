/*
 * options.h (internal to datastore/): the values of issue 15's options.
 *
 * options.c owns the life of the option values datastore.h declares (a
 * BGP session's struct ds_peer_opts, refcounted and shared; a struct
 * ds_bgp_config and a struct ds_filter, copied, compared and freed whole)
 * and the text parsers every source shares (v3 JSON in calico_opts.c,
 * v2 keys there too, the cluster file in cluster_bgp.c), so that the same
 * text means the same value whatever its source: Go durations as Calico's
 * metav1.Duration reads them, BGP communities, Kubernetes names, interface
 * patterns and Calico's enum spellings. It knows no JSON, YAML or key.
 */
#ifndef TERN_DS_OPTIONS_H
#define TERN_DS_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "datastore.h"

#define DS_LIST_MAX		1000	/* service CIDRs per list */
#define DS_COMMUNITIES_MAX	500	/* communities, prefixAdvertisements
					 * (Calico's MaxItems) */
#define DS_ADV_COMMUNITIES_MAX	50	/* per prefixAdvertisement */
#define DS_IGNORED_IFACES_MAX	256
#define DS_KEEPALIVE_MAX	65535	/* BIRD: keepalive time 1..65535 */

/*
 * Peer options. A new one has the defaults (restart and keepalive time
 * unset) and one reference; each holder (a BGPPeer fact, each derived
 * session of a view) keeps its own. The default instance is static and
 * never freed. Filters and passwords are copied in.
 */
struct ds_peer_opts *ds_peer_opts_new(void);
const struct ds_peer_opts *ds_peer_opts_default(void);
const struct ds_peer_opts *ds_peer_opts_ref(const struct ds_peer_opts *);
void		 ds_peer_opts_unref(const struct ds_peer_opts *);
/* A new instance with o's values (one reference). */
struct ds_peer_opts *ds_peer_opts_copy(const struct ds_peer_opts *o);
/* -1 past DS_PEER_FILTERS_MAX */
int		 ds_peer_opts_add_filter(struct ds_peer_opts *, const char *);

void		 ds_password_set(struct ds_password *, enum ds_password_kind,
		    const char *ref, const char *key);
void		 ds_password_clear(struct ds_password *);
void		 ds_password_copy(struct ds_password *dst,
		    const struct ds_password *src);
bool		 ds_password_eq(const struct ds_password *,
		    const struct ds_password *);

/* Every value unset, every list empty. */
void		 ds_bgp_config_init(struct ds_bgp_config *);
void		 ds_bgp_config_fini(struct ds_bgp_config *);
/* dst (initialised or not) becomes a deep copy of src. */
void		 ds_bgp_config_copy(struct ds_bgp_config *dst,
		    const struct ds_bgp_config *src);
bool		 ds_bgp_config_eq(const struct ds_bgp_config *,
		    const struct ds_bgp_config *);
/* Appends (copied); -1 past the bound of the list. */
int		 ds_bgp_config_add_community(struct ds_bgp_config *,
		    const char *name, const struct ds_community *);
int		 ds_bgp_config_add_adv(struct ds_bgp_config *,
		    const struct ds_prefix_adv *);
int		 ds_bgp_config_add_iface(struct ds_bgp_config *, const char *);
int		 ds_prefixes_add(struct ds_prefixes *, const struct prefix *);
void		 ds_prefixes_clear(struct ds_prefixes *);
/* The default's community value called name, or NULL. */
const struct ds_community *ds_bgp_config_community(
		    const struct ds_bgp_config *, const char *name);

/*
 * One prefixAdvertisements entry's community, as confd reads it: a
 * literal aa:nn or aa:nn:mm, else the name of one of defs. Added to a once
 * (sorted as text, as confd sorts them). NULL, or why not.
 */
const char	*ds_prefix_adv_add(struct ds_prefix_adv *a, const char *text,
		    const struct ds_bgp_config *defs);
void		 ds_prefix_adv_fini(struct ds_prefix_adv *);

void		 ds_filter_init(struct ds_filter *, const char *name);
void		 ds_filter_fini(struct ds_filter *);
void		 ds_filter_copy(struct ds_filter *dst, const struct ds_filter *);
bool		 ds_filter_eq(const struct ds_filter *, const struct ds_filter *);
/* -1 past DS_FILTER_RULES_MAX */
int		 ds_filter_add_rule(struct ds_filter *, enum ds_filter_dir,
		    const struct ds_filter_rule *);
/*
 * A rule as Calico's API takes it (the CEL rules of bgpfilter.go and
 * confd's filterStatement): cidr and matchOperator together, prefixLength
 * only with a cidr, in the family's range, and a non-empty range once the
 * cidr's own length bounds it. NULL, or why not.
 */
const char	*ds_filter_rule_check(const struct ds_filter_rule *,
		    uint8_t af);

/* --- parsers: 0, or -1 (the caller says what and why) --------------------- */

/* Go's time.ParseDuration ("120s", "2m", "1h30m", "1.5s", "0"), in ns. */
int		 ds_duration_parse(const char *, int64_t *ns);
/* A non-negative duration in whole seconds, rounded as confd rounds
 * (math.Round), at most max. */
int		 ds_duration_secs(const char *, int64_t max, int32_t *secs);
/*
 * Calico's community syntax: aa:nn (each 0..65535) or aa:nn:mm (each
 * 0..4294967295), decimal digits only. -1: not that syntax; -2: a part out
 * of range.
 */
int		 ds_community_parse(const char *, struct ds_community *);
/* A Calico resource name, a Kubernetes secret's name: a DNS subdomain of
 * lower-case letters, digits, '-' and '.', at most 253 bytes. */
bool		 ds_k8s_name_ok(const char *);
/* A Kubernetes secret key: [-._a-zA-Z0-9], 1..253 bytes, not . or .. */
bool		 ds_secret_key_ok(const char *);
/* An interface pattern of BGPFilter interface and ignoredInterfaces:
 * [a-zA-Z0-9_.*-]{1,15}; "*" alone only when star_ok. */
bool		 ds_iface_pattern_ok(const char *, bool star_ok);
/* Calico's "net": a strictly masked CIDR, or an address (/32, /128). */
int		 ds_net_parse(const char *, struct prefix *);
/* s among names[0..n) (Calico's exact spelling), its index, else -1. */
int		 ds_enum_parse(const char *, const char *const *names, size_t n);

/* The spellings, indexed by the enum ("" where the value has none). */
extern const char *const ds_source_addr_names[2];
extern const char *const ds_next_hop_names[4];
extern const char *const ds_restart_mode_names[2];
extern const char *const ds_failure_detection_names[2];
extern const char *const ds_bind_mode_names[2];
extern const char *const ds_filter_op_names[5];
extern const char *const ds_filter_action_names[2];
extern const char *const ds_filter_source_names[2];
extern const char *const ds_filter_peer_type_names[3];

#endif
