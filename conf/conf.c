/*
 * conf.c: ternd's YAML configuration file -> struct conf (SPEC section 2).
 *
 * Owns the schema table (keys.h), the defaults and the walk of the YAML tree
 * against the table: every key must be known, of the right type, in range
 * and given at most once; rules between keys are checked last. Every error
 * names the file, the line and the dotted key. This file must not log,
 * read the environment or act on the configuration: it only builds the
 * struct conf that the caller owns.
 */
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "keys.h"
#include "xmalloc.h"
#include "num.h"
#include "ytree.h"

#define FLD(f)	offsetof(struct conf, f), sizeof(((struct conf *)0)->f)
#define KEY(sec, name, type, f, lo, hi, flags)				\
	{ sec, name, type, FLD(f), lo, hi, flags }

const char *const conf_sections[] = {
	"node", "datastore", "bgp", "secrets", "kernel", "control", "log",
	"metrics", "bfd",
};
const size_t conf_nsections = NITEMS(conf_sections);

const struct conf_key conf_keys[] = {
	KEY("node", "name", CONF_K_NAME, node.name, 0, CONF_NAME_MAX, 0),
	KEY("node", "ipv4", CONF_K_ADDR4, node.ipv4, 0, 0, 0),
	KEY("node", "ipv6", CONF_K_ADDR6, node.ipv6, 0, 0, 0),
	KEY("node", "as", CONF_K_AS, node.as, 1, UINT32_MAX, 0),
	KEY("datastore", "type", CONF_K_DSTYPE, datastore.type, 0, 0, 0),
	KEY("datastore", "endpoints", CONF_K_ENDPOINTS, datastore.endpoints,
	    0, CONF_URL_MAX, 0),
	KEY("datastore", "prefix", CONF_K_STR, datastore.prefix, 1, 1024,
	    CONF_F_SLASH),
	KEY("datastore", "ca_file", CONF_K_STR, datastore.ca_file, 0,
	    PATH_MAX - 1, 0),
	KEY("datastore", "cert_file", CONF_K_STR, datastore.cert_file, 0,
	    PATH_MAX - 1, 0),
	KEY("datastore", "key_file", CONF_K_STR, datastore.key_file, 0,
	    PATH_MAX - 1, 0),
	KEY("datastore", "path", CONF_K_STR, datastore.path, 0,
	    PATH_MAX - 1, 0),
	KEY("datastore", "retry_backoff_min_ms", CONF_K_UINT,
	    datastore.retry_backoff_min_ms, 10, 600000, 0),
	KEY("datastore", "retry_backoff_max_ms", CONF_K_UINT,
	    datastore.retry_backoff_max_ms, 10, 600000, 0),
	KEY("datastore", "relist_backoff_min_ms", CONF_K_UINT,
	    datastore.relist_backoff_min_ms, 10, 600000, 0),
	KEY("datastore", "relist_backoff_max_ms", CONF_K_UINT,
	    datastore.relist_backoff_max_ms, 10, 3600000, 0),
	KEY("datastore", "probe_interval_ms", CONF_K_UINT,
	    datastore.probe_interval_ms, 100, 600000, 0),
	KEY("datastore", "probe_timeout_ms", CONF_K_UINT,
	    datastore.probe_timeout_ms, 100, 600000, 0),
	KEY("datastore", "watch_silence_ms", CONF_K_UINT,
	    datastore.watch_silence_ms, 1000, 86400000, 0),
	KEY("bgp", "port", CONF_K_UINT, bgp.port, 1, 65535, 0),
	KEY("bgp", "hold_time", CONF_K_HOLD, bgp.hold_time, 0, 65535, 0),
	KEY("bgp", "keepalive_time", CONF_K_UINT, bgp.keepalive_time,
	    0, 65535, 0),
	KEY("bgp", "connect_retry_time", CONF_K_UINT, bgp.connect_retry_time,
	    1, 65535, 0),
	KEY("bgp", "graceful_restart", CONF_K_BOOL, bgp.graceful_restart,
	    0, 0, 0),
	/* RFC 4724 3: Restart Time is a 12-bit field */
	KEY("bgp", "restart_time", CONF_K_UINT, bgp.restart_time, 0, 4095, 0),
	KEY("bgp", "add_paths", CONF_K_BOOL, bgp.add_paths, 0, 0, 0),
	/* RFC 2385: Linux TCP_MD5SIG_MAXKEYLEN is 80 */
	KEY("bgp", "password", CONF_K_STR, bgp.password, 0, 80, 0),
	KEY("bgp", "max_prefixes", CONF_K_UINT, bgp.max_prefixes,
	    0, UINT32_MAX, 0),
	KEY("bgp", "max_paths_per_prefix", CONF_K_UINT,
	    bgp.max_paths_per_prefix, 0, UINT32_MAX, 0),
	KEY("bgp", "max_peer_memory_kib", CONF_K_UINT, bgp.max_peer_memory_kib,
	    0, 64u << 20, 0),
	KEY("bgp", "input_buffer_kib", CONF_K_UINT, bgp.input_buffer_kib,
	    128, 65536, 0),
	KEY("bgp", "open_wait_time", CONF_K_UINT, bgp.open_wait_time, 1, 240, 0),
	KEY("bgp", "refresh_interval", CONF_K_UINT, bgp.refresh_interval,
	    0, 3600, 0),
	KEY("bgp", "advertisement_interval_ms", CONF_K_UINT,
	    bgp.advertisement_interval_ms, 0, 60000, 0),
	/* Calico numAllowedLocalASNumbers, BIRD "allow local as" */
	KEY("bgp", "allow_local_as", CONF_K_UINT, bgp.allow_local_as, 0, 10, 0),
	KEY("bgp", "accept_default_route", CONF_K_BOOL, bgp.accept_default_route,
	    0, 0, 0),
	/* issue 15: Kubernetes secrets as files (conf.h) */
	KEY("secrets", "dir", CONF_K_STR, secrets.dir, 0, PATH_MAX - 1, 0),
	KEY("secrets", "files", CONF_K_SECRETS, secrets.files, 0, 0, 0),
	KEY("kernel", "protocol", CONF_K_UINT, kernel.protocol, 1, 255, 0),
	KEY("kernel", "table", CONF_K_UINT, kernel.table, 1, UINT32_MAX, 0),
	KEY("kernel", "persist", CONF_K_BOOL, kernel.persist, 0, 0, 0),
	KEY("kernel", "retry_min_ms", CONF_K_UINT, kernel.retry_min_ms,
	    10, 3600000, 0),
	KEY("kernel", "retry_max_ms", CONF_K_UINT, kernel.retry_max_ms,
	    10, 3600000, 0),
	KEY("kernel", "nexthop_object_min_routes", CONF_K_UINT,
	    kernel.nexthop_object_min_routes, 1, 1000000, 0),
	/* workload routes (borrowed pod addresses): device name patterns,
	 * comma separated, fnmatch(3); "" learns none */
	KEY("kernel", "learn_interfaces", CONF_K_STR, kernel.learn_interfaces,
	    0, 256, 0),
	KEY("control", "socket", CONF_K_STR, control.socket, 1,
	    CONF_SOCKET_MAX, 0),
	KEY("control", "socket6", CONF_K_STR, control.socket6, 0,
	    CONF_SOCKET_MAX, 0),
	KEY("control", "idle_timeout", CONF_K_UINT, control.idle_timeout,
	    0, 86400, 0),
	KEY("control", "max_clients", CONF_K_UINT, control.max_clients,
	    1, 65536, 0),
	KEY("control", "max_clients_per_uid", CONF_K_UINT,
	    control.max_clients_per_uid, 0, 65536, 0),
	KEY("log", "level", CONF_K_LOGLEVEL, log.level, 0, 0, 0),
	KEY("log", "debug", CONF_K_STR, log.debug, 0, 256, 0),
	KEY("log", "syslog", CONF_K_BOOL, log.syslog, 0, 0, 0),
	KEY("metrics", "listen", CONF_K_STR, metrics.listen, 0, 128, 0),
	KEY("metrics", "max_clients", CONF_K_UINT, metrics.max_clients,
	    1, 1024, 0),
	/* RFC 5880 6.8.3: an idle rate under 1 s is not allowed */
	KEY("bfd", "interval_ms", CONF_K_UINT, bfd.interval_ms, 10, 60000, 0),
	KEY("bfd", "idle_tx_interval_ms", CONF_K_UINT,
	    bfd.idle_tx_interval_ms, 1000, 60000, 0),
	KEY("bfd", "multiplier", CONF_K_UINT, bfd.multiplier, 1, 255, 0),
	KEY("bfd", "max_sessions", CONF_K_UINT, bfd.max_sessions, 1, 65536, 0),
	KEY("bfd", "max_pps", CONF_K_UINT, bfd.max_pps, 10, 1000000, 0),
};
const size_t conf_nkeys = NITEMS(conf_keys);

