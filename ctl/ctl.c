/*
 * ctl.c: the control socket server (BIRD sysdep/unix/main.c cli_init_unix,
 * nest/cli.c): the listening UNIX socket, one struct ctl_client per
 * connection, request framing (BIRD cli_get_command: '\r' dropped, lines
 * longer than the 4096-byte receive buffer answered "9000 Command too
 * long"), reply framing (cli_printf: code switching, one final line), the
 * order of pipelined commands, restrict/down, and the bounds that keep a
 * slow or hostile client from costing more than its buffers, and an idle
 * or hostile crowd of clients from locking the others out (ctl.h).
 *
 * What a command shows is the agent's business (ops->run); this file never
 * formats data. Clients are freed only from the reap event, or from accept
 * to make room for a new one, never from inside one of their own callbacks
 * (STYLE 5.5).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <bsd/sys/queue.h>
#include <event2/buffer.h>
#include <event2/event.h>

#include "ctl.h"
#include "log.h"
#include "timer.h"
#include "xmalloc.h"

#define ACCEPT_BURST	16
/* the warnings a crowd of clients causes: RL_BURST per RL_WINDOW_MS */
#define RL_WINDOW_MS	10000
#define RL_BURST	5

enum client_state {
	ST_IDLE,		/* ready for the next command */
	ST_BUSY,		/* ops->run answered CTL_MORE */
	ST_WAIT,		/* ops->run answered CTL_WAIT */
	ST_DOWN,		/* "down" answered: nothing more */
};

struct ctl_client {
	TAILQ_ENTRY(ctl_client)	 entry;
	struct ctl		*ctl;
	int			 fd;
	struct event		*ev_read;
	struct event		*ev_write;
	struct event		*ev_stall;	/* output made no progress */
	struct event		*ev_kick;	/* run again from the loop */
	struct event		*ev_idle;	/* no command: close */
	struct evbuffer		*in;		/* unread input, bounded */
	struct evbuffer		*out;
	enum client_state	 state;
	struct ctl_req		 req;
	char			 line[CTL_RX_BUF];
	size_t			 llen;		/* capped at CTL_CMD_MAX + 1 */
	int			 last_reply;	/* BIRD cli->last_reply */
	uid_t			 uid;		/* SO_PEERCRED */
	uint64_t		 active;	/* ctl->tick: progress */
	uint64_t		 rx_ns;		/* last read with data */
	bool			 restricted;
	bool			 asked;		/* a command came */
	bool			 eof;		/* no more input will come */
	bool			 dead;
};

TAILQ_HEAD(ctl_clients, ctl_client);

struct ctl {
	struct event_base	*base;
	char			*path;
	char			*version;
	const struct ctl_ops	*ops;
	ctl_debug_fn		 debug;		/* NULL: 9001 */
	void			*arg;
	int			 fd;
	bool			 bound;		/* the socket file is ours */
	bool			 stopping;
	struct ctl_params	 params;
	struct ctl_stats	 stats;		/* .clients: nclients */
	uint64_t		 tick;		/* orders activity */
	struct log_ratelimit	 rl_full, rl_uid, rl_drop;
	struct event		*ev_accept;
	struct event		*ev_resume;	/* accept paused on EMFILE */
	struct event		*ev_reap;
	struct ctl_clients	 clients;
	size_t			 nclients;
};

static void	client_process(struct ctl_client *);

/* ---- client lifetime ---- */

static size_t
out_len(const struct ctl_client *c)
{
	return evbuffer_get_length(c->out);
}

static void
client_kill(struct ctl_client *c)
{
	if (c->dead)
		return;
	c->dead = true;
	event_del(c->ev_read);
	event_del(c->ev_write);
	timer_stop(c->ev_stall);
	timer_stop(c->ev_idle);
	event_del(c->ev_kick);
	event_active(c->ctl->ev_reap, EV_TIMEOUT, 0);
}

static void
client_free(struct ctl_client *c)
{
	struct ctl *ctl = c->ctl;

	if (c->state == ST_BUSY || c->state == ST_WAIT)
		ctl->ops->cancel(ctl->arg, &c->req);
	TAILQ_REMOVE(&ctl->clients, c, entry);
	ctl->nclients--;
	event_free(c->ev_read);
	event_free(c->ev_write);
	event_free(c->ev_stall);
	event_free(c->ev_kick);
	event_free(c->ev_idle);
	evbuffer_free(c->in);
	evbuffer_free(c->out);
	close(c->fd);
	log_dbg(LOG_D_EVENTS, "control: client %d closed", c->fd);
	free(c);
}

