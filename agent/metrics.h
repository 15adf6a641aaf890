/*
 * metrics.h: the Prometheus endpoint (metrics.listen in ternd.yaml).
 *
 * metrics.c serves GET /metrics over libevent's HTTP server (evhttp) on
 * the agent's loop: the text exposition format 0.0.4, built into one
 * evbuffer in one pass from a snapshot of bgpd's peers, krt's FIB counts,
 * the datastore's connection and the process (resident memory, open fds,
 * event loop lag). Anything else is 404, a method other than GET 405.
 *
 * Bounds: at most max_clients connections at once; one more is accepted
 * and shut down at once, counted (tern_metrics_clients_refused_total) and
 * logged at a bounded rate; while METRICS_REFUSE_SLOTS refused ones wait
 * to be reaped the listener pauses (the kernel's backlog holds the rest).
 * A connection is closed after METRICS_TIMEOUT_S idle; request headers
 * and body are capped. The reply is bounded by the number of peers.
 *
 * Rendering is separate from collection: metrics_render() writes a plain
 * struct metrics_snap (tests/unit/test_metrics.c).
 *
 * Labels follow bird_exporter (name, proto, ip_version) plus neighbor.
 */
#ifndef TERN_METRICS_H
#define TERN_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "bfd.h"
#include "bgpd.h"
#include "datastore.h"
#include "krt.h"

struct agent;
struct evbuffer;
struct metrics;

#define METRICS_TIMEOUT_S	10	/* idle connection */
#define METRICS_MAX_HEADERS	8192	/* request headers, bytes */
#define METRICS_MAX_BODY	1024	/* request body (a GET has none) */
#define METRICS_REFUSE_SLOTS	64	/* refused, not yet reaped */
#define METRICS_TICK_MS		1000	/* loop lag probe */
#define METRICS_LAG_WINDOW	10	/* ticks: lag is the max over these */

/* One peer as the endpoint shows it (values, no pointers into bgpd). */
struct metrics_peer {
	char		 name[BGPD_NAME_MAX];
	char		 neighbor[ADDR_STRLEN];
	unsigned	 ip_version;		/* 4 or 6 */
	enum bgp_state	 state;
	uint64_t	 uptime;		/* s Established, 0 otherwise */
	uint64_t	 msgs_in;
	uint64_t	 msgs_out;
	uint64_t	 updates_in;
	uint64_t	 updates_out;
	uint64_t	 drops;			/* Established sessions ended */
	uint64_t	 imported;		/* paths in the rib now */
	uint64_t	 exported;		/* prefixes announced now */
	uint64_t	 refused;		/* since the peer was added */
	uint64_t	 loops;			/* of those: AS loops */
	uint64_t	 rr_loops;		/* RFC 4456 reflection loops */
	uint64_t	 refresh_rx;
	uint64_t	 refresh_served;
	uint64_t	 in_full;
	uint64_t	 mem;			/* bytes charged to the peer */
};

struct metrics_snap {
	const char		*version;
	uint64_t		 start_time;	/* unix s */
	const struct metrics_peer *peers;
	size_t			 npeers;
	bool			 have_krt;
	struct krt_stats	 krt;
	bool			 have_ds;
	const char		*ds_type;	/* "etcdv3", "file" */
	bool			 ds_synced;
	struct ds_stats		 ds;
	double			 ds_age;	/* s since heard; < 0: unknown */
	bool			 have_proc;
	uint64_t		 rss_bytes;
	uint64_t		 open_fds;
	double			 lag;		/* s */
	uint64_t		 clients;
	uint64_t		 max_clients;
	uint64_t		 refused;
	uint64_t		 scrapes;
	/* issue 15: BFD, once a session was asked for */
	bool			 have_bfd;
	struct bfd_counters	 bfd;
};

struct metrics	*metrics_new(struct agent *);
/*
 * Serve on listen ("ADDR:PORT", "[V6]:PORT"; "" or NULL: off) with at
 * most max_clients connections. Callable again (SIGHUP): the same value
 * does nothing, a new one binds the new address before the old closes. A
 * bind failure is logged and returns -1; the old state stays.
 */
int		 metrics_configure(struct metrics *, const char *listen,
		    uint32_t max_clients);
/* Close every client and the listener; NULL is a no-op. */
void		 metrics_free(struct metrics *);

/* The exposition of s, appended to out (one pass). */
void		 metrics_render(struct evbuffer *out,
		    const struct metrics_snap *s);
/* A label value escaped as the text format wants (\\, \", \n); dst is
 * always terminated, truncated to len. */
void		 metrics_label_escape(char *dst, size_t len, const char *src);

#endif
