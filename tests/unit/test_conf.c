/*
 * test_conf.c: the configuration parser and printconf (conf/).
 *
 * Good files under tests/conf/ parse to the expected values; printconf
 * output matches tests/conf/<name>.ok and survives load -> print -> load ->
 * print byte for byte; a table of bad files each fails with "file:line:"
 * and the key in the message.
 */
#include <sys/stat.h>

#include <check.h>

#include "check_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"

#define CONFDIR	TEST_SRCDIR "/../conf"

static char tmpdir[] = "/tmp/test_conf.XXXXXX";

static struct conf *
load(const char *path)
{
	char err[512];
	struct conf *c = conf_load(path, err, sizeof(err));

	ck_assert_msg(c != NULL, "%s: %s", path, err);
	return c;
}

static char *
print_str(const struct conf *c)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	ck_assert_ptr_nonnull(f);
	conf_print(c, f);
	fclose(f);
	return s;
}

static char *
read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s;
	long n;

	ck_assert_msg(f != NULL, "open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	s = calloc(1, (size_t)n + 1);
	ck_assert_uint_eq(fread(s, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return s;
}

static void
write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	fclose(f);
}

START_TEST(t_full)
{
	struct conf *c = load(CONFDIR "/full.yaml");
	char buf[ADDR_STRLEN];

	ck_assert_str_eq(c->path, CONFDIR "/full.yaml");
	ck_assert_str_eq(c->node.name, "h2.example-node_1");
	ck_assert_str_eq(addr_fmt(&c->node.ipv4, buf, sizeof(buf)),
	    "198.18.0.2");
	ck_assert_str_eq(addr_fmt(&c->node.ipv6, buf, sizeof(buf)), "fd80::2");
	ck_assert_uint_eq(c->node.as, 65546);
	ck_assert_int_eq(c->datastore.type, CONF_DS_ETCDV2);
	ck_assert_uint_eq(c->datastore.nendpoints, 3);
	ck_assert_str_eq(c->datastore.endpoints[0], "http://198.18.0.1:2379");
	ck_assert_str_eq(c->datastore.endpoints[1], "https://[fd80::1]:2379");
	ck_assert_str_eq(c->secrets.dir, "/etc/tern/secrets");
	ck_assert_uint_eq(c->secrets.nfiles, 2);
	ck_assert_str_eq(c->secrets.files[0].name, "bgp-secrets");
	ck_assert_str_eq(c->secrets.files[0].key, "rr-password");
	ck_assert_str_eq(c->secrets.files[0].path, "/run/secrets/rr");
	ck_assert_str_eq(c->secrets.files[1].key, "Tor_1");
	ck_assert_str_eq(c->secrets.files[1].path, "/run/secrets/tor 1");
	ck_assert_str_eq(c->datastore.endpoints[2],
	    "http://etcd.example:2379/");
	ck_assert_str_eq(c->datastore.prefix, "/mycalico");
	ck_assert_str_eq(c->datastore.ca_file, "/etc/tern/ca.pem");
	ck_assert_str_eq(c->datastore.cert_file, "/etc/tern/cert.pem");
	ck_assert_str_eq(c->datastore.key_file, "/etc/tern/key \"q\" \\ .pem");
	ck_assert_str_eq(c->datastore.path, "/etc/tern/cluster.yaml");
	ck_assert_uint_eq(c->bgp.port, 1179);
	ck_assert_uint_eq(c->bgp.hold_time, 90);
	ck_assert_uint_eq(c->bgp.keepalive_time, 30);
	ck_assert_uint_eq(c->bgp.connect_retry_time, 10);
	ck_assert(!c->bgp.graceful_restart);
	ck_assert_uint_eq(c->bgp.restart_time, 4095);
	ck_assert(!c->bgp.add_paths);
	ck_assert_str_eq(c->bgp.password, "s3cret \"pw\"");
	ck_assert_uint_eq(c->bgp.max_prefixes, 0);
	ck_assert_uint_eq(c->kernel.protocol, 200);
	ck_assert_uint_eq(c->kernel.table, 4294967295u);
	ck_assert(!c->kernel.persist);
	ck_assert_str_eq(c->control.socket, "/run/tern.ctl");
	ck_assert_int_eq(c->log.level, LOG_LVL_DEBUG);
	ck_assert_str_eq(c->control.socket6, "none");
	ck_assert_str_eq(c->log.debug, "states,routes");
	ck_assert(c->log.syslog);
	ck_assert_str_eq(c->metrics.listen, "[::1]:9324");
	ck_assert_uint_eq(c->metrics.max_clients, 4);
	ck_assert_uint_eq(c->bfd.interval_ms, 300);
	ck_assert_uint_eq(c->bfd.idle_tx_interval_ms, 1000);
	ck_assert_uint_eq(c->bfd.multiplier, 5);
	ck_assert_uint_eq(c->bfd.max_sessions, 10);
	ck_assert_uint_eq(c->bfd.max_pps, 100);
	conf_free(c);
}
END_TEST

static void
assert_defaults(const struct conf *c)
{
	ck_assert_ptr_null(c->node.name);
	ck_assert(!addr_is_set(&c->node.ipv4));
	ck_assert(!addr_is_set(&c->node.ipv6));
	ck_assert_uint_eq(c->node.as, 0);
	ck_assert_int_eq(c->datastore.type, CONF_DS_ETCDV3);
	ck_assert_uint_eq(c->datastore.nendpoints, 1);
	ck_assert_str_eq(c->datastore.endpoints[0], "http://127.0.0.1:2379");
	ck_assert_str_eq(c->datastore.prefix, "/calico");
	ck_assert_str_eq(c->datastore.ca_file, "");
	ck_assert_str_eq(c->datastore.cert_file, "");
	ck_assert_str_eq(c->datastore.key_file, "");
	ck_assert_str_eq(c->datastore.path, "");
	ck_assert_uint_eq(c->bgp.port, 179);
	ck_assert_uint_eq(c->bgp.hold_time, 240);
	ck_assert_uint_eq(c->bgp.keepalive_time, 80);
	ck_assert_uint_eq(c->bgp.connect_retry_time, 5);
	ck_assert(c->bgp.graceful_restart);
	ck_assert_uint_eq(c->bgp.restart_time, 120);
	ck_assert(c->bgp.add_paths);
	ck_assert_str_eq(c->bgp.password, "");
	ck_assert_uint_eq(c->bgp.max_prefixes, 100000);
	ck_assert_uint_eq(c->kernel.protocol, 12);
	ck_assert_uint_eq(c->kernel.table, 254);
	ck_assert(c->kernel.persist);
	ck_assert_str_eq(c->control.socket, "/var/run/calico/bird.ctl");
	ck_assert_int_eq(c->log.level, LOG_LVL_INFO);
	ck_assert_str_eq(c->control.socket6, "");
	ck_assert_str_eq(c->log.debug, "");
	ck_assert(!c->log.syslog);
	ck_assert_str_eq(c->metrics.listen, "");
	ck_assert_uint_eq(c->metrics.max_clients, 16);
	/* Calico's BIRD template's BFD timers */
	ck_assert_uint_eq(c->bfd.interval_ms, 500);
	ck_assert_uint_eq(c->bfd.idle_tx_interval_ms, 2000);
	ck_assert_uint_eq(c->bfd.multiplier, 16);
}

START_TEST(t_defaults)
{
	struct conf *d = conf_new_defaults(), *c;
	char *ds, *cs;

	assert_defaults(d);
	ck_assert_ptr_null(d->path);
	ds = print_str(d);
	c = load(CONFDIR "/empty.yaml");
	assert_defaults(c);
	cs = print_str(c);
	ck_assert_str_eq(cs, ds);
	free(cs);
	conf_free(c);
	c = load(CONFDIR "/comments.yaml");
	assert_defaults(c);
	conf_free(c);
	conf_free(d);
	free(ds);
	conf_free(NULL);
}
END_TEST

START_TEST(t_sparse)
{
	struct conf *c = load(CONFDIR "/sparse.yaml");

	ck_assert_uint_eq(c->kernel.table, 100);
	ck_assert_uint_eq(c->datastore.nendpoints, 1);
	ck_assert_str_eq(c->datastore.endpoints[0], "http://10.0.0.1:2379");
	c->kernel.table = 254;
	free(c->datastore.endpoints[0]);
	c->datastore.endpoints[0] = strdup("http://127.0.0.1:2379");
	assert_defaults(c);
	conf_free(c);
}
END_TEST

START_TEST(t_example)
{
	struct conf *c = load(TEST_TOPDIR "/conf/ternd.yaml");
	char buf[ADDR_STRLEN];

	ck_assert_str_eq(c->node.name, "h1");
	ck_assert_str_eq(addr_fmt(&c->node.ipv4, buf, sizeof(buf)),
	    "198.18.0.1");
	ck_assert(!addr_is_set(&c->node.ipv6));
	ck_assert_uint_eq(c->node.as, 64512);
	ck_assert_int_eq(c->datastore.type, CONF_DS_FILE);
	ck_assert_str_eq(c->datastore.path, "/etc/tern/cluster.yaml");
	ck_assert_str_eq(c->control.socket, "/var/run/calico/bird.ctl");
	conf_free(c);
}
END_TEST

static const char *const roundtrip[] = {
	"full", "empty", "sparse",
};

START_TEST(t_roundtrip)
{
	char path[256], tmp[256], *p1, *p2, *ok;
	struct conf *c;
	FILE *f;

	snprintf(path, sizeof(path), CONFDIR "/%s.yaml", roundtrip[_i]);
	snprintf(tmp, sizeof(tmp), "%s/%s.yaml", tmpdir, roundtrip[_i]);
	c = load(path);
	p1 = print_str(c);
	conf_free(c);
	ck_assert_ptr_nonnull(f = fopen(tmp, "w"));
	fputs(p1, f);
	fclose(f);
	c = load(tmp);
	p2 = print_str(c);
	conf_free(c);
	ck_assert_str_eq(p1, p2);
	snprintf(path, sizeof(path), CONFDIR "/%s.ok", roundtrip[_i]);
	ok = read_all(path);
	ck_assert_msg(strcmp(ok, p1) == 0, "%s differs:\n%s", path, p1);
	free(ok);
	free(p1);
	free(p2);
}
END_TEST

/* A config that must fail; err must contain ":<line>: <want>". */
struct bad {
	const char	*text;
	unsigned	 line;
	const char	*want;
};

static const struct bad bad[] = {
	{ "node:\n  foo: 1\n", 2, "key node.foo: unknown key" },
	{ "node:\n  \"a\\nb\\e[0m\": 1\n", 2, "key node.a?b?[0m: unknown key" },
	{ "nodes:\n  name: x\n", 1, "key nodes: unknown key" },
	{ "bgp:\n  port: abc\n", 2, "key bgp.port: expected an integer" },
	{ "bgp:\n  port: \"179\"\n", 2, "key bgp.port: expected an integer" },
	{ "bgp:\n  port: [179]\n", 2,
	    "key bgp.port: expected an integer, got a sequence" },
	{ "bgp:\n  port: {a: 1}\n", 2, "key bgp.port: expected an integer" },
	{ "bgp:\n  port:\n", 2, "key bgp.port: expected an integer" },
	{ "bgp:\n  port: 0\n", 2, "key bgp.port: 0 is out of range" },
	{ "bgp:\n  port: 65536\n", 2, "key bgp.port: 65536 is out of range" },
	/* RFC 5880 6.8.3: no idle rate under 1 s; a multiplier of 0 */
	{ "bfd:\n  idle_tx_interval_ms: 999\n", 2,
	    "key bfd.idle_tx_interval_ms: 999 is out of range" },
	{ "bfd:\n  multiplier: 0\n", 2, "key bfd.multiplier: 0 is out of "
	    "range" },
	{ "bfd:\n  multiplier: 256\n", 2, "key bfd.multiplier: 256 is out" },
	{ "bgp:\n  port: -1\n", 2, "key bgp.port: expected an integer" },
	{ "bgp:\n  port: 0179\n", 2, "key bgp.port: expected an integer" },
	{ "bgp:\n  port: 99999999999999999999999\n", 2,
	    "key bgp.port: expected an integer" },
	{ "bgp:\n  hold_time: 1\n", 2, "key bgp.hold_time: 1 is out of range "
	    "(0 or 3..65535)" },
	{ "bgp:\n  hold_time: 2\n", 2, "key bgp.hold_time: 2 is out" },
	{ "bgp:\n  hold_time: 65536\n", 2, "key bgp.hold_time: 65536 is out" },
	{ "bgp:\n  hold_time: 60\n  keepalive_time: 61\n", 3,
	    "key bgp.keepalive_time: 61 is more than bgp.hold_time 60" },
	{ "bgp:\n\n  hold_time: 30\n", 3,
	    "key bgp.keepalive_time: 80 is more than bgp.hold_time 30" },
	{ "bgp:\n  connect_retry_time: 0\n", 2,
	    "key bgp.connect_retry_time: 0 is out of range" },
	{ "bgp:\n  restart_time: 4096\n", 2,
	    "key bgp.restart_time: 4096 is out of range (0..4095)" },
	{ "bgp:\n  max_prefixes: 4294967296\n", 2,
	    "key bgp.max_prefixes: 4294967296 is out of range" },
	{ "bgp:\n  password: "
	    "\"123456789012345678901234567890123456789012345678901234567890"
	    "123456789012345678901\"\n", 2,
	    "key bgp.password: longer than 80 characters" },
	{ "bgp:\n  password: \"a\\tb\"\n", 2,
	    "key bgp.password: control character" },
	/* YAML's \N (U+0085 NEL), \L, \P: line breaks to a second load */
	{ "bgp:\n  password: \"a\\Nb\"\n", 2,
	    "key bgp.password: control character" },
	{ "bgp:\n  password: \"a\\Lb\"\n", 2,
	    "key bgp.password: control character" },
	{ "bgp:\n  password: \"a\\x9fb\"\n", 2,
	    "key bgp.password: control character" },
	{ "control:\n  socket: \"/run/\xe2\x80\xa9x\"\n", 2,
	    "key control.socket: control character" },
	{ "bgp:\n  graceful_restart: maybe\n", 2,
	    "key bgp.graceful_restart: expected true or false" },
	{ "bgp:\n  add_paths: \"true\"\n", 2,
	    "key bgp.add_paths: expected true or false" },
	{ "bgp:\n  port: 1\n  port: 2\n", 3,
	    "key bgp.port: duplicate key (first on line 2)" },
	{ "bgp:\n  port: 1\nbgp:\n  port: 2\n", 3, "key bgp: duplicate key" },
	{ "kernel:\n  protocol: 0\n", 2, "key kernel.protocol: 0 is out" },
	{ "kernel:\n  protocol: 256\n", 2, "key kernel.protocol: 256 is out" },
	{ "kernel:\n  table: 0\n", 2, "key kernel.table: 0 is out of range" },
	{ "kernel:\n  persist: [true]\n", 2,
	    "key kernel.persist: expected true or false, got a sequence" },
	{ "node:\n  ipv4: 1.2.3\n", 2, "key node.ipv4: \"1.2.3\" is not an "
	    "IPv4 address" },
	{ "node:\n  ipv4: \"fd80::1\"\n", 2, "key node.ipv4: \"fd80::1\" is "
	    "not an IPv4 address" },
	{ "node:\n  ipv6: 198.18.0.1\n", 2, "key node.ipv6: \"198.18.0.1\" is "
	    "not an IPv6 address" },
	{ "node:\n  ipv4: 198.18.0.1/24\n", 2, "key node.ipv4:" },
	{ "node:\n  as: 0\n", 2, "key node.as: AS 0 is out of range" },
	{ "node:\n  as: 4294967296\n", 2, "key node.as: AS 4294967296 is out" },
	{ "node:\n  as: 1.65536\n", 2, "key node.as: bad asdot AS" },
	{ "node:\n  as: AS64512\n", 2, "key node.as: expected an AS number" },
	{ "node:\n  name: h 1\n", 2, "key node.name: \"h 1\" is not a valid" },
	{ "node:\n  name: "
	    "a234567890123456789012345678901234567890123456789012345678901234"
	    "\n", 2, "key node.name: longer than 63 characters" },
	{ "node:\n  name: [h1]\n", 2, "key node.name: expected a string" },
	{ "datastore:\n  type: consul\n", 2, "key datastore.type: \"consul\" "
	    "is not one of etcdv3, etcdv2, file" },
	{ "datastore:\n  type: file\n", 2,
	    "key datastore.path: required with type file" },
	{ "datastore:\n  endpoints: [ftp://x:2379]\n", 2,
	    "key datastore.endpoints[0]: \"ftp://x:2379\" is not an http://" },
	{ "datastore:\n  endpoints:\n    - http://a\n    - http://\n", 4,
	    "key datastore.endpoints[1]: \"http://\" has no host" },
	{ "datastore:\n  endpoints: [\"http://a b\"]\n", 2,
	    "key datastore.endpoints[0]: space or control" },
	{ "datastore:\n  endpoints: [http://1, http://2, http://3, http://4, "
	    "http://5, http://6, http://7, http://8, http://9, http://10, "
	    "http://11, http://12, http://13, http://14, http://15, "
	    "http://16, http://17]\n", 2,
	    "key datastore.endpoints: more than 16 endpoints" },
	{ "datastore:\n  endpoints: []\n", 2,
	    "key datastore.endpoints: at least one endpoint is needed" },
	{ "datastore:\n  endpoints: {a: b}\n", 2,
	    "key datastore.endpoints: expected a list of URLs" },
	{ "datastore:\n  endpoints:\n    - [http://a]\n", 3,
	    "key datastore.endpoints[0]: expected a URL, got a sequence" },
	{ "secrets:\n  files:\n    - name: [[a]]\n", 3,
	    "nested deeper than the schema allows" },
	/* issue 15: secrets */
	{ "secrets:\n  dir: etc/secrets\n", 2,
	    "key secrets.dir: must be an absolute path" },
	{ "secrets:\n  files: {name: a}\n", 2,
	    "key secrets.files: expected a list of {name, key, path}" },
	{ "secrets:\n  files: [a]\n", 2,
	    "key secrets.files[0]: expected a mapping {name, key, path}" },
	{ "secrets:\n  files:\n    - {name: a, key: b}\n", 3,
	    "key secrets.files[0]: needs name, key and path" },
	{ "secrets:\n  files:\n    - {name: a, key: b, path: /p, x: 1}\n",
	    3, "key secrets.files[0].x: unknown key" },
	{ "secrets:\n  files:\n    - {name: A, key: b, path: /p}\n", 3,
	    "key secrets.files[0].name: \"A\" is not a Kubernetes secret "
	    "name" },
	{ "secrets:\n  files:\n    - {name: a, key: \"..\", path: /p}\n", 3,
	    "key secrets.files[0].key: \"..\" is not a Kubernetes secret "
	    "key" },
	{ "secrets:\n  files:\n    - {name: a, key: b/c, path: /p}\n", 3,
	    "key secrets.files[0].key: \"b/c\" is not" },
	{ "secrets:\n  files:\n    - {name: a, key: b, path: p}\n", 3,
	    "key secrets.files[0].path: must be an absolute path" },
	{ "secrets:\n  files:\n    - {name: a, key: b, path: \"\"}\n", 3,
	    "key secrets.files[0].path: must not be empty" },
	{ "secrets:\n  files:\n    - {name: a, key: b, path: /p, key: c}\n",
	    3, "key secrets.files[0].key: duplicate key" },
	{ "secrets:\n  files:\n    - {name: a, key: b, path: /p}\n"
	    "    - {name: a, key: b, path: /q}\n", 4,
	    "key secrets.files[1]: secret a key b given twice" },
	{ "datastore:\n  prefix: calico\n", 2,
	    "key datastore.prefix: must start with '/'" },
	{ "control:\n  socket: \"\"\n", 2, "key control.socket: must not be "
	    "empty" },
	{ "control:\n  socket: /0123456789012345678901234567890123456789"
	    "0123456789012345678901234567890123456789012345678901234567890"
	    "1234567\n", 2, "key control.socket: longer than 107" },
	{ "log:\n  level: verbose\n", 2, "key log.level: \"verbose\" is not "
	    "one of debug, info, warning, error" },
	{ "log:\n  debug: states,chatter\n", 2, "key log.debug: "
	    "\"states,chatter\" is not a list of states, packets" },
	{ "log:\n  debug: \"states,\"\n", 2, "key log.debug:" },
	{ "metrics:\n  listen: 9324\n", 2, "key metrics.listen: \"9324\" is "
	    "not ADDRESS:PORT" },
	{ "metrics:\n  listen: \"::1:9324\"\n", 2, "key metrics.listen:" },
	{ "metrics:\n  listen: \"127.0.0.1:0\"\n", 2, "key metrics.listen:" },
	{ "metrics:\n  listen: \"127.0.0.1:65536\"\n", 2,
	    "key metrics.listen:" },
	{ "metrics:\n  listen: \"[127.0.0.1]:80\"\n", 2,
	    "key metrics.listen:" },
	{ "metrics:\n  max_clients: 0\n", 2, "key metrics.max_clients: 0 is "
	    "out of range" },
	{ "log: [info]\n", 1, "key log: expected a mapping, got a sequence" },
	{ "bgp: 5\n", 1, "key bgp: expected a mapping, got a scalar" },
	{ "- node\n", 1, "the top level must be a mapping" },
	{ "hello\n", 1, "the top level must be a mapping" },
	{ "bgp: &a\n  port: 1\nkernel: *a\n", 3, "aliases are not supported" },
	{ "bgp:\n  port: 1\n---\nlog: {}\n", 3, "more than one YAML document" },
	{ "? [a, b]\n: 1\n", 1, "a mapping key must be a scalar" },
	{ "bgp:\n  port: 1\n hold_time: 3\n", 3, "YAML syntax error" },
	{ "node: [\n", 2, "YAML syntax error" },
	{ "node:\n  name: \"abc\n", 3, "YAML syntax error" },
	{ "node:\n  name: h1\n\tport: 1\n", 3, "YAML syntax error" },
	{ "log:\n  level: \xff\n", 2, "YAML syntax error" },
};

START_TEST(t_bad)
{
	const struct bad *b = &bad[_i];
	char path[256], want[600], err[600];
	struct conf *c;

	snprintf(path, sizeof(path), "%s/bad.yaml", tmpdir);
	write_file(path, b->text, strlen(b->text));
	err[0] = '\0';
	c = conf_load(path, err, sizeof(err));
	ck_assert_msg(c == NULL, "bad[%d] accepted: %s", _i, b->text);
	snprintf(want, sizeof(want), "%s:%u: %s", path, b->line, b->want);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0,
	    "bad[%d]: got \"%s\", want \"%s\"", _i, err, want);
}
END_TEST

