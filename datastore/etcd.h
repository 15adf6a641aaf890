/*
 * etcd.h (internal to datastore/): the etcd backend's shared parts.
 *
 * etcd.c owns the HTTP transport (libcurl's multi interface on the
 * libevent loop, STYLE 5.5), the endpoints with fail-over and backoff, the
 * health probe, and the sync cycle every protocol follows:
 *
 *	     start, reload, compacted
 *	  +--------------------------------+
 *	  v                                |
 *	LIST ---(all ranges read)---> WATCH -+
 *	  |  fresh model + fresh            |  events -> live model, commit
 *	  |  ds_calico, taken on success    |
 *	  +--------(failure, probe)---------+--> BACKOFF (jittered, capped
 *	                                            exponential; next endpoint)
 *	                                            -> WATCH (resume) or LIST
 *
 * A failure never touches the live model: sessions and routes stay until
 * etcd says otherwise. A re-list fills a fresh model and the live one takes
 * it over only when the whole list succeeded, so the commit reports just the
 * difference. etcd_v3.c (JSON gateway: /v3/kv/range, streaming /v3/watch)
 * and etcd_v2.c (keys API: recursive GET, then wait=true long polls) issue
 * the requests and parse the answers; calico.c maps keys to facts.
 *
 * Timing (struct ds_etcd_timing, backend.h; the defaults below):
 * - after a failure the next endpoint is tried after a delay drawn in
 *   [cap/2, cap] ("equal jitter"), cap = 100 ms doubling per failure up to
 *   5 s, so nodes that lost the same member do not come back in lockstep;
 *   the count restarts once a connection has stood for 5 s.
 * - a compaction re-lists at once; a compaction again during that list or
 *   within 5 s of its end (a list that cannot keep up with compaction)
 *   re-lists after a jittered 1 s doubling up to 30 s: warned once, then
 *   logged at debug.
 * - while listing or watching, a health probe (a linearizable read of one
 *   key, with the Grpc-Metadata-hasleader header in v3) goes to the
 *   endpoint in use every 1.5..2 s; no answer within 3 s, or an error
 *   ("no leader"), fails over: a hung (SIGSTOPped) or leaderless member is
 *   left within about 5 s, and the watch resumes from the last revision
 *   seen on the next endpoint, without a re-list. Its cost to etcd: one
 *   ReadIndex round (no disk write) per node every 2 s. v3 watches are created
 *   with progress_notify: etcd then sends an idle watch a progress
 *   notification at least every 2 x its --experimental-watch-progress-
 *   notify-interval (10 min by default); a stream silent for 25 min is
 *   taken for dead. etcd also cancels a hasleader watch itself when its
 *   member has had no leader for 3 election timeouts.
 *
 * Requests never tear themselves down from inside a curl callback: the
 * handlers call etcd_fail()/etcd_relist(), which only record the wish; it
 * is carried out from a zero-timeout event (etcd_run_pending()). Without an
 * event base (unit tests) no request is sent: the test plays the server by
 * calling etcd_req_headers/feed/finish, etcd_run_pending/etcd_retry and
 * etcd_probe.
 */
#ifndef TERN_DS_ETCD_H
#define TERN_DS_ETCD_H

#include <bsd/sys/queue.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "calico.h"
#include "json.h"
#include "model.h"

/* The defaults of struct ds_etcd_timing (see above). */
#define ETCD_BACKOFF_MIN_MS	100
#define ETCD_BACKOFF_MAX_MS	5000
#define ETCD_RELIST_MIN_MS	1000
#define ETCD_RELIST_MAX_MS	30000
#define ETCD_PROBE_MS		2000
#define ETCD_PROBE_TIMEOUT_MS	3000
#define ETCD_SILENCE_MS		(25 * 60 * 1000)
#define ETCD_STABLE_MS		5000	/* up this long: backoff restarts */
#define ETCD_PROBE_MAX		(1024 * 1024)	/* one probe answer */
#define ETCD_CONNECT_MS		3000
#define ETCD_REQUEST_MS		30000	/* a list page; watches have none */
#define ETCD_BODY_MAX		(64 * 1024 * 1024)	/* one list answer */
#define ETCD_MSG_MAX		(16 * 1024 * 1024)	/* one watch message */
#define ETCD_V2_EVENT_MAX	ETCD_MSG_MAX		/* one v2 event */
#define ETCD_PAGE		1000	/* v3 keys per range request */
#define ETCD_MAX_LIST_KEYS	1000000
#define ETCD_URL_MAX		2048

