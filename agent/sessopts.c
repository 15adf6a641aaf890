/*
 * sessopts.c: issue 15's session options into bgpd's conf, and the TCP
 * MD5 keys read from files with their watcher (sessopts.h).
 *
 * Owns struct secrets: its inotify fd, its event, its settle timer, the
 * table of watched directories and the rate limit of its lines. Reads a
 * key file with one bounded read; never logs a key.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "sessopts.h"
#include "timer.h"
#include "xmalloc.h"

void
sessopts_translate(const struct ds_peer_opts *o, struct bgpd_peer_conf *c)
{
	c->local_as = o->local_as;
	/* bgpd's allowance is a count of our AS in a path: anything above
	 * a path's length allows all the same (the datastore bounds it at
	 * 2^31 - 1) */
	c->allow_local_as = o->num_allow_local_as;
	/* keepaliveTime: BIRD's "keepalive time", the hold time stays */
	c->keepalive_time = o->keepalive_time > 0 && o->keepalive_time <= 65535 ?
	    (uint16_t)o->keepalive_time : 0;
	c->ttl_security = o->ttl_security;
	c->src_any = o->source_addr == DS_SRC_NONE;
}

const char *
secrets_path(const struct conf *conf, const char *name, const char *key,
    char *buf, size_t len, char *why, size_t whylen)
{
	int n;

	for (size_t i = 0; i < conf->secrets.nfiles; i++) {
		const struct conf_secret *s = &conf->secrets.files[i];

		if (strcmp(s->name, name) == 0 && strcmp(s->key, key) == 0) {
			snprintf(buf, len, "%s", s->path);
			return buf;
		}
	}
	/* the datastore checked neither: a name or key that could leave
	 * the directory is no secret of it */
	if (conf->secrets.dir[0] == '\0' || strchr(name, '/') != NULL ||
	    strchr(key, '/') != NULL || name[0] == '.' || key[0] == '\0' ||
	    name[0] == '\0' || strcmp(key, ".") == 0 || strcmp(key, "..") == 0) {
		snprintf(why, whylen, "no file for it in ternd.yaml "
		    "(secrets.files, secrets.dir)");
		return NULL;
	}
	n = snprintf(buf, len, "%s/%s/%s", conf->secrets.dir, name, key);
	if (n < 0 || (size_t)n >= len) {
		snprintf(why, whylen, "its path is too long");
		return NULL;
	}
	return buf;
}

int
secrets_read(const char *path, char *out, char *why, size_t whylen)
{
	char buf[BGPD_PASSWORD_MAX + 2];
	ssize_t n;
	size_t len;
	int fd;

	out[0] = '\0';
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) ==
	    -1) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* one more byte than a key may have, and a newline: too long is
	 * seen without reading a huge file */
	n = read(fd, buf, sizeof(buf));
	if (n == -1)
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
	close(fd);
	if (n == -1)
		return -1;
	len = (size_t)n;
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	if (len == 0) {
		snprintf(why, whylen, "%s: empty", path);
		return -1;
	}
	if (len > BGPD_PASSWORD_MAX || (size_t)n == sizeof(buf)) {
		snprintf(why, whylen, "%s: longer than %d bytes", path,
		    BGPD_PASSWORD_MAX);
		return -1;
	}
	if (memchr(buf, '\0', len) != NULL) {
		snprintf(why, whylen, "%s: NUL byte in the key", path);
		return -1;
	}
	memcpy(out, buf, len);
	out[len] = '\0';
	return 0;
}

/* ---- the watcher ---- */

struct secrets {
	struct event_base	*base;
	void			(*changed)(void *);
	void			*arg;
	int			 fd;		/* inotify; -1: none */
	struct event		*ev;
	struct event		*ev_settle;
	int			 wd[SECRETS_WATCH_MAX];
	size_t			 nwd;
	bool			 full_said;
	struct log_ratelimit	 rl;
};

#define SECRETS_READS_MAX	16	/* reads of the inotify fd a wakeup */

static void
settle_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct secrets *s = arg;

	(void)fd;
	(void)ev;
	log_debug("secrets: a watched directory changed: keys read again");
	s->changed(s->arg);
}

/*
 * What happened is not looked at: any change in a watched directory (a
 * file written or replaced, Kubernetes' ..data symlink swapped) reads
 * every key in use again once it settles; bgpd restarts only the sessions
 * whose key changed.
 */
static void
inotify_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct secrets *s = arg;
	char buf[4096] __attribute__((aligned(8)));
	ssize_t n;

	(void)ev;
	for (int i = 0; i < SECRETS_READS_MAX; i++) {
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			break;
	}
	if (!evtimer_pending(s->ev_settle, NULL))
		timer_arm_ms(s->ev_settle, SECRETS_SETTLE_MS);
}

