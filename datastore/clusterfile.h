/*
 * clusterfile.h (internal to clusterfile.c and cluster_bgp.c): the cluster
 * file's walkers.
 *
 * clusterfile.c owns the schema of the cluster's nodes, pools and peers
 * and the walk of the file; cluster_bgp.c owns issue 15's options in it
 * (a peer's session options, the BGP configuration at the top and a
 * node's own, the BGPFilters). Both walk mappings through tables of
 * struct cfield, and every error is "FILE:LINE: key KEY: why".
 */
#ifndef TERN_DS_CLUSTERFILE_H
#define TERN_DS_CLUSTERFILE_H

#include "backend.h"
#include "ytree.h"

struct claim;
struct cf_ref;

/* One parse of the file into a fresh model. */
struct cctx {
	struct ycx	 y;		/* path and error buffer */
	struct ds_model	*m;
	struct claim	*claims;
	size_t		 nclaims, cclaims;
	struct cf_ref	*refs;		/* filter names the peers use */
	size_t		 nrefs;
};

/* FILE:LINE: key KEY: why (lib/ytree); always -1 */
#define kerr(x, ...)	ycx_error(&(x)->y, __VA_ARGS__)

/* One key of a mapping and what to do with its value. */
struct cfield {
	const char	*name;
	int		(*set)(struct cctx *, const struct ynode *,
			    const char *key, void *obj);
};

#define CF_MAXFIELDS	32	/* keys of one mapping, both tables */

/* A mapping whose keys are f's (with obj) or f2's (with obj2). */
int	ds_cf_walk_map(struct cctx *, const struct ynode *map, const char *key,
	    const struct cfield *f, size_t nf, void *obj,
	    const struct cfield *f2, size_t nf2, void *obj2);
/* A list (null: empty): fn for each item, KEY[i]. */
int	ds_cf_walk_seq(struct cctx *, const struct ynode *n, const char *key,
	    int (*fn)(struct cctx *, const struct ynode *, const char *,
	    size_t, void *), void *obj);
/* A CIDR (address/length, host bits zero). */
int	ds_cf_cidr(struct cctx *, const struct ynode *, const char *key,
	    struct prefix *);

/* --- cluster_bgp.c ------------------------------------------------------- */

/* A peer's session options being read (the peer's fields are not). */
struct cf_popts {
	struct ds_peer_opts	*o;		/* NULL until one is given */
	unsigned long		 line;		/* the first option's */
	unsigned long		 reach_line, nh_line, keep_line;
	unsigned long		 mrt_line;
	const struct ynode	*mrt;		/* max_restart_time, for the
						 * restart mode's bound */
	char			 mrt_key[160];
};

extern const struct cfield ds_cf_peer_fields[];
extern const size_t ds_cf_npeer_fields;
/* After the walk: checks across fields (reachable_by against the peer's
 * address; next hop), and the options into p (p->opts); -1 on error. */
int	ds_cf_peer_opts_end(struct cctx *, struct cf_popts *, const char *key,
	    struct ds_model_peer *p);
void	ds_cf_peer_opts_fini(struct cf_popts *);

/* A BGP configuration being read (the top level's or a node's). */
struct cf_conf {
	struct ds_bgp_config	 c;
	const struct ynode	*advs;		/* prefix_advertisements */
	char			 advs_key[160];
};

extern const struct cfield ds_cf_top_fields[];
extern const size_t ds_cf_ntop_fields;
extern const struct cfield ds_cf_node_fields[];
extern const size_t ds_cf_nnode_fields;
/* After the walk: the advertisements (their names resolved against the
 * same mapping's communities); -1 on error. */
int	ds_cf_conf_end(struct cctx *, struct cf_conf *);
/* At the end of the file: every peer's filters exist; -1 on error. */
int	ds_cf_check_refs(struct cctx *);
void	ds_cf_fini(struct cctx *);

#endif