static const char *const ds_type_names[] = {
	[CONF_DS_ETCDV3] = "etcdv3",
	[CONF_DS_ETCDV2] = "etcdv2",
	[CONF_DS_FILE] = "file",
};

/* The walk's state: where errors go and the line each key was set on. */
struct pctx {
	struct ycx	 y;		/* path and error buffer */
	struct conf	*c;
	unsigned long	*lines;		/* [conf_nkeys], 0 = not given */
	unsigned long	 seclines[NITEMS(conf_sections)];
};

/* FILE:LINE: key KEY: why (lib/ytree); always -1 */
#define kerr(x, ...)	ycx_error(&(x)->y, __VA_ARGS__)

const char *
conf_ds_type_name(enum conf_ds_type t)
{
	if ((size_t)t < NITEMS(ds_type_names))
		return ds_type_names[t];
	return "?";
}

static void *
field(struct conf *c, const struct conf_key *k)
{
	return (char *)c + k->off;
}

static int
get_uint(struct pctx *x, const struct ynode *n, const char *key,
    uint64_t *v)
{
	if (ycx_scalar(&x->y, n, key, "an integer") == -1)
		return -1;
	if (ynode_is_null(n))
		return kerr(x, n->line, key, "expected an integer, got an "
		    "empty value");
	if (n->quoted || num_parse_u64(n->str, v) == -1)
		return kerr(x, n->line, key, "expected an integer, got "
		    "\"%.32s\"", n->str);
	return 0;
}

