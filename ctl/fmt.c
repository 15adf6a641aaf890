/*
 * fmt.c: the BIRD 1.6 text layouts that Calico's tools parse
 * (reference/birdc-protocol.md 3, calico-compat.md 4): the show protocols
 * row and its BGP info column, and BIRD's time formats. Pure functions of
 * their arguments; they never touch a client or the clock.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ctl.h"

/* BIRD 1.6 conf.c: timeformat protocol {"%T", "%F", 20 h} (local time) */
#define SINCE_LIMIT	(20 * 3600)

const char *
ctl_fmt_since(char *buf, size_t len, time_t t, time_t now)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL) {
		snprintf(buf, len, "?");
		return buf;
	}
	if (now - t < SINCE_LIMIT)
		strftime(buf, len, "%H:%M:%S", &tm);
	else
		strftime(buf, len, "%Y-%m-%d", &tm);
	return buf;
}

/* BIRD 1.6 timeformat base "%F %T" */
const char *
ctl_fmt_datetime(char *buf, size_t len, time_t t)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL)
		snprintf(buf, len, "?");
	else
		strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	return buf;
}

/* BIRD 1.6 nest/proto.c proto_cmd_show: fields padded, never truncated */
const char *
ctl_fmt_proto_row(char *buf, size_t len, const char *name, const char *proto,
    const char *table, const char *state, const char *since, const char *info)
{
	snprintf(buf, len, "%-8s %-8s %-8s %-5s  %-10s  %s", name, proto,
	    table, state, since, info);
	return buf;
}

/*
 * BIRD proto/bgp/bgp.c bgp_get_status: "%-14s%s%s" of the state word, the
 * error class and the error text; the stored error already carries its
 * class ("Socket: ", "Received: ", "BGP Error: ", "Error: ").
 */
const char *
ctl_fmt_bgp_info(char *buf, size_t len, const char *word, const char *error)
{
	snprintf(buf, len, "%-14s%s", word, error != NULL ? error : "");
	return buf;
}

/* RFC 3339 5.6 date-time in UTC ("Z"), what JSON replies carry */
const char *
ctl_fmt_rfc3339(char *buf, size_t len, time_t t)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL)
		snprintf(buf, len, "?");
	else
		strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

/*
 * Calico's BIRD 1.x ran bird6 on bird6.ctl beside bird's bird.ctl; any
 * other name gets a "6" at its end (h1.ctl -> h1.ctl6): NAME6.ctl would be
 * another host's socket where sockets are numbered (h1 -> h16.ctl, which
 * is h16's; bench/mesh.sh) (conf.h control.socket6).
 */
int
ctl_socket6_path(const char *path, char *buf, size_t len)
{
	size_t n = strlen(path);
	int r;

	if ((n == 8 || (n > 8 && path[n - 9] == '/')) &&
	    strcmp(path + n - 8, "bird.ctl") == 0)
		r = snprintf(buf, len, "%.*sbird6.ctl", (int)(n - 8), path);
	else
		r = snprintf(buf, len, "%s6", path);
	return r < 0 || (size_t)r >= len ? -1 : 0;
}
