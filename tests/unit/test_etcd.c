/*
 * test_etcd.c: the etcd backend's timing (datastore/etcd.c, issue 11).
 *
 * Two layers. The backoff as pure functions: the capped exponential
 * ceiling, the equal jitter below it (range, cap, that it varies), the
 * growing re-list backoff and the defaults of struct ds_etcd_timing. Then
 * the backend without a network, the test playing etcd through etcd.h's
 * transport entry points (as test_calico.c does) on an empty cluster: the
 * health probe of both protocols (its request, a healthy answer, no
 * leader, a deadline missed), the fail-over that resumes the watch on the
 * next endpoint without a re-list, a silent watch stream, and compactions
 * in a row that back off instead of re-listing in a loop.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datastore.h"
#include "etcd.h"
#include "log.h"
#include "model.h"
#include "ds_rec.h"
#include "log_capture.h"

/* --- the log, captured to count what was said ---------------------------- */


/* --- layer 1: the backoff ------------------------------------------------ */

START_TEST(t_backoff_cap)
{
	static const unsigned want[] = { 100, 200, 400, 800, 1600, 3200,
	    5000, 5000 };

	for (unsigned n = 1; n <= NITEMS(want); n++)
		ck_assert_uint_eq(etcd_backoff_cap(100, 5000, n), want[n - 1]);
	ck_assert_uint_eq(etcd_backoff_cap(100, 5000, 0), 100);
	ck_assert_uint_eq(etcd_backoff_cap(100, 5000, UINT32_MAX), 5000);
	ck_assert_uint_eq(etcd_backoff_ms(7), 5000);
	/* no overflow on the way to a huge cap */
	ck_assert_uint_eq(etcd_backoff_cap(3000000000u, UINT32_MAX, 5),
	    UINT32_MAX);
	/* the re-list backoff grows from its own floor to its own cap */
	for (unsigned n = 1; n < 8; n++)
		ck_assert_uint_le(etcd_backoff_cap(1000, 30000, n),
		    etcd_backoff_cap(1000, 30000, n + 1));
	ck_assert_uint_eq(etcd_backoff_cap(1000, 30000, 5), 16000);
	ck_assert_uint_eq(etcd_backoff_cap(1000, 30000, 6), 30000);
}
END_TEST

/* Equal jitter: [cap - cap/2, cap], every value reachable, spread out. */
START_TEST(t_backoff_jitter)
{
	static const unsigned caps[] = { 0, 1, 2, 3, 100, 5000, 30000,
	    UINT32_MAX };
	unsigned lo, v, seen_lo, seen_hi, distinct = 0;
	static bool hit[5001];

	for (size_t i = 0; i < NITEMS(caps); i++) {
		lo = caps[i] - caps[i] / 2;
		ck_assert_uint_eq(etcd_backoff_jitter(caps[i], 0), lo);
		ck_assert_uint_eq(etcd_backoff_jitter(caps[i], caps[i] / 2),
		    caps[i]);
		ck_assert_uint_eq(etcd_backoff_jitter(caps[i], UINT32_MAX) >=
		    lo, true);
	}
	seen_lo = UINT32_MAX;
	seen_hi = 0;
	for (int i = 0; i < 4000; i++) {
		v = etcd_backoff_jitter(5000, arc4random());
		ck_assert(v >= 2500 && v <= 5000);
		seen_lo = v < seen_lo ? v : seen_lo;
		seen_hi = v > seen_hi ? v : seen_hi;
		if (!hit[v]) {
			hit[v] = true;
			distinct++;
		}
	}
	/* 4000 draws over 2501 values: both ends of the range are used */
	ck_assert_uint_lt(seen_lo, 2600);
	ck_assert_uint_gt(seen_hi, 4900);
	ck_assert_uint_gt(distinct, 1000);
}
END_TEST

START_TEST(t_timing_defaults)
{
	struct ds_etcd_timing t;

	memset(&t, 0, sizeof(t));
	etcd_timing_fill(&t);
	ck_assert(t.backoff_min_ms == 100 && t.backoff_max_ms == 5000 &&
	    t.relist_min_ms == 1000 && t.relist_max_ms == 30000 &&
	    t.probe_interval_ms == 2000 && t.probe_timeout_ms == 3000 &&
	    t.watch_silence_ms == 25 * 60 * 1000);
	memset(&t, 0, sizeof(t));
	t.backoff_min_ms = 9000;
	t.relist_min_ms = 50;
	t.relist_max_ms = 10;
	etcd_timing_fill(&t);
	ck_assert(t.backoff_max_ms == 9000 && t.relist_max_ms == 50);
}
END_TEST

/* --- layer 2: the backend without a network ------------------------------ */

