/*
 * adjout_bench.c: what the Adj-RIB-Outs of a route reflector cost, through
 * the real export path (import.c's rib client, adjout.c) without sockets.
 *
 *   adjout_bench [N [PEERS [live]]]      (default 1000000 1)
 *
 * One client ("feeder", up first: its own routes are never marked for it)
 * offers N /32s from 10.0.0.0 with one attribute set; PEERS other clients
 * are brought to Established on a connection that goes nowhere (fake_up)
 * and get them reflected. Default order: the rib is loaded first, then
 * the clients come up (rib_client_feed marks everything), so the heap
 * growth measured is the Adj-RIB-Outs' alone (mallinfo2, bytes per prefix
 * per peer):
 *
 *   pending: every client up, before any build (the reflector's peak)
 *   sent:    after every UPDATE is built (steady state)
 *   withdrawing: the feeder's routes flushed (its session gone), before
 *            the withdrawals are built, less after (what they took)
 *
 * "live": the clients are up first and the prefixes arrive after (the
 * order of bench/rr.sh); the figures then include the rib's growth.
 *
 * Also printed: UPDATEs built per peer (packing) and the peak RSS.
 * mark_build() is the part to profile:
 *   valgrind --tool=callgrind --toggle-collect=mark_build adjout_bench
 * Not a test and not run by meson test; numbers only.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "session.h"
#include "xmalloc.h"

static size_t
heap(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

static long
maxrss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static struct bgp_peer *
peer_named(struct bgpd *bgpd, const char *name)
{
	struct bgp_peer *p;

	TAILQ_FOREACH(p, &bgpd->peers, entry)
		if (strcmp(p->conf.name, name) == 0)
			return p;
	return NULL;
}

/*
 * Established on a connection that goes nowhere: accepted on one end of a
 * socketpair (peer.c makes the connection and queues our OPEN), then
 * declared Established by hand; the event loop never runs, so nothing is
 * written and the output buffer is drained here.
 */
static void
fake_up(struct bgp_peer *peer, uint32_t id)
{
	struct bgp_conn *c;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		abort();
	bgp_peer_accept(peer, sv[0]);
	if ((c = peer->conn) == NULL)
		abort();
	evbuffer_drain(c->out, evbuffer_get_length(c->out));
	c->state = BGP_STATE_ESTABLISHED;
	c->remote_open.bgp_id = id;
	c->open_received = true;
	bgp_peer_established(peer, c);
}

static void
feed(struct bgpd *bgpd, struct bgp_peer *feeder, uint32_t n)
{
	struct rib_attrs t;
	const struct rib_attrs *a;
	struct prefix p;

	memset(&t, 0, sizeof(t));
	t.has_local_pref = true;
	t.local_pref = 100;
	t.nexthop = feeder->conf.addr;
	a = rib_attrs_intern(bgpd->rib, &t);
	if (prefix_parse("10.0.0.0/32", &p) != 0)
		abort();
	for (uint32_t i = 0; i < n; i++) {
		p.b[1] = (uint8_t)(i >> 16);
		p.b[2] = (uint8_t)(i >> 8);
		p.b[3] = (uint8_t)i;
		if (rib_update(bgpd->rib, &feeder->src, &p, 0, a) != 0)
			abort();
	}
	rib_attrs_unref(bgpd->rib, a);
}

/* Every client's UPDATEs built and thrown away. */
static void
build_all(struct bgp_peer **cl, unsigned np)
{
	for (unsigned i = 0; i < np; i++) {
		struct bgp_conn *c = cl[i]->conn;

		while (adjout_build(cl[i]->adjout, c))
			evbuffer_drain(c->out, evbuffer_get_length(c->out));
		evbuffer_drain(c->out, evbuffer_get_length(c->out));
	}
}

static size_t	h_pending;

/* The profiled part: np clients up (everything marked), then built. */
void	mark_build(struct bgp_peer **, unsigned);

