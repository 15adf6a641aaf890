/*
 * nltest.c: drives netlink/ against the real kernel, one command per run,
 * for tests/netns/t_nl.sh (inside a scratch network namespace: it changes
 * the routes of the namespace it runs in). It owns nothing but its
 * arguments' parsing and printing; every kernel access goes through
 * netlink.h, so each command is also a test of the public API.
 *
 *   nltest [-T TABLE] probe | resolve GW | nhdump | dump | flush
 *   nltest table                            every route of the table
 *   nltest lookup ADDR                      the route the kernel would use
 *   nltest nh ID GW [DEV] [onlink]          replace a nexthop object
 *   nltest nhx ID GW [DEV] [onlink]         create one (exclusive)
 *   nltest group ID M[,M...]                create a group (exclusive)
 *   nltest groupset ID M[,M...]             replace a group
 *   nltest nhdel ID
 *   nltest add PREFIX COUNT TARGET [metric M]
 *          TARGET: nh ID | via GW [dev DEV] [onlink] | blackhole
 *   nltest addx PREFIX COUNT TARGET [metric M]   create-exclusive adds
 *   nltest del PREFIX COUNT [metric M]
 *   nltest errbatch PREFIX COUNT NHID       unknown nexthop every 1000th
 *   nltest monitor PREFIX NHID              see t_nl.sh nl_monitor
 *   nltest others FILE PREFIX               see t_nl.sh nl_other_events
 *   nltest resync FILE                      see t_nl.sh nl_resync
 *   nltest bench PREFIX COUNT GW DEV        timings, printed
 *
 * COUNT consecutive prefixes start at PREFIX, one prefix length apart.
 * Exit status 0 when every request succeeded (or the check held), 1 not.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "netlink.h"
#include "xmalloc.h"

struct ctx {
	struct event_base	*base;
	struct nl		*nl;
	size_t			 ok, failed;
	uint64_t		 fail_cookie[64];
	int			 fail_err[64];
	size_t			 nroutes;	/* dump count */
	struct nl_route		*routes;	/* dump, when collecting */
	size_t			 cap;
	bool			 print;
	size_t			 route_ev, nh_ev, other_ev, resyncs;
	struct prefix		 watch;		/* monitor: deletion awaited */
	uint32_t		 watch_nh;
	bool			 seen_route_del, seen_nh_del;
};

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
usage(void)
{
	fprintf(stderr, "usage: nltest [-T table] command ... "
	    "(see netlink/nltest.c)\n");
	exit(2);
}

static void
done_cb(void *arg, uint64_t cookie, int err)
{
	struct ctx *c = arg;

	if (err == 0) {
		c->ok++;
		return;
	}
	if (c->failed < NITEMS(c->fail_cookie)) {
		c->fail_cookie[c->failed] = cookie;
		c->fail_err[c->failed] = err;
	}
	c->failed++;
}

static void
route_changed_cb(void *arg, const struct nl_route *rt, bool deleted)
{
	struct ctx *c = arg;
	char p[PREFIX_STRLEN];

	c->route_ev++;
	printf("event route %s %s\n", deleted ? "del" : "new",
	    prefix_fmt(&rt->dst, p, sizeof(p)));
	fflush(stdout);
	if (deleted && prefix_eq(&rt->dst, &c->watch))
		c->seen_route_del = true;
	if (c->seen_route_del && c->seen_nh_del)
		event_base_loopbreak(c->base);
}

static void
nexthop_changed_cb(void *arg, uint32_t id, bool deleted)
{
	struct ctx *c = arg;

	c->nh_ev++;
	printf("event nexthop %s %u\n", deleted ? "del" : "new", id);
	fflush(stdout);
	if (deleted && id == c->watch_nh)
		c->seen_nh_del = true;
	if (c->seen_route_del && c->seen_nh_del)
		event_base_loopbreak(c->base);
}

static void
resync_cb(void *arg)
{
	struct ctx *c = arg;

	c->resyncs++;
}

static void	other_route_cb(void *, const struct nl_route *, bool);

static const struct nl_ops ops = {
	.done = done_cb,
	.route_changed = route_changed_cb,
	.nexthop_changed = nexthop_changed_cb,
	.other_route_changed = other_route_cb,
	.resync_needed = resync_cb,
};

static uint32_t
num(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno != 0 || *end != '\0' || end == s || v > UINT32_MAX) {
		fprintf(stderr, "nltest: bad number '%s'\n", s);
		exit(2);
	}
	return (uint32_t)v;
}

