/*
 * main.c: ternd's entry point. Owns the one event_base, the signal events
 * and the lifetime of every module: conf -> rib -> bgpd -> datastore, torn
 * down in reverse. No module sleeps, blocks or runs a nested loop.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "agent.h"
#include "ctlglue.h"
#include "log.h"
#include "timer.h"
#include "version.h"
#include "xmalloc.h"

static void
usage(void)
{
	fprintf(stderr, "usage: ternd [-dp] -c FILE [-n NODENAME] "
	    "[-s SOCKET]\n");
	exit(1);
}

static void
node_name(struct agent *ag, const char *opt)
{
	const char *env = getenv("NODENAME");
	char host[256];

	if (opt != NULL)
		snprintf(ag->node_name, sizeof(ag->node_name), "%s", opt);
	else if (ag->conf->node.name != NULL)
		snprintf(ag->node_name, sizeof(ag->node_name), "%s",
		    ag->conf->node.name);
	else if (env != NULL && *env != '\0')
		snprintf(ag->node_name, sizeof(ag->node_name), "%s", env);
	else if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(ag->node_name) - 1] = '\0';	/* DS_NAME_MAX */
		memcpy(ag->node_name, host, sizeof(ag->node_name));
	} else
		fatal("gethostname");
}

static enum ds_type
ds_type_of(enum conf_ds_type t)
{
	switch (t) {
	case CONF_DS_ETCDV2:
		return DS_TYPE_ETCDV2;
	case CONF_DS_FILE:
		return DS_TYPE_FILE;
	case CONF_DS_ETCDV3:
	default:
		return DS_TYPE_ETCDV3;
	}
}

static void
make_ds(struct agent *ag)
{
	const struct conf *c = ag->conf;
	struct ds_params dp;

	memset(&dp, 0, sizeof(dp));
	dp.type = ds_type_of(c->datastore.type);
	dp.node_name = ag->node_name;
	dp.ipv4 = c->node.ipv4;
	dp.ipv6 = c->node.ipv6;
	dp.as = c->node.as;
	dp.path = c->datastore.path;
	dp.endpoints = (const char *const *)c->datastore.endpoints;
	dp.nendpoints = c->datastore.nendpoints;
	dp.prefix = c->datastore.prefix;
	dp.ca_file = c->datastore.ca_file;
	dp.cert_file = c->datastore.cert_file;
	dp.key_file = c->datastore.key_file;
	dp.etcd_timing.backoff_min_ms = c->datastore.retry_backoff_min_ms;
	dp.etcd_timing.backoff_max_ms = c->datastore.retry_backoff_max_ms;
	dp.etcd_timing.relist_min_ms = c->datastore.relist_backoff_min_ms;
	dp.etcd_timing.relist_max_ms = c->datastore.relist_backoff_max_ms;
	dp.etcd_timing.probe_interval_ms = c->datastore.probe_interval_ms;
	dp.etcd_timing.probe_timeout_ms = c->datastore.probe_timeout_ms;
	dp.etcd_timing.watch_silence_ms = c->datastore.watch_silence_ms;
	ag->ds = ds_new(ag->base, &dp, &agent_ds_ops, ag);
}

static void
make_bgpd(struct agent *ag)
{
	const struct conf *c = ag->conf;
	struct bgpd_params bp;

	memset(&bp, 0, sizeof(bp));
	bp.local_as = c->node.as;
	bp.local_v4 = c->node.ipv4;
	bp.local_v6 = c->node.ipv6;
	bp.port = c->bgp.port;
	bp.hold_time = c->bgp.hold_time;
	bp.keepalive_time = c->bgp.keepalive_time;
	bp.connect_retry_time = c->bgp.connect_retry_time;
	bp.graceful_restart = c->bgp.graceful_restart;
	bp.restart_time = c->bgp.restart_time;
	bp.add_paths = c->bgp.add_paths;
	bp.max_prefixes = c->bgp.max_prefixes;
	bp.max_paths = c->bgp.max_paths_per_prefix == 0 ? UINT32_MAX :
	    c->bgp.max_paths_per_prefix;
	bp.mem_max = c->bgp.max_peer_memory_kib == 0 ? BGPD_MEM_UNLIMITED :
	    (size_t)c->bgp.max_peer_memory_kib * 1024;
	bp.in_max = (size_t)c->bgp.input_buffer_kib * 1024;
	bp.open_wait = c->bgp.open_wait_time;
	bp.refresh_interval = c->bgp.refresh_interval;
	bp.allow_local_as = c->bgp.allow_local_as;
	bp.password = c->bgp.password;
	bp.listen = true;
	/* RFC 4724: our routes survived in the FIB: we restarted, forwarding */
	bp.gr_restarting = c->bgp.graceful_restart && ag->krt != NULL &&
	    krt_had_routes(ag->krt);
	ag->bgpd = bgpd_new(ag->base, ag->rib, &bp, &agent_bgpd_ops, ag);
}

