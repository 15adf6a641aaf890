/*
 * ctlglue.c: what the control socket shows (SPEC 5). ctl/ frames and parses
 * the BIRD protocol; this file answers its requests from the daemon's own
 * state, in the BIRD 1.6 layouts Calico parses: show status (with the 0024
 * block while the FIB is still recovering after a restart), show protocols
 * (BGP sessions, plus the kernel1/device1/static1 rows Calico's BIRD has,
 * so the table is never empty), show route in the one-line "via GW on IF"
 * form, configure (a datastore reload) and down (the SIGTERM path); tern's
 * own "json show ..." (the same facts as JSON, times in RFC 3339, for
 * ternctl -o json) and debug (the global log categories at run time). Two
 * sockets when control.socket6 is on: BIRD's show protocols lists the IPv4
 * sessions on the first and the IPv6 ones on the second, as Calico's bird
 * and bird6 did.
 *
 * Long replies are produced in pieces (ctl's CTL_MORE): show route takes a
 * snapshot of the prefixes once (a rib walk sorts the whole table), then
 * formats a bounded number of them each time the client's socket drains;
 * the snapshots of all clients together stay under SNAP_BUDGET prefixes
 * (CTL_WAIT beyond it). Our implementation: the rib keeps no per-route
 * time, so a route shows the time its session came up (own blocks: the
 * daemon's start); Preference and filters are Calico's BIRD defaults.
 */
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "agent.h"
#include "aspath.h"
#include "bfd.h"
#include "ctl.h"
#include "ctlglue.h"
#include "fibwant.h"
#include "log.h"
#include "netlink.h"
#include "timer.h"
#include "xmalloc.h"

#define CTLG_VERSION	"v" TERN_VERSION "+tern"
#define SNAP_BUDGET	(4u << 20)	/* prefixes in all snapshots */
#define GW_CACHE	32
#define BGP_PREF	100		/* BIRD's default BGP preference */
#define RELOAD_GAP_MS	1000		/* configure: re-reads apart */

/*
 * configure, coalesced: one datastore re-read answers every request whose
 * line was read before the re-read began; the next begins at once, or
 * RELOAD_GAP_MS after the last one began (BIRD reconfigures once per
 * command: a script or a crowd of clients would relist etcd as often).
 */
struct reload {
	struct event	*ev;		/* the next re-read */
	uint64_t	 began;		/* monotonic ns; 0: never */
	int		 rc;		/* what it returned */
	char		 err[256];
	unsigned	 waiting;	/* requests for the next one */
};

/*
 * One control socket. With a second socket (conf control.socket6), BIRD's
 * show protocols lists the IPv4 sessions on the first and the IPv6 ones on
 * the second, as Calico's bird and bird6 did; kernel1/device1/static1 are
 * on both, and tern's own commands (json ..., debug) see everything.
 */
struct ctlsock {
	struct ctlglue	*g;
	struct ctl	*ctl;
	uint8_t		 af;		/* sessions shown; 0: all */
};

struct ctlglue {
	struct agent	*ag;
	struct ctlsock	 s4, s6;	/* s6.ctl NULL: one socket */
	struct nl	*nl;		/* "via GW on IFACE" lookups */
	bool		 nl_failed;
	time_t		 reconfigured;
	struct reload	 reload;
	size_t		 snap_used;
};

/* The rows BIRD shows next to the BGP ones in Calico's configuration. */
struct pseudo {
	const char	*name, *proto;
	int		 pref;
	const char	*in, *out;
};

static const struct pseudo pseudos[] = {
	{ "kernel1", "Kernel", 10, "ACCEPT", "(unnamed)" },
	{ "device1", "Device", 240, "ACCEPT", "REJECT" },
	{ "static1", "Static", 200, "ACCEPT", "REJECT" },
};
#define STATIC_NAME	"static1"

/* A copy of one peer's status (bgpd's pointers are not kept). */
struct pinfo {
	struct bgpd_peer_conf	 conf;
	struct bgpd_peer_info	 info;		/* conf, last_error: NULL */
	char			 err[128];
};

struct plist {
	struct pinfo	*v;
	size_t		 n, cap;
};

struct gwname {
	struct addr	 gw;
	char		 ifname[IF_NAMESIZE];
};

/* The state of one reply between pieces (req->cont). */
struct cont {
	size_t		 matched;	/* show protocols: rows shown */
	struct ctl_json	 json;		/* a JSON reply (CTL_F_JSON) */
	bool		 jstarted;
	struct prefix	*snap;		/* show route: the prefixes */
	size_t		 nsnap, capsnap, next;
	struct gwname	 gw[GW_CACHE];
	size_t		 ngw;
	size_t		 shown, examined, nets;
};

/* ---- peers ---- */

static void
collect_cb(void *arg, const struct bgpd_peer_info *pi)
{
	struct plist *l = arg;
	struct pinfo *p;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	p = &l->v[l->n++];
	p->conf = *pi->conf;
	p->info = *pi;
	p->info.conf = NULL;
	p->info.last_error = NULL;
	snprintf(p->err, sizeof(p->err), "%s",
	    pi->last_error != NULL ? pi->last_error : "");
}

/* Every peer, in name order (bgpd_peer_walk's order). */
static void
plist_collect(struct ctlglue *g, struct plist *l)
{
	memset(l, 0, sizeof(*l));
	bgpd_peer_walk(g->ag->bgpd, collect_cb, l);
}

static int
pinfo_cmp(const void *key, const void *elem)
{
	const struct pinfo *p = elem;

	return strcmp(key, p->conf.name);
}

static const struct pinfo *
plist_find(const struct plist *l, const char *name)
{
	if (l->n == 0)
		return NULL;
	return bsearch(name, l->v, l->n, sizeof(*l->v), pinfo_cmp);
}

/*
 * BIRD bgp_state_dsc: the higher connection state, "Passive" for a passive
 * session nobody has connected to; after a NOTIFICATION BIRD restarts the
 * protocol and shows Idle while it waits (our Active with that error).
 */
static const char *
bgp_word(const struct pinfo *p)
{
	enum bgp_state s = p->info.state;

	if (s == BGP_STATE_ESTABLISHED)
		return "Established";
	if (p->conf.passive && (s == BGP_STATE_IDLE || s == BGP_STATE_ACTIVE))
		return "Passive";
	if (s == BGP_STATE_ACTIVE &&
	    (strncmp(p->err, "BGP Error: ", 11) == 0 ||
	    strncmp(p->err, "Received: ", 10) == 0))
		return "Idle";
	return bgp_state_name(s);
}

static time_t
peer_since(const struct ctlglue *g, const struct pinfo *p)
{
	return p->info.since != 0 ? p->info.since : g->ag->started;
}

/* ---- continuation state ---- */

static void
wakeup_all(struct ctlglue *g)
{
	ctl_wakeup(g->s4.ctl);
	if (g->s6.ctl != NULL)
		ctl_wakeup(g->s6.ctl);
}

static struct cont *
cont_get(struct ctl_req *req)
{
	if (req->cont == NULL)
		req->cont = xcalloc(1, sizeof(struct cont));
	return req->cont;
}

static void
cont_free(struct ctlglue *g, struct ctl_req *req)
{
	struct cont *k = req->cont;

	if (k == NULL)
		return;
	if (k->snap != NULL) {
		g->snap_used -= k->nsnap;
		free(k->snap);
		wakeup_all(g);		/* a waiting show route may go */
	}
	free(k);
	req->cont = NULL;
}

/* ---- show protocols ---- */

static bool
proto_matches(const struct ctl_req *req, const char *name)
{
	if (req->name[0] == '\0')
		return true;
	if (req->pattern)
		return ctl_patmatch(req->name, name);
	return strcmp(req->name, name) == 0;
}

/* The first row: the heading, or the JSON document's beginning. */
static void
header(struct ctl_client *c, const struct ctl_req *req, struct cont *k)
{
	if (k->matched++ > 0)
		return;
	if (req->flags & CTL_F_JSON) {
		ctl_json_init(&k->json, c);
		ctl_json_open(&k->json, NULL);
		ctl_json_array(&k->json, "protocols");
		k->jstarted = true;
	} else
		ctl_printf(c, 2002, "%s", CTL_PROTO_HEADER);
}

