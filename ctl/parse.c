/*
 * parse.c: one control command line -> what to do (BIRD's CLI grammar,
 * the part of it tern answers: show status, show protocols [all] [NAME |
 * "pattern"], show route [all|count|primary|for X|X|protocol P|table T]...,
 * configure [soft], restrict, down, debug (BIRD's syntax, and tern's
 * "debug <categories> on|off"); exit/quit/help are ignored as BIRD ignores
 * them; tern's "json <show command>" asks for the reply as JSON).
 *
 * Errors are worded as BIRD's bison parser words them, naming the first
 * token it could not use by its token class (CF_SYM_UNDEFINED, NUM, TEXT,
 * END, a keyword in capitals...), so that scripts written against BIRD
 * see the same 9001 lines. This file only reads the line; it keeps no
 * state and never touches a client.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "ctl.h"
#include "log.h"

#define MAXTOK		32
/* BIRD cf-lex.l: characters that are tokens of their own */
#define PUNCT		"={}:;,.()+*/%<>~[]?!|-"

struct tok {
	const char	*s;
	bool		 quoted;
};

struct pstate {
	struct tok	 t[MAXTOK];
	size_t		 n, i;
	bool		 truncated;
	bool		(*known)(void *, const char *);
	void		*arg;
	char		*err;
	size_t		 errlen;
	char		 store[2 * CTL_RX_BUF];
};

/* BIRD keywords a command may contain; shown in capitals in errors */
static const char *const keywords[] = {
	"all", "bfd", "check", "configure", "confirm", "count", "debug",
	"disable", "down", "echo", "enable", "eval", "events", "exit",
	"export", "filter", "filters", "for", "graceful", "help", "import",
	"interfaces", "memory", "noexport", "off", "on", "packets",
	"preexport", "primary", "protocol", "protocols", "quit", "reload",
	"restart", "restrict", "route", "routes", "sessions", "show", "soft",
	"states",
	"static", "stats", "status", "symbols", "table", "timeout", "undo",
	"where",
};

static bool
is_keyword(const char *s)
{
	for (size_t i = 0; i < NITEMS(keywords); i++)
		if (strcasecmp(s, keywords[i]) == 0)
			return true;
	return false;
}

/* Split on blanks; "..." is one token without its quotes (no escapes). */
static int
tokenize(struct pstate *p, const char *line)
{
	char *w = p->store;
	const char *s = line;

	while (*s != '\0') {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			break;
		if (p->n == MAXTOK) {
			p->truncated = true;
			break;
		}
		p->t[p->n].s = w;
		p->t[p->n].quoted = *s == '"';
		if (*s == '"') {
			for (s++; *s != '\0' && *s != '"'; )
				*w++ = *s++;
			if (*s != '"') {
				snprintf(p->err, p->errlen,
				    "Unterminated string");
				return -1;
			}
			s++;
		} else
			while (*s != '\0' && *s != ' ' && *s != '\t')
				*w++ = *s++;
		*w++ = '\0';
		p->n++;
	}
	return 0;
}

static const struct tok *
peek(const struct pstate *p)
{
	return p->i < p->n ? &p->t[p->i] : NULL;
}

static bool
is_kw(const struct tok *t, const char *kw)
{
	return t != NULL && !t->quoted && strcasecmp(t->s, kw) == 0;
}

static bool
is_word(const struct tok *t)
{
	return t != NULL && !t->quoted &&
	    (isalpha((unsigned char)t->s[0]) || t->s[0] == '_');
}

/* The token class BIRD's parser would name; NULL: "Unknown character". */
static const char *
tok_class(const struct pstate *p, const struct tok *t, char *buf, size_t len)
{
	unsigned char c;

	if (t == NULL)
		return p->truncated ? "CF_SYM_UNDEFINED" : "END";
	if (t->quoted)
		return "TEXT";
	c = (unsigned char)t->s[0];
	if (isdigit(c))
		return strchr(t->s, ':') ? "IP6" : strchr(t->s, '.') ? "IP4" :
		    "NUM";
	if (isalpha(c) || c == '_') {
		if (is_keyword(t->s)) {
			size_t i;

			for (i = 0; i + 1 < len && t->s[i] != '\0'; i++)
				buf[i] = (char)toupper((unsigned char)t->s[i]);
			buf[i] = '\0';
			return buf;
		}
		return p->known(p->arg, t->s) ? "CF_SYM_KNOWN" :
		    "CF_SYM_UNDEFINED";
	}
	if (c != '\0' && strchr(PUNCT, c) != NULL) {
		snprintf(buf, len, "'%c'", c);
		return buf;
	}
	return NULL;
}

