/*
 * test_msg.c: framing and the OPEN, KEEPALIVE, NOTIFICATION and
 * ROUTE-REFRESH codecs (bgpd/msg.c, bgpd/capa.c): the byte vectors of
 * msg_vectors.h, a truncation sweep over the valid ones, round trips in
 * both directions for every message type, the names used by the logs,
 * and the replay of the fuzz crasher corpus (tests/vectors/crashers/
 * bgp_msg/; test_crashers.c replays every target's).
 */
#include <check.h>

#include "check_run.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(c)	ck_assert_msg((c), "fuzz property: %s", #c)
#include "fuzz_one.h"
#include "msg_vectors.h"

/* Decode one framed message; 0 or -1 with err. */
static int
decode_msg(uint8_t type, struct rbuf *body, struct bgp_err *err)
{
	struct bgp_codec_ctx ctx;
	struct bgp_notification n;
	struct bgp_rrefresh rr;
	struct bgp_update u;
	struct bgp_open o;

	vec_ctx(0, &ctx);
	switch (type) {
	case BGP_OPEN:
		return bgp_open_decode(body, &o, err);
	case BGP_UPDATE:
		return bgp_update_decode(body, &ctx, &u, err);
	case BGP_NOTIFICATION:
		return bgp_notification_decode(body, &n, err);
	case BGP_KEEPALIVE:
		return bgp_keepalive_decode(body, err);
	default:
		return bgp_rrefresh_decode(body, &rr, err);
	}
}

/* Frame and decode a whole message vector. */
static int
run_msg(const struct bgp_vec *v, struct bgp_err *err)
{
	size_t maxlen = (v->ctx & VEC_EXTMSG) ? BGP_MAX_EXT_MSG : BGP_MAX_MSG;
	enum bgp_frame_result fr;
	struct rbuf body;
	size_t msglen;
	uint8_t type;

	memset(err, 0, sizeof(*err));
	fr = bgp_frame(v->bytes, v->len, maxlen, &msglen, &type, err);
	if (fr == BGP_FRAME_ERR)
		return -1;
	ck_assert_msg(fr == BGP_FRAME_OK, "%s: frame wants more", v->name);
	ck_assert_msg(msglen == v->len, "%s: msglen %zu", v->name, msglen);
	rbuf_init(&body, v->bytes + BGP_HDR_LEN, msglen - BGP_HDR_LEN);
	return decode_msg(type, &body, err);
}

static void
check_err(const struct bgp_vec *v, int rc, const struct bgp_err *err)
{
	if (v->want_action == VEC_OK) {
		ck_assert_msg(rc == 0, "%s: error %u/%u (%s)", v->name,
		    err->code, err->subcode, err->reason);
		return;
	}
	ck_assert_msg(rc == -1, "%s: decoded", v->name);
	ck_assert_msg(err->code == v->want_code &&
	    err->subcode == v->want_subcode, "%s: got %u/%u (%s)", v->name,
	    err->code, err->subcode, err->reason);
	ck_assert_msg((int)err->action == v->want_action, "%s: action %d",
	    v->name, err->action);
	if (v->want_data != NULL)
		ck_assert_msg(bytes_eq(err->data, err->datalen, v->want_data,
		    v->want_datalen), "%s: NOTIFICATION data", v->name);
}

START_TEST(t_msg_vec)
{
	const struct bgp_vec *v = &msg_vecs[_i];
	struct bgp_err err;

	check_err(v, run_msg(v, &err), &err);
}
END_TEST

/*
 * Truncation sweep: every prefix of a valid message must leave the framer
 * asking for more, and the body decoders must fail cleanly on every
 * prefix of the body (NOTIFICATION data and UPDATE NLRI may legitimately
 * end early; they only must not crash).
 */
