/*
 * etcd_v2.c: the etcd v2 keys API (Calico 2.x, etcd 3.4 --enable-v2).
 *
 * Owns the v2 requests and answers: the list is one recursive, quorum GET
 * per key range (a tree of nodes; X-Etcd-Index says how far it reaches);
 * the watch is one long poll per range, GET ?wait=true&recursive=true&
 * waitIndex=<seen + 1>, which answers with one event; the next poll starts
 * after it. Each event is committed at once. etcd keeps only the last 1000
 * events: a waitIndex older than that is answered with errorCode 401
 * ("event index cleared"), and a deleted directory (a node removed with
 * all its keys) would need every key below it: both lead to a re-list,
 * which applies only the difference. The health probe is a quorum GET of
 * the node's own affinity directory (404 when it has none: healthy too);
 * v2 has no leader check of its own, so a member without a leader is
 * found by that probe timing out. It must not touch the live model while
 * listing.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etcd.h"
#include "log.h"
#include "xmalloc.h"

#define V2_ERR_NOT_FOUND	100	/* "Key not found" */
/* "The event in requested index is outdated and cleared" */
#define V2_ERR_CLEARED		401
#define V2_TREE_DEPTH		30

/* /v2/keys + the range without its '/', percent-encoded; then query. */
static char *
v2_path(const struct ds_etcd *e, size_t k, const char *query)
{
	const char *r = ds_calico_range(e->cal, k);
	size_t rl = strlen(r), cap = rl * 3 + strlen(query) + 16, off;
	char *out = xmalloc(cap);

	off = (size_t)snprintf(out, cap, "/v2/keys");
	for (size_t i = 0; i + 1 < rl; i++) {
		unsigned char c = (unsigned char)r[i];

		if (isalnum(c) || strchr("/-._~", c) != NULL)
			out[off++] = (char)c;
		else
			off += (size_t)snprintf(out + off, cap - off, "%%%02X",
			    c);
	}
	snprintf(out + off, cap - off, "?%s", query);
	return out;
}

/* The errorCode of an error answer, or 0. */
static int64_t
error_code(const struct etcd_req *req, int64_t *index)
{
	struct json_object *o;
	const char *why;
	int64_t code = 0;

	*index = -1;
	if ((o = ds_json_parse(req->body, req->len, DS_JSON_DEPTH_ENVELOPE,
	    &why)) == NULL)
		return 0;
	(void)ds_json_int64(o, "errorCode", 0, &code);
	(void)ds_json_int64(o, "index", -1, index);
	ds_json_free(o);
	return code;
}

static void
v2_fail(struct ds_etcd *e, const struct etcd_req *req, long status,
    const char *why)
{
	char buf[200];

	if (status != 0)
		snprintf(buf, sizeof(buf), "%.100s: HTTP %ld", req->path,
		    status);
	else
		snprintf(buf, sizeof(buf), "%.100s: %.90s", req->path, why);
	etcd_fail(e, buf);
}

/* --- the list ------------------------------------------------------------ */

static void list_done(struct etcd_req *, long, const char *);

static const struct etcd_req_ops list_ops = {
	.timeout_ms = ETCD_REQUEST_MS,
	.done = list_done,
};

static void
list_next(struct ds_etcd *e)
{
	char *path = v2_path(e, e->v2.list_range, "recursive=true&quorum=true");

	etcd_request(e, path, NULL, &list_ops, e->v2.list_range,
	    ETCD_BODY_MAX);
	free(path);
}

static void
v2_list(struct ds_etcd *e)
{
	e->v2.list_range = 0;
	list_next(e);
}

/* Every leaf of a v2 node tree into the fresh model. */
static int
walk(struct ds_etcd *e, const struct json_object *n, int depth)
{
	const struct json_object *kids;
	const char *key, *val;
	bool dir;
	size_t nk;

	if (depth > V2_TREE_DEPTH || !ds_json_is_object(n) ||
	    ds_json_bool(n, "dir", false, &dir) == -1 ||
	    ds_json_string(n, "key", &key) == -1 || key == NULL)
		return -1;
	if (!dir) {
		if (ds_json_string(n, "value", &val) == -1 ||
		    etcd_list_count(e, 1) == -1)
			return -1;
		etcd_list_put(e, key, strlen(key), val != NULL ? val : "",
		    val != NULL ? strlen(val) : 0);
		return 0;
	}
	kids = ds_json_get(n, "nodes");
	nk = ds_json_array_len(kids);
	for (size_t i = 0; i < nk; i++)
		if (walk(e, ds_json_array_at(kids, i), depth + 1) == -1)
			return -1;
	return 0;
}

static int
list_body(struct ds_etcd *e, const struct etcd_req *req)
{
	struct json_object *o;
	const char *why;
	int rc;

	if ((o = ds_json_parse(req->body, req->len, DS_JSON_DEPTH_ENVELOPE,
	    &why)) == NULL)
		return -1;
	rc = walk(e, ds_json_get(o, "node"), 0);
	ds_json_free(o);
	return rc;
}

