/*
 * log.h: the OpenBGPD-style logging API. One line per event with the level
 * in the line, to one target (log_open): stderr, in the journal's format
 * when stderr is the systemd journal, or syslog(3). Debug categories are a
 * bitmask tested before the message is formatted (log_dbg), so they cost
 * nothing when off. fatal()/fatalx() are for broken invariants and OOM
 * only, never wire input.
 *
 * A line that anyone outside can cause (a connection from a stranger, a
 * control client over a limit) goes through a struct log_ratelimit, so that
 * nobody can flood the log.
 */
#ifndef TERN_LOG_H
#define TERN_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "defs.h"

enum log_level {
	LOG_LVL_ERROR,
	LOG_LVL_WARNING,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG,
};

/* debug categories (BIRD's D_STATES | D_PACKETS | D_ROUTES) */
#define LOG_D_STATES	0x01u
#define LOG_D_PACKETS	0x02u
#define LOG_D_ROUTES	0x04u
#define LOG_D_EVENTS	0x08u
#define LOG_D_ALL	0xffu

extern enum log_level	log_level;
extern unsigned		log_debug_mask;

void	log_init(enum log_level, unsigned debug_mask, const char *procname);

enum log_target {
	LOG_TO_STDERR,		/* stderr (the journal's format if it is) */
	LOG_TO_SYSLOG,		/* syslog(3), LOG_DAEMON, with the pid */
};

/* How lines are written (log_open decides; see there). */
enum log_format {
	LOG_FMT_STDERR,		/* "2026-12-04 07:20:08.123 ternd: info: m" */
	LOG_FMT_JOURNAL,	/* "<6>info: m" */
	LOG_FMT_SYSLOG,		/* syslog(LOG_INFO, "info: m") */
};

/*
 * Where lines go from now on; main.c calls it once the configuration is
 * loaded and again on reload (log.syslog on or off). procname: the name in
 * each line and syslog's ident (NULL: log_init's). Until it is called,
 * lines go to stderr in LOG_FMT_STDERR.
 *
 * LOG_TO_STDERR: when stderr is the journal's stream, as systemd says in
 * JOURNAL_STREAM (systemd.exec(5): "DEV:INODE" of the stream, compared
 * with fstat(2) of fd 2; a mismatch, as after a redirection, is a plain
 * stderr), each line is "<N>level: message", N the sd-daemon(3) priority
 * (SD_ERR 3, SD_WARNING 4, SD_INFO 6, SD_DEBUG 7), with no time: journald
 * stamps it. Otherwise "YYYY-MM-DD HH:MM:SS.mmm proc: level: message" in
 * local time (BIRD's "%F %T.%3f"). LOG_TO_SYSLOG: openlog(proc, LOG_PID,
 * LOG_DAEMON), "level: message" at the level's priority; closelog() when
 * the target changes. fatal()'s line also goes to stderr then.
 */
void	log_open(enum log_target, const char *procname);
enum log_format log_format(void);
/* JOURNAL_STREAM's value names fd's file (the rule above; for tests) */
bool	log_journal_stream_is(const char *env, int fd);
/*
 * A seam for tests: syslog(3)'s three calls (NULL: the C library's). Set
 * before log_open(LOG_TO_SYSLOG).
 */
struct log_syslog_ops {
	void	(*open)(const char *ident, int option, int facility);
	void	(*log)(int priority, const char *fmt, ...);
	void	(*close)(void);
};
void	log_set_syslog_ops(const struct log_syslog_ops *);
/*
 * Batch info and debug lines to stderr or the journal until the end of the
 * loop turn that logged them (one write a turn); warnings, errors and the
 * fatal line are written at once, in order. log_batch_stop writes what is
 * kept and ends it; log_flush writes what is kept.
 */
struct event_base;
void	log_batch_start(struct event_base *);
void	log_batch_stop(void);
void	log_flush(void);
int	log_level_parse(const char *, enum log_level *);
const char *log_level_name(enum log_level);
/* "states,routes" / "all" / "" -> a LOG_D_ mask; -1: an unknown name */
int	log_debug_parse(const char *, unsigned *mask);
/* the name of one category's mask (or LOG_D_ALL), NULL otherwise */
const char *log_debug_name(unsigned mask);
void	log_warn(const char *, ...) PRINTF_LIKE(1, 2);
void	log_warnx(const char *, ...) PRINTF_LIKE(1, 2);
void	log_error(const char *, ...) PRINTF_LIKE(1, 2);
void	log_info(const char *, ...) PRINTF_LIKE(1, 2);
void	log_debug(const char *, ...) PRINTF_LIKE(1, 2);
void	vlog(enum log_level, const char *, va_list) PRINTF_LIKE(2, 0);
void	fatal(const char *, ...) PRINTF_LIKE(1, 2) NORETURN;
void	fatalx(const char *, ...) PRINTF_LIKE(1, 2) NORETURN;

/*
 * A rate limit for one kind of line: the first burst lines of each window
 * of interval_ms are logged, the others only counted. The count is said on
 * the next line logged, "... (N similar lines suppressed)", or, when the
 * window ends first and the limit has a loop (log_ratelimit_start), on a
 * line of its own, "<what>: N similar lines suppressed". So a flood costs
 * at most burst + 1 lines per window, and no line goes unaccounted.
 *
 * Embedded in its owner: log_ratelimit_init, optionally _start, then log_rl
 * for every line of the kind; _fini says what is left and frees the timer.
 */
struct event;
struct event_base;

struct log_ratelimit {
	enum log_level	 level;
	unsigned	 interval_ms;
	unsigned	 burst;
	const char	*what;		/* the kind: the count's line */
	uint64_t	(*clock)(void);	/* ms; NULL: CLOCK_MONOTONIC */
	struct event	*ev_flush;	/* window end; NULL: no loop */
	bool		 open;		/* a window has begun */
	uint64_t	 start;		/* when it began, clock ms */
	unsigned	 nlogged;	/* lines logged in it */
	unsigned long	 pending;	/* suppressed, not said yet */
	unsigned long	 total;		/* suppressed since init */
};

void	log_ratelimit_init(struct log_ratelimit *, enum log_level,
	    unsigned interval_ms, unsigned burst, const char *what);
/* Say the count at the end of a window, from base's loop. */
void	log_ratelimit_start(struct log_ratelimit *, struct event_base *);
/* Say the count not said yet; free the timer. Harmless twice. */
void	log_ratelimit_fini(struct log_ratelimit *);
/* Log the line, or count it (see above). */
void	log_rl(struct log_ratelimit *, const char *, ...) PRINTF_LIKE(2, 3);
/*
 * The decision alone: true when this line is to be logged, with *said set
 * to the count to append (then cleared); false when it is counted.
 */
bool	log_ratelimit_allow(struct log_ratelimit *, unsigned long *said);
/* Say the count not said yet, if any, on a line of its own. */
void	log_ratelimit_flush(struct log_ratelimit *);

#define log_dbg(cat, ...)						\
	do {								\
		if ((log_debug_mask & (cat)) && log_level >= LOG_LVL_DEBUG) \
			log_debug(__VA_ARGS__);				\
	} while (0)

#endif