START_TEST(t_msg_trunc)
{
	const struct bgp_vec *v = &msg_vecs[_i];
	struct bgp_err err;
	struct rbuf body;
	size_t msglen;
	uint8_t type, *buf;
	int rc;

	if (v->want_action != VEC_OK)
		return;
	type = v->bytes[18];
	for (size_t k = 0; k < v->len; k++) {
		ck_assert_msg(bgp_frame(v->bytes, k, BGP_MAX_MSG, &msglen,
		    &type, &err) == BGP_FRAME_MORE, "%s: prefix %zu", v->name,
		    k);
		if (k < BGP_HDR_LEN)
			continue;
		/* an exact-size heap copy, so ASan sees any overread */
		ck_assert((buf = malloc(k)) != NULL);
		memcpy(buf, v->bytes, k);
		rbuf_init(&body, buf + BGP_HDR_LEN, k - BGP_HDR_LEN);
		rc = decode_msg(type, &body, &err);
		free(buf);
		if (type == BGP_OPEN || type == BGP_ROUTE_REFRESH)
			ck_assert_msg(rc == -1, "%s: prefix %zu decoded",
			    v->name, k);
		if (rc == -1)
			ck_assert_int_eq(err.action, BGP_ERR_RESET);
	}
}
END_TEST

static const struct bgp_vec *
vec_named(const char *name)
{
	for (size_t i = 0; i < NITEMS(msg_vecs); i++)
		if (strcmp(msg_vecs[i].name, name) == 0)
			return &msg_vecs[i];
	ck_abort_msg("no vector %s", name);
	return NULL;
}

static void
decode_open_vec(const char *name, struct bgp_open *o)
{
	const struct bgp_vec *v = vec_named(name);
	struct bgp_err err;
	struct rbuf body;

	rbuf_init(&body, v->bytes + BGP_HDR_LEN, v->len - BGP_HDR_LEN);
	ck_assert_msg(bgp_open_decode(&body, o, &err) == 0, "%s: %s", name,
	    err.reason);
}

START_TEST(t_open_bird2)
{
	struct bgp_open o;

	decode_open_vec("open: BIRD 2.0.12 (Calico template)", &o);
	ck_assert_uint_eq(o.version, 4);
	ck_assert_uint_eq(o.my_as, 64512);
	ck_assert_uint_eq(o.hold_time, 240);
	ck_assert_uint_eq(o.bgp_id, 0x0a000002);
	ck_assert(o.caps.mp[BGP_AF_IPV4] && !o.caps.mp[BGP_AF_IPV6]);
	ck_assert(o.caps.route_refresh && o.caps.enhanced_rr);
	ck_assert(o.caps.gr && !o.caps.gr_restarting);
	ck_assert_uint_eq(o.caps.gr_time, 120);
	ck_assert(o.caps.gr_af[BGP_AF_IPV4] && !o.caps.gr_fwd[BGP_AF_IPV4]);
	ck_assert(!o.caps.gr_af[BGP_AF_IPV6]);
	ck_assert(o.caps.as4);
	ck_assert_uint_eq(o.caps.as4_as, 64512);
	ck_assert_uint_eq(o.caps.add_path[BGP_AF_IPV4],
	    BGP_ADDPATH_RX | BGP_ADDPATH_TX);
	ck_assert_uint_eq(o.caps.add_path[BGP_AF_IPV6], 0);
	ck_assert(o.caps.llgr && !o.caps.ext_msg);
	ck_assert_uint_eq(bgp_open_as(&o), 64512);
}
END_TEST

START_TEST(t_open_other)
{
	struct bgp_open o;

	decode_open_vec("open: BIRD 1.6 (GR aware, time 0)", &o);
	ck_assert(o.caps.gr && o.caps.gr_time == 0);
	ck_assert(!o.caps.gr_af[BGP_AF_IPV4] && !o.caps.llgr);
	decode_open_vec("open: one capability per parameter", &o);
	ck_assert(o.caps.mp[BGP_AF_IPV4] && o.caps.route_refresh);
	ck_assert(o.caps.as4 && o.caps.as4_as == 65000);
	decode_open_vec("open: RFC 9072 extended optional parameters", &o);
	ck_assert(o.caps.mp[BGP_AF_IPV6] && !o.caps.mp[BGP_AF_IPV4]);
	ck_assert(o.caps.route_refresh && !o.caps.as4);
	ck_assert_uint_eq(bgp_open_as(&o), 65000);
	decode_open_vec("open: unknown capability (hostname) ignored", &o);
	ck_assert(o.caps.mp[BGP_AF_IPV4] && !o.caps.route_refresh);
	decode_open_vec("open: ADD-PATH tuple with send/receive 0 ignored",
	    &o);
	ck_assert_uint_eq(o.caps.add_path[BGP_AF_IPV4], 0);
	ck_assert_uint_eq(o.caps.add_path[BGP_AF_IPV6], BGP_ADDPATH_TX);
}
END_TEST

