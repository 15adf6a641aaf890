/*
 * json.c: the thin json-c wrapper of datastore/ (json.h).
 *
 * Owns the bounded use of json-c's tokener: strict parsing, a depth limit
 * per tokener, a size limit per object (checked before bytes are fed, so a
 * peer cannot make the tokener grow without bound), objects only at the
 * top, and typed lookups by dotted path. It knows no etcd or Calico key
 * and must not log: callers log once, with the key, at their level.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <string.h>

#include <json-c/json.h>

#include "json.h"
#include "log.h"
#include "num.h"

static struct json_tokener *
tokener_new(int depth, bool stream)
{
	struct json_tokener *tok = json_tokener_new_ex(depth);

	if (tok == NULL)
		fatalx("json_tokener_new_ex");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    (stream ? JSON_TOKENER_ALLOW_TRAILING_CHARS : 0));
	return tok;
}

static bool
all_space(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!isspace((unsigned char)s[i]))
			return false;
	return true;
}

static struct json_object *
parse_one(const char *s, size_t len, int depth, enum json_type want,
    const char **why)
{
	struct json_tokener *tok;
	struct json_object *o;
	size_t end;

	*why = NULL;
	if (len > INT_MAX) {
		*why = "too long";
		return NULL;
	}
	tok = tokener_new(depth, true);
	o = json_tokener_parse_ex(tok, s, (int)len);
	end = json_tokener_get_parse_end(tok);
	if (o == NULL) {
		enum json_tokener_error e = json_tokener_get_error(tok);

		*why = e == json_tokener_continue ? "truncated" :
		    json_tokener_error_desc(e);
	} else if (json_object_get_type(o) != want) {
		*why = want == json_type_object ? "not a JSON object" :
		    "not a JSON array";
	} else if (end > len || !all_space(s + end, len - end)) {
		*why = "data after the JSON object";
	}
	json_tokener_free(tok);
	if (*why != NULL) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

struct json_object *
ds_json_parse(const char *s, size_t len, int depth, const char **why)
{
	return parse_one(s, len, depth, json_type_object, why);
}

struct json_object *
ds_json_parse_array(const char *s, size_t len, int depth, const char **why)
{
	return parse_one(s, len, depth, json_type_array, why);
}

void
ds_json_free(struct json_object *o)
{
	if (o != NULL)
		json_object_put(o);
}

struct json_object *
ds_json_get(const struct json_object *o, const char *path)
{
	char part[DS_JSON_PATH_MAX];
	struct json_object *cur = (struct json_object *)o, *next;
	const char *s = path, *dot;
	size_t n;

	while (cur != NULL && *s != '\0') {
		dot = strchr(s, '.');
		n = dot != NULL ? (size_t)(dot - s) : strlen(s);
		if (n >= sizeof(part) ||
		    json_object_get_type(cur) != json_type_object)
			return NULL;
		memcpy(part, s, n);
		part[n] = '\0';
		if (!json_object_object_get_ex(cur, part, &next))
			return NULL;
		cur = next;
		s += n + (dot != NULL);
	}
	return cur;
}

struct json_object *
ds_json_member(const struct json_object *o, const char *name)
{
	struct json_object *v;

	if (o == NULL || json_object_get_type(o) != json_type_object ||
	    !json_object_object_get_ex(o, name, &v))
		return NULL;
	return v;
}

int
ds_json_string(const struct json_object *o, const char *path,
    const char **out)
{
	struct json_object *v = ds_json_get(o, path);
	int len;

	*out = NULL;
	if (v == NULL || json_object_get_type(v) == json_type_null)
		return 0;
	if (json_object_get_type(v) != json_type_string)
		return -1;
	len = json_object_get_string_len(v);
	if (len < 0 || memchr(json_object_get_string(v), '\0',
	    (size_t)len) != NULL)
		return -1;
	*out = json_object_get_string(v);
	return 0;
}

int
ds_json_bool(const struct json_object *o, const char *path, bool dflt,
    bool *out)
{
	struct json_object *v = ds_json_get(o, path);

	*out = dflt;
	if (v == NULL || json_object_get_type(v) == json_type_null)
		return 0;
	if (json_object_get_type(v) != json_type_boolean)
		return -1;
	*out = json_object_get_boolean(v) != 0;
	return 0;
}

int
ds_json_int64(const struct json_object *o, const char *path, int64_t dflt,
    int64_t *out)
{
	struct json_object *v = ds_json_get(o, path);
	const char *s;
	uint64_t u;

	*out = dflt;
	if (v == NULL || json_object_get_type(v) == json_type_null)
		return 0;
	if (json_object_get_type(v) == json_type_int) {
		errno = 0;
		*out = json_object_get_int64(v);
		return errno == 0 ? 0 : -1;
	}
	if (ds_json_string(o, path, &s) == -1 || s == NULL ||
	    num_parse_u64(s, &u) == -1 || u > INT64_MAX)
		return -1;
	*out = (int64_t)u;
	return 0;
}

int
ds_json_int_range(const struct json_object *o, const char *path, int64_t min,
    int64_t max, int64_t *out)
{
	struct json_object *v = ds_json_get(o, path);
	int64_t x;

	if (v == NULL || json_object_get_type(v) == json_type_null)
		return 0;
	if (json_object_get_type(v) != json_type_int)
		return -1;
	errno = 0;
	x = json_object_get_int64(v);
	if (errno != 0 || x < min || x > max)
		return -1;
	*out = x;
	return 1;
}

bool
ds_json_is_object(const struct json_object *o)
{
	return o != NULL && json_object_get_type(o) == json_type_object;
}

bool
ds_json_is_array(const struct json_object *o)
{
	return o != NULL && json_object_get_type(o) == json_type_array;
}

bool
ds_json_is_null(const struct json_object *o)
{
	return o == NULL || json_object_get_type(o) == json_type_null;
}

int
ds_json_each(const struct json_object *o,
    int (*cb)(void *, const char *, const struct json_object *), void *arg)
{
	if (!ds_json_is_object(o))
		return 0;
	json_object_object_foreach((struct json_object *)o, k, v) {
		if (cb(arg, k, v) == -1)
			return -1;
	}
	return 0;
}

const char *
ds_json_str(const struct json_object *co)
{
	struct json_object *o = (struct json_object *)co;	/* json-c */
	int len;

	if (o == NULL || json_object_get_type(o) != json_type_string)
		return NULL;
	len = json_object_get_string_len(o);
	if (len < 0 || memchr(json_object_get_string(o), '\0',
	    (size_t)len) != NULL)
		return NULL;
	return json_object_get_string(o);
}

