/*
 * metrics.c: the Prometheus endpoint (metrics.h). Owns its evhttp server,
 * the table of connections it serves, the loop-lag timer and the refusal
 * log limit; reads bgpd, krt and the datastore through their public
 * getters only and never changes them. Never blocks: a scrape is one pass
 * over the peers into one evbuffer.
 *
 * Our implementation of the connection bound: libevent 2.1 has neither
 * evhttp_set_max_connections nor a new-connection hook with a close
 * callback. evhttp_set_bevcb is called for every accepted connection; we
 * create its bufferevent and keep a reference, so that it outlives
 * evhttp's bufferevent_free, which clears its callbacks. A slot whose
 * bufferevent has no callbacks any more is a closed connection: reaped
 * (unreferenced, which closes the fd) on every new connection, scrape and
 * tick. A connection over max_clients is shut down (SHUT_RDWR) from a
 * zero-timeout event right after evhttp set it up; evhttp then reads EOF
 * and frees it.
 */
#include <sys/socket.h>

#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>

#include "agent.h"
#include "defs.h"
#include "log.h"
#include "metrics.h"
#include "timer.h"
#include "version.h"
#include "xmalloc.h"

#define CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"
#define LISTEN_MAX	130	/* conf: metrics.listen is at most 128 */

struct mconn {
	struct bufferevent	*bev;		/* our reference */
	bool			 refused;
	bool			 shut;		/* refused and shut down */
};

struct metrics {
	struct agent		*ag;
	struct event_base	*base;
	struct evhttp		*http;		/* NULL: off */
	struct evhttp_bound_socket *bound;
	char			 listen[LISTEN_MAX];
	uint32_t		 max_clients;
	struct mconn		*conns;		/* served and refused */
	size_t			 nconns, capconns;
	size_t			 nserved;	/* of conns: not refused */
	bool			 paused;	/* listener off: table full */
	struct event		*ev_tick;	/* lag probe, reaping */
	struct event		*ev_refuse;	/* shut refused connections */
	uint64_t		 tick_due_ns;
	unsigned		 ticks;
	uint64_t		 lag_cur_ns;	/* max this window */
	uint64_t		 lag_prev_ns;	/* max the last window */
	uint64_t		 refused;
	uint64_t		 scrapes;
	struct log_ratelimit	 rl;
};

/* ---- rendering ---- */

void
metrics_label_escape(char *dst, size_t len, const char *src)
{
	size_t o = 0;

	if (len == 0)
		return;
	for (; *src != '\0'; src++) {
		const char *rep = NULL;
		char one[2] = { *src, '\0' };
		size_t n;

		if (*src == '\\')
			rep = "\\\\";
		else if (*src == '"')
			rep = "\\\"";
		else if (*src == '\n')
			rep = "\\n";
		else
			rep = one;
		n = strlen(rep);
		if (o + n >= len)
			break;
		memcpy(dst + o, rep, n);
		o += n;
	}
	dst[o] = '\0';
}

static void
family(struct evbuffer *b, const char *name, const char *type,
    const char *help)
{
	evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help,
	    name, type);
}

static void
sample_u64(struct evbuffer *b, const char *name, const char *labels,
    uint64_t v)
{
	evbuffer_add_printf(b, "%s%s %" PRIu64 "\n", name, labels, v);
}

static void
one_u64(struct evbuffer *b, const char *name, const char *type,
    const char *help, uint64_t v)
{
	family(b, name, type, help);
	sample_u64(b, name, "", v);
}

static void
one_dbl(struct evbuffer *b, const char *name, const char *help, double v)
{
	family(b, name, "gauge", help);
	evbuffer_add_printf(b, "%s %.6f\n", name, v);
}

/* {name="Mesh_198_18_0_2",proto="BGP",ip_version="4",neighbor="..."} */
static void
peer_labels(char *buf, size_t len, const struct metrics_peer *p)
{
	char name[BGPD_NAME_MAX * 2], nb[ADDR_STRLEN * 2];
	int n;

	metrics_label_escape(name, sizeof(name), p->name);
	metrics_label_escape(nb, sizeof(nb), p->neighbor);
	n = snprintf(buf, len, "{name=\"%s\",proto=\"BGP\",ip_version=\"%u\","
	    "neighbor=\"%s\"}", name, p->ip_version, nb);
	if (n < 0 || (size_t)n >= len)
		fatalx("metrics: label buffer");
}

