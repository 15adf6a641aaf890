/*
 * etcd.c: the etcd backend's transport and sync cycle (see etcd.h).
 *
 * Owns the libcurl multi handle and its libevent glue (curl's hiperfifo.c
 * pattern: CURLMOPT_SOCKETFUNCTION puts each socket in the loop,
 * CURLMOPT_TIMERFUNCTION arms one timer, curl_multi_socket_action runs on
 * their events; curl_easy_perform is never called), every request in
 * flight, the endpoints and their fail-over with jittered, capped
 * exponential backoff, the health probe that leaves a hung or leaderless
 * member (timing and defaults in etcd.h), the state logged once per change
 * (connected / lost / resumed), and the hand-over of a finished list into
 * the live model. It must not block, tear a request down from inside a curl
 * callback, or touch the live model when etcd fails: only etcd's own
 * answers change the cluster view.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/event.h>

#include "curl_dl.h"
#include "etcd.h"
#include "log.h"
#include "num.h"
#include "timer.h"
#include "xmalloc.h"

#define ETCD_KEEPIDLE	5	/* TCP keepalive: a dead peer found in */
#define ETCD_KEEPINTVL	2	/* about 5 + 3 x 2 seconds */
#define ETCD_KEEPCNT	3

/* A socket curl asked us to watch. */
struct etcd_sock {
	TAILQ_ENTRY(etcd_sock)	 entry;
	struct event		*ev;
};

static unsigned curl_users;	/* started backends (curl_global_*) */

const char *
etcd_endpoint(const struct ds_etcd *e)
{
	return e->nendpoints > 0 ? e->endpoints[e->ep] : "(none)";
}

/* --- libcurl on libevent ------------------------------------------------- */

static void
check_done(struct ds_etcd *e)
{
	struct etcd_req *req;
	CURLMsg *msg;
	CURLcode rc;
	long status;
	int left;

	while ((msg = cu.multi_info_read(e->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		rc = msg->data.result;
		req = NULL;
		status = 0;
		cu.easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &req);
		cu.easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE,
		    &status);
		if (req == NULL)
			continue;
		if (rc != CURLE_OK)
			etcd_req_finish(req, 0, req->errbuf[0] != '\0' ?
			    req->errbuf : cu.easy_strerror(rc));
		else
			etcd_req_finish(req, status, NULL);
	}
}

static void
sock_ev_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ds_etcd *e = arg;
	int running, action = 0;

	if (what & EV_READ)
		action |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		action |= CURL_CSELECT_OUT;
	cu.multi_socket_action(e->multi, fd, action, &running);
	check_done(e);
}

static int
curl_sock_cb(CURL *easy, curl_socket_t s, int what, void *userp,
    void *socketp)
{
	struct ds_etcd *e = userp;
	struct etcd_sock *sk = socketp;
	short kind = EV_PERSIST;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (sk != NULL) {
			TAILQ_REMOVE(&e->socks, sk, entry);
			event_free(sk->ev);
			free(sk);
		}
		return 0;
	}
	if (what & CURL_POLL_IN)
		kind |= EV_READ;
	if (what & CURL_POLL_OUT)
		kind |= EV_WRITE;
	if (sk == NULL) {
		sk = xcalloc(1, sizeof(*sk));
		TAILQ_INSERT_TAIL(&e->socks, sk, entry);
		cu.multi_assign(e->multi, s, sk);
	} else {
		event_free(sk->ev);
	}
	if ((sk->ev = event_new(e->base, s, kind, sock_ev_cb, e)) == NULL ||
	    event_add(sk->ev, NULL) == -1)
		fatalx("datastore: etcd: event_new");
	return 0;
}

static void
curl_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ds_etcd *e = arg;
	int running;

	(void)fd;
	(void)what;
	cu.multi_socket_action(e->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(e);
}

static int
curl_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct ds_etcd *e = userp;

	(void)multi;
	if (timeout_ms < 0)
		timer_stop(e->ev_curl);
	else
		timer_arm_ms(e->ev_curl, timeout_ms > 3600000 ? 3600000 :
		    (unsigned)timeout_ms);
	return 0;
}

/* --- one request --------------------------------------------------------- */

static size_t
curl_write_cb(char *p, size_t size, size_t n, void *arg)
{
	return etcd_req_feed(arg, p, size * n) == 0 ? size * n : 0;
}

