/*
 * selector.c: Calico's label selector language (see selector.h): a
 * tokenizer, a recursive-descent parser with a depth bound, the evaluator
 * and the canonical printer. It owns no state besides the selector objects
 * and never logs: errors go back to the caller as text.
 *
 * Calico (libcalico-go lib/selector, calico 87c15906): tokenizer.go turns
 * the whole text into tokens first; whether a word is an operator depends
 * on the token before it ("contains", "in", "not in", "starts with",
 * "ends with" only right after a label; "has(", "all(", "global(" only
 * elsewhere). parser.go: parseOrExpression > parseAndExpression >
 * parseOperation, which folds leading "!" by parity and recurses on "(".
 * ast.go: one node type per operator, Evaluate and collectFragments (the
 * String() form).
 *
 * Our implementation: the same tokens, made one at a time (the previous
 * token's kind kept) so that no token array is needed; the same grammar,
 * so exactly the texts Calico accepts are accepted, up to the bounds in
 * selector.h, which Calico does not have (Go stacks grow; a 64-deep
 * selector is no real node or peer selector). The error text is ours: it
 * names the column, as Calico's does not. Nodes live in one array, the
 * operands of && and || linked through `next`; strings are copied with a
 * NUL into one pool; a set is sorted and without duplicates (Calico's
 * ConvertToStringSetInPlace) and searched by bisection. The parser works
 * in a bounded scratch, then the selector is one allocation of the size
 * used.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "selector.h"
#include "xmalloc.h"

enum sel_op {
	SEL_ALL,
	SEL_GLOBAL,
	SEL_HAS,
	SEL_EQ,
	SEL_NE,
	SEL_CONTAINS,
	SEL_STARTS,
	SEL_ENDS,
	SEL_IN,
	SEL_NOT_IN,
	SEL_NOT,
	SEL_AND,
	SEL_OR,
};

#define SEL_NONE	UINT16_MAX
/* Strings: labels and values, at most one per 2 bytes of text, plus 1. */
#define SEL_MAX_STRS	(SELECTOR_MAX_LEN / 2 + 1)
/* Pool: every string's bytes (within the text) and a NUL each. */
#define SEL_MAX_POOL	(SELECTOR_MAX_LEN + SEL_MAX_STRS)

struct sel_str {
	uint16_t	off, len;	/* into the pool; pool[off + len] = 0 */
};

struct sel_node {
	uint8_t		op;	/* enum sel_op */
	uint16_t	next;	/* next operand of the parent && or || */
	uint16_t	a;	/* NOT: operand; AND, OR: first operand;
				   else: the label (a string) */
	uint16_t	b;	/* value string, or the first set value */
	uint16_t	n;	/* AND, OR: operands; IN, NOT_IN: values */
};

struct selector {
	uint16_t	 root, nnodes, nstrs, poollen;
	struct sel_str	*strs;
	char		*pool;
	struct sel_node	 nodes[];	/* then strs[nstrs], then pool */
};

/* Tokens, as tokenizer.go's Kind. */
enum tok {
	T_ERR, T_EOF, T_LABEL, T_STRING, T_LBRACE, T_RBRACE, T_COMMA, T_EQ,
	T_NE, T_IN, T_NOT, T_NOTIN, T_CONTAINS, T_STARTS, T_ENDS, T_ALL,
	T_HAS, T_LPAREN, T_RPAREN, T_AND, T_OR, T_GLOBAL,
};

struct token {
	enum tok	 kind;
	size_t		 pos;	/* offset of its first byte */
	const char	*s;	/* T_LABEL, T_HAS: the label; T_STRING: */
	size_t		 len;	/* the bytes between the quotes */
};

struct parser {
	const char	*in;
	size_t		 len, off;
	struct token	 tok;	/* the current token */
	char		*err;
	size_t		 errlen;
	bool		 failed;
	uint16_t	 nnodes, nstrs, poollen;
	struct sel_node	 nodes[SELECTOR_MAX_NODES];
	struct sel_str	 strs[SEL_MAX_STRS];
	char		 pool[SEL_MAX_POOL];
};

