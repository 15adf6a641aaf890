/*
 * bgpadv: a raw BGP test peer ("the adversary") for tern's netns scenarios
 * and benchmarks. It connects to (or accepts one connection from) a BGP
 * speaker, exchanges OPENs, then runs the actions named on the command line
 * in order: floods, bulk announcements, add-path paths, attribute churn,
 * refresh storms, a closed receive window, and checks on what the peer sends.
 * It links no project library: every message it sends is built here byte by
 * byte, and every byte it reads is bounds-checked, because the peer is the
 * thing under test. Every loop is bounded by a count or by a deadline, so the
 * program always stops by itself. Progress goes to stdout, one line-buffered
 * line per event; errors go to stderr. Exit status: 0 done, 1 usage or local
 * error, 2 connection failed or closed by the peer, 3 NOTIFICATION received,
 * 4 expect-* timed out, 5 malformed message from the peer, 6 an action could
 * not finish within --timeout, 7 the peer's hold time passed in silence.
 * See README.md beside this file.
 */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum {
	ST_OK = 0,
	ST_USAGE = 1,
	ST_CONN = 2,
	ST_NOTIFICATION = 3,
	ST_EXPECT = 4,
	ST_MALFORMED = 5,
	ST_TIMEOUT = 6,
	ST_HOLD = 7,
};

/* RFC 4271 4.1; we never advertise RFC 8654 extended messages */
#define BGP_HDRLEN	19
#define BGP_MAXLEN	4096
#define BGP_OPEN	1
#define BGP_UPDATE	2
#define BGP_NOTIFICATION 3
#define BGP_KEEPALIVE	4
#define BGP_REFRESH	5	/* RFC 2918 */

#define ATTR_OPTIONAL	0x80
#define ATTR_TRANSITIVE	0x40
#define ATTR_EXTLEN	0x10
#define ATTR_ORIGIN	1
#define ATTR_AS_PATH	2
#define ATTR_NEXT_HOP	3
#define ATTR_MED	4
#define ATTR_LOCAL_PREF	5
#define ATTR_COMMUNITIES 8	/* RFC 1997 */
#define ATTR_MP_REACH	14	/* RFC 4760 */
#define ATTR_MP_UNREACH	15
#define AS_SEQUENCE	2
#define AS_TRANS	23456	/* RFC 6793 */

#define CAPA_MP		1	/* RFC 4760 */
#define CAPA_RR		2	/* RFC 2918 */
#define CAPA_GR		64	/* RFC 4724 */
#define CAPA_AS4	65	/* RFC 6793 */
#define CAPA_ADDPATH	69	/* RFC 7911 */
#define CAPA_EHRR	70	/* RFC 7313 */

#define RXBUF		(256 * 1024)
#define TXQ_HIGH	(64 * 1024)	/* generators refill below this */
#define TXQ_MAX		(64 * 1024 * 1024)	/* a bigger queue is a bug */
#define OUTQ_MAX	(1024 * 1024)	/* kernel send queue bound for bulk */
#define MAX_SILENT	4096
#define MAX_ASPATH	1000
#define MAX_SECS	86400.0
#define READS_AT_EXIT	64

#define WUR		__attribute__((warn_unused_result))

struct opts {
	struct sockaddr_in addr;	/* --connect or --listen */
	bool		 listen, has_addr, has_bind;
	struct sockaddr_in bind;
	uint32_t	 as, id;
	unsigned	 hold;
	bool		 addpath, rr, ehrr, gr, gr_restarting, gr_notification;
	unsigned	 gr_time;
	bool		 no_hold_check;
	int64_t		 timeout_ms;
	int64_t		 silent_ms;	/* -1: not silent */
	unsigned	 silent_count;
	int		 rcvbuf;	/* -1: auto (4096 with zero-window) */
};

static struct opts opt = {
	.hold = 90, .timeout_ms = 60000, .silent_ms = -1, .silent_count = 1,
	.rcvbuf = -1,
};

struct pfx {
	uint32_t	 addr;	/* host byte order */
	uint8_t		 len;
};

/* What the peer said in its OPEN. */
struct peerinfo {
	uint32_t	 as, id;
	unsigned	 hold, gr_time;
	bool		 as4, mp4, rr, ehrr, gr, gr_r, gr_n;
	uint8_t		 addpath;	/* RFC 7911 send/receive, IPv4 */
};

struct counts {
	uint64_t	 msgs[6];	/* by type 1..5 */
	uint64_t	 prefixes, withdrawn, eor, refresh[4];
};

/*
 * One per prefix named by expect-*: the last WATCH_EVENTS announcements
 * (1) and withdrawals (0) of it, numbered 1.. in arrival order. Each
 * expect-* consumes the first matching event after "used".
 */
#define WATCH_EVENTS	64
struct watch {
	struct pfx	 p;
	uint64_t	 nev, used;
	uint8_t		 ev[WATCH_EVENTS];
};

enum sess_state { S_OPENSENT, S_OPENCONFIRM, S_ESTABLISHED };

struct sess {
	int		 fd;
	enum sess_state	 state;
	struct peerinfo	 pi;
	bool		 ebgp, ap_tx, ap_rx, reading;
	bool		 closing;	/* our Cease is queued: EOF is fine */
	bool		 peer_closed;
	unsigned	 hold;		/* negotiated; 0: no keepalives */
	int64_t		 ka_ivl, next_ka, last_rx, last_ka, max_ka_gap;
	struct counts	 cnt;
	uint64_t	 tx_bytes;
	uint8_t		*txbuf;
	size_t		 txhead, txtail, txcap;
	uint8_t		 rx[RXBUF];
	size_t		 rxlen;
	struct watch	*watches;
	size_t		 nwatch;
};

static struct sess sess = { .fd = -1, .reading = true };

enum act_kind {
	A_KEEPALIVES, A_FLOOD_KA, A_FLOOD_UPD, A_ANNOUNCE, A_ANNOUNCE_ASPATH,
	A_WITHDRAW, A_UNIQUE, A_ADDPATH, A_REFRESH_STORM, A_REFRESH, A_EOR,
	A_SLEEP, A_ZERO_WINDOW, A_COUNT, A_EXPECT_PFX, A_EXPECT_WD, A_CLOSE,
	A_CEASE, A_CEASE_HARD,
};

static const struct {
	const char	*name;
	enum act_kind	 kind;
	int		 minp, maxp;
	bool		 timed;		/* runs for SECS, never less */
} act_table[] = {
	{ "keepalives", A_KEEPALIVES, 1, 1, true },
	{ "flood-keepalive", A_FLOOD_KA, 1, 1, true },
	{ "flood-update", A_FLOOD_UPD, 1, 1, true },
	{ "announce", A_ANNOUNCE, 2, 4, false },
	{ "announce-aspath", A_ANNOUNCE_ASPATH, 3, 3, false },
	{ "withdraw", A_WITHDRAW, 1, 3, false },
	{ "unique-attrs", A_UNIQUE, 3, 3, false },
	{ "addpath", A_ADDPATH, 3, 3, false },
	{ "refresh-storm", A_REFRESH_STORM, 1, 1, false },
	{ "refresh", A_REFRESH, 1, 1, false },
	{ "eor", A_EOR, 0, 0, false },
	{ "sleep", A_SLEEP, 1, 1, true },
	{ "zero-window", A_ZERO_WINDOW, 1, 1, true },
	{ "count-updates", A_COUNT, 1, 1, true },
	{ "expect-prefix", A_EXPECT_PFX, 2, 2, false },
	{ "expect-withdraw", A_EXPECT_WD, 2, 2, false },
	{ "close", A_CLOSE, 0, 0, false },
	{ "cease", A_CEASE, 0, 0, false },
	{ "cease-hard", A_CEASE_HARD, 0, 0, false },
};
#define NACTKINDS	(sizeof(act_table) / sizeof(act_table[0]))

struct act {
	enum act_kind	 kind;
	bool		 timed;
	const char	*word;
	struct pfx	 pfx;
	uint32_t	 nh, pathid;
	bool		 has_pathid;
	int64_t		 ms;
	uint64_t	 count;
	uint32_t	*aspath;
	size_t		 naspath;
	uint8_t		 subtype;
	size_t		 watch;
	/* progress */
	uint64_t	 next, msgs, bytes0;
	int64_t		 t0;
	struct counts	 c0;
	bool		 throttled;
};

/* --- small helpers --------------------------------------------------- */

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void __attribute__((noreturn, format(printf, 2, 3)))
die(int status, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "bgpadv: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

/* The peer sent something that breaks the protocol: say so, exit 5. */
static void __attribute__((noreturn, format(printf, 1, 2)))
malformed(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("malformed %s\n", msg);
	die(ST_MALFORMED, "malformed message from the peer: %s", msg);
}

static void *
xcalloc(size_t n, size_t sz)
{
	void *p;

	if ((p = calloc(n ? n : 1, sz ? sz : 1)) == NULL)
		die(ST_USAGE, "out of memory");
	return p;
}

static uint32_t
mask_of(unsigned len)
{
	return len == 0 ? 0 : 0xffffffffu << (32 - len);
}

static const char *
ip_str(uint32_t a, char *buf, size_t sz)
{
	snprintf(buf, sz, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff,
	    (a >> 8) & 0xff, a & 0xff);
	return buf;
}

static const char *
pfx_str(const struct pfx *p, char *buf, size_t sz)
{
	char ip[16];

	snprintf(buf, sz, "%s/%u", ip_str(p->addr, ip, sizeof(ip)), p->len);
	return buf;
}

static const char *
msg_name(unsigned type)
{
	static const char *names[] = { "UNKNOWN", "OPEN", "UPDATE",
	    "NOTIFICATION", "KEEPALIVE", "ROUTE-REFRESH" };

	return type < 6 ? names[type] : names[0];
}

/* --- argument parsing ------------------------------------------------ */

static int WUR
parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static uint64_t
need_u64(const char *what, const char *s, uint64_t min, uint64_t max)
{
	uint64_t v;

	if (parse_u64(s, min, max, &v) == -1)
		die(ST_USAGE, "%s: '%s' is not a number in %llu..%llu", what, s,
		    (unsigned long long)min, (unsigned long long)max);
	return v;
}

/* SECS may have a fraction ("0.5"); returns milliseconds. */
static int64_t
need_secs(const char *what, const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end != '\0' || !(v >= 0 && v <= MAX_SECS))
		die(ST_USAGE, "%s: '%s' is not a number of seconds", what, s);
	return (int64_t)(v * 1000.0 + 0.5);
}

