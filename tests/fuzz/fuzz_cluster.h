/*
 * fuzz_cluster.h: the file datastore's cluster YAML (datastore/
 * clusterfile.c on lib/ytree.c and libyaml), for tests/fuzz/
 * fuzz_cluster.c and tests/unit/test_crashers.c.
 *
 * Input: the whole file, read from a memfd by ds_cluster_load() as ternd
 * reads the real one, into a fresh model of node "h1" that is then
 * committed. Properties: an error is one printable line that names the
 * file ("FILE:LINE: key K: why"), a success leaves no error text, and the
 * reported view is the committed one (fuzz_ds.h).
 */
#ifndef TERN_FUZZ_CLUSTER_H
#define TERN_FUZZ_CLUSTER_H

#include "fuzz_ds.h"

#include "backend.h"

static int
fuzz_cluster(const uint8_t *data, size_t size)
{
	struct fuzz_ds shadow = { 0 };
	struct ds_model m;
	const char *path;
	char err[512];
	int rc;

	path = fuzz_file_set(0, data, size);
	ds_model_init(&m, "h1");
	memset(err, 'x', sizeof(err));
	rc = ds_cluster_load(path, &m, err, sizeof(err));
	FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL);
	FUZZ_CHECK(fuzz_printable(err));
	if (rc == -1) {
		FUZZ_CHECK(strncmp(err, path, strlen(path)) == 0);
	} else {
		FUZZ_CHECK(rc == 0 && err[0] == '\0');
		ds_model_commit(&m, &fuzz_ds_ops, &shadow);
		fuzz_ds_check(&m, &shadow);
	}
	ds_model_fini(&m);
	return 0;
}

#endif
