/*
 * fuzz_etcd_v2.c: libFuzzer entry point (STYLE 5.10, SPEC 8) for
 * fuzz_etcd_v2() of fuzz_etcd.h, where the harness and its properties
 * live; tests/unit/test_crashers.c runs the same function over
 * tests/fuzz/corpus-etcd_v2/ and tests/vectors/crashers/etcd_v2/.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_etcd.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_etcd_v2(data, size);
}
