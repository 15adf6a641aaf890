/*
 * fuzz_calico.c: libFuzzer entry point (STYLE 5.10, SPEC 8) for
 * fuzz_calico() of fuzz_calico.h, where the harness and its properties
 * live; tests/unit/test_crashers.c runs the same function over
 * tests/fuzz/corpus-calico/ and tests/vectors/crashers/calico/.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_calico.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_calico(data, size);
}