static void
pseudo_details(struct ctlglue *g, struct ctl_client *c,
    const struct pseudo *ps)
{
	struct agent *ag = g->ag;
	size_t imp = 0, exp = 0, pref = 0;

	if (strcmp(ps->name, STATIC_NAME) == 0) {
		imp = ag->local_src.npaths;
		pref = ag->local_src.nbest;
	} else if (strcmp(ps->name, "kernel1") == 0 && ag->krt != NULL)
		exp = krt_count(ag->krt);
	ctl_printf(c, 1006, "  Preference:     %d", ps->pref);
	ctl_printf(c, 1006, "  Input filter:   %s", ps->in);
	ctl_printf(c, 1006, "  Output filter:  %s", ps->out);
	ctl_printf(c, 1006, "  Routes:         %zu imported, %zu exported, "
	    "%zu preferred", imp, exp, pref);
	if (strcmp(ps->name, "kernel1") == 0 && ag->krt != NULL) {
		struct krt_stats st;

		krt_stats(ag->krt, &st);
		ctl_printf(c, 1006, "  Kernel routes:  %zu installed, %zu "
		    "pending, %zu conflicts, %zu failed; %zu nexthop objects",
		    st.installed, st.pending, st.conflicts, st.failed,
		    st.nexthops);
		ctl_printf(c, 1006, "  Conflicts:      %llu since start "
		    "(another program's route held the prefix)",
		    (unsigned long long)st.conflicts_total);
	}
	ctl_printf(c, 1006, "%s", "");
}

static void
pseudo_json(struct ctlglue *g, const struct ctl_req *req, struct cont *k,
    const struct pseudo *ps)
{
	struct agent *ag = g->ag;
	struct ctl_json *j = &k->json;

	ctl_json_open(j, NULL);
	ctl_json_str(j, "name", ps->name);
	ctl_json_str(j, "proto", ps->proto);
	ctl_json_str(j, "table", "master");
	ctl_json_str(j, "state", "up");
	ctl_json_time(j, "since", ag->started);
	ctl_json_str(j, "info", "");
	if (req->flags & CTL_F_ALL) {
		ctl_json_int(j, "preference", ps->pref);
		ctl_json_str(j, "input_filter", ps->in);
		ctl_json_str(j, "output_filter", ps->out);
		ctl_json_open(j, "routes");
		ctl_json_uint(j, "imported", strcmp(ps->name, STATIC_NAME) ==
		    0 ? ag->local_src.npaths : 0);
		ctl_json_uint(j, "exported", strcmp(ps->name, "kernel1") == 0 &&
		    ag->krt != NULL ? krt_count(ag->krt) : 0);
		ctl_json_uint(j, "preferred", strcmp(ps->name, STATIC_NAME) ==
		    0 ? ag->local_src.nbest : 0);
		ctl_json_close(j);
		if (strcmp(ps->name, "kernel1") == 0 && ag->krt != NULL) {
			struct krt_stats st;

			krt_stats(ag->krt, &st);
			ctl_json_open(j, "kernel_routes");
			ctl_json_uint(j, "installed", st.installed);
			ctl_json_uint(j, "pending", st.pending);
			ctl_json_uint(j, "conflicts", st.conflicts);
			ctl_json_uint(j, "failed", st.failed);
			ctl_json_uint(j, "nexthop_objects", st.nexthops);
			ctl_json_uint(j, "conflicts_since_start",
			    st.conflicts_total);
			ctl_json_close(j);
		}
	}
	ctl_json_close(j);
}

static void
show_pseudo(struct ctlglue *g, struct ctl_client *c, const struct ctl_req *req,
    struct cont *k, const struct pseudo *ps)
{
	char since[32], row[CTL_LINE_SIZE];

	header(c, req, k);
	if (req->flags & CTL_F_JSON) {
		pseudo_json(g, req, k, ps);
		return;
	}
	ctl_fmt_since(since, sizeof(since), g->ag->started, time(NULL));
	ctl_printf(c, 1002, "%s", ctl_fmt_proto_row(row, sizeof(row),
	    ps->name, ps->proto, "master", "up", since, ""));
	if (req->flags & CTL_F_ALL)
		pseudo_details(g, c, ps);
}

/* BIRD 1.6 bgp_show_proto_info, as far as bgpd tells */
static void
bgp_session_details(struct ctlglue *g, struct ctl_client *c,
    const struct pinfo *p)
{
	/* the connection's own end (sourceAddress None: the kernel's
	 * choice), else the node's address */
	const struct addr *src = addr_is_set(&p->info.local) ?
	    &p->info.local : p->conf.addr.af == AF_INET6 ?
	    &g->ag->local.ipv6 : &g->ag->local.ipv4;
	char a[ADDR_STRLEN];
	struct addr id;

	addr_set_v4(&id, p->info.remote_id);
	ctl_printf(c, 1006, "    Neighbor ID:      %s",
	    addr_fmt(&id, a, sizeof(a)));
	/* BIRD's bgp_show_proto_info: "route-reflector" when rr client */
	ctl_printf(c, 1006, "    Session:          %s%s",
	    p->info.ebgp ? "external" : "internal",
	    p->conf.rr_client ? " route-reflector" : "");
	ctl_printf(c, 1006, "    Source address:   %s",
	    addr_fmt(src, a, sizeof(a)));
	ctl_printf(c, 1006, "    Hold timer:       %u", p->info.hold_time);
	ctl_printf(c, 1006, "    Keepalive timer:  %u",
	    p->info.keepalive_time);
}

/*
 * tern's own lines (SPEC 8: what a neighbour made us spend, and what was
 * refused), after BIRD's Routes line; BIRD clients read none of them.
 */
static void
bgp_bounds(struct ctl_client *c, const struct pinfo *p)
{
	const struct bgpd_peer_info *i = &p->info;

	ctl_printf(c, 1006, "  Refused routes: %llu (AS loops %llu, reflection "
	    "loops %llu)", (unsigned long long)i->rx_refused,
	    (unsigned long long)i->rx_loops,
	    (unsigned long long)i->rx_rr_loops);
	if (i->mem_max > 0)
		ctl_printf(c, 1006, "  Memory:         %zu of %zu bytes",
		    i->mem, i->mem_max);
	else
		ctl_printf(c, 1006, "  Memory:         %zu bytes (no limit)",
		    i->mem);
	ctl_printf(c, 1006, "  Route refresh:  %llu received, %llu served",
	    (unsigned long long)i->refresh_rx,
	    (unsigned long long)i->refresh_served);
	ctl_printf(c, 1006, "  Input paused:   %llu times (buffer full)",
	    (unsigned long long)i->in_full);
	if (i->upgroup != 0)
		ctl_printf(c, 1006, "  Update group:   %u (%zu sessions), left "
		    "%llu times for lagging", i->upgroup, i->upgroup_members,
		    (unsigned long long)i->upgroup_lagged);
	else
		ctl_printf(c, 1006, "  Update group:   none, left %llu times "
		    "for lagging", (unsigned long long)i->upgroup_lagged);
}