static void
parse_addr(const char *s, struct addr *a)
{
	if (addr_parse(s, a) == -1) {
		fprintf(stderr, "nltest: bad address '%s'\n", s);
		exit(2);
	}
}

static void
parse_prefix(const char *s, struct prefix *p)
{
	if (prefix_parse(s, p) == -1) {
		fprintf(stderr, "nltest: bad prefix '%s'\n", s);
		exit(2);
	}
}

static uint32_t
ifindex(const char *name)
{
	uint32_t i = nl_ifindex(name);

	if (i == 0) {
		fprintf(stderr, "nltest: no interface '%s'\n", name);
		exit(2);
	}
	return i;
}

/* The n-th prefix after base, one prefix length apart. */
static void
prefix_nth(const struct prefix *base, uint32_t n, struct prefix *out)
{
	unsigned shift = af_maxlen(base->af) - base->len;
	size_t nb = af_bytes(base->af);
	unsigned __int128 v = 0, add;

	for (size_t i = 0; i < nb; i++)
		v = (v << 8) | base->b[i];
	add = shift >= 128 ? 0 : (unsigned __int128)n << shift;
	v += add;
	*out = *base;
	for (size_t i = nb; i-- > 0; v >>= 8)
		out->b[i] = (uint8_t)v;
}

static void
fmt_route(const struct nl_route *rt, char *buf, size_t len)
{
	char p[PREFIX_STRLEN], g[ADDR_STRLEN];

	prefix_fmt(&rt->dst, p, sizeof(p));
	if (rt->type == NL_RT_BLACKHOLE)
		snprintf(buf, len, "blackhole %s metric %u", p, rt->priority);
	else if (rt->nh_id != 0)
		snprintf(buf, len, "%s nh %u metric %u", p, rt->nh_id,
		    rt->priority);
	else
		snprintf(buf, len, "%s via %s oif %u%s metric %u%s", p,
		    addr_is_set(&rt->gw) ? addr_fmt(&rt->gw, g, sizeof(g)) :
		    "-", rt->oif, rt->onlink ? " onlink" : "", rt->priority,
		    rt->type == NL_RT_OTHER ? " (other type)" : "");
}

/* A route of anyone: fmt_route, then whose and where. */
static void
fmt_any(const struct nl_route *rt, char *buf, size_t len)
{
	char r[256];

	fmt_route(rt, r, sizeof(r));
	snprintf(buf, len, "%s proto %u scope %u table %u", r, rt->protocol,
	    rt->scope, rt->table);
}

static void
other_route_cb(void *arg, const struct nl_route *rt, bool deleted)
{
	struct ctx *c = arg;
	char buf[320];

	c->other_ev++;
	fmt_any(rt, buf, sizeof(buf));
	printf("event other %s %s\n", deleted ? "del" : "new", buf);
	fflush(stdout);
}

static void
table_cb(void *arg, const struct nl_route *rt)
{
	struct ctx *c = arg;
	char buf[320];

	c->nroutes++;
	fmt_any(rt, buf, sizeof(buf));
	printf("%s\n", buf);
}

static void
dump_cb(void *arg, const struct nl_route *rt)
{
	struct ctx *c = arg;
	char buf[256];

	c->nroutes++;
	if (c->print) {
		fmt_route(rt, buf, sizeof(buf));
		printf("%s\n", buf);
	}
	if (c->cap == 0)
		return;
	if (c->nroutes > c->cap) {
		c->cap *= 2;
		c->routes = xreallocarray(c->routes, c->cap, sizeof(*rt));
	}
	c->routes[c->nroutes - 1] = *rt;
}