static void
list_done(struct etcd_req *req, long status, const char *why)
{
	struct ds_etcd *e = req->e;
	int64_t idx = req->index, jidx;
	char what[64];

	if (status == 404 && error_code(req, &jidx) == V2_ERR_NOT_FOUND) {
		if (idx < 0)
			idx = jidx;		/* an empty range */
	} else if (status != 200) {
		v2_fail(e, req, status, why);
		return;
	} else if (list_body(e, req) == -1) {
		if (e->pending == ETCD_PEND_NONE)
			etcd_fail(e, "malformed v2 list answer");
		return;
	}
	if (idx < 0) {
		etcd_fail(e, "v2 answer without X-Etcd-Index");
		return;
	}
	e->v2.index[req->range] = idx;
	if (++e->v2.list_range < ds_calico_nranges(e->cal)) {
		list_next(e);
		return;
	}
	snprintf(what, sizeof(what), "index %" PRId64, idx);
	etcd_list_done(e, what);
}

/* --- the long polls ------------------------------------------------------ */

static void wait_headers(struct etcd_req *);
static void wait_done(struct etcd_req *, long, const char *);

static const struct etcd_req_ops wait_ops = {
	.headers = wait_headers,
	.done = wait_done,
};

static void
wait_start(struct ds_etcd *e, size_t k)
{
	char q[128], *path;

	snprintf(q, sizeof(q), "wait=true&recursive=true&waitIndex=%" PRId64,
	    e->v2.index[k] + 1);
	path = v2_path(e, k, q);
	etcd_request(e, path, NULL, &wait_ops, k, ETCD_V2_EVENT_MAX);
	free(path);
}

static void
v2_watch(struct ds_etcd *e)
{
	for (size_t k = 0; k < ds_calico_nranges(e->cal); k++)
		wait_start(e, k);
}

/* etcd flushes the headers of a long poll at once: it is listening. */
static void
wait_headers(struct etcd_req *req)
{
	char what[64];

	if (req->status != 200)
		return;
	snprintf(what, sizeof(what), "waiting from index %" PRId64,
	    req->e->v2.index[req->range] + 1);
	etcd_connected(req->e, what);
}

static bool
is_delete(const char *action)
{
	return strcmp(action, "delete") == 0 || strcmp(action, "expire") ==
	    0 || strcmp(action, "compareAndDelete") == 0;
}

/* {"action":"set","node":{"key":..,"value":..,"modifiedIndex":N},..} */
static int
apply_event(struct ds_etcd *e, const struct json_object *o, size_t k)
{
	const char *action, *key, *val;
	int64_t mod;
	bool dir;

	if (ds_json_string(o, "action", &action) == -1 || action == NULL ||
	    ds_json_string(o, "node.key", &key) == -1 || key == NULL ||
	    ds_json_string(o, "node.value", &val) == -1 ||
	    ds_json_bool(o, "node.dir", false, &dir) == -1 ||
	    ds_json_int64(o, "node.modifiedIndex", 0, &mod) == -1 || mod <= 0)
		return -1;
	if (mod > e->v2.index[k])
		e->v2.index[k] = mod;
	if (dir && is_delete(action)) {
		etcd_relist(e, "a directory was deleted");
		return 0;
	}
	if (dir)
		return 0;
	if (is_delete(action))
		ds_calico_del(e->cal, e->model, key, strlen(key));
	else if (strcmp(action, "get") != 0)
		ds_calico_put(e->cal, e->model, key, strlen(key),
		    val != NULL ? val : "", val != NULL ? strlen(val) : 0);
	etcd_commit(e);
	return 0;
}

static void
wait_event(struct ds_etcd *e, const struct etcd_req *req)
{
	struct json_object *o;
	const char *why;
	size_t i;

	for (i = 0; i < req->len && isspace((unsigned char)req->body[i]); i++)
		;
	if (i < req->len) {
		if ((o = ds_json_parse(req->body, req->len,
		    DS_JSON_DEPTH_ENVELOPE, &why)) == NULL ||
		    apply_event(e, o, req->range) == -1) {
			ds_json_free(o);
			etcd_fail(e, "malformed v2 event");
			return;
		}
		ds_json_free(o);
	}
	if (e->pending == ETCD_PEND_NONE)
		wait_start(e, req->range);
}

static void
wait_done(struct etcd_req *req, long status, const char *why)
{
	struct ds_etcd *e = req->e;
	int64_t idx;

	if (e->pending != ETCD_PEND_NONE)
		return;
	if (status == 200) {
		wait_event(e, req);
		return;
	}
	if (status != 0 && error_code(req, &idx) == V2_ERR_CLEARED) {
		etcd_compacted(e, "event index cleared (more than 1000 "
		    "events since the last one seen)");
		return;
	}
	v2_fail(e, req, status, why);
}

/* A quorum (linearizable) GET of the node's own affinity directory. */
static char *
v2_probe(const struct ds_etcd *e, char **post)
{
	*post = NULL;
	return v2_path(e, ds_calico_nranges(e->cal) - 1, "quorum=true");
}

static void
v2_fini(struct ds_etcd *e)
{
	(void)e;
}

const struct etcd_proto etcd_v2_proto = {
	.name = "etcdv2",
	.list = v2_list,
	.watch = v2_watch,
	.probe = v2_probe,
	.probe_404 = true,
	.progress = false,
	.fini = v2_fini,
};