static enum ctl_action
unexpected(struct pstate *p, const char *expecting)
{
	char buf[CTL_NAME_MAX];
	const char *cls = tok_class(p, peek(p), buf, sizeof(buf));

	if (cls == NULL)
		snprintf(p->err, p->errlen, "Unknown character");
	else if (expecting != NULL)
		snprintf(p->err, p->errlen, "syntax error, unexpected %s, "
		    "expecting %s", cls, expecting);
	else
		snprintf(p->err, p->errlen, "syntax error, unexpected %s",
		    cls);
	return CTL_A_ERROR;
}

static enum ctl_action
expect_end(struct pstate *p, enum ctl_action ok)
{
	if (peek(p) != NULL || p->truncated)
		return unexpected(p, "END");
	return ok;
}

static enum ctl_action
parse_protocols(struct pstate *p, struct ctl_req *req)
{
	const struct tok *t;
	bool all = false;

	req->verb = CTL_SHOW_PROTOCOLS;
	if (is_kw(peek(p), "all")) {
		req->flags |= CTL_F_ALL;
		all = true;
		p->i++;
	}
	if ((t = peek(p)) == NULL)
		return expect_end(p, CTL_A_REQ);
	if ((t->quoted || (is_word(t) && !is_keyword(t->s) &&
	    p->known(p->arg, t->s))) && strlen(t->s) < sizeof(req->name)) {
		snprintf(req->name, sizeof(req->name), "%s", t->s);
		req->pattern = t->quoted;
		p->i++;
		return expect_end(p, CTL_A_REQ);
	}
	if (t->quoted) {
		snprintf(p->err, p->errlen, "Pattern too long");
		return CTL_A_ERROR;
	}
	return unexpected(p, all ? "END or CF_SYM_KNOWN or TEXT" :
	    "END or CF_SYM_KNOWN or TEXT or ALL");
}

/* An address or a prefix (an address is its host prefix). */
static int
net_of(const char *s, struct prefix *net)
{
	struct addr a;

	if (strchr(s, '/') != NULL)
		return prefix_parse(s, net);
	if (addr_parse(s, &a) == -1)
		return -1;
	return prefix_set(net, a.af, a.b, af_maxlen(a.af));
}

static enum ctl_action
route_target(struct pstate *p, struct ctl_req *req, enum ctl_target target)
{
	const struct tok *t = peek(p);

	if (t == NULL || t->quoted || (!isdigit((unsigned char)t->s[0]) &&
	    strchr(t->s, ':') == NULL))
		return unexpected(p, NULL);
	if (req->target != CTL_T_NONE) {
		snprintf(p->err, p->errlen, "Only one prefix expected");
		return CTL_A_ERROR;
	}
	if (net_of(t->s, &req->net) == -1) {
		snprintf(p->err, p->errlen, "Invalid network prefix %s", t->s);
		return CTL_A_ERROR;
	}
	req->target = target;
	p->i++;
	return CTL_A_REQ;
}

static enum ctl_action
route_table(struct pstate *p, struct ctl_req *req)
{
	const struct tok *t = peek(p);

	if (is_word(t) && strcasecmp(t->s, "master") == 0)
		req->af = 0;
	else if (is_word(t) && strcasecmp(t->s, "master4") == 0)
		req->af = AF_INET;
	else if (is_word(t) && strcasecmp(t->s, "master6") == 0)
		req->af = AF_INET6;
	else
		return unexpected(p, NULL);
	p->i++;
	return CTL_A_REQ;
}

static enum ctl_action
route_protocol(struct pstate *p, struct ctl_req *req)
{
	const struct tok *t = peek(p);

	if (!is_word(t) || is_keyword(t->s) || !p->known(p->arg, t->s) ||
	    strlen(t->s) >= sizeof(req->proto))
		return unexpected(p, NULL);
	snprintf(req->proto, sizeof(req->proto), "%s", t->s);
	p->i++;
	return CTL_A_REQ;
}

static enum ctl_action
route_option(struct pstate *p, struct ctl_req *req)
{
	const struct tok *t = peek(p);

	p->i++;
	if (is_kw(t, "all"))
		req->flags |= CTL_F_ALL;
	else if (is_kw(t, "count"))
		req->flags |= CTL_F_COUNT;
	else if (is_kw(t, "primary"))
		req->flags |= CTL_F_PRIMARY;
	else if (is_kw(t, "for"))
		return route_target(p, req, CTL_T_FOR);
	else if (is_kw(t, "table"))
		return route_table(p, req);
	else if (is_kw(t, "protocol"))
		return route_protocol(p, req);
	else {
		p->i--;
		return route_target(p, req, CTL_T_NET);
	}
	return CTL_A_REQ;
}

