/*
 * ytree.h: a bounded YAML document tree, shared by conf/ and datastore/.
 *
 * ytree_load() reads one file of at most max_bytes with libyaml's event
 * parser into a tree of scalars, sequences and mappings, each with its line.
 * It refuses what the schema walkers never need and an attacker could abuse:
 * aliases, more than one document, non-scalar keys, nesting deeper than
 * max_depth, more than max_nodes nodes, scalars longer than max_scalar or
 * containing NUL. It knows no schema: conf.c and datastore/clusterfile.c
 * walk the tree.
 */
#ifndef TERN_YTREE_H
#define TERN_YTREE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "defs.h"

enum ytype {
	Y_SCALAR,
	Y_SEQ,
	Y_MAP,
};

/* Owned by its parent (the root by the caller); freed by ytree_free. */
struct ynode {
	enum ytype		 type;
	unsigned long		 line;		/* 1-based */
	char			*str;		/* scalar value */
	bool			 quoted;	/* not plain, or tagged */
	char			*key;		/* set on the values of a map */
	unsigned long		 keyline;
	struct ynode	*child;		/* seq items or map values */
	struct ynode	*next;
};

struct ylimits {
	size_t		max_bytes;
	unsigned	max_depth;	/* collections nested in collections */
	size_t		max_nodes;
	size_t		max_scalar;
};

/*
 * Load path into *root (NULL for a file with no document or only comments).
 * On error returns -1 with "path:line: why" (or "path: why") in err.
 */
int	 ytree_load(const char *path, const struct ylimits *,
	    struct ynode **root, char *err, size_t errlen);
void	 ytree_free(struct ynode *);
/* A plain scalar "", "~" or "null": an empty value. */
bool	 ynode_is_null(const struct ynode *);

/* "a sequence", "a mapping", "a scalar": for error messages. */
const char *ytree_type_name(const struct ynode *);

/* "FILE:LINE: key KEY: message" into err, control characters made '?'. */
void	ytree_key_error(char *err, size_t errlen, const char *path,
	    unsigned long line, const char *key, const char *fmt, va_list ap)
	    PRINTF_LIKE(6, 0);

/*
 * One parse's error sink, shared by the config and the cluster file: each
 * function below returns 0, or -1 with "FILE:LINE: key KEY: why" in err.
 */
struct ycx {
	const char	*path;
	char		*err;
	size_t		 errlen;
};

int	ycx_error(const struct ycx *, unsigned long line, const char *key,
	    const char *fmt, ...) PRINTF_LIKE(4, 5);	/* always -1 */
/* n is a scalar, else "expected WHAT, got a mapping". */
int	ycx_scalar(const struct ycx *, const struct ynode *n, const char *key,
	    const char *what);
/* An unquoted asplain or asdot (RFC 5396) AS, 1..4294967295. */
int	ycx_as(const struct ycx *, const struct ynode *n, const char *key,
	    uint32_t *as);
/* An unquoted YAML 1.1 boolean: true/false, yes/no (three cases each). */
int	ycx_bool(const struct ycx *, const struct ynode *n, const char *key,
	    bool *b);
/* root is a mapping, else "FILE:LINE: the top level must be a mapping". */
int	ycx_top_mapping(const struct ycx *, const struct ynode *root);

#endif
