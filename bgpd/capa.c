/*
 * capa.c: the OPEN optional parameters and the capabilities inside them
 * (RFC 5492, with the RFC 9072 extended-length form), and the address
 * family helpers. It decodes into and encodes from struct bgp_caps only;
 * what the session makes of the capabilities (add-path direction, GR
 * timers, required families) is decided by the FSM, not here.
 *
 * Length rules follow BIRD's bgp_read_capabilities: a capability whose
 * length does not fit its definition is a malformed OPEN (2/0, as BIRD
 * and OpenBGPD send); an unknown capability is skipped (RFC 5492 3).
 */
#include <string.h>
#include <sys/socket.h>

#include "msg.h"

/* ---- address families ---- */

uint8_t
bgp_af_family(enum bgp_af af)
{
	return af == BGP_AF_IPV6 ? AF_INET6 : AF_INET;
}

int
bgp_af_from_afi(uint16_t afi, uint8_t safi, enum bgp_af *af)
{
	if (safi != BGP_SAFI_UNICAST)
		return -1;
	if (afi == BGP_AFI_IPV4)
		*af = BGP_AF_IPV4;
	else if (afi == BGP_AFI_IPV6)
		*af = BGP_AF_IPV6;
	else
		return -1;
	return 0;
}

uint16_t
bgp_af_afi(enum bgp_af af)
{
	return af == BGP_AF_IPV6 ? BGP_AFI_IPV6 : BGP_AFI_IPV4;
}

/* ---- capability decoders, one per code ---- */

static int
capa_malformed(struct bgp_err *err, const char *reason)
{
	/* BIRD and OpenBGPD: a malformed capability is OPEN error, 0 */
	return bgp_err_set(err, BGP_ERR_OPEN, 0, BGP_ERR_RESET, NULL, 0,
	    reason);
}

/* RFC 4760 8: AFI (2), reserved (1), SAFI (1) */
static int
capa_mp(struct rbuf *v, struct bgp_caps *c, struct bgp_err *err)
{
	uint16_t afi;
	uint8_t res, safi;
	enum bgp_af af;

	if (rbuf_left(v) != 4 || rbuf_get_u16(v, &afi) == -1 ||
	    rbuf_get_u8(v, &res) == -1 || rbuf_get_u8(v, &safi) == -1)
		return capa_malformed(err, "bad multiprotocol capability");
	if (bgp_af_from_afi(afi, safi, &af) == 0)
		c->mp[af] = true;	/* other families: ignored */
	return 0;
}

/* RFC 4724 3: restart flags (4 bits) and time (12), then AF tuples */
static int
capa_gr(struct rbuf *v, struct bgp_caps *c, struct bgp_err *err)
{
	uint16_t ft, afi;
	uint8_t safi, flags;
	enum bgp_af af;

	if (rbuf_left(v) % 4 != 2 || rbuf_get_u16(v, &ft) == -1)
		return capa_malformed(err, "bad graceful restart capability");
	c->gr = true;
	c->gr_restarting = (ft >> 12) & BGP_GR_F_RESTART;
	c->gr_notification = (ft >> 12) & BGP_GR_F_NOTIFICATION;
	c->gr_time = ft & 0x0fff;
	memset(c->gr_af, 0, sizeof(c->gr_af));
	memset(c->gr_fwd, 0, sizeof(c->gr_fwd));
	while (rbuf_left(v) > 0) {
		if (rbuf_get_u16(v, &afi) == -1 ||
		    rbuf_get_u8(v, &safi) == -1 ||
		    rbuf_get_u8(v, &flags) == -1)
			return capa_malformed(err, "bad graceful restart AF");
		if (bgp_af_from_afi(afi, safi, &af) == -1)
			continue;
		c->gr_af[af] = true;
		c->gr_fwd[af] = (flags & BGP_GR_AF_F_FORWARDING) != 0;
	}
	return 0;
}

/* RFC 6793 9: the 4-octet AS */
static int
capa_as4(struct rbuf *v, struct bgp_caps *c, struct bgp_err *err)
{
	if (rbuf_left(v) != 4 || rbuf_get_u32(v, &c->as4_as) == -1)
		return capa_malformed(err, "bad 4-octet AS capability");
	c->as4 = true;
	return 0;
}