/* Status lines, X-Etcd-Index, and the blank line that ends the headers. */
static size_t
curl_header_cb(char *p, size_t size, size_t n, void *arg)
{
	struct etcd_req *req = arg;
	size_t len = size * n;
	char line[128];
	uint64_t v;

	if (len >= sizeof(line))
		return len;
	memcpy(line, p, len);
	line[len] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	if (strncmp(line, "HTTP/", 5) == 0 && strchr(line, ' ') != NULL) {
		req->status = strtol(strchr(line, ' ') + 1, NULL, 10);
		req->index = -1;
		req->in_headers = true;
	} else if (strncasecmp(line, "X-Etcd-Index:", 13) == 0) {
		if (num_parse_u64(line + 13 + strspn(line + 13, " \t"),
		    &v) == 0 && v <= INT64_MAX)
			req->index = (int64_t)v;
	} else if (line[0] == '\0' && req->in_headers && req->status >= 200) {
		req->in_headers = false;
		etcd_req_headers(req, req->status, req->index);
	}
	return len;
}

/* TCP keepalive probes: a watch on a vanished host must not hang. */
static int
curl_sockopt_cb(void *arg, curl_socket_t fd, curlsocktype purpose)
{
	int cnt = ETCD_KEEPCNT;

	(void)arg;
	(void)purpose;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
	return CURL_SOCKOPT_OK;
}

static void
tls_opts(const struct ds_etcd *e, CURL *c)
{
	if (e->ca_file != NULL)
		cu.easy_setopt(c, CURLOPT_CAINFO, e->ca_file);
	if (e->cert_file != NULL)
		cu.easy_setopt(c, CURLOPT_SSLCERT, e->cert_file);
	if (e->key_file != NULL)
		cu.easy_setopt(c, CURLOPT_SSLKEY, e->key_file);
}

static void
easy_opts(struct etcd_req *req, CURL *c, unsigned timeout_ms)
{
	cu.easy_setopt(c, CURLOPT_PRIVATE, req);
	cu.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	cu.easy_setopt(c, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
	cu.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	cu.easy_setopt(c, CURLOPT_ERRORBUFFER, req->errbuf);
	cu.easy_setopt(c, CURLOPT_WRITEFUNCTION, curl_write_cb);
	cu.easy_setopt(c, CURLOPT_WRITEDATA, req);
	cu.easy_setopt(c, CURLOPT_HEADERFUNCTION, curl_header_cb);
	cu.easy_setopt(c, CURLOPT_HEADERDATA, req);
	cu.easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)ETCD_CONNECT_MS);
	cu.easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	cu.easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	cu.easy_setopt(c, CURLOPT_TCP_KEEPIDLE, (long)ETCD_KEEPIDLE);
	cu.easy_setopt(c, CURLOPT_TCP_KEEPINTVL, (long)ETCD_KEEPINTVL);
	cu.easy_setopt(c, CURLOPT_SOCKOPTFUNCTION, curl_sockopt_cb);
}

static int
req_start(struct ds_etcd *e, struct etcd_req *req)
{
	char url[ETCD_URL_MAX];
	struct curl_slist *h = NULL;
	CURL *c;

	snprintf(url, sizeof(url), "%s%s", etcd_endpoint(e), req->path);
	if ((c = cu.easy_init()) == NULL)
		return -1;
	req->easy = c;
	cu.easy_setopt(c, CURLOPT_URL, url);
	easy_opts(req, c, req->timeout_ms);
	tls_opts(e, c);
	if (req->post != NULL) {
		h = cu.slist_append(h, "Content-Type: application/json");
		h = cu.slist_append(h, "Expect:");
		/* the member answers only while it has a leader */
		h = cu.slist_append(h, "Grpc-Metadata-hasleader: true");
		cu.easy_setopt(c, CURLOPT_HTTPHEADER, h);
		cu.easy_setopt(c, CURLOPT_POSTFIELDSIZE,
		    (long)strlen(req->post));
		cu.easy_setopt(c, CURLOPT_POSTFIELDS, req->post);
	}
	req->hdrs = h;
	return cu.multi_add_handle(e->multi, c) == CURLM_OK ? 0 : -1;
}

