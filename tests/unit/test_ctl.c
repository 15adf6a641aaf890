/*
 * test_ctl.c: the control socket (ctl/): BIRD's reply framing and code
 * switching, request framing and limits, pipelining, restrict and down,
 * replies produced in pieces for a client that reads slowly, the parser
 * and its BIRD error wording, wildcard patterns, and the BIRD 1.6 layouts
 * (Since, show protocols rows) byte for byte against the reference; the
 * bounds on clients (idle timeout, eviction at the client and per-uid
 * limits, their counters) and the socket file's mode from bind on; tern's
 * own forms: "json show ..." (JSON in 1100 lines, every string escaped, the
 * escaper against hostile bytes), "debug" in BIRD's syntax and tern's (the
 * hook, restrict), and the IPv6 socket's path beside the first. The
 * server runs on a real event loop; clients are socketpairs driven from
 * here, and a recording struct ctl_ops stands in for the agent.
 */
#include <check.h>

#include "check_run.h"
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "ctl.h"
#include "log.h"

/* ---- a recording agent ---- */

static struct {
	int	 runs, cancels, downs;
	size_t	 route_lines;		/* show route: lines to produce */
	size_t	 produced;		/* show route: lines produced so far */
	bool	 wait_once;		/* configure: CTL_WAIT the first time */
	uint64_t rx[8];			/* configure: req->rx_ns */
	size_t	 nrx;
	int	 debugs;		/* the debug hook's calls */
	struct ctl_req dreq;		/* its last request */
} rec;

/* What "json show status" answers here: hostile strings, a long one. */
static const char *const json_hostile[] = {
	"quote\" back\\slash",
	"ctl\x01\x1f\x7f nl\n tab\t",
	"bad utf8 \xff\xc3 over \xc0\xaf sur \xed\xa0\x80 ok \xc3\xa9\xe2\x82\xac",
	"0001 BIRD fake\n0000 ",
};

static void
json_status(struct ctl_client *c)
{
	struct ctl_json j;
	char big[1500];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[700] = '"';
	ctl_json_init(&j, c);
	ctl_json_open(&j, NULL);
	ctl_json_array(&j, "s");
	for (size_t i = 0; i < NITEMS(json_hostile); i++)
		ctl_json_str(&j, NULL, json_hostile[i]);
	ctl_json_end(&j);
	ctl_json_str(&j, "big", big);
	ctl_json_uint(&j, "n", 18446744073709551615ull);
	ctl_json_int(&j, "neg", -5);
	ctl_json_bool(&j, "t", true);
	ctl_json_null(&j, "z");
	ctl_json_time(&j, "when", 1796369176);
	ctl_json_time(&j, "never", 0);
	ctl_json_open(&j, "empty");
	ctl_json_close(&j);
	ctl_json_close(&j);
	ctl_json_flush(&j);
	ctl_final(c, 0, "%s", "");
}

static bool
known(void *arg, const char *name)
{
	(void)arg;
	return strcmp(name, "kernel1") == 0 ||
	    strncmp(name, "Mesh_", 5) == 0;
}

static enum ctl_result
run_route(struct ctl_client *c, struct ctl_req *req)
{
	while (req->pos < rec.route_lines && ctl_room(c)) {
		ctl_printf(c, 1007, "10.%zu.%zu.0/24 via 198.18.0.2 on eth0",
		    req->pos / 256, req->pos % 256);
		req->pos++;
		rec.produced++;
	}
	if (req->pos < rec.route_lines)
		return CTL_MORE;
	ctl_final(c, 0, "%s", "");
	return CTL_DONE;
}

static enum ctl_result
run(void *arg, struct ctl_client *c, struct ctl_req *req)
{
	(void)arg;
	rec.runs++;
	switch (req->verb) {
	case CTL_SHOW_STATUS:
		if (req->flags & CTL_F_JSON) {
			json_status(c);
			return CTL_DONE;
		}
		ctl_printf(c, 1000, "BIRD test");
		ctl_printf(c, 1011, "Router ID is 198.18.0.1");
		ctl_printf(c, 1011, "Current server time is now");
		ctl_final(c, 13, "Daemon is up and running");
		return CTL_DONE;
	case CTL_SHOW_PROTOCOLS:
		if (req->flags & CTL_F_ALL) {	/* a line over 512 bytes */
			ctl_printf(c, 1002, "%0600d", 1);
			ctl_final(c, 0, "%s", "");
			return CTL_DONE;
		}
		ctl_printf(c, 2002, "%s", CTL_PROTO_HEADER);
		ctl_printf(c, 1002, "row1");
		ctl_printf(c, 1006, "  detail");
		ctl_printf(c, 1006, "%s", "");
		ctl_printf(c, 1002, "row2");
		ctl_printf(c, 1002, "row3");
		ctl_final(c, 0, "%s", "");
		return CTL_DONE;
	case CTL_SHOW_ROUTE:
		return run_route(c, req);
	case CTL_CONFIGURE:
	default:
		if (rec.nrx < NITEMS(rec.rx))
			rec.rx[rec.nrx++] = req->rx_ns;
		if (rec.wait_once) {
			rec.wait_once = false;
			return CTL_WAIT;
		}
		ctl_printf(c, 2, "Reading configuration from x.yaml");
		ctl_final(c, 3, "Reconfigured");
		return CTL_DONE;
	}
}

static void
cancel(void *arg, struct ctl_req *req)
{
	(void)arg;
	(void)req;
	rec.cancels++;
}

static void
down(void *arg)
{
	(void)arg;
	rec.downs++;
}

static void
debug_hook(void *arg, struct ctl_client *c, const struct ctl_req *req)
{
	(void)arg;
	rec.debugs++;
	rec.dreq = *req;
	ctl_final(c, 0, "%s", "");
}

static const struct ctl_ops ops = {
	.run = run, .cancel = cancel, .down = down, .known = known,
};

static struct event_base *base;
static struct ctl *ctl;

static void
setup(void)
{
	memset(&rec, 0, sizeof(rec));
	base = event_base_new();
	ctl = ctl_new(base, "/nonexistent/ctl", "9.9.9", &ops, NULL);
}

