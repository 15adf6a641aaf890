/*
 * ternctl.c: the command-line client of ternd's control socket (SPEC 1, 5).
 *
 *   ternctl [-s SOCKET] [-t SECS] status [-o table|json]
 *   ternctl [-s SOCKET] [-t SECS] COMMAND...
 *
 * "status" sends "show protocols" and reads it with exactly the rules of
 * calicoctl node status (reference/calico-compat.md 4: 2002 header fields,
 * 1002 and " " rows, six or more fields, BGP rows named Mesh_/Global_/
 * Node_), then prints calicoctl's table, or JSON. Any other command is sent
 * as is and its reply printed the way birdc prints it (codes stripped,
 * continuation lines unindented, "0000" silent); the exit status is 1 when
 * the last code is 8000 or more, as birdc's. ternctl owns nothing but its
 * one connection; every read is bounded in size and in time.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define DEFAULT_SOCKET	"/var/run/calico/bird.ctl"
#define RBUF_SIZE	(64 * 1024)	/* the longest reply line accepted */
#define MAX_PEERS	4096
#define CMD_MAX		4093		/* BIRD's command limit */

struct conn {
	int	 fd;
	int	 timeout_ms;
	char	 buf[RBUF_SIZE];
	size_t	 off, len;
};

struct peer {
	char	 addr[128];
	char	 type[32];
	char	 state[32];
	char	 since[32];
	char	 info[256];
	char	 name[128];
};

struct peers {
	struct peer	v4[MAX_PEERS], v6[MAX_PEERS];
	size_t		n4, n6;
};

static const char *progname = "ternctl";

static void
usage(void)
{
	fprintf(stderr,
	    "usage: ternctl [-s SOCKET] [-t SECONDS] status [-o table|json]\n"
	    "       ternctl [-s SOCKET] [-t SECONDS] COMMAND...\n"
	    "  COMMAND: show status | show protocols [all] [NAME|\"PATTERN\"]"
	    " |\n"
	    "           show route [all] [for ADDR|PREFIX] [count] | "
	    "configure | down\n"
	    "  default socket: %s\n", DEFAULT_SOCKET);
	exit(2);
}

static int
conn_open(struct conn *c, const char *path)
{
	struct sockaddr_un sun;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path));
	c->off = c->len = 0;
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		int e = errno;

		close(c->fd);
		errno = e;
		return -1;
	}
	return 0;
}

static int
conn_wait(struct conn *c, short what)
{
	struct pollfd pfd = { .fd = c->fd, .events = what };
	int n;

	while ((n = poll(&pfd, 1, c->timeout_ms)) == -1 && errno == EINTR)
		;
	if (n == 0)
		errno = ETIMEDOUT;
	return n > 0 ? 0 : -1;
}

static int
conn_send(struct conn *c, const char *cmd)
{
	size_t len = strlen(cmd), off = 0;
	ssize_t n;

	while (off < len + 1) {
		if (conn_wait(c, POLLOUT) == -1)
			return -1;
		if (off < len)
			n = send(c->fd, cmd + off, len - off, MSG_NOSIGNAL);
		else
			n = send(c->fd, "\n", 1, MSG_NOSIGNAL);
		if (n == -1 && errno != EINTR && errno != EAGAIN)
			return -1;
		if (n > 0)
			off += (size_t)n;
	}
	return 0;
}

/* One reply line without its '\n': 1, or 0 at EOF, -1 on error. */
static int
conn_line(struct conn *c, char *line, size_t max)
{
	char *nl;
	ssize_t n;
	size_t l;

	for (;;) {
		nl = memchr(c->buf + c->off, '\n', c->len - c->off);
		if (nl != NULL) {
			l = (size_t)(nl - (c->buf + c->off));
			if (l >= max) {
				errno = EMSGSIZE;
				return -1;
			}
			memcpy(line, c->buf + c->off, l);
			line[l] = '\0';
			c->off += l + 1;
			return 1;
		}
		if (c->off > 0) {
			memmove(c->buf, c->buf + c->off, c->len - c->off);
			c->len -= c->off;
			c->off = 0;
		}
		if (c->len == sizeof(c->buf)) {
			errno = EMSGSIZE;
			return -1;
		}
		if (conn_wait(c, POLLIN) == -1)
			return -1;
		n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
		if (n == 0)
			return 0;
		if (n == -1 && errno != EINTR && errno != EAGAIN)
			return -1;
		if (n > 0)
			c->len += (size_t)n;
	}
}

