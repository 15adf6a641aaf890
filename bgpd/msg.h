/*
 * msg.h: the BGP message codec (internal to bgpd/).
 *
 * Three layers (STYLE 5.4):
 *  1. framing, bgp_frame(): marker, length range and a per-type min/max,
 *     checked before anything is allocated or decoded;
 *  2. decoders, bgp_*_decode(): fill plain structs or views into the
 *     caller's buffer; they touch no peer, socket, timer or log state and
 *     never call the FSM. Errors come back as a struct bgp_err value;
 *  3. encoders, bgp_*_encode(): const input, a sticky wbuf; each writes a
 *     whole message including the 19-byte header; check w->err once.
 * Views returned by decoders are valid only while the message buffer is.
 */
#ifndef TERN_BGP_MSG_H
#define TERN_BGP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "buf.h"
#include "proto.h"
#include "rib.h"

/* RFC 7606 error handling actions (GoBGP ErrorHandling) */
enum bgp_err_action {
	BGP_ERR_RESET,		/* NOTIFICATION and session reset */
	BGP_ERR_WITHDRAW,	/* RFC 7606 2: treat-as-withdraw */
	BGP_ERR_DISCARD_ATTR,	/* RFC 7606 2: attribute discard */
};

#define BGP_ERR_DATA_MAX	64

struct bgp_err {
	uint8_t			code;		/* enum bgp_err_code */
	uint8_t			subcode;
	uint8_t			data[BGP_ERR_DATA_MAX];
	size_t			datalen;
	enum bgp_err_action	action;
	const char		*reason;	/* static text for the log */
};

/* Record an error; data may be NULL. Returns -1 for `return bgp_err_set()`. */
int	bgp_err_set(struct bgp_err *, uint8_t code, uint8_t subcode,
	    enum bgp_err_action, const void *data, size_t datalen,
	    const char *reason);
const char *bgp_err_code_name(uint8_t code);
const char *bgp_err_subcode_name(uint8_t code, uint8_t subcode);
const char *bgp_msg_type_name(uint8_t type);

/* ---- framing ---- */
enum bgp_frame_result {
	BGP_FRAME_MORE,		/* need more bytes */
	BGP_FRAME_OK,		/* *msglen bytes form one message */
	BGP_FRAME_ERR,		/* header error in err (RFC 4271 6.1) */
};
enum bgp_frame_result bgp_frame(const uint8_t *p, size_t avail, size_t maxlen,
	    size_t *msglen, uint8_t *type, struct bgp_err *err);
/* Write a header with a reserved length; bgp_hdr_finish patches it. */
size_t	bgp_hdr_begin(struct wbuf *, uint8_t type);
void	bgp_hdr_finish(struct wbuf *, size_t start);

/* ---- capabilities (capa.c) ---- */
enum bgp_af {
	BGP_AF_IPV4,
	BGP_AF_IPV6,
	BGP_AF_MAX,
};
uint8_t	bgp_af_family(enum bgp_af);		/* AF_INET / AF_INET6 */
int	bgp_af_from_afi(uint16_t afi, uint8_t safi, enum bgp_af *);
uint16_t bgp_af_afi(enum bgp_af);

struct bgp_caps {
	bool		mp[BGP_AF_MAX];		/* RFC 4760 */
	bool		route_refresh;		/* RFC 2918 */
	bool		enhanced_rr;		/* RFC 7313 (parsed only) */
	bool		ext_msg;		/* RFC 8654 */
	bool		as4;			/* RFC 6793 */
	uint32_t	as4_as;
	bool		gr;			/* RFC 4724 */
	bool		gr_restarting;		/* R bit */
	bool		gr_notification;	/* N bit (RFC 8538) */
	uint16_t	gr_time;		/* 12 bits */
	bool		gr_af[BGP_AF_MAX];	/* AF listed in the GR cap */
	bool		gr_fwd[BGP_AF_MAX];	/* its F bit */
	uint8_t		add_path[BGP_AF_MAX];	/* BGP_ADDPATH_RX|TX */
	/* RFC 9494 3: a tuple per AF; llgr with none is BIRD's "aware" */
	bool		llgr;
	bool		llgr_af[BGP_AF_MAX];	/* AF listed in the LLGR cap */
	bool		llgr_fwd[BGP_AF_MAX];	/* its F bit */
	uint32_t	llgr_time[BGP_AF_MAX];	/* stale time, s, 24 bits */
};

