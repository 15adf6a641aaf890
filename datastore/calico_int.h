/*
 * calico_int.h (internal to calico.c and calico_{res,conf,opts}.c): keys.
 *
 * calico.c owns struct ds_calico and its map from each etcd key to the
 * facts that key set (struct cal_ent), the dispatch of a key to its
 * handler, undoing and reporting; calico_res.c and calico_opts.c (issue
 * 15's options) own the value schemas: one handler per key pattern that
 * parses a value, sets its facts in the model and fills the key's entry.
 * Nothing else includes this header.
 */
#ifndef TERN_DS_CALICO_INT_H
#define TERN_DS_CALICO_INT_H

#include <bsd/sys/tree.h>
#include <stdbool.h>

#include "calico.h"

struct json_object;

#define CAP_MAX		256	/* one key segment (a k8s name is <= 253) */
#define CAP_N		2
#define RES_PREFIX	"/resources/v3/projectcalico.org/"

/* What a remembered key's facts are. */
enum ck {
	CK_BAD,		/* malformed: no facts; badhash says which value */
	CK_NODE,	/* v3 node resource */
	CK_NFIELD,	/* v2 /bgp/v1/host/<node>/<field> */
	CK_GLOBAL_AS,	/* v2 /bgp/v1/global/as_num */
	CK_MESH,	/* v2 /bgp/v1/global/node_mesh */
	CK_BGPCONF,	/* v3 bgpconfigurations/default: AS, mesh, log */
	CK_LOGLEVEL,	/* v2 .../loglevel, v3 node.<self>: node "" global */
	CK_PEER,
	CK_POOL,
	CK_BLOCK,
	CK_NODECONF,	/* v3 node.<node>: its listenPort; ours: advs, log */
	CK_FILTER,	/* v3 bgpfilters/<name>: the key's last segment */
	CK_V2OPT,	/* v2 listen_port, prefix_advertisements/ip_v4|ip_v6,
			 * global (node "") or this node's */
};

enum v2opt { V2O_PORT, V2O_ADV4, V2O_ADV6 };

enum nfield { NF_IPV4, NF_IPV6, NF_AS, NF_NET4, NF_NET6, NF_RRID, NF_COUNT };

struct cal_ent {
	RB_ENTRY(cal_ent)	 entry;
	char			*key;
	enum ck			 kind;
	uint32_t		 badhash;
	uint32_t		 warnhash;	/* the ignored part said */
	enum nfield		 field;
	enum v2opt		 opt;
	char			 node[DS_NAME_MAX];
	struct ds_model_peer	 peer;	/* its identity (no selectors) */
	struct ds_pool		 pool;
	struct prefix		 block;
};

RB_HEAD(cal_tree, cal_ent);

struct ds_calico {
	enum ds_layout		 layout;
	char			*prefix;	/* no trailing '/' */
	size_t			 plen;
	char			 self[DS_NAME_MAX];
	char			*ranges[DS_CALICO_MAX_RANGES];
	char			*range_end[DS_CALICO_MAX_RANGES]; /* NULL:
					 * the range is its prefix */
	size_t			 nranges;
	struct cal_tree		 keys;
	size_t			 nkeys;
	const struct ds_calico	*origin;	/* a fork's origin */
	bool			 full_logged;
};

/* One put being applied. */
struct cal_ctx {
	struct ds_calico	*c;
	struct ds_model		*m;
	struct cal_ent		*e;
	char			 cap[CAP_N][CAP_MAX];
	const char		*val;		/* NUL-terminated copy */
	size_t			 vlen;
	const char		*why;		/* CAL_BAD: what is wrong */
	char			 whybuf[256];	/* room for why */
	const char		*warn;		/* CAL_FACT: a part ignored */
	char			 warnbuf[400];	/* room for warn */
};

enum cal_res {
	CAL_FACT,	/* the handler set facts and filled the entry */
	CAL_NONE,	/* a valid value that sets nothing (pending, other node) */
	CAL_BAD,	/* malformed */
};
/* CAL_FACT with warn set: the value's facts are set, but one optional
 * field is malformed and ignored (logged once, as a CAL_BAD value is) */