/* "DDDD" followed by ' ' or '-': the code, else -1. */
static int
line_code(const char *l, bool *final)
{
	if (!isdigit((unsigned char)l[0]) || !isdigit((unsigned char)l[1]) ||
	    !isdigit((unsigned char)l[2]) || !isdigit((unsigned char)l[3]) ||
	    (l[4] != ' ' && l[4] != '-'))
		return -1;
	*final = l[4] == ' ';
	return (l[0] - '0') * 1000 + (l[1] - '0') * 100 + (l[2] - '0') * 10 +
	    (l[3] - '0');
}

static void
die_conn(const char *path, const char *what)
{
	fprintf(stderr, "%s: ternd is not reachable at %s: %s: %s\n", progname,
	    path, what, strerror(errno));
	exit(1);
}

/* Connect and read the greeting (a final 0001 line). */
static void
ternd_open(struct conn *c, const char *path)
{
	char line[RBUF_SIZE];
	bool final = false;
	int r, code;

	if (conn_open(c, path) == -1)
		die_conn(path, "connect");
	do {
		if ((r = conn_line(c, line, sizeof(line))) <= 0) {
			if (r == 0)
				errno = ECONNRESET;
			die_conn(path, "greeting");
		}
		code = line_code(line, &final);
	} while (code == -1 || !final);
	if (code != 1) {
		fprintf(stderr, "%s: %s: unexpected greeting: %s\n", progname,
		    path, line);
		exit(1);
	}
}

/* ---- any command, printed the way birdc prints the reply ---- */

static int
run_command(struct conn *c, const char *path, const char *cmd)
{
	char line[RBUF_SIZE];
	bool final = false;
	int code, last = 0, r;

	if (conn_send(c, cmd) == -1)
		die_conn(path, "send");
	while (!final) {
		if ((r = conn_line(c, line, sizeof(line))) <= 0) {
			if (r == 0) {
				fprintf(stderr,
				    "Connection closed by server\n");
				return 1;
			}
			die_conn(path, "read");
		}
		if (line[0] == '+')
			printf(">>> %s\n", line + 1);
		else if (line[0] == ' ')
			printf("%s\n", line + 1);
		else if ((code = line_code(line, &final)) != -1) {
			last = code;
			if (code != 0)
				printf("%s\n", line + 5);
		} else
			printf("??? %s\n", line);
	}
	return last < 8000 ? 0 : 1;
}

/* ---- status: calicoctl's scanBIRDPeers and unmarshalBIRD ---- */

static size_t
split_fields(char *s, char **f, size_t max)
{
	size_t n = 0;
	char *save = NULL, *t;

	for (t = strtok_r(s, " \t", &save); t != NULL && n < max;
	    t = strtok_r(NULL, " \t", &save))
		f[n++] = t;
	return n;
}

static void
replace_char(char *s, char from, char to)
{
	for (; *s != '\0'; s++)
		if (*s == from)
			*s = to;
}

/* IPv6 when the name's address part is no IPv4 address ("_port_N" aside) */
static bool
name_is_v6(const char *ip)
{
	char tmp[128];
	struct in_addr a4;
	char *port;

	snprintf(tmp, sizeof(tmp), "%s", ip);
	if ((port = strstr(tmp, "_port_")) != NULL)
		*port = '\0';
	replace_char(tmp, '_', '.');
	return inet_pton(AF_INET, tmp, &a4) != 1;
}

static const char *
peer_type(const char *name, const char **ip)
{
	static const struct {
		const char *prefix, *type;
	} types[] = {
		{ "Mesh_", "node-to-node mesh" },
		{ "Global_", "global" },
		{ "Node_", "node specific" },
	};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t l = strlen(types[i].prefix);

		if (strncmp(name, types[i].prefix, l) == 0 && name[l] != '\0') {
			*ip = name + l;
			return types[i].type;
		}
	}
	return NULL;
}