static uint64_t
peer_up(const struct metrics_peer *p)
{
	return p->state == BGP_STATE_ESTABLISHED;
}

/* BGP4-MIB bgpPeerState: idle(1) .. established(6) */
static uint64_t
peer_state(const struct metrics_peer *p)
{
	return (uint64_t)p->state + 1;
}

#define PF(f)	offsetof(struct metrics_peer, f), NULL
#define PG(g)	0, g

/* One row per per-peer family: a uint64_t field, or a getter. */
static const struct peer_family {
	const char	*name;
	const char	*type;
	const char	*help;
	size_t		 off;
	uint64_t	(*get)(const struct metrics_peer *);
} peer_families[] = {
	{ "tern_bgp_session_up", "gauge",
	  "1 when the BGP session is Established", PG(peer_up) },
	{ "tern_bgp_session_state", "gauge", "BGP FSM state as BGP4-MIB "
	  "bgpPeerState: 1 Idle, 2 Connect, 3 Active, 4 OpenSent, "
	  "5 OpenConfirm, 6 Established", PG(peer_state) },
	{ "tern_bgp_session_uptime_seconds", "gauge",
	  "Seconds the session has been Established (0 when it is not)",
	  PF(uptime) },
	{ "tern_bgp_messages_received_total", "counter",
	  "BGP messages received from the peer", PF(msgs_in) },
	{ "tern_bgp_messages_sent_total", "counter",
	  "BGP messages sent to the peer", PF(msgs_out) },
	{ "tern_bgp_updates_received_total", "counter",
	  "BGP UPDATE messages received from the peer", PF(updates_in) },
	{ "tern_bgp_updates_sent_total", "counter",
	  "BGP UPDATE messages sent to the peer", PF(updates_out) },
	{ "tern_bgp_session_drops_total", "counter",
	  "Established sessions with the peer that ended (flaps)",
	  PF(drops) },
	{ "tern_bgp_prefixes_imported", "gauge",
	  "Paths from the peer accepted into the RIB now", PF(imported) },
	{ "tern_bgp_prefixes_exported", "gauge",
	  "Prefixes announced to the peer now", PF(exported) },
	{ "tern_bgp_prefixes_refused_total", "counter", "Routes from the "
	  "peer refused (import filter, AS loop, RIB bound)", PF(refused) },
	{ "tern_bgp_prefixes_refused_as_loop_total", "counter",
	  "Routes from the peer refused as AS loops", PF(loops) },
	{ "tern_bgp_prefixes_refused_reflection_loop_total", "counter",
	  "Routes from the peer refused as route reflection loops (RFC 4456: "
	  "our ORIGINATOR_ID or cluster ID)", PF(rr_loops) },
	{ "tern_bgp_route_refresh_received_total", "counter",
	  "ROUTE-REFRESH messages received", PF(refresh_rx) },
	{ "tern_bgp_route_refresh_served_total", "counter",
	  "Route refreshes served to the peer", PF(refresh_served) },
	{ "tern_bgp_input_paused_total", "counter",
	  "Times reading from the peer paused on a full input buffer",
	  PF(in_full) },
	{ "tern_bgp_peer_memory_bytes", "gauge",
	  "Memory charged to the peer's paths and attributes", PF(mem) },
};

static uint64_t
peer_value(const struct peer_family *f, const struct metrics_peer *p)
{
	uint64_t v;

	if (f->get != NULL)
		return f->get(p);
	memcpy(&v, (const char *)p + f->off, sizeof(v));
	return v;
}

