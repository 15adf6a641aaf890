/*
 * fuzz_nl.h: rtnetlink replies (netlink/nlmsg.c's decoders, walked with
 * libmnl as netlink/nl.c, fib.c and monitor.c walk a datagram), for
 * tests/fuzz/fuzz_nl.c and tests/unit/test_crashers.c.
 *
 * Input: octet 0 is the routing protocol asked for, octets 1-4 the table
 * (little-endian), the rest one datagram from the kernel, copied into a
 * heap buffer of exactly its size (ASan sees any read past it). Each
 * message that frames is handed to every decoder the daemon has (route,
 * nexthop, getroute, ack and extended ack), and the datagram's first
 * message also as a truncated ack (nl.c's MSG_TRUNC path). Properties: a
 * route or nexthop parsed as ours that the encoder accepts comes back the
 * same from its own encoding, with the same protocol and table; an ack's
 * error is 0 or -errno; an extended ack's text is NUL-terminated inside
 * the message.
 */
#ifndef TERN_FUZZ_NL_H
#define TERN_FUZZ_NL_H

#include "fuzz_util.h"

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "nlmsg.h"

static bool
fuzz_nl_route_eq(const struct nl_route *a, const struct nl_route *b)
{
	return prefix_eq(&a->dst, &b->dst) && a->type == b->type &&
	    a->nh_id == b->nh_id && addr_eq(&a->gw, &b->gw) &&
	    a->oif == b->oif && a->onlink == b->onlink &&
	    a->priority == b->priority;
}

static void
fuzz_nl_route_print(const char *what, const struct nl_route *r)
{
	char d[PREFIX_STRLEN], g[ADDR_STRLEN];

	fprintf(stderr, "%s: %s type %d nh %u gw %s (af %u) oif %u onlink %d "
	    "metric %u\n", what, prefix_fmt(&r->dst, d, sizeof(d)), r->type,
	    r->nh_id, addr_fmt(&r->gw, g, sizeof(g)), r->gw.af, r->oif,
	    r->onlink, r->priority);
}

static void
fuzz_nl_route(const struct nlmsghdr *nlh, uint8_t proto, uint32_t table)
{
	uint8_t buf[512] __attribute__((aligned(4)));
	struct nl_route rt, back;
	struct nlmsghdr *enc;

	if (nl_route_parse(nlh, proto, table, &rt) != NL_OURS)
		return;
	FUZZ_CHECK(rt.dst.len <= af_maxlen(rt.dst.af));
	if ((enc = nl_route_encode(buf, sizeof(buf), RTM_NEWROUTE,
	    NLM_F_CREATE | NLM_F_REPLACE, 1, &rt, proto, table)) == NULL)
		return;		/* a type we never install */
	FUZZ_CHECK(mnl_nlmsg_ok(enc, (int)enc->nlmsg_len));
	FUZZ_CHECK(nl_route_parse(enc, proto, table, &back) == NL_OURS);
	if (!fuzz_nl_route_eq(&rt, &back)) {
		fuzz_nl_route_print("parsed", &rt);
		fuzz_nl_route_print("re-encoded", &back);
	}
	FUZZ_CHECK(fuzz_nl_route_eq(&rt, &back));
}

static void
fuzz_nl_nexthop(const struct nlmsghdr *nlh, uint8_t proto)
{
	uint8_t buf[512] __attribute__((aligned(4)));
	struct nl_nexthop nh, back;
	struct nlmsghdr *enc;

	if (nl_nh_parse(nlh, proto, &nh) != NL_OURS)
		return;
	if ((enc = nl_nh_encode(buf, sizeof(buf), RTM_NEWNEXTHOP,
	    NLM_F_CREATE | NLM_F_REPLACE, 1, &nh, proto)) == NULL)
		return;		/* no gateway or device: not one of ours */
	FUZZ_CHECK(nl_nh_parse(enc, proto, &back) == NL_OURS);
	FUZZ_CHECK(nh.id == back.id && nh.blackhole == back.blackhole);
	if (!nh.blackhole)
		FUZZ_CHECK(addr_eq(&nh.gw, &back.gw) && nh.oif == back.oif &&
		    nh.onlink == back.onlink);
}

static void
fuzz_nl_ack(const struct nlmsghdr *nlh, size_t n)
{
	const char *msg;
	int err;

	if (nl_ack_parse(nlh, n, &err) == 0)
		FUZZ_CHECK(err <= 0 && err >= -4095);
	if ((msg = nl_ack_msg(nlh, n)) != NULL) {
		FUZZ_CHECK((const uint8_t *)msg > (const uint8_t *)nlh &&
		    (const uint8_t *)msg < (const uint8_t *)nlh + n);
		FUZZ_CHECK(memchr(msg, '\0', (size_t)((const char *)nlh +
		    n - msg)) != NULL);
	}
}

static int
fuzz_nl(const uint8_t *data, size_t size)
{
	const struct nlmsghdr *nlh;
	uint32_t table, oif;
	uint8_t proto, *dg;
	size_t n;
	int rem;

	if (size < 5 || size - 5 > INT32_MAX)
		return 0;
	proto = data[0];
	memcpy(&table, data + 1, sizeof(table));
	n = size - 5;
	FUZZ_CHECK((dg = malloc(n > 0 ? n : 1)) != NULL);
	memcpy(dg, data + 5, n);
	if (n >= NL_HDRLEN)		/* nl.c ack_datagram(), truncated */
		fuzz_nl_ack((const struct nlmsghdr *)dg, n);
	nlh = (const struct nlmsghdr *)dg;
	for (rem = (int)n; nl_nlmsg_ok(nlh, rem);
	    nlh = mnl_nlmsg_next(nlh, &rem)) {
		FUZZ_CHECK(nlh->nlmsg_len >= NL_HDRLEN &&
		    nlh->nlmsg_len <= (size_t)rem);
		fuzz_nl_route(nlh, proto, table);
		fuzz_nl_nexthop(nlh, proto);
		(void)nl_getroute_parse(nlh, &oif);
		fuzz_nl_ack(nlh, nlh->nlmsg_len);
	}
	free(dg);
	return 0;
}

#endif