struct ds_etcd;
struct etcd_req;
struct event;

enum etcd_phase {
	ETCD_IDLE,
	ETCD_LISTING,
	ETCD_WATCHING,
	ETCD_BACKOFF,
};

enum etcd_pending {
	ETCD_PEND_NONE,
	ETCD_PEND_RELIST,
	ETCD_PEND_FAIL,		/* wins over a re-list */
};

/* What a request does with its answer. */
struct etcd_req_ops {
	unsigned timeout_ms;	/* the whole request; 0: none (watches) */
	/* the status line and headers are in (req->status, req->index) */
	void	(*headers)(struct etcd_req *);
	/* streamed body bytes; NULL: buffer the body; -1 aborts the request */
	int	(*data)(struct etcd_req *, const char *, size_t);
	/* the request ended: status 0 = transport failure (why says it) */
	void	(*done)(struct etcd_req *, long status, const char *why);
};

struct etcd_req {
	TAILQ_ENTRY(etcd_req)	 entry;
	struct ds_etcd		*e;
	const struct etcd_req_ops *ops;
	unsigned		 timeout_ms;	/* ops' or the probe's */
	void			*easy;		/* CURL *, NULL in tests */
	void			*hdrs;		/* struct curl_slist * */
	char			*path;		/* "/v3/watch" */
	char			*post;		/* request body, or NULL: GET */
	size_t			 range;
	char			*body;		/* buffered answer */
	size_t			 len, cap, max;
	long			 status;	/* from the status line */
	int64_t			 index;		/* v2 X-Etcd-Index, -1 */
	bool			 in_headers;
	const char		*abort_why;	/* data() refused the answer */
	char			 errbuf[256];	/* CURL_ERROR_SIZE */
};

TAILQ_HEAD(etcd_req_head, etcd_req);
struct etcd_sock;
TAILQ_HEAD(etcd_sock_head, etcd_sock);

/* etcd v3 (JSON gateway) state. */
struct etcd_v3 {
	int64_t			 list_rev;	/* the list's snapshot */
	size_t			 list_range;
	char			*list_key;	/* next page's first key */
	size_t			 list_klen;
	int64_t			 rev[DS_CALICO_MAX_RANGES]; /* seen, per range */
	size_t			 ncreated;	/* watches etcd confirmed */
	struct ds_json_stream	 stream[DS_CALICO_MAX_RANGES];
	bool			 dirty;		/* events since the last commit */
};

/* etcd v2 (keys API) state. */
struct etcd_v2 {
	size_t			 list_range;
	int64_t			 index[DS_CALICO_MAX_RANGES]; /* seen, per range */
};

struct etcd_proto {
	const char	*name;
	void		(*list)(struct ds_etcd *);	/* first list request */
	void		(*watch)(struct ds_etcd *);	/* resume watching */
	/* the probe: a linearizable read of one key; path and body (or
	 * NULL: GET), both heap strings. 200 is healthy, and so is 404 when
	 * probe_404 (a v2 key that does not exist). */
	char		*(*probe)(const struct ds_etcd *, char **post);
	bool		 probe_404;
	/* a healthy watch hears from etcd every ETCD_SILENCE_MS (v3's
	 * progress notifications); its streams call etcd_heard() */
	bool		 progress;
	void		(*fini)(struct ds_etcd *);
};