static void
teardown(void)
{
	ctl_free(ctl);
	event_base_free(base);
}

/* A client: our end of a socketpair whose other end the server serves. */
static int
client(void)
{
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(ctl_attach(ctl, sv[0]), 0);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	return sv[1];
}

static size_t
count_finals(const char *s)
{
	size_t n = 0;

	for (const char *l = s; *l != '\0'; ) {
		const char *nl = strchr(l, '\n');

		if (nl == NULL)
			break;
		if (nl - l >= 5 && l[4] == ' ' && l[0] >= '0' && l[0] <= '9')
			n++;
		l = nl + 1;
	}
	return n;
}

/* Run the loop and read until nfinal final lines came (or 3 s passed). */
static char *
collect(int fd, size_t nfinal)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	struct timespec t0, t;
	ssize_t n;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	buf[0] = '\0';
	for (;;) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
			len += (size_t)n;
			buf[len] = '\0';
			if (cap - len < 4096)
				buf = realloc(buf, cap *= 2);
		}
		if (count_finals(buf) >= nfinal)
			return buf;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > 3)
			return buf;
		usleep(1000);
	}
}

/* Run the loop and read until needle shows up (or 3 s passed). */
static char *
collect_until(int fd, const char *needle)
{
	char *r = NULL, *all = calloc(1, 1);

	for (int i = 0; i < 3000 && strstr(all, needle) == NULL; i++) {
		r = collect(fd, 0);
		all = realloc(all, strlen(all) + strlen(r) + 1);
		strcat(all, r);
		free(r);
		usleep(1000);
	}
	return all;
}

static char *
converse(int fd, const char *send, size_t nfinal)
{
	ck_assert_int_eq(write(fd, send, strlen(send)), (ssize_t)strlen(send));
	return collect(fd, nfinal);
}

/* ---- framing ---- */

START_TEST(t_greeting)
{
	int fd = client();
	char *r = collect(fd, 1);

	ck_assert_str_eq(r, "0001 BIRD 9.9.9 ready.\n");
	free(r);
	close(fd);
}
END_TEST

START_TEST(t_codes_and_continuation)
{
	int fd = client();
	char *r = converse(fd, "show status\nshow protocols\n", 3);

	ck_assert_str_eq(r,
	    "0001 BIRD 9.9.9 ready.\n"
	    "1000-BIRD test\n"
	    "1011-Router ID is 198.18.0.1\n"
	    " Current server time is now\n"
	    "0013 Daemon is up and running\n"
	    "2002-name     proto    table    state  since       info\n"
	    "1002-row1\n"
	    "1006-  detail\n"
	    " \n"
	    "1002-row2\n"
	    " row3\n"
	    "0000 \n");
	free(r);
	close(fd);
}
END_TEST

/* Pipelined lines written before the greeting is read, \r dropped. */
START_TEST(t_pipelined_in_order)
{
	int fd = client();
	char *r = converse(fd,
	    "quit\r\nshow status\r\nconfigure\n\nbogus\n", 5);
	const char *a = strstr(r, "0013 "), *b = strstr(r, "0003 Reconf"),
	    *c = strstr(r, "9001 syntax error, unexpected END\n"),
	    *d = strstr(r, "9001 syntax error, unexpected CF_SYM_UNDEFINED\n");

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_nonnull(d);
	ck_assert(a < b && b < c && c < d);
	ck_assert_int_eq(count_finals(r), 5);	/* quit: no reply at all */
	free(r);
	close(fd);
}
END_TEST

START_TEST(t_line_limits)
{
	int fd = client();
	char *line = malloc(CTL_CMD_MAX + 3), *r;

	memset(line, 'x', CTL_CMD_MAX);
	line[CTL_CMD_MAX] = '\n';
	line[CTL_CMD_MAX + 1] = '\0';
	r = converse(fd, line, 2);	/* 4093 bytes: parsed */
	ck_assert_ptr_nonnull(strstr(r, "\n9001 syntax error"));
	free(r);
	memset(line, 'y', CTL_CMD_MAX + 1);
	line[CTL_CMD_MAX + 1] = '\n';
	line[CTL_CMD_MAX + 2] = '\0';
	r = converse(fd, line, 1);	/* 4094 bytes: too long */
	ck_assert_str_eq(r, "9000 Command too long\n");
	free(r);
	free(line);
	close(fd);
}
END_TEST

/* A 1 MB line costs nothing but its 9000; the client is still served. */
START_TEST(t_megabyte_line)
{
	int fd = client();
	size_t sent = 0, len = 1 << 20;
	char *big = malloc(len), *r;
	ssize_t n;

	free(collect(fd, 1));
	memset(big, 'z', len);
	while (sent < len) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		if ((n = write(fd, big + sent, len - sent)) > 0)
			sent += (size_t)n;
	}
	r = converse(fd, "\nshow status\n", 2);
	ck_assert(strncmp(r, "9000 Command too long\n1000-", 27) == 0);
	free(r);
	free(big);
	close(fd);
}
END_TEST

START_TEST(t_restrict)
{
	int fd = client();
	char *r = converse(fd, "configure\nrestrict\nconfigure\nshow status\n"
	    "down\n", 6);

	ck_assert_ptr_nonnull(strstr(r, "0003 Reconfigured\n0016 Access "
	    "restricted\n8007 Access denied\n1000-"));
	ck_assert_ptr_nonnull(strstr(r, "0013 Daemon is up and running\n"
	    "8007 Access denied\n"));
	ck_assert_int_eq(rec.downs, 0);
	free(r);
	close(fd);
}
END_TEST

START_TEST(t_down)
{
	int fd = client();
	char *r = converse(fd, "down\nshow status\n", 3);

	ck_assert_str_eq(r,
	    "0001 BIRD 9.9.9 ready.\n0007 Shutdown requested\n");
	ck_assert_int_eq(rec.downs, 1);
	free(r);
	close(fd);
}
END_TEST

