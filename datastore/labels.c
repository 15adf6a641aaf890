/*
 * labels.c: the nodes' labels in the model (labels.h says the rules).
 *
 * Owns the check of one label (Kubernetes' IsQualifiedName and
 * IsValidLabelValue, which Calico's validator applies to a Node's labels)
 * and the model's tree of label sets, one per labelled node, each one heap
 * block: the sorted array with its NULL end, then the strings. It must not
 * log (the caller names the node or key) nor touch the derived view.
 */
#include <stdlib.h>
#include <string.h>

#include "labels.h"
#include "model.h"
#include "xmalloc.h"

struct ds_mlabels {
	RB_ENTRY(ds_mlabels)	 entry;
	char			 node[DS_NAME_MAX];
	size_t			 n;
	struct selector_label	*kv;	/* n + 1, strings after them */
};

static int
mlabels_cmp(const struct ds_mlabels *a, const struct ds_mlabels *b)
{
	return strcmp(a->node, b->node);
}

#define DS_RB_STATIC	__attribute__((unused)) static
RB_GENERATE_INTERNAL(ds_mlabels_tree, ds_mlabels, entry, mlabels_cmp,
    DS_RB_STATIC)

static const struct selector_label none[1] = { { NULL, NULL } };

static bool
alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])? of s[0..len), len >= 1 */
static bool
name_ok(const char *s, size_t len)
{
	if (len == 0 || len > DS_LABEL_NAME_MAX || !alnum(s[0]) ||
	    !alnum(s[len - 1]))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return false;
	return true;
}

/* RFC 1123 subdomain: labels of [a-z0-9-], alnum at both ends, '.' apart */
static bool
prefix_ok(const char *s, size_t len)
{
	size_t start = 0;

	if (len == 0 || len > DS_LABEL_PREFIX_MAX)
		return false;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != '.') {
			if (!(s[i] >= 'a' && s[i] <= 'z') &&
			    !(s[i] >= '0' && s[i] <= '9') && s[i] != '-')
				return false;
			continue;
		}
		if (i == start || s[start] == '-' || s[i - 1] == '-')
			return false;
		start = i + 1;
	}
	return true;
}

const char *
ds_label_check(const char *key, const char *value)
{
	const char *slash;
	size_t klen, vlen;

	if (key == NULL || value == NULL)
		return "no key or value";
	klen = strnlen(key, DS_LABEL_KEY_MAX + 1);
	vlen = strnlen(value, DS_LABEL_VALUE_MAX + 1);
	if (klen > DS_LABEL_KEY_MAX)
		return "label key longer than 317 bytes";
	if ((slash = strchr(key, '/')) != NULL) {
		if (!prefix_ok(key, (size_t)(slash - key)))
			return "bad label key prefix (a DNS subdomain "
			    "of at most 253 bytes)";
		if (!name_ok(slash + 1, strlen(slash + 1)))
			return "bad label key name (1..63 of [A-Za-z0-9._-], "
			    "alphanumeric at both ends)";
	} else if (!name_ok(key, klen)) {
		return "bad label key (1..63 of [A-Za-z0-9._-], "
		    "alphanumeric at both ends)";
	}
	if (vlen > DS_LABEL_VALUE_MAX)
		return "label value longer than 63 bytes";
	if (vlen > 0 && !name_ok(value, vlen))
		return "bad label value (empty, or 1..63 of [A-Za-z0-9._-], "
		    "alphanumeric at both ends)";
	return NULL;
}

static int
kv_cmp(const void *a, const void *b)
{
	return strcmp(((const struct selector_label *)a)->key,
	    ((const struct selector_label *)b)->key);
}

/* One block: the checked labels sorted, a NULL end, then the strings. */
static struct selector_label *
labels_copy(const struct selector_label *kv, size_t n, const char **why)
{
	struct selector_label *v;
	size_t bytes = 0;
	char *s;

	if (n > DS_LABELS_MAX) {
		*why = "more than 64 labels";
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if ((*why = ds_label_check(kv[i].key, kv[i].value)) != NULL)
			return NULL;
		bytes += strlen(kv[i].key) + strlen(kv[i].value) + 2;
	}
	v = xmalloc((n + 1) * sizeof(*v) + bytes);
	s = (char *)(v + n + 1);
	for (size_t i = 0; i < n; i++) {
		size_t kl = strlen(kv[i].key) + 1, vl = strlen(kv[i].value) + 1;

		v[i].key = memcpy(s, kv[i].key, kl);
		v[i].value = memcpy(s + kl, kv[i].value, vl);
		s += kl + vl;
	}
	v[n].key = v[n].value = NULL;
	qsort(v, n, sizeof(*v), kv_cmp);
	for (size_t i = 1; i < n; i++) {
		if (strcmp(v[i - 1].key, v[i].key) == 0) {
			free(v);
			*why = "a label key given twice";
			return NULL;
		}
	}
	return v;
}

static struct ds_mlabels *
find(const struct ds_model *m, const char *node)
{
	struct ds_mlabels key;

	if (node == NULL || memchr(node, '\0', DS_NAME_MAX) == NULL)
		return NULL;
	memcpy(key.node, node, strlen(node) + 1);
	return RB_FIND(ds_mlabels_tree, (struct ds_mlabels_tree *)&m->labels,
	    &key);
}

void
ds_labels_del(struct ds_model *m, const char *node)
{
	struct ds_mlabels *e;

	if ((e = find(m, node)) == NULL)
		return;
	RB_REMOVE(ds_mlabels_tree, &m->labels, e);
	free(e->kv);
	free(e);
}

int
ds_model_labels_set(struct ds_model *m, const char *node,
    const struct selector_label *kv, size_t n, const char **why)
{
	struct selector_label *v = NULL;
	struct ds_mlabels *e;

	*why = NULL;
	ds_labels_del(m, node);
	m->dirty |= DS_DIRTY_PEERS;	/* selectors match them */
	if (ds_model_node_get(m, node) == NULL) {
		*why = "no such node";
		return -1;
	}
	if (n == 0)
		return 0;
	if ((v = labels_copy(kv, n, why)) == NULL)
		return -1;
	e = xcalloc(1, sizeof(*e));
	memcpy(e->node, node, strlen(node) + 1);
	e->n = n;
	e->kv = v;
	RB_INSERT(ds_mlabels_tree, &m->labels, e);
	return 0;
}

const struct selector_label *
ds_model_labels(const struct ds_model *m, const char *node, size_t *n)
{
	const struct ds_mlabels *e;

	*n = 0;
	if (ds_model_node_get(m, node) == NULL)
		return NULL;
	if ((e = find(m, node)) == NULL)
		return none;
	*n = e->n;
	return e->kv;
}

void
ds_model_labels_selector(const struct ds_model *m, const char *node,
    struct selector_labels *sl)
{
	const struct selector_label *kv;
	size_t n;

	if ((kv = ds_model_labels(m, node, &n)) == NULL)
		kv = none;
	sl->get = selector_labels_kv;
	sl->arg = (void *)(uintptr_t)kv;	/* selector_labels_kv reads only */
}

void
ds_labels_clear(struct ds_model *m)
{
	struct ds_mlabels *e, *e2;

	RB_FOREACH_SAFE(e, ds_mlabels_tree, &m->labels, e2) {
		RB_REMOVE(ds_mlabels_tree, &m->labels, e);
		free(e->kv);
		free(e);
	}
}

void
ds_labels_take(struct ds_model *dst, struct ds_model *src)
{
	ds_labels_clear(dst);
	dst->labels = src->labels;
	RB_INIT(&src->labels);
}