static uint32_t
need_ip(const char *what, const char *s)
{
	struct in_addr in;

	if (inet_pton(AF_INET, s, &in) != 1)
		die(ST_USAGE, "%s: '%s' is not an IPv4 address", what, s);
	return ntohl(in.s_addr);
}

/* A.B.C.D/LEN (or A.B.C.D = /32); host bits are cleared. */
static struct pfx
need_pfx(const char *what, const char *s)
{
	char buf[64], *slash;
	struct pfx p;

	if (strlen(s) >= sizeof(buf))
		die(ST_USAGE, "%s: '%s' is not a prefix", what, s);
	strcpy(buf, s);
	p.len = 32;
	if ((slash = strchr(buf, '/')) != NULL) {
		*slash = '\0';
		p.len = (uint8_t)need_u64(what, slash + 1, 0, 32);
	}
	p.addr = need_ip(what, buf) & mask_of(p.len);
	return p;
}

/* ADDR[:PORT], port 179 by default */
static void
need_hostport(const char *what, const char *s, struct sockaddr_in *sin)
{
	char buf[64], *colon;
	uint64_t port = 179;

	if (strlen(s) >= sizeof(buf))
		die(ST_USAGE, "%s: '%s' is not ADDR[:PORT]", what, s);
	strcpy(buf, s);
	if ((colon = strchr(buf, ':')) != NULL) {
		*colon = '\0';
		port = need_u64(what, colon + 1, 1, 65535);
	}
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	sin->sin_addr.s_addr = htonl(need_ip(what, buf));
}

static const char *
sin_str(const struct sockaddr_in *sin, char *buf, size_t sz)
{
	char ip[16];

	snprintf(buf, sz, "%s:%u", ip_str(ntohl(sin->sin_addr.s_addr), ip,
	    sizeof(ip)), ntohs(sin->sin_port));
	return buf;
}

/* --- wire writer (sticky error, STYLE 5.4) and reader ---------------- */

struct wbuf {
	uint8_t		*p;
	size_t		 len, cap;
	bool		 err;
};

static void
put_bytes(struct wbuf *w, const void *src, size_t n)
{
	if (w->err || n > w->cap - w->len) {
		w->err = true;
		return;
	}
	memcpy(w->p + w->len, src, n);
	w->len += n;
}

static void
put_u8(struct wbuf *w, uint8_t v)
{
	put_bytes(w, &v, 1);
}

static void
put_u16(struct wbuf *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put_bytes(w, b, 2);
}

static void
put_u32(struct wbuf *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 8), (uint8_t)v };

	put_bytes(w, b, 4);
}

static void
patch_u8(struct wbuf *w, size_t off, size_t v)
{
	if (v > 0xff)
		w->err = true;
	if (!w->err && off < w->len)
		w->p[off] = (uint8_t)v;
}

static void
patch_u16(struct wbuf *w, size_t off, size_t v)
{
	if (v > 0xffff)
		w->err = true;
	if (!w->err && off + 2 <= w->len) {
		w->p[off] = (uint8_t)(v >> 8);
		w->p[off + 1] = (uint8_t)v;
	}
}

struct rbuf {
	const uint8_t	*p;
	size_t		 len;
};

static int WUR
get_bytes(struct rbuf *r, void *dst, size_t n)
{
	if (n > r->len)
		return -1;
	memcpy(dst, r->p, n);
	r->p += n;
	r->len -= n;
	return 0;
}

static int WUR
get_u8(struct rbuf *r, uint8_t *v)
{
	return get_bytes(r, v, 1);
}

static int WUR
get_u16(struct rbuf *r, uint16_t *v)
{
	uint8_t b[2];

	if (get_bytes(r, b, 2) == -1)
		return -1;
	*v = (uint16_t)(b[0] << 8 | b[1]);
	return 0;
}

static int WUR
get_u32(struct rbuf *r, uint32_t *v)
{
	uint8_t b[4];

	if (get_bytes(r, b, 4) == -1)
		return -1;
	*v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
	return 0;
}

/* Carve a bounded child view of n bytes and advance past it. */
static int WUR
get_sub(struct rbuf *r, size_t n, struct rbuf *sub)
{
	if (n > r->len)
		return -1;
	sub->p = r->p;
	sub->len = n;
	r->p += n;
	r->len -= n;
	return 0;
}

/* --- transmit queue -------------------------------------------------- */

static size_t
q_pending(const struct sess *s)
{
	return s->txtail - s->txhead;
}

static void
q_push(struct sess *s, const uint8_t *p, size_t n)
{
	size_t pend = q_pending(s), cap;

	if (s->txcap - s->txtail < n && s->txhead > 0) {
		memmove(s->txbuf, s->txbuf + s->txhead, pend);
		s->txhead = 0;
		s->txtail = pend;
	}
	if (s->txcap - s->txtail < n) {
		cap = s->txcap ? s->txcap : 256 * 1024;
		while (cap - s->txtail < n && cap <= TXQ_MAX)
			cap *= 2;
		if (cap - s->txtail < n || cap > TXQ_MAX)
			die(ST_USAGE, "transmit queue over %d bytes", TXQ_MAX);
		if ((s->txbuf = realloc(s->txbuf, cap)) == NULL)
			die(ST_USAGE, "out of memory");
		s->txcap = cap;
	}
	memcpy(s->txbuf + s->txtail, p, n);
	s->txtail += n;
}

/* Bytes the kernel holds unsent or unacknowledged. */
static size_t
kernel_outq(int fd)
{
	int v = 0;

	if (fd == -1 || ioctl(fd, SIOCOUTQ, &v) == -1 || v < 0)
		return 0;
	return (size_t)v;
}

static void
msg_begin(struct wbuf *w, uint8_t *buf, size_t cap, uint8_t type)
{
	int i;

	w->p = buf;
	w->len = 0;
	w->cap = cap;
	w->err = false;
	for (i = 0; i < 16; i++)
		put_u8(w, 0xff);
	put_u16(w, 0);
	put_u8(w, type);
}

/* Patch the header length and queue the message. */
static void
msg_push(struct sess *s, struct wbuf *w)
{
	patch_u16(w, 16, w->len);
	if (w->err)
		die(ST_USAGE, "a message does not fit in %d bytes", BGP_MAXLEN);
	q_push(s, w->p, w->len);
}

static void
push_keepalive(struct sess *s)
{
	uint8_t m[BGP_HDRLEN];
	struct wbuf w;

	msg_begin(&w, m, sizeof(m), BGP_KEEPALIVE);
	msg_push(s, &w);
}

static void
push_notification(struct sess *s, uint8_t code, uint8_t subcode)
{
	uint8_t m[BGP_HDRLEN + 2];
	struct wbuf w;

	msg_begin(&w, m, sizeof(m), BGP_NOTIFICATION);
	put_u8(&w, code);
	put_u8(&w, subcode);
	msg_push(s, &w);
}

/* RFC 2918 / RFC 7313: AFI 1, subtype, SAFI 1 */
static void
push_refresh(struct sess *s, uint8_t subtype)
{
	uint8_t m[BGP_HDRLEN + 4];
	struct wbuf w;

	msg_begin(&w, m, sizeof(m), BGP_REFRESH);
	put_u16(&w, 1);
	put_u8(&w, subtype);
	put_u8(&w, 1);
	msg_push(s, &w);
}

/* RFC 4724 2: End-of-RIB for IPv4 unicast is an empty UPDATE. */
static void
push_empty_update(struct sess *s)
{
	uint8_t m[BGP_HDRLEN + 4];
	struct wbuf w;

	msg_begin(&w, m, sizeof(m), BGP_UPDATE);
	put_u16(&w, 0);
	put_u16(&w, 0);
	msg_push(s, &w);
}

static void
push_open(struct sess *s)
{
	uint8_t m[BGP_MAXLEN];
	struct wbuf w;
	size_t optoff, capoff;

	msg_begin(&w, m, sizeof(m), BGP_OPEN);
	put_u8(&w, 4);
	put_u16(&w, opt.as > 0xffff ? AS_TRANS : (uint16_t)opt.as);
	put_u16(&w, (uint16_t)opt.hold);
	put_u32(&w, opt.id);
	optoff = w.len;
	put_u8(&w, 0);
	put_u8(&w, 2);			/* RFC 5492: Capabilities */
	capoff = w.len;
	put_u8(&w, 0);
	put_u8(&w, CAPA_MP);
	put_u8(&w, 4);
	put_u16(&w, 1);
	put_u8(&w, 0);
	put_u8(&w, 1);
	put_u8(&w, CAPA_AS4);
	put_u8(&w, 4);
	put_u32(&w, opt.as);
	if (opt.rr) {
		put_u8(&w, CAPA_RR);
		put_u8(&w, 0);
	}
	if (opt.ehrr) {
		put_u8(&w, CAPA_EHRR);
		put_u8(&w, 0);
	}
	if (opt.gr) {
		put_u8(&w, CAPA_GR);
		put_u8(&w, 6);
		put_u16(&w, (uint16_t)((opt.gr_restarting ? 0x8000 : 0) |
		    (opt.gr_notification ? 0x4000 : 0) | opt.gr_time));
		put_u16(&w, 1);
		put_u8(&w, 1);
		put_u8(&w, 0x80);	/* forwarding state preserved */
	}
	if (opt.addpath) {
		put_u8(&w, CAPA_ADDPATH);
		put_u8(&w, 4);
		put_u16(&w, 1);
		put_u8(&w, 1);
		put_u8(&w, 3);		/* send and receive */
	}
	patch_u8(&w, capoff, w.len - capoff - 1);
	patch_u8(&w, optoff, w.len - optoff - 1);
	msg_push(s, &w);
}

