/*
 * test_filter.c: agent/filter.c alone. Each case of the rule table is what
 * the BIRD function confd renders from the rule answers for the route
 * (template_funcs.go filterStatement; BIRD's ~, !~, = and != on a prefix
 * and on a prefix set [C{lo,hi}]); then the order (first match wins, the
 * next filter on no match, a missing filter skipped), the direction and
 * family lists, and the marks a change leaves for a live re-filter.
 */
#include <check.h>

#include "check_run.h"
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "datastore.h"
#include "filter.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * A rule from a short text: "[A|R] [OP CIDR] [len MIN MAX] [bgp]
 * [if PATTERN] [ebgp|ibgp]"; MIN/MAX -1: not given.
 */
static struct ds_filter_rule
rule(const char *text)
{
	struct ds_filter_rule r;
	char buf[200], *save = NULL, *w;

	memset(&r, 0, sizeof(r));
	r.min_len = r.max_len = -1;
	snprintf(buf, sizeof(buf), "%s", text);
	for (w = strtok_r(buf, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save)) {
		if (strcmp(w, "A") == 0)
			r.action = DS_FACT_ACCEPT;
		else if (strcmp(w, "R") == 0)
			r.action = DS_FACT_REJECT;
		else if (strcmp(w, "Equal") == 0 || strcmp(w, "NotEqual") == 0 ||
		    strcmp(w, "In") == 0 || strcmp(w, "NotIn") == 0) {
			r.op = strcmp(w, "Equal") == 0 ? DS_FOP_EQUAL :
			    strcmp(w, "NotEqual") == 0 ? DS_FOP_NOT_EQUAL :
			    strcmp(w, "In") == 0 ? DS_FOP_IN : DS_FOP_NOT_IN;
			w = strtok_r(NULL, " ", &save);
			ck_assert_ptr_nonnull(w);
			ck_assert_int_eq(prefix_parse(w, &r.cidr), 0);
		} else if (strcmp(w, "len") == 0) {
			r.has_len = true;
			r.min_len = (int16_t)atoi(strtok_r(NULL, " ", &save));
			r.max_len = (int16_t)atoi(strtok_r(NULL, " ", &save));
		} else if (strcmp(w, "bgp") == 0)
			r.source = DS_FSRC_REMOTE_PEERS;
		else if (strcmp(w, "if") == 0)
			snprintf(r.iface, sizeof(r.iface), "%s",
			    strtok_r(NULL, " ", &save));
		else if (strcmp(w, "ebgp") == 0)
			r.peer_type = DS_FPEER_EBGP;
		else if (strcmp(w, "ibgp") == 0)
			r.peer_type = DS_FPEER_IBGP;
		else
			ck_abort_msg("bad rule word %s", w);
	}
	return r;
}