static int
do_dump(struct ctx *c, bool print)
{
	c->nroutes = 0;
	c->print = print;
	if (nl_route_dump(c->nl, dump_cb, c) == -1) {
		fprintf(stderr, "nltest: dump: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static int
cmd_flush(struct ctx *c)
{
	c->cap = 1024;
	c->routes = xreallocarray(NULL, c->cap, sizeof(*c->routes));
	if (do_dump(c, false) == -1)
		return 1;
	for (size_t i = 0; i < c->nroutes; i++)
		if (nl_route_delete(c->nl, &c->routes[i], i) == -1)
			return 1;
	nl_flush(c->nl);
	printf("flushed %zu ok %zu failed\n", c->ok, c->failed);
	free(c->routes);
	c->routes = NULL;
	return c->failed == 0 ? 0 : 1;
}

static void
nh_cb(void *arg, const struct nl_nexthop *nh)
{
	char g[ADDR_STRLEN];

	(void)arg;
	if (nh->ngroup > 0) {
		printf("nh %u group", nh->id);
		for (size_t i = 0; i < nh->ngroup; i++)
			printf("%c%u", i == 0 ? ' ' : '/', nh->group[i]);
		printf("\n");
		return;
	}
	printf("nh %u via %s oif %u%s\n", nh->id,
	    addr_is_set(&nh->gw) ? addr_fmt(&nh->gw, g, sizeof(g)) : "-",
	    nh->oif, nh->onlink ? " onlink" : "");
}

/* TARGET [metric M] at argv[0..]: fill rt's next hop part. */
static void
parse_target(int argc, char **argv, struct nl_route *rt)
{
	for (int i = 0; i < argc; i++) {
		const char *k = argv[i];

		if (strcmp(k, "blackhole") == 0)
			rt->type = NL_RT_BLACKHOLE;
		else if (strcmp(k, "onlink") == 0)
			rt->onlink = true;
		else if (i + 1 >= argc)
			usage();
		else if (strcmp(k, "nh") == 0)
			rt->nh_id = num(argv[++i]);
		else if (strcmp(k, "via") == 0)
			parse_addr(argv[++i], &rt->gw);
		else if (strcmp(k, "dev") == 0)
			rt->oif = ifindex(argv[++i]);
		else if (strcmp(k, "metric") == 0)
			rt->priority = num(argv[++i]);
		else
			usage();
	}
}

typedef int (*route_op)(struct nl *, const struct nl_route *, uint64_t);

/* Queue count routes (replace, add or delete) from base; flush. */
static int
routes_op(struct ctx *c, const struct nl_route *tmpl, uint32_t count,
    route_op op, double *ms)
{
	struct nl_route rt = *tmpl;
	double t0 = now_ms();
	int rc;

	for (uint32_t i = 0; i < count; i++) {
		prefix_nth(&tmpl->dst, i, &rt.dst);
		rc = op(c->nl, &rt, i);
		if (rc == -1) {
			fprintf(stderr, "nltest: queue: %s\n", strerror(errno));
			return -1;
		}
	}
	nl_flush(c->nl);
	*ms = now_ms() - t0;
	return 0;
}

static int
cmd_add_del(struct ctx *c, int argc, char **argv, const char *what,
    route_op op)
{
	struct nl_route rt = { .type = NL_RT_UNICAST };
	uint32_t count;
	double ms;

	if (argc < 2)
		usage();
	parse_prefix(argv[0], &rt.dst);
	count = num(argv[1]);
	parse_target(argc - 2, argv + 2, &rt);
	if (routes_op(c, &rt, count, op, &ms) == -1)
		return 1;
	printf("%s: %zu ok, %zu failed, %.1f ms\n", what, c->ok, c->failed,
	    ms);
	for (size_t i = 0; i < c->failed && i < NITEMS(c->fail_cookie); i++)
		printf("failed: cookie %llu: %s\n",
		    (unsigned long long)c->fail_cookie[i],
		    strerror(-c->fail_err[i]));
	return c->failed == 0 ? 0 : 1;
}

static int
cmd_nh(struct ctx *c, int argc, char **argv, bool excl)
{
	struct addr gw;
	uint32_t id, oif = 0;
	bool onlink = false;

	if (argc < 2)
		usage();
	id = num(argv[0]);
	parse_addr(argv[1], &gw);
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "onlink") == 0)
			onlink = true;
		else
			oif = ifindex(argv[i]);
	}
	if (oif == 0 && nl_resolve(c->nl, &gw, &oif) == -1) {
		fprintf(stderr, "nltest: resolve %s: %s\n", argv[1],
		    strerror(errno));
		return 1;
	}
	if ((excl ? nl_nh_add(c->nl, id, &gw, oif, onlink) :
	    nl_nh_replace(c->nl, id, &gw, oif, onlink)) == -1) {
		printf("nh %u: %s\n", id, strerror(errno));
		return 1;
	}
	printf("nh %u via %s oif %u\n", id, argv[1], oif);
	return 0;
}

/*
 * COUNT routes via NHID in batches that auto-flush; every 1000th (index
 * 500, 1500, ...) and the last point at a nexthop that does not exist.
 * Exactly those cookies must fail, the others succeed.
 */