static void
store_uint(void *p, size_t width, uint64_t v)
{
	uint8_t u8 = (uint8_t)v;
	uint16_t u16 = (uint16_t)v;
	uint32_t u32 = (uint32_t)v;

	switch (width) {
	case 1:
		memcpy(p, &u8, 1);
		break;
	case 2:
		memcpy(p, &u16, 2);
		break;
	case 4:
		memcpy(p, &u32, 4);
		break;
	default:
		abort();
	}
}

static int
set_uint(struct pctx *x, const struct conf_key *k, const struct ynode *n,
    const char *key)
{
	uint64_t v;

	if (get_uint(x, n, key, &v) == -1)
		return -1;
	if (k->type == CONF_K_HOLD && (v == 1 || v == 2 || v > k->max))
		/* RFC 4271 4.2: zero or at least three seconds */
		return kerr(x, n->line, key,
		    "%llu is out of range (0 or 3..%u)",
		    (unsigned long long)v, k->max);
	if (v < k->min || v > k->max)
		return kerr(x, n->line, key, "%llu is out of range (%u..%u)",
		    (unsigned long long)v, k->min, k->max);
	store_uint(field(x->c, k), k->width, v);
	return 0;
}

/* asplain "64512" or asdot "1.10" (RFC 5396); 0 is not an AS here. */
static int
set_as(struct pctx *x, const struct conf_key *k, const struct ynode *n,
    const char *key)
{
	uint32_t as = 0;

	if (ycx_as(&x->y, n, key, &as) == -1)
		return -1;
	store_uint(field(x->c, k), k->width, as);
	return 0;
}

static int
set_bool(struct pctx *x, const struct conf_key *k, const struct ynode *n,
    const char *key)
{
	return ycx_bool(&x->y, n, key, field(x->c, k));
}

static bool
is_name(const char *s)
{
	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') ||
	    (s[0] >= '0' && s[0] <= '9')))
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789.-_") == strlen(s);
}

/*
 * ASCII controls, and the UTF-8 of the C1 controls (U+0080..U+009F) and of
 * U+2028/U+2029: YAML reads NEL (U+0085), LS and PS as line breaks, so
 * such a value would not survive printconf and a second load (fuzz_conf).
 */
static bool
has_control(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return true;
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return true;
		if (p[0] == 0xe2 && p[1] == 0x80 &&
		    (p[2] == 0xa8 || p[2] == 0xa9))
			return true;
	}
	return false;
}

static int
check_str(struct pctx *x, const struct conf_key *k, const struct ynode *n,
    const char *key, const char *s)
{
	size_t len = strlen(s);

	if (has_control(s))
		return kerr(x, n->line, key, "control character in value");
	if (k->type == CONF_K_NAME && len > 0 && !is_name(s))
		return kerr(x, n->line, key, "\"%.32s\" is not a valid node "
		    "name (letters, digits, '.', '-', '_')", s);
	if (len < k->min)
		return kerr(x, n->line, key, "must not be empty");
	if (len > k->max)
		return kerr(x, n->line, key, "longer than %u characters",
		    k->max);
	if ((k->flags & CONF_F_SLASH) && s[0] != '/')
		return kerr(x, n->line, key, "must start with '/'");
	return 0;
}