/* A reply line longer than BIRD's 512 bytes becomes 8000 <line overflow>. */
START_TEST(t_line_overflow)
{
	int fd = client();
	char *r;

	free(collect(fd, 1));
	r = converse(fd, "show protocols all\n", 1);
	ck_assert_str_eq(r, "8000-<line overflow>\n0000 \n");
	free(r);
	close(fd);
}
END_TEST

/* The slow client: production stops at the bound, resumes as it reads. */
START_TEST(t_continuation_bounded)
{
	int fd = client(), one = 1 << 14;
	char *r;
	size_t lines = 0;

	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &one, sizeof(one));
	rec.route_lines = 200000;	/* about 8 MB of output */
	free(collect(fd, 1));
	ck_assert_int_eq(write(fd, "show route\n", 11), 11);
	for (int i = 0; i < 200; i++)
		event_base_loop(base, EVLOOP_NONBLOCK);	/* nobody reads */
	/* the bound plus what the socket buffers hold, not 8 MB */
	ck_assert_uint_lt(rec.produced * 40, 1536 * 1024);
	ck_assert_uint_gt(rec.produced, 0);
	r = collect(fd, 1);			/* now read it all */
	for (const char *p = r; (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	ck_assert_uint_eq(lines, rec.route_lines + 1);
	ck_assert(strncmp(r, "1007-10.0.0.0/24 via", 20) == 0);
	ck_assert_ptr_nonnull(strstr(r, "\n 10.0.1.0/24 via"));
	ck_assert_ptr_nonnull(strstr(r, "\n 10.3.13.0/24 via 198.18.0.2 on "
	    "eth0\n 10.3.14.0/24"));
	ck_assert_str_eq(r + strlen(r) - 7, "\n0000 \n");
	free(r);
	close(fd);
}
END_TEST

/* A client that goes away in the middle of a long reply is cancelled. */
START_TEST(t_cancel_on_close)
{
	int fd = client();

	rec.route_lines = 1000000;
	free(collect(fd, 1));
	ck_assert_int_eq(write(fd, "show route\n", 11), 11);
	for (int i = 0; i < 20; i++)
		event_base_loop(base, EVLOOP_NONBLOCK);
	close(fd);
	for (int i = 0; i < 20 && rec.cancels == 0; i++)
		event_base_loop(base, EVLOOP_NONBLOCK);
	ck_assert_int_eq(rec.cancels, 1);
	ck_assert_uint_lt(rec.produced, rec.route_lines);
	ck_assert_uint_eq(ctl_nclients(ctl), 0);
}
END_TEST

START_TEST(t_wait_and_wakeup)
{
	int fd = client();
	char *r;

	rec.wait_once = true;
	free(collect(fd, 1));
	ck_assert_int_eq(write(fd, "configure\nshow status\n", 22), 22);
	for (int i = 0; i < 20; i++)
		event_base_loop(base, EVLOOP_NONBLOCK);
	ck_assert_int_eq(rec.runs, 1);		/* waiting; status not run */
	ctl_wakeup(ctl);
	r = collect(fd, 2);
	ck_assert(strncmp(r, "0002-Reading configuration from x.yaml\n"
	    "0003 Reconfigured\n1000-", 62) == 0);
	free(r);
	close(fd);
}
END_TEST

/* Many clients at once, each answered; random bytes answered with 9001. */
START_TEST(t_many_clients)
{
	int fds[200];
	char *r;
	unsigned char junk[3000];

	for (int i = 0; i < 200; i++) {
		fds[i] = client();
		ck_assert_int_eq(write(fds[i], "show status\n", 12), 12);
	}
	srandom(7);
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)random();
	ck_assert_int_eq(write(fds[0], junk, sizeof(junk)), sizeof(junk));
	for (int i = 0; i < 200; i++) {
		r = collect(fds[i], 2);
		ck_assert_ptr_nonnull(strstr(r,
		    "0013 Daemon is up and running\n"));
		free(r);
	}
	ck_assert_int_eq(write(fds[0], "\nshow status\n", 13), 13);
	r = collect_until(fds[0], "0013 Daemon is up and running\n");
	ck_assert_ptr_nonnull(strstr(r, "0013 Daemon is up and running\n"));
	free(r);
	ck_assert_uint_eq(ctl_nclients(ctl), 200);
	for (int i = 0; i < 200; i++)
		close(fds[i]);
	for (int i = 0; i < 50 && ctl_nclients(ctl) > 0; i++)
		event_base_loop(base, EVLOOP_NONBLOCK);
	ck_assert_uint_eq(ctl_nclients(ctl), 0);
}
END_TEST

/* A client that half-closes after its commands still gets its replies. */
START_TEST(t_eof_after_commands)
{
	int fd = client();
	char *r;

	ck_assert_int_eq(write(fd, "show status\n", 12), 12);
	shutdown(fd, SHUT_WR);
	r = collect(fd, 2);
	ck_assert_ptr_nonnull(strstr(r, "0013 Daemon is up and running\n"));
	free(r);
	for (int i = 0; i < 20 && ctl_nclients(ctl) > 0; i++)
		event_base_loop(base, EVLOOP_NONBLOCK);
	ck_assert_uint_eq(ctl_nclients(ctl), 0);
	close(fd);
}
END_TEST

/* The lines of one read share its time; a later read's is later. */
START_TEST(t_rx_time)
{
	int fd = client();
	char *r;

	r = converse(fd, "configure\nconfigure\n", 3);
	free(r);
	usleep(2000);
	r = converse(fd, "configure\n", 1);
	free(r);
	ck_assert_uint_eq(rec.nrx, 3);
	ck_assert_uint_ne(rec.rx[0], 0);
	ck_assert_uint_eq(rec.rx[1], rec.rx[0]);
	ck_assert_uint_gt(rec.rx[2], rec.rx[1]);
	close(fd);
}
END_TEST

/* ---- bounds on clients ---- */

static void
set_params(unsigned idle, unsigned max, unsigned per_uid)
{
	struct ctl_params p = {
		.idle_secs = idle, .max_clients = max, .max_per_uid = per_uid,
	};

	ctl_set_params(ctl, &p);
}