struct secrets *
secrets_new(struct event_base *base, void (*changed)(void *), void *arg)
{
	struct secrets *s = xcalloc(1, sizeof(*s));

	s->base = base;
	s->changed = changed;
	s->arg = arg;
	log_ratelimit_init(&s->rl, LOG_LVL_WARNING, 60 * 1000, 20,
	    "sessions without their TCP MD5 key");
	log_ratelimit_start(&s->rl, base);
	s->ev_settle = evtimer_new(base, settle_cb, s);
	s->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (s->fd == -1) {
		log_warn("secrets: inotify (a changed key is read on SIGHUP "
		    "only)");
		return s;
	}
	s->ev = event_new(base, s->fd, EV_READ | EV_PERSIST, inotify_cb, s);
	event_add(s->ev, NULL);
	return s;
}

void
secrets_free(struct secrets *s)
{
	if (s == NULL)
		return;
	log_ratelimit_fini(&s->rl);
	if (s->ev != NULL)
		event_free(s->ev);
	if (s->ev_settle != NULL)
		event_free(s->ev_settle);
	if (s->fd != -1)
		close(s->fd);
	free(s);
}

/* Watch dir (its entries written, created, moved, removed). */
static int
watch_dir(struct secrets *s, const char *dir)
{
	int wd;

	wd = inotify_add_watch(s->fd, dir, IN_CLOSE_WRITE | IN_CREATE |
	    IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_ATTRIB |
	    IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR);
	if (wd == -1)
		return -1;
	for (size_t i = 0; i < s->nwd; i++)
		if (s->wd[i] == wd)
			return 0;	/* the same directory */
	if (s->nwd == SECRETS_WATCH_MAX) {
		(void)inotify_rm_watch(s->fd, wd);
		if (!s->full_said && (s->full_said = true))
			log_warnx("secrets: more than %d directories of key "
			    "files: a change in %s is read on SIGHUP only",
			    SECRETS_WATCH_MAX, dir);
		return 0;
	}
	s->wd[s->nwd++] = wd;
	return 0;
}

/*
 * Watch path's directory, or while it is missing (a secret volume not
 * mounted yet) the directory above it, so that its coming is seen.
 */
static void
watch_path(struct secrets *s, const char *path)
{
	char dir[PATH_MAX];
	char *slash;

	if (s == NULL || s->fd == -1)
		return;
	snprintf(dir, sizeof(dir), "%s", path);
	for (int up = 0; up < 2; up++) {
		if ((slash = strrchr(dir, '/')) == NULL)
			return;
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
		if (watch_dir(s, dir) == 0 || errno != ENOENT)
			return;
	}
}

void
sessopts_password(struct secrets *s, const struct conf *conf,
    const char *name, const struct ds_password *pw, struct bgpd_peer_conf *c)
{
	char pathbuf[PATH_MAX], why[PATH_MAX + 64], what[600];
	char err[sizeof(why) + sizeof(what) + 16];
	const char *path = NULL;

	c->pw_set = false;
	c->password[0] = c->pw_error[0] = '\0';
	switch (pw->kind) {
	case DS_PW_NONE:
		return;			/* ternd.yaml's bgp.password */
	case DS_PW_LITERAL:
		c->pw_set = true;
		if (strlen(pw->ref) <= BGPD_PASSWORD_MAX) {
			snprintf(c->password, sizeof(c->password), "%s",
			    pw->ref);
			return;
		}
		snprintf(what, sizeof(what), "the peer's password");
		snprintf(why, sizeof(why), "longer than %d bytes",
		    BGPD_PASSWORD_MAX);
		break;
	case DS_PW_FILE:
		c->pw_set = true;
		snprintf(what, sizeof(what), "password file");
		path = pw->ref;
		break;
	case DS_PW_SECRET:
		c->pw_set = true;
		snprintf(what, sizeof(what), "secret %.253s key %.253s",
		    pw->ref, pw->key != NULL ? pw->key : "");
		path = secrets_path(conf, pw->ref, pw->key != NULL ? pw->key :
		    "", pathbuf, sizeof(pathbuf), why, sizeof(why));
		break;
	}
	if (path != NULL) {
		watch_path(s, path);
		if (secrets_read(path, c->password, why, sizeof(why)) == 0)
			return;
	}
	c->password[0] = '\0';
	snprintf(err, sizeof(err), "TCP MD5 key: %s: %s", what, why);
	/* cut to what bgpd shows as the session's error */
	snprintf(c->pw_error, sizeof(c->pw_error), "%.*s",
	    (int)sizeof(c->pw_error) - 1, err);
	if (s != NULL)
		log_rl(&s->rl, "%s: not started: TCP MD5 key: %s: %s", name,
		    what, why);
}