static void
reap(struct ctl *ctl)
{
	struct ctl_client *c, *tmp;

	TAILQ_FOREACH_SAFE(c, &ctl->clients, entry, tmp)
		if (c->dead)
			client_free(c);
}

static void
reap_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	reap(arg);
}

/* The client made progress: it read a command or took some output. */
static void
client_touch(struct ctl_client *c)
{
	c->active = ++c->ctl->tick;
}

/* Nothing is asked of it and nothing owed to it. */
static bool
client_idle(const struct ctl_client *c)
{
	return c->state == ST_IDLE && out_len(c) == 0;
}

/*
 * Whom to close for a new client (all, or uid's only): the least recently
 * active idle client, else the least recently active one. Never NULL when
 * there is a live client to choose from.
 */
static struct ctl_client *
victim(struct ctl *ctl, const uid_t *uid)
{
	struct ctl_client *c, *best = NULL;

	TAILQ_FOREACH(c, &ctl->clients, entry) {
		if (c->dead || (uid != NULL && c->uid != *uid))
			continue;
		if (best == NULL || (client_idle(c) && !client_idle(best)) ||
		    (client_idle(c) == client_idle(best) &&
		    c->active < best->active))
			best = c;
	}
	return best;
}

static unsigned
uid_clients(const struct ctl *ctl, uid_t uid)
{
	const struct ctl_client *c;
	unsigned n = 0;

	TAILQ_FOREACH(c, &ctl->clients, entry)
		if (!c->dead && c->uid == uid)
			n++;
	return n;
}

/* From accept (or a test), never from a client's own callback. */
static void
make_room(struct ctl *ctl, uid_t uid)
{
	struct ctl_client *v;
	unsigned n, max_uid = ctl->params.max_per_uid;

	reap(ctl);
	while (max_uid > 0 && (n = uid_clients(ctl, uid)) >= max_uid &&
	    (v = victim(ctl, &uid)) != NULL) {
		ctl->stats.evicted_uid++;
		log_rl(&ctl->rl_uid, "control: uid %ld holds %u clients, its "
		    "limit: closing its client %d (%s)", (long)uid, n, v->fd,
		    client_idle(v) ? "idle" : "busy");
		client_free(v);
	}
	while (ctl->nclients >= ctl->params.max_clients &&
	    (v = victim(ctl, NULL)) != NULL) {
		ctl->stats.evicted_full++;
		log_rl(&ctl->rl_full, "control: %zu clients, the limit: "
		    "closing client %d (uid %ld, %s)", ctl->nclients, v->fd,
		    (long)v->uid, client_idle(v) ? "idle" : "busy");
		client_free(v);
	}
}

/* ---- reply framing (BIRD nest/cli.c cli_printf) ---- */

static void
client_line(struct ctl_client *c, int code, bool final, const char *text)
{
	char pre[8];
	size_t len;

	if (c->dead)
		return;
	if (code < 0 || code > 9999)
		code = 8000;
	if (final) {
		snprintf(pre, sizeof(pre), "%04d ", code);
		c->last_reply = 0;
	} else if (code == c->last_reply)
		snprintf(pre, sizeof(pre), " ");
	else {
		snprintf(pre, sizeof(pre), "%04d-", code);
		c->last_reply = code;
	}
	evbuffer_add(c->out, pre, strlen(pre));
	/* a control character in data must not break the framing */
	for (const char *s = text; *s != '\0'; s += len) {
		len = strcspn(s, "\n\r\x01\x02\x03\x04\x05\x06\x07\x08"
		    "\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18"
		    "\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f");
		evbuffer_add(c->out, s, len);
		if (s[len] != '\0') {
			evbuffer_add(c->out, "?", 1);
			len++;
		}
	}
	evbuffer_add(c->out, "\n", 1);
	if (out_len(c) > CTL_OUT_MAX) {
		c->ctl->stats.dropped++;
		log_rl(&c->ctl->rl_drop, "control: client %d: reply over %d "
		    "bytes unread, dropped", c->fd, CTL_OUT_MAX);
		client_kill(c);
	}
}

