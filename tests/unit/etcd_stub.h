/*
 * etcd_stub.h: the unit tests' etcd backend without a loop (base NULL:
 * requests are queued, never sent; the test plays etcd's answers): the
 * backend E, its teardown and its last queued request. The including file
 * defines the model M the backend commits to.
 */
#ifndef TERN_TEST_ETCD_STUB_H
#define TERN_TEST_ETCD_STUB_H

#include <check.h>

static struct ds_etcd *E;

static void
etcd_teardown(void)
{
	ds_etcd_free(E);
	ds_model_fini(&M);
}

static struct etcd_req *
last_req(void)
{
	struct etcd_req *r = TAILQ_LAST(&E->reqs, etcd_req_head);

	ck_assert_ptr_nonnull(r);
	return r;
}

#endif
