/*
 * test_metrics.c: the Prometheus exposition of agent/metrics.c, rendered
 * from plain snapshots (metrics_render): every family has one HELP and
 * one TYPE line, its samples follow it, names and values are well formed
 * (text format 0.0.4), label values are escaped, and the figures land on
 * the series they belong to.
 */
#include <check.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "agent.h"
#include "check_run.h"
#include "metrics.h"

static char *
render(const struct metrics_snap *s)
{
	struct evbuffer *b = evbuffer_new();
	size_t n;
	char *out;

	ck_assert_ptr_nonnull(b);
	metrics_render(b, s);
	n = evbuffer_get_length(b);
	out = malloc(n + 1);
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(evbuffer_remove(b, out, n), (int)n);
	out[n] = '\0';
	evbuffer_free(b);
	return out;
}

static bool
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; p != NULL && *p != '\0';) {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);

		if (len == n && memcmp(p, line, n) == 0)
			return true;
		p = nl != NULL ? nl + 1 : NULL;
	}
	return false;
}

static bool
name_ok(const char *s, size_t n)
{
	if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
			return false;
	return true;
}

/* {a="..",b=".."}: label names well formed, values escaped; returns the
 * length of the label set, 0 when malformed */
static size_t
labels_len(const char *s)
{
	size_t i = 1;

	if (s[0] != '{')
		return 0;
	while (s[i] != '}') {
		size_t start = i;

		while (s[i] != '=' && s[i] != '\0')
			i++;
		if (!name_ok(s + start, i - start) || s[i + 1] != '"')
			return 0;
		for (i += 2; s[i] != '"'; i++) {
			if (s[i] == '\0' || s[i] == '\n')
				return 0;
			if (s[i] == '\\' && strchr("\\\"n", s[i + 1]) == NULL)
				return 0;
			if (s[i] == '\\')
				i++;
		}
		i++;
		if (s[i] == ',')
			i++;
		else if (s[i] != '}')
			return 0;
	}
	return i + 1;
}

/* The checker's state: the family whose samples may follow. */
struct fmt {
	char	 family[128];
	char	 seen[8192];		/* " name name ... " */
	bool	 help;			/* HELP seen, TYPE due */
};

static void
check_help(struct fmt *f, const char *line)
{
	size_t n = strcspn(line + 7, " ");

	ck_assert_msg(name_ok(line + 7, n), "bad name: %s", line);
	ck_assert_uint_lt(n, sizeof(f->family));
	memcpy(f->family, line + 7, n);
	f->family[n] = '\0';
	ck_assert_msg(line[7 + n] == ' ' && line[8 + n] != '\0',
	    "HELP without text: %s", line);
	f->help = true;
}

/* TYPE right after its HELP, once per family; counters end in _total */
static void
check_type(struct fmt *f, const char *line)
{
	char want[300], key[140];
	bool counter = strstr(line, " counter") != NULL;

	snprintf(want, sizeof(want), "# TYPE %s %s", f->family,
	    counter ? "counter" : "gauge");
	ck_assert_msg(f->help && strcmp(line, want) == 0,
	    "TYPE not after its HELP: %s", line);
	snprintf(key, sizeof(key), " %s ", f->family);
	ck_assert_msg(strstr(f->seen, key) == NULL, "family twice: %s",
	    f->family);
	ck_assert_uint_lt(strlen(f->seen) + strlen(key), sizeof(f->seen));
	strcat(f->seen, key + 1);
	f->help = false;
	if (counter)
		ck_assert_msg(strlen(f->family) > 6 && strcmp(f->family +
		    strlen(f->family) - 6, "_total") == 0, "counter %s",
		    f->family);
}

/* name{labels} value, in the family announced last */
static void
check_sample(const struct fmt *f, const char *line)
{
	size_t n = strcspn(line, "{ ");
	char *end;

	ck_assert_msg(line[0] != '#', "stray comment: %s", line);
	ck_assert_msg(!f->help, "sample before TYPE: %s", line);
	ck_assert_msg(n == strlen(f->family) &&
	    strncmp(line, f->family, n) == 0,
	    "sample outside its family %s: %s", f->family, line);
	if (line[n] == '{') {
		size_t l = labels_len(line + n);

		ck_assert_msg(l > 0, "bad labels: %s", line);
		n += l;
	}
	ck_assert_msg(line[n] == ' ', "no value: %s", line);
	(void)strtod(line + n + 1, &end);
	ck_assert_msg(end != line + n + 1 && *end == '\0', "bad value: %s",
	    line);
}

