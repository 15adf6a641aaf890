/*
 * defs.h: tiny compile-time helpers shared by every module.
 * No functions live here; only macros that have no better home.
 */
#ifndef TERN_DEFS_H
#define TERN_DEFS_H

#define NITEMS(a) (sizeof(a) / sizeof((a)[0]))
#define WARN_UNUSED __attribute__((warn_unused_result))
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#define NORETURN __attribute__((noreturn))

#endif
