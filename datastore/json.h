/*
 * json.h (internal to datastore/): the thin json-c wrapper.
 *
 * Every JSON text datastore/ reads comes from etcd and is untrusted: each
 * parse is bounded in depth (json-c's tokener limit) and in size (the
 * caller's bound on one text), and accepts only an object at the top.
 * Lookups take a dotted path ("spec.bgp.asNumber") and distinguish
 * "absent" (0, default kept) from "present with the wrong type" (-1).
 * Objects returned by the parsers belong to the caller (ds_json_free);
 * strings returned by the getters live as long as their object.
 */
#ifndef TERN_DS_JSON_H
#define TERN_DS_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_object;
struct json_tokener;

#define DS_JSON_DEPTH_VALUE	16	/* a Calico resource or value */
#define DS_JSON_DEPTH_ENVELOPE	64	/* etcd responses (v2 list trees) */
#define DS_JSON_PATH_MAX	128

/* One JSON object, all of s[0..len) (trailing white space allowed). */
struct json_object *ds_json_parse(const char *s, size_t len, int depth,
		    const char **why);
/* The same for one JSON array (the v1 prefix_advertisements values). */
struct json_object *ds_json_parse_array(const char *s, size_t len,
		    int depth, const char **why);
void		 ds_json_free(struct json_object *);

/* The member at a dotted path, or NULL when any step is absent. */
struct json_object *ds_json_get(const struct json_object *, const char *path);
/* The member called name (dots and all: an annotation), or NULL. */
struct json_object *ds_json_member(const struct json_object *,
		    const char *name);
/* A string without NUL bytes; *out NULL when absent ("": o itself). */
int		 ds_json_string(const struct json_object *, const char *path,
		    const char **out);
/* true/false; *out = dflt when absent. */
int		 ds_json_bool(const struct json_object *, const char *path,
		    bool dflt, bool *out);
/* An integer, or a decimal string (etcd's int64 fields); dflt if absent. */
int		 ds_json_int64(const struct json_object *, const char *path,
		    int64_t dflt, int64_t *out);
/*
 * A JSON integer (no string, fraction or exponent: Go's json into an int
 * type) in [min, max]: 1 with *out when present, 0 when absent or null,
 * -1 for anything else.
 */
int		 ds_json_int_range(const struct json_object *, const char *path,
		    int64_t min, int64_t max, int64_t *out);
bool		 ds_json_is_object(const struct json_object *);
bool		 ds_json_is_array(const struct json_object *);
/* o is absent or JSON null */
bool		 ds_json_is_null(const struct json_object *);
/* o's members in order, until cb returns -1 (then -1); 0 if no object. */
int		 ds_json_each(const struct json_object *,
		    int (*cb)(void *arg, const char *key,
		    const struct json_object *val), void *arg);
/* o itself as a string without NUL bytes, else NULL. */
const char	*ds_json_str(const struct json_object *);
size_t		 ds_json_array_len(const struct json_object *);
struct json_object *ds_json_array_at(const struct json_object *, size_t);

/*
 * A stream of JSON objects (etcd v3's watch response): fed in pieces cut
 * anywhere, it hands each complete object to the callback. One object may
 * take at most max bytes; white space between objects is skipped.
 */
struct ds_json_stream {
	struct json_tokener	*tok;
	size_t			 inobj;	/* bytes of the unfinished object */
	size_t			 max;
};

void	ds_json_stream_init(struct ds_json_stream *, int depth, size_t max);
void	ds_json_stream_reset(struct ds_json_stream *);
void	ds_json_stream_fini(struct ds_json_stream *);
/* -1: malformed, too big, not an object, or the callback returned -1. */
int	ds_json_stream_feed(struct ds_json_stream *, const char *, size_t,
	    int (*cb)(void *, struct json_object *), void *arg,
	    const char **why);

#endif