/* the rule table: one rule, one route, whether it matches */
static const struct {
	const char	*rule;
	const char	*pfx;
	bool		 bgp;		/* learned from a BGP peer */
	const char	*ifname;	/* NULL: none known */
	bool		 same_as;	/* iBGP session */
	bool		 match;
} cases[] = {
	/* no condition: a bare accept;/reject; */
	{ "A", "10.1.0.0/16", false, NULL, false, true },
	/* In: net ~ 10.0.0.0/8: inside or equal, never shorter */
	{ "A In 10.0.0.0/8", "10.1.0.0/16", false, NULL, false, true },
	{ "A In 10.0.0.0/8", "10.0.0.0/8", false, NULL, false, true },
	{ "A In 10.0.0.0/8", "10.255.255.255/32", false, NULL, false, true },
	{ "A In 10.0.0.0/8", "11.0.0.0/16", false, NULL, false, false },
	{ "A In 10.0.0.0/8", "10.0.0.0/7", false, NULL, false, false },
	{ "A In 10.0.0.0/8", "0.0.0.0/0", false, NULL, false, false },
	/* NotIn: net !~ C */
	{ "A NotIn 10.0.0.0/8", "10.1.0.0/16", false, NULL, false, false },
	{ "A NotIn 10.0.0.0/8", "10.0.0.0/8", false, NULL, false, false },
	{ "A NotIn 10.0.0.0/8", "11.0.0.0/16", false, NULL, false, true },
	{ "A NotIn 10.0.0.0/8", "10.0.0.0/7", false, NULL, false, true },
	/* Equal / NotEqual: the same prefix, length included */
	{ "A Equal 10.0.0.0/8", "10.0.0.0/8", false, NULL, false, true },
	{ "A Equal 10.0.0.0/8", "10.0.0.0/9", false, NULL, false, false },
	{ "A Equal 10.0.0.0/8", "10.0.0.0/7", false, NULL, false, false },
	{ "A NotEqual 10.0.0.0/8", "10.0.0.0/8", false, NULL, false, false },
	{ "A NotEqual 10.0.0.0/8", "10.0.0.0/9", false, NULL, false, true },
	{ "A Equal 10.244.1.0/26", "10.244.1.0/26", false, NULL, false, true },
	{ "A Equal 10.244.1.0/26", "10.244.1.64/26", false, NULL, false,
	    false },
	/* prefixLength: [10.0.0.0/8{16,24}] */
	{ "A In 10.0.0.0/8 len 16 24", "10.1.0.0/16", false, NULL, false,
	    true },
	{ "A In 10.0.0.0/8 len 16 24", "10.1.1.0/24", false, NULL, false,
	    true },
	{ "A In 10.0.0.0/8 len 16 24", "10.0.0.0/15", false, NULL, false,
	    false },
	{ "A In 10.0.0.0/8 len 16 24", "10.1.1.0/25", false, NULL, false,
	    false },
	{ "A In 10.0.0.0/8 len 16 24", "10.0.0.0/8", false, NULL, false,
	    false },
	{ "A In 10.0.0.0/8 len 16 24", "11.1.0.0/16", false, NULL, false,
	    false },
	{ "A NotIn 10.0.0.0/8 len 16 24", "10.1.1.0/25", false, NULL, false,
	    true },
	{ "A NotIn 10.0.0.0/8 len 16 24", "10.1.0.0/16", false, NULL, false,
	    false },
	{ "A NotIn 10.0.0.0/8 len 16 24", "11.1.0.0/16", false, NULL, false,
	    true },
	/* min unset: the cidr's length; max unset: 32 */
	{ "A In 10.0.0.0/8 len -1 16", "10.0.0.0/8", false, NULL, false,
	    true },
	{ "A In 10.0.0.0/8 len -1 16", "10.1.0.0/17", false, NULL, false,
	    false },
	{ "A In 10.0.0.0/8 len 30 -1", "10.1.1.1/32", false, NULL, false,
	    true },
	{ "A In 10.0.0.0/8 len 30 -1", "10.1.1.0/29", false, NULL, false,
	    false },
	/* min below the cidr's length: max(len, min) = 8 */
	{ "A In 10.0.0.0/8 len 4 8", "10.0.0.0/8", false, NULL, false, true },
	{ "A In 10.0.0.0/8 len 4 8", "8.0.0.0/6", false, NULL, false, false },
	/* max above 32: min(32, max) */
	{ "A In 10.0.0.0/8 len 8 40", "10.1.1.1/32", false, NULL, false,
	    true },
	/* = and != between a prefix and a set: BIRD's val_same says "not
	 * the same": Equal never matches, NotEqual always (mirrored) */
	{ "A Equal 10.0.0.0/8 len 8 8", "10.0.0.0/8", false, NULL, false,
	    false },
	{ "A NotEqual 10.0.0.0/8 len 8 8", "10.0.0.0/8", false, NULL, false,
	    true },
	{ "A NotEqual 10.0.0.0/8 len 8 8", "11.0.0.0/8", false, NULL, false,
	    true },
	/* source RemotePeers: source ~ [ RTS_BGP ] */
	{ "A bgp", "10.1.0.0/16", true, NULL, false, true },
	{ "A bgp", "10.1.0.0/16", false, NULL, false, false },
	{ "A In 10.0.0.0/8 bgp", "10.1.0.0/16", true, NULL, false, true },
	{ "A In 10.0.0.0/8 bgp", "11.1.0.0/16", true, NULL, false, false },
	/* interface: ifname ~ "PATTERN", '*' any run */
	{ "A if eth0", "10.1.1.1/32", false, "eth0", false, true },
	{ "A if eth0", "10.1.1.1/32", false, "eth01", false, false },
	{ "A if eth*", "10.1.1.1/32", false, "eth01", false, true },
	{ "A if cali*", "10.1.1.1/32", false, "eth0", false, false },
	{ "A if *", "10.1.1.1/32", false, "cali1", false, true },
	{ "A if *", "10.1.1.1/32", false, NULL, false, false },
	{ "A if eth0", "10.1.1.1/32", true, NULL, false, false },
	/* peerType: if (is_same_as) / if (!is_same_as) */
	{ "A ebgp", "10.1.0.0/16", false, NULL, false, true },
	{ "A ebgp", "10.1.0.0/16", false, NULL, true, false },
	{ "A ibgp", "10.1.0.0/16", false, NULL, true, true },
	{ "A ibgp", "10.1.0.0/16", false, NULL, false, false },
	/* every condition must hold */
	{ "A In 10.0.0.0/8 len 16 24 bgp if eth* ebgp", "10.1.0.0/16", true,
	    "eth1", false, true },
	{ "A In 10.0.0.0/8 len 16 24 bgp if eth* ebgp", "10.1.0.0/16", true,
	    "eth1", true, false },
	{ "A In 10.0.0.0/8 len 16 24 bgp if eth* ebgp", "10.1.0.0/16", false,
	    "eth1", false, false },
	/* IPv6 */
	{ "A In fd00::/8", "fd00:1::/64", false, NULL, false, true },
	{ "A In fd00::/8", "fe80::/64", false, NULL, false, false },
	{ "A In fd00::/8 len 48 64", "fd00:1::/64", false, NULL, false,
	    true },
	{ "A In fd00::/8 len 48 64", "fd00:1::1/128", false, NULL, false,
	    false },
	{ "A NotEqual fd00::/8", "fd00::/8", false, NULL, false, false },
	/* another family is never inside */
	{ "A In fd00::/8", "10.0.0.0/8", false, NULL, false, false },
	{ "A NotIn fd00::/8", "10.0.0.0/8", false, NULL, false, true },
};