static void
client_vline(struct ctl_client *c, int code, bool final, const char *fmt,
    va_list ap)
{
	char text[CTL_LINE_SIZE];
	size_t pre = !final && code == c->last_reply ? 1 : 5;
	int n;

	n = vsnprintf(text, sizeof(text), fmt, ap);
	/* BIRD: prefix, text and newline fit CLI_LINE_SIZE, else code 8000 */
	if (n < 0 || pre + (size_t)n + 1 > CTL_LINE_SIZE) {
		client_line(c, 8000, final, "<line overflow>");
		return;
	}
	client_line(c, code, final, text);
}

void
ctl_printf(struct ctl_client *c, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	client_vline(c, code, false, fmt, ap);
	va_end(ap);
}

void
ctl_final(struct ctl_client *c, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	client_vline(c, code, true, fmt, ap);
	va_end(ap);
}

bool
ctl_room(const struct ctl_client *c)
{
	return !c->dead && out_len(c) < CTL_OUT_HIGH;
}

/* ---- output ---- */

static void
client_flush(struct ctl_client *c)
{
	if (c->dead || out_len(c) == 0)
		return;
	event_add(c->ev_write, NULL);
	if (!timer_running(c->ev_stall))
		timer_arm(c->ev_stall, CTL_STALL_SECS, false);
}

static void
write_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct ctl_client *c = arg;
	int n;

	(void)ev;
	n = evbuffer_write(c->out, fd);
	if (n == -1 && errno != EAGAIN && errno != EINTR) {
		log_dbg(LOG_D_EVENTS, "control: client %d: write: %s", c->fd,
		    strerror(errno));
		client_kill(c);
		return;
	}
	if (n > 0) {
		timer_arm(c->ev_stall, CTL_STALL_SECS, false); /* restart */
		if (c->asked)	/* a reply read, not the greeting */
			client_touch(c);
	}
	if (out_len(c) == 0) {
		event_del(c->ev_write);
		timer_stop(c->ev_stall);
	}
	client_process(c);
}

static void
stall_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct ctl_client *c = arg;

	(void)fd;
	(void)ev;
	c->ctl->stats.dropped++;
	log_rl(&c->ctl->rl_drop, "control: client %d: %zu reply bytes unread "
	    "for %d s, dropped", c->fd, out_len(c), CTL_STALL_SECS);
	client_kill(c);
}

static void
idle_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct ctl_client *c = arg;

	(void)fd;
	(void)ev;
	c->ctl->stats.idle_closed++;
	log_dbg(LOG_D_EVENTS, "control: client %d: no command for %u s, "
	    "closed", c->fd, c->ctl->params.idle_secs);
	client_kill(c);
}

/* ---- input ---- */

static void
read_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct ctl_client *c = arg;
	size_t have = evbuffer_get_length(c->in);
	int n;

	(void)ev;
	if (have >= CTL_IN_MAX) {	/* full: wait until it is parsed */
		event_del(c->ev_read);
		return;
	}
	n = evbuffer_read(c->in, fd, (int)(CTL_IN_MAX - have));
	if (n > 0)
		c->rx_ns = timer_now_ns();
	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
		/* finish what was asked, then close (BIRD closes at once) */
		c->eof = true;
		event_del(c->ev_read);
	}
	client_process(c);
}

/*
 * BIRD cli_get_command: move input into the line until a '\n'; '\r' is
 * dropped and bytes past the limit are discarded. True: a line is ready.
 */
static bool
take_line(struct ctl_client *c)
{
	size_t n = evbuffer_get_length(c->in), i;
	const unsigned char *p;
	bool done = false;

	if (n == 0)
		return false;
	p = evbuffer_pullup(c->in, -1);
	for (i = 0; i < n && !done; i++) {
		if (p[i] == '\n')
			done = true;
		else if (p[i] != '\r' && c->llen <= CTL_CMD_MAX)
			c->line[c->llen++] = (char)p[i];
	}
	evbuffer_drain(c->in, i);
	return done;
}

static void
client_down(struct ctl_client *c)
{
	struct ctl *ctl = c->ctl;

	ctl_final(c, 7, "Shutdown requested");
	(void)evbuffer_write(c->out, c->fd);	/* best effort, then exit */
	c->state = ST_DOWN;
	c->eof = true;
	event_del(c->ev_read);
	log_info("control: shutdown requested");
	ctl->ops->down(ctl->arg);
}

