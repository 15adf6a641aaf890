/*
 * etcd_v3.c: the etcd v3 protocol through etcd's JSON gateway (Calico 3.x).
 *
 * Owns the v3 requests and answers: the list is POST /v3/kv/range per key
 * range, paginated (ETCD_PAGE keys, next page from the last key + "\0"),
 * every page and range at the revision of the first answer, so the list is
 * one snapshot; the watch is one streaming POST /v3/watch per range, each
 * from the revision that range has seen + 1 (progress notifications move it
 * on). A stream is a sequence of JSON objects cut anywhere by the network; each
 * complete object is applied at once and each chunk of the stream ends in
 * one commit, so changes apply within the same loop iteration. Keys and
 * values are base64 (RFC 4648) in both directions. A cancel with
 * compact_revision means the resume point is gone: list again. Every POST
 * carries Grpc-Metadata-hasleader (etcd.c), so a member without a leader
 * refuses reads and cancels watches ("etcdserver: no leader"); the health
 * probe is a linearizable range of one key (limit 1, keys only). It must
 * not touch the live model while listing (etcd.c hands the list over).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etcd.h"
#include "log.h"
#include "xmalloc.h"

/* --- base64 -------------------------------------------------------------- */

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *
etcd_b64_encode(const char *p, size_t n)
{
	const uint8_t *s = (const uint8_t *)p;
	char *out = xmalloc((n + 2) / 3 * 4 + 1), *o = out;
	uint32_t v;

	for (size_t i = 0; i < n; i += 3) {
		v = (uint32_t)s[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		*o++ = b64[v >> 18 & 63];
		*o++ = b64[v >> 12 & 63];
		*o++ = i + 1 < n ? b64[v >> 6 & 63] : '=';
		*o++ = i + 2 < n ? b64[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

static int
b64_val(char c)
{
	const char *p = c != '\0' ? strchr(b64, c) : NULL;

	return p != NULL ? (int)(p - b64) : -1;
}

/* Strict: a multiple of 4, padding only at the end. out is NUL-ended. */
int
etcd_b64_decode(const char *s, size_t n, char **out, size_t *outlen)
{
	uint8_t *o;
	size_t len = 0;
	int v[4] = { 0, 0, 0, 0 };

	*out = NULL;
	if (n % 4 != 0)
		return -1;
	o = xmalloc(n / 4 * 3 + 1);
	for (size_t i = 0; i < n; i += 4) {
		int pad = (s[i + 3] == '=') + (s[i + 2] == '=' &&
		    s[i + 3] == '=');

		if (pad > 0 && i + 4 != n)
			goto bad;
		for (int j = 0; j < 4 - pad; j++)
			if ((v[j] = b64_val(s[i + (size_t)j])) == -1)
				goto bad;
		o[len++] = (uint8_t)(v[0] << 2 | v[1] >> 4);
		if (pad < 2)
			o[len++] = (uint8_t)((v[1] & 15) << 4 | v[2] >> 2);
		if (pad < 1)
			o[len++] = (uint8_t)((v[2] & 3) << 6 | v[3]);
	}
	o[len] = '\0';
	*out = (char *)o;
	*outlen = len;
	return 0;
bad:
	free(o);
	return -1;
}

/* A base64 member of an object; absent: empty. */
static int
json_b64(const struct json_object *o, const char *path, char **out,
    size_t *len)
{
	const char *s;

	if (ds_json_string(o, path, &s) == -1)
		return -1;
	if (s == NULL)
		s = "";
	return etcd_b64_decode(s, strlen(s), out, len);
}

/* --- the list ------------------------------------------------------------ */

/* "key":"..","range_end":"..": a prefix range from key (or its start). */
static char *
range_json(const struct ds_etcd *e, size_t k, const char *key, size_t klen)
{
	const char *r = ds_calico_range(e->cal, k);
	const char *re = ds_calico_range_end(e->cal, k);
	size_t rl = strlen(r), len;
	char *end, *bk, *be, *out;

	if (re != NULL) {
		end = xstrdup(re);
	} else {
		end = xmemdup(r, rl + 1);
		end[rl - 1]++;		/* "/calico/x/" -> "/calico/x0" */
	}
	bk = key != NULL ? etcd_b64_encode(key, klen) :
	    etcd_b64_encode(r, rl);
	be = etcd_b64_encode(end, strlen(end));
	len = strlen(bk) + strlen(be) + 32;
	out = xmalloc(len);
	snprintf(out, len, "\"key\":\"%s\",\"range_end\":\"%s\"", bk, be);
	free(end);
	free(bk);
	free(be);
	return out;
}

static void range_done(struct etcd_req *, long, const char *);

static const struct etcd_req_ops range_ops = {
	.timeout_ms = ETCD_REQUEST_MS,
	.done = range_done,
};

static void
range_next(struct ds_etcd *e)
{
	struct etcd_v3 *v = &e->v3;
	char *rj, *body;
	size_t len;

	rj = range_json(e, v->list_range, v->list_key, v->list_klen);
	len = strlen(rj) + 96;
	body = xmalloc(len);
	if (v->list_rev > 0)
		snprintf(body, len, "{%s,\"limit\":%d,\"revision\":"
		    "%" PRId64 "}", rj, ETCD_PAGE, v->list_rev);
	else
		snprintf(body, len, "{%s,\"limit\":%d}", rj, ETCD_PAGE);
	etcd_request(e, "/v3/kv/range", body, &range_ops, v->list_range,
	    ETCD_BODY_MAX);
	free(rj);
	free(body);
}

static void
v3_list(struct ds_etcd *e)
{
	e->v3.list_rev = 0;
	e->v3.list_range = 0;
	free(e->v3.list_key);
	e->v3.list_key = NULL;
	range_next(e);
}

/* An error answer: {"error":"..","message":"..","code":N}. */
static void
error_answer(struct ds_etcd *e, const struct etcd_req *req, long status,
    const char *why)
{
	struct json_object *o = NULL;
	const char *msg = NULL, *err;
	char buf[200];

	if (status != 0 && (o = ds_json_parse(req->body, req->len,
	    DS_JSON_DEPTH_ENVELOPE, &err)) != NULL &&
	    (ds_json_string(o, "message", &msg) == -1 || msg == NULL))
		(void)ds_json_string(o, "error.message", &msg);
	if (status != 0)
		snprintf(buf, sizeof(buf), "%s: HTTP %ld%s%.120s", req->path,
		    status, msg != NULL ? ": " : "", msg != NULL ? msg : "");
	else
		snprintf(buf, sizeof(buf), "%s: %.150s", req->path, why);
	if (msg != NULL && strstr(msg, "compacted") != NULL)
		etcd_compacted(e, buf);
	else
		etcd_fail(e, buf);
	ds_json_free(o);
}

/* The page's keys into the fresh model; the last key for the next page. */
static int
range_kvs(struct ds_etcd *e, const struct json_object *kvs, char **last,
    size_t *lastlen)
{
	size_t n = ds_json_array_len(kvs), klen, vlen;
	char *k, *val;

	if (etcd_list_count(e, n) == -1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct json_object *kv = ds_json_array_at(kvs, i);

		if (json_b64(kv, "key", &k, &klen) == -1)
			return -1;
		if (json_b64(kv, "value", &val, &vlen) == -1) {
			free(k);
			return -1;
		}
		etcd_list_put(e, k, klen, val, vlen);
		free(val);
		free(*last);
		*last = k;
		*lastlen = klen;
	}
	return 0;
}

/* After a page: the same range from its last key + "\0", or the next. */
static void
range_advance(struct ds_etcd *e, bool more, const char *last,
    size_t lastlen)
{
	struct etcd_v3 *v = &e->v3;
	char what[64];

	free(v->list_key);
	v->list_key = NULL;
	if (more && last != NULL) {
		v->list_key = xmalloc(lastlen + 1);
		memcpy(v->list_key, last, lastlen);
		v->list_key[lastlen] = '\0';
		v->list_klen = lastlen + 1;
	} else if (++v->list_range == ds_calico_nranges(e->cal)) {
		for (size_t k = 0; k < DS_CALICO_MAX_RANGES; k++)
			v->rev[k] = v->list_rev;
		snprintf(what, sizeof(what), "revision %" PRId64, v->list_rev);
		etcd_list_done(e, what);
		return;
	}
	range_next(e);
}

static void
range_done(struct etcd_req *req, long status, const char *why)
{
	struct ds_etcd *e = req->e;
	struct json_object *o;
	int64_t rev;
	bool more;
	char *last = NULL;
	size_t lastlen = 0;
	const char *err;

	if (status != 200) {
		error_answer(e, req, status, why);
		return;
	}
	if ((o = ds_json_parse(req->body, req->len, DS_JSON_DEPTH_ENVELOPE,
	    &err)) == NULL || ds_json_int64(o, "header.revision", 0, &rev) ==
	    -1 || rev <= 0 || ds_json_bool(o, "more", false, &more) == -1 ||
	    range_kvs(e, ds_json_get(o, "kvs"), &last, &lastlen) == -1) {
		if (e->pending == ETCD_PEND_NONE)
			etcd_fail(e, "malformed /v3/kv/range answer");
		ds_json_free(o);
		free(last);
		return;
	}
	ds_json_free(o);
	if (e->v3.list_rev == 0)
		e->v3.list_rev = rev;
	range_advance(e, more, last, lastlen);
	free(last);
}

/* --- the watch streams --------------------------------------------------- */

static int watch_data(struct etcd_req *, const char *, size_t);
static void watch_done(struct etcd_req *, long, const char *);

static const struct etcd_req_ops watch_ops = {
	.data = watch_data,
	.done = watch_done,
};

/*
 * One streaming request per range, each with one create_request: etcd
 * 3.4's gateway does not reliably create every watch of a request body
 * that carries several (seen here: two of five created).
 */
static void
v3_watch(struct ds_etcd *e)
{
	struct etcd_v3 *v = &e->v3;
	size_t n = ds_calico_nranges(e->cal), len;
	char *rj, *body;

	v->ncreated = 0;
	for (size_t k = 0; k < n; k++) {
		if (v->stream[k].tok == NULL)
			ds_json_stream_init(&v->stream[k],
			    DS_JSON_DEPTH_ENVELOPE, ETCD_MSG_MAX);
		ds_json_stream_reset(&v->stream[k]);
		rj = range_json(e, k, NULL, 0);
		len = strlen(rj) + 128;
		body = xmalloc(len);
		snprintf(body, len, "{\"create_request\":{%s,"
		    "\"start_revision\":%" PRId64 ",\"progress_notify\":true}}",
		    rj,
		    v->rev[k] + 1);
		etcd_request(e, "/v3/watch", body, &watch_ops, k,
		    ETCD_MSG_MAX);
		free(rj);
		free(body);
	}
}

/* One event: PUT (type absent) or DELETE, into the live model. */
static int
watch_event(struct ds_etcd *e, size_t k, const struct json_object *ev)
{
	const char *type;
	char *key, *val;
	size_t klen, vlen;
	int64_t mod;

	if (ds_json_string(ev, "type", &type) == -1 ||
	    ds_json_int64(ev, "kv.mod_revision", 0, &mod) == -1 ||
	    json_b64(ev, "kv.key", &key, &klen) == -1)
		return -1;
	if (json_b64(ev, "kv.value", &val, &vlen) == -1) {
		free(key);
		return -1;
	}
	if (type != NULL && strcmp(type, "DELETE") == 0)
		ds_calico_del(e->cal, e->model, key, klen);
	else if (type == NULL || strcmp(type, "PUT") == 0)
		ds_calico_put(e->cal, e->model, key, klen, val, vlen);
	if (mod > e->v3.rev[k])
		e->v3.rev[k] = mod;
	e->v3.dirty = true;
	free(key);
	free(val);
	return 0;
}

static int
watch_created(struct ds_etcd *e, size_t k)
{
	struct etcd_v3 *v = &e->v3;
	char what[64];

	v->ncreated++;
	log_dbg(LOG_D_EVENTS, "datastore: etcdv3: watch on %s created from "
	    "revision %" PRId64, ds_calico_range(e->cal, k), v->rev[k] + 1);
	if (v->ncreated == ds_calico_nranges(e->cal)) {
		snprintf(what, sizeof(what), "watching from revision %" PRId64,
		    v->rev[0] + 1);
		etcd_connected(e, what);
	}
	return 0;
}

static int
watch_canceled(struct ds_etcd *e, const struct json_object *res)
{
	int64_t crev = 0;
	const char *reason = NULL;
	char buf[200];

	(void)ds_json_int64(res, "compact_revision", 0, &crev);
	(void)ds_json_string(res, "cancel_reason", &reason);
	if (crev > 0) {
		snprintf(buf, sizeof(buf), "watch resume point compacted "
		    "(etcd keeps revisions from %" PRId64 ")", crev);
		etcd_compacted(e, buf);
	} else {
		snprintf(buf, sizeof(buf), "watch canceled: %.150s",
		    reason != NULL ? reason : "no reason given");
		etcd_fail(e, buf);
	}
	return -1;
}

/* {"error":{"grpc_code":14,"message":"..",...}} or something else. */
static int
watch_error(struct ds_etcd *e, const struct json_object *o)
{
	const char *msg = NULL;
	char buf[200];

	if (ds_json_get(o, "error") == NULL) {
		etcd_fail(e, "malformed watch answer");
		return -1;
	}
	(void)ds_json_string(o, "error.message", &msg);
	snprintf(buf, sizeof(buf), "watch error: %.150s",
	    msg != NULL ? msg : "(no message)");
	etcd_fail(e, buf);
	return -1;
}

/*
 * One object of range k's stream: {"result":{...}} or {"error":{...}}. A
 * result without events is a progress notification: everything up to its
 * revision was sent.
 */
static int
watch_msg(void *arg, struct json_object *o)
{
	struct etcd_req *req = arg;
	struct ds_etcd *e = req->e;
	const struct json_object *res = ds_json_get(o, "result"), *evs;
	bool created, canceled;
	int64_t rev;
	size_t n;

	etcd_heard(e, req->range);
	if (!ds_json_is_object(res) ||
	    ds_json_bool(res, "created", false, &created) == -1 ||
	    ds_json_bool(res, "canceled", false, &canceled) == -1 ||
	    ds_json_int64(res, "header.revision", 0, &rev) == -1)
		return watch_error(e, o);
	if (canceled)
		return watch_canceled(e, res);
	if (created)
		return watch_created(e, req->range);
	evs = ds_json_get(res, "events");
	if ((n = ds_json_array_len(evs)) == 0 && rev > e->v3.rev[req->range])
		e->v3.rev[req->range] = rev;
	for (size_t i = 0; i < n; i++) {
		if (watch_event(e, req->range, ds_json_array_at(evs, i)) ==
		    -1) {
			etcd_fail(e, "malformed watch event");
			return -1;
		}
	}
	return 0;
}

/* A piece of one stream: every complete object, then one commit. */
static int
watch_data(struct etcd_req *req, const char *p, size_t n)
{
	struct ds_etcd *e = req->e;
	const char *why;
	int rc;

	e->v3.dirty = false;
	rc = ds_json_stream_feed(&e->v3.stream[req->range], p, n, watch_msg,
	    req, &why);
	if (e->v3.dirty)
		etcd_commit(e);
	if (rc == -1 && e->pending == ETCD_PEND_NONE)
		etcd_fail(e, why != NULL ? why : "bad watch stream");
	return rc;
}

static void
watch_done(struct etcd_req *req, long status, const char *why)
{
	if (req->e->pending != ETCD_PEND_NONE)
		return;
	if (status == 200)
		etcd_fail(req->e, "the watch stream ended");
	else
		error_answer(req->e, req, status, why);
}

/* --- the health probe --------------------------------------------------- */

/* One key (the node's own affinity prefix, never a key), linearizable. */
static char *
v3_probe(const struct ds_etcd *e, char **post)
{
	const char *r = ds_calico_range(e->cal, ds_calico_nranges(e->cal) - 1);
	char *bk = etcd_b64_encode(r, strlen(r));
	size_t len = strlen(bk) + 80;

	*post = xmalloc(len);
	snprintf(*post, len, "{\"key\":\"%s\",\"limit\":1,\"keys_only\":true,"
	    "\"serializable\":false}", bk);
	free(bk);
	return xstrdup("/v3/kv/range");
}

static void
v3_fini(struct ds_etcd *e)
{
	for (size_t k = 0; k < DS_CALICO_MAX_RANGES; k++)
		ds_json_stream_fini(&e->v3.stream[k]);
	free(e->v3.list_key);
	e->v3.list_key = NULL;
}

const struct etcd_proto etcd_v3_proto = {
	.name = "etcdv3",
	.list = v3_list,
	.watch = v3_watch,
	.probe = v3_probe,
	.probe_404 = false,
	.progress = true,
	.fini = v3_fini,
};
