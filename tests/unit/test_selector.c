/*
 * test_selector.c: Calico's label selectors (lib/selector.c).
 *
 * The match table, the bad selectors and the canonical forms are Calico's
 * own: libcalico-go/lib/selector/parser/parser_test.go (selectorTests,
 * badSelectors, canonicalisationTests and the Visitor table without its
 * "visited/" prefix) and libcalico-go/lib/selector/tokenizer/
 * tokenizer_test.go (tokenTests), calico 87c15906 (2026-08-22). The error
 * texts, the bounds, the truncation sweep and the random inputs are ours.
 */
#include <check.h>

#include "check_run.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "defs.h"
#include "selector.h"

/* ---- helpers ---- */

#define LS(...) ((const struct selector_label[]){ __VA_ARGS__ { NULL, NULL } })
#define NOLABELS LS()

static bool
match_kv(const struct selector *s, const struct selector_label *kv)
{
	struct selector_labels l = { selector_labels_kv, (void *)(uintptr_t)kv };

	return selector_match(s, &l);
}

static struct selector *
parse_ok(const char *text)
{
	char err[SELECTOR_ERRLEN];
	struct selector *s = selector_parse(text, err, sizeof(err));

	ck_assert_msg(s != NULL, "parse \"%s\": %s", text, err);
	ck_assert_str_eq(err, "");
	return s;
}

static void
canon(const struct selector *s, char *buf, size_t len)
{
	size_t n = selector_fmt(s, buf, len);

	ck_assert_uint_lt(n, len);
	ck_assert_uint_lt(n, SELECTOR_FMT_MAX);
	ck_assert_uint_eq(strlen(buf), n);
}

/* ---- Calico's selectorTests: each selector, label set, result ---- */