static void
handle_line(struct ctl_client *c)
{
	struct ctl *ctl = c->ctl;
	char err[CTL_LINE_SIZE];
	enum ctl_action a;

	client_touch(c);
	c->asked = true;
	timer_stop(c->ev_idle);	/* a command: idle afresh after it */
	c->line[c->llen > CTL_CMD_MAX ? CTL_CMD_MAX + 1 : c->llen] = '\0';
	if (c->llen > CTL_CMD_MAX) {
		c->llen = 0;
		ctl_final(c, 9000, "Command too long");
		return;
	}
	c->llen = 0;
	log_dbg(LOG_D_EVENTS, "control: client %d: %s", c->fd, c->line);
	a = ctl_parse(c->line, &c->req, ctl->ops->known, ctl->arg, err,
	    sizeof(err));
	c->req.rx_ns = c->rx_ns;
	switch (a) {
	case CTL_A_ERROR:
		ctl_final(c, 9001, "%s", err);
		break;
	case CTL_A_IGNORE:
		break;
	case CTL_A_RESTRICT:
		c->restricted = true;
		ctl_final(c, 16, "Access restricted");
		break;
	case CTL_A_DOWN:
		if (c->restricted)
			ctl_final(c, 8007, "Access denied");
		else
			client_down(c);
		break;
	case CTL_A_DEBUG:	/* BIRD: refused after restrict */
		if (c->restricted)
			ctl_final(c, 8007, "Access denied");
		else if (ctl->debug == NULL)
			ctl_final(c, 9001, "syntax error, unexpected DEBUG");
		else
			ctl->debug(ctl->arg, c, &c->req);
		break;
	case CTL_A_REQ:
	default:
		if (c->req.verb == CTL_CONFIGURE && c->restricted)
			ctl_final(c, 8007, "Access denied");
		else
			c->state = ST_BUSY;
		break;
	}
}

static void
client_run(struct ctl_client *c)
{
	struct ctl *ctl = c->ctl;
	size_t before = out_len(c);

	switch (ctl->ops->run(ctl->arg, c, &c->req)) {
	case CTL_DONE:
		c->state = ST_IDLE;
		memset(&c->req, 0, sizeof(c->req));
		break;
	case CTL_WAIT:
		c->state = ST_WAIT;
		break;
	case CTL_MORE:
	default:
		/* no output yet: yield to the loop rather than spin */
		if (out_len(c) == before && !c->dead) {
			event_active(c->ev_kick, EV_TIMEOUT, 0);
			c->state = ST_WAIT;
		}
		break;
	}
}

static void
client_rearm(struct ctl_client *c)
{
	unsigned idle = c->ctl->params.idle_secs;

	if (c->dead)
		return;
	if (!client_idle(c) || idle == 0)
		timer_stop(c->ev_idle);
	else if (!timer_running(c->ev_idle))
		timer_arm(c->ev_idle, idle, false);
	client_flush(c);
	if (!c->eof && evbuffer_get_length(c->in) < CTL_IN_MAX)
		event_add(c->ev_read, NULL);
	else
		event_del(c->ev_read);
	if (c->eof && (c->state == ST_IDLE || c->state == ST_DOWN) &&
	    evbuffer_get_length(c->in) == 0 && out_len(c) == 0)
		client_kill(c);
}

/*
 * Serve the client as far as its output allows: continue a reply in
 * progress, then take pipelined commands one at a time, in order.
 */
static void
client_process(struct ctl_client *c)
{
	while (!c->dead && c->state != ST_WAIT && c->state != ST_DOWN &&
	    out_len(c) < CTL_OUT_LOW) {
		if (c->state == ST_BUSY)
			client_run(c);
		else if (take_line(c))
			handle_line(c);
		else
			break;
	}
	client_rearm(c);
}

static void
kick_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct ctl_client *c = arg;

	(void)fd;
	(void)ev;
	if (c->state == ST_WAIT)
		c->state = ST_BUSY;
	client_process(c);
}

void
ctl_wakeup(struct ctl *ctl)
{
	struct ctl_client *c;

	if (ctl->stopping)
		return;
	TAILQ_FOREACH(c, &ctl->clients, entry)
		if (c->state == ST_WAIT && !c->dead)
			event_active(c->ev_kick, EV_TIMEOUT, 0);
}

