/*
 * nlri.c: NLRI prefixes (RFC 4271 4.3, with RFC 7911 path identifiers)
 * and the two multiprotocol attributes that carry them (RFC 4760 3, 4).
 * The iterator reads one prefix at a time from a bounded view; the MP
 * decoders only locate the next hop and the NLRI field and check that
 * every prefix in it parses, so a caller iterating later cannot fail.
 * Nothing here knows about sessions or the rib.
 */
#include <string.h>
#include <sys/socket.h>

#include "msg.h"

static int
nlri_err(struct bgp_err *err, const char *reason)
{
	/*
	 * RFC 7606 5.3: a syntactically incorrect NLRI field (a prefix
	 * length above the maximum, or a prefix overrunning the field) makes
	 * treat-as-withdraw impossible; our implementation resets the
	 * session (no AFI/SAFI disable).
	 */
	return bgp_err_set(err, BGP_ERR_UPDATE, BGP_ERR_UPD_NETWORK,
	    BGP_ERR_RESET, NULL, 0, reason);
}

int
bgp_nlri_next(struct rbuf *r, uint8_t family, bool add_path,
    struct prefix *pfx, uint32_t *path_id, struct bgp_err *err)
{
	uint8_t plen, b[16];
	size_t nbytes;

	if (rbuf_left(r) == 0)
		return 0;
	*path_id = 0;
	/* RFC 7911 3: the path identifier precedes each prefix */
	if (add_path && rbuf_get_u32(r, path_id) == -1)
		return nlri_err(err, "truncated path identifier");
	if (rbuf_get_u8(r, &plen) == -1)
		return nlri_err(err, "truncated prefix");
	if (plen > af_maxlen(family))
		return nlri_err(err, "prefix length too long");
	nbytes = (plen + 7u) / 8u;
	memset(b, 0, sizeof(b));
	if (rbuf_get_bytes(r, b, nbytes) == -1)
		return nlri_err(err, "prefix overruns the field");
	/* host bits set on the wire are masked off, as BIRD does */
	if (plen % 8 != 0)
		b[nbytes - 1] &= (uint8_t)(0xff << (8 - plen % 8));
	if (prefix_set(pfx, family, b, plen) == -1)
		return nlri_err(err, "bad prefix");
	return 1;
}

void
bgp_nlri_encode(struct wbuf *w, const struct prefix *pfx, bool add_path,
    uint32_t path_id)
{
	if (add_path)
		wbuf_put_u32(w, path_id);
	wbuf_put_u8(w, pfx->len);
	wbuf_put_bytes(w, pfx->b, (pfx->len + 7u) / 8u);
}

int
bgp_nlri_check(struct rbuf r, uint8_t family, bool add_path,
    struct bgp_err *err)
{
	struct prefix pfx;
	uint32_t path_id;
	int rv;

	while ((rv = bgp_nlri_next(&r, family, add_path, &pfx, &path_id,
	    err)) == 1)
		;
	return rv;
}

/* RFC 4760 7 / RFC 7606 7.11: a malformed MP attribute resets */
static int
mp_err(struct bgp_err *err, const struct bgp_attr_view *a, const char *reason)
{
	return bgp_attr_err(err, BGP_ERR_UPD_OPTATTR, BGP_ERR_RESET, a, reason);
}

/*
 * RFC 4760 3: the next hop is 4 octets for IPv4; for IPv6 16, or 32 with
 * a link-local address second (RFC 2545 3). Anything else is malformed
 * (RFC 7606 7.11).
 */
static int
mp_nexthop(struct rbuf *nh, enum bgp_af af, struct bgp_update *u)
{
	uint8_t b[16];

	if (af == BGP_AF_IPV4) {
		if (rbuf_left(nh) != 4 || rbuf_get_bytes(nh, b, 4) == -1)
			return -1;
		addr_set_bytes(&u->mp_nexthop, AF_INET, b);
		return 0;
	}
	if (rbuf_left(nh) != 16 && rbuf_left(nh) != 32)
		return -1;
	if (rbuf_get_bytes(nh, b, 16) == -1)
		return -1;
	addr_set_bytes(&u->mp_nexthop, AF_INET6, b);
	if (rbuf_left(nh) == 16) {
		if (rbuf_get_bytes(nh, b, 16) == -1)
			return -1;
		addr_set_bytes(&u->mp_nexthop_ll, AF_INET6, b);
	}
	return 0;
}

int
bgp_mp_reach_decode(const struct bgp_attr_view *a,
    const struct bgp_codec_ctx *ctx, struct bgp_update *u, struct bgp_err *err)
{
	struct rbuf v = a->val, *val = &v, nh;
	uint16_t afi;
	uint8_t safi, nhlen, res;
	enum bgp_af af;

	/* RFC 4760 3: AFI, SAFI, next hop length, next hop, reserved */
	if (rbuf_get_u16(val, &afi) == -1 || rbuf_get_u8(val, &safi) == -1 ||
	    rbuf_get_u8(val, &nhlen) == -1 || rbuf_sub(val, nhlen, &nh) == -1 ||
	    rbuf_get_u8(val, &res) == -1)
		return mp_err(err, a, "MP_REACH_NLRI overruns");
	/* a family we do not speak: not ours to judge, skip it (as BIRD) */
	if (bgp_af_from_afi(afi, safi, &af) == -1)
		return 0;
	if (mp_nexthop(&nh, af, u) == -1)
		return mp_err(err, a, "bad MP_REACH_NLRI next hop length");
	if (bgp_nlri_check(*val, bgp_af_family(af), ctx->add_path_rx[af],
	    err) == -1)
		return -1;
	u->has_mp_reach = true;
	u->mp_reach_af = af;
	u->mp_reach_nlri = *val;
	return 0;
}

int
bgp_mp_unreach_decode(const struct bgp_attr_view *a,
    const struct bgp_codec_ctx *ctx, struct bgp_update *u, struct bgp_err *err)
{
	struct rbuf v = a->val, *val = &v;
	uint16_t afi;
	uint8_t safi;
	enum bgp_af af;

	/* RFC 4760 4: AFI, SAFI, withdrawn routes */
	if (rbuf_get_u16(val, &afi) == -1 || rbuf_get_u8(val, &safi) == -1)
		return mp_err(err, a, "MP_UNREACH_NLRI too short");
	if (bgp_af_from_afi(afi, safi, &af) == -1)
		return 0;
	if (bgp_nlri_check(*val, bgp_af_family(af), ctx->add_path_rx[af],
	    err) == -1)
		return -1;
	u->has_mp_unreach = true;
	u->mp_unreach_af = af;
	u->mp_unreach_nlri = *val;
	return 0;
}
