/*
 * fibwant.c: calico_kernel_programming for one route (see fibwant.h).
 */
#include <string.h>

#include "fibwant.h"

bool
fibwant_programmed(const struct ds_pool *pool)
{
	return pool == NULL || pool->vxlan == DS_VXLAN_NEVER;
}

void
fibwant_hop(const struct ds_pool *pool, const struct ds_local *local,
    uint32_t (*tunl0)(void), const struct addr *nh, struct krt_hop *out)
{
	bool tunnel = false;
	uint32_t oif;

	memset(out, 0, sizeof(*out));
	out->gw = *nh;
	if (pool != NULL && nh->af == AF_INET && local->net4.af == AF_INET) {
		switch (pool->ipip) {
		case DS_IPIP_ALWAYS:
			tunnel = true;
			break;
		case DS_IPIP_CROSS_SUBNET:
			tunnel = !prefix_contains_addr(&local->net4, nh);
			break;
		default:
			break;
		}
	}
	if (tunnel && (oif = tunl0()) != 0) {
		out->oif = oif;
		out->onlink = true;
	}
}