/* --- UPDATE building --------------------------------------------------- */

struct attrspec {
	uint32_t	 nh;
	bool		 has_med, has_comm;
	uint32_t	 med, comm;
	const uint32_t	*aspath;	/* NULL: ours on eBGP, empty on iBGP */
	size_t		 naspath;
};

static void
put_attr_hdr(struct wbuf *w, uint8_t flags, uint8_t type, size_t len)
{
	if (len > 255) {
		put_u8(w, flags | ATTR_EXTLEN);
		put_u8(w, type);
		if (len > 0xffff)
			w->err = true;
		put_u16(w, (uint16_t)len);
	} else {
		put_u8(w, flags);
		put_u8(w, type);
		put_u8(w, (uint8_t)len);
	}
}

static void
put_aspath(const struct sess *s, struct wbuf *w, const uint32_t *asns,
    size_t n)
{
	size_t width = s->pi.as4 ? 4 : 2, i, j, k;

	put_attr_hdr(w, ATTR_TRANSITIVE, ATTR_AS_PATH,
	    (n + 254) / 255 * 2 + n * width);
	for (i = 0; i < n; i += k) {
		k = n - i > 255 ? 255 : n - i;
		put_u8(w, AS_SEQUENCE);
		put_u8(w, (uint8_t)k);
		for (j = i; j < i + k; j++) {
			if (width == 4)
				put_u32(w, asns[j]);
			else
				put_u16(w, asns[j] > 0xffff ? AS_TRANS :
				    (uint16_t)asns[j]);
		}
	}
}

/* The path attributes, in type order. */
static void
put_attrs(const struct sess *s, struct wbuf *w, const struct attrspec *a)
{
	put_attr_hdr(w, ATTR_TRANSITIVE, ATTR_ORIGIN, 1);
	put_u8(w, 0);				/* IGP */
	if (a->aspath != NULL)
		put_aspath(s, w, a->aspath, a->naspath);
	else if (s->ebgp)
		put_aspath(s, w, &opt.as, 1);
	else
		put_aspath(s, w, NULL, 0);
	put_attr_hdr(w, ATTR_TRANSITIVE, ATTR_NEXT_HOP, 4);
	put_u32(w, a->nh);
	if (a->has_med) {
		put_attr_hdr(w, ATTR_OPTIONAL, ATTR_MED, 4);
		put_u32(w, a->med);
	}
	if (!s->ebgp) {			/* RFC 4271 5.1.5 */
		put_attr_hdr(w, ATTR_TRANSITIVE, ATTR_LOCAL_PREF, 4);
		put_u32(w, 100);
	}
	if (a->has_comm) {
		put_attr_hdr(w, ATTR_OPTIONAL | ATTR_TRANSITIVE,
		    ATTR_COMMUNITIES, 4);
		put_u32(w, a->comm);
	}
}

static size_t
nlri_size(const struct sess *s, unsigned len)
{
	return (s->ap_tx ? 4u : 0u) + 1 + (len + 7) / 8;
}

static void
put_nlri(const struct sess *s, struct wbuf *w, uint32_t pathid,
    uint32_t addr, unsigned len)
{
	unsigned i;

	if (s->ap_tx)
		put_u32(w, pathid);
	put_u8(w, (uint8_t)len);
	for (i = 0; i < (len + 7) / 8; i++)
		put_u8(w, (uint8_t)(addr >> (24 - 8 * i)));
}

/* Begin an UPDATE with no withdrawn routes and attributes *a. */
static void
update_begin(const struct sess *s, struct wbuf *w, uint8_t *buf,
    const struct attrspec *a)
{
	size_t off;

	msg_begin(w, buf, BGP_MAXLEN, BGP_UPDATE);
	put_u16(w, 0);
	off = w->len;
	put_u16(w, 0);
	put_attrs(s, w, a);
	patch_u16(w, off, w->len - off - 2);
}

/* --- receiving --------------------------------------------------------- */

static void
watch_note(struct sess *s, uint32_t addr, uint8_t len, bool announce)
{
	size_t i;

	struct watch *w;

	for (i = 0; i < s->nwatch; i++) {
		w = &s->watches[i];
		if (w->p.addr == addr && w->p.len == len)
			w->ev[w->nev++ % WATCH_EVENTS] = announce;
	}
}

/* Consume the first unused event of this kind; false if there is none. */
static bool
watch_take(struct watch *w, bool announce)
{
	uint64_t k;

	k = w->nev > WATCH_EVENTS ? w->nev - WATCH_EVENTS : 0;
	if (k < w->used)
		k = w->used;
	for (; k < w->nev; k++)
		if (w->ev[k % WATCH_EVENTS] == announce) {
			w->used = k + 1;
			return true;
		}
	return false;
}

/* Walk IPv4 NLRI (RFC 4271 4.3, RFC 7911 3); returns the count. */
static size_t
walk_nlri(struct sess *s, struct rbuf *r, bool announce, const char *what)
{
	size_t n;
	uint32_t pathid, addr;
	uint8_t plen, b[4];
	unsigned i;

	/* each round consumes at least one byte of a <= 4096-byte view */
	for (n = 0; n < BGP_MAXLEN && r->len > 0; n++) {
		if (s->ap_rx && get_u32(r, &pathid) == -1)
			malformed("UPDATE %s: path id truncated", what);
		if (get_u8(r, &plen) == -1)
			malformed("UPDATE %s: truncated", what);
		if (plen > 32)
			malformed("UPDATE %s: prefix length %u", what, plen);
		memset(b, 0, sizeof(b));
		if (get_bytes(r, b, (plen + 7u) / 8) == -1)
			malformed("UPDATE %s: prefix /%u truncated", what,
			    plen);
		for (addr = 0, i = 0; i < 4; i++)
			addr = addr << 8 | b[i];
		if (announce)
			s->cnt.prefixes++;
		else
			s->cnt.withdrawn++;
		if (s->nwatch > 0)
			watch_note(s, addr & mask_of(plen), plen, announce);
	}
	return n;
}

/* RFC 4760 3: only IPv4 unicast NLRI are looked at. */
static size_t
walk_mp(struct sess *s, struct rbuf *a, bool reach)
{
	uint16_t afi;
	uint8_t safi, nhlen, res;
	struct rbuf nh;

	if (get_u16(a, &afi) == -1 || get_u8(a, &safi) == -1)
		malformed("UPDATE MP_%sREACH_NLRI truncated",
		    reach ? "" : "UN");
	if (reach && (get_u8(a, &nhlen) == -1 ||
	    get_sub(a, nhlen, &nh) == -1 || get_u8(a, &res) == -1))
		malformed("UPDATE MP_REACH_NLRI next hop truncated");
	if (afi != 1 || safi != 1)
		return 0;
	if (!reach && a->len == 0)
		s->cnt.eor++;
	return walk_nlri(s, a, reach, reach ? "MP_REACH" : "MP_UNREACH");
}

static void
check_attr_len(uint8_t type, size_t len)
{
	size_t want;

	switch (type) {
	case ATTR_ORIGIN:
		want = 1;
		break;
	case ATTR_NEXT_HOP:
	case ATTR_MED:
	case ATTR_LOCAL_PREF:
		want = 4;
		break;
	case ATTR_COMMUNITIES:
		if (len % 4 != 0)
			malformed("UPDATE COMMUNITIES length %zu", len);
		return;
	default:
		return;
	}
	if (len != want)
		malformed("UPDATE attribute %u length %zu", type, len);
}

/* Returns the number of prefixes announced through MP_REACH_NLRI. */
static size_t
walk_attrs(struct sess *s, struct rbuf *r, uint8_t seen[32])
{
	uint8_t flags, type, l8;
	uint16_t l16;
	size_t alen, i, mp = 0;
	struct rbuf a;

	/* each round consumes at least three bytes */
	for (i = 0; i < BGP_MAXLEN && r->len > 0; i++) {
		if (get_u8(r, &flags) == -1 || get_u8(r, &type) == -1)
			malformed("UPDATE attribute header truncated");
		if (flags & ATTR_EXTLEN) {
			if (get_u16(r, &l16) == -1)
				malformed("UPDATE attribute %u length "
				    "truncated", type);
			alen = l16;
		} else {
			if (get_u8(r, &l8) == -1)
				malformed("UPDATE attribute %u length "
				    "truncated", type);
			alen = l8;
		}
		if (get_sub(r, alen, &a) == -1)
			malformed("UPDATE attribute %u length %zu exceeds the "
			    "attributes", type, alen);
		if (seen[type / 8] & (1u << (type % 8)))
			malformed("UPDATE attribute %u twice", type);
		seen[type / 8] |= (uint8_t)(1u << (type % 8));
		check_attr_len(type, alen);
		if (type == ATTR_MP_REACH)
			mp += walk_mp(s, &a, true);
		else if (type == ATTR_MP_UNREACH)
			walk_mp(s, &a, false);
	}
	return mp;
}