static int
set_str(struct pctx *x, const struct conf_key *k, const struct ynode *n,
    const char *key)
{
	char **sp = field(x->c, k);
	const char *s;

	if (ycx_scalar(&x->y, n, key, "a string") == -1)
		return -1;
	s = ynode_is_null(n) ? "" : n->str;
	if (check_str(x, k, n, key, s) == -1)
		return -1;
	free(*sp);
	*sp = k->type == CONF_K_NAME && *s == '\0' ? NULL : xstrdup(s);
	return 0;
}

static int
set_addr(struct pctx *x, const struct conf_key *k, const struct ynode *n,
    const char *key)
{
	struct addr *a = field(x->c, k);
	uint8_t af = k->type == CONF_K_ADDR4 ? AF_INET : AF_INET6;
	const char *what = af == AF_INET ? "an IPv4 address" :
	    "an IPv6 address";

	if (ycx_scalar(&x->y, n, key, what) == -1)
		return -1;
	if (ynode_is_null(n) || n->str[0] == '\0') {
		memset(a, 0, sizeof(*a));
		return 0;
	}
	if (addr_parse(n->str, a) == -1 || a->af != af) {
		memset(a, 0, sizeof(*a));
		return kerr(x, n->line, key, "\"%.48s\" is not %s", n->str,
		    what);
	}
	return 0;
}

static int
check_url(struct pctx *x, const struct ynode *n, const char *key)
{
	const char *s = n->str, *host;

	if (n->type != Y_SCALAR)
		return ycx_scalar(&x->y, n, key, "a URL");
	if (strncmp(s, "http://", 7) == 0)
		host = s + 7;
	else if (strncmp(s, "https://", 8) == 0)
		host = s + 8;
	else
		return kerr(x, n->line, key, "\"%.48s\" is not an http:// or "
		    "https:// URL", s);
	if (*host == '\0' || *host == '/' || strlen(s) > CONF_URL_MAX)
		return kerr(x, n->line, key, "\"%.48s\" has no host", s);
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f)
			return kerr(x, n->line, key, "space or control "
			    "character in URL");
	return 0;
}

static void
free_endpoints(struct conf *c)
{
	for (size_t i = 0; i < c->datastore.nendpoints; i++) {
		free(c->datastore.endpoints[i]);
		c->datastore.endpoints[i] = NULL;
	}
	c->datastore.nendpoints = 0;
}

/* A sequence of URLs, or one URL as a scalar. */
static int
set_endpoints(struct pctx *x, const struct ynode *n, const char *key)
{
	const struct ynode *it;
	char ikey[160];
	size_t i = 0;

	if (n->type == Y_MAP)
		return ycx_scalar(&x->y, n, key, "a list of URLs");
	free_endpoints(x->c);
	if (n->type == Y_SCALAR) {
		if (ynode_is_null(n))
			return 0;
		if (check_url(x, n, key) == -1)
			return -1;
		x->c->datastore.endpoints[x->c->datastore.nendpoints++] =
		    xstrdup(n->str);
		return 0;
	}
	for (it = n->child; it != NULL; it = it->next, i++) {
		snprintf(ikey, sizeof(ikey), "%s[%zu]", key, i);
		if (i == CONF_MAX_ENDPOINTS)
			return kerr(x, it->line, key, "more than %d endpoints",
			    CONF_MAX_ENDPOINTS);
		if (check_url(x, it, ikey) == -1)
			return -1;
		x->c->datastore.endpoints[x->c->datastore.nendpoints++] =
		    xstrdup(it->str);
	}
	return 0;
}

void
conf_secrets_free(struct conf *c)
{
	for (size_t i = 0; i < c->secrets.nfiles; i++) {
		free(c->secrets.files[i].name);
		free(c->secrets.files[i].key);
		free(c->secrets.files[i].path);
	}
	free(c->secrets.files);
	c->secrets.files = NULL;
	c->secrets.nfiles = 0;
}

/*
 * Kubernetes' names: a secret is a DNS subdomain (lower case letters,
 * digits, '-', '.'), a key letters, digits, '-', '_', '.'; both at most
 * 253 characters, and never "." or ".." (a key is a file name).
 */
