/*
 * backend.h (internal to datastore/): the backends behind struct ds.
 *
 * A backend turns its source into model facts and commits the model; ds.c
 * owns it and calls only these functions. The file backend (file.c) reads
 * the cluster YAML (clusterfile.c) at start, on ds_reload() and when
 * inotify reports the file changed; the etcd backends come later.
 */
#ifndef TERN_DS_BACKEND_H
#define TERN_DS_BACKEND_H

#include <stddef.h>

#include "datastore.h"
#include "model.h"

struct event_base;
struct ds_file;

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

#endif