static void fail(struct parser *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

/* The first error wins; later ones are consequences. */
static void
fail(struct parser *p, size_t pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->failed)
		return;
	p->failed = true;
	if (p->errlen == 0)
		return;
	n = snprintf(p->err, p->errlen, "column %zu: ", pos + 1);
	if (n < 0 || (size_t)n >= p->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

/* ---- tokenizer (tokenizer.go) ---- */

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* identifierChar */
static bool
is_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '/' ||
	    c == '-';
}

static void
skip_blanks(struct parser *p)
{
	while (p->off < p->len && is_blank(p->in[p->off]))
		p->off++;
}

static bool
at_word_boundary(const struct parser *p, size_t off)
{
	return off >= p->len || !is_ident(p->in[off]);
}

/* cutPrefixCheckBreak / cutMultiWordPrefixCheckBreak: the words, blanks
 * allowed (not required) between them, a word boundary after the last. */
static bool
cut_words(struct parser *p, const char *w1, const char *w2)
{
	size_t off = p->off, l1 = strlen(w1), l2;

	if (p->len - off < l1 || memcmp(p->in + off, w1, l1) != 0)
		return false;
	off += l1;
	if (w2 != NULL) {
		while (off < p->len && is_blank(p->in[off]))
			off++;
		l2 = strlen(w2);
		if (p->len - off < l2 || memcmp(p->in + off, w2, l2) != 0)
			return false;
		off += l2;
	}
	if (!at_word_boundary(p, off))
		return false;
	p->off = off;
	return true;
}

static bool
cut(struct parser *p, const char *s)
{
	size_t l = strlen(s);

	if (p->len - p->off < l || memcmp(p->in + p->off, s, l) != 0)
		return false;
	p->off += l;
	return true;
}

/* cutIdentifier: 1..SELECTOR_MAX_LABEL identifier bytes. */
static bool
lex_ident(struct parser *p, struct token *t)
{
	size_t start = p->off;
	unsigned char c;

	while (p->off < p->len && is_ident(p->in[p->off]))
		p->off++;
	t->s = p->in + start;
	t->len = p->off - start;
	if (t->len > SELECTOR_MAX_LABEL) {
		fail(p, start, "label longer than %d bytes", SELECTOR_MAX_LABEL);
		return false;
	}
	if (t->len > 0)
		return true;
	if (p->off >= p->len)
		fail(p, start, "expected a label, found end of input");
	else if ((c = (unsigned char)p->in[p->off]) > ' ' && c < 0x7f)
		fail(p, start, "expected a label, found '%c'", c);
	else
		fail(p, start, "expected a label, found byte 0x%02x", c);
	return false;
}

static enum tok
lex_string(struct parser *p, struct token *t)
{
	char q = p->in[p->off];
	const char *end;

	end = memchr(p->in + p->off + 1, q, p->len - p->off - 1);
	if (end == NULL) {
		fail(p, p->off, "unterminated string");
		return T_ERR;
	}
	t->s = p->in + p->off + 1;
	t->len = (size_t)(end - t->s);
	p->off = (size_t)(end - p->in) + 1;
	return T_STRING;
}

/* "has(" label ")", "all(" ")", "global(" ")": blanks allowed inside. */
static enum tok
lex_call(struct parser *p, struct token *t, const char *name, enum tok k)
{
	skip_blanks(p);
	if (k == T_HAS && !lex_ident(p, t))
		return T_ERR;
	skip_blanks(p);
	if (!cut(p, ")")) {
		fail(p, p->off, "expected ')' to close %s(", name);
		return T_ERR;
	}
	return k;
}

/* After a label only an operator word may follow. */
static enum tok
lex_operator_word(struct parser *p)
{
	if (cut_words(p, "contains", NULL))
		return T_CONTAINS;
	if (cut_words(p, "starts", "with"))
		return T_STARTS;
	if (cut_words(p, "ends", "with"))
		return T_ENDS;
	if (cut_words(p, "not", "in"))
		return T_NOTIN;
	if (cut_words(p, "in", NULL))
		return T_IN;
	fail(p, p->off, "expected an operator (==, !=, in, not in, contains, "
	    "starts with, ends with) after a label");
	return T_ERR;
}

static enum tok
lex_word(struct parser *p, struct token *t, enum tok last)
{
	if (last == T_LABEL)
		return lex_operator_word(p);
	if (cut(p, "has("))
		return lex_call(p, t, "has", T_HAS);
	if (cut(p, "all("))
		return lex_call(p, t, "all", T_ALL);
	if (cut(p, "global("))
		return lex_call(p, t, "global", T_GLOBAL);
	return lex_ident(p, t) ? T_LABEL : T_ERR;
}

/* A two-byte operator whose first byte alone is no token. */
static enum tok
lex_pair(struct parser *p, const char *op, enum tok k)
{
	if (cut(p, op))
		return k;
	fail(p, p->off, "expected '%s'", op);
	return T_ERR;
}

static enum tok
lex(struct parser *p, struct token *t, enum tok last)
{
	skip_blanks(p);
	t->pos = p->off;
	t->s = NULL;
	t->len = 0;
	if (p->off >= p->len)
		return T_EOF;
	switch (p->in[p->off]) {
	case '(':
		p->off++;
		return T_LPAREN;
	case ')':
		p->off++;
		return T_RPAREN;
	case '{':
		p->off++;
		return T_LBRACE;
	case '}':
		p->off++;
		return T_RBRACE;
	case ',':
		p->off++;
		return T_COMMA;
	case '"':
	case '\'':
		return lex_string(p, t);
	case '=':
		return lex_pair(p, "==", T_EQ);
	case '&':
		return lex_pair(p, "&&", T_AND);
	case '|':
		return lex_pair(p, "||", T_OR);
	case '!':
		if (cut(p, "!="))
			return T_NE;
		p->off++;
		return T_NOT;
	default:
		return lex_word(p, t, last);
	}
}

static void
advance(struct parser *p)
{
	enum tok last = p->tok.kind;

	if (p->failed)
		return;
	p->tok.kind = lex(p, &p->tok, last);
}

/* What the current token is, for "found ..." in errors. */
static const char *
tok_name(enum tok k)
{
	static const char *const names[] = {
		[T_ERR] = "an error", [T_EOF] = "end of input",
		[T_LABEL] = "a label", [T_STRING] = "a quoted string",
		[T_LBRACE] = "'{'", [T_RBRACE] = "'}'", [T_COMMA] = "','",
		[T_EQ] = "'=='", [T_NE] = "'!='", [T_IN] = "'in'",
		[T_NOT] = "'!'", [T_NOTIN] = "'not in'",
		[T_CONTAINS] = "'contains'", [T_STARTS] = "'starts with'",
		[T_ENDS] = "'ends with'", [T_ALL] = "all()",
		[T_HAS] = "has()", [T_LPAREN] = "'('", [T_RPAREN] = "')'",
		[T_AND] = "'&&'", [T_OR] = "'||'", [T_GLOBAL] = "global()",
	};

	return names[k];
}

static void
expected(struct parser *p, const char *what)
{
	fail(p, p->tok.pos, "expected %s, found %s", what,
	    tok_name(p->tok.kind));
}

/* ---- building the tree ---- */

static uint16_t
node_new(struct parser *p, enum sel_op op)
{
	struct sel_node *n;

	if (p->nnodes >= SELECTOR_MAX_NODES) {
		fail(p, p->tok.pos, "more than %d terms and operators",
		    SELECTOR_MAX_NODES);
		return SEL_NONE;
	}
	n = &p->nodes[p->nnodes];
	n->op = (uint8_t)op;
	n->next = n->a = n->b = SEL_NONE;
	n->n = 0;
	return p->nnodes++;
}

/* Copy a label or value into the pool; the text bounds make room. */
static uint16_t
str_new(struct parser *p, const char *s, size_t len)
{
	struct sel_str *st = &p->strs[p->nstrs];

	st->off = p->poollen;
	st->len = (uint16_t)len;
	memcpy(p->pool + p->poollen, s, len);
	p->pool[p->poollen + len] = '\0';
	p->poollen = (uint16_t)(p->poollen + len + 1);
	return p->nstrs++;
}

/* Go's string order: bytes, then length. */
static int
bytes_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

/* Add the current string token to the set strs[first..first+*n), kept
 * sorted and without duplicates (ConvertToStringSetInPlace). */
static void
set_add(struct parser *p, uint16_t first, uint16_t *n)
{
	const struct token *t = &p->tok;
	struct sel_str added;
	size_t lo = 0, hi = *n, mid;
	int c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		c = bytes_cmp(p->pool + p->strs[first + mid].off,
		    p->strs[first + mid].len, t->s, t->len);
		if (c == 0)
			return;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	added = p->strs[str_new(p, t->s, t->len)];	/* at first + *n */
	memmove(&p->strs[first + lo + 1], &p->strs[first + lo],
	    (*n - lo) * sizeof(p->strs[0]));
	p->strs[first + lo] = added;
	(*n)++;
}

/* "{" [ string { "," string } [ "," ] ] "}" after in / not in. */
static void
parse_set(struct parser *p, struct sel_node *node)
{
	size_t written = 0;

	if (p->tok.kind != T_LBRACE) {
		expected(p, "'{'");
		return;
	}
	node->b = p->nstrs;
	advance(p);
	while (p->tok.kind == T_STRING) {
		if (++written > SELECTOR_MAX_SET) {
			fail(p, p->tok.pos, "more than %d values in a set",
			    SELECTOR_MAX_SET);
			return;
		}
		set_add(p, node->b, &node->n);
		advance(p);
		if (p->tok.kind != T_COMMA)
			break;
		advance(p);
	}
	if (p->tok.kind != T_RBRACE) {
		expected(p, "a quoted string or '}'");
		return;
	}
	advance(p);
}

static enum sel_op
label_op(enum tok k)
{
	switch (k) {
	case T_EQ:
		return SEL_EQ;
	case T_NE:
		return SEL_NE;
	case T_CONTAINS:
		return SEL_CONTAINS;
	case T_STARTS:
		return SEL_STARTS;
	case T_ENDS:
		return SEL_ENDS;
	case T_IN:
		return SEL_IN;
	case T_NOTIN:
		return SEL_NOT_IN;
	default:
		return SEL_ALL;	/* no label operator */
	}
}

/* label op string | label (not) in set; the current token is the label. */
static uint16_t
parse_label_term(struct parser *p)
{
	uint16_t key, id;
	enum sel_op op;

	key = str_new(p, p->tok.s, p->tok.len);
	advance(p);
	if ((op = label_op(p->tok.kind)) == SEL_ALL) {
		expected(p, "an operator after the label");
		return SEL_NONE;
	}
	if ((id = node_new(p, op)) == SEL_NONE)
		return SEL_NONE;
	p->nodes[id].a = key;
	advance(p);
	if (op == SEL_IN || op == SEL_NOT_IN) {
		parse_set(p, &p->nodes[id]);
		return p->failed ? SEL_NONE : id;
	}
	if (p->tok.kind != T_STRING) {
		expected(p, "a quoted string");
		return SEL_NONE;
	}
	p->nodes[id].b = str_new(p, p->tok.s, p->tok.len);
	advance(p);
	return id;
}

static uint16_t parse_or(struct parser *, unsigned);

static uint16_t
parse_paren(struct parser *p, unsigned depth)
{
	uint16_t id;

	if (depth >= SELECTOR_MAX_DEPTH) {
		fail(p, p->tok.pos, "more than %d nested parentheses",
		    SELECTOR_MAX_DEPTH);
		return SEL_NONE;
	}
	advance(p);
	if ((id = parse_or(p, depth + 1)) == SEL_NONE)
		return SEL_NONE;
	if (p->tok.kind != T_RPAREN) {
		expected(p, "')', '&&' or '||'");
		return SEL_NONE;
	}
	advance(p);
	return id;
}

static uint16_t
parse_simple(struct parser *p, enum sel_op op)
{
	uint16_t id;

	if ((id = node_new(p, op)) == SEL_NONE)
		return SEL_NONE;
	if (op == SEL_HAS)
		p->nodes[id].a = str_new(p, p->tok.s, p->tok.len);
	advance(p);
	return id;
}

/* parseOperation: { "!" } term, the "!"s folded by parity. */
static uint16_t
parse_op(struct parser *p, unsigned depth)
{
	bool negated = false;
	uint16_t id, neg;

	for (; p->tok.kind == T_NOT; advance(p))
		negated = !negated;
	switch (p->tok.kind) {
	case T_HAS:
		id = parse_simple(p, SEL_HAS);
		break;
	case T_ALL:
		id = parse_simple(p, SEL_ALL);
		break;
	case T_GLOBAL:
		id = parse_simple(p, SEL_GLOBAL);
		break;
	case T_LABEL:
		id = parse_label_term(p);
		break;
	case T_LPAREN:
		id = parse_paren(p, depth);
		break;
	default:
		expected(p, "a label, has(), all(), global(), '!' or '('");
		return SEL_NONE;
	}
	if (p->failed)	/* id may be set when a later token failed */
		return SEL_NONE;
	if (!negated)
		return id;
	if ((neg = node_new(p, SEL_NOT)) != SEL_NONE)
		p->nodes[neg].a = id;
	return neg;
}

/* A list of sub-expressions separated by sep, one node when it has more
 * than one (parseAndExpression, parseOrExpression). */
static uint16_t
parse_list(struct parser *p, unsigned depth, enum tok sep, enum sel_op op)
{
	uint16_t first, last, id, list;
	uint16_t n = 1;

	first = op == SEL_OR ? parse_list(p, depth, T_AND, SEL_AND) :
	    parse_op(p, depth);
	if (first == SEL_NONE)
		return SEL_NONE;
	for (last = first; p->tok.kind == sep; last = id, n++) {
		advance(p);
		id = op == SEL_OR ? parse_list(p, depth, T_AND, SEL_AND) :
		    parse_op(p, depth);
		if (id == SEL_NONE)
			return SEL_NONE;
		p->nodes[last].next = id;
	}
	if (n == 1)
		return first;
	if ((list = node_new(p, op)) == SEL_NONE)
		return SEL_NONE;
	p->nodes[list].a = first;
	p->nodes[list].n = n;
	return list;
}

static uint16_t
parse_or(struct parser *p, unsigned depth)
{
	return parse_list(p, depth, T_OR, SEL_OR);
}

/* The selector from a parser that has read it all, in one allocation. */
static struct selector *
selector_build(const struct parser *p, uint16_t root)
{
	struct selector *s;
	size_t nodes = p->nnodes * sizeof(p->nodes[0]);
	size_t strs = p->nstrs * sizeof(p->strs[0]);

	s = xmalloc(sizeof(*s) + nodes + strs + p->poollen);
	s->root = root;
	s->nnodes = p->nnodes;
	s->nstrs = p->nstrs;
	s->poollen = p->poollen;
	s->strs = (struct sel_str *)((char *)s->nodes + nodes);
	s->pool = (char *)s->strs + strs;
	memcpy(s->nodes, p->nodes, nodes);
	memcpy(s->strs, p->strs, strs);
	memcpy(s->pool, p->pool, p->poollen);
	return s;
}

struct selector *
selector_parse(const char *text, char *err, size_t errlen)
{
	struct parser *p;
	struct selector *s = NULL;
	uint16_t root;
	size_t len = strnlen(text, SELECTOR_MAX_LEN + 1);

	if (errlen > 0)
		err[0] = '\0';
	if (len > SELECTOR_MAX_LEN) {
		if (errlen > 0)
			snprintf(err, errlen, "longer than %d bytes",
			    SELECTOR_MAX_LEN);
		return NULL;
	}
	p = xmalloc(sizeof(*p));
	p->in = text;
	p->len = len;
	p->off = 0;
	p->err = err;
	p->errlen = errlen;
	p->failed = false;
	p->nnodes = p->nstrs = p->poollen = 0;
	p->tok.kind = T_EOF;	/* no token before the first */
	advance(p);
	if (p->tok.kind == T_EOF)	/* "" and blanks: all() */
		root = node_new(p, SEL_ALL);
	else if ((root = parse_or(p, 0)) != SEL_NONE &&
	    p->tok.kind != T_EOF)
		expected(p, "'&&', '||' or end of input");
	if (!p->failed)
		s = selector_build(p, root);
	free(p);
	return s;
}

void
selector_free(struct selector *s)
{
	free(s);
}

/* ---- evaluation (ast.go Evaluate) ---- */

static const char *
str_of(const struct selector *s, uint16_t i, size_t *len)
{
	if (len != NULL)
		*len = s->strs[i].len;
	return s->pool + s->strs[i].off;
}

static bool
set_has(const struct selector *s, const struct sel_node *n, const char *v)
{
	size_t lo = 0, hi = n->n, mid, len, vlen = strlen(v);
	const char *m;
	int c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		m = str_of(s, (uint16_t)(n->b + mid), &len);
		if ((c = bytes_cmp(m, len, v, vlen)) == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* A label operator on a present label's value v. */
static bool
match_value(const struct selector *s, const struct sel_node *n,
    const char *v)
{
	size_t len, vlen;
	const char *x;

	if (n->op == SEL_IN || n->op == SEL_NOT_IN)
		return set_has(s, n, v) == (n->op == SEL_IN);
	x = str_of(s, n->b, &len);
	switch (n->op) {
	case SEL_EQ:
		return strcmp(v, x) == 0;
	case SEL_NE:
		return strcmp(v, x) != 0;
	case SEL_CONTAINS:
		return strstr(v, x) != NULL;
	case SEL_STARTS:
		return strncmp(v, x, len) == 0;
	case SEL_ENDS:
		vlen = strlen(v);
		return vlen >= len && memcmp(v + vlen - len, x, len) == 0;
	default:
		return false;
	}
}

/* Recursion depth: at most 3 per parenthesis level (||, &&, !) plus 3. */
static bool
match_node(const struct selector *s, uint16_t i,
    const struct selector_labels *l)
{
	const struct sel_node *n = &s->nodes[i];
	const char *v;
	uint16_t c;

	switch (n->op) {
	case SEL_ALL:
	case SEL_GLOBAL:
		return true;
	case SEL_NOT:
		return !match_node(s, n->a, l);
	case SEL_AND:
		for (c = n->a; c != SEL_NONE; c = s->nodes[c].next)
			if (!match_node(s, c, l))
				return false;
		return true;
	case SEL_OR:
		for (c = n->a; c != SEL_NONE; c = s->nodes[c].next)
			if (match_node(s, c, l))
				return true;
		return false;
	default:
		break;
	}
	v = l->get(l->arg, str_of(s, n->a, NULL));
	if (v == NULL)	/* absent: only != and not in hold */
		return n->op == SEL_NE || n->op == SEL_NOT_IN;
	return n->op == SEL_HAS || match_value(s, n, v);
}

bool
selector_match(const struct selector *s, const struct selector_labels *l)
{
	return match_node(s, s->root, l);
}

const char *
selector_labels_kv(void *arg, const char *key)
{
	const struct selector_label *kv = arg;

	for (; kv->key != NULL; kv++)
		if (strcmp(kv->key, key) == 0)
			return kv->value;
	return NULL;
}

/* ---- canonical form (ast.go collectFragments) ---- */

struct out {
	char	*buf;
	size_t	 cap, len;	/* len counts what did not fit too */
};

static void
put(struct out *o, const char *s, size_t n)
{
	size_t room;

	if (o->len < o->cap) {
		room = o->cap - o->len;
		memcpy(o->buf + o->len, s, n < room ? n : room);
	}
	o->len += n;
}

static void
put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* appendLabelOpAndQuotedString: '...' only when the value holds a '"'. */
static void
put_quoted(struct out *o, const struct selector *s, uint16_t i)
{
	size_t len;
	const char *v = str_of(s, i, &len);
	const char *q = memchr(v, '"', len) != NULL ? "'" : "\"";

	put_str(o, q);
	put(o, v, len);
	put_str(o, q);
}

static const char *const op_words[] = {
	[SEL_EQ] = " == ", [SEL_NE] = " != ", [SEL_CONTAINS] = " contains ",
	[SEL_STARTS] = " starts with ", [SEL_ENDS] = " ends with ",
	[SEL_IN] = " in {", [SEL_NOT_IN] = " not in {",
};

static void
fmt_node(struct out *o, const struct selector *s, uint16_t i)
{
	const struct sel_node *n = &s->nodes[i];
	uint16_t c, k;

	switch (n->op) {
	case SEL_ALL:
		put_str(o, "all()");
		return;
	case SEL_GLOBAL:
		put_str(o, "global()");
		return;
	case SEL_HAS:
		put_str(o, "has(");
		put_str(o, str_of(s, n->a, NULL));
		put_str(o, ")");
		return;
	case SEL_NOT:
		put_str(o, "!");
		fmt_node(o, s, n->a);
		return;
	case SEL_AND:
	case SEL_OR:
		put_str(o, "(");
		for (c = n->a; c != SEL_NONE; c = s->nodes[c].next) {
			if (c != n->a)
				put_str(o, n->op == SEL_AND ? " && " : " || ");
			fmt_node(o, s, c);
		}
		put_str(o, ")");
		return;
	default:
		break;
	}
	put_str(o, str_of(s, n->a, NULL));
	put_str(o, op_words[n->op]);
	if (n->op != SEL_IN && n->op != SEL_NOT_IN) {
		put_quoted(o, s, n->b);
		return;
	}
	for (k = 0; k < n->n; k++) {
		if (k > 0)
			put_str(o, ", ");
		put_quoted(o, s, (uint16_t)(n->b + k));
	}
	put_str(o, "}");
}

size_t
selector_fmt(const struct selector *s, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };

	fmt_node(&o, s, s->root);
	if (len > 0)
		buf[o.len < len ? o.len : len - 1] = '\0';
	return o.len;
}