static bool
is_secret_part(const char *s, bool key)
{
	size_t len = strlen(s);

	if (len == 0 || len > 253 || strcmp(s, ".") == 0 ||
	    strcmp(s, "..") == 0)
		return false;
	return strspn(s, key ? "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU"
	    "VWXYZ0123456789-_." : "abcdefghijklmnopqrstuvwxyz0123456789-.") ==
	    len;
}

/* One field of a secrets.files item: a scalar string. */
static int
secret_field(struct pctx *x, const struct ynode *e, const char *ikey,
    char **out)
{
	char key[256];

	snprintf(key, sizeof(key), "%s.%s", ikey, e->key);
	if (*out != NULL)
		return kerr(x, e->keyline, key, "duplicate key");
	if (ycx_scalar(&x->y, e, key, "a string") == -1)
		return -1;
	if (ynode_is_null(e) || e->str[0] == '\0')
		return kerr(x, e->line, key, "must not be empty");
	if (has_control(e->str))
		return kerr(x, e->line, key, "control character in value");
	if (strcmp(e->key, "path") == 0 && (e->str[0] != '/' ||
	    strlen(e->str) >= PATH_MAX))
		return kerr(x, e->line, key, "must be an absolute path");
	if (strcmp(e->key, "path") != 0 &&
	    !is_secret_part(e->str, strcmp(e->key, "key") == 0))
		return kerr(x, e->line, key, "\"%.48s\" is not a Kubernetes "
		    "secret %s", e->str, e->key);
	*out = xstrdup(e->str);
	return 0;
}

/* {name, key, path}, all three, nothing else. */
static int
secret_item(struct pctx *x, const struct ynode *it, const char *ikey,
    struct conf_secret *s)
{
	const struct ynode *e;
	char key[256];

	if (it->type != Y_MAP)
		return kerr(x, it->line, ikey, "expected a mapping {name, key, "
		    "path}, got %s", ytree_type_name(it));
	for (e = it->child; e != NULL; e = e->next) {
		char **f = strcmp(e->key, "name") == 0 ? &s->name :
		    strcmp(e->key, "key") == 0 ? &s->key :
		    strcmp(e->key, "path") == 0 ? &s->path : NULL;

		snprintf(key, sizeof(key), "%s.%.64s", ikey, e->key);
		if (f == NULL)
			return kerr(x, e->keyline, key, "unknown key");
		if (secret_field(x, e, ikey, f) == -1)
			return -1;
	}
	if (s->name == NULL || s->key == NULL || s->path == NULL)
		return kerr(x, it->line, ikey, "needs name, key and path");
	return 0;
}

/* secrets.files: a sequence of {name, key, path}, each pair once. */
static int
set_secrets(struct pctx *x, const struct ynode *n, const char *key)
{
	struct conf *c = x->c;
	const struct ynode *it;
	char ikey[160];
	size_t i = 0;

	conf_secrets_free(c);
	if (n->type == Y_SCALAR && ynode_is_null(n))
		return 0;
	if (n->type != Y_SEQ)
		return kerr(x, n->line, key, "expected a list of {name, key, "
		    "path}, got %s", ytree_type_name(n));
	for (it = n->child; it != NULL; it = it->next, i++) {
		struct conf_secret *s;

		snprintf(ikey, sizeof(ikey), "%s[%zu]", key, i);
		if (i == CONF_MAX_SECRETS)
			return kerr(x, it->line, key, "more than %d secrets",
			    CONF_MAX_SECRETS);
		c->secrets.files = xreallocarray(c->secrets.files, i + 1,
		    sizeof(*c->secrets.files));
		s = &c->secrets.files[i];
		memset(s, 0, sizeof(*s));
		c->secrets.nfiles = i + 1;
		if (secret_item(x, it, ikey, s) == -1)
			return -1;
		for (size_t j = 0; j < i; j++)
			if (strcmp(c->secrets.files[j].name, s->name) == 0 &&
			    strcmp(c->secrets.files[j].key, s->key) == 0)
				return kerr(x, it->line, ikey, "secret %s key "
				    "%s given twice (first %s[%zu])", s->name,
				    s->key, key, j);
	}
	return 0;
}

static int
set_ds_type(struct pctx *x, const struct ynode *n, const char *key)
{
	if (ycx_scalar(&x->y, n, key, "a datastore type") == -1)
		return -1;
	for (size_t i = 0; i < NITEMS(ds_type_names); i++) {
		if (strcmp(n->str, ds_type_names[i]) == 0) {
			x->c->datastore.type = (enum conf_ds_type)i;
			return 0;
		}
	}
	return kerr(x, n->line, key, "\"%.32s\" is not one of etcdv3, etcdv2, "
	    "file", n->str);
}

