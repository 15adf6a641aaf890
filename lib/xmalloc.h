/*
 * xmalloc.h: allocation that cannot fail. On OOM we call fatal(): there is
 * no half-handled ENOMEM path; the supervisor restarts us (STYLE 5.6).
 */
#ifndef TERN_XMALLOC_H
#define TERN_XMALLOC_H

#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
void	*xmemdup(const void *, size_t);

#endif