static void
req_free(struct ds_etcd *e, struct etcd_req *req)
{
	if (e->probe == req)
		e->probe = NULL;
	if (req->easy != NULL) {
		cu.multi_remove_handle(e->multi, req->easy);
		cu.easy_cleanup(req->easy);
	}
	if (req->hdrs != NULL)		/* libcurl loaded when there are */
		cu.slist_free_all(req->hdrs);
	free(req->path);
	free(req->post);
	free(req->body);
	free(req);
}

static struct etcd_req *
request_new(struct ds_etcd *e, const char *path, const char *post,
    const struct etcd_req_ops *ops, size_t range, size_t max,
    unsigned timeout_ms)
{
	struct etcd_req *req = xcalloc(1, sizeof(*req));

	req->e = e;
	req->ops = ops;
	req->timeout_ms = timeout_ms;
	req->path = xstrdup(path);
	req->post = post != NULL ? xstrdup(post) : NULL;
	req->range = range;
	req->max = max;
	req->index = -1;
	TAILQ_INSERT_TAIL(&e->reqs, req, entry);
	if (e->multi != NULL && req_start(e, req) == -1)
		etcd_fail(e, "cannot start an HTTP request");
	return req;
}

struct etcd_req *
etcd_request(struct ds_etcd *e, const char *path, const char *post,
    const struct etcd_req_ops *ops, size_t range, size_t max)
{
	log_dbg(LOG_D_EVENTS, "datastore: etcd: %s %s%s", post ? "POST" :
	    "GET", etcd_endpoint(e), path);
	return request_new(e, path, post, ops, range, max, ops->timeout_ms);
}

void
etcd_req_headers(struct etcd_req *req, long status, int64_t idx)
{
	req->status = status;
	req->index = idx;
	if (req->ops->headers != NULL)
		req->ops->headers(req);
}

int
etcd_req_feed(struct etcd_req *req, const char *p, size_t n)
{
	size_t cap;

	if (req->abort_why != NULL)
		return -1;
	if (req->ops->data != NULL && req->status == 200) {
		if (req->ops->data(req, p, n) == -1) {
			if (req->abort_why == NULL)
				req->abort_why = "stream closed";
			return -1;
		}
		return 0;
	}
	if (n > req->max - req->len) {
		req->abort_why = "answer too large";
		return -1;
	}
	if (req->len + n + 1 > req->cap) {
		cap = req->cap ? req->cap : 4096;
		while (cap < req->len + n + 1)
			cap *= 2;
		req->body = xreallocarray(req->body, 1, cap);
		req->cap = cap;
	}
	memcpy(req->body + req->len, p, n);
	req->len += n;
	req->body[req->len] = '\0';
	return 0;
}

void
etcd_req_finish(struct etcd_req *req, long status, const char *why)
{
	struct ds_etcd *e = req->e;

	TAILQ_REMOVE(&e->reqs, req, entry);
	if (req->abort_why != NULL) {
		status = 0;
		why = req->abort_why;
	} else if (status == 0 && why == NULL) {
		why = "connection failed";
	}
	if (req->body == NULL)
		req->body = xcalloc(1, 1);
	req->ops->done(req, status, why);
	req_free(e, req);
}

static void
abort_all(struct ds_etcd *e)
{
	struct etcd_req *req;

	while ((req = TAILQ_FIRST(&e->reqs)) != NULL) {
		TAILQ_REMOVE(&e->reqs, req, entry);
		req_free(e, req);
	}
}

/* --- the sync cycle ------------------------------------------------------ */

static void
drop_fresh(struct ds_etcd *e)
{
	if (!e->listing)
		return;
	ds_model_fini(&e->fresh);
	ds_calico_free(e->fcal);
	e->fcal = NULL;
	e->listing = false;
}

static void
probe_arm(struct ds_etcd *e)
{
	if (e->ev_probe != NULL && !timer_running(e->ev_probe))
		timer_arm_ms_jitter(e->ev_probe, e->t.probe_interval_ms);
}

static void
probe_stop(struct ds_etcd *e)
{
	if (e->ev_probe != NULL)
		timer_stop(e->ev_probe);
}

static void
begin_list(struct ds_etcd *e)
{
	drop_fresh(e);
	ds_model_init(&e->fresh, e->model->self);
	e->fcal = ds_calico_fork(e->cal);
	e->listing = true;
	e->list_keys = 0;
	e->need_list = true;
	e->resuming = false;
	e->phase = ETCD_LISTING;
	probe_arm(e);
	e->proto->list(e);
}