/* ---- OPEN (msg.c) ---- */
struct bgp_open {
	uint8_t		version;
	uint16_t	my_as;		/* the 2-octet field (AS_TRANS if > 65535) */
	uint16_t	hold_time;
	uint32_t	bgp_id;		/* host order */
	struct bgp_caps	caps;
};
int	bgp_open_decode(struct rbuf *body, struct bgp_open *, struct bgp_err *)
	    WARN_UNUSED;
void	bgp_open_encode(const struct bgp_open *, struct wbuf *);
/* The peer's real AS: the AS4 capability if present, else my_as. */
uint32_t bgp_open_as(const struct bgp_open *);

/* ---- KEEPALIVE, NOTIFICATION, ROUTE-REFRESH (msg.c) ---- */
void	bgp_keepalive_encode(struct wbuf *);
int	bgp_keepalive_decode(struct rbuf *body, struct bgp_err *) WARN_UNUSED;

struct bgp_notification {
	uint8_t		 code;
	uint8_t		 subcode;
	const uint8_t	*data;		/* view */
	size_t		 datalen;
};
int	bgp_notification_decode(struct rbuf *body, struct bgp_notification *,
	    struct bgp_err *) WARN_UNUSED;
void	bgp_notification_encode(const struct bgp_notification *, struct wbuf *);

struct bgp_rrefresh {
	uint16_t	afi;
	uint8_t		subtype;	/* RFC 7313; 0 for plain RFC 2918 */
	uint8_t		safi;
};
int	bgp_rrefresh_decode(struct rbuf *body, struct bgp_rrefresh *,
	    struct bgp_err *) WARN_UNUSED;
void	bgp_rrefresh_encode(const struct bgp_rrefresh *, struct wbuf *);

/* ---- UPDATE (update.c, attr.c, nlri.c) ---- */

/* What the session negotiated; the decoder needs it to read the wire. */
struct bgp_codec_ctx {
	bool		as4;			/* both sides have 4-octet AS */
	bool		add_path_rx[BGP_AF_MAX];	/* path ids in what we read */
	bool		add_path_tx[BGP_AF_MAX];	/* path ids in what we write */
	bool		ebgp;			/* LOCAL_PREF ignored from eBGP */
	size_t		maxlen;			/* 4096 or 65535 */
};

#define BGP_UNKNOWN_MAX	16

struct bgp_attr_view {
	uint8_t		 flags;
	uint8_t		 code;
	struct rbuf	 val;
};

/*
 * A decoded UPDATE: views into the message plus the fixed-size attribute
 * values. seen has bit (1 << code) for every attribute code < 32 present
 * and kept (an attribute discarded per RFC 7606 is not in seen).
 */
struct bgp_update {
	struct rbuf	 withdrawn;	/* IPv4 withdrawn routes field */
	struct rbuf	 nlri;		/* IPv4 NLRI field */
	uint32_t	 seen;
	uint8_t		 origin;
	struct rbuf	 as_path;	/* as received (2- or 4-octet per ctx) */
	struct rbuf	 as4_path;
	struct addr	 next_hop;	/* NEXT_HOP attribute (IPv4) */
	uint32_t	 med;
	uint32_t	 local_pref;
	bool		 atomic_aggregate;
	uint32_t	 aggregator_as;
	uint32_t	 aggregator_id;
	uint32_t	 as4_aggregator_as;
	uint32_t	 as4_aggregator_id;
	struct rbuf	 communities;	/* 4-byte values */
	uint32_t	 originator_id;
	struct rbuf	 cluster_list;	/* 4-byte values */
	struct rbuf	 large_communities;	/* RFC 8092: 12-byte values */
	/* RFC 4760 */
	bool		 has_mp_reach;
	enum bgp_af	 mp_reach_af;
	struct addr	 mp_nexthop;
	struct addr	 mp_nexthop_ll;	/* IPv6 link-local, if 32-byte NH */
	struct rbuf	 mp_reach_nlri;
	bool		 has_mp_unreach;
	enum bgp_af	 mp_unreach_af;
	struct rbuf	 mp_unreach_nlri;
	/* unknown optional transitive attributes to pass on */
	struct bgp_attr_view unknown[BGP_UNKNOWN_MAX];
	size_t		 nunknown;
	/*
	 * RFC 7606: set when an error demands treat-as-withdraw; the caller
	 * then withdraws every NLRI of the message (reach and unreach).
	 */
	bool		 treat_as_withdraw;
	struct bgp_err	 withdraw_err;	/* why, for the log */
	/* RFC 7606 2 attribute discard: the first one, for the log */
	bool		 has_discard;
	struct bgp_err	 discard_err;
	bool		 is_eor;	/* RFC 4724 2: End-of-RIB marker */
	enum bgp_af	 eor_af;
};