static bool
has_seen(const uint8_t seen[32], uint8_t type)
{
	return (seen[type / 8] & (1u << (type % 8))) != 0;
}

static void
decode_update(struct sess *s, struct rbuf *r)
{
	uint16_t wlen = 0, alen = 0;
	struct rbuf wd, attrs;
	uint8_t seen[32];
	size_t mp, n;

	if (get_u16(r, &wlen) == -1 || get_sub(r, wlen, &wd) == -1)
		malformed("UPDATE withdrawn length %u exceeds the message",
		    wlen);
	if (get_u16(r, &alen) == -1 || get_sub(r, alen, &attrs) == -1)
		malformed("UPDATE attributes length %u exceeds the message",
		    alen);
	if (wlen == 0 && alen == 0 && r->len == 0) {
		s->cnt.eor++;
		printf("rx eor\n");
		return;
	}
	memset(seen, 0, sizeof(seen));
	walk_nlri(s, &wd, false, "withdrawn");
	mp = walk_attrs(s, &attrs, seen);
	n = walk_nlri(s, r, true, "NLRI");
	/* RFC 4271 5: mandatory attributes with reachable NLRI */
	if ((n > 0 || mp > 0) && (!has_seen(seen, ATTR_ORIGIN) ||
	    !has_seen(seen, ATTR_AS_PATH)))
		malformed("UPDATE with NLRI lacks ORIGIN or AS_PATH");
	if (n > 0 && !has_seen(seen, ATTR_NEXT_HOP))
		malformed("UPDATE with NLRI lacks NEXT_HOP");
}

static void
decode_cap(struct peerinfo *pi, uint8_t code, struct rbuf *c)
{
	uint16_t afi, u16;
	uint8_t safi, u8;
	uint32_t u32;
	size_t i;

	switch (code) {
	case CAPA_MP:
		if (c->len != 4 || get_u16(c, &afi) == -1 ||
		    get_u8(c, &u8) == -1 || get_u8(c, &safi) == -1)
			malformed("OPEN multiprotocol capability length");
		if (afi == 1 && safi == 1)
			pi->mp4 = true;
		break;
	case CAPA_RR:
		pi->rr = true;
		break;
	case CAPA_EHRR:
		pi->ehrr = true;
		break;
	case CAPA_AS4:
		if (c->len != 4 || get_u32(c, &u32) == -1)
			malformed("OPEN 4-octet AS capability length");
		pi->as4 = true;
		pi->as = u32;
		break;
	case CAPA_GR:
		if (c->len < 2 || (c->len - 2) % 4 != 0 ||
		    get_u16(c, &u16) == -1)
			malformed("OPEN graceful restart capability length");
		pi->gr = true;
		pi->gr_r = (u16 & 0x8000) != 0;
		pi->gr_n = (u16 & 0x4000) != 0;
		pi->gr_time = u16 & 0x0fff;
		break;
	case CAPA_ADDPATH:
		if (c->len % 4 != 0)
			malformed("OPEN ADD-PATH capability length");
		for (i = 0; i < BGP_MAXLEN && c->len > 0; i++) {
			if (get_u16(c, &afi) == -1 || get_u8(c, &safi) == -1 ||
			    get_u8(c, &u8) == -1)
				malformed("OPEN ADD-PATH capability");
			/* RFC 7911 4: other values are ignored */
			if (afi == 1 && safi == 1 && u8 >= 1 && u8 <= 3)
				pi->addpath = u8;
		}
		break;
	default:
		break;
	}
}

static void
decode_params(struct peerinfo *pi, struct rbuf *params, bool ext)
{
	uint8_t ptype, code, l8;
	uint16_t l16;
	struct rbuf p, c;
	size_t i, j, plen;

	for (i = 0; i < BGP_MAXLEN && params->len > 0; i++) {
		if (get_u8(params, &ptype) == -1)
			malformed("OPEN parameter truncated");
		if (ext) {
			if (get_u16(params, &l16) == -1)
				malformed("OPEN parameter length truncated");
			plen = l16;
		} else {
			if (get_u8(params, &l8) == -1)
				malformed("OPEN parameter length truncated");
			plen = l8;
		}
		if (get_sub(params, plen, &p) == -1)
			malformed("OPEN parameter length %zu exceeds the "
			    "parameters", plen);
		if (ptype != 2)		/* RFC 5492: Capabilities */
			continue;
		for (j = 0; j < BGP_MAXLEN && p.len > 0; j++) {
			if (get_u8(&p, &code) == -1 || get_u8(&p, &l8) == -1 ||
			    get_sub(&p, l8, &c) == -1)
				malformed("OPEN capability truncated");
			decode_cap(pi, code, &c);
		}
	}
}

static void
decode_open(struct sess *s, struct rbuf *r)
{
	struct peerinfo *pi = &s->pi;
	uint8_t ver, optlen, nt;
	uint16_t as16, hold, elen;
	struct rbuf params;
	bool ext = false;

	if (get_u8(r, &ver) == -1 || get_u16(r, &as16) == -1 ||
	    get_u16(r, &hold) == -1 || get_u32(r, &pi->id) == -1 ||
	    get_u8(r, &optlen) == -1)
		malformed("OPEN truncated");
	if (ver != 4)
		malformed("OPEN version %u", ver);
	if (hold == 1 || hold == 2)	/* RFC 4271 6.2 */
		malformed("OPEN hold time %u", hold);
	if (pi->id == 0)		/* RFC 6286 2.2 */
		malformed("OPEN BGP identifier 0");
	/* RFC 9072 2: extended optional parameters length */
	if (optlen == 255 && r->len > 0 && r->p[0] == 255) {
		if (get_u8(r, &nt) == -1 || get_u16(r, &elen) == -1 ||
		    get_sub(r, elen, &params) == -1)
			malformed("OPEN extended parameters length");
		ext = true;
	} else if (get_sub(r, optlen, &params) == -1)
		malformed("OPEN parameters length %u exceeds the message",
		    optlen);
	if (r->len != 0)
		malformed("OPEN has %zu trailing bytes", r->len);
	pi->hold = hold;
	decode_params(pi, &params, ext);
	if (!pi->as4)
		pi->as = as16;
}

static void
open_received(struct sess *s, struct rbuf *r)
{
	int64_t now = now_ms();

	decode_open(s, r);
	s->ebgp = s->pi.as != opt.as;
	s->ap_tx = opt.addpath && (s->pi.addpath & 1);
	s->ap_rx = opt.addpath && (s->pi.addpath & 2);
	s->hold = opt.hold < s->pi.hold ? opt.hold : s->pi.hold;
	s->ka_ivl = (int64_t)s->hold * 1000 / 3;
	push_keepalive(s);
	s->next_ka = now + s->ka_ivl;
	s->state = S_OPENCONFIRM;
}

static void __attribute__((noreturn))
notification_received(struct rbuf *r)
{
	uint8_t code, sub, b;
	size_t i;

	if (get_u8(r, &code) == -1 || get_u8(r, &sub) == -1)
		malformed("NOTIFICATION truncated");
	printf("notification %u/%u\n", code, sub);
	fflush(stdout);
	fprintf(stderr, "bgpadv: NOTIFICATION %u/%u received", code, sub);
	if (r->len > 0)
		fprintf(stderr, ", data");
	for (i = 0; i < 64 && get_u8(r, &b) == 0; i++)
		fprintf(stderr, " %02x", b);
	fputc('\n', stderr);
	exit(ST_NOTIFICATION);
}

static void
handle_msg(struct sess *s, uint8_t type, struct rbuf *r)
{
	uint16_t afi;
	uint8_t sub, safi;
	int64_t now = now_ms();

	s->cnt.msgs[type]++;
	s->last_rx = now;
	if (type == BGP_NOTIFICATION)
		notification_received(r);
	if (type == BGP_OPEN) {
		if (s->state != S_OPENSENT)
			malformed("OPEN in an open session");
		open_received(s, r);
		return;
	}
	if (s->state == S_OPENSENT)
		malformed("%s before OPEN", msg_name(type));
	if (type == BGP_KEEPALIVE) {
		if (s->state == S_OPENCONFIRM)
			s->state = S_ESTABLISHED;
		if (now - s->last_ka > s->max_ka_gap)
			s->max_ka_gap = now - s->last_ka;
		s->last_ka = now;
		return;
	}
	if (s->state != S_ESTABLISHED)
		malformed("%s before KEEPALIVE", msg_name(type));
	if (type == BGP_UPDATE) {
		decode_update(s, r);
		return;
	}
	if (get_u16(r, &afi) == -1 || get_u8(r, &sub) == -1 ||
	    get_u8(r, &safi) == -1)
		malformed("ROUTE-REFRESH truncated");
	s->cnt.refresh[sub < 3 ? sub : 3]++;
}

/*
 * Frame and handle every complete message in s->rx (RFC 4271 4.1): the
 * marker, 19 <= length <= 4096 and the length each type allows are
 * checked before the body is looked at.
 */
