/*
 * fuzz_bfd.c: libFuzzer entry point (STYLE 5.10, SPEC 8) for
 * fuzz_bfd() of fuzz_bfd.h, where the harness and its properties
 * live; tests/unit/test_crashers.c runs the same function over
 * tests/fuzz/corpus-bfd/ and tests/vectors/crashers/bfd/.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_bfd.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_bfd(data, size);
}