static int
set_log_level(struct pctx *x, const struct ynode *n, const char *key)
{
	enum log_level l;

	if (ycx_scalar(&x->y, n, key, "a log level") == -1)
		return -1;
	for (l = LOG_LVL_ERROR; l <= LOG_LVL_DEBUG; l++) {
		if (strcmp(n->str, log_level_name(l)) == 0) {
			x->c->log.level = l;
			return 0;
		}
	}
	return kerr(x, n->line, key, "\"%.32s\" is not one of debug, info, "
	    "warning, error", n->str);
}

static int
set_value(struct pctx *x, const struct conf_key *k, const struct ynode *n,
    const char *key)
{
	switch (k->type) {
	case CONF_K_STR:
	case CONF_K_NAME:
		return set_str(x, k, n, key);
	case CONF_K_BOOL:
		return set_bool(x, k, n, key);
	case CONF_K_UINT:
	case CONF_K_HOLD:
		return set_uint(x, k, n, key);
	case CONF_K_AS:
		return set_as(x, k, n, key);
	case CONF_K_ADDR4:
	case CONF_K_ADDR6:
		return set_addr(x, k, n, key);
	case CONF_K_DSTYPE:
		return set_ds_type(x, n, key);
	case CONF_K_ENDPOINTS:
		return set_endpoints(x, n, key);
	case CONF_K_LOGLEVEL:
		return set_log_level(x, n, key);
	case CONF_K_SECRETS:
		return set_secrets(x, n, key);
	}
	abort();
}

static ssize_t
find_key(const char *section, const char *name)
{
	for (size_t i = 0; i < conf_nkeys; i++)
		if (strcmp(conf_keys[i].section, section) == 0 &&
		    strcmp(conf_keys[i].name, name) == 0)
			return (ssize_t)i;
	return -1;
}

static int
walk_section(struct pctx *x, const char *section, const struct ynode *map)
{
	const struct ynode *e;
	char key[128];
	ssize_t i;

	for (e = map->child; e != NULL; e = e->next) {
		snprintf(key, sizeof(key), "%s.%.64s", section, e->key);
		if ((i = find_key(section, e->key)) == -1)
			return kerr(x, e->keyline, key, "unknown key");
		if (x->lines[i] != 0)
			return kerr(x, e->keyline, key, "duplicate key (first "
			    "on line %lu)", x->lines[i]);
		x->lines[i] = e->keyline;
		if (set_value(x, &conf_keys[i], e, key) == -1)
			return -1;
	}
	return 0;
}

static int
walk_top(struct pctx *x, const struct ynode *root)
{
	const struct ynode *e;
	size_t s;

	if (root == NULL || ynode_is_null(root))
		return 0;		/* empty file: all defaults */
	if (ycx_top_mapping(&x->y, root) == -1)
		return -1;
	for (e = root->child; e != NULL; e = e->next) {
		for (s = 0; s < conf_nsections; s++)
			if (strcmp(e->key, conf_sections[s]) == 0)
				break;
		if (s == conf_nsections)
			return kerr(x, e->keyline, e->key, "unknown key");
		if (x->seclines[s] != 0)
			return kerr(x, e->keyline, e->key, "duplicate key "
			    "(first on line %lu)", x->seclines[s]);
		x->seclines[s] = e->keyline;
		if (ynode_is_null(e))
			continue;	/* "bgp:" alone: defaults */
		if (e->type != Y_MAP)
			return kerr(x, e->line, e->key, "expected a mapping, "
			    "got %s", ytree_type_name(e));
		if (walk_section(x, e->key, e) == -1)
			return -1;
	}
	return 0;
}

/* The line to blame for a rule: the first of keys a, b given, else 1. */
static unsigned long
rule_line(const struct pctx *x, const char *section, const char *a,
    const char *b)
{
	ssize_t i = find_key(section, a), j = find_key(section, b);

	if (i >= 0 && x->lines[i] != 0)
		return x->lines[i];
	if (j >= 0 && x->lines[j] != 0)
		return x->lines[j];
	return 1;
}