static const struct {
	const char			*sel;
	const struct selector_label	*labels;
	bool				 want;
} match_tests[] = {
	{ "a == \"b\"", LS({ "a", "b" },), true },
	{ "a == \"b\"", LS({ "a", "b" }, { "c", "d" },), true },
	{ "a == \"b\"", NOLABELS, false },
	{ "a == \"b\"", LS({ "a", "c" },), false },
	{ "a == \"b\"", LS({ "c", "d" },), false },
	{ "a == \"b\" && c == \"d\"", LS({ "a", "b" }, { "c", "d" },), true },
	{ "a == \"b\" && c == \"d\"", NOLABELS, false },
	{ "a == \"b\" && c == \"d\"", LS({ "a", "b" }, { "c", "e" },), false },
	{ "a == \"b\" && c == \"d\"", LS({ "a", "c" }, { "c", "d" },), false },
	{ "a == \"b\" && c == \"d\"", LS({ "c", "d" },), false },
	{ "a == \"b\" && c == \"d\"", LS({ "a", "b" },), false },
	{ "a == \"b\" || c == \"d\"", LS({ "a", "b" }, { "c", "d" },), true },
	{ "a == \"b\" || c == \"d\"", LS({ "a", "b" },), true },
	{ "a == \"b\" || c == \"d\"", LS({ "c", "d" },), true },
	{ "a == \"b\" || c == \"d\"", NOLABELS, false },
	{ "a == \"b\" || c == \"d\"", LS({ "a", "e" }, { "c", "e" },), false },
	{ "a == \"b\" || c == \"d\"", LS({ "c", "e" },), false },
	{ "a == \"b\" || c == \"d\"", LS({ "a", "e" },), false },
	{ "a in {\"'\", '\"', \"c\"}", LS({ "a", "c" },), true },
	{ "a in {\"'\", '\"', \"c\"}", LS({ "a", "\"" },), true },
	{ "a in {\"'\", '\"', \"c\"}", LS({ "a", "'" },), true },
	{ "a in {\"'\", '\"', \"c\"}", NOLABELS, false },
	{ "a in {\"'\", '\"', \"c\"}", LS({ "a", "e" },), false },
	{ "a not in {\"'\", '\"', \"c\"}", NOLABELS, true },
	{ "a not in {\"'\", '\"', \"c\"}", LS({ "a", "e" },), true },
	{ "a not in {\"'\", '\"', \"c\"}", LS({ "a", "c" },), false },
	{ "a not in {\"'\", '\"', \"c\"}", LS({ "a", "\"" },), false },
	{ "a not in {\"'\", '\"', \"c\"}", LS({ "a", "'" },), false },
	{ "a == 'a'", LS({ "a", "a" },), true },
	{ "a == \"a\"", LS({ "a", "a" },), true },
	{ "a != \"b\"", LS({ "a", "a" },), true },
	{ "a != \"a\"", NOLABELS, true },
	{ "a contains \"a\"", LS({ "a", "a" },), true },
	{ "a contains \"a\"", LS({ "a", "bab" },), true },
	{ "a contains \"a\"", LS({ "a", "aaa" }, { "b", "c" },), true },
	{ "a contains \"a\"", NOLABELS, false },
	{ "a contains \"a\"", LS({ "a", "b" },), false },
	{ "a contains \"a\"", LS({ "b", "aaa" },), false },
	{ "a starts with \"a\"", LS({ "a", "a" },), true },
	{ "a starts with \"a\"", LS({ "a", "abb" },), true },
	{ "a starts with \"a\"", LS({ "a", "aaa" }, { "b", "c" },), true },
	{ "a starts with \"a\"", NOLABELS, false },
	{ "a starts with \"a\"", LS({ "a", "b" },), false },
	{ "a starts with \"a\"", LS({ "a", "baa" },), false },
	{ "a starts with \"a\"", LS({ "b", "aaa" },), false },
	{ "a ends with \"a\"", LS({ "a", "a" },), true },
	{ "a ends with \"a\"", LS({ "a", "bba" },), true },
	{ "a ends with \"a\"", LS({ "a", "aaa" }, { "b", "c" },), true },
	{ "a ends with \"a\"", NOLABELS, false },
	{ "a ends with \"a\"", LS({ "a", "b" },), false },
	{ "a ends with \"a\"", LS({ "a", "aab" },), false },
	{ "a ends with \"a\"", LS({ "b", "aaa" },), false },
	{ "a in {\"a\"}", LS({ "a", "a" },), true },
	{ "!a in {\"a\"}", LS({ "a", "b" },), true },
	{ "a in {\"a\", \"b\"}", LS({ "a", "a" },), true },
	{ "a in {\"a\", \"b\"}", LS({ "a", "b" },), true },
	{ "a not in {\"d\", \"e\"}", LS({ "a", "a" },), true },
	{ "has(a)", LS({ "a", "b" },), true },
	{ "!has(a)", LS({ "b", "b" },), true },
	{ "", NOLABELS, true },
	{ " ", NOLABELS, true },
	{ "", LS({ "a", "b" },), true },
	{ "all()", NOLABELS, true },
	{ " all()", NOLABELS, true },
	{ " all()", LS({ "a", "b" },), true },
	{ "global()", NOLABELS, true },
	{ " global()", NOLABELS, true },
	{ " global()", LS({ "a", "b" },), true },
	{ "a == 'a'", LS({ "a", "b" },), false },
	{ "a == 'a'", NOLABELS, false },
	{ "a != \"a\"", LS({ "a", "a" },), false },
	{ "a != 'a'", LS({ "a", "a" },), false },
	{ "a in {\"a\"}", LS({ "a", "b" },), false },
	{ "a not in {\"a\"}", LS({ "a", "a" },), false },
	{ "a in {\"a\", \"b\"}", LS({ "a", "c" },), false },
	{ "has(b)", LS({ "a", "b" },), false },
	{ "!!has(b)", LS({ "a", "b" },), false },
	{ "! has(a)", LS({ "a", "b" },), false },
	{ "!has(a)", LS({ "a", "b" },), false },
	{ "!!! has(a)", LS({ "a", "b" },), false },
	{ "!!!has(a)", LS({ "a", "b" },), false },
	{ "!! ! has(a)", LS({ "a", "b" },), false },
	{ "! !!has(a)", LS({ "a", "b" },), false },
	{ "a == 'a1' && b == 'b1'", LS({ "a", "a1" }, { "b", "b1" },), true },
	{ "a == 'a1' && b != 'b1'", LS({ "a", "a1" }, { "b", "b1" },), false },
	{ "a != 'a1' && b == 'b1'", LS({ "a", "a1" }, { "b", "b1" },), false },
	{ "a != 'a1' && b != 'b1'", LS({ "a", "a1" }, { "b", "b1" },), false },
	{ "a != 'a1' && !b == 'b1'", LS({ "a", "a1" }, { "b", "b1" },), false },
	{ "!a == 'a1' && b == 'b1'", LS({ "a", "a1" }, { "b", "b1" },), false },
	{ "has(a) && !has(b)", LS({ "a", "a" },), true },
	{ "!has(b) && has(a)", LS({ "a", "a" },), true },
	{ "!(!has(a) || has(b))", LS({ "a", "a" },), true },
	{ "!(has(b) || !has(a))", LS({ "a", "a" },), true },
	{ "a == 'a1' || b == 'b1'", LS({ "a", "a1" }, { "b", "b1" },), true },
	{ "a == 'a1' || b != 'b1'", LS({ "a", "a1" }, { "b", "b1" },), true },
	{ "a != 'a1' || b == 'b1'", LS({ "a", "a1" }, { "b", "b1" },), true },
	{ "a != 'a1' || b != 'b1'", LS({ "a", "a1" }, { "b", "b1" },), false },
	{ "! a == 'a1' || ! b == 'b1'", LS({ "a", "a1" }, { "b", "b1" },),
	  false },
	/* ours: precedence, empty values, prefixed keys, empty sets */
	{ "a == 'x' || b == 'y' && c == 'z'", LS({ "a", "x" },), true },
	{ "(a == 'x' || b == 'y') && c == 'z'", LS({ "a", "x" },), false },
	{ "!has(a) || has(b) && has(c)", LS({ "b", "" },), true },
	{ "!(has(a) || has(b)) && has(c)", LS({ "b", "" }, { "c", "" },),
	  false },
	{ "a == ''", LS({ "a", "" },), true },
	{ "has(a)", LS({ "a", "" },), true },
	{ "a != ''", LS({ "a", "" },), false },
	{ "a contains ''", LS({ "a", "" },), true },
	{ "a ends with 'long'", LS({ "a", "ng" },), false },
	{ "a starts with 'abc'", LS({ "a", "ab" },), false },
	{ "a in {}", LS({ "a", "" },), false },
	{ "a not in {}", LS({ "a", "" },), true },
	{ "a in {'x',}", LS({ "a", "x" },), true },
	{ "example.com/rack-id in {'r1', 'r2'}",
	  LS({ "example.com/rack-id", "r2" },), true },
	{ "example.com/rack-id in {'r1', 'r2'}",
	  LS({ "rack-id", "r2" },), false },
	{ "global() && !all()", NOLABELS, false },
	{ "in == 'x' && has == 'y' && all == 'z'",
	  LS({ "in", "x" }, { "has", "y" }, { "all", "z" },), true },
};

static void
check_match(const char *text, const struct selector_label *kv, bool want)
{
	char buf[SELECTOR_FMT_MAX];
	struct selector *s = parse_ok(text), *s2;

	ck_assert_msg(match_kv(s, kv) == want, "\"%s\" want %d", text, want);
	/* "should (not) match after canonicalising" */
	canon(s, buf, sizeof(buf));
	s2 = parse_ok(buf);
	ck_assert_msg(match_kv(s2, kv) == want, "\"%s\" want %d", buf, want);
	selector_free(s2);
	selector_free(s);
}