static void
parse_rx(struct sess *s)
{
	static const uint16_t minlen[6] = { 0, 29, 23, 21, 19, 23 };
	size_t off = 0, i, len;
	const uint8_t *p;
	uint8_t type;
	struct rbuf body;

	/* each round consumes at least 19 bytes */
	for (i = 0; i <= RXBUF / BGP_HDRLEN && s->rxlen - off >= BGP_HDRLEN;
	    i++) {
		p = s->rx + off;
		for (len = 0; len < 16; len++)
			if (p[len] != 0xff)
				malformed("header marker byte %zu is 0x%02x",
				    len, p[len]);
		len = (size_t)p[16] << 8 | p[17];
		type = p[18];
		if (type < 1 || type > 5)
			malformed("message type %u", type);
		if (len < minlen[type] || len > BGP_MAXLEN ||
		    (type == BGP_KEEPALIVE && len != BGP_HDRLEN))
			malformed("%s length %zu", msg_name(type), len);
		if (s->rxlen - off < len)
			break;
		body.p = p + BGP_HDRLEN;
		body.len = len - BGP_HDRLEN;
		off += len;
		handle_msg(s, type, &body);
	}
	memmove(s->rx, s->rx + off, s->rxlen - off);
	s->rxlen -= off;
}

/* The connection is gone: handle what is still readable, then exit. */
static void __attribute__((noreturn))
conn_lost(struct sess *s, const char *why)
{
	ssize_t n;
	int i;

	for (i = 0; i < READS_AT_EXIT && s->rxlen < RXBUF; i++) {
		n = read(s->fd, s->rx + s->rxlen, RXBUF - s->rxlen);
		if (n <= 0)
			break;
		s->rxlen += (size_t)n;
		parse_rx(s);
	}
	printf("closed by peer\n");
	die(ST_CONN, "connection lost: %s%s", why,
	    s->rxlen ? " (inside a message)" : "");
}

static void
do_read(struct sess *s)
{
	ssize_t n;

	n = read(s->fd, s->rx + s->rxlen, RXBUF - s->rxlen);
	if ((n == 0 || (n == -1 && errno == ECONNRESET)) && s->closing &&
	    q_pending(s) == 0) {
		s->peer_closed = true;
		s->reading = false;
		return;
	}
	if (n == 0)
		conn_lost(s, "end of stream");
	if (n == -1) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		conn_lost(s, strerror(errno));
	}
	s->rxlen += (size_t)n;
	parse_rx(s);
}

static void
do_write(struct sess *s)
{
	ssize_t n;

	n = send(s->fd, s->txbuf + s->txhead, q_pending(s),
	    MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n == -1) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		if (s->closing && s->peer_closed)
			return;
		conn_lost(s, strerror(errno));
	}
	s->txhead += (size_t)n;
	s->tx_bytes += (uint64_t)n;
	if (s->txhead == s->txtail)
		s->txhead = s->txtail = 0;
}

/* --- actions --------------------------------------------------------- */

static void
fill_flood(struct sess *s, struct act *a)
{
	static uint8_t block[TXQ_HIGH];
	static size_t blen;
	uint8_t m[BGP_HDRLEN + 4];
	struct wbuf w;

	if (blen == 0 || block[18] != (a->kind == A_FLOOD_KA ?
	    BGP_KEEPALIVE : BGP_UPDATE)) {
		msg_begin(&w, m, sizeof(m), a->kind == A_FLOOD_KA ?
		    BGP_KEEPALIVE : BGP_UPDATE);
		if (a->kind == A_FLOOD_UPD) {
			put_u16(&w, 0);
			put_u16(&w, 0);
		}
		patch_u16(&w, 16, w.len);
		for (blen = 0; blen + w.len <= sizeof(block); blen += w.len)
			memcpy(block + blen, m, w.len);
	}
	if (q_pending(s) < TXQ_HIGH)
		q_push(s, block, blen);
}

static void
fill_announce(struct sess *s, struct act *a)
{
	uint8_t m[BGP_MAXLEN];
	struct wbuf w;
	struct attrspec as = { .nh = a->nh };
	uint32_t step = a->pfx.len ? 1u << (32 - a->pfx.len) : 0;
	size_t nsz = nlri_size(s, a->pfx.len);
	uint32_t id = a->has_pathid ? a->pathid : 1;

	while (a->next < a->count && q_pending(s) < TXQ_HIGH) {
		update_begin(s, &w, m, &as);
		while (a->next < a->count && w.len + nsz <= BGP_MAXLEN) {
			put_nlri(s, &w, id, a->pfx.addr +
			    (uint32_t)a->next * step, a->pfx.len);
			a->next++;
		}
		msg_push(s, &w);
		a->msgs++;
	}
}

static void
fill_withdraw(struct sess *s, struct act *a)
{
	uint8_t m[BGP_MAXLEN];
	struct wbuf w;
	uint32_t step = a->pfx.len ? 1u << (32 - a->pfx.len) : 0;
	size_t nsz = nlri_size(s, a->pfx.len), off;
	uint32_t id = a->has_pathid ? a->pathid : 1;

	while (a->next < a->count && q_pending(s) < TXQ_HIGH) {
		msg_begin(&w, m, sizeof(m), BGP_UPDATE);
		off = w.len;
		put_u16(&w, 0);
		while (a->next < a->count && w.len + nsz + 2 <= BGP_MAXLEN) {
			put_nlri(s, &w, id, a->pfx.addr +
			    (uint32_t)a->next * step, a->pfx.len);
			a->next++;
		}
		patch_u16(&w, off, w.len - off - 2);
		put_u16(&w, 0);
		msg_push(s, &w);
		a->msgs++;
	}
}

/* One UPDATE per /32, MED and COMMUNITIES unique to it. */
static void
fill_unique(struct sess *s, struct act *a)
{
	uint8_t m[BGP_MAXLEN];
	struct wbuf w;
	struct attrspec as = { .nh = a->nh, .has_med = true,
	    .has_comm = true };

	while (a->next < a->count && q_pending(s) < TXQ_HIGH) {
		as.med = (uint32_t)a->next;
		as.comm = (uint32_t)a->next + 0x10000;
		update_begin(s, &w, m, &as);
		put_nlri(s, &w, 1, a->pfx.addr + (uint32_t)a->next, 32);
		msg_push(s, &w);
		a->next++;
		if (a->next % 10000 == 0 && a->next < a->count)
			printf("unique sent=%llu\n",
			    (unsigned long long)a->next);
	}
}

/* Path ids 1..N of one prefix, MED = path id. */
static void
fill_addpath(struct sess *s, struct act *a)
{
	uint8_t m[BGP_MAXLEN];
	struct wbuf w;
	struct attrspec as = { .nh = a->nh, .has_med = true };

	while (a->next < a->count && q_pending(s) < TXQ_HIGH) {
		as.med = (uint32_t)a->next + 1;
		update_begin(s, &w, m, &as);
		put_nlri(s, &w, as.med, a->pfx.addr, a->pfx.len);
		msg_push(s, &w);
		a->next++;
	}
}

static bool
is_bulk(enum act_kind k)
{
	return k == A_FLOOD_KA || k == A_FLOOD_UPD || k == A_ANNOUNCE ||
	    k == A_WITHDRAW || k == A_UNIQUE || k == A_ADDPATH ||
	    k == A_REFRESH_STORM;
}

/*
 * Refill the queue for a bulk action. The kernel's send queue is kept
 * under OUTQ_MAX too, so a KEEPALIVE queued behind a flood reaches the
 * peer after at most that many bytes.
 */
static void
act_fill(struct sess *s, struct act *a)
{
	a->throttled = false;
	if (!is_bulk(a->kind) || q_pending(s) >= TXQ_HIGH)
		return;
	if (kernel_outq(s->fd) >= OUTQ_MAX) {
		a->throttled = true;
		return;
	}
	switch (a->kind) {
	case A_FLOOD_KA:
	case A_FLOOD_UPD:
		fill_flood(s, a);
		break;
	case A_ANNOUNCE:
		fill_announce(s, a);
		break;
	case A_WITHDRAW:
		fill_withdraw(s, a);
		break;
	case A_UNIQUE:
		fill_unique(s, a);
		break;
	case A_ADDPATH:
		fill_addpath(s, a);
		break;
	default:
		for (; a->next < a->count && q_pending(s) < TXQ_HIGH; a->next++)
			push_refresh(s, 0);
		break;
	}
}

static bool
act_done(struct sess *s, const struct act *a)
{
	if (a == NULL)
		return s->state == S_ESTABLISHED;
	if (a->timed)
		return false;
	switch (a->kind) {
	case A_EXPECT_PFX:
		return watch_take(&s->watches[a->watch], true);
	case A_EXPECT_WD:
		return watch_take(&s->watches[a->watch], false);
	case A_CLOSE:
	case A_CEASE:
	case A_CEASE_HARD:
		return q_pending(s) == 0 && (s->peer_closed ||
		    kernel_outq(s->fd) == 0);
	default:
		return a->next >= a->count && q_pending(s) == 0;
	}
}

static void
act_tick(struct sess *s, struct act *a)
{
	uint64_t bytes = s->tx_bytes - a->bytes0;

	if (a->kind == A_FLOOD_KA || a->kind == A_FLOOD_UPD)
		printf("flood sent=%llu bytes=%llu\n", (unsigned long long)
		    (bytes / (a->kind == A_FLOOD_KA ? 19 : 23)),
		    (unsigned long long)bytes);
}

static void __attribute__((noreturn))
hold_expired(struct sess *s, int64_t silent)
{
	printf("hold-timer-expired silent-ms=%lld\n", (long long)silent);
	push_notification(s, 4, 0);
	do_write(s);
	die(ST_HOLD, "the peer sent nothing for %lld ms (hold time %u s)",
	    (long long)silent, s->hold);
}

static int64_t
min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/*
 * The one event loop: read (unless in zero-window), write the queue, send
 * a KEEPALIVE every hold/3, refill bulk actions, until the action is done
 * (true) or the deadline passes (false). Bounded: it returns by the
 * deadline at the latest.
 */