/* calico_res.c: shared by the handlers */
enum cal_res	ds_cal_bad(struct cal_ctx *, const char *why);
/* CAL_BAD with "path: why" (printf) in whybuf */
enum cal_res	ds_cal_badf(struct cal_ctx *, const char *fmt, ...)
		    PRINTF_LIKE(2, 3);
/* The value as one JSON object, or NULL with why set. */
struct json_object *ds_cal_json(struct cal_ctx *);
/* An AS: JSON number, or a string in asplain or asdot; absent: 0. */
int		ds_cal_json_as(const struct json_object *, const char *path,
		    uint32_t *);
/* Say that the part what is ignored, and why (after any part said). */
void		ds_cal_warn(struct cal_ctx *, const char *what,
		    const char *why);

/* calico_res.c: the handlers, one per key pattern (calico.c rules[]) */
enum cal_res	ds_cal_v3_node(struct cal_ctx *, int);
enum cal_res	ds_cal_v3_peer(struct cal_ctx *, int);
enum cal_res	ds_cal_v3_pool(struct cal_ctx *, int);
enum cal_res	ds_cal_v2_nfield(struct cal_ctx *, int field);
enum cal_res	ds_cal_v2_gpeer(struct cal_ctx *, int af);
enum cal_res	ds_cal_v2_hpeer(struct cal_ctx *, int af);
enum cal_res	ds_cal_v2_pool(struct cal_ctx *, int af);
enum cal_res	ds_cal_block(struct cal_ctx *, int af);

/* calico_conf.c: BGPConfiguration, v3 and v1 */
enum cal_res	ds_cal_v3_bgpconf(struct cal_ctx *, int);
enum cal_res	ds_cal_v2_global_as(struct cal_ctx *, int);
enum cal_res	ds_cal_v2_mesh(struct cal_ctx *, int);
enum cal_res	ds_cal_v2_loglevel(struct cal_ctx *, int host);
#define V2A_HOST	0x100	/* ds_cal_v2_advs: this node's, not global */
enum cal_res	ds_cal_v2_listen_port(struct cal_ctx *, int host);
enum cal_res	ds_cal_v2_advs(struct cal_ctx *, int af_host);
void		ds_cal_undo_v2opt(struct ds_model *, const struct cal_ent *);

/* calico_opts.c: the option fields of BGPPeers, and BGPFilters */
/* A string field into one of names (absent, null or "": dflt). */
int		ds_cal_json_enum(const struct json_object *, const char *path,
		    const char *const *names, size_t n, int dflt, int *out);
/* A metav1.Duration (a JSON string) in whole seconds 0..max; absent:
 * DS_TIME_UNSET. */
int		ds_cal_json_secs(const struct json_object *, const char *path,
		    int64_t max, int32_t *out);
/* A password {secretKeyRef: {name, key}} into pw; NULL, or why not. */
const char	*ds_cal_json_secret(const struct json_object *,
		    const char *path, struct ds_password *pw);
enum cal_res	ds_cal_v3_filter(struct cal_ctx *, int);
enum cal_res	ds_cal_v2_custom_filter(struct cal_ctx *, int af);
/* A BGPPeer's session options into p->opts (CAL_FACT) or CAL_BAD. */
enum cal_res	ds_cal_v3_peer_opts(struct cal_ctx *,
		    const struct json_object *, struct ds_model_peer *p);
enum cal_res	ds_cal_v2_peer_opts(struct cal_ctx *,
		    const struct json_object *, struct ds_model_peer *p);

/* a v2 node field's key is gone: clear it, or drop the node with the last */
void		ds_cal_undo_nfield(struct ds_calico *, struct ds_model *,
		    const struct cal_ent *);

/* calico.c */
struct cal_ent	*ds_cal_ent_find(const struct ds_calico *,
		    const char *key);

#endif