START_TEST(t_files)
{
	char path[256], err[512], *big;
	size_t n = (1 << 20) + 10;

	ck_assert_ptr_null(conf_load(tmpdir, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "not a regular file"));
	snprintf(path, sizeof(path), "%s/missing.yaml", tmpdir);
	ck_assert_ptr_null(conf_load(path, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "No such file"));
	ck_assert_ptr_null(conf_load(NULL, err, sizeof(err)));
	ck_assert_ptr_null(conf_load(path, NULL, 0));	/* no err buffer */
	big = malloc(n);
	memset(big, '#', n);
	big[n - 1] = '\n';
	snprintf(path, sizeof(path), "%s/big.yaml", tmpdir);
	write_file(path, big, n);
	free(big);
	ck_assert_ptr_null(conf_load(path, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "larger than"));
	write_file(path, "node:\n  name: a\0b\n", 18);
	ck_assert_ptr_null(conf_load(path, err, sizeof(err)));
	ck_assert_msg(strstr(err, ":2:") != NULL, "%s", err);
	ck_assert_str_eq(conf_ds_type_name(CONF_DS_FILE), "file");
	ck_assert_str_eq(conf_ds_type_name(CONF_DS_ETCDV2), "etcdv2");
	ck_assert_str_eq(conf_ds_type_name((enum conf_ds_type)9), "?");
}
END_TEST

