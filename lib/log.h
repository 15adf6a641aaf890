/*
 * log.h: the OpenBGPD-style logging API. One line per event on stderr with
 * the level in the line. Debug categories are a bitmask tested before the
 * message is formatted (log_dbg), so they cost nothing when off.
 * fatal()/fatalx() are for broken invariants and OOM only, never wire input.
 */
#ifndef TERN_LOG_H
#define TERN_LOG_H

#include <stdarg.h>

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
int	log_level_parse(const char *, enum log_level *);
const char *log_level_name(enum log_level);
void	log_warn(const char *, ...) PRINTF_LIKE(1, 2);
void	log_warnx(const char *, ...) PRINTF_LIKE(1, 2);
void	log_error(const char *, ...) PRINTF_LIKE(1, 2);
void	log_info(const char *, ...) PRINTF_LIKE(1, 2);
void	log_debug(const char *, ...) PRINTF_LIKE(1, 2);
void	vlog(enum log_level, const char *, va_list) PRINTF_LIKE(2, 0);
void	fatal(const char *, ...) PRINTF_LIKE(1, 2) NORETURN;
void	fatalx(const char *, ...) PRINTF_LIKE(1, 2) NORETURN;

#define log_dbg(cat, ...)						\
	do {								\
		if ((log_debug_mask & (cat)) && log_level >= LOG_LVL_DEBUG) \
			log_debug(__VA_ARGS__);				\
	} while (0)

#endif
