/*
 * log.c: stderr logger. Each line: "<time> <proc>: <level>: <message>".
 * Owns nothing but three globals set once at start-up (or on reload).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "log.h"

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