static bool
run_loop(struct sess *s, struct act *a, int64_t deadline)
{
	struct pollfd pfd;
	int64_t now, next_tick = now_ms() + 1000, t, holdms;
	int rc;

	for (;;) {
		now = now_ms();
		holdms = (int64_t)s->hold * 1000;
		if (s->state != S_OPENSENT && s->hold && now >= s->next_ka) {
			push_keepalive(s);
			s->next_ka = now + s->ka_ivl;
		}
		if (s->state != S_OPENSENT && s->reading && s->hold &&
		    !opt.no_hold_check && now - s->last_rx >= holdms)
			hold_expired(s, now - s->last_rx);
		if (a != NULL)
			act_fill(s, a);
		if (act_done(s, a))
			return true;
		if (now >= deadline)
			return false;
		if (a != NULL && now >= next_tick) {
			act_tick(s, a);
			next_tick += 1000;
		}
		t = min64(deadline, next_tick);
		if (s->state != S_OPENSENT && s->hold) {
			t = min64(t, s->next_ka);
			if (s->reading)
				t = min64(t, s->last_rx + holdms);
		}
		t -= now;
		if (t < 0)
			t = 0;
		if (a != NULL && (a->throttled || a->kind == A_CLOSE ||
		    a->kind == A_CEASE || a->kind == A_CEASE_HARD))
			t = min64(t, 1);
		pfd.fd = s->fd;
		pfd.events = (short)((s->reading ? POLLIN : 0) |
		    (q_pending(s) ? POLLOUT : 0));
		pfd.revents = 0;
		rc = poll(&pfd, 1, (int)t);
		if (rc == -1 && errno != EINTR)
			die(ST_CONN, "poll: %s", strerror(errno));
		if (rc <= 0)
			continue;
		if (s->reading && (pfd.revents & (POLLIN | POLLHUP | POLLERR)))
			do_read(s);
		if (pfd.revents & POLLOUT)
			do_write(s);
		else if ((pfd.revents & (POLLHUP | POLLERR)) &&
		    !s->peer_closed)
			conn_lost(s, "socket error");
	}
}

static void
act_start(struct sess *s, struct act *a)
{
	int64_t now = now_ms();
	struct attrspec as = { .nh = a->nh, .aspath = a->aspath,
	    .naspath = a->naspath };
	uint8_t m[BGP_MAXLEN];
	struct wbuf w;

	a->t0 = now;
	a->bytes0 = s->tx_bytes;
	a->c0 = s->cnt;
	a->next = a->msgs = 0;
	printf("start %s\n", a->word);
	if ((a->kind == A_ADDPATH || a->has_pathid) && !s->ap_tx)
		die(ST_USAGE, "%s: ADD-PATH send not negotiated (needs "
		    "--addpath and the peer's ADD-PATH receive)", a->word);
	switch (a->kind) {
	case A_KEEPALIVES:
	case A_FLOOD_KA:
	case A_FLOOD_UPD:
		s->max_ka_gap = 0;
		s->last_ka = now;
		break;
	case A_ZERO_WINDOW:
		s->reading = false;
		break;
	case A_REFRESH:
		push_refresh(s, a->subtype);
		break;
	case A_EOR:
		push_empty_update(s);
		break;
	case A_ANNOUNCE_ASPATH:
		update_begin(s, &w, m, &as);
		put_nlri(s, &w, 1, a->pfx.addr, a->pfx.len);
		msg_push(s, &w);
		break;
	case A_CEASE:
	case A_CEASE_HARD:
		push_notification(s, 6, a->kind == A_CEASE ? 2 : 9);
		s->closing = true;
		break;
	default:
		break;
	}
}

/* After a Cease: no more writes, read until the peer closes (2 s). */
static void
linger_close(struct sess *s)
{
	struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
	int64_t end = now_ms() + 2000, now;
	char buf[4096];
	ssize_t n;

	shutdown(s->fd, SHUT_WR);
	while ((now = now_ms()) < end) {
		if (poll(&pfd, 1, (int)(end - now)) <= 0)
			continue;
		n = read(s->fd, buf, sizeof(buf));
		if (n == 0 || (n == -1 && errno != EINTR && errno != EAGAIN))
			break;
	}
	close(s->fd);
	s->fd = -1;
}

static void
print_counts(const char *what, const struct counts *c, const struct counts *c0)
{
	printf("%s open=%llu update=%llu notification=%llu keepalive=%llu "
	    "refresh=%llu", what,
	    (unsigned long long)(c->msgs[1] - c0->msgs[1]),
	    (unsigned long long)(c->msgs[2] - c0->msgs[2]),
	    (unsigned long long)(c->msgs[3] - c0->msgs[3]),
	    (unsigned long long)(c->msgs[4] - c0->msgs[4]),
	    (unsigned long long)(c->msgs[5] - c0->msgs[5]));
}

static void
act_report(struct sess *s, struct act *a, int64_t ms)
{
	const struct counts *c = &s->cnt, *c0 = &a->c0;
	uint64_t bytes = s->tx_bytes - a->bytes0, n;
	char buf[32];

	switch (a->kind) {
	case A_KEEPALIVES:
		print_counts("received", c, c0);
		printf(" max-keepalive-gap-ms=%lld\n",
		    (long long)s->max_ka_gap);
		break;
	case A_FLOOD_KA:
	case A_FLOOD_UPD:
		n = bytes / (a->kind == A_FLOOD_KA ? 19 : 23);
		printf("flood total sent=%llu bytes=%llu ms=%lld rate=%llu/s "
		    "rx-keepalive=%llu max-keepalive-gap-ms=%lld\n",
		    (unsigned long long)n, (unsigned long long)bytes,
		    (long long)ms, (unsigned long long)(ms > 0 ?
		    n * 1000 / (uint64_t)ms : 0), (unsigned long long)
		    (c->msgs[BGP_KEEPALIVE] - c0->msgs[BGP_KEEPALIVE]),
		    (long long)s->max_ka_gap);
		break;
	case A_ANNOUNCE:
	case A_WITHDRAW:
		printf("%s sent=%llu updates=%llu\n", a->kind == A_ANNOUNCE ?
		    "announce" : "withdraw", (unsigned long long)a->next,
		    (unsigned long long)a->msgs);
		break;
	case A_UNIQUE:
	case A_ADDPATH:
	case A_REFRESH_STORM:
		printf("%s sent=%llu\n", a->kind == A_UNIQUE ? "unique" :
		    a->kind == A_ADDPATH ? "addpath" : "refresh",
		    (unsigned long long)a->next);
		break;
	case A_COUNT:
		printf("updates received=%llu prefixes=%llu withdrawn=%llu\n",
		    (unsigned long long)(c->msgs[2] - c0->msgs[2]),
		    (unsigned long long)(c->prefixes - c0->prefixes),
		    (unsigned long long)(c->withdrawn - c0->withdrawn));
		break;
	case A_EXPECT_PFX:
	case A_EXPECT_WD:
		printf("%s %s\n", a->kind == A_EXPECT_PFX ? "got" : "withdrawn",
		    pfx_str(&a->pfx, buf, sizeof(buf)));
		break;
	default:
		break;
	}
}

static void
act_finish(struct sess *s, struct act *a, bool done)
{
	int64_t now = now_ms();

	if (!done && !a->timed) {
		printf("timeout %s\n", a->word);
		die(a->kind == A_EXPECT_PFX || a->kind == A_EXPECT_WD ?
		    ST_EXPECT : ST_TIMEOUT, "%s: not done after %lld ms",
		    a->word, (long long)(now - a->t0));
	}
	if (a->kind == A_ZERO_WINDOW) {
		s->reading = true;
		s->last_rx = now;
	}
	act_report(s, a, now - a->t0);
	if (a->kind == A_CLOSE) {
		close(s->fd);
		s->fd = -1;
	} else if (a->kind == A_CEASE || a->kind == A_CEASE_HARD)
		linger_close(s);
	printf("done %s\n", a->word);
}

/* --- action parsing ------------------------------------------------ */

static void
parse_aspath(struct act *a, const char *list)
{
	char buf[16 * MAX_ASPATH], *p, *comma;
	size_t n = 0;

	if (strlen(list) >= sizeof(buf))
		die(ST_USAGE, "%s: AS path too long", a->word);
	strcpy(buf, list);
	a->aspath = xcalloc(MAX_ASPATH, sizeof(uint32_t));
	for (p = buf; p != NULL && n < MAX_ASPATH; p = comma) {
		if ((comma = strchr(p, ',')) != NULL)
			*comma++ = '\0';
		a->aspath[n++] = (uint32_t)need_u64(a->word, p, 0, UINT32_MAX);
	}
	if (p != NULL)
		die(ST_USAGE, "%s: more than %d ASNs", a->word, MAX_ASPATH);
	a->naspath = n;
}

/* COUNT prefixes of PFX's length from PFX must stay inside 0/0. */
static void
check_range(const struct act *a)
{
	uint64_t room = a->pfx.len == 0 ? 1 :
	    ((1ull << a->pfx.len) - (a->pfx.addr >> (32 - a->pfx.len)));

	if (a->count > room)
		die(ST_USAGE, "%s: %llu prefixes do not fit after %u.x",
		    a->word, (unsigned long long)a->count, a->pfx.addr >> 24);
}