void
mark_build(struct bgp_peer **cl, unsigned np)
{
	for (unsigned i = 0; i < np; i++)
		fake_up(cl[i], 0x0a000100u + i);
	h_pending = heap();
	build_all(cl, np);
}

int
main(int argc, char **argv)
{
	uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 1000000;
	unsigned np = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 1;
	bool live = argc > 3 && strcmp(argv[3], "live") == 0;
	struct event_base *base = event_base_new();
	struct rib *rib = rib_new();
	struct bgpd_params params;
	struct bgpd_ops ops;
	struct bgpd_peer_conf pc;
	struct bgp_peer *feeder, **cl = xcalloc(np, sizeof(*cl));
	struct bgpd *bgpd;
	size_t h0, h1, h2, h3;
	uint64_t updates = 0;
	double cells;

	memset(&params, 0, sizeof(params));
	params.local_as = 64512;
	params.router_id = 0xc6120001u;
	if (addr_parse("198.18.0.1", &params.local_v4) != 0)
		abort();
	params.mem_max = BGPD_MEM_UNLIMITED;
	params.rr_cluster_id = 0xc6120001u;
	memset(&ops, 0, sizeof(ops));
	bgpd = bgpd_new(base, rib, &params, &ops, NULL);
	for (unsigned i = 0; i <= np; i++) {
		memset(&pc, 0, sizeof(pc));
		snprintf(pc.name, sizeof(pc.name), "c%u", i);
		pc.kind = BGPD_PEER_GLOBAL;
		pc.as = 64512;
		pc.passive = true;
		pc.rr_client = true;
		if (addr_parse("198.18.1.0", &pc.addr) != 0)
			abort();
		pc.addr.b[2] = (uint8_t)(i >> 8);
		pc.addr.b[3] = (uint8_t)i;
		if (bgpd_peer_add(bgpd, &pc) != 0)
			abort();
	}
	feeder = peer_named(bgpd, "c0");
	fake_up(feeder, 0xc6120100u);
	for (unsigned i = 0; i < np; i++) {
		char name[16];

		snprintf(name, sizeof(name), "c%u", i + 1);
		cl[i] = peer_named(bgpd, name);
	}
	if (live) {
		for (unsigned i = 0; i < np; i++)
			fake_up(cl[i], 0x0a000100u + i);
		h0 = heap();
		feed(bgpd, feeder, n);
		h1 = heap();
		build_all(cl, np);
	} else {
		feed(bgpd, feeder, n);
		h0 = heap();
		mark_build(cl, np);
		h1 = h_pending;
	}
	h2 = heap();
	for (unsigned i = 0; i < np; i++) {
		updates += cl[i]->updates_out;
		if (adjout_count(cl[i]->adjout) != n)
			fprintf(stderr, "c%u: %zu routes sent, not %u\n", i + 1,
			    adjout_count(cl[i]->adjout), n);
	}
	if (adjout_count(feeder->adjout) != 0 || adjout_build(feeder->adjout,
	    feeder->conn) || feeder->updates_out != 1)
		fprintf(stderr, "c0: sent its own routes\n");
	cells = (double)n * np;
	printf("adjout_bench: %u prefixes x %u peers%s: pending %.2f "
	    "bytes/prefix/peer, sent %.2f; UPDATEs per peer %.1f "
	    "(%.1f prefixes each, EoR included); peak RSS %.1f MiB\n", n, np,
	    live ? " (live: rib included)" : "", (double)(h1 - h0) / cells,
	    (double)(h2 - h0) / cells, (double)updates / np,
	    (double)n * np / (double)updates, (double)maxrss_kib() / 1024);
	fflush(stdout);
	rib_flush_source(rib, &feeder->src);
	h3 = heap();
	build_all(cl, np);
	printf("adjout_bench: withdrawing %.2f bytes/prefix/peer; peak RSS "
	    "%.1f MiB\n", ((double)h3 - (double)heap()) / cells,
	    (double)maxrss_kib() / 1024);
	fflush(stdout);
	bgpd_free(bgpd);
	rib_free(rib);
	event_base_free(base);
	free(cl);
	return 0;
}
