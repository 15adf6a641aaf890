/*
 * fuzz_bfd.h: BFD Control packets (bfd/pkt.c's codec and bfd/bfd.c's
 * receive path and state machine), for tests/fuzz/fuzz_bfd.c and
 * tests/unit/test_crashers.c.
 *
 * Input: records of [flags][ms][len][len bytes]: flags bit 0 picks the
 * source (the session's peer or another address), bit 1 a TTL of 254
 * instead of 255, bit 2 puts our discriminator in Your Discriminator
 * (octets 8-11; a random one the fuzzer cannot guess); ms advances a fake clock (and the session's timers run);
 * the bytes are one datagram, in a heap buffer of exactly its size. One
 * session (a fresh struct bfd each input), sends recorded and decoded.
 * Properties: a datagram that decodes re-encodes to the same fields; every
 * packet we send decodes; every datagram fed is counted exactly once
 * (accepted, invalid, TTL, no session or limited); the state is one of
 * the four and Up is counted as such.
 */
#ifndef TERN_FUZZ_BFD_H
#define TERN_FUZZ_BFD_H

#include "fuzz_util.h"

#include "bfd.h"
#include "pkt.h"

static uint64_t fuzz_bfd_now;

static uint64_t
fuzz_bfd_clock(void)
{
	return fuzz_bfd_now;
}

static void
fuzz_bfd_xmit(void *arg, const struct addr *to, const uint8_t *p,
    size_t len)
{
	struct bfd_pkt pkt;

	(void)arg;
	(void)to;
	FUZZ_CHECK(bfd_pkt_decode(p, len, &pkt) == BFD_PKT_OK);
}

static void
fuzz_bfd_codec(const uint8_t *p, size_t len)
{
	struct bfd_pkt a, b;
	uint8_t out[BFD_PKT_LEN];

	if (bfd_pkt_decode(p, len, &a) != BFD_PKT_OK)
		return;
	FUZZ_CHECK(a.length >= BFD_PKT_LEN && a.length <= len);
	FUZZ_CHECK(bfd_pkt_encode(&a, out, sizeof(out)) == BFD_PKT_LEN);
	FUZZ_CHECK(bfd_pkt_decode(out, sizeof(out), &b) == BFD_PKT_OK);
	FUZZ_CHECK(a.diag == b.diag && a.state == b.state &&
	    a.flags == b.flags && a.detect_mult == b.detect_mult &&
	    a.my_discr == b.my_discr && a.your_discr == b.your_discr &&
	    a.desired_min_tx == b.desired_min_tx &&
	    a.required_min_rx == b.required_min_rx &&
	    a.required_min_echo_rx == b.required_min_echo_rx);
}

static int
fuzz_bfd(const uint8_t *data, size_t size)
{
	struct bfd_params p = {
		.clock_us = fuzz_bfd_clock, .xmit = fuzz_bfd_xmit,
	};
	struct fuzz_in in = { data, size };
	struct addr peer, other;
	struct bfd_session_info si;
	struct bfd_counters c;
	struct bfd *bfd;
	uint64_t fed = 0;

	fuzz_bfd_now = 1000000;
	addr_set_v4(&peer, 0xc6120002);		/* 198.18.0.2 */
	addr_set_v4(&other, 0xc6120003);
	bfd = bfd_new(NULL, &p, NULL, NULL);
	FUZZ_CHECK(bfd_session_add(bfd, &peer, NULL) == 0);
	while (in.n >= 3) {
		uint8_t flags = fuzz_u8(&in), ms = fuzz_u8(&in);
		size_t len = fuzz_u8(&in);
		uint8_t *dg;

		if (len > in.n)
			len = in.n;
		fuzz_bfd_now += (uint64_t)ms * 1000;
		bfd_run_timers(bfd);
		dg = malloc(len ? len : 1);
		FUZZ_CHECK(dg != NULL);
		memcpy(dg, in.p, len);
		in.p += len;
		in.n -= len;
		if ((flags & 4) && len >= 12 &&
		    bfd_session_get(bfd, &peer, &si)) {
			dg[8] = (uint8_t)(si.local_discr >> 24);
			dg[9] = (uint8_t)(si.local_discr >> 16);
			dg[10] = (uint8_t)(si.local_discr >> 8);
			dg[11] = (uint8_t)si.local_discr;
		}
		fuzz_bfd_codec(dg, len);
		bfd_input(bfd, (flags & 1) ? &other : &peer,
		    (flags & 2) ? 254 : 255, dg, len);
		free(dg);
		fed++;
		FUZZ_CHECK(bfd_session_get(bfd, &peer, &si));
		FUZZ_CHECK(si.state <= BFD_STATE_UP);
		bfd_counters(bfd, &c);
		FUZZ_CHECK(c.up == (si.state == BFD_STATE_UP));
	}
	bfd_counters(bfd, &c);
	FUZZ_CHECK(c.rx + c.rx_invalid + c.rx_ttl + c.rx_no_session +
	    c.rx_limited == fed);
	bfd_free(bfd);
	return 0;
}

#endif
