/*
 * msg.c: BGP framing, the message header, and the OPEN, KEEPALIVE,
 * NOTIFICATION and ROUTE-REFRESH codecs, plus the error value and the
 * code/subcode/type names used by the logs. It owns no state: decoders fill
 * the caller's structs (NOTIFICATION data is a view into the message) and
 * report malformed input as a struct bgp_err, never by logging or touching
 * a session. Capabilities live in capa.c, UPDATE in update.c/attr.c/nlri.c.
 */
#include <string.h>

#include "msg.h"

/* ---- errors and names ---- */

int
bgp_err_set(struct bgp_err *err, uint8_t code, uint8_t subcode,
    enum bgp_err_action action, const void *data, size_t datalen,
    const char *reason)
{
	memset(err, 0, sizeof(*err));
	err->code = code;
	err->subcode = subcode;
	err->action = action;
	err->reason = reason;
	if (data != NULL) {
		if (datalen > sizeof(err->data))
			datalen = sizeof(err->data);
		memcpy(err->data, data, datalen);
		err->datalen = datalen;
	}
	return -1;
}

const char *
bgp_err_code_name(uint8_t code)
{
	/* RFC 4271 4.5, RFC 7313 */
	static const char *const names[] = {
		[BGP_ERR_HEADER] = "Message Header Error",
		[BGP_ERR_OPEN] = "OPEN Message Error",
		[BGP_ERR_UPDATE] = "UPDATE Message Error",
		[BGP_ERR_HOLD] = "Hold Timer Expired",
		[BGP_ERR_FSM] = "Finite State Machine Error",
		[BGP_ERR_CEASE] = "Cease",
		[BGP_ERR_RREFRESH] = "ROUTE-REFRESH Message Error",
	};

	if (code < NITEMS(names) && names[code] != NULL)
		return names[code];
	return "Unknown error";
}

static const char *const hdr_sub[] = {
	/* RFC 4271 6.1 */
	[BGP_ERR_HDR_SYNC] = "Connection Not Synchronized",
	[BGP_ERR_HDR_LEN] = "Bad Message Length",
	[BGP_ERR_HDR_TYPE] = "Bad Message Type",
};

static const char *const open_sub[] = {
	/* RFC 4271 6.2, RFC 5492, RFC 9234 */
	[BGP_ERR_OPEN_VERSION] = "Unsupported Version Number",
	[BGP_ERR_OPEN_AS] = "Bad Peer AS",
	[BGP_ERR_OPEN_BGPID] = "Bad BGP Identifier",
	[BGP_ERR_OPEN_OPT] = "Unsupported Optional Parameter",
	[5] = "Authentication Failure",
	[BGP_ERR_OPEN_HOLD] = "Unacceptable Hold Time",
	[BGP_ERR_OPEN_CAPA] = "Unsupported Capability",
	[11] = "Role Mismatch",
};

static const char *const upd_sub[] = {
	/* RFC 4271 6.3 */
	[BGP_ERR_UPD_ATTRLIST] = "Malformed Attribute List",
	[BGP_ERR_UPD_UNKNWN_WK_ATTR] = "Unrecognized Well-known Attribute",
	[BGP_ERR_UPD_MISSING_WK_ATTR] = "Missing Well-known Attribute",
	[BGP_ERR_UPD_ATTRFLAGS] = "Attribute Flags Error",
	[BGP_ERR_UPD_ATTR_LEN] = "Attribute Length Error",
	[BGP_ERR_UPD_ORIGIN] = "Invalid ORIGIN Attribute",
	[7] = "AS Routing Loop",
	[BGP_ERR_UPD_NEXTHOP] = "Invalid NEXT_HOP Attribute",
	[BGP_ERR_UPD_OPTATTR] = "Optional Attribute Error",
	[BGP_ERR_UPD_NETWORK] = "Invalid Network Field",
	[BGP_ERR_UPD_ASPATH] = "Malformed AS_PATH",
};

static const char *const fsm_sub[] = {
	/* RFC 6608 */
	[1] = "Receive Unexpected Message in OpenSent State",
	[2] = "Receive Unexpected Message in OpenConfirm State",
	[3] = "Receive Unexpected Message in Established State",
};