static int
check_rules(struct pctx *x)
{
	const struct conf *c = x->c;
	struct addr a;
	uint16_t port;
	unsigned mask;

	if (c->metrics.listen[0] != '\0' &&
	    addr_port_parse(c->metrics.listen, &a, &port) == -1)
		return kerr(x, rule_line(x, "metrics", "listen", "listen"),
		    "metrics.listen", "\"%s\" is not ADDRESS:PORT (an IPv6 "
		    "address in brackets)", c->metrics.listen);
	if (log_debug_parse(c->log.debug, &mask) == -1)
		return kerr(x, rule_line(x, "log", "debug", "debug"),
		    "log.debug", "\"%s\" is not a list of states, packets, "
		    "routes, events, all", c->log.debug);

	if (c->bgp.hold_time != 0 && c->bgp.keepalive_time > c->bgp.hold_time)
		return kerr(x, rule_line(x, "bgp", "keepalive_time",
		    "hold_time"), "bgp.keepalive_time",
		    "%u is more than bgp.hold_time %u",
		    c->bgp.keepalive_time, c->bgp.hold_time);
	if (c->secrets.dir[0] != '\0' && c->secrets.dir[0] != '/')
		return kerr(x, rule_line(x, "secrets", "dir", "dir"),
		    "secrets.dir", "must be an absolute path");
	if (c->datastore.type == CONF_DS_FILE && c->datastore.path[0] == '\0')
		return kerr(x, rule_line(x, "datastore", "path", "type"),
		    "datastore.path", "required with type file");
	if (c->datastore.type != CONF_DS_FILE && c->datastore.nendpoints == 0)
		return kerr(x, rule_line(x, "datastore", "endpoints", "type"),
		    "datastore.endpoints", "at least one endpoint is needed "
		    "with type %s", conf_ds_type_name(c->datastore.type));
	return 0;
}

struct conf *
conf_new_defaults(void)
{
	struct conf *c = xcalloc(1, sizeof(*c));

	c->datastore.type = CONF_DS_ETCDV3;
	c->datastore.endpoints[0] = xstrdup("http://127.0.0.1:2379");
	c->datastore.nendpoints = 1;
	c->datastore.prefix = xstrdup("/calico");
	c->bgp.port = 179;
	c->bgp.hold_time = 240;
	c->bgp.keepalive_time = 80;
	c->bgp.connect_retry_time = 5;
	c->bgp.graceful_restart = true;
	c->bgp.restart_time = 120;
	c->bgp.add_paths = true;
	c->bgp.max_prefixes = 100000;
	c->bgp.max_paths_per_prefix = 1024;
	c->bgp.max_peer_memory_kib = 16384;
	c->bgp.input_buffer_kib = 256;
	c->bgp.open_wait_time = 5;
	c->bgp.refresh_interval = 1;
	c->bgp.advertisement_interval_ms = 100;
	c->kernel.protocol = 12;
	c->kernel.table = 254;
	c->kernel.persist = true;
	c->kernel.retry_min_ms = 1000;
	c->kernel.retry_max_ms = 60000;
	c->kernel.nexthop_object_min_routes = 8;
	c->kernel.learn_interfaces = xstrdup("cali*");
	c->control.socket = xstrdup("/var/run/calico/bird.ctl");
	c->control.idle_timeout = 30;
	c->control.max_clients = 512;
	c->control.max_clients_per_uid = 256;
	c->datastore.retry_backoff_min_ms = 100;
	c->datastore.retry_backoff_max_ms = 5000;
	c->datastore.relist_backoff_min_ms = 1000;
	c->datastore.relist_backoff_max_ms = 30000;
	c->datastore.probe_interval_ms = 2000;
	c->datastore.probe_timeout_ms = 3000;
	c->datastore.watch_silence_ms = 1500000;
	c->log.level = LOG_LVL_INFO;
	c->metrics.max_clients = 16;
	c->bfd.interval_ms = 500;
	c->bfd.idle_tx_interval_ms = 2000;
	c->bfd.multiplier = 16;
	c->bfd.max_sessions = 256;
	c->bfd.max_pps = 2000;
	for (size_t i = 0; i < conf_nkeys; i++) {
		char **sp = field(c, &conf_keys[i]);

		if (conf_keys[i].type == CONF_K_STR && *sp == NULL)
			*sp = xstrdup("");
	}
	return c;
}

void
conf_free(struct conf *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < conf_nkeys; i++) {
		const struct conf_key *k = &conf_keys[i];

		if (k->type == CONF_K_STR || k->type == CONF_K_NAME)
			free(*(char **)field(c, k));
	}
	free_endpoints(c);
	conf_secrets_free(c);
	free(c->path);
	free(c);
}