static void
render_peers(struct evbuffer *b, const struct metrics_snap *s)
{
	char labels[512];

	for (size_t i = 0; i < NITEMS(peer_families); i++) {
		const struct peer_family *f = &peer_families[i];

		family(b, f->name, f->type, f->help);
		for (size_t k = 0; k < s->npeers; k++) {
			peer_labels(labels, sizeof(labels), &s->peers[k]);
			sample_u64(b, f->name, labels,
			    peer_value(f, &s->peers[k]));
		}
	}
}

static void
render_fib(struct evbuffer *b, const struct krt_stats *k)
{
	family(b, "tern_fib_routes", "gauge", "Routes ternd wants in the "
	    "kernel FIB, by state (conflict: another program's route holds "
	    "the prefix)");
	sample_u64(b, "tern_fib_routes", "{state=\"installed\"}", k->installed);
	sample_u64(b, "tern_fib_routes", "{state=\"pending\"}", k->pending);
	sample_u64(b, "tern_fib_routes", "{state=\"conflict\"}", k->conflicts);
	sample_u64(b, "tern_fib_routes", "{state=\"failed\"}", k->failed);
	one_u64(b, "tern_fib_routes_wanted", "gauge",
	    "Routes ternd wants in the kernel FIB", k->wanted);
	one_u64(b, "tern_fib_nexthop_objects", "gauge",
	    "Kernel nexthop objects of ternd's (one per gateway)",
	    k->nexthops);
	one_u64(b, "tern_fib_nexthop_groups", "gauge",
	    "Kernel nexthop group objects of ternd's (ECMP)", k->groups);
	one_u64(b, "tern_fib_conflicts_total", "counter",
	    "Route conflicts with another program's route since start",
	    k->conflicts_total);
}

static void
render_ds(struct evbuffer *b, const struct metrics_snap *s)
{
	char lab[64];

	snprintf(lab, sizeof(lab), "{type=\"%s\"}", s->ds_type);
	family(b, "tern_datastore_connected", "gauge", "1 when the datastore "
	    "answers (etcd: an endpoint is connected; file: the last load "
	    "was good)");
	sample_u64(b, "tern_datastore_connected", lab, s->ds.connected);
	one_u64(b, "tern_datastore_synced", "gauge", "1 once the datastore "
	    "has been read completely", s->ds_synced);
	if (s->ds.has_revision) {
		one_u64(b, "tern_datastore_revision", "gauge", "Highest etcd "
		    "revision (v2: index) seen", (uint64_t)(s->ds.revision < 0 ?
		    0 : s->ds.revision));
		one_u64(b, "tern_datastore_resyncs_total", "counter", "Times "
		    "the whole datastore was read again (compaction, lost "
		    "watch)", s->ds.resyncs);
	}
	if (s->ds_age >= 0)
		one_dbl(b, "tern_datastore_last_event_age_seconds", "Seconds "
		    "since etcd last sent anything (watch data, progress, "
		    "connect)", s->ds_age);
}

/* BFD (issue 15): what the sessions and the neighbours cost us. */
static void
render_bfd(struct evbuffer *b, const struct bfd_counters *c)
{
	one_u64(b, "tern_bfd_sessions", "gauge", "BFD sessions", c->sessions);
	one_u64(b, "tern_bfd_sessions_up", "gauge", "BFD sessions Up", c->up);
	one_u64(b, "tern_bfd_session_downs_total", "counter",
	    "BFD sessions that went from Up to Down", c->downs);
	one_u64(b, "tern_bfd_sessions_refused_total", "counter",
	    "BFD sessions not made: bfd.max_sessions", c->sessions_refused);
	family(b, "tern_bfd_packets_received_total", "counter", "BFD "
	    "packets received, by what became of them (invalid: RFC 5880 "
	    "6.8.6; ttl: not 255; no_session; limited: over bfd.max_pps or "
	    "a session's rate)");
	sample_u64(b, "tern_bfd_packets_received_total",
	    "{result=\"accepted\"}", c->rx);
	sample_u64(b, "tern_bfd_packets_received_total",
	    "{result=\"invalid\"}", c->rx_invalid);
	sample_u64(b, "tern_bfd_packets_received_total", "{result=\"ttl\"}",
	    c->rx_ttl);
	sample_u64(b, "tern_bfd_packets_received_total",
	    "{result=\"no_session\"}", c->rx_no_session);
	sample_u64(b, "tern_bfd_packets_received_total",
	    "{result=\"limited\"}", c->rx_limited);
	one_u64(b, "tern_bfd_packets_sent_total", "counter",
	    "BFD packets sent", c->tx);
	one_u64(b, "tern_bfd_send_errors_total", "counter",
	    "BFD packets that could not be sent", c->tx_errors);
}

