/*
 * selector.h: Calico's label selector language (BGPPeer nodeSelector and
 * peerSelector, IPPool nodeSelector, ...), parsed once into a compact tree
 * and matched against a node's labels without allocating.
 *
 * The language is exactly libcalico-go's (lib/selector/tokenizer and
 * parser, calico 87c15906, 2026-08-22); selector.c says what is ours.
 *
 *	selector  = [ or ]                     empty or blank: all()
 *	or        = and { "||" and }           lowest precedence
 *	and       = op { "&&" op }
 *	op        = { "!" } ( "(" or ")" | "all()" | "global()" | "has(" label ")"
 *	            | label ( "==" | "!=" | "contains" | "starts with"
 *	                    | "ends with" ) string
 *	            | label ( "in" | "not in" ) "{" [ string { "," string } [ "," ] ] "}" )
 *	label     = 1..512 of [A-Za-z0-9_./-]     (not checked against the
 *	                                         Kubernetes label syntax)
 *	string    = '"' { any byte but '"' } '"' | "'" { any byte but "'" } "'"
 *
 * Blanks are spaces and tabs only, anywhere between tokens; "starts with",
 * "ends with", "not in" may also be written "startswith", "endswith",
 * "notin". Operators after a label are words: "a inx" is an error. A run of
 * "!" negates the operation after it by its parity ("!!has(a)" is has(a)).
 *
 * Semantics (Calico's Evaluate): ==, contains, starts with, ends with, in
 * and has() need the label present; != and "not in" are true when it is
 * absent; all() and global() are always true (Calico's GlobalNode: its
 * "non-namespaced only" meaning is applied by Calico's policy code, never
 * by a BGP peer's node or peer selector, which confd evaluates plainly).
 *
 * Bounds (every selector is hostile: it comes from etcd or a cluster
 * file): SELECTOR_MAX_LEN bytes of text, SELECTOR_MAX_DEPTH nested
 * parentheses, SELECTOR_MAX_NODES terms and operators, SELECTOR_MAX_SET
 * values in one set, labels of SELECTOR_MAX_LABEL bytes (Calico's own
 * MaxLabelLength). Recursion in parse, match and fmt is bounded by them.
 *
 * Ownership: selector_parse returns one heap object that shares nothing with
 * the text; selector_free frees it (NULL is a no-op). A selector is never
 * changed after parse, so several threads may match it at once.
 */
#ifndef TERN_SELECTOR_H
#define TERN_SELECTOR_H

#include <stdbool.h>
#include <stddef.h>

#define SELECTOR_MAX_LEN	4096	/* bytes of text, NUL excluded */
#define SELECTOR_MAX_DEPTH	64	/* nested parentheses */
#define SELECTOR_MAX_NODES	512	/* terms, !, && and || nodes */
#define SELECTOR_MAX_SET	256	/* values written in one { } */
#define SELECTOR_MAX_LABEL	512	/* tokenizer.MaxLabelLength */
#define SELECTOR_ERRLEN		128	/* room for any parse error */

struct selector;

/*
 * The labels a selector is matched against: get returns the value of key
 * (a NUL-terminated string, "" for a label with an empty value) or NULL
 * when the label is absent. It is called only during selector_match.
 */
struct selector_labels {
	const char	*(*get)(void *arg, const char *key);
	void		*arg;
};

/* One label; an array of them ends with a NULL key (selector_labels_kv). */
struct selector_label {
	const char	*key;
	const char	*value;
};

/*
 * Parse text (not NULL, NUL-terminated; a text longer than
 * SELECTOR_MAX_LEN is refused after reading SELECTOR_MAX_LEN + 1 bytes).
 * On error returns NULL and writes one line to err (when errlen > 0;
 * SELECTOR_ERRLEN holds any): "column N: expected X, found Y" or
 * "column N: <what>", N counting bytes from 1. The line quotes no part of
 * the text but a printable character, so it is safe to log.
 */
struct selector	*selector_parse(const char *text, char *err, size_t errlen);
void		 selector_free(struct selector *);

/* Calico's Evaluate; allocates nothing. */
bool		 selector_match(const struct selector *,
		    const struct selector_labels *);

/* get for an array of struct selector_label ending with a NULL key. */
const char	*selector_labels_kv(void *arg, const char *key);

/*
 * The canonical form, as Calico's Selector.String(): "" is "all()", && and
 * || groups in parentheses, sets sorted and without duplicates, values in
 * "..." unless they hold a '"'. snprintf-like: writes at most len bytes
 * with a NUL (when len > 0) and returns the length of the whole form,
 * which is below SELECTOR_FMT_MAX. Labels are [A-Za-z0-9_./-] but values
 * are printed as written (Calico has no escapes): any byte but their quote,
 * control characters included.
 */
#define SELECTOR_FMT_MAX	(3 * SELECTOR_MAX_LEN + 16)
size_t		 selector_fmt(const struct selector *, char *buf, size_t len);

#endif