static void
bgp_details(struct ctlglue *g, struct ctl_client *c, const struct pinfo *p)
{
	char a[ADDR_STRLEN];

	ctl_printf(c, 1006, "  Description:    Connection to BGP peer");
	ctl_printf(c, 1006, "  Preference:     %d", BGP_PREF);
	ctl_printf(c, 1006, "  Input filter:   (unnamed)");
	ctl_printf(c, 1006, "  Output filter:  (unnamed)");
	if (p->info.rx_refused > 0)	/* BIRD 1.6 shows filtered when any */
		ctl_printf(c, 1006, "  Routes:         %zu imported, %llu "
		    "filtered, %zu exported, %zu preferred",
		    p->info.routes_imported,
		    (unsigned long long)p->info.rx_refused,
		    p->info.routes_exported, p->info.routes_preferred);
	else
		ctl_printf(c, 1006, "  Routes:         %zu imported, %zu "
		    "exported, %zu preferred", p->info.routes_imported,
		    p->info.routes_exported, p->info.routes_preferred);
	bgp_bounds(c, p);
	ctl_printf(c, 1006, "  BGP state:          %s", bgp_word(p));
	ctl_printf(c, 1006, "    Neighbor address: %s",
	    addr_fmt(&p->conf.addr, a, sizeof(a)));
	ctl_printf(c, 1006, "    Neighbor AS:      %u", p->conf.as);
	if (p->info.llgr_stale)
		ctl_printf(c, 1006, "    Neighbor long-lived graceful restart "
		    "active");
	else if (p->info.gr_stale)
		ctl_printf(c, 1006, "    Neighbor graceful restart active");
	if (p->info.state == BGP_STATE_ESTABLISHED)
		bgp_session_details(g, c, p);
	if (p->err[0] != '\0')
		ctl_printf(c, 1006, "    Last error:       %s", p->err);
	ctl_printf(c, 1006, "%s", "");
}

static void
bgp_json_all(struct ctlglue *g, struct ctl_json *j, const struct pinfo *p)
{
	const struct bgpd_peer_info *i = &p->info;
	const struct addr *src = p->conf.addr.af == AF_INET6 ?
	    &g->ag->local.ipv6 : &g->ag->local.ipv4;
	char a[ADDR_STRLEN];
	struct addr id;

	ctl_json_str(j, "description", "Connection to BGP peer");
	ctl_json_int(j, "preference", BGP_PREF);
	ctl_json_open(j, "routes");
	ctl_json_uint(j, "imported", i->routes_imported);
	ctl_json_uint(j, "filtered", i->rx_refused);
	ctl_json_uint(j, "exported", i->routes_exported);
	ctl_json_uint(j, "preferred", p->info.routes_preferred);
	ctl_json_close(j);
	ctl_json_uint(j, "refused_as_loops", i->rx_loops);
	ctl_json_uint(j, "refused_reflection_loops", i->rx_rr_loops);
	ctl_json_bool(j, "route_reflector_client", p->conf.rr_client);
	ctl_json_uint(j, "memory", i->mem);
	if (i->mem_max > 0)
		ctl_json_uint(j, "memory_max", i->mem_max);
	else
		ctl_json_null(j, "memory_max");
	ctl_json_uint(j, "refresh_received", i->refresh_rx);
	ctl_json_uint(j, "refresh_served", i->refresh_served);
	ctl_json_uint(j, "input_paused", i->in_full);
	ctl_json_bool(j, "graceful_restart_active", i->gr_stale);
	ctl_json_bool(j, "long_lived_stale_active", i->llgr_stale);
	if (i->state != BGP_STATE_ESTABLISHED)
		return;
	addr_set_v4(&id, i->remote_id);
	ctl_json_str(j, "neighbor_id", addr_fmt(&id, a, sizeof(a)));
	ctl_json_str(j, "session", i->ebgp ? "external" : "internal");
	ctl_json_str(j, "source_address", addr_fmt(src, a, sizeof(a)));
	ctl_json_uint(j, "hold_time", i->hold_time);
	ctl_json_uint(j, "keepalive_time", i->keepalive_time);
}

/* "Active Socket: Connection refused": the state word, then the error */
static void
json_info(struct ctl_json *j, const char *word, const char *err)
{
	char buf[CTL_LINE_SIZE];

	snprintf(buf, sizeof(buf), "%s%s%s", word, err[0] != '\0' ? " " : "",
	    err);
	ctl_json_str(j, "info", buf);
}

static void
bgp_json(struct ctlglue *g, const struct ctl_req *req, struct cont *k,
    const struct pinfo *p)
{
	struct ctl_json *j = &k->json;
	char a[ADDR_STRLEN];

	ctl_json_open(j, NULL);
	ctl_json_str(j, "name", p->conf.name);
	ctl_json_str(j, "proto", "BGP");
	ctl_json_str(j, "table", "master");
	ctl_json_str(j, "state", p->info.state == BGP_STATE_ESTABLISHED ?
	    "up" : "start");
	ctl_json_time(j, "since", peer_since(g, p));
	/* the info column as calicoctl reads it: words one space apart */
	json_info(j, bgp_word(p), p->err);
	ctl_json_str(j, "bgp_state", bgp_word(p));
	ctl_json_str(j, "af", p->conf.addr.af == AF_INET6 ? "ipv6" : "ipv4");
	ctl_json_str(j, "neighbor_address", addr_fmt(&p->conf.addr, a,
	    sizeof(a)));
	ctl_json_uint(j, "neighbor_as", p->conf.as);
	ctl_json_bool(j, "passive", p->conf.passive);
	if (p->err[0] != '\0')
		ctl_json_str(j, "last_error", p->err);
	else
		ctl_json_null(j, "last_error");
	if (req->flags & CTL_F_ALL)
		bgp_json_all(g, j, p);
	ctl_json_close(j);
}

static void
show_bgp(struct ctlglue *g, struct ctl_client *c, const struct ctl_req *req,
    struct cont *k, const struct pinfo *p)
{
	char since[32], info[160], row[CTL_LINE_SIZE];
	bool up = p->info.state == BGP_STATE_ESTABLISHED;

	header(c, req, k);
	if (req->flags & CTL_F_JSON) {
		bgp_json(g, req, k, p);
		return;
	}
	ctl_fmt_bgp_info(info, sizeof(info), bgp_word(p), p->err);
	ctl_fmt_since(since, sizeof(since), peer_since(g, p), time(NULL));
	ctl_printf(c, 1002, "%s", ctl_fmt_proto_row(row, sizeof(row),
	    p->conf.name, "BGP", "master", up ? "up" : "start", since, info));
	if (req->flags & CTL_F_ALL)
		bgp_details(g, c, p);
}

/* The BGP rows after req->cursor, as many as the output takes. */
static bool
bgp_rows(struct ctlglue *g, struct ctl_client *c, struct ctl_req *req,
    struct cont *k, uint8_t af)
{
	struct plist l;
	size_t i;
	bool more;

	plist_collect(g, &l);
	for (i = 0; i < l.n && ctl_room(c); i++) {
		const struct pinfo *p = &l.v[i];

		if (req->cursor[0] != '\0' &&
		    strcmp(p->conf.name, req->cursor) <= 0)
			continue;
		if (proto_matches(req, p->conf.name) &&
		    (af == 0 || p->conf.addr.af == af))
			show_bgp(g, c, req, k, p);
		snprintf(req->cursor, sizeof(req->cursor), "%s", p->conf.name);
	}
	more = i < l.n;
	free(l.v);
	return more;
}

/*
 * af: the sessions this socket shows (ctlsock); JSON (ternctl's own) shows
 * every session on any socket.
 */
static enum ctl_result
run_protocols(struct ctlglue *g, struct ctl_client *c, struct ctl_req *req,
    uint8_t af)
{
	struct cont *k = cont_get(req);

	if (req->flags & CTL_F_JSON)
		af = 0;
	if (k->jstarted)
		k->json.c = c;
	for (; req->pos < NITEMS(pseudos) && ctl_room(c); req->pos++)
		if (proto_matches(req, pseudos[req->pos].name))
			show_pseudo(g, c, req, k, &pseudos[req->pos]);
	if (req->pos < NITEMS(pseudos) || bgp_rows(g, c, req, k, af)) {
		if (k->jstarted)
			ctl_json_flush(&k->json);
		return CTL_MORE;
	}
	/* BIRD proto_apply_cmd: a name or pattern that matched nothing */
	if (k->matched == 0)
		ctl_final(c, 8003, "No protocols match");
	else {
		if (k->jstarted) {
			ctl_json_end(&k->json);
			ctl_json_close(&k->json);
			ctl_json_flush(&k->json);
		}
		ctl_final(c, 0, "%s", "");
	}
	cont_free(g, req);
	return CTL_DONE;
}

/* ---- show route ---- */

/* calico_kernel_programming (fibwant_hop): the pool's IPIP mode puts gw
 * on tunl0 */