static void
join_info(char *dst, size_t len, char **f, size_t nf)
{
	size_t off = 0;

	dst[0] = '\0';
	for (size_t i = 5; i < nf && off < len; i++)
		off += (size_t)snprintf(dst + off, len - off, "%s%s",
		    i > 5 ? " " : "", f[i]);
}

/* One row: kept only with >= 6 fields, proto BGP, a Mesh/Global/Node name */
static void
parse_row(char *row, struct peers *ps)
{
	char *f[64];
	size_t nf = split_fields(row, f, 64);
	const char *ip, *type;
	struct peer *p;
	bool v6;

	if (nf < 6 || strcmp(f[1], "BGP") != 0 ||
	    (type = peer_type(f[0], &ip)) == NULL)
		return;
	v6 = name_is_v6(ip);
	if ((v6 ? ps->n6 : ps->n4) == MAX_PEERS)
		return;
	p = v6 ? &ps->v6[ps->n6++] : &ps->v4[ps->n4++];
	snprintf(p->name, sizeof(p->name), "%s", f[0]);
	snprintf(p->addr, sizeof(p->addr), "%s", ip);
	replace_char(p->addr, '_', v6 ? ':' : '.');
	snprintf(p->type, sizeof(p->type), "%s", type);
	snprintf(p->state, sizeof(p->state), "%s", f[3]);
	snprintf(p->since, sizeof(p->since), "%s", f[4]);
	join_info(p->info, sizeof(p->info), f, nf);
}

static bool
header_ok(char *h)
{
	static const char *const want[] = {
		"name", "proto", "table", "state", "since", "info",
	};
	char *f[8];

	if (split_fields(h, f, 8) != 6)
		return false;
	for (size_t i = 0; i < 6; i++)
		if (strcmp(f[i], want[i]) != 0)
			return false;
	return true;
}

static int
read_peers(struct conn *c, const char *path, struct peers *ps)
{
	char line[RBUF_SIZE];
	int r;

	if (conn_send(c, "show protocols") == -1)
		die_conn(path, "send");
	for (;;) {
		if ((r = conn_line(c, line, sizeof(line))) <= 0) {
			if (r == 0)
				errno = ECONNRESET;
			die_conn(path, "read");
		}
		if (strncmp(line, "0000", 4) == 0)
			return 0;
		if (strncmp(line, "0001", 4) == 0)
			continue;
		if (strncmp(line, "2002", 4) == 0 && strlen(line) >= 5) {
			if (!header_ok(line + 5)) {
				fprintf(stderr, "%s: unknown BIRD table output "
				    "format\n", progname);
				return -1;
			}
		} else if (strncmp(line, "1002", 4) == 0 && strlen(line) >= 5)
			parse_row(line + 5, ps);
		else if (line[0] == ' ')
			parse_row(line + 1, ps);
		else {
			fprintf(stderr, "%s: unexpected output line: %s\n",
			    progname, line);
			return -1;
		}
	}
}

/* ---- output ---- */

static const char *const headings[] = {
	"PEER ADDRESS", "PEER TYPE", "STATE", "SINCE", "INFO",
};

static const char *
cell(const struct peer *p, int col)
{
	switch (col) {
	case 0:
		return p->addr;
	case 1:
		return p->type;
	case 2:
		return p->state;
	case 3:
		return p->since;
	default:
		return p->info;
	}
}

static void
rule(const size_t *w)
{
	for (int i = 0; i < 5; i++) {
		putchar('+');
		for (size_t j = 0; j < w[i] + 2; j++)
			putchar('-');
	}
	printf("+\n");
}

/* calicoctl's tablewriter: headings centred, cells left-aligned */
static void
print_table(const struct peer *v, size_t n)
{
	size_t w[5];

	for (int i = 0; i < 5; i++) {
		w[i] = strlen(headings[i]);
		for (size_t r = 0; r < n; r++)
			if (strlen(cell(&v[r], i)) > w[i])
				w[i] = strlen(cell(&v[r], i));
	}
	rule(w);
	for (int i = 0; i < 5; i++) {
		size_t gap = w[i] - strlen(headings[i]);

		printf("| %*s%s%*s ", (int)(gap / 2), "", headings[i],
		    (int)(gap - gap / 2), "");
	}
	printf("|\n");
	rule(w);
	for (size_t r = 0; r < n; r++) {
		for (int i = 0; i < 5; i++)
			printf("| %-*s ", (int)w[i], cell(&v[r], i));
		printf("|\n");
	}
	rule(w);
}

