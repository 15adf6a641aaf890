/*
 * labels.h (internal to datastore/): the nodes' labels, for Calico's label
 * selectors (BGPPeer nodeSelector and peerSelector, lib/selector.h).
 *
 * A node's labels are a fact of the model, kept beside its node record in a
 * tree of their own (labels.c), so that ds_model_node_set never copies
 * them: v3's Node metadata.labels and the cluster file's labels: set them,
 * v2 has none (Calico 2.x's BGP keys carry no node labels).
 *
 * Every label is hostile and checked as Kubernetes checks a label (which is
 * what Calico's validator does): a key is an optional prefix (a DNS
 * subdomain of at most DS_LABEL_PREFIX_MAX bytes of [a-z0-9.-]) and '/',
 * then a name of 1..DS_LABEL_NAME_MAX bytes of [A-Za-z0-9._-] beginning and
 * ending with a letter or digit; a value is empty or of a name's syntax and
 * bound. At most DS_LABELS_MAX labels per node, no key twice. Every valid
 * key is also a valid selector label ([A-Za-z0-9_./-], at most
 * SELECTOR_MAX_LABEL bytes). A set is checked whole: one bad label and the
 * node has none (the caller says why, once).
 *
 * Ownership: the model owns the copies; the arrays returned are sorted by
 * key, end with a NULL key (selector_labels_kv reads them) and stay valid
 * until the node's labels are set again or the node is deleted.
 */
#ifndef TERN_DS_LABELS_H
#define TERN_DS_LABELS_H

#include <stddef.h>

#include "selector.h"

#define DS_LABELS_MAX		64
#define DS_LABEL_PREFIX_MAX	253	/* a DNS subdomain */
#define DS_LABEL_NAME_MAX	63
#define DS_LABEL_KEY_MAX	(DS_LABEL_PREFIX_MAX + 1 + DS_LABEL_NAME_MAX)
#define DS_LABEL_VALUE_MAX	63

struct ds_model;

/* NULL when key=value is a valid label, else why not (static text). */
const char	*ds_label_check(const char *key, const char *value);

/*
 * Replace node's labels by kv[0..n) (copied; n 0: none). -1 with why when
 * the node is unknown or the set is bad (too many, a bad or repeated
 * key, a bad value): the node then has no labels.
 */
int		 ds_model_labels_set(struct ds_model *, const char *node,
		    const struct selector_label *kv, size_t n,
		    const char **why);
/* The node's labels and their count; NULL for an unknown node. */
const struct selector_label *ds_model_labels(const struct ds_model *,
		    const char *node, size_t *n);
/* A selector_labels over them (an unknown node has none). */
void		 ds_model_labels_selector(const struct ds_model *,
		    const char *node, struct selector_labels *);

/* model.c: drop one node's labels, all of them, or move them over. */
void		 ds_labels_del(struct ds_model *, const char *node);
void		 ds_labels_clear(struct ds_model *);
void		 ds_labels_take(struct ds_model *dst, struct ds_model *src);

#endif
