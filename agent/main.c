/*
 * main.c: ternd's entry point. Owns the one event_base, the signal events
 * and the lifetime of every module: conf -> rib -> bgpd -> datastore, torn
 * down in reverse. No module sleeps, blocks or runs a nested loop.
 */
#include <errno.h>
#include <getopt.h>
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
#include "metrics.h"
#include "timer.h"
#include "version.h"
#include "xmalloc.h"

static void
usage(FILE *f, int status)
{
	fprintf(f,
	    "usage: ternd [-dpV] -c FILE [-n NODENAME] [-s SOCKET]\n"
	    "\n"
	    "  -c, --config FILE    the configuration (ternd.yaml(5))\n"
	    "  -p, --parse          check the configuration and exit\n"
	    "  -d, --debug          log everything at level debug\n"
	    "  -n, --node NAME      this node's name (default: node.name, "
	    "$NODENAME,\n"
	    "                       the host name)\n"
	    "  -s, --socket PATH    the control socket (default: "
	    "control.socket)\n"
	    "  -V, --version        print the version and exit\n"
	    "  -h, --help           print this and exit\n"
	    "  -f, -R               accepted for BIRD's command line "
	    "(calico/node):\n"
	    "                       ternd always runs in the foreground and "
	    "recovers\n"
	    "                       from a restart by itself\n"
	    "\n"
	    "Signals: TERM/INT stop, HUP reloads the configuration and the "
	    "datastore,\n"
	    "USR1 writes the state to the log. See ternd(8).\n");
	exit(status);
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
	if (ag->ds != NULL)
		ds_set_option_ops(ag->ds, &agent_ds_option_ops, ag);
}

void
agent_bgpd_params(const struct agent *ag, struct bgpd_params *out)
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
	bp.adv_interval_ms = c->bgp.advertisement_interval_ms;
	bp.allow_local_as = c->bgp.allow_local_as;
	bp.password = c->bgp.password;
	bp.listen = true;
	*out = bp;
}

static void
make_bgpd(struct agent *ag)
{
	struct bgpd_params bp;

	agent_bgpd_params(ag, &bp);
	/* RFC 4724: our routes survived in the FIB: we restarted, forwarding */
	bp.gr_restarting = ag->conf->bgp.graceful_restart && ag->krt != NULL &&
	    krt_had_routes(ag->krt);
	ag->bgpd = bgpd_new(ag->base, ag->rib, &bp, &agent_bgpd_ops, ag);
}

/*
 * The log's level, categories and target. The level: the cluster's for
 * this node when it sets one (Calico's logSeverityScreen, v2 loglevel, the
 * cluster file's log_severity: ds_log), else ternd.yaml's log.level;
 * log.debug's categories, when given, make the level debug for them; level
 * debug without categories is every category; -d is everything, whatever
 * the file or the cluster say. log.syslog: syslog, else stderr (in the
 * journal's format under systemd). Called at start, on reload and when the
 * cluster's level changes; `debug` on the control socket changes the
 * categories until then.
 */
void
agent_log_apply(const struct agent *ag)
{
	const struct ds_log *dl = ag->ds != NULL ? ds_log(ag->ds) : NULL;
	enum log_level lvl = ag->conf->log.level;
	unsigned mask = 0;

	if (dl != NULL && dl->set)
		lvl = dl->level;
	if (log_debug_parse(ag->conf->log.debug, &mask) == -1)
		mask = 0;
	if (ag->debug_cli) {
		lvl = LOG_LVL_DEBUG;
		mask = LOG_D_ALL;
	} else if (mask != 0)
		lvl = LOG_LVL_DEBUG;
	else if (lvl == LOG_LVL_DEBUG)
		mask = LOG_D_ALL;
	log_init(lvl, mask, "ternd");
	log_open(ag->conf->log.syslog ? LOG_TO_SYSLOG : LOG_TO_STDERR, "ternd");
}