static struct ctl_client *
client_new(struct ctl *ctl, int fd, uid_t uid)
{
	struct ctl_client *c = xcalloc(1, sizeof(*c));

	c->ctl = ctl;
	c->fd = fd;
	c->uid = uid;
	c->ev_read = event_new(ctl->base, fd, EV_READ | EV_PERSIST, read_cb,
	    c);
	c->ev_write = event_new(ctl->base, fd, EV_WRITE | EV_PERSIST,
	    write_cb, c);
	c->ev_stall = evtimer_new(ctl->base, stall_cb, c);
	c->ev_kick = event_new(ctl->base, -1, 0, kick_cb, c);
	c->ev_idle = evtimer_new(ctl->base, idle_cb, c);
	c->in = evbuffer_new();
	c->out = evbuffer_new();
	if (c->ev_read == NULL || c->ev_write == NULL || c->ev_stall == NULL ||
	    c->ev_kick == NULL || c->ev_idle == NULL || c->in == NULL ||
	    c->out == NULL)
		fatalx("control: out of memory");
	client_touch(c);
	return c;
}

int
ctl_attach(struct ctl *ctl, int fd)
{
	struct ctl_client *c;
	struct ucred cr;
	socklen_t crlen = sizeof(cr);
	int fl;

	if (ctl->stopping || (fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		return -1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) == -1)
		cr.uid = (uid_t)-1;
	make_room(ctl, cr.uid);
	c = client_new(ctl, fd, cr.uid);
	TAILQ_INSERT_TAIL(&ctl->clients, c, entry);
	ctl->nclients++;
	ctl->stats.accepted++;
	log_dbg(LOG_D_EVENTS, "control: client %d (uid %ld) connected", fd,
	    (long)cr.uid);
	/* BIRD cli_hello: the greeting goes out at once, as a final line */
	ctl_final(c, 1, "BIRD %s ready.", ctl->version);
	client_rearm(c);
	return 0;
}

size_t
ctl_nclients(const struct ctl *ctl)
{
	return ctl->nclients;
}

void
ctl_stats(const struct ctl *ctl, struct ctl_stats *st)
{
	*st = ctl->stats;
	st->clients = ctl->nclients;
}

void
ctl_set_debug(struct ctl *ctl, ctl_debug_fn fn)
{
	ctl->debug = fn;
}

void
ctl_set_params(struct ctl *ctl, const struct ctl_params *p)
{
	ctl->params = *p;
	if (ctl->params.max_clients == 0)
		ctl->params.max_clients = 1;
}

/* ---- the listening socket ---- */

static void
accept_cb(evutil_socket_t lfd, short ev, void *arg)
{
	struct ctl *ctl = arg;
	int fd;

	(void)ev;
	for (int i = 0; i < ACCEPT_BURST; i++) {
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd == -1) {
			if (errno == EMFILE || errno == ENFILE) {
				log_warn("control: accept (paused for 1 s)");
				event_del(ctl->ev_accept);
				timer_arm(ctl->ev_resume, 1, false);
			}
			return;
		}
		/* always in: make_room closes another client if need be */
		if (ctl_attach(ctl, fd) == -1)
			close(fd);
	}
}

static void
resume_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct ctl *ctl = arg;

	(void)fd;
	(void)ev;
	if (ctl->ev_accept != NULL)
		event_add(ctl->ev_accept, NULL);
}

struct ctl *
ctl_new(struct event_base *base, const char *path, const char *version,
    const struct ctl_ops *ops, void *arg)
{
	struct ctl *ctl = xcalloc(1, sizeof(*ctl));

	ctl->base = base;
	ctl->path = xstrdup(path);
	ctl->version = xstrdup(version);
	ctl->ops = ops;
	ctl->arg = arg;
	ctl->fd = -1;
	ctl->params.idle_secs = CTL_IDLE_SECS;
	ctl->params.max_clients = CTL_MAX_CLIENTS;
	ctl->params.max_per_uid = CTL_MAX_PER_UID;
	log_ratelimit_init(&ctl->rl_full, LOG_LVL_WARNING, RL_WINDOW_MS,
	    RL_BURST, "control: clients closed at the client limit");
	log_ratelimit_init(&ctl->rl_uid, LOG_LVL_WARNING, RL_WINDOW_MS,
	    RL_BURST, "control: clients closed at the per-uid limit");
	log_ratelimit_init(&ctl->rl_drop, LOG_LVL_WARNING, RL_WINDOW_MS,
	    RL_BURST, "control: clients dropped for unread replies");
	log_ratelimit_start(&ctl->rl_full, base);
	log_ratelimit_start(&ctl->rl_uid, base);
	log_ratelimit_start(&ctl->rl_drop, base);
	TAILQ_INIT(&ctl->clients);
	ctl->ev_reap = event_new(base, -1, 0, reap_cb, ctl);
	ctl->ev_resume = evtimer_new(base, resume_cb, ctl);
	if (ctl->ev_reap == NULL || ctl->ev_resume == NULL)
		fatalx("control: out of memory");
	return ctl;
}