static bool
via_tunnel(const struct agent *ag, const struct prefix *pfx,
    const struct addr *gw)
{
	struct krt_hop h;

	fibwant_hop(agent_pool_of(ag, pfx), &ag->local, agent_tunl0,
	    gw, &h);
	return h.onlink;
}

/* The interface the kernel resolves for gw (BIRD: "via GW on IFACE"). */
static void
resolve_if(struct ctlglue *g, const struct addr *gw, char *ifname)
{
	uint32_t oif;

	snprintf(ifname, IF_NAMESIZE, "?");
	if (g->nl == NULL && !g->nl_failed) {
		g->nl = nl_new(NULL, g->ag->conf->kernel.protocol,
		    g->ag->conf->kernel.table, NULL, NULL);
		g->nl_failed = g->nl == NULL;
	}
	if (g->nl != NULL && nl_resolve(g->nl, gw, &oif) == 0 &&
	    if_indextoname(oif, ifname) == NULL)
		snprintf(ifname, IF_NAMESIZE, "?");
}

static const char *
via_iface(struct ctlglue *g, struct cont *k, const struct prefix *pfx,
    const struct addr *gw)
{
	static char tmp[IF_NAMESIZE];
	size_t i;

	if (via_tunnel(g->ag, pfx, gw))
		return "tunl0";
	for (i = 0; i < k->ngw; i++)
		if (addr_eq(&k->gw[i].gw, gw))
			return k->gw[i].ifname;
	if (k->ngw == GW_CACHE) {
		resolve_if(g, gw, tmp);
		return tmp;
	}
	k->gw[k->ngw].gw = *gw;
	resolve_if(g, gw, k->gw[k->ngw].ifname);
	return k->gw[k->ngw++].ifname;
}

/* BIRD as_path_get_last: the last AS of a final AS_SEQUENCE */
static bool
aspath_last(const struct rib_attrs *a, uint32_t *as)
{
	struct aspath_iter it;
	struct aspath_seg seg;
	uint32_t v;
	bool found = false;

	aspath_iter_init(&it, a->aspath, a->aspath_len, 4);
	while (aspath_next(&it, &seg) == 1) {
		if (seg.count > 0 && seg.type == ASPATH_SEQUENCE) {
			while (aspath_seg_as(&seg, &v) == 1)
				*as = v;
			found = true;
		} else if (seg.count > 0 && seg.type == ASPATH_SET)
			found = false;
	}
	return found;
}

static const char *
path_proto(const struct agent *ag, const struct rib_path *p)
{
	return p->src == &ag->local_src ? STATIC_NAME : p->src->name;
}

/* BIRD 1.6 bgp_get_route_info: " (pref/igp) [ASorigin]" */
static void
route_info(const struct agent *ag, const struct rib_path *p, char *buf,
    size_t len)
{
	uint32_t as;
	char asbuf[16] = "";

	if (p->src == &ag->local_src) {
		snprintf(buf, len, " (200)");
		return;
	}
	if (aspath_last(p->attrs, &as))
		snprintf(asbuf, sizeof(asbuf), "AS%u", as);
	/* BIRD: "s" after the preference for an LLGR_STALE route */
	snprintf(buf, len, " (%d%s/0) [%s%c]", BGP_PREF,
	    p->attrs->llgr_stale ? "s" : "", asbuf,
	    p->attrs->origin <= 2 ? "ie?"[p->attrs->origin] : '?');
}

static void
aspath_str(const struct rib_attrs *a, char *buf, size_t len)
{
	struct aspath_iter it;
	struct aspath_seg seg;
	uint32_t as;
	size_t o = 0;
	bool set;

	buf[0] = '\0';
	aspath_iter_init(&it, a->aspath, a->aspath_len, 4);
	while (aspath_next(&it, &seg) == 1 && o < len) {
		set = seg.type == ASPATH_SET;
		for (unsigned i = 0; aspath_seg_as(&seg, &as) == 1 && o < len;
		    i++)
			o += (size_t)snprintf(buf + o, len - o, "%s%s%u%s",
			    o > 0 ? " " : "", set && i == 0 ? "{" : "", as,
			    set && i + 1 == seg.count ? "}" : "");
	}
}

static void
id_list(struct ctl_client *c, const char *what, const uint32_t *v, size_t n)
{
	char buf[CTL_LINE_SIZE], a[ADDR_STRLEN];
	struct addr id;
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && o < sizeof(buf); i++) {
		addr_set_v4(&id, v[i]);
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s",
		    i > 0 ? " " : "", addr_fmt(&id, a, sizeof(a)));
	}
	ctl_printf(c, 1012, "\t%s: %s", what, buf);
}

static void
communities(struct ctl_client *c, const struct rib_attrs *a)
{
	char buf[CTL_LINE_SIZE];
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < a->ncommunities && o < sizeof(buf); i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s(%u,%u)",
		    i > 0 ? " " : "", a->communities[i] >> 16,
		    a->communities[i] & 0xffff);
	ctl_printf(c, 1012, "\tBGP.community: %s", buf);
}

/* BIRD 2's lc_set_format: "(65000, 1, 2) (65000, 1, 3)" */
static void
large_communities(struct ctl_client *c, const struct rib_attrs *a)
{
	char buf[CTL_LINE_SIZE];
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < a->nlarge && o < sizeof(buf); i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o,
		    "%s(%u, %u, %u)", i > 0 ? " " : "", a->large[3 * i],
		    a->large[3 * i + 1], a->large[3 * i + 2]);
	ctl_printf(c, 1012, "\tBGP.large_community: %s", buf);
}

/* BIRD 1.6 rta_show: "show route all" lines, attributes in code order */
static void
route_attrs(const struct agent *ag, struct ctl_client *c,
    const struct rib_path *p)
{
	static const char *const origins[] = { "IGP", "EGP", "Incomplete" };
	const struct rib_attrs *a = p->attrs;
	char buf[CTL_LINE_SIZE], nh[ADDR_STRLEN], ll[ADDR_STRLEN];
	struct addr id;

	if (p->src == &ag->local_src || p->src == &ag->svc_src) {
		ctl_printf(c, 1008, "\tType: static unicast univ");
		return;
	}
	ctl_printf(c, 1008, "\tType: BGP unicast univ");
	ctl_printf(c, 1012, "\tBGP.origin: %s",
	    a->origin <= 2 ? origins[a->origin] : "?");
	aspath_str(a, buf, sizeof(buf));
	ctl_printf(c, 1012, "\tBGP.as_path: %s", buf);
	ctl_printf(c, 1012, "\tBGP.next_hop: %s%s%s",
	    addr_fmt(&a->nexthop, nh, sizeof(nh)),
	    addr_is_set(&a->nexthop_ll) ? " " : "",
	    addr_is_set(&a->nexthop_ll) ?
	    addr_fmt(&a->nexthop_ll, ll, sizeof(ll)) : "");
	if (a->has_med)
		ctl_printf(c, 1012, "\tBGP.med: %u", a->med);
	if (a->has_local_pref)
		ctl_printf(c, 1012, "\tBGP.local_pref: %u", a->local_pref);
	if (a->atomic_aggregate)
		ctl_printf(c, 1012, "\tBGP.atomic_aggr:");
	if (a->has_aggregator) {
		addr_set_v4(&id, a->aggregator_id);
		ctl_printf(c, 1012, "\tBGP.aggregator: %s AS%u",
		    addr_fmt(&id, nh, sizeof(nh)), a->aggregator_as);
	}
	if (a->ncommunities > 0)
		communities(c, a);
	if (a->has_originator_id)
		id_list(c, "BGP.originator_id", &a->originator_id, 1);
	if (a->ncluster > 0)
		id_list(c, "BGP.cluster_list", a->cluster_list, a->ncluster);
	if (a->nlarge > 0)
		large_communities(c, a);
}

/* One show route reply in progress. */
struct rshow {
	struct ctlglue		*g;
	struct ctl_client	*c;
	struct cont		*k;
	const struct ctl_req	*req;
	struct plist		 peers;
};

