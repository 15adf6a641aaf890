/*
 * fuzz_ctl.c: libFuzzer entry point (STYLE 5.10, SPEC 8) for
 * fuzz_ctl() of fuzz_ctl.h, where the harness and its properties
 * live; tests/unit/test_crashers.c runs the same function over
 * tests/fuzz/corpus-ctl/ and tests/vectors/crashers/ctl/.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_ctl.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_ctl(data, size);
}
