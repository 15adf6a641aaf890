/*
 * pkt.c: the BFD Control packet codec (RFC 5880 4.1) and the checks of
 * RFC 5880 6.8.6 that need no session state. Every field is read through
 * the bounded reader; a datagram that fails a check is reported with the
 * reason, never partly used. No session, socket or clock here.
 */
#include "buf.h"
#include "defs.h"
#include "pkt.h"

static const char *const err_names[] = {
	[BFD_PKT_OK] = "ok",
	[BFD_PKT_SHORT] = "shorter than a Control packet",
	[BFD_PKT_VERSION] = "version is not 1",
	[BFD_PKT_LENGTH] = "Length under the minimum",
	[BFD_PKT_TRUNCATED] = "Length past the datagram",
	[BFD_PKT_DETECT_MULT] = "Detect Mult is zero",
	[BFD_PKT_MULTIPOINT] = "Multipoint bit set",
	[BFD_PKT_MY_DISCR] = "My Discriminator is zero",
	[BFD_PKT_POLL_FINAL] = "Poll and Final both set",
	[BFD_PKT_AUTH] = "authentication present, none configured",
};

const char *
bfd_pkt_err_name(enum bfd_pkt_err e)
{
	if ((size_t)e < NITEMS(err_names) && err_names[e] != NULL)
		return err_names[e];
	return "?";
}

/* The fixed 24 bytes, field by field (RFC 5880 4.1). */
static int
read_fields(struct rbuf *r, struct bfd_pkt *p)
{
	uint8_t b0, b1;

	if (rbuf_get_u8(r, &b0) == -1 || rbuf_get_u8(r, &b1) == -1 ||
	    rbuf_get_u8(r, &p->detect_mult) == -1 ||
	    rbuf_get_u8(r, &p->length) == -1 ||
	    rbuf_get_u32(r, &p->my_discr) == -1 ||
	    rbuf_get_u32(r, &p->your_discr) == -1 ||
	    rbuf_get_u32(r, &p->desired_min_tx) == -1 ||
	    rbuf_get_u32(r, &p->required_min_rx) == -1 ||
	    rbuf_get_u32(r, &p->required_min_echo_rx) == -1)
		return -1;
	p->version = b0 >> 5;
	p->diag = b0 & 0x1f;
	p->state = b1 >> 6;
	p->flags = b1 & 0x3f;
	return 0;
}

enum bfd_pkt_err
bfd_pkt_decode(const uint8_t *buf, size_t len, struct bfd_pkt *p)
{
	struct rbuf r;

	rbuf_init(&r, buf, len);
	if (read_fields(&r, p) == -1)
		return BFD_PKT_SHORT;
	/* RFC 5880 6.8.6, in its order */
	if (p->version != BFD_VERSION)
		return BFD_PKT_VERSION;
	if (p->length < ((p->flags & BFD_F_AUTH) ? BFD_PKT_LEN_AUTH_MIN :
	    BFD_PKT_LEN))
		return BFD_PKT_LENGTH;
	if (p->length > len)
		return BFD_PKT_TRUNCATED;
	if (p->detect_mult == 0)
		return BFD_PKT_DETECT_MULT;
	if (p->flags & BFD_F_MULTIPOINT)
		return BFD_PKT_MULTIPOINT;
	if (p->my_discr == 0)
		return BFD_PKT_MY_DISCR;
	/* RFC 5880 6.5: "MUST NOT have both the Poll (P) and Final (F) bits
	 * set"; a packet that does is no valid Control packet */
	if ((p->flags & (BFD_F_POLL | BFD_F_FINAL)) ==
	    (BFD_F_POLL | BFD_F_FINAL))
		return BFD_PKT_POLL_FINAL;
	/* 6.8.6: the A bit with bfd.AuthType zero: discard (we never
	 * configure authentication; Calico sets none) */
	if (p->flags & BFD_F_AUTH)
		return BFD_PKT_AUTH;
	return BFD_PKT_OK;
}

size_t
bfd_pkt_encode(const struct bfd_pkt *p, uint8_t *buf, size_t buflen)
{
	struct wbuf w;

	wbuf_init(&w, buf, buflen);
	wbuf_put_u8(&w, (uint8_t)(p->version << 5 | (p->diag & 0x1f)));
	wbuf_put_u8(&w, (uint8_t)(p->state << 6 | (p->flags & 0x3f)));
	wbuf_put_u8(&w, p->detect_mult);
	wbuf_put_u8(&w, BFD_PKT_LEN);
	wbuf_put_u32(&w, p->my_discr);
	wbuf_put_u32(&w, p->your_discr);
	wbuf_put_u32(&w, p->desired_min_tx);
	wbuf_put_u32(&w, p->required_min_rx);
	wbuf_put_u32(&w, p->required_min_echo_rx);
	return w.err ? 0 : w.len;
}