START_TEST(t_rule_table)
{
	struct ds_filter_rule r = rule(cases[_i].rule);
	struct prefix pfx;
	struct filter_route rt = { .pfx = &pfx, .from_bgp = cases[_i].bgp,
	    .ifname = cases[_i].ifname };
	enum filter_verdict want;

	ck_assert_int_eq(prefix_parse(cases[_i].pfx, &pfx), 0);
	ck_assert_msg(filter_rule_match(&r, &rt, cases[_i].same_as) ==
	    cases[_i].match, "rule '%s' route %s: match %d expected",
	    cases[_i].rule, cases[_i].pfx, cases[_i].match);
	/* the action is what decides, when it matches */
	r.action = DS_FACT_REJECT;
	want = cases[_i].match ? FILTER_REJECT : FILTER_NO_MATCH;
	ck_assert_int_eq(filter_rules_eval(&r, 1, &rt, cases[_i].same_as),
	    want);
}
END_TEST

START_TEST(t_glob)
{
	ck_assert(filter_ifname_match("eth0", "eth0"));
	ck_assert(!filter_ifname_match("eth0", "eth"));
	ck_assert(!filter_ifname_match("eth", "eth0"));
	ck_assert(filter_ifname_match("*", ""));
	ck_assert(filter_ifname_match("e*h*1", "eth.1"));
	ck_assert(filter_ifname_match("*.cali", "tunl.cali"));
	ck_assert(!filter_ifname_match("*.cali", "tunl.calico"));
	ck_assert(filter_ifname_match("**a", "bbba"));
	ck_assert(filter_ifname_match("a*b*c", "aXbYbZc"));
	ck_assert(!filter_ifname_match("a*b*c", "aXbYbZ"));
}
END_TEST

/* the interface is asked for only by a rule that has one */
static unsigned nlookups;
static const char *
eth7(void *arg, char *buf)
{
	(void)arg;
	nlookups++;
	snprintf(buf, FILTER_IFNAME_LEN, "eth7");
	return buf;
}

START_TEST(t_lazy_ifname)
{
	struct ds_filter_rule r[3] = { rule("R In 10.9.0.0/16"),
	    rule("R if cali*"), rule("A if eth*") };
	struct prefix pfx;
	struct filter_route rt = { .pfx = &pfx, .get_ifname = eth7 };

	nlookups = 0;
	ck_assert_int_eq(prefix_parse("10.9.1.1/32", &pfx), 0);
	ck_assert_int_eq(filter_rules_eval(r, 3, &rt, false), FILTER_REJECT);
	ck_assert_uint_eq(nlookups, 0);
	ck_assert_int_eq(prefix_parse("10.8.1.1/32", &pfx), 0);
	ck_assert_int_eq(filter_rules_eval(r, 3, &rt, false), FILTER_ACCEPT);
	ck_assert_uint_eq(nlookups, 2);
}
END_TEST