static int
cmd_errbatch(struct ctx *c, int argc, char **argv)
{
	struct nl_route rt = { .type = NL_RT_UNICAST };
	uint32_t count, nh, want = 0;
	size_t bad = 0;

	if (argc != 3)
		usage();
	parse_prefix(argv[0], &rt.dst);
	count = num(argv[1]);
	nh = num(argv[2]);
	for (uint32_t i = 0; i < count; i++) {
		struct nl_route r = rt;
		bool wrong = i % 1000 == 500 || i == count - 1;

		prefix_nth(&rt.dst, i, &r.dst);
		r.nh_id = wrong ? 0x7ffffff0u : nh;
		want += wrong;
		if (nl_route_replace(c->nl, &r, i) == -1)
			return 1;
	}
	nl_flush(c->nl);
	for (size_t i = 0; i < c->failed && i < NITEMS(c->fail_cookie); i++) {
		uint64_t k = c->fail_cookie[i];

		printf("failed: cookie %llu: %s\n", (unsigned long long)k,
		    strerror(-c->fail_err[i]));
		bad += !(k % 1000 == 500 || k == count - 1);
	}
	printf("errbatch: %zu ok, %zu failed (want %u failed), %zu wrong\n",
	    c->ok, c->failed, want, bad);
	return c->failed == want && c->ok == count - want && bad == 0 ? 0 : 1;
}

/*
 * Install PREFIX via NHID ourselves (its echo must not be reported), say
 * "ready", then wait (10 s at most) for someone else to delete the route
 * and then the nexthop object.
 */
static int
cmd_monitor(struct ctx *c, int argc, char **argv)
{
	struct nl_route rt = { .type = NL_RT_UNICAST };
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };

	if (argc != 2)
		usage();
	parse_prefix(argv[0], &rt.dst);
	rt.nh_id = c->watch_nh = num(argv[1]);
	c->watch = rt.dst;
	if (nl_route_replace(c->nl, &rt, 1) == -1 || nl_flush(c->nl) == -1 ||
	    c->ok != 1)
		return 1;
	event_base_loopexit(c->base, &tv);
	event_base_dispatch(c->base);
	printf("own echoes reported: %zu\nready\n", c->route_ev + c->nh_ev);
	fflush(stdout);
	if (c->route_ev + c->nh_ev != 0)
		return 1;
	tv.tv_sec = 10;
	tv.tv_usec = 0;
	event_base_loopexit(c->base, &tv);
	event_base_dispatch(c->base);
	printf("route deleted: %s, nexthop deleted: %s, resyncs %zu\n",
	    c->seen_route_del ? "yes" : "no", c->seen_nh_del ? "yes" : "no",
	    c->resyncs);
	return c->seen_route_del && c->seen_nh_del ? 0 : 1;
}

/* Say "ready", let events pile up until FILE exists, then read them. */
static int
cmd_resync(struct ctx *c, int argc, char **argv)
{
	struct timeval tv = { .tv_sec = 2 };

	if (argc != 1)
		usage();
	printf("ready\n");
	fflush(stdout);
	for (int i = 0; i < 600 && access(argv[0], F_OK) == -1; i++)
		usleep(100000);
	event_base_loopexit(c->base, &tv);
	event_base_dispatch(c->base);
	printf("resync_needed %zu, route events %zu\n", c->resyncs,
	    c->route_ev);
	return c->resyncs > 0 ? 0 : 1;
}