static void
parse_params(struct act *a, char **f, int nf)
{
	switch (a->kind) {
	case A_ANNOUNCE:
	case A_WITHDRAW:
		a->pfx = need_pfx(a->word, f[0]);
		if (a->kind == A_ANNOUNCE)
			a->nh = need_ip(a->word, f[1]);
		f += a->kind == A_ANNOUNCE;
		nf -= a->kind == A_ANNOUNCE;
		a->count = nf > 1 ? need_u64(a->word, f[1], 1, 1ull << 32) : 1;
		if ((a->has_pathid = nf > 2))
			a->pathid = (uint32_t)need_u64(a->word, f[2], 0,
			    UINT32_MAX);
		check_range(a);
		break;
	case A_ANNOUNCE_ASPATH:
		a->pfx = need_pfx(a->word, f[0]);
		a->nh = need_ip(a->word, f[1]);
		parse_aspath(a, f[2]);
		break;
	case A_UNIQUE:
		a->count = need_u64(a->word, f[0], 1, 1u << 24);
		a->pfx = need_pfx(a->word, f[1]);
		a->pfx.len = 32;
		a->nh = need_ip(a->word, f[2]);
		check_range(a);
		break;
	case A_ADDPATH:
		a->pfx = need_pfx(a->word, f[0]);
		a->nh = need_ip(a->word, f[1]);
		a->count = need_u64(a->word, f[2], 1, 10000000);
		break;
	case A_REFRESH_STORM:
		a->count = need_u64(a->word, f[0], 1, 100000000);
		break;
	case A_REFRESH:
		a->subtype = (uint8_t)need_u64(a->word, f[0], 0, 255);
		break;
	case A_EXPECT_PFX:
	case A_EXPECT_WD:
		a->pfx = need_pfx(a->word, f[0]);
		a->ms = need_secs(a->word, f[1]);
		break;
	case A_CLOSE:
	case A_CEASE:
	case A_CEASE_HARD:
	case A_EOR:
		break;
	default:		/* the timed ones: SECS */
		a->ms = need_secs(a->word, f[0]);
		break;
	}
}

static void
parse_action(struct act *a, const char *word)
{
	char *buf, *f[8], *colon;
	int nf = 0;
	size_t i;

	memset(a, 0, sizeof(*a));
	a->word = word;
	buf = xcalloc(strlen(word) + 1, 1);
	strcpy(buf, word);
	for (colon = buf; colon != NULL && nf < 8; nf++) {
		f[nf] = colon;
		if ((colon = strchr(colon, ':')) != NULL)
			*colon++ = '\0';
	}
	if (colon != NULL)
		die(ST_USAGE, "%s: too many parameters", word);
	for (i = 0; i < NACTKINDS; i++)
		if (strcmp(f[0], act_table[i].name) == 0)
			break;
	if (i == NACTKINDS)
		die(ST_USAGE, "unknown action '%s' (see --help)", word);
	if (nf - 1 < act_table[i].minp || nf - 1 > act_table[i].maxp)
		die(ST_USAGE, "%s: %s takes %d to %d parameters", word,
		    act_table[i].name, act_table[i].minp, act_table[i].maxp);
	a->kind = act_table[i].kind;
	a->timed = act_table[i].timed;
	parse_params(a, f + 1, nf - 1);
}

/* --- connection setup ---------------------------------------------- */

static int
new_socket(void)
{
	int fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		die(ST_USAGE, "socket: %s", strerror(errno));
	if (opt.rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUF,
	    &opt.rcvbuf, sizeof(opt.rcvbuf)) == -1)
		die(ST_USAGE, "SO_RCVBUF: %s", strerror(errno));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (opt.has_bind && bind(fd, (struct sockaddr *)&opt.bind,
	    sizeof(opt.bind)) == -1)
		die(ST_USAGE, "bind: %s", strerror(errno));
	return fd;
}