static const char *const cease_sub[] = {
	/* RFC 4486, RFC 8538, RFC 9384 */
	[BGP_CEASE_MAX_PREFIX] = "Maximum Number of Prefixes Reached",
	[BGP_CEASE_ADMIN_SHUTDOWN] = "Administrative Shutdown",
	[BGP_CEASE_PEER_UNCONFIGURED] = "Peer De-configured",
	[BGP_CEASE_ADMIN_RESET] = "Administrative Reset",
	[BGP_CEASE_CONN_REJECTED] = "Connection Rejected",
	[BGP_CEASE_CONFIG_CHANGE] = "Other Configuration Change",
	[BGP_CEASE_COLLISION] = "Connection Collision Resolution",
	[BGP_CEASE_OUT_OF_RESOURCES] = "Out of Resources",
	[9] = "Hard Reset",
	[10] = "BFD Down",
};

static const char *const rr_sub[] = {
	/* RFC 7313 5 */
	[1] = "Invalid Message Length",
};

#define SUBNAME(tab, sub)						\
	((sub) < NITEMS(tab) && (tab)[sub] != NULL ? (tab)[sub] :	\
	    "Unknown subcode")

const char *
bgp_err_subcode_name(uint8_t code, uint8_t subcode)
{
	if (subcode == 0)
		return "Unspecific";
	switch (code) {
	case BGP_ERR_HEADER:
		return SUBNAME(hdr_sub, subcode);
	case BGP_ERR_OPEN:
		return SUBNAME(open_sub, subcode);
	case BGP_ERR_UPDATE:
		return SUBNAME(upd_sub, subcode);
	case BGP_ERR_FSM:
		return SUBNAME(fsm_sub, subcode);
	case BGP_ERR_CEASE:
		return SUBNAME(cease_sub, subcode);
	case BGP_ERR_RREFRESH:
		return SUBNAME(rr_sub, subcode);
	default:
		return "Unknown subcode";
	}
}

const char *
bgp_msg_type_name(uint8_t type)
{
	switch (type) {
	case BGP_OPEN:
		return "OPEN";
	case BGP_UPDATE:
		return "UPDATE";
	case BGP_NOTIFICATION:
		return "NOTIFICATION";
	case BGP_KEEPALIVE:
		return "KEEPALIVE";
	case BGP_ROUTE_REFRESH:
		return "ROUTE-REFRESH";
	default:
		return "UNKNOWN";
	}
}

/* ---- framing ---- */

/* RFC 4271 6.1: Bad Message Length carries the erroneous Length field. */
static int
hdr_len_err(struct bgp_err *err, size_t len, const char *reason)
{
	uint8_t data[2] = { (uint8_t)(len >> 8), (uint8_t)len };

	return bgp_err_set(err, BGP_ERR_HEADER, BGP_ERR_HDR_LEN,
	    BGP_ERR_RESET, data, sizeof(data), reason);
}

/*
 * Per-type bounds (OpenBGPD parse_header). RFC 4271 6.1: OPEN, UPDATE and
 * NOTIFICATION have minimums, KEEPALIVE is exactly 19, ROUTE-REFRESH is 23
 * (RFC 2918 3). RFC 8654 4: OPEN stays within 4096 even with extended
 * messages; our implementation also treats ROUTE-REFRESH ORFs (RFC 5291)
 * as unsupported, so 23 is the maximum too.
 */
static bool
type_len_ok(uint8_t type, size_t len, size_t maxlen)
{
	switch (type) {
	case BGP_OPEN:
		return len >= BGP_OPEN_MIN && len <= BGP_MAX_MSG;
	case BGP_UPDATE:
		return len >= BGP_UPDATE_MIN && len <= maxlen;
	case BGP_NOTIFICATION:
		return len >= BGP_NOTIFICATION_MIN && len <= maxlen;
	case BGP_KEEPALIVE:
		return len == BGP_KEEPALIVE_LEN;
	case BGP_ROUTE_REFRESH:
		return len == BGP_RREFRESH_LEN;
	default:
		return false;
	}
}