/* Run the loop and read (discarding) until EOF or ms passed. */
static bool
closed_within(int fd, int ms)
{
	char buf[4096];
	ssize_t n;

	for (int i = 0; i < ms; i++) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			;
		if (n == 0)
			return true;
		usleep(1000);
	}
	return false;
}

static struct ctl_stats
stats(void)
{
	struct ctl_stats st;

	ctl_stats(ctl, &st);
	return st;
}

/* No command for idle_secs: closed; a partial line is no command. */
START_TEST(t_idle_timeout)
{
	int quiet, partial, busy;
	char *r;

	set_params(1, CTL_MAX_CLIENTS, 0);
	quiet = client();
	partial = client();
	busy = client();
	ck_assert_int_eq(write(partial, "show sta", 8), 8);
	for (int i = 0; i < 6; i++) {	/* a command each 300 ms */
		r = converse(busy, "show status\n", i == 0 ? 2 : 1);
		ck_assert_ptr_nonnull(strstr(r, "0013 Daemon"));
		free(r);
		ck_assert(!closed_within(busy, 300));
	}
	/* 1.8 s: the two that sent no command are gone */
	ck_assert(closed_within(quiet, 10));
	ck_assert(closed_within(partial, 10));
	ck_assert(closed_within(busy, 1500));	/* and now this one */
	ck_assert_uint_eq(stats().idle_closed, 3);
	ck_assert_uint_eq(stats().clients, 0);
	close(quiet);
	close(partial);
	close(busy);
}
END_TEST

/* The default: 30 s (and 0 turns it off). */
START_TEST(t_idle_default)
{
	int fd;

	fd = client();
	ck_assert(!closed_within(fd, 100));
	ck_assert_uint_eq(stats().idle_closed, 0);
	close(fd);
	set_params(0, CTL_MAX_CLIENTS, 0);
	fd = client();
	ck_assert(!closed_within(fd, 1200));
	close(fd);
}
END_TEST

/* At the limit a new client gets in; the least recently active goes. */
START_TEST(t_evict_oldest_idle)
{
	int a, b, c, d;
	char *r;

	set_params(0, 3, 0);
	a = client();
	b = client();
	c = client();
	r = converse(a, "show status\n", 2);	/* a: the most recent */
	free(r);
	d = client();
	r = converse(d, "show status\n", 2);
	ck_assert_ptr_nonnull(strstr(r, "0013 Daemon"));
	free(r);
	ck_assert(closed_within(b, 50));
	ck_assert(!closed_within(a, 50));
	ck_assert(!closed_within(c, 10));
	ck_assert_uint_eq(stats().evicted_full, 1);
	ck_assert_uint_eq(stats().evicted_uid, 0);
	ck_assert_uint_eq(stats().clients, 3);
	ck_assert_uint_eq(stats().accepted, 4);
	close(a);
	close(b);
	close(c);
	close(d);
}
END_TEST

/* Idle clients go before busy ones; with none idle, the oldest busy. */
START_TEST(t_evict_idle_first)
{
	int a, b, c, d;
	char *r;

	set_params(0, 2, 0);
	rec.route_lines = 1000000;
	a = client();
	free(collect(a, 1));
	ck_assert_int_eq(write(a, "show route\n", 11), 11);
	for (int i = 0; i < 20; i++)		/* a: busy, never reads */
		event_base_loop(base, EVLOOP_NONBLOCK);
	b = client();
	r = converse(b, "show status\n", 2);
	free(r);
	c = client();				/* b is idle: b goes */
	ck_assert(closed_within(b, 50));
	ck_assert_int_eq(rec.cancels, 0);
	ck_assert_int_eq(write(c, "show route\n", 11), 11);
	for (int i = 0; i < 20; i++)		/* c: busy too */
		event_base_loop(base, EVLOOP_NONBLOCK);
	d = client();				/* a made progress first */
	ck_assert_int_eq(rec.cancels, 1);
	ck_assert(closed_within(a, 50));
	r = converse(d, "show status\n", 2);
	ck_assert_ptr_nonnull(strstr(r, "0013 Daemon"));
	free(r);
	ck_assert_uint_eq(stats().evicted_full, 2);
	close(a);
	close(b);
	close(c);
	close(d);
}
END_TEST

/* One uid holds at most max_per_uid: its own oldest goes, nobody else's. */
START_TEST(t_uid_cap)
{
	int fds[5];
	char *r;

	set_params(0, 10, 2);
	for (int i = 0; i < 5; i++)
		fds[i] = client();
	for (int i = 0; i < 3; i++)
		ck_assert(closed_within(fds[i], 20));
	r = converse(fds[4], "show status\n", 2);
	ck_assert_ptr_nonnull(strstr(r, "0013 Daemon"));
	free(r);
	ck_assert(!closed_within(fds[3], 20));
	ck_assert_uint_eq(stats().evicted_uid, 3);
	ck_assert_uint_eq(stats().evicted_full, 0);
	ck_assert_uint_eq(stats().clients, 2);
	for (int i = 0; i < 5; i++)
		close(fds[i]);
}
END_TEST

/* The defaults let 600 clients in a row connect, the last one served. */
START_TEST(t_many_idle)
{
	int fds[600];
	char *r;

	for (int i = 0; i < 600; i++)
		fds[i] = client();
	r = converse(fds[599], "show status\n", 2);
	ck_assert_ptr_nonnull(strstr(r, "0013 Daemon"));
	free(r);
	ck_assert_uint_le(stats().clients, CTL_MAX_PER_UID);
	ck_assert_uint_eq(stats().evicted_uid, 600 - CTL_MAX_PER_UID);
	for (int i = 0; i < 600; i++)
		close(fds[i]);
}
END_TEST

/* ---- the socket file ---- */

/* bind, watched: the mode of the file it created, right after it. */
static int bound_mode = -1;

