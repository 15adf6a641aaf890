/*
 * reload.c: SIGHUP and SIGUSR1 (ternd(8)).
 *
 * agent_reload() re-reads ternd.yaml and applies the difference: a setting
 * that can change at run time is applied to what it affects and nothing
 * else (a bound changes no session; a timer, the password or add-path
 * restarts the sessions; accept_default_route restarts only the explicit
 * peers it filters); a setting that needs a restart is named in the log and
 * keeps its running value; an unchanged file changes nothing; an invalid
 * file is logged and the running configuration stays. Then the datastore
 * is re-read (ds_reload), as before.
 *
 * agent_dump() writes the daemon's state to the log, a few lines: what an
 * operator sends SIGUSR1 for (BIRD's USR1 dumps its state too).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent.h"
#include "ctl.h"
#include "log.h"
#include "metrics.h"
#include "version.h"
#include "xmalloc.h"

/* What the running daemon can take without a restart. */
static const char *const live_keys[] = {
	"bgp.hold_time", "bgp.keepalive_time", "bgp.connect_retry_time",
	"bgp.graceful_restart", "bgp.restart_time", "bgp.add_paths",
	"bgp.password", "bgp.max_prefixes", "bgp.max_paths_per_prefix",
	"bgp.max_peer_memory_kib", "bgp.input_buffer_kib",
	"bgp.open_wait_time", "bgp.refresh_interval",
	"bgp.advertisement_interval_ms", "bgp.allow_local_as",
	"bgp.accept_default_route",
	"secrets.dir", "secrets.files",
	"kernel.persist",
	"log.level", "log.debug", "log.syslog",
	"metrics.listen", "metrics.max_clients",
};

struct reload {
	struct agent	*ag;
	struct conf	*nc;
	size_t		 nlive;
	size_t		 nkept;
	bool		 bgp;		/* a bgp.* key changed */
	bool		 accept_default;
	bool		 log;
	bool		 metrics;
};

static bool
is_live(const char *key)
{
	for (size_t i = 0; i < NITEMS(live_keys); i++)
		if (strcmp(live_keys[i], key) == 0)
			return true;
	return false;
}

static void
diff_cb(void *arg, const char *section, const char *name)
{
	struct reload *r = arg;
	char key[64];

	snprintf(key, sizeof(key), "%s.%s", section, name);
	if (!is_live(key)) {
		log_warnx("reload: %s changed: it takes a restart of ternd, "
		    "the running value stays", key);
		r->nkept++;
		return;
	}
	/* the running conf takes the new value (nothing keeps a pointer
	 * into it: bgpd copies the password, metrics its address) */
	(void)conf_keep(r->ag->conf, r->nc, section, name);
	r->nlive++;
	if (strcmp(section, "bgp") == 0) {
		if (strcmp(name, "accept_default_route") == 0)
			r->accept_default = true;
		else
			r->bgp = true;
	} else if (strcmp(section, "log") == 0)
		r->log = true;
	else if (strcmp(section, "metrics") == 0)
		r->metrics = true;
	log_info("reload: %s changed", key);
}

/* Explicit peers: accept_default_route filters only their routes. */
struct names {
	char	(*v)[BGPD_NAME_MAX];
	size_t	 n, cap;
};

static void
explicit_cb(void *arg, const struct bgpd_peer_info *pi)
{
	struct names *l = arg;

	if (pi->conf->kind == BGPD_PEER_MESH)
		return;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	snprintf(l->v[l->n++], BGPD_NAME_MAX, "%s", pi->conf->name);
}

static size_t
restart_explicit(struct agent *ag)
{
	struct names l = { NULL, 0, 0 };
	size_t n = 0;

	bgpd_peer_walk(ag->bgpd, explicit_cb, &l);
	for (size_t i = 0; i < l.n; i++)
		if (bgpd_peer_restart(ag->bgpd, l.v[i]) == 0)
			n++;
	free(l.v);
	return n;
}