START_TEST(t_match)
{
	check_match(match_tests[_i].sel, match_tests[_i].labels,
	    match_tests[_i].want);
}
END_TEST

/* ---- canonical forms (canonicalisationTests, the Visitor table) ---- */

static const struct {
	const char	*in, *want;
} canon_tests[] = {
	{ "", "all()" },
	{ " all() ", "all()" },
	{ " (all() )", "all()" },
	{ "! (has( b)||! has(a ))", "!(has(b) || !has(a))" },
	{ "! (a == \"b\"&&! c != \"d\")", "!(a == \"b\" && !c != \"d\")" },
	{ "a == \"'\"", "a == \"'\"" },
	{ "a == '\"'", "a == '\"'" },
	{ "a contains '\"'", "a contains '\"'" },
	{ "a contains \"'\"", "a contains \"'\"" },
	{ "a startswith '\"'", "a starts with '\"'" },
	{ "a endswith \"'\"", "a ends with \"'\"" },
	{ "a!='\"'", "a != '\"'" },
	{ "a in {\"d\"}", "a in {\"d\"}" },
	{ "a in {\"a\", \"b\"}", "a in {\"a\", \"b\"}" },
	{ "a in {\"d\", \"a\", \"b\"}", "a in {\"a\", \"b\", \"d\"}" },
	{ "a in {\"z\", \"x\", \"y\", \"a\"}", "a in {\"a\", \"x\", \"y\", \"z\"}" },
	{ "a in {\"z\", \"z\", \"x\", \"y\", \"x\", \"a\"}",
	  "a in {\"a\", \"x\", \"y\", \"z\"}" },
	{ "k == 'v'", "k == \"v\"" },
	{ "k != 'v'", "k != \"v\"" },
	{ "k contains 'v'", "k contains \"v\"" },
	{ "k starts with 'v'", "k starts with \"v\"" },
	{ "k ends with 'v'", "k ends with \"v\"" },
	{ "k == 'v' && x == 'y'", "(k == \"v\" && x == \"y\")" },
	{ "k == 'v' || has(x)", "(k == \"v\" || has(x))" },
	{ "!(k == 'v')", "!k == \"v\"" },
	{ "k in {'v'}", "k in {\"v\"}" },
	{ "k not in {'v'}", "k not in {\"v\"}" },
	{ "!(!(k == 'v' && has(t) || all()) && (a in {'b', 'c'}))",
	  "!(!((k == \"v\" && has(t)) || all()) && a in {\"b\", \"c\"})" },
	/* ours */
	{ "a notin{}", "a not in {}" },
	{ "a in {'b', 'a',}", "a in {\"a\", \"b\"}" },
	{ "a in {'ab', 'a', 'b', 'aa'}", "a in {\"a\", \"aa\", \"ab\", \"b\"}" },
	{ "global( )", "global()" },
	{ "!!has(a)", "has(a)" },
	{ "(a == 'x' && b == 'y') && c == 'z'",
	  "((a == \"x\" && b == \"y\") && c == \"z\")" },
	{ "a == 'x' || b == 'y' && c == 'z' || d == 'w'",
	  "(a == \"x\" || (b == \"y\" && c == \"z\") || d == \"w\")" },
	{ "\tcalico/k8s_ns == \"kube-system\"\t&&\tk8s-app == \"kube-dns\"",
	  "(calico/k8s_ns == \"kube-system\" && k8s-app == \"kube-dns\")" },
};

START_TEST(t_canonical)
{
	char buf[SELECTOR_FMT_MAX], buf2[SELECTOR_FMT_MAX];
	struct selector *s = parse_ok(canon_tests[_i].in), *s2;

	canon(s, buf, sizeof(buf));
	ck_assert_str_eq(buf, canon_tests[_i].want);
	s2 = parse_ok(buf);		/* Calico: round-trips to itself */
	canon(s2, buf2, sizeof(buf2));
	ck_assert_str_eq(buf2, buf);
	selector_free(s2);
	selector_free(s);
}
END_TEST

/* Calico's String() keeps a double negation written through parentheses
 * ("!(!has(a))" is "!!has(a)"); one more pass folds it, then it is fixed. */
START_TEST(t_canonical_double_negation)
{
	char b1[SELECTOR_FMT_MAX], b2[SELECTOR_FMT_MAX], b3[SELECTOR_FMT_MAX];
	struct selector *s1 = parse_ok("!(!has(a))"), *s2, *s3;

	canon(s1, b1, sizeof(b1));
	ck_assert_str_eq(b1, "!!has(a)");
	s2 = parse_ok(b1);
	canon(s2, b2, sizeof(b2));
	ck_assert_str_eq(b2, "has(a)");
	s3 = parse_ok(b2);
	canon(s3, b3, sizeof(b3));
	ck_assert_str_eq(b3, b2);
	ck_assert(match_kv(s1, LS({ "a", "" },)));
	ck_assert(!match_kv(s1, NOLABELS));
	selector_free(s1);
	selector_free(s2);
	selector_free(s3);
}
END_TEST

/* snprintf-like: truncated but terminated, the whole length returned. */
START_TEST(t_fmt_truncated)
{
	struct selector *s = parse_ok("a in {'b', 'c'}");
	const char *want = "a in {\"b\", \"c\"}";
	char buf[8];

	ck_assert_uint_eq(selector_fmt(s, buf, sizeof(buf)), strlen(want));
	ck_assert_str_eq(buf, "a in {\"");
	ck_assert_uint_eq(selector_fmt(s, buf, 1), strlen(want));
	ck_assert_str_eq(buf, "");
	ck_assert_uint_eq(selector_fmt(s, NULL, 0), strlen(want));
	selector_free(s);
}
END_TEST