enum bgp_frame_result
bgp_frame(const uint8_t *p, size_t avail, size_t maxlen, size_t *msglen,
    uint8_t *type, struct bgp_err *err)
{
	size_t len;

	if (avail < BGP_HDR_LEN)
		return BGP_FRAME_MORE;
	/* RFC 4271 6.1: the marker must be all ones */
	for (size_t i = 0; i < BGP_MARKER_LEN; i++) {
		if (p[i] != 0xff) {
			bgp_err_set(err, BGP_ERR_HEADER, BGP_ERR_HDR_SYNC,
			    BGP_ERR_RESET, NULL, 0, "bad marker");
			return BGP_FRAME_ERR;
		}
	}
	len = ((size_t)p[16] << 8) | p[17];
	if (maxlen < BGP_MAX_MSG)
		maxlen = BGP_MAX_MSG;
	/* RFC 4271 6.1: 19 <= Length <= 4096 (65535 with RFC 8654) */
	if (len < BGP_HDR_LEN || len > maxlen) {
		hdr_len_err(err, len, "length out of range");
		return BGP_FRAME_ERR;
	}
	/* RFC 4271 6.1: Bad Message Type carries the Type field */
	if (p[18] < BGP_OPEN || p[18] > BGP_ROUTE_REFRESH) {
		bgp_err_set(err, BGP_ERR_HEADER, BGP_ERR_HDR_TYPE,
		    BGP_ERR_RESET, &p[18], 1, "unknown message type");
		return BGP_FRAME_ERR;
	}
	if (!type_len_ok(p[18], len, maxlen)) {
		hdr_len_err(err, len, "bad length for the message type");
		return BGP_FRAME_ERR;
	}
	if (avail < len)
		return BGP_FRAME_MORE;
	*msglen = len;
	*type = p[18];
	return BGP_FRAME_OK;
}

size_t
bgp_hdr_begin(struct wbuf *w, uint8_t type)
{
	size_t start = w->len;

	for (size_t i = 0; i < BGP_MARKER_LEN; i++)
		wbuf_put_u8(w, 0xff);
	wbuf_put_u16(w, 0);	/* patched by bgp_hdr_finish */
	wbuf_put_u8(w, type);
	return start;
}

void
bgp_hdr_finish(struct wbuf *w, size_t start)
{
	size_t len = w->len - start;

	if (w->err || len > BGP_MAX_EXT_MSG) {
		w->err = true;
		return;
	}
	wbuf_patch_u16(w, start + BGP_MARKER_LEN, (uint16_t)len);
}

/* ---- OPEN ---- */

static int
open_fixed_check(const struct bgp_open *o, struct bgp_err *err)
{
	/* RFC 4271 6.2: data is the largest version we support, 2 octets */
	static const uint8_t ver[2] = { 0, BGP_VERSION };

	if (o->version != BGP_VERSION)
		return bgp_err_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_VERSION,
		    BGP_ERR_RESET, ver, sizeof(ver), "unsupported version");
	/* RFC 7607 2: AS 0 must not be used in OPEN */
	if (o->my_as == 0)
		return bgp_err_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_AS,
		    BGP_ERR_RESET, NULL, 0, "AS 0 in OPEN");
	/* RFC 4271 6.2: hold time 1 and 2 are unacceptable */
	if (o->hold_time == 1 || o->hold_time == 2)
		return bgp_err_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_HOLD,
		    BGP_ERR_RESET, NULL, 0, "hold time 1 or 2");
	/* RFC 6286 2.2: the BGP Identifier must be non-zero */
	if (o->bgp_id == 0)
		return bgp_err_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_BGPID,
		    BGP_ERR_RESET, NULL, 0, "BGP identifier 0");
	return 0;
}

int
bgp_open_decode(struct rbuf *body, struct bgp_open *o, struct bgp_err *err)
{
	size_t msglen = rbuf_left(body) + BGP_HDR_LEN;

	memset(o, 0, sizeof(*o));
	/* RFC 4271 4.2: version, my AS, hold time, BGP id; 6.1 if short */
	if (rbuf_get_u8(body, &o->version) == -1 ||
	    rbuf_get_u16(body, &o->my_as) == -1 ||
	    rbuf_get_u16(body, &o->hold_time) == -1 ||
	    rbuf_get_u32(body, &o->bgp_id) == -1)
		return hdr_len_err(err, msglen, "OPEN too short");
	if (open_fixed_check(o, err) == -1)
		return -1;
	if (bgp_open_params_decode(body, &o->caps, err) == -1)
		return -1;
	/*
	 * RFC 4271 6.1: the optional parameters must end where the message
	 * does; BIRD reports the mismatch as Bad Message Length too.
	 */
	if (rbuf_left(body) != 0)
		return hdr_len_err(err, msglen, "OPEN length mismatch");
	/* RFC 7607 2: nor may the AS4 capability carry AS 0 */
	if (o->caps.as4 && o->caps.as4_as == 0)
		return bgp_err_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_AS,
		    BGP_ERR_RESET, NULL, 0, "AS 0 in the AS4 capability");
	return 0;
}

