/*
 * fuzz_calico.h: Calico's etcd keys and values (datastore/calico.c,
 * calico_res.c, json.c) as a backend hands them over, for
 * tests/fuzz/fuzz_calico.c and tests/unit/test_crashers.c.
 *
 * Input: octet 0 bit 0 picks the layout (1: Calico 3.x, 0: 2.x), then
 * records of
 *	op (1 octet; bit 0: delete, bit 1: commit after it)
 *	key length (2 octets, big-endian), key
 *	value length (2 octets, big-endian), value	(puts only)
 * applied to a model of node "h1" under the prefix "/calico". Properties:
 * the reported view is the committed one after every commit
 * (fuzz_ds.h), and deleting every key that was put leaves no key with
 * facts and an empty view: a key undoes exactly what it set.
 */
#ifndef TERN_FUZZ_CALICO_H
#define TERN_FUZZ_CALICO_H

#include "fuzz_ds.h"

#include "calico.h"
#include "log.h"

#define FUZZ_CALICO_KEYS	64	/* records per input */

static int
fuzz_calico(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct { const uint8_t *p; size_t n; } keys[FUZZ_CALICO_KEYS];
	struct fuzz_ds shadow = { 0 };
	struct ds_calico *c;
	struct ds_model m;
	const uint8_t *k, *v;
	size_t nkeys = 0, klen, vlen;
	uint8_t op;

	if (size < 1)
		return 0;
	log_init(LOG_LVL_ERROR, 0, "fuzz");
	ds_model_init(&m, "h1");
	c = ds_calico_new((fuzz_u8(&in) & 1) ? DS_LAYOUT_V3 : DS_LAYOUT_V2,
	    "/calico/", "h1");
	while (in.n > 0 && nkeys < FUZZ_CALICO_KEYS) {
		op = fuzz_u8(&in);
		k = fuzz_take(&in, fuzz_u16(&in), &klen);
		if (op & 1) {
			ds_calico_del(c, &m, (const char *)k, klen);
		} else {
			v = fuzz_take(&in, fuzz_u16(&in), &vlen);
			ds_calico_put(c, &m, (const char *)k, klen,
			    (const char *)v, vlen);
			keys[nkeys].p = k;
			keys[nkeys++].n = klen;
		}
		if (op & 2) {
			ds_model_commit(&m, &fuzz_ds_ops, &shadow);
			fuzz_ds_check(&m, &shadow);
		}
	}
	ds_model_commit(&m, &fuzz_ds_ops, &shadow);
	fuzz_ds_check(&m, &shadow);
	for (size_t i = 0; i < nkeys; i++)
		ds_calico_del(c, &m, (const char *)keys[i].p, keys[i].n);
	FUZZ_CHECK(ds_calico_nkeys(c) == 0);
	ds_model_commit(&m, &fuzz_ds_ops, &shadow);
	fuzz_ds_check(&m, &shadow);
	FUZZ_CHECK(shadow.peers == 0 && shadow.pools == 0 &&
	    shadow.blocks == 0);
	ds_calico_free(c);
	ds_model_fini(&m);
	return 0;
}

#endif
