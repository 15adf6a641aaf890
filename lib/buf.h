/*
 * buf.h: bounded wire buffers (OpenBGPD ibuf, split in two).
 *
 * struct rbuf is a read-only *view*: getters decode network byte order,
 * return 0 or -1 and never read past len. rbuf_sub() carves a bounded child
 * view and advances the parent, so a decoder given a sub-view cannot read
 * into its neighbour.
 *
 * struct wbuf is a *sticky* writer: after the first overflow every put is a
 * no-op and err stays set, so a message builder checks once at the end.
 * cap is the negotiated maximum message size.
 */
#ifndef TERN_BUF_H
#define TERN_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "defs.h"

struct rbuf {
	const uint8_t	*p;
	size_t		 len;
};

static inline void
rbuf_init(struct rbuf *r, const void *p, size_t len)
{
	r->p = p;
	r->len = len;
}

static inline size_t
rbuf_left(const struct rbuf *r)
{
	return r->len;
}

int	rbuf_get_u8(struct rbuf *, uint8_t *) WARN_UNUSED;
int	rbuf_get_u16(struct rbuf *, uint16_t *) WARN_UNUSED;
int	rbuf_get_u32(struct rbuf *, uint32_t *) WARN_UNUSED;
int	rbuf_get_bytes(struct rbuf *, void *, size_t) WARN_UNUSED;
int	rbuf_skip(struct rbuf *, size_t) WARN_UNUSED;
int	rbuf_sub(struct rbuf *, size_t, struct rbuf *) WARN_UNUSED;

struct wbuf {
	uint8_t		*p;
	size_t		 len;
	size_t		 cap;
	bool		 err;
};

void	wbuf_init(struct wbuf *, void *, size_t cap);
void	wbuf_put_u8(struct wbuf *, uint8_t);
void	wbuf_put_u16(struct wbuf *, uint16_t);
void	wbuf_put_u32(struct wbuf *, uint32_t);
void	wbuf_put_bytes(struct wbuf *, const void *, size_t);
size_t	wbuf_reserve_u8(struct wbuf *);
size_t	wbuf_reserve_u16(struct wbuf *);
void	wbuf_patch_u8(struct wbuf *, size_t off, uint8_t);
void	wbuf_patch_u16(struct wbuf *, size_t off, uint16_t);
/* Undo everything written after offset off (e.g. a prefix that did not fit). */
void	wbuf_truncate(struct wbuf *, size_t off);

static inline size_t
wbuf_room(const struct wbuf *w)
{
	return w->err ? 0 : w->cap - w->len;
}

#endif
