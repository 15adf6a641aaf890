/*
 * fuzz_cluster.c: libFuzzer entry point (STYLE 5.10, SPEC 8) for
 * fuzz_cluster() of fuzz_cluster.h, where the harness and its properties
 * live; tests/unit/test_crashers.c runs the same function over
 * tests/fuzz/corpus-cluster/ and tests/vectors/crashers/cluster/.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_cluster.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_cluster(data, size);
}
