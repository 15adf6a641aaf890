/*
 * ytree.c: libyaml events -> a bounded tree of struct ynode.
 *
 * Owns the file read (regular files only, at most max_bytes), the libyaml
 * parser and the tree it builds. The nesting stack is a fixed array of
 * max_depth frames, so hostile input cannot recurse or grow it; the node
 * count and scalar length are capped too. It must not interpret any value:
 * that is the schema walker's job.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yaml.h>

#include "defs.h"
#include "num.h"
#include "xmalloc.h"
#include "ytree.h"

struct frame {
	struct ynode	*node;
	struct ynode	*tail;
	char			*key;		/* map: key awaiting a value */
	unsigned long		 keyline;
};

struct loader {
	const char			*path;
	const struct ylimits	*lim;
	char				*err;
	size_t				 errlen;
	const char			*buf;
	size_t				 len;
	struct ynode		*root;
	struct frame			*stack;
	unsigned			 depth;
	size_t				 nnodes;
	unsigned			 ndocs;
};

static int lerr(struct loader *, unsigned long, const char *, ...)
    PRINTF_LIKE(3, 4);

static int
lerr(struct loader *l, unsigned long line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(l->err, l->errlen, "%s:%lu: %s", l->path, line, msg);
	for (char *s = l->err; s != NULL && *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
	return -1;
}

static int
read_fd(int fd, size_t max, char **out, size_t *outlen)
{
	size_t cap = 4096, len = 0;
	char *buf = xmalloc(cap);
	ssize_t n;

	for (;;) {
		if (len == cap) {
			if (cap > max)
				break;
			cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			buf = xreallocarray(buf, cap, 1);
		}
		n = read(fd, buf + len, cap - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			free(buf);
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*out = buf;
	*outlen = len;
	return 0;
}

static int
read_file(const char *path, size_t max, char **out, size_t *outlen,
    char *err, size_t errlen)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	if (read_fd(fd, max, out, outlen) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	if (*outlen > max) {
		snprintf(err, errlen, "%s: larger than %zu bytes", path, max);
		free(*out);
		return -1;
	}
	return 0;
}

void
ytree_free(struct ynode *n)
{
	struct ynode *next;

	/* depth is bounded by ylimits.max_depth, so is this recursion */
	for (; n != NULL; n = next) {
		next = n->next;
		ytree_free(n->child);
		free(n->str);
		free(n->key);
		free(n);
	}
}

bool
ynode_is_null(const struct ynode *n)
{
	if (n->type != Y_SCALAR || n->quoted)
		return false;
	return n->str[0] == '\0' || strcmp(n->str, "~") == 0 ||
	    strcmp(n->str, "null") == 0 || strcmp(n->str, "Null") == 0 ||
	    strcmp(n->str, "NULL") == 0;
}

static struct ynode *
new_node(struct loader *l, enum ytype type, unsigned long line)
{
	struct ynode *n;

	if (++l->nnodes > l->lim->max_nodes) {
		lerr(l, line, "more than %zu values", l->lim->max_nodes);
		return NULL;
	}
	n = xcalloc(1, sizeof(*n));
	n->type = type;
	n->line = line;
	return n;
}

/* Hand n to its parent (or make it the root); frees n on error. */
static int
attach(struct loader *l, struct ynode *n)
{
	struct frame *f;

	if (l->depth == 0) {
		l->root = n;
		return 0;
	}
	f = &l->stack[l->depth - 1];
	if (f->node->type == Y_MAP && f->key == NULL) {
		if (n->type != Y_SCALAR) {
			unsigned long line = n->line;

			ytree_free(n);
			return lerr(l, line, "a mapping key must be a scalar");
		}
		f->key = n->str;
		f->keyline = n->line;
		n->str = NULL;
		ytree_free(n);
		return 0;
	}
	if (f->node->type == Y_MAP) {
		n->key = f->key;
		n->keyline = f->keyline;
		f->key = NULL;
	}
	if (f->tail != NULL)
		f->tail->next = n;
	else
		f->node->child = n;
	f->tail = n;
	return 0;
}

static int
add_scalar(struct loader *l, const yaml_event_t *ev, unsigned long line)
{
	const char *v = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	struct ynode *n;

	if (len > l->lim->max_scalar)
		return lerr(l, line, "value longer than %zu bytes",
		    l->lim->max_scalar);
	if (memchr(v, '\0', len) != NULL)
		return lerr(l, line, "NUL byte in value");
	if ((n = new_node(l, Y_SCALAR, line)) == NULL)
		return -1;
	n->str = xmemdup(v, len + 1);
	n->str[len] = '\0';
	n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
	    ev->data.scalar.tag != NULL;
	return attach(l, n);
}

static int
push(struct loader *l, enum ytype type, unsigned long line)
{
	struct ynode *n;

	if (l->depth >= l->lim->max_depth)
		return lerr(l, line, "nested deeper than the schema allows");
	if ((n = new_node(l, type, line)) == NULL)
		return -1;
	if (attach(l, n) == -1)
		return -1;
	memset(&l->stack[l->depth], 0, sizeof(l->stack[0]));
	l->stack[l->depth++].node = n;
	return 0;
}

static int
handle_event(struct loader *l, const yaml_event_t *ev, bool *done)
{
	unsigned long line = (unsigned long)ev->start_mark.line + 1;

	switch (ev->type) {
	case YAML_STREAM_END_EVENT:
		*done = true;
		return 0;
	case YAML_DOCUMENT_START_EVENT:
		if (l->ndocs++ > 0)
			return lerr(l, line, "more than one YAML document");
		return 0;
	case YAML_ALIAS_EVENT:
		return lerr(l, line, "aliases are not supported");
	case YAML_SCALAR_EVENT:
		return add_scalar(l, ev, line);
	case YAML_SEQUENCE_START_EVENT:
		return push(l, Y_SEQ, line);
	case YAML_MAPPING_START_EVENT:
		return push(l, Y_MAP, line);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		if (l->depth > 0)
			l->depth--;
		return 0;
	default:
		return 0;
	}
}

static unsigned long
offset_line(const char *buf, size_t len, size_t off)
{
	unsigned long line = 1;

	for (size_t i = 0; i < off && i < len; i++)
		if (buf[i] == '\n')
			line++;
	return line;
}

static int
syntax_error(struct loader *l, const yaml_parser_t *p)
{
	unsigned long line;

	if (p->error == YAML_READER_ERROR)
		line = offset_line(l->buf, l->len, p->problem_offset);
	else
		line = (unsigned long)p->problem_mark.line + 1;
	return lerr(l, line, "YAML syntax error: %s%s%s",
	    p->problem != NULL ? p->problem : "unknown",
	    p->context != NULL ? " " : "",
	    p->context != NULL ? p->context : "");
}

static int
parse(struct loader *l)
{
	yaml_parser_t p;
	yaml_event_t ev;
	bool done = false;
	int rc = 0;

	if (!yaml_parser_initialize(&p))
		return lerr(l, 0, "cannot initialise the YAML parser");
	yaml_parser_set_input_string(&p, (const unsigned char *)l->buf,
	    l->len);
	while (!done && rc == 0) {
		if (!yaml_parser_parse(&p, &ev)) {
			rc = syntax_error(l, &p);
			break;
		}
		rc = handle_event(l, &ev, &done);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	return rc;
}

int
ytree_load(const char *path, const struct ylimits *lim,
    struct ynode **root, char *err, size_t errlen)
{
	struct loader l;
	char *buf;
	int rc;

	*root = NULL;
	memset(&l, 0, sizeof(l));
	l.path = path;
	l.lim = lim;
	l.err = err;
	l.errlen = errlen;
	if (read_file(path, lim->max_bytes, &buf, &l.len, err, errlen) == -1)
		return -1;
	l.buf = buf;
	l.stack = xcalloc(lim->max_depth + 1, sizeof(*l.stack));
	rc = parse(&l);
	for (unsigned i = 0; i < lim->max_depth; i++)
		free(l.stack[i].key);
	free(l.stack);
	free(buf);
	if (rc == -1) {
		ytree_free(l.root);
		return -1;
	}
	*root = l.root;
	return 0;
}

const char *
ytree_type_name(const struct ynode *n)
{
	switch (n->type) {
	case Y_SEQ:
		return "a sequence";
	case Y_MAP:
		return "a mapping";
	default:
		return n->quoted ? "a quoted string" : "a scalar";
	}
}

void
ytree_key_error(char *err, size_t errlen, const char *path, unsigned long line,
    const char *key, const char *fmt, va_list ap)
{
	char msg[256];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	snprintf(err, errlen, "%s:%lu: key %s: %s", path, line, key, msg);
	/* keys and values come from the file: keep the log line one line */
	for (char *s = err; s != NULL && *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

int
ycx_error(const struct ycx *x, unsigned long line, const char *key,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ytree_key_error(x->err, x->errlen, x->path, line, key, fmt, ap);
	va_end(ap);
	return -1;
}

int
ycx_scalar(const struct ycx *x, const struct ynode *n, const char *key,
    const char *what)
{
	if (n->type == Y_SCALAR)
		return 0;
	return ycx_error(x, n->line, key, "expected %s, got %s", what,
	    ytree_type_name(n));
}

int
ycx_as(const struct ycx *x, const struct ynode *n, const char *key,
    uint32_t *as)
{
	if (ycx_scalar(x, n, key, "an AS number") == -1)
		return -1;
	switch (n->quoted ? NUM_AS_SYNTAX : num_parse_as(n->str, as)) {
	case NUM_AS_OK:
		return 0;
	case NUM_AS_ASDOT:
		return ycx_error(x, n->line, key, "bad asdot AS \"%s\"",
		    n->str);
	case NUM_AS_RANGE:
		return ycx_error(x, n->line, key, "AS %s is out of range "
		    "(1..4294967295)", n->str);
	case NUM_AS_SYNTAX:
	default:
		return ycx_error(x, n->line, key, "expected an AS number, got "
		    "\"%.32s\"", n->str);
	}
}

int
ycx_bool(const struct ycx *x, const struct ynode *n, const char *key, bool *b)
{
	static const char *const yes[] = { "true", "True", "TRUE", "yes",
	    "Yes", "YES" };
	static const char *const no[] = { "false", "False", "FALSE", "no",
	    "No", "NO" };

	if (ycx_scalar(x, n, key, "true or false") == -1)
		return -1;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]) && !n->quoted;
	    i++) {
		if (strcmp(n->str, yes[i]) == 0 || strcmp(n->str, no[i]) == 0) {
			*b = strcmp(n->str, yes[i]) == 0;
			return 0;
		}
	}
	return ycx_error(x, n->line, key, "expected true or false, got "
	    "\"%.32s\"", n->str);
}

int
ycx_top_mapping(const struct ycx *x, const struct ynode *root)
{
	if (root->type == Y_MAP)
		return 0;
	snprintf(x->err, x->errlen, "%s:%lu: the top level must be a mapping, "
	    "not %s", x->path, root->line, ytree_type_name(root));
	return -1;
}
