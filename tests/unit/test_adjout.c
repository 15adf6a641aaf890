/*
 * test_adjout.c: the Adj-RIB-Out (bgpd/adjout.c) alone, against a real rib
 * (for prefix ids and interned attributes), the real UPDATE codec, and
 * recording stubs of peer.c and import.c (OpenBGPD unittests style). The
 * export policy is a table: set1/setn say what a prefix should have and
 * mark it, and the want function adjout_build asks reads the table for
 * the prefix the rib says the id holds. Every case decodes the UPDATEs
 * built and compares what went on the wire, one message per "|":
 * "A<med> prefixes" an announcement (sorted within the message), "W
 * prefixes" a withdrawal, "EOR", "EORR"; "#n" is a path id. The last case
 * prints the memory the Adj-RIB-Out takes per prefix.
 */
#include <check.h>

#include "check_run.h"
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "session.h"

/* ---- stubs for peer.c / import.c ---- */

void
log_peer(const struct bgp_peer *p, enum log_level l, const char *f, ...)
{
	(void)p; (void)l; (void)f;
}

void
bgp_conn_send(struct bgp_conn *c, const uint8_t *p, size_t len)
{
	evbuffer_add(c->out, p, len);
}

/* An EoRR marker in the output stream: a bare header of type 5. */
void
bgp_peer_send_rrefresh(struct bgp_peer *peer, uint8_t subtype)
{
	uint8_t h[BGP_HDR_LEN];

	memset(h, 0xff, 16);
	h[16] = 0;
	h[17] = BGP_HDR_LEN;
	h[18] = 5;
	ck_assert_uint_eq(subtype, BGP_RR_EORR);
	evbuffer_add(peer->conn->out, h, sizeof(h));
}

/* ---- fixture ---- */

static struct bgpd bgpd;
static struct bgp_peer peer;
static struct bgp_conn conn;
static struct rib_src src = { .name = "test", .kind = RIB_SRC_BGP };
static struct adjout *ao;
static const struct rib_attrs *A1, *A2, *A3;

/* ---- the export policy stub: what each prefix id should have ---- */

#define WANT_IDS	4096	/* ids per AF the table covers */
#define WANT_PATHS	16

struct want_rec {
	struct prefix		 pfx;	/* the prefix it was set for */
	size_t			 n;
	uint32_t		 ids[WANT_PATHS];
	const struct rib_attrs	*as[WANT_PATHS];
};

static struct want_rec wants[2][WANT_IDS];	/* IPv4, IPv6 ids */
static unsigned want_calls;
static bool want_synth;		/* test_memory: id i is 10.0.0.0/32 + i, A1 */

static struct want_rec *
want_rec(uint32_t id)
{
	ck_assert_uint_lt(id & ~0x80000000u, WANT_IDS);
	return &wants[(id & 0x80000000u) != 0][id & ~0x80000000u];
}

/*
 * The want function of adjout_new (import.c's export_want): the prefix
 * the rib says id holds now, with the paths last set for that prefix
 * (none when they were set for another prefix that had the id).
 */
static bool
want_cb(struct bgp_peer *p, uint32_t id, struct adjout_want *w)
{
	const struct want_rec *r;

	ck_assert_ptr_eq(p, &peer);
	want_calls++;
	w->n = 0;
	if (want_synth) {
		ck_assert_int_eq(prefix_parse("10.0.0.0/32", &w->pfx), 0);
		w->pfx.b[1] = (uint8_t)(id >> 16);
		w->pfx.b[2] = (uint8_t)(id >> 8);
		w->pfx.b[3] = (uint8_t)id;
		w->ids[0] = 0;
		w->attrs[0] = rib_attrs_ref(A1);
		w->n = 1;
		return true;
	}
	if (!rib_id_prefix(bgpd.rib, id, &w->pfx))
		return false;
	r = want_rec(id);
	if (!prefix_eq(&r->pfx, &w->pfx))
		return true;
	for (size_t i = 0; i < r->n; i++) {
		w->ids[i] = r->ids[i];
		w->attrs[i] = rib_attrs_ref(r->as[i]);
	}
	w->n = r->n;
	return true;
}

static const struct rib_attrs *
mkattrs(uint32_t med)
{
	struct rib_attrs t;

	memset(&t, 0, sizeof(t));
	t.has_med = true;
	t.med = med;
	ck_assert_int_eq(addr_parse("192.0.2.1", &t.nexthop), 0);
	return rib_attrs_intern(bgpd.rib, &t);
}

static void
setup(void)
{
	memset(&bgpd, 0, sizeof(bgpd));
	memset(&peer, 0, sizeof(peer));
	memset(&conn, 0, sizeof(conn));
	memset(wants, 0, sizeof(wants));
	want_calls = 0;
	want_synth = false;
	bgpd.rib = rib_new();
	peer.bgpd = &bgpd;
	peer.conn = &conn;
	peer.conf.addr.af = AF_INET;
	peer.ctx.maxlen = BGP_MAX_MSG;
	conn.peer = &peer;
	conn.state = BGP_STATE_ESTABLISHED;
	conn.out = evbuffer_new();
	src.id = 0;
	A1 = mkattrs(1);
	A2 = mkattrs(2);
	A3 = mkattrs(3);
	ao = adjout_new(&peer, want_cb);
}