int
bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	int (*real)(int, const struct sockaddr *, socklen_t);
	const struct sockaddr_un *sun = (const struct sockaddr_un *)sa;
	struct stat st;
	int r;

	*(void **)&real = dlsym(RTLD_NEXT, "bind");
	r = real(fd, sa, len);
	if (r == 0 && sa->sa_family == AF_UNIX &&
	    stat(sun->sun_path, &st) == 0)
		bound_mode = (int)(st.st_mode & 0777);
	return r;
}

/* Never more open than 0660, not even between bind and chmod. */
START_TEST(t_socket_mode_at_bind)
{
	char dir[] = "/tmp/test_ctl.XXXXXX", path[128];
	struct stat st;
	struct ctl *c1;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/bird.ctl", dir);
	umask(0);
	c1 = ctl_new(base, path, "1", &ops, NULL);
	ck_assert_int_eq(ctl_start(c1), 0);
	ck_assert_int_eq(bound_mode, 0660);
	ctl_free(c1);
	umask(077);		/* stricter: group bits given back after */
	c1 = ctl_new(base, path, "1", &ops, NULL);
	ck_assert_int_eq(ctl_start(c1), 0);
	ck_assert_int_eq(bound_mode, 0600);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0660);
	ctl_free(c1);
	rmdir(dir);
}
END_TEST

START_TEST(t_socket_file)
{
	char dir[] = "/tmp/test_ctl.XXXXXX", path[128];
	struct ctl *c1, *c2;
	struct stat st;
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sub/bird.ctl", dir);
	c1 = ctl_new(base, path, "1", &ops, NULL);
	ck_assert_int_eq(ctl_start(c1), 0);	/* creates sub/ */
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_int_eq(st.st_mode & 0777, 0660);
	c2 = ctl_new(base, path, "2", &ops, NULL);
	ck_assert_int_eq(ctl_start(c2), -1);	/* in use: not stolen */
	ctl_free(c2);
	ck_assert_int_eq(stat(path, &st), 0);
	ctl_free(c1);
	ck_assert_int_eq(stat(path, &st), -1);	/* unlinked */
	/* a stale file (nobody listening) is replaced */
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	c1 = ctl_new(base, path, "3", &ops, NULL);
	ck_assert_int_eq(ctl_start(c1), 0);
	ctl_free(c1);
	snprintf(path, sizeof(path), "%s/sub", dir);
	rmdir(path);
	rmdir(dir);
}
END_TEST

/* ---- tern's own: JSON replies, debug ---- */

static enum ctl_action	parse(const char *, struct ctl_req *, char *);

/*
 * The JSON reply: 1100 lines then "0000 ", none over 512 bytes, and the
 * texts concatenated are the document, every hostile string escaped.
 */
START_TEST(t_json_reply)
{
	int fd = client();
	char *r = converse(fd, "json show status\n", 2), *doc, *l, *nl;
	size_t o = 0, n = 0;
	const char *want_head = "{\"s\":[\"quote\\\" back\\\\slash\","
	    "\"ctl\\u0001\\u001f\\u007f nl\\u000a tab\\u0009\","
	    "\"bad utf8 \\ufffd\\ufffd over \\ufffd\\ufffd sur "
	    "\\ufffd\\ufffd\\ufffd ok \xc3\xa9\xe2\x82\xac\","
	    "\"0001 BIRD fake\\u000a0000 \"],\"big\":\"xxx";
	const char *want_tail = "xxx\",\"n\":18446744073709551615,"
	    "\"neg\":-5,\"t\":true,\"z\":null,"
	    "\"when\":\"2026-12-04T07:26:16Z\",\"never\":null,"
	    "\"empty\":{}}";

	doc = calloc(1, strlen(r) + 1);
	l = strchr(r, '\n') + 1;		/* after the greeting */
	ck_assert(strncmp(l, "1100-", 5) == 0);
	for (; (nl = strchr(l, '\n')) != NULL; l = nl + 1, n++) {
		ck_assert_int_le(nl - l + 1, CTL_LINE_SIZE);
		if (strncmp(l, "0000 ", 5) == 0)
			break;
		if (n > 0)
			ck_assert_int_eq(l[0], ' ');
		memcpy(doc + o, l + (n == 0 ? 5 : 1),
		    (size_t)(nl - l) - (n == 0 ? 5 : 1));
		o += (size_t)(nl - l) - (n == 0 ? 5 : 1);
	}
	ck_assert_str_eq(l, "0000 \n");
	ck_assert_uint_gt(n, 3);		/* the big string took lines */
	ck_assert(strncmp(doc, want_head, strlen(want_head)) == 0);
	ck_assert(strcmp(doc + o - strlen(want_tail), want_tail) == 0);
	ck_assert_ptr_nonnull(strstr(doc, "xx\\\"xx"));
	free(doc);
	free(r);
	close(fd);
}
END_TEST

START_TEST(t_json_escape)
{
	char out[64];

	ctl_json_escape(out, sizeof(out), "a\"b", 3);
	ck_assert_str_eq(out, "a\\\"b");
	/* 4-byte UTF-8 stays; above U+10FFFF and a cut sequence do not */
	ctl_json_escape(out, sizeof(out), "\xf0\x9f\x98\x80", 4);
	ck_assert_str_eq(out, "\xf0\x9f\x98\x80");
	ctl_json_escape(out, sizeof(out), "\xf4\x90\x80\x80", 4);
	ck_assert_str_eq(out, "\\ufffd\\ufffd\\ufffd\\ufffd");
	ctl_json_escape(out, sizeof(out), "\xe2\x82", 2);
	ck_assert_str_eq(out, "\\ufffd\\ufffd");
	/* a NUL inside the bytes is escaped, not an end */
	ctl_json_escape(out, sizeof(out), "a\0b", 3);
	ck_assert_str_eq(out, "a\\u0000b");
	/* truncated whole pieces only */
	ck_assert_uint_eq(ctl_json_escape(out, 8, "\x01\x01", 2), 6);
	ck_assert_str_eq(out, "\\u0001");
}
END_TEST

