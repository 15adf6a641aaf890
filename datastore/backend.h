/*
 * backend.h (internal to datastore/): the backends behind struct ds.
 *
 * A backend turns its source into model facts and commits the model; ds.c
 * owns it and calls only these functions. The file backend (file.c) reads
 * the cluster YAML (clusterfile.c) at start, on ds_reload() and when
 * inotify reports the file changed; the etcd backend (etcd.c, with the
 * protocols in etcd_v3.c and etcd_v2.c and the key mapping in calico.c)
 * lists Calico's keys and then watches them.
 */
#ifndef TERN_DS_BACKEND_H
#define TERN_DS_BACKEND_H

#include <stddef.h>

#include "datastore.h"
#include "model.h"

struct event_base;
struct ds_file;
struct ds_etcd;

#define DS_RELOAD_DEBOUNCE_MS	50

/* The backend reports through ops/arg into model; all three outlive it. */
struct ds_file	*ds_file_new(struct event_base *, const char *path,
		    struct ds_model *, const struct ds_ops *, void *arg);
/* Load once (-1: bad file, nothing reported), then watch the directory. */
int		 ds_file_start(struct ds_file *);
/* Re-read; on error log it and keep the last good view. */
int		 ds_file_reload(struct ds_file *);
void		 ds_file_stop(struct ds_file *);
void		 ds_file_free(struct ds_file *);
/* The last load error, or NULL when the last load was good. */
const char	*ds_file_error(const struct ds_file *);

/*
 * clusterfile.c: parse the cluster YAML (SPEC section 2, second block) into
 * a fresh model: facts only, this node's blocks only. -1 with
 * "file:line: key K: why" in err; the model is then half filled: discard it.
 */
int		 ds_cluster_load(const char *path, struct ds_model *,
		    char *err, size_t errlen);

/* The etcd backend's settings; ds_etcd_new copies them. */
struct ds_etcd_conf {
	enum ds_type		 type;		/* DS_TYPE_ETCDV3 or _ETCDV2 */
	char *const		*endpoints;
	size_t			 nendpoints;
	const char		*prefix;	/* "/calico" */
	const char		*ca_file;	/* NULL or "": none */
	const char		*cert_file;
	const char		*key_file;
	struct ds_etcd_timing	 timing;
};

/* base NULL: no requests are sent (unit tests drive etcd.h directly). */
struct ds_etcd	*ds_etcd_new(struct event_base *, const struct ds_etcd_conf *,
		    struct ds_model *, const struct ds_ops *, void *arg);
/* Start listing; -1 only for unusable settings (etcd down is not one). */
int		 ds_etcd_start(struct ds_etcd *);
/* List everything again and apply the difference. */
int		 ds_etcd_reload(struct ds_etcd *);
void		 ds_etcd_stop(struct ds_etcd *);
void		 ds_etcd_free(struct ds_etcd *);
const char	*ds_etcd_error(const struct ds_etcd *);

#endif