static void
teardown(void)
{
	adjout_free(ao);
	rib_attrs_unref(bgpd.rib, A1);
	rib_attrs_unref(bgpd.rib, A2);
	rib_attrs_unref(bgpd.rib, A3);
	rib_free(bgpd.rib);
	evbuffer_free(conn.out);
}

static struct prefix
P(const char *s)
{
	struct prefix p;

	ck_assert_int_eq(prefix_parse(s, &p), 0);
	return p;
}

/* The rib id of s, putting it in the rib (path id 0 of src) if need be. */
static uint32_t
pid_of(const char *s)
{
	struct prefix p = P(s);
	uint32_t id;

	if (!rib_prefix_id(bgpd.rib, &p, &id)) {
		ck_assert_int_eq(rib_update(bgpd.rib, &src, &p, 0, A1), 0);
		ck_assert(rib_prefix_id(bgpd.rib, &p, &id));
	}
	return id;
}

/*
 * s should now have the paths (ids[i], as[i]) (n 0: nothing, as when the
 * export refuses it): the table says so and s is marked, as import.c's
 * best_changed does. True when newly marked.
 */
static bool
setn(const char *s, const uint32_t *ids, const struct rib_attrs **as,
    size_t n)
{
	uint32_t id = pid_of(s);
	struct want_rec *r = want_rec(id);

	ck_assert_uint_le(n, WANT_PATHS);
	r->pfx = P(s);
	r->n = n;
	for (size_t i = 0; i < n; i++) {
		r->ids[i] = ids[i];
		r->as[i] = as[i];
	}
	return adjout_mark(ao, id);
}

/* s should have the single path a (NULL: nothing). */
static bool
set1(const char *s, const struct rib_attrs *a)
{
	uint32_t zero = 0;

	return setn(s, &zero, &a, a ? 1 : 0);
}

/* The rib ends s (src's path withdrawn) and tells the Adj-RIB-Out, as
 * best_changed(new NULL) does; its id is free for the next prefix. */
