/*
 * fuzz_ds.h: the ds_ops the datastore harnesses (fuzz_calico.h,
 * fuzz_etcd.h, fuzz_cluster.h) hand to the model. They keep a shadow of
 * the view built only from the reported differences and check the hook
 * contract of datastore.h as they go: an add has no old value, a change
 * keeps the name (peer) or the cidr (pool), a block is not added twice.
 * fuzz_ds_check() then says the shadow and the committed view agree:
 * what the agent was told is what the model holds.
 */
#ifndef TERN_FUZZ_DS_H
#define TERN_FUZZ_DS_H

#include "fuzz_util.h"

#include "datastore.h"
#include "model.h"

struct fuzz_ds {
	size_t	peers, pools, blocks;
	bool	synced;
};

static void
fuzz_ds_local(void *arg, const struct ds_local *l)
{
	(void)arg;
	FUZZ_CHECK(memchr(l->name, '\0', sizeof(l->name)) != NULL);
}

static void
fuzz_ds_peer(void *arg, const struct ds_peer *n, const struct ds_peer *o)
{
	struct fuzz_ds *s = arg;

	FUZZ_CHECK(n != NULL || o != NULL);
	if (n != NULL) {
		FUZZ_CHECK(n->name[0] != '\0' && n->as != 0 && n->port != 0);
		FUZZ_CHECK(n->addr.af == AF_INET || n->addr.af == AF_INET6);
	}
	if (n != NULL && o != NULL)
		FUZZ_CHECK(strcmp(n->name, o->name) == 0);
	else if (n != NULL)
		s->peers++;
	else {
		FUZZ_CHECK(s->peers > 0);
		s->peers--;
	}
}

static void
fuzz_ds_block(void *arg, const struct prefix *p, bool present)
{
	struct fuzz_ds *s = arg;

	FUZZ_CHECK(p->af == AF_INET || p->af == AF_INET6);
	if (present)
		s->blocks++;
	else {
		FUZZ_CHECK(s->blocks > 0);
		s->blocks--;
	}
}

static void
fuzz_ds_pool(void *arg, const struct ds_pool *n, const struct ds_pool *o)
{
	struct fuzz_ds *s = arg;

	FUZZ_CHECK(n != NULL || o != NULL);
	if (n != NULL && o != NULL)
		FUZZ_CHECK(prefix_eq(&n->cidr, &o->cidr));
	else if (n != NULL)
		s->pools++;
	else {
		FUZZ_CHECK(s->pools > 0);
		s->pools--;
	}
}

static void
fuzz_ds_synced(void *arg)
{
	struct fuzz_ds *s = arg;

	s->synced = true;
}

static const struct ds_ops fuzz_ds_ops = {
	fuzz_ds_local, fuzz_ds_peer, fuzz_ds_block, fuzz_ds_pool,
	fuzz_ds_synced, NULL,
};

/* The view the hooks reported is the committed one. */
static void
fuzz_ds_check(const struct ds_model *m, const struct fuzz_ds *s)
{
	size_t n;

	(void)ds_model_peers(m, &n);
	FUZZ_CHECK(n == s->peers);
	(void)ds_model_pools(m, &n);
	FUZZ_CHECK(n == s->pools);
	(void)ds_model_blocks(m, &n);
	FUZZ_CHECK(n == s->blocks);
}

#endif
