/*
 * fuzz_conf.c: libFuzzer entry point (STYLE 5.10, SPEC 8) for
 * fuzz_conf() of fuzz_conf.h, where the harness and its properties
 * live; tests/unit/test_crashers.c runs the same function over
 * tests/fuzz/corpus-conf/ and tests/vectors/crashers/conf/.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_conf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_conf(data, size);
}