/* The whole text is valid exposition format 0.0.4 (our subset). */
static void
check_format(const char *text)
{
	struct fmt f = { .family = "", .seen = " ", .help = false };

	ck_assert_msg(text[strlen(text) - 1] == '\n', "no final newline");
	for (const char *p = text; *p != '\0';) {
		const char *nl = strchr(p, '\n');
		char line[1024];
		size_t len = (size_t)(nl - p);

		ck_assert_uint_lt(len, sizeof(line));
		memcpy(line, p, len);
		line[len] = '\0';
		p = nl + 1;
		if (strncmp(line, "# HELP ", 7) == 0)
			check_help(&f, line);
		else if (strncmp(line, "# TYPE ", 7) == 0)
			check_type(&f, line);
		else
			check_sample(&f, line);
	}
	ck_assert_msg(!f.help, "HELP without TYPE at the end");
}

/* the checker itself refuses what it must */
START_TEST(t_checker)
{
	ck_assert_uint_eq(labels_len("{a=\"x\"} 1"), 7);
	ck_assert_uint_eq(labels_len("{a=\"x\",b=\"\\\"\"} 1"), 14);
	ck_assert_uint_eq(labels_len("{a=\"x} 1"), 0);
	ck_assert_uint_eq(labels_len("{1a=\"x\"} 1"), 0);
	ck_assert_uint_eq(labels_len("{a=\"\\q\"} 1"), 0);
	ck_assert_uint_eq(labels_len("{a=x} 1"), 0);
	ck_assert(name_ok("tern_x", 6));
	ck_assert(!name_ok("9x", 2));
	ck_assert(!name_ok("a-b", 3));
}
END_TEST