/*
 * Not in the kernel although chosen (krt_route_state): said after the
 * route, so that an operator sees why `ip route` lacks it; BIRD has no such
 * state (it would have replaced the other route).
 */
static const char *
kernel_mark(const struct agent *ag, const struct prefix *pfx)
{
	uint32_t id;

	if (ag->krt == NULL || !rib_prefix_id(ag->rib, pfx, &id))
		return "";
	switch (krt_route_state(ag->krt, id)) {
	case KRT_S_CONFLICT:
		return " !kernel: another program's route holds it";
	case KRT_S_FAILED:
		return " !kernel: not installed, retrying";
	case KRT_S_NONE:
		for (size_t i = 0; i < ag->npools; i++)
			if (prefix_contains(&ag->pools[i].cidr, pfx) &&
			    ag->pools[i].vxlan != DS_VXLAN_NEVER)
				return " !kernel: VXLAN pool, Felix programs it";
		return "";
	default:
		return "";
	}
}

/* BIRD 1.6 rt_show_rte: "%-18s %s [%s %s%s]%s%s" */
static void
route_line(struct rshow *s, const struct prefix *pfx,
    const struct rib_path *p, bool first, bool primary)
{
	const struct agent *ag = s->g->ag;
	const struct pinfo *pi = plist_find(&s->peers, p->src->name);
	bool own = p->src == &ag->local_src;
	char net[PREFIX_STRLEN] = "", via[ADDR_STRLEN + IF_NAMESIZE + 8];
	char tm[32], from[ADDR_STRLEN + 8] = "", info[48], a[ADDR_STRLEN];
	time_t t = !own && pi != NULL ? peer_since(s->g, pi) : ag->started;

	if (first)
		prefix_fmt(pfx, net, sizeof(net));
	if (own)
		snprintf(via, sizeof(via), "blackhole");
	else
		snprintf(via, sizeof(via), "via %s on %s",
		    addr_fmt(&p->attrs->nexthop, a, sizeof(a)),
		    via_iface(s->g, s->k, pfx, &p->attrs->nexthop));
	if (!own && !addr_eq(&p->src->addr, &p->attrs->nexthop))
		snprintf(from, sizeof(from), " from %s",
		    addr_fmt(&p->src->addr, a, sizeof(a)));
	route_info(ag, p, info, sizeof(info));
	ctl_printf(s->c, 1007, "%-18s %s [%s %s%s]%s%s%s", net, via,
	    path_proto(ag, p), ctl_fmt_since(tm, sizeof(tm), t, time(NULL)),
	    from, primary ? " *" : "", info,
	    primary ? kernel_mark(ag, pfx) : "");
	if (s->req->flags & CTL_F_ALL)
		route_attrs(ag, s->c, p);
}

static void
json_aspath(struct ctl_json *j, const struct rib_attrs *a)
{
	struct aspath_iter it;
	struct aspath_seg seg;
	uint32_t as;

	ctl_json_array(j, "as_path");
	aspath_iter_init(&it, a->aspath, a->aspath_len, 4);
	while (aspath_next(&it, &seg) == 1) {
		if (seg.type == ASPATH_SET)
			ctl_json_array(j, NULL);
		while (aspath_seg_as(&seg, &as) == 1)
			ctl_json_uint(j, NULL, as);
		if (seg.type == ASPATH_SET)
			ctl_json_end(j);
	}
	ctl_json_end(j);
}

/* One path as JSON: what route_line and route_attrs say, as fields. */
static void
route_json(struct rshow *s, const struct prefix *pfx,
    const struct rib_path *p, bool primary)
{
	static const char *const origins[] = { "IGP", "EGP", "Incomplete" };
	const struct agent *ag = s->g->ag;
	const struct pinfo *pi = plist_find(&s->peers, p->src->name);
	const struct rib_attrs *a = p->attrs;
	struct ctl_json *j = &s->k->json;
	bool own = p->src == &ag->local_src;
	char b[ADDR_STRLEN];
	const char *mark = primary ? kernel_mark(ag, pfx) : "";

	ctl_json_open(j, NULL);
	ctl_json_str(j, "proto", path_proto(ag, p));
	ctl_json_str(j, "type", own ? "static" : "BGP");
	ctl_json_bool(j, "primary", primary);
	ctl_json_time(j, "since", !own && pi != NULL ? peer_since(s->g, pi) :
	    ag->started);
	ctl_json_int(j, "preference", own ? 200 : BGP_PREF);
	if (own) {
		ctl_json_str(j, "dest", "blackhole");
		ctl_json_null(j, "gateway");
		ctl_json_null(j, "interface");
	} else {
		ctl_json_str(j, "dest", "unicast");
		ctl_json_str(j, "gateway", addr_fmt(&a->nexthop, b,
		    sizeof(b)));
		ctl_json_str(j, "interface", via_iface(s->g, s->k, pfx,
		    &a->nexthop));
		ctl_json_str(j, "from", addr_fmt(&p->src->addr, b,
		    sizeof(b)));
		ctl_json_str(j, "origin", a->origin <= 2 ?
		    origins[a->origin] : "?");
		/* RFC 4724 / RFC 9494: kept for a peer that went away */
		ctl_json_bool(j, "stale", p->stale);
		ctl_json_bool(j, "llgr_stale", a->llgr_stale);
		json_aspath(j, a);
		if (a->has_med)
			ctl_json_uint(j, "med", a->med);
		if (a->has_local_pref)
			ctl_json_uint(j, "local_pref", a->local_pref);
		if (a->ncommunities > 0) {
			ctl_json_array(j, "communities");
			for (size_t i = 0; i < a->ncommunities; i++) {
				ctl_json_array(j, NULL);
				ctl_json_uint(j, NULL, a->communities[i] >> 16);
				ctl_json_uint(j, NULL,
				    a->communities[i] & 0xffff);
				ctl_json_end(j);
			}
			ctl_json_end(j);
		}
		if (a->nlarge > 0) {
			ctl_json_array(j, "large_communities");
			for (size_t i = 0; i < 3 * (size_t)a->nlarge; i++) {
				if (i % 3 == 0)
					ctl_json_array(j, NULL);
				ctl_json_uint(j, NULL, a->large[i]);
				if (i % 3 == 2)
					ctl_json_end(j);
			}
			ctl_json_end(j);
		}
	}
	/* " !kernel: why": not in the kernel although chosen */
	if (mark[0] != '\0')
		ctl_json_str(j, "kernel", mark + 10);
	else
		ctl_json_null(j, "kernel");
	ctl_json_close(j);
}

/* BIRD 1.6 rt_show_net: the paths of one prefix, best first */
static void
show_net(struct rshow *s, const struct rib_entry *e)
{
	const struct ctl_req *req = s->req;
	const struct rib_path *p;
	struct prefix pfx = rib_entry_prefix(e);
	bool first = true, json = (req->flags & CTL_F_JSON) &&
	    !(req->flags & CTL_F_COUNT);
	char net[PREFIX_STRLEN];

	for (p = rib_entry_paths(e); p != NULL; p = p->next) {
		s->k->examined++;
		if (req->proto[0] == '\0' ||
		    strcmp(path_proto(s->g->ag, p), req->proto) == 0) {
			if (json && first) {
				ctl_json_open(&s->k->json, NULL);
				ctl_json_str(&s->k->json, "prefix",
				    prefix_fmt(&pfx, net, sizeof(net)));
				ctl_json_str(&s->k->json, "table",
				    pfx.af == AF_INET6 ? "master6" :
				    "master4");
				ctl_json_array(&s->k->json, "paths");
			}
			if (json)
				route_json(s, &pfx, p, p == rib_entry_best(e));
			else if (!(req->flags & CTL_F_COUNT))
				route_line(s, &pfx, p, first,
				    p == rib_entry_best(e));
			s->k->shown++;
			first = false;
		}
		if (req->flags & CTL_F_PRIMARY)
			break;
	}
	if (!first)
		s->k->nets++;
	if (json && !first) {
		ctl_json_end(&s->k->json);
		ctl_json_close(&s->k->json);
	}
}

