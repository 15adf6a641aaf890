/*
 * log.c: the logger. One line per event to one target: stderr,
 * "<date> <time> <proc>: <level>: <message>"; the journal's stream,
 * "<N><level>: <message>"; or syslog(3) (log.h says when which). Owns
 * nothing but a few globals set at start-up (or on reload), syslog's
 * connection while it is the target, and the flush timer of each rate
 * limit (freed by log_ratelimit_fini).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "timer.h"

enum log_level	log_level = LOG_LVL_INFO;
unsigned	log_debug_mask = 0;
static char log_procname[32] = "tern";
static enum log_format log_fmt = LOG_FMT_STDERR;

static const struct log_syslog_ops libc_syslog = {
	openlog, syslog, closelog,
};
static const struct log_syslog_ops *sys_ops = &libc_syslog;
static bool sys_open;		/* openlog done, closelog due */

static const char *const level_names[] = {
	[LOG_LVL_ERROR] = "error",
	[LOG_LVL_WARNING] = "warning",
	[LOG_LVL_INFO] = "info",
	[LOG_LVL_DEBUG] = "debug",
};

void
log_init(enum log_level lvl, unsigned mask, const char *procname)
{
	log_level = lvl;
	log_debug_mask = mask;
	if (procname != NULL)
		snprintf(log_procname, sizeof(log_procname), "%s", procname);
}

/* systemd.exec(5): "DEV:INODE", decimal, of the journal's stream */
bool
log_journal_stream_is(const char *env, int fd)
{
	uintmax_t dev, ino;
	struct stat st;
	char *end;

	if (env == NULL || *env < '0' || *env > '9')
		return false;
	errno = 0;
	dev = strtoumax(env, &end, 10);
	if (errno != 0 || *end != ':' || end[1] < '0' || end[1] > '9')
		return false;
	ino = strtoumax(end + 1, &end, 10);
	if (errno != 0 || *end != '\0' || fstat(fd, &st) == -1)
		return false;
	return (uintmax_t)st.st_dev == dev && (uintmax_t)st.st_ino == ino;
}

void
log_set_syslog_ops(const struct log_syslog_ops *ops)
{
	sys_ops = ops != NULL ? ops : &libc_syslog;
}

void
log_open(enum log_target target, const char *procname)
{
	if (procname != NULL)
		snprintf(log_procname, sizeof(log_procname), "%s", procname);
	if (sys_open) {
		sys_ops->close();
		sys_open = false;
	}
	if (target == LOG_TO_SYSLOG) {
		/* openlog keeps the pointer: log_procname is static */
		sys_ops->open(log_procname, LOG_PID, LOG_DAEMON);
		sys_open = true;
		log_fmt = LOG_FMT_SYSLOG;
	} else if (log_journal_stream_is(getenv("JOURNAL_STREAM"),
	    STDERR_FILENO))
		log_fmt = LOG_FMT_JOURNAL;
	else
		log_fmt = LOG_FMT_STDERR;
}

enum log_format
log_format(void)
{
	return log_fmt;
}