START_TEST(t_escape)
{
	char buf[64];

	metrics_label_escape(buf, sizeof(buf), "a\"b\\c\nd");
	ck_assert_str_eq(buf, "a\\\"b\\\\c\\nd");
	/* truncated on a whole escape, always terminated */
	metrics_label_escape(buf, 4, "ab\"c");
	ck_assert_str_eq(buf, "ab");
	metrics_label_escape(buf, 1, "abc");
	ck_assert_str_eq(buf, "");
	metrics_label_escape(buf, sizeof(buf), "");
	ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(t_empty)
{
	struct metrics_snap s;
	char *out;

	memset(&s, 0, sizeof(s));
	s.version = "0.1.0";
	s.max_clients = 16;
	out = render(&s);
	check_format(out);
	ck_assert(has_line(out, "tern_build_info{version=\"0.1.0\"} 1"));
	ck_assert(has_line(out, "# TYPE tern_bgp_session_up gauge"));
	ck_assert(has_line(out, "tern_metrics_max_clients 16"));
	ck_assert(has_line(out, "tern_event_loop_lag_seconds 0.000000"));
	/* what is not known is not shown */
	ck_assert_ptr_null(strstr(out, "tern_fib_routes"));
	ck_assert_ptr_null(strstr(out, "tern_datastore_"));
	ck_assert_ptr_null(strstr(out, "tern_process_open_fds"));
	ck_assert_ptr_null(strstr(out, "tern_bfd_"));
	free(out);
}
END_TEST

/* issue 15: the BFD counters, once BFD runs */
START_TEST(t_bfd)
{
	struct metrics_snap s;
	char *out;

	memset(&s, 0, sizeof(s));
	s.version = "0.1.0";
	s.have_bfd = true;
	s.bfd = (struct bfd_counters){ .sessions = 2, .up = 1, .downs = 3,
	    .rx = 100, .rx_invalid = 4, .rx_ttl = 5, .rx_no_session = 6,
	    .rx_limited = 7, .tx = 99, .tx_errors = 1,
	    .sessions_refused = 8 };
	out = render(&s);
	check_format(out);
	ck_assert(has_line(out, "tern_bfd_sessions 2"));
	ck_assert(has_line(out, "tern_bfd_sessions_up 1"));
	ck_assert(has_line(out, "tern_bfd_session_downs_total 3"));
	ck_assert(has_line(out, "tern_bfd_sessions_refused_total 8"));
	ck_assert(has_line(out,
	    "tern_bfd_packets_received_total{result=\"accepted\"} 100"));
	ck_assert(has_line(out,
	    "tern_bfd_packets_received_total{result=\"invalid\"} 4"));
	ck_assert(has_line(out,
	    "tern_bfd_packets_received_total{result=\"ttl\"} 5"));
	ck_assert(has_line(out,
	    "tern_bfd_packets_received_total{result=\"no_session\"} 6"));
	ck_assert(has_line(out,
	    "tern_bfd_packets_received_total{result=\"limited\"} 7"));
	ck_assert(has_line(out, "tern_bfd_packets_sent_total 99"));
	ck_assert(has_line(out, "tern_bfd_send_errors_total 1"));
	free(out);
}
END_TEST

static void
peers(struct metrics_peer p[2])
{
	memset(p, 0, 2 * sizeof(*p));
	strcpy(p[0].name, "Mesh_198_18_0_2");
	strcpy(p[0].neighbor, "198.18.0.2");
	p[0].ip_version = 4;
	p[0].state = BGP_STATE_ESTABLISHED;
	p[0].uptime = 42;
	p[0].msgs_in = 10;
	p[0].msgs_out = 11;
	p[0].updates_in = 4;
	p[0].updates_out = 5;
	p[0].drops = 1;
	p[0].imported = 3;
	p[0].exported = 1;
	p[0].refused = 7;
	p[0].loops = 2;
	p[0].mem = 4096;
	strcpy(p[1].name, "Global_fd00__1\"x");	/* a quote: escaped */
	strcpy(p[1].neighbor, "fd00::1");
	p[1].ip_version = 6;
	p[1].state = BGP_STATE_ACTIVE;
	p[1].uptime = 0;
}

START_TEST(t_full)
{
	static const char *l0 = "{name=\"Mesh_198_18_0_2\",proto=\"BGP\","
	    "ip_version=\"4\",neighbor=\"198.18.0.2\"}";
	static const char *l1 = "{name=\"Global_fd00__1\\\"x\",proto=\"BGP\","
	    "ip_version=\"6\",neighbor=\"fd00::1\"}";
	struct metrics_peer p[2];
	struct metrics_snap s;
	char line[512], *out;

	peers(p);
	memset(&s, 0, sizeof(s));
	s.version = "0.1.0";
	s.start_time = 1700000000;
	s.peers = p;
	s.npeers = 2;
	s.have_krt = true;
	s.krt = (struct krt_stats){ .wanted = 5, .installed = 3, .pending = 1,
	    .conflicts = 1, .failed = 0, .nexthops = 2, .groups = 0,
	    .conflicts_total = 9 };
	s.have_ds = true;
	s.ds_type = "etcdv3";
	s.ds_synced = true;
	s.ds = (struct ds_stats){ .connected = true, .has_revision = true,
	    .revision = 1234, .heard_ms = 1, .resyncs = 3 };
	s.ds_age = 1.5;
	s.have_proc = true;
	s.rss_bytes = 2621440;
	s.open_fds = 12;
	s.lag = 0.25;
	s.clients = 1;
	s.max_clients = 16;
	s.refused = 3;
	s.scrapes = 8;
	out = render(&s);
	check_format(out);
#define HAS(fmt, ...) do {						\
	snprintf(line, sizeof(line), fmt, __VA_ARGS__);			\
	ck_assert_msg(has_line(out, line), "missing: %s", line);	\
} while (0)
	HAS("tern_bgp_session_up%s 1", l0);
	HAS("tern_bgp_session_up%s 0", l1);
	HAS("tern_bgp_session_state%s 6", l0);
	HAS("tern_bgp_session_state%s 3", l1);
	HAS("tern_bgp_session_uptime_seconds%s 42", l0);
	HAS("tern_bgp_session_uptime_seconds%s 0", l1);
	HAS("tern_bgp_messages_received_total%s 10", l0);
	HAS("tern_bgp_messages_sent_total%s 11", l0);
	HAS("tern_bgp_updates_received_total%s 4", l0);
	HAS("tern_bgp_updates_sent_total%s 5", l0);
	HAS("tern_bgp_session_drops_total%s 1", l0);
	HAS("tern_bgp_prefixes_imported%s 3", l0);
	HAS("tern_bgp_prefixes_exported%s 1", l0);
	HAS("tern_bgp_prefixes_refused_total%s 7", l0);
	HAS("tern_bgp_prefixes_refused_as_loop_total%s 2", l0);
	HAS("tern_bgp_peer_memory_bytes%s 4096", l0);
	HAS("%s", "tern_fib_routes{state=\"installed\"} 3");
	HAS("%s", "tern_fib_routes{state=\"pending\"} 1");
	HAS("%s", "tern_fib_routes{state=\"conflict\"} 1");
	HAS("%s", "tern_fib_routes{state=\"failed\"} 0");
	HAS("%s", "tern_fib_routes_wanted 5");
	HAS("%s", "tern_fib_nexthop_objects 2");
	HAS("%s", "tern_fib_conflicts_total 9");
	HAS("%s", "tern_datastore_connected{type=\"etcdv3\"} 1");
	HAS("%s", "tern_datastore_synced 1");
	HAS("%s", "tern_datastore_revision 1234");
	HAS("%s", "tern_datastore_resyncs_total 3");
	HAS("%s", "tern_datastore_last_event_age_seconds 1.500000");
	HAS("%s", "tern_process_resident_memory_bytes 2621440");
	HAS("%s", "tern_process_open_fds 12");
	HAS("%s", "tern_process_start_time_seconds 1700000000");
	HAS("%s", "tern_event_loop_lag_seconds 0.250000");
	HAS("%s", "tern_metrics_clients 1");
	HAS("%s", "tern_metrics_clients_refused_total 3");
	HAS("%s", "tern_metrics_scrapes_total 8");
#undef HAS
	free(out);
}
END_TEST

