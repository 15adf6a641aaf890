/*
 * etcdlat.c: the probes of bench/etcd_convergence.sh (not part of the meson
 * build; the script compiles it with cc). Every line it prints carries a
 * wall-clock timestamp in microseconds (CLOCK_REALTIME, comparable across
 * the probes and with bash's $EPOCHREALTIME), so the script can join them.
 *
 *   etcdlat put URL PREFIX N GAP_MS
 *	writes N block affinities PREFIX<block>-26 (10.244.128.0/26 upwards)
 *	with {"state":"confirmed","deleted":false} through etcd's v3 JSON
 *	gateway on one kept-alive connection, waits GAP_MS, deletes it, waits
 *	GAP_MS; prints "put I SENT ACKED BLOCK" and "del I SENT ACKED BLOCK".
 *   etcdlat watch URL PREFIX
 *	one /v3/watch stream on PREFIX; prints "ready US" once the watch is
 *	created and "event US PUT|DELETE BLOCK" as each event arrives.
 *   etcdlat fib
 *	rtnetlink route notifications; prints "add US BLOCK" / "del US BLOCK"
 *	for /26 routes with protocol 12 inside 10.244.128.0/17, after "ready".
 *
 * Blocking sockets and a small HTTP/1.1 client: these are measuring tools,
 * one connection each, run for the length of a benchmark and killed.
 */
#define _GNU_SOURCE		/* memmem, strcasestr */
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUFSZ	(1 << 20)

static char	 rbuf[BUFSZ];
static size_t	 rlen;

static long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
die(const char *msg)
{
	perror(msg);
	exit(1);
}

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void
b64enc(const char *s, char *out)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)(uint8_t)s[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)(uint8_t)s[i + 1] << 8;
		if (i + 2 < n)
			v |= (uint8_t)s[i + 2];
		*out++ = b64[v >> 18 & 63];
		*out++ = b64[v >> 12 & 63];
		*out++ = i + 1 < n ? b64[v >> 6 & 63] : '=';
		*out++ = i + 2 < n ? b64[v & 63] : '=';
	}
	*out = '\0';
}

static void
b64dec(const char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	uint32_t v = 0;
	int bits = 0;

	for (size_t i = 0; i < n && s[i] != '='; i++) {
		const char *p = strchr(b64, s[i]);

		if (p == NULL || s[i] == '\0')
			break;
		v = v << 6 | (uint32_t)(p - b64);
		if ((bits += 6) >= 8 && o + 1 < cap) {
			bits -= 8;
			out[o++] = (char)(v >> bits & 0xff);
		}
	}
	out[o] = '\0';
}

/* "http://198.18.0.1:2379" -> a connected TCP socket (TCP_NODELAY). */
static int
dial(const char *url)
{
	char host[64];
	int port = 2379, fd, one = 1;
	struct sockaddr_in sa;
	const char *h = strstr(url, "://");

	h = h != NULL ? h + 3 : url;
	if (sscanf(h, "%63[^:/]:%d", host, &port) < 1)
		die("bad url");
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		die("bad host");
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		die("socket");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1)
		die("connect");
	return fd;
}

static void
post(int fd, const char *path, const char *body)
{
	char req[4096];
	int n;

	n = snprintf(req, sizeof(req), "POST %s HTTP/1.1\r\nHost: etcd\r\n"
	    "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
	    path, strlen(body), body);
	if (write(fd, req, (size_t)n) != n)
		die("write");
}

static void
fill(int fd)
{
	ssize_t n;

	if (rlen == sizeof(rbuf))
		die("response too large");
	n = read(fd, rbuf + rlen, sizeof(rbuf) - rlen);
	if (n <= 0)
		die("read");
	rlen += (size_t)n;
}

static void
consume(size_t n)
{
	memmove(rbuf, rbuf + n, rlen - n);
	rlen -= n;
}

/* Read headers; 1 when the body is chunked, else its Content-Length < 0. */
static int
headers(int fd, long *clen)
{
	char *end, *cl;
	int chunked;

	while ((end = memmem(rbuf, rlen, "\r\n\r\n", 4)) == NULL)
		fill(fd);
	*end = '\0';
	chunked = strcasestr(rbuf, "Transfer-Encoding: chunked") != NULL;
	*clen = 0;
	if ((cl = strcasestr(rbuf, "Content-Length:")) != NULL)
		*clen = strtol(cl + 15, NULL, 10);
	consume((size_t)(end - rbuf) + 4);
	return chunked;
}

/* The next chunk of a chunked body into out (NUL-ended); its size. */
static size_t
chunk(int fd, char *out, size_t cap)
{
	char *eol;
	size_t n;

	while ((eol = memmem(rbuf, rlen, "\r\n", 2)) == NULL)
		fill(fd);
	n = strtoul(rbuf, NULL, 16);
	consume((size_t)(eol - rbuf) + 2);
	if (n == 0)
		return 0;		/* the caller reads the trailers */
	while (rlen < n + 2)
		fill(fd);
	if (n >= cap)
		die("chunk too large");
	memcpy(out, rbuf, n);
	out[n] = '\0';
	consume(n + 2);
	return n;
}

/* One unary answer, read whole (body discarded). */
static void
answer(int fd)
{
	static char body[BUFSZ];
	char *eol;
	long clen;

	if (headers(fd, &clen)) {
		while (chunk(fd, body, sizeof(body)) > 0)
			;
		/* trailers, then an empty line */
		while ((eol = memmem(rbuf, rlen, "\r\n", 2)) == NULL ||
		    eol != rbuf) {
			if (eol != NULL)
				consume((size_t)(eol - rbuf) + 2);
			else
				fill(fd);
		}
		consume(2);
		return;
	}
	while (rlen < (size_t)clen)
		fill(fd);
	consume((size_t)clen);
}

