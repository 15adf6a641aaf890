/*
 * fuzz_ctl.h: a control-socket client's bytes (ctl/ctl.c's line framing
 * and reply framing, ctl/parse.c's command parser and patmatch), for
 * tests/fuzz/fuzz_ctl.c and tests/unit/test_crashers.c.
 *
 * Input: everything a client sends on one connection. The harness serves
 * it as ternd does: a struct ctl on an event loop with the connection
 * attached (one end of a socketpair), the bytes written to the other end,
 * then EOF, the loop run until the server closes the connection. The
 * agent is a stub that answers each verb, "show protocols" after a
 * CTL_WAIT (woken by ctl_wakeup) and "show route" in pieces (CTL_MORE).
 * Properties: every request the parser hands over is well formed (a
 * valid prefix, a known protocol, a table family); every reply line is
 * "DDDD-", "DDDD " or " " then printable text and fits CTL_LINE_SIZE; the
 * server closes the connection once it has answered everything (or the
 * stub was told to shut down: ternd would exit).
 */
#ifndef TERN_FUZZ_CTL_H
#define TERN_FUZZ_CTL_H

#include "fuzz_util.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <sys/socket.h>

#include <event2/event.h>

#include "ctl.h"

#define FUZZ_CTL_ROWS	40	/* "show route" rows, in pieces of 8 */
#define FUZZ_CTL_LOOPS	200000	/* loop turns before calling it a hang */

static const char *const fuzz_ctl_names[] = {
	"Mesh_198_18_0_2", "Mesh_198_18_0_3", "Global_198_18_0_200",
	"kernel1", "static1",
};

static bool
fuzz_ctl_known(void *arg, const char *name)
{
	(void)arg;
	for (size_t i = 0; i < NITEMS(fuzz_ctl_names); i++)
		if (strcmp(name, fuzz_ctl_names[i]) == 0)
			return true;
	return false;
}

static enum ctl_result
fuzz_ctl_protocols(struct ctl_client *cl, struct ctl_req *req)
{
	char row[CTL_LINE_SIZE];

	if (req->pos++ == 0)
		return CTL_WAIT;
	ctl_printf(cl, 2002, "%s", CTL_PROTO_HEADER);
	for (size_t i = 0; i < NITEMS(fuzz_ctl_names); i++) {
		const char *n = fuzz_ctl_names[i];

		if (req->name[0] != '\0' && (req->pattern ?
		    !ctl_patmatch(req->name, n) : strcmp(req->name, n) != 0))
			continue;
		ctl_fmt_proto_row(row, sizeof(row), n, "BGP", "---", "up",
		    "12:00:00", "Established");
		ctl_printf(cl, 1002, "%s", row);
	}
	ctl_final(cl, 0, "%s", "");
	return CTL_DONE;
}

static enum ctl_result
fuzz_ctl_route(struct ctl_client *cl, struct ctl_req *req)
{
	char net[PREFIX_STRLEN];

	FUZZ_CHECK(req->af == 0 || req->af == AF_INET || req->af == AF_INET6);
	FUZZ_CHECK(req->proto[0] == '\0' || fuzz_ctl_known(NULL, req->proto));
	if (req->target == CTL_T_NONE)
		snprintf(net, sizeof(net), "0.0.0.0/0");
	else {
		FUZZ_CHECK(req->target == CTL_T_FOR || req->target == CTL_T_NET);
		FUZZ_CHECK(req->net.af == AF_INET || req->net.af == AF_INET6);
		FUZZ_CHECK(req->net.len <= af_maxlen(req->net.af));
		prefix_fmt(&req->net, net, sizeof(net));
	}
	if (req->flags & CTL_F_COUNT) {
		ctl_final(cl, 14, "%d of %d routes for %d networks", 1, 1, 1);
		return CTL_DONE;
	}
	for (int i = 0; i < 8 && req->pos < FUZZ_CTL_ROWS; i++, req->pos++)
		ctl_printf(cl, 1007, "%-18s via 198.18.0.2 on eth0 [%s] * (100)",
		    net, req->proto[0] != '\0' ? req->proto : "Mesh_198_18_0_2");
	if (req->pos < FUZZ_CTL_ROWS)
		return CTL_MORE;
	ctl_final(cl, 0, "%s", "");
	return CTL_DONE;
}