START_TEST(t_debug_parse)
{
	struct ctl_req r;
	char err[256];

	ck_assert_int_eq(parse("debug all all", &r, err), CTL_A_DEBUG);
	ck_assert(r.pattern && r.name[0] == '\0');
	ck_assert_int_eq(r.debug_op, CTL_DBG_SET);
	ck_assert_uint_eq(r.debug_mask, LOG_D_ALL);
	ck_assert_int_eq(parse("debug all off", &r, err), CTL_A_DEBUG);
	ck_assert_uint_eq(r.debug_mask, 0);
	ck_assert_int_eq(parse("debug Mesh_198_18_0_2 { states, packets }",
	    &r, err), CTL_A_DEBUG);
	ck_assert_str_eq(r.name, "Mesh_198_18_0_2");
	ck_assert(!r.pattern);
	ck_assert_int_eq(r.debug_op, CTL_DBG_SET);
	ck_assert_uint_eq(r.debug_mask, LOG_D_STATES | LOG_D_PACKETS);
	ck_assert_int_eq(parse("debug \"Mesh*\" {routes,filters,interfaces,"
	    "events}", &r, err), CTL_A_DEBUG);
	ck_assert(r.pattern);
	ck_assert_str_eq(r.name, "Mesh*");
	ck_assert_uint_eq(r.debug_mask, LOG_D_ROUTES | LOG_D_EVENTS);
	ck_assert_int_eq(parse("debug states on", &r, err), CTL_A_DEBUG);
	ck_assert_int_eq(r.debug_op, CTL_DBG_ON);
	ck_assert_uint_eq(r.debug_mask, LOG_D_STATES);
	ck_assert_int_eq(parse("debug routes,events off", &r, err),
	    CTL_A_DEBUG);
	ck_assert_int_eq(r.debug_op, CTL_DBG_OFF);
	ck_assert_uint_eq(r.debug_mask, LOG_D_ROUTES | LOG_D_EVENTS);
	ck_assert_int_eq(parse("debug all on", &r, err), CTL_A_DEBUG);
	ck_assert_int_eq(r.debug_op, CTL_DBG_ON);
	ck_assert_uint_eq(r.debug_mask, LOG_D_ALL);
	ck_assert_int_eq(parse("json show protocols all", &r, err),
	    CTL_A_REQ);
	ck_assert_int_eq(r.verb, CTL_SHOW_PROTOCOLS);
	ck_assert_uint_eq(r.flags, CTL_F_ALL | CTL_F_JSON);
	ck_assert_int_eq(parse("json show route count", &r, err), CTL_A_REQ);
	ck_assert_uint_eq(r.flags, CTL_F_COUNT | CTL_F_JSON);
	for (const char *const *bad = (const char *const[]){
	    "debug", "debug all", "debug nobody all", "debug all { }",
	    "debug all { states", "debug all { states routes }",
	    "debug all { states, }", "debug all { bogus }", "debug all {states} x",
	    "debug states", "debug states maybe", "debug bogus on",
	    "debug all all all", "json", "json configure", "json down",
	    NULL }; *bad != NULL; bad++)
		ck_assert_msg(parse(*bad, &r, err) == CTL_A_ERROR,
		    "'%s' parsed", *bad);
}
END_TEST

/* The hook answers; restrict refuses first (BIRD); no hook: 9001. */
START_TEST(t_debug_hook)
{
	int fd = client();
	char *r = converse(fd, "debug all off\n", 2);

	ck_assert_ptr_nonnull(strstr(r, "\n9001 "));
	free(r);
	ctl_set_debug(ctl, debug_hook);
	r = converse(fd, "debug events on\nrestrict\ndebug all all\n", 3);
	ck_assert_str_eq(r, "0000 \n0016 Access restricted\n"
	    "8007 Access denied\n");
	ck_assert_int_eq(rec.debugs, 1);
	ck_assert_int_eq(rec.dreq.debug_op, CTL_DBG_ON);
	ck_assert_uint_eq(rec.dreq.debug_mask, LOG_D_EVENTS);
	free(r);
	close(fd);
}
END_TEST

START_TEST(t_socket6_path)
{
	char b[64];

	ck_assert_int_eq(ctl_socket6_path("/var/run/calico/bird.ctl", b,
	    sizeof(b)), 0);
	ck_assert_str_eq(b, "/var/run/calico/bird6.ctl");
	ck_assert_int_eq(ctl_socket6_path("bird.ctl", b, sizeof(b)), 0);
	ck_assert_str_eq(b, "bird6.ctl");
	/* not h16.ctl: that is host h16's socket beside it */
	ck_assert_int_eq(ctl_socket6_path("h1.ctl", b, sizeof(b)), 0);
	ck_assert_str_eq(b, "h1.ctl6");
	ck_assert_int_eq(ctl_socket6_path("/run/xbird.ctl", b, sizeof(b)), 0);
	ck_assert_str_eq(b, "/run/xbird.ctl6");
	ck_assert_int_eq(ctl_socket6_path("/run/ternd.sock", b, sizeof(b)),
	    0);
	ck_assert_str_eq(b, "/run/ternd.sock6");
	ck_assert_int_eq(ctl_socket6_path("/x.ctl/.ctl", b, sizeof(b)), 0);
	ck_assert_str_eq(b, "/x.ctl/.ctl6");
	ck_assert_int_eq(ctl_socket6_path("/var/run/calico/bird.ctl", b, 25),
	    -1);
	ck_assert_int_eq(ctl_socket6_path("/var/run/calico/bird.ctl", b, 26),
	    0);
}
END_TEST

START_TEST(t_rfc3339)
{
	char b[32];

	ck_assert_str_eq(ctl_fmt_rfc3339(b, sizeof(b), 0),
	    "1970-01-01T00:00:00Z");
	ck_assert_str_eq(ctl_fmt_rfc3339(b, sizeof(b), 1796369176),
	    "2026-12-04T07:26:16Z");
}
END_TEST

/* ---- the parser ---- */

static enum ctl_action
parse(const char *line, struct ctl_req *req, char *err)
{
	return ctl_parse(line, req, known, NULL, err, 256);
}