static bool
end1(const char *s)
{
	struct prefix p = P(s);
	uint32_t id = pid_of(s), gone;

	ck_assert(rib_withdraw(bgpd.rib, &src, &p, 0));
	ck_assert(!rib_prefix_id(bgpd.rib, &p, &gone));
	return adjout_end(ao, &p, id);
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* NLRI of r as sorted " pfx[#id]" words appended to out. */
static void
fmt_nlri(struct rbuf r, uint8_t fam, bool ap, char *out, size_t cap)
{
	char *words[4096], p[PREFIX_STRLEN];
	struct bgp_err err;
	struct prefix pfx;
	uint32_t id;
	size_t n = 0;
	int rc;

	while ((rc = bgp_nlri_next(&r, fam, ap, &pfx, &id, &err)) == 1) {
		char w[PREFIX_STRLEN + 16];

		prefix_fmt(&pfx, p, sizeof(p));
		if (ap)
			snprintf(w, sizeof(w), "%s#%u", p, id);
		else
			snprintf(w, sizeof(w), "%s", p);
		ck_assert_uint_lt(n, 4096);
		words[n++] = strdup(w);
	}
	ck_assert_int_eq(rc, 0);
	qsort(words, n, sizeof(words[0]), str_cmp);
	for (size_t i = 0; i < n; i++) {
		strncat(out, " ", cap - strlen(out) - 1);
		strncat(out, words[i], cap - strlen(out) - 1);
		free(words[i]);
	}
}

/* Decode what is in conn.out into out (see the top), draining it. */
static void
decode_out(char *out, size_t cap, enum bgp_af af, bool ap)
{
	uint8_t msg[BGP_MAX_EXT_MSG];

	while (evbuffer_get_length(conn.out) >= BGP_HDR_LEN) {
		struct bgp_codec_ctx rx = peer.ctx;
		struct bgp_update u;
		struct bgp_err err;
		struct rbuf body;
		size_t len;
		char m[32768] = "";

		evbuffer_copyout(conn.out, msg, BGP_HDR_LEN);
		len = (size_t)msg[16] << 8 | msg[17];
		ck_assert_uint_ge(len, BGP_HDR_LEN);
		ck_assert_uint_le(len, peer.ctx.maxlen);
		ck_assert_int_eq(evbuffer_remove(conn.out, msg, len), (int)len);
		if (msg[18] == BGP_KEEPALIVE)	/* test_refresh_partial's */
			continue;
		if (out[0] != '\0')
			strncat(out, " | ", cap - strlen(out) - 1);
		if (msg[18] == 5) {
			strncat(out, "EORR", cap - strlen(out) - 1);
			continue;
		}
		ck_assert_uint_eq(msg[18], BGP_UPDATE);
		rx.add_path_rx[af] = ap;
		rbuf_init(&body, msg + BGP_HDR_LEN, len - BGP_HDR_LEN);
		ck_assert_int_eq(bgp_update_decode(&body, &rx, &u, &err), 0);
		ck_assert(!u.treat_as_withdraw);
		if (u.is_eor) {
			strncat(out, "EOR", cap - strlen(out) - 1);
			continue;
		}
		if (rbuf_left(&u.withdrawn) > 0 || u.has_mp_unreach) {
			ck_assert(rbuf_left(&u.nlri) == 0 && !u.has_mp_reach);
			strcpy(m, "W");
			fmt_nlri(u.withdrawn, AF_INET, ap, m, sizeof(m));
			if (u.has_mp_unreach)
				fmt_nlri(u.mp_unreach_nlri, AF_INET6, ap, m,
				    sizeof(m));
		} else {
			ck_assert(u.seen & (1u << 4));	/* MED */
			snprintf(m, sizeof(m), "A%u", u.med);
			fmt_nlri(u.nlri, AF_INET, ap, m, sizeof(m));
			if (u.has_mp_reach)
				fmt_nlri(u.mp_reach_nlri, AF_INET6, ap, m,
				    sizeof(m));
		}
		strncat(out, m, cap - strlen(out) - 1);
	}
}

/* Build until nothing is left; what went out, decoded. */
static const char *
wire(void)
{
	static char out[65536];
	enum bgp_af af = peer.conf.addr.af == AF_INET6 ? BGP_AF_IPV6 :
	    BGP_AF_IPV4;
	bool more;

	out[0] = '\0';
	do {
		more = adjout_build(ao, &conn);
		decode_out(out, sizeof(out), af, peer.ctx.add_path_tx[af]);
	} while (more);
	return out;
}

/* ---- cases ---- */

static size_t
count_of(const char *w, const char *word)
{
	size_t n = 0, l = strlen(word);

	for (const char *p = w; (p = strstr(p, word)) != NULL; p += l)
		n += p[l] == ' ' || p[l] == '\0';
	return n;
}

/* Marks are packed per attribute set in queue order; EoR after. */
START_TEST(test_marks_pack)
{
	ck_assert(set1("10.0.0.0/24", A1));
	ck_assert(set1("10.0.1.0/24", A1));
	ck_assert(set1("10.0.2.0/24", A2));
	ck_assert(set1("10.0.3.0/24", A1));
	adjout_queue_eor(ao);
	ck_assert_str_eq(wire(), "A1 10.0.0.0/24 10.0.1.0/24 | "
	    "A2 10.0.2.0/24 | A1 10.0.3.0/24 | EOR");
	ck_assert_uint_eq(adjout_count(ao), 4);
	ck_assert_str_eq(wire(), "");
}
END_TEST

/* Changed several times before it is sent: goes out once, as last set. */
START_TEST(test_coalesce)
{
	ck_assert(set1("10.0.0.0/24", A1));
	ck_assert(!set1("10.0.0.0/24", A2));	/* marked already */
	ck_assert(!set1("10.0.0.0/24", A3));
	ck_assert_str_eq(wire(), "A3 10.0.0.0/24");
	/* announced then withdrawn before sent: nothing at all */
	ck_assert(set1("10.0.1.0/24", A1));
	ck_assert(!set1("10.0.1.0/24", NULL));
	ck_assert_str_eq(wire(), "");
	ck_assert_uint_eq(adjout_count(ao), 1);
}
END_TEST

/* What was sent is not sent again (bgpd_refresh_exports re-feeds all). */
START_TEST(test_suppress)
{
	set1("10.0.0.0/24", A1);
	set1("10.0.1.0/24", A2);
	ck_assert_str_eq(wire(), "A1 10.0.0.0/24 | A2 10.0.1.0/24");
	ck_assert(set1("10.0.0.0/24", A1));	/* marked, found unchanged */
	ck_assert(set1("10.0.1.0/24", A2));
	ck_assert_str_eq(wire(), "");
	/* a change and back before it is sent: nothing */
	ck_assert(set1("10.0.0.0/24", A3));
	ck_assert(!set1("10.0.0.0/24", A1));
	/* withdrawn and back before it is sent: nothing */
	ck_assert(set1("10.0.1.0/24", NULL));
	ck_assert(!set1("10.0.1.0/24", A2));
	ck_assert_str_eq(wire(), "");
	ck_assert_uint_eq(adjout_count(ao), 2);
}
END_TEST

/* Only what was announced is withdrawn. */
START_TEST(test_withdraw_if_sent)
{
	ck_assert(set1("10.0.9.0/24", NULL));
	ck_assert_str_eq(wire(), "");
	set1("10.0.0.0/24", A1);
	set1("10.0.1.0/24", A1);
	ck_assert_str_eq(wire(), "A1 10.0.0.0/24 10.0.1.0/24");
	ck_assert(set1("10.0.0.0/24", NULL));
	ck_assert(set1("10.0.1.0/24", NULL));
	ck_assert(set1("10.0.2.0/24", NULL));
	ck_assert_str_eq(wire(), "W 10.0.0.0/24 10.0.1.0/24");
	ck_assert_uint_eq(adjout_count(ao), 0);
	ck_assert(set1("10.0.0.0/24", NULL));
	ck_assert_str_eq(wire(), "");
}
END_TEST

/* RFC 7911: several paths per prefix, then fewer, then others. */
START_TEST(test_addpath)
{
	const uint32_t ids3[] = { 1, 2, 3 }, ids1[] = { 2 }, ids2[] = { 2, 7 };
	const struct rib_attrs *as3[] = { A1, A2, A1 }, *as1[] = { A2 },
	    *as2[] = { A2, A3 };

	peer.ctx.add_path_tx[BGP_AF_IPV4] = true;
	ck_assert(setn("10.0.0.0/24", ids3, as3, 3));
	set1("10.0.1.0/24", A1);	/* path id 0 */
	ck_assert_str_eq(wire(), "A1 10.0.0.0/24#1 | A2 10.0.0.0/24#2 | "
	    "A1 10.0.0.0/24#3 10.0.1.0/24#0");
	ck_assert_uint_eq(adjout_count(ao), 4);
	ck_assert(setn("10.0.0.0/24", ids3, as3, 3));
	ck_assert_str_eq(wire(), "");
	ck_assert(setn("10.0.0.0/24", ids1, as1, 1));
	ck_assert_str_eq(wire(), "W 10.0.0.0/24#1 10.0.0.0/24#3");
	ck_assert_uint_eq(adjout_count(ao), 2);
	ck_assert(setn("10.0.0.0/24", ids2, as2, 2));
	ck_assert_str_eq(wire(), "A3 10.0.0.0/24#7");
	/* a path queued and not sent leaves without a trace */
	ck_assert(setn("10.0.0.0/24", ids3, as3, 3));
	ck_assert(!setn("10.0.0.0/24", ids2, as2, 2));
	ck_assert_str_eq(wire(), "");
	ck_assert_uint_eq(adjout_count(ao), 3);
	ck_assert(setn("10.0.0.0/24", NULL, NULL, 0));
	ck_assert_str_eq(wire(), "W 10.0.0.0/24#2 10.0.0.0/24#7");
	ck_assert(set1("10.0.1.0/24", NULL));
	ck_assert_str_eq(wire(), "W 10.0.1.0/24#0");
	ck_assert_uint_eq(adjout_count(ao), 0);
}
END_TEST

/*
 * An update group's member that leaves goes on from adjout_clone: the copy
 * must build exactly what the original builds, from any state (sent paths
 * with and without path ids and a spilled prefix, marks, a queued
 * withdrawal, a refresh), and the two must then be independent.
 */
static const char *
wire_of(struct adjout *which)
{
	struct adjout *keep = ao;
	const char *w;

	ao = which;
	w = wire();
	ao = keep;
	return w;
}

START_TEST(test_clone)
{
	const uint32_t ids3[] = { 1, 2, 3 }, ids1[] = { 2 };
	const struct rib_attrs *as3[] = { A1, A2, A1 }, *as1[] = { A3 };
	struct adjout *cl;
	char w1[65536];
	uint32_t id;

	peer.ctx.add_path_tx[BGP_AF_IPV4] = true;
	ck_assert(adjout_idle(ao));
	ck_assert(setn("10.0.0.0/24", ids3, as3, 3));
	set1("10.0.1.0/24", A1);
	set1("10.0.2.0/24", A2);
	ck_assert(!adjout_idle(ao));
	(void)wire();
	ck_assert(adjout_idle(ao));
	/* pending: a change, an end (queued withdrawal), a new prefix */
	ck_assert(setn("10.0.0.0/24", ids1, as1, 1));
	ck_assert(end1("10.0.1.0/24"));
	set1("10.0.3.0/24", A3);
	cl = adjout_clone(ao, &peer);
	ck_assert(!adjout_idle(cl));
	ck_assert_uint_eq(adjout_count(cl), adjout_count(ao));
	snprintf(w1, sizeof(w1), "%s", wire_of(cl));
	ck_assert_str_eq(wire_of(ao), w1);
	ck_assert_str_eq(w1, "W 10.0.0.0/24#1 10.0.0.0/24#3 10.0.1.0/24#0 | "
	    "A3 10.0.0.0/24#2 10.0.3.0/24#0");
	ck_assert(adjout_idle(cl));
	ck_assert_uint_eq(adjout_count(cl), adjout_count(ao));
	/* independent now: a change marked in one only goes out of it */
	id = pid_of("10.0.2.0/24");
	want_rec(id)->as[0] = A3;
	ck_assert(adjout_mark(cl, id));
	ck_assert_str_eq(wire_of(ao), "");
	ck_assert_str_eq(wire_of(cl), "A3 10.0.2.0/24#0");
	/* a refresh of each sends what each has */
	adjout_refresh(cl, false);
	adjout_refresh(ao, false);
	ck_assert_str_eq(wire_of(cl), "A3 10.0.0.0/24#2 10.0.2.0/24#0 10.0.3.0/24#0");
	ck_assert_str_eq(wire_of(ao), "A3 10.0.0.0/24#2 10.0.3.0/24#0 | A2 10.0.2.0/24#0");
	adjout_free(cl);
	/* the original's attribute references survive the copy's end */
	ck_assert_str_eq(wire_of(ao), "");
	ck_assert(setn("10.0.0.0/24", NULL, NULL, 0));
	ck_assert_str_eq(wire_of(ao), "W 10.0.0.0/24#2");
}
END_TEST

/* More paths than a side array starts with, down to one with an id. */
START_TEST(test_addpath_many)
{
	uint32_t ids[10], one = 5;
	const struct rib_attrs *as[10];
	const char *w;

	peer.ctx.add_path_tx[BGP_AF_IPV4] = true;
	for (uint32_t i = 0; i < 10; i++) {
		ids[i] = i + 1;
		as[i] = i % 2 ? A2 : A1;
	}
	ck_assert(setn("10.0.0.0/24", ids, as, 10));
	w = wire();
	ck_assert_uint_eq(count_of(w, "A1"), 5);
	ck_assert_uint_eq(count_of(w, "A2"), 5);
	ck_assert_uint_eq(adjout_count(ao), 10);
	ck_assert(setn("10.0.0.0/24", ids, as, 10));
	ck_assert(!setn("10.0.0.0/24", &one, &as[4], 1));
	ck_assert_str_eq(wire(), "W 10.0.0.0/24#1 10.0.0.0/24#10 "
	    "10.0.0.0/24#2 10.0.0.0/24#3 10.0.0.0/24#4 10.0.0.0/24#6 "
	    "10.0.0.0/24#7 10.0.0.0/24#8 10.0.0.0/24#9");
	ck_assert_uint_eq(adjout_count(ao), 1);
	ck_assert(setn("10.0.0.0/24", &one, &as[4], 1));	/* unchanged */
	adjout_refresh(ao, false);
	ck_assert_str_eq(wire(), "A1 10.0.0.0/24#5");
	ck_assert(setn("10.0.0.0/24", NULL, NULL, 0));
	ck_assert_str_eq(wire(), "W 10.0.0.0/24#5");
	ck_assert_uint_eq(adjout_count(ao), 0);
}
END_TEST

/*
 * Route refresh: the pending withdrawal goes as it is, everything else
 * announced again as it stands, then EoRR; a pending change that comes
 * back to what was sent is still sent again.
 */
START_TEST(test_refresh)
{
	set1("10.0.0.0/24", A1);
	set1("10.0.1.0/24", A1);
	set1("10.0.2.0/24", A2);
	set1("10.0.3.0/24", A1);
	ck_assert_str_eq(wire(), "A1 10.0.0.0/24 10.0.1.0/24 | "
	    "A2 10.0.2.0/24 | A1 10.0.3.0/24");
	ck_assert(set1("10.0.1.0/24", NULL));
	ck_assert(set1("10.0.3.0/24", A3));
	adjout_refresh(ao, true);
	ck_assert(!set1("10.0.3.0/24", A1));
	ck_assert_str_eq(wire(), "W 10.0.1.0/24 | A1 10.0.0.0/24 | "
	    "A2 10.0.2.0/24 | A1 10.0.3.0/24 | EORR");
	ck_assert_uint_eq(adjout_count(ao), 3);
	ck_assert_str_eq(wire(), "");
	/* without RFC 7313: no EoRR; a queued change goes first, as queued,
	 * then the walk in prefix id order */
	ck_assert(set1("10.0.2.0/24", A3));
	adjout_refresh(ao, false);
	ck_assert_str_eq(wire(), "A3 10.0.2.0/24 | A1 10.0.0.0/24 | "
	    "A3 10.0.2.0/24 | A1 10.0.3.0/24");
	ck_assert_uint_eq(adjout_count(ao), 3);
}
END_TEST

/*
 * A prefix id reused by the rib while the withdrawal of its old prefix is
 * still queued: the withdrawal goes out, the new prefix is announced.
 */
START_TEST(test_id_reuse)
{
	uint32_t id = pid_of("10.0.0.0/24"), id2;

	set1("10.0.0.0/24", A1);
	ck_assert_str_eq(wire(), "A1 10.0.0.0/24");
	ck_assert(end1("10.0.0.0/24"));
	id2 = pid_of("10.9.0.0/16");
	ck_assert_uint_eq(id2, id);	/* the slab's free list */
	ck_assert(set1("10.9.0.0/16", A1));
	ck_assert_str_eq(wire(), "W 10.0.0.0/24 | A1 10.9.0.0/16");
	ck_assert_uint_eq(adjout_count(ao), 1);
	/* the new prefix's state is its own */
	ck_assert(set1("10.9.0.0/16", A1));
	ck_assert_str_eq(wire(), "");
	ck_assert(set1("10.9.0.0/16", NULL));
	ck_assert_str_eq(wire(), "W 10.9.0.0/16");
	ck_assert_uint_eq(adjout_count(ao), 0);
}
END_TEST

/* IPv6 (ids with bit 31 set), with the refresh walk over that table. */
START_TEST(test_ipv6)
{
	struct rib_attrs t;
	const struct rib_attrs *a6;

	memset(&t, 0, sizeof(t));
	t.has_med = true;
	t.med = 6;
	ck_assert_int_eq(addr_parse("2001:db8::1", &t.nexthop), 0);
	a6 = rib_attrs_intern(bgpd.rib, &t);
	peer.conf.addr.af = AF_INET6;
	ck_assert_uint_ne(pid_of("2001:db8:1::/48") & 0x80000000u, 0);
	set1("2001:db8:1::/48", a6);
	set1("2001:db8:2::/48", a6);
	ck_assert_str_eq(wire(), "A6 2001:db8:1::/48 2001:db8:2::/48");
	set1("2001:db8:1::/48", NULL);
	adjout_refresh(ao, true);
	ck_assert_str_eq(wire(), "W 2001:db8:1::/48 | A6 2001:db8:2::/48 | "
	    "EORR");
	ck_assert_uint_eq(adjout_count(ao), 1);
	rib_attrs_unref(bgpd.rib, a6);
}
END_TEST

/* Many prefixes: several messages, every prefix once, and a big refresh. */
START_TEST(test_many)
{
	char s[32];
	size_t n = 0, nmsg = 0;
	const char *w;

	for (int i = 0; i < 3000; i++) {
		snprintf(s, sizeof(s), "10.%d.%d.0/24", i / 256, i % 256);
		set1(s, A1);
	}
	w = wire();
	for (const char *p = w; *p; p++) {
		n += *p == '/';
		nmsg += *p == '|';
	}
	ck_assert_uint_eq(n, 3000);
	ck_assert_uint_gt(nmsg, 0);
	ck_assert_uint_eq(adjout_count(ao), 3000);
	adjout_refresh(ao, true);
	w = wire();
	n = 0;
	for (const char *p = w; *p; p++)
		n += *p == '/';
	ck_assert_uint_eq(n, 3000);
	ck_assert_ptr_nonnull(strstr(w, "| EORR"));
}
END_TEST


/*
 * A refresh stopped by the high-water mark part way: a change behind the
 * cursor goes out as a change; a change ahead of it that comes back to
 * what was sent is still sent again by the cursor.
 */
START_TEST(test_refresh_partial)
{
	uint8_t ka[BGP_HDR_LEN];
	char s[32];
	const char *w;

	for (int i = 0; i < 3000; i++) {
		snprintf(s, sizeof(s), "10.%d.%d.0/24", i / 256, i % 256);
		set1(s, A1);
	}
	(void)wire();
	adjout_refresh(ao, true);
	memset(ka, 0xff, 16);
	ka[16] = 0;
	ka[17] = BGP_HDR_LEN;
	ka[18] = BGP_KEEPALIVE;
	while (evbuffer_get_length(conn.out) < BGP_OUT_HIGH_WATER - 1)
		evbuffer_add(conn.out, ka, sizeof(ka));
	ck_assert(adjout_build(ao, &conn));	/* one UPDATE, then full */
	ck_assert(set1("10.0.0.0/24", A2));	/* behind the cursor */
	ck_assert(set1("10.11.183.0/24", A2));	/* ahead: the 3000th */
	ck_assert(!set1("10.11.183.0/24", A1));
	w = wire();
	ck_assert_uint_eq(count_of(w, "10.0.0.0/24"), 2);
	ck_assert_uint_eq(count_of(w, "10.11.183.0/24"), 1);
	ck_assert_uint_eq(count_of(w, "/24"), 3001);
	ck_assert_ptr_nonnull(strstr(w, "| A2 10.0.0.0/24 | A1 "));
	ck_assert_ptr_nonnull(strstr(w, "| EORR"));
	ck_assert_uint_eq(adjout_count(ao), 3000);
}
END_TEST

/*
 * Many changes to one prefix before the build: one mark, one question to
 * the export policy, one announcement of the last state; the same over
 * add-path, sent and changed again.
 */
START_TEST(test_many_changes)
{
	const struct rib_attrs *as[] = { A1, A2, A3 }, *two[] = { A1, A3 };
	const uint32_t ids[] = { 1, 2 };

	ck_assert(set1("10.0.0.0/24", A1));
	for (int i = 0; i <= 1000; i++)
		ck_assert(!set1("10.0.0.0/24", as[i % 3]));	/* ends on A2 */
	ck_assert_str_eq(wire(), "A2 10.0.0.0/24");
	ck_assert_uint_eq(want_calls, 1);
	for (int i = 0; i < 1000; i++)
		(void)set1("10.0.0.0/24", i % 2 ? NULL : as[i % 3]);
	ck_assert(!set1("10.0.0.0/24", A3));
	ck_assert_str_eq(wire(), "A3 10.0.0.0/24");
	ck_assert_uint_eq(adjout_count(ao), 1);
	peer.ctx.add_path_tx[BGP_AF_IPV4] = true;
	ck_assert(set1("10.0.1.0/24", NULL));
	for (int i = 0; i < 100; i++)
		(void)setn("10.0.1.0/24", ids, &as[i % 2], 2);
	ck_assert(!setn("10.0.1.0/24", ids, two, 2));
	ck_assert_str_eq(wire(), "A1 10.0.1.0/24#1 | A3 10.0.1.0/24#2");
	ck_assert_uint_eq(adjout_count(ao), 3);
}
END_TEST

/*
 * A change and back before the build sends nothing: attributes, a refusal
 * and back, over add-path the same paths in another order, fewer and back.
 */
START_TEST(test_change_back)
{
	const struct rib_attrs *as[] = { A1, A2 }, *ras[] = { A2, A1 };
	const uint32_t ids[] = { 1, 2 }, rids[] = { 2, 1 };

	set1("10.0.0.0/24", A1);
	ck_assert_str_eq(wire(), "A1 10.0.0.0/24");
	set1("10.0.0.0/24", A2);
	set1("10.0.0.0/24", A1);
	ck_assert_str_eq(wire(), "");
	set1("10.0.0.0/24", NULL);
	set1("10.0.0.0/24", A1);
	ck_assert_str_eq(wire(), "");
	peer.ctx.add_path_tx[BGP_AF_IPV4] = true;
	setn("10.0.1.0/24", ids, as, 2);
	ck_assert_str_eq(wire(), "A1 10.0.1.0/24#1 | A2 10.0.1.0/24#2");
	setn("10.0.1.0/24", ids, as, 1);
	setn("10.0.1.0/24", rids, ras, 2);
	ck_assert_str_eq(wire(), "");
	ck_assert_uint_eq(adjout_count(ao), 3);
}
END_TEST

/*
 * A prefix sent, changed (marked), then ended by the rib, whose id goes to
 * another prefix before the build: the old prefix is withdrawn with its
 * own bytes, every path of it sent (add-path), and the new one announced;
 * a prefix never sent leaves nothing behind for the id's next owner.
 */
START_TEST(test_id_reuse_pending)
{
	const struct rib_attrs *as[] = { A1, A2 };
	const uint32_t ids[] = { 1, 2 };
	uint32_t id = pid_of("10.0.0.0/24");

	set1("10.0.0.0/24", A1);
	ck_assert_str_eq(wire(), "A1 10.0.0.0/24");
	ck_assert(set1("10.0.0.0/24", A2));	/* pending when it ends */
	ck_assert(end1("10.0.0.0/24"));
	ck_assert_uint_eq(pid_of("10.9.0.0/16"), id);
	ck_assert(set1("10.9.0.0/16", A3));
	ck_assert_str_eq(wire(), "W 10.0.0.0/24 | A3 10.9.0.0/16");
	ck_assert_uint_eq(adjout_count(ao), 1);
	/* never sent: ended and reused before the build */
	ck_assert(set1("10.1.0.0/24", A1));
	id = pid_of("10.1.0.0/24");
	ck_assert(!end1("10.1.0.0/24"));
	ck_assert_uint_eq(pid_of("10.2.0.0/24"), id);
	ck_assert(set1("10.2.0.0/24", A2));
	ck_assert_str_eq(wire(), "A2 10.2.0.0/24");
	/* add-path: every path sent is withdrawn */
	peer.ctx.add_path_tx[BGP_AF_IPV4] = true;
	id = pid_of("10.3.0.0/24");
	setn("10.3.0.0/24", ids, as, 2);
	ck_assert_str_eq(wire(), "A1 10.3.0.0/24#1 | A2 10.3.0.0/24#2");
	ck_assert(end1("10.3.0.0/24"));
	ck_assert_uint_eq(pid_of("10.4.0.0/24"), id);
	setn("10.4.0.0/24", ids, as, 1);
	ck_assert_str_eq(wire(), "W 10.3.0.0/24#1 10.3.0.0/24#2 | "
	    "A1 10.4.0.0/24#1");
	ck_assert_uint_eq(adjout_count(ao), 3);
	/* our implementation: ended and back on its own id before the
	 * build is a withdrawal and an announcement */
	peer.ctx.add_path_tx[BGP_AF_IPV4] = false;
	id = pid_of("10.2.0.0/24");
	ck_assert(end1("10.2.0.0/24"));
	ck_assert_uint_eq(pid_of("10.2.0.0/24"), id);
	set1("10.2.0.0/24", A2);
	ck_assert_str_eq(wire(), "W 10.2.0.0/24 | A2 10.2.0.0/24");
	ck_assert_uint_eq(adjout_count(ao), 3);
}
END_TEST

/* Fill the connection's output to just below the high-water mark. */
static void
fill_out(void)
{
	uint8_t ka[BGP_HDR_LEN];

	memset(ka, 0xff, 16);
	ka[16] = 0;
	ka[17] = BGP_HDR_LEN;
	ka[18] = BGP_KEEPALIVE;
	while (evbuffer_get_length(conn.out) < BGP_OUT_HIGH_WATER - 1)
		evbuffer_add(conn.out, ka, sizeof(ka));
}

/*
 * A prefix part sent (one UPDATE of three, the output full) that changes
 * again or ends: what was not sent yet is not sent as it was staged.
 */
START_TEST(test_partly_sent)
{
	const struct rib_attrs *as[] = { A1, A2, A3 }, *one[] = { A3 };
	const uint32_t ids[] = { 1, 2, 3 }, id3[] = { 3 };

	peer.ctx.add_path_tx[BGP_AF_IPV4] = true;
	setn("10.0.0.0/24", ids, as, 3);
	fill_out();
	ck_assert(adjout_build(ao, &conn));	/* #1 A1, then full */
	ck_assert(setn("10.0.0.0/24", id3, one, 1));
	ck_assert_str_eq(wire(), "A1 10.0.0.0/24#1 | W 10.0.0.0/24#1 | "
	    "A3 10.0.0.0/24#3");
	ck_assert_uint_eq(adjout_count(ao), 1);
	setn("10.0.1.0/24", ids, as, 3);
	fill_out();
	ck_assert(adjout_build(ao, &conn));
	ck_assert(end1("10.0.1.0/24"));
	ck_assert_str_eq(wire(), "A1 10.0.1.0/24#1 | W 10.0.1.0/24#1");
	ck_assert_uint_eq(adjout_count(ao), 1);
}
END_TEST

/*
 * A mark for a prefix the export now refuses (still in the rib): withdrawn
 * if it was sent, nothing if not, even with an announcement marked before.
 */
START_TEST(test_refused)
{
	const struct rib_attrs *as[] = { A1, A2 };
	const uint32_t ids[] = { 1, 2 }, id2[] = { 2 };

	set1("10.0.0.0/24", A1);
	ck_assert_str_eq(wire(), "A1 10.0.0.0/24");
	ck_assert(set1("10.0.0.0/24", A2));
	ck_assert(!set1("10.0.0.0/24", NULL));
	ck_assert(set1("10.0.1.0/24", A1));	/* never sent */
	ck_assert(!set1("10.0.1.0/24", NULL));
	ck_assert(set1("10.0.2.0/24", NULL));
	ck_assert_str_eq(wire(), "W 10.0.0.0/24");
	ck_assert_uint_eq(adjout_count(ao), 0);
	/* add-path: one path of two refused */
	peer.ctx.add_path_tx[BGP_AF_IPV4] = true;
	setn("10.0.3.0/24", ids, as, 2);
	ck_assert_str_eq(wire(), "A1 10.0.3.0/24#1 | A2 10.0.3.0/24#2");
	setn("10.0.3.0/24", id2, &as[1], 1);
	ck_assert_str_eq(wire(), "W 10.0.3.0/24#1");
	ck_assert_uint_eq(adjout_count(ao), 1);
}
END_TEST

/*
 * A refresh while changes are pending (one marked before it, the rest
 * after): the queued withdrawal of the ended prefix, then the marks as
 * they stand at the build, in the sweep's order (ids 0-3 here; the sweep
 * goes on from id 3, where the last build stopped, and round), then the
 * walk of what is sent by then, in id order, then EoRR.
 */
START_TEST(test_refresh_pending)
{
	uint32_t id3;

	set1("10.0.0.0/24", A1);
	set1("10.0.1.0/24", A1);
	set1("10.0.2.0/24", A1);
	set1("10.0.3.0/24", A1);
	id3 = pid_of("10.0.3.0/24");
	ck_assert_str_eq(wire(), "A1 10.0.0.0/24 10.0.1.0/24 10.0.2.0/24 "
	    "10.0.3.0/24");
	ck_assert(set1("10.0.1.0/24", A2));
	adjout_refresh(ao, true);
	ck_assert(set1("10.0.2.0/24", NULL));
	ck_assert(end1("10.0.3.0/24"));
	ck_assert_uint_eq(pid_of("10.0.4.0/24"), id3);
	ck_assert(set1("10.0.4.0/24", A1));
	ck_assert(set1("10.0.0.0/24", A1));	/* unchanged */
	ck_assert_str_eq(wire(), "W 10.0.3.0/24 | A1 10.0.4.0/24 | "
	    "A2 10.0.1.0/24 | W 10.0.2.0/24 | "
	    "A1 10.0.0.0/24 | A2 10.0.1.0/24 | A1 10.0.4.0/24 | EORR");
	ck_assert_uint_eq(adjout_count(ao), 3);
	ck_assert_str_eq(wire(), "");
}
END_TEST

/*
 * Not an assertion: the Adj-RIB-Out's heap per prefix, for ADJOUT_MEM_N
 * (default 1,000,000) IPv4 prefixes sent to one peer with one attribute
 * set, pending (all marked) and sent (steady state).
 */
static size_t
heap(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

START_TEST(test_memory)
{
	const char *e = getenv("ADJOUT_MEM_N");
	uint32_t n = e ? (uint32_t)strtoul(e, NULL, 10) : 1000000;
	size_t h0, h1, h2;

	want_synth = true;	/* no rib: id i is 10.0.0.0/32 + i */
	h0 = heap();
	for (uint32_t i = 0; i < n; i++)
		ck_assert(adjout_mark(ao, i));
	h1 = heap();
	while (adjout_build(ao, &conn))
		evbuffer_drain(conn.out, evbuffer_get_length(conn.out));
	evbuffer_drain(conn.out, evbuffer_get_length(conn.out));
	h2 = heap();
	ck_assert_uint_eq(adjout_count(ao), n);
	if (h1 <= h0)	/* ASan's allocator: mallinfo2 says nothing */
		return;
	printf("adjout: %u prefixes x 1 peer: pending %.2f bytes/prefix, "
	    "sent %.2f bytes/prefix\n", n,
	    (double)(h1 - h0) / n, (double)(h2 - h0) / n);
}
END_TEST

static Suite *
adjout_suite(void)
{
	Suite *s = suite_create("adjout");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_marks_pack);
	tcase_add_test(tc, test_coalesce);
	tcase_add_test(tc, test_suppress);
	tcase_add_test(tc, test_withdraw_if_sent);
	tcase_add_test(tc, test_addpath);
	tcase_add_test(tc, test_addpath_many);
	tcase_add_test(tc, test_clone);
	tcase_add_test(tc, test_refresh);
	tcase_add_test(tc, test_refresh_partial);
	tcase_add_test(tc, test_id_reuse);
	tcase_add_test(tc, test_ipv6);
	tcase_add_test(tc, test_many);
	tcase_add_test(tc, test_many_changes);
	tcase_add_test(tc, test_change_back);
	tcase_add_test(tc, test_id_reuse_pending);
	tcase_add_test(tc, test_partly_sent);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_refresh_pending);
	tcase_add_test(tc, test_memory);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_run(adjout_suite());
}