/*
 * Decode an UPDATE body. Returns 0 (check treat_as_withdraw) or -1 with
 * err->action == BGP_ERR_RESET: send a NOTIFICATION with err.
 */
int	bgp_update_decode(struct rbuf *body, const struct bgp_codec_ctx *,
	    struct bgp_update *, struct bgp_err *) WARN_UNUSED;

/*
 * Convert the decoded attributes to a rib template: AS_PATH normalised to
 * 4-octet (merging AS4_PATH per RFC 6793 4.2.3 on 2-octet sessions),
 * communities and cluster list to host order, unknown optional transitive
 * attributes concatenated with the Partial bit set. scratch holds the
 * variable parts; it must be BGP_MAX_EXT_MSG * 2 bytes. The next hop is
 * MP_REACH_NLRI's when present, else NEXT_HOP (a message carrying both
 * needs attrs->nexthop = u->next_hop for its IPv4 NLRI). Returns -1 with
 * err (action WITHDRAW) when the set cannot be represented (scratch or a
 * 16-bit length overflows): treat the message's NLRI as withdrawn.
 */
int	bgp_update_attrs(const struct bgp_update *, const struct bgp_codec_ctx *,
	    struct rib_attrs *, uint8_t *scratch, size_t scratchlen,
	    struct bgp_err *) WARN_UNUSED;

/* NLRI iterator: 1 = got one, 0 = end, -1 = error (err filled). */
int	bgp_nlri_next(struct rbuf *, uint8_t family, bool add_path,
	    struct prefix *, uint32_t *path_id, struct bgp_err *) WARN_UNUSED;
void	bgp_nlri_encode(struct wbuf *, const struct prefix *, bool add_path,
	    uint32_t path_id);

/*
 * UPDATE builder, for the Adj-RIB-Out. One message carries either
 * withdrawals or announcements sharing one attribute set, for one AF.
 *   bgp_upd_begin_reach(b, w, ctx, af, attrs, nexthop)
 *   while (bgp_upd_add(b, pfx, path_id) == 0) ...;   -1 = full, retry in
 *                                                      a new message
 *   bgp_upd_finish(b)   -> 0, or -1 on overflow
 * A -1 from bgp_upd_add with b->count == 0 means the prefix can never fit
 * (wrong family, or the attributes fill the message): do not retry.
 * The message is at most ctx->maxlen bytes (and within w's cap).
 * IPv4 reach uses NEXT_HOP + the NLRI field, IPv6 uses MP_REACH_NLRI
 * (placed first, RFC 7606 5.1); withdrawals use the withdrawn field or
 * MP_UNREACH_NLRI. nexthop NULL means attrs->nexthop; an IPv6 next hop
 * gets attrs->nexthop_ll as its link-local half when that is set. Path
 * ids are written when ctx->add_path_tx[af]. Attributes are
 * encoded from the rib set as given (the caller prepends its AS for eBGP
 * and sets LOCAL_PREF for iBGP before interning); as4 selects the AS_PATH
 * width (a 2-octet session gets AS_TRANS plus AS4_PATH, RFC 6793 4.2.2).
 */
struct bgp_upd_builder {
	struct wbuf	*w;
	const struct bgp_codec_ctx *ctx;
	enum bgp_af	 af;
	bool		 withdraw;
	size_t		 start;		/* header offset */
	size_t		 wdlen_off;	/* withdrawn length field */
	size_t		 attrlen_off;	/* total attribute length field */
	size_t		 mp_len_off;	/* MP_(UN)REACH attribute length */
	size_t		 count;		/* prefixes added */
	/*
	 * IPv6 reach: MP_REACH_NLRI goes first (RFC 7606 5.1) and grows, so
	 * the other attributes are written by finish; tail is their size.
	 */
	const struct rib_attrs *attrs;
	size_t		 tail;
};
void	bgp_upd_begin_reach(struct bgp_upd_builder *, struct wbuf *,
	    const struct bgp_codec_ctx *, enum bgp_af,
	    const struct rib_attrs *, const struct addr *nexthop);