static void
json_str(const char *key, const char *s, bool comma)
{
	printf("\"%s\":\"", key);
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	printf("\"%s", comma ? "," : "");
}

static void
json_peers(const char *key, const struct peer *v, size_t n, bool comma)
{
	printf("\"%s\":[", key);
	for (size_t i = 0; i < n; i++) {
		printf("%s{", i > 0 ? "," : "");
		json_str("peer_address", v[i].addr, true);
		json_str("peer_type", v[i].type, true);
		json_str("state", v[i].state, true);
		json_str("since", v[i].since, true);
		json_str("info", v[i].info, true);
		json_str("name", v[i].name, false);
		printf("}");
	}
	printf("]%s", comma ? "," : "");
}

static int
status(struct conn *c, const char *path, bool json)
{
	static struct peers ps;

	if (read_peers(c, path, &ps) == -1)
		return 1;
	if (json) {
		printf("{\"running\":true,");
		json_peers("ipv4", ps.v4, ps.n4, true);
		json_peers("ipv6", ps.v6, ps.n6, false);
		printf("}\n");
		return 0;
	}
	printf("ternd is running.\n");
	printf("\nIPv4 BGP status\n");
	if (ps.n4 == 0)
		printf("No IPv4 peers found.\n");
	else
		print_table(ps.v4, ps.n4);
	printf("\nIPv6 BGP status\n");
	if (ps.n6 == 0)
		printf("No IPv6 peers found.\n");
	else
		print_table(ps.v6, ps.n6);
	return 0;
}

/* status [-o table|json] */
static bool
status_json(int argc, char **argv)
{
	bool json = false;

	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];

		if (strcmp(o, "-o") == 0 && i + 1 < argc)
			o = argv[++i];
		else if (strncmp(o, "-o", 2) == 0)
			o += 2;
		else
			usage();
		if (strcmp(o, "json") == 0)
			json = true;
		else if (strcmp(o, "table") != 0)
			usage();
	}
	return json;
}

static void
join_args(char *cmd, size_t len, int argc, char **argv)
{
	size_t off = 0;

	cmd[0] = '\0';
	for (int i = 0; i < argc; i++) {
		if (off + strlen(argv[i]) + 2 > len) {
			fprintf(stderr, "%s: command too long\n", progname);
			exit(2);
		}
		off += (size_t)snprintf(cmd + off, len - off, "%s%s",
		    i > 0 ? " " : "", argv[i]);
	}
}

int
main(int argc, char *argv[])
{
	static struct conn c;
	const char *path = DEFAULT_SOCKET;
	char cmd[CMD_MAX + 1];
	bool json = false;
	int ch, secs = 5;

	while ((ch = getopt(argc, argv, "+hs:t:o:")) != -1) {
		switch (ch) {
		case 's':
			path = optarg;
			break;
		case 't':
			if ((secs = atoi(optarg)) <= 0 || secs > 3600)
				usage();
			break;
		case 'o':
			if (strcmp(optarg, "json") == 0)
				json = true;
			else if (strcmp(optarg, "table") != 0)
				usage();
			break;
		case 'h':
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0 || strcmp(argv[0], "help") == 0)
		usage();
	if (strcmp(argv[0], "quit") == 0 || strcmp(argv[0], "exit") == 0)
		return 0;		/* BIRD answers nothing to these */
	c.timeout_ms = secs * 1000;
	if (strcmp(argv[0], "status") == 0) {
		json = json || status_json(argc, argv);
		ternd_open(&c, path);
		return status(&c, path, json);
	}
	join_args(cmd, sizeof(cmd), argc, argv);
	ternd_open(&c, path);
	return run_command(&c, path, cmd);
}