/* ID M[,M...]: create or replace a group object. */
static int
cmd_group(struct ctx *c, int argc, char **argv, bool replace)
{
	uint32_t id, m[NL_GROUP_MAX];
	size_t n = 0;
	char *tok, *save = NULL;

	if (argc != 2)
		usage();
	id = num(argv[0]);
	for (tok = strtok_r(argv[1], ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (n == NITEMS(m))
			usage();
		m[n++] = num(tok);
	}
	if ((replace ? nl_nh_group_replace(c->nl, id, m, n) :
	    nl_nh_group_add(c->nl, id, m, n)) == -1) {
		printf("group %u: %s\n", id, strerror(errno));
		return 1;
	}
	printf("group %u: %zu members\n", id, n);
	return 0;
}

static int
cmd_lookup(struct ctx *c, int argc, char **argv)
{
	char p[PREFIX_STRLEN], g[ADDR_STRLEN];
	struct nl_hop hop;
	struct addr a;

	if (argc != 1)
		usage();
	parse_addr(argv[0], &a);
	if (nl_lookup(c->nl, &a, &hop) == -1) {
		printf("lookup %s: %s\n", argv[0], strerror(errno));
		return 1;
	}
	printf("match %s proto %u table %u via %s oif %u\n",
	    prefix_fmt(&hop.match, p, sizeof(p)), hop.protocol, hop.table,
	    addr_is_set(&hop.gw) ? addr_fmt(&hop.gw, g, sizeof(g)) : "-",
	    hop.oif);
	return 0;
}

/*
 * Install the blackhole PREFIX ourselves (neither of our monitor ops may
 * report its echo), say "ready", then print the other programs' route
 * events until FILE exists (20 s at most) and a little longer; delete
 * PREFIX and count the events again (its echo must not be reported
 * either: the last line's route events are all someone else's).
 */
static int
cmd_others(struct ctx *c, int argc, char **argv)
{
	struct nl_route rt = { .type = NL_RT_BLACKHOLE };
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };
	size_t echoes;
	int i;

	if (argc != 2)
		usage();
	parse_prefix(argv[1], &rt.dst);
	if (nl_route_replace(c->nl, &rt, 1) == -1 || nl_flush(c->nl) == -1 ||
	    c->ok != 1)
		return 1;
	event_base_loopexit(c->base, &tv);
	event_base_dispatch(c->base);
	echoes = c->route_ev + c->other_ev;
	printf("own echoes reported: %zu\nready\n", echoes);
	fflush(stdout);
	for (i = 0; i < 200 && access(argv[0], F_OK) == -1; i++) {
		tv.tv_sec = 0;
		tv.tv_usec = 100000;
		event_base_loopexit(c->base, &tv);
		event_base_dispatch(c->base);
	}
	event_base_loopexit(c->base, &tv);
	event_base_dispatch(c->base);
	(void)nl_route_delete(c->nl, &rt, 2);
	(void)nl_flush(c->nl);
	event_base_loopexit(c->base, &tv);
	event_base_dispatch(c->base);
	printf("other events %zu, route events %zu, resyncs %zu\n",
	    c->other_ev, c->route_ev, c->resyncs);
	return i < 200 && echoes == 0 ? 0 : 1;
}

static void
bench_report(const char *what, uint32_t count, double ms)
{
	printf("bench: %-44s %8u routes %9.1f ms %9.0f routes/s\n", what,
	    count, ms, ms > 0 ? count / ms * 1e3 : 0.0);
}

static int
bench_nhobj(struct ctx *c, struct nl_route *rt, uint32_t count,
    const struct addr *gw, uint32_t oif)
{
	double ms, t0;

	if (nl_nh_replace(c->nl, 4242, gw, oif, false) == -1)
		return -1;
	rt->nh_id = 4242;
	c->ok = c->failed = 0;
	if (routes_op(c, rt, count, nl_route_replace, &ms) == -1 ||
	    c->ok != count)
		return -1;
	bench_report("insert via one nexthop object", count, ms);
	t0 = now_ms();
	if (do_dump(c, false) == -1 || c->nroutes != count)
		return -1;
	bench_report("dump (nl_route_dump)", count, now_ms() - t0);
	t0 = now_ms();
	if (nl_nh_delete(c->nl, 4242) == -1)
		return -1;
	bench_report("delete all by deleting the nexthop object", count,
	    now_ms() - t0);
	return do_dump(c, false) == -1 || c->nroutes != 0 ? -1 : 0;
}

static int
bench_plain(struct ctx *c, struct nl_route *rt, uint32_t count,
    const struct addr *gw, uint32_t oif)
{
	double ms;

	rt->nh_id = 0;
	rt->gw = *gw;
	rt->oif = oif;
	c->ok = c->failed = 0;
	if (routes_op(c, rt, count, nl_route_replace, &ms) == -1 ||
	    c->ok != count)
		return -1;
	bench_report("insert via gateway (no nexthop object)", count, ms);
	c->ok = c->failed = 0;
	if (routes_op(c, rt, count, nl_route_delete, &ms) == -1 ||
	    c->ok != count)
		return -1;
	bench_report("delete one by one", count, ms);
	return 0;
}

