/*
 * etcd.h (internal to datastore/): the etcd backend's shared parts.
 *
 * etcd.c owns the HTTP transport (libcurl's multi interface on the
 * libevent loop, STYLE 5.5), the endpoints with fail-over and backoff, and
 * the sync cycle every protocol follows:
 *
 *	     start, reload, compacted
 *	  +--------------------------------+
 *	  v                                |
 *	LIST ---(all ranges read)---> WATCH -+
 *	  |  fresh model + fresh            |  events -> live model, commit
 *	  |  ds_calico, taken on success    |
 *	  +--------(failure)----------------+--> BACKOFF (100 ms .. 5 s,
 *	                                            next endpoint) -> WATCH
 *	                                            (resume) or LIST
 *
 * A failure never touches the live model: sessions and routes stay until
 * etcd says otherwise. A re-list fills a fresh model and the live one takes
 * it over only when the whole list succeeded, so the commit reports just the
 * difference. etcd_v3.c (JSON gateway: /v3/kv/range, streaming /v3/watch)
 * and etcd_v2.c (keys API: recursive GET, then wait=true long polls) issue
 * the requests and parse the answers; calico.c maps keys to facts.
 *
 * Requests never tear themselves down from inside a curl callback: the
 * handlers call etcd_fail()/etcd_relist(), which only record the wish; it
 * is carried out from a zero-timeout event (etcd_run_pending()). Without an
 * event base (unit tests) no request is sent: the test plays the server by
 * calling etcd_req_headers/feed/finish and etcd_run_pending/etcd_retry.
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

#define ETCD_BACKOFF_MIN_MS	100
#define ETCD_BACKOFF_MAX_MS	5000
#define ETCD_STABLE_MS		5000	/* up this long: backoff restarts */
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
const char	*etcd_endpoint(const struct ds_etcd *);

/* etcd.c, the transport's entry points (curl callbacks, unit tests) */
void		 etcd_req_headers(struct etcd_req *, long status, int64_t idx);
int		 etcd_req_feed(struct etcd_req *, const char *, size_t);
void		 etcd_req_finish(struct etcd_req *, long status, const char *);
void		 etcd_run_pending(struct ds_etcd *);
void		 etcd_retry(struct ds_etcd *);
unsigned	 etcd_backoff_ms(unsigned failures);

/* etcd_v3.c: base64 (RFC 4648), exposed for the tests */
char		*etcd_b64_encode(const char *, size_t);
int		 etcd_b64_decode(const char *, size_t, char **out,
		    size_t *outlen);

#endif