static enum ctl_result
fuzz_ctl_run(void *arg, struct ctl_client *cl, struct ctl_req *req)
{
	(void)arg;
	FUZZ_CHECK(memchr(req->name, '\0', sizeof(req->name)) != NULL);
	FUZZ_CHECK(req->name[0] == '\0' || req->pattern ||
	    fuzz_ctl_known(NULL, req->name));
	switch (req->verb) {
	case CTL_SHOW_STATUS:
		ctl_printf(cl, 1000, "BIRD 2.0.12");
		ctl_final(cl, 13, "Daemon is up and running");
		return CTL_DONE;
	case CTL_SHOW_PROTOCOLS:
		return fuzz_ctl_protocols(cl, req);
	case CTL_SHOW_ROUTE:
		return fuzz_ctl_route(cl, req);
	case CTL_CONFIGURE:
		ctl_final(cl, 3, "Reconfigured");
		return CTL_DONE;
	case CTL_SHOW_BFD:
		ctl_printf(cl, 1020, "bfd1:");
		ctl_final(cl, 0, "%s", "");
		return CTL_DONE;
	}
	FUZZ_CHECK(!"unknown verb");
	return CTL_DONE;
}

static void
fuzz_ctl_cancel(void *arg, struct ctl_req *req)
{
	(void)arg;
	FUZZ_CHECK(req->cont == NULL);
}

static void
fuzz_ctl_down(void *arg)
{
	bool *down = arg;

	*down = true;
}

static const struct ctl_ops fuzz_ctl_ops = {
	fuzz_ctl_run, fuzz_ctl_cancel, fuzz_ctl_down, fuzz_ctl_known,
};

/* Every reply line: a code and '-' or ' ', or a ' ' continuation. */
static void
fuzz_ctl_lines(const char *out, size_t len)
{
	const char *p = out, *nl;
	size_t n;

	FUZZ_CHECK(len == 0 || out[len - 1] == '\n');
	for (; p < out + len; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(out + len - p));
		n = (size_t)(nl - p);
		FUZZ_CHECK(n + 1 <= CTL_LINE_SIZE);
		for (size_t i = 0; i < n; i++)
			FUZZ_CHECK((unsigned char)p[i] >= 0x20 && p[i] != 0x7f);
		if (p[0] == ' ')
			continue;
		FUZZ_CHECK(n >= 5 && isdigit((unsigned char)p[0]) &&
		    isdigit((unsigned char)p[1]) &&
		    isdigit((unsigned char)p[2]) &&
		    isdigit((unsigned char)p[3]) &&
		    (p[4] == ' ' || p[4] == '-'));
	}
}

static int
fuzz_ctl(const uint8_t *data, size_t size)
{
	static struct event_base *base;
	char *out = NULL, buf[4096];
	size_t off = 0, outlen = 0, loops;
	struct ctl *ctl;
	bool down = false, shut = false;
	ssize_t n;
	int sv[2];

	if (base == NULL) {
		signal(SIGPIPE, SIG_IGN);	/* as ternd's main does */
		FUZZ_CHECK((base = event_base_new()) != NULL);
	}
	FUZZ_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0, sv) == 0);
	ctl = ctl_new(base, "/nonexistent/fuzz.ctl", "2.0.12", &fuzz_ctl_ops,
	    &down);
	FUZZ_CHECK(ctl_attach(ctl, sv[0]) == 0);
	for (loops = 0; loops < FUZZ_CTL_LOOPS; loops++) {
		if (off < size && (n = write(sv[1], data + off, size - off)) >
		    0)
			off += (size_t)n;
		if (off == size && !shut) {
			shutdown(sv[1], SHUT_WR);
			shut = true;
		}
		event_base_loop(base, EVLOOP_NONBLOCK);
		ctl_wakeup(ctl);
		while ((n = read(sv[1], buf, sizeof(buf))) > 0) {
			FUZZ_CHECK((out = realloc(out, outlen + (size_t)n)) !=
			    NULL);
			memcpy(out + outlen, buf, (size_t)n);
			outlen += (size_t)n;
		}
		if (n == 0 || (n == -1 && errno != EAGAIN))
			break;		/* the server closed the connection */
		if (down)
			break;		/* ternd leaves its loop and exits */
	}
	FUZZ_CHECK(loops < FUZZ_CTL_LOOPS);
	FUZZ_CHECK(outlen > 0 && strncmp(out, "0001 BIRD 2.0.12 ready.\n",
	    24) == 0);
	fuzz_ctl_lines(out, outlen);
	ctl_free(ctl);
	/* the reaped client's events are gone: nothing may be left to run */
	FUZZ_CHECK(event_base_loop(base, EVLOOP_NONBLOCK) == 1);
	close(sv[1]);
	free(out);
	return 0;
}

#endif