/* ---- tokenizer_test.go: inputs the tokenizer takes that parse too ---- */

static const char *const token_ok[] = {
	"a==\"b\"", "a!=\"b\"", "a != \"b\"", "(a==\"b\")",
	"label == \"value\"", "label contains \"value\"",
	"contains contains \"contains\"", "contains contains 'contains'",
	"label contains\"value\"", "label startswith \"value\"",
	"label endswith \"value\"", "label starts with \"value\"",
	"startswith starts with \"value\"", "label ends with \"value\"",
	"endswith ends with \"value\"", "label starts  with \"value\"",
	"label ends  with \"value\"", "has(calico/k8s_ns)",
	"has(calico/k8s_ns/role)", "has(calico/k8s_NS-.1/role)",
	"calico/k8s_ns == \"kube-system\" && k8s-app == \"kube-dns\"",
	"a not in {}", "a not in {\"a\"}", "a not in {\"a\",\"B\"}",
	"global()", "global( )", "all()", "all( )",
};

START_TEST(t_tokens_ok)
{
	selector_free(parse_ok(token_ok[_i]));
}
END_TEST

/* ---- rejected: badSelectors, tokenTests' errors, ours with texts ---- */

static const struct {
	const char	*in;
	const char	*err;	/* NULL: any error (Calico's tables) */
} bad_tests[] = {
	{ "b == b", NULL },
	{ "b contains b", NULL },
	{ "b starts with b", NULL },
	{ "b ends with b", NULL },
	{ "'b1' == b", NULL },
	{ "b", NULL },
	{ "a b", NULL },
	{ "!", NULL },
	{ "foo == \"bar\" &", NULL },
	{ "foo == \"bar\" |", NULL },
	{ "foo != ||", NULL },
	{ "foo in {\"\", ||", NULL },
	{ "foo in \"\"", NULL },
	{ "\"FOO", NULL },
	{ "\"FOO'", NULL },
	{ "'FOO", NULL },
	{ "(", NULL },
	{ "(a == \"foo\"", NULL },
	{ ")", NULL },
	{ "()", NULL },
	{ "%", NULL },
	{ "a == \"b\" && %", NULL },
	{ "a == \"b\" || %", NULL },
	{ "a ", NULL },
	{ "has(foo) &&", NULL },
	/* tokenTests that must fail */
	{ "label == \"value", NULL },
	{ "label == 'value", NULL },
	{ "label = \"value\"", NULL },
	{ "all(", NULL },
	{ "global(", NULL },
	{ "has()", NULL },
	{ "has(foo", NULL },
	{ "has( foo ", NULL },
	{ "a == \"b\" & has(foo)", NULL },
	{ "a == \"b\" | has(foo)", NULL },
	{ "label starts foo \"value\"", NULL },
	{ "label inf \"value\"", NULL },
	{ "label ends foo \"value\"", NULL },
	{ "label ends withs \"value\"", NULL },
	{ "label squiggles \"value\"", NULL },
	/* tokenizes in Calico, does not parse */
	{ "a not in \"bar\" && !has(foo) || b in c", NULL },
	/* ours, with the text */
	{ "a == 'b' c", "column 10: expected '&&', '||' or end of input, "
	  "found a label" },
	{ "a = 'b'", "column 3: expected '=='" },
	{ "a == 'b' & c", "column 10: expected '&&'" },
	{ "a == 'b' | c", "column 10: expected '||'" },
	{ "a == b", "column 6: expected a quoted string, found a label" },
	{ "a == 'b", "column 6: unterminated string" },
	{ "a ~ 'b'", "column 3: expected an operator (==, !=, in, not in, "
	  "contains, starts with, ends with) after a label" },
	{ "a == 'b' || ~", "column 13: expected a label, found '~'" },
	{ "a\n== 'b'", "column 2: expected an operator (==, !=, in, not in, "
	  "contains, starts with, ends with) after a label" },
	{ "a == 'b' &&", "column 12: expected a label, has(), all(), global(), "
	  "'!' or '(', found end of input" },
	{ "(a == 'b'", "column 10: expected ')', '&&' or '||', found end of "
	  "input" },
	{ "a in 'b'", "column 6: expected '{', found a quoted string" },
	{ "a in {'b' 'c'}", "column 11: expected a quoted string or '}', "
	  "found a quoted string" },
	{ "a in {,}", "column 7: expected a quoted string or '}', found ','" },
	{ "has(a b)", "column 7: expected ')' to close has(" },
	{ "has ( a )", "column 5: expected an operator after the label, "
	  "found '('" },
	{ "all (  )", "column 5: expected an operator after the label, "
	  "found '('" },
	{ "has()", "column 5: expected a label, found ')'" },
	{ "has(", "column 5: expected a label, found end of input" },
	{ "all(x)", "column 5: expected ')' to close all(" },
	{ "a == 'b' && \x01", "column 13: expected a label, found byte 0x01" },
	{ "a == 'b' && \xc3\xa9", "column 13: expected a label, found byte "
	  "0xc3" },
	{ ")", "column 1: expected a label, has(), all(), global(), '!' or '(', "
	  "found ')'" },
	{ "a in {} in {}", "column 9: expected '&&', '||' or end of input, "
	  "found a label" },
};

START_TEST(t_bad)
{
	char err[SELECTOR_ERRLEN];
	struct selector *s = selector_parse(bad_tests[_i].in, err, sizeof(err));

	ck_assert_msg(s == NULL, "accepted \"%s\"", bad_tests[_i].in);
	ck_assert_msg(strncmp(err, "column ", 7) == 0, "%s", err);
	if (bad_tests[_i].err != NULL)
		ck_assert_str_eq(err, bad_tests[_i].err);
	/* no room for the text: still NULL, nothing written */
	ck_assert_ptr_null(selector_parse(bad_tests[_i].in, NULL, 0));
	err[0] = 'x';
	ck_assert_ptr_null(selector_parse(bad_tests[_i].in, err, 1));
	ck_assert_int_eq(err[0], '\0');
}
END_TEST

