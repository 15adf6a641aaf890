/*
 * codec_check.h: small pure helpers shared by the codec unit tests and
 * the fuzz target: the decode context a VEC_* bit set stands for, and
 * field-by-field equality of struct bgp_open and struct rib_attrs (no
 * memcmp over padding). Static functions only; include once per program.
 */
#ifndef TERN_TEST_CODEC_CHECK_H
#define TERN_TEST_CODEC_CHECK_H

#include <stdbool.h>
#include <string.h>

#include "msg.h"
#include "vec.h"

static inline void
vec_ctx(unsigned bits, struct bgp_codec_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->as4 = !(bits & VEC_AS2);
	ctx->ebgp = (bits & VEC_EBGP) != 0;
	for (int af = 0; af < BGP_AF_MAX; af++) {
		ctx->add_path_rx[af] = (bits & VEC_ADDPATH) != 0;
		ctx->add_path_tx[af] = (bits & VEC_ADDPATH) != 0;
	}
	ctx->maxlen = (bits & VEC_EXTMSG) ? BGP_MAX_EXT_MSG : BGP_MAX_MSG;
}

static inline bool
caps_eq(const struct bgp_caps *a, const struct bgp_caps *b)
{
	for (int af = 0; af < BGP_AF_MAX; af++) {
		if (a->mp[af] != b->mp[af] || a->gr_af[af] != b->gr_af[af] ||
		    a->gr_fwd[af] != b->gr_fwd[af] ||
		    a->add_path[af] != b->add_path[af])
			return false;
	}
	return a->route_refresh == b->route_refresh &&
	    a->enhanced_rr == b->enhanced_rr && a->ext_msg == b->ext_msg &&
	    a->as4 == b->as4 && a->as4_as == b->as4_as && a->gr == b->gr &&
	    a->gr_restarting == b->gr_restarting &&
	    a->gr_notification == b->gr_notification &&
	    a->gr_time == b->gr_time && a->llgr == b->llgr;
}

static inline bool
open_eq(const struct bgp_open *a, const struct bgp_open *b)
{
	return a->version == b->version && a->my_as == b->my_as &&
	    a->hold_time == b->hold_time && a->bgp_id == b->bgp_id &&
	    caps_eq(&a->caps, &b->caps);
}

static inline bool
bytes_eq(const void *a, size_t alen, const void *b, size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

static inline bool
attrs_eq(const struct rib_attrs *a, const struct rib_attrs *b,
    bool cmp_aspath)
{
	if (a->origin != b->origin || a->has_med != b->has_med ||
	    a->has_local_pref != b->has_local_pref ||
	    a->atomic_aggregate != b->atomic_aggregate ||
	    a->has_aggregator != b->has_aggregator ||
	    a->has_originator_id != b->has_originator_id ||
	    (a->has_med && a->med != b->med) ||
	    (a->has_local_pref && a->local_pref != b->local_pref) ||
	    (a->has_aggregator && (a->aggregator_as != b->aggregator_as ||
	    a->aggregator_id != b->aggregator_id)) ||
	    (a->has_originator_id && a->originator_id != b->originator_id) ||
	    !addr_eq(&a->nexthop, &b->nexthop) ||
	    !addr_eq(&a->nexthop_ll, &b->nexthop_ll))
		return false;
	if (cmp_aspath &&
	    !bytes_eq(a->aspath, a->aspath_len, b->aspath, b->aspath_len))
		return false;
	return bytes_eq(a->communities, a->ncommunities * 4u,
	    b->communities, b->ncommunities * 4u) &&
	    bytes_eq(a->cluster_list, a->ncluster * 4u, b->cluster_list,
	    b->ncluster * 4u) &&
	    bytes_eq(a->large, a->nlarge * 12u, b->large, b->nlarge * 12u) &&
	    bytes_eq(a->unknown, a->unknown_len, b->unknown, b->unknown_len);
}

/* Does a 4-octet rib AS_PATH contain confed segments? */
static inline bool
aspath_has_confed(const struct rib_attrs *a)
{
	size_t i = 0;

	while (i + 2 <= a->aspath_len) {
		if (a->aspath[i] >= BGP_AS_CONFED_SEQUENCE)
			return true;
		i += 2 + 4 * (size_t)a->aspath[i + 1];
	}
	return false;
}

#endif
