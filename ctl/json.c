/*
 * json.c: JSON replies for "json <show command>" (ctl.h CTL_F_JSON), the
 * form ternctl -o json asks for. The document is written as it is built
 * into a small buffer that goes out as CTL_JSON_CODE reply lines; the
 * client concatenates their texts. Nothing is kept between documents but
 * the nesting state in struct ctl_json, so a reply produced in pieces
 * (CTL_MORE) keeps its ctl_json between pieces and flushes at the end of
 * each.
 *
 * Strings are escaped here and only here (RFC 8259 7): '"', '\\' and every
 * control character (C0 and DEL) are escaped; a byte that does not start a
 * well-formed UTF-8 sequence (RFC 3629 4: no overlongs, no surrogates,
 * nothing above U+10FFFF) becomes \ufffd. Names and texts that come from
 * peers, the datastore or the kernel can therefore never break the
 * document.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ctl.h"

void
ctl_json_init(struct ctl_json *j, struct ctl_client *c)
{
	memset(j, 0, sizeof(*j));
	j->c = c;
}

void
ctl_json_flush(struct ctl_json *j)
{
	if (j->len == 0)
		return;
	j->buf[j->len] = '\0';
	ctl_printf(j->c, CTL_JSON_CODE, "%s", j->buf);
	j->len = 0;
}

static void
put(struct ctl_json *j, const char *s, size_t n)
{
	while (n > 0) {
		size_t room = CTL_JSON_CHUNK - j->len, k = n < room ? n : room;

		memcpy(j->buf + j->len, s, k);
		j->len += k;
		s += k;
		n -= k;
		if (j->len == CTL_JSON_CHUNK)
			ctl_json_flush(j);
	}
}

static void
puts_(struct ctl_json *j, const char *s)
{
	put(j, s, strlen(s));
}

/* The length of the well-formed UTF-8 sequence at s (n bytes), else 0. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1fu;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0fu;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07u;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3fu);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/*
 * One piece of escaped output for the sequence at s: its bytes in out
 * (at most 7 and a NUL), how many input bytes it took in *used.
 */
static size_t
escape_one(const unsigned char *s, size_t n, char *out, size_t *used)
{
	size_t l;

	if (*s == '"' || *s == '\\') {
		out[0] = '\\';
		out[1] = (char)*s;
		*used = 1;
		return 2;
	}
	if (*s < 0x20 || *s == 0x7f) {
		*used = 1;
		return (size_t)snprintf(out, 8, "\\u%04x", *s);
	}
	if ((l = utf8_len(s, n)) == 0) {
		*used = 1;
		memcpy(out, "\\ufffd", 6);
		return 6;
	}
	memcpy(out, s, l);
	*used = l;
	return l;
}

size_t
ctl_json_escape(char *out, size_t len, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	char piece[8];
	size_t o = 0, used, k;

	while (n > 0) {
		k = escape_one(s, n, piece, &used);
		if (o + k + 1 > len)
			break;
		memcpy(out + o, piece, k);
		o += k;
		s += used;
		n -= used;
	}
	if (len > 0)
		out[o] = '\0';
	return o;
}

static void
put_string(struct ctl_json *j, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	char piece[8];
	size_t used, k;

	put(j, "\"", 1);
	while (n > 0) {
		k = escape_one(s, n, piece, &used);
		put(j, piece, k);
		s += used;
		n -= used;
	}
	put(j, "\"", 1);
}

/* The comma and the key before a value. */
static void
member(struct ctl_json *j, const char *key)
{
	unsigned d = j->depth > 0 ? j->depth - 1 : 0;

	if (j->depth > 0) {
		if (j->more[d])
			put(j, ",", 1);
		j->more[d] = true;
	}
	if (key != NULL) {
		put_string(j, key, strlen(key));
		put(j, ":", 1);
	}
}

static void
open_(struct ctl_json *j, const char *key, const char *brace)
{
	if (j->depth == CTL_JSON_DEPTH)
		return;
	member(j, key);
	puts_(j, brace);
	j->more[j->depth++] = false;
}

static void
close_(struct ctl_json *j, const char *brace)
{
	if (j->depth == 0)
		return;
	j->depth--;
	puts_(j, brace);
}

void
ctl_json_open(struct ctl_json *j, const char *key)
{
	open_(j, key, "{");
}

void
ctl_json_close(struct ctl_json *j)
{
	close_(j, "}");
}

void
ctl_json_array(struct ctl_json *j, const char *key)
{
	open_(j, key, "[");
}

void
ctl_json_end(struct ctl_json *j)
{
	close_(j, "]");
}

void
ctl_json_strn(struct ctl_json *j, const char *key, const char *s, size_t n)
{
	member(j, key);
	put_string(j, s, n);
}

void
ctl_json_str(struct ctl_json *j, const char *key, const char *s)
{
	if (s == NULL) {
		ctl_json_null(j, key);
		return;
	}
	ctl_json_strn(j, key, s, strlen(s));
}

void
ctl_json_uint(struct ctl_json *j, const char *key, uint64_t v)
{
	char b[24];

	member(j, key);
	snprintf(b, sizeof(b), "%" PRIu64, v);
	puts_(j, b);
}

void
ctl_json_int(struct ctl_json *j, const char *key, int64_t v)
{
	char b[24];

	member(j, key);
	snprintf(b, sizeof(b), "%" PRId64, v);
	puts_(j, b);
}

void
ctl_json_bool(struct ctl_json *j, const char *key, bool v)
{
	member(j, key);
	puts_(j, v ? "true" : "false");
}

void
ctl_json_null(struct ctl_json *j, const char *key)
{
	member(j, key);
	puts_(j, "null");
}

void
ctl_json_time(struct ctl_json *j, const char *key, time_t t)
{
	char b[32];

	if (t == 0) {
		ctl_json_null(j, key);
		return;
	}
	ctl_json_str(j, key, ctl_fmt_rfc3339(b, sizeof(b), t));
}