/* decode -> encode -> the same bytes, for OPENs in our (BIRD's) order */
START_TEST(t_open_bytes_roundtrip)
{
	static const char *const names[] = {
		"open: BIRD 2.0.12 (Calico template)",
		"open: BIRD 1.6 (GR aware, time 0)",
		"open: no optional parameters",
	};
	const struct bgp_vec *v;
	struct bgp_open o;
	uint8_t buf[BGP_MAX_MSG];
	struct wbuf w;

	for (size_t i = 0; i < NITEMS(names); i++) {
		v = vec_named(names[i]);
		decode_open_vec(names[i], &o);
		wbuf_init(&w, buf, sizeof(buf));
		bgp_open_encode(&o, &w);
		ck_assert(!w.err);
		ck_assert_msg(w.len == v->len, "%s: %zu bytes, want %zu",
		    names[i], w.len, v->len);
		ck_assert_mem_eq(buf, v->bytes, v->len);
	}
}
END_TEST

static void
open_roundtrip(const struct bgp_open *o)
{
	uint8_t buf[BGP_MAX_MSG], type;
	struct bgp_open o2;
	struct bgp_err err;
	struct rbuf body;
	size_t msglen;
	struct wbuf w;

	wbuf_init(&w, buf, sizeof(buf));
	bgp_open_encode(o, &w);
	ck_assert(!w.err);
	ck_assert_int_eq(bgp_frame(buf, w.len, BGP_MAX_MSG, &msglen, &type,
	    &err), BGP_FRAME_OK);
	ck_assert_uint_eq(type, BGP_OPEN);
	rbuf_init(&body, buf + BGP_HDR_LEN, msglen - BGP_HDR_LEN);
	ck_assert_int_eq(bgp_open_decode(&body, &o2, &err), 0);
	ck_assert(open_eq(o, &o2));
}

/* struct -> encode -> decode -> the same struct, over capability mixes */
START_TEST(t_open_struct_roundtrip)
{
	struct bgp_open o;

	memset(&o, 0, sizeof(o));
	o.version = 4;
	o.my_as = BGP_AS_TRANS;
	o.hold_time = 90;
	o.bgp_id = 0xc6120002;
	open_roundtrip(&o);			/* no capabilities */
	o.caps.mp[BGP_AF_IPV4] = o.caps.mp[BGP_AF_IPV6] = true;
	o.caps.route_refresh = o.caps.enhanced_rr = true;
	o.caps.ext_msg = o.caps.llgr = true;
	o.caps.as4 = true;
	o.caps.as4_as = 4200000000u;
	open_roundtrip(&o);
	ck_assert_uint_eq(bgp_open_as(&o), 4200000000u);
	o.caps.gr = o.caps.gr_restarting = true;
	o.caps.gr_notification = true;		/* RFC 8538 N bit */
	o.caps.gr_time = 4095;
	o.caps.gr_af[BGP_AF_IPV4] = o.caps.gr_fwd[BGP_AF_IPV4] = true;
	o.caps.gr_af[BGP_AF_IPV6] = true;
	o.caps.add_path[BGP_AF_IPV4] = BGP_ADDPATH_RX;
	o.caps.add_path[BGP_AF_IPV6] = BGP_ADDPATH_RX | BGP_ADDPATH_TX;
	open_roundtrip(&o);
	o.caps.gr_af[BGP_AF_IPV4] = o.caps.gr_af[BGP_AF_IPV6] = false;
	o.caps.gr_fwd[BGP_AF_IPV4] = false;
	o.caps.gr_restarting = false;
	open_roundtrip(&o);			/* BIRD aware mode */
	o.caps.gr_notification = false;
	open_roundtrip(&o);
}
END_TEST