static bool
af_ok(const struct ctl_req *req, const struct prefix *pfx)
{
	return req->af == 0 || req->af == pfx->af;
}

/* p cut to its first len bits */
static void
prefix_cut(struct prefix *q, const struct prefix *p, unsigned len)
{
	*q = *p;
	q->len = (uint8_t)len;
	for (unsigned i = 0; i < sizeof(q->b); i++) {
		if (i * 8 >= len)
			q->b[i] = 0;
		else if (i * 8 + 8 > len)
			q->b[i] &= (uint8_t)(0xffu << (8 - (len - i * 8)));
	}
}

/* show route for X: the longest prefix covering X; show route X: X */
static const struct rib_entry *
route_target(const struct rib *rib, const struct ctl_req *req)
{
	const struct rib_entry *e;
	struct prefix q;

	if (req->target == CTL_T_NET)
		return rib_lookup(rib, &req->net);
	for (unsigned len = req->net.len + 1; len-- > 0;) {
		prefix_cut(&q, &req->net, len);
		if ((e = rib_lookup(rib, &q)) != NULL)
			return e;
	}
	return NULL;
}

static int
count_cb(void *arg, const struct rib_entry *e)
{
	struct rshow *s = arg;
	struct prefix pfx = rib_entry_prefix(e);

	if (af_ok(s->req, &pfx))
		show_net(s, e);
	return 0;
}

static void
count_json(struct rshow *s)
{
	struct ctl_json j;

	ctl_json_init(&j, s->c);
	ctl_json_open(&j, NULL);
	ctl_json_uint(&j, "routes", s->k->shown);
	ctl_json_uint(&j, "examined", s->k->examined);
	ctl_json_uint(&j, "networks", s->k->nets);
	ctl_json_close(&j);
	ctl_json_flush(&j);
	ctl_final(s->c, 0, "%s", "");
}

static void
route_count(struct rshow *s)
{
	const struct ctl_req *req = s->req;
	struct cont *k = s->k;
	const struct rib *rib = s->g->ag->rib;

	if (req->af == 0 && req->proto[0] == '\0' &&
	    !(req->flags & CTL_F_PRIMARY)) {
		k->shown = k->examined = rib_count_paths(rib);
		k->nets = rib_count_prefixes(rib);
	} else
		rib_walk(rib, count_cb, s);
	if (req->flags & CTL_F_JSON) {
		count_json(s);
		return;
	}
	/* BIRD 1.6 rt_show_cont */
	ctl_final(s->c, 14, "%zu of %zu routes for %zu networks", k->shown,
	    k->examined, k->nets);
}

static int
snap_cb(void *arg, const struct rib_entry *e)
{
	struct rshow *s = arg;
	struct cont *k = s->k;
	struct prefix pfx = rib_entry_prefix(e);

	if (af_ok(s->req, &pfx) && k->nsnap < k->capsnap)
		k->snap[k->nsnap++] = pfx;
	return 0;
}

/* The prefixes to show, in order; CTL_WAIT when over the budget. */
static enum ctl_result
snapshot(struct rshow *s)
{
	struct ctlglue *g = s->g;
	size_t n = rib_count_prefixes(g->ag->rib), used = g->snap_used;

	if (n == 0)
		return CTL_DONE;
	if (used > 0 && used + n > SNAP_BUDGET)
		return CTL_WAIT;
	s->k->snap = xreallocarray(NULL, n, sizeof(*s->k->snap));
	s->k->capsnap = n;
	rib_walk(g->ag->rib, snap_cb, s);
	g->snap_used = used + s->k->nsnap;
	return CTL_MORE;
}

static enum ctl_result
route_list(struct rshow *s)
{
	struct cont *k = s->k;
	const struct rib *rib = s->g->ag->rib;
	const struct rib_entry *e;
	enum ctl_result r;

	if (k->snap == NULL && (r = snapshot(s)) != CTL_MORE)
		return r;
	while (k->next < k->nsnap && ctl_room(s->c))
		if ((e = rib_lookup(rib, &k->snap[k->next++])) != NULL)
			show_net(s, e);
	return k->next < k->nsnap ? CTL_MORE : CTL_DONE;
}

/* A JSON route list: {"routes":[ ... ]}, begun once per reply */
static void
json_begin(struct rshow *s)
{
	struct cont *k = s->k;

	if (!(s->req->flags & CTL_F_JSON) || (s->req->flags & CTL_F_COUNT))
		return;
	if (k->jstarted) {
		k->json.c = s->c;
		return;
	}
	ctl_json_init(&k->json, s->c);
	ctl_json_open(&k->json, NULL);
	ctl_json_array(&k->json, "routes");
	k->jstarted = true;
}

static void
json_finish(struct rshow *s)
{
	if (!s->k->jstarted)
		return;
	ctl_json_end(&s->k->json);
	ctl_json_close(&s->k->json);
	ctl_json_flush(&s->k->json);
}

static enum ctl_result
route_one(struct rshow *s)
{
	const struct rib_entry *e = route_target(s->g->ag->rib, s->req);
	struct prefix pfx;

	if (e != NULL)
		pfx = rib_entry_prefix(e);
	if (e == NULL || !af_ok(s->req, &pfx)) {
		ctl_final(s->c, 8001, "Network not found");
		return CTL_DONE;
	}
	json_begin(s);
	show_net(s, e);
	if ((s->req->flags & CTL_F_COUNT) && (s->req->flags & CTL_F_JSON))
		count_json(s);
	else if (s->req->flags & CTL_F_COUNT)
		ctl_final(s->c, 14, "%zu of %zu routes for %zu networks",
		    s->k->shown, s->k->examined, s->k->nets);
	else {
		json_finish(s);
		ctl_final(s->c, 0, "%s", "");
	}
	return CTL_DONE;
}

static enum ctl_result
run_routes(struct ctlglue *g, struct ctl_client *c, struct ctl_req *req)
{
	struct rshow s = { .g = g, .c = c, .k = cont_get(req), .req = req };
	enum ctl_result r;

	plist_collect(g, &s.peers);
	if (req->target != CTL_T_NONE)
		r = route_one(&s);
	else if (req->flags & CTL_F_COUNT) {
		route_count(&s);
		r = CTL_DONE;
	} else {
		json_begin(&s);
		if ((r = route_list(&s)) == CTL_DONE) {
			json_finish(&s);
			ctl_final(c, 0, "%s", "");
		} else if (s.k->jstarted)
			ctl_json_flush(&s.k->json);
	}
	free(s.peers.v);
	if (r == CTL_DONE)
		cont_free(g, req);
	return r;
}

/* ---- show status, configure ---- */

static const char *
router_id(const struct agent *ag, char *buf, size_t len)
{
	if (addr_is_set(&ag->local.ipv4))
		return addr_fmt(&ag->local.ipv4, buf, len);
	if (addr_is_set(&ag->conf->node.ipv4))
		return addr_fmt(&ag->conf->node.ipv4, buf, len);
	snprintf(buf, len, "0.0.0.0");
	return buf;
}

/* BIRD graceful_restart_show_status: our FIB survived a restart and the
 * first full sync (every End-of-RIB, or the restart time) is not done */
static void
gr_status(struct ctlglue *g, struct ctl_client *c, time_t now)
{
	const struct agent *ag = g->ag;
	struct plist l;
	size_t waiting = 0;
	long left = (long)ag->conf->bgp.restart_time - (long)(now -
	    ag->started);

	plist_collect(g, &l);
	for (size_t i = 0; i < l.n; i++)
		if (!l.v[i].info.eor_received)
			waiting++;
	free(l.v);
	ctl_printf(c, 24, "Graceful restart recovery in progress");
	ctl_printf(c, 24, "  Waiting for %zu protocols to recover", waiting);
	ctl_printf(c, 24, "  Wait timer is %ld/%u", left > 0 ? left : 0,
	    ag->conf->bgp.restart_time);
}