void	bgp_upd_begin_withdraw(struct bgp_upd_builder *, struct wbuf *,
	    const struct bgp_codec_ctx *, enum bgp_af);
int	bgp_upd_add(struct bgp_upd_builder *, const struct prefix *,
	    uint32_t path_id) WARN_UNUSED;
int	bgp_upd_finish(struct bgp_upd_builder *) WARN_UNUSED;
/* RFC 4724 2: End-of-RIB for af (an empty UPDATE for IPv4). */
void	bgp_eor_encode(struct wbuf *, enum bgp_af);

/*
 * Attribute descriptor table (BIRD bgp_attr_table): drives flag checks,
 * lengths, and the tests, which iterate it so no attribute skips a test.
 */
struct bgp_attr_enc;		/* attr.c: what an encoder writes from */
struct bgp_attr_desc {
	uint8_t		 code;
	const char	*name;
	uint8_t		 flags;		/* required OPTIONAL|TRANSITIVE bits */
	uint16_t	 min_len;
	uint16_t	 max_len;	/* 0xffff: variable */
	enum bgp_err_action on_error;	/* RFC 7606 7: when malformed */
	/* the value (flags and length checked): 1 kept, 0 withdrawn or
	 * discarded (recorded in the update); NULL: MP_*, in nlri.c */
	int		(*decode)(const struct bgp_attr_view *,
			    const struct bgp_codec_ctx *, struct bgp_update *);
	/* the route's attribute, if it has one; NULL: MP_*, in nlri.c */
	void		(*encode)(const struct bgp_attr_enc *);
};
const struct bgp_attr_desc *bgp_attr_desc_get(uint8_t code);
extern const struct bgp_attr_desc bgp_attr_descs[];
extern const size_t bgp_attr_ndescs;

/*
 * ---- codec internals ----
 * Shared between msg.c, capa.c, attr.c, update.c and nlri.c only.
 */
/* capa.c: the Opt Parm Len octet and the parameters (RFC 5492, 9072) */
int	bgp_open_params_decode(struct rbuf *, struct bgp_caps *,
	    struct bgp_err *) WARN_UNUSED;
void	bgp_open_params_encode(const struct bgp_caps *, struct wbuf *);

/* attr.c: one attribute; dup is a 256-bit "already seen" set */
int	bgp_attr_decode(const struct bgp_attr_view *,
	    const struct bgp_codec_ctx *, struct bgp_update *, uint32_t dup[8],
	    struct bgp_err *) WARN_UNUSED;
/* Every attribute but MP_(UN)REACH; NEXT_HOP only when nh4 != NULL. */
void	bgp_attrs_encode(struct wbuf *, const struct bgp_codec_ctx *,
	    const struct rib_attrs *, const struct addr *nh4);
void	bgp_attr_hdr_put(struct wbuf *, uint8_t flags, uint8_t code,
	    size_t len);
/* RFC 4271 6.3: an error whose data is the attribute; returns -1 */
int	bgp_attr_err(struct bgp_err *, uint8_t subcode, enum bgp_err_action,
	    const struct bgp_attr_view *, const char *reason);
bool	bgp_aspath_valid(struct rbuf, size_t asn_size);

/* nlri.c: MP attributes (RFC 4760 3, 4) and whole-field checks */
int	bgp_mp_reach_decode(const struct bgp_attr_view *,
	    const struct bgp_codec_ctx *, struct bgp_update *,
	    struct bgp_err *) WARN_UNUSED;
int	bgp_mp_unreach_decode(const struct bgp_attr_view *,
	    const struct bgp_codec_ctx *, struct bgp_update *,
	    struct bgp_err *) WARN_UNUSED;
int	bgp_nlri_check(struct rbuf, uint8_t family, bool add_path,
	    struct bgp_err *) WARN_UNUSED;

#endif