START_TEST(t_small_roundtrips)
{
	static const uint8_t text[] = { 3, 'b', 'y', 'e' };
	struct bgp_notification n = { 6, 2, text, sizeof(text) }, n2;
	struct bgp_rrefresh rr = { 2, 1, 1 }, rr2;
	uint8_t buf[BGP_MAX_MSG];
	struct bgp_err err;
	struct rbuf body;
	struct wbuf w;

	wbuf_init(&w, buf, sizeof(buf));
	bgp_notification_encode(&n, &w);
	ck_assert(!w.err && w.len == 25);
	rbuf_init(&body, buf + BGP_HDR_LEN, w.len - BGP_HDR_LEN);
	ck_assert_int_eq(bgp_notification_decode(&body, &n2, &err), 0);
	ck_assert(n2.code == 6 && n2.subcode == 2);
	ck_assert(bytes_eq(n2.data, n2.datalen, text, sizeof(text)));
	wbuf_init(&w, buf, sizeof(buf));
	bgp_rrefresh_encode(&rr, &w);
	rbuf_init(&body, buf + BGP_HDR_LEN, w.len - BGP_HDR_LEN);
	ck_assert_int_eq(bgp_rrefresh_decode(&body, &rr2, &err), 0);
	ck_assert(rr2.afi == 2 && rr2.subtype == 1 && rr2.safi == 1);
	wbuf_init(&w, buf, sizeof(buf));
	bgp_keepalive_encode(&w);
	ck_assert(!w.err && w.len == BGP_HDR_LEN);
	rbuf_init(&body, buf + BGP_HDR_LEN, 0);
	ck_assert_int_eq(bgp_keepalive_decode(&body, &err), 0);
}
END_TEST

/*
 * An OPEN decoded from v: encoded again (in our, BIRD's, capability
 * order) it decodes to the same fields and encodes to the same bytes.
 */
static void
open_reencode(const struct bgp_vec *v, struct rbuf *body, uint8_t *out,
    size_t cap)
{
	uint8_t again[BGP_MAX_MSG];
	struct bgp_open o, o2;
	struct bgp_err err;
	struct rbuf r;
	struct wbuf w, w2;

	ck_assert_msg(bgp_open_decode(body, &o, &err) == 0, "%s: %s",
	    v->name, err.reason);
	wbuf_init(&w, out, cap);
	bgp_open_encode(&o, &w);
	ck_assert(!w.err);
	rbuf_init(&r, out + BGP_HDR_LEN, w.len - BGP_HDR_LEN);
	ck_assert_msg(bgp_open_decode(&r, &o2, &err) == 0, "%s: %s", v->name,
	    err.reason);
	ck_assert_msg(open_eq(&o, &o2), "%s: fields differ", v->name);
	wbuf_init(&w2, again, sizeof(again));
	bgp_open_encode(&o2, &w2);
	ck_assert(!w2.err);
	ck_assert_uint_eq(w2.len, w.len);
	ck_assert_mem_eq(again, out, w.len);
}

/*
 * bytes -> decode -> encode -> the same bytes, for every valid vector:
 * KEEPALIVE, NOTIFICATION, ROUTE-REFRESH and the End-of-RIB UPDATE come
 * back as the vector's very bytes; an OPEN as stable bytes of the same
 * fields (open_reencode; t_open_bytes_roundtrip compares the OPENs in
 * our order with the vector itself). Then the fuzz oracle on the vector.
 */