static void
start_watch(struct ds_etcd *e)
{
	uint64_t now = timer_now_ms();

	for (size_t k = 0; k < NITEMS(e->heard_ms); k++)
		e->heard_ms[k] = now;
	e->phase = ETCD_WATCHING;
	probe_arm(e);
	e->proto->watch(e);
}

void
etcd_list_put(struct ds_etcd *e, const char *key, size_t klen,
    const char *val, size_t vlen)
{
	if (e->listing)
		ds_calico_put(e->fcal, &e->fresh, key, klen, val, vlen);
}

int
etcd_list_count(struct ds_etcd *e, size_t nkeys)
{
	e->list_keys += nkeys;
	if (e->list_keys <= ETCD_MAX_LIST_KEYS)
		return 0;
	etcd_fail(e, "more keys than ETCD_MAX_LIST_KEYS");
	return -1;
}

/* The whole list arrived: the live model takes it; only changes go out. */
void
etcd_list_done(struct ds_etcd *e, const char *what)
{
	if (!e->listing)
		return;
	ds_model_take(e->model, &e->fresh);
	ds_model_fini(&e->fresh);
	ds_calico_detach(e->fcal);
	ds_calico_free(e->cal);
	e->cal = e->fcal;
	e->fcal = NULL;
	e->listing = false;
	if (e->listed)
		ds_model_resync(e->model);
	e->listed = true;
	e->need_list = false;
	e->listed_ms = timer_now_ms();
	etcd_connected(e, what);
	ds_model_commit(e->model, e->ops, e->arg);
	start_watch(e);
}

void
etcd_connected(struct ds_etcd *e, const char *what)
{
	e->up_since_ms = timer_now_ms();
	if (e->up)
		return;
	e->up = true;
	e->down_logged = false;
	log_info("datastore: %s: connected to %s (%s%s)", e->proto->name,
	    etcd_endpoint(e), what, e->resuming ? ": resumed, no re-list" :
	    "");
	e->resuming = false;
}

void
etcd_heard(struct ds_etcd *e, size_t k)
{
	if (k < NITEMS(e->heard_ms))
		e->heard_ms[k] = timer_now_ms();
}

void
etcd_commit(struct ds_etcd *e)
{
	ds_model_commit(e->model, e->ops, e->arg);
}

static void
set_pending(struct ds_etcd *e, enum etcd_pending p, const char *why)
{
	if (e->pending >= p)
		return;
	e->pending = p;
	snprintf(e->pending_why, sizeof(e->pending_why), "%s", why);
	if (e->ev_kick != NULL)
		event_active(e->ev_kick, EV_TIMEOUT, 1);
}

void
etcd_fail(struct ds_etcd *e, const char *why)
{
	set_pending(e, ETCD_PEND_FAIL, why);
}

void
etcd_relist(struct ds_etcd *e, const char *why)
{
	if (e->pending < ETCD_PEND_RELIST)
		e->compacted = false;
	set_pending(e, ETCD_PEND_RELIST, why);
}

void
etcd_compacted(struct ds_etcd *e, const char *why)
{
	if (e->pending < ETCD_PEND_RELIST)
		e->compacted = true;
	set_pending(e, ETCD_PEND_RELIST, why);
}

unsigned
etcd_backoff_cap(unsigned min_ms, unsigned max_ms, unsigned n)
{
	unsigned ms = min_ms;

	for (unsigned i = 1; i < n && ms < max_ms; i++)
		ms = ms > UINT_MAX / 2 ? UINT_MAX : ms * 2;
	return ms < max_ms ? ms : max_ms;
}

unsigned
etcd_backoff_ms(unsigned n)
{
	return etcd_backoff_cap(ETCD_BACKOFF_MIN_MS, ETCD_BACKOFF_MAX_MS, n);
}

unsigned
etcd_backoff_jitter(unsigned cap_ms, uint32_t r)
{
	unsigned half = cap_ms / 2;

	return cap_ms - half + (unsigned)(r % ((uint64_t)half + 1));
}

static unsigned
or_default(unsigned v, unsigned dflt)
{
	return v != 0 ? v : dflt;
}