int
log_level_parse(const char *s, enum log_level *out)
{
	for (size_t i = 0; i < NITEMS(level_names); i++) {
		if (strcasecmp(s, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

static const struct {
	const char	*name;
	unsigned	 mask;
} debug_names[] = {
	{ "states", LOG_D_STATES },
	{ "packets", LOG_D_PACKETS },
	{ "routes", LOG_D_ROUTES },
	{ "events", LOG_D_EVENTS },
	{ "all", LOG_D_ALL },
};

int
log_debug_parse(const char *s, unsigned *mask)
{
	unsigned m = 0;

	while (*s != '\0') {
		size_t n = strcspn(s, ","), i;

		for (i = 0; i < NITEMS(debug_names); i++)
			if (strlen(debug_names[i].name) == n &&
			    strncasecmp(s, debug_names[i].name, n) == 0)
				break;
		if (i == NITEMS(debug_names))
			return -1;
		m |= debug_names[i].mask;
		s += n;
		if (*s == ',' && *++s == '\0')
			return -1;	/* "states," */
	}
	*mask = m;
	return 0;
}

const char *
log_debug_name(unsigned mask)
{
	for (size_t i = 0; i < NITEMS(debug_names); i++)
		if (debug_names[i].mask == mask)
			return debug_names[i].name;
	return NULL;
}

const char *
log_level_name(enum log_level l)
{
	if ((size_t)l < NITEMS(level_names))
		return level_names[l];
	return "?";
}

/* syslog(3) and sd-daemon(3) priorities: SD_ERR <3> ... SD_DEBUG <7> */
static const int level_prio[] = {
	[LOG_LVL_ERROR] = LOG_ERR,
	[LOG_LVL_WARNING] = LOG_WARNING,
	[LOG_LVL_INFO] = LOG_INFO,
	[LOG_LVL_DEBUG] = LOG_DEBUG,
};

/*
 * Batching (log_batch_start): info and debug lines to stderr or the journal
 * are kept in batch_buf and written together when the loop turn that
 * logged them ends (batch_ev, activated by the first line kept), not a
 * write(2) each: a node whose 100 sessions come up at once logs 700 lines
 * in a second. A warning or an error is written at once, after what is
 * kept (the order stays), and so is everything before log_batch_start, at
 * exit and on fatal. A crash loses at most one loop turn's info lines.
 */
#define LOG_LINE_MAX	1280		/* a message is at most 1023 bytes */
static char	 batch_buf[16384];
static size_t	 batch_len;
static struct event *batch_ev;

static void
fd_write_all(const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(STDERR_FILENO, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return;		/* nowhere to say it */
		}
		p += w;
		n -= (size_t)w;
	}
}

void
log_flush(void)
{
	int saved = errno;

	if (batch_len > 0)
		fd_write_all(batch_buf, batch_len);
	batch_len = 0;
	errno = saved;
}

static void
batch_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	(void)arg;
	log_flush();
}

void
log_batch_start(struct event_base *base)
{
	if (batch_ev != NULL)
		return;
	static bool at_exit;

	fflush(stderr);
	if ((batch_ev = event_new(base, -1, 0, batch_cb, NULL)) == NULL)
		return;			/* unbatched, as before */
	if (!at_exit && atexit(log_flush) == 0)
		at_exit = true;
}

void
log_batch_stop(void)
{
	log_flush();
	if (batch_ev != NULL)
		event_free(batch_ev);
	batch_ev = NULL;
}

/* One formatted line (n > 0 bytes, '\n' ended) to stderr. */
static void
emit(enum log_level lvl, const char *line, int len)
{
	size_t n = len < 0 ? 0 : (size_t)len;

	if (n >= LOG_LINE_MAX)		/* truncated: keep the newline */
		n = LOG_LINE_MAX - 1;
	if (n == 0)
		return;
	if (batch_ev == NULL || lvl <= LOG_LVL_WARNING) {
		log_flush();
		fd_write_all(line, n);
		return;
	}
	if (n > sizeof(batch_buf) - batch_len)
		log_flush();
	if (batch_len == 0)
		event_active(batch_ev, EV_TIMEOUT, 0);
	memcpy(batch_buf + batch_len, line, n);
	batch_len += n;
}

static void
line_stderr(enum log_level lvl, const char *msg, const char *errs)
{
	struct timespec ts;
	struct tm tm;
	char when[32], line[LOG_LINE_MAX];
	int n;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%F %T", &tm);
	n = snprintf(line, sizeof(line), "%s.%03ld %s: %s: %s%s%s\n", when,
	    ts.tv_nsec / 1000000, log_procname, level_names[lvl], msg,
	    errs != NULL ? ": " : "", errs != NULL ? errs : "");
	if (n >= (int)sizeof(line))
		line[sizeof(line) - 2] = '\n';
	emit(lvl, line, n);
}

static void
line_out(enum log_level lvl, const char *msg, const char *errs)
{
	char line[LOG_LINE_MAX];
	int n;

	switch (log_fmt) {
	case LOG_FMT_JOURNAL:
		n = snprintf(line, sizeof(line), "<%d>%s: %s%s%s\n",
		    level_prio[lvl], level_names[lvl], msg,
		    errs != NULL ? ": " : "", errs != NULL ? errs : "");
		if (n >= (int)sizeof(line))
			line[sizeof(line) - 2] = '\n';
		emit(lvl, line, n);
		break;
	case LOG_FMT_SYSLOG:
		log_flush();
		sys_ops->log(level_prio[lvl], "%s: %s%s%s", level_names[lvl],
		    msg, errs != NULL ? ": " : "", errs != NULL ? errs : "");
		break;
	case LOG_FMT_STDERR:
	default:
		line_stderr(lvl, msg, errs);
		break;
	}
}

static void
vlog_errno(enum log_level lvl, int err, const char *fmt, va_list ap)
{
	char msg[1024];

	if (lvl > log_level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	line_out(lvl, msg, err ? strerror(err) : NULL);
}

/* The last line: to the target, and to stderr too when that is syslog. */
static void NORETURN
vfatal(int err, const char *fmt, va_list ap)
{
	char msg[1024];
	const char *errs = err ? strerror(err) : NULL;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	line_out(LOG_LVL_ERROR, msg, errs);
	if (log_fmt == LOG_FMT_SYSLOG)
		line_stderr(LOG_LVL_ERROR, msg, errs);
	exit(1);
}

void
vlog(enum log_level lvl, const char *fmt, va_list ap)
{
	vlog_errno(lvl, 0, fmt, ap);
}

static void PRINTF_LIKE(2, 3)
log_at(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog_errno(lvl, 0, fmt, ap);
	va_end(ap);
}

#define LOGFN(name, lvl, err)				\
	void name(const char *fmt, ...)			\
	{						\
		int saved = errno;			\
		va_list ap;				\
		va_start(ap, fmt);			\
		vlog_errno(lvl, err, fmt, ap);		\
		va_end(ap);				\
		errno = saved;				\
	}

LOGFN(log_warn, LOG_LVL_WARNING, saved)
LOGFN(log_warnx, LOG_LVL_WARNING, 0)
LOGFN(log_error, LOG_LVL_ERROR, 0)
LOGFN(log_info, LOG_LVL_INFO, 0)
LOGFN(log_debug, LOG_LVL_DEBUG, 0)

void
fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vfatal(saved, fmt, ap);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfatal(0, fmt, ap);
}

/* ---- rate-limited lines ---- */

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The window's end (libevent's clock may run a little ahead of ours) */
static void
flush_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct log_ratelimit *rl = arg;

	(void)fd;
	(void)ev;
	log_ratelimit_flush(rl);
	rl->open = false;
}

