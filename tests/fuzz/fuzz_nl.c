/*
 * fuzz_nl.c: libFuzzer entry point (STYLE 5.10, SPEC 8) for
 * fuzz_nl() of fuzz_nl.h, where the harness and its properties
 * live; tests/unit/test_crashers.c runs the same function over
 * tests/fuzz/corpus-nl/ and tests/vectors/crashers/nl/.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_nl.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_nl(data, size);
}