/* ---- against Calico's own code ----
 *
 * Rows from a differential run: tokenizer.go, parser.go and stringset.go
 * at calico 87c15906 built with Go 1.19 as they are (logging, uniquestr
 * and the Go 1.20 strings.CutPrefix replaced by plain equivalents), with
 * ast.go's Evaluate and collectFragments transcribed, fed 1,061,267 texts
 * (random selectors from the grammar with blanks, both quotes and every
 * operator spelling; their mutations and prefixes; random token soup; the
 * 89,421 canonical forms it printed, fed back), and lib/selector.c fed the
 * same texts (219,056 accepted): verdicts, canonical forms and results on
 * the six label sets below were identical for every text. These rows are a
 * random sample with Calico's output as the expectation: the canonical
 * form (NULL: refused) and one digit per label set.
 */
static const struct selector_label *const diff_labels[] = {
	NOLABELS,
	LS({ "a", "a" },),
	LS({ "a", "b" }, { "c", "d" },),
	LS({ "a", "" }, { "b", "b1" }, { "k", "v" }, { "t", "x" },),
	LS({ "a", "'" }, { "b", "\"" },),
	LS({ "example.com/x", "a" }, { "a", "ab" },),
};

static const struct {
	const char	*in, *canon, *match;
} calico_diff[] = {
	{ "  ! !\tk endswith\"aa\" ||  c endswith\t'ab'\t&&\t h"
	  "as(  a-b.c/d_e)",
	  "(k ends with \"aa\" || (c ends with \"ab\" && has(a-"
	  "b.c/d_e)))",
	  "000000" },
	{ "t startswith 'ab'  ",
	  "t starts with \"ab\"",
	  "000000" },
	{ "\tb== '\"' && all() &&   k ends with\"b1\"  ",
	  "(b == '\"' && all() && k ends with \"b1\")",
	  "000000" },
	{ "  example.com/x =='a'",
	  "example.com/x == \"a\"",
	  "000001" },
	{ " has( example.com/x\t)\t",
	  "has(example.com/x)",
	  "000001" },
	{ "\t (   has(\texample.com/x) )\t&&b notin  {\t'x'}\t",
	  "(has(example.com/x) && b not in {\"x\"})",
	  "000001" },
	{ "\t! all startswith 'b1' &&!!  a startswith \"'\" &&!"
	  "!\thas(a) ",
	  "(!all starts with \"b1\" && a starts with \"'\" && h"
	  "as(a))",
	  "000010" },
	{ " a starts  with\"'\" ",
	  "a starts with \"'\"",
	  "000010" },
	{ "\t!a!=\"'\"",
	  "!a != \"'\"",
	  "000010" },
	{ " ! a not in{ 'aa' , 'v' ,\"'\", \"ab\" ,  '\"'\t}",
	  "!a not in {'\"', \"'\", \"aa\", \"ab\", \"v\"}",
	  "000011" },
	{ "\t!   a not in {\t\"ab\"  , \"'\",} &&!! has(a)",
	  "(!a not in {\"'\", \"ab\"} && has(a))",
	  "000011" },
	{ "  a in  {\t'b1'  , \"'\",\"'\" ,\t'ab'  , 'v',}",
	  "a in {\"'\", \"ab\", \"b1\", \"v\"}",
	  "000011" },
	{ " \tt ends with '' || ! ! t contains\"d\"\t",
	  "(t ends with \"\" || t contains \"d\")",
	  "000100" },
	{ "\t contains!=\t\"'\"  &&   k starts  with 'v'  ",
	  "(contains != \"'\" && k starts with \"v\")",
	  "000100" },
	{ "\t!!   t\tin  { \"b1\"  }&& t contains\t\"d\" ||  !!"
	  " \thas(\tk )",
	  "((t in {\"b1\"} && t contains \"d\") || has(k))",
	  "000100" },
	{ "  has( example.com/x )  ||  !! (!!! b notin  {\t\"a\""
	  "  } )  ||  has(  k\t)",
	  "(has(example.com/x) || !b not in {\"a\"} || has(k))",
	  "000101" },
	{ "\t! !! \ta notin {\"ab\"\t,\t''\t,\t'\"'}\t",
	  "!a not in {\"\", '\"', \"ab\"}",
	  "000101" },
	{ "   a\tin{ 'aa'\t,'x', 'ab',\t\"\",\"\"  } ",
	  "a in {\"\", \"aa\", \"ab\", \"x\"}",
	  "000101" },
	{ "\ta!= \"a\" && !\thas(has ) &&   has( b )  ",
	  "(a != \"a\" && !has(has) && has(b))",
	  "000110" },
	{ "has(  b)\t",
	  "has(b)",
	  "000110" },
	{ " example.com/x contains\t\"'\" ||\thas(\tb )",
	  "(example.com/x contains \"'\" || has(b))",
	  "000110" },
	{ "\t! a not in{\"b1\"\t,' a b ',  \"ab\" , \"'\"\t,  \""
	  "\" ,}\t",
	  "!a not in {\"\", \" a b \", \"'\", \"ab\", \"b1\"}",
	  "000111" },
	{ "! a not in  {\"v\"\t, \"'\",\t\"ab\",\"\"  ,\"d\"}\t"
	  "&&!  not ends with\t'' ",
	  "(!a not in {\"\", \"'\", \"ab\", \"d\", \"v\"} && !n"
	  "ot ends with \"\")",
	  "000111" },
	{ "  has(b)\t|| has(example.com/x)\t||  a-b.c/d_e start"
	  "s  with  \"x\" ",
	  "(has(b) || has(example.com/x) || a-b.c/d_e starts wi"
	  "th \"x\")",
	  "000111" },
	{ " has(c\t) || global(\t) && !  in != \"d\"  ",
	  "(has(c) || (global() && !in != \"d\"))",
	  "001000" },
	{ " has(a-b.c/d_e\t) && ! t startswith \"ab\" ||   has("
	  " c\t)",
	  "((has(a-b.c/d_e) && !t starts with \"ab\") || has(c)"
	  ")",
	  "001000" },
	{ " c startswith\t\"d\"",
	  "c starts with \"d\"",
	  "001000" },
	{ "\t!! a contains\"b\"",
	  "a contains \"b\"",
	  "001001" },
	{ " a ends with\"b\" ",
	  "a ends with \"b\"",
	  "001001" },
	{ "\t!!  a contains'b' ",
	  "a contains \"b\"",
	  "001001" },
	{ "  a\tin { 'b1',\t\"'\"\t, \"b\" } ",
	  "a in {\"'\", \"b\", \"b1\"}",
	  "001010" },
	{ "   a in {\" a b \"  ,\" a b \"\t,  \"'\",\t'b', 'v'}"
	  " ",
	  "a in {\" a b \", \"'\", \"b\", \"v\"}",
	  "001010" },
	{ "!! ! (!! a\tnotin {\"'\" ,\"b1\" ,  \"b\" ,\t'aa' ,\""
	  "b1\"\t,}  )",
	  "!a not in {\"'\", \"aa\", \"b\", \"b1\"}",
	  "001010" },
	{ "   not in{}||!! !  a notin {'aa'  , \"ab\" ,\"b\"  ,"
	  "\"'\" ,\t\"x\"}",
	  "(not in {} || !a not in {\"'\", \"aa\", \"ab\", \"b\""
	  ", \"x\"})",
	  "001011" },
	{ "a\tin  {\t'b' , 'ab'\t, \"aa\",\t\"'\" , 'v' ,} ",
	  "a in {\"'\", \"aa\", \"ab\", \"b\", \"v\"}",
	  "001011" },
	{ "! !!  a\tnotin { \"b1\"  ,  \"\"\t, \"b\"  }",
	  "!a not in {\"\", \"b\", \"b1\"}",
	  "001100" },
	{ "  ! ! ! a notin{ \"b\" , 'aa' ,  \"\" ,}",
	  "!a not in {\"\", \"aa\", \"b\"}",
	  "001100" },
	{ "   has( c )  ||t starts with \"x\"  ||all() &&   a-b"
	  ".c/d_e endswith'\"'  ",
	  "(has(c) || t starts with \"x\" || (all() && a-b.c/d_"
	  "e ends with '\"'))",
	  "001100" },
	{ "! a contains\"a\"&&! !has( a)&&! ! !  a-b.c/d_e ends"
	  "with  \"v\" ",
	  "(!a contains \"a\" && has(a) && !a-b.c/d_e ends with"
	  " \"v\")",
	  "001110" },
	{ " ! ! has(\tc) &&  !all ends with'd' ||    has(b ) ",
	  "((has(c) && !all ends with \"d\") || has(b))",
	  "001110" },
	{ " !! !has starts with'd'&& b ends with  \"\"|| c ends"
	  "with\t\"\"",
	  "((!has starts with \"d\" && b ends with \"\") || c e"
	  "nds with \"\")",
	  "001110" },
	{ "\t  b in  {} || !\ta\tnot in {  \"'\"  , '' ,'ab' ,'"
	  "b' ,\"\"} ",
	  "(b in {} || !a not in {\"\", \"'\", \"ab\", \"b\"})",
	  "001111" },
	{ "\t!!! a notin\t{\t'a' ,} ",
	  "!a not in {\"a\"}",
	  "010000" },
	{ " !!   a\tin {\t'a' ,}",
	  "a in {\"a\"}",
	  "010000" },
	{ " ! a not in {  'a'  ,  'v'\t,'a' }  ",
	  "!a not in {\"a\", \"v\"}",
	  "010000" },
	{ " ! !!  (  no", NULL, NULL },
	{ " ! !!  in ", NULL, NULL },
	{ " ! ! b starts", NULL, NULL },
	{ "\t!!global() &&\t\thas(not  ) &&\t!!\t", NULL, NULL },
	{ " !global()\t||\t!\tk startswith\"\"\t&&!!! has\tnoti"
	  "n  { ' ", NULL, NULL },
	{ "!!  all( )||\t ha", NULL, NULL },
	{ " ! !! a-b.c/d", NULL, NULL },
	{ "\t! !! c ends wit", NULL, NULL },
	{ "   (  a", NULL, NULL },
	{ "\t! a\tnotin { 'a'\t,}&&  k starts ", NULL, NULL },
	{ "   global(\t)\t|", NULL, NULL },
	{ " !! !b endswith\t'b1'\t&& ", NULL, NULL },
	{ " \thas( a-b.c/d_e )||  t starts with\"\" &&\t\tb sta"
	  "rtswith 'd'||", NULL, NULL },
	{ "\t(\t ( \tno", NULL, NULL },
	{ "  has( has ) &&\t!!\tt starts ", NULL, NULL },
	{ "! !! (  ( contains!= ' a b ' && !\tc\tnot in {} &&", NULL, NULL },
	{ "\t! !   k startswith\t'a'||  !(", NULL, NULL },
	{ "\t!!b!=\t\"ab\"&& contains\tnot ", NULL, NULL },
	{ "\t\t(\t  c notin  { ' a b ',} ' )", NULL, NULL },
	{ "!\tin sta", NULL, NULL },
	{ " \t( a i", NULL, NULL },
	{ " global() && !!  ( ! ! has starts with 'b'  && !!!ha"
	  "s(not\t)", NULL, NULL },
	{ "\t!!(b enods with\t'aa'\ta)  ", NULL, NULL },
	{ " !\tnot contains'ab' ||\t has(", NULL, NULL },
	{ "! a notin{'\"' } ||  ! t starts  with \"v\" &&(!   (", NULL, NULL },
};