/*
 * RFC 7911 4: (AFI, SAFI, Send/Receive) tuples. A Send/Receive value
 * outside 1..3 makes that tuple meaningless; our implementation ignores
 * the tuple rather than the session (BIRD logs and skips it too).
 */
static int
capa_add_path(struct rbuf *v, struct bgp_caps *c, struct bgp_err *err)
{
	uint16_t afi;
	uint8_t safi, sr;
	enum bgp_af af;

	if (rbuf_left(v) % 4 != 0)
		return capa_malformed(err, "bad ADD-PATH capability");
	while (rbuf_left(v) > 0) {
		if (rbuf_get_u16(v, &afi) == -1 ||
		    rbuf_get_u8(v, &safi) == -1 || rbuf_get_u8(v, &sr) == -1)
			return capa_malformed(err, "bad ADD-PATH capability");
		if (sr < 1 || sr > (BGP_ADDPATH_RX | BGP_ADDPATH_TX) ||
		    bgp_af_from_afi(afi, safi, &af) == -1)
			continue;
		c->add_path[af] = sr;
	}
	return 0;
}

/* RFC 2918 2, RFC 7313 4, RFC 8654 3: flag capabilities, length 0 */
static int
capa_flag(struct rbuf *v, bool *flag, struct bgp_err *err)
{
	if (rbuf_left(v) != 0)
		return capa_malformed(err, "bad capability length");
	*flag = true;
	return 0;
}

/*
 * RFC 9494 3: (AFI 2, SAFI 1, Flags 1, Long-lived Stale Time 3) tuples;
 * the F bit is the flags' top bit, as in RFC 4724's AF flags. A family we
 * do not know is skipped; none at all is BIRD's "aware" (we may send it
 * LLGR_STALE routes, it keeps none of ours).
 */
static int
capa_llgr(struct rbuf *v, struct bgp_caps *c, struct bgp_err *err)
{
	uint16_t afi, hi;
	uint8_t safi, flags, lo;
	enum bgp_af af;

	if (rbuf_left(v) % 7 != 0)
		return capa_malformed(err, "bad LLGR capability");
	c->llgr = true;
	memset(c->llgr_af, 0, sizeof(c->llgr_af));
	memset(c->llgr_fwd, 0, sizeof(c->llgr_fwd));
	memset(c->llgr_time, 0, sizeof(c->llgr_time));
	while (rbuf_left(v) > 0) {
		if (rbuf_get_u16(v, &afi) == -1 ||
		    rbuf_get_u8(v, &safi) == -1 ||
		    rbuf_get_u8(v, &flags) == -1 ||
		    rbuf_get_u16(v, &hi) == -1 || rbuf_get_u8(v, &lo) == -1)
			return capa_malformed(err, "bad LLGR capability");
		if (bgp_af_from_afi(afi, safi, &af) == -1)
			continue;
		c->llgr_af[af] = true;
		c->llgr_fwd[af] = (flags & BGP_GR_AF_F_FORWARDING) != 0;
		c->llgr_time[af] = (uint32_t)hi << 8 | lo;
	}
	return 0;
}

static int
capa_one(uint8_t code, struct rbuf *v, struct bgp_caps *c,
    struct bgp_err *err)
{
	switch (code) {
	case BGP_CAP_MP:
		return capa_mp(v, c, err);
	case BGP_CAP_ROUTE_REFRESH:
		return capa_flag(v, &c->route_refresh, err);
	case BGP_CAP_EXT_MSG:
		return capa_flag(v, &c->ext_msg, err);
	case BGP_CAP_GRACEFUL_RESTART:
		return capa_gr(v, c, err);
	case BGP_CAP_AS4:
		return capa_as4(v, c, err);
	case BGP_CAP_ADD_PATH:
		return capa_add_path(v, c, err);
	case BGP_CAP_ENHANCED_RR:
		return capa_flag(v, &c->enhanced_rr, err);
	case BGP_CAP_LLGR:
		return capa_llgr(v, c, err);
	default:
		return 0;	/* RFC 5492 3: ignore unknown capabilities */
	}
}

