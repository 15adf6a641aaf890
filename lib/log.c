/*
 * log.c: stderr logger. Each line: "<time> <proc>: <level>: <message>".
 * Owns nothing but three globals set once at start-up (or on reload), and
 * the flush timer of each rate limit (freed by log_ratelimit_fini).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/event.h>

#include "log.h"
#include "timer.h"

enum log_level	log_level = LOG_LVL_INFO;
unsigned	log_debug_mask = 0;
static const char *log_procname = "tern";

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
		log_procname = procname;
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

static void
vlog_errno(enum log_level lvl, int err, const char *fmt, va_list ap)
{
	char msg[1024];
	struct timespec ts;
	struct tm tm;

	if (lvl > log_level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	if (err)
		fprintf(stderr, "%02d:%02d:%02d.%03ld %s: %s: %s: %s\n",
		    tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
		    log_procname, level_names[lvl], msg, strerror(err));
	else
		fprintf(stderr, "%02d:%02d:%02d.%03ld %s: %s: %s\n",
		    tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
		    log_procname, level_names[lvl], msg);
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
	vlog_errno(LOG_LVL_ERROR, saved, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog_errno(LOG_LVL_ERROR, 0, fmt, ap);
	va_end(ap);
	exit(1);
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