START_TEST(t_msg_bytes_roundtrip)
{
	const struct bgp_vec *v = &msg_vecs[_i];
	size_t maxlen = (v->ctx & VEC_EXTMSG) ? BGP_MAX_EXT_MSG : BGP_MAX_MSG;
	uint8_t in[1 + BGP_MAX_MSG], out[BGP_MAX_MSG], type;
	struct bgp_codec_ctx ctx;
	struct bgp_notification n;
	struct bgp_rrefresh rr;
	struct bgp_update u;
	struct bgp_err err;
	struct rbuf body;
	struct wbuf w;
	size_t msglen;

	if (v->want_action != VEC_OK)
		return;
	ck_assert_msg(bgp_frame(v->bytes, v->len, maxlen, &msglen, &type,
	    &err) == BGP_FRAME_OK, "%s: framing", v->name);
	ck_assert_uint_eq(msglen, v->len);
	rbuf_init(&body, v->bytes + BGP_HDR_LEN, msglen - BGP_HDR_LEN);
	wbuf_init(&w, out, sizeof(out));
	switch (type) {
	case BGP_OPEN:
		open_reencode(v, &body, out, sizeof(out));
		break;
	case BGP_KEEPALIVE:
		ck_assert_int_eq(bgp_keepalive_decode(&body, &err), 0);
		bgp_keepalive_encode(&w);
		break;
	case BGP_NOTIFICATION:
		ck_assert_int_eq(bgp_notification_decode(&body, &n, &err), 0);
		bgp_notification_encode(&n, &w);
		break;
	case BGP_ROUTE_REFRESH:
		ck_assert_int_eq(bgp_rrefresh_decode(&body, &rr, &err), 0);
		bgp_rrefresh_encode(&rr, &w);
		break;
	default:
		ck_assert_uint_eq(type, BGP_UPDATE);
		vec_ctx(v->ctx, &ctx);
		ck_assert_int_eq(bgp_update_decode(&body, &ctx, &u, &err), 0);
		/* other UPDATEs: test_update.c's t_update_bytes_roundtrip */
		ck_assert_msg(u.is_eor, "%s: an UPDATE vector in msg_vecs",
		    v->name);
		bgp_eor_encode(&w, u.eor_af);
		break;
	}
	ck_assert(!w.err);
	if (type != BGP_OPEN) {
		ck_assert_uint_eq(w.len, v->len);
		ck_assert_mem_eq(out, v->bytes, v->len);
	}
	/* the fuzz oracle does the same and more; run it on the vector */
	in[0] = (uint8_t)v->ctx;
	memcpy(in + 1, v->bytes, v->len);
	fuzz_one(in, v->len + 1);
}
END_TEST

START_TEST(t_frame_stream)
{
	uint8_t buf[3 * BGP_HDR_LEN], type;
	struct bgp_err err;
	size_t msglen;
	struct wbuf w;

	wbuf_init(&w, buf, sizeof(buf));
	bgp_keepalive_encode(&w);
	bgp_keepalive_encode(&w);
	ck_assert_int_eq(bgp_frame(buf, w.len, 0, &msglen, &type, &err),
	    BGP_FRAME_OK);
	ck_assert_uint_eq(msglen, BGP_HDR_LEN);
	ck_assert_uint_eq(type, BGP_KEEPALIVE);
	ck_assert_int_eq(bgp_frame(buf, 10, 0, &msglen, &type, &err),
	    BGP_FRAME_MORE);
	/* a header announcing more than is there */
	buf[17] = 21;
	buf[18] = BGP_NOTIFICATION;
	ck_assert_int_eq(bgp_frame(buf, 20, 0, &msglen, &type, &err),
	    BGP_FRAME_MORE);
	/* RFC 8654: 4097 is fine for an UPDATE once negotiated */
	buf[16] = 0x10;
	buf[17] = 0x01;
	buf[18] = BGP_UPDATE;
	ck_assert_int_eq(bgp_frame(buf, 19, BGP_MAX_EXT_MSG, &msglen, &type,
	    &err), BGP_FRAME_MORE);
	/* bgp_hdr_finish refuses a message that does not fit */
	wbuf_init(&w, buf, 10);
	bgp_keepalive_encode(&w);
	ck_assert(w.err);
}
END_TEST