/* RFC 5492 4: a capabilities parameter holds code/length/value triples */
static int
caps_decode(struct rbuf *param, struct bgp_caps *c, struct bgp_err *err)
{
	uint8_t code, len;
	struct rbuf v;

	while (rbuf_left(param) > 0) {
		if (rbuf_get_u8(param, &code) == -1 ||
		    rbuf_get_u8(param, &len) == -1 ||
		    rbuf_sub(param, len, &v) == -1)
			return capa_malformed(err, "capability overruns");
		if (capa_one(code, &v, c, err) == -1)
			return -1;
	}
	return 0;
}

/* ---- optional parameters ---- */

static int
params_walk(struct rbuf *params, bool ext, struct bgp_caps *c,
    struct bgp_err *err)
{
	uint8_t type, len8;
	uint16_t len = 0;
	struct rbuf v;
	int rc;

	while (rbuf_left(params) > 0) {
		if (rbuf_get_u8(params, &type) == -1)
			return capa_malformed(err, "parameter overruns");
		/* RFC 9072 2: extended parameters have 2-octet lengths */
		if (ext)
			rc = rbuf_get_u16(params, &len);
		else if ((rc = rbuf_get_u8(params, &len8)) == 0)
			len = len8;
		if (rc == -1 || rbuf_sub(params, len, &v) == -1)
			return capa_malformed(err, "parameter overruns");
		/* RFC 4271 6.2 / RFC 5492 4: only capabilities are known */
		if (type != BGP_OPT_CAPABILITIES)
			return bgp_err_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_OPT,
			    BGP_ERR_RESET, NULL, 0,
			    "unsupported optional parameter");
		if (caps_decode(&v, c, err) == -1)
			return -1;
	}
	return 0;
}

int
bgp_open_params_decode(struct rbuf *r, struct bgp_caps *c,
    struct bgp_err *err)
{
	uint8_t optlen, type;
	uint16_t extlen;
	struct rbuf params;

	memset(c, 0, sizeof(*c));
	if (rbuf_get_u8(r, &optlen) == -1)
		return capa_malformed(err, "no optional parameters length");
	/*
	 * RFC 9072 2: Non-Ext OP Len 255 followed by Non-Ext OP Type 255
	 * announces the extended form with a 2-octet total length.
	 */
	if (optlen == 255 && rbuf_left(r) > 0 && r->p[0] == 255) {
		if (rbuf_get_u8(r, &type) == -1 ||
		    rbuf_get_u16(r, &extlen) == -1 ||
		    rbuf_sub(r, extlen, &params) == -1)
			return capa_malformed(err, "bad extended parameters");
		return params_walk(&params, true, c, err);
	}
	if (rbuf_sub(r, optlen, &params) == -1)
		return capa_malformed(err, "parameters overrun the OPEN");
	return params_walk(&params, false, c, err);
}

/* ---- encoding, in BIRD 2's order (birdc-protocol.md 5) ---- */

static void
cap_hdr(struct wbuf *w, uint8_t code, uint8_t len)
{
	wbuf_put_u8(w, code);
	wbuf_put_u8(w, len);
}

static void
caps_encode_gr(const struct bgp_caps *c, struct wbuf *w)
{
	uint8_t naf = 0;
	uint16_t ft;

	for (int af = 0; af < BGP_AF_MAX; af++)
		naf = (uint8_t)(naf + (c->gr_af[af] ? 1 : 0));
	/* RFC 4724 3 */
	ft = (uint16_t)((c->gr_restarting ? BGP_GR_F_RESTART << 12 : 0) |
	    (c->gr_notification ? BGP_GR_F_NOTIFICATION << 12 : 0) |
	    (c->gr_time & 0x0fff));
	cap_hdr(w, BGP_CAP_GRACEFUL_RESTART, (uint8_t)(2 + 4 * naf));
	wbuf_put_u16(w, ft);
	for (int af = 0; af < BGP_AF_MAX; af++) {
		if (!c->gr_af[af])
			continue;
		wbuf_put_u16(w, bgp_af_afi((enum bgp_af)af));
		wbuf_put_u8(w, BGP_SAFI_UNICAST);
		wbuf_put_u8(w, c->gr_fwd[af] ? BGP_GR_AF_F_FORWARDING : 0);
	}
}