static void
render_process(struct evbuffer *b, const struct metrics_snap *s)
{
	if (s->have_proc) {
		one_u64(b, "tern_process_resident_memory_bytes", "gauge",
		    "Resident memory of ternd", s->rss_bytes);
		one_u64(b, "tern_process_open_fds", "gauge",
		    "Open file descriptors of ternd", s->open_fds);
	}
	one_u64(b, "tern_process_start_time_seconds", "gauge",
	    "Start time of ternd, seconds since the epoch", s->start_time);
	one_dbl(b, "tern_event_loop_lag_seconds", "Longest delay of a 1 s "
	    "timer over the last 10 to 20 seconds (the loop was busy)",
	    s->lag);
}

void
metrics_render(struct evbuffer *b, const struct metrics_snap *s)
{
	char v[128], lab[160];

	metrics_label_escape(v, sizeof(v), s->version);
	snprintf(lab, sizeof(lab), "{version=\"%s\"}", v);
	family(b, "tern_build_info", "gauge", "ternd's version");
	sample_u64(b, "tern_build_info", lab, 1);
	render_peers(b, s);
	if (s->have_krt)
		render_fib(b, &s->krt);
	if (s->have_ds)
		render_ds(b, s);
	if (s->have_bfd)
		render_bfd(b, &s->bfd);
	render_process(b, s);
	one_u64(b, "tern_metrics_clients", "gauge",
	    "Connections to this endpoint now", s->clients);
	one_u64(b, "tern_metrics_max_clients", "gauge",
	    "Connections to this endpoint allowed at once (metrics."
	    "max_clients)", s->max_clients);
	one_u64(b, "tern_metrics_clients_refused_total", "counter",
	    "Connections refused: max_clients were connected", s->refused);
	one_u64(b, "tern_metrics_scrapes_total", "counter",
	    "Requests for /metrics served", s->scrapes);
}

/* ---- collection ---- */

struct collect {
	const struct agent	*ag;
	time_t			 now;
	struct metrics_peer	*v;
	size_t			 n, cap;
};

static void
collect_cb(void *arg, const struct bgpd_peer_info *pi)
{
	struct collect *c = arg;
	struct bgpd_peer_counters pc;
	struct metrics_peer *p;
	time_t since;

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->v = xreallocarray(c->v, c->cap, sizeof(*c->v));
	}
	p = &c->v[c->n++];
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", pi->conf->name);
	addr_fmt(&pi->conf->addr, p->neighbor, sizeof(p->neighbor));
	p->ip_version = pi->conf->addr.af == AF_INET6 ? 6 : 4;
	p->state = pi->state;
	since = pi->since != 0 ? pi->since : c->ag->started;
	if (pi->state == BGP_STATE_ESTABLISHED && c->now > since)
		p->uptime = (uint64_t)(c->now - since);
	if (bgpd_peer_counters(c->ag->bgpd, pi->conf->name, &pc) == 0) {
		p->msgs_in = pc.msgs_in;
		p->msgs_out = pc.msgs_out;
		p->updates_in = pc.updates_in;
		p->updates_out = pc.updates_out;
		p->drops = pc.drops;
	}
	p->imported = pi->routes_imported;
	p->exported = pi->routes_exported;
	p->refused = pi->rx_refused;
	p->loops = pi->rx_loops;
	p->rr_loops = pi->rx_rr_loops;
	p->refresh_rx = pi->refresh_rx;
	p->refresh_served = pi->refresh_served;
	p->in_full = pi->in_full;
	p->mem = pi->mem;
}

