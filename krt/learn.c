/*
 * learn.c: the set of workload routes learned from the kernel (learn.h).
 *
 * Owns an RB tree of learned routes ordered by (prefix, table, metric), so
 * the routes of one prefix are neighbours and "is this the prefix's last
 * route?" is a look at the two neighbours. It must not talk to netlink,
 * the rib or BGP: the owner does what a change means.
 */
#include <fnmatch.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "learn.h"
#include "log.h"
#include "netlink.h"
#include "tree.h"
#include "xmalloc.h"

/* <linux/rtnetlink.h> RTPROT_REDIRECT, RTPROT_KERNEL */
#define PROTO_REDIRECT	1
#define PROTO_KERNEL	2

struct learned {
	RB_ENTRY(learned)	 node;
	struct prefix		 dst;
	uint32_t		 table;
	uint32_t		 priority;
	uint32_t		 oif;
	uint32_t		 gen;	/* the re-read it was last seen in */
};

RB_HEAD(learned_tree, learned);

struct learn {
	struct learned_tree	 routes;
	char			*patbuf;	/* the patterns, split in place */
	char			**pats;
	size_t			 npats;
	uint8_t			 own_protocol;
	size_t			 max;
	const char		*(*ifname)(void *, uint32_t, char *);
	void			*ifname_arg;
	void			(*changed)(void *, const struct prefix *, bool);
	void			*arg;
	size_t			 n;		/* routes */
	size_t			 nprefixes;
	uint64_t		 refused;
	bool			 full_logged;
	bool			 resyncing;
	uint32_t		 gen;
};

static int
learned_cmp(const struct learned *a, const struct learned *b)
{
	int c = prefix_cmp(&a->dst, &b->dst);

	if (c != 0)
		return c;
	if (a->table != b->table)
		return a->table < b->table ? -1 : 1;
	if (a->priority != b->priority)
		return a->priority < b->priority ? -1 : 1;
	return 0;
}

RB_GENERATE_STATIC(learned_tree, learned, node, learned_cmp)

static const char *
sys_ifname(void *arg, uint32_t ifindex, char *buf)
{
	(void)arg;
	return if_indextoname(ifindex, buf);
}

/* Split "cali*, tap*" into patterns; blanks around each are dropped. */
static void
parse_patterns(struct learn *l, const char *s)
{
	char *p, *tok;

	if (s == NULL)
		return;
	l->patbuf = xstrdup(s);
	for (p = l->patbuf; (tok = strsep(&p, ",")) != NULL;) {
		tok += strspn(tok, " \t");
		tok[strcspn(tok, " \t")] = '\0';
		if (*tok == '\0')
			continue;
		l->pats = xreallocarray(l->pats, l->npats + 1,
		    sizeof(*l->pats));
		l->pats[l->npats++] = tok;
	}
}

struct learn *
learn_new(const struct learn_params *lp,
    void (*changed)(void *, const struct prefix *, bool), void *arg)
{
	struct learn *l = xcalloc(1, sizeof(*l));

	RB_INIT(&l->routes);
	parse_patterns(l, lp->interfaces);
	l->own_protocol = lp->own_protocol;
	l->max = lp->max_routes == 0 ? LEARN_MAX_DEFAULT : lp->max_routes;
	l->ifname = lp->ifname != NULL ? lp->ifname : sys_ifname;
	l->ifname_arg = lp->ifname_arg;
	l->changed = changed;
	l->arg = arg;
	return l;
}

void
learn_free(struct learn *l)
{
	struct learned *e, *t;

	if (l == NULL)
		return;
	RB_FOREACH_SAFE(e, learned_tree, &l->routes, t) {
		RB_REMOVE(learned_tree, &l->routes, e);
		free(e);
	}
	free(l->pats);
	free(l->patbuf);
	free(l);
}

static bool
is_host(const struct prefix *p)
{
	return p->len == af_maxlen(p->af);
}

static bool
name_matches(const struct learn *l, const char *name)
{
	for (size_t i = 0; i < l->npats; i++)
		if (fnmatch(l->pats[i], name, 0) == 0)
			return true;
	return false;
}

/* learn.h's conditions; *name gets the device's name when it matched. */
static bool
qualifies(const struct learn *l, const struct nl_route *nr, char *name)
{
	if (nr->type != NL_RT_UNICAST || nr->oif == 0 || l->npats == 0)
		return false;
	if (nr->protocol == l->own_protocol ||
	    nr->protocol == PROTO_KERNEL || nr->protocol == PROTO_REDIRECT)
		return false;
	if (l->ifname(l->ifname_arg, nr->oif, name) == NULL)
		return false;
	return name_matches(l, name);
}