static void
caps_encode_add_path(const struct bgp_caps *c, struct wbuf *w)
{
	uint8_t naf = 0;

	for (int af = 0; af < BGP_AF_MAX; af++)
		naf = (uint8_t)(naf + (c->add_path[af] ? 1 : 0));
	if (naf == 0)
		return;
	/* RFC 7911 4 */
	cap_hdr(w, BGP_CAP_ADD_PATH, (uint8_t)(4 * naf));
	for (int af = 0; af < BGP_AF_MAX; af++) {
		if (!c->add_path[af])
			continue;
		wbuf_put_u16(w, bgp_af_afi((enum bgp_af)af));
		wbuf_put_u8(w, BGP_SAFI_UNICAST);
		wbuf_put_u8(w, c->add_path[af]);
	}
}

/* RFC 9494 3; no tuple: BIRD's aware mode */
static void
caps_encode_llgr(const struct bgp_caps *c, struct wbuf *w)
{
	uint8_t naf = 0;

	for (int af = 0; af < BGP_AF_MAX; af++)
		naf = (uint8_t)(naf + (c->llgr_af[af] ? 1 : 0));
	cap_hdr(w, BGP_CAP_LLGR, (uint8_t)(7 * naf));
	for (int af = 0; af < BGP_AF_MAX; af++) {
		uint32_t t = c->llgr_time[af] & 0xffffff;

		if (!c->llgr_af[af])
			continue;
		wbuf_put_u16(w, bgp_af_afi((enum bgp_af)af));
		wbuf_put_u8(w, BGP_SAFI_UNICAST);
		wbuf_put_u8(w, c->llgr_fwd[af] ? BGP_GR_AF_F_FORWARDING : 0);
		wbuf_put_u16(w, (uint16_t)(t >> 8));
		wbuf_put_u8(w, (uint8_t)(t & 0xff));
	}
}

static void
caps_encode(const struct bgp_caps *c, struct wbuf *w)
{
	for (int af = 0; af < BGP_AF_MAX; af++) {
		if (!c->mp[af])
			continue;
		cap_hdr(w, BGP_CAP_MP, 4);	/* RFC 4760 8 */
		wbuf_put_u16(w, bgp_af_afi((enum bgp_af)af));
		wbuf_put_u8(w, 0);
		wbuf_put_u8(w, BGP_SAFI_UNICAST);
	}
	if (c->route_refresh)
		cap_hdr(w, BGP_CAP_ROUTE_REFRESH, 0);
	if (c->ext_msg)
		cap_hdr(w, BGP_CAP_EXT_MSG, 0);
	if (c->gr)
		caps_encode_gr(c, w);
	if (c->as4) {
		cap_hdr(w, BGP_CAP_AS4, 4);
		wbuf_put_u32(w, c->as4_as);
	}
	caps_encode_add_path(c, w);
	if (c->enhanced_rr)
		cap_hdr(w, BGP_CAP_ENHANCED_RR, 0);
	if (c->llgr)
		caps_encode_llgr(c, w);
}

/*
 * All capabilities go into one parameter, as BIRD 2 does. Ours add up to
 * well under 255 octets, so our implementation never needs the RFC 9072
 * form on output (it only accepts it); overflow sets w->err instead.
 */
void
bgp_open_params_encode(const struct bgp_caps *c, struct wbuf *w)
{
	size_t optlen_off = wbuf_reserve_u8(w);
	size_t plen_off, start;

	wbuf_put_u8(w, BGP_OPT_CAPABILITIES);
	plen_off = wbuf_reserve_u8(w);
	start = w->len;
	caps_encode(c, w);
	if (w->err)
		return;
	if (w->len == start) {
		wbuf_truncate(w, optlen_off + 1);	/* no capabilities */
		return;
	}
	if (w->len - (optlen_off + 1) > 255) {
		w->err = true;
		return;
	}
	wbuf_patch_u8(w, plen_off, (uint8_t)(w->len - start));
	wbuf_patch_u8(w, optlen_off, (uint8_t)(w->len - (optlen_off + 1)));
}