void
log_ratelimit_init(struct log_ratelimit *rl, enum log_level lvl,
    unsigned interval_ms, unsigned burst, const char *what)
{
	memset(rl, 0, sizeof(*rl));
	rl->level = lvl;
	rl->interval_ms = interval_ms;
	rl->burst = burst;
	rl->what = what;
}

void
log_ratelimit_start(struct log_ratelimit *rl, struct event_base *base)
{
	if (rl->ev_flush != NULL)
		event_free(rl->ev_flush);
	rl->ev_flush = evtimer_new(base, flush_cb, rl);
	if (rl->ev_flush == NULL)
		fatalx("log: out of memory");
}

void
log_ratelimit_fini(struct log_ratelimit *rl)
{
	log_ratelimit_flush(rl);
	if (rl->ev_flush != NULL)
		event_free(rl->ev_flush);
	rl->ev_flush = NULL;
}

void
log_ratelimit_flush(struct log_ratelimit *rl)
{
	if (rl->pending == 0)
		return;
	log_at(rl->level, "%s: %lu similar lines suppressed", rl->what,
	    rl->pending);
	rl->pending = 0;
}

bool
log_ratelimit_allow(struct log_ratelimit *rl, unsigned long *said)
{
	uint64_t now = rl->clock != NULL ? rl->clock() : mono_ms();

	if (!rl->open || now - rl->start >= rl->interval_ms) {
		rl->open = true;
		rl->start = now;
		rl->nlogged = 0;
	}
	if (rl->nlogged < rl->burst) {
		rl->nlogged++;
		*said = rl->pending;
		rl->pending = 0;
		return true;
	}
	rl->pending++;
	rl->total++;
	/* the count is said when the window ends, if no line says it first */
	if (rl->ev_flush != NULL && !timer_running(rl->ev_flush))
		timer_arm_ms(rl->ev_flush, (unsigned)(rl->start +
		    rl->interval_ms - now));
	return false;
}

void
log_rl(struct log_ratelimit *rl, const char *fmt, ...)
{
	char msg[1024];
	unsigned long said;
	int saved = errno;
	va_list ap;

	if (rl->level > log_level || !log_ratelimit_allow(rl, &said))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (said > 0)
		log_at(rl->level, "%s (%lu similar lines suppressed)", msg,
		    said);
	else
		log_at(rl->level, "%s", msg);
	errno = saved;
}
