/*
 * sessopts.h: issue 15's session transport options, from the datastore's
 * words (struct ds_peer_opts) to bgpd's (struct bgpd_peer_conf), and the
 * TCP MD5 keys they name, read from files.
 *
 * A key comes from one of three places (struct ds_password): a Kubernetes
 * secret (BGPPeer password.secretKeyRef, BGPConfiguration
 * nodeMeshPassword), found through ternd.yaml's secrets: section
 * (secrets.files[] by name and key, else <secrets.dir>/<name>/<key>, as a
 * secret volume is mounted); the cluster file's password_file (a path); a
 * v1 peer JSON's literal "password". A key that cannot be had (no mapping,
 * a missing or unreadable file, empty or longer than 80 bytes) leaves the
 * session not started, with the reason as its error (bgpd_peer_conf
 * pw_error), and a rate-limited log line naming the session and the
 * secret; never the key itself.
 *
 * struct secrets watches the directories of the files in use (inotify, on
 * the event loop; at most SECRETS_WATCH_MAX directories, events read a
 * bounded amount per wakeup) and calls changed() once things settle; the
 * agent then builds every session's conf again and bgpd restarts exactly
 * those whose key changed (bgpd_peer_update). SIGHUP does the same.
 */
#ifndef TERN_AGENT_SESSOPTS_H
#define TERN_AGENT_SESSOPTS_H

#include <stdbool.h>
#include <stddef.h>

#include "bgpd.h"
#include "conf.h"
#include "datastore.h"

struct event_base;
struct secrets;

#define SECRETS_WATCH_MAX	64	/* directories watched */
#define SECRETS_SETTLE_MS	200	/* events coalesced this long */

/*
 * The options bgpd applies (localASNumber, numAllowedLocalASNumbers,
 * keepaliveTime, ttlSecurity, sourceAddress) from o into c; the password
 * is sessopts_password's. Pure.
 */
void	sessopts_translate(const struct ds_peer_opts *o,
	    struct bgpd_peer_conf *c);

/*
 * Where secret name's key is read from with conf's secrets: section: the
 * path in buf, or NULL with why (no mapping). Pure.
 */
const char *secrets_path(const struct conf *, const char *name,
	    const char *key, char *buf, size_t len, char *why, size_t whylen);

/*
 * Read a key from path into out (BGPD_PASSWORD_MAX + 1 bytes): the file's
 * bytes, trailing newlines cut (an editor's; a Kubernetes secret has
 * none). 0, or -1 with why (errno's text, "empty", "longer than 80
 * bytes", "NUL byte").
 */
int	secrets_read(const char *path, char *out, char *why, size_t whylen);

/* The watcher; changed(arg) when a watched directory changed (settled). */
struct secrets	*secrets_new(struct event_base *, void (*changed)(void *),
		    void *arg);
void		 secrets_free(struct secrets *);

/*
 * c's password (pw_set, password or pw_error) from pw for session name,
 * with conf's secrets: section; the file's directory watched (s may be
 * NULL: no watch, as in the unit tests). Lines about a key that cannot be
 * had go through s's rate limit.
 */
void	sessopts_password(struct secrets *, const struct conf *,
	    const char *name, const struct ds_password *pw,
	    struct bgpd_peer_conf *c);

#endif