static void
sig_cb(evutil_socket_t sig, short ev, void *arg)
{
	struct agent *ag = arg;

	(void)ev;
	switch (sig) {
	case SIGHUP:
		log_info("SIGHUP: reloading the datastore");
		ds_reload(ag->ds);
		break;
	case SIGTERM:
	case SIGINT:
	default:
		agent_stop(ag, ag->conf->kernel.persist);
		break;
	}
}

/*
 * SIGTERM/SIGINT with kernel.persist: a planned restart (RFC 8538): our
 * routes stay in the FIB and peers that do graceful restart keep ours.
 * Without persist, and on the control socket's "down": a stop for good,
 * every peer flushes our routes (Hard Reset). Our routes leave the FIB
 * only without kernel.persist (SPEC 4), as BIRD's "persist" does.
 */
void
agent_stop(struct agent *ag, bool restart)
{
	log_info("%s", restart ? "shutting down for a restart: peers doing "
	    "graceful restart keep our routes" : "shutting down for good: "
	    "peers flush our routes");
	if (!ag->conf->kernel.persist)
		krt_remove_all(ag->krt);
	krt_freeze(ag->krt);
	bgpd_shutdown(ag->bgpd, restart);
	event_base_loopexit(ag->base, NULL);
}

static void
sync_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct agent *ag = arg;

	(void)fd;
	(void)ev;
	agent_check_sync(ag);
	if (!ag->fib_synced)
		timer_arm(ag->ev_sync, 1, false);
}

static int
make_krt(struct agent *ag)
{
	ag->krt = krt_new(ag->base, &(struct krt_params){
	    .protocol = ag->conf->kernel.protocol,
	    .table = ag->conf->kernel.table,
	    .retry_min_ms = ag->conf->kernel.retry_min_ms,
	    .retry_max_ms = ag->conf->kernel.retry_max_ms,
	}, &agent_krt_ops, ag);
	if (krt_start(ag->krt) == -1) {
		log_error("cannot program the kernel FIB (netlink)");
		return -1;
	}
	ag->ev_sync = evtimer_new(ag->base, sync_cb, ag);
	sync_cb(-1, 0, ag);
	return 0;
}

static int
run(struct agent *ag)
{
	struct event *sigs[3];
	const int signums[3] = { SIGTERM, SIGINT, SIGHUP };
	int rc = 0;

	signal(SIGPIPE, SIG_IGN);
	for (int i = 0; i < 3; i++) {
		sigs[i] = evsignal_new(ag->base, signums[i], sig_cb, ag);
		evsignal_add(sigs[i], NULL);
	}
	ag->started = time(NULL);
	if (bgpd_start(ag->bgpd) == -1 || ds_start(ag->ds) == -1) {
		log_error("start-up failed");
		rc = 1;
	} else {
		log_info("ternd %s running as node %s", TERN_VERSION,
		    ag->node_name);
		event_base_dispatch(ag->base);
	}
	for (int i = 0; i < 3; i++)
		event_free(sigs[i]);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct agent ag;
	const char *conf_path = NULL, *name = NULL, *sock = NULL;
	char err[512];
	bool debug = false, check_only = false;
	int ch, rc;

	while ((ch = getopt(argc, argv, "c:dn:ps:")) != -1) {
		switch (ch) {
		case 'c':
			conf_path = optarg;
			break;
		case 'd':
			debug = true;
			break;
		case 'n':
			name = optarg;
			break;
		case 'p':
			check_only = true;
			break;
		case 's':
			sock = optarg;
			break;
		default:
			usage();
		}
	}
	if (conf_path == NULL || optind != argc)
		usage();
	memset(&ag, 0, sizeof(ag));
	if ((ag.conf = conf_load(conf_path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "ternd: %s\n", err);
		return 1;
	}
	if (check_only) {
		printf("ternd: configuration %s OK\n", conf_path);
		conf_free(ag.conf);
		return 0;
	}
	if (sock != NULL) {
		free(ag.conf->control.socket);
		ag.conf->control.socket = xstrdup(sock);
	}
	ag.conf_path = conf_path;
	if (debug || ag.conf->log.level == LOG_LVL_DEBUG)
		log_init(LOG_LVL_DEBUG, LOG_D_ALL, "ternd");
	else
		log_init(ag.conf->log.level, 0, "ternd");
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	node_name(&ag, name);
	if ((ag.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	ag.rib = rib_new();
	/* before krt: krt_start reports the workload routes already there */
	agent_glue_init(&ag);
	if (make_krt(&ag) == -1) {
		agent_glue_fini(&ag);
		krt_free(ag.krt);
		rib_free(ag.rib);
		event_base_free(ag.base);
		conf_free(ag.conf);
		return 1;
	}
	make_bgpd(&ag);
	make_ds(&ag);
	rc = agent_ctl_start(&ag) == -1 ? 1 : run(&ag);
	agent_ctl_stop(&ag);
	ds_free(ag.ds);
	bgpd_free(ag.bgpd);
	agent_glue_fini(&ag);
	if (ag.ev_sync)
		event_free(ag.ev_sync);
	krt_free(ag.krt);
	rib_free(ag.rib);
	event_base_free(ag.base);
	conf_free(ag.conf);
	return rc;
}