/* a file datastore: no revision, no age */
START_TEST(t_file_ds)
{
	struct metrics_snap s;
	char *out;

	memset(&s, 0, sizeof(s));
	s.version = "x\"y";
	s.have_ds = true;
	s.ds_type = "file";
	s.ds.connected = true;
	s.ds_age = -1;
	out = render(&s);
	check_format(out);
	ck_assert(has_line(out, "tern_build_info{version=\"x\\\"y\"} 1"));
	ck_assert(has_line(out, "tern_datastore_connected{type=\"file\"} 1"));
	ck_assert_ptr_null(strstr(out, "tern_datastore_revision"));
	ck_assert_ptr_null(strstr(out, "tern_datastore_resyncs_total"));
	ck_assert_ptr_null(strstr(out, "tern_datastore_last_event_age"));
	free(out);
}
END_TEST

/* ---- the server on 127.0.0.1 (metrics_configure's contract) ---- */

struct fetch {
	struct event_base	*base;
	int			 code;	/* 0: no answer (refused, closed) */
	char			 body[16384];
	bool			 done;
};

static void
fetch_cb(struct evhttp_request *req, void *arg)
{
	struct fetch *f = arg;
	struct evbuffer *b;
	size_t n;

	f->done = true;
	if (req != NULL && (f->code = evhttp_request_get_response_code(req))) {
		b = evhttp_request_get_input_buffer(req);
		n = evbuffer_get_length(b);
		if (n >= sizeof(f->body))
			n = sizeof(f->body) - 1;
		evbuffer_remove(b, f->body, n);
		f->body[n] = '\0';
	}
	event_base_loopbreak(f->base);
}

static void
timeout_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	event_base_loopbreak(arg);
}

/* Run the loop until the request is answered or 5 s pass. */
static int
fetch(struct event_base *base, uint16_t port, const char *path,
    struct fetch *f)
{
	struct evhttp_connection *c;
	struct evhttp_request *req;
	struct event *t = evtimer_new(base, timeout_cb, base);
	struct timeval tv = { 5, 0 };

	memset(f, 0, sizeof(*f));
	f->base = base;
	c = evhttp_connection_base_new(base, NULL, "127.0.0.1", port);
	ck_assert_ptr_nonnull(c);
	req = evhttp_request_new(fetch_cb, f);
	evhttp_make_request(c, req, EVHTTP_REQ_GET, path);
	evtimer_add(t, &tv);
	while (!f->done && evtimer_pending(t, NULL))
		event_base_loop(base, EVLOOP_ONCE);
	event_free(t);
	evhttp_connection_free(c);
	return f->code;
}

/* Let the server run for ms (accept, reap). */
static void
spin(struct event_base *base, unsigned ms)
{
	struct event *t = evtimer_new(base, timeout_cb, base);
	struct timeval tv = { 0, (suseconds_t)ms * 1000 };

	evtimer_add(t, &tv);
	event_base_dispatch(base);
	event_free(t);
}