/* Another learned route has e's prefix. */
static bool
has_sibling(struct learned *e)
{
	struct learned *o;

	return ((o = RB_PREV(learned_tree, &l->routes, e)) != NULL &&
	    prefix_eq(&o->dst, &e->dst)) ||
	    ((o = RB_NEXT(learned_tree, &l->routes, e)) != NULL &&
	    prefix_eq(&o->dst, &e->dst));
}

static void
drop(struct learn *l, struct learned *e)
{
	struct prefix dst = e->dst;
	bool last = !has_sibling(e);
	char buf[PREFIX_STRLEN];

	RB_REMOVE(learned_tree, &l->routes, e);
	free(e);
	l->n--;
	if (l->n <= l->max - l->max / 10)
		l->full_logged = false;
	if (!last)
		return;
	l->nprefixes--;
	log_dbg(LOG_D_ROUTES, "learn: %s gone",
	    prefix_fmt(&dst, buf, sizeof(buf)));
	l->changed(l->arg, &dst, false);
}

static void
refuse(struct learn *l, const struct nl_route *nr)
{
	char buf[PREFIX_STRLEN];

	l->refused++;
	if (l->full_logged)
		return;
	l->full_logged = true;
	log_warnx("learn: %zu workload routes learned, the limit: %s and "
	    "further ones are not announced", l->max,
	    prefix_fmt(&nr->dst, buf, sizeof(buf)));
}

static void
add(struct learn *l, const struct learned *key, const char *name)
{
	struct learned *e;
	char buf[PREFIX_STRLEN];

	e = xcalloc(1, sizeof(*e));
	*e = *key;
	RB_INSERT(learned_tree, &l->routes, e);
	l->n++;
	if (has_sibling(e))
		return;
	l->nprefixes++;
	log_dbg(LOG_D_ROUTES, "learn: %s dev %s",
	    prefix_fmt(&e->dst, buf, sizeof(buf)), name);
	l->changed(l->arg, &e->dst, true);
}

void
learn_route(struct learn *l, const struct nl_route *nr, bool deleted)
{
	struct learned key, *e;
	char name[IF_NAMESIZE];

	if (!is_host(&nr->dst))
		return;		/* never learned, nothing to drop */
	memset(&key, 0, sizeof(key));
	key.dst = nr->dst;
	key.table = nr->table;
	key.priority = nr->priority;
	key.oif = nr->oif;
	key.gen = l->gen;
	e = RB_FIND(learned_tree, &l->routes, &key);
	if (deleted || !qualifies(l, nr, name)) {
		if (e != NULL)
			drop(l, e);
		return;
	}
	if (e != NULL) {
		e->oif = nr->oif;
		e->gen = l->gen;
	} else if (l->n >= l->max)
		refuse(l, nr);
	else
		add(l, &key, name);
}

void
learn_link_down(struct learn *l, uint32_t ifindex)
{
	struct learned *e, *t;

	RB_FOREACH_SAFE(e, learned_tree, &l->routes, t)
		if (e->oif == ifindex)
			drop(l, e);
}

void
learn_resync(struct learn *l, bool begin)
{
	struct learned *e, *t;

	if (begin) {
		l->gen++;
		l->resyncing = true;
		return;
	}
	if (!l->resyncing)
		return;
	l->resyncing = false;
	RB_FOREACH_SAFE(e, learned_tree, &l->routes, t)
		if (e->gen != l->gen)
			drop(l, e);
}

bool
learn_has(const struct learn *l, const struct prefix *pfx)
{
	struct learned key, *e;

	memset(&key, 0, sizeof(key));
	key.dst = *pfx;
	e = RB_NFIND(learned_tree, (struct learned_tree *)&l->routes, &key);
	return e != NULL && prefix_eq(&e->dst, pfx);
}

const char *
learn_ifname(const struct learn *l, const struct prefix *pfx, char *buf)
{
	struct learned key, *e;

	memset(&key, 0, sizeof(key));
	key.dst = *pfx;
	e = RB_NFIND(learned_tree, (struct learned_tree *)&l->routes, &key);
	if (e == NULL || !prefix_eq(&e->dst, pfx))
		return NULL;
	return l->ifname(l->ifname_arg, e->oif, buf);
}

void
learn_stats(const struct learn *l, struct learn_stats *st)
{
	st->routes = l->n;
	st->prefixes = l->nprefixes;
	st->refused = l->refused;
}