/* show status as JSON: the same facts, times in RFC 3339 */
/* This node's route reflector cluster ID (ds_local), dotted. */
static const char *
cluster_id(const struct agent *ag, char *buf, size_t len)
{
	struct addr a;

	addr_set_v4(&a, ag->local.rr_cluster_id);
	return addr_fmt(&a, buf, len);
}

static enum ctl_result
status_json(struct ctlglue *g, struct ctl_client *c)
{
	const struct agent *ag = g->ag;
	char id[ADDR_STRLEN];
	struct ctl_json j;
	time_t now = time(NULL);
	struct plist l;
	size_t waiting = 0;
	long left;

	ctl_json_init(&j, c);
	ctl_json_open(&j, NULL);
	ctl_json_str(&j, "version", "BIRD " CTLG_VERSION);
	ctl_json_str(&j, "router_id", router_id(ag, id, sizeof(id)));
	if (ag->local.rr_cluster_id != 0)
		ctl_json_str(&j, "rr_cluster_id", cluster_id(ag, id,
		    sizeof(id)));
	else
		ctl_json_null(&j, "rr_cluster_id");
	ctl_json_time(&j, "server_time", now);
	ctl_json_time(&j, "last_reboot", ag->started);
	ctl_json_time(&j, "last_reconfiguration", g->reconfigured);
	if (!ag->fib_synced && ag->krt != NULL && krt_had_routes(ag->krt)) {
		plist_collect(g, &l);
		for (size_t i = 0; i < l.n; i++)
			if (!l.v[i].info.eor_received)
				waiting++;
		free(l.v);
		left = (long)ag->conf->bgp.restart_time - (long)(now -
		    ag->started);
		ctl_json_open(&j, "graceful_restart");
		ctl_json_uint(&j, "waiting_protocols", waiting);
		ctl_json_int(&j, "wait_left", left > 0 ? left : 0);
		ctl_json_uint(&j, "wait_time", ag->conf->bgp.restart_time);
		ctl_json_close(&j);
	} else
		ctl_json_null(&j, "graceful_restart");
	ctl_json_str(&j, "status", "Daemon is up and running");
	ctl_json_close(&j);
	ctl_json_flush(&j);
	ctl_final(c, 0, "%s", "");
	return CTL_DONE;
}

static enum ctl_result
run_status(struct ctlglue *g, struct ctl_client *c, const struct ctl_req *req)
{
	const struct agent *ag = g->ag;
	char t[32], id[ADDR_STRLEN];
	time_t now = time(NULL);

	if (req->flags & CTL_F_JSON)
		return status_json(g, c);

	ctl_printf(c, 1000, "BIRD %s", CTLG_VERSION);
	ctl_printf(c, 1011, "Router ID is %s", router_id(ag, id, sizeof(id)));
	/* tern's own line (BIRD has no global cluster ID), only on a
	 * reflector: BIRD clients read none of the 1011 lines */
	if (ag->local.rr_cluster_id != 0)
		ctl_printf(c, 1011, "Route reflector cluster ID is %s",
		    cluster_id(ag, id, sizeof(id)));
	ctl_printf(c, 1011, "Current server time is %s",
	    ctl_fmt_datetime(t, sizeof(t), now));
	ctl_printf(c, 1011, "Last reboot on %s",
	    ctl_fmt_datetime(t, sizeof(t), ag->started));
	ctl_printf(c, 1011, "Last reconfiguration on %s",
	    ctl_fmt_datetime(t, sizeof(t), g->reconfigured));
	if (!ag->fib_synced && ag->krt != NULL && krt_had_routes(ag->krt))
		gr_status(g, c, now);
	ctl_final(c, 13, "Daemon is up and running");
	return CTL_DONE;
}

/* The re-read itself (as SIGHUP); then the waiting requests are answered */
static void
reload_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct ctlglue *g = arg;
	struct reload *r = &g->reload;
	const char *err;

	(void)fd;
	(void)ev;
	r->began = timer_now_ns();
	r->rc = ds_reload(g->ag->ds);
	if (r->rc == -1) {
		err = ds_last_error(g->ag->ds);
		snprintf(r->err, sizeof(r->err), "%s", err != NULL ? err :
		    "Reload failed");
		log_warnx("control: configure: %s", r->err);
	} else {
		g->reconfigured = time(NULL);
		log_info("control: configure: datastore re-read (%u "
		    "requests waiting)", r->waiting);
	}
	r->waiting = 0;
	wakeup_all(g);
}

static void
reload_schedule(struct ctlglue *g)
{
	struct reload *r = &g->reload;
	uint64_t now = timer_now_ns(), next = r->began +
	    (uint64_t)RELOAD_GAP_MS * 1000000u;

	if (r->ev == NULL && (r->ev = evtimer_new(g->ag->base, reload_cb,
	    g)) == NULL)
		fatalx("control: out of memory");
	if (!timer_running(r->ev))
		timer_arm_ms(r->ev, r->began == 0 || next <= now ? 0 :
		    (unsigned)((next - now + 999999u) / 1000000u));
}

/* BIRD cmd_reconfig: here a re-read of the datastore, coalesced */
static enum ctl_result
run_configure(struct ctlglue *g, struct ctl_client *c, struct ctl_req *req)
{
	const struct agent *ag = g->ag;
	struct reload *r = &g->reload;

	if (r->began == 0 || req->rx_ns >= r->began) {
		if (req->pos++ == 0)
			r->waiting++;
		reload_schedule(g);
		return CTL_WAIT;
	}
	ctl_printf(c, 2, "Reading configuration from %s",
	    ag->conf->datastore.type == CONF_DS_FILE ?
	    ag->conf->datastore.path : ag->conf_path);
	if (r->rc == -1)
		ctl_final(c, 8002, "%s", r->err);
	else
		ctl_final(c, 3, "Reconfigured");
	return CTL_DONE;
}

/* ---- debug ---- */

/* "states,routes", "all" or "none" */
static const char *
mask_names(unsigned mask, char *buf, size_t len)
{
	const char *n;
	size_t o = 0;

	buf[0] = '\0';
	if (mask == LOG_D_ALL)
		n = log_debug_name(LOG_D_ALL);
	else
		n = mask == 0 ? "none" : NULL;
	if (n != NULL) {
		snprintf(buf, len, "%s", n);
		return buf;
	}
	for (unsigned bit = 1; bit != 0 && bit <= LOG_D_ALL; bit <<= 1)
		if ((mask & bit) && (n = log_debug_name(bit)) != NULL &&
		    o < len)
			o += (size_t)snprintf(buf + o, len - o, "%s%s",
			    o > 0 ? "," : "", n);
	return buf;
}

/* BIRD proto_apply_cmd: does the name or pattern name any protocol? */
static bool
debug_matches(struct ctlglue *g, const struct ctl_req *req)
{
	struct plist l;
	bool found = false;

	if (!req->pattern || req->name[0] == '\0')
		return true;	/* a known name (the parser checked), all */
	for (size_t i = 0; i < NITEMS(pseudos) && !found; i++)
		found = ctl_patmatch(req->name, pseudos[i].name);
	plist_collect(g, &l);
	for (size_t i = 0; i < l.n && !found; i++)
		found = ctl_patmatch(req->name, l.v[i].conf.name);
	free(l.v);
	return found;
}

/*
 * debug: tern's categories are one global mask (log.h), so BIRD's
 * per-protocol command sets it for everyone. The level follows the mask,
 * the rule of log.debug in ternd.yaml (agent_log_apply): any category on
 * makes the level debug; none on puts back the configured level (the
 * cluster's, else ternd.yaml's; info when that was debug, so that "off"
 * silences debug lines). A reload (SIGHUP, configure) or a new level from
 * the cluster applies the configured settings again.
 */
