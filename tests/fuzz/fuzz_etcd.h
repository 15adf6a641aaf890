/*
 * fuzz_etcd.h: the etcd backend's answers (datastore/etcd.c, etcd_v3.c,
 * etcd_v2.c, json.c, then calico.c and calico_res.c with what they
 * carry), for tests/fuzz/fuzz_etcd_v3.c, fuzz_etcd_v2.c and
 * tests/unit/test_crashers.c.
 *
 * The harness plays etcd as the unit tests do (etcd.h: no event base, the
 * transport's entry points called by hand), with the bytes of the input as
 * every answer. The input is a list of chunks:
 *	ctl (1 octet), length (2 octets, big-endian), body
 * ctl bits 0-2 pick the open request (its index modulo their number),
 * bits 3-5 the HTTP status (fuzz_etcd_status[]; 0 is a transport
 * failure), bit 6 ends the request after the body (else more may come: a
 * watch stream), bit 7 leaves out the X-Etcd-Index header. Each request
 * gets its status line once, with its first chunk. After each chunk what
 * the backend asked for is carried out (etcd_run_pending), and a backoff
 * is cut short (etcd_retry), as the event loop would. Properties: the
 * reported view is the committed one (fuzz_ds.h); at most one request per
 * key range is open.
 */
#ifndef TERN_FUZZ_ETCD_H
#define TERN_FUZZ_ETCD_H

#include "fuzz_ds.h"

#include "backend.h"
#include "etcd.h"
#include "log.h"

static const long fuzz_etcd_status[8] = {
	200, 200, 200, 404, 400, 503, 0, 200,
};

static struct etcd_req *
fuzz_etcd_req(struct ds_etcd *e, unsigned pick, size_t *nreqs)
{
	struct etcd_req *r, *found = NULL;
	size_t n = 0;

	TAILQ_FOREACH(r, &e->reqs, entry)
		n++;
	*nreqs = n;
	if (n == 0)
		return NULL;
	pick %= (unsigned)n;
	TAILQ_FOREACH(r, &e->reqs, entry)
		if (pick-- == 0)
			found = r;
	return found;
}

static int
fuzz_etcd(enum ds_type type, const uint8_t *data, size_t size)
{
	static char *const eps[] = {
		"http://198.18.0.1:2379", "http://198.18.0.2:2379",
	};
	struct ds_etcd_conf conf = { .type = type, .endpoints = eps,
	    .nendpoints = NITEMS(eps), .prefix = "/calico" };
	struct fuzz_in in = { data, size };
	struct fuzz_ds shadow = { 0 };
	struct etcd_req *r;
	struct ds_model m;
	struct ds_etcd *e;
	const uint8_t *body;
	size_t len, nreqs;
	int64_t idx;
	long status;
	uint8_t ctl;

	log_init(LOG_LVL_ERROR, 0, "fuzz");
	ds_model_init(&m, "h1");
	e = ds_etcd_new(NULL, &conf, &m, &fuzz_ds_ops, &shadow);
	FUZZ_CHECK(ds_etcd_start(e) == 0);
	for (unsigned i = 0; in.n > 0; i++) {
		ctl = fuzz_u8(&in);
		body = fuzz_take(&in, fuzz_u16(&in), &len);
		r = fuzz_etcd_req(e, ctl & 7, &nreqs);
		FUZZ_CHECK(nreqs <= DS_CALICO_MAX_RANGES);
		if (r != NULL) {
			status = fuzz_etcd_status[(ctl >> 3) & 7];
			idx = (ctl & 0x80) ? -1 : 100 + (int64_t)i;
			if (status == 0) {
				etcd_req_finish(r, 0, "Connection reset by peer");
			} else {
				if (r->status == 0)
					etcd_req_headers(r, status, idx);
				(void)etcd_req_feed(r, (const char *)body, len);
				if (ctl & 0x40)
					etcd_req_finish(r, r->status, NULL);
			}
		}
		etcd_run_pending(e);
		if (e->phase == ETCD_BACKOFF)
			etcd_retry(e);
		fuzz_ds_check(&m, &shadow);
	}
	ds_etcd_free(e);
	ds_model_fini(&m);
	return 0;
}

static inline int
fuzz_etcd_v3(const uint8_t *data, size_t size)
{
	return fuzz_etcd(DS_TYPE_ETCDV3, data, size);
}

static inline int
fuzz_etcd_v2(const uint8_t *data, size_t size)
{
	return fuzz_etcd(DS_TYPE_ETCDV2, data, size);
}

#endif