static void
block_name(int i, char *buf, size_t len)
{
	snprintf(buf, len, "10.244.%d.%d-26", 128 + i / 4, (i % 4) * 64);
}

static int
cmd_put(const char *url, const char *prefix, int n, int gap_ms)
{
	char key[256], name[64], bk[512], body[1024], bv[128];
	struct timespec gap = { gap_ms / 1000, (gap_ms % 1000) * 1000000L };
	int fd = dial(url);
	long long t0, t1;

	b64enc("{\"state\":\"confirmed\",\"deleted\":false}", bv);
	for (int i = 0; i < n; i++) {
		block_name(i, name, sizeof(name));
		snprintf(key, sizeof(key), "%s%s", prefix, name);
		b64enc(key, bk);
		snprintf(body, sizeof(body), "{\"key\":\"%s\",\"value\":\"%s\"}",
		    bk, bv);
		t0 = now_us();
		post(fd, "/v3/kv/put", body);
		answer(fd);
		t1 = now_us();
		printf("put %d %lld %lld %s\n", i, t0, t1, name);
		fflush(stdout);
		nanosleep(&gap, NULL);
		snprintf(body, sizeof(body), "{\"key\":\"%s\"}", bk);
		t0 = now_us();
		post(fd, "/v3/kv/deleterange", body);
		answer(fd);
		t1 = now_us();
		printf("del %d %lld %lld %s\n", i, t0, t1, name);
		fflush(stdout);
		nanosleep(&gap, NULL);
	}
	return 0;
}

/* Each event's key (after its "key":") with the time the chunk came. */
static void
watch_events(const char *s, long long t, const char *prefix)
{
	const char *p = s, *q, *k;
	char key[512];
	size_t plen = strlen(prefix);

	while ((p = strstr(p, "\"kv\":{")) != NULL) {
		k = strstr(p, "\"key\":\"");
		if (k == NULL)
			break;
		k += 7;
		q = strchr(k, '"');
		if (q == NULL)
			break;
		b64dec(k, (size_t)(q - k), key, sizeof(key));
		/* a DELETE event names its type just before "kv" */
		printf("event %lld %s %s\n", t, p >= s + 9 && memcmp(p - 9,
		    "\"DELETE\",", 9) == 0 ? "DELETE" : "PUT",
		    strlen(key) > plen ? key + plen : key);
		p = q;
	}
}

static int
cmd_watch(const char *url, const char *prefix)
{
	static char body[BUFSZ];
	char bk[512], be[512], end[256], req[2048];
	int fd = dial(url);
	long clen;

	snprintf(end, sizeof(end), "%s", prefix);
	end[strlen(end) - 1]++;
	b64enc(prefix, bk);
	b64enc(end, be);
	snprintf(req, sizeof(req), "{\"create_request\":{\"key\":\"%s\","
	    "\"range_end\":\"%s\"}}", bk, be);
	post(fd, "/v3/watch", req);
	if (!headers(fd, &clen))
		die("watch answer not chunked");
	for (;;) {
		chunk(fd, body, sizeof(body));
		if (strstr(body, "\"created\":true") != NULL) {
			printf("ready %lld\n", now_us());
			fflush(stdout);
			continue;
		}
		watch_events(body, now_us(), prefix);
		fflush(stdout);
	}
	return 0;
}

static void
route_msg(const struct nlmsghdr *h, long long t)
{
	const struct rtmsg *rt = NLMSG_DATA(h);
	const struct rtattr *a = RTM_RTA(rt);
	int len = (int)RTM_PAYLOAD(h);
	uint32_t dst = 0, base = 0x0af48000u;	/* 10.244.128.0/17 */
	char s[INET_ADDRSTRLEN];

	if (rt->rtm_family != AF_INET || rt->rtm_protocol != 12 ||
	    rt->rtm_dst_len != 26)
		return;
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == RTA_DST && RTA_PAYLOAD(a) == 4)
			memcpy(&dst, RTA_DATA(a), 4);
	if ((ntohl(dst) & 0xffff8000u) != base)
		return;
	inet_ntop(AF_INET, &dst, s, sizeof(s));
	printf("%s %lld %s-26\n", h->nlmsg_type == RTM_NEWROUTE ? "add" :
	    "del", t, s);
}

static int
cmd_fib(void)
{
	static char buf[1 << 16];
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
	    .nl_groups = RTMGRP_IPV4_ROUTE };
	int fd, sz = 8 << 20;
	ssize_t n;

	if ((fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE)) == -1)
		die("netlink");
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1)
		die("bind");
	printf("ready %lld\n", now_us());
	fflush(stdout);
	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) {
		long long t = now_us();
		int len = (int)n;

		for (struct nlmsghdr *h = (struct nlmsghdr *)buf;
		    NLMSG_OK(h, len); h = NLMSG_NEXT(h, len))
			if (h->nlmsg_type == RTM_NEWROUTE ||
			    h->nlmsg_type == RTM_DELROUTE)
				route_msg(h, t);
		fflush(stdout);
	}
	die("recv");
	return 1;
}

int
main(int argc, char **argv)
{
	if (argc == 6 && strcmp(argv[1], "put") == 0)
		return cmd_put(argv[2], argv[3], atoi(argv[4]), atoi(argv[5]));
	if (argc == 4 && strcmp(argv[1], "watch") == 0)
		return cmd_watch(argv[2], argv[3]);
	if (argc == 2 && strcmp(argv[1], "fib") == 0)
		return cmd_fib();
	fprintf(stderr, "usage: etcdlat put URL PREFIX N GAP_MS | "
	    "watch URL PREFIX | fib\n");
	return 2;
}