static const char *
ds_kind(enum conf_ds_type t)
{
	switch (t) {
	case CONF_DS_FILE:
		return "file";
	case CONF_DS_ETCDV2:
		return "etcdv2";
	case CONF_DS_ETCDV3:
	default:
		return "etcdv3";
	}
}

/* /proc/self/statm's resident pages and /proc/self/fd's entries. */
static bool
proc_stats(uint64_t *rss, uint64_t *fds)
{
	unsigned long long size, res;
	struct dirent *de;
	FILE *f;
	DIR *d;
	long pg = sysconf(_SC_PAGESIZE);
	int n;

	if ((f = fopen("/proc/self/statm", "re")) == NULL)
		return false;
	n = fscanf(f, "%llu %llu", &size, &res);
	fclose(f);
	if (n != 2 || pg <= 0 || (d = opendir("/proc/self/fd")) == NULL)
		return false;
	*rss = (uint64_t)res * (uint64_t)pg;
	*fds = 0;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			(*fds)++;
	closedir(d);
	(*fds)--;	/* the directory's own */
	return true;
}

static void
snap_fill(const struct metrics *m, struct metrics_snap *s,
    struct collect *c)
{
	const struct agent *ag = m->ag;
	uint64_t lag = m->lag_cur_ns > m->lag_prev_ns ? m->lag_cur_ns :
	    m->lag_prev_ns;

	memset(s, 0, sizeof(*s));
	memset(c, 0, sizeof(*c));
	c->ag = ag;
	c->now = time(NULL);
	s->version = TERN_VERSION;
	s->start_time = ag->started > 0 ? (uint64_t)ag->started : 0;
	if (ag->bgpd != NULL)
		bgpd_peer_walk(ag->bgpd, collect_cb, c);
	s->peers = c->v;
	s->npeers = c->n;
	if ((s->have_krt = ag->krt != NULL))
		krt_stats(ag->krt, &s->krt);
	if ((s->have_ds = ag->ds != NULL)) {
		s->ds_type = ds_kind(ag->conf->datastore.type);
		s->ds_synced = ds_is_synced(ag->ds);
		ds_stats(ag->ds, &s->ds);
		s->ds_age = s->ds.heard_ms == 0 ? -1 :
		    (double)(timer_now_ms() - s->ds.heard_ms) / 1000;
	}
	if (ag->bfd != NULL) {
		bfd_counters(ag->bfd, &s->bfd);
		s->have_bfd = s->bfd.sessions > 0 || s->bfd.tx > 0 ||
		    s->bfd.sessions_refused > 0;
	}
	s->have_proc = proc_stats(&s->rss_bytes, &s->open_fds);
	s->lag = (double)lag / 1e9;
	s->clients = m->nserved;
	s->max_clients = m->max_clients;
	s->refused = m->refused;
	s->scrapes = m->scrapes;
}

/* ---- connections ---- */

static bool
conn_closed(struct bufferevent *bev)
{
	bufferevent_data_cb r, w;
	bufferevent_event_cb e;
	void *arg;

	bufferevent_getcb(bev, &r, &w, &e, &arg);
	return r == NULL && w == NULL && e == NULL;
}

static void
listener_pause(struct metrics *m, bool pause)
{
	struct evconnlistener *l;

	if (m->bound == NULL || m->paused == pause)
		return;
	l = evhttp_bound_socket_get_listener(m->bound);
	if (pause)
		evconnlistener_disable(l);
	else
		evconnlistener_enable(l);
	m->paused = pause;
}

/* Unreference the bufferevents evhttp has freed (all: evhttp is gone). */
static void
reap(struct metrics *m, bool all)
{
	size_t i = 0;

	while (i < m->nconns) {
		struct mconn *c = &m->conns[i];

		if (!all && !conn_closed(c->bev)) {
			i++;
			continue;
		}
		bufferevent_decref(c->bev);
		if (!c->refused)
			m->nserved--;
		m->conns[i] = m->conns[--m->nconns];
	}
	if (m->nconns < m->capconns)
		listener_pause(m, false);
}