/* Our implementation always sends version 4, whatever o->version says. */
void
bgp_open_encode(const struct bgp_open *o, struct wbuf *w)
{
	size_t start = bgp_hdr_begin(w, BGP_OPEN);

	wbuf_put_u8(w, BGP_VERSION);
	wbuf_put_u16(w, o->my_as);
	wbuf_put_u16(w, o->hold_time);
	wbuf_put_u32(w, o->bgp_id);
	bgp_open_params_encode(&o->caps, w);
	bgp_hdr_finish(w, start);
}

uint32_t
bgp_open_as(const struct bgp_open *o)
{
	/* RFC 6793 4.1: the capability carries the real AS */
	return o->caps.as4 ? o->caps.as4_as : o->my_as;
}

/* ---- KEEPALIVE ---- */

void
bgp_keepalive_encode(struct wbuf *w)
{
	bgp_hdr_finish(w, bgp_hdr_begin(w, BGP_KEEPALIVE));
}

int
bgp_keepalive_decode(struct rbuf *body, struct bgp_err *err)
{
	/* RFC 4271 4.4: a KEEPALIVE is the header only */
	if (rbuf_left(body) != 0)
		return hdr_len_err(err, rbuf_left(body) + BGP_HDR_LEN,
		    "KEEPALIVE with a body");
	return 0;
}

/* ---- NOTIFICATION ---- */

int
bgp_notification_decode(struct rbuf *body, struct bgp_notification *n,
    struct bgp_err *err)
{
	size_t msglen = rbuf_left(body) + BGP_HDR_LEN;

	memset(n, 0, sizeof(*n));
	/* RFC 4271 4.5: code, subcode, then data to the end */
	if (rbuf_get_u8(body, &n->code) == -1 ||
	    rbuf_get_u8(body, &n->subcode) == -1)
		return hdr_len_err(err, msglen, "NOTIFICATION too short");
	n->data = body->p;
	n->datalen = rbuf_left(body);
	if (rbuf_skip(body, n->datalen) == -1)
		return hdr_len_err(err, msglen, "NOTIFICATION too short");
	return 0;
}

void
bgp_notification_encode(const struct bgp_notification *n, struct wbuf *w)
{
	size_t start = bgp_hdr_begin(w, BGP_NOTIFICATION);

	wbuf_put_u8(w, n->code);
	wbuf_put_u8(w, n->subcode);
	if (n->datalen > 0)
		wbuf_put_bytes(w, n->data, n->datalen);
	bgp_hdr_finish(w, start);
}

/* ---- ROUTE-REFRESH ---- */

int
bgp_rrefresh_decode(struct rbuf *body, struct bgp_rrefresh *rr,
    struct bgp_err *err)
{
	size_t msglen = rbuf_left(body) + BGP_HDR_LEN;

	memset(rr, 0, sizeof(*rr));
	/*
	 * RFC 2918 3 / RFC 7313 3: AFI, subtype (reserved in 2918), SAFI.
	 * Subtypes other than 0..2 are for the caller to ignore (7313 5).
	 */
	if (rbuf_get_u16(body, &rr->afi) == -1 ||
	    rbuf_get_u8(body, &rr->subtype) == -1 ||
	    rbuf_get_u8(body, &rr->safi) == -1 || rbuf_left(body) != 0)
		return hdr_len_err(err, msglen, "ROUTE-REFRESH length");
	return 0;
}

void
bgp_rrefresh_encode(const struct bgp_rrefresh *rr, struct wbuf *w)
{
	size_t start = bgp_hdr_begin(w, BGP_ROUTE_REFRESH);

	wbuf_put_u16(w, rr->afi);
	wbuf_put_u8(w, rr->subtype);
	wbuf_put_u8(w, rr->safi);
	bgp_hdr_finish(w, start);
}