START_TEST(t_parse_ok)
{
	struct ctl_req r;
	char err[256];

	ck_assert_int_eq(parse("show status", &r, err), CTL_A_REQ);
	ck_assert_int_eq(r.verb, CTL_SHOW_STATUS);
	ck_assert_int_eq(parse("  show\tprotocols  ", &r, err), CTL_A_REQ);
	ck_assert_int_eq(r.verb, CTL_SHOW_PROTOCOLS);
	ck_assert_str_eq(r.name, "");
	ck_assert_int_eq(parse("show protocols all Mesh_198_18_0_2", &r,
	    err), CTL_A_REQ);
	ck_assert_uint_eq(r.flags, CTL_F_ALL);
	ck_assert_str_eq(r.name, "Mesh_198_18_0_2");
	ck_assert(!r.pattern);
	ck_assert_int_eq(parse("show protocols \"Mesh*\"", &r, err),
	    CTL_A_REQ);
	ck_assert_str_eq(r.name, "Mesh*");
	ck_assert(r.pattern);
	/* issue 15: BIRD 2's show bfd sessions [<protocol>] */
	ck_assert_int_eq(parse("show bfd sessions", &r, err), CTL_A_REQ);
	ck_assert_int_eq(r.verb, CTL_SHOW_BFD);
	ck_assert_int_eq(parse("show bfd sessions bfd1", &r, err), CTL_A_REQ);
	ck_assert_int_eq(r.verb, CTL_SHOW_BFD);
	ck_assert_int_eq(parse("show bfd", &r, err), CTL_A_ERROR);
	ck_assert_int_eq(parse("show bfd sessions a b", &r, err),
	    CTL_A_ERROR);
	ck_assert_int_eq(parse("show route", &r, err), CTL_A_REQ);
	ck_assert_int_eq(r.verb, CTL_SHOW_ROUTE);
	ck_assert_int_eq(r.target, CTL_T_NONE);
	ck_assert_int_eq(parse("show route all for 10.244.2.7", &r, err),
	    CTL_A_REQ);
	ck_assert_int_eq(r.target, CTL_T_FOR);
	ck_assert_uint_eq(r.net.len, 32);
	ck_assert_uint_eq(r.flags, CTL_F_ALL);
	ck_assert_int_eq(parse("show route 10.244.2.0/26 count", &r, err),
	    CTL_A_REQ);
	ck_assert_int_eq(r.target, CTL_T_NET);
	ck_assert_uint_eq(r.net.len, 26);
	ck_assert_uint_eq(r.flags, CTL_F_COUNT);
	ck_assert_int_eq(parse("show route for fd00::1 table master6 "
	    "protocol Mesh_x primary", &r, err), CTL_A_REQ);
	ck_assert_uint_eq(r.af, AF_INET6);
	ck_assert_str_eq(r.proto, "Mesh_x");
	ck_assert_uint_eq(r.flags, CTL_F_PRIMARY);
	ck_assert_int_eq(parse("configure", &r, err), CTL_A_REQ);
	ck_assert_int_eq(r.verb, CTL_CONFIGURE);
	ck_assert_int_eq(parse("configure soft", &r, err), CTL_A_REQ);
	ck_assert_int_eq(parse("restrict", &r, err), CTL_A_RESTRICT);
	ck_assert_int_eq(parse("down", &r, err), CTL_A_DOWN);
	ck_assert_int_eq(parse("quit", &r, err), CTL_A_IGNORE);
	ck_assert_int_eq(parse("exit", &r, err), CTL_A_IGNORE);
	ck_assert_int_eq(parse("help show", &r, err), CTL_A_IGNORE);
}
END_TEST

struct perr {
	const char	*line;
	const char	*err;
};

/* BIRD 2.0.12's words, from reference/birdc-protocol.md 1.1 and 7 */
static const struct perr perrs[] = {
	{ "", "syntax error, unexpected END" },
	{ "show", "syntax error, unexpected END" },
	{ "bogus", "syntax error, unexpected CF_SYM_UNDEFINED" },
	{ "show protocols nonexist", "syntax error, unexpected "
	    "CF_SYM_UNDEFINED, expecting END or CF_SYM_KNOWN or TEXT or ALL" },
	{ "show protocols all nonexist", "syntax error, unexpected "
	    "CF_SYM_UNDEFINED, expecting END or CF_SYM_KNOWN or TEXT" },
	{ "show protocols 12", "syntax error, unexpected NUM, expecting END "
	    "or CF_SYM_KNOWN or TEXT or ALL" },
	{ "show status now", "syntax error, unexpected CF_SYM_UNDEFINED, "
	    "expecting END" },
	{ "show interfaces", "syntax error, unexpected INTERFACES" },
	{ "show route for", "syntax error, unexpected END" },
	{ "show route for nothing", "syntax error, unexpected "
	    "CF_SYM_UNDEFINED" },
	{ "show route 10.0.0.1/8", "Invalid network prefix 10.0.0.1/8" },
	{ "show route 10.0.0.0/8 10.1.0.0/16", "Only one prefix expected" },
	{ "show route table master7", "syntax error, unexpected "
	    "CF_SYM_UNDEFINED" },
	{ "show route protocol nobody", "syntax error, unexpected "
	    "CF_SYM_UNDEFINED" },
	{ "show protocols \"Mesh*", "Unterminated string" },
	{ "down now", "syntax error, unexpected CF_SYM_UNDEFINED, "
	    "expecting END" },
	{ "configure check", "syntax error, unexpected CHECK, expecting END" },
	{ "- x", "syntax error, unexpected '-'" },
	{ "\x01\x02", "Unknown character" },
	{ "show route all all all all all all all all all all all all all "
	    "all all all all all all all all all all all all all all all all "
	    "all all all all", "syntax error, unexpected CF_SYM_UNDEFINED, "
	    "expecting END" },
};

START_TEST(t_parse_errors)
{
	struct ctl_req r;
	char err[256];

	ck_assert_msg(parse(perrs[_i].line, &r, err) == CTL_A_ERROR,
	    "'%s' parsed", perrs[_i].line);
	ck_assert_str_eq(err, perrs[_i].err);
}
END_TEST