void
etcd_timing_fill(struct ds_etcd_timing *t)
{
	t->backoff_min_ms = or_default(t->backoff_min_ms, ETCD_BACKOFF_MIN_MS);
	t->backoff_max_ms = or_default(t->backoff_max_ms, ETCD_BACKOFF_MAX_MS);
	t->relist_min_ms = or_default(t->relist_min_ms, ETCD_RELIST_MIN_MS);
	t->relist_max_ms = or_default(t->relist_max_ms, ETCD_RELIST_MAX_MS);
	t->probe_interval_ms = or_default(t->probe_interval_ms, ETCD_PROBE_MS);
	t->probe_timeout_ms = or_default(t->probe_timeout_ms,
	    ETCD_PROBE_TIMEOUT_MS);
	t->watch_silence_ms = or_default(t->watch_silence_ms,
	    ETCD_SILENCE_MS);
	if (t->backoff_max_ms < t->backoff_min_ms)
		t->backoff_max_ms = t->backoff_min_ms;
	if (t->relist_max_ms < t->relist_min_ms)
		t->relist_max_ms = t->relist_min_ms;
}

/* Lost: keep the view, try the next endpoint after the backoff. */
static void
do_fail(struct ds_etcd *e, const char *why)
{
	unsigned ms;

	abort_all(e);
	drop_fresh(e);
	probe_stop(e);
	if (e->up && timer_now_ms() - e->up_since_ms >= ETCD_STABLE_MS)
		e->failures = 0;
	e->failures++;
	ms = etcd_backoff_jitter(etcd_backoff_cap(e->t.backoff_min_ms,
	    e->t.backoff_max_ms, e->failures), arc4random());
	if (e->up || !e->down_logged)
		log_warnx("datastore: %s: %s: %s; %s, retrying over %zu "
		    "endpoint%s", e->proto->name, etcd_endpoint(e), why,
		    e->listed ? "keeping the cluster view" :
		    "no cluster view yet", e->nendpoints,
		    e->nendpoints == 1 ? "" : "s");
	else
		log_debug("datastore: %s: %s: %s; next try in %u ms",
		    e->proto->name, etcd_endpoint(e), why, ms);
	e->up = false;
	e->down_logged = true;
	e->ep = (e->ep + 1) % e->nendpoints;
	e->phase = ETCD_BACKOFF;
	if (e->ev_retry != NULL)
		timer_arm_ms(e->ev_retry, ms);
}

/*
 * List again: at once, unless this is a compaction that follows a
 * compaction re-list whose list has not stood ETCD_STABLE_MS yet (or never
 * finished): then after a growing, jittered delay, warned about once.
 */
static void
do_relist(struct ds_etcd *e, const char *why, bool compacted)
{
	uint64_t now = timer_now_ms();
	unsigned ms;

	abort_all(e);
	e->relists_total++;
	if (!compacted || (e->listed_ms >= e->relist_ms &&
	    now - e->listed_ms >= ETCD_STABLE_MS))
		e->relists = 0;
	if (compacted) {
		e->relists++;
		e->relist_ms = now;
	}
	if (e->relists <= 1) {
		log_info("datastore: %s: %s; reading everything again",
		    e->proto->name, why);
		begin_list(e);
		return;
	}
	ms = etcd_backoff_jitter(etcd_backoff_cap(e->t.relist_min_ms,
	    e->t.relist_max_ms, e->relists - 1), arc4random());
	if (e->relists == 2)
		log_warnx("datastore: %s: %s, again right after a re-list; "
		    "reading everything again in %u ms, backing off while "
		    "this repeats", e->proto->name, why, ms);
	else
		log_debug("datastore: %s: %s; re-list %u in a row in %u ms",
		    e->proto->name, why, e->relists, ms);
	drop_fresh(e);
	probe_stop(e);
	e->need_list = true;
	e->phase = ETCD_BACKOFF;
	if (e->ev_retry != NULL)
		timer_arm_ms(e->ev_retry, ms);
}

void
etcd_run_pending(struct ds_etcd *e)
{
	enum etcd_pending p = e->pending;
	char why[sizeof(e->pending_why)];
	bool compacted = e->compacted;

	e->pending = ETCD_PEND_NONE;
	e->compacted = false;
	memcpy(why, e->pending_why, sizeof(why));
	switch (p) {
	case ETCD_PEND_NONE:
		break;
	case ETCD_PEND_RELIST:
		do_relist(e, why, compacted);
		break;
	case ETCD_PEND_FAIL:
		do_fail(e, why);
		break;
	}
}