/* Key k holds the same value in a and b. */
static bool
key_eq(const struct conf *a, const struct conf *b, const struct conf_key *k)
{
	const void *x = (const char *)a + k->off, *y = (const char *)b + k->off;

	switch (k->type) {
	case CONF_K_STR:
	case CONF_K_NAME: {
		const char *s = *(char *const *)x, *t = *(char *const *)y;

		if (s == NULL || t == NULL)
			return s == t;
		return strcmp(s, t) == 0;
	}
	case CONF_K_ADDR4:
	case CONF_K_ADDR6:
		return addr_eq(x, y) || (!addr_is_set(x) && !addr_is_set(y));
	case CONF_K_SECRETS:
		if (a->secrets.nfiles != b->secrets.nfiles)
			return false;
		for (size_t i = 0; i < a->secrets.nfiles; i++) {
			const struct conf_secret *s = &a->secrets.files[i];
			const struct conf_secret *t = &b->secrets.files[i];

			if (strcmp(s->name, t->name) != 0 ||
			    strcmp(s->key, t->key) != 0 ||
			    strcmp(s->path, t->path) != 0)
				return false;
		}
		return true;
	case CONF_K_ENDPOINTS:
		if (a->datastore.nendpoints != b->datastore.nendpoints)
			return false;
		for (size_t i = 0; i < a->datastore.nendpoints; i++)
			if (strcmp(a->datastore.endpoints[i],
			    b->datastore.endpoints[i]) != 0)
				return false;
		return true;
	default:
		return memcmp(x, y, k->width) == 0;
	}
}

size_t
conf_diff(const struct conf *a, const struct conf *b,
    void (*cb)(void *arg, const char *section, const char *key), void *arg)
{
	size_t n = 0;

	for (size_t i = 0; i < conf_nkeys; i++) {
		if (key_eq(a, b, &conf_keys[i]))
			continue;
		n++;
		if (cb != NULL)
			cb(arg, conf_keys[i].section, conf_keys[i].name);
	}
	return n;
}

int
conf_keep(struct conf *dst, const struct conf *src, const char *section,
    const char *key)
{
	const struct conf_key *k;
	ssize_t i = find_key(section, key);

	if (i < 0)
		return -1;
	k = &conf_keys[i];
	switch (k->type) {
	case CONF_K_STR:
	case CONF_K_NAME: {
		char **d = field(dst, k);
		const char *s = *(char *const *)((const char *)src + k->off);

		free(*d);
		*d = s == NULL ? NULL : xstrdup(s);
		break;
	}
	case CONF_K_ENDPOINTS:
		free_endpoints(dst);
		for (size_t j = 0; j < src->datastore.nendpoints; j++)
			dst->datastore.endpoints[j] =
			    xstrdup(src->datastore.endpoints[j]);
		dst->datastore.nendpoints = src->datastore.nendpoints;
		break;
	case CONF_K_SECRETS:
		conf_secrets_free(dst);
		dst->secrets.files = xcalloc(src->secrets.nfiles + 1,
		    sizeof(*dst->secrets.files));
		for (size_t j = 0; j < src->secrets.nfiles; j++) {
			dst->secrets.files[j].name =
			    xstrdup(src->secrets.files[j].name);
			dst->secrets.files[j].key =
			    xstrdup(src->secrets.files[j].key);
			dst->secrets.files[j].path =
			    xstrdup(src->secrets.files[j].path);
		}
		dst->secrets.nfiles = src->secrets.nfiles;
		break;
	default:
		memcpy(field(dst, k), (const char *)src + k->off, k->width);
		break;
	}
	return 0;
}

struct conf *
conf_load(const char *path, char *err, size_t errlen)
{
	static const struct ylimits lim = {
		.max_bytes = 1 << 20,
		.max_depth = 4,		/* top, section, secrets.files,
					 * an item */
		.max_nodes = 10000,
		.max_scalar = 4096,
	};
	struct ynode *root;
	struct pctx x;
	int rc;

	if (errlen > 0)
		err[0] = '\0';
	if (path == NULL) {
		snprintf(err, errlen, "no configuration file given");
		return NULL;
	}
	if (ytree_load(path, &lim, &root, err, errlen) == -1)
		return NULL;
	memset(&x, 0, sizeof(x));
	x.y.path = path;
	x.y.err = err;
	x.y.errlen = errlen;
	x.c = conf_new_defaults();
	x.c->path = xstrdup(path);
	x.lines = xcalloc(conf_nkeys, sizeof(*x.lines));
	rc = walk_top(&x, root);
	if (rc == 0)
		rc = check_rules(&x);
	free(x.lines);
	ytree_free(root);
	if (rc == -1) {
		conf_free(x.c);
		return NULL;
	}
	return x.c;
}