START_TEST(t_patmatch)
{
	char name[70], pat[70];
	struct timespec t0, t1;

	ck_assert(ctl_patmatch("Mesh*", "Mesh_198_18_0_2"));
	ck_assert(ctl_patmatch("*", ""));
	ck_assert(ctl_patmatch("M?sh_*_2", "Mesh_198_18_0_2"));
	ck_assert(ctl_patmatch("*0_2", "Mesh_198_18_0_2"));
	ck_assert(!ctl_patmatch("*0_3", "Mesh_198_18_0_2"));
	ck_assert(!ctl_patmatch("Mesh", "Mesh_198_18_0_2"));
	ck_assert(!ctl_patmatch("?", ""));
	ck_assert(ctl_patmatch("a\\*b", "a*b"));
	ck_assert(!ctl_patmatch("a\\*b", "axb"));
	ck_assert(ctl_patmatch("*a*b*c", "xxaxxbxxc"));
	ck_assert(!ctl_patmatch("*a*b*c", "xxaxxcxxb"));
	/* no exponential backtracking, whatever the pattern */
	memset(name, 'a', 63);
	name[63] = '\0';
	for (int i = 0; i < 60; i += 2) {
		pat[i] = '*';
		pat[i + 1] = 'a';
	}
	pat[60] = 'b';
	pat[61] = '\0';
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert(!ctl_patmatch(pat, name));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_int_lt(t1.tv_sec - t0.tv_sec, 1);
}
END_TEST

/* ---- BIRD 1.6 layouts (reference/birdc-protocol.md 3.1, 3.3) ---- */

START_TEST(t_proto_rows)
{
	char buf[256], info[128];

	ck_assert_str_eq(CTL_PROTO_HEADER,
	    "name     proto    table    state  since       info");
	ck_assert_str_eq(ctl_fmt_proto_row(buf, sizeof(buf), "kernel1",
	    "Kernel", "master", "up", "2016-11-21", ""),
	    "kernel1  Kernel   master   up     2016-11-21  ");
	ctl_fmt_bgp_info(info, sizeof(info), "Established", "");
	ck_assert_str_eq(info, "Established   ");
	ck_assert_str_eq(ctl_fmt_proto_row(buf, sizeof(buf),
	    "Mesh_192_168_110_131", "BGP", "master", "up", "08:00:13", info),
	    "Mesh_192_168_110_131 BGP      master   up     08:00:13    "
	    "Established   ");
	ctl_fmt_bgp_info(info, sizeof(info), "Active",
	    "Socket: Connection refused");
	ck_assert_str_eq(ctl_fmt_proto_row(buf, sizeof(buf), "Mesh_10_0_0_2",
	    "BGP", "master", "start", "08:00:13", info),
	    "Mesh_10_0_0_2 BGP      master   start  08:00:13    Active        "
	    "Socket: Connection refused");
	ck_assert_str_eq(ctl_fmt_bgp_info(info, sizeof(info), "Passive", ""),
	    "Passive       ");
	ck_assert_str_eq(ctl_fmt_bgp_info(info, sizeof(info), "Idle",
	    "BGP Error: Bad peer AS"), "Idle          BGP Error: Bad peer AS");
}
END_TEST

START_TEST(t_since)
{
	const time_t now = 1764086400;	/* 2025-11-25 16:00:00 UTC */
	char buf[32];

	ck_assert_str_eq(ctl_fmt_since(buf, sizeof(buf), now - 100, now),
	    "15:58:20");
	ck_assert_str_eq(ctl_fmt_since(buf, sizeof(buf), now - 71999, now),
	    "20:00:01");
	ck_assert_str_eq(ctl_fmt_since(buf, sizeof(buf), now - 72000, now),
	    "2025-11-24");
	ck_assert_str_eq(ctl_fmt_since(buf, sizeof(buf), now - 86400 * 400,
	    now), "2024-10-21");
	ck_assert_str_eq(ctl_fmt_datetime(buf, sizeof(buf), now),
	    "2025-11-25 16:00:00");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ctl");
	TCase *tc = tcase_create("server");
	TCase *tp = tcase_create("parse");

	setenv("TZ", "UTC", 1);
	tzset();
	signal(SIGPIPE, SIG_IGN);	/* as ternd's main() */
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, t_greeting);
	tcase_add_test(tc, t_codes_and_continuation);
	tcase_add_test(tc, t_pipelined_in_order);
	tcase_add_test(tc, t_line_limits);
	tcase_add_test(tc, t_megabyte_line);
	tcase_add_test(tc, t_restrict);
	tcase_add_test(tc, t_down);
	tcase_add_test(tc, t_line_overflow);
	tcase_add_test(tc, t_continuation_bounded);
	tcase_add_test(tc, t_cancel_on_close);
	tcase_add_test(tc, t_wait_and_wakeup);
	tcase_add_test(tc, t_many_clients);
	tcase_add_test(tc, t_eof_after_commands);
	tcase_add_test(tc, t_rx_time);
	tcase_add_test(tc, t_idle_timeout);
	tcase_add_test(tc, t_idle_default);
	tcase_add_test(tc, t_evict_oldest_idle);
	tcase_add_test(tc, t_evict_idle_first);
	tcase_add_test(tc, t_uid_cap);
	tcase_add_test(tc, t_many_idle);
	tcase_add_test(tc, t_socket_file);
	tcase_add_test(tc, t_socket_mode_at_bind);
	tcase_add_test(tc, t_json_reply);
	tcase_add_test(tc, t_debug_hook);
	tcase_add_test(tp, t_json_escape);
	tcase_add_test(tp, t_debug_parse);
	tcase_add_test(tp, t_socket6_path);
	tcase_add_test(tp, t_rfc3339);
	tcase_add_test(tp, t_parse_ok);
	tcase_add_loop_test(tp, t_parse_errors, 0, (int)NITEMS(perrs));
	tcase_add_test(tp, t_patmatch);
	tcase_add_test(tp, t_proto_rows);
	tcase_add_test(tp, t_since);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tp);
	return check_run(s);
}