static void
op_debug(void *arg, struct ctl_client *c, const struct ctl_req *req)
{
	struct ctlglue *g = ((struct ctlsock *)arg)->g;
	const struct ds_log *dl = g->ag->ds != NULL ? ds_log(g->ag->ds) : NULL;
	enum log_level base = dl != NULL && dl->set ? dl->level :
	    g->ag->conf->log.level;
	unsigned was = log_debug_mask, mask = was;
	char a[64], b[64];

	if (!debug_matches(g, req)) {
		ctl_final(c, 8003, "No protocols match");
		return;
	}
	if (log_level < LOG_LVL_DEBUG)
		was = 0;	/* the mask is not in effect */
	switch (req->debug_op) {
	case CTL_DBG_ON:
		mask = was | req->debug_mask;
		break;
	case CTL_DBG_OFF:
		mask = was & ~req->debug_mask;
		break;
	case CTL_DBG_SET:
	default:
		mask = req->debug_mask;
		break;
	}
	if (base == LOG_LVL_DEBUG)
		base = LOG_LVL_INFO;
	log_init(mask != 0 ? LOG_LVL_DEBUG : base, mask, NULL);
	log_info("control: debug categories %s (were %s)",
	    mask_names(mask, a, sizeof(a)), mask_names(was, b, sizeof(b)));
	ctl_final(c, 0, "%s", "");
}

/* ---- show bfd sessions (issue 15) ---- */

struct bfd_rows {
	struct bfd_session_info	*v;
	size_t			 n;
};

static void
bfd_row_cb(void *arg, const struct bfd_session_info *i)
{
	struct bfd_rows *r = arg;

	r->v[r->n++] = *i;
}

/*
 * BIRD 2's bfd_show_sessions layout: "bfd1:", a header, a row a session
 * (address, interface, state, since, interval and timeout in seconds),
 * all with code 1020. Our implementation: no interface is kept ("---",
 * as BIRD shows a multihop session); rows from req->pos, so a long list
 * goes out as the socket drains.
 */
static enum ctl_result
run_bfd(struct ctlglue *g, struct ctl_client *c, struct ctl_req *req)
{
	struct bfd *bfd = g->ag->bfd;
	struct bfd_counters k;
	struct bfd_rows r = { 0 };
	char a[ADDR_STRLEN], t[16];
	struct tm tm;

	if (bfd == NULL) {
		ctl_final(c, 8003, "No protocols match");
		return CTL_DONE;
	}
	bfd_counters(bfd, &k);
	r.v = xcalloc(k.sessions ? k.sessions : 1, sizeof(*r.v));
	bfd_walk(bfd, bfd_row_cb, &r);
	if (req->pos == 0) {
		ctl_printf(c, 1020, "%s", "bfd1:");
		ctl_printf(c, 1020, "%-25s %-10s %-10s %-12s  %8s %8s",
		    "IP address", "Interface", "State", "Since", "Interval",
		    "Timeout");
	}
	for (; req->pos < r.n && ctl_room(c); req->pos++) {
		const struct bfd_session_info *i = &r.v[req->pos];

		localtime_r(&i->since, &tm);
		strftime(t, sizeof(t), "%H:%M:%S", &tm);
		ctl_printf(c, 1020, "%-25s %-10s %-10s %-12s  %7.3f  %7.3f",
		    addr_fmt(&i->peer, a, sizeof(a)), "---",
		    bfd_state_name(i->state), t, (double)i->tx_us / 1e6,
		    (double)i->detect_us / 1e6);
	}
	free(r.v);
	if (req->pos < r.n)
		return CTL_MORE;
	ctl_final(c, 0, "%s", "");
	return CTL_DONE;
}

/* ---- ctl hooks ---- */

static enum ctl_result
op_run(void *arg, struct ctl_client *c, struct ctl_req *req)
{
	struct ctlsock *sk = arg;
	struct ctlglue *g = sk->g;

	switch (req->verb) {
	case CTL_SHOW_STATUS:
		return run_status(g, c, req);
	case CTL_SHOW_PROTOCOLS:
		return run_protocols(g, c, req, sk->af);
	case CTL_SHOW_ROUTE:
		return run_routes(g, c, req);
	case CTL_SHOW_BFD:
		return run_bfd(g, c, req);
	case CTL_CONFIGURE:
	default:
		return run_configure(g, c, req);
	}
}

static void
op_cancel(void *arg, struct ctl_req *req)
{
	struct ctlsock *sk = arg;

	cont_free(sk->g, req);
}

/* "down" (BIRD: shut the daemon down) is a stop for good: every peer
 * flushes our routes (RFC 8538 Hard Reset), unlike SIGTERM's restart. */
static void
op_down(void *arg)
{
	struct ctlglue *g = ((struct ctlsock *)arg)->g;

	agent_stop(g->ag, false);
}

static bool
op_known(void *arg, const char *name)
{
	struct ctlglue *g = ((struct ctlsock *)arg)->g;
	struct plist l;
	bool found;

	for (size_t i = 0; i < NITEMS(pseudos); i++)
		if (strcmp(pseudos[i].name, name) == 0)
			return true;
	plist_collect(g, &l);
	found = plist_find(&l, name) != NULL;
	free(l.v);
	return found;
}

static const struct ctl_ops ctlglue_ops = {
	.run = op_run,
	.cancel = op_cancel,
	.down = op_down,
	.known = op_known,
};

/*
 * Where the IPv6 socket goes (conf.h control.socket6): NULL for none; the
 * same path as the first is none too (one socket then shows everything).
 */
static const char *
socket6_path(const struct conf *cf, char *buf, size_t len)
{
	const char *s6 = cf->control.socket6 != NULL ?
	    cf->control.socket6 : "";

	if (strcmp(s6, "none") == 0)
		return NULL;
	if (s6[0] == '\0') {
		if (ctl_socket6_path(cf->control.socket, buf, len) == -1)
			return NULL;
	} else
		snprintf(buf, len, "%s", s6);
	return strcmp(buf, cf->control.socket) == 0 ? NULL : buf;
}

/*
 * The bounds (max_clients, max_clients_per_uid, idle_timeout) hold per
 * socket: each socket has its own clients, so a crowd on one cannot close
 * the health checks' clients on the other.
 */
static struct ctl *
sock_new(struct ctlglue *g, struct ctlsock *sk, const char *path, uint8_t af)
{
	const struct conf *cf = g->ag->conf;
	struct ctl_params cp;

	sk->g = g;
	sk->af = af;
	sk->ctl = ctl_new(g->ag->base, path, CTLG_VERSION, &ctlglue_ops, sk);
	cp.idle_secs = cf->control.idle_timeout;
	cp.max_clients = cf->control.max_clients;
	cp.max_per_uid = cf->control.max_clients_per_uid;
	ctl_set_params(sk->ctl, &cp);
	ctl_set_debug(sk->ctl, op_debug);
	return sk->ctl;
}

int
agent_ctl_start(struct agent *ag)
{
	struct ctlglue *g = xcalloc(1, sizeof(*g));
	char buf[256];
	const char *p6 = socket6_path(ag->conf, buf, sizeof(buf));

	g->ag = ag;
	g->reconfigured = ag->started != 0 ? ag->started : time(NULL);
	ag->ctlg = g;
	if (ctl_start(sock_new(g, &g->s4, ag->conf->control.socket,
	    p6 != NULL ? AF_INET : 0)) == -1)
		return -1;
	if (p6 == NULL || ctl_start(sock_new(g, &g->s6, p6, AF_INET6)) == 0)
		return 0;
	/*
	 * A socket6 named in the file must be ours; the one beside the first
	 * ("") is a convenience: without it the first shows every session.
	 */
	ctl_free(g->s6.ctl);
	g->s6.ctl = NULL;
	if (ag->conf->control.socket6 != NULL &&
	    ag->conf->control.socket6[0] != '\0')
		return -1;
	g->s4.af = 0;
	log_warnx("control: no IPv6 socket beside %s (%s): every session on "
	    "the first", ag->conf->control.socket, p6);
	return 0;
}

void
agent_ctl_stop(struct agent *ag)
{
	struct ctlglue *g = ag->ctlg;

	if (g == NULL)
		return;
	ctl_free(g->s4.ctl);
	ctl_free(g->s6.ctl);
	g->s4.ctl = g->s6.ctl = NULL;
	if (g->reload.ev != NULL)
		event_free(g->reload.ev);
	nl_free(g->nl);
	free(g);
	ag->ctlg = NULL;
}