/* The first rule that matches decides; none: NO_MATCH. */
START_TEST(t_order)
{
	struct ds_filter_rule r[3] = { rule("R In 10.1.0.0/16"),
	    rule("A In 10.0.0.0/8"), rule("R") };
	struct prefix pfx;
	struct filter_route rt = { .pfx = &pfx };

	ck_assert_int_eq(prefix_parse("10.1.2.0/24", &pfx), 0);
	ck_assert_int_eq(filter_rules_eval(r, 3, &rt, false), FILTER_REJECT);
	ck_assert_int_eq(prefix_parse("10.2.0.0/24", &pfx), 0);
	ck_assert_int_eq(filter_rules_eval(r, 3, &rt, false), FILTER_ACCEPT);
	ck_assert_int_eq(filter_rules_eval(r, 2, &rt, false), FILTER_ACCEPT);
	ck_assert_int_eq(prefix_parse("11.0.0.0/24", &pfx), 0);
	ck_assert_int_eq(filter_rules_eval(r, 3, &rt, false), FILTER_REJECT);
	ck_assert_int_eq(filter_rules_eval(r, 2, &rt, false),
	    FILTER_NO_MATCH);
	ck_assert_int_eq(filter_rules_eval(r, 0, &rt, false),
	    FILTER_NO_MATCH);
}
END_TEST

/* A BGPFilter named name with rule texts per direction (NULL: none). */
static void
mkfilter(struct ds_filter *f, const char *name, const char *const *ev4,
    const char *const *iv4, const char *const *ev6, const char *const *iv6)
{
	const char *const *lists[DS_FILTER_NDIR];

	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	lists[DS_FILTER_EXPORT_V4] = ev4;
	lists[DS_FILTER_IMPORT_V4] = iv4;
	lists[DS_FILTER_EXPORT_V6] = ev6;
	lists[DS_FILTER_IMPORT_V6] = iv6;
	for (int d = 0; d < DS_FILTER_NDIR; d++) {
		size_t n = 0;

		while (lists[d] != NULL && lists[d][n] != NULL)
			n++;
		f->nrules[d] = n;
		f->rules[d] = n ? calloc(n, sizeof(*f->rules[d])) : NULL;
		for (size_t i = 0; i < n; i++)
			f->rules[d][i] = rule(lists[d][i]);
	}
}

static void
rmfilter(struct ds_filter *f)
{
	for (int d = 0; d < DS_FILTER_NDIR; d++)
		free(f->rules[d]);
}

/* set a filter from rule lists, as a datastore commit would */
static void
put(struct filters *fs, const char *name, const char *const *ev4,
    const char *const *iv4, const char *const *ev6, const char *const *iv6)
{
	struct ds_filter f;

	mkfilter(&f, name, ev4, iv4, ev6, iv6);
	filters_set(fs, name, &f);
	rmfilter(&f);	/* the store keeps its own copy */
}

static enum filter_verdict
eval(const struct filters *fs, const char *session, bool import,
    const char *pfx_text)
{
	struct prefix pfx;
	struct filter_ctx ctx = { .import = import, .same_as = false };
	struct filter_route rt = { .pfx = &pfx, .from_bgp = import };

	ck_assert_int_eq(prefix_parse(pfx_text, &pfx), 0);
	return filters_eval(fs, session, &ctx, &rt);
}

#define L(...)	((const char *const []){ __VA_ARGS__, NULL })

/* A session's filters in its order; no match falls through to the next;
 * a missing filter and one without rules for the direction are skipped. */