struct ds_etcd {
	struct event_base	*base;
	const struct etcd_proto	*proto;
	enum ds_layout		 layout;
	char			*endpoints[DS_MAX_ENDPOINTS];
	size_t			 nendpoints, ep;	/* ep: in use */
	char			*ca_file, *cert_file, *key_file;
	struct ds_model		*model;
	const struct ds_ops	*ops;
	void			*arg;
	struct ds_calico	*cal;		/* the live model's keys */
	struct ds_model		 fresh;		/* a list in progress */
	struct ds_calico	*fcal;
	bool			 listing;	/* fresh and fcal exist */
	size_t			 list_keys;
	enum etcd_phase		 phase;
	bool			 listed;	/* a list succeeded once */
	bool			 need_list;	/* the next try lists */
	bool			 compacted;	/* the pending re-list is one */
	bool			 resuming;	/* watching again, no list */
	unsigned		 relists;	/* re-lists for compactions */
	uint64_t		 relists_total;	/* every re-list since start */
	uint64_t		 relist_ms;	/* the last one began */
	uint64_t		 listed_ms;	/* the last list completed */
	bool			 up;		/* last logged: connected */
	bool			 down_logged;
	unsigned		 failures;	/* since the last stable run */
	uint64_t		 up_since_ms;
	enum etcd_pending	 pending;
	char			 pending_why[256];
	void			*multi;		/* CURLM *, NULL in tests */
	struct event		*ev_curl;	/* curl's timer */
	struct event		*ev_retry;	/* backoff */
	struct event		*ev_kick;	/* pending actions */
	struct event		*ev_probe;	/* the next health probe */
	struct etcd_req		*probe;		/* in flight, or NULL */
	uint64_t		 heard_ms[DS_CALICO_MAX_RANGES]; /* streams */
	struct ds_etcd_timing	 t;		/* defaults filled in */
	struct etcd_req_head	 reqs;
	struct etcd_sock_head	 socks;		/* curl's, in the loop */
	struct etcd_v3		 v3;
	struct etcd_v2		 v2;
	char			 error[256];	/* ds_etcd_error() */
};

extern const struct etcd_proto etcd_v3_proto;
extern const struct etcd_proto etcd_v2_proto;

/* etcd.c, for the protocols */
struct etcd_req	*etcd_request(struct ds_etcd *, const char *path,
		    const char *post, const struct etcd_req_ops *,
		    size_t range, size_t max);
void		 etcd_list_put(struct ds_etcd *, const char *key, size_t klen,
		    const char *val, size_t vlen);
int		 etcd_list_count(struct ds_etcd *, size_t nkeys);
void		 etcd_list_done(struct ds_etcd *, const char *what);
void		 etcd_connected(struct ds_etcd *, const char *what);
void		 etcd_commit(struct ds_etcd *);
void		 etcd_fail(struct ds_etcd *, const char *why);
void		 etcd_relist(struct ds_etcd *, const char *why);
/* The resume point or a list's revision is compacted: list again, with a
 * backoff when the last list was one too (etcd.h, Timing). */
void		 etcd_compacted(struct ds_etcd *, const char *why);
/* Watch stream k said something (progress_notify protocols). */
void		 etcd_heard(struct ds_etcd *, size_t k);
const char	*etcd_endpoint(const struct ds_etcd *);

/* etcd.c, the transport's entry points (curl callbacks, unit tests) */
void		 etcd_req_headers(struct etcd_req *, long status, int64_t idx);
int		 etcd_req_feed(struct etcd_req *, const char *, size_t);
void		 etcd_req_finish(struct etcd_req *, long status, const char *);
void		 etcd_run_pending(struct ds_etcd *);
void		 etcd_retry(struct ds_etcd *);
/* The probe timer's work: check the watch streams, send one probe. */
void		 etcd_probe(struct ds_etcd *);

/* The capped exponential ceiling of try n (1, 2, ...): min, 2 min, .. max. */
unsigned	 etcd_backoff_cap(unsigned min_ms, unsigned max_ms, unsigned n);
/* The same with the default bounds (ETCD_BACKOFF_MIN_MS, _MAX_MS). */
unsigned	 etcd_backoff_ms(unsigned n);
/* Equal jitter: a delay in [cap - cap / 2, cap] chosen by r (random). */
unsigned	 etcd_backoff_jitter(unsigned cap_ms, uint32_t r);
/* The timing with every 0 replaced by its default, min <= max. */
void		 etcd_timing_fill(struct ds_etcd_timing *);

/* etcd_v3.c: base64 (RFC 4648), exposed for the tests */
char		*etcd_b64_encode(const char *, size_t);
int		 etcd_b64_decode(const char *, size_t, char **out,
		    size_t *outlen);

#endif