START_TEST(t_calico_diff)
{
	char buf[SELECTOR_FMT_MAX], got[NITEMS(diff_labels) + 1];
	struct selector *s = selector_parse(calico_diff[_i].in, NULL, 0);

	if (calico_diff[_i].canon == NULL) {
		ck_assert_msg(s == NULL, "accepted \"%s\"", calico_diff[_i].in);
		return;
	}
	ck_assert_msg(s != NULL, "refused \"%s\"", calico_diff[_i].in);
	canon(s, buf, sizeof(buf));
	ck_assert_str_eq(buf, calico_diff[_i].canon);
	for (size_t i = 0; i < NITEMS(diff_labels); i++)
		got[i] = match_kv(s, diff_labels[i]) ? '1' : '0';
	got[NITEMS(diff_labels)] = '\0';
	ck_assert_str_eq(got, calico_diff[_i].match);
	selector_free(s);
}
END_TEST

/* ---- bounds ---- */

static char *
repeat(const char *head, const char *unit, size_t n, const char *sep,
    const char *tail)
{
	size_t len = strlen(head) + n * (strlen(unit) + strlen(sep)) +
	    strlen(tail) + 1;
	char *s = malloc(len), *p = s;

	ck_assert_ptr_nonnull(s);
	p = stpcpy(p, head);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			p = stpcpy(p, sep);
		p = stpcpy(p, unit);
	}
	stpcpy(p, tail);
	return s;
}