void
etcd_retry(struct ds_etcd *e)
{
	if (e->phase != ETCD_BACKOFF)
		return;
	if (!e->listed || e->need_list) {
		begin_list(e);
		return;
	}
	e->resuming = true;
	start_watch(e);
}

/* --- the health probe ---------------------------------------------------- */

static void probe_done(struct etcd_req *, long, const char *);

static const struct etcd_req_ops probe_ops = {
	.done = probe_done,
};

/* "HTTP 503: etcdserver: no leader" (the answer's message), or why. */
static void
answer_why(const struct etcd_req *req, long status, const char *why,
    char *buf, size_t len)
{
	struct json_object *o = NULL;
	const char *msg = NULL, *err;

	if (status == 0) {
		snprintf(buf, len, "%.150s", why);
		return;
	}
	if ((o = ds_json_parse(req->body, req->len, DS_JSON_DEPTH_ENVELOPE,
	    &err)) != NULL)
		(void)ds_json_string(o, "message", &msg);
	snprintf(buf, len, "HTTP %ld%s%.120s", status, msg != NULL ? ": " :
	    "", msg != NULL ? msg : "");
	ds_json_free(o);
}

static void
probe_done(struct etcd_req *req, long status, const char *why)
{
	struct ds_etcd *e = req->e;
	char buf[256], a[160];

	e->probe = NULL;
	if (status == 200 || (status == 404 && e->proto->probe_404))
		return;
	answer_why(req, status, why, a, sizeof(a));
	snprintf(buf, sizeof(buf), "health probe (a linearizable read, "
	    "%u ms deadline): %s", e->t.probe_timeout_ms, a);
	etcd_fail(e, buf);
}

/* A progress_notify watch stream that has said nothing for too long. */
static bool
watch_silent(struct ds_etcd *e)
{
	uint64_t now = timer_now_ms();
	char buf[256];

	if (!e->proto->progress || e->phase != ETCD_WATCHING)
		return false;
	for (size_t k = 0; k < ds_calico_nranges(e->cal); k++) {
		if (now - e->heard_ms[k] < e->t.watch_silence_ms)
			continue;
		snprintf(buf, sizeof(buf), "the watch on %.100s said nothing "
		    "(no event, no progress notification) for %u s",
		    ds_calico_range(e->cal, k), e->t.watch_silence_ms / 1000);
		etcd_fail(e, buf);
		return true;
	}
	return false;
}

void
etcd_probe(struct ds_etcd *e)
{
	char *path, *post = NULL;

	if (e->phase != ETCD_LISTING && e->phase != ETCD_WATCHING)
		return;
	probe_arm(e);
	if (e->pending != ETCD_PEND_NONE || e->probe != NULL ||
	    watch_silent(e))
		return;
	path = e->proto->probe(e, &post);
	e->probe = request_new(e, path, post, &probe_ops, 0, ETCD_PROBE_MAX,
	    e->t.probe_timeout_ms);
	free(path);
	free(post);
}

static void
kick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	etcd_run_pending(arg);
}

static void
retry_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	etcd_retry(arg);
}

static void
probe_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	etcd_probe(arg);
}

/* --- the backend --------------------------------------------------------- */

static char *
opt_dup(const char *s)
{
	return s != NULL && *s != '\0' ? xstrdup(s) : NULL;
}

/* "http://h:2379/" -> "http://h:2379"; no scheme: http. */
static char *
endpoint_dup(const char *s)
{
	char buf[ETCD_URL_MAX / 2];
	size_t n;

	snprintf(buf, sizeof(buf), "%s%s", strstr(s, "://") ? "" : "http://",
	    s);
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '/')
		buf[--n] = '\0';
	return xstrdup(buf);
}

struct ds_etcd *
ds_etcd_new(struct event_base *base, const struct ds_etcd_conf *conf,
    struct ds_model *m, const struct ds_ops *ops, void *arg)
{
	struct ds_etcd *e = xcalloc(1, sizeof(*e));
	size_t n = conf->nendpoints;