size_t
ds_json_array_len(const struct json_object *o)
{
	if (o == NULL || json_object_get_type(o) != json_type_array)
		return 0;
	return json_object_array_length(o);
}

struct json_object *
ds_json_array_at(const struct json_object *o, size_t i)
{
	if (i >= ds_json_array_len(o))
		return NULL;
	return json_object_array_get_idx(o, i);
}

void
ds_json_stream_init(struct ds_json_stream *st, int depth, size_t max)
{
	st->tok = tokener_new(depth, true);
	st->inobj = 0;
	st->max = max;
}

void
ds_json_stream_reset(struct ds_json_stream *st)
{
	if (st->tok != NULL)
		json_tokener_reset(st->tok);
	st->inobj = 0;
}

void
ds_json_stream_fini(struct ds_json_stream *st)
{
	if (st->tok != NULL)
		json_tokener_free(st->tok);
	st->tok = NULL;
	st->inobj = 0;
}

/* Hand one finished object to cb; the object is freed afterwards. */
static int
stream_emit(struct ds_json_stream *st, struct json_object *o,
    int (*cb)(void *, struct json_object *), void *arg, const char **why)
{
	int rc;

	json_tokener_reset(st->tok);
	st->inobj = 0;
	if (json_object_get_type(o) != json_type_object) {
		json_object_put(o);
		*why = "not a JSON object";
		return -1;
	}
	rc = cb(arg, o);
	json_object_put(o);
	if (rc == -1)
		*why = "rejected";
	return rc;
}

int
ds_json_stream_feed(struct ds_json_stream *st, const char *p, size_t n,
    int (*cb)(void *, struct json_object *), void *arg, const char **why)
{
	struct json_object *o;
	size_t take, used;

	*why = NULL;
	while (n > 0) {
		if (st->inobj == 0 && isspace((unsigned char)*p)) {
			p++;
			n--;
			continue;
		}
		/* never feed more than the object may still grow */
		take = n < st->max - st->inobj ? n : st->max - st->inobj;
		if (take == 0 || take > INT_MAX) {
			*why = "object too big";
			return -1;
		}
		o = json_tokener_parse_ex(st->tok, p, (int)take);
		if (o == NULL) {
			if (json_tokener_get_error(st->tok) !=
			    json_tokener_continue) {
				*why = json_tokener_error_desc(
				    json_tokener_get_error(st->tok));
				return -1;
			}
			st->inobj += take;
			p += take;
			n -= take;
			continue;
		}
		used = json_tokener_get_parse_end(st->tok);
		if (used > take)
			used = take;
		p += used;
		n -= used;
		if (stream_emit(st, o, cb, arg, why) == -1)
			return -1;
	}
	return 0;
}
