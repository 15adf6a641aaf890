/*
 * calico.h (internal to datastore/): Calico's etcd keys -> model facts.
 *
 * calico.c knows the two key layouts of calico-compat.md: Calico 2.x
 * (etcdv2: /calico/bgp/v1/..., /calico/v1/ipam/..., raw strings and small
 * JSON values) and Calico 3.x (etcdv3: /calico/resources/v3/projectcalico.org
 * resource JSON), both with the block affinities under
 * /calico/ipam/v2/host/<node>/. A backend hands it every key it reads
 * (put: the key now holds this value; del: the key is gone) and
 * ds_calico updates the model's facts; the backend commits.
 *
 * A key's facts are remembered per key, so a changed or deleted key undoes
 * exactly what it set, also for resources whose identity is in the value
 * (v3 pools and peers). A malformed value counts as absent: its old facts
 * are undone, and it is logged once with its key (again only when the
 * value changes). A full re-list fills a fresh model through a fork (the
 * fork knows what its origin already logged), then replaces the live one.
 * It must not commit, block or do I/O.
 */
#ifndef TERN_DS_CALICO_H
#define TERN_DS_CALICO_H

#include <stddef.h>

#include "model.h"

enum ds_layout {
	DS_LAYOUT_V2,		/* Calico 2.x, etcdv2 */
	DS_LAYOUT_V3,		/* Calico 3.x, etcdv3 */
};

#define DS_CALICO_KEY_MAX	1024		/* longer keys are skipped */
#define DS_CALICO_VALUE_MAX	(256 * 1024)	/* larger values too */
#define DS_CALICO_MAX_KEYS	1000000		/* remembered keys */
#define DS_CALICO_MAX_RANGES	5

struct ds_calico;

/* prefix: "/calico" (a trailing '/' is dropped); self: this node. */
struct ds_calico *ds_calico_new(enum ds_layout, const char *prefix,
		    const char *self);
/* An empty ds_calico with src's settings, for a re-list into a fresh model. */
struct ds_calico *ds_calico_fork(const struct ds_calico *src);
/* Forget the origin a fork was made from (before the origin is freed). */
void		 ds_calico_detach(struct ds_calico *);
void		 ds_calico_free(struct ds_calico *);

/*
 * The key ranges to read, each a prefix ending in '/'; in etcd v3 a range
 * may end elsewhere than after its prefix: its end (exclusive), else NULL
 * (v3 BGPFilters and BGPPeers are one range, as the etcd backends keep
 * five).
 */
size_t		 ds_calico_nranges(const struct ds_calico *);
const char	*ds_calico_range(const struct ds_calico *, size_t);
const char	*ds_calico_range_end(const struct ds_calico *, size_t);

/* The key now holds val (vlen bytes, need not be NUL-terminated). */
void		 ds_calico_put(struct ds_calico *, struct ds_model *,
		    const char *key, size_t klen, const char *val, size_t vlen);
void		 ds_calico_del(struct ds_calico *, struct ds_model *,
		    const char *key, size_t klen);
/* Keys that currently set facts (for tests and status). */
size_t		 ds_calico_nkeys(const struct ds_calico *);

#endif