static enum ctl_action
parse_route(struct pstate *p, struct ctl_req *req)
{
	enum ctl_action a;

	req->verb = CTL_SHOW_ROUTE;
	while (peek(p) != NULL)
		if ((a = route_option(p, req)) != CTL_A_REQ)
			return a;
	return expect_end(p, CTL_A_REQ);
}

static enum ctl_action
parse_show(struct pstate *p, struct ctl_req *req)
{
	const struct tok *t = peek(p);

	p->i++;
	if (is_kw(t, "status")) {
		req->verb = CTL_SHOW_STATUS;
		return expect_end(p, CTL_A_REQ);
	}
	if (is_kw(t, "protocols"))
		return parse_protocols(p, req);
	if (is_kw(t, "route"))
		return parse_route(p, req);
	/* BIRD 2: show bfd sessions [<protocol>]; ours is one, bfd1 */
	if (is_kw(t, "bfd")) {
		if (!is_kw(peek(p), "sessions"))
			return unexpected(p, "SESSIONS");
		p->i++;
		req->verb = CTL_SHOW_BFD;
		if (is_word(peek(p)))
			p->i++;
		return expect_end(p, CTL_A_REQ);
	}
	p->i--;
	return unexpected(p, NULL);
}

static enum ctl_action
parse_configure(struct pstate *p, struct ctl_req *req)
{
	req->verb = CTL_CONFIGURE;
	if (is_kw(peek(p), "soft"))
		p->i++;
	return expect_end(p, CTL_A_REQ);
}

/*
 * BIRD's debug_flag words and what they turn on here: tern has no filter
 * or interface tracing of its own; a refused route is a routes line and an
 * interface change an events line.
 */
static const struct {
	const char	*name;
	unsigned	 mask;
} bird_flags[] = {
	{ "states", LOG_D_STATES },
	{ "routes", LOG_D_ROUTES },
	{ "filters", LOG_D_ROUTES },
	{ "interfaces", LOG_D_EVENTS },
	{ "events", LOG_D_EVENTS },
	{ "packets", LOG_D_PACKETS },
};

static int
bird_flag(const char *w, size_t n, unsigned *mask)
{
	for (size_t i = 0; i < NITEMS(bird_flags); i++)
		if (strlen(bird_flags[i].name) == n &&
		    strncasecmp(w, bird_flags[i].name, n) == 0) {
			*mask |= bird_flags[i].mask;
			return 0;
		}
	return -1;
}

/*
 * BIRD debug_mask: ALL | OFF | '{' debug_flag [',' debug_flag]... '}'. The
 * tokenizer splits on blanks only, so the rest of the line is scanned
 * again here with BIRD's lexer's idea of '{', ',' and '}'.
 */
static enum ctl_action
debug_mask(struct pstate *p, struct ctl_req *req)
{
	char rest[CTL_RX_BUF], *s;
	size_t o = 0, n;
	bool open = false, want_flag = true;

	rest[0] = '\0';
	for (size_t i = p->i; i < p->n && o < sizeof(rest); i++)
		o += (size_t)snprintf(rest + o, sizeof(rest) - o, "%s ",
		    p->t[i].s);
	if (is_kw(peek(p), "all") || is_kw(peek(p), "off")) {
		req->debug_mask = is_kw(peek(p), "all") ? LOG_D_ALL : 0;
		p->i++;
		return expect_end(p, CTL_A_REQ);
	}
	for (s = rest; *s != '\0';) {
		if (*s == ' ') {
			s++;
			continue;
		}
		if (!open) {
			if (*s != '{')
				return unexpected(p, NULL);
			open = true;
			s++;
		} else if (*s == '}' && !want_flag) {
			for (s++; *s == ' '; s++)
				;
			if (*s != '\0')
				break;
			return CTL_A_REQ;
		} else if (*s == ',' && !want_flag) {
			want_flag = true;
			s++;
		} else if (want_flag && (n = strcspn(s, " ,{}")) > 0 &&
		    bird_flag(s, n, &req->debug_mask) == 0) {
			want_flag = false;
			s += n;
		} else
			break;
	}
	snprintf(p->err, p->errlen, "syntax error in debug flags");
	return CTL_A_ERROR;
}