void
agent_reload(struct agent *ag)
{
	struct reload r;
	struct bgpd_params bp;
	char err[512], *listen0 = NULL;
	size_t n = 0;

	log_info("SIGHUP: reloading %s and the datastore", ag->conf_path);
	memset(&r, 0, sizeof(r));
	r.ag = ag;
	if ((r.nc = conf_load(ag->conf_path, err, sizeof(err))) == NULL) {
		log_error("reload: %s; the running configuration stays", err);
		goto ds;
	}
	listen0 = xstrdup(ag->conf->metrics.listen);
	if (conf_diff(ag->conf, r.nc, diff_cb, &r) == 0) {
		log_info("reload: %s unchanged", ag->conf_path);
		goto done;
	}
	if (r.log)
		agent_log_apply(ag);
	if (r.bgp) {
		agent_bgpd_params(ag, &bp);
		n = bgpd_set_params(ag->bgpd, &bp);
		if (n > 0)
			log_info("reload: %zu sessions restart with the new "
			    "settings", n);
	}
	if (r.accept_default && (!r.bgp || n == 0)) {
		n = restart_explicit(ag);
		log_info("reload: %zu explicit peers restart (their routes "
		    "are filtered again)", n);
	}
	/* on, off or moved; a bind failure is logged and the old endpoint
	 * stays, and so does the running value: the next reload tries again */
	if (r.metrics && ag->metrics != NULL &&
	    metrics_configure(ag->metrics, ag->conf->metrics.listen,
	    ag->conf->metrics.max_clients) == -1) {
		free(ag->conf->metrics.listen);
		ag->conf->metrics.listen = listen0;
		listen0 = NULL;
	}
	log_info("reload: %zu settings applied, %zu need a restart",
	    r.nlive, r.nkept);
done:
	free(listen0);
	conf_free(r.nc);
ds:
	/* issue 15: key files read again (and secrets: applied); only the
	 * sessions whose key changed restart */
	agent_peers_refresh(ag);
	ds_reload(ag->ds);
}

/* ---- SIGUSR1 ---- */

static void
dump_peer_cb(void *arg, const struct bgpd_peer_info *pi)
{
	char addr[ADDR_STRLEN], since[32];
	size_t *n = arg;

	(*n)++;
	ctl_fmt_datetime(since, sizeof(since), pi->since);
	log_info("state: peer %s %s AS%u %s since %s, routes %zu imported "
	    "%zu exported %llu refused, memory %zu bytes%s%s",
	    pi->conf->name, addr_fmt(&pi->conf->addr, addr, sizeof(addr)),
	    pi->conf->as, bgp_state_name(pi->state), since,
	    pi->routes_imported, pi->routes_exported,
	    (unsigned long long)pi->rx_refused, pi->mem,
	    pi->last_error != NULL && pi->last_error[0] != '\0' ?
	    ", last error: " : "",
	    pi->last_error != NULL ? pi->last_error : "");
}

void
agent_dump(struct agent *ag)
{
	struct krt_stats ks;
	const char *dserr = ds_last_error(ag->ds);
	size_t npeers = 0;

	log_info("state: ternd %s, node %s, up %lld s, log level %s",
	    TERN_VERSION, ag->node_name,
	    (long long)(time(NULL) - ag->started),
	    log_level_name(log_level));
	log_info("state: datastore %s%s%s", ds_is_synced(ag->ds) ? "synced" :
	    "not synced", dserr != NULL && dserr[0] != '\0' ?
	    ", last error: " : "", dserr != NULL ? dserr : "");
	log_info("state: rib %zu prefixes, %zu paths, %zu attribute sets",
	    rib_count_prefixes(ag->rib), rib_count_paths(ag->rib),
	    rib_count_attrs(ag->rib));
	krt_stats(ag->krt, &ks);
	log_info("state: kernel %zu routes wanted, %zu installed, %zu "
	    "pending, %zu conflicts, %zu failed; %zu nexthop objects, %zu "
	    "groups; first full sync %s", ks.wanted, ks.installed,
	    ks.pending, ks.conflicts, ks.failed, ks.nexthops, ks.groups,
	    ag->fib_synced ? "done" : "not done");
	bgpd_peer_walk(ag->bgpd, dump_peer_cb, &npeers);
	log_info("state: %zu peers; end of dump", npeers);
}