START_TEST(t_session_order)
{
	struct filters *fs = filters_new();
	char *names[] = { "missing", "f1", "f2" };

	put(fs, "f1", L("R Equal 10.244.1.0/26"), L("R In 10.9.0.0/16"),
	    NULL, NULL);
	put(fs, "f2", L("A In 10.244.0.0/16", "R"), NULL,
	    L("R In fd00::/8"), NULL);
	ck_assert(!filters_active(fs));
	ck_assert_int_eq(eval(fs, "S", false, "10.244.1.0/26"),
	    FILTER_NO_MATCH);
	filters_peer_set(fs, "S", AF_INET, names, 3, true);
	ck_assert(filters_active(fs));
	ck_assert(!filters_pending(fs));	/* new: starts with them */
	/* export: f1 decides its prefix, f2 the rest */
	ck_assert_int_eq(eval(fs, "S", false, "10.244.1.0/26"),
	    FILTER_REJECT);
	ck_assert_int_eq(eval(fs, "S", false, "10.244.2.0/26"),
	    FILTER_ACCEPT);
	ck_assert_int_eq(eval(fs, "S", false, "192.168.0.0/24"),
	    FILTER_REJECT);
	/* import: only f1 has import rules; no match: Calico accepts */
	ck_assert_int_eq(eval(fs, "S", true, "10.9.1.0/24"), FILTER_REJECT);
	ck_assert_int_eq(eval(fs, "S", true, "10.244.1.0/26"),
	    FILTER_NO_MATCH);
	/* another session: nothing */
	ck_assert_int_eq(eval(fs, "T", false, "10.244.1.0/26"),
	    FILTER_NO_MATCH);
	/* a v6 session runs the v6 lists */
	filters_peer_set(fs, "S6", AF_INET6, names, 3, true);
	ck_assert_int_eq(eval(fs, "S6", false, "fd00:1::/64"),
	    FILTER_REJECT);
	ck_assert_int_eq(eval(fs, "S6", false, "2001:db8::/64"),
	    FILTER_NO_MATCH);
	ck_assert_int_eq(eval(fs, "S6", true, "fd00:1::/64"),
	    FILTER_NO_MATCH);
	/* the missing filter appears, first in the list: it decides */
	put(fs, "missing", L("A Equal 10.244.1.0/26"), NULL, NULL, NULL);
	ck_assert_int_eq(eval(fs, "S", false, "10.244.1.0/26"),
	    FILTER_ACCEPT);
	filters_free(fs);
}
END_TEST

struct flushed {
	char		 name[8][DS_NAME_MAX];
	unsigned	 what[8];
	size_t		 n;
};

static void
flush_cb(void *arg, const char *session, unsigned what)
{
	struct flushed *fl = arg;

	ck_assert_uint_lt(fl->n, 8);
	snprintf(fl->name[fl->n], sizeof(fl->name[0]), "%s", session);
	fl->what[fl->n++] = what;
}

/* flush; the marks of session s (0: none), and nothing else marked */
static unsigned
marks(struct filters *fs, const char *s)
{
	struct flushed fl = { .n = 0 };
	unsigned w = 0;

	filters_flush(fs, flush_cb, &fl);
	for (size_t i = 0; i < fl.n; i++) {
		ck_assert_msg(strcmp(fl.name[i], s) == 0, "%s marked, not %s",
		    fl.name[i], s);
		w = fl.what[i];
	}
	ck_assert(!filters_pending(fs));
	return w;
}

/* What a change marks: the directions of the session's family whose
 * effective rules differ, nothing else. */