static void
assert_bad(const char *text, const char *want)
{
	char err[SELECTOR_ERRLEN];

	ck_assert_ptr_null(selector_parse(text, err, sizeof(err)));
	ck_assert_str_eq(err, want);
}

START_TEST(t_bound_len)
{
	char *s = repeat("all()", " ", SELECTOR_MAX_LEN - 5, "", "");

	ck_assert_uint_eq(strlen(s), SELECTOR_MAX_LEN);
	selector_free(parse_ok(s));
	free(s);
	s = repeat("all()", " ", SELECTOR_MAX_LEN - 4, "", "");
	assert_bad(s, "longer than 4096 bytes");
	free(s);
}
END_TEST

START_TEST(t_bound_depth)
{
	char *l = repeat("", "(", SELECTOR_MAX_DEPTH, "", "has(a)");
	char *s = repeat(l, ")", SELECTOR_MAX_DEPTH, "", "");
	struct selector *sel = parse_ok(s);

	ck_assert(match_kv(sel, LS({ "a", "" },)));
	selector_free(sel);
	free(s);
	free(l);
	/* 65 deep fails at the 65th "(" (column 65) */
	l = repeat("", "(", SELECTOR_MAX_DEPTH + 1, "", "has(a)");
	s = repeat(l, ")", SELECTOR_MAX_DEPTH + 1, "", "");
	assert_bad(s, "column 65: more than 64 nested parentheses");
	free(s);
	free(l);
	/* the deepest tree: || && ! at every level */
	l = repeat("", "!(has(a) && has(b) || ", SELECTOR_MAX_DEPTH, "",
	    "has(c)");
	s = repeat(l, ")", SELECTOR_MAX_DEPTH, "", "");
	sel = parse_ok(s);
	ck_assert(!match_kv(sel, LS({ "a", "" }, { "b", "" },)));
	/* X(k) = !(a && b || X(k + 1)), X(64) = !(a && b || has(c)) */
	ck_assert(match_kv(sel, LS({ "c", "" },)));
	ck_assert(!match_kv(sel, NOLABELS));
	selector_free(sel);
	free(s);
	free(l);
}
END_TEST

START_TEST(t_bound_nodes)
{
	/* n operands of one ||: n + 1 nodes */
	char *s = repeat("", "has(a)", SELECTOR_MAX_NODES - 1, "||", "");
	struct selector *sel = parse_ok(s);

	ck_assert(match_kv(sel, LS({ "a", "" },)));
	selector_free(sel);
	free(s);
	s = repeat("", "has(a)", SELECTOR_MAX_NODES, "||", "");
	ck_assert_uint_le(strlen(s), SELECTOR_MAX_LEN);
	assert_bad(s, "column 4095: more than 512 terms and operators");
	free(s);
	/* ! nodes count too */
	s = repeat("", "!(has(a))", SELECTOR_MAX_NODES / 2 + 1, "||", "");
	ck_assert_uint_le(strlen(s), SELECTOR_MAX_LEN);
	ck_assert_ptr_null(selector_parse(s, NULL, 0));
	free(s);
}
END_TEST

START_TEST(t_bound_set)
{
	char *s = repeat("a in {", "''", SELECTOR_MAX_SET, ",", "}");
	struct selector *sel = parse_ok(s);
	char buf[64];

	canon(sel, buf, sizeof(buf));	/* duplicates folded */
	ck_assert_str_eq(buf, "a in {\"\"}");
	selector_free(sel);
	free(s);
	s = repeat("a in {", "''", SELECTOR_MAX_SET + 1, ",", "}");
	assert_bad(s, "column 775: more than 256 values in a set");
	free(s);
}
END_TEST

START_TEST(t_bound_label)
{
	char *s = repeat("", "a", SELECTOR_MAX_LABEL, "", " == \"value\"");

	selector_free(parse_ok(s));	/* tokenTests: 512 is fine */
	free(s);
	s = repeat("", "a", SELECTOR_MAX_LABEL + 1, "", " == \"value\"");
	assert_bad(s, "column 1: label longer than 512 bytes");
	free(s);
	s = repeat("has(", "a", SELECTOR_MAX_LABEL + 1, "", ")");
	assert_bad(s, "column 5: label longer than 512 bytes");
	free(s);
}
END_TEST