static void
sig_cb(evutil_socket_t sig, short ev, void *arg)
{
	struct agent *ag = arg;

	(void)ev;
	switch (sig) {
	case SIGHUP:
		agent_reload(ag);
		break;
	case SIGUSR1:
		agent_dump(ag);
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
	agent_bfd_shutdown(ag);
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
	    .nh_object_min = ag->conf->kernel.nexthop_object_min_routes,
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
	const int signums[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1 };
	struct event *sigs[NITEMS(signums)];
	int rc = 0;

	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < NITEMS(signums); i++) {
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
	for (size_t i = 0; i < NITEMS(signums); i++)
		event_free(sigs[i]);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct agent ag;
	const char *conf_path = NULL, *name = NULL, *sock = NULL;
	char err[512];
	const char *dstype;
	bool debug = false, check_only = false;
	int ch, rc;
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "debug", no_argument, NULL, 'd' },
		{ "node", required_argument, NULL, 'n' },
		{ "parse", no_argument, NULL, 'p' },
		{ "socket", required_argument, NULL, 's' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};

	while ((ch = getopt_long(argc, argv, "c:dfhn:pRs:V", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'f':	/* BIRD: foreground (ternd always is) */
		case 'R':	/* BIRD: graceful restart recovery (ternd
				 * finds its routes in the FIB by itself) */
			break;
		case 'h':
			usage(stdout, 0);
			break;
		case 'V':
			printf("ternd %s\n", TERN_VERSION);
			return 0;
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
			usage(stderr, 1);
		}
	}
	if (conf_path == NULL || optind != argc)
		usage(stderr, 1);
	memset(&ag, 0, sizeof(ag));
	/* until run() handles them, a SIGHUP or SIGUSR1 during start-up
	 * (the kernel's routes being read) must not kill ternd */
	signal(SIGHUP, SIG_IGN);
	signal(SIGUSR1, SIG_IGN);
	if ((ag.conf = conf_load(conf_path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "ternd: %s\n", err);
		return 1;
	}
	if (check_only) {
		printf("ternd: configuration %s OK\n", conf_path);
		conf_free(ag.conf);
		return 0;
	}
	/* calico/node sets DATASTORE_TYPE; ternd reads etcd or a file only */
	dstype = getenv("DATASTORE_TYPE");
	if (dstype != NULL && strcmp(dstype, "kubernetes") == 0 &&
	    ag.conf->datastore.type != CONF_DS_FILE) {
		fprintf(stderr, "ternd: DATASTORE_TYPE=kubernetes: the "
		    "Kubernetes API datastore is not supported; ternd reads "
		    "Calico's etcd datastore (datastore.type etcdv3 or etcdv2, "
		    "and DATASTORE_TYPE=etcdv3) or a cluster file "
		    "(datastore.type file)\n");
		conf_free(ag.conf);
		return 1;
	}
	if (sock != NULL) {
		free(ag.conf->control.socket);
		ag.conf->control.socket = xstrdup(sock);
	}
	ag.conf_path = conf_path;
	ag.debug_cli = debug;
	agent_log_apply(&ag);
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	node_name(&ag, name);
	if ((ag.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	log_batch_start(ag.base);
	ag.rib = rib_new();
	/* before krt: krt_start reports the workload routes already there */
	agent_glue_init(&ag);
	if (make_krt(&ag) == -1) {
		agent_glue_fini(&ag);
		krt_free(ag.krt);
		rib_free(ag.rib);
		log_batch_stop();
		event_base_free(ag.base);
		conf_free(ag.conf);
		return 1;
	}
	make_bgpd(&ag);
	agent_bfd_start(&ag);
	make_ds(&ag);
	/* a metrics endpoint that cannot bind is logged; routing goes on */
	ag.metrics = metrics_new(&ag);
	(void)metrics_configure(ag.metrics, ag.conf->metrics.listen,
	    ag.conf->metrics.max_clients);
	rc = agent_ctl_start(&ag) == -1 ? 1 : run(&ag);
	agent_ctl_stop(&ag);
	metrics_free(ag.metrics);
	ag.metrics = NULL;
	agent_bfd_stop(&ag);
	ds_free(ag.ds);
	bgpd_free(ag.bgpd);
	agent_glue_fini(&ag);
	if (ag.ev_sync)
		event_free(ag.ev_sync);
	krt_free(ag.krt);
	rib_free(ag.rib);
	log_batch_stop();
	event_base_free(ag.base);
	conf_free(ag.conf);
	return rc;
}