/* tern's "debug <category>[,<category>...] on|off" */
static enum ctl_action
debug_onoff(struct pstate *p, struct ctl_req *req)
{
	const struct tok *t = peek(p);

	if (t == NULL || t->quoted ||
	    log_debug_parse(t->s, &req->debug_mask) == -1 ||
	    req->debug_mask == 0)
		return unexpected(p, NULL);
	p->i++;
	if (is_kw(peek(p), "on"))
		req->debug_op = CTL_DBG_ON;
	else if (is_kw(peek(p), "off"))
		req->debug_op = CTL_DBG_OFF;
	else
		return unexpected(p, "ON or OFF");
	p->i++;
	return expect_end(p, CTL_A_REQ);
}

/*
 * debug <protocol> | "<pattern>" | all  <mask>   (BIRD cmd_DEBUG)
 * debug <categories> on | off                   (tern)
 */
static enum ctl_action
parse_debug(struct pstate *p, struct ctl_req *req)
{
	const struct tok *t = peek(p), *u;
	unsigned dummy;

	req->debug_op = CTL_DBG_SET;
	if (t == NULL)
		return unexpected(p, NULL);
	u = p->i + 1 < p->n ? &p->t[p->i + 1] : NULL;
	/* "debug all off" is BIRD's (all protocols off): the same effect */
	if (!t->quoted && (is_kw(u, "on") || (is_kw(u, "off") &&
	    !is_kw(t, "all"))) && log_debug_parse(t->s, &dummy) == 0)
		return debug_onoff(p, req);
	if (is_kw(t, "all"))
		req->pattern = true;		/* name "": every one */
	else if (t->quoted) {
		if (strlen(t->s) >= sizeof(req->name)) {
			snprintf(p->err, p->errlen, "Pattern too long");
			return CTL_A_ERROR;
		}
		snprintf(req->name, sizeof(req->name), "%s", t->s);
		req->pattern = true;
	} else if (is_word(t) && !is_keyword(t->s) &&
	    p->known(p->arg, t->s) && strlen(t->s) < sizeof(req->name))
		snprintf(req->name, sizeof(req->name), "%s", t->s);
	else
		return unexpected(p, "CF_SYM_KNOWN or TEXT or ALL");
	p->i++;
	return debug_mask(p, req);
}

static enum ctl_action
parse_command(struct pstate *p, struct ctl_req *req)
{
	const struct tok *t = peek(p);
	enum ctl_action a;

	if (t == NULL)
		return unexpected(p, NULL);
	p->i++;
	if (!t->quoted && strcasecmp(t->s, "json") == 0 &&
	    is_kw(peek(p), "show")) {		/* tern: ternctl -o json */
		p->i++;
		if ((a = parse_show(p, req)) == CTL_A_REQ)
			req->flags |= CTL_F_JSON;
		return a;
	}
	if (is_kw(t, "debug"))
		return (a = parse_debug(p, req)) == CTL_A_REQ ? CTL_A_DEBUG : a;
	if (is_kw(t, "show"))
		return parse_show(p, req);
	if (is_kw(t, "configure"))
		return parse_configure(p, req);
	if (is_kw(t, "restrict"))
		return expect_end(p, CTL_A_RESTRICT);
	if (is_kw(t, "down"))
		return expect_end(p, CTL_A_DOWN);
	if (is_kw(t, "exit") || is_kw(t, "quit") || is_kw(t, "help"))
		return CTL_A_IGNORE;
	p->i--;
	return unexpected(p, NULL);
}

enum ctl_action
ctl_parse(const char *line, struct ctl_req *req,
    bool (*known)(void *, const char *), void *arg, char *err, size_t errlen)
{
	struct pstate p;

	memset(req, 0, sizeof(*req));
	if (strlen(line) > CTL_CMD_MAX) {
		snprintf(err, errlen, "Command too long");
		return CTL_A_ERROR;
	}
	memset(&p, 0, sizeof(p));
	p.known = known;
	p.arg = arg;
	p.err = err;
	p.errlen = errlen;
	if (tokenize(&p, line) == -1)
		return CTL_A_ERROR;
	return parse_command(&p, req);
}

/*
 * BIRD lib/patmatch.c semantics (* any string, ? one character, \ quotes
 * the next one), matched greedily with one backtrack point: linear in
 * practice and never exponential, whatever the pattern.
 */
bool
ctl_patmatch(const char *p, const char *s)
{
	const char *star_p = NULL, *star_s = NULL, *lit;

	while (*s != '\0') {
		if (*p == '*') {
			star_p = ++p;
			star_s = s;
			continue;
		}
		if (*p == '?') {
			p++;
			s++;
			continue;
		}
		lit = *p == '\\' && p[1] != '\0' ? p + 1 : p;
		if (*lit != '\0' && *lit == *s) {
			p = lit + 1;
			s++;
			continue;
		}
		if (star_p == NULL)
			return false;
		p = star_p;
		s = ++star_s;
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}