/* Many distinct short strings fill the pool as far as the text allows. */
START_TEST(t_bound_strings)
{
	char text[SELECTOR_MAX_LEN + 1], buf[SELECTOR_FMT_MAX];
	struct selector *s;
	size_t n = 0;
	int i = 0;

	while (n + 16 < SELECTOR_MAX_LEN)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    "%sa in{'%c%c'}", n > 0 ? "||" : "", 'A' + i % 26,
		    'A' + i / 26 % 26), i++;
	s = parse_ok(text);
	canon(s, buf, sizeof(buf));
	ck_assert(match_kv(s, LS({ "a", "AB" },)));
	ck_assert(!match_kv(s, LS({ "a", "ZZ" },)));
	selector_free(s);
}
END_TEST

/* ---- hostile input sweeps ---- */

static const struct selector_label *const sweep_labels[] = {
	NOLABELS,
	LS({ "a", "a" },),
	LS({ "a", "b" }, { "c", "d" },),
	LS({ "a", "" }, { "b", "b1" }, { "k", "v" }, { "t", "x" },),
	LS({ "a", "'" }, { "b", "\"" },),
};

/* Accepted: the canonical form parses, matches alike, and is fixed after
 * one more pass (see t_canonical_double_negation). */
static void
check_roundtrip(const char *text)
{
	char b1[SELECTOR_FMT_MAX], b2[SELECTOR_FMT_MAX], b3[SELECTOR_FMT_MAX];
	struct selector *s1, *s2, *s3;

	if ((s1 = selector_parse(text, NULL, 0)) == NULL)
		return;
	canon(s1, b1, sizeof(b1));
	s2 = parse_ok(b1);
	canon(s2, b2, sizeof(b2));
	s3 = parse_ok(b2);
	canon(s3, b3, sizeof(b3));
	ck_assert_str_eq(b3, b2);
	for (size_t i = 0; i < NITEMS(sweep_labels); i++) {
		ck_assert(match_kv(s1, sweep_labels[i]) ==
		    match_kv(s2, sweep_labels[i]));
		ck_assert(match_kv(s2, sweep_labels[i]) ==
		    match_kv(s3, sweep_labels[i]));
	}
	selector_free(s1);
	selector_free(s2);
	selector_free(s3);
}

/* Every prefix of every valid selector: no crash, no leak (run under
 * ASan), and what is accepted round-trips. */
static void
sweep_prefixes(const char *text)
{
	size_t len = strlen(text);
	char *buf = malloc(len + 1);

	ck_assert_ptr_nonnull(buf);
	for (size_t n = 0; n <= len; n++) {
		memcpy(buf, text, n);
		buf[n] = '\0';
		check_roundtrip(buf);
	}
	free(buf);
}

START_TEST(t_truncations)
{
	for (size_t i = 0; i < NITEMS(match_tests); i++)
		sweep_prefixes(match_tests[i].sel);
	for (size_t i = 0; i < NITEMS(canon_tests); i++)
		sweep_prefixes(canon_tests[i].in);
	for (size_t i = 0; i < NITEMS(token_ok); i++)
		sweep_prefixes(token_ok[i]);
	for (size_t i = 0; i < NITEMS(bad_tests); i++)
		sweep_prefixes(bad_tests[i].in);
	for (size_t i = 0; i < NITEMS(calico_diff); i++)
		sweep_prefixes(calico_diff[i].in);
}
END_TEST

/* Random texts from the language's pieces (fixed seed: reproducible). */
START_TEST(t_random)
{
	static const char *const pieces[] = {
		"a", "b", "k", "example.com/x", "==", "!=", "!", "&&", "||",
		"(", ")", "{", "}", ",", "'a'", "\"b\"", "''", "'\"'", " in ",
		" not in ", " contains ", " starts with ", " ends with ",
		"has(a)", "has(b)", "all()", "global()", " ", "\t", "'", "\"",
		"has(", "&", "|", "=", "%", "\n",
	};
	struct selector *sel;
	uint32_t x = 2463534242u;
	char text[256];
	size_t n, accepted = 0;

	for (int round = 0; round < 40000; round++) {
		n = 0;
		for (int k = (int)(x % 12) + 1; k > 0; k--) {
			x ^= x << 13, x ^= x >> 17, x ^= x << 5;
			n += (size_t)snprintf(text + n, sizeof(text) - n, "%s",
			    pieces[x % NITEMS(pieces)]);
		}
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		if ((sel = selector_parse(text, NULL, 0)) != NULL)
			accepted++;
		selector_free(sel);
		check_roundtrip(text);
	}
	ck_assert_uint_gt(accepted, 100);	/* the sweep reaches the parser */
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("selector");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, t_match, 0, NITEMS(match_tests));
	tcase_add_loop_test(tc, t_canonical, 0, NITEMS(canon_tests));
	tcase_add_test(tc, t_canonical_double_negation);
	tcase_add_test(tc, t_fmt_truncated);
	tcase_add_loop_test(tc, t_tokens_ok, 0, NITEMS(token_ok));
	tcase_add_loop_test(tc, t_bad, 0, NITEMS(bad_tests));
	tcase_add_loop_test(tc, t_calico_diff, 0, NITEMS(calico_diff));
	tcase_add_test(tc, t_bound_len);
	tcase_add_test(tc, t_bound_depth);
	tcase_add_test(tc, t_bound_nodes);
	tcase_add_test(tc, t_bound_set);
	tcase_add_test(tc, t_bound_label);
	tcase_add_test(tc, t_bound_strings);
	tcase_add_test(tc, t_truncations);
	tcase_add_test(tc, t_random);
	suite_add_tcase(s, tc);
	return check_run(s);
}