static int
cmd_bench(struct ctx *c, int argc, char **argv)
{
	struct nl_route rt = { .type = NL_RT_UNICAST };
	struct timeval tv = { 0, 0 };
	struct addr gw;
	uint32_t count, oif;

	if (argc != 4)
		usage();
	parse_prefix(argv[0], &rt.dst);
	count = num(argv[1]);
	parse_addr(argv[2], &gw);
	oif = ifindex(argv[3]);
	if ((nl_nexthop_objects(c->nl) &&
	    bench_nhobj(c, &rt, count, &gw, oif) == -1) ||
	    bench_plain(c, &rt, count, &gw, oif) == -1) {
		fprintf(stderr, "nltest: bench failed (%zu ok, %zu failed)\n",
		    c->ok, c->failed);
		return 1;
	}
	event_base_loopexit(c->base, &tv);
	event_base_dispatch(c->base);
	printf("bench: monitor saw %zu route events, %zu resyncs (want 0)\n",
	    c->route_ev, c->resyncs);
	return c->route_ev == 0 && c->resyncs == 0 ? 0 : 1;
}

static int
cmd_simple(struct ctx *c, const char *cmd, int argc, char **argv)
{
	struct addr a;
	uint32_t oif;

	if (strcmp(cmd, "probe") == 0) {
		printf("nexthop objects: %s\n",
		    nl_nexthop_objects(c->nl) ? "yes" : "no");
		return 0;
	}
	if (strcmp(cmd, "resolve") == 0 && argc == 1) {
		parse_addr(argv[0], &a);
		if (nl_resolve(c->nl, &a, &oif) == -1)
			return 1;
		printf("oif %u\n", oif);
		return 0;
	}
	if (strcmp(cmd, "nhdel") == 0 && argc == 1)
		return nl_nh_delete(c->nl, num(argv[0])) == 0 ? 0 : 1;
	if (strcmp(cmd, "nhdump") == 0)
		return nl_nh_dump(c->nl, nh_cb, c) == 0 ? 0 : 1;
	if (strcmp(cmd, "dump") == 0) {
		if (do_dump(c, true) == -1)
			return 1;
		printf("count %zu\n", c->nroutes);
		return 0;
	}
	if (strcmp(cmd, "flush") == 0)
		return cmd_flush(c);
	if (strcmp(cmd, "table") == 0) {
		c->nroutes = 0;
		if (nl_table_dump(c->nl, table_cb, c) == -1) {
			fprintf(stderr, "nltest: table: %s\n", strerror(errno));
			return 1;
		}
		printf("count %zu\n", c->nroutes);
		return 0;
	}
	usage();
	return 2;
}

static int
run(struct ctx *c, const char *cmd, int argc, char **argv)
{
	if (strcmp(cmd, "nh") == 0 || strcmp(cmd, "nhx") == 0)
		return cmd_nh(c, argc, argv, cmd[2] == 'x');
	if (strcmp(cmd, "group") == 0 || strcmp(cmd, "groupset") == 0)
		return cmd_group(c, argc, argv, cmd[5] == 's');
	if (strcmp(cmd, "lookup") == 0)
		return cmd_lookup(c, argc, argv);
	if (strcmp(cmd, "others") == 0)
		return cmd_others(c, argc, argv);
	if (strcmp(cmd, "add") == 0)
		return cmd_add_del(c, argc, argv, "add", nl_route_replace);
	if (strcmp(cmd, "addx") == 0)
		return cmd_add_del(c, argc, argv, "addx", nl_route_add);
	if (strcmp(cmd, "del") == 0)
		return cmd_add_del(c, argc, argv, "del", nl_route_delete);
	if (strcmp(cmd, "errbatch") == 0)
		return cmd_errbatch(c, argc, argv);
	if (strcmp(cmd, "monitor") == 0)
		return cmd_monitor(c, argc, argv);
	if (strcmp(cmd, "resync") == 0)
		return cmd_resync(c, argc, argv);
	if (strcmp(cmd, "bench") == 0)
		return cmd_bench(c, argc, argv);
	return cmd_simple(c, cmd, argc, argv);
}

int
main(int argc, char **argv)
{
	struct ctx c = { 0 };
	uint32_t table = NL_TABLE_MAIN;
	int ch, rc;

	log_init(LOG_LVL_WARNING, 0, "nltest");
	while ((ch = getopt(argc, argv, "T:v")) != -1) {
		if (ch == 'T')
			table = num(optarg);
		else if (ch == 'v')
			log_init(LOG_LVL_DEBUG, LOG_D_ALL, "nltest");
		else
			usage();
	}
	if (optind >= argc)
		usage();
	if ((c.base = event_base_new()) == NULL)
		return 1;
	c.nl = nl_new(c.base, NL_PROTO_TERN, table, &ops, &c);
	if (c.nl == NULL)
		return 1;
	rc = run(&c, argv[optind], argc - optind - 1, argv + optind + 1);
	nl_free(c.nl);
	event_base_free(c.base);
	return rc;
}
