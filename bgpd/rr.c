/*
 * rr.c: route reflection (RFC 4456) on attribute sets; see rr.h.
 * BIRD: proto/bgp/attrs.c bgp_cluster_list_loopy, bgp_originator_id_loopy
 * and the rr_client branches of bgp_preexport / bgp_update_attrs.
 */
#include <string.h>

#include "rr.h"

enum bgp_rr_loop
bgp_rr_loop(const struct rib_attrs *a, uint32_t router_id,
    uint32_t cluster_id)
{
	if (a->has_originator_id && a->originator_id == router_id)
		return BGP_RR_LOOP_ORIGINATOR;
	if (cluster_id == 0)
		return BGP_RR_NO_LOOP;
	for (uint16_t i = 0; i < a->ncluster; i++)
		if (a->cluster_list[i] == cluster_id)
			return BGP_RR_LOOP_CLUSTER;
	return BGP_RR_NO_LOOP;
}

const char *
bgp_rr_loop_name(enum bgp_rr_loop l)
{
	switch (l) {
	case BGP_RR_LOOP_ORIGINATOR:
		return "ORIGINATOR_ID is our router ID";
	case BGP_RR_LOOP_CLUSTER:
		return "CLUSTER_LIST holds our cluster ID";
	case BGP_RR_NO_LOOP:
		break;
	}
	return "no loop";
}

bool
bgp_rr_reflect_ok(uint32_t cluster_id, bool from_client, bool to_client)
{
	if (cluster_id == 0)
		return false;		/* RFC 4271 9.2: iBGP to iBGP never */
	return from_client || to_client;
}

int
bgp_rr_reflect_attrs(struct rib_attrs *out, const struct rib_attrs *in,
    uint32_t src_router_id, uint32_t cluster_id, uint32_t *buf, size_t cap)
{
	size_t n = (size_t)in->ncluster + 1;

	if (n > cap || n > BGP_RR_MAX_CLUSTER)
		return -1;
	*out = *in;
	if (!out->has_originator_id) {
		out->has_originator_id = true;
		out->originator_id = src_router_id;
	}
	buf[0] = cluster_id;
	if (in->ncluster > 0)
		memcpy(buf + 1, in->cluster_list,
		    in->ncluster * sizeof(uint32_t));
	out->cluster_list = buf;
	out->ncluster = (uint16_t)n;
	return 0;
}

void
bgp_rr_strip(struct rib_attrs *t)
{
	t->has_originator_id = false;
	t->originator_id = 0;
	t->cluster_list = NULL;
	t->ncluster = 0;
}