static void
rec_local(void *arg, const struct ds_local *l)
{
	(void)arg;
	(void)l;
}

static void
rec_peer(void *arg, const struct ds_peer *n, const struct ds_peer *o)
{
	(void)arg;
	rec_add("%cpeer %s", n == NULL ? '-' : '+', n ? n->name : o->name);
}

static void
rec_pool(void *arg, const struct ds_pool *n, const struct ds_pool *o)
{
	(void)arg;
	(void)n;
	(void)o;
}

static const struct ds_ops rec_ops = {
	rec_local, rec_peer, rec_block, rec_pool, rec_synced, NULL,
};

#define NRANGES_V3	5	/* nodes, bgpconfigurations, bgppeers, */
#define NRANGES_V2	4	/* ippools, own ipam; v2: bgp, 2 pools, ipam */

static struct ds_model M;
#include "etcd_stub.h"

static struct ds_etcd *
etcd_new(enum ds_type type, const struct ds_etcd_timing *t)
{
	static char *const eps[] = {
		"http://198.18.0.1:2379", "http://198.18.0.2:2379",
		"http://198.18.0.3:2379",
	};
	struct ds_etcd_conf c = { .type = type, .endpoints = eps,
	    .nendpoints = NITEMS(eps), .prefix = "/calico" };

	if (t != NULL)
		c.timing = *t;
	rec.n = 0;
	ds_model_init(&M, "h1");
	E = ds_etcd_new(NULL, &c, &M, &rec_ops, NULL);
	ck_assert_int_eq(ds_etcd_start(E), 0);
	return E;
}

static size_t
nreqs(const char *path)
{
	struct etcd_req *r;
	size_t n = 0;

	TAILQ_FOREACH(r, &E->reqs, entry)
		n += path == NULL || strncmp(r->path, path, strlen(path)) == 0;
	return n;
}

static void
answer(struct etcd_req *r, long status, int64_t index, const char *body)
{
	etcd_req_headers(r, status, index);
	ck_assert_int_eq(etcd_req_feed(r, body, strlen(body)), 0);
	etcd_req_finish(r, status, NULL);
}

/* Every range of the v3 list, empty, at revision rev. */
static void
v3_list(int64_t rev)
{
	char body[64];

	snprintf(body, sizeof(body), "{\"header\":{\"revision\":\"%lld\"}}",
	    (long long)rev);
	for (int k = 0; k < NRANGES_V3; k++) {
		ck_assert_int_eq(E->phase, ETCD_LISTING);
		ck_assert_str_eq(last_req()->path, "/v3/kv/range");
		answer(last_req(), 200, -1, body);
	}
	ck_assert_int_eq(E->phase, ETCD_WATCHING);
	ck_assert_uint_eq(nreqs("/v3/watch"), NRANGES_V3);
}

static void
v3_created(void)
{
	static const char created[] = "{\"result\":{\"header\":{\"revision\":"
	    "\"9\"},\"created\":true}}\n";
	struct etcd_req *w;

	TAILQ_FOREACH(w, &E->reqs, entry) {
		if (strcmp(w->path, "/v3/watch") != 0)
			continue;
		etcd_req_headers(w, 200, -1);
		ck_assert_int_eq(etcd_req_feed(w, created, strlen(created)),
		    0);
	}
	ck_assert(E->up);
}

/* The probe etcd_probe() sent: the last request. */
static struct etcd_req *
probe_sent(void)
{
	struct etcd_req *p;

	etcd_probe(E);
	p = last_req();
	ck_assert_ptr_eq(p, E->probe);
	ck_assert_uint_eq(p->timeout_ms, E->t.probe_timeout_ms);
	return p;
}

