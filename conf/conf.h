/*
 * conf.h: ternd's configuration (SPEC section 2) as a plain struct.
 *
 * conf_load() parses the YAML file with libyaml into a struct conf filled
 * with defaults for every key not given. Unknown keys, wrong types and
 * out-of-range values are errors naming the file, line and key. conf/
 * depends on lib/ only; it knows nothing of BGP sessions or the FIB.
 * Ownership: a struct conf owns all its strings; conf_free() frees them.
 * Every string is non-NULL ("" when unset) except node.name (NULL: unset).
 */
#ifndef TERN_CONF_H
#define TERN_CONF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"
#include "log.h"

enum conf_ds_type {
	CONF_DS_ETCDV3,
	CONF_DS_ETCDV2,
	CONF_DS_FILE,
};

#define CONF_MAX_ENDPOINTS	16
#define CONF_MAX_SECRETS	1024

/*
 * secrets.files[]: where a Kubernetes secret's key (BGPPeer
 * password.secretKeyRef, BGPConfiguration nodeMeshPassword) is read from.
 */
struct conf_secret {
	char		*name;		/* the secret's name */
	char		*key;		/* its key */
	char		*path;		/* absolute; the file holds the value */
};

struct conf {
	char		*path;			/* the file it came from */
	struct {
		char		*name;		/* NULL: $NODENAME, then host name */
		struct addr	 ipv4;		/* unset: from the datastore */
		struct addr	 ipv6;
		uint32_t	 as;		/* 0: datastore, global, 64512 */
	} node;
	struct {
		enum conf_ds_type type;
		char		*endpoints[CONF_MAX_ENDPOINTS];
		size_t		 nendpoints;
		char		*prefix;	/* default "/calico" */
		char		*ca_file;
		char		*cert_file;
		char		*key_file;
		char		*path;		/* type file */
		/* etcd: failure detection and retries (ms) */
		uint32_t	 retry_backoff_min_ms;	/* 100 */
		uint32_t	 retry_backoff_max_ms;	/* 5000 */
		uint32_t	 relist_backoff_min_ms;	/* 1000 */
		uint32_t	 relist_backoff_max_ms;	/* 30000 */
		uint32_t	 probe_interval_ms;	/* 2000 */
		uint32_t	 probe_timeout_ms;	/* 3000 */
		uint32_t	 watch_silence_ms;	/* 1500000 */
	} datastore;
	struct {
		uint16_t	 port;			/* 179 */
		uint16_t	 hold_time;		/* 240; 0 or >= 3 */
		uint16_t	 keepalive_time;	/* 80 */
		uint16_t	 connect_retry_time;	/* 5 */
		bool		 graceful_restart;	/* true */
		uint16_t	 restart_time;		/* 120, <= 4095 */
		bool		 add_paths;		/* true */
		char		*password;		/* "" = none, <= 80 chars */
		uint32_t	 max_prefixes;		/* 100000; 0 = no limit */
		/* bounds per peer (SPEC 8) */
		uint32_t	 max_paths_per_prefix;	/* 1024; 0 = no limit */
		uint32_t	 max_peer_memory_kib;	/* 16384; 0 = no limit */
		uint32_t	 input_buffer_kib;	/* 256, >= 128 */
		uint16_t	 open_wait_time;	/* 5 s */
		uint16_t	 refresh_interval;	/* 1 s; 0 = no limit */
		uint16_t	 advertisement_interval_ms;	/* 100; 0 = off */
		uint8_t		 allow_local_as;	/* 0 */
		bool		 accept_default_route;	/* false */
	} bgp;
	/*
	 * Secrets (issue 15): a secret's key is read from its files[] entry,
	 * else from <dir>/<name>/<key> when dir is set (a Kubernetes secret
	 * volume per secret, mounted under dir), else it is missing.
	 */
	struct {
		char		*dir;			/* "" = none */
		struct conf_secret *files;
		size_t		 nfiles;
	} secrets;
	struct {
		uint8_t		 protocol;		/* 12 */
		uint32_t	 table;			/* 254 */
		bool		 persist;		/* true */
		uint32_t	 retry_min_ms;		/* 1000: next hop retry */
		uint32_t	 retry_max_ms;		/* 60000: its cap */
		uint32_t	 nexthop_object_min_routes;	/* 8 */
		char		*learn_interfaces;	/* "cali*" */
	} kernel;
	struct {
		char		*socket;	/* /var/run/calico/bird.ctl */
		/* IPv6 sessions' BIRD socket (Calico's bird6.ctl): "" = beside
		 * socket (bird.ctl -> bird6.ctl, any other NAME -> NAME6),
		 * "none" = no second socket */
		char		*socket6;
		uint32_t	 idle_timeout;		/* 30 s; 0 = never */
		uint32_t	 max_clients;		/* 512 */
		uint32_t	 max_clients_per_uid;	/* 256; 0 = no cap */
	} control;
	struct {
		enum log_level	 level;		/* info */
		/* debug categories: comma separated states, packets, routes,
		 * events, all; "" = none (level debug alone: all) */
		char		*debug;
		bool		 syslog;	/* false: stderr (journald) */
	} log;
	struct {
		/* Prometheus endpoint, "ADDR:PORT" ("[V6]:PORT"); "" = off */
		char		*listen;
		uint32_t	 max_clients;	/* 16 */
	} metrics;
	/* issue 15: BFD for peers with failureDetectionMode (Calico's BIRD
	 * template: interval 500 ms, idle tx 2000 ms, multiplier 16) */
	struct {
		uint32_t	 interval_ms;		/* 500: min rx and tx */
		uint32_t	 idle_tx_interval_ms;	/* 2000: tx while not Up */
		uint8_t		 multiplier;		/* 16 */
		uint32_t	 max_sessions;		/* 256 */
		uint32_t	 max_pps;		/* 2000: packets/s read */
	} bfd;
};

/* Parse path. On error returns NULL and writes "file:line: key: why" to err. */
struct conf	*conf_load(const char *path, char *err, size_t errlen);
/* A conf with every default set (no file). */
struct conf	*conf_new_defaults(void);
void		 conf_free(struct conf *);
/* Empty c->secrets.files. */
void		 conf_secrets_free(struct conf *);
/* printconf: the effective configuration as YAML that conf_load accepts. */
void		 conf_print(const struct conf *, FILE *);
const char	*conf_ds_type_name(enum conf_ds_type);
/*
 * Reload: cb(arg, section, key) for each key whose value differs between
 * a and b, in schema order; returns how many differ (cb may be NULL).
 */
size_t		 conf_diff(const struct conf *a, const struct conf *b,
		    void (*cb)(void *arg, const char *section, const char *key),
		    void *arg);
/* Reload: set section.key of dst to its value in src (a setting that
 * needs a restart keeps its running value); -1: no such key. */
int		 conf_keep(struct conf *dst, const struct conf *src,
		    const char *section, const char *key);

#endif