/* Start a non-blocking connect; -1 with errno on immediate failure. */
static int
start_connect(void)
{
	int fd = new_socket();

	if (connect(fd, (struct sockaddr *)&opt.addr, sizeof(opt.addr)) ==
	    -1 && errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
connect_error(int fd)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		return errno;
	return err;
}

static int
do_connect(void)
{
	struct pollfd pfd;
	int64_t end = now_ms() + opt.timeout_ms, now;
	int err;
	char buf[32];

	if ((pfd.fd = start_connect()) == -1)
		die(ST_CONN, "connect %s: %s", sin_str(&opt.addr, buf,
		    sizeof(buf)), strerror(errno));
	pfd.events = POLLOUT;
	while ((now = now_ms()) < end) {
		if (poll(&pfd, 1, (int)(end - now)) > 0)
			break;
	}
	if (now >= end)
		die(ST_CONN, "connect %s: timed out",
		    sin_str(&opt.addr, buf, sizeof(buf)));
	if ((err = connect_error(pfd.fd)) != 0)
		die(ST_CONN, "connect %s: %s", sin_str(&opt.addr, buf,
		    sizeof(buf)), strerror(err));
	printf("connected %s\n", sin_str(&opt.addr, buf, sizeof(buf)));
	return pfd.fd;
}

static int
do_listen(void)
{
	struct pollfd pfd;
	struct sockaddr_in from;
	socklen_t flen = sizeof(from);
	int64_t end = now_ms() + opt.timeout_ms, now;
	int fd, one = 1;
	char buf[32];

	opt.has_bind = false;
	pfd.fd = new_socket();
	setsockopt(pfd.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(pfd.fd, (struct sockaddr *)&opt.addr, sizeof(opt.addr)) == -1)
		die(ST_USAGE, "bind %s: %s", sin_str(&opt.addr, buf,
		    sizeof(buf)), strerror(errno));
	if (listen(pfd.fd, 4) == -1)
		die(ST_USAGE, "listen: %s", strerror(errno));
	printf("listening %s\n", sin_str(&opt.addr, buf, sizeof(buf)));
	pfd.events = POLLIN;
	for (fd = -1; fd == -1 && (now = now_ms()) < end;) {
		if (poll(&pfd, 1, (int)(end - now)) <= 0)
			continue;
		fd = accept4(pfd.fd, (struct sockaddr *)&from, &flen,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1 && errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED)
			die(ST_CONN, "accept: %s", strerror(errno));
	}
	if (fd == -1)
		die(ST_CONN, "no connection within %lld ms",
		    (long long)opt.timeout_ms);
	close(pfd.fd);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	printf("accepted %s\n", sin_str(&from, buf, sizeof(buf)));
	return fd;
}

static void
open_exchange(struct sess *s)
{
	char buf[16];
	const struct peerinfo *pi = &s->pi;

	push_open(s);
	s->last_rx = now_ms();
	if (!run_loop(s, NULL, now_ms() + opt.timeout_ms)) {
		printf("timeout open\n");
		die(ST_TIMEOUT, "no OPEN and KEEPALIVE within %lld ms",
		    (long long)opt.timeout_ms);
	}
	printf("established peer-as=%u peer-id=%s hold=%u addpath-rx=%d "
	    "gr=%d rr=%d ehrr=%d addpath-tx=%d as4=%d gr-restarting=%d "
	    "gr-notification=%d gr-time=%u hold-used=%u ebgp=%d\n", pi->as,
	    ip_str(pi->id, buf, sizeof(buf)), pi->hold, (pi->addpath & 1) != 0,
	    pi->gr, pi->rr, pi->ehrr, (pi->addpath & 2) != 0, pi->as4,
	    pi->gr_r, pi->gr_n, pi->gr_time, s->hold, s->ebgp);
}

/* --- silent mode ------------------------------------------------------ */

struct sconn {
	int		 fd;
	enum { SC_CONNECTING, SC_OPEN, SC_CLOSED, SC_DROPPED, SC_FAILED } state;
	bool		 connected;
	int64_t		 t_conn;
	size_t		 len;
	uint8_t		 buf[BGP_MAXLEN + 64];
};

static void
silent_print(unsigned n, unsigned i, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
silent_print(unsigned n, unsigned i, const char *fmt, ...)
{
	va_list ap;

	if (n > 1)
		printf("conn=%u ", i);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* Print the complete messages in c->buf; false if one is malformed. */
static bool
silent_parse(struct sconn *c, unsigned n, unsigned i)
{
	size_t off = 0, len, k;
	const uint8_t *p;

	for (k = 0; k < sizeof(c->buf) && c->len - off >= BGP_HDRLEN; k++) {
		p = c->buf + off;
		len = (size_t)p[16] << 8 | p[17];
		if (memcmp(p, "\xff\xff\xff\xff\xff\xff\xff\xff"
		    "\xff\xff\xff\xff\xff\xff\xff\xff", 16) != 0 ||
		    len < BGP_HDRLEN || len > BGP_MAXLEN || p[18] < 1 ||
		    p[18] > 5) {
			silent_print(n, i, "malformed header");
			return false;
		}
		if (c->len - off < len)
			break;
		if (p[18] == BGP_NOTIFICATION && len >= BGP_HDRLEN + 2)
			silent_print(n, i, "rx NOTIFICATION %u/%u", p[19],
			    p[20]);
		else
			silent_print(n, i, "rx %s", msg_name(p[18]));
		off += len;
	}
	memmove(c->buf, c->buf + off, c->len - off);
	c->len -= off;
	return true;
}

static void
silent_event(struct sconn *c, short revents, unsigned n, unsigned i,
    int64_t now, int64_t *first, int64_t *last)
{
	ssize_t r;
	int err;

	if (c->state == SC_CONNECTING) {
		if ((err = connect_error(c->fd)) != 0) {
			silent_print(n, i, "connect failed: %s",
			    strerror(err));
			c->state = SC_FAILED;
			close(c->fd);
			return;
		}
		c->state = SC_OPEN;
		c->connected = true;
		c->t_conn = now;
		silent_print(n, i, "connected");
		return;
	}
	if (!(revents & (POLLIN | POLLHUP | POLLERR)))
		return;
	r = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
	if (r == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r > 0) {
		c->len += (size_t)r;
		if (silent_parse(c, n, i))
			return;
		c->state = SC_DROPPED;
	} else {
		silent_print(n, i, "closed by peer after %lld ms%s",
		    (long long)(now - c->t_conn), r == 0 ? "" : " (reset)");
		if (*first < 0)
			*first = now - c->t_conn;
		*last = now - c->t_conn;
		c->state = SC_CLOSED;
	}
	close(c->fd);
}

static int
run_silent(void)
{
	struct sconn *c = xcalloc(opt.silent_count, sizeof(*c));
	struct pollfd *pfd = xcalloc(opt.silent_count, sizeof(*pfd));
	unsigned n = opt.silent_count, i, live, nconn = 0, nclosed = 0;
	unsigned nfail = 0, nopen = 0;
	int64_t end = now_ms() + opt.silent_ms, now, first = -1, last = -1;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < n + 16) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	for (i = 0; i < n; i++)
		if ((c[i].fd = start_connect()) == -1) {
			silent_print(n, i, "connect failed: %s",
			    strerror(errno));
			c[i].state = SC_FAILED;
		}
	while ((now = now_ms()) < end) {
		for (i = 0, live = 0; i < n; i++) {
			pfd[i].fd = c[i].state <= SC_OPEN ? c[i].fd : -1;
			pfd[i].events = c[i].state == SC_CONNECTING ?
			    POLLOUT : POLLIN;
			pfd[i].revents = 0;
			live += c[i].state <= SC_OPEN;
		}
		if (live == 0)
			break;
		if (poll(pfd, n, (int)(end - now)) <= 0)
			continue;
		for (i = 0; i < n; i++)
			if (pfd[i].revents != 0)
				silent_event(&c[i], pfd[i].revents, n, i,
				    now_ms(), &first, &last);
	}
	for (i = 0; i < n; i++) {
		nconn += c[i].connected;
		nclosed += c[i].state == SC_CLOSED;
		nfail += c[i].state == SC_FAILED;
		nopen += c[i].state == SC_OPEN;
	}
	printf("silent conns=%u connected=%u closed-by-peer=%u "
	    "first-close-ms=%lld last-close-ms=%lld still-open=%u failed=%u\n",
	    n, nconn, nclosed, (long long)first, (long long)last, nopen, nfail);
	return nconn > 0 ? ST_OK : ST_CONN;
}

/* --- main ---------------------------------------------------------- */

static size_t
watch_add(struct sess *s, const struct pfx *p)
{
	size_t i;

	for (i = 0; i < s->nwatch; i++)
		if (s->watches[i].p.addr == p->addr &&
		    s->watches[i].p.len == p->len)
			return i;
	s->watches[i].p = *p;
	return s->nwatch++;
}

static void __attribute__((noreturn))
usage(int status)
{
	fprintf(status ? stderr : stdout,
"usage: bgpadv --connect ADDR[:PORT] | --listen ADDR[:PORT] [--bind ADDR]\n"
"              --as ASN --id A.B.C.D [--hold SECS] [--addpath] [--gr SECS]\n"
"              [--gr-restarting] [--gr-notification] [--rr] [--ehrr]\n"
"              [--timeout SECS] [--rcvbuf BYTES] [--no-hold-check] ACTION...\n"
"       bgpadv --connect ADDR[:PORT] [--bind ADDR] --silent SECS\n"
"              [--silent-count N]\n"
"actions: keepalives:SECS flood-keepalive:SECS flood-update:SECS\n"
"  announce:PFX:NH[:COUNT[:PATHID]] announce-aspath:PFX:NH:AS1,AS2,...\n"
"  withdraw:PFX[:COUNT[:PATHID]] unique-attrs:N:PFXBASE:NH addpath:PFX:NH:N\n"
"  refresh-storm:N refresh:SUBTYPE eor sleep:SECS zero-window:SECS\n"
"  count-updates:SECS expect-prefix:PFX:SECS expect-withdraw:PFX:SECS\n"
"  close cease cease-hard\n"
"exit: 0 ok, 1 usage, 2 connection, 3 notification, 4 expect timeout,\n"
"  5 malformed, 6 action timeout, 7 peer silent for the hold time\n");
	exit(status);
}

static int
parse_opts(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "connect", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ "bind", required_argument, NULL, 'b' },
		{ "as", required_argument, NULL, 'a' },
		{ "id", required_argument, NULL, 'i' },
		{ "hold", required_argument, NULL, 'H' },
		{ "addpath", no_argument, NULL, 'A' },
		{ "gr", required_argument, NULL, 'g' },
		{ "gr-restarting", no_argument, NULL, 'R' },
		{ "gr-notification", no_argument, NULL, 'N' },
		{ "rr", no_argument, NULL, 'r' },
		{ "ehrr", no_argument, NULL, 'E' },
		{ "silent", required_argument, NULL, 's' },
		{ "silent-count", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "rcvbuf", required_argument, NULL, 'W' },
		{ "no-hold-check", no_argument, NULL, 'X' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;
	bool has_as = false, has_count = false;

	while ((ch = getopt_long(argc, argv, "c:l:b:a:i:H:Ag:RNrEs:n:t:W:Xh",
	    longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
		case 'l':
			if (opt.has_addr)
				die(ST_USAGE, "one --connect or --listen");
			need_hostport(ch == 'c' ? "--connect" : "--listen",
			    optarg, &opt.addr);
			opt.has_addr = true;
			opt.listen = ch == 'l';
			break;
		case 'b':
			need_hostport("--bind", optarg, &opt.bind);
			opt.bind.sin_port = 0;
			opt.has_bind = true;
			break;
		case 'a':
			opt.as = (uint32_t)need_u64("--as", optarg, 1,
			    UINT32_MAX);
			has_as = true;
			break;
		case 'i':
			opt.id = need_ip("--id", optarg);
			break;
		case 'H':
			opt.hold = (unsigned)need_u64("--hold", optarg, 0,
			    65535);
			if (opt.hold == 1 || opt.hold == 2)
				die(ST_USAGE, "--hold: 0 or 3..65535");
			break;
		case 'A':
			opt.addpath = true;
			break;
		case 'g':
			opt.gr_time = (unsigned)need_u64("--gr", optarg, 0,
			    4095);
			opt.gr = true;
			break;
		case 'R':
			opt.gr_restarting = true;
			break;
		case 'N':
			opt.gr_notification = true;
			break;
		case 'r':
			opt.rr = true;
			break;
		case 'E':
			opt.ehrr = true;
			break;
		case 's':
			opt.silent_ms = need_secs("--silent", optarg);
			break;
		case 'n':
			opt.silent_count = (unsigned)need_u64("--silent-count",
			    optarg, 1, MAX_SILENT);
			has_count = true;
			break;
		case 't':
			opt.timeout_ms = need_secs("--timeout", optarg);
			break;
		case 'W':
			opt.rcvbuf = (int)need_u64("--rcvbuf", optarg, 0,
			    64 << 20);
			break;
		case 'X':
			opt.no_hold_check = true;
			break;
		case 'h':
			usage(ST_OK);
		default:
			usage(ST_USAGE);
		}
	}
	if (!opt.has_addr)
		die(ST_USAGE, "--connect or --listen is required");
	if (has_count && opt.silent_ms < 0)
		die(ST_USAGE, "--silent-count needs --silent");
	if (opt.silent_ms >= 0) {
		if (opt.listen || optind < argc)
			die(ST_USAGE, "--silent takes --connect and no "
			    "actions");
		return optind;
	}
	if (!has_as || opt.id == 0)
		die(ST_USAGE, "--as and --id are required");
	if ((opt.gr_restarting || opt.gr_notification) && !opt.gr)
		die(ST_USAGE, "--gr-restarting/--gr-notification need --gr");
	return optind;
}

int
main(int argc, char **argv)
{
	struct sess *s = &sess;
	struct act *acts;
	size_t nacts, i;
	int first;
	bool done;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	first = parse_opts(argc, argv);
	if (opt.silent_ms >= 0)
		return run_silent();
	nacts = (size_t)(argc - first);
	acts = xcalloc(nacts, sizeof(*acts));
	s->watches = xcalloc(nacts, sizeof(*s->watches));
	for (i = 0; i < nacts; i++) {
		parse_action(&acts[i], argv[first + (int)i]);
		if ((acts[i].kind == A_CLOSE || acts[i].kind == A_CEASE ||
		    acts[i].kind == A_CEASE_HARD) && i + 1 != nacts)
			die(ST_USAGE, "%s must be the last action",
			    acts[i].word);
		if (acts[i].kind == A_ZERO_WINDOW && opt.rcvbuf < 0)
			opt.rcvbuf = 4096;
		if (acts[i].kind == A_EXPECT_PFX ||
		    acts[i].kind == A_EXPECT_WD) {
			acts[i].watch = watch_add(s, &acts[i].pfx);
		}
	}
	s->fd = opt.listen ? do_listen() : do_connect();
	open_exchange(s);
	for (i = 0; i < nacts && s->fd != -1; i++) {
		act_start(s, &acts[i]);
		done = run_loop(s, &acts[i], acts[i].t0 + (acts[i].timed ||
		    acts[i].kind == A_EXPECT_PFX || acts[i].kind ==
		    A_EXPECT_WD ? acts[i].ms : opt.timeout_ms));
		act_finish(s, &acts[i], done);
	}
	if (s->fd != -1) {
		/* hand everything queued to the kernel before closing */
		if (!run_loop(s, &(struct act){ .kind = A_CLOSE,
		    .word = "exit" }, now_ms() + opt.timeout_ms))
			die(ST_TIMEOUT, "could not send everything within "
			    "%lld ms", (long long)opt.timeout_ms);
		close(s->fd);
	}
	printf("finished\n");
	return ST_OK;
}