static void
refuse_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct metrics *m = arg;

	(void)fd;
	(void)ev;
	for (size_t i = 0; i < m->nconns; i++) {
		struct mconn *c = &m->conns[i];
		evutil_socket_t s;

		if (!c->refused || c->shut)
			continue;
		c->shut = true;
		if ((s = bufferevent_getfd(c->bev)) != -1)
			(void)shutdown(s, SHUT_RDWR);
	}
}

static struct bufferevent *
bev_cb(struct event_base *base, void *arg)
{
	struct metrics *m = arg;
	struct bufferevent *bev;
	struct mconn *c;

	if ((bev = bufferevent_socket_new(base, -1,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL)
		fatalx("metrics: bufferevent_socket_new");
	reap(m, false);
	if (m->nconns == m->capconns)	/* the pause came late: serve it */
		return bev;
	bufferevent_incref(bev);
	c = &m->conns[m->nconns++];
	memset(c, 0, sizeof(*c));
	c->bev = bev;
	if (m->nserved < m->max_clients)
		m->nserved++;
	else {
		c->refused = true;
		m->refused++;
		log_rl(&m->rl, "metrics: client refused: %u connected "
		    "(metrics.max_clients)", m->max_clients);
		event_active(m->ev_refuse, EV_TIMEOUT, 0);
	}
	if (m->nconns == m->capconns)
		listener_pause(m, true);
	return bev;
}

static bool
conn_refused(const struct metrics *m, struct bufferevent *bev)
{
	for (size_t i = 0; i < m->nconns; i++)
		if (m->conns[i].bev == bev)
			return m->conns[i].refused;
	return false;
}

/* ---- requests ---- */

static void
send_text(struct evhttp_request *req, int code, const char *reason,
    struct evbuffer *body)
{
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", CONTENT_TYPE);
	evhttp_send_reply(req, code, reason, body);
}

static void
send_error(struct evhttp_request *req, int code, const char *reason)
{
	struct evbuffer *b = evbuffer_new();

	if (b == NULL)
		fatalx("metrics: evbuffer_new");
	evbuffer_add_printf(b, "%d %s\n", code, reason);
	if (code == HTTP_BADMETHOD)
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", "GET");
	send_text(req, code, reason, b);
	evbuffer_free(b);
}

static void
scrape(struct metrics *m, struct evhttp_request *req)
{
	struct metrics_snap s;
	struct collect c;
	struct evbuffer *b = evbuffer_new();

	if (b == NULL)
		fatalx("metrics: evbuffer_new");
	m->scrapes++;
	snap_fill(m, &s, &c);
	metrics_render(b, &s);
	free(c.v);
	send_text(req, HTTP_OK, "OK", b);
	evbuffer_free(b);
}

static void
req_cb(struct evhttp_request *req, void *arg)
{
	struct metrics *m = arg;
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(req);
	const char *path = u != NULL ? evhttp_uri_get_path(u) : NULL;

	reap(m, false);
	if (evcon != NULL &&
	    conn_refused(m, evhttp_connection_get_bufferevent(evcon)))
		send_error(req, HTTP_SERVUNAVAIL, "Service Unavailable");
	else if (path == NULL || strcmp(path, "/metrics") != 0)
		send_error(req, HTTP_NOTFOUND, "Not Found");
	else if (evhttp_request_get_command(req) != EVHTTP_REQ_GET)
		send_error(req, HTTP_BADMETHOD, "Method Not Allowed");
	else
		scrape(m, req);
}

/* ---- loop lag ---- */

static void
tick_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct metrics *m = arg;
	uint64_t now = timer_now_ns();

	(void)fd;
	(void)ev;
	if (m->tick_due_ns != 0 && now > m->tick_due_ns &&
	    now - m->tick_due_ns > m->lag_cur_ns)
		m->lag_cur_ns = now - m->tick_due_ns;
	if (++m->ticks % METRICS_LAG_WINDOW == 0) {
		m->lag_prev_ns = m->lag_cur_ns;
		m->lag_cur_ns = 0;
	}
	reap(m, false);
	m->tick_due_ns = now + (uint64_t)METRICS_TICK_MS * 1000000;
	timer_arm_ms(m->ev_tick, METRICS_TICK_MS);
}

/* ---- lifecycle ---- */

struct metrics *
metrics_new(struct agent *ag)
{
	struct metrics *m = xcalloc(1, sizeof(*m));

	m->ag = ag;
	m->base = ag->base;
	m->ev_tick = evtimer_new(m->base, tick_cb, m);
	m->ev_refuse = event_new(m->base, -1, 0, refuse_cb, m);
	if (m->ev_tick == NULL || m->ev_refuse == NULL)
		fatalx("metrics: event_new");
	log_ratelimit_init(&m->rl, LOG_LVL_WARNING, 60 * 1000, 5,
	    "metrics: client refused");
	log_ratelimit_start(&m->rl, m->base);
	return m;
}

static void
stop(struct metrics *m)
{
	if (m->http == NULL)
		return;
	evhttp_free(m->http);	/* frees its connections */
	m->http = NULL;
	m->bound = NULL;
	m->paused = false;
	reap(m, true);
	timer_stop(m->ev_tick);
	m->listen[0] = '\0';
}

static void
slots(struct metrics *m, uint32_t max_clients)
{
	size_t cap = (size_t)max_clients + METRICS_REFUSE_SLOTS;

	m->max_clients = max_clients;
	if (cap > m->capconns) {
		m->conns = xreallocarray(m->conns, cap, sizeof(*m->conns));
		m->capconns = cap;
	}
	if (m->nconns < m->capconns)
		listener_pause(m, false);
}

static struct evhttp *
server_new(struct metrics *m, const char *listen,
    struct evhttp_bound_socket **bound)
{
	struct evhttp *http;
	struct addr a;
	uint16_t port;
	char host[ADDR_STRLEN];

	if (addr_port_parse(listen, &a, &port) == -1) {
		log_warnx("metrics: \"%s\" is not ADDRESS:PORT", listen);
		return NULL;
	}
	if ((http = evhttp_new(m->base)) == NULL)
		fatalx("metrics: evhttp_new");
	evhttp_set_timeout(http, METRICS_TIMEOUT_S);
	evhttp_set_max_headers_size(http, METRICS_MAX_HEADERS);
	evhttp_set_max_body_size(http, METRICS_MAX_BODY);
	evhttp_set_bevcb(http, bev_cb, m);
	evhttp_set_gencb(http, req_cb, m);
	addr_fmt(&a, host, sizeof(host));
	if ((*bound = evhttp_bind_socket_with_handle(http, host,
	    port)) == NULL) {
		log_warn("metrics: cannot listen on %s", listen);
		evhttp_free(http);
		return NULL;
	}
	return http;
}

int
metrics_configure(struct metrics *m, const char *listen,
    uint32_t max_clients)
{
	struct evhttp_bound_socket *bound;
	struct evhttp *http;

	if (listen == NULL)
		listen = "";
	if (strcmp(listen, m->listen) == 0) {
		if (listen[0] != '\0' && max_clients != m->max_clients) {
			slots(m, max_clients);
			log_info("metrics: at most %u clients", max_clients);
		}
		return 0;
	}
	if (listen[0] == '\0') {
		log_info("metrics: endpoint %s closed", m->listen);
		stop(m);
		return 0;
	}
	if ((http = server_new(m, listen, &bound)) == NULL)
		return -1;
	stop(m);
	m->http = http;
	m->bound = bound;
	slots(m, max_clients);
	snprintf(m->listen, sizeof(m->listen), "%s", listen);
	m->tick_due_ns = timer_now_ns() + (uint64_t)METRICS_TICK_MS * 1000000;
	timer_arm_ms(m->ev_tick, METRICS_TICK_MS);
	log_info("metrics: serving http://%s/metrics (at most %u clients)",
	    listen, max_clients);
	return 0;
}

void
metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	stop(m);
	reap(m, true);
	log_ratelimit_fini(&m->rl);
	event_free(m->ev_tick);
	event_free(m->ev_refuse);
	free(m->conns);
	free(m);
}
