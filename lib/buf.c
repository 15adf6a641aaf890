/*
 * buf.c: the bounded reader and the sticky writer of buf.h.
 * Owns no memory: both types are views onto caller-owned storage.
 */
#include <string.h>

#include "buf.h"

int
rbuf_get_u8(struct rbuf *r, uint8_t *out)
{
	if (r->len < 1)
		return -1;
	*out = r->p[0];
	r->p += 1;
	r->len -= 1;
	return 0;
}

int
rbuf_get_u16(struct rbuf *r, uint16_t *out)
{
	if (r->len < 2)
		return -1;
	*out = (uint16_t)((r->p[0] << 8) | r->p[1]);
	r->p += 2;
	r->len -= 2;
	return 0;
}

int
rbuf_get_u32(struct rbuf *r, uint32_t *out)
{
	if (r->len < 4)
		return -1;
	*out = ((uint32_t)r->p[0] << 24) | ((uint32_t)r->p[1] << 16) |
	    ((uint32_t)r->p[2] << 8) | (uint32_t)r->p[3];
	r->p += 4;
	r->len -= 4;
	return 0;
}

int
rbuf_get_bytes(struct rbuf *r, void *dst, size_t n)
{
	if (r->len < n)
		return -1;
	if (n)
		memcpy(dst, r->p, n);
	r->p += n;
	r->len -= n;
	return 0;
}

int
rbuf_skip(struct rbuf *r, size_t n)
{
	if (r->len < n)
		return -1;
	r->p += n;
	r->len -= n;
	return 0;
}

int
rbuf_sub(struct rbuf *r, size_t n, struct rbuf *sub)
{
	if (r->len < n)
		return -1;
	sub->p = r->p;
	sub->len = n;
	r->p += n;
	r->len -= n;
	return 0;
}

void
wbuf_init(struct wbuf *w, void *p, size_t cap)
{
	w->p = p;
	w->len = 0;
	w->cap = cap;
	w->err = false;
}

static bool
wbuf_need(struct wbuf *w, size_t n)
{
	if (w->err || w->cap - w->len < n) {
		w->err = true;
		return false;
	}
	return true;
}

void
wbuf_put_u8(struct wbuf *w, uint8_t v)
{
	if (!wbuf_need(w, 1))
		return;
	w->p[w->len++] = v;
}

void
wbuf_put_u16(struct wbuf *w, uint16_t v)
{
	if (!wbuf_need(w, 2))
		return;
	w->p[w->len++] = (uint8_t)(v >> 8);
	w->p[w->len++] = (uint8_t)v;
}

void
wbuf_put_u32(struct wbuf *w, uint32_t v)
{
	if (!wbuf_need(w, 4))
		return;
	w->p[w->len++] = (uint8_t)(v >> 24);
	w->p[w->len++] = (uint8_t)(v >> 16);
	w->p[w->len++] = (uint8_t)(v >> 8);
	w->p[w->len++] = (uint8_t)v;
}

void
wbuf_put_bytes(struct wbuf *w, const void *src, size_t n)
{
	if (!wbuf_need(w, n))
		return;
	if (n)
		memcpy(w->p + w->len, src, n);
	w->len += n;
}

size_t
wbuf_reserve_u8(struct wbuf *w)
{
	size_t off = w->len;

	wbuf_put_u8(w, 0);
	return off;
}

size_t
wbuf_reserve_u16(struct wbuf *w)
{
	size_t off = w->len;

	wbuf_put_u16(w, 0);
	return off;
}

void
wbuf_patch_u8(struct wbuf *w, size_t off, uint8_t v)
{
	if (w->err || off + 1 > w->len)
		return;
	w->p[off] = v;
}

void
wbuf_patch_u16(struct wbuf *w, size_t off, uint16_t v)
{
	if (w->err || off + 2 > w->len)
		return;
	w->p[off] = (uint8_t)(v >> 8);
	w->p[off + 1] = (uint8_t)v;
}

void
wbuf_truncate(struct wbuf *w, size_t off)
{
	if (off <= w->len) {
		w->len = off;
		w->err = false;
	}
}