START_TEST(t_names)
{
	ck_assert_str_eq(bgp_err_code_name(BGP_ERR_CEASE), "Cease");
	ck_assert_str_eq(bgp_err_code_name(BGP_ERR_HOLD),
	    "Hold Timer Expired");
	ck_assert_str_eq(bgp_err_code_name(99), "Unknown error");
	ck_assert_str_eq(bgp_err_subcode_name(BGP_ERR_CEASE,
	    BGP_CEASE_PEER_UNCONFIGURED), "Peer De-configured");
	ck_assert_str_eq(bgp_err_subcode_name(BGP_ERR_OPEN, BGP_ERR_OPEN_AS),
	    "Bad Peer AS");
	ck_assert_str_eq(bgp_err_subcode_name(BGP_ERR_UPDATE,
	    BGP_ERR_UPD_ASPATH), "Malformed AS_PATH");
	ck_assert_str_eq(bgp_err_subcode_name(BGP_ERR_HEADER,
	    BGP_ERR_HDR_SYNC), "Connection Not Synchronized");
	ck_assert_str_eq(bgp_err_subcode_name(BGP_ERR_OPEN, 0), "Unspecific");
	ck_assert_str_eq(bgp_err_subcode_name(BGP_ERR_CEASE, 200),
	    "Unknown subcode");
	ck_assert_str_eq(bgp_err_subcode_name(BGP_ERR_HOLD, 1),
	    "Unknown subcode");
	ck_assert_str_eq(bgp_msg_type_name(BGP_KEEPALIVE), "KEEPALIVE");
	ck_assert_str_eq(bgp_msg_type_name(BGP_ROUTE_REFRESH),
	    "ROUTE-REFRESH");
	ck_assert_str_eq(bgp_msg_type_name(0), "UNKNOWN");
}
END_TEST

START_TEST(t_err_set)
{
	uint8_t big[2 * BGP_ERR_DATA_MAX];
	struct bgp_err err;

	memset(big, 0xab, sizeof(big));
	ck_assert_int_eq(bgp_err_set(&err, 3, 1, BGP_ERR_WITHDRAW, big,
	    sizeof(big), "why"), -1);
	ck_assert_uint_eq(err.datalen, BGP_ERR_DATA_MAX);
	ck_assert(err.code == 3 && err.subcode == 1);
	ck_assert(err.action == BGP_ERR_WITHDRAW);
	ck_assert_str_eq(err.reason, "why");
	bgp_err_set(&err, 6, 2, BGP_ERR_RESET, NULL, 5, NULL);
	ck_assert_uint_eq(err.datalen, 0);
}
END_TEST

/* Run every file of a corpus directory through the fuzz oracle. */
static size_t
replay_dir(const char *dir)
{
	static uint8_t buf[1 + 2 * BGP_MAX_EXT_MSG];
	char path[4096];
	struct dirent *de;
	size_t n, count = 0;
	DIR *d;
	FILE *f;

	d = opendir(dir);
	ck_assert_msg(d != NULL, "no corpus directory %s", dir);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' ||
		    strncmp(de->d_name, "README", 6) == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		ck_assert_msg((f = fopen(path, "rb")) != NULL, "%s", path);
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		fuzz_one(buf, n);
		count++;
	}
	closedir(d);
	return count;
}

/* The crasher corpus (GoBGP testdata/bad-len) and the fuzz seeds. */
START_TEST(t_crashers)
{
	size_t n;

	n = replay_dir(TEST_TOPDIR "/tests/vectors/crashers/bgp_msg");
	printf("crashers replayed: %zu\n", n);
	n = replay_dir(TEST_TOPDIR "/tests/fuzz/corpus-bgp_msg");
	ck_assert_uint_gt(n, 0);
	printf("fuzz seeds replayed: %zu\n", n);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("msg");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, t_msg_vec, 0, (int)NITEMS(msg_vecs));
	tcase_add_loop_test(tc, t_msg_trunc, 0, (int)NITEMS(msg_vecs));
	tcase_add_loop_test(tc, t_msg_bytes_roundtrip, 0,
	    (int)NITEMS(msg_vecs));
	tcase_add_test(tc, t_open_bird2);
	tcase_add_test(tc, t_open_other);
	tcase_add_test(tc, t_open_bytes_roundtrip);
	tcase_add_test(tc, t_open_struct_roundtrip);
	tcase_add_test(tc, t_small_roundtrips);
	tcase_add_test(tc, t_frame_stream);
	tcase_add_test(tc, t_names);
	tcase_add_test(tc, t_err_set);
	tcase_add_test(tc, t_crashers);
	suite_add_tcase(s, tc);
	return check_run(s);
}