/* v3: a healthy probe; then "no leader"; the watch resumes elsewhere. */
START_TEST(t_probe_v3)
{
	struct ds_etcd_timing t = { .probe_timeout_ms = 1234 };
	struct etcd_req *p;

	log_capture();
	etcd_new(DS_TYPE_ETCDV3, &t);
	etcd_probe(E);				/* listing: probed too */
	ck_assert_ptr_nonnull(E->probe);
	answer(E->probe, 200, -1, "{\"header\":{\"revision\":\"5\"}}");
	v3_list(5);
	EXPECT("synced");
	v3_created();
	p = probe_sent();
	ck_assert_str_eq(p->path, "/v3/kv/range");
	ck_assert_ptr_nonnull(strstr(p->post, "\"limit\":1,"));
	ck_assert_ptr_nonnull(strstr(p->post, "\"serializable\":false"));
	etcd_probe(E);				/* one at a time */
	ck_assert_uint_eq(nreqs(NULL), NRANGES_V3 + 1);
	answer(p, 200, -1, "{\"header\":{\"revision\":\"12\"}}");
	ck_assert(E->probe == NULL && E->pending == ETCD_PEND_NONE);
	/* the member lost its leader: fail over, nothing else changes */
	answer(probe_sent(), 503, -1, "{\"error\":\"etcdserver: no leader\","
	    "\"message\":\"etcdserver: no leader\",\"code\":14}");
	ck_assert_int_eq(E->pending, ETCD_PEND_FAIL);
	etcd_run_pending(E);
	ck_assert(E->phase == ETCD_BACKOFF && E->ep == 1 && nreqs(NULL) == 0);
	ck_assert_int_eq(log_lines("http://198.18.0.1:2379: health probe "
	    "(a linearizable read, 1234 ms deadline): HTTP 503: etcdserver: "
	    "no leader; keeping the cluster view"), 1);
	etcd_probe(E);				/* backing off: no probe */
	ck_assert_uint_eq(nreqs(NULL), 0);
	/* resumed on the next endpoint from revision 6: no list */
	etcd_retry(E);
	ck_assert_uint_eq(nreqs("/v3/watch"), NRANGES_V3);
	ck_assert_uint_eq(nreqs(NULL), NRANGES_V3);
	ck_assert_ptr_nonnull(strstr(last_req()->post,
	    "\"start_revision\":6,"));
	v3_created();
	ck_assert_int_eq(log_lines("connected to http://198.18.0.2:2379 "
	    "(watching from revision 6: resumed, no re-list)"), 1);
	EXPECT_NONE();
	/* a missed deadline (curl's timeout) fails over too */
	etcd_req_finish(probe_sent(), 0, "Operation timed out after 1234 "
	    "milliseconds with 0 bytes received");
	etcd_run_pending(E);
	ck_assert(E->phase == ETCD_BACKOFF && E->ep == 2);
	ck_assert_int_eq(log_lines("http://198.18.0.2:2379: health probe "
	    "(a linearizable read, 1234 ms deadline): Operation timed out"),
	    1);
	ck_assert_int_eq(log_lines("reading everything again"), 0);
	EXPECT_NONE();
	etcd_teardown();
}
END_TEST

/* A stream without a word for watch_silence_ms is taken for dead. */
START_TEST(t_watch_silence)
{
	static const char progress[] = "{\"result\":{\"header\":{\"revision\":"
	    "\"30\"}}}\n";
	struct ds_etcd_timing t = { .watch_silence_ms = 300 };
	struct etcd_req *w;

	log_capture();
	etcd_new(DS_TYPE_ETCDV3, &t);
	v3_list(5);
	v3_created();
	usleep(200 * 1000);
	TAILQ_FOREACH(w, &E->reqs, entry)
		ck_assert_int_eq(etcd_req_feed(w, progress, strlen(progress)),
		    0);
	usleep(200 * 1000);			/* 400 ms after the creation */
	answer(probe_sent(), 200, -1, "{}");
	ck_assert_int_eq(E->pending, ETCD_PEND_NONE);
	ck_assert_int_eq(E->v3.rev[0], 30);
	w = TAILQ_FIRST(&E->reqs);	/* only the nodes stream talks */
	ck_assert_int_eq(etcd_req_feed(w, progress, strlen(progress)), 0);
	usleep(200 * 1000);
	etcd_probe(E);
	ck_assert_int_eq(E->pending, ETCD_PEND_FAIL);
	ck_assert_ptr_null(E->probe);
	ck_assert_ptr_nonnull(strstr(E->pending_why, "the watch on "
	    "/calico/resources/v3/projectcalico.org/bgpconfigurations/ said "
	    "nothing"));
	etcd_run_pending(E);
	etcd_retry(E);
	ck_assert_uint_eq(nreqs("/v3/watch"), NRANGES_V3);
	ck_assert_ptr_nonnull(strstr(TAILQ_FIRST(&E->reqs)->post,
	    "\"start_revision\":31,"));
	etcd_teardown();
}
END_TEST