/* More nodes than the limit: refused before it costs memory. */
START_TEST(t_many_values)
{
	char path[256], err[512];
	size_t n = 20001 * 8, len = 0;
	char *text = malloc(n + 64);

	len += (size_t)sprintf(text, "datastore:\n  endpoints:\n");
	for (size_t i = 0; i < 20000; i++)
		len += (size_t)sprintf(text + len, "    - a\n");
	snprintf(path, sizeof(path), "%s/many.yaml", tmpdir);
	write_file(path, text, len);
	free(text);
	ck_assert_ptr_null(conf_load(path, err, sizeof(err)));
	ck_assert_msg(strstr(err, "more than 10000 values") != NULL, "%s",
	    err);
}
END_TEST

static void
rm_tmpdir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

/* conf_diff's callback: "section.key " appended */
static void
diff_cb(void *arg, const char *section, const char *key)
{
	char *out = arg;

	snprintf(out + strlen(out), 512 - strlen(out), "%s.%s ", section, key);
}

START_TEST(t_diff_keep)
{
	struct conf *a = load(CONFDIR "/full.yaml");
	struct conf *b = load(CONFDIR "/full.yaml");
	struct conf *d = conf_new_defaults();
	char out[512] = "";

	/* the same file twice: nothing differs */
	ck_assert_uint_eq(conf_diff(a, b, diff_cb, out), 0);
	ck_assert_str_eq(out, "");
	/* one of each kind of field */
	b->bgp.hold_time = 30;
	free(b->bgp.password);
	b->bgp.password = strdup("other");
	free(b->datastore.endpoints[2]);
	b->datastore.endpoints[2] = strdup("http://x:1");
	memset(&b->node.ipv4, 0, sizeof(b->node.ipv4));
	free(b->node.name);
	b->node.name = NULL;
	ck_assert_uint_eq(conf_diff(a, b, diff_cb, out), 5);
	ck_assert_str_eq(out, "node.name node.ipv4 datastore.endpoints "
	    "bgp.hold_time bgp.password ");
	/* keep: the running value back, key by key */
	ck_assert_int_eq(conf_keep(b, a, "node", "name"), 0);
	ck_assert_int_eq(conf_keep(b, a, "node", "ipv4"), 0);
	ck_assert_int_eq(conf_keep(b, a, "datastore", "endpoints"), 0);
	ck_assert_int_eq(conf_keep(b, a, "bgp", "hold_time"), 0);
	ck_assert_int_eq(conf_keep(b, a, "bgp", "password"), 0);
	ck_assert_int_eq(conf_keep(b, a, "bgp", "nonsense"), -1);
	ck_assert_uint_eq(conf_diff(a, b, NULL, NULL), 0);
	/* endpoints: a different count differs */
	ck_assert_uint_gt(conf_diff(a, d, NULL, NULL), 20);
	ck_assert_int_eq(conf_keep(d, a, "datastore", "endpoints"), 0);
	ck_assert_uint_eq(d->datastore.nendpoints, 3);
	ck_assert_str_eq(d->datastore.endpoints[1], "https://[fd80::1]:2379");
	/* secrets.files: a changed path differs; keep copies the list */
	ck_assert_uint_eq(a->secrets.nfiles, 2);
	free(b->secrets.files[1].path);
	b->secrets.files[1].path = strdup("/elsewhere");
	out[0] = '\0';
	ck_assert_uint_eq(conf_diff(a, b, diff_cb, out), 1);
	ck_assert_str_eq(out, "secrets.files ");
	ck_assert_int_eq(conf_keep(d, b, "secrets", "files"), 0);
	ck_assert_uint_eq(d->secrets.nfiles, 2);
	ck_assert_str_eq(d->secrets.files[1].path, "/elsewhere");
	ck_assert_str_eq(d->secrets.files[0].key, "rr-password");
	ck_assert_int_eq(conf_keep(b, a, "secrets", "files"), 0);
	ck_assert_uint_eq(conf_diff(a, b, NULL, NULL), 0);
	conf_free(a);
	conf_free(b);
	conf_free(d);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("core");
	int nf;

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return EXIT_FAILURE;
	}
	tcase_add_test(tc, t_full);
	tcase_add_test(tc, t_defaults);
	tcase_add_test(tc, t_sparse);
	tcase_add_test(tc, t_example);
	tcase_add_loop_test(tc, t_roundtrip, 0, (int)(sizeof(roundtrip) /
	    sizeof(roundtrip[0])));
	tcase_add_loop_test(tc, t_bad, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, t_files);
	tcase_add_test(tc, t_many_values);
	tcase_add_test(tc, t_diff_keep);
	suite_add_tcase(s, tc);
	nf = check_run(s);
	rm_tmpdir();
	return nf;
}