START_TEST(t_marks)
{
	struct filters *fs = filters_new();
	char *one[] = { "f1" }, *two[] = { "f1", "f2" }, *rev[] = { "f2",
	    "f1" };

	put(fs, "f1", L("R Equal 10.244.1.0/26"), NULL, NULL, NULL);
	filters_peer_set(fs, "S", AF_INET, one, 1, true);
	filters_peer_set(fs, "U", AF_INET, rev + 0, 1, true);	/* names f2 only */
	ck_assert_uint_eq(marks(fs, "S"), 0);
	/* f1's export rules change: S re-exports */
	put(fs, "f1", L("R Equal 10.244.2.0/26"), NULL, NULL, NULL);
	ck_assert_uint_eq(marks(fs, "S"), FILTER_CH_EXPORT);
	/* the same rules again: nothing */
	put(fs, "f1", L("R Equal 10.244.2.0/26"), NULL, NULL, NULL);
	ck_assert_uint_eq(marks(fs, "S"), 0);
	/* import rules added: a refresh in only */
	put(fs, "f1", L("R Equal 10.244.2.0/26"), L("R In 10.9.0.0/16"),
	    NULL, NULL);
	ck_assert_uint_eq(marks(fs, "S"), FILTER_CH_IMPORT);
	/* v6 rules: not S's family */
	put(fs, "f1", L("R Equal 10.244.2.0/26"), L("R In 10.9.0.0/16"),
	    L("R"), L("R"));
	ck_assert_uint_eq(marks(fs, "S"), 0);
	/* f2 appears: U (names it) gets its export; S not */
	put(fs, "f2", L("A"), NULL, NULL, NULL);
	ck_assert_uint_eq(marks(fs, "U"), FILTER_CH_EXPORT);
	/* S names f2 too: export changes (f2 has no import rules) */
	filters_peer_set(fs, "S", AF_INET, two, 2, false);
	ck_assert_uint_eq(marks(fs, "S"), FILTER_CH_EXPORT);
	/* reordered: f2's Accept now first: the export list differs */
	filters_peer_set(fs, "S", AF_INET, rev, 2, false);
	ck_assert_uint_eq(marks(fs, "S"), FILTER_CH_EXPORT);
	/* f2 removed: both sessions lose its rules */
	filters_set(fs, "f2", NULL);
	{
		struct flushed fl = { .n = 0 };

		filters_flush(fs, flush_cb, &fl);
		ck_assert_uint_eq(fl.n, 2);
		ck_assert_str_eq(fl.name[0], "S");
		ck_assert_uint_eq(fl.what[0], FILTER_CH_EXPORT);
		ck_assert_str_eq(fl.name[1], "U");
		ck_assert_uint_eq(fl.what[1], FILTER_CH_EXPORT);
	}
	/* two changes before a flush: one mark, both directions */
	put(fs, "f1", L("R"), L("R In 10.9.0.0/16"), NULL, NULL);
	put(fs, "f1", L("R"), L("R"), NULL, NULL);
	ck_assert_uint_eq(marks(fs, "S"), FILTER_CH_IMPORT |
	    FILTER_CH_EXPORT);
	/* S names nothing any more: marked, then forgotten */
	filters_peer_set(fs, "S", AF_INET, NULL, 0, false);
	ck_assert(filters_active(fs));
	ck_assert_uint_eq(marks(fs, "S"), FILTER_CH_IMPORT |
	    FILTER_CH_EXPORT);
	ck_assert_int_eq(eval(fs, "S", false, "10.244.2.0/26"),
	    FILTER_NO_MATCH);
	/* U's f2 is gone: U has no rules; its removal marks nothing */
	filters_peer_del(fs, "U");
	ck_assert(!filters_active(fs));
	ck_assert_uint_eq(marks(fs, "S"), 0);
	/* S, an existing session without filters, gains f1: marked (it
	 * was exported to and imported from without them) */
	filters_peer_set(fs, "S", AF_INET, one, 1, false);
	ck_assert_uint_eq(marks(fs, "S"), FILTER_CH_IMPORT |
	    FILTER_CH_EXPORT);
	/* a list naming only filters without rules: nothing changes */
	filters_peer_set(fs, "S", AF_INET, NULL, 0, false);
	ck_assert_uint_eq(marks(fs, "S"), FILTER_CH_IMPORT |
	    FILTER_CH_EXPORT);
	filters_peer_set(fs, "S", AF_INET, rev + 0, 1, false);	/* f2: gone */
	ck_assert_uint_eq(marks(fs, "S"), 0);
	filters_free(fs);
}
END_TEST

/* What tern says it cannot evaluate: an interface on import rules. */
START_TEST(t_unsupported)
{
	struct ds_filter f;
	char buf[128];

	mkfilter(&f, "f", L("R if eth0"), L("A", "R if eth*"), NULL,
	    L("R if x"));
	ck_assert_uint_eq(filter_unsupported(&f, buf, sizeof(buf)), 2);
	ck_assert_str_eq(buf, "importV4[1].interface, importV6[0].interface");
	rmfilter(&f);
	mkfilter(&f, "f", L("R if eth0"), NULL, NULL, NULL);
	ck_assert_uint_eq(filter_unsupported(&f, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "");
	rmfilter(&f);
}
END_TEST

/* BGPPeer filters are applied now: not named among the unapplied options
 * (glue.c's "not applied (not supported yet)" warning). */
START_TEST(t_opts_applied)
{
	struct ds_peer_opts o;
	char *names[] = { "f1" };
	char buf[64];

	memset(&o, 0, sizeof(o));
	o.restart_time = o.keepalive_time = DS_TIME_UNSET;
	ck_assert_uint_eq(ds_peer_opts_set(&o, buf, sizeof(buf)), 0);
	o.filters = names;
	o.nfilters = 1;
	ck_assert_uint_eq(ds_peer_opts_set(&o, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "");
}
END_TEST

static Suite *
filter_suite(void)
{
	Suite *s = suite_create("filter");
	TCase *t = tcase_create("eval");

	tcase_add_loop_test(t, t_rule_table, 0, (int)NITEMS(cases));
	tcase_add_test(t, t_glob);
	tcase_add_test(t, t_order);
	tcase_add_test(t, t_lazy_ifname);
	tcase_add_test(t, t_session_order);
	tcase_add_test(t, t_marks);
	tcase_add_test(t, t_unsupported);
	tcase_add_test(t, t_opts_applied);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return check_run(filter_suite());
}