/* A listening socket on a free loopback port (the port stays taken). */
static int
listener(uint16_t *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

/* A port nobody listens on (free a moment ago). */
static uint16_t
free_port(void)
{
	uint16_t port;

	close(listener(&port));
	return port;
}

static int
connect_to(uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(port);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	return fd;
}

START_TEST(t_configure)
{
	struct agent ag;
	struct metrics *m;
	struct fetch f;
	uint16_t p1 = free_port(), p2, p3;
	int busy = listener(&p2), held;
	char l1[32], l2[32], l3[32];
	char buf[1];

	signal(SIGPIPE, SIG_IGN);	/* as ternd: a refused client's write */
	memset(&ag, 0, sizeof(ag));
	ag.base = event_base_new();
	ag.started = time(NULL);
	m = metrics_new(&ag);
	snprintf(l1, sizeof(l1), "127.0.0.1:%u", p1);
	snprintf(l2, sizeof(l2), "127.0.0.1:%u", p2);
	ck_assert_int_eq(fetch(ag.base, p1, "/metrics", &f), 0);
	ck_assert_int_eq(metrics_configure(m, l1, 2), 0);
	ck_assert_int_eq(fetch(ag.base, p1, "/metrics", &f), 200);
	ck_assert_ptr_nonnull(strstr(f.body, "tern_build_info{version="));
	ck_assert_int_eq(fetch(ag.base, p1, "/", &f), 404);
	/* the same value: nothing happens; a bind failure keeps the old */
	ck_assert_int_eq(metrics_configure(m, l1, 2), 0);
	ck_assert_int_eq(metrics_configure(m, l2, 2), -1);
	ck_assert_int_eq(fetch(ag.base, p1, "/metrics", &f), 200);
	ck_assert_ptr_nonnull(strstr(f.body, "tern_metrics_scrapes_total 2\n"));
	/* max_clients 1: one connection held, the next one is shut */
	ck_assert_int_eq(metrics_configure(m, l1, 1), 0);
	held = connect_to(p1);
	spin(ag.base, 50);
	ck_assert_int_eq(fetch(ag.base, p1, "/metrics", &f), 0);
	close(held);
	spin(ag.base, 1100);	/* one tick reaps */
	ck_assert_int_eq(fetch(ag.base, p1, "/metrics", &f), 200);
	ck_assert_ptr_nonnull(strstr(f.body,
	    "tern_metrics_clients_refused_total 1\n"));
	ck_assert_ptr_nonnull(strstr(f.body, "tern_metrics_clients 1\n"));
	/* moved: the old port is closed, the new one serves */
	p3 = free_port();
	snprintf(l3, sizeof(l3), "127.0.0.1:%u", p3);
	ck_assert_int_eq(metrics_configure(m, l3, 2), 0);
	ck_assert_int_eq(fetch(ag.base, p1, "/metrics", &f), 0);
	ck_assert_int_eq(fetch(ag.base, p3, "/metrics", &f), 200);
	/* a client connected while the endpoint goes off is closed */
	held = connect_to(p3);
	spin(ag.base, 50);
	ck_assert_int_eq(metrics_configure(m, "", 2), 0);
	ck_assert_int_eq(recv(held, buf, 1, 0), 0);
	close(held);
	ck_assert_int_eq(fetch(ag.base, p3, "/metrics", &f), 0);
	ck_assert_int_eq(metrics_configure(m, NULL, 2), 0);
	/* on again, then freed while a client is connected */
	ck_assert_int_eq(metrics_configure(m, l3, 2), 0);
	held = connect_to(p3);
	spin(ag.base, 50);
	metrics_free(m);
	metrics_free(NULL);
	close(held);
	close(busy);
	event_base_free(ag.base);
}
END_TEST

static Suite *
metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("render");

	tcase_add_test(tc, t_checker);
	tcase_add_test(tc, t_escape);
	tcase_add_test(tc, t_empty);
	tcase_add_test(tc, t_bfd);
	tcase_add_test(tc, t_full);
	tcase_add_test(tc, t_file_ds);
	suite_add_tcase(s, tc);
	tc = tcase_create("server");
	tcase_add_test(tc, t_configure);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_run(metrics_suite());
}