/* v2: a quorum GET; 404 (no such key) is an answer, 5xx is not. */
START_TEST(t_probe_v2)
{
	static const char nf[] = "{\"errorCode\":100,\"message\":\"Key not "
	    "found\",\"cause\":\"/x\",\"index\":7}";
	struct etcd_req *p;

	log_capture();
	etcd_new(DS_TYPE_ETCDV2, NULL);
	for (int k = 0; k < NRANGES_V2; k++)
		answer(last_req(), 404, 7, nf);
	EXPECT("synced");
	ck_assert_uint_eq(nreqs("/v2/keys/"), NRANGES_V2);
	p = probe_sent();
	ck_assert_str_eq(p->path, "/v2/keys/calico/ipam/v2/host/h1"
	    "?quorum=true");
	ck_assert_ptr_null(p->post);
	answer(p, 404, 7, nf);
	ck_assert_int_eq(E->pending, ETCD_PEND_NONE);
	answer(probe_sent(), 200, 7, "{\"action\":\"get\"}");
	ck_assert_int_eq(E->pending, ETCD_PEND_NONE);
	answer(probe_sent(), 500, 7, "{\"errorCode\":300,\"message\":"
	    "\"Raft Internal Error\"}");
	ck_assert_int_eq(E->pending, ETCD_PEND_FAIL);
	etcd_run_pending(E);
	ck_assert_int_eq(log_lines("HTTP 500: Raft Internal Error; keeping"),
	    1);
	etcd_retry(E);
	ck_assert_uint_eq(nreqs("/v2/keys/"), NRANGES_V2);
	ck_assert_ptr_nonnull(strstr(last_req()->path, "waitIndex=8"));
	etcd_req_headers(last_req(), 200, 9);
	ck_assert_int_eq(log_lines("(waiting from index 8: resumed, no "
	    "re-list)"), 1);
	etcd_teardown();
}
END_TEST

static void
compacted_watch(void)
{
	static const char cancel[] = "{\"result\":{\"header\":{\"revision\":"
	    "\"40\"},\"canceled\":true,\"compact_revision\":\"35\"}}\n";
	struct etcd_req *w = last_req();

	ck_assert_str_eq(w->path, "/v3/watch");
	etcd_req_headers(w, 200, -1);
	ck_assert_int_eq(etcd_req_feed(w, cancel, strlen(cancel)), -1);
	etcd_req_finish(w, 0, NULL);
	ck_assert_int_eq(E->pending, ETCD_PEND_RELIST);
	etcd_run_pending(E);
}

/* Compactions in a row: the first re-lists at once, the next back off. */
START_TEST(t_relist_backoff)
{
	static const char gone[] = "{\"error\":\"etcdserver: mvcc: required "
	    "revision has been compacted\",\"message\":\"etcdserver: mvcc: "
	    "required revision has been compacted\",\"code\":11}";

	log_capture();
	etcd_new(DS_TYPE_ETCDV3, NULL);
	v3_list(5);
	compacted_watch();
	ck_assert(E->phase == ETCD_LISTING && E->relists == 1);
	v3_list(40);
	compacted_watch();			/* at once again: a loop */
	ck_assert(E->phase == ETCD_BACKOFF && E->need_list &&
	    nreqs(NULL) == 0 && E->up && E->ep == 0);
	ck_assert_int_eq(log_lines("again right after a re-list"), 1);
	etcd_retry(E);
	ck_assert_int_eq(E->phase, ETCD_LISTING);
	/* a page of that list compacted too (no list completed): backoff */
	answer(last_req(), 200, -1, "{\"header\":{\"revision\":\"41\"}}");
	answer(last_req(), 400, -1, gone);
	etcd_run_pending(E);
	ck_assert(E->phase == ETCD_BACKOFF && E->relists == 3);
	etcd_retry(E);
	v3_list(50);
	compacted_watch();
	ck_assert(E->phase == ETCD_BACKOFF && E->relists == 4);
	ck_assert_int_eq(log_lines("again right after a re-list"), 1);
	ck_assert_int_eq(log_lines("reading everything again"), 2);
	/* a list that stood ETCD_STABLE_MS: the next compaction is news */
	etcd_retry(E);
	v3_list(60);
	E->listed_ms -= ETCD_STABLE_MS;
	E->relist_ms -= ETCD_STABLE_MS;
	compacted_watch();
	ck_assert(E->phase == ETCD_LISTING && E->relists == 1);
	/* a reload lists at once, whatever came before */
	v3_list(70);
	compacted_watch();
	ck_assert_int_eq(E->phase, ETCD_BACKOFF);
	ck_assert_int_eq(ds_etcd_reload(E), 0);
	etcd_run_pending(E);
	ck_assert(E->phase == ETCD_LISTING && E->relists == 0);
	EXPECT("synced", "synced", "synced", "synced", "synced");
	etcd_teardown();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("etcd");
	TCase *tb = tcase_create("backoff");
	TCase *tp = tcase_create("backend");
	SRunner *sr;
	int failed;

	log_init(LOG_LVL_DEBUG, 0, "test_etcd");
	tcase_add_test(tb, t_backoff_cap);
	tcase_add_test(tb, t_backoff_jitter);
	tcase_add_test(tb, t_timing_defaults);
	tcase_add_test(tp, t_probe_v3);
	tcase_add_test(tp, t_watch_silence);
	tcase_add_test(tp, t_probe_v2);
	tcase_add_test(tp, t_relist_backoff);
	suite_add_tcase(s, tb);
	suite_add_tcase(s, tp);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