/* A daemon already answers on path (another ternd, or bird itself). */
static bool
socket_in_use(const struct sockaddr_un *sun)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	bool used;

	if (fd == -1)
		return false;
	used = connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0 ||
	    errno == EAGAIN || errno == EINPROGRESS;
	close(fd);
	return used;
}

/*
 * bind, creating the socket's directory (one level) when it is missing.
 * Linux creates the file with the socket's own mode less the umask
 * (af_unix.c unix_bind): set to 0660 first, the file is never more open
 * than that, not even between bind and chmod (which then only gives back
 * group bits a strict umask took).
 */
static int
bind_path(int fd, const struct sockaddr_un *sun, const char *path)
{
	char dir[sizeof(sun->sun_path)];

	if (fchmod(fd, 0660) == -1)
		return -1;
	if (bind(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0)
		return 0;
	if (errno != ENOENT)
		return -1;
	snprintf(dir, sizeof(dir), "%s", path);
	if (mkdir(dirname(dir), 0755) == -1 && errno != EEXIST)
		return -1;
	return bind(fd, (const struct sockaddr *)sun, sizeof(*sun));
}

static int
listen_socket(struct ctl *ctl, struct sockaddr_un *sun)
{
	if (strlen(ctl->path) >= sizeof(sun->sun_path)) {
		log_error("control socket %s: path too long", ctl->path);
		return -1;
	}
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, ctl->path, strlen(ctl->path));
	if (socket_in_use(sun)) {
		log_error("control socket %s is in use by another daemon",
		    ctl->path);
		return -1;
	}
	if (unlink(ctl->path) == -1 && errno != ENOENT) {
		log_error("control socket %s: unlink: %s", ctl->path,
		    strerror(errno));
		return -1;
	}
	ctl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (ctl->fd == -1 || bind_path(ctl->fd, sun, ctl->path) == -1) {
		log_error("control socket %s: %s", ctl->path, strerror(errno));
		return -1;
	}
	ctl->bound = true;
	if (chmod(ctl->path, 0660) == -1 || listen(ctl->fd, 128) == -1) {
		log_error("control socket %s: %s", ctl->path, strerror(errno));
		return -1;
	}
	return 0;
}

int
ctl_start(struct ctl *ctl)
{
	struct sockaddr_un sun;

	if (listen_socket(ctl, &sun) == -1) {
		ctl_stop(ctl);
		return -1;
	}
	ctl->ev_accept = event_new(ctl->base, ctl->fd, EV_READ | EV_PERSIST,
	    accept_cb, ctl);
	if (ctl->ev_accept == NULL)
		fatalx("control: out of memory");
	event_add(ctl->ev_accept, NULL);
	log_info("control socket %s", ctl->path);
	return 0;
}

void
ctl_stop(struct ctl *ctl)
{
	struct ctl_client *c;

	ctl->stopping = true;
	while ((c = TAILQ_FIRST(&ctl->clients)) != NULL)
		client_free(c);
	if (ctl->ev_accept != NULL)
		event_free(ctl->ev_accept);
	ctl->ev_accept = NULL;
	timer_stop(ctl->ev_resume);
	if (ctl->fd != -1)
		close(ctl->fd);
	ctl->fd = -1;
	if (ctl->bound)
		unlink(ctl->path);
	ctl->bound = false;
}

void
ctl_free(struct ctl *ctl)
{
	if (ctl == NULL)
		return;
	ctl_stop(ctl);
	log_ratelimit_fini(&ctl->rl_full);
	log_ratelimit_fini(&ctl->rl_uid);
	log_ratelimit_fini(&ctl->rl_drop);
	event_free(ctl->ev_reap);
	event_free(ctl->ev_resume);
	free(ctl->path);
	free(ctl->version);
	free(ctl);
}