	e->base = base;
	e->layout = conf->type == DS_TYPE_ETCDV2 ? DS_LAYOUT_V2 :
	    DS_LAYOUT_V3;
	e->proto = e->layout == DS_LAYOUT_V2 ? &etcd_v2_proto :
	    &etcd_v3_proto;
	for (size_t i = 0; i < n && i < NITEMS(e->endpoints); i++)
		e->endpoints[e->nendpoints++] =
		    endpoint_dup(conf->endpoints[i]);
	e->ca_file = opt_dup(conf->ca_file);
	e->cert_file = opt_dup(conf->cert_file);
	e->key_file = opt_dup(conf->key_file);
	e->t = conf->timing;
	etcd_timing_fill(&e->t);
	e->model = m;
	e->ops = ops;
	e->arg = arg;
	e->cal = ds_calico_new(e->layout, conf->prefix, m->self);
	TAILQ_INIT(&e->reqs);
	TAILQ_INIT(&e->socks);
	return e;
}

static int
start_curl(struct ds_etcd *e)
{
	if (curl_dl_load(e->error, sizeof(e->error)) == -1)
		return -1;
	if (curl_users == 0 && cu.global_init(CURL_GLOBAL_DEFAULT) != 0) {
		snprintf(e->error, sizeof(e->error), "curl_global_init failed");
		return -1;
	}
	curl_users++;
	if ((e->multi = cu.multi_init()) == NULL)
		fatalx("datastore: curl_multi_init");
	cu.multi_setopt(e->multi, CURLMOPT_SOCKETFUNCTION, curl_sock_cb);
	cu.multi_setopt(e->multi, CURLMOPT_SOCKETDATA, e);
	cu.multi_setopt(e->multi, CURLMOPT_TIMERFUNCTION, curl_timer_cb);
	cu.multi_setopt(e->multi, CURLMOPT_TIMERDATA, e);
	cu.multi_setopt(e->multi, CURLMOPT_MAXCONNECTS, 8L);
	e->ev_curl = evtimer_new(e->base, curl_timeout_cb, e);
	e->ev_retry = evtimer_new(e->base, retry_cb, e);
	e->ev_kick = event_new(e->base, -1, 0, kick_cb, e);
	e->ev_probe = evtimer_new(e->base, probe_cb, e);
	if (e->ev_curl == NULL || e->ev_retry == NULL || e->ev_kick == NULL ||
	    e->ev_probe == NULL)
		fatalx("datastore: etcd: event_new");
	return 0;
}

int
ds_etcd_start(struct ds_etcd *e)
{
	if (e->nendpoints == 0) {
		snprintf(e->error, sizeof(e->error), "no etcd endpoints");
		return -1;
	}
	if (e->base != NULL && e->multi == NULL && start_curl(e) == -1)
		return -1;
	log_info("datastore: %s: reading %s... from %s%s", e->proto->name,
	    ds_calico_range(e->cal, 0), etcd_endpoint(e),
	    e->nendpoints > 1 ? " (and the other endpoints)" : "");
	begin_list(e);
	return 0;
}

int
ds_etcd_reload(struct ds_etcd *e)
{
	etcd_relist(e, "reload requested");
	return 0;
}

static void
stop_curl(struct ds_etcd *e)
{
	struct etcd_sock *sk;

	cu.multi_cleanup(e->multi);
	e->multi = NULL;
	while ((sk = TAILQ_FIRST(&e->socks)) != NULL) {
		TAILQ_REMOVE(&e->socks, sk, entry);
		event_free(sk->ev);
		free(sk);
	}
	if (--curl_users == 0)
		cu.global_cleanup();
}

void
ds_etcd_stop(struct ds_etcd *e)
{
	abort_all(e);
	drop_fresh(e);
	e->proto->fini(e);
	e->pending = ETCD_PEND_NONE;
	if (e->multi != NULL)
		stop_curl(e);
	if (e->ev_curl != NULL)
		event_free(e->ev_curl);
	if (e->ev_retry != NULL)
		event_free(e->ev_retry);
	if (e->ev_kick != NULL)
		event_free(e->ev_kick);
	if (e->ev_probe != NULL)
		event_free(e->ev_probe);
	e->ev_curl = e->ev_retry = e->ev_kick = e->ev_probe = NULL;
	e->phase = ETCD_IDLE;
}

void
ds_etcd_free(struct ds_etcd *e)
{
	if (e == NULL)
		return;
	ds_etcd_stop(e);
	ds_calico_free(e->cal);
	for (size_t i = 0; i < e->nendpoints; i++)
		free(e->endpoints[i]);
	free(e->ca_file);
	free(e->cert_file);
	free(e->key_file);
	free(e);
}

const char *
ds_etcd_error(const struct ds_etcd *e)
{
	return e->error[0] != '\0' ? e->error : NULL;
}
