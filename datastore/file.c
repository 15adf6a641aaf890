/*
 * file.c: the `file` datastore backend: one cluster YAML file.
 *
 * Owns the file's path, an inotify descriptor on the file's *directory*
 * and two libevent events: the inotify read event and a 50 ms debounce
 * timer. Watching the directory for the file's name (close_write,
 * moved_to, create, delete) sees editors' atomic renames and Kubernetes
 * ConfigMap "..data" symlink swaps, which a watch on the file itself would
 * lose. Each load parses into a fresh model (clusterfile.c) and only a good
 * one replaces the live facts, so a bad file is logged and the last good
 * view stays; the model's commit then reports only the difference.
 * It must not block (the inotify fd is non-blocking) or free itself from
 * its own callbacks.
 */
#include <sys/inotify.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "backend.h"
#include "log.h"
#include "timer.h"
#include "xmalloc.h"

#define DS_FILE_EVENTS	(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | \
	IN_DELETE | IN_MOVED_FROM)
#define DS_FILE_READS	64	/* inotify reads per wakeup */

struct ds_file {
	struct event_base	*base;
	char			*path;
	char			*dir;
	char			*name;		/* path's last component */
	struct ds_model		*model;
	const struct ds_ops	*ops;
	void			*arg;
	int			 ifd;		/* inotify, -1 when off */
	struct event		*ev_notify;
	struct event		*ev_debounce;
	char			 error[512];	/* "" after a good load */
};

struct ds_file *
ds_file_new(struct event_base *base, const char *path, struct ds_model *m,
    const struct ds_ops *ops, void *arg)
{
	struct ds_file *f = xcalloc(1, sizeof(*f));
	const char *slash = strrchr(path, '/');

	f->base = base;
	f->path = xstrdup(path);
	if (slash == NULL) {
		f->dir = xstrdup(".");
	} else if (slash == path) {
		f->dir = xstrdup("/");
	} else {
		f->dir = xmemdup(path, (size_t)(slash - path) + 1);
		f->dir[slash - path] = '\0';
	}
	f->name = xstrdup(slash != NULL ? slash + 1 : path);
	f->model = m;
	f->ops = ops;
	f->arg = arg;
	f->ifd = -1;
	return f;
}

int
ds_file_reload(struct ds_file *f)
{
	struct ds_model fresh;
	char err[sizeof(f->error)];

	ds_model_init(&fresh, f->model->self);
	if (ds_cluster_load(f->path, &fresh, err, sizeof(err)) == -1) {
		ds_model_fini(&fresh);
		/* the same broken file, seen again: said once already */
		if (!f->model->committed)
			log_warnx("datastore: %s", err);
		else if (strcmp(err, f->error) != 0)
			log_warnx("datastore: %s; keeping the last good "
			    "cluster view", err);
		snprintf(f->error, sizeof(f->error), "%s", err);
		return -1;
	}
	ds_model_take(f->model, &fresh);
	ds_model_fini(&fresh);
	if (f->error[0] != '\0')
		log_info("datastore: %s is good again", f->path);
	f->error[0] = '\0';
	log_debug("datastore: loaded %s", f->path);
	ds_model_commit(f->model, f->ops, f->arg);
	return 0;
}

static void
debounce_cb(int fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)ds_file_reload(arg);
}

/* Does one inotify record (already bounds-checked) concern our file? */
static bool
event_matches(const struct ds_file *f, const struct inotify_event *ev,
    const char *name)
{
	if (ev->mask & IN_Q_OVERFLOW)
		return true;		/* lost events: re-read to be sure */
	if (ev->mask & IN_IGNORED) {
		log_warnx("datastore: %s is gone; no longer watching %s",
		    f->dir, f->path);
		return true;
	}
	if (ev->len == 0 || memchr(name, '\0', ev->len) == NULL)
		return false;
	/* ..data: a Kubernetes ConfigMap volume swaps this symlink */
	return strcmp(name, f->name) == 0 || strcmp(name, "..data") == 0;
}

/* Walk one read's records; every length is checked before use. */
static bool
scan_events(const struct ds_file *f, const char *buf, size_t len)
{
	struct inotify_event ev;
	bool hit = false;
	size_t off = 0;

	while (len - off >= sizeof(ev)) {
		memcpy(&ev, buf + off, sizeof(ev));
		off += sizeof(ev);
		if (ev.len > len - off)
			break;
		if (event_matches(f, &ev, buf + off))
			hit = true;
		off += ev.len;
	}
	return hit;
}

static void
notify_cb(int fd, short what, void *arg)
{
	struct ds_file *f = arg;
	char buf[4096 + sizeof(struct inotify_event)]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	bool hit = false;
	ssize_t n;

	(void)what;
	for (int i = 0; i < DS_FILE_READS; i++) {
		n = read(fd, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			if (errno != EAGAIN)
				log_warn("datastore: inotify read");
			break;
		}
		if (n == 0)
			break;
		if (scan_events(f, buf, (size_t)n))
			hit = true;
	}
	/* debounce: each change restarts the timer */
	if (hit)
		timer_arm_ms(f->ev_debounce, DS_RELOAD_DEBOUNCE_MS);
}

static int
watch(struct ds_file *f)
{
	f->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (f->ifd == -1) {
		log_warn("datastore: inotify_init1");
		return -1;
	}
	if (inotify_add_watch(f->ifd, f->dir, DS_FILE_EVENTS | IN_ONLYDIR) ==
	    -1) {
		log_warn("datastore: inotify on %s", f->dir);
		close(f->ifd);
		f->ifd = -1;
		return -1;
	}
	f->ev_notify = event_new(f->base, f->ifd, EV_READ | EV_PERSIST,
	    notify_cb, f);
	f->ev_debounce = evtimer_new(f->base, debounce_cb, f);
	if (f->ev_notify == NULL || f->ev_debounce == NULL)
		fatalx("datastore: event_new");
	if (event_add(f->ev_notify, NULL) == -1)
		fatalx("datastore: event_add");
	return 0;
}

int
ds_file_start(struct ds_file *f)
{
	if (ds_file_reload(f) == -1)
		return -1;
	/* without inotify, SIGHUP (ds_reload) still works */
	if (f->base != NULL && f->ifd == -1 && watch(f) == -1)
		log_warnx("datastore: %s is not watched; reload with SIGHUP",
		    f->path);
	return 0;
}

void
ds_file_stop(struct ds_file *f)
{
	if (f->ev_notify != NULL)
		event_free(f->ev_notify);
	if (f->ev_debounce != NULL)
		event_free(f->ev_debounce);
	f->ev_notify = NULL;
	f->ev_debounce = NULL;
	if (f->ifd != -1)
		close(f->ifd);
	f->ifd = -1;
}

void
ds_file_free(struct ds_file *f)
{
	if (f == NULL)
		return;
	ds_file_stop(f);
	free(f->path);
	free(f->dir);
	free(f->name);
	free(f);
}

const char *
ds_file_error(const struct ds_file *f)
{
	return f->error[0] != '\0' ? f->error : NULL;
}
